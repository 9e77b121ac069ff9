// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest matrix --update: the real goldens each kernel recorded become
 * the first kernel's golden and the others' overrides, all or nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "matrix/matrix_update.h"
#include "test_util.h"

#define HDR "{\"fdtest_golden\":1,\"capture\":\"vlan.pcap\"}"
#define L1 "{\"frame\":1,\"state\":\"rx-rps\",\"in_flags\":2,\"thoff\":34}"
#define L2 "{\"frame\":2,\"state\":\"rx-rps\",\"in_flags\":2,\"thoff\":38}"
#define L2X "{\"frame\":2,\"state\":\"rx-rps\",\"in_flags\":2,\"thoff\":14}"
#define L3 "{\"frame\":3,\"state\":\"rx-untagged\",\"in_flags\":0,\"thoff\":34}"
/* a kernel before 6.1 says only "not BPF_OK": BPF_DROP's golden holds */
#define L4 "{\"frame\":4,\"state\":\"rx-rps\",\"in_flags\":2,\"ret\":\"BPF_DROP\",\"thoff\":14}"
#define L4B "{\"frame\":4,\"state\":\"rx-rps\",\"in_flags\":2,\"ret\":\"!BPF_OK\",\"thoff\":14}"
#define L4C "{\"frame\":4,\"state\":\"rx-rps\",\"in_flags\":2,\"ret\":\"BPF_OK\",\"thoff\":14}"

static const char *const dissectors[] = { "reference", "kernel" };
static char expected[1024];	/* each test's own, in the scratch folder */

static void expected_make(const char *name)
{
	snprintf(expected, sizeof(expected), "%s/%s", test_scratch(), name);
	assert_int_equal(mkdir(expected, 0755), 0);
}
static const char *const captures[] = { "pcaps/vlan.pcap" };

/* A row as a kernel's suite gives it: @text NULL records nothing. */
static void row_make(struct matrix_row *r, const char *label,
		     const char *kernel, const char *dissector,
		     const char *text)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->label, sizeof(r->label), "%s", label);
	r->result = json_pack("{s:s}", "kernel", kernel);
	assert_non_null(r->result);
	if (text)
		assert_int_equal(json_object_set_new(r->result, "goldens",
				json_pack("[{s:s, s:s, s:s}]", "dissector",
					  dissector, "capture", "vlan.pcap",
					  "text", text)), 0);
}

static void rows_free(struct matrix_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		matrix_row_clear(&rows[i]);
}

