/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 per-packet path of the workers (haven_fastpath6.h): proxy
 * Neighbor Discovery and DAD defence for the home addresses of away
 * mobile nodes (RFC 6275 10.4.1), IPv6-in-IPv6 toward their care-of
 * addresses with the home agent as outer source (RFC 2473, claim 5 of
 * EP 1134991), the ICMPv6 errors a tunnel entry point owes (Time
 * Exceeded, Packet Too Big), reverse-tunnel decapsulation, echo replies,
 * and punts of everything the control lcore must see (the Mobility
 * Header, Neighbor Advertisements of concern, DAD probes, packets whose
 * next hop is unresolved).
 *
 * worker.c classifies Ethernet type 0x86DD here when fp->fp6 is set and
 * calls fp6_input() once per packet in its second pass; output goes back
 * through worker.c's burst (TX buffers, the punt ring), see
 * fastpath6_private.h. Header bytes come from lib/mip6's pure builders
 * and checks. A packet to forward has its destination's cell found and
 * prefetched in worker.c's pass 1 (fp6_classify()); in pass 2 a cell
 * with an inline tunnel (one care-of address) is counted in this
 * worker's lane and encapsulated without reading the binding's record,
 * anything else reads the record.
 *
 * No locks, no allocation but mbufs, no system call, no logging: every
 * outcome is a counter in w->stats.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "haven_binding_worker.h"
#include "haven_fastpath.h"
#include "haven_fastpath6.h"
#include "haven_mip6.h"
#include "haven_nd.h"
#include "fastpath_private.h"
#include "fastpath6_private.h"
#include "encap_private.h"

#define ETH_HLEN ((unsigned int)sizeof(struct rte_ether_hdr))
#define IP6_HLEN HAVEN_IP6_HDR_LEN
#define ICMP6_ECHO_REQUEST 128		/* RFC 4443 4.1 */
#define ICMP6_ECHO_REPLY 129		/* RFC 4443 4.2 */
#define ICMP6_HLEN 8			/* type, code, checksum, id, seq */
#define LOCAL_HOP_LIMIT 64		/* hop limit of packets we originate */

/* ff02::1, all nodes (RFC 4291 2.7.1), and its MAC (RFC 2464 7). */
static const uint8_t all_nodes[16] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
};
static const struct rte_ether_addr all_nodes_mac = {
	.addr_bytes = { 0x33, 0x33, 0, 0, 0, 0x01 },
};

/* What one packet's handling needs. */
struct fp6_pkt {
	struct fp_burst *b;
	struct haven_worker *w;
	const struct haven_fp *fp;
	const struct haven_fp6 *fp6;
	unsigned int port;		/* input port index */
	uint32_t lane_off;		/* this worker's lane in a cell */
	struct fp_fast6 *f6;		/* the burst's common case */
};

