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
#include "cli/options.h"
#include "matrix/matrix_console.h"
#include "matrix/matrix_guest.h"
#include "matrix/matrix_guest_run.h"
#include "matrix/matrix_probe.h"
#include "matrix/matrix_render.h"
#include "matrix/matrix_suite.h"
#include "util/fdtest.h"
#include "util/log.h"

#define MATRIX_KERNELS_MAX 32
#define MATRIX_DISSECTORS_MAX 64
#define KVM_PROBE_S 5		/* a KVM guest answers in well under this */

struct matrix_opts {
	const char *kernels[MATRIX_KERNELS_MAX];
	size_t n_kernels;
	const char *dissectors[MATRIX_DISSECTORS_MAX];
	size_t n_dissectors;
	const char *const *captures;
	size_t n_captures;
	const char *expected_dir;
	const char *format;
	const char *accel;
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
	const char *guest_run;	/* --guest-run ARGS */
};

static const struct matrix_opts matrix_defaults = {
	.expected_dir = "expected",
	.format = "markdown",
	.accel = "auto",
	.qemu = "qemu-system-x86_64",
	.tcg_cpu = "max",
	.timeout_s = 60,
	.retries = 4,
	.memory_mb = 512,
};

enum {
	OPT_KERNEL = 256,
	OPT_EXPECTED,
	OPT_FORMAT,
	OPT_TIMEOUT,
	OPT_JOBS,
	OPT_RETRIES,
	OPT_ACCEL,
	OPT_QEMU,
	OPT_CPU,
	OPT_TCG_CPU,
	OPT_MEMORY,
	OPT_GUEST_INIT,
	OPT_GUEST_FDTEST,
	OPT_GUEST,
	OPT_NONCE,
	OPT_PATH,
	OPT_GUEST_RUN,
};

static const struct option_row matrix_options[] = {
	{ "kernel", OPT_KERNEL, required_argument, "PATH",
	  "a kernel image (bzImage/vmlinuz) to boot under qemu as one more row; repeat for several" },
	{ "dissector", 'd', required_argument, "OBJ",
	  "compiled BPF object (.bpf.o) to test; repeat for several. Default: every dissector built from dissectors/" },
	{ "expected", OPT_EXPECTED, required_argument, "DIR",
	  "root of the goldens and their per-kernel overrides (default: expected)" },
	{ "format", OPT_FORMAT, required_argument, "FMT",
	  "markdown (default) or json" },
	{ "path", OPT_PATH, required_argument, "PATH",
	  "test (default) or real: also replay every frame through lo in each kernel and check the real triggers' keys against the test run (a column per dissector; a kernel that refuses tracing says so)" },
	{ "timeout", OPT_TIMEOUT, required_argument, "SEC",
	  "longest a guest may take from start to power-off (default: 60)" },
	{ "jobs", OPT_JOBS, required_argument, "N",
	  "guests at once (default: the number of online CPUs)" },
	{ "retries", OPT_RETRIES, required_argument, "N",
	  "boot a kernel again when it oopses or panics before its result, up to N times; the row shows it (default: 4)" },
	{ "accel", OPT_ACCEL, required_argument, "ACCEL",
	  "kvm, tcg, or auto: KVM when a test boot answers within 5 s, else TCG (default: auto)" },
	{ "qemu", OPT_QEMU, required_argument, "CMD",
	  "the emulator (default: qemu-system-x86_64)" },
	{ "cpu", OPT_CPU, required_argument, "MODEL",
	  "qemu's -cpu for guests under KVM (default: host)" },
	{ "tcg-cpu", OPT_TCG_CPU, required_argument, "MODEL",
	  "qemu's -cpu for guests under TCG, where 'host' does not exist (default: max)" },
	{ "memory", OPT_MEMORY, required_argument, "MB",
	  "guest memory (default: 512)" },
	{ "guest-init", OPT_GUEST_INIT, required_argument, "PATH",
	  "static init for the guests (default: matrix/init beside fdtest)" },
	{ "guest-fdtest", OPT_GUEST_FDTEST, required_argument, "PATH",
	  "static fdtest for the guests (default: fdtest-static beside fdtest)" },
	{ "guest-run", OPT_GUEST_RUN, required_argument, "ARGS",
	  "also 'fdtest run ARGS' inside each guest (space-separated; the guest's files are /suite/dissectors/NAME and /suite/pcaps/NAME); its stdout and exit code go in --format json under .rows[].result.run" },
	{ "guest", OPT_GUEST, required_argument, "DIR",
	  "run the suite packed in DIR and print the framed result (what the guest's init runs)" },
	{ "nonce", OPT_NONCE, required_argument, "HEX",
	  "with --guest: the frame nonce the host chose" },
	{ "help", 'h', no_argument, NULL, "show this help" },
};

