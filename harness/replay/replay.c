// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* One dissector over one capture (see replay.h). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "check/golden.h"
#include "check/golden_cursor.h"
#include "check/golden_path.h"
#include "check/verdict.h"
#include "keys/keys_json.h"
#include "replay/replay.h"
#include "report/pclass.h"
#include "report/timing.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/sha256.h"
#include "util/worker.h"

#define CASES_MAX (FDTEST_STATE_COUNT * REPLAY_FLAGS_MAX)

/*
 * Frames travel from the reader to the test-run threads and back in
 * batches, so that a thread hand-off costs little per frame. A batch
 * holds copies of its frames (or the reasons they are skipped) and, once
 * worked on, their results; a ring of batches bounds memory.
 */
#define BATCH_FRAMES	256
#define BATCH_BYTES	(256u * 1024)
#define BATCH_ROOM	(CAPTURE_KEEP_MAX + 512)	/* a frame or a reason */

struct batch_frame {
	uint32_t index;
	bool skipped;		/* arena holds the reason, NUL-terminated */
	uint32_t off;		/* into the arena */
	uint32_t len;
	/* filled by the work */
	int ret;		/* 0, or -errno of shaping or a test run */
	uint64_t pclass;	/* protocol class, when timing */
	unsigned int tags;
	bool pushed;
	bool tag_truncated;
	struct {
		uint32_t len;
		uint16_t shift;
		bool cut;
	} st[FDTEST_STATE_COUNT];
};

struct batch {
	size_t n_frames;
	size_t used;		/* bytes of the arena */
	struct batch_frame frames[BATCH_FRAMES];
	/* frame i, state s, flag set f: res[(i * STATES + s) * n_flags + f] */
	struct testrun_result *res;
	/*
	 * The result lines of res[], formatted by the work with --update
	 * (see format_lines()): line_len[k] bytes at lines + line_off[k],
	 * NUL-terminated; 0 when the arena ran out and the caller formats.
	 */
	char *lines;
	size_t lines_size;
	size_t lines_used;
	uint32_t *line_off;
	uint16_t *line_len;
	struct frame_states shape;	/* the work's scratch */
	uint8_t arena[BATCH_BYTES];
};

/* Everything one capture needs, allocated once per capture. */
struct replay {
	const struct replay_opts *opts;
	struct dissector *dis;
	struct report *rep;
	struct report_counts *counts;
	const char *capture;
	const char *golden_path;

	struct golden_cursor gc;	/* the golden checked against */
	struct golden_writer *writer;	/* the golden recorded (--update) */
	struct sha256_job *sha;		/* the capture's hash, on its way */
	struct verdict_rules rules;
	uint32_t last_frame;		/* highest frame index seen */

	struct worker_pool *pool;
	bool want_lines;		/* the work formats lines (--update) */
	bool more;			/* the capture may hold more frames */
	struct batch **batches;
	size_t n_batches;
	int read_err;			/* the capture failed after some frames */
	char read_msg[512];

	struct timing *timing;		/* with --repeat */

	struct case_result cases[CASES_MAX];
	struct diff diffs[CASES_MAX][COMPARE_DIFFS_MAX];
	char line[KEYS_JSON_LINE_MAX];
};

/* ---- the work: shaping and test runs, on a pool thread ---------------- */

/* Where frame @i, state @s, flag set @f sits in res[] and the lines. */
static size_t batch_case(const struct replay *rp, size_t i, int s, size_t f)
{
	return (i * FDTEST_STATE_COUNT + (size_t)s) * rp->opts->n_flags + f;
}

static struct testrun_result *batch_res(const struct replay *rp,
					const struct batch *b, size_t i)
{
	return b->res + batch_case(rp, i, 0, 0);
}

