/* The virtio core: owns a device's negotiated features, its status state
 * machine, the configuration of its queues, reset, interrupts towards the
 * transport and the NEEDS_RESET state.  See virtio.h for the threads and
 * the lock order.
 *
 * Trust boundary: every value a transport hands in came from a guest
 * register write and is checked here (feature windows, status bits,
 * queue indices, queue sizes and ring addresses, config offsets). */
#include "virtio/virtio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "virtio/virtq.h"

#define DRIVER_BITS                                                           \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |                   \
	 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK |                \
	 VIRTIO_STATUS_FAILED)

#define CORE_FEATURES                                                         \
	((1ull << VIRTIO_F_VERSION_1) |                                       \
	 (1ull << VIRTIO_F_RING_INDIRECT_DESC) |                              \
	 (1ull << VIRTIO_F_RING_EVENT_IDX))

static void no_raise_queue(void *opaque, unsigned q)
{
}

static void no_raise_config(void *opaque)
{
}

int virtio_dev_init(struct virtio_dev *dev,
		    const struct virtio_device_ops *ops,
		    const struct gmem *mem, unsigned num_queues,
		    uint16_t queue_max, uint64_t features)
{
	unsigned i;
	int r;

	if (!num_queues || num_queues > VIRTIO_MAX_QUEUES || !queue_max ||
	    (queue_max & (queue_max - 1)) || queue_max > VIRTQ_MAX_SIZE)
		return -EINVAL;
	memset(dev, 0, sizeof(*dev));
	dev->vq = calloc(num_queues, sizeof(*dev->vq));
	if (!dev->vq)
		return -ENOMEM;
	r = -pthread_mutex_init(&dev->lock, NULL);
	if (r) {
		free(dev->vq);
		return r;
	}
	dev->ops = ops;
	dev->mem = mem;
	dev->num_queues = num_queues;
	dev->host_features = features | CORE_FEATURES;
	dev->transport = (struct virtio_transport){
		.raise_queue = no_raise_queue, .raise_config = no_raise_config
	};
	for (i = 0; i < num_queues; i++) {
		dev->vq[i].ndesc = calloc(queue_max, sizeof(uint16_t));
		if (!dev->vq[i].ndesc) {
			virtio_dev_fini(dev);
			return -ENOMEM;
		}
		dev->vq[i].dev = dev;
		dev->vq[i].index = i;
		dev->vq[i].cfg.max_size = queue_max;
		virtq_reset(&dev->vq[i]);
	}
	return 0;
}

void virtio_dev_fini(struct virtio_dev *dev)
{
	unsigned i;

	pthread_mutex_destroy(&dev->lock);
	for (i = 0; dev->vq && i < dev->num_queues; i++)
		free(dev->vq[i].ndesc);
	free(dev->vq);
	dev->vq = NULL;
}

void virtio_dev_destroy(struct virtio_dev *dev)
{
	if (dev)
		dev->ops->destroy(dev);
}

void virtio_dev_lock(struct virtio_dev *dev)
{
	pthread_mutex_lock(&dev->lock);
}

void virtio_dev_unlock(struct virtio_dev *dev)
{
	pthread_mutex_unlock(&dev->lock);
}

bool virtio_has_feature(const struct virtio_dev *dev, unsigned bit)
{
	return bit < 64 && (dev->guest_features >> bit) & 1;
}

struct virtq *virtio_dev_queue(struct virtio_dev *dev, unsigned q)
{
	return q < dev->num_queues ? &dev->vq[q] : NULL;
}

static void raise_config(struct virtio_dev *dev)
{
	dev->isr |= VIRTIO_ISR_CONFIG;
	dev->transport.raise_config(dev->transport.opaque);
}

void virtio_raise_queue_irq(struct virtio_dev *dev, unsigned q)
{
	dev->isr |= VIRTIO_ISR_QUEUE;
	dev->transport.raise_queue(dev->transport.opaque, q);
}

