// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Keys to JSON and back: exact text, lossless round trip, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "keys/keys_json.h"

static void make_ipv4_keys(struct bpf_flow_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->nhoff = 14;
	k->thoff = 34;
	k->addr_proto = 0x0800;
	k->ip_proto = 17;
	k->n_proto = htons(0x0800);
	k->sport = htons(40000);
	k->dport = htons(4789);
	k->ipv4_src = htonl(0x0a000001);
	k->ipv4_dst = htonl(0x0a000002);
	k->flags = 4;
}

static void test_keys_json_format_ipv4(void **state)
{
	static const char want[] =
		"{\"frame\":3,\"state\":\"post-vlan\",\"in_flags\":4,\"ret\":\"BPF_OK\","
		"\"nhoff\":14,\"thoff\":34,\"addr_proto\":\"0x0800\",\"is_frag\":0,"
		"\"is_first_frag\":0,\"is_encap\":0,\"ip_proto\":17,"
		"\"n_proto\":\"0x0800\",\"sport\":40000,\"dport\":4789,"
		"\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"flags\":4,"
		"\"flow_label\":0}";
	struct case_id id = { 3, FDTEST_STATE_POST_VLAN, 4 };
	struct bpf_flow_keys k;
	char buf[KEYS_JSON_LINE_MAX];

	(void)state;
	make_ipv4_keys(&k);
	assert_int_equal(keys_json_format_result(buf, sizeof(buf), &id, 0, &k),
			 (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_keys_json_format_ipv6_and_extra(void **state)
{
	struct case_id id = { 1, FDTEST_STATE_VLANLESS, 0 };
	struct bpf_flow_keys k;
	char buf[KEYS_JSON_LINE_MAX];

	(void)state;
	memset(&k, 0, sizeof(k));
	k.addr_proto = 0x86dd;
	inet_pton(AF_INET6, "2001:db8::1", k.ipv6_src);
	inet_pton(AF_INET6, "fe80::a:b", k.ipv6_dst);
	k.flow_label = htonl(0xbeeef);
	keys_json_format_result(buf, sizeof(buf), &id, 2, &k);
	assert_non_null(strstr(buf, "\"ret\":\"BPF_DROP\""));
	assert_non_null(strstr(buf, "\"src\":\"2001:db8::1\",\"dst\":\"fe80::a:b\""));
	assert_non_null(strstr(buf, "\"flow_label\":782063"));
	assert_null(strstr(buf, "addr_extra"));

	/* bytes the IPv4 view does not show come out as addr_extra */
	make_ipv4_keys(&k);
	((uint8_t *)&k)[47] = 0x5a;
	keys_json_format_result(buf, sizeof(buf), &id, 77, &k);
	assert_non_null(strstr(buf, "\"ret\":77"));
	assert_non_null(strstr(buf, "\"addr_extra\":\"0000000000000000000000000000000000000000000000"
				    "5a\""));
}

/* Every byte of the struct must come back from the text. */
static void test_keys_json_round_trip_random(void **state)
{
	static const uint16_t protos[] = { 0x0800, 0x86dd, 0, 0x1234 };
	char buf[KEYS_JSON_LINE_MAX], err[256];
	struct golden_line exp;

	(void)state;
	srand(1);
	for (int i = 0; i < 20000; i++) {
		struct case_id id = { (uint32_t)i + 1, (enum fdtest_state)(i % 3),
				      (uint32_t)i & 7 };
		struct bpf_flow_keys k;
		uint8_t *p = (uint8_t *)&k;
		uint32_t ret = (uint32_t)rand();
		int len;

		for (size_t b = 0; b < sizeof(k); b++)
			p[b] = (uint8_t)rand();
		if (i % 2)
			k.addr_proto = protos[(i / 2) % 4];
		len = keys_json_format_result(buf, sizeof(buf), &id, ret, &k);
		assert_true(len > 0);
		if (keys_json_parse_golden(buf, (size_t)len, &exp, err,
					   sizeof(err)))
			fail_msg("line %s: %s", buf, err);
		assert_memory_equal(&exp.keys, &k, sizeof(k));
		for (size_t b = 0; b < sizeof(k); b++)
			assert_int_equal(exp.mask[b], 0xff);
		assert_true(exp.has_ret);
		assert_int_equal(exp.ret, ret);
		assert_int_equal(exp.id.frame, id.frame);
		assert_int_equal(exp.id.state, id.state);
		assert_int_equal(exp.id.in_flags, id.in_flags);
	}
}

static void test_keys_json_partial_mask(void **state)
{
	static const char line[] =
		"{\"frame\":2,\"state\":\"pre-vlan\",\"thoff\":38,\"src\":\"10.1.2.3\"}";
	char err[256];
	struct golden_line exp;

	(void)state;
	assert_int_equal(keys_json_parse_golden(line, strlen(line), &exp, err,
						sizeof(err)), 0);
	assert_false(exp.has_ret);
	assert_int_equal(exp.id.in_flags, 0);
	assert_int_equal(exp.layout, KEYS_LAYOUT_IPV4);
	assert_int_equal(exp.keys.thoff, 38);
	assert_int_equal(exp.mask[offsetof(struct bpf_flow_keys, thoff)], 0xff);
	assert_int_equal(exp.mask[offsetof(struct bpf_flow_keys, nhoff)], 0);
	/* src checks its 4 bytes and the 24 the IPv4 view leaves out */
	assert_int_equal(exp.mask[16], 0xff);
	assert_int_equal(exp.mask[20], 0);
	assert_int_equal(exp.mask[24], 0xff);
	assert_int_equal(exp.mask[47], 0xff);
	assert_int_equal(exp.mask[48], 0);
	/* and written back, only what it checks */
	{
		char buf[KEYS_JSON_LINE_MAX];

		keys_json_format_golden(buf, sizeof(buf), &exp);
		assert_string_equal(buf,
			"{\"frame\":2,\"state\":\"pre-vlan\",\"in_flags\":0,"
			"\"thoff\":38,\"src\":\"10.1.2.3\"}");
	}
}

struct bad_line {
	const char *name;
	const char *line;
	const char *why;	/* a part of the message */
};

static const struct bad_line bad_lines[] = {
	{ "not-json", "{\"frame\":1,", "column" },
	{ "not-object", "[1,2]", "expected a JSON object" },
	{ "no-frame", "{\"state\":\"vlanless\"}", "field 'frame'" },
	{ "frame-zero", "{\"frame\":0,\"state\":\"vlanless\"}", "field 'frame'" },
	{ "bad-state", "{\"frame\":1,\"state\":\"pre_vlan\"}", "field 'state'" },
	{ "unknown-field", "{\"frame\":1,\"state\":\"vlanless\",\"thof\":3}",
	  "unknown field 'thof'" },
	{ "nhoff-too-big", "{\"frame\":1,\"state\":\"vlanless\",\"nhoff\":65536}",
	  "field 'nhoff': expected an integer 0..65535" },
	{ "nhoff-string", "{\"frame\":1,\"state\":\"vlanless\",\"nhoff\":\"14\"}",
	  "field 'nhoff'" },
	{ "ethertype-number", "{\"frame\":1,\"state\":\"vlanless\",\"n_proto\":2048}",
	  "field 'n_proto'" },
	{ "ipv4-bad", "{\"frame\":1,\"state\":\"vlanless\",\"src\":\"10.0.0.300\"}",
	  "field 'src'" },
	{ "v6-in-v4-layout",
	  "{\"frame\":1,\"state\":\"vlanless\",\"addr_proto\":\"0x0800\",\"src\":\"::1\"}",
	  "field 'src'" },
	{ "bad-ret", "{\"frame\":1,\"state\":\"vlanless\",\"ret\":\"BPF_MAYBE\"}",
	  "field 'ret'" },
	{ "duplicate-key", "{\"frame\":1,\"frame\":2,\"state\":\"vlanless\"}",
	  "duplicate" },
	{ "extra-short", "{\"frame\":1,\"state\":\"vlanless\",\"addr_extra\":\"00\"}",
	  "field 'addr_extra'" },
};

static void test_keys_json_parse_errors(void **state)
{
	char err[256];
	struct golden_line exp;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		const struct bad_line *b = &bad_lines[i];

		err[0] = '\0';
		if (keys_json_parse_golden(b->line, strlen(b->line), &exp, err,
					   sizeof(err)) != -EINVAL)
			fail_msg("case %s: accepted", b->name);
		if (!strstr(err, b->why))
			fail_msg("case %s: message '%s' lacks '%s'", b->name,
				 err, b->why);
	}
}

static void test_keys_json_no_room(void **state)
{
	struct case_id id = { 1, FDTEST_STATE_VLANLESS, 0 };
	struct bpf_flow_keys k;
	char buf[40];

	(void)state;
	make_ipv4_keys(&k);
	assert_int_equal(keys_json_format_result(buf, sizeof(buf), &id, 0, &k),
			 -ENOSPC);
	assert_string_equal(buf, "");
}

/*
 * Addresses are written by fdtest's own formatter, for speed; it must
 * give inet_ntop()'s text for every address, above all the zero runs and
 * the IPv4-compatible and -mapped forms.
 */
/* Formatters stop at the end of a range: fields come in offset order. */
static void test_keys_fields_in_offset_order(void **state)
{
	(void)state;
	for (int l = KEYS_LAYOUT_IPV4; l <= KEYS_LAYOUT_IPV6; l++) {
		size_t n;
		const struct keys_field *f = keys_fields(l, &n);

		for (size_t i = 1; i < n; i++)
			assert_true(f[i - 1].offset + f[i - 1].size <=
				    f[i].offset);
	}
}

/* The shortcut to the address fields finds what the names find. */
static void test_keys_field_addr(void **state)
{
	(void)state;
	for (int l = KEYS_LAYOUT_IPV4; l <= KEYS_LAYOUT_IPV6; l++) {
		assert_ptr_equal(keys_field_addr(l, false),
				 keys_field_find(l, "src"));
		assert_ptr_equal(keys_field_addr(l, true),
				 keys_field_find(l, "dst"));
	}
}

static void test_keys_json_ipv6_like_inet_ntop(void **state)
{
	struct bpf_flow_keys k;
	const struct keys_field *f;
	char want[INET6_ADDRSTRLEN + 2], got[64], addr[INET6_ADDRSTRLEN];
	uint8_t *a = (uint8_t *)k.ipv6_src;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.addr_proto = 0x86dd;
	f = keys_field_find(KEYS_LAYOUT_IPV6, "src");
	assert_non_null(f);
	srandom(7);
	for (int i = 0; i < 200000; i++) {
		/* words mostly zero, sometimes 0xffff or small, to hit every form */
		for (int w = 0; w < 8; w++) {
			long r = random() % 8;
			uint16_t v = r < 4 ? 0 : r == 4 ? 0xffff :
				     r == 5 ? (uint16_t)(random() % 16) :
				     (uint16_t)random();

			a[2 * w] = (uint8_t)(v >> 8);
			a[2 * w + 1] = (uint8_t)v;
		}
		if (i < 1 << 8)		/* every zero pattern once */
			for (int w = 0; w < 8; w++)
				if (!(i & (1 << w)))
					a[2 * w] = a[2 * w + 1] = 0;
		inet_ntop(AF_INET6, a, addr, sizeof(addr));
		snprintf(want, sizeof(want), "\"%s\"", addr);
		keys_json_format_field(got, sizeof(got), f, &k);
		if (strcmp(want, got) != 0)
			fail_msg("address %d: inet_ntop %s, fdtest %s", i, want,
				 got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_json_format_ipv4),
		cmocka_unit_test(test_keys_json_format_ipv6_and_extra),
		cmocka_unit_test(test_keys_json_round_trip_random),
		cmocka_unit_test(test_keys_json_partial_mask),
		cmocka_unit_test(test_keys_json_parse_errors),
		cmocka_unit_test(test_keys_json_no_room),
		cmocka_unit_test(test_keys_json_ipv6_like_inet_ntop),
		cmocka_unit_test(test_keys_field_addr),
		cmocka_unit_test(test_keys_fields_in_offset_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
