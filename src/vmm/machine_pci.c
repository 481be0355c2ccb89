/* The machine's PCI side: the bus host that puts BARs on the VM's port
 * and memory buses, and virtio-pci devices with their slots, their BAR
 * addresses (assigned and enabled here the way firmware would, from the
 * 32-bit PCI window; the guest may move them) and their kick eventfds
 * on the main loop. */
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
	struct machine_kick *kicks;
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

/* A vhost device takes over (on false) or gives back queue q's kicks;
 * on the vCPU thread that activates or resets the device (epoll_ctl may
 * be called from any thread). */
static void kick_watch(void *opaque, unsigned q, bool on)
{
	struct machine_virtio *mv = opaque;

	if (q < mv->nkicks && mv->kicks[q].added &&
	    loop_modify(mv->loop, &mv->kicks[q].src, on ? EPOLLIN : 0))
		log_warn("%s: queue %u kicks: cannot %s watching them",
			 mv->vp->pci.name, q, on ? "resume" : "stop");
}

static int add_kicks(struct machine *m, struct machine_virtio *mv)
{
	unsigned q, nq = mv->vp->nq;
	int ret;

	mv->kicks = calloc(nq, sizeof(*mv->kicks));
	if (!mv->kicks)
		return -ENOMEM;
	mv->nkicks = nq;
	for (q = 0; q < nq; q++) {
		struct machine_kick *k = &mv->kicks[q];

		k->vp = mv->vp;
		k->q = q;
		if (virtio_pci_kick_fd(mv->vp, q) < 0)
			continue;
		ret = loop_add(m->loop, &k->src, virtio_pci_kick_fd(mv->vp, q),
			       EPOLLIN, on_kick, k);
		if (ret)
			return ret;
		k->added = true;
	}
	return 0;
}

static void remove_virtio(struct machine *m, struct machine_virtio *mv)
{
	unsigned q;

	for (q = 0; q < mv->nkicks; q++)
		if (mv->kicks[q].added)
			loop_remove(m->loop, &mv->kicks[q].src);
	free(mv->kicks);
	/* A device that stops vhost as it goes gives its kicks back
	 * (kick_watch): they are gone already. */
	mv->kicks = NULL;
	mv->nkicks = 0;
	virtio_pci_destroy(mv->vp);
	memset(mv, 0, sizeof(*mv));
}

int machine_add_virtio(struct machine *m, struct virtio_dev *vdev)
{
	struct virtio_pci_host h = { m->pci, vm_msi(m->vm),
				     vm_ioevent(m->vm), kick_watch, NULL };
	struct machine_virtio *mv;
	uint64_t base;
	int ret;

	if (m->nvirtio == MACHINE_MAX_VIRTIO)
		return -ENOSPC;
	mv = &m->virtio[m->nvirtio];
	mv->loop = m->loop;
	h.kick_opaque = mv;
	/* Slots 1, 2, ...: the host bridge has 0. */
	ret = virtio_pci_create(&mv->vp, vdev, &h, 1 + m->nvirtio);
	if (ret)
		return ret;
	ret = device_realize(&mv->vp->dev);
	ret = ret ?: add_kicks(m, mv);
	if (ret) {
		mv->vp->vdev = NULL;	/* the caller's again */
		remove_virtio(m, mv);
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
		remove_virtio(m, &m->virtio[i]);
	m->nvirtio = 0;
	free(m->virtio);
	m->virtio = NULL;
	if (m->pci)
		pci_destroy(m->pci);
	m->pci = NULL;
}
