// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Valid UTF-8 for names (see utf8.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

size_t utf8_seq_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	/* a NUL ends the string and fails this test too */
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

json_t *utf8_json_string(const char *s)
{
	json_t *v;
	char *copy;
	size_t used = 0;

	if (!s)
		s = "";
	v = json_string(s);
	if (v)
		return v;
	/* each byte becomes at most the 3 bytes of U+FFFD */
	copy = malloc(3 * strlen(s) + 1);
	if (!copy)
		return NULL;
	while (*s) {
		size_t n = utf8_seq_len(s);

		if (n) {
			memcpy(copy + used, s, n);
			used += n;
			s += n;
		} else {
			memcpy(copy + used, UTF8_REPLACEMENT, 3);
			used += 3;
			s++;
		}
	}
	copy[used] = '\0';
	v = json_string(copy);
	free(copy);
	return v;
}

void utf8_put_text(FILE *out, const char *s)
{
	const unsigned char *p;
	size_t n;

	for (; *s; s += n) {
		p = (const unsigned char *)s;
		n = utf8_seq_len(s);
		if (!n || (p[0] < 0x20 && p[0] != '\t') || p[0] == 0x7f ||
		    (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)) {
			fputc('?', out);
			n = n ? n : 1;
			continue;
		}
		fwrite(s, 1, n, out);
	}
}
