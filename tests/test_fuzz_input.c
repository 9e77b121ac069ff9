// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest fuzz without the kernel: inputs, frame classes, the policy, and
 * the invariants compare.c gained for it. The engine and the oracles
 * over real dissectors are in tests/test-fuzz-cmd.sh.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check/compare.h"
#include "fuzz/fuzz.h"
#include "test_util.h"

static struct gen_packet pkt;

/* Every generated input builds, stays in bounds and is its description. */
static void test_fuzz_input_generate(void **state)
{
	static struct fuzz_input in, again;
	unsigned int made = 0, cut = 0;

	(void)state;
	for (uint64_t i = 0; i < 3000; i++) {
		struct fuzz_rng r;

		fuzz_rng_seed(&r, 42, i);
		if (fuzz_input_generate(&r, &pkt, &in))
			continue;
		made++;
		cut += strncmp(in.desc, "frame trunc=", 12) == 0;
		if (in.len < FDTEST_FRAME_MIN || in.len > FUZZ_INPUT_MAX)
			fail_msg("input %llu: %u bytes", (unsigned long long)i,
				 in.len);
		if (fuzz_desc_build(in.desc, &pkt) || pkt.len != in.len ||
		    memcmp(pkt.bytes, in.bytes, in.len))
			fail_msg("input %llu: '%s' does not make its bytes",
				 (unsigned long long)i, in.desc);
		/* the same stream makes the same input */
		fuzz_rng_seed(&r, 42, i);
		assert_int_equal(fuzz_input_generate(&r, &pkt, &again), 0);
		assert_string_equal(again.desc, in.desc);
	}
	/* nearly every stack builds, and some are cut at a boundary */
	if (made < 2900 || cut < 300)
		fail_msg("%u of 3000 built, %u cut", made, cut);
}

static void test_fuzz_input_mutate(void **state)
{
	static struct fuzz_input in, other;
	struct fuzz_rng r;

	(void)state;
	fuzz_rng_seed(&r, 7, 0);
	assert_int_equal(fuzz_input_generate(&r, &pkt, &other), 0);
	assert_int_equal(fuzz_input_generate(&r, &pkt, &in), 0);
	for (int i = 0; i < 20000; i++) {
		fuzz_input_mutate(&r, &in, i % 2 ? &other : NULL);
		assert_string_equal(in.desc, "");
		if (in.len < FDTEST_FRAME_MIN || in.len > FUZZ_INPUT_MAX)
			fail_msg("mutation %d: %u bytes", i, in.len);
	}
}

static const struct {
	const char *desc;
	const char *want;
} class_cases[] = {
	{ "eth / vlan / ipv4 / tcp", "eth/802.1q/ipv4/tcp" },
	{ "eth / ipv4 version=6 / tcp", "eth/ipv4/other!version" },
	{ "eth / ipv6 version=4 / tcp", "eth/ipv6/tcp!version" },
	{ "eth / ipv4 ihl=4 / udp", "eth/ipv4/other!ihl" },
	{ "eth / ipv4 len=1 / udp", "eth/ipv4/udp!len" },
	{ "frame trunc=20 / eth / ipv4 / udp", "eth/ipv4/other!cut" },
	{ "eth / vlan tpid=0x88a8 / vlan / ipv4 len=3",
	  "eth/802.1ad/802.1q/ipv4/other!len" },
	{ "eth / mpls / ipv4 / udp", "eth/mpls/ipv4/udp" },
};

static void test_fuzz_class(void **state)
{
	char cls[FUZZ_CLASS_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]);
	     i++) {
		assert_int_equal(fuzz_desc_build(class_cases[i].desc, &pkt), 0);
		fuzz_class(pkt.bytes, pkt.len, cls, sizeof(cls));
		if (strcmp(cls, class_cases[i].want))
			fail_msg("'%s': class %s, want %s",
				 class_cases[i].desc, cls,
				 class_cases[i].want);
	}
}

