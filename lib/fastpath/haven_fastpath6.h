/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_FASTPATH6_H
#define HAVEN_FASTPATH6_H

/**
 * @file
 * The IPv6 side of the fast path (Mobile IPv6 home agent, RFC 6275, and
 * IPv6-in-IPv6 tunnels, RFC 2473), beside the IPv4 side of
 * haven_fastpath.h. When IPv6 is configured, fp->fp6 points to a struct
 * haven_fp6 that the control lcore fills before the workers start, and
 * the workers handle Ethernet type 0x86DD:
 *
 *  - Neighbor Solicitation (RFC 4861 7.1.1 checks) for the home address of
 *    an away node whose binding intercepts here (forwarder self): proxy
 *    Neighbor Advertisement with the port's MAC, O set (RFC 6275 10.4.1),
 *    S set when solicited by a unicast source; a DAD probe (unspecified
 *    source) for it is defended with an NA to all-nodes (ff02::1). An NS
 *    for the agent's own IPv6 addresses is answered likewise. Every other
 *    NS, and every NA about an address of concern (the agent's own, a
 *    neighbour, a bound home address, an address under DAD:
 *    haven_fp6_dad_watch()), is punted to the control lcore (neighbour
 *    learning, DAD and its defence) or dropped as not for us;
 *  - a packet for a bound home address: the inner hop limit decremented
 *    (ICMPv6 Time Exceeded to its source when it runs out, RFC 2473 8),
 *    IPv6-in-IPv6 (next header 41) to each care-of address with the
 *    binding's outer_src (the home agent: claim 5 of EP 1134991) as outer
 *    source and hop limit HAVEN_OUTER_TTL; Packet Too Big to its source
 *    when the tunnel would exceed the MTU (RFC 2473 7);
 *  - next header 41 to the agent from a care-of address of the binding of
 *    the inner source, with the reverse-tunnel flag: decapsulated, hop
 *    limit decremented, delivered on the home link;
 *  - ICMPv6 echo request to the agent: echo reply;
 *  - the Mobility Header (next header 135, possibly after Destination
 *    Options with the Home Address option) and anything else to the
 *    agent: punted;
 *  - per-binding counters in the worker's IPv6 counter row, drops counted
 *    with the reasons of HAVEN_FOREACH_DROP.
 * Next hops resolve as for IPv4: the control lcore owns the IPv6
 * neighbour table and sends Neighbor Solicitations; a packet whose next
 * hop is unresolved is punted with HAVEN_PUNT_RESOLVE.
 *
 * IPv6 punts carry the metadata of haven_fastpath.h with these
 * differences. An IPv6 punt is recognised by its Ethernet type, 0x86DD.
 * A RESOLVE punt is a complete frame (Ethernet source the output port's
 * MAC, destination zero, m->port the output DPDK port); HAVEN_PUNT_NEIGH()
 * is an index in fp6->neigh, whose ip is the next hop, or
 * HAVEN_PUNT_NEIGH_NONE when no IPv6 neighbour entry exists yet (a
 * decapsulated packet toward a host never resolved). A 16-byte next hop
 * does not fit in the mbuf, so HAVEN_PUNT_NEXT_HOP() is 0: the control
 * lcore re-derives the next hop with haven_route6_lookup() on the
 * frame's IPv6 destination (the outer destination, i.e. the care-of
 * address, of a tunnelled packet; the inner destination of a
 * decapsulated one), which gives the same answer the worker had.
 *
 * Counters: per-binding counters go to w->counters6 (this worker's row of
 * fp6->bindings, haven_binding6_counters_row(); NULL: not counted); the
 * worker's statistics are shared with IPv4 (rx, tx, encap_pkts,
 * decap_pkts, icmp_echo, punted, drops) and proxy Neighbor
 * Advertisements are counted in proxy_nd.
 *
 * ICMPv6 errors (Time Exceeded, Packet Too Big) are built in an mbuf from
 * fp->pool (HAVEN_DROP_NO_MBUF counted when there is none) from the
 * input port's address6 (else ha_addr), and sent back through the input
 * port to the Ethernet source of the invoking frame (the previous hop),
 * as the IPv4 side does for Fragmentation Needed; the invoking packet is
 * counted as HAVEN_DROP_TTL_EXPIRED or HAVEN_DROP_TOO_BIG.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "haven_binding6.h"
#include "haven_fastpath.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HAVEN_NEIGH6_MAX 1024		/**< IPv6 neighbour table entries */
#define HAVEN_DAD6_SETS 512		/**< sets of the DAD watch, 2 ways */
#define HAVEN_ROUTES6_MAX 64		/**< IPv6 routes */

struct haven_fp;

/** One IPv6 neighbour (open addressing; entries never move). */
struct haven_neigh6 {
	uint8_t ip[16];			/**< its address */
	struct rte_ether_addr mac;	/**< valid when state is REACHABLE */
	uint8_t port;			/**< index in fp->ports */
	volatile uint8_t state;		/**< enum haven_neigh_state */
};

