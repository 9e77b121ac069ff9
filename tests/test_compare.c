// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The differ: golden lines against keys, and states against each other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "check/compare.h"

static void keys_tcp(struct bpf_flow_keys *k, uint16_t nhoff)
{
	memset(k, 0, sizeof(*k));
	k->nhoff = nhoff;
	k->thoff = nhoff + 20;
	k->addr_proto = 0x0800;
	k->ip_proto = 6;
	k->n_proto = htons(0x0800);
	k->sport = htons(80);
	k->dport = htons(8080);
	k->ipv4_src = htonl(0xc0000201);
	k->ipv4_dst = htonl(0xc0000202);
}

static void parse(const char *line, struct golden_line *exp)
{
	char err[256];

	if (keys_json_parse_golden(line, strlen(line), exp, err, sizeof(err)))
		fail_msg("%s: %s", line, err);
}

struct golden_case {
	const char *name;
	const char *line;
	uint32_t ret;
	size_t n;
	const char *field;	/* first difference */
	const char *expected;
	const char *actual;
};

static const struct golden_case golden_cases[] = {
	{ "all-match",
	  "{\"frame\":1,\"state\":\"vlanless\",\"ret\":\"BPF_OK\",\"nhoff\":14,"
	  "\"thoff\":34,\"src\":\"192.0.2.1\",\"dport\":8080}",
	  0, 0, NULL, NULL, NULL },
	{ "absent-fields-unchecked", "{\"frame\":1,\"state\":\"vlanless\"}",
	  2, 0, NULL, NULL, NULL },
	{ "one-field", "{\"frame\":1,\"state\":\"vlanless\",\"thoff\":38}",
	  0, 1, "thoff", "38", "34" },
	{ "ret", "{\"frame\":1,\"state\":\"vlanless\",\"ret\":\"BPF_DROP\"}",
	  0, 1, "ret", "\"BPF_DROP\"", "\"BPF_OK\"" },
	{ "ret-number", "{\"frame\":1,\"state\":\"vlanless\",\"ret\":7}",
	  0, 1, "ret", "7", "\"BPF_OK\"" },
	{ "address", "{\"frame\":1,\"state\":\"vlanless\",\"dst\":\"192.0.2.9\"}",
	  0, 1, "dst", "\"192.0.2.9\"", "\"192.0.2.2\"" },
	{ "ethertype", "{\"frame\":1,\"state\":\"vlanless\",\"n_proto\":\"0x86dd\"}",
	  0, 1, "n_proto", "\"0x86dd\"", "\"0x0800\"" },
	{ "port", "{\"frame\":1,\"state\":\"vlanless\",\"sport\":81,\"dport\":8081}",
	  0, 2, "sport", "81", "80" },
	/* pre-6.1 kernels only say "not BPF_OK": DROP fits, OK does not */
	{ "not-ok-fits-drop",
	  "{\"frame\":1,\"state\":\"vlanless\",\"ret\":\"BPF_DROP\"}",
	  TESTRUN_RET_NOT_OK, 0, NULL, NULL, NULL },
	{ "not-ok-is-not-ok",
	  "{\"frame\":1,\"state\":\"vlanless\",\"ret\":\"BPF_OK\"}",
	  TESTRUN_RET_NOT_OK, 1, "ret", "\"BPF_OK\"", "\"!BPF_OK\"" },
};

static void test_compare_golden_table(void **state)
{
	struct diff diffs[COMPARE_DIFFS_MAX];
	struct bpf_flow_keys k;
	struct golden_line exp;

	(void)state;
	keys_tcp(&k, 14);
	for (size_t i = 0; i < sizeof(golden_cases) / sizeof(golden_cases[0]);
	     i++) {
		const struct golden_case *c = &golden_cases[i];
		size_t n;

		parse(c->line, &exp);
		n = compare_golden(&exp, c->ret, &k, diffs, COMPARE_DIFFS_MAX);
		if (n != c->n)
			fail_msg("case %s: %zu differences, want %zu", c->name,
				 n, c->n);
		if (!n)
			continue;
		assert_int_equal(diffs[0].kind, DIFF_GOLDEN);
		if (strcmp(diffs[0].field, c->field) ||
		    strcmp(diffs[0].expected, c->expected) ||
		    strcmp(diffs[0].actual, c->actual))
			fail_msg("case %s: got %s %s %s", c->name,
				 diffs[0].field, diffs[0].expected,
				 diffs[0].actual);
	}
}

