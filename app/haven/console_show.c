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
#include "haven6.h"

#define BINDINGS_PER_PAGE 32	/**< rows of one "show bindings" page */
#define EVENTS_DEFAULT 20	/**< "show events" without a count */

/* Seconds until a timer-cycles deadline; -1 for never. */
static long
seconds_left(uint64_t expires_at)
{
	uint64_t now = rte_get_timer_cycles();

	if (expires_at == UINT64_MAX)
		return -1;
	return expires_at > now ?
		(long)((expires_at - now) / rte_get_timer_hz()) : 0;
}

/* ***** show stats ***** */

struct cmd_show_stats_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t stats;
};

static void
cmd_show_stats_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_app *app = console_app(cl);
	const struct haven_ctl_stats *c = &app->stats;
	struct haven_worker_stats w;
	uint64_t accepted = c->reg_replies[0] + c->reg_replies[1], denied = 0;
	unsigned int i;

	(void)parsed;
	(void)data;
	haven_worker_stats_sum(app, &w);
	for (i = 2; i < 256; i++)
		denied += c->reg_replies[i];
	cmdline_printf(cl,
		"  fast path (%u workers)\n"
		"    rx %lu  tx %lu  encapsulated %lu  decapsulated %lu\n"
		"    proxy ARP %lu  ICMP echo %lu  punted %lu\n"
		"  registrations\n"
		"    requests %lu  accepted %lu  denied %lu  dropped %lu\n"
		"    bindings %u  expired %lu\n"
		"  control\n"
		"    gratuitous ARP %lu  ARP requests %lu\n"
		"    held sent %lu  held dropped %lu  tx dropped %lu\n",
		app->n_workers, w.rx_pkts, w.tx_pkts, w.encap_pkts,
		w.decap_pkts, w.proxy_arp, w.icmp_echo, w.punted,
		c->reg_requests, accepted, denied, c->reg_dropped,
		haven_binding_count(app->fp.bindings), c->bindings_expired,
		c->garp_sent, c->arp_requests_sent, c->held_sent,
		c->held_dropped, c->tx_dropped);
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
	haven_worker_stats_sum(console_app(cl), &w);
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
	struct haven_app *app = console_app(cl);
	unsigned int i;

	(void)parsed;
	(void)data;
	for (i = 0; i < app->fp.n_ports; i++) {
		const struct haven_fp_port *p = &app->fp.ports[i];
		const struct haven_config_port *cp = &app->cfg.ports[i];
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
			app->n_rxq[i], app->n_workers + 1, p->mtu,
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
	const struct haven_config *cfg = &console_app(cl)->cfg;
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

static void
cmd_show_neigh_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_app *app = console_app(cl);
	char ip[INET_ADDRSTRLEN];
	unsigned int i;

	(void)parsed;
	(void)data;
	for (i = 0; i < HAVEN_NEIGH_MAX; i++) {
		const struct haven_neigh *n = &app->fp.neigh[i];

		if (n->state == HAVEN_NEIGH_FREE)
			continue;
		inet_ntop(AF_INET, &n->ip, ip, sizeof(ip));
		cmdline_printf(cl, "  %-15s " RTE_ETHER_ADDR_PRT_FMT
			"  port %u  %s  held %u\n", ip,
			RTE_ETHER_ADDR_BYTES(&n->mac), n->port,
			n->state == HAVEN_NEIGH_REACHABLE ?
				"reachable" : "incomplete", app->holds[i].n);
	}
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
	struct haven_app *app = console_app(cl);
	unsigned int i;

	(void)parsed;
	(void)data;
	cmdline_printf(cl, "  %-15s %10s %-12s %4s %9s %-7s %s\n",
		"home address", "spi", "algorithm", "key", "max life",
		"bound", "last identification");
	for (i = 0; i < app->cfg.n_mns; i++) {
		const struct haven_mn_state *st = app->mns[i];
		const struct haven_config_mn *mn = st->cfg;
		uint32_t life = mn->max_lifetime != 0 &&
			mn->max_lifetime < app->cfg.max_lifetime ?
			mn->max_lifetime : app->cfg.max_lifetime;
		char a[INET_ADDRSTRLEN], bound[16], ident[24] = "-";

		inet_ntop(AF_INET, &mn->home_addr, a, sizeof(a));
		if (st->n_coa > 0)
			snprintf(bound, sizeof(bound), "%u coa", st->n_coa);
		else
			snprintf(bound, sizeof(bound), "no");
		if (st->last_ident != 0)
			snprintf(ident, sizeof(ident), "0x%016" PRIx64,
				st->last_ident);
		/* The key's length only: its bytes never leave the agent. */
		cmdline_printf(cl, "  %-15s %10u %-12s %3uB %8us %-7s %s\n", a,
			mn->sa.spi, haven_alg_name(mn->sa.alg),
			mn->sa.key_len, life, bound, ident);
	}
	cmdline_printf(cl, "  %u mobile node(s)\n", app->cfg.n_mns);
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

/* The home addresses a filter selects, gathered by a table walk. */
struct bindings_select {
	uint32_t net, mask;		/**< host order */
	uint32_t *addrs;		/**< NBO */
	unsigned int n, cap;
};

static int
bindings_select_cb(const struct haven_binding *b, void *arg)
{
	struct bindings_select *s = arg;

	if ((rte_be_to_cpu_32(b->home_addr) & s->mask) != s->net)
		return 0;
	if (s->n == s->cap)
		return 1;
	s->addrs[s->n++] = b->home_addr;
	return 0;
}

static int
addr_cmp(const void *x, const void *y)
{
	uint32_t a = rte_be_to_cpu_32(*(const uint32_t *)x);
	uint32_t b = rte_be_to_cpu_32(*(const uint32_t *)y);

	return a < b ? -1 : a > b;
}

static void
print_binding_row(struct cmdline *cl, struct haven_app *app,
		const struct haven_binding *b)
{
	struct haven_mn_state *st = haven_mn_find(app, b->home_addr);
	struct haven_binding_counters sum;
	char hoa[INET_ADDRSTRLEN], coa[INET_ADDRSTRLEN];
	unsigned int i;

	haven_binding_counters_sum(app->fp.bindings, b->slot, &sum);
	inet_ntop(AF_INET, &b->home_addr, hoa, sizeof(hoa));
	for (i = 0; i < b->n_coa; i++) {
		long rem = st != NULL && i < st->n_coa ?
			seconds_left(st->coa[i].expires_at) : -1;

		inet_ntop(AF_INET, &b->coa[i].addr, coa, sizeof(coa));
		if (i > 0) {
			cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %6lds\n",
				"", coa, "", "", rem);
			continue;
		}
		cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %6lds %10lu %12lu"
			" %10lu %12lu  %s\n", hoa, coa,
			haven_encap_name(b->encap),
			(b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ? "T" : "-",
			rem, sum.pkts, sum.bytes, sum.rev_pkts, sum.rev_bytes,
			haven_forwarder_name(app, b->forwarder));
	}
}

