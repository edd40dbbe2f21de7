/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry endpoints under /haven (rte_telemetry), readable with
 * dpdk-telemetry.py and any collector that speaks its socket.
 *
 * rte_telemetry calls us on its own thread, while the control lcore owns
 * every table. So a callback only hands its request to the control lcore
 * and waits: the control lcore fills the reply between two of its turns,
 * and nothing is read while it is being written.
 *
 * Replies are limited to 16 KB, 256 dict entries and 512 array entries,
 * and containers hold only arrays of plain values; so long tables are
 * returned in pages of columns: /haven/bindings,<offset>,
 * /haven/mobile_nodes,<offset>, /haven/events,<since>, and for Mobile
 * IPv6 /haven/bindings6,<offset> and /haven/mobile_nodes6,<offset>.
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "haven.h"
#include "haven6.h"

#define BINDINGS_PAGE 64		/**< bindings per /haven/bindings reply */
/*
 * Rows of /haven/events per reply, so that the worst case fits the 16 KB
 * of a reply: seq 20 digits, time_us 16, kind 16 with its quotes, code 11,
 * home address 17 (41 for an IPv6 one), text 111 characters (each
 * doubled if escaped) and its quotes 224, six commas: 334 bytes a row at
 * worst; 48 rows are 16,032 bytes, and the names and totals about 300
 * more.
 */
#define EVENTS_PAGE 48
/*
 * Rows of /haven/mobile_nodes per reply: home address 17, spi 10,
 * algorithm 13, key length 3, max lifetime 5, bound 1, four care-of
 * addresses 65, last identification 20, eight commas: 142 bytes a row,
 * 64 rows 9,088 bytes.
 */
#define MOBILE_NODES_PAGE 64
/*
 * Rows of /haven/bindings6 per reply: two IPv6 addresses 82 with quotes,
 * remaining 11, packets and bytes 40, forwarder 34, five commas: 172
 * bytes a row, 64 rows 11,008 bytes.
 */
#define BINDINGS6_PAGE 64
/*
 * Rows of /haven/mobile_nodes6 per reply: home address 41, spi 10,
 * algorithm 13, key length 3, max lifetime 6, bound 1, care-of address
 * 41, last sequence 5, eight commas: 128 bytes a row, 64 rows 8,192 bytes.
 */
#define MOBILE_NODES6_PAGE 64
#define TEL_WAIT_US 200			/**< poll interval while waiting */
#define TEL_TIMEOUT_US 2000000		/**< give up after 2 s */

typedef int (*tel_handler)(struct haven_app *app, const char *params,
		struct rte_tel_data *d);

struct haven_tel_request {
	tel_handler handler;
	const char *params;
	struct rte_tel_data *d;
	int rc;
	volatile int done;
};

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;

/* Telemetry thread: hand the request over and wait for the control lcore. */
static int
call_on_control(tel_handler handler, const char *params, struct rte_tel_data *d)
{
	struct haven_tel_request req = {
		.handler = handler, .params = params, .d = d, .rc = -EAGAIN,
	};
	struct haven_tel_request *expected = &req;
	unsigned int waited = 0;

	pthread_mutex_lock(&tel_lock);
	__atomic_store_n(&haven.tel_request, &req, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&req.done, __ATOMIC_ACQUIRE)) {
		if (waited >= TEL_TIMEOUT_US &&
		    __atomic_compare_exchange_n(&haven.tel_request, &expected,
				NULL, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			break;	/* withdrawn before the control lcore took it */
		usleep(TEL_WAIT_US);
		waited += TEL_WAIT_US;
	}
	pthread_mutex_unlock(&tel_lock);
	return req.rc;
}

void
haven_telemetry_serve(struct haven_app *app)
{
	struct haven_tel_request *req;

	req = __atomic_exchange_n(&app->tel_request, NULL, __ATOMIC_ACQ_REL);
	if (req == NULL)
		return;
	req->rc = req->handler(app, req->params, req->d);
	__atomic_store_n(&req->done, 1, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------------
 * Handlers, run on the control lcore
 */

static int
stats_handler(struct haven_app *app, const char *params, struct rte_tel_data *d)
{
	const struct haven_ctl_stats *c = &app->stats;
	struct haven_worker_stats w;
	uint64_t drops = 0, accepted, denied = 0;
	unsigned int i;

	(void)params;
	haven_worker_stats_sum(app, &w);
	for (i = 0; i < HAVEN_DROP_MAX; i++)
		drops += w.drops[i];
	accepted = c->reg_replies[0] + c->reg_replies[1];
	for (i = 2; i < 256; i++)
		denied += c->reg_replies[i];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "rx_packets", w.rx_pkts);
	rte_tel_data_add_dict_u64(d, "tx_packets", w.tx_pkts);
	rte_tel_data_add_dict_u64(d, "encap_packets", w.encap_pkts);
	rte_tel_data_add_dict_u64(d, "decap_packets", w.decap_pkts);
	rte_tel_data_add_dict_u64(d, "proxy_arp_replies", w.proxy_arp);
	rte_tel_data_add_dict_u64(d, "icmp_echo_replies", w.icmp_echo);
	rte_tel_data_add_dict_u64(d, "punted", w.punted);
	rte_tel_data_add_dict_u64(d, "dropped", drops);
	rte_tel_data_add_dict_u64(d, "bindings",
		haven_binding_count(app->fp.bindings));
	rte_tel_data_add_dict_u64(d, "registration_requests", c->reg_requests);
	rte_tel_data_add_dict_u64(d, "registrations_accepted", accepted);
	rte_tel_data_add_dict_u64(d, "registrations_denied", denied);
	rte_tel_data_add_dict_u64(d, "registration_datagrams_dropped",
		c->reg_dropped);
	rte_tel_data_add_dict_u64(d, "bindings_expired", c->bindings_expired);
	rte_tel_data_add_dict_u64(d, "gratuitous_arp_sent", c->garp_sent);
	rte_tel_data_add_dict_u64(d, "arp_requests_sent", c->arp_requests_sent);
	rte_tel_data_add_dict_u64(d, "held_sent", c->held_sent);
	rte_tel_data_add_dict_u64(d, "held_dropped", c->held_dropped);
	rte_tel_data_add_dict_u64(d, "control_tx_dropped", c->tx_dropped);
	rte_tel_data_add_dict_int(d, "workers", app->n_workers);
	rte_tel_data_add_dict_u64(d, "proxy_nd_replies", w.proxy_nd);
	rte_tel_data_add_dict_u64(d, "bindings6", haven_binding6_total(app));
	rte_tel_data_add_dict_u64(d, "registrations6_accepted",
		app->ip6 != NULL ? app->ip6->stats.accepted : 0);
	rte_tel_data_add_dict_u64(d, "registrations6_denied",
		app->ip6 != NULL ? app->ip6->stats.denied : 0);
	return 0;
}

static int
drops_handler(struct haven_app *app, const char *params, struct rte_tel_data *d)
{
	struct haven_worker_stats w;
	unsigned int i;

	(void)params;
	haven_worker_stats_sum(app, &w);
	rte_tel_data_start_dict(d);
	for (i = 0; i < HAVEN_DROP_MAX; i++)
		rte_tel_data_add_dict_u64(d, haven_drop_key(i), w.drops[i]);
	return 0;
}

static int
registrations_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	char name[16];
	unsigned int code;

	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "requests", app->stats.reg_requests);
	rte_tel_data_add_dict_u64(d, "dropped", app->stats.reg_dropped);
	for (code = 0; code < 256; code++) {
		if (app->stats.reg_replies[code] == 0)
			continue;
		snprintf(name, sizeof(name), "code_%u", code);
		rte_tel_data_add_dict_u64(d, name, app->stats.reg_replies[code]);
	}
	return 0;
}

