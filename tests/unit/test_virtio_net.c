/* Unit tests for virtio-net (src/virtio/net.c, net_ctrl.c) with fake
 * guest memory and a fake packet backend: transmit with offloads and its
 * header checks, receive into one buffer and merged buffers, the ring
 * full back-pressure, the filter and the control queue commands, the tx
 * budget, reset, and the malformed rings of a hostile guest (short
 * header, an oversized chain, rx buffers smaller than the header, a
 * control command without ack room, unknown class, short command). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "fake_virtq.h"
#include "virtio/net.h"

#define W VIRTQ_DESC_F_WRITE
#define N VIRTQ_DESC_F_NEXT
#define RXQ 0
#define TXQ 1
#define CTRLQ 2
#define HDR VIRTIO_NET_HDR_LEN

#define F_CSUM FV_F(0)
#define F_GUEST_CSUM FV_F(1)
#define F_CTRL_OFFL FV_F(2)
#define F_MAC FV_F(5)
#define F_GUEST_TSO4 FV_F(7)
#define F_HOST_TSO4 FV_F(11)
#define F_MRG FV_F(15)
#define F_STATUS FV_F(16)
#define F_CTRL_VQ FV_F(17)
#define F_CTRL_RX FV_F(18)
#define F_RX_EXTRA FV_F(20)
#define F_ANNOUNCE FV_F(21)
#define F_MAC_ADDR FV_F(23)
#define BASE (FV_CORE_FEATURES | F_MAC | F_STATUS | F_CTRL_VQ | F_CTRL_RX)

/* The fake backend: packets sent, packets to receive, watch state. */
static struct {
	uint8_t sent[4][256];
	size_t sent_len[4];
	unsigned nsent, sends;
	int send_ret;		/* 0: accept */
	uint8_t *rewrite;	/* guest bytes a racing vCPU rewrites in send */
	uint8_t rx[32][2048];
	size_t rx_len[32];
	unsigned nrx, rx_next;
	bool rx_watch, tx_watch;
	unsigned reschedules, offload_calls, pairs;
	unsigned offload;
	struct vnet_rx_filter filter;	/* the last one set */
	unsigned filters;		/* set_rx_filter calls */
} be;

static struct fake_driver fd;
static struct virtio_dev *dev;
static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

static ssize_t fb_send(void *o, unsigned pair, const struct iovec *iov,
		       unsigned n)
{
	size_t len = 0;
	unsigned i;

	be.sends++;
	if (be.send_ret)
		return be.send_ret;
	if (be.rewrite)		/* another vCPU, after the device's check */
		be.rewrite[1] = 4;	/* TCPv6 GSO: not negotiated */
	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (be.nsent < 4) {
		iov_to_buf(iov, n, 0, be.sent[be.nsent], 256);
		be.sent_len[be.nsent++] = len;
	}
	return (ssize_t)len;
}

static ssize_t fb_recv(void *o, unsigned pair, void *buf, size_t len)
{
	size_t l;

	if (be.rx_next == be.nrx)
		return -EAGAIN;
	l = be.rx_len[be.rx_next];
	memcpy(buf, be.rx[be.rx_next++], l);
	return (ssize_t)l;
}

static void fb_watch(void *o, unsigned pair, bool rx, bool on)
{
	if (rx)
		be.rx_watch = on;
	else
		be.tx_watch = on;
}

static void fb_resched(void *o, unsigned pair)
{
	be.reschedules++;
}

static int fb_offload(void *o, unsigned fl)
{
	be.offload_calls++;
	be.offload = fl;
	return 0;
}

static int fb_pairs(void *o, unsigned pairs)
{
	be.pairs = pairs;
	return 0;
}

static int fb_filter(void *o, const struct vnet_rx_filter *f)
{
	be.filters++;
	be.filter = *f;
	return 0;
}

/* A received frame of len bytes (header + frame) to dst, filled with b. */
static void backend_packet(const uint8_t *dst, size_t len, uint8_t b)
{
	uint8_t *p = be.rx[be.nrx];

	memset(p, 0, HDR);
	memset(p + HDR, b, len - HDR);
	memcpy(p + HDR, dst, 6);
	be.rx_len[be.nrx++] = len;
}

