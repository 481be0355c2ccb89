/* ACPI fixed hardware: PM1 event block (status, enable), PM1 control
 * block (SLP_TYP/SLP_EN) and the 32-bit PM timer.  The SCI line is high
 * while an enabled status bit is set. */
#include "hw/pm.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/log.h"

#define PM1_EVT_BITS	(PM1_STS_TMR | PM1_STS_PWRBTN)
/* Enable bits a guest may set (timer, global lock, power and sleep
 * button, RTC, PCIe wake disable); only ours can ever fire. */
#define PM1_EN_WRITABLE	0x4721u

struct pm {
	pthread_mutex_t lock;
	struct hw_host host;
	unsigned sci_irq, s5_typ;
	uint64_t (*clock_ns)(void);
	uint64_t t0;
	uint16_t sts, en, cnt;
	bool sci_level;
};

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void update_sci(struct pm *pm)
{
	bool level = (pm->sts & pm->en & PM1_EVT_BITS) != 0;

	if (level == pm->sci_level)
		return;
	pm->sci_level = level;
	hw_irq_set(&pm->host, pm->sci_irq, level);
}

/* Bytes [offset, offset+size) of a little-endian register of `width`
 * bytes: read the slice, or merge a write into it. */
static uint32_t slice_get(uint32_t reg, uint64_t offset, unsigned size)
{
	uint32_t v = reg >> (8 * offset);

	return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static uint32_t slice_mask(uint64_t offset, unsigned size)
{
	uint32_t m = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;

	return m << (8 * offset);
}

static bool access_ok(uint64_t offset, unsigned size, unsigned width)
{
	return size <= width && offset < width && offset + size <= width;
}

int pm_evt_io(void *opaque, uint64_t offset, unsigned size, uint64_t *value,
	      bool is_write)
{
	struct pm *pm = opaque;
	uint32_t reg, mask, v;

	/* Trust boundary: guest access. */
	if (!access_ok(offset, size, 4)) {
		log_guest("pm: bad PM1 event access (%u bytes at %llu)", size,
			  (unsigned long long)offset);
		return -EINVAL;
	}
	pthread_mutex_lock(&pm->lock);
	reg = pm->sts | ((uint32_t)pm->en << 16);
	if (!is_write) {
		*value = slice_get(reg, offset, size);
	} else {
		mask = slice_mask(offset, size);
		v = ((uint32_t)*value << (8 * offset)) & mask;
		pm->sts &= (uint16_t)~(v & 0xffff);	/* write 1 to clear */
		pm->en = (uint16_t)(((reg & ~mask) | v) >> 16) & PM1_EN_WRITABLE;
		update_sci(pm);
	}
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

int pm_cnt_io(void *opaque, uint64_t offset, unsigned size, uint64_t *value,
	      bool is_write)
{
	struct pm *pm = opaque;
	uint32_t mask;
	unsigned typ;
	bool off = false;

	if (!access_ok(offset, size, 2)) {
		log_guest("pm: bad PM1 control access (%u bytes at %llu)", size,
			  (unsigned long long)offset);
		return -EINVAL;
	}
	pthread_mutex_lock(&pm->lock);
	if (!is_write) {
		*value = slice_get(pm->cnt | PM1_CNT_SCI_EN, offset, size);
	} else {
		mask = slice_mask(offset, size);
		pm->cnt = (uint16_t)((pm->cnt & ~mask) |
				     (((uint32_t)*value << (8 * offset)) & mask));
		if (pm->cnt & PM1_CNT_SLP_EN) {
			typ = (pm->cnt & PM1_CNT_SLP_TYP_MASK) >> PM1_CNT_SLP_TYP_SHIFT;
			pm->cnt &= (uint16_t)~PM1_CNT_SLP_EN;	/* self-clearing */
			off = typ == pm->s5_typ;
			if (!off)
				log_guest("pm: sleep state with SLP_TYP %u is not "
					  "supported", typ);
		}
	}
	pthread_mutex_unlock(&pm->lock);
	if (off)
		hw_power(&pm->host, HW_POWER_OFF);
	return 0;
}

int pm_tmr_io(void *opaque, uint64_t offset, unsigned size, uint64_t *value,
	      bool is_write)
{
	struct pm *pm = opaque;
	uint64_t ns, ticks;

	if (!access_ok(offset, size, 4))
		return -EINVAL;
	if (is_write)
		return 0;	/* read-only */
	ns = pm->clock_ns() - pm->t0;
	/* ticks = ns * 3579545 / 1e9, without overflowing for ~160 years */
	ticks = (ns / 1000000000ULL) * PM_TIMER_HZ +
		(ns % 1000000000ULL) * PM_TIMER_HZ / 1000000000ULL;
	*value = slice_get((uint32_t)ticks, offset, size);
	return 0;
}

void pm_press_power_button(struct pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts |= PM1_STS_PWRBTN;
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

int pm_create(struct pm **out, const struct hw_host *host, unsigned sci_irq,
	      unsigned s5_typ, uint64_t (*clock_ns)(void))
{
	struct pm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return -ENOMEM;
	pthread_mutex_init(&pm->lock, NULL);
	pm->host = *host;
	pm->sci_irq = sci_irq;
	pm->s5_typ = s5_typ;
	pm->clock_ns = clock_ns ? clock_ns : monotonic_ns;
	pm->t0 = pm->clock_ns();
	*out = pm;
	return 0;
}

void pm_destroy(struct pm *pm)
{
	if (!pm)
		return;
	pthread_mutex_destroy(&pm->lock);
	free(pm);
}
