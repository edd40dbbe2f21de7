/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the Mobile IPv6 library (lib/mip6).
 *
 * The HMAC primitive is checked against the published vectors of RFC 2202
 * (HMAC-SHA1, all 7 cases, with the 96-bit truncation of case 5) and RFC
 * 4231 (HMAC-SHA256). The reference Binding Update and Binding
 * Acknowledgement, their RFC 4285 authenticators and their Mobility
 * Header checksums were produced independently in Python (hmac, hashlib
 * and scapy 2.5), never with this library; so were the Neighbor
 * Discovery, ICMPv6 error and tunnel headers. Each vector carries the
 * command that produced it. Every refusal the parsers promise is
 * exercised with its reason, and the sequence-number and timestamp
 * windows are probed at their bounds and across their wraps.
 *
 * Shared definitions of the Python commands below:
 *   from scapy.all import *; import hmac, hashlib, struct, socket
 *   A = lambda s: socket.inet_pton(socket.AF_INET6, s)
 *   coa, hoa, ha = '2001:db8:2::100', '2001:db8:1::10', '2001:db8:1::1'
 *   key = b'haven-mip6-key-1'; spi = 256; ts = 0xe800000012345678
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "haven_mip6.h"
#include "haven_nd.h"
#include "test.h"

/* ------------------------------------------------------------------ */
/* Helpers and reference data                                         */
/* ------------------------------------------------------------------ */

static size_t
hex_to_bytes(const char *hex, uint8_t *out)
{
	size_t n = 0;
	unsigned int byte;

	while (hex[0] != '\0' && hex[1] != '\0' &&
			sscanf(hex, "%2x", &byte) == 1) {
		out[n++] = (uint8_t)byte;
		hex += 2;
	}
	return n;
}

/* 2001:db8:2::100, 2001:db8:1::10, 2001:db8:1::1 */
static const uint8_t COA[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2,
	[14] = 0x01, [15] = 0x00 };
static const uint8_t HOA[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10 };
static const uint8_t HA[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x01 };
static const uint8_t UNSPEC[16];

#define TS 0xe800000012345678ULL

/*
 * The reference Binding Update packet: IPv6 from the care-of address,
 * Destination Options (PadN, Home Address option at 8n+6), Mobility
 * Header (seq 0x1234, A and H, lifetime 900 units = 3600 s, PadN, replay
 * protection, Pad1, MN-HA authentication with SPI 256, HMAC-SHA1-96).
 *   mh = bytes([59,5,5,0,0,0]) + struct.pack('!HHH',0x1234,0xc000,900)
 *      + bytes([1,4,0,0,0,0,10,8]) + struct.pack('!Q',ts)
 *      + bytes([0,9,17,1]) + struct.pack('!I',spi)
 *   auth = hmac.new(key, A(coa)+A(hoa)+mh, hashlib.sha1).digest()[:12]
 *   bytes(IPv6(src=coa,dst=ha)/IPv6ExtHdrDestOpt(options=[HAO(hoa=hoa)])/
 *     MIP6MH_BU(seq=0x1234,flags='AH',mhtime=900,autopad=0,options=[
 *     PadN(optdata=b'\0'*4),MIP6OptReplayProtection(timestamp=ts),Pad1(),
 *     MIP6OptMsgAuth(mspi=spi,authdata=auth)])).hex()
 * scapy pads the HAO to 8n+6 itself and computes the checksum (c56f)
 * with the home address as the pseudo-header source. (It does so only
 * when the HAO is the sole option it was given: with an explicit PadN it
 * falls back to the care-of address and gets c47e.)
 */
static const char BU_PKT_HEX[] =
	"6000000000483c4020010db800020000000000000000010020010db800010000"
	"0000000000000001870201020000c91020010db8000100000000000000000010"
	"3b050500c56f1234c00003840104000000000a08e80000001234567800091101"
	"00000100fb23e8d2acff400cfd268ca8";
#define BU_MH_OFF 64
#define BU_MH_LEN 48
/* First(96, HMAC_SHA1(key, coa | hoa | mh)), from `auth` above. */
static const char BU_AUTH_HEX[] = "fb23e8d2acff400cfd268ca8";

/*
 * The reference Binding Acknowledgement (status 0, seq 0x1234, lifetime
 * 900, the update's timestamp echoed, MN-HA over coa | hoa | BA):
 *   ba = bytes([59,5,6,0,0,0,0,0]) + struct.pack('!HH',0x1234,900)
 *      + bytes([1,4,0,0,0,0,10,8]) + struct.pack('!Q',ts)
 *      + bytes([0,9,17,1]) + struct.pack('!I',spi)
 *   bauth = hmac.new(key, A(coa)+A(hoa)+ba, hashlib.sha1).digest()[:12]
 *   bytes((IPv6(src=ha,dst=coa)/IPv6ExtHdrRouting(type=2,addresses=[hoa],
 *     segleft=1)/MIP6MH_BA(status=0,flags=0,seq=0x1234,mhtime=900,
 *     autopad=0,options=[PadN(optdata=b'\0'*4),
 *     MIP6OptReplayProtection(timestamp=ts),Pad1(),MIP6OptMsgAuth(
 *     mspi=spi,authdata=bauth)]))[MIP6MH_BA]).hex()
 * (checksum pseudo-header: home agent to the routing header's home address)
 */
static const char BA_MH_HEX[] =
	"3b05060034a60000123403840104000000000a08e80000001234567800091101"
	"00000100330b7603d17e2c74ada355f7";

/*
 * HMAC-SHA256 (full 32 bytes) of the same update laid out for it: the
 * 39-byte option at 8n+1 after a 5-byte PadN.
 *   mh = bytes([59,8,5,0,0,0]) + struct.pack('!HHH',0x1234,0xc000,900)
 *      + bytes([1,4,0,0,0,0,10,8]) + struct.pack('!Q',ts)
 *      + bytes([1,3,0,0,0,9,37,1]) + struct.pack('!I',spi)
 *   hmac.new(key, A(coa)+A(hoa)+mh, hashlib.sha256).hexdigest()
 */
static const char BU_AUTH256_HEX[] =
	"6a3e24171627e80c176b0f0f7655bda534b6c2602734a1cefcdecca8f4c53fb4";

static struct haven_mip6_key *
make_key(uint32_t spi, enum haven_mip6_alg alg)
{
	struct haven_mip6_sa sa;

	memset(&sa, 0, sizeof(sa));
	sa.spi = spi;
	sa.alg = alg;
	sa.key_len = 16;
	memcpy(sa.key, "haven-mip6-key-1", 16);
	return haven_mip6_key_create(&sa);
}

/* Addresses of a Binding Update from the mobile node. */
static void
bu_addrs(struct haven_mip6_addrs *a)
{
	memcpy(a->ph_src, HOA, 16);
	memcpy(a->ph_dst, HA, 16);
	memcpy(a->coa, COA, 16);
	memcpy(a->hoa, HOA, 16);
}

/* Addresses of a Binding Acknowledgement from the home agent. */
static void
ba_addrs(struct haven_mip6_addrs *a)
{
	memcpy(a->ph_src, HA, 16);
	memcpy(a->ph_dst, HOA, 16);
	memcpy(a->coa, COA, 16);
	memcpy(a->hoa, HOA, 16);
}

/* Parse buf as an MH (checksum with ph) expecting rc and a reason. */
static int
expect_mh(const uint8_t *buf, size_t len, const uint8_t *ph_src,
		const uint8_t *ph_dst, int want_rc, const char *want_reason)
{
	struct haven_mip6_mh mh;
	char err[160];
	int rc;

	rc = haven_mip6_mh_parse(buf, len, ph_src, ph_dst, &mh, err,
		sizeof(err));
	TEST_ASSERT_EQUAL(rc, want_rc, "reason was \"%s\"", err);
	TEST_ASSERT(strstr(err, want_reason) != NULL,
		"reason \"%s\" lacks \"%s\"", err, want_reason);
	return 0;
}

