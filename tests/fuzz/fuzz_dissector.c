// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: a BPF flow dissector, through the oracles of
 * fdtest fuzz that judge bytes alone (consistency and invariants). Each
 * input is one Ethernet frame, run in every state and input-flag set;
 * a finding aborts, so libFuzzer keeps the frame.
 *
 * The program runs in the kernel, where libFuzzer's instrumentation
 * cannot see: the shape of each result (fuzz_check.c) is fed to it as
 * extra coverage counters instead, so a new kind of answer counts as new
 * coverage. This is the unattended, many-process form; `fdtest fuzz` is
 * the deterministic one, with the structure-aware inputs, the spec and a
 * reference.
 *
 * The dissector is $FDTEST_FUZZ_DISSECTOR, or the reference dissector of
 * the build tree this binary belongs to. Needs root, as every test run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/fuzz.h"

#define SHAPE_COUNTERS 4096

/* libFuzzer reads this section as coverage, beside its own counters */
static uint8_t shapes[SHAPE_COUNTERS]
	__attribute__((used, section("__libfuzzer_extra_counters")));

static struct testrun_kernel kernel;
static struct fuzz_target target = {
	.kernel = &kernel,
	.oracles = 1u << FUZZ_ORACLE_CONSISTENCY |
		   1u << FUZZ_ORACLE_INVARIANT,
};
static struct fuzz_input in;
static struct fuzz_eval ev;
static int prog_fd;

/* build/fuzz/fuzz_dissector -> build/dissectors/reference.bpf.o */
static void default_path(char *path, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", path, size - 1);
	char *slash;

	path[n > 0 ? n : 0] = '\0';
	slash = strrchr(path, '/');
	if (slash)
		*slash = '\0';
	slash = strrchr(path, '/');
	if (slash)
		*slash = '\0';
	strncat(path, "/dissectors/reference.bpf.o",
		size - strlen(path) - 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("FDTEST_FUZZ_DISSECTOR");
	char buf[4096];
	char err[512];
	int ret;

	(void)argc;
	(void)argv;
	if (!path) {
		default_path(buf, sizeof(buf));
		path = buf;
	}
	ret = testrun_probe(&kernel);
	if (ret) {
		fprintf(stderr, "fuzz_dissector: flow dissector test runs: %s (run as root)\n",
			strerror(-ret));
		exit(1);
	}
	ret = dissector_load(path, NULL, &target.dis, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "fuzz_dissector: dissector '%s': %s (set FDTEST_FUZZ_DISSECTOR)\n",
			path, err);
		exit(1);
	}
	prog_fd = dissector_prog_fd(target.dis);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ret;

	if (size < FDTEST_FRAME_MIN || size > FUZZ_INPUT_MAX)
		return -1;	/* not an input: keep it out of the corpus */
	memcpy(in.bytes, data, size);
	in.len = (uint32_t)size;
	ret = fuzz_check(&target, prog_fd, -1, &in, NULL, &ev);
	if (ret < 0) {
		fprintf(stderr, "fuzz_dissector: test run: %s\n",
			strerror(-ret));
		abort();
	}
	for (size_t i = 0; i < ev.n_features; i++)
		shapes[ev.features[i] % SHAPE_COUNTERS] = 1;
	if (ev.n_issues) {
		for (size_t i = 0; i < ev.n_issues; i++)
			fprintf(stderr, "fuzz_dissector: %s %s\n",
				fuzz_oracle_name(ev.issues[i].oracle),
				ev.issues[i].field);
		abort();
	}
	return 0;
}
