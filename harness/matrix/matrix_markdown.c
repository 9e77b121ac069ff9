// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The matrix as a Markdown table, for pull requests (see
 * matrix_render.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "matrix/matrix_render.h"
#include "matrix/matrix_suite.h"
#include "probe/probe.h"

#define REASON_MAX 90		/* characters of a reason in a table cell */

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

/* The kernel's own C dissector: a real path column only. */
static bool is_kernel_name(const char *name)
{
	return strcmp(name, "kernel") == 0;
}

static bool is_kernel(const json_t *d)
{
	const char *load = json_string_value(json_object_get(d, "load"));

	return load && strcmp(load, "builtin") == 0;
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
	struct matrix_dissector e;
	enum matrix_verdict v = matrix_dissector_judge(d, &e);
	char buf[512];

	if (!d || !e.load) {
		put_cell(out, "-");
		return;
	}
	switch (v) {
	case MATRIX_SKIPPED:
		snprintf(buf, sizeof(buf), "skipped, needs %s: %s",
			 e.min_kernel, e.reason);
		break;
	case MATRIX_NOT_LOADED:
		snprintf(buf, sizeof(buf), "%s: %s", e.load, e.reason);
		break;
	case MATRIX_BUILTIN:
		/* no test run: its column is the real path's */
		snprintf(buf, sizeof(buf), "-");
		break;
	case MATRIX_ERRORS:
		snprintf(buf, sizeof(buf), "FAIL, %lld error%s: %s", e.errors,
			 e.errors == 1 ? "" : "s", e.reason);
		break;
	case MATRIX_DIFFER:
		snprintf(buf, sizeof(buf), "FAIL %lld of %lld", e.failed,
			 e.cases);
		break;
	case MATRIX_NO_CASE:
		snprintf(buf, sizeof(buf), "unchecked: no case ran");
		break;
	case MATRIX_UNCHECKED:
		if (e.passed == 0)
			snprintf(buf, sizeof(buf), "unchecked %lld of %lld",
				 e.cases, e.cases);
		else
			snprintf(buf, sizeof(buf),
				 "unchecked %lld of %lld, %lld pass",
				 e.cases - e.passed, e.cases, e.passed);
		break;
	case MATRIX_PASS:
		/* "pass" only when every case met its golden */
		snprintf(buf, sizeof(buf), "pass %lld/%lld", e.passed,
			 e.cases);
		break;
	}
	put_cell(out, buf);
}

/* Whether any row ran the real path (fdtest matrix --path real). */
static bool any_real(const struct matrix_row *rows, size_t n)
{
	const json_t *d;
	size_t i;

	for (size_t r = 0; r < n; r++)
		json_array_foreach(json_object_get(rows[r].result,
						   "dissectors"), i, d)
			if (json_object_get(d, "real"))
				return true;
	return false;
}

/*
 * The real states against their goldens: ", pass N/N", ", unchecked U of
 * N", "; golden FAIL F of N", or ", recorded N"; the kernel's own column
 * has only this (@alone).
 */
static int golden_part(char *buf, size_t size, const json_t *r, bool alone)
{
	json_int_t cases = json_integer_value(json_object_get(r, "cases"));
	json_int_t passed = json_integer_value(json_object_get(r, "passed"));
	json_int_t failed = json_integer_value(json_object_get(r, "failed"));
	json_int_t stale = json_integer_value(json_object_get(r, "stale"));
	json_int_t unchecked = json_integer_value(json_object_get(r,
							"unchecked"));
	const char *sep = alone ? "" : ", ";

	if (json_object_get(r, "recorded"))
		return snprintf(buf, size, "%srecorded %lld", sep,
				(long long)json_integer_value(
					json_object_get(r, "recorded")));
	if (!json_object_get(r, "passed"))
		return 0;
	if (stale)
		return snprintf(buf, size, "%sFAIL: stale golden", sep);
	if (failed)
		return snprintf(buf, size, "%sFAIL %lld of %lld", sep,
				(long long)failed, (long long)cases);
	if (!cases)
		return snprintf(buf, size, "%sunchecked: no case ran", sep);
	if (unchecked && passed)
		return snprintf(buf, size, "%sunchecked %lld of %lld, %lld pass",
				sep, (long long)unchecked, (long long)cases,
				(long long)passed);
	if (unchecked)
		return snprintf(buf, size, "%sunchecked %lld of %lld", sep,
				(long long)unchecked, (long long)cases);
	return snprintf(buf, size, "%spass %lld/%lld", sep, (long long)passed,
			(long long)cases);
}

