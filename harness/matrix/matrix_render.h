/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The matrix out. Rows are rendered as given; nothing here runs
 * anything. Each format is one struct matrix_reporter_ops in its own
 * file (matrix_<name>.c), picked by name from the table in
 * matrix_render.c:
 *
 * markdown: one row per kernel, the boot-to-result time, one column per
 * feature and per dissector, and the row's verdict; below the table, the
 * kernels that crashed and were booted again, and each failed row's
 * reason and the tail of its console.
 *
 * json: {"rows":[{"kernel":..,"image":..,"seconds":..,"boots":N,
 *        "first_crash":..,"status":"pass",
 *        "reason":..,"guest_exit":..,"console_tail":..,"result":{..}}],
 *        "failed":N}
 */
#ifndef FDTEST_MATRIX_RENDER_H
#define FDTEST_MATRIX_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "matrix/matrix_guest.h"

#define MATRIX_RENDER_DISSECTORS_MAX 64

/* One rendering of every row; the rows are all known before it starts. */
struct matrix_report {
	const struct matrix_reporter_ops *ops;
	FILE *out;
	const struct matrix_row *rows;
	size_t n_rows;
	/* the dissectors named in any row, in order of first appearance */
	const char *dissectors[MATRIX_RENDER_DISSECTORS_MAX];
	size_t n_dissectors;
	int err;		/* 0, or the first negative errno */
};

/* Hooks a format leaves NULL are not called. */
struct matrix_reporter_ops {
	const char *name;
	void (*begin)(struct matrix_report *r);
	void (*row)(struct matrix_report *r, const struct matrix_row *row);
	void (*end)(struct matrix_report *r);
};

extern const struct matrix_reporter_ops matrix_markdown_ops;
extern const struct matrix_reporter_ops matrix_json_ops;

/* The matrix reporter called @name, or NULL. */
const struct matrix_reporter_ops *matrix_render_find(const char *name);
/* The formats' names, "markdown, json": 0, or -ENOSPC. */
int matrix_render_formats(char *buf, size_t size);
/* The name of the @i-th format in table order, NULL past the last. */
const char *matrix_render_name_at(size_t i);

/* Renders @rows to @out as @ops says: 0, or a negative errno. */
int matrix_render(const struct matrix_reporter_ops *ops, FILE *out,
		  const struct matrix_row *rows, size_t n);
int matrix_render_markdown(FILE *out, const struct matrix_row *rows,
			   size_t n);
int matrix_render_json(FILE *out, const struct matrix_row *rows, size_t n);

/* How many rows failed. */
size_t matrix_render_failed(const struct matrix_row *rows, size_t n);
/* The row's kernel: its release as the guest said, else its label. */
const char *matrix_render_kernel(const struct matrix_row *row);

#endif /* FDTEST_MATRIX_RENDER_H */
