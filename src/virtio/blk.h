/* virtio-blk (device id 2): a disk served from a host block backend.
 * The device talks to the backend through struct virtio_blk_backend, one
 * backend queue per virtqueue, so that it is tested against a fake; the
 * machine adapts src/block's blk_queue to it.
 *
 * Threads: the device runs where its virtio_dev's lock is held.  Kicks
 * (virtio_notify_queue) and completions (virtio_blk_poll, called when a
 * backend queue's eventfd fires) come from the main loop; register
 * accesses from vCPU threads.  Backend calls are made with the lock held,
 * and the backend runs completion callbacks only inside its poll and
 * drain, so they too run under the lock. */
#ifndef VIREO_VIRTIO_BLK_H
#define VIREO_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/gmem.h"
#include "virtio/virtio.h"

#define VIRTIO_ID_BLOCK		2

/* Feature bits. */
#define VIRTIO_BLK_F_SIZE_MAX	1
#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_BLK_SIZE	6
#define VIRTIO_BLK_F_FLUSH	9
#define VIRTIO_BLK_F_MQ		12
#define VIRTIO_BLK_F_DISCARD	13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Request types and status. */
#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8
#define VIRTIO_BLK_T_DISCARD	11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2

#define VIRTIO_BLK_ID_BYTES	20
#define VIRTIO_BLK_SECTOR	512u

/* Config space offsets (virtio 1.2, 5.2.4) the device fills. */
#define VIRTIO_BLK_CFG_CAPACITY		0
#define VIRTIO_BLK_CFG_SIZE_MAX		8
#define VIRTIO_BLK_CFG_SEG_MAX		12
#define VIRTIO_BLK_CFG_BLK_SIZE		20
#define VIRTIO_BLK_CFG_NUM_QUEUES	34
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS	36
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG		40
#define VIRTIO_BLK_CFG_DISCARD_ALIGNMENT	44
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS		48
#define VIRTIO_BLK_CFG_MAX_WZ_SEG		52
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP		56
#define VIRTIO_BLK_CFG_SIZE			60

/* One backend operation, described with host iovecs (guest memory). */
enum vblk_op {
	VBLK_READ,
	VBLK_WRITE,
	VBLK_FLUSH,
	VBLK_DISCARD,
	VBLK_WRITE_ZEROES,
};

struct vblk_io {
	enum vblk_op op;
	uint64_t offset;		/* bytes */
	const struct iovec *iov;	/* read/write */
	unsigned iovcnt;
	uint64_t len;			/* discard/write-zeroes: bytes */
	bool unmap;			/* write-zeroes may deallocate */
};

struct virtio_blk_backend {
	/* Start io on backend queue q.  0: accepted, and
	 * virtio_blk_complete(tag, result) follows exactly once, from
	 * inside poll or drain (never inside submit); io and its buffers
	 * stay valid until then.  Negative errno: refused, no callback. */
	int (*submit)(void *opaque, unsigned q, const struct vblk_io *io,
		      void *tag);
	/* Run the callbacks of finished requests of queue q. */
	void (*poll)(void *opaque, unsigned q);
	/* Wait for every request of queue q and run their callbacks. */
	void (*drain)(void *opaque, unsigned q);
	void *opaque;
	/* Optional: the device takes every chain a kick brought between
	 * plug and unplug, so that the backend can hand them to the host
	 * in one go (one io_uring_enter per kick, not per request). */
	void (*plug)(void *opaque, unsigned q);
	void (*unplug)(void *opaque, unsigned q);
};

/* Counters for --stats (all queues). */
struct virtio_blk_stats {
	uint64_t requests;	/* chains taken */
	uint64_t runs;		/* kicks (or freed slots) that took chains */
	uint64_t max_run;	/* most chains taken by one run */
	uint64_t polls;		/* backend polls that completed requests */
	uint64_t completions;	/* requests completed by those polls */
};

struct virtio_blk_params {
	uint64_t capacity;		/* bytes, a multiple of 512 */
	bool readonly;
	char serial[VIRTIO_BLK_ID_BYTES]; /* zero padded, not terminated */
	uint32_t block_size;		/* logical block size: 512..4096 */
	uint32_t seg_max;		/* data segments per request (at
					 * most queue_size - 2) */
	uint32_t size_max;		/* bytes per segment */
	uint64_t max_request;		/* bytes per read/write */
	bool discard;			/* offer DISCARD */
	bool write_zeroes;		/* offer WRITE_ZEROES */
	bool write_zeroes_may_unmap;
	uint32_t max_discard_sectors;	/* per discard / write-zeroes */
	unsigned num_queues;		/* one per vCPU, say; at least 1 */
	uint16_t queue_size;		/* a power of two, at least 4 */
	bool packed_ring;		/* offer VIRTIO_F_RING_PACKED */
	struct virtio_blk_backend backend;
};

/* 0 or -errno (-EINVAL for parameters out of range, with no log line:
 * the caller explains). */
int virtio_blk_create(const struct gmem *mem,
		      const struct virtio_blk_params *p,
		      struct virtio_dev **out);

/* Backend queue q has completions ready (its eventfd fired). */
void virtio_blk_poll(struct virtio_dev *dev, unsigned q);

void virtio_blk_get_stats(struct virtio_dev *dev, struct virtio_blk_stats *s);

/* The backend's completion of a request submitted with `tag`; runs with
 * the device's lock held (inside poll or drain).  result: 0 or -errno. */
void virtio_blk_complete(void *tag, int result);

#endif
