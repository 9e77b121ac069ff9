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

#include "check/realpath_check.h"
#include "cli/cmd_run.h"
#include "cli/cmds.h"
#include "cli/options.h"
#include "run/dissector.h"
#include "run/replay.h"
#include "util/atomic_file.h"
#include "util/log.h"
#include "util/worker.h"

#define RUN_DISSECTORS_MAX 64

struct run_opts {
	const char *dissectors[RUN_DISSECTORS_MAX];
	size_t n_dissectors;
	const char *prog;
	const char *format;
	const char *output;	/* the --format report goes here, text to stdout */
	struct replay_opts replay;
	bool real_path;		/* --path real */
	struct realpath *real;
	char **captures;
	int n_captures;
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

enum {
	OPT_PROG = 256,
	OPT_STATES,
	OPT_FLAGS,
	OPT_EXPECTED,
	OPT_UPDATE,
	OPT_REQUIRE_GOLDEN,
	OPT_NO_CONSISTENCY,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_REPEAT,
	OPT_MAX_NS,
	OPT_NAME,
	OPT_PATH,
};

static const struct option_row run_options[] = {
	{ "dissector", 'd', required_argument, "OBJ",
	  "compiled BPF object (.bpf.o) to test; repeat for several. Default: every dissector built from dissectors/" },
	{ "prog", OPT_PROG, required_argument, "NAME",
	  "entry program, when fdtest cannot tell it (default: the flow_dissector program that is not a tail-call target)" },
	{ "states", OPT_STATES, required_argument, "LIST",
	  "starting states to run, comma-separated: vlanless, pre-vlan, post-vlan, or all (default: all)" },
	{ "flags", OPT_FLAGS, required_argument, "LIST",
	  "input-flag sets, comma-separated; each a number or names joined by | (PARSE_1ST_FRAG, STOP_AT_FLOW_LABEL, STOP_AT_ENCAP), or all for the 8 combinations (default: 0)" },
	{ "expected", OPT_EXPECTED, required_argument, "DIR",
	  "root of the golden files, read as DIR/<dissector>/<capture>.json (default: expected)" },
	{ "name", OPT_NAME, required_argument, "NAME",
	  "the file name of the capture read from standard input ('-'), for its golden and its cases; without it, '-' is checked against no golden and --update refuses it" },
	{ "update", OPT_UPDATE, no_argument, NULL,
	  "record the goldens of this run's dissectors and captures instead of checking them (each file replaced whole)" },
	{ "require-golden", OPT_REQUIRE_GOLDEN, no_argument, NULL,
	  "fail a case that has no golden line (default: report it as unchecked)" },
	{ "no-consistency", OPT_NO_CONSISTENCY, no_argument, NULL,
	  "skip the check that all states of a frame agree" },
	{ "format", OPT_FORMAT, required_argument, "FMT",
	  "report format: text, json (JSON Lines) or junit (default: text)" },
	{ "output", OPT_OUTPUT, required_argument, "FILE",
	  "write the --format report to FILE (replaced whole when the run ends) and the text report to stdout" },
	{ "jobs", 'j', required_argument, "N",
	  "threads doing test runs (default: the number of online CPUs); the main thread reads, checks and reports beside them, in capture order, so output does not depend on N. 0 does everything on the main thread" },
	{ "repeat", OPT_REPEAT, required_argument, "N",
	  "timing: run each case N times in the kernel, report its mean ns per run and p50/p90/p99 per protocol class" },
	{ "max-ns", OPT_MAX_NS, required_argument, "NS",
	  "with --repeat: fail when a protocol class's p99 ns per run is above NS" },
	{ "path", OPT_PATH, required_argument, "PATH",
	  "test: BPF_PROG_TEST_RUN only (default); real: also send every frame through lo in a private network namespace with the dissector attached, and check the keys at each real trigger (tx, rx-rps, rx-untagged) against the test run. Needs tracing programs: where the kernel refuses them, 'fdtest matrix --path real' runs it in a guest" },
	{ "help", 'h', no_argument, NULL, "show this help" },
};

#define N_RUN_OPTIONS (sizeof(run_options) / sizeof(run_options[0]))

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
	options_print(out, run_options, N_RUN_OPTIONS);
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

static int parse_states(const char *arg, unsigned int *states)
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
		} else if (s < 0) {
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
static int parse_flag_sets(const char *arg, struct replay_opts *o)
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
	o->n_flags = 0;
	for (size_t i = 0; i < n; i++) {
		if (o->n_flags && o->flags[o->n_flags - 1] == sets[i])
			continue;
		if (o->n_flags == REPLAY_FLAGS_MAX) {
			p_err("--flags: at most %d different flag sets",
			      REPLAY_FLAGS_MAX);
			return -EINVAL;
		}
		o->flags[o->n_flags++] = sets[i];
	}
	return 0;
}

