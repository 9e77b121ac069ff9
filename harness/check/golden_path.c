// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Where a golden lives (see golden_path.h). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check/golden_path.h"

/* The capture's file name without its folder and .pcap or .pcapng. */
static const char *golden_stem(const char *capture, size_t *len)
{
	const char *base = strrchr(capture, '/');

	base = base ? base + 1 : capture;
	*len = strlen(base);
	if (*len > 5 && strcmp(base + *len - 5, ".pcap") == 0)
		*len -= 5;
	else if (*len > 7 && strcmp(base + *len - 7, ".pcapng") == 0)
		*len -= 7;
	return base;
}

/* "", ".", "..", "...": a folder name that leaves the folder or is none */
static bool only_dots(const char *name)
{
	return name[strspn(name, ".")] == '\0';
}

int golden_path_check(const char *expected_dir, const char *dissector,
		      const char *capture, char *err, size_t err_size)
{
	size_t stem;

	golden_stem(capture, &stem);
	if (!*expected_dir) {
		snprintf(err, err_size,
			 "the goldens' folder is empty: it would put them under /");
		return -EINVAL;
	}
	if (only_dots(dissector) || strchr(dissector, '/')) {
		snprintf(err, err_size,
			 "dissector name '%s' (its file name without .bpf.o) cannot name a folder inside '%s': rename the object",
			 dissector, expected_dir);
		return -EINVAL;
	}
	if (strlen(dissector) > NAME_MAX || stem + 5 > NAME_MAX) {
		snprintf(err, err_size,
			 "the golden's %s name is longer than %d bytes: rename the %s",
			 stem + 5 > NAME_MAX ? "file" : "folder", NAME_MAX,
			 stem + 5 > NAME_MAX ? "capture" : "object");
		return -ENAMETOOLONG;
	}
	return 0;
}

/* @sub: a folder inside the dissector's, or NULL */
static int path_of(char *buf, size_t size, const char *expected_dir,
		   const char *dissector, const char *sub, const char *capture)
{
	char why[PATH_MAX];
	const char *base;
	size_t stem;
	int n;

	/* a derived path never leaves the goldens' folder */
	n = golden_path_check(expected_dir, dissector, capture, why,
			      sizeof(why));
	if (n)
		return n;
	base = golden_stem(capture, &stem);
	n = snprintf(buf, size, "%s/%s/%s%s%.*s.json", expected_dir,
		     dissector, sub ? sub : "", sub ? "/" : "", (int)stem,
		     base);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int golden_path(char *buf, size_t size, const char *expected_dir,
		const char *dissector, const char *capture)
{
	return path_of(buf, size, expected_dir, dissector, NULL, capture);
}

int golden_path_real(char *buf, size_t size, const char *expected_dir,
		     const char *dissector, const char *capture)
{
	return path_of(buf, size, expected_dir, dissector, "real", capture);
}
