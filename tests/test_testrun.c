// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Real dissectors in the real kernel: the kernel's own bpf_flow.c (built
 * unchanged from linux-source) must give the selftests' keys with its
 * tail calls filled by name, and a dissector that ignores nhoff must be
 * caught by the consistency check. Needs root; never mocked.
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

#include <bpf/bpf.h>

#include "check/compare.h"
#include "run/dissector.h"
#include "run/testrun.h"
#include "test_util.h"

struct fixture {
	struct testrun_kernel kernel;
	struct dissector *kernel_flow;
	struct dissector *naive;
};

static struct fixture fx;

static struct dissector *load(const char *rel, const char *prog)
{
	struct dissector *d = NULL;
	char path[512], err[512];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", test_build_dir(), rel);
	ret = dissector_load(path, prog, &d, err, sizeof(err));
	if (ret)
		print_error("dissector '%s': %s\n", path, err);
	return d;
}

static int group_setup(void **state)
{
	int ret;

	(void)state;
	ret = testrun_probe(&fx.kernel);
	if (ret) {
		print_error("kernel probe failed (%s): these tests need root and a kernel with BPF flow dissectors\n",
			    strerror(-ret));
		return -1;
	}
	fx.kernel_flow = load("tests/kernel/bpf_flow.bpf.o", NULL);
	fx.naive = load("tests/fixtures/naive.bpf.o", NULL);
	return fx.kernel_flow && fx.naive ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	dissector_close(fx.kernel_flow);
	dissector_close(fx.naive);
	return 0;
}

/*
 * The selftest packets (prog_tests/flow_dissector.c): fields the tests
 * leave out are zero, IPv4 version included, and ports are stored as
 * host-order numbers (80 is bytes 50 00). Every frame is the size of the
 * selftests' packet union, 82 bytes.
 */
#define SELFTEST_LEN 82
#define MAGIC_BYTES 123

struct vector {
	const char *name;
	uint8_t pkt[SELFTEST_LEN];
	uint32_t flags;
	uint32_t ret;
	struct bpf_flow_keys keys;	/* flags filled from .flags */
};

static size_t put_eth(uint8_t *p, uint16_t type)
{
	p[12] = (uint8_t)(type >> 8);
	p[13] = (uint8_t)type;
	return 14;
}

/* TCI (zero) and the EtherType after it */
static size_t put_vlan(uint8_t *p, uint16_t inner)
{
	p[2] = (uint8_t)(inner >> 8);
	p[3] = (uint8_t)inner;
	return 4;
}

static size_t put_ipv4(uint8_t *p, uint8_t proto, uint16_t tot_len,
		       uint16_t frag_off)
{
	p[0] = 5;	/* ihl 5, version 0 as in the selftests */
	p[2] = (uint8_t)(tot_len >> 8);
	p[3] = (uint8_t)tot_len;
	p[6] = (uint8_t)(frag_off >> 8);
	p[7] = (uint8_t)frag_off;
	p[9] = proto;
	return 20;
}

static size_t put_ipv6(uint8_t *p, uint8_t nexthdr, uint32_t label)
{
	p[1] = (uint8_t)(label >> 16);
	p[2] = (uint8_t)(label >> 8);
	p[3] = (uint8_t)label;
	p[4] = 0;
	p[5] = MAGIC_BYTES;
	p[6] = nexthdr;
	return 40;
}

static size_t put_tcp(uint8_t *p)
{
	p[0] = 80;	/* source = 80, stored as on x86 */
	p[2] = 0x90;	/* dest = 8080 = 0x1f90 */
	p[3] = 0x1f;
	p[12] = 5 << 4;
	return 20;
}

static void keys_v4(struct bpf_flow_keys *k, uint16_t nhoff, uint16_t thoff,
		    uint8_t proto, bool ports)
{
	memset(k, 0, sizeof(*k));
	k->nhoff = nhoff;
	k->thoff = thoff;
	k->addr_proto = 0x0800;
	k->ip_proto = proto;
	k->n_proto = htons(0x0800);
	if (ports) {
		k->sport = 80;
		k->dport = 8080;
	}
}

