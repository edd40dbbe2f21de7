/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the RADIUS client (lib/radius).
 *
 * The codec is checked against bytes it did not compute: the example
 * exchange of RFC 2865 section 7.1 (an Access-Request with a hidden
 * User-Password and its Access-Accept, whose Response Authenticator
 * verifies with the RFC's secret), and vectors computed by
 * test/radius_vectors.py with Python's hashlib and hmac from the RFC texts
 * (Message-Authenticator of RFC 3579, Accounting of RFC 2866, the salted
 * 3GPP2 key of RFC 2868 3.5). Framing errors are refused one by one.
 *
 * The engine runs against fake servers and a fake millisecond clock: the
 * tests read every datagram it sends, answer (or not, or forge), and
 * check retransmission times, failover, death and revival of servers, the
 * bounded table, forged and unauthenticated answers, Identifier use and
 * cancellation. The transport runs over loopback against a small server
 * thread of the test's own.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "haven_radius.h"
#include "haven_radius_client.h"
#include "haven_wire.h"
#include "test.h"

static const uint8_t SECRET[] = "haven-lab-radius-secret";
#define SLEN (sizeof(SECRET) - 1)
static const uint8_t SECRET2[] = "second-server-secret";
#define SLEN2 (sizeof(SECRET2) - 1)

/* ------------------------------------------------------------------ */
/* Vectors from test/radius_vectors.py (Python hashlib/hmac)          */
/* ------------------------------------------------------------------ */

static const uint8_t v_access_request[117] = {
	0x01, 0x2a, 0x00, 0x75, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x50, 0x12, 0x72, 0x66,
	0x99, 0x44, 0xa2, 0xfe, 0xbf, 0x99, 0xf7, 0x70, 0xc6, 0x81, 0xc5, 0x50,
	0xf9, 0x2b, 0x01, 0x14, 0x6d, 0x6e, 0x2d, 0x31, 0x30, 0x30, 0x40, 0x6c,
	0x61, 0x62, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x02, 0x12,
	0xa7, 0x06, 0x9e, 0x65, 0x95, 0xea, 0xd1, 0xf4, 0xc7, 0x0b, 0x0f, 0xcf,
	0xc5, 0x96, 0xbd, 0xf1, 0x04, 0x06, 0x7f, 0x00, 0x00, 0x01, 0x20, 0x0b,
	0x68, 0x61, 0x76, 0x65, 0x6e, 0x2d, 0x6c, 0x61, 0x62, 0x06, 0x06, 0x00,
	0x00, 0x00, 0x02, 0x3d, 0x06, 0x00, 0x00, 0x00, 0x05, 0x1a, 0x0c, 0x00,
	0x00, 0x15, 0x9f, 0x39, 0x06, 0x00, 0x00, 0x03, 0xe8,
};

static const uint8_t v_access_accept[119] = {
	0x02, 0x2a, 0x00, 0x77, 0xce, 0x1d, 0x73, 0x2d, 0x41, 0xdd, 0x03, 0x2e,
	0x6a, 0x0c, 0x55, 0xe8, 0xb6, 0x1c, 0x11, 0x3a, 0x08, 0x06, 0xc0, 0x00,
	0x02, 0x96, 0x1a, 0x0c, 0x00, 0x00, 0x15, 0x9f, 0x39, 0x06, 0x00, 0x00,
	0x03, 0xe8, 0x1a, 0x2a, 0x00, 0x00, 0x15, 0x9f, 0x3a, 0x24, 0x81, 0x23,
	0x40, 0xf6, 0x55, 0x10, 0x9d, 0x98, 0x4d, 0x4a, 0xad, 0xcf, 0x1c, 0x52,
	0x71, 0xa7, 0x5b, 0xd5, 0x86, 0x6e, 0x10, 0x40, 0x59, 0x53, 0xd5, 0x12,
	0x15, 0x07, 0x03, 0xf8, 0xd6, 0xbe, 0x53, 0x49, 0x1b, 0x06, 0x00, 0x00,
	0x0e, 0x10, 0x19, 0x0f, 0x68, 0x61, 0x76, 0x65, 0x6e, 0x2d, 0x63, 0x6c,
	0x61, 0x73, 0x73, 0x2d, 0x31, 0x50, 0x12, 0xf0, 0x06, 0x49, 0x57, 0x58,
	0x32, 0xfd, 0x10, 0x51, 0x43, 0x2d, 0xc1, 0xef, 0xd4, 0xc9, 0xa6,
};

static const uint8_t v_access_reject[38] = {
	0x03, 0x2a, 0x00, 0x26, 0x48, 0x11, 0x22, 0x53, 0x22, 0xad, 0x7a, 0x53,
	0xfd, 0xd5, 0xca, 0x6e, 0x26, 0x6e, 0x13, 0xcb, 0x50, 0x12, 0x51, 0xb2,
	0x63, 0x4d, 0x88, 0x3d, 0x94, 0x08, 0x3b, 0x05, 0x66, 0x61, 0xb9, 0x74,
	0xe5, 0xc6,
};

static const uint8_t v_acct_request[123] = {
	0x04, 0x07, 0x00, 0x7b, 0x60, 0x5d, 0xd1, 0xad, 0x05, 0x1e, 0x0f, 0xf7,
	0x58, 0xad, 0x36, 0x42, 0xa7, 0x9d, 0xfe, 0x8c, 0x50, 0x12, 0x56, 0x31,
	0x7b, 0x8f, 0x4a, 0x85, 0x3e, 0x6a, 0x99, 0x93, 0x62, 0x56, 0x9e, 0xc1,
	0xd1, 0x34, 0x28, 0x06, 0x00, 0x00, 0x00, 0x02, 0x2c, 0x0b, 0x48, 0x41,
	0x2d, 0x31, 0x2d, 0x30, 0x30, 0x30, 0x31, 0x01, 0x14, 0x6d, 0x6e, 0x2d,
	0x31, 0x30, 0x30, 0x40, 0x6c, 0x61, 0x62, 0x2e, 0x65, 0x78, 0x61, 0x6d,
	0x70, 0x6c, 0x65, 0x04, 0x06, 0x7f, 0x00, 0x00, 0x01, 0x2e, 0x06, 0x00,
	0x00, 0x00, 0x7d, 0x2a, 0x06, 0x00, 0x00, 0x00, 0x10, 0x34, 0x06, 0x00,
	0x00, 0x00, 0x01, 0x2b, 0x06, 0x89, 0xab, 0xcd, 0xef, 0x2f, 0x06, 0x00,
	0x00, 0x03, 0xe8, 0x30, 0x06, 0x00, 0x00, 0x07, 0xd0, 0x31, 0x06, 0x00,
	0x00, 0x00, 0x01,
};

static const uint8_t v_acct_response_ra[38] = {
	0x05, 0x07, 0x00, 0x26, 0xf9, 0xb6, 0x88, 0x59, 0xaa, 0x7b, 0x06, 0x77,
	0x5b, 0x4f, 0x7e, 0xa0, 0x74, 0x43, 0xb2, 0xc8, 0x50, 0x12, 0xf2, 0xce,
	0x87, 0x8e, 0x7f, 0x8c, 0x2f, 0x2a, 0x53, 0x25, 0x08, 0x4d, 0xaf, 0x1f,
	0x4d, 0x71,
};

static const uint8_t v_acct_response_zero[38] = {
	0x05, 0x07, 0x00, 0x26, 0x8f, 0x79, 0xb5, 0x16, 0x30, 0xbb, 0xb7, 0xfa,
	0x1a, 0x26, 0x1f, 0xa7, 0x57, 0x9b, 0xd7, 0x5b, 0x50, 0x12, 0x97, 0x63,
	0xad, 0x3f, 0x47, 0xe4, 0xc1, 0xc1, 0x18, 0xda, 0xa5, 0x74, 0xb3, 0x7c,
	0x64, 0x64,
};

static const uint8_t v_status_server[49] = {
	0x0c, 0x09, 0x00, 0x31, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0x50, 0x12, 0xc3, 0x18,
	0x0f, 0xf6, 0xe0, 0x7d, 0xbd, 0x36, 0xa4, 0x2e, 0x7a, 0xde, 0x24, 0x7c,
	0x9d, 0xf7, 0x20, 0x0b, 0x68, 0x61, 0x76, 0x65, 0x6e, 0x2d, 0x6c, 0x61,
	0x62,
};


/* RFC 2865 section 7.1: nemo, "arctangent", secret xyzzy5461. */
static const uint8_t rfc7_1_request[] = {
	0x01, 0x00, 0x00, 0x38, 0x0f, 0x40, 0x3f, 0x94, 0x73, 0x97, 0x80, 0x57,
	0xbd, 0x83, 0xd5, 0xcb, 0x98, 0xf4, 0x22, 0x7a, 0x01, 0x06, 0x6e, 0x65,
	0x6d, 0x6f, 0x02, 0x12, 0x0d, 0xbe, 0x70, 0x8d, 0x93, 0xd4, 0x13, 0xce,
	0x31, 0x96, 0xe4, 0x3f, 0x78, 0x2a, 0x0a, 0xee, 0x04, 0x06, 0xc0, 0xa8,
	0x01, 0x10, 0x05, 0x06, 0x00, 0x00, 0x00, 0x03,
};

static const uint8_t rfc7_1_accept[] = {
	0x02, 0x00, 0x00, 0x26, 0x86, 0xfe, 0x22, 0x0e, 0x76, 0x24, 0xba, 0x2a,
	0x10, 0x05, 0xf6, 0xbf, 0x9b, 0x55, 0xe0, 0xb2, 0x06, 0x06, 0x00, 0x00,
	0x00, 0x01, 0x0f, 0x06, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x06, 0xc0, 0xa8,
	0x01, 0x03,
};

static const uint8_t RFC_SECRET[] = "xyzzy5461";
#define RFC_SLEN (sizeof(RFC_SECRET) - 1)

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static void
md5(const uint8_t *in, size_t len, uint8_t *out)
{
	if (EVP_Digest(in, len, out, NULL, EVP_md5(), NULL) != 1)
		abort();
}

static void
dump_diff(const char *what, const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i]) {
			fprintf(stderr, "%s: first difference at %zu: %02x != %02x\n",
				what, i, a[i], b[i]);
			return;
		}
}

/* ------------------------------------------------------------------ */
/* Codec                                                              */
/* ------------------------------------------------------------------ */