/* Seconds until a care-of address expires (-1: never). */
static int64_t
remaining_s(uint64_t expires_at)
{
	uint64_t now = rte_get_timer_cycles();

	if (expires_at == UINT64_MAX)
		return -1;
	return expires_at > now ? (expires_at - now) / rte_get_timer_hz() : 0;
}

static void
care_of_list(const struct haven_binding *b, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < b->n_coa && off < len; i++) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &b->coa[i].addr, a, sizeof(a));
		off += snprintf(buf + off, len - off, "%s%s", i ? " " : "", a);
	}
}

struct page {
	struct haven_app *app;
	unsigned int skip, taken;
	struct rte_tel_data *hoa, *coa, *encap, *revtun, *remaining, *pkts,
		*bytes;
};

static int
page_add(const struct haven_binding *b, void *arg)
{
	struct page *pg = arg;
	struct haven_binding_counters sum;
	struct haven_mn_state *st;
	char a[INET_ADDRSTRLEN], list[HAVEN_BINDING_MAX_COA * INET_ADDRSTRLEN];

	if (pg->skip > 0) {
		pg->skip--;
		return 0;
	}
	if (pg->taken == BINDINGS_PAGE)
		return 1;
	pg->taken++;
	inet_ntop(AF_INET, &b->home_addr, a, sizeof(a));
	care_of_list(b, list, sizeof(list));
	haven_binding_counters_sum(pg->app->fp.bindings, b->slot, &sum);
	st = haven_mn_find(pg->app, b->home_addr);
	rte_tel_data_add_array_string(pg->hoa, a);
	rte_tel_data_add_array_string(pg->coa, list);
	rte_tel_data_add_array_string(pg->encap, haven_encap_name(b->encap));
	rte_tel_data_add_array_int(pg->revtun,
		!!(b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL));
	rte_tel_data_add_array_int(pg->remaining, st == NULL || st->n_coa == 0 ?
		0 : (int)remaining_s(st->coa[0].expires_at));
	rte_tel_data_add_array_u64(pg->pkts, sum.pkts);
	rte_tel_data_add_array_u64(pg->bytes, sum.bytes);
	return 0;
}

static struct rte_tel_data *
column(struct rte_tel_data *d, const char *name, enum rte_tel_value_type t)
{
	struct rte_tel_data *c = rte_tel_data_alloc();

	if (c == NULL)
		return NULL;
	rte_tel_data_start_array(c, t);
	rte_tel_data_add_dict_container(d, name, c, 0);
	return c;
}

static int
bindings_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	struct page pg = { .app = app };
	uint32_t total = haven_binding_count(app->fp.bindings);

	if (params != NULL && *params != '\0')
		pg.skip = strtoul(params, NULL, 0);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "offset", pg.skip);
	pg.hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	pg.coa = column(d, "care_of", RTE_TEL_STRING_VAL);
	pg.encap = column(d, "encap", RTE_TEL_STRING_VAL);
	pg.revtun = column(d, "reverse_tunnel", RTE_TEL_INT_VAL);
	pg.remaining = column(d, "remaining", RTE_TEL_INT_VAL);
	pg.pkts = column(d, "packets", RTE_TEL_U64_VAL);
	pg.bytes = column(d, "bytes", RTE_TEL_U64_VAL);
	if (pg.hoa == NULL || pg.coa == NULL || pg.encap == NULL ||
	    pg.revtun == NULL || pg.remaining == NULL || pg.pkts == NULL ||
	    pg.bytes == NULL)
		return -ENOMEM;
	haven_binding_walk(app->fp.bindings, page_add, &pg);
	rte_tel_data_add_dict_u64(d, "count", pg.taken);
	return 0;
}

