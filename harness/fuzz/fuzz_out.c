// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest fuzz: a finding in --out, so that `fdtest run` replays it and
 * fails the same way: the capture, its description, the difference lines
 * and, where the oracle compared with something, the golden.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "check/golden.h"
#include "fuzz/fuzz.h"
#include "gen/gen_pcap.h"
#include "keys/keys_json.h"
#include "report/report.h"
#include "util/atomic_file.h"
#include "util/sha256.h"

/* @text into a new atomic file at @path, committed with the others. */
static int text_file(const char *path, const char *text,
		     struct atomic_file **out)
{
	char why[512];
	int ret;

	ret = atomic_file_open(path, out, why, sizeof(why));
	if (ret)
		return ret;
	if (fputs(text, atomic_file_stream(*out)) == EOF) {
		atomic_file_abort(*out);
		*out = NULL;
		return -EIO;
	}
	return 0;
}

/* The difference lines of @f's oracle, as `fdtest run` prints them. */
static void diff_lines(const struct fuzz_target *t, const struct fuzz_eval *ev,
		       const struct fuzz_finding *f, char *buf, size_t size)
{
	char capture[96];
	struct report_capture cap = {
		.dissector = dissector_name(t->dis),
		.capture = capture,
	};
	size_t len = 0;

	snprintf(capture, sizeof(capture), "%s.pcap", f->file);
	buf[0] = '\0';
	for (size_t i = 0; i < ev->n_diffs && len + 1 < size; i++) {
		const struct fuzz_diff *d = &ev->diffs[i];
		struct case_result c = {
			.id = { 1, (enum fdtest_state)d->state, d->flags },
		};
		int n;

		if (d->oracle != f->oracle)
			continue;
		n = report_diff_line(buf + len, size - len, &cap, &c, &d->d);
		if (n < 0 || (size_t)n + 1 >= size - len)
			break;
		len += (size_t)n;
		buf[len++] = '\n';
		buf[len] = '\0';
	}
}

/*
 * The golden that makes `fdtest run` see what the oracle saw: the
 * reference's values of the fields that differ (diff), or the spec.
 */
static int finding_golden_line(const struct fuzz_eval *ev,
			       const struct fuzz_finding *f, int s, uint32_t fl,
			       char *line, size_t size)
{
	const struct testrun_result *ref = &ev->res.r[1][s][fl];
	struct golden_line exp = {
		.id = { 1, (enum fdtest_state)s, fl },
		.keys = ref->keys,
		.layout = keys_layout_of(&ref->keys),
	};
	bool any = false;

	/* a spec finding reproduced, so the spec applied */
	if (f->oracle == FUZZ_ORACLE_SPEC && !ev->spec)
		return 0;
	if (f->oracle == FUZZ_ORACLE_SPEC)
		return keys_json_format_golden(line, size,
					       &ev->spec->exp[s][fl]);
	for (size_t i = 0; i < ev->n_diffs; i++) {
		const struct fuzz_diff *d = &ev->diffs[i];
		const struct keys_field *k;

		if (d->oracle != FUZZ_ORACLE_DIFF || d->state != s ||
		    d->flags != fl)
			continue;
		any = true;
		if (strcmp(d->d.field, "ret") == 0) {
			exp.has_ret = true;
			exp.ret = ref->ret;
			continue;
		}
		k = keys_field_find(exp.layout, d->d.field);
		if (k)
			memset(exp.mask + k->offset, 0xff, k->size);
	}
	if (!any)
		return 0;
	return keys_json_format_golden(line, size, &exp);
}

static int write_golden(const char *out_dir, const struct fuzz_target *t,
			const struct fuzz_eval *ev,
			const struct fuzz_finding *f, const char *pcap,
			struct atomic_file **out)
{
	struct golden_header hdr = { .states = FDTEST_STATES_ALL };
	struct golden_writer *w;
	char line[KEYS_JSON_LINE_MAX];
	char path[4096], why[512];
	int ret;

