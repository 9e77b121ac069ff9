// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The kernel's features for flow dissectors, one probe a row (probe.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "keys/keys.h"
#include "probe/probe.h"
#include "util/fdtest.h"

/* the kernel-internal "operation not supported" that leaks to users */
#define KERNEL_ENOTSUPP 524

/* A program that returns @verdict and nothing else. */
static int load_verdict(uint32_t verdict)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = (int32_t)verdict },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_FLOW_DISSECTOR, "fdtest_probe",
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

/*
 * The program type and its test run (5.1). A load refused for want of
 * privilege is EPERM; one the kernel refuses because it lacks the type
 * is a no, told apart by libbpf's own probe.
 */
static int probe_test_run(void)
{
	uint32_t ret;
	int fd = load_verdict(FDTEST_RET_OK), err;

	if (fd < 0) {
		if (fd == -EPERM)
			return fd;
		return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_FLOW_DISSECTOR,
						  NULL) == 0 ? 0 : fd;
	}
	err = run_once(fd, NULL, &ret);
	close(fd);
	/* before 5.1 there is no test run for this type */
	if (err == -KERNEL_ENOTSUPP || err == -EINVAL)
		return 0;
	return err ? err : 1;
}

/* Before 6.1 retval is (verdict == BPF_OK), so BPF_OK reads 1. */
static int probe_raw_retval(void)
{
	uint32_t ret;
	int fd = load_verdict(FDTEST_RET_OK), err;

	if (fd < 0)
		return fd;
	err = run_once(fd, NULL, &ret);
	close(fd);
	return err ? err : ret == 0;
}

/*
 * Whether a test run takes @ctx as its ctx_in: 1, 0 when the kernel says
 * EINVAL (it refuses what it does not know), or another negative errno,
 * which is no answer.
 */
static int ctx_in_accepted(const struct bpf_flow_keys *ctx)
{
	uint32_t ret;
	int fd = load_verdict(FDTEST_RET_OK), err;

	if (fd < 0)
		return fd;
	err = run_once(fd, ctx, &ret);
	close(fd);
	return err == 0 ? 1 : err == -EINVAL ? 0 : err;
}

/*
 * A state through ctx_in: every kernel so far refuses a non-zero nhoff
 * with EINVAL (and before 5.4 any ctx_in). Any other errno (ENOMEM,
 * EFAULT, EPERM) is no answer: an error, not a "no".
 */
static int probe_ctx_states(void)
{
	const struct bpf_flow_keys ctx = {
		.nhoff = 14,
		.n_proto = htons(0x0800),
	};

	return ctx_in_accepted(&ctx);
}

/* Input flags came in 5.4: before, a non-zero ctx_in is refused. */
static int probe_ctx_flags(void)
{
	const struct bpf_flow_keys ctx = {
		.flags = FDTEST_FLAG_STOP_AT_ENCAP,
	};

	return ctx_in_accepted(&ctx);
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

static int probe_attach_prog(void)
{
	return probe_attach(false);
}

static int probe_attach_link(void)
{
	return probe_attach(true);
}

const struct probe probes[] = {
	/* name, matrix column, shown for 1, for 0, fdtest run needs it */
	{ "test_run", "test_run", "yes", "no", true, probe_test_run },
	{ "ctx_flags", "ctx_in flags", "yes", "no", false, probe_ctx_flags },
	{ "ctx_states", "ctx_in states", "yes", "no", true,
	  probe_ctx_states },
	{ "raw_retval", "retval", "raw", "boolean", true, probe_raw_retval },
	{ "continue", "CONTINUE", "yes", "no", false, probe_continue },
	{ "attach_prog", "netns PROG_ATTACH", "yes", "no", false,
	  probe_attach_prog },
	{ "attach_link", "netns link", "yes", "no", false,
	  probe_attach_link },
};

const size_t probes_count = sizeof(probes) / sizeof(probes[0]);

_Static_assert(sizeof(probes) / sizeof(probes[0]) <= PROBES_MAX,
	       "struct probe_results holds PROBES_MAX answers");

int probe_all(struct probe_results *res, bool run_only)
{
	memset(res, 0, sizeof(*res));
	res->answer[0] = probes[0].probe();
	if (res->answer[0] == -EPERM)
		return -EPERM;
	/* without a test run nothing else can be probed: all no */
	if (res->answer[0] != 1)
		return 0;
	for (size_t i = 1; i < probes_count; i++)
		if (!run_only || probes[i].run)
			res->answer[i] = probes[i].probe();
	return 0;
}

int probe_answer(const struct probe_results *res, const char *name)
{
	for (size_t i = 0; i < probes_count; i++)
		if (strcmp(probes[i].name, name) == 0)
			return res->answer[i];
	return -ENOENT;
}
