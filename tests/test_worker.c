// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The ordered pool: slots come back in the order they were filled,
 * whatever thread worked on them, each thread knows its own index, and
 * with no threads the caller does the work.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "worker.h"

#define SLOTS	6
#define ITEMS	200

struct slot {
	unsigned int item;	/* filled by the caller */
	unsigned int squared;	/* by the work */
	unsigned int thread;	/* which thread did it */
};

/* Uneven work, so that threads finish out of order. */
static void square(void *ctx, unsigned int thread, void *p)
{
	struct slot *s = p;
	struct timespec nap = { 0, (long)(s->item % 7) * 100000 };

	(void)ctx;
	nanosleep(&nap, NULL);
	s->squared = s->item * s->item;
	s->thread = thread;
}

/*
 * Runs ITEMS items through a pool of @n_threads; each comes back in order
 * and worked on. seen[t] counts the items thread t did.
 */
static void run_items(unsigned int n_threads, unsigned int seen[])
{
	struct slot slots[SLOTS];
	void *ptrs[SLOTS];
	struct worker_pool *pool;
	unsigned int next = 0, want = 0;
	struct slot *s;

	for (size_t i = 0; i < SLOTS; i++)
		ptrs[i] = &slots[i];
	assert_int_equal(worker_pool_create(n_threads, ptrs, SLOTS, square,
					    NULL, &pool), 0);
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
	unsigned int seen[4] = { 0 };
	unsigned int busy = 0;

	(void)state;
	run_items(4, seen);
	/* with uneven naps, more than one thread takes a share */
	for (size_t t = 0; t < 4; t++)
		busy += seen[t] > 0;
	assert_true(busy > 1);
}

static void test_worker_no_threads(void **state)
{
	unsigned int seen[1] = { 0 };

	(void)state;
	run_items(0, seen);
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
