/* Fuzz target: the virtio-net transmit and receive paths (ring walk,
 * header and length checks, GSO checks, mergeable receive buffers, the
 * tx budget) against guest memory the fuzzer writes and a fake backend.
 * Input: byte 0 flags (bit 0 negotiate CSUM/HOST_TSO4/HOST_UFO, bit 1
 * MRG_RXBUF, bit 2 the backend is full, bit 3 reset and poke the device
 * afterwards, bit 4 a budget of 2, bits 5-7 the received packets' size
 * class); the rest is guest memory from 0x1000: the rx queue's rings
 * (16 entries) at 0x1000/0x2000/0x3000, the tx queue's at
 * 0x4000/0x5000/0x6000.  The backend checks every packet it is handed is
 * a header plus at most 64 KiB, and received packets are never written
 * past what the used ring reports. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fake_virtq.h"
#include "virtio/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned rx_left;
static size_t rx_size;
static bool full;

static ssize_t fz_send(void *o, unsigned pair, const struct iovec *iov,
		       unsigned n)
{
	size_t len = 0;
	unsigned i;

	if (full)
		return -EAGAIN;
	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (pair || len < VIRTIO_NET_HDR_LEN ||
	    len > VIRTIO_NET_HDR_LEN + VIRTIO_NET_MAX_PKT)
		abort();
	return (ssize_t)len;
}

static ssize_t fz_recv(void *o, unsigned pair, void *buf, size_t len)
{
	if (!rx_left || pair)
		return -EAGAIN;
	if (len < rx_size)
		abort();
	rx_left--;
	memset(buf, 0, rx_size);
	memset(buf, 0x52, VIRTIO_NET_HDR_LEN + 1);	/* unicast dst */
	return (ssize_t)rx_size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[8] = { 13, 60, 100, 1514, 4000, 9000,
					 30000, 65548 };
	struct virtio_net_params p = {
		.mac = { 0x52, 0x54, 0, 1, 2, 3 },
		.pairs = 1,
		.queue_size = 16,
		.be = { .send = fz_send, .recv = fz_recv },
	};
	uint64_t features = FV_CORE_FEATURES;
	struct fake_driver f;
	struct virtio_dev *dev;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	full = flags & 4;
	rx_left = 3;
	rx_size = sizes[flags >> 5];
	p.tx_budget = flags & 16 ? 2 : 0;
	fv_init(&f);
	if (virtio_net_create(&f.mem, &p, &dev))
		abort();
	if (flags & 1)
		features |= FV_F(0) | FV_F(11) | FV_F(14);
	if (flags & 2)
		features |= FV_F(15);
	fv_start(&f, dev, features, 3, 16);
	size--;
	if (size > FV_LOW - FV_RING(0))
		size = FV_LOW - FV_RING(0);
	memcpy(f.host + FV_RING(0), data + 1, size);

	virtio_notify_queue(dev, 1);
	virtio_net_rx_ready(dev, 0);
	virtio_notify_queue(dev, 0);
	full = false;
	if (flags & 8)
		virtio_set_status(dev, 0);
	virtio_net_tx_ready(dev, 0);
	virtio_net_rx_ready(dev, 0);
	fv_fini(&f);
	return 0;
}
