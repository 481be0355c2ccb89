/* Unit tests for the ACPI PM block: S5 poweroff, the fixed power button
 * and its SCI, write-1-to-clear status, the PM timer rate. */
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_host.h"
#include "hw/pm.h"

static uint64_t fake_ns;

static uint64_t fake_clock(void)
{
	return fake_ns;
}

static struct fake_host fh;

static struct pm *make(void)
{
	struct hw_host h = fake_host_init(&fh);
	struct pm *pm;

	fake_ns = 1000;
	assert_int_equal(pm_create(&pm, &h, 9, 5, fake_clock), 0);
	return pm;
}

static uint64_t io(int (*fn)(void *, uint64_t, unsigned, uint64_t *, bool),
		   struct pm *pm, uint64_t off, unsigned size, uint64_t v,
		   bool write)
{
	assert_int_equal(fn(pm, off, size, &v, write), 0);
	return v;
}

static void test_s5_powers_off(void **state)
{
	struct pm *pm = make();

	(void)state;
	assert_int_equal(io(pm_cnt_io, pm, 0, 2, 0, false) & PM1_CNT_SCI_EN, 1);
	io(pm_cnt_io, pm, 0, 2, (1u << 10) | PM1_CNT_SLP_EN, true); /* S1 */
	assert_int_equal(fh.poweroffs, 0);
	io(pm_cnt_io, pm, 0, 2, (5u << 10) | PM1_CNT_SLP_EN, true);
	assert_int_equal(fh.poweroffs, 1);
	/* The high byte alone, as some guests write it. */
	io(pm_cnt_io, pm, 1, 1, ((5u << 10) | PM1_CNT_SLP_EN) >> 8, true);
	assert_int_equal(fh.poweroffs, 2);
	pm_destroy(pm);
}

static void test_power_button_sci(void **state)
{
	struct pm *pm = make();

	(void)state;
	pm_press_power_button(pm);
	assert_int_equal(io(pm_evt_io, pm, 0, 2, 0, false) & PM1_STS_PWRBTN,
			 PM1_STS_PWRBTN);
	assert_false(fh.level[9]);			/* not enabled yet */
	io(pm_evt_io, pm, 3, 1, PM1_STS_PWRBTN >> 8, true); /* EN, high byte */
	assert_true(fh.level[9]);
	assert_int_equal(fh.last_gsi, 9);
	io(pm_evt_io, pm, 0, 2, PM1_STS_PWRBTN, true);	/* write 1 clears */
	assert_false(fh.level[9]);
	assert_int_equal(io(pm_evt_io, pm, 0, 4, 0, false),
			 (uint64_t)PM1_STS_PWRBTN << 16);	/* EN stays */
	/* The global-lock enable bit sticks (ACPICA reads it back). */
	io(pm_evt_io, pm, 2, 2, 1u << 5, true);
	assert_int_equal(io(pm_evt_io, pm, 2, 2, 0, false), 1u << 5);
	pm_destroy(pm);
}

static void test_timer(void **state)
{
	struct pm *pm = make();

	(void)state;
	assert_int_equal(io(pm_tmr_io, pm, 0, 4, 0, false), 0);
	fake_ns += 1000000000ULL;
	assert_int_equal(io(pm_tmr_io, pm, 0, 4, 0, false), PM_TIMER_HZ);
	fake_ns += 1200 * 1000000000ULL;	/* past 2^32 ticks: wraps */
	assert_int_equal(io(pm_tmr_io, pm, 0, 4, 0, false),
			 (1201 * PM_TIMER_HZ) & 0xffffffffu);
	pm_destroy(pm);
}

static void test_bad_access(void **state)
{
	struct pm *pm = make();
	uint64_t v = 0;

	(void)state;
	assert_int_equal(pm_evt_io(pm, 3, 2, &v, false), -EINVAL);
	assert_int_equal(pm_cnt_io(pm, 0, 4, &v, true), -EINVAL);
	pm_destroy(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s5_powers_off),
		cmocka_unit_test(test_power_button_sci),
		cmocka_unit_test(test_timer),
		cmocka_unit_test(test_bad_access),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