static void
cmd_show_bindings_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_bindings_result *r = parsed;
	struct haven_app *app = console_app(cl);
	struct bindings_select s = { 0 };
	char filter[INET_ADDRSTRLEN + 4] = "";
	struct page p;
	unsigned int i;

	(void)data;
	if (r->filter.family == AF_INET) {
		/* An address without /len is one home address. */
		uint8_t len = r->filter.prefixlen;

		if (data == NULL)
			len = 32;
		s.mask = len == 0 ? 0 : ~0u << (32 - len);
		s.net = rte_be_to_cpu_32(r->filter.addr.ipv4.s_addr) & s.mask;
		inet_ntop(AF_INET, &r->filter.addr.ipv4, filter,
			sizeof(filter));
		if (data != NULL)
			snprintf(filter + strlen(filter),
				sizeof(filter) - strlen(filter), "/%u", len);
	}
	s.cap = haven_binding_count(app->fp.bindings) + 1;
	s.addrs = malloc(sizeof(*s.addrs) * s.cap);
	if (s.addrs == NULL) {
		cmdline_printf(cl, "error: out of memory\n");
		return;
	}
	haven_binding_walk(app->fp.bindings, bindings_select_cb, &s);
	qsort(s.addrs, s.n, sizeof(*s.addrs), addr_cmp);
	p = page_of(r->page, s.n);
	cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %7s %10s %12s %10s %12s"
		"  %s\n", "home address", "care-of", "encap", "rev", "left",
		"packets", "bytes", "rev pkts", "rev bytes", "forwarder");
	for (i = p.first; i < p.end; i++) {
		const struct haven_binding *b =
			haven_binding_lookup(app->fp.bindings, s.addrs[i]);

		if (b != NULL)
			print_binding_row(cl, app, b);
	}
	print_page_footer(cl, &p, s.n, "binding(s)", filter);
	free(s.addrs);
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

