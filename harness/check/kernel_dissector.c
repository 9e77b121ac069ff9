// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The kernel's C dissector as "-d kernel" (see kernel_dissector.h). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <bpf/libbpf.h>

#include "capture/capture.h"
#include "check/kernel_dissector.h"
#include "run/bpf/kernel_dissector.skel.h"
#include "util/log.h"

struct kernel_watch {
	struct kernel_dissector_bpf *skel;
	struct bpf_link *links[2];
	struct ring_buffer *rb;
	struct kernel_obs *obs;
};

static int rb_event(void *ctx, void *data, size_t size)
{
	struct kernel_watch *kw = ctx;
	struct kernel_obs *obs = kw->obs;

	if (!obs || size < sizeof(struct kernel_dissector_event))
		return 0;
	if (obs->n == KERNEL_EVENTS_MAX) {
		obs->extra++;
		return 0;
	}
	memcpy(&obs->ev[obs->n++], data, sizeof(obs->ev[0]));
	return 0;
}

/* libbpf's words while the watch loads: the reason, when it fails. */
static char held_log[65536];
static size_t held_len;

static int hold_print(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	if (held_len > sizeof(held_log) / 2) {
		memmove(held_log, held_log + held_len / 2,
			held_len - held_len / 2);
		held_len -= held_len / 2;
	}
	n = vsnprintf(held_log + held_len, sizeof(held_log) - held_len, fmt,
		      ap);
	if (n > 0)
		held_len += (size_t)n < sizeof(held_log) - held_len ?
			    (size_t)n : sizeof(held_log) - held_len - 1;
	return 0;
}

/* The verifier's last words before its last statistics, or "". */
static void held_reason(char *out, size_t size)
{
	char *line, *save = NULL, *last = NULL, *reason = NULL;

	out[0] = '\0';
	for (line = strtok_r(held_log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "processed ", 10) == 0)
			reason = last;
		else if (strncmp(line, "libbpf:", 7) && line[0] != ';')
			last = line;
	}
	if (reason)
		snprintf(out, size, " (the verifier: %s)", reason);
}

/* fexit (6.5+) when it loads and attaches, else kprobe + kretprobe. */
static int watch_attach(struct kernel_watch *kw, uint32_t netns_ino)
{
	int ret = -ENOENT;

	for (int fexit = 1; fexit >= 0; fexit--) {
		struct kernel_dissector_bpf *s = kernel_dissector_bpf__open();

		if (!s)
			return -errno;
		bpf_program__set_autoload(s->progs.kernel_by_fexit, fexit);
		bpf_program__set_autoload(s->progs.kernel_by_kprobe, !fexit);
		bpf_program__set_autoload(s->progs.kernel_by_kretprobe,
					  !fexit);
		s->bss->watched_netns = netns_ino;
		ret = kernel_dissector_bpf__load(s);
		if (!ret && fexit) {
			kw->links[0] = bpf_program__attach(
				s->progs.kernel_by_fexit);
			ret = kw->links[0] ? 0 : -errno;
		} else if (!ret) {
			kw->links[0] = bpf_program__attach(
				s->progs.kernel_by_kprobe);
			kw->links[1] = kw->links[0] ? bpf_program__attach(
				s->progs.kernel_by_kretprobe) : NULL;
			ret = kw->links[1] ? 0 : -errno;
		}
		if (!ret) {
			kw->skel = s;
			return 0;
		}
		bpf_link__destroy(kw->links[1]);
		bpf_link__destroy(kw->links[0]);
		kw->links[0] = kw->links[1] = NULL;
		kernel_dissector_bpf__destroy(s);
	}
	return ret;
}

int kernel_watch_open(struct realpath *rp, struct kernel_watch **out,
		      char *err, size_t err_size)
{
	struct kernel_watch *kw = calloc(1, sizeof(*kw));
	libbpf_print_fn_t saved;
	int ret;

	if (!kw)
		return -ENOMEM;
	char why[256];

	/* the variant a kernel refuses is no news; the last one's reason is */
	held_len = 0;
	held_log[0] = '\0';
	saved = log_get_level() >= LOG_DEBUG ? NULL :
		libbpf_set_print(hold_print);
	ret = watch_attach(kw, realpath_netns_ino(rp));
	if (saved)
		libbpf_set_print(saved);
	if (ret) {
		held_reason(why, sizeof(why));
		snprintf(err, err_size,
			 "the kernel refuses a watch on __skb_flow_dissect (fexit from 6.5, kprobe before): %s%s",
			 strerror(-ret), why);
		free(kw);
		return ret == -EPERM || ret == -EACCES ? -EPERM : -EOPNOTSUPP;
	}
	kw->rb = ring_buffer__new(bpf_map__fd(kw->skel->maps.events),
				  rb_event, kw, NULL);
	if (!kw->rb) {
		ret = -errno;
		snprintf(err, err_size, "ring buffer: %s", strerror(-ret));
		kernel_watch_close(kw);
		return ret;
	}
	*out = kw;
	return 0;
}

