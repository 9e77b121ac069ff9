/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Names shared by every stage: exit codes, starting states, input flags.
 * Each table here has a twin in fdtest.c; they must agree.
 */
#ifndef FDTEST_H
#define FDTEST_H

#include <stdbool.h>
#include <stdint.h>

/* The exit-code contract CI relies on (README, --help). */
enum fdtest_exit {
	FDTEST_EXIT_PASS = 0,	/* every checked case matched */
	FDTEST_EXIT_FAIL = 1,	/* a mismatch, inconsistency, missing golden */
	FDTEST_EXIT_USAGE = 2,	/* bad usage or bad input */
	FDTEST_EXIT_ENV = 3,	/* no privilege, verifier, kernel lacks type */
};

/*
 * The three starting states of a flow dissector (kernel docs,
 * prog_flow_dissector.rst), in the order every run and golden uses, then
 * the real states (--path real): where the kernel itself ran it on lo
 * (run/realpath.h). Only the first three are test-run states; a case id
 * and a golden line can name all six. "rx-quirk" is no state: such a run
 * is counted and said, never a case.
 */
enum fdtest_state {
	FDTEST_STATE_VLANLESS,
	FDTEST_STATE_PRE_VLAN,
	FDTEST_STATE_POST_VLAN,
	FDTEST_STATE_COUNT,		/* the test-run states */
	FDTEST_STATE_TX = FDTEST_STATE_COUNT,
	FDTEST_STATE_RX_RPS,
	FDTEST_STATE_RX_UNTAGGED,
	FDTEST_STATE_NAMED,		/* every state a golden line names */
};

#define FDTEST_STATES_ALL ((1u << FDTEST_STATE_COUNT) - 1)
#define FDTEST_STATES_REAL \
	(((1u << FDTEST_STATE_NAMED) - 1) & ~FDTEST_STATES_ALL)

/* Input flags (uapi BPF_FLOW_DISSECTOR_F_*, since 5.4). */
#define FDTEST_FLAG_PARSE_1ST_FRAG	0x1u
#define FDTEST_FLAG_STOP_AT_FLOW_LABEL	0x2u
#define FDTEST_FLAG_STOP_AT_ENCAP	0x4u
#define FDTEST_FLAGS_KNOWN		0x7u

/* Test-run input must be 14..4096 bytes (one page) or the kernel says EINVAL. */
#define FDTEST_FRAME_MIN	14u
#define FDTEST_FRAME_MAX	4096u

/* Return codes of a flow dissector (uapi enum bpf_ret_code). */
#define FDTEST_RET_OK		0u
#define FDTEST_RET_DROP		2u
#define FDTEST_RET_CONTINUE	129u	/* since 6.1 */
/*
 * A verdict a kernel before 6.1 cannot tell apart: its test-run retval
 * and bpf_flow_dissect() say only 1 for BPF_OK and 0 for anything else.
 * Written "!BPF_OK", so a golden recorded there reads as what it means.
 */
#define FDTEST_RET_NOT_OK	0xffffff00u

const char *fdtest_state_name(enum fdtest_state state);
/* Returns the state, or -EINVAL for an unknown name. */
int fdtest_state_parse(const char *name);

/* "BPF_OK", "BPF_DROP", "BPF_FLOW_DISSECTOR_CONTINUE", "!BPF_OK", or NULL. */
const char *fdtest_ret_name(uint32_t ret);
/* Accepts a name above or a decimal number; 0 or -EINVAL. */
int fdtest_ret_parse(const char *text, uint32_t *ret);

/* One flag name ("PARSE_1ST_FRAG", ...) or NULL for an unknown bit. */
const char *fdtest_flag_name(uint32_t bit);
/* Parses "0x4", "4", "STOP_AT_ENCAP", "PARSE_1ST_FRAG|STOP_AT_ENCAP". */
int fdtest_flags_parse(const char *text, uint32_t *flags);

/*
 * All of @text as an unsigned number in @base (0: 0x and 0 prefixes too)
 * no larger than @max: 0, or -EINVAL. As strtoull(), it takes leading
 * blanks and a sign ("-1" wraps around): a caller refusing them checks
 * first. The one number reader of options, goldens and descriptions.
 */
int fdtest_parse_uint(const char *text, int base, uint64_t max,
		      uint64_t *out);

#endif /* FDTEST_H */
