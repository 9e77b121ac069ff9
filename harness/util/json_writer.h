/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one JSON writer for everything fdtest emits: report lines, golden
 * headers, the matrix's JSON. It streams: begin and end objects and
 * arrays, keys, values, with the commas put in for the caller. Text goes
 * through out.h's appenders into a caller's buffer, or into a staging
 * buffer flushed to a FILE. A failure (no room, a short write, nesting
 * deeper than JW_DEPTH) is kept and the rest ignored, so a caller checks
 * once, at jw_finish().
 *
 * Its bytes are jansson's (json_dumpf() of the same values), so that
 * goldens and reports written before it read the same:
 * - strings: '"' '\\' and \b \f \n \r \t escaped, other C0 controls as
 *   \u00XX (upper-case hex), '/' and DEL as they are; a byte that does
 *   not start a valid UTF-8 sequence (utf8.h) becomes U+FFFD;
 * - compact: "," and ":"; pretty (JW_PRETTY): each member on its own
 *   line, indented 2 spaces a level, ": " after keys, "{}" and "[]" when
 *   empty;
 * - reals as "%.17g", with ".0" added when that looks like an integer.
 *
 * jansson stays for parsing (goldens, policies, the guests' results);
 * its json_ names are its own, so these are jw_.
 */
#ifndef FDTEST_JSON_WRITER_H
#define FDTEST_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "util/out.h"

#define JW_DEPTH 16		/* deeper than any fdtest output */
#define JW_STAGE 4096		/* FILE mode: bytes kept before a write */

enum jw_style {
	JW_COMPACT,		/* JSON Lines, goldens */
	JW_PRETTY,		/* matrix --format json */
	/*
	 * compact, every character past ASCII as \uXXXX (a surrogate pair
	 * past U+FFFF): for a serial console, the matrix guest's result
	 */
	JW_ASCII,
};

struct json_writer {
	struct out o;		/* the text not yet written to @file */
	FILE *file;		/* NULL: @o is the whole output */
	int err;		/* first failure, 0 while none */
	enum jw_style style;
	unsigned int depth;
	bool first;		/* nothing written yet at this depth */
	bool after_key;		/* a key waits for its value */
	char stage[JW_STAGE];	/* FILE mode's buffer */
};

/*
 * Into @buf (@size bytes, NUL-terminated by jw_finish()): a line of a
 * known bound, like a golden line. The writer holds no resource.
 */
void jw_init_buf(struct json_writer *w, char *buf, size_t size,
		 enum jw_style style);

/* Into @file, through the staging buffer: flushed by jw_line/finish. */
void jw_init_file(struct json_writer *w, FILE *file, enum jw_style style);

/*
 * Ends a top-level value: a newline (JSON Lines), then, in FILE mode,
 * the staged text goes to @file so that other writers of @file stay in
 * order. The next value starts a new top level.
 */
void jw_line(struct json_writer *w);

/*
 * Writes what is staged. Returns the text's length (buffer mode), 0
 * (FILE mode), or the first failure: -ENOSPC (the buffer was too small:
 * it then holds ""), -EIO (a write to the FILE failed), -EINVAL (too
 * deep, or unbalanced).
 */
int jw_finish(struct json_writer *w);

void jw_begin_object(struct json_writer *w);
void jw_end_object(struct json_writer *w);
void jw_begin_array(struct json_writer *w);
void jw_end_array(struct json_writer *w);

/* A member's key; its value is the next thing written. */
void jw_key(struct json_writer *w, const char *key);

/* A string; NULL writes "" (names fdtest may not have, like a reason). */
void jw_string(struct json_writer *w, const char *s);
void jw_uint(struct json_writer *w, uint64_t v);
void jw_int(struct json_writer *w, int64_t v);
void jw_real(struct json_writer *w, double v);
void jw_bool(struct json_writer *w, bool v);
void jw_null(struct json_writer *w);

/* A value that is JSON text already (a key field, keys_json.h). */
void jw_raw(struct json_writer *w, const char *json, size_t len);

/*
 * Members that are JSON text already, without braces ("a":1,"b":2), into
 * the open object, as if written one by one.
 */
void jw_raw_members(struct json_writer *w, const char *json, size_t len);

/*
 * A value held by jansson (a guest's result, read back), its members in
 * the order they were read; NULL writes null.
 */
void jw_jansson(struct json_writer *w, const json_t *v);

/* Shorthands for a member. */
static inline void jw_string_field(struct json_writer *w, const char *key,
				   const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

static inline void jw_uint_field(struct json_writer *w, const char *key,
				 uint64_t v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

static inline void jw_bool_field(struct json_writer *w, const char *key,
				 bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

#endif /* FDTEST_JSON_WRITER_H */
