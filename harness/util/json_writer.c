// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The streaming JSON writer (see json_writer.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/json_writer.h"
#include "util/utf8.h"

static void jw_fail(struct json_writer *w, int err)
{
	if (!w->err)
		w->err = err;
}

static void jw_flush(struct json_writer *w)
{
	if (!w->file || !w->o.len)
		return;
	if (fwrite(w->o.buf, 1, w->o.len, w->file) != w->o.len)
		jw_fail(w, -EIO);
	w->o.len = 0;
}

/*
 * Every byte goes through here. In FILE mode a piece that does not fit
 * flushes the stage first, and one longer than the stage (a long name,
 * escaped) goes straight to the FILE.
 */
static void jw_put(struct json_writer *w, const char *s, size_t n)
{
	if (w->file && n >= w->o.size - w->o.len) {
		jw_flush(w);
		if (n >= w->o.size) {
			if (fwrite(s, 1, n, w->file) != n)
				jw_fail(w, -EIO);
			return;
		}
	}
	out_mem(&w->o, s, n);
}

#define jw_lit(w, s) jw_put((w), "" s, sizeof(s) - 1)

static void jw_init(struct json_writer *w, char *buf, size_t size,
		    enum jw_style style)
{
	w->o = (struct out){ buf, size, 0, size == 0 };
	w->err = 0;
	w->style = style;
	w->depth = 0;
	w->first = true;
	w->after_key = false;
}

void jw_init_buf(struct json_writer *w, char *buf, size_t size,
		 enum jw_style style)
{
	w->file = NULL;
	jw_init(w, buf, size, style);
}

void jw_init_file(struct json_writer *w, FILE *file, enum jw_style style)
{
	w->file = file;
	jw_init(w, w->stage, sizeof(w->stage), style);
}

/* A newline and two spaces a level, before a member in pretty style. */
static void jw_indent(struct json_writer *w, unsigned int depth)
{
	static const char spaces[] = "                                ";

	jw_lit(w, "\n");
	for (unsigned int n = 2 * depth; n; ) {
		unsigned int k = n < sizeof(spaces) - 1 ? n :
			(unsigned int)sizeof(spaces) - 1;

		jw_put(w, spaces, k);
		n -= k;
	}
}

/* What goes before a value or a key: nothing after a key, else a comma. */
static void jw_sep(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first)
		jw_lit(w, ",");
	if (w->style == JW_PRETTY && w->depth)
		jw_indent(w, w->depth);
	w->first = false;
}

static void jw_begin(struct json_writer *w, const char *open)
{
	jw_sep(w);
	if (w->depth == JW_DEPTH) {
		jw_fail(w, -EINVAL);
		return;
	}
	jw_put(w, open, 1);
	w->depth++;
	w->first = true;
}

static void jw_end(struct json_writer *w, const char *close)
{
	if (!w->depth || w->after_key) {
		jw_fail(w, -EINVAL);
		return;
	}
	w->depth--;
	if (w->style == JW_PRETTY && !w->first)
		jw_indent(w, w->depth);
	jw_put(w, close, 1);
	w->first = false;
}

void jw_begin_object(struct json_writer *w)
{
	jw_begin(w, "{");
}

void jw_end_object(struct json_writer *w)
{
	jw_end(w, "}");
}

void jw_begin_array(struct json_writer *w)
{
	jw_begin(w, "[");
}

void jw_end_array(struct json_writer *w)
{
	jw_end(w, "]");
}

/* A run of bytes that need no escape: printable ASCII but '"' and '\\'. */
static size_t plain_len(const unsigned char *p)
{
	size_t n = 0;

	while (p[n] >= 0x20 && p[n] < 0x80 && p[n] != '"' && p[n] != '\\')
		n++;
	return n;
}

static void jw_escape(struct json_writer *w, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

	switch (c) {
	case '"':
		jw_lit(w, "\\\"");
		break;
	case '\\':
		jw_lit(w, "\\\\");
		break;
	case '\b':
		jw_lit(w, "\\b");
		break;
	case '\f':
		jw_lit(w, "\\f");
		break;
	case '\n':
		jw_lit(w, "\\n");
		break;
	case '\r':
		jw_lit(w, "\\r");
		break;
	case '\t':
		jw_lit(w, "\\t");
		break;
	default:
		jw_put(w, u, sizeof(u));
		break;
	}
}

/* \uXXXX for one UTF-16 unit, upper-case hex as jansson writes it. */
static void jw_u16(struct json_writer *w, uint32_t unit)
{
	static const char hex[] = "0123456789ABCDEF";
	char u[6] = { '\\', 'u', hex[unit >> 12 & 0xf], hex[unit >> 8 & 0xf],
		      hex[unit >> 4 & 0xf], hex[unit & 0xf] };

	jw_put(w, u, sizeof(u));
}

