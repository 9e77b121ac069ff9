// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Expectations against results (see compare.h). */
#include <stdio.h>
#include <string.h>
#include <linux/if_ether.h>

#include "check/compare.h"

const char *compare_ret_text(uint32_t ret, char *buf, size_t size)
{
	const char *name = fdtest_ret_name(ret);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%u", ret);
	return buf;
}

/* A verdict as a golden line writes it: "BPF_OK" quoted, or a number. */
static void ret_json(uint32_t ret, char *buf, size_t size)
{
	char text[32];

	compare_ret_text(ret, text, sizeof(text));
	if (text[0] >= '0' && text[0] <= '9')
		snprintf(buf, size, "%s", text);
	else
		snprintf(buf, size, "\"%s\"", text);
}

/* A kernel before 6.1 only says "not BPF_OK", which any other verdict fits. */
static bool ret_matches(uint32_t expected, uint32_t actual)
{
	if (actual == TESTRUN_RET_NOT_OK || expected == TESTRUN_RET_NOT_OK)
		return (expected == FDTEST_RET_OK) == (actual == FDTEST_RET_OK);
	return expected == actual;
}

static struct diff *next_diff(struct diff *diffs, size_t *n, size_t max,
			      enum diff_kind kind, const char *field)
{
	struct diff *d;

	if (*n >= max)
		return NULL;
	d = &diffs[(*n)++];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	snprintf(d->field, sizeof(d->field), "%s", field);
	return d;
}

static void add_ret_diff(struct diff *diffs, size_t *n, size_t max,
			 enum diff_kind kind, uint32_t expected,
			 uint32_t actual)
{
	struct diff *d = next_diff(diffs, n, max, kind, "ret");

	if (!d)
		return;
	ret_json(expected, d->expected, sizeof(d->expected));
	ret_json(actual, d->actual, sizeof(d->actual));
}

static bool bytes_differ(const uint8_t *a, const uint8_t *b,
			 const uint8_t *mask, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((!mask || mask[i]) && a[i] != b[i])
			return true;
	return false;
}

/* Does any checked byte differ? Compared whole, 8 bytes at a time. */
static bool keys_differ(const struct bpf_flow_keys *a,
			const struct bpf_flow_keys *b, const uint8_t *mask)
{
	const uint8_t *pa = (const uint8_t *)a;
	const uint8_t *pb = (const uint8_t *)b;
	uint64_t acc = 0;
	size_t i;

	if (!mask)
		return memcmp(a, b, sizeof(*a)) != 0;
	for (i = 0; i + 8 <= sizeof(*a); i += 8) {
		uint64_t x, y, m;

		memcpy(&x, pa + i, 8);
		memcpy(&y, pb + i, 8);
		memcpy(&m, mask + i, 8);
		acc |= (x ^ y) & m;
	}
	for (; i < sizeof(*a); i++)
		acc |= (uint64_t)((pa[i] ^ pb[i]) & mask[i]);
	return acc != 0;
}

/*
 * Walks the fields of @layout and records each whose checked bytes
 * differ. Values are shown in @layout for both sides, so one address
 * is compared with the same view.
 */
static void diff_fields(enum keys_layout layout,
			const struct bpf_flow_keys *want,
			const struct bpf_flow_keys *got, const uint8_t *mask,
			enum diff_kind kind, struct diff *diffs, size_t *n,
			size_t max)
{
	size_t count;
	const struct keys_field *f;

	/* results nearly always match: no field by field walk then */
	if (!keys_differ(want, got, mask))
		return;
	f = keys_fields(layout, &count);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *a = (const uint8_t *)want + f[i].offset;
		const uint8_t *b = (const uint8_t *)got + f[i].offset;
		struct diff *d;

		if (!bytes_differ(a, b, mask ? mask + f[i].offset : NULL,
				  f[i].size))
			continue;
		d = next_diff(diffs, n, max, kind, f[i].name);
		if (!d)
			return;
		keys_json_format_field(d->expected, sizeof(d->expected), &f[i],
				       want);
		keys_json_format_field(d->actual, sizeof(d->actual), &f[i],
				       got);
	}
}

