// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Temporary files removed when a signal ends the run (see tmpfiles.h). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/tmpfiles.h"

/*
 * Live at once: a golden per capture being replayed, the --output
 * report, gen's capture and its two spec files: one block, in place.
 * Goldens committed together (run --update --path real, matrix --update)
 * can be many more: further blocks are allocated as they are needed, and
 * never freed, so the handler can walk them at any moment.
 */
#define BLOCK_SLOTS 16
#define BLOCKS_MAX 256		/* 4096 files at once */
#define TMPFILES_MAX (BLOCK_SLOTS * BLOCKS_MAX)

enum slot_state {
	SLOT_FREE,
	SLOT_FILLING,	/* an add is copying the path */
	SLOT_LIVE,
	SLOT_DYING,	/* the handler took it: never reused */
};

struct slot {
	atomic_int state;
	char path[PATH_MAX];
};

static struct slot first_block[BLOCK_SLOTS];
/* a block is added only after the one before it: the first NULL ends */
static _Atomic(struct slot *) blocks[BLOCKS_MAX] = { first_block };

static atomic_int installed;
static atomic_int holds;
static atomic_int pending;	/* a signal that came during a hold */

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

/* Lock-free atomics, unlink() and sigaction() are async-signal-safe. */
static void unlink_all(void)
{
	for (size_t b = 0; b < BLOCKS_MAX; b++) {
		struct slot *block = atomic_load(&blocks[b]);

		for (size_t i = 0; block && i < BLOCK_SLOTS; i++) {
			int live = SLOT_LIVE;

			if (atomic_compare_exchange_strong(&block[i].state,
							   &live, SLOT_DYING))
				unlink(block[i].path);
		}
	}
}

/* Block @b, allocated if it is the first one missing; NULL: no memory. */
static struct slot *block_get(size_t b)
{
	struct slot *block = atomic_load(&blocks[b]), *none = NULL;

	if (block)
		return block;
	block = calloc(BLOCK_SLOTS, sizeof(*block));
	if (!block)
		return NULL;
	/* another thread may have added it meanwhile: use that one */
	if (!atomic_compare_exchange_strong(&blocks[b], &none, block)) {
		free(block);
		block = none;
	}
	return block;
}

/* Ends the process with @sig, by its default action. */
static void die_of(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t set;

	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	/* in the handler @sig is blocked: it ends us on return */
	raise(sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static void tmpfiles_on_signal(int sig)
{
	int saved = errno;

	if (atomic_load(&holds)) {
		atomic_store(&pending, sig);
		errno = saved;
		return;
	}
	unlink_all();
	errno = saved;
	die_of(sig);
}

static void tmpfiles_install(void)
{
	struct sigaction sa = { .sa_handler = tmpfiles_on_signal };
	int expected = 0;

	if (!atomic_compare_exchange_strong(&installed, &expected, 1))
		return;
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
}

int tmpfiles_add(const char *path)
{
	size_t len = strlen(path);

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	tmpfiles_install();
	for (size_t b = 0; b < BLOCKS_MAX; b++) {
		struct slot *block = block_get(b);

		if (!block)
			return -ENOMEM;
		for (size_t i = 0; i < BLOCK_SLOTS; i++) {
			int free_slot = SLOT_FREE;

			if (!atomic_compare_exchange_strong(&block[i].state,
							    &free_slot,
							    SLOT_FILLING))
				continue;
			memcpy(block[i].path, path, len + 1);
			atomic_store(&block[i].state, SLOT_LIVE);
			return (int)(b * BLOCK_SLOTS + i);
		}
	}
	return -ENOSPC;
}

void tmpfiles_remove(int slot)
{
	int live = SLOT_LIVE;

	struct slot *block;

	if (slot < 0 || slot >= TMPFILES_MAX)
		return;
	block = atomic_load(&blocks[slot / BLOCK_SLOTS]);
	/* a slot the handler took stays taken: the process is ending */
	if (block)
		atomic_compare_exchange_strong(&block[slot % BLOCK_SLOTS].state,
					       &live, SLOT_FREE);
}

void tmpfiles_hold(void)
{
	tmpfiles_install();
	atomic_fetch_add(&holds, 1);
}

void tmpfiles_release(void)
{
	int sig;

	if (atomic_fetch_sub(&holds, 1) != 1)
		return;
	sig = atomic_exchange(&pending, 0);
	if (!sig)
		return;
	unlink_all();
	die_of(sig);
}
