// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Keys to JSON text and back (see keys_json.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include <jansson.h>

#include "keys_json.h"

/* Appends to a fixed buffer; remembers running out of room. */
struct out {
	char *buf;
	size_t size;
	size_t len;
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->full = true;
		return;
	}
	o->len += (size_t)n;
}

static int out_done(struct out *o)
{
	if (o->full) {
		if (o->size)
			o->buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)o->len;
}

static bool bytes_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void out_field(struct out *o, const struct keys_field *f,
		      const struct bpf_flow_keys *keys)
{
	const uint8_t *p = (const uint8_t *)keys + f->offset;
	char addr[INET6_ADDRSTRLEN];

	switch (f->kind) {
	case KEYS_KIND_UINT:
		out_printf(o, "%u", keys_field_get(f, keys));
		break;
	case KEYS_KIND_ETHERTYPE:
		out_printf(o, "\"0x%04x\"", keys_field_get(f, keys));
		break;
	case KEYS_KIND_IPV4:
	case KEYS_KIND_IPV6:
		inet_ntop(f->kind == KEYS_KIND_IPV4 ? AF_INET : AF_INET6, p,
			  addr, sizeof(addr));
		out_printf(o, "\"%s\"", addr);
		break;
	case KEYS_KIND_BYTES:
		out_printf(o, "\"");
		for (size_t i = 0; i < f->size; i++)
			out_printf(o, "%02x", p[i]);
		out_printf(o, "\"");
		break;
	}
}

int keys_json_format_field(char *buf, size_t size,
			   const struct keys_field *field,
			   const struct bpf_flow_keys *keys)
{
	struct out o = { buf, size, 0, size == 0 };

	out_field(&o, field, keys);
	return out_done(&o);
}

/*
 * Writes the fields of @layout whose bytes @mask checks (all when NULL).
 * addr_extra is left out when zero: the reader implies it.
 */
static void out_keys(struct out *o, enum keys_layout layout,
		     const struct bpf_flow_keys *keys, const uint8_t *mask,
		     bool comma)
{
	size_t n;
	const struct keys_field *f = keys_fields(layout, &n);

	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = (const uint8_t *)keys + f[i].offset;

		if (mask && !mask[f[i].offset])
			continue;
		if (f[i].kind == KEYS_KIND_BYTES && bytes_zero(p, f[i].size))
			continue;
		out_printf(o, "%s\"%s\":", comma ? "," : "", f[i].name);
		out_field(o, &f[i], keys);
		comma = true;
	}
}

int keys_json_format_keys(char *buf, size_t size,
			  const struct bpf_flow_keys *keys)
{
	struct out o = { buf, size, 0, size == 0 };

	out_keys(&o, keys_layout_of(keys), keys, NULL, false);
	return out_done(&o);
}

static void out_id(struct out *o, const struct case_id *id)
{
	out_printf(o, "{\"frame\":%u,\"state\":\"%s\",\"in_flags\":%u",
		   id->frame, fdtest_state_name(id->state), id->in_flags);
}

static void out_ret(struct out *o, uint32_t ret)
{
	const char *name = fdtest_ret_name(ret);

	if (name)
		out_printf(o, ",\"ret\":\"%s\"", name);
	else
		out_printf(o, ",\"ret\":%u", ret);
}

int keys_json_format_result(char *buf, size_t size, const struct case_id *id,
			    uint32_t ret, const struct bpf_flow_keys *keys)
{
	struct out o = { buf, size, 0, size == 0 };

	out_id(&o, id);
	out_ret(&o, ret);
	out_keys(&o, keys_layout_of(keys), keys, NULL, true);
	out_printf(&o, "}");
	return out_done(&o);
}

int keys_json_format_expect(char *buf, size_t size, const struct expect *exp)
{
	struct out o = { buf, size, 0, size == 0 };

	out_id(&o, &exp->id);
	if (exp->has_ret)
		out_ret(&o, exp->ret);
	out_keys(&o, exp->layout, &exp->keys, exp->mask, true);
	out_printf(&o, "}");
	return out_done(&o);
}

