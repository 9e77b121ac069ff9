// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The verdict of one case (see verdict.h). */
#include "check/verdict.h"

unsigned int verdict_case(struct case_result *c,
			  const struct verdict_rules *rules,
			  const struct verdict_frame *frame,
			  const struct golden_line *exp, bool exact)
{
	struct diff *diffs = (struct diff *)c->diffs;
	unsigned int notes = 0;
	size_t n = 0;

	if (exp)
		n = compare_golden(exp, c->ret, c->keys, diffs,
				   COMPARE_DIFFS_MAX);
	n += compare_invariants(c->ret, c->keys, frame->len, diffs + n,
				COMPARE_DIFFS_MAX - n);
	/*
	 * A damaged or deeper than FRAME_TAGS_MAX tag stack has no
	 * well-defined stripped form: the states are not compared, and
	 * that is counted, not hidden.
	 */
	c->states_unchecked = rules->consistency && frame->tag_truncated;
	if (rules->consistency && !frame->tag_truncated) {
		size_t before = n;

		n += compare_states(frame->states, frame->post_vlan_shift,
				    c->id.state, diffs + n,
				    COMPARE_DIFFS_MAX - n);
		if (n > before)
			notes |= VERDICT_INCONSISTENT;
	}
	for (size_t i = 0; i < n; i++)
		if (diffs[i].kind == DIFF_INVARIANT) {
			notes |= VERDICT_BROKEN;
			break;
		}
	c->n_diffs = n;
	c->no_golden = !exp && !exact && !rules->update;
	if (n)
		c->verdict = CASE_FAIL;
	else if (exp || exact)
		c->verdict = CASE_PASS;
	else
		c->verdict = rules->require_golden && !rules->update ?
			     CASE_FAIL : CASE_UNCHECKED;
	return notes;
}
