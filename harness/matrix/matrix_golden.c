// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Per-kernel override goldens merged over the golden (see matrix_golden.h). */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/golden.h"
#include "check/golden_path.h"
#include "keys/keys_json.h"
#include "matrix/matrix_golden.h"
#include "util/input_file.h"

struct overlay {
	struct golden_line *lines;
	size_t n, cap;
};

static int expect_cmp(const void *a, const void *b)
{
	const struct golden_line *x = a, *y = b;
	int c = case_id_cmp(&x->id, &y->id);

	/* equal cases keep file order, so the later file can win below */
	return c ? c : (x < y ? -1 : 1);
}

static int overlay_read(struct overlay *ov, const char *path, char *err,
			size_t err_size)
{
	const char *kind;
	FILE *f = input_file_open(path, NULL, &kind);
	char line[GOLDEN_LINE_MAX + 2];
	size_t lineno = 0;
	size_t len;
	int ret = 0;

	if (!f) {
		ret = -errno;
		if (kind)
			snprintf(err, err_size,
				 "override '%s': is %s, not a golden file",
				 path, kind);
		else
			snprintf(err, err_size, "override '%s': %s", path,
				 strerror(errno));
		return ret;
	}
	/* bounded as goldens are (golden.h) */
	while (fgets(line, sizeof(line), f)) {
		char why[256];

		lineno++;
		len = strlen(line);
		if (len > GOLDEN_LINE_MAX && line[len - 1] != '\n') {
			snprintf(err, err_size,
				 "override '%s': line %zu: longer than %u bytes, more than any line fdtest writes",
				 path, lineno, GOLDEN_LINE_MAX);
			ret = -EINVAL;
			break;
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (!len)
			continue;
		if (ov->n == ov->cap) {
			size_t n = ov->cap ? 2 * ov->cap : 64;
			struct golden_line *p;

			p = realloc(ov->lines, n * sizeof(*p));
			if (!p) {
				ret = -ENOMEM;
				break;
			}
			ov->lines = p;
			ov->cap = n;
		}
		ret = keys_json_parse_golden(line, (size_t)len,
					     &ov->lines[ov->n], why,
					     sizeof(why));
		if (ret) {
			snprintf(err, err_size, "override '%s': line %zu: %s",
				 path, lineno, why);
			break;
		}
		ov->n++;
	}
	if (!ret && ferror(f)) {
		snprintf(err, err_size, "override '%s': %s", path,
			 strerror(EIO));
		ret = -EIO;
	}
	fclose(f);
	return ret;
}

/* Sorts into golden order; of two lines for one case the later stays. */
static void overlay_settle(struct overlay *ov)
{
	size_t out = 0;

	qsort(ov->lines, ov->n, sizeof(*ov->lines), expect_cmp);
	for (size_t i = 0; i < ov->n; i++) {
		if (i + 1 < ov->n &&
		    case_id_cmp(&ov->lines[i].id, &ov->lines[i + 1].id) == 0)
			continue;
		ov->lines[out++] = ov->lines[i];
	}
	ov->n = out;
}

/* Splits a golden's path into its folder and capture stem. */
static int golden_parts(const char *expected_dir, const char *dissector,
			const char *capture, char *folder, size_t folder_size,
			char *stem, size_t stem_size)
{
	char base[4096];
	const char *slash;
	int ret;

	ret = golden_path(base, sizeof(base), expected_dir, dissector,
			  capture);
	if (ret)
		return ret;
	slash = strrchr(base, '/');
	snprintf(folder, folder_size, "%.*s", (int)(slash - base), base);
	snprintf(stem, stem_size, "%.*s", (int)(strlen(slash + 1) - 5),
		 slash + 1);
	return 0;
}

/* "<stem>.json" or "<stem>@<range>.json"; *@range gets the range text. */
static bool golden_name_matches(const char *name, const char *stem,
				const char **range, size_t *range_len)
{
	size_t len = strlen(name), stem_len = strlen(stem);

	if (len < stem_len + 5 || strncmp(name, stem, stem_len) != 0 ||
	    strcmp(name + len - 5, ".json") != 0)
		return false;
	*range = NULL;
	*range_len = 0;
	if (len == stem_len + 5)
		return true;
	if (name[stem_len] != '@' || len < stem_len + 7)
		return false;
	*range = name + stem_len + 1;
	*range_len = len - stem_len - 6;
	return true;
}

int matrix_golden_files(const char *expected_dir, const char *dissector,
			const char *capture, char ***paths, size_t *n)
{
	char folder[4096], stem[1024];
	struct dirent **names;
	int count, ret;

	*paths = NULL;
	*n = 0;
	ret = golden_parts(expected_dir, dissector, capture, folder,
			   sizeof(folder), stem, sizeof(stem));
	if (ret)
		return ret;
	count = scandir(folder, &names, NULL, alphasort);
	if (count < 0)
		return errno == ENOENT ? 0 : -errno;
	*paths = calloc((size_t)count + 1, sizeof(**paths));
	for (int i = 0; i < count; i++) {
		const char *range;
		size_t range_len;

		if (*paths && !ret &&
		    golden_name_matches(names[i]->d_name, stem, &range,
					&range_len) &&
		    asprintf(&(*paths)[(*n)++], "%s/%s", folder,
			     names[i]->d_name) < 0)
			ret = -ENOMEM;
		free(names[i]);
	}
	free(names);
	if (!*paths)
		return -ENOMEM;
	if (ret) {
		matrix_golden_files_free(*paths, *n);
		*paths = NULL;
		*n = 0;
	}
	return ret;
}

void matrix_golden_files_free(char **paths, size_t n)
{
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

/* Reads every override whose range holds @k, in name order. */
static int overlay_collect(struct overlay *ov, char **paths, size_t n,
			   const char *stem, const struct matrix_kver *k,
			   char *err, size_t err_size)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = strrchr(paths[i], '/') + 1;
		struct matrix_krange range;
		const char *text;
		size_t len;
		int ret;

		golden_name_matches(name, stem, &text, &len);
		if (!text)
			continue;
		if (matrix_krange_parse(text, len, &range)) {
			snprintf(err, err_size,
				 "override '%s': '%.*s' is not a kernel range (like 5.10-6.0, 6.1-, -6.0 or 6.1)",
				 paths[i], (int)len, text);
			return -EINVAL;
		}
		if (!matrix_krange_has(&range, k))
			continue;
		ret = overlay_read(ov, paths[i], err, err_size);
		if (ret)
			return ret;
	}
	return 0;
}

