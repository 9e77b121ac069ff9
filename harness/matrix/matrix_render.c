// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The matrix reporters' table, and what they share (see matrix_render.h). */
#include <string.h>

#include <jansson.h>

#include "matrix/matrix_render.h"
#include "report/report.h"

static const struct matrix_reporter_ops *const matrix_reporters[] = {
	&matrix_markdown_ops,
	&matrix_json_ops,
};

#define N_MATRIX_REPORTERS \
	(sizeof(matrix_reporters) / sizeof(matrix_reporters[0]))

const struct matrix_reporter_ops *matrix_render_find(const char *name)
{
	for (size_t i = 0; i < N_MATRIX_REPORTERS; i++)
		if (strcmp(matrix_reporters[i]->name, name) == 0)
			return matrix_reporters[i];
	return NULL;
}

const char *matrix_render_name_at(size_t i)
{
	return i < N_MATRIX_REPORTERS ? matrix_reporters[i]->name : NULL;
}

int matrix_render_formats(char *buf, size_t size)
{
	const char *names[N_MATRIX_REPORTERS];

	for (size_t i = 0; i < N_MATRIX_REPORTERS; i++)
		names[i] = matrix_reporters[i]->name;
	return report_name_list(buf, size, names, N_MATRIX_REPORTERS);
}

size_t matrix_render_failed(const struct matrix_row *rows, size_t n)
{
	size_t failed = 0;

	for (size_t i = 0; i < n; i++)
		failed += rows[i].failed;
	return failed;
}

const char *matrix_render_kernel(const struct matrix_row *row)
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
			if (k == count && count < MATRIX_RENDER_DISSECTORS_MAX)
				names[count++] = name;
		}
	}
	return count;
}

int matrix_render(const struct matrix_reporter_ops *ops, FILE *out,
		  const struct matrix_row *rows, size_t n)
{
	struct matrix_report r = {
		.ops = ops,
		.out = out,
		.rows = rows,
		.n_rows = n,
	};

	r.n_dissectors = dissector_columns(rows, n, r.dissectors);
	if (ops->begin)
		ops->begin(&r);
	for (size_t i = 0; ops->row && i < n; i++)
		ops->row(&r, &rows[i]);
	if (ops->end)
		ops->end(&r);
	return r.err;
}

int matrix_render_markdown(FILE *out, const struct matrix_row *rows,
			   size_t n)
{
	return matrix_render(&matrix_markdown_ops, out, rows, n);
}

int matrix_render_json(FILE *out, const struct matrix_row *rows, size_t n)
{
	return matrix_render(&matrix_json_ops, out, rows, n);
}
