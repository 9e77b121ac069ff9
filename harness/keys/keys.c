// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The field table of struct bpf_flow_keys (see keys.h). */
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include "keys/keys.h"

#define JSON_KEY(n) ",\"" n "\":", sizeof(",\"" n "\":") - 1

#define FIELD(n, be, kind) \
	{ #n, JSON_KEY(#n), offsetof(struct bpf_flow_keys, n), \
	  sizeof(((struct bpf_flow_keys *)0)->n), be, kind }

/* Everything before the address union, the same in both layouts. */
#define HEAD_FIELDS						\
	FIELD(nhoff, false, KEYS_KIND_UINT),			\
	FIELD(thoff, false, KEYS_KIND_UINT),			\
	/* host order: the kernel compares it to htons(ETH_P_*) */	\
	FIELD(addr_proto, false, KEYS_KIND_ETHERTYPE),		\
	FIELD(is_frag, false, KEYS_KIND_UINT),			\
	FIELD(is_first_frag, false, KEYS_KIND_UINT),		\
	FIELD(is_encap, false, KEYS_KIND_UINT),			\
	FIELD(ip_proto, false, KEYS_KIND_UINT),			\
	FIELD(n_proto, true, KEYS_KIND_ETHERTYPE),		\
	FIELD(sport, true, KEYS_KIND_UINT),			\
	FIELD(dport, true, KEYS_KIND_UINT)

#define HEAD_COUNT 10	/* the address fields come right after these */

#define TAIL_FIELDS						\
	FIELD(flags, false, KEYS_KIND_UINT),			\
	FIELD(flow_label, true, KEYS_KIND_UINT)

static const struct keys_field fields_ipv4[] = {
	HEAD_FIELDS,
	{ "src", JSON_KEY("src"), 16, 4, true, KEYS_KIND_IPV4 },
	{ "dst", JSON_KEY("dst"), 20, 4, true, KEYS_KIND_IPV4 },
	{ KEYS_ADDR_EXTRA, JSON_KEY(KEYS_ADDR_EXTRA), 24, 24, false,
	  KEYS_KIND_BYTES },
	TAIL_FIELDS,
};

static const struct keys_field fields_ipv6[] = {
	HEAD_FIELDS,
	{ "src", JSON_KEY("src"), 16, 16, true, KEYS_KIND_IPV6 },
	{ "dst", JSON_KEY("dst"), 32, 16, true, KEYS_KIND_IPV6 },
	TAIL_FIELDS,
};

_Static_assert(sizeof(struct bpf_flow_keys) == 56,
	       "struct bpf_flow_keys of 5.4 and later expected");
_Static_assert(offsetof(struct bpf_flow_keys, ipv4_src) == KEYS_ADDR_OFFSET,
	       "address union moved");
_Static_assert(offsetof(struct bpf_flow_keys, flags) ==
	       KEYS_ADDR_OFFSET + KEYS_ADDR_SIZE, "address union resized");

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum keys_layout keys_layout_of(const struct bpf_flow_keys *keys)
{
	return keys->addr_proto == ETH_P_IP ? KEYS_LAYOUT_IPV4 :
					      KEYS_LAYOUT_IPV6;
}

const struct keys_field *keys_fields(enum keys_layout layout, size_t *count)
{
	if (layout == KEYS_LAYOUT_IPV4) {
		*count = ARRAY_LEN(fields_ipv4);
		return fields_ipv4;
	}
	*count = ARRAY_LEN(fields_ipv6);
	return fields_ipv6;
}

const struct keys_field *keys_field_find(enum keys_layout layout,
					 const char *name)
{
	size_t n;
	const struct keys_field *f = keys_fields(layout, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

void keys_field_set(const struct keys_field *field,
		    struct bpf_flow_keys *keys, uint32_t value)
{
	uint8_t *p = (uint8_t *)keys + field->offset;
	uint16_t v16;
	uint32_t v32;

	switch (field->size) {
	case 1:
		*p = (uint8_t)value;
		break;
	case 2:
		v16 = field->big_endian ? htons((uint16_t)value) :
					  (uint16_t)value;
		memcpy(p, &v16, 2);
		break;
	default:
		v32 = field->big_endian ? htonl(value) : value;
		memcpy(p, &v32, 4);
		break;
	}
}

const struct keys_field *keys_field_addr(enum keys_layout layout, bool dst)
{
	size_t n;

	return &keys_fields(layout, &n)[HEAD_COUNT + dst];
}
