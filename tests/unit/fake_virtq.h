/* A fake virtio driver for device tests: fake guest memory with a scaled
 * down MMIO hole, a transport that counts interrupts, and helpers that
 * negotiate, set up split rings and build descriptor chains the way a
 * guest driver would. */
#ifndef VIREO_TESTS_FAKE_VIRTQ_H
#define VIREO_TESTS_FAKE_VIRTQ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/gmem.h"
#include "virtio/virtio.h"
#include "virtio/virtq.h"

/* RAM: [0, 1 MiB) low, hole [1 MiB, 2 MiB), [2 MiB, 2 MiB + 64 KiB) high. */
#define FV_LOW		0x100000ull
#define FV_HIGH		0x200000ull
#define FV_RAM		(FV_LOW + 0x10000ull)
#define FV_QUEUES	8
/* Queue q's rings: desc at FV_RING(q), avail +0x1000, used +0x2000. */
#define FV_RING(q)	(0x1000ull + 0x3000ull * (q))
/* A free area for buffers and indirect tables. */
#define FV_BUF		0x40000ull

struct fake_driver {
	uint8_t *host;
	struct gmem mem;
	struct virtio_dev *dev;
	unsigned queue_irqs[FV_QUEUES];
	unsigned config_irqs;
	uint16_t size[FV_QUEUES];
	uint16_t avail_idx[FV_QUEUES];
};

static inline void fv_raise_queue(void *opaque, unsigned q)
{
	struct fake_driver *f = opaque;

	if (q < FV_QUEUES)
		f->queue_irqs[q]++;
}

static inline void fv_raise_config(void *opaque)
{
	struct fake_driver *f = opaque;

	f->config_irqs++;
}

static inline void fv_init(struct fake_driver *f)
{
	memset(f, 0, sizeof(*f));
	f->host = calloc(1, FV_RAM);
	gmem_layout(&f->mem, f->host, FV_RAM, FV_LOW, FV_HIGH);
}

static inline void fv_fini(struct fake_driver *f)
{
	virtio_dev_destroy(f->dev);
	free(f->host);
}

static inline void *fv_ptr(struct fake_driver *f, uint64_t gpa, uint64_t len)
{
	return gmem_ptr(&f->mem, gpa, len);
}

/* Attach to dev and negotiate: ACKNOWLEDGE, DRIVER, features,
 * FEATURES_OK.  Returns the status read back. */
static inline uint8_t fv_negotiate(struct fake_driver *f,
				   struct virtio_dev *dev, uint64_t features)
{
	struct virtio_transport t = { .raise_queue = fv_raise_queue,
				       .raise_config = fv_raise_config,
				       .opaque = f };

	f->dev = dev;
	virtio_set_transport(dev, &t);
	virtio_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE |
				       VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features(dev, 0, (uint32_t)features);
	virtio_set_driver_features(dev, 1, (uint32_t)(features >> 32));
	virtio_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE |
				       VIRTIO_STATUS_DRIVER |
				       VIRTIO_STATUS_FEATURES_OK);
	return virtio_get_status(dev);
}

static inline void fv_setup_queue(struct fake_driver *f, unsigned q,
				  uint16_t size)
{
	memset(f->host + FV_RING(q), 0, 0x3000);
	f->size[q] = size;
	f->avail_idx[q] = 0;
	virtio_queue_write(f->dev, q, VIRTIO_Q_SIZE, size);
	virtio_queue_write(f->dev, q, VIRTIO_Q_DESC, FV_RING(q));
	virtio_queue_write(f->dev, q, VIRTIO_Q_DRIVER, FV_RING(q) + 0x1000);
	virtio_queue_write(f->dev, q, VIRTIO_Q_DEVICE, FV_RING(q) + 0x2000);
	virtio_queue_write(f->dev, q, VIRTIO_Q_ENABLE, 1);
}

static inline void fv_driver_ok(struct fake_driver *f)
{
	virtio_set_status(f->dev, virtio_get_status(f->dev) |
					  VIRTIO_STATUS_DRIVER_OK);
}

/* Negotiate `features`, set up `nq` queues of `size`, DRIVER_OK. */
static inline void fv_start(struct fake_driver *f, struct virtio_dev *dev,
			    uint64_t features, unsigned nq, uint16_t size)
{
	unsigned q;

	fv_negotiate(f, dev, features);
	for (q = 0; q < nq; q++)
		fv_setup_queue(f, q, size);
	fv_driver_ok(f);
}

static inline void fv_desc_at(struct fake_driver *f, uint64_t table,
			      unsigned i, uint64_t addr, uint32_t len,
			      uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { addr, len, flags, next };

	memcpy(f->host + table + 16ull * i, &d, sizeof(d));
}