static int
binding_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	const struct haven_binding *b;
	struct haven_binding_counters sum;
	struct haven_mn_state *st;
	struct rte_tel_data *coa, *rem;
	char a[INET_ADDRSTRLEN];
	uint32_t hoa;
	unsigned int i;

	if (params == NULL || inet_pton(AF_INET, params, &hoa) != 1)
		return -EINVAL;
	b = haven_binding_lookup(app->fp.bindings, hoa);
	if (b == NULL)
		return -ENOENT;
	st = haven_mn_find(app, hoa);
	haven_binding_counters_sum(app->fp.bindings, b->slot, &sum);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "home_address", params);
	coa = column(d, "care_of", RTE_TEL_STRING_VAL);
	rem = column(d, "remaining", RTE_TEL_INT_VAL);
	if (coa == NULL || rem == NULL)
		return -ENOMEM;
	for (i = 0; i < b->n_coa; i++) {
		inet_ntop(AF_INET, &b->coa[i].addr, a, sizeof(a));
		rte_tel_data_add_array_string(coa, a);
		rte_tel_data_add_array_int(rem, st != NULL && i < st->n_coa ?
			(int)remaining_s(st->coa[i].expires_at) : -1);
	}
	rte_tel_data_add_dict_string(d, "encap", haven_encap_name(b->encap));
	rte_tel_data_add_dict_int(d, "reverse_tunnel",
		!!(b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL));
	rte_tel_data_add_dict_string(d, "forwarder",
		haven_forwarder_name(app, b->forwarder));
	if (st != NULL)
		rte_tel_data_add_dict_string(d, "delegation",
			haven_deleg_state_name(st->deleg.state));
	rte_tel_data_add_dict_int(d, "lifetime", b->lifetime);
	rte_tel_data_add_dict_u64(d, "generation", b->generation);
	rte_tel_data_add_dict_u64(d, "packets", sum.pkts);
	rte_tel_data_add_dict_u64(d, "bytes", sum.bytes);
	rte_tel_data_add_dict_u64(d, "reverse_packets", sum.rev_pkts);
	rte_tel_data_add_dict_u64(d, "reverse_bytes", sum.rev_bytes);
	return 0;
}

/* Columns of peers: secondaries first, then primaries. */
struct peer_columns {
	struct rte_tel_data *name, *id, *addr, *role, *alive, *load,
		*delegated, *tx, *rx, *retx, *bad_auth, *replayed, *malformed,
		*timeouts;
};

static void
peer_row(struct peer_columns *c, const struct haven_deleg_peer *p,
		const char *role)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->addr, a, sizeof(a));
	rte_tel_data_add_array_string(c->name, p->name);
	rte_tel_data_add_array_u64(c->id, p->id);
	rte_tel_data_add_array_string(c->addr, a);
	rte_tel_data_add_array_string(c->role, role);
	rte_tel_data_add_array_int(c->alive, p->alive);
	rte_tel_data_add_array_u64(c->load, p->load);
	rte_tel_data_add_array_u64(c->delegated, p->n_delegated);
	rte_tel_data_add_array_u64(c->tx, p->stats.tx);
	rte_tel_data_add_array_u64(c->rx, p->stats.rx);
	rte_tel_data_add_array_u64(c->retx, p->stats.retransmits);
	rte_tel_data_add_array_u64(c->bad_auth, p->stats.bad_auth);
	rte_tel_data_add_array_u64(c->replayed, p->stats.replayed);
	rte_tel_data_add_array_u64(c->malformed, p->stats.malformed);
	rte_tel_data_add_array_u64(c->timeouts, p->stats.timeouts);
}

static int
peers_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	struct peer_columns c;
	unsigned int i;

	(void)params;
	rte_tel_data_start_dict(d);
	c.name = column(d, "name", RTE_TEL_STRING_VAL);
	c.id = column(d, "id", RTE_TEL_U64_VAL);
	c.addr = column(d, "address", RTE_TEL_STRING_VAL);
	c.role = column(d, "role", RTE_TEL_STRING_VAL);
	c.alive = column(d, "alive", RTE_TEL_INT_VAL);
	c.load = column(d, "load", RTE_TEL_U64_VAL);
	c.delegated = column(d, "delegated", RTE_TEL_U64_VAL);
	c.tx = column(d, "tx", RTE_TEL_U64_VAL);
	c.rx = column(d, "rx", RTE_TEL_U64_VAL);
	c.retx = column(d, "retransmits", RTE_TEL_U64_VAL);
	c.bad_auth = column(d, "bad_auth", RTE_TEL_U64_VAL);
	c.replayed = column(d, "replayed", RTE_TEL_U64_VAL);
	c.malformed = column(d, "malformed", RTE_TEL_U64_VAL);
	c.timeouts = column(d, "timeouts", RTE_TEL_U64_VAL);
	if (c.name == NULL || c.id == NULL || c.addr == NULL ||
	    c.role == NULL || c.alive == NULL || c.load == NULL ||
	    c.delegated == NULL || c.tx == NULL || c.rx == NULL ||
	    c.retx == NULL || c.bad_auth == NULL || c.replayed == NULL ||
	    c.malformed == NULL || c.timeouts == NULL)
		return -ENOMEM;
	for (i = 0; app->is_pha && i < app->pha.n_peers; i++)
		if (!app->secondaries[i].removed)
			peer_row(&c, &app->secondaries[i], "secondary");
	for (i = 0; app->is_sha && i < app->sha.n_primaries; i++)
		peer_row(&c, &app->primaries[i], "primary");
	rte_tel_data_add_dict_u64(d, "rejected_messages", app->deleg_rejected);
	return 0;
}

struct deleg_columns {
	struct rte_tel_data *hoa, *peer, *state, *gen;
	unsigned int n;
};

