/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6-in-IPv6 tunnelling (RFC 2473) and the ICMPv6 errors it answers
 * with (RFC 4443).
 *
 * The home agent delivers packets for a registered home address by
 * wrapping them in an outer IPv6 header to the care-of address (RFC 6275
 * 9.4), and unwraps what the mobile node reverse-tunnels. The inner
 * packet is forwarded, so its hop limit is decremented first (RFC 2473
 * 3.1); when it runs out, or the packet no longer fits the tunnel MTU,
 * the source hears about it through an ICMPv6 error that quotes as much
 * of the packet as fits in the 1280-byte minimum MTU (RFC 4443 2.4 (c)).
 * Pure over bytes: building the mbuf chain is the fast path's business.
 */

#include <errno.h>
#include <string.h>

#include "haven_mip6.h"
#include "haven_nd.h"
#include "mip6_private.h"

/* RFC 4443 2.4 (e): errors are never sent about these. */
#define ICMP6_INFO_MIN	128	/* types below are errors (RFC 4443 2.1) */

/* Hop limit of the errors this node originates (RFC 8200 default). */
#define ICMP6_ERR_HOP_LIMIT 64

int
haven_ip6ip6_prepare_inner(uint8_t *inner, size_t len)
{
	if (inner == NULL || len < HAVEN_IP6_HDR_LEN || inner[0] >> 4 != 6)
		return -EINVAL;
	if (inner[7] <= 1)
		return -ETIMEDOUT;
	inner[7]--;
	return 0;
}

int
haven_ip6ip6_build_outer(uint8_t *out, const uint8_t src[16],
		const uint8_t dst[16], size_t inner_len, uint8_t hop_limit)
{
	if (out == NULL || src == NULL || dst == NULL || inner_len > 0xffff)
		return -EINVAL;
	memset(out, 0, HAVEN_IP6_HDR_LEN);
	out[0] = 0x60;
	haven_put_be16(out + 4, (uint16_t)inner_len);
	out[6] = HAVEN_IPPROTO_IPV6;
	out[7] = hop_limit;
	memcpy(out + 8, src, 16);
	memcpy(out + 24, dst, 16);
	return HAVEN_IP6_HDR_LEN;
}

int
haven_ip6ip6_decap_check(const uint8_t *buf, size_t len,
		const uint8_t *want_src, const uint8_t *want_dst,
		size_t *inner_off, size_t *inner_len, char *err, size_t errlen)
{
	struct haven_mip6_pkt pkt;
	const uint8_t *in;
	size_t ilen;
	int rc;

	rc = haven_mip6_walk(buf, len, &pkt, err, errlen);
	if (rc != 0)
		return rc;
	if (pkt.upper_proto != HAVEN_IPPROTO_IPV6) {
		haven_set_reason(err, errlen, "next header %u, not 41 (RFC 2473)",
			pkt.upper_proto);
		return -EINVAL;
	}
	if (want_src != NULL && memcmp(pkt.src, want_src, 16) != 0) {
		haven_set_reason(err, errlen, "outer source is not the care-of address");
		return -EINVAL;
	}
	if (want_dst != NULL && memcmp(pkt.dst, want_dst, 16) != 0) {
		haven_set_reason(err, errlen, "outer destination is not this agent");
		return -EINVAL;
	}
	in = buf + pkt.upper_off;
	ilen = pkt.upper_len;
	if (ilen < HAVEN_IP6_HDR_LEN || in[0] >> 4 != 6) {
		haven_set_reason(err, errlen, "inner packet is not IPv6");
		return -EINVAL;
	}
	if (HAVEN_IP6_HDR_LEN + (size_t)haven_get_be16(in + 4) != ilen) {
		haven_set_reason(err, errlen,
			"inner payload length %u does not fill the %zu-byte tunnel payload",
			haven_get_be16(in + 4), ilen);
		return -EINVAL;
	}
	if (inner_off != NULL)
		*inner_off = pkt.upper_off;
	if (inner_len != NULL)
		*inner_len = ilen;
	haven_set_reason(err, errlen, "ok");
	return 0;
}

