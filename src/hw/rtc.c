/* MC146818 CMOS RTC at ports 0x70 (index) and 0x71 (data).  The clock is
 * the host's wall clock plus an offset that guest writes to the time
 * registers set; the rest of the 128 bytes is NVRAM, with the memory-size
 * bytes firmware keeps there.  No periodic, alarm or update interrupts. */
#include "hw/rtc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

enum {
	RTC_SEC = 0x00, RTC_MIN = 0x02, RTC_HOUR = 0x04, RTC_WDAY = 0x06,
	RTC_MDAY = 0x07, RTC_MON = 0x08, RTC_YEAR = 0x09, RTC_REG_A = 0x0a,
	RTC_REG_B = 0x0b, RTC_REG_C = 0x0c, RTC_REG_D = 0x0d,
	RTC_CENTURY = 0x32,
};

#define REG_B_SET	0x80
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
	uint8_t index;
	uint8_t cmos[CMOS_SIZE];
};

static time_t host_now(void)
{
	return time(NULL);
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

static void guest_tm(const struct rtc *r, struct tm *tm)
{
	time_t t = r->now() + (time_t)r->offset;

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

static uint8_t data_read(struct rtc *r, unsigned reg)
{
	uint8_t v;

	if (is_time_reg(reg))
		return read_time_reg(r, reg);
	switch (reg) {
	case RTC_REG_A:
		return r->cmos[reg] & 0x7f;	/* never update-in-progress */
	case RTC_REG_C:
		v = r->cmos[reg];
		r->cmos[reg] = 0;		/* read clears the flags */
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
		break;
	case RTC_REG_B:
		/* Interrupt enables are accepted but no interrupts happen. */
		if ((v & REG_B_SET) && !r->held) {
			guest_tm(r, &r->held_tm);
			r->held = true;
		} else if (!(v & REG_B_SET) && r->held) {
			r->held = false;
			r->offset = (int64_t)timegm(&r->held_tm) -
				    (int64_t)r->now();
		}
		r->cmos[reg] = v;
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

static void rtc_fill_memory(struct rtc *r, uint64_t below, uint64_t above)
{
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
	rtc_fill_memory(r, mem_below_4g, mem_above_4g);
	*out = r;
	return 0;
}

void rtc_destroy(struct rtc *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r);
}