static int
test_rfc2865_request(void)
{
	struct haven_radius_builder b;
	struct haven_radius_pkt pkt;
	uint8_t buf[256], pw[128];
	const uint8_t *v;
	uint8_t vlen;
	int len;

	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_REQUEST, 0, rfc7_1_request + 4);
	haven_radius_add_string(&b, HAVEN_RADIUS_USER_NAME, "nemo");
	haven_radius_add_user_password(&b, (const uint8_t *)"arctangent", 10,
		RFC_SECRET, RFC_SLEN);
	haven_radius_add_ipv4(&b, HAVEN_RADIUS_NAS_IP_ADDRESS,
		ip4("192.168.1.16"));
	haven_radius_add_u32(&b, HAVEN_RADIUS_NAS_PORT, 3);
	len = haven_radius_finish(&b, RFC_SECRET, RFC_SLEN, NULL, false);
	TEST_ASSERT_EQUAL(len, sizeof(rfc7_1_request), "length");
	dump_diff("7.1 request", buf, rfc7_1_request, sizeof(rfc7_1_request));
	TEST_ASSERT_MEM(buf, rfc7_1_request, sizeof(rfc7_1_request),
		"RFC 2865 7.1 Access-Request bytes");

	/* and back: the server's view of the password */
	TEST_ASSERT_EQUAL(haven_radius_parse(rfc7_1_request,
		sizeof(rfc7_1_request), &pkt, NULL, 0), 0, "parse");
	TEST_ASSERT(haven_radius_find(&pkt, HAVEN_RADIUS_USER_PASSWORD, &v,
		&vlen), "User-Password");
	TEST_ASSERT_EQUAL(haven_radius_user_password_decode(v, vlen,
		pkt.auth, RFC_SECRET, RFC_SLEN, pw), 10, "password length");
	TEST_ASSERT_MEM(pw, "arctangent", 10, "password");
	TEST_ASSERT_EQUAL(haven_radius_verify_request(&pkt, RFC_SECRET,
		RFC_SLEN, false), 0, "no MA, not required");
	TEST_ASSERT_EQUAL(haven_radius_verify_request(&pkt, RFC_SECRET,
		RFC_SLEN, true), -ENOMSG, "MA required");
	return 0;
}

static int
test_rfc2865_accept(void)
{
	struct haven_radius_builder b;
	struct haven_radius_pkt pkt;
	uint8_t buf[256], bad[sizeof(rfc7_1_accept)];
	const uint8_t *ra = rfc7_1_request + 4;
	int len;

	TEST_ASSERT_EQUAL(haven_radius_parse(rfc7_1_accept,
		sizeof(rfc7_1_accept), &pkt, NULL, 0), 0, "parse");
	TEST_ASSERT_EQUAL(pkt.code, HAVEN_RADIUS_ACCESS_ACCEPT, "code");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra, RFC_SECRET,
		RFC_SLEN, false), 0, "Response Authenticator of RFC 2865 7.1");
	/* BlastRADIUS: without a Message-Authenticator it is refused */
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra, RFC_SECRET,
		RFC_SLEN, true), -ENOMSG, "no Message-Authenticator");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra,
		(const uint8_t *)"xyzzy5462", RFC_SLEN, false), -EACCES,
		"wrong secret");

	/* one flipped bit in an attribute */
	memcpy(bad, rfc7_1_accept, sizeof(bad));
	bad[sizeof(bad) - 1] ^= 1;
	TEST_ASSERT_EQUAL(haven_radius_parse(bad, sizeof(bad), &pkt, NULL, 0),
		0, "parse");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra, RFC_SECRET,
		RFC_SLEN, false), -EACCES, "tampered");

	/* the builder makes the same bytes */
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_ACCEPT, 0, NULL);
	haven_radius_add_u32(&b, HAVEN_RADIUS_SERVICE_TYPE, 1);
	haven_radius_add_u32(&b, 15, 0);	/* Login-Service: Telnet */
	haven_radius_add_ipv4(&b, 14, ip4("192.168.1.3"));	/* Login-IP-Host */
	len = haven_radius_finish(&b, RFC_SECRET, RFC_SLEN, ra, false);
	TEST_ASSERT_EQUAL(len, sizeof(rfc7_1_accept), "length");
	TEST_ASSERT_MEM(buf, rfc7_1_accept, sizeof(rfc7_1_accept),
		"RFC 2865 7.1 Access-Accept bytes");
	return 0;
}

/* The Access-Request of radius_vectors.py V1, Message-Authenticator first. */
static int
test_vector_access_request(void)
{
	struct haven_radius_builder b;
	struct haven_radius_pkt pkt;
	uint8_t buf[512], spi[4];
	int len;

	haven_put_be32(spi, 1000);
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_REQUEST, 0x2a, v_access_request + 4);
	haven_radius_add_message_authenticator(&b);
	haven_radius_add_string(&b, HAVEN_RADIUS_USER_NAME,
		"mn-100@lab.example");
	haven_radius_add_user_password(&b, (const uint8_t *)"haven-nas", 9,
		SECRET, SLEN);
	haven_radius_add_ipv4(&b, HAVEN_RADIUS_NAS_IP_ADDRESS,
		ip4("127.0.0.1"));
	haven_radius_add_string(&b, HAVEN_RADIUS_NAS_IDENTIFIER, "haven-lab");
	haven_radius_add_u32(&b, HAVEN_RADIUS_SERVICE_TYPE, 2);
	haven_radius_add_u32(&b, HAVEN_RADIUS_NAS_PORT_TYPE, 5);
	haven_radius_add_vsa(&b, HAVEN_RADIUS_VENDOR_3GPP2,
		HAVEN_RADIUS_3GPP2_MN_HA_SPI, spi, 4);
	len = haven_radius_finish(&b, SECRET, SLEN, NULL, false);
	TEST_ASSERT_EQUAL(len, sizeof(v_access_request), "length");
	dump_diff("V1", buf, v_access_request, sizeof(v_access_request));
	TEST_ASSERT_MEM(buf, v_access_request, sizeof(v_access_request),
		"Access-Request with Message-Authenticator");

	TEST_ASSERT_EQUAL(haven_radius_parse(buf, (size_t)len, &pkt, NULL, 0),
		0, "parse");
	TEST_ASSERT_EQUAL(pkt.ma_off, HAVEN_RADIUS_HDR_LEN + 2, "MA first");
	TEST_ASSERT_EQUAL(haven_radius_verify_request(&pkt, SECRET, SLEN,
		true), 0, "verifies");
	buf[30] ^= 0x80;	/* inside the User-Name */
	TEST_ASSERT_EQUAL(haven_radius_verify_request(&pkt, SECRET, SLEN,
		true), -EACCES, "tampered");
	return 0;
}

/* The Access-Accept of V2: every attribute, the salted key, and the bytes. */
static int
test_vector_access_accept(void)
{
	static const uint8_t salt[2] = { 0x01, 0x23 };	/* high bit added */
	static const char key[] = "0123456789abcdef0123";
	const uint8_t *ra = v_access_request + 4, *v;
	struct haven_radius_builder b;
	struct haven_radius_pkt pkt;
	uint8_t buf[512], spi[4], out[HAVEN_RADIUS_MAX_SALTED], vlen;
	int len;

	TEST_ASSERT_EQUAL(haven_radius_parse(v_access_accept,
		sizeof(v_access_accept), &pkt, NULL, 0), 0, "parse");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra, SECRET, SLEN,
		true), 0, "authentic");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt,
		v_access_accept + 4, SECRET, SLEN, true), -EACCES,
		"another request's authenticator");
	TEST_ASSERT(haven_radius_find(&pkt, HAVEN_RADIUS_FRAMED_IP_ADDRESS,
		&v, &vlen) && vlen == 4, "Framed-IP-Address");
	TEST_ASSERT(memcmp(v, "\xc0\x00\x02\x96", 4) == 0, "192.0.2.150");
	TEST_ASSERT(haven_radius_find_vsa(&pkt, HAVEN_RADIUS_VENDOR_3GPP2,
		HAVEN_RADIUS_3GPP2_MN_HA_SPI, &v, &vlen) && vlen == 4, "SPI");
	TEST_ASSERT_EQUAL(haven_get_be32(v), 1000, "SPI value");
	TEST_ASSERT(haven_radius_find_vsa(&pkt, HAVEN_RADIUS_VENDOR_3GPP2,
		HAVEN_RADIUS_3GPP2_MN_HA_KEY, &v, &vlen), "key");
	TEST_ASSERT_EQUAL(haven_radius_salted_decode(v, vlen, ra, SECRET,
		SLEN, out), 20, "key length");
	TEST_ASSERT_MEM(out, key, 20, "key");
	TEST_ASSERT(haven_radius_salted_decode(v, vlen, ra, SECRET2, SLEN2,
		out) < 0 || memcmp(out, key, 20) != 0, "wrong secret");

	haven_put_be32(spi, 1000);
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_ACCEPT, 0x2a, NULL);
	haven_radius_add_ipv4(&b, HAVEN_RADIUS_FRAMED_IP_ADDRESS,
		ip4("192.0.2.150"));
	haven_radius_add_vsa(&b, HAVEN_RADIUS_VENDOR_3GPP2,
		HAVEN_RADIUS_3GPP2_MN_HA_SPI, spi, 4);
	haven_radius_add_salted_vsa(&b, HAVEN_RADIUS_VENDOR_3GPP2,
		HAVEN_RADIUS_3GPP2_MN_HA_KEY, (const uint8_t *)key, 20, salt,
		ra, SECRET, SLEN);
	haven_radius_add_u32(&b, HAVEN_RADIUS_SESSION_TIMEOUT, 3600);
	haven_radius_add_string(&b, HAVEN_RADIUS_CLASS, "haven-class-1");
	haven_radius_add_message_authenticator(&b);
	len = haven_radius_finish(&b, SECRET, SLEN, ra, false);
	TEST_ASSERT_EQUAL(len, sizeof(v_access_accept), "length");
	dump_diff("V2", buf, v_access_accept, sizeof(v_access_accept));
	TEST_ASSERT_MEM(buf, v_access_accept, sizeof(v_access_accept),
		"Access-Accept bytes");
	return 0;
}

static int
test_vector_reject_and_status(void)
{
	const uint8_t *ra = v_access_request + 4;
	struct haven_radius_builder b;
	struct haven_radius_pkt pkt;
	uint8_t buf[256];
	int len;

	TEST_ASSERT_EQUAL(haven_radius_parse(v_access_reject,
		sizeof(v_access_reject), &pkt, NULL, 0), 0, "parse");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra, SECRET, SLEN,
		true), 0, "reject authentic");
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_REJECT, 0x2a, NULL);
	haven_radius_add_message_authenticator(&b);
	len = haven_radius_finish(&b, SECRET, SLEN, ra, false);
	TEST_ASSERT_EQUAL(len, sizeof(v_access_reject), "length");
	TEST_ASSERT_MEM(buf, v_access_reject, sizeof(v_access_reject),
		"Access-Reject bytes");

	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_STATUS_SERVER, 9, v_status_server + 4);
	haven_radius_add_message_authenticator(&b);
	haven_radius_add_string(&b, HAVEN_RADIUS_NAS_IDENTIFIER, "haven-lab");
	len = haven_radius_finish(&b, SECRET, SLEN, NULL, false);
	TEST_ASSERT_EQUAL(len, sizeof(v_status_server), "length");
	TEST_ASSERT_MEM(buf, v_status_server, sizeof(v_status_server),
		"Status-Server bytes");
	return 0;
}

