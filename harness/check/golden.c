// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Golden files: streaming reader, atomic writer (see golden.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "check/golden.h"
#include "util/atomic_file.h"
#include "util/input_file.h"
#include "util/json_writer.h"

/*
 * Goldens run to hundreds of MB, read a line at a time: lines are
 * returned in place in a buffer of our own, filled by fread() on an
 * unbuffered stream (one read(2) per fill, no copy through stdio's buffer,
 * no copy into a line buffer as getline() makes). 256 KiB stays in the
 * cache between the read and the compare; 4 MiB measured no faster.
 */
#define READER_BUF_SIZE	(256u << 10)

struct golden_reader {
	FILE *file;
	char *buf;		/* buf_size bytes and one for a NUL */
	size_t buf_size;
	size_t start;		/* next unread byte */
	size_t end;		/* bytes read so far into buf */
	bool eof;
	size_t line_no;
	struct golden_header header;
};

struct golden_writer {
	struct atomic_file *af;
	FILE *file;		/* af's stream */
};

/* ---- header ----------------------------------------------------------- */

/* Copies string field @key of @obj, if there; -EINVAL for a non-string. */
static int header_string(json_t *obj, const char *key, char *buf,
			 size_t size, char *err, size_t err_size)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, err_size, "line 1: field '%s': expected a string",
			 key);
		return -EINVAL;
	}
	snprintf(buf, size, "%s", json_string_value(v));
	return 0;
}

static int header_lists(json_t *obj, struct golden_header *hdr, char *err,
			size_t err_size)
{
	json_t *states = json_object_get(obj, "states");
	json_t *flags = json_object_get(obj, "in_flags");
	json_t *item;
	size_t i;

	if ((states && !json_is_array(states)) ||
	    (flags && !json_is_array(flags))) {
		snprintf(err, err_size,
			 "line 1: \"states\" and \"in_flags\" must be arrays");
		return -EINVAL;
	}
	json_array_foreach(states, i, item) {
		int s = json_is_string(item) ?
			fdtest_state_parse(json_string_value(item)) : -EINVAL;

		if (s < 0) {
			snprintf(err, err_size, "line 1: bad entry in \"states\"");
			return -EINVAL;
		}
		hdr->states |= 1u << s;
	}
	json_array_foreach(flags, i, item) {
		if (!json_is_integer(item) || json_integer_value(item) < 0 ||
		    json_integer_value(item) > UINT32_MAX ||
		    hdr->n_flags >= GOLDEN_FLAGS_MAX) {
			snprintf(err, err_size,
				 "line 1: bad entry in \"in_flags\"");
			return -EINVAL;
		}
		hdr->in_flags[hdr->n_flags++] =
			(uint32_t)json_integer_value(item);
	}
	return 0;
}

/* The header's fields; anything else is a golden of another format. */
static const char *const header_fields[] = {
	"fdtest_golden", "capture", "sha256", "dissector", "states",
	"in_flags",
};

static int header_parse(const char *line, size_t len,
			struct golden_header *hdr, char *err, size_t err_size)
{
	json_error_t jerr;
	json_t *obj, *v;
	const char *key;
	int ret = -EINVAL;

	memset(hdr, 0, sizeof(*hdr));
	obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		snprintf(err, err_size, "line 1: %s (column %d)", jerr.text,
			 jerr.column);
		return -EINVAL;
	}
	v = json_object_get(obj, "fdtest_golden");
	if (!json_is_integer(v)) {
		snprintf(err, err_size,
			 "line 1: not a golden header (no \"fdtest_golden\" version)");
		goto out;
	}
	if (json_integer_value(v) != GOLDEN_FORMAT_VERSION) {
		snprintf(err, err_size,
			 "line 1: golden format %lld, this fdtest reads %d",
			 (long long)json_integer_value(v),
			 GOLDEN_FORMAT_VERSION);
		goto out;
	}
	json_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; i < sizeof(header_fields) / sizeof(char *); i++)
			if (strcmp(key, header_fields[i]) == 0)
				break;
		if (i == sizeof(header_fields) / sizeof(char *)) {
			snprintf(err, err_size,
				 "line 1: unknown header field '%.64s'", key);
			goto out;
		}
	}
	ret = header_string(obj, "capture", hdr->capture,
			    sizeof(hdr->capture), err, err_size);
	ret = ret ?: header_string(obj, "sha256", hdr->sha256,
				   sizeof(hdr->sha256), err, err_size);
	ret = ret ?: header_string(obj, "dissector", hdr->dissector,
				   sizeof(hdr->dissector), err, err_size);
	ret = ret ?: header_lists(obj, hdr, err, err_size);
