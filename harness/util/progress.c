// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The progress line (see progress.h). */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "util/progress.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_begin(struct progress *p, const char *what)
{
	p->on = isatty(STDERR_FILENO);
	p->what = what;
	p->start = p->last = now();
	p->drawn = false;
}

void progress_update(struct progress *p, uint64_t frames, uint64_t done,
		     uint64_t total)
{
	double t, rate;

	/* checking the clock costs; look every 1024 frames */
	if (!p->on || (frames & 1023))
		return;
	t = now();
	if (t - p->last < 0.5)
		return;
	p->last = t;
	rate = (double)frames / (t - p->start);
	fprintf(stderr, "\r\033[K%s: %llu frames, %.0f frames/s", p->what,
		(unsigned long long)frames, rate);
	if (total && done && done <= total)
		fprintf(stderr, ", %.0f%%, %.0f s left", 100.0 * done / total,
			(t - p->start) * (double)(total - done) / done);
	p->drawn = true;
}

void progress_end(struct progress *p)
{
	if (p->on && p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = false;
}

void progress_line(struct progress *p, const char *fmt, ...)
{
	va_list ap;
	double t;

	if (!p->on)
		return;
	t = now();
	if (t - p->last < 0.5)
		return;
	p->last = t;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	p->drawn = true;
}

double progress_elapsed(const struct progress *p)
{
	return now() - p->start;
}
