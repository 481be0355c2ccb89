/* MSI vector groups on KVM: each vector owns a GSI (24 and up) with an
 * eventfd bound to it by KVM_IRQFD, so firing is one eventfd write from
 * any thread.  KVM_SET_GSI_ROUTING replaces the whole routing table, so
 * every change rebuilds it: first the irqchip's default routes for GSIs
 * 0-23 (as KVM sets them up: IOAPIC pin n, plus the PIC for 0-15), then
 * one MSI route per routed vector.  Also KVM_IOEVENTFD. */
#include "kvm/irq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "util/log.h"

#define NGSI (VM_MSI_GSI_END - VM_MSI_GSI_BASE)
#define IRQCHIP_PINS 24
#define PIC_PINS 16

struct hw_msi_group {
	unsigned n;
	unsigned gsi[];		/* index into vm_irq.gsi */
};

static void route_irqchip(struct kvm_irq_routing_entry *e, unsigned gsi,
			  unsigned chip, unsigned pin)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

/* Rebuild and install the routing table; under irq->lock. */
static int set_routing(struct vm_irq *irq)
{
	struct kvm_irq_routing *r;
	struct kvm_irq_routing_entry *e;
	unsigned i, n = 0;
	int ret = 0;

	r = calloc(1, sizeof(*r) + (IRQCHIP_PINS + PIC_PINS + NGSI) *
			     sizeof(r->entries[0]));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < IRQCHIP_PINS; i++) {
		route_irqchip(&r->entries[n++], i, KVM_IRQCHIP_IOAPIC, i);
		if (i < PIC_PINS)
			route_irqchip(&r->entries[n++], i,
				      i < 8 ? KVM_IRQCHIP_PIC_MASTER
					    : KVM_IRQCHIP_PIC_SLAVE, i % 8);
	}
	for (i = 0; i < NGSI; i++) {
		if (!irq->gsi[i].used || !irq->gsi[i].valid)
			continue;
		e = &r->entries[n++];
		e->gsi = VM_MSI_GSI_BASE + i;
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = (uint32_t)irq->gsi[i].addr;
		e->u.msi.address_hi = (uint32_t)(irq->gsi[i].addr >> 32);
		e->u.msi.data = irq->gsi[i].data;
	}
	r->nr = n;
	if (irq->ioctl_fn(irq->vm_fd, KVM_SET_GSI_ROUTING, r) < 0) {
		ret = -errno;
		/* Reached from the guest's MSI-X table writes. */
		log_guest("KVM_SET_GSI_ROUTING (%u routes): %s", n,
			  strerror(errno));
	}
	irq->routes_set++;
	free(r);
	return ret;
}

