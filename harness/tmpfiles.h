/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Temporary files that a signal must not leave behind. Files are written
 * beside their target and renamed into place (golden.c, --output); if
 * SIGINT, SIGTERM or SIGHUP ends the run first, the handler installed by
 * the first tmpfiles_add() unlinks every file still listed and lets the
 * signal end the process as it would have, so the target keeps its old
 * contents and the shell sees the signal.
 */
#ifndef FDTEST_TMPFILES_H
#define FDTEST_TMPFILES_H

/*
 * Lists @path (not copied: it must stay valid until tmpfiles_remove()).
 * Returns 0, or -ENOSPC when too many are listed at once.
 */
int tmpfiles_add(const char *path);
/* Unlists @path once it is renamed or removed. Unknown paths are fine. */
void tmpfiles_remove(const char *path);

#endif /* FDTEST_TMPFILES_H */
