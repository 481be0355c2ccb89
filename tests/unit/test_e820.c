/* Unit tests for the e820 map (src/x86/e820.c): sorted insertion,
 * rejection of empty, overflowing and overlapping ranges, a full table,
 * and the PC map e820_build derives from the guest memory layout. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "x86/e820.h"
#include "x86/layout.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static void check_entry(const struct e820_table *t, unsigned i, uint64_t addr,
			uint64_t size, uint32_t type)
{
	assert_true(i < t->nr);
	if (t->e[i].addr != addr || t->e[i].size != size ||
	    t->e[i].type != type)
		fail_msg("entry %u: %#llx+%#llx type %u; expected %#llx+%#llx "
			 "type %u", i, (unsigned long long)t->e[i].addr,
			 (unsigned long long)t->e[i].size, t->e[i].type,
			 (unsigned long long)addr, (unsigned long long)size,
			 type);
}

static void test_add_sorted(void **state)
{
	struct e820_table t;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(e820_add(&t, 0x5000, 0x1000, E820_RAM), 0);
	assert_int_equal(e820_add(&t, 0x1000, 0x1000, E820_RESERVED), 0);
	assert_int_equal(e820_add(&t, 0x9000, 0x1000, E820_ACPI), 0);
	/* Adjacent to the one above, then exactly filling a gap. */
	assert_int_equal(e820_add(&t, 0x3000, 0x2000, E820_RAM), 0);
	assert_int_equal(e820_add(&t, 0x6000, 0x3000, E820_RAM), 0);
	assert_int_equal(e820_add(&t, 0, 0x1000, E820_RAM), 0);
	assert_int_equal(t.nr, 6);
	check_entry(&t, 0, 0, 0x1000, E820_RAM);
	check_entry(&t, 1, 0x1000, 0x1000, E820_RESERVED);
	check_entry(&t, 2, 0x3000, 0x2000, E820_RAM);
	check_entry(&t, 3, 0x5000, 0x1000, E820_RAM);
	check_entry(&t, 4, 0x6000, 0x3000, E820_RAM);
	check_entry(&t, 5, 0x9000, 0x1000, E820_ACPI);
}

static void test_add_rejects(void **state)
{
	struct e820_table t, before;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(e820_add(&t, 0x10000, 0x10000, E820_RAM), 0);
	assert_int_equal(e820_add(&t, 0x40000, 0x10000, E820_RAM), 0);
	before = t;

	assert_int_equal(e820_add(&t, 0x1000, 0, E820_RAM), -EINVAL);
	assert_int_equal(e820_add(&t, UINT64_MAX, 2, E820_RAM), -EINVAL);
	assert_int_equal(e820_add(&t, 1ULL << 63, 1ULL << 63, E820_RAM),
			 -EINVAL);
	/* Overlaps: exact, either edge, containing, contained, spanning. */
	assert_int_equal(e820_add(&t, 0x10000, 0x10000, E820_RAM), -EINVAL);
	assert_int_equal(e820_add(&t, 0xf000, 0x2000, E820_RAM), -EINVAL);
	assert_int_equal(e820_add(&t, 0x1ffff, 0x10, E820_RAM), -EINVAL);
	assert_int_equal(e820_add(&t, 0x8000, 0x20000, E820_RAM), -EINVAL);
	assert_int_equal(e820_add(&t, 0x11000, 0x1000, E820_RAM), -EINVAL);
	assert_int_equal(e820_add(&t, 0x18000, 0x30000, E820_RAM), -EINVAL);
	assert_int_equal(e820_add(&t, 0x4ffff, 1, E820_RAM), -EINVAL);
	assert_int_equal(e820_add(&t, 0, 0x100000, E820_RAM), -EINVAL);
	/* The table is unchanged by every failure. */
	assert_memory_equal(&t, &before, sizeof(t));

	/* Touching both neighbours is fine. */
	assert_int_equal(e820_add(&t, 0x20000, 0x20000, E820_RESERVED), 0);
	assert_int_equal(t.nr, 3);
	check_entry(&t, 1, 0x20000, 0x20000, E820_RESERVED);
	/* A range ending just below 2^64. */
	assert_int_equal(e820_add(&t, UINT64_MAX - 0xfff, 0xfff, E820_RAM), 0);
	check_entry(&t, 3, UINT64_MAX - 0xfff, 0xfff, E820_RAM);
}

static void test_add_full(void **state)
{
	const unsigned N = E820_MAX_ENTRIES_ZEROPAGE;
	struct e820_table t;
	unsigned i;

	(void)state;
	memset(&t, 0, sizeof(t));
	/* Fill in descending order: every insertion shifts the table. */
	for (i = 0; i < E820_MAX_ENTRIES_ZEROPAGE; i++)
		assert_int_equal(e820_add(&t, (uint64_t)(200 - i) * 0x1000,
					  0x1000, E820_RAM), 0);
	assert_int_equal(t.nr, E820_MAX_ENTRIES_ZEROPAGE);
	assert_int_equal(e820_add(&t, 0x1000000, 0x1000, E820_RAM), -ENOSPC);
	assert_int_equal(e820_add(&t, 0, 0x1000, E820_RAM), -ENOSPC);
	assert_int_equal(t.nr, E820_MAX_ENTRIES_ZEROPAGE);
	for (i = 0; i < E820_MAX_ENTRIES_ZEROPAGE; i++)
		check_entry(&t, i, (200 + 1 + i - N) * 0x1000ULL, 0x1000,
			    E820_RAM);
}

