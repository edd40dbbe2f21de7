/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 wire of the link layer (RFC 4861, RFC 4862): Neighbor
 * Solicitations to resolve next hops, unsolicited Neighbor Advertisements
 * and duplicate address detection probes on the home link, and reading
 * every NS and NA the workers punt: neighbours are learnt, and an NA for
 * an address, or another node's DAD probe for it, is news for the
 * conflict hooks (duplicate address detection of home addresses).
 */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "haven_mip6.h"
#include "haven_nd.h"
#include "link.h"
#include "link_private.h"
#include "rt.h"

static int
nd_find(const struct haven_addr *nh)
{
	return haven_neigh6_find(haven_rt.fp6, nh->v6);
}

static int
nd_get(const struct haven_addr *nh, uint8_t port)
{
	return haven_neigh6_get(haven_rt.fp6, nh->v6, port);
}

static void
nd_update(int idx, const struct rte_ether_addr *mac)
{
	haven_neigh6_update(haven_rt.fp6, idx, mac);
}

static uint8_t
nd_state(int idx)
{
	return haven_rt.fp6->neigh[idx].state;
}

static uint8_t
nd_port(int idx)
{
	return haven_rt.fp6->neigh[idx].port;
}

static const struct rte_ether_addr *
nd_mac(int idx)
{
	return &haven_rt.fp6->neigh[idx].mac;
}

/* Our IPv6 source on port p: its address6, else the agent's. */
static const uint8_t *
port_src6(unsigned int p)
{
	const struct haven_fp6 *fp6 = haven_rt.fp6;

	return fp6->port_has_addr[p] ? fp6->port_addr[p] : fp6->ha_addr;
}

static void
nd_solicit(int idx)
{
	const struct haven_neigh6 *n = &haven_rt.fp6->neigh[idx];
	struct rte_mbuf *m = haven_rt_mbuf();

	if (m == NULL)
		return;
	haven_build_ns(m, haven_rt_port_mac(n->port), port_src6(n->port),
		n->ip);
	haven_rt_tx(n->port, m);
}

/* A unicast NS to the neighbour's address and MAC in service (a probe). */
static void
nd_probe(int idx)
{
	const struct haven_neigh6 *n = &haven_rt.fp6->neigh[idx];
	struct rte_mbuf *m = haven_rt_mbuf();

	if (m == NULL)
		return;
	if (haven_build_ns_unicast(m, haven_rt_port_mac(n->port), &n->mac,
			port_src6(n->port), n->ip) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	haven_rt_tx(n->port, m);
}

static void
nd_remove(int idx)
{
	haven_neigh6_delete(haven_rt.fp6, idx);
}

static void
nd_recycle(int idx)
{
	haven_neigh6_recycle(haven_rt.fp6, idx);
}

static int
nd_route(const struct haven_addr *dst, struct haven_addr *nh, uint8_t *port)
{
	uint8_t gw[16];

	if (haven_route6_lookup(&haven_rt.fp, dst->v6, gw, port) != 0)
		return -ENETUNREACH;
	*nh = haven_addr6(gw);
	return 0;
}

static int
nd_frame_dst(const struct rte_mbuf *m, struct haven_addr *dst)
{
	const struct haven_ip6_hdr *ip;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) +
			sizeof(*ip))
		return -EINVAL;
	ip = rte_pktmbuf_mtod_offset(m, const struct haven_ip6_hdr *,
			sizeof(struct rte_ether_hdr));
	*dst = haven_addr6(ip->dst);
	return 0;
}

/* An unsolicited NA to all-nodes: Override set, Solicited and Router
 * clear (RFC 6275 10.4.1), our MAC in the target link-layer option. */
static void
nd_announce(const struct haven_addr *addr, const struct rte_ether_addr *mac)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	unsigned int home = haven_rt_home_port();
	struct rte_ether_addr dst;
	struct rte_mbuf *m = haven_rt_mbuf();

	if (m == NULL)
		return;
	haven_nd_mcast_mac(all_nodes, dst.addr_bytes);
	haven_build_na(m, haven_rt_port_mac(home), &dst, port_src6(home),
		all_nodes, addr->v6, HAVEN_ND_NA_F_O, mac);
	haven_rt_tx(home, m);
}

struct link_family link_nd = {
	.family = HAVEN_AF_INET6,
	.size = HAVEN_NEIGH6_MAX,
	.find = nd_find,
	.get = nd_get,
	.update = nd_update,
	.state = nd_state,
	.port = nd_port,
	.mac = nd_mac,
	.solicit = nd_solicit,
	.probe = nd_probe,
	.remove = nd_remove,
	.recycle = nd_recycle,
	.route = nd_route,
	.frame_dst = nd_frame_dst,
	.announce = nd_announce,
};

