/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Messages for people go to stderr; stdout carries only results.
 * p_err() says what failed and what to do; p_info() is progress and
 * context; p_debug() shows with -v. libbpf's own messages pass through
 * log_libbpf_print() one level lower.
 */
#ifndef FDTEST_LOG_H
#define FDTEST_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_QUIET,	/* errors only */
	LOG_INFO,	/* default */
	LOG_DEBUG,	/* -v */
	LOG_TRACE,	/* -vv: libbpf debug output too */
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

__attribute__((format(printf, 1, 2))) void p_err(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void p_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void p_info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void p_debug(const char *fmt, ...);

/*
 * Flushes stdout: 0, or a negative errno once output was lost (a full
 * disk, a closed pipe), said once per process ("writing to stdout: ...").
 * Results that did not reach stdout make a command's exit 2.
 */
int log_stdout_check(void);
/* The loss of stdout was said by the caller in its own words. */
void log_stdout_said(void);

/* Installs the libbpf print callback (libbpf_set_print). */
void log_setup_libbpf(void);

#endif /* FDTEST_LOG_H */
