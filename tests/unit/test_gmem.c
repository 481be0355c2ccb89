/* Unit tests for guest memory translation (src/util/gmem.c): the split
 * around the 32-bit hole, bounds checks at the exact edges of both
 * regions, ranges crossing the hole, length overflow, checked copies and
 * gmem_top, discard and populate.  Uses a small malloc'd buffer (an
 * anonymous mapping for discard) with a scaled-down hole. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/gmem.h"

#define GiB (1ULL << 30)

/* Fake machine: RAM 0x18000 bytes, hole [0x10000, 0x20000). */
#define HOLE		0x10000ULL
#define HIGH		0x20000ULL
#define RAM		0x18000ULL
#define HIGH_SIZE	(RAM - HOLE)

/* The regions KVM's slots and vhost's table are built from. */
static void test_regions(void **state)
{
	uint8_t *host = (uint8_t *)(uintptr_t)0x100000;
	struct gmem_region r[2];
	struct gmem m;

	(void)state;
	gmem_layout(&m, host, 5 * GiB, 3 * GiB, 4 * GiB);
	assert_int_equal(gmem_regions(&m, r), 2);
	assert_int_equal(r[0].gpa, 0);
	assert_int_equal(r[0].size, 3 * GiB);
	assert_ptr_equal(r[0].host, host);
	assert_int_equal(r[1].gpa, 4 * GiB);
	assert_int_equal(r[1].size, 2 * GiB);
	assert_ptr_equal(r[1].host, host + 3 * GiB);
	/* Exactly up to the hole: no high region. */
	gmem_layout(&m, host, 3 * GiB, 3 * GiB, 4 * GiB);
	assert_int_equal(gmem_regions(&m, r), 1);
	assert_int_equal(r[0].size, 3 * GiB);
}

static void test_layout_sizes(void **state)
{
	struct gmem m;

	(void)state;
	/* 5 GiB with the PC hole: 3 GiB low, 2 GiB from 4 GiB. */
	gmem_layout(&m, NULL, 5 * GiB, 3 * GiB, 4 * GiB);
	assert_int_equal(m.size, 5 * GiB);
	assert_int_equal(m.low_size, 3 * GiB);
	assert_int_equal(m.high_base, 4 * GiB);
	assert_int_equal(gmem_top(&m), 6 * GiB);

	/* Less than the hole: all low, no high region. */
	gmem_layout(&m, NULL, 512ULL << 20, 3 * GiB, 4 * GiB);
	assert_int_equal(m.low_size, 512ULL << 20);
	assert_int_equal(gmem_top(&m), 512ULL << 20);

	/* Exactly up to the hole. */
	gmem_layout(&m, NULL, 3 * GiB, 3 * GiB, 4 * GiB);
	assert_int_equal(m.low_size, 3 * GiB);
	assert_int_equal(gmem_top(&m), 3 * GiB);

	/* One page past it. */
	gmem_layout(&m, NULL, 3 * GiB + 4096, 3 * GiB, 4 * GiB);
	assert_int_equal(m.low_size, 3 * GiB);
	assert_int_equal(gmem_top(&m), 4 * GiB + 4096);
}

static void test_ptr_low_region(void **state)
{
	uint8_t *host = malloc(RAM);
	struct gmem m;

	(void)state;
	assert_non_null(host);
	gmem_layout(&m, host, RAM, HOLE, HIGH);
	assert_int_equal(m.low_size, HOLE);

	assert_ptr_equal(gmem_ptr(&m, 0, 1), host);
	assert_ptr_equal(gmem_ptr(&m, 0, HOLE), host);
	assert_ptr_equal(gmem_ptr(&m, 0x1234, 16), host + 0x1234);
	assert_ptr_equal(gmem_ptr(&m, HOLE - 1, 1), host + HOLE - 1);
	assert_ptr_equal(gmem_ptr(&m, HOLE - 8, 8), host + HOLE - 8);
	/* One byte too many, or starting in the hole. */
	assert_null(gmem_ptr(&m, 0, HOLE + 1));
	assert_null(gmem_ptr(&m, HOLE - 1, 2));
	assert_null(gmem_ptr(&m, HOLE - 8, 9));
	assert_null(gmem_ptr(&m, HOLE, 1));
	assert_null(gmem_ptr(&m, HIGH - 1, 1));
	assert_null(gmem_ptr(&m, (HOLE + HIGH) / 2, 4));
	free(host);
}

