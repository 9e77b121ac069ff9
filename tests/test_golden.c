// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Golden files: header, streaming read, errors by line, atomic write. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "check/golden.h"
#include "util/sha256.h"
#include "test_util.h"


#define HEADER "{\"fdtest_golden\":1,\"capture\":\"x.pcap\",\"sha256\":\"ab\"," \
	       "\"dissector\":\"ref\",\"states\":[\"vlanless\",\"post-vlan\"]," \
	       "\"in_flags\":[0,4]}\n"

static void test_golden_read(void **state)
{
	struct golden_reader *g;
	struct golden_line exp;
	char path[256], err[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/read.json", test_scratch());
	test_write_file(path, HEADER
		   "{\"frame\":1,\"state\":\"vlanless\",\"nhoff\":14}\n"
		   "\n"
		   "{\"frame\":2,\"state\":\"post-vlan\",\"in_flags\":4}\r\n");
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), 0);
	assert_string_equal(golden_header(g)->capture, "x.pcap");
	assert_string_equal(golden_header(g)->dissector, "ref");
	assert_int_equal(golden_header(g)->states,
			 1u << FDTEST_STATE_VLANLESS | 1u << FDTEST_STATE_POST_VLAN);
	assert_int_equal(golden_header(g)->n_flags, 2);
	assert_int_equal(golden_header(g)->in_flags[1], 4);
	assert_int_equal(golden_next(g, &exp, err, sizeof(err)), 1);
	assert_int_equal(exp.keys.nhoff, 14);
	assert_int_equal(golden_line(g), 2);
	assert_int_equal(golden_next(g, &exp, err, sizeof(err)), 1);
	assert_int_equal(exp.id.frame, 2);
	assert_int_equal(golden_line(g), 4);
	assert_int_equal(golden_next(g, &exp, err, sizeof(err)), 0);
	golden_close(g);
}

static void test_golden_errors_name_the_line(void **state)
{
	struct golden_reader *g;
	struct golden_line exp;
	char path[256], err[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.json", test_scratch());
	test_write_file(path, HEADER
		   "{\"frame\":1,\"state\":\"vlanless\"}\n"
		   "{\"frame\":2,\"state\":\"vlanless\",\"thoff\":-1}\n");
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), 0);
	assert_int_equal(golden_next(g, &exp, err, sizeof(err)), 1);
	assert_int_equal(golden_next(g, &exp, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 3: field 'thoff': expected an integer 0..65535");
	golden_close(g);

	test_write_file(path, "{\"frame\":1,\"state\":\"vlanless\"}\n");
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 1: not a golden header"));

	test_write_file(path, "");
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no header line"));

	test_write_file(path, "{\"fdtest_golden\":99}\n");
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "golden format 99"));

	snprintf(path, sizeof(path), "%s/missing.json", test_scratch());
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), -ENOENT);
}

/* "{"frame":F,"state":"vlanless"   ...   }\n", @len bytes before the newline */
static void put_padded_line(FILE *f, unsigned int frame, size_t len)
{
	int n = fprintf(f, "{\"frame\":%u,\"state\":\"vlanless\"", frame);

	for (size_t i = (size_t)n; i + 1 < len; i++)
		fputc(' ', f);
	fputs("}\n", f);
}

/*
 * A line of GOLDEN_LINE_MAX bytes is read; one byte more is no golden's
 * line, and reading stops there with its number, not a bigger buffer.
 */
