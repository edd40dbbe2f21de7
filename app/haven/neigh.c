/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour resolution on the control lcore.
 *
 * Workers read the neighbour table (lib/fastpath) but never write it: a
 * packet whose next hop has no Ethernet address yet reaches the control
 * lcore, which holds it (a few per neighbour), asks with ARP, and sends
 * what it held once the answer comes. Held packets that wait too long are
 * dropped and counted: none is leaked. The control lcore learns addresses
 * from every ARP packet the workers punt to it.
 */

#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "haven.h"

int
haven_resolve_init(struct haven_app *app)
{
	app->holds = rte_zmalloc("haven_holds",
			sizeof(*app->holds) * HAVEN_NEIGH_MAX, 0);
	return app->holds == NULL ? -ENOMEM : 0;
}

static void
send_arp_request(struct haven_app *app, int idx)
{
	const struct haven_neigh *n = &app->fp.neigh[idx];
	const struct haven_fp_port *p = &app->fp.ports[n->port];
	struct rte_ether_addr bcast, zero;
	struct rte_mbuf *m = rte_pktmbuf_alloc(app->fp.pool);

	if (m == NULL)
		return;
	memset(&bcast, 0xff, sizeof(bcast));
	memset(&zero, 0, sizeof(zero));
	haven_build_arp(m, RTE_ARP_OP_REQUEST, &p->mac, &bcast, &p->mac,
			p->addr, &zero, n->ip);
	app->stats.arp_requests_sent++;
	haven_ctl_tx(app, n->port, m);
}

int
haven_ctl_neigh_for(struct haven_app *app, uint32_t nh, uint8_t port)
{
	int idx = haven_neigh_find(&app->fp, nh);

	if (idx >= 0)
		return idx;
	idx = haven_neigh_get(&app->fp, nh, port);
	if (idx < 0)
		return -1;
	app->holds[idx].tries = 1;
	app->holds[idx].next_try = rte_get_timer_cycles() +
		rte_get_timer_hz() * HAVEN_ARP_RETRY_MS / 1000;
	send_arp_request(app, idx);
	return idx;
}

/* Fill the Ethernet header of m toward a resolved neighbour and send. */
static void
send_to_neigh(struct haven_app *app, int idx, struct rte_mbuf *m)
{
	const struct haven_neigh *n = &app->fp.neigh[idx];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&n->mac, &eth->dst_addr);
	rte_ether_addr_copy(&app->fp.ports[n->port].mac, &eth->src_addr);
	haven_ctl_tx(app, n->port, m);
}

static void
hold(struct haven_app *app, int idx, struct rte_mbuf *m)
{
	struct haven_hold *h = &app->holds[idx];

	if (h->n == HAVEN_HOLD_PER_NEIGH) {
		app->stats.held_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	h->pkts[h->n++] = m;
	if (h->tries == 0) {
		/* A neighbour that had given up: ask again now. */
		h->tries = 1;
		h->next_try = rte_get_timer_cycles() +
			rte_get_timer_hz() * HAVEN_ARP_RETRY_MS / 1000;
		send_arp_request(app, idx);
	}
}

void
haven_ctl_send_ip(struct haven_app *app, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	uint32_t nh;
	uint8_t port;
	int idx;

	if (haven_route_lookup(&app->fp, ip->dst_addr, &nh, &port) != 0) {
		app->stats.held_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	idx = haven_ctl_neigh_for(app, nh, port);
	if (idx < 0) {
		app->stats.held_dropped++;
		rte_pktmbuf_free(m);
	} else if (app->fp.neigh[idx].state == HAVEN_NEIGH_REACHABLE) {
		send_to_neigh(app, idx, m);
	} else {
		hold(app, idx, m);
	}
}

void
haven_ctl_resolve_punt(struct haven_app *app, struct rte_mbuf *m)
{
	/* The worker encapsulated it; the outer destination decides. */
	haven_ctl_send_ip(app, m);
}

void
haven_ctl_arp_input(struct haven_app *app, struct rte_mbuf *m)
{
	const struct rte_arp_hdr *arp;
	struct haven_hold *h;
	int idx, i;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) +
			sizeof(struct rte_arp_hdr))
		goto out;
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *,
			sizeof(struct rte_ether_hdr));
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		goto out;
	idx = haven_neigh_find(&app->fp, arp->arp_data.arp_sip);
	if (idx < 0)
		goto out;
	haven_neigh_update(&app->fp, idx, &arp->arp_data.arp_sha);
	h = &app->holds[idx];
	for (i = 0; i < h->n; i++) {
		app->stats.held_sent++;
		send_to_neigh(app, idx, h->pkts[i]);
	}
	h->n = 0;
	h->tries = 0;
out:
	rte_pktmbuf_free(m);
}

void
haven_resolve_tick(struct haven_app *app)
{
	uint64_t now = rte_get_timer_cycles();
	int idx, i;

	for (idx = 0; idx < HAVEN_NEIGH_MAX; idx++) {
		struct haven_hold *h = &app->holds[idx];

		if (h->tries == 0 || now < h->next_try ||
		    app->fp.neigh[idx].state != HAVEN_NEIGH_INCOMPLETE)
			continue;
		if (h->tries < HAVEN_ARP_TRIES) {
			h->tries++;
			h->next_try = now +
				rte_get_timer_hz() * HAVEN_ARP_RETRY_MS / 1000;
			send_arp_request(app, idx);
			continue;
		}
		for (i = 0; i < h->n; i++)
			rte_pktmbuf_free(h->pkts[i]);
		app->stats.held_dropped += h->n;
		h->n = 0;
		h->tries = 0;
	}
}

void
haven_send_garp(struct haven_app *app, uint32_t ip,
		const struct rte_ether_addr *mac)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(app->fp.pool);

	if (m == NULL)
		return;
	haven_build_gratuitous_arp(m, mac, ip);
	app->stats.garp_sent++;
	haven_ctl_tx(app, app->fp.home_port, m);
}
