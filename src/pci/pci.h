/* PCI bus 0 behind configuration mechanism #1 (ports 0xCF8-0xCFF), with
 * the host bridge at 00:00.0.  Device models (virtio-pci, later) attach
 * as struct pci_device with a 256-byte configuration space. */
#ifndef VIREO_PCI_PCI_H
#define VIREO_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_MAX_SLOTS	32
#define PCI_CFG_SIZE	256

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
	void *opaque;
	const char *name;
};

#define PCI_BAR_IO	0x1
#define PCI_BAR_MEM32	0x0
#define PCI_BAR_MEM64	0x4
#define PCI_BAR_PREFETCH 0x8

struct pci;

int pci_create(struct pci **out);
void pci_destroy(struct pci *pci);

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

/* Attach to `slot` (function 0).  -EINVAL bad slot, -EBUSY taken. */
int pci_attach(struct pci *pci, unsigned slot, struct pci_device *dev);

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
