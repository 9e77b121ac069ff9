/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * An ordered pool: a fixed ring of slots that one thread (the caller)
 * fills and consumes in order, and N threads work on in between. Results
 * come back in the order the slots were filled, whatever order the
 * threads finish in, so output does not depend on N. Memory is the ring,
 * allocated by the caller once: nothing grows with the input.
 *
 * With 0 threads, worker_submit() runs the work on the calling thread,
 * through the same code.
 *
 * Caller loop:
 *	while ((slot = worker_free_slot(pool)) && more input)
 *		fill slot, worker_submit(pool);
 *	slot = worker_wait(pool);	// oldest submitted, done; NULL: none
 *	use slot, worker_release(pool);
 */
#ifndef FDTEST_WORKER_H
#define FDTEST_WORKER_H

#include <stddef.h>

/*
 * Works on one slot; runs on pool thread @thread, 0 to n_threads - 1 (0
 * on the caller's thread with 0 threads), so that the work can keep
 * per-thread resources apart.
 */
typedef void (*worker_fn)(void *ctx, unsigned int thread, void *slot);

struct worker_pool;

#define WORKER_THREADS_MAX 256

/*
 * Starts @n_threads threads over the @n_slots slots in @slots (owned by
 * the caller, who frees them after worker_pool_destroy()). Returns 0 or a
 * negative errno (-EINVAL for no slots or too many threads).
 */
int worker_pool_create(unsigned int n_threads, void *const *slots,
		       size_t n_slots, worker_fn fn, void *ctx,
		       struct worker_pool **out);

/* The next slot to fill, or NULL while every slot is in use. */
void *worker_free_slot(struct worker_pool *pool);
/* Hands the slot worker_free_slot() returned to the threads. */
void worker_submit(struct worker_pool *pool);
/*
 * Waits until the oldest submitted slot is worked on and returns it; NULL
 * when nothing is submitted.
 */
void *worker_wait(struct worker_pool *pool);
/* Gives the slot worker_wait() returned back for filling. */
void worker_release(struct worker_pool *pool);

/*
 * Lets the threads finish the slot they are on, skips the rest, joins
 * them and frees @pool. NULL is fine.
 */
void worker_pool_destroy(struct worker_pool *pool);

/* Online CPUs, at least 1: the default number of threads. */
unsigned int worker_default_threads(void);

#endif /* FDTEST_WORKER_H */
