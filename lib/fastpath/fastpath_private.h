/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_FASTPATH_PRIVATE_H
#define HAVEN_FASTPATH_PRIVATE_H

/*
 * What the fast path's files share and nobody else needs: the lock-free
 * reader side of the neighbour table (workers may not call
 * haven_neigh_find(), which is the control lcore's) and the port index
 * helpers.
 *
 * The neighbour table is open addressing with linear probing from a hash
 * of the address. The control lcore fills an entry's ip and port and only
 * then publishes a live state (INCOMPLETE or REACHABLE) with a release
 * store; entries never move. A reader that loads a live state with
 * acquire semantics therefore sees the right ip; it stops probing at the
 * first FREE entry and probes past tombstones (DELETED, RECYCLED). An
 * entry the control lcore no longer needs becomes DELETED, and RECYCLED
 * (free to hold another address) only after an RCU grace period, so that
 * a reader never sees one address's entry turn into another's under it.
 */

#include <assert.h>
#include <stdbool.h>

#include <rte_common.h>

#include "haven_fastpath.h"

#define FP_NEIGH_MASK (HAVEN_NEIGH_MAX - 1)

static_assert((HAVEN_NEIGH_MAX & FP_NEIGH_MASK) == 0,
	"HAVEN_NEIGH_MAX must be a power of two");

/* First probe position of an address (Fibonacci hashing). */
static inline unsigned int
fp_neigh_hash(uint32_t ip)
{
	return (ip * 2654435761u) >> 22 & FP_NEIGH_MASK;
}

static inline uint8_t
fp_neigh_state(const struct haven_neigh *n)
{
	return __atomic_load_n(&n->state, __ATOMIC_ACQUIRE);
}

/* Index of ip's entry, or -1; any lcore, no locks. */
static inline int
fp_neigh_lookup(const struct haven_neigh *tbl, uint32_t ip)
{
	unsigned int i, idx = fp_neigh_hash(ip);

	for (i = 0; i < HAVEN_NEIGH_MAX; i++) {
		const struct haven_neigh *n = &tbl[idx];

		uint8_t st = fp_neigh_state(n);

		if (st == HAVEN_NEIGH_FREE)
			return -1;
		if (st <= HAVEN_NEIGH_REACHABLE && n->ip == ip)
			return (int)idx;
		idx = (idx + 1) & FP_NEIGH_MASK;
	}
	return -1;
}

/*
 * Copy a REACHABLE neighbour's MAC; false if it is not reachable.
 *
 * The control lcore changes the MAC of a REACHABLE entry by going through
 * INCOMPLETE (see haven_neigh_update()); reading the state again after
 * the copy rejects a copy that overlapped such a change.
 */
static inline bool
fp_neigh_mac(const struct haven_neigh *n, struct rte_ether_addr *mac)
{
	if (fp_neigh_state(n) != HAVEN_NEIGH_REACHABLE)
		return false;
	rte_ether_addr_copy(&n->mac, mac);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&n->state, __ATOMIC_RELAXED) ==
		HAVEN_NEIGH_REACHABLE;
}

/*
 * Give a neighbour entry of either family (its state and MAC) the MAC
 * mac and make it REACHABLE: the control lcore's side of fp_neigh_mac(),
 * never on the per-packet path. A FREE entry is left alone.
 */
static inline void
fp_neigh_set_mac(volatile uint8_t *state, struct rte_ether_addr *cur,
		const struct rte_ether_addr *mac)
{
	if (*state == HAVEN_NEIGH_FREE || *state > HAVEN_NEIGH_REACHABLE)
		return;
	if (*state == HAVEN_NEIGH_REACHABLE) {
		if (rte_is_same_ether_addr(cur, mac))
			return;
		/* Take it out of service while the six bytes change. */
		__atomic_store_n(state, HAVEN_NEIGH_INCOMPLETE,
				__ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
	}
	rte_ether_addr_copy(mac, cur);
	__atomic_store_n(state, HAVEN_NEIGH_REACHABLE, __ATOMIC_RELEASE);
}

/* Index in fp->ports of a DPDK port id, or -1. */
/*
 * May the worker send an ICMP or ICMPv6 error now (fp->icmp_rate,
 * icmp_burst)? A token bucket kept in TSC cycles: one error costs
 * hz / rate cycles of credit, the credit grows with time up to burst
 * errors' worth. Counts what it refuses. Reads the TSC: call it only on
 * the way to an error, never per packet.
 */
static inline bool
fp_icmp_allow(struct haven_worker *w)
{
	const struct haven_fp *fp = w->fp;
	uint64_t now = rte_rdtsc();
	uint64_t cost = rte_get_tsc_hz() /
		(fp->icmp_rate != 0 ? fp->icmp_rate : HAVEN_ICMP_RATE);
	uint64_t cap = cost * (fp->icmp_burst != 0 ? fp->icmp_burst :
			HAVEN_ICMP_BURST);

	w->icmp_credit = RTE_MIN(cap, w->icmp_credit + (now - w->icmp_tsc));
	w->icmp_tsc = now;
	if (w->icmp_credit < cost) {
		w->stats.icmp_limited++;
		return false;
	}
	w->icmp_credit -= cost;
	w->stats.icmp_errors++;
	return true;
}

static inline int
fp_port_index(const struct haven_fp *fp, uint16_t port_id)
{
	unsigned int i;

	for (i = 0; i < fp->n_ports; i++)
		if (fp->ports[i].port_id == port_id)
			return (int)i;
	return -1;
}

#endif /* HAVEN_FASTPATH_PRIVATE_H */
