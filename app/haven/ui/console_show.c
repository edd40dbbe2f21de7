/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console's "show" commands: every piece of state an operator may ask
 * about, read on the control lcore between two turns of its loop (so a
 * table is never seen half-written): totals and drops, ports with their
 * ethdev statistics, routes, neighbours, configured mobile nodes (never
 * their keys), bindings (filtered and paged) and one binding in detail,
 * and the event record; and the same for Mobile IPv6 (bindings6,
 * binding6, mobile-nodes6, neighbours6, stats6).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "console.h"
#include "console_show.h"

#define BINDINGS_PER_PAGE 32	/**< rows of one "show bindings" page */
#define EVENTS_DEFAULT 20	/**< "show events" without a count */

/* ***** show stats ***** */

struct cmd_show_stats_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t stats;
};

static void
cmd_show_stats_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct haven_reg4_stats *c = haven_reg4_stats();
	const struct haven_link_stats *l = haven_link_stats(HAVEN_AF_INET);
	struct haven_worker_stats w;
	uint64_t accepted = c->replies[0] + c->replies[1], denied = 0;
	unsigned int i;

	(void)parsed;
	(void)data;
	haven_rt_worker_stats(&w);
	for (i = 2; i < 256; i++)
		denied += c->replies[i];
	cmdline_printf(cl,
		"  fast path (%u workers)\n"
		"    rx %lu  tx %lu  encapsulated %lu  decapsulated %lu\n"
		"    proxy ARP %lu  ICMP echo %lu  punted %lu\n"
		"  registrations\n"
		"    requests %lu  accepted %lu  denied %lu  dropped %lu\n"
		"    bindings %u  expired %lu\n"
		"    UDP tunnelled %lu  declined %lu  keepalives %lu  "
		"tunnel data dropped %lu\n"
		"  control\n"
		"    gratuitous ARP %lu  ARP requests %lu\n"
		"    held sent %lu  held dropped %lu  tx dropped %lu\n",
		haven_rt.n_workers, w.rx_pkts, w.tx_pkts, w.encap_pkts,
		w.decap_pkts, w.proxy_arp, w.icmp_echo, w.punted,
		c->requests, accepted, denied, c->dropped,
		haven_view_binding_count(HAVEN_AF_INET),
		haven_node_stats(HAVEN_AF_INET)->bindings_expired,
		c->udp_tunnelled, c->udp_declined, c->keepalives,
		c->tunnel_dropped,
		l->announces_sent, l->solicits_sent, l->held_sent,
		l->held_dropped, haven_rt.stats.tx_dropped);
}

static cmdline_parse_token_string_t cmd_show_stats_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_stats_result, show, "show");
static cmdline_parse_token_string_t cmd_show_stats_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_show_stats_result, stats, "stats");

cmdline_parse_inst_t cmd_show_stats = {
	.f = cmd_show_stats_parsed,
	.data = NULL,
	.help_str = "show stats: packet, registration and control totals",
	.tokens = {
		(void *)&cmd_show_stats_show,
		(void *)&cmd_show_stats_stats,
		NULL,
	},
};

/* ***** show drops ***** */

struct cmd_show_drops_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t drops;
};

static void
cmd_show_drops_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_worker_stats w;
	unsigned int i;

	(void)parsed;
	(void)data;
	haven_rt_worker_stats(&w);
	for (i = 0; i < HAVEN_DROP_MAX; i++)
		cmdline_printf(cl, "  %-20s %12lu  %s\n", haven_drop_key(i),
			w.drops[i], haven_drop_name(i));
}

static cmdline_parse_token_string_t cmd_show_drops_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_drops_result, show, "show");
static cmdline_parse_token_string_t cmd_show_drops_drops =
	TOKEN_STRING_INITIALIZER(struct cmd_show_drops_result, drops, "drops");

cmdline_parse_inst_t cmd_show_drops = {
	.f = cmd_show_drops_parsed,
	.data = NULL,
	.help_str = "show drops: dropped packets by reason",
	.tokens = {
		(void *)&cmd_show_drops_show,
		(void *)&cmd_show_drops_drops,
		NULL,
	},
};

/* ***** show ports ***** */

struct cmd_show_ports_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t ports;
};

static void
cmd_show_ports_parsed(void *parsed, struct cmdline *cl, void *data)
{
	unsigned int i;

	(void)parsed;
	(void)data;
	for (i = 0; i < haven_rt.fp.n_ports; i++) {
		const struct haven_fp_port *p = &haven_rt.fp.ports[i];
		const struct haven_config_port *cp = &haven_rt.cfg.ports[i];
		char name[RTE_ETH_NAME_MAX_LEN] = "?";
		char link_text[RTE_ETH_LINK_MAX_STR_LEN] = "unknown";
		char a[INET_ADDRSTRLEN];
		struct rte_eth_link link;
		struct rte_eth_stats st;

		rte_eth_dev_get_name_by_port(p->port_id, name);
		if (rte_eth_link_get_nowait(p->port_id, &link) == 0)
			rte_eth_link_to_str(link_text, sizeof(link_text),
				&link);
		memset(&st, 0, sizeof(st));
		rte_eth_stats_get(p->port_id, &st);
		inet_ntop(AF_INET, &p->addr, a, sizeof(a));
		cmdline_printf(cl,
			"  %s: dpdk port %u, %s\n"
			"    mac " RTE_ETHER_ADDR_PRT_FMT "  address %s/%u"
			"  queues %u rx %u tx  mtu %u\n"
			"    %s\n"
			"    rx packets %" PRIu64 "  bytes %" PRIu64
			"  missed %" PRIu64 "  errors %" PRIu64
			"  no mbuf %" PRIu64 "\n"
			"    tx packets %" PRIu64 "  bytes %" PRIu64
			"  errors %" PRIu64 "\n",
			cp->name, p->port_id, name,
			RTE_ETHER_ADDR_BYTES(&p->mac), a, cp->prefix_len,
			haven_rt.n_rxq[i], haven_rt.n_workers + 1, p->mtu,
			link_text, st.ipackets, st.ibytes, st.imissed,
			st.ierrors, st.rx_nombuf, st.opackets, st.obytes,
			st.oerrors);
	}
}

