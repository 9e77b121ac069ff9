// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest fuzz: the engine. It works in rounds so that the same --seed
 * finds the same things with any number of threads:
 *   1. a round's inputs are numbered; input i is made from its own random
 *      stream (seed, i) and the corpus as it stood when the round began;
 *   2. the worker pool runs them in slots and hands the slots back in
 *      order (worker.h);
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
#include <unistd.h>
#include <sys/stat.h>

#include "capture.h"
#include "fuzz.h"
#include "gen_pcap.h"
#include "golden.h"
#include "keys_json.h"
#include "log.h"
#include "pclass.h"
#include "progress.h"
#include "report.h"
#include "tmpfiles.h"
#include "worker.h"

#define SLOT_INPUTS	32
#define ROUND_SLOTS	16	/* a round: 512 inputs, whatever -j is */
#define CORPUS_MAX	4096
#define COVERAGE_BITS	(1u << 20)
/* bounds one finding's minimising: a few hundred ms at kernel speed */
#define MIN_TRIES_MAX	10000

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
	struct slot_out out[SLOT_INPUTS];
	/* the work's scratch */
	struct gen_packet pkt;
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

	/* the calling thread's own, for minimising */
	struct gen_packet pkt;
	struct fuzz_eval ev;
	struct fuzz_input cand;
	uint64_t tries;
	int run_err;
};

/* ---- making and running inputs (pool threads) ------------------------ */

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

static void slot_work(void *ctx, unsigned int thread, void *p)
{
	const struct engine *e = ctx;
	struct slot *s = p;
	int fd = dissector_thread_fd(e->t->dis, thread);
	int ref_fd = e->t->ref ? dissector_thread_fd(e->t->ref, thread) : -1;

	s->ev.keep_diffs = false;
	for (size_t i = 0; i < s->n; i++) {
		struct fuzz_input *in = &s->in[i];
		struct slot_out *out = &s->out[i];

		make_input(e, s->first + i, &s->pkt, in);
		out->ret = fuzz_check(e->t, fd, ref_fd, in,
				      in->desc[0] ? &s->pkt : NULL, &s->ev);
		out->n_issues = s->ev.n_issues;
		memcpy(out->issues, s->ev.issues,
		       s->ev.n_issues * sizeof(s->ev.issues[0]));
		out->n_features = s->ev.n_features;
		memcpy(out->features, s->ev.features,
		       s->ev.n_features * sizeof(s->ev.features[0]));
		if (out->ret < 0)
			break;
	}
}

/* ---- minimising (calling thread) -------------------------------------- */

static bool stopped(const struct engine *e)
{
	return e->o->stop && *e->o->stop;
}

/* Runs @in; true when it still breaks @f's oracle in @f's field. */
static bool reproduces(struct engine *e, const struct fuzz_finding *f,
		       struct fuzz_input *in)
{
	const struct gen_packet *pkt = NULL;
	int ret;

	e->tries++;
	if (in->desc[0]) {
		if (fuzz_desc_build(in->desc, &e->pkt))
			return false;
		in->len = e->pkt.len;
		memcpy(in->bytes, e->pkt.bytes, e->pkt.len);
		pkt = &e->pkt;
	}
	ret = fuzz_check(e->t, dissector_prog_fd(e->t->dis),
			 e->t->ref ? dissector_prog_fd(e->t->ref) : -1, in, pkt,
			 &e->ev);
	if (ret < 0) {
		e->run_err = ret;
		return false;
	}
	e->stats->min_runs += (uint64_t)ret;
	return fuzz_eval_has(&e->ev, (enum fuzz_oracle)f->oracle, f->field);
}

/* Fewest bytes, then the shortest description. */
static bool simpler(const struct fuzz_input *a, const struct fuzz_input *b)
{
	if (a->len != b->len)
		return a->len < b->len;
	return strlen(a->desc) < strlen(b->desc);
}

static bool min_budget(const struct engine *e, uint64_t start)
{
	return !stopped(e) && !e->run_err && e->tries - start < MIN_TRIES_MAX;
}

/* A hex value (options, payload) of more than 4 bytes: 4 can go. */
static bool hex_shortens(const char *word)
{
	const char *v = strchr(word, '=');
	size_t n;

	if (!v)
		return false;
	n = strlen(++v);
	return n >= 16 && n % 2 == 0 && strspn(v, "0123456789abcdef") == n;
}

/*
 * @desc with word @word (a field; -1: the whole layer) of layer @layer
 * left out, or with @shorten its hex value 4 bytes shorter. Layers are
 * joined by " / ", words by " ". Returns false when there is no such
 * word or edit, or what is left is not a packet.
 */
