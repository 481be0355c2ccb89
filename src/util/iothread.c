/* I/O threads (see iothread.h): a loop, a thread that runs it, and an
 * eventfd that tells the thread to leave it. */
#include "util/iothread.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/log.h"

static void on_stop(struct loop_source *src, uint32_t events)
{
	struct iothread *t = src->opaque;
	uint64_t v;

	(void)events;
	if (read(t->stopfd, &v, sizeof(v)) == sizeof(v))
		t->stop = true;
}

/* SCHED_BATCH for this thread only; a thread started under another
 * policy than SCHED_OTHER (the VMM run under chrt) keeps it. */
static bool set_batch(const struct iothread *t)
{
	struct sched_param sp = { 0 };

	if (sched_getscheduler(0) != SCHED_OTHER)
		return false;
	if (sched_setscheduler(0, SCHED_BATCH, &sp) == 0)
		return true;
	log_warn("%s: cannot run SCHED_BATCH: %s", t->name, strerror(errno));
	return false;
}

static void *iothread_main(void *arg)
{
	struct iothread *t = arg;
	int n;

	pthread_setname_np(pthread_self(), t->name);
	t->batched = t->batch && set_batch(t);
	log_info("%s: I/O thread running, %s", t->name,
		 t->batched ? "SCHED_BATCH" : "its policy inherited");
	while (!t->stop) {
		n = loop_run_once(&t->loop, -1);
		if (n < 0) {
			/* epoll itself failed: a host bug, not the guest's. */
			log_error("%s: event loop: %s; its devices stop",
				  t->name, strerror(-n));
			t->error = n;
			break;
		}
	}
	return NULL;
}

int iothread_init(struct iothread *t, const char *name, bool batch)
{
	int ret;

	memset(t, 0, sizeof(*t));
	t->stop_src.fd = -1;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->batch = batch;
	t->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->stopfd < 0)
		return -errno;
	ret = loop_init(&t->loop);
	if (ret)
		goto fail_fd;
	ret = loop_add(&t->loop, &t->stop_src, t->stopfd, EPOLLIN, on_stop, t);
	if (ret)
		goto fail_loop;
	return 0;
fail_loop:
	loop_destroy(&t->loop);
fail_fd:
	close(t->stopfd);
	t->stopfd = -1;
	return ret;
}

int iothread_start(struct iothread *t)
{
	int ret;

	if (t->running)
		return 0;
	t->stop = false;
	t->error = 0;
	ret = pthread_create(&t->tid, NULL, iothread_main, t);
	if (ret)
		return -ret;
	t->running = true;
	return 0;
}

void iothread_stop(struct iothread *t)
{
	uint64_t one = 1;

	if (!t->running)
		return;
	/* An eventfd write fails only if the counter would overflow,
	 * which means it is readable already. */
	if (write(t->stopfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("%s: stop: %s", t->name, strerror(errno));
	pthread_join(t->tid, NULL);
	t->running = false;
}

void iothread_destroy(struct iothread *t)
{
	iothread_stop(t);
	loop_remove(&t->loop, &t->stop_src);
	loop_destroy(&t->loop);
	if (t->stopfd >= 0)
		close(t->stopfd);
	t->stopfd = -1;
}