static int start(uint64_t features, unsigned budget)
{
	struct virtio_net_params p = {
		.pairs = 1, .tx_budget = budget,
		.be = { fb_send, fb_recv, fb_watch, fb_resched, fb_offload,
			fb_pairs, .set_rx_filter = fb_filter },
	};

	memset(&be, 0, sizeof(be));
	memcpy(p.mac, mac, 6);
	fv_init(&fd);
	if (virtio_net_create(&fd.mem, &p, &dev))
		return -1;
	fv_start(&fd, dev, features, 3, 64);
	return 0;
}

static int setup(void **state)
{
	return start(BASE | F_CSUM | F_HOST_TSO4 | F_GUEST_CSUM |
			     F_GUEST_TSO4 | F_CTRL_OFFL | F_ANNOUNCE |
			     F_MAC_ADDR, 0);
}

static int setup_mrg(void **state)
{
	return start(BASE | F_MRG, 0);
}

static int setup_extra(void **state)
{
	return start(BASE | F_RX_EXTRA | F_MAC_ADDR, 0);
}

static int setup_budget(void **state)
{
	return start(BASE, 4);
}

static int teardown(void **state)
{
	fv_fini(&fd);
	return 0;
}

static uint32_t used_len(unsigned q, unsigned i)
{
	uint32_t id, len;

	fv_used_elem(&fd, q, i, &id, &len);
	return len;
}

/* tx chain at slot s: a header with flags/gso, then `len` payload bytes
 * in a second descriptor. */
static void tx_packet(unsigned s, uint8_t flags, uint8_t gso, uint32_t len)
{
	uint64_t a = FV_BUF + 0x1000ull * s;

	memset(fd.host + a, 0, HDR);
	fd.host[a] = flags;
	fd.host[a + 1] = gso;
	memset(fd.host + a + 0x100, 0x5a, len);
	fv_desc(&fd, TXQ, 2 * s, a, HDR, N, 2 * s + 1);
	fv_desc(&fd, TXQ, 2 * s + 1, a + 0x100, len, 0, 0);
	fv_publish(&fd, TXQ, 2 * s);
}

static void test_tx_offloads(void **state)
{
	struct virtio_net_stats st;

	tx_packet(0, 0, 0, 60);
	tx_packet(1, 1, 1, 100);	/* NEEDS_CSUM, TCPv4 GSO */
	tx_packet(2, 0, 4, 100);	/* TCPv6 GSO: not negotiated */
	virtio_notify_queue(dev, TXQ);
	assert_int_equal(fv_used_idx(&fd, TXQ), 3);
	assert_int_equal(be.nsent, 2);
	assert_int_equal(be.sent_len[0], HDR + 60);
	assert_int_equal(be.sent[1][0], 1);
	assert_int_equal(be.sent[1][1], 1);
	assert_int_equal(be.sent[1][HDR + 99], 0x5a);
	virtio_net_get_stats(dev, &st);
	assert_int_equal(st.tx_dropped, 1);
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(fd.queue_irqs[TXQ], 1);
	/* The guest's offloads reached the backend at DRIVER_OK. */
	assert_int_equal(be.offload, VNET_OFFLOAD_CSUM | VNET_OFFLOAD_TSO4);
}

/* The header the backend sends is the one the device checked: a guest
 * that rewrites it in its own memory after the check changes nothing. */
static void test_tx_header_fetched_once(void **state)
{
	tx_packet(0, 0, 0, 60);
	be.rewrite = fd.host + FV_BUF;
	virtio_notify_queue(dev, TXQ);
	be.rewrite = NULL;
	assert_int_equal(be.nsent, 1);
	assert_int_equal(fd.host[FV_BUF + 1], 4);
	assert_int_equal(be.sent[0][1], 0);
	assert_int_equal(be.sent_len[0], HDR + 60);
	assert_int_equal(be.sent[0][HDR + 59], 0x5a);
}

