// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fdtest gen: writing the capture (see gen_pcap.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>

#include "gen/gen.h"
#include "gen/gen_pcap.h"
#include "util/atomic_file.h"

#define GEN_EPOCH 1704067200	/* 2024-01-01T00:00:00Z */
#define GEN_SNAPLEN 65535

/* pcapng block types and the byte-order magic (pcapng draft, 4.1-4.3) */
#define NG_SHB		0x0a0d0d0a
#define NG_IDB		0x00000001
#define NG_EPB		0x00000006
#define NG_BOM		0x1a2b3c4d

struct gen_pcap {
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	FILE *ng;			/* pcapng, written here */
	uint32_t ng_ifaces;		/* interfaces described so far */
	const struct linktype *link;
	uint32_t frames;
	struct atomic_file *af;		/* the file; ng is its stream */
	uint8_t buf[LINKTYPE_HEADER_MAX + GEN_FRAME_MAX];
	/* an enhanced packet block's body: 20 bytes, the frame, padding */
	uint8_t ng_body[20 + LINKTYPE_HEADER_MAX + GEN_FRAME_MAX + 3];
};

int gen_format_parse(const char *name, enum gen_format *out)
{
	if (strcmp(name, "pcap") == 0)
		*out = GEN_FORMAT_PCAP;
	else if (strcmp(name, "pcapng") == 0)
		*out = GEN_FORMAT_PCAPNG;
	else
		return -EINVAL;
	return 0;
}

/* pcapng is written little endian, whatever the host, so it is stable. */
static void put_le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v);
	put_le16(p + 2, v >> 16);
}

/* Writes a block around @body_len bytes of @body (a multiple of 4). */
static int ng_block(struct gen_pcap *g, uint32_t type, const uint8_t *body,
		    uint32_t body_len)
{
	uint8_t head[8], tail[4];
	uint32_t total = body_len + 12;

	put_le32(head, type);
	put_le32(head + 4, total);
	put_le32(tail, total);
	errno = 0;
	if (fwrite(head, sizeof(head), 1, g->ng) != 1 ||
	    (body_len && fwrite(body, body_len, 1, g->ng) != 1) ||
	    fwrite(tail, sizeof(tail), 1, g->ng) != 1)
		return errno ? -errno : -EIO;
	return 0;
}

static int ng_section(struct gen_pcap *g)
{
	uint8_t shb[16];

	put_le32(shb, NG_BOM);
	put_le16(shb + 4, 1);		/* version 1.0 */
	put_le16(shb + 6, 0);
	memset(shb + 8, 0xff, 8);	/* section length: not given */
	return ng_block(g, NG_SHB, shb, sizeof(shb));
}

/* Describes interfaces up to @iface, each before its first packet. */
static int ng_interfaces(struct gen_pcap *g, uint32_t iface)
{
	uint8_t idb[8];
	int ret;

	for (; g->ng_ifaces <= iface; g->ng_ifaces++) {
		put_le16(idb, (uint32_t)g->link->dlt);
		put_le16(idb + 2, 0);
		put_le32(idb + 4, GEN_SNAPLEN);
		ret = ng_block(g, NG_IDB, idb, sizeof(idb));
		if (ret)
			return ret;
	}
	return 0;
}

static int ng_packet(struct gen_pcap *g, uint32_t iface, uint64_t usec,
		     uint32_t len)
{
	uint8_t *body = g->ng_body;
	uint32_t padded = (len + 3) & ~3u;
	int ret = ng_interfaces(g, iface);

	if (ret)
		return ret;
	put_le32(body, iface);
	put_le32(body + 4, (uint32_t)(usec >> 32));
	put_le32(body + 8, (uint32_t)usec);
	put_le32(body + 12, len);
	put_le32(body + 16, len);
	memcpy(body + 20, g->buf, len);
	memset(body + 20 + len, 0, padded - len);
	return ng_block(g, NG_EPB, body, 20 + padded);
}

int gen_pcap_open(const char *path, const struct linktype *link,
		  enum gen_format format, struct gen_pcap **out, char *err,
		  size_t err_size)
{
	struct gen_pcap *g = calloc(1, sizeof(*g));
	FILE *dump;
	int ret;

	if (!g) {
		snprintf(err, err_size, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	g->link = link;
	ret = atomic_file_open(path, &g->af, err, err_size);
	if (ret) {
		free(g);
		return ret;
	}
	if (format == GEN_FORMAT_PCAPNG) {
		g->ng = atomic_file_stream(g->af);
		if (ng_section(g)) {
			snprintf(err, err_size, "%s", strerror(EIO));
			gen_pcap_abort(g);
			return -EIO;
		}
		*out = g;
		return 0;
	}
	/* libpcap closes the stream it writes: give it one of its own */
	ret = dup(fileno(atomic_file_stream(g->af)));
	dump = ret >= 0 ? fdopen(ret, "wb") : NULL;
	if (!dump && ret >= 0)
		close(ret);
	g->pcap = pcap_open_dead(link->dlt, GEN_SNAPLEN);
	g->dumper = g->pcap && dump ? pcap_dump_fopen(g->pcap, dump) : NULL;
	if (!g->dumper) {
		snprintf(err, err_size, "%s",
			 g->pcap && dump ? pcap_geterr(g->pcap) :
					   strerror(ENOMEM));
		if (dump)
			fclose(dump);
		gen_pcap_abort(g);
		return -EIO;
	}
	*out = g;
	return 0;
}

int gen_pcap_add(struct gen_pcap *g, const uint8_t *data, uint32_t len,
		 uint16_t ethertype, uint32_t iface)
{
	struct pcap_pkthdr hdr = { 0 };
	uint32_t hlen = g->link->header ?
			g->link->header(g->buf, ethertype) : 0;

	if (len > GEN_FRAME_MAX)
		return -E2BIG;
	memcpy(g->buf + hlen, data, len);
	if (g->ng)
		return ng_packet(g, iface,
				 (uint64_t)(GEN_EPOCH + g->frames++) * 1000000,
				 hlen + len);
	if (iface)
		return -EINVAL;
	hdr.ts.tv_sec = GEN_EPOCH + g->frames++;
	hdr.caplen = hdr.len = hlen + len;
	/* pcap_dump() returns nothing: a failed write shows in its FILE */
	errno = 0;
	pcap_dump((u_char *)g->dumper, &hdr, g->buf);
	if (ferror(pcap_dump_file(g->dumper)))
		return errno ? -errno : -EIO;
	return 0;
}

struct atomic_file *gen_pcap_finish(struct gen_pcap *g)
{
	struct atomic_file *af = g->af;
	int ret = 0;

	if (g->dumper) {
		errno = 0;
		if (pcap_dump_flush(g->dumper) ||
		    ferror(pcap_dump_file(g->dumper)))
			ret = errno ? -errno : -EIO;
		pcap_dump_close(g->dumper);
		g->dumper = NULL;
	} else {
		errno = 0;
		if (fflush(g->ng) || ferror(g->ng))
			ret = errno ? -errno : -EIO;
	}
	g->ng = NULL;
	g->af = NULL;
	gen_pcap_abort(g);
	if (ret) {
		atomic_file_abort(af);
		errno = -ret;
		return NULL;
	}
	return af;
}

void gen_pcap_abort(struct gen_pcap *g)
{
	if (!g)
		return;
	if (g->dumper)
		pcap_dump_close(g->dumper);
	if (g->pcap)
		pcap_close(g->pcap);
	atomic_file_abort(g->af);	/* closes g->ng, its stream */
	free(g);
}
