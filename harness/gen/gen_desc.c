// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fdtest gen: the layer table and the description parser (see gen.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "gen/gen.h"
#include "util/fdtest.h"

#define END { NULL, 0, 0, NULL }
#define NUM(n, max) { n, GEN_KIND_NUM, max, NULL }

static const struct gen_field frame_fields[] = {
	NUM("trunc", GEN_FRAME_MAX),
	{ "expect", GEN_KIND_WORD, 0, "ok|drop|none" },
	NUM("iface", GEN_IFACES_MAX - 1), END,
};
static const struct gen_field eth_fields[] = {
	{ "dst", GEN_KIND_MAC, 0, NULL }, { "src", GEN_KIND_MAC, 0, NULL },
	NUM("type", 0xffff), END,
};
static const struct gen_field vlan_fields[] = {
	NUM("vid", 4095), NUM("pcp", 7), NUM("dei", 1), NUM("tpid", 0xffff),
	NUM("type", 0xffff), END,
};
static const struct gen_field mpls_fields[] = {
	NUM("label", 0xfffff), NUM("tc", 7), NUM("s", 1), NUM("ttl", 255), END,
};
static const struct gen_field pppoe_fields[] = {
	NUM("session", 0xffff), NUM("code", 0xff), NUM("vertype", 0xff),
	NUM("len", 0xffff), NUM("proto", 0xffff), END,
};
static const struct gen_field ipv4_fields[] = {
	{ "src", GEN_KIND_IPV4, 0, NULL }, { "dst", GEN_KIND_IPV4, 0, NULL },
	NUM("proto", 255), NUM("ttl", 255), NUM("tos", 255), NUM("id", 0xffff),
	NUM("frag", 0x1fff), NUM("mf", 1), NUM("df", 1), NUM("ihl", 15),
	NUM("len", 0xffff), NUM("version", 15), NUM("csum", 0xffff),
	{ "opts", GEN_KIND_HEX, 0, NULL }, END,
};
static const struct gen_field ipv6_fields[] = {
	{ "src", GEN_KIND_IPV6, 0, NULL }, { "dst", GEN_KIND_IPV6, 0, NULL },
	NUM("nh", 255), NUM("hlim", 255), NUM("label", 0xfffff), NUM("tc", 255),
	NUM("plen", 0xffff), NUM("version", 15), END,
};
static const struct gen_field opts_fields[] = {
	NUM("nh", 255), NUM("len", 255), END,
};
static const struct gen_field rt_fields[] = {
	NUM("nh", 255), NUM("len", 255), NUM("type", 255), NUM("segleft", 255),
	END,
};
static const struct gen_field frag_fields[] = {
	NUM("nh", 255), NUM("offset", 0x1fff), NUM("m", 1),
	NUM("id", 0xffffffff), END,
};
static const struct gen_field tcp_fields[] = {
	NUM("sport", 0xffff), NUM("dport", 0xffff), NUM("seq", 0xffffffff),
	NUM("ack", 0xffffffff), NUM("flags", 0xff), NUM("win", 0xffff),
	NUM("doff", 15), NUM("csum", 0xffff), { "opts", GEN_KIND_HEX, 0, NULL }, END,
};
static const struct gen_field udp_fields[] = {
	NUM("sport", 0xffff), NUM("dport", 0xffff), NUM("len", 0xffff),
	NUM("csum", 0xffff), END,
};
static const struct gen_field udplite_fields[] = {
	NUM("sport", 0xffff), NUM("dport", 0xffff), NUM("cscov", 0xffff),
	NUM("csum", 0xffff), END,
};
static const struct gen_field sctp_fields[] = {
	NUM("sport", 0xffff), NUM("dport", 0xffff), NUM("vtag", 0xffffffff),
	NUM("csum", 0xffffffff), END,
};
static const struct gen_field dccp_fields[] = {
	NUM("sport", 0xffff), NUM("dport", 0xffff), NUM("x", 1),
	NUM("type", 15), NUM("csum", 0xffff), END,
};
static const struct gen_field icmp_fields[] = {
	NUM("type", 255), NUM("code", 255), NUM("id", 0xffff),
	NUM("seq", 0xffff), NUM("csum", 0xffff), END,
};
static const struct gen_field gre_fields[] = {
	NUM("proto", 0xffff), NUM("c", 1), NUM("key", 0xffffffff),
	NUM("seq", 0xffffffff), NUM("version", 7), NUM("r", 1), END,
};
static const struct gen_field nvgre_fields[] = {
	NUM("vsid", 0xffffff), NUM("flowid", 0xff), END,
};
static const struct gen_field vxlan_fields[] = {
	NUM("vni", 0xffffff), NUM("flags", 0xff), END,
};
static const struct gen_field geneve_fields[] = {
	NUM("vni", 0xffffff), NUM("proto", 0xffff), NUM("version", 3),
	{ "opts", GEN_KIND_HEX, 0, NULL }, END,
};
static const struct gen_field payload_fields[] = {
	NUM("len", 4096), { "hex", GEN_KIND_HEX, 0, NULL }, END,
};

