// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* A golden read in step with the run (see golden_cursor.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "check/golden_cursor.h"
#include "util/fdtest.h"
#include "util/log.h"
#include "util/utf8.h"

/* Reads the next golden line as it stands; parsing waits until needed. */
static int cursor_read(struct golden_cursor *gc, char *err, size_t err_size)
{
	char why[512];
	int ret;

	gc->have_next = false;
	gc->next_parsed = false;
	if (!gc->golden)
		return 0;
	ret = golden_next_line(gc->golden, &gc->raw, &gc->raw_len, why,
			       sizeof(why));
	if (ret < 0)
		snprintf(err, err_size, "golden '%s': %s", gc->path, why);
	gc->have_next = ret > 0;
	return ret < 0 ? ret : 0;
}

/* Parses the pending line, insisting on golden order. */
static int cursor_parse(struct golden_cursor *gc, char *err, size_t err_size)
{
	char why[512];

	if (keys_json_parse_golden(gc->raw, gc->raw_len, &gc->next, why,
				   sizeof(why))) {
		snprintf(err, err_size, "golden '%s': line %zu: %s",
			 gc->path, golden_line(gc->golden), why);
		return -EINVAL;
	}
	if (gc->have_last && case_id_cmp(&gc->last, &gc->next.id) >= 0) {
		snprintf(err, err_size,
			 "golden '%s': line %zu: frame %u %s flags 0x%x %s: lines must be in capture order (frame, state, in_flags), once each",
			 gc->path, golden_line(gc->golden),
			 gc->next.id.frame,
			 fdtest_state_name(gc->next.id.state),
			 gc->next.id.in_flags,
			 case_id_cmp(&gc->last, &gc->next.id) ?
				"comes too late" : "is a repeat");
		return -EINVAL;
	}
	gc->last = gc->next.id;
	gc->have_last = true;
	gc->next_parsed = true;
	return 0;
}

/*
 * --update writes exactly the result line, so a recorded golden that
 * still holds matches without being parsed: parsing every line costs
 * more than the test run itself. A line that differs in any byte (a
 * partial or hand-written line, another order of fields, a real
 * difference) is parsed and compared field by field. Lines for cases
 * this run leaves out (other states or flags, skipped frames) are passed
 * over.
 */
int golden_cursor_match(struct golden_cursor *gc, const struct case_id *id,
			const char *line, size_t len,
			const struct golden_line **exp, bool *exact, char *err,
			size_t err_size)
{
	int ret, cmp;

	*exp = NULL;
	*exact = false;
	while (gc->have_next) {
		if (!gc->next_parsed) {
			if (line && gc->raw_len == len &&
			    memcmp(gc->raw, line, len) == 0) {
				/* earlier lines were all for earlier cases */
				gc->last = *id;
				gc->have_last = true;
				*exact = true;
				return cursor_read(gc, err, err_size);
			}
			ret = cursor_parse(gc, err, err_size);
			if (ret)
				return ret;
		}
		cmp = case_id_cmp(&gc->next.id, id);
		if (cmp == 0)
			*exp = &gc->next;
		if (cmp >= 0)
			return 0;
		ret = cursor_read(gc, err, err_size);
		if (ret)
			return ret;
	}
	return 0;
}

int golden_cursor_rest(struct golden_cursor *gc, uint32_t last_frame,
		       char *err, size_t err_size)
{
	int ret;

	while (gc->have_next) {
		if (!gc->next_parsed) {
			ret = cursor_parse(gc, err, err_size);
			if (ret)
				return ret;
		}
		if (gc->next.id.frame > last_frame) {
			snprintf(err, err_size,
				 "golden '%s': line %zu: frame %u, but the capture has %u frames",
				 gc->path, golden_line(gc->golden),
				 gc->next.id.frame, last_frame);
			return -EINVAL;
		}
		ret = cursor_read(gc, err, err_size);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * What names the run a golden was recorded from must be there: without
 * the capture's hash a golden could never be found stale.
 */
static int cursor_check_complete(const struct golden_cursor *gc, char *err,
				 size_t err_size)
{
	const struct golden_header *hdr = golden_header(gc->golden);
	const char *lacks = !hdr->capture[0] ? "capture" :
			    !hdr->sha256[0] ? "sha256" :
			    !hdr->dissector[0] ? "dissector" :
			    !hdr->states ? "states" :
			    !hdr->n_flags ? "in_flags" : NULL;

	if (!lacks)
		return 0;
	snprintf(err, err_size,
		 "golden '%s': line 1: the header's \"%s\" is missing or empty: a golden names the capture (and its SHA-256), dissector, states and flags it was recorded from; record it with --update",
		 gc->path, lacks);
	return -EINVAL;
}

/* "pre-vlan,post-vlan": the states in @states. */
static void states_text(unsigned int states, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int s = 0; s < FDTEST_STATE_NAMED && used < size; s++)
		if (states & (1u << s))
			used += (size_t)snprintf(buf + used, size - used,
						 "%s%s", used ? "," : "",
						 fdtest_state_name(s));
}

/* "0x1,0x3": this run's flag sets the golden was not recorded with. */
static void flags_missing(const struct golden_run *run,
			  const struct golden_header *hdr, char *buf,
			  size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t f = 0; f < run->n_flags && used < size; f++) {
		size_t i = 0;

		while (i < hdr->n_flags && hdr->in_flags[i] != run->flags[f])
			i++;
		if (i == hdr->n_flags)
			used += (size_t)snprintf(buf + used, size - used,
						 "%s0x%x", used ? "," : "",
						 run->flags[f]);
	}
}