static void
delegation_row(const struct haven_deleg_binding *b, void *arg)
{
	struct deleg_columns *c = arg;
	char a[INET6_ADDRSTRLEN];

	if (c->n++ >= RTE_TEL_MAX_ARRAY_ENTRIES)
		return;
	rte_tel_data_add_array_string(c->hoa,
		haven_deleg_hoa_str(&b->info, a, sizeof(a)));
	rte_tel_data_add_array_string(c->peer,
		b->peer != NULL ? b->peer->name : "-");
	rte_tel_data_add_array_string(c->state,
		haven_deleg_state_name(b->state));
	rte_tel_data_add_array_u64(c->gen, b->info.generation);
}

static int
delegation_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	struct deleg_columns c = { 0 };

	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "policy",
		haven_deleg_policy_name(app->policy));
	c.hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	c.peer = column(d, "peer", RTE_TEL_STRING_VAL);
	c.state = column(d, "state", RTE_TEL_STRING_VAL);
	c.gen = column(d, "generation", RTE_TEL_U64_VAL);
	if (c.hoa == NULL || c.peer == NULL || c.state == NULL || c.gen == NULL)
		return -ENOMEM;
	haven_deleg_foreach(app, delegation_row, &c);
	rte_tel_data_add_dict_u64(d, "started", app->pha.stats.started);
	rte_tel_data_add_dict_u64(d, "refused", app->pha.stats.refused);
	rte_tel_data_add_dict_u64(d, "stopped", app->pha.stats.stopped);
	rte_tel_data_add_dict_u64(d, "taken_back", app->pha.stats.taken_back);
	rte_tel_data_add_dict_u64(d, "dead_peers", app->pha.stats.dead_peers);
	return 0;
}

static int
secondary_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	struct rte_tel_data *hoa, *prim, *coa, *rem, *pkts, *gen;
	char a[INET6_ADDRSTRLEN], list[HAVEN_DELEG_MAX_COA * INET6_ADDRSTRLEN];
	uint64_t now = haven_now_ms();
	unsigned int i, n = 0;

	(void)params;
	rte_tel_data_start_dict(d);
	hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	prim = column(d, "primary", RTE_TEL_STRING_VAL);
	coa = column(d, "care_of", RTE_TEL_STRING_VAL);
	rem = column(d, "remaining", RTE_TEL_INT_VAL);
	pkts = column(d, "packets", RTE_TEL_U64_VAL);
	gen = column(d, "generation", RTE_TEL_U64_VAL);
	if (hoa == NULL || prim == NULL || coa == NULL || rem == NULL ||
	    pkts == NULL || gen == NULL)
		return -ENOMEM;
	for (i = 0; app->is_sha && i < app->sha.capacity; i++) {
		const struct haven_deleg_sha_entry *e = &app->sha.entries[i];

		if (e->primary == NULL || n == RTE_TEL_MAX_ARRAY_ENTRIES)
			continue;
		n++;
		rte_tel_data_add_array_string(hoa,
			haven_deleg_hoa_str(&e->info, a, sizeof(a)));
		rte_tel_data_add_array_string(prim, e->primary->name);
		rte_tel_data_add_array_string(coa,
			haven_deleg_coa_str(&e->info, list, sizeof(list)));
		rte_tel_data_add_array_int(rem, e->expires_ms > now ?
			(int)((e->expires_ms - now) / 1000) : 0);
		rte_tel_data_add_array_u64(pkts,
			haven_deleg_entry_packets(app, e));
		rte_tel_data_add_array_u64(gen, e->info.generation);
	}
	rte_tel_data_add_dict_u64(d, "installed", app->sha.stats.installed);
	rte_tel_data_add_dict_u64(d, "replaced", app->sha.stats.replaced);
	rte_tel_data_add_dict_u64(d, "removed", app->sha.stats.removed);
	rte_tel_data_add_dict_u64(d, "expired", app->sha.stats.expired);
	rte_tel_data_add_dict_u64(d, "refused", app->sha.stats.refused);
	rte_tel_data_add_dict_u64(d, "used", app->sha.used);
	rte_tel_data_add_dict_u64(d, "capacity", app->sha.capacity);
	return 0;
}

/* ---------------------------------------------------------------------
 * Operator surfaces: events, configuration summary, ports, mobile nodes
 */

/*
 * /haven/events[,<since>]: events from sequence number <since> on, oldest
 * first, EVENTS_PAGE at most; without a parameter the last EVENTS_PAGE.
 * "next" is the <since> of the following call; "lost" counts the events
 * asked for that the ring no longer holds.
 */
static int
events_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	struct rte_tel_data *seq, *t, *kind, *code, *hoa, *text;
	uint64_t oldest = app->n_events > HAVEN_EVENTS ?
		app->n_events - HAVEN_EVENTS : 0, since, lost = 0, s;

	if (params != NULL && *params != '\0') {
		char *end;

		since = strtoull(params, &end, 0);
		if (*end != '\0')
			return -EINVAL;
	} else {
		since = app->n_events > EVENTS_PAGE ?
			app->n_events - EVENTS_PAGE : 0;
	}
	if (since < oldest) {
		lost = oldest - since;
		since = oldest;
	}
	if (since > app->n_events)
		since = app->n_events;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", app->n_events);
	rte_tel_data_add_dict_u64(d, "first", oldest);
	rte_tel_data_add_dict_u64(d, "lost", lost);
	seq = column(d, "seq", RTE_TEL_U64_VAL);
	t = column(d, "time_us", RTE_TEL_U64_VAL);
	kind = column(d, "kind", RTE_TEL_STRING_VAL);
	code = column(d, "code", RTE_TEL_INT_VAL);
	hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	text = column(d, "text", RTE_TEL_STRING_VAL);
	if (seq == NULL || t == NULL || kind == NULL || code == NULL ||
	    hoa == NULL || text == NULL)
		return -ENOMEM;
	for (s = since; s < app->n_events && s < since + EVENTS_PAGE; s++) {
		const struct haven_event *ev = &app->events[s % HAVEN_EVENTS];
		char a[INET6_ADDRSTRLEN] = "";

		if (ev->is_ip6)
			inet_ntop(AF_INET6, ev->home_addr6, a, sizeof(a));
		else if (ev->home_addr != 0)
			inet_ntop(AF_INET, &ev->home_addr, a, sizeof(a));
		rte_tel_data_add_array_u64(seq, ev->seq);
		rte_tel_data_add_array_u64(t, ev->time_us);
		rte_tel_data_add_array_string(kind,
			haven_event_kind_name(ev->kind));
		rte_tel_data_add_array_int(code, ev->code);
		rte_tel_data_add_array_string(hoa, a);
		rte_tel_data_add_array_string(text, ev->text);
	}
	rte_tel_data_add_dict_u64(d, "count", s - since);
	rte_tel_data_add_dict_u64(d, "next", s);
	return 0;
}

