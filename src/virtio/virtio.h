/* The transport-independent virtio core (virtio 1.x, modern only): a
 * device's feature negotiation, its status state machine, its queues'
 * configuration, reset (also with requests in flight), used-buffer
 * interrupts and the NEEDS_RESET error state.  A transport (PCI) calls
 * the "transport API" below from its register handlers; a device model
 * (blk.c, rng.c) fills a struct virtio_device_ops and uses the "device
 * API" and the queue walker (virtq.h).
 *
 * Threads and locks: each struct virtio_dev has one mutex, `lock`.  Every
 * transport API function takes it (they are called from vCPU threads and
 * from the event loop that serves the device); every device op is called
 * with it held.  A device that completes requests from elsewhere (a
 * block backend's completion callback) takes it with virtio_dev_lock().
 * Each device is served by one event loop thread (the main loop, or in
 * vireo-vmm a NIC's own I/O thread): its queue kicks arrive there
 * through ioeventfds.
 * Lock order: virtio_dev.lock, then the transport's interrupt state (a
 * leaf lock its raise_* callbacks may take), then a backend's internal
 * locks.  So a transport must not call into the core while holding a lock
 * its raise_* callbacks take, and raise_* must not call the core. */
#ifndef VIREO_VIRTIO_VIRTIO_H
#define VIREO_VIRTIO_VIRTIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/gmem.h"

/* Device status bits (virtio 1.2, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Transport-level feature bits the core itself offers. */
#define VIRTIO_F_RING_INDIRECT_DESC	28
#define VIRTIO_F_RING_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_RING_PACKED		34	/* offered by devices that opt in */

/* ISR status bits (for INTx; MSI-X transports ignore them). */
#define VIRTIO_ISR_QUEUE	0x1
#define VIRTIO_ISR_CONFIG	0x2

#define VIRTIO_NO_VECTOR	0xffff
#define VIRTIO_MAX_QUEUES	64

struct virtio_dev;
struct virtq;

/* What a device model supplies.  All ops run with dev->lock held. */
struct virtio_device_ops {
	const char *name;	/* for log lines: "virtio-blk" */
	uint16_t device_id;	/* VIRTIO_ID_*: 1 net, 2 blk, 4 rng, ... */
	uint32_t config_size;	/* bytes of device-specific config space */
	/* Copy config bytes [off, off+len) to buf; the core has checked the
	 * range lies inside config_size. */
	void (*config_read)(struct virtio_dev *dev, uint32_t off, void *buf,
			    uint32_t len);
	/* Optional: a driver write to config space (range checked).  NULL:
	 * writes are ignored. */
	void (*config_write)(struct virtio_dev *dev, uint32_t off,
			     const void *buf, uint32_t len);
	/* Optional: 0 if the device accepts the driver's feature set when
	 * it sets FEATURES_OK, else -EINVAL (FEATURES_OK then stays clear). */
	int (*validate_features)(struct virtio_dev *dev, uint64_t features);
	/* The driver set DRIVER_OK: start serving the enabled queues.  A
	 * negative return puts the device into NEEDS_RESET. */
	int (*activate)(struct virtio_dev *dev);
	/* The driver kicked queue q (q exists and is enabled). */
	void (*notify)(struct virtio_dev *dev, unsigned q);
	/* The driver wrote 0 to status: forget all queue state.  Return 0
	 * when nothing is in flight any more, or a positive count of
	 * requests still owned by a backend: the device then calls
	 * virtio_reset_done() once the last has come back, and must not
	 * touch guest memory for any of them.  Until then the status reads
	 * non-zero, so the driver waits (virtio 1.2, 2.1.2). */
	int (*reset)(struct virtio_dev *dev);
	/* Free the device (after it is quiesced); called by
	 * virtio_dev_destroy() without the lock. */
	void (*destroy)(struct virtio_dev *dev);
};

/* What a transport supplies: raise an interrupt.  Called with dev->lock
 * held; must not block or call back into the core. */
