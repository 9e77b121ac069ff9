// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The floor for the benchmark: what the kernel alone costs. Every frame of
 * a capture is shaped into the starting states fdtest runs (the same
 * frame_shape() code) and copied into one block of memory up front; then
 * the clock runs over nothing but bpf_prog_test_run_opts() on each shaped
 * frame, one after another on one thread, with the same dissector, input
 * flags 0 and the keys copied out as fdtest copies them.
 *
 * Usage: floor [--threads N] OBJ CAPTURE [MAX_FRAMES]
 * Prints one line of key=value pairs for bench/run.sh. With N threads the
 * shaped frames are split into N contiguous parts run side by side, each
 * thread on a copy of the program of its own as fdtest's threads are:
 * what the kernel itself gives on N cores, with no harness at all.
 *
 * Usage: floor --dump DIR CAPTURE MAX_FRAMES
 * Writes the first frames as captured to DIR/1.bin, DIR/2.bin, ..., the
 * files a user would hand to bpftool prog run one at a time.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture/capture.h"
#include "run/dissector.h"
#include "run/frame.h"
#include "util/log.h"

struct shaped {
	uint32_t off;		/* into the arena */
	uint32_t len;
};

struct preload {
	uint8_t *arena;
	size_t used;
	size_t cap;
	struct shaped *runs;
	size_t n_runs;
	size_t runs_cap;
	uint64_t frames;
};

static int preload_add(struct preload *p, const struct frame_state *st)
{
	if (p->n_runs == p->runs_cap) {
		size_t cap = p->runs_cap ? 2 * p->runs_cap : 4096;
		struct shaped *r = realloc(p->runs, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		p->runs = r;
		p->runs_cap = cap;
	}
	while (p->used + st->len > p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 1 << 20;
		uint8_t *a = realloc(p->arena, cap);

		if (!a)
			return -ENOMEM;
		p->arena = a;
		p->cap = cap;
	}
	memcpy(p->arena + p->used, st->data, st->len);
	p->runs[p->n_runs].off = (uint32_t)p->used;
	p->runs[p->n_runs].len = st->len;
	p->n_runs++;
	p->used += st->len;
	return 0;
}

/* Calls @fn on the first @max frames of @path that are not skipped. */
static int for_each_frame(const char *path, uint64_t max,
			  int (*fn)(void *ctx, const struct capture_frame *fr),
			  void *ctx)
{
	struct capture_frame fr;
	struct capture *cap;
	char why[256];
	uint64_t n = 0;
	int ret;

	ret = capture_open(path, &cap, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "floor: capture '%s': %s\n", path, why);
		return ret;
	}
	while (n < max) {
		ret = capture_next(cap, &fr, why, sizeof(why));
		if (ret == CAPTURE_END)
			break;
		if (ret < 0) {
			fprintf(stderr, "floor: capture '%s': %s\n", path, why);
			break;
		}
		if (ret == CAPTURE_SKIP)
			continue;
		ret = fn(ctx, &fr);
		if (ret)
			break;
		n++;
	}
	capture_close(cap);
	return ret < 0 ? ret : 0;
}

static int preload_frame(void *ctx, const struct capture_frame *fr)
{
	static struct frame_states shape;
	struct preload *p = ctx;
	int ret;

	/* the kernel refuses state fields in ctx_in: strip-and-shift */
	ret = frame_shape(fr->data, fr->len, false, &shape);
	for (int s = 0; !ret && s < FDTEST_STATE_COUNT; s++)
		ret = preload_add(p, &shape.state[s]);
	if (!ret)
		p->frames++;
	return ret;
}

struct dump {
	const char *dir;
	uint64_t n;
};

static int dump_frame(void *ctx, const struct capture_frame *fr)
{
	struct dump *d = ctx;
	char name[4096];
	int ret = 0;
	FILE *f;

	snprintf(name, sizeof(name), "%s/%llu.bin", d->dir,
		 (unsigned long long)++d->n);
	f = fopen(name, "wb");
	if (!f || fwrite(fr->data, 1, fr->len, f) != fr->len) {
		fprintf(stderr, "floor: %s: %s\n", name, strerror(errno));
		ret = -EIO;
	}
	if (f && fclose(f))
		ret = -EIO;
	return ret;
}