static void keys_v6(struct bpf_flow_keys *k, uint16_t nhoff, uint16_t thoff,
		    bool ports)
{
	keys_v4(k, nhoff, thoff, 6, ports);
	k->addr_proto = 0x86dd;
	k->n_proto = htons(0x86dd);
}

static void make_vectors(struct vector *v, size_t *n)
{
	size_t i = 0, off;

	memset(v, 0, sizeof(*v) * 16);

	v[i].name = "ipv4";
	off = put_eth(v[i].pkt, 0x0800);
	off += put_ipv4(v[i].pkt + off, 6, MAGIC_BYTES, 0);
	put_tcp(v[i].pkt + off);
	keys_v4(&v[i].keys, 14, 34, 6, true);
	i++;

	v[i].name = "ipv6";
	off = put_eth(v[i].pkt, 0x86dd);
	off += put_ipv6(v[i].pkt + off, 6, 0);
	put_tcp(v[i].pkt + off);
	keys_v6(&v[i].keys, 14, 54, true);
	i++;

	v[i].name = "802.1q-ipv4";
	off = put_eth(v[i].pkt, 0x8100);
	off += put_vlan(v[i].pkt + off, 0x0800);
	off += put_ipv4(v[i].pkt + off, 6, MAGIC_BYTES, 0);
	put_tcp(v[i].pkt + off);
	keys_v4(&v[i].keys, 18, 38, 6, true);
	i++;

	v[i].name = "802.1ad-ipv6";
	off = put_eth(v[i].pkt, 0x88a8);
	off += put_vlan(v[i].pkt + off, 0x8100);
	off += put_vlan(v[i].pkt + off, 0x86dd);
	off += put_ipv6(v[i].pkt + off, 6, 0);
	put_tcp(v[i].pkt + off);
	keys_v6(&v[i].keys, 22, 62, true);
	i++;

	v[i].name = "ipv4-frag";
	off = put_eth(v[i].pkt, 0x0800);
	off += put_ipv4(v[i].pkt + off, 6, MAGIC_BYTES, 0x2000);
	put_tcp(v[i].pkt + off);
	keys_v4(&v[i].keys, 14, 34, 6, true);
	v[i].keys.is_frag = v[i].keys.is_first_frag = 1;
	v[i].flags = 1;	/* PARSE_1ST_FRAG */
	i++;

	v[i] = v[i - 1];
	v[i].name = "ipv4-no-frag";
	v[i].flags = 0;
	v[i].keys.sport = v[i].keys.dport = 0;
	i++;

	v[i].name = "ipv6-frag";
	off = put_eth(v[i].pkt, 0x86dd);
	off += put_ipv6(v[i].pkt + off, 44, 0);
	v[i].pkt[off] = 6;	/* fragment header: next header TCP */
	off += 8;
	put_tcp(v[i].pkt + off);
	keys_v6(&v[i].keys, 14, 62, true);
	v[i].keys.is_frag = v[i].keys.is_first_frag = 1;
	v[i].flags = 1;
	i++;

	v[i] = v[i - 1];
	v[i].name = "ipv6-no-frag";
	v[i].flags = 0;
	v[i].keys.sport = v[i].keys.dport = 0;
	i++;

	v[i].name = "ipv6-flow-label";
	off = put_eth(v[i].pkt, 0x86dd);
	off += put_ipv6(v[i].pkt + off, 6, 0xbeeef);
	put_tcp(v[i].pkt + off);
	keys_v6(&v[i].keys, 14, 54, true);
	v[i].keys.flow_label = htonl(0xbeeef);
	i++;

	v[i] = v[i - 1];
	v[i].name = "ipv6-no-flow-label";
	v[i].flags = 2;	/* STOP_AT_FLOW_LABEL */
	v[i].keys.sport = v[i].keys.dport = 0;
	i++;

	v[i].name = "ipip-encap";
	off = put_eth(v[i].pkt, 0x0800);
	off += put_ipv4(v[i].pkt + off, 4, MAGIC_BYTES, 0);
	off += put_ipv4(v[i].pkt + off, 6, MAGIC_BYTES - 20, 0);
	put_tcp(v[i].pkt + off);
	keys_v4(&v[i].keys, 14, 54, 6, true);
	v[i].keys.is_encap = 1;
	i++;

	v[i] = v[i - 1];
	v[i].name = "ipip-no-encap";
	v[i].flags = 4;	/* STOP_AT_ENCAP */
	keys_v4(&v[i].keys, 14, 34, 4, false);
	v[i].keys.is_encap = 1;
	i++;

	for (size_t j = 0; j < i; j++)
		v[j].keys.flags = v[j].flags;
	*n = i;
}

