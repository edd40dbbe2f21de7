/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 4285 authentication and replay protection of Mobile IPv6 home
 * registration, so that no IPsec stack is needed.
 *
 * A Binding Update carries, as its last mobility option, the MN-HA
 * mobility message authentication option: a Mobility SPI and an
 * authenticator computed as
 *
 *	First(96, HMAC_SHA1(MN-HA key, Mobility Data))
 *	Mobility Data = care-of address | home address | MH Data
 *
 * where MH Data is the Mobility Header up to and including the SPI field
 * of the option, with its Checksum field set to zero (RFC 4285 section
 * 5.1, as quoted by Pcap.Net's IpV6AuthenticationSubtype and as scapy's
 * MIP6OptMsgAuth lays it out). The acknowledgement carries the same
 * option, computed by the home agent the same way over its own message.
 *
 * HMAC-SHA256 is offered as a configurable algorithm. RFC 4285 defines no
 * truncation for it, so Haven sends the full 256-bit MAC (32 bytes):
 * truncating buys 20 bytes of a message sent once per lifetime at the
 * cost of security margin, and lib/mip4 already uses the full HMAC-SHA256
 * for the same role, so both protocols keep one rule. The option length
 * field (8 bits, Subtype + SPI + authenticator = 37) has room for it.
 *
 * Replay protection uses the mobility message replay protection option's
 * 64-bit NTP timestamp (RFC 4285 section 6) within a "close enough"
 * window (7 s by default, RFC 4285 5.1). No state lives here: the caller
 * keeps the last accepted timestamp and passes the clock.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Low-level SHA-1 and SHA-256 (deprecated by OpenSSL 3, still shipped):
 * their state is a plain struct that can be prepared once per key and
 * copied per message, as lib/mip4 does for MD5 and SHA-256.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "haven_mip6.h"
#include "mip6_private.h"

/* Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
#define NTP_UNIX_EPOCH_OFFSET 2208988800ULL

#define SHA1_LEN	20
#define SHA256_LEN	32
#define HMAC_BLOCK	64	/* block size of SHA-1 and SHA-256 */
#define HMAC_IPAD	0x36
#define HMAC_OPAD	0x5c

/* RFC 4285 5.1: the first 96 bits of HMAC-SHA1. */
#define SHA1_96_LEN	12

/* MH offset of the Checksum field, zero in MH Data (RFC 4285 5.1). */
#define MH_CKSUM	4

size_t
haven_mip6_auth_len(enum haven_mip6_alg alg)
{
	switch (alg) {
	case HAVEN_MIP6_ALG_HMAC_SHA1:
		return SHA1_96_LEN;
	case HAVEN_MIP6_ALG_HMAC_SHA256:
		return SHA256_LEN;
	default:
		return 0;
	}
}

static size_t
digest_len(enum haven_mip6_alg alg)
{
	return alg == HAVEN_MIP6_ALG_HMAC_SHA1 ? SHA1_LEN : SHA256_LEN;
}

/* ------------------------------------------------------------------ */
/* HMAC (RFC 2104) with per-key precomputed state                     */
/* ------------------------------------------------------------------ */

union hash_ctx {
	SHA_CTX sha1;
	SHA256_CTX sha256;
};

struct haven_mip6_key {
	uint32_t spi;
	enum haven_mip6_alg alg;
	union hash_ctx inner;	/* after (key XOR ipad) */
	union hash_ctx outer;	/* after (key XOR opad) */
};

static void
hash_init(enum haven_mip6_alg alg, union hash_ctx *c)
{
	if (alg == HAVEN_MIP6_ALG_HMAC_SHA1)
		SHA1_Init(&c->sha1);
	else
		SHA256_Init(&c->sha256);
}

static void
hash_update(enum haven_mip6_alg alg, union hash_ctx *c, const void *p,
		size_t len)
{
	if (alg == HAVEN_MIP6_ALG_HMAC_SHA1)
		SHA1_Update(&c->sha1, p, len);
	else
		SHA256_Update(&c->sha256, p, len);
}