static cmdline_parse_token_string_t cmd_show_ports_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_ports_result, show, "show");
static cmdline_parse_token_string_t cmd_show_ports_ports =
	TOKEN_STRING_INITIALIZER(struct cmd_show_ports_result, ports, "ports");

cmdline_parse_inst_t cmd_show_ports = {
	.f = cmd_show_ports_parsed,
	.data = NULL,
	.help_str = "show ports: DPDK port, name, MAC, address, queues, link "
		"and ethdev statistics of every port",
	.tokens = {
		(void *)&cmd_show_ports_show,
		(void *)&cmd_show_ports_ports,
		NULL,
	},
};

/* ***** show port <id> xstats ***** */

struct cmd_show_xstats_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	uint16_t port_id;
	cmdline_fixed_string_t xstats;
};

static void
cmd_show_xstats_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_xstats_result *r = parsed;
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *values = NULL;
	int n, i;

	(void)data;
	if (!rte_eth_dev_is_valid_port(r->port_id)) {
		cmdline_printf(cl, "error: no DPDK port %u\n", r->port_id);
		return;
	}
	n = rte_eth_xstats_get_names(r->port_id, NULL, 0);
	if (n < 0) {
		cmdline_printf(cl, "error: port %u: %s\n", r->port_id,
			strerror(-n));
		return;
	}
	names = calloc(n + 1, sizeof(*names));
	values = calloc(n + 1, sizeof(*values));
	if (names == NULL || values == NULL) {
		cmdline_printf(cl, "error: out of memory\n");
		goto out;
	}
	if (rte_eth_xstats_get_names(r->port_id, names, n) != n ||
	    rte_eth_xstats_get(r->port_id, values, n) != n) {
		cmdline_printf(cl, "error: port %u: extended statistics "
			"changed while read\n", r->port_id);
		goto out;
	}
	cmdline_printf(cl, "  extended statistics of DPDK port %u\n",
		r->port_id);
	for (i = 0; i < n; i++)
		cmdline_printf(cl, "  %-40s %16" PRIu64 "\n",
			names[values[i].id].name, values[i].value);
out:
	free(names);
	free(values);
}

static cmdline_parse_token_string_t cmd_show_xstats_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_xstats_result, show, "show");
static cmdline_parse_token_string_t cmd_show_xstats_port =
	TOKEN_STRING_INITIALIZER(struct cmd_show_xstats_result, port, "port");
static cmdline_parse_token_num_t cmd_show_xstats_port_id =
	TOKEN_NUM_INITIALIZER(struct cmd_show_xstats_result, port_id,
		RTE_UINT16);
static cmdline_parse_token_string_t cmd_show_xstats_xstats =
	TOKEN_STRING_INITIALIZER(struct cmd_show_xstats_result, xstats,
		"xstats");

cmdline_parse_inst_t cmd_show_xstats = {
	.f = cmd_show_xstats_parsed,
	.data = NULL,
	.help_str = "show port <port-id> xstats: every extended statistic of "
		"a DPDK port",
	.tokens = {
		(void *)&cmd_show_xstats_show,
		(void *)&cmd_show_xstats_port,
		(void *)&cmd_show_xstats_port_id,
		(void *)&cmd_show_xstats_xstats,
		NULL,
	},
};

/* ***** show routes ***** */

struct cmd_show_routes_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t routes;
};

static void
print_route(struct cmdline *cl, uint32_t prefix, uint8_t len, uint32_t gw,
		const char *port)
{
	char p[INET_ADDRSTRLEN + 4], g[INET_ADDRSTRLEN] = "connected";
	size_t off;

	inet_ntop(AF_INET, &prefix, p, sizeof(p));
	off = strlen(p);
	snprintf(p + off, sizeof(p) - off, "/%u", len);
	if (gw != 0)
		inet_ntop(AF_INET, &gw, g, sizeof(g));
	cmdline_printf(cl, "  %-18s %-15s %s\n", p, g, port);
}

static void
cmd_show_routes_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct haven_config *cfg = &haven_rt.cfg;
	unsigned int i;

	(void)parsed;
	(void)data;
	cmdline_printf(cl, "  %-18s %-15s %s\n", "prefix", "gateway", "port");
	for (i = 0; i < cfg->n_ports; i++) {
		const struct haven_config_port *p = &cfg->ports[i];
		uint32_t mask = p->prefix_len == 0 ? 0 :
			rte_cpu_to_be_32(~0u << (32 - p->prefix_len));

		print_route(cl, p->addr & mask, p->prefix_len, 0, p->name);
	}
	for (i = 0; i < cfg->n_routes; i++) {
		const struct haven_config_route *r = &cfg->routes[i];

		print_route(cl, r->prefix, r->prefix_len, r->gateway,
			r->port < cfg->n_ports ? cfg->ports[r->port].name : "?");
	}
}

