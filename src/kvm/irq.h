/* The KVM side of device interrupts and doorbells: MSI vector groups
 * (struct hw_irq) as GSI routes set with KVM_SET_GSI_ROUTING plus one
 * irqfd per vector, and ioeventfds (struct hw_ioevent) with
 * KVM_IOEVENTFD.  Owned by struct vm. */
#ifndef VIREO_KVM_IRQ_H
#define VIREO_KVM_IRQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/ioevent.h"
#include "hw/irq.h"
#include "kvm/kvm.h"

/* GSIs 0-23 are the irqchip's pins; MSI vectors take 24 and up. */
#define VM_MSI_GSI_BASE	24
#define VM_MSI_GSI_END	1024

struct vm_msi_gsi {
	bool used;
	bool valid;		/* has a route */
	uint64_t addr;
	uint32_t data;
	int efd;		/* its irqfd */
	bool gated;		/* irqfd unbound (msi_gate) */
};

struct vm_irq {
	int vm_fd;
	kvm_ioctl_fn ioctl_fn;	/* kvm_sys_ioctl; unit tests give a fake */
	pthread_mutex_t lock;	/* the GSI table and the KVM routing */
	struct vm_msi_gsi *gsi;	/* VM_MSI_GSI_END - VM_MSI_GSI_BASE */
	unsigned routes_set;	/* KVM_SET_GSI_ROUTING calls (statistics) */
	struct hw_irq msi;	/* what devices get */
	struct hw_ioevent ioevent;
};

/* After KVM_CREATE_IRQCHIP.  0 or -ENOMEM.  Every KVM call goes through
 * irq->ioctl_fn, set to kvm_sys_ioctl here. */
int vm_irq_init(struct vm_irq *irq, int vm_fd);
void vm_irq_destroy(struct vm_irq *irq);

#endif