static bool desc_edit(const char *desc, int layer, int word, bool shorten,
		      char *out, size_t size)
{
	char copy[FUZZ_DESC_MAX];
	char *rest = copy;
	size_t len = 0;
	bool found = false;

	snprintf(copy, sizeof(copy), "%s", desc);
	out[0] = '\0';
	for (int l = 0; rest; l++) {
		char *sep = strstr(rest, " / ");
		char *save = NULL;
		int w = 0;

		if (sep)
			*sep = '\0';
		if (l == layer && word < 0 && !shorten) {
			found = true;
		} else {
			if (len)
				len += (size_t)snprintf(out + len, size - len,
							" /");
			for (char *t = strtok_r(rest, " ", &save); t;
			     t = strtok_r(NULL, " ", &save), w++) {
				int keep = (int)strlen(t);

				if (l == layer && w == word && w > 0) {
					if (!shorten) {
						found = true;
						continue;
					}
					if (hex_shortens(t)) {
						found = true;
						keep -= 8;
					}
				}
				if (len >= size)
					break;
				len += (size_t)snprintf(out + len, size - len,
							"%s%.*s",
							len ? " " : "", keep,
							t);
			}
		}
		if (len >= size)
			return false;
		rest = sep ? sep + 3 : NULL;
	}
	return found && out[0];
}

/*
 * The shortest cut of @c's frame (its description with "frame trunc=N")
 * that still shows @f and is simpler than f->min: taken into f->min.
 * Returns true when one was found.
 */
static bool min_trunc(struct engine *e, struct fuzz_finding *f,
		      const struct fuzz_input *c, uint64_t start)
{
	const char *rest = c->desc;
	char body[FUZZ_DESC_MAX];
	uint32_t len;

	if (strncmp(rest, "frame trunc=", 12) == 0) {
		rest = strstr(rest, " / ");
		if (!rest)
			return false;
		rest += 3;
	}
	snprintf(body, sizeof(body), "%s", rest);
	if (fuzz_desc_build(body, &e->pkt))
		return false;
	len = e->pkt.len;
	for (uint32_t n = FDTEST_FRAME_MIN; n < len && n < f->min.len &&
	     min_budget(e, start); n++) {
		e->cand = *c;
		if (snprintf(e->cand.desc, sizeof(e->cand.desc),
			     "frame trunc=%u / %s", n, body) >=
		    (int)sizeof(e->cand.desc))
			return false;
		if (reproduces(e, f, &e->cand) && simpler(&e->cand, &f->min)) {
			f->min = e->cand;
			return true;
		}
	}
	return false;
}

/*
 * e->cand, an edit of f->min: taken when it still shows @f and is
 * simpler, or when a cut of it does (the old cut may not fit it).
 */
static bool min_take(struct engine *e, struct fuzz_finding *f,
		     uint64_t start)
{
	struct fuzz_input cut = e->cand;

	if (reproduces(e, f, &e->cand) && simpler(&e->cand, &f->min)) {
		f->min = e->cand;
		return true;
	}
	return !strncmp(cut.desc, "frame trunc=", 12) &&
	       min_trunc(e, f, &cut, start);
}

/*
 * Leaves out whole layers and single fields, and shortens hex values,
 * while the finding holds.
 */
static void min_desc(struct engine *e, struct fuzz_finding *f, uint64_t start)
{
	bool progress = true;

	while (progress && min_budget(e, start)) {
		progress = false;
		for (int l = GEN_LAYERS_MAX; l-- > 0 && !progress;) {
			for (int w = -1; w < 2 * GEN_FIELDS_MAX && !progress &&
			     min_budget(e, start); w++) {
				bool any = false;

				if (w == 0)
					continue;	/* the layer's name */
				for (int sh = 0; sh < 2 && !progress; sh++) {
					e->cand = f->min;
					if (!desc_edit(f->min.desc, l, w, sh,
						       e->cand.desc,
						       sizeof(e->cand.desc)))
						continue;
					any = true;
					progress = min_take(e, f, start);
				}
				if (!any && w > 0)
					break;	/* no such word */
			}
		}
	}
}

/* Bytes alone: the shortest prefix, then chunks left out. */
static void min_bytes(struct engine *e, struct fuzz_finding *f,
		      uint64_t start)
{
	for (uint32_t n = FDTEST_FRAME_MIN; n < f->min.len &&
	     min_budget(e, start); n++) {
		e->cand = f->min;
		e->cand.len = n;
		if (reproduces(e, f, &e->cand)) {
			f->min = e->cand;
			break;
		}
	}
	for (uint32_t chunk = 8; chunk; chunk /= 2) {
		for (uint32_t at = 0; at + chunk <= f->min.len &&
		     f->min.len - chunk >= FDTEST_FRAME_MIN &&
		     min_budget(e, start);) {
			e->cand = f->min;
			memmove(e->cand.bytes + at, e->cand.bytes + at + chunk,
				e->cand.len - at - chunk);
			e->cand.len -= chunk;
			if (reproduces(e, f, &e->cand))
				f->min = e->cand;
			else
				at++;
		}
	}
}

