/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 Neighbor Discovery for the home agent's proxy (RFC 4861, RFC 6275
 * 10.4.1).
 *
 * While a mobile node is away, its home agent answers Neighbor
 * Solicitations for the home address with its own link-layer address, and
 * defends the address against Duplicate Address Detection. This file
 * builds the Neighbor Advertisements and Solicitations that takes, checks
 * received Solicitations as RFC 4861 7.1.1 requires, and computes the
 * solicited-node multicast addresses and MACs they travel to. It is the
 * IPv6 counterpart of proxy and gratuitous ARP, pure over bytes.
 */

#include <errno.h>
#include <string.h>

#include "haven_mip6.h"
#include "haven_nd.h"
#include "mip6_private.h"

/* ff02::1:ff00:0/104 (RFC 4291 2.7.1). */
static const uint8_t solicited_prefix[13] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
};

void
haven_nd_solicited_node(const uint8_t addr[16], uint8_t out[16])
{
	memcpy(out, solicited_prefix, sizeof(solicited_prefix));
	memcpy(out + 13, addr + 13, 3);
}

void
haven_nd_mcast_mac(const uint8_t mcast[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, mcast + 12, 4);
}

uint16_t
haven_icmp6_cksum(const uint8_t src[16], const uint8_t dst[16],
		const uint8_t *msg, size_t len)
{
	static const uint8_t zero[2];
	uint32_t sum;

	sum = csum_pseudo(src, dst, (uint32_t)len, HAVEN_IPPROTO_ICMPV6);
	sum = csum_add(sum, msg, 2);
	sum = csum_add(sum, zero, 2);
	sum = csum_add(sum, msg + 4, len - 4);
	return csum_fold(sum);
}

/* IPv6 header for an ND message of plen bytes (hop limit 255). */
static void
put_ip6(uint8_t *b, const uint8_t src[16], const uint8_t dst[16],
		size_t plen, uint8_t proto, uint8_t hop_limit)
{
	memset(b, 0, HAVEN_IP6_HDR_LEN);
	b[0] = 0x60;
	haven_put_be16(b + 4, (uint16_t)plen);
	b[6] = proto;
	b[7] = hop_limit;
	memcpy(b + 8, src, 16);
	memcpy(b + 24, dst, 16);
}

/* NS and NA share their layout but for byte 4 (flags vs reserved). */
static int
build_nd(uint8_t *buf, size_t buflen, uint8_t type, const uint8_t src[16],
		const uint8_t dst[16], const uint8_t target[16], uint8_t flags,
		uint8_t opt_type, const uint8_t *lla)
{
	size_t plen = HAVEN_ND_MIN_LEN +
		(lla != NULL ? sizeof(struct haven_nd_opt_lla) : 0);
	uint8_t *m = buf + HAVEN_IP6_HDR_LEN;

	if (buf == NULL || src == NULL || dst == NULL || target == NULL)
		return -EINVAL;
	if (buflen < HAVEN_IP6_HDR_LEN + plen)
		return -ENOSPC;
	put_ip6(buf, src, dst, plen, HAVEN_IPPROTO_ICMPV6, HAVEN_ND_HOP_LIMIT);
	memset(m, 0, plen);
	m[0] = type;
	m[4] = flags;
	memcpy(m + 8, target, 16);
	if (lla != NULL) {
		m[24] = opt_type;
		m[25] = 1;
		memcpy(m + 26, lla, 6);
	}
	haven_put_be16(m + 2, haven_icmp6_cksum(src, dst, m, plen));
	return (int)(HAVEN_IP6_HDR_LEN + plen);
}

int
haven_nd_build_na(uint8_t *buf, size_t buflen, const uint8_t src[16],
		const uint8_t dst[16], const uint8_t target[16], uint8_t flags,
		const uint8_t *tlla)
{
	return build_nd(buf, buflen, HAVEN_ND_NA, src, dst, target,
		flags & (HAVEN_ND_NA_F_R | HAVEN_ND_NA_F_S | HAVEN_ND_NA_F_O),
		HAVEN_ND_OPT_TLLA, tlla);
}

static bool
is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

int
haven_nd_build_ns(uint8_t *buf, size_t buflen, const uint8_t src[16],
		const uint8_t *dst, const uint8_t target[16],
		const uint8_t *slla)
{
	uint8_t snm[16];

	if (src == NULL || target == NULL)
		return -EINVAL;
	if (dst == NULL) {
		haven_nd_solicited_node(target, snm);
		dst = snm;
	}
	if (is_unspecified(src))
		slla = NULL;
	return build_nd(buf, buflen, HAVEN_ND_NS, src, dst, target, 0,
		HAVEN_ND_OPT_SLLA, slla);
}

