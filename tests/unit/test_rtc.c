/* Unit tests for the MC146818 RTC/CMOS model (src/hw/rtc.c) against a
 * fake host clock: BCD and binary reads, 12-hour mode, setting the time
 * one field at a time and under register B's SET bit (as Linux's
 * mc146818_set_time does), invalid values, register C and D, the
 * memory-size bytes, bad accesses, and the update, alarm and periodic
 * interrupts driven by the timer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>

#include "fake_host.h"
#include "hw/rtc.h"

static time_t fake_now_value;
static struct rtc *rtc;
static struct fake_host fh;

static time_t fake_now(void)
{
	return fake_now_value;
}

static time_t utc(int y, int mon, int d, int h, int min, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = min, .tm_sec = s };

	return timegm(&tm);
}

static void wr(unsigned reg, uint8_t v)
{
	uint64_t x = reg;

	assert_int_equal(rtc_io(rtc, 0, 1, &x, true), 0);
	x = v;
	assert_int_equal(rtc_io(rtc, 1, 1, &x, true), 0);
}

static uint8_t rd(unsigned reg)
{
	uint64_t x = reg;

	assert_int_equal(rtc_io(rtc, 0, 1, &x, true), 0);
	x = 0;
	assert_int_equal(rtc_io(rtc, 1, 1, &x, false), 0);
	return (uint8_t)x;
}

static int setup(void **state)
{
	struct hw_host host = fake_host_init(&fh);

	(void)state;
	fake_now_value = utc(2024, 1, 31, 13, 59, 58);
	return rtc_create(&rtc, &host, 8, fake_now, 512ULL << 20, 1ULL << 30);
}

static int teardown(void **state)
{
	(void)state;
	rtc_destroy(rtc);
	return 0;
}

static void test_read_bcd(void **state)
{
	(void)state;
	assert_int_equal(rd(0x00), 0x58);
	assert_int_equal(rd(0x02), 0x59);
	assert_int_equal(rd(0x04), 0x13);
	assert_int_equal(rd(0x07), 0x31);
	assert_int_equal(rd(0x08), 0x01);
	assert_int_equal(rd(0x09), 0x24);
	assert_int_equal(rd(0x32), 0x20);
	assert_int_equal(rd(0x06), 0x04);	/* Wednesday: 3 + 1 */
	fake_now_value += 3;			/* the clock runs */
	assert_int_equal(rd(0x00), 0x01);
	assert_int_equal(rd(0x02), 0x00);
	assert_int_equal(rd(0x04), 0x14);
}

static void test_binary_and_12h(void **state)
{
	(void)state;
	wr(0x0b, 0x04);				/* binary, 12-hour */
	assert_int_equal(rd(0x04), 0x80 | 1);	/* 1 PM */
	assert_int_equal(rd(0x02), 59);
	assert_int_equal(rd(0x09), 24);
	/* Writing 12 AM sets hour 0. */
	wr(0x04, 12);
	wr(0x0b, 0x06);				/* binary, 24-hour */
	assert_int_equal(rd(0x04), 0);
	assert_int_equal(rd(0x07), 31);
}

static void test_set_one_field(void **state)
{
	(void)state;
	wr(0x09, 0x25);
	assert_int_equal(rd(0x09), 0x25);
	assert_int_equal(rd(0x08), 0x01);
	fake_now_value += 60;			/* the offset stays */
	assert_int_equal(rd(0x09), 0x25);
	assert_int_equal(rd(0x02), 0x00);
	assert_int_equal(rd(0x04), 0x14);
}

/* Linux sets SET, then writes seconds .. year, then clears SET.  From
 * 01-31 a new date of 02-15 passes through 02-31: without SET holding
 * the fields that rolled over into March (this was a bug). */
static void test_set_bit_holds_fields(void **state)
{
	(void)state;
	wr(0x0b, 0x02 | 0x80);
	wr(0x00, 0x30);
	wr(0x02, 0x45);
	wr(0x04, 0x08);
	wr(0x08, 0x02);
	wr(0x07, 0x15);
	wr(0x09, 0x24);
	/* Frozen while SET: the host clock moving changes nothing. */
	fake_now_value += 10;
	assert_int_equal(rd(0x00), 0x30);
	assert_int_equal(rd(0x08), 0x02);
	wr(0x0b, 0x02);
	assert_int_equal(rd(0x07), 0x15);
	assert_int_equal(rd(0x08), 0x02);
	assert_int_equal(rd(0x09), 0x24);
	assert_int_equal(rd(0x04), 0x08);
	assert_int_equal(rd(0x02), 0x45);
	assert_int_equal(rd(0x00), 0x30);
	fake_now_value += 5;			/* and runs again */
	assert_int_equal(rd(0x00), 0x35);
}

static void test_invalid_values_ignored(void **state)
{
	(void)state;
	wr(0x00, 0x5a);				/* not BCD */
	wr(0x02, 0x60);
	wr(0x04, 0x24);
	wr(0x07, 0x00);
	wr(0x08, 0x13);
	wr(0x32, 0x18);
	assert_int_equal(rd(0x00), 0x58);
	assert_int_equal(rd(0x02), 0x59);
	assert_int_equal(rd(0x04), 0x13);
	assert_int_equal(rd(0x07), 0x31);
	assert_int_equal(rd(0x08), 0x01);
	assert_int_equal(rd(0x32), 0x20);
}

