/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Appenders to a fixed buffer, for text written for every case of every
 * frame (result lines, report lines), where printf was most of a run's
 * time. Running out of room is remembered and reported once, at the end.
 */
#ifndef FDTEST_OUT_H
#define FDTEST_OUT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
	bool full;
};

/*
 * Pieces are a few bytes long. A length known when compiling makes memcpy
 * a few moves; any other length from 4 to 32 bytes is two moves of a
 * fixed size that overlap in the middle, cheaper than a loop or a call.
 */
/*
 * GCC does not see that a piece taken from a short literal by strlen() is
 * short, and warns about the branches for longer ones it never takes.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
static inline void out_copy(char *d, const char *s, size_t n)
{
	if (n > 32) {
		memcpy(d, s, n);
	} else if (n >= 16) {
		memcpy(d, s, 16);
		memcpy(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
}
#pragma GCC diagnostic pop

/*
 * Takes @n bytes at the end for the caller to fill (room for the NUL
 * stays), or marks the buffer full and returns NULL.
 */
static inline char *out_take(struct out *o, size_t n)
{
	char *d = o->buf + o->len;

	if (o->full || n >= o->size - o->len) {
		o->full = true;
		return NULL;
	}
	o->len += n;
	return d;
}

static inline void out_mem(struct out *o, const char *s, size_t n)
{
	char *d = out_take(o, n);

	if (!d)
		return;
	if (__builtin_constant_p(n))
		memcpy(d, s, n);
	else
		out_copy(d, s, n);
}

/* A string literal, its length counted when compiling. */
#define out_lit(o, s) out_mem((o), "" s, sizeof(s) - 1)

static inline void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static inline void out_char(struct out *o, char c)
{
	out_mem(o, &c, 1);
}

/*
 * Decimal, written in place from the last digit, two digits at a time:
 * the divisions are most of its cost.
 */
static inline void out_uint(struct out *o, uint32_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	static const uint32_t tens[] = {
		10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u,
		100000000u, 1000000000u,
	};
	size_t n = 1;
	char *d;

	while (n < 10 && v >= tens[n - 1])
		n++;
	d = out_take(o, n);
	if (!d)
		return;
	while (v >= 100) {
		uint32_t r = v % 100;

		v /= 100;
		d[--n] = pairs[2 * r + 1];
		d[--n] = pairs[2 * r];
	}
	if (v >= 10) {
		d[1] = pairs[2 * v + 1];
		d[0] = pairs[2 * v];
	} else {
		d[0] = (char)('0' + v);
	}
}

/* @digits lower-case hex digits of @v, leading zeros kept. */
static inline void out_hex(struct out *o, uint32_t v, unsigned int digits)
{
	static const char hex[] = "0123456789abcdef";
	char *d = out_take(o, digits);

	if (!d)
		return;
	for (unsigned int i = digits; i-- > 0; v >>= 4)
		d[i] = hex[v & 0xf];
}

/* Lower-case hex, zero-padded to @min digits, as printf's "%0<min>x". */
static inline void out_xint(struct out *o, uint32_t v, unsigned int min)
{
	unsigned int digits = min ? min : 1;

	while (digits < 8 && v >> (4 * digits))
		digits++;
	out_hex(o, v, digits);
}

/* Spaces up to column @width from @start, as printf's "%-Ns". */
static inline void out_pad(struct out *o, size_t start, size_t width)
{
	while (!o->full && o->len - start < width)
		out_mem(o, " ", 1);
}

/* NUL-terminates; the length, or -ENOSPC when it did not fit. */
static inline int out_done(struct out *o)
{
	if (o->full) {
		if (o->size)
			o->buf[0] = '\0';
		return -ENOSPC;
	}
	o->buf[o->len] = '\0';
	return (int)o->len;
}

#endif /* FDTEST_OUT_H */