out:
	json_decref(obj);
	return ret;
}

/*
 * The header line: names are any bytes, written with U+FFFD where they
 * are not UTF-8 (utf8.h). 0 or -EIO.
 */
static int header_write(FILE *file, const struct golden_header *hdr)
{
	struct json_writer w;

	jw_init_file(&w, file, JW_COMPACT);
	jw_begin_object(&w);
	jw_uint_field(&w, "fdtest_golden", GOLDEN_FORMAT_VERSION);
	jw_string_field(&w, "capture", hdr->capture);
	jw_string_field(&w, "sha256", hdr->sha256);
	jw_string_field(&w, "dissector", hdr->dissector);
	jw_key(&w, "states");
	jw_begin_array(&w);
	for (int s = 0; s < FDTEST_STATE_NAMED; s++)
		if (hdr->states & (1u << s))
			jw_string(&w, fdtest_state_name(s));
	jw_end_array(&w);
	jw_key(&w, "in_flags");
	jw_begin_array(&w);
	for (size_t i = 0; i < hdr->n_flags; i++)
		jw_uint(&w, hdr->in_flags[i]);
	jw_end_array(&w);
	jw_end_object(&w);
	jw_line(&w);
	return jw_finish(&w) ? -EIO : 0;
}

/* ---- reader ----------------------------------------------------------- */

/*
 * Moves the unread bytes to the front and reads more after them. 0,
 * -EMSGSIZE when a line is longer than GOLDEN_LINE_MAX, or -errno.
 */
static int reader_fill(struct golden_reader *g)
{
	size_t left = g->end - g->start;
	size_t n;

	if (left > GOLDEN_LINE_MAX)
		return -EMSGSIZE;
	memmove(g->buf, g->buf + g->start, left);
	g->start = 0;
	g->end = left;
	errno = 0;
	n = fread(g->buf + g->end, 1, g->buf_size - g->end, g->file);
	g->end += n;
	if (n)
		return 0;
	if (ferror(g->file))
		return errno ? -errno : -EIO;
	g->eof = true;
	return 0;
}

/*
 * Reads the next non-blank line into *@line (NUL-terminated, in the
 * buffer, valid until the next call), its length without line end in
 * *@len; 1, 0 at EOF, or -errno.
 */
static int read_line(struct golden_reader *g, char **line, size_t *len)
{
	char *p, *nl;
	size_t n;
	int ret;

	for (;;) {
		p = g->buf + g->start;
		nl = memchr(p, '\n', g->end - g->start);
		if (nl) {
			n = (size_t)(nl - p);
			g->start += n + 1;
		} else if (g->eof) {
			/* the last line may lack its newline */
			n = g->end - g->start;
			if (!n)
				return 0;
			if (n > GOLDEN_LINE_MAX)
				return -EMSGSIZE;
			g->start = g->end;
		} else {
			ret = reader_fill(g);
			if (ret)
				return ret;
			continue;
		}
		if (n > GOLDEN_LINE_MAX)
			return -EMSGSIZE;
		g->line_no++;
		while (n > 0 && p[n - 1] == '\r')
			n--;
		p[n] = '\0';	/* the newline, a '\r', or the spare byte */
		if (n > 0) {
			*line = p;
			*len = n;
			return 1;
		}
	}
}

/* "line N: reason" for a failed read of line N. */
static void read_error(const struct golden_reader *g, int ret, char *err,
		       size_t err_size)
{
	if (ret == -EMSGSIZE)
		snprintf(err, err_size,
			 "line %zu: longer than %u bytes, more than any line fdtest writes: not a golden",
			 g->line_no + 1, GOLDEN_LINE_MAX);
	else
		snprintf(err, err_size, "line %zu: %s", g->line_no + 1,
			 strerror(-ret));
}