static void test_status_registers_and_nvram(void **state)
{
	(void)state;
	assert_int_equal(rd(0x0a) & 0x80, 0);	/* no update in progress */
	assert_int_equal(rd(0x0d), 0x80);	/* valid RAM and time */
	wr(0x0d, 0);
	assert_int_equal(rd(0x0d), 0x80);
	assert_int_equal(rd(0x0c), 0);
	wr(0x40, 0xab);
	assert_int_equal(rd(0x40), 0xab);
	/* Memory size: 640 KiB base, 511 MiB extended, 1 GiB above 4 GiB. */
	assert_int_equal(rd(0x15) | rd(0x16) << 8, 640);
	assert_int_equal(rd(0x17) | rd(0x18) << 8, 0xffff);
	assert_int_equal(rd(0x34) | rd(0x35) << 8, (512 - 16) << 4);
	assert_int_equal(rd(0x5b) | rd(0x5c) << 8 | rd(0x5d) << 16, 1 << 14);
	/* The index has 7 bits; bit 7 is the NMI mask. */
	wr(0x80 | 0x40, 0xcd);
	assert_int_equal(rd(0x40), 0xcd);
}

static void test_bad_accesses(void **state)
{
	uint64_t x = 0;

	(void)state;
	assert_int_equal(rtc_io(rtc, 0, 2, &x, false), -EINVAL);
	assert_int_equal(rtc_io(rtc, 2, 1, &x, true), -EINVAL);
	assert_int_equal(fh.irq_calls, 0);
}

/* ---- interrupts ---- */

/* The delay the RTC armed its timer with.  Not the timerfd's remaining
 * time, which shrinks (or reaches 0) by however long a loaded machine
 * takes between arming and this read; that remaining time must only be
 * consistent with the armed delay. */
static uint64_t timer_ns(void)
{
	struct itimerspec its;
	uint64_t armed = rtc_timer_armed_ns(rtc), left;

	assert_int_equal(timerfd_gettime(rtc_timer_fd(rtc), &its), 0);
	left = (uint64_t)its.it_value.tv_sec * 1000000000ULL +
	       (uint64_t)its.it_value.tv_nsec;
	assert_true(left <= armed);
	assert_int_equal(its.it_interval.tv_sec, 0);
	assert_int_equal(its.it_interval.tv_nsec, 0);
	return armed;
}

static void test_no_interrupts_but_flags(void **state)
{
	(void)state;
	assert_int_equal(timer_ns(), 0);	/* nothing enabled: idle */
	assert_int_equal(rd(0x0c), 0);
	fake_now_value++;
	/* A guest polling C sees the update without any interrupt. */
	assert_int_equal(rd(0x0c), 0x10);
	assert_int_equal(rd(0x0c), 0);
	assert_int_equal(fh.irq_calls, 0);
}

static void test_update_interrupt(void **state)
{
	(void)state;
	wr(0x0b, 0x02 | 0x10);			/* UIE */
	assert_true(timer_ns() > 0 && timer_ns() <= 1001000000ULL);
	fake_now_value++;
	rtc_timer_fired(rtc);
	assert_true(fh.level[8]);
	assert_int_equal(fh.last_gsi, 8);
	assert_true(timer_ns() > 0);		/* re-armed */
	/* Reading C returns IRQF|UF, clears them and lowers the line. */
	assert_int_equal(rd(0x0c), 0x90);
	assert_false(fh.level[8]);
	assert_int_equal(rd(0x0c), 0);
	/* A timer that fires within the same second changes nothing. */
	rtc_timer_fired(rtc);
	assert_false(fh.level[8]);
	/* Disabled again: the timer stops. */
	wr(0x0b, 0x02);
	assert_int_equal(timer_ns(), 0);
}

static void test_enable_with_flag_pending(void **state)
{
	(void)state;
	fake_now_value++;
	rtc_timer_fired(rtc);			/* UF set, UIE off */
	assert_false(fh.level[8]);
	wr(0x0b, 0x02 | 0x10);			/* enabling raises at once */
	assert_true(fh.level[8]);
	assert_int_equal(rd(0x0c), 0x90);
}

/* The clock reads 13:59:58: an alarm at 14:00:00, its interrupt on. */
static void alarm_at_14h(void)
{
	wr(0x01, 0x00);
	wr(0x03, 0x00);
	wr(0x05, 0x14);
	wr(0x0b, 0x02 | 0x20);			/* 24-hour BCD, AIE */
}