/* A garbage byte the IPv4 view hides is still caught. */
static void test_compare_hidden_address_bytes(void **state)
{
	struct diff diffs[COMPARE_DIFFS_MAX];
	struct bpf_flow_keys k;
	struct golden_line exp;

	(void)state;
	keys_tcp(&k, 14);
	((uint8_t *)&k)[40] = 1;
	parse("{\"frame\":1,\"state\":\"vlanless\",\"src\":\"192.0.2.1\"}", &exp);
	assert_int_equal(compare_golden(&exp, 0, &k, diffs, COMPARE_DIFFS_MAX),
			 1);
	assert_string_equal(diffs[0].field, "addr_extra");
}

/*
 * Every checked byte of every field is compared, and an unchecked one is
 * not: compare_golden() looks at the keys whole before it walks them.
 */
static void test_compare_golden_every_byte(void **state)
{
	struct diff diffs[COMPARE_DIFFS_MAX];
	struct golden_line exp = { .has_ret = false };
	struct bpf_flow_keys k;

	(void)state;
	for (int l = KEYS_LAYOUT_IPV4; l <= KEYS_LAYOUT_IPV6; l++) {
		size_t count;
		const struct keys_field *f = keys_fields(l, &count);

		keys_tcp(&exp.keys, 14);
		exp.layout = (enum keys_layout)l;
		for (size_t i = 0; i < count; i++)
			for (size_t b = 0; b < f[i].size; b++) {
				uint8_t *byte = (uint8_t *)&k + f[i].offset + b;
				size_t n;

				k = exp.keys;
				*byte ^= 0x10;
				memset(exp.mask, 0xff, sizeof(exp.mask));
				n = compare_golden(&exp, FDTEST_RET_OK, &k,
						   diffs, COMPARE_DIFFS_MAX);
				if (n != 1 || strcmp(diffs[0].field, f[i].name))
					fail_msg("%s byte %zu: %zu differences",
						 f[i].name, b, n);
				exp.mask[f[i].offset + b] = 0;
				assert_int_equal(compare_golden(&exp,
						 FDTEST_RET_OK, &k, diffs,
						 COMPARE_DIFFS_MAX), 0);
			}
	}
}

static void test_compare_states_consistent(void **state)
{
	struct testrun_result vl, pre, post;
	const struct testrun_result *res[FDTEST_STATE_COUNT] = { &vl, &pre, &post };
	struct diff diffs[COMPARE_DIFFS_MAX];

	(void)state;
	/* one tag: pre-vlan and post-vlan at 18, vlanless at 14 */
	keys_tcp(&vl.keys, 14);
	keys_tcp(&pre.keys, 18);
	keys_tcp(&post.keys, 18);
	vl.ret = pre.ret = post.ret = 0;
	for (int s = 0; s < FDTEST_STATE_COUNT; s++)
		assert_int_equal(compare_states(res, 4, (enum fdtest_state)s,
						diffs, COMPARE_DIFFS_MAX), 0);
}

