/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The link types fdtest knows, one row each, shared by the capture reader
 * (capture.c), which maps each to Ethernet, and the generator
 * (gen/gen_pcap.c), which writes the ones that have a header builder.
 * Frames the reader maps get a made-up Ethernet header; packets the
 * generator writes start at their IP header, the link-layer header in
 * front made by the row.
 */
#ifndef FDTEST_LINKTYPE_H
#define FDTEST_LINKTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DLT_EN10MB: the same number on every system and in every file. */
#define LINKTYPE_ETHERNET 1

/* The longest link-layer header a row writes (cooked v2). */
#define LINKTYPE_HEADER_MAX 20u

/*
 * How the link-layer header in front of a packet names its protocol.
 * Returns the EtherType and sets *hlen, or 0 when the packet cannot be
 * mapped (reason in @why).
 */
typedef uint16_t (*linktype_to_eth_fn)(const uint8_t *p, uint32_t len,
				       uint32_t *hlen, char *why,
				       size_t why_size);

/*
 * Writes the link-layer header of a packet of @ethertype (IPv4 or IPv6)
 * at @p, at most LINKTYPE_HEADER_MAX bytes; returns its length.
 */
typedef uint32_t (*linktype_header_fn)(uint8_t *p, uint16_t ethertype);

struct linktype {
	int dlt;			/* libpcap's DLT_ value */
	const char *name;		/* in the reader's list of types */
	linktype_to_eth_fn to_eth;	/* NULL: frames are Ethernet already */
	/* fdtest gen --linktype NAME; NULL: the generator does not write it */
	const char *gen_name;
	linktype_header_fn header;	/* NULL: no header to write */
	/*
	 * Its fields are in the capturing host's byte order, which libpcap
	 * makes ours: fdtest's own pcapng reader cannot read it from a
	 * host of the other order.
	 */
	bool host_order;
};

/* The row of @dlt, or NULL. */
const struct linktype *linktype_by_dlt(int dlt);

/* The row the generator writes as @name ("eth", "raw", ...), or NULL. */
const struct linktype *linktype_by_gen_name(const char *name);

/* True when frames of @lt are Ethernet as they are read. */
static inline bool linktype_is_ethernet(const struct linktype *lt)
{
	return !lt->to_eth;
}

/*
 * Files hold LINKTYPE_ values, which are the DLT_ values but for a few
 * that differ between systems; of those fdtest maps, only raw IP.
 * libpcap translates the files it reads; a pcapng read on our own is
 * translated here. Returns the DLT_ value of file value @linktype.
 */
int linktype_from_file(int linktype);

/*
 * The names of the link types read (@gen false: "Ethernet, RAW, ...") or
 * written (@gen true: "eth, raw, ..."), the last one after @last ("and",
 * "or"), into @buf; cut to @size.
 */
void linktype_names(char *buf, size_t size, bool gen, const char *last);

/* The rows, for tests that walk them all. */
extern const struct linktype linktypes[];
extern const size_t linktypes_count;

#endif /* FDTEST_LINKTYPE_H */