const struct gen_layer_type gen_layer_types[] = {
	{ "frame", GEN_FRAME, frame_fields,
	  "whole-packet settings, first if at all: trunc=N cuts the frame, expect=ok|drop|none states the answer (default: derived), iface=N is the pcapng interface" },
	{ "eth", GEN_ETH, eth_fields, "Ethernet II" },
	{ "vlan", GEN_VLAN, vlan_fields,
	  "802.1Q tag (tpid=0x88a8 for 802.1ad, 0x9100 for old QinQ)" },
	{ "mpls", GEN_MPLS, mpls_fields, "one label stack entry" },
	{ "pppoe", GEN_PPPOE, pppoe_fields, "PPPoE session header and PPP protocol" },
	{ "ipv4", GEN_IPV4, ipv4_fields, "IPv4 (frag in 8-byte units)" },
	{ "ipv6", GEN_IPV6, ipv6_fields, "IPv6" },
	{ "hbh", GEN_HBH, opts_fields, "IPv6 hop-by-hop options (len in 8-byte units past the first 8)" },
	{ "rt", GEN_RT, rt_fields, "IPv6 routing header" },
	{ "dstopt", GEN_DSTOPT, opts_fields, "IPv6 destination options" },
	{ "frag", GEN_FRAG, frag_fields, "IPv6 fragment header (offset in 8-byte units)" },
	{ "tcp", GEN_TCP, tcp_fields, "TCP" },
	{ "udp", GEN_UDP, udp_fields, "UDP (dport follows a vxlan/geneve layer)" },
	{ "udplite", GEN_UDPLITE, udplite_fields, "UDP-Lite" },
	{ "sctp", GEN_SCTP, sctp_fields, "SCTP common header (CRC32c)" },
	{ "dccp", GEN_DCCP, dccp_fields, "DCCP generic header" },
	{ "icmp", GEN_ICMP, icmp_fields, "ICMP (echo request by default)" },
	{ "icmpv6", GEN_ICMPV6, icmp_fields, "ICMPv6 (echo request by default)" },
	{ "gre", GEN_GRE, gre_fields, "GRE: c=1 checksum, key=, seq= add their fields" },
	{ "nvgre", GEN_NVGRE, nvgre_fields, "NVGRE: GRE with key, Ethernet inside" },
	{ "vxlan", GEN_VXLAN, vxlan_fields, "VXLAN (UDP 4789)" },
	{ "geneve", GEN_GENEVE, geneve_fields, "GENEVE (UDP 6081), opts in 4-byte units" },
	{ "payload", GEN_PAYLOAD, payload_fields, "bytes: hex=..., or len=N of a fixed pattern" },
	{ NULL, 0, NULL, NULL },
};

