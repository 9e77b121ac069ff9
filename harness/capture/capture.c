// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Captures in, Ethernet frames out (see capture.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>

#include "capture/capture.h"
#include "capture/pcapng.h"
#include "util/input_file.h"
#include "util/sha256.h"

#define ETH_HLEN_ 14u
#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_MPLS_UC 0x8847u
#define ETHERTYPE_MPLS_MC 0x8848u

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
	char *iobuf;		/* the stream's buffer, freed after it */
	/*
	 * What to read again from the start when libpcap refuses a pcapng
	 * whose interfaces differ in link type (pcapng.h): the file's path,
	 * or the bytes in memory; neither for standard input.
	 */
	char *path;
	const void *mem;
	size_t mem_size;
	struct pcapng *ng;	/* reading on our own from here on */
	char linktypes[160];	/* capture_linktype() of such a file */
	char sha256[SHA256_HEX_LEN + 1];	/* standard input's; "" */
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

static const struct {
	int dlt;
	link_map_fn map;
	const char *name;	/* as the refusal lists it */
} link_maps[] = {
	{ DLT_EN10MB, NULL, "Ethernet" },
	{ DLT_RAW, map_raw, "RAW" },
	{ DLT_IPV4, map_ipv4, "IPV4" },
	{ DLT_IPV6, map_ipv6, "IPV6" },
	{ DLT_LINUX_SLL, map_sll, "LINUX_SLL" },
	{ DLT_LINUX_SLL2, map_sll2, "LINUX_SLL2" },
	{ DLT_NULL, map_null, "NULL" },
	{ DLT_LOOP, map_loop, "LOOP" },
	{ DLT_PPP, map_ppp, "PPP" },
	{ DLT_PPP_SERIAL, map_ppp, "PPP_SERIAL" },
	{ DLT_NFLOG, map_nflog, "NFLOG" },
};

#define N_LINK_MAPS (sizeof(link_maps) / sizeof(link_maps[0]))

/*
 * Files hold LINKTYPE_ values, which are the DLT_ values but for a few
 * that differ between systems; of those fdtest maps, only raw IP:
 * LINKTYPE_RAW is 101 and DLT_RAW 12 on Linux. libpcap translates the
 * files it reads; a pcapng read on our own is translated here.
 */
#define LINKTYPE_RAW_ 101

static int linktype_to_dlt(int linktype)
{
	return linktype == LINKTYPE_RAW_ ? DLT_RAW : linktype;
}

/* The row of link_maps[] for @dlt, or -1. */
static int link_map_find(int dlt)
{
	for (size_t i = 0; i < N_LINK_MAPS; i++)
		if (link_maps[i].dlt == dlt)
			return (int)i;
	return -1;
}

/* Picks the link-layer map of an opened capture; a reason on refusal. */
static int capture_setup(struct capture *cap, char *err, size_t err_size)
{
	const char *name;
	size_t used;
	size_t i;

	cap->dlt = pcap_datalink(cap->pcap);
	if (link_map_find(cap->dlt) >= 0) {
		cap->map = link_maps[link_map_find(cap->dlt)].map;
		return 0;
	}
	name = pcap_datalink_val_to_name(cap->dlt);
	used = (size_t)snprintf(err, err_size,
				"link type %d (%s) not supported: fdtest reads",
				cap->dlt, name ? name : "unknown");
	for (i = 0; i < N_LINK_MAPS && used < err_size; i++)
		used += (size_t)snprintf(err + used, err_size - used, "%s %s",
					 i ? (i + 1 == N_LINK_MAPS ? " and" : ",")
					   : "",
					 link_maps[i].name);
	return -EINVAL;
}

/*
 * Hands @cap to @out once libpcap opened it, or frees it: a NULL pcap
 * means libpcap refused the file for the reason in @errbuf.
 */
static int capture_finish(struct capture *cap, const char *errbuf,
			  struct capture **out, char *err, size_t err_size)
{
	int ret;

	if (!cap->pcap) {
		snprintf(err, err_size, "not a readable pcap or pcapng file: %s",
			 errbuf);
		free(cap->path);
		free(cap);
		return -EINVAL;
	}
	ret = capture_setup(cap, err, err_size);
	if (ret) {
		capture_close(cap);
		return ret;
	}
	*out = cap;
	return 0;
}

#define CAPTURE_READ_BUF (256u << 10)

