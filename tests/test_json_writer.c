// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The JSON writer gives jansson's bytes (what fdtest wrote before it):
 * strings of every byte and random bytes, compact and pretty trees,
 * numbers; and it keeps its first failure.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "util/json_writer.h"
#include "util/utf8.h"

/* jansson's text for @s, as report_json.c and golden.c wrote it */
static char *jansson_string(const char *s, size_t jflags)
{
	json_t *v = utf8_json_string(s);
	char *text;

	assert_non_null(v);
	text = json_dumps(v, JSON_ENCODE_ANY | jflags);
	json_decref(v);
	assert_non_null(text);
	return text;
}

static void check_string_as(const char *s, size_t jflags,
			    enum jw_style style)
{
	static char buf[1 << 16];
	struct json_writer w;
	char *want = jansson_string(s, jflags);
	int len;

	jw_init_buf(&w, buf, sizeof(buf), style);
	jw_string(&w, s);
	len = jw_finish(&w);
	if (len < 0 || strcmp(buf, want) != 0) {
		print_error("string of %zu bytes: want %s, got %s (%d)\n",
			    strlen(s), want, buf, len);
		fail();
	}
	free(want);
}

/* both as UTF-8 and as ASCII (JW_ASCII: jansson's JSON_ENSURE_ASCII) */
static void check_string(const char *s)
{
	check_string_as(s, 0, JW_COMPACT);
	check_string_as(s, JSON_ENSURE_ASCII, JW_ASCII);
}

static void test_json_writer_every_byte(void **state)
{
	char s[4] = "a?z";

	(void)state;
	for (int c = 1; c < 256; c++) {
		s[1] = (char)c;
		check_string(s);
	}
	check_string("");
	check_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 /\x7f");
	/* overlong, surrogate, past U+10FFFF, cut short */
	check_string("\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82");
}

static void test_json_writer_random_bytes(void **state)
{
	/* weighted to UTF-8 lead and continuation bytes */
	static const unsigned char pool[] = {
		'a', '"', '\\', '\n', 0x01, 0x1f, 0x7f, 0x80, 0xbf, 0xc2,
		0xc1, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0,
	};
	char s[64];

	(void)state;
	srand(13);
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)rand() % (sizeof(s) - 1);

		for (size_t k = 0; k < n; k++)
			s[k] = (char)pool[(size_t)rand() % sizeof(pool)];
		s[n] = '\0';
		check_string(s);
	}
}

/* @text parsed by jansson and written back by both, @flags for jansson */
static void check_tree(const char *text, size_t jflags, enum jw_style style)
{
	static char buf[1 << 16];
	struct json_writer w;
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
	char *want;

	assert_non_null(v);
	want = json_dumps(v, jflags | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	assert_non_null(want);
	jw_init_buf(&w, buf, sizeof(buf), style);
	jw_jansson(&w, v);
	assert_true(jw_finish(&w) >= 0);
	assert_string_equal(buf, want);
	free(want);
	json_decref(v);
}

static const char *const trees[] = {
	"{}",
	"[]",
	"{\"a\":[],\"b\":{},\"c\":[1,[2,{}],{\"d\":null}]}",
	"{\"z\":1,\"a\":2,\"m\":{\"y\":true,\"b\":false}}",
	"[0,-1,9223372036854775807,-9223372036854775808,4294967296]",
	"[0.076995499,1.0,0.0,-0.0,5e-324,1.7976931348623157e308,0.1,"
	"1e300,-2.5e-7,123456789.0,3.0e20]",
	"{\"k\\u0001\\\"\":\"\\u00e9\\t/\\u007f\",\"\":\"\"}",
	"{\"rows\":[{\"kernel\":\"6.1\",\"result\":{\"features\":"
	"{\"test_run\":1},\"dissectors\":[{\"name\":\"r\"}]}}],\"failed\":0}",
};

static void test_json_writer_compact_tree(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++)
		check_tree(trees[i], JSON_COMPACT, JW_COMPACT);
}

static void test_json_writer_pretty_tree(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++)
		check_tree(trees[i], JSON_INDENT(2), JW_PRETTY);
}

/* the matrix guest's console line: past ASCII, \u escapes and pairs */
static void test_json_writer_ascii_tree(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++)
		check_tree(trees[i], JSON_COMPACT | JSON_ENSURE_ASCII,
			   JW_ASCII);
	check_tree("{\"caf\\u00e9\":[\"\\u20ac\",\"\\ud83d\\ude00\",\"\\ufffd\"]}",
		   JSON_COMPACT | JSON_ENSURE_ASCII, JW_ASCII);
}

