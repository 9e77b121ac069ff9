/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The three starting states, made by shaping the frame.
 *
 * BPF_PROG_TEST_RUN always starts a flow dissector with nhoff = 14 and
 * n_proto = bytes 12..13, and refuses any other state in ctx_in (EINVAL on
 * every kernel to date). So:
 *   vlanless   the frame with every VLAN tag after the MACs removed;
 *   pre-vlan   the frame with its tags; an untagged frame gets one 802.1Q
 *              tag pushed (TCI 0x0001: PCP 0, DEI 0, VID 1), so that every
 *              frame exercises every state;
 *   post-vlan  the pre-vlan frame with its tags removed (what NIC VLAN
 *              offload hands the stack), and nhoff/thoff reported 4 bytes
 *              later per removed tag, i.e. in the pre-vlan frame's
 *              coordinates.
 * The test run takes 4096 bytes at most: a longer frame is cut so that
 * every state keeps the same payload bytes (pre-vlan, the longest, at
 * 4096; vlanless 4 bytes shorter per tag).
 */
#ifndef FDTEST_FRAME_H
#define FDTEST_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/fdtest.h"

#define FRAME_TPID_8021Q	0x8100u
#define FRAME_TPID_8021AD	0x88a8u
#define FRAME_TPID_QINQ_OLD	0x9100u
#define FRAME_PUSHED_TCI	0x0001u
#define FRAME_TAG_LEN		4u
#define FRAME_TAGS_MAX		8u	/* more than this stay in the frame */

struct frame_state {
	const uint8_t *data;	/* what goes to the kernel */
	uint32_t len;		/* 14..4096 */
	bool cut;		/* the frame was longer than 4096 */
	uint16_t shift;		/* add to nhoff/thoff after the run */
	/* non-zero only when the kernel takes state fields in ctx_in */
	uint16_t ctx_nhoff;
	uint16_t ctx_n_proto;	/* host order */
};

struct frame_states {
	struct frame_state state[FDTEST_STATE_COUNT];
	unsigned int tags;	/* complete tags in the captured frame */
	bool pushed;		/* pre-vlan got a tag of ours */
	/*
	 * A TPID is left in the stripped frame: its tag is cut short, or
	 * it is past the FRAME_TAGS_MAX we strip. The states then differ in
	 * more than tags, so they are not compared with each other.
	 */
	bool tag_truncated;
	uint8_t stripped[FDTEST_FRAME_MAX];
	uint8_t pushed_buf[FDTEST_FRAME_MAX];
};

/*
 * Shapes @data (an Ethernet frame of @len >= 14 bytes) into the three
 * states. Pointers in @out point into @data or into @out itself; both
 * must outlive the runs. With @ctx_states, post-vlan keeps the tags and
 * asks for nhoff/n_proto through ctx_in instead (for a kernel that takes
 * them). Returns 0 or -EINVAL for a frame under 14 bytes.
 */
int frame_shape(const uint8_t *data, uint32_t len, bool ctx_states,
		struct frame_states *out);

/* True for 0x8100, 0x88a8 and 0x9100. */
bool frame_is_tpid(uint16_t type);

#endif /* FDTEST_FRAME_H */