#define N_MATRIX_OPTIONS (sizeof(matrix_options) / sizeof(matrix_options[0]))

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
	options_print(out, matrix_options, N_MATRIX_OPTIONS);
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

static int parse_uint(const char *opt, const char *arg, unsigned int min,
		      unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || v < min || v > 100000) {
		p_err("--%s: '%s' is not a number of at least %u", opt, arg,
		      min);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

static int matrix_parse_opt(int c, struct matrix_opts *o)
{
	switch (c) {
	case OPT_KERNEL:
		if (o->n_kernels == MATRIX_KERNELS_MAX) {
			p_err("--kernel: at most %d kernels",
			      MATRIX_KERNELS_MAX);
			return -EINVAL;
		}
		o->kernels[o->n_kernels++] = optarg;
		return 0;
	case 'd':
		if (o->n_dissectors == MATRIX_DISSECTORS_MAX) {
			p_err("-d: at most %d dissectors",
			      MATRIX_DISSECTORS_MAX);
			return -EINVAL;
		}
		o->dissectors[o->n_dissectors++] = optarg;
		return 0;
	case OPT_EXPECTED:
		/* "" would make every golden path start at / */
		if (!*optarg) {
			p_err("--expected: give a folder (an empty name would read goldens under /)");
			return -EINVAL;
		}
		o->expected_dir = optarg;
		return 0;
	case OPT_FORMAT:
		if (strcmp(optarg, "markdown") && strcmp(optarg, "json")) {
			p_err("--format: '%s' is not a format (markdown, json)",
			      optarg);
			return -EINVAL;
		}
		o->format = optarg;
		return 0;
	case OPT_TIMEOUT:
		return parse_uint("timeout", optarg, 1, &o->timeout_s);
	case OPT_JOBS:
		return parse_uint("jobs", optarg, 1, &o->jobs);
	case OPT_RETRIES:
		return parse_uint("retries", optarg, 0, &o->retries);
	case OPT_MEMORY:
		return parse_uint("memory", optarg, 64, &o->memory_mb);
	case OPT_ACCEL:
		if (strcmp(optarg, "auto") && strcmp(optarg, "kvm") &&
		    strcmp(optarg, "tcg")) {
			p_err("--accel: '%s' is not kvm, tcg or auto", optarg);
			return -EINVAL;
		}
		o->accel = optarg;
		return 0;
	case OPT_QEMU:
		o->qemu = optarg;
		return 0;
	case OPT_CPU:
		o->cpu = optarg;
		return 0;
	case OPT_TCG_CPU:
		o->tcg_cpu = optarg;
		return 0;
	case OPT_GUEST_INIT:
		o->guest_init = optarg;
		return 0;
	case OPT_GUEST_FDTEST:
		o->guest_fdtest = optarg;
		return 0;
	case OPT_GUEST:
		o->guest_dir = optarg;
		return 0;
	case OPT_NONCE:
		o->nonce = optarg;
		return 0;
	case OPT_GUEST_RUN:
		o->guest_run = optarg;
		return 0;
	case OPT_PATH:
		if (strcmp(optarg, "test") && strcmp(optarg, "real")) {
			p_err("--path: '%s' is not a path (test, real)",
			      optarg);
			return -EINVAL;
		}
		o->real_path = strcmp(optarg, "real") == 0;
		return 0;
	}
	fprintf(stderr, "Try 'fdtest matrix --help'.\n");
	return -EINVAL;
}

static int matrix_parse(int argc, char **argv, struct matrix_opts *o)
{
	struct option longopts[N_MATRIX_OPTIONS + 1];
	char shortopts[3 * N_MATRIX_OPTIONS + 2];
	int c;

	*o = matrix_defaults;
	options_build(matrix_options, N_MATRIX_OPTIONS, longopts, shortopts);
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h') {
			matrix_usage(stdout);
			return 1;
		}
		if (matrix_parse_opt(c, o))
			return -EINVAL;
	}
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
	if (!o->jobs) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		o->jobs = cpus > 0 ? (unsigned int)cpus : 1;
	}
	return 0;
}