void kernel_watch_close(struct kernel_watch *kw)
{
	if (!kw)
		return;
	ring_buffer__free(kw->rb);
	bpf_link__destroy(kw->links[1]);
	bpf_link__destroy(kw->links[0]);
	kernel_dissector_bpf__destroy(kw->skel);
	free(kw);
}

void kernel_watch_collect(struct kernel_watch *kw, struct kernel_obs *obs)
{
	if (obs)
		memset(obs, 0, sizeof(*obs));
	kw->obs = obs;
	ring_buffer__consume(kw->rb);
	kw->obs = NULL;
}

static void check_field(struct golden_line *exp, size_t offset, size_t size)
{
	memset(exp->mask + offset, 0xff, size);
}

#define CHECK(exp, field) \
	check_field(exp, offsetof(struct bpf_flow_keys, field), \
		    sizeof(((struct bpf_flow_keys *)0)->field))

static bool has_key(const struct kernel_dissector_event *e, unsigned int id)
{
	return id < 64 && (e->used_keys & (1ull << id));
}

void kernel_dissector_expect(const struct kernel_dissector_event *e,
			     uint16_t shift, struct golden_line *exp)
{
	struct bpf_flow_keys *k = &exp->keys;

	memset(exp, 0, sizeof(*exp));
	exp->has_ret = true;
	exp->ret = e->ret ? FDTEST_RET_OK : TESTRUN_RET_NOT_OK;
	k->thoff = (uint16_t)(e->thoff + shift);
	/* the running kernel's FLOW_DIS_* values, which moved in 6.12 */
	k->is_frag = !!(e->ctrl_flags & e->dis_is_fragment);
	k->is_first_frag = !!(e->ctrl_flags & e->dis_first_frag);
	k->is_encap = !!(e->ctrl_flags & e->dis_encapsulation);
	k->n_proto = e->n_proto;
	k->ip_proto = e->ip_proto;
	CHECK(exp, thoff);
	CHECK(exp, is_frag);
	CHECK(exp, is_first_frag);
	CHECK(exp, is_encap);
	CHECK(exp, n_proto);
	CHECK(exp, ip_proto);
	CHECK(exp, addr_proto);
	if (e->addr_type && e->addr_type == e->key_ipv4) {
		k->addr_proto = 0x0800;
		memcpy(&k->ipv4_src, e->addrs, 4);
		memcpy(&k->ipv4_dst, e->addrs + 4, 4);
		CHECK(exp, ipv4_src);
		CHECK(exp, ipv4_dst);
	} else if (e->addr_type && e->addr_type == e->key_ipv6) {
		k->addr_proto = 0x86dd;
		memcpy(k->ipv6_src, e->addrs, 16);
		memcpy(k->ipv6_dst, e->addrs + 16, 16);
		CHECK(exp, ipv6_src);
		CHECK(exp, ipv6_dst);
	}
	exp->layout = keys_layout_of(k);
	if (has_key(e, e->key_ports)) {
		k->sport = e->sport;
		k->dport = e->dport;
		CHECK(exp, sport);
		CHECK(exp, dport);
	}
	if (has_key(e, e->key_flow_label)) {
		k->flow_label = htonl(e->flow_label);
		CHECK(exp, flow_label);
	}
}

/*
 * Counts a difference in its class: trigger and field, and for the
 * verdict both values (which side refused is the story).
 */
static void class_add(struct kernel_diff_counts *c, const char *trigger,
		      const struct diff *d, const char *id)
{
	char name[sizeof(c->cls[0].name)];
	size_t i;

	if (strcmp(d->field, "ret") == 0)
		snprintf(name, sizeof(name), "%s ret %s/%s", trigger,
			 d->expected, d->actual);
	else
		snprintf(name, sizeof(name), "%s %s", trigger, d->field);
	for (i = 0; i < c->n_cls; i++)
		if (strcmp(c->cls[i].name, name) == 0)
			break;
	if (i == c->n_cls) {
		if (c->n_cls == KERNEL_CLASSES_MAX)
			return;
		c->n_cls++;
		snprintf(c->cls[i].name, sizeof(c->cls[i].name), "%s", name);
		snprintf(c->cls[i].first, sizeof(c->cls[i].first), "%s", id);
	}
	c->cls[i].cases++;
}

