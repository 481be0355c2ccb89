/* kvmclock as the guest reads it: the per-vCPU time structure KVM writes
 * into guest memory (struct pvclock_vcpu_time_info of KVM's ABI, at the
 * address the guest wrote to MSR_KVM_SYSTEM_TIME_NEW), the arithmetic
 * the guest does with it, and the value kvmclock is held at across a
 * pause.  Pure: no KVM, no guest memory, unit-tested. */
#ifndef VIREO_X86_PVCLOCK_H
#define VIREO_X86_PVCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define MSR_IA32_TSC 0x10
#define PVCLOCK_SIZE 32 /* bytes of the structure in guest memory */

/* The structure's fields (little-endian in memory). */
struct pvclock {
	uint32_t version; /* odd while KVM rewrites it */
	uint64_t tsc_timestamp;
	uint64_t system_time; /* ns at tsc_timestamp */
	uint32_t mul;	      /* ns per tick: (2^shift) * mul / 2^32 */
	int8_t shift;
	uint8_t flags;
};

/* Decodes the PVCLOCK_SIZE bytes at raw. */
void pvclock_decode(struct pvclock *pv, const uint8_t *raw);
/* The time (ns) the guest reads at TSC tsc: system_time plus the ticks
 * since tsc_timestamp, scaled by 2^shift and mul / 2^32.  A TSC before
 * tsc_timestamp counts no ticks.  Any field values are safe (they may
 * come from a hostile guest): the sum wraps as the guest's does. */
uint64_t pvclock_ns(const struct pvclock *pv, uint64_t tsc);
/* One vCPU's kvmclock as its guest would read it at a pause. */
struct pvclock_sample {
	bool present;	  /* kvmclock enabled there, its structure read */
	uint64_t gpa;	  /* where the structure is */
	uint32_t version; /* its version: KVM adds 2 at each rewrite */
	uint64_t ns;	  /* the time it reads (pvclock_ns at the TSC) */
};

/* What kvmclock stands at during a pause: KVM's value (KVM_GET_CLOCK),
 * or, when KVM's master clock is off (kvm_stable false) and a vCPU's
 * guest reads a later time from its own structure, that time.  With the
 * master clock off KVM's value is the host's clock plus an offset while
 * the guest's readings run on the TSC since KVM last wrote each
 * structure; holding KVM's value when it is behind would send the
 * guest's clock back.  With the master clock on, KVM's value is what
 * the guest reads.  now[] are the vCPUs' samples at this pause;
 * resumed[] (NULL before the first resume) those taken right after the
 * last resume set kvmclock: a structure KVM has not rewritten since
 * (same address, same version; a halted vCPU's, until it wakes) still
 * runs on the clock from before that pause and would read it as if the
 * pause had run, so it does not count (the guest never reads it). */
uint64_t pvclock_hold(uint64_t kvm_ns, bool kvm_stable,
		      const struct pvclock_sample *now,
		      const struct pvclock_sample *resumed, unsigned n);

#endif
