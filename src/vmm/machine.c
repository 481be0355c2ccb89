/* Assembles the Vireo PC from the KVM VM, the device models and the
 * x86 boot code. */
#include "vmm/machine.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "hw/i8042.h"
#include "hw/pm.h"
#include "hw/rtc.h"
#include "hw/serial.h"
#include "pci/pci.h"
#include "util/log.h"
#include "vmm/console.h"
#include "vmm/ports.h"
#include "x86/acpi.h"
#include "x86/cpu.h"
#include "x86/e820.h"
#include "x86/kernel.h"
#include "x86/layout.h"

static int machine_create_devices(struct machine *m, struct console *con)
{
	struct serial_backend be = console_backend(con);
	struct vm *vm = m->vm;
	uint64_t high = vm_mem(vm)->size - vm_mem(vm)->low_size;
	int ret;

	ret = serial_create(&m->serial, vm_host(vm), X86_IRQ_COM1, &be);
	ret = ret ?: rtc_create(&m->rtc, vm_host(vm), X86_IRQ_RTC, NULL,
				vm_mem(vm)->low_size, high);
	ret = ret ?: i8042_create(&m->kbd, vm_host(vm));
	ret = ret ?: pm_create(&m->pm, vm_host(vm), X86_IRQ_SCI, X86_S5_SLP_TYP,
			       NULL);
	ret = ret ?: machine_pci_init(m);
	if (ret)
		log_error("cannot create the platform devices: %s",
			  strerror(-ret));
	return ret;
}

static int machine_map_devices(struct machine *m)
{
	int ret = pc_map_ports(vm_pio(m->vm), &(struct pc_ports){
		.serial = m->serial, .rtc = m->rtc, .kbd = m->kbd, .pm = m->pm,
		.pci = m->pci });

	if (ret)
		return ret;
	/* Index latches: CONFIG_ADDRESS and the CMOS index.  Where KVM
	 * cannot coalesce, each write simply exits as before.  Writes in
	 * these ranges take effect only at the next exit: a register with
	 * an immediate effect (say a reset control at 0xCF9) must not be
	 * put inside one. */
	if (vm_coalesce_pio(m->vm, X86_PORT_PCI_CONF, 4) ||
	    vm_coalesce_pio(m->vm, X86_PORT_RTC, 1))
		log_info("coalesced port I/O unavailable: one exit per write");
	return 0;
}

/* Read the kernel and initrd in just long enough to copy them. */
static int machine_load_kernel(struct vm *vm, const struct machine_config *cfg,
			       const struct e820_table *e820, uint64_t rsdp,
			       struct x86_boot_entry *entry)
{
	struct x86_kernel k;
	const char *why = NULL;
	int ret;

	ret = filemap_read(cfg->kernel);
	if (!ret && cfg->initrd)
		ret = filemap_read(cfg->initrd);
	if (ret)
		goto out;
	ret = x86_kernel_parse(cfg->kernel->data, cfg->kernel->size, &k, &why);
	if (ret) {
		log_error("--kernel %s changed since start-up: %s",
			  cfg->kernel->path, why ? why : strerror(-ret));
		goto out;
	}
	ret = x86_kernel_load(vm_mem(vm), &k, &(struct x86_load_args){
		.initrd = cfg->initrd ? cfg->initrd->data : NULL,
		.initrd_size = cfg->initrd ? cfg->initrd->size : 0,
		.cmdline = cfg->cmdline, .e820 = e820, .rsdp_addr = rsdp },
		entry);
	if (ret == -E2BIG)
		log_error("--cmdline is longer than this kernel accepts (%u)",
			  x86_kernel_cmdline_max(&k));
	else if (ret)
		log_error("cannot load the kernel: %s", strerror(-ret));
out:
	filemap_release(cfg->kernel);
	if (cfg->initrd)
		filemap_release(cfg->initrd);
	return ret;
}

static int machine_load(struct machine *m, const struct machine_config *cfg)
{
	struct vm *vm = m->vm;
	struct x86_boot_entry entry;
	struct e820_table e820;
	struct acpi_config acfg;
	uint64_t rsdp = 0;
	long n;
	int ret;

	acpi_default_config(&acfg, cfg->cpus, gmem_top(vm_mem(vm)));
	n = acpi_build(&acfg, gmem_ptr(vm_mem(vm), X86_ACPI_BASE, X86_ACPI_SIZE),
		       X86_ACPI_SIZE, &rsdp);
	if (n < 0) {
		log_error("cannot build the ACPI tables: %s", strerror((int)-n));
		return (int)n;
	}
	ret = e820_build(&e820, vm_mem(vm));
	if (ret) {
		log_error("cannot build the e820 map: %s", strerror(-ret));
		return ret;
	}
	ret = machine_load_kernel(vm, cfg, &e820, rsdp, &entry);
	return ret ?: x86_vcpu_boot(vm_vcpu_fd(vm, 0), &entry);
}

static void machine_on_rtc_timer(struct loop_source *src, uint32_t events)
{
	(void)events;
	rtc_timer_fired(src->opaque);
}

int machine_create(struct machine *m, struct kvm *kvm,
		   const struct machine_config *cfg, struct console *con,
		   struct loop *loop)
{
	unsigned i;
	int ret;

	memset(m, 0, sizeof(*m));
	m->loop = loop;
	m->rtc_timer.fd = -1;
	ret = vm_create(&m->vm, kvm, cfg->memory, cfg->cpus);
	if (ret)
		return ret;
	ret = machine_create_devices(m, con);
	ret = ret ?: machine_map_devices(m);
	ret = ret ?: loop_add(loop, &m->rtc_timer, rtc_timer_fd(m->rtc),
			      EPOLLIN, machine_on_rtc_timer, m->rtc);
	if (!ret)
		rtc_restore(m->rtc, cfg->cmos);
	for (i = 0; !ret && i < cfg->cpus; i++)
		ret = x86_vcpu_init(vm_vcpu_fd(m->vm, i), kvm->cpuid, i,
				    cfg->cpus);
	ret = ret ?: machine_virtio_create(m, cfg);
	ret = ret ?: machine_load(m, cfg);
	if (ret) {
		machine_destroy(m);
		return ret;
	}
	return 0;
}

void machine_destroy(struct machine *m)
{
	if (m->loop)
		loop_remove(m->loop, &m->rtc_timer);
	/* PCI devices first: their BARs and vectors are the VM's; their
	 * loop sources before them, their block queues after them. */
	machine_virtio_stop(m);
	machine_pci_destroy(m);
	machine_virtio_free(m);
	vm_destroy(m->vm);
	if (m->pm)
		pm_destroy(m->pm);
	if (m->kbd)
		i8042_destroy(m->kbd);
	if (m->rtc)
		rtc_destroy(m->rtc);
	if (m->serial)
		serial_destroy(m->serial);
	memset(m, 0, sizeof(*m));
}

void machine_print_stats(struct machine *m, FILE *out)
{
	vm_print_stats(m->vm, out);
	machine_virtio_print_stats(m, out);
}
