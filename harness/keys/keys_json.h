/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The only code that turns keys into JSON text or back. Golden files, the
 * generator's spec files and the JSON report all go through here, so equal
 * keys always give equal bytes.
 *
 * A result line (JSON Lines, one object, compact, fields in this order):
 *   {"frame":1,"state":"vlanless","in_flags":0,"ret":"BPF_OK",
 *    "nhoff":14,...,"flow_label":0}
 */
#ifndef FDTEST_KEYS_JSON_H
#define FDTEST_KEYS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"
#include "util/fdtest.h"

/* Longest line the formatters write, with room to spare. */
#define KEYS_JSON_LINE_MAX 1024

/* Which case a result or expectation is about. */
struct case_id {
	uint32_t frame;			/* 1-based, as tcpdump counts */
	enum fdtest_state state;
	uint32_t in_flags;		/* ctx_in.flags */
};

/* Golden order: frame, then state, then input flags (<0, 0, >0). */
int case_id_cmp(const struct case_id *a, const struct case_id *b);

/*
 * What one golden line says. A field the line leaves out is not checked:
 * its bytes are clear in @mask. Giving src or dst in the IPv4 layout also
 * checks addr_extra (zero unless the line says otherwise), so an address
 * is always checked whole.
 */
struct golden_line {
	struct case_id id;
	bool has_ret;
	uint32_t ret;
	enum keys_layout layout;	/* how src/dst were written */
	struct bpf_flow_keys keys;
	uint8_t mask[KEYS_SIZE];	/* 0xff: byte is checked */
};

/*
 * Formatters write a NUL-terminated string and return its length, or
 * -ENOSPC when @size is too small (the buffer then holds nothing useful).
 */

/* One field's value as it stands in JSON, e.g. 14, "0x0800", "10.0.0.1". */
int keys_json_format_field(char *buf, size_t size,
			   const struct keys_field *field,
			   const struct bpf_flow_keys *keys);

struct out;
/* The same, appended to @o (out.h), for callers building longer text. */
void keys_json_out_field(struct out *o, const struct keys_field *field,
			 const struct bpf_flow_keys *keys);

/* "nhoff":14,...: every key field, no braces, for embedding. */
int keys_json_format_keys(char *buf, size_t size,
			  const struct bpf_flow_keys *keys);

/* A whole result line (no newline): id, ret and every key field. */
int keys_json_format_result(char *buf, size_t size, const struct case_id *id,
			    uint32_t ret, const struct bpf_flow_keys *keys);

/* A partial line holding only what @exp checks. */
int keys_json_format_golden(char *buf, size_t size,
			    const struct golden_line *exp);

/*
 * Parses one result line. Returns 0, or -EINVAL with a one-line reason
 * ("field 'thoff': expected an integer 0..65535") in @err.
 */
int keys_json_parse_golden(const char *line, size_t len,
			   struct golden_line *exp, char *err, size_t err_size);

#endif /* FDTEST_KEYS_JSON_H */
