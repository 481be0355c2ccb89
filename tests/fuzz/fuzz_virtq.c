/* Fuzz target: the virtqueue walker (split and packed rings) and
 * used-ring pushes against guest memory the fuzzer writes (the guest is
 * hostile).  Input: byte 0 picks the features (bit 0 INDIRECT_DESC, bit 1
 * EVENT_IDX, bit 2 RING_PACKED), byte 1 the queue size (1 << (b % 9)),
 * byte 2 the iovec capacity (1..64); the rest is guest memory from
 * 0x1000, where the descriptor table (or packed ring) starts, with the
 * available ring (or the driver's event suppression) at 0x2000 and the
 * used ring (or ours) at 0x3000.  Every chain the walker returns must lie
 * inside guest RAM; a malformed ring must leave the device in
 * NEEDS_RESET. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fake_virtq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless [p, p+len) lies inside the fake RAM. */
static void check_inside(struct fake_driver *f, const struct iovec *v)
{
	const uint8_t *p = v->iov_base;

	if (p < f->host || v->iov_len > FV_RAM ||
	    (size_t)(p - f->host) > FV_RAM - v->iov_len || !v->iov_len)
		abort();
}

static void walk_all(struct fake_driver *f, struct virtq *vq,
		     unsigned max_iov)
{
	struct iovec iov[64];
	struct virtq_chain c;
	unsigned i, pops = 0;
	int r;

	while ((r = virtq_pop(vq, iov, max_iov, &c)) == 1) {
		if (c.n_out + c.n_in > max_iov ||
		    (!vq->packed && c.head >= vq->cfg.size))
			abort();
		for (i = 0; i < c.n_out + c.n_in; i++)
			check_inside(f, &iov[i]);
		for (i = c.n_out; i < c.n_out + c.n_in; i++)
			memset(iov[i].iov_base, 0x5a, iov[i].iov_len);
		virtq_push(vq, c.head, (uint32_t)c.in_bytes);
		virtq_notify(vq);
		if (++pops > vq->cfg.size)
			abort();	/* the avail check bounds this */
	}
	if (r < 0 && !(f->dev->status & VIRTIO_STATUS_NEEDS_RESET))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_driver f;
	struct fv_dev *t;
	uint64_t features = FV_F(VIRTIO_F_VERSION_1);
	unsigned max_iov;

	if (size < 3)
		return 0;
	fv_init(&f);
	t = fv_dev_new(&f, 1, 256, FV_F(VIRTIO_F_RING_PACKED));
	if (!t)
		abort();
	if (data[0] & 1)
		features |= FV_F(VIRTIO_F_RING_INDIRECT_DESC);
	if (data[0] & 2)
		features |= FV_F(VIRTIO_F_RING_EVENT_IDX);
	if (data[0] & 4)
		features |= FV_F(VIRTIO_F_RING_PACKED);
	fv_start(&f, &t->vdev, features, 1, (uint16_t)(1u << (data[1] % 9)));
	max_iov = data[2] % 64 + 1;
	size -= 3;
	if (size > FV_LOW - FV_RING(0))
		size = FV_LOW - FV_RING(0);
	memcpy(f.host + FV_RING(0), data + 3, size);
	virtio_dev_lock(&t->vdev);
	walk_all(&f, virtio_dev_queue(&t->vdev, 0), max_iov);
	virtio_dev_unlock(&t->vdev);
	fv_fini(&f);
	return 0;
}