static void
prefix_text(uint32_t addr, uint8_t len, char *buf, size_t size)
{
	size_t off;

	inet_ntop(AF_INET, &addr, buf, size);
	off = strlen(buf);
	snprintf(buf + off, size - off, "/%u", len);
}

/* /haven/config: what the agent runs with; never a key. */
static int
config_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	const struct haven_config *cfg = &app->cfg;
	struct rte_tel_data *roles, *ports, *encaps;
	char a[INET_ADDRSTRLEN + 4];
	unsigned int i;

	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "config_path", cfg->path);
	rte_tel_data_add_dict_u64(d, "agent_id", cfg->delegation.agent_id);
	roles = column(d, "roles", RTE_TEL_STRING_VAL);
	ports = column(d, "ports", RTE_TEL_STRING_VAL);
	encaps = column(d, "encapsulations", RTE_TEL_STRING_VAL);
	if (roles == NULL || ports == NULL || encaps == NULL)
		return -ENOMEM;
	if (cfg->has_home_agent)
		rte_tel_data_add_array_string(roles, "home_agent");
	if (app->is_pha)
		rte_tel_data_add_array_string(roles, "primary");
	if (app->is_sha)
		rte_tel_data_add_array_string(roles, "secondary");
	for (i = 0; i < cfg->n_ports; i++) {
		char p[HAVEN_CONFIG_NAME_LEN + sizeof(a) + 2];

		prefix_text(cfg->ports[i].addr, cfg->ports[i].prefix_len, a,
			sizeof(a));
		snprintf(p, sizeof(p), "%s %s", cfg->ports[i].name, a);
		rte_tel_data_add_array_string(ports, p);
	}
	if (cfg->encapsulations & HAVEN_ENCAP_BIT_IPIP)
		rte_tel_data_add_array_string(encaps, "ipip");
	if (cfg->encapsulations & HAVEN_ENCAP_BIT_MINIMAL)
		rte_tel_data_add_array_string(encaps, "minimal");
	if (cfg->encapsulations & HAVEN_ENCAP_BIT_GRE)
		rte_tel_data_add_array_string(encaps, "gre");
	inet_ntop(AF_INET, &cfg->ha_addr, a, sizeof(a));
	rte_tel_data_add_dict_string(d, "home_agent_address", a);
	rte_tel_data_add_dict_u64(d, "routes", cfg->n_routes);
	rte_tel_data_add_dict_u64(d, "mobile_nodes", cfg->n_mns);
	rte_tel_data_add_dict_u64(d, "max_lifetime", cfg->max_lifetime);
	rte_tel_data_add_dict_u64(d, "replay_window", cfg->replay_window);
	rte_tel_data_add_dict_u64(d, "max_bindings", cfg->max_bindings);
	rte_tel_data_add_dict_u64(d, "max_simultaneous",
		cfg->max_simultaneous);
	rte_tel_data_add_dict_int(d, "reverse_tunnel", cfg->reverse_tunnel);
	rte_tel_data_add_dict_string(d, "policy",
		haven_deleg_policy_name(app->policy));
	rte_tel_data_add_dict_u64(d, "secondaries",
		cfg->delegation.n_secondaries);
	rte_tel_data_add_dict_u64(d, "primaries", cfg->delegation.n_primaries);
	rte_tel_data_add_dict_string(d, "file_prefix", cfg->file_prefix);
	rte_tel_data_add_dict_string(d, "lcores", cfg->lcores);
	rte_tel_data_add_dict_u64(d, "workers", app->n_workers);
	rte_tel_data_add_dict_int(d, "hugepages", rte_eal_has_hugepages());
	rte_tel_data_add_dict_string(d, "console_socket",
		cfg->console_socket);
	rte_tel_data_add_dict_string(d, "log_level", cfg->log_level);
	return 0;
}

/* Columns of /haven/ports. */
struct port_columns {
	struct rte_tel_data *name, *port_id, *device, *mac, *addr, *link_up,
		*speed, *rxq, *txq, *ipackets, *opackets, *ibytes, *obytes,
		*imissed, *ierrors, *oerrors, *rx_nombuf;
};

