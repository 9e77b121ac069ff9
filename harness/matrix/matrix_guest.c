// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Guests under qemu: pack, boot, watch, collect (see matrix_guest.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "matrix/matrix_console.h"
#include "check/kernel_dissector.h"
#include "matrix/matrix_golden.h"
#include "matrix/matrix_guest.h"
#include "matrix/matrix_guest_run.h"
#include "matrix/matrix_initramfs.h"
#include "matrix/matrix_suite.h"
#include "run/dissector.h"
#include "util/clock.h"
#include "util/log.h"

#define TAIL_LINES 15
#define POLL_NS 50000000L		/* 50 ms between looks at the guests */
#define POWEROFF_GRACE_S 10.0		/* after the result, to power off */
#define KVM_CPU "host"
#define TCG_CPU "max"

void matrix_row_clear(struct matrix_row *row)
{
	json_decref(row->result);
	row->result = NULL;
	free(row->console_tail);
	row->console_tail = NULL;
}

/* ---- the initramfs ---------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Adds @paths under @folder and their names, in order, to @list_name. */
static int pack_list(struct initramfs *ir, const char *folder,
		     const char *list_name, const char *const *paths,
		     size_t n, char *err, size_t err_size)
{
	char name[4096], *list = NULL;
	size_t list_len = 0;
	FILE *mem = open_memstream(&list, &list_len);
	int ret = 0;

	if (!mem)
		return -ENOMEM;
	for (size_t i = 0; i < n && !ret; i++) {
		snprintf(name, sizeof(name), "%s/%s", folder,
			 base_name(paths[i]));
		if (strcmp(paths[i], MATRIX_KERNEL_BUILTIN) == 0)
			ret = matrix_initramfs_add_data(ir, name, "", 0, 0644);
		else
			ret = matrix_initramfs_add_file(ir, name, paths[i],
							0644);
		if (ret)
			snprintf(err, err_size, "'%s': %s", paths[i],
				 strerror(-ret));
		fprintf(mem, "%s\n", base_name(paths[i]));
	}
	fclose(mem);
	if (!ret)
		ret = matrix_initramfs_add_data(ir, list_name, list, list_len,
						0644);
	free(list);
	return ret;
}

/* Two objects or captures of one file name would overwrite each other. */
static int pack_check_names(const char *const *paths, size_t n, char *err,
			    size_t err_size)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++) {
			const char *a = base_name(paths[i]);

			if (strcmp(a, base_name(paths[j])) == 0) {
				snprintf(err, err_size,
					 "'%s' and '%s' have the same file name: the guest would see one; rename one",
					 paths[j], paths[i]);
				return -EINVAL;
			}
		}
	return 0;
}

void matrix_dissector_name(const char *path, char *out, size_t size)
{
	if (matrix_is_kernel_builtin(path))
		snprintf(out, size, "%s", KERNEL_DISSECTOR_NAME);
	else
		dissector_name_of(path, out, size);
}

/*
 * The goldens and overrides of one dissector (@root: <expected>/<name>)
 * for every capture into the guest's @dir: test-run goldens at the root,
 * the real path's in real/ (matrix_golden_files() lists both kinds).
 */
static int pack_golden_folder(struct initramfs *ir, const char *root,
			      const char *name, const char *dir,
			      const struct matrix_pack *p, char *err,
			      size_t err_size)
{
	char file[4096];
	int ret = matrix_initramfs_add_dir(ir, dir);

	for (size_t c = 0; c < p->n_captures && !ret; c++) {
		char **paths;
		size_t n;

		ret = matrix_golden_files(root, name, p->captures[c], &paths,
					  &n);
		for (size_t i = 0; i < n && !ret; i++) {
			snprintf(file, sizeof(file), "%s/%s", dir,
				 base_name(paths[i]));
			ret = matrix_initramfs_add_file(ir, file, paths[i],
							0644);
			if (ret)
				snprintf(err, err_size, "'%s': %s", paths[i],
					 strerror(-ret));
		}
		matrix_golden_files_free(paths, n);
	}
	return ret;
}

