/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builders of what the operator surfaces show (report.h): version,
 * totals, drops, ports, the workers' runtime, routes, neighbours, events,
 * peers, delegation, log levels; and the baselines of the clear commands. Bindings and
 * mobile nodes are in report_nodes.c, the running configuration in
 * report_config.c.
 *
 * Each builder reads through the view on the control lcore and makes a
 * jansson object whose member names are those of the telemetry endpoint
 * that shows the same data (docs/telemetry.md): the console prints it as
 * text or JSON, telemetry turns it into its reply.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_version.h>

#include "haven_version.h"
#include "loop.h"
#include "report.h"
#include "view.h"

/* ---------------------------------------------------------------------
 * Small helpers
 */

/* Set key to a new value (stolen); errors end up as a missing member. */
static void
put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);
}

static void
put_u(json_t *o, const char *key, uint64_t v)
{
	put(o, key, json_integer((json_int_t)v));
}

static void
put_s(json_t *o, const char *key, const char *s)
{
	put(o, key, json_string(s != NULL ? s : ""));
}

static void
put_addr(json_t *o, const char *key, const struct haven_addr *a)
{
	char s[HAVEN_ADDR_STRLEN];

	put_s(o, key, a->family == HAVEN_AF_NONE ? "" : haven_addr_str(a, s));
}

static void
put_time(json_t *o, const char *key, uint64_t us)
{
	char t[40];

	put_s(o, key, haven_iso8601(us, t, sizeof(t)));
}

/* An object whose only member is "error". */
static json_t *
refusal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *
refusal(const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return json_pack("{s:s}", "error", text);
}

const char *
haven_report_left(long long s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%llds", s);
	return buf;
}

/* ---------------------------------------------------------------------
 * Baselines of the clear commands
 */

/*
 * A baseline: the since-start counters at the clear, and when. Ports and
 * peers have one per port or peer name, in an object keyed by it.
 * Writer: haven_report_clear() (the console's clear commands).
 */
struct baseline {
	json_t *snap;			/* counters at the clear, or NULL */
	uint64_t cleared_us;		/* wall clock of the clear, 0: never */
};

static struct {
	struct baseline stats, stats6, drops;
	json_t *ports;			/* name -> {"snap", "cleared_us"} */
	json_t *peers;			/* name -> {"snap", "cleared_us"} */
	json_t *runtime;		/* worker name -> {"snap", ...} */
	struct baseline rejected;	/* /haven/peers "rejected_messages" */
	uint64_t ports_us, peers_us;	/* last clear of any of them */
	uint64_t runtime_us;
} base;

/* Members of /haven/stats that are levels, not counters. */
static const char *const gauges[] = {
	"bindings", "bindings6", "workers", NULL,
};

static bool
is_gauge(const char *key)
{
	unsigned int i;

	for (i = 0; gauges[i] != NULL; i++)
		if (strcmp(gauges[i], key) == 0)
			return true;
	return false;
}

/*
 * Counters of cur since the snapshot snap (NULL: since start): every
 * integer that is not a gauge, nested objects too. A counter below its
 * snapshot (a peer removed and added again) counts from 0.
 */
static json_t *
since(const json_t *cur, const json_t *snap)
{
	json_t *out = json_object(), *v;
	const char *key;

	if (out == NULL)
		return NULL;
	json_object_foreach((json_t *)(uintptr_t)cur, key, v) {
		const json_t *b = snap != NULL ? json_object_get(snap, key) :
			NULL;

		if (json_is_object(v)) {
			put(out, key, since(v, b));
		} else if (json_is_integer(v) && !is_gauge(key)) {
			json_int_t x = json_integer_value(v);
			json_int_t y = json_integer_value(b);

			put(out, key, json_integer(x >= y ? x - y : x));
		}
	}
	return out;
}

/* o (since start) with "since_clear": its counters since the baseline. */
static json_t *
with_since_clear(json_t *o, const struct baseline *b)
{
	json_t *s = o != NULL ? since(o, b->snap) : NULL;

	if (s == NULL)
		return o;
	put_time(s, "cleared_at", b->cleared_us != 0 ? b->cleared_us :
		haven_rt.started_us);
	put(o, "since_clear", s);
	return o;
}

static void
baseline_take(struct baseline *b, json_t *snap, uint64_t now)
{
	json_decref(b->snap);
	b->snap = snap;
	b->cleared_us = now;
}

/* Per-name baselines: columns of counters of a row, into row (flat). */
static void
row_since_clear(json_t *row, const json_t *by_name, const char *name,
		const char *const *counters)
{
	const json_t *b = json_object_get(by_name, name);
	const json_t *snap = json_object_get(b, "snap");
	uint64_t us = json_integer_value(json_object_get(b, "cleared_us"));
	unsigned int i;

	for (i = 0; counters[i] != NULL; i++) {
		json_int_t x = jint(row, counters[i]);
		json_int_t y = jint(snap, counters[i]);
		char key[64];

		snprintf(key, sizeof(key), "%s_since_clear", counters[i]);
		put(row, key, json_integer(x >= y ? x - y : x));
	}
	put_time(row, "cleared_at", us != 0 ? us : haven_rt.started_us);
}