static int
test_vector_accounting(void)
{
	struct haven_radius_builder b;
	struct haven_radius_pkt pkt;
	uint8_t buf[512];
	const uint8_t *ra = v_acct_request + 4;
	int len;

	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCOUNTING_REQUEST, 7, NULL);
	haven_radius_add_message_authenticator(&b);
	haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_STATUS_TYPE,
		HAVEN_RADIUS_ACCT_STOP);
	haven_radius_add_string(&b, HAVEN_RADIUS_ACCT_SESSION_ID, "HA-1-0001");
	haven_radius_add_string(&b, HAVEN_RADIUS_USER_NAME,
		"mn-100@lab.example");
	haven_radius_add_ipv4(&b, HAVEN_RADIUS_NAS_IP_ADDRESS,
		ip4("127.0.0.1"));
	haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_SESSION_TIME, 125);
	haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_INPUT_OCTETS, 0x10);
	haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_INPUT_GIGAWORDS, 1);
	haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_OUTPUT_OCTETS, 0x89abcdef);
	haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_INPUT_PACKETS, 1000);
	haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_OUTPUT_PACKETS, 2000);
	haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_TERMINATE_CAUSE,
		HAVEN_RADIUS_TERM_USER_REQUEST);
	len = haven_radius_finish(&b, SECRET, SLEN, NULL, false);
	TEST_ASSERT_EQUAL(len, sizeof(v_acct_request), "length");
	dump_diff("V4", buf, v_acct_request, sizeof(v_acct_request));
	TEST_ASSERT_MEM(buf, v_acct_request, sizeof(v_acct_request),
		"Accounting-Request bytes (RFC 2866 Request Authenticator)");
	TEST_ASSERT_EQUAL(haven_radius_parse(buf, (size_t)len, &pkt, NULL, 0),
		0, "parse");
	TEST_ASSERT_EQUAL(haven_radius_verify_request(&pkt, SECRET, SLEN,
		true), 0, "verifies");

	/* the answer, with either Message-Authenticator form */
	TEST_ASSERT_EQUAL(haven_radius_parse(v_acct_response_ra,
		sizeof(v_acct_response_ra), &pkt, NULL, 0), 0, "parse");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra, SECRET, SLEN,
		true), 0, "MA over the Request Authenticator");
	TEST_ASSERT_EQUAL(haven_radius_parse(v_acct_response_zero,
		sizeof(v_acct_response_zero), &pkt, NULL, 0), 0, "parse");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra, SECRET, SLEN,
		true), 0, "MA over zeros (FreeRADIUS 3)");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra, SECRET2,
		SLEN2, true), -EACCES, "wrong secret");

	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCOUNTING_RESPONSE, 7, NULL);
	haven_radius_add_message_authenticator(&b);
	len = haven_radius_finish(&b, SECRET, SLEN, ra, true);
	TEST_ASSERT_MEM(buf, v_acct_response_zero, sizeof(v_acct_response_zero),
		"zero form bytes");
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCOUNTING_RESPONSE, 7, NULL);
	haven_radius_add_message_authenticator(&b);
	len = haven_radius_finish(&b, SECRET, SLEN, ra, false);
	TEST_ASSERT_EQUAL(len, sizeof(v_acct_response_ra), "length");
	TEST_ASSERT_MEM(buf, v_acct_response_ra, sizeof(v_acct_response_ra),
		"request authenticator form bytes");
	return 0;
}

/*
 * BlastRADIUS: a forger who makes the Response Authenticator verify (here
 * by knowing the secret, as an MD5 collision would) still cannot produce
 * the Message-Authenticator of a changed answer.
 */
static int
test_blastradius_forgery(void)
{
	const uint8_t *ra = v_access_request + 4;
	uint8_t forged[sizeof(v_access_reject)];
	struct haven_radius_pkt pkt;
	uint8_t md5in[256];

	memcpy(forged, v_access_reject, sizeof(forged));
	forged[0] = HAVEN_RADIUS_ACCESS_ACCEPT;	/* Reject -> Accept */
	/* recompute the MD5 Response Authenticator as the collision would */
	memcpy(md5in, forged, sizeof(forged));
	memcpy(md5in + 4, ra, 16);
	memcpy(md5in + sizeof(forged), SECRET, SLEN);
	md5(md5in, sizeof(forged) + SLEN, forged + 4);
	TEST_ASSERT_EQUAL(haven_radius_parse(forged, sizeof(forged), &pkt,
		NULL, 0), 0, "parse");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra, SECRET, SLEN,
		true), -EACCES, "Message-Authenticator catches it");
	/* and with the Message-Authenticator removed, "required" catches it */
	forged[3] = 20;
	memcpy(md5in, forged, 20);
	memcpy(md5in + 4, ra, 16);
	memcpy(md5in + 20, SECRET, SLEN);
	md5(md5in, 20 + SLEN, forged + 4);
	TEST_ASSERT_EQUAL(haven_radius_parse(forged, 20, &pkt, NULL, 0), 0,
		"parse");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra, SECRET, SLEN,
		false), 0, "MD5 alone is fooled");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt, ra, SECRET, SLEN,
		true), -ENOMSG, "required Message-Authenticator is not");
	return 0;
}

static int
test_parse_framing(void)
{
	static const struct {
		const char *what;
		const char *hex;
		const char *reason;
	} bad[] = {
		{ "short", "0100", "shorter than" },
		{ "Length below 20", "01000013" "00000000000000000000000000000000",
		  "outside" },
		{ "Length beyond data", "01000020" "00000000000000000000000000000000",
		  "exceeds" },
		{ "attribute length 1", "01000016" "00000000000000000000000000000000" "0101",
		  "length 1" },
		{ "attribute overruns", "01000016" "00000000000000000000000000000000" "0105",
		  "length 5" },
		{ "half a header", "01000015" "00000000000000000000000000000000" "01",
		  "overruns" },
		{ "type 0", "01000016" "00000000000000000000000000000000" "0002",
		  "type 0" },
		{ "MA of 17 octets", "01000025" "00000000000000000000000000000000"
		  "5011" "000000000000000000000000000000",
		  "not 18" },
		{ "two MAs", "01000038" "00000000000000000000000000000000"
		  "5012" "00000000000000000000000000000000"
		  "5012" "00000000000000000000000000000000",
		  "second Message-Authenticator" },
	};
	struct haven_radius_pkt pkt;
	uint8_t buf[128];
	char err[128];
	size_t i, j, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = strlen(bad[i].hex) / 2;
		for (j = 0; j < n; j++)
			sscanf(bad[i].hex + 2 * j, "%2hhx", &buf[j]);
		TEST_ASSERT_EQUAL(haven_radius_parse(buf, n, &pkt, err,
			sizeof(err)), -EINVAL, "%s accepted", bad[i].what);
		TEST_ASSERT(strstr(err, bad[i].reason) != NULL,
			"%s: reason \"%s\"", bad[i].what, err);
	}
	/* octets beyond Length are padding (RFC 2865 3) */
	memcpy(buf, rfc7_1_accept, sizeof(rfc7_1_accept));
	memset(buf + sizeof(rfc7_1_accept), 0xee, 10);
	TEST_ASSERT_EQUAL(haven_radius_parse(buf, sizeof(rfc7_1_accept) + 10,
		&pkt, NULL, 0), 0, "padding");
	TEST_ASSERT_EQUAL(pkt.len, sizeof(rfc7_1_accept), "Length used");
	TEST_ASSERT_EQUAL(haven_radius_verify_response(&pkt,
		rfc7_1_request + 4, RFC_SECRET, RFC_SLEN, false), 0,
		"padding not authenticated");
	return 0;
}

static int
test_vsa_walk(void)
{
	/* one VSA of vendor 9 with two sub-attributes, one malformed VSA of
	 * vendor 5535, one well-formed 5535 VSA */
	static const uint8_t msg[] = {
		0x02, 0x00, 0x00, 0x39, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0,
		0x1a, 0x0e, 0x00, 0x00, 0x00, 0x09, 0x01, 0x03, 'a', 0x01,
		0x05, 'b', 'c', 'd',
		0x1a, 0x0b, 0x00, 0x00, 0x15, 0x9f, 0x39, 0x09, 0, 0, 0,
		0x1a, 0x0c, 0x00, 0x00, 0x15, 0x9f, 0x39, 0x06, 0, 0, 0x01,
		0x00,
	};
	struct haven_radius_pkt pkt;
	size_t off = 0, sub = 0;
	const uint8_t *v;
	uint8_t t, len;

	TEST_ASSERT_EQUAL(haven_radius_parse(msg, sizeof(msg), &pkt, NULL, 0),
		0, "parse");
	TEST_ASSERT(haven_radius_next_vsa(&pkt, 9, &off, &sub, &t, &v, &len),
		"first");
	TEST_ASSERT(t == 1 && len == 1 && v[0] == 'a', "a");
	TEST_ASSERT(haven_radius_next_vsa(&pkt, 9, &off, &sub, &t, &v, &len),
		"second");
	TEST_ASSERT(t == 1 && len == 3 && memcmp(v, "bcd", 3) == 0, "bcd");
	TEST_ASSERT(!haven_radius_next_vsa(&pkt, 9, &off, &sub, &t, &v, &len),
		"end");
	TEST_ASSERT(haven_radius_find_vsa(&pkt, 5535, 57, &v, &len), "3GPP2");
	TEST_ASSERT_EQUAL(haven_get_be32(v), 256, "the well-formed one");
	return 0;
}

static int
test_salted_limits(void)
{
	const uint8_t *ra = v_access_request + 4;
	uint8_t val[64], out[HAVEN_RADIUS_MAX_SALTED];
	struct haven_radius_builder b;
	uint8_t buf[512];
	static const uint8_t salt[2] = { 0x80, 0x01 };
	uint8_t key[HAVEN_RADIUS_MAX_SALTED];
	struct haven_radius_pkt pkt;
	const uint8_t *v;
	uint8_t vlen;

	memset(val, 0, sizeof(val));
	TEST_ASSERT_EQUAL(haven_radius_salted_decode(val, 2, ra, SECRET, SLEN,
		out), -EINVAL, "salt only");
	TEST_ASSERT_EQUAL(haven_radius_salted_decode(val, 2 + 15, ra, SECRET,
		SLEN, out), -EINVAL, "partial block");
	/* a block whose length octet decrypts to more than it holds */
	TEST_ASSERT(haven_radius_salted_decode(val, 2 + 16, ra, SECRET, SLEN,
		out) < 0 || out[0] != 0xff, "length octet bounds");

	/* the longest key round-trips through 15 blocks */
	memset(key, 0x5a, sizeof(key));
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_ACCEPT, 1, NULL);
	haven_radius_add_salted_vsa(&b, HAVEN_RADIUS_VENDOR_3GPP2,
		HAVEN_RADIUS_3GPP2_MN_HA_KEY, key, sizeof(key), salt, ra,
		SECRET, SLEN);
	TEST_ASSERT(haven_radius_finish(&b, SECRET, SLEN, ra, false) > 0,
		"builds");
	TEST_ASSERT_EQUAL(haven_radius_parse(buf, b.len, &pkt, NULL, 0), 0,
		"parse");
	TEST_ASSERT(haven_radius_find_vsa(&pkt, HAVEN_RADIUS_VENDOR_3GPP2,
		HAVEN_RADIUS_3GPP2_MN_HA_KEY, &v, &vlen), "found");
	TEST_ASSERT_EQUAL(vlen, 2 + 240, "15 blocks");
	TEST_ASSERT_EQUAL(haven_radius_salted_decode(v, vlen, ra, SECRET, SLEN,
		out), HAVEN_RADIUS_MAX_SALTED, "decodes");
	TEST_ASSERT_MEM(out, key, sizeof(key), "same key");
	/* one more octet does not fit an attribute */
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_ACCEPT, 1, NULL);
	TEST_ASSERT_EQUAL(haven_radius_add_salted_vsa(&b,
		HAVEN_RADIUS_VENDOR_3GPP2, HAVEN_RADIUS_3GPP2_MN_HA_KEY, key,
		sizeof(key) + 1 > sizeof(key) ? sizeof(key) + 1 : 0, salt, ra,
		SECRET, SLEN), -EINVAL, "too long");
	return 0;
}