/* The kernel's C dissector's column: its goldens alone. */
static void kernel_real_cell(FILE *out, const json_t *r)
{
	const char *refused = json_string_value(json_object_get(r, "refused"));
	const char *err = json_string_value(json_object_get(r, "error"));
	char buf[512];

	if (refused || err) {
		snprintf(buf, sizeof(buf), "%s: %s", refused ? "refused" :
			 "error", refused ? refused : err);
		put_cell(out, buf);
		return;
	}
	if (golden_part(buf, sizeof(buf), r, true) <= 0)
		snprintf(buf, sizeof(buf), "-");
	put_cell(out, buf);
}

/* The real path against the test run and its goldens, the quirks seen. */
static void real_cell(FILE *out, const json_t *d)
{
	const json_t *r = json_object_get(d, "real");
	const char *refused = json_string_value(json_object_get(r, "refused"));
	const char *err = json_string_value(json_object_get(r, "error"));
	json_int_t cases = json_integer_value(json_object_get(r, "cases"));
	json_int_t agree = json_integer_value(json_object_get(r, "agree"));
	json_int_t differ = json_integer_value(json_object_get(r, "differ"));
	json_int_t frames = json_integer_value(json_object_get(r, "frames"));
	json_int_t unseen = json_integer_value(json_object_get(r, "unseen"));
	json_int_t quirks = json_integer_value(json_object_get(
		json_object_get(r, "triggers"), "rx-quirk"));
	const json_t *k;
	char buf[512];
	int len;

	if (!r) {
		put_cell(out, "-");
		return;
	}
	if (is_kernel(d)) {
		kernel_real_cell(out, r);
		return;
	}
	if (refused || err) {
		snprintf(buf, sizeof(buf), "%s: %s", refused ? "refused" :
			 "error", refused ? refused : err);
		put_cell(out, buf);
		return;
	}
	if (frames && unseen == frames)
		len = snprintf(buf, sizeof(buf), "FAIL: never ran");
	else if (differ)
		len = snprintf(buf, sizeof(buf), "FAIL %lld of %lld",
			       (long long)differ, (long long)cases);
	else
		len = snprintf(buf, sizeof(buf), "agree %lld/%lld",
			       (long long)agree, (long long)cases);
	if (len > 0 && (size_t)len < sizeof(buf))
		len += golden_part(buf + len, sizeof(buf) - (size_t)len, r,
				   false);
	if (quirks && len > 0 && (size_t)len < sizeof(buf))
		len += snprintf(buf + len, sizeof(buf) - (size_t)len,
				", %lld quirks", (long long)quirks);
	/* the kernel's C dissector against this one: listed below */
	k = json_object_get(r, "kernel");
	if (json_object_get(k, "cases") && len > 0 &&
	    (size_t)len < sizeof(buf))
		snprintf(buf + len, sizeof(buf) - (size_t)len,
			 "; kernel differs on %lld of %lld",
			 (long long)json_integer_value(json_object_get(k,
								"differ")),
			 (long long)json_integer_value(json_object_get(k,
								"cases")));
	put_cell(out, buf);
}

/*
 * Where each dissector departs from this kernel's C dissector: one line
 * per difference class (trigger and field), with a first case.
 */
static void kernel_classes(FILE *out, const struct matrix_row *row)
{
	const json_t *d, *cls;
	const char *key;
	size_t i;

	json_array_foreach(json_object_get(row->result, "dissectors"), i, d) {
		const json_t *k = json_object_get(json_object_get(d, "real"),
						  "kernel");
		const char *err = json_string_value(json_object_get(k,
								    "error"));

		if (!k)
			continue;
		fprintf(out, "\n%s: the kernel's C dissector against %s: ",
			matrix_render_kernel(row),
			json_string_value(json_object_get(d, "name")));
		if (err) {
			fprintf(out, "%s\n", err);
			continue;
		}
		fprintf(out, "%lld of %lld cases differ\n",
			(long long)json_integer_value(json_object_get(k,
								"differ")),
			(long long)json_integer_value(json_object_get(k,
								"cases")));
		json_object_foreach((json_t *)json_object_get(k, "classes"),
				    key, cls) {
			long long n = json_integer_value(json_object_get(cls,
								"cases"));

			fprintf(out, "- %s: %lld case%s, first %s\n", key, n,
				n == 1 ? "" : "s",
				json_string_value(json_object_get(cls,
								  "first")));
		}
	}
}

