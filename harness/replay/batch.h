/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The ring of batches between the reader and the test-run threads: the
 * calling thread reads frames into free batches, the pool shapes them
 * into their starting states and test-runs them, and the batches come
 * back to the calling thread in capture order.
 */
#ifndef FDTEST_BATCH_H
#define FDTEST_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "replay/replay.h"
#include "run/dissector.h"
#include "run/frame.h"
#include "run/testrun.h"
#include "util/worker.h"

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
	 * (see batch.c): line_len[k] bytes at lines + line_off[k],
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

struct batch_ring {
	/* in: set before batch_ring_start() */
	const struct replay_opts *opts;
	struct dissector *dis;
	const char *capture;		/* its name, for messages */
	bool want_lines;		/* the work formats lines (--update) */
	/* out: the capture failed after some frames (reason in read_msg) */
	int read_err;
	char read_msg[512];
	/* private */
	bool more;			/* the capture may hold more frames */
	struct worker_pool *pool;
	struct batch **batches;
	size_t n_batches;
};

/* Where frame @i, state @s, flag set @f sits in res[] and the lines. */
static inline size_t batch_case(const struct batch_ring *r, size_t i, int s,
				size_t f)
{
	return (i * FDTEST_STATE_COUNT + (size_t)s) * r->opts->n_flags + f;
}

/* The results of frame @i: state s, flag set f at [s * n_flags + f]. */
static inline const struct testrun_result *
batch_res(const struct batch_ring *r, const struct batch *b, size_t i)
{
	return b->res + batch_case(r, i, 0, 0);
}

/*
 * Allocates the batches and starts the threads (opts->jobs). 0 or a
 * negative errno; what was made is freed by batch_ring_stop() either way.
 */
int batch_ring_start(struct batch_ring *r);
/* Keeps the threads fed: reads ahead while a batch is free. */
void batch_ring_prime(struct batch_ring *r, struct capture *cap);
/*
 * The next batch worked on, in capture order, or NULL once the capture
 * is read and every batch is back (read_err then says why it stopped).
 */
struct batch *batch_ring_next(struct batch_ring *r, struct capture *cap);
/* Gives the batch batch_ring_next() returned back to the ring. */
void batch_ring_release(struct batch_ring *r);
/* Stops the threads and frees the batches; again is fine. */
void batch_ring_stop(struct batch_ring *r);

#endif /* FDTEST_BATCH_H */
