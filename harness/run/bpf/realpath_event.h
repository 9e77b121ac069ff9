/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the tracing program (realpath.bpf.c) sends up its ring buffer for
 * each run of the watched flow dissector on a real skb. Shared by the BPF
 * side and user space (realpath.c): the two must agree.
 */
#ifndef FDTEST_REALPATH_EVENT_H
#define FDTEST_REALPATH_EVENT_H

#include <linux/types.h>
#include <linux/bpf.h>

struct realpath_event {
	__u64 ret;		/* bool before 6.1, the verdict from 6.1 */
	__u32 proto;		/* network order, as passed */
	__s32 nhoff;		/* where the kernel started the program */
	__s32 hlen;
	__u32 flags;		/* BPF_FLOW_DISSECTOR_F_* passed */
	__s32 data_off;		/* data minus the MAC header */
	__u32 skb_len;
	struct bpf_flow_keys keys;	/* after the run, 56 bytes */
};

#endif /* FDTEST_REALPATH_EVENT_H */
