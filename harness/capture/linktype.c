// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The link types, read and written (see linktype.h). */
#include <stdio.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture/linktype.h"

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_MPLS_UC 0x8847u
#define ETHERTYPE_MPLS_MC 0x8848u

static uint16_t ip_version_type(const uint8_t *p, uint32_t len, char *why,
				size_t why_size)
{
	if (len < 1) {
		snprintf(why, why_size, "no IP header");
		return 0;
	}
	switch (p[0] >> 4) {
	case 4:
		return ETHERTYPE_IPV4;
	case 6:
		return ETHERTYPE_IPV6;
	}
	snprintf(why, why_size, "IP version %u is neither 4 nor 6", p[0] >> 4);
	return 0;
}

static uint16_t map_raw(const uint8_t *p, uint32_t len, uint32_t *hlen,
			char *why, size_t why_size)
{
	*hlen = 0;
	return ip_version_type(p, len, why, why_size);
}

static uint16_t map_ipv4(const uint8_t *p, uint32_t len, uint32_t *hlen,
			 char *why, size_t why_size)
{
	(void)p; (void)len; (void)why; (void)why_size;
	*hlen = 0;
	return ETHERTYPE_IPV4;
}

static uint16_t map_ipv6(const uint8_t *p, uint32_t len, uint32_t *hlen,
			 char *why, size_t why_size)
{
	(void)p; (void)len; (void)why; (void)why_size;
	*hlen = 0;
	return ETHERTYPE_IPV6;
}

/* SLL protocol values below 0x0600 are Linux's own (802.2, CAN, ...). */
static uint16_t sll_type(uint16_t proto, char *why, size_t why_size)
{
	if (proto < 0x0600) {
		snprintf(why, why_size,
			 "cooked protocol 0x%04x is not an EtherType", proto);
		return 0;
	}
	return proto;
}

/* Linux cooked v1: 16 bytes, protocol at 14 (network order). */
static uint16_t map_sll(const uint8_t *p, uint32_t len, uint32_t *hlen,
			char *why, size_t why_size)
{
	if (len < 16) {
		snprintf(why, why_size, "%u bytes, shorter than a cooked header",
			 len);
		return 0;
	}
	*hlen = 16;
	return sll_type((uint16_t)(p[14] << 8 | p[15]), why, why_size);
}

/* Linux cooked v2: 20 bytes, protocol first. */
static uint16_t map_sll2(const uint8_t *p, uint32_t len, uint32_t *hlen,
			 char *why, size_t why_size)
{
	if (len < 20) {
		snprintf(why, why_size,
			 "%u bytes, shorter than a cooked v2 header", len);
		return 0;
	}
	*hlen = 20;
	return sll_type((uint16_t)(p[0] << 8 | p[1]), why, why_size);
}

/*
 * BSD loopback: a 4-byte address family in the byte order of the machine
 * that captured (NULL) or in network order (LOOP). AF_INET6 differs
 * between systems: 10 Linux, 24 NetBSD/OpenBSD, 28 FreeBSD, 30 Darwin.
 */
static uint16_t loop_type(uint32_t af, char *why, size_t why_size)
{
	switch (af) {
	case 2:
		return ETHERTYPE_IPV4;
	case 10: case 24: case 28: case 30:
		return ETHERTYPE_IPV6;
	}
	snprintf(why, why_size, "address family %u is neither IPv4 nor IPv6",
		 af);
	return 0;
}

static uint16_t map_null(const uint8_t *p, uint32_t len, uint32_t *hlen,
			 char *why, size_t why_size)
{
	uint32_t af;

	if (len < 4) {
		snprintf(why, why_size, "%u bytes, no address family", len);
		return 0;
	}
	*hlen = 4;
	memcpy(&af, p, 4);
	/* families are small: the half that is zero tells the byte order */
	if ((af & 0xffff) == 0)
		af = __builtin_bswap32(af);
	return loop_type(af, why, why_size);
}