/* /haven/ports: every port, its link and its ethdev statistics. */
static int
ports_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	struct port_columns c;
	unsigned int i;

	(void)params;
	rte_tel_data_start_dict(d);
	c.name = column(d, "name", RTE_TEL_STRING_VAL);
	c.port_id = column(d, "port_id", RTE_TEL_U64_VAL);
	c.device = column(d, "device", RTE_TEL_STRING_VAL);
	c.mac = column(d, "mac", RTE_TEL_STRING_VAL);
	c.addr = column(d, "address", RTE_TEL_STRING_VAL);
	c.link_up = column(d, "link_up", RTE_TEL_INT_VAL);
	c.speed = column(d, "speed_mbps", RTE_TEL_U64_VAL);
	c.rxq = column(d, "rx_queues", RTE_TEL_U64_VAL);
	c.txq = column(d, "tx_queues", RTE_TEL_U64_VAL);
	c.ipackets = column(d, "ipackets", RTE_TEL_U64_VAL);
	c.opackets = column(d, "opackets", RTE_TEL_U64_VAL);
	c.ibytes = column(d, "ibytes", RTE_TEL_U64_VAL);
	c.obytes = column(d, "obytes", RTE_TEL_U64_VAL);
	c.imissed = column(d, "imissed", RTE_TEL_U64_VAL);
	c.ierrors = column(d, "ierrors", RTE_TEL_U64_VAL);
	c.oerrors = column(d, "oerrors", RTE_TEL_U64_VAL);
	c.rx_nombuf = column(d, "rx_nombuf", RTE_TEL_U64_VAL);
	if (c.name == NULL || c.port_id == NULL || c.device == NULL ||
	    c.mac == NULL || c.addr == NULL || c.link_up == NULL ||
	    c.speed == NULL || c.rxq == NULL || c.txq == NULL ||
	    c.ipackets == NULL ||
	    c.opackets == NULL || c.ibytes == NULL || c.obytes == NULL ||
	    c.imissed == NULL || c.ierrors == NULL || c.oerrors == NULL ||
	    c.rx_nombuf == NULL)
		return -ENOMEM;
	for (i = 0; i < app->fp.n_ports; i++) {
		const struct haven_fp_port *p = &app->fp.ports[i];
		char dev[RTE_ETH_NAME_MAX_LEN] = "?";
		char mac[RTE_ETHER_ADDR_FMT_SIZE], a[INET_ADDRSTRLEN + 4];
		struct rte_eth_link link = { 0 };
		struct rte_eth_stats st = { 0 };

		rte_eth_dev_get_name_by_port(p->port_id, dev);
		rte_eth_link_get_nowait(p->port_id, &link);
		rte_eth_stats_get(p->port_id, &st);
		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		prefix_text(p->addr, app->cfg.ports[i].prefix_len, a,
			sizeof(a));
		rte_tel_data_add_array_string(c.name, app->cfg.ports[i].name);
		rte_tel_data_add_array_u64(c.port_id, p->port_id);
		rte_tel_data_add_array_string(c.device, dev);
		rte_tel_data_add_array_string(c.mac, mac);
		rte_tel_data_add_array_string(c.addr, a);
		rte_tel_data_add_array_int(c.link_up, link.link_status);
		rte_tel_data_add_array_u64(c.speed, link.link_speed);
		rte_tel_data_add_array_u64(c.rxq, app->n_rxq[i]);
		rte_tel_data_add_array_u64(c.txq, app->n_workers + 1);
		rte_tel_data_add_array_u64(c.ipackets, st.ipackets);
		rte_tel_data_add_array_u64(c.opackets, st.opackets);
		rte_tel_data_add_array_u64(c.ibytes, st.ibytes);
		rte_tel_data_add_array_u64(c.obytes, st.obytes);
		rte_tel_data_add_array_u64(c.imissed, st.imissed);
		rte_tel_data_add_array_u64(c.ierrors, st.ierrors);
		rte_tel_data_add_array_u64(c.oerrors, st.oerrors);
		rte_tel_data_add_array_u64(c.rx_nombuf, st.rx_nombuf);
	}
	return 0;
}

/* The columns of /haven/mobile_nodes and /haven/mobile_nodes6. */
struct mn_columns {
	struct rte_tel_data *hoa, *spi, *alg, *keylen, *life, *bound, *coa;
	struct rte_tel_data *last;	/**< last_identification, _sequence */
};

/*
 * Start a page of configured nodes: total, offset, then the columns,
 * the last one named last of type last_type.
 */
static int
mn_columns(struct rte_tel_data *d, unsigned int total, unsigned int offset,
		const char *last, enum rte_tel_value_type last_type,
		struct mn_columns *c)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "offset", offset);
	c->hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	c->spi = column(d, "spi", RTE_TEL_U64_VAL);
	c->alg = column(d, "algorithm", RTE_TEL_STRING_VAL);
	c->keylen = column(d, "key_length", RTE_TEL_INT_VAL);
	c->life = column(d, "max_lifetime", RTE_TEL_INT_VAL);
	c->bound = column(d, "bound", RTE_TEL_INT_VAL);
	c->coa = column(d, "care_of", RTE_TEL_STRING_VAL);
	c->last = column(d, last, last_type);
	if (c->hoa == NULL || c->spi == NULL || c->alg == NULL ||
	    c->keylen == NULL || c->life == NULL || c->bound == NULL ||
	    c->coa == NULL || c->last == NULL)
		return -ENOMEM;
	return 0;
}

/* One node's row, all but its last column; agent_max caps max_lifetime. */
static void
mn_row(const struct mn_columns *c, const char *hoa, uint32_t spi,
		const char *alg, unsigned int key_len, uint32_t max_lifetime,
		uint32_t agent_max, bool bound, const char *coa)
{
	rte_tel_data_add_array_string(c->hoa, hoa);
	rte_tel_data_add_array_u64(c->spi, spi);
	rte_tel_data_add_array_string(c->alg, alg);
	rte_tel_data_add_array_int(c->keylen, key_len);
	rte_tel_data_add_array_int(c->life, max_lifetime != 0 &&
		max_lifetime < agent_max ? max_lifetime : agent_max);
	rte_tel_data_add_array_int(c->bound, bound);
	rte_tel_data_add_array_string(c->coa, coa);
}

/*
 * /haven/mobile_nodes[,<offset>]: configured nodes by home address, a
 * page of MOBILE_NODES_PAGE; the key's length, never its bytes.
 */
