/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Expectations against results, field by field; no I/O. Each difference
 * names the field and both values as JSON shows them.
 */
#ifndef FDTEST_COMPARE_H
#define FDTEST_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "keys/keys_json.h"
#include "run/testrun.h"

/* Every key field, ret, and room to spare. */
#define COMPARE_DIFFS_MAX 24

enum diff_kind {
	DIFF_GOLDEN,		/* the golden line says otherwise */
	DIFF_CONSISTENCY,	/* another state of the same frame disagrees */
	DIFF_INVARIANT,		/* keys no correct dissector gives */
	/*
	 * A real state (--path real) against the test run of the same
	 * frame in the state it is: expected is the test run's value.
	 */
	DIFF_TWIN,
};

struct diff {
	enum diff_kind kind;
	enum fdtest_state other;	/* DIFF_CONSISTENCY: compared with */
	char field[24];
	/*
	 * Values as JSON text, as a golden line writes them: the golden's,
	 * or the other state's; for DIFF_INVARIANT, the rule broken.
	 */
	char expected[72];
	char actual[72];
};

/* Name of a verdict for people and JSON: "BPF_OK", "!BPF_OK", "7". */
const char *compare_ret_text(uint32_t ret, char *buf, size_t size);

/*
 * Compares what @exp checks with @ret and @keys. Returns the number of
 * differences written to @diffs (at most @max).
 */
size_t compare_golden(const struct golden_line *exp, uint32_t ret,
		      const struct bpf_flow_keys *keys, struct diff *diffs,
		      size_t max);

/*
 * The consistency check, which needs no golden: for one frame and flag
 * set, a correct dissector gives the same verdict in every state and,
 * when that is BPF_OK, the same keys, once offsets are in one frame's
 * coordinates. @res holds the states run (NULL for the others);
 * @vlanless_shift is what moves vlanless offsets into pre-vlan ones.
 * Checks @state against pre-vlan (or, without pre-vlan, against
 * post-vlan) and returns the number of differences.
 */
size_t compare_states(const struct testrun_result *const res[FDTEST_STATE_COUNT],
		      uint16_t vlanless_shift, enum fdtest_state state,
		      struct diff *diffs, size_t max);

/*
 * Two dissectors' results for one case, as fdtest diff compares them:
 * the verdicts, and when both are BPF_OK every key field. Differences are
 * of kind DIFF_GOLDEN with @a's value as "expected" and @b's as "actual".
 */
size_t compare_results(const struct testrun_result *a,
		       const struct testrun_result *b, struct diff *diffs,
		       size_t max);

/*
 * Rules results must keep, golden or not. Every verdict: nhoff <= thoff
 * <= @frame_len (the frame's length in the result's coordinates), which
 * the kernel's clamping guarantees. BPF_OK only: is_first_frag only with
 * is_frag, addr_proto 0, ETH_P_IP or ETH_P_IPV6, and no address bytes
 * when addr_proto is 0 (other verdicts leave the keys unspecified).
 * Also: the verdict is BPF_OK, BPF_DROP or CONTINUE; BPF_OK with IPv4
 * has no address bytes past the first 8; a fragment that is not the
 * first has no ports.
 * Returns the number of differences, each of kind DIFF_INVARIANT.
 */
size_t compare_invariants(uint32_t ret, const struct bpf_flow_keys *keys,
			  uint32_t frame_len, struct diff *diffs, size_t max);

#endif /* FDTEST_COMPARE_H */
