// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* One dissector over one capture (see replay.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "golden.h"
#include "keys_json.h"
#include "log.h"
#include "progress.h"
#include "replay.h"

#define CASES_MAX (FDTEST_STATE_COUNT * REPLAY_FLAGS_MAX)

/* Everything one frame needs, allocated once per capture. */
struct replay {
	const struct replay_opts *opts;
	struct dissector *dis;
	struct report *rep;
	struct report_counts *counts;
	const char *capture;
	const char *golden_path;

	struct golden_reader *golden;
	struct golden_writer *writer;
	struct expect next;		/* the golden line not yet matched */
	bool have_next;
	struct case_id last;		/* to catch lines out of order */
	bool have_last;
	uint32_t last_frame;		/* highest frame index seen */

	struct frame_states shape;
	struct testrun_result res[FDTEST_STATE_COUNT][REPLAY_FLAGS_MAX];
	struct case_result cases[CASES_MAX];
	struct diff diffs[CASES_MAX][COMPARE_DIFFS_MAX];
	char line[KEYS_JSON_LINE_MAX];
};

int replay_golden_path(char *buf, size_t size, const char *expected_dir,
		       const char *dissector, const char *capture)
{
	const char *base = strrchr(capture, '/');
	size_t stem;
	int n;

	base = base ? base + 1 : capture;
	stem = strlen(base);
	if (stem > 5 && strcmp(base + stem - 5, ".pcap") == 0)
		stem -= 5;
	else if (stem > 7 && strcmp(base + stem - 7, ".pcapng") == 0)
		stem -= 7;
	n = snprintf(buf, size, "%s/%s/%.*s.json", expected_dir, dissector,
		     (int)stem, base);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * Reads the next golden line, insisting on golden order. Messages name
 * the golden file.
 */
static int golden_advance(struct replay *rp, char *err, size_t err_size)
{
	char why[512];
	int ret;

	rp->have_next = false;
	if (!rp->golden)
		return 0;
	ret = golden_next(rp->golden, &rp->next, why, sizeof(why));
	if (ret < 0)
		snprintf(err, err_size, "golden '%s': %s", rp->golden_path,
			 why);
	if (ret <= 0)
		return ret;
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
	rp->have_next = true;
	return 1;
}

/*
 * The golden line for @id, or NULL. Lines for cases this run leaves out
 * (other states or flags, skipped frames) are passed over.
 */
static const struct expect *golden_find(struct replay *rp,
					const struct case_id *id, int *ret,
					char *err, size_t err_size)
{
	*ret = 0;
	while (rp->have_next && case_id_cmp(&rp->next.id, id) < 0) {
		*ret = golden_advance(rp, err, err_size);
		if (*ret < 0)
			return NULL;
	}
	if (rp->have_next && case_id_cmp(&rp->next.id, id) == 0)
		return &rp->next;
	return NULL;
}

static int run_frame_states(struct replay *rp, const struct capture_frame *fr)
{
	const struct replay_opts *o = rp->opts;
	int fd = dissector_prog_fd(rp->dis);
	int ret;

	ret = frame_shape(fr->data, fr->len, o->kernel->ctx_states,
			  &rp->shape);
	if (ret)
		return ret;
	for (int s = 0; s < FDTEST_STATE_COUNT; s++) {
		if (!(o->states & (1u << s)))
			continue;
		for (size_t f = 0; f < o->n_flags; f++) {
			ret = testrun_one(fd, o->kernel, &rp->shape.state[s],
					  o->flags[f], 1, &rp->res[s][f]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static void check_case(struct replay *rp, struct case_result *c,
		       const struct expect *exp, size_t f)
{
	const struct frame_state *st = &rp->shape.state[c->id.state];
	/* the frame's length in the coordinates the keys are given in */
	uint32_t frame_len = st->len + st->shift;
	const struct testrun_result *states[FDTEST_STATE_COUNT] = { NULL };
	struct diff *diffs = (struct diff *)c->diffs;
	size_t n = 0;

	if (exp)
		n = compare_expect(exp, c->ret, c->keys, diffs,
				   COMPARE_DIFFS_MAX);
	n += compare_invariants(c->ret, c->keys, frame_len, diffs + n,
				COMPARE_DIFFS_MAX - n);
	/* a damaged tag stack has no well-defined stripped form */
	if (rp->opts->consistency && !rp->shape.tag_truncated) {
		size_t before = n;

		for (int s = 0; s < FDTEST_STATE_COUNT; s++)
			if (rp->opts->states & (1u << s))
				states[s] = &rp->res[s][f];
		n += compare_states(states,
			rp->shape.state[FDTEST_STATE_POST_VLAN].shift,
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
	if (n)
		c->verdict = CASE_FAIL;
	else if (exp)
		c->verdict = CASE_PASS;
	else
		c->verdict = rp->opts->require_golden && !rp->opts->update ?
			     CASE_FAIL : CASE_UNCHECKED;
}

static int record_case(struct replay *rp, const struct case_result *c,
		       char *err, size_t err_size)
{
	int ret = keys_json_format_result(rp->line, sizeof(rp->line), &c->id,
					  c->ret, c->keys);

	if (ret >= 0)
		ret = golden_writer_add(rp->writer, rp->line);
	if (ret < 0)
		snprintf(err, err_size, "writing golden: %s", strerror(-ret));
	return ret < 0 ? ret : 0;
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

static int replay_frame(struct replay *rp, const struct capture_frame *fr,
			char *err, size_t err_size)
{
	const struct replay_opts *o = rp->opts;
	struct frame_result out = {
		.index = fr->index,
		.n_flags = o->n_flags,
		.cases = rp->cases,
	};
	int ret;

	ret = run_frame_states(rp, fr);
	if (ret) {
		snprintf(err, err_size,
			 "capture '%s': frame %u: test run failed: %s",
			 rp->capture, fr->index, strerror(-ret));
		return ret;
	}
	out.tags = rp->shape.tags;
	out.pushed = rp->shape.pushed;
	for (int s = 0; s < FDTEST_STATE_COUNT; s++) {
		if (!(o->states & (1u << s)))
			continue;
		for (size_t f = 0; f < o->n_flags; f++) {
			struct case_result *c = &rp->cases[out.n_cases];
			const struct expect *exp;

			memset(c, 0, sizeof(*c));
			c->id.frame = fr->index;
			c->id.state = (enum fdtest_state)s;
			c->id.in_flags = o->flags[f];
			c->ret = rp->res[s][f].ret;
			c->keys = &rp->res[s][f].keys;
			c->duration_ns = rp->res[s][f].duration_ns;
			c->cut = rp->shape.state[s].cut;
			c->diffs = rp->diffs[out.n_cases];
			exp = golden_find(rp, &c->id, &ret, err, err_size);
			if (ret < 0)
				return ret;
			check_case(rp, c, exp, f);
			if (rp->writer) {
				ret = record_case(rp, c, err, err_size);
				if (ret)
					return ret;
			}
			count_case(rp->counts, c);
			out.n_cases++;
		}
	}
	if (rp->shape.state[FDTEST_STATE_PRE_VLAN].cut ||
	    rp->shape.state[FDTEST_STATE_VLANLESS].cut)
		rp->counts->cut++;
	report_frame(rp->rep, &out);
	return 0;
}

/* Golden lines left after the last frame name frames the capture lacks. */
static int golden_check_rest(struct replay *rp, char *err, size_t err_size)
{
	int ret;

	while (rp->have_next) {
		if (rp->next.id.frame > rp->last_frame) {
			snprintf(err, err_size,
				 "golden '%s': line %zu: frame %u, but the capture has %u frames",
				 rp->golden_path, golden_line(rp->golden),
				 rp->next.id.frame, rp->last_frame);
			return -EINVAL;
		}
		ret = golden_advance(rp, err, err_size);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int replay_frames(struct replay *rp, struct capture *cap, char *err,
			 size_t err_size)
{
	struct capture_frame fr;
	struct progress prog;
	uint64_t done, total;
	char why[256];
	int ret;

	progress_begin(&prog, rp->capture);
	for (;;) {
		ret = capture_next(cap, &fr, why, sizeof(why));
		if (ret == CAPTURE_END)
			break;
		if (ret < 0) {
			snprintf(err, err_size, "capture '%s': %s", rp->capture,
				 why);
			break;
		}
		rp->counts->frames++;
		rp->last_frame = fr.index;
		if (ret == CAPTURE_SKIP) {
			rp->counts->skipped++;
			report_frame_skipped(rp->rep, fr.index, why);
			continue;
		}
		ret = replay_frame(rp, &fr, err, err_size);
		if (ret)
			break;
		capture_position(cap, &done, &total);
		progress_update(&prog, rp->counts->frames, done, total);
	}
	progress_end(&prog);
	return ret < 0 ? ret : 0;
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

/* Opens the golden to check against; a missing one is not an error. */
static int golden_prepare(struct replay *rp, const char *path,
			  const char *sha, char *err, size_t err_size)
{
	const struct golden_header *hdr;
	char why[256];
	int ret;

	ret = golden_open(path, &rp->golden, why, sizeof(why));
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		snprintf(err, err_size, "golden '%s': %s", path, why);
		return ret;
	}
	hdr = golden_header(rp->golden);
	if (hdr->sha256[0] && strcmp(hdr->sha256, sha) != 0) {
		p_err("golden '%s' is stale: it was recorded for a capture with SHA-256 %.12s..., this one is %.12s...; re-record it with --update",
		      path, hdr->sha256, sha);
		rp->counts->stale++;
	}
	ret = golden_advance(rp, err, err_size);
	return ret < 0 ? ret : 0;
}

int replay_capture(const struct replay_opts *opts, struct dissector *dis,
		   const char *capture, struct report *rep,
		   struct report_counts *counts, char *err, size_t err_size)
{
	struct golden_header hdr;
	struct report_capture info = { 0 };
	struct capture *cap = NULL;
	struct replay *rp;
	char golden_path[4096];
	char sha[65] = "";
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

	ret = capture_open(capture, &cap, why, sizeof(why));
	if (ret) {
		snprintf(err, err_size, "capture '%s': %s", capture, why);
		goto out_free;
	}
	ret = golden_file_sha256(capture, sha);
	ret = ret ?: replay_golden_path(golden_path, sizeof(golden_path),
					opts->expected_dir,
					dissector_name(dis), capture);
	if (ret) {
		snprintf(err, err_size, "capture '%s': %s", capture,
			 strerror(-ret));
		goto out_close_capture;
	}
	rp->golden_path = golden_path;
	if (opts->update) {
		fill_header(&hdr, rp, sha);
		ret = golden_writer_open(golden_path, &hdr, &rp->writer);
		if (ret) {
			snprintf(err, err_size, "golden '%s': cannot write: %s",
				 golden_path, strerror(-ret));
			goto out_close_capture;
		}
	} else {
		ret = golden_prepare(rp, golden_path, sha, err, err_size);
		if (ret)
			goto out_close_golden;
	}

	info.dissector = dissector_name(dis);
	info.capture = capture;
	info.linktype = capture_linktype(cap);
	info.synthesized = capture_synthesizes(cap);
	info.golden = golden_path;
	info.golden_found = rp->golden != NULL;
	info.update = opts->update;
	info.states = opts->states;
	info.post_vlan_how = opts->kernel->ctx_states ? "ctx_in" :
							 "strip-and-shift";
	report_capture_begin(rep, &info);

	ret = replay_frames(rp, cap, err, err_size);
	if (!ret && rp->golden)
		ret = golden_check_rest(rp, err, err_size);
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

out_close_golden:
	golden_writer_abort(rp->writer);
	golden_close(rp->golden);
out_close_capture:
	capture_close(cap);
out_free:
	free(rp);
	return ret;
}
