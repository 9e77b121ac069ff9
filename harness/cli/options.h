/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Option tables: one row per option gives getopt_long() its entry and
 * --help its line, so the two cannot drift apart.
 */
#ifndef FDTEST_OPTIONS_H
#define FDTEST_OPTIONS_H

#include <getopt.h>
#include <stdio.h>

struct option_row {
	const char *name;	/* long name */
	int key;		/* short letter, or a value above 255 */
	int has_arg;		/* no_argument / required_argument */
	const char *metavar;	/* "OBJ", or NULL */
	const char *help;
};

/*
 * Fills @longopts (room for @n + 1) and @shortopts (room for 3 * @n + 2)
 * from @rows; the caller passes both to getopt_long().
 */
void options_build(const struct option_row *rows, size_t n,
		   struct option *longopts, char *shortopts);

/* Prints "  -d, --dissector OBJ   help" lines, wrapped to 80 columns. */
void options_print(FILE *out, const struct option_row *rows, size_t n);

#endif /* FDTEST_OPTIONS_H */