static int bind_irqfd(struct vm_irq *irq, unsigned i, bool assign)
{
	struct kvm_irqfd f = {
		.fd = (uint32_t)irq->gsi[i].efd,
		.gsi = VM_MSI_GSI_BASE + i,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	return irq->ioctl_fn(irq->vm_fd, KVM_IRQFD, &f) < 0 ? -errno : 0;
}

/* Give back GSI i; under irq->lock.  True if it had a route. */
static bool gsi_free(struct vm_irq *irq, unsigned i)
{
	bool had_route = irq->gsi[i].valid;

	if (!irq->gsi[i].gated)
		bind_irqfd(irq, i, false);
	close(irq->gsi[i].efd);
	memset(&irq->gsi[i], 0, sizeof(irq->gsi[i]));
	return had_route;
}

static void msi_destroy(void *opaque, struct hw_msi_group *g)
{
	struct vm_irq *irq = opaque;
	bool reroute = false;
	unsigned v;

	pthread_mutex_lock(&irq->lock);
	for (v = 0; v < g->n; v++)
		reroute |= gsi_free(irq, g->gsi[v]);
	if (reroute)
		set_routing(irq);
	pthread_mutex_unlock(&irq->lock);
	free(g);
}

static int msi_create(void *opaque, unsigned n, struct hw_msi_group **out)
{
	struct vm_irq *irq = opaque;
	struct hw_msi_group *g;
	unsigned i = 0, v;
	int ret = 0;

	g = calloc(1, sizeof(*g) + n * sizeof(g->gsi[0]));
	if (!g)
		return -ENOMEM;
	pthread_mutex_lock(&irq->lock);
	for (v = 0; v < n && !ret; v++) {
		while (i < NGSI && irq->gsi[i].used)
			i++;
		if (i == NGSI) {
			ret = -ENOSPC;
			break;
		}
		irq->gsi[i].efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (irq->gsi[i].efd < 0)
			ret = -errno;
		else if ((ret = bind_irqfd(irq, i, true)))
			close(irq->gsi[i].efd);
		else
			irq->gsi[i].used = true;
		g->gsi[g->n] = i;
		g->n += !ret;
	}
	pthread_mutex_unlock(&irq->lock);
	if (ret) {
		log_error("cannot set up %u MSI vectors: %s", n, strerror(-ret));
		msi_destroy(irq, g);
		return ret;
	}
	*out = g;
	return 0;
}

static int msi_route(void *opaque, struct hw_msi_group *g, unsigned v,
		     bool valid, uint64_t addr, uint32_t data)
{
	struct vm_irq *irq = opaque;
	struct vm_msi_gsi *e;
	int ret;

	if (v >= g->n)
		return -EINVAL;
	pthread_mutex_lock(&irq->lock);
	e = &irq->gsi[g->gsi[v]];
	e->valid = valid;
	e->addr = addr;
	e->data = data;
	ret = set_routing(irq);
	pthread_mutex_unlock(&irq->lock);
	return ret;
}

static int msi_fire(void *opaque, struct hw_msi_group *g, unsigned v)
{
	struct vm_irq *irq = opaque;
	uint64_t one = 1;

	if (v >= g->n)
		return -EINVAL;
	/* The efd lives as long as the group; no lock needed. */
	if (write(irq->gsi[g->gsi[v]].efd, &one, sizeof(one)) < 0)
		return -errno;	/* EAGAIN: 2^64 - 2 undelivered, never */
	return 0;
}

static int msi_eventfd(void *opaque, struct hw_msi_group *g, unsigned v)
{
	struct vm_irq *irq = opaque;

	return v < g->n ? irq->gsi[g->gsi[v]].efd : -EINVAL;
}

/* Closing unbinds the irqfd: signals then count up in the eventfd.
 * Binding it again makes KVM deliver a count already there. */
static int msi_gate(void *opaque, struct hw_msi_group *g, unsigned v,
		    bool open)
{
	struct vm_irq *irq = opaque;
	struct vm_msi_gsi *e;
	int ret = 0;

	if (v >= g->n)
		return -EINVAL;
	pthread_mutex_lock(&irq->lock);
	e = &irq->gsi[g->gsi[v]];
	if (e->gated == open) {
		ret = bind_irqfd(irq, g->gsi[v], open);
		if (!ret)
			e->gated = !open;
	}
	pthread_mutex_unlock(&irq->lock);
	if (ret)	/* reached from the guest's MSI-X mask bits */
		log_guest("KVM_IRQFD %s for GSI %u: %s",
			  open ? "assign" : "deassign",
			  VM_MSI_GSI_BASE + g->gsi[v], strerror(-ret));
	return ret;
}

static const struct hw_irq_ops vm_msi_ops = {
	msi_create, msi_destroy, msi_route, msi_fire, msi_eventfd, msi_gate,
};

static int ioevent_set(void *opaque, const struct hw_ioevent_req *req,
		       bool assign)
{
	struct vm_irq *irq = opaque;
	struct kvm_ioeventfd e = {
		.datamatch = req->datamatch ? req->data : 0,
		.addr = req->addr,
		.len = req->len,
		.fd = req->fd,
		.flags = (req->datamatch ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
			 (req->io ? KVM_IOEVENTFD_FLAG_PIO : 0) |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	if (irq->ioctl_fn(irq->vm_fd, KVM_IOEVENTFD, &e) < 0)
		return -errno;
	return 0;
}

int vm_irq_init(struct vm_irq *irq, int vm_fd)
{
	memset(irq, 0, sizeof(*irq));
	irq->gsi = calloc(NGSI, sizeof(*irq->gsi));
	if (!irq->gsi)
		return -ENOMEM;
	irq->vm_fd = vm_fd;
	irq->ioctl_fn = kvm_sys_ioctl;
	pthread_mutex_init(&irq->lock, NULL);
	irq->msi = (struct hw_irq){ &vm_msi_ops, irq };
	irq->ioevent = (struct hw_ioevent){ ioevent_set, irq };
	return 0;
}

void vm_irq_destroy(struct vm_irq *irq)
{
	unsigned i;

	if (!irq->gsi)
		return;
	/* Groups left over belong to devices that are going with the VM. */
	for (i = 0; i < NGSI; i++)
		if (irq->gsi[i].used)
			close(irq->gsi[i].efd);
	free(irq->gsi);
	irq->gsi = NULL;
	pthread_mutex_destroy(&irq->lock);
}
