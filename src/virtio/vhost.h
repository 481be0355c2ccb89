/* The generic vhost backend: hands some queues of a virtio device to a
 * kernel vhost device (/dev/vhost-net, /dev/vhost-vsock, ...), which then
 * moves the data without the VMM.  This module speaks the vhost ioctls
 * common to every such device; a device glue (net_host.c for vhost-net)
 * adds its own (VHOST_NET_SET_BACKEND, VHOST_VSOCK_SET_GUEST_CID, ...)
 * through vhost_dev_ioctl().  No KVM header: guest memory comes from the
 * device's struct gmem, the eventfds from the transport.
 *
 * The transport supplies per queue (virtio.h, virtio_transport_*):
 *   kick: the queue's ioeventfd; the event loop stops reading it while
 *         vhost does;
 *   call: the queue's MSI-X vector's irqfd, so vhost interrupts the
 *         guest straight through KVM.  A masked vector gates the irqfd
 *         and its signals become the vector's pending bit (pci/msix.h,
 *         msix_vector_get_fd; see docs/architecture.md for why that
 *         rather than switching vhost's call fd).  With INTx (or a
 *         queue without a vector) an eventfd the VMM's event loop
 *         reads instead, raising the queue's interrupt (ISR bit, INTx
 *         line) as the userspace data path does.  Chosen at each
 *         start, so a driver that comes back with the other kind after
 *         a reset gets the other route.
 *
 * Life cycle (from the device's ops, dev->lock held):
 *   open:      vhost_dev_open (SET_OWNER, GET_FEATURES), once;
 *   activate:  vhost_dev_start (SET_FEATURES, SET_MEM_TABLE, per queue
 *              NUM, BASE, ADDR, KICK, CALL), then the device's own
 *              ioctls (backend), then vhost_dev_kick;
 *   reset:     the device's own stop ioctls, then vhost_dev_stop (per
 *              queue GET_VRING_BASE, saved into the virtq as the next
 *              avail index, and the used index read back, so the VMM's
 *              walker could go on where vhost stopped; KICK and CALL
 *              -1; the eventfds go back to the transport).  A reset then
 *              zeroes the rings; a driver rebind activates again.
 * Split rings only (a device using vhost must not offer RING_PACKED). */
#ifndef VIREO_VIRTIO_VHOST_H
#define VIREO_VIRTIO_VHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio/virtio.h"

#define VHOST_MAX_VQS	4
#define VHOST_MAX_REGIONS 8

struct vhost_dev {
	int fd;
	const char *name;		/* "vhost-net", for messages */
	uint64_t features;		/* what the kernel offers */
	unsigned first, nvqs;		/* virtio queues first.. first+nvqs-1
					 * are vhost queues 0..nvqs-1 */
	bool running;
	int kick[VHOST_MAX_VQS], call[VHOST_MAX_VQS];	/* taken, or -1 */
	const char *failed;		/* the ioctl that failed last */
	/* The ioctl to use (tests record the calls); ioctl(2) if NULL. */
	int (*ioctl_fn)(int fd, unsigned long req, void *arg);
};

/* Open path (or adopt fd >= 0), take ownership and read the features;
 * the device's queues [first, first + nvqs) are its queues 0..nvqs-1.
 * Set d->ioctl_fn before, if at all.  0 or -errno (-ENOENT: the host
 * has no such device); d->fd is -1 after a failure. */
int vhost_dev_open(struct vhost_dev *d, const char *path, int fd,
		   unsigned first, unsigned nvqs);
/* Closes the fd (stop first if running).  Safe on a closed d. */
void vhost_dev_close(struct vhost_dev *d);

/* One ioctl on the vhost fd: 0 or -errno (records d->failed). */
int vhost_dev_ioctl(struct vhost_dev *d, unsigned long req, void *arg,
		    const char *what);

/* Hand the queues to the kernel with `features` (negotiated bits the
 * kernel must honour; -EOPNOTSUPP if it lacks one).  Every queue must be
 * enabled, the transport must give a kick and a call eventfd for each.
 * 0, or -errno with everything undone. */
int vhost_dev_start(struct vhost_dev *d, struct virtio_dev *vdev,
		    uint64_t features);
/* Signal every queue's kick eventfd once, after the device's own start
 * ioctls: buffers made available before vhost took over get served. */
void vhost_dev_kick(struct vhost_dev *d);
/* Take the queues back (see above).  0, or the first -errno (the rest
 * is still undone). */
int vhost_dev_stop(struct vhost_dev *d, struct virtio_dev *vdev);

#endif
