// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Parsing and --help lines from one table of rows (see options.h). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "replay/replay.h"
#include "util/fdtest.h"
#include "util/log.h"

/* The most rows a table has (fdtest matrix: 16). */
#define OPTIONS_MAX 32
/* getopt_long()'s value for a row without a short letter */
#define OPTION_LONG_ONLY 256

int options_parse_states(const char *arg, unsigned int *states)
{
	char *copy = strdup(arg);
	char *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	*states = 0;
	for (char *w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		int s = strcmp(w, "all") == 0 ? -2 : fdtest_state_parse(w);

		if (s == -2) {
			*states = FDTEST_STATES_ALL;
		} else if (s < 0 || s >= FDTEST_STATE_COUNT) {
			/* the real states are --path real's, not test runs' */
			p_err("--states: unknown state '%s' (vlanless, pre-vlan, post-vlan, all)",
			      w);
			ret = -EINVAL;
			break;
		} else {
			*states |= 1u << s;
		}
	}
	free(copy);
	if (!ret && !*states) {
		p_err("--states: '%s' names no state: give vlanless, pre-vlan, post-vlan or all, comma-separated",
		      arg);
		ret = -EINVAL;
	}
	return ret;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Flag sets run in ascending order, once each: the golden order. */
int options_parse_flag_sets(const char *arg, uint32_t *flags, size_t max,
			    size_t *n_flags)
{
	char *copy = strdup(arg);
	char *save = NULL;
	uint32_t sets[64];
	size_t n = 0;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (char *w = strtok_r(copy, ",", &save); w && !ret;
	     w = strtok_r(NULL, ",", &save)) {
		if (strcmp(w, "all") == 0) {
			for (uint32_t f = 0; f <= FDTEST_FLAGS_KNOWN && n < 64; f++)
				sets[n++] = f;
			continue;
		}
		if (n >= 64 || fdtest_flags_parse(w, &sets[n])) {
			p_err("--flags: '%s' is not a flag set (a number, or PARSE_1ST_FRAG, STOP_AT_FLOW_LABEL, STOP_AT_ENCAP joined by |, or all)",
			      w);
			ret = -EINVAL;
			break;
		}
		n++;
	}
	free(copy);
	if (ret)
		return ret;
	if (!n) {
		p_err("--flags: '%s' names no flag set: give a number, PARSE_1ST_FRAG, STOP_AT_FLOW_LABEL, STOP_AT_ENCAP joined by |, or all, comma-separated",
		      arg);
		return -EINVAL;
	}
	qsort(sets, n, sizeof(sets[0]), cmp_u32);
	*n_flags = 0;
	for (size_t i = 0; i < n; i++) {
		if (*n_flags && flags[*n_flags - 1] == sets[i])
			continue;
		if (*n_flags == max) {
			p_err("--flags: at most %zu different flag sets", max);
			return -EINVAL;
		}
		flags[(*n_flags)++] = sets[i];
	}
	return 0;
}

/* A number as @r reads it, into its 4- or 8-byte field. */
static int parse_uint(const struct option_row *r, const char *arg,
		      void *field)
{
	uint64_t v = 0;
	bool bad = fdtest_parse_uint(arg, r->num == OPTION_NUM_ANY ? 0 : 10,
				     UINT64_MAX, &v) != 0;

	switch (r->num) {
	case OPTION_NUM_RANGE:
		if (bad || arg[0] == '-' || v < r->min || v > r->max) {
			p_err("--%s: '%s' is not a whole number from %llu to %llu",
			      r->name, arg, (unsigned long long)r->min,
			      (unsigned long long)r->max);
			return -EINVAL;
		}
		break;
	case OPTION_NUM_AT_LEAST:
		if (bad || v < r->min || v > r->max) {
			p_err("--%s: '%s' is not a number of at least %llu",
			      r->name, arg, (unsigned long long)r->min);
			return -EINVAL;
		}
		break;
	case OPTION_NUM_ANY:
		if (bad || arg[0] == '-') {
			p_err("--%s: '%s' is not a number", r->name, arg);
			return -EINVAL;
		}
		if (v > r->max) {
			p_err("--%s: at most %llu", r->name,
			      (unsigned long long)r->max);
			return -EINVAL;
		}
		break;
	}
	if (r->size == sizeof(uint64_t)) {
		uint64_t v64 = v;

		memcpy(field, &v64, sizeof(v64));
	} else {
		uint32_t v32 = (uint32_t)v;

		memcpy(field, &v32, sizeof(v32));
	}
	return 0;
}

/* Index of @arg among @r's names, or -1. */
static int find_name(const struct option_row *r, const char *arg)
{
	const char *name;

	for (size_t i = 0; (name = r->names(i, NULL)); i++)
		if (strcmp(name, arg) == 0)
			return (int)i;
	return -1;
}

/*
 * @r's names into @buf: "a, b, c", or with @last " or " before the last
 * and, with @notes, each one's note: "a, b (note) or c".
 */
static void join_names(const struct option_row *r, char *buf, size_t size,
		       const char *last, bool notes)
{
	const char *name, *note;
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; (name = r->names(i, &note)) && len < size; i++) {
		const char *sep = !i ? "" : r->names(i + 1, NULL) ? ", " :
				  last;

		len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s%s",
					sep, name, notes && note ? " (" : "",
					notes && note ? note : "",
					notes && note ? ")" : "");
	}
}

