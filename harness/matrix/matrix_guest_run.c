// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* One fdtest run inside a guest (see matrix_guest_run.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "matrix/matrix_guest_run.h"

#define ARGS_MAX 64
#define ARGS_LEN 4096
#define STDOUT_MAX (1u << 20)

char *matrix_guest_run_args(const char *dir)
{
	char path[4096], *buf;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, MATRIX_GUEST_RUN_FILE);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(ARGS_LEN);
	n = buf ? read(fd, buf, ARGS_LEN - 1) : -1;
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* The file @fd holds, from its start, up to STDOUT_MAX bytes. */
static char *slurp(int fd)
{
	char *buf = malloc(STDOUT_MAX + 1);
	ssize_t n;

	if (!buf)
		return NULL;
	n = pread(fd, buf, STDOUT_MAX, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

json_t *matrix_guest_run(const char *args, matrix_run_fn *run)
{
	char copy[ARGS_LEN], *argv[ARGS_MAX + 2], *save = NULL, *text;
	char tmp[] = "/tmp/fdtest-guest-run.XXXXXX";
	int argc = 0, code, saved, fd;
	json_t *out;

	snprintf(copy, sizeof(copy), "%s", args);
	argv[argc++] = "run";
	for (char *w = strtok_r(copy, " \n", &save); w && argc <= ARGS_MAX;
	     w = strtok_r(NULL, " \n", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	fd = mkstemp(tmp);
	if (fd < 0)
		return NULL;
	unlink(tmp);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		if (saved >= 0)
			close(saved);
		close(fd);
		return NULL;
	}
	code = run(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	text = slurp(fd);
	close(fd);
	out = text ? json_pack("{s:i, s:s}", "exit", code, "stdout", text) :
		     NULL;
	free(text);
	return out;
}