static inline void
drop6(struct fp6_pkt *c, struct rte_mbuf *m, enum haven_drop reason)
{
	c->w->stats.drops[reason]++;
	rte_pktmbuf_free(m);
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline const struct haven_binding6 *
lookup6(const struct fp6_pkt *c, const uint8_t *home_addr)
{
	if (unlikely(c->fp6->bindings == NULL))
		return NULL;
	return haven_binding6_lookup(c->fp6->bindings, home_addr);
}

/* The cell of a home address, or NULL. */
static inline struct haven_binding_cell6 *
cell6_of(const struct haven_fp6 *fp6, const uint8_t *home_addr)
{
	if (unlikely(fp6->bindings == NULL))
		return NULL;
	return haven_binding_find6(haven_binding_view6(fp6->bindings),
			home_addr);
}

static inline bool
is_agent6(const struct fp6_pkt *c, const uint8_t *a)
{
	const struct haven_fp6 *fp6 = c->fp6;
	unsigned int i;

	if (fp_ip6_eq(a, fp6->ha_addr) && !fp_ip6_is_zero(a))
		return !c->fp->ha_standby;
	for (i = 0; i < c->fp->n_ports && i < HAVEN_MAX_PORTS; i++)
		if (fp6->port_has_addr[i] && fp_ip6_eq(a, fp6->port_addr[i]))
			return true;
	return false;
}

/* The address the agent speaks from on a port: its address6, else the
 * home agent address. */
static inline const uint8_t *
own_src(const struct fp6_pkt *c, unsigned int port)
{
	return c->fp6->port_has_addr[port] ? c->fp6->port_addr[port] :
		c->fp6->ha_addr;
}

/*
 * m, emptied for a packet we build from scratch: reset in place when it
 * is a plain single-segment mbuf, else a fresh one (m is freed). NULL
 * when the pool is empty.
 */
static struct rte_mbuf *
recycle(struct fp6_pkt *c, struct rte_mbuf *m)
{
	struct rte_mbuf *n;

	if (likely(m->nb_segs == 1 && RTE_MBUF_DIRECT(m) &&
		   rte_mbuf_refcnt_read(m) == 1)) {
		rte_pktmbuf_reset(m);
		return m;
	}
	n = rte_pktmbuf_alloc(c->fp->pool);
	rte_pktmbuf_free(m);
	return n;
}

/*
 * Send a frame whose IPv6 part is ready out of port index out: Ethernet
 * source the port, destination the neighbour's MAC, or the control lcore
 * resolves it (HAVEN_PUNT_RESOLVE, see haven_fastpath6.h).
 */
static inline void
send6(struct fp6_pkt *c, struct rte_mbuf *m, unsigned int out, uint32_t neigh)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(haven_fp_port_mac(&c->fp->ports[out]),
			&eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	if (likely(neigh < HAVEN_NEIGH6_MAX &&
		   fp_neigh6_mac(&c->fp6->neigh[neigh], &eth->dst_addr)))
		fp_burst_tx(c->b, out, m);
	else
		fp_burst_punt_resolve(c->b, m, out,
				neigh < HAVEN_NEIGH6_MAX ? neigh :
				HAVEN_PUNT_NEIGH_NONE);
}

/* ------------------------------------------------------------------ */
/* ICMPv6 errors                                                       */
/* ------------------------------------------------------------------ */

/*
 * An ICMPv6 error about the packet at ip (len contiguous bytes) back to
 * its source through the previous hop (the frame's Ethernet source) on
 * the input port, in a new mbuf. RFC 4443 2.4 (e) cases send nothing,
 * and none beyond the worker's rate limit (fp_icmp_allow()).
 */
static void
icmp6_error(struct fp6_pkt *c, const struct rte_mbuf *m, const uint8_t *ip,
		size_t len, uint8_t type, uint32_t mtu)
{
	const struct rte_ether_hdr *in_eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *src = own_src(c, c->port);
	struct rte_ether_hdr *eth;
	struct rte_mbuf *e;
	size_t room;
	int n;

	/* RFC 4443 2.4 (e): not about a link-layer multicast, nor from a
	 * source that names no single host (the builders check the rest);
	 * 2.4 (f): the worker's rate limit. */
	if (fp_ip6_is_zero(src) || fp_ip6_is_zero(ip + 8) ||
	    fp_ip6_is_multicast(ip + 8) ||
	    (rte_is_multicast_ether_addr(&in_eth->dst_addr) &&
	     type != HAVEN_ICMP6_PKT_TOO_BIG) || !fp_icmp_allow(c->w))
		return;
	e = rte_pktmbuf_alloc(c->fp->pool);
	if (unlikely(e == NULL)) {
		c->w->stats.drops[HAVEN_DROP_NO_MBUF]++;
		return;
	}
	room = rte_pktmbuf_tailroom(e);
	if (room <= ETH_HLEN) {
		rte_pktmbuf_free(e);
		c->w->stats.drops[HAVEN_DROP_NO_MBUF]++;
		return;
	}
	eth = rte_pktmbuf_mtod(e, struct rte_ether_hdr *);
	if (type == HAVEN_ICMP6_TIME_EXCEEDED)
		n = haven_icmp6_build_time_exceeded((uint8_t *)(eth + 1),
				room - ETH_HLEN, src, ip, len);
	else
		n = haven_icmp6_build_pkt_too_big((uint8_t *)(eth + 1),
				room - ETH_HLEN, src, mtu, ip, len);
	if (n <= 0) {
		rte_pktmbuf_free(e);
		return;
	}
	rte_pktmbuf_append(e, ETH_HLEN + (uint16_t)n);
	rte_ether_addr_copy(&in_eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(haven_fp_port_mac(&c->fp->ports[c->port]),
			&eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	fp_burst_tx(c->b, c->port, e);
}

/* ------------------------------------------------------------------ */
/* Neighbor Discovery                                                  */
/* ------------------------------------------------------------------ */

/*
 * Give the control lcore a copy of an NS from a known neighbour whose
 * link-layer address changed (arp_learn() of worker.c for IPv6).
 */
static void
ns_learn(struct fp6_pkt *c, struct rte_mbuf *m,
		const struct haven_nd_ns_info *ns)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct rte_ether_addr cur, mac;
	struct rte_mbuf *copy;
	int idx;

	idx = fp_neigh6_lookup(c->fp6->neigh, ns->src);
	if (idx < 0)
		return;
	if (ns->has_slla)
		memcpy(mac.addr_bytes, ns->slla, RTE_ETHER_ADDR_LEN);
	else
		rte_ether_addr_copy(&eth->src_addr, &mac);
	if (fp_neigh6_mac(&c->fp6->neigh[idx], &cur) &&
	    rte_is_same_ether_addr(&cur, &mac))
		return;
	copy = rte_pktmbuf_copy(m, c->fp->pool, 0, UINT32_MAX);
	if (copy == NULL) {
		c->w->stats.drops[HAVEN_DROP_NO_MBUF]++;
		return;
	}
	fp_burst_punt_control(c->b, copy);
}

/*
 * Answer a solicitation for target in m's place (RFC 4861 7.2.4): to its
 * source with S set, or, for a DAD probe, to all nodes with S clear; O
 * set (RFC 6275 10.4.1 for the proxy case); the port's MAC as target
 * link-layer address.
 */
static void
na_reply(struct fp6_pkt *c, struct rte_mbuf *m,
		const struct haven_nd_ns_info *ns, const uint8_t *src,
		const struct rte_ether_addr *port_mac)
{
	struct rte_ether_addr dst_mac;
	uint8_t flags = HAVEN_ND_NA_F_O;
	const uint8_t *dst;

	if (ns->dad) {
		dst = all_nodes;
		rte_ether_addr_copy(&all_nodes_mac, &dst_mac);
	} else {
		dst = ns->src;
		flags |= HAVEN_ND_NA_F_S;
		rte_ether_addr_copy(&rte_pktmbuf_mtod(m,
				struct rte_ether_hdr *)->src_addr, &dst_mac);
	}
	m = recycle(c, m);
	if (unlikely(m == NULL)) {
		c->w->stats.drops[HAVEN_DROP_NO_MBUF]++;
		return;
	}
	if (haven_build_na(m, port_mac, &dst_mac, src, dst, ns->target, flags,
			port_mac) != 0) {
		drop6(c, m, HAVEN_DROP_NO_MBUF);
		return;
	}
	fp_burst_tx(c->b, c->port, m);
}

/*
 * A Neighbor Solicitation (any destination). Answered for the agent's
 * own address on this port or the home agent address, and, on the home
 * link, for the home address of a binding intercepted by this agent
 * (proxy NA; a DAD probe for it is defended). Otherwise the control
 * lcore sees DAD probes (a home address under duplicate address
 * detection), solicitations about our addresses or bound home addresses,
 * and those from known neighbours; the rest is not for us.
 */
static void
nd_ns(struct fp6_pkt *c, struct rte_mbuf *m, const uint8_t *ip, size_t len)
{
	const struct haven_fp6 *fp6 = c->fp6;
	const struct haven_binding6 *bnd;
	struct haven_nd_ns_info ns;
	bool own;

	if (haven_nd_parse_ns(ip, len, &ns, NULL, 0) != 0) {
		drop6(c, m, HAVEN_DROP_MALFORMED);
		return;
	}
	own = fp6->port_has_addr[c->port] &&
		fp_ip6_eq(ns.target, fp6->port_addr[c->port]);
	if (own || (!fp_ip6_is_zero(fp6->ha_addr) && !c->fp->ha_standby &&
		    fp_ip6_eq(ns.target, fp6->ha_addr))) {
		const struct haven_fp_port *p = &c->fp->ports[c->port];

		if (!ns.dad)
			ns_learn(c, m, &ns);
		/* The port's own address: its own MAC (a pair's own). */
		na_reply(c, m, &ns, ns.target, own &&
			!fp_ip6_eq(ns.target, fp6->ha_addr) ? &p->mac :
			haven_fp_port_mac(p));
		return;
	}
	bnd = lookup6(c, ns.target);
	if (bnd != NULL && (bnd->flags & HAVEN_BINDING_F_INTERCEPT) &&
	    bnd->forwarder == HAVEN_FORWARDER_SELF &&
	    c->port == c->fp->home_port) {
		if (!ns.dad)
			ns_learn(c, m, &ns);
		c->w->stats.proxy_nd++;
		na_reply(c, m, &ns, own_src(c, c->port),
			haven_fp_port_mac(&c->fp->ports[c->port]));
		return;
	}
	if (ns.dad || bnd != NULL || is_agent6(c, ns.target) ||
	    fp_neigh6_lookup(fp6->neigh, ns.src) >= 0)
		fp_burst_punt_control(c->b, m);
	else
		drop6(c, m, HAVEN_DROP_NOT_FOR_US);
}

/*
 * A Neighbor Advertisement (any destination). The control lcore learns
 * next hops from it, fails a duplicate address detection with it and
 * defends the agent's own and its bound home addresses against it
 * (RFC 4862 5.4.4, RFC 5227 2.4 in spirit): it gets those whose target
 * is the agent's, a neighbour (resolving or known), a home address bound
 * here and forwarded by this agent, or an address under DAD. The rest,
 * the unsolicited announcements of every other host of a busy link and
 * those of the secondaries for the bindings they forward (the control
 * lcore leaves those to them: node_intercepts()), are dropped here, as
 * the control lcore would drop them, before they fill the punt ring.
 */
static void
nd_na(struct fp6_pkt *c, struct rte_mbuf *m, const uint8_t *ip, size_t len)
{
	const struct haven_fp6 *fp6 = c->fp6;
	const struct haven_binding6 *bnd;
	const uint8_t *target;
	unsigned int i;

	if (len < IP6_HLEN + sizeof(struct haven_nd_na)) {
		drop6(c, m, HAVEN_DROP_MALFORMED);
		return;
	}
	target = ip + IP6_HLEN + offsetof(struct haven_nd_na, target);
	if (fp_ip6_eq(target, fp6->ha_addr))
		goto punt;	/* even on a standby: the pair's address */
	for (i = 0; i < c->fp->n_ports && i < HAVEN_MAX_PORTS; i++)
		if (fp6->port_has_addr[i] && fp_ip6_eq(target,
				fp6->port_addr[i]))
			goto punt;
	if (fp_neigh6_lookup(fp6->neigh, target) >= 0 ||
	    fp_dad6_watched(fp6, target))
		goto punt;
	bnd = lookup6(c, target);
	if (bnd != NULL && bnd->forwarder == HAVEN_FORWARDER_SELF)
		goto punt;
	drop6(c, m, HAVEN_DROP_NA_UNSOLICITED);
	return;
punt:
	fp_burst_punt_control(c->b, m);
}

/* ------------------------------------------------------------------ */
/* To the agent: echo, reverse tunnel, punts                           */
/* ------------------------------------------------------------------ */

/* Echo reply in place (RFC 4443 4.2): swap addresses, type 129. */
static void
echo6(struct fp6_pkt *c, struct rte_mbuf *m, uint8_t *ip)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint8_t *icmp = ip + IP6_HLEN, tmp[16];

	/* Swapping the addresses leaves the pseudo-header sum as it was. */
	memcpy(tmp, ip + 8, 16);
	memcpy(ip + 8, ip + 24, 16);
	memcpy(ip + 24, tmp, 16);
	ip[7] = LOCAL_HOP_LIMIT;
	icmp[0] = ICMP6_ECHO_REPLY;
	fp_put16(icmp + 2, fp_cksum_adjust(get16(icmp + 2),
			ICMP6_ECHO_REQUEST << 8 | icmp[1],
			ICMP6_ECHO_REPLY << 8 | icmp[1]));
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(haven_fp_port_mac(&c->fp->ports[c->port]),
			&eth->src_addr);
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	c->w->stats.icmp_echo++;
	fp_burst_tx(c->b, c->port, m);
}

static inline bool
is_care_of6(const struct haven_binding6 *bnd, const uint8_t *a)
{
	unsigned int i;

	for (i = 0; i < bnd->n_coa; i++)
		if (fp_ip6_eq(bnd->coa[i].addr, a))
			return true;
	return false;
}

/*
 * A reverse-tunnelled packet (RFC 6275 10.4.5, RFC 2473): the inner
 * source's binding must allow reverse tunnelling and hold the outer
 * source as a care-of address; the inner packet is forwarded (hop limit
 * decremented) toward its destination.
 */
static void
decap6(struct fp6_pkt *c, struct rte_mbuf *m, const uint8_t *ip,
		size_t off, size_t ilen)
{
	const struct haven_binding6 *bnd;
	struct haven_binding_counters *cnt;
	uint8_t *inner = (uint8_t *)(uintptr_t)ip + off, nh[16], out;
	int neigh;

	bnd = lookup6(c, inner + 8);
	if (bnd == NULL) {
		drop6(c, m, HAVEN_DROP_REVTUN_NO_BINDING);
		return;
	}
	if (!(bnd->flags & HAVEN_BINDING_F_REVERSE_TUNNEL)) {
		drop6(c, m, HAVEN_DROP_REVTUN_NOT_ALLOWED);
		return;
	}
	if (!is_care_of6(bnd, ip + 8)) {
		drop6(c, m, HAVEN_DROP_REVTUN_BAD_SOURCE);
		return;
	}
	if (inner[7] <= 1) {
		drop6(c, m, HAVEN_DROP_TTL_EXPIRED);
		return;
	}
	if (haven_route6_lookup(c->fp, inner + 24, nh, &out) != 0 ||
	    out >= c->fp->n_ports) {
		drop6(c, m, HAVEN_DROP_NO_ROUTE);
		return;
	}
	inner[7]--;

	/* Strip Ethernet and the outer headers, then any trailing bytes. */
	rte_pktmbuf_adj(m, ETH_HLEN + off);
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - ilen);
	rte_pktmbuf_prepend(m, ETH_HLEN);

	if (c->w->counters6 != NULL) {
		cnt = &c->w->counters6[bnd->slot];
		cnt->rev_pkts++;
		cnt->rev_bytes += ilen;
	}
	c->w->stats.decap_pkts++;
	neigh = fp_neigh6_lookup(c->fp6->neigh, nh);
	send6(c, m, out, neigh < 0 ? HAVEN_PUNT_NEIGH_NONE : (uint32_t)neigh);
}