static uint16_t map_loop(const uint8_t *p, uint32_t len, uint32_t *hlen,
			 char *why, size_t why_size)
{
	if (len < 4) {
		snprintf(why, why_size, "%u bytes, no address family", len);
		return 0;
	}
	*hlen = 4;
	return loop_type((uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3],
			 why, why_size);
}

/*
 * PPP (RFC 1661): an optional 0xff 0x03 address and control (absent with
 * address-and-control-field compression), then the protocol, one byte
 * when protocol-field compression left the odd low byte alone. Only the
 * protocols that have an EtherType are mapped.
 */
static uint16_t map_ppp(const uint8_t *p, uint32_t len, uint32_t *hlen,
			char *why, size_t why_size)
{
	uint32_t off = 0;
	uint16_t proto;

	if (len >= 2 && p[0] == 0xff && p[1] == 0x03)
		off = 2;
	if (len < off + 1) {
		snprintf(why, why_size, "%u bytes, no PPP protocol", len);
		return 0;
	}
	if (p[off] & 1) {
		proto = p[off];
		off += 1;
	} else if (len >= off + 2) {
		proto = (uint16_t)(p[off] << 8 | p[off + 1]);
		off += 2;
	} else {
		snprintf(why, why_size, "%u bytes, PPP protocol cut short",
			 len);
		return 0;
	}
	*hlen = off;
	switch (proto) {
	case 0x0021:
		return ETHERTYPE_IPV4;
	case 0x0057:
		return ETHERTYPE_IPV6;
	case 0x0281:
		return ETHERTYPE_MPLS_UC;
	case 0x0283:
		return ETHERTYPE_MPLS_MC;
	}
	snprintf(why, why_size, "PPP protocol 0x%04x has no EtherType", proto);
	return 0;
}

/*
 * Linux NFLOG: family, version, resource id (4 bytes), then TLVs of a
 * 16-bit length (including these 4 bytes) and a 16-bit type, each padded
 * to 4 bytes. Lengths and types are in the capturing host's byte order,
 * which libpcap has already turned into ours. The packet is the payload
 * TLV (type 9), starting at its IP header.
 */
#define NFLOG_HDR_LEN 4u
#define NFLOG_TLV_PAYLOAD 9u

static uint16_t map_nflog(const uint8_t *p, uint32_t len, uint32_t *hlen,
			  char *why, size_t why_size)
{
	uint16_t type, tlv_type, tlv_len;
	uint32_t off = NFLOG_HDR_LEN;

	if (len < NFLOG_HDR_LEN) {
		snprintf(why, why_size, "%u bytes, shorter than an NFLOG header",
			 len);
		return 0;
	}
	if (p[0] == 2) {
		type = ETHERTYPE_IPV4;
	} else if (p[0] == 10) {
		type = ETHERTYPE_IPV6;
	} else {
		snprintf(why, why_size,
			 "NFLOG family %u is neither IPv4 (2) nor IPv6 (10)",
			 p[0]);
		return 0;
	}
	while (len - off >= 4) {
		memcpy(&tlv_len, p + off, 2);
		memcpy(&tlv_type, p + off + 2, 2);
		if (tlv_len < 4 || tlv_len > len - off) {
			snprintf(why, why_size,
				 "NFLOG TLV at byte %u: length %u does not fit",
				 off, tlv_len);
			return 0;
		}
		if (tlv_type == NFLOG_TLV_PAYLOAD) {
			*hlen = off + 4;
			return type;
		}
		/* padded to 4; the last TLV may lack its padding */
		off += (tlv_len + 3u) & ~3u;
		if (off > len)
			break;
	}
	snprintf(why, why_size, "NFLOG record without a payload TLV");
	return 0;
}

/* The generator's source MAC in the headers it writes. */
static const uint8_t gen_mac[6] = { 2, 0, 0, 0, 0, 1 };