static void test_tx_backend_full(void **state)
{
	be.send_ret = -EAGAIN;
	tx_packet(0, 0, 0, 60);
	virtio_notify_queue(dev, TXQ);
	assert_int_equal(fv_used_idx(&fd, TXQ), 0);
	assert_true(be.tx_watch);
	be.send_ret = 0;
	virtio_net_tx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, TXQ), 1);
	assert_int_equal(be.nsent, 1);
	assert_false(be.tx_watch);
}

static void test_tx_budget(void **state)
{
	unsigned s;

	for (s = 0; s < 10; s++)
		tx_packet(s, 0, 0, 60);
	virtio_notify_queue(dev, TXQ);
	assert_int_equal(fv_used_idx(&fd, TXQ), 4);
	assert_int_equal(be.reschedules, 1);
	virtio_net_tx_ready(dev, 0);
	virtio_net_tx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, TXQ), 10);
	assert_int_equal(be.reschedules, 2);
}

static void test_tx_short_header(void **state)
{
	fv_desc(&fd, TXQ, 0, FV_BUF, HDR - 1, 0, 0);
	fv_kick(&fd, TXQ, 0);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(be.sends, 0);
}

static void test_tx_chain_too_long(void **state)
{
	/* 64 KiB + header + 1 byte over two descriptors. */
	fv_desc(&fd, TXQ, 0, FV_BUF, HDR, N, 1);
	fv_desc(&fd, TXQ, 1, FV_BUF + 0x1000, 65537, 0, 0);
	fv_kick(&fd, TXQ, 0);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(be.sends, 0);
}

static void test_tx_writable_buffer(void **state)
{
	fv_desc(&fd, TXQ, 0, FV_BUF, 64, W, 0);
	fv_kick(&fd, TXQ, 0);
	assert_true(fv_needs_reset(&fd));
}

/* rx buffer at slot s of len bytes. */
static void rx_buffer(unsigned s, uint32_t len)
{
	uint64_t a = FV_BUF + 0x1000ull * s;

	memset(fd.host + a, 0, len);
	fv_desc(&fd, RXQ, s, a, len, W, 0);
	fv_publish(&fd, RXQ, s);
}

static void test_rx_single(void **state)
{
	uint8_t *b = fd.host + FV_BUF;

	assert_true(be.rx_watch);
	rx_buffer(0, 1600);
	backend_packet(mac, HDR + 100, 0x77);
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 1);
	assert_int_equal(used_len(RXQ, 0), HDR + 100);
	assert_int_equal(b[10], 1);	/* num_buffers */
	assert_memory_equal(b + HDR, mac, 6);
	assert_int_equal(b[HDR + 99], 0x77);
	assert_int_equal(fd.queue_irqs[RXQ], 1);
	assert_true(be.rx_watch);
}

static void test_rx_ring_full_stops_reading(void **state)
{
	struct virtio_net_stats st;

	backend_packet(mac, HDR + 100, 1);
	backend_packet(mac, HDR + 100, 2);
	virtio_net_rx_ready(dev, 0);
	/* One packet taken and held; the backend is no longer watched. */
	assert_int_equal(be.rx_next, 1);
	assert_false(be.rx_watch);
	rx_buffer(0, 1600);
	rx_buffer(1, 1600);
	virtio_notify_queue(dev, RXQ);
	assert_int_equal(fv_used_idx(&fd, RXQ), 2);
	assert_int_equal(fd.host[FV_BUF + 0x1000 + HDR + 99], 2);
	assert_true(be.rx_watch);
	/* A packet larger than a single buffer is dropped, not truncated. */
	rx_buffer(2, 200);
	backend_packet(mac, HDR + 1000, 3);
	virtio_net_rx_ready(dev, 0);
	virtio_net_get_stats(dev, &st);
	assert_int_equal(st.rx_dropped, 1);
	assert_int_equal(fv_used_idx(&fd, RXQ), 2);
}

