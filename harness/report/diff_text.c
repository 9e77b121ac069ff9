// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest diff's text report: a line per differing field (case name,
 * field, A's value, B's value), a line per skipped frame, a summary per
 * capture and a total that states the exit code.
 */
#include <stdio.h>

#include "report/diff_report.h"
#include "report/report.h"

static void text_frame_skipped(struct diff_report *r, const char *capture,
			       uint32_t index, const char *why)
{
	fprintf(r->out, "%s#%u: skipped: %s\n", capture, index, why);
}

static void text_case(struct diff_report *r, const struct diff_case *c)
{
	char name[160];

	if (c->name)
		snprintf(name, sizeof(name), "%s", c->name);
	else
		report_case_name(name, sizeof(name), c->capture, &c->id);
	for (size_t i = 0; i < c->n_diffs; i++)
		fprintf(r->out, "%s: %s: %s %s, %s %s\n", name,
			c->diffs[i].field, r->label[0], c->diffs[i].expected,
			r->label[1], c->diffs[i].actual);
}

static void text_capture_end(struct diff_report *r, const char *capture,
			     const struct diff_counts *counts)
{
	fprintf(r->out, "%s vs %s on %s: %llu frames (%llu skipped, %llu cut), %llu cases: %llu same, %llu differ\n",
		r->label[0], r->label[1], capture,
		(unsigned long long)counts->frames,
		(unsigned long long)counts->skipped,
		(unsigned long long)counts->cut,
		(unsigned long long)counts->cases,
		(unsigned long long)(counts->cases - counts->differ),
		(unsigned long long)counts->differ);
}

static void text_run_end(struct diff_report *r,
			 const struct diff_counts *total, int exit_code)
{
	fprintf(r->out, "total: %llu frames, %llu cases: %llu same, %llu differ; exit %d\n",
		(unsigned long long)total->frames,
		(unsigned long long)total->cases,
		(unsigned long long)(total->cases - total->differ),
		(unsigned long long)total->differ, exit_code);
}

const struct diff_reporter_ops diff_text_ops = {
	.name = "text",
	.frame_skipped = text_frame_skipped,
	.case_differs = text_case,
	.capture_end = text_capture_end,
	.run_end = text_run_end,
};
