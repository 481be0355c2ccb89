/* ACPI fixed hardware: the PM1 event block (status/enable, with the
 * fixed-feature power button), the PM1 control block (SLP_TYP/SLP_EN,
 * through which the guest powers off) and the 32-bit PM timer.  Raises
 * the SCI line while an enabled event is pending. */
#ifndef VIREO_HW_PM_H
#define VIREO_HW_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/host.h"

#define PM1_STS_TMR		(1u << 0)
#define PM1_STS_PWRBTN		(1u << 8)
#define PM1_STS_WAK		(1u << 15)
#define PM1_CNT_SCI_EN		(1u << 0)
#define PM1_CNT_SLP_TYP_SHIFT	10
#define PM1_CNT_SLP_TYP_MASK	(7u << 10)
#define PM1_CNT_SLP_EN		(1u << 13)
#define PM_TIMER_HZ		3579545ULL

struct pm;

/* `s5_typ` is the SLP_TYP value that means soft-off (our DSDT's \_S5).
 * `clock_ns` returns a monotonic time in ns (NULL: CLOCK_MONOTONIC). */
int pm_create(struct pm **out, const struct hw_host *host, unsigned sci_irq,
	      unsigned s5_typ, uint64_t (*clock_ns)(void));
void pm_destroy(struct pm *pm);

/* bus_io_fns: event block (4 bytes), control block (2), timer (4). */
int pm_evt_io(void *opaque, uint64_t offset, unsigned size, uint64_t *value,
	      bool is_write);
int pm_cnt_io(void *opaque, uint64_t offset, unsigned size, uint64_t *value,
	      bool is_write);
int pm_tmr_io(void *opaque, uint64_t offset, unsigned size, uint64_t *value,
	      bool is_write);

/* Press the fixed-feature power button (thread-safe; used by the monitor's
 * shutdown command): sets PWRBTN_STS and raises the SCI if enabled. */
void pm_press_power_button(struct pm *pm);

#endif
