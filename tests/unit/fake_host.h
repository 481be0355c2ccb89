/* A fake struct hw_host for device-model tests: records every interrupt
 * line change and power event. */
#ifndef VIREO_TESTS_FAKE_HOST_H
#define VIREO_TESTS_FAKE_HOST_H

#include <stdbool.h>

#include "hw/host.h"

struct fake_host {
	unsigned irq_calls;
	unsigned last_gsi;
	bool level[32];
	unsigned poweroffs, resets;
};

static inline int fake_irq_set(void *opaque, unsigned gsi, bool level)
{
	struct fake_host *f = opaque;

	f->irq_calls++;
	f->last_gsi = gsi;
	if (gsi < 32)
		f->level[gsi] = level;
	return 0;
}

static inline void fake_power(void *opaque, enum hw_power_event ev)
{
	struct fake_host *f = opaque;

	if (ev == HW_POWER_OFF)
		f->poweroffs++;
	else
		f->resets++;
}

static inline struct hw_host fake_host_init(struct fake_host *f)
{
	*f = (struct fake_host){ 0 };
	return (struct hw_host){ fake_irq_set, fake_power, f };
}

#endif