/* Hands @f to libpcap, which owns it from then on, and finishes @cap. */
static int capture_fopen(struct capture *cap, FILE *f, char *errbuf,
			 struct capture **out, char *err, size_t err_size)
{
	cap->pcap = pcap_fopen_offline(f, errbuf);
	/* pcap_fopen_offline() leaves @f to us when it fails */
	if (!cap->pcap) {
		fclose(f);
		free(cap->iobuf);
	}
	return capture_finish(cap, errbuf, out, err, err_size);
}

/*
 * Standard input ('-'), as tcpdump -r - reads it: a pipe, a FIFO or a
 * redirected file, read once as it comes. A terminal holds no capture.
 */
static FILE *open_stdin(struct stat *st, char *err, size_t err_size)
{
	FILE *f;
	int fd;

	if (fstat(STDIN_FILENO, st)) {
		snprintf(err, err_size, "standard input: %s", strerror(errno));
		return NULL;
	}
	if (isatty(STDIN_FILENO)) {
		snprintf(err, err_size,
			 "standard input is a terminal: pipe a capture into it or redirect one");
		return NULL;
	}
	if (S_ISDIR(st->st_mode)) {
		snprintf(err, err_size, "standard input is a directory");
		return NULL;
	}
	/* a stream of our own: closing it leaves fd 0 alone */
	fd = dup(STDIN_FILENO);
	f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (!f) {
		snprintf(err, err_size, "standard input: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return f;
}

/*
 * A golden names the SHA-256 of its capture before the first frame, and
 * standard input is read once: it is copied into an unnamed temporary
 * file (gone when closed), hashed there, and read from its start. Returns
 * that file, with @st its status, or NULL with the reason in @err.
 */
static FILE *spool_stdin(FILE *in, struct stat *st, char sha[65], char *err,
			 size_t err_size)
{
	char buf[65536];
	FILE *f = tmpfile();
	size_t n;
	int ret;

	if (!f) {
		snprintf(err, err_size,
			 "standard input: cannot make a temporary copy: %s",
			 strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, f) != n)
			break;
	if (ferror(in) || ferror(f) || fflush(f)) {
		snprintf(err, err_size, "standard input: %s%s",
			 ferror(in) ? "" : "cannot make a temporary copy: ",
			 strerror(errno ? errno : EIO));
		goto out_close;
	}
	rewind(f);
	ret = sha256_stream(f, sha);
	if (ret) {
		snprintf(err, err_size, "standard input: SHA-256: %s",
			 strerror(-ret));
		goto out_close;
	}
	rewind(f);
	if (fstat(fileno(f), st)) {
		snprintf(err, err_size, "standard input: %s", strerror(errno));
		goto out_close;
	}
	return f;
out_close:
	fclose(f);
	return NULL;
}

/* A file by name, regular. */
static FILE *open_file(const char *path, struct stat *st, char *err,
		       size_t err_size, int *ret)
{
	const char *kind;
	FILE *f;

	f = input_file_open(path, st, &kind);
	if (!f) {
		*ret = errno == ENOENT || errno == EISDIR ? -errno : -EINVAL;
		if (kind && S_ISFIFO(st->st_mode))
			snprintf(err, err_size,
				 "is a FIFO or pipe, not a capture file: feed it to fdtest as standard input ('-')");
		else if (kind)
			snprintf(err, err_size, "is %s, not a capture file",
				 kind);
		else if (errno == ENOENT)
			snprintf(err, err_size, "%s", strerror(errno));
		else
			snprintf(err, err_size, "cannot read it: %s",
				 strerror(errno));
		return NULL;
	}
	return f;
}

/* True for a file with no bytes; a /proc file says 0 and has some. */
static bool is_empty(FILE *f, const struct stat *st)
{
	int c;

	if (!S_ISREG(st->st_mode) || st->st_size)
		return false;
	c = getc(f);
	if (c == EOF)
		return true;
	ungetc(c, f);
	return false;
}

int capture_open(const char *path, struct capture **out, char *err,
		 size_t err_size)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *cap;
	struct stat st;
	int ret = -EINVAL;
	FILE *f;

	cap = calloc(1, sizeof(*cap));
	if (!cap)
		return -ENOMEM;
	/* bad input, not a refusal of the machine: -EINVAL, not -EACCES */
	if (strcmp(path, "-") == 0) {
		FILE *in = open_stdin(&st, err, err_size);

		f = in ? spool_stdin(in, &st, cap->sha256, err, err_size) :
			 NULL;
		if (in)
			fclose(in);
	} else {
		f = open_file(path, &st, err, err_size, &ret);
	}
	if (!f) {
		free(cap);
		return ret;
	}
	cap->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	if (strcmp(path, "-") != 0 && !(cap->path = strdup(path))) {
		fclose(f);
		free(cap);
		return -ENOMEM;
	}
	/*
	 * libpcap reads a record at a time through stdio, whose default
	 * buffer makes that a read(2) per 4 KiB of a capture that may be
	 * gigabytes: larger reads, and no less streaming.
	 */
	cap->iobuf = malloc(CAPTURE_READ_BUF);
	if (cap->iobuf)
		setvbuf(f, cap->iobuf, _IOFBF, CAPTURE_READ_BUF);
	if (is_empty(f, &st)) {
		snprintf(err, err_size,
			 "empty file (0 bytes): not a pcap or pcapng capture");
		fclose(f);
		free(cap->iobuf);
		free(cap->path);
		free(cap);
		return -EINVAL;
	}
	return capture_fopen(cap, f, errbuf, out, err, err_size);
}

int capture_open_mem(const void *data, size_t size, struct capture **out,
		     char *err, size_t err_size)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *cap;
	FILE *f;
	int ret;

	if (size == 0) {
		snprintf(err, err_size, "empty (0 bytes)");
		return -EINVAL;
	}
	cap = calloc(1, sizeof(*cap));
	if (!cap)
		return -ENOMEM;
	cap->size = size;
	cap->mem = data;
	cap->mem_size = size;
	/* libpcap only reads: the cast is fmemopen's, not a write */
	f = fmemopen((void *)data, size, "rb");
	if (!f) {
		ret = -errno;
		snprintf(err, err_size, "fmemopen: %s", strerror(errno));
		free(cap);
		return ret;
	}
	return capture_fopen(cap, f, errbuf, out, err, err_size);
}

