/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The matrix suite, run in one kernel (natively for the host row, inside
 * a guest for the others): the feature probes, then each dissector loaded
 * and replayed over each capture against the goldens (with the overrides
 * for this kernel). The result is one JSON object, the same wherever it
 * ran:
 *
 *   {"kernel":"6.1.0-50-cloud-amd64",
 *    "features":{"test_run":1,...,"attach_link":1},
 *    "dissectors":[{"name":"reference","load":"loaded","reason":"",
 *                   "min_kernel":"","cases":N,"passed":N,"failed":N,
 *                   "unchecked":N,"errors":N}, ...]}
 *
 * "load" is "loaded", "rejected" (a failure), "skipped" (rejected by a
 * kernel below the dissector's declared minimum), "error" (the object
 * or a capture could not be used; "reason" then holds one line), or
 * "builtin" (the kernel's C dissector: only its "real" counts). A
 * feature is 1, 0, or a negative errno its probe met.
 */
#ifndef FDTEST_MATRIX_SUITE_H
#define FDTEST_MATRIX_SUITE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct matrix_suite {
	const char *const *dissectors;	/* object paths */
	size_t n_dissectors;
	const char *const *captures;
	size_t n_captures;
	const char *expected_dir;
	const char *tmp_dir;	/* merged goldens go here; must exist */
	/*
	 * Also the real path (realpath_check.h): each dissector's entry
	 * gets "real": {"frames","cases","agree","differ","unseen","lost",
	 * "triggers":{"tx":N,...},"first":"...", and against the real
	 * goldens (with this kernel's overrides) "passed","failed",
	 * "unchecked","stale","golden_first" (or "recorded" with
	 * update_real)}, or {"refused":"why"} when this kernel refuses
	 * tracing, or {"error":"why"}. The kernel's entry has the golden
	 * counts, "frames", "cases" and "unseen".
	 */
	bool real_path;
	/*
	 * With real_path: record the real goldens (every dissector's, and
	 * the kernel's) into a folder inside tmp_dir instead of checking
	 * them, and put them in the result as
	 *   "goldens":[{"dissector":"reference","capture":"vlan.pcap",
	 *               "text":"<the whole golden file>"}, ...]
	 * for the host to keep (matrix_update.h).
	 */
	bool update_real;
};

/*
 * A dissector path ending in this names the kernel's own C dissector
 * (the guest's /suite/dissectors/kernel.builtin, an empty file): it has
 * no test run, only its real path, held to expected/kernel/real/.
 */
#define MATRIX_KERNEL_BUILTIN "kernel.builtin"
bool matrix_is_kernel_builtin(const char *path);

/*
 * Runs the suite in this kernel. Returns 0 with a new object in *@out,
 * -EPERM without privilege, or -ENOMEM.
 */
int matrix_suite_run(const struct matrix_suite *s, json_t **out);

/*
 * Whether a suite result fails its row: the kernel cannot test-run, a
 * feature probe met an error, or a dissector that is not skipped is
 * refused, errs, differs, ran no case or has a case without a golden
 * (unchecked). With @why (may be NULL), the first such cause, one line.
 */
bool matrix_suite_why(const json_t *result, char *why, size_t size);
bool matrix_suite_failed(const json_t *result);

/* One dissector's entry of a suite result, and what it comes to. */
enum matrix_verdict {
	MATRIX_SKIPPED,		/* below its min_kernel: not a failure */
	MATRIX_NOT_LOADED,	/* refused, or no load result */
	MATRIX_ERRORS,		/* a capture or the object could not be used */
	MATRIX_DIFFER,		/* cases failed */
	MATRIX_NO_CASE,		/* nothing ran */
	MATRIX_UNCHECKED,	/* a case had no golden: not a pass */
	MATRIX_PASS,		/* every case met its golden */
	MATRIX_BUILTIN,		/* the kernel's: judged by its real path */
};

struct matrix_dissector {
	const char *name;	/* "?" when absent */
	const char *load;	/* NULL when absent */
	const char *reason;
	const char *min_kernel;
	long long cases;
	long long passed;
	long long failed;
	long long errors;
};

/*
 * Reads @d, an entry of a result's "dissectors", into @out and judges it:
 * the one place the matrix decides what a dissector's counts mean.
 */
enum matrix_verdict matrix_dissector_judge(const json_t *d,
					   struct matrix_dissector *out);

/*
 * Reads "<dir>/<folder>.list" (one file name a line, as the guest's
 * initramfs holds it) into malloc'd paths "<dir>/<folder>/<name>".
 * Returns 0, or a negative errno (-ENOMEM, -EIO, fopen's) with no list:
 * never a part of one. Free with matrix_suite_list_free().
 */
int matrix_suite_read_list(const char *dir, const char *folder,
			   char ***paths, size_t *n);
void matrix_suite_list_free(char **paths, size_t n);

#endif /* FDTEST_MATRIX_SUITE_H */
