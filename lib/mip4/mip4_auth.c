/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mobile IPv4 registration authentication and replay protection.
 *
 * A Registration Request is only as trustworthy as its MN-HA authenticator
 * and its Identification. This file computes the authenticator (HMAC-MD5,
 * the default RFC 5944 section 3.5.1 requires, or HMAC-SHA256) with
 * OpenSSL, checks it in constant time, and applies the timestamp rules of
 * section 5.7.1 that keep an attacker from replaying an old request. No
 * state lives here: the caller keeps the last accepted Identification of
 * each mobile node and the agent's clock is an argument, so every rule can
 * be tested with fixed numbers.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * HMAC is built here on OpenSSL's low-level MD5 and SHA-256 functions,
 * which OpenSSL 3 marks deprecated but keeps: they are the only interface
 * whose state is a plain struct that can be prepared once per key and
 * copied per message (RFC 2104 section 4, "precomputed values"), without
 * the allocation and provider look-up every EVP call makes.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include "haven_mip4.h"

/* Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
#define NTP_UNIX_EPOCH_OFFSET 2208988800ULL

/* Authenticator sizes of the supported algorithms. */
#define HMAC_MD5_LEN	16
#define HMAC_SHA256_LEN	32

/* The SPI that precedes every authenticator (RFC 5944 section 3.5.2). */
#define AUTH_SPI_LEN	4

