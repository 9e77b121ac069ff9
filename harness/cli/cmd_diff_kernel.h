/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* fdtest diff with the kernel's own dissector on one side (-d kernel). */
#ifndef FDTEST_CMD_DIFF_KERNEL_H
#define FDTEST_CMD_DIFF_KERNEL_H

#include <stdbool.h>

/* Whether one of the two -d is "kernel". */
bool diff_kernel_wanted(const char *const dissectors[2]);

/* The whole command; an enum fdtest_exit, messages printed. */
int diff_kernel_exec(const char *const dissectors[2], const char *prog,
		     char *const *captures, int n_captures);

#endif /* FDTEST_CMD_DIFF_KERNEL_H */