size_t compare_golden(const struct golden_line *exp, uint32_t ret,
		      const struct bpf_flow_keys *keys, struct diff *diffs,
		      size_t max)
{
	size_t n = 0;

	if (exp->has_ret && !ret_matches(exp->ret, ret))
		add_ret_diff(diffs, &n, max, DIFF_GOLDEN, exp->ret, ret);
	diff_fields(exp->layout, &exp->keys, keys, exp->mask, DIFF_GOLDEN,
		    diffs, &n, max);
	return n;
}

size_t compare_states(const struct testrun_result *const res[FDTEST_STATE_COUNT],
		      uint16_t vlanless_shift, enum fdtest_state state,
		      struct diff *diffs, size_t max)
{
	enum fdtest_state base = res[FDTEST_STATE_PRE_VLAN] ?
				 FDTEST_STATE_PRE_VLAN :
				 FDTEST_STATE_POST_VLAN;
	const struct testrun_result *want = res[base];
	const struct testrun_result *got = res[state];
	struct bpf_flow_keys moved;
	size_t n = 0;

	if (state == base || !want || !got)
		return 0;
	if (!ret_matches(want->ret, got->ret)) {
		add_ret_diff(diffs, &n, max, DIFF_CONSISTENCY, want->ret,
			     got->ret);
	} else if (got->ret == FDTEST_RET_OK) {
		/* keys of a dropped frame are not specified: only BPF_OK's */
		moved = got->keys;
		if (state == FDTEST_STATE_VLANLESS) {
			moved.nhoff += vlanless_shift;
			moved.thoff += vlanless_shift;
		}
		/* the states of nearly every frame agree: say so at once */
		if (memcmp(&want->keys, &moved, sizeof(moved)) != 0)
			diff_fields(keys_layout_of(&want->keys), &want->keys,
				    &moved, NULL, DIFF_CONSISTENCY, diffs, &n,
				    max);
	}
	for (size_t i = 0; i < n; i++)
		diffs[i].other = base;
	return n;
}

/*
 * When only one side is IPv4, its addresses are shown in its own view,
 * as its golden line would write them; addr_extra, which only the IPv4
 * view has, then tells nothing the other side's src and dst do not.
 */
static size_t show_own_layout(const struct bpf_flow_keys *b,
			      struct diff *diffs, size_t n)
{
	enum keys_layout lb = keys_layout_of(b);
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		const struct keys_field *f = keys_field_find(lb,
							     diffs[i].field);

		if (!f && strcmp(diffs[i].field, KEYS_ADDR_EXTRA) == 0)
			continue;
		if (f && f->offset >= KEYS_ADDR_OFFSET &&
		    f->offset < KEYS_ADDR_OFFSET + KEYS_ADDR_SIZE)
			keys_json_format_field(diffs[i].actual,
					       sizeof(diffs[i].actual), f, b);
		diffs[kept++] = diffs[i];
	}
	return kept;
}

size_t compare_results(const struct testrun_result *a,
		       const struct testrun_result *b, struct diff *diffs,
		       size_t max)
{
	enum keys_layout la = keys_layout_of(&a->keys);
	size_t n = 0;

	if (!ret_matches(a->ret, b->ret)) {
		add_ret_diff(diffs, &n, max, DIFF_GOLDEN, a->ret, b->ret);
	} else if (a->ret == FDTEST_RET_OK) {
		diff_fields(la, &a->keys, &b->keys, NULL, DIFF_GOLDEN, diffs,
			    &n, max);
		if (keys_layout_of(&b->keys) != la)
			n = show_own_layout(&b->keys, diffs, n);
	}
	return n;
}

