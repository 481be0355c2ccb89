/* virtio-net over a real TAP (src/virtio/net_host.c) in a private
 * network namespace (needs root and /dev/net/tun; skipped otherwise):
 * a frame the guest transmits leaves through the TAP and is seen by a
 * packet socket on the interface; a frame sent on the interface reaches
 * the guest's receive buffer through the main loop.  The namespace has
 * no other link, so nothing leaves this machine. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake_netns.h"
#include "fake_virtq.h"
#include "virtio/net_host.h"

#define W VIRTQ_DESC_F_WRITE
#define N VIRTQ_DESC_F_NEXT
#define ETHERTYPE 0x88b5	/* local experimental */

static bool have_ns;
static struct fake_driver fd;
static struct virtio_dev *dev;
static struct vnet_host *host;
static struct loop loop;
static int ps = -1;	/* packet socket on the TAP interface */

static int setup(void **state)
{
	struct virtio_net_params p = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETHERTYPE) };
	struct net_opts o;
	char err[200];
	int fdw;

	have_ns = netns_enter();
	if (!have_ns)
		return 0;
	/* No IPv6 chatter on the test link. */
	fdw = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY);
	if (fdw >= 0) {
		if (write(fdw, "1", 1) < 0)
			print_message("cannot disable IPv6: %s\n",
				      strerror(errno));
		close(fdw);
	}
	assert_int_equal(loop_init(&loop), 0);
	assert_int_equal(net_opts_parse("tap=vhtest0", &o, err,
					sizeof(err)), 0);
	assert_int_equal(vnet_host_create(&o, &loop, &host, err,
					  sizeof(err)), 0);
	vnet_host_params(host, &p);
	assert_int_equal(p.mac[0] & 3, 2);	/* random, local unicast */
	fv_init(&fd);
	assert_int_equal(virtio_net_create(&fd.mem, &p, &dev), 0);
	assert_int_equal(vnet_host_attach(host, dev), 0);
	netns_link_up("vhtest0");
	ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETHERTYPE));
	assert_true(ps >= 0);
	sll.sll_ifindex = (int)if_nametoindex("vhtest0");
	assert_int_equal(bind(ps, (struct sockaddr *)&sll, sizeof(sll)), 0);
	/* CSUM + GUEST_CSUM + MRG_RXBUF. */
	fv_start(&fd, dev, FV_CORE_FEATURES | FV_F(0) | FV_F(1) | FV_F(15),
		 3, 64);
	return 0;
}

static int teardown(void **state)
{
	if (!have_ns)
		return 0;
	close(ps);
	fv_fini(&fd);
	vnet_host_destroy(host);
	loop_destroy(&loop);
	return 0;
}

static void test_tx_reaches_interface(void **state)
{
	uint8_t frame[60], got[128];
	uint8_t *h = fd.host + FV_BUF;
	ssize_t n;

	if (!have_ns)
		skip();
	memset(h, 0, 12);
	memset(frame, 0xff, 6);		/* broadcast */
	memset(frame + 6, 0x02, 6);
	frame[12] = ETHERTYPE >> 8;
	frame[13] = ETHERTYPE & 0xff;
	memset(frame + 14, 0xa5, sizeof(frame) - 14);
	memcpy(h + 12, frame, sizeof(frame));
	fv_desc(&fd, 1, 0, FV_BUF, 12 + sizeof(frame), 0, 0);
	fv_kick(&fd, 1, 0);
	assert_int_equal(fv_used_idx(&fd, 1), 1);
	n = recv(ps, got, sizeof(got), MSG_DONTWAIT);
	assert_int_equal(n, sizeof(frame));
	assert_memory_equal(got, frame, sizeof(frame));
}

static void test_rx_reaches_guest(void **state)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETHERTYPE),
				  .sll_halen = 6 };
	uint8_t frame[100];
	unsigned i, seen = 0;
	uint32_t id, len;

	if (!have_ns)
		skip();
	for (i = 0; i < 8; i++) {
		fv_desc(&fd, 0, i, FV_BUF + 0x1000ull * (i + 1), 2048, W, 0);
		fv_publish(&fd, 0, i);
	}
	memset(frame, 0xff, 6);
	memset(frame + 6, 0x02, 6);
	frame[12] = ETHERTYPE >> 8;
	frame[13] = ETHERTYPE & 0xff;
	memset(frame + 14, 0x3c, sizeof(frame) - 14);
	to.sll_ifindex = (int)if_nametoindex("vhtest0");
	memset(to.sll_addr, 0xff, 6);
	assert_int_equal(sendto(ps, frame, sizeof(frame), 0,
				(struct sockaddr *)&to, sizeof(to)),
			 sizeof(frame));
	/* The TAP fd becomes readable; the loop hands it to the device. */
	for (i = 0; i < 20 && !seen; i++) {
		assert_true(loop_run_once(&loop, 100) >= 0);
		for (unsigned u = 0; u < fv_used_idx(&fd, 0); u++) {
			fv_used_elem(&fd, 0, u, &id, &len);
			if (len == 12 + sizeof(frame) &&
			    !memcmp(fd.host + FV_BUF + 0x1000ull * (id + 1) + 12,
				    frame, sizeof(frame)))
				seen++;
		}
	}
	assert_int_equal(seen, 1);
	assert_false(fv_needs_reset(&fd));
}