/* Take the rows of arr (whose "name" matches which, NULL: all). */
static int
rows_take(json_t **by_name, const json_t *arr, const char *which,
		const char *const *counters, uint64_t now)
{
	const json_t *row;
	size_t i;
	int found = 0;

	if (*by_name == NULL && (*by_name = json_object()) == NULL)
		return -ENOMEM;
	json_array_foreach(arr, i, row) {
		const char *name = jstr(row, "name");
		json_t *snap = json_object();
		unsigned int k;

		if (which != NULL && strcmp(which, name) != 0)
			continue;
		if (snap == NULL)
			return -ENOMEM;
		for (k = 0; counters[k] != NULL; k++)
			put(snap, counters[k], json_integer(jint(row,
				counters[k])));
		json_object_set_new(*by_name, name, json_pack("{s:o,s:I}",
			"snap", snap, "cleared_us", (json_int_t)now));
		found++;
	}
	return found > 0 ? 0 : -ENOENT;
}

static const char *const port_counters[] = {
	"ipackets", "opackets", "ibytes", "obytes", "imissed", "ierrors",
	"oerrors", "rx_nombuf", "received", "tunnelled", "decapsulated",
	"proxy_replies", "punted", "dropped", NULL,
};

static const char *const runtime_counters[] = {
	"packets", "bursts", "turns", "busy_cycles", "cycles", "punts",
	"drops", NULL,
};

static const char *const peer_counters[] = {
	"tx", "rx", "retransmits", "bad_auth", "replayed", "malformed",
	"timeouts", NULL,
};

/* ---------------------------------------------------------------------
 * Version
 */

json_t *
haven_report_version(void)
{
	json_t *o = json_object();
	uint64_t now = haven_wall_us();

	if (o == NULL)
		return NULL;
	put_s(o, "version", HAVEN_VERSION);
	put_s(o, "git_revision", HAVEN_GIT_REVISION);
	put_s(o, "dpdk_version", rte_version());
	put_s(o, "build_type", HAVEN_BUILD_TYPE);
	put_time(o, "start_time", haven_rt.started_us);
	put_u(o, "uptime", now > haven_rt.started_us ?
		(now - haven_rt.started_us) / 1000000 : 0);
	return o;
}

/* ---------------------------------------------------------------------
 * Totals
 */

/* Since-start totals of /haven/stats, in its order. */
static json_t *
stats_since_start(void)
{
	const struct haven_reg4_stats *c = haven_reg4_stats();
	const struct haven_reg6_stats *c6 = haven_reg6_stats();
	const struct haven_link_stats *l = haven_link_stats(HAVEN_AF_INET);
	const struct haven_link_stats *l6 = haven_link_stats(HAVEN_AF_INET6);
	struct haven_worker_stats w;
	uint64_t drops = 0, denied = 0;
	json_t *o = json_object();
	unsigned int i;

	if (o == NULL)
		return NULL;
	haven_rt_worker_stats(&w);
	for (i = 0; i < HAVEN_DROP_MAX; i++)
		drops += w.drops[i];
	for (i = 2; i < 256; i++)
		denied += c->replies[i];
	put_u(o, "rx_packets", w.rx_pkts);
	put_u(o, "tx_packets", w.tx_pkts);
	put_u(o, "encap_packets", w.encap_pkts);
	put_u(o, "decap_packets", w.decap_pkts);
	put_u(o, "proxy_arp_replies", w.proxy_arp);
	put_u(o, "icmp_echo_replies", w.icmp_echo);
	put_u(o, "punted", w.punted);
	put_u(o, "dropped", drops);
	put_u(o, "bindings", haven_view_binding_count(HAVEN_AF_INET));
	put_u(o, "registration_requests", c->requests);
	put_u(o, "registrations_accepted", c->replies[0] + c->replies[1]);
	put_u(o, "registrations_denied", denied);
	put_u(o, "registration_datagrams_dropped", c->dropped);
	put_u(o, "bindings_expired",
		haven_node_stats(HAVEN_AF_INET)->bindings_expired);
	put_u(o, "gratuitous_arp_sent", l->announces_sent);
	put_u(o, "arp_requests_sent", l->solicits_sent);
	put_u(o, "held_sent", l->held_sent);
	put_u(o, "held_dropped", l->held_dropped);
	put_u(o, "control_tx_dropped", haven_rt.stats.tx_dropped);
	put_u(o, "workers", haven_rt.n_workers);
	put_u(o, "proxy_nd_replies", w.proxy_nd);
	put_u(o, "bindings6", haven_view_binding_count(HAVEN_AF_INET6));
	put_u(o, "registrations6_accepted", c6->accepted);
	put_u(o, "registrations6_denied", c6->denied);
	put_u(o, "udp_bad_checksum", haven_loop_stats()->udp_bad_checksum);
	put_u(o, "neighbour_mac_changes", l->mac_changes + l6->mac_changes);
	put_u(o, "neighbour_claims_refused",
		l->mac_claims_refused + l6->mac_claims_refused);
	put_u(o, "neighbours_evicted", l->evicted + l6->evicted);
	put_u(o, "address_claims_seen", l->claims_seen + l6->claims_seen);
	put_u(o, "addresses_defended", l->defended + l6->defended);
	put_u(o, "registrations_bound_lane", w.reg_bound);
	put_u(o, "registrations_new_lane", w.reg_new);
	put_u(o, "registrations_shed", w.drops[HAVEN_DROP_REG_SHED] +
		w.drops[HAVEN_DROP_REG_SHED_SOURCE] +
		w.drops[HAVEN_DROP_REG_SHED_BOUND]);
	put_u(o, "icmp_errors_sent", w.icmp_errors);
	put_u(o, "icmp_errors_limited", w.icmp_limited);
	/* RFC 3519, as /haven/registrations counts them (registrations()) */
	put_u(o, "udp_tunnel_registrations", c->udp_tunnelled);
	put_u(o, "udp_tunnel_declined", c->udp_declined);
	put_u(o, "udp_tunnel_keepalives", c->keepalives);
	put_u(o, "udp_tunnel_data_dropped", c->tunnel_dropped);
	return o;
}

