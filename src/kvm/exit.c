/* VM-exit dispatch: a table from KVM exit reason to a small handler.
 * Handlers return EXIT_CONTINUE or EXIT_STOP (after asking the VM to
 * stop); none of them ends the process, whatever the guest does. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "kvm/vcpu.h"
#include "kvm/vm.h"
#include "util/log.h"

enum { EXIT_CONTINUE = 0, EXIT_STOP = 1 };

typedef int (*exit_handler)(struct vcpu *v);

static int exit_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t i;

	/* data_offset and count come from KVM, which bounds them by the
	 * kvm_run page; string I/O repeats the access `count` times. */
	for (i = 0; i < run->io.count; i++, data += run->io.size)
		bus_access(&v->vm->pio, run->io.port, data, run->io.size,
			   is_write);
	return EXIT_CONTINUE;
}

static int exit_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	bus_access(&v->vm->mmio, run->mmio.phys_addr, run->mmio.data,
		   run->mmio.len, run->mmio.is_write);
	return EXIT_CONTINUE;
}

static void dump_regs(struct vcpu *v)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return;
	log_error("vCPU %u: rip=%#llx rsp=%#llx cr0=%#llx cr3=%#llx "
		  "cr4=%#llx efer=%#llx cs=%#x", v->index, regs.rip, regs.rsp,
		  sregs.cr0, sregs.cr3, sregs.cr4, sregs.efer,
		  sregs.cs.selector);
}

static int exit_shutdown(struct vcpu *v)
{
	log_error("vCPU %u: triple fault, the guest crashed", v->index);
	dump_regs(v);
	vm_request_stop(v->vm, VM_STOP_CRASH);
	return EXIT_STOP;
}

static int exit_fail_entry(struct vcpu *v)
{
	log_error("vCPU %u: VM entry failed (hardware reason %#llx)",
		  v->index, (unsigned long long)
		  v->run->fail_entry.hardware_entry_failure_reason);
	dump_regs(v);
	vm_request_stop(v->vm, VM_STOP_CRASH);
	return EXIT_STOP;
}

static int exit_internal_error(struct vcpu *v)
{
	log_error("vCPU %u: KVM internal error, suberror %u", v->index,
		  v->run->internal.suberror);
	dump_regs(v);
	vm_request_stop(v->vm, VM_STOP_CRASH);
	return EXIT_STOP;
}

static int exit_system_event(struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(v->vm, VM_STOP_POWEROFF);
		return EXIT_STOP;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(v->vm, VM_STOP_RESET);
		return EXIT_STOP;
	default:
		log_error("vCPU %u: system event %u", v->index,
			  v->run->system_event.type);
		vm_request_stop(v->vm, VM_STOP_CRASH);
		return EXIT_STOP;
	}
}

/* With the in-kernel LAPIC, HLT never reaches us; if it does, the vCPU
 * simply goes on (the next KVM_RUN waits for an interrupt in KVM). */
static int exit_nothing(struct vcpu *v)
{
	(void)v;
	return EXIT_CONTINUE;
}

static const exit_handler exit_handlers[] = {
	[KVM_EXIT_IO] = exit_io,
	[KVM_EXIT_MMIO] = exit_mmio,
	[KVM_EXIT_HLT] = exit_nothing,
	[KVM_EXIT_INTR] = exit_nothing,
	[KVM_EXIT_IRQ_WINDOW_OPEN] = exit_nothing,
	[KVM_EXIT_SHUTDOWN] = exit_shutdown,
	[KVM_EXIT_FAIL_ENTRY] = exit_fail_entry,
	[KVM_EXIT_INTERNAL_ERROR] = exit_internal_error,
	[KVM_EXIT_SYSTEM_EVENT] = exit_system_event,
};

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "unknown",
	[KVM_EXIT_EXCEPTION] = "exception",
	[KVM_EXIT_IO] = "io",
	[KVM_EXIT_HYPERCALL] = "hypercall",
	[KVM_EXIT_DEBUG] = "debug",
	[KVM_EXIT_HLT] = "hlt",
	[KVM_EXIT_MMIO] = "mmio",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
	[KVM_EXIT_SHUTDOWN] = "shutdown",
	[KVM_EXIT_FAIL_ENTRY] = "fail_entry",
	[KVM_EXIT_INTR] = "intr",
	[KVM_EXIT_SET_TPR] = "set_tpr",
	[KVM_EXIT_TPR_ACCESS] = "tpr_access",
	[KVM_EXIT_NMI] = "nmi",
	[KVM_EXIT_INTERNAL_ERROR] = "internal_error",
	[KVM_EXIT_SYSTEM_EVENT] = "system_event",
	[KVM_EXIT_X86_RDMSR] = "rdmsr",
	[KVM_EXIT_X86_WRMSR] = "wrmsr",
};

const char *vcpu_exit_name(unsigned reason)
{
	if (reason < sizeof(exit_names) / sizeof(exit_names[0]) &&
	    exit_names[reason])
		return exit_names[reason];
	return "other";
}

int vcpu_handle_exit(struct vcpu *v)
{
	unsigned reason = v->run->exit_reason;

	if (reason < sizeof(exit_handlers) / sizeof(exit_handlers[0]) &&
	    exit_handlers[reason])
		return exit_handlers[reason](v);
	log_error("vCPU %u: unexpected exit reason %u (%s)", v->index,
		  reason, vcpu_exit_name(reason));
	dump_regs(v);
	vm_request_stop(v->vm, VM_STOP_CRASH);
	return EXIT_STOP;
}
