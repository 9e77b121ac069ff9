// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Goldens recorded in the matrix's kernels, written out (see matrix_update.h). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "check/compare.h"
#include "check/golden_path.h"
#include "keys/keys_json.h"
#include "matrix/matrix_kver.h"
#include "matrix/matrix_update.h"
#include "util/atomic_file.h"
#include "util/utf8.h"

#define UPDATE_FILES_MAX 4096	/* goldens and overrides in one update */

struct update_files {
	struct atomic_file *af[UPDATE_FILES_MAX];
	size_t n;
	char *gone[UPDATE_FILES_MAX];	/* old overrides to remove */
	size_t n_gone;
	char *made[UPDATE_FILES_MAX];	/* folders made, removed on failure */
	size_t n_made;
};

/*
 * A golden's text cut into lines (in place): [0] is the header. A base
 * golden also has its lines parsed, sorted by case (@exp).
 */
struct golden_text {
	char *buf;
	char **line;
	size_t n;
	struct golden_line *exp;	/* n - 1 of them, or NULL */
};

static void golden_text_free(struct golden_text *t)
{
	free(t->buf);
	free(t->line);
	free(t->exp);
}

static int golden_text_cut(const char *text, struct golden_text *t)
{
	size_t cap = 0;

	memset(t, 0, sizeof(*t));
	t->buf = strdup(text);
	if (!t->buf)
		return -ENOMEM;
	for (char *save = NULL, *l = strtok_r(t->buf, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (t->n == cap) {
			char **grown;

			cap = cap ? 2 * cap : 256;
			grown = realloc(t->line, cap * sizeof(*grown));
			if (!grown) {
				golden_text_free(t);
				return -ENOMEM;
			}
			t->line = grown;
		}
		t->line[t->n++] = l;
	}
	return t->n ? 0 : -EINVAL;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_exp(const void *a, const void *b)
{
	return case_id_cmp(&((const struct golden_line *)a)->id,
			   &((const struct golden_line *)b)->id);
}

/* The base's lines parsed and sorted by case, its texts sorted too. */
static int base_index(struct golden_text *t, char *err, size_t err_size)
{
	char why[256];

	t->exp = calloc(t->n, sizeof(*t->exp));
	if (!t->exp)
		return -ENOMEM;
	for (size_t i = 1; i < t->n; i++)
		if (keys_json_parse_golden(t->line[i], strlen(t->line[i]),
					   &t->exp[i - 1], why, sizeof(why))) {
			snprintf(err, err_size, "a recorded line: %s", why);
			return -EINVAL;
		}
	qsort(t->exp, t->n - 1, sizeof(*t->exp), cmp_exp);
	qsort(t->line + 1, t->n - 1, sizeof(char *), cmp_line);
	return 0;
}

/*
 * Whether the base's line for the case of @line already holds for it:
 * the same text, or a line that compares equal (a kernel before 6.1
 * says only "!BPF_OK" where a later one says BPF_DROP, and the golden
 * of either fits both, as in every check).
 */
static bool base_holds(const struct golden_text *base, char *line)
{
	struct diff d[COMPARE_DIFFS_MAX];
	const struct golden_line *b;
	struct golden_line r;
	char why[256];

	if (bsearch(&line, base->line + 1, base->n - 1, sizeof(char *),
		    cmp_line))
		return true;
	if (keys_json_parse_golden(line, strlen(line), &r, why, sizeof(why)))
		return false;
	b = bsearch(&r, base->exp, base->n - 1, sizeof(*base->exp), cmp_exp);
	return b && r.has_ret &&
	       compare_golden(b, r.ret, &r.keys, d, COMPARE_DIFFS_MAX) == 0;
}

/*
 * Whether @shown, a name as a result shows it (JSON: bytes that are not
 * UTF-8 replaced, utf8.h), is the local name @name.
 */
static bool name_is(const char *shown, const char *name)
{
	json_t *j = utf8_json_string(name);
	bool same = j && strcmp(shown, json_string_value(j)) == 0;

	json_decref(j);
	return same;
}

static bool name_in(const char *shown, const char *const *list, size_t n,
		    bool by_file_name)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = list[i], *slash = strrchr(s, '/');

		if (by_file_name && slash)
			s = slash + 1;
		if (name_is(shown, s))
			return true;
	}
	return false;
}

/* The text row @r recorded for @dissector and @capture, or NULL. */
static const char *row_golden(const struct matrix_row *r,
			      const char *dissector, const char *capture)
{
	const json_t *g, *all = json_object_get(r->result, "goldens");
	size_t i;

	json_array_foreach(all, i, g) {
		const char *d = json_string_value(json_object_get(g,
							"dissector"));
		const char *c = json_string_value(json_object_get(g,
							"capture"));

		if (d && c && name_is(d, dissector) && name_is(c, capture))
			return json_string_value(json_object_get(g, "text"));
	}
	return NULL;
}

