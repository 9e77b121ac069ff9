// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The atomic file writer (see atomic_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util/atomic_file.h"
#include "util/tmpfiles.h"

#define TMP_PREFIX	".fdtest."
#define TMP_RANDOM	6
#define TMP_TRIES	100

struct atomic_file {
	FILE *file;
	char *path;		/* the target */
	char *tmp;		/* NULL: written directly */
	int slot;		/* in tmpfiles, or -1 */
	bool keep;		/* replaces a file: give it its owner, mode */
	uid_t uid;
	gid_t gid;
	mode_t mode;
};

/* What a target is, to fdtest. */
enum target_kind {
	TARGET_NEW,		/* nothing, or a link to nothing */
	TARGET_REGULAR,
	TARGET_LINK,		/* a link to a regular file: replaced */
	TARGET_DIRECT,		/* FIFO, pipe, terminal, null device */
};

/*
 * Terminals by device number, so that no other device is ever opened:
 * opening one can act (a watchdog arms, a tape rewinds). Virtual consoles
 * and serial ports are major 4, /dev/tty and /dev/console 5:0 and 5:1,
 * pseudo-terminal slaves 136-143 (devices.txt).
 */
static bool is_terminal_dev(dev_t rdev)
{
	unsigned int ma = major(rdev), mi = minor(rdev);

	return ma == 4 || (ma == 5 && mi <= 1) || (ma >= 136 && ma <= 143);
}

static bool is_null_dev(dev_t rdev)
{
	return major(rdev) == 1 && minor(rdev) == 3;
}

static bool is_direct(const struct stat *st)
{
	return S_ISFIFO(st->st_mode) ||
	       (S_ISCHR(st->st_mode) &&
		(is_null_dev(st->st_rdev) || is_terminal_dev(st->st_rdev)));
}

static const char *kind_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISCHR(mode))
		return "a character device other than the null device or a terminal";
	return "not a regular file";
}

static int refuse(const struct stat *st, bool via_link, char *err,
		  size_t err_size)
{
	char dev[32] = "";

	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		snprintf(dev, sizeof(dev), " (%u:%u)", major(st->st_rdev),
			 minor(st->st_rdev));
	snprintf(err, err_size,
		 "%s%s%s: fdtest replaces only regular files, and writes into FIFOs, pipes, terminals and the null device",
		 via_link ? "a link to " : "is ", kind_name(st->st_mode), dev);
	return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
}

static int classify(const char *path, struct stat *st, enum target_kind *kind,
		    char *err, size_t err_size)
{
	struct stat to;

	if (lstat(path, st)) {
		if (errno == ENOENT) {
			*kind = TARGET_NEW;
			return 0;
		}
		snprintf(err, err_size, "%s", strerror(errno));
		return -errno;
	}
	if (S_ISREG(st->st_mode)) {
		*kind = TARGET_REGULAR;
		return 0;
	}
	if (!S_ISLNK(st->st_mode)) {
		if (!is_direct(st))
			return refuse(st, false, err, err_size);
		*kind = TARGET_DIRECT;
		return 0;
	}
	if (stat(path, &to)) {
		*kind = TARGET_NEW;	/* the link is replaced */
		return 0;
	}
	if (S_ISREG(to.st_mode)) {
		*kind = TARGET_LINK;
		return 0;
	}
	if (!is_direct(&to))
		return refuse(&to, true, err, err_size);
	*st = to;
	*kind = TARGET_DIRECT;
	return 0;
}

