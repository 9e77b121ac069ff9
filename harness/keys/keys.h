/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one description of struct bpf_flow_keys: every field's name (the
 * kernel's), place, size, byte order and how it is shown. Everything that
 * prints, parses or compares keys walks this table, in kernel struct order.
 */
#ifndef FDTEST_KEYS_H
#define FDTEST_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

/* 56 bytes since 5.4 (flags and flow_label were added then) */
#define KEYS_SIZE sizeof(struct bpf_flow_keys)

enum keys_kind {
	KEYS_KIND_UINT,		/* number, host order in JSON */
	KEYS_KIND_ETHERTYPE,	/* "0x86dd" */
	KEYS_KIND_IPV4,		/* dotted quad */
	KEYS_KIND_IPV6,		/* RFC 5952 text */
	KEYS_KIND_BYTES,	/* lower-case hex, two digits a byte */
};

/*
 * The address union is shown one of two ways, picked by addr_proto:
 * ETH_P_IP shows ipv4_src/ipv4_dst as dotted quads and the 24 bytes the
 * IPv4 view leaves out as "addr_extra" (only when non-zero); any other
 * value shows the two 16-byte halves as IPv6 text. Either way all 32
 * bytes survive a round trip.
 */
enum keys_layout {
	KEYS_LAYOUT_IPV4,
	KEYS_LAYOUT_IPV6,
};

struct keys_field {
	const char *name;
	const char *json_key;	/* ,"name": as a result line writes it */
	uint8_t json_key_len;
	uint8_t offset;
	uint8_t size;
	bool big_endian;	/* network order in the struct */
	enum keys_kind kind;
};

#define KEYS_ADDR_OFFSET	16u	/* the union */
#define KEYS_ADDR_SIZE		32u
#define KEYS_ADDR_EXTRA		"addr_extra"

enum keys_layout keys_layout_of(const struct bpf_flow_keys *keys);

/* Fields shown in @layout, in struct order; *count gets their number. */
const struct keys_field *keys_fields(enum keys_layout layout, size_t *count);

/* The field called @name in @layout, or NULL. */
const struct keys_field *keys_field_find(enum keys_layout layout,
					 const char *name);

/*
 * The "src" (or with @dst "dst") field of @layout, as keys_field_find()
 * gives it, for callers that need it once per frame: no name lookup.
 */
const struct keys_field *keys_field_addr(enum keys_layout layout, bool dst);

/*
 * Value of a UINT or ETHERTYPE field in host order. Inline: every result
 * line reads a dozen fields.
 */
static inline uint32_t keys_field_get(const struct keys_field *field,
				      const struct bpf_flow_keys *keys)
{
	const uint8_t *p = (const uint8_t *)keys + field->offset;
	uint16_t v16;
	uint32_t v32;

	switch (field->size) {
	case 1:
		return *p;
	case 2:
		memcpy(&v16, p, 2);
		return field->big_endian ? ntohs(v16) : v16;
	default:
		memcpy(&v32, p, 4);
		return field->big_endian ? ntohl(v32) : v32;
	}
}
void keys_field_set(const struct keys_field *field,
		    struct bpf_flow_keys *keys, uint32_t value);

#endif /* FDTEST_KEYS_H */
