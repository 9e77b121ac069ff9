/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Kernel time per run, gathered per protocol class in fixed-size
 * histograms, so quantiles cost the same memory for ten frames or a
 * billion. Buckets are log-linear: exact below 64 ns, then 32 a power of
 * two, so a quantile is within 1/64 (1.6%) of the true sample.
 */
#ifndef FDTEST_TIMING_H
#define FDTEST_TIMING_H

#include <stddef.h>
#include <stdint.h>

#define HIST_EXACT	64u	/* values below this have a bucket each */
#define HIST_SUB	32u	/* buckets per power of two above it */
#define HIST_BUCKETS	(HIST_EXACT + (32u - 6u) * HIST_SUB)

struct hist {
	uint64_t n;
	uint32_t min;
	uint32_t max;
	uint64_t bucket[HIST_BUCKETS];
};

void hist_add(struct hist *h, uint32_t value);
/*
 * The @q quantile (0 < q <= 1) as the nearest-rank sample's bucket
 * middle, clamped to [min, max]; 0 for an empty histogram.
 */
uint32_t hist_quantile(const struct hist *h, double q);

/* Classes beyond this many share one "other" row. */
#define TIMING_CLASSES_MAX 64

struct timing_row {
	uint64_t pclass;	/* pclass.h; 0 for the overflow row */
	struct hist hist;
};

struct timing {
	size_t n_rows;
	struct timing_row rows[TIMING_CLASSES_MAX + 1];
};

/* Returns a zeroed table or NULL (errno set). */
struct timing *timing_new(void);
void timing_add(struct timing *t, uint64_t pclass, uint32_t ns);
/* Sorts the rows by class name, for output in a stable order. */
void timing_sort(struct timing *t);
void timing_free(struct timing *t);	/* NULL is fine */

#endif /* FDTEST_TIMING_H */