json_t *
haven_report_stats(void)
{
	return with_since_clear(stats_since_start(), &base.stats);
}

/* The non-zero counts of 256 reply codes, keyed by fmt ("code_%u"). */
static void
put_by_code(json_t *o, const uint64_t counts[256], const char *fmt)
{
	unsigned int code;

	for (code = 0; code < 256; code++) {
		char k[16];

		if (counts[code] == 0)
			continue;
		snprintf(k, sizeof(k), fmt, code);
		put_u(o, k, counts[code]);
	}
}

json_t *
haven_report_registrations(void)
{
	const struct haven_reg4_stats *c = haven_reg4_stats();
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put_u(o, "requests", c->requests);
	put_u(o, "dropped", c->dropped);
	/* RFC 3519: /haven/stats has them as udp_tunnel_* */
	put_u(o, "udp_tunnelled", c->udp_tunnelled);
	put_u(o, "udp_declined", c->udp_declined);
	put_u(o, "keepalives", c->keepalives);
	put_u(o, "tunnel_dropped", c->tunnel_dropped);
	put_by_code(o, c->replies, "code_%u");
	return o;
}

static json_t *
stats6_since_start(void)
{
	const struct haven_reg6_stats *c = haven_reg6_stats();
	const struct haven_link_stats *l = haven_link_stats(HAVEN_AF_INET6);
	struct haven_worker_stats w;
	json_t *o = json_object(), *ba = json_object();

	if (o == NULL || ba == NULL) {
		json_decref(o);
		json_decref(ba);
		return NULL;
	}
	haven_rt_worker_stats(&w);
	put_u(o, "proxy_nd_replies", w.proxy_nd);
	put_u(o, "mobility_headers", c->mh_received);
	put_u(o, "mobility_headers_discarded", c->mh_dropped);
	put_u(o, "registrations6_accepted", c->accepted);
	put_u(o, "registrations6_denied", c->denied);
	put_u(o, "bindings6", haven_view_binding_count(HAVEN_AF_INET6));
	put_u(o, "bindings6_expired",
		haven_node_stats(HAVEN_AF_INET6)->bindings_expired);
	put_u(o, "dad_started", c->dad_started);
	put_u(o, "dad_failed", c->dad_failed);
	put_u(o, "unsolicited_na_sent", l->announces_sent);
	put_u(o, "binding_errors_sent", c->be_sent);
	put_u(o, "parameter_problems_sent", c->param_problem_sent);
	put_u(o, "parameter_problems_limited", c->param_problem_limited);
	put_u(o, "neighbour_solicitations_sent", l->solicits_sent);
	put_u(o, "held_sent", l->held_sent);
	put_u(o, "held_dropped", l->held_dropped);
	put_by_code(ba, c->ba_sent, "%u");
	put(o, "acknowledgements_by_status", ba);
	return o;
}

json_t *
haven_report_stats6(void)
{
	if (!haven_rt_has_ip6())
		return refusal("IPv6 is not configured (no address6 in %s)",
			haven_rt.cfg.path);
	return with_since_clear(stats6_since_start(), &base.stats6);
}

