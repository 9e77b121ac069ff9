// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The real states' golden of one capture (see real_golden.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check/compare.h"
#include "check/real_golden.h"

/* rx-rps gets STOP_AT_FLOW_LABEL from skb_get_hash(); the others 0 */
const uint32_t real_golden_flags[2] = { 0, FDTEST_FLAG_STOP_AT_FLOW_LABEL };

static void fill_header(struct golden_header *hdr, const char *capture,
			const char *dissector, const char *sha)
{
	const char *base = strrchr(capture, '/');

	memset(hdr, 0, sizeof(*hdr));
	snprintf(hdr->capture, sizeof(hdr->capture), "%s",
		 base ? base + 1 : capture);
	snprintf(hdr->sha256, sizeof(hdr->sha256), "%s", sha);
	snprintf(hdr->dissector, sizeof(hdr->dissector), "%s", dissector);
	hdr->states = FDTEST_STATES_REAL;
	hdr->n_flags = 2;
	memcpy(hdr->in_flags, real_golden_flags, sizeof(real_golden_flags));
}

int real_golden_open(struct real_golden *rg, const char *path,
		     const char *dissector, const char *capture,
		     const char *sha, const struct verdict_rules *rules,
		     char *err, size_t err_size)
{
	const struct golden_run run = {
		.capture = capture,
		.dissector = dissector,
		.states = FDTEST_STATES_REAL,
		.flags = real_golden_flags,
		.n_flags = 2,
	};
	struct golden_header hdr;
	char why[512];
	int ret;

	rg->capture = capture;
	rg->rules = *rules;
	rg->update = rules->update;
	snprintf(rg->sha, sizeof(rg->sha), "%s", sha);
	if ((size_t)snprintf(rg->path, sizeof(rg->path), "%s", path) >=
	    sizeof(rg->path)) {
		snprintf(err, err_size, "capture '%s': real golden path: %s",
			 capture, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	if (!rg->update) {
		ret = golden_cursor_open(&rg->gc, rg->path, &run, err,
					 err_size);
		rg->found = !ret && rg->gc.golden;
		return ret;
	}
	fill_header(&hdr, capture, dissector, sha);
	ret = golden_writer_open(rg->path, &hdr, &rg->writer, why,
				 sizeof(why));
	if (ret)
		snprintf(err, err_size, "golden '%s': cannot write: %s",
			 rg->path, why);
	return ret;
}

/* The case's line: whole, or only the fields it has (@c->mask). */
static int case_line(char *buf, size_t size, const struct case_result *c)
{
	struct golden_line part = {
		.id = c->id,
		.has_ret = true,
		.ret = c->ret,
	};

	if (!c->mask)
		return keys_json_format_result(buf, size, &c->id, c->ret,
					       c->keys);
	part.keys = *c->keys;
	part.layout = keys_layout_of(&part.keys);
	memcpy(part.mask, c->mask, sizeof(part.mask));
	return keys_json_format_golden(buf, size, &part);
}

static void judge(struct real_golden *rg, struct case_result *c,
		  const struct golden_line *exp, bool exact)
{
	struct diff *diffs = (struct diff *)c->diffs;
	size_t n = c->n_diffs;

	if (exp)
		n += compare_golden(exp, c->ret, c->keys, diffs + n,
				    COMPARE_DIFFS_MAX - n);
	c->n_diffs = n;
	c->no_golden = !exp && !exact && !rg->update;
	if (n)
		c->verdict = CASE_FAIL;
	else if (exp || exact)
		c->verdict = CASE_PASS;
	else
		c->verdict = rg->rules.require_golden && !rg->update ?
			     CASE_FAIL : CASE_UNCHECKED;
}

int real_golden_case(struct real_golden *rg, struct case_result *c,
		     char *err, size_t err_size)
{
	const struct golden_line *exp = NULL;
	bool exact = false;
	int len = 0, ret;

	if (c->id.frame > rg->last_frame)
		rg->last_frame = c->id.frame;
	if (rg->writer || golden_cursor_pending(&rg->gc)) {
		len = case_line(rg->line, sizeof(rg->line), c);
		if (len < 0) {
			snprintf(err, err_size,
				 "capture '%s': frame %u: result line too long",
				 rg->capture, c->id.frame);
			return len;
		}
	}
	if (rg->writer) {
		judge(rg, c, NULL, false);
		ret = golden_writer_add(rg->writer, rg->line);
		if (ret)
			snprintf(err, err_size, "golden '%s': cannot write: %s",
				 rg->path, strerror(-ret));
		return ret;
	}
	ret = golden_cursor_match(&rg->gc, &c->id, len ? rg->line : NULL,
				  (size_t)len, &exp, &exact, err, err_size);
	if (ret && rg->gc.golden)
		ret = golden_cursor_unusable(&rg->gc, ret, rg->sha, err,
					     err_size);
	if (ret)
		return ret;
	judge(rg, c, exp, exact);
	return 0;
}

int real_golden_end(struct real_golden *rg, uint32_t last_frame,
		    struct atomic_file **af, char *err, size_t err_size)
{
	int ret = 0;

	*af = NULL;
	if (rg->writer) {
		*af = golden_writer_finish(rg->writer);
		rg->writer = NULL;
		return 0;
	}
	if (!rg->gc.golden)
		return 0;
	if (last_frame < rg->last_frame)
		last_frame = rg->last_frame;
	ret = golden_cursor_rest(&rg->gc, last_frame, err, err_size);
	if (ret)
		ret = golden_cursor_unusable(&rg->gc, ret, rg->sha, err,
					     err_size);
	/* said after an error too: a stale golden explains most */
	if (rg->gc.golden)
		golden_cursor_sha_differs(&rg->gc, rg->sha);
	return ret;
}

void real_golden_close(struct real_golden *rg)
{
	golden_writer_abort(rg->writer);
	rg->writer = NULL;
	golden_cursor_close(&rg->gc);
}
