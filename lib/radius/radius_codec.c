/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RADIUS codec: builds requests and answers in the caller's buffer,
 * checks the framing of what arrives, walks its attributes, and computes
 * and verifies the three things that make a RADIUS message trustworthy:
 * the Request or Response Authenticator (MD5 over the message and the
 * shared secret, RFC 2865 section 3 and RFC 2866 section 3), the
 * Message-Authenticator (HMAC-MD5, RFC 3579 section 3.2), and the hiding
 * of secret values (User-Password, RFC 2865 5.2; the salted form of RFC
 * 2868 3.5 that 3GPP2 uses for MN-HA keys).
 *
 * A client that does not insist on the Message-Authenticator of an answer
 * is open to BlastRADIUS (CVE-2024-3596): an attacker on the path turns an
 * Access-Reject into an Access-Accept whose MD5 Response Authenticator
 * still verifies. haven_radius_verify_response() therefore checks the
 * HMAC first and, when told to, refuses an answer without one.
 *
 * Everything is computed over the message in pieces (radius_hmac_*), so
 * the received buffer stays const and nothing is copied. Secrets are only
 * ever arguments; no reason string mentions them.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "haven_radius.h"
#include "haven_wire.h"
#include "radius_private.h"

#define HMAC_BLOCK	64	/* MD5 block size */
#define ATTR_HDR	2	/* Type, Length */
#define VSA_HDR		6	/* Vendor-Id, vendor type, vendor length */
#define SALT_LEN	2	/* RFC 2868 3.5 */
#define PW_BLOCK	16	/* RFC 2865 5.2, RFC 2868 3.5 */

/* ------------------------------------------------------------------ */
/* MD5 and HMAC-MD5 in pieces                                         */
/* ------------------------------------------------------------------ */

