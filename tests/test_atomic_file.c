// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The atomic writer: what it replaces, what it writes into, what it
 * refuses, and what a signal leaves. Device nodes are made with mknod in
 * the scratch folder (needs root, as every suite here): the machine's
 * /dev is never written.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "util/atomic_file.h"
#include "test_util.h"
#include "util/tmpfiles.h"

/* @name under a folder of the scratch made fresh for the test */
static char *path_in(const char *test, const char *name)
{
	static char buf[16][PATH_MAX];
	static int next;
	char *p = buf[next++ % 16];

	snprintf(p, PATH_MAX, "%s/%s", test_scratch(), test);
	mkdir(p, 0755);
	if (name)
		snprintf(p + strlen(p), PATH_MAX - strlen(p), "/%s", name);
	return p;
}

static void write_text(struct atomic_file *af, const char *text)
{
	assert_true(fputs(text, atomic_file_stream(af)) >= 0);
}

static void assert_file_text(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	assert_string_equal(buf, text);
}

static void test_atomic_file_new_file(void **state)
{
	char *dir = path_in("new", NULL), *path = path_in("new", "out");
	struct atomic_file *af;
	char err[256];
	struct stat st;
	mode_t old;

	(void)state;
	old = umask(027);
	assert_int_equal(atomic_file_open(path, &af, err, sizeof(err)), 0);
	umask(old);
	write_text(af, "new\n");
	/* nothing at the target until commit; the temporary file beside */
	assert_int_equal(access(path, F_OK), -1);
	assert_non_null(strstr(atomic_file_tmp_path(af), "/.fdtest."));
	assert_int_equal(test_count_entries(dir), 1);
	assert_int_equal(atomic_file_commit(af), 0);
	assert_file_text(path, "new\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(test_count_entries(dir), 1);
}

static void test_atomic_file_keeps_owner_and_mode(void **state)
{
	char *path = path_in("keep", "golden.json");
	struct atomic_file *af;
	char err[256];
	struct stat st;

	(void)state;
	test_write_file(path, "old\n");
	assert_int_equal(chown(path, 1234, 5678), 0);
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(atomic_file_open(path, &af, err, sizeof(err)), 0);
	write_text(af, "new\n");
	assert_int_equal(atomic_file_commit(af), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 1234);
	assert_int_equal(st.st_gid, 5678);
	assert_int_equal(st.st_mode & 07777, 0604);
	assert_file_text(path, "new\n");
}

static void test_atomic_file_abort_keeps_old(void **state)
{
	char *dir = path_in("abort", NULL), *path = path_in("abort", "f");
	struct atomic_file *af;
	char err[256];

	(void)state;
	test_write_file(path, "old\n");
	assert_int_equal(atomic_file_open(path, &af, err, sizeof(err)), 0);
	write_text(af, "new\n");
	assert_int_equal(test_count_entries(dir), 2);
	atomic_file_abort(af);
	atomic_file_abort(NULL);
	assert_int_equal(test_count_entries(dir), 1);
	assert_file_text(path, "old\n");
}

/* A FIFO and the null device are written into and stay what they are. */
static void test_atomic_file_direct(void **state)
{
	char *fifo = path_in("direct", "fifo"), *null = path_in("direct", "null");
	struct atomic_file *af;
	char err[256], buf[16] = "";
	struct stat st;
	int rd;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(mknod(null, S_IFCHR | 0666, makedev(1, 3)), 0);
	/* a reader first, or opening the FIFO to write waits for one */
	rd = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_int_equal(atomic_file_open(fifo, &af, err, sizeof(err)), 0);
	assert_null(atomic_file_tmp_path(af));
	write_text(af, "through\n");
	assert_int_equal(atomic_file_commit(af), 0);
	assert_int_equal(read(rd, buf, sizeof(buf) - 1), 8);
	assert_string_equal(buf, "through\n");
	close(rd);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));

	assert_int_equal(atomic_file_open(null, &af, err, sizeof(err)), 0);
	write_text(af, "gone\n");
	assert_int_equal(atomic_file_commit(af), 0);
	assert_int_equal(lstat(null, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(1, 3));
	assert_int_equal(test_count_entries(path_in("direct", NULL)), 2);
}

/*
 * A terminal: a pseudo-terminal of our own, through a link in the
 * scratch folder as /dev/stdout is one (devpts refuses to open a slave
 * through a node made elsewhere).
 */
