/* The narrow interface a device model sees of the machine around it:
 * interrupt lines and power events.  struct vm implements it with KVM;
 * unit tests implement it with fakes.  Devices never include KVM headers. */
#ifndef VIREO_HW_HOST_H
#define VIREO_HW_HOST_H

#include <stdbool.h>

enum hw_power_event {
	HW_POWER_OFF,	/* ACPI S5 entered */
	HW_POWER_RESET,	/* reset line pulsed (i8042, ACPI reset) */
};

struct hw_host {
	/* Drive interrupt line `gsi` to `level` (true = asserted).  Edge
	 * interrupts are raised and lowered.  Returns 0 or -errno. */
	int (*irq_set)(void *opaque, unsigned gsi, bool level);
	/* Ask the machine to power off or reset; returns at once, the
	 * vCPUs stop asynchronously. */
	void (*power)(void *opaque, enum hw_power_event ev);
	void *opaque;
};

static inline int hw_irq_set(const struct hw_host *h, unsigned gsi, bool level)
{
	return h->irq_set(h->opaque, gsi, level);
}

static inline void hw_power(const struct hw_host *h, enum hw_power_event ev)
{
	h->power(h->opaque, ev);
}

#endif
