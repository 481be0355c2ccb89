/* PCI bus 0 through configuration mechanism #1 (ports 0xCF8-0xCFF), with
 * the host bridge at 00:00.0.  Configuration space is a byte array per
 * function with a per-byte write mask; BAR sizing falls out of the mask.
 * After every write to COMMAND or a BAR, each BAR's decoding is
 * recomputed and its range moved on the bus host; INTx lines are the OR
 * of the devices that share them. */
#include "pci/pci.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define PCI_VENDOR_ID		0x00
#define PCI_REVISION		0x08
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR_END		0x28
#define PCI_CAP_START		0x40
#define CONF1_ENABLE		0x80000000u
#define CONF1_ADDR_MASK		0x80fffffcu
#define HOST_BRIDGE_VENDOR	0x8086
#define HOST_BRIDGE_DEVICE	0x0d57

struct pci {
	pthread_mutex_t lock;		/* configuration space, BAR mappings */
	uint32_t addr;			/* CONFIG_ADDRESS */
	struct pci_device *slots[PCI_MAX_SLOTS];
	struct pci_device host_bridge;
	struct pci_bus_host host;
	pthread_mutex_t irq_lock;	/* INTx state; taken after `lock` */
	unsigned intx_count[PCI_INTX_GSIS];	/* devices asserting each */
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
	dev->next_cap = PCI_CAP_START;
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
	dev->bars[bar].size = size;
	dev->bars[bar].flags = flags;
	return 0;
}

void pci_device_bar_handler(struct pci_device *dev, unsigned bar,
			    bus_io_fn fn, void *opaque)
{
	if (bar < PCI_NUM_BARS) {
		dev->bars[bar].fn = fn;
		dev->bars[bar].opaque = opaque;
	}
}

int pci_add_capability(struct pci_device *dev, uint8_t id, unsigned size)
{
	unsigned off = dev->next_cap;

	if (size < 2 || off < PCI_CAP_START || size > PCI_CFG_SIZE - off)
		return -ENOSPC;
	dev->cfg[off] = id;
	dev->cfg[off + 1] = 0;
	if (dev->last_cap)
		dev->cfg[dev->last_cap + 1] = (uint8_t)off;
	else
		dev->cfg[PCI_CAPABILITY_LIST] = (uint8_t)off;
	dev->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	dev->last_cap = off;
	dev->next_cap = (off + size + 3) & ~3u;
	return (int)off;
}

void pci_device_set_intx_pin(struct pci_device *dev, unsigned pin)
{
	dev->cfg[PCI_INTERRUPT_PIN] = (uint8_t)(pin % 4 + 1);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(__atomic_load_n(&p[0], __ATOMIC_RELAXED) |
			  __atomic_load_n(&p[1], __ATOMIC_RELAXED) << 8);
}

