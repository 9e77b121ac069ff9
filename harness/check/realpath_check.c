// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The real states against the test run (see realpath_check.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "capture/capture.h"
#include "check/compare.h"
#include "check/realpath_check.h"
#include "run/frame.h"

static const char *const trigger_names[REALPATH_TRIGGERS] = {
	[REALPATH_TX] = "tx",
	[REALPATH_RX_RPS] = "rx-rps",
	[REALPATH_RX_UNTAGGED] = "rx-untagged",
	[REALPATH_QUIRK] = "rx-quirk",
};

const char *realpath_trigger_name(enum realpath_trigger t)
{
	return t < REALPATH_TRIGGERS ? trigger_names[t] : "?";
}

void realpath_counts_add(struct realpath_counts *to,
			 const struct realpath_counts *from)
{
	to->frames += from->frames;
	to->cases += from->cases;
	to->agree += from->agree;
	to->differ += from->differ;
	to->unseen += from->unseen;
	to->lost += from->lost;
	to->send_ns += from->send_ns;
	to->testruns += from->testruns;
	to->testrun_ns += from->testrun_ns;
	for (int i = 0; i < REALPATH_TRIGGERS; i++)
		to->seen[i] += from->seen[i];
}

static bool untaggable(const uint8_t *data, uint32_t len)
{
	uint16_t type = (uint16_t)(data[12] << 8 | data[13]);

	/* skb_vlan_untag() takes 802.1Q and 802.1AD, not 0x9100 */
	return (type == FRAME_TPID_8021Q || type == FRAME_TPID_8021AD) &&
	       len >= 14 + FRAME_TAG_LEN + 2;
}

/*
 * Where the trigger started: transmit at the MAC header (nhoff 14), the
 * receive side after it (nhoff 0). RPS runs before untagging, with
 * STOP_AT_FLOW_LABEL (skb_get_hash); the fanout after it, flags 0
 * (__skb_get_hash_symmetric), with the outer tag gone from the data: its
 * test-run twin is the frame without that one tag, whose offsets are 4
 * bytes short of the frame's.
 */
void realpath_twin_make(const struct realpath_event *e,
			const uint8_t *data, uint32_t len,
			struct realpath_twin *t)
{
	memset(&t->st, 0, sizeof(t->st));
	t->st.data = data;
	t->st.len = len;
	t->real_shift = 0;
	if (e->nhoff == 14 && e->data_off == 0) {
		t->trigger = REALPATH_TX;
	} else if (e->nhoff == 0 && e->data_off == 14 &&
		   (e->flags & FDTEST_FLAG_STOP_AT_FLOW_LABEL)) {
		t->trigger = REALPATH_RX_RPS;
		t->real_shift = 14;
	} else if (e->nhoff == 0 && e->data_off == 14) {
		t->trigger = REALPATH_RX_UNTAGGED;
		t->real_shift = 14;
		if (untaggable(data, len)) {
			memcpy(t->buf, data, 12);
			memcpy(t->buf + 12, data + 16, len - 16);
			t->st.data = t->buf;
			t->st.len = len - FRAME_TAG_LEN;
			t->st.shift = FRAME_TAG_LEN;
			t->real_shift = 18;
		}
	} else {
		t->trigger = REALPATH_QUIRK;
	}
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint32_t real_ret(const struct testrun_kernel *k, uint64_t ret)
{
	/* bpf_flow_dissect() returns a bool before 6.1, the verdict from */
	if (k->raw_retval)
		return (uint32_t)ret;
	return (ret & 0xff) ? FDTEST_RET_OK : TESTRUN_RET_NOT_OK;
}

/* The first difference, for a caller that keeps one (the matrix). */
static void keep_first(char *first, size_t first_size, const char *id,
		       const struct diff *d, size_t n)
{
	size_t used;

	if (!first || first[0])
		return;
	used = (size_t)snprintf(first, first_size,
				"%s: real path differs from test run:", id);
	for (size_t i = 0; i < n && used < first_size; i++)
		used += (size_t)snprintf(first + used, first_size - used,
					 "%s %s: test run %s, real %s",
					 i ? ";" : "", d[i].field,
					 d[i].expected, d[i].actual);
}

static void say_quirk(FILE *out, const char *name, uint32_t index,
		      const struct realpath_event *e)
{
	if (out)
		fprintf(out,
			"    QUIRK %s#%u: the kernel started the dissector at nhoff %d, %d bytes after the MAC header, proto 0x%04x, flags 0x%x\n",
			name, index, e->nhoff, e->data_off, ntohs(e->proto),
			e->flags);
}

static const enum fdtest_state trigger_state[REALPATH_QUIRK] = {
	[REALPATH_TX] = FDTEST_STATE_TX,
	[REALPATH_RX_RPS] = FDTEST_STATE_RX_RPS,
	[REALPATH_RX_UNTAGGED] = FDTEST_STATE_RX_UNTAGGED,
};

/* One frame's cases, in case order once sorted. */
static struct realpath_frame {
	struct case_result cases[REALPATH_EVENTS_MAX];
	struct bpf_flow_keys keys[REALPATH_EVENTS_MAX];
	struct diff diffs[REALPATH_EVENTS_MAX][COMPARE_DIFFS_MAX];
	size_t n;
} fr;

/*
 * A second run of one trigger on one frame that saw something else is
 * compared with the test run and counted, but is no case of its own:
 * a golden holds one line per case. On lo it never happens.
 */
static struct case_result *frame_case(const struct case_id *id)
{
	struct case_result *c;

