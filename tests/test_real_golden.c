// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The real states' goldens (check/real_golden.h): where they live, what
 * a recording holds, and that a replay against it passes, fails naming
 * the field, counts a case without a line as unchecked (a failure under
 * --require-golden), and finds a golden of other capture bytes stale.
 * The cases are made here as the real path hands them over; the kernel
 * part is tests/test-realpath.sh's, in guests.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/golden_path.h"
#include "check/real_golden.h"
#include "test_util.h"

#define SHA "aa00000000000000000000000000000000000000000000000000000000000000"
#define OTHER_SHA \
	"bb00000000000000000000000000000000000000000000000000000000000000"

static struct bpf_flow_keys keys[3];
static struct diff diffs[3][COMPARE_DIFFS_MAX];
static uint8_t kernel_mask[KEYS_SIZE];

/* Frame 1's three real cases, in case order; @partial: the kernel's. */
static void make_cases(struct case_result c[3], bool partial)
{
	static const enum fdtest_state st[3] = {
		FDTEST_STATE_TX, FDTEST_STATE_RX_RPS, FDTEST_STATE_RX_UNTAGGED,
	};

	memset(kernel_mask, 0, sizeof(kernel_mask));
	memset(kernel_mask + offsetof(struct bpf_flow_keys, thoff), 0xff, 2);
	for (int i = 0; i < 3; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		memset(&keys[i], 0, sizeof(keys[i]));
		keys[i].nhoff = 14;
		keys[i].thoff = 34;
		keys[i].addr_proto = 0x0800;
		keys[i].n_proto = htons(0x0800);
		keys[i].ip_proto = 6;
		c[i].id = (struct case_id){ 1, st[i], i == 1 ? 2 : 0 };
		c[i].ret = FDTEST_RET_OK;
		c[i].keys = &keys[i];
		c[i].diffs = diffs[i];
		c[i].mask = partial ? kernel_mask : NULL;
	}
}

static void golden_of(char *path, size_t size, const char *dissector)
{
	assert_int_equal(golden_path_real(path, size, test_scratch(),
					  dissector, "dir/x.pcap"), 0);
}

/* Records frame 1's cases for @dissector; returns nothing on failure. */
static void record(const char *dissector, bool partial)
{
	const struct verdict_rules rules = { .update = true };
	struct real_golden *rg = calloc(1, sizeof(*rg));
	struct case_result c[3];
	struct atomic_file *af;
	char path[4096], err[512];

	assert_non_null(rg);
	golden_of(path, sizeof(path), dissector);
	assert_int_equal(real_golden_open(rg, path, dissector, "dir/x.pcap",
					  SHA, &rules, err, sizeof(err)), 0);
	make_cases(c, partial);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(real_golden_case(rg, &c[i], err, sizeof(err)),
				 0);
		assert_int_equal(c[i].verdict, CASE_UNCHECKED);
		assert_false(c[i].no_golden);
	}
	assert_int_equal(real_golden_end(rg, 1, &af, err, sizeof(err)), 0);
	assert_non_null(af);
	assert_int_equal(atomic_file_commit(af), 0);
	real_golden_close(rg);
	free(rg);
}

/*
 * Replays frame 1 against the golden of @dissector; @sha is the
 * capture's. Returns the verdicts in @v, the first diff's field in
 * @field.
 */
static int replay(const char *dissector, bool partial, const char *sha,
		  bool require, uint16_t thoff, enum case_verdict v[3],
		  char *field, bool *stale)
{
	const struct verdict_rules rules = { .require_golden = require };
	struct real_golden *rg = calloc(1, sizeof(*rg));
	struct case_result c[3];
	struct atomic_file *af;
	char path[4096], err[512];
	int ret;

	assert_non_null(rg);
	golden_of(path, sizeof(path), dissector);
	ret = real_golden_open(rg, path, dissector, "dir/x.pcap", sha,
			       &rules, err, sizeof(err));
	if (ret)
		goto out;
	make_cases(c, partial);
	keys[1].thoff = thoff;
	field[0] = '\0';
	for (int i = 0; i < 3 && !ret; i++) {
		ret = real_golden_case(rg, &c[i], err, sizeof(err));
		v[i] = c[i].verdict;
		if (c[i].n_diffs && !field[0])
			strcpy(field, c[i].diffs[0].field);
	}
	ret = ret ?: real_golden_end(rg, 1, &af, err, sizeof(err));
	*stale = rg->gc.stale;
out:
	real_golden_close(rg);
	free(rg);
	return ret;
}

