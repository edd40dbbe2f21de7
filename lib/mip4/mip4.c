/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mobile IPv4 registration codec (RFC 5944 sections 3.3-3.5).
 *
 * This file turns the UDP payload of a Registration Request into a struct
 * the home agent can act on, and encodes the Registration Reply it sends
 * back. Parsing is strict and explains itself: every refusal leaves a
 * readable reason in the caller's buffer, and its return value says what
 * the home agent owes the sender (a reply code, or silence). Nothing here
 * allocates, logs or keeps state; the authenticators themselves are
 * computed and checked in mip4_auth.c.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "haven_mip4.h"
#include "haven_wire.h"
#include "mip4_private.h"

/*
 * Extension formats (RFC 5944 sections 1.10-1.12). The simple format is
 * Type, Length (8 bits), Data; the short format, for skippable types
 * 128-255, is Type, Length (8 bits), Sub-Type, Data, with Length counting
 * the Sub-Type, so both are skipped the same way. The long format (Type,
 * Sub-Type, Length of 16 bits, Data) is used only by non-skippable types
 * below 128 (Generalized Authentication 36 of RFC 3012, CVSE 38 of RFC
 * 3115, ...). This codec implements none of those, and section 1.9 makes
 * it discard a message carrying one before its length matters, so the
 * walker never needs to read a 16-bit length.
 */
#define EXT_HDR_LEN	MIP4_EXT_HDR_LEN

/* SPI that opens every authentication extension (RFC 5944 3.5.2). */
#define AUTH_SPI_LEN	4

/* Why an extension walk stopped; each caller maps it to its own answer. */
enum walk_result {
	WALK_OK = 0,
	WALK_POORLY_FORMED,	/**< malformed or misplaced extension */
	WALK_DISCARD,		/**< unknown non-skippable extension */
	WALK_MN_HA_TWICE,	/**< more than one MN-HA extension */
};

/*
 * The authentication extensions an extension walk records, the Mobile
 * Node NAI extension (RFC 2794) when nai is not NULL, and the UDP Tunnel
 * Request (in a request) or Reply (in a reply: the walk then understands
 * the non-skippable type 44) of RFC 3519 when udp_req or udp_rep is not
 * NULL.
 */
struct auth_exts {
	struct haven_mip4_auth_ext *mn_ha;
	struct haven_mip4_auth_ext *mn_fa;
	struct haven_mip4_auth_ext *fa_ha;
	const uint8_t **nai;
	uint8_t *nai_len;
	struct haven_mip4_udp_req *udp_req;
	struct haven_mip4_udp_rep *udp_rep;
};

static bool
is_auth_ext(uint8_t type)
{
	return type == HAVEN_MIP4_EXT_MN_HA || type == HAVEN_MIP4_EXT_MN_FA ||
		type == HAVEN_MIP4_EXT_FA_HA;
}

static const char *
auth_ext_name(uint8_t type)
{
	switch (type) {
	case HAVEN_MIP4_EXT_MN_HA:
		return "MN-HA";
	case HAVEN_MIP4_EXT_MN_FA:
		return "MN-FA";
	default:
		return "FA-HA";
	}
}

/*
 * Record an authentication extension (RFC 5944 3.5.2-3.5.4: Type, Length,
 * SPI, Authenticator; Length counts the SPI and the Authenticator).
 */
static void
record_auth(struct haven_mip4_auth_ext *ext, const uint8_t *buf, size_t off,
		uint8_t body_len)
{
	ext->present = true;
	ext->spi = haven_get_be32(buf + off + 2);
	ext->auth = buf + off + 2 + AUTH_SPI_LEN;
	ext->auth_len = body_len - AUTH_SPI_LEN;
	/* Section 3.5.1: covered are all bytes up to and including the SPI. */
	ext->covered_len = (uint16_t)(off + 2 + AUTH_SPI_LEN);
}

/*
 * Walk the extensions of buf from off to len and record the authentication
 * extensions. The rules:
 * - RFC 5944 1.9: an unrecognised type below 128 discards the message; an
 *   unrecognised type from 128 up is skipped using its 8-bit Length
 *   (the simple and short formats agree on where that byte is).
 * - RFC 5944 3.6.1.3 and 3.5.2: the MN-HA extension marks the end of what
 *   the mobile node authenticates for its home agent; only the MN-FA and
 *   FA-HA extensions may follow it, in that order, each at most once, and
 *   nothing may follow FA-HA, which the foreign agent appends last.
 *   Anything else after MN-HA is unauthenticated data the home agent must
 *   not act on, so it is refused rather than skipped.
 */
