// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest matrix: the same suite in many kernels. The host is one row, run
 * natively; each --kernel is booted under qemu with an initramfs holding a
 * static fdtest, the dissectors, captures and goldens, and becomes a row.
 * Options are parsed into struct matrix_opts; matrix_exec() does the work.
 */
#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli/cmds.h"
#include "check/kernel_dissector.h"
#include "cli/options.h"
#include "matrix/matrix_console.h"
#include "matrix/matrix_guest.h"
#include "matrix/matrix_guest_run.h"
#include "matrix/matrix_render.h"
#include "matrix/matrix_suite.h"
#include "matrix/matrix_update.h"
#include "probe/probe.h"
#include "util/clock.h"
#include "util/exe_path.h"
#include "util/fdtest.h"
#include "util/json_writer.h"
#include "util/log.h"

#define MATRIX_KERNELS_MAX 32
#define MATRIX_DISSECTORS_MAX 64
_Static_assert(MATRIX_DISSECTORS_MAX <= OPTION_LIST_MAX,
	       "an option_list holds them");
_Static_assert(MATRIX_KERNELS_MAX <= OPTION_LIST_MAX,
	       "an option_list holds them");
#define KVM_PROBE_S 5		/* a KVM guest answers in well under this */

/* --accel, in the order its message lists them */
enum matrix_accel {
	MATRIX_ACCEL_KVM,
	MATRIX_ACCEL_TCG,
	MATRIX_ACCEL_AUTO,
};

static const char *const matrix_accel_names[] = { "kvm", "tcg", "auto" };

struct matrix_opts {
	struct option_list kernels;
	struct option_list dissectors;
	const char *const *captures;
	size_t n_captures;
	const char *expected_dir;
	const char *format;
	enum matrix_accel accel;
	const char *qemu;
	const char *cpu;
	const char *tcg_cpu;
	const char *guest_init;
	const char *guest_fdtest;
	unsigned int timeout_s;
	unsigned int jobs;
	unsigned int retries;
	unsigned int memory_mb;
	const char *guest_dir;	/* set: we are the guest */
	const char *nonce;
	bool real_path;		/* --path real */
	bool update;		/* --update: record the real goldens */
	const char *guest_run;	/* --guest-run ARGS */
};

static const struct matrix_opts matrix_defaults = {
	.expected_dir = "expected",
	.format = "markdown",
	.accel = MATRIX_ACCEL_AUTO,
	.qemu = "qemu-system-x86_64",
	.tcg_cpu = "max",
	.timeout_s = 60,
	.retries = 4,
	.memory_mb = 512,
};

/* --path: test (BPF_PROG_TEST_RUN only) or real (the receive path too). */
static int matrix_parse_path(void *opts, const char *arg)
{
	struct matrix_opts *o = opts;

	return options_parse_path(arg, &o->real_path);
}

static const char *accel_name(size_t i, const char **note)
{
	if (note)
		*note = NULL;
	return i < sizeof(matrix_accel_names) / sizeof(matrix_accel_names[0]) ?
	       matrix_accel_names[i] : NULL;
}

/* --format's names: the matrix reporters' table (matrix_render.c). */
static const char *format_name(size_t i, const char **note)
{
	if (note)
		*note = NULL;
	return matrix_render_name_at(i);
}

#define MATRIX_FIELD(m) OPTION_FIELD(struct matrix_opts, m)
/* a count: at least @lo, at most 100000 */
#define MATRIX_COUNT(lo) \
	.min = (lo), .max = 100000, .num = OPTION_NUM_AT_LEAST

