/* x86 vCPU set-up: CPUID topology, MSRs, FPU, LAPIC, boot registers. */
#include "x86/cpu.h"

#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/log.h"
#include "x86/layout.h"

#define CPUID_1_ECX_HYPERVISOR	(1u << 31)
#define CPUID_1_EDX_HTT		(1u << 28)
#define CPUID_80000001_ECX_TOPOEXT (1u << 22)
#define CPUID_1_ECX_VMX		(1u << 5)
#define CPUID_80000001_ECX_SVM	(1u << 2)

const char *x86_virt_ext_name(uint32_t leaf1_ecx, uint32_t max_ext,
			      uint32_t ext1_ecx)
{
	if (leaf1_ecx & CPUID_1_ECX_VMX)
		return "VMX";
	if (max_ext >= 0x80000001 && (ext1_ecx & CPUID_80000001_ECX_SVM))
		return "SVM";
	return NULL;
}

const char *x86_host_virt_ext(void)
{
	unsigned a, b, d, c1 = 0, c2 = 0;

	/* __get_cpuid leaves the outputs alone for a leaf the CPU lacks. */
	__get_cpuid(1, &a, &b, &c1, &d);
	__get_cpuid(0x80000001, &a, &b, &c2, &d);
	return x86_virt_ext_name(c1, __get_cpuid_max(0x80000000, NULL), c2);
}

unsigned x86_core_shift(unsigned ncpus)
{
	unsigned shift = 0;

	while ((1u << shift) < ncpus)
		shift++;
	return shift;
}

/* Leaves 0xB and 0x1F: level 0 is SMT (one thread per core), level 1
 * the cores of the package; further subleaves are invalid. */
static void set_ext_topology(struct kvm_cpuid_entry2 *e, unsigned apic_id,
			     unsigned ncpus)
{
	unsigned shift = x86_core_shift(ncpus);

	e->edx = apic_id;
	switch (e->index) {
	case 0:
		e->eax = 0;
		e->ebx = 1;
		e->ecx = (1u << 8) | 0;
		break;
	case 1:
		e->eax = shift;
		e->ebx = ncpus;
		e->ecx = (2u << 8) | 1;
		break;
	default:
		e->eax = e->ebx = 0;
		e->ecx = e->index & 0xff;
		break;
	}
}

static void adjust_entry(struct kvm_cpuid_entry2 *e, unsigned index,
			 unsigned ncpus)
{
	unsigned shift = x86_core_shift(ncpus);
	/* EBX[23:16] is 8 bits: 256 would spill into the APIC id. */
	unsigned logical = (1u << shift) > 0xff ? 0xff : (1u << shift);
	unsigned cache_level;

	switch (e->function) {
	case 1:
		e->ebx = (e->ebx & 0xffff) | (index << 24) | (logical << 16);
		e->ecx |= CPUID_1_ECX_HYPERVISOR;
		if (ncpus > 1)
			e->edx |= CPUID_1_EDX_HTT;
		else
			e->edx &= ~CPUID_1_EDX_HTT;
		break;
	case 4:		/* Intel deterministic cache parameters */
		if ((e->eax & 0x1f) == 0)
			break;
		cache_level = (e->eax >> 5) & 7;
		e->eax &= 0x3ff;
		e->eax |= ((1u << shift) - 1) << 26;
		if (cache_level >= 3)
			e->eax |= ((1u << shift) - 1) << 14;
		break;
	case 0xb:
	case 0x1f:
		set_ext_topology(e, index, ncpus);
		break;
	case 0x80000001:	/* no AMD extended topology leaves */
		e->ecx &= ~CPUID_80000001_ECX_TOPOEXT;
		break;
	case 0x80000008:
		e->ecx = (e->ecx & ~0xf0ffu) | (shift << 12) | (ncpus - 1);
		break;
	}
}

struct kvm_cpuid2 *x86_cpuid_for_vcpu(const struct kvm_cpuid2 *supported,
				      unsigned index, unsigned ncpus)
{
	size_t sz = sizeof(*supported) +
		    supported->nent * sizeof(supported->entries[0]);
	struct kvm_cpuid2 *c = malloc(sz);
	uint32_t i, n = 0;

	if (!c)
		return NULL;
	memcpy(c, supported, sz);
	for (i = 0; i < c->nent; i++) {
		/* Topology extensions are off: drop their leaf. */
		if (c->entries[i].function == 0x8000001e)
			continue;
		c->entries[n] = c->entries[i];
		adjust_entry(&c->entries[n], index, ncpus);
		n++;
	}
	c->nent = n;
	return c;
}

