// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Paths beside the fdtest binary (see exe_path.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/exe_path.h"

int exe_path_dir(char *out, size_t size)
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
	n = snprintf(out, size, "%s", exe);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int exe_path_beside(char *out, size_t size, const char *rel)
{
	char dir[PATH_MAX];
	int n = exe_path_dir(dir, sizeof(dir));

	if (n)
		return n;
	n = snprintf(out, size, "%s/%s", dir, rel);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}
