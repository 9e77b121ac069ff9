// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest diff: two dissectors, frame by frame, no goldens. For reviewing
 * a change to a dissector: every frame of each capture goes through both
 * in each chosen starting state and input-flag set, and every case where
 * they disagree is printed with both values. Exit status as cmp(1): 0 the
 * same, 1 different, 2 bad usage or input, 3 the machine refuses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "check/compare.h"
#include "cli/cmd_diff_kernel.h"
#include "cli/cmd_run.h"
#include "cli/cmds.h"
#include "cli/options.h"
#include "report/diff_report.h"
#include "run/dissector.h"
#include "util/log.h"

struct diff_opts {
	struct option_list dissectors;	/* A and B */
	const char *prog;
	struct replay_opts replay;	/* states and flags only */
	char **captures;
	int n_captures;
};

/* Both dissectors, and what one frame needs, allocated once. */
struct diff_run {
	const struct diff_opts *opts;
	const struct testrun_kernel *kernel;
	struct dissector *dis[2];
	char label[2][160];	/* names as the lines show them */
	struct diff_report rep;
	struct frame_states shape;
	struct testrun_result res[2];
	struct diff diffs[COMPARE_DIFFS_MAX];
};

static const struct diff_opts diff_defaults = {
	.replay = {
		.states = FDTEST_STATES_ALL,
		.flags = { 0 },
		.n_flags = 1,
	},
};

#define DIFF_FIELD(m) OPTION_FIELD(struct diff_opts, m)

static const struct option_row diff_options[] = {
	{ "dissector", 'd', OPTION_LIST, DIFF_FIELD(dissectors), "OBJ",
	  "compiled BPF object (.bpf.o); give exactly two, the first is A, the second B. 'kernel' is the kernel's own C dissector, on the real path through lo (needs tracing: 'fdtest matrix --path real' runs it in a guest)",
	  .max = 2,
	  .limit = "-d: fdtest diff compares exactly two dissectors" },
	{ "prog", 0, OPTION_STRING, DIFF_FIELD(prog), "NAME",
	  "entry program of both, when fdtest cannot tell it" },
	{ "states", 0, OPTION_STATES, DIFF_FIELD(replay.states), "LIST",
	  "starting states to run, comma-separated: vlanless, pre-vlan, post-vlan, or all (default: all)" },
	{ "flags", 0, OPTION_FLAG_SETS, DIFF_FIELD(replay), "LIST",
	  "input-flag sets, as for fdtest run, or all for the 8 combinations (default: 0)" },
	OPTION_HELP_ROW,
};

static void diff_usage(FILE *out);

static const struct option_table diff_table =
	OPTION_TABLE("diff", diff_options, diff_usage);

static void diff_usage(FILE *out)
{
	fprintf(out,
		"Usage: fdtest diff -d A -d B [OPTIONS] CAPTURE...\n"
		"\n"
		"Feed every frame of each capture through two flow dissectors, in\n"
		"each starting state and input-flag set, and print every case where\n"
		"they disagree: the verdict, or (when both return BPF_OK) each key\n"
		"field, with both values. No goldens are read or written. Needs\n"
		"root (or CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON).\n"
		"\n"
		"Options:\n");
	options_print(out, &diff_table);
	fprintf(out,
		"\n"
		"Exit status:\n"
		"  0  the two dissectors agree on every case\n"
		"  1  they differ on at least one case\n"
		"  2  bad usage or bad input: unreadable capture or object\n"
		"  3  the machine refuses: no privilege, verifier rejection, kernel\n"
		"     without flow dissector programs\n");
}

static int diff_parse(int argc, char **argv, struct diff_opts *opts)
{
	int ret;

	*opts = diff_defaults;
	ret = options_parse(&diff_table, argc, argv, opts);
	if (ret)
		return ret;
	if (opts->dissectors.n != 2) {
		p_err("give two dissectors: fdtest diff -d A -d B CAPTURE... (see --help)");
		return -EINVAL;
	}
	opts->captures = argv + optind;
	opts->n_captures = argc - optind;
	if (opts->n_captures == 0) {
		p_err("no capture given: fdtest diff -d A -d B CAPTURE... (see --help)");
		return -EINVAL;
	}
	return 0;
}

/* Names in the lines; one object against itself is told apart as A and B. */
static void diff_labels(struct diff_run *dr)
{
	const char *a = dissector_name(dr->dis[0]);
	const char *b = dissector_name(dr->dis[1]);
	bool same = strcmp(a, b) == 0;

	snprintf(dr->label[0], sizeof(dr->label[0]), "%s%s", a,
		 same ? " (A)" : "");
	snprintf(dr->label[1], sizeof(dr->label[1]), "%s%s", b,
		 same ? " (B)" : "");
}

/* Every chosen state and flag set of one frame, through both. */
static int diff_frame(struct diff_run *dr, const char *capture,
		      const struct capture_frame *fr,
		      struct diff_counts *counts)
{
	const struct replay_opts *o = &dr->opts->replay;
	int ret;