void
haven_link_dad_probe(const struct haven_addr *addr)
{
	struct rte_mbuf *m;

	if (addr->family != HAVEN_AF_INET6 || !haven_rt_has_ip6())
		return;
	m = haven_rt_mbuf();
	if (m == NULL)
		return;
	/* The workers must punt an answer to this probe. */
	haven_fp6_dad_watch(haven_rt.fp6, addr->v6);
	haven_build_ns(m, haven_rt_port_mac(haven_rt_home_port()), NULL,
		addr->v6);
	haven_rt_tx(haven_rt_home_port(), m);
}

/* ---------------------------------------------------------------------
 * Input
 */

/*
 * Validate a Neighbor Advertisement directly after the IPv6 header (RFC
 * 4861 7.1.2): hop limit 255, checksum, code 0, length >= 24, target not
 * multicast, S clear toward a multicast destination, options of non-zero
 * length inside the packet. Fills the target and its link-layer option.
 */
static int
parse_na(const uint8_t *buf, size_t len, uint8_t target[16],
		bool *has_tlla, struct rte_ether_addr *tlla)
{
	const struct haven_ip6_hdr *ip = (const struct haven_ip6_hdr *)buf;
	const struct haven_nd_na *na;
	size_t plen, off;

	if (len < sizeof(*ip) + HAVEN_ND_MIN_LEN)
		return -EINVAL;
	plen = rte_be_to_cpu_16(ip->payload_len);
	if (ip->proto != HAVEN_IPPROTO_ICMPV6 ||
	    ip->hop_limit != HAVEN_ND_HOP_LIMIT ||
	    plen < HAVEN_ND_MIN_LEN || sizeof(*ip) + plen > len)
		return -EINVAL;
	na = (const struct haven_nd_na *)(buf + sizeof(*ip));
	if (na->type != HAVEN_ND_NA || na->code != 0 ||
	    na->target[0] == 0xff ||
	    (ip->dst[0] == 0xff && (na->flags & HAVEN_ND_NA_F_S)))
		return -EINVAL;
	if (haven_icmp6_cksum(ip->src, ip->dst, (const uint8_t *)na, plen) !=
	    rte_be_to_cpu_16(na->cksum))
		return -EINVAL;
	memcpy(target, na->target, 16);
	*has_tlla = false;
	for (off = sizeof(*na); off + 2 <= plen; ) {
		const uint8_t *o = (const uint8_t *)na + off;
		size_t olen = (size_t)o[1] * 8;

		if (olen == 0 || off + olen > plen)
			return -EINVAL;
		if (o[0] == HAVEN_ND_OPT_TLLA && olen >= 8) {
			*has_tlla = true;
			memcpy(tlla, o + 2, RTE_ETHER_ADDR_LEN);
		}
		off += olen;
	}
	return 0;
}

static bool
from_us(const struct rte_ether_hdr *eth)
{
	unsigned int i;

	for (i = 0; i < haven_rt.fp.n_ports; i++)
		if (rte_is_same_ether_addr(&eth->src_addr,
				haven_rt_port_mac(i)))
			return true;
	return false;
}

void
link_nd_input(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	struct haven_addr a;
	const uint8_t *ip;
	size_t len;

	if (!haven_rt_has_ip6() || rte_pktmbuf_linearize(m) != 0 ||
	    rte_pktmbuf_data_len(m) < sizeof(*eth) +
			sizeof(struct haven_ip6_hdr) + HAVEN_ND_MIN_LEN)
		goto out;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (from_us(eth))
		goto out;	/* our own probe or advertisement, looped */
	ip = (const uint8_t *)(eth + 1);
	len = rte_pktmbuf_data_len(m) - sizeof(*eth);
	if (ip[sizeof(struct haven_ip6_hdr)] == HAVEN_ND_NS) {
		struct haven_nd_ns_info ns;
		struct rte_ether_addr mac;

		if (haven_nd_parse_ns(ip, len, &ns, NULL, 0) != 0)
			goto out;
		if (ns.dad) {
			/* RFC 4862 5.4.3: someone else probes it too. */
			a = haven_addr6(ns.target);
			link_conflict(&a);
		} else if (ns.has_slla) {
			memcpy(&mac, ns.slla, sizeof(mac));
			a = haven_addr6(ns.src);
			link_learn(&link_nd, &a, &mac);
		}
	} else if (ip[sizeof(struct haven_ip6_hdr)] == HAVEN_ND_NA) {
		uint8_t target[16];
		struct rte_ether_addr tlla;
		bool has_tlla;

		if (parse_na(ip, len, target, &has_tlla, &tlla) != 0)
			goto out;
		a = haven_addr6(target);
		/* RFC 4862 5.4.4: an NA for a tentative address: in use. */
		link_conflict(&a);
		link_claimed(&link_nd, &a, has_tlla ? &tlla : &eth->src_addr);
		link_learn(&link_nd, &a, has_tlla ? &tlla : &eth->src_addr);
	}
out:
	rte_pktmbuf_free(m);
}
