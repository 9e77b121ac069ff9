/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Option tables: one row per option says its names, the type of its
 * argument, the field of the command's options struct it fills, its
 * metavar and its help. getopt_long()'s tables, the parsing and the
 * --help lines all come from the rows, so they cannot drift apart.
 */
#ifndef FDTEST_OPTIONS_H
#define FDTEST_OPTIONS_H

#include <getopt.h>	/* optind, the first operand after options_parse() */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum option_type {
	OPTION_HELP,		/* print the usage and stop */
	OPTION_TRUE,		/* bool: true */
	OPTION_FALSE,		/* bool: false */
	OPTION_STRING,		/* const char *: the argument */
	OPTION_FOLDER,		/* const char *: the argument, "" refused */
	OPTION_LIST,		/* struct option_list: one more, repeatable */
	OPTION_UINT,		/* unsigned (4 or 8 bytes) in [min, max] */
	OPTION_STATES,		/* unsigned int: a bit per starting state */
	OPTION_FLAG_SETS,	/* struct replay_opts: flags and n_flags */
	OPTION_CHOICE,		/* an enum: the index of a name */
	OPTION_FORMAT,		/* const char *: one of the names, a format */
	OPTION_FUNC,		/* .parse() does it */
};

/*
 * How a number is read and refused. Each is what the commands said
 * before the table existed, kept because scripts and tests grep them.
 */
enum option_num {
	/* decimal: "'x' is not a whole number from MIN to MAX" */
	OPTION_NUM_RANGE,
	/* decimal: "'x' is not a number of at least MIN" */
	OPTION_NUM_AT_LEAST,
	/* 0x and 0 prefixes too: "'x' is not a number", "at most MAX" */
	OPTION_NUM_ANY,
};

/* Room for the longest repeatable option (-d of fdtest run: 64). */
#define OPTION_LIST_MAX 64

/* A repeatable option's arguments, in the order given. */
struct option_list {
	const char *v[OPTION_LIST_MAX];
	size_t n;
};

/*
 * The i-th name an OPTION_CHOICE or OPTION_FORMAT row accepts, NULL
 * past the last; *@note, if not NULL, is said beside it in --help.
 */
typedef const char *(*option_name_fn)(size_t i, const char **note);

struct option_row {
	const char *name;	/* long name */
	char key;		/* short letter, or 0 */
	enum option_type type;
	size_t offset;		/* of the target field: OPTION_FIELD() */
	size_t size;
	const char *metavar;	/* NULL: the option takes no argument */
	/* an OPTION_CHOICE or OPTION_FORMAT row's "%s" is its names */
	const char *help;
	/* by type */
	uint64_t min, max;	/* OPTION_UINT; OPTION_LIST: max only */
	enum option_num num;	/* OPTION_UINT */
	/* OPTION_FOLDER, OPTION_LIST: the message when refused */
	const char *limit;
	option_name_fn names;	/* OPTION_CHOICE, OPTION_FORMAT */
	/*
	 * OPTION_FUNC: @arg is NULL without a metavar; returns 0, > 0 to
	 * stop parsing (the option said all), or -EINVAL, message printed.
	 */
	int (*parse)(void *opts, const char *arg);
};

/* The target field of a row: member @m of the options struct @type. */
#define OPTION_FIELD(type, m) \
	.offset = offsetof(type, m), .size = sizeof(((type *)0)->m)

/* -h, --help: every table's last row */
#define OPTION_HELP_ROW \
	{ "help", 'h', OPTION_HELP, .help = "show this help" }

/* A number macro as a string, for a literal .limit: "at most 64" */
#define OPTION_STR(x) OPTION_STR_(x)
#define OPTION_STR_(x) #x

/* The rows of one command, and its usage for OPTION_HELP. */
struct option_table {
	const char *cmd;	/* "run"; NULL for fdtest's own options */
	const struct option_row *rows;
	size_t n;
	void (*usage)(FILE *out);
};

#define OPTION_TABLE(c, r, u) \
	{ .cmd = (c), .rows = (r), .n = sizeof(r) / sizeof((r)[0]), \
	  .usage = (u) }

/*
 * Parses the options of argv (argv[0] is the command word) into @opts,
 * stopping at the first operand, whose index optind then holds. Returns
 * 0, > 0 when an option said all (--help: the usage is printed), or
 * -EINVAL with the message printed.
 */
int options_parse(const struct option_table *t, int argc, char **argv,
		  void *opts);

/* Applies row @name to @arg as if given: operands that add to a list. */
int options_apply(const struct option_table *t, const char *name,
		  void *opts, const char *arg);

/* Prints "  -d, --dissector OBJ   help" lines, wrapped to 80 columns. */
void options_print(FILE *out, const struct option_table *t);

/*
 * Shared parsing, for the rows and for whoever reads the same words
 * elsewhere. --states LIST into a bit per state; --flags LIST into
 * @flags (room for @max, ascending, once each) and *@n. 0 or -EINVAL,
 * the message printed.
 */
int options_parse_states(const char *arg, unsigned int *states);
int options_parse_flag_sets(const char *arg, uint32_t *flags, size_t max,
			    size_t *n);

/*
 * --path of run and matrix: "test" (BPF_PROG_TEST_RUN only) or "real"
 * (the receive path too) into *@real; 0, or -EINVAL said.
 */
int options_parse_path(const char *arg, bool *real);

#endif /* FDTEST_OPTIONS_H */
