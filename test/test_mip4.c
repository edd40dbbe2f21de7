/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the Mobile IPv4 registration codec (lib/mip4).
 *
 * The HMAC primitives are checked against the published vectors of RFC
 * 2202 (HMAC-MD5) and RFC 4231 (HMAC-SHA256). Messages are built byte by
 * byte here, never with the codec under test, and the authenticators of
 * the two reference messages were computed independently with Python's
 * hmac module, so a wrong covered span (RFC 5944 section 3.5.1) shows.
 * Every refusal the parser promises is exercised together with its
 * reason, and the replay rules of section 5.7.1 are probed at their
 * bounds. The Mobile Node NAI extension of RFC 2794 is checked against a
 * request and a reply built with scapy (test/mip4_nai_vectors.py), and
 * the UDP tunnel extensions and tunnel header of RFC 3519 likewise
 * (test/mip4_udp_vectors.py), with every malformed variant the parser
 * promises to refuse and the home agent's decision case by case.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "haven_mip4.h"
#include "test.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* A message under construction. */
struct msg {
	uint8_t b[2 * HAVEN_MIP4_MAX_MSG];
	size_t len;
};

static void
put8(struct msg *m, uint8_t v)
{
	m->b[m->len++] = v;
}

static void
put32(struct msg *m, uint32_t v)
{
	put8(m, v >> 24);
	put8(m, (v >> 16) & 0xff);
	put8(m, (v >> 8) & 0xff);
	put8(m, v & 0xff);
}

static void
put_bytes(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void
put_fill(struct msg *m, uint8_t v, size_t n)
{
	memset(m->b + m->len, v, n);
	m->len += n;
}

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

/*
 * The fixed part of the reference request: T flag, lifetime 3600, home
 * address 192.0.2.10, home agent 192.0.2.1, care-of 198.51.100.5,
 * Identification 0xe800000012345678.
 */
static void
put_rrq_fixed(struct msg *m, uint8_t flags)
{
	put8(m, HAVEN_MIP4_TYPE_RRQ);
	put8(m, flags);
	put8(m, 0x0e);
	put8(m, 0x10);
	put32(m, 0xc000020a);
	put32(m, 0xc0000201);
	put32(m, 0xc6336405);
	put32(m, 0xe8000000);
	put32(m, 0x12345678);
}

/* A skippable Mobile Node NAI extension (type 131, RFC 2794). */
static void
put_nai(struct msg *m)
{
	put8(m, 131);
	put8(m, 12);
	put_bytes(m, "mn1@lab.test", 12);
}

/* An authentication extension with a filler authenticator. */
static void
put_auth_ext(struct msg *m, uint8_t type, uint32_t spi, size_t auth_len)
{
	put8(m, type);
	put8(m, (uint8_t)(4 + auth_len));
	put32(m, spi);
	put_fill(m, 0x5a, auth_len);
}

static void
make_sa(struct haven_mip4_sa *sa, uint32_t spi, enum haven_mip4_alg alg,
		const char *key)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->alg = alg;
	sa->key_len = (uint8_t)strlen(key);
	memcpy(sa->key, key, sa->key_len);
}

/*
 * The reference request: fixed part, NAI, MN-HA (SPI 256, HMAC-MD5 with
 * key "haven-test-key-1"), authenticator filled in by the library.
 */
static int
build_reference_rrq(struct msg *m, struct haven_mip4_sa *sa)
{
	size_t auth_off;

	memset(m, 0, sizeof(*m));
	make_sa(sa, 256, HAVEN_MIP4_ALG_HMAC_MD5, "haven-test-key-1");
	put_rrq_fixed(m, HAVEN_MIP4_F_T);
	put_nai(m);
	put_auth_ext(m, HAVEN_MIP4_EXT_MN_HA, 256, 16);
	auth_off = m->len - 16;
	return haven_mip4_auth_compute(sa, m->b, auth_off, m->b + auth_off);
}

/* Parse m and check the return value and that the reason holds want. */
static int
expect_rrq(const struct msg *m, int want_rc, const char *want_reason)
{
	struct haven_mip4_rrq rrq;
	char err[128];
	int rc;

	rc = haven_mip4_parse_rrq(m->b, m->len, &rrq, err, sizeof(err));
	TEST_ASSERT_EQUAL(rc, want_rc, "reason was \"%s\"", err);
	TEST_ASSERT(strstr(err, want_reason) != NULL,
		"reason \"%s\" lacks \"%s\"", err, want_reason);
	return 0;
}

/* ------------------------------------------------------------------ */
/* HMAC vectors                                                       */
/* ------------------------------------------------------------------ */

struct hmac_vector {
	const char *name;
	const char *key_hex;	/* key, or NULL to use key_str */
	const char *key_str;
	const char *data_hex;	/* data, or NULL to use data_str */
	const char *data_str;
	const char *digest_hex;
};

static int
run_vectors(enum haven_mip4_alg alg, const struct hmac_vector *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct haven_mip4_sa sa;
		uint8_t data[128], want[32], got[32];
		size_t data_len, want_len;

		memset(&sa, 0, sizeof(sa));
		sa.alg = alg;
		if (v[i].key_hex != NULL) {
			sa.key_len = (uint8_t)hex_to_bytes(v[i].key_hex,
				sa.key);
		} else {
			sa.key_len = (uint8_t)strlen(v[i].key_str);
			memcpy(sa.key, v[i].key_str, sa.key_len);
		}
		if (v[i].data_hex != NULL) {
			data_len = hex_to_bytes(v[i].data_hex, data);
		} else {
			data_len = strlen(v[i].data_str);
			memcpy(data, v[i].data_str, data_len);
		}
		want_len = hex_to_bytes(v[i].digest_hex, want);

		TEST_ASSERT_EQUAL(haven_mip4_auth_compute(&sa, data, data_len,
			got), want_len, "%s", v[i].name);
		TEST_ASSERT_MEM(got, want, want_len, "%s digest", v[i].name);

		/* The same through a prepared key, twice (state reused). */
		{
			struct haven_mip4_key *k = haven_mip4_key_create(&sa);
			int r;

			TEST_ASSERT(k != NULL, "%s: key_create", v[i].name);
			memset(got, 0, sizeof(got));
			r = haven_mip4_key_compute(k, data, data_len, got);
			r += haven_mip4_key_compute(k, data, data_len, got);
			haven_mip4_key_free(k);
			TEST_ASSERT_EQUAL(r, 2 * (int)want_len, "%s: prepared",
				v[i].name);
			TEST_ASSERT_MEM(got, want, want_len,
				"%s prepared digest", v[i].name);
		}
	}
	return 0;
}

#define AA16 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define AA80 AA16 AA16 AA16 AA16 AA16
#define DD50 "dddddddddddddddddddddddddddddddddddddddddddddddddd" \
	"dddddddddddddddddddddddddddddddddddddddddddddddddd"
#define CD50 "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd" \
	"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
#define KEY25 "0102030405060708090a0b0c0d0e0f10111213141516171819"

/* RFC 2202 section 2, all seven HMAC-MD5 test cases. */
static int
test_hmac_md5_rfc2202(void)
{
	static const struct hmac_vector v[] = {
		{ "case 1", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", NULL,
		  NULL, "Hi There",
		  "9294727a3638bb1c13f48ef8158bfc9d" },
		{ "case 2", NULL, "Jefe",
		  NULL, "what do ya want for nothing?",
		  "750c783e6ab0b503eaa86e310a5db738" },
		{ "case 3", AA16, NULL, DD50, NULL,
		  "56be34521d144c88dbb8c733f0e8b3f6" },
		{ "case 4", KEY25, NULL, CD50, NULL,
		  "697eaf0aca3a3aea3a75164746ffaa79" },
		{ "case 5", "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", NULL,
		  NULL, "Test With Truncation",
		  "56461ef2342edc00f9bab995690efd4c" },
		{ "case 6", AA80, NULL, NULL,
		  "Test Using Larger Than Block-Size Key - Hash Key First",
		  "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd" },
		{ "case 7", AA80, NULL, NULL,
		  "Test Using Larger Than Block-Size Key and Larger "
		  "Than One Block-Size Data",
		  "6f630fad67cda0ee1fb1f562db3aa53e" },
	};

	return run_vectors(HAVEN_MIP4_ALG_HMAC_MD5, v, sizeof(v) / sizeof(v[0]));
}