/* The goldens and overrides of every dissector and capture. */
static int pack_goldens(struct initramfs *ir, const struct matrix_pack *p,
			char *err, size_t err_size)
{
	char dir[512], root[4096];
	int ret = 0;

	ret = matrix_initramfs_add_dir(ir, "suite/expected");
	for (size_t d = 0; d < p->n_dissectors && !ret; d++) {
		char dis[256];

		matrix_dissector_name(p->dissectors[d], dis, sizeof(dis));
		snprintf(dir, sizeof(dir), "suite/expected/%s", dis);
		ret = pack_golden_folder(ir, p->expected_dir, dis, dir, p,
					 err, err_size);
		/* real/ too, for --path real and for --guest-run's commands */
		if (ret)
			continue;
		snprintf(root, sizeof(root), "%s/%s", p->expected_dir, dis);
		snprintf(dir, sizeof(dir), "suite/expected/%s/real", dis);
		ret = pack_golden_folder(ir, root, "real", dir, p, err,
					 err_size);
	}
	if (ret && !err[0])
		snprintf(err, err_size, "goldens in '%s': %s", p->expected_dir,
			 strerror(-ret));
	return ret;
}

/* Empty files in the suite: --path real, --update were asked for. */
#define REAL_PATH_FILE "path-real"
#define UPDATE_FILE "update-real"

static bool suite_has(const char *dir, const char *file)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

bool matrix_guest_real_path(const char *dir)
{
	return suite_has(dir, REAL_PATH_FILE);
}

bool matrix_guest_update(const char *dir)
{
	return suite_has(dir, UPDATE_FILE);
}

