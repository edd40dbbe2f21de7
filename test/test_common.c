/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/common: the family-tagged address type (haven_addr.h).
 */

#include <arpa/inet.h>

#include "haven_addr.h"
#include "test.h"

static int
test_v4_and_v6(void)
{
	struct haven_addr a = haven_addr4(htonl(0xc0000201)), b;
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	char s[HAVEN_ADDR_STRLEN];

	TEST_ASSERT_EQUAL(a.family, HAVEN_AF_INET, "family");
	TEST_ASSERT_EQUAL(haven_addr_len(&a), 4, "len");
	TEST_ASSERT(strcmp(haven_addr_str(&a, s), "192.0.2.1") == 0, "%s", s);
	b = haven_addr6(v6);
	TEST_ASSERT(haven_addr_is6(&b), "is6");
	TEST_ASSERT_EQUAL(haven_addr_len(&b), 16, "len6");
	TEST_ASSERT(strcmp(haven_addr_str(&b, s), "2001:db8::1") == 0, "%s", s);
	TEST_ASSERT(!haven_addr_eq(&a, &b), "different families differ");
	TEST_ASSERT(haven_addr_cmp(&a, &b) < 0, "IPv4 sorts first");
	memset(&a, 0, sizeof(a));
	TEST_ASSERT(haven_addr_is_zero(&a), "zeroed is none");
	TEST_ASSERT(strcmp(haven_addr_str(&a, s), "-") == 0, "%s", s);
	return 0;
}

static int
test_parse_and_order(void)
{
	struct haven_addr a, b;

	TEST_ASSERT_EQUAL(haven_addr_parse("192.0.2.100", &a), 0, "v4");
	TEST_ASSERT_EQUAL(haven_addr_parse("192.0.2.20", &b), 0, "v4");
	TEST_ASSERT(haven_addr_cmp(&b, &a) < 0, ".20 before .100");
	TEST_ASSERT_EQUAL(haven_addr_parse("2001:db8:1::100", &a), 0, "v6");
	TEST_ASSERT_EQUAL(a.family, HAVEN_AF_INET6, "family");
	TEST_ASSERT_EQUAL(haven_addr_parse("192.0.2", &b), -1, "short");
	TEST_ASSERT_EQUAL(b.family, HAVEN_AF_NONE, "zeroed on error");
	TEST_ASSERT_EQUAL(haven_addr_parse("2001:db8:1::/64", &b), -1, "pfx");
	TEST_ASSERT_EQUAL(haven_addr_parse("0.0.0.0", &b), 0, "any");
	TEST_ASSERT(haven_addr_is_zero(&b), "unspecified is zero");
	return 0;
}

static int
test_prefix(void)
{
	struct haven_addr a, p, q;

	haven_addr_parse("192.0.2.100", &a);
	haven_addr_parse("192.0.2.0", &p);
	haven_addr_parse("2001:db8:1::", &q);
	TEST_ASSERT(haven_addr_in_prefix(&a, &p, 24), "in /24");
	TEST_ASSERT(haven_addr_in_prefix(&a, &p, 25), "in /25 (.100 < .128)");
	TEST_ASSERT(!haven_addr_in_prefix(&a, &p, 26), "not in /26");
	TEST_ASSERT(haven_addr_in_prefix(&a, &p, 0), "/0 matches its family");
	TEST_ASSERT(!haven_addr_in_prefix(&a, &q, 0), "not another family");
	TEST_ASSERT(!haven_addr_in_prefix(&a, &p, 33), "longer than 32");
	haven_addr_parse("2001:db8:1::100", &a);
	TEST_ASSERT(haven_addr_in_prefix(&a, &q, 64), "in /64");
	haven_addr_parse("2001:db8:2::100", &a);
	TEST_ASSERT(!haven_addr_in_prefix(&a, &q, 47), "2 vs 1 in bit 47");
	TEST_ASSERT(haven_addr_in_prefix(&a, &q, 46), "same in 46 bits");
	return 0;
}

int
main(void)
{
	int passed = 0, failed = 0;

	TEST_RUN(test_v4_and_v6);
	TEST_RUN(test_parse_and_order);
	TEST_RUN(test_prefix);
	TEST_SUMMARY();
}