static int
mobile_nodes_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	struct mn_columns c;
	unsigned int offset = 0, i;

	if (params != NULL && *params != '\0')
		offset = strtoul(params, NULL, 0);
	if (mn_columns(d, app->cfg.n_mns, offset, "last_identification",
			RTE_TEL_U64_VAL, &c) != 0)
		return -ENOMEM;
	for (i = offset; i < app->cfg.n_mns &&
			i < offset + MOBILE_NODES_PAGE; i++) {
		const struct haven_mn_state *st = app->mns[i];
		const struct haven_config_mn *mn = st->cfg;
		char a[INET_ADDRSTRLEN];
		char list[HAVEN_BINDING_MAX_COA * INET_ADDRSTRLEN] = "";
		size_t off = 0;
		unsigned int j;

		inet_ntop(AF_INET, &mn->home_addr, a, sizeof(a));
		for (j = 0; j < st->n_coa && off < sizeof(list); j++) {
			char c[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &st->coa[j].addr, c, sizeof(c));
			off += snprintf(list + off, sizeof(list) - off,
				"%s%s", j ? " " : "", c);
		}
		mn_row(&c, a, mn->sa.spi, haven_alg_name(mn->sa.alg),
			mn->sa.key_len, mn->max_lifetime, app->cfg.max_lifetime,
			st->n_coa > 0, list);
		rte_tel_data_add_array_u64(c.last, st->last_ident);
	}
	rte_tel_data_add_dict_u64(d, "count",
		i > offset ? i - offset : 0);
	return 0;
}

/* ---------------------------------------------------------------------
 * Mobile IPv6: bindings6, binding6, mobile_nodes6
 */

static int64_t
remaining6_s(const struct haven_mn6_state *st)
{
	return st != NULL && st->bound ? remaining_s(st->expires_at) : 0;
}

struct page6 {
	struct haven_app *app;
	unsigned int skip, taken;
	struct rte_tel_data *hoa, *coa, *remaining, *pkts, *bytes, *fwd;
};

static int
page6_add(const struct haven_binding6 *b, void *arg)
{
	struct page6 *pg = arg;
	struct haven_binding_counters sum;
	char a[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN] = "";

	if (pg->skip > 0) {
		pg->skip--;
		return 0;
	}
	if (pg->taken == BINDINGS6_PAGE)
		return 1;
	pg->taken++;
	inet_ntop(AF_INET6, b->home_addr, a, sizeof(a));
	if (b->n_coa > 0)
		inet_ntop(AF_INET6, b->coa[0].addr, c, sizeof(c));
	haven_binding6_counters_sum(pg->app->ip6->fp6.bindings, b->slot, &sum);
	rte_tel_data_add_array_string(pg->hoa, a);
	rte_tel_data_add_array_string(pg->coa, c);
	rte_tel_data_add_array_int(pg->remaining, (int)remaining6_s(
		haven_mn6_find(pg->app, b->home_addr)));
	rte_tel_data_add_array_u64(pg->pkts, sum.pkts);
	rte_tel_data_add_array_u64(pg->bytes, sum.bytes);
	rte_tel_data_add_array_string(pg->fwd,
		haven_forwarder_name(pg->app, b->forwarder));
	return 0;
}

/* /haven/bindings6[,<offset>]: IPv6 bindings as columns, a page. */
static int
bindings6_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	struct page6 pg = { .app = app };

	if (params != NULL && *params != '\0')
		pg.skip = strtoul(params, NULL, 0);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", haven_binding6_total(app));
	rte_tel_data_add_dict_u64(d, "offset", pg.skip);
	pg.hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	pg.coa = column(d, "care_of", RTE_TEL_STRING_VAL);
	pg.remaining = column(d, "remaining", RTE_TEL_INT_VAL);
	pg.pkts = column(d, "packets", RTE_TEL_U64_VAL);
	pg.bytes = column(d, "bytes", RTE_TEL_U64_VAL);
	pg.fwd = column(d, "forwarder", RTE_TEL_STRING_VAL);
	if (pg.hoa == NULL || pg.coa == NULL || pg.remaining == NULL ||
	    pg.pkts == NULL || pg.bytes == NULL || pg.fwd == NULL)
		return -ENOMEM;
	if (app->ip6 != NULL)
		haven_binding6_walk(app->ip6->fp6.bindings, page6_add, &pg);
	rte_tel_data_add_dict_u64(d, "count", pg.taken);
	return 0;
}

/* /haven/binding6,<home address>: one IPv6 binding with its counters. */
static int
binding6_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	const struct haven_binding6 *b;
	struct haven_binding_counters sum;
	struct haven_mn6_state *st;
	char a[INET6_ADDRSTRLEN];
	uint8_t hoa[16];

	if (params == NULL || inet_pton(AF_INET6, params, hoa) != 1)
		return -EINVAL;
	if (app->ip6 == NULL)
		return -ENOENT;
	b = haven_binding6_lookup(app->ip6->fp6.bindings, hoa);
	if (b == NULL)
		return -ENOENT;
	st = haven_mn6_find(app, hoa);
	haven_binding6_counters_sum(app->ip6->fp6.bindings, b->slot, &sum);
	rte_tel_data_start_dict(d);
	inet_ntop(AF_INET6, hoa, a, sizeof(a));
	rte_tel_data_add_dict_string(d, "home_address", a);
	if (b->n_coa > 0) {
		inet_ntop(AF_INET6, b->coa[0].addr, a, sizeof(a));
		rte_tel_data_add_dict_string(d, "care_of", a);
		inet_ntop(AF_INET6, b->coa[0].next_hop, a, sizeof(a));
		rte_tel_data_add_dict_string(d, "next_hop", a);
	}
	inet_ntop(AF_INET6, b->outer_src, a, sizeof(a));
	rte_tel_data_add_dict_string(d, "outer_source", a);
	rte_tel_data_add_dict_int(d, "remaining", (int)remaining6_s(st));
	rte_tel_data_add_dict_int(d, "lifetime", b->lifetime);
	rte_tel_data_add_dict_int(d, "reverse_tunnel",
		!!(b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL));
	rte_tel_data_add_dict_string(d, "forwarder",
		haven_forwarder_name(app, b->forwarder));
	if (st != NULL)
		rte_tel_data_add_dict_string(d, "delegation",
			haven_deleg_state_name(st->deleg.state));
	if (st != NULL)
		rte_tel_data_add_dict_u64(d, "last_sequence", st->last_seq);
	rte_tel_data_add_dict_u64(d, "generation", b->generation);
	rte_tel_data_add_dict_u64(d, "packets", sum.pkts);
	rte_tel_data_add_dict_u64(d, "bytes", sum.bytes);
	rte_tel_data_add_dict_u64(d, "reverse_packets", sum.rev_pkts);
	rte_tel_data_add_dict_u64(d, "reverse_bytes", sum.rev_bytes);
	return 0;
}