/* RFC 4231 section 4, test cases 1-4 (untruncated, keys that fit). */
static int
test_hmac_sha256_rfc4231(void)
{
	static const struct hmac_vector v[] = {
		{ "case 1", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", NULL,
		  NULL, "Hi There",
		  "b0344c61d8db38535ca8afceaf0bf12b"
		  "881dc200c9833da726e9376c2e32cff7" },
		{ "case 2", NULL, "Jefe",
		  NULL, "what do ya want for nothing?",
		  "5bdcc146bf60754e6a042426089575c7"
		  "5a003f089d2739839dec58b964ec3843" },
		{ "case 3", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL,
		  DD50, NULL,
		  "773ea91e36800e46854db8ebd09181a7"
		  "2959098b3ef8c122d9635514ced565fe" },
		{ "case 4", KEY25, NULL, CD50, NULL,
		  "82558a389a443c0ea4cc819899f2083a"
		  "85f0faa3e578f8077a2e3ff46729665b" },
	};

	return run_vectors(HAVEN_MIP4_ALG_HMAC_SHA256, v,
		sizeof(v) / sizeof(v[0]));
}

static int
test_auth_compute_refuses_bad_sa(void)
{
	struct haven_mip4_sa sa;
	uint8_t out[HAVEN_MIP4_MAX_AUTH];
	const uint8_t data[4] = { 1, 2, 3, 4 };

	TEST_ASSERT_EQUAL(haven_mip4_auth_len(HAVEN_MIP4_ALG_HMAC_MD5), 16,
		"MD5 length");
	TEST_ASSERT_EQUAL(haven_mip4_auth_len(HAVEN_MIP4_ALG_HMAC_SHA256), 32,
		"SHA-256 length");
	TEST_ASSERT_EQUAL(haven_mip4_auth_len((enum haven_mip4_alg)7), 0,
		"unknown algorithm length");

	make_sa(&sa, 1, HAVEN_MIP4_ALG_HMAC_MD5, "k");
	sa.alg = (enum haven_mip4_alg)7;
	TEST_ASSERT_EQUAL(haven_mip4_auth_compute(&sa, data, 4, out), -EINVAL,
		"unknown algorithm");
	sa.alg = HAVEN_MIP4_ALG_HMAC_MD5;
	sa.key_len = 0;
	TEST_ASSERT_EQUAL(haven_mip4_auth_compute(&sa, data, 4, out), -EINVAL,
		"empty key");
	sa.key_len = HAVEN_MIP4_MAX_KEY + 1;
	TEST_ASSERT_EQUAL(haven_mip4_auth_compute(&sa, data, 4, out), -EINVAL,
		"oversized key");
	TEST_ASSERT_EQUAL(haven_mip4_auth_compute(NULL, data, 4, out), -EINVAL,
		"no SA");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Registration Request                                               */
/* ------------------------------------------------------------------ */

static int
test_rrq_parse_reference(void)
{
	/* HMAC-MD5 of bytes 0..43, computed with Python's hmac module. */
	static const char python_auth[] = "fc8c9a2768cbb2fe1a5ebe6b074173b2";
	struct haven_mip4_sa sa;
	struct haven_mip4_rrq rrq;
	struct msg m;
	uint8_t want[16];
	char err[128];
	const uint8_t home[4] = { 192, 0, 2, 10 };
	const uint8_t ha[4] = { 192, 0, 2, 1 };
	const uint8_t coa[4] = { 198, 51, 100, 5 };

	TEST_ASSERT_EQUAL(build_reference_rrq(&m, &sa), 16, "compute");
	TEST_ASSERT_EQUAL(m.len, 60, "reference length");
	hex_to_bytes(python_auth, want);
	TEST_ASSERT_MEM(m.b + 44, want, 16,
		"authenticator differs from the independent computation");

	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(m.b, m.len, &rrq, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(rrq.flags, HAVEN_MIP4_F_T, "flags");
	TEST_ASSERT_EQUAL(rrq.lifetime, 3600, "lifetime");
	TEST_ASSERT_MEM(&rrq.home_addr, home, 4, "home address");
	TEST_ASSERT_MEM(&rrq.ha_addr, ha, 4, "home agent");
	TEST_ASSERT_MEM(&rrq.coa, coa, 4, "care-of address");
	TEST_ASSERT(rrq.ident == 0xe800000012345678ULL, "ident %llx",
		(unsigned long long)rrq.ident);
	TEST_ASSERT(rrq.mn_ha.present, "MN-HA present");
	TEST_ASSERT_EQUAL(rrq.mn_ha.spi, 256, "SPI");
	TEST_ASSERT_EQUAL(rrq.mn_ha.auth_len, 16, "auth length");
	TEST_ASSERT(rrq.mn_ha.auth == m.b + 44, "auth pointer");
	TEST_ASSERT_EQUAL(rrq.mn_ha.covered_len, 44, "covered through SPI");
	TEST_ASSERT(!rrq.mn_fa.present && !rrq.fa_ha.present, "no FA exts");
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, m.b, &rrq.mn_ha), 0,
		"verify");
	return 0;
}

/* RFC 5944 3.3: r and x are "sent as zero; ignored on reception". */
static int
test_rrq_reserved_flags_ignored(void)
{
	struct haven_mip4_sa sa;
	struct haven_mip4_rrq rrq;
	struct msg m;
	size_t auth_off;

	memset(&m, 0, sizeof(m));
	make_sa(&sa, 256, HAVEN_MIP4_ALG_HMAC_MD5, "haven-test-key-1");
	put_rrq_fixed(&m, 0xff);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 256, 16);
	auth_off = m.len - 16;
	haven_mip4_auth_compute(&sa, m.b, auth_off, m.b + auth_off);

	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(m.b, m.len, &rrq, NULL, 0), 0,
		"r and x set must not be refused");
	TEST_ASSERT_EQUAL(rrq.flags, 0xff & ~(HAVEN_MIP4_F_r | HAVEN_MIP4_F_x),
		"r and x cleared, S B D M G T kept");
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, m.b, &rrq.mn_ha), 0,
		"authenticator covers the flags as sent");
	return 0;
}

static int
test_rrq_with_fa_extensions(void)
{
	struct haven_mip4_sa sa;
	struct haven_mip4_rrq rrq;
	struct msg m;
	char err[128];

	TEST_ASSERT_EQUAL(build_reference_rrq(&m, &sa), 16, "compute");
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_FA, 7, 16);
	put_auth_ext(&m, HAVEN_MIP4_EXT_FA_HA, 9, 20);

	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(m.b, m.len, &rrq, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT(rrq.mn_fa.present && rrq.mn_fa.spi == 7, "MN-FA");
	TEST_ASSERT_EQUAL(rrq.mn_fa.covered_len, 60 + 6, "MN-FA covered");
	TEST_ASSERT(rrq.fa_ha.present && rrq.fa_ha.spi == 9, "FA-HA");
	TEST_ASSERT_EQUAL(rrq.fa_ha.auth_len, 20, "FA-HA auth length");
	TEST_ASSERT_EQUAL(rrq.fa_ha.covered_len, 60 + 22 + 6, "FA-HA covered");
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, m.b, &rrq.mn_ha), 0,
		"MN-HA still verifies: extensions after it are not covered");
	return 0;
}

static int
test_verify_refusals(void)
{
	struct haven_mip4_sa sa, other;
	struct haven_mip4_rrq rrq;
	struct haven_mip4_auth_ext ext;
	struct msg m;
	size_t bit;

	TEST_ASSERT_EQUAL(build_reference_rrq(&m, &sa), 16, "compute");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(m.b, m.len, &rrq, NULL, 0), 0,
		"parse");

	/* Every single-bit flip of the authenticator. */
	for (bit = 0; bit < 16 * 8; bit++) {
		m.b[44 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
		TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, m.b, &rrq.mn_ha),
			-EACCES, "bit %zu flipped", bit);
		m.b[44 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* A flip in the covered data (lifetime, NAI, SPI bytes). */
	m.b[3] ^= 1;
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, m.b, &rrq.mn_ha),
		-EACCES, "lifetime changed");
	m.b[3] ^= 1;
	m.b[30] ^= 0x20;
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, m.b, &rrq.mn_ha),
		-EACCES, "NAI changed");
	m.b[30] ^= 0x20;
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, m.b, &rrq.mn_ha), 0,
		"restored");

	other = sa;
	other.spi = 257;
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&other, m.b, &rrq.mn_ha),
		-EACCES, "wrong SPI");
	other = sa;
	other.key[0] ^= 1;
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&other, m.b, &rrq.mn_ha),
		-EACCES, "wrong key");
	other = sa;
	other.alg = HAVEN_MIP4_ALG_HMAC_SHA256;
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&other, m.b, &rrq.mn_ha),
		-EACCES, "16-byte authenticator under SHA-256");

	ext = rrq.mn_ha;
	ext.auth_len = 15;
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, m.b, &ext), -EACCES,
		"truncated authenticator");
	ext = rrq.mn_ha;
	ext.present = false;
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, m.b, &ext), -EACCES,
		"absent extension");
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(NULL, m.b, &rrq.mn_ha),
		-EACCES, "no SA");
	return 0;
}

