// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Protocol classes read from frame bytes (see pclass.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report/pclass.h"

#define LAYER_BITS 5

static const char *const layer_names[PCLASS_LAYER_COUNT] = {
	[PCLASS_ETH] = "eth",
	[PCLASS_8021Q] = "802.1q",
	[PCLASS_8021AD] = "802.1ad",
	[PCLASS_QINQ] = "qinq",
	[PCLASS_MPLS] = "mpls",
	[PCLASS_PPPOE] = "pppoe",
	[PCLASS_IPV4] = "ipv4",
	[PCLASS_IPV6] = "ipv6",
	[PCLASS_FRAG] = "frag",
	[PCLASS_TCP] = "tcp",
	[PCLASS_UDP] = "udp",
	[PCLASS_ICMP] = "icmp",
	[PCLASS_ICMPV6] = "icmpv6",
	[PCLASS_SCTP] = "sctp",
	[PCLASS_GRE] = "gre",
	[PCLASS_VXLAN] = "vxlan",
	[PCLASS_GENEVE] = "geneve",
	[PCLASS_OTHER] = "other",
};

/* The frame being walked and the class so far. */
struct walk {
	const uint8_t *p;
	uint32_t len;
	uint64_t pclass;
	unsigned int n;
};

static bool push(struct walk *w, enum pclass_layer layer)
{
	if (w->n == PCLASS_LAYERS_MAX)
		return false;
	w->pclass |= (uint64_t)layer << (LAYER_BITS * w->n++);
	return true;
}

static bool have(const struct walk *w, uint32_t off, uint32_t n)
{
	return off <= w->len && n <= w->len - off;
}

static uint16_t be16(const struct walk *w, uint32_t off)
{
	return (uint16_t)(w->p[off] << 8 | w->p[off + 1]);
}

static void walk_ethertype(struct walk *w, uint16_t type, uint32_t off);
static void walk_ip_proto(struct walk *w, uint8_t proto, uint32_t off);

static void walk_eth(struct walk *w, uint32_t off)
{
	uint16_t type;

	if (!have(w, off, 14) || !push(w, PCLASS_ETH))
		return;
	off += 12;
	type = be16(w, off);
	/* tags, however many, as they come */
	for (;;) {
		enum pclass_layer tag;

		if (type == 0x8100)
			tag = PCLASS_8021Q;
		else if (type == 0x88a8)
			tag = PCLASS_8021AD;
		else if (type == 0x9100)
			tag = PCLASS_QINQ;
		else
			break;
		if (!have(w, off + 2, 4)) {
			push(w, PCLASS_OTHER);
			return;
		}
		if (!push(w, tag))
			return;
		off += 4;
		type = be16(w, off);
	}
	walk_ethertype(w, type, off + 2);
}

/* MPLS says nothing of what it carries: the IP version nibble tells. */
static void walk_mpls(struct walk *w, uint32_t off)
{
	bool bottom = false;

	if (!push(w, PCLASS_MPLS))
		return;
	while (!bottom) {
		if (!have(w, off, 4)) {
			push(w, PCLASS_OTHER);
			return;
		}
		bottom = w->p[off + 2] & 1;
		off += 4;
	}
	if (!have(w, off, 1))
		return;
	if (w->p[off] >> 4 == 4)
		walk_ethertype(w, 0x0800, off);
	else if (w->p[off] >> 4 == 6)
		walk_ethertype(w, 0x86dd, off);
	else
		push(w, PCLASS_OTHER);
}

static void walk_pppoe(struct walk *w, uint32_t off)
{
	uint16_t proto;

	if (!push(w, PCLASS_PPPOE))
		return;
	if (!have(w, off, 8)) {
		push(w, PCLASS_OTHER);
		return;
	}
	proto = be16(w, off + 6);
	if (proto == 0x0021)
		walk_ethertype(w, 0x0800, off + 8);
	else if (proto == 0x0057)
		walk_ethertype(w, 0x86dd, off + 8);
	else
		push(w, PCLASS_OTHER);
}

static void walk_ipv4(struct walk *w, uint32_t off)
{
	uint32_t ihl;
	uint16_t frag;

	if (!push(w, PCLASS_IPV4))
		return;
	if (!have(w, off, 20) || w->p[off] >> 4 != 4 ||
	    (ihl = (w->p[off] & 0xfu) * 4u) < 20 || !have(w, off, ihl)) {
		push(w, PCLASS_OTHER);
		return;
	}
	frag = be16(w, off + 6);
	if (frag & 0x3fff) {
		push(w, PCLASS_FRAG);
		/* only the first fragment carries the next header */
		if (frag & 0x1fff)
			return;
	}
	walk_ip_proto(w, w->p[off + 9], off + ihl);
}

