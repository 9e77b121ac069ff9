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
#include <pcap/dlt.h>

#include "gen.h"
#include "gen_pcap.h"

#define GEN_EPOCH 1704067200	/* 2024-01-01T00:00:00Z */
#define LINK_HDR_MAX 20

struct gen_pcap {
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	enum gen_linktype link;
	uint32_t frames;
	char *path;
	char *tmp;
	uint8_t buf[LINK_HDR_MAX + GEN_FRAME_MAX];
};

static const struct {
	const char *name;
	int dlt;
} links[] = {
	[GEN_LINK_ETH] = { "eth", DLT_EN10MB },
	[GEN_LINK_RAW] = { "raw", DLT_RAW },
	[GEN_LINK_SLL] = { "sll", DLT_LINUX_SLL },
	[GEN_LINK_SLL2] = { "sll2", DLT_LINUX_SLL2 },
	[GEN_LINK_NULL] = { "null", DLT_NULL },
};

int gen_linktype_parse(const char *name, enum gen_linktype *out)
{
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (strcmp(name, links[i].name) == 0) {
			*out = (enum gen_linktype)i;
			return 0;
		}
	}
	return -EINVAL;
}

int gen_pcap_open(const char *path, enum gen_linktype link,
		  struct gen_pcap **out, char *err, size_t err_size)
{
	struct gen_pcap *g = calloc(1, sizeof(*g));
	int fd;

	if (!g)
		return -ENOMEM;
	g->link = link;
	g->path = strdup(path);
	if (!g->path || asprintf(&g->tmp, "%s.tmp.XXXXXX", path) < 0) {
		g->tmp = NULL;
		gen_pcap_abort(g);
		return -ENOMEM;
	}
	/* mkstemp reserves a name no one else writes to */
	fd = mkstemp(g->tmp);
	if (fd < 0) {
		snprintf(err, err_size, "%s", strerror(errno));
		free(g->tmp);
		g->tmp = NULL;
		gen_pcap_abort(g);
		return -EIO;
	}
	/* an ordinary file in the tree, not mkstemp's 0600 */
	fchmod(fd, 0644);
	close(fd);
	g->pcap = pcap_open_dead(links[link].dlt, 65535);
	g->dumper = g->pcap ? pcap_dump_open(g->pcap, g->tmp) : NULL;
	if (!g->dumper) {
		snprintf(err, err_size, "%s",
			 g->pcap ? pcap_geterr(g->pcap) : "out of memory");
		gen_pcap_abort(g);
		return -EIO;
	}
	*out = g;
	return 0;
}

/* The link-layer header in front of an IP packet; its length. */
static uint32_t link_header(const struct gen_pcap *g, uint8_t *p,
			    uint16_t type)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };

	switch (g->link) {
	case GEN_LINK_SLL:	/* sent by us, ARPHRD_ETHER */
		memset(p, 0, 16);
		p[1] = 4;
		p[3] = 1;
		p[5] = 6;
		memcpy(p + 6, mac, 6);
		p[14] = (uint8_t)(type >> 8);
		p[15] = (uint8_t)type;
		return 16;
	case GEN_LINK_SLL2:
		memset(p, 0, 20);
		p[0] = (uint8_t)(type >> 8);
		p[1] = (uint8_t)type;
		p[7] = 1;	/* ifindex */
		p[9] = 1;	/* ARPHRD_ETHER */
		p[10] = 4;	/* outgoing */
		p[11] = 6;
		memcpy(p + 12, mac, 6);
		return 20;
	case GEN_LINK_NULL: {
		/* host order of the writer: little endian, Darwin's AF_INET6 */
		uint32_t af = type == 0x86dd ? 30 : 2;

		p[0] = (uint8_t)af;
		p[1] = p[2] = p[3] = 0;
		return 4;
	}
	default:
		return 0;
	}
}

int gen_pcap_add(struct gen_pcap *g, const uint8_t *data, uint32_t len,
		 uint16_t ethertype)
{
	struct pcap_pkthdr hdr = { 0 };
	uint32_t hlen = link_header(g, g->buf, ethertype);

	if (len > GEN_FRAME_MAX)
		return -E2BIG;
	memcpy(g->buf + hlen, data, len);
	hdr.ts.tv_sec = GEN_EPOCH + g->frames++;
	hdr.caplen = hdr.len = hlen + len;
	pcap_dump((u_char *)g->dumper, &hdr, g->buf);
	return 0;
}

int gen_pcap_commit(struct gen_pcap *g)
{
	int ret = 0;

	if (pcap_dump_flush(g->dumper))
		ret = -EIO;
	pcap_dump_close(g->dumper);
	g->dumper = NULL;
	if (!ret && rename(g->tmp, g->path))
		ret = -errno;
	gen_pcap_abort(g);
	return ret;
}

void gen_pcap_abort(struct gen_pcap *g)
{
	if (!g)
		return;
	if (g->dumper)
		pcap_dump_close(g->dumper);
	if (g->pcap)
		pcap_close(g->pcap);
	if (g->tmp)
		unlink(g->tmp);	/* after commit it is gone already */
	free(g->tmp);
	free(g->path);
	free(g);
}