static inline bool
is_ext_header(uint8_t nh)
{
	return nh == HAVEN_IPPROTO_HOPOPTS || nh == HAVEN_IPPROTO_DSTOPTS ||
		nh == HAVEN_IPPROTO_ROUTING || nh == HAVEN_IPPROTO_AH;
}

/*
 * A Binding Update to the agent (RFC 6275 6.1.7), alone or after a
 * Destination Options header: its home address in *hoa, from the Home
 * Address option (6.3) or, without one (from home), the source.
 */
static bool
is_binding_update(const uint8_t *ip, size_t len, const uint8_t **hoa)
{
	size_t off = IP6_HLEN, end, o;
	uint8_t nh = ip[6];

	*hoa = ip + 8;
	if (nh == HAVEN_IPPROTO_DSTOPTS) {
		if (len < off + 8)
			return false;
		end = off + 8 + (size_t)ip[off + 1] * 8;
		if (len < end)
			return false;
		for (o = off + 2; o < end; ) {
			if (ip[o] == 0) {		/* Pad1 */
				o++;
				continue;
			}
			if (o + 2 > end || o + 2 + ip[o + 1] > end)
				return false;
			if (ip[o] == HAVEN_MIP6_HAO_TYPE &&
			    ip[o + 1] == HAVEN_MIP6_HAO_LEN)
				*hoa = ip + o + 2;
			o += 2 + ip[o + 1];
		}
		nh = ip[off];
		off = end;
	}
	return nh == HAVEN_IPPROTO_MH && len >= off + 6 &&
		ip[off + 2] == HAVEN_MIP6_MH_BU;
}

