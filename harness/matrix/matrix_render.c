// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The matrix as Markdown or JSON (see matrix_render.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "matrix/matrix_probe.h"
#include "matrix/matrix_render.h"
#include "util/json_writer.h"

#define DISSECTORS_MAX 64
#define REASON_MAX 90		/* characters of a reason in a table cell */

/* Column titles, in matrix_feature_names order. */
static const char *const feature_titles[MATRIX_FEATURES] = {
	"test_run", "ctx_in flags", "ctx_in states", "retval", "CONTINUE",
	"netns PROG_ATTACH", "netns link",
};

size_t matrix_render_failed(const struct matrix_row *rows, size_t n)
{
	size_t failed = 0;

	for (size_t i = 0; i < n; i++)
		failed += rows[i].failed;
	return failed;
}

/* A table cell: no '|' or newline may break the row; long text is cut. */
static void put_cell(FILE *out, const char *text)
{
	size_t n = 0;

	fputs(" ", out);
	for (; *text && n < REASON_MAX; text++, n++) {
		if (*text == '|')
			fputs("\\|", out);
		else if (*text == '\n' || *text == '\r')
			fputc(' ', out);
		else
			fputc(*text, out);
	}
	if (*text)
		fputs("...", out);
	fputs(" |", out);
}

static const char *row_kernel(const struct matrix_row *row)
{
	const char *k = json_string_value(json_object_get(row->result,
							  "kernel"));

	return k ? k : row->label;
}

/* The dissectors named in any row, in order of first appearance. */
static size_t dissector_columns(const struct matrix_row *rows, size_t n,
				const char **names)
{
	size_t count = 0;

	for (size_t r = 0; r < n; r++) {
		const json_t *d;
		size_t i;

		json_array_foreach(json_object_get(rows[r].result,
						   "dissectors"), i, d) {
			const char *name = json_string_value(
				json_object_get(d, "name"));
			size_t k;

			if (!name)
				continue;
			for (k = 0; k < count; k++)
				if (strcmp(names[k], name) == 0)
					break;
			if (k == count && count < DISSECTORS_MAX)
				names[count++] = name;
		}
	}
	return count;
}

static const json_t *row_dissector(const struct matrix_row *row,
				   const char *name)
{
	const json_t *d;
	size_t i;

	json_array_foreach(json_object_get(row->result, "dissectors"), i, d) {
		const char *n = json_string_value(json_object_get(d, "name"));

		if (n && strcmp(n, name) == 0)
			return d;
	}
	return NULL;
}

static void feature_cell(FILE *out, const json_t *features, int i)
{
	const json_t *v = json_object_get(features, matrix_feature_names[i]);
	char buf[64];

	if (!json_is_integer(v)) {
		put_cell(out, "-");
		return;
	}
	if (json_integer_value(v) < 0) {
		snprintf(buf, sizeof(buf), "error (%s)",
			 strerror((int)-json_integer_value(v)));
		put_cell(out, buf);
	} else if (strcmp(matrix_feature_names[i], "raw_retval") == 0) {
		put_cell(out, json_integer_value(v) ? "raw" : "boolean");
	} else {
		put_cell(out, json_integer_value(v) ? "yes" : "no");
	}
}

static void dissector_cell(FILE *out, const json_t *d)
{
	const char *load = json_string_value(json_object_get(d, "load"));
	const char *reason = json_string_value(json_object_get(d, "reason"));
	const char *min = json_string_value(json_object_get(d, "min_kernel"));
	json_int_t cases = json_integer_value(json_object_get(d, "cases"));
	json_int_t passed = json_integer_value(json_object_get(d, "passed"));
	json_int_t failed = json_integer_value(json_object_get(d, "failed"));
	json_int_t errors = json_integer_value(json_object_get(d, "errors"));
	char buf[512];

	if (!d || !load) {
		put_cell(out, "-");
		return;
	}
	if (strcmp(load, "skipped") == 0)
		snprintf(buf, sizeof(buf), "skipped, needs %s: %s", min,
			 reason);
	else if (strcmp(load, "loaded") != 0)
		snprintf(buf, sizeof(buf), "%s: %s", load, reason);
	else if (errors)
		snprintf(buf, sizeof(buf), "FAIL, %lld error%s: %s",
			 (long long)errors, errors == 1 ? "" : "s", reason);
	else if (failed)
		snprintf(buf, sizeof(buf), "FAIL %lld of %lld",
			 (long long)failed, (long long)cases);
	else if (cases == 0)
		snprintf(buf, sizeof(buf), "unchecked: no case ran");
	/* "pass" only when every case met its golden */
	else if (passed == 0)
		snprintf(buf, sizeof(buf), "unchecked %lld of %lld",
			 (long long)cases, (long long)cases);
	else if (passed < cases)
		snprintf(buf, sizeof(buf), "unchecked %lld of %lld, %lld pass",
			 (long long)(cases - passed), (long long)cases,
			 (long long)passed);
	else
		snprintf(buf, sizeof(buf), "pass %lld/%lld",
			 (long long)passed, (long long)cases);
	put_cell(out, buf);
}

