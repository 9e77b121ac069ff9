/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fdtest gen: the keys a packet's layers imply, written from what was
 * built and not from any dissector: the independent truth goldens are
 * checked against.
 *
 * Where the right keys depend on a dissector's choice, a policy names
 * the choice: "base" treats VXLAN and GENEVE as plain UDP; "udp-encap"
 * follows them (UDP 4789, 8472, 6081) to the inner flow, or stops at the
 * outer UDP header under STOP_AT_ENCAP. Where no policy settles it
 * (offsets behind an MPLS stack), the field is left unchecked.
 */
#ifndef FDTEST_GEN_EXPECT_H
#define FDTEST_GEN_EXPECT_H

#include "gen.h"
#include "keys_json.h"

enum gen_policy {
	GEN_POLICY_BASE,
	GEN_POLICY_UDP_ENCAP,
	GEN_POLICY_COUNT,
};

const char *gen_policy_name(enum gen_policy policy);

/*
 * Fills @exp for @pkt (the @frame-th of its capture) in @state with
 * input @flags. @eth_made_up: the capture's link type has no Ethernet
 * header, so fdtest makes one of 14 bytes. Returns 1 when something is
 * expected, 0 when the packet says expect=none, or -EINVAL with
 * "column N: reason" when expect=ok but the layers reach no IP header.
 */
int gen_expect_keys(const struct gen_packet *pkt, uint32_t frame,
		    bool eth_made_up, enum gen_policy policy,
		    enum fdtest_state state, uint32_t flags,
		    struct expect *exp, char *err, size_t err_size);

#endif /* FDTEST_GEN_EXPECT_H */