static cmdline_parse_token_string_t cmd_show_routes_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_routes_result, show, "show");
static cmdline_parse_token_string_t cmd_show_routes_routes =
	TOKEN_STRING_INITIALIZER(struct cmd_show_routes_result, routes,
		"routes");

cmdline_parse_inst_t cmd_show_routes = {
	.f = cmd_show_routes_parsed,
	.data = NULL,
	.help_str = "show routes: connected subnets and static routes "
		"(prefix, gateway, port)",
	.tokens = {
		(void *)&cmd_show_routes_show,
		(void *)&cmd_show_routes_routes,
		NULL,
	},
};

/* ***** show neighbours ***** */

struct cmd_show_neigh_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t neighbours;
};

/* One neighbour line, either family (address column width w). */
struct neigh_print {
	struct cmdline *cl;
	int width;
};

static void
print_neigh(const struct haven_view_neigh *nb, void *arg)
{
	const struct neigh_print *np = arg;
	char ip[HAVEN_ADDR_STRLEN];

	cmdline_printf(np->cl, "  %-*s " RTE_ETHER_ADDR_PRT_FMT
		"  port %u  %s  held %u\n", np->width,
		haven_addr_str(&nb->addr, ip), RTE_ETHER_ADDR_BYTES(&nb->mac),
		nb->port, nb->reachable ? "reachable" : "incomplete",
		nb->held);
}

static void
cmd_show_neigh_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct neigh_print np = { .cl = cl, .width = 15 };

	(void)parsed;
	(void)data;
	haven_view_neighbours(HAVEN_AF_INET, print_neigh, &np);
}

static cmdline_parse_token_string_t cmd_show_neigh_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_neigh_result, show, "show");
static cmdline_parse_token_string_t cmd_show_neigh_neighbours =
	TOKEN_STRING_INITIALIZER(struct cmd_show_neigh_result, neighbours,
		"neighbours");

cmdline_parse_inst_t cmd_show_neigh = {
	.f = cmd_show_neigh_parsed,
	.data = NULL,
	.help_str = "show neighbours: next hops and their Ethernet addresses",
	.tokens = {
		(void *)&cmd_show_neigh_show,
		(void *)&cmd_show_neigh_neighbours,
		NULL,
	},
};

/* ***** show mobile-nodes ***** */

struct cmd_show_mns_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t mobile_nodes;
};

static void
cmd_show_mns_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_view_list l;
	unsigned int i;

	(void)parsed;
	(void)data;
	if (haven_view_nodes(HAVEN_AF_INET, HAVEN_VIEW_CONFIGURED, NULL, 0,
			&l) != 0) {
		cmdline_printf(cl, "error: out of memory\n");
		return;
	}
	cmdline_printf(cl, "  %-15s %10s %-12s %4s %9s %-7s %s\n",
		"home address", "spi", "algorithm", "key", "max life",
		"bound", "last identification");
	for (i = 0; i < l.n; i++) {
		const struct haven_node *n = l.v[i];
		char a[HAVEN_ADDR_STRLEN], bound[16], ident[24] = "-";

		if (haven_node_bound(n))
			snprintf(bound, sizeof(bound), "%u coa", n->n_coa);
		else
			snprintf(bound, sizeof(bound), "no");
		if (n->replay.last_ident != 0)
			snprintf(ident, sizeof(ident), "0x%016" PRIx64,
				n->replay.last_ident);
		/* The key's length only: its bytes never leave the agent. */
		cmdline_printf(cl, "  %-15s %10u %-12s %3uB %8us %-7s %s\n",
			haven_addr_str(&n->hoa, a), n->spi,
			haven_node_alg_name(n), n->cfg4->sa.key_len,
			haven_view_max_lifetime(n), bound, ident);
	}
	cmdline_printf(cl, "  %u mobile node(s)\n", l.n);
	if (haven_node_count(HAVEN_AF_INET, HAVEN_NODE_AAA) > 0)
		cmdline_printf(cl, "  + %u provisioned by AAA (show aaa "
			"nodes)\n", haven_node_count(HAVEN_AF_INET,
				HAVEN_NODE_AAA));
	haven_view_list_free(&l);
}

static cmdline_parse_token_string_t cmd_show_mns_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_mns_result, show, "show");
static cmdline_parse_token_string_t cmd_show_mns_mobile_nodes =
	TOKEN_STRING_INITIALIZER(struct cmd_show_mns_result, mobile_nodes,
		"mobile-nodes");

cmdline_parse_inst_t cmd_show_mns = {
	.f = cmd_show_mns_parsed,
	.data = NULL,
	.help_str = "show mobile-nodes: configured nodes: home address, SPI, "
		"algorithm, key length, max lifetime, bound, last identification",
	.tokens = {
		(void *)&cmd_show_mns_show,
		(void *)&cmd_show_mns_mobile_nodes,
		NULL,
	},
};

/* ***** show bindings [<home-address>|<prefix/len>] [page <n>] ***** */

/* One page of a sorted table of n rows (show bindings, show bindings6). */
struct page {
	unsigned int page;		/**< asked for, 1 for the first */
	unsigned int pages;		/**< all of them */
	unsigned int first, end;	/**< its rows: first .. end - 1 */
};

