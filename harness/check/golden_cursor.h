/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A golden read in step with the run: the cases come in capture order
 * (frame, state, in_flags), and so must the golden's lines. The cursor
 * holds one line at a time, matches it to each case, passes over lines
 * for cases this run leaves out, and says what makes a golden stale (the
 * header names another run) or malformed.
 */
#ifndef FDTEST_GOLDEN_CURSOR_H
#define FDTEST_GOLDEN_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/golden.h"
#include "keys/keys_json.h"

/* The run a golden is checked against, as its header must name it. */
struct golden_run {
	const char *capture;	/* its file name counts */
	const char *dissector;
	unsigned int states;		/* bit per enum fdtest_state */
	const uint32_t *flags;		/* the flag sets, ascending */
	size_t n_flags;
};

struct golden_cursor {
	struct golden_reader *golden;	/* NULL: none, or no longer read */
	const char *path;
	bool stale;			/* the golden is another run's */
	/* private */
	bool sha_checked;		/* its hash compared, staleness said */
	const char *raw;		/* the golden line not yet matched */
	size_t raw_len;
	bool have_next;
	bool next_parsed;		/* @next holds @raw parsed */
	struct golden_line next;
	struct case_id last;		/* to catch lines out of order */
	bool have_last;
};

/*
 * Opens the golden at @path (kept, not copied) for @run into @gc (zeroed
 * by the caller). A missing golden is no error: 0 with @gc->golden NULL.
 * A header that lacks what names its run is malformed (-EINVAL); one
 * that names another run is said on stderr and makes it @stale. Returns
 * 0 or a negative errno with the reason in @err.
 */
int golden_cursor_open(struct golden_cursor *gc, const char *path,
		       const struct golden_run *run, char *err,
		       size_t err_size);
/* Whether a golden line waits to be matched. */
static inline bool golden_cursor_pending(const struct golden_cursor *gc)
{
	return gc->have_next;
}
/*
 * The golden line for @id: *exp, or *exact when the line has the very
 * bytes of @line (NULL: not known), the result line this case gives.
 * Returns 0 (neither when the golden has no line for @id), or a negative
 * errno with "golden 'PATH': line N: ..." in @err.
 */
int golden_cursor_match(struct golden_cursor *gc, const struct case_id *id,
			const char *line, size_t len,
			const struct golden_line **exp, bool *exact, char *err,
			size_t err_size);
/*
 * After the last frame (@last_frame): lines left name frames the capture
 * lacks. 0 or -EINVAL with the reason in @err.
 */
int golden_cursor_rest(struct golden_cursor *gc, uint32_t last_frame,
		       char *err, size_t err_size);
/*
 * Whether the golden was recorded from other capture bytes than those
 * of SHA-256 @sha (NULL: the hash failed, nothing is compared); said
 * once. Returns @gc->stale.
 */
bool golden_cursor_sha_differs(struct golden_cursor *gc, const char *sha);
/*
 * The golden cannot be read on (@ret, reason in @err): malformed, @ret
 * stays, unless it is stale (@sha as above). A golden of another run
 * explains whatever else is wrong with it (it may name frames this
 * capture lacks), so then the reason is a warning, the golden is closed
 * and 0 is returned: the capture goes on without it.
 */
int golden_cursor_unusable(struct golden_cursor *gc, int ret,
			   const char *sha, char *err, size_t err_size);
void golden_cursor_close(struct golden_cursor *gc);	/* again is fine */

#endif /* FDTEST_GOLDEN_CURSOR_H */
