// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The JUnit report, for CI systems (Jenkins, GitLab, GitHub actions that
 * read JUnit XML): one <testsuite> per run, one <testcase> per dissector
 * and capture, named "dissector/capture". A failing testcase carries
 * every difference as one line of its <failure>, the same lines the text
 * report prints; a capture that could not be used is an <error>; one
 * without frames, or without a golden line for any case, is <skipped>.
 * Skipped frames are listed in system-out.
 *
 * The suite's counts come first in the XML but are known only at the end,
 * so testcases are written to memory and the suite is written whole then.
 * tests/junit.xsd describes the structure; make test validates against it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report.h"
#include "util/clock.h"
#include "util/utf8.h"

/* Lines kept for one testcase; the rest are counted. */
#define JUNIT_LINES_MAX 1000

struct junit_text {
	char *buf;
	size_t len;
	size_t cap;
	size_t n_lines;
	size_t n_dropped;
};

struct junit_state {
	FILE *cases;		/* the testcases, in memory */
	char *cases_buf;
	size_t cases_len;
	struct junit_text diffs;	/* failure text of the current case */
	struct junit_text skipped;	/* its skipped frames */
	char name[512];		/* "dissector/capture" while one runs */
	char classname[256];
	char file[4096];
	struct timespec started;
	unsigned long tests, failures, errors, skips;
	double seconds;
};

static struct junit_state js;

/*
 * XML 1.0 text: markup escaped, control characters it has no place for
 * as '?', and bytes that are not UTF-8 (the file declares it) or are
 * U+FFFE/U+FFFF (not XML characters) as U+FFFD.
 */
static void put_escaped(FILE *out, const char *s)
{
	size_t n;

	for (; *s; s += n) {
		n = utf8_seq_len(s);
		if (!n || (n == 3 && (unsigned char)s[0] == 0xef &&
			   (unsigned char)s[1] == 0xbf &&
			   ((unsigned char)s[2] | 1) == 0xbf)) {
			fputs(UTF8_REPLACEMENT, out);
			n = n ? n : 1;
			continue;
		}
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
				fwrite(s, 1, n, out);
		}
	}
}

static void text_add(struct junit_text *t, const char *line)
{
	size_t n = strlen(line);

	if (t->n_lines >= JUNIT_LINES_MAX) {
		t->n_dropped++;
		return;
	}
	if (t->len + n + 2 > t->cap) {
		size_t cap = (t->cap + n + 2) * 2;
		char *p = realloc(t->buf, cap);

		if (!p) {
			t->n_dropped++;
			return;
		}
		t->buf = p;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, line, n);
	t->len += n;
	t->buf[t->len++] = '\n';
	t->buf[t->len] = '\0';
	t->n_lines++;
}

static void text_put(FILE *out, const struct junit_text *t, const char *more)
{
	if (t->buf)
		put_escaped(out, t->buf);
	if (t->n_dropped)
		fprintf(out, "... and %zu more %s\n", t->n_dropped, more);
}

static void text_reset(struct junit_text *t)
{
	t->len = 0;
	t->n_lines = 0;
	t->n_dropped = 0;
	if (t->buf)
		t->buf[0] = '\0';
}

static void junit_run_begin(struct report *r)
{
	memset(&js, 0, sizeof(js));
	js.cases = open_memstream(&js.cases_buf, &js.cases_len);
	if (!js.cases)
		report_set_err(r, -ENOMEM, "no memory for the JUnit testcases");
}

static void junit_capture_begin(struct report *r,
				const struct report_capture *cap)
{
	const char *base = strrchr(cap->capture, '/');

	(void)r;
	text_reset(&js.diffs);
	text_reset(&js.skipped);
	/* the real states are a testcase beside the test run's */
	snprintf(js.name, sizeof(js.name), "%s/%s%s", cap->dissector,
		 base ? base + 1 : cap->capture, cap->real ? "/real" : "");
	snprintf(js.classname, sizeof(js.classname), "%s", cap->dissector);
	snprintf(js.file, sizeof(js.file), "%s", cap->capture);
	clock_gettime(CLOCK_MONOTONIC, &js.started);
}

