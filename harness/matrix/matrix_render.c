// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The matrix as Markdown or JSON (see matrix_render.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "matrix/matrix_render.h"
#include "probe/probe.h"
#include "util/utf8.h"

#define DISSECTORS_MAX 64
#define REASON_MAX 90		/* characters of a reason in a table cell */

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

/* A probe's column (probe.h): its answer as the row shows it. */
static void feature_cell(FILE *out, const json_t *features,
			 const struct probe *p)
{
	const json_t *v = json_object_get(features, p->name);
	char buf[64];

	if (!json_is_integer(v)) {
		put_cell(out, "-");
		return;
	}
	if (json_integer_value(v) < 0) {
		snprintf(buf, sizeof(buf), "error (%s)",
			 strerror((int)-json_integer_value(v)));
		put_cell(out, buf);
	} else {
		put_cell(out, json_integer_value(v) ? p->yes : p->no);
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
	for (size_t i = 0; i < probes_count; i++)
		fprintf(out, " %s |", probes[i].title);
	for (size_t d = 0; d < n_dis; d++)
		fprintf(out, " %s |", names[d]);
	fputs(" row |\n|---|---|", out);
	for (size_t i = 0; i < probes_count + n_dis; i++)
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
		for (size_t i = 0; i < probes_count; i++)
			feature_cell(out, features, &probes[i]);
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

/* A JSON string, or null for NULL (utf8.h: a console holds any bytes). */
static json_t *text_json(const char *s)
{
	return s ? utf8_json_string(s) : json_null();
}

static json_t *row_json(const struct matrix_row *row)
{
	return json_pack("{s:o, s:o, s:f, s:i, s:o, s:s, s:o, s:o, s:o, "
			 "s:O?}", "kernel", text_json(row_kernel(row)),
			 "image", text_json(row->kernel),
			 "seconds", row->seconds, "boots", (int)row->boots,
			 "first_crash", text_json(row->first_crash),
			 "status", row->failed ? "fail" : "pass",
			 "reason", text_json(row->reason),
			 "guest_exit", text_json(row->guest_exit),
			 "console_tail", text_json(row->console_tail),
			 "result", row->result);
}

int matrix_render_json(FILE *out, const struct matrix_row *rows, size_t n)
{
	json_t *list = json_array();
	json_t *root;
	int ret = 0;

	for (size_t r = 0; list && r < n; r++)
		if (json_array_append_new(list, row_json(&rows[r])))
			ret = -ENOMEM;
	root = json_pack("{s:o, s:I}", "rows", list, "failed",
			 (json_int_t)matrix_render_failed(rows, n));
	if (!root || ret) {
		json_decref(root);
		return -ENOMEM;
	}
	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
		ret = -EIO;
	fputc('\n', out);
	json_decref(root);
	return ret;
}
