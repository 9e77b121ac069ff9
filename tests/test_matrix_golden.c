// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Goldens across kernels: version ranges, a dissector's declared minimum,
 * and override files merged over the golden for the kernels they name.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "check/golden.h"
#include "matrix/matrix_golden.h"
#include "matrix/matrix_kver.h"
#include "test_util.h"


struct range_case {
	const char *text;
	const char *inside[3];
	const char *outside[3];
	int ret;
};

static const struct range_case ranges[] = {
	{ "5.10-6.0", { "5.10", "5.15", "6.0" }, { "5.4", "6.1", "7.2" }, 0 },
	{ "6.1-", { "6.1", "6.12", "7.2" }, { "5.10", "6.0", "4.20" }, 0 },
	{ "-6.0", { "5.4", "5.10", "6.0" }, { "6.1", "6.12", "7.0" }, 0 },
	{ "6.1", { "6.1", NULL, NULL }, { "6.0", "6.2", "6.12" }, 0 },
	{ "", .ret = -EINVAL },
	{ "-", .ret = -EINVAL },
	{ "6", .ret = -EINVAL },
	{ "6.1-5.10", .ret = -EINVAL },
	{ "6.1-x", .ret = -EINVAL },
	{ "a.b", .ret = -EINVAL },
};

static void test_matrix_golden_ranges(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const struct range_case *c = &ranges[i];
		struct matrix_krange r;
		struct matrix_kver v;
		int ret = matrix_krange_parse(c->text, strlen(c->text), &r);

		if (ret != c->ret)
			fail_msg("range '%s': %d, want %d", c->text, ret,
				 c->ret);
		for (int k = 0; !ret && k < 3; k++) {
			if (c->inside[k]) {
				assert_int_equal(matrix_kver_parse(c->inside[k],
								   &v), 0);
				if (!matrix_krange_has(&r, &v))
					fail_msg("range '%s' lacks %s",
						 c->text, c->inside[k]);
			}
			assert_int_equal(matrix_kver_parse(c->outside[k], &v),
					 0);
			if (matrix_krange_has(&r, &v))
				fail_msg("range '%s' holds %s", c->text,
					 c->outside[k]);
		}
	}
}

static void test_matrix_golden_kver_parse(void **state)
{
	struct matrix_kver v;

	(void)state;
	assert_int_equal(matrix_kver_parse("5.10.0-32-cloud-amd64", &v), 0);
	assert_int_equal(v.major, 5);
	assert_int_equal(v.minor, 10);
	assert_int_equal(matrix_kver_parse("7.2.13+deb14-cloud-amd64", &v), 0);
	assert_int_equal(v.major, 7);
	assert_int_equal(v.minor, 2);
	assert_int_equal(matrix_kver_parse("6.18.44-fc", &v), 0);
	assert_int_equal(v.minor, 18);
	assert_int_equal(matrix_kver_parse("unknown", &v), -EINVAL);
}

/* The fixture declares 6.1 in its .fdtest section; reference, nothing. */
static void test_matrix_golden_min_kernel(void **state)
{
	struct matrix_kver v = { 0 };
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/fixtures/tai_clock.bpf.o",
		 test_build_dir());
	assert_int_equal(matrix_kver_min_of(path, &v), 1);
	assert_int_equal(v.major, 6);
	assert_int_equal(v.minor, 1);
	snprintf(path, sizeof(path), "%s/dissectors/reference.bpf.o",
		 test_build_dir());
	assert_int_equal(matrix_kver_min_of(path, &v), 0);
	assert_int_equal(matrix_kver_min_of("/nonexistent.bpf.o", &v),
			 -ENOENT);
	assert_int_equal(matrix_kver_min_of("/proc/self/status", &v),
			 -ENOEXEC);
}

#define HEADER "{\"fdtest_golden\":1,\"capture\":\"x.pcap\",\"sha256\":\"\"," \
	       "\"dissector\":\"ref\",\"states\":[\"vlanless\"]," \
	       "\"in_flags\":[0]}\n"

static void make_goldens(char *expected, size_t size)
{
	char path[512];

	snprintf(expected, size, "%s/expected", test_scratch());
	mkdir(expected, 0755);
	snprintf(path, sizeof(path), "%s/ref", expected);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/ref/x.json", expected);
	test_write_file(path, HEADER
		   "{\"frame\":1,\"state\":\"vlanless\",\"in_flags\":0,\"nhoff\":14}\n"
		   "{\"frame\":2,\"state\":\"vlanless\",\"in_flags\":0,\"nhoff\":14}\n"
		   "{\"frame\":3,\"state\":\"vlanless\",\"in_flags\":0,\"nhoff\":14}\n");
	/* before 6.1 frame 2 differs and frame 4 is new; listed backwards */
	snprintf(path, sizeof(path), "%s/ref/x@-6.0.json", expected);
	test_write_file(path,
		   "{\"frame\":4,\"state\":\"vlanless\",\"in_flags\":0,\"nhoff\":40}\n"
		   "{\"frame\":2,\"state\":\"vlanless\",\"in_flags\":0,\"nhoff\":18}\n");
	/* on 5.10 alone frame 2 differs once more: the later name wins */
	snprintf(path, sizeof(path), "%s/ref/x@5.10.json", expected);
	test_write_file(path,
		   "{\"frame\":2,\"state\":\"vlanless\",\"in_flags\":0,\"nhoff\":22}\n");
	/* another capture's override never applies to x */
	snprintf(path, sizeof(path), "%s/ref/xy@-6.0.json", expected);
	test_write_file(path, "not even JSON\n");
}

