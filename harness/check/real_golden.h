/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The golden of a dissector's real states over one capture (--path
 * real), beside its test-run golden (golden_path_real()). The format is
 * a golden's (golden.h): a header whose states are the real ones (tx,
 * rx-rps, rx-untagged) and whose flag sets are those the kernel passes
 * (0; STOP_AT_FLOW_LABEL at rx-rps), then a line per case
 * in case order, offsets in the frame's coordinates. The kernel's C
 * dissector has partial lines: only the fields it has.
 */
#ifndef FDTEST_REAL_GOLDEN_H
#define FDTEST_REAL_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/golden.h"
#include "check/golden_cursor.h"
#include "check/verdict.h"
#include "keys/keys_json.h"

/* The flag sets the kernel passes on lo, ascending (run/realpath.h). */
extern const uint32_t real_golden_flags[2];

struct real_golden {
	char path[4096];
	const char *capture;		/* the golden's capture name */
	bool update;			/* recording, not checking */
	bool found;			/* checking, and the golden is there */
	struct verdict_rules rules;
	struct golden_cursor gc;
	struct golden_writer *writer;
	uint32_t last_frame;
	char sha[65];
	char line[KEYS_JSON_LINE_MAX];
};

/*
 * Opens @rg (zeroed by the caller) at @path (golden_path_real(), or a
 * golden merged with a kernel's overrides) for @dissector over @capture
 * (the golden names its file name; @sha its SHA-256): to record with
 * @rules->update, else to check (a missing golden: @rg->found false).
 * 0, or a negative errno with the reason in @err (a malformed golden:
 * -EINVAL).
 */
int real_golden_open(struct real_golden *rg, const char *path,
		     const char *dissector, const char *capture,
		     const char *sha, const struct verdict_rules *rules,
		     char *err, size_t err_size);

/*
 * One case, its id and result filled (keys in the frame's coordinates;
 * @c->mask for a partial one) and its differences from the test run
 * already in @c->diffs (DIFF_TWIN): held to its golden line (or its line
 * written), verdict and no_golden set. Cases come in case order. 0 or a
 * negative errno with the reason in @err.
 */
int real_golden_case(struct real_golden *rg, struct case_result *c,
		     char *err, size_t err_size);

/*
 * After the capture's last frame @last_frame: lines left over, and the
 * capture's hash against the golden's (stale: @rg->gc.stale, said on
 * stderr). Recording, hands the written file over in *@af (to commit
 * with the others). 0 or a negative errno with the reason in @err.
 */
int real_golden_end(struct real_golden *rg, uint32_t last_frame,
		    struct atomic_file **af, char *err, size_t err_size);

/* Drops what is not ended: the temporary file, the reader. */
void real_golden_close(struct real_golden *rg);

#endif /* FDTEST_REAL_GOLDEN_H */
