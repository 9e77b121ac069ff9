// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest fuzz: the engine. It works in rounds so that the same --seed
 * finds the same things with any number of threads:
 *   1. a round's inputs are numbered; input i is made from its own random
 *      stream (seed, i) and the corpus as it stood when the round began,
 *      with what the spec expects of it;
 *   2. the worker pool runs them in slots and hands the slots back in
 *      order (worker.h); the oracles judge each input's results (on the
 *      calling thread when the test-run threads leave it a CPU, as it
 *      also makes the inputs then, else on the test-run threads);
 *   3. the calling thread merges results in input order: a result shape
 *      not seen before puts the input in the corpus, a broken oracle is a
 *      finding (new ones are minimised and written at once).
 * Nothing is allocated per input: slots, corpus and findings are made
 * once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/capture.h"
#include "fuzz/fuzz.h"
#include "util/progress.h"
#include "util/worker.h"

#define ROUND_INPUTS	512	/* whatever -j is */
#define SLOT_INPUTS	32
/*
 * A round's first and last slots are small: the test-run threads wait
 * for the first while the calling thread merges the round before and
 * (fill_here) makes its inputs, and all but one wait while the last runs.
 * Slot sizes change nothing else: a round is its inputs, in order.
 */
#define SLOT_INPUTS_MIN	4
/* slot_size() cuts a round into 4, 32 x 14, 30, 15, 7, 4, 4 at most */
#define ROUND_SLOTS	20
#define CORPUS_MAX	4096
#define COVERAGE_BITS	(1u << 20)

struct slot_out {
	int ret;			/* test runs made, or -errno */
	size_t n_issues;
	struct fuzz_issue issues[FUZZ_ISSUES_MAX];
	size_t n_features;
	uint32_t features[FUZZ_FEATURES];
};

struct slot {
	uint64_t first;			/* number of the first input */
	size_t n;
	struct fuzz_input in[SLOT_INPUTS];
	struct fuzz_spec spec[SLOT_INPUTS];
	struct fuzz_results res[SLOT_INPUTS];	/* fill_here: judged later */
	struct slot_out out[SLOT_INPUTS];
	/* the work's scratch */
	struct gen_packet pkt;
	struct gen_expectations all;
	struct fuzz_eval ev;
};

struct engine {
	const struct fuzz_opts *o;
	const struct fuzz_target *t;
	struct fuzz_stats *stats;

	struct fuzz_input *corpus;
	size_t n_corpus;
	size_t round_corpus;		/* what the round's inputs may use */
	/*
	 * Inputs of this round that join the corpus once it is over: the
	 * pool threads read the corpus until then.
	 */
	struct fuzz_input *pending;
	size_t n_pending;
	uint8_t *coverage;		/* a bit per result shape */

	struct slot *slots[ROUND_SLOTS];
	struct worker_pool *pool;
	/*
	 * The calling thread makes the inputs of a slot before handing it
	 * over, and judges their results as it merges them: with -j 1 on
	 * two CPUs it otherwise idles on one while the test-run thread does
	 * that work. With a test-run thread on every CPU each makes and
	 * judges its own, as the calling thread would only take CPU time
	 * from them.
	 */
	bool fill_here;
	struct fuzz_eval judge;		/* fill_here: the calling thread's */

	struct fuzz_minimiser min;	/* the calling thread's own */
};

static bool stopped(const struct fuzz_opts *o)
{
	return o->stop && *o->stop;
}

/* ---- making inputs ----------------------------------------------------- */

static void make_input(const struct engine *e, uint64_t index,
		       struct gen_packet *pkt, struct fuzz_input *in)
{
	size_t n = e->round_corpus;
	struct fuzz_rng r;

	fuzz_rng_seed(&r, e->o->seed, index);
	/* half new stacks, half mutations of what found something new */
	if (n == 0 || fuzz_below(&r, 2) == 0)
		for (int tries = 0; tries < 8; tries++)
			if (!fuzz_input_generate(&r, pkt, in))
				return;
	if (n == 0) {
		snprintf(in->desc, sizeof(in->desc), "eth / ipv4 / udp");
		fuzz_desc_build(in->desc, pkt);
		in->len = pkt->len;
		memcpy(in->bytes, pkt->bytes, pkt->len);
		return;
	}
	*in = e->corpus[fuzz_below(&r, (uint32_t)n)];
	fuzz_input_mutate(&r, in, &e->corpus[fuzz_below(&r, (uint32_t)n)]);
}