/* The selftests' vectors through @prog_fd must give the selftests' keys. */
static void check_selftest_vectors(int prog_fd)
{
	static struct vector v[16];
	static struct frame_states fs;
	struct testrun_result res;
	size_t n;

	make_vectors(v, &n);
	for (size_t i = 0; i < n; i++) {
		/* as the selftests run them: the frame as it is */
		bool tagged = v[i].pkt[12] == 0x81 || v[i].pkt[12] == 0x88;
		enum fdtest_state s = tagged ? FDTEST_STATE_PRE_VLAN :
					       FDTEST_STATE_VLANLESS;

		assert_int_equal(frame_shape(v[i].pkt, SELFTEST_LEN, false,
					     &fs), 0);
		assert_int_equal(testrun_one(prog_fd, &fx.kernel, &fs.state[s],
					     v[i].flags, 1, &res), 0);
		if (res.ret != v[i].ret ||
		    memcmp(&res.keys, &v[i].keys, sizeof(res.keys))) {
			char got[KEYS_JSON_LINE_MAX], want[KEYS_JSON_LINE_MAX];
			struct case_id id = { 1, s, v[i].flags };

			keys_json_format_result(got, sizeof(got), &id, res.ret,
						&res.keys);
			keys_json_format_result(want, sizeof(want), &id,
						v[i].ret, &v[i].keys);
			fail_msg("vector %s:\n got  %s\n want %s", v[i].name,
				 got, want);
		}
	}
}

static void test_testrun_kernel_selftest_vectors(void **state)
{
	(void)state;
	assert_string_equal(dissector_entry(fx.kernel_flow), "_dissect");
	assert_int_equal(dissector_filled(fx.kernel_flow), 6);
	check_selftest_vectors(dissector_prog_fd(fx.kernel_flow));
}

static uint32_t prog_id_of(int fd)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);

	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

/*
 * Each test-run thread's copy is a program of its own (another id, not
 * another fd on the same program), loaded once, with its own tail calls
 * filled, and gives the same keys; threads past the copies run the first.
 */
static void test_testrun_thread_copies(void **state)
{
	struct dissector *d = load("tests/kernel/bpf_flow.bpf.o", NULL);
	uint32_t ids[4];
	int fds[4];

	(void)state;
	assert_non_null(d);
	assert_int_equal(dissector_want_copies(d, 2), 0);
	for (unsigned int t = 0; t < 4; t++) {
		fds[t] = dissector_thread_fd(d, t);
		ids[t] = prog_id_of(fds[t]);
	}
	assert_int_equal(fds[0], dissector_prog_fd(d));
	assert_int_not_equal(ids[1], ids[0]);
	assert_int_not_equal(ids[2], ids[0]);
	assert_int_not_equal(ids[2], ids[1]);
	assert_int_equal(ids[3], ids[0]);
	assert_int_equal(dissector_thread_fd(d, 1), fds[1]);
	for (unsigned int t = 0; t < 3; t++)
		check_selftest_vectors(fds[t]);
	dissector_close(d);
}