/* The nhoff of each line of the golden in @edir, in order. */
static size_t read_nhoffs(const char *edir, unsigned int *nhoff,
			  uint32_t *frames)
{
	struct golden_reader *g;
	struct golden_line exp;
	char path[512], err[256];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/ref/x.json", edir);
	if (golden_open(path, &g, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	while (golden_next(g, &exp, err, sizeof(err)) == 1 && n < 8) {
		frames[n] = exp.id.frame;
		nhoff[n++] = exp.keys.nhoff;
	}
	golden_close(g);
	return n;
}

struct merge_case {
	const char *kernel;
	bool merged;
	unsigned int nhoff[4];	/* frames 1..n */
	size_t n;
};

static const struct merge_case merges[] = {
	{ "6.1", false, { 14, 14, 14 }, 3 },
	{ "6.0", true, { 14, 18, 14, 40 }, 4 },
	{ "5.10", true, { 14, 22, 14, 40 }, 4 },
};

static void test_matrix_golden_merge(void **state)
{
	char expected[256], tmp[256], err[512];

	(void)state;
	make_goldens(expected, sizeof(expected));
	for (size_t i = 0; i < sizeof(merges) / sizeof(merges[0]); i++) {
		const struct merge_case *c = &merges[i];
		struct matrix_kver k;
		unsigned int nhoff[8];
		uint32_t frames[8];
		const char *edir;
		size_t n;

		snprintf(tmp, sizeof(tmp), "%s/merged-%zu", test_scratch(),
			 i);
		mkdir(tmp, 0755);
		assert_int_equal(matrix_kver_parse(c->kernel, &k), 0);
		if (matrix_golden_for_kernel(expected, tmp, "ref", "p/x.pcap",
					     &k, &edir, err, sizeof(err)))
			fail_msg("kernel %s: %s", c->kernel, err);
		assert_string_equal(edir, c->merged ? tmp : expected);
		n = read_nhoffs(edir, nhoff, frames);
		assert_int_equal(n, c->n);
		for (size_t j = 0; j < n; j++) {
			assert_int_equal(frames[j], j + 1);
			if (nhoff[j] != c->nhoff[j])
				fail_msg("kernel %s: frame %zu: nhoff %u, want %u",
					 c->kernel, j + 1, nhoff[j],
					 c->nhoff[j]);
		}
	}
}

static void test_matrix_golden_bad_override(void **state)
{
	char expected[256], path[512], err[512];
	struct matrix_kver k = { 5, 10 };
	const char *edir;

	(void)state;
	make_goldens(expected, sizeof(expected));
	snprintf(path, sizeof(path), "%s/ref/x@old.json", expected);
	test_write_file(path, "{}\n");
	assert_int_equal(matrix_golden_for_kernel(expected, test_scratch(),
						  "ref", "x.pcap", &k, &edir,
						  err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "x@old.json"));
	assert_non_null(strstr(err, "not a kernel range"));
	remove(path);

	/* a line longer than any fdtest writes: stopped there, not grown */
	snprintf(path, sizeof(path), "%s/ref/x@5.10.json", expected);
	{
		static char big[100000];

		memset(big, ' ', sizeof(big) - 2);
		big[sizeof(big) - 2] = '\n';
		test_write_file(path, big);
	}
	assert_int_equal(matrix_golden_for_kernel(expected, test_scratch(),
						  "ref", "x.pcap", &k, &edir,
						  err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "x@5.10.json': line 1: longer than 8192 bytes"));
	remove(path);
	/* a FIFO in an override's place is named, never opened */
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(matrix_golden_for_kernel(expected, test_scratch(),
						  "ref", "x.pcap", &k, &edir,
						  err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is a FIFO or pipe, not a golden file"));
	remove(path);

	/* an override with no golden under it */
	snprintf(path, sizeof(path), "%s/ref/lone@5.10.json", expected);
	test_write_file(path,
		   "{\"frame\":1,\"state\":\"vlanless\",\"in_flags\":0}\n");
	assert_int_equal(matrix_golden_for_kernel(expected, test_scratch(),
						  "ref", "lone.pcap", &k, &edir,
						  err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no golden"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_golden_ranges),
		cmocka_unit_test(test_matrix_golden_kver_parse),
		cmocka_unit_test(test_matrix_golden_min_kernel),
		cmocka_unit_test(test_matrix_golden_merge),
		cmocka_unit_test(test_matrix_golden_bad_override),
	};

	return cmocka_run_group_tests(tests, test_scratch_setup,
				      test_scratch_teardown);
}
