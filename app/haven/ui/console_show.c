/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console's "show" commands: every piece of state an operator may ask
 * about, read on the control lcore between two turns of its loop (so a
 * table is never seen half-written): version, totals and drops (since
 * the last clear), ports with their ethdev statistics, routes,
 * neighbours, configured mobile nodes (never their keys), bindings
 * (filtered and paged) and one binding in detail, the event record
 * (filtered), the running configuration; and the same for Mobile IPv6
 * (bindings6, binding6, mobile-nodes6, neighbours6, stats6).
 *
 * Each command asks a builder (report.h) for its data and prints it with
 * the text printer below, or as JSON when its line ends with "json"
 * (console_emit()): the two never disagree.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "console.h"
#include "console_show.h"
#include "report.h"

#define EVENTS_DEFAULT 20	/**< "show events" without a count */

/* "  counters since clear at <time>" when a set was cleared. */
static void
print_cleared(struct cmdline *cl, enum haven_report_counters set)
{
	uint64_t us = haven_report_cleared_us(set);
	char t[40];

	if (us != 0)
		cmdline_printf(cl, "  counters since clear at %s (since start: "
			"json, telemetry)\n", haven_iso8601(us, t, sizeof(t)));
}

/* A token list that is the same for every "show <word>" instance. */
struct cmd_show_word_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t word;
};

static cmdline_parse_token_string_t cmd_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_word_result, show, "show");

/*
 * A "show <word>" command whose builder takes no argument: its callback
 * prints what the builder makes with printer, its two tokens, its
 * instance (cmd_show_<name>).
 */
#define SHOW_WORD(name, text, builder, printer, help)			\
static void								\
cmd_show_##name##_parsed(void *parsed, struct cmdline *cl, void *data)	\
{									\
	(void)parsed;							\
	(void)data;							\
	console_emit(cl, builder, printer);				\
}									\
static cmdline_parse_token_string_t cmd_show_##name##_word =		\
	TOKEN_STRING_INITIALIZER(struct cmd_show_word_result, word, text); \
cmdline_parse_inst_t cmd_show_##name = {				\
	.f = cmd_show_##name##_parsed,					\
	.data = NULL,							\
	.help_str = help,						\
	.tokens = {							\
		(void *)&cmd_show_show,					\
		(void *)&cmd_show_##name##_word,			\
		NULL,							\
	},								\
}

/* ***** show version ***** */

static void
print_version(struct cmdline *cl, const json_t *j)
{
	cmdline_printf(cl, "  haven %s, git %s, %s, build %s\n"
		"  started %s, up %llds\n", jstr(j, "version"),
		jstr(j, "git_revision"), jstr(j, "dpdk_version"),
		jstr(j, "build_type"), jstr(j, "start_time"),
		jint(j, "uptime"));
}

SHOW_WORD(version, "version", haven_report_version(),
	print_version,
	"show version: haven's version and git revision, DPDK's "
	"version, build type, start time and uptime");

/* ***** show stats ***** */

static void
print_stats(struct cmdline *cl, const json_t *j)
{
	const json_t *c = json_object_get(j, "since_clear");

	print_cleared(cl, HAVEN_REPORT_STATS);
	cmdline_printf(cl,
		"  fast path (%lld workers)\n"
		"    rx %lld  tx %lld  encapsulated %lld  decapsulated %lld\n"
		"    proxy ARP %lld  ICMP echo %lld  punted %lld\n"
		"  registrations\n"
		"    requests %lld  accepted %lld  denied %lld  dropped %lld\n"
		"    guard: bound lane %lld  new lane %lld  shed %lld\n"
		"    bindings %lld  expired %lld\n"
		"    UDP tunnelled %lld  declined %lld  keepalives %lld  "
		"tunnel data dropped %lld\n"
		"  control\n"
		"    gratuitous ARP %lld  ARP requests %lld\n"
		"    held sent %lld  held dropped %lld  tx dropped %lld\n",
		jint(j, "workers"), jint(c, "rx_packets"), jint(c, "tx_packets"),
		jint(c, "encap_packets"), jint(c, "decap_packets"),
		jint(c, "proxy_arp_replies"), jint(c, "icmp_echo_replies"),
		jint(c, "punted"), jint(c, "registration_requests"),
		jint(c, "registrations_accepted"),
		jint(c, "registrations_denied"),
		jint(c, "registration_datagrams_dropped"),
		jint(c, "registrations_bound_lane"),
		jint(c, "registrations_new_lane"),
		jint(c, "registrations_shed"), jint(j, "bindings"),
		jint(c, "bindings_expired"),
		jint(c, "udp_tunnel_registrations"),
		jint(c, "udp_tunnel_declined"), jint(c, "udp_tunnel_keepalives"),
		jint(c, "udp_tunnel_data_dropped"),
		jint(c, "gratuitous_arp_sent"),
		jint(c, "arp_requests_sent"), jint(c, "held_sent"),
		jint(c, "held_dropped"), jint(c, "control_tx_dropped"));
}

