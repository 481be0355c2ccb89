/* The machine's PCI side: the bus host that puts BARs on the VM's port
 * and memory buses, and virtio-pci devices with their slots, their BAR
 * addresses (assigned and enabled here the way firmware would, from the
 * 32-bit PCI window; the guest may move them) and their kick and call
 * eventfds on the main loop or a device's I/O thread's loop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "util/log.h"
#include "virtio/virtio_pci.h"
#include "vmm/machine.h"
#include "x86/layout.h"

struct machine_kick {
	struct loop_source src;
	struct virtio_pci *vp;
	unsigned q;
	bool added;
};

struct machine_virtio {
	struct virtio_pci *vp;
	struct loop *loop;
	struct machine_kick *kicks, *calls;	/* nkicks of each */
	unsigned nkicks;
};

static int host_map(void *opaque, bool io, uint64_t base, uint64_t len,
		    bus_io_fn fn, void *dev, const char *name)
{
	struct vm *vm = opaque;

	return bus_register(io ? vm_pio(vm) : vm_mmio(vm), base, len, fn, dev,
			    name);
}

static void host_unmap(void *opaque, bool io, uint64_t base, void *dev)
{
	struct vm *vm = opaque;

	bus_unregister(io ? vm_pio(vm) : vm_mmio(vm), base, dev);
}

int machine_pci_init(struct machine *m)
{
	struct pci_bus_host h = { host_map, host_unmap, vm_host(m->vm), m->vm };
	int ret;

	m->virtio = calloc(MACHINE_MAX_VIRTIO, sizeof(*m->virtio));
	if (!m->virtio)
		return -ENOMEM;
	ret = pci_create(&m->pci);
	if (ret)
		return ret;
	pci_set_host(m->pci, &h);
	m->mmio32_next = X86_PCI_MMIO32_BASE;
	return 0;
}

static void on_kick(struct loop_source *src, uint32_t events)
{
	struct machine_kick *k = (struct machine_kick *)src;

	(void)events;
	virtio_pci_kicked(k->vp, k->q);
}

static void on_call(struct loop_source *src, uint32_t events)
{
	struct machine_kick *k = (struct machine_kick *)src;

	(void)events;
	virtio_pci_called(k->vp, k->q);
}

/* Start or stop reading eventfd k (on the vCPU thread that activates or
 * resets the device; epoll_ctl may be called from any thread). */
static void watch(struct machine_virtio *mv, struct machine_kick *k,
		  const char *what, bool on)
{
	if (k->added && loop_modify(mv->loop, &k->src, on ? EPOLLIN : 0))
		log_warn("%s: queue %u %s: cannot %s watching them",
			 mv->vp->pci.name, k->q, what, on ? "resume" : "stop");
}

/* A vhost device takes over (on false) or gives back queue q's kicks. */
static void kick_watch(void *opaque, unsigned q, bool on)
{
	struct machine_virtio *mv = opaque;

	if (q < mv->nkicks)
		watch(mv, &mv->kicks[q], "kicks", on);
}

/* A vhost device signals queue q's interrupts on its call eventfd (on)
 * or no longer does. */
static void call_watch(void *opaque, unsigned q, bool on)
{
	struct machine_virtio *mv = opaque;

	if (q < mv->nkicks)
		watch(mv, &mv->calls[q], "interrupts", on);
}

/* One source per queue for fd_of's eventfds, watched from the start or
 * not (events). */
static int add_fds(struct machine_virtio *mv, struct machine_kick *ks,
		   int (*fd_of)(struct virtio_pci *, unsigned),
		   uint32_t events, loop_fn fn)
{
	unsigned q;
	int ret;

	for (q = 0; q < mv->nkicks; q++) {
		struct machine_kick *k = &ks[q];

		k->vp = mv->vp;
		k->q = q;
		if (fd_of(mv->vp, q) < 0)
			continue;
		ret = loop_add(mv->loop, &k->src, fd_of(mv->vp, q), events, fn,
			       k);
		if (ret)
			return ret;
		k->added = true;
	}
	return 0;
}

static int add_kicks(struct machine_virtio *mv)
{
	unsigned nq = mv->vp->nq;

	mv->kicks = calloc(nq, sizeof(*mv->kicks));
	mv->calls = calloc(nq, sizeof(*mv->calls));
	if (!mv->kicks || !mv->calls)
		return -ENOMEM;
	mv->nkicks = nq;
	return add_fds(mv, mv->kicks, virtio_pci_kick_fd, EPOLLIN,
		       on_kick) ?:
	       add_fds(mv, mv->calls, virtio_pci_call_fd, 0, on_call);
}

static void remove_virtio(struct machine_virtio *mv)
{
	unsigned q;

	for (q = 0; q < mv->nkicks; q++) {
		if (mv->kicks[q].added)
			loop_remove(mv->loop, &mv->kicks[q].src);
		if (mv->calls[q].added)
			loop_remove(mv->loop, &mv->calls[q].src);
	}
	free(mv->kicks);
	free(mv->calls);
	/* A device that stops vhost as it goes gives its kicks and calls
	 * back (kick_watch, call_watch): they are gone already. */
	mv->kicks = mv->calls = NULL;
	mv->nkicks = 0;
	virtio_pci_destroy(mv->vp);
	memset(mv, 0, sizeof(*mv));
}

int machine_add_virtio(struct machine *m, struct virtio_dev *vdev,
		       struct loop *loop)
{
	struct virtio_pci_host h = { m->pci, vm_msi(m->vm),
				     vm_ioevent(m->vm), kick_watch,
				     call_watch, NULL };
	struct machine_virtio *mv;
	uint64_t base;
	int ret;

	if (m->nvirtio == MACHINE_MAX_VIRTIO)
		return -ENOSPC;
	mv = &m->virtio[m->nvirtio];
	mv->loop = loop ? loop : m->loop;
	h.kick_opaque = mv;
	/* Slots 1, 2, ...: the host bridge has 0. */
	ret = virtio_pci_create(&mv->vp, vdev, &h, 1 + m->nvirtio);
	if (ret)
		return ret;
	ret = device_realize(&mv->vp->dev);
	ret = ret ?: add_kicks(mv);
	if (ret) {
		mv->vp->vdev = NULL;	/* the caller's again */
		remove_virtio(mv);
		return ret;
	}
	m->nvirtio++;
	base = (m->mmio32_next + VIRTIO_PCI_BAR_SIZE - 1) &
	       ~(uint64_t)(VIRTIO_PCI_BAR_SIZE - 1);
	m->mmio32_next = base + VIRTIO_PCI_BAR_SIZE;
	pci_device_program_bar(&mv->vp->pci, VIRTIO_PCI_BAR, base);
	return 0;
}

void machine_pci_destroy(struct machine *m)
{
	unsigned i;

	for (i = 0; i < m->nvirtio; i++)
		remove_virtio(&m->virtio[i]);
	m->nvirtio = 0;
	free(m->virtio);
	m->virtio = NULL;
	if (m->pci)
		pci_destroy(m->pci);
	m->pci = NULL;
}
