// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The reference dissector plus UDP tunnels: VXLAN on ports 4789 and 8472
 * and GENEVE on 6081 are followed into the inner packet (is_encap = 1),
 * or reported as the outer UDP flow under STOP_AT_ENCAP. Everything else
 * is the reference's behaviour, from the same fd_parse.h.
 */
#include "fd_parse.h"

SEC("flow_dissector")
int fd_vxlan(struct __sk_buff *skb)
{
	return fd_dissect(skb, true);
}

char _license[] SEC("license") = "GPL";