/*
 * A Binding Update through the registration guard: the bound lane when
 * its home address is bound with the update's source as care-of address.
 */
static void
binding_update6(struct fp6_pkt *c, struct rte_mbuf *m, const uint8_t *ip,
		const uint8_t *hoa)
{
	const struct haven_binding6 *bnd = lookup6(c, hoa);
	bool bound = false;
	unsigned int i;

	if (bnd != NULL)
		for (i = 0; i < bnd->n_coa && i < HAVEN_BINDING_MAX_COA; i++)
			bound |= memcmp(bnd->coa[i].addr, ip + 8, 16) == 0;
	fp_burst_punt_reg(c->b, m, bound, ip + 8, 16);
}

/*
 * An IPv6 packet to one of the agent's addresses (Neighbor Discovery is
 * handled before): echo requests answered, IPv6-in-IPv6 decapsulated
 * (directly or after extension headers), the rest punted: the Mobility
 * Header, possibly after a Destination Options header with the Home
 * Address option, fragments, other ICMPv6, anything else.
 */
static void
local6(struct fp6_pkt *c, struct rte_mbuf *m, uint8_t *ip, size_t len)
{
	const uint8_t *hoa;
	size_t off, ilen;
	uint8_t nh = ip[6];

	if (nh == HAVEN_IPPROTO_ICMPV6) {
		if (len >= IP6_HLEN + ICMP6_HLEN &&
		    ip[IP6_HLEN] == ICMP6_ECHO_REQUEST && ip[IP6_HLEN + 1] == 0)
			echo6(c, m, ip);
		else
			fp_burst_punt_control(c->b, m);
		return;
	}
	if (nh == HAVEN_IPPROTO_IPV6 || is_ext_header(nh)) {
		if (haven_ip6ip6_decap_check(ip, len, NULL, NULL, &off, &ilen,
				NULL, 0) == 0) {
			decap6(c, m, ip, off, ilen);
			return;
		}
		if (nh == HAVEN_IPPROTO_IPV6) {
			drop6(c, m, HAVEN_DROP_MALFORMED);
			return;
		}
	}
	if (is_binding_update(ip, len, &hoa)) {
		binding_update6(c, m, ip, hoa);
		return;
	}
	fp_burst_punt_control(c->b, m);
}

