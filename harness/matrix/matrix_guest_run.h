/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fdtest matrix --guest-run ARGS: one "fdtest run ARGS" inside each
 * guest, beside the suite, for what only a guest kernel allows here (the
 * real path where the host refuses tracing). Its stdout and exit code go
 * into the row's result as "run": {"exit": N, "stdout": "..."}.
 */
#ifndef FDTEST_MATRIX_GUEST_RUN_H
#define FDTEST_MATRIX_GUEST_RUN_H

#include <jansson.h>

#define MATRIX_GUEST_RUN_FILE "run.args"	/* in the suite folder */

/* "fdtest run" itself, given by cli/ (which matrix/ may not include) */
typedef int matrix_run_fn(int argc, char **argv);

/*
 * Runs @run ("fdtest run") with the space-separated @args, its stdout
 * caught.
 * Returns a new object, or NULL without memory or a place to catch it.
 */
json_t *matrix_guest_run(const char *args, matrix_run_fn *run);

/* The args packed in the suite folder @dir, malloc'd; NULL: none. */
char *matrix_guest_run_args(const char *dir);

#endif /* FDTEST_MATRIX_GUEST_RUN_H */