/*
 * /haven/mobile_nodes6[,<offset>]: configured Mobile IPv6 nodes, a page;
 * the key's length, never its bytes.
 */
static int
mobile_nodes6_handler(struct haven_app *app, const char *params,
		struct rte_tel_data *d)
{
	struct mn_columns cols;
	unsigned int offset = 0, i, n = app->ip6 != NULL ? app->cfg.n_mns6 : 0;

	if (params != NULL && *params != '\0')
		offset = strtoul(params, NULL, 0);
	if (mn_columns(d, n, offset, "last_sequence", RTE_TEL_INT_VAL,
			&cols) != 0)
		return -ENOMEM;
	for (i = offset; i < n && i < offset + MOBILE_NODES6_PAGE; i++) {
		const struct haven_mn6_state *st = app->ip6->mns[i];
		const struct haven_config_mn6 *mn = st->cfg;
		char a[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN] = "";

		inet_ntop(AF_INET6, mn->home_addr, a, sizeof(a));
		if (st->bound)
			inet_ntop(AF_INET6, st->coa, c, sizeof(c));
		mn_row(&cols, a, mn->sa.spi,
			mn->sa.alg == HAVEN_CONFIG_SA6_HMAC_SHA256 ?
			"hmac-sha256" : "hmac-sha1", mn->sa.key_len,
			mn->max_lifetime, app->cfg.max_lifetime6, st->bound, c);
		rte_tel_data_add_array_int(cols.last, st->have_seq ?
			st->last_seq : -1);
	}
	rte_tel_data_add_dict_u64(d, "count", i > offset ? i - offset : 0);
	return 0;
}

/* ---------------------------------------------------------------------
 * Registration with rte_telemetry
 */

#define TEL_CALLBACK(name)						\
static int								\
tel_##name(const char *cmd, const char *params, struct rte_tel_data *d) \
{									\
	(void)cmd;							\
	return call_on_control(name##_handler, params, d);		\
}

TEL_CALLBACK(stats)
TEL_CALLBACK(drops)
TEL_CALLBACK(registrations)
TEL_CALLBACK(bindings)
TEL_CALLBACK(binding)
TEL_CALLBACK(peers)
TEL_CALLBACK(delegation)
TEL_CALLBACK(secondary)
TEL_CALLBACK(events)
TEL_CALLBACK(config)
TEL_CALLBACK(ports)
TEL_CALLBACK(mobile_nodes)
TEL_CALLBACK(bindings6)
TEL_CALLBACK(binding6)
TEL_CALLBACK(mobile_nodes6)

int
haven_telemetry_init(struct haven_app *app)
{
	(void)app;
	rte_telemetry_register_cmd("/haven/stats", tel_stats,
		"Packet, registration and resolution totals. No parameters");
	rte_telemetry_register_cmd("/haven/drops", tel_drops,
		"Dropped packets by reason. No parameters");
	rte_telemetry_register_cmd("/haven/registrations", tel_registrations,
		"Registration replies sent, by code. No parameters");
	rte_telemetry_register_cmd("/haven/bindings", tel_bindings,
		"A page of bindings, as columns. Parameter: offset (default 0)");
	rte_telemetry_register_cmd("/haven/binding", tel_binding,
		"One binding with its counters. Parameter: home address");
	rte_telemetry_register_cmd("/haven/peers", tel_peers,
		"Delegation peers, liveness, load and protocol counters");
	rte_telemetry_register_cmd("/haven/delegation", tel_delegation,
		"Primary: delegated bindings and their state; totals");
	rte_telemetry_register_cmd("/haven/secondary", tel_secondary,
		"Secondary: bindings held for primaries; totals");
	rte_telemetry_register_cmd("/haven/events", tel_events,
		"Events as columns, oldest first. Parameter: since (sequence "
		"number; default the last " RTE_STR(EVENTS_PAGE) ")");
	rte_telemetry_register_cmd("/haven/config", tel_config,
		"Configuration summary (no keys). No parameters");
	rte_telemetry_register_cmd("/haven/ports", tel_ports,
		"Ports: link and ethdev statistics. No parameters");
	rte_telemetry_register_cmd("/haven/mobile_nodes", tel_mobile_nodes,
		"A page of configured mobile nodes, as columns (no keys). "
		"Parameter: offset (default 0)");
	rte_telemetry_register_cmd("/haven/bindings6", tel_bindings6,
		"A page of Mobile IPv6 bindings, as columns. Parameter: offset "
		"(default 0)");
	rte_telemetry_register_cmd("/haven/binding6", tel_binding6,
		"One Mobile IPv6 binding with its counters. Parameter: home "
		"address");
	rte_telemetry_register_cmd("/haven/mobile_nodes6", tel_mobile_nodes6,
		"A page of configured Mobile IPv6 nodes, as columns (no keys). "
		"Parameter: offset (default 0)");
	return 0;
}