/* ---- in the guest ----------------------------------------------------- */

static int guest_exec(const struct matrix_opts *o)
{
	char expected[PATH_MAX], tmp[] = "/tmp/fdtest-merged.XXXXXX";
	char **dissectors = NULL, **captures = NULL, *text, *run_args;
	size_t n_dis = 0, n_cap = 0;
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
		}, &result);
	if (ret) {
		p_err("guest suite: %s", strerror(-ret));
		goto out_free;
	}
	run_args = matrix_guest_run_args(o->guest_dir);
	if (run_args && json_object_set_new(result, "run",
					    matrix_guest_run(run_args, do_run)))
		p_err("guest run: no result");
	free(run_args);
	text = json_dumps(result, JSON_COMPACT | JSON_ENSURE_ASCII |
				  JSON_PRESERVE_ORDER);
	ret = text ? matrix_console_write(STDOUT_FILENO, o->nonce, "result",
					  text, strlen(text)) : -ENOMEM;
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

/* "<folder of the fdtest binary>/@rel" */
static int beside_exe(char *out, size_t size, const char *rel)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	n = snprintf(out, size, "%s/%s", exe, rel);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static int host_row(const struct matrix_opts *o, const char *tmp,
		    struct matrix_row *row)
{
	struct timespec start;
	int ret;

	snprintf(row->label, sizeof(row->label), "host");
	clock_gettime(CLOCK_MONOTONIC, &start);
	ret = matrix_suite_run(&(struct matrix_suite){
			.dissectors = o->dissectors,
			.n_dissectors = o->n_dissectors,
			.captures = o->captures,
			.n_captures = o->n_captures,
			.expected_dir = o->expected_dir,
			.tmp_dir = tmp,
			.real_path = o->real_path,
		}, &row->result);
	row->seconds = seconds_since(&start);
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
		ret = beside_exe(init, sizeof(init), "matrix/init");
	if (!ret && !o->guest_fdtest)
		ret = beside_exe(fdtest, sizeof(fdtest), "fdtest-static");
	snprintf(initramfs, size, "%s/initramfs.cpio", work);
	ret = ret ?: matrix_guest_pack(&(struct matrix_pack){
			.init = o->guest_init ? o->guest_init : init,
			.fdtest = o->guest_fdtest ? o->guest_fdtest : fdtest,
			.dissectors = o->dissectors,
			.n_dissectors = o->n_dissectors,
			.captures = o->captures,
			.n_captures = o->n_captures,
			.expected_dir = o->expected_dir,
			.real_path = o->real_path,
			.run_args = o->guest_run,
		}, initramfs, err, sizeof(err));
	if (ret)
		p_err("%s", err);
	return ret;
}

