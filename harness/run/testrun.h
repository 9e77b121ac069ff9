/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One BPF_PROG_TEST_RUN per shaped frame, and what the running kernel
 * does with them, probed once.
 */
#ifndef FDTEST_TESTRUN_H
#define FDTEST_TESTRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "keys/keys.h"
#include "probe/probe.h"
#include "run/frame.h"

/*
 * A verdict a kernel before 6.1 cannot tell apart (util/fdtest.h): its
 * test-run retval is 1 for BPF_OK and 0 for everything else. Matches any
 * expected verdict but BPF_OK.
 */
#define TESTRUN_RET_NOT_OK FDTEST_RET_NOT_OK

struct testrun_kernel {
	bool raw_retval;	/* 6.1+: retval is the program's verdict */
	bool ctx_states;	/* ctx_in takes nhoff/n_proto (none does yet) */
	int ctx_states_err;	/* the errno its probe met, else 0 */
};

/*
 * Learns the kernel's ways from the probes fdtest run needs (probe.h).
 * Returns 0, -EPERM without privilege, -EOPNOTSUPP when the kernel lacks
 * the program type or its test run, or another -errno; when that came
 * from the ctx_states probe after a good test run, it is also in
 * ctx_states_err and the rest of @kernel is filled.
 */
int testrun_probe(struct testrun_kernel *kernel);

/* The same from answers probed already (the matrix probes every row). */
int testrun_kernel_set(struct testrun_kernel *kernel,
		       const struct probe_results *res);

struct testrun_result {
	uint32_t ret;		/* normalised verdict (TESTRUN_RET_NOT_OK) */
	uint32_t duration_ns;	/* the kernel's mean per run */
	struct bpf_flow_keys keys;	/* offsets in the state's coordinates */
};

/*
 * Runs @prog_fd once (@repeat times for timing) on @st with input
 * @flags. Returns 0 or the negative errno of the syscall.
 */
int testrun_one(int prog_fd, const struct testrun_kernel *kernel,
		const struct frame_state *st, uint32_t flags, int repeat,
		struct testrun_result *res);

#endif /* FDTEST_TESTRUN_H */