/* Page asked (0: none given, the first) of n rows. */
static struct page
page_of(uint32_t asked, unsigned int n)
{
	struct page p;

	p.page = asked == 0 ? 1 : asked;
	p.pages = (n + BINDINGS_PER_PAGE - 1) / BINDINGS_PER_PAGE;
	p.first = (p.page - 1) * BINDINGS_PER_PAGE;
	p.end = RTE_MIN(n, p.first + BINDINGS_PER_PAGE);
	return p;
}

/* The table's last line: n rows of what, matching filter (or ""). */
static void
print_page_footer(struct cmdline *cl, const struct page *p, unsigned int n,
		const char *what, const char *filter)
{
	const char *matching = filter[0] ? " matching " : "";

	if (n == 0)
		cmdline_printf(cl, "  0 %s%s%s\n", what, matching, filter);
	else if (p->first >= n)
		cmdline_printf(cl, "  no page %u: %u %s%s%s on %u page(s)\n",
			p->page, n, what, matching, filter, p->pages);
	else
		cmdline_printf(cl, "  %u %s%s%s, page %u of %u (%u..%u)\n", n,
			what, matching, filter, p->page, p->pages,
			p->first + 1, p->end);
}

/*
 * Six instances share one result structure and one callback, as the
 * cmdline library has no optional tokens: what an instance does not
 * parse stays zero (the library clears the result first).
 */
struct cmd_show_bindings_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t bindings;
	cmdline_ipaddr_t filter;	/**< family 0: no filter */
	cmdline_fixed_string_t page_kw;
	uint32_t page;			/**< 0: no page given, the first */
};

static void
print_binding_row4(struct cmdline *cl, const struct haven_view_binding *b)
{
	const struct haven_node *n = b->node;
	const struct haven_binding_counters *c = &b->counters;
	char hoa[HAVEN_ADDR_STRLEN], coa[HAVEN_ADDR_STRLEN];
	unsigned int i;

	haven_addr_str(&n->hoa, hoa);
	for (i = 0; i < b->n_coa; i++) {
		haven_addr_str(&b->coa[i].addr, coa);
		if (i > 0)
			cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %6lds\n",
				"", coa, "", "", b->coa[i].left_s);
		else
			cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %6lds %10lu "
				"%12lu %10lu %12lu  %-9s %s\n", hoa, coa,
				haven_encap_name(n->encap),
				(n->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ?
					"T" : "-",
				b->coa[i].left_s, c->pkts, c->bytes,
				c->rev_pkts, c->rev_bytes, b->forwarder,
				haven_node_origin_name(n->origin));
		/* RFC 3519: the NAT the tunnel goes to */
		if (b->coa[i].nat_port != 0)
			cmdline_printf(cl, "  %-15s via %s:%u\n", "",
				haven_addr_str(&b->coa[i].nat_addr, coa),
				b->coa[i].nat_port);
	}
}

static void
print_binding_row6(struct cmdline *cl, const struct haven_view_binding *b)
{
	const struct haven_binding_counters *c = &b->counters;
	char h[HAVEN_ADDR_STRLEN], coa[HAVEN_ADDR_STRLEN] = "-";

	if (b->n_coa > 0)
		haven_addr_str(&b->coa[0].addr, coa);
	cmdline_printf(cl, "  %-28s %-28s %6lds %10lu %12lu %10lu %12lu  %s\n",
		haven_addr_str(&b->node->hoa, h), coa,
		b->n_coa > 0 ? b->coa[0].left_s : -1, c->pkts, c->bytes,
		c->rev_pkts, c->rev_bytes, b->forwarder);
}

/*
 * show bindings and show bindings6: the bound nodes of a family, within
 * a filter (a home address, or a prefix when is_net), a page of them.
 */
static void
show_bindings(struct cmdline *cl, uint8_t family,
		const cmdline_ipaddr_t *filter, bool is_net, uint32_t page)
{
	struct haven_addr prefix, *pfx = NULL;
	struct haven_view_list l;
	char text[HAVEN_ADDR_STRLEN + 4] = "";
	unsigned int len = 0, i;
	struct page p;

	if (filter->family == AF_INET || filter->family == AF_INET6) {
		/* An address without /len is one home address. */
		prefix = filter->family == AF_INET ?
			haven_addr4(filter->addr.ipv4.s_addr) :
			haven_addr6(filter->addr.ipv6.s6_addr);
		len = is_net ? filter->prefixlen : 8 * haven_addr_len(&prefix);
		pfx = &prefix;
		haven_addr_str(&prefix, text);
		if (is_net)
			snprintf(text + strlen(text), sizeof(text) -
				strlen(text), "/%u", len);
	}
	if (haven_view_nodes(family, HAVEN_VIEW_BOUND, pfx, len, &l) != 0) {
		cmdline_printf(cl, "error: out of memory\n");
		return;
	}
	p = page_of(page, l.n);
	if (family == HAVEN_AF_INET6)
		cmdline_printf(cl, "  %-28s %-28s %7s %10s %12s %10s %12s  %s\n",
			"home address", "care-of", "left", "packets", "bytes",
			"rev pkts", "rev bytes", "forwarder");
	else
		cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %7s %10s %12s %10s "
			"%12s  %-9s %s\n", "home address", "care-of", "encap",
			"rev", "left", "packets", "bytes", "rev pkts",
			"rev bytes", "forwarder", "origin");
	for (i = p.first; i < p.end; i++) {
		struct haven_view_binding b;

		if (haven_view_binding(l.v[i], &b) != 0)
			continue;
		if (family == HAVEN_AF_INET6)
			print_binding_row6(cl, &b);
		else
			print_binding_row4(cl, &b);
	}
	print_page_footer(cl, &p, l.n, family == HAVEN_AF_INET6 ?
		"IPv6 binding(s)" : "binding(s)", text);
	haven_view_list_free(&l);
}

