// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The matrix as Markdown and JSON, from rows made by hand. */
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

#include "matrix/matrix_render.h"
#include "matrix/matrix_suite.h"

#define FEATURES_61 \
	"\"features\":{\"test_run\":1,\"ctx_flags\":1,\"ctx_states\":0," \
	"\"raw_retval\":1,\"continue\":1,\"attach_prog\":1," \
	"\"attach_link\":1}"
#define FEATURES_510 \
	"\"features\":{\"test_run\":1,\"ctx_flags\":1,\"ctx_states\":0," \
	"\"raw_retval\":0,\"continue\":0,\"attach_prog\":1," \
	"\"attach_link\":-1}"

static const char host_result[] =
	"{\"kernel\":\"6.18.0\"," FEATURES_61 ",\"dissectors\":["
	"{\"name\":\"reference\",\"load\":\"loaded\",\"reason\":\"\","
	"\"min_kernel\":\"\",\"cases\":12,\"passed\":12,\"failed\":0,"
	"\"unchecked\":0,\"errors\":0},"
	"{\"name\":\"tai\",\"load\":\"loaded\",\"reason\":\"\","
	"\"min_kernel\":\"6.1\",\"cases\":12,\"passed\":12,\"failed\":0,"
	"\"unchecked\":0,\"errors\":0}]}";

static const char old_result[] =
	"{\"kernel\":\"5.10.0-32-cloud-amd64\"," FEATURES_510 ",\"dissectors\":["
	"{\"name\":\"reference\",\"load\":\"loaded\",\"reason\":\"\","
	"\"min_kernel\":\"\",\"cases\":12,\"passed\":10,\"failed\":2,"
	"\"unchecked\":0,\"errors\":0},"
	"{\"name\":\"tai\",\"load\":\"skipped\","
	"\"reason\":\"invalid func unknown#208\",\"min_kernel\":\"6.1\","
	"\"cases\":0,\"passed\":0,\"failed\":0,\"unchecked\":0,\"errors\":0}"
	"]}";

static const char rejected_result[] =
	"{\"kernel\":\"6.1.0-50-cloud-amd64\"," FEATURES_61 ",\"dissectors\":["
	"{\"name\":\"tai\",\"load\":\"rejected\","
	"\"reason\":\"R1 | R2 invalid mem access 'scalar'\","
	"\"min_kernel\":\"6.1\",\"cases\":0,\"passed\":0,\"failed\":0,"
	"\"unchecked\":0,\"errors\":0}]}";

struct rows {
	struct matrix_row row[4];
	size_t n;
};

static void rows_make(struct rows *r)
{
	json_error_t jerr;

	memset(r, 0, sizeof(*r));
	snprintf(r->row[0].label, sizeof(r->row[0].label), "host");
	r->row[0].result = json_loads(host_result, 0, &jerr);
	r->row[0].seconds = 0.25;
	snprintf(r->row[1].label, sizeof(r->row[1].label), "k/5.10/vmlinuz");
	r->row[1].kernel = "k/5.10/vmlinuz";
	r->row[1].result = json_loads(old_result, 0, &jerr);
	r->row[1].failed = true;	/* reference failed 2 */
	r->row[1].seconds = 4.44;
	snprintf(r->row[1].guest_exit, sizeof(r->row[1].guest_exit),
		 "exit 1");
	snprintf(r->row[2].label, sizeof(r->row[2].label), "k/bad/vmlinuz");
	r->row[2].kernel = "k/bad/vmlinuz";
	r->row[2].failed = true;
	r->row[2].seconds = 3.0;
	snprintf(r->row[2].reason, sizeof(r->row[2].reason),
		 "Kernel panic - not syncing: VFS: Unable to mount root fs");
	r->row[2].console_tail = strdup("[ 2.9] Call Trace:\n[ 3.0] end");
	snprintf(r->row[3].label, sizeof(r->row[3].label), "k/6.1/vmlinuz");
	r->row[3].kernel = "k/6.1/vmlinuz";
	r->row[3].result = json_loads(rejected_result, 0, &jerr);
	r->row[3].failed = true;
	r->row[3].seconds = 5.0;
	r->row[3].boots = 2;
	snprintf(r->row[3].first_crash, sizeof(r->row[3].first_crash),
		 "Oops: general protection fault");
	r->n = 4;
	assert_non_null(r->row[0].result);
	assert_non_null(r->row[1].result);
	assert_non_null(r->row[3].result);
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		matrix_row_clear(&r->row[i]);
}

