// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The matrix's result framing: what a guest writes comes back whole, and
 * boot noise, cut output, damaged lines and other boots' frames never
 * pass for a result.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "matrix/matrix_console.h"
#include "matrix/matrix_guest.h"

#define NONCE "0123456789abcdef"

/* What matrix_console_write() puts on the console, as text. */
static char *framed(const char *nonce, const char *kind, const char *payload)
{
	FILE *f = tmpfile();
	char *text;
	long len;

	assert_non_null(f);
	assert_int_equal(matrix_console_write(fileno(f), nonce, kind, payload,
					      strlen(payload)), 0);
	len = ftell(f);
	if (len <= 0)
		len = lseek(fileno(f), 0, SEEK_END);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(pread(fileno(f), text, (size_t)len, 0), len);
	fclose(f);
	return text;
}

/* A payload of @n bytes: several chunks, recognisable at every offset. */
static char *payload_of(size_t n)
{
	char *p = malloc(n + 1);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (char)('a' + (i * 7) % 26);
	p[n] = '\0';
	return p;
}

/* Rewrites @text by @edit into a new string. */
typedef char *(*edit_fn)(const char *text);

/* Boot noise around the frame, the kernel echoing the nonce. */
static char *edit_noise(const char *text)
{
	char *out;

	assert_true(asprintf(&out,
		"SeaBIOS (version 1.16.2)\r\n"
		"[    0.000000] Command line: console=ttyS0 fdtest_nonce=" NONCE "\r\n"
		"FDTEST:" NONCE ":result:garbage\n"
		"FDTEST:" NONCE ":result:0/3:zzzzzzzz:not hex\n"
		"%s"
		"[    4.311538] reboot: Power down\r\n", text) > 0);
	return out;
}

/* A kernel line between every two frame lines, and CRLF endings. */
static char *edit_interleave(const char *text)
{
	size_t n = strlen(text);
	char *out = malloc(4 * n + 64), *o = out;

	assert_non_null(out);
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			o += sprintf(o, "\r\n[    1.5] random: crng init done\r\n");
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* Each frame line behind other output on the same line. */
static char *edit_prefix(const char *text)
{
	size_t n = strlen(text);
	char *out = malloc(4 * n + 64), *o = out;

	assert_non_null(out);
	for (const char *p = text; *p; p++) {
		*o++ = *p;
		if (*p == '\n')
			o += sprintf(o, "[    2.0] audit: ");
	}
	*o = '\0';
	return out;
}

/* The output stops before its last line (a guest killed mid-write). */
static char *edit_truncate(const char *text)
{
	char *out = strdup(text);
	char *last;

	assert_non_null(out);
	out[strlen(out) - 1] = '\0';
	last = strrchr(out, '\n');
	*last = '\0';
	return out;
}

/* One payload byte flipped: the checksum must catch it. */
static char *edit_flip(const char *text)
{
	char *out = strdup(text);
	char *line = strstr(out, ":1/");

	assert_non_null(line);
	line = strchr(line + 3, ':');	/* the checksum */
	line = strchr(line + 1, ':');	/* the chunk */
	line[5] ^= 0x01;
	return out;
}

/* A kernel message lands in the middle of a frame line. */
static char *edit_split(const char *text)
{
	const char *mid = strstr(text, ":1/");
	char *out;

	assert_non_null(mid);
	mid += 40;
	assert_true(asprintf(&out, "%.*s[    3.1] bpf: message\r\n%s",
			     (int)(mid - text), text, mid) > 0);
	return out;
}

/* Every line twice: a repeated copy is harmless. */
static char *edit_twice(const char *text)
{
	char *out;

	assert_true(asprintf(&out, "%s%s", text, text) > 0);
	return out;
}

/* The frame of an earlier boot with another nonce, and nothing else. */
static char *edit_other_nonce(const char *text)
{
	char *out = strdup(text);

	for (char *p = out; (p = strstr(p, NONCE)); p++)
		p[0] = 'f';
	return out;
}

struct frame_case {
	const char *name;
	size_t payload_len;
	edit_fn edit;
	int ret;
	const char *reason;	/* in the error, when ret != 0 */
};

static const struct frame_case cases[] = {
	{ .name = "plain-one-chunk", .payload_len = 10 },
	{ .name = "plain-many-chunks", .payload_len = 1000 },
	{ .name = "empty", .payload_len = 0 },
	{ .name = "noise", .payload_len = 300, .edit = edit_noise },
	{ .name = "interleaved", .payload_len = 300, .edit = edit_interleave },
	{ .name = "after-other-output", .payload_len = 300,
	  .edit = edit_prefix },
	{ .name = "repeated", .payload_len = 300, .edit = edit_twice },
	{ .name = "truncated", .payload_len = 300, .edit = edit_truncate,
	  .ret = -ENODATA, .reason = "cut short" },
	{ .name = "bad-checksum", .payload_len = 300, .edit = edit_flip,
	  .ret = -EBADMSG, .reason = "bad checksum" },
	{ .name = "split-by-kernel", .payload_len = 300, .edit = edit_split,
	  .ret = -EBADMSG, .reason = "chunk 1" },
	{ .name = "other-nonce", .payload_len = 300,
	  .edit = edit_other_nonce, .ret = -ENOENT, .reason = "no 'result' frame" },
};

static void test_matrix_console_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct frame_case *c = &cases[i];
		char *payload = payload_of(c->payload_len);
		char *text = framed(NONCE, "result", payload);
		char *got = NULL, err[256] = "";
		int ret;

		if (c->edit) {
			char *edited = c->edit(text);

			free(text);
			text = edited;
		}
		ret = matrix_console_find(text, strlen(text), NONCE, "result",
					  &got, err, sizeof(err));
		if (ret != c->ret)
			fail_msg("%s: returned %d (%s), want %d", c->name, ret,
				 err, c->ret);
		if (ret == 0 && strcmp(got, payload) != 0)
			fail_msg("%s: payload differs", c->name);
		if (ret && !strstr(err, c->reason))
			fail_msg("%s: reason '%s' lacks '%s'", c->name, err,
				 c->reason);
		if (ret && got)
			fail_msg("%s: a payload despite the error", c->name);
		free(got);
		free(text);
		free(payload);
	}
}

