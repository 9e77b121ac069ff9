// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The text report, for people: a line per frame and flag set, a line per
 * difference (capture, frame, state, flags, field, both values), and a
 * summary per capture.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include "report/report.h"
#include "util/fdtest.h"
#include "util/out.h"
#include "util/utf8.h"

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case 1: return "icmp";
	case 4: return "ipip";
	case 6: return "tcp";
	case 17: return "udp";
	case 33: return "dccp";
	case 41: return "ipv6";
	case 47: return "gre";
	case 58: return "icmpv6";
	case 132: return "sctp";
	case 136: return "udplite";
	}
	return NULL;
}

/* Unquoted source or (@dst) destination address. */
static void out_addr(struct out *o, bool dst, const struct bpf_flow_keys *keys)
{
	const struct keys_field *f = keys_field_addr(keys_layout_of(keys), dst);
	size_t start = o->len;

	keys_json_out_field(o, f, keys);
	if (!o->full && o->len - start >= 2 && o->buf[start] == '"') {
		memmove(o->buf + start, o->buf + start + 1, o->len - start - 2);
		o->len -= 2;
	}
}

/* " nhoff 14/18/18" for @n states */
static void out_offsets(struct out *o, const char *name,
			const struct case_result *const set[], size_t n,
			bool thoff)
{
	out_char(o, ' ');
	out_str(o, name);
	for (size_t i = 0; i < n; i++) {
		out_char(o, i ? '/' : ' ');
		out_uint(o, thoff ? set[i]->keys->thoff : set[i]->keys->nhoff);
	}
}

/*
 * "ipv4 udp 10.0.0.1.40000 > 10.0.0.2.4789 nhoff 14/18/18 thoff 34/38/38":
 * the keys of the first state, the offsets of every state in @set.
 */
static void out_keys(struct out *o, const struct case_result *const set[],
		     size_t n)
{
	const struct bpf_flow_keys *k = set[0]->keys;
	const char *proto = proto_name(k->ip_proto);

	if (k->addr_proto == ETH_P_IP || k->addr_proto == ETH_P_IPV6) {
		out_str(o, k->addr_proto == ETH_P_IP ? "ipv4 " : "ipv6 ");
		if (proto) {
			out_str(o, proto);
		} else {
			out_lit(o, "proto ");
			out_uint(o, k->ip_proto);
		}
		out_char(o, ' ');
		out_addr(o, false, k);
		out_char(o, '.');
		out_uint(o, ntohs(k->sport));
		out_lit(o, " > ");
		out_addr(o, true, k);
		out_char(o, '.');
		out_uint(o, ntohs(k->dport));
	} else {
		out_lit(o, "n_proto 0x");
		out_xint(o, ntohs(k->n_proto), 4);
	}
	out_offsets(o, "nhoff", set, n, false);
	out_offsets(o, "thoff", set, n, true);
	if (k->is_frag)
		out_str(o, k->is_first_frag ? " frag(first)" : " frag");
	if (k->is_encap)
		out_lit(o, " encap");
	if (k->flow_label) {
		out_lit(o, " label 0x");
		out_xint(o, ntohl(k->flow_label), 5);
	}
}

/* Goldens looked for and not found, for the summary at the end. */
#define TEXT_MISSING_SHOWN 3

static struct {
	char path[TEXT_MISSING_SHOWN][512];
	size_t n;
} missing;

static void text_run_begin(struct report *r)
{
	(void)r;
	memset(&missing, 0, sizeof(missing));
}

static void text_capture_begin(struct report *r,
			       const struct report_capture *cap)
{
	if (!cap->update && !cap->golden_found) {
		if (missing.n < TEXT_MISSING_SHOWN)
			snprintf(missing.path[missing.n],
				 sizeof(missing.path[0]), "%s", cap->golden);
		missing.n++;
	}
	if (cap->real)
		return;
	/* names may hold any bytes: none reaches the terminal raw */
	utf8_put_text(r->out, cap->dissector);
	fputs(" on ", r->out);
	utf8_put_text(r->out, cap->capture);
	fprintf(r->out, " (%s%s)", cap->linktype,
		cap->synthesized ? ", Ethernet header made up" : "");
	fputs(cap->update ? ", recording " : cap->golden_found ? ", golden " :
	      ", no golden at ", r->out);
	utf8_put_text(r->out, cap->golden);
	fprintf(r->out, ", post-vlan by %s\n", cap->post_vlan_how);
	fprintf(r->out, "  offsets per state:");
	for (int s = 0, n = 0; s < FDTEST_STATE_COUNT; s++)
		if (cap->states & (1u << s))
			fprintf(r->out, "%c%s", n++ ? '/' : ' ',
				fdtest_state_name(s));
	fputc('\n', r->out);
}

