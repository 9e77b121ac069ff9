// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fdtest gen: expected keys from the layers (see gen_expect.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "gen_expect.h"

static const char *const policy_names[GEN_POLICY_COUNT] = {
	[GEN_POLICY_BASE] = "base",
	[GEN_POLICY_UDP_ENCAP] = "udp-encap",
};

const char *gen_policy_name(enum gen_policy policy)
{
	return policy_names[policy];
}

/* Returned by a step of the walk: nothing more to dissect. */
#define WALK_STOP ((size_t)-1)

/* The walk over the layers, as a dissector following them would. */
struct walk {
	const struct gen_packet *pkt;
	enum gen_policy policy;
	uint32_t flags;
	struct bpf_flow_keys k;	/* offsets in frame coordinates */
	bool saw_ip;
	bool saw_mpls;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static enum gen_type type_at(const struct walk *w, size_t i)
{
	return i < w->pkt->n_layers ? w->pkt->layers[i].type->type :
				      GEN_PAYLOAD;
}

static bool is_tunnel_port(uint16_t port)
{
	return port == 4789 || port == 8472 || port == 6081;
}

/*
 * What follows an IP header (and its extension headers), at layer @i:
 * a tunnel or a transport. Returns the layer to go on from, or WALK_STOP.
 */
static size_t ip_payload(struct walk *w, size_t i)
{
	const struct gen_layer *l = &w->pkt->layers[i];
	bool stop = w->flags & FDTEST_FLAG_STOP_AT_ENCAP;

	switch (type_at(w, i)) {
	case GEN_IPV4:
	case GEN_IPV6:
		w->k.is_encap = 1;
		return stop ? WALK_STOP : i;
	case GEN_GRE:
	case GEN_NVGRE:
		w->k.is_encap = 1;
		if (stop) {
			w->k.thoff = (uint16_t)(l->off + l->hlen);
			return WALK_STOP;
		}
		return i + 1;
	default:
		return i;	/* the transport header, if any */
	}
}

static void l4_ports(struct walk *w, const struct gen_layer *l)
{
	const uint8_t *p = w->pkt->bytes + l->off;

	w->k.thoff = (uint16_t)l->off;
	memcpy(&w->k.sport, p, 2);
	memcpy(&w->k.dport, p + 2, 2);
}

/* Transport at layer @i. Returns the layer to go on from, or WALK_STOP. */
static size_t transport(struct walk *w, size_t i)
{
	const struct gen_layer *l = &w->pkt->layers[i];

	switch (l->type->type) {
	case GEN_TCP: case GEN_UDPLITE: case GEN_SCTP: case GEN_DCCP:
		l4_ports(w, l);
		return WALK_STOP;
	case GEN_UDP:
		l4_ports(w, l);
		if (w->policy != GEN_POLICY_UDP_ENCAP ||
		    (type_at(w, i + 1) != GEN_VXLAN &&
		     type_at(w, i + 1) != GEN_GENEVE) ||
		    !is_tunnel_port(get16(w->pkt->bytes + l->off + 2)))
			return WALK_STOP;
		w->k.is_encap = 1;
		if (w->flags & FDTEST_FLAG_STOP_AT_ENCAP)
			return WALK_STOP;
		w->k.sport = w->k.dport = 0;
		return i + 2;
	case GEN_ICMP: case GEN_ICMPV6:
		w->k.thoff = (uint16_t)l->off;
		return WALK_STOP;
	default:
		return WALK_STOP;
	}
}

/* Does a fragment stop the walk before its transport header? */
static bool frag_stops(const struct walk *w, bool fragmented, bool first)
{
	return fragmented &&
	       (!first || !(w->flags & FDTEST_FLAG_PARSE_1ST_FRAG));
}

static size_t ipv4(struct walk *w, size_t i)
{
	const struct gen_layer *l = &w->pkt->layers[i];
	const uint8_t *p = w->pkt->bytes + l->off;
	uint16_t frag = get16(p + 6) & 0x3fff;

	w->saw_ip = true;
	w->k.nhoff = (uint16_t)l->off;
	w->k.thoff = (uint16_t)(l->off + l->hlen);
	w->k.addr_proto = 0x0800;
	w->k.n_proto = htons(0x0800);
	w->k.ip_proto = p[9];
	/* the IPv4 view: the rest of the union and the label are not its */
	memset(&w->k.ipv4_src, 0, 32);
	memcpy(&w->k.ipv4_src, p + 12, 8);
	w->k.flow_label = 0;
	w->k.sport = w->k.dport = 0;
	if (frag) {
		w->k.is_frag = 1;
		w->k.is_first_frag = (frag & 0x1fff) == 0;
		if (frag_stops(w, true, w->k.is_first_frag))
			return WALK_STOP;
	}
	return ip_payload(w, i + 1);
}

static size_t ipv6(struct walk *w, size_t i)
{
	const struct gen_layer *l = &w->pkt->layers[i];
	const uint8_t *p = w->pkt->bytes + l->off;
	uint32_t label = (uint32_t)(p[1] & 0x0f) << 16 | get16(p + 2);
	bool fragmented = false, first = false;
	size_t j;

	w->saw_ip = true;
	w->k.nhoff = (uint16_t)l->off;
	w->k.thoff = (uint16_t)(l->off + 40);
	w->k.addr_proto = 0x86dd;
	w->k.n_proto = htons(0x86dd);
	w->k.ip_proto = p[6];
	memcpy(&w->k.ipv6_src, p + 8, 32);
	w->k.flow_label = htonl(label);
	w->k.sport = w->k.dport = 0;
	if ((w->flags & FDTEST_FLAG_STOP_AT_FLOW_LABEL) && label)
		return WALK_STOP;
	for (j = i + 1; ; j++) {
		const struct gen_layer *x = &w->pkt->layers[j];
		enum gen_type t = type_at(w, j);

		if (t != GEN_HBH && t != GEN_RT && t != GEN_DSTOPT &&
		    t != GEN_FRAG)
			break;
		w->k.ip_proto = w->pkt->bytes[x->off];
		w->k.thoff = (uint16_t)(x->off + x->hlen);
		if (t == GEN_FRAG) {
			fragmented = true;
			first = (get16(w->pkt->bytes + x->off + 2) >> 3) == 0;
			w->k.is_frag = 1;
			w->k.is_first_frag = first;
		}
	}
	if (frag_stops(w, fragmented, first))
		return WALK_STOP;
	return ip_payload(w, j);
}

static void walk_layers(struct walk *w, size_t i)
{
	while (i < w->pkt->n_layers) {
		switch (type_at(w, i)) {
		case GEN_ETH: case GEN_VLAN: case GEN_PPPOE:
			i++;
			break;
		case GEN_MPLS:
			w->saw_mpls = true;
			i++;
			break;
		case GEN_IPV4:
			i = ipv4(w, i);
			break;
		case GEN_IPV6:
			i = ipv6(w, i);
			break;
		default:
			i = w->saw_ip ? transport(w, i) : WALK_STOP;
			break;
		}
	}
}

/* Frame offset to the offset @state reports. */
static uint16_t in_state(uint32_t off, uint32_t base, unsigned int tags,
			 enum fdtest_state state)
{
	off = off + base - 4 * tags;
	if (state != FDTEST_STATE_VLANLESS)
		off += 4 * (tags ? tags : 1);
	return (uint16_t)off;
}

int gen_expect_keys(const struct gen_packet *pkt, uint32_t frame,
		    bool eth_made_up, enum gen_policy policy,
		    enum fdtest_state state, uint32_t flags,
		    struct expect *exp, char *err, size_t err_size)
{
	struct walk w = { .pkt = pkt, .policy = policy, .flags = flags };
	size_t i = pkt->n_layers && pkt->layers[0].type->type == GEN_FRAME;
	unsigned int tags = 0;

