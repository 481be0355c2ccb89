/* virtio-blk device model: owns the parsing of block requests taken from
 * the virtqueues, their submission to the backend, their completion
 * (status byte, used ring) and the device's config space.
 *
 * Trust boundary: a request's header, sector, lengths and discard
 * segments come from guest memory and are checked here against the
 * capacity and the advertised limits; a bad request gets IOERR or UNSUPP,
 * a request without a writable status byte breaks the device (nothing
 * can be reported for it).  Requests still in the backend at a reset are
 * marked stale: their completion only frees the slot, never touching
 * guest memory, and the reset finishes when the last one is back. */
#include "virtio/blk.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/virtq.h"

#define HDR_BYTES	16
#define SEG_BYTES	16
#define IN_FLIGHT	(-EINPROGRESS)

struct vblk_req {
	struct virtio_blk *b;
	unsigned q;
	uint16_t head;
	bool busy;		/* taken from the ring, not yet returned */
	bool stale;		/* taken before a reset */
	uint8_t *status;	/* the chain's last writable byte */
	uint32_t in_len;	/* bytes written, reported on success */
	struct vblk_io io;
	struct iovec *chain;	/* seg_max + 2 */
	struct iovec *data;	/* seg_max */
};

struct vblk_queue {
	struct vblk_req *reqs;	/* queue_size slots */
	unsigned *free;
	unsigned nfree;
	bool stalled;		/* stopped taking chains: no free slot */
};

struct virtio_blk {
	struct virtio_dev vdev;
	struct virtio_blk_params p;
	struct vblk_queue *qs;
	struct iovec *iov_mem;
	unsigned stale;		/* requests of before a reset, still out */
	bool polling;		/* inside the backend's poll: one interrupt
				 * for the whole batch, after it */
	struct virtio_blk_stats st;
};

static struct virtio_blk *to_blk(struct virtio_dev *dev)
{
	return (struct virtio_blk *)dev;
}

static void put_le(uint8_t *cfg, unsigned off, uint64_t v, unsigned bytes)
{
	unsigned i;

	for (i = 0; i < bytes; i++)
		cfg[off + i] = (uint8_t)(v >> (8 * i));
}

