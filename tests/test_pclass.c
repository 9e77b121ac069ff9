// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Protocol classes from frame bytes. Frames are made by the generator
 * from one-line descriptions, so each row reads as what it tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gen.h"
#include "pclass.h"

static const struct {
	const char *name;
	const char *desc;
	const char *want;
} cases[] = {
	{ "ipv4-udp", "eth / ipv4 / udp sport=1 dport=2", "eth/ipv4/udp" },
	{ "ipv4-tcp", "eth / ipv4 / tcp", "eth/ipv4/tcp" },
	{ "ipv4-options-icmp", "eth / ipv4 opts=94040000 / icmp",
	  "eth/ipv4/icmp" },
	{ "8021q-ipv6-tcp", "eth / vlan vid=5 / ipv6 / tcp",
	  "eth/802.1q/ipv6/tcp" },
	{ "qinq-8021ad", "eth / vlan tpid=0x88a8 vid=1 / vlan vid=2 / ipv4 / udp",
	  "eth/802.1ad/802.1q/ipv4/udp" },
	{ "ipv4-first-frag", "eth / ipv4 mf=1 / udp", "eth/ipv4/frag/udp" },
	{ "ipv4-later-frag", "eth / ipv4 frag=9 proto=17 / payload len=16",
	  "eth/ipv4/frag" },
	{ "ipv4-df-not-frag", "eth / ipv4 df=1 / udp", "eth/ipv4/udp" },
	{ "ipv6-ext-headers", "eth / ipv6 / hbh / dstopt / tcp",
	  "eth/ipv6/tcp" },
	{ "ipv6-first-frag", "eth / ipv6 / frag m=1 id=7 / udp",
	  "eth/ipv6/frag/udp" },
	{ "ipv6-later-frag", "eth / ipv6 / frag offset=7 nh=17 / payload len=8",
	  "eth/ipv6/frag" },
	{ "ipv6-no-next", "eth / ipv6 nh=59", "eth/ipv6" },
	{ "vxlan-inner-tcp",
	  "eth / ipv4 / udp / vxlan vni=1 / eth / ipv4 / tcp",
	  "eth/ipv4/udp/vxlan/eth/ipv4/tcp" },
	{ "vxlan-8472-inner-tagged",
	  "eth / ipv6 / udp dport=8472 / vxlan / eth / vlan vid=3 / ipv6 / udp",
	  "eth/ipv6/udp/vxlan/eth/802.1q/ipv6/udp" },
	{ "geneve-eth", "eth / ipv4 / udp / geneve vni=1 / eth / ipv4 / tcp",
	  "eth/ipv4/udp/geneve/eth/ipv4/tcp" },
	{ "geneve-ip", "eth / ipv4 / udp / geneve / ipv4 / udp",
	  "eth/ipv4/udp/geneve/ipv4/udp" },
	{ "gre-key-seq", "eth / ipv4 / gre c=1 key=5 seq=7 / ipv6 / tcp",
	  "eth/ipv4/gre/ipv6/tcp" },
	{ "ipip", "eth / ipv4 / ipv4 / tcp", "eth/ipv4/ipv4/tcp" },
	{ "sit", "eth / ipv4 / ipv6 / udp", "eth/ipv4/ipv6/udp" },
	{ "mpls-stack", "eth / mpls label=1 / mpls label=2 / ipv4 / udp",
	  "eth/mpls/ipv4/udp" },
	{ "pppoe-ipv6", "eth / pppoe / ipv6 / udp", "eth/pppoe/ipv6/udp" },
	{ "sctp", "eth / ipv4 / sctp", "eth/ipv4/sctp" },
	{ "unknown-l4", "eth / ipv4 proto=89 / payload len=4",
	  "eth/ipv4/other" },
	{ "unknown-ethertype", "eth type=0x88cc / payload len=40",
	  "eth/other" },
	{ "cut-in-ipv4", "frame trunc=20 / eth / ipv4 / udp",
	  "eth/ipv4/other" },
	{ "cut-in-tag", "frame trunc=16 / eth / vlan / ipv4 / udp",
	  "eth/other" },
};

static void test_pclass_cases(void **state)
{
	static struct gen_packet pkt;
	char err[256], name[PCLASS_NAME_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (gen_parse_line(cases[i].desc, 1, &pkt, err,
				   sizeof(err)) != 1 ||
		    gen_build(&pkt, err, sizeof(err)))
			fail_msg("%s: bad description: %s", cases[i].name, err);
		pclass_name(pclass_of(pkt.bytes, pkt.len), name, sizeof(name));
		if (strcmp(name, cases[i].want) != 0)
			fail_msg("%s: class %s, want %s", cases[i].name, name,
				 cases[i].want);
	}
}

/* Any bytes at all: the walk stays inside the frame (ASan watches). */
static void test_pclass_random_bytes(void **state)
{
	uint8_t frame[128];
	char name[PCLASS_NAME_MAX];
	uint32_t x = 1;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint32_t len = 14 + (uint32_t)i % 100;

		for (uint32_t b = 0; b < len; b++) {
			x = x * 1103515245u + 12345u;
			frame[b] = (uint8_t)(x >> 16);
		}
		/* steer some frames into the deeper walks */
		if (i % 3 == 0) {
			static const uint16_t types[] = { 0x0800, 0x86dd, 0x8100,
				0x8847, 0x8864, 0x88a8 };

			frame[12] = (uint8_t)(types[i % 6] >> 8);
			frame[13] = (uint8_t)types[i % 6];
			frame[14] = i % 2 ? 0x45 : 0x60;
		}
		pclass_name(pclass_of(frame, len), name, sizeof(name));
		assert_true(strncmp(name, "eth", 3) == 0);
	}
}

static void test_pclass_name_small_buffer(void **state)
{
	char name[8];

	(void)state;
	pclass_name(pclass_of((const uint8_t *)"", 0), name, sizeof(name));
	assert_string_equal(name, "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pclass_cases),
		cmocka_unit_test(test_pclass_random_bytes),
		cmocka_unit_test(test_pclass_name_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
