/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one way fdtest writes a file (goldens, reports, captures, specs,
 * initramfs archives). fdtest runs as root, so it treats a target as
 * install(1) and tcpdump -w do:
 *
 * - a regular file, or no file: written to a temporary ".fdtest.XXXXXX"
 *   in the same folder (a name that always fits, whatever the target's
 *   length), synced and renamed over the target on commit. A replaced
 *   file keeps its owner, group and mode; a new one gets 0666 & ~umask.
 *   A symbolic link is replaced itself, never written through (unless it
 *   leads to one of the next kind, as /dev/stdout does), so a derived
 *   name cannot reach outside its folder.
 * - a FIFO, a pipe, a terminal or the null device (1:3): written into
 *   directly, never replaced.
 * - anything else (a directory, a socket, a block device, another
 *   character device): refused, without opening it.
 *
 * Until commit nothing is visible at the target (but for direct writes);
 * a signal or an abort removes the temporary file (tmpfiles.h).
 */
#ifndef FDTEST_ATOMIC_FILE_H
#define FDTEST_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct atomic_file;

/*
 * Starts writing @path. Returns 0, or a negative errno with the reason
 * in @err: -EISDIR for a directory, -EINVAL for a kind fdtest does not
 * write (socket, device), or what creating the temporary file gave.
 */
int atomic_file_open(const char *path, struct atomic_file **out, char *err,
		     size_t err_size);
/* The stream to write; owned by @af. */
FILE *atomic_file_stream(struct atomic_file *af);
const char *atomic_file_path(const struct atomic_file *af);
/*
 * The file being written, readable once the stream is flushed: the
 * temporary file, or NULL for a direct write (a pipe cannot be read back).
 */
const char *atomic_file_tmp_path(const struct atomic_file *af);

/*
 * Flushes, syncs and renames into place (a direct write is flushed and
 * closed). Frees @af whatever happens; 0 or a negative errno.
 */
int atomic_file_commit(struct atomic_file *af);
/*
 * Commits @n files together: all are written and synced first, and only
 * if every one succeeds are they renamed, with fatal signals held until
 * the last rename. Otherwise none is renamed. Frees them all; NULL
 * entries are skipped. Returns 0 or the first negative errno.
 */
int atomic_file_commit_all(struct atomic_file *const *afs, size_t n);
/* Drops the temporary file; frees @af. NULL is fine. */
void atomic_file_abort(struct atomic_file *af);

/*
 * Whether @a and @b name one file: the same device and inode, or, for
 * names that do not exist yet, the same folder and last component.
 */
bool atomic_file_same(const char *a, const char *b);

#endif /* FDTEST_ATOMIC_FILE_H */
