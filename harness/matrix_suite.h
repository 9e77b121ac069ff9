/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The matrix suite, run in one kernel (natively for the host row, inside
 * a guest for the others): the feature probes, then each dissector loaded
 * and replayed over each capture against the goldens (with the overrides
 * for this kernel). The result is one JSON object, the same wherever it
 * ran:
 *
 *   {"kernel":"6.1.0-50-cloud-amd64",
 *    "features":{"test_run":1,...,"attach_link":1},
 *    "dissectors":[{"name":"reference","load":"loaded","reason":"",
 *                   "min_kernel":"","cases":N,"passed":N,"failed":N,
 *                   "unchecked":N,"errors":N}, ...]}
 *
 * "load" is "loaded", "rejected" (a failure), "skipped" (rejected by a
 * kernel below the dissector's declared minimum) or "error" (the object
 * or a capture could not be used); "reason" then holds one line. A
 * feature is 1, 0, or a negative errno its probe met.
 */
#ifndef FDTEST_MATRIX_SUITE_H
#define FDTEST_MATRIX_SUITE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct matrix_suite {
	const char *const *dissectors;	/* object paths */
	size_t n_dissectors;
	const char *const *captures;
	size_t n_captures;
	const char *expected_dir;
	const char *tmp_dir;	/* merged goldens go here; must exist */
};

/*
 * Runs the suite in this kernel. Returns 0 with a new object in *@out,
 * -EPERM without privilege, or -ENOMEM.
 */
int matrix_suite_run(const struct matrix_suite *s, json_t **out);

/* Whether a suite result holds a failure (the row then fails). */
bool matrix_suite_failed(const json_t *result);

#endif /* FDTEST_MATRIX_SUITE_H */