/* Opens a FIFO, pipe, terminal or the null device that @st describes. */
static int open_direct(struct atomic_file *af, const struct stat *st,
		       char *err, size_t err_size)
{
	struct stat now;
	int fd;

	/* a FIFO blocks here until a reader comes, as with a shell's > */
	fd = open(af->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_size, "%s", strerror(errno));
		return -errno;
	}
	/* it must still be what was checked, and a terminal must be one */
	if (fstat(fd, &now) ||
	    (now.st_mode & S_IFMT) != (st->st_mode & S_IFMT) ||
	    now.st_rdev != st->st_rdev ||
	    (S_ISCHR(now.st_mode) && !is_null_dev(now.st_rdev) &&
	     !isatty(fd))) {
		close(fd);
		snprintf(err, err_size,
			 "changed while it was opened, or is not a terminal: fdtest writes only into FIFOs, pipes, terminals and the null device");
		return -EINVAL;
	}
	af->file = fdopen(fd, "w");
	if (!af->file) {
		snprintf(err, err_size, "%s", strerror(errno));
		close(fd);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Random bytes for a name. O_EXCL keeps a name from being taken twice, so
 * they only make a clash unlikely; a matrix guest boots with too little
 * entropy for getrandom() not to block (before 5.18), so never wait.
 */
static void tmp_random(unsigned char *buf, size_t len)
{
	static unsigned int counter;
	struct timespec ts;
	uint64_t x;

	if (getrandom(buf, len, GRND_NONBLOCK) == (ssize_t)len)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	x = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
	x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^
	    x * 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < len; i++, x >>= 8)
		buf[i] = (unsigned char)(x ^ (x >> 29));
}

/* @af->tmp gets a free name in @path's folder; the file is created. */
static int create_tmp(struct atomic_file *af, mode_t mode)
{
	static const char chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char *copy = strdup(af->path);
	char *end;
	int fd = -1;
	int saved;

	if (!copy)
		return -ENOMEM;
	if (asprintf(&af->tmp, "%s/" TMP_PREFIX "XXXXXX", dirname(copy)) < 0) {
		af->tmp = NULL;
		free(copy);
		return -ENOMEM;
	}
	free(copy);
	end = af->tmp + strlen(af->tmp) - TMP_RANDOM;
	for (int tries = 0; fd < 0 && tries < TMP_TRIES; tries++) {
		unsigned char rnd[TMP_RANDOM];

		tmp_random(rnd, sizeof(rnd));
		for (int i = 0; i < TMP_RANDOM; i++)
			end[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		/* listed before a signal can come: held from create to add */
		tmpfiles_hold();
		fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				   O_CLOEXEC, mode);
		saved = errno;
		if (fd >= 0) {
			af->slot = tmpfiles_add(af->tmp);
			if (af->slot < 0) {
				unlink(af->tmp);
				close(fd);
				tmpfiles_release();
				return -ENOSPC;
			}
		}
		tmpfiles_release();
		if (fd < 0 && saved != EEXIST)
			return -saved;
	}
	if (fd < 0)
		return -EEXIST;
	af->file = fdopen(fd, "w");
	if (!af->file) {
		unlink(af->tmp);
		close(fd);
		tmpfiles_remove(af->slot);
		af->slot = -1;
		return -ENOMEM;
	}
	return 0;
}

static void atomic_file_free(struct atomic_file *af)
{
	free(af->tmp);
	free(af->path);
	free(af);
}