static json_t *
drops_since_start(void)
{
	struct haven_worker_stats w;
	json_t *o = json_object();
	unsigned int i;

	if (o == NULL)
		return NULL;
	haven_rt_worker_stats(&w);
	for (i = 0; i < HAVEN_DROP_MAX; i++)
		put_u(o, haven_drop_key(i), w.drops[i]);
	return o;
}

json_t *
haven_report_drops(void)
{
	return with_since_clear(drops_since_start(), &base.drops);
}

/* ---------------------------------------------------------------------
 * Ports
 */

static void
port_prefix(const struct haven_config_port *cp, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &cp->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, cp->prefix_len);
}

/* What the workers did with a port's packets (its input), into r. */
static void
port_haven_counters(json_t *r, unsigned int port)
{
	struct haven_worker_port_stats sum;
	unsigned int w;

	memset(&sum, 0, sizeof(sum));
	for (w = 0; w < haven_rt.n_workers && port < HAVEN_MAX_PORTS; w++) {
		const struct haven_worker_port_stats *ps =
			&haven_rt.workers[w].port_stats[port];

		sum.rx += ps->rx;
		sum.encap += ps->encap;
		sum.decap += ps->decap;
		sum.proxy += ps->proxy;
		sum.punted += ps->punted;
		sum.dropped += ps->dropped;
	}
	put_u(r, "received", sum.rx);
	put_u(r, "tunnelled", sum.encap);
	put_u(r, "decapsulated", sum.decap);
	put_u(r, "proxy_replies", sum.proxy);
	put_u(r, "punted", sum.punted);
	put_u(r, "dropped", sum.dropped);
}

/* The ports' rows, since start only. */
static json_t *
port_rows(void)
{
	json_t *rows = json_array();
	unsigned int i;

	for (i = 0; rows != NULL && i < haven_rt.fp.n_ports; i++) {
		const struct haven_fp_port *p = &haven_rt.fp.ports[i];
		const struct haven_config_port *cp = &haven_rt.cfg.ports[i];
		char dev[RTE_ETH_NAME_MAX_LEN] = "?";
		char link_text[RTE_ETH_LINK_MAX_STR_LEN] = "unknown";
		char mac[RTE_ETHER_ADDR_FMT_SIZE], a[INET_ADDRSTRLEN + 4];
		struct rte_eth_link link;
		struct rte_eth_stats st;
		json_t *r = json_object();

		if (r == NULL)
			break;
		memset(&link, 0, sizeof(link));
		memset(&st, 0, sizeof(st));
		rte_eth_dev_get_name_by_port(p->port_id, dev);
		if (rte_eth_link_get_nowait(p->port_id, &link) == 0)
			rte_eth_link_to_str(link_text, sizeof(link_text),
				&link);
		rte_eth_stats_get(p->port_id, &st);
		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		port_prefix(cp, a, sizeof(a));
		put_s(r, "name", cp->name);
		put_u(r, "port_id", p->port_id);
		put_s(r, "device", dev);
		put_s(r, "mac", mac);
		put_s(r, "address", a);
		if (cp->has_addr6) {
			char a6[INET6_ADDRSTRLEN + 4];

			inet_ntop(AF_INET6, cp->addr6, a6, sizeof(a6));
			snprintf(a6 + strlen(a6), sizeof(a6) - strlen(a6),
				"/%u", cp->prefix_len6);
			put_s(r, "address6", a6);
		} else {
			put_s(r, "address6", "");
		}
		put_u(r, "link_up", link.link_status);
		put_u(r, "speed_mbps", link.link_speed);
		put_s(r, "link", link_text);
		put_u(r, "mtu", p->mtu);
		put_u(r, "rx_queues", haven_rt.n_rxq[i]);
		put_u(r, "tx_queues", haven_rt.n_workers + 1);
		put_u(r, "ipackets", st.ipackets);
		put_u(r, "opackets", st.opackets);
		put_u(r, "ibytes", st.ibytes);
		put_u(r, "obytes", st.obytes);
		put_u(r, "imissed", st.imissed);
		put_u(r, "ierrors", st.ierrors);
		put_u(r, "oerrors", st.oerrors);
		put_u(r, "rx_nombuf", st.rx_nombuf);
		port_haven_counters(r, i);
		json_array_append_new(rows, r);
	}
	return rows;
}

json_t *
haven_report_ports(void)
{
	json_t *rows = port_rows(), *r;
	size_t i;

	if (rows == NULL)
		return NULL;
	json_array_foreach(rows, i, r)
		row_since_clear(r, base.ports, jstr(r, "name"), port_counters);
	return json_pack("{s:o}", "ports", rows);
}

/* ---------------------------------------------------------------------
 * Runtime of the workers
 */

/* a / b, 0 when b is. */
static uint64_t
ratio_of(uint64_t a, uint64_t b)
{
	return b != 0 ? (a + b / 2) / b : 0;
}