/* n rx buffers of 1600 bytes, and n 60-byte frames in the backend. */
static void rx_buffers_and_packets(unsigned n)
{
	unsigned s;

	for (s = 0; s < n; s++) {
		rx_buffer(s, 1600);
		backend_packet(mac, HDR + 60, (uint8_t)s);
	}
}

/* A burst is one pass and one interrupt check: one interrupt while the
 * driver asks for it (used_event), none while it polls (used_event left
 * behind), one again once it re-arms. */
static void test_rx_burst_one_interrupt(void **state)
{
	struct virtio_net_stats st;

	rx_buffers_and_packets(24);
	be.nrx = 8;
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 8);
	assert_int_equal(fd.queue_irqs[RXQ], 1);
	be.nrx = 16; /* the driver still polls: used_event is 0 */
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 16);
	assert_int_equal(fd.queue_irqs[RXQ], 1);
	fv_set_used_event(&fd, RXQ, 16); /* done polling: re-armed */
	be.nrx = 24;
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 24);
	assert_int_equal(fd.queue_irqs[RXQ], 2);
	virtio_net_get_stats(dev, &st);
	assert_int_equal(st.rx_runs, 3);
	assert_int_equal(st.rx_irqs, 2);
	assert_int_equal(st.rx_full, 0);
	assert_true(be.rx_watch);
}

/* A flood is served `budget` packets a pass: the backend stays watched
 * (the loop comes back after its other sources), one interrupt check a
 * pass. */
static void test_rx_budget(void **state)
{
	struct virtio_net_stats st;

	rx_buffers_and_packets(10);
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 4);
	assert_int_equal(be.rx_next, 4);
	assert_true(be.rx_watch);
	fv_set_used_event(&fd, RXQ, 4);
	virtio_net_rx_ready(dev, 0);
	fv_set_used_event(&fd, RXQ, 8);
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 10);
	assert_int_equal(fd.queue_irqs[RXQ], 3);
	assert_true(be.rx_watch);
	virtio_net_get_stats(dev, &st);
	assert_int_equal(st.rx_budget_hits, 2);
	assert_int_equal(st.rx_runs, 3);
}

/* Out of buffers: one pass stops reading; the driver's refill kick
 * resumes it (and is the only way back: no polling meanwhile). */
static void test_rx_refill_kick_resumes(void **state)
{
	struct virtio_net_stats st;
	unsigned s;

	for (s = 0; s < 6; s++)
		backend_packet(mac, HDR + 60, (uint8_t)s);
	rx_buffer(0, 1600);
	rx_buffer(1, 1600);
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 2);
	assert_false(be.rx_watch);
	/* The device asked for a kick at the next buffer. */
	assert_int_equal(fv_avail_event(&fd, RXQ), 2);
	virtio_net_get_stats(dev, &st);
	assert_int_equal(st.rx_full, 1);
	for (s = 2; s < 6; s++)
		rx_buffer(s, 1600);
	virtio_notify_queue(dev, RXQ);
	assert_int_equal(fv_used_idx(&fd, RXQ), 6);
	assert_true(be.rx_watch);
}

static void test_rx_merge(void **state)
{
	uint8_t *b = fd.host + FV_BUF;
	unsigned i;

	for (i = 0; i < 4; i++)
		rx_buffer(i, 512);
	backend_packet(mac, HDR + 1200, 0x33);
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 3);
	assert_int_equal(b[10], 3);
	assert_int_equal(used_len(RXQ, 0), 512);
	assert_int_equal(used_len(RXQ, 1), 512);
	assert_int_equal(used_len(RXQ, 2), HDR + 1200 - 1024);
	assert_int_equal(b[0x2000 + HDR + 1200 - 1024 - 1], 0x33);
	/* The fourth buffer stays for the next packet. */
	backend_packet(mac, HDR + 20, 0x44);
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 4);
	assert_int_equal(b[0x3000 + 10], 1);
	assert_int_equal(b[0x3000 + HDR + 19], 0x44);
}

