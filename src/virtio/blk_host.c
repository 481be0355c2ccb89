/* Adapter from virtio-blk's backend interface to src/block's queues: owns
 * a pool of struct blk_req per queue (as many as the virtqueue holds), so
 * a submission never allocates.  Runs in whatever thread the device runs
 * (its lock held): blk_queue's one-thread-at-a-time rule holds because
 * every call comes through the device. */
#include "virtio/blk_host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct host_req {
	struct blk_req req;	/* first: the callback gets its address */
	struct host_queue *hq;
	void *tag;
};

struct host_queue {
	struct blk_queue *bq;
	struct host_req *reqs;
	struct host_req **free;
	unsigned nfree;
};

struct vblk_host {
	unsigned nq;
	struct host_queue *qs;
};

static void done(struct blk_req *req, int result)
{
	struct host_req *hr = (struct host_req *)req;
	struct host_queue *hq = hr->hq;

	hq->free[hq->nfree++] = hr;
	virtio_blk_complete(hr->tag, result);
}

static const enum blk_op ops[] = {
	[VBLK_READ] = BLK_OP_READ,
	[VBLK_WRITE] = BLK_OP_WRITE,
	[VBLK_FLUSH] = BLK_OP_FLUSH,
	[VBLK_DISCARD] = BLK_OP_DISCARD,
	[VBLK_WRITE_ZEROES] = BLK_OP_WRITE_ZEROES,
};

static int submit(void *opaque, unsigned q, const struct vblk_io *io,
		  void *tag)
{
	struct vblk_host *h = opaque;
	struct host_queue *hq = &h->qs[q];
	struct host_req *hr;
	int r;

	if (q >= h->nq || !hq->nfree)
		return -EAGAIN;
	hr = hq->free[--hq->nfree];
	memset(&hr->req, 0, sizeof(hr->req));
	hr->req.op = ops[io->op];
	hr->req.offset = io->offset;
	hr->req.iov = io->iov;
	hr->req.iovcnt = io->iovcnt;
	hr->req.len = io->len;
	hr->req.unmap = io->unmap;
	hr->req.done = done;
	hr->tag = tag;
	r = blk_queue_submit(hq->bq, &hr->req);
	if (r)
		hq->free[hq->nfree++] = hr;
	return r;
}

static void poll_queue(void *opaque, unsigned q)
{
	struct vblk_host *h = opaque;

	if (q < h->nq)
		blk_queue_poll(h->qs[q].bq);
}

static void plug_queue(void *opaque, unsigned q)
{
	struct vblk_host *h = opaque;

	if (q < h->nq)
		blk_queue_plug(h->qs[q].bq);
}

static void unplug_queue(void *opaque, unsigned q)
{
	struct vblk_host *h = opaque;

	if (q < h->nq)
		blk_queue_unplug(h->qs[q].bq);
}

static void drain_queue(void *opaque, unsigned q)
{
	struct vblk_host *h = opaque;

	if (q < h->nq)
		blk_queue_drain(h->qs[q].bq);
}

static int queue_init(struct blk_image *img, struct host_queue *hq,
		      uint16_t depth)
{
	unsigned i;

	hq->reqs = calloc(depth, sizeof(*hq->reqs));
	hq->free = calloc(depth, sizeof(*hq->free));
	if (!hq->reqs || !hq->free)
		return -ENOMEM;
	for (i = 0; i < depth; i++) {
		hq->reqs[i].hq = hq;
		hq->free[hq->nfree++] = &hq->reqs[i];
	}
	return blk_queue_create(img, depth, &hq->bq);
}

int vblk_host_create(struct blk_image *img, unsigned num_queues,
		     uint16_t depth, struct vblk_host **out)
{
	struct vblk_host *h;
	unsigned q;
	int r = 0;

	if (!num_queues || num_queues > VIRTIO_MAX_QUEUES || !depth)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->nq = num_queues;
	h->qs = calloc(num_queues, sizeof(*h->qs));
	if (!h->qs)
		r = -ENOMEM;
	for (q = 0; !r && q < num_queues; q++)
		r = queue_init(img, &h->qs[q], depth);
	if (r) {
		vblk_host_destroy(h);
		return r;
	}
	*out = h;
	return 0;
}

void vblk_host_destroy(struct vblk_host *h)
{
	unsigned q;

	if (!h)
		return;
	for (q = 0; h->qs && q < h->nq; q++) {
		blk_queue_destroy(h->qs[q].bq);
		free(h->qs[q].reqs);
		free(h->qs[q].free);
	}
	free(h->qs);
	free(h);
}

int vblk_host_eventfd(const struct vblk_host *h, unsigned q)
{
	return q < h->nq ? blk_queue_eventfd(h->qs[q].bq) : -EINVAL;
}

void vblk_host_params(const struct blk_image *img, struct vblk_host *h,
		      struct virtio_blk_params *p)
{
	const char *serial = blk_serial(img);
	struct blk_limits l;
	uint64_t discard_sectors;

	blk_get_limits(img, &l);
	memset(p, 0, sizeof(*p));
	p->capacity = blk_size(img);
	p->readonly = blk_readonly(img);
	memcpy(p->serial, serial, strnlen(serial, sizeof(p->serial)));
	p->block_size = l.block_size;
	p->seg_max = l.max_segments;
	p->size_max = l.max_segment_size;
	p->max_request = l.max_request;
	discard_sectors = l.max_discard / VIRTIO_BLK_SECTOR;
	p->max_discard_sectors = discard_sectors > UINT32_MAX
					 ? UINT32_MAX - UINT32_MAX % 8
					 : (uint32_t)discard_sectors;
	p->discard = true;
	p->write_zeroes = true;
	p->write_zeroes_may_unmap = blk_discard_unmaps(img);
	p->backend = (struct virtio_blk_backend){
		.submit = submit,
		.poll = poll_queue,
		.drain = drain_queue,
		.opaque = h,
		.plug = plug_queue,
		.unplug = unplug_queue,
	};
}
