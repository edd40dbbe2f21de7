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

#include "haven_binding_worker.h"
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

/* ---- the common case: IPv6 in IPv6 from a cell's inline tunnel ---- */

#define FP6_ETH_HLEN 14			/* Ethernet header */
#define FP6_HLEN 40			/* IPv6 header */
#define FP6_NH_ICMPV6 58
#define FP6_NH_IPV6 41

/* The agent's IPv6 addresses a packet to tunnel may not have. */
#define FAST6_AGENT_ADDRS (1 + HAVEN_MAX_PORTS)

/*
 * What the IPv6 common case reads per packet, loaded once per burst into
 * a struct that does not escape (see struct fp_fast in worker.c).
 */
struct fp_fast6 {
	const struct haven_binding_view *v;	/* NULL: no IPv6 bindings */
	uint64_t hi;				/* first direct prefix ... */
	uint32_t mid;
	uint32_t base;
	uint32_t size;				/* ... 0: none */
	uint32_t cell_shift;
	uint8_t *cells;
	uint32_t lane_off;			/* this worker's lane */
	unsigned int n_ports;
	const struct haven_fp_port *ports;
	const struct haven_neigh6 *neigh;
	const uint8_t *ha_addr;			/* outer source for :: */
	unsigned int n_agent;
	uint8_t agent[FAST6_AGENT_ADDRS][16];	/* the agent's addresses */
	unsigned int n_agent_in;		/* the first n in the prefix */
	uint32_t n_encap;			/* sent by fast6_encap() */
	bool prepass;				/* see worker.c */
};

static inline void
fast6_init(struct fp_fast6 *f, const struct haven_fp *fp, unsigned int id)
{
	const struct haven_fp6 *fp6 = fp->fp6;
	unsigned int i;

	f->v = NULL;
	f->size = 0;
	f->n_encap = 0;
	f->prepass = false;
	if (fp6 == NULL || fp6->bindings == NULL)
		return;
	f->v = haven_binding_view6(fp6->bindings);
	if (f->v->n_direct > 0) {
		f->hi = f->v->direct[0].hi;
		f->mid = f->v->direct[0].mid;
		f->base = f->v->direct[0].base;
		f->size = f->v->direct[0].size;
		f->cells = f->v->direct[0].cells;
		f->cell_shift = f->v->cell_shift;
		/* The threshold of worker.c's PREPASS_BYTES. */
		f->prepass = ((uint64_t)f->size << f->cell_shift) >
			(8u << 20);
	}
	f->lane_off = haven_binding_lane_off6(id);
	f->n_ports = fp->n_ports;
	f->ports = fp->ports;
	f->neigh = fp6->neigh;
	f->ha_addr = fp6->ha_addr;
	f->n_agent = 0;
	memcpy(f->agent[f->n_agent++], fp6->ha_addr, 16);
	for (i = 0; i < fp->n_ports && i < HAVEN_MAX_PORTS; i++)
		if (fp6->port_has_addr[i])
			memcpy(f->agent[f->n_agent++], fp6->port_addr[i], 16);
	/* Those in the first direct prefix first: a destination there can
	 * only be one of them (often none: the prefix is a pool). */
	f->n_agent_in = 0;
	for (i = 0; i < f->n_agent; i++) {
		uint64_t hi;
		uint32_t mid, lo;
		uint8_t tmp[16];

		memcpy(&hi, f->agent[i], 8);
		memcpy(&mid, f->agent[i] + 8, 4);
		memcpy(&lo, f->agent[i] + 12, 4);
		if (hi != f->hi || mid != f->mid ||
		    rte_be_to_cpu_32(lo) - f->base >= f->size)
			continue;
		memcpy(tmp, f->agent[f->n_agent_in], 16);
		memcpy(f->agent[f->n_agent_in], f->agent[i], 16);
		memcpy(f->agent[i], tmp, 16);
		f->n_agent_in++;
	}
}

/* Returned by fast6_classify(): the common case, cell in the fallback. */
#define FAST6_FALLBACK ((struct haven_binding_cell6 *)(uintptr_t)1)

