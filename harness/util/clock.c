// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Elapsed time on the monotonic clock (see clock.h). */
#include <time.h>

#include "util/clock.h"

double clock_seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}