static void test_fuzz_policy(void **state)
{
	static struct fuzz_policy p;
	const struct fuzz_policy_rule *rule;
	char path[256], err[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/good.policy", test_scratch());
	test_write_file(path,
			"# comment\n"
			"\n"
			"*mpls*\t*\tREFERENCE does not parse MPLS\n"
			"eth/ipv4/*!version ret   nibble  # why\n");
	assert_int_equal(fuzz_policy_load(path, &p, err, sizeof(err)), 0);
	assert_int_equal(p.n_rules, 2);
	rule = fuzz_policy_match(&p, "eth/802.1q/mpls/ipv4/udp", "nhoff");
	assert_non_null(rule);
	assert_string_equal(rule->reason, "REFERENCE does not parse MPLS");
	assert_non_null(fuzz_policy_match(&p, "eth/ipv4/other!version", "ret"));
	assert_null(fuzz_policy_match(&p, "eth/ipv4/other!version", "nhoff"));
	assert_null(fuzz_policy_match(&p, "eth/ipv4/udp", "ret"));
	assert_null(fuzz_policy_match(NULL, "eth/ipv4/udp", "ret"));

	snprintf(path, sizeof(path), "%s/bad.policy", test_scratch());
	test_write_file(path, "*mpls*\t*\tok\n*ipv6*\n");
	assert_int_equal(fuzz_policy_load(path, &p, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "line 2"));

	snprintf(path, sizeof(path), "%s/nosuch.policy", test_scratch());
	assert_int_equal(fuzz_policy_load(path, &p, err, sizeof(err)),
			 -ENOENT);
}

/* The splitmix64 stream is fixed: --seed means the same everywhere. */
static void test_fuzz_rng_fixed(void **state)
{
	struct fuzz_rng r = { 0 };

	(void)state;
	assert_true(fuzz_rand(&r) == 0xe220a8397b1dcdafull);
	assert_true(fuzz_rand(&r) == 0x6e789e6aa1b965f4ull);
	assert_int_equal(fuzz_below(&r, 0), 0);
}

struct invariant_case {
	const char *name;
	uint32_t ret;
	void (*spoil)(struct bpf_flow_keys *k);
	const char *field;	/* NULL: holds */
	const char *field2;
};

static void sound(struct bpf_flow_keys *k) { (void)k; }
static void extra_addr(struct bpf_flow_keys *k) { k->ipv6_dst[3] = 1; }
static void later_frag(struct bpf_flow_keys *k) { k->is_frag = 1; }
static void first_frag(struct bpf_flow_keys *k)
{
	k->is_frag = 1;
	k->is_first_frag = 1;
}

static void later_frag_no_ports(struct bpf_flow_keys *k)
{
	k->is_frag = 1;
	k->sport = 0;
	k->dport = 0;
}

static const struct invariant_case invariant_cases[] = {
	{ "ok", FDTEST_RET_OK, sound, NULL, NULL },
	{ "drop", FDTEST_RET_DROP, sound, NULL, NULL },
	{ "continue", FDTEST_RET_CONTINUE, sound, NULL, NULL },
	{ "not-ok-before-6.1", TESTRUN_RET_NOT_OK, sound, NULL, NULL },
	{ "verdict-7", 7, sound, "ret", NULL },
	{ "verdict-minus-1", 0xffffffffu, sound, "ret", NULL },
	{ "ipv4-extra-address-bytes", FDTEST_RET_OK, extra_addr, "addr_extra",
	  NULL },
	{ "dropped-extra-address-bytes", FDTEST_RET_DROP, extra_addr, NULL,
	  NULL },
	{ "later-fragment-ports", FDTEST_RET_OK, later_frag, "sport", "dport" },
	{ "later-fragment-no-ports", FDTEST_RET_OK, later_frag_no_ports, NULL,
	  NULL },
	{ "first-fragment-ports", FDTEST_RET_OK, first_frag, NULL, NULL },
};

static void test_fuzz_invariants(void **state)
{
	struct diff diffs[COMPARE_DIFFS_MAX];

	(void)state;
	for (size_t i = 0;
	     i < sizeof(invariant_cases) / sizeof(invariant_cases[0]); i++) {
		const struct invariant_case *c = &invariant_cases[i];
		struct bpf_flow_keys k = {
			.nhoff = 14, .thoff = 34, .addr_proto = 0x0800,
			.ip_proto = 6, .n_proto = htons(0x0800),
			.sport = htons(1000), .dport = htons(80),
			.ipv4_src = htonl(0x0a000001),
			.ipv4_dst = htonl(0x0a000002),
		};
		size_t n;

		c->spoil(&k);
		n = compare_invariants(c->ret, &k, 60, diffs,
				       COMPARE_DIFFS_MAX);
		if (n != (c->field ? 1u : 0u) + (c->field2 ? 1u : 0u))
			fail_msg("case %s: %zu differences", c->name, n);
		for (size_t d = 0; d < n; d++)
			if (strcmp(diffs[d].field, d ? c->field2 : c->field))
				fail_msg("case %s: field %s", c->name,
					 diffs[d].field);
		if (c->field && strcmp(c->field, "ret") == 0 &&
		    strstr(diffs[0].actual, "7") == NULL &&
		    strstr(diffs[0].actual, "4294967295") == NULL)
			fail_msg("case %s: actual '%s'", c->name,
				 diffs[0].actual);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_input_generate),
		cmocka_unit_test(test_fuzz_input_mutate),
		cmocka_unit_test(test_fuzz_class),
		cmocka_unit_test(test_fuzz_policy),
		cmocka_unit_test(test_fuzz_rng_fixed),
		cmocka_unit_test(test_fuzz_invariants),
	};

	return cmocka_run_group_tests(tests, test_scratch_setup,
				      test_scratch_teardown);
}