int matrix_guest_pack(const struct matrix_pack *p, const char *path,
		      char *err, size_t err_size)
{
	static const char *const dirs[] = {
		"bin", "dev", "proc", "sys", "tmp", "suite",
		"suite/dissectors", "suite/pcaps",
	};
	struct initramfs *ir;
	int ret;

	err[0] = '\0';
	ret = pack_check_names(p->dissectors, p->n_dissectors, err,
			       err_size);
	ret = ret ?: pack_check_names(p->captures, p->n_captures, err,
				      err_size);
	if (ret)
		return ret;
	ret = matrix_initramfs_open(path, &ir);
	if (ret) {
		snprintf(err, err_size, "initramfs '%s': %s", path,
			 strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !ret; i++)
		ret = matrix_initramfs_add_dir(ir, dirs[i]);
	ret = ret ?: matrix_initramfs_add_chardev(ir, "dev/console", 5, 1);
	if (!ret) {
		ret = matrix_initramfs_add_file(ir, "init", p->init, 0755);
		if (ret)
			snprintf(err, err_size,
				 "guest init '%s': %s (build it with 'make matrix-guest')",
				 p->init, strerror(-ret));
	}
	if (!ret) {
		ret = matrix_initramfs_add_file(ir, "bin/fdtest", p->fdtest,
						0755);
		if (ret)
			snprintf(err, err_size,
				 "static fdtest '%s': %s (build it with 'make matrix-guest')",
				 p->fdtest, strerror(-ret));
	}
	ret = ret ?: pack_list(ir, "suite/dissectors", "suite/dissectors.list",
			       p->dissectors, p->n_dissectors, err, err_size);
	ret = ret ?: pack_list(ir, "suite/pcaps", "suite/pcaps.list",
			       p->captures, p->n_captures, err, err_size);
	ret = ret ?: pack_goldens(ir, p, err, err_size);
	if (!ret && p->real_path)
		ret = matrix_initramfs_add_data(ir, "suite/" REAL_PATH_FILE,
						"", 0, 0644);
	if (!ret && p->update)
		ret = matrix_initramfs_add_data(ir, "suite/" UPDATE_FILE, "",
						0, 0644);
	if (!ret && p->run_args)
		ret = matrix_initramfs_add_data(ir,
						"suite/" MATRIX_GUEST_RUN_FILE,
						p->run_args,
						strlen(p->run_args), 0644);
	if (ret) {
		if (!err[0])
			snprintf(err, err_size, "initramfs '%s': %s", path,
				 strerror(-ret));
		matrix_initramfs_abort(ir);
		return ret;
	}
	ret = matrix_initramfs_commit(ir);
	if (ret)
		snprintf(err, err_size, "initramfs '%s': %s", path,
			 strerror(-ret));
	return ret;
}

/* ---- one guest -------------------------------------------------------- */

struct guest {
	pid_t pid;
	char nonce[MATRIX_NONCE_MAX];
	char console[4096];	/* path of the console's copy */
	struct timespec start;
	double result_at;	/* seconds to the "exit" frame, or < 0 */
	double limit_s;
	bool done;
	bool timed_out;
	char crash[256];	/* the kernel's first oops or panic line */
	int status;		/* qemu's wait status */
};

const char *matrix_guest_cpu(const struct matrix_boot *b, const char *accel)
{
	/* "host" exists only under KVM: TCG aborts on it */
	if (strcmp(accel, "kvm") == 0)
		return b->cpu ? b->cpu : KVM_CPU;
	return b->tcg_cpu ? b->tcg_cpu : TCG_CPU;
}

static int guest_start(struct guest *g, const struct matrix_boot *b,
		       const char *accel, const char *kernel,
		       const char *extra, const char *console,
		       unsigned int timeout_s)
{
	char append[256];
	char mem[16];
	int fd, ret;

	memset(g, 0, sizeof(*g));
	g->result_at = -1;
	g->limit_s = timeout_s;
	snprintf(g->console, sizeof(g->console), "%s", console);
	ret = matrix_console_nonce(g->nonce);
	if (ret)
		return ret;
	snprintf(append, sizeof(append),
		 "console=ttyS0 panic=-1 quiet loglevel=4 fdtest_nonce=%s%s",
		 g->nonce, extra);
	snprintf(mem, sizeof(mem), "%u", b->memory_mb);
	fd = open(console, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &g->start);
	g->pid = fork();
	if (g->pid < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (g->pid == 0) {
		const char *argv[] = {
			b->qemu, "-accel", accel, "-cpu",
			matrix_guest_cpu(b, accel),
			"-m", mem, "-smp", "1", "-nodefaults",
			"-no-user-config", "-display", "none", "-no-reboot",
			"-serial", "stdio", "-kernel", kernel,
			"-initrd", b->initramfs, "-append", append, NULL,
		};
		int null = open("/dev/null", O_RDONLY);

		dup2(null, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		dprintf(fd, "fdtest: cannot run %s: %s (install qemu-system-x86)\n",
			argv[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	return 0;
}

/* The whole console copy, NUL-terminated; NULL if unreadable. */
static char *console_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			char *p = realloc(buf, cap + 65536);

			if (!p)
				break;
			buf = p;
			cap += 65536;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

/* Lines a kernel prints when it has crashed: nothing after is trusted. */
static const char *const crash_marks[] = {
	"Kernel panic - not syncing", "Oops:", "BUG: ",
};

/* The first crash mark in @p..@end, or NULL. */
static const char *crash_in(const char *p, const char *end)
{
	const char *first = NULL;

	for (size_t i = 0; i < sizeof(crash_marks) / sizeof(crash_marks[0]);
	     i++) {
		const char *m = memmem(p, (size_t)(end - p), crash_marks[i],
				       strlen(crash_marks[i]));

		if (m && (!first || m < first))
			first = m;
	}
	return first;
}

void matrix_guest_find_crash(const char *text, size_t len,
			     const char *nonce, char *out, size_t size)
{
	const char *end = text + len, *line = text;

	out[0] = '\0';
	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *stop = eol ? eol : end;
		const char *mark;

		/*
		 * a line still being written is judged when it is whole: half
		 * a frame line fails its checksum and would read as the
		 * kernel's (a dissector 'Oops:' in the half already there)
		 */
		if (!eol)
			break;
		while (stop > line && stop[-1] == '\r')
			stop--;
		/* frame lines carry user names (a dissector 'Oops:') */
		stop = line + matrix_console_line_start(line,
							(size_t)(stop - line),
							nonce);
		mark = crash_in(line, stop);
		if (mark) {
			snprintf(out, size, "%.*s", (int)(stop - mark), mark);
			return;
		}
		line = eol ? eol + 1 : end;
	}
}

/* Reads the console: has the "exit" frame come, has the kernel crashed? */
static void guest_look(struct guest *g, double t)
{
	char *text, *payload = NULL, err[128];
	size_t len;

	text = console_read(g->console, &len);
	if (!text)
		return;
	if (g->result_at < 0 &&
	    matrix_console_find(text, len, g->nonce, "exit", &payload, err,
				sizeof(err)) == 0)
		g->result_at = t;
	if (!g->crash[0])
		matrix_guest_find_crash(text, len, g->nonce, g->crash,
					sizeof(g->crash));
	free(payload);
	free(text);
}

static void guest_kill(struct guest *g)
{
	kill(g->pid, SIGKILL);
	waitpid(g->pid, &g->status, 0);
	g->done = true;
}

/* One look: reaped, timed out, crashed or result seen. Never blocks. */
static void guest_poll(struct guest *g)
{
	double t = clock_seconds_since(&g->start);

	if (g->done)
		return;
	if (waitpid(g->pid, &g->status, WNOHANG) == g->pid) {
		g->done = true;
		guest_look(g, t);
		return;
	}
	guest_look(g, t);
	if (g->crash[0] && g->result_at < 0) {
		guest_kill(g);	/* it will not answer, or not truthfully */
		return;
	}
	/* a guest that answered but will not power off is done too */
	if (t > g->limit_s ||
	    (g->result_at >= 0 && t > g->result_at + POWEROFF_GRACE_S)) {
		g->timed_out = g->result_at < 0;
		guest_kill(g);
	}
}

/* A crash of the kernel, not of the host's making: worth a new boot. */
static bool guest_crashed(const struct guest *g)
{
	return g->crash[0] && g->result_at < 0 && !g->timed_out;
}

/* The last TAIL_LINES lines, printable ASCII only. */
static char *console_tail(const char *text, size_t len)
{
	const char *p = text + len;
	char *out, *o;
	int lines = 0;

	while (p > text && len && (p[-1] == '\n' || p[-1] == '\r'))
		p--;
	while (p > text && lines <= TAIL_LINES)
		if (*--p == '\n')
			lines++;
	if (*p == '\n')
		p++;
	out = malloc((size_t)(text + len - p) + 1);
	if (!out)
		return NULL;
	for (o = out; p < text + len; p++)
		if (*p == '\n' || (*p >= ' ' && *p < 127))
			*o++ = *p;
	*o = '\0';
	return out;
}

/* Why a guest left no result, from how qemu ended and what it printed. */
static void guest_reason(const struct guest *g, const char *text,
			 const char *frame_err, char *out, size_t size)
{
	(void)text;
	if (g->crash[0] && !g->timed_out)
		snprintf(out, size, "the kernel crashed: %s", g->crash);
	else if (g->timed_out)
		snprintf(out, size, "no result within %.0f s: killed",
			 g->limit_s);
	else if (WIFSIGNALED(g->status))
		snprintf(out, size, "qemu killed by signal %d before the result",
			 WTERMSIG(g->status));
	else if (WIFEXITED(g->status) && WEXITSTATUS(g->status))
		snprintf(out, size, "qemu exited with status %d: %s",
			 WEXITSTATUS(g->status), frame_err);
	else
		snprintf(out, size, "guest stopped: %s", frame_err);
}

/* Turns what the guest printed into its row. */
static void guest_collect(const struct guest *g, struct matrix_row *row)
{
	char *text, *payload = NULL, err[256] = "", exit_err[256];
	size_t len = 0;
	json_error_t jerr;
	int ret;

	row->seconds = g->result_at >= 0 ? g->result_at :
					   clock_seconds_since(&g->start);
	text = console_read(g->console, &len);
	ret = text ? matrix_console_find(text, len, g->nonce, "exit", &payload,
					 exit_err, sizeof(exit_err)) : -EIO;
	if (ret == 0) {
		snprintf(row->guest_exit, sizeof(row->guest_exit), "%s",
			 payload);
		free(payload);
		payload = NULL;
	}
	if (text)
		ret = matrix_console_find(text, len, g->nonce, "result",
					  &payload, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "console copy unreadable");
	if (!ret) {
		row->result = json_loads(payload, 0, &jerr);
		if (!row->result)
			snprintf(err, sizeof(err), "result is not JSON: %s",
				 jerr.text);
	}
	if (!row->result && row->guest_exit[0] && !g->crash[0]) {
		row->failed = true;
		snprintf(row->reason, sizeof(row->reason),
			 "guest fdtest ended with '%s' and no result: %s",
			 row->guest_exit, err);
	} else if (!row->result) {
		row->failed = true;
		guest_reason(g, text, err, row->reason, sizeof(row->reason));
	} else if (strcmp(row->guest_exit, "exit 0") &&
		   strcmp(row->guest_exit, "exit 1")) {
		row->failed = true;
		snprintf(row->reason, sizeof(row->reason),
			 "guest fdtest ended with '%s'",
			 row->guest_exit[0] ? row->guest_exit : exit_err);
	} else {
		row->failed = matrix_suite_why(row->result, row->reason,
					       sizeof(row->reason));
	}
	if (row->failed && text)
		row->console_tail = console_tail(text, len);
	free(payload);
	free(text);
}

static void sleep_poll(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
}

static int guest_boot(struct guest *g, const struct matrix_boot *b,
		      size_t index, struct matrix_row *row)
{
	char console[4096];
	int ret;

	snprintf(console, sizeof(console), "%s/console-%zu.log", b->work_dir,
		 index);
	ret = guest_start(g, b, b->accel, row->kernel, "", console,
			  b->timeout_s);
	if (ret) {
		row->failed = true;
		snprintf(row->reason, sizeof(row->reason),
			 "cannot start qemu: %s", strerror(-ret));
		g->done = true;
		g->pid = 0;
		return ret;
	}
	row->boots++;
	return 0;
}

/*
 * A guest that is done: a kernel crash is booted again while retries
 * last (the row says so); anything else becomes the row. Returns true
 * when the guest runs again.
 */
static bool guest_finish(struct guest *g, const struct matrix_boot *b,
			 size_t index, struct matrix_row *row)
{
	if (guest_crashed(g) && row->boots <= b->retries) {
		if (!row->first_crash[0])
			snprintf(row->first_crash, sizeof(row->first_crash),
				 "%s", g->crash);
		p_info("%s: the kernel crashed (%s): booting it again",
		       row->label, g->crash);
		return guest_boot(g, b, index, row) == 0;
	}
	guest_collect(g, row);
	return false;
}

int matrix_guest_boot_all(const struct matrix_boot *b,
			  struct matrix_row *rows, size_t n)
{
	struct guest *g = calloc(n ? n : 1, sizeof(*g));
	size_t next = 0, running = 0, started = 0;

	if (!g)
		return -ENOMEM;
	while (next < n || running) {
		while (next < n && running < b->jobs) {
			if (guest_boot(&g[next], b, next, &rows[next]) == 0) {
				running++;
				started++;
			}
			next++;
		}
		sleep_poll();
		for (size_t i = 0; i < next; i++) {
			if (!g[i].pid || g[i].done)
				continue;
			guest_poll(&g[i]);
			if (g[i].done && !guest_finish(&g[i], b, i, &rows[i]))
				running--;
		}
	}
	free(g);
	return started ? 0 : -ECHILD;
}

/* ---- the accelerator -------------------------------------------------- */

struct matrix_kvm_probe {
	struct guest g;
	bool started;
};

int matrix_guest_kvm_start(const struct matrix_boot *b, const char *kernel,
			   unsigned int timeout_s,
			   struct matrix_kvm_probe **out)
{
	struct matrix_kvm_probe *p = calloc(1, sizeof(*p));
	char console[4096];
	int fd;

	if (!p)
		return -ENOMEM;
	*out = p;
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* no KVM: finish says so */
	close(fd);
	snprintf(console, sizeof(console), "%s/console-kvm-probe.log",
		 b->work_dir);
	p->started = guest_start(&p->g, b, "kvm", kernel, " fdtest_probe",
				 console, timeout_s) == 0;
	return 0;
}

bool matrix_guest_kvm_finish(struct matrix_kvm_probe *p)
{
	bool works = false;

	if (!p)
		return false;
	if (p->started) {
		while (!p->g.done) {
			guest_poll(&p->g);
			/* answered: no need to watch it power off */
			if (p->g.result_at >= 0 && !p->g.done)
				guest_kill(&p->g);
			if (!p->g.done)
				sleep_poll();
		}
		works = p->g.result_at >= 0;
	}
	free(p);
	return works;
}
