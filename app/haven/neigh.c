/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour resolution on the control lcore.
 *
 * Workers read the neighbour table (lib/fastpath) but never write it: a
 * packet whose next hop has no Ethernet address yet reaches the control
 * lcore, which holds it (a few per neighbour), asks with ARP, and sends
 * what it held once the answer comes. Held packets that wait too long are
 * dropped and counted: none is leaked. The control lcore learns addresses
 * from every ARP packet the workers punt to it. The hold queue itself
 * (section "Held packets") serves IPv6 too: neigh6.c gives it Neighbor
 * Solicitations instead of ARP requests.
 */

#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "haven.h"

/* ---------------------------------------------------------------------
 * Held packets, both families
 */

void
haven_ctl_tx_to(struct haven_app *app, unsigned int p,
		const struct rte_ether_addr *mac, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(mac, &eth->dst_addr);
	rte_ether_addr_copy(&app->fp.ports[p].mac, &eth->src_addr);
	haven_ctl_tx(app, p, m);
}

void
haven_hold_start(struct haven_app *app, const struct haven_holdq *q, int idx)
{
	struct haven_hold *h = &q->holds[idx];

	h->tries = 1;
	h->next_try = rte_get_timer_cycles() +
		rte_get_timer_hz() * q->retry_ms / 1000;
	q->solicit(app, idx);
}

void
haven_hold_add(struct haven_app *app, const struct haven_holdq *q, int idx,
		struct rte_mbuf *m)
{
	struct haven_hold *h = &q->holds[idx];

	if (h->n == HAVEN_HOLD_PER_NEIGH) {
		(*q->held_dropped)++;
		rte_pktmbuf_free(m);
		return;
	}
	h->pkts[h->n++] = m;
	if (h->tries == 0) {
		/* A neighbour that had given up: ask again now. */
		haven_hold_start(app, q, idx);
	}
}

void
haven_hold_flush(struct haven_app *app, const struct haven_holdq *q, int idx,
		unsigned int p, const struct rte_ether_addr *mac)
{
	struct haven_hold *h = &q->holds[idx];
	int i;

	for (i = 0; i < h->n; i++) {
		(*q->held_sent)++;
		haven_ctl_tx_to(app, p, mac, h->pkts[i]);
	}
	h->n = 0;
	h->tries = 0;
}

void
haven_hold_tick(struct haven_app *app, const struct haven_holdq *q, int idx,
		uint64_t now)
{
	struct haven_hold *h = &q->holds[idx];
	int i;

	if (h->tries == 0 || now < h->next_try)
		return;
	if (h->tries < q->tries) {
		h->tries++;
		h->next_try = now + rte_get_timer_hz() * q->retry_ms / 1000;
		q->solicit(app, idx);
		return;
	}
	for (i = 0; i < h->n; i++)
		rte_pktmbuf_free(h->pkts[i]);
	*q->held_dropped += h->n;
	h->n = 0;
	h->tries = 0;
}

/* ---------------------------------------------------------------------
 * IPv4: ARP
 */

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

/* The IPv4 hold queue: ARP requests, IPv4 counters. */
static struct haven_holdq
holdq(struct haven_app *app)
{
	return (struct haven_holdq){
		.holds = app->holds,
		.tries = HAVEN_ARP_TRIES,
		.retry_ms = HAVEN_ARP_RETRY_MS,
		.held_sent = &app->stats.held_sent,
		.held_dropped = &app->stats.held_dropped,
		.solicit = send_arp_request,
	};
}

int
haven_ctl_neigh_for(struct haven_app *app, uint32_t nh, uint8_t port)
{
	const struct haven_holdq q = holdq(app);
	int idx = haven_neigh_find(&app->fp, nh);

	if (idx >= 0)
		return idx;
	idx = haven_neigh_get(&app->fp, nh, port);
	if (idx < 0)
		return -1;
	haven_hold_start(app, &q, idx);
	return idx;
}

void
haven_ctl_send_ip(struct haven_app *app, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	const struct haven_holdq q = holdq(app);
	const struct haven_neigh *n;
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
		return;
	}
	n = &app->fp.neigh[idx];
	if (n->state == HAVEN_NEIGH_REACHABLE)
		haven_ctl_tx_to(app, n->port, &n->mac, m);
	else
		haven_hold_add(app, &q, idx, m);
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
	const struct haven_holdq q = holdq(app);
	const struct rte_arp_hdr *arp;
	const struct haven_neigh *n;
	int idx;

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
	n = &app->fp.neigh[idx];
	haven_hold_flush(app, &q, idx, n->port, &n->mac);
out:
	rte_pktmbuf_free(m);
}

void
haven_resolve_tick(struct haven_app *app)
{
	const struct haven_holdq q = holdq(app);
	uint64_t now = rte_get_timer_cycles();
	int idx;

	for (idx = 0; idx < HAVEN_NEIGH_MAX; idx++)
		if (app->fp.neigh[idx].state == HAVEN_NEIGH_INCOMPLETE)
			haven_hold_tick(app, &q, idx, now);
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