SHOW_WORD(stats, "stats", haven_report_stats(),
	print_stats,
	"show stats: packet, registration and control totals "
	"(since clear stats)");

/* ***** show drops ***** */

static void
print_drops(struct cmdline *cl, const json_t *j)
{
	const json_t *c = json_object_get(j, "since_clear");
	unsigned int i;

	print_cleared(cl, HAVEN_REPORT_DROPS);
	for (i = 0; i < HAVEN_DROP_MAX; i++)
		cmdline_printf(cl, "  %-20s %12lld  %s\n", haven_drop_key(i),
			jint(c, haven_drop_key(i)), haven_drop_name(i));
}

SHOW_WORD(drops, "drops", haven_report_drops(),
	print_drops,
	"show drops: dropped packets by reason (since clear drops)");

/* ***** show ports ***** */

static void
print_ports(struct cmdline *cl, const json_t *j)
{
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(j, "ports"), i, r) {
		cmdline_printf(cl,
			"  %s: dpdk port %lld, %s\n"
			"    mac %s  address %s  queues %lld rx %lld tx  mtu %lld\n"
			"    %s\n",
			jstr(r, "name"), jint(r, "port_id"), jstr(r, "device"),
			jstr(r, "mac"), jstr(r, "address"),
			jint(r, "rx_queues"), jint(r, "tx_queues"),
			jint(r, "mtu"), jstr(r, "link"));
		if (json_string_length(json_object_get(r, "address6")) > 0)
			cmdline_printf(cl, "    address6 %s\n",
				jstr(r, "address6"));
		if (haven_report_cleared_us(HAVEN_REPORT_PORTS) != 0)
			cmdline_printf(cl, "    counters since %s\n",
				jstr(r, "cleared_at"));
		cmdline_printf(cl,
			"    rx packets %lld  bytes %lld  missed %lld  errors %lld"
			"  no mbuf %lld\n"
			"    tx packets %lld  bytes %lld  errors %lld\n"
			"    haven: received %lld  tunnelled %lld  decapsulated "
			"%lld  proxy replies %lld  punted %lld  dropped %lld\n",
			jint(r, "ipackets_since_clear"),
			jint(r, "ibytes_since_clear"),
			jint(r, "imissed_since_clear"),
			jint(r, "ierrors_since_clear"),
			jint(r, "rx_nombuf_since_clear"),
			jint(r, "opackets_since_clear"),
			jint(r, "obytes_since_clear"),
			jint(r, "oerrors_since_clear"),
			jint(r, "received_since_clear"),
			jint(r, "tunnelled_since_clear"),
			jint(r, "decapsulated_since_clear"),
			jint(r, "proxy_replies_since_clear"),
			jint(r, "punted_since_clear"),
			jint(r, "dropped_since_clear"));
	}
}

SHOW_WORD(ports, "ports", haven_report_ports(),
	print_ports,
	"show ports: DPDK port, name, MAC, address, queues, link, "
	"ethdev statistics and what the workers did with each port's "
	"packets (since clear port stats)");

/* ***** show runtime ***** */

/* n / 100 with two decimals, as text. */
static const char *
hundredths(long long n, char *buf, size_t len)
{
	snprintf(buf, len, "%lld.%02lld", n / 100, n % 100);
	return buf;
}

static void
print_runtime(struct cmdline *cl, const json_t *j)
{
	long long hz = jint(j, "tsc_hz");
	const json_t *r;
	char t[40], b[24], p[24];
	size_t i;

	json_array_foreach(json_object_get(j, "workers"), i, r) {
		long long cycles = jint(r, "cycles_since_clear");

		if (i == 0)
			cmdline_printf(cl, "  counters since %s, TSC %s GHz\n"
				"  %-8s %5s %6s %12s %10s %9s %10s %6s %10s "
				"%10s\n", jstr(r, "cleared_at"),
				hundredths(hz / 10000000, t, sizeof(t)),
				"worker", "lcore", "time", "packets", "bursts",
				"pkts/call", "cycles/pkt", "busy%", "punts",
				"drops");
		cmdline_printf(cl, "  %-8lld %5lld %5llds %12lld %10lld %9s "
			"%10lld %6s %10lld %10lld\n", jint(r, "worker"),
			jint(r, "lcore"), hz > 0 ? cycles / hz : 0,
			jint(r, "packets_since_clear"),
			jint(r, "bursts_since_clear"),
			hundredths(jint(r, "average_burst_x100_since_clear"),
				b, sizeof(b)),
			jint(r, "cycles_per_packet_since_clear"),
			hundredths(jint(r, "busy_permille_since_clear") * 10,
				p, sizeof(p)),
			jint(r, "punts_since_clear"),
			jint(r, "drops_since_clear"));
	}
}