/* The prepared-key API agrees with the per-call one and refuses alike. */
static int
test_prepared_key(void)
{
	struct haven_mip4_sa sa, other;
	struct haven_mip4_rrq rrq;
	struct haven_mip4_rrp rrp;
	struct haven_mip4_key *k, *wrong;
	uint8_t a[64], b[64];
	struct msg m;
	int n;

	TEST_ASSERT_EQUAL(build_reference_rrq(&m, &sa), 16, "compute");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(m.b, m.len, &rrq, NULL, 0), 0,
		"parse");
	k = haven_mip4_key_create(&sa);
	TEST_ASSERT(k != NULL, "create");
	TEST_ASSERT_EQUAL(haven_mip4_key_spi(k), sa.spi, "spi");
	TEST_ASSERT_EQUAL(haven_mip4_key_alg(k), sa.alg, "alg");
	TEST_ASSERT_EQUAL(haven_mip4_key_verify(k, m.b, &rrq.mn_ha), 0,
		"verify");
	m.b[44] ^= 1;
	TEST_ASSERT_EQUAL(haven_mip4_key_verify(k, m.b, &rrq.mn_ha), -EACCES,
		"flipped authenticator");
	m.b[44] ^= 1;
	other = sa;
	other.spi++;
	wrong = haven_mip4_key_create(&other);
	TEST_ASSERT_EQUAL(haven_mip4_key_verify(wrong, m.b, &rrq.mn_ha),
		-EACCES, "wrong SPI");
	haven_mip4_key_free(wrong);
	other = sa;
	other.key[0] ^= 1;
	wrong = haven_mip4_key_create(&other);
	TEST_ASSERT_EQUAL(haven_mip4_key_verify(wrong, m.b, &rrq.mn_ha),
		-EACCES, "wrong key");
	haven_mip4_key_free(wrong);
	TEST_ASSERT_EQUAL(haven_mip4_key_verify(NULL, m.b, &rrq.mn_ha),
		-EACCES, "no key");

	memset(&rrp, 0, sizeof(rrp));
	rrp.lifetime = 600;
	rrp.home_addr = rrq.home_addr;
	rrp.ha_addr = rrq.ha_addr;
	rrp.ident = rrq.ident;
	n = haven_mip4_build_rrp(&rrp, &sa, a, sizeof(a));
	TEST_ASSERT_EQUAL(n, 42, "reply");
	TEST_ASSERT_EQUAL(haven_mip4_build_rrp_key(&rrp, k, b, sizeof(b)), n,
		"reply, prepared key");
	TEST_ASSERT_MEM(a, b, (size_t)n, "same reply bytes");
	TEST_ASSERT_EQUAL(haven_mip4_build_rrp_key(&rrp, k, b, 41), -ENOSPC,
		"short buffer");
	haven_mip4_key_free(k);
	haven_mip4_key_free(NULL);

	sa.key_len = 0;
	TEST_ASSERT(haven_mip4_key_create(&sa) == NULL, "empty key");
	sa.key_len = HAVEN_MIP4_MAX_KEY + 1;
	TEST_ASSERT(haven_mip4_key_create(&sa) == NULL, "oversized key");
	sa.key_len = 4;
	sa.alg = (enum haven_mip4_alg)7;
	TEST_ASSERT(haven_mip4_key_create(&sa) == NULL, "unknown algorithm");
	return 0;
}

/* A 32-byte SHA-256 authenticator on a request, and the wrong length. */
static int
test_rrq_sha256(void)
{
	struct haven_mip4_sa sa;
	struct haven_mip4_rrq rrq;
	struct msg m;

	memset(&m, 0, sizeof(m));
	make_sa(&sa, 0x01020304, HAVEN_MIP4_ALG_HMAC_SHA256,
		"a-sha256-key-of-32-bytes-length");
	put_rrq_fixed(&m, 0);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 0x01020304, 32);
	TEST_ASSERT_EQUAL(haven_mip4_auth_compute(&sa, m.b, 30, m.b + 30), 32,
		"compute");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(m.b, m.len, &rrq, NULL, 0), 0,
		"parse");
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, m.b, &rrq.mn_ha), 0,
		"verify");
	sa.alg = HAVEN_MIP4_ALG_HMAC_MD5;
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, m.b, &rrq.mn_ha),
		-EACCES, "32-byte authenticator under MD5");
	return 0;
}

static int
test_rrq_malformed(void)
{
	struct haven_mip4_rrq rrq;
	struct msg m;
	char err[128];
	const uint8_t home[4] = { 192, 0, 2, 10 };

	/* Shorter than the fixed part. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	m.len = 23;
	TEST_ASSERT(expect_rrq(&m, -EINVAL,
		"message of 23 bytes is shorter than the 24-byte") == 0,
		"short");
	m.len = 0;
	TEST_ASSERT(expect_rrq(&m, -EINVAL, "shorter") == 0, "empty");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(NULL, 60, &rrq, err,
		sizeof(err)), -EINVAL, "NULL buffer");

	/* Wrong type: a reply is not a request. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 1, 16);
	m.b[0] = HAVEN_MIP4_TYPE_RRP;
	TEST_ASSERT(expect_rrq(&m, -EINVAL,
		"type 3 is not a Registration Request") == 0, "type");

	/* Longer than HAVEN_MIP4_MAX_MSG: 134, fixed part still filled. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 1, 16);
	put_fill(&m, 0, HAVEN_MIP4_MAX_MSG + 1 - m.len);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_POORLY_FORMED,
		"message of 1025 bytes exceeds the 1024-byte limit") == 0,
		"too long");
	haven_mip4_parse_rrq(m.b, m.len, &rrq, NULL, 0);
	TEST_ASSERT_MEM(&rrq.home_addr, home, 4,
		"fixed part filled for the denial");
	TEST_ASSERT(rrq.ident == 0xe800000012345678ULL, "ident for denial");

	/* A lone type byte before MN-HA: truncated. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put8(&m, 131);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_POORLY_FORMED,
		"extension 131 at offset 24 truncated") == 0, "lone byte");

	/* A skippable extension whose length overruns the message. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put8(&m, 131);
	put8(&m, 40);
	put_fill(&m, 'a', 14);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_POORLY_FORMED,
		"extension 131 at offset 24 overruns message (len 40)") == 0,
		"skippable overrun");

	/* An MN-HA extension whose length overruns the message. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 1, 16);
	m.len -= 1;
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_POORLY_FORMED,
		"extension 32 at offset 24 overruns message (len 45)") == 0,
		"MN-HA overrun");

	/* An MN-HA extension too short for its SPI. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put8(&m, HAVEN_MIP4_EXT_MN_HA);
	put8(&m, 3);
	put_fill(&m, 0, 3);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_POORLY_FORMED,
		"MN-HA extension at offset 24: length 3 cannot hold the SPI") == 0,
		"no room for SPI");

	/* A truncated MN-HA at the very end, after a good one. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 1, 16);
	put8(&m, HAVEN_MIP4_EXT_MN_FA);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_POORLY_FORMED,
		"extension 33 at offset 46 truncated") == 0, "trailing byte");

	/* Missing MN-HA: 131 (RFC 5944 3.8.2.1), with and without others. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_MN_AUTH,
		"no MN-HA authentication extension") == 0, "bare request");
	put_nai(&m);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_MN_AUTH,
		"no MN-HA authentication extension") == 0, "NAI only");

	/* Two MN-HA extensions: 131 as well. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 1, 16);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 1, 16);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_MN_AUTH,
		"second MN-HA extension at offset 46") == 0, "two MN-HA");

	/* A skippable extension after MN-HA. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 1, 16);
	put_nai(&m);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_POORLY_FORMED,
		"extension 131 at offset 46 follows the MN-HA extension") == 0,
		"NAI after MN-HA");

	/* MN-FA before MN-HA. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_FA, 1, 16);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 1, 16);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_POORLY_FORMED,
		"MN-FA extension at offset 24 precedes the MN-HA") == 0,
		"MN-FA first");

	/* Two MN-FA extensions. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 1, 16);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_FA, 1, 16);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_FA, 1, 16);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_POORLY_FORMED,
		"second MN-FA extension at offset 68") == 0, "two MN-FA");

	/* Anything after FA-HA. */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 1, 16);
	put_auth_ext(&m, HAVEN_MIP4_EXT_FA_HA, 1, 16);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_FA, 1, 16);
	TEST_ASSERT(expect_rrq(&m, HAVEN_MIP4_DENIED_POORLY_FORMED,
		"extension 33 at offset 68 follows the FA-HA extension") == 0,
		"MN-FA after FA-HA");

	/* Unknown non-skippable types: silently discarded (RFC 5944 1.9). */
	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put8(&m, 7);
	put8(&m, 4);
	put_fill(&m, 0, 4);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 1, 16);
	TEST_ASSERT(expect_rrq(&m, -EINVAL,
		"unknown non-skippable extension 7 at offset 24") == 0,
		"type 7");
	m.b[24] = 36;	/* Generalized Authentication, long format */
	TEST_ASSERT(expect_rrq(&m, -EINVAL,
		"unknown non-skippable extension 36 at offset 24") == 0,
		"type 36");
	m.b[24] = 127;
	TEST_ASSERT(expect_rrq(&m, -EINVAL, "extension 127") == 0,
		"type 127");
	m.b[24] = 128;	/* the first skippable type */
	TEST_ASSERT(expect_rrq(&m, 0, "ok") == 0, "type 128 skipped");
	return 0;
}

