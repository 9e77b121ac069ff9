/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Protocol classes for timing: "eth/802.1q/ipv4/udp",
 * "eth/ipv4/udp/vxlan/eth/ipv6/tcp". A class is read from the frame's own
 * bytes, not from the keys a dissector returns, so a dissector that gets
 * a frame wrong is still timed under the frame's true class, and two
 * dissectors are timed over the same classes.
 *
 * A class is packed into a number (5 bits a layer, outermost first in the
 * low bits) so that test-run threads can compute it without sharing a
 * table; pclass_name() spells it.
 */
#ifndef FDTEST_PCLASS_H
#define FDTEST_PCLASS_H

#include <stddef.h>
#include <stdint.h>

#define PCLASS_LAYERS_MAX 12
#define PCLASS_NAME_MAX (PCLASS_LAYERS_MAX * 9)

enum pclass_layer {
	PCLASS_END,
	PCLASS_ETH,
	PCLASS_8021Q,
	PCLASS_8021AD,
	PCLASS_QINQ,		/* the old 0x9100 TPID */
	PCLASS_MPLS,
	PCLASS_PPPOE,
	PCLASS_IPV4,
	PCLASS_IPV6,
	PCLASS_FRAG,		/* an IPv4 or IPv6 fragment */
	PCLASS_TCP,
	PCLASS_UDP,
	PCLASS_ICMP,
	PCLASS_ICMPV6,
	PCLASS_SCTP,
	PCLASS_GRE,
	PCLASS_VXLAN,
	PCLASS_GENEVE,
	PCLASS_OTHER,		/* a protocol not named here, or cut short */
	PCLASS_LAYER_COUNT,
};

/* The class of an Ethernet frame of @len bytes. */
uint64_t pclass_of(const uint8_t *frame, uint32_t len);

/* "eth/ipv4/udp"; returns @buf. @size of PCLASS_NAME_MAX is enough. */
const char *pclass_name(uint64_t pclass, char *buf, size_t size);

#endif /* FDTEST_PCLASS_H */
