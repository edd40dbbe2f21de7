/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 tables and Neighbor Discovery on the control lcore: the mirror of
 * neigh.c for IPv6.
 *
 * haven_ip6_tables_init() builds what the workers read for IPv6 (struct
 * haven_fp6: the IPv6 binding table on the same RCU variable as the IPv4
 * one, the IPv6 neighbour table, the rte_lpm6 routes) before they start.
 * Workers never resolve: a packet whose IPv6 next hop has no Ethernet
 * address yet reaches the control lcore, which holds it (a few per
 * neighbour), sends Neighbor Solicitations (RFC 4861 7.2.2: up to
 * HAVEN_NS_TRIES, one RetransTimer apart) and sends what it held when the
 * Neighbor Advertisement comes; what times out is freed and counted. The
 * hold queue is neigh.c's, given NS instead of ARP and IPv6 counters.
 * Every NA and NS the workers punt is read here: neighbours are learnt,
 * and an NA for, or a DAD probe of, a home address under duplicate
 * address detection fails that detection (registration6.c).
 */

#include <errno.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_errno.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>

#include "haven6.h"

const char *
haven_ip6_str(const uint8_t a[16], char *buf)
{
	if (inet_ntop(AF_INET6, a, buf, HAVEN_IP6_STRLEN) == NULL)
		strcpy(buf, "?");
	return buf;
}

/* ---------------------------------------------------------------------
 * Tables
 */

static bool
config_has_ip6(const struct haven_config *cfg)
{
	unsigned int i;

	if (cfg->has_ha_addr6)
		return true;
	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].has_addr6)
			return true;
	return false;
}

/*
 * One connected route per port with an IPv6 subnet (route index = port
 * index, next hop: the destination itself), then the configured routes
 * (index n_ports + i, next hop: their gateway). rte_lpm6 takes no depth
 * 0, so ::/0 is kept aside as the default route, as IPv4 does.
 */
static int
routes6_init(struct haven_app *app, struct haven_fp6 *fp6)
{
	const struct haven_config *cfg = &app->cfg;
	unsigned int n = cfg->n_ports + cfg->n_routes6, i;
	struct rte_lpm6_config lc = {
		.max_rules = n + 1,
		.number_tbl8s = 1 << 12,
	};

	fp6->routes = rte_lpm6_create("haven_routes6", rte_socket_id(), &lc);
	fp6->route_gw = rte_zmalloc("haven_route6_gw",
			sizeof(*fp6->route_gw) * (n + 1), 0);
	fp6->route_port = rte_zmalloc("haven_route6_port", n + 1, 0);
	if (fp6->routes == NULL || fp6->route_gw == NULL ||
	    fp6->route_port == NULL)
		return -ENOMEM;
	for (i = 0; i < cfg->n_ports; i++) {
		const struct haven_config_port *p = &cfg->ports[i];

		fp6->route_port[i] = i;
		if (!p->has_addr6)
			continue;
		if (rte_lpm6_add(fp6->routes, p->addr6, p->prefix_len6, i) != 0)
			return -EINVAL;
	}
	for (i = 0; i < cfg->n_routes6; i++) {
		const struct haven_config_route6 *r = &cfg->routes6[i];
		uint32_t idx = cfg->n_ports + i;

		memcpy(fp6->route_gw[idx], r->gateway, 16);
		fp6->route_port[idx] = r->port;
		if (r->prefix_len == 0) {
			fp6->has_default_route = true;
			fp6->default_route = idx;
		} else if (rte_lpm6_add(fp6->routes, r->prefix, r->prefix_len,
				idx) != 0) {
			return -EINVAL;
		}
	}
	return 0;
}