void virtio_dev_error(struct virtio_dev *dev, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (dev->broken)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_guest("%s: %s; device needs reset", dev->ops->name, msg);
	dev->broken = true;
	dev->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (dev->status & VIRTIO_STATUS_DRIVER_OK)
		raise_config(dev);
}

void virtio_config_changed(struct virtio_dev *dev)
{
	dev->config_generation++;
	if (dev->status & VIRTIO_STATUS_DRIVER_OK)
		raise_config(dev);
}

/* Back to the state after power-on, once nothing is in flight. */
static void finish_reset(struct virtio_dev *dev)
{
	unsigned i;

	for (i = 0; i < dev->num_queues; i++)
		virtq_reset(&dev->vq[i]);
	dev->guest_features = 0;
	dev->isr = 0;
	dev->broken = false;
	dev->resetting = false;
	dev->status = 0;
}

void virtio_reset_done(struct virtio_dev *dev)
{
	if (dev->resetting)
		finish_reset(dev);
}

static void reset(struct virtio_dev *dev)
{
	unsigned i;

	/* Unmap the rings first: from here on nothing reaches them, also
	 * not a request that completes later. */
	for (i = 0; i < dev->num_queues; i++)
		virtq_reset(&dev->vq[i]);
	if (dev->ops->reset(dev) > 0) {
		dev->resetting = true;	/* status stays non-zero */
		return;
	}
	finish_reset(dev);
}

uint16_t virtio_device_id(struct virtio_dev *dev)
{
	return dev->ops->device_id;
}

unsigned virtio_num_queues(struct virtio_dev *dev)
{
	return dev->num_queues;
}

void virtio_set_transport(struct virtio_dev *dev,
			  const struct virtio_transport *t)
{
	virtio_dev_lock(dev);
	dev->transport = *t;
	virtio_dev_unlock(dev);
}

uint32_t virtio_get_device_features(struct virtio_dev *dev, uint32_t sel)
{
	return sel < 2 ? (uint32_t)(dev->host_features >> (32 * sel)) : 0;
}

uint32_t virtio_get_driver_features(struct virtio_dev *dev, uint32_t sel)
{
	uint32_t v;

	virtio_dev_lock(dev);
	v = sel < 2 ? (uint32_t)(dev->guest_features >> (32 * sel)) : 0;
	virtio_dev_unlock(dev);
	return v;
}

void virtio_set_driver_features(struct virtio_dev *dev, uint32_t sel,
				uint32_t val)
{
	uint64_t mask;

	if (sel >= 2)
		return;
	mask = 0xffffffffull << (32 * sel);
	virtio_dev_lock(dev);
	if (!dev->resetting && !(dev->status & VIRTIO_STATUS_FEATURES_OK))
		dev->guest_features = (dev->guest_features & ~mask) |
				      ((uint64_t)val << (32 * sel));
	virtio_dev_unlock(dev);
}

uint8_t virtio_get_status(struct virtio_dev *dev)
{
	uint8_t s;

	virtio_dev_lock(dev);
	s = dev->status;
	virtio_dev_unlock(dev);
	return s;
}

/* FEATURES_OK: may the driver run with the features it wrote? */
static bool features_ok(struct virtio_dev *dev)
{
	uint64_t f = dev->guest_features;

	if (f & ~dev->host_features) {
		log_guest("%s: driver accepted features %#llx not offered",
			  dev->ops->name,
			  (unsigned long long)(f & ~dev->host_features));
		return false;
	}
	if (!(f & (1ull << VIRTIO_F_VERSION_1))) {
		log_guest("%s: driver did not accept VERSION_1",
			  dev->ops->name);
		return false;
	}
	return !dev->ops->validate_features ||
	       dev->ops->validate_features(dev, f) == 0;
}

static void driver_ok(struct virtio_dev *dev)
{
	int r;

	if (!(dev->status & VIRTIO_STATUS_FEATURES_OK)) {
		virtio_dev_error(dev, "DRIVER_OK without FEATURES_OK");
		return;
	}
	dev->status |= VIRTIO_STATUS_DRIVER_OK;
	r = dev->ops->activate(dev);
	if (r)
		virtio_dev_error(dev, "activation failed (%d)", r);
}

