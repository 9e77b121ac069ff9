/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A flow dissector object, loaded: the entry program found, tail-call
 * tables filled. Owns the struct bpf_object.
 *
 * The entry is the only SEC("flow_dissector") program that is not a
 * tail-call target, unless named. A PROG_ARRAY that libbpf initialised
 * from the object stays as it is; an empty one is filled by program name
 * the way the kernel selftests fill jmp_table: "<prefix>_<N>" at index N.
 */
#ifndef FDTEST_DISSECTOR_H
#define FDTEST_DISSECTOR_H

#include <stdbool.h>
#include <stddef.h>

struct dissector;

/*
 * Opens and loads @path; @prog_name (NULL: find it) picks the entry.
 * Returns 0, or a negative errno with one line in @err:
 *   -ENOENT, -ENOEXEC, -EINVAL  the object is missing or unusable
 *   -EPERM                      no privilege to load BPF programs
 *   -EOPNOTSUPP                 the kernel lacks flow dissector programs
 *   -EACCES                     the verifier rejected a program (its log
 *                               went to stderr through libbpf)
 *   another                     loading failed before the verifier judged
 *                               a program: a map the kernel cannot create,
 *                               no memory, an object libbpf cannot relocate
 */
int dissector_load(const char *path, const char *prog_name,
		   struct dissector **out, char *err, size_t err_size);

/*
 * dissector_load(), and when it returns -EACCES the verifier's own words
 * for why it refused in @reason (its log's last line before the
 * statistics, cut to @reason_size); "" when it gave none or the load
 * failed otherwise. @reason may be NULL.
 */
int dissector_load_reason(const char *path, const char *prog_name,
			  struct dissector **out, char *err, size_t err_size,
			  char *reason, size_t reason_size);

/*
 * The name dissector_name() gives the object at @path, whether or not it
 * loads: the file name without folder and ".bpf.o"/".o".
 */
void dissector_name_of(const char *path, char *out, size_t size);

/* File name without folder and ".bpf.o"/".o": names goldens. */
const char *dissector_name(const struct dissector *d);
const char *dissector_path(const struct dissector *d);
const char *dissector_entry(const struct dissector *d);
int dissector_prog_fd(const struct dissector *d);

/*
 * Makes room for @n copies of the object, for test-run threads 1..@n to
 * run programs of their own: every BPF_PROG_TEST_RUN takes and drops a
 * reference on its program and its file, and two CPUs doing that on the
 * same ones spend a few percent of the kernel's time moving those counts
 * between them. The copies share the first's maps (a large map is held
 * once, and the dissector sees one state), all but its PROG_ARRAYs, which
 * hold each copy's own programs. Returns 0 or -ENOMEM.
 */
int dissector_want_copies(struct dissector *d, unsigned int n);
/*
 * The program for test-run thread @thread: its copy, loaded on the
 * thread's first call so that a thread that never runs costs no load, or
 * the first program (thread 0, threads past the copies, and a copy that
 * did not load, which is said once as a warning). Calls for different
 * threads may come at once; calls for one thread must not.
 */
int dissector_thread_fd(struct dissector *d, unsigned int thread);
/* Tail-call slots fdtest filled by program name. */
unsigned int dissector_filled(const struct dissector *d);

void dissector_close(struct dissector *d);	/* NULL is fine */

/* True for the errors above that mean "the machine refuses". */
bool dissector_err_is_env(int err);

/*
 * Whether dissector_load()'s @err is what a kernel older than the
 * dissector's declared min_kernel is expected to answer, so that the
 * dissector is skipped there, not failed: only the verifier's rejection
 * (a helper or feature the kernel lacks). Any other failure (a map type
 * the kernel lacks, no memory, a broken object) is an error on every
 * kernel. The one place that decides it, for every command.
 */
bool dissector_refusal_expected(int err, bool below_min_kernel);

#endif /* FDTEST_DISSECTOR_H */
