// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The suite one kernel runs for the matrix (see matrix_suite.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "check/golden_path.h"
#include "check/kernel_dissector.h"
#include "check/real_golden.h"
#include "check/realpath_check.h"
#include "matrix/matrix_golden.h"
#include "matrix/matrix_kver.h"
#include "matrix/matrix_suite.h"
#include "probe/probe.h"
#include "replay/replay.h"
#include "util/atomic_file.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/utf8.h"

struct suite_ctx {
	const struct matrix_suite *s;
	struct testrun_kernel kernel;
	struct probe_results features;
	struct matrix_kver kver;
	bool kver_known;
	struct realpath *real;	/* with s->real_path, when it opened */
	int real_err;
	char real_why[512];
	json_t *goldens;	/* with s->update_real: the recorded ones */
};

/* Where the real goldens are recorded with update_real, in tmp_dir. */
#define SUITE_UPDATE_DIR ".real-update"

/* One dissector's real cases over the captures, against the goldens. */
struct suite_real {
	struct real_golden rg;
	uint32_t last_frame;
	long long cases, passed, failed, unchecked, stale, recorded;
	char first[1024];	/* the first golden difference */
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
		ret = ret ?: replay_capture(&ro, dis, cap, NULL, &rep, &counts,
					    err, sizeof(err));
		if (ret) {
			if (!(*errors)++)
				snprintf(reason, reason_size, "%s", err);
			continue;
		}
		report_counts_add(total, &counts);
	}
}

/*
 * The kernel's C dissector against @dis over every capture, as a
 * "kernel" object: {"frames","cases","differ","unseen",
 * "classes":{"rx-rps n_proto":{"cases":N,"first":"id"},...}}. It tells,
 * it does not judge: a BPF dissector may differ from the kernel's.
 */
static json_t *kernel_all(const struct suite_ctx *c, struct dissector *dis)
{
	static struct kernel_diff_counts total;
	json_t *classes = json_object();
	struct kernel_watch *kw;
	char err[512] = "";

	/* watched only now: a kprobe on every dissection costs the rest */
	if (kernel_watch_open(c->real, &kw, err, sizeof(err))) {
		json_decref(classes);
		return json_pack("{s:o}", "error", utf8_json_string(err));
	}
	memset(&total, 0, sizeof(total));
	for (size_t i = 0; i < c->s->n_captures && !err[0]; i++)
		kernel_diff_capture(c->real, kw, dis, &c->kernel,
				    c->s->captures[i], NULL, NULL, &total, err,
				    sizeof(err));
	kernel_watch_close(kw);
	if (err[0]) {
		json_decref(classes);
		return json_pack("{s:o}", "error", utf8_json_string(err));
	}
	for (size_t i = 0; classes && i < total.n_cls; i++)
		json_object_set_new(classes, total.cls[i].name,
				    json_pack("{s:I, s:o}", "cases",
					      (json_int_t)total.cls[i].cases,
					      "first", utf8_json_string(
							total.cls[i].first)));
	return json_pack("{s:I, s:I, s:I, s:I, s:o}",
			 "frames", (json_int_t)total.frames,
			 "cases", (json_int_t)total.cases,
			 "differ", (json_int_t)total.differ,
			 "unseen", (json_int_t)total.unseen,
			 "classes", classes);
}

/* realpath_frame_fn: each case to its golden; counted, not reported. */
static int suite_real_frame(void *ctx, uint32_t frame,
			    struct case_result *cases, size_t n, char *err,
			    size_t err_size)
{
	struct suite_real *sr = ctx;
	int ret;

	sr->last_frame = frame;
	for (size_t i = 0; i < n; i++) {
		struct case_result *c = &cases[i];
		size_t twin = c->n_diffs;
		char name[160];

		ret = real_golden_case(&sr->rg, c, err, err_size);
		if (ret)
			return ret;
		sr->cases++;
		sr->recorded += sr->rg.update;
		sr->unchecked += c->no_golden;
		/* the test run's differences are counted as "differ" */
		if (c->n_diffs > twin) {
			const struct diff *d = &c->diffs[twin];

			sr->failed++;
			if (sr->first[0])
				continue;
			report_case_name(name, sizeof(name), sr->rg.capture,
					 &c->id);
			snprintf(sr->first, sizeof(sr->first),
				 "%s: %s: golden %s, real %s", name, d->field,
				 d->expected, d->actual);
		} else if (!c->no_golden && !sr->rg.update) {
			sr->passed++;
		}
	}
	return 0;
}

