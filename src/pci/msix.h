/* MSI-X for a PCI function: the capability in configuration space, the
 * vector table and the pending-bit array inside one of the device's
 * BARs, the function mask and per-vector masks with pending bits, and
 * delivery through struct hw_irq (one MSI route per vector).  The
 * device's BAR handler passes table and PBA accesses to
 * msix_bar_access(), and its cfg_write hook calls msix_cfg_write(). */
#ifndef VIREO_PCI_MSIX_H
#define VIREO_PCI_MSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/irq.h"
#include "pci/pci.h"

#define MSIX_MAX_VECTORS	2048
#define MSIX_ENTRY_SIZE		16

struct msix_route {
	bool valid;
	uint64_t addr;
	uint32_t data;
	unsigned ext;		/* users of its eventfd (msix_vector_get_fd) */
	bool open;		/* ext: the eventfd delivers (not gated) */
};

struct msix {
	struct pci_device *dev;
	const struct hw_irq *irq;
	struct hw_msi_group *group;
	unsigned nvec;
	unsigned cap;			/* capability offset in cfg */
	unsigned bar;
	uint32_t table_off, pba_off;	/* inside the BAR */
	pthread_mutex_t lock;		/* everything below; a leaf lock */
	uint32_t *table;		/* nvec entries of 4 dwords */
	uint64_t *pba;
	struct msix_route *routed;	/* what hw_irq has now, per vector */
	bool enabled, fmask;
	uint64_t fired, pended;		/* statistics */
};

/* Adds the capability to dev (call before the guest runs) and creates
 * nvec vectors (1..2048), all masked.  The table (nvec * 16 bytes) and
 * PBA (8 bytes per 64 vectors) sit at table_off and pba_off (8-byte
 * aligned, not overlapping, inside the BAR) in BAR `bar`.  0 or -errno. */
int msix_init(struct msix *m, struct pci_device *dev,
	      const struct hw_irq *irq, unsigned nvec, unsigned bar,
	      uint32_t table_off, uint32_t pba_off);
void msix_fini(struct msix *m);

/* Back to power-on state: disabled, every vector masked and unrouted,
 * nothing pending. */
void msix_reset(struct msix *m);

/* An access at `offset` in the BAR.  -ENOENT when it is neither in the
 * table nor in the PBA (the device handles it); otherwise 0, also for
 * accesses the spec leaves undefined (they read all ones, writes are
 * dropped). */
int msix_bar_access(struct msix *m, uint64_t offset, unsigned size,
		    uint64_t *value, bool is_write);

/* After a configuration write at [off, off+size): picks up the enable
 * and function-mask bits. */
void msix_cfg_write(struct msix *m, unsigned off, unsigned size);

/* Signal vector v: delivered if MSI-X is enabled and neither the
 * function nor the vector is masked, else its pending bit is set and it
 * is delivered when unmasked.  Any thread; never blocks.  0, -EINVAL (no
 * such vector) or -EAGAIN (MSI-X is disabled: use INTx). */
int msix_notify(struct msix *m, unsigned v);

bool msix_enabled(struct msix *m);

/* Hand vector v's eventfd (its irqfd) to a signaller outside the VMM,
 * e.g. as vhost's call fd, so its interrupts go straight to the guest.
 * Guest notifier masking: while the vector is masked (or the function,
 * or MSI-X is off) the eventfd is gated (hw_msi_gate): its signals only
 * count up, and count as the vector's pending bit (read with the PBA,
 * delivered on unmask); while it can fire, its route is kept current.
 * Counted: each get needs a put.  fd, or -errno (-ENOTSUP: the irq
 * layer has no eventfds; -EINVAL: no such vector). */
int msix_vector_get_fd(struct msix *m, unsigned v);
void msix_vector_put_fd(struct msix *m, unsigned v);

#endif