static void test_rx_merge_waits_for_more(void **state)
{
	rx_buffer(0, 512);
	backend_packet(mac, HDR + 1000, 0x33);
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 0);
	assert_false(be.rx_watch);
	rx_buffer(1, 512);
	rx_buffer(2, 512);
	virtio_notify_queue(dev, RXQ);
	assert_int_equal(fv_used_idx(&fd, RXQ), 2);
	assert_int_equal(fd.host[FV_BUF + 10], 2);
}

static void test_rx_buffer_below_header(void **state)
{
	rx_buffer(0, HDR - 2);
	backend_packet(mac, HDR + 20, 1);
	virtio_net_rx_ready(dev, 0);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, RXQ), 0);
	/* Reset and restart: the device works again. */
	virtio_set_status(dev, 0);
	fv_start(&fd, dev, BASE | F_MRG, 3, 64);
	assert_false(fv_needs_reset(&fd));
	rx_buffer(0, 256);
	backend_packet(mac, HDR + 20, 1);
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 1);
}

/* A control command at FV_BUF + 0x8000 (slot s): class, cmd, data; ack
 * byte at +0x800.  Returns the ack. */
static uint8_t ctrl(unsigned s, uint8_t cls, uint8_t cmd, const void *data,
		    uint32_t len)
{
	uint64_t a = FV_BUF + 0x8000 + 0x1000ull * s;

	fd.host[a] = cls;
	fd.host[a + 1] = cmd;
	if (len)
		memcpy(fd.host + a + 2, data, len);
	fd.host[a + 0x800] = 0xee;
	fv_desc(&fd, CTRLQ, 2 * s, a, 2 + len, N, 2 * s + 1);
	fv_desc(&fd, CTRLQ, 2 * s + 1, a + 0x800, 1, W, 0);
	fv_kick(&fd, CTRLQ, 2 * s);
	return fd.host[a + 0x800];
}

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* The filter the backend was given last: all, or allmulti and the list
 * of n addresses that follow. */
