/* Coalesced I/O: guest writes to registered port or MMIO ranges that KVM
 * queues in a ring page shared with us instead of exiting, and that we
 * replay, in order, before any exit is handled.  Used for write-only
 * latches such as PCI CONFIG_ADDRESS and the CMOS index register, so
 * that a configuration read costs one exit instead of two. */
#ifndef VIREO_KVM_COALESCED_H
#define VIREO_KVM_COALESCED_H

#include <pthread.h>
#include <linux/kvm.h>

#include "util/bus.h"

/* Entries in the one-page ring (x86 pages are 4 KiB). */
#define COALESCED_RING_ENTRIES                                                \
	((4096 - sizeof(struct kvm_coalesced_mmio_ring)) /                    \
	 sizeof(struct kvm_coalesced_mmio))

struct coalesced {
	struct kvm_coalesced_mmio_ring *ring;	/* NULL: not in use */
	pthread_mutex_t lock;			/* one consumer at a time */
	struct bus *pio, *mmio;
	unsigned long replayed;			/* writes replayed (stats) */
	unsigned long bad;			/* malformed entries dropped */
};

void coalesced_init(struct coalesced *c, struct bus *pio, struct bus *mmio);
void coalesced_destroy(struct coalesced *c);

/* Starts draining `ring` (the page KVM_CAP_COALESCED_MMIO points at). */
void coalesced_attach(struct coalesced *c,
		      struct kvm_coalesced_mmio_ring *ring);

/* Replays every queued write through the buses, oldest first.  Cheap when
 * the ring is empty.  Safe from any vCPU thread. */
void coalesced_flush(struct coalesced *c);

#endif