void virtio_set_status(struct virtio_dev *dev, uint8_t status)
{
	uint8_t add;

	virtio_dev_lock(dev);
	if (dev->resetting)
		goto out;	/* the driver must wait for status 0 */
	if (status == 0) {
		reset(dev);
		goto out;
	}
	/* Bits are only ever added; NEEDS_RESET is the device's. */
	add = status & DRIVER_BITS & ~dev->status;
	if ((add & VIRTIO_STATUS_FEATURES_OK) && !features_ok(dev))
		add &= ~VIRTIO_STATUS_FEATURES_OK;
	dev->status |= add & ~VIRTIO_STATUS_DRIVER_OK;
	if (add & VIRTIO_STATUS_DRIVER_OK)
		driver_ok(dev);
out:
	virtio_dev_unlock(dev);
}

uint32_t virtio_config_size(struct virtio_dev *dev)
{
	return dev->ops->config_size;
}

uint32_t virtio_config_generation(struct virtio_dev *dev)
{
	uint32_t g;

	virtio_dev_lock(dev);
	g = dev->config_generation;
	virtio_dev_unlock(dev);
	return g;
}

static bool config_range(struct virtio_dev *dev, uint32_t off, uint32_t len)
{
	return off <= dev->ops->config_size &&
	       len <= dev->ops->config_size - off;
}

void virtio_config_read(struct virtio_dev *dev, uint32_t off, void *buf,
			uint32_t len)
{
	memset(buf, 0, len);
	if (!config_range(dev, off, len) || !len)
		return;
	virtio_dev_lock(dev);
	dev->ops->config_read(dev, off, buf, len);
	virtio_dev_unlock(dev);
}

void virtio_config_write(struct virtio_dev *dev, uint32_t off,
			 const void *buf, uint32_t len)
{
	if (!config_range(dev, off, len) || !len || !dev->ops->config_write)
		return;
	virtio_dev_lock(dev);
	dev->ops->config_write(dev, off, buf, len);
	virtio_dev_unlock(dev);
}

int virtio_queue_read(struct virtio_dev *dev, unsigned q,
		      enum virtio_qreg reg, uint64_t *val)
{
	const struct virtio_queue_cfg *c;

	if (q >= dev->num_queues)
		return -EINVAL;
	virtio_dev_lock(dev);
	c = &dev->vq[q].cfg;
	switch (reg) {
	case VIRTIO_Q_SIZE:
		*val = c->size;
		break;
	case VIRTIO_Q_MSIX_VECTOR:
		*val = c->msix_vector;
		break;
	case VIRTIO_Q_ENABLE:
		*val = c->enabled;
		break;
	case VIRTIO_Q_DESC:
		*val = c->desc;
		break;
	case VIRTIO_Q_DRIVER:
		*val = c->driver;
		break;
	case VIRTIO_Q_DEVICE:
		*val = c->device;
		break;
	default:
		*val = 0;
	}
	virtio_dev_unlock(dev);
	return 0;
}

/* The driver enabled queue vq: check its configuration and map it. */
static void enable_queue(struct virtio_dev *dev, struct virtq *vq)
{
	const struct virtio_queue_cfg *c = &vq->cfg;

	if (virtq_map(vq)) {
		virtio_dev_error(dev, "queue %u: bad size %u or rings "
				 "%#llx/%#llx/%#llx", vq->index, c->size,
				 (unsigned long long)c->desc,
				 (unsigned long long)c->driver,
				 (unsigned long long)c->device);
		return;
	}
	vq->cfg.enabled = true;
}

static void queue_write(struct virtio_dev *dev, struct virtq *vq,
			enum virtio_qreg reg, uint64_t val)
{
	struct virtio_queue_cfg *c = &vq->cfg;

