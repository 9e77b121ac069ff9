/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Golden files: expected/<dissector>/<capture-stem>.json, JSON Lines.
 * Line 1 is a header naming the capture (and its SHA-256), the dissector,
 * the states and input-flag sets that were run; every other line is one
 * result or expectation (keys_json.h), in capture order.
 *
 * The reader streams: it holds one line at a time. The writer writes a
 * temporary file beside the target and renames it into place on commit,
 * so a golden is replaced whole or not at all.
 */
#ifndef FDTEST_GOLDEN_H
#define FDTEST_GOLDEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "keys/keys_json.h"
#include "util/atomic_file.h"

#define GOLDEN_FORMAT_VERSION 1
/*
 * The longest line fdtest writes is a header naming a 255-byte capture
 * and dissector whose every byte is escaped (\u00XX, 6 bytes): about
 * 3.3 KB; a result line is under KEYS_JSON_LINE_MAX. A longer line is
 * no golden's, and reading stops there rather than growing a buffer for
 * a link to /dev/zero or a 100 MB line.
 */
#define GOLDEN_LINE_MAX 8192u
#define GOLDEN_FLAGS_MAX 8

struct golden_header {
	char capture[256];		/* file name, no folder */
	char sha256[65];		/* hex, or "" when unknown */
	char dissector[256];
	unsigned int states;		/* bit per enum fdtest_state */
	uint32_t in_flags[GOLDEN_FLAGS_MAX];
	size_t n_flags;
};

struct golden_reader;
struct golden_writer;

/*
 * Opens @path and reads its header. Returns 0, -ENOENT when there is no
 * such file, or another negative errno with a reason in @err
 * ("line 1: ...").
 */
int golden_open(const char *path, struct golden_reader **out,
		char *err, size_t err_size);
/*
 * The same for an open stream, which the reader owns from now on (closed
 * by golden_close(), or here on failure): for goldens held in memory.
 */
int golden_open_stream(FILE *f, struct golden_reader **out, char *err,
		       size_t err_size);
const struct golden_header *golden_header(const struct golden_reader *g);
/*
 * Reads the next line into @exp. Returns 1, 0 at the end, or -EINVAL
 * with "line N: reason" in @err. Blank lines are skipped.
 */
int golden_next(struct golden_reader *g, struct golden_line *exp, char *err,
		size_t err_size);
/*
 * Reads the next line as it stands, for callers that compare bytes first
 * and parse only lines that differ. Returns 1 with @line (NUL-terminated,
 * valid until the next call) and @len, 0 at the end, or a negative errno
 * with "line N: reason" in @err. Blank lines are skipped.
 */
int golden_next_line(struct golden_reader *g, const char **line,
		     size_t *len, char *err, size_t err_size);
/* Line number of the last line golden_next() returned. */
size_t golden_line(const struct golden_reader *g);
void golden_close(struct golden_reader *g);	/* NULL is fine */

/*
 * Starts replacing @path (its folder is created if missing), as
 * atomic_file_open() does. Returns 0, or a negative errno with the reason
 * in @err; nothing is visible at @path until commit.
 */
int golden_writer_open(const char *path, const struct golden_header *hdr,
		       struct golden_writer **out, char *err, size_t err_size);
/* Appends one line (no newline in @line). */
int golden_writer_add(struct golden_writer *w, const char *line);
/* Flushes, syncs and renames into place; frees @w whatever happens. */
int golden_writer_commit(struct golden_writer *w);
/*
 * Frees @w and hands over its file, written but not committed, to be
 * committed with others (atomic_file_commit_all()).
 */
struct atomic_file *golden_writer_finish(struct golden_writer *w);
/* Drops the temporary file; frees @w. NULL is fine. */
void golden_writer_abort(struct golden_writer *w);

#endif /* FDTEST_GOLDEN_H */
