/* Unit tests for the address-range bus (src/util/bus.c): registration
 * validation (empty, overflowing and overlapping ranges), ordering and
 * lookup, and access dispatch (offsets, values, all-ones reads, errors,
 * statistics), removal, and lookups racing with registration and
 * removal in other threads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "util/bus.h"

/* What the fake device saw on its last access. */
struct fake_dev {
	unsigned calls;
	uint64_t offset;
	unsigned size;
	uint64_t value_in;	/* *value on entry */
	bool is_write;
	uint64_t read_value;	/* stored on reads when set_value */
	bool set_value;
	int ret;
};

static int fake_io(void *opaque, uint64_t offset, unsigned size,
		   uint64_t *value, bool is_write)
{
	struct fake_dev *d = opaque;

	d->calls++;
	d->offset = offset;
	d->size = size;
	d->value_in = *value;
	d->is_write = is_write;
	if (!is_write && d->set_value)
		*value = d->read_value;
	return d->ret;
}

static int dummy_io(void *opaque, uint64_t offset, unsigned size,
		    uint64_t *value, bool is_write)
{
	(void)opaque;
	(void)offset;
	(void)size;
	(void)value;
	(void)is_write;
	return 0;
}

static int reg(struct bus *b, uint64_t base, uint64_t len)
{
	return bus_register(b, base, len, dummy_io, NULL, "dev");
}

static void test_register_rejects_empty_and_overflow(void **state)
{
	struct bus b;

	(void)state;
	bus_init(&b, "test");
	assert_int_equal(reg(&b, 0x100, 0), -EINVAL);
	assert_int_equal(reg(&b, 0, 0), -EINVAL);
	assert_int_equal(reg(&b, UINT64_MAX, 2), -EINVAL);
	assert_int_equal(reg(&b, UINT64_MAX - 9, 11), -EINVAL);
	assert_int_equal(reg(&b, 2, UINT64_MAX), -EINVAL);
	assert_int_equal(bus_count(&b), 0);
	assert_int_equal(bus_register(&b, 0, 1, NULL, NULL, "nofn"), -EINVAL);

	/* Ranges that end exactly at the top of the address space are fine. */
	assert_int_equal(reg(&b, UINT64_MAX, 1), 0);
	assert_int_equal(reg(&b, UINT64_MAX - 9, 10), -EEXIST);
	assert_int_equal(reg(&b, UINT64_MAX - 9, 9), 0);
	assert_int_equal(reg(&b, 0, UINT64_MAX - 9), 0);
	assert_int_equal(bus_count(&b), 3);
	assert_non_null(bus_find(&b, UINT64_MAX));
	assert_int_equal(bus_find(&b, UINT64_MAX)->base, UINT64_MAX);
	assert_int_equal(bus_find(&b, UINT64_MAX - 1)->base, UINT64_MAX - 9);
	assert_int_equal(bus_find(&b, 0)->base, 0);
	assert_int_equal(bus_find(&b, UINT64_MAX - 10)->base, 0);
	bus_destroy(&b);
	assert_null(b.snap);
}

static void test_register_whole_space(void **state)
{
	struct bus b;

	(void)state;
	bus_init(&b, "test");
	/* len UINT64_MAX from 0 covers all but the last byte. */
	assert_int_equal(reg(&b, 0, UINT64_MAX), 0);
	assert_non_null(bus_find(&b, UINT64_MAX - 1));
	assert_null(bus_find(&b, UINT64_MAX));
	assert_int_equal(reg(&b, UINT64_MAX, 1), 0);
	assert_int_equal(reg(&b, 5, 1), -EEXIST);
	bus_destroy(&b);
}

