/* struct vm: everything one guest owns on the KVM side: the VM fd, guest
 * RAM and its memslots, the port-I/O and MMIO buses, the vCPUs, the
 * in-kernel irqchip and PIT, and the stop request that ends a run.
 * Nothing here is process-global.  Its inside is kvm/'s alone (the
 * other layers use the functions below): the definition is compiled
 * only with -DVIREO_KVM_INTERNAL, which only src/kvm gets. */
#ifndef VIREO_KVM_VM_H
#define VIREO_KVM_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hw/host.h"
#include "kvm/coalesced.h"
#include "kvm/irq.h"
#include "kvm/kvm.h"
#include "util/bus.h"
#include "util/gmem.h"

struct vcpu;
struct pvclock_sample;

/* Why a run ended.  The first request wins; later ones are ignored. */
enum vm_stop_reason {
	VM_RUNNING = 0,
	VM_STOP_POWEROFF,	/* guest entered S5 */
	VM_STOP_RESET,		/* guest pulsed the reset line */
	VM_STOP_CRASH,		/* triple fault, failed entry, KVM error */
	VM_STOP_QUIT,		/* the user quit from the console */
	VM_STOP_SIGNAL,		/* SIGINT/SIGTERM/SIGHUP to the VMM */
	VM_STOP_ERROR,		/* host-side failure */
};

struct vm;

#ifdef VIREO_KVM_INTERNAL
struct vm {
	struct kvm *kvm;
	int fd;
	struct gmem mem;
	void *mem_map;			/* the whole host mapping */
	uint64_t mem_map_len;
	struct bus pio;
	struct bus mmio;
	struct coalesced coalesced;	/* writes KVM queued for us */
	unsigned ncpus;
	struct vcpu *vcpus;
	int stop_reason;		/* enum vm_stop_reason, atomic */
	int stop_efd;			/* eventfd: readable once stopping */
	struct hw_host host;		/* what device models see of us */
	struct vm_irq irq;		/* MSI routes, irqfds, ioeventfds */
	uint64_t held_clock;		/* kvmclock (ns) while paused */
	bool clock_held;
	/* Per vCPU, the guest's kvmclock at this pause, and as it was
	 * right after the last resume (pvclock_hold); NULL until the first
	 * pause. */
	struct pvclock_sample *clock_now, *clock_resumed;
};
#endif

/* Creates the VM with `mem_size` bytes of RAM (a hole below 4 GiB) and
 * `ncpus` vCPUs (threads not started) into *out.  Logs one line on
 * failure and returns -errno. */
int vm_create(struct vm **out, struct kvm *kvm, uint64_t mem_size,
	      unsigned ncpus);
/* Frees everything; NULL is a no-op. */
void vm_destroy(struct vm *vm);

/* What the machine builder wires devices and boot state into. */
struct gmem *vm_mem(struct vm *vm);
struct hw_host *vm_host(struct vm *vm);
struct bus *vm_pio(struct vm *vm);
struct bus *vm_mmio(struct vm *vm);
/* MSI vector groups and ioeventfds for device models (kvm/irq.c). */
const struct hw_irq *vm_msi(struct vm *vm);
const struct hw_ioevent *vm_ioevent(struct vm *vm);
unsigned vm_ncpus(const struct vm *vm);
/* The vCPU's fd, for the per-vCPU register state x86/ sets up. */
int vm_vcpu_fd(const struct vm *vm, unsigned index);
/* The vCPU thread's TID (0 until the thread runs), for the monitor. */
int vm_vcpu_tid(const struct vm *vm, unsigned index);
/* An eventfd that becomes readable once the VM is stopping. */
int vm_stop_fd(const struct vm *vm);
/* Exit counts per reason over all vCPUs, port-bus hits and coalesced
 * writes, two lines for --stats. */
void vm_print_stats(struct vm *vm, FILE *out);

/* Starts every vCPU thread. */
int vm_start(struct vm *vm);
/* Asks every vCPU to stop (first reason wins), wakes the main loop. */
void vm_request_stop(struct vm *vm, enum vm_stop_reason reason);
enum vm_stop_reason vm_stop_reason(struct vm *vm);
/* Waits for every vCPU thread to end (after vm_request_stop). */
void vm_join(struct vm *vm);
/* SIGQUIT: vcpu_dump() of every vCPU, without waiting for any. */
void vm_dump(struct vm *vm);
/* Pause and resume all vCPUs (pause returns once all are parked).  The
 * guest's clock (kvmclock) stands still in between: pause reads it
 * (KVM_GET_CLOCK, or the guest's own reading when that is later), resume
 * sets it back, so the guest sees no time pass and never time going
 * back.  Main thread only. */
void vm_pause(struct vm *vm);
void vm_resume(struct vm *vm);

int vm_irq_line(struct vm *vm, unsigned gsi, bool level);

/* Lets KVM queue guest writes to ports [port, port+len) instead of
 * exiting; they are replayed through the port bus, in order, before the
 * next exit is handled.  Only for registers whose writes have no effect
 * until something reads them.  -ENOTSUP where KVM cannot. */
int vm_coalesce_pio(struct vm *vm, uint16_t port, uint32_t len);

#endif
