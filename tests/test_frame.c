// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Frame shaping: the three starting states, tags, short and long frames. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "run/frame.h"

#define MAC12 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12

struct shape_case {
	const char *name;
	const uint8_t *frame;
	uint32_t len;
	unsigned int tags;
	bool pushed;
	bool truncated;
	uint16_t vlanless_type;		/* bytes 12..13 of vlanless */
	uint32_t vlanless_len;
	uint16_t pre_type;
	uint32_t pre_len;
	uint16_t post_shift;
};

static const uint8_t untagged[] = { MAC12, 0x08, 0x00, 0x45, 0, 0, 20 };
static const uint8_t one_tag[] = { MAC12, 0x81, 0x00, 0x00, 0x64,
				   0x86, 0xdd, 0x60, 0 };
static const uint8_t qinq[] = { MAC12, 0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00,
				0x00, 0x14, 0x08, 0x00, 0x45, 0 };
static const uint8_t old_qinq[] = { MAC12, 0x91, 0x00, 0x00, 0x01,
				    0x08, 0x00, 0x45 };
/* a TPID whose tag is cut off: 16 bytes, no inner EtherType */
static const uint8_t cut_tag[] = { MAC12, 0x81, 0x00, 0x00, 0x01 };
/* one whole tag, then a TPID with nothing after it */
static const uint8_t tag_then_cut[] = { MAC12, 0x81, 0x00, 0x00, 0x01,
					0x81, 0x00, 0x00 };
static const uint8_t just_eth[] = { MAC12, 0x08, 0x06 };
/* nine tags: one more than fdtest strips */
static const uint8_t nine_tags[] = { MAC12,
	0x81, 0, 0, 1, 0x81, 0, 0, 1, 0x81, 0, 0, 1, 0x81, 0, 0, 1, 0x81, 0, 0, 1,
	0x81, 0, 0, 1, 0x81, 0, 0, 1, 0x81, 0, 0, 1, 0x81, 0, 0, 1, 0x08, 0, 0x45 };

static const struct shape_case cases[] = {
	{ "untagged", untagged, sizeof(untagged), 0, true, false,
	  0x0800, sizeof(untagged), 0x8100, sizeof(untagged) + 4, 4 },
	{ "one-8021q-tag", one_tag, sizeof(one_tag), 1, false, false,
	  0x86dd, sizeof(one_tag) - 4, 0x8100, sizeof(one_tag), 4 },
	{ "qinq-88a8-8100", qinq, sizeof(qinq), 2, false, false,
	  0x0800, sizeof(qinq) - 8, 0x88a8, sizeof(qinq), 8 },
	{ "tag-9100", old_qinq, sizeof(old_qinq), 1, false, false,
	  0x0800, sizeof(old_qinq) - 4, 0x9100, sizeof(old_qinq), 4 },
	{ "truncated-tag", cut_tag, sizeof(cut_tag), 0, false, true,
	  0x8100, sizeof(cut_tag), 0x8100, sizeof(cut_tag), 0 },
	{ "tag-then-truncated-tag", tag_then_cut, sizeof(tag_then_cut), 1,
	  false, true, 0x8100, sizeof(tag_then_cut) - 4, 0x8100,
	  sizeof(tag_then_cut), 4 },
	{ "more-tags-than-stripped", nine_tags, sizeof(nine_tags), 8, false,
	  true, 0x8100, sizeof(nine_tags) - 32, 0x8100, sizeof(nine_tags), 32 },
	{ "ethernet-header-only", just_eth, sizeof(just_eth), 0, true, false,
	  0x0806, 14, 0x8100, 18, 4 },
};

static uint16_t type_of(const struct frame_state *st)
{
	return (uint16_t)(st->data[12] << 8 | st->data[13]);
}

static void test_frame_shape_table(void **state)
{
	static struct frame_states fs;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct shape_case *c = &cases[i];
		const struct frame_state *vl = &fs.state[FDTEST_STATE_VLANLESS];
		const struct frame_state *pre = &fs.state[FDTEST_STATE_PRE_VLAN];
		const struct frame_state *post = &fs.state[FDTEST_STATE_POST_VLAN];

		print_message("case %s\n", c->name);
		assert_int_equal(frame_shape(c->frame, c->len, false, &fs), 0);
		assert_int_equal(fs.tags, c->tags);
		assert_int_equal(fs.pushed, c->pushed);
		assert_int_equal(fs.tag_truncated, c->truncated);
		assert_int_equal(type_of(vl), c->vlanless_type);
		assert_int_equal(vl->len, c->vlanless_len);
		assert_int_equal(vl->shift, 0);
		assert_int_equal(type_of(pre), c->pre_type);
		assert_int_equal(pre->len, c->pre_len);
		/* post-vlan is the stripped frame, offsets moved back */
		assert_ptr_equal(post->data, vl->data);
		assert_int_equal(post->len, vl->len);
		assert_int_equal(post->shift, c->post_shift);
		assert_int_equal(post->ctx_nhoff, 0);
		/* MACs survive every shape */
		assert_memory_equal(vl->data, c->frame, 12);
		assert_memory_equal(pre->data, c->frame, 12);
	}
}

