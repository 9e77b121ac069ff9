// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest diff -d kernel -d OBJ: where a BPF dissector departs from the
 * kernel's own C dissector, which it replaces. Every frame goes through
 * lo with nothing attached; the C dissector's keys at each receive-side
 * run (kernel_dissector.h) are held against OBJ's test run of the same
 * state. Lines name the case, the field and both values (through the
 * diff reporter, the kernel as A); the end lists the difference classes
 * (trigger and field) with their counts.
 */
#include <string.h>

#include "check/kernel_dissector.h"
#include "cli/cmd_diff_kernel.h"
#include "cli/cmd_run.h"
#include "report/diff_report.h"
#include "util/log.h"

bool diff_kernel_wanted(const char *const dissectors[2])
{
	return strcmp(dissectors[0], KERNEL_DISSECTOR_NAME) == 0 ||
	       strcmp(dissectors[1], KERNEL_DISSECTOR_NAME) == 0;
}

struct kernel_case_ctx {
	struct diff_report rep;
	const char *capture;
};

/* A case where the kernel and the BPF dissector differ, as diff says it. */
static void kernel_case(void *ctx, const char *name, const struct diff *d,
			size_t n)
{
	struct kernel_case_ctx *kc = ctx;

	diff_report_case(&kc->rep, &(struct diff_case){
			.capture = kc->capture,
			.name = name,
			.diffs = d,
			.n_diffs = n,
		});
}

static int env_code(int err)
{
	return dissector_err_is_env(err) ? FDTEST_EXIT_ENV : FDTEST_EXIT_USAGE;
}

int diff_kernel_exec(const char *const dissectors[2], const char *prog,
		     char *const *captures, int n_captures)
{
	static struct kernel_diff_counts total;
	const char *other = strcmp(dissectors[0], KERNEL_DISSECTOR_NAME) ?
			    dissectors[0] : dissectors[1];
	struct kernel_case_ctx kc = { .rep.ops = diff_report_find("text") };
	struct testrun_kernel kernel;
	struct kernel_watch *kw = NULL;
	struct realpath *rp = NULL;
	struct dissector *dis;
	char err[512];
	int code, ret;

	if (strcmp(other, KERNEL_DISSECTOR_NAME) == 0) {
		p_err("-d kernel -d kernel: give one BPF object to compare with the kernel");
		return FDTEST_EXIT_USAGE;
	}
	code = run_probe_kernel(&kernel);
	if (code)
		return code;
	ret = dissector_load(other, prog, &dis, err, sizeof(err));
	if (ret) {
		p_err("dissector '%s': %s", other, err);
		return env_code(ret);
	}
	ret = realpath_open(&rp, err, sizeof(err));
	ret = ret ?: kernel_watch_open(rp, &kw, err, sizeof(err));
	if (ret) {
		p_err("-d kernel: %s; 'fdtest matrix --path real' runs the kernel's dissector in a guest kernel",
		      err);
		code = env_code(ret);
		goto out_close;
	}
	kc.rep.out = stdout;
	kc.rep.label[0] = KERNEL_DISSECTOR_NAME;
	kc.rep.label[1] = dissector_name(dis);
	for (int i = 0; i < n_captures; i++) {
		kc.capture = captures[i];
		ret = kernel_diff_capture(rp, kw, dis, &kernel, captures[i],
					  kernel_case, &kc, &total, err,
					  sizeof(err));
		if (ret) {
			p_err("%s", err);
			code = FDTEST_EXIT_USAGE;
		}
	}
	if (code == FDTEST_EXIT_PASS && total.differ)
		code = FDTEST_EXIT_FAIL;
	kernel_diff_print(stdout, dissector_name(dis), &total);
	if (log_stdout_check())
		code = FDTEST_EXIT_USAGE;
	printf("exit %d\n", code);
out_close:
	kernel_watch_close(kw);
	realpath_close(rp);
	dissector_close(dis);
	return code;
}
