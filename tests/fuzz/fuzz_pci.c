/* Fuzz target: PCI configuration space and BAR decoding.  Three devices
 * (memory, I/O and 64-bit BARs, one with MSI-X in a BAR) sit on a PCI
 * bus whose fake bus host maps BARs onto real port and memory buses;
 * the input is a sequence of 12-byte guest records: kind, size selector,
 * then a port or memory address and a value.  Kinds: a port access (so
 * CONFIG_ADDRESS/CONFIG_DATA and any I/O BAR), a memory access (the
 * memory BARs, MSI-X table and PBA), an INTx change, an MSI-X notify.
 * After each record every BAR marked mapped must be on its bus. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fake_host.h"
#include "../unit/fake_irq.h"
#include "../unit/fake_pci_host.h"
#include "pci/msix.h"
#include "pci/pci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NDEV 3

static struct msix msix;

static int bar_io(void *opaque, uint64_t offset, unsigned size,
		  uint64_t *value, bool is_write)
{
	(void)opaque;
	if (msix_bar_access(&msix, offset, size, value, is_write) == 0)
		return 0;
	if (!is_write)
		*value = offset;
	return 0;
}

static void msix_cfg(struct pci_device *dev, unsigned off, unsigned size,
		     uint32_t value)
{
	(void)dev;
	(void)value;
	msix_cfg_write(&msix, off, size);
}

static void check_bars(struct fake_pci_host *f, struct pci_device *devs)
{
	unsigned d, b;

	for (d = 0; d < NDEV; d++)
		for (b = 0; b < PCI_NUM_BARS; b++) {
			const struct pci_bar *bar = &devs[d].bars[b];
			const struct bus_range *r;

			if (!bar->mapped)
				continue;
			r = bus_find((bar->flags & PCI_BAR_IO) ? &f->pio
							       : &f->mmio,
				     bar->addr);
			if (!r || r->base != bar->addr || r->len != bar->size)
				abort();
		}
}

static void setup_devs(struct pci *pci, struct pci_device *devs,
		       const struct hw_irq *irq)
{
	unsigned d;

	for (d = 0; d < NDEV; d++) {
		pci_device_init(&devs[d], 0x1af4, 0x1040 + d, 0xff0000, 1,
				"fuzz");
		pci_device_set_intx_pin(&devs[d], d);
	}
	if (pci_device_set_bar(&devs[0], 0, 0x1000, PCI_BAR_MEM32) ||
	    pci_device_set_bar(&devs[0], 1, 0x100, PCI_BAR_IO) ||
	    pci_device_set_bar(&devs[1], 0, 0x4000, PCI_BAR_MEM64) ||
	    pci_device_set_bar(&devs[1], 2, 0x10, PCI_BAR_IO) ||
	    pci_device_set_bar(&devs[2], 4, 0x4000,
			       PCI_BAR_MEM64 | PCI_BAR_PREFETCH))
		abort();
	if (msix_init(&msix, &devs[2], irq, 9, 4, 0x1000, 0x2000))
		abort();
	devs[2].cfg_write = msix_cfg;
	for (d = 0; d < NDEV; d++) {
		unsigned b;

		for (b = 0; b < PCI_NUM_BARS; b++)
			pci_device_bar_handler(&devs[d], b, bar_io, &devs[d]);
		if (pci_attach(pci, 1 + d * 8, &devs[d]))
			abort();
	}
	pci_device_program_bar(&devs[0], 0, 0xc0000000);
	pci_device_program_bar(&devs[2], 4, 0xc0010000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pci_device devs[NDEV];
	struct fake_host fh;
	struct hw_host hw = fake_host_init(&fh);
	struct fake_irq fi;
	struct hw_irq irq = fake_irq_init(&fi);
	struct fake_pci_host fph;
	struct pci_bus_host host = fake_pci_host_init(&fph, &hw);
	struct pci *pci;
	size_t i;

	if (pci_create(&pci))
		abort();
	pci_set_host(pci, &host);
	bus_register(&fph.pio, 0xcf8, 8, pci_conf_io, pci, "pci-conf");
	setup_devs(pci, devs, &irq);
	for (i = 0; i + 12 <= size; i += 12) {
		unsigned kind = data[i] % 4, sz = 1u << (data[i + 1] & 3);
		bool is_write = data[i + 1] & 4;
		uint64_t addr = 0, value = 0;

		memcpy(&addr, data + i + 2, 4);
		memcpy(&value, data + i + 6, 6);
		switch (kind) {
		case 0:
			bus_access(&fph.pio, addr & 0xffff, &value,
				   sz > 4 ? 4 : sz, is_write);
			break;
		case 1:
			/* High bits from the value's top: reach 64-bit BARs. */
			addr |= (uint64_t)(data[i + 1] >> 3) << 32;
			bus_access(&fph.mmio, addr, &value, sz, is_write);
			break;
		case 2:
			pci_set_irq(&devs[data[i + 2] % NDEV], data[i + 3] & 1);
			break;
		default:
			msix_notify(&msix, data[i + 2] % 16);
			break;
		}
		check_bars(&fph, devs);
	}
	for (i = 0; i < 32; i++)
		if (fh.level[i] && (i < PCI_INTX_GSI_BASE ||
				    i >= PCI_INTX_GSI_BASE + PCI_INTX_GSIS))
			abort();	/* only INTx lines */
	msix_fini(&msix);
	pci_destroy(pci);
	fake_pci_host_destroy(&fph);
	return 0;
}