static const struct option_row matrix_options[] = {
	{ "kernel", 0, OPTION_LIST, MATRIX_FIELD(kernels), "PATH",
	  "a kernel image (bzImage/vmlinuz) to boot under qemu as one more row; repeat for several",
	  .max = MATRIX_KERNELS_MAX,
	  .limit = "--kernel: at most " OPTION_STR(MATRIX_KERNELS_MAX) " kernels" },
	{ "dissector", 'd', OPTION_LIST, MATRIX_FIELD(dissectors), "OBJ",
	  "compiled BPF object (.bpf.o) to test, or 'kernel' for the kernel's own dissector (with --path real); repeat for several. Default: every dissector built from dissectors/",
	  .max = MATRIX_DISSECTORS_MAX,
	  .limit = "-d: at most " OPTION_STR(MATRIX_DISSECTORS_MAX) " dissectors" },
	{ "expected", 0, OPTION_FOLDER, MATRIX_FIELD(expected_dir), "DIR",
	  "root of the goldens and their per-kernel overrides (default: expected)",
	  .limit = "--expected: give a folder (an empty name would read goldens under /)" },
	{ "format", 0, OPTION_FORMAT, MATRIX_FIELD(format), "FMT",
	  "markdown (default) or json", .names = format_name },
	{ "path", 0, OPTION_FUNC, MATRIX_FIELD(real_path), "PATH",
	  "test (default) or real: also replay every frame through lo in each kernel and check the real triggers' keys against the test run (a column per dissector; a kernel that refuses tracing says so)",
	  .parse = matrix_parse_path },
	{ "update", 0, OPTION_TRUE, MATRIX_FIELD(update), NULL,
	  "with --path real: record each kernel's real-path goldens instead of checking them: the first kernel's become the goldens (DIR/NAME/real/), each other kernel's differences its series' override" },
	{ "timeout", 0, OPTION_UINT, MATRIX_FIELD(timeout_s), "SEC",
	  "longest a guest may take from start to power-off (default: 60)",
	  MATRIX_COUNT(1) },
	{ "jobs", 0, OPTION_UINT, MATRIX_FIELD(jobs), "N",
	  "guests at once (default: the number of online CPUs)",
	  MATRIX_COUNT(1) },
	{ "retries", 0, OPTION_UINT, MATRIX_FIELD(retries), "N",
	  "boot a kernel again when it oopses or panics before its result, up to N times; the row shows it (default: 4)",
	  MATRIX_COUNT(0) },
	{ "accel", 0, OPTION_CHOICE, MATRIX_FIELD(accel), "ACCEL",
	  "kvm, tcg, or auto: KVM when a test boot answers within 5 s, else TCG (default: auto)",
	  .names = accel_name },
	{ "qemu", 0, OPTION_STRING, MATRIX_FIELD(qemu), "CMD",
	  "the emulator (default: qemu-system-x86_64)" },
	{ "cpu", 0, OPTION_STRING, MATRIX_FIELD(cpu), "MODEL",
	  "qemu's -cpu for guests under KVM (default: host)" },
	{ "tcg-cpu", 0, OPTION_STRING, MATRIX_FIELD(tcg_cpu), "MODEL",
	  "qemu's -cpu for guests under TCG, where 'host' does not exist (default: max)" },
	{ "memory", 0, OPTION_UINT, MATRIX_FIELD(memory_mb), "MB",
	  "guest memory (default: 512)", MATRIX_COUNT(64) },
	{ "guest-init", 0, OPTION_STRING, MATRIX_FIELD(guest_init), "PATH",
	  "static init for the guests (default: matrix/init beside fdtest)" },
	{ "guest-fdtest", 0, OPTION_STRING, MATRIX_FIELD(guest_fdtest), "PATH",
	  "static fdtest for the guests (default: fdtest-static beside fdtest)" },
	{ "guest-run", 0, OPTION_STRING, MATRIX_FIELD(guest_run), "ARGS",
	  "also 'fdtest run ARGS' (or 'fdtest diff ...' when ARGS starts with diff) inside each guest (space-separated; the guest's files are /suite/dissectors/NAME and /suite/pcaps/NAME); its stdout and exit code go in --format json under .rows[].result.run" },
	{ "guest", 0, OPTION_STRING, MATRIX_FIELD(guest_dir), "DIR",
	  "run the suite packed in DIR and print the framed result (what the guest's init runs)" },
	{ "nonce", 0, OPTION_STRING, MATRIX_FIELD(nonce), "HEX",
	  "with --guest: the frame nonce the host chose" },
	OPTION_HELP_ROW,
};

