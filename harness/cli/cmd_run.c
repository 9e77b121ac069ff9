// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest run: replay captures through dissectors against goldens.
 * Options are parsed into struct run_opts; run_exec() does the work, so
 * tests can call it with a filled struct.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "check/golden_path.h"
#include "check/kernel_dissector.h"
#include "check/real_golden.h"
#include "check/realpath_check.h"
#include "cli/cmd_run.h"
#include "cli/cmds.h"
#include "cli/options.h"
#include "replay/replay.h"
#include "run/dissector.h"
#include "util/atomic_file.h"
#include "util/exe_path.h"
#include "util/sha256.h"
#include "util/utf8.h"
#include "util/log.h"
#include "util/worker.h"

#define RUN_DISSECTORS_MAX 64
_Static_assert(RUN_DISSECTORS_MAX <= OPTION_LIST_MAX,
	       "an option_list holds them");

struct run_opts {
	struct option_list dissectors;
	const char *prog;
	const char *format;
	const char *output;	/* the --format report goes here, text to stdout */
	struct replay_opts replay;
	bool real_path;		/* --path real */
	struct realpath *real;
	char **captures;
	int n_captures;
	/*
	 * --update --path real: every golden of the run, the test runs'
	 * and the real states', committed together at the end
	 */
	struct atomic_file **goldens;
	size_t n_goldens;
	FILE *text_out;		/* where the text report goes, or NULL */
};

static const struct run_opts run_defaults = {
	.format = "text",
	.replay = {
		.states = FDTEST_STATES_ALL,
		.flags = { 0 },
		.n_flags = 1,
		.consistency = true,
		.expected_dir = "expected",
	},
};

#define RUN_FIELD(m) OPTION_FIELD(struct run_opts, m)

/* --path: test (BPF_PROG_TEST_RUN only) or real (the receive path too). */
static int run_parse_path(void *opts, const char *arg)
{
	struct run_opts *o = opts;

	return options_parse_path(arg, &o->real_path);
}

static const struct option_row run_options[] = {
	{ "dissector", 'd', OPTION_LIST, RUN_FIELD(dissectors), "OBJ",
	  "compiled BPF object (.bpf.o) to test; repeat for several; 'kernel' (--path real): the kernel's own. Default: every dissector built from dissectors/",
	  .max = RUN_DISSECTORS_MAX,
	  .limit = "-d: at most " OPTION_STR(RUN_DISSECTORS_MAX) " dissectors" },
	{ "prog", 0, OPTION_STRING, RUN_FIELD(prog), "NAME",
	  "entry program, when fdtest cannot tell it (default: the flow_dissector program that is not a tail-call target)" },
	{ "states", 0, OPTION_STATES, RUN_FIELD(replay.states), "LIST",
	  "starting states to run, comma-separated: vlanless, pre-vlan, post-vlan, or all (default: all)" },
	{ "flags", 0, OPTION_FLAG_SETS, RUN_FIELD(replay), "LIST",
	  "input-flag sets, comma-separated; each a number or names joined by | (PARSE_1ST_FRAG, STOP_AT_FLOW_LABEL, STOP_AT_ENCAP), or all for the 8 combinations (default: 0)" },
	{ "expected", 0, OPTION_FOLDER, RUN_FIELD(replay.expected_dir), "DIR",
	  "root of the golden files, read as DIR/<dissector>/<capture>.json (default: expected)",
	  .limit = "--expected: give a folder (an empty name would read and write goldens under /)" },
	{ "name", 0, OPTION_STRING, RUN_FIELD(replay.stdin_name), "NAME",
	  "the file name of the capture read from standard input ('-'), for its golden and its cases; without it, '-' is checked against no golden and --update refuses it" },
	{ "update", 0, OPTION_TRUE, RUN_FIELD(replay.update), NULL,
	  "record the goldens of this run's dissectors and captures instead of checking them (each file replaced whole)" },
	{ "require-golden", 0, OPTION_TRUE, RUN_FIELD(replay.require_golden),
	  NULL, "fail a case that has no golden line (default: report it as unchecked)" },
	{ "no-consistency", 0, OPTION_FALSE, RUN_FIELD(replay.consistency),
	  NULL, "skip the check that all states of a frame agree" },
	{ "format", 0, OPTION_FORMAT, RUN_FIELD(format), "FMT",
	  "report format: %s (default: text)", .names = report_name_at },
	{ "output", 0, OPTION_STRING, RUN_FIELD(output), "FILE",
	  "write the --format report to FILE (replaced whole when the run ends) and the text report to stdout" },
	{ "jobs", 'j', OPTION_UINT, RUN_FIELD(replay.jobs), "N",
	  "threads doing test runs (default: the number of online CPUs); the main thread reads, checks and reports beside them, in capture order, so output does not depend on N. 0 does everything on the main thread",
	  .min = 0, .max = WORKER_THREADS_MAX },
	{ "repeat", 0, OPTION_UINT, RUN_FIELD(replay.repeat), "N",
	  "timing: run each case N times in the kernel, report its mean ns per run and p50/p90/p99 per protocol class",
	  .min = 1, .max = UINT32_MAX },
	{ "max-ns", 0, OPTION_UINT, RUN_FIELD(replay.max_ns), "NS",
	  "with --repeat: fail when a protocol class's p99 ns per run is above NS",
	  .min = 1, .max = UINT32_MAX },
	{ "path", 0, OPTION_FUNC, RUN_FIELD(real_path), "PATH",
	  "test: BPF_PROG_TEST_RUN only (default); real: also send every frame through lo in a private network namespace with the dissector attached, and check the keys at each real trigger (tx, rx-rps, rx-untagged) against the test run and DIR/<dissector>/real/<capture>.json. Needs tracing programs: where the kernel refuses them, 'fdtest matrix --path real' runs it in a guest",
	  .parse = run_parse_path },
	OPTION_HELP_ROW,
};

