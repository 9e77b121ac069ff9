/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the running kernel offers flow dissectors, probed with programs of
 * two instructions: the feature columns of the matrix.
 */
#ifndef FDTEST_MATRIX_PROBE_H
#define FDTEST_MATRIX_PROBE_H

#include "run/testrun.h"

/* Each feature: 1 present, 0 absent, or a negative errno the probe met. */
struct matrix_features {
	int test_run;		/* BPF_PROG_TEST_RUN for the type (5.1) */
	int ctx_flags;		/* input flags in ctx_in (5.4) */
	int ctx_states;		/* nhoff/n_proto in ctx_in (none so far) */
	int raw_retval;		/* retval is the verdict (6.1) */
	int cont;		/* CONTINUE comes back from a run (6.1) */
	int attach_prog;	/* BPF_PROG_ATTACH to a netns, query, detach */
	int attach_link;	/* the same with a BPF link (5.8) */
};

/* Feature names in struct order, for reports: "test_run", ... */
#define MATRIX_FEATURES 7
extern const char *const matrix_feature_names[MATRIX_FEATURES];

/*
 * Fills @f and @kernel (for the replay). Returns 0, or -EPERM without
 * privilege; features the kernel lacks are not errors.
 */
int matrix_probe_run(struct matrix_features *f,
		     struct testrun_kernel *kernel);

/* The value of feature @i (struct order). */
int matrix_feature_get(const struct matrix_features *f, int i);

#endif /* FDTEST_MATRIX_PROBE_H */
