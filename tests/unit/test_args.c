/* Unit tests for vireo-vmm's command line (src/vmm/args.c): defaults,
 * every option, the one-line error messages for bad values, unknown
 * options, missing and unexpected values, stray arguments, a missing
 * --kernel, and parsing more than once in one process. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/args.h"

#define MAX_ARGS 32

static char errbuf[256];

/* Parses a NULL-terminated list of arguments after the program name. */
static int parse_v(struct vmm_args *a, const char *first, va_list ap)
{
	static char *argv[MAX_ARGS + 2];
	const char *s;
	int argc = 0;

	argv[argc++] = (char *)"vireo-vmm";
	for (s = first; s; s = va_arg(ap, const char *)) {
		assert_true(argc <= MAX_ARGS);
		argv[argc++] = (char *)s;
	}
	argv[argc] = NULL;
	memset(errbuf, 0, sizeof(errbuf));
	return args_parse(argc, argv, a, errbuf, sizeof(errbuf));
}

static int parse(struct vmm_args *a, const char *first, ...)
{
	va_list ap;
	int ret;

	va_start(ap, first);
	ret = parse_v(a, first, ap);
	va_end(ap);
	return ret;
}

/* Expects failure with a message containing each of the given strings. */
static void expect_error(const char *want1, const char *want2,
			 const char *first, ...)
{
	struct vmm_args a;
	va_list ap;
	int ret;

	va_start(ap, first);
	ret = parse_v(&a, first, ap);
	va_end(ap);
	if (ret != -EINVAL)
		fail_msg("expected -EINVAL, got %d (message \"%s\")", ret,
			 errbuf);
	if (!errbuf[0] || strchr(errbuf, '\n'))
		fail_msg("error message \"%s\" is not one line", errbuf);
	if (want1 && !strstr(errbuf, want1))
		fail_msg("\"%s\" does not mention \"%s\"", errbuf, want1);
	if (want2 && !strstr(errbuf, want2))
		fail_msg("\"%s\" does not mention \"%s\"", errbuf, want2);
}

static void test_defaults(void **state)
{
	struct vmm_args a;

	(void)state;
	assert_int_equal(parse(&a, "--kernel", "bzImage", NULL), 0);
	assert_string_equal(a.kernel, "bzImage");
	assert_null(a.initrd);
	assert_string_equal(a.cmdline, VMM_DEFAULT_CMDLINE);
	assert_string_equal(a.cmdline, "console=ttyS0");
	assert_null(a.name);
	assert_null(a.monitor);
	assert_int_equal(a.cpus, 1);
	assert_int_equal(a.memory, 512ULL << 20);
	assert_int_equal(a.console, CONSOLE_STDIO);
	assert_null(a.console_path);
	assert_false(a.no_reboot);
	assert_false(a.stats);
	assert_false(a.io_batch);
	assert_false(a.verbose);
	assert_false(a.help);
	assert_false(a.version);
	assert_false(a.check_kvm);
}

static void test_every_option(void **state)
{
	struct vmm_args a;

	(void)state;
	assert_int_equal(parse(&a, "--kernel", "/k", "--initrd", "/i",
			       "--cmdline", "console=ttyS0 quiet",
			       "--cpus", "4",
			       "--memory", "2G", "--console", "pty",
			       "--no-reboot", "--name", "guest1", "--stats",
			       "--io-batch",
			       "--verbose", "--monitor", "/run/q.sock", NULL), 0);
	assert_string_equal(a.kernel, "/k");
	assert_string_equal(a.initrd, "/i");
	assert_string_equal(a.cmdline, "console=ttyS0 quiet");
	assert_int_equal(a.cpus, 4);
	assert_int_equal(a.memory, 2ULL << 30);
	assert_int_equal(a.console, CONSOLE_PTY);
	assert_true(a.no_reboot);
	assert_string_equal(a.name, "guest1");
	assert_string_equal(a.monitor, "/run/q.sock");
	assert_true(a.stats);
	assert_true(a.io_batch);
	assert_true(a.verbose);
	assert_false(a.help);
	assert_false(a.version);

	/* --opt=value spelling, and the last occurrence wins. */
	assert_int_equal(parse(&a, "--kernel=/k2", "--cpus=2", "--cpus=255",
			       "--memory=64M", "--cmdline=", NULL), 0);
	assert_string_equal(a.kernel, "/k2");
	assert_int_equal(a.cpus, 255);
	assert_int_equal(a.memory, 64ULL << 20);
	assert_string_equal(a.cmdline, "");

	/* Smallest memory. */
	assert_int_equal(parse(&a, "--kernel", "k", "--memory", "2M", NULL), 0);
	assert_int_equal(a.memory, 2ULL << 20);
	assert_int_equal(parse(&a, "--kernel", "k", "--memory", "2101248",
			       NULL), 0);
	assert_int_equal(a.memory, 2101248);
}

