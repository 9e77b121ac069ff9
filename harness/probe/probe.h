/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the running kernel offers flow dissectors: one table of probes,
 * each a program of two instructions run or attached once. fdtest run
 * asks the rows it needs (run/testrun.c); fdtest matrix asks them all and
 * shows each as a column.
 *
 * An answer is 1 (yes), 0 (no: the kernel lacks it) or a negative errno
 * the probe met instead of an answer. Only the kernel's own "no such
 * thing" is a no: EINVAL or EOPNOTSUPP where the row says so. EPERM,
 * ENOMEM, EEXIST or a failed unshare are no answer: an error.
 */
#ifndef FDTEST_PROBE_H
#define FDTEST_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct probe {
	const char *name;	/* "raw_retval": JSON key, messages */
	const char *title;	/* its column in the matrix's table */
	const char *yes;	/* how 1 shows in that column ("yes", "raw") */
	const char *no;		/* how 0 shows ("no", "boolean") */
	bool run;		/* fdtest run needs it too */
	int (*probe)(void);	/* 1, 0 or a negative errno */
};

/*
 * The rows, in column order. The first is test_run: when it is not yes,
 * no other row is probed and each answers 0.
 */
extern const struct probe probes[];
extern const size_t probes_count;

#define PROBES_MAX 16

/* Each row's answer, in table order. */
struct probe_results {
	int answer[PROBES_MAX];
};

/*
 * Probes every row (@run_only: the rows fdtest run needs; the others
 * answer 0). Returns 0, or -EPERM when test_run was refused for want of
 * privilege; an error of one row is that row's answer.
 */
int probe_all(struct probe_results *res, bool run_only);

/* The answer of the row named @name; -ENOENT for no such row. */
int probe_answer(const struct probe_results *res, const char *name);

#endif /* FDTEST_PROBE_H */
