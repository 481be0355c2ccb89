/* virtio-blk over a src/block image: one backend queue (blk_queue) per
 * virtqueue, and the struct virtio_blk_backend that feeds them.  The
 * machine creates it next to the device, adds each queue's eventfd to
 * the main loop (calling virtio_blk_poll() when it fires) and destroys it
 * after the device. */
#ifndef VIREO_VIRTIO_BLK_HOST_H
#define VIREO_VIRTIO_BLK_HOST_H

#include "block/block.h"
#include "virtio/blk.h"

struct vblk_host;

/* Queues of `depth` requests each (the virtqueue size: the device never
 * has more in flight on one queue).  0 or -errno. */
int vblk_host_create(struct blk_image *img, unsigned num_queues,
		     uint16_t depth, struct vblk_host **out);
/* After the device is destroyed.  NULL is a no-op. */
void vblk_host_destroy(struct vblk_host *h);

int vblk_host_eventfd(const struct vblk_host *h, unsigned q);

/* Device parameters from the image (capacity, read-only, serial, the
 * backend's limits) and the backend of h; the caller sets num_queues
 * and queue_size to what it gave vblk_host_create. */
void vblk_host_params(const struct blk_image *img, struct vblk_host *h,
		      struct virtio_blk_params *p);

#endif