static void matrix_usage(FILE *out);

static const struct option_table matrix_table =
	OPTION_TABLE("matrix", matrix_options, matrix_usage);

static void matrix_usage(FILE *out)
{
	fprintf(out,
		"Usage: fdtest matrix [OPTIONS] CAPTURE...\n"
		"\n"
		"Run the dissectors over the captures in the running kernel and in\n"
		"each --kernel booted under qemu, and print one row per kernel: its\n"
		"flow dissector features, and per dissector the load result and the\n"
		"cases that pass against the goldens. Needs root.\n"
		"\n"
		"Options:\n");
	options_print(out, &matrix_table);
	fprintf(out,
		"\n"
		"Exit status:\n"
		"  0  every row passed: each dissector checked every case against\n"
		"     a golden and matched, or was skipped below its minimum kernel\n"
		"  1  a row failed: a case differs or has no golden (unchecked), a\n"
		"     dissector is rejected at or above its minimum kernel, a feature\n"
		"     probe met an error, or a guest panicked, hung or gave no result\n"
		"  2  bad usage or bad input (no capture, no --expected folder)\n"
		"  3  the machine refuses: no privilege\n");
}

static int matrix_parse(int argc, char **argv, struct matrix_opts *o)
{
	int ret;

	*o = matrix_defaults;
	ret = options_parse(&matrix_table, argc, argv, o);
	if (ret)
		return ret;
	o->captures = (const char *const *)argv + optind;
	o->n_captures = (size_t)(argc - optind);
	if (o->guest_dir && !o->nonce) {
		p_err("--guest needs --nonce HEX");
		return -EINVAL;
	}
	/* nothing run is nothing checked: no row may pass on it */
	if (!o->guest_dir && !o->n_captures) {
		p_err("no capture: name the captures to run, e.g. pcaps/*.pcap (the bundled corpus, what 'make matrix' runs)");
		return -EINVAL;
	}
	if (o->update && !o->real_path) {
		p_err("--update records the real path's goldens: add --path real (test-run goldens are recorded with 'fdtest run --update')");
		return -EINVAL;
	}
	for (size_t i = 0; i < o->dissectors.n; i++) {
		if (strcmp(o->dissectors.v[i], KERNEL_DISSECTOR_NAME))
			continue;
		if (!o->real_path) {
			p_err("-d kernel: the kernel's own dissector runs only on the real path: add --path real");
			return -EINVAL;
		}
		o->dissectors.v[i] = MATRIX_KERNEL_BUILTIN;
	}
	if (!o->jobs) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		o->jobs = cpus > 0 ? (unsigned int)cpus : 1;
	}
	return 0;
}

/* ---- in the guest ----------------------------------------------------- */

/*
 * The suite's result as one line of ASCII JSON for the serial console
 * (util/json_writer.h, as everything fdtest emits): a new string in
 * *@text of *@len bytes, or a negative errno.
 */
static int result_text(const json_t *result, char **text, size_t *len)
{
	struct json_writer w;
	FILE *f = open_memstream(text, len);
	int ret;

	if (!f)
		return -ENOMEM;
	jw_init_file(&w, f, JW_ASCII);
	jw_jansson(&w, result);
	ret = jw_finish(&w);
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(*text);
		*text = NULL;
	}
	return ret;
}

/* What --guest-run may run in a guest: "run" unless it names "diff". */
static const struct matrix_guest_cmd guest_cmds[] = {
	{ "run", do_run },
	{ "diff", do_diff },
};