static void test_atomic_file_terminal(void **state)
{
	char *tty = path_in("tty", "tty");
	struct atomic_file *af;
	char err[256];
	struct stat st;
	int master;

	(void)state;
	master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	assert_int_equal(symlink(ptsname(master), tty), 0);
	assert_int_equal(atomic_file_open(tty, &af, err, sizeof(err)), 0);
	assert_null(atomic_file_tmp_path(af));
	write_text(af, "to a terminal\n");
	assert_int_equal(atomic_file_commit(af), 0);
	assert_int_equal(lstat(tty, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	close(master);
}

static void make_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof(sa.sun_path));
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
}

/* Refused without being opened, and left as they were. */
static void test_atomic_file_refuses(void **state)
{
	static const struct {
		const char *name;
		mode_t mode;
		unsigned int major, minor;
		int err;
		const char *says;
	} cases[] = {
		{ "zero", S_IFCHR, 1, 5, -EINVAL, "is a character device" },
		{ "watchdog", S_IFCHR, 10, 130, -EINVAL, "(10:130)" },
		{ "loop", S_IFBLK, 7, 200, -EINVAL, "is a block device (7:200)" },
		{ "dir", S_IFDIR, 0, 0, -EISDIR, "is a directory" },
		{ "sock", S_IFSOCK, 0, 0, -EINVAL, "is a socket" },
		{ "to-dir", S_IFLNK, 0, 0, -EISDIR, "a link to a directory" },
	};
	struct atomic_file *af = NULL;
	char err[256];
	struct stat before, after;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = path_in("refuse", cases[i].name);

		if (S_ISDIR(cases[i].mode))
			assert_int_equal(mkdir(path, 0755), 0);
		else if (S_ISSOCK(cases[i].mode))
			make_socket(path);
		else if (S_ISLNK(cases[i].mode))
			assert_int_equal(symlink(".", path), 0);
		else
			assert_int_equal(mknod(path, cases[i].mode | 0600,
					       makedev(cases[i].major,
						       cases[i].minor)), 0);
		assert_int_equal(lstat(path, &before), 0);
		err[0] = '\0';
		if (atomic_file_open(path, &af, err, sizeof(err)) !=
		    cases[i].err)
			fail_msg("%s: not refused (%s)", cases[i].name, err);
		if (!strstr(err, cases[i].says))
			fail_msg("%s: '%s' does not say '%s'", cases[i].name,
				 err, cases[i].says);
		assert_int_equal(lstat(path, &after), 0);
		assert_int_equal(after.st_ino, before.st_ino);
		assert_int_equal(after.st_mode, before.st_mode);
	}
	assert_int_equal(test_count_entries(path_in("refuse", NULL)), 6);
}

/* A link is replaced itself: what it leads to is never written. */
static void test_atomic_file_link_replaced(void **state)
{
	char *victim = path_in("link", "victim");
	char *link = path_in("link", "golden.json");
	char *dangling = path_in("link", "dangling.json");
	struct atomic_file *af;
	char err[256];
	struct stat st;

	(void)state;
	test_write_file(victim, "victim\n");
	assert_int_equal(symlink("victim", link), 0);
	assert_int_equal(symlink("nowhere/x", dangling), 0);
	assert_int_equal(atomic_file_open(link, &af, err, sizeof(err)), 0);
	write_text(af, "new\n");
	assert_int_equal(atomic_file_commit(af), 0);
	assert_file_text(victim, "victim\n");
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(atomic_file_open(dangling, &af, err, sizeof(err)), 0);
	assert_int_equal(atomic_file_commit(af), 0);
	assert_int_equal(lstat(dangling, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

/* NAME_MAX bytes of name: the temporary name must not depend on it */
static void test_atomic_file_longest_name(void **state)
{
	char name[NAME_MAX + 1];
	struct atomic_file *af;
	char err[256];

	(void)state;
	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	assert_int_equal(atomic_file_open(path_in("long", name), &af, err,
					  sizeof(err)), 0);
	assert_int_equal(atomic_file_commit(af), 0);
	assert_int_equal(access(path_in("long", name), F_OK), 0);
}

/* One failure in a group: none of the group appears. */
static void test_atomic_file_commit_all_or_none(void **state)
{
	char *a = path_in("group", "a"), *b = path_in("group", "b");
	char *fifo = path_in("group", "fifo");
	struct atomic_file *afs[3];
	char err[256];
	int rd;

	(void)state;
	assert_int_equal(atomic_file_open(a, &afs[0], err, sizeof(err)), 0);
	assert_int_equal(atomic_file_open(b, &afs[1], err, sizeof(err)), 0);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	rd = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_int_equal(atomic_file_open(fifo, &afs[2], err, sizeof(err)), 0);
	/* the reader goes: flushing the FIFO fails (EPIPE, SIGPIPE ignored) */
	close(rd);
	write_text(afs[0], "a\n");
	write_text(afs[1], "b\n");
	write_text(afs[2], "lost\n");
	assert_int_equal(atomic_file_commit_all(afs, 3), -EPIPE);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(access(b, F_OK), -1);
	assert_int_equal(test_count_entries(path_in("group", NULL)), 1);

	assert_int_equal(atomic_file_open(a, &afs[0], err, sizeof(err)), 0);
	afs[1] = NULL;
	assert_int_equal(atomic_file_open(b, &afs[2], err, sizeof(err)), 0);
	assert_int_equal(atomic_file_commit_all(afs, 3), 0);
	assert_int_equal(test_count_entries(path_in("group", NULL)), 3);
}

/*
 * In a child: a file being written when @sig comes (held across a
 * commit when @hold). Returns how the child ended.
 */
static int child_signalled(const char *path, int sig, bool hold)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct atomic_file *af;
		char err[256];

		if (atomic_file_open(path, &af, err, sizeof(err)))
			_exit(90);
		fputs("partial\n", atomic_file_stream(af));
		if (hold)
			tmpfiles_hold();
		raise(sig);
		/* held: the signal waits until the commit is done */
		if (!hold || atomic_file_commit(af))
			_exit(91);
		tmpfiles_release();
		_exit(92);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_atomic_file_signal_removes_temp(void **state)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char *dir = path_in("signal", NULL), *path = path_in("signal", "f");

	(void)state;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int status = child_signalled(path, sigs[i], false);

		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), sigs[i]);
		assert_int_equal(test_count_entries(dir), 0);
	}
	/* held: committed whole, then the signal ends the process */
	{
		int status = child_signalled(path, SIGTERM, true);

		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGTERM);
		assert_file_text(path, "partial\n");
		assert_int_equal(test_count_entries(dir), 1);
	}
}

