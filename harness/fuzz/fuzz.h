/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fdtest fuzz: frames nobody captured, through a dissector, judged by
 * oracles that need no golden.
 *
 * fuzz_input.c makes inputs (random layer stacks in the description
 * language, byte-level mutations), fuzz_check.c runs one input in every
 * state and input-flag set and applies the oracles, fuzz.c is the engine
 * (deterministic rounds on the worker pool, corpus, findings), fuzz_min.c
 * minimises a finding, fuzz_out.c writes it, and cmd_fuzz.c is the
 * command.
 */
#ifndef FDTEST_FUZZ_H
#define FDTEST_FUZZ_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/compare.h"
#include "gen/gen.h"
#include "gen/gen_expect.h"
#include "run/dissector.h"
#include "run/frame.h"
#include "run/testrun.h"

/*
 * Inputs stay far below the 4096-byte test-run limit: every header a
 * dissector walks fits in a few hundred bytes, and small inputs keep the
 * corpus and a batch of inputs in a few MiB.
 */
#define FUZZ_INPUT_MAX	1024u
#define FUZZ_DESC_MAX	512u

/* ---- random numbers: splitmix64, one stream per input --------------- */

struct fuzz_rng {
	uint64_t s;
};

void fuzz_rng_seed(struct fuzz_rng *r, uint64_t seed, uint64_t stream);
uint64_t fuzz_rand(struct fuzz_rng *r);
/* Uniform in 0..@n - 1; 0 for @n of 0. */
uint32_t fuzz_below(struct fuzz_rng *r, uint32_t n);

/* ---- inputs (fuzz_input.c) ------------------------------------------ */

struct fuzz_input {
	uint32_t len;
	uint8_t bytes[FUZZ_INPUT_MAX];
	char desc[FUZZ_DESC_MAX];	/* the one-line description, or "" */
};

/*
 * Parses and builds @desc into @pkt (the caller's scratch: it is large).
 * Returns 0, or -EINVAL when the line does not make an Ethernet frame of
 * 14..FUZZ_INPUT_MAX bytes.
 */
int fuzz_desc_build(const char *desc, struct gen_packet *pkt);

/*
 * A random layer stack with random and edge field values, as a one-line
 * description, built into @in (bytes and desc). Returns 0, or -EINVAL in
 * the rare case the stack does not build (the caller draws again).
 */
int fuzz_input_generate(struct fuzz_rng *r, struct gen_packet *pkt,
			struct fuzz_input *in);

/*
 * Byte-level mutations of @in in place (bit flips, interesting values,
 * truncation, insertion, deletion, splicing with @other, which may be
 * NULL). The description is dropped: the bytes no longer follow it.
 */
void fuzz_input_mutate(struct fuzz_rng *r, struct fuzz_input *in,
		       const struct fuzz_input *other);

/* ---- oracles (fuzz_check.c) ----------------------------------------- */

enum fuzz_oracle {
	FUZZ_ORACLE_CONSISTENCY,	/* the states of a frame agree */
	FUZZ_ORACLE_INVARIANT,		/* keys no correct dissector gives */
	FUZZ_ORACLE_DIFF,		/* against -d REFERENCE */
	FUZZ_ORACLE_SPEC,		/* against the generator's spec */
	FUZZ_ORACLE_COUNT,
};

#define FUZZ_ORACLES_ALL ((1u << FUZZ_ORACLE_COUNT) - 1)

const char *fuzz_oracle_name(enum fuzz_oracle o);
/* Returns the oracle, or -EINVAL for an unknown name. */
int fuzz_oracle_parse(const char *name);

/*
 * A frame's class: its protocol layers (pclass.h: "eth/802.1q/ipv4/tcp")
 * and what is wrong with its first IP header, if anything: "!version",
 * "!ihl", "!len" or "!cut" ("eth/ipv4/other!version"). No spaces: policy
 * lines are split at them.
 */
#define FUZZ_CLASS_MAX 128
void fuzz_class(const uint8_t *frame, uint32_t len, char *buf, size_t size);

/*
 * Accepted difference classes for the differential oracle, one rule a
 * line: "CLASS FIELD REASON...", CLASS a shell pattern over the frame's
 * class, FIELD a pattern over the field that differs ("ret", "nhoff",
 * "*").
 */