static int
test_builder_limits(void)
{
	struct haven_radius_builder b;
	uint8_t buf[64], big[300];

	memset(big, 'x', sizeof(big));
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_REQUEST, 1, v_access_request + 4);
	TEST_ASSERT_EQUAL(haven_radius_add(&b, 1, big, 254), -EINVAL,
		"value over 253");
	TEST_ASSERT_EQUAL(haven_radius_add(&b, 1, big, 3), -EINVAL, "sticky");
	TEST_ASSERT_EQUAL(haven_radius_finish(&b, SECRET, SLEN, NULL, false),
		-EINVAL, "finish reports it");

	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_REQUEST, 1, v_access_request + 4);
	TEST_ASSERT_EQUAL(haven_radius_add(&b, 1, big, 43), -ENOSPC,
		"buffer of 64");
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_REQUEST, 1, v_access_request + 4);
	TEST_ASSERT_EQUAL(haven_radius_add(&b, 1, big, 42), 0, "exactly fits");
	TEST_ASSERT_EQUAL(haven_radius_finish(&b, SECRET, SLEN, NULL, false),
		64, "64");
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_REQUEST, 1, v_access_request + 4);
	haven_radius_add_message_authenticator(&b);
	TEST_ASSERT_EQUAL(haven_radius_add_message_authenticator(&b), -EINVAL,
		"one MA");
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_ACCEPT, 1, NULL);
	TEST_ASSERT_EQUAL(haven_radius_finish(&b, SECRET, SLEN, NULL, false),
		-EINVAL, "a response needs the request's authenticator");
	haven_radius_build_init(&b, buf, sizeof(buf),
		HAVEN_RADIUS_ACCESS_REQUEST, 1, v_access_request + 4);
	TEST_ASSERT_EQUAL(haven_radius_finish(&b, SECRET, 0, NULL, false),
		-EINVAL, "empty secret");
	return 0;
}

static int
test_cisco_avpair(void)
{
	static const struct {
		const char *text;
		int rc;
		uint32_t spi;
		uint8_t alg;
		uint8_t key_len;
		uint32_t window;
	} cases[] = {
		{ "mobileip:spi#0=spi 1000 key hex 00112233445566778899aabbccddeeff algorithm hmac-md5 replay timestamp within 7",
		  0, 1000, 0, 16, 7 },
		{ "mobileip:spi#1=spi 4294967295 key ascii secret-word",
		  0, 4294967295u, 0, 11, 0 },
		{ "MOBILEIP:SPI#2=SPI 300 KEY HEX 0a0B ALGORITHM HMAC-SHA256 REPLAY TIMESTAMP",
		  0, 300, 1, 2, 0 },
		{ "mobileip:spi#0=spi 100 key hex 0011 algorithm md5 mode prefix-suffix",
		  -EINVAL, 0, 0, 0, 0 },
		{ "mobileip:spi#0=spi 100 key hex 001", -EINVAL, 0, 0, 0, 0 },
		{ "mobileip:spi#0=spi 100 key hex 00zz", -EINVAL, 0, 0, 0, 0 },
		{ "mobileip:spi#0=spi 4294967296 key hex 00", -EINVAL, 0, 0, 0, 0 },
		{ "mobileip:spi#0=key hex 0011", -EINVAL, 0, 0, 0, 0 },
		{ "mobileip:spi#0=spi 100", -EINVAL, 0, 0, 0, 0 },
		{ "mobileip:spi#=spi 100 key hex 00", -EINVAL, 0, 0, 0, 0 },
		{ "mobileip:spi#0=spi 100 key hex 00 colour blue", -EINVAL, 0, 0, 0, 0 },
		{ "ip:addr-pool=lab", -ENOENT, 0, 0, 0, 0 },
	};
	struct haven_radius_cisco_sa sa;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = haven_radius_cisco_spi_parse(
			(const uint8_t *)cases[i].text, strlen(cases[i].text),
			&sa);

		TEST_ASSERT_EQUAL(rc, cases[i].rc, "\"%s\"", cases[i].text);
		if (rc != 0)
			continue;
		TEST_ASSERT_EQUAL(sa.spi, cases[i].spi, "spi of %zu", i);
		TEST_ASSERT_EQUAL(sa.alg, cases[i].alg, "alg of %zu", i);
		TEST_ASSERT_EQUAL(sa.key_len, cases[i].key_len, "key of %zu", i);
		TEST_ASSERT_EQUAL(sa.replay_window, cases[i].window,
			"window of %zu", i);
	}
	haven_radius_cisco_spi_parse((const uint8_t *)cases[0].text,
		strlen(cases[0].text), &sa);
	TEST_ASSERT_MEM(sa.key, "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99"
		"\xaa\xbb\xcc\xdd\xee\xff", 16, "hex key");
	return 0;
}

/* ------------------------------------------------------------------ */
/* The engine against fake servers and a fake clock                   */
/* ------------------------------------------------------------------ */

#define NET_MAX 8192

struct sent {
	unsigned int sock;
	struct haven_addr addr;
	uint16_t port;
	size_t len;
	uint8_t b[HAVEN_RADIUS_REQ_MAX];
};

static struct sent net[NET_MAX];
static unsigned int net_n;
static bool fail_send;
static uint64_t rnd;

static int
fake_send(void *ctx, unsigned int sock, const struct haven_addr *addr,
		uint16_t port, const uint8_t *buf, size_t len)
{
	(void)ctx;
	if (net_n < NET_MAX) {
		net[net_n].sock = sock;
		net[net_n].addr = *addr;
		net[net_n].port = port;
		net[net_n].len = len;
		memcpy(net[net_n].b, buf, len);
		net_n++;
	}
	return fail_send ? -ENETUNREACH : 0;
}

/* Deterministic "random" octets (the tests need repeatable runs). */
static void
fake_random(void *ctx, uint8_t *buf, size_t len)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < len; i++) {
		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[i] = (uint8_t)(rnd >> 56);
	}
}

static const struct haven_radius_client_ops fake_ops = {
	.send = fake_send,
	.random = fake_random,
};

/* Two servers, no jitter: every time is exact. */
static void
test_conf(struct haven_radius_conf *conf)
{
	haven_radius_conf_init(conf);
	conf->n_servers = 2;
	snprintf(conf->servers[0].name, HAVEN_RADIUS_NAME_LEN, "radius1");
	conf->servers[0].addr = haven_addr4(ip4("192.0.2.201"));
	conf->servers[0].auth_port = 1812;
	conf->servers[0].acct_port = 1813;
	memcpy(conf->servers[0].secret, SECRET, SLEN);
	conf->servers[0].secret_len = SLEN;
	conf->servers[0].timeout_ms = 1000;
	conf->servers[0].retries = 2;
	conf->servers[1] = conf->servers[0];
	snprintf(conf->servers[1].name, HAVEN_RADIUS_NAME_LEN, "radius2");
	conf->servers[1].addr = haven_addr4(ip4("192.0.2.202"));
	memcpy(conf->servers[1].secret, SECRET2, SLEN2);
	conf->servers[1].secret_len = SLEN2;
	conf->nas_addr = haven_addr4(ip4("192.0.2.1"));
	snprintf(conf->nas_identifier, sizeof(conf->nas_identifier),
		"haven-test");
	memcpy(conf->user_password, "haven-nas", 9);
	conf->user_password_len = 9;
	conf->revive_interval_ms = 5000;
	conf->max_pending = 64;
	conf->jitter_pct = 0;
}

static struct haven_radius_client *
new_client(const struct haven_radius_conf *conf)
{
	net_n = 0;
	fail_send = false;
	rnd = 42;
	return haven_radius_client_create(conf, &fake_ops, 0);
}

static void
auth_req(struct haven_radius_request *r, uint64_t tag, const char *nai,
		uint32_t spi)
{
	memset(r, 0, sizeof(*r));
	r->tag = tag;
	r->kind = HAVEN_RADIUS_AUTH;
	snprintf(r->auth.nai, sizeof(r->auth.nai), "%s", nai);
	r->auth.spi = spi;
	r->auth.ha_addr = ip4("192.0.2.1");
}

/* What an answer to a sent datagram carries. */
struct reply {
	uint8_t code;
	bool no_ma;		/* leave the Message-Authenticator out */
	bool acct_zero_ma;	/* FreeRADIUS 3's form */
	const uint8_t *secret;	/* NULL: the server's */
	size_t slen;
	uint32_t framed_ip;	/* 0: none */
	uint32_t spi;		/* 0: none */
	const char *key;	/* 3GPP2 salted key; NULL none */
	const char *cisco;	/* a Cisco-AVPair; NULL none */
	bool corrupt_key;	/* a key whose length octet is wrong */
	uint32_t session_timeout;
};

static const uint8_t *
server_secret(const struct haven_radius_conf *conf, const struct sent *s,
		size_t *slen)
{
	unsigned int i;

	for (i = 0; i < conf->n_servers; i++)
		if (haven_addr_eq(&conf->servers[i].addr, &s->addr)) {
			*slen = conf->servers[i].secret_len;
			return conf->servers[i].secret;
		}
	abort();
}

/* Build the answer to net[i] into out; its length. */
static size_t
build_reply(const struct haven_radius_conf *conf, unsigned int i,
		const struct reply *rp, uint8_t *out, size_t size)
{
	const struct sent *s = &net[i];
	struct haven_radius_builder b;
	const uint8_t *secret;
	size_t slen;
	int len;

	secret = server_secret(conf, s, &slen);
	if (rp->secret != NULL) {
		secret = rp->secret;
		slen = rp->slen;
	}
	haven_radius_build_init(&b, out, size, rp->code, s->b[1], NULL);
	if (rp->framed_ip != 0)
		haven_radius_add_ipv4(&b, HAVEN_RADIUS_FRAMED_IP_ADDRESS,
			rp->framed_ip);
	if (rp->spi != 0) {
		uint8_t v[4];

		haven_put_be32(v, rp->spi);
		haven_radius_add_vsa(&b, HAVEN_RADIUS_VENDOR_3GPP2,
			HAVEN_RADIUS_3GPP2_MN_HA_SPI, v, 4);
	}
	if (rp->key != NULL) {
		static const uint8_t salt[2] = { 0x12, 0x34 };

		haven_radius_add_salted_vsa(&b, HAVEN_RADIUS_VENDOR_3GPP2,
			HAVEN_RADIUS_3GPP2_MN_HA_KEY, (const uint8_t *)rp->key,
			strlen(rp->key), salt, s->b + 4, secret, slen);
		if (rp->corrupt_key)
			out[b.len - 16] ^= 0xff;	/* the length octet */
	}
	if (rp->cisco != NULL)
		haven_radius_add_vsa(&b, HAVEN_RADIUS_VENDOR_CISCO,
			HAVEN_RADIUS_CISCO_AVPAIR, rp->cisco,
			strlen(rp->cisco));
	if (rp->session_timeout != 0)
		haven_radius_add_u32(&b, HAVEN_RADIUS_SESSION_TIMEOUT,
			rp->session_timeout);
	if (!rp->no_ma)
		haven_radius_add_message_authenticator(&b);
	len = haven_radius_finish(&b, secret, slen, s->b + 4,
		rp->acct_zero_ma);
	if (len < 0)
		abort();
	return (size_t)len;
}

/* Answer net[i] as its server would, at now. */
static void
reply_to(struct haven_radius_client *c, const struct haven_radius_conf *conf,
		unsigned int i, const struct reply *rp, uint64_t now)
{
	uint8_t out[HAVEN_RADIUS_MAX_LEN];
	size_t len = build_reply(conf, i, rp, out, sizeof(out));

	haven_radius_client_input(c, net[i].sock, &net[i].addr, net[i].port,
		out, len, now);
}