static int merged_add(struct golden_writer *w, const struct golden_line *e)
{
	char line[KEYS_JSON_LINE_MAX];
	int ret = keys_json_format_golden(line, sizeof(line), e);

	return ret < 0 ? ret : golden_writer_add(w, line);
}

/* Writes the golden at @base with @ov laid over it to @out. */
static int merge_write(const char *base, const char *out,
		       const struct overlay *ov, char *err, size_t err_size)
{
	struct golden_reader *g;
	struct golden_writer *w;
	struct golden_line exp;
	size_t o = 0;
	char why[256];
	int more, ret;

	ret = golden_open(base, &g, why, sizeof(why));
	if (ret) {
		snprintf(err, err_size,
			 ret == -ENOENT ? "golden '%s': overrides apply but there is no golden" :
					  "golden '%s': %s", base, why);
		return ret;
	}
	ret = golden_writer_open(out, golden_header(g), &w, why, sizeof(why));
	if (ret) {
		snprintf(err, err_size, "'%s': %s", out, why);
		goto out_close;
	}
	while ((more = golden_next(g, &exp, why, sizeof(why))) == 1) {
		while (!ret && o < ov->n &&
		       case_id_cmp(&ov->lines[o].id, &exp.id) < 0)
			ret = merged_add(w, &ov->lines[o++]);
		if (!ret && o < ov->n &&
		    case_id_cmp(&ov->lines[o].id, &exp.id) == 0)
			ret = merged_add(w, &ov->lines[o++]);
		else if (!ret)
			ret = merged_add(w, &exp);
		if (ret)
			break;
	}
	if (more < 0) {
		snprintf(err, err_size, "golden '%s': %s", base, why);
		golden_writer_abort(w);
		ret = more;
		goto out_close;
	}
	while (!ret && o < ov->n)
		ret = merged_add(w, &ov->lines[o++]);
	if (ret) {
		golden_writer_abort(w);
	} else {
		ret = golden_writer_commit(w);
	}
	if (ret)
		snprintf(err, err_size, "'%s': %s", out, strerror(-ret));
out_close:
	golden_close(g);
	return ret;
}

int matrix_golden_for_kernel(const char *expected_dir, const char *tmp_dir,
			     const char *dissector, const char *capture,
			     const struct matrix_kver *k, const char **dir,
			     char *err, size_t err_size)
{
	struct overlay ov = { 0 };
	char base[4096], out[4096], folder[4096], stem[1024];
	char **paths;
	size_t n;
	int ret;

	*dir = expected_dir;
	ret = golden_parts(expected_dir, dissector, capture, folder,
			   sizeof(folder), stem, sizeof(stem));
	ret = ret ?: golden_path(base, sizeof(base), expected_dir,
				 dissector, capture);
	ret = ret ?: golden_path(out, sizeof(out), tmp_dir, dissector,
				 capture);
	ret = ret ?: matrix_golden_files(expected_dir, dissector, capture,
					 &paths, &n);
	if (ret) {
		snprintf(err, err_size, "goldens of '%s' for '%s': %s",
			 capture, dissector, strerror(-ret));
		return ret;
	}
	ret = overlay_collect(&ov, paths, n, stem, k, err, err_size);
	if (ret || ov.n == 0)
		goto out_free;
	overlay_settle(&ov);
	ret = merge_write(base, out, &ov, err, err_size);
	if (!ret)
		*dir = tmp_dir;
out_free:
	free(ov.lines);
	matrix_golden_files_free(paths, n);
	return ret;
}
