// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The ring of batches (see batch.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys_json.h"
#include "replay/batch.h"
#include "report/pclass.h"

/* ---- the work: shaping and test runs, on a pool thread ---------------- */

static int run_frame(const struct batch_ring *r, int prog_fd,
		     struct batch *b, size_t i)
{
	const struct replay_opts *o = r->opts;
	struct batch_frame *bf = &b->frames[i];
	struct testrun_result *res = b->res + batch_case(r, i, 0, 0);
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
static void format_lines(const struct batch_ring *r, struct batch *b,
			 size_t i)
{
	const struct replay_opts *o = r->opts;
	const struct batch_frame *bf = &b->frames[i];

	for (int s = 0; s < FDTEST_STATE_COUNT; s++) {
		if (!(o->states & (1u << s)))
			continue;
		for (size_t f = 0; f < o->n_flags; f++) {
			size_t k = batch_case(r, i, s, f);
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
	const struct batch_ring *r = ctx;
	struct batch *b = slot;
	int prog_fd = dissector_thread_fd(r->dis, thread);

	for (size_t i = 0; i < b->n_frames; i++) {
		struct batch_frame *bf = &b->frames[i];

		if (bf->skipped)
			continue;
		bf->ret = run_frame(r, prog_fd, b, i);
		/* the frames after a failure are never looked at */
		if (bf->ret)
			break;
		if (b->lines)
			format_lines(r, b, i);
	}
}

/* ---- reading, on the calling thread ---------------------------------- */

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
static bool batch_fill(struct batch_ring *r, struct capture *cap,
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
			snprintf(r->read_msg, sizeof(r->read_msg),
				 "capture '%s': %s", r->capture, why);
			r->read_err = ret;
			return false;
		}
		if (ret == CAPTURE_SKIP)
			batch_add(b, fr.index, true, why, strlen(why) + 1);
		else
			batch_add(b, fr.index, false, fr.data, fr.len);
	}
	return true;
}

void batch_ring_prime(struct batch_ring *r, struct capture *cap)
{
	struct batch *b;

	while (r->more && (b = worker_free_slot(r->pool))) {
		r->more = batch_fill(r, cap, b);
		if (!b->n_frames)
			break;
		worker_submit(r->pool);
	}
}

struct batch *batch_ring_next(struct batch_ring *r, struct capture *cap)
{
	batch_ring_prime(r, cap);
	return worker_wait(r->pool);
}

void batch_ring_release(struct batch_ring *r)
{
	worker_release(r->pool);
}

/*
 * With threads, two batches each and two more, so the reader stays ahead
 * of them and they stay ahead of the checks; without, one.
 */
int batch_ring_start(struct batch_ring *r)
{
	unsigned int jobs = r->opts->jobs;
	size_t n = jobs ? 2 * (size_t)jobs + 2 : 1;
	size_t n_res = BATCH_FRAMES * FDTEST_STATE_COUNT * r->opts->n_flags;
	int ret;

	r->more = true;
	r->batches = calloc(n, sizeof(*r->batches));
	if (!r->batches)
		return -ENOMEM;
	while (r->n_batches < n) {
		struct batch *b = malloc(sizeof(*b));

		if (!b)
			return -ENOMEM;
		/* owned by batch_ring_stop() from here, whatever follows */
		r->batches[r->n_batches++] = b;
		b->lines = NULL;
		b->line_off = NULL;
		b->line_len = NULL;
		b->res = calloc(n_res, sizeof(*b->res));
		if (!b->res)
			return -ENOMEM;
		if (!r->want_lines)
			continue;
		/* most lines are under 400 bytes; longer ones wait */
		b->lines_size = n_res * 400 + KEYS_JSON_LINE_MAX;
		b->lines = malloc(b->lines_size);
		b->line_off = calloc(n_res, sizeof(*b->line_off));
		b->line_len = calloc(n_res, sizeof(*b->line_len));
		if (!b->lines || !b->line_off || !b->line_len)
			return -ENOMEM;
	}
	ret = worker_pool_create(jobs, (void *const *)r->batches, n,
				 batch_work, r, &r->pool);
	return ret;
}

void batch_ring_stop(struct batch_ring *r)
{
	worker_pool_destroy(r->pool);
	for (size_t i = 0; i < r->n_batches; i++) {
		free(r->batches[i]->res);
		free(r->batches[i]->lines);
		free(r->batches[i]->line_off);
		free(r->batches[i]->line_len);
		free(r->batches[i]);
	}
	free(r->batches);
	r->pool = NULL;
	r->batches = NULL;
	r->n_batches = 0;
}