/* Skippable extensions before MN-HA, including an empty one, are skipped. */
static int
test_rrq_skippable_extensions(void)
{
	struct haven_mip4_rrq rrq;
	struct msg m;

	memset(&m, 0, sizeof(m));
	put_rrq_fixed(&m, 0);
	put8(&m, 255);
	put8(&m, 0);
	put_nai(&m);
	put8(&m, 145);		/* short format: Sub-Type then data */
	put8(&m, 3);
	put8(&m, 1);
	put_bytes(&m, "hi", 2);
	put_auth_ext(&m, HAVEN_MIP4_EXT_MN_HA, 5, 16);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(m.b, m.len, &rrq, NULL, 0), 0,
		"parse");
	TEST_ASSERT_EQUAL(rrq.mn_ha.covered_len, 24 + 2 + 14 + 5 + 6,
		"covered");
	TEST_ASSERT_EQUAL(rrq.mn_ha.spi, 5, "SPI");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Registration Reply                                                 */
/* ------------------------------------------------------------------ */

static int
test_rrp_build_parse(void)
{
	/* HMAC-SHA256 of bytes 0..25, computed with Python's hmac module. */
	static const char python_auth[] =
		"7b07da5910dd33b06263db4d9f37100c"
		"10c680b945086c66dd14ca00ed1bd697";
	struct haven_mip4_rrp rrp, back;
	struct haven_mip4_auth_ext mn_ha;
	struct haven_mip4_sa sa;
	uint8_t buf[128], want[32];
	const uint8_t home[4] = { 192, 0, 2, 10 };
	const uint8_t ha[4] = { 192, 0, 2, 1 };
	const uint8_t fixed[20] = {
		3, 0, 0x0e, 0x10, 192, 0, 2, 10, 192, 0, 2, 1,
		0xe8, 0, 0, 0, 0x12, 0x34, 0x56, 0x78,
	};

	memset(&rrp, 0, sizeof(rrp));
	rrp.code = HAVEN_MIP4_ACCEPTED;
	rrp.lifetime = 3600;
	memcpy(&rrp.home_addr, home, 4);
	memcpy(&rrp.ha_addr, ha, 4);
	rrp.ident = 0xe800000012345678ULL;
	make_sa(&sa, 512, HAVEN_MIP4_ALG_HMAC_SHA256,
		"haven-test-key-2-sha256-32bytes!");

	TEST_ASSERT_EQUAL(haven_mip4_build_rrp(&rrp, &sa, buf, sizeof(buf)),
		20 + 6 + 32, "length");
	TEST_ASSERT_MEM(buf, fixed, 20, "fixed part");
	TEST_ASSERT_EQUAL(buf[20], HAVEN_MIP4_EXT_MN_HA, "ext type");
	TEST_ASSERT_EQUAL(buf[21], 36, "ext length");
	TEST_ASSERT(buf[22] == 0 && buf[23] == 0 && buf[24] == 2 &&
		buf[25] == 0, "SPI bytes");
	hex_to_bytes(python_auth, want);
	TEST_ASSERT_MEM(buf + 26, want, 32,
		"authenticator differs from the independent computation");

	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, 58, &back, &mn_ha), 0,
		"parse");
	TEST_ASSERT_EQUAL(back.code, 0, "code");
	TEST_ASSERT_EQUAL(back.lifetime, 3600, "lifetime");
	TEST_ASSERT(back.home_addr == rrp.home_addr &&
		back.ha_addr == rrp.ha_addr, "addresses");
	TEST_ASSERT(back.ident == rrp.ident, "ident");
	TEST_ASSERT(mn_ha.present && mn_ha.spi == 512 &&
		mn_ha.auth_len == 32 && mn_ha.covered_len == 26, "MN-HA");
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, buf, &mn_ha), 0,
		"verify");
	buf[57] ^= 0x80;
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, buf, &mn_ha), -EACCES,
		"flipped");
	buf[57] ^= 0x80;

	/* A denial with HMAC-MD5, round trip. */
	rrp.code = HAVEN_MIP4_DENIED_IDENT_MISMATCH;
	make_sa(&sa, 256, HAVEN_MIP4_ALG_HMAC_MD5, "haven-test-key-1");
	TEST_ASSERT_EQUAL(haven_mip4_build_rrp(&rrp, &sa, buf, sizeof(buf)),
		42, "MD5 length");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, 42, &back, &mn_ha), 0,
		"parse MD5");
	TEST_ASSERT_EQUAL(back.code, 133, "code");
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, buf, &mn_ha), 0,
		"verify MD5");

	/* No SA: the fixed part alone, which parses without MN-HA. */
	TEST_ASSERT_EQUAL(haven_mip4_build_rrp(&rrp, NULL, buf, sizeof(buf)),
		20, "no SA");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, 20, &back, &mn_ha), 0,
		"parse bare");
	TEST_ASSERT(!mn_ha.present, "no MN-HA");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, 20, &back, NULL), 0,
		"NULL mn_ha");
	return 0;
}

static int
test_rrp_build_refusals(void)
{
	struct haven_mip4_rrp rrp;
	struct haven_mip4_sa sa;
	uint8_t buf[64];
	size_t len;

	memset(&rrp, 0, sizeof(rrp));
	make_sa(&sa, 1, HAVEN_MIP4_ALG_HMAC_MD5, "k");
	for (len = 0; len < 42; len++)
		TEST_ASSERT_EQUAL(haven_mip4_build_rrp(&rrp, &sa, buf, len),
			-ENOSPC, "buffer of %zu", len);
	for (len = 0; len < 20; len++)
		TEST_ASSERT_EQUAL(haven_mip4_build_rrp(&rrp, NULL, buf, len),
			-ENOSPC, "bare, buffer of %zu", len);
	sa.alg = (enum haven_mip4_alg)9;
	TEST_ASSERT_EQUAL(haven_mip4_build_rrp(&rrp, &sa, buf, sizeof(buf)),
		-EINVAL, "unknown algorithm");
	make_sa(&sa, 1, HAVEN_MIP4_ALG_HMAC_MD5, "k");
	sa.key_len = HAVEN_MIP4_MAX_KEY + 1;
	TEST_ASSERT_EQUAL(haven_mip4_build_rrp(&rrp, &sa, buf, sizeof(buf)),
		-EINVAL, "oversized key");
	return 0;
}

static int
test_rrp_malformed(void)
{
	struct haven_mip4_rrp rrp;
	struct haven_mip4_rrp in;
	struct haven_mip4_sa sa;
	uint8_t buf[HAVEN_MIP4_MAX_MSG + 8];
	int len;

	memset(&in, 0, sizeof(in));
	make_sa(&sa, 1, HAVEN_MIP4_ALG_HMAC_MD5, "k");
	len = haven_mip4_build_rrp(&in, &sa, buf, sizeof(buf));
	TEST_ASSERT_EQUAL(len, 42, "build");

	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, 19, &rrp, NULL), -EINVAL,
		"short");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, 41, &rrp, NULL), -EINVAL,
		"truncated MN-HA");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, 21, &rrp, NULL), -EINVAL,
		"lone type byte");
	buf[0] = HAVEN_MIP4_TYPE_RRQ;
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, 42, &rrp, NULL), -EINVAL,
		"request type");
	buf[0] = HAVEN_MIP4_TYPE_RRP;
	buf[20] = 7;
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, 42, &rrp, NULL), -EINVAL,
		"unknown non-skippable");
	buf[20] = HAVEN_MIP4_EXT_MN_HA;
	buf[42] = 131;
	buf[43] = 0;
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, 44, &rrp, NULL), -EINVAL,
		"extension after MN-HA");
	memset(buf + 42, 0, sizeof(buf) - 42);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, HAVEN_MIP4_MAX_MSG + 1,
		&rrp, NULL), -EINVAL, "too long");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(NULL, 42, &rrp, NULL), -EINVAL,
		"NULL");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Replay protection (RFC 5944 section 5.7.1)                         */
/* ------------------------------------------------------------------ */

#define SEC(s) ((uint64_t)(s) << 32)

