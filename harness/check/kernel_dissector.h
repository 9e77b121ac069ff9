/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel's own C dissector as a dissector named "kernel": frames go
 * through lo (realpath.h) with nothing attached, and its struct
 * flow_keys, caught at __skb_flow_dissect, is mapped to the
 * bpf_flow_keys fields it has. The others (nhoff, flags; ports, the flow
 * label or the addresses when the caller did not ask for them) are
 * absent: don't care.
 *
 *   bpf_flow_keys        struct flow_keys
 *   thoff                control.thoff (moved to the frame's coordinates)
 *   addr_proto           control.addr_type: IPV4_ADDRS 0x0800, IPV6 0x86dd
 *   is_frag              control.flags FLOW_DIS_IS_FRAGMENT
 *   is_first_frag        control.flags FLOW_DIS_FIRST_FRAG
 *   is_encap             control.flags FLOW_DIS_ENCAPSULATION
 *   n_proto, ip_proto    basic
 *   sport, dport         ports (when asked for)
 *   ipv4_*, ipv6_*       addrs (when addr_type says which)
 *   flow_label           tags.flow_label, to network order (when asked)
 *   verdict              its bool: true BPF_OK, false !BPF_OK
 */
#ifndef FDTEST_KERNEL_DISSECTOR_H
#define FDTEST_KERNEL_DISSECTOR_H

#include <stdint.h>
#include <stdio.h>

#include "check/compare.h"
#include "check/realpath_check.h"
#include "keys/keys_json.h"
#include "run/bpf/kernel_dissector_event.h"
#include "run/dissector.h"
#include "run/realpath.h"
#include "run/testrun.h"

#define KERNEL_DISSECTOR_NAME "kernel"
#define KERNEL_EVENTS_MAX 8

struct kernel_watch;

struct kernel_obs {
	struct kernel_dissector_event ev[KERNEL_EVENTS_MAX];
	size_t n;
	size_t extra;
};

/*
 * Loads and attaches the watch on __skb_flow_dissect for @rp's namespace:
 * fexit from 6.5, a kprobe and kretprobe before. 0 or a negative errno
 * with one line in @err (-EPERM: tracing refused; -EOPNOTSUPP: neither
 * way attaches).
 */
int kernel_watch_open(struct realpath *rp, struct kernel_watch **out,
		      char *err, size_t err_size);
void kernel_watch_close(struct kernel_watch *kw);	/* NULL is fine */

/* Takes what the ring buffer holds into @obs (NULL: drops it). */
void kernel_watch_collect(struct kernel_watch *kw, struct kernel_obs *obs);

/*
 * Maps @e to an expectation in the frame's coordinates (its start moved
 * by @shift): the fields it has are checked, the others are not.
 */
void kernel_dissector_expect(const struct kernel_dissector_event *e,
			     uint16_t shift, struct golden_line *exp);

/* Difference classes of fdtest diff -d kernel -d OBJ: trigger and field. */
#define KERNEL_CLASSES_MAX 64
struct kernel_diff_class {
	char name[64];		/* "rx-rps n_proto", "rx-rps ret A/B" */
	uint64_t cases;
	char first[160];	/* the first case's id */
};

struct kernel_diff_counts {
	uint64_t frames;
	uint64_t cases;
	uint64_t differ;
	uint64_t unseen;	/* frames the kernel never dissected */
	struct kernel_diff_class cls[KERNEL_CLASSES_MAX];
	size_t n_cls;
};

/*
 * fdtest diff -d kernel -d OBJ over @capture: each of the kernel's
 * receive-side runs (rx-rps, rx-untagged) against @dis's test run of the
 * same state. Each case that differs goes to @on_case (NULL: none) with
 * its name (x.pcap#3/rx-rps/flags=0x2) and its differences, the kernel's
 * values as expected; the caller reports it. 0, or a negative errno with
 * one line in @err.
 */
typedef void kernel_case_fn(void *ctx, const char *name,
			    const struct diff *d, size_t n);

int kernel_diff_capture(struct realpath *rp, struct kernel_watch *kw,
			struct dissector *dis,
			const struct testrun_kernel *kernel,
			const char *capture, kernel_case_fn *on_case,
			void *ctx, struct kernel_diff_counts *c, char *err,
			size_t err_size);

/*
 * The kernel's C dissector as a dissector of its own (fdtest run -d
 * kernel --path real): each frame of @capture through lo with nothing
 * attached, and each of the kernel's receive-side runs (rx-rps,
 * rx-untagged) a case, partial (case_result.mask: the fields it has),
 * to @on_frame. Counts frames, cases and unseen in @c. 0, or a
 * negative errno with one line in @err.
 */
int kernel_cases_capture(struct realpath *rp, struct kernel_watch *kw,
			 const char *capture, realpath_frame_fn *on_frame,
			 void *ctx, struct kernel_diff_counts *c, char *err,
			 size_t err_size);

/* The difference classes, one line each, and the totals. */
void kernel_diff_print(FILE *out, const char *other,
		       const struct kernel_diff_counts *c);

#endif /* FDTEST_KERNEL_DISSECTOR_H */