static int dump_frames(const char *dir, const char *path, uint64_t max)
{
	struct dump d = { .dir = dir };

	return for_each_frame(path, max, dump_frame, &d) ? 2 : 0;
}

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct part {
	int fd;
	const struct preload *p;
	size_t from, to;	/* runs[from..to) */
	int ret;
};

static int run_part(int fd, const struct preload *p, size_t from, size_t to)
{
	struct bpf_flow_keys keys;
	struct bpf_flow_keys ctx = { .flags = 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_out = &keys,
		.data_size_out = sizeof(keys),
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
	);

	for (size_t i = from; i < to; i++) {
		int ret;

		opts.data_in = p->arena + p->runs[i].off;
		opts.data_size_in = p->runs[i].len;
		opts.data_size_out = sizeof(keys);
		ret = bpf_prog_test_run_opts(fd, &opts);
		if (ret)
			return ret;
	}
	return 0;
}

static void *part_thread(void *arg)
{
	struct part *pt = arg;

	pt->ret = run_part(pt->fd, pt->p, pt->from, pt->to);
	return NULL;
}

#define FLOOR_THREADS_MAX 64

static int run_all(struct dissector *dis, const struct preload *p,
		   unsigned int n)
{
	struct part parts[FLOOR_THREADS_MAX];
	pthread_t tids[FLOOR_THREADS_MAX];
	unsigned int started = 0;
	int ret = 0;

	if (n <= 1)
		return run_part(dissector_prog_fd(dis), p, 0, p->n_runs);
	for (unsigned int i = 0; i < n; i++) {
		parts[i] = (struct part){
			.fd = dissector_thread_fd(dis, i), .p = p,
			.from = p->n_runs * i / n,
			.to = p->n_runs * (i + 1) / n,
		};
		if (pthread_create(&tids[i], NULL, part_thread, &parts[i]))
			break;
		started++;
	}
	for (unsigned int i = 0; i < started; i++) {
		pthread_join(tids[i], NULL);
		ret = ret ?: parts[i].ret;
	}
	return started == n ? ret : -EAGAIN;
}

int main(int argc, char **argv)
{
	struct preload p = { 0 };
	struct dissector *dis;
	struct rusage ru;
	double t0, t1, c0, c1;
	uint64_t max = UINT64_MAX;
	unsigned int threads = 1;
	char err[512];
	int ret;

	if (argc == 5 && strcmp(argv[1], "--dump") == 0)
		return dump_frames(argv[2], argv[3],
				   strtoull(argv[4], NULL, 10));
	if (argc > 3 && strcmp(argv[1], "--threads") == 0) {
		threads = (unsigned int)strtoul(argv[2], NULL, 10);
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || argc > 4 || threads < 1 ||
	    threads > FLOOR_THREADS_MAX) {
		fprintf(stderr,
			"Usage: floor [--threads N] OBJ CAPTURE [MAX_FRAMES]\n");
		return 2;
	}
	if (argc == 4)
		max = strtoull(argv[3], NULL, 10);
	log_set_level(LOG_QUIET);
	log_setup_libbpf();
	ret = dissector_load(argv[1], NULL, &dis, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "floor: dissector '%s': %s\n", argv[1], err);
		return dissector_err_is_env(ret) ? 3 : 2;
	}
	ret = dissector_want_copies(dis, threads - 1);
	if (ret) {
		fprintf(stderr, "floor: dissector '%s': copies: %s\n", argv[1],
			strerror(-ret));
		goto out;
	}
	/* the copies load before the clock starts */
	for (unsigned int i = 1; i < threads; i++)
		dissector_thread_fd(dis, i);
	ret = for_each_frame(argv[2], max, preload_frame, &p);
	if (ret)
		goto out;

	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	ret = run_all(dis, &p, threads);
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	t1 = now(CLOCK_MONOTONIC);
	if (ret) {
		fprintf(stderr, "floor: test run: %s\n", strerror(-ret));
		goto out;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("frames=%llu runs=%zu seconds=%.3f cpu=%.3f maxrss_kib=%ld\n",
	       (unsigned long long)p.frames, p.n_runs, t1 - t0, c1 - c0,
	       ru.ru_maxrss);
out:
	free(p.runs);
	free(p.arena);
	dissector_close(dis);
	return ret ? 2 : 0;
}