/* Input @i of slot @s, and what the spec expects of it. */
static void slot_fill_one(const struct engine *e, struct slot *s, size_t i)
{
	struct fuzz_input *in = &s->in[i];

	make_input(e, s->first + i, &s->pkt, in);
	fuzz_spec_derive(e->t, in->desc[0] ? &s->pkt : NULL, &s->all,
			 &s->spec[i]);
}

/* ---- running inputs (pool threads) ------------------------------------ */

static void slot_out_set(struct slot_out *out, const struct fuzz_eval *ev)
{
	out->n_issues = ev->n_issues;
	memcpy(out->issues, ev->issues, ev->n_issues * sizeof(ev->issues[0]));
	out->n_features = ev->n_features;
	memcpy(out->features, ev->features,
	       ev->n_features * sizeof(ev->features[0]));
}

static void slot_work(void *ctx, unsigned int thread, void *p)
{
	const struct engine *e = ctx;
	struct slot *s = p;
	int fd = dissector_thread_fd(e->t->dis, thread);
	int ref_fd = e->t->ref ? dissector_thread_fd(e->t->ref, thread) : -1;

	s->ev.keep_diffs = false;
	for (size_t i = 0; i < s->n; i++) {
		struct slot_out *out = &s->out[i];

		if (e->fill_here) {
			out->ret = fuzz_run_cases(e->t, fd, ref_fd, &s->in[i],
						  &s->ev.shape, &s->res[i]);
		} else {
			slot_fill_one(e, s, i);
			out->ret = fuzz_check(e->t, fd, ref_fd, &s->in[i],
					      &s->spec[i], &s->ev);
			slot_out_set(out, &s->ev);
		}
		if (out->ret < 0)
			break;
	}
}

/* ---- merging, in input order (calling thread) ------------------------- */

/* fill_here: input @i of @s, run by a test-run thread, judged here. */
static void slot_judge(struct engine *e, struct slot *s, size_t i)
{
	const struct fuzz_input *in = &s->in[i];
	struct fuzz_eval *ev = &e->judge;

	/* it was shaped for its test runs, so it shapes again */
	if (frame_shape(in->bytes, in->len, e->t->kernel->ctx_states,
			&ev->shape)) {
		s->out[i].n_issues = 0;
		s->out[i].n_features = 0;
		return;
	}
	fuzz_judge(e->t, in, &s->spec[i], &ev->shape, &s->res[i], ev);
	slot_out_set(&s->out[i], ev);
}

static struct fuzz_finding *finding_find(struct fuzz_stats *st,
					 const struct fuzz_issue *is)
{
	for (size_t i = 0; i < st->n_findings; i++)
		if (st->findings[i].oracle == is->oracle &&
		    strcmp(st->findings[i].field, is->field) == 0)
			return &st->findings[i];
	return NULL;
}

static void finding_new(struct engine *e, const struct fuzz_issue *is,
			const struct fuzz_input *in, uint64_t index)
{
	struct fuzz_stats *st = e->stats;
	struct fuzz_finding *f;

	if (st->n_findings == FUZZ_FINDINGS_MAX)
		return;
	f = &st->findings[st->n_findings++];
	memset(f, 0, sizeof(*f));
	f->oracle = is->oracle;
	snprintf(f->field, sizeof(f->field), "%s", is->field);
	snprintf(f->file, sizeof(f->file), "%s-%s",
		 fuzz_oracle_name((enum fuzz_oracle)f->oracle), f->field);
	f->first = index;
	f->min = *in;
	fuzz_minimise(&e->min, f);
	e->stats->min_runs = e->min.runs;
	if (e->o->out_dir && !e->min.run_err)
		f->write_err = fuzz_finding_write(e->o->out_dir, e->t,
						  &e->min.ev, f);
}

static void finding_count(struct fuzz_finding *f, const char *cls)
{
	size_t i;

	f->count++;
	for (i = 0; i < f->n_classes; i++)
		if (strcmp(f->classes[i].name, cls) == 0)
			break;
	if (i == FUZZ_FINDING_CLASSES) {
		f->unlisted++;
		return;
	}
	if (i == f->n_classes) {
		snprintf(f->classes[i].name, sizeof(f->classes[i].name), "%s",
			 cls);
		f->n_classes++;
	}
	f->classes[i].count++;
}

