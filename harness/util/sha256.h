/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SHA-256 of a capture, in hex: a golden names the bytes it was recorded
 * from, so a golden of other bytes is found stale.
 */
#ifndef FDTEST_SHA256_H
#define FDTEST_SHA256_H

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

#endif /* FDTEST_SHA256_H */