static void test_register_overlaps(void **state)
{
	struct bus b;

	(void)state;
	bus_init(&b, "test");
	assert_int_equal(reg(&b, 0x100, 0x10), 0);	/* [0x100, 0x110) */

	assert_int_equal(reg(&b, 0x100, 0x10), -EEXIST);	/* exact */
	assert_int_equal(reg(&b, 0xf8, 0x10), -EEXIST);	/* left part */
	assert_int_equal(reg(&b, 0x10f, 0x10), -EEXIST);	/* right part */
	assert_int_equal(reg(&b, 0xff, 2), -EEXIST);	/* first byte */
	assert_int_equal(reg(&b, 0x10f, 1), -EEXIST);	/* last byte */
	assert_int_equal(reg(&b, 0x80, 0x100), -EEXIST);	/* containing */
	assert_int_equal(reg(&b, 0x104, 4), -EEXIST);	/* contained */
	assert_int_equal(reg(&b, 0x100, 1), -EEXIST);	/* same base */
	assert_int_equal(bus_count(&b), 1);

	/* Adjacent on both sides is fine. */
	assert_int_equal(reg(&b, 0xf0, 0x10), 0);
	assert_int_equal(reg(&b, 0x110, 0x10), 0);
	assert_int_equal(bus_count(&b), 3);
	/* A gap filled exactly between two ranges. */
	assert_int_equal(reg(&b, 0x200, 0x10), 0);
	assert_int_equal(reg(&b, 0x120, 0xe1), -EEXIST);
	assert_int_equal(reg(&b, 0x11f, 0xe1), -EEXIST);
	assert_int_equal(reg(&b, 0x120, 0xe0), 0);
	/* Spanning several registered ranges. */
	assert_int_equal(reg(&b, 0, 0x1000), -EEXIST);
	assert_int_equal(bus_count(&b), 5);

	assert_null(bus_find(&b, 0xef));
	assert_int_equal(bus_find(&b, 0xf0)->base, 0xf0);
	assert_int_equal(bus_find(&b, 0xff)->base, 0xf0);
	assert_int_equal(bus_find(&b, 0x100)->base, 0x100);
	assert_int_equal(bus_find(&b, 0x10f)->base, 0x100);
	assert_int_equal(bus_find(&b, 0x110)->base, 0x110);
	assert_int_equal(bus_find(&b, 0x1ff)->base, 0x120);
	assert_int_equal(bus_find(&b, 0x20f)->base, 0x200);
	assert_null(bus_find(&b, 0x210));
	bus_destroy(&b);
}

