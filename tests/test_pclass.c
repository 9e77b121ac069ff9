// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Protocol classes from frame bytes. Frames are made by the generator
 * from one-line descriptions, so each row reads as what it tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gen/gen.h"
#include "report/pclass.h"

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
	{ "cut-in-ipv6-frag", "frame trunc=58 / eth / ipv6 / frag m=1 / udp",
	  "eth/ipv6/other" },
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

/*
 * What may follow each layer in a class, from how the protocols nest
 * (pcaps/README's classes): "." is the end of the class. Any layer may
 * end it when the class has PCLASS_LAYERS_MAX layers.
 */
static const struct {
	const char *layer;
	const char *next;
} grammar[] = {
#define L2_NEXT " 802.1q 802.1ad qinq ipv4 ipv6 mpls pppoe other "
#define IP_NEXT " frag icmp icmpv6 tcp udp sctp ipv4 ipv6 gre other "
	{ "eth", L2_NEXT },
	{ "802.1q", L2_NEXT },
	{ "802.1ad", L2_NEXT },
	{ "qinq", L2_NEXT },
	{ "mpls", " ipv4 ipv6 other . " },
	{ "pppoe", " ipv4 ipv6 other " },
	{ "ipv4", IP_NEXT },
	{ "ipv6", IP_NEXT ". " },
	{ "frag", IP_NEXT ". " },
	{ "udp", " vxlan geneve . " },
	{ "vxlan", " eth . " },
	{ "geneve", " eth ipv4 ipv6 mpls pppoe other . " },
	{ "gre", " eth ipv4 ipv6 mpls pppoe other . " },
	{ "tcp", " . " },
	{ "icmp", " . " },
	{ "icmpv6", " . " },
	{ "sctp", " . " },
	{ "other", " . " },
};

/* The layer after Ethernet, by the EtherType the frame carries. */
static const char *pclass_second(const uint8_t *frame, uint32_t len)
{
	uint16_t type = (uint16_t)(frame[12] << 8 | frame[13]);

	switch (type) {
	case 0x8100:
		return len < 18 ? "other" : "802.1q";
	case 0x88a8:
		return len < 18 ? "other" : "802.1ad";
	case 0x9100:
		return len < 18 ? "other" : "qinq";
	case 0x0800:
		return "ipv4";
	case 0x86dd:
		return "ipv6";
	case 0x8847:
	case 0x8848:
		return "mpls";
	case 0x8864:
		return "pppoe";
	}
	return "other";
}

static const char *grammar_next(const char *layer)
{
	for (size_t i = 0; i < sizeof(grammar) / sizeof(grammar[0]); i++)
		if (strcmp(grammar[i].layer, layer) == 0)
			return grammar[i].next;
	return NULL;
}

/* Whether " @word " is in the space-separated list @list. */
static bool in_list(const char *list, const char *word)
{
	char key[16];

	snprintf(key, sizeof(key), " %s ", word);
	return strstr(list, key) != NULL;
}

static const char *nh_str(uint8_t nh)
{
	static char buf[4];

	snprintf(buf, sizeof(buf), "%u", nh);
	return buf;
}

/*
 * Whether @name is the whole class of a frame of @len bytes (at least
 * 14): Ethernet, then the layer its EtherType names, then only layers
 * that may follow each other, ending where a class may end. NULL when it
 * is, else what is wrong, in @err.
 */
