// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* One fdtest run inside a guest (see matrix_guest_run.h). */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "matrix/matrix_guest_run.h"

#define ARGS_MAX 256	/* words, after patterns are expanded */
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

json_t *matrix_guest_run(const char *args,
			 const struct matrix_guest_cmd *cmds, size_t n)
{
	char copy[ARGS_LEN], *save = NULL, *text;
	char tmp[] = "/tmp/fdtest-guest-run.XXXXXX";
	const struct matrix_guest_cmd *cmd = &cmds[0];
	glob_t words = { .gl_offs = 1 };	/* [0]: the command */
	int flags = GLOB_DOOFFS | GLOB_NOCHECK, code, saved, fd;
	char *w;
	json_t *out = NULL;

	snprintf(copy, sizeof(copy), "%s", args);
	w = strtok_r(copy, " \n", &save);
	for (size_t i = 0; w && i < n; i++)
		if (strcmp(w, cmds[i].name) == 0) {
			cmd = &cmds[i];
			w = strtok_r(NULL, " \n", &save);
			break;
		}
	/* a pattern (a star in a name) is expanded as a shell would */
	for (; w; w = strtok_r(NULL, " \n", &save), flags |= GLOB_APPEND)
		if (glob(w, flags, NULL, &words) ||
		    words.gl_pathc > ARGS_MAX)
			goto out_free_words;
	if (!words.gl_pathv &&
	    !(words.gl_pathv = calloc(2, sizeof(*words.gl_pathv))))
		goto out_free_words;
	words.gl_pathv[0] = (char *)cmd->name;
	fd = mkstemp(tmp);
	if (fd < 0)
		goto out_free_words;
	unlink(tmp);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		if (saved >= 0)
			close(saved);
		close(fd);
		goto out_free_words;
	}
	code = cmd->fn((int)(1 + words.gl_pathc), words.gl_pathv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	text = slurp(fd);
	close(fd);
	out = text ? json_pack("{s:s, s:i, s:s}", "command", cmd->name,
			       "exit", code, "stdout", text) : NULL;
	free(text);
out_free_words:
	if (words.gl_pathv)
		words.gl_pathv[0] = NULL;	/* not glob's to free */
	globfree(&words);
	return out;
}