/* ------------------------------------------------------------------ */
/* Toward the care-of addresses                                        */
/* ------------------------------------------------------------------ */

/* Tunnel one copy of the packet in m (len bytes of IPv6) to one CoA. */
static void
encap6_one(struct fp6_pkt *c, struct rte_mbuf *m,
		const struct haven_binding6 *bnd,
		const struct haven_binding6_coa *coa, size_t len)
{
	const uint8_t *src = fp_ip6_is_zero(bnd->outer_src) ?
		c->fp6->ha_addr : bnd->outer_src;
	uint8_t *p;
	int out;

	out = fp_port_index(c->fp, coa->port);
	if (unlikely(out < 0)) {
		drop6(c, m, HAVEN_DROP_NO_ROUTE);
		return;
	}
	p = (uint8_t *)rte_pktmbuf_prepend(m, IP6_HLEN);
	if (unlikely(p == NULL)) {
		drop6(c, m, HAVEN_DROP_NO_MBUF);
		return;
	}
	/*
	 * The old Ethernet header is now at p + 40, just in front of the
	 * inner packet: the new one and the outer header overwrite it.
	 * RFC 2473 3 / RFC 6275 9.4: outer source the home agent (claim 5),
	 * destination the care-of address, next header 41.
	 */
	haven_ip6ip6_build_outer(p + ETH_HLEN, src, coa->addr, len,
			HAVEN_OUTER_TTL);
	c->w->stats.encap_pkts++;
	send6(c, m, (unsigned int)out, coa->neigh);
}