static void
cmd_show_bindings_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_bindings_result *r = parsed;

	/* .data: NULL when the filter is one home address, else non-NULL. */
	show_bindings(cl, HAVEN_AF_INET, &r->filter, data != NULL, r->page);
}

#define SHOW_BINDINGS_HELP "show bindings [<home-address>|<prefix/len>] " \
	"[page <n>]: bindings with their counters, 32 a page"

static cmdline_parse_token_string_t cmd_show_bindings_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_bindings_result, show, "show");
static cmdline_parse_token_string_t cmd_show_bindings_bindings =
	TOKEN_STRING_INITIALIZER(struct cmd_show_bindings_result, bindings,
		"bindings");
static cmdline_parse_token_ipaddr_t cmd_show_bindings_hoa =
	TOKEN_IPV4_INITIALIZER(struct cmd_show_bindings_result, filter);
static cmdline_parse_token_ipaddr_t cmd_show_bindings_net =
	TOKEN_IPV4NET_INITIALIZER(struct cmd_show_bindings_result, filter);
static cmdline_parse_token_string_t cmd_show_bindings_page_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_show_bindings_result, page_kw,
		"page");
static cmdline_parse_token_num_t cmd_show_bindings_page =
	TOKEN_NUM_INITIALIZER(struct cmd_show_bindings_result, page,
		RTE_UINT32);