/* Names of the maps a program uses, by id: its maps, whoever loaded them. */
static uint32_t map_id_named(int prog_fd, const char *name)
{
	struct bpf_prog_info info = { 0 };
	uint32_t ids[16], len = sizeof(info);

	info.nr_map_ids = 16;
	info.map_ids = (uintptr_t)ids;
	assert_int_equal(bpf_obj_get_info_by_fd(prog_fd, &info, &len), 0);
	for (uint32_t i = 0; i < info.nr_map_ids && i < 16; i++) {
		struct bpf_map_info m = { 0 };
		uint32_t mlen = sizeof(m);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		assert_true(fd >= 0);
		assert_int_equal(bpf_obj_get_info_by_fd(fd, &m, &mlen), 0);
		close(fd);
		if (strcmp(m.name, name) == 0)
			return ids[i];
	}
	fail_msg("prog fd %d uses no map '%s'", prog_fd, name);
	return 0;
}

/*
 * The copies share the first's data maps, so a large map is held once:
 * the same map id for bpf_flow.c's last_dissection in every copy. Each
 * copy's jmp_table is its own, holding its own programs, and its tail
 * calls work (the selftest vectors need them).
 */
static void test_testrun_copies_share_maps(void **state)
{
	struct dissector *d = load("tests/kernel/bpf_flow.bpf.o", NULL);
	uint32_t table[3], data[3];
	int fds[3];

	(void)state;
	assert_non_null(d);
	assert_int_equal(dissector_want_copies(d, 2), 0);
	for (unsigned int t = 0; t < 3; t++) {
		fds[t] = dissector_thread_fd(d, t);
		data[t] = map_id_named(fds[t], "last_dissection");
		table[t] = map_id_named(fds[t], "jmp_table");
	}
	assert_int_equal(data[1], data[0]);
	assert_int_equal(data[2], data[0]);
	assert_int_not_equal(table[1], table[0]);
	assert_int_not_equal(table[2], table[0]);
	assert_int_not_equal(table[2], table[1]);
	for (unsigned int t = 0; t < 3; t++)
		check_selftest_vectors(fds[t]);
	dissector_close(d);
}

/*
 * Global data too: a frozen .rodata and a .bss the copies all count runs
 * in. Every copy answers with the constant, and the one counter sees
 * every run, whichever copy made it.
 */
static void test_testrun_copies_share_globals(void **state)
{
	struct dissector *d = load("tests/fixtures/globals.bpf.o", NULL);
	static struct frame_states fs;
	uint8_t frame[64] = { [12] = 0x08, [13] = 0x00 };
	struct testrun_result res;
	uint32_t bss[3], rodata[3], prog[3], key = 0;
	uint64_t runs = 0;
	int fds[3], bss_fd;

	(void)state;
	assert_non_null(d);
	assert_int_equal(dissector_want_copies(d, 2), 0);
	assert_int_equal(frame_shape(frame, sizeof(frame), false, &fs), 0);
	for (unsigned int t = 0; t < 3; t++) {
		fds[t] = dissector_thread_fd(d, t);
		prog[t] = prog_id_of(fds[t]);
		bss[t] = map_id_named(fds[t], "globals.bss");
		rodata[t] = map_id_named(fds[t], "globals.rodata");
		for (unsigned int r = 0; r <= t; r++) {
			assert_int_equal(testrun_one(fds[t], &fx.kernel,
					&fs.state[FDTEST_STATE_VLANLESS], 0, 1,
					&res), 0);
			assert_int_equal(res.keys.dport, 4242);
		}
	}
	/* three programs of their own, one set of globals */
	assert_int_not_equal(prog[1], prog[0]);
	assert_int_not_equal(prog[2], prog[1]);
	assert_int_equal(bss[1], bss[0]);
	assert_int_equal(bss[2], bss[0]);
	assert_int_equal(rodata[1], rodata[0]);
	assert_int_equal(rodata[2], rodata[0]);
	bss_fd = bpf_map_get_fd_by_id(bss[0]);
	assert_true(bss_fd >= 0);
	assert_int_equal(bpf_map_lookup_elem(bss_fd, &key, &runs), 0);
	close(bss_fd);
	assert_int_equal(runs, 1 + 2 + 3);
	dissector_close(d);
}