static void test_frame_strip_qinq_keeps_payload(void **state)
{
	static struct frame_states fs;

	(void)state;
	assert_int_equal(frame_shape(qinq, sizeof(qinq), false, &fs), 0);
	assert_memory_equal(fs.state[FDTEST_STATE_VLANLESS].data + 12,
			    qinq + 20, sizeof(qinq) - 20);
	/* pre-vlan of a tagged frame is the capture itself, not a copy */
	assert_ptr_equal(fs.state[FDTEST_STATE_PRE_VLAN].data, qinq);
}

static void test_frame_push_tag_bytes(void **state)
{
	static const uint8_t want[] = { MAC12, 0x81, 0x00, 0x00, 0x01,
					0x08, 0x00, 0x45, 0, 0, 20 };
	static struct frame_states fs;

	(void)state;
	assert_int_equal(frame_shape(untagged, sizeof(untagged), false, &fs),
			 0);
	assert_memory_equal(fs.state[FDTEST_STATE_PRE_VLAN].data, want,
			    sizeof(want));
}

static void test_frame_short_frame(void **state)
{
	static struct frame_states fs;

	(void)state;
	assert_int_equal(frame_shape(just_eth, 13, false, &fs), -EINVAL);
	assert_int_equal(frame_shape(just_eth, 0, false, &fs), -EINVAL);
}

/* The payload past the MACs and tags of state @s. */
static const uint8_t *payload_of(const struct frame_states *fs, int s,
				 uint32_t *len)
{
	const struct frame_state *st = &fs->state[s];
	uint32_t tags = s == FDTEST_STATE_PRE_VLAN ? st->len - fs->state[
		FDTEST_STATE_VLANLESS].len : 0;

	*len = st->len - 12 - tags;
	return st->data + 12 + tags;
}

/*
 * Cut to 4096 bytes, every state keeps the same payload: a header that
 * ends in the last 4 bytes is whole in all states or in none.
 */
static void test_frame_cut_same_payload(void **state)
{
	static const struct {
		const char *name;
		uint32_t len;
		unsigned int tags;
		uint32_t pre_len, vlanless_len;
		bool cut;
	} cases[] = {
		{ "untagged-5000", 5000, 0, 4096, 4092, true },
		{ "untagged-4092-fits", 4092, 0, 4096, 4092, false },
		{ "untagged-4093", 4093, 0, 4096, 4092, true },
		{ "qinq-5000", 5000, 2, 4096, 4088, true },
		{ "qinq-4096-fits", 4096, 2, 4096, 4088, false },
		{ "qinq-4097", 4097, 2, 4096, 4088, true },
	};
	static uint8_t big[5000];
	static struct frame_states fs;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint8_t *pre, *other;
		uint32_t pre_n, other_n;

		memset(big + 12, 0, 4);
		big[12] = cases[i].tags ? 0x88 : 0x08;
		big[13] = cases[i].tags ? 0xa8 : 0x00;
		if (cases[i].tags) {
			big[16] = 0x81;
			big[17] = 0x00;
			big[20] = 0x08;
			big[21] = 0x00;
		}
		print_message("%s\n", cases[i].name);
		assert_int_equal(frame_shape(big, cases[i].len, false, &fs), 0);
		assert_int_equal(fs.tags, cases[i].tags);
		assert_int_equal(fs.state[FDTEST_STATE_PRE_VLAN].len,
				 cases[i].pre_len);
		assert_int_equal(fs.state[FDTEST_STATE_VLANLESS].len,
				 cases[i].vlanless_len);
		pre = payload_of(&fs, FDTEST_STATE_PRE_VLAN, &pre_n);
		for (int s = 0; s < FDTEST_STATE_COUNT; s++) {
			assert_int_equal(fs.state[s].cut, cases[i].cut);
			other = payload_of(&fs, s, &other_n);
			assert_int_equal(other_n, pre_n);
			assert_memory_equal(other, pre, pre_n);
		}
	}
}

static void test_frame_ctx_states(void **state)
{
	static struct frame_states fs;
	const struct frame_state *post = &fs.state[FDTEST_STATE_POST_VLAN];

	(void)state;
	/* a kernel that took state fields: tags stay, nhoff past them */
	assert_int_equal(frame_shape(qinq, sizeof(qinq), true, &fs), 0);
	assert_ptr_equal(post->data, qinq);
	assert_int_equal(post->shift, 0);
	assert_int_equal(post->ctx_nhoff, 22);
	assert_int_equal(post->ctx_n_proto, 0x0800);
	assert_int_equal(frame_shape(untagged, sizeof(untagged), true, &fs), 0);
	assert_int_equal(post->ctx_nhoff, 18);
	assert_int_equal(post->ctx_n_proto, 0x0800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_shape_table),
		cmocka_unit_test(test_frame_strip_qinq_keeps_payload),
		cmocka_unit_test(test_frame_push_tag_bytes),
		cmocka_unit_test(test_frame_short_frame),
		cmocka_unit_test(test_frame_cut_same_payload),
		cmocka_unit_test(test_frame_ctx_states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
