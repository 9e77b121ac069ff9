/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Guests for the matrix: the initramfs they boot, qemu started and
 * watched, their console read back into rows. Every boot is bounded: a
 * guest that panics, hangs, is killed or prints nothing usable becomes a
 * failed row with the reason and the tail of its console.
 */
#ifndef FDTEST_MATRIX_GUEST_H
#define FDTEST_MATRIX_GUEST_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* One row of the matrix: the host, or one kernel booted under qemu. */
struct matrix_row {
	char label[256];	/* "host", or the kernel image's path */
	const char *kernel;	/* image path; NULL for the host */
	json_t *result;		/* the suite's result (matrix_suite.h) */
	bool failed;
	char reason[512];	/* why the row failed when no result says */
	char *console_tail;	/* the console's last lines, when it failed */
	double seconds;		/* boot (or start) to result */
	char guest_exit[32];	/* how the guest's fdtest ended: "exit 0" */
	unsigned int boots;	/* more than 1: the kernel crashed before */
	char first_crash[256];	/* the first crash's line, then */
};

void matrix_row_clear(struct matrix_row *row);	/* frees, keeps label */

/* What the guests hold: the suite as fdtest matrix --guest reads it. */
struct matrix_pack {
	const char *init;		/* static init (matrix/init.c) */
	const char *fdtest;		/* static fdtest */
	const char *const *dissectors;
	size_t n_dissectors;
	const char *const *captures;
	size_t n_captures;
	const char *expected_dir;
	bool real_path;		/* the guest runs the real path too */
	bool update;		/* and records its goldens */
	const char *run_args;	/* an fdtest run there too; NULL: none */
};

/*
 * A dissector's name: the object's (dissector_name_of), or "kernel" for
 * the kernel's own (MATRIX_KERNEL_BUILTIN, matrix_suite.h).
 */
void matrix_dissector_name(const char *path, char *out, size_t size);

/* Whether the suite packed in @dir asks for the real path. */
bool matrix_guest_real_path(const char *dir);
/* Whether it asks for the real goldens to be recorded (--update). */
bool matrix_guest_update(const char *dir);

/*
 * Writes the initramfs to @path. Returns 0, or a negative errno with a
 * one-line reason naming the file in @err.
 */
int matrix_guest_pack(const struct matrix_pack *p, const char *path,
		      char *err, size_t err_size);

struct matrix_boot {
	const char *qemu;		/* the emulator's command */
	const char *initramfs;
	const char *accel;		/* "kvm" or "tcg" */
	const char *cpu;		/* -cpu under KVM; NULL: host */
	const char *tcg_cpu;		/* -cpu under TCG; NULL: max */
	unsigned int timeout_s;		/* per boot, start to power-off */
	unsigned int jobs;		/* guests at once */
	unsigned int retries;		/* new boots after a kernel crash */
	unsigned int memory_mb;
	const char *work_dir;		/* consoles are written here */
};

/*
 * The first line of a kernel crash (oops, panic, BUG) on a guest's
 * console @text (@len bytes), from the mark to the end of its line, in
 * @out; "" when none. Only the console's own text counts, never a frame
 * line of @nonce (matrix_console.h), whose payload holds user names.
 */
void matrix_guest_find_crash(const char *text, size_t len,
			     const char *nonce, char *out, size_t size);

/* The -cpu model for a guest under @accel ("kvm" or "tcg"). */
const char *matrix_guest_cpu(const struct matrix_boot *b, const char *accel);

/*
 * Boots rows[i].kernel for each row, up to @b->jobs at once, and fills
 * the rows. Returns 0, or a negative errno when no guest could be set up
 * at all (the rows then say why).
 */
int matrix_guest_boot_all(const struct matrix_boot *b,
			  struct matrix_row *rows, size_t n);

/*
 * The accelerator test: boots @kernel with KVM and waits up to
 * @timeout_s for the init to answer. Started early so the host row can
 * run meanwhile; finish returns true when KVM works.
 */
struct matrix_kvm_probe;
int matrix_guest_kvm_start(const struct matrix_boot *b, const char *kernel,
			   unsigned int timeout_s,
			   struct matrix_kvm_probe **out);
bool matrix_guest_kvm_finish(struct matrix_kvm_probe *p);

#endif /* FDTEST_MATRIX_GUEST_H */