#define MANY_FILES 70	/* goldens committed together: more than a block */

/*
 * Many files at once (every real golden of an --update): all are
 * committed, and a signal among them removes every temporary file.
 */
static void test_atomic_file_many_at_once(void **state)
{
	struct atomic_file *afs[MANY_FILES];
	char dir[PATH_MAX], name[32], err[256];
	pid_t pid;
	int status;

	(void)state;
	/* path_in()'s buffers are reused: keep the folder's own copy */
	snprintf(dir, sizeof(dir), "%s", path_in("many", NULL));
	for (int i = 0; i < MANY_FILES; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(atomic_file_open(path_in("many", name),
						  &afs[i], err, sizeof(err)), 0);
		write_text(afs[i], "x\n");
	}
	assert_int_equal(atomic_file_commit_all(afs, MANY_FILES), 0);
	assert_int_equal(test_count_entries(dir), MANY_FILES);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < MANY_FILES; i++) {
			snprintf(name, sizeof(name), "g%d", i);
			if (atomic_file_open(path_in("many", name), &afs[i],
					     err, sizeof(err)))
				_exit(90);
		}
		raise(SIGTERM);
		_exit(91);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(test_count_entries(dir), MANY_FILES);
}

static void test_atomic_file_same(void **state)
{
	char *a = path_in("same", "a"), *hard = path_in("same", "hard");
	char dotted[PATH_MAX];

	(void)state;
	test_write_file(a, "x");
	assert_int_equal(link(a, hard), 0);
	assert_true(atomic_file_same(a, hard));
	snprintf(dotted, sizeof(dotted), "%s/../same/./new", path_in("same", NULL));
	assert_true(atomic_file_same(path_in("same", "new"), dotted));
	assert_false(atomic_file_same(a, path_in("same", "new")));
	assert_false(atomic_file_same(a, path_in("same", NULL)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_file_new_file),
		cmocka_unit_test(test_atomic_file_keeps_owner_and_mode),
		cmocka_unit_test(test_atomic_file_abort_keeps_old),
		cmocka_unit_test(test_atomic_file_direct),
		cmocka_unit_test(test_atomic_file_terminal),
		cmocka_unit_test(test_atomic_file_refuses),
		cmocka_unit_test(test_atomic_file_link_replaced),
		cmocka_unit_test(test_atomic_file_longest_name),
		cmocka_unit_test(test_atomic_file_commit_all_or_none),
		cmocka_unit_test(test_atomic_file_signal_removes_temp),
		cmocka_unit_test(test_atomic_file_many_at_once),
		cmocka_unit_test(test_atomic_file_same),
	};

	/* a FIFO whose reader left fails a write, not the test */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, test_scratch_setup,
				      test_scratch_teardown);
}
