/* PCI bus 0 behind configuration mechanism #1 (ports 0xCF8-0xCFF), with
 * the host bridge at 00:00.0.  Device models attach as struct pci_device
 * with a 256-byte configuration space, BARs whose decoding the guest
 * switches and moves at run time (mapped through a struct pci_bus_host
 * the machine implements and tests fake), a capability list, and an
 * INTx pin routed by the one swizzle pci_intx_gsi(). */
#ifndef VIREO_PCI_PCI_H
#define VIREO_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/host.h"
#include "util/bus.h"

#define PCI_MAX_SLOTS	32
#define PCI_CFG_SIZE	256
#define PCI_NUM_BARS	6

/* Configuration space registers used outside pci.c. */
#define PCI_COMMAND		0x04
#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		0x06
#define PCI_STATUS_INTERRUPT	0x0008
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

#define PCI_CAP_ID_MSIX		0x11
#define PCI_CAP_ID_VNDR		0x09

/* Legacy INTx routing, the one definition the DSDT's _PRT also reads:
 * slot s, pin p (0 = INTA .. 3 = INTD) -> GSI 16 + (s + p) % 8. */
#define PCI_INTX_GSI_BASE	16
#define PCI_INTX_GSIS		8
static inline unsigned pci_intx_gsi(unsigned slot, unsigned pin)
{
	return PCI_INTX_GSI_BASE + (slot + pin) % PCI_INTX_GSIS;
}

/* What PCI needs of the machine: put a BAR's range on the port (io) or
 * memory bus and take it off again, and drive INTx lines.  The machine
 * implements it on its struct vm; tests fake it. */
struct pci_bus_host {
	/* 0 or -errno (-EEXIST: the range overlaps another). */
	int (*map)(void *opaque, bool io, uint64_t base, uint64_t len,
		   bus_io_fn fn, void *dev, const char *name);
	void (*unmap)(void *opaque, bool io, uint64_t base, void *dev);
	const struct hw_host *hw;	/* INTx lines; NULL: none */
	void *opaque;
};

/* A BAR as the device declared it and as it is mapped now. */
struct pci_bar {
	uint64_t size;		/* 0: not implemented */
	unsigned flags;		/* PCI_BAR_* */
	bus_io_fn fn;		/* accesses to the BAR; NULL: none */
	void *opaque;
	bool mapped;
	uint64_t addr;		/* where it is mapped, when mapped */
};

struct pci;

struct pci_device {
	uint8_t cfg[PCI_CFG_SIZE];
	/* Bits the guest may change, per byte of cfg (1 = writable). */
	uint8_t wmask[PCI_CFG_SIZE];
	/* Optional hooks for registers with side effects; called with the
	 * bus lock held after (write) or before (read) the generic access. */
	void (*cfg_write)(struct pci_device *dev, unsigned off, unsigned size,
			  uint32_t value);
	void (*cfg_read)(struct pci_device *dev, unsigned off, unsigned size,
			 uint32_t *value);
	/* Optional: BAR `bar` was mapped at `addr` or unmapped; called with
	 * the bus lock held (a device re-registers its ioeventfds here). */
	void (*bar_moved)(struct pci_device *dev, unsigned bar, bool mapped,
			  uint64_t addr);
	void *opaque;
	const char *name;
	struct pci_bar bars[PCI_NUM_BARS];
	/* Set by pci_attach. */
	struct pci *bus;
	unsigned slot;
	bool intx_asserted;
	unsigned next_cap;	/* where the next capability goes */
	unsigned last_cap;	/* offset of the last one, 0: none */
};

#define PCI_BAR_IO	0x1
#define PCI_BAR_MEM32	0x0
#define PCI_BAR_MEM64	0x4
#define PCI_BAR_PREFETCH 0x8

struct pci;

int pci_create(struct pci **out);
/* The buses are the VM's: they go with it, so nothing is unmapped here. */
void pci_destroy(struct pci *pci);
/* Install the bus host (before the guest runs); without one, BARs are
 * never mapped and INTx goes nowhere. */
void pci_set_host(struct pci *pci, const struct pci_bus_host *host);

/* Fill the header of a type-0 function (vendor, device, class...). */
void pci_device_init(struct pci_device *dev, uint16_t vendor,
		     uint16_t device, uint32_t class_code, uint8_t revision,
		     const char *name);

/* Declare BAR `bar` (0-5) of `size` bytes (a power of two: at least 16
 * for memory, 4 for I/O) and type PCI_BAR_*; a 64-bit BAR also takes
 * bar+1.  Sizing (writing all ones) then works through wmask.  -EINVAL
 * for a bad index, size or type. */
int pci_device_set_bar(struct pci_device *dev, unsigned bar, uint64_t size,
		       unsigned flags);
/* The handler for accesses inside BAR `bar` (offsets relative to it). */
void pci_device_bar_handler(struct pci_device *dev, unsigned bar,
			    bus_io_fn fn, void *opaque);

/* Append a capability of `size` bytes (at least 2) with ID `id` to the
 * list: returns its offset in configuration space (its first two bytes,
 * ID and next pointer, are filled in), or -ENOSPC. */
int pci_add_capability(struct pci_device *dev, uint8_t id, unsigned size);

/* Use INTx pin `pin` (0 = INTA .. 3 = INTD). */
void pci_device_set_intx_pin(struct pci_device *dev, unsigned pin);
/* Assert or deassert the device's INTx; lines shared by several devices
 * stay asserted while any of them asserts.  The COMMAND register's INTx
 * disable bit masks it; STATUS shows it. */
void pci_set_irq(struct pci_device *dev, bool level);

/* Program BAR `bar` to `addr` and enable decoding, as firmware does at
 * boot.  The guest may move it later. */
void pci_device_program_bar(struct pci_device *dev, unsigned bar,
			    uint64_t addr);

/* Attach to `slot` (function 0).  -EINVAL bad slot, -EBUSY taken. */
int pci_attach(struct pci *pci, unsigned slot, struct pci_device *dev);

/* Take dev off the bus: its BARs are unmapped, its INTx deasserted. */
void pci_detach(struct pci *pci, struct pci_device *dev);

/* bus_io_fn for the 8 ports at 0xCF8. */
int pci_conf_io(void *opaque, uint64_t offset, unsigned size,
		uint64_t *value, bool is_write);

/* Direct configuration access (bdf = bus<<8 | dev<<3 | fn); unmapped
 * functions read all ones.  For tests and for the ECAM window later. */
uint32_t pci_cfg_read(struct pci *pci, unsigned bdf, unsigned off,
		      unsigned size);
void pci_cfg_write(struct pci *pci, unsigned bdf, unsigned off,
		   unsigned size, uint32_t value);

#endif
