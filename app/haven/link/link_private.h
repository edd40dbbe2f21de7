/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Between the link layer's files: neigh.c (resolution and held packets,
 * both families), the two files that know the wire, arp.c and ndisc.c,
 * each offering one struct link_family, and link.c, which puts them
 * together at start-up.
 */
#ifndef HAVEN_LINK_PRIVATE_H
#define HAVEN_LINK_PRIVATE_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "haven_addr.h"
#include "link.h"

/** What differs between the families: the fast path's table, the wire. */
struct link_family {
	uint8_t family;			/**< HAVEN_AF_INET / HAVEN_AF_INET6 */
	unsigned int size;		/**< entries of the neighbour table */
	/** Index of an existing neighbour, or -1. */
	int (*find)(const struct haven_addr *nh);
	/** Find or create (INCOMPLETE): index, or -ENOSPC. */
	int (*get)(const struct haven_addr *nh, uint8_t port);
	/** Record a resolved MAC (published before the state). */
	void (*update)(int idx, const struct rte_ether_addr *mac);
	/** State (enum haven_neigh_state), port and MAC of entry idx. */
	uint8_t (*state)(int idx);
	uint8_t (*port)(int idx);
	const struct rte_ether_addr *(*mac)(int idx);
	/** Ask for entry idx's MAC (ARP request, Neighbor Solicitation). */
	void (*solicit)(int idx);
	/** Ask entry idx by unicast to its MAC in service (a probe). */
	void (*probe)(int idx);
	/** Make entry idx a tombstone (haven_neigh_delete()). */
	void (*remove)(int idx);
	/** Let a tombstone be reused (haven_neigh_recycle()). */
	void (*recycle)(int idx);
	/** Route dst (see haven_link_route()). */
	int (*route)(const struct haven_addr *dst, struct haven_addr *nh,
			uint8_t *port);
	/** The IP destination of a frame (Ethernet header first). */
	int (*frame_dst)(const struct rte_mbuf *m, struct haven_addr *dst);
	/** Announce addr on the home link with mac (GARP, unsolicited NA). */
	void (*announce)(const struct haven_addr *addr,
			const struct rte_ether_addr *mac);
	struct haven_link_stats stats;	/**< writer: the link layer */
};

extern struct link_family link_arp;	/* arp.c */
extern struct link_family link_nd;	/* ndisc.c */

/** Punt handlers: ARP (arp.c), Neighbor Discovery (ndisc.c). */
void link_arp_input(struct rte_mbuf *m);
void link_nd_input(struct rte_mbuf *m);

/** Use family f (its hold queues are allocated). @return 0 or -ENOMEM. */
int link_family_register(struct link_family *f);

/** The family's side, or NULL (IPv6 without IPv6 configured). */
struct link_family *link_family_of(uint8_t family);

/** Retries and timeouts of pending resolutions, every family. */
void link_resolve_tick(uint64_t now_ms);

/** A frame a worker could not send for want of a next hop. */
void link_resolve_punt(struct rte_mbuf *m);

/**
 * A neighbour's MAC became known (an ARP packet, an NA, an NS with a
 * source link-layer option): record it and send what waited for it.
 * Addresses that are not next hops of ours are ignored.
 */
void link_learn(struct link_family *f, const struct haven_addr *ip,
		const struct rte_ether_addr *mac);

/** Tell the conflict hooks that another node claims a. */
void link_conflict(const struct haven_addr *a);

/**
 * A packet from mac says it is address a (ARP sender, NA target): if a
 * is ours or a home address we intercept, defend it (rate limited).
 */
void link_claimed(struct link_family *f, const struct haven_addr *a,
		const struct rte_ether_addr *mac);

/** Set the Ethernet addresses of m and send it on port index p. */
void link_tx_to(unsigned int p, const struct rte_ether_addr *mac,
		struct rte_mbuf *m);

/** Drop a frame that cannot be sent, counted as held_dropped. */
void link_drop(struct link_family *f, struct rte_mbuf *m);

#endif /* HAVEN_LINK_PRIVATE_H */
