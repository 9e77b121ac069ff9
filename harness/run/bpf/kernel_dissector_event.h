/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What kernel_dissector.bpf.c sends up for each run of the kernel's own
 * C dissector (__skb_flow_dissect) on a frame of fdtest's namespace whose
 * keys go to a struct flow_keys. Shared with kernel_dissector.c: the two
 * must agree.
 */
#ifndef FDTEST_KERNEL_DISSECTOR_EVENT_H
#define FDTEST_KERNEL_DISSECTOR_EVENT_H

#include <linux/types.h>

struct kernel_dissector_event {
	__u64 used_keys;	/* bit per enum flow_dissector_key_id */
	__u32 flags;		/* FLOW_DISSECTOR_F_* passed */
	__s32 data_off;		/* skb->data minus the MAC header */
	__u32 skb_len;
	__u8 ret;		/* true: dissected */
	__u8 ip_proto;
	__be16 n_proto;
	__u16 thoff;		/* from skb->data */
	__u16 addr_type;	/* a key id: IPV4_ADDRS, IPV6_ADDRS or 0 */
	__u32 ctrl_flags;	/* FLOW_DIS_* */
	__u32 flow_label;	/* host order */
	__be16 sport;
	__be16 dport;
	__u8 addrs[32];		/* v4: src, dst; v6: src, dst */
	/* this kernel's values of the key ids used above */
	__u16 key_ipv4;
	__u16 key_ipv6;
	__u16 key_ports;
	__u16 key_flow_label;
	/* and of the FLOW_DIS_* control flags (an enum in 6.12, bits before) */
	__u32 dis_is_fragment;
	__u32 dis_first_frag;
	__u32 dis_encapsulation;
};

#endif /* FDTEST_KERNEL_DISSECTOR_EVENT_H */