struct virtio_transport {
	void (*raise_queue)(void *opaque, unsigned q);
	void (*raise_config)(void *opaque);
	void *opaque;
	/* Optional: the driver read (so cleared) the ISR; called with
	 * dev->lock held, so an INTx line drops atomically with the clear
	 * and a raise_* racing with the read cannot be lost. */
	void (*isr_cleared)(void *opaque);
	/* Optional, for a data path outside the VMM (vhost, see vhost.h);
	 * called with dev->lock held, through virtio_transport_*() below.
	 * kick_get: the eventfd the driver's kicks of queue q signal (the
	 * queue's ioeventfd); the transport stops reading it until
	 * kick_put.  call_get: an eventfd whose signals raise queue q's
	 * interrupt, until call_put: its MSI-X vector's irqfd (straight
	 * into the guest, masking honoured), or else (INTx, no vector, no
	 * irqfds) one the transport's event loop reads, calling
	 * virtio_queue_called(); meanwhile the core refuses the driver's
	 * writes to q's vector.  fd or -errno (-ENOTSUP: none, e.g. no
	 * ioeventfds; -EBUSY: q's is given out already). */
	int (*kick_get)(void *opaque, unsigned q);
	void (*kick_put)(void *opaque, unsigned q);
	int (*call_get)(void *opaque, unsigned q);
	void (*call_put)(void *opaque, unsigned q);
};

/* Per-queue configuration as the driver programs it. */
struct virtio_queue_cfg {
	uint16_t size;		/* current size; starts at max_size */
	uint16_t max_size;	/* what the device offers */
	uint16_t msix_vector;	/* kept for the transport, unused here */
	bool enabled;
	uint64_t desc, driver, device;	/* guest-physical ring addresses */
};

/* Registers of one queue, for virtio_queue_read/write. */
enum virtio_qreg {
	VIRTIO_Q_SIZE,
	VIRTIO_Q_MSIX_VECTOR,
	VIRTIO_Q_ENABLE,
	VIRTIO_Q_DESC,
	VIRTIO_Q_DRIVER,
	VIRTIO_Q_DEVICE,
};

/* One device.  Device models embed it (container_of); transports use
 * only the functions below. */
struct virtio_dev {
	pthread_mutex_t lock;
	const struct virtio_device_ops *ops;
	const struct gmem *mem;
	struct virtio_transport transport;
	uint64_t host_features;		/* offered, including the core's */
	uint64_t guest_features;	/* what the driver wrote */
	uint8_t status;
	uint8_t isr;
	bool resetting;			/* reset waits for in-flight requests */
	bool broken;			/* NEEDS_RESET: queues are not served */
	uint32_t config_generation;
	unsigned num_queues;
	struct virtq *vq;		/* num_queues of them */
};

/* ---- transport API (each takes dev->lock) ---- */

uint16_t virtio_device_id(struct virtio_dev *dev);
unsigned virtio_num_queues(struct virtio_dev *dev);

/* Install the interrupt callbacks (before the guest runs). */
void virtio_set_transport(struct virtio_dev *dev,
			  const struct virtio_transport *t);

/* 32-bit feature windows: sel 0 is bits 0-31, sel 1 bits 32-63; other
 * windows read 0 and ignore writes.  Driver feature writes are ignored
 * once FEATURES_OK is set. */
uint32_t virtio_get_device_features(struct virtio_dev *dev, uint32_t sel);
uint32_t virtio_get_driver_features(struct virtio_dev *dev, uint32_t sel);
void virtio_set_driver_features(struct virtio_dev *dev, uint32_t sel,
				uint32_t val);

/* Status: writing 0 resets the device (see ops->reset); FEATURES_OK is
 * kept only if the driver's features are acceptable; DRIVER_OK activates
 * the device.  Bits cannot be cleared except by writing 0. */
uint8_t virtio_get_status(struct virtio_dev *dev);
void virtio_set_status(struct virtio_dev *dev, uint8_t status);

/* Device-specific configuration space.  Out-of-range bytes read as 0 and
 * are ignored on write. */
uint32_t virtio_config_size(struct virtio_dev *dev);
uint32_t virtio_config_generation(struct virtio_dev *dev);
void virtio_config_read(struct virtio_dev *dev, uint32_t off, void *buf,
			uint32_t len);