static int
check_request(const struct haven_radius_conf *conf, unsigned int i,
		uint8_t code, struct haven_radius_pkt *pkt)
{
	size_t slen;
	const uint8_t *secret = server_secret(conf, &net[i], &slen);

	TEST_ASSERT_EQUAL(haven_radius_parse(net[i].b, net[i].len, pkt, NULL,
		0), 0, "sent datagram %u parses", i);
	TEST_ASSERT_EQUAL(pkt->code, code, "code of datagram %u", i);
	TEST_ASSERT_EQUAL(pkt->ma_off, HAVEN_RADIUS_HDR_LEN + 2,
		"Message-Authenticator first in %u", i);
	TEST_ASSERT_EQUAL(haven_radius_verify_request(pkt, secret, slen, true),
		0, "datagram %u authentic for its server", i);
	return 0;
}

static int
test_engine_accept(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res;
	struct haven_radius_server_stats st;
	struct haven_radius_pkt pkt;
	const uint8_t *v;
	uint8_t vlen, pw[128];
	struct reply rp = {
		.code = HAVEN_RADIUS_ACCESS_ACCEPT,
		.framed_ip = ip4("192.0.2.150"), .spi = 1000,
		.key = "mn-100-key-from-aaa", .session_timeout = 600,
	};

	test_conf(&conf);
	c = new_client(&conf);
	TEST_ASSERT(c != NULL, "create");
	auth_req(&req, 77, "mn-100@lab.example", 1000);
	TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 100), 0, "submit");
	TEST_ASSERT_EQUAL(net_n, 1, "one datagram");
	TEST_ASSERT(haven_addr_eq(&net[0].addr, &conf.servers[0].addr) &&
		net[0].port == 1812, "to the first server's auth port");
	if (check_request(&conf, 0, HAVEN_RADIUS_ACCESS_REQUEST, &pkt) < 0)
		return -1;
	TEST_ASSERT(haven_radius_find(&pkt, HAVEN_RADIUS_USER_NAME, &v, &vlen)
		&& vlen == 18 && memcmp(v, "mn-100@lab.example", 18) == 0,
		"User-Name is the NAI");
	TEST_ASSERT(haven_radius_find(&pkt, HAVEN_RADIUS_USER_PASSWORD, &v,
		&vlen), "User-Password");
	TEST_ASSERT_EQUAL(haven_radius_user_password_decode(v, vlen, pkt.auth,
		SECRET, SLEN, pw), 9, "hidden with the server's secret");
	TEST_ASSERT_MEM(pw, "haven-nas", 9, "password");
	TEST_ASSERT(haven_radius_find_vsa(&pkt, HAVEN_RADIUS_VENDOR_3GPP2,
		HAVEN_RADIUS_3GPP2_MN_HA_SPI, &v, &vlen) &&
		haven_get_be32(v) == 1000, "3GPP2-MN-HA-SPI");
	TEST_ASSERT(haven_radius_find(&pkt, HAVEN_RADIUS_NAS_IDENTIFIER, &v,
		&vlen) && vlen == 10, "NAS-Identifier");
	TEST_ASSERT(!haven_radius_find(&pkt, HAVEN_RADIUS_FRAMED_IP_ADDRESS,
		&v, &vlen), "no address hint for a NAI-only node");
	TEST_ASSERT_EQUAL(haven_radius_client_next_deadline(c), 1100,
		"first timer at timeout_ms");
	TEST_ASSERT_EQUAL(haven_radius_client_poll(c, &res, 1), 0,
		"nothing yet");

	reply_to(c, &conf, 0, &rp, 130);
	TEST_ASSERT_EQUAL(haven_radius_client_poll(c, &res, 1), 1, "result");
	TEST_ASSERT_EQUAL(res.tag, 77, "tag");
	TEST_ASSERT_EQUAL(res.status, HAVEN_RADIUS_ACCEPTED, "accepted");
	TEST_ASSERT_EQUAL(res.server, 0, "server");
	TEST_ASSERT_EQUAL(res.rtt_ms, 30, "rtt");
	TEST_ASSERT(res.has_framed_ip && res.framed_ip == ip4("192.0.2.150"),
		"Framed-IP-Address");
	TEST_ASSERT_EQUAL(res.sa_source, HAVEN_RADIUS_SA_3GPP2, "3GPP2");
	TEST_ASSERT_EQUAL(res.spi, 1000, "SPI");
	TEST_ASSERT_EQUAL(res.alg, 0, "HMAC-MD5");
	TEST_ASSERT_EQUAL(res.key_len, 19, "key length");
	TEST_ASSERT_MEM(res.key, "mn-100-key-from-aaa", 19, "key");
	TEST_ASSERT_EQUAL(res.session_timeout, 600, "Session-Timeout");
	TEST_ASSERT_EQUAL(haven_radius_client_next_deadline(c), UINT64_MAX,
		"no timer left");
	haven_radius_client_server_stats(c, 0, &st);
	TEST_ASSERT(st.requests == 1 && st.accepts == 1 && st.pending == 0 &&
		st.rtt_last_ms == 30 && st.rtt_min_ms == 30, "stats");
	/* the same answer again: its Identifier is free now */
	reply_to(c, &conf, 0, &rp, 140);
	TEST_ASSERT_EQUAL(haven_radius_client_poll(c, &res, 1), 0,
		"no second result");
	haven_radius_client_server_stats(c, 0, &st);
	TEST_ASSERT_EQUAL(st.dropped_unmatched, 1, "duplicate dropped");
	haven_radius_client_free(c);
	return 0;
}

static int
test_engine_reject_and_invalid(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res;
	struct reply rej = { .code = HAVEN_RADIUS_ACCESS_REJECT };
	struct reply chal = { .code = HAVEN_RADIUS_ACCESS_CHALLENGE };
	struct reply badkey = {
		.code = HAVEN_RADIUS_ACCESS_ACCEPT, .spi = 1000,
		.key = "0123456789", .corrupt_key = true,
	};
	struct reply nospi = {
		.code = HAVEN_RADIUS_ACCESS_ACCEPT, .key = "0123456789",
	};

	test_conf(&conf);
	c = new_client(&conf);
	auth_req(&req, 1, "nobody@lab.example", 0);
	haven_radius_client_submit(c, &req, 0);
	reply_to(c, &conf, 0, &rej, 5);
	TEST_ASSERT(haven_radius_client_poll(c, &res, 1) == 1 &&
		res.status == HAVEN_RADIUS_REJECTED && res.key_len == 0,
		"Access-Reject");

	req.tag = 2;
	haven_radius_client_submit(c, &req, 10);
	reply_to(c, &conf, 1, &chal, 15);
	TEST_ASSERT(haven_radius_client_poll(c, &res, 1) == 1 &&
		res.status == HAVEN_RADIUS_REJECTED,
		"Access-Challenge is a reject (RFC 2865 4.4)");

	req.tag = 3;
	haven_radius_client_submit(c, &req, 20);
	reply_to(c, &conf, 2, &badkey, 25);
	TEST_ASSERT(haven_radius_client_poll(c, &res, 1) == 1 &&
		res.status == HAVEN_RADIUS_INVALID && res.key_len == 0,
		"undecodable key: invalid, nothing kept");

	req.tag = 4;	/* no SPI asked, none given: the key is unusable */
	haven_radius_client_submit(c, &req, 30);
	reply_to(c, &conf, 3, &nospi, 35);
	TEST_ASSERT(haven_radius_client_poll(c, &res, 1) == 1 &&
		res.status == HAVEN_RADIUS_INVALID, "key without any SPI");

	auth_req(&req, 5, "mn@lab.example", 700);	/* the request's SPI */
	haven_radius_client_submit(c, &req, 40);
	reply_to(c, &conf, 4, &nospi, 45);
	TEST_ASSERT(haven_radius_client_poll(c, &res, 1) == 1 &&
		res.status == HAVEN_RADIUS_ACCEPTED && res.spi == 700 &&
		res.key_len == 10, "key for the SPI asked");
	haven_radius_client_free(c);
	return 0;
}

static int
test_engine_cisco(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res;
	struct reply rp = {
		.code = HAVEN_RADIUS_ACCESS_ACCEPT,
		.cisco = "mobileip:spi#0=spi 2000 key hex 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f algorithm hmac-sha256",
	};

	test_conf(&conf);
	c = new_client(&conf);
	auth_req(&req, 9, "mn-cisco@lab.example", 0);
	haven_radius_client_submit(c, &req, 0);
	reply_to(c, &conf, 0, &rp, 3);
	TEST_ASSERT_EQUAL(haven_radius_client_poll(c, &res, 1), 1, "result");
	TEST_ASSERT_EQUAL(res.status, HAVEN_RADIUS_ACCEPTED, "accepted");
	TEST_ASSERT_EQUAL(res.sa_source, HAVEN_RADIUS_SA_CISCO, "Cisco");
	TEST_ASSERT(res.spi == 2000 && res.alg == 1 && res.key_len == 32 &&
		res.key[31] == 0x1f, "SPI, HMAC-SHA256, key");
	haven_radius_client_free(c);
	return 0;
}

/* Retransmission times, identical datagrams, and failover. */
static int
test_engine_backoff_failover(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res;
	struct haven_radius_server_stats st;
	struct haven_radius_pkt pkt;
	struct reply ok = { .code = HAVEN_RADIUS_ACCESS_ACCEPT };

	test_conf(&conf);
	c = new_client(&conf);
	auth_req(&req, 5, "mn@lab.example", 0);
	haven_radius_client_submit(c, &req, 0);
	haven_radius_client_tick(c, 999);
	TEST_ASSERT_EQUAL(net_n, 1, "nothing before 1000 ms");
	haven_radius_client_tick(c, 1000);
	TEST_ASSERT_EQUAL(net_n, 2, "first retransmission at 1000 ms");
	TEST_ASSERT(net[1].len == net[0].len &&
		memcmp(net[1].b, net[0].b, net[0].len) == 0 &&
		net[1].sock == net[0].sock,
		"same datagram, same Identifier (RFC 5080 2.2.1)");
	TEST_ASSERT_EQUAL(haven_radius_client_next_deadline(c), 3000,
		"interval doubled to 2000");
	haven_radius_client_tick(c, 2999);
	TEST_ASSERT_EQUAL(net_n, 2, "nothing before 3000");
	haven_radius_client_tick(c, 3000);
	TEST_ASSERT_EQUAL(net_n, 3, "second retransmission at 3000");
	TEST_ASSERT_EQUAL(haven_radius_client_next_deadline(c), 7000,
		"interval doubled to 4000");
	haven_radius_client_tick(c, 7000);
	TEST_ASSERT_EQUAL(net_n, 4, "given up on the first server at 7000");
	TEST_ASSERT(haven_addr_eq(&net[3].addr, &conf.servers[1].addr),
		"failed over to the second server");
	if (check_request(&conf, 3, HAVEN_RADIUS_ACCESS_REQUEST, &pkt) < 0)
		return -1;
	TEST_ASSERT(memcmp(net[3].b + 4, net[0].b + 4, 16) != 0,
		"a new Request Authenticator for the new server");
	haven_radius_client_server_stats(c, 0, &st);
	TEST_ASSERT(st.requests == 1 && st.retransmissions == 2 &&
		st.timeouts == 1 && st.state == HAVEN_RADIUS_SERVER_DEAD &&
		st.deaths == 1 && st.pending == 0, "first server dead");

	reply_to(c, &conf, 3, &ok, 7050);
	TEST_ASSERT(haven_radius_client_poll(c, &res, 1) == 1 &&
		res.status == HAVEN_RADIUS_ACCEPTED && res.server == 1 &&
		res.rtt_ms == 7050, "answered by the second");

	/* the next request goes to the second server directly */
	req.tag = 6;
	haven_radius_client_submit(c, &req, 7100);
	TEST_ASSERT(haven_addr_eq(&net[4].addr, &conf.servers[1].addr),
		"dead server skipped");
	haven_radius_client_free(c);
	return 0;
}

