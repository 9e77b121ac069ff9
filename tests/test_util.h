/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What several cmocka suites share: the build folder, a scratch folder
 * made by the group setup and removed whole by its teardown, and files
 * written into it, and its entries counted. Include after <cmocka.h>.
 */
#ifndef FDTEST_TEST_UTIL_H
#define FDTEST_TEST_UTIL_H

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* $O, as the Makefile passes it, or "build". */
static inline const char *test_build_dir(void)
{
	const char *o = getenv("O");

	return o && *o ? o : "build";
}

static inline int test_remove_one(const char *path, const struct stat *st,
				  int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/*
 * The suite's scratch folder: test_scratch_setup() and
 * test_scratch_teardown() are the group setup and teardown that make it
 * and remove it whole (depth first, links not followed); test_scratch()
 * is its path in between.
 */
static inline char *test_scratch(void)
{
	static char dir[] = "/tmp/fdtest-unit-XXXXXX";

	return dir;
}

static inline int test_scratch_setup(void **state)
{
	(void)state;
	return mkdtemp(test_scratch()) ? 0 : -1;
}

static inline int test_scratch_teardown(void **state)
{
	(void)state;
	return nftw(test_scratch(), test_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void test_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/*
 * Entries of @dir but . and .., hidden ones too: the writers' temporary
 * files are hidden, and a test that nothing is left behind counts them.
 */
static inline int test_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

#endif /* FDTEST_TEST_UTIL_H */
