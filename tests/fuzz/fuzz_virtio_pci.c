/* Fuzz target: the virtio modern PCI transport's register file.  A
 * virtio-pci function around the core's test device, with fake MSI
 * vectors, ioeventfds and bus host, takes a sequence of 12-byte guest
 * records: kind, size selector and direction, a 16-bit offset, a 64-bit
 * value.  Kinds: a BAR 4 access (common config, ISR, device config,
 * notify, MSI-X table and PBA, and the space between), a configuration
 * space access (the MSI-X and PCI_CFG window capabilities, BAR moves),
 * a kick through a queue's eventfd, an interrupt from the device. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/fake_host.h"
#include "../unit/fake_irq.h"
#include "../unit/fake_pci_host.h"
#include "../unit/fake_virtq.h"
#include "virtio/virtio_pci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE 0xc0000000ULL

static void record(struct virtio_pci *vp, struct pci *pci,
		   struct fake_pci_host *fph, const uint8_t *r)
{
	unsigned kind = r[0] % 4, sz = 1u << (r[1] & 3);
	bool is_write = r[1] & 4;
	uint64_t off = 0, value = 0, one = 1;

	memcpy(&off, r + 2, 2);
	memcpy(&value, r + 4, 8);
	switch (kind) {
	case 0:
		bus_access(&fph->mmio, BASE + (off % VIRTIO_PCI_BAR_SIZE),
			   &value, sz, is_write);
		break;
	case 1:
		if (is_write)
			pci_cfg_write(pci, 1 << 3, off & 0xff, sz > 4 ? 4 : sz,
				      (uint32_t)value);
		else
			pci_cfg_read(pci, 1 << 3, off & 0xff, sz > 4 ? 4 : sz);
		break;
	case 2:
		if (virtio_pci_kick_fd(vp, off % 4) >= 0 &&
		    write(virtio_pci_kick_fd(vp, off % 4), &one, 8) != 8)
			abort();
		virtio_pci_kicked(vp, off % 4);
		break;
	default:
		virtio_dev_lock(vp->vdev);
		if (off & 1)
			virtio_config_changed(vp->vdev);
		else
			virtio_raise_queue_irq(vp->vdev, (off >> 1) % 4);
		virtio_dev_unlock(vp->vdev);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_driver fd;
	static struct fake_irq fi;
	struct fake_host fh;
	struct hw_host hw = fake_host_init(&fh);
	struct fake_pci_host fph;
	struct pci_bus_host h = fake_pci_host_init(&fph, &hw);
	struct hw_irq irq = fake_irq_init(&fi);
	struct hw_ioevent ioev = fake_ioevent_init(&fi);
	struct virtio_pci_host vh;
	struct virtio_pci *vp;
	struct fv_dev *td;
	struct pci *pci;
	size_t i;

	fv_init(&fd);
	td = fv_dev_new(&fd, 3, 64, 0);
	if (!td || pci_create(&pci))
		abort();
	pci_set_host(pci, &h);
	vh = (struct virtio_pci_host){ .bus = pci, .irq = &irq, .ioevent = &ioev };
	if (virtio_pci_create(&vp, &td->vdev, &vh, 1) ||
	    device_realize(&vp->dev))
		abort();
	fd.dev = NULL;
	pci_device_program_bar(&vp->pci, VIRTIO_PCI_BAR, BASE);
	for (i = 0; i + 12 <= size; i += 12)
		record(vp, pci, &fph, data + i);
	virtio_pci_destroy(vp);
	if (fi.nioevents || fi.groups || bus_count(&fph.mmio))
		abort();	/* everything given back */
	pci_destroy(pci);
	fake_pci_host_destroy(&fph);
	fv_fini(&fd);
	return 0;
}