/* The smallest MTU among the ports of a binding's care-of addresses. */
static inline unsigned int
tunnel_mtu(const struct fp6_pkt *c, const struct haven_binding6 *bnd)
{
	unsigned int i, mtu = UINT16_MAX + 1;
	int out;

	for (i = 0; i < bnd->n_coa; i++) {
		out = fp_port_index(c->fp, bnd->coa[i].port);
		if (out >= 0)
			mtu = RTE_MIN(mtu, c->fp->ports[out].mtu != 0 ?
				(unsigned int)c->fp->ports[out].mtu :
				(unsigned int)RTE_ETHER_MTU);
	}
	return mtu;
}

/*
 * A packet for a home address: tunnelled to every care-of address of an
 * intercepted binding (whoever forwards it now: stale neighbour caches
 * still send here after a delegation, as for IPv4). RFC 2473 3.1: the
 * inner hop limit is decremented, Time Exceeded when it runs out; 7.1:
 * Packet Too Big with the tunnel MTU when the tunnel packet would not
 * fit (no fragmentation of the outer packet). cell is the destination's
 * cell when pass 1 found it.
 */
static void
encap6(struct fp6_pkt *c, struct rte_mbuf *m, uint8_t *ip, size_t len,
		struct haven_binding_cell6 *cell)
{
	const struct haven_binding6 *bnd = NULL;
	struct haven_binding_lane *lane;
	struct haven_binding_tun tun;
	unsigned int i, mtu;
	uint8_t coa[16];
	int out;