SHOW_WORD(runtime, "runtime", haven_report_runtime(),
	print_runtime,
	"show runtime: per worker, packets, bursts, packets per burst, "
	"cycles per packet, busy share, punts, drops (since clear "
	"runtime)");

/* ***** show port <id> xstats ***** */

struct cmd_show_xstats_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	uint16_t port_id;
	cmdline_fixed_string_t xstats;
};

static void
print_xstats(struct cmdline *cl, const json_t *j)
{
	const char *name;
	json_t *v;

	cmdline_printf(cl, "  extended statistics of DPDK port %lld\n",
		jint(j, "port_id"));
	json_object_foreach(json_object_get(j, "xstats"), name, v)
		cmdline_printf(cl, "  %-40s %16lld\n", name,
			json_integer_value(v));
}

static void
cmd_show_xstats_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_xstats_result *r = parsed;

	(void)data;
	console_emit(cl, haven_report_xstats(r->port_id), print_xstats);
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

static void
print_routes(struct cmdline *cl, const json_t *j)
{
	const json_t *r;
	size_t i;

	cmdline_printf(cl, "  %-18s %-15s %s\n", "prefix", "gateway", "port");
	json_array_foreach(json_object_get(j, "routes"), i, r)
		cmdline_printf(cl, "  %-18s %-15s %s\n", jstr(r, "prefix"),
			jstr(r, "gateway"), jstr(r, "port"));
}

SHOW_WORD(routes, "routes", haven_report_routes(),
	print_routes,
	"show routes: connected subnets and static routes of both "
	"families (prefix, gateway, port)");

/* ***** show neighbours, show neighbours6 ***** */

static void
print_neigh_rows(struct cmdline *cl, const json_t *j, int width)
{
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(j, "neighbours"), i, r)
		cmdline_printf(cl, "  %-*s %s  port %lld  %s  held %lld\n",
			width, jstr(r, "address"), jstr(r, "mac"),
			jint(r, "port"), jstr(r, "state"), jint(r, "held"));
}

static void
print_neigh(struct cmdline *cl, const json_t *j)
{
	print_neigh_rows(cl, j, 15);
}

SHOW_WORD(neigh, "neighbours", haven_report_neighbours(HAVEN_AF_INET),
	print_neigh,
	"show neighbours: next hops and their Ethernet addresses");

static void
print_neigh6(struct cmdline *cl, const json_t *j)
{
	print_neigh_rows(cl, j, 28);
	cmdline_printf(cl, "  %zu IPv6 neighbour(s); NS sent %lld, held sent "
		"%lld, held dropped %lld\n",
		json_array_size(json_object_get(j, "neighbours")),
		jint(j, "neighbour_solicitations_sent"), jint(j, "held_sent"),
		jint(j, "held_dropped"));
}

SHOW_WORD(neigh6, "neighbours6", haven_report_neighbours(HAVEN_AF_INET6),
	print_neigh6,
	"show neighbours6: IPv6 next hops and their Ethernet "
	"addresses");

/* ---------------------------------------------------------------------
 * Pages: show mobile-nodes(6), show bindings(6)
 */

/* The table's last line: n rows of what, matching filter (or none). */
static void
print_page_footer(struct cmdline *cl, const json_t *j, const char *what)
{
	const char *filter = json_string_value(json_object_get(j, "filter"));
	long long n = jint(j, "total"), first = jint(j, "first");
	long long count = jint(j, "count");
	const char *matching = filter != NULL ? " matching " : "";

	if (filter == NULL)
		filter = "";
	if (n == 0)
		cmdline_printf(cl, "  0 %s%s%s\n", what, matching, filter);
	else if (count == 0)
		cmdline_printf(cl, "  no page %lld: %lld %s%s%s on %lld "
			"page(s)\n", jint(j, "page"), n, what, matching, filter,
			jint(j, "pages"));
	else
		cmdline_printf(cl, "  %lld %s%s%s, page %lld of %lld "
			"(%lld..%lld)\n", n, what, matching, filter,
			jint(j, "page"), jint(j, "pages"), first,
			first + count - 1);
}

/* The results of the paged commands: [page <n>] at their end. */
struct cmd_show_paged_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t page_kw;
	uint32_t page;			/**< 0: no page given, the first */
};

static cmdline_parse_token_string_t cmd_show_paged_page_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_show_paged_result, page_kw,
		"page");
static cmdline_parse_token_num_t cmd_show_paged_page =
	TOKEN_NUM_INITIALIZER(struct cmd_show_paged_result, page, RTE_UINT32);

/* ***** show mobile-nodes [page <n>] ***** */