	memset(exp, 0, sizeof(*exp));
	exp->id.frame = frame;
	exp->id.state = state;
	exp->id.in_flags = flags;
	if (pkt->expect == GEN_EXPECT_NONE)
		return 0;
	exp->has_ret = true;
	if (pkt->expect == GEN_EXPECT_DROP) {
		exp->ret = FDTEST_RET_DROP;
		exp->layout = KEYS_LAYOUT_IPV6;
		return 1;
	}
	/* the outer tags fdtest strips or keeps; none with a made-up header */
	if (!eth_made_up && type_at(&w, i) == GEN_ETH)
		while (type_at(&w, i + 1 + tags) == GEN_VLAN && tags < 8)
			tags++;
	walk_layers(&w, i);
	if (!w.saw_ip) {
		snprintf(err, err_size,
			 "%u: expect=ok, but no IPv4 or IPv6 layer is reached: say expect=drop or expect=none",
			 pkt->layers[0].column);
		return -EINVAL;
	}
	exp->ret = FDTEST_RET_OK;
	exp->keys = w.k;
	exp->keys.flags = flags;
	exp->keys.nhoff = in_state(w.k.nhoff, eth_made_up ? 14 : 0, tags,
				   state);
	exp->keys.thoff = in_state(w.k.thoff, eth_made_up ? 14 : 0, tags,
				   state);
	exp->layout = keys_layout_of(&exp->keys);
	memset(exp->mask, 0xff, sizeof(exp->mask));
	if (w.saw_mpls) {
		/* where offsets point behind labels is each dissector's call */
		memset(exp->mask + offsetof(struct bpf_flow_keys, nhoff), 0, 4);
	}
	return 1;
}
