// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fdtest: global options, the command table, the exit code. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmds.h"
#include "cli/options.h"
#include "util/fdtest.h"
#include "util/log.h"

#ifndef FDTEST_VERSION
#define FDTEST_VERSION "0.1"
#endif

static int do_help(int argc, char **argv);

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd cmds[] = {
	{ "run", do_run, "replay captures through dissectors, check goldens" },
	{ "diff", do_diff, "compare two dissectors frame by frame, no goldens" },
	{ "gen", do_gen, "write a capture (and its expected keys) from text" },
	{ "matrix", do_matrix, "the suite in many kernels under qemu, as a table" },
	{ "fuzz", do_fuzz, "find a dissector's bugs with generated frames, no goldens" },
	{ "help", do_help, "show this help" },
	{ NULL, NULL, NULL },
};

struct main_opts {
	enum log_level level;
};

/* -v raises the level a step, -q lowers it to errors: the last wins. */
static int main_verbose(void *opts, const char *arg)
{
	struct main_opts *m = opts;

	(void)arg;
	m->level = m->level < LOG_DEBUG ? LOG_DEBUG : LOG_TRACE;
	return 0;
}

static int main_quiet(void *opts, const char *arg)
{
	(void)arg;
	((struct main_opts *)opts)->level = LOG_QUIET;
	return 0;
}

static int main_version(void *opts, const char *arg)
{
	(void)opts;
	(void)arg;
	printf("fdtest %s\n", FDTEST_VERSION);
	return 1;	/* said all: the options after it are not read */
}

static const struct option_row main_options[] = {
	{ "verbose", 'v', OPTION_FUNC,
	  .help = "say more on stderr; twice shows libbpf's debug output",
	  .parse = main_verbose },
	{ "quiet", 'q', OPTION_FUNC, .help = "errors only on stderr",
	  .parse = main_quiet },
	{ "version", 'V', OPTION_FUNC, .help = "print the version",
	  .parse = main_version },
	OPTION_HELP_ROW,
};

static void usage(FILE *out);

static const struct option_table main_table =
	OPTION_TABLE(NULL, main_options, usage);

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: fdtest [OPTIONS] COMMAND [ARGS]...\n"
		"\n"
		"A conformance harness for BPF flow dissectors.\n"
		"\n"
		"Commands:\n");
	for (const struct cmd *c = cmds; c->name; c++)
		fprintf(out, "  %-8s %s\n", c->name, c->help);
	fprintf(out, "\nOptions:\n");
	options_print(out, &main_table);
	fprintf(out,
		"\n'fdtest COMMAND --help' explains a command.\n"
		"Exit status: 0 pass, 1 a case failed, 2 bad usage or input,\n"
		"3 the machine refuses (privilege, verifier, kernel).\n");
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return FDTEST_EXIT_PASS;
}

/* Commands are spelled in full: scripts must not depend on prefixes. */
static const struct cmd *find_cmd(const char *name)
{
	for (const struct cmd *c = cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/*
 * What a command printed must have reached stdout: results lost on a
 * full disk or a closed pipe are a failure to run (exit 2), never a pass.
 */
static int stdout_close(int code)
{
	if (log_stdout_check())
		return FDTEST_EXIT_USAGE;
	if (fclose(stdout)) {
		p_err("writing to stdout: %s", strerror(errno));
		return FDTEST_EXIT_USAGE;
	}
	return code;
}

int main(int argc, char **argv)
{
	struct main_opts m = { .level = LOG_INFO };
	const struct cmd *cmd;
	int ret;

	ret = options_parse(&main_table, argc, argv, &m);
	if (ret > 0)
		return stdout_close(FDTEST_EXIT_PASS);
	if (ret)
		return FDTEST_EXIT_USAGE;
	log_set_level(m.level);
	log_setup_libbpf();
	if (optind >= argc) {
		usage(stderr);
		return FDTEST_EXIT_USAGE;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd) {
		p_err("unknown command '%s'; 'fdtest help' lists the commands",
		      argv[optind]);
		return FDTEST_EXIT_USAGE;
	}
	return stdout_close(cmd->fn(argc - optind, argv + optind));
}
