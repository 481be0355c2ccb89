/* Tests of the TAP backend (src/net/tap.c) on real TAP interfaces in a
 * private network namespace (needs root and /dev/net/tun; skipped
 * otherwise): open, offloads, multiqueue, adoption, and the receive
 * filter (frames sent on the interface, read from the TAP or dropped by
 * the kernel).  No traffic leaves the namespace: it has no other link. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
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

#define ETHERTYPE 0x88b5	/* local experimental */

/* Send a frame to dst on the interface (packet socket ps). */
static void send_to(int ps, const char *ifname, const uint8_t *dst)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETHERTYPE),
				  .sll_halen = 6 };
	uint8_t frame[60] = { 0 };

	memcpy(frame, dst, 6);
	memset(frame + 6, 0x02, 6);
	frame[12] = ETHERTYPE >> 8;
	frame[13] = ETHERTYPE & 0xff;
	to.sll_ifindex = (int)if_nametoindex(ifname);
	memcpy(to.sll_addr, dst, 6);
	assert_int_equal(sendto(ps, frame, sizeof(frame), 0,
				(struct sockaddr *)&to, sizeof(to)),
			 sizeof(frame));
}

/* Did the TAP queue a frame of ours to dst (other traffic skipped)? */
static bool got(struct tap *t, const char *ifname, int ps,
		const uint8_t *dst)
{
	uint8_t buf[12 + 1514];
	bool seen = false;
	ssize_t n;

	send_to(ps, ifname, dst);
	while ((n = read(t->fds[0], buf, sizeof(buf))) > 12 + 14)
		if (buf[12 + 12] == ETHERTYPE >> 8 &&
		    buf[12 + 13] == (ETHERTYPE & 0xff))
			seen = seen || !memcmp(buf + 12, dst, 6);
	return seen;
}

/* The receive filter as the kernel applies it: the listed addresses
 * pass, others not, broadcast only when listed, multicast also with
 * allmulti; past TAP_FILTER_EXACT, multicast addresses are hashed but a
 * unicast one turns the filter off; n == 0 clears it. */
static void test_rx_filter(void **state)
{
	static const uint8_t me[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
			     other[6] = { 0x52, 0x54, 0, 0x99, 0x99, 0x99 },
			     bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
			     m1[6] = { 0x33, 0x33, 0, 0, 0, 1 },
			     m2[6] = { 0x01, 0, 0x5e, 0, 0, 0xfb };
	uint8_t list[TAP_FILTER_EXACT + 2][6];
	struct tap t;
	unsigned i;
	int ps;

	if (!have_ns)
		skip();
	assert_int_equal(tap_open(&t, "vtest4", 1), 0);
	assert_int_equal(tap_set_vnet_hdr_len(&t, 12), 0);
	netns_link_up("vtest4");
	ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETHERTYPE));
	assert_true(ps >= 0);
	assert_true(got(&t, "vtest4", ps, other));	/* no filter yet */
	memcpy(list[0], me, 6);
	memcpy(list[1], bc, 6);
	memcpy(list[2], m1, 6);
	assert_int_equal(tap_set_filter(&t, false, list, 3), 0);
	assert_true(got(&t, "vtest4", ps, me));
	assert_false(got(&t, "vtest4", ps, other));
	assert_true(got(&t, "vtest4", ps, bc));
	assert_true(got(&t, "vtest4", ps, m1));
	assert_false(got(&t, "vtest4", ps, m2));
	assert_int_equal(tap_set_filter(&t, true, list, 1), 0);
	assert_true(got(&t, "vtest4", ps, m2));
	assert_false(got(&t, "vtest4", ps, other));
	/* Eight unicast addresses, then multicast ones: hashed. */
	for (i = 0; i < TAP_FILTER_EXACT; i++) {
		memcpy(list[i], me, 6);
		list[i][5] += (uint8_t)i;
	}
	memcpy(list[i], m1, 6);
	memcpy(list[i + 1], m2, 6);
	assert_int_equal(tap_set_filter(&t, false, list, i + 2), 0);
	assert_true(got(&t, "vtest4", ps, list[TAP_FILTER_EXACT - 1]));
	assert_true(got(&t, "vtest4", ps, m2));
	assert_false(got(&t, "vtest4", ps, other));
	/* A ninth unicast one: off. */
	memcpy(list[i], other, 6);
	list[i][5]++;
	assert_int_equal(tap_set_filter(&t, false, list, i + 1), 0);
	assert_true(got(&t, "vtest4", ps, other));
	assert_int_equal(tap_set_filter(&t, false, list, 1), 0);
	assert_false(got(&t, "vtest4", ps, other));
	assert_int_equal(tap_set_filter(&t, false, NULL, 0), 0);
	assert_true(got(&t, "vtest4", ps, other));
	close(ps);
	tap_close(&t);
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
		cmocka_unit_test(test_rx_filter),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests(tests, setup_ns, NULL);
}
