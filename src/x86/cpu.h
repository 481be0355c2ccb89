/* Per-vCPU x86 state: CPUID (APIC ids, a one-socket topology of N cores
 * with one thread each), MSRs, FPU, LAPIC LINT pins, and the register
 * state the boot protocol wants on the boot CPU. */
#ifndef VIREO_X86_CPU_H
#define VIREO_X86_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "x86/boot.h"

/* A copy of `supported` adjusted for vCPU `index` of `ncpus`; the caller
 * frees it.  NULL on allocation failure. */
struct kvm_cpuid2 *x86_cpuid_for_vcpu(const struct kvm_cpuid2 *supported,
				      unsigned index, unsigned ncpus);

/* The hardware virtualization extension that CPUID leaf 1 ECX and leaf
 * 0x80000001 ECX announce ("VMX" or "SVM"), or NULL when neither is there
 * (a software KVM such as kvm_pvm, which cannot run unmodified guests).
 * `max_ext` is CPUID 0x80000000 EAX. */
const char *x86_virt_ext_name(uint32_t leaf1_ecx, uint32_t max_ext,
			      uint32_t ext1_ecx);
/* The same, read from the CPU this process runs on. */
const char *x86_host_virt_ext(void);

/* Bits of APIC id that number the cores of the package. */
unsigned x86_core_shift(unsigned ncpus);

/* Segment and control registers for the boot protocol's entry mode. */
void x86_boot_sregs(struct kvm_sregs *s, bool long_mode);

/* CPUID, MSRs, FPU and LAPIC for every vCPU.  0 or -errno (logged). */
int x86_vcpu_init(int fd, const struct kvm_cpuid2 *supported,
		  unsigned index, unsigned ncpus);
/* Entry registers on the boot vCPU.  0 or -errno (logged). */
int x86_vcpu_boot(int fd, const struct x86_boot_entry *e);

#endif