/* When the first server dies, every request waiting for it moves at once. */
static int
test_engine_failover_moves_all(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res[8];
	struct haven_radius_server_stats st;
	struct reply ok = { .code = HAVEN_RADIUS_ACCESS_ACCEPT };
	unsigned int i, on_second = 0;
	uint64_t t;

	test_conf(&conf);
	c = new_client(&conf);
	for (i = 0; i < 5; i++) {
		auth_req(&req, 100 + i, "mn@lab.example", 0);
		haven_radius_client_submit(c, &req, 10 * i);
	}
	for (t = 0; t <= 7000; t += 10)	/* 7000: the first one's end */
		haven_radius_client_tick(c, t);
	for (i = 0; i < net_n; i++)
		if (haven_addr_eq(&net[i].addr, &conf.servers[1].addr))
			on_second++;
	TEST_ASSERT_EQUAL(on_second, 5, "all five moved at 7000");
	haven_radius_client_server_stats(c, 0, &st);
	TEST_ASSERT(st.pending == 0 && st.timeouts == 5, "none left on it");
	for (i = 0; i < net_n; i++)
		if (haven_addr_eq(&net[i].addr, &conf.servers[1].addr))
			reply_to(c, &conf, i, &ok, 7010);
	TEST_ASSERT_EQUAL(haven_radius_client_poll(c, res, 8), 5, "five");
	for (i = 0; i < 5; i++)
		TEST_ASSERT(res[i].status == HAVEN_RADIUS_ACCEPTED &&
			res[i].server == 1, "result %u", i);
	haven_radius_client_free(c);
	return 0;
}

/*
 * Both servers silent: a request ends with TIMEOUT within max_wait_ms;
 * with both dead, a new one ends at once with NO_SERVER; a probe answered
 * without a Message-Authenticator revives nothing, an authentic one does.
 */
static int
test_engine_dead_and_revival(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res;
	struct haven_radius_server_stats st;
	struct haven_radius_pkt pkt;
	struct reply ok = { .code = HAVEN_RADIUS_ACCESS_ACCEPT };
	struct reply ok_no_ma = { .code = HAVEN_RADIUS_ACCESS_ACCEPT,
		.no_ma = true };
	uint64_t t, bound;
	unsigned int before, probe;

	test_conf(&conf);
	c = new_client(&conf);
	bound = haven_radius_client_max_wait_ms(c);
	TEST_ASSERT_EQUAL(bound, 2 * (1001 + 2001 + 4001),
		"two servers of 1+2+4 s");
	auth_req(&req, 1, "mn@lab.example", 0);
	haven_radius_client_submit(c, &req, 0);
	for (t = 0; t <= bound; t += 50) {
		haven_radius_client_tick(c, t);
		if (haven_radius_client_poll(c, &res, 1) == 1)
			break;
	}
	TEST_ASSERT(t <= bound, "result within %llu ms",
		(unsigned long long)bound);
	TEST_ASSERT_EQUAL(t, 14000, "at 7 s + 7 s");
	TEST_ASSERT_EQUAL(res.status, HAVEN_RADIUS_TIMEOUT, "timeout");
	TEST_ASSERT_EQUAL(res.server, 0xff, "no server");

	before = net_n;
	req.tag = 2;
	TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, t), 0, "submit");
	TEST_ASSERT(haven_radius_client_poll(c, &res, 1) == 1 &&
		res.status == HAVEN_RADIUS_NO_SERVER && res.tag == 2,
		"all dead: at once, nothing sent");
	TEST_ASSERT_EQUAL(net_n, before, "nothing sent");

	/* the first server died at 7000: probe at 12000, every 5000 */
	TEST_ASSERT_EQUAL(haven_radius_client_next_deadline(c), 17000,
		"next probe: the first server's second (12000 was passed)");
	haven_radius_client_tick(c, 17000);
	probe = net_n - 1;
	TEST_ASSERT(haven_addr_eq(&net[probe].addr, &conf.servers[0].addr) &&
		net[probe].port == 1812, "probe to the auth port");
	if (check_request(&conf, probe, HAVEN_RADIUS_STATUS_SERVER, &pkt) < 0)
		return -1;
	reply_to(c, &conf, probe, &ok_no_ma, 17010);
	haven_radius_client_server_stats(c, 0, &st);
	TEST_ASSERT(st.state == HAVEN_RADIUS_SERVER_DEAD &&
		st.dropped_no_ma == 1, "probe answer without MA: still dead");
	reply_to(c, &conf, probe, &ok, 17020);
	haven_radius_client_server_stats(c, 0, &st);
	TEST_ASSERT(st.state == HAVEN_RADIUS_SERVER_ALIVE &&
		st.revivals == 1 && st.probes >= 1, "revived");

	req.tag = 3;
	haven_radius_client_submit(c, &req, 17030);
	TEST_ASSERT(haven_addr_eq(&net[net_n - 1].addr,
		&conf.servers[0].addr), "the first server is used again");
	haven_radius_client_free(c);
	return 0;
}

/* A server that answers other requests is not dead when one is lost. */
static int
test_engine_lost_answer_not_death(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res[2];
	struct haven_radius_server_stats st;
	struct reply ok = { .code = HAVEN_RADIUS_ACCESS_ACCEPT };
	uint64_t t;

	test_conf(&conf);
	c = new_client(&conf);
	auth_req(&req, 1, "lost@lab.example", 0);
	haven_radius_client_submit(c, &req, 0);
	auth_req(&req, 2, "found@lab.example", 0);
	haven_radius_client_submit(c, &req, 100);
	for (t = 0; t < 6000; t += 10)
		haven_radius_client_tick(c, t);
	reply_to(c, &conf, 1, &ok, 6000);	/* only the second one */
	for (; t <= 7000; t += 10)
		haven_radius_client_tick(c, t);
	haven_radius_client_server_stats(c, 0, &st);
	TEST_ASSERT_EQUAL(st.state, HAVEN_RADIUS_SERVER_ALIVE,
		"heard from since the lost one was sent: alive");
	TEST_ASSERT(haven_addr_eq(&net[net_n - 1].addr,
		&conf.servers[1].addr), "the lost one still tries the second");
	TEST_ASSERT_EQUAL(haven_radius_client_poll(c, res, 2), 1, "one result");
	haven_radius_client_free(c);
	return 0;
}

/* A full table refuses at once; a result not yet polled holds its slot. */
static int
test_engine_bounded_table(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res;
	struct haven_radius_stats st;
	struct reply ok = { .code = HAVEN_RADIUS_ACCESS_ACCEPT };
	unsigned int i, before;

	test_conf(&conf);
	conf.max_pending = 16;
	c = new_client(&conf);
	for (i = 0; i < 16; i++) {
		auth_req(&req, i, "flood@lab.example", 0);
		TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 0), 0,
			"submit %u", i);
	}
	before = net_n;
	req.tag = 99;
	TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 0), -ENOBUFS,
		"17th refused");
	TEST_ASSERT_EQUAL(net_n, before, "nothing sent for it");
	reply_to(c, &conf, 0, &ok, 10);
	TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 11), -ENOBUFS,
		"a result not polled still holds its slot");
	TEST_ASSERT_EQUAL(haven_radius_client_poll(c, &res, 1), 1, "poll");
	TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 12), 0,
		"room again");
	haven_radius_client_stats(c, &st);
	TEST_ASSERT(st.refused_full == 2 && st.submitted == 17 &&
		st.pending == 16, "counters");
	haven_radius_client_free(c);
	return 0;
}

/* Forged, misdirected or unauthenticated answers change nothing. */
static int
test_engine_forged_answers(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res;
	struct haven_radius_server_stats st;
	struct haven_radius_stats gst;
	struct haven_addr stranger = haven_addr4(ip4("203.0.113.66"));
	uint8_t out[HAVEN_RADIUS_MAX_LEN];
	struct reply wrong_secret = { .code = HAVEN_RADIUS_ACCESS_ACCEPT,
		.secret = SECRET2, .slen = SLEN2, .spi = 1, .key = "evil" };
	struct reply no_ma = { .code = HAVEN_RADIUS_ACCESS_ACCEPT,
		.spi = 1, .key = "evil" };
	struct reply acct = { .code = HAVEN_RADIUS_ACCOUNTING_RESPONSE };
	struct reply ok = { .code = HAVEN_RADIUS_ACCESS_ACCEPT, .spi = 7,
		.key = "good-key" };
	size_t len;

	no_ma.no_ma = true;
	test_conf(&conf);
	c = new_client(&conf);
	auth_req(&req, 1, "mn@lab.example", 7);
	haven_radius_client_submit(c, &req, 0);

	reply_to(c, &conf, 0, &wrong_secret, 1);
	reply_to(c, &conf, 0, &no_ma, 2);
	reply_to(c, &conf, 0, &acct, 3);	/* wrong code for the port */
	len = build_reply(&conf, 0, &ok, out, sizeof(out));
	haven_radius_client_input(c, net[0].sock, &stranger, 1812, out, len,
		4);
	haven_radius_client_input(c, net[0].sock, &net[0].addr, 1813, out,
		len, 5);	/* the acct port: another Identifier space */
	out[len - 1] ^= 1;	/* inside the Message-Authenticator */
	haven_radius_client_input(c, net[0].sock, &net[0].addr, 1812, out,
		len, 6);
	out[len - 1] ^= 1;
	out[30] ^= 1;		/* inside the key */
	haven_radius_client_input(c, net[0].sock, &net[0].addr, 1812, out,
		len, 7);
	out[30] ^= 1;
	haven_radius_client_input(c, net[0].sock, &net[0].addr, 1812, out, 10,
		8);		/* truncated */

	TEST_ASSERT_EQUAL(haven_radius_client_poll(c, &res, 1), 0,
		"no result from any of them");
	haven_radius_client_server_stats(c, 0, &st);
	TEST_ASSERT_EQUAL(st.dropped_auth, 3, "wrong secret, MA, key bit");
	TEST_ASSERT_EQUAL(st.dropped_no_ma, 1, "no Message-Authenticator");
	TEST_ASSERT_EQUAL(st.dropped_unmatched, 2, "wrong code, wrong port");
	TEST_ASSERT_EQUAL(st.dropped_malformed, 1, "truncated");
	TEST_ASSERT_EQUAL(st.state, HAVEN_RADIUS_SERVER_ALIVE, "alive");
	haven_radius_client_stats(c, &gst);
	TEST_ASSERT_EQUAL(gst.dropped_unknown_source, 1, "stranger");

	haven_radius_client_input(c, net[0].sock, &net[0].addr, 1812, out,
		len, 9);
	TEST_ASSERT_EQUAL(haven_radius_client_poll(c, &res, 1), 1,
		"the true answer still completes it");
	TEST_ASSERT(res.status == HAVEN_RADIUS_ACCEPTED && res.spi == 7 &&
		res.key_len == 8 && memcmp(res.key, "good-key", 8) == 0,
		"with the true key");
	haven_radius_client_free(c);
	return 0;
}