static int diff_event(const struct kernel_dissector_event *ke,
		      struct dissector *dis, const struct testrun_kernel *k,
		      const char *name, const struct capture_frame *f,
		      uint32_t len, kernel_case_fn *on_case, void *ctx,
		      struct kernel_diff_counts *c)
{
	static struct realpath_twin t;	/* 4 KiB: not on the stack */
	struct realpath_event as = {
		.nhoff = ke->data_off == 0 ? 14 : 0,
		.data_off = ke->data_off,
		.flags = ke->flags,
	};
	struct diff d[COMPARE_DIFFS_MAX];
	struct testrun_result tr;
	struct golden_line exp;
	char id[160];
	size_t n;
	int ret;

	realpath_twin_make(&as, f->data, len, &t);
	/* the transmit side asks the basic keys only; not compared */
	if (t.trigger != REALPATH_RX_RPS && t.trigger != REALPATH_RX_UNTAGGED)
		return 0;
	ret = testrun_one(dissector_prog_fd(dis), k, &t.st, ke->flags, 0, &tr);
	if (ret)
		return ret;
	kernel_dissector_expect(ke, t.real_shift, &exp);
	/* keys of a frame either side refuses are not specified */
	if (exp.ret != FDTEST_RET_OK || tr.ret != FDTEST_RET_OK)
		memset(exp.mask, 0, sizeof(exp.mask));
	n = compare_golden(&exp, tr.ret, &tr.keys, d, COMPARE_DIFFS_MAX);
	c->cases++;
	if (!n)
		return 0;
	c->differ++;
	snprintf(id, sizeof(id), "%s#%u/%s/flags=0x%x", name, f->index,
		 realpath_trigger_name(t.trigger), ke->flags);
	for (size_t i = 0; i < n; i++)
		class_add(c, realpath_trigger_name(t.trigger), &d[i], id);
	if (on_case)
		on_case(ctx, id, d, n);
	return 0;
}

/* What a capture loop does with each frame and the kernel's runs on it. */
typedef int kernel_frame_fn(void *ctx, const struct capture_frame *f,
			    uint32_t len, const struct kernel_obs *kobs,
			    char *err, size_t err_size);

/*
 * Every frame of @capture through lo with nothing attached, and what the
 * kernel's dissector did on it (what came before is dropped) to @fn.
 */
static int kernel_capture_each(struct realpath *rp, struct kernel_watch *kw,
			       const char *capture, kernel_frame_fn *fn,
			       void *ctx, struct kernel_diff_counts *c,
			       char *err, size_t err_size)
{
	static struct realpath_obs obs;
	static struct kernel_obs kobs;
	struct capture_frame f;
	struct capture *cap;
	char why[256];
	uint32_t len;
	int ret;

	ret = capture_open(capture, &cap, err, err_size);
	if (ret)
		return ret;
	while ((ret = capture_next_runnable(cap, &f, &len, why,
					    sizeof(why))) == CAPTURE_FRAME) {
		kernel_watch_collect(kw, NULL);
		ret = realpath_send(rp, f.data, len, &obs);
		if (ret) {
			snprintf(err, err_size,
				 "real path: capture '%s': frame %u: sending through lo: %s",
				 capture, f.index, strerror(-ret));
			break;
		}
		kernel_watch_collect(kw, &kobs);
		c->frames++;
		if (!kobs.n)
			c->unseen++;
		ret = fn(ctx, &f, len, &kobs, err, err_size);
		if (ret)
			break;
	}
	if (ret < 0 && !err[0])
		snprintf(err, err_size, "capture '%s': %s", capture, why);
	capture_close(cap);
	return ret;
}

struct diff_ctx {
	struct dissector *dis;
	const struct testrun_kernel *kernel;
	const char *capture;
	const char *name;	/* its file name */
	kernel_case_fn *on_case;
	void *ctx;
	struct kernel_diff_counts *c;
};

