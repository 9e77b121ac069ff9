// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the golden reader and the keys JSON parser. Each
 * input is a golden file held in memory, read line by line as a replay
 * reads it; the whole input is also parsed as one line. Every line that
 * parses must survive a round trip: written back as a partial line and
 * parsed again, it must say exactly the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/golden.h"
#include "keys/keys_json.h"

/* Lines read per input: a long golden teaches nothing more. */
#define FUZZ_LINES_MAX 256

static bool expect_equal(const struct golden_line *a,
			 const struct golden_line *b)
{
	if (a->id.frame != b->id.frame || a->id.state != b->id.state ||
	    a->id.in_flags != b->id.in_flags || a->has_ret != b->has_ret ||
	    (a->has_ret && a->ret != b->ret) ||
	    memcmp(a->mask, b->mask, sizeof(a->mask)))
		return false;
	/* only the checked bytes carry meaning */
	for (size_t i = 0; i < sizeof(a->mask); i++)
		if (a->mask[i] && ((const uint8_t *)&a->keys)[i] !=
				  ((const uint8_t *)&b->keys)[i])
			return false;
	return true;
}

static void round_trip(const struct golden_line *exp)
{
	static struct golden_line again;
	char line[KEYS_JSON_LINE_MAX];
	char why[256];
	int len;

	len = keys_json_format_golden(line, sizeof(line), exp);
	if (len < 0)
		abort();	/* a parsed line always fits when written */
	if (keys_json_parse_golden(line, (size_t)len, &again, why,
				   sizeof(why)))
		abort();	/* what we write, we read */
	if (!expect_equal(exp, &again))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct golden_line exp;
	struct golden_reader *g;
	char why[512];
	FILE *f;

	if (keys_json_parse_golden((const char *)data, size, &exp, why,
				   sizeof(why)) == 0)
		round_trip(&exp);
	if (size == 0)
		return 0;
	/* golden_open_stream() owns @f from here */
	f = fmemopen((void *)data, size, "r");
	if (!f || golden_open_stream(f, &g, why, sizeof(why)))
		return 0;
	for (int i = 0; i < FUZZ_LINES_MAX; i++) {
		if (golden_next(g, &exp, why, sizeof(why)) <= 0)
			break;
		round_trip(&exp);
	}
	golden_close(g);
	return 0;
}
