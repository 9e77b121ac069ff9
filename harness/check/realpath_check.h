/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The real states: each frame of a capture through lo (realpath.h), the
 * keys at each trigger compared with a test run of the same frame in the
 * state that trigger is (same input flags, offsets moved by where the
 * kernel started). Cases are named like the test-run states' ones:
 * "vlan.pcap#3/rx-rps/flags=0x2".
 */
#ifndef FDTEST_REALPATH_CHECK_H
#define FDTEST_REALPATH_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "check/verdict.h"
#include "run/dissector.h"
#include "run/frame.h"
#include "run/realpath.h"
#include "run/testrun.h"

enum realpath_trigger {
	REALPATH_TX,		/* data at the MAC header, nhoff 14 */
	REALPATH_RX_RPS,	/* before untagging, nhoff 0 */
	REALPATH_RX_UNTAGGED,	/* after skb_vlan_untag, nhoff 0 */
	REALPATH_QUIRK,		/* any other start: counted and said */
	REALPATH_TRIGGERS,
};

const char *realpath_trigger_name(enum realpath_trigger t);

/* One frame's test-run twin of a trigger, and where each side started. */
struct realpath_twin {
	enum realpath_trigger trigger;
	struct frame_state st;	/* the test run's input */
	uint16_t real_shift;	/* add to the real offsets */
	uint8_t buf[FDTEST_FRAME_MAX];
};

/*
 * The trigger @e is (from its nhoff, start and flags) and its twin: the
 * test run of the frame @data (@len bytes, 14..4096) that starts where
 * it did. @t->st points into @data or @t.
 */
void realpath_twin_make(const struct realpath_event *e, const uint8_t *data,
			uint32_t len, struct realpath_twin *t);

struct realpath_counts {
	uint64_t frames;	/* sent */
	uint64_t cases;		/* trigger runs compared */
	uint64_t agree;
	uint64_t differ;
	uint64_t seen[REALPATH_TRIGGERS];
	uint64_t unseen;	/* frames the program never ran on */
	uint64_t lost;		/* frames not back on the receive side */
	/* speed: one frame through lo against one test run, wall clock */
	uint64_t send_ns;	/* in realpath_send(), all frames */
	uint64_t testruns;
	uint64_t testrun_ns;	/* in testrun_one(), all runs */
};

void realpath_counts_add(struct realpath_counts *to,
			 const struct realpath_counts *from);

/* One line: frames, triggers seen, cases that agree and differ. */
void realpath_counts_print(FILE *out, const char *dissector,
			   const char *capture,
			   const struct realpath_counts *c);

/*
 * One frame's real cases (states tx, rx-rps, rx-untagged), in case
 * order: id, ret and keys (in the frame's coordinates) filled, and the
 * differences from the test run in diffs (DIFF_TWIN); the verdict is the
 * callee's to give. 0, or a negative errno with one line in @err that
 * stops the capture.
 */
typedef int realpath_frame_fn(void *ctx, uint32_t frame,
			      struct case_result *cases, size_t n,
			      char *err, size_t err_size);

/*
 * Replays @capture through @rp with @dis attached. A start it does not
 * expect (rx-quirk) is a line on @out (NULL: none); each frame's cases
 * go to @on_frame (NULL: none) and the first difference from the test
 * run is kept in @first (may be NULL). Returns 0, or a negative errno
 * with one line in @err: the capture cannot be read, the program cannot
 * be attached, or @on_frame stopped it.
 */
int realpath_check_capture(struct realpath *rp, struct dissector *dis,
			   const struct testrun_kernel *kernel,
			   const char *capture, FILE *out,
			   realpath_frame_fn *on_frame, void *ctx,
			   struct realpath_counts *counts, char *first,
			   size_t first_size, char *err, size_t err_size);

#endif /* FDTEST_REALPATH_CHECK_H */
