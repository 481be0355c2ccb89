/* Unit tests for the console output ring and writer (src/vmm/conout.c):
 * bytes arrive in order; a reader that stops reading costs dropped bytes,
 * never a blocked writer (the vCPU side) nor a stop that hangs; a reader
 * that goes away; a discarded console; a non-blocking fd that is full. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/conout.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Reads exactly n bytes (or fails after 5 s of silence). */
static void read_n(int fd, uint8_t *buf, size_t n)
{
	while (n) {
		ssize_t r;

		assert_int_equal(poll(&(struct pollfd){ fd, POLLIN, 0 }, 1,
				      5000), 1);
		r = read(fd, buf, n);
		assert_true(r > 0);
		buf += r;
		n -= (size_t)r;
	}
}

static void test_in_order(void **state)
{
	static uint8_t in[20000], out[20000];
	struct conout o;
	size_t i, off;
	int p[2];

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 31 + i / 256);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(conout_start(&o, p[1], 4096), 0);
	/* Chunks of odd sizes, reading as we go so nothing is dropped. */
	for (off = 0; off < sizeof(in); off += 1000) {
		conout_write(&o, in + off, 1000);
		read_n(p[0], out + off, 1000);
	}
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(o.dropped, 0);
	conout_stop(&o, 1000);
	close(p[0]);
	close(p[1]);
}

/* The bug this module fixes: a stalled stdout reader blocked the vCPU
 * writing guest output, and with it the whole VMM. */
static void test_stalled_reader(void **state)
{
	static uint8_t chunk[4096];
	struct conout o;
	double t0;
	unsigned i;
	int p[2];

	(void)state;
	memset(chunk, 'x', sizeof(chunk));
	assert_int_equal(pipe(p), 0);	/* blocking, as stdout usually is */
	assert_int_equal(conout_start(&o, p[1], 8192), 0);
	t0 = now_s();
	for (i = 0; i < 100; i++)	/* 400 KiB: far past pipe + ring */
		conout_write(&o, chunk, sizeof(chunk));
	assert_true(now_s() - t0 < 2.0);
	assert_true(o.dropped > 0);
	/* The writer is stuck in write(): stop gives up after its drain
	 * time instead of hanging. */
	t0 = now_s();
	conout_stop(&o, 200);
	assert_true(now_s() - t0 < 3.0);
	close(p[0]);
	close(p[1]);
}

static void test_reader_gone(void **state)
{
	static uint8_t chunk[1024];
	struct conout o;
	unsigned i;
	int p[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);	/* as vireo-vmm does */
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	assert_int_equal(conout_start(&o, p[1], 4096), 0);
	for (i = 0; i < 50; i++)
		conout_write(&o, chunk, sizeof(chunk));
	conout_stop(&o, 1000);
	close(p[1]);
}

static void test_discard(void **state)
{
	struct conout o;

	(void)state;
	assert_int_equal(conout_start(&o, -1, 4096), 0);
	conout_write(&o, (const uint8_t *)"gone", 4);
	assert_int_equal(o.dropped, 0);
	conout_stop(&o, 10);
	/* Stopping twice, or a never-started ring, is harmless. */
	conout_stop(&o, 10);
	memset(&o, 0, sizeof(o));
	conout_stop(&o, 10);
}

/* A pty master is non-blocking: a full one drops, and stop is prompt. */
static void test_nonblocking_full(void **state)
{
	static uint8_t chunk[4096];
	struct conout o;
	unsigned i;
	double t0;
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(conout_start(&o, p[1], 8192), 0);
	for (i = 0; i < 100; i++)
		conout_write(&o, chunk, sizeof(chunk));
	t0 = now_s();
	conout_stop(&o, 2000);
	assert_true(now_s() - t0 < 1.9);	/* drained by dropping */
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_stalled_reader),
		cmocka_unit_test(test_reader_gone),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_nonblocking_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