static inline void fv_desc(struct fake_driver *f, unsigned q, unsigned i,
			   uint64_t addr, uint32_t len, uint16_t flags,
			   uint16_t next)
{
	fv_desc_at(f, FV_RING(q), i, addr, len, flags, next);
}

static inline uint16_t *fv_avail(struct fake_driver *f, unsigned q)
{
	return (uint16_t *)(f->host + FV_RING(q) + 0x1000);
}

static inline uint16_t *fv_used(struct fake_driver *f, unsigned q)
{
	return (uint16_t *)(f->host + FV_RING(q) + 0x2000);
}

/* Make chain `head` available (without a kick). */
static inline void fv_publish(struct fake_driver *f, unsigned q,
			      uint16_t head)
{
	uint16_t *avail = fv_avail(f, q);

	avail[2 + f->avail_idx[q] % f->size[q]] = head;
	avail[1] = ++f->avail_idx[q];
}

static inline void fv_kick(struct fake_driver *f, unsigned q, uint16_t head)
{
	fv_publish(f, q, head);
	virtio_notify_queue(f->dev, q);
}

static inline uint16_t fv_used_idx(struct fake_driver *f, unsigned q)
{
	return fv_used(f, q)[1];
}

/* Used element i: chain id and written length. */
static inline void fv_used_elem(struct fake_driver *f, unsigned q,
				unsigned i, uint32_t *id, uint32_t *len)
{
	uint32_t *e = (uint32_t *)&fv_used(f, q)[2 + 4 * (i % f->size[q])];

	*id = e[0];
	*len = e[1];
}

static inline void fv_set_used_event(struct fake_driver *f, unsigned q,
				     uint16_t v)
{
	fv_avail(f, q)[2 + f->size[q]] = v;
}

static inline uint16_t fv_avail_event(struct fake_driver *f, unsigned q)
{
	return fv_used(f, q)[2 + 4 * f->size[q]];
}

#define FV_F(bit)	(1ull << (bit))
#define FV_CORE_FEATURES                                                      \
	(FV_F(VIRTIO_F_VERSION_1) | FV_F(VIRTIO_F_RING_INDIRECT_DESC) |       \
	 FV_F(VIRTIO_F_RING_EVENT_IDX))

/* A device with no function of its own: counts what the core asks of
 * it; reset reports `in_flight` requests still out. */
struct fv_dev {
	struct virtio_dev vdev;
	unsigned notifies, activates, resets;
	int activate_ret;
	int in_flight;
	uint8_t config[8];
};

static inline void fv_dev_config_read(struct virtio_dev *d, uint32_t off,
				      void *buf, uint32_t len)
{
	memcpy(buf, ((struct fv_dev *)d)->config + off, len);
}

static inline void fv_dev_config_write(struct virtio_dev *d, uint32_t off,
				       const void *buf, uint32_t len)
{
	memcpy(((struct fv_dev *)d)->config + off, buf, len);
}

static inline int fv_dev_activate(struct virtio_dev *d)
{
	((struct fv_dev *)d)->activates++;
	return ((struct fv_dev *)d)->activate_ret;
}

static inline void fv_dev_notify(struct virtio_dev *d, unsigned q)
{
	((struct fv_dev *)d)->notifies++;
}

static inline int fv_dev_reset(struct virtio_dev *d)
{
	((struct fv_dev *)d)->resets++;
	return ((struct fv_dev *)d)->in_flight;
}

static inline void fv_dev_destroy(struct virtio_dev *d)
{
	virtio_dev_fini(d);
	free(d);
}

static const struct virtio_device_ops fv_dev_ops = {
	.name = "virtio-test",
	.device_id = 0x3f,
	.config_size = 8,
	.config_read = fv_dev_config_read,
	.config_write = fv_dev_config_write,
	.activate = fv_dev_activate,
	.notify = fv_dev_notify,
	.reset = fv_dev_reset,
	.destroy = fv_dev_destroy,
};

/* A test device with nq queues of at most qmax entries, offering
 * `features` besides the core's. */
static inline struct fv_dev *fv_dev_new(struct fake_driver *f, unsigned nq,
					uint16_t qmax, uint64_t features)
{
	struct fv_dev *t = calloc(1, sizeof(*t));

	if (!t || virtio_dev_init(&t->vdev, &fv_dev_ops, &f->mem, nq, qmax,
				  features)) {
		free(t);
		return NULL;
	}
	f->dev = &t->vdev;
	return t;
}

static inline int fv_needs_reset(struct fake_driver *f)
{
	return !!(virtio_get_status(f->dev) & VIRTIO_STATUS_NEEDS_RESET);
}

#endif