static void test_real_golden_path(void **state)
{
	char path[4096];

	(void)state;
	assert_int_equal(golden_path_real(path, sizeof(path), "exp", "ref",
					  "a/b/vlan.pcapng"), 0);
	assert_string_equal(path, "exp/ref/real/vlan.json");
	/* a capture named real.pcap has its golden beside the folder */
	assert_int_equal(golden_path(path, sizeof(path), "exp", "ref",
				     "real.pcap"), 0);
	assert_string_equal(path, "exp/ref/real.json");
	assert_int_equal(golden_path_real(path, sizeof(path), "exp", "..",
					  "x.pcap"), -EINVAL);
}

/* The header names the real states and the flags the kernel passes. */
static void test_real_golden_recorded(void **state)
{
	char path[4096], line[1024];
	FILE *f;

	(void)state;
	record("ref", false);
	golden_of(path, sizeof(path), "ref");
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line,
		"{\"fdtest_golden\":1,\"capture\":\"x.pcap\",\"sha256\":\"" SHA
		"\",\"dissector\":\"ref\",\"states\":[\"tx\",\"rx-rps\",\"rx-untagged\"],\"in_flags\":[0,2]}\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "{\"frame\":1,\"state\":\"tx\",\"in_flags\":0,\"ret\":\"BPF_OK\",\"nhoff\":14,\"thoff\":34,"));
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "\"state\":\"rx-rps\",\"in_flags\":2,"));
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "\"state\":\"rx-untagged\",\"in_flags\":0,"));
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
}

static void test_real_golden_replay(void **state)
{
	enum case_verdict v[3];
	char field[32];
	bool stale;

	(void)state;
	record("ref", false);
	assert_int_equal(replay("ref", false, SHA, false, 34, v, field,
				&stale), 0);
	assert_int_equal(v[0], CASE_PASS);
	assert_int_equal(v[1], CASE_PASS);
	assert_int_equal(v[2], CASE_PASS);
	assert_false(stale);
	/* the real result moved: the case fails naming the field */
	assert_int_equal(replay("ref", false, SHA, false, 38, v, field,
				&stale), 0);
	assert_int_equal(v[0], CASE_PASS);
	assert_int_equal(v[1], CASE_FAIL);
	assert_string_equal(field, "thoff");
	/* other capture bytes: stale */
	assert_int_equal(replay("ref", false, OTHER_SHA, false, 34, v, field,
				&stale), 0);
	assert_true(stale);
}

/* No golden: unchecked, never a pass; a failure under require_golden. */
static void test_real_golden_missing(void **state)
{
	enum case_verdict v[3];
	char field[32];
	bool stale;

	(void)state;
	assert_int_equal(replay("none", false, SHA, false, 34, v, field,
				&stale), 0);
	assert_int_equal(v[1], CASE_UNCHECKED);
	assert_int_equal(replay("none", false, SHA, true, 34, v, field,
				&stale), 0);
	assert_int_equal(v[1], CASE_FAIL);
}

/* The kernel's lines hold only its fields, and replay as they were. */
static void test_real_golden_partial(void **state)
{
	enum case_verdict v[3];
	char path[4096], line[1024];
	char field[32];
	bool stale;
	FILE *f;

	(void)state;
	record("kernel", true);
	golden_of(path, sizeof(path), "kernel");
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line,
		"{\"frame\":1,\"state\":\"tx\",\"in_flags\":0,\"ret\":\"BPF_OK\",\"thoff\":34}\n");
	fclose(f);
	assert_int_equal(replay("kernel", true, SHA, false, 34, v, field,
				&stale), 0);
	assert_int_equal(v[1], CASE_PASS);
	assert_int_equal(replay("kernel", true, SHA, false, 40, v, field,
				&stale), 0);
	assert_int_equal(v[1], CASE_FAIL);
	assert_string_equal(field, "thoff");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_golden_path),
		cmocka_unit_test(test_real_golden_recorded),
		cmocka_unit_test(test_real_golden_replay),
		cmocka_unit_test(test_real_golden_missing),
		cmocka_unit_test(test_real_golden_partial),
	};

	return cmocka_run_group_tests(tests, test_scratch_setup,
				      test_scratch_teardown);
}
