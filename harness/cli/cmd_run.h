/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Pieces of fdtest run that other commands take as they are, so that
 * the kernel probe means the same everywhere (--states and --flags are
 * option types of their own: options.h).
 */
#ifndef FDTEST_CMD_RUN_H
#define FDTEST_CMD_RUN_H

#include "replay/replay.h"
#include "run/testrun.h"

/* Probes the kernel; an enum fdtest_exit, the reason printed if not 0. */
int run_probe_kernel(struct testrun_kernel *kernel);

#endif /* FDTEST_CMD_RUN_H */
