/* Unit tests for the strict number parsers (src/util/parse.c): sizes with
 * K/M/G/T suffixes, rejected spellings, overflow in the digits and in the
 * suffix shift, and parse_uint's bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "util/parse.h"

static void check_size(const char *s, uint64_t expect)
{
	uint64_t v = 0xdeadbeef;
	int ret = parse_size(s, &v);

	if (ret != 0 || v != expect)
		fail_msg("parse_size(\"%s\") = %d, %#llx; expected 0, %#llx",
			 s, ret, (unsigned long long)v,
			 (unsigned long long)expect);
}

static void check_size_err(const char *s, int err)
{
	uint64_t v = 0xdeadbeef;
	int ret = parse_size(s, &v);

	if (ret != err)
		fail_msg("parse_size(\"%s\") = %d (value %#llx); expected %d",
			 s ? s : "(null)", ret, (unsigned long long)v, err);
	/* Nothing is stored on failure. */
	assert_int_equal(v, 0xdeadbeef);
}

static void test_size_valid(void **state)
{
	(void)state;
	check_size("0", 0);
	check_size("4096", 4096);
	check_size("1", 1);
	check_size("007", 7);
	check_size("1k", 1024);
	check_size("1K", 1024);
	check_size("64KiB", 64 << 10);
	check_size("64kib", 64 << 10);
	check_size("64KB", 64 << 10);
	check_size("512M", 512ULL << 20);
	check_size("512MiB", 512ULL << 20);
	check_size("512m", 512ULL << 20);
	check_size("2G", 2ULL << 30);
	check_size("2g", 2ULL << 30);
	check_size("1T", 1ULL << 40);
	check_size("1tib", 1ULL << 40);
	check_size("100B", 100);
	check_size("100b", 100);
	check_size("0G", 0);
	check_size("18446744073709551615", UINT64_MAX);
	/* The largest value each shift allows. */
	check_size("17179869183G", 17179869183ULL << 30);
	check_size("16777215T", 16777215ULL << 40);
}

static void test_size_invalid(void **state)
{
	(void)state;
	check_size_err("", -EINVAL);
	check_size_err("M", -EINVAL);
	check_size_err("G1", -EINVAL);
	check_size_err("-1", -EINVAL);
	check_size_err("+1", -EINVAL);
	check_size_err("1.5G", -EINVAL);
	check_size_err("12X", -EINVAL);
	check_size_err("1GG", -EINVAL);
	check_size_err("1GiBB", -EINVAL);
	check_size_err("1Gi", -EINVAL);
	check_size_err("1iB", -EINVAL);
	check_size_err("1P", -EINVAL);
	check_size_err(" 1G", -EINVAL);
	check_size_err("1G ", -EINVAL);
	check_size_err("1 G", -EINVAL);
	check_size_err("0x10", -EINVAL);
	check_size_err("1\n", -EINVAL);
	check_size_err(NULL, -EINVAL);
}

static void test_size_overflow(void **state)
{
	(void)state;
	check_size_err("18446744073709551616", -ERANGE);	/* 2^64 */
	check_size_err("99999999999999999999", -ERANGE);
	check_size_err("99999999999999999999G", -ERANGE);
	check_size_err("17179869184G", -ERANGE);	/* 2^34 G = 2^64 */
	check_size_err("16777216T", -ERANGE);		/* 2^24 T = 2^64 */
	check_size_err("18014398509481984K", -ERANGE);	/* 2^54 K */
	check_size_err("18446744073709551615K", -ERANGE);
}

static void test_uint(void **state)
{
	uint64_t v = 77;

	(void)state;
	assert_int_equal(parse_uint("1", 1, 255, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_uint("255", 1, 255, &v), 0);
	assert_int_equal(v, 255);
	assert_int_equal(parse_uint("42", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_uint("18446744073709551615", 0, UINT64_MAX,
				    &v), 0);
	assert_int_equal(v, UINT64_MAX);

	v = 77;
	assert_int_equal(parse_uint("0", 1, 255, &v), -ERANGE);
	assert_int_equal(parse_uint("256", 1, 255, &v), -ERANGE);
	assert_int_equal(parse_uint("18446744073709551616", 0, UINT64_MAX,
				    &v), -ERANGE);
	assert_int_equal(parse_uint("", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_uint("x", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_uint("-1", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_uint("+1", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_uint("1k", 0, 10000, &v), -EINVAL);
	assert_int_equal(parse_uint("3 ", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_uint(" 3", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_uint(NULL, 0, 10, &v), -EINVAL);
	assert_int_equal(v, 77);	/* untouched by every failure */

	/* min == max. */
	assert_int_equal(parse_uint("5", 5, 5, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(parse_uint("4", 5, 5, &v), -ERANGE);
	assert_int_equal(parse_uint("6", 5, 5, &v), -ERANGE);
}

static void test_mac(void **state)
{
	static const uint8_t want[6] = { 0x52, 0x54, 0, 0xab, 0xcd, 0xef };
	uint8_t m[6];

	(void)state;
	assert_int_equal(parse_mac("52:54:00:AB:cd:ef", m), 0);
	assert_memory_equal(m, want, 6);
	assert_int_equal(parse_mac("52:54:00:ab:cd", m), -EINVAL);
	assert_int_equal(parse_mac("52:54:00:ab:cd:ef:", m), -EINVAL);
	assert_int_equal(parse_mac("52-54-00-ab-cd-ef", m), -EINVAL);
	assert_int_equal(parse_mac("52:54:00:ab:cd:eg", m), -EINVAL);
	assert_int_equal(parse_mac(" 2:54:00:ab:cd:ef", m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_valid),
		cmocka_unit_test(test_size_invalid),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
