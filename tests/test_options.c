// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Option tables: each row type fills its field, refuses with the message
 * the commands have always printed, and --help comes from the same rows
 * (the --format list from the reporter table).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/options.h"
#include "replay/replay.h"
#include "report/report.h"
#include "util/fdtest.h"

struct t_opts {
	bool on, off;
	const char *str, *dir, *format;
	struct option_list list;
	unsigned int u32;
	uint64_t u64;
	unsigned int states;
	struct replay_opts replay;
	int choice;
	int calls;
};

static const char *colour_name(size_t i, const char **note)
{
	static const char *const names[] = { "red", "green", "blue" };

	if (note)
		*note = i == 1 ? "the default" : NULL;
	return i < 3 ? names[i] : NULL;
}

static int count_call(void *opts, const char *arg)
{
	struct t_opts *o = opts;

	o->calls++;
	return arg && strcmp(arg, "stop") == 0 ? 7 : 0;
}

static int usage_calls;

static void t_usage(FILE *out)
{
	(void)out;
	usage_calls++;
}

#define T_FIELD(m) OPTION_FIELD(struct t_opts, m)

static const struct option_row t_rows[] = {
	{ "on", 'o', OPTION_TRUE, T_FIELD(on), NULL, "set on" },
	{ "off", 0, OPTION_FALSE, T_FIELD(off), NULL, "set off" },
	{ "str", 's', OPTION_STRING, T_FIELD(str), "S", "a string" },
	{ "dir", 0, OPTION_FOLDER, T_FIELD(dir), "DIR", "a folder",
	  .limit = "--dir: give a folder" },
	{ "item", 'i', OPTION_LIST, T_FIELD(list), "X", "repeat me",
	  .max = 3, .limit = "-i: at most 3 items" },
	{ "range", 0, OPTION_UINT, T_FIELD(u32), "N", "a range",
	  .min = 2, .max = 300, .num = OPTION_NUM_RANGE },
	{ "jobs", 'j', OPTION_UINT, T_FIELD(u32), "N", "from 0",
	  .min = 0, .max = 256, .num = OPTION_NUM_RANGE },
	{ "least", 0, OPTION_UINT, T_FIELD(u32), "N", "at least",
	  .min = 64, .max = 100000, .num = OPTION_NUM_AT_LEAST },
	{ "any", 0, OPTION_UINT, T_FIELD(u64), "N", "any",
	  .max = UINT64_MAX, .num = OPTION_NUM_ANY },
	{ "small", 0, OPTION_UINT, T_FIELD(u32), "N", "any, small",
	  .max = 256, .num = OPTION_NUM_ANY },
	{ "states", 0, OPTION_STATES, T_FIELD(states), "LIST", "states" },
	{ "flags", 0, OPTION_FLAG_SETS, T_FIELD(replay), "LIST", "flags" },
	{ "colour", 0, OPTION_CHOICE, T_FIELD(choice), "C", "one of %s",
	  .names = colour_name },
	{ "format", 0, OPTION_FORMAT, T_FIELD(format), "FMT",
	  "report format: %s (default: text)", .names = report_name_at },
	{ "call", 'c', OPTION_FUNC, T_FIELD(calls), "A", "a callback",
	  .parse = count_call },
	OPTION_HELP_ROW,
};

static const struct option_table t_table = OPTION_TABLE("t", t_rows, t_usage);

/* Parses @args with stderr in a file: what it printed is in err_buf. */
static char err_buf[4096];

static int parse_args(struct t_opts *o, const char *const *args)
{
	char *argv[32] = { "t" };
	int argc = 1, ret, saved;
	FILE *f = tmpfile();
	size_t n;

	assert_non_null(f);
	while (*args)
		argv[argc++] = (char *)*args++;
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	ret = options_parse(&t_table, argc, argv, o);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(err_buf, 1, sizeof(err_buf) - 1, f);
	err_buf[n] = '\0';
	fclose(f);
	return ret;
}