static void
cmd_show_binding_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_binding_result *r = parsed;
	struct haven_app *app = console_app(cl);
	uint32_t hoa = r->hoa.addr.ipv4.s_addr;
	const struct haven_binding *b;
	struct haven_binding_counters sum;
	struct haven_mn_state *st;
	char a[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];
	unsigned int i;

	(void)data;
	inet_ntop(AF_INET, &hoa, a, sizeof(a));
	st = haven_mn_find(app, hoa);
	b = haven_binding_lookup(app->fp.bindings, hoa);
	if (b == NULL) {
		cmdline_printf(cl, "error: no binding for %s%s\n", a,
			st != NULL ? " (a configured node, at home)" : "");
		return;
	}
	haven_binding_counters_sum(app->fp.bindings, b->slot, &sum);
	cmdline_printf(cl, "  binding of %s\n", a);
	for (i = 0; i < b->n_coa; i++) {
		const struct haven_neigh *n = &app->fp.neigh[b->coa[i].neigh];
		long rem = st != NULL && i < st->n_coa ?
			seconds_left(st->coa[i].expires_at) : -1;

		inet_ntop(AF_INET, &b->coa[i].addr, c, sizeof(c));
		cmdline_printf(cl, "    care-of %-15s lifetime %us, %lds left,"
			" next hop ", c, st != NULL && i < st->n_coa ?
				st->coa[i].lifetime : b->lifetime, rem);
		inet_ntop(AF_INET, &b->coa[i].next_hop, c, sizeof(c));
		cmdline_printf(cl, "%s (%s)\n", c,
			n->state == HAVEN_NEIGH_REACHABLE ?
				"reachable" : "resolving");
	}
	cmdline_printf(cl, "    encapsulation %s, reverse tunnel %s, "
		"forwarder %s",
		haven_encap_name(b->encap),
		(b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ? "yes" : "no",
		haven_forwarder_name(app, b->forwarder));
	if (st != NULL)
		cmdline_printf(cl, ", delegation %s",
			haven_deleg_state_name(st->deleg.state));
	cmdline_printf(cl, "\n    generation %u, last identification "
		"0x%016" PRIx64 ", bound for %lus\n", b->generation,
		st != NULL ? st->last_ident : b->last_ident,
		(unsigned long)((rte_get_timer_cycles() - b->registered_at) /
			rte_get_timer_hz()));
	cmdline_printf(cl, "    to the node    %12lu packets %14lu bytes\n"
		"    reverse tunnel %12lu packets %14lu bytes\n",
		sum.pkts, sum.bytes, sum.rev_pkts, sum.rev_bytes);
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

/* ISO 8601 UTC with microseconds: 2024-05-01T12:34:56.123456Z */
static void
iso8601(uint64_t time_us, char *buf, size_t len)
{
	time_t sec = time_us / 1000000;
	struct tm tm;
	size_t off;

	gmtime_r(&sec, &tm);
	off = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + off, len - off, ".%06uZ",
		(unsigned int)(time_us % 1000000));
}

