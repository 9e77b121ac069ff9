// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The matrix as one JSON object (see matrix_render.h). */
#include <errno.h>
#include <stdio.h>

#include <jansson.h>

#include "matrix/matrix_render.h"
#include "util/json_writer.h"

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
	put_text(w, "kernel", matrix_render_kernel(row));
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
static int json_write(FILE *out, const struct matrix_row *rows, size_t n)
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

/* The object holds every row, so it is written whole at the end. */
static void json_end(struct matrix_report *r)
{
	r->err = json_write(r->out, r->rows, r->n_rows);
}

const struct matrix_reporter_ops matrix_json_ops = {
	.name = "json",
	.end = json_end,
};
