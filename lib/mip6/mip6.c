/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mobile IPv6 home registration codec (RFC 6275 sections 6, 9.2, 9.5.1).
 *
 * A Binding Update reaches the home agent as an IPv6 packet from the
 * care-of address, with a Destination Options header carrying the Home
 * Address option and a Mobility Header. This file walks that extension
 * header chain, parses and checks the Mobility Header (checksum, lengths,
 * options), encodes the Binding Acknowledgement and Binding Error the
 * agent sends back, and states the home registration rules (sequence
 * numbers modulo 2^16, the order of the rejection statuses) as pure
 * functions. Every refusal leaves a readable reason; nothing here
 * allocates, logs or keeps state. Authenticators are computed in
 * mip6_auth.c, Neighbor Discovery is in nd.c, tunnelling in ip6_tunnel.c.
 *
 * Where the numbers come from: RFC 6275 (message layouts of 6.1, option
 * alignments of 6.2, Home Address option of 6.3), RFC 4283 (MN
 * Identifier, type 8), RFC 4285 (types 9 and 10, alignments 4n+1 and
 * 8n+2, "last option" rule) as cross-checked against the IANA Mobile IPv6
 * parameters registry and the dissectors of Wireshark (packet-mip6.c)
 * and scapy (layers/inet6.py).
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "haven_mip6.h"
#include "mip6_private.h"

/* Longest chain of extension headers the walk follows. */
#define WALK_MAX_HDRS	8

/* Largest Mobility Header: Header Len is 8 bits of 8-octet units. */
#define MH_MAX_LEN	((255 + 1) * 8)

/* Offsets in the Mobility Header (RFC 6275 6.1.1). */
#define MH_PROTO	0
#define MH_HLEN		1
#define MH_TYPE		2
#define MH_CKSUM	4

/* The Subtype and SPI that open the authentication option (RFC 4285). */
#define AUTH_FIXED	5

/* ------------------------------------------------------------------ */
/* Addresses                                                          */
/* ------------------------------------------------------------------ */

static bool
addr_is_zero(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

bool
haven_mip6_addr_unicast_routable(const uint8_t a[16])
{
	static const uint8_t loopback[16] = { [15] = 1 };
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (addr_is_zero(a) || memcmp(a, loopback, 16) == 0)
		return false;
	if (a[0] == 0xff)				/* multicast */
		return false;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)	/* fe80::/10 */
		return false;
	if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0)
		return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* Extension-header walk                                              */
/* ------------------------------------------------------------------ */

/*
 * The options of a Hop-by-Hop or Destination Options header (RFC 8200
 * 4.2), h pointing at the header and hlen its length. The Home Address
 * option is understood in a Destination Options header only; elsewhere
 * its type (0xc9, action bits 11) makes it an option to discard on.
 */
static int
walk_options(const uint8_t *h, size_t hlen, size_t hdr_off, bool is_dst,
		struct haven_mip6_pkt *pkt, char *err, size_t errlen)
{
	size_t i = 2;
	uint8_t t, ol;

	while (i < hlen) {
		t = h[i];
		if (t == 0) {				/* Pad1 */
			i++;
			continue;
		}
		if (i + 2 > hlen || i + 2 + (size_t)h[i + 1] > hlen) {
			haven_set_reason(err, errlen,
				"option 0x%02x at offset %zu overruns its %zu-byte header",
				t, hdr_off + i, hlen);
			return -EINVAL;
		}
		ol = h[i + 1];
		if (t == HAVEN_MIP6_HAO_TYPE && is_dst) {
			if (ol != HAVEN_MIP6_HAO_LEN) {
				haven_set_reason(err, errlen,
					"Home Address option length %u, not 16 (RFC 6275 6.3)",
					ol);
				return -EINVAL;
			}
			/* RFC 6275 6.3: alignment requirement 8n+6. */
			if (i % 8 != 6) {
				haven_set_reason(err, errlen,
					"Home Address option at 8n+%zu, not 8n+6 (RFC 6275 6.3)",
					i % 8);
				return -EINVAL;
			}
			if (pkt->has_hao) {
				haven_set_reason(err, errlen,
					"second Home Address option");
				return -EINVAL;
			}
			if (!haven_mip6_addr_unicast_routable(h + i + 2)) {
				haven_set_reason(err, errlen,
					"home address is not unicast routable (RFC 6275 9.5.1)");
				return -EINVAL;
			}
			pkt->has_hao = true;
			memcpy(pkt->hoa, h + i + 2, 16);
		} else if (t != 1 && (t & 0xc0) != 0) {
			/* RFC 8200 4.2: action bits 01, 10, 11 discard. */
			haven_set_reason(err, errlen,
				"unrecognized option 0x%02x requires discarding (RFC 8200 4.2)",
				t);
			return -EINVAL;
		}
		i += 2 + (size_t)ol;
	}
	return 0;
}