static void test_golden_line_bound(void **state)
{
	struct golden_reader *g;
	struct golden_line exp;
	char path[256], err[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/long.json", test_scratch());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(HEADER, f);
	put_padded_line(f, 1, GOLDEN_LINE_MAX);
	put_padded_line(f, 2, GOLDEN_LINE_MAX + 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), 0);
	assert_int_equal(golden_next(g, &exp, err, sizeof(err)), 1);
	assert_int_equal(exp.id.frame, 1);
	assert_int_equal(golden_next(g, &exp, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 3: longer than 8192 bytes, more than any line fdtest writes: not a golden");
	golden_close(g);

	/* a header line with no end */
	f = fopen(path, "w");
	assert_non_null(f);
	for (unsigned int i = 0; i < 3 * GOLDEN_LINE_MAX; i++)
		fputc('{', f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 1: longer than 8192 bytes"));
}

/*
 * The longest header fdtest writes: two 255-byte names of control
 * characters (each escaped as \u00XX) and 8 flag sets of 10 digits. It
 * must fit the bound with room, and read back.
 */
static void test_golden_longest_header(void **state)
{
	struct golden_header hdr = { .states = 7, .n_flags = GOLDEN_FLAGS_MAX };
	struct golden_writer *w;
	struct golden_reader *g;
	char path[256], err[256], line[GOLDEN_LINE_MAX];
	FILE *f;

	(void)state;
	memset(hdr.capture, 1, sizeof(hdr.capture) - 1);
	memset(hdr.dissector, 0x1f, sizeof(hdr.dissector) - 1);
	memset(hdr.sha256, 'a', sizeof(hdr.sha256) - 1);
	for (size_t i = 0; i < GOLDEN_FLAGS_MAX; i++)
		hdr.in_flags[i] = 4000000000u + (uint32_t)i;
	snprintf(path, sizeof(path), "%s/longest.json", test_scratch());
	assert_int_equal(golden_writer_open(path, &hdr, &w, err, sizeof(err)),
			 0);
	assert_int_equal(golden_writer_commit(w), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	/* whole, newline included, and under half the bound */
	assert_non_null(strchr(line, '\n'));
	assert_true(strlen(line) > 3000 && strlen(line) < GOLDEN_LINE_MAX / 2);
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), 0);
	assert_memory_equal(golden_header(g)->capture, hdr.capture,
			    sizeof(hdr.capture));
	golden_close(g);
}

/* A FIFO nobody writes is named at once; a folder is one. */
static void test_golden_not_a_file(void **state)
{
	struct golden_reader *g;
	char path[256], err[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo.json", test_scratch());
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is a FIFO or pipe, not a golden file");
	assert_int_equal(golden_open(test_scratch(), &g, err, sizeof(err)),
			 -EISDIR);
	assert_string_equal(err, "is a directory, not a golden file");
}

/*
 * Names are any bytes: the header holds U+FFFD for each byte that is not
 * UTF-8, and the golden reads back.
 */
static void test_golden_name_not_utf8(void **state)
{
	struct golden_header hdr = { .capture = "caf\xe9\x01.pcap",
				     .dissector = "r\xe9\xff", .states = 1,
				     .n_flags = 1 };
	struct golden_writer *w;
	struct golden_reader *g;
	char path[256], err[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/caf\xe9.json", test_scratch());
	assert_int_equal(golden_writer_open(path, &hdr, &w, err, sizeof(err)),
			 0);
	assert_int_equal(golden_writer_commit(w), 0);
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), 0);
	assert_string_equal(golden_header(g)->capture,
			    "caf\xef\xbf\xbd\x01.pcap");
	assert_string_equal(golden_header(g)->dissector,
			    "r\xef\xbf\xbd\xef\xbf\xbd");
	golden_close(g);
}

static void test_golden_write_commit(void **state)
{
	struct golden_header hdr = { .capture = "c.pcap", .sha256 = "00",
				     .dissector = "d", .states = 7,
				     .in_flags = { 0, 1 }, .n_flags = 2 };
	struct golden_writer *w;
	struct golden_reader *g;
	struct golden_line exp;
	char path[256], err[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/new/sub/c.json", test_scratch());
	assert_int_equal(golden_writer_open(path, &hdr, &w, err, sizeof(err)), 0);
	assert_int_equal(golden_writer_add(w,
		"{\"frame\":1,\"state\":\"pre-vlan\",\"in_flags\":1,\"thoff\":9}"), 0);
	/* nothing at the target until commit */
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(golden_writer_commit(w), 0);
	assert_int_equal(golden_open(path, &g, err, sizeof(err)), 0);
	assert_int_equal(golden_header(g)->states, 7);
	assert_int_equal(golden_next(g, &exp, err, sizeof(err)), 1);
	assert_int_equal(exp.keys.thoff, 9);
	golden_close(g);
}

static void test_golden_abort_keeps_old(void **state)
{
	struct golden_header hdr = { .capture = "c.pcap" };
	struct golden_writer *w;
	char path[320], sub[256], buf[64] = "", err[256];
	FILE *f;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/abort", test_scratch());
	snprintf(path, sizeof(path), "%s/c.json", sub);
	assert_int_equal(golden_writer_open(path, &hdr, &w, err, sizeof(err)), 0);
	golden_writer_abort(w);
	assert_int_equal(test_count_entries(sub), 0);
	test_write_file(path, "old\n");
	assert_int_equal(golden_writer_open(path, &hdr, &w, err, sizeof(err)), 0);
	assert_int_equal(golden_writer_add(w, "{}"), 0);
	golden_writer_abort(w);
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "old\n");
	assert_int_equal(test_count_entries(sub), 1);
	golden_writer_abort(NULL);
	golden_close(NULL);
}

static void test_golden_sha256(void **state)
{
	char path[256], sha[65];

	(void)state;
	snprintf(path, sizeof(path), "%s/abc", test_scratch());
	test_write_file(path, "abc");
	assert_int_equal(sha256_file(path, sha), 0);
	/* FIPS 180-2 example: SHA-256("abc") */
	assert_string_equal(sha,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/*
 * Failure injection: the Makefile links this suite with -Wl,--wrap for
 * the library calls below, so each can be made to fail once it has been
 * called @fail_after more times (-1: never).
 */
static int fail_digest_update = -1;
static int fail_digest_final = -1;
static int fail_fwrite = -1;

static bool fail_now(int *countdown)
{
	if (*countdown < 0)
		return false;
	return (*countdown)-- == 0;
}

int __real_EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t n);
int __wrap_EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t n);
int __wrap_EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t n)
{
	return fail_now(&fail_digest_update) ? 0 :
	       __real_EVP_DigestUpdate(ctx, d, n);
}

int __real_EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md,
			      unsigned int *n);
