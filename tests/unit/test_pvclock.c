/* Unit tests for kvmclock's arithmetic (src/x86/pvclock.c): decoding the
 * structure KVM writes into guest memory, the time the guest reads from
 * it, the scale factors for a TSC rate, values a hostile guest may
 * leave there, and the value kvmclock is held at across a pause, which
 * must never be behind what the guest itself reads, nor count a
 * structure KVM has not rewritten since the last resume. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "x86/pvclock.h"

#define NS 1000000000ull

/* mul and shift for a TSC of tsc_hz (> 0) ticks per second, as KVM
 * fills them in: mul in [2^31, 2^32) for full precision, shift within
 * [-32, 32].  The structures the tests read are made with it. */
static void pvclock_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift)
{
	const unsigned __int128 ns = 1000000000u;
	unsigned __int128 m = 0;
	int s;

	/* mul = 10^9 * 2^(32 - shift) / tsc_hz halves with each step of
	 * shift: the first one below 2^32 is at least 2^31. */
	for (s = -32; s < 32; s++) {
		m = (ns << (32 - s)) / tsc_hz;
		if (m < ((unsigned __int128)1 << 32))
			break;
	}
	if (m >= ((unsigned __int128)1 << 32))
		m = UINT32_MAX; /* a TSC slower than 1 Hz */
	*mul = (uint32_t)m;
	*shift = (int8_t)s;
}

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The bytes KVM would write for these fields. */
static void encode(uint8_t raw[PVCLOCK_SIZE], const struct pvclock *pv)
{
	memset(raw, 0xee, PVCLOCK_SIZE); /* padding the decoder skips */
	put_le(raw, pv->version, 4);
	put_le(raw + 8, pv->tsc_timestamp, 8);
	put_le(raw + 16, pv->system_time, 8);
	put_le(raw + 24, pv->mul, 4);
	raw[28] = (uint8_t)pv->shift;
	raw[29] = pv->flags;
}

static uint64_t diff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static void test_decode(void **state)
{
	struct pvclock in = {.version = 6,
			     .tsc_timestamp = 0x1122334455667788ull,
			     .system_time = 0x0102030405060708ull,
			     .mul = 0xcafef00d,
			     .shift = -3,
			     .flags = 0x03},
		       out;
	uint8_t raw[PVCLOCK_SIZE];

	(void)state;
	encode(raw, &in);
	memset(&out, 0, sizeof(out));
	pvclock_decode(&out, raw);
	assert_int_equal(out.version, in.version);
	assert_true(out.tsc_timestamp == in.tsc_timestamp);
	assert_true(out.system_time == in.system_time);
	assert_int_equal(out.mul, in.mul);
	assert_int_equal(out.shift, in.shift);
	assert_int_equal(out.flags, in.flags);
}

/* For TSC rates from 1 MHz to 10 GHz: mul keeps 32 bits of precision,
 * and the time read after one second's and 1000 seconds' ticks is that
 * time to within a nanosecond per second. */
static void test_scale(void **state)
{
	static const uint64_t hz[] = {
	    1000000,	   33333333,	  999999999,
	    1000000000,	   1000000001,	  2500000000ull,
	    2918400000ull, 3700000000ull, 10000000000ull};
	(void)state;
	for (unsigned i = 0; i < sizeof(hz) / sizeof(hz[0]); i++) {
		struct pvclock pv = {.tsc_timestamp = 12345,
				     .system_time = 7 * NS};

		pvclock_scale(hz[i], &pv.mul, &pv.shift);
		if (pv.mul < (1u << 31) || pv.shift < -32 || pv.shift > 32)
			fail_msg("%llu Hz: mul %#x shift %d",
				 (unsigned long long)hz[i], pv.mul, pv.shift);
		if (diff(pvclock_ns(&pv, 12345 + hz[i]), 8 * NS) > 1 ||
		    diff(pvclock_ns(&pv, 12345 + 1000 * hz[i]), 1007 * NS) >
			1000)
			fail_msg(
			    "%llu Hz (mul %#x shift %d): 1 s reads %llu, "
			    "1000 s %llu",
			    (unsigned long long)hz[i], pv.mul, pv.shift,
			    (unsigned long long)pvclock_ns(&pv, 12345 + hz[i]),
			    (unsigned long long)pvclock_ns(
				&pv, 12345 + 1000 * hz[i]));
	}
}

/* A TSC before the structure's timestamp reads system_time, not a time
 * wrapped around 2^64. */
static void test_tsc_before_timestamp(void **state)
{
	struct pvclock pv = {.tsc_timestamp = 5000000, .system_time = 3 * NS};

	(void)state;
	pvclock_scale(2500000000ull, &pv.mul, &pv.shift);
	assert_true(pvclock_ns(&pv, 4999999) == 3 * NS);
	assert_true(pvclock_ns(&pv, 0) == 3 * NS);
	assert_true(pvclock_ns(&pv, 5000000) == 3 * NS);
}

/* Whatever a guest writes there: no undefined shift or overflow (UBSan
 * would say), and results that follow the guest's own arithmetic. */