/* The recorded golden at @path into the result's "goldens". */
static int suite_keep_golden(const struct suite_ctx *c, const char *path,
			     const char *dissector, const char *capture,
			     char *err, size_t err_size)
{
	const char *base = strrchr(capture, '/');
	json_t *text, *entry;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");
	FILE *m;
	int ch, ret = 0;

	if (!f) {
		snprintf(err, err_size, "golden '%s': %s", path,
			 strerror(errno));
		return -errno;
	}
	m = open_memstream(&buf, &len);
	while (m && (ch = getc(f)) != EOF)
		putc(ch, m);
	if (!m || ferror(f) || fclose(m)) {
		ret = -EIO;
		snprintf(err, err_size, "golden '%s': cannot read it back",
			 path);
	}
	fclose(f);
	/* names and text may be any bytes: the JSON holds them as UTF-8 */
	text = ret ? NULL : utf8_json_string(buf);
	entry = text ? json_pack("{s:o, s:o, s:o}",
				 "dissector", utf8_json_string(dissector),
				 "capture", utf8_json_string(
					base ? base + 1 : capture),
				 "text", text) : NULL;
	free(buf);
	if (!ret && (!entry || json_array_append_new(c->goldens, entry))) {
		snprintf(err, err_size, "%s", strerror(ENOMEM));
		ret = -ENOMEM;
	}
	return ret;
}

/*
 * The real golden of @name over @cap, opened in @sr: this kernel's
 * (merged with its overrides, as test-run goldens are), or with
 * update_real one to record inside tmp_dir.
 */
static int suite_real_open(const struct suite_ctx *c, const char *name,
			   const char *cap, struct suite_real *sr,
			   char *err, size_t err_size)
{
	const struct verdict_rules rules = { .update = c->s->update_real };
	char dir[4096], tmp[4096], path[4096], sha[65];
	const char *at;
	int ret;

	ret = sha256_file(cap, sha);
	if (ret) {
		snprintf(err, err_size, "capture '%s': %s", cap,
			 strerror(-ret));
		return ret;
	}
	if (c->s->update_real) {
		snprintf(dir, sizeof(dir), "%s/" SUITE_UPDATE_DIR,
			 c->s->tmp_dir);
		ret = golden_path_real(path, sizeof(path), dir, name, cap);
	} else {
		/* <expected>/<name>/real/ holds them, as a dissector "real" */
		snprintf(dir, sizeof(dir), "%s/%s", c->s->expected_dir, name);
		snprintf(tmp, sizeof(tmp), "%s/%s", c->s->tmp_dir, name);
		ret = matrix_golden_for_kernel(dir, tmp, "real", cap,
					       &c->kver, &at, err, err_size);
		if (ret)
			return ret;
		ret = golden_path(path, sizeof(path), at, "real", cap);
	}
	if (ret) {
		snprintf(err, err_size, "capture '%s': real golden path: %s",
			 cap, strerror(-ret));
		return ret;
	}
	return real_golden_open(&sr->rg, path, name, cap, sha, &rules, err,
				err_size);
}

/* After a capture: the golden's end; a recorded one is kept. */
static int suite_real_end(const struct suite_ctx *c, const char *name,
			  const char *cap, struct suite_real *sr, char *err,
			  size_t err_size)
{
	struct atomic_file *af;
	int ret = real_golden_end(&sr->rg, sr->last_frame, &af, err,
				  err_size);

	sr->stale += sr->rg.gc.stale;
	if (ret || !af)
		return ret;
	ret = atomic_file_commit(af);
	if (ret) {
		snprintf(err, err_size, "golden '%s': %s", sr->rg.path,
			 strerror(-ret));
		return ret;
	}
	return suite_keep_golden(c, sr->rg.path, name, cap, err, err_size);
}

/* The golden counts of a "real" object. */
static int real_golden_json(json_t *r, const struct suite_real *sr)
{
	if (!r)
		return -ENOMEM;
	if (sr->recorded)
		return json_object_set_new(r, "recorded",
					   json_integer(sr->recorded));
	return json_object_set_new(r, "passed", json_integer(sr->passed)) ||
	       json_object_set_new(r, "failed", json_integer(sr->failed)) ||
	       json_object_set_new(r, "unchecked",
				   json_integer(sr->unchecked)) ||
	       json_object_set_new(r, "stale", json_integer(sr->stale)) ||
	       json_object_set_new(r, "golden_first",
				   utf8_json_string(sr->first)) ? -ENOMEM : 0;
}