static void test_console_kinds(void **state)
{
	struct vmm_args a;

	(void)state;
	assert_int_equal(parse(&a, "--kernel", "k", "--console", "stdio", NULL),
			 0);
	assert_int_equal(a.console, CONSOLE_STDIO);
	assert_int_equal(parse(&a, "--kernel", "k", "--console", "none", NULL),
			 0);
	assert_int_equal(a.console, CONSOLE_NONE);
	assert_int_equal(parse(&a, "--kernel", "k", "--console", "pty", NULL),
			 0);
	assert_int_equal(a.console, CONSOLE_PTY);
	assert_int_equal(parse(&a, "--kernel", "k", "--console",
			       "file:/tmp/console.log", NULL), 0);
	assert_int_equal(a.console, CONSOLE_FILE);
	assert_string_equal(a.console_path, "/tmp/console.log");
	assert_int_equal(parse(&a, "--kernel", "k", "--console=file:x:y", NULL),
			 0);
	assert_string_equal(a.console_path, "x:y");

	expect_error("--console", "file:", "--kernel", "k", "--console",
		     "file:", NULL);
	expect_error("--console", "tty", "--kernel", "k", "--console", "tty",
		     NULL);
	expect_error("--console", NULL, "--kernel", "k", "--console", "", NULL);
	expect_error("--console", NULL, "--kernel", "k", "--console", "file",
		     NULL);
	expect_error("--console", NULL, "--kernel", "k", "--console", "STDIO",
		     NULL);
}

static void test_memory_errors(void **state)
{
	(void)state;
	expect_error("--memory", "0", "--kernel", "k", "--memory", "0", NULL);
	expect_error("--memory", "abc", "--kernel", "k", "--memory", "abc",
		     NULL);
	expect_error("--memory", "1G5", "--kernel", "k", "--memory", "1G5",
		     NULL);
	expect_error("--memory", "3", "--kernel", "k", "--memory", "3", NULL);
	expect_error("--memory", "-1G", "--kernel", "k", "--memory=-1G", NULL);
	expect_error("--memory", NULL, "--kernel", "k", "--memory", "", NULL);
	/* At least 2M. */
	expect_error("--memory", "2M", "--kernel", "k", "--memory", "1M", NULL);
	expect_error("--memory", NULL, "--kernel", "k", "--memory", "2097151",
		     NULL);
	/* Not a multiple of 4K. */
	expect_error("--memory", "4K", "--kernel", "k", "--memory", "2049K",
		     NULL);
	expect_error("--memory", "4K", "--kernel", "k", "--memory", "2101249",
		     NULL);
	/* Overflow. */
	expect_error("--memory", "large", "--kernel", "k", "--memory",
		     "17179869184G", NULL);
	expect_error("--memory", "large", "--kernel", "k", "--memory",
		     "99999999999999999999", NULL);
}

static void test_cpus_errors(void **state)
{
	(void)state;
	expect_error("--cpus", "0", "--kernel", "k", "--cpus", "0", NULL);
	expect_error("--cpus", "256", "--kernel", "k", "--cpus", "256", NULL);
	expect_error("--cpus", "x", "--kernel", "k", "--cpus", "x", NULL);
	expect_error("--cpus", "255", "--kernel", "k", "--cpus", "-1", NULL);
	expect_error("--cpus", NULL, "--kernel", "k", "--cpus", "", NULL);
	expect_error("--cpus", NULL, "--kernel", "k", "--cpus", "2x", NULL);
	expect_error("--cpus", NULL, "--kernel", "k", "--cpus",
		     "4294967297", NULL);
}

