/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next-hop resolution on the control lcore, both families.
 *
 * A packet whose next hop has no Ethernet address yet (a registration
 * reply, a delegation message, a tunnelled packet a worker punted) is held
 * here, a few per neighbour, while the neighbour is solicited (ARP request
 * or Neighbor Solicitation, up to HAVEN_SOLICIT_TRIES, one RetransTimer
 * apart); when the answer comes what was held is sent, when it does not
 * what was held is dropped and counted: nothing is leaked. The wire is
 * arp.c's and ndisc.c's (struct link_family); this file never branches on
 * the family.
 */

#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_malloc.h>

#include "link.h"
#include "link_private.h"
#include "rt.h"

#define CONFLICT_HOOKS 4

/* Writer: this file. The families (link.c registers them) and one hold
 * queue per neighbour entry of each. */
static struct link_family *families[2];
static struct link_hold *holds[2];
static struct {
	void (*fn)(const struct haven_addr *a, void *arg);
	void *arg;
} conflict_hooks[CONFLICT_HOOKS];

struct link_family *
link_family_of(uint8_t family)
{
	if (family == HAVEN_AF_INET)
		return families[0];
	if (family == HAVEN_AF_INET6)
		return families[1];
	return NULL;
}

int
link_family_register(struct link_family *f)
{
	unsigned int k = f->family == HAVEN_AF_INET6;

	memset(&f->stats, 0, sizeof(f->stats));
	holds[k] = rte_zmalloc("haven_holds", sizeof(*holds[k]) * f->size, 0);
	if (holds[k] == NULL)
		return -ENOMEM;
	families[k] = f;
	return 0;
}

static struct link_hold *
hold_of(const struct link_family *f, int idx)
{
	return &holds[f->family == HAVEN_AF_INET6][idx];
}

void
link_tx_to(unsigned int p, const struct rte_ether_addr *mac,
		struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(mac, &eth->dst_addr);
	rte_ether_addr_copy(haven_rt_port_mac(p), &eth->src_addr);
	haven_rt_tx(p, m);
}

void
link_drop(struct link_family *f, struct rte_mbuf *m)
{
	if (f != NULL)
		f->stats.held_dropped++;
	rte_pktmbuf_free(m);
}

/* ---------------------------------------------------------------------
 * Held packets
 */

static void
hold_start(struct link_family *f, int idx)
{
	struct link_hold *h = hold_of(f, idx);

	h->tries = 1;
	h->next_try_ms = haven_now_ms() + HAVEN_SOLICIT_RETRY_MS;
	f->stats.solicits_sent++;
	f->solicit(idx);
}

static void
hold_add(struct link_family *f, int idx, struct rte_mbuf *m)
{
	struct link_hold *h = hold_of(f, idx);

	if (h->n == HAVEN_HOLD_PER_NEIGH) {
		link_drop(f, m);
		return;
	}
	h->pkts[h->n++] = m;
	if (h->tries == 0)
		hold_start(f, idx);	/* it had given up: ask again now */
}

static void
hold_flush(struct link_family *f, int idx)
{
	struct link_hold *h = hold_of(f, idx);
	unsigned int p = f->port(idx);
	int i;

	for (i = 0; i < h->n; i++) {
		f->stats.held_sent++;
		link_tx_to(p, f->mac(idx), h->pkts[i]);
	}
	h->n = 0;
	h->tries = 0;
}

static void
hold_tick(struct link_family *f, int idx, uint64_t now)
{
	struct link_hold *h = hold_of(f, idx);
	int i;

	if (h->tries == 0 || now < h->next_try_ms)
		return;
	if (h->tries < HAVEN_SOLICIT_TRIES) {
		h->tries++;
		h->next_try_ms = now + HAVEN_SOLICIT_RETRY_MS;
		f->stats.solicits_sent++;
		f->solicit(idx);
		return;
	}
	for (i = 0; i < h->n; i++)
		rte_pktmbuf_free(h->pkts[i]);
	f->stats.held_dropped += h->n;
	h->n = 0;
	h->tries = 0;
}

void
link_resolve_tick(uint64_t now)
{
	unsigned int k;
	int idx;

	for (k = 0; k < RTE_DIM(families); k++) {
		struct link_family *f = families[k];

		for (idx = 0; f != NULL && idx < (int)f->size; idx++)
			if (f->state(idx) == HAVEN_NEIGH_INCOMPLETE)
				hold_tick(f, idx, now);
	}
}

/* ---------------------------------------------------------------------
 * Resolution
 */

int
haven_link_route(const struct haven_addr *dst, struct haven_addr *nh,
		uint8_t *port)
{
	struct link_family *f = link_family_of(dst->family);

	return f != NULL ? f->route(dst, nh, port) : -ENETUNREACH;
}

