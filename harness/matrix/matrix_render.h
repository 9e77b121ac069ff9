/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The matrix out: a Markdown table for pull requests, or one JSON object.
 * Rows are rendered as given; nothing here runs anything.
 *
 * Markdown: one row per kernel, the boot-to-result time, one column per
 * feature and per dissector, and the row's verdict; below the table, the
 * kernels that crashed and were booted again, and each failed row's
 * reason and the tail of its console.
 *
 * JSON: {"rows":[{"kernel":..,"image":..,"seconds":..,"boots":N,
 *        "first_crash":..,"status":"pass",
 *        "reason":..,"guest_exit":..,"console_tail":..,"result":{..}}],
 *        "failed":N}
 */
#ifndef FDTEST_MATRIX_RENDER_H
#define FDTEST_MATRIX_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "matrix/matrix_guest.h"

int matrix_render_markdown(FILE *out, const struct matrix_row *rows,
			   size_t n);
int matrix_render_json(FILE *out, const struct matrix_row *rows, size_t n);

/* How many rows failed. */
size_t matrix_render_failed(const struct matrix_row *rows, size_t n);

#endif /* FDTEST_MATRIX_RENDER_H */
