// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Temporary files removed when a signal ends the run (see tmpfiles.h). */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>

#include "tmpfiles.h"

/* A run writes one golden and one --output file at a time. */
#define TMPFILES_MAX 16

static const char *volatile live[TMPFILES_MAX];
static volatile sig_atomic_t installed;

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* Only unlink() and raise(): both are async-signal-safe. */
static void tmpfiles_on_signal(int sig)
{
	int saved = errno;

	for (size_t i = 0; i < TMPFILES_MAX; i++)
		if (live[i])
			unlink(live[i]);
	errno = saved;
	/* SA_RESETHAND put the default action back: die of @sig */
	raise(sig);
}

static void tmpfiles_install(void)
{
	struct sigaction sa = {
		.sa_handler = tmpfiles_on_signal,
		.sa_flags = SA_RESETHAND,
	};

	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(int); i++) {
		struct sigaction old;

		/*
		 * a signal the caller ignores (nohup) stays ignored, and one
		 * it handles (fdtest fuzz stops on SIGINT and finishes its
		 * writes) stays its own
		 */
		if (sigaction(fatal_signals[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_DFL)
			continue;
		sigaction(fatal_signals[i], &sa, NULL);
	}
	installed = 1;
}

int tmpfiles_add(const char *path)
{
	if (!installed)
		tmpfiles_install();
	for (size_t i = 0; i < TMPFILES_MAX; i++) {
		if (!live[i]) {
			live[i] = path;
			return 0;
		}
	}
	return -ENOSPC;
}

void tmpfiles_remove(const char *path)
{
	for (size_t i = 0; i < TMPFILES_MAX; i++)
		if (live[i] == path)
			live[i] = NULL;
}
