// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * One dissector over one capture (see replay.h), as a pipeline: the
 * capture is read into batches and shaped and test-run on the pool
 * (batch.c), each case is checked against the golden cursor and judged
 * (check/golden_cursor.c, check/verdict.c), and goes to the reporters;
 * the golden is written beside it with --update. This file only joins
 * the stages, in capture order, on the calling thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "check/golden.h"
#include "check/golden_cursor.h"
#include "check/golden_path.h"
#include "check/verdict.h"
#include "keys/keys_json.h"
#include "replay/batch.h"
#include "replay/replay.h"
#include "report/pclass.h"
#include "report/timing.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/sha256.h"

#define CASES_MAX (FDTEST_STATE_COUNT * REPLAY_FLAGS_MAX)

/* Everything one capture needs, allocated once per capture. */
struct replay {
	const struct replay_opts *opts;
	struct dissector *dis;
	struct report *rep;
	struct report_counts *counts;
	const char *capture;
	const char *golden_path;

	struct golden_cursor gc;	/* the golden checked against */
	struct golden_writer *writer;	/* the golden being recorded */
	struct sha256_job *sha;		/* the capture's hash */
	struct verdict_rules rules;
	uint32_t last_frame;		/* highest frame index seen */

	struct batch_ring ring;		/* frames to threads and back */

	struct timing *timing;		/* with --repeat */

	struct case_result cases[CASES_MAX];
	struct diff diffs[CASES_MAX][COMPARE_DIFFS_MAX];
	char line[KEYS_JSON_LINE_MAX];
};

/* ---- in order, on the calling thread: goldens, checks, reports ------- */

static void check_case(struct replay *rp, const struct batch_frame *bf,
		       const struct testrun_result *res,
		       struct case_result *c, const struct golden_line *exp,
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

static int golden_unusable(struct replay *rp, int ret, char *err,
			   size_t err_size);

/* One case: its golden line, its checks, its line in a new golden. */
static int replay_case(struct replay *rp, const struct batch_frame *bf,
		       const struct testrun_result *res,
		       struct case_result *c, size_t f, const char *line,
		       int len, char *err, size_t err_size)
{
	const struct golden_line *exp = NULL;
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
	report_counts_case(rp->counts, c);
	return 0;
}

static int replay_frame(struct replay *rp, const struct batch *b, size_t i,
			char *err, size_t err_size)
{
	const struct replay_opts *o = rp->opts;
	const struct batch_frame *bf = &b->frames[i];
	const struct testrun_result *res = batch_res(&rp->ring, b, i);
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
			k = batch_case(&rp->ring, i, s, f);
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

static int replay_frames(struct replay *rp, struct capture *cap, char *err,
			 size_t err_size)
{
	struct progress prog;
	struct batch *b;
	int ret = 0;

	progress_begin(&prog, rp->capture);
	for (;;) {
		b = batch_ring_next(&rp->ring, cap);
		if (!b)
			break;
		ret = batch_consume(rp, b, cap, &prog, err, err_size);
		batch_ring_release(&rp->ring);
		if (ret)
			break;
	}
	progress_end(&prog);
	if (!ret && rp->ring.read_err) {
		snprintf(err, err_size, "%s", rp->ring.read_msg);
		ret = rp->ring.read_err;
	}
	return ret;
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
	rp->ring.opts = opts;
	rp->ring.dis = dis;
	rp->ring.capture = rp->capture;
	rp->ring.want_lines = opts->update;
	if (!streamed && known && known->hex[0]) {
		memcpy(sha.hex, known->hex, sizeof(sha.hex));
		sha.taken = true;
	}
	if (opts->update)
		sha256_job_start(&sha);
	ret = batch_ring_start(&rp->ring);
	if (ret) {
		snprintf(err, err_size, "capture '%s': starting %u threads: %s",
			 capture, opts->jobs, strerror(-ret));
		goto out_stop_pool;
	}
	batch_ring_prime(&rp->ring, cap);
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
	batch_ring_stop(&rp->ring);
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
	if (!ret && rp->writer && opts->keep_golden) {
		ret = opts->keep_golden(opts->keep_ctx,
					golden_writer_finish(rp->writer));
		rp->writer = NULL;
		if (ret)
			snprintf(err, err_size, "golden '%s': cannot keep it: %s",
				 path, strerror(-ret));
	} else if (!ret && rp->writer) {
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
	batch_ring_stop(&rp->ring);	/* again is fine */
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