static char *render(int (*fn)(FILE *, const struct matrix_row *, size_t),
		    const struct rows *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(fn(f, r->row, r->n), 0);
	fclose(f);
	return text;
}

/* Each line the table must hold, whole. */
static const char *const markdown_lines[] = {
	"| kernel | boot to result | test_run | ctx_in flags | ctx_in states | retval | CONTINUE | netns PROG_ATTACH | netns link | reference | tai | row |\n",
	"|---|---|---|---|---|---|---|---|---|---|---|---|\n",
	"| 6.18.0 (host) | 0.2 s | yes | yes | no | raw | yes | yes | yes | pass 12/12 | pass 12/12 | pass |\n",
	"| 5.10.0-32-cloud-amd64 | 4.4 s | yes | yes | no | boolean | no | yes | error (Operation not permitted) | FAIL 2 of 12 | skipped, needs 6.1: invalid func unknown#208 | FAIL |\n",
	"| k/bad/vmlinuz | 3.0 s | - | - | - | - | - | - | - | - | - | FAIL |\n",
	"| 6.1.0-50-cloud-amd64 | 5.0 s (boot 2) | yes | yes | no | raw | yes | yes | yes | - | rejected: R1 \\| R2 invalid mem access 'scalar' | FAIL |\n",
	"\n6.1.0-50-cloud-amd64: booted 2 times; the kernel crashed first: Oops: general protection fault\n",
	"\nk/bad/vmlinuz (k/bad/vmlinuz): Kernel panic - not syncing: VFS: Unable to mount root fs\n\n```\n[ 2.9] Call Trace:\n[ 3.0] end\n```\n",
};

static void test_matrix_render_markdown(void **state)
{
	struct rows r;
	char *text;

	(void)state;
	rows_make(&r);
	text = render(matrix_render_markdown, &r);
	for (size_t i = 0; i < sizeof(markdown_lines) /
			       sizeof(markdown_lines[0]); i++)
		if (!strstr(text, markdown_lines[i]))
			fail_msg("markdown lacks line %zu:\n%s\n--- got:\n%s",
				 i, markdown_lines[i], text);
	/* the host's line starts the table body */
	assert_ptr_equal(strstr(text, markdown_lines[2]),
			 strchr(strstr(text, markdown_lines[1]), '\n') + 1);
	assert_int_equal(matrix_render_failed(r.row, r.n), 3);
	free(text);
	rows_free(&r);
}

/* A cell reads "pass" only when every case was checked and matched. */
static const struct {
	const char *name;
	const char *dissector;	/* the suite's entry */
	const char *cell;
} unchecked_cases[] = {
	{ "none-checked",
	  "\"cases\":288,\"passed\":0,\"failed\":0,\"unchecked\":288",
	  "| unchecked 288 of 288 |" },
	{ "some-checked",
	  "\"cases\":12,\"passed\":9,\"failed\":0,\"unchecked\":3",
	  "| unchecked 3 of 12, 9 pass |" },
	{ "no-case",
	  "\"cases\":0,\"passed\":0,\"failed\":0,\"unchecked\":0",
	  "| unchecked: no case ran |" },
	{ "all-checked",
	  "\"cases\":12,\"passed\":12,\"failed\":0,\"unchecked\":0",
	  "| pass 12/12 |" },
};

static void test_matrix_render_unchecked(void **state)
{
	char json[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(unchecked_cases) /
			       sizeof(unchecked_cases[0]); i++) {
		struct rows r = { .n = 1 };
		json_error_t jerr;
		char *text;

		snprintf(json, sizeof(json),
			 "{\"kernel\":\"6.1.0\"," FEATURES_61 ",\"dissectors\":["
			 "{\"name\":\"d\",\"load\":\"loaded\",\"reason\":\"\","
			 "\"min_kernel\":\"\",%s,\"errors\":0}]}",
			 unchecked_cases[i].dissector);
		r.row[0].result = json_loads(json, 0, &jerr);
		assert_non_null(r.row[0].result);
		text = render(matrix_render_markdown, &r);
		if (!strstr(text, unchecked_cases[i].cell))
			fail_msg("%s: no '%s' in:\n%s", unchecked_cases[i].name,
				 unchecked_cases[i].cell, text);
		free(text);
		rows_free(&r);
	}
}