static int guest_exec(const struct matrix_opts *o)
{
	char expected[PATH_MAX], tmp[] = "/tmp/fdtest-merged.XXXXXX";
	char **dissectors = NULL, **captures = NULL, *text = NULL, *run_args;
	size_t n_dis = 0, n_cap = 0, len = 0;
	json_t *result = NULL;
	int code = FDTEST_EXIT_ENV, ret;

	snprintf(expected, sizeof(expected), "%s/expected", o->guest_dir);
	ret = matrix_suite_read_list(o->guest_dir, "dissectors", &dissectors,
				     &n_dis);
	ret = ret ?: matrix_suite_read_list(o->guest_dir, "pcaps", &captures,
					    &n_cap);
	if (ret || !mkdtemp(tmp)) {
		p_err("guest suite '%s': %s", o->guest_dir,
		      strerror(ret ? -ret : errno));
		goto out_free;
	}
	ret = matrix_suite_run(&(struct matrix_suite){
			.dissectors = (const char *const *)dissectors,
			.n_dissectors = n_dis,
			.captures = (const char *const *)captures,
			.n_captures = n_cap,
			.expected_dir = expected,
			.tmp_dir = tmp,
			.real_path = matrix_guest_real_path(o->guest_dir),
			.update_real = matrix_guest_update(o->guest_dir),
		}, &result);
	if (ret) {
		p_err("guest suite: %s", strerror(-ret));
		goto out_free;
	}
	run_args = matrix_guest_run_args(o->guest_dir);
	if (run_args && json_object_set_new(result, "run",
			matrix_guest_run(run_args, guest_cmds,
					 sizeof(guest_cmds) /
					 sizeof(guest_cmds[0]))))
		p_err("guest run: no result");
	free(run_args);
	ret = result_text(result, &text, &len);
	if (!ret)
		ret = matrix_console_write(STDOUT_FILENO, o->nonce, "result",
					   text, len);
	free(text);
	if (ret)
		p_err("guest result: %s", strerror(-ret));
	else
		code = matrix_suite_failed(result) ? FDTEST_EXIT_FAIL :
						     FDTEST_EXIT_PASS;
	json_decref(result);
out_free:
	matrix_suite_list_free(dissectors, n_dis);
	matrix_suite_list_free(captures, n_cap);
	return code;
}

/* ---- on the host ------------------------------------------------------ */

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static int host_row(const struct matrix_opts *o, const char *tmp,
		    struct matrix_row *row)
{
	struct timespec start;
	int ret;

	snprintf(row->label, sizeof(row->label), "host");
	clock_gettime(CLOCK_MONOTONIC, &start);
	ret = matrix_suite_run(&(struct matrix_suite){
			.dissectors = o->dissectors.v,
			.n_dissectors = o->dissectors.n,
			.captures = o->captures,
			.n_captures = o->n_captures,
			.expected_dir = o->expected_dir,
			.tmp_dir = tmp,
			.real_path = o->real_path,
			.update_real = o->update,
		}, &row->result);
	row->seconds = clock_seconds_since(&start);
	if (ret == -EPERM) {
		p_err("the matrix loads BPF programs: run it as root (sudo)");
		return FDTEST_EXIT_ENV;
	}
	if (ret) {
		p_err("host suite: %s", strerror(-ret));
		return FDTEST_EXIT_ENV;
	}
	row->failed = matrix_suite_why(row->result, row->reason,
				       sizeof(row->reason));
	return 0;
}

/* The guests' files, and the accelerator. */
static int guests_prepare(const struct matrix_opts *o, const char *work,
			  char *initramfs, size_t size)
{
	char init[PATH_MAX], fdtest[PATH_MAX], err[1024];
	int ret = 0;

	if (!o->guest_init)
		ret = exe_path_beside(init, sizeof(init), "matrix/init");
	if (!ret && !o->guest_fdtest)
		ret = exe_path_beside(fdtest, sizeof(fdtest), "fdtest-static");
	snprintf(initramfs, size, "%s/initramfs.cpio", work);
	ret = ret ?: matrix_guest_pack(&(struct matrix_pack){
			.init = o->guest_init ? o->guest_init : init,
			.fdtest = o->guest_fdtest ? o->guest_fdtest : fdtest,
			.dissectors = o->dissectors.v,
			.n_dissectors = o->dissectors.n,
			.captures = o->captures,
			.n_captures = o->n_captures,
			.expected_dir = o->expected_dir,
			.real_path = o->real_path,
			.update = o->update,
			.run_args = o->guest_run,
		}, initramfs, err, sizeof(err));
	if (ret)
		p_err("%s", err);
	return ret;
}

