/* SPDX-License-Identifier: MIT */
#ifndef DCR_CLOCK_H
#define DCR_CLOCK_H

/* Milliseconds for deadlines and waits, on the monotonic clock. */

#include <errno.h>
#include <time.h>

static inline long long clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms milliseconds, resuming after signals. */
static inline void clock_sleep_ms(long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

#endif
