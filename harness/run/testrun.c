// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* BPF_PROG_TEST_RUN for flow dissectors (see testrun.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "run/testrun.h"

/* the kernel-internal "operation not supported" that leaks to users */
#define KERNEL_ENOTSUPP 524

/* r0 = BPF_OK; exit */
static const struct bpf_insn probe_insns[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

/* An Ethernet header and a minimal IPv4 header: 34 bytes. */
static const uint8_t probe_frame[34] = {
	[12] = 0x08, [13] = 0x00, [14] = 0x45,
};

int testrun_probe(struct testrun_kernel *kernel)
{
	struct bpf_flow_keys ctx = {};
	struct bpf_flow_keys keys;
	int fd, ret;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = probe_frame,
		.data_size_in = sizeof(probe_frame),
		.data_out = &keys,
		.data_size_out = sizeof(keys),
	);

	memset(kernel, 0, sizeof(*kernel));
	fd = bpf_prog_load(BPF_PROG_TYPE_FLOW_DISSECTOR, "fdtest_probe", "GPL",
			   probe_insns, 2, NULL);
	if (fd < 0) {
		if (fd == -EPERM)
			return fd;
		return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_FLOW_DISSECTOR,
						  NULL) == 0 ? -EOPNOTSUPP : fd;
	}
	ret = bpf_prog_test_run_opts(fd, &opts);
	if (ret) {
		/* before 5.1 there is no test run for this type */
		ret = ret == -KERNEL_ENOTSUPP || ret == -EINVAL ? -EOPNOTSUPP : ret;
		goto out;
	}
	/* before 6.1 retval is (verdict == BPF_OK), so BPF_OK reads 1 */
	kernel->raw_retval = opts.retval == 0;

	/*
	 * A state through ctx_in: every kernel so far refuses a non-zero
	 * nhoff with EINVAL (and before 5.4 any ctx_in). Any other errno
	 * (ENOMEM, EFAULT, EPERM) is no answer: an error, not a "no".
	 */
	ctx.nhoff = 14;
	ctx.n_proto = htons(0x0800);
	opts.ctx_in = &ctx;
	opts.ctx_size_in = sizeof(ctx);
	ret = bpf_prog_test_run_opts(fd, &opts);
	kernel->ctx_states = ret == 0;
	if (ret == -EINVAL)
		ret = 0;
	kernel->ctx_states_err = ret;
out:
	close(fd);
	return ret;
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