/* "by interface: EN10MB, NULL, EN10MB", cut with "..." past the buffer. */
static const char *ng_linktypes(struct capture *cap)
{
	size_t size = sizeof(cap->linktypes), used;
	uint32_t n = pcapng_ifaces(cap->ng);

	used = (size_t)snprintf(cap->linktypes, size, "by interface:");
	for (uint32_t i = 0; i < n; i++) {
		int dlt = linktype_to_dlt(pcapng_iface_linktype(cap->ng, i));
		const char *name = pcap_datalink_val_to_name(dlt);
		char one[48];
		size_t len;

		len = (size_t)snprintf(one, sizeof(one), "%s %s",
				       i ? "," : "", name ? name : "unknown");
		if (used + len + 5 > size) {
			snprintf(cap->linktypes + used, size - used, ", ...");
			break;
		}
		memcpy(cap->linktypes + used, one, len + 1);
		used += len;
	}
	return cap->linktypes;
}

const char *capture_linktype(const struct capture *cap)
{
	const char *name;

	if (cap->ng)
		return ng_linktypes((struct capture *)cap);
	name = pcap_datalink_val_to_name(cap->dlt);
	return name ? name : "unknown";
}

bool capture_synthesizes(const struct capture *cap)
{
	if (cap->ng) {
		for (uint32_t i = 0; i < pcapng_ifaces(cap->ng); i++) {
			int lt = pcapng_iface_linktype(cap->ng, i);

			if (linktype_to_dlt(lt) != DLT_EN10MB)
				return true;
		}
		return false;
	}
	return cap->map != NULL;
}

/* Puts a made-up Ethernet header in front of the packet, in cap->buf. */
static int synthesize(struct capture *cap, link_map_fn map, const uint8_t *p,
		      uint32_t len, struct capture_frame *frame, char *why,
		      size_t why_size)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint32_t hlen = 0;
	uint16_t type;
	uint32_t body;

	type = map(p, len, &hlen, why, why_size);
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

/* One packet of @caplen bytes at @data, through @map (NULL: Ethernet). */
static int deliver(struct capture *cap, link_map_fn map, const uint8_t *data,
		   uint32_t caplen, uint32_t wire_len,
		   struct capture_frame *frame, char *why, size_t why_size)
{
	int ret;