static void
cmd_show_events_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_events_result *r = parsed;
	struct haven_app *app = console_app(cl);
	uint64_t want = r->n == 0 ? EVENTS_DEFAULT : r->n, seq, kept;

	(void)data;
	kept = RTE_MIN(app->n_events, (uint64_t)HAVEN_EVENTS);
	if (want > kept)
		want = kept;
	cmdline_printf(cl, "  %6s %-27s %-14s %4s  %s\n", "seq", "time (UTC)",
		"kind", "code", "what");
	for (seq = app->n_events - want; seq < app->n_events; seq++) {
		const struct haven_event *ev = &app->events[seq % HAVEN_EVENTS];
		char t[40], code[12] = "-";

		iso8601(ev->time_us, t, sizeof(t));
		if (ev->code >= 0)
			snprintf(code, sizeof(code), "%d", ev->code);
		cmdline_printf(cl, "  %6" PRIu64 " %-27s %-14s %4s  %s\n",
			ev->seq, t, haven_event_kind_name(ev->kind), code,
			ev->text);
	}
	cmdline_printf(cl, "  %" PRIu64 " event(s) shown, %" PRIu64
		" recorded since start, the last %u kept\n", want,
		app->n_events, HAVEN_EVENTS);
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
 * Mobile IPv6 (haven6.h): bindings6, binding6, mobile-nodes6, neighbours6
 */

/* Prints "IPv6 is not configured" and returns NULL without IPv6. */
static struct haven_app6 *
console_ip6(struct cmdline *cl)
{
	struct haven_app *app = console_app(cl);

	if (app->ip6 == NULL)
		cmdline_printf(cl, "  IPv6 is not configured (no address6 in "
			"%s)\n", app->cfg.path);
	return app->ip6;
}

/* ***** show bindings6 [page <n>] ***** */

struct cmd_show_bindings6_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t bindings6;
	cmdline_fixed_string_t page_kw;
	uint32_t page;			/**< 0: no page given, the first */
};

struct bindings6_select {
	uint8_t (*addrs)[16];
	unsigned int n, cap;
};

static int
bindings6_select_cb(const struct haven_binding6 *b, void *arg)
{
	struct bindings6_select *s = arg;

	if (s->n == s->cap)
		return 1;
	memcpy(s->addrs[s->n++], b->home_addr, 16);
	return 0;
}

static int
addr6_cmp(const void *x, const void *y)
{
	return memcmp(x, y, 16);
}

static void
cmd_show_bindings6_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_bindings6_result *r = parsed;
	struct haven_app *app = console_app(cl);
	struct haven_app6 *a6 = console_ip6(cl);
	struct bindings6_select s = { 0 };
	struct page p;
	unsigned int i;

	(void)data;
	if (a6 == NULL)
		return;
	s.cap = haven_binding6_count(a6->fp6.bindings) + 1;
	s.addrs = malloc(sizeof(*s.addrs) * s.cap);
	if (s.addrs == NULL) {
		cmdline_printf(cl, "error: out of memory\n");
		return;
	}
	haven_binding6_walk(a6->fp6.bindings, bindings6_select_cb, &s);
	qsort(s.addrs, s.n, sizeof(*s.addrs), addr6_cmp);
	p = page_of(r->page, s.n);
	cmdline_printf(cl, "  %-28s %-28s %7s %10s %12s %10s %12s  %s\n",
		"home address", "care-of", "left", "packets", "bytes",
		"rev pkts", "rev bytes", "forwarder");
	for (i = p.first; i < p.end; i++) {
		const struct haven_binding6 *b =
			haven_binding6_lookup(a6->fp6.bindings, s.addrs[i]);
		struct haven_mn6_state *st;
		struct haven_binding_counters sum;
		char h[HAVEN_IP6_STRLEN], c[HAVEN_IP6_STRLEN] = "-";

		if (b == NULL)
			continue;
		st = haven_mn6_find(app, b->home_addr);
		haven_binding6_counters_sum(a6->fp6.bindings, b->slot, &sum);
		if (b->n_coa > 0)
			haven_ip6_str(b->coa[0].addr, c);
		cmdline_printf(cl, "  %-28s %-28s %6lds %10lu %12lu %10lu "
			"%12lu  %s\n", haven_ip6_str(b->home_addr, h), c,
			st != NULL && st->bound ?
				seconds_left(st->expires_at) : -1,
			sum.pkts, sum.bytes, sum.rev_pkts, sum.rev_bytes,
			haven_forwarder_name(app, b->forwarder));
	}
	print_page_footer(cl, &p, s.n, "IPv6 binding(s)", "");
	free(s.addrs);
}