static int apply(const struct option_row *r, void *opts, const char *arg)
{
	char *field = (char *)opts + r->offset;
	char names[256];
	int i;

	switch (r->type) {
	case OPTION_HELP:
		return 1;	/* the caller prints the usage */
	case OPTION_TRUE:
	case OPTION_FALSE:
		*(bool *)field = r->type == OPTION_TRUE;
		return 0;
	case OPTION_FOLDER:
		/* "" would make every path under it start at / */
		if (!*arg) {
			p_err("%s", r->limit);
			return -EINVAL;
		}
		/* fall through */
	case OPTION_STRING:
		*(const char **)field = arg;
		return 0;
	case OPTION_LIST: {
		struct option_list *l = (struct option_list *)field;

		if (l->n == r->max || l->n == OPTION_LIST_MAX) {
			p_err("%s", r->limit);
			return -EINVAL;
		}
		l->v[l->n++] = arg;
		return 0;
	}
	case OPTION_UINT:
		return parse_uint(r, arg, field);
	case OPTION_STATES:
		return options_parse_states(arg, (unsigned int *)field);
	case OPTION_FLAG_SETS: {
		struct replay_opts *o = (struct replay_opts *)field;

		return options_parse_flag_sets(arg, o->flags, REPLAY_FLAGS_MAX,
					       &o->n_flags);
	}
	case OPTION_CHOICE:
		i = find_name(r, arg);
		if (i < 0) {
			join_names(r, names, sizeof(names), " or ", false);
			p_err("--%s: '%s' is not %s", r->name, arg, names);
			return -EINVAL;
		}
		*(int *)field = i;
		return 0;
	case OPTION_FORMAT:
		if (find_name(r, arg) < 0) {
			join_names(r, names, sizeof(names), ", ", false);
			p_err("--%s: '%s' is not a format (%s)", r->name, arg,
			      names);
			return -EINVAL;
		}
		*(const char **)field = arg;
		return 0;
	case OPTION_FUNC:
		return r->parse(opts, arg);
	}
	return -EINVAL;
}

/* Fills getopt_long()'s tables from the rows. */
static void build(const struct option_table *t, struct option *longopts,
		  char *shortopts)
{
	char *s = shortopts;

	*s++ = '+';	/* stop at the first operand: scripts can rely on it */
	for (size_t i = 0; i < t->n; i++) {
		const struct option_row *r = &t->rows[i];

		longopts[i].name = r->name;
		longopts[i].has_arg = r->metavar ? required_argument :
						   no_argument;
		longopts[i].flag = NULL;
		longopts[i].val = r->key ? r->key :
				  OPTION_LONG_ONLY + (int)i;
		if (r->key) {
			*s++ = r->key;
			if (r->metavar)
				*s++ = ':';
		}
	}
	memset(&longopts[t->n], 0, sizeof(longopts[t->n]));
	*s = '\0';
}