static enum walk_result
walk_extensions(const uint8_t *buf, size_t len, size_t off,
		const struct auth_exts *found, char *err, size_t errlen)
{
	while (off < len) {
		uint8_t type = buf[off];
		bool udp_rep = type == HAVEN_MIP4_EXT_UDP_TUN_REP &&
			found->udp_rep != NULL;
		size_t body_len;

		if (!is_auth_ext(type) && !udp_rep &&
		    type < HAVEN_MIP4_EXT_SKIPPABLE_MIN) {
			haven_set_reason(err, errlen,
				"unknown non-skippable extension %u at offset %zu",
				type, off);
			return WALK_DISCARD;
		}
		if (len - off < EXT_HDR_LEN) {
			haven_set_reason(err, errlen,
				"extension %u at offset %zu truncated: no length byte (len %zu)",
				type, off, len);
			return WALK_POORLY_FORMED;
		}
		body_len = buf[off + 1];
		if (body_len > len - off - EXT_HDR_LEN) {
			haven_set_reason(err, errlen,
				"extension %u at offset %zu overruns message (len %zu)",
				type, off, len);
			return WALK_POORLY_FORMED;
		}
		if (found->fa_ha->present) {
			haven_set_reason(err, errlen,
				"extension %u at offset %zu follows the FA-HA extension",
				type, off);
			return WALK_POORLY_FORMED;
		}
		if (found->mn_ha->present && type != HAVEN_MIP4_EXT_MN_FA &&
				type != HAVEN_MIP4_EXT_FA_HA) {
			if (type == HAVEN_MIP4_EXT_MN_HA) {
				haven_set_reason(err, errlen,
					"second MN-HA extension at offset %zu",
					off);
				return WALK_MN_HA_TWICE;
			}
			haven_set_reason(err, errlen,
				"extension %u at offset %zu follows the MN-HA extension",
				type, off);
			return WALK_POORLY_FORMED;
		}

		if (type == HAVEN_MIP4_EXT_MN_NAI && found->nai != NULL) {
			/* RFC 2794 2: before MN-HA (checked above), once */
			if (body_len == 0) {
				haven_set_reason(err, errlen,
					"empty MN-NAI extension at offset %zu",
					off);
				return WALK_POORLY_FORMED;
			}
			if (*found->nai != NULL) {
				haven_set_reason(err, errlen,
					"second MN-NAI extension at offset %zu",
					off);
				return WALK_POORLY_FORMED;
			}
			*found->nai = buf + off + EXT_HDR_LEN;
			*found->nai_len = (uint8_t)body_len;
		}
		/* RFC 3519 3.1, 3.2: before MN-HA (checked above), once */
		if (type == HAVEN_MIP4_EXT_UDP_TUN_REQ &&
		    found->udp_req != NULL &&
		    mip4_udp_req_decode(buf, off, body_len, found->udp_req,
				err, errlen) != 0)
			return WALK_POORLY_FORMED;
		if (udp_rep && mip4_udp_rep_decode(buf, off, body_len,
				found->udp_rep, err, errlen) != 0)
			return WALK_POORLY_FORMED;

		if (is_auth_ext(type)) {
			struct haven_mip4_auth_ext *ext =
				type == HAVEN_MIP4_EXT_MN_HA ? found->mn_ha :
				type == HAVEN_MIP4_EXT_MN_FA ? found->mn_fa :
				found->fa_ha;

			if (type != HAVEN_MIP4_EXT_MN_HA &&
					!found->mn_ha->present) {
				haven_set_reason(err, errlen,
					"%s extension at offset %zu precedes the MN-HA extension",
					auth_ext_name(type), off);
				return WALK_POORLY_FORMED;
			}
			if (ext->present) {
				haven_set_reason(err, errlen,
					"second %s extension at offset %zu",
					auth_ext_name(type), off);
				return WALK_POORLY_FORMED;
			}
			if (body_len < AUTH_SPI_LEN) {
				haven_set_reason(err, errlen,
					"%s extension at offset %zu: length %zu cannot hold the SPI",
					auth_ext_name(type), off, body_len);
				return WALK_POORLY_FORMED;
			}
			record_auth(ext, buf, off, (uint8_t)body_len);
		}
		/* Anything else reaching here is skippable (>= 128). */
		off += EXT_HDR_LEN + body_len;
	}
	return WALK_OK;
}