int atomic_file_open(const char *path, struct atomic_file **out, char *err,
		     size_t err_size)
{
	struct atomic_file *af;
	enum target_kind kind = TARGET_NEW;
	struct stat st;
	int ret;

	ret = classify(path, &st, &kind, err, err_size);
	if (ret)
		return ret;
	af = calloc(1, sizeof(*af));
	if (!af || !(af->path = strdup(path))) {
		free(af);
		snprintf(err, err_size, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	af->slot = -1;
	if (kind == TARGET_DIRECT) {
		ret = open_direct(af, &st, err, err_size);
	} else {
		af->keep = kind == TARGET_REGULAR;
		af->uid = st.st_uid;
		af->gid = st.st_gid;
		af->mode = st.st_mode & 07777;
		/* private while it replaces a file; else as umask says */
		ret = create_tmp(af, af->keep ? 0600 : 0666);
		if (ret)
			snprintf(err, err_size, "cannot create a file beside it: %s",
				 strerror(-ret));
	}
	if (ret) {
		atomic_file_free(af);
		return ret;
	}
	*out = af;
	return 0;
}

FILE *atomic_file_stream(struct atomic_file *af)
{
	return af->file;
}

const char *atomic_file_path(const struct atomic_file *af)
{
	return af->path;
}

const char *atomic_file_tmp_path(const struct atomic_file *af)
{
	return af->tmp;
}

/* Writes out and closes the stream; the file stays listed. */
static int finish(struct atomic_file *af)
{
	int fd = fileno(af->file);
	int ret = 0;

	if (fflush(af->file) || ferror(af->file))
		ret = errno ? -errno : -EIO;
	if (!ret && af->tmp && fsync(fd))
		ret = -errno;
	/* chown first: it clears set-user-ID and set-group-ID bits */
	if (!ret && af->keep && fchown(fd, af->uid, af->gid) &&
	    geteuid() == 0)
		ret = -errno;
	if (!ret && af->keep && fchmod(fd, af->mode))
		ret = -errno;
	if (fclose(af->file) && !ret)
		ret = -errno;
	af->file = NULL;
	return ret;
}

/* The rename makes the new file visible; the folder's sync keeps it. */
static int publish(struct atomic_file *af)
{
	char *copy;
	int dir;

	if (!af->tmp)
		return 0;
	if (rename(af->tmp, af->path)) {
		int ret = -errno;

		unlink(af->tmp);
		tmpfiles_remove(af->slot);
		return ret;
	}
	tmpfiles_remove(af->slot);
	copy = strdup(af->path);
	dir = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) :
		     -1;
	if (dir >= 0) {
		fsync(dir);
		close(dir);
	}
	free(copy);
	return 0;
}

int atomic_file_commit(struct atomic_file *af)
{
	return atomic_file_commit_all(&af, 1);
}

int atomic_file_commit_all(struct atomic_file *const *afs, size_t n)
{
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++)
		if (afs[i])
			ret = finish(afs[i]);
	if (ret) {
		for (size_t i = 0; i < n; i++)
			atomic_file_abort(afs[i]);
		return ret;
	}
	tmpfiles_hold();
	for (size_t i = 0; i < n; i++) {
		int err;

		if (!afs[i])
			continue;
		err = ret ? -ECANCELED : publish(afs[i]);
		if (err == -ECANCELED) {
			unlink(afs[i]->tmp);
			tmpfiles_remove(afs[i]->slot);
		}
		ret = ret ?: err;
		atomic_file_free(afs[i]);
	}
	tmpfiles_release();
	return ret;
}

void atomic_file_abort(struct atomic_file *af)
{
	if (!af)
		return;
	if (af->file)
		fclose(af->file);
	if (af->tmp) {
		unlink(af->tmp);
		tmpfiles_remove(af->slot);
	}
	atomic_file_free(af);
}

/* dev and ino of @path, or of its folder with @path's last component. */
static int identify(const char *path, struct stat *st, const char **base)
{
	char *copy;
	int ret;

	*base = NULL;
	if (stat(path, st) == 0)
		return 0;
	if (errno != ENOENT)
		return -errno;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	ret = stat(dirname(copy), st) ? -errno : 0;
	free(copy);
	*base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return ret;
}

bool atomic_file_same(const char *a, const char *b)
{
	struct stat sa, sb;
	const char *base_a, *base_b;

	if (identify(a, &sa, &base_a) || identify(b, &sb, &base_b))
		return false;
	if (sa.st_dev != sb.st_dev || sa.st_ino != sb.st_ino)
		return false;
	if (!base_a != !base_b)
		return false;
	if (base_a)
		return strcmp(base_a, base_b) == 0;
	/* a terminal or the null device may be read and written at once */
	return !S_ISCHR(sa.st_mode);
}