/* .data: NULL when the filter is one home address, else non-NULL. */
cmdline_parse_inst_t cmd_show_bindings = {
	.f = cmd_show_bindings_parsed,
	.data = NULL,
	.help_str = SHOW_BINDINGS_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings_bindings,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_bindings_paged = {
	.f = cmd_show_bindings_parsed,
	.data = NULL,
	.help_str = SHOW_BINDINGS_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings_bindings,
		(void *)&cmd_show_bindings_page_kw,
		(void *)&cmd_show_bindings_page,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_bindings_hoa_filter = {
	.f = cmd_show_bindings_parsed,
	.data = NULL,
	.help_str = SHOW_BINDINGS_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings_bindings,
		(void *)&cmd_show_bindings_hoa,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_bindings_hoa_paged = {
	.f = cmd_show_bindings_parsed,
	.data = NULL,
	.help_str = SHOW_BINDINGS_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings_bindings,
		(void *)&cmd_show_bindings_hoa,
		(void *)&cmd_show_bindings_page_kw,
		(void *)&cmd_show_bindings_page,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_bindings_net_filter = {
	.f = cmd_show_bindings_parsed,
	.data = (void *)1,
	.help_str = SHOW_BINDINGS_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings_bindings,
		(void *)&cmd_show_bindings_net,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_bindings_net_paged = {
	.f = cmd_show_bindings_parsed,
	.data = (void *)1,
	.help_str = SHOW_BINDINGS_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings_bindings,
		(void *)&cmd_show_bindings_net,
		(void *)&cmd_show_bindings_page_kw,
		(void *)&cmd_show_bindings_page,
		NULL,
	},
};

/* ***** show binding <home-address> ***** */

struct cmd_show_binding_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t binding;
	cmdline_ipaddr_t hoa;
};

/* show binding and show binding6: one binding in detail. */
static void
show_binding(struct cmdline *cl, const struct haven_addr *hoa)
{
	struct haven_node *n = haven_node_find(hoa);
	const struct haven_binding_counters *c;
	struct haven_view_binding b;
	char a[HAVEN_ADDR_STRLEN], x[HAVEN_ADDR_STRLEN];
	bool six = hoa->family == HAVEN_AF_INET6;
	unsigned int i;

	haven_addr_str(hoa, a);
	if (n == NULL || haven_view_binding(n, &b) != 0) {
		cmdline_printf(cl, "error: no binding for %s%s\n", a,
			n == NULL || n->origin != HAVEN_NODE_CONFIGURED ? "" :
			haven_reg6_dad_running(n) ? " (a configured node, "
			"duplicate address detection running)" :
			" (a configured node, at home)");
		return;
	}
	c = &b.counters;
	cmdline_printf(cl, "  binding of %s\n", a);
	for (i = 0; i < b.n_coa; i++) {
		if (b.coa[i].next_hop.family == HAVEN_AF_NONE) {
			cmdline_printf(cl, "    care-of %s: no route\n",
				haven_addr_str(&b.coa[i].addr, x));
			continue;
		}
		cmdline_printf(cl, six ? "    care-of %s lifetime %us, %lds "
			"left, next hop " : "    care-of %-15s lifetime %us, "
			"%lds left, next hop ", haven_addr_str(&b.coa[i].addr, x),
			b.coa[i].lifetime_s, b.coa[i].left_s);
		cmdline_printf(cl, "%s (%s)\n",
			haven_addr_str(&b.coa[i].next_hop, x),
			b.coa[i].reachable ? "reachable" : "resolving");
		if (b.coa[i].nat_port != 0)
			cmdline_printf(cl, "      behind NAT %s:%u, tunnelled "
				"in UDP from port %u\n",
				haven_addr_str(&b.coa[i].nat_addr, x),
				b.coa[i].nat_port, n->udp_sport);
	}
	if (six)
		cmdline_printf(cl, "    encapsulation ipv6-in-ipv6 from %s",
			haven_addr_str(&n->outer_src, x));
	else
		cmdline_printf(cl, "    encapsulation %s",
			haven_encap_name(n->encap));
	cmdline_printf(cl, ", reverse tunnel %s, forwarder %s",
		(n->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ? "yes" : "no",
		b.forwarder);
	if (b.delegation != NULL && !six)
		cmdline_printf(cl, ", delegation %s", b.delegation);
	if (six)
		cmdline_printf(cl, "\n    generation %u, last sequence %d",
			b.generation, n->replay.have_seq ?
				n->replay.last_seq : -1);
	else
		cmdline_printf(cl, "\n    generation %u, last identification "
			"0x%016" PRIx64, b.generation, n->replay.last_ident);
	cmdline_printf(cl, ", bound for %lus\n",
		(unsigned long)b.bound_for_s);
	if (n->encap == HAVEN_ENCAP_UDP && haven_node_is_home(n)) {
		cmdline_printf(cl, "    keepalives %lu", b.keepalives);
		if (b.keepalive_ago_s >= 0)
			cmdline_printf(cl, ", the last %lds ago",
				b.keepalive_ago_s);
		cmdline_printf(cl, " (interval given: %us)\n",
			haven_rt.cfg.udp_tunnel.keepalive_s);
	}
	if (n->origin == HAVEN_NODE_AAA) {
		struct haven_aaa_node_info info;

		if (haven_aaa_node_info(n, &info) == 0)
			cmdline_printf(cl, "    provisioned by AAA: user %s, "
				"address %s, key from %s (%s), cached %lds more, "
				"accounting session %s\n", info.user,
				info.address_from, info.server, info.sa_source,
				info.cache_left_s, info.session_id[0] ?
				info.session_id : "-");
	}
	cmdline_printf(cl, "    to the node    %12lu packets %14lu bytes\n"
		"    reverse tunnel %12lu packets %14lu bytes\n",
		c->pkts, c->bytes, c->rev_pkts, c->rev_bytes);
}

static void
cmd_show_binding_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_binding_result *r = parsed;
	struct haven_addr hoa = haven_addr4(r->hoa.addr.ipv4.s_addr);

	(void)data;
	show_binding(cl, &hoa);
}

static cmdline_parse_token_string_t cmd_show_binding_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_binding_result, show, "show");
static cmdline_parse_token_string_t cmd_show_binding_binding =
	TOKEN_STRING_INITIALIZER(struct cmd_show_binding_result, binding,
		"binding");
static cmdline_parse_token_ipaddr_t cmd_show_binding_hoa =
	TOKEN_IPV4_INITIALIZER(struct cmd_show_binding_result, hoa);

cmdline_parse_inst_t cmd_show_binding = {
	.f = cmd_show_binding_parsed,
	.data = NULL,
	.help_str = "show binding <home-address>: one binding in detail: "
		"care-of addresses, lifetimes, next hops, counters both ways",
	.tokens = {
		(void *)&cmd_show_binding_show,
		(void *)&cmd_show_binding_binding,
		(void *)&cmd_show_binding_hoa,
		NULL,
	},
};

/* ***** show events [<n>] ***** */

struct cmd_show_events_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t events;
	uint32_t n;			/**< 0: not given */
};

static void
cmd_show_events_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_events_result *r = parsed;
	const struct haven_event *ev, *shown[HAVEN_EVENTS];
	uint64_t total = haven_event_count(), seq = total;
	unsigned int want = r->n == 0 ? EVENTS_DEFAULT : r->n, n = 0, shown_n;

	(void)data;
	if (want > HAVEN_EVENTS)
		want = HAVEN_EVENTS;
	/* The last `want` events still held, newest first, then printed. */
	while (n < want && (ev = haven_event_prev(seq)) != NULL) {
		shown[n++] = ev;
		seq = ev->seq;
	}
	shown_n = n;
	cmdline_printf(cl, "  %6s %-27s %-14s %4s  %s\n", "seq", "time (UTC)",
		"kind", "code", "what");
	while (n-- > 0) {
		char t[40], code[12] = "-";

		ev = shown[n];
		haven_iso8601(ev->time_us, t, sizeof(t));
		if (ev->code >= 0)
			snprintf(code, sizeof(code), "%d", ev->code);
		cmdline_printf(cl, "  %6" PRIu64 " %-27s %-14s %4s  %s\n",
			ev->seq, t, haven_event_kind_name(ev->kind), code,
			ev->text);
	}
	cmdline_printf(cl, "  %u event(s) shown, %" PRIu64
		" recorded since start, the last %u of each kind kept\n",
		shown_n, total, HAVEN_EVENTS);
}

static cmdline_parse_token_string_t cmd_show_events_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_events_result, show, "show");
static cmdline_parse_token_string_t cmd_show_events_events =
	TOKEN_STRING_INITIALIZER(struct cmd_show_events_result, events,
		"events");
static cmdline_parse_token_num_t cmd_show_events_n =
	TOKEN_NUM_INITIALIZER(struct cmd_show_events_result, n, RTE_UINT32);

