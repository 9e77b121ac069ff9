/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Paths beside the fdtest binary: the dissectors and the guests' init
 * are found relative to where it is built or installed, not the current
 * folder.
 */
#ifndef FDTEST_EXE_PATH_H
#define FDTEST_EXE_PATH_H

#include <stddef.h>

/*
 * The folder of the running binary into @out. Returns 0, a negative
 * errno from readlink(2), or -ENAMETOOLONG.
 */
int exe_path_dir(char *out, size_t size);
/* "<folder of the binary>/@rel" into @out; errors as exe_path_dir(). */
int exe_path_beside(char *out, size_t size, const char *rel);

#endif /* FDTEST_EXE_PATH_H */
