// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fdtest diff's reporter table and hooks (see diff_report.h). */
#include <string.h>

#include "report/diff_report.h"
#include "report/report.h"

static const struct diff_reporter_ops *const diff_reporters[] = {
	&diff_text_ops,
};

#define N_DIFF_REPORTERS (sizeof(diff_reporters) / sizeof(diff_reporters[0]))

const struct diff_reporter_ops *diff_report_find(const char *name)
{
	for (size_t i = 0; i < N_DIFF_REPORTERS; i++)
		if (strcmp(diff_reporters[i]->name, name) == 0)
			return diff_reporters[i];
	return NULL;
}

int diff_report_formats(char *buf, size_t size)
{
	const char *names[N_DIFF_REPORTERS];

	for (size_t i = 0; i < N_DIFF_REPORTERS; i++)
		names[i] = diff_reporters[i]->name;
	return report_name_list(buf, size, names, N_DIFF_REPORTERS);
}

void diff_report_run_begin(struct diff_report *r)
{
	if (r->ops->run_begin)
		r->ops->run_begin(r);
}

void diff_report_capture_begin(struct diff_report *r, const char *capture)
{
	if (r->ops->capture_begin)
		r->ops->capture_begin(r, capture);
}

void diff_report_frame_skipped(struct diff_report *r, const char *capture,
			       uint32_t index, const char *why)
{
	if (r->ops->frame_skipped)
		r->ops->frame_skipped(r, capture, index, why);
}

void diff_report_case(struct diff_report *r, const struct diff_case *c)
{
	if (r->ops->case_differs)
		r->ops->case_differs(r, c);
}

void diff_report_capture_end(struct diff_report *r, const char *capture,
			     const struct diff_counts *counts)
{
	if (r->ops->capture_end)
		r->ops->capture_end(r, capture, counts);
}

void diff_report_run_end(struct diff_report *r,
			 const struct diff_counts *total, int exit_code)
{
	if (r->ops->run_end)
		r->ops->run_end(r, total, exit_code);
}
