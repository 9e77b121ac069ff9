/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fdtest gen: the capture written with libpcap, through the atomic
 * writer (atomic_file.h), so a failed run leaves nothing half written. Timestamps are fixed (2024-01-01 plus one second a frame), so
 * the same description always gives the same bytes.
 */
#ifndef FDTEST_GEN_PCAP_H
#define FDTEST_GEN_PCAP_H

#include <stddef.h>
#include <stdint.h>

#include "capture/linktype.h"
#include "util/atomic_file.h"

/*
 * pcap is written by libpcap. libpcap reads pcapng but cannot write it,
 * so pcapng is written here: a section header, an interface description
 * per interface (all of the one link type, each written before its
 * first packet), an enhanced packet block per frame; little endian,
 * microsecond timestamps, no options.
 */
enum gen_format {
	GEN_FORMAT_PCAP,
	GEN_FORMAT_PCAPNG,
};

/* "pcap", "pcapng"; -EINVAL for another name. */
int gen_format_parse(const char *name, enum gen_format *out);

struct gen_pcap;

/*
 * Starts writing @path with link type @link, a row of linktype.h that
 * has a gen_name; 0, or a negative errno with the reason in @err.
 */
int gen_pcap_open(const char *path, const struct linktype *link,
		  enum gen_format format, struct gen_pcap **out, char *err,
		  size_t err_size);
/*
 * Adds a frame seen on interface @iface (pcapng; 0 for pcap). For link
 * types other than Ethernet, @data starts at the IP header and
 * @ethertype names it; the link type's row makes the header in front.
 */
int gen_pcap_add(struct gen_pcap *g, const uint8_t *data, uint32_t len,
		 uint16_t ethertype, uint32_t iface);
/*
 * Writes out what libpcap holds, frees @g and hands over the file, to
 * be committed with the spec (atomic_file_commit_all()). NULL with errno
 * set when writing failed (the file is dropped then).
 */
struct atomic_file *gen_pcap_finish(struct gen_pcap *g);
void gen_pcap_abort(struct gen_pcap *g);	/* NULL is fine */

#endif /* FDTEST_GEN_PCAP_H */
