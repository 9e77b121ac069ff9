// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* stderr messages and libbpf's print callback (see log.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "util/log.h"
#include "util/utf8.h"

static enum log_level level = LOG_INFO;

void log_set_level(enum log_level l)
{
	level = l;
}

enum log_level log_get_level(void)
{
	return level;
}

static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	/*
	 * stdout is fully buffered in large pieces when not a terminal:
	 * when both go to one file, a message comes after the report lines
	 * written before it.
	 */
	char *msg = NULL;

	fflush(stdout);
	fputs(prefix, stderr);
	/* messages quote names, which may hold any bytes (utf8.h) */
	if (vasprintf(&msg, fmt, ap) >= 0)
		utf8_put_text(stderr, msg);
	free(msg);
	fputc('\n', stderr);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("Error: ", fmt, ap);
	va_end(ap);
}

void p_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("Warning: ", fmt, ap);
	va_end(ap);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (level < LOG_INFO)
		return;
	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
}

void p_debug(const char *fmt, ...)
{
	va_list ap;

	if (level < LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
}

/*
 * libbpf warns when a load fails and prints the verifier's log then, so
 * warnings always show; its info lines need -v and its debug lines -vv.
 */
static int libbpf_print(enum libbpf_print_level l, const char *fmt,
			va_list ap)
{
	if (l == LIBBPF_INFO && level < LOG_DEBUG)
		return 0;
	if (l == LIBBPF_DEBUG && level < LOG_TRACE)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

static bool stdout_said;

int log_stdout_check(void)
{
	int err;

	errno = 0;
	if (!fflush(stdout) && !ferror(stdout))
		return 0;
	err = errno ? -errno : -EIO;
	if (!stdout_said)
		p_err("writing to stdout: %s", strerror(-err));
	stdout_said = true;
	return err;
}

void log_stdout_said(void)
{
	stdout_said = true;
}
