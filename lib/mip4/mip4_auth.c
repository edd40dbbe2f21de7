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
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "haven_mip4.h"

/* Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
#define NTP_UNIX_EPOCH_OFFSET 2208988800ULL

/* Authenticator sizes of the supported algorithms. */
#define HMAC_MD5_LEN	16
#define HMAC_SHA256_LEN	32

/* The SPI that precedes every authenticator (RFC 5944 section 3.5.2). */
#define AUTH_SPI_LEN	4

static const EVP_MD *
alg_digest(enum haven_mip4_alg alg)
{
	switch (alg) {
	case HAVEN_MIP4_ALG_HMAC_MD5:
		return EVP_md5();
	case HAVEN_MIP4_ALG_HMAC_SHA256:
		return EVP_sha256();
	default:
		return NULL;
	}
}

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

/*
 * RFC 5944 section 3.5.1: the authenticator covers the fixed part, all
 * prior extensions in their entirety, and the Type, Length and SPI of the
 * authentication extension itself; the caller passes exactly that span.
 * HMAC() is the one-shot interface OpenSSL 3 keeps undeprecated; it
 * allocates a context internally (a prepared per-SA state would not).
 * An empty key is refused: anyone could forge with it.
 */
int
haven_mip4_auth_compute(const struct haven_mip4_sa *sa,
		const uint8_t *msg, size_t len, uint8_t *out)
{
	const EVP_MD *md;
	unsigned int out_len = 0;

	if (sa == NULL || out == NULL || (msg == NULL && len != 0))
		return -EINVAL;
	md = alg_digest(sa->alg);
	if (md == NULL || sa->key_len == 0 || sa->key_len > HAVEN_MIP4_MAX_KEY)
		return -EINVAL;
	if (HMAC(md, sa->key, sa->key_len, msg, len, out, &out_len) == NULL ||
			out_len != haven_mip4_auth_len(sa->alg))
		return -EINVAL;
	return (int)out_len;
}

int
haven_mip4_auth_verify(const struct haven_mip4_sa *sa,
		const uint8_t *msg, const struct haven_mip4_auth_ext *ext)
{
	uint8_t expected[HAVEN_MIP4_MAX_AUTH];
	size_t want_len;
	int rc;

	if (sa == NULL || msg == NULL || ext == NULL || !ext->present ||
			ext->auth == NULL)
		return -EACCES;
	if (ext->spi != sa->spi)
		return -EACCES;
	want_len = haven_mip4_auth_len(sa->alg);
	if (want_len == 0 || ext->auth_len != want_len)
		return -EACCES;
	/* The authenticator must follow the covered bytes directly. */
	if (ext->covered_len < AUTH_SPI_LEN + 2 ||
			ext->auth != msg + ext->covered_len)
		return -EACCES;

	if (haven_mip4_auth_compute(sa, msg, ext->covered_len, expected) !=
			(int)want_len)
		return -EACCES;
	rc = CRYPTO_memcmp(expected, ext->auth, want_len);
	OPENSSL_cleanse(expected, sizeof(expected));
	return rc == 0 ? 0 : -EACCES;
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
