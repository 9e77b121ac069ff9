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
#include "keys/keys_json.h"
#include "report/pclass.h"
#include "report/timing.h"
#include "run/replay.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/sha256.h"
#include "util/utf8.h"
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

struct sha_job;

/* Everything one capture needs, allocated once per capture. */
struct replay {
	const struct replay_opts *opts;
	struct dissector *dis;
	struct report *rep;
	struct report_counts *counts;
	const char *capture;
	const char *golden_path;

	struct golden_reader *golden;
	struct golden_writer *writer;
	struct sha_job *sha;		/* the capture's hash, on its way */
	bool stale;			/* the golden is another run's */
	bool sha_checked;		/* its hash compared, staleness said */
	const char *raw;		/* the golden line not yet matched */
	size_t raw_len;
	bool have_next;
	bool next_parsed;		/* @next holds @raw parsed */
	struct expect next;
	struct case_id last;		/* to catch lines out of order */
	bool have_last;
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

/* The capture's file name without its folder and .pcap or .pcapng. */
static const char *golden_stem(const char *capture, size_t *len)
{
	const char *base = strrchr(capture, '/');

	base = base ? base + 1 : capture;
	*len = strlen(base);
	if (*len > 5 && strcmp(base + *len - 5, ".pcap") == 0)
		*len -= 5;
	else if (*len > 7 && strcmp(base + *len - 7, ".pcapng") == 0)
		*len -= 7;
	return base;
}

/* "", ".", "..", "...": a folder name that leaves the folder or is none */
static bool only_dots(const char *name)
{
	return name[strspn(name, ".")] == '\0';
}

int replay_golden_check(const char *expected_dir, const char *dissector,
			const char *capture, char *err, size_t err_size)
{
	size_t stem;

	golden_stem(capture, &stem);
	if (!*expected_dir) {
		snprintf(err, err_size,
			 "the goldens' folder is empty: it would put them under /");
		return -EINVAL;
	}
	if (only_dots(dissector) || strchr(dissector, '/')) {
		snprintf(err, err_size,
			 "dissector name '%s' (its file name without .bpf.o) cannot name a folder inside '%s': rename the object",
			 dissector, expected_dir);
		return -EINVAL;
	}
	if (strlen(dissector) > NAME_MAX || stem + 5 > NAME_MAX) {
		snprintf(err, err_size,
			 "the golden's %s name is longer than %d bytes: rename the %s",
			 stem + 5 > NAME_MAX ? "file" : "folder", NAME_MAX,
			 stem + 5 > NAME_MAX ? "capture" : "object");
		return -ENAMETOOLONG;
	}
	return 0;
}

int replay_golden_path(char *buf, size_t size, const char *expected_dir,
		       const char *dissector, const char *capture)
{
	char why[PATH_MAX];
	const char *base;
	size_t stem;
	int n;

	/* a derived path never leaves the goldens' folder */
	n = replay_golden_check(expected_dir, dissector, capture, why,
				sizeof(why));
	if (n)
		return n;
	base = golden_stem(capture, &stem);
	n = snprintf(buf, size, "%s/%s/%.*s.json", expected_dir, dissector,
		     (int)stem, base);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Reads the next golden line as it stands; parsing waits until needed. */
static int golden_read(struct replay *rp, char *err, size_t err_size)
{
	char why[512];
	int ret;

	rp->have_next = false;
	rp->next_parsed = false;
	if (!rp->golden)
		return 0;
	ret = golden_next_line(rp->golden, &rp->raw, &rp->raw_len, why,
			       sizeof(why));
	if (ret < 0)
		snprintf(err, err_size, "golden '%s': %s", rp->golden_path,
			 why);
	rp->have_next = ret > 0;
	return ret < 0 ? ret : 0;
}

/* Parses the pending line, insisting on golden order. */
static int golden_parse(struct replay *rp, char *err, size_t err_size)
{
	char why[512];

	if (keys_json_parse_expect(rp->raw, rp->raw_len, &rp->next, why,
				   sizeof(why))) {
		snprintf(err, err_size, "golden '%s': line %zu: %s",
			 rp->golden_path, golden_line(rp->golden), why);
		return -EINVAL;
	}
	if (rp->have_last && case_id_cmp(&rp->last, &rp->next.id) >= 0) {
		snprintf(err, err_size,
			 "golden '%s': line %zu: frame %u %s flags 0x%x %s: lines must be in capture order (frame, state, in_flags), once each",
			 rp->golden_path, golden_line(rp->golden),
			 rp->next.id.frame,
			 fdtest_state_name(rp->next.id.state),
			 rp->next.id.in_flags,
			 case_id_cmp(&rp->last, &rp->next.id) ?
				"comes too late" : "is a repeat");
		return -EINVAL;
	}
	rp->last = rp->next.id;
	rp->have_last = true;
	rp->next_parsed = true;
	return 0;
}

/*
 * The golden line for @id: *exp, or *exact when the line has the very
 * bytes of @line, the result line this case gives. --update writes
 * exactly that line, so a recorded golden that still holds matches
 * without being parsed: parsing every line costs more than the test run
 * itself. A line that differs in any byte (a partial or hand-written
 * line, another order of fields, a real difference) is parsed and
 * compared field by field. Lines for cases this run leaves out (other
 * states or flags, skipped frames) are passed over.
 */
static int golden_match(struct replay *rp, const struct case_id *id,
			const char *line, size_t len,
			const struct expect **exp, bool *exact, char *err,
			size_t err_size)
{
	int ret, cmp;

	*exp = NULL;
	*exact = false;
	while (rp->have_next) {
		if (!rp->next_parsed) {
			if (line && rp->raw_len == len &&
			    memcmp(rp->raw, line, len) == 0) {
				/* earlier lines were all for earlier cases */
				rp->last = *id;
				rp->have_last = true;
				*exact = true;
				return golden_read(rp, err, err_size);
			}
			ret = golden_parse(rp, err, err_size);
			if (ret)
				return ret;
		}
		cmp = case_id_cmp(&rp->next.id, id);
		if (cmp == 0)
			*exp = &rp->next;
		if (cmp >= 0)
			return 0;
		ret = golden_read(rp, err, err_size);
		if (ret)
			return ret;
	}
	return 0;
}

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
	/* the frame's length in the coordinates the keys are given in */
	uint32_t frame_len = bf->st[c->id.state].len +
			     bf->st[c->id.state].shift;
	const struct testrun_result *states[FDTEST_STATE_COUNT] = { NULL };
	struct diff *diffs = (struct diff *)c->diffs;
	size_t n = 0;

	if (exp)
		n = compare_expect(exp, c->ret, c->keys, diffs,
				   COMPARE_DIFFS_MAX);
	n += compare_invariants(c->ret, c->keys, frame_len, diffs + n,
				COMPARE_DIFFS_MAX - n);
	/*
	 * A damaged or deeper than FRAME_TAGS_MAX tag stack has no
	 * well-defined stripped form: the states are not compared, and
	 * that is counted, not hidden.
	 */
	c->states_unchecked = rp->opts->consistency && bf->tag_truncated;
	if (c->states_unchecked)
		rp->counts->states_unchecked++;
	if (rp->opts->consistency && !bf->tag_truncated) {
		size_t before = n;

		for (int s = 0; s < FDTEST_STATE_COUNT; s++)
			if (rp->opts->states & (1u << s))
				states[s] = &res[s * rp->opts->n_flags + f];
		n += compare_states(states,
			bf->st[FDTEST_STATE_POST_VLAN].shift,
			c->id.state, diffs + n, COMPARE_DIFFS_MAX - n);
		if (n > before)
			rp->counts->inconsistent++;
	}
	for (size_t i = 0; i < n; i++)
		if (diffs[i].kind == DIFF_INVARIANT) {
			rp->counts->broken++;
			break;
		}
	c->n_diffs = n;
	c->no_golden = !exp && !exact && !rp->opts->update;
	if (c->no_golden)
		rp->counts->no_golden++;
	if (n)
		c->verdict = CASE_FAIL;
	else if (exp || exact)
		c->verdict = CASE_PASS;
	else
		c->verdict = rp->opts->require_golden && !rp->opts->update ?
			     CASE_FAIL : CASE_UNCHECKED;
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
	if (!len && (rp->have_next || rp->writer)) {
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
	ret = golden_match(rp, &c->id, len ? line : NULL, (size_t)len,
			   &exp, &exact, err, err_size);
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

/* Golden lines left after the last frame name frames the capture lacks. */
static int golden_check_rest(struct replay *rp, char *err, size_t err_size)
{
	int ret;

	while (rp->have_next) {
		if (!rp->next_parsed) {
			ret = golden_parse(rp, err, err_size);
			if (ret)
				return ret;
		}
		if (rp->next.id.frame > rp->last_frame) {
			snprintf(err, err_size,
				 "golden '%s': line %zu: frame %u, but the capture has %u frames",
				 rp->golden_path, golden_line(rp->golden),
				 rp->next.id.frame, rp->last_frame);
			return -EINVAL;
		}
		ret = golden_read(rp, err, err_size);
		if (ret < 0)
			return ret;
	}
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
 * What names the run a golden was recorded from must be there: without
 * the capture's hash a golden could never be found stale.
 */
static int golden_check_complete(struct replay *rp, char *err,
				 size_t err_size)
{
	const struct golden_header *hdr = golden_header(rp->golden);
	const char *lacks = !hdr->capture[0] ? "capture" :
			    !hdr->sha256[0] ? "sha256" :
			    !hdr->dissector[0] ? "dissector" :
			    !hdr->states ? "states" :
			    !hdr->n_flags ? "in_flags" : NULL;

	if (!lacks)
		return 0;
	snprintf(err, err_size,
		 "golden '%s': line 1: the header's \"%s\" is missing or empty: a golden names the capture (and its SHA-256), dissector, states and flags it was recorded from; record it with --update",
		 rp->golden_path, lacks);
	return -EINVAL;
}

/* "pre-vlan,post-vlan": the states in @states. */
static void states_text(unsigned int states, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int s = 0; s < FDTEST_STATE_COUNT && used < size; s++)
		if (states & (1u << s))
			used += (size_t)snprintf(buf + used, size - used,
						 "%s%s", used ? "," : "",
						 fdtest_state_name(s));
}

/* "0x1,0x3": this run's flag sets the golden was not recorded with. */
static void flags_missing(const struct replay *rp,
			  const struct golden_header *hdr, char *buf,
			  size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t f = 0; f < rp->opts->n_flags && used < size; f++) {
		size_t i = 0;

		while (i < hdr->n_flags &&
		       hdr->in_flags[i] != rp->opts->flags[f])
			i++;
		if (i == hdr->n_flags)
			used += (size_t)snprintf(buf + used, size - used,
						 "%s0x%x", used ? "," : "",
						 rp->opts->flags[f]);
	}
}

/*
 * Whether a header's name is @name as the golden writer stores it: bytes
 * that are not UTF-8 are stored as U+FFFD (utf8.h).
 */
static bool golden_name_is(const char *stored, const char *name)
{
	json_t *v = utf8_json_string(name);
	bool same = v ? strcmp(stored, json_string_value(v)) == 0 :
			strcmp(stored, name) == 0;

	json_decref(v);
	return same;
}

/*
 * A golden recorded for another run is stale (exit 1), each difference
 * said: another dissector (goldens "spec:POLICY" that fdtest gen --spec
 * writes hold for any), another capture name, or states and flag sets
 * this run checks that it was not recorded with. Its capture's bytes are
 * compared once hashed (golden_sha_differs()).
 */
static void golden_check_header(struct replay *rp)
{
	const struct golden_header *hdr = golden_header(rp->golden);
	const char *base = strrchr(rp->capture, '/');
	const char *dis = dissector_name(rp->dis);
	unsigned int states = rp->opts->states & ~hdr->states;
	char more[128];

	base = base ? base + 1 : rp->capture;
	if (!golden_name_is(hdr->dissector, dis) &&
	    strncmp(hdr->dissector, "spec:", 5) != 0) {
		p_err("golden '%s' is stale: it was recorded for dissector '%s', this is '%s'; re-record it with --update",
		      rp->golden_path, hdr->dissector, dis);
		rp->stale = true;
	}
	if (!golden_name_is(hdr->capture, base)) {
		p_err("golden '%s' is stale: it was recorded for capture '%s', this is '%s'; re-record it with --update",
		      rp->golden_path, hdr->capture, base);
		rp->stale = true;
	}
	if (states) {
		states_text(states, more, sizeof(more));
		p_err("golden '%s' is stale: it was recorded without %s (--states), which this run checks; re-record it with --update and this run's --states and --flags",
		      rp->golden_path, more);
		rp->stale = true;
	}
	flags_missing(rp, hdr, more, sizeof(more));
	if (more[0]) {
		p_err("golden '%s' is stale: it was recorded without flag set %s (--flags), which this run checks; re-record it with --update and this run's --states and --flags",
		      rp->golden_path, more);
		rp->stale = true;
	}
}

/* Opens the golden to check against; a missing one is not an error. */
static int golden_prepare(struct replay *rp, const char *path, char *err,
			  size_t err_size)
{
	char why[256];
	int ret;

	ret = golden_open(path, &rp->golden, why, sizeof(why));
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		snprintf(err, err_size, "golden '%s': %s", path, why);
		return ret;
	}
	ret = golden_check_complete(rp, err, err_size);
	if (ret)
		return ret;
	golden_check_header(rp);
	return golden_read(rp, err, err_size);
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

/*
 * The capture's SHA-256 (for the golden's header) is taken on a thread of
 * its own while the frames are test-run: hashing a large capture costs as
 * much as thousands of test runs. A check needs it only at the end, to
 * tell a stale golden, and not at all without a golden; --update needs it
 * before the first line.
 */
struct sha_job {
	const char *path;
	char sha[65];
	int ret;
	pthread_t tid;
	bool running;
	bool taken;		/* started, or known from an earlier dissector */
};

static void *sha_thread(void *arg)
{
	struct sha_job *job = arg;

	job->ret = sha256_file(job->path, job->sha);
	return NULL;
}

static void sha_start(struct sha_job *job)
{
	if (job->taken)
		return;
	job->taken = true;
	job->running = pthread_create(&job->tid, NULL, sha_thread, job) == 0;
	if (!job->running)
		sha_thread(job);
}

/* Waits for the hash; 0 or a negative errno. Again is fine. */
static int sha_wait(struct sha_job *job)
{
	if (job->running) {
		pthread_join(job->tid, NULL);
		job->running = false;
	}
	return job->ret;
}

/*
 * Whether the golden was recorded from other capture bytes: waits for
 * the hash, says it once. False when the hash failed (that error is
 * said at the end).
 */
static bool golden_sha_differs(struct replay *rp)
{
	const struct golden_header *hdr = golden_header(rp->golden);

	if (rp->sha_checked || sha_wait(rp->sha))
		return rp->stale;
	rp->sha_checked = true;
	if (strcmp(hdr->sha256, rp->sha->sha) != 0) {
		p_err("golden '%s' is stale: it was recorded for a capture with SHA-256 %.12s..., this one is %.12s...; re-record it with --update",
		      rp->golden_path, hdr->sha256, rp->sha->sha);
		rp->stale = true;
	}
	return rp->stale;
}

/*
 * The golden cannot be read on (@ret, reason in @err): malformed, exit 2,
 * unless it is stale. A golden of another run explains whatever else is
 * wrong with it (it may name frames this capture lacks), so then the
 * reason is a note and the capture goes on without it: exit 1.
 */
static int golden_unusable(struct replay *rp, int ret, char *err,
			   size_t err_size)
{
	if (!rp->golden || !golden_sha_differs(rp))
		return ret;
	p_warn("%s (not read further: the golden is stale)", err);
	if (err_size)
		err[0] = '\0';
	golden_close(rp->golden);
	rp->golden = NULL;
	rp->have_next = false;
	return 0;
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
	struct sha_job sha = { .path = capture };
	bool streamed = strcmp(capture, "-") == 0;
	char golden_path[4096];
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
		snprintf(sha.sha, sizeof(sha.sha), "%s", capture_sha256(cap));
		sha.taken = true;
	}
	ret = replay_golden_path(golden_path, sizeof(golden_path),
				 opts->expected_dir, dissector_name(dis),
				 rp->capture);
	if (ret) {
		snprintf(err, err_size, "capture '%s': %s", capture,
			 strerror(-ret));
		goto out_close_capture;
	}
	rp->golden_path = golden_path;
	rp->sha = &sha;
	rp->want_lines = opts->update;
	rp->more = true;
	if (!streamed && known && known->hex[0]) {
		memcpy(sha.sha, known->hex, sizeof(sha.sha));
		sha.taken = true;
	}
	if (opts->update)
		sha_start(&sha);
	ret = replay_start_pool(rp);
	if (ret) {
		snprintf(err, err_size, "capture '%s': starting %u threads: %s",
			 capture, opts->jobs, strerror(-ret));
		goto out_stop_pool;
	}
	replay_prime(rp, cap);
	if (opts->update) {
		ret = sha_wait(&sha);
		if (ret) {
			snprintf(err, err_size, "capture '%s': %s", capture,
				 strerror(-ret));
			goto out_stop_pool;
		}
		fill_header(&hdr, rp, sha.sha);
		ret = golden_writer_open(golden_path, &hdr, &rp->writer, why,
					 sizeof(why));
		if (ret) {
			snprintf(err, err_size, "golden '%s': cannot write: %s",
				 golden_path, why);
			goto out_stop_pool;
		}
	} else if (!streamed || opts->stdin_name) {
		ret = golden_prepare(rp, golden_path, err, err_size);
		if (ret)
			goto out_stop_pool;
		if (rp->golden)
			sha_start(&sha);
	}

	info.dissector = dissector_name(dis);
	info.capture = rp->capture;
	info.linktype = capture_linktype(cap);
	info.synthesized = capture_synthesizes(cap);
	info.golden = golden_path;
	info.golden_found = rp->golden != NULL;
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
	if (!ret && rp->golden) {
		ret = golden_check_rest(rp, err, err_size);
		if (ret)
			ret = golden_unusable(rp, ret, err, err_size);
	}
	/* said after an error too: a stale golden is what explains most */
	if (rp->golden) {
		int sha_ret = sha_wait(&sha);

		if (!sha_ret)
			golden_sha_differs(rp);
		else if (!ret)
			snprintf(err, err_size, "capture '%s': %s", capture,
				 strerror(-sha_ret));
		ret = ret ?: sha_ret;
	}
	if (rp->stale)
		counts->stale++;
	if (!ret && known && sha.taken && !sha_wait(&sha))
		memcpy(known->hex, sha.sha, sizeof(known->hex));
	if (!ret && rp->writer) {
		ret = golden_writer_commit(rp->writer);
		rp->writer = NULL;
		if (ret)
			snprintf(err, err_size, "golden '%s': cannot write: %s",
				 golden_path, strerror(-ret));
		else
			p_info("recorded %s", golden_path);
	}
	if (!ret)
		report_capture_end(rep, counts);
	else
		report_capture_abort(rep);	/* the caller reports err */

out_stop_pool:
	replay_stop_pool(rp);	/* again is fine */
	sha_wait(&sha);
	golden_writer_abort(rp->writer);
	golden_close(rp->golden);
out_close_capture:
	capture_close(cap);
out_free:
	timing_free(rp->timing);
	free(rp);
	return ret;
}
