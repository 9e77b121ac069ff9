// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Reports: what a format cannot write or encode is an error of the
 * report, which the caller turns into exit 2; no case is left out quietly.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/report.h"

/*
 * Failure injection: the Makefile links this suite with -Wl,--wrap for
 * these two calls.
 */
static bool fail_format;
static bool fail_memstream;

int __real_keys_json_format_result(char *buf, size_t size,
				   const struct case_id *id, uint32_t ret,
				   const struct bpf_flow_keys *keys);
int __wrap_keys_json_format_result(char *buf, size_t size,
				   const struct case_id *id, uint32_t ret,
				   const struct bpf_flow_keys *keys);
int __wrap_keys_json_format_result(char *buf, size_t size,
				   const struct case_id *id, uint32_t ret,
				   const struct bpf_flow_keys *keys)
{
	if (fail_format)
		return -ENOSPC;
	return __real_keys_json_format_result(buf, size, id, ret, keys);
}

FILE *__real_open_memstream(char **buf, size_t *size);
FILE *__wrap_open_memstream(char **buf, size_t *size);
FILE *__wrap_open_memstream(char **buf, size_t *size)
{
	if (fail_memstream) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_open_memstream(buf, size);
}

static const struct bpf_flow_keys keys;
static const struct case_result one_case = {
	.id = { .frame = 1, .state = FDTEST_STATE_VLANLESS },
	.keys = &keys,
	.verdict = CASE_PASS,
};
static const struct frame_result one_frame = {
	.index = 1, .n_flags = 1, .cases = &one_case, .n_cases = 1,
};
static const struct report_counts one_counts = {
	.frames = 1, .cases = 1, .passed = 1,
};
static const struct report_run run = { .expected_dir = "expected" };

/* One capture of one frame through @ops into @out; report_finish(). */
static int report_one(const struct reporter_ops *ops, FILE *out,
		      const char *dissector)
{
	struct report r = { .ops = ops, .out = out };
	struct report_capture cap = {
		.dissector = dissector, .capture = "c.pcap",
		.linktype = "EN10MB", .golden = "expected/d/c.json",
		.golden_found = true, .post_vlan_how = "strip-and-shift",
		.states = 1,
	};

	report_run_begin(&r, &run);
	report_capture_begin(&r, &cap);
	report_frame(&r, &one_frame);
	report_capture_end(&r, &one_counts);
	report_run_end(&r, &one_counts, 0);
	return report_finish(&r);
}

static void test_report_ok(void **state)
{
	const struct reporter_ops *ops[] = {
		&report_text_ops, &report_json_ops, &report_junit_ops,
	};
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		FILE *out = open_memstream(&buf, &len);

		assert_non_null(out);
		assert_int_equal(report_one(ops[i], out, "d"), 0);
		fclose(out);
		assert_true(len > 0);
		free(buf);
	}
}

/* A case whose line cannot be formatted is an error, not a gap. */
static void test_report_json_case_never_dropped(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	fail_format = true;
	assert_int_equal(report_one(&report_json_ops, out, "d"), -ENOSPC);
	fail_format = false;
	fclose(out);
	free(buf);
}

/* A name that is not UTF-8 is written with U+FFFD, not dropped. */
static void test_report_json_bad_name(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(report_one(&report_json_ops, out, "bad\xff"), 0);
	fclose(out);
	assert_non_null(strstr(buf, "\"dissector\":\"bad\xef\xbf\xbd\""));
	free(buf);
}

/* A stream that takes no more bytes: every format sees it at the end. */
static void test_report_full_stream(void **state)
{
	const struct reporter_ops *ops[] = {
		&report_text_ops, &report_json_ops, &report_junit_ops,
	};
	char small[32];

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		FILE *out = fmemopen(small, sizeof(small), "w");

		assert_non_null(out);
		print_message("%s\n", ops[i]->name);
		assert_true(report_one(ops[i], out, "d") < 0);
		fclose(out);
	}
}

/* JUnit keeps its testcases in memory: without memory, an error. */
static void test_report_junit_no_memory(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	out = open_memstream(&buf, &len);
	fail_memstream = true;
	assert_int_equal(report_one(&report_junit_ops, out, "d"), -ENOMEM);
	fail_memstream = false;
	fclose(out);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_ok),
		cmocka_unit_test(test_report_json_case_never_dropped),
		cmocka_unit_test(test_report_json_bad_name),
		cmocka_unit_test(test_report_full_stream),
		cmocka_unit_test(test_report_junit_no_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