	if (reg == VIRTIO_Q_MSIX_VECTOR) {
		/* Guest input.  While vhost signals the vector's eventfd,
		 * the mapping is refused (the driver reads back the vector
		 * in force); a driver remaps only before DRIVER_OK. */
		if (vq->vector_held && c->msix_vector != (uint16_t)val)
			log_guest("%s: queue %u: vector change while the "
				  "data path runs outside the VMM refused",
				  dev->ops->name, vq->index);
		else
			c->msix_vector = (uint16_t)val;
		return;
	}
	if (dev->resetting || c->enabled ||
	    !(dev->status & VIRTIO_STATUS_FEATURES_OK))
		return;
	switch (reg) {
	case VIRTIO_Q_SIZE:
		c->size = (uint16_t)val;
		break;
	case VIRTIO_Q_ENABLE:
		if (val == 1)
			enable_queue(dev, vq);
		break;
	case VIRTIO_Q_DESC:
		c->desc = val;
		break;
	case VIRTIO_Q_DRIVER:
		c->driver = val;
		break;
	case VIRTIO_Q_DEVICE:
		c->device = val;
		break;
	default:
		break;
	}
}

int virtio_queue_write(struct virtio_dev *dev, unsigned q,
		       enum virtio_qreg reg, uint64_t val)
{
	if (q >= dev->num_queues)
		return -EINVAL;
	virtio_dev_lock(dev);
	queue_write(dev, &dev->vq[q], reg, val);
	virtio_dev_unlock(dev);
	return 0;
}

void virtio_notify_queue(struct virtio_dev *dev, uint32_t q)
{
	virtio_dev_lock(dev);
	if (dev->resetting || dev->broken)
		goto out;
	if (q >= dev->num_queues) {
		virtio_dev_error(dev, "notify for queue %u of %u", q,
				 dev->num_queues);
		goto out;
	}
	/* A kick that raced with a reset is stale, not an error. */
	if (!(dev->status & VIRTIO_STATUS_DRIVER_OK))
		goto out;
	if (!dev->vq[q].cfg.enabled) {
		virtio_dev_error(dev, "notify for disabled queue %u", q);
		goto out;
	}
	dev->ops->notify(dev, q);
out:
	virtio_dev_unlock(dev);
}

uint8_t virtio_isr_read_clear(struct virtio_dev *dev)
{
	uint8_t v;

	virtio_dev_lock(dev);
	v = dev->isr;
	dev->isr = 0;
	if (dev->transport.isr_cleared)
		dev->transport.isr_cleared(dev->transport.opaque);
	virtio_dev_unlock(dev);
	return v;
}

void virtio_queue_called(struct virtio_dev *dev, unsigned q)
{
	virtio_dev_lock(dev);
	if (q < dev->num_queues && dev->vq[q].vector_held)
		virtio_raise_queue_irq(dev, q);
	virtio_dev_unlock(dev);
}

int virtio_transport_kick_get(struct virtio_dev *dev, unsigned q)
{
	const struct virtio_transport *t = &dev->transport;

	return t->kick_get ? t->kick_get(t->opaque, q) : -ENOTSUP;
}

void virtio_transport_kick_put(struct virtio_dev *dev, unsigned q)
{
	if (dev->transport.kick_put)
		dev->transport.kick_put(dev->transport.opaque, q);
}

int virtio_transport_call_get(struct virtio_dev *dev, unsigned q)
{
	const struct virtio_transport *t = &dev->transport;
	int fd;

	if (q >= dev->num_queues || !t->call_get)
		return -ENOTSUP;
	fd = t->call_get(t->opaque, q);
	if (fd >= 0)
		dev->vq[q].vector_held = true;
	return fd;
}

void virtio_transport_call_put(struct virtio_dev *dev, unsigned q)
{
	if (q >= dev->num_queues)
		return;
	if (dev->transport.call_put)
		dev->transport.call_put(dev->transport.opaque, q);
	dev->vq[q].vector_held = false;
}