static void run_usage(FILE *out);

static const struct option_table run_table =
	OPTION_TABLE("run", run_options, run_usage);

static void run_usage(FILE *out)
{
	fprintf(out,
		"Usage: fdtest run [OPTIONS] CAPTURE...\n"
		"\n"
		"Feed every frame of each capture (pcap or pcapng; '-' reads standard\n"
		"input, named by --name) through each flow dissector with\n"
		"BPF_PROG_TEST_RUN, in the vlanless, pre-vlan and post-vlan starting\n"
		"states and each input-flag set, and compare the keys with the\n"
		"goldens. Needs root (or CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON).\n"
		"\n"
		"Options:\n");
	options_print(out, &run_table);
	fprintf(out,
		"\n"
		"Exit status:\n"
		"  0  every checked case matched\n"
		"  1  a case differs from its golden or between states, a golden is\n"
		"     stale, (with --require-golden) a case has no golden, or (with\n"
		"     --max-ns) a protocol class is too slow\n"
		"  2  bad usage or bad input: unreadable capture or object, malformed\n"
		"     golden, a report or stdout that could not be written\n"
		"  3  the machine refuses: no privilege, verifier rejection, kernel\n"
		"     without flow dissector programs\n");
}

/*
 * Capture '-' is standard input, read once: named at most once, and its
 * golden name, if any, is a file name (--name).
 */
static int check_stdin(const struct run_opts *opts)
{
	const char *name = opts->replay.stdin_name;
	int n = 0;

	for (int i = 0; i < opts->n_captures; i++)
		n += strcmp(opts->captures[i], "-") == 0;
	if (n > 1) {
		p_err("capture '-' given %d times: standard input can be read once",
		      n);
		return -EINVAL;
	}
	if (name && !n) {
		p_err("--name names the capture read from standard input, and no capture is '-'");
		return -EINVAL;
	}
	if (name && (!*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
		     strcmp(name, "..") == 0)) {
		p_err("--name '%s': a capture's file name, without a folder",
		      name);
		return -EINVAL;
	}
	if (n && !name && opts->replay.update) {
		p_err("capture '-' has no golden name to record: give it one with --name NAME");
		return -EINVAL;
	}
	return 0;
}

static int run_parse(int argc, char **argv, struct run_opts *opts)
{
	int ret;

	*opts = run_defaults;
	opts->replay.jobs = worker_default_threads();
	ret = options_parse(&run_table, argc, argv, opts);
	if (ret)
		return ret;
	if (opts->replay.max_ns && !opts->replay.repeat) {
		p_err("--max-ns needs --repeat N: time is only measured then");
		return -EINVAL;
	}
	for (size_t i = 0; i < opts->dissectors.n; i++) {
		if (strcmp(opts->dissectors.v[i], KERNEL_DISSECTOR_NAME) ||
		    opts->real_path)
			continue;
		p_err("-d kernel: the kernel's own dissector runs only where the kernel runs it: -d kernel needs --path real");
		return -EINVAL;
	}
	opts->captures = argv + optind;
	opts->n_captures = argc - optind;
	if (opts->n_captures == 0) {
		p_err("no capture given: fdtest run [OPTIONS] CAPTURE... (see --help)");
		return -EINVAL;
	}
	return check_stdin(opts);
}