static void test_option_errors(void **state)
{
	(void)state;
	expect_error("unknown option", "--bogus", "--kernel", "k", "--bogus",
		     NULL);
	expect_error("--bogus", NULL, "--bogus=1", "--kernel", "k", NULL);
	expect_error("--kernel", "needs a value", "--kernel", NULL);
	expect_error("--memory", "needs a value", "--kernel", "k", "--memory",
		     NULL);
	expect_error("--no-reboot=1", "takes no value", "--kernel", "k",
		     "--no-reboot=1", NULL);
	expect_error("--help=x", "takes no value", "--help=x", NULL);
	expect_error("unexpected argument", "stray", "--kernel", "k", "stray",
		     NULL);
	/* Options stop at the first non-option argument. */
	expect_error("unexpected argument", "stray", "stray", "--kernel", "k",
		     NULL);
	expect_error("unexpected argument", "stray", "--kernel", "k", "stray",
		     "--cpus", "0", NULL);
	expect_error("unexpected argument", "extra", "--kernel", "k", "--",
		     "extra", NULL);
	expect_error("no kernel", "--kernel", NULL);
	expect_error("no kernel", "--kernel", "--cpus", "2", NULL);
	expect_error("--monitor", "empty", "--kernel", "k", "--monitor", "",
		     NULL);
}

static void test_short_options_unknown(void **state)
{
	(void)state;
	/* There are no short options: say so rather than "needs a value". */
	expect_error("unknown option", "'-h'", "-h", NULL);
	expect_error("unknown option", "'-v'", "--kernel", "k", "-v", NULL);
	/* A group of short options: the first one is named. */
	expect_error("unknown option", "'-x'", "-xyz", NULL);
	expect_error("unknown option", "'-x'", "--kernel", "k", "-xyz", NULL);
}

static void test_help_and_version(void **state)
{
	struct vmm_args a;

	(void)state;
	assert_int_equal(parse(&a, "--help", NULL), 0);
	assert_true(a.help);
	assert_null(a.kernel);
	assert_int_equal(parse(&a, "--version", NULL), 0);
	assert_true(a.version);
	assert_false(a.help);
	/* Bad values are still errors next to --help. */
	expect_error("--cpus", NULL, "--help", "--cpus", "0", NULL);
	/* --check-kvm needs no kernel either. */
	assert_int_equal(parse(&a, "--check-kvm", NULL), 0);
	assert_true(a.check_kvm);
	assert_null(a.kernel);
	expect_error("--check-kvm", "takes no value", "--check-kvm=1", NULL);
}

static void test_parse_twice(void **state)
{
	struct vmm_args a;

	(void)state;
	/* Stop the first parse halfway through its argv... */
	expect_error("--cpus", NULL, "--kernel", "a", "--cpus", "0",
		     "--memory", "1G", "--name", "first", NULL);
	/* ...then a second one must start from the beginning, with fresh
	 * defaults. */
	assert_int_equal(parse(&a, "--kernel", "b", NULL), 0);
	assert_string_equal(a.kernel, "b");
	assert_int_equal(a.memory, VMM_DEFAULT_MEMORY);
	assert_null(a.name);
	assert_int_equal(parse(&a, "--kernel", "c", "--memory", "1G", NULL), 0);
	assert_string_equal(a.kernel, "c");
	assert_int_equal(a.memory, 1ULL << 30);
	assert_int_equal(parse(&a, "--memory", "8M", "--kernel", "d", NULL), 0);
	assert_string_equal(a.kernel, "d");
	assert_int_equal(a.memory, 8ULL << 20);
	assert_int_equal(a.cpus, 1);
	/* Even after a parse abandoned inside a group of short options. */
	expect_error("unknown option", NULL, "-abc", NULL);
	assert_int_equal(parse(&a, "--kernel", "e", NULL), 0);
	assert_string_equal(a.kernel, "e");
}

static void test_small_error_buffer(void **state)
{
	char *argv[] = { (char *)"vireo-vmm", (char *)"--memory",
			 (char *)"not-a-size-at-all", NULL };
	struct vmm_args a;
	char small[8];

	(void)state;
	memset(small, 'z', sizeof(small));
	assert_int_equal(args_parse(3, argv, &a, small, sizeof(small)),
			 -EINVAL);
	assert_int_equal(small[sizeof(small) - 1], '\0');
	assert_memory_equal(small, "--memor", 7);
}

