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

#include "capture/capture.h"
#include "capture/linktype.h"
#include "capture/pcapng.h"
#include "util/fdtest.h"
#include "util/input_file.h"
#include "util/sha256.h"

#define ETH_HLEN_ 14u

struct capture {
	pcap_t *pcap;
	uint64_t size;		/* of the file, for progress */
	int dlt;
	linktype_to_eth_fn map;	/* NULL: frames are Ethernet already */
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

/* Picks the link-layer map of an opened capture; a reason on refusal. */
static int capture_setup(struct capture *cap, char *err, size_t err_size)
{
	const struct linktype *lt;
	const char *name;
	char names[200];

	cap->dlt = pcap_datalink(cap->pcap);
	lt = linktype_by_dlt(cap->dlt);
	if (lt) {
		cap->map = lt->to_eth;
		return 0;
	}
	name = pcap_datalink_val_to_name(cap->dlt);
	linktype_names(names, sizeof(names), false, "and");
	snprintf(err, err_size,
		 "link type %d (%s) not supported: fdtest reads %s", cap->dlt,
		 name ? name : "unknown", names);
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
		int dlt = linktype_from_file(pcapng_iface_linktype(cap->ng, i));
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

			if (linktype_from_file(lt) != LINKTYPE_ETHERNET)
				return true;
		}
		return false;
	}
	return cap->map != NULL;
}

/* Puts a made-up Ethernet header in front of the packet, in cap->buf. */
static int synthesize(struct capture *cap, linktype_to_eth_fn map,
		      const uint8_t *p, uint32_t len,
		      struct capture_frame *frame, char *why, size_t why_size)
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
static int deliver(struct capture *cap, linktype_to_eth_fn map,
		   const uint8_t *data, uint32_t caplen, uint32_t wire_len,
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
	const struct linktype *lt;
	const char *name;
	int ret, dlt;

	ret = pcapng_next(cap->ng, &pkt, msg, sizeof(msg));
	if (ret == 0)
		return CAPTURE_END;
	if (ret < 0) {
		snprintf(why, why_size, "frame %u: %s", cap->index + 1, msg);
		return -EIO;
	}
	dlt = linktype_from_file(pkt.linktype);
	lt = linktype_by_dlt(dlt);
	if (!lt) {
		memset(frame, 0, sizeof(*frame));
		frame->index = ++cap->index;
		name = pcap_datalink_val_to_name(dlt);
		snprintf(why, why_size,
			 "interface %u: link type %d (%s) not supported",
			 pkt.iface, dlt, name ? name : "unknown");
		return CAPTURE_SKIP;
	}
	/* its fields are in the capturing host's order, which its mapping
	 * expects libpcap to have made ours */
	if (lt->host_order && pcapng_swapped(cap->ng)) {
		memset(frame, 0, sizeof(*frame));
		frame->index = ++cap->index;
		snprintf(why, why_size,
			 "interface %u: %s from a host of the other byte order is not read",
			 pkt.iface, lt->name);
		return CAPTURE_SKIP;
	}
	return deliver(cap, lt->to_eth, pkt.data, pkt.caplen, pkt.len, frame,
		       why, why_size);
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

int capture_next_runnable(struct capture *cap, struct capture_frame *frame,
			  uint32_t *len, char *why, size_t why_size)
{
	int ret;

	while ((ret = capture_next(cap, frame, why, why_size)) > 0) {
		*len = frame->len < FDTEST_FRAME_MAX ? frame->len :
						       FDTEST_FRAME_MAX;
		if (ret == CAPTURE_FRAME && *len >= FDTEST_FRAME_MIN)
			return CAPTURE_FRAME;
	}
	return ret;
}