/*
 * Without -d: the dissectors built beside the fdtest binary
 * (build/dissectors/) or installed with it (lib/fdtest/).
 */
static int find_default_dissectors(glob_t *found)
{
	static const char *const places[] = {
		"%s/dissectors/*.bpf.o",
		"%s/../lib/fdtest/*.bpf.o",
	};
	char exe[PATH_MAX], pattern[PATH_MAX + 32];
	int ret = exe_path_dir(exe, sizeof(exe));

	if (ret)
		return ret;
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		snprintf(pattern, sizeof(pattern), places[i], exe);
		if (glob(pattern, 0, NULL, found) == 0)
			return 0;
		globfree(found);
	}
	p_err("no dissectors found beside %s/fdtest: build them with 'make', or name one with -d OBJ",
	      exe);
	return -ENOENT;
}

/* Two captures with one file name but for .pcap/.pcapng share a golden. */
static bool same_stem(const char *a, const char *b)
{
	char ga[PATH_MAX], gb[PATH_MAX];

	return golden_path(ga, sizeof(ga), ".", "d", a) == 0 &&
	       golden_path(gb, sizeof(gb), ".", "d", b) == 0 &&
	       strcmp(ga, gb) == 0;
}

/* --output must be none of the run's captures, objects and goldens. */
static int check_output(const struct run_opts *opts, const char *golden)
{
	const char *out = opts->output;

	if (golden && atomic_file_same(out, golden)) {
		p_err("--output '%s' is the golden '%s' of this run: the report would replace it; write the report elsewhere",
		      out, golden);
		return -EINVAL;
	}
	return 0;
}

/* The name capture @c's golden is found by: '-' is named by --name. */
static const char *golden_capture_name(const struct run_opts *opts, int c)
{
	const char *cap = opts->captures[c];

	if (strcmp(cap, "-") == 0 && opts->replay.stdin_name)
		return opts->replay.stdin_name;
	return cap;
}