static void
hash_final(enum haven_mip6_alg alg, union hash_ctx *c, uint8_t *out)
{
	if (alg == HAVEN_MIP6_ALG_HMAC_SHA1)
		SHA1_Final(out, &c->sha1);
	else
		SHA256_Final(out, &c->sha256);
}

/* Precompute k's states; keys longer than a block are hashed (RFC 2104 2). */
static int
key_prepare(struct haven_mip6_key *k, enum haven_mip6_alg alg,
		const uint8_t *key, size_t key_len)
{
	uint8_t block[HMAC_BLOCK], digest[SHA256_LEN];
	union hash_ctx c;
	size_t i;

	if (haven_mip6_auth_len(alg) == 0 || key == NULL || key_len == 0 ||
			key_len > HAVEN_MIP6_MAX_KEY)
		return -EINVAL;
	k->alg = alg;
	if (key_len > HMAC_BLOCK) {
		hash_init(alg, &c);
		hash_update(alg, &c, key, key_len);
		hash_final(alg, &c, digest);
		key = digest;
		key_len = digest_len(alg);
	}
	memset(block, 0, sizeof(block));
	memcpy(block, key, key_len);
	for (i = 0; i < HMAC_BLOCK; i++)
		block[i] ^= HMAC_IPAD;
	hash_init(alg, &k->inner);
	hash_update(alg, &k->inner, block, HMAC_BLOCK);
	for (i = 0; i < HMAC_BLOCK; i++)
		block[i] ^= HMAC_IPAD ^ HMAC_OPAD;
	hash_init(alg, &k->outer);
	hash_update(alg, &k->outer, block, HMAC_BLOCK);
	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(digest, sizeof(digest));
	OPENSSL_cleanse(&c, sizeof(c));
	return 0;
}

/* Finish an HMAC whose inner state c has absorbed the message. */
static void
key_finish(const struct haven_mip6_key *k, union hash_ctx *c, uint8_t *out)
{
	uint8_t inner[SHA256_LEN];

	hash_final(k->alg, c, inner);
	*c = k->outer;
	hash_update(k->alg, c, inner, digest_len(k->alg));
	hash_final(k->alg, c, out);
	OPENSSL_cleanse(inner, sizeof(inner));
	OPENSSL_cleanse(c, sizeof(*c));
}

int
haven_mip6_hmac(enum haven_mip6_alg alg, const uint8_t *key, size_t key_len,
		const uint8_t *msg, size_t len, uint8_t *out)
{
	struct haven_mip6_key k;
	union hash_ctx c;

	if (out == NULL || (msg == NULL && len != 0))
		return -EINVAL;
	if (key_prepare(&k, alg, key, key_len) != 0)
		return -EINVAL;
	c = k.inner;
	hash_update(alg, &c, msg, len);
	key_finish(&k, &c, out);
	OPENSSL_cleanse(&k, sizeof(k));
	return (int)digest_len(alg);
}

struct haven_mip6_key *
haven_mip6_key_create(const struct haven_mip6_sa *sa)
{
	struct haven_mip6_key *k;

	if (sa == NULL || sa->spi < HAVEN_MIP6_SPI_MIN) {
		errno = EINVAL;
		return NULL;
	}
	k = malloc(sizeof(*k));
	if (k == NULL)
		return NULL;
	if (key_prepare(k, sa->alg, sa->key, sa->key_len) != 0) {
		free(k);
		errno = EINVAL;
		return NULL;
	}
	k->spi = sa->spi;
	return k;
}

