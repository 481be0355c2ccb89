/* MC146818 CMOS RTC at ports 0x70 (index) and 0x71 (data).  The clock is
 * the host's wall clock plus an offset that guest writes to the time
 * registers set; the rest of the 128 bytes is NVRAM, with the memory-size
 * bytes firmware keeps there.  Update-ended, alarm and periodic flags in
 * register C, and the interrupt when enabled, come from a timerfd that
 * runs only while an interrupt is enabled; with none enabled, a read of
 * register C still reports the updates and alarms since the last one. */
#include "hw/rtc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "util/log.h"

enum {
	RTC_SEC = 0x00, RTC_SEC_ALARM = 0x01, RTC_MIN = 0x02,
	RTC_MIN_ALARM = 0x03, RTC_HOUR = 0x04, RTC_HOUR_ALARM = 0x05,
	RTC_WDAY = 0x06,
	RTC_MDAY = 0x07, RTC_MON = 0x08, RTC_YEAR = 0x09, RTC_REG_A = 0x0a,
	RTC_REG_B = 0x0b, RTC_REG_C = 0x0c, RTC_REG_D = 0x0d,
	RTC_CENTURY = 0x32,
};

#define REG_B_SET	0x80
#define REG_B_PIE	0x40
#define REG_B_AIE	0x20
#define REG_B_UIE	0x10
#define REG_B_SQWE	0x08
#define REG_C_IRQF	0x80
#define REG_C_PF	0x40
#define REG_C_AF	0x20
#define REG_C_UF	0x10
#define REG_B_24H	0x02
#define REG_B_BINARY	0x04
#define REG_D_VRT	0x80
#define HOUR_PM		0x80
#define CMOS_SIZE	128

struct rtc {
	pthread_mutex_t lock;
	struct hw_host host;
	unsigned irq;
	time_t (*now)(void);
	int64_t offset;		/* guest time - host time, seconds */
	bool held;		/* register B's SET: the clock is frozen at */
	struct tm held_tm;	/* held_tm while the guest rewrites it */
	time_t last_update;	/* guest second of the last update cycle */
	int timer_fd;		/* timerfd for the interrupts, or -1 */
	uint64_t armed_ns;	/* what rtc_rearm() last armed it for, 0 idle */
	bool irq_high;		/* IRQ line asserted until C is read */
	uint64_t mem_below_4g, mem_above_4g;	/* for the CMOS size bytes */
	uint8_t index;
	uint8_t cmos[CMOS_SIZE];
};

_Static_assert(sizeof(((struct rtc_state *)0)->cmos) == CMOS_SIZE,
	       "rtc_state keeps the whole CMOS");

/* Not time(NULL): that reads the coarse clock, which can still show the
 * last second a few milliseconds (a tick, longer in a loaded guest) after
 * the boundary our timer wakes for, and the update would be missed. */
