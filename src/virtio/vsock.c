/* virtio-vsock device model: owns the config space (the guest CID), the
 * feature offer, the start and stop of the rx/tx data path (a backend:
 * vhost-vsock) and the event queue, which it serves itself.
 *
 * Trust boundary: the event queue's chains come from the guest through
 * the queue walker; a chain with a device-readable buffer, or with fewer
 * writable bytes than one event, breaks the device (and stops the data
 * path with it).  The rx and tx rings are the data path's to check (the
 * kernel's vhost checks every descriptor it takes). */
#include "virtio/vsock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/iov.h"
#include "virtio/virtq.h"

#define DEFAULT_QUEUE_SIZE 128
#define KNOWN_FEATURES (1ull << VIRTIO_VSOCK_F_SEQPACKET)
#define EVENT_IOV 8
#define CID_MAX 0xfffffffeull

struct virtio_vsock {
	struct virtio_dev vdev;
	struct virtio_vsock_params p;
	bool running;	    /* the backend was started */
	bool reset_pending; /* a TRANSPORT_RESET waits for a buffer */
	unsigned events_sent;
};

static struct virtio_vsock *to_vsock(struct virtio_dev *dev)
{
	return (struct virtio_vsock *)dev;
}

static void stop_backend(struct virtio_vsock *v)
{
	if (!v->running)
		return;
	v->p.backend.stop(v->p.backend.opaque, &v->vdev);
	v->running = false;
}

/* le32 event id into the next event buffer.  1: sent, 0: no buffer,
 * -EIO: the device is broken now. */
static int send_event(struct virtio_vsock *v, uint32_t id)
{
	struct virtq *vq = virtio_dev_queue(&v->vdev, VIRTIO_VSOCK_Q_EVENT);
	struct iovec iov[EVENT_IOV];
	struct virtq_chain c;
	uint8_t le[4] = {id, id >> 8, id >> 16, id >> 24};
	int ret;

	ret = virtq_pop(vq, iov, EVENT_IOV, &c);
	if (ret <= 0)
		return ret;
	/* Untrusted: the guest's chain; one whole event must fit. */
	if (c.n_out || c.in_bytes < sizeof(le)) {
		virtio_dev_error(&v->vdev, "event buffer %u: %s", c.head,
				 c.n_out ? "device-readable"
					 : "shorter than an event");
		return -EIO;
	}
	iov_from_buf(iov, c.n_in, 0, le, sizeof(le));
	virtq_push(vq, c.head, sizeof(le));
	virtq_notify(vq);
	v->events_sent++;
	return 1;
}

static void flush_events(struct virtio_vsock *v)
{
	int ret;

	if (!v->reset_pending)
		return;
	ret = send_event(v, VIRTIO_VSOCK_EVENT_TRANSPORT_RESET);
	if (ret > 0)
		v->reset_pending = false;
	else if (ret < 0)
		stop_backend(v);
}

static void vsock_notify(struct virtio_dev *dev, unsigned q)
{
	/* rx and tx kicks belong to the data path; one that reaches us
	 * (before it started) needs nothing.  Event buffers are held. */
	if (q == VIRTIO_VSOCK_Q_EVENT)
		flush_events(to_vsock(dev));
}

static void vsock_config_read(struct virtio_dev *dev, uint32_t off, void *buf,
			      uint32_t len)
{
	uint64_t cid = to_vsock(dev)->p.guest_cid;
	uint8_t le[8];
	unsigned i;

	for (i = 0; i < sizeof(le); i++)
		le[i] = (uint8_t)(cid >> (8 * i));
	memcpy(buf, le + off, len); /* range checked by the core */
}

static int vsock_activate(struct virtio_dev *dev)
{
	struct virtio_vsock *v = to_vsock(dev);
	int ret;

	ret = v->p.backend.start(v->p.backend.opaque, dev, dev->guest_features);
	if (ret)
		return ret;
	v->running = true;
	flush_events(v);
	return 0;
}

static int vsock_reset(struct virtio_dev *dev)
{
	struct virtio_vsock *v = to_vsock(dev);

	stop_backend(v);
	v->reset_pending = false;
	return 0; /* the backend holds nothing once stopped */
}

static void vsock_destroy(struct virtio_dev *dev)
{
	struct virtio_vsock *v = to_vsock(dev);

	virtio_dev_lock(dev);
	stop_backend(v);
	virtio_dev_unlock(dev);
	virtio_dev_fini(dev);
	free(v);
}

static const struct virtio_device_ops vsock_ops = {
    .name = "virtio-vsock",
    .device_id = VIRTIO_ID_VSOCK,
    .config_size = 8,
    .config_read = vsock_config_read,
    .activate = vsock_activate,
    .notify = vsock_notify,
    .reset = vsock_reset,
    .destroy = vsock_destroy,
};

void virtio_vsock_transport_reset(struct virtio_dev *dev)
{
	struct virtio_vsock *v = to_vsock(dev);

	virtio_dev_lock(dev);
	if (v->running && !dev->broken && !dev->resetting) {
		v->reset_pending = true;
		flush_events(v);
	}
	virtio_dev_unlock(dev);
}

void virtio_vsock_quiesce(struct virtio_dev *dev)
{
	virtio_dev_lock(dev);
	stop_backend(to_vsock(dev));
	virtio_dev_unlock(dev);
}

unsigned virtio_vsock_events_sent(struct virtio_dev *dev)
{
	unsigned n;

	virtio_dev_lock(dev);
	n = to_vsock(dev)->events_sent;
	virtio_dev_unlock(dev);
	return n;
}

int virtio_vsock_create(const struct gmem *mem,
			const struct virtio_vsock_params *p,
			struct virtio_dev **out)
{
	uint16_t qsize = p->queue_size ? p->queue_size : DEFAULT_QUEUE_SIZE;
	struct virtio_vsock *v;
	int ret;

	if (p->guest_cid < 3 || p->guest_cid > CID_MAX || !p->backend.start ||
	    !p->backend.stop)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->p = *p;
	ret =
	    virtio_dev_init(&v->vdev, &vsock_ops, mem, VIRTIO_VSOCK_NUM_QUEUES,
			    qsize, p->features & KNOWN_FEATURES);
	if (ret) {
		free(v);
		return ret;
	}
	*out = &v->vdev;
	return 0;
}