/* A type 2 Routing header (RFC 6275 6.4): Hdr Ext Len 2, one address. */
static int
walk_rh2(const uint8_t *h, size_t hlen, struct haven_mip6_pkt *pkt,
		char *err, size_t errlen)
{
	if (h[1] != 2 || hlen != 24) {
		haven_set_reason(err, errlen,
			"type 2 routing header with Hdr Ext Len %u, not 2 (RFC 6275 6.4)",
			h[1]);
		return -EINVAL;
	}
	if (h[3] > 1) {
		haven_set_reason(err, errlen,
			"type 2 routing header with %u segments left (RFC 6275 6.4)",
			h[3]);
		return -EINVAL;
	}
	if (pkt->has_rh2) {
		haven_set_reason(err, errlen, "second type 2 routing header");
		return -EINVAL;
	}
	pkt->has_rh2 = true;
	memcpy(pkt->rh2_addr, h + 8, 16);
	return 0;
}

int
haven_mip6_walk(const uint8_t *buf, size_t len, struct haven_mip6_pkt *pkt,
		char *err, size_t errlen)
{
	size_t off = HAVEN_IP6_HDR_LEN, end, hlen;
	unsigned int count = 0;
	uint16_t plen;
	uint8_t nh;
	int rc;

	haven_set_reason(err, errlen, "ok");
	if (buf == NULL || pkt == NULL)
		return -EINVAL;
	memset(pkt, 0, sizeof(*pkt));
	if (len < HAVEN_IP6_HDR_LEN) {
		haven_set_reason(err, errlen, "%zu bytes: shorter than an IPv6 header",
			len);
		return -EINVAL;
	}
	if (buf[0] >> 4 != 6) {
		haven_set_reason(err, errlen, "IP version %u, not 6", buf[0] >> 4);
		return -EINVAL;
	}
	plen = haven_get_be16(buf + 4);
	if (plen == 0) {
		haven_set_reason(err, errlen,
			"payload length 0 (jumbograms are not supported)");
		return -EINVAL;
	}
	end = HAVEN_IP6_HDR_LEN + (size_t)plen;
	if (end > len) {
		haven_set_reason(err, errlen,
			"payload length %u overruns the %zu-byte packet", plen, len);
		return -EINVAL;
	}
	pkt->payload_len = plen;
	pkt->hop_limit = buf[7];
	memcpy(pkt->src, buf + 8, 16);
	memcpy(pkt->dst, buf + 24, 16);
	nh = buf[6];

	for (;;) {
		if (nh != HAVEN_IPPROTO_HOPOPTS && nh != HAVEN_IPPROTO_DSTOPTS &&
				nh != HAVEN_IPPROTO_ROUTING &&
				nh != HAVEN_IPPROTO_AH)
			break;
		if (++count > WALK_MAX_HDRS) {
			haven_set_reason(err, errlen,
				"more than %d extension headers", WALK_MAX_HDRS);
			return -EINVAL;
		}
		if (off + 8 > end) {
			haven_set_reason(err, errlen,
				"extension header %u at offset %zu is truncated",
				nh, off);
			return -EINVAL;
		}
		if (nh == HAVEN_IPPROTO_AH)	/* RFC 4302 2.2: 4-octet units, less 2 */
			hlen = ((size_t)buf[off + 1] + 2) * 4;
		else
			hlen = ((size_t)buf[off + 1] + 1) * 8;
		if (off + hlen > end) {
			haven_set_reason(err, errlen,
				"extension header %u at offset %zu: %zu bytes overrun the payload",
				nh, off, hlen);
			return -EINVAL;
		}
		switch (nh) {
		case HAVEN_IPPROTO_HOPOPTS:
			/* RFC 8200 4.1: only immediately after the IPv6 header. */
			if (off != HAVEN_IP6_HDR_LEN) {
				haven_set_reason(err, errlen,
					"Hop-by-Hop Options header not first (RFC 8200 4.1)");
				return -EINVAL;
			}
			/* fall through */
		case HAVEN_IPPROTO_DSTOPTS:
			rc = walk_options(buf + off, hlen, off,
				nh == HAVEN_IPPROTO_DSTOPTS, pkt, err, errlen);
			if (rc != 0)
				return rc;
			break;
		case HAVEN_IPPROTO_ROUTING:
			if (buf[off + 2] == HAVEN_MIP6_RH2_TYPE) {
				rc = walk_rh2(buf + off, hlen, pkt, err, errlen);
				if (rc != 0)
					return rc;
			} else if (buf[off + 3] != 0) {
				haven_set_reason(err, errlen,
					"routing header type %u with %u segments left",
					buf[off + 2], buf[off + 3]);
				return -EINVAL;
			}
			break;
		default:	/* AH: skipped, its ICV is not checked here */
			break;
		}
		nh = buf[off];
		off += hlen;
	}
	pkt->upper_proto = nh;
	pkt->upper_off = (uint32_t)off;
	pkt->upper_len = (uint32_t)(end - off);
	memcpy(pkt->ph_src, pkt->has_hao ? pkt->hoa : pkt->src, 16);
	memcpy(pkt->ph_dst, pkt->has_rh2 ? pkt->rh2_addr : pkt->dst, 16);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Mobility Header parse                                              */
/* ------------------------------------------------------------------ */

uint16_t
haven_mip6_mh_cksum(const uint8_t ph_src[16], const uint8_t ph_dst[16],
		const uint8_t *msg, size_t len)
{
	static const uint8_t zero[2];
	uint32_t sum;

	sum = csum_pseudo(ph_src, ph_dst, (uint32_t)len, HAVEN_IPPROTO_MH);
	sum = csum_add(sum, msg, MH_CKSUM);
	sum = csum_add(sum, zero, 2);
	sum = csum_add(sum, msg + MH_CKSUM + 2, len - MH_CKSUM - 2);
	return csum_fold(sum);
}

static const char *
opt_name(uint8_t t)
{
	switch (t) {
	case HAVEN_MIP6_OPT_BRA:
		return "Binding Refresh Advice";
	case HAVEN_MIP6_OPT_ACOA:
		return "Alternate Care-of Address";
	case HAVEN_MIP6_OPT_MNID:
		return "MN Identifier";
	case HAVEN_MIP6_OPT_AUTH:
		return "authentication";
	case HAVEN_MIP6_OPT_REPLAY:
		return "replay protection";
	default:
		return "unknown";
	}
}

/* A known option of the wrong size, or seen twice. */
static int
opt_bad(char *err, size_t errlen, uint8_t t, uint8_t ol, bool dup)
{
	if (dup)
		haven_set_reason(err, errlen, "%s option (%u) repeated",
			opt_name(t), t);
	else
		haven_set_reason(err, errlen, "%s option (%u) with length %u",
			opt_name(t), t, ol);
	return -EINVAL;
}

/*
 * The options from m[start] to m[end] (RFC 6275 6.2.1: Type, Length
 * counting the data only; Pad1 is a lone octet; unknown types are
 * skipped). RFC 4285 sections 5 and 6 make the authentication option the
 * last one of the message.
 */
static int
parse_options(const uint8_t *m, size_t start, size_t end,
		struct haven_mip6_opts *o, char *err, size_t errlen)
{
	const uint8_t *d;
	size_t i = start;
	uint8_t t, ol;

	while (i < end) {
		t = m[i];
		if (o->has_auth) {
			haven_set_reason(err, errlen,
				"option %u after the authentication option (RFC 4285 5)",
				t);
			return -EINVAL;
		}
		if (t == HAVEN_MIP6_OPT_PAD1) {
			i++;
			continue;
		}
		if (i + 2 > end || i + 2 + (size_t)m[i + 1] > end) {
			haven_set_reason(err, errlen,
				"option %u at offset %zu overruns the %zu-byte message",
				t, i, end);
			return -EINVAL;
		}
		ol = m[i + 1];
		d = m + i + 2;
		switch (t) {
		case HAVEN_MIP6_OPT_PADN:
			break;
		case HAVEN_MIP6_OPT_BRA:		/* RFC 6275 6.2.4 */
			if (ol != 2 || o->has_bra)
				return opt_bad(err, errlen, t, ol, o->has_bra);
			o->has_bra = true;
			o->refresh = haven_get_be16(d);
			break;
		case HAVEN_MIP6_OPT_ACOA:		/* RFC 6275 6.2.5 */
			if (ol != 16 || o->has_acoa)
				return opt_bad(err, errlen, t, ol, o->has_acoa);
			o->has_acoa = true;
			memcpy(o->acoa, d, 16);
			break;
		case HAVEN_MIP6_OPT_MNID:		/* RFC 4283 3 */
			if (ol < 2 || o->has_mnid)
				return opt_bad(err, errlen, t, ol, o->has_mnid);
			o->has_mnid = true;
			o->mnid_subtype = d[0];
			o->mnid = d + 1;
			o->mnid_len = ol - 1;
			break;
		case HAVEN_MIP6_OPT_REPLAY:		/* RFC 4285 6 */
			if (ol != 8 || o->has_replay)
				return opt_bad(err, errlen, t, ol, o->has_replay);
			o->has_replay = true;
			o->timestamp = haven_get_be64(d);
			break;
		case HAVEN_MIP6_OPT_AUTH:		/* RFC 4285 5 */
			if (ol < AUTH_FIXED)
				return opt_bad(err, errlen, t, ol, false);
			o->has_auth = true;
			o->auth_subtype = d[0];
			o->spi = haven_get_be32(d + 1);
			o->auth = d + AUTH_FIXED;
			o->auth_len = ol - AUTH_FIXED;
			o->auth_covered = (uint16_t)(i + 2 + AUTH_FIXED);
			break;
		default:
			/* Nonce Indices, Authorization Data and the rest. */
			if (o->unknown < UINT8_MAX)
				o->unknown++;
			break;
		}
		i += 2 + (size_t)ol;
	}
	return 0;
}

/* Fixed length of the types this codec parses, 0 for the others. */
static size_t
mh_fixed_len(uint8_t type)
{
	switch (type) {
	case HAVEN_MIP6_MH_BRR:
		return HAVEN_MIP6_BRR_LEN;
	case HAVEN_MIP6_MH_BU:
		return HAVEN_MIP6_BU_LEN;
	case HAVEN_MIP6_MH_BA:
		return HAVEN_MIP6_BA_LEN;
	case HAVEN_MIP6_MH_BE:
		return HAVEN_MIP6_BE_LEN;
	default:
		return 0;
	}
}

int
haven_mip6_mh_parse(const uint8_t *buf, size_t len, const uint8_t *ph_src,
		const uint8_t *ph_dst, struct haven_mip6_mh *mh, char *err,
		size_t errlen)
{
	size_t total, fixed;
	uint16_t want;

	haven_set_reason(err, errlen, "ok");
	if (buf == NULL || mh == NULL)
		return -EINVAL;
	memset(mh, 0, sizeof(*mh));
	if (len < 8) {
		haven_set_reason(err, errlen,
			"%zu bytes: shorter than a Mobility Header", len);
		return -EINVAL;
	}
	mh->type = buf[MH_TYPE];
	total = ((size_t)buf[MH_HLEN] + 1) * 8;
	if (total > len) {
		haven_set_reason(err, errlen,
			"Header Len %u means %zu bytes, only %zu present",
			buf[MH_HLEN], total, len);
		return -EINVAL;
	}
	mh->len = (uint16_t)total;
	/* RFC 6275 9.2: a wrong checksum is discarded before anything. */
	if (ph_src != NULL && ph_dst != NULL) {
		want = haven_mip6_mh_cksum(ph_src, ph_dst, buf, total);
		if (want != haven_get_be16(buf + MH_CKSUM)) {
			haven_set_reason(err, errlen,
				"checksum 0x%04x, expected 0x%04x",
				haven_get_be16(buf + MH_CKSUM), want);
			return -EBADMSG;
		}
	}
	if (buf[MH_PROTO] != HAVEN_MIP6_MH_PAYLOAD_PROTO) {
		mh->icmp_pointer = MH_PROTO;
		haven_set_reason(err, errlen,
			"Payload Proto %u, not 59 (RFC 6275 6.1.1)",
			buf[MH_PROTO]);
		return -EPROTO;
	}
	fixed = mh_fixed_len(mh->type);
	if (fixed == 0) {
		haven_set_reason(err, errlen, "MH Type %u not supported", mh->type);
		return -ENOTSUP;
	}
	if (total < fixed) {
		mh->icmp_pointer = MH_HLEN;
		haven_set_reason(err, errlen,
			"Header Len %u too small for MH Type %u (%zu bytes)",
			buf[MH_HLEN], mh->type, fixed);
		return -EPROTO;
	}
	switch (mh->type) {
	case HAVEN_MIP6_MH_BU:		/* RFC 6275 6.1.7 */
		mh->seq = haven_get_be16(buf + 6);
		mh->flags = haven_get_be16(buf + 8);
		mh->lifetime = haven_get_be16(buf + 10);
		break;
	case HAVEN_MIP6_MH_BA:		/* RFC 6275 6.1.8 */
		mh->status = buf[6];
		mh->flags = buf[7];
		mh->seq = haven_get_be16(buf + 8);
		mh->lifetime = haven_get_be16(buf + 10);
		break;
	case HAVEN_MIP6_MH_BE:		/* RFC 6275 6.1.9 */
		mh->status = buf[6];
		memcpy(mh->be_hoa, buf + 8, 16);
		break;
	default:			/* BRR, RFC 6275 6.1.2 */
		break;
	}
	return parse_options(buf, fixed, total, &mh->opts, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Mobility Header build                                              */
/* ------------------------------------------------------------------ */

/* A message under construction; overflow is sticky. */
struct mhw {
	uint8_t *b;
	size_t cap;
	size_t len;
	bool overflow;
};

static uint8_t *
mhw_reserve(struct mhw *w, size_t n)
{
	uint8_t *p;

	if (w->overflow || w->len + n > w->cap || w->len + n > MH_MAX_LEN) {
		w->overflow = true;
		return NULL;
	}
	p = w->b + w->len;
	memset(p, 0, n);
	w->len += n;
	return p;
}

/* n octets of padding: Pad1 for one, PadN otherwise (RFC 6275 6.2.2-3). */
static void
mhw_pad(struct mhw *w, size_t n)
{
	uint8_t *p;

	if (n == 0)
		return;
	p = mhw_reserve(w, n);
	if (p == NULL)
		return;
	if (n == 1) {
		p[0] = HAVEN_MIP6_OPT_PAD1;
		return;
	}
	p[0] = HAVEN_MIP6_OPT_PADN;
	p[1] = (uint8_t)(n - 2);
}

/* Pad so that the next option starts at xn+y (RFC 6275 6.2). */
static void
mhw_align(struct mhw *w, size_t x, size_t y)
{
	mhw_pad(w, (y + x - w->len % x) % x);
}

/* Emit the options of o, each at its alignment, in a fixed order. */
static int
mhw_options(struct mhw *w, const struct haven_mip6_opts_out *o)
{
	uint8_t *p;

	if (o == NULL)
		return 0;
	if (o->bra) {
		mhw_align(w, 2, 0);		/* RFC 6275 6.2.4: 2n */
		p = mhw_reserve(w, 4);
		if (p != NULL) {
			p[0] = HAVEN_MIP6_OPT_BRA;
			p[1] = 2;
			haven_put_be16(p + 2, o->refresh);
		}
	}
	if (o->acoa) {
		mhw_align(w, 8, 6);		/* RFC 6275 6.2.5: 8n+6 */
		p = mhw_reserve(w, 18);
		if (p != NULL) {
			p[0] = HAVEN_MIP6_OPT_ACOA;
			p[1] = 16;
			memcpy(p + 2, o->acoa_addr, 16);
		}
	}
	if (o->mnid != NULL) {
		/* RFC 4283 states no alignment requirement. */
		if (o->mnid_len == 0 || o->mnid_len > 254)
			return -EINVAL;
		p = mhw_reserve(w, 3 + (size_t)o->mnid_len);
		if (p != NULL) {
			p[0] = HAVEN_MIP6_OPT_MNID;
			p[1] = (uint8_t)(1 + o->mnid_len);
			p[2] = o->mnid_subtype;
			memcpy(p + 3, o->mnid, o->mnid_len);
		}
	}
	if (o->replay) {
		mhw_align(w, 8, 2);		/* RFC 4285 6: 8n+2 */
		p = mhw_reserve(w, 10);
		if (p != NULL) {
			p[0] = HAVEN_MIP6_OPT_REPLAY;
			p[1] = 8;
			haven_put_be64(p + 2, o->timestamp);
		}
	}
	return 0;
}

/*
 * Close the message: with a key, the authentication option goes last at
 * 4n+1 (RFC 4285 5), placed so that it ends on an 8-octet boundary, and
 * its authenticator is computed once Header Len is final and the
 * checksum zero; without one, pad to a multiple of 8 (RFC 6275 6.1.1).
 * The checksum is computed last.
 */
static int
mhw_finish(struct mhw *w, const struct haven_mip6_key *key,
		const struct haven_mip6_addrs *a)
{
	size_t alen, olen;
	uint8_t *p;

	if (key != NULL) {
		alen = haven_mip6_auth_len(haven_mip6_key_alg(key));
		if (alen == 0)
			return -EINVAL;
		olen = 2 + AUTH_FIXED + alen;
		/* build_tail() placed us at 4n+1 with an 8-octet end. */
		p = mhw_reserve(w, olen);
		if (p == NULL)
			return -ENOSPC;
		p[0] = HAVEN_MIP6_OPT_AUTH;
		p[1] = (uint8_t)(AUTH_FIXED + alen);
		p[2] = HAVEN_MIP6_AUTH_MN_HA;
		haven_put_be32(p + 3, haven_mip6_key_spi(key));
		w->b[MH_HLEN] = (uint8_t)(w->len / 8 - 1);
		haven_put_be16(w->b + MH_CKSUM, 0);
		if (haven_mip6_key_compute(key, a->coa, a->hoa, w->b,
				w->len - alen, p + 2 + AUTH_FIXED) < 0)
			return -EINVAL;
	} else {
		mhw_pad(w, (8 - w->len % 8) % 8);
		if (w->overflow)
			return -ENOSPC;
		w->b[MH_HLEN] = (uint8_t)(w->len / 8 - 1);
	}
	haven_put_be16(w->b + MH_CKSUM,
		haven_mip6_mh_cksum(a->ph_src, a->ph_dst, w->b, w->len));
	return (int)w->len;
}

/* Common tail of the BU and BA builders. */
static int
build_tail(struct mhw *w, const struct haven_mip6_opts_out *opts,
		const struct haven_mip6_key *key,
		const struct haven_mip6_addrs *a)
{
	size_t olen, s;
	int rc;

	rc = mhw_options(w, opts);
	if (rc != 0)
		return rc;
	if (w->overflow)
		return -ENOSPC;
	if (key != NULL) {
		/*
		 * The authentication option starts at 4n+1 (RFC 4285 5) and,
		 * being last, must end on an 8-octet boundary: the first such
		 * place is at most 7 octets on, one Pad1 or PadN away.
		 */
		olen = 2 + AUTH_FIXED +
			haven_mip6_auth_len(haven_mip6_key_alg(key));
		for (s = w->len; s % 4 != 1 || (s + olen) % 8 != 0; s++)
			if (s >= w->len + 8)
				return -EINVAL;
		mhw_pad(w, s - w->len);
		if (w->overflow)
			return -ENOSPC;
	}
	return mhw_finish(w, key, a);
}

int
haven_mip6_build_bu(uint16_t seq, uint16_t flags, uint16_t lifetime,
		const struct haven_mip6_opts_out *opts,
		const struct haven_mip6_key *key,
		const struct haven_mip6_addrs *a, uint8_t *buf, size_t buflen)
{
	struct mhw w = { .b = buf, .cap = buflen };
	uint8_t *p;

	if (buf == NULL || a == NULL)
		return -EINVAL;
	p = mhw_reserve(&w, HAVEN_MIP6_BU_LEN);
	if (p == NULL)
		return -ENOSPC;
	p[MH_PROTO] = HAVEN_MIP6_MH_PAYLOAD_PROTO;
	p[MH_TYPE] = HAVEN_MIP6_MH_BU;
	haven_put_be16(p + 6, seq);
	haven_put_be16(p + 8, flags);
	haven_put_be16(p + 10, lifetime);
	return build_tail(&w, opts, key, a);
}

int
haven_mip6_build_ba(uint8_t status, uint8_t flags, uint16_t seq,
		uint16_t lifetime, const struct haven_mip6_opts_out *opts,
		const struct haven_mip6_key *key,
		const struct haven_mip6_addrs *a, uint8_t *buf, size_t buflen)
{
	struct mhw w = { .b = buf, .cap = buflen };
	uint8_t *p;

	if (buf == NULL || a == NULL)
		return -EINVAL;
	p = mhw_reserve(&w, HAVEN_MIP6_BA_LEN);
	if (p == NULL)
		return -ENOSPC;
	p[MH_PROTO] = HAVEN_MIP6_MH_PAYLOAD_PROTO;
	p[MH_TYPE] = HAVEN_MIP6_MH_BA;
	p[6] = status;
	p[7] = flags & HAVEN_MIP6_BA_F_K;	/* the rest is Reserved */
	haven_put_be16(p + 8, seq);
	haven_put_be16(p + 10, lifetime);
	return build_tail(&w, opts, key, a);
}

int
haven_mip6_build_be(uint8_t status, const uint8_t hoa[16],
		const uint8_t ph_src[16], const uint8_t ph_dst[16],
		uint8_t *buf, size_t buflen)
{
	if (buf == NULL || hoa == NULL || ph_src == NULL || ph_dst == NULL)
		return -EINVAL;
	if (buflen < HAVEN_MIP6_BE_LEN)
		return -ENOSPC;
	memset(buf, 0, HAVEN_MIP6_BE_LEN);
	buf[MH_PROTO] = HAVEN_MIP6_MH_PAYLOAD_PROTO;
	buf[MH_HLEN] = HAVEN_MIP6_BE_LEN / 8 - 1;
	buf[MH_TYPE] = HAVEN_MIP6_MH_BE;
	buf[6] = status;
	memcpy(buf + 8, hoa, 16);
	haven_put_be16(buf + MH_CKSUM,
		haven_mip6_mh_cksum(ph_src, ph_dst, buf, HAVEN_MIP6_BE_LEN));
	return HAVEN_MIP6_BE_LEN;
}

/* ------------------------------------------------------------------ */
/* Home registration rules                                            */
/* ------------------------------------------------------------------ */

/*
 * RFC 6275 9.5.1: "greater than ... modulo 2**16"; the TAHI conformance
 * suite (HA_2_5_8, HA_2_6_6) takes last + 32767 as newer and last + 32768
 * as not.
 */
bool
haven_mip6_seq_newer(uint16_t seq, uint16_t last)
{
	uint16_t d = (uint16_t)(seq - last);

	return d != 0 && d < 0x8000;
}

int
haven_mip6_home_reg_status(const struct haven_mip6_mh *bu,
		const struct haven_mip6_reg_state *st)
{
	if (bu == NULL || st == NULL || bu->type != HAVEN_MIP6_MH_BU)
		return -EINVAL;
	if (!(bu->flags & HAVEN_MIP6_BU_F_H))
		return -EINVAL;
	if (!st->home_agent)
		return HAVEN_MIP6_BA_HOME_REG_NOT_SUPPORTED;
	if (!st->home_subnet)
		return HAVEN_MIP6_BA_NOT_HOME_SUBNET;
	if (!st->serves_node)
		return HAVEN_MIP6_BA_NOT_HA_FOR_MN;
	if (!st->admin_ok)
		return HAVEN_MIP6_BA_ADMIN_PROHIBITED;
	if (st->have_binding && !st->binding_home)
		return HAVEN_MIP6_BA_REG_TYPE_CHANGE;
	if (st->have_binding && !haven_mip6_seq_newer(bu->seq, st->last_seq))
		return HAVEN_MIP6_BA_SEQ_OUT_OF_WINDOW;
	return HAVEN_MIP6_BA_ACCEPTED;
}

bool
haven_mip6_bu_is_dereg(const struct haven_mip6_mh *bu, const uint8_t coa[16],
		const uint8_t hoa[16])
{
	return bu->lifetime == 0 || memcmp(coa, hoa, 16) == 0;
}

const uint8_t *
haven_mip6_bu_coa(const struct haven_mip6_mh *bu,
		const struct haven_mip6_pkt *pkt)
{
	return bu->opts.has_acoa ? bu->opts.acoa : pkt->src;
}
