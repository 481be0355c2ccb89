/* Unit tests for I/O threads (src/util/iothread.c): a source added to
 * the thread's loop is served on that thread, not the caller's; after
 * iothread_stop() nothing is served until the next start (a guest reset
 * stops and starts the same thread); `batch` puts the thread, and only
 * it, on SCHED_BATCH; stopping a thread that never started is a no-op. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/iothread.h"

struct probe {
	struct loop_source src;
	int efd;		/* the test writes it: work for the thread */
	int donefd;		/* the handler writes it: served */
	pthread_t ran_on;
	int policy;		/* sched_getscheduler() in the handler */
	unsigned served;
};

static void on_work(struct loop_source *src, uint32_t events)
{
	struct probe *p = src->opaque;
	uint64_t v, one = 1;

	(void)events;
	if (read(p->efd, &v, sizeof(v)) != sizeof(v))
		return;
	p->ran_on = pthread_self();
	p->policy = sched_getscheduler(0);
	__atomic_add_fetch(&p->served, 1, __ATOMIC_SEQ_CST);
	if (write(p->donefd, &one, sizeof(one)) != sizeof(one))
		p->served = 1000;	/* the test sees it */
}

static void probe_init(struct iothread *t, struct probe *p)
{
	memset(p, 0, sizeof(*p));
	p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->donefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(p->efd >= 0 && p->donefd >= 0);
	assert_int_equal(loop_add(&t->loop, &p->src, p->efd, EPOLLIN, on_work,
				  p), 0);
}

static void probe_fini(struct iothread *t, struct probe *p)
{
	loop_remove(&t->loop, &p->src);
	close(p->efd);
	close(p->donefd);
}

/* Give the thread work; true if it was served within ms. */
static bool kick(struct probe *p, int ms)
{
	struct pollfd pfd = { .fd = p->donefd, .events = POLLIN };
	uint64_t one = 1, v;

	assert_int_equal(write(p->efd, &one, sizeof(one)), sizeof(one));
	if (poll(&pfd, 1, ms) != 1)
		return false;
	assert_int_equal(read(p->donefd, &v, sizeof(v)), sizeof(v));
	return true;
}

static void test_served_on_its_thread(void **state)
{
	struct iothread t;
	struct probe p;

	(void)state;
	assert_int_equal(iothread_init(&t, "vireo-test-io-thread-x", false), 0);
	assert_string_equal(t.name, "vireo-test-io-t"); /* comm: 15 */
	probe_init(&t, &p);
	assert_int_equal(iothread_start(&t), 0);
	assert_true(kick(&p, 5000));
	assert_false(pthread_equal(p.ran_on, pthread_self()));
	assert_int_equal(p.policy, SCHED_OTHER);
	assert_false(t.batched);
	iothread_stop(&t);
	assert_false(t.running);
	/* Stopped: the work waits for the next start (a guest reset). */
	assert_false(kick(&p, 100));
	assert_int_equal(p.served, 1);
	assert_int_equal(iothread_start(&t), 0);
	{
		struct pollfd pfd = { .fd = p.donefd, .events = POLLIN };

		assert_int_equal(poll(&pfd, 1, 5000), 1);
	}
	assert_int_equal(p.served, 2);
	assert_int_equal(iothread_start(&t), 0);	/* running: no-op */
	iothread_stop(&t);
	iothread_stop(&t);				/* stopped: no-op */
	assert_int_equal(t.error, 0);
	probe_fini(&t, &p);
	iothread_destroy(&t);
}

static void test_batch_only_that_thread(void **state)
{
	struct iothread t;
	struct probe p;

	(void)state;
	assert_int_equal(sched_getscheduler(0), SCHED_OTHER);
	assert_int_equal(iothread_init(&t, "io-batch", true), 0);
	probe_init(&t, &p);
	assert_int_equal(iothread_start(&t), 0);
	assert_true(kick(&p, 5000));
	assert_int_equal(p.policy, SCHED_BATCH);
	assert_true(t.batched);
	/* The starting thread keeps its policy. */
	assert_int_equal(sched_getscheduler(0), SCHED_OTHER);
	probe_fini(&t, &p);
	iothread_destroy(&t);	/* stops it too */
	assert_false(t.running);
}

static void test_never_started(void **state)
{
	struct iothread t;

	(void)state;
	assert_int_equal(iothread_init(&t, "io-idle", true), 0);
	iothread_stop(&t);
	assert_false(t.running);
	iothread_destroy(&t);
	assert_int_equal(t.stopfd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_served_on_its_thread),
		cmocka_unit_test(test_batch_only_that_thread),
		cmocka_unit_test(test_never_started),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