void
haven_mip6_key_free(struct haven_mip6_key *k)
{
	if (k == NULL)
		return;
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

uint32_t
haven_mip6_key_spi(const struct haven_mip6_key *k)
{
	return k->spi;
}

enum haven_mip6_alg
haven_mip6_key_alg(const struct haven_mip6_key *k)
{
	return k->alg;
}

/* ------------------------------------------------------------------ */
/* The RFC 4285 authenticator                                         */
/* ------------------------------------------------------------------ */

/*
 * Mobility Data = care-of | home | MH Data, hashed in pieces so that the
 * Checksum can count as zero without copying the message.
 */
int
haven_mip6_key_compute(const struct haven_mip6_key *k, const uint8_t coa[16],
		const uint8_t hoa[16], const uint8_t *mh, size_t covered,
		uint8_t *out)
{
	static const uint8_t zero[2];
	uint8_t mac[SHA256_LEN];
	union hash_ctx c;
	size_t n;

	if (k == NULL || coa == NULL || hoa == NULL || mh == NULL ||
			out == NULL || covered < MH_CKSUM + 2)
		return -EINVAL;
	c = k->inner;
	hash_update(k->alg, &c, coa, 16);
	hash_update(k->alg, &c, hoa, 16);
	hash_update(k->alg, &c, mh, MH_CKSUM);
	hash_update(k->alg, &c, zero, sizeof(zero));
	hash_update(k->alg, &c, mh + MH_CKSUM + 2, covered - MH_CKSUM - 2);
	key_finish(k, &c, mac);
	n = haven_mip6_auth_len(k->alg);
	memcpy(out, mac, n);			/* First(96, ...) for SHA-1 */
	OPENSSL_cleanse(mac, sizeof(mac));
	return (int)n;
}

int
haven_mip6_auth_verify(const struct haven_mip6_key *k, const uint8_t coa[16],
		const uint8_t hoa[16], const uint8_t *buf,
		const struct haven_mip6_mh *mh)
{
	uint8_t expected[HAVEN_MIP6_MAX_AUTH];
	const struct haven_mip6_opts *o;
	size_t want;
	int rc;

	if (k == NULL || buf == NULL || mh == NULL || coa == NULL ||
			hoa == NULL)
		return -EACCES;
	o = &mh->opts;
	if (!o->has_auth || o->auth_subtype != HAVEN_MIP6_AUTH_MN_HA ||
			o->spi != k->spi)
		return -EACCES;
	want = haven_mip6_auth_len(k->alg);
	if (want == 0 || o->auth_len != want)
		return -EACCES;
	/* The authenticator must follow the covered bytes directly. */
	if (o->auth != buf + o->auth_covered ||
			(size_t)o->auth_covered + want > mh->len)
		return -EACCES;
	if (haven_mip6_key_compute(k, coa, hoa, buf, o->auth_covered,
			expected) < 0)
		return -EACCES;
	rc = CRYPTO_memcmp(expected, o->auth, want);
	OPENSSL_cleanse(expected, sizeof(expected));
	return rc == 0 ? 0 : -EACCES;
}

/* ------------------------------------------------------------------ */
/* Timestamp replay protection                                        */
/* ------------------------------------------------------------------ */

/*
 * RFC 4285 section 6: the timestamp must be close enough to the home
 * agent's time and newer than the last accepted one. Both tests use the
 * signed difference of two 64-bit NTP values, right across 2036.
 */
int
haven_mip6_replay_check(uint64_t ts, uint64_t last_ts, uint64_t now_ntp,
		uint32_t window_s)
{
	int64_t skew = (int64_t)(ts - now_ntp);
	uint64_t distance = skew < 0 ? 0 - (uint64_t)skew : (uint64_t)skew;
	uint64_t window = (uint64_t)window_s << 32;

	if (distance > window)
		return -1;
	if (last_ts != 0 && (int64_t)(ts - last_ts) <= 0)
		return -1;
	return 0;
}

/*
 * The agent's seconds, the update's low 32 bits: how RFC 5944 5.7.1
 * answers an identification mismatch, which the status 144 reply of RFC
 * 4285 section 6 follows (see docs/mobile-ipv6.md for the caveat).
 */
uint64_t
haven_mip6_ts_for_mismatch(uint64_t req_ts, uint64_t now_ntp)
{
	return (now_ntp & 0xffffffff00000000ULL) |
		(req_ts & 0x00000000ffffffffULL);
}

uint64_t
haven_mip6_ntp_now(void)
{
	struct timespec ts;
	uint64_t frac;

	clock_gettime(CLOCK_REALTIME, &ts);
	frac = ((uint64_t)ts.tv_nsec << 32) / 1000000000ULL;
	return ((uint64_t)ts.tv_sec + NTP_UNIX_EPOCH_OFFSET) << 32 | frac;
}
