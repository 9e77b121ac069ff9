/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Elapsed time on the monotonic clock, for reports and progress. */
#ifndef FDTEST_CLOCK_H
#define FDTEST_CLOCK_H

#include <time.h>

/* Seconds from @t, taken on CLOCK_MONOTONIC, to now. */
double clock_seconds_since(const struct timespec *t);

#endif /* FDTEST_CLOCK_H */