static void test_matrix_render_json(void **state)
{
	struct rows r;
	json_error_t jerr;
	json_t *root, *rows, *row;
	char *text;

	(void)state;
	rows_make(&r);
	text = render(matrix_render_json, &r);
	root = json_loads(text, 0, &jerr);
	if (!root)
		fail_msg("not JSON: %s\n%s", jerr.text, text);
	assert_int_equal(json_integer_value(json_object_get(root, "failed")),
			 3);
	rows = json_object_get(root, "rows");
	assert_int_equal(json_array_size(rows), 4);

	row = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(row, "kernel")),
			    "6.18.0");
	assert_true(json_is_null(json_object_get(row, "image")));
	assert_string_equal(json_string_value(json_object_get(row, "status")),
			    "pass");
	assert_true(json_equal(json_object_get(row, "result"),
			       r.row[0].result));

	row = json_array_get(rows, 2);
	assert_string_equal(json_string_value(json_object_get(row, "image")),
			    "k/bad/vmlinuz");
	assert_string_equal(json_string_value(json_object_get(row, "status")),
			    "fail");
	assert_non_null(strstr(json_string_value(json_object_get(row,
						 "reason")), "Kernel panic"));
	assert_string_equal(json_string_value(json_object_get(row,
						"console_tail")),
			    r.row[2].console_tail);
	assert_true(json_is_null(json_object_get(row, "result")));
	assert_true(json_real_value(json_object_get(row, "seconds")) == 3.0);

	row = json_array_get(rows, 1);
	assert_string_equal(json_string_value(json_object_get(row,
						"guest_exit")), "exit 1");
	row = json_array_get(rows, 3);
	assert_int_equal(json_integer_value(json_object_get(row, "boots")), 2);
	assert_string_equal(json_string_value(json_object_get(row,
						"first_crash")),
			    "Oops: general protection fault");
	json_decref(root);
	free(text);
	rows_free(&r);
}

/*
 * A console holds any bytes (a guest's garbled output): the row is still
 * JSON, U+FFFD for each byte that is not UTF-8, not a row left out.
 */
static void test_matrix_render_json_not_utf8(void **state)
{
	struct rows r;
	json_error_t jerr;
	json_t *root, *row;
	char *text;

	(void)state;
	rows_make(&r);
	free(r.row[2].console_tail);
	r.row[2].console_tail = strdup("[ 3.0] \xff\xfe end");
	snprintf(r.row[3].first_crash, sizeof(r.row[3].first_crash),
		 "Oops: \xc0\x80");
	text = render(matrix_render_json, &r);
	root = json_loads(text, 0, &jerr);
	if (!root)
		fail_msg("not JSON: %s\n%s", jerr.text, text);
	assert_int_equal(json_array_size(json_object_get(root, "rows")), 4);
	row = json_array_get(json_object_get(root, "rows"), 2);
	assert_string_equal(json_string_value(json_object_get(row,
						"console_tail")),
			    "[ 3.0] \xef\xbf\xbd\xef\xbf\xbd end");
	row = json_array_get(json_object_get(root, "rows"), 3);
	assert_string_equal(json_string_value(json_object_get(row,
						"first_crash")),
			    "Oops: \xef\xbf\xbd\xef\xbf\xbd");
	json_decref(root);
	free(text);
	rows_free(&r);
}

/*
 * --path real: a second column per dissector, through both reporters;
 * the kernel's C dissector's classes under the Markdown table.
 */
#define REAL_LOADED \
	"\"load\":\"loaded\",\"reason\":\"\",\"min_kernel\":\"\"," \
	"\"cases\":33,\"passed\":33,\"failed\":0,\"unchecked\":0," \
	"\"errors\":0"

static const char real_result[] =
	"{\"kernel\":\"5.10.0-32-cloud-amd64\"," FEATURES_510 ","
	"\"dissectors\":[{\"name\":\"reference\"," REAL_LOADED ","
	"\"real\":{\"frames\":11,\"cases\":33,\"agree\":33,\"differ\":0,"
	"\"unseen\":0,\"lost\":0,\"triggers\":{\"tx\":11,\"rx-rps\":11,"
	"\"rx-untagged\":11,\"rx-quirk\":2},\"first\":\"\","
	"\"kernel\":{\"frames\":11,\"cases\":22,\"differ\":3,"
	"\"unseen\":0,\"classes\":{\"rx-rps n_proto\":{\"cases\":3,"
	"\"first\":\"mpls.pcap#1/rx-rps/flags=0x2\"}}},"
	"\"send_ns\":30000,\"testrun_ns\":4700}},"
	"{\"name\":\"eth0\"," REAL_LOADED ",\"real\":{\"frames\":11,"
	"\"cases\":33,\"agree\":31,\"differ\":2,\"unseen\":0,\"lost\":0,"
	"\"triggers\":{},\"first\":\"x\"}},"
	"{\"name\":\"old\"," REAL_LOADED ",\"real\":{\"refused\":"
	"\"Operation not permitted\"}}]}";