#define SHOW_EVENTS_HELP "show events [<n>]: the last n events (default " \
	RTE_STR(EVENTS_DEFAULT) "), newest last: time, kind, code, what"

cmdline_parse_inst_t cmd_show_events = {
	.f = cmd_show_events_parsed,
	.data = NULL,
	.help_str = SHOW_EVENTS_HELP,
	.tokens = {
		(void *)&cmd_show_events_show,
		(void *)&cmd_show_events_events,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_events_n_inst = {
	.f = cmd_show_events_parsed,
	.data = NULL,
	.help_str = SHOW_EVENTS_HELP,
	.tokens = {
		(void *)&cmd_show_events_show,
		(void *)&cmd_show_events_events,
		(void *)&cmd_show_events_n,
		NULL,
	},
};

/* ---------------------------------------------------------------------
 * Mobile IPv6: bindings6, binding6, mobile-nodes6, neighbours6, stats6
 */

/* Prints "IPv6 is not configured" and returns false without IPv6. */
static bool
console_ip6(struct cmdline *cl)
{
	if (!haven_rt_has_ip6())
		cmdline_printf(cl, "  IPv6 is not configured (no address6 in "
			"%s)\n", haven_rt.cfg.path);
	return haven_rt_has_ip6();
}

/* ***** show bindings6 [<home-address>|<prefix/len>] [page <n>] ***** */

static void
cmd_show_bindings6_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_bindings_result *r = parsed;

	if (console_ip6(cl))
		show_bindings(cl, HAVEN_AF_INET6, &r->filter, data != NULL,
			r->page);
}

#define SHOW_BINDINGS6_HELP "show bindings6 [<home-address>|<prefix/len>] " \
	"[page <n>]: Mobile IPv6 bindings with their counters, 32 a page"

static cmdline_parse_token_string_t cmd_show_bindings6_bindings6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_bindings_result, bindings,
		"bindings6");
static cmdline_parse_token_ipaddr_t cmd_show_bindings6_hoa =
	TOKEN_IPV6_INITIALIZER(struct cmd_show_bindings_result, filter);
static cmdline_parse_token_ipaddr_t cmd_show_bindings6_net =
	TOKEN_IPV6NET_INITIALIZER(struct cmd_show_bindings_result, filter);

/* .data: NULL when the filter is one home address, else non-NULL. */
cmdline_parse_inst_t cmd_show_bindings6 = {
	.f = cmd_show_bindings6_parsed,
	.data = NULL,
	.help_str = SHOW_BINDINGS6_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings6_bindings6,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_bindings6_paged = {
	.f = cmd_show_bindings6_parsed,
	.data = NULL,
	.help_str = SHOW_BINDINGS6_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings6_bindings6,
		(void *)&cmd_show_bindings_page_kw,
		(void *)&cmd_show_bindings_page,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_bindings6_hoa_filter = {
	.f = cmd_show_bindings6_parsed,
	.data = NULL,
	.help_str = SHOW_BINDINGS6_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings6_bindings6,
		(void *)&cmd_show_bindings6_hoa,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_bindings6_hoa_paged = {
	.f = cmd_show_bindings6_parsed,
	.data = NULL,
	.help_str = SHOW_BINDINGS6_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings6_bindings6,
		(void *)&cmd_show_bindings6_hoa,
		(void *)&cmd_show_bindings_page_kw,
		(void *)&cmd_show_bindings_page,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_bindings6_net_filter = {
	.f = cmd_show_bindings6_parsed,
	.data = (void *)1,
	.help_str = SHOW_BINDINGS6_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings6_bindings6,
		(void *)&cmd_show_bindings6_net,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_bindings6_net_paged = {
	.f = cmd_show_bindings6_parsed,
	.data = (void *)1,
	.help_str = SHOW_BINDINGS6_HELP,
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings6_bindings6,
		(void *)&cmd_show_bindings6_net,
		(void *)&cmd_show_bindings_page_kw,
		(void *)&cmd_show_bindings_page,
		NULL,
	},
};

/* ***** show binding6 <home-address> ***** */

static void
cmd_show_binding6_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_binding_result *r = parsed;
	struct haven_addr hoa = haven_addr6(r->hoa.addr.ipv6.s6_addr);

	(void)data;
	if (console_ip6(cl))
		show_binding(cl, &hoa);
}

static cmdline_parse_token_string_t cmd_show_binding6_binding6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_binding_result, binding,
		"binding6");
static cmdline_parse_token_ipaddr_t cmd_show_binding6_hoa =
	TOKEN_IPV6_INITIALIZER(struct cmd_show_binding_result, hoa);

cmdline_parse_inst_t cmd_show_binding6 = {
	.f = cmd_show_binding6_parsed,
	.data = NULL,
	.help_str = "show binding6 <home-address>: one Mobile IPv6 binding in "
		"detail: care-of address, lifetime, next hop, counters",
	.tokens = {
		(void *)&cmd_show_binding_show,
		(void *)&cmd_show_binding6_binding6,
		(void *)&cmd_show_binding6_hoa,
		NULL,
	},
};

/* ***** show mobile-nodes6 ***** */

static void
cmd_show_mns6_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_view_list l;
	unsigned int i;

	(void)parsed;
	(void)data;
	if (!console_ip6(cl))
		return;
	if (haven_view_nodes(HAVEN_AF_INET6, HAVEN_VIEW_CONFIGURED, NULL, 0,
			&l) != 0) {
		cmdline_printf(cl, "error: out of memory\n");
		return;
	}
	cmdline_printf(cl, "  %-28s %10s %-12s %4s %9s %-28s %5s  %s\n",
		"home address", "spi", "algorithm", "key", "max life",
		"bound at", "seq", "identifier");
	for (i = 0; i < l.n; i++) {
		struct haven_node *n = (struct haven_node *)(uintptr_t)l.v[i];
		const struct haven_config_mn6 *mn = n->cfg6;
		char h[HAVEN_ADDR_STRLEN], c[HAVEN_ADDR_STRLEN] = "no";
		char seq[8] = "-";

		if (haven_node_bound(n))
			haven_addr_str(&n->coa[0].addr, c);
		else if (haven_reg6_dad_running(n))
			snprintf(c, sizeof(c), "(DAD)");
		if (n->replay.have_seq)
			snprintf(seq, sizeof(seq), "%u", n->replay.last_seq);
		/* The key's length only: its bytes never leave the agent. */
		cmdline_printf(cl, "  %-28s %10u %-12s %3uB %8us %-28s %5s  "
			"%s\n", haven_addr_str(&n->hoa, h), n->spi,
			haven_node_alg_name(n), mn->sa.key_len,
			haven_view_max_lifetime(n), c, seq,
			mn->mn_id[0] != '\0' ? mn->mn_id : "-");
	}
	cmdline_printf(cl, "  %u Mobile IPv6 node(s)\n", l.n);
	haven_view_list_free(&l);
}

static cmdline_parse_token_string_t cmd_show_mns6_mobile_nodes6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_mns_result, mobile_nodes,
		"mobile-nodes6");