static void test_ptr_high_region(void **state)
{
	uint8_t *host = malloc(RAM);
	struct gmem m;

	(void)state;
	assert_non_null(host);
	gmem_layout(&m, host, RAM, HOLE, HIGH);

	/* The high region follows the low one in the host mapping. */
	assert_ptr_equal(gmem_ptr(&m, HIGH, 1), host + HOLE);
	assert_ptr_equal(gmem_ptr(&m, HIGH, HIGH_SIZE), host + HOLE);
	assert_ptr_equal(gmem_ptr(&m, HIGH + 0x100, 4), host + HOLE + 0x100);
	assert_ptr_equal(gmem_ptr(&m, HIGH + HIGH_SIZE - 1, 1), host + RAM - 1);
	assert_null(gmem_ptr(&m, HIGH, HIGH_SIZE + 1));
	assert_null(gmem_ptr(&m, HIGH + HIGH_SIZE - 1, 2));
	assert_null(gmem_ptr(&m, HIGH + HIGH_SIZE, 1));
	assert_null(gmem_ptr(&m, HIGH + HIGH_SIZE + 0x1000, 1));
	/* Ranges that cross the hole, though both ends are RAM. */
	assert_null(gmem_ptr(&m, HIGH - 1, 2));
	assert_null(gmem_ptr(&m, HOLE - 1, HIGH - HOLE + 2));
	assert_null(gmem_ptr(&m, 0, RAM));
	assert_null(gmem_ptr(&m, 0, gmem_top(&m)));
	assert_int_equal(gmem_top(&m), HIGH + HIGH_SIZE);
	free(host);
}

static void test_ptr_no_high_region(void **state)
{
	uint8_t *host = malloc(HOLE);
	struct gmem m;

	(void)state;
	assert_non_null(host);
	/* Exactly as much RAM as fits below the hole. */
	gmem_layout(&m, host, HOLE, HOLE, HIGH);
	assert_int_equal(gmem_top(&m), HOLE);
	assert_ptr_equal(gmem_ptr(&m, HOLE - 1, 1), host + HOLE - 1);
	assert_null(gmem_ptr(&m, HIGH, 1));
	assert_null(gmem_ptr(&m, HOLE, 1));
	free(host);

	/* Less than that. */
	host = malloc(0x3000);
	assert_non_null(host);
	gmem_layout(&m, host, 0x3000, HOLE, HIGH);
	assert_int_equal(m.low_size, 0x3000);
	assert_int_equal(gmem_top(&m), 0x3000);
	assert_ptr_equal(gmem_ptr(&m, 0x2fff, 1), host + 0x2fff);
	assert_null(gmem_ptr(&m, 0x2fff, 2));
	assert_null(gmem_ptr(&m, 0x3000, 1));
	assert_null(gmem_ptr(&m, HIGH, 1));
	free(host);
}

static void test_ptr_overflow(void **state)
{
	uint8_t *host = malloc(RAM);
	struct gmem m;

	(void)state;
	assert_non_null(host);
	gmem_layout(&m, host, RAM, HOLE, HIGH);

	/* gpa + len wrapping past 2^64 back into RAM must not pass. */
	assert_null(gmem_ptr(&m, UINT64_MAX, 1));
	assert_null(gmem_ptr(&m, UINT64_MAX, 2));
	assert_null(gmem_ptr(&m, UINT64_MAX - 0xf, 0x20));
	assert_null(gmem_ptr(&m, UINT64_MAX - HIGH + 1, HIGH + 0x10));
	assert_null(gmem_ptr(&m, 1, UINT64_MAX));
	assert_null(gmem_ptr(&m, 0, UINT64_MAX));
	assert_null(gmem_ptr(&m, HIGH, UINT64_MAX));
	assert_null(gmem_ptr(&m, HIGH + 1, UINT64_MAX));
	assert_null(gmem_ptr(&m, HIGH + HIGH_SIZE - 1, UINT64_MAX));
	assert_null(gmem_ptr(&m, HOLE - 1, UINT64_MAX));
	free(host);
}