static void minimise(struct engine *e, struct fuzz_finding *f)
{
	uint64_t start = e->tries;
	struct fuzz_input cut;

	if (f->min.desc[0]) {
		min_desc(e, f, start);
		e->cand = f->min;
		cut = e->cand;
		if (min_trunc(e, f, &cut, start))
			min_desc(e, f, start);
	} else {
		min_bytes(e, f, start);
	}
	/* leave the calling thread's evaluation on the final input */
	if (!e->run_err)
		reproduces(e, f, &f->min);
	fuzz_class(f->min.bytes, f->min.len, f->pclass, sizeof(f->pclass));
}

/* ---- writing a finding ---------------------------------------------- */

/*
 * A whole text file or nothing: written to a new file beside its name
 * (O_EXCL: never through a link someone left there), synced, renamed.
 * The one place findings' text is written, so that the project's atomic
 * writer can take it over.
 */
static int write_text(const char *path, const char *text)
{
	char tmp[4096];
	size_t len = strlen(text);
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	tmpfiles_add(tmp);
	errno = 0;
	if (fchmod(fd, 0644) || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd))
		ret = errno ? -errno : -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	tmpfiles_remove(tmp);
	return ret;
}

/* The difference lines of @f's oracle, as `fdtest run` prints them. */
static void diff_lines(const struct engine *e, const struct fuzz_finding *f,
		       char *buf, size_t size)
{
	char capture[96];
	struct report_capture cap = {
		.dissector = dissector_name(e->t->dis),
		.capture = capture,
	};
	size_t len = 0;

	snprintf(capture, sizeof(capture), "%s.pcap", f->file);
	buf[0] = '\0';
	for (size_t i = 0; i < e->ev.n_diffs && len + 1 < size; i++) {
		const struct fuzz_diff *d = &e->ev.diffs[i];
		struct case_result c = {
			.id = { 1, (enum fdtest_state)d->state, d->flags },
		};
		int n;

		if (d->oracle != f->oracle)
			continue;
		n = report_diff_line(buf + len, size - len, &cap, &c, &d->d);
		if (n < 0 || (size_t)n + 1 >= size - len)
			break;
		len += (size_t)n;
		buf[len++] = '\n';
		buf[len] = '\0';
	}
}

/*
 * The golden that makes `fdtest run` see what the oracle saw: the
 * reference's values of the fields that differ (diff), or the spec.
 */
static int finding_golden_line(const struct engine *e,
			       const struct fuzz_finding *f, int s, uint32_t fl,
			       char *line, size_t size)
{
	const struct testrun_result *ref = &e->ev.res[1][s][fl];
	struct expect exp = {
		.id = { 1, (enum fdtest_state)s, fl },
		.keys = ref->keys,
		.layout = keys_layout_of(&ref->keys),
	};
	bool any = false;

	if (f->oracle == FUZZ_ORACLE_SPEC)
		return keys_json_format_expect(line, size,
				&e->ev.spec.exp[e->t->spec_policy][s][fl]);
	for (size_t i = 0; i < e->ev.n_diffs; i++) {
		const struct fuzz_diff *d = &e->ev.diffs[i];
		const struct keys_field *k;

		if (d->oracle != FUZZ_ORACLE_DIFF || d->state != s ||
		    d->flags != fl)
			continue;
		any = true;
		if (strcmp(d->d.field, "ret") == 0) {
			exp.has_ret = true;
			exp.ret = ref->ret;
			continue;
		}
		k = keys_field_find(exp.layout, d->d.field);
		if (k)
			memset(exp.mask + k->offset, 0xff, k->size);
	}
	if (!any)
		return 0;
	return keys_json_format_expect(line, size, &exp);
}