static int find_default_objects(struct matrix_opts *o, glob_t *found)
{
	char pattern[PATH_MAX];

	if (exe_path_beside(pattern, sizeof(pattern), "dissectors/*.bpf.o") ||
	    glob(pattern, 0, NULL, found)) {
		p_err("no dissectors beside the fdtest binary: build them with 'make', or name one with -d OBJ");
		return -ENOENT;
	}
	for (size_t i = 0; i < found->gl_pathc &&
			   o->dissectors.n < MATRIX_DISSECTORS_MAX; i++)
		o->dissectors.v[o->dissectors.n++] = found->gl_pathv[i];
	return 0;
}

static int rows_run(struct matrix_opts *o, const char *work,
		    struct matrix_row *rows)
{
	struct matrix_boot boot = {
		.qemu = o->qemu,
		.accel = matrix_accel_names[o->accel],
		.cpu = o->cpu,
		.tcg_cpu = o->tcg_cpu,
		.timeout_s = o->timeout_s,
		.jobs = o->jobs,
		.retries = o->retries,
		.memory_mb = o->memory_mb,
		.work_dir = work,
	};
	struct matrix_kvm_probe *probe = NULL;
	char initramfs[PATH_MAX], merged[PATH_MAX];
	int code, ret;

	snprintf(merged, sizeof(merged), "%s/merged", work);
	if (mkdir(merged, 0700)) {
		p_err("'%s': %s", merged, strerror(errno));
		return FDTEST_EXIT_ENV;
	}
	if (o->kernels.n) {
		if (guests_prepare(o, work, initramfs, sizeof(initramfs)))
			return FDTEST_EXIT_USAGE;
		boot.initramfs = initramfs;
		if (o->accel == MATRIX_ACCEL_AUTO &&
		    matrix_guest_kvm_start(&boot, o->kernels.v[0], KVM_PROBE_S,
					   &probe)) {
			p_err("accelerator probe: out of memory");
			return FDTEST_EXIT_ENV;
		}
	}
	code = host_row(o, merged, &rows[0]);
	if (probe)
		boot.accel = matrix_guest_kvm_finish(probe) ? "kvm" : "tcg";
	if (code || !o->kernels.n)
		return code;
	p_info("booting %zu kernel%s under qemu (%s, %u at once)",
	       o->kernels.n, o->kernels.n == 1 ? "" : "s", boot.accel,
	       boot.jobs);
	ret = matrix_guest_boot_all(&boot, rows + 1, o->kernels.n);
	/* without memory the rows were never filled: none may pass */
	if (ret == -ENOMEM) {
		p_err("booting the guests: %s", strerror(-ret));
		return FDTEST_EXIT_ENV;
	}
	if (ret)
		p_err("no guest could be started: see the rows");
	return 0;
}

/*
 * --update: what the kernels recorded becomes goldens and overrides.
 * Returns an exit code: a row that recorded nothing is said, not fatal
 * (it failed, and its row says why); no golden at all is a failure.
 */
static int update_write(const struct matrix_opts *o,
			const struct matrix_row *rows, size_t n)
{
	char names[MATRIX_DISSECTORS_MAX][256], err[PATH_MAX + 512];
	const char *name_v[MATRIX_DISSECTORS_MAX];
	int ret;

	for (size_t i = 0; i < o->dissectors.n; i++) {
		matrix_dissector_name(o->dissectors.v[i], names[i],
				      sizeof(names[i]));
		name_v[i] = names[i];
	}
	for (size_t i = 0; i < n; i++)
		if (!json_object_get(rows[i].result, "goldens"))
			p_info("row '%s' recorded no golden%s", rows[i].label,
			       i ? "" : " (the host refuses tracing here, or ran no real path)");
	ret = matrix_update_write(&(struct matrix_update){
			.expected_dir = o->expected_dir,
			.dissectors = name_v,
			.n_dissectors = o->dissectors.n,
			.captures = o->captures,
			.n_captures = o->n_captures,
		}, rows, n, stderr, err, sizeof(err));
	if (ret < 0) {
		p_err("--update: %s; no golden was written", err);
		return ret == -ENOMEM || ret == -EIO ? FDTEST_EXIT_ENV :
						       FDTEST_EXIT_FAIL;
	}
	if (!ret) {
		p_err("--update: no kernel recorded a golden: nothing was written");
		return FDTEST_EXIT_FAIL;
	}
	return FDTEST_EXIT_PASS;
}

