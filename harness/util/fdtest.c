// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Names of states, verdicts and input flags: the twins of fdtest.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/fdtest.h"

static const char *const state_names[FDTEST_STATE_NAMED] = {
	[FDTEST_STATE_VLANLESS] = "vlanless",
	[FDTEST_STATE_PRE_VLAN] = "pre-vlan",
	[FDTEST_STATE_POST_VLAN] = "post-vlan",
	[FDTEST_STATE_TX] = "tx",
	[FDTEST_STATE_RX_RPS] = "rx-rps",
	[FDTEST_STATE_RX_UNTAGGED] = "rx-untagged",
};

static const struct {
	uint32_t ret;
	const char *name;
} ret_names[] = {
	{ FDTEST_RET_OK, "BPF_OK" },
	{ FDTEST_RET_DROP, "BPF_DROP" },
	{ FDTEST_RET_CONTINUE, "BPF_FLOW_DISSECTOR_CONTINUE" },
	{ FDTEST_RET_NOT_OK, "!BPF_OK" },
};

static const struct {
	uint32_t bit;
	const char *name;
} flag_names[] = {
	{ FDTEST_FLAG_PARSE_1ST_FRAG, "PARSE_1ST_FRAG" },
	{ FDTEST_FLAG_STOP_AT_FLOW_LABEL, "STOP_AT_FLOW_LABEL" },
	{ FDTEST_FLAG_STOP_AT_ENCAP, "STOP_AT_ENCAP" },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const char *fdtest_state_name(enum fdtest_state state)
{
	if ((unsigned int)state >= FDTEST_STATE_NAMED)
		return NULL;
	return state_names[state];
}

int fdtest_state_parse(const char *name)
{
	for (int i = 0; i < FDTEST_STATE_NAMED; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	return -EINVAL;
}

const char *fdtest_ret_name(uint32_t ret)
{
	for (size_t i = 0; i < ARRAY_LEN(ret_names); i++)
		if (ret_names[i].ret == ret)
			return ret_names[i].name;
	return NULL;
}

int fdtest_parse_uint(const char *text, int base, uint64_t max,
		      uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(text, &end, base);
	if (errno || end == text || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_u32(const char *text, uint32_t *out)
{
	uint64_t v;

	if (!*text || *text == '-' || *text == '+' ||
	    fdtest_parse_uint(text, 0, UINT32_MAX, &v))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int fdtest_ret_parse(const char *text, uint32_t *ret)
{
	for (size_t i = 0; i < ARRAY_LEN(ret_names); i++) {
		if (strcmp(text, ret_names[i].name) == 0) {
			*ret = ret_names[i].ret;
			return 0;
		}
	}
	return parse_u32(text, ret);
}

const char *fdtest_flag_name(uint32_t bit)
{
	for (size_t i = 0; i < ARRAY_LEN(flag_names); i++)
		if (flag_names[i].bit == bit)
			return flag_names[i].name;
	return NULL;
}

static int parse_flag_word(const char *word, size_t len, uint32_t *flags)
{
	char buf[32];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, word, len);
	buf[len] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(flag_names); i++) {
		/* "F_STOP_AT_ENCAP" and the uapi spelling are accepted too */
		const char *n = buf;

		if (strncasecmp(n, "BPF_FLOW_DISSECTOR_", 19) == 0)
			n += 19;
		if (strncasecmp(n, "F_", 2) == 0)
			n += 2;
		if (strcasecmp(n, flag_names[i].name) == 0) {
			*flags |= flag_names[i].bit;
			return 0;
		}
	}
	{
		uint32_t v;

		if (parse_u32(buf, &v))
			return -EINVAL;
		*flags |= v;
	}
	return 0;
}

int fdtest_flags_parse(const char *text, uint32_t *flags)
{
	uint32_t out = 0;
	const char *p = text;

	for (;;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		int err = parse_flag_word(p, len, &out);

		if (err)
			return err;
		if (!bar)
			break;
		p = bar + 1;
	}
	*flags = out;
	return 0;
}
