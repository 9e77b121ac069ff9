// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Framed results on a serial console (see matrix_console.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include <zlib.h>

#include "matrix/matrix_console.h"

/* More chunks than any result needs: a count above it is damage. */
#define FRAME_CHUNKS_MAX 65536

static uint32_t frame_crc(unsigned long seq, unsigned long count,
			  const char *chunk, size_t len)
{
	char head[48];
	int n = snprintf(head, sizeof(head), "%lu/%lu:", seq, count);
	uLong crc = crc32(0L, Z_NULL, 0);

	crc = crc32(crc, (const Bytef *)head, (uInt)n);
	return (uint32_t)crc32(crc, (const Bytef *)chunk, (uInt)len);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int matrix_console_write(int fd, const char *nonce, const char *kind,
			 const char *payload, size_t len)
{
	unsigned long count = len ? (len + MATRIX_CONSOLE_CHUNK - 1) /
				    MATRIX_CONSOLE_CHUNK : 1;
	char line[MATRIX_CONSOLE_CHUNK + 160];

	if (strchr(nonce, ':') || strchr(kind, ':') ||
	    memchr(payload, '\n', len) || memchr(payload, '\r', len))
		return -EINVAL;
	for (unsigned long seq = 0; seq < count; seq++) {
		size_t off = seq * MATRIX_CONSOLE_CHUNK;
		size_t n = len - off;
		int head, ret;

		if (n > MATRIX_CONSOLE_CHUNK)
			n = MATRIX_CONSOLE_CHUNK;

		/* a line starts fresh even if the console was mid-line */
		head = snprintf(line, sizeof(line), "\nFDTEST:%s:%s:%lu/%lu:%08x:",
				nonce, kind, seq, count,
				frame_crc(seq, count, payload + off, n));
		if (head < 0 || (size_t)head + n + 1 > sizeof(line))
			return -EINVAL;
		memcpy(line + head, payload + off, n);
		line[head + n] = '\n';
		ret = write_all(fd, line, (size_t)head + n + 1);
		if (ret)
			return ret;
	}
	return 0;
}

struct chunk {
	const char *data;
	size_t len;
	bool good;
	bool damaged;
};

struct frame_scan {
	struct chunk *chunks;
	unsigned long count;
	char damage[160];	/* the first damaged line, said once */
};

static void note_damage(struct frame_scan *fs, const char *fmt,
			unsigned long seq)
{
	if (!fs->damage[0])
		snprintf(fs->damage, sizeof(fs->damage), fmt, seq);
}

/*
 * Parses the head "<seq>/<count>:<crc>:" at @p; returns the chunk's
 * start, or NULL when the text is not a frame line's head.
 */
static const char *parse_head(const char *p, unsigned long *seq,
			      unsigned long *count, unsigned long *crc)
{
	char *q;

	errno = 0;
	*seq = strtoul(p, &q, 10);
	if (q == p || *q != '/' || errno)
		return NULL;
	p = q + 1;
	*count = strtoul(p, &q, 10);
	if (q == p || *q != ':' || errno)
		return NULL;
	p = q + 1;
	*crc = strtoul(p, &q, 16);
	if (q != p + 8 || *q != ':')
		return NULL;
	return q + 1;
}

/* Parses "<seq>/<count>:<crc>:<chunk>" (@p..@end); returns 0 or -errno. */
static int scan_line(struct frame_scan *fs, const char *p, const char *end)
{
	unsigned long seq, count, crc;

	p = parse_head(p, &seq, &count, &crc);
	if (!p || p > end)
		return 0;	/* not ours after all */
	if (count == 0 || count > FRAME_CHUNKS_MAX || seq >= count) {
		note_damage(fs, "a line says chunk %lu of an impossible count",
			    seq);
		return 0;
	}
	if (frame_crc(seq, count, p, (size_t)(end - p)) != crc) {
		note_damage(fs, "chunk %lu: bad checksum", seq);
		if (fs->chunks && count == fs->count)
			fs->chunks[seq].damaged = true;
		return 0;
	}
	if (!fs->chunks) {
		fs->chunks = calloc(count, sizeof(*fs->chunks));
		if (!fs->chunks)
			return -ENOMEM;
		fs->count = count;
	} else if (count != fs->count) {
		note_damage(fs, "chunk %lu: lines disagree on the count", seq);
		return -EBADMSG;
	}
	if (fs->chunks[seq].good &&
	    (fs->chunks[seq].len != (size_t)(end - p) ||
	     memcmp(fs->chunks[seq].data, p, (size_t)(end - p)))) {
		note_damage(fs, "chunk %lu: two different copies", seq);
		return -EBADMSG;
	}
	fs->chunks[seq].data = p;
	fs->chunks[seq].len = (size_t)(end - p);
	fs->chunks[seq].good = true;
	return 0;
}

/* Every line of the text; the marker may follow other output. */
static int scan_text(struct frame_scan *fs, const char *text, size_t len,
		     const char *marker)
{
	size_t mlen = strlen(marker);
	const char *end = text + len;
	const char *line = text;
	bool seen = false;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *stop = eol ? eol : end;
		const char *m = line;
		int ret;

		while (stop > line && stop[-1] == '\r')
			stop--;
		while ((m = memmem(m, (size_t)(stop - m), marker, mlen))) {
			seen = true;
			ret = scan_line(fs, m + mlen, stop);
			if (ret)
				return ret;
			m += mlen;
		}
		line = eol ? eol + 1 : end;
	}
	return seen ? 0 : -ENOENT;
}

