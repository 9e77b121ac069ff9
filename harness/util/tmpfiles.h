/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Temporary files that a signal must not leave behind: the registry of
 * the atomic writer (atomic_file.h). If SIGINT, SIGTERM, SIGHUP or SIGPIPE
 * ends the run, the handler installed by the first tmpfiles_add() unlinks
 * every file still listed and lets the signal end the process as it would
 * have, so the targets keep their old contents and the shell sees the
 * signal. SIGPIPE is one of them: `fdtest run --update ... | head -1` dies
 * of it on the first write after head exits.
 *
 * Paths are copied into static slots claimed with atomic operations, so
 * the handler may run on any thread, at any point of an add or a remove.
 */
#ifndef FDTEST_TMPFILES_H
#define FDTEST_TMPFILES_H

/*
 * Lists a copy of @path. Returns the slot (0 or more) for
 * tmpfiles_remove(), -ENOSPC when too many (4096) are listed at once,
 * -ENOMEM, or -ENAMETOOLONG.
 */
int tmpfiles_add(const char *path);
/* Unlists a slot once its file is renamed or removed; below 0 is fine. */
void tmpfiles_remove(int slot);

/*
 * Between tmpfiles_hold() and tmpfiles_release() a fatal signal waits:
 * it ends the process at the release, after the renames of a commit (so
 * the outputs of one command appear together or not at all), or after a
 * temporary file is created and listed. Calls nest.
 */
void tmpfiles_hold(void);
void tmpfiles_release(void);

#endif /* FDTEST_TMPFILES_H */