int
haven_ip6_tables_init(struct haven_app *app)
{
	const struct haven_config *cfg = &app->cfg;
	struct haven_binding_prefix home;
	struct haven_app6 *a6;
	struct haven_fp6 *fp6;
	unsigned int i;
	int rc;

	if (!config_has_ip6(cfg))
		return 0;	/* IPv4 only: app->ip6 stays NULL */
	a6 = rte_zmalloc("haven_app6", sizeof(*a6), RTE_CACHE_LINE_SIZE);
	if (a6 == NULL)
		return -ENOMEM;
	app->ip6 = a6;
	fp6 = &a6->fp6;
	for (i = 0; i < cfg->n_ports; i++) {
		fp6->port_has_addr[i] = cfg->ports[i].has_addr6;
		memcpy(fp6->port_addr[i], cfg->ports[i].addr6, 16);
		fp6->port_prefix_len[i] = cfg->ports[i].prefix_len6;
	}
	if (cfg->has_ha_addr6) {
		memcpy(fp6->ha_addr, cfg->ha_addr6, 16);
	} else {
		/* A pure secondary: its first port's IPv6 address. */
		for (i = 0; i < cfg->n_ports; i++)
			if (cfg->ports[i].has_addr6) {
				memcpy(fp6->ha_addr, cfg->ports[i].addr6, 16);
				break;
			}
	}
	/* The home prefix (a /64 goes through the hashed fallback). */
	home.addr = haven_addr6(cfg->home_prefix6);
	home.len = cfg->home_prefix6_len;
	fp6->bindings = haven_binding6_table_create("haven_bind6",
			cfg->max_bindings, app->n_workers, app->fp.qsbr,
			rte_socket_id(), &home, cfg->home_prefix6_len != 0);
	if (fp6->bindings == NULL) {
		HAVEN_LOG(ERR, "IPv6 binding table of %u: %s\n",
			cfg->max_bindings, rte_strerror(rte_errno));
		return rte_errno > 0 ? -rte_errno : -ENOMEM;
	}
	fp6->neigh = rte_zmalloc("haven_neigh6",
			sizeof(*fp6->neigh) * HAVEN_NEIGH6_MAX,
			RTE_CACHE_LINE_SIZE);
	a6->holds = rte_zmalloc("haven_holds6",
			sizeof(*a6->holds) * HAVEN_NEIGH6_MAX, 0);
	if (fp6->neigh == NULL || a6->holds == NULL)
		return -ENOMEM;
	rc = routes6_init(app, fp6);
	if (rc != 0) {
		HAVEN_LOG(ERR, "IPv6 routes: %s\n", strerror(-rc));
		return rc;
	}
	app->fp.fp6 = fp6;	/* workers handle 0x86DD from now on */
	return 0;
}

/* ---------------------------------------------------------------------
 * Resolution
 */

static const uint8_t *
port_src6(const struct haven_app *app, unsigned int port)
{
	const struct haven_fp6 *fp6 = &app->ip6->fp6;

	return fp6->port_has_addr[port] ? fp6->port_addr[port] : fp6->ha_addr;
}

static void
send_ns(struct haven_app *app, int idx)
{
	const struct haven_neigh6 *n = &app->ip6->fp6.neigh[idx];
	struct rte_mbuf *m = rte_pktmbuf_alloc(app->fp.pool);

	if (m == NULL)
		return;
	haven_build_ns(m, &app->fp.ports[n->port].mac, port_src6(app, n->port),
		n->ip);
	app->ip6->stats.ns_sent++;
	haven_ctl_tx(app, n->port, m);
}

/* The IPv6 hold queue (neigh.c): Neighbor Solicitations, IPv6 counters. */
static struct haven_holdq
holdq6(struct haven_app *app)
{
	return (struct haven_holdq){
		.holds = app->ip6->holds,
		.tries = HAVEN_NS_TRIES,
		.retry_ms = HAVEN_NS_RETRY_MS,
		.held_sent = &app->ip6->stats.held_sent,
		.held_dropped = &app->ip6->stats.held_dropped,
		.solicit = send_ns,
	};
}

int
haven_ctl_neigh6_for(struct haven_app *app, const uint8_t nh[16],
		uint8_t port)
{
	const struct haven_holdq q = holdq6(app);
	struct haven_fp6 *fp6 = &app->ip6->fp6;
	int idx = haven_neigh6_find(fp6, nh);

	if (idx >= 0)
		return idx;
	idx = haven_neigh6_get(fp6, nh, port);
	if (idx < 0)
		return -1;
	haven_hold_start(app, &q, idx);
	return idx;
}

