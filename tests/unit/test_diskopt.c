/* Unit tests for the `--disk` option parser (src/block/opts.c): defaults,
 * every key, escaped commas, and a one-line error naming the bad key or
 * value for each kind of mistake. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "block/opts.h"

static char err[256];

static int parse(const char *s, struct blk_opts *o)
{
	memset(err, 0, sizeof(err));
	return blk_opts_parse(s, o, err, sizeof(err));
}

static void test_defaults(void **state)
{
	struct blk_opts o;

	(void)state;
	assert_int_equal(parse("path=/var/lib/disk.img", &o), 0);
	assert_string_equal(o.path, "/var/lib/disk.img");
	assert_false(o.readonly);
	assert_string_equal(o.serial, "");
	assert_int_equal(o.cache, BLK_CACHE_WRITEBACK);
	assert_int_equal(o.queues, 0);
	assert_int_equal(o.discard, BLK_DISCARD_IGNORE);
}

static void test_every_key(void **state)
{
	struct blk_opts o;

	(void)state;
	assert_int_equal(
	    parse("path=a.img,readonly=on,serial=12345678901234567890,"
		  "cache=none,queues=4,discard=unmap",
		  &o),
	    0);
	assert_string_equal(o.path, "a.img");
	assert_true(o.readonly);
	assert_string_equal(o.serial, "12345678901234567890");
	assert_int_equal(o.cache, BLK_CACHE_NONE);
	assert_int_equal(o.queues, 4);
	assert_int_equal(o.discard, BLK_DISCARD_UNMAP);
	assert_int_equal(
	    parse("cache=unsafe,readonly=off,discard=ignore,path=b", &o), 0);
	assert_int_equal(o.cache, BLK_CACHE_UNSAFE);
	assert_false(o.readonly);
	assert_string_equal(o.path, "b");
	assert_int_equal(parse("path=c,cache=writeback,queues=64", &o), 0);
	assert_int_equal(o.cache, BLK_CACHE_WRITEBACK);
	assert_string_equal(blk_cache_name(o.cache), "writeback");
	assert_int_equal(o.queues, 64);
}

static void test_escaped_comma(void **state)
{
	struct blk_opts o;

	(void)state;
	assert_int_equal(parse("path=a,,b.img,serial=x,,y", &o), 0);
	assert_string_equal(o.path, "a,b.img");
	assert_string_equal(o.serial, "x,y");
}

static void bad(const char *s, const char *needle)
{
	struct blk_opts o;

	if (parse(s, &o) != -EINVAL)
		fail_msg("'%s' was accepted", s);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' lacks '%s'", s, err, needle);
	assert_null(strchr(err, '\n'));
}

static void test_errors(void **state)
{
	(void)state;
	bad("", "empty");
	bad("readonly=on", "missing path");
	bad("path=", "path is empty");
	bad("path=a,path=b", "twice");
	bad("path=a,size=1G", "unknown key 'size'");
	bad("path=a,readonly=maybe", "readonly='maybe'");
	bad("path=a,serial=123456789012345678901", "serial=");
	bad("path=a,cache=directsync", "cache='directsync'");
	bad("path=a,queues=0", "queues='0'");
	bad("path=a,queues=65", "queues='65'");
	bad("path=a,queues=-1", "queues='-1'");
	bad("path=a,discard=on", "discard='on'");
	bad("path=a,", "trailing");
	bad("path=a,readonly", "'readonly' is not key=value");
	bad("/tmp/disk.img", "not key=value");
	bad("=x,path=a", "unknown key ''");
	bad("path=a,averyveryverylongkey=1", "unknown key");
	bad("pa\nh=a", "unknown key 'pa?h'"); /* one line, always */
	bad("path=a,cache=no\tne", "cache='no?ne'");
}

static void test_long_path(void **state)
{
	static char s[PATH_MAX + 16];
	struct blk_opts o;

	(void)state;
	strcpy(s, "path=");
	memset(s + 5, 'x', PATH_MAX - 1);
	s[5 + PATH_MAX - 1] = '\0';
	assert_int_equal(parse(s, &o), 0);
	assert_int_equal(strlen(o.path), PATH_MAX - 1);
	strcat(s, "y");
	bad(s, "too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_every_key),
	    cmocka_unit_test(test_escaped_comma),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_long_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
