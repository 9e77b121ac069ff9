/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fdtest matrix --guest-run ARGS: one fdtest command inside each guest,
 * beside the suite, for what only a guest kernel allows here (the real
 * path, -d kernel, where the host refuses tracing). ARGS is "run ..." or
 * "diff ..."; without a command word it is run's arguments. Its stdout
 * and exit code go into the row's result as
 * "run": {"command": "run", "exit": N, "stdout": "..."}.
 */
#ifndef FDTEST_MATRIX_GUEST_RUN_H
#define FDTEST_MATRIX_GUEST_RUN_H

#include <jansson.h>

#define MATRIX_GUEST_RUN_FILE "run.args"	/* in the suite folder */

/* A command itself, given by cli/ (which matrix/ may not include) */
typedef int matrix_run_fn(int argc, char **argv);

/* The commands a guest may run, by name; the first is the default. */
struct matrix_guest_cmd {
	const char *name;
	matrix_run_fn *fn;
};

/*
 * Runs the command of @cmds whose name is the first word of the
 * space-separated @args with the words after it (the first command, with
 * all the words, when the first word is no command's), its stdout caught.
 * Returns a new object, or NULL without memory or a place to catch it.
 */
json_t *matrix_guest_run(const char *args,
			 const struct matrix_guest_cmd *cmds, size_t n);

/* The args packed in the suite folder @dir, malloc'd; NULL: none. */
char *matrix_guest_run_args(const char *dir);

#endif /* FDTEST_MATRIX_GUEST_RUN_H */
