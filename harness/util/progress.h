/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A progress line on stderr for long runs: frames done, rate and time
 * left, redrawn at most twice a second. Silent when stderr is not a
 * terminal, so logs and CI output stay clean.
 */
#ifndef FDTEST_PROGRESS_H
#define FDTEST_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool on;
	const char *what;
	double start;
	double last;
	bool drawn;
};

void progress_begin(struct progress *p, const char *what);
/* @done/@total: bytes of the capture read, for the time left. */
void progress_update(struct progress *p, uint64_t frames, uint64_t done,
		     uint64_t total);
/*
 * Any other progress line, printf-style, redrawn at most twice a second
 * (the caller calls it no more often than it can afford a clock read).
 */
void progress_line(struct progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Seconds since progress_begin(), drawn or not. */
double progress_elapsed(const struct progress *p);
/* Clears the line. */
void progress_end(struct progress *p);

#endif /* FDTEST_PROGRESS_H */
