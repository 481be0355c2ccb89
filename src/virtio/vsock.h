/* virtio-vsock (device id 19): the host-guest socket transport.  Three
 * queues: rx (0) and tx (1) carry the packets and are served by a data
 * path outside this model (the kernel's vhost-vsock, through the
 * `backend` hooks: started at DRIVER_OK, stopped at reset and destroy);
 * the event queue (2) is served here: its buffers are held until the
 * device has an event to send (VIRTIO_VSOCK_EVENT_TRANSPORT_RESET, after
 * a migration: virtio_vsock_transport_reset()).  Config space is the
 * guest's CID as le64. */
#ifndef VIREO_VIRTIO_VSOCK_H
#define VIREO_VIRTIO_VSOCK_H

#include <stdint.h>

#include "util/gmem.h"
#include "virtio/virtio.h"

#define VIRTIO_ID_VSOCK 19
#define VIRTIO_VSOCK_Q_RX 0
#define VIRTIO_VSOCK_Q_TX 1
#define VIRTIO_VSOCK_Q_EVENT 2
#define VIRTIO_VSOCK_NUM_QUEUES 3
#define VIRTIO_VSOCK_F_SEQPACKET 1 /* device feature bit */
#define VIRTIO_VSOCK_EVENT_TRANSPORT_RESET 0

/* The data path of queues rx and tx.  Both called with the device lock
 * held, from a vCPU thread (the driver's status write) or the main
 * thread (destroy). */
struct virtio_vsock_backend {
	/* DRIVER_OK: serve rx and tx of dev with the negotiated features.
	 * 0, or -errno: the device goes into NEEDS_RESET. */
	int (*start)(void *opaque, struct virtio_dev *dev, uint64_t features);
	/* Reset or destroy: stop serving them (after a successful start). */
	void (*stop)(void *opaque, struct virtio_dev *dev);
	void *opaque;
};

struct virtio_vsock_params {
	uint64_t guest_cid; /* 3 .. U32_MAX - 1 */
	/* Device feature bits (VIRTIO_VSOCK_F_*) the data path supports;
	 * the model offers those it knows (SEQPACKET). */
	uint64_t features;
	uint16_t queue_size; /* a power of two; 0 means 128 */
	struct virtio_vsock_backend backend;
};

/* 0, or -EINVAL (a reserved CID, a bad queue size, no backend),
 * -ENOMEM. */
int virtio_vsock_create(const struct gmem *mem,
			const struct virtio_vsock_params *p,
			struct virtio_dev **out);

/* Tell the driver its connections are gone (after the device moved to
 * another host): sent through the next event buffer, now or at the next
 * kick of the event queue when the driver left none.  Takes the lock;
 * a device not running drops it (the driver starts afresh anyway). */
void virtio_vsock_transport_reset(struct virtio_dev *dev);

/* Stop the data path now, as a reset would, before the machine takes
 * the transport apart (its eventfds go back while it is whole).  The
 * driver sees nothing: only for a machine whose vCPUs have stopped.
 * Takes the lock. */
void virtio_vsock_quiesce(struct virtio_dev *dev);

/* Events delivered to the driver since creation (tests, diagnostics;
 * takes the lock). */
unsigned virtio_vsock_events_sent(struct virtio_dev *dev);

#endif
