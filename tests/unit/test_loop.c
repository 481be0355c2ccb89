/* Unit tests for the event loop (src/util/loop.c): dispatch, modify,
 * remove, refusal of an fd epoll cannot poll, and a handler that removes
 * and frees another source whose event is in the same batch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/loop.h"

struct owner {
	struct loop_source src;
	struct loop *loop;
	struct owner *peer;	/* freed by this one's handler */
	int efd;
	unsigned *calls;
};

static struct owner *last_ran;

static void on_event(struct loop_source *src, uint32_t events)
{
	struct owner *o = src->opaque;
	uint64_t v;

	assert_true(events & EPOLLIN);
	(*o->calls)++;
	last_ran = o;
	if (read(o->efd, &v, sizeof(v)) != sizeof(v))
		fail_msg("eventfd read");
	if (o->peer) {
		/* Monitor clients do this: one closes another. */
		loop_remove(o->loop, &o->peer->src);
		close(o->peer->efd);
		o->peer->peer = NULL;
		free(o->peer);
		o->peer = NULL;
	}
}

static struct owner *owner_new(struct loop *l, unsigned *calls)
{
	struct owner *o = calloc(1, sizeof(*o));
	uint64_t one = 1;

	assert_non_null(o);
	o->loop = l;
	o->calls = calls;
	o->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(o->efd >= 0);
	assert_int_equal(loop_add(l, &o->src, o->efd, EPOLLIN, on_event, o), 0);
	assert_int_equal(write(o->efd, &one, sizeof(one)), sizeof(one));
	return o;
}

static void owner_free(struct loop *l, struct owner *o)
{
	loop_remove(l, &o->src);
	close(o->efd);
	free(o);
}

/* Both are ready in one batch; whichever runs first frees the other.
 * Before the fix the loop then read the freed source (ASan: use after
 * free) to see whether it was removed. */
static void test_remove_and_free_in_same_batch(void **state)
{
	struct loop l;
	unsigned calls = 0;
	struct owner *a, *b;
	int n;

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	a = owner_new(&l, &calls);
	b = owner_new(&l, &calls);
	a->peer = b;
	b->peer = a;
	n = loop_run_once(&l, 1000);
	assert_int_equal(n, 2);			/* both in the batch */
	assert_int_equal(calls, 1);		/* the freed one never ran */
	owner_free(&l, last_ran);
	assert_int_equal(loop_run_once(&l, 0), 0);
	loop_destroy(&l);
}

static void test_dispatch_modify_remove(void **state)
{
	struct loop l;
	unsigned calls = 0;
	struct owner *a;

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	a = owner_new(&l, &calls);
	assert_int_equal(loop_run_once(&l, 1000), 1);
	assert_int_equal(calls, 1);
	assert_int_equal(loop_run_once(&l, 0), 0);	/* drained */
	/* Not interested: ready but not dispatched. */
	assert_int_equal(loop_modify(&l, &a->src, 0), 0);
	assert_int_equal(write(a->efd, &(uint64_t){ 1 }, 8), 8);
	assert_int_equal(loop_run_once(&l, 0), 0);
	assert_int_equal(loop_modify(&l, &a->src, EPOLLIN), 0);
	assert_int_equal(loop_run_once(&l, 0), 1);
	assert_int_equal(calls, 2);
	loop_remove(&l, &a->src);
	assert_int_equal(a->src.fd, -1);
	assert_int_equal(loop_modify(&l, &a->src, EPOLLIN), -EBADF);
	loop_remove(&l, &a->src);			/* twice is fine */
	close(a->efd);
	free(a);
	loop_destroy(&l);
}

static void test_add_unpollable(void **state)
{
	struct loop_source src = { .fd = -1 };
	struct loop l;
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(loop_add(&l, &src, fileno(f), EPOLLIN, on_event,
				  NULL), -EPERM);
	assert_int_equal(src.fd, -1);			/* untouched */
	fclose(f);
	loop_destroy(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remove_and_free_in_same_batch),
		cmocka_unit_test(test_dispatch_modify_remove),
		cmocka_unit_test(test_add_unpollable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