/* Averages of a row from its counters named with suffix sfx. */
static void
runtime_derived(json_t *r, const char *sfx)
{
	char k[4][48];
	uint64_t pkts, bursts, busy, cycles;

	snprintf(k[0], sizeof(k[0]), "packets%s", sfx);
	snprintf(k[1], sizeof(k[1]), "bursts%s", sfx);
	snprintf(k[2], sizeof(k[2]), "busy_cycles%s", sfx);
	snprintf(k[3], sizeof(k[3]), "cycles%s", sfx);
	pkts = jint(r, k[0]);
	bursts = jint(r, k[1]);
	busy = jint(r, k[2]);
	cycles = jint(r, k[3]);
	snprintf(k[0], sizeof(k[0]), "average_burst_x100%s", sfx);
	put_u(r, k[0], ratio_of(pkts * 100, bursts));
	snprintf(k[0], sizeof(k[0]), "cycles_per_packet%s", sfx);
	put_u(r, k[0], ratio_of(busy, pkts));
	snprintf(k[0], sizeof(k[0]), "busy_permille%s", sfx);
	put_u(r, k[0], ratio_of(busy * 1000, cycles));
}

/* The workers' rows, since start only. */
static json_t *
runtime_rows(void)
{
	json_t *rows = json_array();
	unsigned int lcore, w = 0, d;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		const struct haven_worker *wk;
		json_t *r;
		char name[32];
		uint64_t drops = 0;

		if (rows == NULL || w >= haven_rt.n_workers)
			break;
		wk = &haven_rt.workers[w];
		r = json_object();
		if (r == NULL)
			break;
		for (d = 0; d < HAVEN_DROP_MAX; d++)
			drops += wk->stats.drops[d];
		snprintf(name, sizeof(name), "worker%u", w);
		put_s(r, "name", name);
		put_u(r, "worker", w);
		put_u(r, "lcore", lcore);
		put_u(r, "rx_queues", wk->n_rxq);
		put_u(r, "packets", wk->stats.rx_pkts);
		put_u(r, "bursts", wk->runtime.bursts);
		put_u(r, "turns", wk->runtime.turns);
		put_u(r, "busy_cycles", wk->runtime.busy_cycles);
		put_u(r, "cycles", wk->runtime.start_tsc != 0 ?
			wk->runtime.now_tsc - wk->runtime.start_tsc : 0);
		put_u(r, "punts", wk->stats.punted);
		put_u(r, "drops", drops);
		json_array_append_new(rows, r);
		w++;
	}
	return rows;
}

json_t *
haven_report_runtime(void)
{
	json_t *rows = runtime_rows(), *r;
	size_t i;

	if (rows == NULL)
		return NULL;
	json_array_foreach(rows, i, r) {
		row_since_clear(r, base.runtime, jstr(r, "name"),
			runtime_counters);
		runtime_derived(r, "");
		runtime_derived(r, "_since_clear");
	}
	return json_pack("{s:I,s:o}", "tsc_hz", (json_int_t)rte_get_tsc_hz(),
		"workers", rows);
}

json_t *
haven_report_xstats(uint16_t port_id)
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *values = NULL;
	json_t *o = NULL, *x;
	int n, i;

	if (!rte_eth_dev_is_valid_port(port_id))
		return refusal("no DPDK port %u", port_id);
	n = rte_eth_xstats_get_names(port_id, NULL, 0);
	if (n < 0)
		return refusal("port %u: %s", port_id, strerror(-n));
	names = calloc(n + 1, sizeof(*names));
	values = calloc(n + 1, sizeof(*values));
	x = json_object();
	if (names == NULL || values == NULL || x == NULL)
		goto out;
	if (rte_eth_xstats_get_names(port_id, names, n) != n ||
	    rte_eth_xstats_get(port_id, values, n) != n) {
		o = refusal("port %u: extended statistics changed while read",
			port_id);
		goto out;
	}
	for (i = 0; i < n; i++)
		put_u(x, names[values[i].id].name, values[i].value);
	o = json_pack("{s:i,s:O}", "port_id", port_id, "xstats", x);
out:
	json_decref(x);
	free(names);
	free(values);
	return o;
}

/* ---------------------------------------------------------------------
 * Routes and neighbours
 */

static void
route_row(json_t *rows, const struct haven_addr *prefix, unsigned int len,
		const struct haven_addr *gw, const char *port)
{
	char p[HAVEN_ADDR_STRLEN + 4], g[HAVEN_ADDR_STRLEN] = "connected";

	haven_addr_str(prefix, p);
	snprintf(p + strlen(p), sizeof(p) - strlen(p), "/%u", len);
	if (gw != NULL)
		haven_addr_str(gw, g);
	json_array_append_new(rows, json_pack("{s:s,s:s,s:s}", "prefix", p,
		"gateway", g, "port", port));
}

