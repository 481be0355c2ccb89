/* Microbenchmark of the address-range bus lookup (src/util/bus.c): the
 * cost of one bus_access() dispatch to a trivial handler, on a bus with
 * as many ranges as a machine has, single-threaded and with several
 * reader threads at once.  Prints nanoseconds per access. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/bus.h"

#define RANGES 24
#define ITERS 20000000UL

static struct bus bench_bus;

static int nop_io(void *opaque, uint64_t offset, unsigned size,
		  uint64_t *value, bool is_write)
{
	(void)opaque;
	(void)offset;
	(void)size;
	(void)is_write;
	*value = 0;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *reader(void *arg)
{
	unsigned long i, n = *(unsigned long *)arg;
	uint32_t v;

	for (i = 0; i < n; i++)
		bus_access(&bench_bus, 0x1000 * (i % RANGES) + 4, &v, 4, false);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned nthreads = argc > 1 ? (unsigned)atoi(argv[1]) : 1, i;
	unsigned long iters = ITERS / (nthreads ? nthreads : 1);
	pthread_t t[16];
	double t0, t1;

	if (nthreads < 1 || nthreads > 16)
		return 2;
	bus_init(&bench_bus, "bench");
	for (i = 0; i < RANGES; i++)
		if (bus_register(&bench_bus, 0x1000 * i, 0x100, nop_io, NULL,
				 "r"))
			return 1;
	t0 = now();
	for (i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, reader, &iters);
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	t1 = now();
	printf("bus_access: %u ranges, %u thread(s): %.1f ns per access "
	       "(wall time / accesses per thread)\n", RANGES, nthreads,
	       (t1 - t0) * 1e9 / (double)iters);
	bus_destroy(&bench_bus);
	return 0;
}
