// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest diff's reporters, fed by hand: the text format's exact lines,
 * and the format lists taken from the reporter tables.
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

#include "report/diff_report.h"
#include "report/report.h"

static const struct diff two_diffs[] = {
	{ .kind = DIFF_GOLDEN, .field = "is_encap", .expected = "0",
	  .actual = "1" },
	{ .kind = DIFF_GOLDEN, .field = "thoff", .expected = "38",
	  .actual = "88" },
};

static const char text_want[] =
	"pcaps/vxlan.pcap#2: skipped: link type 147 not supported\n"
	"vxlan.pcap#4/post-vlan/flags=0x4: is_encap: reference 0, vxlan 1\n"
	"vxlan.pcap#4/post-vlan/flags=0x4: thoff: reference 38, vxlan 88\n"
	"reference vs vxlan on pcaps/vxlan.pcap: 4 frames (1 skipped, 2 cut), 9 cases: 8 same, 1 differ\n"
	"total: 4 frames, 9 cases: 8 same, 1 differ; exit 1\n";

static void test_diff_report_text(void **state)
{
	struct diff_counts counts = {
		.frames = 4, .skipped = 1, .cut = 2, .cases = 9, .differ = 1,
	};
	struct diff_report r = {
		.ops = diff_report_find("text"),
		.label = { "reference", "vxlan" },
	};
	const char *cap = "pcaps/vxlan.pcap";
	char *text = NULL;
	size_t size = 0;

	(void)state;
	assert_non_null(r.ops);
	r.out = open_memstream(&text, &size);
	assert_non_null(r.out);
	diff_report_run_begin(&r);
	diff_report_capture_begin(&r, cap);
	diff_report_frame_skipped(&r, cap, 2, "link type 147 not supported");
	diff_report_case(&r, &(struct diff_case){
			.capture = cap,
			.id = { .frame = 4, .state = FDTEST_STATE_POST_VLAN,
				.in_flags = 4 },
			.diffs = two_diffs,
			.n_diffs = 2,
		});
	diff_report_capture_end(&r, cap, &counts);
	diff_report_run_end(&r, &counts, 1);
	assert_int_equal(fclose(r.out), 0);
	assert_string_equal(text, text_want);
	free(text);
}

/*
 * fdtest diff -d kernel: its cases are the real path's triggers, no
 * starting state, so they come named; the kernel is A.
 */
static void test_diff_report_text_named(void **state)
{
	static const struct diff d = {
		.kind = DIFF_GOLDEN, .field = "n_proto",
		.expected = "\"0x8847\"", .actual = "\"0x0800\"",
	};
	struct diff_report r = {
		.ops = diff_report_find("text"),
		.label = { "kernel", "reference" },
	};
	char *text = NULL;
	size_t size = 0;

	(void)state;
	r.out = open_memstream(&text, &size);
	assert_non_null(r.out);
	diff_report_case(&r, &(struct diff_case){
			.capture = "pcaps/mpls.pcap",
			.name = "mpls.pcap#3/rx-rps/flags=0x2",
			.diffs = &d,
			.n_diffs = 1,
		});
	assert_int_equal(fclose(r.out), 0);
	assert_string_equal(text, "mpls.pcap#3/rx-rps/flags=0x2: n_proto: "
			    "kernel \"0x8847\", reference \"0x0800\"\n");
	free(text);
}

/* Every name the lists give is one report_find() knows, and no other. */
static void test_diff_report_formats(void **state)
{
	char buf[64];

	(void)state;
	assert_ptr_equal(diff_report_find("text"), &diff_text_ops);
	assert_null(diff_report_find("bogus"));
	assert_int_equal(diff_report_formats(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "text");
	assert_int_equal(report_formats(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "text, json, junit");
	assert_ptr_equal(report_find("junit"), &report_junit_ops);
	/* a short buffer is an error, never a list cut short */
	assert_int_equal(report_formats(buf, 10), -ENOSPC);
	assert_int_equal(report_formats(buf, 0), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_report_text),
		cmocka_unit_test(test_diff_report_text_named),
		cmocka_unit_test(test_diff_report_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