cmdline_parse_inst_t cmd_show_mns6 = {
	.f = cmd_show_mns6_parsed,
	.data = NULL,
	.help_str = "show mobile-nodes6: configured Mobile IPv6 nodes: home "
		"address, SPI, algorithm, key length, max lifetime, care-of "
		"address, last sequence, identifier",
	.tokens = {
		(void *)&cmd_show_mns_show,
		(void *)&cmd_show_mns6_mobile_nodes6,
		NULL,
	},
};

/* ***** show neighbours6 ***** */

static void
cmd_show_neigh6_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct haven_link_stats *l = haven_link_stats(HAVEN_AF_INET6);
	struct neigh_print np = { .cl = cl, .width = 28 };
	unsigned int n;

	(void)parsed;
	(void)data;
	if (!console_ip6(cl))
		return;
	n = haven_view_neighbours(HAVEN_AF_INET6, print_neigh, &np);
	cmdline_printf(cl, "  %u IPv6 neighbour(s); NS sent %lu, held sent "
		"%lu, held dropped %lu\n", n, l->solicits_sent, l->held_sent,
		l->held_dropped);
}

static cmdline_parse_token_string_t cmd_show_neigh6_neighbours6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_neigh_result, neighbours,
		"neighbours6");

cmdline_parse_inst_t cmd_show_neigh6 = {
	.f = cmd_show_neigh6_parsed,
	.data = NULL,
	.help_str = "show neighbours6: IPv6 next hops and their Ethernet "
		"addresses",
	.tokens = {
		(void *)&cmd_show_neigh_show,
		(void *)&cmd_show_neigh6_neighbours6,
		NULL,
	},
};

/* ***** show stats6 ***** */

static void
cmd_show_stats6_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct haven_reg6_stats *c = haven_reg6_stats();
	const struct haven_link_stats *l = haven_link_stats(HAVEN_AF_INET6);
	struct haven_worker_stats w;
	unsigned int i;

	(void)parsed;
	(void)data;
	if (!console_ip6(cl))
		return;
	haven_rt_worker_stats(&w);
	cmdline_printf(cl, "  fast path: proxy NA %lu\n", w.proxy_nd);
	cmdline_printf(cl,
		"  Mobile IPv6 registrations\n"
		"    mobility headers %lu  discarded %lu  accepted %lu  "
		"denied %lu\n"
		"    bindings %u  expired %lu\n"
		"    DAD started %lu  failed %lu  unsolicited NA %lu\n"
		"    binding errors %lu  parameter problems %lu\n"
		"  IPv6 neighbours\n"
		"    NS sent %lu  held sent %lu  held dropped %lu\n"
		"  Binding Acknowledgements by status\n",
		c->mh_received, c->mh_dropped, c->accepted, c->denied,
		haven_view_binding_count(HAVEN_AF_INET6),
		haven_node_stats(HAVEN_AF_INET6)->bindings_expired,
		c->dad_started, c->dad_failed, l->announces_sent, c->be_sent,
		c->param_problem_sent, l->solicits_sent, l->held_sent,
		l->held_dropped);
	for (i = 0; i < 256; i++)
		if (c->ba_sent[i] != 0)
			cmdline_printf(cl, "    %3u: %lu\n", i, c->ba_sent[i]);
}

static cmdline_parse_token_string_t cmd_show_stats6_stats6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_stats_result, stats,
		"stats6");

cmdline_parse_inst_t cmd_show_stats6 = {
	.f = cmd_show_stats6_parsed,
	.data = NULL,
	.help_str = "show stats6: Mobile IPv6 registration, DAD and IPv6 "
		"neighbour totals, acknowledgements by status",
	.tokens = {
		(void *)&cmd_show_stats_show,
		(void *)&cmd_show_stats6_stats6,
		NULL,
	},
};