/*
 * Names are looked up by their first letter before the rest: gen_build()
 * asks for each field of each layer by name, and fdtest fuzz builds a
 * packet for every input it makes.
 */
static bool same_name(const char *a, const char *b)
{
	return a[0] == b[0] && strcmp(a, b) == 0;
}

const struct gen_layer_type *gen_layer_type_find(const char *name)
{
	for (const struct gen_layer_type *t = gen_layer_types; t->name; t++)
		if (same_name(t->name, name))
			return t;
	return NULL;
}

static int field_index(const struct gen_layer_type *t, const char *name)
{
	for (int i = 0; t->fields[i].name; i++)
		if (same_name(t->fields[i].name, name))
			return i;
	return -1;
}

const struct gen_value *gen_value(const struct gen_layer *l,
				  const char *name)
{
	int i = field_index(l->type, name);

	return i >= 0 && l->values[i].set ? &l->values[i] : NULL;
}

uint64_t gen_num(const struct gen_layer *l, const char *name, uint64_t dflt)
{
	const struct gen_value *v = gen_value(l, name);

	return v ? v->num : dflt;
}

static int parse_hex(const char *s, struct gen_value *v)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > GEN_BYTES_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]))
			return -EINVAL;
		sscanf(s + 2 * i, "%2hhx", &v->bytes[i]);
	}
	v->len = (uint8_t)(n / 2);
	return 0;
}

static int parse_mac(const char *s, struct gen_value *v)
{
	unsigned int b[6];
	int used = 0;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &used) != 6 || s[used])
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		v->bytes[i] = (uint8_t)b[i];
	v->len = 6;
	return 0;
}

static int parse_value(const struct gen_field *f, const char *s,
		       struct gen_value *v)
{
	switch (f->kind) {
	case GEN_KIND_NUM:
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		return fdtest_parse_uint(s, 0, f->max, &v->num);
	case GEN_KIND_MAC:
		return parse_mac(s, v);
	case GEN_KIND_IPV4:
		v->len = 4;
		return inet_pton(AF_INET, s, v->bytes) == 1 ? 0 : -EINVAL;
	case GEN_KIND_IPV6:
		v->len = 16;
		return inet_pton(AF_INET6, s, v->bytes) == 1 ? 0 : -EINVAL;
	case GEN_KIND_HEX:
		return parse_hex(s, v);
	case GEN_KIND_WORD: {
		const char *w = f->words;
		size_t n = strlen(s);

		for (v->num = 0; w; v->num++) {
			const char *bar = strchr(w, '|');
			size_t len = bar ? (size_t)(bar - w) : strlen(w);

			if (len == n && strncmp(w, s, n) == 0)
				return 0;
			w = bar ? bar + 1 : NULL;
		}
		return -EINVAL;
	}
	}
	return -EINVAL;
}

static const char *kind_text(const struct gen_field *f, char *buf,
			     size_t size)
{
	switch (f->kind) {
	case GEN_KIND_NUM:
		snprintf(buf, size, "a number 0..%llu",
			 (unsigned long long)f->max);
		break;
	case GEN_KIND_MAC:
		snprintf(buf, size, "a MAC address like 02:00:00:00:00:01");
		break;
	case GEN_KIND_IPV4:
		snprintf(buf, size, "an IPv4 address");
		break;
	case GEN_KIND_IPV6:
		snprintf(buf, size, "an IPv6 address");
		break;
	case GEN_KIND_HEX:
		snprintf(buf, size, "hex bytes, at most %d", GEN_BYTES_MAX);
		break;
	case GEN_KIND_WORD:
		snprintf(buf, size, "one of %s", f->words);
		break;
	}
	return buf;
}