/* Is the invoking packet itself an ICMPv6 error (RFC 4443 2.4 (e.1))? */
static bool
is_icmp6_error(const uint8_t *p, size_t len)
{
	struct haven_mip6_pkt pkt;

	if (haven_mip6_walk(p, len, &pkt, NULL, 0) != 0)
		return p[6] == HAVEN_IPPROTO_ICMPV6 &&
			len > HAVEN_IP6_HDR_LEN &&
			p[HAVEN_IP6_HDR_LEN] < ICMP6_INFO_MIN;
	return pkt.upper_proto == HAVEN_IPPROTO_ICMPV6 && pkt.upper_len > 0 &&
		p[pkt.upper_off] < ICMP6_INFO_MIN;
}

int
haven_icmp6_build_error(uint8_t *buf, size_t buflen, const uint8_t src[16],
		uint8_t type, uint8_t code, uint32_t param,
		const uint8_t *invoking, size_t inv_len)
{
	static const uint8_t zero[16];
	const uint8_t *isrc, *idst;
	size_t quote, plen;
	uint8_t *m;

	if (buf == NULL || src == NULL || invoking == NULL ||
			inv_len < HAVEN_IP6_HDR_LEN || invoking[0] >> 4 != 6 ||
			type >= ICMP6_INFO_MIN)
		return -EINVAL;
	isrc = invoking + 8;
	idst = invoking + 24;
	/* RFC 4443 2.4 (e): never about errors, odd sources, multicast. */
	if (memcmp(isrc, zero, 16) == 0 || isrc[0] == 0xff)
		return -EPERM;
	if (idst[0] == 0xff && type != HAVEN_ICMP6_PKT_TOO_BIG)
		return -EPERM;
	if (is_icmp6_error(invoking, inv_len))
		return -EPERM;
	/* RFC 4443 2.4 (c): as much as fits in the minimum MTU. */
	quote = inv_len;
	if (quote > HAVEN_IP6_MIN_MTU - HAVEN_IP6_HDR_LEN -
			HAVEN_ICMP6_ERR_HDR_LEN)
		quote = HAVEN_IP6_MIN_MTU - HAVEN_IP6_HDR_LEN -
			HAVEN_ICMP6_ERR_HDR_LEN;
	plen = HAVEN_ICMP6_ERR_HDR_LEN + quote;
	if (buflen < HAVEN_IP6_HDR_LEN + plen)
		return -ENOSPC;
	memset(buf, 0, HAVEN_IP6_HDR_LEN);
	buf[0] = 0x60;
	haven_put_be16(buf + 4, (uint16_t)plen);
	buf[6] = HAVEN_IPPROTO_ICMPV6;
	buf[7] = ICMP6_ERR_HOP_LIMIT;
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, isrc, 16);
	m = buf + HAVEN_IP6_HDR_LEN;
	m[0] = type;
	m[1] = code;
	haven_put_be16(m + 2, 0);
	haven_put_be32(m + 4, param);
	memmove(m + HAVEN_ICMP6_ERR_HDR_LEN, invoking, quote);
	haven_put_be16(m + 2, haven_icmp6_cksum(src, buf + 24, m, plen));
	return (int)(HAVEN_IP6_HDR_LEN + plen);
}

int
haven_icmp6_build_time_exceeded(uint8_t *buf, size_t buflen,
		const uint8_t src[16], const uint8_t *invoking, size_t inv_len)
{
	/* RFC 4443 3.3: code 0, hop limit exceeded in transit. */
	return haven_icmp6_build_error(buf, buflen, src,
		HAVEN_ICMP6_TIME_EXCEEDED, 0, 0, invoking, inv_len);
}

int
haven_icmp6_build_pkt_too_big(uint8_t *buf, size_t buflen,
		const uint8_t src[16], uint32_t mtu, const uint8_t *invoking,
		size_t inv_len)
{
	/* RFC 4443 3.2: code 0, the MTU of the next-hop link. */
	return haven_icmp6_build_error(buf, buflen, src,
		HAVEN_ICMP6_PKT_TOO_BIG, 0, mtu, invoking, inv_len);
}
