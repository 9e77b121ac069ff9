// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest fuzz: find a dissector's bugs without writing an expectation.
 * Options and output here; the engine is fuzz.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd_run.h"
#include "cli/cmds.h"
#include "cli/options.h"
#include "fuzz/fuzz.h"
#include "util/log.h"
#include "util/worker.h"

#define FUZZ_SEEDS_MAX 64
_Static_assert(FUZZ_SEEDS_MAX <= OPTION_LIST_MAX,
	       "an option_list holds them");

struct fuzz_cmd_opts {
	struct option_list objects;	/* under test, reference */
	const char *prog;		/* entry program; NULL: find it */
	struct option_list seeds;
	uint64_t time_s;		/* --time; 0: no bound */
	const char *policy;
	unsigned int oracles;
	enum gen_policy spec_policy;
	struct fuzz_opts run;
};

static int fuzz_parse_oracles(void *opts, const char *arg);
static const char *spec_policy_name(size_t i, const char **note);

static const struct fuzz_cmd_opts fuzz_defaults = {
	.oracles = FUZZ_ORACLES_ALL,
	.run = { .seed = 1 },
};

#define FUZZ_FIELD(m) OPTION_FIELD(struct fuzz_cmd_opts, m)

static const struct option_row fuzz_options[] = {
	{ "dissector", 'd', OPTION_LIST, FUZZ_FIELD(objects), "OBJ",
	  "the dissector to fuzz; a second -d names a REFERENCE to diff it against",
	  .max = 2,
	  .limit = "-d: one dissector to fuzz and at most one reference" },
	{ "prog", 0, OPTION_STRING, FUZZ_FIELD(prog), "NAME",
	  "entry program of both, when fdtest cannot tell it" },
	{ "seeds", 0, OPTION_LIST, FUZZ_FIELD(seeds), "CAPTURE",
	  "frames to mutate besides generated ones; repeat, or list more captures after the options",
	  .max = FUZZ_SEEDS_MAX,
	  .limit = "--seeds: at most " OPTION_STR(FUZZ_SEEDS_MAX) " captures" },
	{ "time", 0, OPTION_UINT, FUZZ_FIELD(time_s), "S",
	  "stop after S seconds (whole rounds of 512 inputs)",
	  .max = UINT64_MAX, .num = OPTION_NUM_ANY },
	{ "runs", 0, OPTION_UINT, FUZZ_FIELD(run.max_inputs), "N",
	  "stop after N inputs, each run in 3 states and 8 flag sets (default with neither: 10000)",
	  .max = UINT64_MAX, .num = OPTION_NUM_ANY },
	{ "jobs", 'j', OPTION_UINT, FUZZ_FIELD(run.jobs), "N",
	  "threads doing test runs (default: online CPUs; 0: the main thread); findings do not depend on N",
	  .max = WORKER_THREADS_MAX, .num = OPTION_NUM_ANY },
	{ "seed", 0, OPTION_UINT, FUZZ_FIELD(run.seed), "N",
	  "random seed (default 1): the same seed and --runs find the same",
	  .max = UINT64_MAX, .num = OPTION_NUM_ANY },
	{ "out", 0, OPTION_STRING, FUZZ_FIELD(run.out_dir), "DIR",
	  "write each finding as DIR/ORACLE-FIELD.pcap, .diff, .txt (its description) and DIR/expected/ (its golden)" },
	{ "policy", 0, OPTION_STRING, FUZZ_FIELD(policy), "FILE",
	  "differences with REFERENCE to accept, one 'CLASS FIELD REASON' a line (see README)" },
	{ "oracles", 0, OPTION_FUNC, FUZZ_FIELD(oracles), "LIST",
	  "comma-separated: consistency, invariant, diff, spec, or all (default: all that apply)",
	  .parse = fuzz_parse_oracles },
	{ "spec-policy", 0, OPTION_CHOICE, FUZZ_FIELD(spec_policy), "POLICY",
	  "the generator's spec to hold generated frames to: base (default) or udp-encap",
	  .names = spec_policy_name },
	OPTION_HELP_ROW,
};

static void fuzz_usage(FILE *out);

static const struct option_table fuzz_table =
	OPTION_TABLE("fuzz", fuzz_options, fuzz_usage);