/* The network of addr/len (host bits zero). */
static struct haven_addr
network_of(struct haven_addr a, unsigned int len)
{
	unsigned int i, bytes = haven_addr_len(&a);

	for (i = 0; i < bytes; i++) {
		unsigned int bits = len > 8 * i ? len - 8 * i : 0;

		if (bits < 8)
			a.bytes[i] &= (uint8_t)(0xff00 >> bits);
	}
	return a;
}

json_t *
haven_report_routes(void)
{
	const struct haven_config *cfg = &haven_rt.cfg;
	json_t *rows = json_array();
	unsigned int i;

	if (rows == NULL)
		return NULL;
	for (i = 0; i < cfg->n_ports; i++) {
		const struct haven_config_port *p = &cfg->ports[i];
		struct haven_addr net = network_of(haven_addr4(p->addr),
			p->prefix_len);

		route_row(rows, &net, p->prefix_len, NULL, p->name);
		if (p->has_addr6) {
			net = network_of(haven_addr6(p->addr6), p->prefix_len6);
			route_row(rows, &net, p->prefix_len6, NULL, p->name);
		}
	}
	for (i = 0; i < cfg->n_routes; i++) {
		const struct haven_config_route *r = &cfg->routes[i];
		struct haven_addr pfx = haven_addr4(r->prefix);
		struct haven_addr gw = haven_addr4(r->gateway);

		route_row(rows, &pfx, r->prefix_len, &gw, r->port <
			cfg->n_ports ? cfg->ports[r->port].name : "?");
	}
	for (i = 0; i < cfg->n_routes6; i++) {
		const struct haven_config_route6 *r = &cfg->routes6[i];
		struct haven_addr pfx = haven_addr6(r->prefix);
		struct haven_addr gw = haven_addr6(r->gateway);

		route_row(rows, &pfx, r->prefix_len, &gw, r->port <
			cfg->n_ports ? cfg->ports[r->port].name : "?");
	}
	return json_pack("{s:o}", "routes", rows);
}