/*
 * Whether a header's name is @name as the golden writer stores it: bytes
 * that are not UTF-8 are stored as U+FFFD (utf8.h).
 */
static bool golden_name_is(const char *stored, const char *name)
{
	json_t *v = utf8_json_string(name);
	bool same = v ? strcmp(stored, json_string_value(v)) == 0 :
			strcmp(stored, name) == 0;

	json_decref(v);
	return same;
}

/*
 * A golden recorded for another run is stale (exit 1), each difference
 * said: another dissector (goldens "spec:POLICY" that fdtest gen --spec
 * writes hold for any), another capture name, or states and flag sets
 * this run checks that it was not recorded with. Its capture's bytes are
 * compared once hashed (golden_cursor_sha_differs()).
 */
static void cursor_check_header(struct golden_cursor *gc,
				const struct golden_run *run)
{
	const struct golden_header *hdr = golden_header(gc->golden);
	const char *base = strrchr(run->capture, '/');
	const char *dis = run->dissector;
	unsigned int states = run->states & ~hdr->states;
	char more[128];

	base = base ? base + 1 : run->capture;
	if (!golden_name_is(hdr->dissector, dis) &&
	    strncmp(hdr->dissector, "spec:", 5) != 0) {
		p_err("golden '%s' is stale: it was recorded for dissector '%s', this is '%s'; re-record it with --update",
		      gc->path, hdr->dissector, dis);
		gc->stale = true;
	}
	if (!golden_name_is(hdr->capture, base)) {
		p_err("golden '%s' is stale: it was recorded for capture '%s', this is '%s'; re-record it with --update",
		      gc->path, hdr->capture, base);
		gc->stale = true;
	}
	if (states) {
		states_text(states, more, sizeof(more));
		p_err("golden '%s' is stale: it was recorded without %s (--states), which this run checks; re-record it with --update and this run's --states and --flags",
		      gc->path, more);
		gc->stale = true;
	}
	flags_missing(run, hdr, more, sizeof(more));
	if (more[0]) {
		p_err("golden '%s' is stale: it was recorded without flag set %s (--flags), which this run checks; re-record it with --update and this run's --states and --flags",
		      gc->path, more);
		gc->stale = true;
	}
}

int golden_cursor_open(struct golden_cursor *gc, const char *path,
		       const struct golden_run *run, char *err,
		       size_t err_size)
{
	char why[256];
	int ret;

	gc->path = path;
	ret = golden_open(path, &gc->golden, why, sizeof(why));
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		snprintf(err, err_size, "golden '%s': %s", path, why);
		return ret;
	}
	ret = cursor_check_complete(gc, err, err_size);
	if (ret)
		return ret;
	cursor_check_header(gc, run);
	return cursor_read(gc, err, err_size);
}

bool golden_cursor_sha_differs(struct golden_cursor *gc, const char *sha)
{
	const struct golden_header *hdr = golden_header(gc->golden);

	if (gc->sha_checked || !sha)
		return gc->stale;
	gc->sha_checked = true;
	if (strcmp(hdr->sha256, sha) != 0) {
		p_err("golden '%s' is stale: it was recorded for a capture with SHA-256 %.12s..., this one is %.12s...; re-record it with --update",
		      gc->path, hdr->sha256, sha);
		gc->stale = true;
	}
	return gc->stale;
}

int golden_cursor_unusable(struct golden_cursor *gc, int ret,
			   const char *sha, char *err, size_t err_size)
{
	if (!gc->golden || !golden_cursor_sha_differs(gc, sha))
		return ret;
	p_warn("%s (not read further: the golden is stale)", err);
	if (err_size)
		err[0] = '\0';
	golden_close(gc->golden);
	gc->golden = NULL;
	gc->have_next = false;
	return 0;
}

void golden_cursor_close(struct golden_cursor *gc)
{
	golden_close(gc->golden);
	gc->golden = NULL;
	gc->have_next = false;
}