static void
print_mns(struct cmdline *cl, const json_t *j)
{
	const json_t *r;
	size_t i;

	cmdline_printf(cl, "  %-15s %10s %-12s %4s %9s %-7s %s\n",
		"home address", "spi", "algorithm", "key", "max life",
		"bound", "last identification");
	json_array_foreach(json_object_get(j, "mobile_nodes"), i, r) {
		size_t n = json_array_size(json_object_get(r, "care_of"));
		const char *ident = jstr(r, "last_identification");
		char bound[32];

		if (n > 0)
			snprintf(bound, sizeof(bound), "%zu coa", n);
		else
			snprintf(bound, sizeof(bound), "no");
		if (strcmp(ident, "0x0000000000000000") == 0)
			ident = "-";
		cmdline_printf(cl, "  %-15s %10lld %-12s %3lldB %8llds %-7s %s\n",
			jstr(r, "home_address"), jint(r, "spi"),
			jstr(r, "algorithm"), jint(r, "key_length"),
			jint(r, "max_lifetime"), bound, ident);
	}
	print_page_footer(cl, j, "mobile node(s)");
	if (jint(j, "aaa_nodes") > 0)
		cmdline_printf(cl, "  + %lld provisioned by AAA (show aaa "
			"nodes)\n", jint(j, "aaa_nodes"));
}

static void print_mns6(struct cmdline *cl, const json_t *j);

/* show mobile-nodes and show mobile-nodes6, by their word. */
static void
cmd_show_mns_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_paged_result *r = parsed;
	bool six = strcmp(r->what, "mobile-nodes6") == 0;

	(void)data;
	console_emit(cl, haven_report_mobile_nodes(six ? HAVEN_AF_INET6 :
		HAVEN_AF_INET, r->page), six ? print_mns6 : print_mns);
}

/* The two variants of show mobile-nodes or mobile-nodes6 [page <n>]. */
#define MNS_VARIANTS(name, text, help)					\
static cmdline_parse_token_string_t name##_word =			\
	TOKEN_STRING_INITIALIZER(struct cmd_show_paged_result, what, text); \
cmdline_parse_inst_t name = {						\
	.f = cmd_show_mns_parsed, .data = NULL, .help_str = help,	\
	.tokens = { (void *)&cmd_show_show, (void *)&name##_word, NULL }, \
};									\
cmdline_parse_inst_t name##_paged = {					\
	.f = cmd_show_mns_parsed, .data = NULL, .help_str = help,	\
	.tokens = { (void *)&cmd_show_show, (void *)&name##_word,	\
		(void *)&cmd_show_paged_page_kw,			\
		(void *)&cmd_show_paged_page, NULL },			\
}

MNS_VARIANTS(cmd_show_mns, "mobile-nodes", "show mobile-nodes [page <n>]: "
	"configured nodes: home address, SPI, algorithm, key length, max "
	"lifetime, bound, last identification; 32 a page");

/* ***** show mobile-nodes6 [page <n>] ***** */

static void
print_mns6(struct cmdline *cl, const json_t *j)
{
	const json_t *r;
	size_t i;

	cmdline_printf(cl, "  %-28s %10s %-12s %4s %9s %-28s %5s  %s\n",
		"home address", "spi", "algorithm", "key", "max life",
		"bound at", "seq", "identifier");
	json_array_foreach(json_object_get(j, "mobile_nodes"), i, r) {
		const json_t *coa = json_object_get(r, "care_of");
		char c[HAVEN_ADDR_STRLEN] = "no", seq[12] = "-";

		if (json_array_size(coa) > 0)
			snprintf(c, sizeof(c), "%s",
				json_string_value(json_array_get(coa, 0)));
		else if (jbool(r, "dad"))
			snprintf(c, sizeof(c), "(DAD)");
		if (jint(r, "last_sequence") >= 0)
			snprintf(seq, sizeof(seq), "%lld",
				jint(r, "last_sequence"));
		cmdline_printf(cl, "  %-28s %10lld %-12s %3lldB %8llds %-28s %5s"
			"  %s\n", jstr(r, "home_address"), jint(r, "spi"),
			jstr(r, "algorithm"), jint(r, "key_length"),
			jint(r, "max_lifetime"), c, seq,
			jstr(r, "mn_id")[0] != '\0' ? jstr(r, "mn_id") : "-");
	}
	print_page_footer(cl, j, "Mobile IPv6 node(s)");
}

MNS_VARIANTS(cmd_show_mns6, "mobile-nodes6", "show mobile-nodes6 [page "
	"<n>]: configured Mobile IPv6 nodes: home address, SPI, algorithm, "
	"key length, max lifetime, care-of address, last sequence, "
	"identifier; 32 a page");

/* ***** show bindings [<home-address>|<prefix/len>] [page <n>] ***** */