/*
 * Registration Request (RFC 5944 section 3.3):
 *
 *   0: Type (1) | S B D M G r T x | Lifetime
 *   4: Home Address
 *   8: Home Agent
 *  12: Care-of Address
 *  16: Identification (64 bits)
 *  24: Extensions...
 */
int
haven_mip4_parse_rrq(const uint8_t *buf, size_t len,
		struct haven_mip4_rrq *rrq, char *err, size_t errlen)
{
	struct auth_exts found;

	haven_set_reason(err, errlen, "ok");
	if (buf == NULL || rrq == NULL) {
		haven_set_reason(err, errlen, "no buffer");
		return -EINVAL;
	}
	if (len < HAVEN_MIP4_RRQ_LEN) {
		haven_set_reason(err, errlen,
			"message of %zu bytes is shorter than the %d-byte Registration Request",
			len, HAVEN_MIP4_RRQ_LEN);
		return -EINVAL;
	}
	if (buf[0] != HAVEN_MIP4_TYPE_RRQ) {
		haven_set_reason(err, errlen,
			"type %u is not a Registration Request (%d)",
			buf[0], HAVEN_MIP4_TYPE_RRQ);
		return -EINVAL;
	}

	memset(rrq, 0, sizeof(*rrq));
	/* Section 3.3: r and x are "sent as zero; ignored on reception". */
	rrq->flags = buf[1] & ~(HAVEN_MIP4_F_r | HAVEN_MIP4_F_x);
	rrq->lifetime = haven_get_be16(buf + 2);
	rrq->home_addr = haven_get_addr4(buf + 4);
	rrq->ha_addr = haven_get_addr4(buf + 8);
	rrq->coa = haven_get_addr4(buf + 12);
	rrq->ident = haven_get_be64(buf + 16);

	if (len > HAVEN_MIP4_MAX_MSG) {
		haven_set_reason(err, errlen,
			"message of %zu bytes exceeds the %d-byte limit",
			len, HAVEN_MIP4_MAX_MSG);
		return HAVEN_MIP4_DENIED_POORLY_FORMED;
	}

	found.mn_ha = &rrq->mn_ha;
	found.mn_fa = &rrq->mn_fa;
	found.fa_ha = &rrq->fa_ha;
	found.nai = &rrq->mn_nai;
	found.nai_len = &rrq->mn_nai_len;
	found.udp_req = &rrq->udp;
	found.udp_rep = NULL;
	switch (walk_extensions(buf, len, HAVEN_MIP4_RRQ_LEN, &found,
			err, errlen)) {
	case WALK_OK:
		break;
	case WALK_DISCARD:
		return -EINVAL;
	case WALK_MN_HA_TWICE:
		/* Section 3.8.2.1: more than one is an authentication failure. */
		return HAVEN_MIP4_DENIED_MN_AUTH;
	default:
		return HAVEN_MIP4_DENIED_POORLY_FORMED;
	}

	if (!rrq->mn_ha.present) {
		/* Section 3.8.2.1: no authorization-enabling extension: 131. */
		haven_set_reason(err, errlen, "no MN-HA authentication extension");
		return HAVEN_MIP4_DENIED_MN_AUTH;
	}
	return 0;
}

/*
 * Registration Reply (RFC 5944 section 3.4):
 *
 *   0: Type (3) | Code | Lifetime
 *   4: Home Address
 *   8: Home Agent
 *  12: Identification (64 bits)
 *  20: Extensions...
 */
/*
 * Every reply parser: ext NULL leaves the MN-NAI extension unread and
 * makes a UDP Tunnel Reply an unknown non-skippable extension.
 */
static int
parse_rrp(const uint8_t *buf, size_t len, struct haven_mip4_rrp *rrp,
		struct haven_mip4_auth_ext *mn_ha, struct haven_mip4_rrp_ext *ext)
{
	struct haven_mip4_auth_ext mn_ha_local, mn_fa, fa_ha;
	struct haven_mip4_rrp_ext ext_local;
	struct auth_exts found;

	if (buf == NULL || rrp == NULL || len < HAVEN_MIP4_RRP_LEN ||
			len > HAVEN_MIP4_MAX_MSG ||
			buf[0] != HAVEN_MIP4_TYPE_RRP)
		return -EINVAL;

