// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest gen: layers to bytes. Three passes: sizes and offsets, headers
 * (lengths from the sizes), then checksums from the innermost layer out,
 * since an outer checksum covers inner ones.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gen/gen.h"

static const uint8_t mac_dst[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t mac_src[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t ip4_src[4] = { 192, 0, 2, 1 };	/* TEST-NET-1 */
static const uint8_t ip4_dst[4] = { 192, 0, 2, 2 };
static const uint8_t ip6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t ip6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void put16(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint64_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static const struct gen_layer *next_layer(const struct gen_packet *pkt,
					  size_t i)
{
	return i + 1 < pkt->n_layers ? &pkt->layers[i + 1] : NULL;
}

static enum gen_type next_type(const struct gen_packet *pkt, size_t i)
{
	const struct gen_layer *n = next_layer(pkt, i);

	return n ? n->type->type : GEN_PAYLOAD;
}

uint16_t gen_ethertype_of(const struct gen_layer *l)
{
	switch (l ? l->type->type : GEN_PAYLOAD) {
	case GEN_VLAN: return (uint16_t)gen_num(l, "tpid", 0x8100);
	case GEN_IPV4: return 0x0800;
	case GEN_IPV6: return 0x86dd;
	case GEN_MPLS: return 0x8847;
	case GEN_PPPOE: return 0x8864;
	case GEN_ETH: return 0x6558;	/* transparent Ethernet bridging */
	default: return 0x88b5;		/* IEEE local experimental */
	}
}

uint8_t gen_proto_of(enum gen_type t)
{
	switch (t) {
	case GEN_IPV4: return 4;
	case GEN_IPV6: return 41;
	case GEN_HBH: return 0;
	case GEN_RT: return 43;
	case GEN_DSTOPT: return 60;
	case GEN_FRAG: return 44;
	case GEN_TCP: return 6;
	case GEN_UDP: return 17;
	case GEN_UDPLITE: return 136;
	case GEN_SCTP: return 132;
	case GEN_DCCP: return 33;
	case GEN_ICMP: return 1;
	case GEN_ICMPV6: return 58;
	case GEN_GRE: case GEN_NVGRE: return 47;
	default: return 59;		/* no next header */
	}
}

/* EtherType of what follows, for eth, vlan. */
static uint64_t next_ethertype(const struct gen_packet *pkt, size_t i)
{
	return gen_ethertype_of(next_layer(pkt, i));
}

/* IP protocol / next header of what follows. */
static uint64_t next_proto(const struct gen_packet *pkt, size_t i)
{
	return gen_proto_of(next_type(pkt, i));
}

static uint32_t pad4(uint32_t n)
{
	return (n + 3) & ~3u;
}

static uint32_t header_len(const struct gen_layer *l)
{
	const struct gen_value *v;

	switch (l->type->type) {
	case GEN_FRAME: return 0;
	case GEN_ETH: return 14;
	case GEN_VLAN: case GEN_MPLS: return 4;
	case GEN_PPPOE: return 8;
	case GEN_IPV4:
		v = gen_value(l, "opts");
		return 20 + (v ? pad4(v->len) : 0);
	case GEN_IPV6: return 40;
	case GEN_HBH: case GEN_DSTOPT: case GEN_RT:
		return 8 * ((uint32_t)gen_num(l, "len", 0) + 1);
	case GEN_FRAG: return 8;
	case GEN_TCP:
		v = gen_value(l, "opts");
		return 20 + (v ? pad4(v->len) : 0);
	case GEN_UDP: case GEN_UDPLITE: case GEN_ICMP: case GEN_ICMPV6:
		return 8;
	case GEN_SCTP: return 12;
	case GEN_DCCP: return gen_num(l, "x", 1) ? 16 : 12;
	case GEN_GRE:
		return 4 + (gen_num(l, "c", 0) ? 4 : 0) +
		       (gen_value(l, "key") ? 4 : 0) +
		       (gen_value(l, "seq") ? 4 : 0);
	case GEN_NVGRE: return 8;
	case GEN_VXLAN: return 8;
	case GEN_GENEVE:
		v = gen_value(l, "opts");
		return 8 + (v ? pad4(v->len) : 0);
	case GEN_PAYLOAD:
		v = gen_value(l, "hex");
		return v ? v->len : (uint32_t)gen_num(l, "len", 0);
	}
	return 0;
}

/* The IP header a transport checksum's pseudo header comes from. */
static const struct gen_layer *ip_before(const struct gen_packet *pkt,
					 size_t i)
{
	while (i-- > 0) {
		enum gen_type t = pkt->layers[i].type->type;

		if (t == GEN_IPV4 || t == GEN_IPV6)
			return &pkt->layers[i];
	}
	return NULL;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 768/793/8200 pseudo header plus the bytes from @l to the end. */
static uint16_t l4_checksum(const struct gen_packet *pkt, size_t i,
			    uint8_t proto, uint32_t cover)
{
	const struct gen_layer *l = &pkt->layers[i];
	const struct gen_layer *ip = ip_before(pkt, i);
	uint32_t len = pkt->len - l->off;
	uint32_t sum = 0;

	if (ip && ip->type->type == GEN_IPV4)
		sum = sum16(pkt->bytes + ip->off + 12, 8, 0);
	else if (ip)
		sum = sum16(pkt->bytes + ip->off + 8, 32, 0);
	sum += proto + len;
	return fold(sum16(pkt->bytes + l->off, cover ? cover : len, sum));
}

/* CRC32c (Castagnoli), reflected, for SCTP (RFC 9260 appendix A). */
static uint32_t crc32c(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffff;

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
	}
	return ~crc;
}

static void copy_value(uint8_t *p, const struct gen_layer *l,
		       const char *name, const uint8_t *dflt, size_t n)
{
	const struct gen_value *v = gen_value(l, name);

	memcpy(p, v ? v->bytes : dflt, n);
}

static void write_header(struct gen_packet *pkt, size_t i)
{
	struct gen_layer *l = &pkt->layers[i];
	uint8_t *p = pkt->bytes + l->off;
	uint32_t rest = pkt->len - l->off;	/* this header and after */
	const struct gen_value *v;

	switch (l->type->type) {
	case GEN_FRAME:
		break;
	case GEN_ETH:
		copy_value(p, l, "dst", mac_dst, 6);
		copy_value(p + 6, l, "src", mac_src, 6);
		put16(p + 12, gen_num(l, "type", next_ethertype(pkt, i)));
		break;
	case GEN_VLAN:
		put16(p, gen_num(l, "pcp", 0) << 13 | gen_num(l, "dei", 0) << 12 |
			 gen_num(l, "vid", 100));
		put16(p + 2, gen_num(l, "type", next_ethertype(pkt, i)));
		break;
	case GEN_MPLS:
		put32(p, gen_num(l, "label", 16) << 12 | gen_num(l, "tc", 0) << 9 |
			 gen_num(l, "s", next_type(pkt, i) != GEN_MPLS) << 8 |
			 gen_num(l, "ttl", 64));
		break;
	case GEN_PPPOE:
		p[0] = (uint8_t)gen_num(l, "vertype", 0x11);
		p[1] = (uint8_t)gen_num(l, "code", 0);
		put16(p + 2, gen_num(l, "session", 1));
		put16(p + 4, gen_num(l, "len", rest - 6));
		put16(p + 6, gen_num(l, "proto",
				     next_type(pkt, i) == GEN_IPV6 ? 0x0057 :
								     0x0021));
		break;
	case GEN_IPV4:
		p[0] = (uint8_t)(gen_num(l, "version", 4) << 4 |
				 gen_num(l, "ihl", l->hlen / 4));
		p[1] = (uint8_t)gen_num(l, "tos", 0);
		put16(p + 2, gen_num(l, "len", rest));
		put16(p + 4, gen_num(l, "id", 1));
		put16(p + 6, gen_num(l, "df", 0) << 14 | gen_num(l, "mf", 0) << 13 |
			     gen_num(l, "frag", 0));
		p[8] = (uint8_t)gen_num(l, "ttl", 64);
		p[9] = (uint8_t)gen_num(l, "proto", next_proto(pkt, i));
		copy_value(p + 12, l, "src", ip4_src, 4);
		copy_value(p + 16, l, "dst", ip4_dst, 4);
		v = gen_value(l, "opts");
		if (v)
			memcpy(p + 20, v->bytes, v->len);
		break;
	case GEN_IPV6:
		put32(p, gen_num(l, "version", 6) << 28 | gen_num(l, "tc", 0) << 20 |
			 gen_num(l, "label", 0));
		put16(p + 4, gen_num(l, "plen", rest - 40));
		p[6] = (uint8_t)gen_num(l, "nh", next_proto(pkt, i));
		p[7] = (uint8_t)gen_num(l, "hlim", 64);
		copy_value(p + 8, l, "src", ip6_src, 16);
		copy_value(p + 24, l, "dst", ip6_dst, 16);
		break;
	case GEN_HBH:
	case GEN_DSTOPT:
		p[0] = (uint8_t)gen_num(l, "nh", next_proto(pkt, i));
		p[1] = (uint8_t)gen_num(l, "len", 0);
		/* PadN filling the rest (RFC 8200 4.2) */
		p[2] = 1;
		p[3] = (uint8_t)(l->hlen - 4);
		break;
	case GEN_RT:
		p[0] = (uint8_t)gen_num(l, "nh", next_proto(pkt, i));
		p[1] = (uint8_t)gen_num(l, "len", 0);
		p[2] = (uint8_t)gen_num(l, "type", 0);
		p[3] = (uint8_t)gen_num(l, "segleft", 0);
		break;
	case GEN_FRAG:
		p[0] = (uint8_t)gen_num(l, "nh", next_proto(pkt, i));
		put16(p + 2, gen_num(l, "offset", 0) << 3 | gen_num(l, "m", 0));
		put32(p + 4, gen_num(l, "id", 1));
		break;
	case GEN_TCP:
		put16(p, gen_num(l, "sport", 49152));
		put16(p + 2, gen_num(l, "dport", 80));
		put32(p + 4, gen_num(l, "seq", 1));
		put32(p + 8, gen_num(l, "ack", 0));
		p[12] = (uint8_t)(gen_num(l, "doff", l->hlen / 4) << 4);
		p[13] = (uint8_t)gen_num(l, "flags", 0x02);	/* SYN */
		put16(p + 14, gen_num(l, "win", 65535));
		v = gen_value(l, "opts");
		if (v)
			memcpy(p + 20, v->bytes, v->len);
		break;
	case GEN_UDP:
		put16(p, gen_num(l, "sport", 49152));
		put16(p + 2, gen_num(l, "dport",
				     next_type(pkt, i) == GEN_VXLAN ? 4789 :
				     next_type(pkt, i) == GEN_GENEVE ? 6081 : 5001));
		put16(p + 4, gen_num(l, "len", rest));
		break;
	case GEN_UDPLITE:
		put16(p, gen_num(l, "sport", 49152));
		put16(p + 2, gen_num(l, "dport", 5001));
		put16(p + 4, gen_num(l, "cscov", 0));
		break;
	case GEN_SCTP:
		put16(p, gen_num(l, "sport", 49152));
		put16(p + 2, gen_num(l, "dport", 2905));
		put32(p + 4, gen_num(l, "vtag", 1));
		break;
	case GEN_DCCP:
		put16(p, gen_num(l, "sport", 49152));
		put16(p + 2, gen_num(l, "dport", 5001));
		p[4] = (uint8_t)(l->hlen / 4);
		p[8] = (uint8_t)(gen_num(l, "type", 2) << 1 | gen_num(l, "x", 1));
		break;
	case GEN_ICMP:
	case GEN_ICMPV6:
		p[0] = (uint8_t)gen_num(l, "type",
					l->type->type == GEN_ICMP ? 8 : 128);
		p[1] = (uint8_t)gen_num(l, "code", 0);
		put16(p + 4, gen_num(l, "id", 1));
		put16(p + 6, gen_num(l, "seq", 1));
		break;
	case GEN_GRE: {
		uint32_t off = 4;
		uint64_t proto = next_type(pkt, i) == GEN_ETH ? 0x6558 :
				 next_ethertype(pkt, i);

		put16(p, gen_num(l, "c", 0) << 15 | gen_num(l, "r", 0) << 14 |
			 (gen_value(l, "key") ? 1u : 0u) << 13 |
			 (gen_value(l, "seq") ? 1u : 0u) << 12 |
			 gen_num(l, "version", 0));
		put16(p + 2, gen_num(l, "proto", proto));
		if (gen_num(l, "c", 0))
			off += 4;	/* checksum, filled later */
		if (gen_value(l, "key")) {
			put32(p + off, gen_num(l, "key", 0));
			off += 4;
		}
		if (gen_value(l, "seq"))
			put32(p + off, gen_num(l, "seq", 0));
		break;
	}
	case GEN_NVGRE:
		put16(p, 0x2000);	/* K */
		put16(p + 2, 0x6558);
		put32(p + 4, gen_num(l, "vsid", 1) << 8 | gen_num(l, "flowid", 0));
		break;
	case GEN_VXLAN:
		p[0] = (uint8_t)gen_num(l, "flags", 0x08);
		put32(p + 4, gen_num(l, "vni", 1) << 8);
		break;
	case GEN_GENEVE:
		v = gen_value(l, "opts");
		p[0] = (uint8_t)(gen_num(l, "version", 0) << 6 |
				 (v ? pad4(v->len) / 4 : 0));
		put16(p + 2, gen_num(l, "proto",
				     next_type(pkt, i) == GEN_ETH ? 0x6558 :
				     next_ethertype(pkt, i)));
		put32(p + 4, gen_num(l, "vni", 1) << 8);
		if (v)
			memcpy(p + 8, v->bytes, v->len);
		break;
	case GEN_PAYLOAD:
		v = gen_value(l, "hex");
		if (v)
			memcpy(p, v->bytes, v->len);
		else	/* a fixed pattern, so captures are reproducible */
			for (uint32_t k = 0; k < l->hlen; k++)
				p[k] = (uint8_t)(k * 7 + 1);
		break;
	}
}

static void write_checksum(struct gen_packet *pkt, size_t i)
{
	struct gen_layer *l = &pkt->layers[i];
	uint8_t *p = pkt->bytes + l->off;
	uint16_t c;

	switch (l->type->type) {
	case GEN_IPV4:
		put16(p + 10, gen_num(l, "csum", fold(sum16(p, l->hlen, 0))));
		break;
	case GEN_TCP:
		put16(p + 16, gen_num(l, "csum", l4_checksum(pkt, i, 6, 0)));
		break;
	case GEN_UDP:
		c = l4_checksum(pkt, i, 17, 0);
		put16(p + 6, gen_num(l, "csum", c ? c : 0xffff));
		break;
	case GEN_UDPLITE:
		c = l4_checksum(pkt, i, 136, (uint32_t)gen_num(l, "cscov", 0));
		put16(p + 6, gen_num(l, "csum", c ? c : 0xffff));
		break;
	case GEN_DCCP:
		put16(p + 6, gen_num(l, "csum", l4_checksum(pkt, i, 33, 0)));
		break;
	case GEN_ICMPV6:
		put16(p + 2, gen_num(l, "csum", l4_checksum(pkt, i, 58, 0)));
		break;
	case GEN_ICMP:
		put16(p + 2, gen_num(l, "csum",
				     fold(sum16(p, pkt->len - l->off, 0))));
		break;
	case GEN_SCTP: {
		uint32_t crc = crc32c(p, pkt->len - l->off);

		crc = (uint32_t)gen_num(l, "csum", crc);
		/* the CRC goes on the wire least significant byte first */
		p[8] = (uint8_t)crc;
		p[9] = (uint8_t)(crc >> 8);
		p[10] = (uint8_t)(crc >> 16);
		p[11] = (uint8_t)(crc >> 24);
		break;
	}
	case GEN_GRE:
		if (gen_num(l, "c", 0))
			put16(p + 4, fold(sum16(p, pkt->len - l->off, 0)));
		break;
	default:
		break;
	}
}

int gen_build(struct gen_packet *pkt, char *err, size_t err_size)
{
	uint32_t off = 0;
	uint64_t trunc = 0;

	pkt->expect = GEN_EXPECT_AUTO;
	pkt->iface = 0;
	for (size_t i = 0; i < pkt->n_layers; i++) {
		struct gen_layer *l = &pkt->layers[i];

		if (l->type->type == GEN_FRAME) {
			trunc = gen_num(l, "trunc", 0);
			pkt->expect = (enum gen_expect)gen_num(l, "expect",
							       GEN_EXPECT_AUTO);
			pkt->iface = (uint32_t)gen_num(l, "iface", 0);
		}
		l->off = off;
		l->hlen = header_len(l);
		off += l->hlen;
		if (off > GEN_FRAME_MAX) {
			snprintf(err, err_size, "%u: the packet passes %d bytes",
				 l->column, GEN_FRAME_MAX);
			return -EINVAL;
		}
	}
	memset(pkt->bytes, 0, off);
	pkt->len = off;
	for (size_t i = 0; i < pkt->n_layers; i++)
		write_header(pkt, i);
	for (size_t i = pkt->n_layers; i-- > 0;)
		write_checksum(pkt, i);
	if (trunc && trunc < pkt->len)
		pkt->len = (uint32_t)trunc;
	return 0;
}
