/* The split-virtqueue walker: owns the reading of the descriptor table
 * and available ring and the writing of the used ring.
 *
 * Trust boundary: the rings' locations were checked when the queue was
 * enabled (virtq_map), but everything inside them is written by the
 * guest, may change under our feet, and is read exactly once into a
 * local copy before it is checked and used. */
#include "virtio/virtq.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#include "virtio/virtq_int.h"

void virtq_load_desc(const void *p, struct virtq_desc *d)
{
	memcpy(d, p, sizeof(*d));
	compiler_barrier();
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

static bool is_pow2(unsigned v)
{
	return v && !(v & (v - 1));
}

/* The split ring's positions, as at power-on. */
static void split_state_clear(struct virtq *vq)
{
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_valid = false;
	vq->unsignalled = false;
}

int virtq_map(struct virtq *vq)
{
	const struct gmem *mem = vq->dev->mem;
	const struct virtio_queue_cfg *c = &vq->cfg;
	void *desc, *avail, *used;

	vq->packed = virtio_has_feature(vq->dev, VIRTIO_F_RING_PACKED);
	if (vq->packed)
		return packed_map(vq);
	if (!is_pow2(c->size) || c->size > c->max_size)
		return -EINVAL;
	if ((c->desc & 15) || (c->driver & 1) || (c->device & 3))
		return -EINVAL;
	desc = gmem_ptr(mem, c->desc, VIRTQ_DESC_BYTES(c->size));
	avail = gmem_ptr(mem, c->driver, VIRTQ_AVAIL_BYTES(c->size));
	used = gmem_ptr(mem, c->device, VIRTQ_USED_BYTES(c->size));
	if (!desc || !avail || !used)
		return -EINVAL;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	split_state_clear(vq);
	return 0;
}

void virtq_reset(struct virtq *vq)
{
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	split_state_clear(vq);
	vq->packed = false;
	vq->cfg.size = vq->cfg.max_size;
	vq->cfg.msix_vector = VIRTIO_NO_VECTOR;
	vq->cfg.enabled = false;
	vq->cfg.desc = 0;
	vq->cfg.driver = 0;
	vq->cfg.device = 0;
}

const uint8_t *virtq_indirect_table(struct virtq *vq, uint64_t addr,
				    uint32_t len)
{
	const uint8_t *t;

	if (!virtio_has_feature(vq->dev, VIRTIO_F_RING_INDIRECT_DESC)) {
		virtio_dev_error(vq->dev, "queue %u: indirect descriptor "
				 "without the feature", vq->index);
		return NULL;
	}
	if (len == 0 || len % sizeof(struct virtq_desc) ||
	    len / sizeof(struct virtq_desc) > vq->cfg.size) {
		virtio_dev_error(vq->dev, "queue %u: indirect table of %u "
				 "bytes", vq->index, len);
		return NULL;
	}
	t = gmem_ptr(vq->dev->mem, addr, len);
	if (!t)
		virtio_dev_error(vq->dev, "queue %u: indirect table "
				 "%#llx+%u outside RAM", vq->index,
				 (unsigned long long)addr, len);
	return t;
}

/* Switch the walk into the indirect table descriptor d points at. */
static int enter_indirect(struct virtq *vq, struct walk *w,
			  const struct virtq_desc *d)
{
	const uint8_t *t;

	if (w->indirect)
		return bad(vq, "queue %u: nested indirect table", vq->index);
	if (d->flags & VIRTQ_DESC_F_NEXT)
		return bad(vq, "queue %u: indirect descriptor with NEXT",
			   vq->index);
	t = virtq_indirect_table(vq, d->addr, d->len);
	if (!t)
		return -EIO;
	w->table = t;
	w->tsize = d->len / sizeof(struct virtq_desc);
	w->seen = 0;
	w->indirect = true;
	return 0;
}

int virtq_add_buffer(struct virtq *vq, struct walk *w,
		     const struct virtq_desc *d)
{
	struct virtq_chain *c = w->chain;
	void *p;

	if (d->len == 0)
		return bad(vq, "queue %u: zero-length descriptor", vq->index);
	p = gmem_ptr(vq->dev->mem, d->addr, d->len);
	if (!p)
		return bad(vq, "queue %u: buffer %#llx+%#x outside RAM",
			   vq->index, (unsigned long long)d->addr, d->len);
	if (w->n >= w->max_iov)
		return bad(vq, "queue %u: chain of more than %u buffers",
			   vq->index, w->max_iov);
	if (d->flags & VIRTQ_DESC_F_WRITE) {
		c->n_in++;
		c->in_bytes += d->len;
	} else {
		if (c->n_in)
			return bad(vq, "queue %u: readable buffer after a "
				   "writable one", vq->index);
		c->n_out++;
		c->out_bytes += d->len;
	}
	if (c->in_bytes > UINT32_MAX || c->out_bytes > UINT32_MAX)
		return bad(vq, "queue %u: chain longer than 4 GiB", vq->index);
	w->iov[w->n].iov_base = p;
	w->iov[w->n].iov_len = d->len;
	w->n++;
	return 0;
}

static int walk_chain(struct virtq *vq, uint16_t head, struct walk *w)
{
	struct virtq_desc d;
	unsigned idx = head;
	int r;

	for (;;) {
		if (idx >= w->tsize)
			return bad(vq, "queue %u: descriptor index %u of %u",
				   vq->index, idx, w->tsize);
		if (++w->seen > w->tsize)
			return bad(vq, "queue %u: descriptor chain loops",
				   vq->index);
		virtq_load_desc(w->table + idx * sizeof(d), &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			r = enter_indirect(vq, w, &d);
			if (r)
				return r;
			idx = 0;
			continue;
		}
		r = virtq_add_buffer(vq, w, &d);
		if (r)
			return r;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		idx = d.next;
	}
}

static uint16_t *used_event(struct virtq *vq)
{
	return &vq->avail[2 + vq->cfg.size];
}

static uint16_t *avail_event(struct virtq *vq)
{
	return &vq->used[2 + 4 * vq->cfg.size];
}

/* The avail index, or -EIO if it ran more than a queue ahead. */
static int avail_pending(struct virtq *vq)
{
	bool event_idx = virtio_has_feature(vq->dev, VIRTIO_F_RING_EVENT_IDX);
	uint16_t idx = load16(&vq->avail[1]);

	if (idx == vq->last_avail && event_idx) {
		/* Ask for a kick at the next buffer, then look again: the
		 * driver writes its index and then reads our event, so one
		 * of us sees the other's write (full barrier on both sides). */
		store16(avail_event(vq), vq->last_avail);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		idx = load16(&vq->avail[1]);
	}
	if ((uint16_t)(idx - vq->last_avail) > vq->cfg.size)
		return bad(vq, "queue %u: avail index jumped from %u to %u",
			   vq->index, vq->last_avail, idx);
	return (uint16_t)(idx - vq->last_avail);
}

int virtq_pop(struct virtq *vq, struct iovec *iov, unsigned max_iov,
	      struct virtq_chain *chain)
{
	struct walk w = {
		.table = (const uint8_t *)vq->desc,
		.tsize = vq->cfg.size,
		.max_iov = max_iov,
		.iov = iov,
		.chain = chain,
	};
	uint16_t head;
	int r;

	if (!vq->desc || vq->dev->broken)
		return 0;
	if (vq->packed)
		return packed_pop(vq, iov, max_iov, chain);
	r = avail_pending(vq);
	if (r <= 0)
		return r;
	/* The ring entry is read after the index that published it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	head = load16(&vq->avail[2 + vq->last_avail % vq->cfg.size]);
	*chain = (struct virtq_chain){ .head = head };
	r = walk_chain(vq, head, &w);
	if (r)
		return r;
	vq->last_avail++;
	if (virtio_has_feature(vq->dev, VIRTIO_F_RING_EVENT_IDX))
		store16(avail_event(vq), vq->last_avail);
	return 1;
}

void virtq_unpop(struct virtq *vq)
{
	if (vq->packed)
		packed_unpop(vq);
	else
		vq->last_avail--;
}

void virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	uint32_t *elem;

	if (!vq->used || vq->dev->broken)
		return;
	vq->unsignalled = true;
	if (vq->packed) {
		packed_push(vq, head, len);
		return;
	}
	elem = (uint32_t *)&vq->used[2 + 4 * (vq->used_idx % vq->cfg.size)];
	__atomic_store_n(&elem[0], htole32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&elem[1], htole32(len), __ATOMIC_RELAXED);
	vq->used_idx++;
	/* The element is visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	store16(&vq->used[1], vq->used_idx);
}

bool virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

bool virtq_notify(struct virtq *vq)
{
	uint16_t old;
	bool need;

	if (!vq->used || vq->dev->broken || !vq->unsignalled)
		return false;
	vq->unsignalled = false;
	/* Our used index write must be visible before we read the driver's
	 * suppression state, which it writes before reading our index. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->packed) {
		need = packed_need_interrupt(vq);
	} else if (virtio_has_feature(vq->dev, VIRTIO_F_RING_EVENT_IDX)) {
		old = vq->signalled_used;
		need = !vq->signalled_valid ||
		       virtq_need_event(load16(used_event(vq)), vq->used_idx,
					 old);
		vq->signalled_used = vq->used_idx;
		vq->signalled_valid = true;
	} else {
		need = !(load16(&vq->avail[0]) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	if (need)
		virtio_raise_queue_irq(vq->dev, vq->index);
	return need;
}