#define SHOW_BINDINGS6_HELP "show bindings6 [page <n>]: Mobile IPv6 " \
	"bindings with their counters, 32 a page"

static cmdline_parse_token_string_t cmd_show_bindings6_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_bindings6_result, show,
		"show");
static cmdline_parse_token_string_t cmd_show_bindings6_bindings6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_bindings6_result, bindings6,
		"bindings6");
static cmdline_parse_token_string_t cmd_show_bindings6_page_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_show_bindings6_result, page_kw,
		"page");
static cmdline_parse_token_num_t cmd_show_bindings6_page =
	TOKEN_NUM_INITIALIZER(struct cmd_show_bindings6_result, page,
		RTE_UINT32);

cmdline_parse_inst_t cmd_show_bindings6 = {
	.f = cmd_show_bindings6_parsed,
	.data = NULL,
	.help_str = SHOW_BINDINGS6_HELP,
	.tokens = {
		(void *)&cmd_show_bindings6_show,
		(void *)&cmd_show_bindings6_bindings6,
		NULL,
	},
};

cmdline_parse_inst_t cmd_show_bindings6_paged = {
	.f = cmd_show_bindings6_parsed,
	.data = NULL,
	.help_str = SHOW_BINDINGS6_HELP,
	.tokens = {
		(void *)&cmd_show_bindings6_show,
		(void *)&cmd_show_bindings6_bindings6,
		(void *)&cmd_show_bindings6_page_kw,
		(void *)&cmd_show_bindings6_page,
		NULL,
	},
};

/* ***** show binding6 <home-address> ***** */

struct cmd_show_binding6_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t binding6;
	cmdline_ipaddr_t hoa;
};

static void
cmd_show_binding6_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_binding6_result *r = parsed;
	struct haven_app *app = console_app(cl);
	struct haven_app6 *a6 = console_ip6(cl);
	const uint8_t *hoa = r->hoa.addr.ipv6.s6_addr;
	const struct haven_binding6 *b;
	struct haven_binding_counters sum;
	struct haven_mn6_state *st;
	char h[HAVEN_IP6_STRLEN], c[HAVEN_IP6_STRLEN];

	(void)data;
	if (a6 == NULL)
		return;
	haven_ip6_str(hoa, h);
	st = haven_mn6_find(app, hoa);
	b = haven_binding6_lookup(a6->fp6.bindings, hoa);
	if (b == NULL) {
		cmdline_printf(cl, "error: no binding for %s%s\n", h,
			st == NULL ? "" : st->pending.active ?
			" (a configured node, duplicate address detection "
			"running)" : " (a configured node, at home)");
		return;
	}
	haven_binding6_counters_sum(a6->fp6.bindings, b->slot, &sum);
	cmdline_printf(cl, "  binding of %s\n", h);
	if (b->n_coa > 0) {
		const struct haven_neigh6 *n = &a6->fp6.neigh[b->coa[0].neigh];

		cmdline_printf(cl, "    care-of %s lifetime %us, %lds left, "
			"next hop ", haven_ip6_str(b->coa[0].addr, c),
			b->lifetime, st != NULL && st->bound ?
				seconds_left(st->expires_at) : -1);
		cmdline_printf(cl, "%s (%s)\n",
			haven_ip6_str(b->coa[0].next_hop, c),
			n->state == HAVEN_NEIGH_REACHABLE ?
				"reachable" : "resolving");
	} else {
		cmdline_printf(cl, "    care-of %s: no route\n", st != NULL ?
			haven_ip6_str(st->coa, c) : "?");
	}
	cmdline_printf(cl, "    encapsulation ipv6-in-ipv6 from %s, reverse "
		"tunnel %s, forwarder %s\n", haven_ip6_str(b->outer_src, c),
		(b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ? "yes" : "no",
		haven_forwarder_name(app, b->forwarder));
	cmdline_printf(cl, "    generation %u, last sequence %d, bound for "
		"%lus\n", b->generation, st != NULL && st->have_seq ?
			st->last_seq : -1,
		(unsigned long)((rte_get_timer_cycles() - b->registered_at) /
			rte_get_timer_hz()));
	cmdline_printf(cl, "    to the node    %12lu packets %14lu bytes\n"
		"    reverse tunnel %12lu packets %14lu bytes\n",
		sum.pkts, sum.bytes, sum.rev_pkts, sum.rev_bytes);
}