/*
 * Tail-call tables past 64 slots (tests/fixtures/tail_table.h): every
 * slot filled by name, the entry found among hundreds of targets, and
 * each slot answered by its own program, in the first and in a copy.
 * Past the table the tail call fails and the entry drops.
 */
static void check_tail_table(int prog_fd, unsigned int slots)
{
	static struct frame_states fs;
	struct testrun_result res;
	uint8_t frame[64] = { [12] = 0x08, [13] = 0x00 };

	for (unsigned int k = 0; k < 256; k++) {
		frame[14] = (uint8_t)k;
		assert_int_equal(frame_shape(frame, sizeof(frame), false,
					     &fs), 0);
		assert_int_equal(testrun_one(prog_fd, &fx.kernel,
					     &fs.state[FDTEST_STATE_VLANLESS],
					     0, 1, &res), 0);
		if (k >= slots) {
			assert_int_not_equal(res.ret, FDTEST_RET_OK);
			continue;
		}
		if (res.ret != FDTEST_RET_OK || res.keys.dport != k)
			fail_msg("%u-slot table, slot %u: ret %u, dport %u",
				 slots, k, res.ret, res.keys.dport);
	}
}

static void test_testrun_tail_tables(void **state)
{
	static const unsigned int sizes[] = { 70, 200, 256 };
	char rel[64];

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct dissector *d;

		snprintf(rel, sizeof(rel), "tests/fixtures/tail_table_%u.bpf.o",
			 sizes[i]);
		d = load(rel, NULL);
		assert_non_null(d);
		assert_string_equal(dissector_entry(d), "tt_entry");
		assert_int_equal(dissector_filled(d), sizes[i]);
		assert_int_equal(dissector_want_copies(d, 1), 0);
		check_tail_table(dissector_prog_fd(d), sizes[i]);
		check_tail_table(dissector_thread_fd(d, 1), sizes[i]);
		dissector_close(d);
	}
}

/*
 * tt_1 .. tt_64 in a 128-slot table, no tt_0: slot 0 is a hole (a
 * one-word bitmap once read slot 64 for it and let it pass).
 */
static void test_testrun_tail_table_hole(void **state)
{
	struct dissector *d = NULL;
	char path[512], err[512];

	(void)state;
	snprintf(path, sizeof(path),
		 "%s/tests/fixtures/bad_tailcall_hole0.bpf.o", test_build_dir());
	assert_int_equal(dissector_load(path, NULL, &d, err, sizeof(err)),
			 -EINVAL);
	assert_null(d);
	assert_non_null(strstr(err, "slot 0 is empty"));
	assert_non_null(strstr(err, "'tt_0'"));
}

/*
 * Twenty candidates for the entry: the message names the first whole and
 * counts the rest, in a buffer of any size, and never cuts a name.
 */
static void test_testrun_ambiguous_entry(void **state)
{
	static const size_t sizes[] = { 512, 200, 160, 100 };
	static const char name[] =
		"'an_entry_candidate_with_a_rather_long_name_number_";
	struct dissector *d = NULL;
	char path[512], err[512];

	(void)state;
	snprintf(path, sizeof(path),
		 "%s/tests/fixtures/bad_many_entries.bpf.o", test_build_dir());
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const char *p = err;
		unsigned int named = 0;
		unsigned int more;
		const char *and;

		assert_int_equal(dissector_load(path, NULL, &d, err, sizes[i]),
				 -EINVAL);
		assert_null(d);
		assert_true(strncmp(err, "20 possible entry programs", 26) == 0);
		while ((p = strstr(p, name))) {
			p += sizeof(name) - 1;
			while (*p >= '0' && *p <= '9')
				p++;
			assert_int_equal(*p, '\'');
			named++;
		}
		and = strstr(err, " and ");
		if (!named) {
			/* no room for one name: none is cut, none listed */
			assert_string_equal(err, "20 possible entry programs: name one with --prog");
			continue;
		}
		assert_non_null(and);
		assert_int_equal(sscanf(and, " and %u more", &more), 1);
		assert_int_equal(named + more, 20);
		assert_non_null(strstr(err, "): name one with --prog"));
	}
}