#define FUZZ_POLICY_RULES_MAX	64

struct fuzz_policy_rule {
	char pclass[96];
	char field[24];
	char reason[96];
};

struct fuzz_policy {
	struct fuzz_policy_rule rules[FUZZ_POLICY_RULES_MAX];
	size_t n_rules;
};

/*
 * Reads @path into @p. Returns 0, or a negative errno with "line N:
 * reason" (or the system's reason) in @err.
 */
int fuzz_policy_load(const char *path, struct fuzz_policy *p, char *err,
		     size_t err_size);
/* The rule accepting a difference in @field of a frame of @pclass, or NULL. */
const struct fuzz_policy_rule *fuzz_policy_match(const struct fuzz_policy *p,
						 const char *pclass,
						 const char *field);

/* What is fuzzed and how it is judged: read-only while fuzzing. */
struct fuzz_target {
	struct dissector *dis;		/* under test */
	struct dissector *ref;		/* -d REFERENCE, or NULL */
	const struct testrun_kernel *kernel;
	unsigned int oracles;		/* bit per enum fuzz_oracle */
	enum gen_policy spec_policy;
	const struct fuzz_policy *policy;	/* NULL: accept nothing */
};

/*
 * What the spec oracle expects of one input, in the target's spec policy.
 * The engine derives it on its calling thread as it makes the input, so
 * that a test-run thread only runs and compares.
 */
struct fuzz_spec {
	bool checked;			/* the spec settles the input */
	struct golden_line exp[FDTEST_STATE_COUNT][FDTEST_FLAGS_KNOWN + 1];
};

/*
 * Derives @spec from @pkt, the input's built description, or NULL for
 * bytes alone, which the spec does not judge. @all is scratch: large.
 */
void fuzz_spec_derive(const struct fuzz_target *t,
		      const struct gen_packet *pkt,
		      struct gen_expectations *all, struct fuzz_spec *spec);

/* An oracle broken in one field, by one input. */
struct fuzz_issue {
	uint8_t oracle;			/* enum fuzz_oracle */
	char field[24];
};

/* One difference, with the case it was seen in. */
struct fuzz_diff {
	uint8_t oracle;
	uint8_t state;
	uint8_t flags;
	struct diff d;
};

#define FUZZ_CASES	(FDTEST_STATE_COUNT * (FDTEST_FLAGS_KNOWN + 1))
#define FUZZ_ISSUES_MAX	16
#define FUZZ_DIFFS_MAX	256
#define FUZZ_FEATURES	FUZZ_CASES

/* One input's results: the dissector's [0], the reference's [1]. */
struct fuzz_results {
	struct testrun_result r[2][FDTEST_STATE_COUNT][FDTEST_FLAGS_KNOWN + 1];
};

/*
 * One input's evaluation, and the scratch it needs: about 70 KiB, so
 * one per slot, made once.
 */
struct fuzz_eval {
	/* out */
	struct fuzz_issue issues[FUZZ_ISSUES_MAX]; /* unique oracle+field */
	size_t n_issues;
	uint32_t features[FUZZ_FEATURES];	/* result shapes */
	size_t n_features;
	struct fuzz_diff diffs[FUZZ_DIFFS_MAX];
	size_t n_diffs;
	bool keep_diffs;		/* in: fill diffs (finding output) */
	const struct fuzz_spec *spec;	/* what the spec oracle applied */
	/* scratch */
	struct frame_states shape;
	struct fuzz_results res;
	struct diff tmp[COMPARE_DIFFS_MAX];
};

/*
 * Runs @in (with @spec, from fuzz_spec_derive(), or NULL for bytes
 * alone) through the target's dissectors, programs @fd and @ref_fd, in
 * every state and input-flag set, and applies the oracles. ev->spec
 * points at @spec when the spec oracle applied, else is NULL. Returns
 * the number of test runs made, or a negative errno of a test run.
 */
int fuzz_check(const struct fuzz_target *t, int fd, int ref_fd,
	       const struct fuzz_input *in, const struct fuzz_spec *spec,
	       struct fuzz_eval *ev);

/*
 * fuzz_check() in two halves, so that the engine can run an input on a
 * test-run thread and judge it on the calling thread. fuzz_run_cases()
 * shapes @in into @shape and runs it into @res, returning the number of
 * test runs or a negative errno; fuzz_judge() applies the oracles to
 * them, filling @ev's issues, features and differences.
 */