/* A whole number in [@min, @max], or -EINVAL with a message. */
static int parse_count(const char *opt, const char *arg, unsigned long min,
		       unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || *out < min ||
	    *out > max) {
		p_err("%s: '%s' is not a whole number from %lu to %lu", opt,
		      arg, min, max);
		return -EINVAL;
	}
	return 0;
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
	unsigned long n;
	struct option longopts[N_RUN_OPTIONS + 1];
	char shortopts[3 * N_RUN_OPTIONS + 2];
	int c;

	*opts = run_defaults;
	opts->replay.jobs = worker_default_threads();
	options_build(run_options, N_RUN_OPTIONS, longopts, shortopts);
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (opts->n_dissectors == RUN_DISSECTORS_MAX) {
				p_err("-d: at most %d dissectors",
				      RUN_DISSECTORS_MAX);
				return -EINVAL;
			}
			opts->dissectors[opts->n_dissectors++] = optarg;
			break;
		case OPT_PROG:
			opts->prog = optarg;
			break;
		case OPT_STATES:
			if (parse_states(optarg, &opts->replay.states))
				return -EINVAL;
			break;
		case OPT_FLAGS:
			if (parse_flag_sets(optarg, &opts->replay))
				return -EINVAL;
			break;
		case OPT_EXPECTED:
			/* "" would make every golden path start at / */
			if (!*optarg) {
				p_err("--expected: give a folder (an empty name would read and write goldens under /)");
				return -EINVAL;
			}
			opts->replay.expected_dir = optarg;
			break;
		case OPT_UPDATE:
			opts->replay.update = true;
			break;
		case OPT_REQUIRE_GOLDEN:
			opts->replay.require_golden = true;
			break;
		case OPT_NO_CONSISTENCY:
			opts->replay.consistency = false;
			break;
		case OPT_FORMAT:
			if (!report_find(optarg)) {
				p_err("--format: '%s' is not a format (text, json, junit)",
				      optarg);
				return -EINVAL;
			}
			opts->format = optarg;
			break;
		case OPT_OUTPUT:
			opts->output = optarg;
			break;
		case OPT_NAME:
			opts->replay.stdin_name = optarg;
			break;
		case 'j':
			if (parse_count("--jobs", optarg, 0, WORKER_THREADS_MAX,
					&n))
				return -EINVAL;
			opts->replay.jobs = (unsigned int)n;
			break;
		case OPT_REPEAT:
			if (parse_count("--repeat", optarg, 1, UINT32_MAX, &n))
				return -EINVAL;
			opts->replay.repeat = (unsigned int)n;
			break;
		case OPT_MAX_NS:
			if (parse_count("--max-ns", optarg, 1, UINT32_MAX, &n))
				return -EINVAL;
			opts->replay.max_ns = (uint32_t)n;
			break;
		case OPT_PATH:
			if (strcmp(optarg, "test") && strcmp(optarg, "real")) {
				p_err("--path: '%s' is not a path (test, real)",
				      optarg);
				return -EINVAL;
			}
			opts->real_path = strcmp(optarg, "real") == 0;
			break;
		case 'h':
			run_usage(stdout);
			return 1;
		default:
			fprintf(stderr, "Try 'fdtest run --help'.\n");
			return -EINVAL;
		}
	}
	if (opts->replay.max_ns && !opts->replay.repeat) {
		p_err("--max-ns needs --repeat N: time is only measured then");
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
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
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

	return replay_golden_path(ga, sizeof(ga), ".", "d", a) == 0 &&
	       replay_golden_path(gb, sizeof(gb), ".", "d", b) == 0 &&
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
	for (size_t d = 0; out && d < opts->n_dissectors; d++) {
		if (atomic_file_same(out, opts->dissectors[d])) {
			p_err("--output '%s' is the dissector '%s' of this run: the report would replace it; write the report elsewhere",
			      out, opts->dissectors[d]);
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

	for (size_t d = 0; !ret && d < opts->n_dissectors; d++) {
		const char *obj = opts->dissectors[d];

		dissector_name_of(obj, names[d], sizeof(names[d]));
		for (size_t e = 0; e < d; e++) {
			if (strcmp(names[d], names[e]) ||
			    atomic_file_same(obj, opts->dissectors[e]))
				continue;
			p_err("dissectors '%s' and '%s' are both named '%s': their goldens would be one file; rename one",
			      opts->dissectors[e], obj, names[d]);
			return -EINVAL;
		}
		for (int c = 0; !ret && c < opts->n_captures; c++) {
			const char *cap = golden_capture_name(opts, c);

			ret = replay_golden_check(opts->replay.expected_dir,
						  names[d], cap, why,
						  sizeof(why));
			if (ret) {
				p_err("dissector '%s', capture '%s': %s", obj,
				      cap, why);
				break;
			}
			ret = replay_golden_path(golden, sizeof(golden),
						 opts->replay.expected_dir,
						 names[d], cap);
			if (ret)
				p_err("dissector '%s', capture '%s': golden path: %s",
				      obj, cap, strerror(-ret));
			else if (opts->output)
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

/*
 * --path real: every capture again through lo; a real state that differs
 * from its test run is a failed case, and so is a capture on which the
 * dissector never ran (another attached in the initial namespace
 * overrides it, 5.5+).
 */
static void run_real(const struct run_opts *opts, struct dissector *dis,
		     struct report_counts *total, int *code)
{
	for (int i = 0; i < opts->n_captures; i++) {
		struct realpath_counts c = { 0 };
		char err[512];
		int ret;

		ret = realpath_check_capture(opts->real, dis,
					     opts->replay.kernel,
					     opts->captures[i], stdout, &c,
					     NULL, 0, err, sizeof(err));
		if (ret) {
			p_err("%s", err);
			note_exit(code, ret);
			continue;
		}
		realpath_counts_print(stdout, dissector_name(dis),
				      opts->captures[i], &c);
		total->cases += c.cases;
		total->passed += c.agree;
		total->failed += c.differ;
		if (c.frames && c.unseen == c.frames) {
			p_err("dissector '%s': capture '%s': it never ran on the real path (is a flow dissector attached in the initial network namespace?)",
			      dissector_name(dis), opts->captures[i]);
			total->failed++;
		}
	}
}

/* @shas: a hash per capture, taken by the first dissector that needs it */
static void run_dissector(const struct run_opts *opts, const char *path,
			  struct replay_sha *shas, struct report *rep,
			  struct report_counts *total, int *code)
{
	struct dissector *dis;
	/* room for two paths and the reason, which comes last */
	char err[2 * PATH_MAX + 512], msg[3 * PATH_MAX + 512], name[256];
	struct report_error e = { .dissector = name, .message = msg };
	int ret;

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
		run_real(opts, dis, total, code);
	dissector_close(dis);
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
	if (opts->n_dissectors == 0) {
		if (find_default_dissectors(&found))
			return FDTEST_EXIT_USAGE;
		globbed = true;
		for (size_t i = 0; i < found.gl_pathc &&
				   i < RUN_DISSECTORS_MAX; i++)
			opts->dissectors[opts->n_dissectors++] =
				found.gl_pathv[i];
	}
	/* one pass over the captures per dissector: '-' has one */
	for (int i = 0; opts->n_dissectors > 1 && i < opts->n_captures; i++) {
		if (strcmp(opts->captures[i], "-") == 0) {
			p_err("capture '-': standard input can be read once, and there are %zu dissectors: name one with -d",
			      opts->n_dissectors);
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
	report_run_begin(rep, &run);
	for (size_t i = 0; i < opts->n_dissectors; i++)
		run_dissector(opts, opts->dissectors[i], shas, rep, &total,
			      &code);
	if (code == FDTEST_EXIT_PASS &&
	    (total.failed || total.stale || total.slow))
		code = FDTEST_EXIT_FAIL;
	code = run_end(rep == &text ? &text : &chosen, &chosen, output,
		       opts->output, &total, code);
out_free:
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

/* What fdtest diff shares with run (cmd_run.h). */
int run_parse_states(const char *arg, unsigned int *states)
{
	return parse_states(arg, states);
}

int run_parse_flag_sets(const char *arg, struct replay_opts *o)
{
	return parse_flag_sets(arg, o);
}

int run_probe_kernel(struct testrun_kernel *kernel)
{
	return probe_kernel(kernel);
}