static void filter_is(bool all, bool allmulti, unsigned n, ...)
{
	va_list ap;
	unsigned i;

	assert_int_equal(be.filter.all, all);
	if (all)
		return;
	assert_int_equal(be.filter.allmulti, allmulti);
	assert_int_equal(be.filter.n, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_memory_equal(be.filter.mac[i], va_arg(ap, uint8_t *),
				    6);
	va_end(ap);
}

/* A MAC table command's data: nu unicast entries (u, u+1, ...: the last
 * byte counts up), nm multicast ones (m, m+1, ...).  Its length. */
static uint32_t mac_tables(uint8_t *raw, uint32_t nu, const uint8_t *u,
			   uint32_t nm, const uint8_t *m)
{
	uint32_t i, off = 0;

	memcpy(raw, &nu, 4);
	for (i = 0; i < nu; i++) {
		memcpy(raw + 4 + 6 * i, u, 6);
		raw[4 + 6 * i + 5] += (uint8_t)i;
	}
	off = 4 + 6 * nu;
	memcpy(raw + off, &nm, 4);
	for (i = 0; i < nm; i++) {
		memcpy(raw + off + 4 + 6 * i, m, 6);
		raw[off + 4 + 6 * i + 5] += (uint8_t)i;
	}
	return off + 4 + 6 * nm;
}

/* The RX mode and MAC table reach the backend as a list of destinations
 * (the device no longer filters itself): promisc until the driver turns
 * it off, then the MAC and broadcast, then the tables.  Malformed
 * commands change nothing; a reset passes everything again. */
static void test_ctrl_rx_mode_and_filter(void **state)
{
	static const uint8_t other[6] = { 2, 0, 0, 0, 0, 9 };
	static const uint8_t mcast[6] = { 1, 0, 0x5e, 0, 0, 1 };
	struct virtio_net_stats st;
	uint8_t off = 0, on = 1, raw[64];
	unsigned calls;

	assert_int_equal(be.filters, 0);
	assert_int_equal(ctrl(0, 0, 0, &off, 1), 0);	/* promisc off */
	filter_is(false, false, 2, mac, bcast);
	assert_int_equal(ctrl(1, 1, 0, raw, mac_tables(raw, 1, other, 1,
							  mcast)), 0);
	filter_is(false, false, 4, mac, other, bcast, mcast);
	calls = be.filters;
	/* An entry count beyond the command: ERR, the table unchanged. */
	raw[10] = 9;		/* the multicast count */
	assert_int_equal(ctrl(2, 1, 0, raw, 20), 1);
	/* A promisc command without its byte. */
	assert_int_equal(ctrl(3, 0, 0, NULL, 0), 1);
	assert_int_equal(be.filters, calls);
	filter_is(false, false, 4, mac, other, bcast, mcast);
	assert_int_equal(ctrl(4, 0, 1, &on, 1), 0);	/* allmulti */
	filter_is(false, true, 4, mac, other, bcast, mcast);
	assert_int_equal(ctrl(5, 0, 0, &on, 1), 0);	/* promisc on */
	filter_is(true, false, 0);
	assert_int_equal(ctrl(6, 0, 0, &off, 1), 0);
	filter_is(false, true, 4, mac, other, bcast, mcast);
	/* Every frame reaches the guest's buffers: the backend filters. */
	backend_packet(other, HDR + 60, 1);
	backend_packet(mac, HDR + 60, 3);
	rx_buffer(0, 256);
	rx_buffer(1, 256);
	virtio_net_rx_ready(dev, 0);
	assert_int_equal(fv_used_idx(&fd, RXQ), 2);
	virtio_net_get_stats(dev, &st);
	assert_int_equal(st.rx_filtered, 0);
	/* A reset: no filter (promisc), until the next driver says. */
	calls = be.filters;
	virtio_set_status(dev, 0);
	assert_int_equal(be.filters, calls + 1);
	filter_is(true, false, 0);
}

/* The extra modes and the table sizes: what a list cannot say passes
 * everything (alluni, a unicast table too large), allmulti stands for a
 * multicast table too large, nouni/nobcast/nomulti leave entries out,
 * and a list left empty is no filter.  A new MAC replaces the old. */
static void test_ctrl_rx_filter_modes(void **state)
{
	static const uint8_t u[6] = { 2, 0, 0, 0, 1, 0 };
	static const uint8_t m[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	static const uint8_t nmac[6] = { 0x02, 1, 2, 3, 4, 5 };
	uint8_t off = 0, on = 1, raw[1024];

	assert_int_equal(ctrl(0, 0, 0, &off, 1), 0);
	assert_int_equal(ctrl(1, 1, 0, raw, mac_tables(raw, 0, u, 1, m)), 0);
	filter_is(false, false, 3, mac, bcast, m);
	assert_int_equal(ctrl(2, 0, 2, &on, 1), 0);	/* alluni */
	filter_is(true, false, 0);
	assert_int_equal(ctrl(3, 0, 2, &off, 1), 0);
	assert_int_equal(ctrl(4, 0, 4, &on, 1), 0);	/* nouni */
	filter_is(false, false, 2, bcast, m);
	assert_int_equal(ctrl(5, 0, 5, &on, 1), 0);	/* nobcast */
	filter_is(false, false, 1, m);
	assert_int_equal(ctrl(6, 0, 3, &on, 1), 0);	/* nomulti: empty */
	filter_is(true, false, 0);
	assert_int_equal(ctrl(7, 0, 4, &off, 1), 0);
	filter_is(false, false, 1, mac);
	assert_int_equal(ctrl(8, 0, 3, &off, 1), 0);
	assert_int_equal(ctrl(9, 0, 5, &off, 1), 0);
	/* 65 multicast entries: all multicast instead. */
	assert_int_equal(ctrl(10, 1, 0, raw, mac_tables(raw, 1, u, 65, m)),
			 0);
	filter_is(false, true, 3, mac, u, bcast);
	/* 65 unicast entries: no filter. */
	assert_int_equal(ctrl(11, 1, 0, raw, mac_tables(raw, 65, u, 0, m)),
			 0);
	filter_is(true, false, 0);
	assert_int_equal(ctrl(12, 1, 0, raw, mac_tables(raw, 0, u, 0, m)), 0);
	filter_is(false, false, 2, mac, bcast);
	assert_int_equal(ctrl(13, 1, 1, nmac, 6), 0);	/* MAC_ADDR_SET */
	filter_is(false, false, 2, nmac, bcast);
	assert_false(fv_needs_reset(&fd));
}

static void test_ctrl_mac_offloads_announce(void **state)
{
	static const uint8_t nmac[6] = { 0x02, 1, 2, 3, 4, 5 };
	uint64_t offl = F_GUEST_CSUM, bad = F_GUEST_TSO4 | FV_F(8);
	uint8_t cfg[10];

	assert_int_equal(ctrl(0, 1, 1, nmac, 6), 0);
	virtio_config_read(dev, 0, cfg, 10);
	assert_memory_equal(cfg, nmac, 6);
	assert_int_equal(cfg[6], 1);	/* link up */
	assert_int_equal(ctrl(1, 5, 0, &offl, 8), 0);
	assert_int_equal(be.offload, VNET_OFFLOAD_CSUM);
	assert_int_equal(ctrl(2, 5, 0, &bad, 8), 1);	/* TSO6 not ours */
	virtio_net_announce(dev);
	virtio_config_read(dev, 0, cfg, 10);
	assert_int_equal(cfg[6], 3);
	assert_int_equal(ctrl(3, 3, 0, NULL, 0), 0);
	virtio_config_read(dev, 0, cfg, 10);
	assert_int_equal(cfg[6], 1);
	/* The configured MAC comes back after a reset. */
	virtio_set_status(dev, 0);
	virtio_config_read(dev, 0, cfg, 10);
	assert_memory_equal(cfg, mac, 6);
}

static void test_ctrl_unknown_and_short(void **state)
{
	uint64_t a = FV_BUF + 0x8000;

	assert_int_equal(ctrl(0, 9, 0, NULL, 0), 1);	/* unknown class */
	assert_int_equal(ctrl(1, 2, 0, NULL, 0), 1);	/* VLAN: not offered */
	assert_int_equal(ctrl(2, 4, 0, "\1", 2), 1);	/* MQ: not offered */
	/* One byte of command. */
	fd.host[a + 0x800] = 0xee;
	fv_desc(&fd, CTRLQ, 0, a, 1, N, 1);
	fv_desc(&fd, CTRLQ, 1, a + 0x800, 1, W, 0);
	fv_kick(&fd, CTRLQ, 0);
	assert_int_equal(fd.host[a + 0x800], 1);
	assert_false(fv_needs_reset(&fd));
	/* No room for the ack: the device breaks. */
	fv_desc(&fd, CTRLQ, 0, a, 3, 0, 0);
	fv_kick(&fd, CTRLQ, 0);
	assert_true(fv_needs_reset(&fd));
}

/* Two pairs: queues rx0 tx0 rx1 tx1, control queue 4. */
static void test_ctrl_mq(void **state)
{
	struct virtio_net_params p = {
		.pairs = 2,
		.be = { fb_send, fb_recv, fb_watch, fb_resched, fb_offload,
			fb_pairs, .opaque = NULL },
	};
	uint64_t a = FV_BUF + 0x8000;
	uint16_t pairs;
	uint8_t cfg[10];

	teardown(state);
	memset(&be, 0, sizeof(be));
	memcpy(p.mac, mac, 6);
	fv_init(&fd);
	assert_int_equal(virtio_net_create(&fd.mem, &p, &dev), 0);
	fv_start(&fd, dev, BASE | FV_F(22), 5, 64);
	virtio_config_read(dev, 0, cfg, 10);
	assert_int_equal(cfg[8], 2);		/* max_virtqueue_pairs */
	assert_int_equal(be.pairs, 1);		/* one pair until told */
	for (pairs = 3; pairs != 0xffff; pairs = pairs == 3 ? 0 : 0xffff) {
		memcpy(fd.host + a + 2, &pairs, 2);
		fd.host[a] = 4;
		fd.host[a + 1] = 0;
		fv_desc(&fd, 4, 0, a, 4, N, 1);
		fv_desc(&fd, 4, 1, a + 0x800, 1, W, 0);
		fv_kick(&fd, 4, 0);
		assert_int_equal(fd.host[a + 0x800], 1);	/* 3, 0: ERR */
	}
	pairs = 2;
	memcpy(fd.host + a + 2, &pairs, 2);
	fv_kick(&fd, 4, 0);
	assert_int_equal(fd.host[a + 0x800], 0);
	assert_int_equal(be.pairs, 2);
	/* A tx kick on pair 1 now reaches the backend. */
	memset(fd.host + FV_BUF, 0, 12);
	fv_desc(&fd, 3, 0, FV_BUF, 72, 0, 0);
	fv_kick(&fd, 3, 0);
	assert_int_equal(be.nsent, 1);
	assert_false(fv_needs_reset(&fd));
}

static void test_create_checks(void **state)
{
	struct virtio_net_params p = { .pairs = 0 };
	struct virtio_dev *d;

	p.be.send = fb_send;
	p.be.recv = fb_recv;
	assert_int_equal(virtio_net_create(&fd.mem, &p, &d), -EINVAL);
	p.pairs = 1;
	p.mac[0] = 1;	/* multicast */
	assert_int_equal(virtio_net_create(&fd.mem, &p, &d), -EINVAL);
}

/* Every ring is offered with VIRTIO_NET_QUEUE_SIZE entries unless the
 * caller asks for fewer (--net ...,queue-size=). */
static void test_queue_size(void **state)
{
	struct virtio_net_params p = {
		.pairs = 1, .queue_size = 256,
		.be = { fb_send, fb_recv, fb_watch, fb_resched, fb_offload,
			fb_pairs, .opaque = NULL },
	};
	struct virtio_dev *d;
	unsigned q;

	assert_int_equal(VIRTIO_NET_QUEUE_SIZE, 1024);
	for (q = 0; q < 3; q++)
		assert_int_equal(dev->vq[q].cfg.max_size, 1024);
	memcpy(p.mac, mac, 6);
	assert_int_equal(virtio_net_create(&fd.mem, &p, &d), 0);
	for (q = 0; q < 3; q++)
		assert_int_equal(d->vq[q].cfg.max_size, 256);
	virtio_dev_destroy(d);
	p.queue_size = 384;	/* not a power of two */
	assert_int_equal(virtio_net_create(&fd.mem, &p, &d), -EINVAL);
}

static void test_validate_features(void **state)
{
	/* GUEST_TSO4 without GUEST_CSUM is refused at FEATURES_OK. */
	virtio_set_status(dev, 0);
	assert_false(fv_negotiate(&fd, dev, BASE | F_GUEST_TSO4) &
		     VIRTIO_STATUS_FEATURES_OK);
}

#define T(f, s) cmocka_unit_test_setup_teardown(f, s, teardown)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tx_offloads, setup),
		T(test_tx_header_fetched_once, setup),
		T(test_tx_backend_full, setup),
		T(test_tx_budget, setup_budget),
		T(test_tx_short_header, setup),
		T(test_tx_chain_too_long, setup),
		T(test_tx_writable_buffer, setup),
		T(test_rx_single, setup),
		T(test_rx_ring_full_stops_reading, setup),
		T(test_rx_burst_one_interrupt, setup),
		T(test_rx_budget, setup_budget),
		T(test_rx_refill_kick_resumes, setup),
		T(test_rx_merge, setup_mrg),
		T(test_rx_merge_waits_for_more, setup_mrg),
		T(test_rx_buffer_below_header, setup_mrg),
		T(test_ctrl_rx_mode_and_filter, setup),
		T(test_ctrl_rx_filter_modes, setup_extra),
		T(test_ctrl_mac_offloads_announce, setup),
		T(test_ctrl_unknown_and_short, setup),
		T(test_ctrl_mq, setup),
		T(test_create_checks, setup),
		T(test_validate_features, setup),
		T(test_queue_size, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