static void
neigh_row(const struct haven_view_neigh *nb, void *arg)
{
	char a[HAVEN_ADDR_STRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(mac, sizeof(mac), &nb->mac);
	json_array_append_new(arg, json_pack("{s:s,s:s,s:i,s:s,s:i}",
		"address", haven_addr_str(&nb->addr, a), "mac", mac,
		"port", nb->port, "state", nb->reachable ? "reachable" :
		"incomplete", "held", nb->held));
}

json_t *
haven_report_neighbours(uint8_t family)
{
	const struct haven_link_stats *l = haven_link_stats(family);
	json_t *rows, *o;

	if (family == HAVEN_AF_INET6 && !haven_rt_has_ip6())
		return refusal("IPv6 is not configured (no address6 in %s)",
			haven_rt.cfg.path);
	rows = json_array();
	if (rows == NULL)
		return NULL;
	haven_view_neighbours(family, neigh_row, rows);
	o = json_pack("{s:o}", "neighbours", rows);
	if (o == NULL)
		return NULL;
	put_u(o, family == HAVEN_AF_INET6 ? "neighbour_solicitations_sent" :
		"arp_requests_sent", l->solicits_sent);
	put_u(o, "held_sent", l->held_sent);
	put_u(o, "held_dropped", l->held_dropped);
	return o;
}

/* ---------------------------------------------------------------------
 * Events
 */

static bool
event_matches(const struct haven_event *ev,
		const struct haven_report_events_filter *f)
{
	if (f->kind >= 0 && (int)ev->kind != f->kind)
		return false;
	return f->addr == NULL || (ev->addr.family == f->addr->family &&
		haven_addr_cmp(&ev->addr, f->addr) == 0);
}

json_t *
haven_report_events(const struct haven_report_events_filter *f)
{
	const struct haven_event *ev, *shown[HAVEN_EVENTS];
	uint64_t total = haven_event_count(), seq = total;
	unsigned int want = f->want, n = 0;
	json_t *rows = json_array(), *o;

	if (rows == NULL)
		return NULL;
	if (want > HAVEN_EVENTS)
		want = HAVEN_EVENTS;
	/* The last `want` matching events still held, newest first. */
	while (n < want && (ev = haven_event_prev(seq)) != NULL) {
		if (event_matches(ev, f))
			shown[n++] = ev;
		seq = ev->seq;
	}
	while (n-- > 0) {
		json_t *r = json_object();
		char a[HAVEN_ADDR_STRLEN] = "";

		ev = shown[n];
		if (r == NULL)
			break;
		if (ev->addr.family != HAVEN_AF_NONE)
			haven_addr_str(&ev->addr, a);
		put_u(r, "seq", ev->seq);
		put_u(r, "time_us", ev->time_us);
		put_time(r, "time", ev->time_us);
		put_s(r, "kind", haven_event_kind_name(ev->kind));
		put(r, "code", json_integer(ev->code));
		put_s(r, "home_address", a);
		put_s(r, "text", ev->text);
		json_array_append_new(rows, r);
	}
	o = json_pack("{s:I,s:I,s:i}", "total", (json_int_t)total, "first",
		(json_int_t)haven_event_first(), "kept_per_kind",
		HAVEN_EVENTS);
	if (o == NULL) {
		json_decref(rows);
		return NULL;
	}
	if (f->kind >= 0)
		put_s(o, "kind", haven_event_kind_name(f->kind));
	if (f->addr != NULL)
		put_addr(o, "home_address", f->addr);
	put_u(o, "count", json_array_size(rows));
	put(o, "events", rows);
	return o;
}

/* ---------------------------------------------------------------------
 * Delegation
 */

static void
peer_row(json_t *rows, const struct haven_deleg_peer *p, const char *role)
{
	char a[INET_ADDRSTRLEN];
	json_t *r;

	inet_ntop(AF_INET, &p->addr, a, sizeof(a));
	r = json_pack("{s:s,s:I,s:s,s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
		"s:I}", "name", p->name, "id", (json_int_t)p->id,
		"address", a, "role", role, "alive", p->alive,
		"load", (json_int_t)p->load,
		"delegated", (json_int_t)p->n_delegated,
		"tx", (json_int_t)p->stats.tx, "rx", (json_int_t)p->stats.rx,
		"retransmits", (json_int_t)p->stats.retransmits,
		"bad_auth", (json_int_t)p->stats.bad_auth,
		"replayed", (json_int_t)p->stats.replayed,
		"malformed", (json_int_t)p->stats.malformed,
		"timeouts", (json_int_t)p->stats.timeouts);
	if (r != NULL) {
		/* The scale extension's flow control (docs/delegation-protocol
		 * 11.4): what waits for the window, what is in it. */
		put_u(r, "queued", p->n_queued);
		put_u(r, "outstanding", p->n_outstanding);
		put_u(r, "records_tx", p->stats.records_tx);
		put(r, "extension", json_integer(p->ext));
		row_since_clear(r, base.peers, p->name, peer_counters);
		json_array_append_new(rows, r);
	}
}

/* The peers' rows and rejected_messages, since start and since clear. */
json_t *
haven_report_peers(void)
{
	const struct haven_deleg_pha *pha = haven_deleg_pha_ctx();
	const struct haven_deleg_sha *sha = haven_deleg_sha_ctx();
	json_t *rows = json_array(), *o;
	uint64_t rejected = haven_deleg_rejected();
	uint64_t b = json_integer_value(base.rejected.snap);
	unsigned int i;

	if (rows == NULL)
		return NULL;
	for (i = 0; pha != NULL && i < pha->n_peers; i++)
		if (!haven_deleg_secondaries()[i].removed)
			peer_row(rows, &haven_deleg_secondaries()[i],
				"secondary");
	for (i = 0; sha != NULL && i < sha->n_primaries; i++)
		peer_row(rows, &haven_deleg_primaries()[i], "primary");
	o = json_pack("{s:o,s:I,s:I}", "peers", rows, "rejected_messages",
		(json_int_t)rejected, "rejected_messages_since_clear",
		(json_int_t)(rejected >= b ? rejected - b : rejected));
	return o;
}

static void
delegated_row(const struct haven_deleg_binding *b, void *arg)
{
	struct haven_addr hoa = b->info.home_addr;
	char a[HAVEN_ADDR_STRLEN];

	json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:I,s:I}",
		"home_address", haven_addr_str(&hoa, a), "peer",
		b->peer != NULL ? b->peer->name : "-", "state",
		haven_deleg_state_name(b->state), "generation",
		(json_int_t)b->info.generation, "packets",
		(json_int_t)b->reported_packets));
}

