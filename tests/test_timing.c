// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Histograms and quantiles: against the exact nearest-rank quantile of
 * the same samples, kept and sorted here, for several distributions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/pclass.h"
#include "report/timing.h"

#define N_SAMPLES 100000

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t exact_quantile(const uint32_t *sorted, size_t n, double q)
{
	size_t rank = (size_t)(q * (double)n);

	if ((double)rank < q * (double)n)
		rank++;
	return sorted[rank ? rank - 1 : 0];
}

static uint32_t x = 12345;

static uint32_t next_random(void)
{
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/* Distributions test runs have: tight, long-tailed, wide, tiny. */
static uint32_t sample(int dist)
{
	switch (dist) {
	case 0:
		return 800 + next_random() % 100;
	case 1:	/* mostly ~1 us, one in a hundred 10..50 us */
		return next_random() % 100 ? 900 + next_random() % 300 :
					     10000 + next_random() % 40000;
	case 2:
		return next_random() >> (next_random() % 32);
	default:
		return next_random() % 70;
	}
}

static void test_timing_quantiles_close_to_exact(void **state)
{
	static const double qs[] = { 0.01, 0.5, 0.9, 0.99, 0.999, 1.0 };
	static uint32_t v[N_SAMPLES];
	static struct hist h;

	(void)state;
	for (int dist = 0; dist < 4; dist++) {
		memset(&h, 0, sizeof(h));
		for (size_t i = 0; i < N_SAMPLES; i++) {
			v[i] = sample(dist);
			hist_add(&h, v[i]);
		}
		qsort(v, N_SAMPLES, sizeof(v[0]), cmp_u32);
		assert_int_equal(h.n, N_SAMPLES);
		assert_int_equal(h.min, v[0]);
		assert_int_equal(h.max, v[N_SAMPLES - 1]);
		for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
			double want = exact_quantile(v, N_SAMPLES, qs[i]);
			double got = hist_quantile(&h, qs[i]);

			/* a bucket is 1/32 of its value wide: half that */
			if (got < want * (1 - 1.0 / 64) - 0.5 ||
			    got > want * (1 + 1.0 / 64) + 0.5)
				fail_msg("distribution %d, q %.3f: %.0f, exact %.0f",
					 dist, qs[i], got, want);
		}
	}
}

static void test_timing_small_values_exact(void **state)
{
	struct hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(hist_quantile(&h, 0.5), 0);
	for (uint32_t i = 1; i <= 50; i++)
		hist_add(&h, i);
	assert_int_equal(hist_quantile(&h, 0.5), 25);
	assert_int_equal(hist_quantile(&h, 0.9), 45);
	assert_int_equal(hist_quantile(&h, 0.99), 50);
	assert_int_equal(hist_quantile(&h, 1.0), 50);
}

static void test_timing_extremes(void **state)
{
	struct hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	hist_add(&h, UINT32_MAX);
	hist_add(&h, 0);
	assert_int_equal(hist_quantile(&h, 0.5), 0);
	assert_int_equal(hist_quantile(&h, 1.0), UINT32_MAX);
	/* one sample: every quantile is it */
	memset(&h, 0, sizeof(h));
	hist_add(&h, 123456);
	assert_int_equal(hist_quantile(&h, 0.01), 123456);
	assert_int_equal(hist_quantile(&h, 0.99), 123456);
}

/* Rows per class; classes past the table share the overflow row. */
static void test_timing_classes(void **state)
{
	struct timing *t = timing_new();
	char name[PCLASS_NAME_MAX];

	(void)state;
	assert_non_null(t);
	/* eth/A/B: distinct names, added in an order that is not theirs */
	for (uint64_t n = 0; n < TIMING_CLASSES_MAX + 10; n++) {
		uint64_t c = PCLASS_ETH |
			     (PCLASS_LAYER_COUNT - 1 - n % 16) << 5 |
			     (1 + n / 16) << 10;

		for (int i = 0; i < 3; i++)
			timing_add(t, c, (uint32_t)(n * 10));
		if (n == 5)
			timing_add(t, c, 1000);
	}
	timing_sort(t);
	assert_int_equal(t->n_rows, TIMING_CLASSES_MAX + 1);
	assert_int_equal(t->rows[TIMING_CLASSES_MAX].hist.n, 30);
	assert_string_equal(pclass_name(t->rows[TIMING_CLASSES_MAX].pclass,
					name, sizeof(name)), "other");
	for (size_t i = 0; i < TIMING_CLASSES_MAX; i++) {
		const struct timing_row *r = &t->rows[i];

		assert_int_equal(r->hist.n, r->hist.max == 1000 ? 4 : 3);
		if (i) {
			char prev[PCLASS_NAME_MAX];

			pclass_name(t->rows[i - 1].pclass, prev, sizeof(prev));
			pclass_name(r->pclass, name, sizeof(name));
			assert_true(strcmp(prev, name) < 0);
		}
	}
	timing_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timing_quantiles_close_to_exact),
		cmocka_unit_test(test_timing_small_values_exact),
		cmocka_unit_test(test_timing_extremes),
		cmocka_unit_test(test_timing_classes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
