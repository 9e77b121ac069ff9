// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The check stage outside the replay: the golden cursor (order, lines
 * passed over, lines left, stale and malformed headers), the golden's
 * path, and the verdict of one case.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check/golden_cursor.h"
#include "check/golden_path.h"
#include "check/verdict.h"
#include "util/fdtest.h"
#include "test_util.h"

#define HEADER_OF(dis, sha) \
	"{\"fdtest_golden\":1,\"capture\":\"x.pcap\",\"sha256\":\"" sha \
	"\",\"dissector\":\"" dis "\",\"states\":[\"vlanless\"," \
	"\"post-vlan\"],\"in_flags\":[0,4]}\n"
#define HEADER HEADER_OF("ref", "ab")

static const uint32_t flags[] = { 0, 4 };
static const struct golden_run run = {
	.capture = "some/folder/x.pcap",
	.dissector = "ref",
	.states = 1u << FDTEST_STATE_VLANLESS | 1u << FDTEST_STATE_POST_VLAN,
	.flags = flags,
	.n_flags = 2,
};

/* Writes @text as golden @name in the scratch folder; opens a cursor. */
static int cursor_on(struct golden_cursor *gc, const char *name,
		     const char *text, const struct golden_run *r, char *err,
		     size_t err_size)
{
	static char path[8][256];
	static unsigned int next;
	char *p = path[next++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s", test_scratch(), name);
	test_write_file(p, text);
	memset(gc, 0, sizeof(*gc));
	return golden_cursor_open(gc, p, r, err, err_size);
}

static struct case_id id_of(uint32_t frame, enum fdtest_state s,
			    uint32_t in_flags)
{
	return (struct case_id){ .frame = frame, .state = s,
				 .in_flags = in_flags };
}

static void test_check_cursor_match(void **state)
{
	struct bpf_flow_keys keys = { .nhoff = 14, .thoff = 14 };
	struct golden_cursor gc;
	const struct golden_line *exp;
	struct case_id id;
	char err[512], line[4096], text[8192];
	bool exact;
	int len;

	(void)state;
	id = id_of(2, FDTEST_STATE_POST_VLAN, 4);
	len = keys_json_format_result(line, sizeof(line), &id, 0, &keys);
	assert_true(len > 0);
	snprintf(text, sizeof(text), HEADER
		 "{\"frame\":1,\"state\":\"vlanless\",\"nhoff\":14}\n"
		 "{\"frame\":1,\"state\":\"post-vlan\",\"in_flags\":4}\n"
		 "%s\n", line);
	assert_int_equal(cursor_on(&gc, "match.json", text, &run, err,
				   sizeof(err)), 0);
	assert_non_null(gc.golden);
	assert_false(gc.stale);
	assert_true(golden_cursor_pending(&gc));
	/* a partial line checks its case */
	id = id_of(1, FDTEST_STATE_VLANLESS, 0);
	assert_int_equal(golden_cursor_match(&gc, &id, NULL, 0, &exp, &exact,
					     err, sizeof(err)), 0);
	assert_non_null(exp);
	assert_false(exact);
	assert_int_equal(exp->keys.nhoff, 14);
	/* a case the golden has no line for: neither */
	id = id_of(1, FDTEST_STATE_VLANLESS, 4);
	assert_int_equal(golden_cursor_match(&gc, &id, NULL, 0, &exp, &exact,
					     err, sizeof(err)), 0);
	assert_null(exp);
	assert_false(exact);
	/* frame 1 post-vlan 0x4 is never asked for: passed over */
	id = id_of(2, FDTEST_STATE_POST_VLAN, 4);
	assert_int_equal(golden_cursor_match(&gc, &id, line, (size_t)len,
					     &exp, &exact, err, sizeof(err)),
			 0);
	assert_true(exact);
	assert_null(exp);
	assert_false(golden_cursor_pending(&gc));
	assert_int_equal(golden_cursor_rest(&gc, 2, err, sizeof(err)), 0);
	golden_cursor_close(&gc);
	golden_cursor_close(&gc);	/* again is fine */
}

static void test_check_cursor_order(void **state)
{
	static const struct {
		const char *name;
		const char *lines;
		const char *says;
	} cases[] = {
		{ "repeat",
		  "{\"frame\":1,\"state\":\"vlanless\"}\n"
		  "{\"frame\":1,\"state\":\"vlanless\"}\n", "is a repeat" },
		{ "late",
		  "{\"frame\":2,\"state\":\"vlanless\"}\n"
		  "{\"frame\":1,\"state\":\"post-vlan\"}\n", "comes too late" },
		{ "bad-json", "{\"frame\":1,\n", "line 2: " },
	};
	struct golden_cursor gc;
	const struct golden_line *exp;
	struct case_id id = id_of(3, FDTEST_STATE_VLANLESS, 0);
	char err[512], text[1024];
	bool exact;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), HEADER "%s", cases[i].lines);
		assert_int_equal(cursor_on(&gc, "order.json", text, &run,
					   err, sizeof(err)), 0);
		assert_int_equal(golden_cursor_match(&gc, &id, NULL, 0, &exp,
						     &exact, err,
						     sizeof(err)), -EINVAL);
		if (!strstr(err, cases[i].says))
			fail_msg("%s: '%s' lacks '%s'", cases[i].name, err,
				 cases[i].says);
		/* not stale: the reason stays, the error too */
		assert_int_equal(golden_cursor_unusable(&gc, -EINVAL, "ab",
							err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, cases[i].says));
		golden_cursor_close(&gc);
	}
}

