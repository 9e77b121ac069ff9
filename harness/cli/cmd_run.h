/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Pieces of fdtest run that other commands take as they are, so that
 * --states, --flags and the kernel probe mean the same everywhere.
 */
#ifndef FDTEST_CMD_RUN_H
#define FDTEST_CMD_RUN_H

#include "replay/replay.h"
#include "run/testrun.h"

/* --states LIST into a bit per state; 0 or -EINVAL (message printed). */
int run_parse_states(const char *arg, unsigned int *states);
/* --flags LIST into @o->flags, ascending; 0 or -EINVAL (message printed). */
int run_parse_flag_sets(const char *arg, struct replay_opts *o);
/* Probes the kernel; an enum fdtest_exit, the reason printed if not 0. */
int run_probe_kernel(struct testrun_kernel *kernel);

#endif /* FDTEST_CMD_RUN_H */