	snprintf(hdr.capture, sizeof(hdr.capture), "%s.pcap", f->file);
	/*
	 * The spec's expectation holds for any dissector, as the goldens
	 * fdtest gen --spec writes ("spec:POLICY"); a reference's keys are
	 * this dissector's golden.
	 */
	if (f->oracle == FUZZ_ORACLE_SPEC)
		snprintf(hdr.dissector, sizeof(hdr.dissector), "spec:%s",
			 gen_policy_name(t->spec_policy));
	else
		snprintf(hdr.dissector, sizeof(hdr.dissector), "%s",
			 dissector_name(t->dis));
	for (uint32_t fl = 0; fl <= FDTEST_FLAGS_KNOWN; fl++)
		hdr.in_flags[hdr.n_flags++] = fl;
	ret = sha256_file(pcap, hdr.sha256);
	if (ret)
		return ret;
	if (snprintf(path, sizeof(path), "%s/expected/%s/%s.json",
		     out_dir, dissector_name(t->dis), f->file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = golden_writer_open(path, &hdr, &w, why, sizeof(why));
	if (ret)
		return ret;
	for (int s = 0; s < FDTEST_STATE_COUNT && !ret; s++)
		for (uint32_t fl = 0; fl <= FDTEST_FLAGS_KNOWN && !ret; fl++) {
			ret = finding_golden_line(ev, f, s, fl, line,
						  sizeof(line));
			if (ret > 0)
				ret = golden_writer_add(w, line);
		}
	if (ret < 0) {
		golden_writer_abort(w);
		return ret;
	}
	*out = golden_writer_finish(w);
	return *out ? 0 : -errno;
}

/*
 * Everything a finding leaves in --out: NAME.pcap, NAME.txt (its
 * description, when it has one: `fdtest gen` remakes the capture from
 * it), NAME.diff (the difference lines) and, for the diff and spec
 * oracles, expected/DISSECTOR/NAME.json, the golden `fdtest run` checks
 * it against.
 */
int fuzz_finding_write(const char *out_dir, const struct fuzz_target *t,
		       const struct fuzz_eval *ev, const struct fuzz_finding *f)
{
	static char text[32768];
	/* the capture, its golden, the differences, the description */
	struct atomic_file *files[4] = { NULL };
	struct gen_pcap *g;
	char path[4096];
	char err[256];
	int ret;

	if (snprintf(path, sizeof(path), "%s/%s.pcap", out_dir,
		     f->file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = gen_pcap_open(path, linktype_by_dlt(LINKTYPE_ETHERNET),
			    GEN_FORMAT_PCAP, &g, err, sizeof(err));
	if (ret)
		return ret;
	ret = gen_pcap_add(g, f->min.bytes, f->min.len, 0, 0);
	if (ret) {
		gen_pcap_abort(g);
		return ret;
	}
	files[0] = gen_pcap_finish(g);
	if (!files[0])
		return -errno;
	if (f->oracle == FUZZ_ORACLE_DIFF || f->oracle == FUZZ_ORACLE_SPEC) {
		/* the golden names the capture's hash: read back, not piped */
		ret = -EINVAL;
		if (!atomic_file_tmp_path(files[0]))
			goto out_abort;
		ret = write_golden(out_dir, t, ev, f,
				   atomic_file_tmp_path(files[0]), &files[1]);
		if (ret)
			goto out_abort;
	}
	snprintf(path, sizeof(path), "%s/%s.diff", out_dir, f->file);
	diff_lines(t, ev, f, text, sizeof(text));
	ret = text_file(path, text, &files[2]);
	if (ret)
		goto out_abort;
	if (f->min.desc[0]) {
		snprintf(path, sizeof(path), "%s/%s.txt", out_dir, f->file);
		snprintf(text, sizeof(text), "%s\n", f->min.desc);
		ret = text_file(path, text, &files[3]);
		if (ret)
			goto out_abort;
	}
	/* a finding is whole or not there */
	return atomic_file_commit_all(files, 4);
out_abort:
	for (size_t i = 0; i < 4; i++)
		atomic_file_abort(files[i]);
	return ret;
}
