// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* pcapng, block by block, every interface its own link type (pcapng.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcapng.h"

/* Block types (the pcapng specification, draft-ietf-opsawg-pcapng) */
#define NG_SHB		0x0a0d0d0au	/* the same either way round */
#define NG_IDB		0x00000001u
#define NG_OPB		0x00000002u	/* obsolete packet block */
#define NG_SPB		0x00000003u
#define NG_EPB		0x00000006u
#define NG_BOM		0x1a2b3c4du

/* Fixed fields before the packet data, after type and length */
#define IDB_FIXED	8u
#define EPB_FIXED	20u
#define OPB_FIXED	20u
#define SPB_FIXED	4u
#define SHB_FIXED	16u	/* BOM, version, section length */

struct iface {
	uint16_t linktype;
	uint32_t snaplen;
};

struct pcapng {
	FILE *file;
	bool swap;		/* the section is in the other byte order */
	bool started;		/* a section header was read */
	struct iface *ifaces;
	uint32_t n_ifaces;
	uint32_t ifaces_size;
	uint8_t *body;		/* a block bar type, length, trailer */
	size_t body_size;
	uint64_t offset;	/* of the current block, for messages */
};

static uint32_t get32(const struct pcapng *ng, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ng->swap ? __builtin_bswap32(v) : v;
}

static uint16_t get16(const struct pcapng *ng, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return ng->swap ? __builtin_bswap16(v) : v;
}

/* Reads exactly @n bytes: 1, 0 at a clean end (none read), -EINVAL cut. */
static int read_exact(struct pcapng *ng, void *buf, size_t n, bool may_end,
		      char *err, size_t err_size)
{
	size_t got = fread(buf, 1, n, ng->file);

	if (got == n)
		return 1;
	if (ferror(ng->file)) {
		int e = errno ? errno : EIO;

		snprintf(err, err_size, "byte %llu: %s",
			 (unsigned long long)ng->offset, strerror(e));
		return -e;
	}
	if (got == 0 && may_end)
		return 0;
	snprintf(err, err_size, "block at byte %llu: the file ends inside it",
		 (unsigned long long)ng->offset);
	return -EINVAL;
}

/*
 * Reads the next block into ng->body: 1 with its type and body length,
 * 0 at the end of the file, or a negative errno. A section header sets
 * the byte order before its length can be read.
 */
static int read_block(struct pcapng *ng, uint32_t *type, size_t *body_len,
		      char *err, size_t err_size)
{
	uint8_t head[12], tail[4];
	size_t have = 8;
	uint32_t len;
	long pos = ftell(ng->file);
	int ret;

	ng->offset = pos >= 0 ? (uint64_t)pos : ng->offset;
	ret = read_exact(ng, head, 8, true, err, err_size);
	if (ret <= 0)
		return ret;
	memcpy(type, head, 4);
	if (*type == NG_SHB) {
		ret = read_exact(ng, head + 8, 4, false, err, err_size);
		if (ret < 0)
			return ret;
		have = 12;
		memcpy(&len, head + 8, 4);
		if (len != NG_BOM && len != __builtin_bswap32(NG_BOM)) {
			snprintf(err, err_size,
				 "section header at byte %llu: byte-order magic 0x%08x is neither order of 0x1a2b3c4d",
				 (unsigned long long)ng->offset, len);
			return -EINVAL;
		}
		ng->swap = len != NG_BOM;
		ng->started = true;
		ng->n_ifaces = 0;	/* each section has its own */
	} else if (!ng->started) {
		snprintf(err, err_size, "no section header at the start");
		return -EINVAL;
	}
	*type = get32(ng, head);
	len = get32(ng, head + 4);
	if (len < have + 4 || len % 4 || len > PCAPNG_BLOCK_MAX) {
		snprintf(err, err_size,
			 "block at byte %llu: length %u is %s",
			 (unsigned long long)ng->offset, len,
			 len > PCAPNG_BLOCK_MAX ? "more than 16 MiB" :
			 len % 4 ? "not a multiple of 4" : "too short");
		return -EINVAL;
	}
	*body_len = len - 12;
	if (*body_len > ng->body_size || !ng->body) {
		size_t size = *body_len > 256 ? *body_len : 256;
		uint8_t *bigger = realloc(ng->body, size);

		if (!bigger)
			return -ENOMEM;
		ng->body = bigger;
		ng->body_size = size;
	}
	/* the section header's BOM is part of its body */
	if (have == 12)
		memcpy(ng->body, head + 8, 4);
	ret = read_exact(ng, ng->body + (have - 8), *body_len - (have - 8),
			 false, err, err_size);
	ret = ret < 0 ? ret : read_exact(ng, tail, 4, false, err, err_size);
	if (ret < 0)
		return ret;
	if (get32(ng, tail) != len) {
		snprintf(err, err_size,
			 "block at byte %llu: length %u at its start, %u at its end",
			 (unsigned long long)ng->offset, len, get32(ng, tail));
		return -EINVAL;
	}
	return 1;
}