	memset(&mn_ha_local, 0, sizeof(mn_ha_local));
	memset(&mn_fa, 0, sizeof(mn_fa));
	memset(&fa_ha, 0, sizeof(fa_ha));
	memset(&ext_local, 0, sizeof(ext_local));
	found.mn_ha = &mn_ha_local;
	found.mn_fa = &mn_fa;
	found.fa_ha = &fa_ha;
	found.nai = ext != NULL ? &ext_local.nai : NULL;
	found.nai_len = &ext_local.nai_len;
	found.udp_req = NULL;
	found.udp_rep = ext != NULL ? &ext_local.udp : NULL;
	if (walk_extensions(buf, len, HAVEN_MIP4_RRP_LEN, &found,
			NULL, 0) != WALK_OK)
		return -EINVAL;

	rrp->code = buf[1];
	rrp->lifetime = haven_get_be16(buf + 2);
	rrp->home_addr = haven_get_addr4(buf + 4);
	rrp->ha_addr = haven_get_addr4(buf + 8);
	rrp->ident = haven_get_be64(buf + 12);
	if (mn_ha != NULL)
		*mn_ha = mn_ha_local;
	if (ext != NULL)
		*ext = ext_local;
	return 0;
}

int
haven_mip4_parse_rrp(const uint8_t *buf, size_t len,
		struct haven_mip4_rrp *rrp, struct haven_mip4_auth_ext *mn_ha)
{
	return parse_rrp(buf, len, rrp, mn_ha, NULL);
}

int
haven_mip4_parse_rrp_ext(const uint8_t *buf, size_t len,
		struct haven_mip4_rrp *rrp, struct haven_mip4_auth_ext *mn_ha,
		struct haven_mip4_rrp_ext *ext)
{
	if (ext == NULL)
		return -EINVAL;
	return parse_rrp(buf, len, rrp, mn_ha, ext);
}

int
haven_mip4_parse_rrp_nai(const uint8_t *buf, size_t len,
		struct haven_mip4_rrp *rrp, struct haven_mip4_auth_ext *mn_ha,
		const uint8_t **nai, uint8_t *nai_len)
{
	struct haven_mip4_rrp_ext ext;
	int rc;

	if (nai == NULL || nai_len == NULL)
		return -EINVAL;
	rc = parse_rrp(buf, len, rrp, mn_ha, &ext);
	if (rc == 0 && ext.udp.present)
		return -EINVAL;		/* not for a parser that would drop it */
	if (rc == 0) {
		*nai = ext.nai;
		*nai_len = ext.nai_len;
	}
	return rc;
}

/*
 * The fixed part and the MN-HA extension's type, length and SPI; the
 * authenticator is left for the caller. Returns the total length.
 */
static int
build_rrp_head(const struct haven_mip4_rrp *rrp, uint32_t spi,
		size_t auth_len, uint8_t *buf, size_t buflen)
{
	size_t total = HAVEN_MIP4_RRP_LEN;
	uint8_t *ext;

	if (auth_len > 0)
		total += 2 + AUTH_SPI_LEN + auth_len;
	if (buflen < total)
		return -ENOSPC;
	buf[0] = HAVEN_MIP4_TYPE_RRP;
	buf[1] = rrp->code;
	haven_put_be16(buf + 2, rrp->lifetime);
	memcpy(buf + 4, &rrp->home_addr, 4);
	memcpy(buf + 8, &rrp->ha_addr, 4);
	haven_put_be64(buf + 12, rrp->ident);
	if (auth_len == 0)
		return (int)total;
	/* MN-HA extension (section 3.5.2), authenticator per 3.5.1. */
	ext = buf + HAVEN_MIP4_RRP_LEN;
	ext[0] = HAVEN_MIP4_EXT_MN_HA;
	ext[1] = (uint8_t)(AUTH_SPI_LEN + auth_len);
	haven_put_be32(ext + 2, spi);
	return (int)total;
}

/* Bytes the MN-HA authenticator of a reply covers (RFC 5944 3.5.1). */
#define RRP_COVERED (HAVEN_MIP4_RRP_LEN + 2 + AUTH_SPI_LEN)