static void check_pc_low(const struct e820_table *t, uint64_t low_size)
{
	check_entry(t, 0, 0, X86_EBDA_START, E820_RAM);
	check_entry(t, 1, X86_EBDA_START, X86_LOWMEM_END - X86_EBDA_START,
		    E820_RESERVED);
	check_entry(t, 2, X86_ACPI_BASE, X86_HIGH_BIOS_END - X86_ACPI_BASE,
		    E820_RESERVED);
	check_entry(t, 3, X86_HIGH_BIOS_END, low_size - X86_HIGH_BIOS_END,
		    E820_RAM);
}

static void test_build_low_only(void **state)
{
	struct e820_table t;
	struct gmem m;

	(void)state;
	/* e820_build reads only the sizes: no host memory needed. */
	gmem_layout(&m, NULL, 512 * MiB, X86_MMIO_HOLE_START,
		    X86_HIGH_MEM_START);
	memset(&t, 0xee, sizeof(t));
	assert_int_equal(e820_build(&t, &m), 0);
	assert_int_equal(t.nr, 4);
	check_pc_low(&t, 512 * MiB);
	/* The ACPI tables' area is inside a reserved range. */
	assert_true(X86_ACPI_BASE + X86_ACPI_SIZE <= X86_HIGH_BIOS_END);

	gmem_layout(&m, NULL, 3 * GiB, X86_MMIO_HOLE_START,
		    X86_HIGH_MEM_START);
	assert_int_equal(e820_build(&t, &m), 0);
	assert_int_equal(t.nr, 4);
	check_pc_low(&t, 3 * GiB);

	/* Smallest that works: one page above 1 MiB. */
	gmem_layout(&m, NULL, MiB + 4096, X86_MMIO_HOLE_START,
		    X86_HIGH_MEM_START);
	assert_int_equal(e820_build(&t, &m), 0);
	check_pc_low(&t, MiB + 4096);
}

static void test_build_high(void **state)
{
	struct e820_table t;
	struct gmem m;

	(void)state;
	gmem_layout(&m, NULL, 5 * GiB, X86_MMIO_HOLE_START,
		    X86_HIGH_MEM_START);
	assert_int_equal(e820_build(&t, &m), 0);
	assert_int_equal(t.nr, 5);
	check_pc_low(&t, 3 * GiB);
	check_entry(&t, 4, 4 * GiB, 2 * GiB, E820_RAM);
	/* Nothing is mapped in the hole. */
	assert_true(t.e[3].addr + t.e[3].size <= X86_MMIO_HOLE_START);

	gmem_layout(&m, NULL, 3 * GiB + 4096, X86_MMIO_HOLE_START,
		    X86_HIGH_MEM_START);
	assert_int_equal(e820_build(&t, &m), 0);
	assert_int_equal(t.nr, 5);
	check_entry(&t, 4, 4 * GiB, 4096, E820_RAM);
}

static void test_build_too_small(void **state)
{
	struct e820_table t;
	struct gmem m;

	(void)state;
	gmem_layout(&m, NULL, 512 * 1024, X86_MMIO_HOLE_START,
		    X86_HIGH_MEM_START);
	assert_int_equal(e820_build(&t, &m), -EINVAL);
	gmem_layout(&m, NULL, MiB, X86_MMIO_HOLE_START, X86_HIGH_MEM_START);
	assert_int_equal(e820_build(&t, &m), -EINVAL);
	gmem_layout(&m, NULL, 0, X86_MMIO_HOLE_START, X86_HIGH_MEM_START);
	assert_int_equal(e820_build(&t, &m), -EINVAL);
}

static void test_build_resets_table(void **state)
{
	struct e820_table t;
	struct gmem m;

	(void)state;
	gmem_layout(&m, NULL, 5 * GiB, X86_MMIO_HOLE_START,
		    X86_HIGH_MEM_START);
	assert_int_equal(e820_build(&t, &m), 0);
	assert_int_equal(t.nr, 5);
	/* Building again (machine reset) starts from an empty table. */
	gmem_layout(&m, NULL, 64 * MiB, X86_MMIO_HOLE_START,
		    X86_HIGH_MEM_START);
	assert_int_equal(e820_build(&t, &m), 0);
	assert_int_equal(t.nr, 4);
	check_pc_low(&t, 64 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_sorted),
		cmocka_unit_test(test_add_rejects),
		cmocka_unit_test(test_add_full),
		cmocka_unit_test(test_build_low_only),
		cmocka_unit_test(test_build_high),
		cmocka_unit_test(test_build_too_small),
		cmocka_unit_test(test_build_resets_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
