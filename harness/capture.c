// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Captures in, Ethernet frames out (see capture.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>

#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>

#include "capture.h"

#define ETH_HLEN_ 14u
#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu

/*
 * How the link-layer header in front of a packet names its protocol.
 * Returns the EtherType and sets *hlen, or 0 when the packet cannot be
 * mapped (reason in @why).
 */
typedef uint16_t (*link_map_fn)(const uint8_t *p, uint32_t len,
				uint32_t *hlen, char *why, size_t why_size);

struct capture {
	pcap_t *pcap;
	uint64_t size;		/* of the file, for progress */
	int dlt;
	link_map_fn map;	/* NULL: frames are Ethernet already */
	uint32_t index;
	uint8_t buf[ETH_HLEN_ + CAPTURE_KEEP_MAX];
};

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

static const struct {
	int dlt;
	link_map_fn map;
} link_maps[] = {
	{ DLT_EN10MB, NULL },
	{ DLT_RAW, map_raw },
	{ DLT_IPV4, map_ipv4 },
	{ DLT_IPV6, map_ipv6 },
	{ DLT_LINUX_SLL, map_sll },
	{ DLT_LINUX_SLL2, map_sll2 },
	{ DLT_NULL, map_null },
	{ DLT_LOOP, map_loop },
};

int capture_open(const char *path, struct capture **out, char *err,
		 size_t err_size)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *cap;
	struct stat st;
	size_t i;

	if (stat(path, &st)) {
		snprintf(err, err_size, "%s", strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, err_size, "is a directory, not a capture");
		return -EISDIR;
	}
	cap = calloc(1, sizeof(*cap));
	if (!cap)
		return -ENOMEM;
	cap->size = (uint64_t)st.st_size;
	cap->pcap = pcap_open_offline(path, errbuf);
	if (!cap->pcap) {
		snprintf(err, err_size, "not a readable pcap or pcapng file: %s",
			 errbuf);
		free(cap);
		return -EINVAL;
	}
	cap->dlt = pcap_datalink(cap->pcap);
	for (i = 0; i < sizeof(link_maps) / sizeof(link_maps[0]); i++)
		if (link_maps[i].dlt == cap->dlt)
			break;
	if (i == sizeof(link_maps) / sizeof(link_maps[0])) {
		const char *name = pcap_datalink_val_to_name(cap->dlt);

		snprintf(err, err_size,
			 "link type %d (%s) not supported: fdtest reads Ethernet, RAW, IPV4, IPV6, LINUX_SLL, LINUX_SLL2, NULL and LOOP",
			 cap->dlt, name ? name : "unknown");
		capture_close(cap);
		return -EINVAL;
	}
	cap->map = link_maps[i].map;
	*out = cap;
	return 0;
}

const char *capture_linktype(const struct capture *cap)
{
	const char *name = pcap_datalink_val_to_name(cap->dlt);

	return name ? name : "unknown";
}

bool capture_synthesizes(const struct capture *cap)
{
	return cap->map != NULL;
}

/* Puts a made-up Ethernet header in front of the packet, in cap->buf. */
static int synthesize(struct capture *cap, const uint8_t *p, uint32_t len,
		      struct capture_frame *frame, char *why, size_t why_size)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint32_t hlen = 0;
	uint16_t type;
	uint32_t body;

	type = cap->map(p, len, &hlen, why, why_size);
	if (!type)
		return CAPTURE_SKIP;
	p += hlen;
	len -= hlen;
	if (len == 0) {
		snprintf(why, why_size, "nothing after the link-layer header");
		return CAPTURE_SKIP;
	}
	body = len < CAPTURE_KEEP_MAX - ETH_HLEN_ ? len :
		CAPTURE_KEEP_MAX - ETH_HLEN_;
	memcpy(cap->buf, macs, sizeof(macs));
	cap->buf[12] = (uint8_t)(type >> 8);
	cap->buf[13] = (uint8_t)type;
	memcpy(cap->buf + ETH_HLEN_, p, body);
	frame->data = cap->buf;
	frame->len = ETH_HLEN_ + body;
	frame->caplen = ETH_HLEN_ + len;
	frame->wire_len = frame->wire_len - hlen + ETH_HLEN_;
	return CAPTURE_FRAME;
}

int capture_next(struct capture *cap, struct capture_frame *frame,
		 char *why, size_t why_size)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int ret;

	ret = pcap_next_ex(cap->pcap, &hdr, &data);
	if (ret == PCAP_ERROR_BREAK)
		return CAPTURE_END;
	if (ret != 1) {
		snprintf(why, why_size, "frame %u: %s", cap->index + 1,
			 pcap_geterr(cap->pcap));
		return -EIO;
	}
	memset(frame, 0, sizeof(*frame));
	frame->index = ++cap->index;
	frame->wire_len = hdr->len;
	if (cap->map) {
		ret = synthesize(cap, data, hdr->caplen, frame, why, why_size);
		if (ret != CAPTURE_FRAME)
			return ret;
	} else {
		frame->data = data;
		frame->caplen = hdr->caplen;
		frame->len = hdr->caplen < CAPTURE_KEEP_MAX ? hdr->caplen :
							      CAPTURE_KEEP_MAX;
	}
	if (frame->len < ETH_HLEN_) {
		snprintf(why, why_size,
			 "%u bytes, shorter than an Ethernet header (14)",
			 frame->len);
		return CAPTURE_SKIP;
	}
	return CAPTURE_FRAME;
}

void capture_position(const struct capture *cap, uint64_t *done,
		      uint64_t *total)
{
	FILE *f = pcap_file(cap->pcap);
	long pos = f ? ftell(f) : -1;

	*done = pos > 0 ? (uint64_t)pos : 0;
	*total = cap->size;
}

void capture_close(struct capture *cap)
{
	if (!cap)
		return;
	if (cap->pcap)
		pcap_close(cap->pcap);
	free(cap);
}
