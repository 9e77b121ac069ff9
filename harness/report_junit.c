// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The JUnit report, for CI systems: one <testsuite> per run, one
 * <testcase> per dissector and capture, named "dissector/capture". A
 * failing testcase carries every difference as one line of its
 * <failure>, the same lines the text report prints.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Differences kept for one testcase; the rest are counted. */
#define JUNIT_LINES_MAX 1000

struct junit_state {
	char *lines;		/* the failure text of the current testcase */
	size_t len;
	size_t cap;
	size_t n_lines;
	size_t n_dropped;
	char skipped[512];	/* first skipped frame, for system-out */
	uint64_t n_skipped;
};

static struct junit_state js;

static void put_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			/* XML 1.0 has no other control characters */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc('?', out);
			else
				fputc(*s, out);
		}
	}
}

static void add_line(const char *line)
{
	size_t n = strlen(line);

	if (js.n_lines >= JUNIT_LINES_MAX) {
		js.n_dropped++;
		return;
	}
	if (js.len + n + 2 > js.cap) {
		size_t cap = (js.cap + n + 2) * 2;
		char *p = realloc(js.lines, cap);

		if (!p) {
			js.n_dropped++;
			return;
		}
		js.lines = p;
		js.cap = cap;
	}
	memcpy(js.lines + js.len, line, n);
	js.len += n;
	js.lines[js.len++] = '\n';
	js.lines[js.len] = '\0';
	js.n_lines++;
}

static void junit_run_begin(struct report *r)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", r->out);
	fputs("<testsuites name=\"fdtest\">\n<testsuite name=\"fdtest\">\n",
	      r->out);
}

static void junit_capture_begin(struct report *r,
				const struct report_capture *cap)
{
	(void)r;
	(void)cap;
	js.len = 0;
	js.n_lines = 0;
	js.n_dropped = 0;
	js.n_skipped = 0;
	js.skipped[0] = '\0';
	if (js.lines)
		js.lines[0] = '\0';
}

static void junit_frame_skipped(struct report *r, uint32_t index,
				const char *why)
{
	(void)r;
	if (!js.n_skipped++)
		snprintf(js.skipped, sizeof(js.skipped),
			 "frame %u skipped: %s", index, why);
}

static void junit_frame(struct report *r, const struct frame_result *fr)
{
	char line[512];

	for (size_t i = 0; i < fr->n_cases; i++) {
		const struct case_result *c = &fr->cases[i];

		for (size_t d = 0; d < c->n_diffs; d++) {
			report_diff_line(line, sizeof(line), r->cap, c,
					 &c->diffs[d]);
			add_line(line);
		}
		if (!c->n_diffs && c->verdict == CASE_FAIL) {
			char name[128];

			report_case_name(name, sizeof(name), r->cap->capture,
					 &c->id);
			snprintf(line, sizeof(line), "%s %s: no golden line",
				 r->cap->dissector, name);
			add_line(line);
		}
	}
}

static void junit_capture_end(struct report *r,
			      const struct report_counts *c)
{
	const char *base = strrchr(r->cap->capture, '/');
	FILE *out = r->out;

	fputs("<testcase classname=\"", out);
	put_escaped(out, r->cap->dissector);
	fputs("\" name=\"", out);
	put_escaped(out, r->cap->dissector);
	fputc('/', out);
	put_escaped(out, base ? base + 1 : r->cap->capture);
	fputs("\" file=\"", out);
	put_escaped(out, r->cap->capture);
	fputs("\">\n", out);
	if (c->failed || c->stale) {
		fprintf(out,
			"<failure message=\"%llu of %llu cases failed%s\" type=\"mismatch\">",
			(unsigned long long)c->failed,
			(unsigned long long)c->cases,
			c->stale ? ", stale golden" : "");
		if (js.lines)
			put_escaped(out, js.lines);
		if (js.n_dropped)
			fprintf(out, "... and %zu more differences\n",
				js.n_dropped);
		fputs("</failure>\n", out);
	}
	fprintf(out,
		"<system-out>%llu frames, %llu skipped, %llu cases: %llu passed, %llu failed, %llu unchecked",
		(unsigned long long)c->frames, (unsigned long long)c->skipped,
		(unsigned long long)c->cases, (unsigned long long)c->passed,
		(unsigned long long)c->failed,
		(unsigned long long)c->unchecked);
	if (js.skipped[0]) {
		fputs("; ", out);
		put_escaped(out, js.skipped);
	}
	fputs("</system-out>\n</testcase>\n", out);
}

static void junit_error(struct report *r, const char *message)
{
	fputs("<testcase classname=\"fdtest\" name=\"error\">\n"
	      "<error message=\"", r->out);
	put_escaped(r->out, message);
	fputs("\" type=\"error\"/>\n</testcase>\n", r->out);
}

static void junit_run_end(struct report *r, const struct report_counts *c,
			  int exit_code)
{
	(void)c;
	(void)exit_code;
	fputs("</testsuite>\n</testsuites>\n", r->out);
	free(js.lines);
	memset(&js, 0, sizeof(js));
}

const struct reporter_ops report_junit_ops = {
	.name = "junit",
	.run_begin = junit_run_begin,
	.capture_begin = junit_capture_begin,
	.frame_skipped = junit_frame_skipped,
	.frame = junit_frame,
	.capture_end = junit_capture_end,
	.error = junit_error,
	.run_end = junit_run_end,
};
