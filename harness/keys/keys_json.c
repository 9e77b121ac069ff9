// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Keys to JSON text and back (see keys_json.h). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include <jansson.h>

#include "keys/keys_json.h"
#include "util/out.h"

/*
 * An IPv6 address as glibc's inet_ntop() writes it (the test holds the
 * two together): the first longest run of two or more zero words as
 * "::", words in hex without leading zeros, and ::a.b.c.d and
 * ::ffff:a.b.c.d for the IPv4-compatible and IPv4-mapped forms.
 */
static void out_ipv6(struct out *o, const uint8_t *p)
{
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	uint32_t w[8];

	for (int i = 0; i < 8; i++) {
		w[i] = (uint32_t)p[2 * i] << 8 | p[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
		} else {
			cur = -1;
		}
		if (cur >= 0 && cur_len > best_len)
			best = cur, best_len = cur_len;
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				out_lit(o, ":");
			continue;
		}
		if (i)
			out_lit(o, ":");
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			for (int b = 12; b < 16; b++) {
				if (b > 12)
					out_lit(o, ".");
				out_uint(o, p[b]);
			}
			return;
		}
		out_hex(o, w[i], w[i] >> 12 ? 4 : w[i] >> 8 ? 3 :
				 w[i] >> 4 ? 2 : 1);
	}
	if (best >= 0 && best + best_len == 8)
		out_lit(o, ":");
}

/* "a.b.c.d" with its quotes: inet_ntop's dotted quad, without sprintf */
static void out_ipv4(struct out *o, const uint8_t *p)
{
	char d[sizeof("\"255.255.255.255\"")];
	size_t n = 0;

	d[n++] = '"';
	for (int i = 0; i < 4; i++) {
		unsigned int v = p[i];

		if (i)
			d[n++] = '.';
		if (v >= 100)
			d[n++] = (char)('0' + v / 100);
		if (v >= 10)
			d[n++] = (char)('0' + v / 10 % 10);
		d[n++] = (char)('0' + v % 10);
	}
	d[n++] = '"';
	out_mem(o, d, n);
}

static bool bytes_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

void keys_json_out_field(struct out *o, const struct keys_field *f,
			 const struct bpf_flow_keys *keys)
{
	const uint8_t *p = (const uint8_t *)keys + f->offset;
	switch (f->kind) {
	case KEYS_KIND_UINT:
		out_uint(o, keys_field_get(f, keys));
		break;
	case KEYS_KIND_ETHERTYPE:
		out_lit(o, "\"0x");
		out_hex(o, keys_field_get(f, keys), 4);
		out_lit(o, "\"");
		break;
	case KEYS_KIND_IPV4:
		out_ipv4(o, p);
		break;
	case KEYS_KIND_IPV6:
		out_lit(o, "\"");
		out_ipv6(o, p);
		out_lit(o, "\"");
		break;
	case KEYS_KIND_BYTES:
		out_lit(o, "\"");
		for (size_t i = 0; i < f->size; i++)
			out_hex(o, p[i], 2);
		out_lit(o, "\"");
		break;
	}
}

int keys_json_format_field(char *buf, size_t size,
			   const struct keys_field *field,
			   const struct bpf_flow_keys *keys)
{
	struct out o = { buf, size, 0, size == 0 };

	keys_json_out_field(&o, field, keys);
	return out_done(&o);
}

/*
 * Writes the fields of @layout whose bytes @mask checks (all when NULL).
 * addr_extra is left out when zero: the reader implies it.
 */
static void out_keys_range(struct out *o, enum keys_layout layout,
			   const struct bpf_flow_keys *keys,
			   const uint8_t *mask, bool comma, size_t lo,
			   size_t hi)
{
	size_t n;
	const struct keys_field *f = keys_fields(layout, &n);

	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = (const uint8_t *)keys + f[i].offset;

		/* the table is in offset order (a test holds it so) */
		if (f[i].offset >= hi)
			break;
		if (f[i].offset < lo)
			continue;
		if (mask && !mask[f[i].offset])
			continue;
		if (f[i].kind == KEYS_KIND_BYTES && bytes_zero(p, f[i].size))
			continue;
		/* the key with its comma, or without when it comes first */
		out_mem(o, f[i].json_key + !comma, f[i].json_key_len - !comma);
		keys_json_out_field(o, &f[i], keys);
		comma = true;
	}
}