/* The code point of the valid UTF-8 sequence of @n bytes at @p, escaped. */
static void jw_ascii_escape(struct json_writer *w, const unsigned char *p,
			    size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = p[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	if (cp < 0x10000) {
		jw_u16(w, cp);
		return;
	}
	cp -= 0x10000;
	jw_u16(w, 0xd800 | cp >> 10);
	jw_u16(w, 0xdc00 | (cp & 0x3ff));
}

static void jw_quoted(struct json_writer *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	jw_lit(w, "\"");
	while (*p) {
		size_t n = plain_len(p);

		if (n) {
			jw_put(w, (const char *)p, n);
			p += n;
		} else if (*p < 0x80) {
			jw_escape(w, *p++);
		} else if ((n = utf8_seq_len((const char *)p))) {
			if (w->style == JW_ASCII)
				jw_ascii_escape(w, p, n);
			else
				jw_put(w, (const char *)p, n);
			p += n;
		} else {
			if (w->style == JW_ASCII)
				jw_u16(w, 0xfffd);
			else
				jw_lit(w, UTF8_REPLACEMENT);
			p++;
		}
	}
	jw_lit(w, "\"");
}

void jw_key(struct json_writer *w, const char *key)
{
	if (w->after_key || !w->depth)
		jw_fail(w, -EINVAL);
	jw_sep(w);
	jw_quoted(w, key);
	if (w->style == JW_PRETTY)
		jw_lit(w, ": ");
	else
		jw_lit(w, ":");
	w->after_key = true;
}

void jw_string(struct json_writer *w, const char *s)
{
	jw_sep(w);
	jw_quoted(w, s);
}

/* Decimal digits, without a separator. */
static void jw_digits(struct json_writer *w, uint64_t v)
{
	char d[20];
	size_t n = sizeof(d);

	if (v <= UINT32_MAX) {
		/* the common case, out.h's fast path */
		if (w->file && w->o.size - w->o.len <= 10)
			jw_flush(w);
		out_uint(&w->o, (uint32_t)v);
		return;
	}
	do {
		d[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	jw_put(w, d + n, sizeof(d) - n);
}

void jw_uint(struct json_writer *w, uint64_t v)
{
	jw_sep(w);
	jw_digits(w, v);
}

void jw_int(struct json_writer *w, int64_t v)
{
	jw_sep(w);
	if (v >= 0) {
		jw_digits(w, (uint64_t)v);
		return;
	}
	jw_lit(w, "-");
	/* the magnitude without overflow, INT64_MIN included */
	jw_digits(w, (uint64_t)-(v + 1) + 1);
}

/*
 * jansson's form: "%.17g" without the exponent's '+' and leading zeros,
 * and ".0" when that looks like an integer, so it reads back a real.
 */
void jw_real(struct json_writer *w, double v)
{
	char d[32];
	int n = snprintf(d, sizeof(d), "%.17g", v);
	char *e;

	jw_sep(w);
	/* JSON has no NaN or infinity (jansson refuses them too) */
	if (!isfinite(v) || n < 0 || (size_t)n >= sizeof(d) - 2) {
		jw_fail(w, -EINVAL);
		return;
	}
	e = strchr(d, 'e');
	if (e) {
		char *digits = e + 1 + (e[1] == '-');
		char *from = e[1] == '+' ? e + 2 : digits;

		while (*from == '0' && from[1])
			from++;
		memmove(digits, from, strlen(from) + 1);
	} else if (!strchr(d, '.')) {
		strcat(d, ".0");
	}
	jw_put(w, d, strlen(d));
}

void jw_bool(struct json_writer *w, bool v)
{
	jw_sep(w);
	if (v)
		jw_lit(w, "true");
	else
		jw_lit(w, "false");
}

void jw_null(struct json_writer *w)
{
	jw_sep(w);
	jw_lit(w, "null");
}

void jw_raw(struct json_writer *w, const char *json, size_t len)
{
	jw_sep(w);
	jw_put(w, json, len);
}

void jw_raw_members(struct json_writer *w, const char *json, size_t len)
{
	if (w->after_key || !w->depth)
		jw_fail(w, -EINVAL);
	if (!len)
		return;
	jw_sep(w);
	jw_put(w, json, len);
}

void jw_jansson(struct json_writer *w, const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (!v) {
		jw_null(w);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jw_begin_object(w);
		/* jansson keeps and walks members in insertion order */
		json_object_foreach((json_t *)v, key, item) {
			jw_key(w, key);
			jw_jansson(w, item);
		}
		jw_end_object(w);
		break;
	case JSON_ARRAY:
		jw_begin_array(w);
		json_array_foreach(v, i, item)
			jw_jansson(w, item);
		jw_end_array(w);
		break;
	case JSON_STRING:
		jw_string(w, json_string_value(v));
		break;
	case JSON_INTEGER:
		jw_int(w, json_integer_value(v));
		break;
	case JSON_REAL:
		jw_real(w, json_real_value(v));
		break;
	case JSON_TRUE:
		jw_bool(w, true);
		break;
	case JSON_FALSE:
		jw_bool(w, false);
		break;
	case JSON_NULL:
	default:
		jw_null(w);
		break;
	}
}

void jw_line(struct json_writer *w)
{
	if (w->depth || w->after_key)
		jw_fail(w, -EINVAL);
	jw_lit(w, "\n");
	w->first = true;
	jw_flush(w);
}

int jw_finish(struct json_writer *w)
{
	int len;

	if (w->depth || w->after_key)
		jw_fail(w, -EINVAL);
	jw_flush(w);
	if (w->file)
		return w->err;
	len = out_done(&w->o);
	if (w->err && w->o.size) {
		w->o.buf[0] = '\0';
		return w->err;
	}
	return len;
}
