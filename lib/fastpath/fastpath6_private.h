/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_FASTPATH6_PRIVATE_H
#define HAVEN_FASTPATH6_PRIVATE_H

/*
 * What the IPv6 fast path (worker6.c, neigh6.c) shares with the rest of
 * lib/fastpath and nobody else needs: the lock-free reader side of the
 * IPv6 neighbour table, the few IPv6 address predicates the worker uses,
 * and the seam between worker.c and worker6.c.
 *
 * The IPv6 neighbour table is the IPv4 one with a 16-byte key: open
 * addressing with linear probing from a hash of the address, an entry's
 * ip and port written before its state is published with a release
 * store, entries never moving and never freed (fastpath_private.h).
 *
 * The seam: worker.c classifies Ethernet type 0x86DD to the IPv6 path
 * when fp->fp6 is set and calls fp6_input() for each such packet in its
 * second pass; worker6.c hands its output back through fp_burst_tx() and
 * the fp_burst_punt_*() functions, so IPv6 packets share the burst's TX
 * buffers and its single punt ring enqueue with IPv4.
 */

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "haven_fastpath.h"
#include "haven_fastpath6.h"

#define FP_NEIGH6_MASK (HAVEN_NEIGH6_MAX - 1)

static_assert((HAVEN_NEIGH6_MAX & FP_NEIGH6_MASK) == 0,
	"HAVEN_NEIGH6_MAX must be a power of two");

/* Whole-address comparisons as two 64-bit words. */
static inline bool
fp_ip6_eq(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

static inline bool
fp_ip6_is_zero(const uint8_t *a)
{
	uint64_t a0, a1;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	return (a0 | a1) == 0;
}

/* ff00::/8 (RFC 4291 2.7). */
static inline bool
fp_ip6_is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

/* First probe position of an address: its four words folded, then
 * Fibonacci hashing as for IPv4. */
static inline unsigned int
fp_neigh6_hash(const uint8_t ip[16])
{
	uint32_t w[4];

	memcpy(w, ip, 16);
	return ((w[0] ^ w[1] ^ w[2] ^ w[3]) * 2654435761u) >> 16 &
		FP_NEIGH6_MASK;
}

static inline uint8_t
fp_neigh6_state(const struct haven_neigh6 *n)
{
	return __atomic_load_n(&n->state, __ATOMIC_ACQUIRE);
}

/* Index of ip's entry, or -1; any lcore, no locks. */
static inline int
fp_neigh6_lookup(const struct haven_neigh6 *tbl, const uint8_t ip[16])
{
	unsigned int i, idx = fp_neigh6_hash(ip);

	for (i = 0; i < HAVEN_NEIGH6_MAX; i++) {
		const struct haven_neigh6 *n = &tbl[idx];

		uint8_t st = fp_neigh6_state(n);

		if (st == HAVEN_NEIGH_FREE)
			return -1;
		if (st <= HAVEN_NEIGH_REACHABLE && fp_ip6_eq(n->ip, ip))
			return (int)idx;
		idx = (idx + 1) & FP_NEIGH6_MASK;
	}
	return -1;
}

/* Copy a REACHABLE neighbour's MAC; false if it is not reachable (see
 * fp_neigh_mac() for why the state is read again). */
static inline bool
fp_neigh6_mac(const struct haven_neigh6 *n, struct rte_ether_addr *mac)
{
	if (fp_neigh6_state(n) != HAVEN_NEIGH_REACHABLE)
		return false;
	rte_ether_addr_copy(&n->mac, mac);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&n->state, __ATOMIC_RELAXED) ==
		HAVEN_NEIGH_REACHABLE;
}

/* ---- the seam between worker.c and worker6.c ---- */

struct fp_burst;

/* Buffer m for transmission on port index out (worker.c). */
void fp_burst_tx(struct fp_burst *b, unsigned int out, struct rte_mbuf *m);

/* Punt m to the control lcore as HAVEN_PUNT_CONTROL (worker.c). */
void fp_burst_punt_control(struct fp_burst *b, struct rte_mbuf *m);

/*
 * Punt a ready frame for port index out whose next hop has no MAC as
 * HAVEN_PUNT_RESOLVE with IPv6 neighbour index neigh (or
 * HAVEN_PUNT_NEIGH_NONE); hash.fdir.hi is 0 (worker.c).
 */
void fp_burst_punt_resolve(struct fp_burst *b, struct rte_mbuf *m,
		unsigned int out, uint32_t neigh);

/*
 * Handle one IPv6 frame that arrived on port index port (worker6.c):
 * every outcome goes through the functions above or is a counted drop.
 */
void fp6_input(struct fp_burst *b, struct haven_worker *w, unsigned int port,
		struct rte_mbuf *m);

#endif /* HAVEN_FASTPATH6_PRIVATE_H */
