/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fdtest matrix --update --path real: the real path's goldens recorded in
 * each kernel, where tracing is allowed (in the guests, when the host
 * refuses it), written out as goldens and override files.
 *
 * Each row's suite result holds what its kernel gave under "goldens":
 * [{"dissector": D, "capture": "x.pcap", "text": "<the whole golden>"}].
 * For each dissector and capture, the first row that recorded one (the
 * host, then the kernels in the order given) gives the golden,
 *
 *   <expected>/<D>/real/<stem>.json
 *
 * and every later row the lines of its own that the golden lacks (a case
 * with other keys, or a case the golden has not) as the override of its
 * kernel's series, <stem>@MAJOR.MINOR.json (matrix_golden.h). A series
 * whose kernel agrees with the golden has its old override removed.
 * Everything is written together or nothing (util/atomic_file.h).
 */
#ifndef FDTEST_MATRIX_UPDATE_H
#define FDTEST_MATRIX_UPDATE_H

#include <stddef.h>
#include <stdio.h>

#include "matrix/matrix_guest.h"

struct matrix_update {
	const char *expected_dir;
	/* what may be written: the suite's dissector names and captures */
	const char *const *dissectors;	/* names ("reference", "kernel") */
	size_t n_dissectors;
	const char *const *captures;	/* paths; their file names count */
	size_t n_captures;
};

/*
 * Writes the goldens of @rows (@n, the host's first) as above, a line
 * per file written or removed on @out. Returns the number of goldens
 * written (0: no row recorded one), or a negative errno with a one-line
 * reason in @err: a row's golden is for no dissector or capture of the
 * suite, two rows of one series differ, a file cannot be written.
 */
int matrix_update_write(const struct matrix_update *u,
			const struct matrix_row *rows, size_t n, FILE *out,
			char *err, size_t err_size);

#endif /* FDTEST_MATRIX_UPDATE_H */
