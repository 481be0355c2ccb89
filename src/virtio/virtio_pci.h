/* The virtio 1.2 modern PCI transport (virtio 1.2, 4.1): a PCI function
 * with vendor 0x1af4 and device 0x1040 + the virtio device ID, the
 * virtio capabilities in configuration space, and one 64-bit memory
 * BAR (BAR 4) holding the common configuration, ISR status, device
 * configuration and notification structures plus the MSI-X table and
 * PBA.  One ioeventfd per queue on its notify address, so a kick never
 * stops in a vCPU thread; interrupts through MSI-X (struct hw_irq,
 * irqfds in the VMM) or INTx.  There is no legacy (0.9) interface.
 *
 * Locks: the transport's registers are single atomics, so it holds no
 * lock of its own when it calls into the core (virtio_dev.lock); the
 * core's raise_* callbacks take only the MSI-X and INTx leaf locks. */
#ifndef VIREO_VIRTIO_VIRTIO_PCI_H
#define VIREO_VIRTIO_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/device.h"
#include "hw/ioevent.h"
#include "hw/irq.h"
#include "pci/msix.h"
#include "pci/pci.h"
#include "virtio/virtio.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040
#define VIRTIO_PCI_BAR		4

/* Layout of BAR 4. */
#define VIRTIO_PCI_COMMON_OFF	0x0000
#define VIRTIO_PCI_COMMON_LEN	0x0038
#define VIRTIO_PCI_ISR_OFF	0x1000
#define VIRTIO_PCI_DEVCFG_OFF	0x2000
#define VIRTIO_PCI_DEVCFG_MAX	0x1000
#define VIRTIO_PCI_NOTIFY_OFF	0x3000
#define VIRTIO_PCI_NOTIFY_MULT	4
#define VIRTIO_PCI_MSIX_TABLE	0x4000
#define VIRTIO_PCI_MSIX_PBA	0x5000
#define VIRTIO_PCI_BAR_SIZE	0x8000

/* virtio_pci_cap.cfg_type */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5

struct virtio_pci_host {
	struct pci *bus;
	const struct hw_irq *irq;		/* MSI vectors */
	const struct hw_ioevent *ioevent;	/* NULL: kicks exit */
	/* Optional: start (on) or stop reading queue q's kick eventfd in
	 * the event loop (stopped while vhost reads it instead). */
	void (*kick_watch)(void *opaque, unsigned q, bool on);
	/* Optional: start (on) or stop reading queue q's call eventfd
	 * (virtio_pci_call_fd) in the event loop, calling
	 * virtio_pci_called: while vhost signals it because the queue's
	 * interrupt cannot take an irqfd (INTx, no vector).  Without it,
	 * such a queue cannot go to vhost. */
	void (*call_watch)(void *opaque, unsigned q, bool on);
	void *kick_opaque;			/* of both */
};

struct virtio_pci {
	struct device dev;		/* life cycle; first member */
	struct pci_device pci;
	struct msix msix;
	struct virtio_dev *vdev;	/* owned: destroyed with us */
	struct virtio_pci_host host;
	unsigned slot;
	unsigned nq;
	/* Common configuration registers the transport keeps (atomic). */
	uint32_t dfselect, gfselect;
	uint16_t queue_select;
	uint16_t msix_config;
	unsigned pci_cfg_cap;		/* offset of the PCI_CFG window cap */
	int *kick_fd;			/* per queue eventfd, -1: none */
	uint64_t kick_ext;		/* queues whose kicks vhost reads */
	uint16_t *call_vec;		/* per queue: vector given out, or
					 * VIRTIO_NO_VECTOR */
	int *call_fd;			/* per queue eventfd, -1: none */
	uint64_t call_loop;		/* queues whose call_fd vhost has */
	bool ioevents_on;		/* registered at notify_base */
	uint64_t notify_base;
	uint64_t kicks_exit, kicks_fd;	/* statistics */
	uint64_t calls_loop;
};

/* Builds the PCI function around vdev (taking ownership of it) for
 * `slot`; device_realize(&vp->dev) attaches it.  0 or -errno. */
int virtio_pci_create(struct virtio_pci **out, struct virtio_dev *vdev,
		      const struct virtio_pci_host *host, unsigned slot);
/* Unrealizes if needed, frees vdev and everything else. */
void virtio_pci_destroy(struct virtio_pci *vp);

/* The eventfd the guest's kicks of queue q signal (-1 if none), and
 * what the event loop calls when it is readable. */
int virtio_pci_kick_fd(struct virtio_pci *vp, unsigned q);
void virtio_pci_kicked(struct virtio_pci *vp, unsigned q);

/* Queue q's call eventfd (-1 if none), and what the event loop calls
 * when it is readable (see call_watch). */
int virtio_pci_call_fd(struct virtio_pci *vp, unsigned q);
void virtio_pci_called(struct virtio_pci *vp, unsigned q);

/* bus_io_fn of BAR 4 (the device is the opaque). */
int virtio_pci_bar_io(void *opaque, uint64_t offset, unsigned size,
		      uint64_t *value, bool is_write);

#endif
