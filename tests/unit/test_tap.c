/* Tests of the TAP backend (src/net/tap.c) on real TAP interfaces in a
 * private network namespace (needs root and /dev/net/tun; skipped
 * otherwise).  No traffic leaves the namespace: it has no other link. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake_netns.h"
#include "net/tap.h"

static bool have_ns;

static int setup_ns(void **state)
{
	have_ns = netns_enter();
	return 0;
}

static void test_open_offload_write(void **state)
{
	uint8_t frame[12 + 60] = { 0 };
	struct tap t;
	int len = 0;

	if (!have_ns)
		skip();
	assert_int_equal(tap_open(&t, "vtest0", 1), 0);
	assert_int_equal(t.nfds, 1);
	assert_true(fcntl(t.fds[0], F_GETFL) & O_NONBLOCK);
	assert_int_equal(tap_set_vnet_hdr_len(&t, 12), 0);
	assert_int_equal(ioctl(t.fds[0], TUNGETVNETHDRSZ, &len), 0);
	assert_int_equal(len, 12);
	assert_int_equal(tap_set_offload(&t, TUN_F_CSUM | TUN_F_TSO4 |
						     TUN_F_TSO6), 0);
	/* An unknown offload bit is refused by the kernel. */
	assert_int_not_equal(tap_set_offload(&t, 0x8000), 0);
	netns_link_up("vtest0");
	/* A frame with a plain vnet header goes into the namespace. */
	memset(frame + 12, 0xff, 6);
	frame[12 + 12] = 0x88;
	frame[12 + 13] = 0xb5;	/* local experimental ethertype */
	assert_int_equal(write(t.fds[0], frame, sizeof(frame)),
			 sizeof(frame));
	/* Nothing to read yet: non-blocking. */
	tap_close(&t);
}

static void test_multiqueue_and_adopt(void **state)
{
	struct tap t, a, o;
	int p[2], fds[2];

	if (!have_ns)
		skip();
	assert_int_equal(tap_open(&t, "vtest1", 2), 0);
	assert_int_equal(t.nfds, 2);
	assert_int_equal(tap_enable_queue(&t, 1, false), 0);
	assert_int_equal(tap_enable_queue(&t, 1, true), 0);
	assert_int_equal(tap_enable_queue(&t, 2, true), -EINVAL);
	/* Inherited fds: adopted, not closed by us. */
	assert_int_equal(tap_adopt(&a, t.fds, 2), 0);
	assert_string_equal(a.ifname, "vtest1");
	assert_int_equal(a.nfds, 2);
	tap_close(&a);
	assert_true(fcntl(t.fds[0], F_GETFD) >= 0);
	/* Queues of two different interfaces. */
	assert_int_equal(tap_open(&o, "vtest2", 1), 0);
	fds[0] = t.fds[0];
	fds[1] = o.fds[0];
	assert_int_equal(tap_adopt(&a, fds, 2), -EXDEV);
	tap_close(&o);
	tap_close(&t);
	/* Not a TAP. */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(tap_adopt(&a, p, 1), -ENOTTY);
	close(p[0]);
	close(p[1]);
	assert_int_equal(tap_adopt(&a, fds, 0), -EINVAL);
	fds[0] = 1000;
	assert_int_equal(tap_adopt(&a, fds, 1), -EBADF);
}

static void test_open_errors(void **state)
{
	struct tap t;

	assert_int_equal(tap_open(&t, "x", 0), -EINVAL);
	assert_int_equal(tap_open(&t, "x", TAP_MAX_QUEUES + 1), -EINVAL);
	assert_int_equal(tap_open(&t, "0123456789abcdefg", 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_offload_write),
		cmocka_unit_test(test_multiqueue_and_adopt),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests(tests, setup_ns, NULL);
}
