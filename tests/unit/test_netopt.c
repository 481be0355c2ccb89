/* Unit tests for the --net value parser and the MAC helpers
 * (src/net/opts.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "net/opts.h"

static void test_tap_defaults(void **state)
{
	struct net_opts o;
	char err[128];

	assert_int_equal(net_opts_parse("tap=vnet0", &o, err, sizeof(err)),
			 0);
	assert_string_equal(o.ifname, "vnet0");
	assert_int_equal(o.fd, -1);
	assert_false(o.has_mac);
	assert_int_equal(o.vhost, NET_VHOST_AUTO);
	assert_int_equal(o.queues, 1);
	assert_false(o.thread_normal);	/* the I/O thread is SCHED_BATCH */
	assert_int_equal(o.queue_size, 0);	/* the device's default */
}

static void test_fd_all_keys(void **state)
{
	static const uint8_t want[6] = { 0x52, 0x54, 0, 0xab, 0xCD, 0xef };
	struct net_opts o;
	char err[128];

	assert_int_equal(net_opts_parse("fd=7:8:9:10,mac=52:54:00:ab:CD:ef,"
					 "vhost=off,queues=4,thread=normal,"
					 "queue-size=256",
					 &o, err, sizeof(err)), 0);
	assert_true(o.thread_normal);
	assert_int_equal(o.queue_size, 256);
	assert_int_equal(o.fd, 7);
	assert_string_equal(o.ifname, "");
	assert_true(o.has_mac);
	assert_memory_equal(o.mac, want, 6);
	assert_int_equal(o.vhost, NET_VHOST_OFF);
	assert_int_equal(o.queues, 4);
	/* One fd per queue pair, as libvirt passes them. */
	assert_int_equal(net_opts_parse("fd=3:4:5", &o, err, sizeof(err)), 0);
	assert_int_equal(o.nfds, 3);
	assert_int_equal(o.fds[2], 5);
	assert_int_equal(o.fd, 3);
	assert_int_equal(o.queues, 3);
	assert_int_equal(net_opts_parse("fd=3:4,queues=2", &o, err,
					sizeof(err)), 0);
	assert_int_equal(net_opts_parse("tap=t,vhost=on", &o, err,
					sizeof(err)), 0);
	assert_int_equal(o.vhost, NET_VHOST_ON);
	assert_int_equal(net_opts_parse("tap=t,thread=batch", &o, err,
					sizeof(err)), 0);
	assert_false(o.thread_normal);
	assert_int_equal(net_opts_parse("tap=t,queue-size=64", &o, err,
					sizeof(err)), 0);
	assert_int_equal(o.queue_size, 64);
	assert_int_equal(net_opts_parse("tap=t,queue-size=1024", &o, err,
					sizeof(err)), 0);
	assert_int_equal(o.queue_size, 1024);
}

static void test_errors(void **state)
{
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "", "is not key=value" },
		{ "tap=", "is not an interface name" },
		{ "tap=a/b", "is not an interface name" },
		{ "tap=0123456789abcdef", "is not an interface name" },
		{ "tap=x,fd=3", "exactly one" },
		{ "mac=52:54:00:00:00:01", "exactly one" },
		{ "tap=x,tap=y", "given twice" },
		{ "tap=x,", "is not key=value" },
		{ "tap=x,mac=01:00:00:00:00:01", "not a unicast" },
		{ "tap=x,mac=52:54:00:00:00", "not a unicast" },
		{ "tap=x,mac=00:00:00:00:00:00", "not a unicast" },
		{ "tap=x,mac=52:54:00:00:00:0g", "not a unicast" },
		{ "tap=x,mac=52-54-00-00-00-01", "not a unicast" },
		{ "tap=x,queues=0", "from 1 to 16" },
		{ "tap=x,queues=17", "from 1 to 16" },
		{ "tap=x,vhost=maybe", "on, off or auto" },
		{ "tap=x,thread=fifo", "batch or normal" },
		{ "tap=x,thread=batch,thread=normal", "given twice" },
		{ "tap=x,queue-size=32", "power of two from 64 to 1024" },
		{ "tap=x,queue-size=2048", "power of two from 64 to 1024" },
		{ "tap=x,queue-size=384", "power of two from 64 to 1024" },
		{ "tap=x,queue-size=", "power of two from 64 to 1024" },
		{ "tap=x,queue-size=256,queue-size=512", "given twice" },
		{ "fd=-1", "file descriptor" },
		{ "fd=3:", "file descriptor" },
		{ "fd=:3", "file descriptor" },
		{ "fd=1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17", "file descriptor" },
		{ "fd=3:4,queues=3", "queues=3 but 2 fds" },
		{ "fd=3,color=red", "unknown key 'color'" },
		{ "tap=\x01\x02", "?" },
	};
	struct net_opts o;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(net_opts_parse(bad[i].in, &o, err,
						sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i].msg))
			fail_msg("'%s': got '%s'", bad[i].in, err);
	}
}

static void test_random_mac(void **state)
{
	uint8_t a[6], b[6];

	net_random_mac(a);
	net_random_mac(b);
	assert_int_equal(a[0] & 3, 2);	/* local, unicast */
	assert_int_equal(b[0] & 3, 2);
	/* Two equal 46-bit draws: probability 2^-46. */
	assert_memory_not_equal(a, b, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tap_defaults),
		cmocka_unit_test(test_fd_all_keys),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_random_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
