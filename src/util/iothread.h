/* An I/O thread: a struct loop of its own, run by a thread of its own
 * between iothread_start() and iothread_stop(), so that a device's data
 * path (its kicks, calls and backend fds) is served beside the main
 * loop, not by it.  Sources are added while the thread is stopped or from
 * the thread itself (loop_remove is not safe against a running loop
 * from another thread); loop_modify (epoll_ctl) is safe from any thread.
 *
 * With `batch` the thread runs SCHED_BATCH: being woken (a kick, a
 * packet) does not preempt the thread that is running on that CPU, so on
 * a host short of CPUs the guest queues several requests per kick and a
 * local sender several packets per wakeup instead of handing over the
 * CPU for each one.  Where a CPU is idle the thread runs there at once
 * either way (docs/architecture.md, "Threads"). */
#ifndef VIREO_UTIL_IOTHREAD_H
#define VIREO_UTIL_IOTHREAD_H

#include <pthread.h>
#include <stdbool.h>

#include "util/loop.h"

struct iothread {
	struct loop loop;		/* the sources it serves */
	char name[16];			/* the thread's name (comm) */
	int stopfd;			/* eventfd: iothread_stop() */
	struct loop_source stop_src;
	pthread_t tid;
	bool running;			/* between start and stop */
	bool stop;			/* the thread's own: leave the loop */
	bool batch;			/* SCHED_BATCH (set by the thread) */
	bool batched;			/* ... and it took effect */
	int error;			/* -errno that ended the loop, or 0 */
};

/* The loop and the stop eventfd; no thread yet.  name: up to 15
 * characters (longer is cut).  0 or -errno. */
int iothread_init(struct iothread *t, const char *name, bool batch);
/* Start the thread (not running).  0 or -errno (pthread_create). */
int iothread_start(struct iothread *t);
/* Make the thread leave its loop after the handler it is in, and join
 * it.  No-op if not running.  Afterwards sources may be removed. */
void iothread_stop(struct iothread *t);
/* Stops the thread if it runs; the caller has removed its own sources.
 * Only after iothread_init() succeeded. */
void iothread_destroy(struct iothread *t);

#endif
