// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The three starting states made by shaping the frame (see frame.h). */
#include <errno.h>
#include <string.h>

#include "run/frame.h"

#define MACS_LEN 12u	/* dst and src MAC before the first EtherType */

bool frame_is_tpid(uint16_t type)
{
	return type == FRAME_TPID_8021Q || type == FRAME_TPID_8021AD ||
	       type == FRAME_TPID_QINQ_OLD;
}

static uint16_t type_at(const uint8_t *data, uint32_t off)
{
	return (uint16_t)(data[off] << 8 | data[off + 1]);
}

/*
 * Counts the complete tags after the MACs. A tag is complete when its
 * TCI and the EtherType after it are in the frame; stripping a complete
 * tag always leaves at least 14 bytes.
 */
static unsigned int count_tags(const uint8_t *data, uint32_t len,
			       bool *truncated)
{
	unsigned int n = 0;
	uint32_t off = MACS_LEN;

	*truncated = false;
	while (frame_is_tpid(type_at(data, off))) {
		/* a tag cut short, or more than we strip: no clean stripped form */
		if (off + FRAME_TAG_LEN + 2 > len || n == FRAME_TAGS_MAX) {
			*truncated = true;
			break;
		}
		off += FRAME_TAG_LEN;
		n++;
	}
	return n;
}

/*
 * @len bytes of @data, of which @payload_max at most past the MACs and
 * @tags_len bytes of tags: every state keeps the same payload bytes.
 */
static void set_state(struct frame_state *st, const uint8_t *data,
		      uint32_t len, uint32_t tags_len, uint32_t payload_max,
		      uint16_t shift)
{
	st->data = data;
	st->cut = len - MACS_LEN - tags_len > payload_max;
	st->len = st->cut ? MACS_LEN + tags_len + payload_max : len;
	st->shift = shift;
	st->ctx_nhoff = 0;
	st->ctx_n_proto = 0;
}

int frame_shape(const uint8_t *data, uint32_t len, bool ctx_states,
		struct frame_states *out)
{
	struct frame_state *pre = &out->state[FDTEST_STATE_PRE_VLAN];
	struct frame_state *post = &out->state[FDTEST_STATE_POST_VLAN];
	const uint8_t *vlanless = data;
	uint32_t vlanless_len = len;
	uint32_t tags_len, pre_tags_len, payload_max;

	if (len < FDTEST_FRAME_MIN)
		return -EINVAL;
	out->tags = count_tags(data, len, &out->tag_truncated);
	tags_len = out->tags * FRAME_TAG_LEN;
	/* a TPID without room for its tag is a tagged frame, damaged */
	out->pushed = out->tags == 0 && !out->tag_truncated;
	pre_tags_len = out->pushed ? FRAME_TAG_LEN : tags_len;
	/*
	 * The test run takes 4096 bytes and pre-vlan is the longest state.
	 * Every state is cut after the same payload byte: cut at 4096 each,
	 * vlanless would hold 4 bytes per tag more than pre-vlan, and a
	 * header ending there would be whole in one state and cut in the
	 * other, which the consistency check would call a difference.
	 */
	payload_max = FDTEST_FRAME_MAX - MACS_LEN - pre_tags_len;

	if (out->tags) {
		uint32_t rest = len - MACS_LEN - tags_len;

		if (rest > payload_max)
			rest = payload_max;
		memcpy(out->stripped, data, MACS_LEN);
		memcpy(out->stripped + MACS_LEN, data + MACS_LEN + tags_len,
		       rest);
		vlanless = out->stripped;
		vlanless_len = len - tags_len;
	}
	set_state(&out->state[FDTEST_STATE_VLANLESS], vlanless, vlanless_len,
		  0, payload_max, 0);

	if (out->pushed) {
		uint32_t rest = len - MACS_LEN;

		if (rest > payload_max)
			rest = payload_max;
		memcpy(out->pushed_buf, data, MACS_LEN);
		out->pushed_buf[12] = FRAME_TPID_8021Q >> 8;
		out->pushed_buf[13] = FRAME_TPID_8021Q & 0xff;
		out->pushed_buf[14] = FRAME_PUSHED_TCI >> 8;
		out->pushed_buf[15] = FRAME_PUSHED_TCI & 0xff;
		memcpy(out->pushed_buf + MACS_LEN + FRAME_TAG_LEN,
		       data + MACS_LEN, rest);
		set_state(pre, out->pushed_buf, len + FRAME_TAG_LEN,
			  FRAME_TAG_LEN, payload_max, 0);
	} else {
		set_state(pre, data, len, tags_len, payload_max, 0);
	}

	if (ctx_states) {
		*post = *pre;
		post->ctx_nhoff = (uint16_t)(14 + pre_tags_len);
		post->ctx_n_proto = type_at(pre->data, MACS_LEN + pre_tags_len);
	} else {
		set_state(post, vlanless, vlanless_len, 0, payload_max,
			  (uint16_t)pre_tags_len);
	}
	return 0;
}