static void add_invariant(struct diff *diffs, size_t *n, size_t max,
			  const char *field, const char *rule,
			  const struct bpf_flow_keys *keys)
{
	struct diff *d = next_diff(diffs, n, max, DIFF_INVARIANT, field);
	size_t count;
	const struct keys_field *f;

	if (!d)
		return;
	snprintf(d->expected, sizeof(d->expected), "\"%s\"", rule);
	f = keys_fields(keys_layout_of(keys), &count);
	for (size_t i = 0; i < count; i++)
		if (strcmp(f[i].name, field) == 0)
			keys_json_format_field(d->actual, sizeof(d->actual),
					       &f[i], keys);
}

/*
 * The rules fdtest fuzz brought: a verdict the kernel knows, and for
 * BPF_OK no address bytes past IPv4's 8 and no ports in a fragment that
 * is not the first (only the first carries the transport header).
 */
static size_t compare_invariants_more(uint32_t ret,
				      const struct bpf_flow_keys *keys,
				      struct diff *diffs, size_t max)
{
	static const uint8_t zero[KEYS_ADDR_SIZE];
	size_t n = 0;
	struct diff *d;

	if (ret != FDTEST_RET_OK && ret != FDTEST_RET_DROP &&
	    ret != FDTEST_RET_CONTINUE && ret != TESTRUN_RET_NOT_OK) {
		add_invariant(diffs, &n, max, "ret",
			      "verdict BPF_OK, BPF_DROP or CONTINUE", keys);
		d = n ? &diffs[n - 1] : NULL;
		if (d)
			ret_json(ret, d->actual, sizeof(d->actual));
	}
	if (ret != FDTEST_RET_OK)
		return n;
	if (keys->addr_proto == ETH_P_IP &&
	    memcmp((const uint8_t *)keys + KEYS_ADDR_OFFSET + 8, zero,
		   KEYS_ADDR_SIZE - 8))
		add_invariant(diffs, &n, max, KEYS_ADDR_EXTRA,
			      "no address bytes past IPv4's 8", keys);
	if (keys->is_frag && !keys->is_first_frag && keys->sport)
		add_invariant(diffs, &n, max, "sport",
			      "no ports in a later fragment", keys);
	if (keys->is_frag && !keys->is_first_frag && keys->dport)
		add_invariant(diffs, &n, max, "dport",
			      "no ports in a later fragment", keys);
	return n;
}

size_t compare_invariants(uint32_t ret, const struct bpf_flow_keys *keys,
			  uint32_t frame_len, struct diff *diffs, size_t max)
{
	static const uint8_t zero[KEYS_ADDR_SIZE];
	size_t n = 0;

	/*
	 * The kernel clamps both offsets into the frame whatever the
	 * verdict, so these hold for every result; one that breaks them
	 * is a harness or kernel bug, not the dissector's.
	 */
	if (keys->nhoff > frame_len)
		add_invariant(diffs, &n, max, "nhoff",
			      "nhoff <= frame length", keys);
	if (keys->thoff < keys->nhoff)
		add_invariant(diffs, &n, max, "thoff", "thoff >= nhoff", keys);
	if (keys->thoff > frame_len)
		add_invariant(diffs, &n, max, "thoff",
			      "thoff <= frame length", keys);
	n += compare_invariants_more(ret, keys, diffs + n, max - n);
	/* keys of other verdicts are not specified */
	if (ret != FDTEST_RET_OK)
		return n;
	if (keys->is_first_frag && !keys->is_frag)
		add_invariant(diffs, &n, max, "is_first_frag",
			      "is_first_frag only with is_frag", keys);
	if (keys->addr_proto && keys->addr_proto != ETH_P_IP &&
	    keys->addr_proto != ETH_P_IPV6)
		add_invariant(diffs, &n, max, "addr_proto",
			      "addr_proto 0, 0x0800 or 0x86dd", keys);
	if (!keys->addr_proto &&
	    memcmp((const uint8_t *)keys + KEYS_ADDR_OFFSET, zero,
		   sizeof(zero)))
		add_invariant(diffs, &n, max, "src",
			      "no addresses without addr_proto", keys);
	return n;
}