int fuzz_run_cases(const struct fuzz_target *t, int fd, int ref_fd,
		   const struct fuzz_input *in, struct frame_states *shape,
		   struct fuzz_results *res);
void fuzz_judge(const struct fuzz_target *t, const struct fuzz_input *in,
		const struct fuzz_spec *spec, const struct frame_states *shape,
		const struct fuzz_results *res, struct fuzz_eval *ev);

/* True when @ev broke @oracle in @field. */
bool fuzz_eval_has(const struct fuzz_eval *ev, enum fuzz_oracle oracle,
		   const char *field);

/* ---- the engine (fuzz.c), minimising (fuzz_min.c), output (fuzz_out.c) */

struct fuzz_opts {
	uint64_t seed;
	uint64_t max_inputs;		/* 0: no bound */
	double max_seconds;		/* 0: no bound */
	unsigned int jobs;		/* test-run threads; 0: the caller's */
	const char *out_dir;		/* findings, or NULL */
	char *const *seeds;		/* seed captures */
	size_t n_seeds;
	volatile sig_atomic_t *stop;	/* set by SIGINT */
	bool progress;
};

#define FUZZ_FINDING_CLASSES 64

struct fuzz_finding {
	uint8_t oracle;
	char field[24];
	uint64_t count;			/* inputs that broke it */
	uint64_t first;			/* index of the first such input */
	struct fuzz_input min;		/* minimised */
	char pclass[FUZZ_CLASS_MAX];	/* fuzz_class() of min */
	/* the classes of the inputs that broke it, as they came */
	struct {
		char name[FUZZ_CLASS_MAX];
		uint64_t count;
	} classes[FUZZ_FINDING_CLASSES];
	size_t n_classes;
	uint64_t unlisted;		/* inputs of classes past those */
	char file[64];			/* "<oracle>-<field>", in out_dir */
	int write_err;			/* 0, or why it was not written */
};

#define FUZZ_FINDINGS_MAX 128

struct fuzz_stats {
	uint64_t inputs;
	uint64_t runs;			/* test runs while fuzzing */
	uint64_t min_runs;		/* test runs while minimising */
	size_t corpus;
	size_t coverage;		/* result shapes seen */
	double seconds;
	bool interrupted;
	struct fuzz_finding *findings;	/* owned by the caller */
	size_t n_findings;
};

/* Minimises findings on one thread; its scratch is large: made once. */
struct fuzz_minimiser {
	const struct fuzz_target *t;
	volatile sig_atomic_t *stop;	/* set: keep what there is */
	struct gen_packet pkt;
	struct gen_expectations all;
	struct fuzz_spec spec;
	struct fuzz_eval ev;
	struct fuzz_input cand;
	uint64_t tries;
	uint64_t runs;			/* test runs made */
	int run_err;			/* a test run failed: -errno */
};

/*
 * Runs @in (built from its description, if any) into m->ev; true when it
 * still breaks @f's oracle in @f's field.
 */
bool fuzz_reproduces(struct fuzz_minimiser *m, const struct fuzz_finding *f,
		     struct fuzz_input *in);
/*
 * Shrinks f->min while it reproduces, then leaves m->ev on it with its
 * differences, and sets f->pclass.
 */
void fuzz_minimise(struct fuzz_minimiser *m, struct fuzz_finding *f);

/*
 * Writes @f into @out_dir (see README: NAME.pcap, .txt, .diff and
 * expected/DISSECTOR/NAME.json) from @ev, the evaluation of f->min.
 * Returns 0 or a negative errno.
 */
int fuzz_finding_write(const char *out_dir, const struct fuzz_target *t,
		       const struct fuzz_eval *ev,
		       const struct fuzz_finding *f);

/*
 * Fuzzes @t until a bound of @o is reached or *o->stop is set, writing
 * each finding to o->out_dir as soon as it is minimised. @stats->findings
 * must have room for FUZZ_FINDINGS_MAX. Returns 0 or a negative errno with
 * one line in @err (a seed capture unusable, a test run refused).
 */
int fuzz_run(const struct fuzz_opts *o, const struct fuzz_target *t,
	     struct fuzz_stats *stats, char *err, size_t err_size);

#endif /* FDTEST_FUZZ_H */