static json_t *real_refused(const struct suite_ctx *c)
{
	return json_pack("{s:o}", dissector_err_is_env(c->real_err) ||
			 c->real_err == -EOPNOTSUPP ? "refused" : "error",
			 utf8_json_string(c->real_why));
}

/* The real path over every capture, as a "real" object. */
static json_t *real_all(const struct suite_ctx *c, struct dissector *dis)
{
	struct realpath_counts total = { 0 };
	char first[1024] = "", err[1024] = "";
	struct suite_real *sr;
	json_t *triggers, *r;

	if (!c->real)
		return real_refused(c);
	sr = calloc(1, sizeof(*sr));
	if (!sr)
		return NULL;
	for (size_t i = 0; i < c->s->n_captures && !err[0]; i++) {
		struct realpath_counts counts = { 0 };
		const char *cap = c->s->captures[i];

		memset(&sr->rg, 0, sizeof(sr->rg));
		sr->last_frame = 0;
		if (suite_real_open(c, dissector_name(dis), cap, sr, err,
				    sizeof(err)) == 0 &&
		    realpath_check_capture(c->real, dis, &c->kernel, cap,
					   NULL, suite_real_frame, sr,
					   &counts, first, sizeof(first), err,
					   sizeof(err)) == 0 &&
		    suite_real_end(c, dissector_name(dis), cap, sr, err,
				   sizeof(err)) == 0)
			realpath_counts_add(&total, &counts);
		real_golden_close(&sr->rg);
	}
	if (err[0]) {
		free(sr);
		return json_pack("{s:o}", "error", utf8_json_string(err));
	}
	triggers = json_object();
	for (int t = 0; triggers && t < REALPATH_TRIGGERS; t++)
		json_object_set_new(triggers, realpath_trigger_name(t),
				    json_integer((json_int_t)total.seen[t]));
	/* a capture's name, in "first", may be any bytes */
	r = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:I, s:I}",
		      "frames", (json_int_t)total.frames,
		      "cases", (json_int_t)total.cases,
		      "agree", (json_int_t)total.agree,
		      "differ", (json_int_t)total.differ,
		      "unseen", (json_int_t)total.unseen,
		      "lost", (json_int_t)total.lost,
		      "triggers", triggers, "first", utf8_json_string(first),
		      "kernel", kernel_all(c, dis),
		      /* speed (make bench): wall clock, mean per frame */
		      "send_ns", (json_int_t)(total.frames ?
			     total.send_ns / total.frames : 0),
		      "testrun_ns", (json_int_t)(total.testruns ?
			     total.testrun_ns / total.testruns : 0));
	if (real_golden_json(r, sr)) {
		json_decref(r);
		r = NULL;
	}
	free(sr);
	return r;
}

/*
 * The kernel's C dissector as a dissector of the suite: its real path
 * alone, each capture through lo with nothing attached, its cases held
 * to expected/kernel/real/ (kernel_dissector.h).
 */
static json_t *kernel_real(const struct suite_ctx *c)
{
	static struct kernel_diff_counts total;
	struct suite_real *sr;
	struct kernel_watch *kw;
	char err[1024] = "";
	json_t *r;
	int ret;

	if (!c->real)
		return real_refused(c);
	ret = kernel_watch_open(c->real, &kw, err, sizeof(err));
	if (ret)
		return json_pack("{s:o}", ret == -EPERM ? "refused" : "error",
				 utf8_json_string(err));
	sr = calloc(1, sizeof(*sr));
	memset(&total, 0, sizeof(total));
	for (size_t i = 0; sr && i < c->s->n_captures && !err[0]; i++) {
		const char *cap = c->s->captures[i];

		memset(&sr->rg, 0, sizeof(sr->rg));
		sr->last_frame = 0;
		if (suite_real_open(c, KERNEL_DISSECTOR_NAME, cap, sr, err,
				    sizeof(err)) == 0 &&
		    kernel_cases_capture(c->real, kw, cap, suite_real_frame,
					 sr, &total, err, sizeof(err)) == 0)
			suite_real_end(c, KERNEL_DISSECTOR_NAME, cap, sr, err,
				       sizeof(err));
		real_golden_close(&sr->rg);
	}
	kernel_watch_close(kw);
	if (!sr)
		return NULL;
	if (err[0]) {
		free(sr);
		return json_pack("{s:o}", "error", utf8_json_string(err));
	}
	r = json_pack("{s:I, s:I, s:I}", "frames", (json_int_t)total.frames,
		      "cases", (json_int_t)total.cases,
		      "unseen", (json_int_t)total.unseen);
	if (real_golden_json(r, sr)) {
		json_decref(r);
		r = NULL;
	}
	free(sr);
	return r;
}

