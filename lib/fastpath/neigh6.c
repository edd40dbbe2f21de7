/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 neighbour table and IPv6 next-hop routes: neigh.c for IPv6.
 *
 * The control lcore resolves IPv6 next hops (Neighbor Solicitation) and
 * writes the table through haven_neigh6_get() and haven_neigh6_update();
 * workers read it without locks through fastpath6_private.h. Routes live
 * in an rte_lpm6 whose next hop is a route index into fp6->route_gw (the
 * gateway, :: for a connected prefix) and fp6->route_port; a destination
 * the LPM does not know but that lies on a port's own IPv6 prefix is
 * connected too, and rte_lpm6 takes no /0, so the default route is a
 * separate index (fp6->default_route). Also the DAD watch
 * (haven_fp6_dad_watch()): addresses under duplicate address detection,
 * whose Neighbor Advertisements the workers must punt.
 */

#include <errno.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_lpm6.h>

#include "haven_fastpath6.h"
#include "fastpath_private.h"
#include "fastpath6_private.h"

int
haven_neigh6_find(const struct haven_fp6 *fp6, const uint8_t ip[16])
{
	return fp_neigh6_lookup(fp6->neigh, ip);
}

int
haven_neigh6_get(struct haven_fp6 *fp6, const uint8_t ip[16], uint8_t port)
{
	unsigned int i, idx = fp_neigh6_hash(ip);
	struct haven_neigh6 *n, *spare = NULL;

	/* The live entry of ip, if any, lies before the first FREE one. */
	for (i = 0; i < HAVEN_NEIGH6_MAX; i++) {
		n = &fp6->neigh[idx];
		if (n->state == HAVEN_NEIGH_FREE)
			break;
		if (n->state <= HAVEN_NEIGH_REACHABLE && fp_ip6_eq(n->ip, ip))
			return (int)idx;
		if (n->state == HAVEN_NEIGH_RECYCLED && spare == NULL)
			spare = n;
		idx = (idx + 1) & FP_NEIGH6_MASK;
	}
	n = spare != NULL ? spare : i < HAVEN_NEIGH6_MAX ? &fp6->neigh[idx] : NULL;
	if (n == NULL)
		return -ENOSPC;
	memcpy(n->ip, ip, sizeof(n->ip));
	n->port = port;
	memset(&n->mac, 0, sizeof(n->mac));
	/* Publish: readers see ip and port once state is set. */
	__atomic_store_n(&n->state, HAVEN_NEIGH_INCOMPLETE, __ATOMIC_RELEASE);
	return (int)(n - fp6->neigh);
}

void
haven_neigh6_update(struct haven_fp6 *fp6, int idx,
		const struct rte_ether_addr *mac)
{
	if (idx < 0 || idx >= HAVEN_NEIGH6_MAX)
		return;
	fp_neigh_set_mac(&fp6->neigh[idx].state, &fp6->neigh[idx].mac, mac);
}

void
haven_neigh6_delete(struct haven_fp6 *fp6, int idx)
{
	if (idx < 0 || idx >= HAVEN_NEIGH6_MAX ||
	    fp6->neigh[idx].state == HAVEN_NEIGH_FREE ||
	    fp6->neigh[idx].state > HAVEN_NEIGH_REACHABLE)
		return;
	__atomic_store_n(&fp6->neigh[idx].state, HAVEN_NEIGH_DELETED,
			__ATOMIC_RELEASE);
}

void
haven_neigh6_recycle(struct haven_fp6 *fp6, int idx)
{
	if (idx < 0 || idx >= HAVEN_NEIGH6_MAX || fp6->neigh[idx].state != HAVEN_NEIGH_DELETED)
		return;
	__atomic_store_n(&fp6->neigh[idx].state, HAVEN_NEIGH_RECYCLED,
			__ATOMIC_RELEASE);
}

/* Whether a and b share their first len bits. */
static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int bytes = len / 8, bits = len % 8;

	if (len > 128 || memcmp(a, b, bytes) != 0)
		return false;
	return bits == 0 ||
		((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

/* Next hop of route index route toward dst. */
static void
route_next_hop(const struct haven_fp6 *fp6, uint32_t route,
		const uint8_t dst[16], uint8_t nh[16], uint8_t *port_idx)
{
	const uint8_t *gw = fp6->route_gw[route];

	memmove(nh, fp_ip6_is_zero(gw) ? dst : gw, 16);
	*port_idx = fp6->route_port[route];
}

int
haven_route6_lookup(const struct haven_fp *fp, const uint8_t dst[16],
		uint8_t nh[16], uint8_t *port_idx)
{
	const struct haven_fp6 *fp6 = fp->fp6;
	uint32_t route;
	unsigned int i;

	if (fp6 == NULL)
		return -ENETUNREACH;
	if (fp6->routes != NULL &&
	    rte_lpm6_lookup(fp6->routes, dst, &route) == 0) {
		route_next_hop(fp6, route, dst, nh, port_idx);
		return 0;
	}
	for (i = 0; i < fp->n_ports && i < HAVEN_MAX_PORTS; i++) {
		if (fp6->port_has_addr[i] && fp6->port_prefix_len[i] > 0 &&
		    prefix_match(dst, fp6->port_addr[i],
				fp6->port_prefix_len[i])) {
			memmove(nh, dst, 16);
			*port_idx = i;
			return 0;
		}
	}
	if (fp6->has_default_route) {
		route_next_hop(fp6, fp6->default_route, dst, nh, port_idx);
		return 0;
	}
	return -ENETUNREACH;
}

void
haven_fp6_dad_watch(struct haven_fp6 *fp6, const uint8_t addr[16])
{
	unsigned int set = fp_dad6_set(addr), way;

	if (fp_ip6_is_zero(addr))
		return;
	if (fp_ip6_eq(fp6->dad[set][0], addr))
		way = 0;
	else if (fp_ip6_eq(fp6->dad[set][1], addr))
		way = 1;
	else
		way = fp6->dad_stamp[set][0] <= fp6->dad_stamp[set][1] ? 0 : 1;
	fp6->dad_stamp[set][way] = ++fp6->dad_clock;
	/*
	 * A worker reading the entry meanwhile may see it torn: it then
	 * matches neither address, which can only cost the address given
	 * way (already forgotten). The probe leaves after this store is
	 * visible, so an answer to it always finds addr.
	 */
	memcpy(fp6->dad[set][way], addr, 16);
	rte_smp_wmb();
}