static void test_json_writer_members(void **state)
{
	char buf[256];
	struct json_writer w;
	int len;

	(void)state;
	jw_init_buf(&w, buf, sizeof(buf), JW_COMPACT);
	jw_begin_object(&w);
	jw_string_field(&w, "d", "x");
	jw_raw_members(&w, "\"frame\":1,\"ret\":\"BPF_OK\"", 24);
	jw_uint_field(&w, "n", UINT64_MAX);
	jw_key(&w, "l");
	jw_begin_array(&w);
	jw_int(&w, -3);
	jw_raw(&w, "\"0x0800\"", 8);
	jw_null(&w);
	jw_end_array(&w);
	jw_bool_field(&w, "t", true);
	jw_end_object(&w);
	jw_line(&w);
	len = jw_finish(&w);
	assert_int_equal(len, (int)strlen(buf));
	assert_string_equal(buf,
		"{\"d\":\"x\",\"frame\":1,\"ret\":\"BPF_OK\","
		"\"n\":18446744073709551615,\"l\":[-3,\"0x0800\",null],"
		"\"t\":true}\n");
}

static void test_json_writer_errors(void **state)
{
	char buf[8];
	struct json_writer w;

	(void)state;
	/* no room: -ENOSPC and an empty buffer */
	jw_init_buf(&w, buf, sizeof(buf), JW_COMPACT);
	jw_string(&w, "too long for it");
	assert_int_equal(jw_finish(&w), -ENOSPC);
	assert_string_equal(buf, "");
	/* unbalanced */
	jw_init_buf(&w, buf, sizeof(buf), JW_COMPACT);
	jw_begin_object(&w);
	assert_int_equal(jw_finish(&w), -EINVAL);
	/* a key outside an object */
	jw_init_buf(&w, buf, sizeof(buf), JW_COMPACT);
	jw_key(&w, "a");
	jw_null(&w);
	assert_int_equal(jw_finish(&w), -EINVAL);
	/* too deep */
	{
		char big[128];

		jw_init_buf(&w, big, sizeof(big), JW_COMPACT);
		for (int i = 0; i <= JW_DEPTH; i++)
			jw_begin_array(&w);
		assert_int_equal(jw_finish(&w), -EINVAL);
	}
}

/* FILE mode: a string longer than the stage, and a failing FILE */
static void test_json_writer_file(void **state)
{
	static char s[3 * JW_STAGE];
	char small[4];
	struct json_writer w;
	char *text = NULL;
	size_t size = 0;
	FILE *f;
	char *want;

	(void)state;
	memset(s, 'x', sizeof(s) - 1);
	for (size_t i = 0; i < sizeof(s) - 1; i += 7)
		s[i] = '\x01';
	want = jansson_string(s, 0);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	jw_init_file(&w, f, JW_COMPACT);
	for (int i = 0; i < 3; i++) {
		jw_begin_array(&w);
		jw_string(&w, s);
		jw_uint(&w, 4000000000u);
		jw_end_array(&w);
		jw_line(&w);
	}
	assert_int_equal(jw_finish(&w), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(size, 3 * (strlen(want) + 14));
	for (int i = 0; i < 3; i++) {
		const char *line = text + (size_t)i * (strlen(want) + 14);

		assert_memory_equal(line, "[", 1);
		assert_memory_equal(line + 1, want, strlen(want));
		assert_memory_equal(line + 1 + strlen(want), ",4000000000]\n",
				    13);
	}
	free(text);
	free(want);

	/* a FILE with room for 4 bytes: the short write is an error */
	f = fmemopen(small, sizeof(small), "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	jw_init_file(&w, f, JW_COMPACT);
	jw_string(&w, "longer than four");
	jw_line(&w);
	assert_int_equal(jw_finish(&w), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_writer_every_byte),
		cmocka_unit_test(test_json_writer_random_bytes),
		cmocka_unit_test(test_json_writer_compact_tree),
		cmocka_unit_test(test_json_writer_pretty_tree),
		cmocka_unit_test(test_json_writer_ascii_tree),
		cmocka_unit_test(test_json_writer_members),
		cmocka_unit_test(test_json_writer_errors),
		cmocka_unit_test(test_json_writer_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
