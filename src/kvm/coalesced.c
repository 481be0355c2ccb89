/* Coalesced I/O ring: the consumer side of the page KVM fills with
 * guest writes to coalesced ranges (see coalesced.h). */
#include "kvm/coalesced.h"

#include <string.h>

#include "util/log.h"

void coalesced_init(struct coalesced *c, struct bus *pio, struct bus *mmio)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->pio = pio;
	c->mmio = mmio;
}

void coalesced_destroy(struct coalesced *c)
{
	pthread_mutex_destroy(&c->lock);
	c->ring = NULL;
}

void coalesced_attach(struct coalesced *c,
		      struct kvm_coalesced_mmio_ring *ring)
{
	__atomic_store_n(&c->ring, ring, __ATOMIC_RELEASE);
}

/* One entry: the kernel wrote it, but what it holds (address, length,
 * data) is what the guest wrote, and the length is checked like any
 * other guest access. */
static void coalesced_replay(struct coalesced *c,
			     const struct kvm_coalesced_mmio *e)
{
	uint8_t data[8];
	uint32_t len = e->len;

	if (len == 0 || len > sizeof(data)) {
		c->bad++;
		log_guest("coalesced %s write of %u bytes at %#llx dropped",
			  e->pio ? "pio" : "mmio", len,
			  (unsigned long long)e->phys_addr);
		return;
	}
	memcpy(data, e->data, len);
	c->replayed++;
	bus_access(e->pio ? c->pio : c->mmio, e->phys_addr, data, len, true);
}

void coalesced_flush(struct coalesced *c)
{
	struct kvm_coalesced_mmio_ring *ring;
	uint32_t first, last;

	ring = __atomic_load_n(&c->ring, __ATOMIC_ACQUIRE);
	if (!ring || __atomic_load_n(&ring->first, __ATOMIC_RELAXED) ==
			     __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&c->lock);
	while (c->ring) {
		first = ring->first;
		last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);
		if (first == last)
			break;
		/* The indices are KVM's and ours, never the guest's; still,
		 * one out of range would have us read past the page. */
		if (first >= COALESCED_RING_ENTRIES ||
		    last >= COALESCED_RING_ENTRIES) {
			log_error("coalesced I/O ring indices %u/%u out of "
				  "range: no longer draining it", first, last);
			__atomic_store_n(&c->ring, NULL, __ATOMIC_RELEASE);
			break;
		}
		coalesced_replay(c, &ring->coalesced_mmio[first]);
		__atomic_store_n(&ring->first,
				 (first + 1) % COALESCED_RING_ENTRIES,
				 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&c->lock);
}
