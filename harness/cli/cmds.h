/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The subcommands main.c dispatches to. Each takes the arguments after its
 * own name (argv[0] is the command word) and returns an enum fdtest_exit.
 */
#ifndef FDTEST_CMDS_H
#define FDTEST_CMDS_H

int do_run(int argc, char **argv);
int do_gen(int argc, char **argv);
int do_diff(int argc, char **argv);
int do_matrix(int argc, char **argv);
int do_fuzz(int argc, char **argv);

#endif /* FDTEST_CMDS_H */
