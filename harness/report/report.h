/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Results out. The replay fills these structs and never formats; each
 * format is one struct reporter_ops in its own file, picked by name.
 */
#ifndef FDTEST_REPORT_H
#define FDTEST_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "check/compare.h"
#include "check/verdict.h"	/* struct case_result */

/*
 * The cases of one frame, in golden order: state, then input flags, so
 * the case of the s-th state run and f-th flag set is cases[s * n_flags + f].
 */
struct frame_result {
	uint32_t index;
	size_t n_flags;
	unsigned int tags;	/* VLAN tags in the captured frame */
	bool pushed;		/* pre-vlan got a tag of ours */
	const struct case_result *cases;
	size_t n_cases;
};

/*
 * A dissector or a capture that could not be used at all: what it was,
 * as far as known (NULL otherwise), and the one-line message.
 */
struct report_error {
	const char *dissector;	/* its name, as goldens are named */
	const char *capture;	/* its path */
	const char *message;
};

/* One dissector over one capture. */
struct report_capture {
	const char *dissector;
	const char *capture;		/* the path as given */
	const char *linktype;
	bool synthesized;		/* Ethernet header made up */
	const char *golden;		/* path, or NULL */
	bool golden_found;
	bool update;			/* goldens are being written */
	const char *post_vlan_how;	/* "strip-and-shift" or "ctx_in" */
	unsigned int states;		/* bit per enum fdtest_state run */
	unsigned int repeat;		/* >0: timed, runs per case */
	uint32_t max_ns;		/* p99 bound per class; 0: none */
	/*
	 * The real states (--path real): cases tx, rx-rps, rx-untagged,
	 * @golden the real golden. The text report says only their
	 * failures; the caller prints the real path's own summary.
	 */
	bool real;
};

/* Kernel time per run over the cases of one protocol class (--repeat). */
struct report_timing {
	const char *pclass;		/* "eth/802.1q/ipv4/udp" */
	uint64_t runs;			/* cases timed */
	uint32_t p50_ns;
	uint32_t p90_ns;
	uint32_t p99_ns;
	uint32_t max_ns;
	bool over;			/* p99 above the bound */
};

struct report_counts {
	uint64_t frames;
	uint64_t skipped;
	uint64_t cut;
	uint64_t cases;
	uint64_t passed;
	uint64_t failed;
	uint64_t unchecked;
	uint64_t inconsistent;	/* cases with a consistency difference */
	uint64_t broken;	/* cases breaking an invariant of the keys */
	uint64_t stale;		/* goldens recorded for another capture */
	uint64_t slow;		/* protocol classes over --max-ns */
	uint64_t no_golden;	/* cases without a golden line */
	uint64_t no_golden_file;	/* captures without a golden file */
	/*
	 * Cases the consistency check left out though it was on: a tag
	 * stack cut short or deeper than FRAME_TAGS_MAX has no
	 * well-defined stripped form.
	 */
	uint64_t states_unchecked;
};

/* What the whole run is, for the summaries. */
struct report_run {
	const char *expected_dir;	/* root of the goldens */
	bool update;			/* goldens are being written */
	bool require_golden;		/* a case without one fails */
};

struct report;

/* Hooks a format leaves NULL are not called. */
struct reporter_ops {
	const char *name;
	void (*run_begin)(struct report *r);
	void (*capture_begin)(struct report *r,
			      const struct report_capture *cap);
	void (*frame_skipped)(struct report *r, uint32_t index,
			      const char *why);
	void (*frame)(struct report *r, const struct frame_result *fr);
	/* before capture_end, with --repeat; rows sorted by class */
	void (*timing)(struct report *r, const struct report_timing *rows,
		       size_t n);
	void (*capture_end)(struct report *r,
			    const struct report_counts *counts);
	/* a capture or dissector could not be used at all */
	void (*error)(struct report *r, const struct report_error *e);
	void (*run_end)(struct report *r, const struct report_counts *total,
			int exit_code);
};

/*
 * One output; reports chain through @next and all get every event. A
 * format that cannot encode or keep something sets @err (the first
 * error stays); report_finish() adds what the stream says.
 */
struct report {
	const struct reporter_ops *ops;
	FILE *out;
	const struct report_capture *cap;	/* while a capture runs */
	const struct report_run *run;		/* report_run_begin()'s */
	int err;				/* 0 or a negative errno */
	const char *err_what;			/* what failed, or NULL */
	bool err_told;				/* the caller said it */
	struct report *next;
};

extern const struct reporter_ops report_text_ops;
extern const struct reporter_ops report_json_ops;
extern const struct reporter_ops report_junit_ops;

void report_run_begin(struct report *r, const struct report_run *run);
void report_capture_begin(struct report *r, const struct report_capture *cap);
void report_frame_skipped(struct report *r, uint32_t index, const char *why);
void report_frame(struct report *r, const struct frame_result *fr);
void report_timing(struct report *r, const struct report_timing *rows,
		   size_t n);
void report_capture_end(struct report *r, const struct report_counts *counts);
/* A capture stopped by an error: forget it without a summary. */
void report_capture_abort(struct report *r);
void report_error(struct report *r, const struct report_error *e);
void report_run_end(struct report *r, const struct report_counts *total,
		    int exit_code);
/*
 * Keeps the first error of @r, @what (static text, or NULL for a write)
 * naming what failed: a format's reporters call it.
 */
void report_set_err(struct report *r, int err, const char *what);
/*
 * Flushes @r's stream (not the ones chained after it) and returns its
 * first error: 0, or a negative errno (from a write, or set above).
 */
int report_finish(struct report *r);

/*
 * One difference as one line, the same in every format:
 * "reference vxlan.pcap#3/pre-vlan/flags=0x0: thoff: expected 42, actual 38"
 */
int report_diff_line(char *buf, size_t size, const struct report_capture *cap,
		     const struct case_result *c, const struct diff *d);

/* The reporter called @name, or NULL. */
const struct reporter_ops *report_find(const char *name);
/*
 * The name of the @i-th reporter, NULL past the last, and in *@note (if
 * not NULL) what --help says beside it, or NULL: for the --format lists.
 */
const char *report_name_at(size_t i, const char **note);
/*
 * The formats' names in table order, "text, json, junit", for help and
 * messages. Returns 0, or -ENOSPC when @size is too small.
 */
int report_formats(char *buf, size_t size);
/* @names joined by ", " into @buf: 0, or -ENOSPC. */
int report_name_list(char *buf, size_t size, const char *const *names,
		     size_t n);

/* "vxlan.pcap#12/post-vlan/flags=0x4": golden key, JUnit name, prefix. */
int report_case_name(char *buf, size_t size, const char *capture,
		     const struct case_id *id);

/* One case more in @counts, by its verdict (its missing golden apart). */
void report_counts_case(struct report_counts *counts,
			const struct case_result *c);
void report_counts_add(struct report_counts *to,
		       const struct report_counts *from);

#endif /* FDTEST_REPORT_H */
