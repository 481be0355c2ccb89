/* virtio-rng device model: owns the one request queue, the token bucket
 * and the filling of the driver's buffers with host entropy.
 *
 * Trust boundary: the chains come from the guest through the queue
 * walker; a chain with a device-readable buffer is a protocol violation
 * and breaks the device.  How much is written is bounded by the chain's
 * writable bytes, the bucket and a per-request cap. */
#include "virtio/rng.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "virtio/virtq.h"

#define NS		1000000000ull
#define REQ_MAX		4096u	/* bytes per request */
#define RETRY_NS	10000000ull	/* getrandom not ready: 10 ms */
#define MAX_IOV		64

struct virtio_rng {
	struct virtio_dev vdev;
	struct virtio_rng_params p;
	uint64_t credit;	/* bytes * 1e9: bytes_per_sec ns of budget */
	uint64_t last_ns;
};

static struct virtio_rng *to_rng(struct virtio_dev *dev)
{
	return (struct virtio_rng *)dev;
}

static uint64_t now_ns(struct virtio_rng *r)
{
	struct timespec ts;

	if (r->p.now_ns)
		return r->p.now_ns(r->p.test_opaque);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static ssize_t fill(struct virtio_rng *r, void *buf, size_t len)
{
	if (r->p.fill)
		return r->p.fill(r->p.test_opaque, buf, len);
	/* Never block the main loop, also not before the host's pool is
	 * initialised. */
	return getrandom(buf, len, GRND_NONBLOCK);
}

/* Bytes the bucket allows now (UINT64_MAX: no limit). */
static uint64_t budget(struct virtio_rng *r)
{
	uint64_t now, elapsed, cap = r->p.bytes_per_sec * NS;

	if (!r->p.bytes_per_sec)
		return UINT64_MAX;
	now = now_ns(r);
	elapsed = now - r->last_ns;
	r->last_ns = now;
	if (elapsed > NS)
		elapsed = NS;	/* the bucket holds one second */
	r->credit += elapsed * r->p.bytes_per_sec;
	if (r->credit > cap)
		r->credit = cap;
	return r->credit / NS;
}

static void spend(struct virtio_rng *r, uint64_t bytes)
{
	if (r->p.bytes_per_sec)
		r->credit -= bytes * NS;
}

/* How long until the bucket holds a useful amount (64 bytes, or all it
 * can hold at a lower rate). */
static uint64_t refill_ns(const struct virtio_rng *r)
{
	uint64_t want = r->p.bytes_per_sec < 64 ? r->p.bytes_per_sec : 64;

	return (want * NS - r->credit) / r->p.bytes_per_sec + 1;
}

static void arm(struct virtio_rng *r, uint64_t ns)
{
	if (r->p.arm_timer)
		r->p.arm_timer(r->p.timer_opaque, ns);
}

/* Fill up to max bytes of the chain's buffers; bytes written, or -1 when
 * the host has no entropy ready yet. */
static ssize_t fill_chain(struct virtio_rng *r, const struct iovec *iov,
			  unsigned n, size_t max)
{
	size_t done = 0, want;
	ssize_t got;
	unsigned i;

	for (i = 0; i < n && done < max; i++) {
		want = iov[i].iov_len < max - done ? iov[i].iov_len
						   : max - done;
		got = fill(r, iov[i].iov_base, want);
		if (got < 0 && errno == EINTR)
			got = 0;
		if (got < 0)
			return done ? (ssize_t)done : -1;
		done += (size_t)got;
		if ((size_t)got < want)
			break;
	}
	return (ssize_t)done;
}

static void serve(struct virtio_rng *r)
{
	struct virtq *vq = virtio_dev_queue(&r->vdev, 0);
	struct iovec iov[MAX_IOV];
	struct virtq_chain c;
	uint64_t room;
	ssize_t got;

	while ((room = budget(r)) > 0) {
		if (virtq_pop(vq, iov, MAX_IOV, &c) <= 0)
			break;
		if (c.n_out) {
			virtio_dev_error(&r->vdev, "request %u has a "
					 "device-readable buffer", c.head);
			break;
		}
		got = fill_chain(r, iov, c.n_in,
				 room < REQ_MAX ? (size_t)room : REQ_MAX);
		if (got < 0) {
			/* Give the chain back untouched and retry later. */
			virtq_unpop(vq);
			arm(r, RETRY_NS);
			break;
		}
		spend(r, (uint64_t)got);
		virtq_push(vq, c.head, (uint32_t)got);
	}
	if (!room)
		arm(r, refill_ns(r));
	virtq_notify(vq);
}

static void rng_notify(struct virtio_dev *dev, unsigned q)
{
	serve(to_rng(dev));
}

void virtio_rng_timer(struct virtio_dev *dev)
{
	virtio_dev_lock(dev);
	if ((dev->status & VIRTIO_STATUS_DRIVER_OK) && !dev->resetting)
		serve(to_rng(dev));
	virtio_dev_unlock(dev);
}

static void rng_config_read(struct virtio_dev *dev, uint32_t off, void *buf,
			    uint32_t len)
{
}

static int rng_activate(struct virtio_dev *dev)
{
	struct virtio_rng *r = to_rng(dev);

	r->last_ns = now_ns(r);
	r->credit = r->p.bytes_per_sec * NS;	/* start with a full bucket */
	return 0;
}

static int rng_reset(struct virtio_dev *dev)
{
	return 0;	/* nothing is ever in flight */
}

static void rng_destroy(struct virtio_dev *dev)
{
	virtio_dev_fini(dev);
	free(dev);
}

static const struct virtio_device_ops rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.config_size = 0,
	.config_read = rng_config_read,
	.activate = rng_activate,
	.notify = rng_notify,
	.reset = rng_reset,
	.destroy = rng_destroy,
};

int virtio_rng_create(const struct gmem *mem,
		      const struct virtio_rng_params *p,
		      struct virtio_dev **out)
{
	uint16_t qsize = p->queue_size ? p->queue_size : 64;
	struct virtio_rng *r;
	int ret;

	if (p->bytes_per_sec > VIRTIO_RNG_MAX_RATE)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->p = *p;
	ret = virtio_dev_init(&r->vdev, &rng_ops, mem, 1, qsize,
			      p->packed_ring ? 1ull << VIRTIO_F_RING_PACKED : 0);
	if (ret) {
		free(r);
		return ret;
	}
	*out = &r->vdev;
	return 0;
}