int
haven_nd_parse_ns(const uint8_t *buf, size_t len,
		struct haven_nd_ns_info *ns, char *err, size_t errlen)
{
	const uint8_t *m;
	bool any_slla = false;
	size_t plen, i;
	uint16_t want;

	haven_set_reason(err, errlen, "ok");
	if (buf == NULL || ns == NULL)
		return -EINVAL;
	memset(ns, 0, sizeof(*ns));
	if (len < HAVEN_IP6_HDR_LEN || buf[0] >> 4 != 6) {
		haven_set_reason(err, errlen, "not an IPv6 packet");
		return -EINVAL;
	}
	plen = haven_get_be16(buf + 4);
	if (HAVEN_IP6_HDR_LEN + plen > len) {
		haven_set_reason(err, errlen,
			"payload length %zu overruns the %zu-byte packet",
			plen, len);
		return -EINVAL;
	}
	if (buf[6] != HAVEN_IPPROTO_ICMPV6) {
		haven_set_reason(err, errlen, "next header %u, not ICMPv6", buf[6]);
		return -EINVAL;
	}
	if (buf[7] != HAVEN_ND_HOP_LIMIT) {
		haven_set_reason(err, errlen,
			"hop limit %u, not 255 (RFC 4861 7.1.1)", buf[7]);
		return -EINVAL;
	}
	/* RFC 4861 7.1.1: ICMP length (derived from the IP length) >= 24. */
	if (plen < HAVEN_ND_MIN_LEN) {
		haven_set_reason(err, errlen,
			"ICMP length %zu, below 24 (RFC 4861 7.1.1)", plen);
		return -EINVAL;
	}
	m = buf + HAVEN_IP6_HDR_LEN;
	memcpy(ns->src, buf + 8, 16);
	memcpy(ns->dst, buf + 24, 16);
	if (m[0] != HAVEN_ND_NS) {
		haven_set_reason(err, errlen, "ICMPv6 type %u, not 135", m[0]);
		return -EINVAL;
	}
	want = haven_icmp6_cksum(ns->src, ns->dst, m, plen);
	if (haven_get_be16(m + 2) != want) {
		haven_set_reason(err, errlen, "checksum 0x%04x, expected 0x%04x",
			haven_get_be16(m + 2), want);
		return -EINVAL;
	}
	if (m[1] != 0) {
		haven_set_reason(err, errlen, "ICMP code %u, not 0 (RFC 4861 7.1.1)",
			m[1]);
		return -EINVAL;
	}
	memcpy(ns->target, m + 8, 16);
	if (ns->target[0] == 0xff) {
		haven_set_reason(err, errlen,
			"target is a multicast address (RFC 4861 7.1.1)");
		return -EINVAL;
	}
	for (i = HAVEN_ND_MIN_LEN; i < plen; i += (size_t)m[i + 1] * 8) {
		if (i + 2 > plen || m[i + 1] == 0 ||
				i + (size_t)m[i + 1] * 8 > plen) {
			haven_set_reason(err, errlen,
				"option %u at offset %zu: zero length or overrun (RFC 4861 7.1.1)",
				m[i], i);
			return -EINVAL;
		}
		if (m[i] != HAVEN_ND_OPT_SLLA)
			continue;
		any_slla = true;
		if (m[i + 1] == 1 && !ns->has_slla) {	/* Ethernet */
			ns->has_slla = true;
			memcpy(ns->slla, m + i + 2, 6);
		}
	}
	ns->dad = is_unspecified(ns->src);
	if (ns->dad) {
		if (memcmp(ns->dst, solicited_prefix,
				sizeof(solicited_prefix)) != 0) {
			haven_set_reason(err, errlen,
				"unspecified source to a non solicited-node address (RFC 4861 7.1.1)");
			return -EINVAL;
		}
		if (any_slla) {
			haven_set_reason(err, errlen,
				"unspecified source with a source link-layer option (RFC 4861 7.1.1)");
			return -EINVAL;
		}
	}
	return 0;
}

bool
haven_nd_is_dad_probe(const struct haven_nd_ns_info *ns, const uint8_t *addr)
{
	if (ns == NULL || !ns->dad)
		return false;
	return addr == NULL || memcmp(ns->target, addr, 16) == 0;
}
