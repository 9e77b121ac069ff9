/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Names into formats that must be valid UTF-8 (JSON, XML), and onto a
 * terminal: a file or dissector name on Linux is any bytes but '/' and
 * NUL, so each byte that does not start a valid sequence becomes U+FFFD,
 * as decoders do. The replacement is lossy and the same everywhere: a
 * golden's header holds the name as the JSON report shows it.
 */
#ifndef FDTEST_UTF8_H
#define FDTEST_UTF8_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define UTF8_REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

/*
 * Length of the valid UTF-8 sequence at @s (1 to 4; strict: no overlong
 * forms, surrogates or code points past U+10FFFF), 0 when @s starts none.
 * @s is NUL-terminated.
 */
size_t utf8_seq_len(const char *s);

/*
 * A new JSON string for @s (NULL: ""), invalid bytes replaced; NULL only
 * without memory. The caller owns the reference.
 */
json_t *utf8_json_string(const char *s);

/*
 * Writes @s for a terminal or a line-based log: every control character
 * (C0 but tab, DEL, C1, which a terminal may act on) and every byte that
 * is not UTF-8 as '?', so a file name cannot move the cursor, retitle
 * the window or start a line of its own.
 */
void utf8_put_text(FILE *out, const char *s);

#endif /* FDTEST_UTF8_H */
