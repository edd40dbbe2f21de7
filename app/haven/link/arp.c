/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv4 wire of the link layer: ARP requests to resolve next hops,
 * gratuitous ARPs, and learning from every ARP packet the workers punt,
 * over the fast path's IPv4 neighbour table (lib/fastpath).
 */

#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "link.h"
#include "link_private.h"
#include "rt.h"

static int
arp_find(const struct haven_addr *nh)
{
	return haven_neigh_find(&haven_rt.fp, nh->v4);
}

static int
arp_get(const struct haven_addr *nh, uint8_t port)
{
	return haven_neigh_get(&haven_rt.fp, nh->v4, port);
}

static void
arp_update(int idx, const struct rte_ether_addr *mac)
{
	haven_neigh_update(&haven_rt.fp, idx, mac);
}

static uint8_t
arp_state(int idx)
{
	return haven_rt.fp.neigh[idx].state;
}

static uint8_t
arp_port(int idx)
{
	return haven_rt.fp.neigh[idx].port;
}

static const struct rte_ether_addr *
arp_mac(int idx)
{
	return &haven_rt.fp.neigh[idx].mac;
}

static void
arp_solicit(int idx)
{
	const struct haven_neigh *n = &haven_rt.fp.neigh[idx];
	const struct haven_fp_port *p = &haven_rt.fp.ports[n->port];
	struct rte_ether_addr bcast, zero;
	struct rte_mbuf *m = haven_rt_mbuf();

	if (m == NULL)
		return;
	memset(&bcast, 0xff, sizeof(bcast));
	memset(&zero, 0, sizeof(zero));
	haven_build_arp(m, RTE_ARP_OP_REQUEST, &p->mac, &bcast, &p->mac,
			p->addr, &zero, n->ip);
	haven_rt_tx(n->port, m);
}

/* A unicast ARP request to the MAC in service (a probe, RFC 1122 2.3.2.1). */
static void
arp_probe(int idx)
{
	const struct haven_neigh *n = &haven_rt.fp.neigh[idx];
	const struct haven_fp_port *p = &haven_rt.fp.ports[n->port];
	struct rte_ether_addr zero;
	struct rte_mbuf *m = haven_rt_mbuf();

	if (m == NULL)
		return;
	memset(&zero, 0, sizeof(zero));
	haven_build_arp(m, RTE_ARP_OP_REQUEST, &p->mac, &n->mac, &p->mac,
			p->addr, &zero, n->ip);
	haven_rt_tx(n->port, m);
}

static void
arp_remove(int idx)
{
	haven_neigh_delete(&haven_rt.fp, idx);
}

static void
arp_recycle(int idx)
{
	haven_neigh_recycle(&haven_rt.fp, idx);
}

static int
arp_route(const struct haven_addr *dst, struct haven_addr *nh,
		uint8_t *port)
{
	uint32_t gw;

	if (haven_route_lookup(&haven_rt.fp, dst->v4, &gw, port) != 0)
		return -ENETUNREACH;
	*nh = haven_addr4(gw);
	return 0;
}

static int
arp_frame_dst(const struct rte_mbuf *m, struct haven_addr *dst)
{
	const struct rte_ipv4_hdr *ip;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) +
			sizeof(*ip))
		return -EINVAL;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
			sizeof(struct rte_ether_hdr));
	*dst = haven_addr4(ip->dst_addr);
	return 0;
}

static void
arp_announce(const struct haven_addr *addr, const struct rte_ether_addr *mac)
{
	struct rte_mbuf *m = haven_rt_mbuf();

	if (m == NULL)
		return;
	haven_build_gratuitous_arp(m, mac, addr->v4);
	haven_rt_tx(haven_rt_home_port(), m);
}

struct link_family link_arp = {
	.family = HAVEN_AF_INET,
	.size = HAVEN_NEIGH_MAX,
	.find = arp_find,
	.get = arp_get,
	.update = arp_update,
	.state = arp_state,
	.port = arp_port,
	.mac = arp_mac,
	.solicit = arp_solicit,
	.probe = arp_probe,
	.remove = arp_remove,
	.recycle = arp_recycle,
	.route = arp_route,
	.frame_dst = arp_frame_dst,
	.announce = arp_announce,
};

/*
 * An ARP packet reached the control lcore: a claim of one of our
 * addresses is defended; otherwise the sender's MAC is learnt if it is a
 * next hop of ours.
 */
void
link_arp_input(struct rte_mbuf *m)
{
	const struct rte_arp_hdr *arp;
	struct haven_addr sip;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) +
			sizeof(struct rte_arp_hdr))
		goto out;
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *,
			sizeof(struct rte_ether_hdr));
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		goto out;
	if (arp->arp_data.arp_sip == 0)
		goto out;	/* a probe (RFC 5227): claims nothing */
	sip = haven_addr4(arp->arp_data.arp_sip);
	link_claimed(&link_arp, &sip, &arp->arp_data.arp_sha);
	link_learn(&link_arp, &sip, &arp->arp_data.arp_sha);
out:
	rte_pktmbuf_free(m);
}