static void
print_binding_row4(struct cmdline *cl, const json_t *r)
{
	const json_t *coa = json_object_get(r, "care_of"), *c;
	char left[24];
	size_t i;

	json_array_foreach(coa, i, c) {
		haven_report_left(jint(c, "remaining"), left, sizeof(left));
		if (i > 0)
			cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %7s\n", "",
				jstr(c, "address"), "", "", left);
		else
			cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %7s %10lld "
				"%12lld %10lld %12lld  %-9s %s\n",
				jstr(r, "home_address"), jstr(c, "address"),
				jstr(r, "encap"),
				jbool(r, "reverse_tunnel") ? "T" : "-", left,
				jint(r, "packets"), jint(r, "bytes"),
				jint(r, "reverse_packets"),
				jint(r, "reverse_bytes"), jstr(r, "forwarder"),
				jstr(r, "origin"));
		/* RFC 3519: the NAT the UDP tunnel goes to */
		if (jint(c, "nat_port") != 0)
			cmdline_printf(cl, "  %-15s via %s:%lld\n", "",
				jstr(c, "nat_address"), jint(c, "nat_port"));
	}
}

static void
print_binding_row6(struct cmdline *cl, const json_t *r)
{
	const json_t *c = json_array_get(json_object_get(r, "care_of"), 0);
	char left[24];

	cmdline_printf(cl, "  %-28s %-28s %7s %10lld %12lld %10lld %12lld  "
		"%s\n", jstr(r, "home_address"), jstr(c, "address"),
		haven_report_left(c != NULL ? jint(c, "remaining") : -1, left,
			sizeof(left)), jint(r, "packets"), jint(r, "bytes"),
		jint(r, "reverse_packets"), jint(r, "reverse_bytes"),
		jstr(r, "forwarder"));
}

static void
print_bindings(struct cmdline *cl, const json_t *j, bool six)
{
	const json_t *r;
	size_t i;

	if (six)
		cmdline_printf(cl, "  %-28s %-28s %7s %10s %12s %10s %12s  %s\n",
			"home address", "care-of", "left", "packets", "bytes",
			"rev pkts", "rev bytes", "forwarder");
	else
		cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %7s %10s %12s %10s "
			"%12s  %-9s %s\n", "home address", "care-of", "encap",
			"rev", "left", "packets", "bytes", "rev pkts",
			"rev bytes", "forwarder", "origin");
	json_array_foreach(json_object_get(j, "bindings"), i, r) {
		if (six)
			print_binding_row6(cl, r);
		else
			print_binding_row4(cl, r);
	}
	print_page_footer(cl, j, six ? "IPv6 binding(s)" : "binding(s)");
}

static void
print_bindings4(struct cmdline *cl, const json_t *j)
{
	print_bindings(cl, j, false);
}

static void
print_bindings6(struct cmdline *cl, const json_t *j)
{
	print_bindings(cl, j, true);
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

/*
 * show bindings and show bindings6: the bound nodes of a family, within
 * a filter (a home address, or a prefix when is_net), a page of them.
 */
static void
show_bindings(struct cmdline *cl, uint8_t family,
		const cmdline_ipaddr_t *filter, bool is_net, uint32_t page)
{
	struct haven_addr prefix, *pfx = NULL;
	unsigned int len = 0;

	if (filter->family == AF_INET || filter->family == AF_INET6) {
		/* An address without /len is one home address. */
		prefix = filter->family == AF_INET ?
			haven_addr4(filter->addr.ipv4.s_addr) :
			haven_addr6(filter->addr.ipv6.s6_addr);
		len = is_net ? filter->prefixlen : 8 * haven_addr_len(&prefix);
		pfx = &prefix;
	}
	console_emit(cl, haven_report_bindings(family, pfx, len, page),
		family == HAVEN_AF_INET6 ? print_bindings6 : print_bindings4);
}

/* show bindings and show bindings6, by their word. */
static void
cmd_show_bindings_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_bindings_result *r = parsed;

	/* .data: NULL when the filter is one home address, else non-NULL. */
	show_bindings(cl, strcmp(r->bindings, "bindings6") == 0 ?
		HAVEN_AF_INET6 : HAVEN_AF_INET, &r->filter, data != NULL,
		r->page);
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

/* The six variants of show bindings or show bindings6. */
#define BINDINGS_VARIANTS(name, fn, help, word, hoa, net)		\
cmdline_parse_inst_t name = {						\
	.f = fn, .data = NULL, .help_str = help,			\
	.tokens = { (void *)&cmd_show_bindings_show, (void *)&word,	\
		NULL },							\
};									\
cmdline_parse_inst_t name##_paged = {					\
	.f = fn, .data = NULL, .help_str = help,			\
	.tokens = { (void *)&cmd_show_bindings_show, (void *)&word,	\
		(void *)&cmd_show_bindings_page_kw,			\
		(void *)&cmd_show_bindings_page, NULL },		\
};									\
cmdline_parse_inst_t name##_hoa_filter = {				\
	.f = fn, .data = NULL, .help_str = help,			\
	.tokens = { (void *)&cmd_show_bindings_show, (void *)&word,	\
		(void *)&hoa, NULL },					\
};									\
cmdline_parse_inst_t name##_hoa_paged = {				\
	.f = fn, .data = NULL, .help_str = help,			\
	.tokens = { (void *)&cmd_show_bindings_show, (void *)&word,	\
		(void *)&hoa, (void *)&cmd_show_bindings_page_kw,	\
		(void *)&cmd_show_bindings_page, NULL },		\
};									\
cmdline_parse_inst_t name##_net_filter = {				\
	.f = fn, .data = (void *)1, .help_str = help,			\
	.tokens = { (void *)&cmd_show_bindings_show, (void *)&word,	\
		(void *)&net, NULL },					\
};									\
cmdline_parse_inst_t name##_net_paged = {				\
	.f = fn, .data = (void *)1, .help_str = help,			\
	.tokens = { (void *)&cmd_show_bindings_show, (void *)&word,	\
		(void *)&net, (void *)&cmd_show_bindings_page_kw,	\
		(void *)&cmd_show_bindings_page, NULL },		\
}

