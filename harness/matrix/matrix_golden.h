/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Goldens across kernels. A real difference between kernels is written
 * once, beside the golden, as an override file
 *
 *   <expected>/<dissector>/<capture-stem>@<range>.json
 *
 * holding only the lines that differ (no header), in the golden's line
 * format; <range> is "LO-HI", "LO-", "-HI" or one "MAJOR.MINOR" series
 * (matrix_kver.h). For a kernel in the range, an override line replaces
 * the golden line of the same case (frame, state, input flags) or adds
 * one. Several matching files apply in name order, the later winning.
 */
#ifndef FDTEST_MATRIX_GOLDEN_H
#define FDTEST_MATRIX_GOLDEN_H

#include <stddef.h>

#include "matrix/matrix_kver.h"

/*
 * Makes the golden that holds for kernel @k: when an override applies,
 * writes the merged golden as <tmp_dir>/<dissector>/<stem>.json and sets
 * *@dir to @tmp_dir; otherwise sets *@dir to @expected_dir. Returns 0, or
 * a negative errno with a one-line reason naming the file in @err.
 */
int matrix_golden_for_kernel(const char *expected_dir, const char *tmp_dir,
			     const char *dissector, const char *capture,
			     const struct matrix_kver *k, const char **dir,
			     char *err, size_t err_size);

/*
 * The golden of @capture and its override files (all ranges), as paths
 * in name order. A missing folder gives none. 0 or a negative errno; free
 * with matrix_golden_files_free().
 */
int matrix_golden_files(const char *expected_dir, const char *dissector,
			const char *capture, char ***paths, size_t *n);
void matrix_golden_files_free(char **paths, size_t n);

#endif /* FDTEST_MATRIX_GOLDEN_H */