/* Re-checksum an MH after a test edited it. */
static void
recksum(uint8_t *mh, size_t len, const uint8_t *src, const uint8_t *dst)
{
	uint16_t c = haven_mip6_mh_cksum(src, dst, mh, len);

	mh[4] = c >> 8;
	mh[5] = c & 0xff;
}

/* ------------------------------------------------------------------ */
/* HMAC vectors                                                       */
/* ------------------------------------------------------------------ */

/* RFC 2202 section 3: the seven HMAC-SHA1 test cases. */
static int
test_hmac_sha1_rfc2202(void)
{
	static const struct {
		const char *key_hex, *data_hex, *data_str, *digest_hex;
	} v[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", NULL,
		  "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00" },
		{ "4a656665", NULL, "what do ya want for nothing?",
		  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddd", NULL,
		  "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", NULL,
		  "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
		{ "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", NULL,
		  "Test With Truncation",
		  "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
		{ NULL, NULL,
		  "Test Using Larger Than Block-Size Key - Hash Key First",
		  "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
		{ NULL, NULL,
		  "Test Using Larger Than Block-Size Key and Larger Than One "
		  "Block-Size Data",
		  "e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
	};
	uint8_t key[128], data[128], want[20], got[20];
	size_t i, key_len, data_len;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (v[i].key_hex != NULL) {
			key_len = hex_to_bytes(v[i].key_hex, key);
		} else {		/* cases 6 and 7: 80 bytes of 0xaa */
			key_len = 80;
			memset(key, 0xaa, key_len);
		}
		if (v[i].data_hex != NULL) {
			data_len = hex_to_bytes(v[i].data_hex, data);
		} else {
			data_len = strlen(v[i].data_str);
			memcpy(data, v[i].data_str, data_len);
		}
		hex_to_bytes(v[i].digest_hex, want);
		TEST_ASSERT_EQUAL(haven_mip6_hmac(HAVEN_MIP6_ALG_HMAC_SHA1,
			key, key_len, data, data_len, got), 20,
			"case %zu", i + 1);
		TEST_ASSERT_MEM(got, want, 20, "case %zu digest", i + 1);
	}
	/* Case 5's HMAC-SHA1-96 is the first 12 bytes: RFC 4285's length. */
	TEST_ASSERT_EQUAL(haven_mip6_auth_len(HAVEN_MIP6_ALG_HMAC_SHA1), 12,
		"96 bits");
	hex_to_bytes("4c1a03424b55e07fe7f27be1", want);
	key_len = hex_to_bytes(v[4].key_hex, key);
	data_len = strlen(v[4].data_str);
	haven_mip6_hmac(HAVEN_MIP6_ALG_HMAC_SHA1, key, key_len,
		(const uint8_t *)v[4].data_str, data_len, got);
	TEST_ASSERT_MEM(got, want, 12, "case 5 digest-96");
	return 0;
}

/* RFC 4231 test case 1 (HMAC-SHA256), and argument refusals. */
static int
test_hmac_sha256_and_refusals(void)
{
	uint8_t key[20], want[32], got[32];

	memset(key, 0x0b, sizeof(key));
	hex_to_bytes("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da7"
		"26e9376c2e32cff7", want);
	TEST_ASSERT_EQUAL(haven_mip6_hmac(HAVEN_MIP6_ALG_HMAC_SHA256, key,
		20, (const uint8_t *)"Hi There", 8, got), 32, "sha256");
	TEST_ASSERT_MEM(got, want, 32, "RFC 4231 case 1");
	TEST_ASSERT_EQUAL(haven_mip6_auth_len(HAVEN_MIP6_ALG_HMAC_SHA256), 32,
		"full 256 bits");
	TEST_ASSERT_EQUAL(haven_mip6_hmac(HAVEN_MIP6_ALG_HMAC_SHA1, key, 0,
		want, 1, got), -EINVAL, "empty key");
	TEST_ASSERT_EQUAL(haven_mip6_hmac((enum haven_mip6_alg)7, key, 20,
		want, 1, got), -EINVAL, "unknown algorithm");
	TEST_ASSERT_EQUAL(haven_mip6_auth_len((enum haven_mip6_alg)7), 0,
		"unknown length");
	return 0;
}

/* Keys: reserved SPIs, empty and oversized keys are refused. */
static int
test_key_create_refusals(void)
{
	struct haven_mip6_sa sa;
	struct haven_mip6_key *k;

	TEST_ASSERT(make_key(255, HAVEN_MIP6_ALG_HMAC_SHA1) == NULL,
		"SPI 255 is reserved (RFC 4285)");
	k = make_key(256, HAVEN_MIP6_ALG_HMAC_SHA1);
	TEST_ASSERT(k != NULL, "SPI 256");
	TEST_ASSERT_EQUAL(haven_mip6_key_spi(k), 256, "spi");
	TEST_ASSERT_EQUAL(haven_mip6_key_alg(k), HAVEN_MIP6_ALG_HMAC_SHA1,
		"alg");
	haven_mip6_key_free(k);
	haven_mip6_key_free(NULL);
	memset(&sa, 0, sizeof(sa));
	sa.spi = 1000;
	TEST_ASSERT(haven_mip6_key_create(&sa) == NULL, "empty key");
	sa.key_len = HAVEN_MIP6_MAX_KEY + 1;
	TEST_ASSERT(haven_mip6_key_create(&sa) == NULL, "oversized key");
	sa.key_len = 4;
	sa.alg = (enum haven_mip6_alg)9;
	TEST_ASSERT(haven_mip6_key_create(&sa) == NULL, "unknown algorithm");
	TEST_ASSERT(haven_mip6_key_create(NULL) == NULL, "NULL");
	return 0;
}

/* ------------------------------------------------------------------ */
/* The reference Binding Update                                       */
/* ------------------------------------------------------------------ */

static int
test_walk_reference_bu(void)
{
	struct haven_mip6_pkt pkt;
	uint8_t b[256];
	size_t n = hex_to_bytes(BU_PKT_HEX, b);
	char err[128];

	TEST_ASSERT_EQUAL(n, 112, "vector length");
	TEST_ASSERT_EQUAL(haven_mip6_walk(b, n, &pkt, err, sizeof(err)), 0,
		"%s", err);
	TEST_ASSERT(pkt.has_hao, "Home Address option");
	TEST_ASSERT_MEM(pkt.hoa, HOA, 16, "home address");
	TEST_ASSERT_MEM(pkt.src, COA, 16, "source is the care-of address");
	TEST_ASSERT_MEM(pkt.dst, HA, 16, "destination");
	TEST_ASSERT_MEM(pkt.ph_src, HOA, 16, "pseudo source is the HoA");
	TEST_ASSERT_MEM(pkt.ph_dst, HA, 16, "pseudo destination");
	TEST_ASSERT_EQUAL(pkt.upper_proto, HAVEN_IPPROTO_MH, "MH");
	TEST_ASSERT_EQUAL(pkt.upper_off, BU_MH_OFF, "MH offset");
	TEST_ASSERT_EQUAL(pkt.upper_len, BU_MH_LEN, "MH length");
	TEST_ASSERT_EQUAL(pkt.hop_limit, 64, "hop limit");
	TEST_ASSERT(!pkt.has_rh2, "no routing header");
	/* Trailing bytes (Ethernet padding) beyond the payload are fine. */
	TEST_ASSERT_EQUAL(haven_mip6_walk(b, n + 10, &pkt, NULL, 0), 0,
		"padding");
	return 0;
}

static int
test_parse_verify_reference_bu(void)
{
	struct haven_mip6_key *k, *k2, *k3;
	struct haven_mip6_pkt pkt;
	struct haven_mip6_mh mh;
	uint8_t b[256], want[12];
	size_t n = hex_to_bytes(BU_PKT_HEX, b);
	const uint8_t *m = b + BU_MH_OFF;
	char err[128];

	TEST_ASSERT_EQUAL(haven_mip6_walk(b, n, &pkt, NULL, 0), 0, "walk");
	TEST_ASSERT_EQUAL(haven_mip6_mh_parse(m, pkt.upper_len, pkt.ph_src,
		pkt.ph_dst, &mh, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(mh.type, HAVEN_MIP6_MH_BU, "type");
	TEST_ASSERT_EQUAL(mh.len, 48, "length");
	TEST_ASSERT_EQUAL(mh.seq, 0x1234, "seq");
	TEST_ASSERT_EQUAL(mh.flags, HAVEN_MIP6_BU_F_A | HAVEN_MIP6_BU_F_H,
		"A and H");
	TEST_ASSERT_EQUAL(mh.lifetime * HAVEN_MIP6_LIFETIME_UNIT_S, 3600,
		"lifetime");
	TEST_ASSERT(mh.opts.has_replay, "replay option");
	TEST_ASSERT(mh.opts.timestamp == TS, "timestamp");
	TEST_ASSERT(mh.opts.has_auth, "auth option");
	TEST_ASSERT_EQUAL(mh.opts.auth_subtype, HAVEN_MIP6_AUTH_MN_HA,
		"MN-HA");
	TEST_ASSERT_EQUAL(mh.opts.spi, 256, "SPI");
	TEST_ASSERT_EQUAL(mh.opts.auth_len, 12, "96 bits");
	TEST_ASSERT_EQUAL(mh.opts.auth_covered, 36, "covered through SPI");
	hex_to_bytes(BU_AUTH_HEX, want);
	TEST_ASSERT_MEM(mh.opts.auth, want, 12, "authenticator in place");
	TEST_ASSERT_MEM(haven_mip6_bu_coa(&mh, &pkt), COA, 16, "CoA");

	k = make_key(256, HAVEN_MIP6_ALG_HMAC_SHA1);
	k2 = make_key(257, HAVEN_MIP6_ALG_HMAC_SHA1);
	k3 = make_key(256, HAVEN_MIP6_ALG_HMAC_SHA256);
	TEST_ASSERT(k != NULL && k2 != NULL && k3 != NULL, "keys");
	TEST_ASSERT_EQUAL(haven_mip6_auth_verify(k, COA, HOA, m, &mh), 0,
		"Python's authenticator verifies");
	TEST_ASSERT_EQUAL(haven_mip6_auth_verify(k2, COA, HOA, m, &mh),
		-EACCES, "other SPI");
	TEST_ASSERT_EQUAL(haven_mip6_auth_verify(k3, COA, HOA, m, &mh),
		-EACCES, "other algorithm (length)");
	TEST_ASSERT_EQUAL(haven_mip6_auth_verify(k, HOA, HOA, m, &mh),
		-EACCES, "other care-of address");
	/* The checksum does not count: only MH Data with it zeroed. */
	b[BU_MH_OFF + 4] ^= 0xff;
	TEST_ASSERT_EQUAL(haven_mip6_auth_verify(k, COA, HOA, m, &mh), 0,
		"checksum excluded");
	b[BU_MH_OFF + 4] ^= 0xff;
	/* Lifetime changed: the update fails and changes nothing. */
	b[BU_MH_OFF + 11] ^= 0x01;
	TEST_ASSERT_EQUAL(haven_mip6_auth_verify(k, COA, HOA, m, &mh),
		-EACCES, "tampered lifetime");
	b[BU_MH_OFF + 11] ^= 0x01;
	b[BU_MH_OFF + 47] ^= 0x80;
	TEST_ASSERT_EQUAL(haven_mip6_auth_verify(k, COA, HOA, m, &mh),
		-EACCES, "tampered authenticator");
	b[BU_MH_OFF + 47] ^= 0x80;
	mh.opts.auth_subtype = HAVEN_MIP6_AUTH_MN_AAA;
	TEST_ASSERT_EQUAL(haven_mip6_auth_verify(k, COA, HOA, m, &mh),
		-EACCES, "MN-AAA is not verified here");
	mh.opts.has_auth = false;
	TEST_ASSERT_EQUAL(haven_mip6_auth_verify(k, COA, HOA, m, &mh),
		-EACCES, "no option");
	haven_mip6_key_free(k);
	haven_mip6_key_free(k2);
	haven_mip6_key_free(k3);
	return 0;
}

/* The builder reproduces Python's bytes: layout, authenticator, checksum. */
static int
test_build_reference_bu(void)
{
	struct haven_mip6_opts_out o;
	struct haven_mip6_addrs a;
	struct haven_mip6_key *k;
	uint8_t b[256], out[128];
	int n;

	hex_to_bytes(BU_PKT_HEX, b);
	k = make_key(256, HAVEN_MIP6_ALG_HMAC_SHA1);
	TEST_ASSERT(k != NULL, "key");
	memset(&o, 0, sizeof(o));
	o.replay = true;
	o.timestamp = TS;
	bu_addrs(&a);
	n = haven_mip6_build_bu(0x1234, HAVEN_MIP6_BU_F_A | HAVEN_MIP6_BU_F_H,
		900, &o, k, &a, out, sizeof(out));
	TEST_ASSERT_EQUAL(n, BU_MH_LEN, "length");
	TEST_ASSERT_MEM(out, b + BU_MH_OFF, BU_MH_LEN, "bytes of the vector");
	TEST_ASSERT_EQUAL(haven_mip6_build_bu(1, 0, 1, &o, k, &a, out, 40),
		-ENOSPC, "too small");
	haven_mip6_key_free(k);
	return 0;
}

static int
test_build_reference_ba(void)
{
	struct haven_mip6_opts_out o;
	struct haven_mip6_addrs a;
	struct haven_mip6_key *k;
	struct haven_mip6_mh mh;
	uint8_t want[64], out[128];
	char err[128];
	int n;

	TEST_ASSERT_EQUAL(hex_to_bytes(BA_MH_HEX, want), 48, "vector");
	k = make_key(256, HAVEN_MIP6_ALG_HMAC_SHA1);
	memset(&o, 0, sizeof(o));
	o.replay = true;
	o.timestamp = TS;
	ba_addrs(&a);
	n = haven_mip6_build_ba(HAVEN_MIP6_BA_ACCEPTED, 0, 0x1234, 900, &o, k,
		&a, out, sizeof(out));
	TEST_ASSERT_EQUAL(n, 48, "length");
	TEST_ASSERT_MEM(out, want, 48, "bytes of the vector");
	TEST_ASSERT_EQUAL(haven_mip6_mh_parse(out, n, HA, HOA, &mh, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(mh.type, HAVEN_MIP6_MH_BA, "type");
	TEST_ASSERT_EQUAL(mh.status, 0, "status");
	TEST_ASSERT_EQUAL(mh.seq, 0x1234, "seq");
	TEST_ASSERT_EQUAL(mh.lifetime, 900, "lifetime");
	TEST_ASSERT(mh.opts.timestamp == TS, "echoed timestamp");
	TEST_ASSERT_EQUAL(haven_mip6_auth_verify(k, COA, HOA, out, &mh), 0,
		"the node can verify it");
	haven_mip6_key_free(k);
	return 0;
}

/* HMAC-SHA256: full 32 bytes, option at 8n+1, message ends at 8n. */
static int
test_bu_sha256(void)
{
	struct haven_mip6_opts_out o;
	struct haven_mip6_addrs a;
	struct haven_mip6_key *k;
	struct haven_mip6_mh mh;
	uint8_t out[128], want[32];
	char err[128];
	int n;

	k = make_key(256, HAVEN_MIP6_ALG_HMAC_SHA256);
	memset(&o, 0, sizeof(o));
	o.replay = true;
	o.timestamp = TS;
	bu_addrs(&a);
	n = haven_mip6_build_bu(0x1234, HAVEN_MIP6_BU_F_A | HAVEN_MIP6_BU_F_H,
		900, &o, k, &a, out, sizeof(out));
	TEST_ASSERT_EQUAL(n, 72, "length");
	TEST_ASSERT_EQUAL(out[1], 8, "Header Len");
	TEST_ASSERT_EQUAL(out[28], HAVEN_MIP6_OPT_PADN, "PadN before auth");
	TEST_ASSERT_EQUAL(out[33], HAVEN_MIP6_OPT_AUTH, "auth at 8n+1");
	TEST_ASSERT_EQUAL(out[34], 37, "option length 5 + 32");
	hex_to_bytes(BU_AUTH256_HEX, want);
	TEST_ASSERT_MEM(out + 40, want, 32, "Python's HMAC-SHA256");
	TEST_ASSERT_EQUAL(haven_mip6_mh_parse(out, n, HOA, HA, &mh, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(haven_mip6_auth_verify(k, COA, HOA, out, &mh), 0,
		"verify");
	haven_mip6_key_free(k);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Round trips of every message and option                            */
/* ------------------------------------------------------------------ */

static int
test_roundtrip_bu_options(void)
{
	static const uint8_t nai[] = "mn1@haven.test";
	struct haven_mip6_opts_out o;
	struct haven_mip6_addrs a;
	struct haven_mip6_mh mh;
	uint8_t out[256];
	char err[128];
	int n, i;

	memset(&o, 0, sizeof(o));
	o.acoa = true;
	memcpy(o.acoa_addr, HA, 16);
	o.mnid = nai;
	o.mnid_len = sizeof(nai) - 1;
	o.mnid_subtype = HAVEN_MIP6_MNID_NAI;
	o.replay = true;
	o.timestamp = 42;
	bu_addrs(&a);
	n = haven_mip6_build_bu(65535, HAVEN_MIP6_BU_F_H | HAVEN_MIP6_BU_F_K,
		0, &o, NULL, &a, out, sizeof(out));
	TEST_ASSERT(n > 0 && n % 8 == 0, "length %d", n);
	TEST_ASSERT_EQUAL(out[1], n / 8 - 1, "Header Len");
	/* Alternate CoA at 8n+6 (RFC 6275 6.2.5): after 12 fixed bytes. */
	TEST_ASSERT_EQUAL(out[14], HAVEN_MIP6_OPT_ACOA, "ACoA at 14");
	for (i = 12; i < n; i++)
		if (out[i] == HAVEN_MIP6_OPT_REPLAY && out[i + 1] == 8)
			break;
	TEST_ASSERT_EQUAL(i % 8, 2, "replay at 8n+2");
	TEST_ASSERT_EQUAL(haven_mip6_mh_parse(out, n, HOA, HA, &mh, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(mh.seq, 65535, "seq");
	TEST_ASSERT_EQUAL(mh.flags, HAVEN_MIP6_BU_F_H | HAVEN_MIP6_BU_F_K,
		"flags");
	TEST_ASSERT_EQUAL(mh.lifetime, 0, "lifetime 0");
	TEST_ASSERT(mh.opts.has_acoa, "ACoA");
	TEST_ASSERT_MEM(mh.opts.acoa, HA, 16, "ACoA value");
	TEST_ASSERT(mh.opts.has_mnid, "MN-ID");
	TEST_ASSERT_EQUAL(mh.opts.mnid_subtype, 1, "NAI");
	TEST_ASSERT_EQUAL(mh.opts.mnid_len, sizeof(nai) - 1, "NAI length");
	TEST_ASSERT_MEM(mh.opts.mnid, nai, sizeof(nai) - 1, "NAI");
	TEST_ASSERT(mh.opts.has_replay && mh.opts.timestamp == 42, "replay");
	TEST_ASSERT(!mh.opts.has_auth, "no auth");
	o.mnid_len = 0;
	TEST_ASSERT_EQUAL(haven_mip6_build_bu(1, 0, 1, &o, NULL, &a, out,
		sizeof(out)), -EINVAL, "empty MN-ID");
	return 0;
}

static int
test_roundtrip_ba_refresh_advice(void)
{
	struct haven_mip6_opts_out o;
	struct haven_mip6_addrs a;
	struct haven_mip6_mh mh;
	uint8_t out[64];
	char err[128];
	int n;

	memset(&o, 0, sizeof(o));
	o.bra = true;
	o.refresh = 450;		/* 1800 s, half the lifetime */
	ba_addrs(&a);
	n = haven_mip6_build_ba(HAVEN_MIP6_BA_ACCEPTED, HAVEN_MIP6_BA_F_K | 0x7f,
		7, 900, &o, NULL, &a, out, sizeof(out));
	TEST_ASSERT_EQUAL(n, 16, "12 + 4");
	TEST_ASSERT_EQUAL(out[7], HAVEN_MIP6_BA_F_K, "reserved bits zero");
	TEST_ASSERT_EQUAL(out[12], HAVEN_MIP6_OPT_BRA, "BRA at 2n");
	TEST_ASSERT_EQUAL(haven_mip6_mh_parse(out, n, HA, HOA, &mh, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT(mh.opts.has_bra && mh.opts.refresh == 450, "refresh");
	TEST_ASSERT_EQUAL(mh.flags, HAVEN_MIP6_BA_F_K, "K");
	/* Sequence out of window: the BA carries the last accepted number. */
	n = haven_mip6_build_ba(HAVEN_MIP6_BA_SEQ_OUT_OF_WINDOW, 0, 15, 0,
		NULL, NULL, &a, out, sizeof(out));
	TEST_ASSERT_EQUAL(n, 16, "padded to 16");
	TEST_ASSERT_EQUAL(haven_mip6_mh_parse(out, n, HA, HOA, &mh, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(mh.status, 135, "status");
	TEST_ASSERT_EQUAL(mh.seq, 15, "expected number");
	return 0;
}

static int
test_roundtrip_be_brr(void)
{
	struct haven_mip6_mh mh;
	uint8_t out[32], brr[16];
	char err[128];

	TEST_ASSERT_EQUAL(haven_mip6_build_be(HAVEN_MIP6_BE_UNKNOWN_BINDING,
		HOA, HA, COA, out, sizeof(out)), 24, "BE");
	TEST_ASSERT_EQUAL(haven_mip6_mh_parse(out, 24, HA, COA, &mh, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(mh.type, HAVEN_MIP6_MH_BE, "type");
	TEST_ASSERT_EQUAL(mh.status, 1, "status");
	TEST_ASSERT_MEM(mh.be_hoa, HOA, 16, "home address");
	TEST_ASSERT_EQUAL(haven_mip6_build_be(2, UNSPEC, HA, COA, out, 23),
		-ENOSPC, "small");
	/* A Binding Refresh Request with a PadN, built by hand (6.1.2). */
	memset(brr, 0, sizeof(brr));
	brr[0] = 59;
	brr[1] = 1;
	brr[2] = HAVEN_MIP6_MH_BRR;
	brr[8] = HAVEN_MIP6_OPT_PADN;
	brr[9] = 6;
	recksum(brr, 16, HA, HOA);
	TEST_ASSERT_EQUAL(haven_mip6_mh_parse(brr, 16, HA, HOA, &mh, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(mh.type, HAVEN_MIP6_MH_BRR, "BRR");
	/* Unknown options are skipped (RFC 6275 6.2.1). */
	brr[8] = 77;
	recksum(brr, 16, HA, HOA);
	TEST_ASSERT_EQUAL(haven_mip6_mh_parse(brr, 16, HA, HOA, &mh, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(mh.opts.unknown, 1, "counted");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Malformed Mobility Headers                                         */
/* ------------------------------------------------------------------ */

static int
test_mh_malformed(void)
{
	uint8_t b[256], m[64];
	struct haven_mip6_mh mh;

	hex_to_bytes(BU_PKT_HEX, b);
	memcpy(m, b + BU_MH_OFF, BU_MH_LEN);

	if (expect_mh(m, 7, HOA, HA, -EINVAL, "shorter than") != 0)
		return -1;
	if (expect_mh(m, 40, HOA, HA, -EINVAL, "Header Len 5") != 0)
		return -1;
	if (expect_mh(m, 48, COA, HA, -EBADMSG, "checksum") != 0)
		return -1;
	m[0] = 6;
	recksum(m, 48, HOA, HA);
	if (expect_mh(m, 48, HOA, HA, -EPROTO, "Payload Proto 6") != 0)
		return -1;
	haven_mip6_mh_parse(m, 48, HOA, HA, &mh, NULL, 0);
	TEST_ASSERT_EQUAL(mh.icmp_pointer, 0, "pointer to Payload Proto");
	m[0] = 59;
	m[1] = 0;		/* 8 bytes: too short for a BU */
	recksum(m, 8, HOA, HA);
	if (expect_mh(m, 8, HOA, HA, -EPROTO, "too small for MH Type 5") != 0)
		return -1;
	haven_mip6_mh_parse(m, 8, HOA, HA, &mh, NULL, 0);
	TEST_ASSERT_EQUAL(mh.icmp_pointer, 1, "pointer to Header Len");
	m[1] = 5;
	m[2] = 1;		/* Home Test Init: not supported */
	recksum(m, 48, HOA, HA);
	if (expect_mh(m, 48, HOA, HA, -ENOTSUP, "MH Type 1") != 0)
		return -1;
	m[2] = 200;
	recksum(m, 48, HOA, HA);
	if (expect_mh(m, 48, HOA, HA, -ENOTSUP, "MH Type 200") != 0)
		return -1;
	haven_mip6_mh_parse(m, 48, HOA, HA, &mh, NULL, 0);
	TEST_ASSERT_EQUAL(mh.type, 200, "type for the Binding Error");

	/* Options: overrun, bad lengths, duplicates, after auth. */
	memcpy(m, b + BU_MH_OFF, BU_MH_LEN);
	m[13] = 40;		/* PadN claims more than the message */
	if (expect_mh(m, 48, NULL, NULL, -EINVAL, "overruns") != 0)
		return -1;
	memcpy(m, b + BU_MH_OFF, BU_MH_LEN);
	m[19] = 7;		/* replay option length 7 */
	if (expect_mh(m, 48, NULL, NULL, -EINVAL, "replay protection") != 0)
		return -1;
	memcpy(m, b + BU_MH_OFF, BU_MH_LEN);
	m[1] = 6;		/* one more 8-octet unit after the auth option */
	memset(m + 48, 0, 8);
	if (expect_mh(m, 56, NULL, NULL, -EINVAL, "after the authentication") != 0)
		return -1;
	/* Two Binding Refresh Advice options. */
	memset(m, 0, 24);
	m[0] = 59;
	m[1] = 2;
	m[2] = HAVEN_MIP6_MH_BA;
	m[12] = 2; m[13] = 2;
	m[16] = 2; m[17] = 2;
	if (expect_mh(m, 24, NULL, NULL, -EINVAL, "repeated") != 0)
		return -1;
	m[13] = 3;
	if (expect_mh(m, 24, NULL, NULL, -EINVAL, "length 3") != 0)
		return -1;
	/* An option header cut by the end of the message. */
	memset(m + 12, 0, 12);
	m[23] = 1;		/* PadN type in the last byte, no length */
	if (expect_mh(m, 24, NULL, NULL, -EINVAL, "overruns") != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Extension-header walk refusals                                     */
/* ------------------------------------------------------------------ */

static int
expect_walk(const uint8_t *b, size_t n, int want_rc, const char *want)
{
	struct haven_mip6_pkt pkt;
	char err[160];
	int rc;

	rc = haven_mip6_walk(b, n, &pkt, err, sizeof(err));
	TEST_ASSERT_EQUAL(rc, want_rc, "reason was \"%s\"", err);
	TEST_ASSERT(strstr(err, want) != NULL, "reason \"%s\" lacks \"%s\"",
		err, want);
	return 0;
}

static int
test_walk_malformed(void)
{
	uint8_t b[256], c[256];
	size_t n = hex_to_bytes(BU_PKT_HEX, b);

	if (expect_walk(b, 39, -EINVAL, "shorter than an IPv6 header") != 0)
		return -1;
	memcpy(c, b, n);
	c[0] = 0x40;
	if (expect_walk(c, n, -EINVAL, "version 4") != 0)
		return -1;
	if (expect_walk(b, n - 1, -EINVAL, "overruns the") != 0)
		return -1;
	/* Misaligned HAO: swap it before the PadN (HAO at 8n+2). */
	memcpy(c, b, n);
	memcpy(c + 42, b + 46, 18);
	memcpy(c + 60, b + 42, 4);
	if (expect_walk(c, n, -EINVAL, "8n+2, not 8n+6") != 0)
		return -1;
	/* HAO length 12. */
	memcpy(c, b, n);
	c[47] = 12;
	c[60] = 1; c[61] = 2;
	if (expect_walk(c, n, -EINVAL, "length 12") != 0)
		return -1;
	/* Multicast home address. */
	memcpy(c, b, n);
	c[48] = 0xff;
	if (expect_walk(c, n, -EINVAL, "unicast routable") != 0)
		return -1;
	/* An unknown option whose action bits say discard. */
	memcpy(c, b, n);
	c[42] = 0x85;
	if (expect_walk(c, n, -EINVAL, "0x85 requires discarding") != 0)
		return -1;
	/* ...and one that may be skipped (00). */
	c[42] = 0x05;
	if (expect_walk(c, n, 0, "ok") != 0)
		return -1;
	/* Destination Options header overrunning the payload. */
	memcpy(c, b, n);
	c[41] = 9;
	if (expect_walk(c, n, -EINVAL, "overrun the payload") != 0)
		return -1;
	/* Hop-by-Hop not first: make the DO header's next header 0. */
	memcpy(c, b, n);
	c[40] = HAVEN_IPPROTO_HOPOPTS;
	if (expect_walk(c, n, -EINVAL, "not first") != 0)
		return -1;
	/* A second Destination Options header with a second HAO. */
	memcpy(c, b, 40);
	memcpy(c + 40, b + 40, 24);
	c[40] = HAVEN_IPPROTO_DSTOPTS;
	memcpy(c + 64, b + 40, n - 40);
	c[5] += 24;
	if (expect_walk(c, n + 24, -EINVAL, "second Home Address") != 0)
		return -1;
	/* Payload length 0 (jumbogram). */
	memcpy(c, b, n);
	c[4] = 0; c[5] = 0;
	if (expect_walk(c, n, -EINVAL, "jumbograms") != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sequence numbers and registration rules                            */
/* ------------------------------------------------------------------ */

static int
test_seq_window(void)
{
	/* RFC 6275 9.5.1, with the TAHI HA_2_5_8 / HA_2_6_6 numbers. */
	TEST_ASSERT(haven_mip6_seq_newer(16, 15), "next");
	TEST_ASSERT(haven_mip6_seq_newer(32782, 15), "last + 32767");
	TEST_ASSERT(!haven_mip6_seq_newer(32783, 15), "last + 32768");
	TEST_ASSERT(!haven_mip6_seq_newer(15, 15), "equal");
	TEST_ASSERT(!haven_mip6_seq_newer(14, 15), "older");
	/* The 2^16 wrap. */
	TEST_ASSERT(haven_mip6_seq_newer(0, 65535), "65535 -> 0");
	TEST_ASSERT(haven_mip6_seq_newer(32766, 65535), "65535 + 32767");
	TEST_ASSERT(!haven_mip6_seq_newer(32767, 65535), "65535 + 32768");
	TEST_ASSERT(!haven_mip6_seq_newer(65535, 0), "0 -> 65535 is older");
	TEST_ASSERT(haven_mip6_seq_newer(7231, 40000), "wrapped by 32767");
	TEST_ASSERT(!haven_mip6_seq_newer(7232, 40000), "wrapped by 32768");
	return 0;
}

static int
test_home_reg_status(void)
{
	struct haven_mip6_reg_state st = {
		.home_agent = true, .home_subnet = true, .serves_node = true,
		.admin_ok = true, .have_binding = true, .binding_home = true,
		.last_seq = 65535,
	};
	struct haven_mip6_mh bu;

	memset(&bu, 0, sizeof(bu));
	bu.type = HAVEN_MIP6_MH_BU;
	bu.flags = HAVEN_MIP6_BU_F_A | HAVEN_MIP6_BU_F_H;
	bu.seq = 0;
	bu.lifetime = 900;
	TEST_ASSERT_EQUAL(haven_mip6_home_reg_status(&bu, &st), 0, "accept");
	bu.seq = 65535;
	TEST_ASSERT_EQUAL(haven_mip6_home_reg_status(&bu, &st), 135, "replay");
	st.binding_home = false;
	TEST_ASSERT_EQUAL(haven_mip6_home_reg_status(&bu, &st), 139,
		"type change before sequence");
	st.admin_ok = false;
	TEST_ASSERT_EQUAL(haven_mip6_home_reg_status(&bu, &st), 129, "admin");
	st.serves_node = false;
	TEST_ASSERT_EQUAL(haven_mip6_home_reg_status(&bu, &st), 133, "not HA");
	st.home_subnet = false;
	TEST_ASSERT_EQUAL(haven_mip6_home_reg_status(&bu, &st), 132,
		"not home subnet");
	st.home_agent = false;
	TEST_ASSERT_EQUAL(haven_mip6_home_reg_status(&bu, &st), 131,
		"home registration not supported");
	bu.flags = HAVEN_MIP6_BU_F_A;
	TEST_ASSERT_EQUAL(haven_mip6_home_reg_status(&bu, &st), -EINVAL,
		"no H: discard");
	/* First registration: no entry, any sequence number. */
	memset(&st, 0, sizeof(st));
	st.home_agent = st.home_subnet = st.serves_node = st.admin_ok = true;
	bu.flags = HAVEN_MIP6_BU_F_H;
	TEST_ASSERT_EQUAL(haven_mip6_home_reg_status(&bu, &st), 0, "first");
	/* Deregistration: lifetime 0, or care-of address = home address. */
	TEST_ASSERT(!haven_mip6_bu_is_dereg(&bu, COA, HOA), "registration");
	TEST_ASSERT(haven_mip6_bu_is_dereg(&bu, HOA, HOA), "back home");
	bu.lifetime = 0;
	TEST_ASSERT(haven_mip6_bu_is_dereg(&bu, COA, HOA), "lifetime 0");
	bu.type = HAVEN_MIP6_MH_BA;
	TEST_ASSERT_EQUAL(haven_mip6_home_reg_status(&bu, &st), -EINVAL,
		"not a BU");
	return 0;
}

static int
test_status_values(void)
{
	/* IANA Mobile IPv6 Status Codes; RFC 4285 took 144-146. */
	TEST_ASSERT_EQUAL(HAVEN_MIP6_BA_SEQ_OUT_OF_WINDOW, 135, "135");
	TEST_ASSERT_EQUAL(HAVEN_MIP6_BA_REG_TYPE_CHANGE, 139, "139");
	TEST_ASSERT_EQUAL(HAVEN_MIP6_BA_ID_MISMATCH, 144, "MIPV6-ID-MISMATCH");
	TEST_ASSERT_EQUAL(HAVEN_MIP6_BA_MESG_ID_REQD, 145,
		"MIPV6-MESG-ID-REQD");
	TEST_ASSERT_EQUAL(HAVEN_MIP6_BA_AUTH_FAIL, 146, "MIPV6-AUTH-FAIL");
	TEST_ASSERT(haven_mip6_addr_unicast_routable(HOA), "global");
	TEST_ASSERT(!haven_mip6_addr_unicast_routable(UNSPEC), "::");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Timestamp replay protection                                        */
/* ------------------------------------------------------------------ */

static int
test_replay_window(void)
{
	uint64_t now = 0xe800000000000000ULL, s = 1ULL << 32;
	uint32_t w = HAVEN_MIP6_REPLAY_WINDOW_DEFAULT;

	TEST_ASSERT_EQUAL(w, 7, "RFC 4285 default");
	TEST_ASSERT_EQUAL(haven_mip6_replay_check(now, 0, now, w), 0, "now");
	TEST_ASSERT_EQUAL(haven_mip6_replay_check(now + 7 * s, 0, now, w), 0,
		"+7 s");
	TEST_ASSERT_EQUAL(haven_mip6_replay_check(now - 7 * s, 0, now, w), 0,
		"-7 s");
	TEST_ASSERT_EQUAL(haven_mip6_replay_check(now + 7 * s + 1, 0, now, w),
		-1, "just past +7 s");
	TEST_ASSERT_EQUAL(haven_mip6_replay_check(now - 8 * s, 0, now, w), -1,
		"-8 s");
	TEST_ASSERT_EQUAL(haven_mip6_replay_check(now, now, now, w), -1,
		"replayed");
	TEST_ASSERT_EQUAL(haven_mip6_replay_check(now - 1, now, now, w), -1,
		"older than the last");
	TEST_ASSERT_EQUAL(haven_mip6_replay_check(now + 1, now, now, w), 0,
		"newer");
	/* Era rollover of 2036: 2^64 wraps to 0. */
	now = 0xfffffffe00000000ULL;
	TEST_ASSERT_EQUAL(haven_mip6_replay_check(now + 3 * s, now, now, w), 0,
		"across 2036");
	TEST_ASSERT(haven_mip6_ts_for_mismatch(TS, 0xe9000000abcdef01ULL) ==
		0xe900000012345678ULL, "agent seconds, node low bits");
	TEST_ASSERT(haven_mip6_ntp_now() > 0xe000000000000000ULL, "clock");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Neighbor Discovery                                                 */
/* ------------------------------------------------------------------ */

static const uint8_t HA_MAC[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t MN_MAC[6] = { 0x02, 0, 0, 0, 0, 0x20 };
/* 2001:db8:1::20, ff02::1 */
static const uint8_t PEER[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x20 };
static const uint8_t ALL_NODES[16] = { 0xff, 0x02, [15] = 1 };

static int
test_nd_build_vectors(void)
{
	uint8_t out[128], want[128];
	size_t n;

	/*
	 * bytes(IPv6(src=ha,dst='ff02::1',hlim=255)/ICMPv6ND_NA(R=0,S=0,O=1,
	 *   tgt=hoa)/ICMPv6NDOptDstLLAddr(lladdr='02:00:00:00:00:01')).hex()
	 */
	n = hex_to_bytes("6000000000203aff20010db800010000000000000000000"
		"1ff0200000000000000000000000000018800f919200000002001"
		"0db80001000000000000000000100201020000000001", want);
	TEST_ASSERT_EQUAL(haven_nd_build_na(out, sizeof(out), HA, ALL_NODES,
		HOA, HAVEN_ND_NA_F_O, HA_MAC), (int)n, "unsolicited NA length");
	TEST_ASSERT_EQUAL(n, HAVEN_ND_PKT_LEN, "72 bytes");
	TEST_ASSERT_MEM(out, want, n, "unsolicited proxy NA");
	/*
	 * bytes(IPv6(src=ha,dst='2001:db8:1::20',hlim=255)/ICMPv6ND_NA(R=0,
	 *   S=1,O=0,tgt=hoa)/ICMPv6NDOptDstLLAddr(lladdr='02:00:00:00:00:01'))
	 */
	n = hex_to_bytes("6000000000203aff20010db800010000000000000000000"
		"120010db80001000000000000000000208800aa43400000002001"
		"0db80001000000000000000000100201020000000001", want);
	TEST_ASSERT_EQUAL(haven_nd_build_na(out, sizeof(out), HA, PEER, HOA,
		HAVEN_ND_NA_F_S, HA_MAC), (int)n, "solicited NA");
	TEST_ASSERT_MEM(out, want, n, "solicited proxy NA");
	/* bytes(IPv6(src='::',dst='ff02::1:ff00:10',hlim=255)/ICMPv6ND_NS(tgt=hoa)) */
	n = hex_to_bytes("6000000000183aff0000000000000000000000000000000"
		"0ff0200000000000000000001ff00001087004cce000000002001"
		"0db8000100000000000000000010", want);
	TEST_ASSERT_EQUAL(haven_nd_build_ns(out, sizeof(out), UNSPEC, NULL,
		HOA, MN_MAC), (int)n, "DAD NS drops the SLLA");
	TEST_ASSERT_MEM(out, want, n, "DAD NS");
	/*
	 * bytes(IPv6(src='2001:db8:1::20',dst='ff02::1:ff00:10',hlim=255)/
	 *   ICMPv6ND_NS(tgt=hoa)/ICMPv6NDOptSrcLLAddr(lladdr='02:00:00:00:00:20'))
	 */
	n = hex_to_bytes("6000000000203aff20010db800010000000000000000002"
		"0ff0200000000000000000001ff00001087001bcb000000002001"
		"0db80001000000000000000000100101020000000020", want);
	TEST_ASSERT_EQUAL(haven_nd_build_ns(out, sizeof(out), PEER, NULL, HOA,
		MN_MAC), (int)n, "NS");
	TEST_ASSERT_MEM(out, want, n, "NS with SLLA");
	TEST_ASSERT_EQUAL(haven_nd_build_na(out, 71, HA, PEER, HOA, 0, HA_MAC),
		-ENOSPC, "small");
	return 0;
}

static int
test_nd_multicast(void)
{
	static const uint8_t want_snm[16] = { 0xff, 0x02, [11] = 0x01,
		[12] = 0xff, [13] = 0, [14] = 0, [15] = 0x10 };
	static const uint8_t want_mac[6] = { 0x33, 0x33, 0xff, 0, 0, 0x10 };
	static const uint8_t a[16] = { 0x20, 0x01, [13] = 0xab, [14] = 0xcd,
		[15] = 0xef };
	uint8_t snm[16], mac[6];

	haven_nd_solicited_node(HOA, snm);
	TEST_ASSERT_MEM(snm, want_snm, 16, "ff02::1:ff00:10");
	haven_nd_mcast_mac(snm, mac);
	TEST_ASSERT_MEM(mac, want_mac, 6, "33:33:ff:00:00:10");
	haven_nd_solicited_node(a, snm);
	haven_nd_mcast_mac(snm, mac);
	TEST_ASSERT(mac[2] == 0xff && mac[3] == 0xab && mac[4] == 0xcd &&
		mac[5] == 0xef, "33:33:ff:ab:cd:ef");
	haven_nd_mcast_mac(ALL_NODES, mac);
	TEST_ASSERT(mac[0] == 0x33 && mac[5] == 1, "33:33:00:00:00:01");
	return 0;
}

static int
expect_ns(const uint8_t *b, size_t n, int want_rc, const char *want)
{
	struct haven_nd_ns_info ns;
	char err[160];
	int rc;

	rc = haven_nd_parse_ns(b, n, &ns, err, sizeof(err));
	TEST_ASSERT_EQUAL(rc, want_rc, "reason was \"%s\"", err);
	TEST_ASSERT(strstr(err, want) != NULL, "reason \"%s\" lacks \"%s\"",
		err, want);
	return 0;
}

/* Rewrite the ICMPv6 checksum of an edited NS. */
static void
ns_recksum(uint8_t *b, size_t n)
{
	uint16_t c;

	c = haven_icmp6_cksum(b + 8, b + 24, b + 40, n - 40);
	b[42] = c >> 8;
	b[43] = c & 0xff;
}

static int
test_nd_parse_ns(void)
{
	struct haven_nd_ns_info ns;
	uint8_t b[128], c[128];
	int n;

	n = haven_nd_build_ns(b, sizeof(b), PEER, NULL, HOA, MN_MAC);
	TEST_ASSERT_EQUAL(haven_nd_parse_ns(b, n, &ns, NULL, 0), 0, "NS");
	TEST_ASSERT_MEM(ns.target, HOA, 16, "target");
	TEST_ASSERT(ns.has_slla, "SLLA");
	TEST_ASSERT_MEM(ns.slla, MN_MAC, 6, "SLLA value");
	TEST_ASSERT(!ns.dad && !haven_nd_is_dad_probe(&ns, NULL), "not DAD");

	n = haven_nd_build_ns(b, sizeof(b), UNSPEC, NULL, HOA, NULL);
	TEST_ASSERT_EQUAL(haven_nd_parse_ns(b, n, &ns, NULL, 0), 0, "DAD");
	TEST_ASSERT(haven_nd_is_dad_probe(&ns, HOA), "DAD for the HoA");
	TEST_ASSERT(!haven_nd_is_dad_probe(&ns, HA), "not for HA");

	n = haven_nd_build_ns(b, sizeof(b), PEER, NULL, HOA, MN_MAC);
	memcpy(c, b, n);
	c[7] = 254;
	if (expect_ns(c, n, -EINVAL, "hop limit 254") != 0)
		return -1;
	memcpy(c, b, n);
	c[41] = 1;
	ns_recksum(c, n);
	if (expect_ns(c, n, -EINVAL, "code 1") != 0)
		return -1;
	memcpy(c, b, n);
	c[45] ^= 1;
	if (expect_ns(c, n, -EINVAL, "checksum") != 0)
		return -1;
	memcpy(c, b, n);
	c[48] = 0xff;
	ns_recksum(c, n);
	if (expect_ns(c, n, -EINVAL, "multicast") != 0)
		return -1;
	memcpy(c, b, n);
	c[65] = 0;		/* SLLA option of length 0 */
	ns_recksum(c, n);
	if (expect_ns(c, n, -EINVAL, "zero length") != 0)
		return -1;
	memcpy(c, b, n);
	c[5] = 16;		/* ICMP length 16 */
	ns_recksum(c, 56);
	if (expect_ns(c, 56, -EINVAL, "below 24") != 0)
		return -1;
	/* DAD to the all-nodes address, and DAD with an SLLA. */
	n = haven_nd_build_ns(b, sizeof(b), UNSPEC, ALL_NODES, HOA, NULL);
	if (expect_ns(b, n, -EINVAL, "non solicited-node") != 0)
		return -1;
	n = haven_nd_build_ns(b, sizeof(b), PEER, NULL, HOA, MN_MAC);
	memset(b + 8, 0, 16);
	ns_recksum(b, n);
	if (expect_ns(b, n, -EINVAL, "with a source link-layer") != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* IPv6-in-IPv6 and ICMPv6 errors                                     */
/* ------------------------------------------------------------------ */

/*
 * The invoking packet, a UDP datagram to the home address with hop
 * limit 1: bytes(IPv6(src='2001:db8:3::5',dst=hoa,hlim=1)/
 *   UDP(sport=1000,dport=2000)/b'hello').hex()
 */
static const char INV_HEX[] =
	"60000000000d110120010db800030000000000000000000520010db800010000"
	"000000000000001003e807d0000d54bf68656c6c6f";

static int
test_tunnel(void)
{
	uint8_t inv[64], pkt[128], out[40], want[128];
	size_t n = hex_to_bytes(INV_HEX, inv), off, len;
	char err[128];

	/*
	 * bytes(IPv6(src=ha,dst=coa,nh=41,hlim=64,plen=len(inv)))[:40].hex()
	 */
	hex_to_bytes("600000000035294020010db800010000000000000000000120010db8"
		"000200000000000000000100", want);
	TEST_ASSERT_EQUAL(haven_ip6ip6_build_outer(out, HA, COA, n,
		HAVEN_IP6IP6_HOP_LIMIT), 40, "outer");
	TEST_ASSERT_MEM(out, want, 40, "outer header");
	TEST_ASSERT_EQUAL(haven_ip6ip6_build_outer(out, HA, COA, 70000, 64),
		-EINVAL, "too long");

	/* Hop limit: 2 -> 1 is forwarded, 1 is not (RFC 2473 3.1). */
	inv[7] = 2;
	TEST_ASSERT_EQUAL(haven_ip6ip6_prepare_inner(inv, n), 0, "2");
	TEST_ASSERT_EQUAL(inv[7], 1, "decremented");
	TEST_ASSERT_EQUAL(haven_ip6ip6_prepare_inner(inv, n), -ETIMEDOUT,
		"1: Time Exceeded");
	TEST_ASSERT_EQUAL(inv[7], 1, "unchanged");
	TEST_ASSERT_EQUAL(haven_ip6ip6_prepare_inner(inv, 39), -EINVAL, "short");

	/* Decapsulation of a reverse-tunnelled packet from the CoA. */
	haven_ip6ip6_build_outer(pkt, COA, HA, n, 64);
	memcpy(pkt + 40, inv, n);
	TEST_ASSERT_EQUAL(haven_ip6ip6_decap_check(pkt, 40 + n, COA, HA, &off,
		&len, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(off, 40, "inner offset");
	TEST_ASSERT_EQUAL(len, n, "inner length");
	TEST_ASSERT_EQUAL(haven_ip6ip6_decap_check(pkt, 40 + n, HOA, HA, &off,
		&len, err, sizeof(err)), -EINVAL, "wrong source");
	TEST_ASSERT(strstr(err, "care-of") != NULL, "%s", err);
	pkt[6] = 4;
	TEST_ASSERT_EQUAL(haven_ip6ip6_decap_check(pkt, 40 + n, NULL, NULL,
		&off, &len, err, sizeof(err)), -EINVAL, "IPv4-in-IPv6");
	TEST_ASSERT(strstr(err, "not 41") != NULL, "%s", err);
	pkt[6] = 41;
	pkt[45] = 99;		/* inner payload length wrong */
	TEST_ASSERT_EQUAL(haven_ip6ip6_decap_check(pkt, 40 + n, NULL, NULL,
		&off, &len, err, sizeof(err)), -EINVAL, "inner length");
	return 0;
}

static int
test_icmp6_errors(void)
{
	uint8_t inv[64], out[1400], want[160], big[2000];
	size_t n = hex_to_bytes(INV_HEX, inv), wn;
	static const uint8_t CN[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 3,
		[15] = 5 };

	/*
	 * bytes(IPv6(src=ha,dst='2001:db8:3::5',hlim=64)/
	 *   ICMPv6TimeExceeded(code=0)/inv).hex()
	 */
	wn = hex_to_bytes("60000000003d3a4020010db80001000000000000000000012001"
		"0db80003000000000000000000050300301c000000006000000000"
		"0d110120010db800030000000000000000000520010db800010000"
		"000000000000001003e807d0000d54bf68656c6c6f", want);
	TEST_ASSERT_EQUAL(haven_icmp6_build_time_exceeded(out, sizeof(out), HA,
		inv, n), (int)wn, "Time Exceeded length");
	TEST_ASSERT_MEM(out, want, wn, "Time Exceeded bytes");
	TEST_ASSERT_MEM(out + 24, CN, 16, "to the invoking source");

	/* A 1500-byte invoking packet is cut to fit 1280 bytes. */
	memset(big, 0xab, sizeof(big));
	memcpy(big, inv, 40);
	big[4] = (1460 >> 8);
	big[5] = 1460 & 0xff;
	TEST_ASSERT_EQUAL(haven_icmp6_build_pkt_too_big(out, sizeof(out), HA,
		1440, big, 1500), 1280, "1280 bytes");
	TEST_ASSERT_EQUAL(out[40], HAVEN_ICMP6_PKT_TOO_BIG, "type 2");
	TEST_ASSERT(out[44] == 0 && out[45] == 0 && out[46] == 0x05 &&
		out[47] == 0xa0, "MTU 1440");
	TEST_ASSERT_EQUAL(haven_icmp6_cksum(out + 8, out + 24, out + 40, 1240),
		(out[42] << 8) | out[43], "checksum");
	TEST_ASSERT_EQUAL(haven_icmp6_build_pkt_too_big(out, 1279, HA, 1440,
		big, 1500), -ENOSPC, "small buffer");

	/* RFC 4443 2.4 (e): no error about an error, nor to multicast. */
	TEST_ASSERT_EQUAL(haven_icmp6_build_time_exceeded(out, sizeof(out), HA,
		want, wn), -EPERM, "about an ICMPv6 error");
	memcpy(big, inv, n);
	big[24] = 0xff;
	TEST_ASSERT_EQUAL(haven_icmp6_build_time_exceeded(out, sizeof(out), HA,
		big, n), -EPERM, "multicast destination");
	TEST_ASSERT(haven_icmp6_build_pkt_too_big(out, sizeof(out), HA, 1280,
		big, n) > 0, "Packet Too Big to multicast is allowed");
	memcpy(big, inv, n);
	memset(big + 8, 0, 16);
	TEST_ASSERT_EQUAL(haven_icmp6_build_time_exceeded(out, sizeof(out), HA,
		big, n), -EPERM, "unspecified source");
	return 0;
}

int
main(void)
{
	int passed = 0, failed = 0;

	TEST_RUN(test_hmac_sha1_rfc2202);
	TEST_RUN(test_hmac_sha256_and_refusals);
	TEST_RUN(test_key_create_refusals);
	TEST_RUN(test_walk_reference_bu);
	TEST_RUN(test_parse_verify_reference_bu);
	TEST_RUN(test_build_reference_bu);
	TEST_RUN(test_build_reference_ba);
	TEST_RUN(test_bu_sha256);
	TEST_RUN(test_roundtrip_bu_options);
	TEST_RUN(test_roundtrip_ba_refresh_advice);
	TEST_RUN(test_roundtrip_be_brr);
	TEST_RUN(test_mh_malformed);
	TEST_RUN(test_walk_malformed);
	TEST_RUN(test_seq_window);
	TEST_RUN(test_home_reg_status);
	TEST_RUN(test_status_values);
	TEST_RUN(test_replay_window);
	TEST_RUN(test_nd_build_vectors);
	TEST_RUN(test_nd_multicast);
	TEST_RUN(test_nd_parse_ns);
	TEST_RUN(test_tunnel);
	TEST_RUN(test_icmp6_errors);
	TEST_SUMMARY();
}
