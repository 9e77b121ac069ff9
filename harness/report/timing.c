// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Fixed-size histograms of kernel time per run (see timing.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/pclass.h"
#include "report/timing.h"

static unsigned int log2_floor(uint32_t v)
{
	return 31u - (unsigned int)__builtin_clz(v);
}

static unsigned int bucket_of(uint32_t v)
{
	unsigned int e;

	if (v < HIST_EXACT)
		return v;
	e = log2_floor(v);	/* 6..31 */
	return HIST_EXACT + (e - 6) * HIST_SUB +
	       ((v >> (e - 5)) & (HIST_SUB - 1));
}

/* Middle of bucket @i, in ns. */
static uint32_t bucket_mid(unsigned int i)
{
	unsigned int e, m;
	uint64_t low, width;

	if (i < HIST_EXACT)
		return i;
	e = 6 + (i - HIST_EXACT) / HIST_SUB;
	m = (i - HIST_EXACT) % HIST_SUB;
	width = 1ull << (e - 5);
	low = (uint64_t)(HIST_SUB + m) * width;
	return (uint32_t)(low + (width - 1) / 2);
}

void hist_add(struct hist *h, uint32_t value)
{
	if (!h->n || value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	h->n++;
	h->bucket[bucket_of(value)]++;
}

uint32_t hist_quantile(const struct hist *h, double q)
{
	double x = q * (double)h->n;
	uint64_t rank = (uint64_t)x, seen = 0;
	uint32_t v = 0;

	if (!h->n)
		return 0;
	/* nearest rank: the smallest sample with at least q of them at or below */
	if ((double)rank < x)
		rank++;
	if (rank < 1)
		rank = 1;
	/* the ends are known exactly */
	if (rank == 1)
		return h->min;
	if (rank >= h->n)
		return h->max;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			v = bucket_mid(i);
			break;
		}
	}
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

struct timing *timing_new(void)
{
	return calloc(1, sizeof(struct timing));
}

void timing_add(struct timing *t, uint64_t pclass, uint32_t ns)
{
	size_t i;

	/* the rows seen last are the likeliest: look from the end */
	for (i = t->n_rows; i-- > 0;)
		if (t->rows[i].pclass == pclass)
			break;
	if (i == (size_t)-1) {
		if (t->n_rows < TIMING_CLASSES_MAX) {
			i = t->n_rows++;
			t->rows[i].pclass = pclass;
		} else {
			i = TIMING_CLASSES_MAX;	/* overflow: class 0 */
			t->rows[i].pclass = 0;
		}
	}
	hist_add(&t->rows[i].hist, ns);
}

static int row_cmp(const void *a, const void *b)
{
	const struct timing_row *x = a, *y = b;
	char nx[PCLASS_NAME_MAX], ny[PCLASS_NAME_MAX];

	return strcmp(pclass_name(x->pclass, nx, sizeof(nx)),
		      pclass_name(y->pclass, ny, sizeof(ny)));
}

void timing_sort(struct timing *t)
{
	qsort(t->rows, t->n_rows, sizeof(t->rows[0]), row_cmp);
	/* the overflow row, if used, joins the end */
	if (t->rows[TIMING_CLASSES_MAX].hist.n &&
	    t->n_rows == TIMING_CLASSES_MAX)
		t->n_rows++;
}

void timing_free(struct timing *t)
{
	free(t);
}