static void test_compare_states_fixed_offsets(void **state)
{
	struct testrun_result vl, pre, post;
	const struct testrun_result *res[FDTEST_STATE_COUNT] = { &vl, &pre, &post };
	struct diff diffs[COMPARE_DIFFS_MAX];
	size_t n;

	(void)state;
	/* a dissector that ignores nhoff reports 14 even behind a tag */
	keys_tcp(&vl.keys, 14);
	keys_tcp(&pre.keys, 14);
	keys_tcp(&post.keys, 18);
	vl.ret = pre.ret = post.ret = 0;
	n = compare_states(res, 4, FDTEST_STATE_POST_VLAN, diffs,
			   COMPARE_DIFFS_MAX);
	assert_int_equal(n, 2);
	assert_int_equal(diffs[0].kind, DIFF_CONSISTENCY);
	assert_int_equal(diffs[0].other, FDTEST_STATE_PRE_VLAN);
	assert_string_equal(diffs[0].field, "nhoff");
	assert_string_equal(diffs[0].expected, "14");
	assert_string_equal(diffs[0].actual, "18");
	assert_string_equal(diffs[1].field, "thoff");
	assert_int_equal(compare_states(res, 4, FDTEST_STATE_VLANLESS, diffs,
					COMPARE_DIFFS_MAX), 2);

	/* a different verdict is one difference, keys not compared */
	pre.ret = 2;
	n = compare_states(res, 4, FDTEST_STATE_POST_VLAN, diffs,
			   COMPARE_DIFFS_MAX);
	assert_int_equal(n, 1);
	assert_string_equal(diffs[0].field, "ret");
	/* all dropped: keys of a dropped frame are not compared */
	vl.ret = post.ret = 2;
	assert_int_equal(compare_states(res, 4, FDTEST_STATE_POST_VLAN, diffs,
					COMPARE_DIFFS_MAX), 0);
}

static void test_compare_states_without_pre_vlan(void **state)
{
	struct testrun_result vl, post;
	const struct testrun_result *res[FDTEST_STATE_COUNT] = { &vl, NULL, &post };
	struct diff diffs[COMPARE_DIFFS_MAX];

	(void)state;
	keys_tcp(&vl.keys, 14);
	keys_tcp(&post.keys, 22);
	vl.ret = post.ret = 0;
	assert_int_equal(compare_states(res, 8, FDTEST_STATE_VLANLESS, diffs,
					COMPARE_DIFFS_MAX), 0);
	assert_int_equal(compare_states(res, 4, FDTEST_STATE_VLANLESS, diffs,
					COMPARE_DIFFS_MAX), 2);
	assert_int_equal(diffs[0].other, FDTEST_STATE_POST_VLAN);
}

struct invariant_case {
	const char *name;
	void (*spoil)(struct bpf_flow_keys *k);
	uint32_t ret;
	const char *field;	/* NULL: no difference */
	const char *field2;	/* a second difference, or NULL */
};

static void spoil_none(struct bpf_flow_keys *k) { (void)k; }
static void spoil_thoff_low(struct bpf_flow_keys *k) { k->thoff = 10; }
static void spoil_thoff_high(struct bpf_flow_keys *k) { k->thoff = 61; }
static void spoil_nhoff_high(struct bpf_flow_keys *k)
{
	k->nhoff = 61;
	k->thoff = 61;
}
static void spoil_first_frag(struct bpf_flow_keys *k) { k->is_first_frag = 1; }
static void spoil_frag_ok(struct bpf_flow_keys *k)
{
	k->is_frag = 1;
	k->is_first_frag = 1;
}
static void spoil_ipv6(struct bpf_flow_keys *k) { k->addr_proto = 0x86dd; }
static void spoil_proto(struct bpf_flow_keys *k) { k->addr_proto = 0x0806; }
static void spoil_addr(struct bpf_flow_keys *k) { k->addr_proto = 0; }
static void spoil_no_addr(struct bpf_flow_keys *k)
{
	k->addr_proto = 0;
	memset(&k->ipv4_src, 0, 32);
}

static const struct invariant_case invariant_cases[] = {
	{ "sound", spoil_none, 0, NULL, NULL },
	{ "thoff-below-nhoff", spoil_thoff_low, 0, "thoff", NULL },
	{ "thoff-past-frame", spoil_thoff_high, 0, "thoff", NULL },
	{ "nhoff-past-frame", spoil_nhoff_high, 0, "nhoff", "thoff" },
	{ "first-frag-alone", spoil_first_frag, 0, "is_first_frag", NULL },
	{ "first-frag-of-frag", spoil_frag_ok, 0, NULL, NULL },
	{ "odd-addr-proto", spoil_proto, 0, "addr_proto", NULL },
	{ "ipv6-addr-proto", spoil_ipv6, 0, NULL, NULL },
	{ "addresses-without-proto", spoil_addr, 0, "src", NULL },
	{ "no-addresses-no-proto", spoil_no_addr, 0, NULL, NULL },
	/* the kernel clamps offsets whatever the verdict */
	{ "dropped-past-frame", spoil_thoff_high, 2, "thoff", NULL },
	{ "continue-past-frame", spoil_nhoff_high, 129, "nhoff", "thoff" },
	/* the other keys of a dropped frame are not specified */
	{ "dropped-first-frag", spoil_first_frag, 2, NULL, NULL },
	{ "dropped-odd-proto", spoil_proto, 2, NULL, NULL },
	{ "dropped-addresses", spoil_addr, 2, NULL, NULL },
};