/*
 * Pass 1 of the IPv6 common case: a packet to our MAC from another host
 * (checked by the caller), version 6, no padding, not ICMPv6 (Neighbor
 * Discovery, echo: the general path), unicast source and destination,
 * the destination not one of the agent's: the destination's cell in the first direct prefix,
 * prefetched with the headroom line the outer header will go into; or
 * FAST6_FALLBACK when the destination is elsewhere (its fallback entry
 * prefetched: fp6_fast_fallback() after pass 1); NULL for the general
 * path (fp6_classify(), fp6_input()).
 */
static __rte_always_inline struct haven_binding_cell6 *
fast6_classify(const struct fp_fast6 *f, struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
			FP6_ETH_HLEN);
	uint16_t len = rte_pktmbuf_data_len(m);
	const uint8_t *dst = ip + 24;
	struct haven_binding_cell6 *c;
	uint64_t hi;
	uint32_t mid, lo, off;
	unsigned int i;

	if (unlikely(f->v == NULL || len < FP6_ETH_HLEN + FP6_HLEN ||
		     (ip[0] >> 4) != 6 ||
		     ((uint32_t)ip[4] << 8 | ip[5]) + FP6_HLEN + FP6_ETH_HLEN !=
			len ||
		     ip[6] == FP6_NH_ICMPV6 || dst[0] == 0xff ||
		     ip[8] == 0xff))		/* multicast source: malformed */
		return NULL;
	memcpy(&hi, dst, 8);
	memcpy(&mid, dst + 8, 4);
	memcpy(&lo, dst + 12, 4);
	off = rte_be_to_cpu_32(lo) - f->base;
	if (likely(hi == f->hi && mid == f->mid && off < f->size)) {
		for (i = 0; i < f->n_agent_in; i++)
			if (fp_ip6_eq(dst, f->agent[i]))
				return NULL;
		c = (struct haven_binding_cell6 *)(void *)
			(f->cells + ((size_t)off << f->cell_shift));
		rte_prefetch0_write(c);
		rte_prefetch0_write(ip - FP6_HLEN);
		return c;
	}
	for (i = 0; i < f->n_agent; i++)
		if (fp_ip6_eq(dst, f->agent[i]))
			return NULL;
	haven_binding_fb_prefetch6(f->v, dst);
	return FAST6_FALLBACK;
}

/* After pass 1: a FAST6_FALLBACK packet's candidate cell, or NULL. */
static inline struct haven_binding_cell6 *
fast6_fallback(const struct fp_fast6 *f, struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
			FP6_ETH_HLEN);
	struct haven_binding_cell6 *c;

	c = haven_binding_direct6(f->v, ip + 24);
	if (c == NULL)
		c = haven_binding_fb_candidate6(f->v, ip + 24);
	if (c != NULL) {
		rte_prefetch0_write(c);
		rte_prefetch0_write(ip - FP6_HLEN);
	}
	return c;
}

/*
 * IPv6 in IPv6 toward a cell's inline tunnel in a straight line (RFC 2473
 * 3: outer source the home agent, claim 5 of EP 1134991, destination the
 * care-of address, next header 41, hop limit HAVEN_OUTER_TTL; the inner
 * hop limit decremented, 3.1): the cell read under its sequence word,
 * its key checked, the counters taken, the frame ready for TX. Returns
 * the output port index, or -1, having touched nothing, when the packet
 * needs the general path (no inline tunnel, cell being rewritten or not
 * the destination's, hop limit running out, too big for the port's MTU,
 * no headroom, neighbour not REACHABLE).
 */
