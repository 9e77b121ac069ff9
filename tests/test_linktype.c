// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The one link-type table: every row the generator writes reads back
 * through the same row's mapping, with the EtherType it was written for;
 * the lookups and the lists of names follow the rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/linktype.h"

/* The first bytes of an IPv4 and of an IPv6 header. */
static const struct {
	uint16_t ethertype;
	uint8_t ip[4];
} packets[] = {
	{ 0x0800, { 0x45, 0, 0, 20 } },
	{ 0x86dd, { 0x60, 0, 0, 0 } },
};

static void test_linktype_written_reads_back(void **state)
{
	size_t written = 0;

	(void)state;
	for (size_t i = 0; i < linktypes_count; i++) {
		const struct linktype *lt = &linktypes[i];

		if (!lt->gen_name || linktype_is_ethernet(lt))
			continue;
		written++;
		for (size_t k = 0; k < 2; k++) {
			uint8_t buf[LINKTYPE_HEADER_MAX + 4 + 8];
			uint32_t hlen = 0, back = 99;
			char why[128] = "";
			uint16_t type;

			memset(buf, 0xa5, sizeof(buf));
			if (lt->header)
				hlen = lt->header(buf, packets[k].ethertype);
			if (hlen > LINKTYPE_HEADER_MAX || buf[hlen + 4] != 0xa5)
				fail_msg("%s: a header of %u bytes", lt->name,
					 hlen);
			memcpy(buf + hlen, packets[k].ip, 4);
			type = lt->to_eth(buf, hlen + 4, &back, why,
					  sizeof(why));
			if (type != packets[k].ethertype || back != hlen)
				fail_msg("%s: wrote 0x%04x in %u bytes, read 0x%04x in %u (%s)",
					 lt->name, packets[k].ethertype, hlen,
					 type, back, why);
		}
	}
	/* raw, sll, sll2, null */
	assert_int_equal(written, 4);
}

static void test_linktype_lookups(void **state)
{
	const struct linktype *eth = linktype_by_dlt(LINKTYPE_ETHERNET);

	(void)state;
	assert_non_null(eth);
	assert_true(linktype_is_ethernet(eth));
	assert_ptr_equal(linktype_by_gen_name("eth"), eth);
	assert_null(linktype_by_gen_name("ppp"));
	assert_null(linktype_by_gen_name("Ethernet"));
	assert_null(linktype_by_dlt(147));
	/* a file's raw IP (LINKTYPE_RAW, 101) is read as libpcap's DLT_RAW */
	assert_ptr_equal(linktype_by_gen_name("raw"),
			 linktype_by_dlt(linktype_from_file(101)));
	for (size_t i = 0; i < linktypes_count; i++)
		assert_ptr_equal(linktype_by_dlt(linktypes[i].dlt),
				 &linktypes[i]);
}

static void test_linktype_names(void **state)
{
	char buf[200];

	(void)state;
	linktype_names(buf, sizeof(buf), true, "or");
	assert_string_equal(buf, "eth, raw, sll, sll2 or null");
	linktype_names(buf, sizeof(buf), false, "and");
	assert_string_equal(buf,
			    "Ethernet, RAW, IPV4, IPV6, LINUX_SLL, LINUX_SLL2, NULL, LOOP, PPP, PPP_SERIAL and NFLOG");
	linktype_names(buf, 8, false, "and");
	assert_string_equal(buf, "Etherne");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linktype_written_reads_back),
		cmocka_unit_test(test_linktype_lookups),
		cmocka_unit_test(test_linktype_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
