/* Fuzz target: the virtio-net control queue (command parsing, MAC
 * tables, receive modes, queue pairs, guest offloads) and the receive
 * filter behind it.  Input: byte 0 selects the features (bit 0 MQ with 3
 * pairs, bit 1 CTRL_RX_EXTRA, bit 2 CTRL_GUEST_OFFLOADS with GUEST_CSUM
 * and GUEST_TSO4, bit 3 CTRL_MAC_ADDR and GUEST_ANNOUNCE); the rest is
 * guest memory from 0x1000.  The control queue (16 entries) is queue 2
 * (rings at 0x7000/0x8000/0x9000) or queue 6 with MQ
 * (0x13000/0x14000/0x15000).  The backend checks that the pair count
 * and offloads it is given are within what was offered and negotiated,
 * and that a receive filter list is not empty and fits. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fake_virtq.h"
#include "virtio/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned max_pairs, allowed_offloads;
static unsigned rx_left;

static ssize_t fz_send(void *o, unsigned pair, const struct iovec *iov,
		       unsigned n)
{
	return -EIO;
}

static ssize_t fz_recv(void *o, unsigned pair, void *buf, size_t len)
{
	uint8_t *b = buf;

	if (!rx_left)
		return -EAGAIN;
	rx_left--;
	memset(b, 0, 80);
	b[12] = (uint8_t)(rx_left & 3 ? 0x01 : 0x52);	/* multicast or not */
	return 80;
}

static int fz_pairs(void *o, unsigned pairs)
{
	if (!pairs || pairs > max_pairs)
		abort();
	return 0;
}

static int fz_offload(void *o, unsigned fl)
{
	if (fl & ~allowed_offloads)
		abort();
	return 0;
}

static int fz_filter(void *o, const struct vnet_rx_filter *f)
{
	if (!f->all && (!f->n || f->n > VNET_FILTER_MAX))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_params p = {
		.mac = { 0x52, 0x54, 0, 1, 2, 3 },
		.queue_size = 16,
		.be = { .send = fz_send, .recv = fz_recv,
			.set_pairs = fz_pairs, .set_offload = fz_offload,
			.set_rx_filter = fz_filter },
	};
	/* MAC, STATUS, CTRL_VQ, CTRL_RX. */
	uint64_t features = FV_CORE_FEATURES | FV_F(5) | FV_F(16) |
			    FV_F(17) | FV_F(18);
	struct fake_driver f;
	struct virtio_dev *dev;
	unsigned ctrlq, k;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	max_pairs = p.pairs = flags & 1 ? 3 : 1;
	allowed_offloads = 0;
	ctrlq = 2 * p.pairs;
	fv_init(&f);
	if (virtio_net_create(&f.mem, &p, &dev))
		abort();
	if (flags & 1)
		features |= FV_F(22);
	if (flags & 2)
		features |= FV_F(20);
	if (flags & 4) {
		features |= FV_F(2) | FV_F(1) | FV_F(7);
		allowed_offloads = VNET_OFFLOAD_CSUM | VNET_OFFLOAD_TSO4;
	}
	if (flags & 8)
		features |= FV_F(23) | FV_F(21);
	fv_start(&f, dev, features, ctrlq + 1, 16);
	size--;
	if (size > FV_LOW - FV_RING(0))
		size = FV_LOW - FV_RING(0);
	memcpy(f.host + FV_RING(0), data + 1, size);

	virtio_notify_queue(dev, ctrlq);
	virtio_net_announce(dev);
	virtio_notify_queue(dev, ctrlq);
	/* Packets through whatever filter the commands set up. */
	rx_left = 8;
	for (k = 0; k < p.pairs; k++)
		virtio_net_rx_ready(dev, k);
	fv_fini(&f);
	return 0;
}