int golden_open(const char *path, struct golden_reader **out, char *err,
		size_t err_size)
{
	const char *kind;
	FILE *f;
	int ret;

	f = input_file_open(path, NULL, &kind);
	if (!f) {
		ret = -errno;
		if (kind)
			snprintf(err, err_size, "is %s, not a golden file",
				 kind);
		else
			snprintf(err, err_size, "%s", strerror(errno));
		return ret == -ENOENT || ret == -EISDIR ? ret : -EINVAL;
	}
	return golden_open_stream(f, out, err, err_size);
}

int golden_open_stream(FILE *f, struct golden_reader **out, char *err,
		       size_t err_size)
{
	struct golden_reader *g;
	char *line;
	size_t len;
	int ret;

	g = calloc(1, sizeof(*g));
	if (!g) {
		fclose(f);
		return -ENOMEM;
	}
	g->file = f;
	/* reads go straight into our buffer */
	setvbuf(g->file, NULL, _IONBF, 0);
	g->buf_size = READER_BUF_SIZE;
	g->buf = malloc(g->buf_size + 1);
	if (!g->buf) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = read_line(g, &line, &len);
	if (ret <= 0) {
		if (ret)
			read_error(g, ret, err, err_size);
		else
			snprintf(err, err_size, "empty file, no header line");
		ret = ret == -EMSGSIZE || !ret ? -EINVAL : ret;
		goto err_free;
	}
	ret = header_parse(line, len, &g->header, err, err_size);
	if (ret)
		goto err_free;
	*out = g;
	return 0;

err_free:
	golden_close(g);
	return ret;
}

const struct golden_header *golden_header(const struct golden_reader *g)
{
	return &g->header;
}

int golden_next_line(struct golden_reader *g, const char **line,
		     size_t *len, char *err, size_t err_size)
{
	char *p = NULL;
	int ret = read_line(g, &p, len);

	if (ret < 0)
		read_error(g, ret, err, err_size);
	*line = p;
	return ret == -EMSGSIZE ? -EINVAL : ret;
}

int golden_next(struct golden_reader *g, struct golden_line *exp, char *err,
		size_t err_size)
{
	const char *line;
	char why[256];
	size_t len;
	int ret;

	ret = golden_next_line(g, &line, &len, err, err_size);
	if (ret <= 0)
		return ret;
	if (keys_json_parse_golden(line, len, exp, why, sizeof(why))) {
		snprintf(err, err_size, "line %zu: %s", g->line_no, why);
		return -EINVAL;
	}
	return 1;
}

size_t golden_line(const struct golden_reader *g)
{
	return g->line_no;
}

void golden_close(struct golden_reader *g)
{
	if (!g)
		return;
	if (g->file)
		fclose(g->file);
	free(g->buf);
	free(g);
}

/* ---- writer ----------------------------------------------------------- */

/* mkdir -p for the folder that will hold @path. */
static int make_parent(const char *path)
{
	char *copy = strdup(path);
	char *dir;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	dir = dirname(copy);
	for (char *p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			ret = -errno;
			break;
		}
		*p = saved;
		if (!saved)
			break;
	}
	free(copy);
	return ret;
}

int golden_writer_open(const char *path, const struct golden_header *hdr,
		       struct golden_writer **out, char *err, size_t err_size)
{
	struct golden_writer *w;
	int ret;

	ret = make_parent(path);
	if (ret) {
		snprintf(err, err_size, "cannot make its folder: %s",
			 strerror(-ret));
		return ret;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, err_size, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = atomic_file_open(path, &w->af, err, err_size);
	if (ret) {
		free(w);
		return ret;
	}
	w->file = atomic_file_stream(w->af);
	if (header_write(w->file, hdr)) {
		golden_writer_abort(w);
		snprintf(err, err_size, "%s", strerror(EIO));
		return -EIO;
	}
	*out = w;
	return 0;
}

int golden_writer_add(struct golden_writer *w, const char *line)
{
	if (fputs(line, w->file) == EOF || fputc('\n', w->file) == EOF)
		return -errno ? -errno : -EIO;
	return 0;
}

struct atomic_file *golden_writer_finish(struct golden_writer *w)
{
	struct atomic_file *af = w->af;

	free(w);
	return af;
}

int golden_writer_commit(struct golden_writer *w)
{
	return atomic_file_commit(golden_writer_finish(w));
}

void golden_writer_abort(struct golden_writer *w)
{
	if (!w)
		return;
	atomic_file_abort(golden_writer_finish(w));
}

/* ---- capture hash ----------------------------------------------------- */

