// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The ordered pool: slots come back in the order they were filled,
 * whatever thread worked on them, each thread knows its own index, and
 * with no threads the caller does the work.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util/worker.h"

#define SLOTS	6
#define ITEMS	200

struct slot {
	unsigned int item;	/* filled by the caller */
	unsigned int squared;	/* by the work */
	unsigned int thread;	/* which thread did it */
};

/*
 * The first GATED items hold their threads until GATED threads are in
 * the work at once, and item 0 finishes only after the others have: so
 * every thread takes a share and the threads finish out of order, by
 * construction, not by luck of timing. The wait is bounded only so that
 * a pool that serialises the work fails instead of hanging.
 */
#define GATED	4

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t moved;
	unsigned int inside;	/* gated items started */
	unsigned int finished;	/* gated items other than 0 finished */
	bool timed_out;
};

/* Waits under g->lock until *count reaches @want; false on time out. */
static bool gate_wait(struct gate *g, const unsigned int *count,
		      unsigned int want)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	while (*count < want)
		if (pthread_cond_timedwait(&g->moved, &g->lock, &until))
			return false;
	return true;
}

static void gate_pass(struct gate *g, unsigned int item)
{
	pthread_mutex_lock(&g->lock);
	g->inside++;
	pthread_cond_broadcast(&g->moved);
	if (!gate_wait(g, &g->inside, GATED) ||
	    (item == 0 && !gate_wait(g, &g->finished, GATED - 1)))
		g->timed_out = true;
	pthread_mutex_unlock(&g->lock);
}

static void gate_done(struct gate *g, unsigned int item)
{
	pthread_mutex_lock(&g->lock);
	if (item)
		g->finished++;
	pthread_cond_broadcast(&g->moved);
	pthread_mutex_unlock(&g->lock);
}

/* @ctx: a struct gate, or NULL for work without a gate */
static void square(void *ctx, unsigned int thread, void *p)
{
	struct slot *s = p;
	struct gate *g = ctx;

	if (g && s->item < GATED)
		gate_pass(g, s->item);
	s->squared = s->item * s->item;
	s->thread = thread;
	if (g && s->item < GATED)
		gate_done(g, s->item);
}

/*
 * Runs ITEMS items through a pool of @n_threads; each comes back in order
 * and worked on. seen[t] counts the items thread t did.
 */
static void run_items(unsigned int n_threads, struct gate *gate,
		      unsigned int seen[])
{
	struct slot slots[SLOTS];
	void *ptrs[SLOTS];
	struct worker_pool *pool;
	unsigned int next = 0, want = 0;
	struct slot *s;

	for (size_t i = 0; i < SLOTS; i++)
		ptrs[i] = &slots[i];
	assert_int_equal(worker_pool_create(n_threads, ptrs, SLOTS, square,
					    gate, &pool), 0);
	for (;;) {
		while (next < ITEMS && (s = worker_free_slot(pool))) {
			memset(s, 0, sizeof(*s));
			s->item = next++;
			worker_submit(pool);
		}
		s = worker_wait(pool);
		if (!s)
			break;
		assert_int_equal(s->item, want);
		assert_int_equal(s->squared, want * want);
		assert_true(s->thread < (n_threads ? n_threads : 1));
		seen[s->thread]++;
		want++;
		worker_release(pool);
	}
	assert_int_equal(want, ITEMS);
	worker_pool_destroy(pool);
}

static void test_worker_in_order(void **state)
{
	struct gate gate = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.moved = PTHREAD_COND_INITIALIZER,
	};
	unsigned int seen[GATED] = { 0 };

	(void)state;
	/* item 0 came back first although it finished last */
	run_items(GATED, &gate, seen);
	assert_false(gate.timed_out);
	assert_int_equal(gate.finished, GATED - 1);
	for (size_t t = 0; t < GATED; t++)
		assert_true(seen[t] > 0);
}

static void test_worker_no_threads(void **state)
{
	unsigned int seen[1] = { 0 };

	(void)state;
	run_items(0, NULL, seen);
	assert_int_equal(seen[0], ITEMS);
}

static void test_worker_bad_args(void **state)
{
	struct worker_pool *pool = NULL;
	void *ptrs[1] = { NULL };

	(void)state;
	assert_int_equal(worker_pool_create(1, ptrs, 0, square, NULL, &pool),
			 -EINVAL);
	assert_int_equal(worker_pool_create(WORKER_THREADS_MAX + 1, ptrs, 1,
					    square, NULL, &pool), -EINVAL);
	assert_null(pool);
	worker_pool_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worker_in_order),
		cmocka_unit_test(test_worker_no_threads),
		cmocka_unit_test(test_worker_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