/* The "exit" frame and the "result" frame of one boot stay apart. */
static void test_matrix_console_kinds(void **state)
{
	char *a = framed(NONCE, "result", "{\"a\":1}");
	char *b = framed(NONCE, "exit", "exit 0");
	char *text, *got, err[128];

	(void)state;
	assert_true(asprintf(&text, "%s%s", a, b) > 0);
	assert_int_equal(matrix_console_find(text, strlen(text), NONCE, "exit",
					     &got, err, sizeof(err)), 0);
	assert_string_equal(got, "exit 0");
	free(got);
	assert_int_equal(matrix_console_find(text, strlen(text), NONCE,
					     "result", &got, err, sizeof(err)),
			 0);
	assert_string_equal(got, "{\"a\":1}");
	free(got);
	free(text);
	free(a);
	free(b);
}

static void test_matrix_console_write_refuses(void **state)
{
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	assert_int_equal(matrix_console_write(fileno(f), NONCE, "result",
					      "two\nlines", 9), -EINVAL);
	assert_int_equal(matrix_console_write(fileno(f), "a:b", "result", "x",
					      1), -EINVAL);
	assert_int_equal(ftell(f), 0);
	fclose(f);
}

static void test_matrix_console_nonce(void **state)
{
	char a[MATRIX_NONCE_MAX], b[MATRIX_NONCE_MAX];

	(void)state;
	assert_int_equal(matrix_console_nonce(a), 0);
	assert_int_equal(matrix_console_nonce(b), 0);
	assert_int_equal(strlen(a), 16);
	assert_string_not_equal(a, b);
}

/*
 * A crash is the kernel's text: our frame lines carry names a user chose
 * (a dissector 'Oops:.bpf.o'), which must never read as one.
 */
static void test_matrix_console_crash_outside_frames(void **state)
{
	static const char result[] =
		"{\"dissectors\":[{\"name\":\"Oops:\",\"reason\":"
		"\"BUG: Kernel panic - not syncing\"}]}";
	char *ours = framed(NONCE, "result", result);
	char *other = framed("fedcba9876543210", "result", result);
	char text[8192], crash[256];

	(void)state;
	snprintf(text, sizeof(text), "[    0.5] booting\n%s", ours);
	matrix_guest_find_crash(text, strlen(text), NONCE, crash,
				sizeof(crash));
	assert_string_equal(crash, "");

	/* the kernel's own line, before ours or on the same line */
	snprintf(text, sizeof(text), "%s[    1.5] Oops: general protection\r\n",
		 ours);
	matrix_guest_find_crash(text, strlen(text), NONCE, crash,
				sizeof(crash));
	assert_string_equal(crash, "Oops: general protection");
	snprintf(text, sizeof(text), "[ 1.5] Kernel panic - not syncing: x%s",
		 ours + 1);	/* no newline before the frame line */
	matrix_guest_find_crash(text, strlen(text), NONCE, crash,
				sizeof(crash));
	assert_string_equal(crash, "Kernel panic - not syncing: x");

	/* ours read while the guest still writes it: not judged yet */
	snprintf(text, sizeof(text), "%s", ours);
	*(strstr(text, "Oops:") + 8) = '\0';
	matrix_guest_find_crash(text, strlen(text), NONCE, crash,
				sizeof(crash));
	assert_string_equal(crash, "");

	/* another boot's frame, or ours damaged, is not ours to skip */
	matrix_guest_find_crash(other, strlen(other), NONCE, crash,
				sizeof(crash));
	assert_string_equal(crash, "Oops:\",\"reason\":\"BUG: Kernel panic - not syncing\"}]}");
	snprintf(text, sizeof(text), "%s", ours);
	*strstr(text, "Oops") = 'X';
	matrix_guest_find_crash(text, strlen(text), NONCE, crash,
				sizeof(crash));
	assert_non_null(strstr(crash, "BUG: "));
	free(ours);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_console_cases),
		cmocka_unit_test(test_matrix_console_kinds),
		cmocka_unit_test(test_matrix_console_write_refuses),
		cmocka_unit_test(test_matrix_console_nonce),
		cmocka_unit_test(test_matrix_console_crash_outside_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
