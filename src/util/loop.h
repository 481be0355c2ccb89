/* An epoll event loop: the main thread's, or an I/O thread's
 * (iothread.h).  A loop is run by one thread at a time.  Sources are owned by their users
 * (embedded in their structs): the loop stores only pointers, so a source
 * must be removed before its owner is freed.  A handler may remove any
 * source (and free its owner): events of the same batch for it are then
 * skipped. */
#ifndef VIREO_UTIL_LOOP_H
#define VIREO_UTIL_LOOP_H

#include <stdint.h>

struct loop_source;
typedef void (*loop_fn)(struct loop_source *src, uint32_t events);

struct loop_source {
	int fd;
	uint32_t events;
	loop_fn fn;
	void *opaque;
};

#define LOOP_BATCH 16

struct loop {
	int epfd;
	/* The batch being dispatched: loop_remove() clears later events of
	 * a removed source, so none reaches it once its owner is freed. */
	void *batch[LOOP_BATCH];
	int batch_len;
};

int loop_init(struct loop *l);
void loop_destroy(struct loop *l);

/* 0, or -errno from epoll_ctl (-EPERM: fd cannot be polled, e.g. a
 * regular file or /dev/null); a failed add leaves src untouched. */
int loop_add(struct loop *l, struct loop_source *src, int fd,
	     uint32_t events, loop_fn fn, void *opaque);
int loop_modify(struct loop *l, struct loop_source *src, uint32_t events);
void loop_remove(struct loop *l, struct loop_source *src);

/* Wait up to timeout_ms (-1: forever) and dispatch ready sources.
 * Returns the number dispatched, or -errno (EINTR is not an error: 0). */
int loop_run_once(struct loop *l, int timeout_ms);

#endif
