/* MC146818 CMOS real-time clock and NVRAM at ports 0x70/0x71, with
 * update-ended, alarm and periodic interrupts on its IRQ line. */
#ifndef VIREO_HW_RTC_H
#define VIREO_HW_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "hw/host.h"

struct rtc;

/* `now` returns the host wall-clock time (tests pass a fake); NULL means
 * time(NULL).  `mem_below_4g` / `mem_above_4g` (bytes) fill the CMOS
 * memory-size bytes firmware conventionally keeps there. */
int rtc_create(struct rtc **out, const struct hw_host *host, unsigned irq,
	       time_t (*now)(void), uint64_t mem_below_4g,
	       uint64_t mem_above_4g);
void rtc_destroy(struct rtc *rtc);

/* What a PC's battery keeps across a reset: the time the guest set (as an
 * offset from the host clock), the alarm, registers A and B (less the
 * interrupt enables a reset clears), and the NVRAM.  The memory-size
 * bytes are the new machine's. */
struct rtc_state {
	bool valid;
	int64_t offset;
	uint8_t cmos[128];
};

void rtc_save(struct rtc *rtc, struct rtc_state *s);
/* Before the vCPUs start. */
void rtc_restore(struct rtc *rtc, const struct rtc_state *s);
int rtc_io(void *opaque, uint64_t offset, unsigned size, uint64_t *value,
	   bool is_write);

/* The RTC's timer: a timerfd, armed only while the guest has update,
 * alarm or periodic interrupts enabled.  The owner's event loop watches
 * it and calls rtc_timer_fired() (main thread) when it is readable. */
int rtc_timer_fd(const struct rtc *rtc);
/* The delay the timer was last armed with (0: idle); for tests, since the
 * timerfd's own remaining time shrinks as the clock runs. */
uint64_t rtc_timer_armed_ns(struct rtc *rtc);
void rtc_timer_fired(struct rtc *rtc);

#endif