static int write_golden(const struct engine *e, const struct fuzz_finding *f,
			const char *pcap)
{
	struct golden_header hdr = { .states = FDTEST_STATES_ALL };
	struct golden_writer *w;
	char line[KEYS_JSON_LINE_MAX];
	char path[4096];
	int ret;

	snprintf(hdr.capture, sizeof(hdr.capture), "%s.pcap", f->file);
	snprintf(hdr.dissector, sizeof(hdr.dissector), "%s",
		 dissector_name(e->t->dis));
	for (uint32_t fl = 0; fl <= FDTEST_FLAGS_KNOWN; fl++)
		hdr.in_flags[hdr.n_flags++] = fl;
	ret = golden_file_sha256(pcap, hdr.sha256);
	if (ret)
		return ret;
	if (snprintf(path, sizeof(path), "%s/expected/%s/%s.json",
		     e->o->out_dir, hdr.dissector, f->file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = golden_writer_open(path, &hdr, &w);
	if (ret)
		return ret;
	for (int s = 0; s < FDTEST_STATE_COUNT && !ret; s++)
		for (uint32_t fl = 0; fl <= FDTEST_FLAGS_KNOWN && !ret; fl++) {
			ret = finding_golden_line(e, f, s, fl, line,
						  sizeof(line));
			if (ret > 0)
				ret = golden_writer_add(w, line);
		}
	if (ret < 0) {
		golden_writer_abort(w);
		return ret;
	}
	return golden_writer_commit(w);
}

/*
 * Everything a finding leaves in --out: NAME.pcap, NAME.txt (its
 * description, when it has one: `fdtest gen` remakes the capture from
 * it), NAME.diff (the difference lines) and, for the diff and spec
 * oracles, expected/DISSECTOR/NAME.json, the golden `fdtest run` checks
 * it against. Uses the calling thread's evaluation of f->min.
 */
static int write_finding(const struct engine *e, const struct fuzz_finding *f)
{
	static char text[32768];
	struct gen_pcap *g;
	char path[4096];
	char err[256];
	int ret;

	if (snprintf(path, sizeof(path), "%s/%s.pcap", e->o->out_dir,
		     f->file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = gen_pcap_open(path, GEN_LINK_ETH, GEN_FORMAT_PCAP, &g, err,
			    sizeof(err));
	if (ret)
		return ret;
	ret = gen_pcap_add(g, f->min.bytes, f->min.len, 0, 0);
	if (ret) {
		gen_pcap_abort(g);
		return ret;
	}
	ret = gen_pcap_commit(g);
	if (ret)
		return ret;
	if (f->oracle == FUZZ_ORACLE_DIFF || f->oracle == FUZZ_ORACLE_SPEC) {
		ret = write_golden(e, f, path);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), "%s/%s.diff", e->o->out_dir, f->file);
	diff_lines(e, f, text, sizeof(text));
	ret = write_text(path, text);
	if (ret || !f->min.desc[0])
		return ret;
	snprintf(path, sizeof(path), "%s/%s.txt", e->o->out_dir, f->file);
	snprintf(text, sizeof(text), "%s\n", f->min.desc);
	return write_text(path, text);
}

/* ---- merging, in input order (calling thread) ------------------------- */

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
	minimise(e, f);
	e->ev.keep_diffs = true;
	reproduces(e, f, &f->min);
	e->ev.keep_diffs = false;
	if (e->o->out_dir && !e->run_err)
		f->write_err = write_finding(e, f);
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
	e->pending = calloc((size_t)ROUND_SLOTS * SLOT_INPUTS,
			    sizeof(*e->pending));
	if (!e->corpus || !e->coverage || !e->pending)
		goto out_nomem;
	for (int i = 0; i < ROUND_SLOTS; i++) {
		e->slots[i] = calloc(1, sizeof(*e->slots[i]));
		if (!e->slots[i])
			goto out_nomem;
	}
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

/* One round: fill every slot, then merge them in order. */
static int round_run(struct engine *e, uint64_t *next, char *err,
		     size_t err_size)
{
	const struct fuzz_opts *o = e->o;
	uint64_t first = *next;
	struct slot *s;
	int ret = 0;

	e->round_corpus = e->n_corpus;
	for (int k = 0; k < ROUND_SLOTS; k++) {
		uint64_t left = o->max_inputs ? o->max_inputs - *next :
						SLOT_INPUTS;

		if (!left)
			break;
		s = worker_free_slot(e->pool);
		s->first = *next;
		s->n = left < SLOT_INPUTS ? (size_t)left : SLOT_INPUTS;
		*next += s->n;
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
			merge_input(e, s, i);
			if (e->run_err) {
				ret = e->run_err;
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
	stats->n_findings = 0;
	/* the clock starts with the set-up, as the user waits for it */
	progress_begin(&prog, "fuzz");
	prog.on = prog.on && o->progress;
	ret = engine_start(e, err, err_size);
	if (ret)
		goto out_stop;
	while (!ret && !stopped(e) &&
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
	stats->interrupted = stopped(e);
out_stop:
	engine_stop(e);
	free(e);
	return ret;
}