static time_t host_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static uint8_t to_bcd(unsigned v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

/* -1 if v is not valid BCD. */
static int from_bcd(uint8_t v)
{
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t encode(const struct rtc *r, unsigned v)
{
	return (r->cmos[RTC_REG_B] & REG_B_BINARY) ? (uint8_t)v : to_bcd(v);
}

static int decode(const struct rtc *r, uint8_t v)
{
	return (r->cmos[RTC_REG_B] & REG_B_BINARY) ? v : from_bcd(v);
}

/* The guest's current second (running clock). */
static time_t guest_now(const struct rtc *r)
{
	return r->now() + (time_t)r->offset;
}

/* The offset that makes the held time (SET) the guest's current one. */
static int64_t held_offset(const struct rtc *r)
{
	struct tm tm = r->held_tm;

	return (int64_t)timegm(&tm) - (int64_t)r->now();
}

static void guest_tm(const struct rtc *r, struct tm *tm)
{
	time_t t = guest_now(r);

	if (r->held) {
		*tm = r->held_tm;
		return;
	}
	gmtime_r(&t, tm);
}

static uint8_t read_hour(const struct rtc *r, int hour)
{
	unsigned h12;

	if (r->cmos[RTC_REG_B] & REG_B_24H)
		return encode(r, (unsigned)hour);
	h12 = hour % 12 ? (unsigned)hour % 12 : 12;
	return encode(r, h12) | (hour >= 12 ? HOUR_PM : 0);
}

static uint8_t read_time_reg(const struct rtc *r, unsigned reg)
{
	struct tm tm;
	int year;

	guest_tm(r, &tm);
	year = tm.tm_year + 1900;
	switch (reg) {
	case RTC_SEC: return encode(r, (unsigned)tm.tm_sec % 60);
	case RTC_MIN: return encode(r, (unsigned)tm.tm_min);
	case RTC_HOUR: return read_hour(r, tm.tm_hour);
	case RTC_WDAY: return encode(r, (unsigned)tm.tm_wday + 1);
	case RTC_MDAY: return encode(r, (unsigned)tm.tm_mday);
	case RTC_MON: return encode(r, (unsigned)tm.tm_mon + 1);
	case RTC_YEAR: return encode(r, (unsigned)(year % 100));
	default: return encode(r, (unsigned)(year / 100));	/* century */
	}
}

static int decode_hour(const struct rtc *r, uint8_t v)
{
	int h;

	if (r->cmos[RTC_REG_B] & REG_B_24H)
		return decode(r, v);
	h = decode(r, v & 0x7f);
	if (h < 1 || h > 12)
		return -1;
	return (h % 12) + ((v & HOUR_PM) ? 12 : 0);
}

/* Replace one field of the guest's clock: the offset absorbs it. */
static void write_time_reg(struct rtc *r, unsigned reg, uint8_t v)
{
	struct tm tm;
	int x = reg == RTC_HOUR ? decode_hour(r, v) : decode(r, v);
	int year;

	guest_tm(r, &tm);
	year = tm.tm_year + 1900;
	switch (reg) {
	case RTC_SEC: if (x < 0 || x > 59) goto bad; tm.tm_sec = x; break;
	case RTC_MIN: if (x < 0 || x > 59) goto bad; tm.tm_min = x; break;
	case RTC_HOUR: if (x < 0 || x > 23) goto bad; tm.tm_hour = x; break;
	case RTC_WDAY: return;	/* derived from the date */
	case RTC_MDAY: if (x < 1 || x > 31) goto bad; tm.tm_mday = x; break;
	case RTC_MON: if (x < 1 || x > 12) goto bad; tm.tm_mon = x - 1; break;
	case RTC_YEAR:
		if (x < 0 || x > 99) goto bad;
		tm.tm_year = year / 100 * 100 + x - 1900;
		break;
	default:
		if (x < 19 || x > 99) goto bad;
		tm.tm_year = x * 100 + year % 100 - 1900;
		break;
	}
	/* While SET holds the clock, fields are kept as written (a guest
	 * setting 02-15 over 01-31 passes through 02-31) and the whole
	 * time counts once SET is cleared. */
	if (r->held)
		r->held_tm = tm;
	else
		r->offset = (int64_t)timegm(&tm) - (int64_t)r->now();
	return;
bad:
	/* Trust boundary: a value the guest wrote. */
	log_guest("rtc: invalid value %#x for register %#x ignored", v, reg);
}

static bool is_time_reg(unsigned reg)
{
	switch (reg) {
	case RTC_SEC: case RTC_MIN: case RTC_HOUR: case RTC_WDAY:
	case RTC_MDAY: case RTC_MON: case RTC_YEAR: case RTC_CENTURY:
		return true;
	default:
		return false;	/* alarms and the rest are plain NVRAM */
	}
}

/* Alarm bytes are in the time registers' format; 0xC0-0xFF is "any". */
static bool alarm_field_matches(uint8_t alarm, uint8_t now)
{
	return (alarm & 0xc0) == 0xc0 || alarm == now;
}

/* Does the alarm match guest second `t`? */
static bool alarm_matches(const struct rtc *r, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	return alarm_field_matches(r->cmos[RTC_SEC_ALARM],
				   encode(r, (unsigned)tm.tm_sec % 60)) &&
	       alarm_field_matches(r->cmos[RTC_MIN_ALARM],
				   encode(r, (unsigned)tm.tm_min)) &&
	       alarm_field_matches(r->cmos[RTC_HOUR_ALARM],
				   read_hour(r, tm.tm_hour));
}

/* Alarms are looked for in at most this many skipped seconds. */
#define RTC_CATCH_UP_MAX 60

/* The update cycles since the last one set UF, and AF when the alarm
 * matched any of those seconds (a timer that fires late, or a guest that
 * polls C seldom, must not skip it).  SET inhibits updates. */
static void rtc_catch_up(struct rtc *r)
{
	time_t t, s;

	if (r->held)
		return;
	t = guest_now(r);
	if (t == r->last_update)
		return;
	s = t - r->last_update > RTC_CATCH_UP_MAX || t < r->last_update ?
		    t : r->last_update + 1;
	r->last_update = t;
	r->cmos[RTC_REG_C] |= REG_C_UF;
	for (; s <= t; s++)
		if (alarm_matches(r, s))
			r->cmos[RTC_REG_C] |= REG_C_AF;
}

/* IRQF: a flag is set whose interrupt is enabled (PIE/AIE/UIE in B line
 * up with PF/AF/UF in C). */
static bool rtc_irqf(const struct rtc *r)
{
	return r->cmos[RTC_REG_C] & r->cmos[RTC_REG_B] &
	       (REG_C_PF | REG_C_AF | REG_C_UF);
}

/* The line rises with IRQF and stays up until register C is read. */
static void rtc_update_irq(struct rtc *r)
{
	if (!rtc_irqf(r))
		return;
	r->cmos[RTC_REG_C] |= REG_C_IRQF;
	if (!r->irq_high) {
		r->irq_high = true;
		hw_irq_set(&r->host, r->irq, true);
	}
}

/* Register A's rate: 0 none, 1-2 256/128 Hz, 3-15 65536 >> rate Hz.
 * Ticks closer than ~1 ms are merged (PF is a flag, not a count). */
static uint64_t rtc_period_ns(uint8_t reg_a)
{
	unsigned rate = reg_a & 0x0f;
	uint64_t hz, ns;

	if (!rate)
		return 0;
	hz = rate <= 2 ? 256u >> (rate - 1) : 65536u >> rate;
	ns = 1000000000ULL / hz;
	return ns < 976562 ? 976562 : ns;
}

/* Arms the timer for the next interrupt source the guest enabled: the
 * periodic tick, or just past the next second (update and alarm). */
static void rtc_rearm(struct rtc *r)
{
	uint8_t b = r->cmos[RTC_REG_B];
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	struct timespec now;
	uint64_t ns = 0, p;

	if (r->timer_fd < 0)
		return;
	if (!r->held && (b & (REG_B_UIE | REG_B_AIE))) {
		clock_gettime(CLOCK_REALTIME, &now);
		ns = 1000000000ULL - (uint64_t)now.tv_nsec + 1000000;
	}
	p = (b & REG_B_PIE) ? rtc_period_ns(r->cmos[RTC_REG_A]) : 0;
	if (p && (!ns || p < ns))
		ns = p;
	its.it_value.tv_sec = (time_t)(ns / 1000000000ULL);
	its.it_value.tv_nsec = (long)(ns % 1000000000ULL);
	if (timerfd_settime(r->timer_fd, 0, &its, NULL) < 0) {
		/* Re-armed on every guest write to register A or B. */
		log_guest("rtc: timerfd_settime: %s", strerror(errno));
		ns = 0;
	}
	r->armed_ns = ns;
}

void rtc_timer_fired(struct rtc *r)
{
	uint64_t n;

	pthread_mutex_lock(&r->lock);
	if (r->timer_fd >= 0 && read(r->timer_fd, &n, sizeof(n)) < 0)
		n = 0;	/* EAGAIN: disarmed meanwhile; catch up anyway */
	rtc_catch_up(r);
	if ((r->cmos[RTC_REG_B] & REG_B_PIE) &&
	    rtc_period_ns(r->cmos[RTC_REG_A]))
		r->cmos[RTC_REG_C] |= REG_C_PF;
	rtc_update_irq(r);
	rtc_rearm(r);
	pthread_mutex_unlock(&r->lock);
}

int rtc_timer_fd(const struct rtc *r)
{
	return r->timer_fd;
}

uint64_t rtc_timer_armed_ns(struct rtc *r)
{
	uint64_t ns;

	pthread_mutex_lock(&r->lock);
	ns = r->armed_ns;
	pthread_mutex_unlock(&r->lock);
	return ns;
}

static uint8_t data_read(struct rtc *r, unsigned reg)
{
	uint8_t v;

	if (is_time_reg(reg))
		return read_time_reg(r, reg);
	switch (reg) {
	case RTC_REG_A:
		return r->cmos[reg] & 0x7f;	/* never update-in-progress */
	case RTC_REG_C:
		rtc_catch_up(r);
		v = r->cmos[reg] | (rtc_irqf(r) ? REG_C_IRQF : 0);
		r->cmos[reg] = 0;		/* read clears the flags */
		if (r->irq_high) {
			r->irq_high = false;
			hw_irq_set(&r->host, r->irq, false);
		}
		return v;
	case RTC_REG_D:
		return REG_D_VRT;
	default:
		return r->cmos[reg];
	}
}

static void data_write(struct rtc *r, unsigned reg, uint8_t v)
{
	if (is_time_reg(reg)) {
		write_time_reg(r, reg, v);
		return;
	}
	switch (reg) {
	case RTC_REG_A:
		r->cmos[reg] = v & 0x7f;
		rtc_rearm(r);
		break;
	case RTC_REG_B:
		if ((v & REG_B_SET) && !r->held) {
			guest_tm(r, &r->held_tm);
			r->held = true;
		} else if (!(v & REG_B_SET) && r->held) {
			r->offset = held_offset(r);
			r->held = false;
			r->last_update = guest_now(r);
		}
		r->cmos[reg] = v;
		rtc_update_irq(r);	/* a flag already set, now enabled */
		rtc_rearm(r);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;				/* read-only */
	default:
		r->cmos[reg] = v;
		break;
	}
}

int rtc_io(void *opaque, uint64_t offset, unsigned size, uint64_t *value,
	   bool is_write)
{
	struct rtc *r = opaque;

	if (size != 1 || offset > 1) {
		log_guest("rtc: %u-byte access at offset %llu ignored", size,
			  (unsigned long long)offset);
		return -EINVAL;
	}
	pthread_mutex_lock(&r->lock);
	if (offset == 0) {
		if (is_write)
			r->index = (uint8_t)*value & 0x7f;	/* bit 7: NMI mask */
		else
			*value = r->index;
	} else if (is_write) {
		data_write(r, r->index, (uint8_t)*value);
	} else {
		*value = data_read(r, r->index);
	}
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static void set_word(uint8_t *cmos, unsigned reg, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	cmos[reg] = (uint8_t)v;
	cmos[reg + 1] = (uint8_t)(v >> 8);
}

/* The memory-size bytes firmware keeps in CMOS, for this machine. */
static void rtc_fill_memory(struct rtc *r)
{
	uint64_t below = r->mem_below_4g, above = r->mem_above_4g;
	uint64_t ext_kb = below > (1 << 20) ? (below - (1 << 20)) >> 10 : 0;
	uint64_t over16 = below > (16 << 20) ? (below - (16 << 20)) >> 16 : 0;
	uint64_t high = above >> 16;

	set_word(r->cmos, 0x15, 640);		/* base memory, KiB */
	set_word(r->cmos, 0x17, ext_kb);	/* above 1 MiB, KiB */
	set_word(r->cmos, 0x30, ext_kb);
	set_word(r->cmos, 0x34, over16);	/* above 16 MiB, 64 KiB units */
	if (high > 0xffffff)
		high = 0xffffff;
	r->cmos[0x5b] = (uint8_t)high;		/* above 4 GiB, 64 KiB units */
	r->cmos[0x5c] = (uint8_t)(high >> 8);
	r->cmos[0x5d] = (uint8_t)(high >> 16);
}

int rtc_create(struct rtc **out, const struct hw_host *host, unsigned irq,
	       time_t (*now)(void), uint64_t mem_below_4g,
	       uint64_t mem_above_4g)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	pthread_mutex_init(&r->lock, NULL);
	r->host = *host;
	r->irq = irq;
	r->now = now ? now : host_now;
	r->cmos[RTC_REG_A] = 0x26;	/* 32.768 kHz time base, 1024 Hz rate */
	r->cmos[RTC_REG_B] = REG_B_24H;	/* BCD, 24-hour */
	r->last_update = r->now();
	r->mem_below_4g = mem_below_4g;
	r->mem_above_4g = mem_above_4g;
	rtc_fill_memory(r);
	r->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
				     TFD_CLOEXEC);
	if (r->timer_fd < 0) {
		int err = errno;

		pthread_mutex_destroy(&r->lock);
		free(r);
		return -err;
	}
	*out = r;
	return 0;
}

void rtc_save(struct rtc *r, struct rtc_state *s)
{
	pthread_mutex_lock(&r->lock);
	s->valid = true;
	/* Reset while setting: keep what was written. */
	s->offset = r->held ? held_offset(r) : r->offset;
	memcpy(s->cmos, r->cmos, sizeof(s->cmos));
	pthread_mutex_unlock(&r->lock);
}

void rtc_restore(struct rtc *r, const struct rtc_state *s)
{
	if (!s || !s->valid)
		return;
	pthread_mutex_lock(&r->lock);
	r->offset = s->offset;
	r->last_update = guest_now(r);
	memcpy(r->cmos, s->cmos, sizeof(r->cmos));
	/* A reset clears the flags, SET and the interrupt and square-wave
	 * enables; the memory sizes are this machine's. */
	r->cmos[RTC_REG_C] = 0;
	r->cmos[RTC_REG_B] &= (uint8_t)~(REG_B_SET | REG_B_PIE | REG_B_AIE |
					 REG_B_UIE | REG_B_SQWE);
	rtc_fill_memory(r);
	pthread_mutex_unlock(&r->lock);
}

void rtc_destroy(struct rtc *r)
{
	if (!r)
		return;
	if (r->timer_fd >= 0)
		close(r->timer_fd);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