/* .data: NULL when the filter is one home address, else non-NULL. */
BINDINGS_VARIANTS(cmd_show_bindings, cmd_show_bindings_parsed,
	SHOW_BINDINGS_HELP, cmd_show_bindings_bindings, cmd_show_bindings_hoa,
	cmd_show_bindings_net);

/* ***** show bindings6 [<home-address>|<prefix/len>] [page <n>] ***** */

#define SHOW_BINDINGS6_HELP "show bindings6 [<home-address>|<prefix/len>] " \
	"[page <n>]: Mobile IPv6 bindings with their counters, 32 a page"

static cmdline_parse_token_string_t cmd_show_bindings6_bindings6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_bindings_result, bindings,
		"bindings6");
static cmdline_parse_token_ipaddr_t cmd_show_bindings6_hoa =
	TOKEN_IPV6_INITIALIZER(struct cmd_show_bindings_result, filter);
static cmdline_parse_token_ipaddr_t cmd_show_bindings6_net =
	TOKEN_IPV6NET_INITIALIZER(struct cmd_show_bindings_result, filter);

BINDINGS_VARIANTS(cmd_show_bindings6, cmd_show_bindings_parsed,
	SHOW_BINDINGS6_HELP, cmd_show_bindings6_bindings6,
	cmd_show_bindings6_hoa, cmd_show_bindings6_net);

/* ***** show binding <home-address>, show binding6 <home-address> ***** */

struct cmd_show_binding_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t binding;
	cmdline_ipaddr_t hoa;
};

static void
print_binding(struct cmdline *cl, const json_t *j)
{
	bool six = strchr(jstr(j, "home_address"), ':') != NULL;
	const json_t *c;
	char left[24];
	size_t i;

	cmdline_printf(cl, "  binding of %s\n", jstr(j, "home_address"));
	json_array_foreach(json_object_get(j, "care_of"), i, c) {
		if (jstr(c, "next_hop")[0] == '\0') {
			cmdline_printf(cl, "    care-of %s: no route\n",
				jstr(c, "address"));
			continue;
		}
		haven_report_left(jint(c, "remaining"), left, sizeof(left));
		cmdline_printf(cl, six ? "    care-of %s lifetime %llds, %s "
			"left, next hop %s (%s)\n" : "    care-of %-15s "
			"lifetime %llds, %s left, next hop %s (%s)\n",
			jstr(c, "address"), jint(c, "lifetime"), left,
			jstr(c, "next_hop"), jbool(c, "reachable") ?
			"reachable" : "resolving");
		/* RFC 3519: the NAT the UDP tunnel goes to */
		if (jint(c, "nat_port") != 0)
			cmdline_printf(cl, "      behind NAT %s:%lld, tunnelled "
				"in UDP from port %lld\n",
				jstr(c, "nat_address"), jint(c, "nat_port"),
				jint(j, "udp_source_port"));
	}
	if (six)
		cmdline_printf(cl, "    encapsulation ipv6-in-ipv6 from %s",
			jstr(j, "outer_source"));
	else
		cmdline_printf(cl, "    encapsulation %s", jstr(j, "encap"));
	cmdline_printf(cl, ", reverse tunnel %s, forwarder %s",
		jbool(j, "reverse_tunnel") ? "yes" : "no",
		jstr(j, "forwarder"));
	if (json_is_string(json_object_get(j, "delegation")) && !six)
		cmdline_printf(cl, ", delegation %s", jstr(j, "delegation"));
	if (six)
		cmdline_printf(cl, "\n    generation %lld, last sequence %lld",
			jint(j, "generation"), jint(j, "last_sequence"));
	else
		cmdline_printf(cl, "\n    generation %lld, last identification "
			"%s", jint(j, "generation"),
			jstr(j, "last_identification"));
	cmdline_printf(cl, ", bound for %llds\n", jint(j, "bound_for"));
	if (json_object_get(j, "keepalive_interval") != NULL) {
		/* RFC 3519, at the node's home agent */
		cmdline_printf(cl, "    keepalives %lld", jint(j, "keepalives"));
		if (jint(j, "keepalive_ago") >= 0)
			cmdline_printf(cl, ", the last %llds ago",
				jint(j, "keepalive_ago"));
		cmdline_printf(cl, " (interval given: %llds)\n",
			jint(j, "keepalive_interval"));
	}
	if (json_is_object(json_object_get(j, "aaa"))) {
		const json_t *a = json_object_get(j, "aaa");
		const char *sess = jstr(a, "session_id");

		cmdline_printf(cl, "    provisioned by AAA: user %s, address %s, "
			"key from %s (%s), cached %llds more, accounting "
			"session %s\n", jstr(a, "user"),
			jstr(a, "address_from"), jstr(a, "server"),
			jstr(a, "sa_source"), jint(a, "cache_left"),
			sess[0] != '\0' ? sess : "-");
	}
	cmdline_printf(cl, "    to the node    %12lld packets %14lld bytes\n"
		"    reverse tunnel %12lld packets %14lld bytes\n",
		jint(j, "packets"), jint(j, "bytes"),
		jint(j, "reverse_packets"), jint(j, "reverse_bytes"));
}