static size_t consistency_diffs(struct dissector *d, const uint8_t *frame,
				uint32_t len, struct diff *diffs)
{
	static struct frame_states fs;
	struct testrun_result res[FDTEST_STATE_COUNT];
	const struct testrun_result *p[FDTEST_STATE_COUNT];
	size_t n = 0;

	assert_int_equal(frame_shape(frame, len, false, &fs), 0);
	for (int s = 0; s < FDTEST_STATE_COUNT; s++) {
		assert_int_equal(testrun_one(dissector_prog_fd(d), &fx.kernel,
					     &fs.state[s], 0, 1, &res[s]), 0);
		p[s] = &res[s];
	}
	for (int s = 0; s < FDTEST_STATE_COUNT; s++)
		n += compare_states(p, fs.state[FDTEST_STATE_POST_VLAN].shift,
				    (enum fdtest_state)s, diffs + n,
				    COMPARE_DIFFS_MAX * 3 - n);
	return n;
}

/* A real IPv4/TCP frame, untagged: the naive dissector's home ground. */
static size_t ipv4_tcp(uint8_t *p)
{
	static const uint8_t ip[] = {
		0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0,
		192, 0, 2, 1, 192, 0, 2, 2,
	};
	size_t off;

	memset(p, 0, 128);
	off = put_eth(p, 0x0800);
	memcpy(p + off, ip, sizeof(ip));
	off += sizeof(ip);
	p[off + 1] = 80;
	p[off + 2] = 443 >> 8;
	p[off + 3] = 443 & 0xff;
	p[off + 12] = 5 << 4;
	return off + 20;
}

static void test_testrun_naive_caught(void **state)
{
	struct diff diffs[COMPARE_DIFFS_MAX * 3];
	struct testrun_result res;
	static struct frame_states fs;
	uint8_t frame[128];
	size_t len = ipv4_tcp(frame);
	size_t n;

	(void)state;
	/* vlanless: right */
	assert_int_equal(frame_shape(frame, (uint32_t)len, false, &fs), 0);
	assert_int_equal(testrun_one(dissector_prog_fd(fx.naive), &fx.kernel,
				     &fs.state[FDTEST_STATE_VLANLESS], 0, 1,
				     &res), 0);
	assert_int_equal(res.ret, FDTEST_RET_OK);
	assert_int_equal(res.keys.thoff, 34);
	assert_int_equal(ntohs(res.keys.dport), 443);
	/* pre-vlan differs from post-vlan: the check must say so */
	n = consistency_diffs(fx.naive, frame, (uint32_t)len, diffs);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(diffs[i].kind, DIFF_CONSISTENCY);
}

static void test_testrun_kernel_flow_consistent(void **state)
{
	struct diff diffs[COMPARE_DIFFS_MAX * 3];
	uint8_t frame[128];
	size_t len = ipv4_tcp(frame);

	(void)state;
	/* bpf_flow.c handles a pushed 802.1Q tag: all states agree */
	assert_int_equal(consistency_diffs(fx.kernel_flow, frame,
					   (uint32_t)len, diffs), 0);
}

static void test_testrun_flags_come_back(void **state)
{
	static struct frame_states fs;
	struct testrun_result res;
	uint8_t frame[128];
	size_t len = ipv4_tcp(frame);

	(void)state;
	assert_int_equal(frame_shape(frame, (uint32_t)len, false, &fs), 0);
	for (uint32_t f = 0; f < 8; f++) {
		assert_int_equal(testrun_one(dissector_prog_fd(fx.kernel_flow),
					     &fx.kernel,
					     &fs.state[FDTEST_STATE_VLANLESS],
					     f, 1, &res), 0);
		assert_int_equal(res.keys.flags, f);
	}
}

static void test_testrun_load_errors(void **state)
{
	struct dissector *d = NULL;
	char err[512];

	(void)state;
	assert_int_equal(dissector_load("/nonexistent.bpf.o", NULL, &d, err,
					sizeof(err)), -ENOENT);
	/* an ELF file that is no BPF object: this test binary */
	assert_int_equal(dissector_load("/proc/self/exe", NULL, &d, err,
					sizeof(err)), -ENOEXEC);
	assert_null(d);
}