/** The IPv6 side of the fast path, filled by the control lcore. */
struct haven_fp6 {
	uint8_t ha_addr[16];			/**< home agent address */
	bool port_has_addr[HAVEN_MAX_PORTS];	/**< port has an address6 */
	uint8_t port_addr[HAVEN_MAX_PORTS][16];	/**< port address6 */
	uint8_t port_prefix_len[HAVEN_MAX_PORTS];	/**< its prefix */
	struct haven_binding6_table *bindings;	/**< RCU readers: fp->qsbr */
	struct haven_neigh6 *neigh;		/**< HAVEN_NEIGH6_MAX entries */
	struct rte_lpm6 *routes;		/**< prefix -> route index */
	uint8_t (*route_gw)[16];		/**< index -> gateway (::, connected) */
	uint8_t *route_port;			/**< index -> index in fp->ports */
	bool has_default_route;			/**< ::/0 configured */
	uint32_t default_route;			/**< its route index */
	/**
	 * Addresses the control lcore probed for duplicate address
	 * detection lately (haven_fp6_dad_watch()): a Neighbor
	 * Advertisement for one of them is punted, not dropped. Written by
	 * the control lcore only, read by the workers.
	 */
	uint8_t dad[HAVEN_DAD6_SETS][2][16];
	uint64_t dad_stamp[HAVEN_DAD6_SETS][2];	/**< control lcore only */
	uint64_t dad_clock;			/**< control lcore only */
};

/**
 * Note that the control lcore is about to probe addr for duplicate
 * address detection (RFC 4862 5.4): from now on the workers punt every
 * Neighbor Advertisement whose target is addr, so that a defence of it
 * reaches the control lcore. Call before the probe is sent. The watch is
 * a 2-way set-associative table of HAVEN_DAD6_SETS sets; the oldest entry
 * of the set gives way, so at least 2 * HAVEN_DAD6_SETS probes must
 * follow before an address can be forgotten (far more than run within a
 * DAD's second). Control lcore only.
 *
 * Workers punt a Neighbor Advertisement only when its target is an
 * address of the agent (a port's address6 or the home agent address), a
 * next hop in the neighbour table (resolving or known), the home address
 * of a binding, or watched here; every other one is dropped as
 * HAVEN_DROP_NA_UNSOLICITED.
 *
 * @param fp6   the IPv6 side.
 * @param addr  the address probed.
 */
void haven_fp6_dad_watch(struct haven_fp6 *fp6, const uint8_t addr[16]);

/** Find an IPv6 neighbour's index; -1 if absent. Control only. */
int haven_neigh6_find(const struct haven_fp6 *fp6, const uint8_t ip[16]);

/** Find or create (INCOMPLETE) an IPv6 neighbour. @return index, -ENOSPC. */
int haven_neigh6_get(struct haven_fp6 *fp6, const uint8_t ip[16],
		uint8_t port);

/** Record a resolved IPv6 neighbour (MAC published before the state). */
void haven_neigh6_update(struct haven_fp6 *fp6, int idx,
		const struct rte_ether_addr *mac);

/** As haven_neigh_delete(), for the IPv6 table. */
void haven_neigh6_delete(struct haven_fp6 *fp6, int idx);

/** As haven_neigh_recycle(), for the IPv6 table. */
void haven_neigh6_recycle(struct haven_fp6 *fp6, int idx);

/**
 * Next hop toward dst: a route's gateway, or dst itself on a connected
 * prefix. @return 0, or -ENETUNREACH.
 */
int haven_route6_lookup(const struct haven_fp *fp, const uint8_t dst[16],
		uint8_t nh[16], uint8_t *port_idx);

/**
 * Build a Neighbor Advertisement frame in m (empty): Ethernet src_mac ->
 * dst_mac, IPv6 src -> dst with hop limit 255, target, flags
 * (HAVEN_ND_NA_F_*), target link-layer address option tll (none when
 * tll is NULL).
 * @return 0, or -ENOSPC (m has no room) / -EINVAL; m is then empty.
 */
int haven_build_na(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, const uint8_t src[16],
		const uint8_t dst[16], const uint8_t target[16], uint8_t flags,
		const struct rte_ether_addr *tll);

/**
 * Build a Neighbor Solicitation frame in m (empty) for target, to its
 * solicited-node multicast group (Ethernet 33:33:ff:xx:xx:xx): from src
 * with a source link-layer option src_mac, or from the unspecified
 * address without one when src is NULL (a duplicate address detection
 * probe, RFC 4862 5.4.2).
 * @return 0, or -ENOSPC (m has no room) / -EINVAL; m is then empty.
 */
int haven_build_ns(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
		const uint8_t *src, const uint8_t target[16]);

/**
 * Build a unicast Neighbor Solicitation frame in m (empty): to target
 * itself at dst_mac, from src with a source link-layer option src_mac
 * (RFC 4861 7.3.3: a PROBE of the MAC in service).
 * @return 0, or -ENOSPC (m has no room) / -EINVAL; m is then empty.
 */
int haven_build_ns_unicast(struct rte_mbuf *m,
		const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, const uint8_t src[16],
		const uint8_t target[16]);

/**
 * Wrap an IPv6 packet (header included, built by the caller, e.g. a
 * Binding Acknowledgement) in an Ethernet frame in m (empty).
 * @return 0, or -ENOSPC.
 */
int haven_build_ip6(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, const void *pkt,
		uint16_t len);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_FASTPATH6_H */