static const char *const real_lines[] = {
	" | reference | eth0 | old | reference real path | eth0 real path | old real path | row |\n",
	"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
	" | pass 33/33 | pass 33/33 | pass 33/33 | agree 33/33, 2 quirks; kernel differs on 3 of 22 | FAIL 2 of 33 | refused: Operation not permitted | FAIL |\n",
	"\n5.10.0-32-cloud-amd64: the kernel's C dissector against reference: 3 of 22 cases differ\n"
	"- rx-rps n_proto: 3 cases, first mpls.pcap#1/rx-rps/flags=0x2\n",
};

static void test_matrix_render_real(void **state)
{
	struct rows r = { .n = 1 };
	json_error_t jerr;
	json_t *root, *got;
	char *text;

	(void)state;
	r.row[0].kernel = "k/5.10/vmlinuz";
	r.row[0].failed = true;
	r.row[0].result = json_loads(real_result, 0, &jerr);
	if (!r.row[0].result)
		fail_msg("real_result: %s", jerr.text);
	text = render(matrix_render_markdown, &r);
	for (size_t i = 0; i < sizeof(real_lines) / sizeof(real_lines[0]);
	     i++)
		if (!strstr(text, real_lines[i]))
			fail_msg("markdown lacks line %zu:\n%s\n--- got:\n%s",
				 i, real_lines[i], text);
	free(text);
	text = render(matrix_render_json, &r);
	root = json_loads(text, 0, &jerr);
	if (!root)
		fail_msg("not JSON: %s\n%s", jerr.text, text);
	got = json_object_get(json_array_get(json_object_get(root, "rows"),
					     0), "result");
	assert_true(json_equal(got, r.row[0].result));
	json_decref(root);
	free(text);
	rows_free(&r);
}

/*
 * Real goldens: their counts in each real path column, and the kernel's
 * own dissector with a real path column only; a golden difference fails
 * the row, and so does a missing one (an unchecked case is no pass).
 */
static const char golden_result[] =
	"{\"kernel\":\"5.10.0-32-cloud-amd64\"," FEATURES_510 ","
	"\"dissectors\":[{\"name\":\"reference\"," REAL_LOADED ","
	"\"real\":{\"frames\":11,\"cases\":33,\"agree\":33,\"differ\":0,"
	"\"unseen\":0,\"lost\":0,\"triggers\":{},\"first\":\"\","
	"\"passed\":33,\"failed\":0,\"unchecked\":0,\"stale\":0,"
	"\"golden_first\":\"\"}},"
	"{\"name\":\"eth0\"," REAL_LOADED ",\"real\":{\"frames\":11,"
	"\"cases\":33,\"agree\":33,\"differ\":0,\"unseen\":0,\"lost\":0,"
	"\"triggers\":{},\"first\":\"\",\"passed\":3,\"failed\":0,"
	"\"unchecked\":30,\"stale\":0,\"golden_first\":\"\"}},"
	"{\"name\":\"kernel\",\"load\":\"builtin\",\"reason\":\"\","
	"\"min_kernel\":\"\",\"cases\":0,\"passed\":0,\"failed\":0,"
	"\"unchecked\":0,\"errors\":0,\"real\":{\"frames\":11,"
	"\"cases\":22,\"unseen\":0,\"passed\":20,\"failed\":2,"
	"\"unchecked\":0,\"stale\":0,\"golden_first\":"
	"\"vlan.pcap#6/rx-rps/flags=0x2: ret: golden \\\"BPF_OK\\\", real \\\"!BPF_OK\\\"\"}}]}";

static const char *const golden_lines[] = {
	" | reference | eth0 | reference real path | eth0 real path | kernel real path | row |\n",
	"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
	" | pass 33/33 | pass 33/33 | agree 33/33, pass 33/33 | agree 33/33, unchecked 30 of 33, 3 pass | FAIL 2 of 22 | FAIL |\n",
};

