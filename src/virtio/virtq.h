/* The virtqueue walker (split rings, virtio 1.2, 2.7; packed rings,
 * 2.8, in virtq_packed.c): takes descriptor chains
 * the driver made available, checks every index, length, flag and
 * address in them, and translates them to host iovecs; returns finished
 * chains through the used ring and decides whether the driver wants an
 * interrupt (EVENT_IDX or NO_INTERRUPT).  Device models call it with
 * dev->lock held.  Any malformed ring puts the device into NEEDS_RESET
 * through virtio_dev_error(). */
#ifndef VIREO_VIRTIO_VIRTQ_H
#define VIREO_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/iov.h"
#include "virtio/virtio.h"

/* Descriptor, as laid out in guest memory (little endian). */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4

#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
#define VIRTQ_USED_F_NO_NOTIFY		1

#define VIRTQ_MAX_SIZE	32768

/* Bytes each ring takes for a queue of `size` entries (with the event
 * index words). */
#define VIRTQ_DESC_BYTES(size)	(16ull * (size))
#define VIRTQ_AVAIL_BYTES(size)	(6ull + 2ull * (size))
#define VIRTQ_USED_BYTES(size)	(6ull + 8ull * (size))

struct virtq {
	struct virtio_dev *dev;
	unsigned index;
	struct virtio_queue_cfg cfg;
	/* Host views of the rings, set when the queue is enabled (checked to
	 * lie inside RAM, so only their contents are untrusted). */
	struct virtq_desc *desc;
	uint16_t *avail;	/* flags, idx, ring[size], used_event */
	uint16_t *used;		/* flags, idx, {u32 id, u32 len}[size],
				 * avail_event */
	uint16_t last_avail;	/* next avail entry to take */
	uint16_t used_idx;	/* next used entry to fill */
	uint16_t signalled_used;	/* used_idx at the last interrupt check */
	bool signalled_valid;
	bool unsignalled;	/* pushed since the last virtq_notify */
	bool vector_held;	/* its vector's eventfd given out (vhost) */
	/* Packed ring (VIRTIO_F_RING_PACKED): desc is the ring, avail the
	 * driver's event suppression, used ours; next descriptor to take,
	 * the one taken last, the next to use, and where we last checked
	 * for an interrupt, each with its wrap counter. */
	bool packed;
	uint16_t avail_pos, prev_pos, used_pos, sig_pos;
	bool avail_wrap, prev_wrap, used_wrap, sig_wrap;
	uint16_t *ndesc;	/* descriptors per buffer id (max_size) */
};

/* A chain taken from the ring: iov[0, n_out) is device-readable, then
 * iov[n_out, n_out + n_in) is device-writable. */
struct virtq_chain {
	uint16_t head;
	unsigned n_out, n_in;
	uint64_t out_bytes, in_bytes;
};

/* Map the rings from cfg (called by the core when the queue is enabled).
 * 0, or -EINVAL if cfg is unusable (the caller reports it). */
int virtq_map(struct virtq *vq);
/* Forget all ring state (device reset). */
void virtq_reset(struct virtq *vq);

/* Take the next available chain into iov (at most max_iov entries).
 * 1: a chain; 0: nothing available (or the device is broken); -EIO: the
 * ring was malformed and the device is now in NEEDS_RESET. */
int virtq_pop(struct virtq *vq, struct iovec *iov, unsigned max_iov,
	      struct virtq_chain *chain);

/* Give back the chain the last virtq_pop returned: the next pop takes
 * it again (a device that cannot serve it yet). */
void virtq_unpop(struct virtq *vq);

/* Return chain `head` with `len` bytes written to its writable part. */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len);

/* After one or more pushes: raise the queue interrupt unless the driver
 * suppressed it.  True if it was raised. */
bool virtq_notify(struct virtq *vq);

#endif
