/* Message-signalled interrupts as a device model sees them: a group of
 * N vectors, each routed to an MSI message (address, data) and fired on
 * demand.  The VMM implements it with KVM GSI routes and one irqfd per
 * vector (src/kvm/irq.c), so firing is an eventfd write that any thread
 * may make; unit tests implement it with fakes.  Masking and pending
 * bits belong to the caller (src/pci/msix.c).  No KVM header here.
 *
 * A vector's eventfd can also be handed to another signaller (vhost's
 * call fd), which then interrupts the guest without the VMM; the caller
 * gates it with msi_gate while the vector is masked (its signals then
 * only count up in the eventfd, which the caller reads as pending). */
#ifndef VIREO_HW_IRQ_H
#define VIREO_HW_IRQ_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

struct hw_msi_group;

struct hw_irq_ops {
	/* n vectors, none routed yet.  0 or -errno (-ENOSPC: out of GSIs). */
	int (*msi_create)(void *opaque, unsigned n, struct hw_msi_group **out);
	void (*msi_destroy)(void *opaque, struct hw_msi_group *g);
	/* Route vector v to (addr, data), or remove its route (valid
	 * false: firing it then does nothing).  0 or -errno. */
	int (*msi_route)(void *opaque, struct hw_msi_group *g, unsigned v,
			 bool valid, uint64_t addr, uint32_t data);
	/* Deliver vector v once; never blocks.  0 or -errno. */
	int (*msi_fire)(void *opaque, struct hw_msi_group *g, unsigned v);
	/* Optional: the eventfd whose signals deliver vector v (a KVM
	 * irqfd), owned by the group.  fd or -errno (-ENOTSUP). */
	int (*msi_eventfd)(void *opaque, struct hw_msi_group *g, unsigned v);
	/* Optional (with msi_eventfd): open false stops delivering the
	 * eventfd's signals (they stay counted in it), true delivers them
	 * again, including a count already there.  0 or -errno. */
	int (*msi_gate)(void *opaque, struct hw_msi_group *g, unsigned v,
			bool open);
};

struct hw_irq {
	const struct hw_irq_ops *ops;
	void *opaque;
};

static inline int hw_msi_create(const struct hw_irq *irq, unsigned n,
				struct hw_msi_group **out)
{
	return irq->ops->msi_create(irq->opaque, n, out);
}

static inline void hw_msi_destroy(const struct hw_irq *irq,
				  struct hw_msi_group *g)
{
	if (g)
		irq->ops->msi_destroy(irq->opaque, g);
}

static inline int hw_msi_route(const struct hw_irq *irq,
			       struct hw_msi_group *g, unsigned v, bool valid,
			       uint64_t addr, uint32_t data)
{
	return irq->ops->msi_route(irq->opaque, g, v, valid, addr, data);
}

static inline int hw_msi_fire(const struct hw_irq *irq,
			      struct hw_msi_group *g, unsigned v)
{
	return irq->ops->msi_fire(irq->opaque, g, v);
}

static inline int hw_msi_eventfd(const struct hw_irq *irq,
				 struct hw_msi_group *g, unsigned v)
{
	if (!irq->ops->msi_eventfd || !irq->ops->msi_gate)
		return -ENOTSUP;
	return irq->ops->msi_eventfd(irq->opaque, g, v);
}

static inline int hw_msi_gate(const struct hw_irq *irq,
			      struct hw_msi_group *g, unsigned v, bool open)
{
	return irq->ops->msi_gate(irq->opaque, g, v, open);
}

#endif
