/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Opening an input by name: goldens, captures and descriptions are
 * regular files. A FIFO without a writer would block open(2) for ever,
 * /dev/zero never ends and a device may act on being opened, so anything
 * else is named for what it is and never opened.
 */
#ifndef FDTEST_INPUT_FILE_H
#define FDTEST_INPUT_FILE_H

#include <stdio.h>
#include <sys/stat.h>

/* "a directory", "a FIFO or pipe", "a character device"...; NULL for a file. */
const char *input_file_kind(mode_t mode);

/*
 * Opens regular file @path for reading, its status in *@st (may be NULL).
 * Returns the stream, or NULL with errno: ENOENT and the like from the
 * system, EISDIR for a directory, EINVAL for anything else that is not
 * a regular file (for both, *@kind says what it is; @kind may be NULL).
 */
FILE *input_file_open(const char *path, struct stat *st, const char **kind);

#endif /* FDTEST_INPUT_FILE_H */