/* The header: a column per feature and per dissector. */
static void markdown_begin(struct matrix_report *r)
{
	bool real = any_real(r->rows, r->n_rows);
	size_t cols = probes_count + r->n_dissectors * (real ? 2 : 1);
	FILE *out = r->out;

	fputs("| kernel | boot to result |", out);
	for (size_t i = 0; i < probes_count; i++)
		fprintf(out, " %s |", probes[i].title);
	for (size_t d = 0; d < r->n_dissectors; d++) {
		if (real && is_kernel_name(r->dissectors[d]))
			cols--;
		else
			fprintf(out, " %s |", r->dissectors[d]);
	}
	for (size_t d = 0; real && d < r->n_dissectors; d++)
		fprintf(out, " %s real path |", r->dissectors[d]);
	fputs(" row |\n|---|---|", out);
	for (size_t i = 0; i < cols; i++)
		fputs("---|", out);
	fputs("---|\n", out);
}

static void markdown_row(struct matrix_report *r, const struct matrix_row *row)
{
	const json_t *features = json_object_get(row->result, "features");
	bool real = any_real(r->rows, r->n_rows);
	FILE *out = r->out;
	char buf[64], name[300];

	fputs("|", out);
	if (row->kernel) {
		put_cell(out, matrix_render_kernel(row));
	} else {
		snprintf(name, sizeof(name), "%s (host)",
			 matrix_render_kernel(row));
		put_cell(out, name);
	}
	if (row->boots > 1)
		snprintf(buf, sizeof(buf), "%.1f s (boot %u)", row->seconds,
			 row->boots);
	else
		snprintf(buf, sizeof(buf), "%.1f s", row->seconds);
	put_cell(out, buf);
	for (size_t i = 0; i < probes_count; i++)
		feature_cell(out, features, &probes[i]);
	for (size_t d = 0; d < r->n_dissectors; d++)
		if (!real || !is_kernel_name(r->dissectors[d]))
			dissector_cell(out, row_dissector(row,
							  r->dissectors[d]));
	for (size_t d = 0; real && d < r->n_dissectors; d++)
		real_cell(out, row_dissector(row, r->dissectors[d]));
	put_cell(out, row->failed ? "FAIL" : "pass");
	fputc('\n', out);
}

/* Below the table: the kernels booted again, and why rows failed. */
static void markdown_end(struct matrix_report *r)
{
	const struct matrix_row *rows = r->rows;
	FILE *out = r->out;

	for (size_t i = 0; any_real(rows, r->n_rows) && i < r->n_rows; i++)
		kernel_classes(out, &rows[i]);
	for (size_t i = 0; i < r->n_rows; i++)
		if (rows[i].first_crash[0])
			fprintf(out, "\n%s: booted %u times; the kernel crashed first: %s\n",
				matrix_render_kernel(&rows[i]), rows[i].boots,
				rows[i].first_crash);
	for (size_t i = 0; i < r->n_rows; i++) {
		if (!rows[i].failed || (!rows[i].reason[0] &&
					!rows[i].console_tail))
			continue;
		fprintf(out, "\n%s (%s): %s\n", matrix_render_kernel(&rows[i]),
			rows[i].label,
			rows[i].reason[0] ? rows[i].reason :
					    "a dissector failed");
		if (rows[i].console_tail)
			fprintf(out, "\n```\n%s\n```\n",
				rows[i].console_tail);
	}
	if (ferror(out))
		r->err = -EIO;
}

const struct matrix_reporter_ops matrix_markdown_ops = {
	.name = "markdown",
	.begin = markdown_begin,
	.row = markdown_row,
	.end = markdown_end,
};