/* Linux cooked v1, sent by us, ARPHRD_ETHER. */
static uint32_t header_sll(uint8_t *p, uint16_t type)
{
	memset(p, 0, 16);
	p[1] = 4;
	p[3] = 1;
	p[5] = 6;
	memcpy(p + 6, gen_mac, 6);
	p[14] = (uint8_t)(type >> 8);
	p[15] = (uint8_t)type;
	return 16;
}

static uint32_t header_sll2(uint8_t *p, uint16_t type)
{
	memset(p, 0, 20);
	p[0] = (uint8_t)(type >> 8);
	p[1] = (uint8_t)type;
	p[7] = 1;	/* ifindex */
	p[9] = 1;	/* ARPHRD_ETHER */
	p[10] = 4;	/* outgoing */
	p[11] = 6;
	memcpy(p + 12, gen_mac, 6);
	return 20;
}

/* The host order of the writer: little endian, Darwin's AF_INET6. */
static uint32_t header_null(uint8_t *p, uint16_t type)
{
	uint32_t af = type == ETHERTYPE_IPV6 ? 30 : 2;

	p[0] = (uint8_t)af;
	p[1] = p[2] = p[3] = 0;
	return 4;
}

/*
 * One row per link type. The reader lists them in this order when it
 * refuses another, the generator its names in this order.
 */
const struct linktype linktypes[] = {
	/* DLT, name, to Ethernet, gen name, header, host order */
	{ DLT_EN10MB, "Ethernet", NULL, "eth", NULL, false },
	{ DLT_RAW, "RAW", map_raw, "raw", NULL, false },
	{ DLT_IPV4, "IPV4", map_ipv4, NULL, NULL, false },
	{ DLT_IPV6, "IPV6", map_ipv6, NULL, NULL, false },
	{ DLT_LINUX_SLL, "LINUX_SLL", map_sll, "sll", header_sll, false },
	{ DLT_LINUX_SLL2, "LINUX_SLL2", map_sll2, "sll2", header_sll2, false },
	{ DLT_NULL, "NULL", map_null, "null", header_null, false },
	{ DLT_LOOP, "LOOP", map_loop, NULL, NULL, false },
	{ DLT_PPP, "PPP", map_ppp, NULL, NULL, false },
	{ DLT_PPP_SERIAL, "PPP_SERIAL", map_ppp, NULL, NULL, false },
	{ DLT_NFLOG, "NFLOG", map_nflog, NULL, NULL, true },
};

const size_t linktypes_count = sizeof(linktypes) / sizeof(linktypes[0]);

const struct linktype *linktype_by_dlt(int dlt)
{
	for (size_t i = 0; i < linktypes_count; i++)
		if (linktypes[i].dlt == dlt)
			return &linktypes[i];
	return NULL;
}

const struct linktype *linktype_by_gen_name(const char *name)
{
	for (size_t i = 0; i < linktypes_count; i++)
		if (linktypes[i].gen_name &&
		    strcmp(linktypes[i].gen_name, name) == 0)
			return &linktypes[i];
	return NULL;
}

/* LINKTYPE_RAW is 101, DLT_RAW 12 on Linux. */
#define LINKTYPE_RAW_ 101

int linktype_from_file(int linktype)
{
	return linktype == LINKTYPE_RAW_ ? DLT_RAW : linktype;
}

void linktype_names(char *buf, size_t size, bool gen, const char *last)
{
	size_t used = 0, n = 0, total = 0;

	for (size_t i = 0; i < linktypes_count; i++)
		total += !gen || linktypes[i].gen_name;
	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < linktypes_count && used < size; i++) {
		const char *name = gen ? linktypes[i].gen_name :
					 linktypes[i].name;

		if (!name)
			continue;
		n++;
		used += (size_t)snprintf(buf + used, size - used, "%s%s%s%s",
					 n == 1 ? "" : n == total ? " " : ", ",
					 n > 1 && n == total ? last : "",
					 n > 1 && n == total ? " " : "", name);
	}
}
