// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The JSON report: JSON Lines, one object per case (the golden line's
 * fields plus dissector, capture, verdict and differences), one per
 * skipped frame, one summary per capture and one for the run.
 */
#include <errno.h>
#include <string.h>

#include "report/report.h"
#include "util/json_writer.h"

/*
 * Each hook writes its lines through one writer (util/json_writer.h):
 * names that are not UTF-8 (a capture named in Latin-1) hold U+FFFD. A
 * failed write is the stream's error, which report.c takes with its
 * errno; any other failure is the report's error, deciding the exit code.
 */
static void json_open(struct report *r, struct json_writer *w)
{
	jw_init_file(w, r->out, JW_COMPACT);
}

static void json_close(struct report *r, struct json_writer *w)
{
	int err = jw_finish(w);

	if (err && err != -EIO)
		report_set_err(r, err, NULL);
}

static void put_where(struct report *r, struct json_writer *w)
{
	jw_begin_object(w);
	jw_string_field(w, "dissector", r->cap->dissector);
	jw_string_field(w, "capture", r->cap->capture);
}

static void json_frame_skipped(struct report *r, uint32_t index,
			       const char *why)
{
	struct json_writer w;

	json_open(r, &w);
	put_where(r, &w);
	jw_uint_field(&w, "frame", index);
	jw_string_field(&w, "skipped", why);
	jw_end_object(&w);
	jw_line(&w);
	json_close(r, &w);
}

static const char *const verdict_names[] = {
	[CASE_PASS] = "pass",
	[CASE_FAIL] = "fail",
	[CASE_UNCHECKED] = "unchecked",
};

static void put_diffs(struct json_writer *w, const struct case_result *c)
{
	jw_key(w, "diffs");
	jw_begin_array(w);
	for (size_t i = 0; i < c->n_diffs; i++) {
		const struct diff *d = &c->diffs[i];

		jw_begin_object(w);
		jw_string_field(w, "field", d->field);
		if (d->kind == DIFF_INVARIANT) {
			jw_string_field(w, "kind", "invariant");
		} else if (d->kind == DIFF_TWIN) {
			jw_string_field(w, "kind", "test-run");
		} else if (d->kind == DIFF_CONSISTENCY) {
			jw_string_field(w, "kind", "consistency");
			jw_string_field(w, "other",
					fdtest_state_name(d->other));
		} else {
			jw_string_field(w, "kind", "golden");
		}
		/* the values are JSON text already */
		jw_key(w, "expected");
		jw_raw(w, d->expected, strlen(d->expected));
		jw_key(w, "actual");
		jw_raw(w, d->actual, strlen(d->actual));
		jw_end_object(w);
	}
	jw_end_array(w);
}

static void json_case(struct report *r, struct json_writer *w,
		      const struct case_result *c, const char *line,
		      size_t len)
{
	put_where(r, w);
	/* the result line without its braces */
	jw_raw_members(w, line + 1, len - 2);
	/* a single run's time is noise: shown when timing only */
	if (r->cap->repeat)
		jw_uint_field(w, "duration_ns", c->duration_ns);
	jw_bool_field(w, "cut", c->cut);
	jw_string_field(w, "verdict", verdict_names[c->verdict]);
	if (c->no_golden)
		jw_bool_field(w, "no_golden", true);
	if (c->states_unchecked)
		jw_bool_field(w, "states_unchecked", true);
	put_diffs(w, c);
	jw_end_object(w);
	jw_line(w);
}

/* A case of the kernel's C dissector has only the fields it has. */
static int format_partial(char *buf, size_t size, const struct case_result *c)
{
	struct golden_line part = {
		.id = c->id,
		.has_ret = true,
		.ret = c->ret,
		.keys = *c->keys,
	};

	part.layout = keys_layout_of(&part.keys);
	memcpy(part.mask, c->mask, sizeof(part.mask));
	return keys_json_format_golden(buf, size, &part);
}

