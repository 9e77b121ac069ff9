/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SHA-256 of a capture, in hex: a golden names the bytes it was recorded
 * from, so a golden of other bytes is found stale.
 */
#ifndef FDTEST_SHA256_H
#define FDTEST_SHA256_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#define SHA256_HEX_LEN 64

/*
 * Hashes @f from where it stands to its end into @out (64 hex digits
 * and a NUL). 0, -ENOMEM, or -EIO for a read or an OpenSSL failure (a
 * hash OpenSSL could not finish would make any golden stale). @f stays
 * open, at its end.
 */
int sha256_stream(FILE *f, char out[SHA256_HEX_LEN + 1]);

/* The same for the file at @path; -errno when it cannot be opened. */
int sha256_file(const char *path, char out[SHA256_HEX_LEN + 1]);

/*
 * A file's hash taken on a thread of its own, beside other work: hashing
 * a large capture costs as much as thousands of test runs. Set @path (or
 * @hex and @taken, when the hash is known already), then start and wait.
 */
struct sha256_job {
	const char *path;		/* in */
	char hex[SHA256_HEX_LEN + 1];	/* out, once waited for with 0 */
	int ret;
	pthread_t tid;
	bool running;
	bool taken;		/* started, or @hex known beforehand */
};

/*
 * Starts hashing, once: again does nothing. Without a thread to be had
 * the hash is taken here.
 */
void sha256_job_start(struct sha256_job *job);
/*
 * Waits for the hash: 0 with @hex, or sha256_file()'s error. Again is
 * fine; a job never started returns 0 with @hex as it stands.
 */
int sha256_job_wait(struct sha256_job *job);

#endif /* FDTEST_SHA256_H */
