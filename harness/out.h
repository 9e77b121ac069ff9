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
 * Pieces are a few bytes long: a loop beats a call to memcpy or strlen,
 * but a length known when compiling makes memcpy a few moves.
 */
static inline void out_mem(struct out *o, const char *s, size_t n)
{
	char *d = o->buf + o->len;

	if (o->full)
		return;
	if (n >= o->size - o->len) {
		o->full = true;
		return;
	}
	if (__builtin_constant_p(n))
		memcpy(d, s, n);
	else
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	o->len += n;
}

/* A string literal, its length counted when compiling. */
#define out_lit(o, s) out_mem((o), "" s, sizeof(s) - 1)

static inline void out_str(struct out *o, const char *s)
{
	char *d = o->buf + o->len;
	size_t room = o->size - o->len;
	size_t i;

	if (o->full)
		return;
	for (i = 0; s[i]; i++) {
		if (i + 1 >= room) {
			o->full = true;
			return;
		}
		d[i] = s[i];
	}
	o->len += i;
}

static inline void out_char(struct out *o, char c)
{
	out_mem(o, &c, 1);
}

/* Decimal, two digits at a time: the divisions are most of its cost. */
static inline void out_uint(struct out *o, uint32_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	char tmp[10];
	size_t i = sizeof(tmp);

	while (v >= 100) {
		uint32_t r = v % 100;

		v /= 100;
		tmp[--i] = pairs[2 * r + 1];
		tmp[--i] = pairs[2 * r];
	}
	if (v >= 10) {
		tmp[--i] = pairs[2 * v + 1];
		tmp[--i] = pairs[2 * v];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	out_mem(o, tmp + i, sizeof(tmp) - i);
}

/* @digits lower-case hex digits of @v, leading zeros kept. */
static inline void out_hex(struct out *o, uint32_t v, unsigned int digits)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[8];

	for (unsigned int i = digits; i-- > 0; v >>= 4)
		tmp[i] = hex[v & 0xf];
	out_mem(o, tmp, digits);
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