static json_t *suite_kernel(const struct suite_ctx *c)
{
	json_t *real = kernel_real(c);
	json_t *d = real ? json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i}",
				     "name", KERNEL_DISSECTOR_NAME,
				     "load", "builtin", "reason", "",
				     "min_kernel", "", "cases", 0,
				     "passed", 0, "failed", 0,
				     "unchecked", 0, "errors", 0) : NULL;

	if (d && json_object_set_new(d, "real", real)) {
		json_decref(d);
		return NULL;
	}
	if (!d)
		json_decref(real);
	return d;
}

bool matrix_is_kernel_builtin(const char *path)
{
	size_t len = strlen(path), n = strlen(MATRIX_KERNEL_BUILTIN);

	return len >= n && strcmp(path + len - n, MATRIX_KERNEL_BUILTIN) == 0 &&
	       (len == n || path[len - n - 1] == '/');
}

static json_t *suite_dissector(const struct suite_ctx *c, const char *path)
{
	struct report_counts total = { 0 };
	struct matrix_kver min;
	struct dissector *dis = NULL;
	char name[256], reason[1024] = "", min_text[16] = "";
	char verifier[256];	/* the verifier's words, when it refused */
	const char *load = "loaded";
	json_t *real = NULL, *d;
	int has_min, errors = 0, ret;

	dissector_name_of(path, name, sizeof(name));
	has_min = matrix_kver_min_of(path, &min);
	if (has_min == 1)
		snprintf(min_text, sizeof(min_text), "%u.%u", min.major,
			 min.minor);
	if (probe_answer(&c->features, "test_run") != 1) {
		load = "error";
		snprintf(reason, sizeof(reason),
			 "this kernel cannot test-run flow dissectors");
		goto out;
	}
	ret = dissector_load_reason(path, NULL, &dis, reason, sizeof(reason),
				    verifier, sizeof(verifier));
	if (ret) {
		load = ret == -EACCES ? "rejected" : "error";
		if (ret == -EACCES && verifier[0])
			snprintf(reason, sizeof(reason), "%s", verifier);
		/* below its declared minimum a refusal is expected */
		if (dissector_refusal_expected(ret, has_min == 1 &&
				c->kver_known &&
				matrix_kver_cmp(&c->kver, &min) < 0))
			load = "skipped";
	} else {
		replay_all(c, dis, &total, &errors, reason, sizeof(reason));
		if (c->s->real_path)
			real = real_all(c, dis);
		dissector_close(dis);
	}
out:
	/* a file name, and a reason quoting names, may be any bytes */
	d = json_pack("{s:o, s:s, s:o, s:s, s:I, s:I, s:I, s:I, s:i}",
			 "name", utf8_json_string(name), "load", load,
			 "reason", utf8_json_string(reason),
			 "min_kernel", min_text,
			 "cases", (json_int_t)total.cases,
			 "passed", (json_int_t)total.passed,
			 "failed", (json_int_t)(total.failed + total.stale),
			 "unchecked", (json_int_t)total.unchecked,
			 "errors", errors);
	if (d && real && json_object_set_new(d, "real", real)) {
		json_decref(d);
		return NULL;
	}
	if (!d)
		json_decref(real);
	return d;
}

static json_t *features_json(const struct probe_results *f)
{
	json_t *obj = json_object();

	for (size_t i = 0; obj && i < probes_count; i++)
		if (json_object_set_new(obj, probes[i].name,
				json_integer(f->answer[i]))) {
			json_decref(obj);
			return NULL;
		}
	return obj;
}