void
haven_ctl_send_ip6(struct haven_app *app, struct rte_mbuf *m)
{
	const struct haven_ip6_hdr *ip;
	const struct haven_neigh6 *n;
	struct haven_holdq q;
	uint8_t nh[16], port;
	int idx;

	if (app->ip6 == NULL || rte_pktmbuf_data_len(m) <
			sizeof(struct rte_ether_hdr) + sizeof(*ip))
		goto drop;
	ip = rte_pktmbuf_mtod_offset(m, const struct haven_ip6_hdr *,
			sizeof(struct rte_ether_hdr));
	if (haven_route6_lookup(&app->fp, ip->dst, nh, &port) != 0)
		goto drop;
	idx = haven_ctl_neigh6_for(app, nh, port);
	if (idx < 0)
		goto drop;
	n = &app->ip6->fp6.neigh[idx];
	if (n->state == HAVEN_NEIGH_REACHABLE) {
		haven_ctl_tx_to(app, n->port, &n->mac, m);
	} else {
		q = holdq6(app);
		haven_hold_add(app, &q, idx, m);
	}
	return;
drop:
	if (app->ip6 != NULL)
		app->ip6->stats.held_dropped++;
	rte_pktmbuf_free(m);
}

int
haven_ctl_send_ip6_pkt(struct haven_app *app, const void *pkt, uint16_t len)
{
	struct rte_ether_addr zero = { 0 };
	struct rte_mbuf *m = rte_pktmbuf_alloc(app->fp.pool);
	int rc;

	if (m == NULL)
		return -ENOMEM;
	rc = haven_build_ip6(m, &app->fp.ports[app->fp.home_port].mac, &zero,
			pkt, len);
	if (rc != 0) {
		rte_pktmbuf_free(m);
		return rc;
	}
	haven_ctl_send_ip6(app, m);
	return 0;
}

void
haven_resolve6_tick(struct haven_app *app)
{
	uint64_t now = rte_get_timer_cycles();
	struct haven_holdq q;
	int idx;

	if (app->ip6 == NULL)
		return;
	q = holdq6(app);
	for (idx = 0; idx < HAVEN_NEIGH6_MAX; idx++)
		if (app->ip6->fp6.neigh[idx].state == HAVEN_NEIGH_INCOMPLETE)
			haven_hold_tick(app, &q, idx, now);
}

/* A neighbour's address is known: record it, send what waited for it. */
static void
learn(struct haven_app *app, const uint8_t ip[16],
		const struct rte_ether_addr *mac)
{
	struct haven_fp6 *fp6 = &app->ip6->fp6;
	const struct haven_holdq q = holdq6(app);
	int idx = haven_neigh6_find(fp6, ip);

	if (idx < 0)
		return;	/* not a next hop of ours: nothing to learn */
	haven_neigh6_update(fp6, idx, mac);
	haven_hold_flush(app, &q, idx, fp6->neigh[idx].port,
		&fp6->neigh[idx].mac);
}

/* ---------------------------------------------------------------------
 * Neighbor Discovery input
 */

/*
 * Validate a Neighbor Advertisement directly after the IPv6 header (RFC
 * 4861 7.1.2): hop limit 255, checksum, code 0, length >= 24, target not
 * multicast, S clear toward a multicast destination, options of non-zero
 * length inside the packet. Fills the target and its link-layer option.
 */
static int
parse_na(const uint8_t *buf, size_t len, uint8_t target[16],
		bool *has_tlla, struct rte_ether_addr *tlla)
{
	const struct haven_ip6_hdr *ip = (const struct haven_ip6_hdr *)buf;
	const struct haven_nd_na *na;
	size_t plen, off;

	if (len < sizeof(*ip) + HAVEN_ND_MIN_LEN)
		return -EINVAL;
	plen = rte_be_to_cpu_16(ip->payload_len);
	if (ip->proto != HAVEN_IPPROTO_ICMPV6 ||
	    ip->hop_limit != HAVEN_ND_HOP_LIMIT ||
	    plen < HAVEN_ND_MIN_LEN || sizeof(*ip) + plen > len)
		return -EINVAL;
	na = (const struct haven_nd_na *)(buf + sizeof(*ip));
	if (na->type != HAVEN_ND_NA || na->code != 0 ||
	    na->target[0] == 0xff ||
	    (ip->dst[0] == 0xff && (na->flags & HAVEN_ND_NA_F_S)))
		return -EINVAL;
	if (haven_icmp6_cksum(ip->src, ip->dst, (const uint8_t *)na, plen) !=
	    rte_be_to_cpu_16(na->cksum))
		return -EINVAL;
	memcpy(target, na->target, 16);
	*has_tlla = false;
	for (off = sizeof(*na); off + 2 <= plen; ) {
		const uint8_t *o = (const uint8_t *)na + off;
		size_t olen = (size_t)o[1] * 8;

		if (olen == 0 || off + olen > plen)
			return -EINVAL;
		if (o[0] == HAVEN_ND_OPT_TLLA && olen >= 8) {
			*has_tlla = true;
			memcpy(tlla, o + 2, RTE_ETHER_ADDR_LEN);
		}
		off += olen;
	}
	return 0;
}

