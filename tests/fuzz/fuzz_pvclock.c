/* Fuzz target: kvmclock's structure as a guest may leave it in its
 * memory (src/x86/pvclock.c), read by the VMM at every pause.  Input:
 * the structure's 32 bytes, then the guest's TSC and KVM's clock (8
 * bytes each, zero when short).  Any bytes decode and scale without
 * undefined behaviour (UBSan), the reading at the structure's own
 * timestamp is its system_time, and the value held is the later of
 * KVM's and the guest's (KVM's when its master clock is on). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x86/pvclock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t in[PVCLOCK_SIZE + 16] = {0};
	uint64_t tsc, kvm, hold;
	struct pvclock_sample now = {.present = true};
	struct pvclock pv;

	memcpy(in, data, size < sizeof(in) ? size : sizeof(in));
	memcpy(&tsc, in + PVCLOCK_SIZE, 8);
	memcpy(&kvm, in + PVCLOCK_SIZE + 8, 8);
	pvclock_decode(&pv, in);
	if (pvclock_ns(&pv, pv.tsc_timestamp) != pv.system_time)
		abort();
	now.ns = pvclock_ns(&pv, tsc);
	hold = pvclock_hold(kvm, false, &now, NULL, 1);
	if (hold != (now.ns > kvm ? now.ns : kvm) ||
	    pvclock_hold(kvm, true, &now, NULL, 1) != kvm)
		abort();
	return 0;
}
