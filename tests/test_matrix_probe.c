// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The feature probes tell the kernel's "no" (the feature is absent) from
 * a probe that got no answer (EPERM, ENOMEM, EEXIST, a failed unshare),
 * which is an error with its errno. The kernel is real (needs root); the
 * failures are injected: the Makefile links this test with --wrap for
 * bpf_prog_test_run_opts, bpf_prog_attach, bpf_link_create and unshare.
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

#include "matrix/matrix_probe.h"
#include "run/testrun.h"

/* What to inject; 0 is "let the real call run". */
static struct {
	int test_run_call;	/* which test run fails: 1 is the first */
	int test_run_err;
	int attach_err;
	int link_err;
	int unshare_errno;
} inject;
static int test_run_calls;

int __real_bpf_prog_test_run_opts(int fd, struct bpf_test_run_opts *opts);
int __wrap_bpf_prog_test_run_opts(int fd, struct bpf_test_run_opts *opts)
{
	if (++test_run_calls == inject.test_run_call)
		return inject.test_run_err;
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

/* In matrix_probe_run, test runs 1 and 2 are testrun_probe's. */
static const struct {
	const char *name;
	int test_run_call, test_run_err, attach_err, link_err, unshare_errno;
	int ctx_states, attach_prog, attach_link;
} cases[] = {
	{ "ctx-states-einval-is-no", 2, -EINVAL, 0, 0, 0,
	  ABSENT, ANY, ANY },
	{ "ctx-states-enomem-is-error", 2, -ENOMEM, 0, 0, 0,
	  -ENOMEM, ANY, ANY },
	{ "ctx-states-eperm-is-error", 2, -EPERM, 0, 0, 0,
	  -EPERM, ANY, ANY },
	{ "attach-einval-is-no", 0, 0, -EINVAL, 0, 0,
	  ABSENT, ABSENT, ANY },
	{ "attach-eopnotsupp-is-no", 0, 0, -EOPNOTSUPP, 0, 0,
	  ABSENT, ABSENT, ANY },
	{ "attach-eperm-is-error", 0, 0, -EPERM, 0, 0,
	  ABSENT, -EPERM, ANY },
	{ "attach-eexist-is-error", 0, 0, -EEXIST, 0, 0,
	  ABSENT, -EEXIST, ANY },
	{ "link-einval-is-no", 0, 0, 0, -EINVAL, 0,
	  ABSENT, ANY, ABSENT },
	{ "link-enomem-is-error", 0, 0, 0, -ENOMEM, 0,
	  ABSENT, ANY, -ENOMEM },
	{ "unshare-fails-is-error", 0, 0, 0, 0, ENOSPC,
	  ABSENT, -ENOSPC, -ENOSPC },
};

static void expect(const char *name, const char *what, int got, int want)
{
	if (want != ANY && got != want)
		fail_msg("%s: %s is %d, want %d", name, what, got, want);
}

static void test_matrix_probe_errors(void **state)
{
	(void)state;
	if (geteuid())
		fail_msg("the probes load BPF programs: run as root");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct matrix_features f;
		struct testrun_kernel k;
		const char *name = cases[i].name;

		inject.test_run_call = cases[i].test_run_call;
		inject.test_run_err = cases[i].test_run_err;
		inject.attach_err = cases[i].attach_err;
		inject.link_err = cases[i].link_err;
		inject.unshare_errno = cases[i].unshare_errno;
		test_run_calls = 0;
		if (matrix_probe_run(&f, &k))
			fail_msg("%s: matrix_probe_run failed", name);
		memset(&inject, 0, sizeof(inject));
		/* an error in one column leaves the others answered */
		expect(name, "test_run", f.test_run, PRESENT);
		expect(name, "ctx_flags", f.ctx_flags, PRESENT);
		expect(name, "ctx_states", f.ctx_states, cases[i].ctx_states);
		expect(name, "attach_prog", f.attach_prog,
		       cases[i].attach_prog);
		expect(name, "attach_link", f.attach_link,
		       cases[i].attach_link);
	}
}

/* fdtest run learns of a ctx_states probe without an answer too. */
static void test_matrix_probe_testrun_error(void **state)
{
	struct testrun_kernel k;

	(void)state;
	inject.test_run_call = 2;
	inject.test_run_err = -ENOMEM;
	test_run_calls = 0;
	assert_int_equal(testrun_probe(&k), -ENOMEM);
	assert_int_equal(k.ctx_states_err, -ENOMEM);
	inject.test_run_call = 2;
	inject.test_run_err = -EINVAL;
	test_run_calls = 0;
	assert_int_equal(testrun_probe(&k), 0);
	assert_false(k.ctx_states);
	assert_int_equal(k.ctx_states_err, 0);
	memset(&inject, 0, sizeof(inject));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_probe_errors),
		cmocka_unit_test(test_matrix_probe_testrun_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
