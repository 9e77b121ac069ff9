// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The kernel probes (probe/) tell the kernel's "no" (the feature is
 * absent) from a probe that got no answer (EPERM, ENOMEM, EEXIST, a failed
 * unshare), which is an error with its errno. The kernel is real (needs
 * root); the failures are injected: the Makefile links this test with
 * --wrap for bpf_prog_test_run_opts, bpf_prog_attach, bpf_link_create and
 * unshare.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <bpf/bpf.h>

#include "probe/probe.h"
#include "run/testrun.h"

/* What to inject; 0 is "let the real call run". */
static struct {
	int states_err;		/* the test run with a state in ctx_in */
	int plain_err;		/* the test runs without ctx_in */
	int attach_err;
	int link_err;
	int unshare_errno;
} inject;
int __real_bpf_prog_test_run_opts(int fd, struct bpf_test_run_opts *opts);
int __wrap_bpf_prog_test_run_opts(int fd, struct bpf_test_run_opts *opts)
{
	const struct bpf_flow_keys *ctx = opts->ctx_in;

	if (inject.states_err && ctx && ctx->nhoff)
		return inject.states_err;
	if (inject.plain_err && !ctx)
		return inject.plain_err;
	return __real_bpf_prog_test_run_opts(fd, opts);
}

int __real_bpf_prog_attach(int prog_fd, int target_fd,
			   enum bpf_attach_type type, unsigned int flags);
int __wrap_bpf_prog_attach(int prog_fd, int target_fd,
			   enum bpf_attach_type type, unsigned int flags)
{
	if (inject.attach_err)
		return inject.attach_err;
	return __real_bpf_prog_attach(prog_fd, target_fd, type, flags);
}

int __real_bpf_link_create(int prog_fd, int target_fd,
			   enum bpf_attach_type type,
			   const struct bpf_link_create_opts *opts);
int __wrap_bpf_link_create(int prog_fd, int target_fd,
			   enum bpf_attach_type type,
			   const struct bpf_link_create_opts *opts)
{
	if (inject.link_err)
		return inject.link_err;
	return __real_bpf_link_create(prog_fd, target_fd, type, opts);
}

int __real_unshare(int flags);
int __wrap_unshare(int flags)
{
	if (inject.unshare_errno) {
		errno = inject.unshare_errno;
		return -1;
	}
	return __real_unshare(flags);
}

#define ABSENT 0
#define PRESENT 1
#define ANY 99		/* not checked: depends on the host */

static const struct {
	const char *name;
	int states_err, attach_err, link_err, unshare_errno;
	int ctx_states, attach_prog, attach_link;
} cases[] = {
	{ "ctx-states-einval-is-no", -EINVAL, 0, 0, 0,
	  ABSENT, ANY, ANY },
	{ "ctx-states-enomem-is-error", -ENOMEM, 0, 0, 0,
	  -ENOMEM, ANY, ANY },
	{ "ctx-states-eperm-is-error", -EPERM, 0, 0, 0,
	  -EPERM, ANY, ANY },
	{ "attach-einval-is-no", 0, -EINVAL, 0, 0,
	  ABSENT, ABSENT, ANY },
	{ "attach-eopnotsupp-is-no", 0, -EOPNOTSUPP, 0, 0,
	  ABSENT, ABSENT, ANY },
	{ "attach-eperm-is-error", 0, -EPERM, 0, 0,
	  ABSENT, -EPERM, ANY },
	{ "attach-eexist-is-error", 0, -EEXIST, 0, 0,
	  ABSENT, -EEXIST, ANY },
	{ "link-einval-is-no", 0, 0, -EINVAL, 0,
	  ABSENT, ANY, ABSENT },
	{ "link-enomem-is-error", 0, 0, -ENOMEM, 0,
	  ABSENT, ANY, -ENOMEM },
	{ "unshare-fails-is-error", 0, 0, 0, ENOSPC,
	  ABSENT, -ENOSPC, -ENOSPC },
};

static void expect(const char *name, const char *what, int got, int want)
{
	if (want != ANY && got != want)
		fail_msg("%s: %s is %d, want %d", name, what, got, want);
}