static cmdline_parse_token_string_t cmd_show_binding6_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_binding6_result, show, "show");
static cmdline_parse_token_string_t cmd_show_binding6_binding6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_binding6_result, binding6,
		"binding6");
static cmdline_parse_token_ipaddr_t cmd_show_binding6_hoa =
	TOKEN_IPV6_INITIALIZER(struct cmd_show_binding6_result, hoa);

cmdline_parse_inst_t cmd_show_binding6 = {
	.f = cmd_show_binding6_parsed,
	.data = NULL,
	.help_str = "show binding6 <home-address>: one Mobile IPv6 binding in "
		"detail: care-of address, lifetime, next hop, counters",
	.tokens = {
		(void *)&cmd_show_binding6_show,
		(void *)&cmd_show_binding6_binding6,
		(void *)&cmd_show_binding6_hoa,
		NULL,
	},
};

/* ***** show mobile-nodes6 ***** */

struct cmd_show_mns6_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t mobile_nodes6;
};

static void
cmd_show_mns6_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_app *app = console_app(cl);
	struct haven_app6 *a6 = console_ip6(cl);
	unsigned int i;

	(void)parsed;
	(void)data;
	if (a6 == NULL)
		return;
	cmdline_printf(cl, "  %-28s %10s %-12s %4s %9s %-28s %5s  %s\n",
		"home address", "spi", "algorithm", "key", "max life",
		"bound at", "seq", "identifier");
	for (i = 0; i < app->cfg.n_mns6; i++) {
		const struct haven_mn6_state *st = a6->mns[i];
		const struct haven_config_mn6 *mn = st->cfg;
		uint32_t life = mn->max_lifetime != 0 &&
			mn->max_lifetime < app->cfg.max_lifetime6 ?
			mn->max_lifetime : app->cfg.max_lifetime6;
		char h[HAVEN_IP6_STRLEN], c[HAVEN_IP6_STRLEN] = "no";
		char seq[8] = "-";

		if (st->bound)
			haven_ip6_str(st->coa, c);
		else if (st->pending.active)
			snprintf(c, sizeof(c), "(DAD)");
		if (st->have_seq)
			snprintf(seq, sizeof(seq), "%u", st->last_seq);
		/* The key's length only: its bytes never leave the agent. */
		cmdline_printf(cl, "  %-28s %10u %-12s %3uB %8us %-28s %5s  "
			"%s\n", haven_ip6_str(mn->home_addr, h), mn->sa.spi,
			mn->sa.alg == HAVEN_CONFIG_SA6_HMAC_SHA256 ?
				"hmac-sha256" : "hmac-sha1",
			mn->sa.key_len, life, c, seq,
			mn->mn_id[0] != '\0' ? mn->mn_id : "-");
	}
	cmdline_printf(cl, "  %u Mobile IPv6 node(s)\n", app->cfg.n_mns6);
}

static cmdline_parse_token_string_t cmd_show_mns6_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_mns6_result, show, "show");
static cmdline_parse_token_string_t cmd_show_mns6_mobile_nodes6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_mns6_result, mobile_nodes6,
		"mobile-nodes6");

