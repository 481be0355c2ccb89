/* kvmclock arithmetic (see pvclock.h). */
#include "x86/pvclock.h"

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void pvclock_decode(struct pvclock *pv, const uint8_t *raw)
{
	/* version u32, pad u32, tsc_timestamp u64, system_time u64,
	 * tsc_to_system_mul u32, tsc_shift s8, flags u8, pad[2]. */
	pv->version = (uint32_t)le64(raw);
	pv->tsc_timestamp = le64(raw + 8);
	pv->system_time = le64(raw + 16);
	pv->mul = (uint32_t)le64(raw + 24);
	pv->shift = (int8_t)raw[28];
	pv->flags = raw[29];
}

uint64_t pvclock_ns(const struct pvclock *pv, uint64_t tsc)
{
	uint64_t delta = tsc > pv->tsc_timestamp ? tsc - pv->tsc_timestamp : 0;
	int s = pv->shift;

	/* The guest shifts a 64-bit value; past 63 nothing is left. */
	if (s <= -64 || s >= 64)
		delta = 0;
	else if (s < 0)
		delta >>= -s;
	else
		delta <<= s;
	return pv->system_time +
	       (uint64_t)(((unsigned __int128)delta * pv->mul) >> 32);
}

uint64_t pvclock_hold(uint64_t kvm_ns, bool kvm_stable,
		      const struct pvclock_sample *now,
		      const struct pvclock_sample *resumed, unsigned n)
{
	uint64_t hold = kvm_ns;

	if (kvm_stable)
		return kvm_ns;
	for (unsigned i = 0; i < n; i++) {
		if (!now[i].present)
			continue;
		if (resumed && resumed[i].present &&
		    resumed[i].gpa == now[i].gpa &&
		    resumed[i].version == now[i].version)
			continue; /* not rewritten since the last resume */
		if (now[i].ns > hold)
			hold = now[i].ns;
	}
	return hold;
}
