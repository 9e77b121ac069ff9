// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The feature columns of the matrix (see matrix_probe.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "matrix/matrix_probe.h"
#include "util/fdtest.h"

const char *const matrix_feature_names[MATRIX_FEATURES] = {
	"test_run", "ctx_flags", "ctx_states", "raw_retval", "continue",
	"attach_prog", "attach_link",
};

int matrix_feature_get(const struct matrix_features *f, int i)
{
	const int v[MATRIX_FEATURES] = {
		f->test_run, f->ctx_flags, f->ctx_states, f->raw_retval,
		f->cont, f->attach_prog, f->attach_link,
	};

	return i >= 0 && i < MATRIX_FEATURES ? v[i] : -EINVAL;
}

/* A program that returns @verdict and nothing else. */
static int load_verdict(uint32_t verdict)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = (int32_t)verdict },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_FLOW_DISSECTOR, "fdtest_matrix",
			     "GPL", insns, 2, NULL);
}

/* Ethernet and a bare IPv4 header: enough for any verdict. */
static const uint8_t probe_frame[34] = {
	[12] = 0x08, [13] = 0x00, [14] = 0x45,
};

static int run_once(int fd, const struct bpf_flow_keys *ctx, uint32_t *ret)
{
	struct bpf_flow_keys keys;
	int err;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = probe_frame,
		.data_size_in = sizeof(probe_frame),
		.data_out = &keys,
		.data_size_out = sizeof(keys),
		.ctx_in = ctx,
		.ctx_size_in = ctx ? sizeof(*ctx) : 0,
	);

	err = bpf_prog_test_run_opts(fd, &opts);
	*ret = opts.retval;
	return err;
}

/* Input flags came in 5.4: before, a non-zero ctx_in is refused. */
static int probe_ctx_flags(void)
{
	struct bpf_flow_keys ctx = { .flags = FDTEST_FLAG_STOP_AT_ENCAP };
	uint32_t ret;
	int fd = load_verdict(FDTEST_RET_OK), err;

	if (fd < 0)
		return fd;
	err = run_once(fd, &ctx, &ret);
	close(fd);
	return err == 0 ? 1 : err == -EINVAL ? 0 : err;
}

/* Since 6.1 a program may hand a frame back to the kernel's dissector. */
static int probe_continue(void)
{
	uint32_t ret;
	int fd = load_verdict(FDTEST_RET_CONTINUE), err;

	if (fd < 0)
		return fd;
	err = run_once(fd, NULL, &ret);
	close(fd);
	return err ? err : ret == FDTEST_RET_CONTINUE;
}

/*
 * How the child below ends (its exit status); anything else is a crash.
 * Only the kernel's "no such attach type" is an absent feature: EINVAL
 * (BPF_FLOW_DISSECTOR unknown to BPF_PROG_ATTACH before 4.20, to
 * BPF_LINK_CREATE before 5.8, or no BPF_LINK_CREATE before 5.7) and
 * EOPNOTSUPP (a kernel without CONFIG_NET). EPERM, ENOMEM, EEXIST (a
 * program in the root netns overrides ours, since 5.5) or a failed
 * unshare mean the probe got no answer: an error, with its errno.
 */
enum attach_outcome {
	ATTACH_WORKS,
	ATTACH_ABSENT,
	ATTACH_NOT_LISTED,	/* attached, but the query does not see it */
	ATTACH_STUCK,		/* still listed after the detach */
	ATTACH_ERRNO = 16,	/* + the errno (below 240) of a failed step */
};

static int attach_errno(int err)
{
	if (err < 0)
		err = -err;
	if (err <= 0 || err >= 240)
		err = EIO;
	return ATTACH_ERRNO + err;
}

static int attached_count(int netns, uint32_t *cnt)
{
	uint32_t ids[4];

	*cnt = 4;
	return bpf_prog_query(netns, BPF_FLOW_DISSECTOR, 0, NULL, ids, cnt);
}

/* In a fresh netns: attach, query, detach, query. Runs in a child. */
static int attach_cycle(int prog_fd, bool link)
{
	uint32_t cnt;
	int netns, link_fd = -1, err;

	if (unshare(CLONE_NEWNET))
		return attach_errno(errno);
	netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return attach_errno(errno);
	if (link) {
		link_fd = bpf_link_create(prog_fd, netns, BPF_FLOW_DISSECTOR,
					  NULL);
		err = link_fd < 0 ? link_fd : 0;
	} else {
		err = bpf_prog_attach(prog_fd, 0, BPF_FLOW_DISSECTOR, 0);
	}
	if (err == -EINVAL || err == -EOPNOTSUPP)
		return ATTACH_ABSENT;
	if (err)
		return attach_errno(err);
	err = attached_count(netns, &cnt);
	if (err)
		return attach_errno(err);
	if (cnt != 1)
		return ATTACH_NOT_LISTED;
	if (link)
		close(link_fd);	/* the last reference: detaches */
	else
		err = bpf_prog_detach2(prog_fd, 0, BPF_FLOW_DISSECTOR);
	err = err ?: attached_count(netns, &cnt);
	if (err)
		return attach_errno(err);
	return cnt ? ATTACH_STUCK : ATTACH_WORKS;
}

/* A child, so that the caller's netns never changes. */
static int probe_attach(bool link)
{
	int fd = load_verdict(FDTEST_RET_OK), status;
	pid_t pid;

	if (fd < 0)
		return fd;
	pid = fork();
	if (pid < 0) {
		close(fd);
		return -errno;
	}
	if (pid == 0)
		_exit(attach_cycle(fd, link));
	close(fd);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	status = WEXITSTATUS(status);
	switch (status) {
	case ATTACH_WORKS:
		return 1;
	case ATTACH_ABSENT:
		return 0;
	case ATTACH_NOT_LISTED:
		return -ENOENT;
	case ATTACH_STUCK:
		return -EBUSY;
	}
	return status > ATTACH_ERRNO ? -(status - ATTACH_ERRNO) : -EIO;
}

int matrix_probe_run(struct matrix_features *f, struct testrun_kernel *kernel)
{
	int err = testrun_probe(kernel);

	memset(f, 0, sizeof(*f));
	/* the test run itself failed; a ctx_states error is its column's */
	if (err && !kernel->ctx_states_err) {
		if (err == -EPERM)
			return err;
		f->test_run = err == -EOPNOTSUPP ? 0 : err;
		return 0;
	}
	f->test_run = 1;
	f->ctx_states = kernel->ctx_states_err ? kernel->ctx_states_err :
						 kernel->ctx_states;
	f->raw_retval = kernel->raw_retval;
	f->ctx_flags = probe_ctx_flags();
	f->cont = probe_continue();
	f->attach_prog = probe_attach(false);
	f->attach_link = probe_attach(true);
	return 0;
}