/* A host probe refused for want of privilege (unshare needs CAP_SYS_ADMIN). */
static bool host_refused(const struct matrix_row *host)
{
	const json_t *features = json_object_get(host->result, "features");

	for (size_t i = 0; i < probes_count; i++)
		if (json_integer_value(json_object_get(features,
				probes[i].name)) == -EPERM) {
			p_err("feature probe '%s' was refused: run the matrix as root with every capability (CAP_SYS_ADMIN for a network namespace)",
			      probes[i].name);
			return true;
		}
	return false;
}

static int matrix_exec(struct matrix_opts *o)
{
	struct matrix_row rows[1 + MATRIX_KERNELS_MAX] = { 0 };
	char work[] = "/tmp/fdtest-matrix.XXXXXX";
	size_t n_rows = 1 + o->kernels.n;
	glob_t found = { 0 };
	bool globbed = false;
	struct timespec start;
	struct stat st;
	int code, ret;

	if (o->guest_dir)
		return guest_exec(o);
	/* without goldens every case is unchecked: a typo, not a verdict */
	ret = stat(o->expected_dir, &st) ? -errno :
	      S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (ret) {
		p_err("--expected '%s': %s: goldens are recorded there with 'fdtest run --update --expected DIR'",
		      o->expected_dir, strerror(-ret));
		return FDTEST_EXIT_USAGE;
	}
	if (!o->dissectors.n) {
		if (find_default_objects(o, &found))
			return FDTEST_EXIT_USAGE;
		globbed = true;
	}
	for (size_t i = 0; i < o->kernels.n; i++) {
		snprintf(rows[1 + i].label, sizeof(rows[1 + i].label), "%s",
			 o->kernels.v[i]);
		rows[1 + i].kernel = o->kernels.v[i];
		if (access(o->kernels.v[i], R_OK)) {
			p_err("--kernel '%s': %s", o->kernels.v[i],
			      strerror(errno));
			code = FDTEST_EXIT_USAGE;
			goto out_free;
		}
	}
	if (!mkdtemp(work)) {
		p_err("'%s': %s", work, strerror(errno));
		code = FDTEST_EXIT_ENV;
		goto out_free;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	code = rows_run(o, work, rows);
	if (!code) {
		p_info("matrix: %zu row%s in %.1f s, %zu failed", n_rows,
		       n_rows == 1 ? "" : "s", clock_seconds_since(&start),
		       matrix_render_failed(rows, n_rows));
		ret = matrix_render(matrix_render_find(o->format), stdout,
				    rows, n_rows);
		fflush(stdout);
		code = ret || host_refused(&rows[0]) ? FDTEST_EXIT_ENV :
		       matrix_render_failed(rows, n_rows) ? FDTEST_EXIT_FAIL :
							    FDTEST_EXIT_PASS;
		if (o->update && code != FDTEST_EXIT_ENV) {
			int written = update_write(o, rows, n_rows);

			code = written ? written : code;
		}
	}
	nftw(work, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < n_rows; i++)
		matrix_row_clear(&rows[i]);
out_free:
	if (globbed)
		globfree(&found);
	return code;
}

int do_matrix(int argc, char **argv)
{
	struct matrix_opts opts;
	int ret = matrix_parse(argc, argv, &opts);

	if (ret)
		return ret > 0 ? FDTEST_EXIT_PASS : FDTEST_EXIT_USAGE;
	return matrix_exec(&opts);
}