size_t
haven_mip4_auth_len(enum haven_mip4_alg alg)
{
	switch (alg) {
	case HAVEN_MIP4_ALG_HMAC_MD5:
		return HMAC_MD5_LEN;
	case HAVEN_MIP4_ALG_HMAC_SHA256:
		return HMAC_SHA256_LEN;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* HMAC (RFC 2104) with per-key precomputed state                     */
/* ------------------------------------------------------------------ */

#define HMAC_BLOCK	64	/* block size of MD5 and SHA-256 */
#define HMAC_IPAD	0x36
#define HMAC_OPAD	0x5c

/*
 * The hash states after absorbing (key XOR ipad) and (key XOR opad): what
 * RFC 2104 section 4 suggests to precompute. One message then costs the
 * compression of the message itself and of one outer block, instead of
 * two more blocks and a key schedule.
 */
union hash_ctx {
	MD5_CTX md5;
	SHA256_CTX sha256;
};

struct haven_mip4_key {
	uint32_t spi;
	enum haven_mip4_alg alg;
	union hash_ctx inner;
	union hash_ctx outer;
};

static void
hash_init(enum haven_mip4_alg alg, union hash_ctx *c)
{
	if (alg == HAVEN_MIP4_ALG_HMAC_MD5)
		MD5_Init(&c->md5);
	else
		SHA256_Init(&c->sha256);
}

static void
hash_update(enum haven_mip4_alg alg, union hash_ctx *c, const void *p,
		size_t len)
{
	if (alg == HAVEN_MIP4_ALG_HMAC_MD5)
		MD5_Update(&c->md5, p, len);
	else
		SHA256_Update(&c->sha256, p, len);
}

static void
hash_final(enum haven_mip4_alg alg, union hash_ctx *c, uint8_t *out)
{
	if (alg == HAVEN_MIP4_ALG_HMAC_MD5)
		MD5_Final(out, &c->md5);
	else
		SHA256_Final(out, &c->sha256);
}

/*
 * Fill k's precomputed states. An empty key is refused: anyone could
 * forge with it. Keys longer than a block are hashed first (RFC 2104 2).
 */
static int
key_prepare(struct haven_mip4_key *k, const struct haven_mip4_sa *sa)
{
	uint8_t block[HMAC_BLOCK], digest[HMAC_SHA256_LEN];
	const uint8_t *key = sa->key;
	size_t key_len = sa->key_len, i;
	union hash_ctx c;

	if (haven_mip4_auth_len(sa->alg) == 0 || sa->key_len == 0 ||
			sa->key_len > HAVEN_MIP4_MAX_KEY)
		return -EINVAL;
	k->spi = sa->spi;
	k->alg = sa->alg;
	if (key_len > HMAC_BLOCK) {
		hash_init(k->alg, &c);
		hash_update(k->alg, &c, key, key_len);
		hash_final(k->alg, &c, digest);
		key = digest;
		key_len = haven_mip4_auth_len(k->alg);
	}
	memset(block, 0, sizeof(block));
	memcpy(block, key, key_len);
	for (i = 0; i < HMAC_BLOCK; i++)
		block[i] ^= HMAC_IPAD;
	hash_init(k->alg, &k->inner);
	hash_update(k->alg, &k->inner, block, HMAC_BLOCK);
	for (i = 0; i < HMAC_BLOCK; i++)
		block[i] ^= HMAC_IPAD ^ HMAC_OPAD;
	hash_init(k->alg, &k->outer);
	hash_update(k->alg, &k->outer, block, HMAC_BLOCK);
	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(digest, sizeof(digest));
	OPENSSL_cleanse(&c, sizeof(c));
	return 0;
}

/* HMAC of msg with a prepared key: copy the states, hash, hash. */
static int
key_compute(const struct haven_mip4_key *k, const uint8_t *msg, size_t len,
		uint8_t *out)
{
	uint8_t inner[HMAC_SHA256_LEN];
	size_t n = haven_mip4_auth_len(k->alg);
	union hash_ctx c;

	c = k->inner;
	hash_update(k->alg, &c, msg, len);
	hash_final(k->alg, &c, inner);
	c = k->outer;
	hash_update(k->alg, &c, inner, n);
	hash_final(k->alg, &c, out);
	OPENSSL_cleanse(&c, sizeof(c));
	return (int)n;
}

struct haven_mip4_key *
haven_mip4_key_create(const struct haven_mip4_sa *sa)
{
	struct haven_mip4_key *k;

	if (sa == NULL) {
		errno = EINVAL;
		return NULL;
	}
	k = malloc(sizeof(*k));
	if (k == NULL)
		return NULL;
	if (key_prepare(k, sa) != 0) {
		free(k);
		errno = EINVAL;
		return NULL;
	}
	return k;
}

void
haven_mip4_key_free(struct haven_mip4_key *k)
{
	if (k == NULL)
		return;
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

uint32_t
haven_mip4_key_spi(const struct haven_mip4_key *k)
{
	return k->spi;
}

enum haven_mip4_alg
haven_mip4_key_alg(const struct haven_mip4_key *k)
{
	return k->alg;
}

int
haven_mip4_key_compute(const struct haven_mip4_key *k, const uint8_t *msg,
		size_t len, uint8_t *out)
{
	if (k == NULL || out == NULL || (msg == NULL && len != 0))
		return -EINVAL;
	return key_compute(k, msg, len, out);
}

/*
 * RFC 5944 section 3.5.1: the authenticator covers the fixed part, all
 * prior extensions in their entirety, and the Type, Length and SPI of the
 * authentication extension itself; the caller passes exactly that span.
 * Without a prepared key the states are prepared here, on the stack.
 */
int
haven_mip4_auth_compute(const struct haven_mip4_sa *sa,
		const uint8_t *msg, size_t len, uint8_t *out)
{
	struct haven_mip4_key k;
	int rc;

	if (sa == NULL || out == NULL || (msg == NULL && len != 0))
		return -EINVAL;
	if (key_prepare(&k, sa) != 0)
		return -EINVAL;
	rc = key_compute(&k, msg, len, out);
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

/* Checks shared by both verify functions; the length the MAC must have. */
static size_t
ext_check(uint32_t spi, enum haven_mip4_alg alg, const uint8_t *msg,
		const struct haven_mip4_auth_ext *ext)
{
	size_t want_len;

	if (msg == NULL || ext == NULL || !ext->present || ext->auth == NULL)
		return 0;
	if (ext->spi != spi)
		return 0;
	want_len = haven_mip4_auth_len(alg);
	if (want_len == 0 || ext->auth_len != want_len)
		return 0;
	/* The authenticator must follow the covered bytes directly. */
	if (ext->covered_len < AUTH_SPI_LEN + 2 ||
			ext->auth != msg + ext->covered_len)
		return 0;
	return want_len;
}

int
haven_mip4_key_verify(const struct haven_mip4_key *k, const uint8_t *msg,
		const struct haven_mip4_auth_ext *ext)
{
	uint8_t expected[HAVEN_MIP4_MAX_AUTH];
	size_t want_len;
	int rc;

	if (k == NULL)
		return -EACCES;
	want_len = ext_check(k->spi, k->alg, msg, ext);
	if (want_len == 0)
		return -EACCES;
	key_compute(k, msg, ext->covered_len, expected);
	rc = CRYPTO_memcmp(expected, ext->auth, want_len);
	OPENSSL_cleanse(expected, sizeof(expected));
	return rc == 0 ? 0 : -EACCES;
}

int
haven_mip4_auth_verify(const struct haven_mip4_sa *sa,
		const uint8_t *msg, const struct haven_mip4_auth_ext *ext)
{
	struct haven_mip4_key k;
	int rc;

	if (sa == NULL || ext_check(sa->spi, sa->alg, msg, ext) == 0 ||
			key_prepare(&k, sa) != 0)
		return -EACCES;
	rc = haven_mip4_key_verify(&k, msg, ext);
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

/*
 * RFC 5944 section 5.7.1: the timestamp must be "close enough" to the
 * home agent's time of day and greater than all previously accepted
 * timestamps of the mobile node. Both tests use the signed difference of
 * two 64-bit NTP values, which stays right across the 2036 era rollover.
 */
int
haven_mip4_replay_check(uint64_t ident, uint64_t last_ident,
		uint64_t now_ntp, uint32_t window_s)
{
	int64_t skew = (int64_t)(ident - now_ntp);
	uint64_t distance = skew < 0 ? 0 - (uint64_t)skew : (uint64_t)skew;
	uint64_t window = (uint64_t)window_s << 32;

	if (distance > window)
		return -1;
	if (last_ident != 0 && (int64_t)(ident - last_ident) <= 0)
		return -1;
	return 0;
}

/*
 * RFC 5944 section 5.7.1: on a mismatch the reply carries the agent's
 * time in the high-order 32 bits and the request's low-order 32 bits, so
 * the mobile node can match the reply and resynchronise.
 */
uint64_t
haven_mip4_ident_for_mismatch(uint64_t req_ident, uint64_t now_ntp)
{
	return (now_ntp & 0xffffffff00000000ULL) |
		(req_ident & 0x00000000ffffffffULL);
}

uint64_t
haven_mip4_ntp_now(void)
{
	struct timespec ts;
	uint64_t frac;

	clock_gettime(CLOCK_REALTIME, &ts);
	/* 2^32 / 10^9 of a second per nanosecond. */
	frac = ((uint64_t)ts.tv_nsec << 32) / 1000000000ULL;
	return ((uint64_t)ts.tv_sec + NTP_UNIX_EPOCH_OFFSET) << 32 | frac;
}