static void test_probe_errors(void **state)
{
	(void)state;
	if (geteuid())
		fail_msg("the probes load BPF programs: run as root");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct probe_results f;
		const char *name = cases[i].name;

		inject.states_err = cases[i].states_err;
		inject.attach_err = cases[i].attach_err;
		inject.link_err = cases[i].link_err;
		inject.unshare_errno = cases[i].unshare_errno;
		if (probe_all(&f, false))
			fail_msg("%s: probe_all failed", name);
		memset(&inject, 0, sizeof(inject));
		/* an error in one column leaves the others answered */
		expect(name, "test_run", probe_answer(&f, "test_run"), PRESENT);
		expect(name, "ctx_flags", probe_answer(&f, "ctx_flags"),
		       PRESENT);
		expect(name, "ctx_states", probe_answer(&f, "ctx_states"),
		       cases[i].ctx_states);
		expect(name, "attach_prog", probe_answer(&f, "attach_prog"),
		       cases[i].attach_prog);
		expect(name, "attach_link", probe_answer(&f, "attach_link"),
		       cases[i].attach_link);
	}
}

/* fdtest run learns of a ctx_states probe without an answer too. */
static void test_probe_testrun_error(void **state)
{
	struct testrun_kernel k;

	(void)state;
	inject.states_err = -ENOMEM;
	assert_int_equal(testrun_probe(&k), -ENOMEM);
	assert_int_equal(k.ctx_states_err, -ENOMEM);
	inject.states_err = -EINVAL;
	assert_int_equal(testrun_probe(&k), 0);
	assert_false(k.ctx_states);
	assert_int_equal(k.ctx_states_err, 0);
	memset(&inject, 0, sizeof(inject));
}

/*
 * A kernel without the test run (before 5.1 it refuses it with ENOTSUPP
 * or EINVAL): a no, every other row no without being probed, and fdtest
 * run told EOPNOTSUPP.
 */
static void test_probe_no_test_run(void **state)
{
	struct testrun_kernel k;
	struct probe_results f;

	(void)state;
	inject.plain_err = -524;
	inject.attach_err = -EPERM;
	assert_int_equal(probe_all(&f, false), 0);
	for (size_t i = 0; i < probes_count; i++)
		if (f.answer[i] != ABSENT)
			fail_msg("%s is %d, want no", probes[i].name,
				 f.answer[i]);
	inject.plain_err = -EINVAL;
	assert_int_equal(testrun_probe(&k), -EOPNOTSUPP);
	/* a test run that met another error is that error */
	inject.plain_err = -ENOMEM;
	assert_int_equal(probe_all(&f, false), 0);
	assert_int_equal(probe_answer(&f, "test_run"), -ENOMEM);
	assert_int_equal(testrun_probe(&k), -ENOMEM);
	/* without privilege the whole probe is refused */
	inject.plain_err = -EPERM;
	assert_int_equal(probe_all(&f, false), -EPERM);
	assert_int_equal(testrun_probe(&k), -EPERM);
	memset(&inject, 0, sizeof(inject));
}

/* fdtest run probes only its rows: no network namespace, no attach. */
static void test_probe_run_only(void **state)
{
	struct probe_results f;

	(void)state;
	inject.attach_err = -EPERM;
	inject.link_err = -EPERM;
	assert_int_equal(probe_all(&f, true), 0);
	memset(&inject, 0, sizeof(inject));
	for (size_t i = 0; i < probes_count; i++) {
		int want = probes[i].run ? PRESENT : ABSENT;

		/* ctx_states and raw_retval depend on the host's kernel */
		if (strcmp(probes[i].name, "ctx_states") == 0 ||
		    strcmp(probes[i].name, "raw_retval") == 0)
			continue;
		if (f.answer[i] != want)
			fail_msg("%s is %d, want %d", probes[i].name,
				 f.answer[i], want);
	}
	assert_int_equal(probe_answer(&f, "no_such_probe"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_errors),
		cmocka_unit_test(test_probe_testrun_error),
		cmocka_unit_test(test_probe_no_test_run),
		cmocka_unit_test(test_probe_run_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