static void blk_config_read(struct virtio_dev *dev, uint32_t off, void *buf,
			    uint32_t len)
{
	const struct virtio_blk_params *p = &to_blk(dev)->p;
	uint8_t cfg[VIRTIO_BLK_CFG_SIZE] = { 0 };

	put_le(cfg, VIRTIO_BLK_CFG_CAPACITY, p->capacity / VIRTIO_BLK_SECTOR,
	       8);
	put_le(cfg, VIRTIO_BLK_CFG_SIZE_MAX, p->size_max, 4);
	put_le(cfg, VIRTIO_BLK_CFG_SEG_MAX, p->seg_max, 4);
	put_le(cfg, VIRTIO_BLK_CFG_BLK_SIZE, p->block_size, 4);
	put_le(cfg, VIRTIO_BLK_CFG_NUM_QUEUES, p->num_queues, 2);
	put_le(cfg, VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, p->max_discard_sectors,
	       4);
	put_le(cfg, VIRTIO_BLK_CFG_MAX_DISCARD_SEG, 1, 4);
	put_le(cfg, VIRTIO_BLK_CFG_DISCARD_ALIGNMENT,
	       p->block_size / VIRTIO_BLK_SECTOR, 4);
	put_le(cfg, VIRTIO_BLK_CFG_MAX_WZ_SECTORS, p->max_discard_sectors, 4);
	put_le(cfg, VIRTIO_BLK_CFG_MAX_WZ_SEG, 1, 4);
	cfg[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = p->write_zeroes_may_unmap;
	memcpy(buf, cfg + off, len);
}

static void free_req(struct virtio_blk *b, struct vblk_req *r)
{
	struct vblk_queue *bq = &b->qs[r->q];

	r->busy = false;
	r->stale = false;
	bq->free[bq->nfree++] = (unsigned)(r - bq->reqs);
}

/* Report status for r and return its chain (the caller notifies). */
static void finish(struct virtio_blk *b, struct vblk_req *r, uint8_t status)
{
	*r->status = status;
	virtq_push(virtio_dev_queue(&b->vdev, r->q), r->head,
		   status == VIRTIO_BLK_S_OK ? r->in_len : 1);
	free_req(b, r);
}

static int submit(struct virtio_blk *b, struct vblk_req *r)
{
	const struct virtio_blk_backend *be = &b->p.backend;

	if (be->submit(be->opaque, r->q, &r->io, r))
		return VIRTIO_BLK_S_IOERR;
	return IN_FLIGHT;
}

/* Is [offset, offset + len) a non-empty, aligned range of the disk? */
static bool disk_range(const struct virtio_blk *b, uint64_t sector,
		       uint64_t len)
{
	uint64_t cap = b->p.capacity / VIRTIO_BLK_SECTOR;

	if (!len || len % b->p.block_size || sector > cap ||
	    len > (cap - sector) * VIRTIO_BLK_SECTOR)
		return false;
	return (sector * VIRTIO_BLK_SECTOR) % b->p.block_size == 0;
}

/* A read or write of len bytes at `sector`, data at bytes [off, off+len)
 * of iov[0, n). */
static int rw(struct virtio_blk *b, struct vblk_req *r, enum vblk_op op,
	      uint64_t sector, const struct iovec *iov, unsigned n,
	      size_t off, uint64_t len)
{
	int k, i;

	if (len > b->p.max_request || !disk_range(b, sector, len))
		return VIRTIO_BLK_S_IOERR;
	k = iov_slice(iov, n, off, len, r->data, b->p.seg_max);
	if (k < 0)
		return VIRTIO_BLK_S_IOERR;
	for (i = 0; i < k; i++)
		if (r->data[i].iov_len > b->p.size_max)
			return VIRTIO_BLK_S_IOERR;
	r->io = (struct vblk_io){ .op = op,
				  .offset = sector * VIRTIO_BLK_SECTOR,
				  .iov = r->data,
				  .iovcnt = (unsigned)k };
	if (op == VBLK_READ)
		r->in_len = (uint32_t)len + 1;
	return submit(b, r);
}

/* DISCARD or WRITE_ZEROES with one segment (max_*_seg is 1). */
static int discard(struct virtio_blk *b, struct vblk_req *r, uint32_t type,
		   const struct virtq_chain *c)
{
	bool wz = type == VIRTIO_BLK_T_WRITE_ZEROES;
	struct {
		uint64_t sector;
		uint32_t num_sectors;
		uint32_t flags;
	} seg;
	uint32_t allowed = wz ? 1 : 0;	/* bit 0: unmap */

	if (!virtio_has_feature(&b->vdev, wz ? VIRTIO_BLK_F_WRITE_ZEROES
					     : VIRTIO_BLK_F_DISCARD))
		return VIRTIO_BLK_S_UNSUPP;
	if (b->p.readonly || c->out_bytes != HDR_BYTES + SEG_BYTES)
		return VIRTIO_BLK_S_IOERR;
	iov_to_buf(r->chain, c->n_out, HDR_BYTES, &seg, sizeof(seg));
	seg.sector = le64toh(seg.sector);
	seg.num_sectors = le32toh(seg.num_sectors);
	seg.flags = le32toh(seg.flags);
	if (seg.flags & ~allowed)
		return VIRTIO_BLK_S_UNSUPP;
	if (seg.num_sectors > b->p.max_discard_sectors ||
	    !disk_range(b, seg.sector,
			(uint64_t)seg.num_sectors * VIRTIO_BLK_SECTOR))
		return VIRTIO_BLK_S_IOERR;
	r->io = (struct vblk_io){
		.op = wz ? VBLK_WRITE_ZEROES : VBLK_DISCARD,
		.offset = seg.sector * VIRTIO_BLK_SECTOR,
		.len = (uint64_t)seg.num_sectors * VIRTIO_BLK_SECTOR,
		.unmap = wz && (seg.flags & 1) && b->p.write_zeroes_may_unmap,
	};
	return submit(b, r);
}

static int get_id(struct virtio_blk *b, struct vblk_req *r,
		  const struct virtq_chain *c)
{
	uint64_t room = c->in_bytes - 1;
	size_t n = room < VIRTIO_BLK_ID_BYTES ? room : VIRTIO_BLK_ID_BYTES;

	if (!n)
		return VIRTIO_BLK_S_IOERR;
	iov_from_buf(r->chain + c->n_out, c->n_in, 0, b->p.serial, n);
	r->in_len = (uint32_t)n + 1;
	return VIRTIO_BLK_S_OK;
}

/* Start the request in chain c: a VIRTIO_BLK_S_* status if it is done
 * already, IN_FLIGHT if the backend has it, -EIO if the device broke. */
static int start(struct virtio_blk *b, struct vblk_req *r,
		 const struct virtq_chain *c)
{
	const struct iovec *last;
	struct {
		uint32_t type;
		uint32_t ioprio;
		uint64_t sector;
	} hdr;

	if (!c->n_in) {
		virtio_dev_error(&b->vdev, "queue %u: request %u has no "
				 "writable status byte", r->q, c->head);
		return -EIO;
	}
	last = &r->chain[c->n_out + c->n_in - 1];
	r->status = (uint8_t *)last->iov_base + last->iov_len - 1;
	r->in_len = 1;
	if (c->out_bytes < HDR_BYTES)
		return VIRTIO_BLK_S_IOERR;
	iov_to_buf(r->chain, c->n_out, 0, &hdr, sizeof(hdr));
	hdr.type = le32toh(hdr.type);
	hdr.sector = le64toh(hdr.sector);
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		if (c->out_bytes != HDR_BYTES)
			return VIRTIO_BLK_S_IOERR;
		return rw(b, r, VBLK_READ, hdr.sector, r->chain + c->n_out,
			  c->n_in, 0, c->in_bytes - 1);
	case VIRTIO_BLK_T_OUT:
		if (b->p.readonly || c->in_bytes != 1)
			return VIRTIO_BLK_S_IOERR;
		return rw(b, r, VBLK_WRITE, hdr.sector, r->chain, c->n_out,
			  HDR_BYTES, c->out_bytes - HDR_BYTES);
	case VIRTIO_BLK_T_FLUSH:
		r->io = (struct vblk_io){ .op = VBLK_FLUSH };
		return submit(b, r);
	case VIRTIO_BLK_T_GET_ID:
		return get_id(b, r, c);
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return discard(b, r, hdr.type, c);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* Take and start chains from queue q until it is empty, the device
 * broke, or every request slot is in use. */
static void process(struct virtio_blk *b, unsigned q)
{
	struct virtq *vq = virtio_dev_queue(&b->vdev, q);
	struct vblk_queue *bq = &b->qs[q];
	struct virtq_chain c;
	const struct virtio_blk_backend *be = &b->p.backend;
	struct vblk_req *r;
	uint64_t n = 0;
	int rc;

	if (be->plug)
		be->plug(be->opaque, q);
	for (;;) {
		if (!bq->nfree) {
			bq->stalled = true;
			break;
		}
		r = &bq->reqs[bq->free[bq->nfree - 1]];
		if (virtq_pop(vq, r->chain, b->p.seg_max + 2, &c) <= 0)
			break;
		bq->nfree--;
		n++;
		r->head = c.head;
		r->busy = true;
		rc = start(b, r, &c);
		if (rc == -EIO) {
			free_req(b, r);
			break;
		}
		if (rc != IN_FLIGHT)
			finish(b, r, (uint8_t)rc);
	}
	if (be->unplug)
		be->unplug(be->opaque, q);
	b->st.requests += n;
	b->st.runs += n != 0;
	if (n > b->st.max_run)
		b->st.max_run = n;
	if (!b->polling)
		virtq_notify(vq);
}

static void blk_notify(struct virtio_dev *dev, unsigned q)
{
	process(to_blk(dev), q);
}

void virtio_blk_complete(void *tag, int result)
{
	struct vblk_req *r = tag;
	struct virtio_blk *b = r->b;
	struct vblk_queue *bq = &b->qs[r->q];

	if (r->stale) {
		/* Issued before a reset: the rings and buffers are no longer
		 * ours to touch. */
		free_req(b, r);
		if (--b->stale == 0)
			virtio_reset_done(&b->vdev);
		return;
	}
	finish(b, r, result ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK);
	b->st.completions++;
	if (!b->polling)
		virtq_notify(virtio_dev_queue(&b->vdev, r->q));
	if (bq->stalled) {
		bq->stalled = false;
		process(b, r->q);
	}
}

void virtio_blk_poll(struct virtio_dev *dev, unsigned q)
{
	struct virtio_blk *b = to_blk(dev);
	uint64_t done;

	virtio_dev_lock(dev);
	if (q < b->p.num_queues) {
		/* Every completion of this batch, then one interrupt (if the
		 * driver wants one): not one per request. */
		done = b->st.completions;
		b->polling = true;
		b->p.backend.poll(b->p.backend.opaque, q);
		b->polling = false;
		b->st.polls += b->st.completions != done;
		virtq_notify(virtio_dev_queue(dev, q));
	}
	virtio_dev_unlock(dev);
}

void virtio_blk_get_stats(struct virtio_dev *dev, struct virtio_blk_stats *s)
{
	virtio_dev_lock(dev);
	*s = to_blk(dev)->st;
	virtio_dev_unlock(dev);
}

static int blk_activate(struct virtio_dev *dev)
{
	return 0;
}

/* Mark every request the backend still holds as stale; their count. */
static unsigned mark_stale(struct virtio_blk *b)
{
	struct vblk_req *r;
	unsigned q, i, n = 0;

	for (q = 0; q < b->p.num_queues; q++) {
		b->qs[q].stalled = false;
		for (i = 0; b->qs[q].reqs && i < b->p.queue_size; i++) {
			r = &b->qs[q].reqs[i];
			if (r->busy && !r->stale) {
				r->stale = true;
				n++;
			}
		}
	}
	return n;
}

static int blk_reset(struct virtio_dev *dev)
{
	struct virtio_blk *b = to_blk(dev);

	b->stale += mark_stale(b);
	return (int)b->stale;
}

static void blk_destroy(struct virtio_dev *dev)
{
	struct virtio_blk *b = to_blk(dev);
	unsigned q;

	if (b->qs) {
		/* Nothing reaches guest memory after this: each backend
		 * queue is empty when its drain returns. */
		virtio_dev_lock(dev);
		b->stale += mark_stale(b);
		for (q = 0; q < b->p.num_queues; q++)
			b->p.backend.drain(b->p.backend.opaque, q);
		virtio_dev_unlock(dev);
		for (q = 0; q < b->p.num_queues; q++) {
			free(b->qs[q].reqs);
			free(b->qs[q].free);
		}
		free(b->qs);
	}
	free(b->iov_mem);
	virtio_dev_fini(dev);
	free(b);
}

static const struct virtio_device_ops blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.config_size = VIRTIO_BLK_CFG_SIZE,
	.config_read = blk_config_read,
	.activate = blk_activate,
	.notify = blk_notify,
	.reset = blk_reset,
	.destroy = blk_destroy,
};

static bool params_ok(const struct virtio_blk_params *p)
{
	const struct virtio_blk_backend *be = &p->backend;
	uint32_t bs = p->block_size;

	return p->capacity % VIRTIO_BLK_SECTOR == 0 && bs >= 512 &&
	       bs <= 4096 && !(bs & (bs - 1)) && p->seg_max >= 1 &&
	       p->seg_max <= VIRTQ_MAX_SIZE && p->size_max >= bs &&
	       p->max_request >= bs && p->num_queues >= 1 &&
	       p->num_queues <= VIRTIO_MAX_QUEUES && p->queue_size >= 4 &&
	       p->queue_size <= VIRTQ_MAX_SIZE &&
	       !(p->queue_size & (p->queue_size - 1)) &&
	       (!(p->discard || p->write_zeroes) ||
		p->max_discard_sectors >= bs / VIRTIO_BLK_SECTOR) &&
	       be->submit && be->poll && be->drain;
}

static uint64_t blk_features(const struct virtio_blk_params *p)
{
	uint64_t f = (1ull << VIRTIO_BLK_F_SIZE_MAX) |
		     (1ull << VIRTIO_BLK_F_SEG_MAX) |
		     (1ull << VIRTIO_BLK_F_BLK_SIZE) |
		     (1ull << VIRTIO_BLK_F_FLUSH);

	if (p->readonly)
		f |= 1ull << VIRTIO_BLK_F_RO;
	if (p->num_queues > 1)
		f |= 1ull << VIRTIO_BLK_F_MQ;
	if (p->packed_ring)
		f |= 1ull << VIRTIO_F_RING_PACKED;
	if (p->discard && !p->readonly)
		f |= 1ull << VIRTIO_BLK_F_DISCARD;
	if (p->write_zeroes && !p->readonly)
		f |= 1ull << VIRTIO_BLK_F_WRITE_ZEROES;
	return f;
}

/* Request slots for queue q: one per ring entry, each with room for a
 * chain of seg_max data segments plus header and status. */
static int alloc_queue(struct virtio_blk *b, unsigned q, struct iovec **iov)
{
	struct vblk_queue *bq = &b->qs[q];
	unsigned i;

	bq->reqs = calloc(b->p.queue_size, sizeof(*bq->reqs));
	bq->free = calloc(b->p.queue_size, sizeof(*bq->free));
	if (!bq->reqs || !bq->free)
		return -ENOMEM;
	for (i = 0; i < b->p.queue_size; i++) {
		bq->reqs[i].b = b;
		bq->reqs[i].q = q;
		bq->reqs[i].chain = *iov;
		*iov += b->p.seg_max + 2;
		bq->reqs[i].data = *iov;
		*iov += b->p.seg_max;
		bq->free[bq->nfree++] = b->p.queue_size - 1 - i;
	}
	return 0;
}

int virtio_blk_create(const struct gmem *mem,
		      const struct virtio_blk_params *p,
		      struct virtio_dev **out)
{
	struct virtio_blk *b;
	struct iovec *iov;
	unsigned q;
	int r;

	if (!params_ok(p))
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	r = virtio_dev_init(&b->vdev, &blk_ops, mem, p->num_queues,
			    p->queue_size, blk_features(p));
	if (r) {
		free(b);
		return r;
	}
	b->p = *p;
	/* Header and status take two entries: a longer chain could not be
	 * made of the queue (Linux sizes indirect tables by seg_max). */
	if (b->p.seg_max > p->queue_size - 2u)
		b->p.seg_max = p->queue_size - 2u;
	b->qs = calloc(p->num_queues, sizeof(*b->qs));
	b->iov_mem = calloc((size_t)p->num_queues * p->queue_size *
				    (2 * b->p.seg_max + 2),
			    sizeof(struct iovec));
	r = b->qs && b->iov_mem ? 0 : -ENOMEM;
	iov = b->iov_mem;
	for (q = 0; !r && q < p->num_queues; q++)
		r = alloc_queue(b, q, &iov);
	if (r) {
		blk_destroy(&b->vdev);
		return r;
	}
	*out = &b->vdev;
	return 0;
}