static int diff_frame(void *ctx, const struct capture_frame *f, uint32_t len,
		      const struct kernel_obs *kobs, char *err,
		      size_t err_size)
{
	struct diff_ctx *dc = ctx;

	for (size_t i = 0; i < kobs->n; i++) {
		int ret = diff_event(&kobs->ev[i], dc->dis, dc->kernel,
				     dc->name, f, len, dc->on_case, dc->ctx,
				     dc->c);

		if (ret) {
			snprintf(err, err_size,
				 "capture '%s': frame %u: test run: %s",
				 dc->capture, f->index, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int kernel_diff_capture(struct realpath *rp, struct kernel_watch *kw,
			struct dissector *dis,
			const struct testrun_kernel *kernel,
			const char *capture, kernel_case_fn *on_case,
			void *ctx, struct kernel_diff_counts *c, char *err,
			size_t err_size)
{
	const char *name = strrchr(capture, '/');
	struct diff_ctx dc = {
		.dis = dis, .kernel = kernel, .capture = capture,
		.name = name ? name + 1 : capture,
		.on_case = on_case, .ctx = ctx, .c = c,
	};

	err[0] = '\0';
	return kernel_capture_each(rp, kw, capture, diff_frame, &dc, c, err,
				   err_size);
}

/* One frame's cases of the kernel's dissector, in case order. */
static struct kernel_frame {
	struct case_result cases[KERNEL_EVENTS_MAX];
	struct golden_line exp[KERNEL_EVENTS_MAX];
	struct diff diffs[KERNEL_EVENTS_MAX][COMPARE_DIFFS_MAX];
	size_t n;
} kf;

/*
 * The kernel's run @ke as a case of its own. A trigger that ran twice on
 * one frame is one case (a golden has a line per case): the first run.
 */
static void case_event(const struct kernel_dissector_event *ke,
		       const struct capture_frame *f, uint32_t len)
{
	static struct realpath_twin t;	/* 4 KiB: not on the stack */
	struct realpath_event as = {
		.nhoff = ke->data_off == 0 ? 14 : 0,
		.data_off = ke->data_off,
		.flags = ke->flags,
	};
	struct case_result *c;
	struct case_id id;
	size_t at;

	realpath_twin_make(&as, f->data, len, &t);
	if (t.trigger != REALPATH_RX_RPS && t.trigger != REALPATH_RX_UNTAGGED)
		return;
	id = (struct case_id){
		f->index, t.trigger == REALPATH_RX_RPS ? FDTEST_STATE_RX_RPS :
			  FDTEST_STATE_RX_UNTAGGED, ke->flags };
	for (at = 0; at < kf.n; at++)
		if (case_id_cmp(&kf.cases[at].id, &id) >= 0)
			break;
	if ((at < kf.n && case_id_cmp(&kf.cases[at].id, &id) == 0) ||
	    kf.n == KERNEL_EVENTS_MAX)
		return;
	/* kept in order as they come: insert before the first later one */
	memmove(&kf.cases[at + 1], &kf.cases[at],
		(kf.n - at) * sizeof(kf.cases[0]));
	c = &kf.cases[at];
	memset(c, 0, sizeof(*c));
	kernel_dissector_expect(ke, t.real_shift, &kf.exp[kf.n]);
	/* keys of a frame it refuses are not specified */
	if (kf.exp[kf.n].ret != FDTEST_RET_OK)
		memset(kf.exp[kf.n].mask, 0, sizeof(kf.exp[kf.n].mask));
	c->id = id;
	c->ret = kf.exp[kf.n].ret;
	c->keys = &kf.exp[kf.n].keys;
	c->mask = kf.exp[kf.n].mask;
	c->diffs = kf.diffs[kf.n];
	kf.n++;
}

struct cases_ctx {
	realpath_frame_fn *on_frame;
	void *ctx;
	struct kernel_diff_counts *c;
};

static int cases_frame(void *ctx, const struct capture_frame *f,
		       uint32_t len, const struct kernel_obs *kobs,
		       char *err, size_t err_size)
{
	struct cases_ctx *cc = ctx;

	kf.n = 0;
	for (size_t i = 0; i < kobs->n; i++)
		case_event(&kobs->ev[i], f, len);
	cc->c->cases += kf.n;
	return cc->on_frame(cc->ctx, f->index, kf.cases, kf.n, err,
			    err_size);
}

int kernel_cases_capture(struct realpath *rp, struct kernel_watch *kw,
			 const char *capture, realpath_frame_fn *on_frame,
			 void *ctx, struct kernel_diff_counts *c, char *err,
			 size_t err_size)
{
	struct cases_ctx cc = { .on_frame = on_frame, .ctx = ctx, .c = c };

	err[0] = '\0';
	return kernel_capture_each(rp, kw, capture, cases_frame, &cc, c, err,
				   err_size);
}

void kernel_diff_print(FILE *out, const char *other,
		       const struct kernel_diff_counts *c)
{
	fprintf(out,
		"kernel vs %s: %llu frames, %llu cases, %llu differ",
		other, (unsigned long long)c->frames,
		(unsigned long long)c->cases, (unsigned long long)c->differ);
	if (c->unseen)
		fprintf(out, "; the kernel never dissected %llu frames",
			(unsigned long long)c->unseen);
	fprintf(out, "\n");
	for (size_t i = 0; i < c->n_cls; i++)
		fprintf(out, "  class %-28s %6llu case%s, first %s\n",
			c->cls[i].name, (unsigned long long)c->cls[i].cases,
			c->cls[i].cases == 1 ? " " : "s", c->cls[i].first);
}
