/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table and next-hop routes.
 *
 * The control lcore resolves next hops (ARP) and writes the neighbour
 * table through haven_neigh_get() and haven_neigh_update(); workers read
 * it without locks through fastpath_private.h. Routes live in an rte_lpm
 * whose next hop is a route index into fp->route_gw (the gateway, 0 for a
 * connected prefix) and fp->route_port (the port index); a destination
 * the LPM does not know but that lies on a port's own subnet is connected
 * too, so a configuration without routes still reaches the home link.
 */

#include <errno.h>
#include <string.h>

#include <rte_lpm.h>

#include "haven_fastpath.h"
#include "fastpath_private.h"

int
haven_neigh_find(const struct haven_fp *fp, uint32_t ip)
{
	return fp_neigh_lookup(fp->neigh, ip);
}

int
haven_neigh_get(struct haven_fp *fp, uint32_t ip, uint8_t port)
{
	unsigned int i, idx = fp_neigh_hash(ip);
	struct haven_neigh *n, *spare = NULL;

	/* The live entry of ip, if any, lies before the first FREE one. */
	for (i = 0; i < HAVEN_NEIGH_MAX; i++) {
		n = &fp->neigh[idx];
		if (n->state == HAVEN_NEIGH_FREE)
			break;
		if (n->state <= HAVEN_NEIGH_REACHABLE && n->ip == ip)
			return (int)idx;
		if (n->state == HAVEN_NEIGH_RECYCLED && spare == NULL)
			spare = n;
		idx = (idx + 1) & FP_NEIGH_MASK;
	}
	n = spare != NULL ? spare : i < HAVEN_NEIGH_MAX ? &fp->neigh[idx] : NULL;
	if (n == NULL)
		return -ENOSPC;
	n->ip = ip;
	n->port = port;
	memset(&n->mac, 0, sizeof(n->mac));
	/* Publish: readers see ip and port once state is set. */
	__atomic_store_n(&n->state, HAVEN_NEIGH_INCOMPLETE, __ATOMIC_RELEASE);
	return (int)(n - fp->neigh);
}

void
haven_neigh_update(struct haven_fp *fp, int idx,
		const struct rte_ether_addr *mac)
{
	if (idx < 0 || idx >= HAVEN_NEIGH_MAX)
		return;
	fp_neigh_set_mac(&fp->neigh[idx].state, &fp->neigh[idx].mac, mac);
}

void
haven_neigh_delete(struct haven_fp *fp, int idx)
{
	if (idx < 0 || idx >= HAVEN_NEIGH_MAX ||
	    fp->neigh[idx].state == HAVEN_NEIGH_FREE ||
	    fp->neigh[idx].state > HAVEN_NEIGH_REACHABLE)
		return;
	__atomic_store_n(&fp->neigh[idx].state, HAVEN_NEIGH_DELETED,
			__ATOMIC_RELEASE);
}

void
haven_neigh_recycle(struct haven_fp *fp, int idx)
{
	if (idx < 0 || idx >= HAVEN_NEIGH_MAX || fp->neigh[idx].state != HAVEN_NEIGH_DELETED)
		return;
	__atomic_store_n(&fp->neigh[idx].state, HAVEN_NEIGH_RECYCLED,
			__ATOMIC_RELEASE);
}

int
haven_route_lookup(const struct haven_fp *fp, uint32_t dst,
		uint32_t *nh, uint8_t *port_idx)
{
	uint32_t route;
	unsigned int i;

	if (fp->routes != NULL &&
	    rte_lpm_lookup(fp->routes, rte_be_to_cpu_32(dst), &route) == 0) {
		uint32_t gw = fp->route_gw[route];

		*nh = gw != 0 ? gw : dst;
		*port_idx = fp->route_port[route];
		return 0;
	}
	for (i = 0; i < fp->n_ports; i++) {
		const struct haven_fp_port *p = &fp->ports[i];

		if (p->mask != 0 && ((dst ^ p->addr) & p->mask) == 0) {
			*nh = dst;
			*port_idx = i;
			return 0;
		}
	}
	if (fp->has_default_route) {
		route = fp->default_route;
		*nh = fp->route_gw[route];
		*port_idx = fp->route_port[route];
		return 0;
	}
	return -ENETUNREACH;
}