static void out_keys(struct out *o, enum keys_layout layout,
		     const struct bpf_flow_keys *keys, const uint8_t *mask,
		     bool comma)
{
	out_keys_range(o, layout, keys, mask, comma, 0, KEYS_SIZE);
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
	out_lit(o, "{\"frame\":");
	out_uint(o, id->frame);
	out_lit(o, ",\"state\":\"");
	out_str(o, fdtest_state_name(id->state));
	out_lit(o, "\",\"in_flags\":");
	out_uint(o, id->in_flags);
}

static void out_ret(struct out *o, uint32_t ret)
{
	const char *name = fdtest_ret_name(ret);

	if (name) {
		out_lit(o, ",\"ret\":\"");
		out_str(o, name);
		out_lit(o, "\"");
	} else {
		out_lit(o, ",\"ret\":");
		out_uint(o, ret);
	}
}

/*
 * The states of a frame mostly differ in nhoff and thoff alone, so the
 * text of the fields after them (addr_proto on, which also picks the
 * layout) is kept per thread and reused while their bytes stay the same.
 */
#define TAIL_OFF offsetof(struct bpf_flow_keys, addr_proto)

static _Thread_local struct {
	bool valid;
	uint8_t bytes[KEYS_SIZE - TAIL_OFF];
	size_t len;
	char text[KEYS_JSON_LINE_MAX];
} tail_text;

int keys_json_format_result(char *buf, size_t size, const struct case_id *id,
			    uint32_t ret, const struct bpf_flow_keys *keys)
{
	const uint8_t *tail = (const uint8_t *)keys + TAIL_OFF;
	enum keys_layout layout = keys_layout_of(keys);
	struct out o = { buf, size, 0, size == 0 };

	out_id(&o, id);
	out_ret(&o, ret);
	out_keys_range(&o, layout, keys, NULL, true, 0, TAIL_OFF);
	if (!tail_text.valid ||
	    memcmp(tail_text.bytes, tail, sizeof(tail_text.bytes)) != 0) {
		struct out t = { tail_text.text, sizeof(tail_text.text), 0,
				 false };

		out_keys_range(&t, layout, keys, NULL, true, TAIL_OFF,
			       KEYS_SIZE);
		tail_text.valid = out_done(&t) >= 0;
		tail_text.len = t.len;
		memcpy(tail_text.bytes, tail, sizeof(tail_text.bytes));
	}
	if (!tail_text.valid)
		o.full = true;
	else if (!o.full && tail_text.len < o.size - o.len) {
		memcpy(o.buf + o.len, tail_text.text, tail_text.len);
		o.len += tail_text.len;
	} else {
		o.full = true;
	}
	out_lit(&o, "}");
	return out_done(&o);
}

int keys_json_format_golden(char *buf, size_t size,
			    const struct golden_line *exp)
{
	struct out o = { buf, size, 0, size == 0 };

	out_id(&o, &exp->id);
	if (exp->has_ret)
		out_ret(&o, exp->ret);
	out_keys(&o, exp->layout, &exp->keys, exp->mask, true);
	out_lit(&o, "}");
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
		       struct golden_line *exp)
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
static int pick_layout(json_t *obj, struct golden_line *exp, char *err,
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

static int parse_id(json_t *obj, struct golden_line *exp, char *err,
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
			    "field 'state': expected \"vlanless\", \"pre-vlan\", \"post-vlan\", \"tx\", \"rx-rps\" or \"rx-untagged\"");
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

int keys_json_parse_golden(const char *line, size_t len,
			   struct golden_line *exp, char *err, size_t err_size)
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