static void walk_ipv6(struct walk *w, uint32_t off)
{
	uint8_t nh;

	if (!push(w, PCLASS_IPV6))
		return;
	if (!have(w, off, 40)) {
		push(w, PCLASS_OTHER);
		return;
	}
	nh = w->p[off + 6];
	off += 40;
	for (;;) {
		/* hop-by-hop, routing, destination options: walked over */
		if (nh == 0 || nh == 43 || nh == 60) {
			if (!have(w, off, 8)) {
				push(w, PCLASS_OTHER);
				return;
			}
			nh = w->p[off];
			off += 8u + w->p[off + 1] * 8u;
			continue;
		}
		if (nh == 44) {
			if (!have(w, off, 8)) {
				push(w, PCLASS_OTHER);
				return;
			}
			if (!push(w, PCLASS_FRAG))
				return;
			if (be16(w, off + 2) & 0xfff8)
				return;
			nh = w->p[off];
			off += 8;
			continue;
		}
		break;
	}
	/* 59: no next header */
	if (nh != 59)
		walk_ip_proto(w, nh, off);
}

/* GRE flags say which optional words follow the protocol. */
static void walk_gre(struct walk *w, uint32_t off)
{
	uint16_t flags, proto;

	if (!push(w, PCLASS_GRE))
		return;
	if (!have(w, off, 4)) {
		push(w, PCLASS_OTHER);
		return;
	}
	flags = be16(w, off);
	proto = be16(w, off + 2);
	off += 4;
	off += flags & 0x8000 ? 4 : 0;	/* checksum and reserved */
	off += flags & 0x2000 ? 4 : 0;	/* key */
	off += flags & 0x1000 ? 4 : 0;	/* sequence */
	if (proto == 0x6558)
		walk_eth(w, off);
	else
		walk_ethertype(w, proto, off);
}

static void walk_udp(struct walk *w, uint32_t off)
{
	uint16_t dport;

	if (!push(w, PCLASS_UDP) || !have(w, off, 8))
		return;
	dport = be16(w, off + 2);
	off += 8;
	/* IANA's VXLAN port and Linux's old default */
	if (dport == 4789 || dport == 8472) {
		if (have(w, off, 8) && push(w, PCLASS_VXLAN))
			walk_eth(w, off + 8);
	} else if (dport == 6081) {
		uint16_t proto;
		uint32_t hlen;

		if (!have(w, off, 8) || !push(w, PCLASS_GENEVE))
			return;
		hlen = 8u + (w->p[off] & 0x3fu) * 4u;
		proto = be16(w, off + 2);
		if (proto == 0x6558)
			walk_eth(w, off + hlen);
		else
			walk_ethertype(w, proto, off + hlen);
	}
}

static void walk_ip_proto(struct walk *w, uint8_t proto, uint32_t off)
{
	switch (proto) {
	case 1:
		push(w, PCLASS_ICMP);
		break;
	case 4:
		walk_ipv4(w, off);
		break;
	case 6:
		push(w, PCLASS_TCP);
		break;
	case 17:
		walk_udp(w, off);
		break;
	case 41:
		walk_ipv6(w, off);
		break;
	case 47:
		walk_gre(w, off);
		break;
	case 58:
		push(w, PCLASS_ICMPV6);
		break;
	case 132:
		push(w, PCLASS_SCTP);
		break;
	default:
		push(w, PCLASS_OTHER);
	}
}

static void walk_ethertype(struct walk *w, uint16_t type, uint32_t off)
{
	switch (type) {
	case 0x0800:
		walk_ipv4(w, off);
		break;
	case 0x86dd:
		walk_ipv6(w, off);
		break;
	case 0x8847:
	case 0x8848:
		walk_mpls(w, off);
		break;
	case 0x8864:
		walk_pppoe(w, off);
		break;
	default:
		push(w, PCLASS_OTHER);
	}
}

uint64_t pclass_of(const uint8_t *frame, uint32_t len)
{
	struct walk w = { .p = frame, .len = len };

	walk_eth(&w, 0);
	return w.pclass;
}

const char *pclass_name(uint64_t pclass, char *buf, size_t size)
{
	size_t used = 0;

	if (size)
		buf[0] = '\0';
	if (!pclass)
		snprintf(buf, size, "other");
	for (; pclass && used < size; pclass >>= LAYER_BITS) {
		unsigned int layer = pclass & ((1u << LAYER_BITS) - 1);
		const char *name = layer < PCLASS_LAYER_COUNT ?
				   layer_names[layer] : NULL;
		int n = snprintf(buf + used, size - used, "%s%s",
				 used ? "/" : "", name ? name : "?");

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}