int __wrap_EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md,
			      unsigned int *n);
int __wrap_EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md,
			      unsigned int *n)
{
	return fail_now(&fail_digest_final) ? 0 :
	       __real_EVP_DigestFinal_ex(ctx, md, n);
}

size_t __real_fwrite(const void *p, size_t size, size_t n, FILE *f);
size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f);
size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	if (fail_now(&fail_fwrite)) {
		errno = ENOSPC;	/* as a full disk does */
		return 0;
	}
	return __real_fwrite(p, size, n, f);
}

/* OpenSSL failing mid-hash or at the end is an error, never a hash. */
static void test_golden_sha256_errors(void **state)
{
	char path[256], sha[65] = "";

	(void)state;
	snprintf(path, sizeof(path), "%s/hashed", test_scratch());
	test_write_file(path, "abc");
	fail_digest_update = 0;
	assert_int_equal(sha256_file(path, sha), -EIO);
	fail_digest_final = 0;
	assert_int_equal(sha256_file(path, sha), -EIO);
	assert_int_equal(fail_digest_update, -1);
	assert_int_equal(fail_digest_final, -1);
	assert_int_equal(sha256_file(path, sha), 0);
}

/*
 * The header is written first; a failed write fails the writer and
 * leaves nothing behind. (A name that is not UTF-8 is no failure:
 * test_golden_name_not_utf8.)
 */
static void test_golden_header_errors(void **state)
{
	struct golden_header hdr = { .capture = "c.pcap", .sha256 = "00",
				     .dissector = "d", .states = 7,
				     .in_flags = { 0, 1 }, .n_flags = 2 };
	struct golden_writer *w = NULL;
	char path[320], sub[256], err[512];

	(void)state;
	snprintf(sub, sizeof(sub), "%s/hdr", test_scratch());
	snprintf(path, sizeof(path), "%s/c.json", sub);
	fail_fwrite = 0;
	assert_int_equal(golden_writer_open(path, &hdr, &w, err, sizeof(err)),
			 -EIO);
	assert_int_equal(fail_fwrite, -1);
	assert_int_equal(test_count_entries(sub), 0);
	assert_int_equal(golden_writer_open(path, &hdr, &w, err, sizeof(err)),
			 0);
	golden_writer_abort(w);
	assert_int_equal(test_count_entries(sub), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_read),
		cmocka_unit_test(test_golden_errors_name_the_line),
		cmocka_unit_test(test_golden_line_bound),
		cmocka_unit_test(test_golden_longest_header),
		cmocka_unit_test(test_golden_not_a_file),
		cmocka_unit_test(test_golden_name_not_utf8),
		cmocka_unit_test(test_golden_write_commit),
		cmocka_unit_test(test_golden_abort_keeps_old),
		cmocka_unit_test(test_golden_sha256),
		cmocka_unit_test(test_golden_sha256_errors),
		cmocka_unit_test(test_golden_header_errors),
	};

	return cmocka_run_group_tests(tests, test_scratch_setup,
				      test_scratch_teardown);
}