/* An Access-Accept without a Message-Authenticator never completes. */
static int
test_engine_missing_ma(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res;
	struct reply no_ma = { .code = HAVEN_RADIUS_ACCESS_ACCEPT,
		.no_ma = true };
	uint64_t t;
	unsigned int i;

	test_conf(&conf);
	conf.n_servers = 1;
	c = new_client(&conf);
	auth_req(&req, 1, "mn@lab.example", 0);
	haven_radius_client_submit(c, &req, 0);
	for (t = 0; t <= 8000; t += 100) {
		for (i = 0; i < net_n; i++)
			reply_to(c, &conf, i, &no_ma, t);
		haven_radius_client_tick(c, t);
		if (haven_radius_client_poll(c, &res, 1) == 1)
			break;
	}
	TEST_ASSERT_EQUAL(res.status, HAVEN_RADIUS_TIMEOUT,
		"every answer lacked the Message-Authenticator: timeout");
	haven_radius_client_free(c);
	return 0;
}

/* 300 requests to one server: two sockets, distinct (socket, Identifier). */
static int
test_engine_identifiers(void)
{
	static struct haven_radius_result res[300];
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct reply ok = { .code = HAVEN_RADIUS_ACCESS_ACCEPT };
	static bool seen[2][256];
	unsigned int i, n;

	test_conf(&conf);
	conf.max_pending = 300;
	c = new_client(&conf);
	TEST_ASSERT_EQUAL(haven_radius_client_n_sockets(c), 2, "sockets");
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 300; i++) {
		auth_req(&req, 1000 + i, "mn@lab.example", 0);
		TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 0), 0,
			"submit %u", i);
		TEST_ASSERT(net[i].sock < 2, "socket");
		TEST_ASSERT(!seen[net[i].sock][net[i].b[1]],
			"(socket %u, id %u) used twice", net[i].sock,
			net[i].b[1]);
		seen[net[i].sock][net[i].b[1]] = true;
	}
	/* answer in reverse order: each reaches its own request */
	for (i = 300; i-- > 0;)
		reply_to(c, &conf, i, &ok, 50);
	n = haven_radius_client_poll(c, res, 300);
	TEST_ASSERT_EQUAL(n, 300, "all answered");
	for (i = 0; i < 300; i++)
		TEST_ASSERT_EQUAL(res[i].tag, 1000 + 299 - i, "order %u", i);
	haven_radius_client_free(c);
	return 0;
}

static int
test_engine_cancel(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res;
	struct haven_radius_server_stats st;
	struct reply ok = { .code = HAVEN_RADIUS_ACCESS_ACCEPT };

	test_conf(&conf);
	c = new_client(&conf);
	auth_req(&req, 55, "mn@lab.example", 0);
	haven_radius_client_submit(c, &req, 0);
	TEST_ASSERT_EQUAL(haven_radius_client_cancel(c, 56), -ENOENT,
		"unknown tag");
	TEST_ASSERT_EQUAL(haven_radius_client_cancel(c, 55), 0, "cancel");
	TEST_ASSERT_EQUAL(haven_radius_client_cancel(c, 55), -ENOENT, "twice");
	TEST_ASSERT(haven_radius_client_poll(c, &res, 1) == 1 &&
		res.tag == 55 && res.status == HAVEN_RADIUS_CANCELLED,
		"one cancelled result");
	TEST_ASSERT_EQUAL(haven_radius_client_next_deadline(c), UINT64_MAX,
		"its timer is gone");
	reply_to(c, &conf, 0, &ok, 10);
	TEST_ASSERT_EQUAL(haven_radius_client_poll(c, &res, 1), 0,
		"the late answer gives no second result");
	haven_radius_client_server_stats(c, 0, &st);
	TEST_ASSERT(st.dropped_unmatched == 1 && st.pending == 0, "dropped");
	haven_radius_client_free(c);
	return 0;
}

/* Accounting: 64-bit counters, Acct-Delay-Time, FreeRADIUS's MA form. */
static int
test_engine_accounting(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res;
	struct haven_radius_pkt pkt;
	struct reply resp = { .code = HAVEN_RADIUS_ACCOUNTING_RESPONSE,
		.acct_zero_ma = true };
	const uint8_t *v;
	uint8_t vlen;

	test_conf(&conf);
	c = new_client(&conf);
	memset(&req, 0, sizeof(req));
	req.tag = 0xacc7;
	req.kind = HAVEN_RADIUS_ACCT;
	req.acct.status = HAVEN_RADIUS_ACCT_STOP;
	req.acct.terminate_cause = HAVEN_RADIUS_TERM_SESSION_TIMEOUT;
	snprintf(req.acct.nai, sizeof(req.acct.nai), "mn-100@lab.example");
	snprintf(req.acct.session_id, sizeof(req.acct.session_id),
		"haven-c0000264-1");
	req.acct.framed_addr = ip4("192.0.2.100");
	req.acct.in_octets = (5ULL << 32) + 17;
	req.acct.out_octets = 123456;
	req.acct.in_packets = (1ULL << 32) + 3;	/* modulo 2^32 */
	req.acct.out_packets = 99;
	req.acct.session_time = 3601;
	req.acct.event_ms = 1000;
	req.acct.class_len = 5;
	memcpy(req.acct.class_val, "CLASS", 5);
	TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 4500), 0,
		"submit");
	TEST_ASSERT_EQUAL(net[0].port, 1813, "acct port");
	if (check_request(&conf, 0, HAVEN_RADIUS_ACCOUNTING_REQUEST, &pkt) < 0)
		return -1;
#define U32_OF(type, want, what) do {					\
	TEST_ASSERT(haven_radius_find(&pkt, type, &v, &vlen) &&		\
		vlen == 4, "%s present", what);				\
	TEST_ASSERT_EQUAL(haven_get_be32(v), want, "%s", what);		\
} while (0)
	U32_OF(HAVEN_RADIUS_ACCT_STATUS_TYPE, 2, "Acct-Status-Type Stop");
	U32_OF(HAVEN_RADIUS_ACCT_INPUT_OCTETS, 17, "Acct-Input-Octets");
	U32_OF(HAVEN_RADIUS_ACCT_INPUT_GIGAWORDS, 5, "Acct-Input-Gigawords");
	U32_OF(HAVEN_RADIUS_ACCT_OUTPUT_OCTETS, 123456, "Acct-Output-Octets");
	U32_OF(HAVEN_RADIUS_ACCT_INPUT_PACKETS, 3, "Acct-Input-Packets");
	U32_OF(HAVEN_RADIUS_ACCT_OUTPUT_PACKETS, 99, "Acct-Output-Packets");
	U32_OF(HAVEN_RADIUS_ACCT_SESSION_TIME, 3601, "Acct-Session-Time");
	U32_OF(HAVEN_RADIUS_ACCT_TERMINATE_CAUSE, 5, "Acct-Terminate-Cause");
	U32_OF(HAVEN_RADIUS_ACCT_DELAY_TIME, 3, "Acct-Delay-Time (3.5 s)");
	U32_OF(HAVEN_RADIUS_ACCT_AUTHENTIC, 1, "Acct-Authentic RADIUS");
#undef U32_OF
	TEST_ASSERT(!haven_radius_find(&pkt, HAVEN_RADIUS_ACCT_OUTPUT_GIGAWORDS,
		&v, &vlen), "no Gigawords under 2^32");
	TEST_ASSERT(haven_radius_find(&pkt, HAVEN_RADIUS_ACCT_SESSION_ID, &v,
		&vlen) && vlen == 16, "Acct-Session-Id");
	TEST_ASSERT(haven_radius_find(&pkt, HAVEN_RADIUS_CLASS, &v, &vlen) &&
		vlen == 5 && memcmp(v, "CLASS", 5) == 0, "Class echoed");
	TEST_ASSERT(haven_radius_find(&pkt, HAVEN_RADIUS_FRAMED_IP_ADDRESS, &v,
		&vlen) && memcmp(v, "\xc0\x00\x02\x64", 4) == 0,
		"Framed-IP-Address");

	reply_to(c, &conf, 0, &resp, 4600);
	TEST_ASSERT(haven_radius_client_poll(c, &res, 1) == 1 &&
		res.status == HAVEN_RADIUS_ACCEPTED && res.tag == 0xacc7 &&
		res.kind == HAVEN_RADIUS_ACCT, "Accounting-Response");

	/* a Start carries no counters */
	req.acct.status = HAVEN_RADIUS_ACCT_START;
	haven_radius_client_submit(c, &req, 5000);
	TEST_ASSERT_EQUAL(haven_radius_parse(net[1].b, net[1].len, &pkt, NULL,
		0), 0, "parse");
	TEST_ASSERT(!haven_radius_find(&pkt, HAVEN_RADIUS_ACCT_INPUT_OCTETS,
		&v, &vlen) && !haven_radius_find(&pkt,
		HAVEN_RADIUS_ACCT_TERMINATE_CAUSE, &v, &vlen),
		"Start: no counters, no cause");
	haven_radius_client_free(c);
	return 0;
}

static int
test_engine_invalid_requests(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	char err[128];

	test_conf(&conf);
	c = new_client(&conf);
	auth_req(&req, 1, "", 0);
	TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 0), -EINVAL,
		"empty NAI");
	memset(req.auth.nai, 'n', sizeof(req.auth.nai));
	TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 0), -EINVAL,
		"unterminated NAI");
	memset(&req, 0, sizeof(req));
	req.kind = HAVEN_RADIUS_ACCT;
	req.acct.status = 9;
	snprintf(req.acct.session_id, sizeof(req.acct.session_id), "x");
	TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 0), -EINVAL,
		"status 9");
	req.acct.status = HAVEN_RADIUS_ACCT_START;
	req.acct.session_id[0] = '\0';
	TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 0), -EINVAL,
		"no session id");
	req.kind = 7;
	TEST_ASSERT_EQUAL(haven_radius_client_submit(c, &req, 0), -EINVAL,
		"kind 7");
	TEST_ASSERT_EQUAL(net_n, 0, "nothing sent");
	haven_radius_client_free(c);

	/* configuration checks never show a secret */
	conf.servers[1].timeout_ms = 5;
	TEST_ASSERT_EQUAL(haven_radius_conf_check(&conf, err, sizeof(err)),
		-EINVAL, "timeout 5");
	TEST_ASSERT(strstr(err, "second-server") == NULL &&
		strstr(err, "haven-lab") == NULL, "no secret: %s", err);
	test_conf(&conf);
	conf.servers[1].addr = conf.servers[0].addr;
	TEST_ASSERT_EQUAL(haven_radius_conf_check(&conf, err, sizeof(err)),
		-EINVAL, "same address and ports");
	test_conf(&conf);
	conf.nas_identifier[0] = '\0';
	TEST_ASSERT_EQUAL(haven_radius_conf_check(&conf, err, sizeof(err)), 0,
		"a NAS address is enough: %s", err);
	memset(&conf.nas_addr, 0, sizeof(conf.nas_addr));
	TEST_ASSERT_EQUAL(haven_radius_conf_check(&conf, err, sizeof(err)),
		-EINVAL, "no NAS identity at all (RFC 2865 4.1)");
	return 0;
}