cmdline_parse_inst_t cmd_show_mns6 = {
	.f = cmd_show_mns6_parsed,
	.data = NULL,
	.help_str = "show mobile-nodes6: configured Mobile IPv6 nodes: home "
		"address, SPI, algorithm, key length, max lifetime, care-of "
		"address, last sequence, identifier",
	.tokens = {
		(void *)&cmd_show_mns6_show,
		(void *)&cmd_show_mns6_mobile_nodes6,
		NULL,
	},
};

/* ***** show neighbours6 ***** */

struct cmd_show_neigh6_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t neighbours6;
};

static void
cmd_show_neigh6_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_app6 *a6 = console_ip6(cl);
	char ip[HAVEN_IP6_STRLEN];
	unsigned int i, n = 0;

	(void)parsed;
	(void)data;
	if (a6 == NULL)
		return;
	for (i = 0; i < HAVEN_NEIGH6_MAX; i++) {
		const struct haven_neigh6 *nb = &a6->fp6.neigh[i];

		if (nb->state == HAVEN_NEIGH_FREE)
			continue;
		n++;
		cmdline_printf(cl, "  %-28s " RTE_ETHER_ADDR_PRT_FMT
			"  port %u  %s  held %u\n", haven_ip6_str(nb->ip, ip),
			RTE_ETHER_ADDR_BYTES(&nb->mac), nb->port,
			nb->state == HAVEN_NEIGH_REACHABLE ?
				"reachable" : "incomplete", a6->holds[i].n);
	}
	cmdline_printf(cl, "  %u IPv6 neighbour(s); NS sent %lu, held sent "
		"%lu, held dropped %lu\n", n, a6->stats.ns_sent,
		a6->stats.held_sent, a6->stats.held_dropped);
}

static cmdline_parse_token_string_t cmd_show_neigh6_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_neigh6_result, show, "show");
static cmdline_parse_token_string_t cmd_show_neigh6_neighbours6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_neigh6_result, neighbours6,
		"neighbours6");

cmdline_parse_inst_t cmd_show_neigh6 = {
	.f = cmd_show_neigh6_parsed,
	.data = NULL,
	.help_str = "show neighbours6: IPv6 next hops and their Ethernet "
		"addresses",
	.tokens = {
		(void *)&cmd_show_neigh6_show,
		(void *)&cmd_show_neigh6_neighbours6,
		NULL,
	},
};

/* ***** show stats6 ***** */

struct cmd_show_stats6_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t stats6;
};

static void
cmd_show_stats6_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_app6 *a6 = console_ip6(cl);
	const struct haven_ctl6_stats *c;
	struct haven_worker_stats w;
	unsigned int i;

	(void)parsed;
	(void)data;
	if (a6 == NULL)
		return;
	c = &a6->stats;
	haven_worker_stats_sum(console_app(cl), &w);
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
		haven_binding6_count(a6->fp6.bindings), c->bindings_expired,
		c->dad_started, c->dad_failed, c->na_sent, c->be_sent,
		c->param_problem_sent, c->ns_sent, c->held_sent,
		c->held_dropped);
	for (i = 0; i < 256; i++)
		if (c->ba_sent[i] != 0)
			cmdline_printf(cl, "    %3u: %lu\n", i, c->ba_sent[i]);
}

static cmdline_parse_token_string_t cmd_show_stats6_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_stats6_result, show, "show");
static cmdline_parse_token_string_t cmd_show_stats6_stats6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_stats6_result, stats6,
		"stats6");

cmdline_parse_inst_t cmd_show_stats6 = {
	.f = cmd_show_stats6_parsed,
	.data = NULL,
	.help_str = "show stats6: Mobile IPv6 registration, DAD and IPv6 "
		"neighbour totals, acknowledgements by status",
	.tokens = {
		(void *)&cmd_show_stats6_show,
		(void *)&cmd_show_stats6_stats6,
		NULL,
	},
};
