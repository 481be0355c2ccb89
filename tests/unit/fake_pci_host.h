/* A fake struct pci_bus_host for PCI tests: BARs land on two real buses
 * (so overlaps are refused as in the VMM), and every map and unmap is
 * counted. */
#ifndef VIREO_TESTS_FAKE_PCI_HOST_H
#define VIREO_TESTS_FAKE_PCI_HOST_H

#include "pci/pci.h"
#include "util/bus.h"

struct fake_pci_host {
	struct bus pio, mmio;
	unsigned maps, unmaps, map_failures;
};

static inline int fake_pci_map(void *opaque, bool io, uint64_t base,
			       uint64_t len, bus_io_fn fn, void *dev,
			       const char *name)
{
	struct fake_pci_host *f = opaque;
	int ret = bus_register(io ? &f->pio : &f->mmio, base, len, fn, dev,
			       name);

	if (ret)
		f->map_failures++;
	else
		f->maps++;
	return ret;
}

static inline void fake_pci_unmap(void *opaque, bool io, uint64_t base,
				  void *dev)
{
	struct fake_pci_host *f = opaque;

	if (bus_unregister(io ? &f->pio : &f->mmio, base, dev) == 0)
		f->unmaps++;
}

static inline struct pci_bus_host fake_pci_host_init(struct fake_pci_host *f,
						     const struct hw_host *hw)
{
	*f = (struct fake_pci_host){ .maps = 0 };
	bus_init(&f->pio, "pio");
	bus_init(&f->mmio, "mmio");
	return (struct pci_bus_host){ fake_pci_map, fake_pci_unmap, hw, f };
}

static inline void fake_pci_host_destroy(struct fake_pci_host *f)
{
	bus_destroy(&f->pio);
	bus_destroy(&f->mmio);
}

#endif