static void test_matrix_render_real_goldens(void **state)
{
	struct rows r = { .n = 1 };
	json_error_t jerr;
	json_t *kernel, *eth0;
	char *text, why[512];

	(void)state;
	r.row[0].kernel = "k/5.10/vmlinuz";
	r.row[0].failed = true;
	r.row[0].result = json_loads(golden_result, 0, &jerr);
	if (!r.row[0].result)
		fail_msg("golden_result: %s", jerr.text);
	/* every feature answered: the dissectors decide the row */
	json_object_set_new(json_object_get(r.row[0].result, "features"),
			    "attach_link", json_integer(1));
	text = render(matrix_render_markdown, &r);
	for (size_t i = 0; i < sizeof(golden_lines) / sizeof(golden_lines[0]);
	     i++)
		if (!strstr(text, golden_lines[i]))
			fail_msg("markdown lacks line %zu:\n%s\n--- got:\n%s",
				 i, golden_lines[i], text);
	free(text);
	assert_true(matrix_suite_why(r.row[0].result, why, sizeof(why)));
	assert_string_equal(why,
		"dissector 'eth0': real path: 30 of 33 cases unchecked (no real golden): record them with 'fdtest matrix --path real --update' (make goldens-real)");
	eth0 = json_object_get(json_array_get(json_object_get(
			r.row[0].result, "dissectors"), 1), "real");
	json_object_set_new(eth0, "unchecked", json_integer(0));
	json_object_set_new(eth0, "passed", json_integer(33));
	assert_true(matrix_suite_why(r.row[0].result, why, sizeof(why)));
	assert_string_equal(why,
		"dissector 'kernel': real path: 2 cases differ from their real golden, first: vlan.pcap#6/rx-rps/flags=0x2: ret: golden \"BPF_OK\", real \"!BPF_OK\"");
	/* every real case checked and the kernel's passing: the row passes */
	kernel = json_object_get(json_array_get(json_object_get(
			r.row[0].result, "dissectors"), 2), "real");
	json_object_set_new(kernel, "failed", json_integer(0));
	assert_false(matrix_suite_why(r.row[0].result, why, sizeof(why)));
	json_object_set_new(kernel, "stale", json_integer(1));
	assert_true(matrix_suite_why(r.row[0].result, why, sizeof(why)));
	rows_free(&r);
}

/* The formats come from the reporter table, by name. */
static void test_matrix_render_table(void **state)
{
	char buf[64];

	(void)state;
	assert_ptr_equal(matrix_render_find("markdown"), &matrix_markdown_ops);
	assert_ptr_equal(matrix_render_find("json"), &matrix_json_ops);
	assert_null(matrix_render_find("text"));
	assert_int_equal(matrix_render_formats(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "markdown, json");
	assert_int_equal(matrix_render_formats(buf, 8), -ENOSPC);
}

/* What a reporter's hooks saw, in order. */
static char seen[256];

static void seen_begin(struct matrix_report *r)
{
	snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen),
		 "begin %zu rows, columns", r->n_rows);
	for (size_t d = 0; d < r->n_dissectors; d++)
		snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen),
			 " %s", r->dissectors[d]);
	strcat(seen, ";");
}

static void seen_row(struct matrix_report *r, const struct matrix_row *row)
{
	snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen),
		 " row %td %s;", row - r->rows, matrix_render_kernel(row));
}

static void seen_end(struct matrix_report *r)
{
	strcat(seen, " end");
	r->err = -ENOSPC;
}

/*
 * Any reporter gets every row between begin and end, the dissector
 * columns known up front, and its error is the rendering's.
 */
static void test_matrix_render_hooks(void **state)
{
	static const struct matrix_reporter_ops seen_ops = {
		.name = "seen",
		.begin = seen_begin,
		.row = seen_row,
		.end = seen_end,
	};
	struct rows r;

	(void)state;
	rows_make(&r);
	seen[0] = '\0';
	assert_int_equal(matrix_render(&seen_ops, stdout, r.row, r.n),
			 -ENOSPC);
	assert_string_equal(seen,
		"begin 4 rows, columns reference tai;"
		" row 0 6.18.0; row 1 5.10.0-32-cloud-amd64;"
		" row 2 k/bad/vmlinuz; row 3 6.1.0-50-cloud-amd64; end");
	rows_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_render_markdown),
		cmocka_unit_test(test_matrix_render_unchecked),
		cmocka_unit_test(test_matrix_render_json),
		cmocka_unit_test(test_matrix_render_json_not_utf8),
		cmocka_unit_test(test_matrix_render_real),
		cmocka_unit_test(test_matrix_render_real_goldens),
		cmocka_unit_test(test_matrix_render_table),
		cmocka_unit_test(test_matrix_render_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