void
radius_hmac_init(struct radius_hmac *h, const uint8_t *key, size_t len)
{
	uint8_t k[HMAC_BLOCK], pad[HMAC_BLOCK];
	size_t i;

	memset(k, 0, sizeof(k));
	if (len > HMAC_BLOCK) {
		MD5_CTX c;

		MD5_Init(&c);
		MD5_Update(&c, key, len);
		MD5_Final(k, &c);
	} else if (len > 0) {
		memcpy(k, key, len);
	}
	for (i = 0; i < HMAC_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	MD5_Init(&h->inner);
	MD5_Update(&h->inner, pad, HMAC_BLOCK);
	for (i = 0; i < HMAC_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	MD5_Init(&h->outer);
	MD5_Update(&h->outer, pad, HMAC_BLOCK);
	explicit_bzero(k, sizeof(k));
	explicit_bzero(pad, sizeof(pad));
}

void
radius_hmac_update(struct radius_hmac *h, const void *p, size_t len)
{
	MD5_Update(&h->inner, p, len);
}

void
radius_hmac_final(struct radius_hmac *h, uint8_t out[RADIUS_MD5_LEN])
{
	uint8_t d[RADIUS_MD5_LEN];

	MD5_Final(d, &h->inner);
	MD5_Update(&h->outer, d, sizeof(d));
	MD5_Final(out, &h->outer);
	explicit_bzero(h, sizeof(*h));
}

int
radius_ct_cmp(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= a[i] ^ b[i];
	return acc;
}

static const uint8_t zero16[HAVEN_RADIUS_AUTH_LEN];

/*
 * HMAC-MD5 of msg[0..len) with `auth` in place of the Authenticator field
 * and zeros in place of the Message-Authenticator value at ma_off.
 */
static void
message_authenticator(const uint8_t *msg, size_t len, size_t ma_off,
		const uint8_t *auth, const uint8_t *secret, size_t slen,
		uint8_t out[RADIUS_MD5_LEN])
{
	struct radius_hmac h;

	radius_hmac_init(&h, secret, slen);
	radius_hmac_update(&h, msg, 4);
	radius_hmac_update(&h, auth, HAVEN_RADIUS_AUTH_LEN);
	radius_hmac_update(&h, msg + HAVEN_RADIUS_HDR_LEN,
		ma_off - HAVEN_RADIUS_HDR_LEN);
	radius_hmac_update(&h, zero16, HAVEN_RADIUS_AUTH_LEN);
	radius_hmac_update(&h, msg + ma_off + HAVEN_RADIUS_AUTH_LEN,
		len - ma_off - HAVEN_RADIUS_AUTH_LEN);
	radius_hmac_final(&h, out);
}

/* MD5(Code, Identifier, Length, auth, attributes, secret). */
static void
md5_authenticator(const uint8_t *msg, size_t len, const uint8_t *auth,
		const uint8_t *secret, size_t slen, uint8_t out[RADIUS_MD5_LEN])
{
	MD5_CTX c;

	MD5_Init(&c);
	MD5_Update(&c, msg, 4);
	MD5_Update(&c, auth, HAVEN_RADIUS_AUTH_LEN);
	MD5_Update(&c, msg + HAVEN_RADIUS_HDR_LEN, len - HAVEN_RADIUS_HDR_LEN);
	MD5_Update(&c, secret, slen);
	MD5_Final(out, &c);
	explicit_bzero(&c, sizeof(c));
}

/* MD5(a + b), the keystream block of RFC 2865 5.2 and RFC 2868 3.5. */
static void
md5_2(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		const uint8_t *c2, size_t clen, uint8_t out[RADIUS_MD5_LEN])
{
	MD5_CTX c;

	MD5_Init(&c);
	MD5_Update(&c, a, alen);
	MD5_Update(&c, b, blen);
	if (clen > 0)
		MD5_Update(&c, c2, clen);
	MD5_Final(out, &c);
	explicit_bzero(&c, sizeof(c));
}

static bool
is_request(uint8_t code)
{
	return code == HAVEN_RADIUS_ACCESS_REQUEST ||
		code == HAVEN_RADIUS_ACCOUNTING_REQUEST ||
		code == HAVEN_RADIUS_STATUS_SERVER;
}

static bool
secret_ok(const uint8_t *secret, size_t slen)
{
	return secret != NULL && slen > 0 && slen <= HAVEN_RADIUS_MAX_SECRET;
}

/* ------------------------------------------------------------------ */
/* Building                                                           */
/* ------------------------------------------------------------------ */

void
haven_radius_build_init(struct haven_radius_builder *b, uint8_t *buf,
		size_t size, uint8_t code, uint8_t id, const uint8_t *auth)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->size = size > HAVEN_RADIUS_MAX_LEN ? HAVEN_RADIUS_MAX_LEN : size;
	if (buf == NULL || b->size < HAVEN_RADIUS_HDR_LEN) {
		b->err = buf == NULL ? -EINVAL : -ENOSPC;
		return;
	}
	buf[0] = code;
	buf[1] = id;
	haven_put_be16(buf + 2, HAVEN_RADIUS_HDR_LEN);
	if (auth != NULL)
		memcpy(buf + 4, auth, HAVEN_RADIUS_AUTH_LEN);
	else
		memset(buf + 4, 0, HAVEN_RADIUS_AUTH_LEN);
	b->len = HAVEN_RADIUS_HDR_LEN;
}

/* Room for an attribute of value length len; its start, or NULL. */
static uint8_t *
reserve(struct haven_radius_builder *b, uint8_t type, size_t len)
{
	uint8_t *p;

	if (b->err != 0)
		return NULL;
	if (type == 0 || len > HAVEN_RADIUS_MAX_VALUE) {
		b->err = -EINVAL;
		return NULL;
	}
	if (b->size - b->len < ATTR_HDR + len) {
		b->err = -ENOSPC;
		return NULL;
	}
	p = b->buf + b->len;
	p[0] = type;
	p[1] = (uint8_t)(ATTR_HDR + len);
	b->len += ATTR_HDR + len;
	return p + ATTR_HDR;
}

int
haven_radius_add(struct haven_radius_builder *b, uint8_t type,
		const void *val, size_t len)
{
	uint8_t *p = reserve(b, type, len);

	if (p != NULL && len > 0)
		memcpy(p, val, len);
	return b->err;
}

int
haven_radius_add_u32(struct haven_radius_builder *b, uint8_t type,
		uint32_t v)
{
	uint8_t val[4];

	haven_put_be32(val, v);
	return haven_radius_add(b, type, val, sizeof(val));
}

int
haven_radius_add_ipv4(struct haven_radius_builder *b, uint8_t type,
		uint32_t addr_nbo)
{
	return haven_radius_add(b, type, &addr_nbo, 4);
}

int
haven_radius_add_string(struct haven_radius_builder *b, uint8_t type,
		const char *s)
{
	if (s == NULL) {
		if (b->err == 0)
			b->err = -EINVAL;
		return b->err;
	}
	return haven_radius_add(b, type, s, strlen(s));
}

/* Room for a one-sub-attribute VSA; the start of the sub-value. */
static uint8_t *
reserve_vsa(struct haven_radius_builder *b, uint32_t vendor, uint8_t vtype,
		size_t len)
{
	uint8_t *p;

	if (b->err == 0 && len > HAVEN_RADIUS_MAX_VALUE - VSA_HDR) {
		b->err = -EINVAL;
		return NULL;
	}
	p = reserve(b, HAVEN_RADIUS_VENDOR_SPECIFIC, VSA_HDR + len);
	if (p == NULL)
		return NULL;
	haven_put_be32(p, vendor);
	p[4] = vtype;
	p[5] = (uint8_t)(ATTR_HDR + len);
	return p + VSA_HDR;
}

int
haven_radius_add_vsa(struct haven_radius_builder *b, uint32_t vendor,
		uint8_t vtype, const void *val, size_t len)
{
	uint8_t *p = reserve_vsa(b, vendor, vtype, len);

	if (p != NULL && len > 0)
		memcpy(p, val, len);
	return b->err;
}

int
haven_radius_add_message_authenticator(struct haven_radius_builder *b)
{
	uint8_t *p;

	if (b->err == 0 && b->ma_off != 0)
		b->err = -EINVAL;
	p = reserve(b, HAVEN_RADIUS_MESSAGE_AUTHENTICATOR,
		HAVEN_RADIUS_AUTH_LEN);
	if (p == NULL)
		return b->err;
	memset(p, 0, HAVEN_RADIUS_AUTH_LEN);
	b->ma_off = (size_t)(p - b->buf);
	return 0;
}

int
haven_radius_add_user_password(struct haven_radius_builder *b,
		const uint8_t *pw, size_t pw_len, const uint8_t *secret,
		size_t slen)
{
	uint8_t blk[RADIUS_MD5_LEN];
	const uint8_t *prev;
	size_t n, i, j;
	uint8_t *p;

	if (b->err == 0 && (pw == NULL || pw_len == 0 ||
			pw_len > HAVEN_RADIUS_MAX_PASSWORD ||
			!secret_ok(secret, slen)))
		b->err = -EINVAL;
	n = (pw_len + PW_BLOCK - 1) / PW_BLOCK * PW_BLOCK;
	p = reserve(b, HAVEN_RADIUS_USER_PASSWORD, n);
	if (p == NULL)
		return b->err;
	memset(p, 0, n);
	memcpy(p, pw, pw_len);
	/* c(1) = p(1) xor MD5(S + RA); c(i) = p(i) xor MD5(S + c(i-1)) */
	prev = b->buf + 4;
	for (i = 0; i < n; i += PW_BLOCK) {
		md5_2(secret, slen, prev, PW_BLOCK, NULL, 0, blk);
		for (j = 0; j < PW_BLOCK; j++)
			p[i + j] ^= blk[j];
		prev = p + i;
	}
	explicit_bzero(blk, sizeof(blk));
	return 0;
}

int
haven_radius_add_salted_vsa(struct haven_radius_builder *b,
		uint32_t vendor, uint8_t vtype, const uint8_t *plain, size_t len,
		const uint8_t salt[2], const uint8_t *req_auth,
		const uint8_t *secret, size_t slen)
{
	uint8_t blk[RADIUS_MD5_LEN];
	size_t n, i, j;
	uint8_t *p;

	if (b->err == 0 && (plain == NULL || len == 0 ||
			len > HAVEN_RADIUS_MAX_SALTED || salt == NULL ||
			req_auth == NULL || !secret_ok(secret, slen)))
		b->err = -EINVAL;
	n = (1 + len + PW_BLOCK - 1) / PW_BLOCK * PW_BLOCK;
	p = reserve_vsa(b, vendor, vtype, SALT_LEN + n);
	if (p == NULL)
		return b->err;
	p[0] = salt[0] | 0x80;	/* RFC 2868 3.5: the high bit is set */
	p[1] = salt[1];
	memset(p + SALT_LEN, 0, n);
	p[SALT_LEN] = (uint8_t)len;
	memcpy(p + SALT_LEN + 1, plain, len);
	for (i = 0; i < n; i += PW_BLOCK) {
		if (i == 0)
			md5_2(secret, slen, req_auth, HAVEN_RADIUS_AUTH_LEN, p,
				SALT_LEN, blk);
		else
			md5_2(secret, slen, p + SALT_LEN + i - PW_BLOCK,
				PW_BLOCK, NULL, 0, blk);
		for (j = 0; j < PW_BLOCK; j++)
			p[SALT_LEN + i + j] ^= blk[j];
	}
	explicit_bzero(blk, sizeof(blk));
	return 0;
}

int
haven_radius_finish(struct haven_radius_builder *b, const uint8_t *secret,
		size_t slen, const uint8_t *req_auth, bool acct_zero_ma)
{
	uint8_t code, digest[RADIUS_MD5_LEN];
	const uint8_t *ma_auth;

	if (b->err != 0)
		return b->err;
	code = b->buf[0];
	if (!secret_ok(secret, slen) ||
	    (!is_request(code) && req_auth == NULL)) {
		b->err = -EINVAL;
		return b->err;
	}
	haven_put_be16(b->buf + 2, (uint16_t)b->len);

	if (code == HAVEN_RADIUS_ACCOUNTING_REQUEST) {
		memset(b->buf + 4, 0, HAVEN_RADIUS_AUTH_LEN);
		ma_auth = zero16;
	} else if (is_request(code)) {
		ma_auth = b->buf + 4;
	} else if (code == HAVEN_RADIUS_ACCOUNTING_RESPONSE && acct_zero_ma) {
		ma_auth = zero16;
	} else {
		ma_auth = req_auth;
	}
	if (b->ma_off != 0) {
		message_authenticator(b->buf, b->len, b->ma_off, ma_auth,
			secret, slen, digest);
		memcpy(b->buf + b->ma_off, digest, HAVEN_RADIUS_AUTH_LEN);
	}

	if (code == HAVEN_RADIUS_ACCOUNTING_REQUEST) {
		md5_authenticator(b->buf, b->len, zero16, secret, slen,
			digest);
		memcpy(b->buf + 4, digest, HAVEN_RADIUS_AUTH_LEN);
	} else if (!is_request(code)) {
		md5_authenticator(b->buf, b->len, req_auth, secret, slen,
			digest);
		memcpy(b->buf + 4, digest, HAVEN_RADIUS_AUTH_LEN);
	}
	explicit_bzero(digest, sizeof(digest));
	return (int)b->len;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                            */
/* ------------------------------------------------------------------ */

int
haven_radius_parse(const uint8_t *buf, size_t len,
		struct haven_radius_pkt *pkt, char *err, size_t errlen)
{
	size_t total, off;

	haven_set_reason(err, errlen, "ok");
	if (buf == NULL || pkt == NULL) {
		haven_set_reason(err, errlen, "no buffer");
		return -EINVAL;
	}
	if (len < HAVEN_RADIUS_HDR_LEN) {
		haven_set_reason(err, errlen,
			"%zu octets is shorter than the %d-octet header",
			len, HAVEN_RADIUS_HDR_LEN);
		return -EINVAL;
	}
	total = haven_get_be16(buf + 2);
	if (total < HAVEN_RADIUS_HDR_LEN || total > HAVEN_RADIUS_MAX_LEN) {
		haven_set_reason(err, errlen,
			"Length %zu is outside %d..%d", total,
			HAVEN_RADIUS_HDR_LEN, HAVEN_RADIUS_MAX_LEN);
		return -EINVAL;
	}
	if (total > len) {
		/* RFC 2865 3: "MUST be silently discarded" */
		haven_set_reason(err, errlen,
			"Length %zu exceeds the %zu octets received", total,
			len);
		return -EINVAL;
	}

	memset(pkt, 0, sizeof(*pkt));
	for (off = HAVEN_RADIUS_HDR_LEN; off < total;) {
		uint8_t type, alen;

		if (total - off < ATTR_HDR) {
			haven_set_reason(err, errlen,
				"attribute header at offset %zu overruns Length %zu",
				off, total);
			return -EINVAL;
		}
		type = buf[off];
		alen = buf[off + 1];
		if (type == 0) {
			haven_set_reason(err, errlen,
				"attribute of type 0 at offset %zu", off);
			return -EINVAL;
		}
		if (alen < ATTR_HDR || alen > total - off) {
			haven_set_reason(err, errlen,
				"attribute %u at offset %zu has length %u (%zu octets left)",
				type, off, alen, total - off);
			return -EINVAL;
		}
		if (type == HAVEN_RADIUS_MESSAGE_AUTHENTICATOR) {
			if (alen != ATTR_HDR + HAVEN_RADIUS_AUTH_LEN) {
				haven_set_reason(err, errlen,
					"Message-Authenticator at offset %zu has length %u, not 18",
					off, alen);
				return -EINVAL;
			}
			if (pkt->ma_off != 0) {
				haven_set_reason(err, errlen,
					"second Message-Authenticator at offset %zu",
					off);
				return -EINVAL;
			}
			pkt->ma_off = off + ATTR_HDR;
		}
		off += alen;
	}
	pkt->buf = buf;
	pkt->len = total;
	pkt->code = buf[0];
	pkt->id = buf[1];
	pkt->auth = buf + 4;
	return 0;
}

bool
haven_radius_next(const struct haven_radius_pkt *pkt, size_t *off,
		uint8_t *type, const uint8_t **val, uint8_t *len)
{
	const uint8_t *a;

	if (*off < HAVEN_RADIUS_HDR_LEN)
		*off = HAVEN_RADIUS_HDR_LEN;
	if (*off >= pkt->len)
		return false;
	a = pkt->buf + *off;
	*type = a[0];
	*len = (uint8_t)(a[1] - ATTR_HDR);
	*val = a + ATTR_HDR;
	*off += a[1];
	return true;
}

bool
haven_radius_find(const struct haven_radius_pkt *pkt, uint8_t type,
		const uint8_t **val, uint8_t *len)
{
	size_t off = 0;
	uint8_t t;

	while (haven_radius_next(pkt, &off, &t, val, len))
		if (t == type)
			return true;
	return false;
}

/* The sub-attributes of one VSA value fill it exactly. */
static bool
vsa_well_formed(const uint8_t *v, size_t len)
{
	size_t i = 4;

	while (i < len) {
		if (len - i < ATTR_HDR || v[i + 1] < ATTR_HDR ||
				v[i + 1] > len - i)
			return false;
		i += v[i + 1];
	}
	return i == len && len > 4;
}

bool
haven_radius_next_vsa(const struct haven_radius_pkt *pkt, uint32_t vendor,
		size_t *off, size_t *sub, uint8_t *vtype, const uint8_t **val,
		uint8_t *len)
{
	for (;;) {
		const uint8_t *a, *v;
		uint8_t alen;

		if (*off < HAVEN_RADIUS_HDR_LEN)
			*off = HAVEN_RADIUS_HDR_LEN;
		if (*off >= pkt->len)
			return false;
		a = pkt->buf + *off;
		alen = (uint8_t)(a[1] - ATTR_HDR);
		v = a + ATTR_HDR;
		if (a[0] != HAVEN_RADIUS_VENDOR_SPECIFIC || alen < 4 ||
		    haven_get_be32(v) != vendor || !vsa_well_formed(v, alen)) {
			*off += a[1];
			*sub = 0;
			continue;
		}
		if (*sub < 4)
			*sub = 4;
		if (*sub >= alen) {
			*off += a[1];
			*sub = 0;
			continue;
		}
		*vtype = v[*sub];
		*len = (uint8_t)(v[*sub + 1] - ATTR_HDR);
		*val = v + *sub + ATTR_HDR;
		*sub += v[*sub + 1];
		return true;
	}
}

bool
haven_radius_find_vsa(const struct haven_radius_pkt *pkt, uint32_t vendor,
		uint8_t vtype, const uint8_t **val, uint8_t *len)
{
	size_t off = 0, sub = 0;
	uint8_t t;

	while (haven_radius_next_vsa(pkt, vendor, &off, &sub, &t, val, len))
		if (t == vtype)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Verifying                                                          */
/* ------------------------------------------------------------------ */

static int
check_ma(const struct haven_radius_pkt *pkt, const uint8_t *auth,
		const uint8_t *secret, size_t slen)
{
	uint8_t d[RADIUS_MD5_LEN];
	int bad;

	message_authenticator(pkt->buf, pkt->len, pkt->ma_off, auth, secret,
		slen, d);
	bad = radius_ct_cmp(d, pkt->buf + pkt->ma_off, HAVEN_RADIUS_AUTH_LEN);
	explicit_bzero(d, sizeof(d));
	return bad;
}

int
haven_radius_verify_response(const struct haven_radius_pkt *pkt,
		const uint8_t *req_auth, const uint8_t *secret, size_t slen,
		bool require_ma)
{
	uint8_t d[RADIUS_MD5_LEN];
	int bad;

	if (pkt == NULL || pkt->buf == NULL || req_auth == NULL ||
			!secret_ok(secret, slen) || is_request(pkt->code))
		return -EACCES;
	if (pkt->ma_off == 0) {
		if (require_ma)
			return -ENOMSG;
	} else if (check_ma(pkt, req_auth, secret, slen) != 0 &&
		   (pkt->code != HAVEN_RADIUS_ACCOUNTING_RESPONSE ||
		    check_ma(pkt, zero16, secret, slen) != 0)) {
		return -EACCES;
	}
	md5_authenticator(pkt->buf, pkt->len, req_auth, secret, slen, d);
	bad = radius_ct_cmp(d, pkt->auth, HAVEN_RADIUS_AUTH_LEN);
	explicit_bzero(d, sizeof(d));
	return bad ? -EACCES : 0;
}

int
haven_radius_verify_request(const struct haven_radius_pkt *pkt,
		const uint8_t *secret, size_t slen, bool require_ma)
{
	uint8_t d[RADIUS_MD5_LEN];
	bool acct;
	int bad;

	if (pkt == NULL || pkt->buf == NULL || !secret_ok(secret, slen) ||
			!is_request(pkt->code))
		return -EACCES;
	acct = pkt->code == HAVEN_RADIUS_ACCOUNTING_REQUEST;
	if (pkt->ma_off == 0) {
		if (require_ma)
			return -ENOMSG;
	} else if (check_ma(pkt, acct ? zero16 : pkt->auth, secret,
			slen) != 0) {
		return -EACCES;
	}
	if (!acct)
		return 0;
	md5_authenticator(pkt->buf, pkt->len, zero16, secret, slen, d);
	bad = radius_ct_cmp(d, pkt->auth, HAVEN_RADIUS_AUTH_LEN);
	explicit_bzero(d, sizeof(d));
	return bad ? -EACCES : 0;
}

/* ------------------------------------------------------------------ */
/* Hidden values                                                      */
/* ------------------------------------------------------------------ */

int
haven_radius_user_password_decode(const uint8_t *val, size_t len,
		const uint8_t *req_auth, const uint8_t *secret, size_t slen,
		uint8_t *out)
{
	uint8_t blk[RADIUS_MD5_LEN];
	const uint8_t *prev = req_auth;
	size_t i, j;

	if (val == NULL || out == NULL || req_auth == NULL || len == 0 ||
			len % PW_BLOCK != 0 || len > HAVEN_RADIUS_MAX_PASSWORD ||
			!secret_ok(secret, slen))
		return -EINVAL;
	for (i = 0; i < len; i += PW_BLOCK) {
		md5_2(secret, slen, prev, PW_BLOCK, NULL, 0, blk);
		for (j = 0; j < PW_BLOCK; j++)
			out[i + j] = val[i + j] ^ blk[j];
		prev = val + i;
	}
	explicit_bzero(blk, sizeof(blk));
	while (len > 0 && out[len - 1] == 0)
		len--;
	return (int)len;
}

int
haven_radius_salted_decode(const uint8_t *val, size_t len,
		const uint8_t *req_auth, const uint8_t *secret, size_t slen,
		uint8_t *out)
{
	uint8_t blk[RADIUS_MD5_LEN], plain[HAVEN_RADIUS_MAX_VALUE];
	size_t n, i, j, klen;

	if (val == NULL || out == NULL || req_auth == NULL ||
			!secret_ok(secret, slen) || len < SALT_LEN + PW_BLOCK ||
			(len - SALT_LEN) % PW_BLOCK != 0 ||
			len > HAVEN_RADIUS_MAX_VALUE)
		return -EINVAL;
	n = len - SALT_LEN;
	for (i = 0; i < n; i += PW_BLOCK) {
		if (i == 0)
			md5_2(secret, slen, req_auth, HAVEN_RADIUS_AUTH_LEN,
				val, SALT_LEN, blk);
		else
			md5_2(secret, slen, val + SALT_LEN + i - PW_BLOCK,
				PW_BLOCK, NULL, 0, blk);
		for (j = 0; j < PW_BLOCK; j++)
			plain[i + j] = val[SALT_LEN + i + j] ^ blk[j];
	}
	klen = plain[0];
	if (klen == 0 || klen > n - 1 || klen > HAVEN_RADIUS_MAX_SALTED) {
		explicit_bzero(plain, sizeof(plain));
		explicit_bzero(blk, sizeof(blk));
		return -EINVAL;
	}
	memcpy(out, plain + 1, klen);
	explicit_bzero(plain, sizeof(plain));
	explicit_bzero(blk, sizeof(blk));
	return (int)klen;
}

/* ------------------------------------------------------------------ */
/* Cisco-AVPair "mobileip:spi#<n>=..."                                */
/* ------------------------------------------------------------------ */

/* The next space-separated word of s[*i..len); its length, 0 at the end. */
static size_t
next_word(const char *s, size_t len, size_t *i, const char **w)
{
	size_t start;

	while (*i < len && s[*i] == ' ')
		(*i)++;
	start = *i;
	while (*i < len && s[*i] != ' ')
		(*i)++;
	*w = s + start;
	return *i - start;
}

static bool
word_is(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && strncasecmp(w, lit, n) == 0;
}

/* A decimal number of 1..10 digits that fits 32 bits. */
static bool
word_u32(const char *w, size_t n, uint32_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 10)
		return false;
	for (i = 0; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(w[i] - '0');
	}
	if (x > UINT32_MAX)
		return false;
	*out = (uint32_t)x;
	return true;
}

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
haven_radius_cisco_spi_parse(const uint8_t *val, size_t len,
		struct haven_radius_cisco_sa *sa)
{
	static const char prefix[] = "mobileip:spi#";
	const char *s = (const char *)val, *w;
	bool have_spi = false, have_key = false, have_alg = false;
	size_t i, n;

	if (val == NULL || sa == NULL)
		return -EINVAL;
	if (len < sizeof(prefix) - 1 ||
			strncasecmp(s, prefix, sizeof(prefix) - 1) != 0)
		return -ENOENT;
	memset(sa, 0, sizeof(*sa));
	/* the index: digits, then '=' */
	for (i = sizeof(prefix) - 1; i < len && s[i] >= '0' && s[i] <= '9';)
		i++;
	if (i == sizeof(prefix) - 1 || i >= len || s[i] != '=')
		return -EINVAL;
	i++;

	while ((n = next_word(s, len, &i, &w)) != 0) {
		if (word_is(w, n, "spi") && !have_spi) {
			n = next_word(s, len, &i, &w);
			if (!word_u32(w, n, &sa->spi))
				goto bad;
			have_spi = true;
		} else if (word_is(w, n, "key") && !have_key) {
			size_t j;

			n = next_word(s, len, &i, &w);
			if (word_is(w, n, "hex")) {
				n = next_word(s, len, &i, &w);
				if (n == 0 || n % 2 != 0 ||
				    n / 2 > sizeof(sa->key))
					goto bad;
				for (j = 0; j < n; j += 2) {
					int hi = hex_nibble(w[j]);
					int lo = hex_nibble(w[j + 1]);

					if (hi < 0 || lo < 0)
						goto bad;
					sa->key[j / 2] = (uint8_t)(hi << 4 | lo);
				}
				sa->key_len = (uint8_t)(n / 2);
			} else if (word_is(w, n, "ascii")) {
				n = next_word(s, len, &i, &w);
				if (n == 0 || n > sizeof(sa->key))
					goto bad;
				memcpy(sa->key, w, n);
				sa->key_len = (uint8_t)n;
			} else {
				goto bad;
			}
			have_key = true;
		} else if (word_is(w, n, "algorithm") && !have_alg) {
			n = next_word(s, len, &i, &w);
			if (word_is(w, n, "hmac-md5"))
				sa->alg = 0;
			else if (word_is(w, n, "hmac-sha256"))
				sa->alg = 1;
			else
				goto bad;	/* keyed "md5" prefix-suffix */
			have_alg = true;
		} else if (word_is(w, n, "replay")) {
			n = next_word(s, len, &i, &w);
			if (!word_is(w, n, "timestamp"))
				goto bad;
			/* optional "within <s>" */
			{
				size_t save = i;

				n = next_word(s, len, &i, &w);
				if (word_is(w, n, "within")) {
					n = next_word(s, len, &i, &w);
					if (!word_u32(w, n,
							&sa->replay_window))
						goto bad;
				} else {
					i = save;
				}
			}
		} else {
			goto bad;
		}
	}
	if (!have_spi || !have_key)
		goto bad;
	return 0;
bad:
	explicit_bzero(sa, sizeof(*sa));
	return -EINVAL;
}

const char *
haven_radius_code_name(uint8_t code)
{
	switch (code) {
	case HAVEN_RADIUS_ACCESS_REQUEST:
		return "Access-Request";
	case HAVEN_RADIUS_ACCESS_ACCEPT:
		return "Access-Accept";
	case HAVEN_RADIUS_ACCESS_REJECT:
		return "Access-Reject";
	case HAVEN_RADIUS_ACCOUNTING_REQUEST:
		return "Accounting-Request";
	case HAVEN_RADIUS_ACCOUNTING_RESPONSE:
		return "Accounting-Response";
	case HAVEN_RADIUS_ACCESS_CHALLENGE:
		return "Access-Challenge";
	case HAVEN_RADIUS_STATUS_SERVER:
		return "Status-Server";
	default:
		return "unknown";
	}
}