static void text_frame_skipped(struct report *r, uint32_t index,
			       const char *why)
{
	fprintf(r->out, "  #%-5u skip  ", index);
	utf8_put_text(r->out, why);
	fputc('\n', r->out);
}

static void print_diffs(struct report *r, const struct case_result *c)
{
	char line[512], name[128];

	/* under --require-golden, a missing golden line is a failure too */
	if (c->verdict == CASE_FAIL && c->no_golden &&
	    r->run && r->run->require_golden) {
		report_case_name(name, sizeof(name), r->cap->capture, &c->id);
		fputs("    FAIL ", r->out);
		utf8_put_text(r->out, r->cap->dissector);
		fputc(' ', r->out);
		utf8_put_text(r->out, name);
		fputs(": no golden line (--require-golden)\n", r->out);
	}
	for (size_t i = 0; i < c->n_diffs; i++) {
		report_diff_line(line, sizeof(line), r->cap, c, &c->diffs[i]);
		fputs("    FAIL ", r->out);
		utf8_put_text(r->out, line);
		fputc('\n', r->out);
	}
}

static void out_ret(struct out *o, uint32_t ret)
{
	const char *name = fdtest_ret_name(ret);

	if (name)
		out_str(o, name);
	else
		out_uint(o, ret);
}

/*
 * One line for the cases of one flag set: verdict, rets, keys. There is
 * a line per frame: it is built in memory and written with one call, as
 * printf per field was most of the reporting's cost.
 */
static void print_flag_set(struct report *r, const struct frame_result *fr,
			   const struct case_result *set[], size_t n)
{
	bool same_ret = true, failed = false, checked = false;
	/* the longest line is under 400 bytes */
	char line[1024];
	struct out o = { line, sizeof(line), 0, false };
	size_t start;

	for (size_t i = 0; i < n; i++) {
		same_ret &= set[i]->ret == set[0]->ret;
		failed |= set[i]->verdict == CASE_FAIL;
		checked |= set[i]->verdict == CASE_PASS;
	}
	out_lit(&o, "  #");
	start = o.len;
	out_uint(&o, fr->index);
	out_pad(&o, start, 5);
	out_char(&o, ' ');
	start = o.len;
	out_str(&o, failed ? "FAIL" : checked ? "ok" : "new");
	out_pad(&o, start, 5);
	out_lit(&o, " flags=0x");
	out_xint(&o, set[0]->id.in_flags, 1);
	out_char(&o, ' ');
	if (same_ret) {
		out_ret(&o, set[0]->ret);
		out_lit(&o, "  ");
	} else {
		for (size_t i = 0; i < n; i++) {
			out_str(&o, fdtest_state_name(set[i]->id.state));
			out_char(&o, ' ');
			out_ret(&o, set[i]->ret);
			out_str(&o, i + 1 < n ? ", " : " ");
		}
		out_char(&o, ' ');
	}
	out_keys(&o, set, n);
	if (fr->tags) {
		out_lit(&o, " [");
		out_uint(&o, fr->tags);
		out_str(&o, fr->tags > 1 ? " tags]" : " tag]");
	}
	if (set[0]->cut)
		out_lit(&o, " [cut to 4096]");
	if (set[0]->states_unchecked)
		out_lit(&o, " [states not compared]");
	/* with --repeat: the kernel's mean ns per run, per state */
	for (size_t i = 0; r->cap->repeat && i < n; i++) {
		out_str(&o, i ? "/" : " ns ");
		out_uint(&o, set[i]->duration_ns);
	}
	out_char(&o, '\n');
	fwrite_unlocked(line, 1, o.len, r->out);	/* text_frame locked it */
	for (size_t i = 0; i < n; i++)
		print_diffs(r, set[i]);
}

static void text_frame(struct report *r, const struct frame_result *fr)
{
	const struct case_result *set[FDTEST_STATE_COUNT];
	size_t n_states = fr->n_flags ? fr->n_cases / fr->n_flags : 0;

	/* a real case is one line when it fails, none when it does not */
	if (r->cap->real) {
		for (size_t i = 0; i < fr->n_cases; i++)
			print_diffs(r, &fr->cases[i]);
		return;
	}
	/* cases come state by state; a line gathers one flag set */
	flockfile(r->out);	/* once a frame, not per write */
	for (size_t f = 0; f < fr->n_flags; f++) {
		for (size_t s = 0; s < n_states; s++)
			set[s] = &fr->cases[s * fr->n_flags + f];
		print_flag_set(r, fr, set, n_states);
	}
	funlockfile(r->out);
}