/* ---- parsing ---------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_uint(json_t *v, uint64_t max, uint32_t *out)
{
	json_int_t n;

	if (!json_is_integer(v))
		return -EINVAL;
	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n > max)
		return -EINVAL;
	*out = (uint32_t)n;
	return 0;
}

static int parse_ethertype(json_t *v, uint32_t *out)
{
	const char *s;
	unsigned int val;
	int used = 0;

	if (!json_is_string(v))
		return -EINVAL;
	s = json_string_value(v);
	if (strncmp(s, "0x", 2) != 0 || strlen(s) < 3 || strlen(s) > 6 ||
	    sscanf(s + 2, "%x%n", &val, &used) != 1 || s[2 + used] != '\0')
		return -EINVAL;
	*out = val;
	return 0;
}

static int parse_hex_bytes(const char *s, uint8_t *p, size_t n)
{
	if (strlen(s) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned int b;
		int used = 0;
		char two[3] = { s[2 * i], s[2 * i + 1], '\0' };

		if (sscanf(two, "%2x%n", &b, &used) != 1 || used != 2)
			return -EINVAL;
		p[i] = (uint8_t)b;
	}
	return 0;
}

static const char *kind_wants(const struct keys_field *f)
{
	switch (f->kind) {
	case KEYS_KIND_UINT:
		return f->size == 1 ? "an integer 0..255" :
		       f->size == 2 ? "an integer 0..65535" :
				      "an integer 0..4294967295";
	case KEYS_KIND_ETHERTYPE:
		return "a hex string like \"0x0800\"";
	case KEYS_KIND_IPV4:
		return "an IPv4 address";
	case KEYS_KIND_IPV6:
		return "an IPv6 address";
	case KEYS_KIND_BYTES:
		return "a hex string of 48 digits";
	}
	return "?";
}

static int parse_field(const struct keys_field *f, json_t *v,
		       struct expect *exp)
{
	uint8_t *p = (uint8_t *)&exp->keys + f->offset;
	uint32_t val;
	int err = 0;

	switch (f->kind) {
	case KEYS_KIND_UINT:
		/* numbers are 1, 2 or 4 bytes */
		err = parse_uint(v, f->size >= 4 ? UINT32_MAX :
				 (1u << (8 * f->size)) - 1, &val);
		break;
	case KEYS_KIND_ETHERTYPE:
		err = parse_ethertype(v, &val);
		break;
	case KEYS_KIND_IPV4:
	case KEYS_KIND_IPV6:
		if (!json_is_string(v) ||
		    inet_pton(f->kind == KEYS_KIND_IPV4 ? AF_INET : AF_INET6,
			      json_string_value(v), p) != 1)
			err = -EINVAL;
		break;
	case KEYS_KIND_BYTES:
		if (!json_is_string(v) ||
		    parse_hex_bytes(json_string_value(v), p, f->size))
			err = -EINVAL;
		break;
	}
	if (err)
		return err;
	if (f->kind == KEYS_KIND_UINT || f->kind == KEYS_KIND_ETHERTYPE)
		keys_field_set(f, &exp->keys, val);
	memset(exp->mask + f->offset, 0xff, f->size);
	/* an IPv4 address is checked with the bytes its view leaves out */
	if (f->kind == KEYS_KIND_IPV4)
		memset(exp->mask + 24, 0xff, KEYS_ADDR_OFFSET + KEYS_ADDR_SIZE - 24);
	return 0;
}

