/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One dissector over one capture: every frame, in every starting state
 * and input-flag set, through the kernel, against the golden, with the
 * consistency check, out to a reporter. Memory does not grow with the
 * capture: frames travel in a fixed ring of batches, the golden is read
 * and written a line at a time.
 */
#ifndef FDTEST_REPLAY_H
#define FDTEST_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "util/atomic_file.h"
#include "run/dissector.h"
#include "run/testrun.h"

#define REPLAY_FLAGS_MAX 8	/* the 8 combinations of the known flags */

struct replay_opts {
	unsigned int states;		/* bit per enum fdtest_state */
	uint32_t flags[REPLAY_FLAGS_MAX];	/* ascending, no repeats */
	size_t n_flags;
	bool consistency;
	bool update;			/* record goldens instead of checking */
	bool require_golden;		/* an unchecked case fails */
	const char *expected_dir;	/* root of the goldens */
	/*
	 * The file name that capture '-' (standard input) goes by: names
	 * its golden and its cases. NULL: it has no golden, and its cases
	 * are unchecked.
	 */
	const char *stdin_name;
	const struct testrun_kernel *kernel;
	/*
	 * Threads doing test runs beside the calling thread, which reads,
	 * checks and reports in order; 0: all on the calling thread.
	 */
	unsigned int jobs;
	unsigned int repeat;		/* >0: timing, runs per case */
	uint32_t max_ns;		/* p99 bound per class; 0: none */
	/*
	 * With update: NULL commits each golden when its capture ends;
	 * else each golden written whole is handed to it (which owns it
	 * then) to be committed with others. 0 or a negative errno.
	 */
	int (*keep_golden)(void *ctx, struct atomic_file *af);
	void *keep_ctx;
};

/* The capture's SHA-256 in hex, once taken; "" before. */
struct replay_sha {
	char hex[65];
};

/*
 * Replays @capture through @dis. Differences are counted in @counts, not
 * returned. Returns 0, or a negative errno with a one-line reason in @err
 * when the capture or golden cannot be used (nothing is then written);
 * dissector_err_is_env() tells a refusal of the machine. @sha (NULL: none)
 * keeps the capture's hash from one dissector to the next, so that it is
 * taken once.
 */
int replay_capture(const struct replay_opts *opts, struct dissector *dis,
		   const char *capture, struct replay_sha *sha,
		   struct report *rep, struct report_counts *counts,
		   char *err, size_t err_size);

#endif /* FDTEST_REPLAY_H */