static int
test_replay_window(void)
{
	const uint64_t now = SEC(3900000000u) | 0x80000000u;

	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now, 0, now, 7), 0,
		"exactly now, first registration");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now + SEC(7), 0, now, 7), 0,
		"7 s ahead is inside");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now + SEC(7) + 1, 0, now, 7),
		-1, "just over 7 s ahead");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now - SEC(7), 0, now, 7), 0,
		"7 s behind is inside");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now - SEC(7) - 1, 0, now, 7),
		-1, "just over 7 s behind");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now - SEC(3600), 0, now, 7),
		-1, "an hour old");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now + SEC(3600), 0, now, 7),
		-1, "an hour ahead");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(0, 0, now, 7), -1,
		"zero");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now, 0, now, 0), 0,
		"window 0, exact");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now + 1, 0, now, 0), -1,
		"window 0, off by one fraction");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now - SEC(1000000), 0, now,
		UINT32_MAX), 0, "widest window does not overflow");
	return 0;
}

static int
test_replay_monotonic(void)
{
	const uint64_t now = SEC(3900000000u);
	const uint64_t last = now - SEC(2);

	TEST_ASSERT_EQUAL(haven_mip4_replay_check(last, last, now, 7), -1,
		"same as last accepted (a replay)");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(last - 1, last, now, 7), -1,
		"older than last accepted");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(last + 1, last, now, 7), 0,
		"newer by one fraction");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now, last, now, 7), 0,
		"now, newer than last");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now + SEC(8), last, now, 7),
		-1, "newer but outside the window");
	return 0;
}

/* Across the NTP era rollover of 2036 (seconds wrap to 0). */
static int
test_replay_era_rollover(void)
{
	const uint64_t now = SEC(1);			/* 1 s into era 1 */
	const uint64_t before = 0xffffffff80000000ULL;	/* 1.5 s earlier */

	TEST_ASSERT_EQUAL(haven_mip4_replay_check(before, 0, now, 7), 0,
		"late era-0 stamp is within 7 s");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(now, before, now, 7), 0,
		"era-1 stamp is newer than era-0 stamp");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(before, now, now, 7), -1,
		"era-0 stamp is older than era-1 stamp");
	return 0;
}

static int
test_ident_for_mismatch(void)
{
	const uint64_t req = 0x0123456789abcdefULL;
	const uint64_t now = 0xe8aabbccddeeff00ULL;
	uint64_t id = haven_mip4_ident_for_mismatch(req, now);

	TEST_ASSERT(id == 0xe8aabbcc89abcdefULL, "got %llx",
		(unsigned long long)id);
	TEST_ASSERT((id & 0xffffffffu) == (req & 0xffffffffu),
		"low 32 bits from the request");
	TEST_ASSERT((id >> 32) == (now >> 32), "high 32 bits from the clock");
	return 0;
}

static int
test_ntp_now(void)
{
	uint64_t a = haven_mip4_ntp_now();
	uint64_t b = haven_mip4_ntp_now();
	/* 2020-01-01 in NTP seconds: 1577836800 + 2208988800. */
	const uint64_t y2020 = SEC(3786825600u);

	TEST_ASSERT(a > y2020, "clock before 2020: %llx",
		(unsigned long long)a);
	TEST_ASSERT(b - a < SEC(5), "two readings 5 s apart");
	TEST_ASSERT_EQUAL(haven_mip4_replay_check(a, 0, b, 7), 0,
		"a fresh stamp passes");
	return 0;
}

/* ------------------------------------------------------------------ */
/* RFC 2794 Mobile Node NAI extension                                 */
/* ------------------------------------------------------------------ */

/*
 * From test/mip4_nai_vectors.py (scapy's Mobile IP layers and Python's
 * hmac; tshark decodes both as MN-NAI then MN-HA): a NAI-only node asks
 * with home address 0.0.0.0, the reply assigns 192.0.2.150.
 */
static const uint8_t nai_rrq[71] = {
	0x01, 0x02, 0x02, 0x58, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	0xc6, 0x33, 0x64, 0x0a, 0xe8, 0xa1, 0xb2, 0xc3, 0x00, 0x00, 0x00, 0x01,
	0x83, 0x17, 0x6d, 0x6e, 0x2d, 0x6e, 0x61, 0x69, 0x2d, 0x6f, 0x6e, 0x6c,
	0x79, 0x40, 0x6c, 0x61, 0x62, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
	0x65, 0x20, 0x14, 0x00, 0x00, 0x03, 0xe9, 0x79, 0x1a, 0xb2, 0x65, 0x67,
	0x72, 0xa0, 0x21, 0xc8, 0x0a, 0xc5, 0x04, 0x58, 0xbd, 0x1c, 0x5b,
};

static const uint8_t nai_rrp[67] = {
	0x03, 0x00, 0x02, 0x58, 0xc0, 0x00, 0x02, 0x96, 0xc0, 0x00, 0x02, 0x01,
	0xe8, 0xa1, 0xb2, 0xc3, 0x00, 0x00, 0x00, 0x01, 0x83, 0x17, 0x6d, 0x6e,
	0x2d, 0x6e, 0x61, 0x69, 0x2d, 0x6f, 0x6e, 0x6c, 0x79, 0x40, 0x6c, 0x61,
	0x62, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x20, 0x14, 0x00,
	0x00, 0x03, 0xe9, 0x27, 0x17, 0x09, 0x93, 0x85, 0x59, 0x36, 0xb7, 0x9b,
	0x44, 0xab, 0x6e, 0x60, 0x3a, 0x87, 0x19,
};


static const char nai_text[] = "mn-nai-only@lab.example";
static const char nai_key[] = "haven-nai-only-key";

static void
nai_sa(struct haven_mip4_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = 1001;
	sa->alg = HAVEN_MIP4_ALG_HMAC_MD5;
	sa->key_len = sizeof(nai_key) - 1;
	memcpy(sa->key, nai_key, sa->key_len);
}

static int
test_nai_request(void)
{
	struct haven_mip4_rrq rrq;
	struct haven_mip4_sa sa;
	char err[128];

	nai_sa(&sa);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(nai_rrq, sizeof(nai_rrq), &rrq,
		err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(rrq.home_addr, 0, "home address 0.0.0.0 accepted");
	TEST_ASSERT(rrq.mn_nai == nai_rrq + 26, "NAI inside the buffer");
	TEST_ASSERT_EQUAL(rrq.mn_nai_len, sizeof(nai_text) - 1, "NAI length");
	TEST_ASSERT_MEM(rrq.mn_nai, nai_text, rrq.mn_nai_len, "NAI");
	TEST_ASSERT_EQUAL(rrq.mn_ha.spi, 1001, "SPI");
	TEST_ASSERT_EQUAL(rrq.mn_ha.covered_len, 24 + 25 + 6,
		"the authenticator covers the NAI");
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, nai_rrq, &rrq.mn_ha), 0,
		"authenticator of the vector");
	return 0;
}

static int
test_nai_reply(void)
{
	struct haven_mip4_rrp rrp = {
		.code = HAVEN_MIP4_ACCEPTED,
		.lifetime = 600,
		.ident = 0xe8a1b2c300000001ULL,
	};
	struct haven_mip4_auth_ext mn_ha;
	struct haven_mip4_rrp back;
	struct haven_mip4_key *key;
	struct haven_mip4_sa sa;
	const uint8_t *nai;
	uint8_t buf[256], nai_len;
	int len;

	nai_sa(&sa);
	key = haven_mip4_key_create(&sa);
	TEST_ASSERT(key != NULL, "key");
	memcpy(&rrp.home_addr, "\xc0\x00\x02\x96", 4);	/* assigned */
	memcpy(&rrp.ha_addr, "\xc0\x00\x02\x01", 4);
	len = haven_mip4_build_rrp_nai(&rrp, (const uint8_t *)nai_text,
		sizeof(nai_text) - 1, key, buf, sizeof(buf));
	TEST_ASSERT_EQUAL(len, sizeof(nai_rrp), "length");
	TEST_ASSERT_MEM(buf, nai_rrp, sizeof(nai_rrp),
		"the bytes scapy and hmac computed");
	TEST_ASSERT_EQUAL(haven_mip4_build_rrp_nai(&rrp,
		(const uint8_t *)nai_text, sizeof(nai_text) - 1, key, buf,
		sizeof(nai_rrp) - 1), -ENOSPC, "one octet short");
	TEST_ASSERT_EQUAL(haven_mip4_build_rrp_nai(&rrp,
		(const uint8_t *)nai_text, 0, key, buf, sizeof(buf)), -EINVAL,
		"empty NAI");

	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp_nai(nai_rrp, sizeof(nai_rrp),
		&back, &mn_ha, &nai, &nai_len), 0, "parse");
	TEST_ASSERT(back.home_addr == rrp.home_addr && back.code == 0,
		"assigned home address");
	TEST_ASSERT(nai == nai_rrp + 22 && nai_len == sizeof(nai_text) - 1,
		"NAI");
	TEST_ASSERT_EQUAL(haven_mip4_key_verify(key, nai_rrp, &mn_ha), 0,
		"authenticator");
	/* the old parser reads the same reply, the NAI skipped */
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(nai_rrp, sizeof(nai_rrp), &back,
		&mn_ha), 0, "parse_rrp");
	TEST_ASSERT_EQUAL(mn_ha.spi, 1001, "SPI");

	/* a denial to a node whose key is unknown: NAI, no MN-HA */
	rrp.code = HAVEN_MIP4_DENIED_MN_AUTH;
	rrp.home_addr = 0;
	len = haven_mip4_build_rrp_nai(&rrp, (const uint8_t *)nai_text,
		sizeof(nai_text) - 1, NULL, buf, sizeof(buf));
	TEST_ASSERT_EQUAL(len, HAVEN_MIP4_RRP_LEN + 2 + sizeof(nai_text) - 1,
		"denial length");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp_nai(buf, (size_t)len, &back,
		&mn_ha, &nai, &nai_len), 0, "parse denial");
	TEST_ASSERT(!mn_ha.present && nai_len == sizeof(nai_text) - 1 &&
		back.code == 131, "denial fields");
	haven_mip4_key_free(key);
	return 0;
}