int
haven_link_neigh(const struct haven_addr *nh, uint8_t port)
{
	struct link_family *f = link_family_of(nh->family);
	int idx;

	if (f == NULL)
		return -1;
	idx = f->find(nh);
	if (idx >= 0)
		return idx;
	idx = f->get(nh, port);
	if (idx < 0)
		return -1;
	hold_start(f, idx);
	return idx;
}

void
link_learn(struct link_family *f, const struct haven_addr *ip,
		const struct rte_ether_addr *mac)
{
	int idx = f->find(ip);

	if (idx < 0)
		return;	/* not a next hop of ours: nothing to learn */
	f->update(idx, mac);
	hold_flush(f, idx);
}

void
haven_link_send(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct link_family *f = link_family_of(
		eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6) ?
			HAVEN_AF_INET6 : HAVEN_AF_INET);
	struct haven_addr dst, nh;
	uint8_t port;
	int idx;

	if (f == NULL || f->frame_dst(m, &dst) != 0 ||
	    f->route(&dst, &nh, &port) != 0) {
		link_drop(f, m);
		return;
	}
	idx = haven_link_neigh(&nh, port);
	if (idx < 0) {
		link_drop(f, m);
		return;
	}
	if (f->state(idx) == HAVEN_NEIGH_REACHABLE)
		link_tx_to(f->port(idx), f->mac(idx), m);
	else
		hold_add(f, idx, m);
}

int
haven_link_send_udp4(uint32_t src, uint32_t dst, uint16_t sport,
		uint16_t dport, const void *payload, uint16_t len)
{
	struct rte_ether_addr zero = { 0 };
	struct rte_mbuf *m = haven_rt_mbuf();

	if (m == NULL)
		return -ENOMEM;
	if (haven_build_udp(m, haven_rt_port_mac(haven_rt_home_port()), &zero,
			src, dst, sport, dport, payload, len) != 0) {
		rte_pktmbuf_free(m);
		return -ENOSPC;
	}
	haven_link_send(m);
	return 0;
}

int
haven_link_send_ip6(const void *pkt, uint16_t len)
{
	struct rte_ether_addr zero = { 0 };
	struct rte_mbuf *m;
	int rc;

	if (!haven_rt_has_ip6())
		return -ENOTSUP;
	m = haven_rt_mbuf();
	if (m == NULL)
		return -ENOMEM;
	rc = haven_build_ip6(m, haven_rt_port_mac(haven_rt_home_port()), &zero,
			pkt, len);
	if (rc != 0) {
		rte_pktmbuf_free(m);
		return rc;
	}
	haven_link_send(m);
	return 0;
}

void
link_resolve_punt(struct rte_mbuf *m)
{
	/* A worker could not send it: the outer destination decides. */
	haven_link_send(m);
}

/* ---------------------------------------------------------------------
 * Announcements and news
 */

void
haven_link_announce(const struct haven_addr *addr)
{
	struct link_family *f = link_family_of(addr->family);

	if (f == NULL)
		return;
	f->stats.announces_sent++;
	f->announce(addr, haven_rt_port_mac(haven_rt_home_port()));
}

void
haven_link_announce_mac(const struct haven_addr *addr,
		const struct rte_ether_addr *mac)
{
	struct link_family *f = link_family_of(addr->family);

	if (f == NULL || addr->family != HAVEN_AF_INET)
		return;
	f->stats.announces_sent++;
	f->announce(addr, mac);
}

int
haven_link_conflict_hook_add(void (*fn)(const struct haven_addr *a,
		void *arg), void *arg)
{
	unsigned int i;

	for (i = 0; i < CONFLICT_HOOKS; i++)
		if (conflict_hooks[i].fn == NULL) {
			conflict_hooks[i].fn = fn;
			conflict_hooks[i].arg = arg;
			return 0;
		}
	return -ENOSPC;
}

void
link_conflict(const struct haven_addr *a)
{
	unsigned int i;

	for (i = 0; i < CONFLICT_HOOKS; i++)
		if (conflict_hooks[i].fn != NULL)
			conflict_hooks[i].fn(a, conflict_hooks[i].arg);
}

unsigned int
haven_link_held(uint8_t family, int idx)
{
	struct link_family *f = link_family_of(family);

	return f != NULL && idx >= 0 && idx < (int)f->size ?
		hold_of(f, idx)->n : 0;
}

const struct haven_link_stats *
haven_link_stats(uint8_t family)
{
	static const struct haven_link_stats none;
	const struct link_family *f = link_family_of(family);

	return f != NULL ? &f->stats : &none;
}
