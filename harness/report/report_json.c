// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The JSON report: JSON Lines, one object per case (the golden line's
 * fields plus dissector, capture, verdict and differences), one per
 * skipped frame, one summary per capture and one for the run.
 */
#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "report/report.h"
#include "util/utf8.h"

/*
 * Writes @s as a JSON string, escaped by jansson; bytes that are not
 * UTF-8 (a capture named in Latin-1) become U+FFFD. Without memory the
 * report is wrong, and says so through its error, which decides the
 * exit code.
 */
static void put_string(struct report *r, const char *s)
{
	json_t *v = utf8_json_string(s);

	if (!v) {
		report_set_err(r, -ENOMEM, NULL);
		fputs("null", r->out);
		return;
	}
	if (json_dumpf(v, r->out, JSON_ENCODE_ANY))
		report_set_err(r, -EIO, NULL);
	json_decref(v);
}

static void put_where(struct report *r)
{
	fputs("{\"dissector\":", r->out);
	put_string(r, r->cap->dissector);
	fputs(",\"capture\":", r->out);
	put_string(r, r->cap->capture);
}

static void json_frame_skipped(struct report *r, uint32_t index,
			       const char *why)
{
	put_where(r);
	fprintf(r->out, ",\"frame\":%u,\"skipped\":", index);
	put_string(r, why);
	fputs("}\n", r->out);
}

static const char *const verdict_names[] = {
	[CASE_PASS] = "pass",
	[CASE_FAIL] = "fail",
	[CASE_UNCHECKED] = "unchecked",
};

static void put_diffs(FILE *out, const struct case_result *c)
{
	fputs(",\"diffs\":[", out);
	for (size_t i = 0; i < c->n_diffs; i++) {
		const struct diff *d = &c->diffs[i];

		fprintf(out, "%s{\"field\":\"%s\",", i ? "," : "", d->field);
		if (d->kind == DIFF_INVARIANT)
			fputs("\"kind\":\"invariant\",", out);
		else if (d->kind == DIFF_CONSISTENCY)
			fprintf(out, "\"kind\":\"consistency\",\"other\":\"%s\",",
				fdtest_state_name(d->other));
		else
			fputs("\"kind\":\"golden\",", out);
		/* the values are JSON text already */
		fprintf(out, "\"expected\":%s,\"actual\":%s}", d->expected,
			d->actual);
	}
	fputc(']', out);
}

static void json_frame(struct report *r, const struct frame_result *fr)
{
	char line[KEYS_JSON_LINE_MAX];

	for (size_t i = 0; i < fr->n_cases; i++) {
		const struct case_result *c = &fr->cases[i];
		int len = keys_json_format_result(line, sizeof(line), &c->id,
						  c->ret, c->keys);

		/* never the case today; a case left out would be a lie */
		if (len < 2) {
			report_set_err(r, len < 0 ? len : -EINVAL,
				       "a case's result line could not be formatted");
			continue;
		}
		put_where(r);
		/* the result line without its braces, then ours */
		fputc(',', r->out);
		fwrite(line + 1, 1, (size_t)len - 2, r->out);
		/* a single run's time is noise: shown when timing only */
		if (r->cap->repeat)
			fprintf(r->out, ",\"duration_ns\":%u", c->duration_ns);
		fprintf(r->out, ",\"cut\":%s,\"verdict\":\"%s\"",
			c->cut ? "true" : "false", verdict_names[c->verdict]);
		if (c->no_golden)
			fputs(",\"no_golden\":true", r->out);
		if (c->states_unchecked)
			fputs(",\"states_unchecked\":true", r->out);
		put_diffs(r->out, c);
		fputs("}\n", r->out);
	}
}

static void put_counts(FILE *out, const struct report_counts *c)
{
	fprintf(out,
		"{\"frames\":%llu,\"skipped\":%llu,\"cut\":%llu,\"cases\":%llu,\"passed\":%llu,\"failed\":%llu,\"unchecked\":%llu,\"inconsistent\":%llu,\"broken\":%llu,\"stale\":%llu",
		(unsigned long long)c->frames, (unsigned long long)c->skipped,
		(unsigned long long)c->cut, (unsigned long long)c->cases,
		(unsigned long long)c->passed, (unsigned long long)c->failed,
		(unsigned long long)c->unchecked,
		(unsigned long long)c->inconsistent,
		(unsigned long long)c->broken,
		(unsigned long long)c->stale);
	fprintf(out,
		",\"slow\":%llu,\"no_golden\":%llu,\"no_golden_file\":%llu,\"states_unchecked\":%llu}",
		(unsigned long long)c->slow,
		(unsigned long long)c->no_golden,
		(unsigned long long)c->no_golden_file,
		(unsigned long long)c->states_unchecked);
}

static void json_timing(struct report *r, const struct report_timing *rows,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		put_where(r);
		fprintf(r->out,
			",\"class\":\"%s\",\"repeat\":%u,\"cases\":%llu,\"p50_ns\":%u,\"p90_ns\":%u,\"p99_ns\":%u,\"max_ns\":%u,\"over\":%s",
			rows[i].pclass, r->cap->repeat,
			(unsigned long long)rows[i].runs, rows[i].p50_ns,
			rows[i].p90_ns, rows[i].p99_ns, rows[i].max_ns,
			rows[i].over ? "true" : "false");
		/* a class over --max-ns fails the run: a verdict of its own */
		if (r->cap->max_ns)
			fprintf(r->out, ",\"bound_ns\":%u,\"verdict\":\"%s\"",
				r->cap->max_ns, rows[i].over ? "fail" : "pass");
		fputs("}\n", r->out);
	}
}

static void json_capture_end(struct report *r, const struct report_counts *c)
{
	put_where(r);
	if (!r->cap->update) {
		fputs(",\"golden\":", r->out);
		put_string(r, r->cap->golden);
		fprintf(r->out, ",\"golden_found\":%s",
			r->cap->golden_found ? "true" : "false");
	}
	fputs(",\"summary\":", r->out);
	put_counts(r->out, c);
	fputs("}\n", r->out);
}

static void json_error(struct report *r, const struct report_error *e)
{
	fputs("{\"error\":", r->out);
	put_string(r, e->message);
	if (e->dissector) {
		fputs(",\"dissector\":", r->out);
		put_string(r, e->dissector);
	}
	if (e->capture) {
		fputs(",\"capture\":", r->out);
		put_string(r, e->capture);
	}
	fputs("}\n", r->out);
}

static void json_run_end(struct report *r, const struct report_counts *c,
			 int exit_code)
{
	fputs("{\"total\":", r->out);
	put_counts(r->out, c);
	if (r->run && r->run->expected_dir && !r->run->update) {
		fputs(",\"expected\":", r->out);
		put_string(r, r->run->expected_dir);
	}
	fprintf(r->out, ",\"exit\":%d}\n", exit_code);
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