static void test_compare_invariants(void **state)
{
	struct diff diffs[COMPARE_DIFFS_MAX];
	struct bpf_flow_keys k;

	(void)state;
	for (size_t i = 0;
	     i < sizeof(invariant_cases) / sizeof(invariant_cases[0]); i++) {
		const struct invariant_case *c = &invariant_cases[i];
		size_t n;

		keys_tcp(&k, 14);
		c->spoil(&k);
		n = compare_invariants(c->ret, &k, 60, diffs,
				       COMPARE_DIFFS_MAX);
		if (n != (c->field ? 1u : 0u) + (c->field2 ? 1u : 0u))
			fail_msg("case %s: %zu differences", c->name, n);
		for (size_t d = 0; d < n; d++) {
			const char *want = d ? c->field2 : c->field;

			if (diffs[d].kind != DIFF_INVARIANT)
				fail_msg("case %s: kind %d", c->name,
					 diffs[d].kind);
			if (strcmp(diffs[d].field, want))
				fail_msg("case %s: field %s, want %s", c->name,
					 diffs[d].field, want);
		}
	}
}

/* fdtest diff's comparison: verdict first, keys only when both BPF_OK. */
static void test_compare_results(void **state)
{
	struct testrun_result a = { 0 }, b;
	struct diff diffs[COMPARE_DIFFS_MAX];
	size_t n;

	(void)state;
	keys_tcp(&a.keys, 14);
	b = a;
	assert_int_equal(compare_results(&a, &b, diffs, COMPARE_DIFFS_MAX), 0);

	b.keys.thoff = 42;
	n = compare_results(&a, &b, diffs, COMPARE_DIFFS_MAX);
	assert_int_equal(n, 1);
	assert_string_equal(diffs[0].field, "thoff");
	assert_string_equal(diffs[0].expected, "34");
	assert_string_equal(diffs[0].actual, "42");

	/* a different verdict is one difference; keys are not compared */
	b.ret = 2;
	n = compare_results(&a, &b, diffs, COMPARE_DIFFS_MAX);
	assert_int_equal(n, 1);
	assert_string_equal(diffs[0].field, "ret");
	assert_string_equal(diffs[0].actual, "\"BPF_DROP\"");

	/* both dropped: the same, whatever the keys */
	a.ret = 2;
	assert_int_equal(compare_results(&a, &b, diffs, COMPARE_DIFFS_MAX), 0);

	/* IPv4 against IPv6: each address in its own view, no addr_extra */
	a.ret = b.ret = 0;
	b = a;
	b.keys.addr_proto = 0x86dd;
	memset(&b.keys.ipv6_src, 0, 32);
	((uint8_t *)&b.keys.ipv6_src)[0] = 0xfd;
	((uint8_t *)&b.keys.ipv6_src)[15] = 1;
	n = compare_results(&a, &b, diffs, COMPARE_DIFFS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(diffs[i].field, "addr_extra") == 0)
			fail_msg("addr_extra shown across views");
		if (strcmp(diffs[i].field, "src") == 0) {
			assert_string_equal(diffs[i].expected,
					    "\"192.0.2.1\"");
			assert_string_equal(diffs[i].actual, "\"fd00::1\"");
		}
	}
	assert_int_equal(n, 3);	/* addr_proto, src, dst */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_golden_table),
		cmocka_unit_test(test_compare_hidden_address_bytes),
		cmocka_unit_test(test_compare_golden_every_byte),
		cmocka_unit_test(test_compare_states_consistent),
		cmocka_unit_test(test_compare_states_fixed_offsets),
		cmocka_unit_test(test_compare_states_without_pre_vlan),
		cmocka_unit_test(test_compare_invariants),
		cmocka_unit_test(test_compare_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