static void merge_input(struct engine *e, const struct slot *s, size_t i)
{
	const struct slot_out *out = &s->out[i];
	struct fuzz_stats *st = e->stats;
	char cls[FUZZ_CLASS_MAX];
	bool new_shape = false;

	st->inputs++;
	st->runs += (uint64_t)out->ret;
	for (size_t k = 0; k < out->n_features; k++) {
		uint32_t bit = out->features[k] & (COVERAGE_BITS - 1);

		if (e->coverage[bit / 8] & (1u << (bit % 8)))
			continue;
		e->coverage[bit / 8] |= (uint8_t)(1u << (bit % 8));
		st->coverage++;
		new_shape = true;
	}
	if (new_shape)
		e->pending[e->n_pending++] = s->in[i];
	if (out->n_issues)
		fuzz_class(s->in[i].bytes, s->in[i].len, cls, sizeof(cls));
	for (size_t k = 0; k < out->n_issues; k++) {
		struct fuzz_finding *f = finding_find(st, &out->issues[k]);

		/* after SIGINT it is written as it is, not minimised */
		if (!f) {
			finding_new(e, &out->issues[k], &s->in[i],
				    s->first + i);
			f = finding_find(st, &out->issues[k]);
		}
		if (f)
			finding_count(f, cls);
	}
}

/* ---- set-up and the rounds ------------------------------------------ */

static int load_seeds(struct engine *e, char *err, size_t err_size)
{
	struct capture_frame fr;
	struct capture *cap;
	char why[256];
	int ret = 0;

	for (size_t i = 0; i < e->o->n_seeds; i++) {
		ret = capture_open(e->o->seeds[i], &cap, why, sizeof(why));
		if (ret) {
			snprintf(err, err_size, "seed capture '%s': %s",
				 e->o->seeds[i], why);
			return ret;
		}
		while ((ret = capture_next(cap, &fr, why, sizeof(why))) ==
		       CAPTURE_FRAME || ret == CAPTURE_SKIP) {
			struct fuzz_input *in;

			if (ret == CAPTURE_SKIP || e->n_corpus == CORPUS_MAX)
				continue;
			in = &e->corpus[e->n_corpus++];
			in->len = fr.len < FUZZ_INPUT_MAX ? fr.len :
							    FUZZ_INPUT_MAX;
			memcpy(in->bytes, fr.data, in->len);
			in->desc[0] = '\0';
		}
		capture_close(cap);
		if (ret < 0) {
			snprintf(err, err_size, "seed capture '%s': %s",
				 e->o->seeds[i], why);
			return ret;
		}
	}
	return 0;
}

static int engine_start(struct engine *e, char *err, size_t err_size)
{
	unsigned int jobs = e->o->jobs;
	int ret;

	e->corpus = calloc(CORPUS_MAX, sizeof(*e->corpus));
	e->coverage = calloc(COVERAGE_BITS / 8, 1);
	e->pending = calloc(ROUND_INPUTS, sizeof(*e->pending));
	if (!e->corpus || !e->coverage || !e->pending)
		goto out_nomem;
	for (int i = 0; i < ROUND_SLOTS; i++) {
		e->slots[i] = calloc(1, sizeof(*e->slots[i]));
		if (!e->slots[i])
			goto out_nomem;
	}
	e->fill_here = jobs > 0 && jobs < worker_default_threads();
	/* a program per test-run thread; sharing one is only slower */
	if (jobs > 1) {
		dissector_want_copies(e->t->dis, jobs - 1);
		if (e->t->ref)
			dissector_want_copies(e->t->ref, jobs - 1);
	}
	ret = load_seeds(e, err, err_size);
	if (ret)
		return ret;
	if (e->o->out_dir) {
		struct stat st;

		if (mkdir(e->o->out_dir, 0755) && errno != EEXIST)
			ret = -errno;
		else if (stat(e->o->out_dir, &st))
			ret = -errno;
		else if (!S_ISDIR(st.st_mode))
			ret = -ENOTDIR;
		if (ret) {
			snprintf(err, err_size, "--out '%s': %s",
				 e->o->out_dir, strerror(-ret));
			return ret;
		}
	}
	ret = worker_pool_create(jobs, (void *const *)e->slots, ROUND_SLOTS,
				 slot_work, e, &e->pool);
	if (ret)
		snprintf(err, err_size, "worker threads: %s", strerror(-ret));
	return ret;

out_nomem:
	snprintf(err, err_size, "out of memory");
	return -ENOMEM;
}

