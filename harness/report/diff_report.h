/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fdtest diff's results out: two dissectors, case by case, no goldens.
 * The command runs the cases and fills these structs; each format is one
 * struct diff_reporter_ops in its own file (diff_<name>.c), picked by
 * name from the table in diff_report.c.
 */
#ifndef FDTEST_DIFF_REPORT_H
#define FDTEST_DIFF_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "check/compare.h"

/* Counts of one capture, or of all of them. */
struct diff_counts {
	uint64_t frames;
	uint64_t skipped;
	uint64_t cut;
	uint64_t cases;
	uint64_t differ;
};

/* One case where the two disagree: A's value "expected", B's "actual". */
struct diff_case {
	const char *capture;		/* the path as given */
	struct case_id id;
	/* NULL, or the name of a case that is no starting state's: -d
	 * kernel's real triggers (x.pcap#3/rx-rps/flags=0x2) */
	const char *name;
	const struct diff *diffs;
	size_t n_diffs;
};

struct diff_report;

/* Hooks a format leaves NULL are not called. */
struct diff_reporter_ops {
	const char *name;
	void (*run_begin)(struct diff_report *r);
	void (*capture_begin)(struct diff_report *r, const char *capture);
	void (*frame_skipped)(struct diff_report *r, const char *capture,
			      uint32_t index, const char *why);
	void (*case_differs)(struct diff_report *r, const struct diff_case *c);
	/* not called for a capture stopped by an error */
	void (*capture_end)(struct diff_report *r, const char *capture,
			    const struct diff_counts *counts);
	void (*run_end)(struct diff_report *r,
			const struct diff_counts *total, int exit_code);
};

/*
 * One output. @label names A and B as the output shows them (the two
 * dissectors' names, told apart when they are the same).
 */
struct diff_report {
	const struct diff_reporter_ops *ops;
	FILE *out;
	const char *label[2];
};

extern const struct diff_reporter_ops diff_text_ops;

/* The diff reporter called @name, or NULL. */
const struct diff_reporter_ops *diff_report_find(const char *name);
/* The formats' names, "text, json": as report_formats(). */
int diff_report_formats(char *buf, size_t size);

void diff_report_run_begin(struct diff_report *r);
void diff_report_capture_begin(struct diff_report *r, const char *capture);
void diff_report_frame_skipped(struct diff_report *r, const char *capture,
			       uint32_t index, const char *why);
void diff_report_case(struct diff_report *r, const struct diff_case *c);
void diff_report_capture_end(struct diff_report *r, const char *capture,
			     const struct diff_counts *counts);
void diff_report_run_end(struct diff_report *r,
			 const struct diff_counts *total, int exit_code);

#endif /* FDTEST_DIFF_REPORT_H */