static int join_chunks(const struct frame_scan *fs, char **payload)
{
	size_t total = 0;
	char *out;

	for (unsigned long i = 0; i < fs->count; i++)
		total += fs->chunks[i].len;
	out = malloc(total + 1);
	if (!out)
		return -ENOMEM;
	total = 0;
	for (unsigned long i = 0; i < fs->count; i++) {
		memcpy(out + total, fs->chunks[i].data, fs->chunks[i].len);
		total += fs->chunks[i].len;
	}
	out[total] = '\0';
	*payload = out;
	return 0;
}

int matrix_console_find(const char *text, size_t len, const char *nonce,
			const char *kind, char **payload, char *err,
			size_t err_size)
{
	struct frame_scan fs = { 0 };
	unsigned long missing = 0, first = 0;
	char marker[MATRIX_NONCE_MAX + 80];
	int ret;

	*payload = NULL;
	snprintf(marker, sizeof(marker), "FDTEST:%s:%s:", nonce, kind);
	ret = scan_text(&fs, text, len, marker);
	if (ret == -ENOENT) {
		snprintf(err, err_size, "no '%s' frame in the output", kind);
		goto out;
	}
	if (ret == -EBADMSG || (ret == 0 && !fs.chunks)) {
		snprintf(err, err_size, "'%s' result damaged: %s", kind,
			 fs.damage);
		ret = -EBADMSG;
		goto out;
	}
	if (ret)
		goto out;
	for (unsigned long i = 0; i < fs.count; i++) {
		if (fs.chunks[i].good)
			continue;
		if (fs.chunks[i].damaged || fs.damage[0]) {
			snprintf(err, err_size, "'%s' result damaged: %s",
				 kind, fs.damage);
			ret = -EBADMSG;
			goto out;
		}
		if (!missing++)
			first = i;
	}
	if (missing) {
		snprintf(err, err_size,
			 "'%s' result cut short: %lu of %lu lines missing, from line %lu",
			 kind, missing, fs.count, first + 1);
		ret = -ENODATA;
		goto out;
	}
	ret = join_chunks(&fs, payload);
out:
	free(fs.chunks);
	return ret;
}

size_t matrix_console_line_start(const char *line, size_t len,
				 const char *nonce)
{
	char marker[MATRIX_NONCE_MAX + 16];
	const char *end = line + len, *m = line, *p;
	unsigned long seq, count, crc;
	size_t mlen;

	mlen = (size_t)snprintf(marker, sizeof(marker), "FDTEST:%s:", nonce);
	while ((m = memmem(m, (size_t)(end - m), marker, mlen))) {
		/* the kind, then the head, then a chunk its checksum fits */
		p = memchr(m + mlen, ':', (size_t)(end - m - mlen));
		if (p && p > m + mlen) {
			p = parse_head(p + 1, &seq, &count, &crc);
			if (p && p <= end && seq < count &&
			    frame_crc(seq, count, p, (size_t)(end - p)) == crc)
				return (size_t)(m - line);
		}
		m += mlen;
	}
	return len;
}

int matrix_console_nonce(char nonce[MATRIX_NONCE_MAX])
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return -errno;
	snprintf(nonce, MATRIX_NONCE_MAX, "%016llx", (unsigned long long)r);
	return 0;
}