static int run_frame(const struct replay *rp, int prog_fd, struct batch *b,
		     size_t i)
{
	const struct replay_opts *o = rp->opts;
	struct batch_frame *bf = &b->frames[i];
	struct testrun_result *res = batch_res(rp, b, i);
	const uint8_t *data = b->arena + bf->off;
	int ret;

	ret = frame_shape(data, bf->len, o->kernel->ctx_states, &b->shape);
	if (ret)
		return ret;
	bf->tags = b->shape.tags;
	bf->pushed = b->shape.pushed;
	bf->tag_truncated = b->shape.tag_truncated;
	if (o->repeat)
		bf->pclass = pclass_of(data, bf->len);
	for (int s = 0; s < FDTEST_STATE_COUNT; s++) {
		const struct frame_state *st = &b->shape.state[s];

		bf->st[s].len = st->len;
		bf->st[s].shift = st->shift;
		bf->st[s].cut = st->cut;
		if (!(o->states & (1u << s)))
			continue;
		for (size_t f = 0; f < o->n_flags; f++) {
			ret = testrun_one(prog_fd, o->kernel, st,
					  o->flags[f],
					  o->repeat ? (int)o->repeat : 1,
					  &res[s * o->n_flags + f]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * With --update every result line is written, and writing 800 bytes a
 * frame keeps the calling thread busy enough that the lines are better
 * formatted here, beside the test runs. When only checking, the calling
 * thread formats each line into one buffer that stays in its cache and
 * compares it there: measured on 1M frames and 2 threads, that costs a
 * third of what formatting here did, where every line went to memory
 * that the other CPU then read back.
 */
static void format_lines(const struct replay *rp, struct batch *b, size_t i)
{
	const struct replay_opts *o = rp->opts;
	const struct batch_frame *bf = &b->frames[i];

	for (int s = 0; s < FDTEST_STATE_COUNT; s++) {
		if (!(o->states & (1u << s)))
			continue;
		for (size_t f = 0; f < o->n_flags; f++) {
			size_t k = batch_case(rp, i, s, f);
			const struct testrun_result *r = &b->res[k];
			struct case_id id = {
				.frame = bf->index,
				.state = (enum fdtest_state)s,
				.in_flags = o->flags[f],
			};
			int n = -ENOSPC;

			if (b->lines_size - b->lines_used >= KEYS_JSON_LINE_MAX)
				n = keys_json_format_result(
					b->lines + b->lines_used,
					KEYS_JSON_LINE_MAX, &id, r->ret,
					&r->keys);
			b->line_len[k] = n > 0 ? (uint16_t)n : 0;
			if (n > 0) {
				b->line_off[k] = (uint32_t)b->lines_used;
				b->lines_used += (size_t)n + 1;
			}
		}
	}
}

static void batch_work(void *ctx, unsigned int thread, void *slot)
{
	const struct replay *rp = ctx;
	struct batch *b = slot;
	int prog_fd = dissector_thread_fd(rp->dis, thread);

	for (size_t i = 0; i < b->n_frames; i++) {
		struct batch_frame *bf = &b->frames[i];

		if (bf->skipped)
			continue;
		bf->ret = run_frame(rp, prog_fd, b, i);
		/* the frames after a failure are never looked at */
		if (bf->ret)
			break;
		if (b->lines)
			format_lines(rp, b, i);
	}
}

/* ---- in order, on the calling thread: goldens, checks, reports ------- */

static void check_case(struct replay *rp, const struct batch_frame *bf,
		       const struct testrun_result *res,
		       struct case_result *c, const struct expect *exp,
		       bool exact, size_t f)
{
	const struct replay_opts *o = rp->opts;
	/* the frame's length in the coordinates the keys are given in */
	struct verdict_frame frame = {
		.len = bf->st[c->id.state].len + bf->st[c->id.state].shift,
		.tag_truncated = bf->tag_truncated,
		.post_vlan_shift = bf->st[FDTEST_STATE_POST_VLAN].shift,
	};
	unsigned int notes;

	if (o->consistency && !bf->tag_truncated)
		for (int s = 0; s < FDTEST_STATE_COUNT; s++)
			if (o->states & (1u << s))
				frame.states[s] = &res[s * o->n_flags + f];
	notes = verdict_case(c, &rp->rules, &frame, exp, exact);
	rp->counts->states_unchecked += c->states_unchecked;
	rp->counts->inconsistent += !!(notes & VERDICT_INCONSISTENT);
	rp->counts->broken += !!(notes & VERDICT_BROKEN);
	rp->counts->no_golden += c->no_golden;
}

static void count_case(struct report_counts *counts,
		       const struct case_result *c)
{
	counts->cases++;
	if (c->verdict == CASE_PASS)
		counts->passed++;
	else if (c->verdict == CASE_FAIL)
		counts->failed++;
	else
		counts->unchecked++;
}

static int golden_unusable(struct replay *rp, int ret, char *err,
			   size_t err_size);

/* One case: its golden line, its checks, its line in a new golden. */
static int replay_case(struct replay *rp, const struct batch_frame *bf,
		       const struct testrun_result *res,
		       struct case_result *c, size_t f, const char *line,
		       int len, char *err, size_t err_size)
{
	const struct expect *exp = NULL;
	bool exact = false;
	int ret;

	/* the result line is needed to match a golden or to write one */
	if (!len && (golden_cursor_pending(&rp->gc) || rp->writer)) {
		line = rp->line;
		len = keys_json_format_result(rp->line, sizeof(rp->line),
					      &c->id, c->ret, c->keys);
		if (len < 0) {
			snprintf(err, err_size,
				 "capture '%s': frame %u: result line too long",
				 rp->capture, bf->index);
			return len;
		}
	}
	ret = golden_cursor_match(&rp->gc, &c->id, len ? line : NULL,
				  (size_t)len, &exp, &exact, err, err_size);
	if (ret)
		ret = golden_unusable(rp, ret, err, err_size);
	if (ret)
		return ret;
	check_case(rp, bf, res, c, exp, exact, f);
	if (rp->writer) {
		ret = golden_writer_add(rp->writer, line);
		if (ret) {
			snprintf(err, err_size, "golden '%s': cannot write: %s",
				 rp->golden_path, strerror(-ret));
			return ret;
		}
	}
	if (rp->timing)
		timing_add(rp->timing, bf->pclass, c->duration_ns);
	count_case(rp->counts, c);
	return 0;
}

static int replay_frame(struct replay *rp, const struct batch *b, size_t i,
			char *err, size_t err_size)
{
	const struct replay_opts *o = rp->opts;
	const struct batch_frame *bf = &b->frames[i];
	const struct testrun_result *res = batch_res(rp, b, i);
	struct frame_result out = {
		.index = bf->index,
		.n_flags = o->n_flags,
		.cases = rp->cases,
		.tags = bf->tags,
		.pushed = bf->pushed,
	};
	size_t k;
	int ret;

	if (bf->ret) {
		snprintf(err, err_size,
			 "capture '%s': frame %u: test run failed: %s",
			 rp->capture, bf->index, strerror(-bf->ret));
		return bf->ret;
	}
	for (int s = 0; s < FDTEST_STATE_COUNT; s++) {
		if (!(o->states & (1u << s)))
			continue;
		for (size_t f = 0; f < o->n_flags; f++) {
			struct case_result *c = &rp->cases[out.n_cases];
			const struct testrun_result *r = &res[s * o->n_flags + f];

			memset(c, 0, sizeof(*c));
			c->id.frame = bf->index;
			c->id.state = (enum fdtest_state)s;
			c->id.in_flags = o->flags[f];
			c->ret = r->ret;
			c->keys = &r->keys;
			c->duration_ns = r->duration_ns;
			c->cut = bf->st[s].cut;
			c->diffs = rp->diffs[out.n_cases];
			k = batch_case(rp, i, s, f);
			ret = replay_case(rp, bf, res, c, f,
					  b->lines ? b->lines + b->line_off[k] :
						     NULL,
					  b->lines ? b->line_len[k] : 0, err,
					  err_size);
			if (ret)
				return ret;
			out.n_cases++;
		}
	}
	if (bf->st[FDTEST_STATE_PRE_VLAN].cut ||
	    bf->st[FDTEST_STATE_VLANLESS].cut)
		rp->counts->cut++;
	report_frame(rp->rep, &out);
	return 0;
}

static int batch_consume(struct replay *rp, struct batch *b,
			 struct capture *cap, struct progress *prog,
			 char *err, size_t err_size)
{
	uint64_t done, total;
	int ret;

	for (size_t i = 0; i < b->n_frames; i++) {
		const struct batch_frame *bf = &b->frames[i];

		rp->counts->frames++;
		rp->last_frame = bf->index;
		if (bf->skipped) {
			rp->counts->skipped++;
			report_frame_skipped(rp->rep, bf->index,
					     (const char *)b->arena + bf->off);
			continue;
		}
		ret = replay_frame(rp, b, i, err, err_size);
		if (ret)
			return ret;
		/* asking the file for its position is a system call */
		if ((rp->counts->frames & 1023) == 0) {
			capture_position(cap, &done, &total);
			progress_update(prog, rp->counts->frames, done, total);
		}
	}
	return 0;
}

/* ---- reading, on the calling thread ----------------------------------- */

static void batch_add(struct batch *b, uint32_t index, bool skipped,
		      const void *data, uint32_t len)
{
	struct batch_frame *bf = &b->frames[b->n_frames++];

	memset(bf, 0, sizeof(*bf));
	bf->index = index;
	bf->skipped = skipped;
	bf->off = (uint32_t)b->used;
	bf->len = len;
	memcpy(b->arena + b->used, data, len);
	b->used += len;
}

/* Fills @b with the next frames; false once the capture has no more. */
static bool batch_fill(struct replay *rp, struct capture *cap,
		       struct batch *b)
{
	struct capture_frame fr;
	char why[256];
	int ret;

	b->n_frames = 0;
	b->used = 0;
	b->lines_used = 0;
	while (b->n_frames < BATCH_FRAMES &&
	       BATCH_BYTES - b->used >= BATCH_ROOM) {
		ret = capture_next(cap, &fr, why, sizeof(why));
		if (ret == CAPTURE_END)
			return false;
		if (ret < 0) {
			/* reported once the frames before it are */
			snprintf(rp->read_msg, sizeof(rp->read_msg),
				 "capture '%s': %s", rp->capture, why);
			rp->read_err = ret;
			return false;
		}
		if (ret == CAPTURE_SKIP)
			batch_add(b, fr.index, true, why, strlen(why) + 1);
		else
			batch_add(b, fr.index, false, fr.data, fr.len);
	}
	return true;
}

/* Keeps the threads fed: reads ahead while a batch is free. */
static void replay_prime(struct replay *rp, struct capture *cap)
{
	struct batch *b;

	while (rp->more && (b = worker_free_slot(rp->pool))) {
		rp->more = batch_fill(rp, cap, b);
		if (!b->n_frames)
			break;
		worker_submit(rp->pool);
	}
}

static int replay_frames(struct replay *rp, struct capture *cap, char *err,
			 size_t err_size)
{
	struct progress prog;
	struct batch *b;
	int ret = 0;

	progress_begin(&prog, rp->capture);
	for (;;) {
		replay_prime(rp, cap);
		b = worker_wait(rp->pool);
		if (!b)
			break;
		ret = batch_consume(rp, b, cap, &prog, err, err_size);
		worker_release(rp->pool);
		if (ret)
			break;
	}
	progress_end(&prog);
	if (!ret && rp->read_err) {
		snprintf(err, err_size, "%s", rp->read_msg);
		ret = rp->read_err;
	}
	return ret;
}

/*
 * The ring: with threads, two batches each and two more, so the reader
 * stays ahead of them and they stay ahead of the checks; without, one.
 */
static int replay_start_pool(struct replay *rp)
{
	unsigned int jobs = rp->opts->jobs;
	size_t n = jobs ? 2 * (size_t)jobs + 2 : 1;
	size_t n_res = BATCH_FRAMES * FDTEST_STATE_COUNT * rp->opts->n_flags;
	int ret;

	rp->batches = calloc(n, sizeof(*rp->batches));
	if (!rp->batches)
		return -ENOMEM;
	while (rp->n_batches < n) {
		struct batch *b = malloc(sizeof(*b));

		if (!b)
			return -ENOMEM;
		/* owned by replay_stop_pool() from here, whatever follows */
		rp->batches[rp->n_batches++] = b;
		b->lines = NULL;
		b->line_off = NULL;
		b->line_len = NULL;
		b->res = calloc(n_res, sizeof(*b->res));
		if (!b->res)
			return -ENOMEM;
		if (!rp->want_lines)
			continue;
		/* most lines are under 400 bytes; longer ones wait */
		b->lines_size = n_res * 400 + KEYS_JSON_LINE_MAX;
		b->lines = malloc(b->lines_size);
		b->line_off = calloc(n_res, sizeof(*b->line_off));
		b->line_len = calloc(n_res, sizeof(*b->line_len));
		if (!b->lines || !b->line_off || !b->line_len)
			return -ENOMEM;
	}
	ret = worker_pool_create(jobs, (void *const *)rp->batches, n,
				 batch_work, rp, &rp->pool);
	return ret;
}

static void replay_stop_pool(struct replay *rp)
{
	worker_pool_destroy(rp->pool);
	for (size_t i = 0; i < rp->n_batches; i++) {
		free(rp->batches[i]->res);
		free(rp->batches[i]->lines);
		free(rp->batches[i]->line_off);
		free(rp->batches[i]->line_len);
		free(rp->batches[i]);
	}
	free(rp->batches);
	rp->pool = NULL;
	rp->batches = NULL;
	rp->n_batches = 0;
}

static void fill_header(struct golden_header *hdr, const struct replay *rp,
			const char *sha)
{
	const char *base = strrchr(rp->capture, '/');

	memset(hdr, 0, sizeof(*hdr));
	snprintf(hdr->capture, sizeof(hdr->capture), "%s",
		 base ? base + 1 : rp->capture);
	snprintf(hdr->sha256, sizeof(hdr->sha256), "%s", sha);
	snprintf(hdr->dissector, sizeof(hdr->dissector), "%s",
		 dissector_name(rp->dis));
	hdr->states = rp->opts->states;
	hdr->n_flags = rp->opts->n_flags;
	memcpy(hdr->in_flags, rp->opts->flags,
	       rp->opts->n_flags * sizeof(hdr->in_flags[0]));
}

/*
 * Quantiles per protocol class, to the reports; classes whose p99 is
 * over --max-ns are counted as slow.
 */
static void report_timings(struct replay *rp)
{
	struct report_timing rows[TIMING_CLASSES_MAX + 1];
	char names[TIMING_CLASSES_MAX + 1][PCLASS_NAME_MAX];
	struct timing *t = rp->timing;

	timing_sort(t);
	for (size_t i = 0; i < t->n_rows; i++) {
		const struct hist *h = &t->rows[i].hist;

		rows[i].pclass = pclass_name(t->rows[i].pclass, names[i],
					     sizeof(names[i]));
		rows[i].runs = h->n;
		rows[i].p50_ns = hist_quantile(h, 0.50);
		rows[i].p90_ns = hist_quantile(h, 0.90);
		rows[i].p99_ns = hist_quantile(h, 0.99);
		rows[i].max_ns = h->max;
		rows[i].over = rp->opts->max_ns &&
			       rows[i].p99_ns > rp->opts->max_ns;
		if (rows[i].over)
			rp->counts->slow++;
	}
	report_timing(rp->rep, rows, t->n_rows);
}

/* The capture's SHA-256 once hashed, or NULL when hashing failed. */
static const char *replay_sha(struct replay *rp)
{
	return sha256_job_wait(rp->sha) ? NULL : rp->sha->hex;
}

/*
 * The golden cannot be read on: malformed, or a note when stale (see
 * golden_cursor_unusable()).
 */
static int golden_unusable(struct replay *rp, int ret, char *err,
			   size_t err_size)
{
	if (!rp->gc.golden)
		return ret;
	return golden_cursor_unusable(&rp->gc, ret, replay_sha(rp), err,
				      err_size);
}

/* Opens the golden to check against; a missing one is not an error. */
static int golden_prepare(struct replay *rp, const char *path, char *err,
			  size_t err_size)
{
	const struct golden_run run = {
		.capture = rp->capture,
		.dissector = dissector_name(rp->dis),
		.states = rp->opts->states,
		.flags = rp->opts->flags,
		.n_flags = rp->opts->n_flags,
	};

	return golden_cursor_open(&rp->gc, path, &run, err, err_size);
}

int replay_capture(const struct replay_opts *opts, struct dissector *dis,
		   const char *capture, struct replay_sha *known,
		   struct report *rep, struct report_counts *counts,
		   char *err, size_t err_size)
{
	struct golden_header hdr;
	struct report_capture info = { 0 };
	struct capture *cap = NULL;
	struct replay *rp;
	struct sha256_job sha = { .path = capture };
	bool streamed = strcmp(capture, "-") == 0;
	char path[4096];
	char why[512];
	int ret;

	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return -ENOMEM;
	rp->opts = opts;
	rp->dis = dis;
	rp->rep = rep;
	rp->counts = counts;
	rp->capture = capture;
	rp->rules.consistency = opts->consistency;
	rp->rules.update = opts->update;
	rp->rules.require_golden = opts->require_golden;
	/* standard input has a golden only by --name */
	if (streamed && opts->stdin_name)
		rp->capture = opts->stdin_name;

	if (opts->repeat) {
		rp->timing = timing_new();
		if (!rp->timing) {
			ret = -ENOMEM;
			snprintf(err, err_size, "capture '%s': %s", capture,
				 strerror(-ret));
			goto out_free;
		}
	}
	ret = capture_open(capture, &cap, why, sizeof(why));
	if (ret) {
		snprintf(err, err_size, "capture '%s': %s", capture, why);
		goto out_free;
	}
	/* standard input was hashed as it was read in */
	if (streamed) {
		snprintf(sha.hex, sizeof(sha.hex), "%s", capture_sha256(cap));
		sha.taken = true;
	}
	ret = golden_path(path, sizeof(path), opts->expected_dir,
			  dissector_name(dis), rp->capture);
	if (ret) {
		snprintf(err, err_size, "capture '%s': %s", capture,
			 strerror(-ret));
		goto out_close_capture;
	}
	rp->golden_path = path;
	rp->sha = &sha;
	rp->want_lines = opts->update;
	rp->more = true;
	if (!streamed && known && known->hex[0]) {
		memcpy(sha.hex, known->hex, sizeof(sha.hex));
		sha.taken = true;
	}
	if (opts->update)
		sha256_job_start(&sha);
	ret = replay_start_pool(rp);
	if (ret) {
		snprintf(err, err_size, "capture '%s': starting %u threads: %s",
			 capture, opts->jobs, strerror(-ret));
		goto out_stop_pool;
	}
	replay_prime(rp, cap);
	if (opts->update) {
		ret = sha256_job_wait(&sha);
		if (ret) {
			snprintf(err, err_size, "capture '%s': %s", capture,
				 strerror(-ret));
			goto out_stop_pool;
		}
		fill_header(&hdr, rp, sha.hex);
		ret = golden_writer_open(path, &hdr, &rp->writer, why,
					 sizeof(why));
		if (ret) {
			snprintf(err, err_size, "golden '%s': cannot write: %s",
				 path, why);
			goto out_stop_pool;
		}
	} else if (!streamed || opts->stdin_name) {
		ret = golden_prepare(rp, path, err, err_size);
		if (ret)
			goto out_stop_pool;
		if (rp->gc.golden)
			sha256_job_start(&sha);
	}

	info.dissector = dissector_name(dis);
	info.capture = rp->capture;
	info.linktype = capture_linktype(cap);
	info.synthesized = capture_synthesizes(cap);
	info.golden = path;
	info.golden_found = rp->gc.golden != NULL;
	if (!info.golden_found && !opts->update)
		counts->no_golden_file++;
	info.update = opts->update;
	info.states = opts->states;
	info.post_vlan_how = opts->kernel->ctx_states ? "ctx_in" :
							 "strip-and-shift";
	info.repeat = opts->repeat;
	info.max_ns = opts->max_ns;
	report_capture_begin(rep, &info);

	ret = replay_frames(rp, cap, err, err_size);
	replay_stop_pool(rp);
	if (!ret && rp->timing)
		report_timings(rp);
	if (!ret && !counts->frames)
		p_warn("capture '%s' has no frames: nothing was checked",
		       rp->capture);
	if (!ret && streamed && !opts->stdin_name)
		p_warn("capture '-' has no golden name: nothing was checked against a golden (name it with --name NAME)");
	if (!ret && rp->gc.golden) {
		ret = golden_cursor_rest(&rp->gc, rp->last_frame, err,
					 err_size);
		if (ret)
			ret = golden_unusable(rp, ret, err, err_size);
	}
	/* said after an error too: a stale golden is what explains most */
	if (rp->gc.golden) {
		int sha_ret = sha256_job_wait(&sha);

		if (!sha_ret)
			golden_cursor_sha_differs(&rp->gc, sha.hex);
		else if (!ret)
			snprintf(err, err_size, "capture '%s': %s", capture,
				 strerror(-sha_ret));
		ret = ret ?: sha_ret;
	}
	if (rp->gc.stale)
		counts->stale++;
	if (!ret && known && sha.taken && !sha256_job_wait(&sha))
		memcpy(known->hex, sha.hex, sizeof(known->hex));
	if (!ret && rp->writer) {
		ret = golden_writer_commit(rp->writer);
		rp->writer = NULL;
		if (ret)
			snprintf(err, err_size, "golden '%s': cannot write: %s",
				 path, strerror(-ret));
		else
			p_info("recorded %s", path);
	}
	if (!ret)
		report_capture_end(rep, counts);
	else
		report_capture_abort(rep);	/* the caller reports err */

out_stop_pool:
	replay_stop_pool(rp);	/* again is fine */
	sha256_job_wait(&sha);
	golden_writer_abort(rp->writer);
	golden_cursor_close(&rp->gc);
out_close_capture:
	capture_close(cap);
out_free:
	timing_free(rp->timing);
	free(rp);
	return ret;
}
