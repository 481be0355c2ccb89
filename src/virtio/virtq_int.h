/* Private to the queue walker (virtq.c, virtq_packed.c): guest-memory
 * accessors, the walk state both ring layouts fill, and the packed
 * ring's entry points that virtq.c dispatches to. */
#ifndef VIREO_VIRTIO_VIRTQ_INT_H
#define VIREO_VIRTIO_VIRTQ_INT_H

#include <endian.h>
#include <errno.h>

#include "virtio/virtq.h"

#define compiler_barrier() __asm__ __volatile__("" ::: "memory")

static inline uint16_t load16(const uint16_t *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline void store16(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, htole16(v), __ATOMIC_RELAXED);
}

/* Walk state: the table being walked (the ring's, or one indirect
 * table) and what has been collected so far. */
struct walk {
	const uint8_t *table;
	unsigned tsize;		/* entries in table */
	unsigned seen;		/* descriptors visited in this table */
	bool indirect;
	unsigned n;		/* iovecs filled */
	unsigned max_iov;
	struct iovec *iov;
	struct virtq_chain *chain;
};

/* Report a malformed ring (NEEDS_RESET) and evaluate to -EIO. */
#define bad(vq, ...)                                                          \
	(virtio_dev_error((vq)->dev, __VA_ARGS__), -EIO)

/* Copy one 16-byte descriptor out of guest memory (possibly unaligned,
 * in an indirect table) before anything looks at it.  The packed layout
 * has the same words: its id and flags land in flags and next. */
void virtq_load_desc(const void *p, struct virtq_desc *d);

/* Check an indirect table (the feature negotiated, a whole number of
 * descriptors, at most a queue's worth, inside RAM): its host address,
 * or NULL once the device is in NEEDS_RESET. */
const uint8_t *virtq_indirect_table(struct virtq *vq, uint64_t addr,
				    uint32_t len);

/* Add the buffer d describes (addr, len, WRITE flag) to the walk. */
int virtq_add_buffer(struct virtq *vq, struct walk *w,
		     const struct virtq_desc *d);

/* virtio 1.2, 2.7.10: has the index passed the driver's event? */
bool virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx);

int packed_map(struct virtq *vq);
int packed_pop(struct virtq *vq, struct iovec *iov, unsigned max_iov,
	       struct virtq_chain *chain);
void packed_unpop(struct virtq *vq);
void packed_push(struct virtq *vq, uint16_t id, uint32_t len);
bool packed_need_interrupt(struct virtq *vq);

#endif