/* Jitter stays within +-jitter_pct and varies. */
static int
test_engine_jitter(void)
{
	struct haven_radius_conf conf;
	struct haven_radius_client *c;
	struct haven_radius_request req;
	struct haven_radius_result res;
	uint64_t d, lo = UINT64_MAX, hi = 0;
	unsigned int i;

	test_conf(&conf);
	conf.jitter_pct = 10;
	c = new_client(&conf);
	for (i = 0; i < 200; i++) {
		auth_req(&req, i, "mn@lab.example", 0);
		haven_radius_client_submit(c, &req, 0);
		d = haven_radius_client_next_deadline(c);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		haven_radius_client_cancel(c, i);
		haven_radius_client_poll(c, &res, 1);
	}
	TEST_ASSERT(lo >= 900 && hi <= 1100, "%llu..%llu within 1000 +- 10 %%",
		(unsigned long long)lo, (unsigned long long)hi);
	TEST_ASSERT(lo < 930 && hi > 1070, "spread %llu..%llu",
		(unsigned long long)lo, (unsigned long long)hi);
	haven_radius_client_free(c);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The transport over loopback, against a server thread of ours       */
/* ------------------------------------------------------------------ */

struct loop_server {
	int fd[2];		/* auth, acct */
	uint16_t port[2];
	volatile bool stop;
	pthread_t thread;
	unsigned int seen;	/* datagrams received */
};

static int
udp_loopback(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
			getsockname(fd, (struct sockaddr *)&a, &al) < 0)
		abort();
	*port = ntohs(a.sin_port);
	return fd;
}

/* Answer as a RADIUS server: "silent*" never, "reject*" with a reject. */
static void
loop_answer(struct loop_server *ls, int k)
{
	uint8_t in[HAVEN_RADIUS_MAX_LEN], out[HAVEN_RADIUS_MAX_LEN], spi[4];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct haven_radius_builder b;
	struct haven_radius_pkt pkt;
	const uint8_t *v;
	uint8_t vlen, code;
	ssize_t n;
	int len;

	n = recvfrom(ls->fd[k], in, sizeof(in), 0, (struct sockaddr *)&from,
		&fl);
	if (n <= 0 || haven_radius_parse(in, (size_t)n, &pkt, NULL, 0) != 0 ||
	    haven_radius_verify_request(&pkt, SECRET, SLEN, true) != 0)
		return;
	ls->seen++;
	if (haven_radius_find(&pkt, HAVEN_RADIUS_USER_NAME, &v, &vlen) &&
			vlen >= 6 && memcmp(v, "silent", 6) == 0)
		return;
	code = k == 1 ? HAVEN_RADIUS_ACCOUNTING_RESPONSE :
		vlen >= 6 && memcmp(v, "reject", 6) == 0 ?
		HAVEN_RADIUS_ACCESS_REJECT : HAVEN_RADIUS_ACCESS_ACCEPT;
	haven_radius_build_init(&b, out, sizeof(out), code, pkt.id, NULL);
	if (code == HAVEN_RADIUS_ACCESS_ACCEPT) {
		static const uint8_t salt[2] = { 1, 2 };

		haven_put_be32(spi, 4242);
		haven_radius_add_vsa(&b, HAVEN_RADIUS_VENDOR_3GPP2,
			HAVEN_RADIUS_3GPP2_MN_HA_SPI, spi, 4);
		haven_radius_add_salted_vsa(&b, HAVEN_RADIUS_VENDOR_3GPP2,
			HAVEN_RADIUS_3GPP2_MN_HA_KEY,
			(const uint8_t *)"loopback-key", 12, salt, pkt.auth,
			SECRET, SLEN);
	}
	haven_radius_add_message_authenticator(&b);
	len = haven_radius_finish(&b, SECRET, SLEN, pkt.auth, true);
	sendto(ls->fd[k], out, (size_t)len, 0, (struct sockaddr *)&from, fl);
}

static void *
loop_main(void *arg)
{
	struct loop_server *ls = arg;

	while (!ls->stop) {
		struct pollfd p[2] = {
			{ .fd = ls->fd[0], .events = POLLIN },
			{ .fd = ls->fd[1], .events = POLLIN },
		};
		int k;

		if (poll(p, 2, 20) <= 0)
			continue;
		for (k = 0; k < 2; k++)
			if (p[k].revents & POLLIN)
				loop_answer(ls, k);
	}
	return NULL;
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Poll until n results arrived or limit_ms passed. */
static unsigned int
collect(struct haven_radius_transport *t, struct haven_radius_result *res,
		unsigned int n, uint64_t limit_ms)
{
	uint64_t end = wall_ms() + limit_ms;
	unsigned int got = 0;

	while (got < n && wall_ms() < end) {
		haven_radius_wait(t, 50);
		got += haven_radius_poll(t, res + got, n - got);
	}
	return got;
}

static int
test_transport_loopback(void)
{
	struct loop_server ls = { .stop = false };
	struct haven_radius_conf conf;
	struct haven_radius_transport *t;
	struct haven_radius_request req;
	struct haven_radius_result res[16];
	struct haven_radius_server_stats sst;
	struct haven_radius_stats st;
	unsigned int i, accepted = 0, rejected = 0;
	uint64_t t0;
	char err[128];

	ls.fd[0] = udp_loopback(&ls.port[0]);
	ls.fd[1] = udp_loopback(&ls.port[1]);
	pthread_create(&ls.thread, NULL, loop_main, &ls);

	haven_radius_conf_init(&conf);
	conf.n_servers = 1;
	conf.servers[0].addr = haven_addr4(htonl(INADDR_LOOPBACK));
	conf.servers[0].auth_port = ls.port[0];
	conf.servers[0].acct_port = ls.port[1];
	memcpy(conf.servers[0].secret, SECRET, SLEN);
	conf.servers[0].secret_len = SLEN;
	conf.servers[0].timeout_ms = 200;
	conf.servers[0].retries = 1;
	conf.nas_addr = haven_addr4(htonl(INADDR_LOOPBACK));
	conf.max_pending = 8;
	t = haven_radius_transport_create(&conf, err, sizeof(err));
	TEST_ASSERT(t != NULL, "create: %s", err);

	for (i = 0; i < 8; i++) {
		auth_req(&req, i, i % 2 ? "reject@lab.example" :
			"mn@lab.example", 0);
		TEST_ASSERT_EQUAL(haven_radius_submit(t, &req), 0, "submit %u",
			i);
	}
	TEST_ASSERT_EQUAL(haven_radius_submit(t, &req), -ENOBUFS,
		"9th refused at once");
	TEST_ASSERT_EQUAL(haven_radius_outstanding(t), 8, "outstanding");
	TEST_ASSERT_EQUAL(collect(t, res, 8, 3000), 8, "eight results");
	for (i = 0; i < 8; i++) {
		if (res[i].status == HAVEN_RADIUS_ACCEPTED &&
		    res[i].spi == 4242 && res[i].key_len == 12 &&
		    memcmp(res[i].key, "loopback-key", 12) == 0 &&
		    res[i].tag % 2 == 0)
			accepted++;
		if (res[i].status == HAVEN_RADIUS_REJECTED &&
		    res[i].tag % 2 == 1)
			rejected++;
	}
	TEST_ASSERT(accepted == 4 && rejected == 4, "%u accepted, %u rejected",
		accepted, rejected);
	TEST_ASSERT_EQUAL(haven_radius_outstanding(t), 0, "none outstanding");

	/* accounting through the acct socket */
	memset(&req, 0, sizeof(req));
	req.tag = 100;
	req.kind = HAVEN_RADIUS_ACCT;
	req.acct.status = HAVEN_RADIUS_ACCT_START;
	snprintf(req.acct.session_id, sizeof(req.acct.session_id), "s1");
	haven_radius_submit(t, &req);
	TEST_ASSERT(collect(t, res, 1, 3000) == 1 &&
		res[0].status == HAVEN_RADIUS_ACCEPTED && res[0].tag == 100,
		"Accounting-Response");

	/* a silent server: timeout after 200 + 400 ms, bounded */
	auth_req(&req, 200, "silent@lab.example", 0);
	t0 = wall_ms();
	haven_radius_submit(t, &req);
	auth_req(&req, 201, "silent-too@lab.example", 0);
	haven_radius_submit(t, &req);
	TEST_ASSERT_EQUAL(haven_radius_cancel(t, 201), 0, "cancel");
	TEST_ASSERT_EQUAL(collect(t, res, 2, 5000), 2, "two results");
	TEST_ASSERT(res[0].tag == 201 &&
		res[0].status == HAVEN_RADIUS_CANCELLED, "cancelled first");
	TEST_ASSERT(res[1].tag == 200 && res[1].status == HAVEN_RADIUS_TIMEOUT,
		"then the timeout");
	TEST_ASSERT(wall_ms() - t0 <= haven_radius_transport_max_wait_ms(t) +
		500, "within the bound");

	/* the snapshot is at least as recent as every result polled */
	haven_radius_transport_stats(t, &st);
	TEST_ASSERT(st.submitted == 11 && st.results[HAVEN_RADIUS_TIMEOUT] == 1,
		"stats %llu", (unsigned long long)st.submitted);
	TEST_ASSERT_EQUAL(haven_radius_transport_server_stats(t, 0, &sst), 0,
		"server stats");
	TEST_ASSERT(sst.accepts == 4 && sst.rejects == 4 &&
		sst.acct_responses == 1 && sst.timeouts == 1 &&
		sst.state == HAVEN_RADIUS_SERVER_DEAD,
		"server counters %llu %llu %llu %llu %u",
		(unsigned long long)sst.accepts, (unsigned long long)sst.rejects,
		(unsigned long long)sst.acct_responses,
		(unsigned long long)sst.timeouts, sst.state);
	TEST_ASSERT_EQUAL(haven_radius_transport_server_stats(t, 1, &sst),
		-ENOENT, "one server");
	haven_radius_transport_free(t);

	ls.stop = true;
	pthread_join(ls.thread, NULL);
	close(ls.fd[0]);
	close(ls.fd[1]);
	return 0;
}

int
main(void)
{
	int passed = 0, failed = 0;

	TEST_RUN(test_rfc2865_request);
	TEST_RUN(test_rfc2865_accept);
	TEST_RUN(test_vector_access_request);
	TEST_RUN(test_vector_access_accept);
	TEST_RUN(test_vector_reject_and_status);
	TEST_RUN(test_vector_accounting);
	TEST_RUN(test_blastradius_forgery);
	TEST_RUN(test_parse_framing);
	TEST_RUN(test_vsa_walk);
	TEST_RUN(test_salted_limits);
	TEST_RUN(test_builder_limits);
	TEST_RUN(test_cisco_avpair);
	TEST_RUN(test_engine_accept);
	TEST_RUN(test_engine_reject_and_invalid);
	TEST_RUN(test_engine_cisco);
	TEST_RUN(test_engine_backoff_failover);
	TEST_RUN(test_engine_failover_moves_all);
	TEST_RUN(test_engine_dead_and_revival);
	TEST_RUN(test_engine_lost_answer_not_death);
	TEST_RUN(test_engine_bounded_table);
	TEST_RUN(test_engine_forged_answers);
	TEST_RUN(test_engine_missing_ma);
	TEST_RUN(test_engine_identifiers);
	TEST_RUN(test_engine_cancel);
	TEST_RUN(test_engine_accounting);
	TEST_RUN(test_engine_invalid_requests);
	TEST_RUN(test_engine_jitter);
	TEST_RUN(test_transport_loopback);
	TEST_SUMMARY();
}