/* Requests and replies whose NAI extensions are misplaced or repeated. */
static int
test_nai_malformed(void)
{
	static const uint8_t nai2[] = { 131, 3, 'a', '@', 'b' };
	struct haven_mip4_auth_ext mn_ha;
	struct haven_mip4_rrq rrq;
	struct haven_mip4_rrp rrp;
	const uint8_t *nai;
	uint8_t buf[256], nai_len;
	char err[128];
	size_t head = 24 + 25;	/* fixed part and the first NAI */

	/* a second NAI before MN-HA */
	memcpy(buf, nai_rrq, head);
	memcpy(buf + head, nai2, sizeof(nai2));
	memcpy(buf + head + sizeof(nai2), nai_rrq + head,
		sizeof(nai_rrq) - head);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(buf, sizeof(nai_rrq) +
		sizeof(nai2), &rrq, err, sizeof(err)),
		HAVEN_MIP4_DENIED_POORLY_FORMED, "two NAIs");
	TEST_ASSERT(strstr(err, "second MN-NAI") != NULL, "%s", err);

	/* an empty NAI */
	memcpy(buf, nai_rrq, 24);
	buf[24] = 131;
	buf[25] = 0;
	memcpy(buf + 26, nai_rrq + head, sizeof(nai_rrq) - head);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(buf, 26 + sizeof(nai_rrq) - head,
		&rrq, err, sizeof(err)), HAVEN_MIP4_DENIED_POORLY_FORMED,
		"empty NAI");
	TEST_ASSERT(strstr(err, "empty MN-NAI") != NULL, "%s", err);

	/* a NAI after MN-HA: RFC 2794 puts it before */
	memcpy(buf, nai_rrq, 24);
	memcpy(buf + 24, nai_rrq + head, sizeof(nai_rrq) - head);
	memcpy(buf + 24 + sizeof(nai_rrq) - head, nai_rrq + 24, 25);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(buf, sizeof(nai_rrq), &rrq, err,
		sizeof(err)), HAVEN_MIP4_DENIED_POORLY_FORMED, "NAI after MN-HA");
	TEST_ASSERT(strstr(err, "follows the MN-HA") != NULL, "%s", err);

	/* a request without NAI keeps mn_nai NULL */
	memcpy(buf, nai_rrq, 24);
	memcpy(buf + 24, nai_rrq + head, sizeof(nai_rrq) - head);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(buf, sizeof(nai_rrq) - 25, &rrq,
		err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(rrq.mn_nai == NULL && rrq.mn_nai_len == 0, "no NAI");

	/* a reply with two NAIs: refused by the NAI parser only */
	memcpy(buf, nai_rrp, 20 + 25);
	memcpy(buf + 45, nai2, sizeof(nai2));
	memcpy(buf + 45 + sizeof(nai2), nai_rrp + 45, sizeof(nai_rrp) - 45);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp_nai(buf, sizeof(nai_rrp) +
		sizeof(nai2), &rrp, &mn_ha, &nai, &nai_len), -EINVAL,
		"two NAIs in a reply");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(buf, sizeof(nai_rrp) +
		sizeof(nai2), &rrp, &mn_ha), 0,
		"haven_mip4_parse_rrp() unchanged: skips them");
	return 0;
}


/* ------------------------------------------------------------------ */
/* RFC 3519: UDP tunnelling through NATs                              */
/* ------------------------------------------------------------------ */

/*
 * Made by test/mip4_udp_vectors.py with scapy and Python's hmac: a request
 * (T, lifetime 600, 192.0.2.100 via 198.51.100.138) with a UDP Tunnel
 * Request (F, encapsulation 4) and MN-HA (SPI 1002, HMAC-MD5, key
 * "haven-udp-tunnel-key"); the reply accepting it with a UDP Tunnel Reply
 * (code 0, F, keepalive 25 s); a MIP Tunnel Data message carrying an ICMP
 * echo request from 192.0.2.100 to 192.0.2.1.
 */
static const uint8_t udp_rrq[54] = {
	0x01, 0x02, 0x02, 0x58, 0xc0, 0x00, 0x02, 0x64, 0xc0, 0x00, 0x02, 0x01,
	0xc6, 0x33, 0x64, 0x8a, 0xe8, 0xa1, 0xb2, 0xc3, 0x00, 0x00, 0x00, 0x02,
	0x90, 0x06, 0x00, 0x00, 0x80, 0x04, 0x00, 0x00, 0x20, 0x14, 0x00, 0x00,
	0x03, 0xea, 0x77, 0x47, 0xe4, 0xff, 0x48, 0x4f, 0x71, 0x9f, 0xb5, 0x1a,
	0x41, 0x51, 0xfd, 0x1e, 0xbe, 0xb8,
};

static const uint8_t udp_rrp[50] = {
	0x03, 0x00, 0x02, 0x58, 0xc0, 0x00, 0x02, 0x64, 0xc0, 0x00, 0x02, 0x01,
	0xe8, 0xa1, 0xb2, 0xc3, 0x00, 0x00, 0x00, 0x02, 0x2c, 0x06, 0x00, 0x00,
	0x80, 0x00, 0x00, 0x19, 0x20, 0x14, 0x00, 0x00, 0x03, 0xea, 0xe1, 0x31,
	0x67, 0x9a, 0x65, 0xda, 0x74, 0xa1, 0x80, 0xc3, 0x5a, 0x93, 0xb0, 0x06,
	0x07, 0x68,
};

static const uint8_t udp_keepalive[32] = {
	0x04, 0x04, 0x00, 0x00, 0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00,
	0x40, 0x01, 0xf6, 0x7a, 0xc0, 0x00, 0x02, 0x64, 0xc0, 0x00, 0x02, 0x01,
	0x08, 0x00, 0xac, 0xbd, 0x4b, 0x41, 0x00, 0x01,
};


static const char udp_key[] = "haven-udp-tunnel-key";

#define UDP_EXT_OFF 24		/* the UDP Tunnel Request in udp_rrq */

