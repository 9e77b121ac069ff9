// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest gen: descriptions to bytes, the derived expectations (cut and
 * damaged headers, per policy and flags, stated expect= checked), and the
 * pcapng writer read back with libpcap.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>

#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>

#include "gen/gen.h"
#include "gen/gen_expect.h"
#include "gen/gen_pcap.h"
#include "test_util.h"

static struct gen_packet pkt;
static struct gen_expectations all;

static void build(const char *line)
{
	char err[256] = "";

	assert_int_equal(gen_parse_line(line, 1, &pkt, err, sizeof(err)), 1);
	assert_int_equal(gen_build(&pkt, err, sizeof(err)), 0);
}

/* gen_expect_packet() on @line; the message in @err. */
static int derive(const char *line, char *err, size_t err_size)
{
	build(line);
	err[0] = '\0';
	return gen_expect_packet(&pkt, 1, false, &all, err, err_size);
}

static const struct golden_line *case_of(enum gen_policy p, uint32_t flags)
{
	return &all.exp[p][FDTEST_STATE_VLANLESS][flags];
}

static uint16_t sum16(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void test_gen_builds_headers(void **state)
{
	(void)state;
	build("eth / vlan vid=100 / ipv4 src=10.0.0.1 dst=10.0.0.2 / tcp sport=443 dport=80 / payload len=6");
	assert_int_equal(pkt.len, 14 + 4 + 20 + 20 + 6);
	/* EtherTypes, IHL, total length, protocol follow from the layers */
	assert_int_equal(pkt.bytes[12] << 8 | pkt.bytes[13], 0x8100);
	assert_int_equal(pkt.bytes[14] << 8 | pkt.bytes[15], 100);
	assert_int_equal(pkt.bytes[16] << 8 | pkt.bytes[17], 0x0800);
	assert_int_equal(pkt.bytes[18], 0x45);
	assert_int_equal(pkt.bytes[20] << 8 | pkt.bytes[21], 46);
	assert_int_equal(pkt.bytes[27], 6);
	/* a header whose checksum is right sums to 0xffff */
	assert_int_equal(sum16(pkt.bytes + 18, 20), 0xffff);
	assert_int_equal(pkt.bytes[38] << 8 | pkt.bytes[39], 443);
}

static void test_gen_names_the_column(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(gen_parse_line("eth / ipv4 ttl=300", 1, &pkt, err,
					sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "12: field 'ttl'"));
	assert_int_equal(gen_parse_line("eth / bogus", 1, &pkt, err,
					sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "7: unknown layer"));
}

static void test_gen_keys_in_every_state(void **state)
{
	char err[256];
	const struct golden_line *e;

	(void)state;
	assert_int_equal(derive("eth / vlan / ipv4 / udp sport=7 dport=9",
				err, sizeof(err)), 1);
	e = case_of(GEN_POLICY_BASE, 0);
	assert_int_equal(e->ret, FDTEST_RET_OK);
	assert_int_equal(e->keys.nhoff, 14);
	assert_int_equal(e->keys.thoff, 34);
	assert_int_equal(ntohs(e->keys.dport), 9);
	e = &all.exp[GEN_POLICY_BASE][FDTEST_STATE_POST_VLAN][0];
	assert_int_equal(e->keys.nhoff, 18);
	assert_int_equal(e->keys.thoff, 38);
}

static void test_gen_cut_header_drops(void **state)
{
	char err[256];

	(void)state;
	/* one byte short of the TCP header: dropped in every case */
	assert_int_equal(derive("frame trunc=53 / eth / ipv4 / tcp", err,
				sizeof(err)), 1);
	for (uint32_t f = 0; f <= FDTEST_FLAGS_KNOWN; f++)
		assert_int_equal(case_of(GEN_POLICY_UDP_ENCAP, f)->ret,
				 FDTEST_RET_DROP);
	/* the inner header of IPIP is needed only without STOP_AT_ENCAP */
	assert_int_equal(derive("frame trunc=40 / eth / ipv4 / ipv4 / udp",
				err, sizeof(err)), 1);
	assert_int_equal(case_of(GEN_POLICY_BASE, 0)->ret, FDTEST_RET_DROP);
	assert_int_equal(case_of(GEN_POLICY_BASE, 4)->ret, FDTEST_RET_OK);
	assert_int_equal(case_of(GEN_POLICY_BASE, 4)->keys.is_encap, 1);
	/* a cut VXLAN header is UDP payload to base, not to udp-encap */
	assert_int_equal(derive("frame trunc=45 / eth / ipv4 / udp / vxlan / eth / ipv4 / tcp",
				err, sizeof(err)), 1);
	assert_int_equal(case_of(GEN_POLICY_BASE, 0)->ret, FDTEST_RET_OK);
	assert_int_equal(ntohs(case_of(GEN_POLICY_BASE, 0)->keys.dport),
			 4789);
	assert_int_equal(case_of(GEN_POLICY_UDP_ENCAP, 4)->ret,
			 FDTEST_RET_DROP);
	/* a first fragment's transport matters with PARSE_1ST_FRAG only */
	assert_int_equal(derive("frame trunc=40 / eth / ipv4 mf=1 / udp", err,
				sizeof(err)), 1);
	assert_int_equal(case_of(GEN_POLICY_BASE, 0)->ret, FDTEST_RET_OK);
	assert_int_equal(case_of(GEN_POLICY_BASE, 1)->ret, FDTEST_RET_DROP);
}

static void test_gen_damage_drops(void **state)
{
	static const char *const damaged[] = {
		"eth / ipv4 version=6 / tcp",
		"eth / ipv6 version=4 / tcp",
		"eth / ipv4 ihl=4 / tcp",
		"eth / ipv4 ihl=15 / udp",
		"eth / ipv4 len=19 / udp",
		"eth / ipv4 / tcp doff=4",
		"eth / pppoe code=9 / ipv4 / udp",
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
		assert_int_equal(derive(damaged[i], err, sizeof(err)), 1);
		assert_int_equal(case_of(GEN_POLICY_BASE, 0)->ret,
				 FDTEST_RET_DROP);
	}
	/* zero (GSO) and a length past the frame still give keys */
	assert_int_equal(derive("eth / ipv4 len=0 / udp", err, sizeof(err)), 1);
	assert_int_equal(case_of(GEN_POLICY_BASE, 0)->ret, FDTEST_RET_OK);
	assert_int_equal(derive("eth / ipv4 len=9000 / udp", err,
				sizeof(err)), 1);
	assert_int_equal(case_of(GEN_POLICY_BASE, 0)->ret, FDTEST_RET_OK);
}

static void test_gen_stated_expect_is_checked(void **state)
{
	char err[256];

	(void)state;
	/* keys claimed for a packet a dissector must drop */
	assert_int_equal(derive("frame trunc=40 expect=ok / eth / ipv4 / tcp",
				err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "tcp layer at column"));
	/* a drop claimed for a whole packet */
	assert_int_equal(derive("frame expect=drop / eth / ipv4 / tcp", err,
				sizeof(err)), -EINVAL);
	/* one word for an answer that depends on the flags */
	assert_int_equal(derive("frame trunc=40 expect=drop / eth / ipv4 / ipv4",
				err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "depends"));
	/* keys that cannot be derived need a stated answer */
	assert_int_equal(derive("eth / ipv4 ihl=6 / udp / payload len=8", err,
				sizeof(err)), -EINVAL);
	assert_int_equal(derive("frame expect=drop / eth / ipv4 ihl=6 / udp / payload len=8",
				err, sizeof(err)), 1);
	assert_int_equal(derive("frame expect=none / eth / ipv4 / tcp", err,
				sizeof(err)), 0);
}

/* Writes three frames on interfaces 0, 2, 1 to @path. */
static void write_pcapng(const char *path)
{
	const struct linktype *eth = linktype_by_dlt(LINKTYPE_ETHERNET);
	struct gen_pcap *g;
	char err[256];

	assert_int_equal(gen_pcap_open(path, eth, GEN_FORMAT_PCAPNG, &g, err,
				       sizeof(err)), 0);
	build("eth / ipv4 / tcp");
	assert_int_equal(gen_pcap_add(g, pkt.bytes, pkt.len, 0, 0), 0);
	build("eth / vlan / ipv6 / udp / payload len=3");
	assert_int_equal(gen_pcap_add(g, pkt.bytes, pkt.len, 0, 2), 0);
	build("eth / ipv4 / icmp");
	assert_int_equal(gen_pcap_add(g, pkt.bytes, pkt.len, 0, 1), 0);
	assert_int_equal(atomic_file_commit(gen_pcap_finish(g)), 0);
}

static void test_gen_pcapng_reads_back(void **state)
{
	static const uint32_t lens[] = { 54, 14 + 4 + 40 + 8 + 3, 42 };
	char path[256], path2[256], cmd[600];
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_t *p;
	int n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.pcapng", test_scratch());
	snprintf(path2, sizeof(path2), "%s/b.pcapng", test_scratch());
	write_pcapng(path);
	p = pcap_open_offline(path, errbuf);
	assert_non_null(p);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	while (pcap_next_ex(p, &hdr, &data) == 1) {
		assert_true(n < 3);
		assert_int_equal(hdr->caplen, lens[n]);
		assert_int_equal(hdr->len, lens[n]);
		assert_int_equal(hdr->ts.tv_sec, 1704067200 + n);
		assert_int_equal(data[12], n == 1 ? 0x81 : 0x08);
		n++;
	}
	pcap_close(p);
	assert_int_equal(n, 3);
	/* deterministic: the same frames give the same bytes */
	write_pcapng(path2);
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", path, path2);
	assert_int_equal(system(cmd), 0);
}

static void test_gen_pcap_refuses_iface(void **state)
{
	const struct linktype *eth = linktype_by_dlt(LINKTYPE_ETHERNET);
	struct gen_pcap *g;
	char path[256], err[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/c.pcap", test_scratch());
	assert_int_equal(gen_pcap_open(path, eth, GEN_FORMAT_PCAP, &g, err,
				       sizeof(err)), 0);
	build("eth / ipv4 / tcp");
	assert_int_equal(gen_pcap_add(g, pkt.bytes, pkt.len, 0, 1), -EINVAL);
	gen_pcap_abort(g);
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen_builds_headers),
		cmocka_unit_test(test_gen_names_the_column),
		cmocka_unit_test(test_gen_keys_in_every_state),
		cmocka_unit_test(test_gen_cut_header_drops),
		cmocka_unit_test(test_gen_damage_drops),
		cmocka_unit_test(test_gen_stated_expect_is_checked),
		cmocka_unit_test(test_gen_pcapng_reads_back),
		cmocka_unit_test(test_gen_pcap_refuses_iface),
	};

	return cmocka_run_group_tests(tests, test_scratch_setup,
				      test_scratch_teardown);
}
