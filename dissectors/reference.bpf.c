// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The reference dissector: Ethernet with up to two VLAN tags, MPLS,
 * PPPoE, IPv4, IPv6 with extension headers, IPIP/SIT/4in6/6in6 and GRE,
 * ports of TCP, UDP, UDP-Lite, SCTP and DCCP. VXLAN and GENEVE are plain
 * UDP here; dissectors/vxlan.bpf.c follows them. What the keys report
 * and what is dropped is described in fd_parse.h.
 */
#include "fd_parse.h"

SEC("flow_dissector")
int fd_reference(struct __sk_buff *skb)
{
	return fd_dissect(skb, false);
}

char _license[] SEC("license") = "GPL";