int matrix_suite_run(const struct matrix_suite *s, json_t **out)
{
	struct suite_ctx c = { .s = s };
	bool real_path = s->real_path;
	struct utsname uts;
	json_t *root, *list;
	int ret;

	if (uname(&uts))
		snprintf(uts.release, sizeof(uts.release), "unknown");
	c.kver_known = matrix_kver_parse(uts.release, &c.kver) == 0;
	ret = probe_all(&c.features, false);
	if (ret)
		return ret;
	/* a ctx_states error is its column's; the replay needs the rest */
	testrun_kernel_set(&c.kernel, &c.features);
	/* the kernel's own dissector has only a real path */
	for (size_t i = 0; !s->real_path && i < s->n_dissectors; i++)
		if (matrix_is_kernel_builtin(s->dissectors[i]))
			real_path = true;
	if (real_path)
		c.real_err = realpath_open(&c.real, c.real_why,
					   sizeof(c.real_why));

	list = json_array();
	root = json_pack("{s:s, s:o, s:o}", "kernel", uts.release,
			 "features", features_json(&c.features),
			 "dissectors", list);
	if (root && s->update_real) {
		c.goldens = json_array();
		if (json_object_set_new(root, "goldens", c.goldens)) {
			json_decref(root);
			root = NULL;
		}
	}
	if (!root) {
		realpath_close(c.real);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->n_dissectors; i++) {
		json_t *d = matrix_is_kernel_builtin(s->dissectors[i]) ?
			    suite_kernel(&c) :
			    suite_dissector(&c, s->dissectors[i]);

		if (!d || json_array_append_new(list, d)) {
			realpath_close(c.real);
			json_decref(root);
			return -ENOMEM;
		}
	}
	realpath_close(c.real);
	*out = root;
	return 0;
}

static const char *entry_text(const json_t *d, const char *key)
{
	return json_string_value(json_object_get(d, key));
}

static long long entry_count(const json_t *d, const char *key)
{
	return (long long)json_integer_value(json_object_get(d, key));
}

enum matrix_verdict matrix_dissector_judge(const json_t *d,
					   struct matrix_dissector *out)
{
	*out = (struct matrix_dissector){
		.name = entry_text(d, "name"),
		.load = entry_text(d, "load"),
		.reason = entry_text(d, "reason"),
		.min_kernel = entry_text(d, "min_kernel"),
		.cases = entry_count(d, "cases"),
		.passed = entry_count(d, "passed"),
		.failed = entry_count(d, "failed"),
		.errors = entry_count(d, "errors"),
	};
	if (!out->name)
		out->name = "?";
	if (out->load && strcmp(out->load, "skipped") == 0)
		return MATRIX_SKIPPED;
	if (out->load && strcmp(out->load, "builtin") == 0)
		return MATRIX_BUILTIN;
	if (!out->load || strcmp(out->load, "loaded"))
		return MATRIX_NOT_LOADED;
	if (out->errors)
		return MATRIX_ERRORS;
	if (out->failed)
		return MATRIX_DIFFER;
	if (out->cases == 0)
		return MATRIX_NO_CASE;
	/* a case without a golden is not a pass, as with --require-golden */
	if (out->passed < out->cases)
		return MATRIX_UNCHECKED;
	return MATRIX_PASS;
}

/*
 * The real path fails a row where it ran and differs from the test run
 * or from its real golden (or the golden is stale), met an error, or
 * never saw the dissector run, or has a case without a real golden
 * line (unchecked: a case held to no golden is no pass, as in the test
 * run's columns). A kernel that refuses tracing (the host under
 * lockdown) only says so: the guests run it. While recording (--update)
 * there is nothing to check.
 */