static __rte_always_inline int
fast6_encap(struct fp_fast6 *f, struct rte_mbuf *m,
		struct haven_binding_cell6 *c)
{
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, FP6_ETH_HLEN);
	const struct haven_neigh6 *n;
	const struct haven_fp_port *op;
	struct haven_binding_lane *lane;
	uint32_t r1, r2, len, mtu;
	uint64_t w0, w1, hdr;
	const uint8_t *src;
	unsigned int out;
	uint8_t port, osrc, *outer;
	uint16_t nk;

	r1 = __atomic_load_n(&c->rec, __ATOMIC_ACQUIRE);
	w0 = __atomic_load_n((const uint64_t *)(const void *)c->coa,
			__ATOMIC_RELAXED);
	w1 = __atomic_load_n((const uint64_t *)(const void *)(c->coa + 8),
			__ATOMIC_RELAXED);
	nk = __atomic_load_n(&c->nk, __ATOMIC_RELAXED);
	port = __atomic_load_n(&c->port, __ATOMIC_RELAXED);
	osrc = __atomic_load_n(&c->osrc, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	r2 = __atomic_load_n(&c->rec, __ATOMIC_RELAXED);
	if (unlikely(r1 != r2 || r1 == 0 ||
		     (r1 & HAVEN_BINDING_CELL_BUSY) != 0 ||
		     ((nk >> 12) & 0x7) != HAVEN_TUN_IP6IP6 ||
		     !fp_ip6_eq(c->key, ip + 24)))
		return -1;
	n = &f->neigh[nk & 0x0fff];
	out = n->port;
	if (unlikely(out >= f->n_ports || f->ports[out].port_id != port))
		return -1;
	op = &f->ports[out];
	len = FP6_HLEN + ((uint32_t)ip[4] << 8 | ip[5]);
	mtu = op->mtu != 0 ? op->mtu : RTE_ETHER_MTU;
	if (unlikely(len + FP6_HLEN > mtu || m->data_off < FP6_HLEN ||
		     ip[7] <= 1))
		return -1;
	outer = ip - FP6_HLEN - FP6_ETH_HLEN;
	if (unlikely(!fp_neigh6_mac(n, (struct rte_ether_addr *)outer)))
		return -1;

	m->data_off -= FP6_HLEN;
	m->data_len += FP6_HLEN;
	m->pkt_len += FP6_HLEN;
	ip[7]--;				/* RFC 2473 3.1 */
	lane = haven_binding_lane(c, f->lane_off);
	lane->pkts++;
	lane->bytes += len;
	rte_ether_addr_copy(haven_fp_port_mac(op),
			(struct rte_ether_addr *)(outer + 6));
	((struct rte_ether_hdr *)outer)->ether_type =
		RTE_BE16(RTE_ETHER_TYPE_IPV6);
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	src = f->v->osrc6[osrc];
	if (unlikely(fp_ip6_is_zero(src)))
		src = f->ha_addr;
	outer += FP6_ETH_HLEN;
	hdr = RTE_BE32(0x60000000u) | (uint64_t)rte_cpu_to_be_32(
		len << 16 | (uint32_t)FP6_NH_IPV6 << 8 | HAVEN_OUTER_TTL) << 32;
	memcpy(outer, &hdr, 8);
	memcpy(outer + 8, src, 16);
	memcpy(outer + 24, &w0, 8);		/* the care-of address read */
	memcpy(outer + 32, &w1, 8);		/* under the sequence word */
	f->n_encap++;
	return (int)out;
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
 * Pass 1 of an IPv6 frame sent to our MAC (worker6.c): when it looks like
 * a packet to forward to a home address, the cell of its destination in
 * a direct prefix of the IPv6 binding table, prefetched. NULL otherwise;
 * then *fallback is set when the destination is to be looked up in the
 * table's fallback (its index entry is being prefetched): call
 * fp6_fallback() after pass 1.
 */
void *fp6_classify(const struct haven_fp *fp, struct rte_mbuf *m,
		bool *fallback);

/*
 * After pass 1, for a frame fp6_classify() sent to the fallback: the
 * candidate cell of its destination, prefetched, or NULL.
 */
void *fp6_fallback(const struct haven_fp *fp, struct rte_mbuf *m);

/*
 * Handle one IPv6 frame that arrived on port index port (worker6.c):
 * every outcome goes through the functions above or is a counted drop.
 * cell is what pass 1 found for it (a hint, checked against the
 * destination), or NULL; f6 the burst's common case (fast6_encap() is
 * tried first for a packet to a home address).
 */
void fp6_input(struct fp_burst *b, struct haven_worker *w, unsigned int port,
		struct rte_mbuf *m, void *cell, struct fp_fast6 *f6);

#endif /* HAVEN_FASTPATH6_PRIVATE_H */
