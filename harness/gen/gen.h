/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fdtest gen: packets described as text, one a line, layers separated by
 * '/', fields as key=value:
 *   eth / vlan vid=100 / ipv4 src=10.0.0.1 / udp / vxlan vni=42 / eth / ipv6 / tcp
 * Lengths, checksums and "next protocol" fields follow from the layers
 * unless given. A "frame" layer first sets what the packet as a whole
 * needs: trunc=N cuts it to N bytes, iface=N names the pcapng interface
 * it was seen on, expect=ok|drop|none states what a dissector must answer
 * (ok: the keys the layers imply; drop: BPF_DROP; none: nothing is
 * expected). Without expect= the answer is derived from the layers (see
 * gen_expect.h), and a stated one is checked against that derivation.
 *
 * gen_desc.c parses, gen_build.c makes bytes, gen_expect.c derives the
 * expected keys, gen_pcap.c writes the capture.
 */
#ifndef FDTEST_GEN_H
#define FDTEST_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEN_LAYERS_MAX	24
#define GEN_FIELDS_MAX	16
#define GEN_BYTES_MAX	64	/* hex-valued fields: options, payload */
#define GEN_FRAME_MAX	9000
#define GEN_IFACES_MAX	16	/* pcapng interfaces */

enum gen_kind {
	GEN_KIND_NUM,	/* decimal or 0x hex */
	GEN_KIND_MAC,	/* 02:00:00:00:00:01 */
	GEN_KIND_IPV4,
	GEN_KIND_IPV6,
	GEN_KIND_HEX,	/* bytes as hex digits */
	GEN_KIND_WORD,	/* a word from a list, e.g. expect=drop */
};

struct gen_field {
	const char *name;
	enum gen_kind kind;
	uint64_t max;		/* GEN_KIND_NUM: largest value */
	const char *words;	/* GEN_KIND_WORD: "ok|drop|none" */
};

enum gen_type {
	GEN_FRAME, GEN_ETH, GEN_VLAN, GEN_MPLS, GEN_PPPOE, GEN_IPV4, GEN_IPV6,
	GEN_HBH, GEN_RT, GEN_DSTOPT, GEN_FRAG, GEN_TCP, GEN_UDP, GEN_UDPLITE,
	GEN_SCTP, GEN_DCCP, GEN_ICMP, GEN_ICMPV6, GEN_GRE, GEN_NVGRE,
	GEN_VXLAN, GEN_GENEVE, GEN_PAYLOAD,
};

struct gen_layer_type {
	const char *name;
	enum gen_type type;
	const struct gen_field *fields;
	const char *help;
};

struct gen_value {
	bool set;
	uint64_t num;
	uint8_t bytes[GEN_BYTES_MAX];
	uint8_t len;
};

struct gen_layer {
	const struct gen_layer_type *type;
	unsigned int column;		/* of its name, for messages */
	struct gen_value values[GEN_FIELDS_MAX];
	/* filled by gen_build() */
	uint32_t off;			/* in the frame, from its first byte */
	uint32_t hlen;			/* header bytes */
};

/* The order of the words of frame's expect= field, then the default. */
enum gen_expect {
	GEN_EXPECT_OK,
	GEN_EXPECT_DROP,
	GEN_EXPECT_NONE,
	GEN_EXPECT_AUTO,	/* not stated: derived */
};

struct gen_packet {
	unsigned int line;
	struct gen_layer layers[GEN_LAYERS_MAX];
	size_t n_layers;
	/* filled by gen_build() */
	uint8_t bytes[GEN_FRAME_MAX];
	uint32_t len;
	enum gen_expect expect;
	uint32_t iface;			/* pcapng interface */
};

extern const struct gen_layer_type gen_layer_types[];

/* The layer type called @name, or NULL. */
const struct gen_layer_type *gen_layer_type_find(const char *name);
/* The value of field @name of @l, or NULL when it was not given. */
const struct gen_value *gen_value(const struct gen_layer *l,
				  const char *name);
uint64_t gen_num(const struct gen_layer *l, const char *name, uint64_t dflt);

/*
 * Parses one line into @pkt. Returns 1 for a packet, 0 for a blank or
 * comment line, or -EINVAL with "COLUMN: reason" in @err.
 */
int gen_parse_line(const char *line, unsigned int line_no,
		   struct gen_packet *pkt, char *err, size_t err_size);

/*
 * What names a layer of type @t in the header before it: the IP protocol
 * number (59, no next header, for none), the EtherType of @l (0x88b5, IEEE
 * local experimental, for none; a vlan layer gives its TPID).
 */
uint8_t gen_proto_of(enum gen_type t);
uint16_t gen_ethertype_of(const struct gen_layer *l);

/* Makes the bytes. Returns 0 or -EINVAL with "column N: reason". */
int gen_build(struct gen_packet *pkt, char *err, size_t err_size);

#endif /* FDTEST_GEN_H */