static int
test_udp_request(void)
{
	struct haven_mip4_rrq rrq;
	struct haven_mip4_sa sa;
	uint8_t buf[sizeof(udp_rrq)];
	char err[128];

	make_sa(&sa, 1002, HAVEN_MIP4_ALG_HMAC_MD5, udp_key);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(udp_rrq, sizeof(udp_rrq), &rrq,
		err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(rrq.udp.present && rrq.udp.force && !rrq.udp.via_fa,
		"F set, R clear");
	TEST_ASSERT_EQUAL(rrq.udp.encap, HAVEN_MIP4_UDP_NH_IPIP, "encap");
	TEST_ASSERT_EQUAL(rrq.mn_ha.covered_len, 24 + 8 + 6,
		"the authenticator covers the extension");
	TEST_ASSERT_EQUAL(haven_mip4_auth_verify(&sa, udp_rrq, &rrq.mn_ha), 0,
		"authenticator of the vector");

	/* R and the reserved fields: R recorded, reserved bits ignored */
	memcpy(buf, udp_rrq, sizeof(buf));
	buf[UDP_EXT_OFF + 3] = 0xff;		/* Reserved 1 */
	buf[UDP_EXT_OFF + 4] = 0x40 | 0x3f;	/* R, Reserved 2 */
	buf[UDP_EXT_OFF + 6] = 0xab;		/* Reserved 3 */
	buf[UDP_EXT_OFF + 7] = 0xcd;
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(buf, sizeof(buf), &rrq, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT(rrq.udp.present && !rrq.udp.force && rrq.udp.via_fa,
		"R set, F clear");

	/* GRE and minimal inside UDP are understood (and refused later) */
	buf[UDP_EXT_OFF + 5] = HAVEN_MIP4_UDP_NH_GRE;
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(buf, sizeof(buf), &rrq, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(rrq.udp.encap, 47, "GRE");

	/* a request without the extension: udp.present false */
	memcpy(buf, udp_rrq, UDP_EXT_OFF);
	memcpy(buf + UDP_EXT_OFF, udp_rrq + UDP_EXT_OFF + 8,
		sizeof(udp_rrq) - UDP_EXT_OFF - 8);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(buf, sizeof(udp_rrq) - 8, &rrq,
		err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(!rrq.udp.present, "no extension");
	return 0;
}

/* The home address of udp_rrq (NBO). */
static uint32_t
udp_rrq_hoa(void)
{
	uint32_t a;

	memcpy(&a, udp_rrq + 4, 4);
	return a;
}

/* A variant of udp_rrq, parsed: 134 with the reason, fixed part kept. */
static int
expect_udp_malformed(const uint8_t *msg, size_t len, const char *what,
		const char *want_reason)
{
	struct haven_mip4_rrq rrq;
	char err[128];

	TEST_ASSERT_EQUAL(haven_mip4_parse_rrq(msg, len, &rrq, err,
		sizeof(err)), HAVEN_MIP4_DENIED_POORLY_FORMED, "%s: %s", what,
		err);
	TEST_ASSERT(strstr(err, want_reason) != NULL,
		"%s: reason \"%s\" lacks \"%s\"", what, err, want_reason);
	/* the fixed part is there to build the denial */
	TEST_ASSERT(rrq.home_addr == udp_rrq_hoa() && rrq.ident == 
		0xe8a1b2c300000002ULL, "%s: fixed fields", what);
	return 0;
}

static int
test_udp_request_malformed(void)
{
	uint8_t buf[2 * sizeof(udp_rrq)];
	size_t tail = sizeof(udp_rrq) - UDP_EXT_OFF - 8;	/* MN-HA */

	/* Length 5 and 7: the extension's own length is wrong */
	memcpy(buf, udp_rrq, sizeof(udp_rrq));
	buf[UDP_EXT_OFF + 1] = 5;
	memmove(buf + UDP_EXT_OFF + 7, udp_rrq + UDP_EXT_OFF + 8, tail);
	if (expect_udp_malformed(buf, sizeof(udp_rrq) - 1, "length 5",
			"length 5, not 6") != 0)
		return -1;
	memcpy(buf, udp_rrq, UDP_EXT_OFF + 8);
	buf[UDP_EXT_OFF + 1] = 7;
	buf[UDP_EXT_OFF + 8] = 0;
	memcpy(buf + UDP_EXT_OFF + 9, udp_rrq + UDP_EXT_OFF + 8, tail);
	if (expect_udp_malformed(buf, sizeof(udp_rrq) + 1, "length 7",
			"length 7, not 6") != 0)
		return -1;

	/* an unknown sub-type */
	memcpy(buf, udp_rrq, sizeof(udp_rrq));
	buf[UDP_EXT_OFF + 2] = 1;
	if (expect_udp_malformed(buf, sizeof(udp_rrq), "sub-type 1",
			"unknown sub-type 1") != 0)
		return -1;

	/* encapsulations that are not IP protocols of a tunnel */
	buf[UDP_EXT_OFF + 2] = 0;
	buf[UDP_EXT_OFF + 5] = 0;
	if (expect_udp_malformed(buf, sizeof(udp_rrq), "encapsulation 0",
			"encapsulation 0 is not") != 0)
		return -1;
	buf[UDP_EXT_OFF + 5] = 17;
	if (expect_udp_malformed(buf, sizeof(udp_rrq), "encapsulation 17",
			"encapsulation 17 is not") != 0)
		return -1;

	/* two of them */
	memcpy(buf, udp_rrq, UDP_EXT_OFF + 8);
	memcpy(buf + UDP_EXT_OFF + 8, udp_rrq + UDP_EXT_OFF, 8);
	memcpy(buf + UDP_EXT_OFF + 16, udp_rrq + UDP_EXT_OFF + 8, tail);
	if (expect_udp_malformed(buf, sizeof(udp_rrq) + 8, "twice",
			"second UDP Tunnel Request") != 0)
		return -1;

	/* after MN-HA: where a foreign agent would add it, unauthenticated
	 * for the home agent */
	memcpy(buf, udp_rrq, UDP_EXT_OFF);
	memcpy(buf + UDP_EXT_OFF, udp_rrq + UDP_EXT_OFF + 8, tail);
	memcpy(buf + UDP_EXT_OFF + tail, udp_rrq + UDP_EXT_OFF, 8);
	if (expect_udp_malformed(buf, sizeof(udp_rrq), "after MN-HA",
			"follows the MN-HA") != 0)
		return -1;

	/* cut inside the extension: its length overruns the message */
	memcpy(buf, udp_rrq, sizeof(udp_rrq));
	if (expect_udp_malformed(buf, UDP_EXT_OFF + 5, "truncated",
			"overruns") != 0)
		return -1;
	return 0;
}

static int
test_udp_reply(void)
{
	struct haven_mip4_rrp rrp = {
		.code = HAVEN_MIP4_ACCEPTED,
		.lifetime = 600,
		.ident = 0xe8a1b2c300000002ULL,
	};
	struct haven_mip4_rrp_ext ext, back_ext;
	struct haven_mip4_auth_ext mn_ha;
	struct haven_mip4_rrp back;
	struct haven_mip4_key *key;
	struct haven_mip4_sa sa;
	const uint8_t *nai;
	uint8_t buf[256], nai_len;
	int len;

	make_sa(&sa, 1002, HAVEN_MIP4_ALG_HMAC_MD5, udp_key);
	key = haven_mip4_key_create(&sa);
	TEST_ASSERT(key != NULL, "key");
	memcpy(&rrp.home_addr, udp_rrq + 4, 4);
	memcpy(&rrp.ha_addr, udp_rrq + 8, 4);
	memset(&ext, 0, sizeof(ext));
	ext.udp.present = true;
	ext.udp.code = HAVEN_MIP4_UDP_WILL_TUNNEL;
	ext.udp.forced = true;
	ext.udp.keepalive_s = 25;
	len = haven_mip4_build_rrp_ext(&rrp, &ext, key, buf, sizeof(buf));
	TEST_ASSERT_EQUAL(len, sizeof(udp_rrp), "length");
	TEST_ASSERT_MEM(buf, udp_rrp, sizeof(udp_rrp),
		"the bytes scapy and hmac computed");
	TEST_ASSERT_EQUAL(haven_mip4_build_rrp_ext(&rrp, &ext, key, buf,
		sizeof(udp_rrp) - 1), -ENOSPC, "one octet short");

	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp_ext(udp_rrp, sizeof(udp_rrp),
		&back, &mn_ha, &back_ext), 0, "parse");
	TEST_ASSERT(back_ext.udp.present && back_ext.udp.code == 0 &&
		back_ext.udp.forced && back_ext.udp.keepalive_s == 25 &&
		back_ext.nai == NULL, "UDP Tunnel Reply read back");
	TEST_ASSERT_EQUAL(mn_ha.covered_len, 20 + 8 + 6, "covered span");
	TEST_ASSERT_EQUAL(haven_mip4_key_verify(key, udp_rrp, &mn_ha), 0,
		"authenticator");
	/* type 44 is not skippable: parsers that do not know it refuse */
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp(udp_rrp, sizeof(udp_rrp), &back,
		&mn_ha), -EINVAL, "parse_rrp() does not skip type 44");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp_nai(udp_rrp, sizeof(udp_rrp),
		&back, &mn_ha, &nai, &nai_len), -EINVAL, "nor parse_rrp_nai()");

	/* declined, with a NAI before it, no key: NAI, UDP, nothing else */
	ext.udp.code = HAVEN_MIP4_UDP_DECLINED;
	ext.udp.forced = false;
	ext.udp.keepalive_s = 0;
	ext.nai = (const uint8_t *)"mn@nat.test";
	ext.nai_len = 11;
	len = haven_mip4_build_rrp_ext(&rrp, &ext, NULL, buf, sizeof(buf));
	TEST_ASSERT_EQUAL(len, 20 + 13 + 8, "declined length");
	TEST_ASSERT(buf[20] == 131 && buf[33] == 44 && buf[35] == 0 &&
		buf[36] == 64, "order: NAI, then UDP Tunnel Reply code 64");
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp_ext(buf, (size_t)len, &back,
		&mn_ha, &back_ext), 0, "parse declined");
	TEST_ASSERT(!mn_ha.present && back_ext.nai_len == 11 &&
		back_ext.udp.code == 64 && !back_ext.udp.forced, "declined");

	/* refusals: a code this agent never sends, an empty NAI */
	ext.udp.code = 1;
	TEST_ASSERT_EQUAL(haven_mip4_build_rrp_ext(&rrp, &ext, key, buf,
		sizeof(buf)), -EINVAL, "reply code 1");
	ext.udp.code = 0;
	ext.nai_len = 0;
	TEST_ASSERT_EQUAL(haven_mip4_build_rrp_ext(&rrp, &ext, key, buf,
		sizeof(buf)), -EINVAL, "empty NAI");

	/* a reply with two UDP Tunnel Replies, or one of length 4 */
	memcpy(buf, udp_rrp, 28);
	memcpy(buf + 28, udp_rrp + 20, 8);
	memcpy(buf + 36, udp_rrp + 28, sizeof(udp_rrp) - 28);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp_ext(buf, sizeof(udp_rrp) + 8,
		&back, &mn_ha, &back_ext), -EINVAL, "two");
	memcpy(buf, udp_rrp, sizeof(udp_rrp));
	buf[21] = 4;
	memmove(buf + 26, udp_rrp + 28, sizeof(udp_rrp) - 28);
	TEST_ASSERT_EQUAL(haven_mip4_parse_rrp_ext(buf, sizeof(udp_rrp) - 2,
		&back, &mn_ha, &back_ext), -EINVAL, "length 4");
	haven_mip4_key_free(key);
	return 0;
}

