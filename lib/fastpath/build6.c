/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 packet builders shared by the control lcore and the workers: the
 * Neighbor Advertisement of proxy ND and DAD defence (RFC 4861 4.4,
 * RFC 6275 10.4.1), the Neighbor Solicitation of next-hop resolution and
 * of duplicate address detection (RFC 4861 4.3, RFC 4862 5.4.2), and the
 * Ethernet frame around an IPv6 packet the control lcore built (Binding
 * Acknowledgements). The ND bytes come from lib/mip6's pure builders;
 * this file puts them in an mbuf behind an Ethernet header.
 */

#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "haven_fastpath6.h"
#include "haven_nd.h"

/* Append an Ethernet header and len bytes; NULL when m has no room. */
static uint8_t *
eth_frame(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, uint16_t len)
{
	struct rte_ether_hdr *eth;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eth) + len);
	if (eth == NULL)
		return NULL;
	rte_ether_addr_copy(dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(src_mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(struct haven_ip6_hdr);
	return (uint8_t *)(eth + 1);
}

/*
 * Keep the n bytes an ND builder wrote into a HAVEN_ND_PKT_LEN frame
 * (without the link-layer option it is 8 bytes shorter), or empty m
 * again when it failed (n < 0, returned).
 */
static inline int
nd_fit(struct rte_mbuf *m, int n)
{
	if (n < 0) {
		rte_pktmbuf_reset(m);
		return n;
	}
	rte_pktmbuf_trim(m, HAVEN_ND_PKT_LEN - n);
	return 0;
}

int
haven_build_na(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, const uint8_t src[16],
		const uint8_t dst[16], const uint8_t target[16], uint8_t flags,
		const struct rte_ether_addr *tll)
{
	uint8_t *ip = eth_frame(m, src_mac, dst_mac, HAVEN_ND_PKT_LEN);

	if (ip == NULL)
		return -ENOSPC;
	return nd_fit(m, haven_nd_build_na(ip, HAVEN_ND_PKT_LEN, src, dst,
			target, flags, tll != NULL ? tll->addr_bytes : NULL));
}

int
haven_build_ns(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
		const uint8_t *src, const uint8_t target[16])
{
	static const uint8_t unspecified[16];
	struct rte_ether_addr dst_mac;
	uint8_t group[16], *ip;

	/* RFC 4861 7.2.2: to the target's solicited-node group. */
	haven_nd_solicited_node(target, group);
	haven_nd_mcast_mac(group, dst_mac.addr_bytes);
	ip = eth_frame(m, src_mac, &dst_mac, HAVEN_ND_PKT_LEN);
	if (ip == NULL)
		return -ENOSPC;
	return nd_fit(m, haven_nd_build_ns(ip, HAVEN_ND_PKT_LEN,
			src != NULL ? src : unspecified, group, target,
			src != NULL ? src_mac->addr_bytes : NULL));
}

int
haven_build_ns_unicast(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, const uint8_t src[16],
		const uint8_t target[16])
{
	uint8_t *ip;

	/* RFC 4861 7.3.3 PROBE: to the cached MAC and the target itself. */
	ip = eth_frame(m, src_mac, dst_mac, HAVEN_ND_PKT_LEN);
	if (ip == NULL)
		return -ENOSPC;
	return nd_fit(m, haven_nd_build_ns(ip, HAVEN_ND_PKT_LEN, src, target,
			target, src_mac->addr_bytes));
}

int
haven_build_ip6(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, const void *pkt,
		uint16_t len)
{
	uint8_t *ip;

	if (pkt == NULL || len < sizeof(struct haven_ip6_hdr))
		return -EINVAL;
	ip = eth_frame(m, src_mac, dst_mac, len);
	if (ip == NULL)
		return -ENOSPC;
	memcpy(ip, pkt, len);
	return 0;
}