/* --disk repeats, in order; each value goes through the disk parser. */
static void test_disks(void **state)
{
	static struct vmm_args a;
	static char buf[VMM_MAX_DISKS + 1][32];
	char *argv[2 * (VMM_MAX_DISKS + 1) + 4];
	int argc = 0, i;

	(void)state;
	assert_int_equal(parse(&a, "--kernel", "k", NULL), 0);
	assert_int_equal(a.ndisks, 0);
	assert_int_equal(parse(&a, "--kernel", "k", "--disk", "path=a.img",
			       "--disk", "path=b.img,readonly=on,serial=S2", NULL), 0);
	assert_int_equal(a.ndisks, 2);
	assert_string_equal(a.disks[0].path, "a.img");
	assert_false(a.disks[0].readonly);
	assert_string_equal(a.disks[1].path, "b.img");
	assert_true(a.disks[1].readonly);
	assert_string_equal(a.disks[1].serial, "S2");
	expect_error("--disk", "cache='fast'", "--kernel", "k", "--disk",
		     "path=a,cache=fast", NULL);
	expect_error("--disk", "needs a value", "--kernel", "k", "--disk", NULL);

	argv[argc++] = (char *)"vireo-vmm";
	argv[argc++] = (char *)"--kernel";
	argv[argc++] = (char *)"k";
	for (i = 0; i <= VMM_MAX_DISKS; i++) {
		snprintf(buf[i], sizeof(buf[i]), "path=d%d.img", i);
		argv[argc++] = (char *)"--disk";
		argv[argc++] = buf[i];
	}
	argv[argc] = NULL;
	assert_int_equal(args_parse(argc - 2, argv, &a, errbuf, sizeof(errbuf)), 0);
	assert_int_equal(a.ndisks, VMM_MAX_DISKS);
	assert_string_equal(a.disks[VMM_MAX_DISKS - 1].path, "d15.img");
	assert_int_equal(args_parse(argc, argv, &a, errbuf, sizeof(errbuf)), -EINVAL);
	assert_non_null(strstr(errbuf, "at most 16 disks"));
}

static void test_balloon(void **state)
{
	static struct vmm_args a;

	(void)state;
	assert_int_equal(parse(&a, "--kernel", "k", NULL), 0);
	assert_false(a.balloon);
	assert_int_equal(parse(&a, "--kernel", "k", "--balloon", NULL), 0);
	assert_true(a.balloon);
	assert_int_equal(a.balloon_target, 0);
	assert_false(a.balloon_deflate_on_oom);
	assert_false(a.balloon_reporting);
	/* The value as the next word, and after '='. */
	assert_int_equal(parse(&a, "--balloon", "target=256M,deflate-on-oom=on",
			       "--kernel", "k", NULL), 0);
	assert_int_equal(a.balloon_target, 256ull << 20);
	assert_true(a.balloon_deflate_on_oom);
	assert_false(a.balloon_reporting);
	assert_int_equal(parse(&a, "--kernel", "k",
			       "--balloon=free-page-reporting=on,"
			       "deflate-on-oom=off", NULL), 0);
	assert_true(a.balloon_reporting);
	assert_false(a.balloon_deflate_on_oom);
	assert_int_equal(a.balloon_target, 0);

	expect_error("--balloon", "unknown key 'size'", "--kernel", "k",
		     "--balloon", "size=1G", NULL);
	expect_error("target=1Q", NULL, "--kernel", "k", "--balloon",
		     "target=1Q", NULL);
	expect_error("target=4097", NULL, "--kernel", "k", "--balloon",
		     "target=4097", NULL);
	expect_error("target=0", NULL, "--kernel", "k", "--balloon",
		     "target=0", NULL);
	expect_error("deflate-on-oom=yes", NULL, "--kernel", "k",
		     "--balloon", "deflate-on-oom=yes", NULL);
	expect_error("not key=value", NULL, "--kernel", "k", "--balloon",
		     "on", NULL);
	expect_error("twice", NULL, "--kernel", "k", "--balloon",
		     "--balloon", NULL);
	expect_error("larger than --memory", NULL, "--kernel", "k",
		     "--memory", "512M", "--balloon", "target=1G", NULL);
}

/* --net repeats, in order; each value goes through the net parser. */
static void test_nets(void **state)
{
	static struct vmm_args a;

	(void)state;
	assert_int_equal(parse(&a, "--kernel", "k", "--net", "tap=t0",
			       "--net", "fd=5,queues=1,vhost=off", NULL), 0);
	assert_int_equal(a.nnets, 2);
	assert_string_equal(a.nets[0].ifname, "t0");
	assert_int_equal(a.nets[1].fd, 5);
	assert_int_equal(a.nets[1].vhost, NET_VHOST_OFF);
	expect_error("--net", "vhost='x'", "--kernel", "k", "--net",
		     "tap=t0,vhost=x", NULL);
	expect_error("--net", "at most 8 NICs", "--kernel", "k",
		     "--net", "fd=1", "--net", "fd=2", "--net", "fd=3",
		     "--net", "fd=4", "--net", "fd=5", "--net", "fd=6",
		     "--net", "fd=7", "--net", "fd=8", "--net", "fd=9", NULL);
}

