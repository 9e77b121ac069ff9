// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The suite one kernel runs for the matrix (see matrix_suite.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/libbpf.h>

#include "log.h"
#include "matrix_golden.h"
#include "matrix_kver.h"
#include "matrix_probe.h"
#include "matrix_suite.h"
#include "replay.h"

/* libbpf's output while one object loads, for the verifier's reason. */
static char load_log[65536];
static size_t load_log_len;

static int load_log_print(enum libbpf_print_level level, const char *fmt,
			  va_list ap)
{
	size_t room = sizeof(load_log) - load_log_len;
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(load_log + load_log_len, room, fmt, copy);
	va_end(copy);
	if (n > 0)
		load_log_len += (size_t)n < room ? (size_t)n : room - 1;
	/* the log stays readable with -v, as in fdtest run */
	if (log_get_level() >= LOG_DEBUG &&
	    (level != LIBBPF_DEBUG || log_get_level() >= LOG_TRACE))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static bool is_stats_line(const char *p, size_t n)
{
	static const char *const stats[] = {
		"processed ", "verification time", "stack depth",
	};

	for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++)
		if (n >= strlen(stats[i]) &&
		    strncmp(p, stats[i], strlen(stats[i])) == 0)
			return true;
	return false;
}

/*
 * The verifier says why it refused on the last line before its
 * statistics; the lines above trace the instructions it walked.
 */
static void verifier_reason(char *out, size_t size)
{
	const char *begin = strstr(load_log, "-- BEGIN PROG LOAD LOG --");
	const char *end, *line, *pick = NULL;
	size_t pick_len = 0;

	out[0] = '\0';
	if (!begin || !(begin = strchr(begin, '\n')))
		return;
	begin++;
	end = strstr(begin, "-- END PROG LOAD LOG --");
	if (!end)
		end = load_log + load_log_len;
	for (line = begin; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t n = (size_t)((eol ? eol : end) - line);

		if (n && !is_stats_line(line, n)) {
			pick = line;
			pick_len = n;
		}
		line = eol ? eol + 1 : end;
	}
	if (pick)
		snprintf(out, size, "%.*s", (int)pick_len, pick);
}

void matrix_suite_object_name(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 6 && strcmp(base + n - 6, ".bpf.o") == 0)
		n -= 6;
	else if (n > 2 && strcmp(base + n - 2, ".o") == 0)
		n -= 2;
	snprintf(out, size, "%.*s", (int)n, base);
}

struct suite_ctx {
	const struct matrix_suite *s;
	struct testrun_kernel kernel;
	struct matrix_features features;
	struct matrix_kver kver;
	bool kver_known;
};

static const struct reporter_ops report_none_ops = { .name = "none" };

static void replay_all(const struct suite_ctx *c, struct dissector *dis,
		       struct report_counts *total, int *errors, char *reason,
		       size_t reason_size)
{
	struct report rep = { .ops = &report_none_ops };
	struct replay_opts ro = {
		.states = FDTEST_STATES_ALL,
		.n_flags = FDTEST_FLAGS_KNOWN + 1,
		.consistency = true,
		.kernel = &c->kernel,
	};
	char err[1024];

	for (uint32_t f = 0; f <= FDTEST_FLAGS_KNOWN; f++)
		ro.flags[f] = f;
	for (size_t i = 0; i < c->s->n_captures; i++) {
		struct report_counts counts = { 0 };
		const char *cap = c->s->captures[i];
		int ret;

		ret = matrix_golden_for_kernel(c->s->expected_dir,
					       c->s->tmp_dir,
					       dissector_name(dis), cap,
					       &c->kver, &ro.expected_dir,
					       err, sizeof(err));
		ret = ret ?: replay_capture(&ro, dis, cap, &rep, &counts, err,
					    sizeof(err));
		if (ret) {
			if (!(*errors)++)
				snprintf(reason, reason_size, "%s", err);
			continue;
		}
		report_counts_add(total, &counts);
	}
}

