// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The ordered pool (see worker.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/worker.h"

/*
 * Slots are numbered by a running count; slot k lives at k % n_slots.
 * [tail, taken) are being worked on or done, [taken, head) wait for a
 * thread, [head, tail + n_slots) are free.
 */
struct worker_thread {
	struct worker_pool *pool;
	unsigned int index;
	pthread_t tid;
};

struct worker_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a slot waits for a thread, or stop */
	pthread_cond_t done;	/* a slot was worked on */
	void *const *slots;
	bool *finished;
	size_t n_slots;
	size_t head;		/* filled so far */
	size_t taken;		/* handed to threads so far */
	size_t tail;		/* released so far */
	size_t want;		/* the caller sleeps until this many are done */
	bool stop;
	worker_fn fn;
	void *ctx;
	struct worker_thread *threads;
	unsigned int n_threads;
};

/* Slots done from the oldest on, without a gap; under the lock. */
static size_t done_in_order(const struct worker_pool *p)
{
	size_t n = 0;

	while (p->tail + n < p->head && p->finished[(p->tail + n) % p->n_slots])
		n++;
	return n;
}

static void *worker_main(void *arg)
{
	const struct worker_thread *t = arg;
	struct worker_pool *p = t->pool;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		size_t k;

		while (!p->stop && p->taken == p->head)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		k = p->taken++ % p->n_slots;
		pthread_mutex_unlock(&p->lock);

		p->fn(p->ctx, t->index, p->slots[k]);

		pthread_mutex_lock(&p->lock);
		p->finished[k] = true;
		if (p->want && done_in_order(p) >= p->want)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int worker_pool_create(unsigned int n_threads, void *const *slots,
		       size_t n_slots, worker_fn fn, void *ctx,
		       struct worker_pool **out)
{
	struct worker_pool *p;
	int ret;

	if (!n_slots || n_threads > WORKER_THREADS_MAX)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->finished = calloc(n_slots, sizeof(*p->finished));
	p->threads = calloc(n_threads ? n_threads : 1, sizeof(*p->threads));
	if (!p->finished || !p->threads) {
		ret = -ENOMEM;
		goto err_free;
	}
	p->slots = slots;
	p->n_slots = n_slots;
	p->fn = fn;
	p->ctx = ctx;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	for (; p->n_threads < n_threads; p->n_threads++) {
		struct worker_thread *t = &p->threads[p->n_threads];

		t->pool = p;
		t->index = p->n_threads;
		ret = -pthread_create(&t->tid, NULL, worker_main, t);
		if (ret) {
			worker_pool_destroy(p);
			return ret;
		}
	}
	*out = p;
	return 0;

err_free:
	free(p->threads);
	free(p->finished);
	free(p);
	return ret;
}

void *worker_free_slot(struct worker_pool *p)
{
	/* only the caller moves head and tail: no lock needed to read them */
	if (p->head - p->tail == p->n_slots)
		return NULL;
	return p->slots[p->head % p->n_slots];
}

void worker_submit(struct worker_pool *p)
{
	size_t k = p->head % p->n_slots;

	if (!p->n_threads) {
		p->fn(p->ctx, 0, p->slots[k]);
		p->finished[k] = true;
		p->head++;
		p->taken++;
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->finished[k] = false;
	p->head++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

void *worker_wait(struct worker_pool *p)
{
	size_t k = p->tail % p->n_slots;

	if (p->tail == p->head)
		return NULL;
	if (!p->n_threads)
		return p->slots[k];
	pthread_mutex_lock(&p->lock);
	if (!p->finished[k]) {
		/*
		 * Waking a thread costs an interrupt on the other CPU, dear
		 * on a VM: once asleep, sleep until half the ring is done,
		 * and take it in one go. The threads still have the other
		 * half to work on.
		 */
		p->want = p->head - p->tail;
		if (p->want > p->n_slots / 2)
			p->want = p->n_slots / 2;
		if (p->want < 1)
			p->want = 1;
		while (done_in_order(p) < p->want)
			pthread_cond_wait(&p->done, &p->lock);
		p->want = 0;
	}
	pthread_mutex_unlock(&p->lock);
	return p->slots[k];
}

void worker_release(struct worker_pool *p)
{
	if (!p->n_threads) {
		p->tail++;
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->finished[p->tail % p->n_slots] = false;
	p->tail++;
	pthread_mutex_unlock(&p->lock);
}

void worker_pool_destroy(struct worker_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i].tid, NULL);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p->finished);
	free(p);
}

unsigned int worker_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > WORKER_THREADS_MAX ? WORKER_THREADS_MAX : (unsigned int)n;
}
