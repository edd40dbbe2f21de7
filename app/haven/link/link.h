/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_LINK_H
#define HAVEN_LINK_H

/**
 * @file
 * The link layer of the control lcore: routes, next-hop resolution and
 * announcements on the home link, for both families behind one interface.
 * Only arp.c and ndisc.c know the wire (ARP; Neighbor Discovery, RFC 4861);
 * neigh.c holds packets for unresolved next hops, retries, and sends what
 * it held once the answer comes, whatever the family.
 *
 * Workers read the neighbour tables (lib/fastpath) but never write them:
 * this layer is their only writer. News goes up through one hook: another
 * node claims an address (an NA for it, or a duplicate address detection
 * probe for it), which Mobile IPv6 registration uses for DAD.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "haven_addr.h"

/* Tunables of resolution and announcements. */
#define HAVEN_HOLD_PER_NEIGH 16		/**< packets held per unresolved neighbour */
#define HAVEN_SOLICIT_RETRY_MS 1000	/**< between ARP requests / NSs
					  * (RFC 4861 RetransTimer) */
#define HAVEN_SOLICIT_TRIES 3		/**< before held packets drop
					  * (MAX_MULTICAST_SOLICIT) */
#define HAVEN_CONFIRM_TRIES 3		/**< unicast probes of a MAC in service
					  * (MAX_UNICAST_SOLICIT) */
#define HAVEN_REACHABLE_MS 30000	/**< REACHABLE after a confirmation
					  * (RFC 4861 REACHABLE_TIME) */
#define HAVEN_GC_STALE_MS 60000		/**< an unused STALE entry goes */
#define HAVEN_DEFEND_MS 10000		/**< between two defences of an address
					  * (RFC 5227 DEFEND_INTERVAL) */

/** Counters of the link layer (its own; the surfaces read them). */
struct haven_link_stats {
	uint64_t solicits_sent;		/**< ARP requests / NSs for resolution */
	uint64_t announces_sent;	/**< gratuitous ARPs / unsolicited NAs */
	uint64_t held_sent;		/**< held packets sent after resolution */
	uint64_t held_dropped;		/**< dropped: timeout, full, no route */
	uint64_t probes_sent;		/**< unicast probes of a MAC in service */
	uint64_t deleted;		/**< entries deleted (failed, stale) */
	uint64_t evicted;		/**< ... of them to make room */
	uint64_t table_full;		/**< a next hop found no entry */
	uint64_t mac_changes;		/**< a neighbour's MAC replaced */
	uint64_t mac_claims_refused;	/**< another MAC claimed a neighbour
					  * whose own MAC then answered */
	uint64_t claims_seen;		/**< our addresses claimed by others */
	uint64_t defended;		/**< ... answered with an announcement */
};

/**
 * Allocate the hold queues of both families and register the punt
 * handlers (ARP, ND, frames waiting for a next hop) and the retry tick.
 * @return 0 or -ENOMEM.
 */
int haven_link_init(void);

/**
 * Route dst: its next hop (the gateway, or dst itself on a connected
 * subnet) and the index of the port in haven_rt.fp.ports.
 * @return 0, or -ENETUNREACH.
 */
int haven_link_route(const struct haven_addr *dst, struct haven_addr *nh,
		uint8_t *port);

/**
 * The neighbour entry of next hop nh on port index `port`, created and
 * resolving (a first solicitation) if it is new.
 * @return its index in the family's neighbour table, or -1 when full.
 */
int haven_link_neigh(const struct haven_addr *nh, uint8_t port);

/**
 * True when packets to dst can leave at once: its next hop is resolved.
 * Otherwise resolution starts (or goes on) and it is false.
 */
bool haven_link_resolved(const struct haven_addr *dst);

/**
 * A binding uses neighbour idx of a family (its care-of address's next
 * hop): while referenced, the entry is never deleted nor evicted, and a
 * stale one is probed rather than dropped.
 */
void haven_link_neigh_ref(uint8_t family, int idx);

/** A binding no longer uses neighbour idx. */
void haven_link_neigh_unref(uint8_t family, int idx);

/**
 * Send a frame whose Ethernet header is present but whose destination MAC
 * is not yet known (IPv4 or IPv6 by its Ethernet type): route it by its
 * IP destination, resolve the next hop, hold it meanwhile. Consumes m.
 */
void haven_link_send(struct rte_mbuf *m);

/**
 * Build an IPv4 UDP datagram on the home port and send it as
 * haven_link_send() does. @return 0 or -errno.
 */
int haven_link_send_udp4(uint32_t src, uint32_t dst, uint16_t sport,
		uint16_t dport, const void *payload, uint16_t len);

/**
 * Frame an IPv6 packet (header included) on the home port and send it as
 * haven_link_send() does. @return 0 or -errno.
 */
int haven_link_send_ip6(const void *pkt, uint16_t len);

/**
 * Announce that this agent's MAC on the home link answers for addr: a
 * gratuitous ARP (IPv4, RFC 5944 4.6) or an unsolicited Neighbor
 * Advertisement to all-nodes with Override (IPv6, RFC 6275 10.4.1). One
 * packet; repeats are the caller's.
 */
void haven_link_announce(const struct haven_addr *addr);

/**
 * Announce the agent's own addresses on the home link (the home agent
 * address and the home port's, both families), as Linux does when an
 * interface comes up (arp_notify): neighbours that still knew another MAC
 * for them (a process before a restart, the other primary of a pair) take
 * ours at once instead of after their reachable time. Call once the
 * workers run; nothing while this agent is not serving.
 */
void haven_link_announce_own(void);

/**
 * Announce addr with another host's MAC: a mobile node's own, when it
 * comes home (RFC 5944 4.6). IPv4 only.
 */
void haven_link_announce_mac(const struct haven_addr *addr,
		const struct rte_ether_addr *mac);

/**
 * Hand an address of the home link back to its owner (an operator removed
 * the binding of a node that may have come home): ask who has it (ARP
 * requests, Neighbor Solicitations: up to HAVEN_SOLICIT_TRIES, a
 * RetransTimer apart) and, if a host answers, announce the address with
 * that host's MAC (twice), as a deregistration from home does (RFC 5944
 * 4.6), so that the link stops sending to this agent. Nobody answering,
 * nothing more is sent.
 */
void haven_link_hand_back(const struct haven_addr *addr);

/** A duplicate address detection probe for addr (IPv6, RFC 4862 5.4.2). */
void haven_link_dad_probe(const struct haven_addr *addr);

/**
 * Call fn when another node claims an address on the home link (IPv6:
 * an NA for it, or another node's DAD probe for it).
 * @return 0 or -ENOSPC.
 */
int haven_link_conflict_hook_add(void (*fn)(const struct haven_addr *a,
		void *arg), void *arg);

/**
 * Ask fn whether this agent answers for an address on the home link (a
 * home address it intercepts), so that a claim of it by another MAC is
 * defended. The agent's own addresses are always defended.
 * @return 0 or -ENOSPC.
 */
int haven_link_owner_hook_add(bool (*fn)(const struct haven_addr *a,
		void *arg), void *arg);

/** State of neighbour idx as the control lcore sees it: "reachable"... */
const char *haven_link_state_name(uint8_t family, int idx);

/** Bindings using neighbour idx. */
unsigned int haven_link_refs(uint8_t family, int idx);

/** Packets held for neighbour idx of a family's table. */
unsigned int haven_link_held(uint8_t family, int idx);

/** Counters of a family (HAVEN_AF_INET or HAVEN_AF_INET6). */
const struct haven_link_stats *haven_link_stats(uint8_t family);

#endif /* HAVEN_LINK_H */