/*
 * Below a declared min_kernel only the verifier's rejection is expected;
 * a map the kernel cannot create fails before the verifier, and is an
 * error on every kernel.
 */
static void test_testrun_refusal_expected(void **state)
{
	struct dissector *d = NULL;
	char path[512], err[512];
	int ret;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/fixtures/bad_rejected.bpf.o",
		 test_build_dir());
	ret = dissector_load(path, NULL, &d, err, sizeof(err));
	assert_int_equal(ret, -EACCES);
	assert_true(dissector_refusal_expected(ret, true));
	assert_false(dissector_refusal_expected(ret, false));
	snprintf(path, sizeof(path), "%s/tests/fixtures/bad_map.bpf.o",
		 test_build_dir());
	ret = dissector_load(path, NULL, &d, err, sizeof(err));
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(err, "map 'bad_key': failed to create"));
	assert_null(strstr(err, "verifier rejected"));
	assert_false(dissector_err_is_env(ret));
	assert_false(dissector_refusal_expected(ret, true));
	assert_false(dissector_refusal_expected(-ENOMEM, true));
	assert_false(dissector_refusal_expected(-EOPNOTSUPP, true));
	assert_null(d);
}

/*
 * The verifier's words for a refusal come back through the caller's
 * buffer, not a global: what the matrix shows as a rejection's reason.
 */
static void test_testrun_verifier_reason(void **state)
{
	struct dissector *d = NULL;
	char path[512], err[512], reason[256] = "stale";
	char small[8];
	int ret;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/fixtures/bad_rejected.bpf.o",
		 test_build_dir());
	ret = dissector_load_reason(path, NULL, &d, err, sizeof(err), reason,
				    sizeof(reason));
	assert_int_equal(ret, -EACCES);
	/* its last line before the statistics names the packet access */
	assert_non_null(strstr(reason, "packet"));
	assert_null(strchr(reason, '\n'));
	/* cut to the buffer, never past it */
	ret = dissector_load_reason(path, NULL, &d, err, sizeof(err), small,
				    sizeof(small));
	assert_int_equal(ret, -EACCES);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(strncmp(small, reason, sizeof(small) - 1), 0);
	/* a failure before the verifier judged gives no reason */
	snprintf(path, sizeof(path), "%s/tests/fixtures/bad_map.bpf.o",
		 test_build_dir());
	ret = dissector_load_reason(path, NULL, &d, err, sizeof(err), reason,
				    sizeof(reason));
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(reason, "");
	assert_null(d);
}

static void test_testrun_prog_override(void **state)
{
	char path[512], err[512];
	struct dissector *d = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/kernel/bpf_flow.bpf.o",
		 test_build_dir());
	assert_int_equal(dissector_load(path, "no_such_prog", &d, err,
					sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no_such_prog"));
	assert_int_equal(dissector_load(path, "_dissect", &d, err,
					sizeof(err)), 0);
	assert_string_equal(dissector_name(d), "bpf_flow");
	dissector_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_testrun_kernel_selftest_vectors),
		cmocka_unit_test(test_testrun_thread_copies),
		cmocka_unit_test(test_testrun_copies_share_maps),
		cmocka_unit_test(test_testrun_copies_share_globals),
		cmocka_unit_test(test_testrun_tail_tables),
		cmocka_unit_test(test_testrun_tail_table_hole),
		cmocka_unit_test(test_testrun_ambiguous_entry),
		cmocka_unit_test(test_testrun_naive_caught),
		cmocka_unit_test(test_testrun_kernel_flow_consistent),
		cmocka_unit_test(test_testrun_flags_come_back),
		cmocka_unit_test(test_testrun_load_errors),
		cmocka_unit_test(test_testrun_refusal_expected),
		cmocka_unit_test(test_testrun_verifier_reason),
		cmocka_unit_test(test_testrun_prog_override),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