int
haven_mip4_build_rrp(const struct haven_mip4_rrp *rrp,
		const struct haven_mip4_sa *sa, uint8_t *buf, size_t buflen)
{
	size_t auth_len = 0;
	int total;

	if (rrp == NULL || buf == NULL)
		return -EINVAL;
	if (sa != NULL) {
		auth_len = haven_mip4_auth_len(sa->alg);
		if (auth_len == 0 || sa->key_len > HAVEN_MIP4_MAX_KEY)
			return -EINVAL;
	}
	total = build_rrp_head(rrp, sa != NULL ? sa->spi : 0, auth_len, buf,
			buflen);
	if (total < 0 || sa == NULL)
		return total;
	if (haven_mip4_auth_compute(sa, buf, RRP_COVERED, buf + RRP_COVERED) !=
			(int)auth_len)
		return -EINVAL;
	return total;
}

int
haven_mip4_build_rrp_key(const struct haven_mip4_rrp *rrp,
		const struct haven_mip4_key *key, uint8_t *buf, size_t buflen)
{
	size_t auth_len;
	int total;

	if (rrp == NULL || key == NULL || buf == NULL)
		return -EINVAL;
	auth_len = haven_mip4_auth_len(haven_mip4_key_alg(key));
	total = build_rrp_head(rrp, haven_mip4_key_spi(key), auth_len, buf,
			buflen);
	if (total < 0)
		return total;
	haven_mip4_key_compute(key, buf, RRP_COVERED, buf + RRP_COVERED);
	return total;
}

/*
 * A reply with extensions before MN-HA: fixed part, MN-NAI (RFC 2794),
 * UDP Tunnel Reply (RFC 3519 3.2), then MN-HA, whose authenticator covers
 * everything before it and its SPI.
 */
int
haven_mip4_build_rrp_ext(const struct haven_mip4_rrp *rrp,
		const struct haven_mip4_rrp_ext *ext,
		const struct haven_mip4_key *key, uint8_t *buf, size_t buflen)
{
	size_t auth_len = 0, nai_ext = 0, udp_ext = 0, covered, total;
	uint8_t *p;

	if (rrp == NULL || buf == NULL)
		return -EINVAL;
	if (ext != NULL && ext->nai != NULL) {
		if (ext->nai_len == 0)
			return -EINVAL;
		nai_ext = EXT_HDR_LEN + ext->nai_len;
	}
	if (ext != NULL && ext->udp.present)
		udp_ext = MIP4_UDP_EXT_SIZE;
	if (key != NULL) {
		auth_len = haven_mip4_auth_len(haven_mip4_key_alg(key));
		if (auth_len == 0)
			return -EINVAL;
	}
	total = HAVEN_MIP4_RRP_LEN + nai_ext + udp_ext +
		(key != NULL ? EXT_HDR_LEN + AUTH_SPI_LEN + auth_len : 0);
	if (buflen < total)
		return -ENOSPC;
	build_rrp_head(rrp, 0, 0, buf, buflen);
	p = buf + HAVEN_MIP4_RRP_LEN;
	if (nai_ext > 0) {
		p[0] = HAVEN_MIP4_EXT_MN_NAI;
		p[1] = ext->nai_len;
		memcpy(p + EXT_HDR_LEN, ext->nai, ext->nai_len);
		p += nai_ext;
	}
	if (udp_ext > 0) {
		if (mip4_udp_rep_encode(p, &ext->udp) != 0)
			return -EINVAL;
		p += udp_ext;
	}
	if (key == NULL)
		return (int)total;
	p[0] = HAVEN_MIP4_EXT_MN_HA;
	p[1] = (uint8_t)(AUTH_SPI_LEN + auth_len);
	haven_put_be32(p + EXT_HDR_LEN, haven_mip4_key_spi(key));
	covered = HAVEN_MIP4_RRP_LEN + nai_ext + udp_ext + EXT_HDR_LEN +
		AUTH_SPI_LEN;
	haven_mip4_key_compute(key, buf, covered, buf + covered);
	return (int)total;
}

int
haven_mip4_build_rrp_nai(const struct haven_mip4_rrp *rrp,
		const uint8_t *nai, size_t nai_len,
		const struct haven_mip4_key *key, uint8_t *buf, size_t buflen)
{
	struct haven_mip4_rrp_ext ext;

	if (nai == NULL || nai_len == 0 || nai_len > UINT8_MAX)
		return -EINVAL;
	memset(&ext, 0, sizeof(ext));
	ext.nai = nai;
	ext.nai_len = (uint8_t)nai_len;
	return haven_mip4_build_rrp_ext(rrp, &ext, key, buf, buflen);
}