static int set_msrs(int fd)
{
	static const struct { uint32_t index; uint64_t data; } init[] = {
		{ 0x174, 0 },			/* IA32_SYSENTER_CS */
		{ 0x175, 0 },			/* IA32_SYSENTER_ESP */
		{ 0x176, 0 },			/* IA32_SYSENTER_EIP */
		{ 0xc0000081, 0 },		/* STAR */
		{ 0xc0000082, 0 },		/* LSTAR */
		{ 0xc0000083, 0 },		/* CSTAR */
		{ 0xc0000084, 0 },		/* SYSCALL_MASK */
		{ 0xc0000102, 0 },		/* KERNEL_GS_BASE */
		{ 0x10, 0 },			/* TSC */
		{ 0x1a0, 1 },			/* MISC_ENABLE: fast strings */
		{ 0x2ff, (1u << 11) | 6 },	/* MTRRdefType: on, WB */
	};
	const unsigned n = sizeof(init) / sizeof(init[0]);
	struct kvm_msrs *msrs;
	unsigned i;
	int r;

	msrs = calloc(1, sizeof(*msrs) + n * sizeof(msrs->entries[0]));
	if (!msrs)
		return -ENOMEM;
	msrs->nmsrs = n;
	for (i = 0; i < n; i++) {
		msrs->entries[i].index = init[i].index;
		msrs->entries[i].data = init[i].data;
	}
	r = ioctl(fd, KVM_SET_MSRS, msrs);
	free(msrs);
	if (r < 0)
		return -errno;
	if ((unsigned)r != n) {
		log_error("KVM_SET_MSRS: MSR %#x rejected", init[r].index);
		return -EINVAL;
	}
	return 0;
}

static int set_fpu_lapic(int fd)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	struct kvm_lapic_state lapic;
	uint32_t *lint0, *lint1;

	if (ioctl(fd, KVM_SET_FPU, &fpu) < 0 ||
	    ioctl(fd, KVM_GET_LAPIC, &lapic) < 0)
		return -errno;
	/* LINT0 takes the 8259's ExtINT, LINT1 the NMI: virtual wire mode. */
	lint0 = (uint32_t *)&lapic.regs[0x350];
	lint1 = (uint32_t *)&lapic.regs[0x360];
	*lint0 = (*lint0 & ~0x700u & ~0x10000u) | 0x700;
	*lint1 = (*lint1 & ~0x700u & ~0x10000u) | 0x400;
	return ioctl(fd, KVM_SET_LAPIC, &lapic) < 0 ? -errno : 0;
}

int x86_vcpu_init(int fd, const struct kvm_cpuid2 *supported,
		  unsigned index, unsigned ncpus)
{
	struct kvm_cpuid2 *c = x86_cpuid_for_vcpu(supported, index, ncpus);
	int ret;

	if (!c)
		return -ENOMEM;
	ret = ioctl(fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
	free(c);
	if (ret) {
		log_error("vCPU %u: KVM_SET_CPUID2: %s", index, strerror(-ret));
		return ret;
	}
	ret = set_msrs(fd);
	ret = ret ?: set_fpu_lapic(fd);
	if (ret)
		log_error("vCPU %u: initial state: %s", index, strerror(-ret));
	return ret;
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type,
			 bool code64)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

void x86_boot_sregs(struct kvm_sregs *s, bool long_mode)
{
	flat_segment(&s->cs, 0x10, 0xb, long_mode);
	flat_segment(&s->ds, 0x18, 0x3, false);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->gdt.base = X86_GDT_ADDR;
	s->gdt.limit = 4 * 8 - 1;
	s->cr0 = 0x11;			/* PE | ET */
	if (long_mode) {
		s->cr0 |= 0x80000000;	/* PG */
		s->cr3 = X86_PML4_ADDR;
		s->cr4 = 0x20;		/* PAE */
		s->efer = 0x500;	/* LME | LMA */
	}
}

int x86_vcpu_boot(int fd, const struct x86_boot_entry *e)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rflags = 0x2,
		.rip = e->rip,
		.rsi = e->zero_page,
		.rbx = e->start_info,
	};
	int ret;

	if (ioctl(fd, KVM_GET_SREGS, &sregs) < 0)
		goto err;
	x86_boot_sregs(&sregs, e->long_mode);
	if (ioctl(fd, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(fd, KVM_SET_REGS, &regs) < 0)
		goto err;
	return 0;
err:
	ret = -errno;
	log_error("boot vCPU registers: %s", strerror(-ret));
	return ret;
}
