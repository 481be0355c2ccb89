/* The packed-virtqueue walker (virtio 1.2, 2.8): one descriptor ring
 * shared both ways, with the driver's and the device's event suppression
 * words.  Owns the device's ring positions and wrap counters and the
 * number of descriptors each buffer id took, to skip them when it is
 * used.
 *
 * Trust boundary: as for the split ring, the ring's place was checked
 * when the queue was enabled; each descriptor is copied out once, then
 * checked: availability against our wrap counter, buffer ids, list
 * length, indirect tables and every buffer's place in RAM. */
#include "virtio/virtq_int.h"

#define F_AVAIL		(1u << 7)
#define F_USED		(1u << 15)
#define EVT_ENABLE	0
#define EVT_DISABLE	1
#define EVT_DESC	2

/* Packed descriptor layout: addr, len, id, flags. */
struct pdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t id;
	uint16_t flags;
};

static struct pdesc *ring(struct virtq *vq)
{
	return (struct pdesc *)vq->desc;
}

static void load_pdesc(const void *p, struct pdesc *d)
{
	struct virtq_desc s;

	virtq_load_desc(p, &s);
	*d = (struct pdesc){ s.addr, s.len, s.flags, s.next };
}

/* Made available by the driver in the lap `wrap`? */
static bool is_avail(uint16_t flags, bool wrap)
{
	return !!(flags & F_AVAIL) == wrap && !!(flags & F_USED) != wrap;
}

int packed_map(struct virtq *vq)
{
	const struct gmem *mem = vq->dev->mem;
	const struct virtio_queue_cfg *c = &vq->cfg;
	void *desc, *drv, *dev;

	/* Any size up to the maximum: packed rings need no power of two. */
	if (!c->size || c->size > c->max_size)
		return -EINVAL;
	if ((c->desc & 15) || (c->driver & 3) || (c->device & 3))
		return -EINVAL;
	desc = gmem_ptr(mem, c->desc, VIRTQ_DESC_BYTES(c->size));
	drv = gmem_ptr(mem, c->driver, 4);
	dev = gmem_ptr(mem, c->device, 4);
	if (!desc || !drv || !dev)
		return -EINVAL;
	vq->desc = desc;
	vq->avail = drv;	/* driver event suppression: desc, flags */
	vq->used = dev;		/* device event suppression */
	vq->avail_pos = vq->used_pos = vq->sig_pos = 0;
	vq->avail_wrap = vq->used_wrap = vq->sig_wrap = true;
	vq->unsignalled = false;
	/* We always want kicks. */
	store16(&vq->used[1], EVT_ENABLE);
	return 0;
}

static void advance(struct virtq *vq, uint16_t *pos, bool *wrap,
		    unsigned n)
{
	*pos = (uint16_t)(*pos + n);
	if (*pos >= vq->cfg.size) {
		*pos = (uint16_t)(*pos - vq->cfg.size);
		*wrap = !*wrap;
	}
}

/* The buffer is one descriptor pointing at an indirect table. */
static int walk_indirect(struct virtq *vq, struct walk *w,
			 const struct pdesc *d)
{
	struct virtq_desc sd;
	struct pdesc e;
	const uint8_t *t;
	unsigned i, n;
	int r;

	if (w->n || (d->flags & VIRTQ_DESC_F_NEXT))
		return bad(vq, "queue %u: indirect descriptor in a list",
			   vq->index);
	t = virtq_indirect_table(vq, d->addr, d->len);
	if (!t)
		return -EIO;
	n = d->len / sizeof(e);
	for (i = 0; i < n; i++) {
		load_pdesc(t + i * sizeof(e), &e);
		if (e.flags & VIRTQ_DESC_F_INDIRECT)
			return bad(vq, "queue %u: nested indirect table",
				   vq->index);
		sd = (struct virtq_desc){ e.addr, e.len,
					  e.flags & VIRTQ_DESC_F_WRITE, 0 };
		r = virtq_add_buffer(vq, w, &sd);
		if (r)
			return r;
	}
	return 0;
}