static const char *class_error(const uint8_t *frame, uint32_t len,
			       const char *name, char *err, size_t size)
{
	char copy[PCLASS_NAME_MAX], *save = NULL, *layer;
	const char *prev = NULL;
	unsigned int n = 0;

	if (strlen(name) >= sizeof(copy)) {
		snprintf(err, size, "too long");
		return err;
	}
	if (name[0] == '/' || strstr(name, "//") ||
	    (*name && name[strlen(name) - 1] == '/')) {
		snprintf(err, size, "an empty layer");
		return err;
	}
	strcpy(copy, name);
	for (layer = strtok_r(copy, "/", &save); layer;
	     layer = strtok_r(NULL, "/", &save), n++) {
		if (!grammar_next(layer))
			snprintf(err, size, "unknown layer '%s'", layer);
		else if (n == 0 && strcmp(layer, "eth") != 0)
			snprintf(err, size, "does not start with eth");
		else if (n == 1 && strcmp(layer, pclass_second(frame, len)))
			snprintf(err, size, "EtherType %02x%02x, %u bytes: %s",
				 frame[12], frame[13], len,
				 pclass_second(frame, len));
		else if (prev && !in_list(grammar_next(prev), layer))
			snprintf(err, size, "%s after %s", layer, prev);
		else {
			prev = layer;
			continue;
		}
		return err;
	}
	if (n < 2 || n > PCLASS_LAYERS_MAX)
		snprintf(err, size, "%u layers", n);
	else if (n < PCLASS_LAYERS_MAX && !in_list(grammar_next(prev), "."))
		snprintf(err, size, "ends at %s", prev);
	/* an IPv6 header right after Ethernet ends a class only whole, with
	 * no next header (59) or options headers that lead to none */
	else if (strcmp(name, "eth/ipv6") == 0 &&
		 (len < 54 || !in_list(" 0 43 59 60 ", nh_str(frame[20]))))
		snprintf(err, size, "ends at ipv6, but %s",
			 len < 54 ? "the header is cut" :
			 "a protocol header follows");
	else
		return NULL;
	return err;
}

/*
 * Any bytes at all: the walk stays inside the frame (ASan watches) and
 * the class is a whole, well-formed class of that frame.
 */
static void test_pclass_random_bytes(void **state)
{
	uint8_t frame[128];
	char name[PCLASS_NAME_MAX], err[160];
	uint32_t x = 1;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint32_t len = 14 + (uint32_t)i % 100;

		for (uint32_t b = 0; b < len; b++) {
			x = x * 1103515245u + 12345u;
			frame[b] = (uint8_t)(x >> 16);
		}
		/* steer a third of the frames into the deeper walks, each
		 * EtherType in turn, IP with its own version */
		if (i % 3 == 0) {
			static const uint16_t types[] = { 0x0800, 0x86dd, 0x8100,
				0x8847, 0x8864, 0x88a8 };
			uint16_t type = types[i / 3 % 6];

			frame[12] = (uint8_t)(type >> 8);
			frame[13] = (uint8_t)type;
			if (type == 0x0800)
				frame[14] = 0x45;
			else if (type == 0x86dd)
				frame[14] = 0x60;
		}
		pclass_name(pclass_of(frame, len), name, sizeof(name));
		if (class_error(frame, len, name, err, sizeof(err)))
			fail_msg("frame %d: class '%s': %s", i, name, err);
	}
}

/* The check is no sieve: classes that break it are refused. */
static void test_pclass_check_refuses(void **state)
{
	static const char *const bad[] = {
		"ipv4/udp", "eth", "eth/ipv4", "eth/ipv4/udp/tcp",
		"eth/ipv6/tcp", "eth/ipv4/tcp/other", "eth/ipv4/?",
		"eth/802.1q", "eth/ipv4/udp/vxlan/ipv4", "eth/ipv4/frag/x",
		"eth/ipv4/udp/", "eth//ipv4/udp", "",
	};
	uint8_t frame[64] = { [12] = 0x08, [13] = 0x00 };
	char err[160];

	(void)state;
	assert_null(class_error(frame, sizeof(frame),
				"eth/ipv4/udp/vxlan/eth/ipv6/tcp", err,
				sizeof(err)));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!class_error(frame, sizeof(frame), bad[i], err,
				 sizeof(err)))
			fail_msg("class '%s' passes the check", bad[i]);
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
		cmocka_unit_test(test_pclass_check_refuses),
		cmocka_unit_test(test_pclass_name_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