	/* Pass 1's cell is a hint: a fallback candidate may be another's. */
	if (cell == NULL || unlikely(!fp_ip6_eq(cell->key, ip + 24)))
		cell = cell6_of(c->fp6, ip + 24);
	/* An inline tunnel: intercepted, one care-of address. */
	if (cell != NULL && c->f6->v != NULL) {
		out = fast6_encap(c->f6, m, cell);
		if (out >= 0) {
			fp_burst_tx(c->b, (unsigned int)out, m);
			return;
		}
	}
	if (cell != NULL)
		haven_binding_cell6_read(cell, &tun, coa);
	else
		memset(&tun, 0, sizeof(tun));	/* rec 0, kind SLOW */
	if (tun.rec != 0)
		bnd = haven_binding_rec(haven_binding_view6(c->fp6->bindings),
				tun.rec);
	if (bnd == NULL || !(bnd->flags & HAVEN_BINDING_F_INTERCEPT) ||
	    bnd->n_coa == 0) {
		drop6(c, m, HAVEN_DROP_NO_BINDING);
		return;
	}
	if (ip[7] <= 1) {
		icmp6_error(c, m, ip, len, HAVEN_ICMP6_TIME_EXCEEDED, 0);
		drop6(c, m, HAVEN_DROP_TTL_EXPIRED);
		return;
	}
	mtu = tunnel_mtu(c, bnd);
	if (unlikely(len + IP6_HLEN > mtu)) {
		if (mtu > IP6_HLEN)
			icmp6_error(c, m, ip, len, HAVEN_ICMP6_PKT_TOO_BIG,
					mtu - IP6_HLEN);
		drop6(c, m, HAVEN_DROP_TOO_BIG);
		return;
	}
	haven_ip6ip6_prepare_inner(ip, len);
	lane = haven_binding_lane(cell, c->lane_off);
	lane->pkts++;
	lane->bytes += len;

	/* One copy per care-of address, the original to the last one. */
	for (i = 0; i + 1 < bnd->n_coa; i++) {
		struct rte_mbuf *copy = rte_pktmbuf_copy(m, c->fp->pool, 0,
				UINT32_MAX);

		if (unlikely(copy == NULL)) {
			c->w->stats.drops[HAVEN_DROP_NO_MBUF]++;
			continue;
		}
		encap6_one(c, copy, bnd, &bnd->coa[i], len);
	}
	encap6_one(c, m, bnd, &bnd->coa[bnd->n_coa - 1], len);
}