static void test_read_write(void **state)
{
	uint8_t *host = calloc(1, RAM);
	uint8_t buf[32], pattern[32];
	struct gmem m;
	unsigned i;

	(void)state;
	assert_non_null(host);
	gmem_layout(&m, host, RAM, HOLE, HIGH);
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 1);

	assert_int_equal(gmem_write(&m, 0x100, pattern, sizeof(pattern)), 0);
	assert_memory_equal(host + 0x100, pattern, sizeof(pattern));
	memset(buf, 0, sizeof(buf));
	assert_int_equal(gmem_read(&m, 0x100, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, pattern, sizeof(pattern));

	assert_int_equal(gmem_write(&m, HIGH + HIGH_SIZE - 32, pattern, 32), 0);
	assert_memory_equal(host + RAM - 32, pattern, 32);
	assert_int_equal(gmem_read(&m, HIGH + HIGH_SIZE - 32, buf, 32), 0);
	assert_memory_equal(buf, pattern, 32);

	/* Failures copy nothing. */
	memset(host, 0, RAM);
	assert_int_equal(gmem_write(&m, HOLE - 16, pattern, 32), -EFAULT);
	assert_int_equal(gmem_write(&m, HIGH + HIGH_SIZE - 16, pattern, 32),
			 -EFAULT);
	assert_int_equal(gmem_write(&m, UINT64_MAX - 15, pattern, 32), -EFAULT);
	for (i = 0; i < RAM; i++)
		if (host[i])
			fail_msg("byte %#x written by a failed gmem_write", i);
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(gmem_read(&m, HIGH - 16, buf, 32), -EFAULT);
	assert_int_equal(gmem_read(&m, HIGH + HIGH_SIZE, buf, 1), -EFAULT);
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xaa);
	free(host);
}

static void test_discard_populate(void **state)
{
	struct gmem m;
	uint8_t *host = mmap(NULL, RAM, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(host != MAP_FAILED);
	gmem_layout(&m, host, RAM, HOLE, HIGH);
	memset(host, 0xab, RAM);
	/* The second low page and the first high page are zero again. */
	assert_int_equal(gmem_discard(&m, 0x1000, 0x1000), 0);
	assert_int_equal(gmem_discard(&m, HIGH, 0x1000), 0);
	assert_int_equal(host[0xfff], 0xab);
	assert_int_equal(host[0x1000], 0);
	assert_int_equal(host[0x1fff], 0);
	assert_int_equal(host[0x2000], 0xab);
	assert_int_equal(host[HOLE - 1], 0xab);
	assert_int_equal(host[HOLE], 0);
	assert_int_equal(host[HOLE + 0x1000], 0xab);
	/* Populating keeps what is there. */
	gmem_populate(&m, 0, 0x3000);
	assert_int_equal(host[0], 0xab);
	assert_int_equal(host[0x1000], 0);
	/* Misaligned, empty, in the hole or across it: refused. */
	assert_int_equal(gmem_discard(&m, 0x800, 0x1000), -EINVAL);
	assert_int_equal(gmem_discard(&m, 0x2000, 0x800), -EINVAL);
	assert_int_equal(gmem_discard(&m, 0x2000, 0), -EINVAL);
	assert_int_equal(gmem_discard(&m, HOLE, 0x1000), -EINVAL);
	assert_int_equal(gmem_discard(&m, HOLE - 0x1000, 0x2000), -EINVAL);
	assert_int_equal(host[0x800], 0xab);
	assert_int_equal(host[HOLE - 0x1000], 0xab);
	munmap(host, RAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_sizes),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_ptr_low_region),
		cmocka_unit_test(test_ptr_high_region),
		cmocka_unit_test(test_ptr_no_high_region),
		cmocka_unit_test(test_ptr_overflow),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_discard_populate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
