// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Inputs by name, regular files only (see input_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "util/input_file.h"

const char *input_file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return NULL;
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO or pipe";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	}
	return "not a regular file";
}

FILE *input_file_open(const char *path, struct stat *st, const char **kind)
{
	struct stat own;
	FILE *f;
	int fd;

	if (!st)
		st = &own;
	if (kind)
		*kind = NULL;
	/* a device is never opened: opening one may act on it */
	if (stat(path, st))
		return NULL;
	if (input_file_kind(st->st_mode))
		goto not_regular;
	/* non-blocking, in case a FIFO took its place since */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, st) || input_file_kind(st->st_mode) ||
	    fcntl(fd, F_SETFL, 0)) {
		int e = errno;

		close(fd);
		if (input_file_kind(st->st_mode))
			goto not_regular;
		errno = e;
		return NULL;
	}
	f = fdopen(fd, "rb");
	if (!f) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;

not_regular:
	if (kind)
		*kind = input_file_kind(st->st_mode);
	errno = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
	return NULL;
}
