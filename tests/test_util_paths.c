// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The shared clock and executable-relative helpers of util/: one copy
 * serves the JUnit report, the matrix and the default dissectors.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util/clock.h"
#include "util/exe_path.h"

static void test_util_clock_seconds_since(void **state)
{
	struct timespec t;
	double s;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec -= 2;
	s = clock_seconds_since(&t);
	assert_true(s >= 2.0);
	assert_true(s < 60.0);
	/* a start with more nanoseconds than now still counts right */
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec -= 1;
	t.tv_nsec = 999999999;
	s = clock_seconds_since(&t);
	assert_true(s > 0.0 && s < 60.0);
}

/* The test binaries live in tests/ of the build folder. */
static void test_util_exe_path_beside(void **state)
{
	char dir[PATH_MAX], out[PATH_MAX];
	size_t len;

	(void)state;
	assert_int_equal(exe_path_dir(dir, sizeof(dir)), 0);
	len = strlen(dir);
	assert_true(len > 6);
	assert_string_equal(dir + len - 6, "/tests");
	assert_int_equal(exe_path_beside(out, sizeof(out), "fixtures/x.o"),
			 0);
	assert_int_equal(strncmp(out, dir, len), 0);
	assert_string_equal(out + len, "/fixtures/x.o");
	/* too small: said, never cut short */
	assert_int_equal(exe_path_beside(out, len + 3, "fixtures/x.o"),
			 -ENAMETOOLONG);
	assert_int_equal(exe_path_dir(out, len), -ENAMETOOLONG);
	assert_int_equal(exe_path_dir(out, len + 1), 0);
	assert_string_equal(out, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_clock_seconds_since),
		cmocka_unit_test(test_util_exe_path_beside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