/* Walk the list starting at avail_pos; sets *id and *count. */
static int walk_list(struct virtq *vq, struct walk *w, uint16_t *id,
		     unsigned *count)
{
	uint16_t pos = vq->avail_pos;
	bool wrap = vq->avail_wrap;
	struct virtq_desc sd;
	struct pdesc d;
	int r;

	for (*count = 1;; (*count)++) {
		if (*count > vq->cfg.size)
			return bad(vq, "queue %u: descriptor list longer than "
				   "the queue", vq->index);
		load_pdesc(&ring(vq)[pos], &d);
		if (!is_avail(d.flags, wrap))
			return bad(vq, "queue %u: list runs into descriptor "
				   "%u, not available", vq->index, pos);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			r = walk_indirect(vq, w, &d);
		} else {
			sd = (struct virtq_desc){ d.addr, d.len,
						  d.flags & VIRTQ_DESC_F_WRITE,
						  0 };
			r = virtq_add_buffer(vq, w, &sd);
		}
		if (r)
			return r;
		advance(vq, &pos, &wrap, 1);
		if (!(d.flags & VIRTQ_DESC_F_NEXT)) {
			*id = d.id;
			return 0;
		}
	}
}

int packed_pop(struct virtq *vq, struct iovec *iov, unsigned max_iov,
	       struct virtq_chain *chain)
{
	struct walk w = { .max_iov = max_iov, .iov = iov, .chain = chain };
	unsigned count;
	uint16_t id;
	int r;

	if (!is_avail(load16(&ring(vq)[vq->avail_pos].flags),
		      vq->avail_wrap))
		return 0;
	/* The descriptors are read after the flags that published them. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	*chain = (struct virtq_chain){ 0 };
	r = walk_list(vq, &w, &id, &count);
	if (r)
		return r;
	if (id >= vq->cfg.size)
		return bad(vq, "queue %u: buffer id %u of %u", vq->index, id,
			   vq->cfg.size);
	chain->head = id;
	vq->ndesc[id] = (uint16_t)count;
	vq->prev_pos = vq->avail_pos;
	vq->prev_wrap = vq->avail_wrap;
	advance(vq, &vq->avail_pos, &vq->avail_wrap, count);
	return 1;
}

void packed_unpop(struct virtq *vq)
{
	vq->avail_pos = vq->prev_pos;
	vq->avail_wrap = vq->prev_wrap;
}

void packed_push(struct virtq *vq, uint16_t id, uint32_t len)
{
	struct pdesc *d = &ring(vq)[vq->used_pos];
	uint16_t flags = vq->used_wrap ? F_AVAIL | F_USED : 0;
	unsigned n = id < vq->cfg.size && vq->ndesc[id] ? vq->ndesc[id] : 1;

	if (len)
		flags |= VIRTQ_DESC_F_WRITE;
	__atomic_store_n(&d->id, htole16(id), __ATOMIC_RELAXED);
	__atomic_store_n(&d->len, htole32(len), __ATOMIC_RELAXED);
	/* id and len are visible before the flags that publish them. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	store16(&d->flags, flags);
	advance(vq, &vq->used_pos, &vq->used_wrap, n);
}

/* Does the driver's event suppression ask for an interrupt for what was
 * used since the last check?  (Called after a full barrier.) */
bool packed_need_interrupt(struct virtq *vq)
{
	uint16_t flags = load16(&vq->avail[1]) & 3;
	uint16_t evt = load16(&vq->avail[0]);
	uint16_t off = evt & 0x7fff, old = vq->sig_pos, now = vq->used_pos;

	if (vq->sig_wrap != vq->used_wrap)
		old = (uint16_t)(old - vq->cfg.size);
	vq->sig_pos = vq->used_pos;
	vq->sig_wrap = vq->used_wrap;
	if (flags == EVT_DISABLE)
		return false;
	if (flags != EVT_DESC ||
	    !virtio_has_feature(vq->dev, VIRTIO_F_RING_EVENT_IDX))
		return true;
	/* An event in the previous lap sits one ring size back. */
	if (!!(evt & 0x8000) != vq->used_wrap)
		off = (uint16_t)(off - vq->cfg.size);
	return virtq_need_event(off, now, old);
}