void virtio_config_write(struct virtio_dev *dev, uint32_t off,
			 const void *buf, uint32_t len);

/* Queue registers.  -EINVAL for a queue that does not exist (the
 * transport then reads 0 / ignores the write).  Writes are ignored
 * while the queue is enabled or before FEATURES_OK; writing 1 to ENABLE
 * checks the size (a power of two, at most max_size) and the ring
 * addresses (aligned, inside RAM) and puts the device into NEEDS_RESET
 * if they are wrong.  Writing 0 to ENABLE is ignored (no queue reset). */
int virtio_queue_read(struct virtio_dev *dev, unsigned q,
		      enum virtio_qreg reg, uint64_t *val);
int virtio_queue_write(struct virtio_dev *dev, unsigned q,
		       enum virtio_qreg reg, uint64_t val);

/* The driver kicked queue q (a notify register write or an ioeventfd).
 * A queue that does not exist, or is not enabled while DRIVER_OK is set,
 * puts the device into NEEDS_RESET; kicks before DRIVER_OK are ignored. */
void virtio_notify_queue(struct virtio_dev *dev, uint32_t q);

/* The call eventfd of queue q that the transport gave out (call_get)
 * and reads itself was signalled: the queue's interrupt (ISR bit, then
 * raise_queue), as the device's own data path raises it.  Ignored once
 * the eventfd is given back (call_put, at a reset). */
void virtio_queue_called(struct virtio_dev *dev, unsigned q);

/* Read and clear the ISR status byte (VIRTIO_ISR_*); calls the
 * transport's isr_cleared under the lock. */
uint8_t virtio_isr_read_clear(struct virtio_dev *dev);

/* Quiesce and free: waits for nothing; the device's destroy op must
 * drain its backend before freeing.  NULL is allowed. */
void virtio_dev_destroy(struct virtio_dev *dev);

/* ---- device API ---- */

/* Set up the core part: queue_max is each queue's maximum size (a power
 * of two, at most 32768); features are the device-specific bits (the
 * core adds VERSION_1, INDIRECT_DESC and EVENT_IDX).  0 or -errno. */
int virtio_dev_init(struct virtio_dev *dev,
		    const struct virtio_device_ops *ops,
		    const struct gmem *mem, unsigned num_queues,
		    uint16_t queue_max, uint64_t features);
/* Free what virtio_dev_init allocated (for the device's destroy op). */
void virtio_dev_fini(struct virtio_dev *dev);

void virtio_dev_lock(struct virtio_dev *dev);
void virtio_dev_unlock(struct virtio_dev *dev);

/* Negotiated feature test (lock held). */
bool virtio_has_feature(const struct virtio_dev *dev, unsigned bit);

/* The queue object for q, or NULL (lock held). */
struct virtq *virtio_dev_queue(struct virtio_dev *dev, unsigned q);

/* The guest broke the protocol: log one rate-limited line naming the
 * device, set NEEDS_RESET, stop serving queues and raise a config
 * interrupt.  Later errors until the next reset are silent. */
void virtio_dev_error(struct virtio_dev *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Device config changed (capacity, ...): bump the generation and raise
 * a config interrupt if the driver is up. */
void virtio_config_changed(struct virtio_dev *dev);

/* Set the queue bit in ISR and ask the transport for queue q's
 * interrupt (the queue walker's virtq_notify() decides when). */
void virtio_raise_queue_irq(struct virtio_dev *dev, unsigned q);

/* The last in-flight request of a reset device has come back. */
void virtio_reset_done(struct virtio_dev *dev);

/* The transport's kick_get/kick_put/call_get/call_put (lock held);
 * -ENOTSUP when the transport has none. */
int virtio_transport_kick_get(struct virtio_dev *dev, unsigned q);
void virtio_transport_kick_put(struct virtio_dev *dev, unsigned q);
int virtio_transport_call_get(struct virtio_dev *dev, unsigned q);
void virtio_transport_call_put(struct virtio_dev *dev, unsigned q);

#endif
