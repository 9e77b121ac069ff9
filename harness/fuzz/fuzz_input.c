// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest fuzz: inputs. Structure-aware ones are written in the description
 * language and built by gen_build(), so every layer `fdtest gen` knows is
 * reachable and a finding comes with a line a person can read and edit.
 * Byte-level ones mutate frames of the corpus.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fuzz/fuzz.h"

void fuzz_rng_seed(struct fuzz_rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed ^ (stream * 0xd1b54a32d192ed03ull);
	fuzz_rand(r);
}

/* splitmix64: tiny, fast, and one seed gives one sequence everywhere */
uint64_t fuzz_rand(struct fuzz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t fuzz_below(struct fuzz_rng *r, uint32_t n)
{
	return n ? (uint32_t)(fuzz_rand(r) % n) : 0;
}

/* True with probability @percent in 100. */
static bool chance(struct fuzz_rng *r, uint32_t percent)
{
	return fuzz_below(r, 100) < percent;
}

int fuzz_desc_build(const char *desc, struct gen_packet *pkt)
{
	size_t first;
	char err[256];

	if (gen_parse_line(desc, 1, pkt, err, sizeof(err)) != 1 ||
	    gen_build(pkt, err, sizeof(err)))
		return -EINVAL;
	if (pkt->len < FDTEST_FRAME_MIN || pkt->len > FUZZ_INPUT_MAX)
		return -EINVAL;
	/* the bytes go to the kernel as they are: an Ethernet frame */
	first = pkt->layers[0].type->type == GEN_FRAME;
	if (first >= pkt->n_layers ||
	    pkt->layers[first].type->type != GEN_ETH)
		return -EINVAL;
	return 0;
}

/* ---- random layer stacks --------------------------------------------- */

/* A description being written; @over once it no longer fits. */
struct desc {
	char *buf;
	size_t size;
	size_t len;
	unsigned int layers;
	bool over;
};

static void put(struct desc *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(d->buf + d->len, d->size - d->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= d->size - d->len)
		d->over = true;
	else
		d->len += (size_t)n;
}

/*
 * Appends @s. The words and numbers most written go through these three
 * rather than vsnprintf(), several times their cost: the calling thread
 * writes a description for every other input while the test-run threads
 * wait for a slot.
 */
static void put_str(struct desc *d, const char *s)
{
	size_t n = strlen(s);

	if (d->over)
		return;
	if (n >= d->size - d->len) {
		d->over = true;
		return;
	}
	memcpy(d->buf + d->len, s, n + 1);
	d->len += n;
}

/* " name=VALUE", in decimal */
static void put_num(struct desc *d, const char *name, uint64_t v)
{
	char num[24];
	size_t i = sizeof(num);

	num[--i] = '\0';
	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put_str(d, " ");
	put_str(d, name);
	put_str(d, "=");
	put_str(d, num + i);
}

/* A byte as two hex digits */
static void put_hex(struct desc *d, unsigned int byte)
{
	static const char digits[] = "0123456789abcdef";
	char s[3] = { digits[byte >> 4 & 0xf], digits[byte & 0xf], '\0' };

	put_str(d, s);
}

static void layer(struct desc *d, const char *name)
{
	if (d->layers++)
		put_str(d, " / ");
	put_str(d, name);
}

/* A value of a field that is 0..@max: edges more often than the middle. */
static uint64_t edge(struct fuzz_rng *r, uint64_t max)
{
	switch (fuzz_below(r, 6)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return max;
	case 3:
		return max - 1;
	default:
		return fuzz_rand(r) % (max + 1);
	}
}

/* " name=value" with probability @percent, the value an edge of 0..@max */
static void maybe(struct fuzz_rng *r, struct desc *d, uint32_t percent,
		  const char *name, uint64_t max)
{
	if (chance(r, percent))
		put_num(d, name, edge(r, max));
}

/* " name=HEX" of @units units of @unit bytes, random */
static void hex_field(struct fuzz_rng *r, struct desc *d, const char *name,
		      uint32_t units, uint32_t unit)
{
	uint32_t n = units * unit;

	if (!n || n > GEN_BYTES_MAX)
		return;
	put_str(d, " ");
	put_str(d, name);
	put_str(d, "=");
	for (uint32_t i = 0; i < n; i++)
		put_hex(d, chance(r, 50) ? 0 : fuzz_below(r, 256));
}

static void gen_l3(struct fuzz_rng *r, struct desc *d, int depth, bool ip6);

static void gen_ipv4(struct fuzz_rng *r, struct desc *d)
{
	layer(d, "ipv4");
	if (chance(r, 10))
		hex_field(r, d, "opts", 1 + fuzz_below(r, 4), 4);
	maybe(r, d, 8, "ihl", 15);
	maybe(r, d, 4, "version", 15);
	maybe(r, d, 5, "len", 0xffff);
	if (chance(r, 15))
		put_str(d, " mf=1");
	maybe(r, d, 12, "frag", 0x1fff);
	maybe(r, d, 5, "df", 1);
	maybe(r, d, 3, "ttl", 255);
}

static void gen_ipv6(struct fuzz_rng *r, struct desc *d)
{
	static const char *const ext[] = { "hbh", "rt", "dstopt", "frag" };
	uint32_t n_ext = chance(r, 60) ? 0 : 1 + fuzz_below(r, 6);

	/* now and then past the 8 a dissector's loop is likely bounded to */
	if (n_ext && chance(r, 15))
		n_ext = 7 + fuzz_below(r, 4);

	layer(d, "ipv6");
	maybe(r, d, 30, "label", 0xfffff);
	maybe(r, d, 4, "version", 15);
	maybe(r, d, 5, "plen", 0xffff);
	for (uint32_t i = 0; i < n_ext; i++) {
		const char *e = ext[fuzz_below(r, 4)];

		layer(d, e);
		if (strcmp(e, "frag") == 0) {
			maybe(r, d, 40, "offset", 0x1fff);
			maybe(r, d, 40, "m", 1);
		} else {
			maybe(r, d, 20, "len", 3);
			if (strcmp(e, "rt") == 0)
				maybe(r, d, 20, "segleft", 255);
		}
	}
}

static void gen_ports(struct fuzz_rng *r, struct desc *d)
{
	put(d, " sport=%u dport=%u", 1 + fuzz_below(r, 65535),
	    1 + fuzz_below(r, 65535));
}

/* What follows an IP header: transport, tunnel or nothing. */
static void gen_l4(struct fuzz_rng *r, struct desc *d, int depth, bool ip6)
{
	uint32_t pick = fuzz_below(r, 100);

	if (depth > 1 && pick >= 60)
		pick = fuzz_below(r, 60);	/* tunnels two deep at most */
	if (pick < 22) {
		layer(d, "tcp");
		gen_ports(r, d);
		maybe(r, d, 5, "doff", 15);
		if (chance(r, 8))
			hex_field(r, d, "opts", 1 + fuzz_below(r, 3), 4);
	} else if (pick < 44) {
		layer(d, "udp");
		gen_ports(r, d);
		maybe(r, d, 5, "len", 0xffff);
	} else if (pick < 50) {
		layer(d, ip6 ? "icmpv6" : "icmp");
	} else if (pick < 54) {
		layer(d, "sctp");
		gen_ports(r, d);
	} else if (pick < 57) {
		layer(d, "dccp");
		gen_ports(r, d);
		maybe(r, d, 20, "x", 1);
	} else if (pick < 60) {
		layer(d, "udplite");
		gen_ports(r, d);
	} else if (pick < 70) {
		layer(d, "gre");
		maybe(r, d, 30, "c", 1);
		if (chance(r, 30))
			put_num(d, "key", fuzz_below(r, 1000));
		if (chance(r, 30))
			put_num(d, "seq", fuzz_below(r, 1000));
		maybe(r, d, 5, "version", 7);
		maybe(r, d, 5, "r", 1);
		if (chance(r, 25)) {
			layer(d, "eth");
			gen_l3(r, d, depth + 1, chance(r, 50));
		} else {
			gen_l3(r, d, depth + 1, chance(r, 50));
		}
	} else if (pick < 78) {
		gen_l3(r, d, depth + 1, chance(r, 50));	/* IPIP, SIT, 4in6 */
	} else if (pick < 86) {
		layer(d, "udp");
		put_num(d, "sport", 1 + fuzz_below(r, 65535));
		layer(d, "vxlan");
		put_num(d, "vni", fuzz_below(r, 1u << 24));
		maybe(r, d, 10, "flags", 255);
		layer(d, "eth");
		gen_l3(r, d, depth + 1, chance(r, 50));
	} else if (pick < 92) {
		layer(d, "udp");
		put_num(d, "sport", 1 + fuzz_below(r, 65535));
		layer(d, "geneve");
		if (chance(r, 20))
			hex_field(r, d, "opts", 1 + fuzz_below(r, 3), 4);
		layer(d, "eth");
		gen_l3(r, d, depth + 1, chance(r, 50));
	} else if (pick < 96) {
		layer(d, "nvgre");
		put_num(d, "vsid", fuzz_below(r, 1u << 24));
		layer(d, "eth");
		gen_l3(r, d, depth + 1, chance(r, 50));
	}
	/* else nothing: "no next header" */
	if (chance(r, 20)) {
		put_str(d, " / payload");
		put_num(d, "len", fuzz_below(r, 64));
	}
}

static void gen_l3(struct fuzz_rng *r, struct desc *d, int depth, bool ip6)
{
	if (ip6)
		gen_ipv6(r, d);
	else
		gen_ipv4(r, d);
	gen_l4(r, d, depth, ip6);
}

/* Ethernet, tags, MPLS or PPPoE, then the IP layers. */
static void gen_stack(struct fuzz_rng *r, struct desc *d)
{
	static const uint32_t tpids[] = { 0x8100, 0x88a8, 0x9100 };
	uint32_t tags = fuzz_below(r, 100);

	layer(d, "eth");
	tags = tags < 60 ? 0 : tags < 80 ? 1 : tags < 92 ? 2 : 3;
	for (uint32_t i = 0; i < tags; i++) {
		layer(d, "vlan");
		put_num(d, "vid", fuzz_below(r, 4096));
		if (chance(r, 40))
			put(d, " tpid=0x%x", tpids[fuzz_below(r, 3)]);
	}
	if (chance(r, 8)) {
		uint32_t labels = 1 + fuzz_below(r, 4);

		for (uint32_t i = 0; i < labels; i++) {
			layer(d, "mpls");
			put_num(d, "label", 16 + fuzz_below(r, 1000));
		}
	} else if (chance(r, 5)) {
		layer(d, "pppoe");
	}
	gen_l3(r, d, 0, chance(r, 50));
}

/* Length fields the builder derives, and where it put them. */
static const struct {
	enum gen_type type;
	const char *name;
	uint8_t off;		/* in the header */
	uint8_t size;		/* 1 or 2 bytes */
	uint8_t shift;
	uint16_t mask;
} length_fields[] = {
	{ GEN_IPV4, "ihl", 0, 1, 0, 0x0f },
	{ GEN_IPV4, "len", 2, 2, 0, 0xffff },
	{ GEN_IPV6, "plen", 4, 2, 0, 0xffff },
	{ GEN_PPPOE, "len", 4, 2, 0, 0xffff },
	{ GEN_TCP, "doff", 12, 1, 4, 0x0f },
	{ GEN_UDP, "len", 4, 2, 0, 0xffff },
};

#define N_LENGTH_FIELDS (sizeof(length_fields) / sizeof(length_fields[0]))

/* @desc with " @word" after the words of its layer @layer, in @out. */
static bool desc_insert(const char *desc, size_t layer, const char *word,
			char *out, size_t size)
{
	const char *at = desc;
	int n;

	for (size_t l = 0; l <= layer && at; l++) {
		at = strstr(at, " / ");
		if (at && l < layer)
			at += 3;
	}
	if (!at)
		at = desc + strlen(desc);
	n = snprintf(out, size, "%.*s %s%s", (int)(at - desc), desc, word, at);
	return n > 0 && (size_t)n < size;
}

/*
 * Sets one length the builder derived (IHL, total length, payload
 * length, data offset...) one above or below what it derived: where a
 * dissector trusts a length it should check.
 */
static void length_off_by_one(struct fuzz_rng *r, struct gen_packet *pkt,
			      struct fuzz_input *in)
{
	size_t i = fuzz_below(r, (uint32_t)pkt->n_layers);
	const struct gen_layer *l = &pkt->layers[i];
	char line[FUZZ_DESC_MAX];
	char word[32];
	const uint8_t *p;
	uint32_t k = fuzz_below(r, N_LENGTH_FIELDS);
	uint32_t v;

	for (uint32_t tries = 0; tries < N_LENGTH_FIELDS; tries++) {
		if (length_fields[k].type == l->type->type)
			break;
		k = (k + 1) % N_LENGTH_FIELDS;
	}
	if (length_fields[k].type != l->type->type ||
	    gen_value(l, length_fields[k].name) ||
	    l->off + length_fields[k].off + length_fields[k].size > pkt->len)
		return;
	p = pkt->bytes + l->off + length_fields[k].off;
	v = length_fields[k].size == 2 ? (uint32_t)(p[0] << 8 | p[1]) : p[0];
	v = (v >> length_fields[k].shift) & length_fields[k].mask;
	v = chance(r, 50) ? v + 1 : v - 1;
	if (v > length_fields[k].mask)
		return;
	snprintf(word, sizeof(word), "%s=%u", length_fields[k].name, v);
	if (!desc_insert(in->desc, i, word, line, sizeof(line)))
		return;
	/* a length the builder cannot follow: @pkt is spoilt, make it again */
	if (fuzz_desc_build(line, pkt)) {
		fuzz_desc_build(in->desc, pkt);
		return;
	}
	snprintf(in->desc, sizeof(in->desc), "%s", line);
}

/*
 * Cuts the frame at a header boundary, one byte before or after: where a
 * bounds check that is off by one shows.
 */
static void cut_at_boundary(struct fuzz_rng *r, struct gen_packet *pkt,
			    struct fuzz_input *in)
{
	const struct gen_layer *l;
	char line[FUZZ_DESC_MAX];
	uint32_t at;
	int n;

	if (pkt->n_layers < 2)
		return;
	l = &pkt->layers[1 + fuzz_below(r, (uint32_t)pkt->n_layers - 1)];
	at = l->off + (chance(r, 50) ? l->hlen : 0);
	at = at + fuzz_below(r, 3) - 1;
	if (at < FDTEST_FRAME_MIN || at >= pkt->len)
		return;
	n = snprintf(line, sizeof(line), "frame trunc=%u / %s", at, in->desc);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	/* one layer too many: @pkt is spoilt, make it again uncut */
	if (fuzz_desc_build(line, pkt)) {
		fuzz_desc_build(in->desc, pkt);
		return;
	}
	memcpy(in->desc, line, (size_t)n + 1);
}

int fuzz_input_generate(struct fuzz_rng *r, struct gen_packet *pkt,
			struct fuzz_input *in)
{
	struct desc d = { .buf = in->desc, .size = sizeof(in->desc) };

	gen_stack(r, &d);
	if (d.over || d.layers > GEN_LAYERS_MAX ||
	    fuzz_desc_build(in->desc, pkt))
		goto out_none;
	if (chance(r, 15))
		length_off_by_one(r, pkt, in);
	if (chance(r, 25))
		cut_at_boundary(r, pkt, in);
	in->len = pkt->len;
	memcpy(in->bytes, pkt->bytes, pkt->len);
	return 0;

out_none:
	in->desc[0] = '\0';
	in->len = 0;
	return -EINVAL;
}

/* ---- byte-level mutations -------------------------------------------- */

static const uint8_t interesting8[] = {
	0x00, 0x01, 0x04, 0x05, 0x06, 0x11, 0x29, 0x2b, 0x2c, 0x2f, 0x3a,
	0x40, 0x45, 0x46, 0x4f, 0x60, 0x7f, 0x80, 0xff,
};

static const uint16_t interesting16[] = {
	0x0000, 0x0800, 0x86dd, 0x8100, 0x88a8, 0x9100, 0x8847, 0x8848,
	0x8864, 0x6558, 0x2000, 0x3fff, 0x12b5, 0x17c1, 0xffff,
};

static void insert_bytes(struct fuzz_rng *r, struct fuzz_input *in)
{
	uint32_t k = 1 + fuzz_below(r, 8);
	uint32_t at = fuzz_below(r, in->len + 1);

	if (in->len + k > FUZZ_INPUT_MAX)
		return;
	memmove(in->bytes + at + k, in->bytes + at, in->len - at);
	for (uint32_t i = 0; i < k; i++)
		in->bytes[at + i] = (uint8_t)fuzz_rand(r);
	in->len += k;
}

static void delete_bytes(struct fuzz_rng *r, struct fuzz_input *in)
{
	uint32_t k = 1 + fuzz_below(r, 8);
	uint32_t at = fuzz_below(r, in->len);

	if (k > in->len - at)
		k = in->len - at;
	memmove(in->bytes + at, in->bytes + at + k, in->len - at - k);
	in->len -= k;
}

/* The head of @in up to a point, then the tail of @other from another. */
static void splice(struct fuzz_rng *r, struct fuzz_input *in,
		   const struct fuzz_input *other)
{
	uint32_t at = fuzz_below(r, in->len + 1);
	uint32_t from = fuzz_below(r, other->len + 1);
	uint32_t n = other->len - from;

	if (at + n > FUZZ_INPUT_MAX)
		n = FUZZ_INPUT_MAX - at;
	memcpy(in->bytes + at, other->bytes + from, n);
	in->len = at + n;
}

static void mutate_once(struct fuzz_rng *r, struct fuzz_input *in,
			const struct fuzz_input *other)
{
	uint32_t at = fuzz_below(r, in->len);
	uint16_t v;

	switch (fuzz_below(r, other ? 8 : 7)) {
	case 0:
		in->bytes[at] ^= (uint8_t)(1u << fuzz_below(r, 8));
		break;
	case 1:
		in->bytes[at] = interesting8[fuzz_below(r,
						sizeof(interesting8))];
		break;
	case 2:
		if (at + 1 >= in->len)
			break;
		v = interesting16[fuzz_below(r, sizeof(interesting16) / 2)];
		in->bytes[at] = (uint8_t)(v >> 8);
		in->bytes[at + 1] = (uint8_t)v;
		break;
	case 3:
		in->len = FDTEST_FRAME_MIN +
			  fuzz_below(r, in->len - FDTEST_FRAME_MIN + 1);
		break;
	case 4:
		insert_bytes(r, in);
		break;
	case 5:
		delete_bytes(r, in);
		break;
	case 6:
		in->bytes[at] = (uint8_t)fuzz_rand(r);
		break;
	default:
		splice(r, in, other);
		break;
	}
}

void fuzz_input_mutate(struct fuzz_rng *r, struct fuzz_input *in,
		       const struct fuzz_input *other)
{
	uint32_t n = 1 + fuzz_below(r, 4);

	if (other && other->len == 0)
		other = NULL;
	in->desc[0] = '\0';
	for (uint32_t i = 0; i < n; i++) {
		if (in->len < FDTEST_FRAME_MIN) {
			memset(in->bytes + in->len, 0,
			       FDTEST_FRAME_MIN - in->len);
			in->len = FDTEST_FRAME_MIN;
		}
		mutate_once(r, in, other);
	}
	if (in->len < FDTEST_FRAME_MIN) {
		memset(in->bytes + in->len, 0, FDTEST_FRAME_MIN - in->len);
		in->len = FDTEST_FRAME_MIN;
	}
}