json_t *
haven_report_delegation(void)
{
	const struct haven_deleg_sha *sha = haven_deleg_sha_ctx();
	json_t *o = json_object(), *roles = json_array(), *held;
	uint64_t now = haven_now_ms();
	unsigned int i;

	if (o == NULL || roles == NULL) {
		json_decref(o);
		json_decref(roles);
		return NULL;
	}
	if (haven_deleg_is_pha())
		json_array_append_new(roles, json_string("primary"));
	if (haven_deleg_is_sha())
		json_array_append_new(roles, json_string("secondary"));
	put(o, "roles", roles);
	if (haven_deleg_is_pha()) {
		json_t *rows = json_array();

		const struct haven_balancer_stats *bs =
			haven_balancer_stats();

		put_s(o, "policy",
			haven_deleg_policy_name(haven_balancer_policy()));
		put_u(o, "rebalance_tolerance_pct", bs->tolerance_pct);
		put(o, "rebalancing", json_boolean(bs->rebalancing));
		put_u(o, "moves_planned", bs->moves_planned);
		put_u(o, "moves_queued", haven_deleg_pha_ctx()->n_moves_queued);
		if (rows != NULL)
			haven_deleg_foreach(delegated_row, rows);
		put(o, "delegated", rows);
	}
	if (sha == NULL)
		return o;
	held = json_array();
	for (i = 0; held != NULL && i < sha->capacity; i++) {
		const struct haven_deleg_sha_entry *e = &sha->entries[i];
		struct haven_addr x = e->info.home_addr;
		char a[HAVEN_ADDR_STRLEN];
		json_t *coa = json_array();
		unsigned int j;

		if (e->primary == NULL || coa == NULL) {
			json_decref(coa);
			continue;
		}
		for (j = 0; j < e->info.n_coa; j++) {
			struct haven_addr c = e->info.coa[j];

			json_array_append_new(coa,
				json_string(haven_addr_str(&c, a)));
		}
		json_array_append_new(held, json_pack("{s:s,s:s,s:o,s:I,"
			"s:I,s:I}", "home_address", haven_addr_str(&x, a),
			"primary", e->primary->name, "care_of", coa,
			"remaining", e->expires_ms == UINT64_MAX ?
			(json_int_t)-1 : e->expires_ms > now ?
			(json_int_t)((e->expires_ms - now) / 1000) : 0,
			"packets", (json_int_t)haven_deleg_entry_packets(e),
			"generation", (json_int_t)e->info.generation));
	}
	put(o, "held", held);
	put_u(o, "used", sha->used);
	put_u(o, "capacity", sha->capacity);
	return o;
}

/* ---------------------------------------------------------------------
 * Log levels
 */

/* rte_log has no iterator over its types: its dump, parsed. */
json_t *
haven_report_log_levels(void)
{
	char *text = NULL, *line, *save = NULL;
	json_t *o = json_object(), *types = json_array();
	size_t len = 0;
	FILE *f;

	if (o == NULL || types == NULL ||
	    (f = open_memstream(&text, &len)) == NULL) {
		json_decref(o);
		json_decref(types);
		return NULL;
	}
	rte_log_dump(f);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[128], level[32];
		unsigned int id;

		if (sscanf(line, "global log level is %31s", level) == 1)
			put_s(o, "global_level", level);
		else if (sscanf(line, "id %u: %127[^,], level is %31s", &id,
				name, level) == 3)
			json_array_append_new(types, json_pack("{s:i,s:s,s:s}",
				"id", id, "name", name, "level", level));
	}
	free(text);
	put(o, "types", types);
	return o;
}

/* ---------------------------------------------------------------------
 * Clears
 */

int
haven_report_clear(enum haven_report_counters set, const char *which)
{
	uint64_t now = haven_wall_us();
	json_t *t;
	int rc = 0;

	switch (set) {
	case HAVEN_REPORT_STATS:
		baseline_take(&base.stats, stats_since_start(), now);
		if (haven_rt_has_ip6())
			baseline_take(&base.stats6, stats6_since_start(), now);
		break;
	case HAVEN_REPORT_DROPS:
		baseline_take(&base.drops, drops_since_start(), now);
		break;
	case HAVEN_REPORT_PORTS:
		t = port_rows();
		rc = t != NULL ? rows_take(&base.ports, t, which,
			port_counters, now) : -ENOMEM;
		json_decref(t);
		if (rc == 0)
			base.ports_us = now;
		break;
	case HAVEN_REPORT_RUNTIME:
		t = runtime_rows();
		rc = t != NULL ? rows_take(&base.runtime, t, NULL,
			runtime_counters, now) : -ENOMEM;
		json_decref(t);
		if (rc == 0)
			base.runtime_us = now;
		break;
	case HAVEN_REPORT_PEERS:
		t = haven_report_peers();
		rc = t != NULL ? rows_take(&base.peers, json_object_get(t,
			"peers"), which, peer_counters, now) : -ENOMEM;
		if (rc == -ENOENT && which == NULL)
			rc = 0;		/* no peer: nothing to clear */
		if (rc == 0 && which == NULL)
			baseline_take(&base.rejected, json_integer(
				(json_int_t)haven_deleg_rejected()), now);
		json_decref(t);
		if (rc == 0)
			base.peers_us = now;
		break;
	}
	return rc;
}

uint64_t
haven_report_cleared_us(enum haven_report_counters set)
{
	switch (set) {
	case HAVEN_REPORT_STATS:
		return base.stats.cleared_us;
	case HAVEN_REPORT_DROPS:
		return base.drops.cleared_us;
	case HAVEN_REPORT_PORTS:
		return base.ports_us;
	case HAVEN_REPORT_PEERS:
		return base.peers_us;
	case HAVEN_REPORT_RUNTIME:
		return base.runtime_us;
	}
	return 0;
}