static void fuzz_usage(FILE *out)
{
	fprintf(out,
		"Usage: fdtest fuzz -d OBJ [-d REFERENCE] [OPTIONS] [CAPTURE...]\n"
		"\n"
		"Feed a dissector frames nobody captured: random layer stacks of the\n"
		"description language with edge values and cuts at header boundaries,\n"
		"and mutations of seed frames. Each frame runs in every state and\n"
		"input-flag set, judged by oracles that need no golden:\n"
		"  consistency  the states of a frame agree\n"
		"  invariant    keys no correct dissector gives\n"
		"  diff         REFERENCE agrees, up to the --policy's classes\n"
		"  spec         a generated frame gets the keys its layers imply\n"
		"Findings are counted per oracle and field, minimised, and written\n"
		"to --out so that `fdtest run` replays them.\n"
		"\n"
		"Options:\n");
	options_print(out, &fuzz_table);
	fprintf(out,
		"\nExit status: 0 nothing found, 1 findings, 2 bad usage or input,\n"
		"3 the machine refuses (privilege, verifier, kernel).\n");
}

static int fuzz_parse_oracles(void *opts, const char *list)
{
	unsigned int *out = &((struct fuzz_cmd_opts *)opts)->oracles;
	char buf[256];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	*out = 0;
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		int o = strcmp(t, "all") == 0 ? -1 : fuzz_oracle_parse(t);

		if (o == -EINVAL) {
			p_err("--oracles: unknown oracle '%s' (consistency, invariant, diff, spec or all)",
			      t);
			return -EINVAL;
		}
		*out |= o < 0 ? FUZZ_ORACLES_ALL : 1u << o;
	}
	return 0;
}

/* The policies in enum gen_policy order: --spec-policy's names. */
static const char *spec_policy_name(size_t i, const char **note)
{
	if (note)
		*note = NULL;
	return i < GEN_POLICY_COUNT ? gen_policy_name((enum gen_policy)i) :
				      NULL;
}

