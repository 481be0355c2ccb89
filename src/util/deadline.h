/* Deadlines for pthread_cond_timedwait: CLOCK_REALTIME `ms` from now. */
#ifndef VIREO_UTIL_DEADLINE_H
#define VIREO_UTIL_DEADLINE_H

#include <time.h>

static inline struct timespec deadline_after_ms(unsigned ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

#endif