/* Every golden a row holds names a dissector and capture of the suite. */
static int rows_check(const struct matrix_update *u,
		      const struct matrix_row *rows, size_t n, char *err,
		      size_t err_size)
{
	for (size_t r = 0; r < n; r++) {
		const json_t *g, *all = json_object_get(rows[r].result,
							"goldens");
		size_t i;

		json_array_foreach(all, i, g) {
			const char *d = json_string_value(
					json_object_get(g, "dissector"));
			const char *c = json_string_value(
					json_object_get(g, "capture"));

			if (!d || !c || !json_is_string(json_object_get(g,
								"text")) ||
			    strchr(d, '/') || strchr(c, '/') ||
			    !name_in(d, u->dissectors, u->n_dissectors,
				     false) ||
			    !name_in(c, u->captures, u->n_captures, true)) {
				snprintf(err, err_size,
					 "row '%s': a recorded golden names no dissector and capture of this suite",
					 rows[r].label);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int file_add(struct update_files *f, const char *path,
		    const char *const *line, size_t n, char *err,
		    size_t err_size)
{
	struct atomic_file *af;
	FILE *s;
	int ret;

	for (size_t i = 0; i < f->n; i++)
		if (strcmp(atomic_file_path(f->af[i]), path) == 0) {
			/* two kernels of one series: which one holds? */
			snprintf(err, err_size,
				 "'%s' would be written twice: boot one kernel of a series",
				 path);
			return -EEXIST;
		}
	if (f->n == UPDATE_FILES_MAX) {
		snprintf(err, err_size, "more than %d files in one update",
			 UPDATE_FILES_MAX);
		return -E2BIG;
	}
	ret = atomic_file_open(path, &af, err, err_size);
	if (ret)
		return ret;
	s = atomic_file_stream(af);
	for (size_t i = 0; i < n; i++)
		fprintf(s, "%s\n", line[i]);
	f->af[f->n++] = af;
	return 0;
}

/* <expected>/<dissector>/real/, made if missing. */
static int real_folder(const char *expected, const char *dissector,
		       struct update_files *f, char *err, size_t err_size)
{
	char dir[PATH_MAX];

	for (int level = 0; level < 2; level++) {
		snprintf(dir, sizeof(dir), level ? "%s/%s/real" : "%s/%s",
			 expected, dissector);
		if (!mkdir(dir, 0755)) {
			if (f->n_made < UPDATE_FILES_MAX &&
			    !(f->made[f->n_made++] = strdup(dir)))
				return -ENOMEM;
		} else if (errno != EEXIST) {
			snprintf(err, err_size, "'%s': %s", dir,
				 strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* "<expected>/<D>/real/<stem>.json", or with "@SERIES" before ".json". */
static int real_path(char *buf, size_t size, const char *expected,
		     const char *dissector, const char *capture,
		     const char *series)
{
	char dir[PATH_MAX];
	size_t len;
	int ret;

	snprintf(dir, sizeof(dir), "%s/%s", expected, dissector);
	ret = golden_path(buf, size, dir, "real", capture);
	if (ret || !series)
		return ret;
	len = strlen(buf) - strlen(".json");
	ret = snprintf(buf + len, size - len, "@%s.json", series);
	return ret < 0 || (size_t)ret >= size - len ? -ENAMETOOLONG : 0;
}

/* The lines of @t past its header that @base does not hold, in order. */
static size_t lines_beyond(const struct golden_text *base,
			   const struct golden_text *t, char **out)
{
	size_t n = 0;

	for (size_t i = 1; i < t->n; i++)
		if (!base_holds(base, t->line[i]))
			out[n++] = t->line[i];
	return n;
}

/* One row's override of one golden, or its old override gone. */
static int override_add(const struct matrix_update *u,
			const struct matrix_row *r, const char *dissector,
			const char *capture, const struct golden_text *base,
			const char *text, struct update_files *f, FILE *out,
			char *err, size_t err_size)
{
	const char *release = json_string_value(json_object_get(r->result,
								"kernel"));
	struct golden_text t;
	struct matrix_kver v;
	char series[32], path[PATH_MAX], **extra;
	struct stat st;
	size_t n;
	int ret;

	if (!release || matrix_kver_parse(release, &v)) {
		snprintf(err, err_size, "row '%s': no kernel version",
			 r->label);
		return -EINVAL;
	}
	snprintf(series, sizeof(series), "%u.%u", v.major, v.minor);
	ret = golden_text_cut(text, &t);
	if (ret)
		goto out_err;
	if (strcmp(t.line[0], base->line[0])) {
		snprintf(err, err_size,
			 "row '%s': the golden of '%s' for '%s' has another header than the first kernel's",
			 r->label, capture, dissector);
		golden_text_free(&t);
		return -EINVAL;
	}
	extra = calloc(t.n, sizeof(*extra));
	ret = extra ? real_path(path, sizeof(path), u->expected_dir,
				dissector, capture, series) : -ENOMEM;
	if (ret)
		goto out_free;
	n = lines_beyond(base, &t, extra);
	if (n) {
		ret = file_add(f, path, (const char *const *)extra, n, err,
			       err_size);
		if (!ret)
			fprintf(out, "matrix: %s: %zu line%s of %s\n", path, n,
				n == 1 ? "" : "s", release);
	} else if (!lstat(path, &st) && S_ISREG(st.st_mode) &&
		   f->n_gone < UPDATE_FILES_MAX) {
		/* the kernel agrees now: its old override would mislead */
		f->gone[f->n_gone] = strdup(path);
		ret = f->gone[f->n_gone] ? 0 : -ENOMEM;
		f->n_gone += !ret;
	}
out_free:
	free(extra);
	golden_text_free(&t);
out_err:
	if (ret && !err[0])
		snprintf(err, err_size, "'%s' for '%s': %s", capture,
			 dissector, strerror(-ret));
	return ret;
}

/* The golden of one dissector and capture, and every row's override. */
static int pair_write(const struct matrix_update *u,
		      const struct matrix_row *rows, size_t n,
		      const char *dissector, const char *capture,
		      struct update_files *f, FILE *out, char *err,
		      size_t err_size)
{
	struct golden_text base = { 0 };
	char path[PATH_MAX];
	size_t r = 0;
	const char *text = NULL;
	int ret;

	while (r < n && !(text = row_golden(&rows[r], dissector, capture)))
		r++;
	if (!text)
		return 0;
	ret = golden_text_cut(text, &base);
	ret = ret ?: real_folder(u->expected_dir, dissector, f, err,
				 err_size);
	ret = ret ?: real_path(path, sizeof(path), u->expected_dir,
			       dissector, capture, NULL);
	ret = ret ?: file_add(f, path, (const char *const *)base.line,
			      base.n, err, err_size);
	if (!ret)
		fprintf(out, "matrix: %s: %zu lines of %s\n", path,
			base.n - 1, json_string_value(json_object_get(
					rows[r].result, "kernel")));
	ret = ret ?: base_index(&base, err, err_size);
	for (size_t i = r + 1; i < n && !ret; i++) {
		text = row_golden(&rows[i], dissector, capture);
		if (text)
			ret = override_add(u, &rows[i], dissector, capture,
					   &base, text, f, out, err,
					   err_size);
	}
	golden_text_free(&base);
	if (ret && !err[0])
		snprintf(err, err_size, "'%s' for '%s': %s", capture,
			 dissector, strerror(-ret));
	return ret ? ret : 1;
}

int matrix_update_write(const struct matrix_update *u,
			const struct matrix_row *rows, size_t n, FILE *out,
			char *err, size_t err_size)
{
	static struct update_files f;	/* 64 KiB: not on the stack */
	int ret, written = 0;

	memset(&f, 0, sizeof(f));
	err[0] = '\0';
	ret = rows_check(u, rows, n, err, err_size);
	for (size_t d = 0; d < u->n_dissectors && !ret; d++)
		for (size_t c = 0; c < u->n_captures && !ret; c++) {
			const char *cap = strrchr(u->captures[c], '/');

			ret = pair_write(u, rows, n, u->dissectors[d],
					 cap ? cap + 1 : u->captures[c], &f,
					 out, err, err_size);
			if (ret > 0)
				written++;
			ret = ret < 0 ? ret : 0;
		}
	if (ret) {
		for (size_t i = 0; i < f.n; i++)
			atomic_file_abort(f.af[i]);
	} else {
		ret = atomic_file_commit_all(f.af, f.n);
		if (ret)
			snprintf(err, err_size, "writing the goldens: %s",
				 strerror(-ret));
	}
	/* nothing written leaves no folder behind either (empty: rmdir) */
	for (size_t i = f.n_made; i-- > 0;) {
		if (ret && f.made[i])
			rmdir(f.made[i]);
		free(f.made[i]);
	}
	for (size_t i = 0; i < f.n_gone; i++) {
		if (!ret && unlink(f.gone[i]) == 0)
			fprintf(out, "matrix: %s: removed, the kernel agrees with the golden now\n",
				f.gone[i]);
		free(f.gone[i]);
	}
	return ret ? ret : written;
}