static int add_iface(struct pcapng *ng, size_t body_len, char *err,
		     size_t err_size)
{
	struct iface *grown;

	if (body_len < IDB_FIXED || ng->n_ifaces == PCAPNG_IFACES_MAX) {
		snprintf(err, err_size,
			 "interface description at byte %llu: %s",
			 (unsigned long long)ng->offset,
			 body_len < IDB_FIXED ? "too short" :
			 "more than 65536 interfaces in one section");
		return -EINVAL;
	}
	if (ng->n_ifaces == ng->ifaces_size) {
		uint32_t size = ng->ifaces_size ? 2 * ng->ifaces_size : 8;

		grown = realloc(ng->ifaces, size * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		ng->ifaces = grown;
		ng->ifaces_size = size;
	}
	ng->ifaces[ng->n_ifaces].linktype = get16(ng, ng->body);
	ng->ifaces[ng->n_ifaces].snaplen = get32(ng, ng->body + 4);
	ng->n_ifaces++;
	return 0;
}

/*
 * Fills @pkt from a packet block: @iface, and the captured and wire
 * lengths at @lens (caplen, len) or, for a simple packet block, from the
 * wire length and the interface's snap length. -EINVAL when the block
 * cannot hold what it says.
 */
static int take_packet(struct pcapng *ng, uint32_t type, size_t body_len,
		       struct pcapng_packet *pkt, char *err, size_t err_size)
{
	size_t fixed = type == NG_SPB ? SPB_FIXED :
		       type == NG_EPB ? EPB_FIXED : OPB_FIXED;
	const char *what = "";

	if (body_len < fixed) {
		what = "too short for its fields";
		goto bad;
	}
	if (type == NG_SPB) {
		pkt->iface = 0;
		pkt->len = get32(ng, ng->body);
		pkt->caplen = pkt->len;
	} else {
		pkt->iface = type == NG_EPB ? get32(ng, ng->body) :
					      get16(ng, ng->body);
		pkt->caplen = get32(ng, ng->body + 12);
		pkt->len = get32(ng, ng->body + 16);
	}
	if (pkt->iface >= ng->n_ifaces) {
		what = "its interface has no description before it";
		goto bad;
	}
	if (type == NG_SPB) {
		uint32_t snap = ng->ifaces[0].snaplen;

		/* the data fills the block, padded: the wire length says */
		if (snap && pkt->caplen > snap)
			pkt->caplen = snap;
		if (pkt->caplen > body_len - fixed)
			pkt->caplen = (uint32_t)(body_len - fixed);
	} else if (pkt->caplen > body_len - fixed) {
		what = "its captured length runs past the block";
		goto bad;
	}
	pkt->data = ng->body + fixed;
	pkt->linktype = ng->ifaces[pkt->iface].linktype;
	return 1;

bad:
	snprintf(err, err_size, "packet block at byte %llu: %s",
		 (unsigned long long)ng->offset, what);
	return -EINVAL;
}

int pcapng_next(struct pcapng *ng, struct pcapng_packet *pkt, char *err,
		size_t err_size)
{
	uint32_t type;
	size_t body_len;
	int ret;

	for (;;) {
		ret = read_block(ng, &type, &body_len, err, err_size);
		if (ret <= 0)
			return ret;
		switch (type) {
		case NG_SHB:
			if (body_len < SHB_FIXED ||
			    get16(ng, ng->body + 4) != 1) {
				snprintf(err, err_size,
					 "section header at byte %llu: not pcapng version 1",
					 (unsigned long long)ng->offset);
				return -EINVAL;
			}
			break;
		case NG_IDB:
			ret = add_iface(ng, body_len, err, err_size);
			if (ret)
				return ret;
			break;
		case NG_EPB:
		case NG_SPB:
		case NG_OPB:
			return take_packet(ng, type, body_len, pkt, err,
					   err_size);
		}
	}
}

int pcapng_open(FILE *f, struct pcapng **out, char *err, size_t err_size)
{
	struct pcapng *ng = calloc(1, sizeof(*ng));

	if (!ng) {
		fclose(f);
		snprintf(err, err_size, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ng->file = f;
	*out = ng;
	return 0;
}

uint32_t pcapng_ifaces(const struct pcapng *ng)
{
	return ng->n_ifaces;
}

uint16_t pcapng_iface_linktype(const struct pcapng *ng, uint32_t iface)
{
	return iface < ng->n_ifaces ? ng->ifaces[iface].linktype : 0;
}

bool pcapng_swapped(const struct pcapng *ng)
{
	return ng->swap;
}

FILE *pcapng_file(const struct pcapng *ng)
{
	return ng->file;
}

void pcapng_close(struct pcapng *ng)
{
	if (!ng)
		return;
	if (ng->file)
		fclose(ng->file);
	free(ng->ifaces);
	free(ng->body);
	free(ng);
}