static json_t *suite_dissector(const struct suite_ctx *c, const char *path)
{
	struct report_counts total = { 0 };
	struct matrix_kver min;
	struct dissector *dis = NULL;
	char name[256], reason[1024] = "", min_text[16] = "";
	const char *load = "loaded";
	libbpf_print_fn_t prev;
	int has_min, errors = 0, ret;

	matrix_suite_object_name(path, name, sizeof(name));
	has_min = matrix_kver_min_of(path, &min);
	if (has_min == 1)
		snprintf(min_text, sizeof(min_text), "%u.%u", min.major,
			 min.minor);
	if (c->features.test_run != 1) {
		load = "error";
		snprintf(reason, sizeof(reason),
			 "this kernel cannot test-run flow dissectors");
		goto out;
	}
	load_log_len = 0;
	load_log[0] = '\0';
	prev = libbpf_set_print(load_log_print);
	ret = dissector_load(path, NULL, &dis, reason, sizeof(reason));
	libbpf_set_print(prev);
	if (ret) {
		char why[512];

		load = ret == -EACCES ? "rejected" : "error";
		if (ret == -EACCES) {
			verifier_reason(why, sizeof(why));
			if (why[0])
				snprintf(reason, sizeof(reason), "%s", why);
		}
		/* below its declared minimum a refusal is expected */
		if (has_min == 1 && c->kver_known &&
		    matrix_kver_cmp(&c->kver, &min) < 0)
			load = "skipped";
	} else {
		replay_all(c, dis, &total, &errors, reason, sizeof(reason));
		dissector_close(dis);
	}
out:
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:i}",
			 "name", name, "load", load, "reason", reason,
			 "min_kernel", min_text,
			 "cases", (json_int_t)total.cases,
			 "passed", (json_int_t)total.passed,
			 "failed", (json_int_t)(total.failed + total.stale),
			 "unchecked", (json_int_t)total.unchecked,
			 "errors", errors);
}

static json_t *features_json(const struct matrix_features *f)
{
	json_t *obj = json_object();

	for (int i = 0; obj && i < MATRIX_FEATURES; i++)
		if (json_object_set_new(obj, matrix_feature_names[i],
				json_integer(matrix_feature_get(f, i)))) {
			json_decref(obj);
			return NULL;
		}
	return obj;
}

int matrix_suite_run(const struct matrix_suite *s, json_t **out)
{
	struct suite_ctx c = { .s = s };
	struct utsname uts;
	json_t *root, *list;
	int ret;

	if (uname(&uts))
		snprintf(uts.release, sizeof(uts.release), "unknown");
	c.kver_known = matrix_kver_parse(uts.release, &c.kver) == 0;
	ret = matrix_probe_run(&c.features, &c.kernel);
	if (ret)
		return ret;
	list = json_array();
	root = json_pack("{s:s, s:o, s:o}", "kernel", uts.release,
			 "features", features_json(&c.features),
			 "dissectors", list);
	if (!root)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_dissectors; i++) {
		json_t *d = suite_dissector(&c, s->dissectors[i]);

		if (!d || json_array_append_new(list, d)) {
			json_decref(root);
			return -ENOMEM;
		}
	}
	*out = root;
	return 0;
}

bool matrix_suite_failed(const json_t *result)
{
	const json_t *d;
	size_t i;

	if (json_integer_value(json_object_get(
		    json_object_get(result, "features"), "test_run")) != 1)
		return true;
	json_array_foreach(json_object_get(result, "dissectors"), i, d) {
		const char *load =
			json_string_value(json_object_get(d, "load"));

		if (!load ||
		    (strcmp(load, "loaded") && strcmp(load, "skipped")))
			return true;
		if (json_integer_value(json_object_get(d, "failed")) ||
		    json_integer_value(json_object_get(d, "errors")))
			return true;
	}
	return false;
}