static bool
from_us(const struct haven_app *app, const struct rte_ether_hdr *eth)
{
	unsigned int i;

	for (i = 0; i < app->fp.n_ports; i++)
		if (rte_is_same_ether_addr(&eth->src_addr,
				&app->fp.ports[i].mac))
			return true;
	return false;
}

void
haven_ctl_nd_input(struct haven_app *app, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	const uint8_t *ip;
	size_t len;

	if (app->ip6 == NULL || rte_pktmbuf_linearize(m) != 0 ||
	    rte_pktmbuf_data_len(m) < sizeof(*eth) +
			sizeof(struct haven_ip6_hdr) + HAVEN_ND_MIN_LEN)
		goto out;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (from_us(app, eth))
		goto out;	/* our own probe or advertisement, looped */
	ip = (const uint8_t *)(eth + 1);
	len = rte_pktmbuf_data_len(m) - sizeof(*eth);
	if (ip[sizeof(struct haven_ip6_hdr)] == HAVEN_ND_NS) {
		struct haven_nd_ns_info ns;
		struct rte_ether_addr mac;

		if (haven_nd_parse_ns(ip, len, &ns, NULL, 0) != 0)
			goto out;
		if (ns.dad) {
			/* RFC 4862 5.4.3: someone else probes it too. */
			haven_mn6_dad_conflict(app, ns.target);
		} else if (ns.has_slla) {
			memcpy(&mac, ns.slla, sizeof(mac));
			learn(app, ns.src, &mac);
		}
	} else if (ip[sizeof(struct haven_ip6_hdr)] == HAVEN_ND_NA) {
		uint8_t target[16];
		struct rte_ether_addr tlla;
		bool has_tlla;

		if (parse_na(ip, len, target, &has_tlla, &tlla) != 0)
			goto out;
		/* RFC 4862 5.4.4: an NA for a tentative address: in use. */
		haven_mn6_dad_conflict(app, target);
		learn(app, target, has_tlla ? &tlla : &eth->src_addr);
	}
out:
	rte_pktmbuf_free(m);
}

/* ---------------------------------------------------------------------
 * Announcements on the home link
 */

void
haven_send_unsolicited_na(struct haven_app *app, const uint8_t target[16])
{
	static const uint8_t all_nodes[16] = {
		0xff, 0x02, [15] = 0x01,
	};
	const struct haven_fp_port *p = &app->fp.ports[app->fp.home_port];
	struct rte_ether_addr dst;
	struct rte_mbuf *m = rte_pktmbuf_alloc(app->fp.pool);

	if (m == NULL)
		return;
	haven_nd_mcast_mac(all_nodes, dst.addr_bytes);
	/* RFC 6275 10.4.1: Override set, Solicited and Router clear. */
	haven_build_na(m, &p->mac, &dst, port_src6(app, app->fp.home_port),
		all_nodes, target, HAVEN_ND_NA_F_O, &p->mac);
	app->ip6->stats.na_sent++;
	haven_ctl_tx(app, app->fp.home_port, m);
}

void
haven_send_dad_probe(struct haven_app *app, const uint8_t target[16])
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(app->fp.pool);

	if (m == NULL)
		return;
	haven_build_ns(m, &app->fp.ports[app->fp.home_port].mac, NULL, target);
	haven_ctl_tx(app, app->fp.home_port, m);
}