/* Drive the device's share of its INTx line; under pci->irq_lock. */
static void intx_update_locked(struct pci *pci, struct pci_device *dev)
{
	bool on = (__atomic_load_n(&dev->cfg[PCI_STATUS], __ATOMIC_RELAXED) &
		   PCI_STATUS_INTERRUPT) &&
		  !(get16(dev->cfg + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	unsigned pin = dev->cfg[PCI_INTERRUPT_PIN], gsi, *count;

	if (on == dev->intx_asserted || pin < 1 || pin > 4)
		return;
	dev->intx_asserted = on;
	gsi = pci_intx_gsi(dev->slot, pin - 1);
	count = &pci->intx_count[gsi - PCI_INTX_GSI_BASE];
	*count += on ? 1 : (unsigned)-1;
	/* Only the first to assert and the last to deassert move the line. */
	if (pci->host.hw && *count == (on ? 1u : 0u))
		hw_irq_set(pci->host.hw, gsi, on);
}

void pci_set_irq(struct pci_device *dev, bool level)
{
	struct pci *pci = dev->bus;

	if (!pci)
		return;
	pthread_mutex_lock(&pci->irq_lock);
	if (level)
		__atomic_or_fetch(&dev->cfg[PCI_STATUS], PCI_STATUS_INTERRUPT,
				  __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&dev->cfg[PCI_STATUS],
				   (uint8_t)~PCI_STATUS_INTERRUPT,
				   __ATOMIC_RELAXED);
	intx_update_locked(pci, dev);
	pthread_mutex_unlock(&pci->irq_lock);
}

/* Where BAR `bar` should decode now, from its register and COMMAND.
 * False when it is off: decoding disabled, address 0 (unassigned), or a
 * range reaching the top of its space (the sizing pattern). */
static bool bar_target(const struct pci_device *dev, unsigned bar,
		       uint64_t *addr)
{
	const struct pci_bar *b = &dev->bars[bar];
	uint16_t cmd = get16(dev->cfg + PCI_COMMAND);
	unsigned off = PCI_BAR0 + 4 * bar, i;
	bool io = b->flags & PCI_BAR_IO;
	bool is64 = !io && (b->flags & PCI_BAR_MEM64);
	uint64_t a = 0, limit;

	if (!b->size || !(cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
		return false;
	for (i = 0; i < (is64 ? 8u : 4u); i++)
		a |= (uint64_t)dev->cfg[off + i] << (8 * i);
	a &= ~(b->size - 1);
	limit = io ? 0xffff : is64 ? UINT64_MAX : 0xffffffffu;
	/* a is size-aligned, so a + size - 1 cannot wrap below a. */
	if (a == 0 || a > limit - (b->size - 1) || a + (b->size - 1) == limit)
		return false;
	*addr = a;
	return true;
}

/* Bring BAR `bar`'s mapping in line with the registers; under pci->lock. */
static void bar_update(struct pci *pci, struct pci_device *dev, unsigned bar)
{
	struct pci_bar *b = &dev->bars[bar];
	bool io = b->flags & PCI_BAR_IO, want;
	uint64_t addr = 0;
	int ret;

	want = b->fn && pci->host.map && bar_target(dev, bar, &addr);
	if (b->mapped && want && b->addr == addr)
		return;
	if (b->mapped) {
		pci->host.unmap(pci->host.opaque, io, b->addr, b->opaque);
		b->mapped = false;
		if (dev->bar_moved)
			dev->bar_moved(dev, bar, false, b->addr);
	}
	if (!want)
		return;
	ret = pci->host.map(pci->host.opaque, io, addr, b->size, b->fn,
			    b->opaque, dev->name);
	if (ret) {
		/* Guest-chosen address over another range: this BAR stays
		 * off until the guest moves it somewhere free. */
		log_guest("%s: BAR%u at %#llx (%llu bytes) not mapped: %s",
			  dev->name, bar, (unsigned long long)addr,
			  (unsigned long long)b->size, strerror(-ret));
		return;
	}
	b->mapped = true;
	b->addr = addr;
	if (dev->bar_moved)
		dev->bar_moved(dev, bar, true, addr);
}

static void bars_update(struct pci *pci, struct pci_device *dev)
{
	unsigned bar;

	for (bar = 0; bar < PCI_NUM_BARS; bar++)
		bar_update(pci, dev, bar);
}

int pci_create(struct pci **out)
{
	struct pci *pci = calloc(1, sizeof(*pci));

	if (!pci)
		return -ENOMEM;
	pthread_mutex_init(&pci->lock, NULL);
	pthread_mutex_init(&pci->irq_lock, NULL);
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
	pthread_mutex_destroy(&pci->irq_lock);
	pthread_mutex_destroy(&pci->lock);
	free(pci);
}

void pci_set_host(struct pci *pci, const struct pci_bus_host *host)
{
	pthread_mutex_lock(&pci->lock);
	pci->host = *host;
	pthread_mutex_unlock(&pci->lock);
}

int pci_attach(struct pci *pci, unsigned slot, struct pci_device *dev)
{
	if (slot >= PCI_MAX_SLOTS)
		return -EINVAL;
	if (pci->slots[slot])
		return -EBUSY;
	pthread_mutex_lock(&pci->lock);
	dev->bus = pci;
	dev->slot = slot;
	pci->slots[slot] = dev;
	bars_update(pci, dev);	/* BARs programmed before attaching */
	pthread_mutex_unlock(&pci->lock);
	return 0;
}

void pci_detach(struct pci *pci, struct pci_device *dev)
{
	unsigned bar;

	pthread_mutex_lock(&pci->lock);
	if (dev->bus != pci || pci->slots[dev->slot] != dev) {
		pthread_mutex_unlock(&pci->lock);
		return;
	}
	for (bar = 0; bar < PCI_NUM_BARS; bar++) {
		struct pci_bar *b = &dev->bars[bar];

		if (!b->mapped)
			continue;
		pci->host.unmap(pci->host.opaque, b->flags & PCI_BAR_IO,
				b->addr, b->opaque);
		b->mapped = false;
		if (dev->bar_moved)
			dev->bar_moved(dev, bar, false, b->addr);
	}
	pci->slots[dev->slot] = NULL;
	pthread_mutex_unlock(&pci->lock);
	pci_set_irq(dev, false);
	dev->bus = NULL;
}

void pci_device_program_bar(struct pci_device *dev, unsigned bar,
			    uint64_t addr)
{
	unsigned off = PCI_BAR0 + 4 * bar, i, n;
	uint16_t cmd;

	if (bar >= PCI_NUM_BARS || !dev->bars[bar].size)
		return;
	n = (dev->bars[bar].flags & (PCI_BAR_IO | PCI_BAR_MEM64)) ==
	    PCI_BAR_MEM64 ? 8 : 4;
	addr &= ~(dev->bars[bar].size - 1);
	if (dev->bus)
		pthread_mutex_lock(&dev->bus->lock);
	for (i = 0; i < n; i++)
		dev->cfg[off + i] = (uint8_t)((dev->cfg[off + i] &
					       ~dev->wmask[off + i]) |
					      ((addr >> (8 * i)) &
					       dev->wmask[off + i]));
	cmd = get16(dev->cfg + PCI_COMMAND) |
	      ((dev->bars[bar].flags & PCI_BAR_IO) ? PCI_COMMAND_IO
						   : PCI_COMMAND_MEMORY);
	put16(dev->cfg + PCI_COMMAND, cmd);
	if (dev->bus) {
		bars_update(dev->bus, dev);
		pthread_mutex_unlock(&dev->bus->lock);
	}
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
	/* COMMAND or a BAR changed: move what decodes where. */
	if (off < PCI_BAR_END && off + size > PCI_COMMAND &&
	    !(off >= PCI_STATUS && off + size <= PCI_BAR0)) {
		bars_update(pci, dev);
		pthread_mutex_lock(&pci->irq_lock);
		intx_update_locked(pci, dev);
		pthread_mutex_unlock(&pci->irq_lock);
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
