// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The matrix as one JSON object (see matrix_render.h). */
#include <errno.h>
#include <stdio.h>

#include <jansson.h>

#include "matrix/matrix_render.h"
#include "util/utf8.h"

/* A JSON string, or null for NULL (utf8.h: a console holds any bytes). */
static json_t *text_json(const char *s)
{
	return s ? utf8_json_string(s) : json_null();
}

static json_t *row_json(const struct matrix_row *row)
{
	return json_pack("{s:o, s:o, s:f, s:i, s:o, s:s, s:o, s:o, s:o, "
			 "s:O?}",
			 "kernel", text_json(matrix_render_kernel(row)),
			 "image", text_json(row->kernel),
			 "seconds", row->seconds, "boots", (int)row->boots,
			 "first_crash", text_json(row->first_crash),
			 "status", row->failed ? "fail" : "pass",
			 "reason", text_json(row->reason),
			 "guest_exit", text_json(row->guest_exit),
			 "console_tail", text_json(row->console_tail),
			 "result", row->result);
}

static int json_write(FILE *out, const struct matrix_row *rows, size_t n)
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

/* The object holds every row, so it is written whole at the end. */
static void json_end(struct matrix_report *r)
{
	r->err = json_write(r->out, r->rows, r->n_rows);
}

const struct matrix_reporter_ops matrix_json_ops = {
	.name = "json",
	.end = json_end,
};