static void
cmd_show_binding_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_binding_result *r = parsed;
	struct haven_addr hoa = r->hoa.family == AF_INET6 ?
		haven_addr6(r->hoa.addr.ipv6.s6_addr) :
		haven_addr4(r->hoa.addr.ipv4.s_addr);

	(void)data;
	console_emit(cl, haven_report_binding(&hoa), print_binding);
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

static cmdline_parse_token_string_t cmd_show_binding6_binding6 =
	TOKEN_STRING_INITIALIZER(struct cmd_show_binding_result, binding,
		"binding6");
static cmdline_parse_token_ipaddr_t cmd_show_binding6_hoa =
	TOKEN_IPV6_INITIALIZER(struct cmd_show_binding_result, hoa);

cmdline_parse_inst_t cmd_show_binding6 = {
	.f = cmd_show_binding_parsed,
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

/* ***** show events [kind <kind>] [home-address <address>] [<n>] ***** */

struct cmd_show_events_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t events;
	cmdline_fixed_string_t kind_kw;
	cmdline_fixed_string_t kind;	/**< "": any */
	cmdline_fixed_string_t hoa_kw;
	cmdline_ipaddr_t hoa;		/**< family 0: any */
	uint32_t n;			/**< 0: not given */
};

static void
print_events(struct cmdline *cl, const json_t *j)
{
	const json_t *r;
	size_t i;

	cmdline_printf(cl, "  %6s %-27s %-14s %4s  %s\n", "seq", "time (UTC)",
		"kind", "code", "what");
	json_array_foreach(json_object_get(j, "events"), i, r) {
		char code[12] = "-";

		if (jint(r, "code") >= 0)
			snprintf(code, sizeof(code), "%lld", jint(r, "code"));
		cmdline_printf(cl, "  %6lld %-27s %-14s %4s  %s\n",
			jint(r, "seq"), jstr(r, "time"), jstr(r, "kind"), code,
			jstr(r, "text"));
	}
	cmdline_printf(cl, "  %lld event(s) shown%s%s%s%s, %lld recorded since "
		"start, the last %lld of each kind kept\n", jint(j, "count"),
		json_object_get(j, "kind") != NULL ? " of kind " : "",
		json_object_get(j, "kind") != NULL ? jstr(j, "kind") : "",
		json_object_get(j, "home_address") != NULL ? " for " : "",
		json_object_get(j, "home_address") != NULL ?
			jstr(j, "home_address") : "",
		jint(j, "total"), jint(j, "kept_per_kind"));
}

static void
cmd_show_events_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_events_result *r = parsed;
	struct haven_report_events_filter f = {
		.want = r->n == 0 ? EVENTS_DEFAULT : r->n, .kind = -1,
	};
	struct haven_addr hoa;
	unsigned int k;

	(void)data;
	for (k = 0; r->kind[0] != '\0' && k < HAVEN_EV_KIND_MAX; k++)
		if (strcmp(r->kind, haven_event_kind_name(k)) == 0)
			f.kind = k;
	if (r->hoa.family == AF_INET || r->hoa.family == AF_INET6) {
		hoa = r->hoa.family == AF_INET6 ?
			haven_addr6(r->hoa.addr.ipv6.s6_addr) :
			haven_addr4(r->hoa.addr.ipv4.s_addr);
		f.addr = &hoa;
	}
	console_emit(cl, haven_report_events(&f), print_events);
}

static cmdline_parse_token_string_t cmd_show_events_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_events_result, show, "show");
static cmdline_parse_token_string_t cmd_show_events_events =
	TOKEN_STRING_INITIALIZER(struct cmd_show_events_result, events,
		"events");
static cmdline_parse_token_string_t cmd_show_events_kind_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_show_events_result, kind_kw,
		"kind");