static char *read_all(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int update(struct matrix_row *rows, size_t n, char *err,
		  size_t size)
{
	FILE *out = fopen("/dev/null", "w");
	int ret;

	assert_non_null(out);
	ret = matrix_update_write(&(struct matrix_update){
			.expected_dir = expected,
			.dissectors = dissectors,
			.n_dissectors = 2,
			.captures = captures,
			.n_captures = 1,
		}, rows, n, out, err, size);
	fclose(out);
	return ret;
}

static void path_of(char *buf, size_t size, const char *file)
{
	snprintf(buf, size, "%s/reference/real/%s", expected, file);
}

static void test_matrix_update_golden_and_overrides(void **state)
{
	struct matrix_row rows[4];
	char path[4096], err[512];

	(void)state;
	row_make(&rows[0], "host", "6.18.0", "reference", NULL);
	row_make(&rows[1], "6.1", "6.1.0-50-cloud-amd64", "reference",
		 HDR "\n" L1 "\n" L2 "\n" L4 "\n");
	row_make(&rows[2], "5.10", "5.10.0-32-cloud-amd64", "reference",
		 HDR "\n" L1 "\n" L2X "\n" L3 "\n" L4B "\n");
	row_make(&rows[3], "6.12", "6.12.117+deb13-cloud-amd64", "reference",
		 HDR "\n" L2 "\n" L1 "\n" L4 "\n");
	/* 6.12 once differed; it agrees now, so its override must go */
	expected_make("overrides");
	snprintf(path, sizeof(path), "%s/reference", expected);
	assert_int_equal(mkdir(path, 0755), 0);
	path_of(path, sizeof(path), "");
	assert_int_equal(mkdir(path, 0755), 0);
	path_of(path, sizeof(path), "vlan@6.12.json");
	test_write_file(path, L2X "\n");

	assert_int_equal(update(rows, 4, err, sizeof(err)), 1);
	path_of(path, sizeof(path), "vlan.json");
	assert_string_equal(read_all(path), HDR "\n" L1 "\n" L2 "\n" L4 "\n");
	path_of(path, sizeof(path), "vlan@5.10.json");
	assert_string_equal(read_all(path), L2X "\n" L3 "\n");
	path_of(path, sizeof(path), "vlan@6.12.json");
	assert_int_equal(access(path, F_OK), -1);
	path_of(path, sizeof(path), "vlan@6.1.json");
	assert_int_equal(access(path, F_OK), -1);
	rows_free(rows, 4);
}

/* Each refusal writes nothing at all. */
static void expect_refused(struct matrix_row *rows, size_t n, int want,
			   const char *says)
{
	char path[4096], err[512] = "";

	assert_int_equal(update(rows, n, err, sizeof(err)), want);
	if (!strstr(err, says))
		fail_msg("'%s' does not say '%s'", err, says);
	snprintf(path, sizeof(path), "%s/reference", expected);
	assert_int_equal(access(path, F_OK), -1);
	rows_free(rows, n);
}

static void test_matrix_update_refuses(void **state)
{
	struct matrix_row rows[3];

	(void)state;
	expected_make("refuses");
	row_make(&rows[0], "6.1", "6.1.0", "reference", HDR "\n" L1 "\n");
	row_make(&rows[1], "5.10", "5.10.0", "../escape", HDR "\n" L1 "\n");
	expect_refused(rows, 2, -EINVAL, "no dissector and capture");

	row_make(&rows[0], "6.1", "6.1.0", "reference", HDR "\n" L1 "\n");
	row_make(&rows[1], "5.10", "5.10.0", "mine", HDR "\n" L1 "\n");
	expect_refused(rows, 2, -EINVAL, "no dissector and capture");

	row_make(&rows[0], "6.1", "6.1.0", "reference", HDR "\n" L1 "\n");
	row_make(&rows[1], "5.10", "5.10.0", "reference",
		 "{\"other\":1}\n" L1 "\n");
	expect_refused(rows, 2, -EINVAL, "another header");

	row_make(&rows[0], "6.1", "6.1.0", "reference", HDR "\n" L1 "\n");
	row_make(&rows[1], "5.10 a", "5.10.0-1", "reference",
		 HDR "\n" L2 "\n");
	row_make(&rows[2], "5.10 b", "5.10.0-2", "reference",
		 HDR "\n" L3 "\n");
	expect_refused(rows, 3, -EEXIST, "written twice");
}

static void test_matrix_update_verdict_differs(void **state)
{
	struct matrix_row rows[2];
	char path[4096], err[512];

	(void)state;
	expected_make("verdict");
	row_make(&rows[0], "6.1", "6.1.0", "reference", HDR "\n" L4 "\n");
	row_make(&rows[1], "5.10", "5.10.0", "reference",
		 HDR "\n" L4C "\n");
	assert_int_equal(update(rows, 2, err, sizeof(err)), 1);
	path_of(path, sizeof(path), "vlan@5.10.json");
	assert_string_equal(read_all(path), L4C "\n");
	rows_free(rows, 2);
}

static void test_matrix_update_nothing_recorded(void **state)
{
	struct matrix_row rows[2];
	char err[512];

	(void)state;
	expected_make("nothing");
	row_make(&rows[0], "host", "6.18.0", "reference", NULL);
	row_make(&rows[1], "6.1", "6.1.0", "reference", NULL);
	assert_int_equal(update(rows, 2, err, sizeof(err)), 0);
	rows_free(rows, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_update_golden_and_overrides),
		cmocka_unit_test(test_matrix_update_refuses),
		cmocka_unit_test(test_matrix_update_verdict_differs),
		cmocka_unit_test(test_matrix_update_nothing_recorded),
	};

	return cmocka_run_group_tests(tests, test_scratch_setup,
				      test_scratch_teardown);
}