	for (size_t i = 0; i < fr.n; i++)
		if (case_id_cmp(&fr.cases[i].id, id) == 0)
			return NULL;
	c = &fr.cases[fr.n];
	memset(c, 0, sizeof(*c));
	c->id = *id;
	c->keys = &fr.keys[fr.n];
	c->diffs = fr.diffs[fr.n];
	fr.n++;
	return c;
}

static int check_event(const struct testrun_kernel *k, int prog_fd,
		       const struct realpath_event *e, const char *name,
		       const struct capture_frame *f, uint32_t len,
		       FILE *out, struct realpath_counts *c, char *first,
		       size_t first_size)
{
	static struct realpath_twin t;	/* 4 KiB: not on the stack */
	struct testrun_result tr, rr;
	struct diff d[COMPARE_DIFFS_MAX];
	struct case_result *cr;
	struct case_id cid;
	char id[512];
	uint64_t t0;
	size_t n;
	int ret;

	realpath_twin_make(e, f->data, len, &t);
	c->seen[t.trigger]++;
	if (t.trigger == REALPATH_QUIRK) {
		say_quirk(out, name, f->index, e);
		return 0;
	}
	t0 = now_ns();
	ret = testrun_one(prog_fd, k, &t.st, e->flags, 0, &tr);
	if (ret)
		return ret;
	c->testrun_ns += now_ns() - t0;
	c->testruns++;
	memset(&rr, 0, sizeof(rr));
	rr.ret = real_ret(k, e->ret);
	rr.keys = e->keys;
	rr.keys.nhoff += t.real_shift;
	rr.keys.thoff += t.real_shift;
	n = compare_results(&tr, &rr, d, COMPARE_DIFFS_MAX);
	c->cases++;
	cid = (struct case_id){ f->index, trigger_state[t.trigger], e->flags };
	cr = fr.n < REALPATH_EVENTS_MAX ? frame_case(&cid) : NULL;
	if (cr) {
		cr->ret = rr.ret;
		fr.keys[fr.n - 1] = rr.keys;
		for (size_t i = 0; i < n; i++) {
			fr.diffs[fr.n - 1][i] = d[i];
			fr.diffs[fr.n - 1][i].kind = DIFF_TWIN;
		}
		cr->n_diffs = n;
	}
	if (!n) {
		c->agree++;
		return 0;
	}
	c->differ++;
	snprintf(id, sizeof(id), "%s#%u/%s/flags=0x%x", name, f->index,
		 realpath_trigger_name(t.trigger), e->flags);
	keep_first(first, first_size, id, d, n);
	return 0;
}

/* Two runs of one trigger on one frame that saw the same are one case. */
static bool repeated(const struct realpath_obs *obs, size_t i)
{
	for (size_t j = 0; j < i; j++) {
		const struct realpath_event *a = &obs->ev[j], *b = &obs->ev[i];

		if (a->nhoff == b->nhoff && a->flags == b->flags &&
		    a->data_off == b->data_off && a->ret == b->ret &&
		    memcmp(&a->keys, &b->keys, sizeof(a->keys)) == 0)
			return true;
	}
	return false;
}

/* Case order: the triggers run transmit side first, but say so anyway. */
static void frame_sort(void)
{
	for (size_t i = 1; i < fr.n; i++) {
		for (size_t j = i; j > 0 &&
		     case_id_cmp(&fr.cases[j - 1].id, &fr.cases[j].id) > 0;
		     j--) {
			struct case_result tc = fr.cases[j];

			fr.cases[j] = fr.cases[j - 1];
			fr.cases[j - 1] = tc;
		}
	}
}

int realpath_check_capture(struct realpath *rp, struct dissector *dis,
			   const struct testrun_kernel *kernel,
			   const char *capture, FILE *out,
			   realpath_frame_fn *on_frame, void *ctx,
			   struct realpath_counts *c, char *first,
			   size_t first_size, char *err, size_t err_size)
{
	static struct realpath_obs obs;
	struct capture_frame f;
	struct capture *cap;
	const char *name = strrchr(capture, '/');
	char why[256];
	uint64_t t0;
	uint32_t len;
	int ret;

	name = name ? name + 1 : capture;
	ret = capture_open(capture, &cap, err, err_size);
	if (ret)
		return ret;
	ret = realpath_attach(rp, dissector_prog_fd(dis));
	if (ret) {
		snprintf(err, err_size,
			 "real path: attaching '%s' to the namespace: %s",
			 dissector_name(dis), strerror(-ret));
		goto out_close_capture;
	}
	while ((ret = capture_next_runnable(cap, &f, &len, why,
					    sizeof(why))) == CAPTURE_FRAME) {
		t0 = now_ns();
		ret = realpath_send(rp, f.data, len, &obs);
		if (ret) {
			snprintf(err, err_size,
				 "real path: capture '%s': frame %u: sending through lo: %s",
				 capture, f.index, strerror(-ret));
			goto out_detach;
		}
		c->send_ns += now_ns() - t0;
		c->frames++;
		if (!obs.received)
			c->lost++;
		if (!obs.n)
			c->unseen++;
		fr.n = 0;
		for (size_t i = 0; i < obs.n; i++) {
			if (repeated(&obs, i))
				continue;
			ret = check_event(kernel, dissector_prog_fd(dis),
					  &obs.ev[i], name, &f, len, out, c,
					  first, first_size);
			if (ret) {
				snprintf(err, err_size,
					 "capture '%s': frame %u: test run: %s",
					 capture, f.index, strerror(-ret));
				goto out_detach;
			}
		}
		frame_sort();
		ret = on_frame ? on_frame(ctx, f.index, fr.cases, fr.n, err,
					  err_size) : 0;
		if (ret)
			goto out_detach;
	}
	if (ret < 0)
		snprintf(err, err_size, "capture '%s': %s", capture, why);
out_detach:
	realpath_detach(rp);
out_close_capture:
	capture_close(cap);
	return ret;
}

void realpath_counts_print(FILE *out, const char *dissector,
			   const char *capture,
			   const struct realpath_counts *c)
{
	fprintf(out, "%s on %s, real path: %llu frames; triggers",
		dissector, capture, (unsigned long long)c->frames);
	for (int i = 0; i < REALPATH_TRIGGERS; i++)
		fprintf(out, "%s %s %llu", i ? "," : "",
			realpath_trigger_name(i),
			(unsigned long long)c->seen[i]);
	fprintf(out, "; %llu cases, %llu agree with test run, %llu differ",
		(unsigned long long)c->cases, (unsigned long long)c->agree,
		(unsigned long long)c->differ);
	if (c->unseen)
		fprintf(out, "; the dissector never ran on %llu frames",
			(unsigned long long)c->unseen);
	if (c->lost)
		fprintf(out, "; %llu frames never reached the receive side",
			(unsigned long long)c->lost);
	if (c->frames && c->testruns)
		fprintf(out, "; %llu ns a frame through lo, %llu ns a test run",
			(unsigned long long)(c->send_ns / c->frames),
			(unsigned long long)(c->testrun_ns / c->testruns));
	fprintf(out, "\n");
}