/* The home agent's decision, case by case (RFC 3519 3.1.1, 4.6). */
static int
test_udp_decide(void)
{
	static const struct {
		const char *what;
		bool ext, force, nat, enabled, force_allowed;
		uint8_t encap;
		int rc;			/* 0 or the refusal */
		bool use_udp, rep_present;
		uint8_t code;
		bool forced;
		uint16_t keepalive;
	} c[] = {
		{ "no extension behind a NAT", false, false, true, true, true,
		  4, 0, false, false, 0, false, 0 },
		{ "NAT", true, false, true, true, true, 4, 0, true, true, 0,
		  false, 30 },
		{ "NAT and F", true, true, true, true, false, 4, 0, true, true,
		  0, true, 30 },
		{ "no NAT", true, false, false, true, true, 4, 0, false, true,
		  64, false, 0 },
		{ "no NAT, F allowed", true, true, false, true, true, 4, 0,
		  true, true, 0, true, 30 },
		{ "no NAT, F refused", true, true, false, true, false, 4, 0,
		  false, true, 64, false, 0 },
		{ "NAT, disabled", true, false, true, false, true, 4, 142,
		  false, true, 0, false, 0 },
		{ "no NAT, F, disabled", true, true, false, false, true, 4, 0,
		  false, true, 64, false, 0 },
		{ "NAT, GRE in UDP", true, false, true, true, true, 47, 142,
		  false, true, 0, false, 0 },
		{ "NAT, minimal in UDP", true, false, true, true, true, 55, 142,
		  false, true, 0, false, 0 },
		{ "no NAT, GRE asked, declined anyway", true, false, false,
		  true, true, 47, 0, false, true, 64, false, 0 },
	};
	uint32_t coa, nat_addr;
	unsigned int i;

	memcpy(&coa, "\xc6\x33\x64\x8a", 4);		/* 198.51.100.138 */
	memcpy(&nat_addr, "\xcb\x00\x71\x82", 4);	/* 203.0.113.130 */
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct haven_mip4_udp_policy pol = {
			.enabled = c[i].enabled,
			.force_allowed = c[i].force_allowed,
			.keepalive_s = 30,
		};
		struct haven_mip4_udp_rep rep;
		struct haven_mip4_rrq rrq;
		char err[128];
		bool use_udp = !c[i].use_udp;
		int rc;

		memset(&rrq, 0, sizeof(rrq));
		rrq.coa = coa;
		rrq.udp.present = c[i].ext;
		rrq.udp.force = c[i].force;
		rrq.udp.encap = c[i].encap;
		rc = haven_mip4_udp_decide(&rrq, c[i].nat ? nat_addr : coa,
			&pol, &rep, &use_udp, err, sizeof(err));
		TEST_ASSERT_EQUAL(rc, c[i].rc, "%s: %s", c[i].what, err);
		TEST_ASSERT(err[0] != '\0' && strcmp(err, "ok") != 0,
			"%s: a reason", c[i].what);
		if (rc != 0)
			continue;
		TEST_ASSERT_EQUAL(use_udp, c[i].use_udp, "%s: %s", c[i].what,
			err);
		TEST_ASSERT_EQUAL(rep.present, c[i].rep_present, "%s",
			c[i].what);
		if (!rep.present)
			continue;
		TEST_ASSERT_EQUAL(rep.code, c[i].code, "%s", c[i].what);
		TEST_ASSERT_EQUAL(rep.forced, c[i].forced, "%s", c[i].what);
		TEST_ASSERT_EQUAL(rep.keepalive_s, c[i].keepalive, "%s",
			c[i].what);
	}
	return 0;
}

static int
test_tunnel_header(void)
{
	uint8_t hdr[HAVEN_MIP4_TUNNEL_HDR_LEN], buf[8];
	uint8_t nh = 0;

	TEST_ASSERT_EQUAL(haven_mip4_tunnel_parse(udp_keepalive,
		sizeof(udp_keepalive), &nh), HAVEN_MIP4_TUNNEL_HDR_LEN,
		"the keepalive vector");
	TEST_ASSERT_EQUAL(nh, HAVEN_MIP4_UDP_NH_IPIP, "next header 4");
	TEST_ASSERT_EQUAL(udp_keepalive[4] >> 4, 4, "an IPv4 packet follows");
	haven_mip4_tunnel_build(hdr, HAVEN_MIP4_UDP_NH_IPIP);
	TEST_ASSERT_MEM(hdr, udp_keepalive, sizeof(hdr), "built the same");

	TEST_ASSERT_EQUAL(haven_mip4_tunnel_parse(udp_keepalive, 3, &nh),
		-EINVAL, "three octets");
	memcpy(buf, udp_keepalive, sizeof(buf));
	buf[2] = 0xff;				/* reserved: ignored */
	TEST_ASSERT_EQUAL(haven_mip4_tunnel_parse(buf, sizeof(buf), &nh), 4,
		"reserved bits ignored");
	buf[0] = HAVEN_MIP4_TYPE_RRQ;
	TEST_ASSERT_EQUAL(haven_mip4_tunnel_parse(buf, sizeof(buf), &nh),
		-EINVAL, "a registration request is not tunnel data");
	buf[0] = HAVEN_MIP4_TYPE_TUNNEL_DATA;
	buf[1] = 41;
	TEST_ASSERT_EQUAL(haven_mip4_tunnel_parse(buf, sizeof(buf), &nh),
		-EINVAL, "next header 41");
	buf[1] = HAVEN_MIP4_UDP_NH_MINIMAL;
	TEST_ASSERT_EQUAL(haven_mip4_tunnel_parse(buf, sizeof(buf), NULL), 4,
		"minimal, next header not wanted");
	return 0;
}

int
main(void)
{
	int passed = 0, failed = 0;

	TEST_RUN(test_hmac_md5_rfc2202);
	TEST_RUN(test_hmac_sha256_rfc4231);
	TEST_RUN(test_auth_compute_refuses_bad_sa);
	TEST_RUN(test_rrq_parse_reference);
	TEST_RUN(test_rrq_reserved_flags_ignored);
	TEST_RUN(test_rrq_with_fa_extensions);
	TEST_RUN(test_verify_refusals);
	TEST_RUN(test_prepared_key);
	TEST_RUN(test_rrq_sha256);
	TEST_RUN(test_rrq_malformed);
	TEST_RUN(test_rrq_skippable_extensions);
	TEST_RUN(test_rrp_build_parse);
	TEST_RUN(test_rrp_build_refusals);
	TEST_RUN(test_rrp_malformed);
	TEST_RUN(test_replay_window);
	TEST_RUN(test_replay_monotonic);
	TEST_RUN(test_replay_era_rollover);
	TEST_RUN(test_ident_for_mismatch);
	TEST_RUN(test_ntp_now);
	TEST_RUN(test_nai_request);
	TEST_RUN(test_nai_reply);
	TEST_RUN(test_nai_malformed);
	TEST_RUN(test_udp_request);
	TEST_RUN(test_udp_request_malformed);
	TEST_RUN(test_udp_reply);
	TEST_RUN(test_udp_decide);
	TEST_RUN(test_tunnel_header);
	TEST_SUMMARY();
}
