/* PCI bus 0 through configuration mechanism #1 (ports 0xCF8-0xCFF), with
 * the host bridge at 00:00.0.  Configuration space is a byte array per
 * function with a per-byte write mask; BAR sizing falls out of the mask. */
#include "pci/pci.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define PCI_VENDOR_ID		0x00
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION		0x08
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_INTERRUPT_LINE	0x3c
#define CONF1_ENABLE		0x80000000u
#define CONF1_ADDR_MASK		0x80fffffcu
#define HOST_BRIDGE_VENDOR	0x8086
#define HOST_BRIDGE_DEVICE	0x0d57

struct pci {
	pthread_mutex_t lock;
	uint32_t addr;			/* CONFIG_ADDRESS */
	struct pci_device *slots[PCI_MAX_SLOTS];
	struct pci_device host_bridge;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void pci_device_init(struct pci_device *dev, uint16_t vendor,
		     uint16_t device, uint32_t class_code, uint8_t revision,
		     const char *name)
{
	memset(dev, 0, sizeof(*dev));
	put16(dev->cfg + PCI_VENDOR_ID, vendor);
	put16(dev->cfg + PCI_VENDOR_ID + 2, device);
	dev->cfg[PCI_REVISION] = revision;
	dev->cfg[PCI_REVISION + 1] = (uint8_t)class_code;
	dev->cfg[PCI_REVISION + 2] = (uint8_t)(class_code >> 8);
	dev->cfg[PCI_REVISION + 3] = (uint8_t)(class_code >> 16);
	dev->cfg[PCI_HEADER_TYPE] = 0;
	/* I/O, memory, bus master, parity, SERR, INTx disable. */
	put16(dev->wmask + PCI_COMMAND, 0x0547);
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
	dev->name = name;
}

int pci_device_set_bar(struct pci_device *dev, unsigned bar, uint64_t size,
		       unsigned flags)
{
	bool is64 = (flags & PCI_BAR_MEM64) && !(flags & PCI_BAR_IO);
	uint64_t mask = ~(size - 1);
	unsigned off = PCI_BAR0 + 4 * bar, i;

	if (bar > 5 || (is64 && bar > 4) || size == 0 || (size & (size - 1)) ||
	    size < ((flags & PCI_BAR_IO) ? 4 : 16) ||
	    ((flags & PCI_BAR_IO) && (flags & ~PCI_BAR_IO)) ||
	    (!is64 && size > (1ULL << 31)))
		return -EINVAL;
	for (i = 0; i < (is64 ? 8u : 4u); i++) {
		dev->wmask[off + i] = (uint8_t)(mask >> (8 * i));
		dev->cfg[off + i] = 0;
	}
	/* The type bits are read-only. */
	dev->wmask[off] &= (flags & PCI_BAR_IO) ? 0xfc : 0xf0;
	dev->cfg[off] = (uint8_t)flags;
	return 0;
}

int pci_create(struct pci **out)
{
	struct pci *pci = calloc(1, sizeof(*pci));

	if (!pci)
		return -ENOMEM;
	pthread_mutex_init(&pci->lock, NULL);
	pci_device_init(&pci->host_bridge, HOST_BRIDGE_VENDOR,
			HOST_BRIDGE_DEVICE, 0x060000, 0, "host-bridge");
	pci->slots[0] = &pci->host_bridge;
	*out = pci;
	return 0;
}

void pci_destroy(struct pci *pci)
{
	if (!pci)
		return;
	pthread_mutex_destroy(&pci->lock);
	free(pci);
}

int pci_attach(struct pci *pci, unsigned slot, struct pci_device *dev)
{
	if (slot >= PCI_MAX_SLOTS)
		return -EINVAL;
	if (pci->slots[slot])
		return -EBUSY;
	pci->slots[slot] = dev;
	return 0;
}

static struct pci_device *lookup(struct pci *pci, unsigned bdf)
{
	if ((bdf >> 8) != 0 || (bdf & 7) != 0)
		return NULL;	/* bus 0, function 0 only */
	return pci->slots[(bdf >> 3) & 0x1f];
}

static bool cfg_access_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < PCI_CFG_SIZE &&
	       (off & (size - 1)) == 0;
}

static uint32_t cfg_read_locked(struct pci *pci, unsigned bdf, unsigned off,
				unsigned size)
{
	struct pci_device *dev = lookup(pci, bdf);
	uint32_t v = 0;
	unsigned i;

	if (!dev || !cfg_access_ok(off, size))
		return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	for (i = 0; i < size; i++)
		v |= (uint32_t)dev->cfg[off + i] << (8 * i);
	if (dev->cfg_read)
		dev->cfg_read(dev, off, size, &v);
	return v;
}

static void cfg_write_locked(struct pci *pci, unsigned bdf, unsigned off,
			     unsigned size, uint32_t value)
{
	struct pci_device *dev = lookup(pci, bdf);
	unsigned i;

	if (!dev || !cfg_access_ok(off, size))
		return;
	for (i = 0; i < size; i++) {
		unsigned o = off + i;
		uint8_t b = (uint8_t)(value >> (8 * i));

		if (o == PCI_STATUS)
			continue;	/* all read-only (capabilities, ...) */
		if (o == PCI_STATUS + 1)
			dev->cfg[o] &= (uint8_t)~(b & 0xf9);	/* RW1C bits */
		else
			dev->cfg[o] = (uint8_t)((dev->cfg[o] & ~dev->wmask[o]) |
						(b & dev->wmask[o]));
	}
	if (dev->cfg_write)
		dev->cfg_write(dev, off, size, value);
}

uint32_t pci_cfg_read(struct pci *pci, unsigned bdf, unsigned off,
		      unsigned size)
{
	uint32_t v;

	pthread_mutex_lock(&pci->lock);
	v = cfg_read_locked(pci, bdf, off, size);
	pthread_mutex_unlock(&pci->lock);
	return v;
}

void pci_cfg_write(struct pci *pci, unsigned bdf, unsigned off,
		   unsigned size, uint32_t value)
{
	pthread_mutex_lock(&pci->lock);
	cfg_write_locked(pci, bdf, off, size, value);
	pthread_mutex_unlock(&pci->lock);
}

/* Trust boundary: every field of CONFIG_ADDRESS and every data access
 * comes from the guest. */
int pci_conf_io(void *opaque, uint64_t offset, unsigned size,
		uint64_t *value, bool is_write)
{
	struct pci *pci = opaque;
	unsigned reg;

	pthread_mutex_lock(&pci->lock);
	if (offset < 4) {
		/* Only dword accesses reach CONFIG_ADDRESS; byte and word
		 * ones (like the 0xCFB probe write) are not conf1 cycles. */
		if (offset == 0 && size == 4) {
			if (is_write)
				pci->addr = (uint32_t)*value & CONF1_ADDR_MASK;
			else
				*value = pci->addr;
		}
	} else if (!(pci->addr & CONF1_ENABLE) || offset - 4 + size > 4) {
		if (!is_write)
			*value = ~0ULL;
	} else {
		reg = (pci->addr & 0xfc) + (unsigned)(offset - 4);
		if (is_write)
			cfg_write_locked(pci, (pci->addr >> 8) & 0xffff, reg,
					 size, (uint32_t)*value);
		else
			*value = cfg_read_locked(pci, (pci->addr >> 8) & 0xffff,
						 reg, size);
	}
	pthread_mutex_unlock(&pci->lock);
	return 0;
}