/* src/dst are written as their layout shows them; addr_proto decides it. */
static int pick_layout(json_t *obj, struct expect *exp, char *err,
		       size_t err_size)
{
	json_t *proto = json_object_get(obj, "addr_proto");
	json_t *src = json_object_get(obj, "src");
	json_t *dst = json_object_get(obj, "dst");
	json_t *addr = src ? src : dst;
	uint32_t val;

	if (proto) {
		if (parse_ethertype(proto, &val))
			return fail(err, err_size,
				    "field 'addr_proto': expected %s",
				    "a hex string like \"0x0800\"");
		exp->layout = val == ETH_P_IP ? KEYS_LAYOUT_IPV4 :
						KEYS_LAYOUT_IPV6;
	} else if (json_object_get(obj, KEYS_ADDR_EXTRA)) {
		exp->layout = KEYS_LAYOUT_IPV4;
	} else if (json_is_string(addr) &&
		   strchr(json_string_value(addr), ':')) {
		exp->layout = KEYS_LAYOUT_IPV6;
	} else {
		exp->layout = addr ? KEYS_LAYOUT_IPV4 : KEYS_LAYOUT_IPV6;
	}
	return 0;
}

static int parse_id(json_t *obj, struct expect *exp, char *err,
		    size_t err_size)
{
	json_t *frame = json_object_get(obj, "frame");
	json_t *state = json_object_get(obj, "state");
	json_t *flags = json_object_get(obj, "in_flags");
	json_t *ret = json_object_get(obj, "ret");
	int s;

	if (!frame || parse_uint(frame, UINT32_MAX, &exp->id.frame) ||
	    exp->id.frame == 0)
		return fail(err, err_size,
			    "field 'frame': expected an integer from 1");
	s = json_is_string(state) ? fdtest_state_parse(json_string_value(state))
				  : -EINVAL;
	if (s < 0)
		return fail(err, err_size,
			    "field 'state': expected \"vlanless\", \"pre-vlan\" or \"post-vlan\"");
	exp->id.state = (enum fdtest_state)s;
	exp->id.in_flags = 0;
	if (flags && parse_uint(flags, UINT32_MAX, &exp->id.in_flags))
		return fail(err, err_size,
			    "field 'in_flags': expected an integer");
	if (ret) {
		if (json_is_string(ret) ?
		    fdtest_ret_parse(json_string_value(ret), &exp->ret) :
		    parse_uint(ret, UINT32_MAX, &exp->ret))
			return fail(err, err_size,
				    "field 'ret': expected BPF_OK, BPF_DROP, BPF_FLOW_DISSECTOR_CONTINUE or a number");
		exp->has_ret = true;
	}
	return 0;
}

static bool is_id_field(const char *name)
{
	return !strcmp(name, "frame") || !strcmp(name, "state") ||
	       !strcmp(name, "in_flags") || !strcmp(name, "ret");
}

int keys_json_parse_expect(const char *line, size_t len, struct expect *exp,
			   char *err, size_t err_size)
{
	json_error_t jerr;
	json_t *obj;
	const char *name;
	json_t *v;
	int ret;

	memset(exp, 0, sizeof(*exp));
	obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj)
		return fail(err, err_size, "%s (column %d)", jerr.text,
			    jerr.column);
	if (!json_is_object(obj)) {
		ret = fail(err, err_size, "expected a JSON object");
		goto out;
	}
	ret = parse_id(obj, exp, err, err_size);
	if (!ret)
		ret = pick_layout(obj, exp, err, err_size);
	if (ret)
		goto out;
	json_object_foreach(obj, name, v) {
		const struct keys_field *f;

		if (is_id_field(name))
			continue;
		f = keys_field_find(exp->layout, name);
		if (!f) {
			ret = fail(err, err_size, "unknown field '%s'", name);
			goto out;
		}
		if (parse_field(f, v, exp)) {
			ret = fail(err, err_size, "field '%s': expected %s",
				   name, kind_wants(f));
			goto out;
		}
	}
out:
	json_decref(obj);
	return ret;
}

int case_id_cmp(const struct case_id *a, const struct case_id *b)
{
	if (a->frame != b->frame)
		return a->frame < b->frame ? -1 : 1;
	if (a->state != b->state)
		return a->state < b->state ? -1 : 1;
	if (a->in_flags != b->in_flags)
		return a->in_flags < b->in_flags ? -1 : 1;
	return 0;
}
