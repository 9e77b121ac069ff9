// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fdtest gen: expected keys from the layers (see gen_expect.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "gen/gen_expect.h"

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

/* What the walk makes of a packet. */
enum walk_end {
	WALK_KEYS,	/* BPF_OK with the keys in w->k */
	WALK_DROP,	/* a header it needs is cut or malformed: BPF_DROP */
	WALK_NO_IP,	/* something no dissector follows to IP: BPF_DROP */
	WALK_UNSURE,	/* a field was given that moves the bytes away from
			 * the layers: the keys cannot be told from them */
};

/* The walk over the layers, as a dissector following them would. */
struct walk {
	const struct gen_packet *pkt;
	enum gen_policy policy;
	uint32_t flags;
	struct bpf_flow_keys k;	/* offsets in frame coordinates */
	bool l2;		/* the next layer is named by an EtherType */
	bool saw_mpls;
	enum walk_end end;
	/*
	 * What ended the walk, when not WALK_KEYS: words for reject() to
	 * format, as only a rejected packet needs them (fdtest fuzz walks
	 * every input it makes and rejects most quietly).
	 */
	const struct gen_layer *why_layer;
	const char *why;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static const struct gen_layer *layer(const struct walk *w, size_t i)
{
	return i < w->pkt->n_layers ? &w->pkt->layers[i] : NULL;
}

static enum gen_type type_at(const struct walk *w, size_t i)
{
	return i < w->pkt->n_layers ? w->pkt->layers[i].type->type :
				      GEN_PAYLOAD;
}

static const uint8_t *bytes_of(const struct walk *w, const struct gen_layer *l)
{
	return w->pkt->bytes + l->off;
}

/* Ends the walk with @end, saying why; the first reason stays. */
static size_t walk_end(struct walk *w, enum walk_end end,
		       const struct gen_layer *l, const char *what)
{
	if (w->end == WALK_KEYS) {
		w->end = end;
		w->why_layer = l;
		w->why = what;
	}
	return WALK_STOP;
}

/*
 * Are the first @len bytes of layer @l in the frame? A dissector that
 * needs them and finds the frame ending before must drop it.
 */
static bool need(struct walk *w, const struct gen_layer *l, uint32_t len)
{
	if (l->off + len <= w->pkt->len)
		return true;
	walk_end(w, WALK_DROP, l, "is cut by the end of the frame");
	return false;
}

static bool is_tpid(uint16_t type)
{
	return type == 0x8100 || type == 0x88a8 || type == 0x9100;
}

/*
 * Layer @i, named by EtherType @type in the header before it (@by). A
 * type no dissector follows ends the walk without IP; a known type that
 * does not name the layer built there leaves the keys to the bytes.
 */
static size_t by_ethertype(struct walk *w, const struct gen_layer *by,
			   uint16_t type, size_t i)
{
	if (type == gen_ethertype_of(layer(w, i)) &&
	    type_at(w, i) != GEN_PAYLOAD)
		return i;
	if (type == 0x0800 || type == 0x86dd || type == 0x8847 ||
	    type == 0x8848 || type == 0x8864 || type == 0x6558 ||
	    is_tpid(type)) {
		if (type == 0x8848 && type_at(w, i) == GEN_MPLS)
			return i;	/* multicast MPLS */
		return walk_end(w, WALK_UNSURE, by,
				"names a protocol other than the layer after it");
	}
	return walk_end(w, WALK_NO_IP, by,
			"names no protocol a flow dissector follows to IP");
}

/* Is @proto one the walk parses, with an IP header of version @ver? */
static bool proto_parsed(uint8_t proto, int ver)
{
	switch (proto) {
	case 0: case 43: case 60: case 44:	/* IPv6 extension headers */
		return ver == 6;
	case 4: case 41: case 47: case 6: case 17: case 136: case 132:
	case 33: case 1: case 58:
		return true;
	}
	return false;
}

/*
 * Layer @i, named by IP protocol @proto in the header before it (@by). An
 * unknown protocol over a payload layer is an L4 the dissector reports
 * without ports; a parsed one that is not the layer built there leaves
 * the keys to the bytes.
 */
static size_t by_proto(struct walk *w, const struct gen_layer *by,
		       uint8_t proto, int ver, size_t i)
{
	if (proto == gen_proto_of(type_at(w, i)) &&
	    (type_at(w, i) != GEN_PAYLOAD || !proto_parsed(proto, ver)))
		return i;
	if (type_at(w, i) == GEN_PAYLOAD && !proto_parsed(proto, ver))
		return i;
	return walk_end(w, WALK_UNSURE, by,
			"names a protocol other than the layer after it");
}

/* The UDP tunnel a dissector expects behind destination port @port. */
static enum gen_type tunnel_at_port(uint16_t port)
{
	switch (port) {
	case 4789: case 8472: return GEN_VXLAN;
	case 6081: return GEN_GENEVE;
	default: return GEN_PAYLOAD;
	}
}

/*
 * GRE (RFC 2784/2890) at layer @i: 4 bytes, and 4 more for each of the
 * checksum, key and sequence bits. Source routing and versions other
 * than 0 (PPTP) are not tunnels a flow dissector follows: their flow is
 * reported with thoff at the GRE header.
 */
static size_t gre(struct walk *w, size_t i)
{
	const struct gen_layer *l = layer(w, i);
	const uint8_t *p = bytes_of(w, l);
	uint32_t hlen = 4;
	uint16_t flags;

	if (!need(w, l, 4))
		return WALK_STOP;
	flags = get16(p);
	if (flags & 0x4007) {
		w->k.thoff = (uint16_t)l->off;
		return WALK_STOP;
	}
	hlen += (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) +
		(flags & 0x1000 ? 4 : 0);
	if (!need(w, l, hlen))
		return WALK_STOP;
	if (hlen != l->hlen)
		return walk_end(w, WALK_UNSURE, l,
				"has flags that do not match its fields");
	w->k.is_encap = 1;
	w->k.thoff = (uint16_t)(l->off + hlen);
	if (w->flags & FDTEST_FLAG_STOP_AT_ENCAP)
		return WALK_STOP;
	w->l2 = true;
	return by_ethertype(w, l, get16(p + 2), i + 1);
}

/*
 * What follows an IP header (and its extension headers) at layer @i,
 * named by @proto: a tunnel or a transport. Returns the layer to go on
 * from, or WALK_STOP.
 */
static size_t ip_payload(struct walk *w, const struct gen_layer *by,
			 uint8_t proto, int ver, size_t i)
{
	i = by_proto(w, by, proto, ver, i);
	if (i == WALK_STOP)
		return i;
	switch (type_at(w, i)) {
	case GEN_IPV4:
	case GEN_IPV6:
		w->k.is_encap = 1;
		return w->flags & FDTEST_FLAG_STOP_AT_ENCAP ? WALK_STOP : i;
	case GEN_GRE:
	case GEN_NVGRE:
		return gre(w, i);
	default:
		return i;	/* the transport header, if any */
	}
}

static void l4_ports(struct walk *w, const struct gen_layer *l)
{
	const uint8_t *p = bytes_of(w, l);

	w->k.thoff = (uint16_t)l->off;
	memcpy(&w->k.sport, p, 2);
	memcpy(&w->k.dport, p + 2, 2);
}

/*
 * VXLAN (RFC 7348) or GENEVE (RFC 8926) at layer @i, after a UDP header
 * to one of their ports, under the udp-encap policy. A VXLAN header
 * without the I flag, or GENEVE of another version, is UDP payload.
 */
static size_t udp_tunnel(struct walk *w, size_t i)
{
	const struct gen_layer *l = layer(w, i);
	const uint8_t *p = bytes_of(w, l);
	uint16_t type = 0x6558;
	uint32_t hlen = 8;

	if (!need(w, l, 8))
		return WALK_STOP;
	if (l->type->type == GEN_VXLAN) {
		if (!(p[0] & 0x08))
			return WALK_STOP;
	} else {
		if (p[0] >> 6)
			return WALK_STOP;
		hlen += 4u * (p[0] & 0x3f);
		if (!need(w, l, hlen))
			return WALK_STOP;
		type = get16(p + 2);
	}
	if (hlen != l->hlen)
		return walk_end(w, WALK_UNSURE, l,
				"has a length that does not match its fields");
	w->k.is_encap = 1;
	if (w->flags & FDTEST_FLAG_STOP_AT_ENCAP)
		return WALK_STOP;
	/* the inner flow owns the keys: no outer ports */
	w->k.sport = w->k.dport = 0;
	w->l2 = true;
	return by_ethertype(w, l, type, i + 1);
}

/* Transport at layer @i. Returns the layer to go on from, or WALK_STOP. */
static size_t transport(struct walk *w, size_t i)
{
	const struct gen_layer *l = layer(w, i);
	enum gen_type tunnel;
	const uint8_t *p;
	uint32_t hlen;

	if (!l)
		return WALK_STOP;
	p = bytes_of(w, l);
	switch (l->type->type) {
	case GEN_TCP:
		/* the whole header with its options */
		if (!need(w, l, 20))
			return WALK_STOP;
		hlen = 4u * (p[12] >> 4);
		if (hlen < 20)
			return walk_end(w, WALK_DROP, l,
					"has a data offset below 5");
		if (!need(w, l, hlen))
			return WALK_STOP;
		l4_ports(w, l);
		return WALK_STOP;
	case GEN_UDPLITE:
		if (need(w, l, 8))
			l4_ports(w, l);
		return WALK_STOP;
	case GEN_SCTP:
		if (need(w, l, 12))
			l4_ports(w, l);
		return WALK_STOP;
	case GEN_DCCP:
		/* 16 bytes with extended sequence numbers (X), 12 without */
		if (need(w, l, 12) && need(w, l, p[8] & 1 ? 16 : 12))
			l4_ports(w, l);
		return WALK_STOP;
	case GEN_UDP:
		if (!need(w, l, 8))
			return WALK_STOP;
		l4_ports(w, l);
		if (w->policy != GEN_POLICY_UDP_ENCAP)
			return WALK_STOP;
		tunnel = tunnel_at_port(get16(p + 2));
		if (tunnel == GEN_PAYLOAD && type_at(w, i + 1) != GEN_VXLAN &&
		    type_at(w, i + 1) != GEN_GENEVE)
			return WALK_STOP;
		if (tunnel != type_at(w, i + 1))
			return walk_end(w, WALK_UNSURE, l,
					"has a port that does not match the tunnel after it");
		return udp_tunnel(w, i + 1);
	case GEN_ICMP: case GEN_ICMPV6:
		/* type, code, checksum and 4 bytes more in every message */
		if (need(w, l, 8))
			w->k.thoff = (uint16_t)l->off;
		return WALK_STOP;
	default:
		/* a protocol without ports: thoff where it starts */
		w->k.thoff = (uint16_t)l->off;
		return WALK_STOP;
	}
}

/* Does a fragment stop the walk before its transport header? */
static bool frag_stops(const struct walk *w, bool first)
{
	return !first || !(w->flags & FDTEST_FLAG_PARSE_1ST_FRAG);
}

/*
 * IPv4 (RFC 791) at layer @i. Malformed: a version other than 4, IHL
 * below 5, a non-zero total length below the header length (zero is
 * what GSO and BIG TCP packets carry). A total length past the frame is
 * not: captures are cut short, and the headers are in view.
 */
static size_t ipv4(struct walk *w, size_t i)
{
	const struct gen_layer *l = layer(w, i);
	const uint8_t *p = bytes_of(w, l);
	uint32_t hlen, tot;
	uint16_t frag;

	if (!need(w, l, 20))
		return WALK_STOP;
	if (p[0] >> 4 != 4)
		return walk_end(w, WALK_DROP, l, "has a version other than 4");
	hlen = 4u * (p[0] & 0x0f);
	if (hlen < 20)
		return walk_end(w, WALK_DROP, l, "has an IHL below 5");
	if (!need(w, l, hlen))
		return WALK_STOP;
	tot = get16(p + 2);
	if (tot && tot < hlen)
		return walk_end(w, WALK_DROP, l,
				"has a total length below its header length");
	if (hlen != l->hlen)
		return walk_end(w, WALK_UNSURE, l,
				"has an IHL that does not match its options");
	w->l2 = false;
	w->k.nhoff = (uint16_t)l->off;
	w->k.thoff = (uint16_t)(l->off + hlen);
	w->k.addr_proto = 0x0800;
	w->k.n_proto = htons(0x0800);
	w->k.ip_proto = p[9];
	/* the IPv4 view: the rest of the union and the label are not its */
	memset(&w->k.ipv4_src, 0, 32);
	memcpy(&w->k.ipv4_src, p + 12, 8);
	w->k.flow_label = 0;
	w->k.sport = w->k.dport = 0;
	frag = get16(p + 6) & 0x3fff;
	if (frag) {
		bool first = (frag & 0x1fff) == 0;

		/*
		 * Both bits stick once set, as in the kernel's C dissector
		 * and bpf_flow.c: a later fragment inside a first one
		 * leaves is_first_frag at 1.
		 */
		w->k.is_frag = 1;
		w->k.is_first_frag |= first;
		if (frag_stops(w, first))
			return WALK_STOP;
	}
	return ip_payload(w, l, p[9], 4, i + 1);
}

/*
 * A dissector walks IPv6 extension headers in a loop the verifier needs
 * bounded; past 8 in a row (the reference's bound), where it stops is its
 * own choice, and the spec says nothing.
 */
#define EXT_HEADERS_BOUND 8

/*
 * IPv6 (RFC 8200) at layer @i, then its extension headers in order: the
 * fragment header stops the walk for a later fragment, and for a first
 * one unless PARSE_1ST_FRAG asks for more.
 */
static size_t ipv6(struct walk *w, size_t i)
{
	const struct gen_layer *l = layer(w, i);
	const uint8_t *p = bytes_of(w, l);
	const struct gen_layer *by = l;
	uint32_t label;
	unsigned int n_ext = 0;
	uint8_t nh;
	size_t j;

	if (!need(w, l, 40))
		return WALK_STOP;
	if (p[0] >> 4 != 6)
		return walk_end(w, WALK_DROP, l, "has a version other than 6");
	label = (uint32_t)(p[1] & 0x0f) << 16 | get16(p + 2);
	w->l2 = false;
	w->k.nhoff = (uint16_t)l->off;
	w->k.thoff = (uint16_t)(l->off + 40);
	w->k.addr_proto = 0x86dd;
	w->k.n_proto = htons(0x86dd);
	w->k.ip_proto = p[6];
	memcpy(&w->k.ipv6_src, p + 8, 32);
	w->k.flow_label = htonl(label);
	w->k.sport = w->k.dport = 0;
	/* a zero label identifies nothing: the dissection goes on */
	if ((w->flags & FDTEST_FLAG_STOP_AT_FLOW_LABEL) && label)
		return WALK_STOP;
	nh = p[6];
	for (j = i + 1; nh == 0 || nh == 43 || nh == 60 || nh == 44; j++) {
		const struct gen_layer *x;
		const uint8_t *xp;
		uint32_t hlen = 8;

		j = by_proto(w, by, nh, 6, j);
		if (j == WALK_STOP)
			return WALK_STOP;
		x = layer(w, j);
		if (++n_ext > EXT_HEADERS_BOUND)
			return walk_end(w, WALK_UNSURE, x,
					"is an extension header past the 8 every dissector can be expected to walk");
		xp = bytes_of(w, x);
		if (!need(w, x, nh == 44 ? 8 : 2))
			return WALK_STOP;
		if (nh != 44)	/* length in 8 bytes, past the first 8 */
			hlen = 8u * (xp[1] + 1u);
		if (!need(w, x, hlen))
			return WALK_STOP;
		if (hlen != x->hlen)
			return walk_end(w, WALK_UNSURE, x,
					"has a length that does not match its options");
		w->k.ip_proto = xp[0];
		w->k.thoff = (uint16_t)(x->off + hlen);
		if (nh == 44) {
			bool first = (get16(xp + 2) >> 3) == 0;

			w->k.is_frag = 1;
			w->k.is_first_frag |= first;	/* sticks, as above */
			if (frag_stops(w, first))
				return WALK_STOP;
		}
		nh = xp[0];
		by = x;
	}
	return ip_payload(w, by, nh, 6, j);
}

/* PPPoE session (RFC 2516), then PPP's protocol: IPv4 or IPv6 only. */
static size_t pppoe(struct walk *w, size_t i)
{
	const struct gen_layer *l = layer(w, i);
	const uint8_t *p = bytes_of(w, l);
	uint16_t proto;

	if (!need(w, l, 8))
		return WALK_STOP;
	if (p[0] != 0x11 || p[1] != 0)
		return walk_end(w, WALK_DROP, l,
				"is not a version 1 session frame");
	proto = get16(p + 6);
	if (proto == 0x0021 && type_at(w, i + 1) == GEN_IPV4)
		return i + 1;
	if (proto == 0x0057 && type_at(w, i + 1) == GEN_IPV6)
		return i + 1;
	if (proto == 0x0021 || proto == 0x0057)
		return walk_end(w, WALK_UNSURE, l,
				"names a protocol other than the layer after it");
	return walk_end(w, WALK_NO_IP, l, "carries neither IPv4 nor IPv6");
}

/*
 * An IP layer after MPLS whose version= names the other IP version: a
 * dissector takes it for that version (nothing else tells), which the
 * layers do not describe.
 */
static bool mpls_payload_swapped(const struct walk *w,
				 const struct gen_layer *ip)
{
	unsigned int v;

	if (ip->off >= w->pkt->len)
		return false;
	v = bytes_of(w, ip)[0] >> 4;
	return ip->type->type == GEN_IPV4 ? v == 6 : v == 4;
}

/*
 * An MPLS label stack entry: the bottom of stack bit must be where the
 * labels end, since the payload is told by its version nibble only.
 */
static size_t mpls(struct walk *w, size_t i)
{
	const struct gen_layer *l = layer(w, i);
	bool bottom = type_at(w, i + 1) != GEN_MPLS;

	if (!need(w, l, 4))
		return WALK_STOP;
	w->saw_mpls = true;
	if (!!(bytes_of(w, l)[2] & 1) != bottom)
		return walk_end(w, WALK_UNSURE, l,
				"has a bottom-of-stack bit that does not match the stack");
	if (bottom && type_at(w, i + 1) != GEN_IPV4 &&
	    type_at(w, i + 1) != GEN_IPV6)
		return walk_end(w, WALK_NO_IP, l,
				"carries neither IPv4 nor IPv6");
	if (bottom && mpls_payload_swapped(w, layer(w, i + 1)))
		return walk_end(w, WALK_UNSURE, layer(w, i + 1),
				"has the other IP version's nibble, which is what MPLS goes by");
	return i + 1;
}

static void walk_layers(struct walk *w, size_t i)
{
	while (i < w->pkt->n_layers) {
		const struct gen_layer *l = layer(w, i);

		switch (l->type->type) {
		case GEN_ETH:
			i = need(w, l, 14) ?
			    by_ethertype(w, l, get16(bytes_of(w, l) + 12),
					 i + 1) : WALK_STOP;
			break;
		case GEN_VLAN:
			i = need(w, l, 4) ?
			    by_ethertype(w, l, get16(bytes_of(w, l) + 2),
					 i + 1) : WALK_STOP;
			break;
		case GEN_MPLS:
			i = mpls(w, i);
			break;
		case GEN_PPPOE:
			i = pppoe(w, i);
			break;
		case GEN_IPV4:
			i = ipv4(w, i);
			break;
		case GEN_IPV6:
			i = ipv6(w, i);
			break;
		default:
			i = w->l2 ? walk_end(w, WALK_NO_IP, l,
					     "is where an IPv4 or IPv6 header should be") :
				    transport(w, i);
			break;
		}
	}
	/* an EtherType with nothing after it */
	if (w->l2 && w->end == WALK_KEYS)
		walk_end(w, WALK_NO_IP, layer(w, w->pkt->n_layers - 1),
			 "has no IPv4 or IPv6 header after it");
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

static void expect_drop(struct golden_line *exp)
{
	exp->has_ret = true;
	exp->ret = FDTEST_RET_DROP;
	exp->layout = KEYS_LAYOUT_IPV6;
}

/*
 * Walks the layers for one policy and flag set; the walk is the same in
 * every state. Returns the outer tags fdtest strips or keeps (none with
 * a made-up header).
 */
static unsigned int walk_packet(struct walk *w, bool eth_made_up)
{
	const struct gen_packet *pkt = w->pkt;
	size_t i = pkt->n_layers && pkt->layers[0].type->type == GEN_FRAME;
	unsigned int tags = 0;

	if (!eth_made_up && type_at(w, i) == GEN_ETH)
		while (type_at(w, i + 1 + tags) == GEN_VLAN && tags < 8)
			tags++;
	w->l2 = true;
	walk_layers(w, i);
	return tags;
}

/* One case, from the walk @w and its @tags: fills @exp. */
static void derive(const struct walk *w, unsigned int tags, bool eth_made_up,
		   enum fdtest_state state, struct golden_line *exp)
{
	if (w->end != WALK_KEYS) {
		expect_drop(exp);
		return;
	}
	exp->has_ret = true;
	exp->ret = FDTEST_RET_OK;
	exp->keys = w->k;
	exp->keys.flags = exp->id.in_flags;
	exp->keys.nhoff = in_state(w->k.nhoff, eth_made_up ? 14 : 0, tags,
				   state);
	exp->keys.thoff = in_state(w->k.thoff, eth_made_up ? 14 : 0, tags,
				   state);
	exp->layout = keys_layout_of(&exp->keys);
	memset(exp->mask, 0xff, sizeof(exp->mask));
	if (w->saw_mpls) {
		/* where offsets point behind labels is each dissector's call */
		memset(exp->mask + offsetof(struct bpf_flow_keys, nhoff), 0, 4);
	}
}

static int reject(const struct gen_packet *pkt, const struct walk *w,
		  const char *what, char *err, size_t err_size)
{
	char why[160] = "the keys are derived";

	if (w->why)
		snprintf(why, sizeof(why), "the %s layer at column %u %s",
			 w->why_layer->type->name, w->why_layer->column,
			 w->why);
	snprintf(err, err_size, "%u: %s (%s, flags 0x%x: %s)",
		 pkt->layers[0].column, what, gen_policy_name(w->policy),
		 w->flags, why);
	return -EINVAL;
}

int gen_expect_packet(const struct gen_packet *pkt, uint32_t frame,
		      bool eth_made_up, struct gen_expectations *out,
		      char *err, size_t err_size)
{
	const struct walk *first_keys = NULL, *first_drop = NULL;
	const struct walk *first_no_ip = NULL, *first_unsure = NULL;
	struct walk walks[GEN_POLICY_COUNT][FDTEST_FLAGS_KNOWN + 1];
	unsigned int n_cases = 0, n_no_ip = 0;

	memset(out, 0, sizeof(*out));
	for (int p = 0; p < GEN_POLICY_COUNT; p++) {
		for (uint32_t f = 0; f <= FDTEST_FLAGS_KNOWN; f++) {
			struct walk *w = &walks[p][f];
			unsigned int tags;

			memset(w, 0, sizeof(*w));
			w->pkt = pkt;
			w->policy = (enum gen_policy)p;
			w->flags = f;
			tags = walk_packet(w, eth_made_up);
			for (int s = 0; s < FDTEST_STATE_COUNT; s++) {
				struct golden_line *exp = &out->exp[p][s][f];

				exp->id.frame = frame;
				exp->id.state = (enum fdtest_state)s;
				exp->id.in_flags = f;
				derive(w, tags, eth_made_up,
				       (enum fdtest_state)s, exp);
			}
			n_cases++;
			switch (w->end) {
			case WALK_KEYS:
				first_keys = first_keys ? first_keys : w;
				break;
			case WALK_DROP:
				first_drop = first_drop ? first_drop : w;
				break;
			case WALK_NO_IP:
				first_no_ip = first_no_ip ? first_no_ip : w;
				n_no_ip++;
				break;
			case WALK_UNSURE:
				first_unsure = first_unsure ? first_unsure : w;
				break;
			}
		}
	}

	switch (pkt->expect) {
	case GEN_EXPECT_NONE:
		return 0;
	case GEN_EXPECT_AUTO:
		if (first_unsure)
			return reject(pkt, first_unsure,
				      "the keys cannot be derived: state expect=drop or expect=none",
				      err, err_size);
		if (n_no_ip == n_cases)
			return reject(pkt, first_no_ip,
				      "no IPv4 or IPv6 header is reached: state expect=drop or expect=none",
				      err, err_size);
		return 1;
	case GEN_EXPECT_OK:
		if (first_unsure || first_drop || first_no_ip)
			return reject(pkt, first_unsure ? first_unsure :
				      first_drop ? first_drop : first_no_ip,
				      "expect=ok, but a dissector must drop this packet",
				      err, err_size);
		return 1;
	case GEN_EXPECT_DROP:
		/*
		 * Where the walk cannot tell (a field moved the bytes), the
		 * author's word stands; elsewhere it must be the walk's.
		 */
		if (first_keys && !first_unsure)
			return reject(pkt, first_keys,
				      first_drop || first_no_ip ?
				      "expect=drop, but the answer depends on policy and flags: leave expect= out" :
				      "expect=drop, but the layers give keys",
				      err, err_size);
		for (int p = 0; p < GEN_POLICY_COUNT; p++)
			for (int s = 0; s < FDTEST_STATE_COUNT; s++)
				for (uint32_t f = 0; f <= FDTEST_FLAGS_KNOWN;
				     f++) {
					struct golden_line *exp =
						&out->exp[p][s][f];

					memset(&exp->keys, 0, sizeof(exp->keys));
					memset(exp->mask, 0, sizeof(exp->mask));
					expect_drop(exp);
				}
		return 1;
	}
	return -EINVAL;
}