static void test_rng(void **state)
{
	static struct vmm_args a;

	(void)state;
	assert_int_equal(parse(&a, "--kernel", "k", NULL), 0);
	assert_false(a.rng);
	assert_int_equal(parse(&a, "--kernel", "k", "--rng", NULL), 0);
	assert_true(a.rng);
	assert_int_equal(a.rng_rate, 0);
	assert_int_equal(parse(&a, "--rng", "rate=1024", "--kernel", "k",
			       NULL), 0);
	assert_int_equal(a.rng_rate, 1024);
	assert_int_equal(parse(&a, "--kernel", "k", "--rng=rate=1000000000",
			       NULL), 0);
	assert_int_equal(a.rng_rate, 1000000000ull);

	expect_error("from 1 to", NULL, "--kernel", "k", "--rng",
		     "rate=1000000001", NULL);
	expect_error("from 1 to", NULL, "--kernel", "k", "--rng", "rate=0",
		     NULL);
	expect_error("expected rate=", NULL, "--kernel", "k", "--rng",
		     "speed=5", NULL);
	expect_error("twice", NULL, "--kernel", "k", "--rng", "--rng", NULL);
}

static void test_vsock(void **state)
{
	static struct vmm_args a;

	(void)state;
	assert_int_equal(parse(&a, "--kernel", "k", NULL), 0);
	assert_false(a.vsock);
	assert_int_equal(parse(&a, "--kernel", "k", "--vsock", "cid=3", NULL),
			 0);
	assert_true(a.vsock);
	assert_int_equal(a.vsock_cid, 3);
	assert_int_equal(parse(&a, "--vsock=cid=4294967294", "--kernel", "k",
			       NULL), 0);
	assert_int_equal(a.vsock_cid, 4294967294u);

	/* Reserved: hypervisor, local, host, VMADDR_CID_ANY; and past 32
	 * bits. */
	expect_error("from 3 to 4294967294", NULL, "--kernel", "k",
		     "--vsock", "cid=2", NULL);
	expect_error("from 3 to", NULL, "--kernel", "k", "--vsock", "cid=0",
		     NULL);
	expect_error("from 3 to", NULL, "--kernel", "k", "--vsock", "cid=1",
		     NULL);
	expect_error("from 3 to", NULL, "--kernel", "k", "--vsock",
		     "cid=4294967295", NULL);
	expect_error("from 3 to", NULL, "--kernel", "k", "--vsock",
		     "cid=4294967299", NULL);
	expect_error("from 3 to", NULL, "--kernel", "k", "--vsock", "cid=",
		     NULL);
	expect_error("from 3 to", NULL, "--kernel", "k", "--vsock", "cid=-5",
		     NULL);
	expect_error("expected cid=N", NULL, "--kernel", "k", "--vsock", "5",
		     NULL);
	expect_error("needs a value", NULL, "--kernel", "k", "--vsock", NULL);
	expect_error("twice", NULL, "--kernel", "k", "--vsock", "cid=3",
		     "--vsock", "cid=4", NULL);
}

static void test_usage(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	args_usage(f, "vireo-vmm");
	fclose(f);
	assert_non_null(strstr(text, "Usage: vireo-vmm --kernel"));
	assert_non_null(strstr(text, "--memory"));
	assert_non_null(strstr(text, "--console"));
	assert_non_null(strstr(text, "Ctrl-A x"));
	/* What the usage text once left out. */
	assert_non_null(strstr(text, "PVH"));
	assert_non_null(strstr(text, "K/M/G/T"));
	assert_non_null(strstr(text, "128+N"));
	assert_non_null(strstr(text, "--vsock cid=N"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_console_kinds),
		cmocka_unit_test(test_memory_errors),
		cmocka_unit_test(test_cpus_errors),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_short_options_unknown),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_parse_twice),
		cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_balloon),
		cmocka_unit_test(test_nets),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_vsock),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