#define PARSE(o, ...) parse_args(o, (const char *const[]){ __VA_ARGS__, NULL })

static void test_options_fill_fields(void **state)
{
	struct t_opts o = { .off = true };

	(void)state;
	assert_int_equal(PARSE(&o, "-o", "--off", "-s", "x", "--dir", "d",
			       "-i", "a", "--item", "b", "--any", "0x10",
			       "--states", "pre-vlan,vlanless",
			       "--flags", "4,all,1", "--colour", "blue",
			       "--format", "junit", "-c", "y", "op"), 0);
	assert_true(o.on);
	assert_false(o.off);
	assert_string_equal(o.str, "x");
	assert_string_equal(o.dir, "d");
	assert_int_equal(o.list.n, 2);
	assert_string_equal(o.list.v[1], "b");
	assert_int_equal(o.u64, 16);
	assert_int_equal(o.states, (1u << FDTEST_STATE_PRE_VLAN) |
				   (1u << FDTEST_STATE_VLANLESS));
	/* ascending, once each: the golden order */
	assert_int_equal(o.replay.n_flags, 8);
	for (uint32_t f = 0; f < 8; f++)
		assert_int_equal(o.replay.flags[f], f);
	assert_int_equal(o.choice, 2);
	assert_string_equal(o.format, "junit");
	assert_int_equal(o.calls, 1);
	assert_int_equal(optind, 23);	/* "op", the first operand */
	assert_string_equal(err_buf, "");
}

static const struct {
	const char *args[4];
	const char *err;	/* what stderr says; NULL: accepted */
} refusals[] = {
	{ { "--range", "2" }, NULL },
	{ { "--range", "300" }, NULL },
	{ { "--range", "301" },
	  "Error: --range: '301' is not a whole number from 2 to 300\n" },
	{ { "--range", "-2" },
	  "Error: --range: '-2' is not a whole number from 2 to 300\n" },
	{ { "--range", "0x10" },
	  "Error: --range: '0x10' is not a whole number from 2 to 300\n" },
	{ { "--range", "1" },
	  "Error: --range: '1' is not a whole number from 2 to 300\n" },
	/* strtoull() reads "-0" as 0: a sign is refused on its own */
	{ { "-j", "-0" },
	  "Error: --jobs: '-0' is not a whole number from 0 to 256\n" },
	{ { "-j", "0" }, NULL },
	{ { "--least", "63" },
	  "Error: --least: '63' is not a number of at least 64\n" },
	{ { "--least", "100001" },
	  "Error: --least: '100001' is not a number of at least 64\n" },
	{ { "--least", "100000" }, NULL },
	{ { "--any", "ten" }, "Error: --any: 'ten' is not a number\n" },
	{ { "--any", "-1" }, "Error: --any: '-1' is not a number\n" },
	{ { "--any", "18446744073709551615" }, NULL },
	{ { "--any", "18446744073709551616" },
	  "Error: --any: '18446744073709551616' is not a number\n" },
	{ { "--small", "257" }, "Error: --small: at most 256\n" },
	{ { "--dir", "" }, "Error: --dir: give a folder\n" },
	{ { "-i", "a", "-i", "b" }, NULL },
	{ { "--colour", "pink" },
	  "Error: --colour: 'pink' is not red, green or blue\n" },
	{ { "--format", "xml" },
	  "Error: --format: 'xml' is not a format (text, json, junit)\n" },
	{ { "--states", "" },
	  "Error: --states: '' names no state: give vlanless, pre-vlan, post-vlan or all, comma-separated\n" },
	{ { "--flags", "x" },
	  "Error: --flags: 'x' is not a flag set (a number, or PARSE_1ST_FRAG, STOP_AT_FLOW_LABEL, STOP_AT_ENCAP joined by |, or all)\n" },
	{ { "--nosuch" },
	  "t: unrecognized option '--nosuch'\nTry 'fdtest t --help'.\n" },
};