static int fuzz_parse(int argc, char **argv, struct fuzz_cmd_opts *o)
{
	int ret;

	*o = fuzz_defaults;
	o->run.jobs = worker_default_threads();
	ret = options_parse(&fuzz_table, argc, argv, o);
	if (ret)
		return ret;
	for (; optind < argc; optind++)
		if (options_apply(&fuzz_table, "seeds", o, argv[optind]))
			return -EINVAL;
	if (o->objects.n == 0) {
		p_err("no dissector given: fdtest fuzz -d OBJ [-d REFERENCE] (see --help)");
		return -EINVAL;
	}
	if (o->policy && o->objects.n < 2) {
		p_err("--policy: accepts differences with a REFERENCE; give it as a second -d");
		return -EINVAL;
	}
	o->run.max_seconds = (double)o->time_s;
	if (!o->run.max_inputs && !o->run.max_seconds)
		o->run.max_inputs = 10000;
	/* fuzz.c reads the seeds, never writes them */
	o->run.seeds = (char *const *)o->seeds.v;
	o->run.n_seeds = o->seeds.n;
	return 0;
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

#define CLASSES_SHOWN 6

/* The classes of a finding's inputs, most inputs first. */
static void print_classes(const struct fuzz_finding *f)
{
	bool shown[FUZZ_FINDING_CLASSES] = { false };
	uint64_t rest = f->unlisted;
	size_t n = 0;

	printf("  classes:");
	for (; n < CLASSES_SHOWN && n < f->n_classes; n++) {
		size_t best = f->n_classes;

		for (size_t i = 0; i < f->n_classes; i++)
			if (!shown[i] && (best == f->n_classes ||
					  f->classes[i].count >
					  f->classes[best].count))
				best = i;
		shown[best] = true;
		printf("%s %s (%llu)", n ? "," : "", f->classes[best].name,
		       (unsigned long long)f->classes[best].count);
	}
	for (size_t i = 0; i < f->n_classes; i++)
		if (!shown[i])
			rest += f->classes[i].count;
	if (rest)
		printf(", others (%llu)", (unsigned long long)rest);
	printf("\n");
}

static void print_finding(const struct fuzz_cmd_opts *o,
			  const struct fuzz_finding *f, const char *dis_path)
{
	printf("finding %s %s: %llu input%s, first #%llu; minimised to %u bytes (%s)\n",
	       fuzz_oracle_name((enum fuzz_oracle)f->oracle), f->field,
	       (unsigned long long)f->count, f->count == 1 ? "" : "s",
	       (unsigned long long)f->first, f->min.len, f->pclass);
	if (f->min.desc[0])
		printf("  %s\n", f->min.desc);
	print_classes(f);
	if (!o->run.out_dir)
		return;
	if (f->write_err) {
		p_err("finding %s: not written to '%s': %s", f->file,
		      o->run.out_dir, strerror(-f->write_err));
		return;
	}
	printf("  replay: fdtest run -d %s --flags all --expected %s/expected %s/%s.pcap\n",
	       dis_path, o->run.out_dir, o->run.out_dir, f->file);
}

static int load(const char *path, const char *prog, struct dissector **dis)
{
	char err[512];
	int ret = dissector_load(path, prog, dis, err, sizeof(err));

	if (ret)
		p_err("dissector '%s': %s", path, err);
	return ret;
}

static int exit_of(int err)
{
	return dissector_err_is_env(err) ? FDTEST_EXIT_ENV : FDTEST_EXIT_USAGE;
}

static int fuzz_report(const struct fuzz_cmd_opts *o,
		       const struct fuzz_stats *st)
{
	printf("fuzz: %s%s%s: %llu inputs, %llu test runs in %.1f s (%.0f runs/s), %zu result shapes, corpus %zu, seed %llu%s\n",
	       o->objects.v[0], o->objects.n > 1 ? " against " : "",
	       o->objects.n > 1 ? o->objects.v[1] : "",
	       (unsigned long long)st->inputs,
	       (unsigned long long)st->runs, st->seconds,
	       st->seconds > 0 ? (double)st->runs / st->seconds : 0.0,
	       st->coverage, st->corpus, (unsigned long long)o->run.seed,
	       st->interrupted ? " (interrupted)" : "");
	for (size_t i = 0; i < st->n_findings; i++)
		print_finding(o, &st->findings[i], o->objects.v[0]);
	printf("fuzz: %zu finding%s\n", st->n_findings,
	       st->n_findings == 1 ? "" : "s");
	return st->n_findings ? FDTEST_EXIT_FAIL : FDTEST_EXIT_PASS;
}

static int fuzz_exec(struct fuzz_cmd_opts *o)
{
	static struct fuzz_policy policy;
	struct testrun_kernel kernel;
	struct fuzz_target t = {
		.kernel = &kernel,
		.oracles = o->oracles,
		.spec_policy = o->spec_policy,
	};
	struct fuzz_stats st = { 0 };
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	char err[512];
	int ret, code;

	if (o->policy) {
		ret = fuzz_policy_load(o->policy, &policy, err, sizeof(err));
		if (ret) {
			p_err("policy '%s': %s", o->policy, err);
			return FDTEST_EXIT_USAGE;
		}
		t.policy = &policy;
	}
	code = run_probe_kernel(&kernel);
	if (code)
		return code;
	st.findings = calloc(FUZZ_FINDINGS_MAX, sizeof(*st.findings));
	if (!st.findings) {
		p_err("fuzz: out of memory");
		return FDTEST_EXIT_ENV;
	}
	ret = load(o->objects.v[0], o->prog, &t.dis);
	if (ret) {
		code = exit_of(ret);
		goto out_free;
	}
	if (o->objects.n > 1) {
		ret = load(o->objects.v[1], o->prog, &t.ref);
		if (ret) {
			code = exit_of(ret);
			goto out_close;
		}
	}
	interrupted = 0;
	o->run.stop = &interrupted;
	o->run.progress = true;
	sigemptyset(&sa.sa_mask);
	/* a SIGINT the caller ignores (nohup) stays ignored */
	if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	ret = fuzz_run(&o->run, &t, &st, err, sizeof(err));
	sigaction(SIGINT, &old, NULL);
	if (ret) {
		p_err("fuzz '%s': %s", o->objects.v[0], err);
		code = ret == -EPERM || ret == -EACCES ? FDTEST_EXIT_ENV :
							 FDTEST_EXIT_USAGE;
	} else {
		code = fuzz_report(o, &st);
	}
	dissector_close(t.ref);
out_close:
	dissector_close(t.dis);
out_free:
	free(st.findings);
	return code;
}

int do_fuzz(int argc, char **argv)
{
	struct fuzz_cmd_opts opts;
	int ret = fuzz_parse(argc, argv, &opts);

	if (ret)
		return ret > 0 ? FDTEST_EXIT_PASS : FDTEST_EXIT_USAGE;
	return fuzz_exec(&opts);
}