int matrix_render_markdown(FILE *out, const struct matrix_row *rows,
			   size_t n)
{
	const char *names[DISSECTORS_MAX];
	size_t n_dis = dissector_columns(rows, n, names);
	char buf[64], name[300];

	fputs("| kernel | boot to result |", out);
	for (int i = 0; i < MATRIX_FEATURES; i++)
		fprintf(out, " %s |", feature_titles[i]);
	for (size_t d = 0; d < n_dis; d++)
		fprintf(out, " %s |", names[d]);
	fputs(" row |\n|---|---|", out);
	for (size_t i = 0; i < MATRIX_FEATURES + n_dis; i++)
		fputs("---|", out);
	fputs("---|\n", out);
	for (size_t r = 0; r < n; r++) {
		const json_t *features = json_object_get(rows[r].result,
							 "features");

		fputs("|", out);
		if (rows[r].kernel) {
			put_cell(out, row_kernel(&rows[r]));
		} else {
			snprintf(name, sizeof(name), "%s (host)",
				 row_kernel(&rows[r]));
			put_cell(out, name);
		}
		if (rows[r].boots > 1)
			snprintf(buf, sizeof(buf), "%.1f s (boot %u)",
				 rows[r].seconds, rows[r].boots);
		else
			snprintf(buf, sizeof(buf), "%.1f s", rows[r].seconds);
		put_cell(out, buf);
		for (int i = 0; i < MATRIX_FEATURES; i++)
			feature_cell(out, features, i);
		for (size_t d = 0; d < n_dis; d++)
			dissector_cell(out, row_dissector(&rows[r], names[d]));
		put_cell(out, rows[r].failed ? "FAIL" : "pass");
		fputc('\n', out);
	}
	for (size_t r = 0; r < n; r++)
		if (rows[r].first_crash[0])
			fprintf(out, "\n%s: booted %u times; the kernel crashed first: %s\n",
				row_kernel(&rows[r]), rows[r].boots,
				rows[r].first_crash);
	for (size_t r = 0; r < n; r++) {
		if (!rows[r].failed || (!rows[r].reason[0] &&
					!rows[r].console_tail))
			continue;
		fprintf(out, "\n%s (%s): %s\n", row_kernel(&rows[r]),
			rows[r].label,
			rows[r].reason[0] ? rows[r].reason :
					    "a dissector failed");
		if (rows[r].console_tail)
			fprintf(out, "\n```\n%s\n```\n",
				rows[r].console_tail);
	}
	return ferror(out) ? -EIO : 0;
}

/* A string, or null for NULL (json_writer.h: a console holds any bytes). */
static void put_text(struct json_writer *w, const char *key, const char *s)
{
	jw_key(w, key);
	if (s)
		jw_string(w, s);
	else
		jw_null(w);
}

static void row_json(struct json_writer *w, const struct matrix_row *row)
{
	jw_begin_object(w);
	put_text(w, "kernel", row_kernel(row));
	put_text(w, "image", row->kernel);
	jw_key(w, "seconds");
	jw_real(w, row->seconds);
	jw_uint_field(w, "boots", row->boots);
	put_text(w, "first_crash", row->first_crash);
	jw_string_field(w, "status", row->failed ? "fail" : "pass");
	put_text(w, "reason", row->reason);
	put_text(w, "guest_exit", row->guest_exit);
	put_text(w, "console_tail", row->console_tail);
	/* the guest's result as read, members in its order */
	jw_key(w, "result");
	jw_jansson(w, row->result);
	jw_end_object(w);
}

/* 0, -EIO (a failed write) or -EINVAL (a result nested too deep). */
int matrix_render_json(FILE *out, const struct matrix_row *rows, size_t n)
{
	struct json_writer w;

	jw_init_file(&w, out, JW_PRETTY);
	jw_begin_object(&w);
	jw_key(&w, "rows");
	jw_begin_array(&w);
	for (size_t r = 0; r < n; r++)
		row_json(&w, &rows[r]);
	jw_end_array(&w);
	jw_uint_field(&w, "failed", matrix_render_failed(rows, n));
	jw_end_object(&w);
	jw_line(&w);
	return jw_finish(&w);
}
