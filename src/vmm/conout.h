/* Console output: a bounded ring between the UART (vCPU threads, UART
 * lock held) and a writer thread that alone may block on the console's
 * file descriptor.  A stalled reader of our stdout can then cost the
 * guest console bytes (dropped and counted, as on a UART line with no
 * flow control), but never a vCPU or the main loop. */
#ifndef VIREO_VMM_CONOUT_H
#define VIREO_VMM_CONOUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONOUT_RING_SIZE (32 * 1024)

struct conout {
	int fd;				/* -1: output is discarded */
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* data queued, drained, or stop */
	uint8_t *buf;
	size_t cap, head, len;		/* ring: len bytes from head */
	bool writing;			/* the writer holds a chunk */
	bool stop, started, inited;
	uint64_t dropped;		/* bytes lost to a full ring */
	pthread_t thread;
};

/* Starts the writer for `fd` (not owned; -1 discards).  0 or -errno. */
int conout_start(struct conout *o, int fd, size_t cap);
/* Queues what fits and returns at once; drops and counts the rest. */
void conout_write(struct conout *o, const uint8_t *buf, size_t len);
/* Lets the writer drain for up to `drain_ms`, then ends it. */
void conout_stop(struct conout *o, unsigned drain_ms);

#endif