static bool real_failed(const json_t *d, const char *name, char *why,
			size_t size)
{
	const json_t *r = json_object_get(d, "real");
	const char *err = json_string_value(json_object_get(r, "error"));
	json_int_t differ = json_integer_value(json_object_get(r, "differ"));
	json_int_t frames = json_integer_value(json_object_get(r, "frames"));
	json_int_t unseen = json_integer_value(json_object_get(r, "unseen"));
	json_int_t failed = json_integer_value(json_object_get(r, "failed"));
	json_int_t stale = json_integer_value(json_object_get(r, "stale"));
	json_int_t unchecked = json_integer_value(json_object_get(r,
							"unchecked"));
	json_int_t cases = json_integer_value(json_object_get(r, "cases"));

	if (!r || json_object_get(r, "refused"))
		return false;
	if (err)
		snprintf(why, size, "dissector '%s': real path: %s", name,
			 err);
	else if (stale)
		snprintf(why, size,
			 "dissector '%s': real path: %lld real goldens are stale",
			 name, (long long)stale);
	else if (failed)
		snprintf(why, size,
			 "dissector '%s': real path: %lld cases differ from their real golden, first: %s",
			 name, (long long)failed,
			 json_string_value(json_object_get(r,
							"golden_first")));
	else if (differ)
		snprintf(why, size,
			 "dissector '%s': real path: %lld cases differ from test run, first: %s",
			 name, (long long)differ,
			 json_string_value(json_object_get(r, "first")));
	else if (frames && unseen == frames)
		snprintf(why, size,
			 "dissector '%s': real path: the dissector never ran on a frame",
			 name);
	else if (unchecked)
		snprintf(why, size,
			 "dissector '%s': real path: %lld of %lld cases unchecked (no real golden): record them with 'fdtest matrix --path real --update' (make goldens-real)",
			 name, (long long)unchecked, (long long)cases);
	else
		return false;
	return true;
}

/* A dissector's entry: fails its row? Says why in @why. */
static bool dissector_failed(const json_t *d, char *why, size_t size)
{
	struct matrix_dissector e;

	switch (matrix_dissector_judge(d, &e)) {
	case MATRIX_SKIPPED:
		return false;
	case MATRIX_PASS:
	case MATRIX_BUILTIN:
		return real_failed(d, e.name, why, size);
	case MATRIX_NOT_LOADED:
		snprintf(why, size, "dissector '%s': %s", e.name,
			 e.load ? e.load : "no load result");
		break;
	case MATRIX_ERRORS:
	case MATRIX_DIFFER:
		snprintf(why, size, "dissector '%s': %lld differ, %lld errors",
			 e.name, e.failed, e.errors);
		break;
	case MATRIX_NO_CASE:
		snprintf(why, size, "dissector '%s': no case ran", e.name);
		break;
	case MATRIX_UNCHECKED:
		if (real_failed(d, e.name, why, size))
			break;
		snprintf(why, size,
			 "dissector '%s': %lld of %lld cases unchecked (no golden): record them with 'fdtest run --update'",
			 e.name, e.cases - e.passed, e.cases);
		break;
	}
	return true;
}

bool matrix_suite_why(const json_t *result, char *why, size_t size)
{
	const json_t *features = json_object_get(result, "features");
	char scratch[8];
	const json_t *d;
	size_t i;

	if (!why) {
		why = scratch;
		size = sizeof(scratch);
	}
	why[0] = '\0';
	if (json_integer_value(json_object_get(features, "test_run")) != 1) {
		snprintf(why, size,
			 "this kernel cannot test-run flow dissectors");
		return true;
	}
	for (size_t f = 0; f < probes_count; f++) {
		json_int_t v = json_integer_value(json_object_get(features,
						probes[f].name));

		/* a probe that met an error left the column unknown */
		if (v < 0) {
			snprintf(why, size, "feature probe '%s': %s",
				 probes[f].name, strerror((int)-v));
			return true;
		}
	}
	json_array_foreach(json_object_get(result, "dissectors"), i, d)
		if (dissector_failed(d, why, size))
			return true;
	return false;
}

bool matrix_suite_failed(const json_t *result)
{
	return matrix_suite_why(result, NULL, 0);
}

void matrix_suite_list_free(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* One more "<dir>/<folder>/<name>" at the end of the list. */
static int list_append(char ***paths, size_t *n, const char *dir,
		       const char *folder, const char *name)
{
	char **p = realloc(*paths, (*n + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	*paths = p;
	if (asprintf(&p[*n], "%s/%s/%s", dir, folder, name) < 0)
		return -ENOMEM;
	(*n)++;
	return 0;
}

int matrix_suite_read_list(const char *dir, const char *folder,
			   char ***paths, size_t *n)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int ret = 0;

	*paths = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s.list", dir, folder);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (!ret) {
		errno = 0;
		len = getline(&line, &cap, f);
		if (len < 0) {
			/* a list cut short would pass for a smaller suite */
			if (ferror(f) || errno)
				ret = errno ? -errno : -EIO;
			break;
		}
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			ret = list_append(paths, n, dir, folder, line);
	}
	free(line);
	fclose(f);
	if (ret) {
		matrix_suite_list_free(*paths, *n);
		*paths = NULL;
		*n = 0;
	}
	return ret;
}
