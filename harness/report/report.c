// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* What every reporter shares (see report.h). */
#include <errno.h>
#include <string.h>

#include "report/report.h"

/* The formats, in the order --help lists them. */
static const struct {
	const struct reporter_ops *ops;
	const char *note;	/* said beside the name in --help */
} reporters[] = {
	{ &report_text_ops, NULL },
	{ &report_json_ops, "JSON Lines" },
	{ &report_junit_ops, NULL },
};

#define N_REPORTERS (sizeof(reporters) / sizeof(reporters[0]))

const struct reporter_ops *report_find(const char *name)
{
	for (size_t i = 0; i < N_REPORTERS; i++)
		if (strcmp(reporters[i].ops->name, name) == 0)
			return reporters[i].ops;
	return NULL;
}

const char *report_name_at(size_t i, const char **note)
{
	if (i >= N_REPORTERS)
		return NULL;
	if (note)
		*note = reporters[i].note;
	return reporters[i].ops->name;
}

int report_name_list(char *buf, size_t size, const char *const *names,
		     size_t n)
{
	size_t len = 0;
	int w;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
			     names[i]);
		if (w < 0 || (size_t)w >= size - len)
			return -ENOSPC;
		len += (size_t)w;
	}
	return 0;
}

int report_formats(char *buf, size_t size)
{
	const char *names[N_REPORTERS];

	for (size_t i = 0; i < N_REPORTERS; i++)
		names[i] = reporters[i].ops->name;
	return report_name_list(buf, size, names, N_REPORTERS);
}

int report_case_name(char *buf, size_t size, const char *capture,
		     const struct case_id *id)
{
	const char *base = strrchr(capture, '/');

	return snprintf(buf, size, "%s#%u/%s/flags=0x%x",
			base ? base + 1 : capture, id->frame,
			fdtest_state_name(id->state), id->in_flags);
}

void report_counts_case(struct report_counts *counts,
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

void report_counts_add(struct report_counts *to,
		       const struct report_counts *from)
{
	to->frames += from->frames;
	to->skipped += from->skipped;
	to->cut += from->cut;
	to->cases += from->cases;
	to->passed += from->passed;
	to->failed += from->failed;
	to->unchecked += from->unchecked;
	to->inconsistent += from->inconsistent;
	to->broken += from->broken;
	to->stale += from->stale;
	to->slow += from->slow;
	to->no_golden += from->no_golden;
	to->no_golden_file += from->no_golden_file;
	to->states_unchecked += from->states_unchecked;
}

/*
 * A failed write leaves its stream's error flag set and its reason in
 * errno only until the next call: taken right after the hook that made
 * it, so that the message can say "No space left on device".
 */
static void note_stream(struct report *r)
{
	int err = errno;

	if (!r->err && r->out && ferror(r->out))
		report_set_err(r, err ? -err : -EIO, NULL);
}

void report_run_begin(struct report *r, const struct report_run *run)
{
	for (; r; r = r->next) {
		r->run = run;
		if (r->ops->run_begin) {
			r->ops->run_begin(r);
			note_stream(r);
		}
	}
}

void report_capture_begin(struct report *r, const struct report_capture *cap)
{
	for (; r; r = r->next) {
		r->cap = cap;
		if (r->ops->capture_begin) {
			r->ops->capture_begin(r, cap);
			note_stream(r);
		}
	}
}

void report_frame_skipped(struct report *r, uint32_t index, const char *why)
{
	for (; r; r = r->next) {
		if (r->ops->frame_skipped) {
			r->ops->frame_skipped(r, index, why);
			note_stream(r);
		}
	}
}

void report_frame(struct report *r, const struct frame_result *fr)
{
	for (; r; r = r->next) {
		if (r->ops->frame) {
			r->ops->frame(r, fr);
			note_stream(r);
		}
	}
}

void report_timing(struct report *r, const struct report_timing *rows,
		   size_t n)
{
	for (; r; r = r->next) {
		if (r->ops->timing) {
			r->ops->timing(r, rows, n);
			note_stream(r);
		}
	}
}

void report_capture_end(struct report *r, const struct report_counts *counts)
{
	for (; r; r = r->next) {
		if (r->ops->capture_end) {
			r->ops->capture_end(r, counts);
			note_stream(r);
		}
		r->cap = NULL;
	}
}

void report_capture_abort(struct report *r)
{
	for (; r; r = r->next)
		r->cap = NULL;
}

void report_error(struct report *r, const struct report_error *e)
{
	for (; r; r = r->next) {
		if (r->ops->error) {
			r->ops->error(r, e);
			note_stream(r);
		}
	}
}

void report_run_end(struct report *r, const struct report_counts *total,
		    int exit_code)
{
	for (; r; r = r->next) {
		if (r->ops->run_end) {
			r->ops->run_end(r, total, exit_code);
			note_stream(r);
		}
	}
}

void report_set_err(struct report *r, int err, const char *what)
{
	if (!r->err) {
		r->err = err;
		r->err_what = what;
	}
}

int report_finish(struct report *r)
{
	errno = 0;
	if (fflush(r->out) || ferror(r->out))
		report_set_err(r, errno ? -errno : -EIO, NULL);
	return r->err;
}

int report_diff_line(char *buf, size_t size, const struct report_capture *cap,
		     const struct case_result *c, const struct diff *d)
{
	char name[128];

	report_case_name(name, sizeof(name), cap->capture, &c->id);
	switch (d->kind) {
	case DIFF_INVARIANT:
		return snprintf(buf, size, "%s %s: invariant %s broken: %s is %s",
				cap->dissector, name, d->expected, d->field,
				d->actual);
	case DIFF_CONSISTENCY:
		return snprintf(buf, size,
				"%s %s: inconsistent with %s: %s: %s %s, %s %s",
				cap->dissector, name,
				fdtest_state_name(d->other), d->field,
				fdtest_state_name(d->other), d->expected,
				fdtest_state_name(c->id.state), d->actual);
	case DIFF_TWIN:
		return snprintf(buf, size,
				"%s %s: real path differs from test run: %s: test run %s, real %s",
				cap->dissector, name, d->field, d->expected,
				d->actual);
	case DIFF_GOLDEN:
		break;
	}
	return snprintf(buf, size, "%s %s: %s: expected %s, actual %s",
			cap->dissector, name, d->field, d->expected,
			d->actual);
}