static void junit_frame_skipped(struct report *r, uint32_t index,
				const char *why)
{
	char line[512];

	(void)r;
	snprintf(line, sizeof(line), "frame %u skipped: %s", index, why);
	text_add(&js.skipped, line);
}

static void junit_frame(struct report *r, const struct frame_result *fr)
{
	char line[512];

	for (size_t i = 0; i < fr->n_cases; i++) {
		const struct case_result *c = &fr->cases[i];

		for (size_t d = 0; d < c->n_diffs; d++) {
			report_diff_line(line, sizeof(line), r->cap, c,
					 &c->diffs[d]);
			text_add(&js.diffs, line);
		}
		if (!c->n_diffs && c->verdict == CASE_FAIL) {
			char name[128];

			report_case_name(name, sizeof(name), r->cap->capture,
					 &c->id);
			snprintf(line, sizeof(line), "%s %s: no golden line",
				 r->cap->dissector, name);
			text_add(&js.diffs, line);
		}
	}
}

/* A protocol class over --max-ns fails its testcase, as the run. */
static void junit_timing(struct report *r, const struct report_timing *rows,
			 size_t n)
{
	char line[1024];

	for (size_t i = 0; i < n; i++) {
		if (!rows[i].over)
			continue;
		snprintf(line, sizeof(line),
			 "%s: class %s: p99 %u ns per run, over --max-ns %u",
			 js.name, rows[i].pclass, rows[i].p99_ns,
			 r->cap->max_ns);
		text_add(&js.diffs, line);
	}
}

/* <testcase ...> with the current capture's names and time. */
static void open_testcase(FILE *out, double seconds)
{
	fputs("<testcase classname=\"", out);
	put_escaped(out, js.classname);
	fputs("\" name=\"", out);
	put_escaped(out, js.name);
	if (js.file[0]) {
		fputs("\" file=\"", out);
		put_escaped(out, js.file);
	}
	fprintf(out, "\" time=\"%.6f\">\n", seconds);
	js.tests++;
	js.seconds += seconds;
}

static void junit_capture_end(struct report *r,
			      const struct report_counts *c)
{
	FILE *out = js.cases;

	if (!out) {
		report_set_err(r, -ENOMEM, "no memory for the JUnit testcases");
		return;
	}
	open_testcase(out, clock_seconds_since(&js.started));
	if (c->failed || c->stale || c->slow) {
		fprintf(out,
			"<failure message=\"%llu of %llu cases failed%s",
			(unsigned long long)c->failed,
			(unsigned long long)c->cases,
			c->stale ? ", stale golden" : "");
		if (c->slow)
			fprintf(out, ", %llu protocol class%s over --max-ns",
				(unsigned long long)c->slow,
				c->slow > 1 ? "es" : "");
		fputs("\" type=\"mismatch\">", out);
		text_put(out, &js.diffs, "differences");
		fputs("</failure>\n", out);
		js.failures++;
	} else if (!c->frames) {
		fputs("<skipped message=\"the capture has no frames\"/>\n",
		      out);
		js.skips++;
	} else if (!c->passed && c->no_golden && !r->cap->update) {
		/* nothing was held to a golden: not a pass */
		fprintf(out,
			"<skipped message=\"no golden line for any of %llu cases: unchecked\"/>\n",
			(unsigned long long)c->cases);
		js.skips++;
	}
	fprintf(out,
		"<system-out>%llu frames, %llu skipped, %llu cut, %llu cases: %llu passed, %llu failed, %llu unchecked\n",
		(unsigned long long)c->frames, (unsigned long long)c->skipped,
		(unsigned long long)c->cut, (unsigned long long)c->cases,
		(unsigned long long)c->passed,
		(unsigned long long)c->failed,
		(unsigned long long)c->unchecked);
	if (c->no_golden) {
		fprintf(out, "%llu cases had no golden line",
			(unsigned long long)c->no_golden);
		if (!r->cap->golden_found) {
			fputs(": no golden at ", out);
			put_escaped(out, r->cap->golden);
		}
		fputs("; record it with fdtest run --update\n", out);
	}
	if (c->states_unchecked)
		fprintf(out,
			"%llu cases not compared across states: tag stack cut short or over 8 tags\n",
			(unsigned long long)c->states_unchecked);
	text_put(out, &js.skipped, "skipped frames");
	fputs("</system-out>\n</testcase>\n", out);
	js.name[0] = '\0';
}