static int check_inputs(const struct run_opts *opts)
{
	const char *out = opts->output;

	for (int c = 0; out && c < opts->n_captures; c++) {
		if (atomic_file_same(out, opts->captures[c])) {
			p_err("--output '%s' is the capture '%s' of this run: the report would replace it; write the report elsewhere",
			      out, opts->captures[c]);
			return -EINVAL;
		}
	}
	for (size_t d = 0; out && d < opts->dissectors.n; d++) {
		if (atomic_file_same(out, opts->dissectors.v[d])) {
			p_err("--output '%s' is the dissector '%s' of this run: the report would replace it; write the report elsewhere",
			      out, opts->dissectors.v[d]);
			return -EINVAL;
		}
	}
	for (int i = 0; i < opts->n_captures; i++) {
		for (int j = 0; j < i; j++) {
			const char *a = golden_capture_name(opts, j);
			const char *b = golden_capture_name(opts, i);

			if (!same_stem(a, b) || atomic_file_same(a, b))
				continue;
			p_err("captures '%s' and '%s' would share one golden (its name is the file name without .pcap or .pcapng): rename one, or run them apart",
			      a, b);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Before anything is loaded or written: every golden path stays inside
 * --expected, no two captures or dissectors share a golden, and --output
 * is none of the run's inputs or goldens.
 */
static int run_check_paths(const struct run_opts *opts)
{
	char names[RUN_DISSECTORS_MAX][256];
	char golden[PATH_MAX], why[PATH_MAX + 256];
	int ret = check_inputs(opts);

	for (size_t d = 0; !ret && d < opts->dissectors.n; d++) {
		const char *obj = opts->dissectors.v[d];

		dissector_name_of(obj, names[d], sizeof(names[d]));
		for (size_t e = 0; e < d; e++) {
			if (strcmp(names[d], names[e]) ||
			    atomic_file_same(obj, opts->dissectors.v[e]))
				continue;
			p_err("dissectors '%s' and '%s' are both named '%s': their goldens would be one file; rename one",
			      opts->dissectors.v[e], obj, names[d]);
			return -EINVAL;
		}
		for (int c = 0; !ret && c < opts->n_captures; c++) {
			const char *cap = golden_capture_name(opts, c);

			ret = golden_path_check(opts->replay.expected_dir,
						names[d], cap, why,
						sizeof(why));
			if (ret) {
				p_err("dissector '%s', capture '%s': %s", obj,
				      cap, why);
				break;
			}
			ret = golden_path(golden, sizeof(golden),
					  opts->replay.expected_dir,
					  names[d], cap);
			if (ret)
				p_err("dissector '%s', capture '%s': golden path: %s",
				      obj, cap, strerror(-ret));
			else if (opts->output)
				ret = check_output(opts, golden);
			/* the real golden too, which --update replaces */
			if (!ret && opts->real_path && opts->output &&
			    golden_path_real(golden, sizeof(golden),
					     opts->replay.expected_dir,
					     names[d], cap) == 0)
				ret = check_output(opts, golden);
		}
	}
	return ret;
}

/* The first error decides the exit code; failures only count. */
static void note_exit(int *code, int err)
{
	if (*code == FDTEST_EXIT_PASS || *code == FDTEST_EXIT_FAIL)
		*code = dissector_err_is_env(err) ? FDTEST_EXIT_ENV :
						    FDTEST_EXIT_USAGE;
}

static int probe_kernel(struct testrun_kernel *kernel)
{
	int err = testrun_probe(kernel);

	if (err == -EPERM) {
		p_err("BPF_PROG_TEST_RUN needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON: run with sudo");
		return FDTEST_EXIT_ENV;
	}
	if (err == -EOPNOTSUPP) {
		p_err("this kernel cannot test-run flow dissectors (needs 5.1 or later with CONFIG_BPF_SYSCALL and CONFIG_NET)");
		return FDTEST_EXIT_ENV;
	}
	if (err) {
		p_err("probing the kernel's flow dissector test run: %s",
		      strerror(-err));
		return FDTEST_EXIT_ENV;
	}
	p_debug("kernel: %s retval, state fields in ctx_in %s",
		kernel->raw_retval ? "raw (6.1+)" : "boolean (before 6.1)",
		kernel->ctx_states ? "accepted" : "refused");
	return FDTEST_EXIT_PASS;
}

/* A golden written whole, kept to be committed with the others. */
static int run_keep_golden(void *ctx, struct atomic_file *af)
{
	struct run_opts *opts = ctx;
	struct atomic_file **more;

	more = realloc(opts->goldens, (opts->n_goldens + 1) * sizeof(*more));
	if (!more) {
		atomic_file_abort(af);
		return -ENOMEM;
	}
	opts->goldens = more;
	opts->goldens[opts->n_goldens++] = af;
	return 0;
}

/* What one capture's real cases go through, frame by frame. */
struct real_run {
	const char *dissector;
	struct report *rep;
	struct report_counts counts;
	struct real_golden rg;
	uint32_t last_frame;
};

/* realpath_frame_fn: each case to its golden, then to the reports. */
static int real_frame(void *ctx, uint32_t frame, struct case_result *cases,
		      size_t n, char *err, size_t err_size)
{
	struct real_run *rr = ctx;
	struct frame_result fr = {
		.index = frame,
		.n_flags = 1,
		.cases = cases,
		.n_cases = n,
	};
	int ret;

	rr->last_frame = frame;
	for (size_t i = 0; i < n; i++) {
		ret = real_golden_case(&rr->rg, &cases[i], err, err_size);
		if (ret)
			return ret;
		report_counts_case(&rr->counts, &cases[i]);
		rr->counts.no_golden += cases[i].no_golden;
	}
	if (n)
		report_frame(rr->rep, &fr);
	return 0;
}

/* The capture's hash: the test run's, or taken now. */
static int real_sha(const char *capture, struct replay_sha *sha)
{
	int ret;

	if (sha->hex[0])
		return 0;
	ret = sha256_file(capture, sha->hex);
	if (ret)
		sha->hex[0] = '\0';
	return ret;
}

/* After the capture: the golden's end, its summary on the text report. */
static int real_end(struct run_opts *opts, struct real_run *rr,
		    char *err, size_t err_size)
{
	struct atomic_file *af;
	int ret = real_golden_end(&rr->rg, rr->last_frame, &af, err,
				  err_size);

	if (rr->rg.gc.stale)
		rr->counts.stale++;
	if (ret || !af)
		return ret;
	ret = run_keep_golden(opts, af);
	if (ret)
		snprintf(err, err_size, "golden '%s': %s", rr->rg.path,
			 strerror(-ret));
	return ret;
}

static void real_summary(const struct run_opts *opts,
			 const struct real_run *rr)
{
	const struct report_counts *c = &rr->counts;
	FILE *out = opts->text_out;

	if (!out)
		return;
	if (rr->rg.update) {
		fputs("  recording ", out);
	} else {
		fputs(rr->rg.found ? "  real golden " : "  no real golden at ",
		      out);
	}
	utf8_put_text(out, rr->rg.path);
	if (!rr->rg.update)
		fprintf(out, ": %llu passed, %llu failed, %llu unchecked",
			(unsigned long long)c->passed,
			(unsigned long long)c->failed,
			(unsigned long long)c->unchecked);
	fputc('\n', out);
}

/* The capture's real golden, to check or to record. */
static int real_capture_open(const struct run_opts *opts, struct real_run *rr,
			     int i, struct replay_sha *sha, char *err,
			     size_t err_size)
{
	const struct verdict_rules rules = {
		.update = opts->replay.update,
		.require_golden = opts->replay.require_golden,
	};
	const char *cap = golden_capture_name(opts, i);
	char path[PATH_MAX];
	int ret = real_sha(opts->captures[i], sha);

	if (ret) {
		snprintf(err, err_size, "capture '%s': %s", opts->captures[i],
			 strerror(-ret));
		return ret;
	}
	ret = golden_path_real(path, sizeof(path), opts->replay.expected_dir,
			       rr->dissector, cap);
	if (ret) {
		snprintf(err, err_size, "capture '%s': real golden path: %s",
			 opts->captures[i], strerror(-ret));
		return ret;
	}
	return real_golden_open(&rr->rg, path, rr->dissector, cap, sha->hex,
				&rules, err, err_size);
}

/*
 * A capture's real states ended: on the reports and the text report, in
 * the totals. A capture on which a BPF dissector never ran fails
 * (another attached in the initial namespace overrides it, 5.5+).
 */
static void real_capture_end(const struct run_opts *opts, struct real_run *rr,
			     const struct realpath_counts *c, bool kernel,
			     const char *capture, struct report_counts *total)
{
	if (!kernel && c->frames && c->unseen == c->frames) {
		p_err("dissector '%s': capture '%s': it never ran on the real path (is a flow dissector attached in the initial network namespace?)",
		      rr->dissector, capture);
		rr->counts.failed++;
	}
	rr->counts.frames = c->frames;
	report_capture_end(rr->rep, &rr->counts);
	if (opts->text_out && kernel)
		fprintf(opts->text_out,
			"kernel on %s, real path: %llu frames, %llu cases (rx-rps, rx-untagged)%s\n",
			capture, (unsigned long long)c->frames,
			(unsigned long long)rr->counts.cases,
			c->unseen ? "; the kernel never dissected some frames" :
				    "");
	else if (opts->text_out)
		realpath_counts_print(opts->text_out, rr->dissector, capture,
				      c);
	real_summary(opts, rr);
	/* the frames are the test run's: counted once, but for the kernel */
	if (!kernel)
		rr->counts.frames = 0;
	report_counts_add(total, &rr->counts);
}

/*
 * One capture's real states: @dis attached (realpath_check.h), or with
 * @kw the kernel's own dissector (kernel_dissector.h), each case held to
 * its real golden and reported.
 */
static void run_real_capture(struct run_opts *opts, struct dissector *dis,
			     struct kernel_watch *kw, const char *name,
			     int i, struct replay_sha *sha,
			     struct report *rep, struct report_counts *total,
			     int *code)
{
	struct real_run *rr = calloc(1, sizeof(*rr));
	struct report_error e = { .dissector = name,
				  .capture = opts->captures[i] };
	struct report_capture info = { 0 };
	struct realpath_counts c = { 0 };
	struct kernel_diff_counts *kc = NULL;
	char err[1024];
	int ret;

	if (!rr) {
		ret = -ENOMEM;
		snprintf(err, sizeof(err), "%s", strerror(ENOMEM));
		goto out_say;
	}
	rr->rep = rep;
	rr->dissector = name;
	ret = real_capture_open(opts, rr, i, sha, err, sizeof(err));
	if (ret)
		goto out_say;
	info = (struct report_capture){
		.dissector = name,
		.capture = golden_capture_name(opts, i),
		.linktype = "real path",
		.golden = rr->rg.path,
		.golden_found = rr->rg.found,
		.update = opts->replay.update,
		.post_vlan_how = "",
		.states = FDTEST_STATES_REAL,
		.real = true,
	};
	if (!rr->rg.found && !opts->replay.update)
		rr->counts.no_golden_file++;
	report_capture_begin(rep, &info);
	if (kw) {
		kc = calloc(1, sizeof(*kc));
		ret = kc ? kernel_cases_capture(opts->real, kw,
						opts->captures[i], real_frame,
						rr, kc, err, sizeof(err)) :
			   -ENOMEM;
		if (kc) {
			c.frames = kc->frames;
			c.unseen = kc->unseen;
		}
	} else {
		ret = realpath_check_capture(opts->real, dis,
					     opts->replay.kernel,
					     opts->captures[i], opts->text_out,
					     real_frame, rr, &c, NULL, 0, err,
					     sizeof(err));
	}
	ret = ret ?: real_end(opts, rr, err, sizeof(err));
	if (ret) {
		report_capture_abort(rep);
		goto out_say;
	}
	real_capture_end(opts, rr, &c, kw != NULL, opts->captures[i], total);
	goto out_free;
out_say:
	p_err("%s", err);
	e.message = err;
	report_error(rep, &e);
	note_exit(code, ret);
out_free:
	if (rr)
		real_golden_close(&rr->rg);
	free(kc);
	free(rr);
}

/* --path real: every capture again through lo, its real states' cases. */
static void run_real(struct run_opts *opts, struct dissector *dis,
		     struct kernel_watch *kw, const char *name,
		     struct replay_sha *shas, struct report *rep,
		     struct report_counts *total, int *code)
{
	for (int i = 0; i < opts->n_captures; i++)
		run_real_capture(opts, dis, kw, name, i, &shas[i], rep, total,
				 code);
}

/* -d kernel --path real: the kernel's C dissector, watched. */
static void run_kernel(struct run_opts *opts, struct replay_sha *shas,
		       struct report *rep, struct report_counts *total,
		       int *code)
{
	struct report_error e = { .dissector = KERNEL_DISSECTOR_NAME };
	struct kernel_watch *kw;
	char err[512], msg[700];
	int ret;

	ret = kernel_watch_open(opts->real, &kw, err, sizeof(err));
	if (ret) {
		snprintf(msg, sizeof(msg),
			 "-d kernel: %s; 'fdtest matrix --path real' runs the kernel's dissector in a guest kernel",
			 err);
		p_err("%s", msg);
		e.message = msg;
		report_error(rep, &e);
		if (*code == FDTEST_EXIT_PASS || *code == FDTEST_EXIT_FAIL)
			*code = ret == -EPERM || ret == -EOPNOTSUPP ?
				FDTEST_EXIT_ENV : FDTEST_EXIT_USAGE;
		return;
	}
	run_real(opts, NULL, kw, KERNEL_DISSECTOR_NAME, shas, rep, total,
		 code);
	kernel_watch_close(kw);
}

/* @shas: a hash per capture, taken by the first dissector that needs it */
static void run_dissector(struct run_opts *opts, const char *path,
			  struct replay_sha *shas, struct report *rep,
			  struct report_counts *total, int *code)
{
	struct dissector *dis;
	/* room for two paths and the reason, which comes last */
	char err[2 * PATH_MAX + 512], msg[3 * PATH_MAX + 512], name[256];
	struct report_error e = { .dissector = name, .message = msg };
	int ret;

	if (opts->real && strcmp(path, KERNEL_DISSECTOR_NAME) == 0) {
		run_kernel(opts, shas, rep, total, code);
		return;
	}
	dissector_name_of(path, name, sizeof(name));
	ret = dissector_load(path, opts->prog, &dis, err, sizeof(err));
	if (ret) {
		snprintf(msg, sizeof(msg), "dissector '%s': %s", path, err);
		p_err("%s", msg);
		report_error(rep, &e);
		note_exit(code, ret);
		return;
	}
	p_debug("dissector '%s': entry '%s', %u tail-call slot%s filled by name",
		path, dissector_entry(dis), dissector_filled(dis),
		dissector_filled(dis) == 1 ? "" : "s");
	/* a program per test-run thread; sharing one is only slower */
	if (opts->replay.jobs > 1 &&
	    dissector_want_copies(dis, opts->replay.jobs - 1))
		p_warn("dissector '%s': no memory for a copy per thread; the threads share one",
		       path);
	for (int i = 0; i < opts->n_captures; i++) {
		struct report_counts counts = { 0 };

		ret = replay_capture(&opts->replay, dis, opts->captures[i],
				     &shas[i], rep, &counts, err, sizeof(err));
		if (ret) {
			p_err("%s", err);
			e.capture = opts->captures[i];
			e.message = err;
			report_error(rep, &e);
			note_exit(code, ret);
		}
		report_counts_add(total, &counts);
	}
	if (opts->real)
		run_real(opts, dis, NULL, name, shas, rep, total, code);
	dissector_close(dis);
}

/*
 * --update --path real: the goldens of the run, the test runs' and the
 * real states', all or none (a run that could not use a capture or
 * dissector records none of them).
 */
static void run_goldens_commit(struct run_opts *opts, int *code)
{
	size_t n = opts->n_goldens;
	char **paths;
	int err;

	if (!n)
		return;
	opts->n_goldens = 0;
	if (*code != FDTEST_EXIT_PASS && *code != FDTEST_EXIT_FAIL) {
		for (size_t i = 0; i < n; i++)
			atomic_file_abort(opts->goldens[i]);
		p_err("--update --path real: no golden recorded, as the run met an error");
		return;
	}
	/* the paths are the files', which the commit frees */
	paths = calloc(n, sizeof(*paths));
	for (size_t i = 0; paths && i < n; i++)
		paths[i] = strdup(atomic_file_path(opts->goldens[i]));
	err = atomic_file_commit_all(opts->goldens, n);
	if (err) {
		p_err("--update --path real: recording the goldens: %s; none was replaced",
		      strerror(-err));
		*code = FDTEST_EXIT_USAGE;
	}
	for (size_t i = 0; paths && i < n; i++) {
		if (!err && paths[i])
			p_info("recorded %s", paths[i]);
		free(paths[i]);
	}
	free(paths);
}

static char stdout_buf[1u << 20];

/*
 * Flushes @r and, the first time it has an error, says so: a report
 * that is not whole makes the run a failure to run (exit 2).
 */
static void check_report(struct report *r, const char *where, int *code)
{
	int err = report_finish(r);

	if (!err || r->err_told)
		return;
	r->err_told = true;
	if (r->out == stdout)
		log_stdout_said();
	if (r->err_what)
		p_err("%s report to %s: %s", r->ops->name, where, r->err_what);
	else
		p_err("%s report to %s: %s", r->ops->name, where,
		      strerror(-err));
	*code = FDTEST_EXIT_USAGE;
}

/*
 * Ends the reports with the exit code the process really returns: what
 * went to the streams so far is checked first, the --output report is
 * ended and put in place, and only then does the text report on stdout
 * say the code, which its own flush can still only make worse.
 */
static int run_end(struct report *text, struct report *chosen,
		   struct atomic_file *output, const char *output_path,
		   const struct report_counts *total, int code)
{
	char where[4096 + 2];
	bool to_file = output != NULL;
	int err;

	snprintf(where, sizeof(where), "'%s'", output_path ? output_path : "");
	text->next = NULL;	/* each ends on its own, in order */
	if (text != chosen)
		check_report(text, "stdout", &code);
	check_report(chosen, to_file ? where : "stdout", &code);
	if (to_file) {
		report_run_end(chosen, total, code);
		check_report(chosen, where, &code);
		/* a report that is not whole is not put in place */
		if (chosen->err_told) {
			atomic_file_abort(output);
			err = 0;
		} else {
			err = atomic_file_commit(output);
		}
		if (err) {
			/* a write that failed before is said already */
			if (!chosen->err_told)
				p_err("--output '%s': %s", output_path,
				      strerror(-err));
			code = FDTEST_EXIT_USAGE;
		}
	}
	if (text != chosen || !to_file) {
		report_run_end(text != chosen ? text : chosen, total, code);
		check_report(text != chosen ? text : chosen, "stdout", &code);
	}
	return code;
}

static int run_exec(struct run_opts *opts)
{
	struct report text = { .ops = &report_text_ops, .out = stdout };
	struct report chosen = { .ops = report_find(opts->format),
				 .out = stdout };
	struct report *rep = &chosen;
	struct report_run run = {
		.expected_dir = opts->replay.expected_dir,
		.update = opts->replay.update,
		.require_golden = opts->replay.require_golden,
	};
	struct atomic_file *output = NULL;
	char why[PATH_MAX + 256];
	struct report_counts total = { 0 };
	struct testrun_kernel kernel;
	struct replay_sha *shas = NULL;
	glob_t found = { 0 };
	bool globbed = false;
	int code, err;

	/*
	 * The text report has a line per frame: unless a person reads it,
	 * write it in large pieces, not a write(2) per 4 KiB (a buffer
	 * setvbuf() allocates itself has the default size).
	 */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	code = probe_kernel(&kernel);
	if (code)
		return code;
	opts->replay.kernel = &kernel;
	if (opts->real_path && opts->replay.update) {
		/* the test runs' goldens wait for the real ones */
		opts->replay.keep_golden = run_keep_golden;
		opts->replay.keep_ctx = opts;
	}
	if (opts->real_path) {
		char msg[512];

		err = realpath_open(&opts->real, msg, sizeof(msg));
		if (err) {
			p_err("--path real: %s; 'fdtest matrix --path real' runs the real path in a guest kernel",
			      msg);
			return dissector_err_is_env(err) ||
			       err == -EOPNOTSUPP ? FDTEST_EXIT_ENV :
						    FDTEST_EXIT_USAGE;
		}
	}
	if (opts->dissectors.n == 0) {
		if (find_default_dissectors(&found))
			return FDTEST_EXIT_USAGE;
		globbed = true;
		for (size_t i = 0; i < found.gl_pathc &&
				   i < RUN_DISSECTORS_MAX; i++)
			opts->dissectors.v[opts->dissectors.n++] =
				found.gl_pathv[i];
	}
	/* one pass over the captures per dissector: '-' has one */
	for (int i = 0; opts->dissectors.n > 1 && i < opts->n_captures; i++) {
		if (strcmp(opts->captures[i], "-") == 0) {
			p_err("capture '-': standard input can be read once, and there are %zu dissectors: name one with -d",
			      opts->dissectors.n);
			code = FDTEST_EXIT_USAGE;
			goto out_free;
		}
	}
	if (run_check_paths(opts)) {
		code = FDTEST_EXIT_USAGE;
		goto out_free;
	}
	shas = calloc((size_t)opts->n_captures, sizeof(*shas));
	if (!shas) {
		p_err("%s", strerror(ENOMEM));
		code = FDTEST_EXIT_USAGE;
		goto out_free;
	}
	if (opts->output) {
		err = atomic_file_open(opts->output, &output, why, sizeof(why));
		if (err) {
			p_err("--output '%s': %s", opts->output, why);
			code = FDTEST_EXIT_USAGE;
			goto out_free;
		}
		chosen.out = atomic_file_stream(output);
		if (chosen.ops != &report_text_ops) {
			text.next = &chosen;
			rep = &text;
		}
	}
	opts->text_out = chosen.ops == &report_text_ops ? chosen.out :
			 rep == &text ? text.out : NULL;
	report_run_begin(rep, &run);
	for (size_t i = 0; i < opts->dissectors.n; i++)
		run_dissector(opts, opts->dissectors.v[i], shas, rep, &total,
			      &code);
	run_goldens_commit(opts, &code);
	if (code == FDTEST_EXIT_PASS &&
	    (total.failed || total.stale || total.slow))
		code = FDTEST_EXIT_FAIL;
	code = run_end(rep == &text ? &text : &chosen, &chosen, output,
		       opts->output, &total, code);
out_free:
	for (size_t i = 0; i < opts->n_goldens; i++)
		atomic_file_abort(opts->goldens[i]);
	free(opts->goldens);
	realpath_close(opts->real);
	free(shas);
	if (globbed)
		globfree(&found);
	return code;
}

int do_run(int argc, char **argv)
{
	struct run_opts opts;
	int ret = run_parse(argc, argv, &opts);

	if (ret)
		return ret > 0 ? FDTEST_EXIT_PASS : FDTEST_EXIT_USAGE;
	return run_exec(&opts);
}

/* What other commands share with run (cmd_run.h). */
int run_probe_kernel(struct testrun_kernel *kernel)
{
	return probe_kernel(kernel);
}
