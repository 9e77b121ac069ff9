// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The matrix suite's verdict on a result, and the guest's suite lists
 * read whole or not at all (realloc is wrapped to fail on demand: the
 * Makefile links this test with --wrap=realloc).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "matrix/matrix_suite.h"
#include "test_util.h"

/* realloc calls from here on that succeed before one fails; -1: none */
static int realloc_budget = -1;

void *__real_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size)
{
	if (realloc_budget == 0)
		return NULL;
	if (realloc_budget > 0)
		realloc_budget--;
	return __real_realloc(p, size);
}

static void write_list(const char *name, int lines)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.list", test_scratch(), name);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < lines; i++)
		fprintf(f, "c%d.pcap\n\n", i);	/* blank lines are skipped */
	assert_int_equal(fclose(f), 0);
}

static void test_matrix_suite_list_read(void **state)
{
	char **paths, want[4096];
	size_t n;

	(void)state;
	write_list("pcaps", 5);
	assert_int_equal(matrix_suite_read_list(test_scratch(), "pcaps",
						&paths, &n), 0);
	assert_int_equal(n, 5);
	snprintf(want, sizeof(want), "%s/pcaps/c4.pcap", test_scratch());
	assert_string_equal(paths[4], want);
	matrix_suite_list_free(paths, n);
	assert_int_equal(matrix_suite_read_list(test_scratch(), "none",
						&paths, &n), -ENOENT);
}

/* Out of memory at any line: an error and no list, never a short one. */
static void test_matrix_suite_list_enomem(void **state)
{
	char **paths;
	size_t n;

	(void)state;
	write_list("dissectors", 5);
	for (int budget = 0; budget < 5; budget++) {
		realloc_budget = budget;
		assert_int_equal(matrix_suite_read_list(test_scratch(),
							"dissectors", &paths,
							&n), -ENOMEM);
		realloc_budget = -1;
		assert_null(paths);
		assert_int_equal(n, 0);
	}
}

#define FEATURES(ctx_states, attach_link) \
	"\"features\":{\"test_run\":1,\"ctx_flags\":1,\"ctx_states\":" \
	ctx_states ",\"raw_retval\":1,\"continue\":1,\"attach_prog\":1," \
	"\"attach_link\":" attach_link "}"
#define DISSECTOR(load, cases, passed, failed) \
	"{\"name\":\"d\",\"load\":\"" load "\",\"reason\":\"\"," \
	"\"min_kernel\":\"6.1\",\"cases\":" cases ",\"passed\":" passed \
	",\"failed\":" failed ",\"unchecked\":0,\"errors\":0}"

/* A row passes only on every case checked and matched, or a skip. */
static const struct {
	const char *name;
	const char *result;
	const char *why;	/* NULL: the row passes */
} verdicts[] = {
	{ "all-pass", "{" FEATURES("0", "1") ",\"dissectors\":["
	  DISSECTOR("loaded", "12", "12", "0") "]}", NULL },
	{ "skipped", "{" FEATURES("0", "0") ",\"dissectors\":["
	  DISSECTOR("skipped", "0", "0", "0") "]}", NULL },
	{ "none-checked", "{" FEATURES("0", "1") ",\"dissectors\":["
	  DISSECTOR("loaded", "288", "0", "0") "]}",
	  "dissector 'd': 288 of 288 cases unchecked" },
	{ "some-checked", "{" FEATURES("0", "1") ",\"dissectors\":["
	  DISSECTOR("loaded", "12", "11", "0") "]}",
	  "dissector 'd': 1 of 12 cases unchecked" },
	{ "no-case", "{" FEATURES("0", "1") ",\"dissectors\":["
	  DISSECTOR("loaded", "0", "0", "0") "]}",
	  "dissector 'd': no case ran" },
	{ "differs", "{" FEATURES("0", "1") ",\"dissectors\":["
	  DISSECTOR("loaded", "12", "10", "2") "]}",
	  "dissector 'd': 2 differ" },
	{ "rejected", "{" FEATURES("0", "1") ",\"dissectors\":["
	  DISSECTOR("rejected", "0", "0", "0") "]}",
	  "dissector 'd': rejected" },
	{ "probe-error", "{" FEATURES("-12", "1") ",\"dissectors\":["
	  DISSECTOR("loaded", "12", "12", "0") "]}",
	  "feature probe 'ctx_states': Cannot allocate memory" },
	{ "probe-eperm", "{" FEATURES("0", "-1") ",\"dissectors\":["
	  DISSECTOR("loaded", "12", "12", "0") "]}",
	  "feature probe 'attach_link': Operation not permitted" },
};

static void test_matrix_suite_verdicts(void **state)
{
	char why[512];

	(void)state;
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		json_error_t jerr;
		json_t *result = json_loads(verdicts[i].result, 0, &jerr);
		bool failed;

		if (!result)
			fail_msg("%s: %s", verdicts[i].name, jerr.text);
		failed = matrix_suite_why(result, why, sizeof(why));
		if (failed != !!verdicts[i].why ||
		    failed != matrix_suite_failed(result))
			fail_msg("%s: %s, want %s (%s)", verdicts[i].name,
				 failed ? "fails" : "passes",
				 verdicts[i].why ? "a failure" : "a pass",
				 why);
		if (verdicts[i].why && !strstr(why, verdicts[i].why))
			fail_msg("%s: why is '%s', want '%s'",
				 verdicts[i].name, why, verdicts[i].why);
		json_decref(result);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_suite_list_read),
		cmocka_unit_test(test_matrix_suite_list_enomem),
		cmocka_unit_test(test_matrix_suite_verdicts),
	};

	return cmocka_run_group_tests(tests, test_scratch_setup,
				      test_scratch_teardown);
}