static void json_frame(struct report *r, const struct frame_result *fr)
{
	char line[KEYS_JSON_LINE_MAX];
	struct json_writer w;

	json_open(r, &w);
	for (size_t i = 0; i < fr->n_cases; i++) {
		const struct case_result *c = &fr->cases[i];
		int len = c->mask ?
			  format_partial(line, sizeof(line), c) :
			  keys_json_format_result(line, sizeof(line), &c->id,
						  c->ret, c->keys);

		/* never the case today; a case left out would be a lie */
		if (len < 2) {
			report_set_err(r, len < 0 ? len : -EINVAL,
				       "a case's result line could not be formatted");
			continue;
		}
		json_case(r, &w, c, line, (size_t)len);
	}
	json_close(r, &w);
}

static void put_counts(struct json_writer *w, const struct report_counts *c)
{
	jw_begin_object(w);
	jw_uint_field(w, "frames", c->frames);
	jw_uint_field(w, "skipped", c->skipped);
	jw_uint_field(w, "cut", c->cut);
	jw_uint_field(w, "cases", c->cases);
	jw_uint_field(w, "passed", c->passed);
	jw_uint_field(w, "failed", c->failed);
	jw_uint_field(w, "unchecked", c->unchecked);
	jw_uint_field(w, "inconsistent", c->inconsistent);
	jw_uint_field(w, "broken", c->broken);
	jw_uint_field(w, "stale", c->stale);
	jw_uint_field(w, "slow", c->slow);
	jw_uint_field(w, "no_golden", c->no_golden);
	jw_uint_field(w, "no_golden_file", c->no_golden_file);
	jw_uint_field(w, "states_unchecked", c->states_unchecked);
	jw_end_object(w);
}

static void json_timing(struct report *r, const struct report_timing *rows,
			size_t n)
{
	struct json_writer w;

	json_open(r, &w);
	for (size_t i = 0; i < n; i++) {
		put_where(r, &w);
		jw_string_field(&w, "class", rows[i].pclass);
		jw_uint_field(&w, "repeat", r->cap->repeat);
		jw_uint_field(&w, "cases", rows[i].runs);
		jw_uint_field(&w, "p50_ns", rows[i].p50_ns);
		jw_uint_field(&w, "p90_ns", rows[i].p90_ns);
		jw_uint_field(&w, "p99_ns", rows[i].p99_ns);
		jw_uint_field(&w, "max_ns", rows[i].max_ns);
		jw_bool_field(&w, "over", rows[i].over);
		/* a class over --max-ns fails the run: a verdict of its own */
		if (r->cap->max_ns) {
			jw_uint_field(&w, "bound_ns", r->cap->max_ns);
			jw_string_field(&w, "verdict",
					rows[i].over ? "fail" : "pass");
		}
		jw_end_object(&w);
		jw_line(&w);
	}
	json_close(r, &w);
}

static void json_capture_end(struct report *r, const struct report_counts *c)
{
	struct json_writer w;

	json_open(r, &w);
	put_where(r, &w);
	if (r->cap->real)
		jw_bool_field(&w, "real", true);
	if (!r->cap->update) {
		jw_string_field(&w, "golden", r->cap->golden);
		jw_bool_field(&w, "golden_found", r->cap->golden_found);
	}
	jw_key(&w, "summary");
	put_counts(&w, c);
	jw_end_object(&w);
	jw_line(&w);
	json_close(r, &w);
}

static void json_error(struct report *r, const struct report_error *e)
{
	struct json_writer w;

	json_open(r, &w);
	jw_begin_object(&w);
	jw_string_field(&w, "error", e->message);
	if (e->dissector)
		jw_string_field(&w, "dissector", e->dissector);
	if (e->capture)
		jw_string_field(&w, "capture", e->capture);
	jw_end_object(&w);
	jw_line(&w);
	json_close(r, &w);
}

static void json_run_end(struct report *r, const struct report_counts *c,
			 int exit_code)
{
	struct json_writer w;

	json_open(r, &w);
	jw_begin_object(&w);
	jw_key(&w, "total");
	put_counts(&w, c);
	if (r->run && r->run->expected_dir && !r->run->update)
		jw_string_field(&w, "expected", r->run->expected_dir);
	jw_key(&w, "exit");
	jw_int(&w, exit_code);
	jw_end_object(&w);
	jw_line(&w);
	json_close(r, &w);
}

const struct reporter_ops report_json_ops = {
	.name = "json",
	.error = json_error,
	.frame_skipped = json_frame_skipped,
	.frame = json_frame,
	.timing = json_timing,
	.capture_end = json_capture_end,
	.run_end = json_run_end,
};