/* One "key=value" word of layer @l at @col. */
static int parse_field(struct gen_layer *l, char *word, unsigned int col,
		       char *err, size_t err_size)
{
	char *eq = strchr(word, '=');
	char want[64];
	int i;

	if (!eq || eq == word) {
		snprintf(err, err_size, "%u: expected key=value, got '%s'",
			 col, word);
		return -EINVAL;
	}
	*eq = '\0';
	i = field_index(l->type, word);
	if (i < 0) {
		snprintf(err, err_size, "%u: unknown field '%s' in layer '%s'",
			 col, word, l->type->name);
		return -EINVAL;
	}
	if (l->values[i].set) {
		snprintf(err, err_size, "%u: field '%s' given twice", col, word);
		return -EINVAL;
	}
	if (parse_value(&l->type->fields[i], eq + 1, &l->values[i])) {
		snprintf(err, err_size, "%u: field '%s' wants %s, not '%s'",
			 col, word, kind_text(&l->type->fields[i], want,
					      sizeof(want)), eq + 1);
		return -EINVAL;
	}
	l->values[i].set = true;
	return 0;
}

/* Blanks, '/' and '#' end a word, as does the line's end. */
static bool ends_word(char c)
{
	switch (c) {
	case '\0': case ' ': case '\t': case '\r': case '\n': case '/':
	case '#':
		return true;
	default:
		return false;
	}
}

int gen_parse_line(const char *line, unsigned int line_no,
		   struct gen_packet *pkt, char *err, size_t err_size)
{
	char buf[1024];
	size_t i = 0;
	bool need_layer = true;
	struct gen_layer *l = NULL;

	/*
	 * A packet is mostly room (40 KiB of layers and bytes): each layer
	 * is cleared as it is added, and gen_build() clears the bytes it
	 * uses. fdtest fuzz parses a line for every input it makes.
	 */
	pkt->line = line_no;
	pkt->n_layers = 0;
	pkt->len = 0;
	pkt->expect = GEN_EXPECT_AUTO;
	pkt->iface = 0;
	snprintf(buf, sizeof(buf), "%s", line);
	if (strlen(line) >= sizeof(buf)) {
		snprintf(err, err_size, "1: line longer than %zu characters",
			 sizeof(buf) - 1);
		return -EINVAL;
	}
	for (;;) {
		size_t start;

		while (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
		       buf[i] == '\n')
			i++;
		if (buf[i] == '\0' || buf[i] == '#')
			break;
		if (buf[i] == '/') {
			if (need_layer) {
				snprintf(err, err_size,
					 "%zu: a layer is missing before '/'",
					 i + 1);
				return -EINVAL;
			}
			need_layer = true;
			i++;
			continue;
		}
		start = i;
		while (!ends_word(buf[i]))
			i++;
		{
			char saved = buf[i];
			int ret = 0;

			buf[i] = '\0';
			if (need_layer) {
				const struct gen_layer_type *t =
					gen_layer_type_find(buf + start);

				if (!t) {
					snprintf(err, err_size,
						 "%zu: unknown layer '%s'",
						 start + 1, buf + start);
					return -EINVAL;
				}
				if (t->type == GEN_FRAME && pkt->n_layers) {
					snprintf(err, err_size,
						 "%zu: 'frame' must come first",
						 start + 1);
					return -EINVAL;
				}
				if (pkt->n_layers == GEN_LAYERS_MAX) {
					snprintf(err, err_size,
						 "%zu: more than %d layers",
						 start + 1, GEN_LAYERS_MAX);
					return -EINVAL;
				}
				l = &pkt->layers[pkt->n_layers++];
				memset(l, 0, sizeof(*l));
				l->type = t;
				l->column = (unsigned int)start + 1;
				need_layer = false;
			} else {
				ret = parse_field(l, buf + start,
						  (unsigned int)start + 1, err,
						  err_size);
			}
			buf[i] = saved;
			if (ret)
				return ret;
		}
	}
	if (pkt->n_layers == 0)
		return 0;
	if (need_layer) {
		snprintf(err, err_size, "%zu: a layer is missing after '/'",
			 i + 1);
		return -EINVAL;
	}
	return 1;
}