/* Detach and attach a new device (a VM reset): the same TAP and MAC. */
static void test_reattach(void **state)
{
	struct virtio_net_params p1 = { 0 }, p2 = { 0 };
	struct virtio_dev *d2;

	if (!have_ns)
		skip();
	vnet_host_params(host, &p1);
	vnet_host_detach(host);
	fv_fini(&fd);
	fv_init(&fd);
	vnet_host_params(host, &p2);
	assert_memory_equal(p1.mac, p2.mac, 6);
	assert_int_equal(virtio_net_create(&fd.mem, &p2, &d2), 0);
	dev = d2;
	assert_int_equal(vnet_host_attach(host, dev), 0);
	fv_start(&fd, dev, FV_CORE_FEATURES, 3, 64);
	test_tx_reaches_interface(state);
}

static void on_monitor(struct loop_source *src, uint32_t events)
{
	uint64_t v;

	if (read(src->fd, &v, sizeof(v)) == sizeof(v))
		(*(unsigned *)src->opaque)++;
}

/* A guest flooding its tx queue gets `tx_budget` packets per turn of the
 * loop; another source (the monitor's) is served in the same turn. */
static void test_tx_flood_yields(void **state)
{
	struct virtio_net_params p = { 0 };
	struct loop_source mon;
	unsigned i, served = 0;
	uint64_t one = 1;
	int efd;

	if (!have_ns)
		skip();
	vnet_host_detach(host);
	fv_fini(&fd);
	fv_init(&fd);
	vnet_host_params(host, &p);
	p.tx_budget = 8;
	assert_int_equal(virtio_net_create(&fd.mem, &p, &dev), 0);
	assert_int_equal(vnet_host_attach(host, dev), 0);
	fv_start(&fd, dev, FV_CORE_FEATURES, 3, 64);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_int_equal(loop_add(&loop, &mon, efd, EPOLLIN, on_monitor,
				  &served), 0);
	memset(fd.host + FV_BUF, 0, 12 + 60);
	memset(fd.host + FV_BUF + 12, 0xff, 6);
	for (i = 0; i < 40; i++) {
		fv_desc(&fd, 1, i, FV_BUF, 12 + 60, 0, 0);
		fv_publish(&fd, 1, (uint16_t)i);
	}
	virtio_notify_queue(dev, 1);
	assert_int_equal(fv_used_idx(&fd, 1), 8);
	assert_int_equal(write(efd, &one, sizeof(one)), sizeof(one));
	assert_true(loop_run_once(&loop, 100) >= 1);
	assert_int_equal(served, 1);
	assert_int_equal(fv_used_idx(&fd, 1), 16);
	for (i = 0; i < 10 && fv_used_idx(&fd, 1) < 40; i++)
		loop_run_once(&loop, 100);
	assert_int_equal(fv_used_idx(&fd, 1), 40);
	loop_remove(&loop, &mon);
	close(efd);
}

/* The interface disappears under the VMM: the loop stops polling its
 * fd (epoll would report the error forever) and the guest's packets
 * are dropped, not stuck. */
static void test_interface_deleted(void **state)
{
	unsigned i;
	int n = 0;

	if (!have_ns)
		skip();
	fv_desc(&fd, 0, 0, FV_BUF + 0x1000, 2048, W, 0);
	fv_publish(&fd, 0, 0);
	assert_int_equal(system("ip link del vhtest0"), 0);
	for (i = 0; i < 5; i++)
		n += loop_run_once(&loop, 10);
	assert_true(n <= 1);
	memset(fd.host + FV_BUF, 0, 72);
	fv_desc(&fd, 1, 0, FV_BUF, 72, 0, 0);
	fv_kick(&fd, 1, 0);
	assert_int_equal(fv_used_idx(&fd, 1), 1);
	assert_false(fv_needs_reset(&fd));
}

/* vhost=on: the TAP's data path goes to /dev/vhost-net, or, on a host
 * without it, creation fails with one line naming both. */
static void test_vhost_on(void **state)
{
	int vfd = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
	struct vnet_host *h = NULL;
	struct net_opts o;
	char err[200] = "";
	int ret;

	if (!have_ns)
		skip();
	assert_int_equal(net_opts_parse("tap=vhtest1,vhost=on", &o, err,
					sizeof(err)), 0);
	ret = vnet_host_create(&o, &loop, &h, err, sizeof(err));
	if (vfd >= 0) {
		close(vfd);
		assert_int_equal(ret, 0);
		vnet_host_destroy(h);
	} else {
		assert_true(ret < 0);
		assert_non_null(strstr(err, "vhost=on"));
		assert_non_null(strstr(err, "/dev/vhost-net"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tx_reaches_interface,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_reaches_guest,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reattach, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tx_flood_yields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_interface_deleted, setup,
						teardown),
		cmocka_unit_test(test_vhost_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
