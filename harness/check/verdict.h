/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The verdict of one case: its golden line, the invariants of the keys
 * and the consistency of the starting states, weighed in one place. The
 * result it fills is what every reporter is given (report/report.h).
 */
#ifndef FDTEST_VERDICT_H
#define FDTEST_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/compare.h"

enum case_verdict {
	CASE_PASS,		/* a golden line checked it and agrees */
	CASE_FAIL,		/* a golden line or another state disagrees */
	CASE_UNCHECKED,		/* no golden line, and consistent */
};

struct case_result {
	struct case_id id;
	uint32_t ret;
	const struct bpf_flow_keys *keys;	/* in the state's coordinates */
	/*
	 * NULL: every field is the dissector's. Else 0xff where a byte is:
	 * the kernel's C dissector has only some fields (kernel_dissector.h).
	 */
	const uint8_t *mask;
	uint32_t duration_ns;
	bool cut;		/* the state was cut to 4096 bytes */
	bool no_golden;		/* no golden line: unchecked or failed */
	bool states_unchecked;	/* not compared across states */
	enum case_verdict verdict;
	const struct diff *diffs;
	size_t n_diffs;
};

/* What a run asks of every case. */
struct verdict_rules {
	bool consistency;	/* the starting states must agree */
	bool update;		/* recording goldens: none is missing */
	bool require_golden;	/* a case without a golden line fails */
};

/* What the frame of a case says about it. */
struct verdict_frame {
	uint32_t len;		/* in the coordinates of the case's keys */
	bool tag_truncated;	/* its tag stack has no stripped form */
	uint16_t post_vlan_shift;	/* bytes post-vlan stripped */
	/* the frame's results with the case's flag set, NULL: not run */
	const struct testrun_result *states[FDTEST_STATE_COUNT];
};

#define VERDICT_INCONSISTENT	0x1u	/* another state disagrees */
#define VERDICT_BROKEN		0x2u	/* a keys invariant broke */

/*
 * Judges @c (id, ret and keys filled; diffs room for COMPARE_DIFFS_MAX)
 * against its golden line @exp, or a line of the very bytes of its result
 * (@exact), or none: fills its differences, no_golden, states_unchecked
 * and verdict. Returns VERDICT_* bits for the counts.
 */
unsigned int verdict_case(struct case_result *c,
			  const struct verdict_rules *rules,
			  const struct verdict_frame *frame,
			  const struct golden_line *exp, bool exact);

#endif /* FDTEST_VERDICT_H */