static void test_alarm_interrupt(void **state)
{
	(void)state;
	alarm_at_14h();
	assert_true(timer_ns() > 0);
	fake_now_value++;
	rtc_timer_fired(rtc);
	assert_false(fh.level[8]);		/* 13:59:59: UF only */
	assert_int_equal(rd(0x0c), 0x10);
	fake_now_value++;
	rtc_timer_fired(rtc);
	assert_true(fh.level[8]);
	assert_int_equal(rd(0x0c), 0x80 | 0x20 | 0x10);
	/* Don't-care bytes (0xC0-0xFF): every second matches. */
	wr(0x05, 0xff);
	wr(0x03, 0xc0);
	wr(0x01, 0xc5);
	fake_now_value++;
	rtc_timer_fired(rtc);
	assert_int_equal(rd(0x0c), 0x80 | 0x20 | 0x10);
}

static void test_periodic_interrupt(void **state)
{
	uint64_t ns;

	(void)state;
	wr(0x0a, 0x26);				/* 1024 Hz */
	wr(0x0b, 0x02 | 0x40);			/* PIE */
	ns = timer_ns();
	assert_true(ns > 900000 && ns <= 976563);
	rtc_timer_fired(rtc);
	assert_true(fh.level[8]);
	assert_int_equal(rd(0x0c), 0x80 | 0x40);
	/* 2 Hz, and 8192 Hz merged to about 1 ms. */
	wr(0x0a, 0x2f);
	ns = timer_ns();
	assert_true(ns > 400000000 && ns <= 500000000);
	wr(0x0a, 0x23);
	ns = timer_ns();
	assert_true(ns > 900000 && ns <= 976562);
	/* Rate 0: no periodic ticks, and no flag. */
	wr(0x0a, 0x20);
	assert_int_equal(timer_ns(), 0);
	rtc_timer_fired(rtc);
	assert_int_equal(rd(0x0c) & 0x40, 0);
}

/* A timer that fires late (the update at 14:00:00 seen only at 14:00:02)
 * must not lose the alarm: this lost the wakealarm in a loaded sandbox. */
static void test_alarm_in_skipped_second(void **state)
{
	(void)state;
	alarm_at_14h();
	fake_now_value += 4;			/* 13:59:58 -> 14:00:02 */
	rtc_timer_fired(rtc);
	assert_true(fh.level[8]);
	assert_int_equal(rd(0x0c), 0x80 | 0x20 | 0x10);
	/* Over a minute late: only the current second counts. */
	fake_now_value += 24 * 3600 - 2;	/* next day, 14:00:00 */
	fake_now_value += 90;			/* seen at 14:01:30 */
	rtc_timer_fired(rtc);
	assert_int_equal(rd(0x0c), 0x10);
}

/* A reset keeps what the battery keeps: the set time, NVRAM, alarm, the
 * data mode; not the interrupt enables or the old machine's memory. */
static void test_save_restore(void **state)
{
	struct hw_host host = fake_host_init(&fh);
	struct rtc_state st = { 0 };
	struct rtc *fresh;

	(void)state;
	wr(0x09, 0x30);				/* year 2030 */
	wr(0x40, 0x5a);				/* NVRAM */
	wr(0x01, 0x12);				/* alarm seconds */
	wr(0x0b, 0x02 | 0x04 | 0x10);		/* binary, UIE */
	rtc_save(rtc, &st);
	assert_true(st.valid);
	rtc_destroy(rtc);
	assert_int_equal(rtc_create(&fresh, &host, 8, fake_now, 256ULL << 20,
				    0), 0);
	rtc = fresh;				/* teardown frees it */
	rtc_restore(rtc, &st);
	assert_int_equal(rd(0x09), 30);		/* binary now */
	assert_int_equal(rd(0x08), 1);
	assert_int_equal(rd(0x40), 0x5a);
	assert_int_equal(rd(0x01), 0x12);
	assert_int_equal(rd(0x0b), 0x02 | 0x04);	/* UIE cleared */
	assert_int_equal(timer_ns(), 0);
	assert_int_equal(rd(0x34) | rd(0x35) << 8, (256 - 16) << 4);
	assert_int_equal(rd(0x5b), 0);
	/* Nothing saved: power-on state. */
	rtc_restore(rtc, NULL);
	st.valid = false;
	rtc_restore(rtc, &st);
	assert_int_equal(rd(0x40), 0x5a);
}

/* SET stops the update cycle: no UF while the guest sets the clock. */
static void test_set_inhibits_updates(void **state)
{
	(void)state;
	wr(0x0b, 0x02 | 0x10 | 0x80);
	assert_int_equal(timer_ns(), 0);
	fake_now_value += 5;
	rtc_timer_fired(rtc);
	assert_false(fh.level[8]);
	assert_int_equal(rd(0x0c), 0);
	wr(0x0b, 0x02 | 0x10);
	assert_true(timer_ns() > 0);
	assert_int_equal(rd(0x0c), 0);		/* the clock restarts now */
	fake_now_value++;
	rtc_timer_fired(rtc);
	assert_int_equal(rd(0x0c), 0x90);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_bcd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binary_and_12h, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_one_field, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_bit_holds_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_invalid_values_ignored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_registers_and_nvram,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_accesses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_interrupts_but_flags,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_interrupt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_enable_with_flag_pending,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_interrupt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_periodic_interrupt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_inhibits_updates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_alarm_in_skipped_second,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_restore, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
