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

#include "gen/gen.h"
#include "keys/keys_json.h"

enum gen_policy {
	GEN_POLICY_BASE,
	GEN_POLICY_UDP_ENCAP,
	GEN_POLICY_COUNT,
};

const char *gen_policy_name(enum gen_policy policy);

/* Every expectation of one packet: per policy, state and input flags. */
struct gen_expectations {
	struct golden_line exp[GEN_POLICY_COUNT][FDTEST_STATE_COUNT]
			 [FDTEST_FLAGS_KNOWN + 1];
};

/*
 * Derives the keys of @pkt (the @frame-th of its capture) in every policy,
 * state and input-flag set by walking its layers as a dissector would:
 * BPF_OK with the keys the layers imply, or BPF_DROP where the walk needs
 * a header the frame cuts or finds one malformed (see pcaps/README.md for
 * the rule). @eth_made_up: the capture's link type has no Ethernet
 * header, so fdtest makes one of 14 bytes.
 *
 * A stated expect= is checked against the derivation: ok and drop must
 * be what every case derives, except that drop settles a packet whose
 * keys cannot be derived (a field given moves the bytes away from the
 * layers, e.g. ihl= that does not match the options).
 *
 * Returns 1 when something is expected, 0 for expect=none, or -EINVAL
 * with "column: reason" when the statement disagrees, no IP header is
 * ever reached or a field given moves the bytes away from the layers,
 * and expect= does not settle it.
 */
int gen_expect_packet(const struct gen_packet *pkt, uint32_t frame,
		      bool eth_made_up, struct gen_expectations *out,
		      char *err, size_t err_size);

#endif /* FDTEST_GEN_EXPECT_H */