/* The names of enum haven_event_kind (runtime/event.c). */
static cmdline_parse_token_string_t cmd_show_events_kind_name =
	TOKEN_STRING_INITIALIZER(struct cmd_show_events_result, kind,
		"registration#deregistration#expiry#delegation#takeback#peer#"
		"config#admin_release");
static cmdline_parse_token_string_t cmd_show_events_hoa_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_show_events_result, hoa_kw,
		"home-address");
static cmdline_parse_token_ipaddr_t cmd_show_events_hoa_addr =
	TOKEN_IPADDR_INITIALIZER(struct cmd_show_events_result, hoa);
static cmdline_parse_token_num_t cmd_show_events_n =
	TOKEN_NUM_INITIALIZER(struct cmd_show_events_result, n, RTE_UINT32);

#define SHOW_EVENTS_HELP "show events [kind <kind>] [home-address " \
	"<address>] [<n>]: the last n events (default " \
	RTE_STR(EVENTS_DEFAULT) ") of a kind, of a home address, newest " \
	"last: time, kind, code, what"

#define EVENTS_INST(name, ...)						\
cmdline_parse_inst_t name = {						\
	.f = cmd_show_events_parsed, .data = NULL,			\
	.help_str = SHOW_EVENTS_HELP,					\
	.tokens = { (void *)&cmd_show_events_show,			\
		(void *)&cmd_show_events_events, __VA_ARGS__ NULL },	\
}

#define EV_KIND (void *)&cmd_show_events_kind_kw, \
	(void *)&cmd_show_events_kind_name,
#define EV_HOA (void *)&cmd_show_events_hoa_kw, \
	(void *)&cmd_show_events_hoa_addr,
#define EV_N (void *)&cmd_show_events_n,

EVENTS_INST(cmd_show_events);
EVENTS_INST(cmd_show_events_n_inst, EV_N);
EVENTS_INST(cmd_show_events_kind, EV_KIND);
EVENTS_INST(cmd_show_events_kind_n, EV_KIND EV_N);
EVENTS_INST(cmd_show_events_hoa, EV_HOA);
EVENTS_INST(cmd_show_events_hoa_n, EV_HOA EV_N);
EVENTS_INST(cmd_show_events_kind_hoa, EV_KIND EV_HOA);
EVENTS_INST(cmd_show_events_kind_hoa_n, EV_KIND EV_HOA EV_N);

/* ***** show stats6 ***** */

static void
print_stats6(struct cmdline *cl, const json_t *j)
{
	const json_t *c = json_object_get(j, "since_clear");
	const char *status;
	json_t *v;

	print_cleared(cl, HAVEN_REPORT_STATS);
	cmdline_printf(cl, "  fast path: proxy NA %lld\n",
		jint(c, "proxy_nd_replies"));
	cmdline_printf(cl,
		"  Mobile IPv6 registrations\n"
		"    mobility headers %lld  discarded %lld  accepted %lld  "
		"denied %lld\n"
		"    bindings %lld  expired %lld\n"
		"    DAD started %lld  failed %lld  unsolicited NA %lld\n"
		"    binding errors %lld  parameter problems %lld (%lld over "
		"the limit)\n"
		"  IPv6 neighbours\n"
		"    NS sent %lld  held sent %lld  held dropped %lld\n"
		"  Binding Acknowledgements by status\n",
		jint(c, "mobility_headers"),
		jint(c, "mobility_headers_discarded"),
		jint(c, "registrations6_accepted"),
		jint(c, "registrations6_denied"), jint(j, "bindings6"),
		jint(c, "bindings6_expired"), jint(c, "dad_started"),
		jint(c, "dad_failed"), jint(c, "unsolicited_na_sent"),
		jint(c, "binding_errors_sent"),
		jint(c, "parameter_problems_sent"),
		jint(c, "parameter_problems_limited"),
		jint(c, "neighbour_solicitations_sent"), jint(c, "held_sent"),
		jint(c, "held_dropped"));
	json_object_foreach(json_object_get(c, "acknowledgements_by_status"),
			status, v)
		if (json_integer_value(v) != 0)
			cmdline_printf(cl, "    %3s: %lld\n", status,
				json_integer_value(v));
}

SHOW_WORD(stats6, "stats6", haven_report_stats6(),
	print_stats6,
	"show stats6: Mobile IPv6 registration, DAD and IPv6 "
	"neighbour totals, acknowledgements by status (since clear "
	"stats)");

/* ***** show running-config ***** */

static void
print_running_config(struct cmdline *cl, const json_t *j)
{
	char *yaml = haven_report_running_config_yaml();

	(void)j;
	if (yaml == NULL) {
		console_error(cl, "cannot write the configuration as YAML");
		return;
	}
	cmdline_printf(cl, "%s", yaml);
	free(yaml);
}

SHOW_WORD(running_config, "running-config", haven_report_running_config(),
	print_running_config,
	"show running-config: the configuration in force, as "
	"YAML haven loads (every secret <hidden>)");