static int find_default_objects(struct matrix_opts *o, glob_t *found)
{
	char pattern[PATH_MAX];

	if (beside_exe(pattern, sizeof(pattern), "dissectors/*.bpf.o") ||
	    glob(pattern, 0, NULL, found)) {
		p_err("no dissectors beside the fdtest binary: build them with 'make', or name one with -d OBJ");
		return -ENOENT;
	}
	for (size_t i = 0; i < found->gl_pathc &&
			   o->n_dissectors < MATRIX_DISSECTORS_MAX; i++)
		o->dissectors[o->n_dissectors++] = found->gl_pathv[i];
	return 0;
}

static int rows_run(struct matrix_opts *o, const char *work,
		    struct matrix_row *rows)
{
	struct matrix_boot boot = {
		.qemu = o->qemu,
		.accel = o->accel,
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
	if (o->n_kernels) {
		if (guests_prepare(o, work, initramfs, sizeof(initramfs)))
			return FDTEST_EXIT_USAGE;
		boot.initramfs = initramfs;
		if (strcmp(o->accel, "auto") == 0 &&
		    matrix_guest_kvm_start(&boot, o->kernels[0], KVM_PROBE_S,
					   &probe)) {
			p_err("accelerator probe: out of memory");
			return FDTEST_EXIT_ENV;
		}
	}
	code = host_row(o, merged, &rows[0]);
	if (probe)
		boot.accel = matrix_guest_kvm_finish(probe) ? "kvm" : "tcg";
	if (code || !o->n_kernels)
		return code;
	p_info("booting %zu kernel%s under qemu (%s, %u at once)",
	       o->n_kernels, o->n_kernels == 1 ? "" : "s", boot.accel,
	       boot.jobs);
	ret = matrix_guest_boot_all(&boot, rows + 1, o->n_kernels);
	/* without memory the rows were never filled: none may pass */
	if (ret == -ENOMEM) {
		p_err("booting the guests: %s", strerror(-ret));
		return FDTEST_EXIT_ENV;
	}
	if (ret)
		p_err("no guest could be started: see the rows");
	return 0;
}

/* A host probe refused for want of privilege (unshare needs CAP_SYS_ADMIN). */
static bool host_refused(const struct matrix_row *host)
{
	const json_t *features = json_object_get(host->result, "features");

	for (int i = 0; i < MATRIX_FEATURES; i++)
		if (json_integer_value(json_object_get(features,
				matrix_feature_names[i])) == -EPERM) {
			p_err("feature probe '%s' was refused: run the matrix as root with every capability (CAP_SYS_ADMIN for a network namespace)",
			      matrix_feature_names[i]);
			return true;
		}
	return false;
}

static int matrix_exec(struct matrix_opts *o)
{
	struct matrix_row rows[1 + MATRIX_KERNELS_MAX] = { 0 };
	char work[] = "/tmp/fdtest-matrix.XXXXXX";
	size_t n_rows = 1 + o->n_kernels;
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
	if (!o->n_dissectors) {
		if (find_default_objects(o, &found))
			return FDTEST_EXIT_USAGE;
		globbed = true;
	}
	for (size_t i = 0; i < o->n_kernels; i++) {
		snprintf(rows[1 + i].label, sizeof(rows[1 + i].label), "%s",
			 o->kernels[i]);
		rows[1 + i].kernel = o->kernels[i];
		if (access(o->kernels[i], R_OK)) {
			p_err("--kernel '%s': %s", o->kernels[i],
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
		       n_rows == 1 ? "" : "s", seconds_since(&start),
		       matrix_render_failed(rows, n_rows));
		ret = matrix_render(matrix_render_find(o->format), stdout,
				    rows, n_rows);
		fflush(stdout);
		code = ret || host_refused(&rows[0]) ? FDTEST_EXIT_ENV :
		       matrix_render_failed(rows, n_rows) ? FDTEST_EXIT_FAIL :
							    FDTEST_EXIT_PASS;
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