static void test_check_cursor_rest(void **state)
{
	struct golden_cursor gc;
	char err[512];

	(void)state;
	assert_int_equal(cursor_on(&gc, "rest.json", HEADER
				   "{\"frame\":5,\"state\":\"vlanless\"}\n",
				   &run, err, sizeof(err)), 0);
	assert_int_equal(golden_cursor_rest(&gc, 3, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "line 2: frame 5, but the capture has 3 frames"));
	golden_cursor_close(&gc);
	assert_int_equal(cursor_on(&gc, "rest.json", HEADER
				   "{\"frame\":5,\"state\":\"vlanless\"}\n",
				   &run, err, sizeof(err)), 0);
	assert_int_equal(golden_cursor_rest(&gc, 5, err, sizeof(err)), 0);
	golden_cursor_close(&gc);
}

static void test_check_cursor_missing(void **state)
{
	struct golden_cursor gc = { 0 };
	char path[256], err[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/none.json", test_scratch());
	assert_int_equal(golden_cursor_open(&gc, path, &run, err,
					    sizeof(err)), 0);
	assert_null(gc.golden);
	assert_false(golden_cursor_pending(&gc));
	golden_cursor_close(&gc);
}

static void test_check_cursor_malformed_header(void **state)
{
	struct golden_cursor gc;
	char err[512];

	(void)state;
	assert_int_equal(cursor_on(&gc, "nosha.json", HEADER_OF("ref", ""),
				   &run, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 1: the header's \"sha256\" is missing or empty"));
	golden_cursor_close(&gc);
}

static void test_check_cursor_stale(void **state)
{
	struct golden_run other = run;
	struct golden_cursor gc;
	char err[512];

	(void)state;
	/* a "spec:" golden holds for any dissector */
	other.dissector = "another";
	assert_int_equal(cursor_on(&gc, "spec.json",
				   HEADER_OF("spec:policy", "ab"), &other,
				   err, sizeof(err)), 0);
	assert_false(gc.stale);
	golden_cursor_close(&gc);
	assert_int_equal(cursor_on(&gc, "dis.json", HEADER, &other, err,
				   sizeof(err)), 0);
	assert_true(gc.stale);
	golden_cursor_close(&gc);
	other = run;
	other.capture = "y.pcap";
	assert_int_equal(cursor_on(&gc, "cap.json", HEADER, &other, err,
				   sizeof(err)), 0);
	assert_true(gc.stale);
	golden_cursor_close(&gc);
	other = run;
	other.states |= 1u << FDTEST_STATE_PRE_VLAN;
	assert_int_equal(cursor_on(&gc, "states.json", HEADER, &other, err,
				   sizeof(err)), 0);
	assert_true(gc.stale);
	golden_cursor_close(&gc);
	other = run;
	other.n_flags = 1;
	other.flags = (const uint32_t[]){ 1 };
	assert_int_equal(cursor_on(&gc, "flags.json", HEADER, &other, err,
				   sizeof(err)), 0);
	assert_true(gc.stale);
	golden_cursor_close(&gc);
}

static void test_check_cursor_sha(void **state)
{
	struct golden_cursor gc;
	char err[512];

	(void)state;
	assert_int_equal(cursor_on(&gc, "sha.json", HEADER
				   "{\"frame\":9,\"state\":\"vlanless\"}\n",
				   &run, err, sizeof(err)), 0);
	assert_false(gc.stale);
	/* no hash: nothing compared, and it is asked again later */
	assert_false(golden_cursor_sha_differs(&gc, NULL));
	assert_false(golden_cursor_sha_differs(&gc, "ab"));
	golden_cursor_close(&gc);
	assert_int_equal(cursor_on(&gc, "sha.json", HEADER
				   "{\"frame\":9,\"state\":\"vlanless\"}\n",
				   &run, err, sizeof(err)), 0);
	assert_true(golden_cursor_sha_differs(&gc, "cd"));
	assert_true(gc.stale);
	/* stale explains the rest: a note, and the golden is dropped */
	assert_int_equal(golden_cursor_rest(&gc, 3, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(golden_cursor_unusable(&gc, -EINVAL, "cd", err,
						sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_null(gc.golden);
	assert_false(golden_cursor_pending(&gc));
	golden_cursor_close(&gc);
}

static void test_check_golden_path(void **state)
{
	char buf[256], err[256];

	(void)state;
	assert_int_equal(golden_path(buf, sizeof(buf), "exp", "d",
				     "a/b/x.pcapng"), 0);
	assert_string_equal(buf, "exp/d/x.json");
	assert_int_equal(golden_path(buf, sizeof(buf), "exp", "d", "y.pcap"),
			 0);
	assert_string_equal(buf, "exp/d/y.json");
	assert_int_equal(golden_path(buf, 8, "exp", "d", "y.pcap"),
			 -ENAMETOOLONG);
	assert_int_equal(golden_path_check("exp", "..", "x.pcap", err,
					   sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cannot name a folder"));
	assert_int_equal(golden_path_check("", "d", "x.pcap", err,
					   sizeof(err)), -EINVAL);
}

/* A frame whose three states all ran with one flag set. */
static struct testrun_result results[FDTEST_STATE_COUNT];

static unsigned int judge(struct case_result *c, struct diff *diffs,
			  const struct verdict_rules *rules, bool truncated,
			  const struct golden_line *exp, bool exact)
{
	struct verdict_frame frame = {
		.len = 60,
		.tag_truncated = truncated,
	};

	for (int s = 0; s < FDTEST_STATE_COUNT; s++)
		frame.states[s] = &results[s];
	memset(c, 0, sizeof(*c));
	c->id = id_of(1, FDTEST_STATE_VLANLESS, 0);
	c->ret = results[FDTEST_STATE_VLANLESS].ret;
	c->keys = &results[FDTEST_STATE_VLANLESS].keys;
	c->diffs = diffs;
	return verdict_case(c, rules, &frame, exp, exact);
}

static void test_check_verdict(void **state)
{
	const struct verdict_rules plain = { .consistency = true };
	const struct verdict_rules strict = {
		.consistency = true, .require_golden = true,
	};
	const struct verdict_rules update = {
		.consistency = true, .require_golden = true, .update = true,
	};
	struct diff diffs[COMPARE_DIFFS_MAX];
	struct golden_line exp = { 0 };
	struct case_result c;

	(void)state;
	for (int s = 0; s < FDTEST_STATE_COUNT; s++)
		results[s] = (struct testrun_result){
			.keys = { .nhoff = 14, .thoff = 34 },
		};
	exp.id = id_of(1, FDTEST_STATE_VLANLESS, 0);
	exp.has_ret = true;
	assert_int_equal(judge(&c, diffs, &plain, false, &exp, false), 0);
	assert_int_equal(c.verdict, CASE_PASS);
	assert_int_equal(judge(&c, diffs, &plain, false, NULL, true), 0);
	assert_int_equal(c.verdict, CASE_PASS);
	assert_false(c.no_golden);
	/* no golden line: unchecked, or failed under --require-golden */
	assert_int_equal(judge(&c, diffs, &plain, false, NULL, false), 0);
	assert_int_equal(c.verdict, CASE_UNCHECKED);
	assert_true(c.no_golden);
	judge(&c, diffs, &strict, false, NULL, false);
	assert_int_equal(c.verdict, CASE_FAIL);
	assert_int_equal(c.n_diffs, 0);
	/* recording: nothing is missing */
	judge(&c, diffs, &update, false, NULL, false);
	assert_int_equal(c.verdict, CASE_UNCHECKED);
	assert_false(c.no_golden);
	/* another state disagrees */
	results[FDTEST_STATE_PRE_VLAN].keys.thoff = 38;
	assert_int_equal(judge(&c, diffs, &plain, false, &exp, false),
			 VERDICT_INCONSISTENT);
	assert_int_equal(c.verdict, CASE_FAIL);
	assert_true(c.n_diffs > 0);
	assert_int_equal(diffs[0].kind, DIFF_CONSISTENCY);
	/* a tag stack without a stripped form: not compared, but said */
	assert_int_equal(judge(&c, diffs, &plain, true, &exp, false), 0);
	assert_true(c.states_unchecked);
	assert_int_equal(c.verdict, CASE_PASS);
	/* an invariant: thoff before nhoff */
	results[FDTEST_STATE_PRE_VLAN].keys.thoff = 34;
	results[FDTEST_STATE_VLANLESS].keys.thoff = 10;
	assert_int_equal(judge(&c, diffs, &(struct verdict_rules){ 0 }, false,
			       NULL, true), VERDICT_BROKEN);
	assert_int_equal(c.verdict, CASE_FAIL);
	assert_int_equal(diffs[0].kind, DIFF_INVARIANT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_cursor_match),
		cmocka_unit_test(test_check_cursor_order),
		cmocka_unit_test(test_check_cursor_rest),
		cmocka_unit_test(test_check_cursor_missing),
		cmocka_unit_test(test_check_cursor_malformed_header),
		cmocka_unit_test(test_check_cursor_stale),
		cmocka_unit_test(test_check_cursor_sha),
		cmocka_unit_test(test_check_golden_path),
		cmocka_unit_test(test_check_verdict),
	};

	return cmocka_run_group_tests(tests, test_scratch_setup,
				      test_scratch_teardown);
}
