// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The text report, for people: a line per frame and flag set, a line per
 * difference (capture, frame, state, flags, field, both values), and a
 * summary per capture.
 */
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include "report.h"

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

/* Unquoted value of one key field. */
static const char *field_text(char *buf, size_t size, const char *name,
			      const struct bpf_flow_keys *keys)
{
	const struct keys_field *f = keys_field_find(keys_layout_of(keys),
						     name);
	size_t len;

	keys_json_format_field(buf, size, f, keys);
	if (buf[0] == '"') {
		len = strlen(buf);
		memmove(buf, buf + 1, len - 2);
		buf[len - 2] = '\0';
	}
	return buf;
}

/*
 * "ipv4 udp 10.0.0.1.40000 > 10.0.0.2.4789 nhoff 14/18/18 thoff 34/38/38":
 * the keys of the first state, the offsets of every state in @set.
 */
static void print_keys(FILE *out, const struct case_result *const set[],
		       size_t n)
{
	const struct bpf_flow_keys *k = set[0]->keys;
	char src[64], dst[64];
	const char *proto = proto_name(k->ip_proto);

	/* a line per frame: few printf calls, they are most of its cost */
	if (k->addr_proto == ETH_P_IP || k->addr_proto == ETH_P_IPV6) {
		const char *ip = k->addr_proto == ETH_P_IP ? "ipv4" : "ipv6";

		field_text(src, sizeof(src), "src", k);
		field_text(dst, sizeof(dst), "dst", k);
		if (proto)
			fprintf(out, "%s %s %s.%u > %s.%u ", ip, proto, src,
				ntohs(k->sport), dst, ntohs(k->dport));
		else
			fprintf(out, "%s proto %u %s.%u > %s.%u ", ip,
				k->ip_proto, src, ntohs(k->sport), dst,
				ntohs(k->dport));
	} else {
		fprintf(out, "n_proto 0x%04x ", ntohs(k->n_proto));
	}
	if (n == 3) {
		fprintf(out, "nhoff %u/%u/%u thoff %u/%u/%u",
			set[0]->keys->nhoff, set[1]->keys->nhoff,
			set[2]->keys->nhoff, set[0]->keys->thoff,
			set[1]->keys->thoff, set[2]->keys->thoff);
	} else {
		fprintf(out, "nhoff");
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%c%u", i ? '/' : ' ',
				set[i]->keys->nhoff);
		fprintf(out, " thoff");
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%c%u", i ? '/' : ' ',
				set[i]->keys->thoff);
	}
	if (k->is_frag)
		fprintf(out, k->is_first_frag ? " frag(first)" : " frag");
	if (k->is_encap)
		fprintf(out, " encap");
	if (k->flow_label)
		fprintf(out, " label 0x%05x", ntohl(k->flow_label));
}

static void text_capture_begin(struct report *r,
			       const struct report_capture *cap)
{
	fprintf(r->out, "%s on %s (%s%s)", cap->dissector, cap->capture,
		cap->linktype, cap->synthesized ? ", Ethernet header made up" :
						  "");
	if (cap->update)
		fprintf(r->out, ", recording %s", cap->golden);
	else if (cap->golden_found)
		fprintf(r->out, ", golden %s", cap->golden);
	else
		fprintf(r->out, ", no golden at %s", cap->golden);
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
	fprintf(r->out, "  #%-5u skip  %s\n", index, why);
}

static void print_diffs(struct report *r, const struct case_result *c)
{
	char line[512];

	for (size_t i = 0; i < c->n_diffs; i++) {
		report_diff_line(line, sizeof(line), r->cap, c, &c->diffs[i]);
		fprintf(r->out, "    FAIL %s\n", line);
	}
}

/* One line for the cases of one flag set: verdict, rets, keys. */
static void print_flag_set(struct report *r, const struct frame_result *fr,
			   const struct case_result *set[], size_t n)
{
	bool same_ret = true, failed = false, checked = false;
	char ret[32];

	for (size_t i = 0; i < n; i++) {
		same_ret &= set[i]->ret == set[0]->ret;
		failed |= set[i]->verdict == CASE_FAIL;
		checked |= set[i]->verdict == CASE_PASS;
	}
	if (same_ret) {
		fprintf(r->out, "  #%-5u %-5s flags=0x%x %s  ", fr->index,
			failed ? "FAIL" : checked ? "ok" : "new",
			set[0]->id.in_flags,
			compare_ret_text(set[0]->ret, ret, sizeof(ret)));
	} else {
		fprintf(r->out, "  #%-5u %-5s flags=0x%x ", fr->index,
			failed ? "FAIL" : checked ? "ok" : "new",
			set[0]->id.in_flags);
		for (size_t i = 0; i < n; i++)
			fprintf(r->out, "%s %s%s",
				fdtest_state_name(set[i]->id.state),
				compare_ret_text(set[i]->ret, ret, sizeof(ret)),
				i + 1 < n ? ", " : " ");
		fputc(' ', r->out);
	}
	print_keys(r->out, set, n);
	if (fr->tags)
		fprintf(r->out, " [%u tag%s]", fr->tags, fr->tags > 1 ? "s" : "");
	if (set[0]->cut)
		fprintf(r->out, " [cut to 4096]");
	/* with --repeat: the kernel's mean ns per run, per state */
	for (size_t i = 0; r->cap->repeat && i < n; i++)
		fprintf(r->out, "%s%u", i ? "/" : " ns ", set[i]->duration_ns);
	fputc('\n', r->out);
	for (size_t i = 0; i < n; i++)
		print_diffs(r, set[i]);
}

static void text_frame(struct report *r, const struct frame_result *fr)
{
	const struct case_result *set[FDTEST_STATE_COUNT];
	size_t n_states = fr->n_flags ? fr->n_cases / fr->n_flags : 0;

	/* cases come state by state; a line gathers one flag set */
	flockfile(r->out);	/* once, not per printf */
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
	fprintf(r->out, "%s on %s: ", r->cap->dissector, r->cap->capture);
	print_counts(r->out, c);
	fprintf(r->out, "\n\n");
}

static void text_run_end(struct report *r, const struct report_counts *c,
			 int exit_code)
{
	fprintf(r->out, "total: ");
	print_counts(r->out, c);
	fprintf(r->out, "; exit %d\n", exit_code);
}

const struct reporter_ops report_text_ops = {
	.name = "text",
	.capture_begin = text_capture_begin,
	.frame_skipped = text_frame_skipped,
	.frame = text_frame,
	.timing = text_timing,
	.capture_end = text_capture_end,
	.run_end = text_run_end,
};