/*
 * A capture or dissector that could not be used: an <error> testcase. A
 * capture that stopped after it began keeps its testcase; one that never
 * began, or a dissector that did not load, gets one named as a capture's
 * would be ("vxlan/vxlan.pcap", or "vxlan/load" for the dissector alone).
 */
static void junit_error(struct report *r, const struct report_error *e)
{
	FILE *out = js.cases;

	if (!out) {
		report_set_err(r, -ENOMEM, "no memory for the JUnit testcases");
		return;
	}
	if (!js.name[0]) {
		const char *dis = e->dissector ? e->dissector : "fdtest";
		const char *base = e->capture ? strrchr(e->capture, '/') : NULL;

		if (e->capture)
			snprintf(js.name, sizeof(js.name), "%s/%s", dis,
				 base ? base + 1 : e->capture);
		else
			snprintf(js.name, sizeof(js.name), "%s/load", dis);
		snprintf(js.classname, sizeof(js.classname), "%s", dis);
		snprintf(js.file, sizeof(js.file), "%s",
			 e->capture ? e->capture : "");
		js.started.tv_sec = 0;
	}
	open_testcase(out, js.started.tv_sec ?
			   clock_seconds_since(&js.started) : 0);
	fputs("<error message=\"", out);
	put_escaped(out, e->message);
	fputs("\" type=\"error\"/>\n</testcase>\n", out);
	js.errors++;
	js.name[0] = '\0';
}

static void junit_run_end(struct report *r, const struct report_counts *c,
			  int exit_code)
{
	FILE *out = r->out;

	if (js.cases && fclose(js.cases))
		report_set_err(r, -ENOMEM, "no memory for the JUnit testcases");
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out,
		"<testsuites name=\"fdtest\" tests=\"%lu\" failures=\"%lu\" errors=\"%lu\" skipped=\"%lu\" time=\"%.6f\">\n",
		js.tests, js.failures, js.errors, js.skips, js.seconds);
	fprintf(out,
		"<testsuite name=\"fdtest\" tests=\"%lu\" failures=\"%lu\" errors=\"%lu\" skipped=\"%lu\" time=\"%.6f\">\n",
		js.tests, js.failures, js.errors, js.skips, js.seconds);
	fprintf(out,
		"<properties><property name=\"exit\" value=\"%d\"/><property name=\"unchecked\" value=\"%llu\"/><property name=\"no_golden\" value=\"%llu\"/><property name=\"states_unchecked\" value=\"%llu\"/><property name=\"slow\" value=\"%llu\"/>",
		exit_code, (unsigned long long)c->unchecked,
		(unsigned long long)c->no_golden,
		(unsigned long long)c->states_unchecked,
		(unsigned long long)c->slow);
	if (r->run && r->run->expected_dir && !r->run->update) {
		fputs("<property name=\"expected\" value=\"", out);
		put_escaped(out, r->run->expected_dir);
		fputs("\"/>", out);
	}
	fputs("</properties>\n", out);
	if (js.cases_buf)
		fwrite(js.cases_buf, 1, js.cases_len, out);
	fputs("</testsuite>\n</testsuites>\n", out);
	free(js.cases_buf);
	free(js.diffs.buf);
	free(js.skipped.buf);
	memset(&js, 0, sizeof(js));
}

const struct reporter_ops report_junit_ops = {
	.name = "junit",
	.run_begin = junit_run_begin,
	.capture_begin = junit_capture_begin,
	.frame_skipped = junit_frame_skipped,
	.frame = junit_frame,
	.timing = junit_timing,
	.capture_end = junit_capture_end,
	.error = junit_error,
	.run_end = junit_run_end,
};