	ret = frame_shape(fr->data, fr->len, dr->kernel->ctx_states,
			  &dr->shape);
	if (ret)
		return ret;
	if (dr->shape.state[FDTEST_STATE_PRE_VLAN].cut ||
	    dr->shape.state[FDTEST_STATE_VLANLESS].cut)
		counts->cut++;
	for (int s = 0; s < FDTEST_STATE_COUNT; s++) {
		if (!(o->states & (1u << s)))
			continue;
		for (size_t f = 0; f < o->n_flags; f++) {
			struct case_id id = {
				.frame = fr->index,
				.state = (enum fdtest_state)s,
				.in_flags = o->flags[f],
			};
			size_t n;

			for (int d = 0; d < 2; d++) {
				int fd = dissector_prog_fd(dr->dis[d]);

				ret = testrun_one(fd, dr->kernel,
						  &dr->shape.state[s],
						  o->flags[f], 1, &dr->res[d]);
				if (ret)
					return ret;
			}
			counts->cases++;
			n = compare_results(&dr->res[0], &dr->res[1],
					    dr->diffs, COMPARE_DIFFS_MAX);
			if (!n)
				continue;
			counts->differ++;
			diff_report_case(&dr->rep, &(struct diff_case){
					.capture = capture,
					.id = id,
					.diffs = dr->diffs,
					.n_diffs = n,
				});
		}
	}
	return 0;
}

/* One capture; 0, or a negative errno with the reason printed. */
static int diff_capture(struct diff_run *dr, const char *capture,
			struct diff_counts *total)
{
	struct diff_counts counts = { 0 };
	struct capture_frame fr;
	struct capture *cap;
	char why[512];
	int ret;

	ret = capture_open(capture, &cap, why, sizeof(why));
	if (ret) {
		p_err("capture '%s': %s", capture, why);
		return ret;
	}
	diff_report_capture_begin(&dr->rep, capture);
	for (;;) {
		ret = capture_next(cap, &fr, why, sizeof(why));
		if (ret == CAPTURE_END)
			break;
		if (ret < 0) {
			p_err("capture '%s': %s", capture, why);
			break;
		}
		counts.frames++;
		if (ret == CAPTURE_SKIP) {
			counts.skipped++;
			diff_report_frame_skipped(&dr->rep, capture, fr.index,
						  why);
			continue;
		}
		ret = diff_frame(dr, capture, &fr, &counts);
		if (ret) {
			p_err("capture '%s': frame %u: test run failed: %s",
			      capture, fr.index, strerror(-ret));
			break;
		}
	}
	capture_close(cap);
	if (ret < 0)
		return ret;
	if (!counts.frames)
		p_warn("capture '%s' has no frames: nothing was compared",
		       capture);
	diff_report_capture_end(&dr->rep, capture, &counts);
	total->frames += counts.frames;
	total->cases += counts.cases;
	total->differ += counts.differ;
	return 0;
}

static int diff_exec(const struct diff_opts *opts)
{
	struct diff_counts total = { 0 };
	struct testrun_kernel kernel;
	struct diff_run *dr;
	char err[512];
	int code, ret;

	code = run_probe_kernel(&kernel);
	if (code)
		return code;
	dr = calloc(1, sizeof(*dr));
	if (!dr)
		return FDTEST_EXIT_ENV;
	dr->opts = opts;
	dr->kernel = &kernel;
	dr->rep = (struct diff_report){
		.ops = diff_report_find("text"),
		.out = stdout,
		.label = { dr->label[0], dr->label[1] },
	};
	for (int d = 0; d < 2; d++) {
		ret = dissector_load(opts->dissectors.v[d], opts->prog,
				     &dr->dis[d], err, sizeof(err));
		if (ret) {
			p_err("dissector '%s': %s", opts->dissectors.v[d], err);
			code = dissector_err_is_env(ret) ? FDTEST_EXIT_ENV :
							   FDTEST_EXIT_USAGE;
			goto out_close;
		}
	}
	diff_labels(dr);
	diff_report_run_begin(&dr->rep);
	for (int i = 0; i < opts->n_captures; i++)
		if (diff_capture(dr, opts->captures[i], &total) &&
		    code == FDTEST_EXIT_PASS)
			code = FDTEST_EXIT_USAGE;
	if (code == FDTEST_EXIT_PASS && total.differ)
		code = FDTEST_EXIT_FAIL;
	/* the last line states the exit code: the lines before must be out */
	if (log_stdout_check())
		code = FDTEST_EXIT_USAGE;
	diff_report_run_end(&dr->rep, &total, code);
out_close:
	dissector_close(dr->dis[1]);
	dissector_close(dr->dis[0]);
	free(dr);
	return code;
}

int do_diff(int argc, char **argv)
{
	struct diff_opts opts;
	int ret = diff_parse(argc, argv, &opts);

	if (ret)
		return ret > 0 ? FDTEST_EXIT_PASS : FDTEST_EXIT_USAGE;
	if (diff_kernel_wanted(opts.dissectors.v))
		return diff_kernel_exec(opts.dissectors.v, opts.prog,
					opts.captures, opts.n_captures);
	return diff_exec(&opts);
}
