/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Results framed for a serial console. A guest's console carries boot
 * messages, kernel warnings that may land between our lines, and maybe a
 * panic; the host must never take any of that for results, nor accept a
 * result that lost a piece.
 *
 * A payload (one line of text: no CR or LF) is cut into chunks, each
 * written as its own line:
 *
 *   FDTEST:<nonce>:<kind>:<seq>/<count>:<crc32>:<chunk>
 *
 * The nonce is made by the host for each boot, so old output or text the
 * kernel echoes cannot match by chance; <crc32> (8 hex digits, zlib's
 * CRC-32) covers "<seq>/<count>:<chunk>". The reader takes the lines of
 * one nonce and kind wherever they stand (other text before them on the
 * same line, noise lines in between) and insists on every chunk, once,
 * with a good checksum.
 */
#ifndef FDTEST_MATRIX_CONSOLE_H
#define FDTEST_MATRIX_CONSOLE_H

#include <stddef.h>
#include <stdio.h>

#define MATRIX_CONSOLE_CHUNK 96		/* payload bytes per line */
#define MATRIX_NONCE_MAX 32

/*
 * Writes @payload (@len bytes) as framed lines to @fd, one write() per
 * line. Returns 0, -EINVAL if the payload holds CR or LF or the nonce or
 * kind holds ':', or the negative errno of write().
 */
int matrix_console_write(int fd, const char *nonce, const char *kind,
			 const char *payload, size_t len);

/*
 * Finds the frame of @nonce and @kind in @text (@len bytes, need not end
 * in NUL). Returns 0 with a malloc'd, NUL-terminated payload in *@payload
 * (the caller frees it), or with a one-line reason in @err:
 *   -ENOENT   no line of this frame at all
 *   -EBADMSG  a line of it is damaged (checksum, count, seq, repeat)
 *   -ENODATA  lines are missing (the output was cut short)
 *   -ENOMEM
 */
int matrix_console_find(const char *text, size_t len, const char *nonce,
			const char *kind, char **payload, char *err,
			size_t err_size);

/*
 * Where the console's own text on a line ends: the offset of the frame
 * line of @nonce (any kind, good checksum) that ends @line (@len bytes,
 * no newline), or @len when the line holds none. Text before the offset
 * is the kernel's or another program's; the frame line is ours, whatever
 * names its payload carries. A frame line with a bad checksum may have
 * kernel text mixed in, so it counts as the kernel's.
 */
size_t matrix_console_line_start(const char *line, size_t len,
				 const char *nonce);

/* A fresh random nonce: 16 hex digits. 0 or a negative errno. */
int matrix_console_nonce(char nonce[MATRIX_NONCE_MAX]);

#endif /* FDTEST_MATRIX_CONSOLE_H */