static void test_options_refusals(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		struct t_opts o = { 0 };
		int ret = parse_args(&o, refusals[i].args);

		if (!refusals[i].err) {
			assert_int_equal(ret, 0);
			assert_string_equal(err_buf, "");
			continue;
		}
		assert_int_equal(ret, -EINVAL);
		assert_string_equal(err_buf, refusals[i].err);
	}
}

static void test_options_list_limit(void **state)
{
	struct t_opts o = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, "-i", "a", "-i", "b", "-i", "c", "-i", "d"),
			 -EINVAL);
	assert_string_equal(err_buf, "Error: -i: at most 3 items\n");
	/* operands added as if given: one limit, one message */
	o.list.n = 2;
	assert_int_equal(options_apply(&t_table, "item", &o, "z"), 0);
	assert_string_equal(o.list.v[2], "z");
	assert_int_equal(options_apply(&t_table, "item", &o, "y"), -EINVAL);
	assert_int_equal(options_apply(&t_table, "nosuch", &o, "y"), -ENOENT);
}

static void test_options_stop(void **state)
{
	struct t_opts o = { 0 };

	(void)state;
	usage_calls = 0;
	assert_int_equal(PARSE(&o, "-h", "--nosuch"), 1);
	assert_int_equal(usage_calls, 1);
	/* a callback that says all stops the parse with its value */
	assert_int_equal(PARSE(&o, "-c", "stop", "--nosuch"), 7);
	assert_int_equal(usage_calls, 1);
	assert_string_equal(err_buf, "");
}

static void test_options_help(void **state)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	(void)state;
	assert_non_null(f);
	options_print(f, &t_table);
	fclose(f);
	assert_non_null(strstr(text,
		"  -o, --on                  set on\n"
		"      --off                 set off\n"
		"  -s, --str S               a string\n"));
	/* the names of a choice, and the reporters with their notes */
	assert_non_null(strstr(text,
		"      --colour C            one of red, green (the default) or blue\n"));
	assert_non_null(strstr(text,
		"      --format FMT          report format: text, json (JSON Lines) or junit\n"
		"                            (default: text)\n"));
	assert_non_null(strstr(text, "  -h, --help                show this help\n"));
	free(text);
}

/* The one number reader under options, goldens and descriptions. */
static void test_options_number_reader(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(fdtest_parse_uint("4096", 10, 4096, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(fdtest_parse_uint("4097", 10, 4096, &v), -EINVAL);
	assert_int_equal(fdtest_parse_uint("0x10", 0, 16, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(fdtest_parse_uint("0x10", 10, 100, &v), -EINVAL);
	assert_int_equal(fdtest_parse_uint("010", 0, 100, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(fdtest_parse_uint("", 10, 100, &v), -EINVAL);
	assert_int_equal(fdtest_parse_uint("5 ", 10, 100, &v), -EINVAL);
	assert_int_equal(fdtest_parse_uint("99999999999999999999", 10,
					   UINT64_MAX, &v), -EINVAL);
	/* as strtoull(): a sign wraps, callers that mind refuse it first */
	assert_int_equal(fdtest_parse_uint("-1", 10, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(fdtest_parse_uint("-1", 10, 100, &v), -EINVAL);
}

/* Every reporter is a --format name, and only they are. */
static void test_options_report_names(void **state)
{
	const char *name, *note;
	size_t n = 0;

	(void)state;
	for (; (name = report_name_at(n, &note)); n++)
		assert_ptr_equal(report_find(name)->name, name);
	assert_int_equal(n, 3);
	assert_null(report_name_at(n, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_fill_fields),
		cmocka_unit_test(test_options_refusals),
		cmocka_unit_test(test_options_list_limit),
		cmocka_unit_test(test_options_stop),
		cmocka_unit_test(test_options_help),
		cmocka_unit_test(test_options_number_reader),
		cmocka_unit_test(test_options_report_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
