/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A pcapng reader of fdtest's own, for the files libpcap refuses: those
 * whose interfaces have different link types (a capture on Ethernet and
 * loopback at once, as Wireshark writes it), which libpcap cannot hand
 * out as one pcap_t with one link type. It reads what a packet needs and
 * nothing else: section headers (either byte order, each section with
 * its own interfaces), interface descriptions, enhanced, simple and
 * obsolete packet blocks; other blocks are passed over. Every length is
 * checked against the block holding it, and a block is at most
 * PCAPNG_BLOCK_MAX bytes, so memory stays bounded whatever the file says.
 */
#ifndef FDTEST_PCAPNG_H
#define FDTEST_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* libpcap's bound too: no packet block of a real capture comes near it */
#define PCAPNG_BLOCK_MAX (16u << 20)
/* interfaces of one section */
#define PCAPNG_IFACES_MAX 65536u

struct pcapng;

struct pcapng_packet {
	const uint8_t *data;	/* valid until the next call */
	uint32_t caplen;	/* bytes at data */
	uint32_t len;		/* on the wire */
	uint32_t iface;		/* in its section */
	uint16_t linktype;	/* its interface's LINKTYPE_ value */
};

/*
 * Starts reading @f, which the reader owns from now on (closed by
 * pcapng_close(), or here on failure), at the first section header.
 * Returns 0 or a negative errno with a reason in @err.
 */
int pcapng_open(FILE *f, struct pcapng **out, char *err, size_t err_size);
/*
 * The next packet: 1 with @pkt filled, 0 at the end, or a negative errno
 * with a reason in @err (-EINVAL: the file is malformed there).
 */
int pcapng_next(struct pcapng *ng, struct pcapng_packet *pkt, char *err,
		size_t err_size);
/* Interfaces of the current section, and the LINKTYPE_ value of one. */
uint32_t pcapng_ifaces(const struct pcapng *ng);
uint16_t pcapng_iface_linktype(const struct pcapng *ng, uint32_t iface);
/* True when the current section is in the other byte order. */
bool pcapng_swapped(const struct pcapng *ng);
/* The stream, for its position. */
FILE *pcapng_file(const struct pcapng *ng);
void pcapng_close(struct pcapng *ng);	/* NULL is fine */

#endif /* FDTEST_PCAPNG_H */
