// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* BPF_PROG_TEST_RUN for flow dissectors (see testrun.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probe/probe.h"
#include "run/testrun.h"

int testrun_kernel_set(struct testrun_kernel *kernel,
		       const struct probe_results *res)
{
	int test_run = probe_answer(res, "test_run");
	int raw_retval = probe_answer(res, "raw_retval");
	int ctx_states = probe_answer(res, "ctx_states");

	memset(kernel, 0, sizeof(*kernel));
	if (test_run < 0)
		return test_run;
	if (!test_run)
		return -EOPNOTSUPP;
	if (raw_retval < 0)
		return raw_retval;
	kernel->raw_retval = raw_retval;
	kernel->ctx_states = ctx_states == 1;
	kernel->ctx_states_err = ctx_states < 0 ? ctx_states : 0;
	return kernel->ctx_states_err;
}

int testrun_probe(struct testrun_kernel *kernel)
{
	struct probe_results res;
	int err = probe_all(&res, true);

	if (err) {
		memset(kernel, 0, sizeof(*kernel));
		return err;
	}
	return testrun_kernel_set(kernel, &res);
}

int testrun_one(int prog_fd, const struct testrun_kernel *kernel,
		const struct frame_state *st, uint32_t flags, int repeat,
		struct testrun_result *res)
{
	struct bpf_flow_keys ctx = { .flags = flags };
	int ret;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = st->data,
		.data_size_in = st->len,
		.data_out = &res->keys,
		.data_size_out = sizeof(res->keys),
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = repeat,
	);

	if (st->ctx_nhoff) {
		ctx.nhoff = st->ctx_nhoff;
		ctx.n_proto = htons(st->ctx_n_proto);
	}
	memset(&res->keys, 0, sizeof(res->keys));
	ret = bpf_prog_test_run_opts(prog_fd, &opts);
	if (ret)
		return ret;
	if (kernel->raw_retval)
		res->ret = opts.retval;
	else
		res->ret = opts.retval ? 0 : TESTRUN_RET_NOT_OK;
	res->duration_ns = opts.duration;
	/* the post-vlan run saw no tags: put offsets back where they were */
	res->keys.nhoff += st->shift;
	res->keys.thoff += st->shift;
	return 0;
}