static void print_counts(FILE *out, const struct report_counts *c)
{
	fprintf(out,
		"%llu frames (%llu skipped, %llu cut), %llu cases: %llu passed, %llu failed, %llu unchecked",
		(unsigned long long)c->frames, (unsigned long long)c->skipped,
		(unsigned long long)c->cut, (unsigned long long)c->cases,
		(unsigned long long)c->passed, (unsigned long long)c->failed,
		(unsigned long long)c->unchecked);
	if (c->inconsistent)
		fprintf(out, " (%llu inconsistent across states)",
			(unsigned long long)c->inconsistent);
	if (c->broken)
		fprintf(out, " (%llu breaking invariants)",
			(unsigned long long)c->broken);
	if (c->slow)
		fprintf(out, " (%llu protocol class%s over --max-ns)",
			(unsigned long long)c->slow, c->slow > 1 ? "es" : "");
	if (c->stale)
		fprintf(out, " (%llu stale golden%s)",
			(unsigned long long)c->stale, c->stale > 1 ? "s" : "");
	if (c->states_unchecked)
		fprintf(out,
			" (%llu not compared across states: tag stack cut short or over 8 tags)",
			(unsigned long long)c->states_unchecked);
}

static void text_timing(struct report *r, const struct report_timing *rows,
			size_t n)
{
	fprintf(r->out,
		"  kernel ns per run by protocol class (%u runs a case):\n",
		r->cap->repeat);
	fprintf(r->out, "    %-40s %9s %7s %7s %7s %7s\n", "class", "cases",
		"p50", "p90", "p99", "max");
	for (size_t i = 0; i < n; i++)
		fprintf(r->out, "    %-40s %9llu %7u %7u %7u %7u%s\n",
			rows[i].pclass, (unsigned long long)rows[i].runs,
			rows[i].p50_ns, rows[i].p90_ns, rows[i].p99_ns,
			rows[i].max_ns, rows[i].over ? "  over --max-ns" : "");
}

static void text_capture_end(struct report *r, const struct report_counts *c)
{
	if (r->cap->real)
		return;
	utf8_put_text(r->out, r->cap->dissector);
	fputs(" on ", r->out);
	utf8_put_text(r->out, r->cap->capture);
	fputs(": ", r->out);
	print_counts(r->out, c);
	fprintf(r->out, "\n\n");
}

/*
 * Cases no golden line checked, said at the very end: a first run is
 * fine (exit 0), but only the consistency check judged them.
 */
static void print_no_golden(struct report *r, const struct report_counts *c)
{
	const struct report_run *run = r->run;

	if (!c->no_golden || (run && run->update))
		return;
	if (run && run->require_golden)
		fprintf(r->out,
			"FAILED: %llu case%s had no golden line (--require-golden).\n",
			(unsigned long long)c->no_golden,
			c->no_golden > 1 ? "s" : "");
	else
		fprintf(r->out,
			"UNCHECKED: %llu case%s had no golden line: only the consistency check judged %s.\n",
			(unsigned long long)c->no_golden,
			c->no_golden > 1 ? "s" : "", c->no_golden > 1 ?
			"them" : "it");
	for (size_t i = 0; i < missing.n && i < TEXT_MISSING_SHOWN; i++) {
		fputs("  no golden at ", r->out);
		utf8_put_text(r->out, missing.path[i]);
		fputc('\n', r->out);
	}
	if (missing.n > TEXT_MISSING_SHOWN)
		fprintf(r->out, "  and %zu more golden files missing\n",
			missing.n - TEXT_MISSING_SHOWN);
	if (!missing.n)
		fprintf(r->out,
			"  the goldens have no line for them (other states or flags, or partial lines)\n");
	fprintf(r->out,
		"  goldens are read as %s/<dissector>/<capture>.json (--expected); record them with --update, and run CI with --require-golden\n",
		run && run->expected_dir ? run->expected_dir : "expected");
}

static void text_run_end(struct report *r, const struct report_counts *c,
			 int exit_code)
{
	fprintf(r->out, "total: ");
	print_counts(r->out, c);
	fprintf(r->out, "; exit %d\n", exit_code);
	print_no_golden(r, c);
}

const struct reporter_ops report_text_ops = {
	.name = "text",
	.run_begin = text_run_begin,
	.capture_begin = text_capture_begin,
	.frame_skipped = text_frame_skipped,
	.frame = text_frame,
	.timing = text_timing,
	.capture_end = text_capture_end,
	.run_end = text_run_end,
};