static void test_hostile_fields(void **state)
{
	struct pvclock pv = {
	    .tsc_timestamp = 0, .system_time = UINT64_MAX, .mul = UINT32_MAX};

	(void)state;
	pv.shift = 127;
	assert_true(pvclock_ns(&pv, UINT64_MAX) == UINT64_MAX);
	pv.shift = -128;
	assert_true(pvclock_ns(&pv, UINT64_MAX) == UINT64_MAX);
	pv.shift = 63;
	pv.system_time = 0;
	/* (2^64-1) << 63 keeps the top bit alone: 2^63 * mul / 2^32. */
	assert_true(
	    pvclock_ns(&pv, UINT64_MAX) ==
	    (uint64_t)(((unsigned __int128)1 << 63) * UINT32_MAX >> 32));
	pv.shift = -63;
	assert_true(pvclock_ns(&pv, UINT64_MAX) == 0); /* 1 * mul >> 32 */
	pv.shift = 0;
	pv.system_time = UINT64_MAX - 1;
	pv.mul = 1u << 31; /* half a ns per tick: 4 ticks, 2 ns */
	assert_true(pvclock_ns(&pv, 4) == 0); /* wraps as the guest's */
}

/* The case seen on a loaded host: KVM's master clock off, so KVM's value
 * follows the host's clock while the guest's reading runs on the TSC
 * since KVM last wrote the structure; the host's clock had lost time,
 * and KVM_GET_CLOCK said 13.3 s less than the guest read.  Holding
 * KVM's value sent the guest's clock back by that much at resume: the
 * hold must be the guest's own latest reading.  With the master clock
 * on, KVM's value is the guest's: it is kept. */
static void test_hold_not_behind_guest(void **state)
{
	const uint64_t hz = 2500000000ull, t0 = 40 * NS;
	struct pvclock pv = {
	    .version = 2, .tsc_timestamp = 1000000, .system_time = t0};
	struct pvclock_sample now[3] = {{0}};
	uint64_t kvm;

	(void)state;
	pvclock_scale(hz, &pv.mul, &pv.shift);
	/* 60 s of the TSC since the update on vCPU 0; vCPU 1's structure
	 * is newer and reads a little less; vCPU 2 has no kvmclock. */
	now[0] = (struct pvclock_sample){
	    true, 0x1000, 2, pvclock_ns(&pv, pv.tsc_timestamp + 60 * hz)};
	pv.tsc_timestamp += 30 * hz;
	pv.system_time = t0 + 30 * NS - 5000;
	now[1] = (struct pvclock_sample){
	    true, 0x2000, 8, pvclock_ns(&pv, pv.tsc_timestamp + 30 * hz)};
	now[2].ns = UINT64_MAX;
	kvm = t0 + 60 * NS - 13300000000ull;
	assert_true(now[1].ns < now[0].ns);
	assert_true(pvclock_hold(kvm, false, now, NULL, 3) == now[0].ns);
	assert_true(pvclock_hold(kvm, false, now + 1, NULL, 1) == now[1].ns);
	/* KVM ahead, or none of the guest's readings counts. */
	assert_true(pvclock_hold(now[0].ns + 1, false, now, NULL, 3) ==
		    now[0].ns + 1);
	assert_true(pvclock_hold(kvm, false, now + 2, NULL, 1) == kvm);
	assert_true(pvclock_hold(kvm, false, NULL, NULL, 0) == kvm);
	/* Master clock on. */
	assert_true(pvclock_hold(kvm, true, now, NULL, 3) == kvm);
}

/* A structure KVM has not rewritten since the last resume set kvmclock
 * (a halted vCPU's) still runs on the clock from before the pause
 * before: its reading has that whole pause in it and does not count.
 * Once rewritten (a new version), or moved, it counts again. */
static void test_hold_skips_stale(void **state)
{
	const uint64_t kvm = 100 * NS, pause = 10 * NS;
	struct pvclock_sample resumed[2] = {{true, 0x1000, 6, 90 * NS},
					    {true, 0x2000, 4, 90 * NS}};
	struct pvclock_sample now[2] = {{true, 0x1000, 6, kvm + pause},
					{true, 0x2000, 6, kvm + 2000}};

	(void)state;
	assert_true(pvclock_hold(kvm, false, now, resumed, 2) == kvm + 2000);
	now[1].version = 4; /* vCPU 1 not rewritten either */
	assert_true(pvclock_hold(kvm, false, now, resumed, 2) == kvm);
	now[0].gpa = 0x3000; /* vCPU 0's guest moved it: a new one */
	assert_true(pvclock_hold(kvm, false, now, resumed, 2) == kvm + pause);
	resumed[0].present = false; /* nothing known from the resume */
	now[0].gpa = 0x1000;
	assert_true(pvclock_hold(kvm, false, now, resumed, 2) == kvm + pause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_scale),
	    cmocka_unit_test(test_tsc_before_timestamp),
	    cmocka_unit_test(test_hostile_fields),
	    cmocka_unit_test(test_hold_not_behind_guest),
	    cmocka_unit_test(test_hold_skips_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
