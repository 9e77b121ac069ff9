/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Kernel versions as the matrix compares them: major.minor only, since
 * that is where BPF features land (a stable update does not add them).
 */
#ifndef FDTEST_MATRIX_KVER_H
#define FDTEST_MATRIX_KVER_H

#include <stdbool.h>
#include <stddef.h>

struct matrix_kver {
	unsigned int major;
	unsigned int minor;
};

/* A range of kernels, both ends included; an absent end is open. */
struct matrix_krange {
	struct matrix_kver lo, hi;
	bool has_lo, has_hi;
};

/*
 * Parses the leading "MAJOR.MINOR" of @text ("5.10.0-32-cloud-amd64",
 * "6.1"). Returns 0 or -EINVAL.
 */
int matrix_kver_parse(const char *text, struct matrix_kver *v);
int matrix_kver_cmp(const struct matrix_kver *a, const struct matrix_kver *b);

/*
 * Parses "LO-HI", "LO-", "-HI" or "V" (that series only), each a
 * MAJOR.MINOR, as used in override goldens' names. 0 or -EINVAL.
 */
int matrix_krange_parse(const char *text, size_t len,
			struct matrix_krange *r);
bool matrix_krange_has(const struct matrix_krange *r,
		       const struct matrix_kver *v);

/*
 * The minimum kernel an object declares: a section ".fdtest" holding
 * "min_kernel=MAJOR.MINOR" (fields separated by NUL, space or newline).
 * Returns 1 with *@v set, 0 when the object declares none, or a negative
 * errno when the file is not a readable ELF object.
 */
int matrix_kver_min_of(const char *object, struct matrix_kver *v);

#endif /* FDTEST_MATRIX_KVER_H */