/* ------------------------------------------------------------------ */
/* Entry                                                               */
/* ------------------------------------------------------------------ */

void *
fp6_classify(const struct haven_fp *fp, struct rte_mbuf *m, bool *fallback)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
			ETH_HLEN);
	struct haven_binding_cell6 *cell;
	const struct haven_binding_view *v;

	if (unlikely(rte_pktmbuf_data_len(m) < ETH_HLEN + IP6_HLEN ||
		     fp->fp6->bindings == NULL || ip[0] >> 4 != 6 ||
		     fp_ip6_is_multicast(ip + 24) ||
		     (ip[6] == HAVEN_IPPROTO_ICMPV6 &&
		      rte_pktmbuf_data_len(m) > ETH_HLEN + IP6_HLEN &&
		      (ip[IP6_HLEN] == HAVEN_ND_NS ||
		       ip[IP6_HLEN] == HAVEN_ND_NA))))
		return NULL;
	v = haven_binding_view6(fp->fp6->bindings);
	cell = haven_binding_direct6(v, ip + 24);
	if (likely(cell != NULL)) {
		rte_prefetch0_write(cell);
		/* The outer header will go in front: bring that line in. */
		rte_prefetch0_write(ip - IP6_HLEN - ETH_HLEN);
		return cell;
	}
	haven_binding_fb_prefetch6(v, ip + 24);
	*fallback = true;
	return NULL;
}

void *
fp6_fallback(const struct haven_fp *fp, struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
			ETH_HLEN);
	struct haven_binding_cell6 *cell;

	cell = haven_binding_fb_candidate6(
			haven_binding_view6(fp->fp6->bindings), ip + 24);
	if (cell != NULL) {
		rte_prefetch0_write(cell);
		rte_prefetch0_write(ip - IP6_HLEN - ETH_HLEN);
	}
	return cell;
}

void
fp6_input(struct fp_burst *b, struct haven_worker *w, unsigned int port,
		struct rte_mbuf *m, void *cell, struct fp_fast6 *f6)
{
	struct fp6_pkt c = {
		.b = b, .w = w, .fp = w->fp, .fp6 = w->fp->fp6, .port = port,
		.lane_off = haven_binding_lane_off6(w->id), .f6 = f6,
	};
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint8_t *ip = (uint8_t *)(uintptr_t)(eth + 1);
	size_t len = rte_pktmbuf_data_len(m) - ETH_HLEN, total;

	/* classify() checked the Ethernet header's length. */
	if (len < IP6_HLEN || ip[0] >> 4 != 6) {
		drop6(&c, m, HAVEN_DROP_MALFORMED);
		return;
	}
	total = IP6_HLEN + get16(ip + 4);
	if (total > len || fp_ip6_is_multicast(ip + 8)) {
		drop6(&c, m, HAVEN_DROP_MALFORMED);
		return;
	}
	/* Drop Ethernet padding: it must not travel inside a tunnel. */
	if (rte_pktmbuf_pkt_len(m) - ETH_HLEN > total)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - ETH_HLEN - total);
	len = total;

	/* Neighbor Discovery, whatever the destination (NUD is unicast). */
	if (ip[6] == HAVEN_IPPROTO_ICMPV6 && len > IP6_HLEN) {
		if (ip[IP6_HLEN] == HAVEN_ND_NS) {
			nd_ns(&c, m, ip, len);
			return;
		}
		if (ip[IP6_HLEN] == HAVEN_ND_NA) {
			nd_na(&c, m, ip, len);
			return;
		}
	}
	if (is_agent6(&c, ip + 24)) {
		local6(&c, m, ip, len);
		return;
	}
	if (!haven_fp_port_is_ours(&w->fp->ports[port], &eth->dst_addr) ||
	    fp_ip6_is_multicast(ip + 24)) {
		drop6(&c, m, HAVEN_DROP_NOT_FOR_US);
		return;
	}
	encap6(&c, m, ip, len, cell);
}