	memset(frame, 0, sizeof(*frame));
	frame->index = ++cap->index;
	frame->wire_len = wire_len;
	if (map) {
		ret = synthesize(cap, map, data, caplen, frame, why, why_size);
		if (ret != CAPTURE_FRAME)
			return ret;
	} else {
		frame->data = data;
		frame->caplen = caplen;
		frame->len = caplen < CAPTURE_KEEP_MAX ? caplen :
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

/*
 * The next packet of a file read on our own: each by the link type of
 * its interface, mapped to Ethernet as a whole file of that type is. A
 * packet on an interface of a type fdtest cannot map is skipped.
 */
static int next_ng(struct capture *cap, struct capture_frame *frame,
		   char *why, size_t why_size)
{
	struct pcapng_packet pkt;
	char msg[200];
	const char *name;
	int ret, i, dlt;

	ret = pcapng_next(cap->ng, &pkt, msg, sizeof(msg));
	if (ret == 0)
		return CAPTURE_END;
	if (ret < 0) {
		snprintf(why, why_size, "frame %u: %s", cap->index + 1, msg);
		return -EIO;
	}
	dlt = linktype_to_dlt(pkt.linktype);
	i = link_map_find(dlt);
	if (i < 0) {
		memset(frame, 0, sizeof(*frame));
		frame->index = ++cap->index;
		name = pcap_datalink_val_to_name(dlt);
		snprintf(why, why_size,
			 "interface %u: link type %d (%s) not supported",
			 pkt.iface, dlt, name ? name : "unknown");
		return CAPTURE_SKIP;
	}
	/* its TLVs are in the capturing host's order, which map_nflog()
	 * expects libpcap to have made ours */
	if (dlt == DLT_NFLOG && pcapng_swapped(cap->ng)) {
		memset(frame, 0, sizeof(*frame));
		frame->index = ++cap->index;
		snprintf(why, why_size,
			 "interface %u: NFLOG from a host of the other byte order is not read",
			 pkt.iface);
		return CAPTURE_SKIP;
	}
	return deliver(cap, link_maps[i].map, pkt.data, pkt.caplen, pkt.len,
		       frame, why, why_size);
}

/*
 * libpcap gives one link type per file and stops at an interface of
 * another. Such a file is read again from its start with the reader of
 * pcapng.h, past the frames libpcap already gave. Standard input cannot
 * be read again.
 */
static int switch_to_ng(struct capture *cap, char *why, size_t why_size)
{
	struct pcapng_packet pkt;
	char msg[200];
	FILE *f;
	int ret;

	if (cap->path)
		f = input_file_open(cap->path, NULL, NULL);
	else if (cap->mem)
		/* read only: the cast is fmemopen's, not a write */
		f = fmemopen((void *)cap->mem, cap->mem_size, "rb");
	else {
		snprintf(why, why_size,
			 "frame %u: the pcapng file has interfaces of different link types, which fdtest reads from a file by name, not from standard input: save it and name it",
			 cap->index + 1);
		return -EIO;
	}
	if (!f) {
		ret = -errno;
		snprintf(why, why_size, "frame %u: reading it again: %s",
			 cap->index + 1, strerror(errno));
		return ret;
	}
	pcap_close(cap->pcap);	/* and its stream, which used iobuf */
	cap->pcap = NULL;
	if (cap->iobuf)
		setvbuf(f, cap->iobuf, _IOFBF, CAPTURE_READ_BUF);
	ret = pcapng_open(f, &cap->ng, msg, sizeof(msg));
	for (uint32_t i = 0; !ret && i < cap->index; i++) {
		ret = pcapng_next(cap->ng, &pkt, msg, sizeof(msg));
		if (ret == 0) {
			snprintf(msg, sizeof(msg), "it has fewer frames now");
			ret = -EIO;
		}
		ret = ret < 0 ? ret : 0;
	}
	if (ret)
		snprintf(why, why_size, "frame %u: reading it again: %s",
			 cap->index + 1, msg);
	return ret;
}

int capture_next(struct capture *cap, struct capture_frame *frame,
		 char *why, size_t why_size)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	const char *msg;
	int ret;

	if (cap->ng)
		return next_ng(cap, frame, why, why_size);
	ret = pcap_next_ex(cap->pcap, &hdr, &data);
	if (ret == PCAP_ERROR_BREAK)
		return CAPTURE_END;
	if (ret != 1) {
		msg = pcap_geterr(cap->pcap);
		/* pcapng: an IDB whose link type is not the first one's */
		if (strstr(msg, "different from the type of the first interface")) {
			ret = switch_to_ng(cap, why, why_size);
			return ret ? ret : next_ng(cap, frame, why, why_size);
		}
		snprintf(why, why_size, "frame %u: %s", cap->index + 1, msg);
		return -EIO;
	}
	return deliver(cap, cap->map, data, hdr->caplen, hdr->len, frame, why,
		       why_size);
}

void capture_position(const struct capture *cap, uint64_t *done,
		      uint64_t *total)
{
	FILE *f = cap->ng ? pcapng_file(cap->ng) : pcap_file(cap->pcap);
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
	pcapng_close(cap->ng);
	free(cap->iobuf);	/* after the stream that used it */
	free(cap->path);
	free(cap);
}

const char *capture_sha256(const struct capture *cap)
{
	return cap->sha256;
}