static const struct option_row *row_of(const struct option_table *t, int c)
{
	if (c >= OPTION_LONG_ONLY && (size_t)(c - OPTION_LONG_ONLY) < t->n)
		return &t->rows[c - OPTION_LONG_ONLY];
	for (size_t i = 0; c > 0 && c < OPTION_LONG_ONLY && i < t->n; i++)
		if (t->rows[i].key == c)
			return &t->rows[i];
	return NULL;
}

int options_parse(const struct option_table *t, int argc, char **argv,
		  void *opts)
{
	struct option longopts[OPTIONS_MAX + 1];
	char shortopts[3 * OPTIONS_MAX + 2];
	const struct option_row *r;
	int c, ret;

	if (t->n > OPTIONS_MAX)
		return -E2BIG;
	build(t, longopts, shortopts);
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		r = row_of(t, c);
		if (!r) {
			fprintf(stderr, "Try 'fdtest %s%s--help'.\n",
				t->cmd ? t->cmd : "", t->cmd ? " " : "");
			return -EINVAL;
		}
		ret = apply(r, opts, optarg);
		if (ret > 0 && r->type == OPTION_HELP)
			t->usage(stdout);
		if (ret)
			return ret;
	}
	return 0;
}

int options_apply(const struct option_table *t, const char *name,
		  void *opts, const char *arg)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].name, name) == 0)
			return apply(&t->rows[i], opts, arg);
	return -ENOENT;
}

#define HELP_COLUMN 28
#define LINE_WIDTH 80

/* Prints @text from column HELP_COLUMN, wrapping between words. */
static void print_wrapped(FILE *out, const char *text, int col)
{
	while (*text) {
		int room = LINE_WIDTH - HELP_COLUMN;
		int len = (int)strlen(text);
		int cut = len;

		if (col > HELP_COLUMN) {
			fprintf(out, "\n%*s", HELP_COLUMN, "");
		} else {
			fprintf(out, "%*s", HELP_COLUMN - col, "");
		}
		if (len > room) {
			cut = room;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = room;
		}
		fprintf(out, "%.*s", cut, text);
		text += cut;
		while (*text == ' ')
			text++;
		col = LINE_WIDTH;	/* the next piece starts a new line */
	}
	fputc('\n', out);
}

/* @r's help, its "%s" (a choice's only) replaced by the names. */
static const char *help_of(const struct option_row *r, char *buf,
			   size_t size)
{
	const char *at = strstr(r->help, "%s");
	char names[256];

	if (!at || (r->type != OPTION_CHOICE && r->type != OPTION_FORMAT))
		return r->help;
	join_names(r, names, sizeof(names), " or ", true);
	snprintf(buf, size, "%.*s%s%s", (int)(at - r->help), r->help, names,
		 at + 2);
	return buf;
}

void options_print(FILE *out, const struct option_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct option_row *r = &t->rows[i];
		char head[64], help[1024];
		int col;

		if (r->key)
			col = snprintf(head, sizeof(head), "  -%c, --%s%s%s",
				       r->key, r->name,
				       r->metavar ? " " : "",
				       r->metavar ? r->metavar : "");
		else
			col = snprintf(head, sizeof(head), "      --%s%s%s",
				       r->name,
				       r->metavar ? " " : "",
				       r->metavar ? r->metavar : "");
		fputs(head, out);
		if (col >= HELP_COLUMN) {
			fputc('\n', out);
			col = 0;
		}
		print_wrapped(out, help_of(r, help, sizeof(help)), col);
	}
}

int options_parse_path(const char *arg, bool *real)
{
	if (strcmp(arg, "test") && strcmp(arg, "real")) {
		p_err("--path: '%s' is not a path (test, real)", arg);
		return -EINVAL;
	}
	*real = strcmp(arg, "real") == 0;
	return 0;
}