/* Small deterministic PRNG so failures reproduce. */
static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_many_ranges_random_order(void **state)
{
	enum { N = 1000 };
	static unsigned order[N];
	uint32_t seed = 12345;
	struct bus b;
	unsigned i;

	(void)state;
	/* Range i is [i * 0x100, i * 0x100 + 0x80); shuffle the order. */
	for (i = 0; i < N; i++)
		order[i] = i;
	for (i = N - 1; i > 0; i--) {
		unsigned j = rng_next(&seed) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	bus_init(&b, "test");
	for (i = 0; i < N; i++) {
		uint64_t base = order[i] * 0x100ULL;

		assert_int_equal(bus_register(&b, base, 0x80, dummy_io,
					      &order[i], "r"), 0);
		/* An overlapping duplicate is refused at every step. */
		assert_int_equal(reg(&b, base + 0x7f, 0x10), -EEXIST);
	}
	assert_int_equal(bus_count(&b), N);
	for (i = 0; i < N; i++) {
		const struct bus_range *r;

		assert_int_equal(b.snap->ranges[i]->base, i * 0x100ULL);
		r = bus_find(&b, i * 0x100ULL + 0x7f);
		assert_non_null(r);
		assert_int_equal(r->base, i * 0x100ULL);
		assert_int_equal(*(unsigned *)r->opaque, i);
		assert_null(bus_find(&b, i * 0x100ULL + 0x80));
		assert_null(bus_find(&b, i * 0x100ULL + 0xff));
	}
	/* The gaps still accept registrations. */
	assert_int_equal(reg(&b, 0x80, 0x80), 0);
	assert_int_equal(bus_count(&b), N + 1);
	bus_destroy(&b);
}

static void test_access_dispatch(void **state)
{
	struct fake_dev d = { 0 };
	uint8_t buf[8];
	uint64_t v;
	uint32_t v32;
	struct bus b;

	(void)state;
	bus_init(&b, "test");
	assert_int_equal(bus_register(&b, 0x3f8, 8, fake_io, &d, "uart"), 0);

	/* Write: offset relative to base, value zero-extended. */
	v32 = 0xdeadbeef;
	assert_int_equal(bus_access(&b, 0x3fc, &v32, 4, true), 0);
	assert_int_equal(d.calls, 1);
	assert_true(d.is_write);
	assert_int_equal(d.offset, 4);
	assert_int_equal(d.size, 4);
	assert_int_equal(d.value_in, 0xdeadbeefULL);

	buf[0] = 0x5a;
	memset(buf + 1, 0xcc, 7);	/* bytes past size must not leak in */
	assert_int_equal(bus_access(&b, 0x3f8, buf, 1, true), 0);
	assert_int_equal(d.offset, 0);
	assert_int_equal(d.value_in, 0x5a);

	/* Read: the handler sees all ones, and its value is returned. */
	d.set_value = true;
	d.read_value = 0x1122334455667788ULL;
	v = 0;
	assert_int_equal(bus_access(&b, 0x3f8, &v, 8, false), 0);
	assert_false(d.is_write);
	assert_int_equal(d.value_in, UINT64_MAX);
	assert_int_equal(d.size, 8);
	assert_int_equal(v, 0x1122334455667788ULL);

	/* Only `size` bytes of the result are stored. */
	memset(buf, 0xcc, sizeof(buf));
	assert_int_equal(bus_access(&b, 0x3fe, buf, 2, false), 0);
	assert_int_equal(d.offset, 6);
	assert_int_equal(buf[0], 0x88);
	assert_int_equal(buf[1], 0x77);
	assert_int_equal(buf[2], 0xcc);

	/* A handler that stores nothing returns the pre-filled all ones. */
	d.set_value = false;
	v32 = 0;
	assert_int_equal(bus_access(&b, 0x3f9, &v32, 4, false), 0);
	assert_int_equal(v32, 0xffffffffu);

	/* The device's error comes back. */
	d.ret = -EIO;
	assert_int_equal(bus_access(&b, 0x3f8, &v32, 1, true), -EIO);

	assert_int_equal(bus_find(&b, 0x3f8)->hits, 6);
	assert_int_equal(b.unclaimed, 0);
	bus_destroy(&b);
}

static void test_access_unclaimed(void **state)
{
	struct fake_dev d = { 0 };
	uint64_t v;
	uint16_t v16;
	uint8_t buf[8];
	struct bus b;

	(void)state;
	bus_init(&b, "test");
	assert_int_equal(bus_register(&b, 0x1000, 0x100, fake_io, &d, "dev"),
			 0);

	v = 0;
	assert_int_equal(bus_access(&b, 0xfff, &v, 8, false), -ENOENT);
	assert_int_equal(v, UINT64_MAX);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(bus_access(&b, 0x1100, buf, 2, false), -ENOENT);
	assert_int_equal(buf[0], 0xff);
	assert_int_equal(buf[1], 0xff);
	assert_int_equal(buf[2], 0);	/* only `size` bytes written */
	v16 = 0x1234;
	assert_int_equal(bus_access(&b, 0, &v16, 2, true), -ENOENT);
	assert_int_equal(v16, 0x1234);	/* a write's data is left alone */
	assert_int_equal(b.unclaimed, 3);
	assert_int_equal(d.calls, 0);
	assert_int_equal(bus_find(&b, 0x1000)->hits, 0);

	/* An empty bus claims nothing. */
	bus_destroy(&b);
	bus_init(&b, "empty");
	v = 0;
	assert_int_equal(bus_access(&b, 0, &v, 4, false), -ENOENT);
	assert_int_equal(v, 0xffffffffULL);
	assert_int_equal(b.unclaimed, 1);
	bus_destroy(&b);
}

static void test_access_straddle_and_bad_size(void **state)
{
	struct fake_dev d = { 0 };
	uint64_t v;
	struct bus b;

	(void)state;
	bus_init(&b, "test");
	assert_int_equal(bus_register(&b, 0x60, 1, fake_io, &d, "kbd"), 0);
	assert_int_equal(bus_register(&b, 0x61, 1, fake_io, &d, "kbd2"), 0);
	assert_int_equal(bus_register(&b, 0x100, 8, fake_io, &d, "dev"), 0);

	/* Straddling the end of a range, even into an adjacent one. */
	v = 0;
	assert_int_equal(bus_access(&b, 0x60, &v, 2, false), -EINVAL);
	assert_int_equal(v & 0xffff, 0xffff);
	assert_int_equal(bus_access(&b, 0x105, &v, 4, true), -EINVAL);
	assert_int_equal(bus_access(&b, 0x107, &v, 2, false), -EINVAL);
	assert_int_equal(d.calls, 0);
	/* Exactly at the end is fine. */
	assert_int_equal(bus_access(&b, 0x104, &v, 4, false), 0);
	assert_int_equal(bus_access(&b, 0x107, &v, 1, false), 0);
	assert_int_equal(d.offset, 7);
	assert_int_equal(d.calls, 2);

	/* Sizes other than 1, 2, 4, 8; an odd-sized read (KVM splits
	 * page-crossing MMIO that way) returns all ones, not stale bytes. */
	v = 0x1122334455667788ULL;
	assert_int_equal(bus_access(&b, 0x100, &v, 3, false), -EINVAL);
	assert_int_equal(v, 0x1122334455ffffffULL);
	v = 0;
	assert_int_equal(bus_access(&b, 0x100, &v, 7, false), -EINVAL);
	assert_int_equal(v, 0x00ffffffffffffffULL);
	assert_int_equal(bus_access(&b, 0x100, &v, 0, false), -EINVAL);
	assert_int_equal(bus_access(&b, 0x100, &v, 16, true), -EINVAL);
	assert_int_equal(bus_access(&b, 0x100, &v, 6, true), -EINVAL);
	assert_int_equal(d.calls, 2);
	assert_int_equal(b.unclaimed, 0);
	bus_destroy(&b);
}

static void test_hits_per_range(void **state)
{
	struct fake_dev d1 = { 0 }, d2 = { 0 };
	uint8_t v = 0;
	struct bus b;
	int i;

	(void)state;
	bus_init(&b, "test");
	assert_int_equal(bus_register(&b, 0x20, 2, fake_io, &d1, "a"), 0);
	assert_int_equal(bus_register(&b, 0x10, 2, fake_io, &d2, "b"), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(bus_access(&b, 0x21, &v, 1, i & 1), 0);
	assert_int_equal(bus_access(&b, 0x10, &v, 1, false), 0);
	assert_int_equal(bus_find(&b, 0x20)->hits, 5);
	assert_int_equal(bus_find(&b, 0x11)->hits, 1);
	assert_int_equal(d1.calls, 5);
	assert_int_equal(d1.offset, 1);
	assert_int_equal(d2.calls, 1);
	bus_destroy(&b);
}

static void test_unregister(void **state)
{
	struct fake_dev d1 = { 0 }, d2 = { 0 };
	uint32_t v = 0;
	struct bus b;

	(void)state;
	bus_init(&b, "test");
	assert_int_equal(bus_register(&b, 0x1000, 0x100, fake_io, &d1, "a"), 0);
	assert_int_equal(bus_register(&b, 0x2000, 0x100, fake_io, &d2, "b"), 0);
	/* Only an exact base and the owner's opaque remove a range. */
	assert_int_equal(bus_unregister(&b, 0x1001, &d1), -ENOENT);
	assert_int_equal(bus_unregister(&b, 0x1000, &d2), -ENOENT);
	assert_int_equal(bus_unregister(&b, 0x500, &d1), -ENOENT);
	assert_int_equal(bus_count(&b), 2);
	assert_int_equal(bus_unregister(&b, 0x1000, &d1), 0);
	assert_int_equal(bus_count(&b), 1);
	assert_int_equal(bus_access(&b, 0x1000, &v, 4, false), -ENOENT);
	assert_int_equal(bus_access(&b, 0x2000, &v, 4, false), 0);
	assert_int_equal(d1.calls, 0);
	assert_int_equal(d2.calls, 1);
	assert_int_equal(bus_unregister(&b, 0x1000, &d1), -ENOENT);
	/* The freed space takes a new range, overlapping the old one. */
	assert_int_equal(bus_register(&b, 0x1080, 0x100, fake_io, &d1, "a2"), 0);
	assert_int_equal(bus_access(&b, 0x1100, &v, 4, true), 0);
	assert_int_equal(d1.offset, 0x80);
	assert_int_equal(bus_unregister(&b, 0x2000, &d2), 0);
	assert_int_equal(bus_unregister(&b, 0x1080, &d1), 0);
	assert_int_equal(bus_count(&b), 0);
	assert_int_equal(bus_access(&b, 0x1100, &v, 4, false), -ENOENT);
	/* Nothing is retired once no reader is inside. */
	assert_null(b.retired);
	bus_destroy(&b);
}

/* A handler that moves its own range, as a guest reprogramming a BAR
 * through that BAR would: the bus must not wait for itself. */
struct mover {
	struct bus *bus;
	uint64_t base;
	unsigned calls;
};

static int mover_io(void *opaque, uint64_t offset, unsigned size,
		    uint64_t *value, bool is_write)
{
	struct mover *m = opaque;

	(void)offset;
	(void)size;
	m->calls++;
	if (!is_write)
		return 0;
	assert_int_equal(bus_unregister(m->bus, m->base, m), 0);
	m->base = *value;
	return bus_register(m->bus, m->base, 0x10, mover_io, m, "mover");
}

static void test_handler_moves_itself(void **state)
{
	struct mover m;
	uint64_t v = 0x5000;
	struct bus b;

	(void)state;
	bus_init(&b, "test");
	m = (struct mover){ &b, 0x4000, 0 };
	assert_int_equal(bus_register(&b, 0x4000, 0x10, mover_io, &m, "mover"),
			 0);
	assert_int_equal(bus_access(&b, 0x4000, &v, 8, true), 0);
	assert_int_equal(bus_access(&b, 0x4000, &v, 8, false), -ENOENT);
	assert_int_equal(bus_access(&b, 0x5008, &v, 8, false), 0);
	assert_int_equal(m.calls, 2);
	/* The last reader out freed what the handler retired. */
	assert_null(b.retired);
	bus_destroy(&b);
}

/* Readers in threads hammer a bus while the main thread maps and
 * unmaps ranges: every access must reach the right device or nothing
 * (ASan catches a use of a freed snapshot). */
enum { RACE_SLOTS = 8, RACE_ROUNDS = 3000 };

struct race_dev {
	uint64_t base;		/* fixed: slot i at i * 0x100 + 0x40 */
	bool mapped;
	unsigned long calls;
};

static struct bus race_bus;
static struct race_dev race_devs[RACE_SLOTS];
static int race_stop;
static unsigned long race_wrong, race_accesses;

static int race_io(void *opaque, uint64_t offset, unsigned size,
		   uint64_t *value, bool is_write)
{
	struct race_dev *d = opaque;

	(void)size;
	(void)is_write;
	__atomic_fetch_add(&d->calls, 1, __ATOMIC_RELAXED);
	*value = d->base + offset;
	return 0;
}

static void *race_reader(void *arg)
{
	uint32_t seed = (uint32_t)(uintptr_t)arg, addr;
	uint64_t v;

	while (!__atomic_load_n(&race_stop, __ATOMIC_RELAXED)) {
		seed = rng_next(&seed);
		addr = (seed % (RACE_SLOTS * 0x100)) & ~7u;
		v = 0;
		if (bus_access(&race_bus, addr, &v, 8, false) == 0 && v != addr)
			__atomic_fetch_add(&race_wrong, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&race_accesses, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_concurrent_map_unmap(void **state)
{
	pthread_t t[3];
	unsigned long total = 0;
	unsigned i, round;

	(void)state;
	bus_init(&race_bus, "race");
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race_reader,
						(void *)(uintptr_t)(i + 1)), 0);
	/* On a loaded machine the readers may start late: keep changing the
	 * bus until they have made plenty of accesses. */
	for (round = 0; round < RACE_ROUNDS ||
	     __atomic_load_n(&race_accesses, __ATOMIC_RELAXED) < 100000;
	     round++) {
		if (round % 61 == 0)	/* not a multiple of the cycle */
			sched_yield();
		i = round % RACE_SLOTS;
		race_devs[i].base = i * 0x100 + 0x40;
		if (race_devs[i].mapped)
			assert_int_equal(bus_unregister(&race_bus,
					 race_devs[i].base, &race_devs[i]), 0);
		else
			assert_int_equal(bus_register(&race_bus,
					 race_devs[i].base, 0x80, race_io,
					 &race_devs[i], "race"), 0);
		race_devs[i].mapped = !race_devs[i].mapped;
	}
	__atomic_store_n(&race_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < RACE_SLOTS; i++)
		total += race_devs[i].calls;
	assert_int_equal(race_wrong, 0);
	assert_true(total > 0);
	bus_destroy(&race_bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_rejects_empty_and_overflow),
		cmocka_unit_test(test_register_whole_space),
		cmocka_unit_test(test_register_overlaps),
		cmocka_unit_test(test_many_ranges_random_order),
		cmocka_unit_test(test_access_dispatch),
		cmocka_unit_test(test_access_unclaimed),
		cmocka_unit_test(test_access_straddle_and_bad_size),
		cmocka_unit_test(test_hits_per_range),
		cmocka_unit_test(test_unregister),
		cmocka_unit_test(test_handler_moves_itself),
		cmocka_unit_test(test_concurrent_map_unmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