static void engine_stop(struct engine *e)
{
	worker_pool_destroy(e->pool);
	for (int i = 0; i < ROUND_SLOTS; i++)
		free(e->slots[i]);
	free(e->pending);
	free(e->coverage);
	free(e->corpus);
}

/*
 * The round's new inputs join the corpus, in input order; a full corpus
 * makes room by dropping an entry picked by the input's number.
 */
static void corpus_grow(struct engine *e, uint64_t first)
{
	for (size_t i = 0; i < e->n_pending; i++) {
		if (e->n_corpus < CORPUS_MAX)
			e->corpus[e->n_corpus++] = e->pending[i];
		else
			e->corpus[(first + i) * 0x9e3779b97f4a7c15ull %
				  CORPUS_MAX] = e->pending[i];
	}
	e->n_pending = 0;
	e->stats->corpus = e->n_corpus;
}

/* The @k-th slot of a round with @left inputs still to hand out. */
static size_t slot_size(int k, uint64_t left)
{
	uint64_t want = left / 2;

	if (k == 0 || want < SLOT_INPUTS_MIN)
		want = SLOT_INPUTS_MIN;
	if (want > SLOT_INPUTS)
		want = SLOT_INPUTS;
	return (size_t)(want < left ? want : left);
}

/* One round: fill every slot, then merge them in order. */
static int round_run(struct engine *e, uint64_t *next, char *err,
		     size_t err_size)
{
	const struct fuzz_opts *o = e->o;
	uint64_t first = *next;
	uint64_t end = first + ROUND_INPUTS;
	struct slot *s;
	int ret = 0;

	if (o->max_inputs && end > o->max_inputs)
		end = o->max_inputs;
	e->round_corpus = e->n_corpus;
	for (int k = 0; *next < end; k++) {
		s = worker_free_slot(e->pool);
		s->first = *next;
		s->n = slot_size(k, end - *next);
		*next += s->n;
		for (size_t i = 0; e->fill_here && i < s->n; i++)
			slot_fill_one(e, s, i);
		worker_submit(e->pool);
	}
	while ((s = worker_wait(e->pool))) {
		for (size_t i = 0; i < s->n && !ret; i++) {
			if (s->out[i].ret < 0) {
				ret = s->out[i].ret;
				snprintf(err, err_size, "test run: %s",
					 strerror(-ret));
				break;
			}
			if (e->fill_here)
				slot_judge(e, s, i);
			merge_input(e, s, i);
			if (e->min.run_err) {
				ret = e->min.run_err;
				snprintf(err, err_size,
					 "test run while minimising: %s",
					 strerror(-ret));
			}
		}
		worker_release(e->pool);
	}
	corpus_grow(e, first);
	return ret;
}

int fuzz_run(const struct fuzz_opts *o, const struct fuzz_target *t,
	     struct fuzz_stats *stats, char *err, size_t err_size)
{
	struct engine *e;
	struct progress prog;
	uint64_t next = 0;
	int ret;

	e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	e->o = o;
	e->t = t;
	e->stats = stats;
	e->min.t = t;
	e->min.stop = o->stop;
	stats->n_findings = 0;
	/* the clock starts with the set-up, as the user waits for it */
	progress_begin(&prog, "fuzz");
	prog.on = prog.on && o->progress;
	ret = engine_start(e, err, err_size);
	if (ret)
		goto out_stop;
	while (!ret && !stopped(o) &&
	       (!o->max_inputs || next < o->max_inputs) &&
	       (!o->max_seconds || progress_elapsed(&prog) < o->max_seconds)) {
		ret = round_run(e, &next, err, err_size);
		stats->seconds = progress_elapsed(&prog);
		progress_line(&prog,
			      "fuzz: %llu inputs, %.0f runs/s, %zu findings, %zu shapes, corpus %zu",
			      (unsigned long long)stats->inputs,
			      stats->seconds > 0 ?
				(double)stats->runs / stats->seconds : 0.0,
			      stats->n_findings, stats->coverage,
			      stats->corpus);
	}
	progress_end(&prog);
	stats->seconds = progress_elapsed(&prog);
	stats->interrupted = stopped(o);
out_stop:
	engine_stop(e);
	free(e);
	return ret;
}
