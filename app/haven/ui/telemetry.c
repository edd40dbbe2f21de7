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
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_telemetry.h>

#include "loop.h"
#include "telemetry.h"
#include "view.h"

/*
 * Rows of /haven/bindings per reply, so that the worst case fits the 16 KB
 * of a reply: home address 17 with its quotes, four care-of addresses 65,
 * encap 9, reverse tunnel 1, remaining 11, packets and bytes 20 each,
 * origin 11, four NAT addresses 65 and ports 25 (RFC 3519), ten commas:
 * 254 bytes a row; 56 rows are 14,224 bytes, the names and totals about
 * 250 more.
 */
#define BINDINGS_PAGE 56
/*
 * Rows of /haven/events per reply, so that the worst case fits the 16 KB
 * of a reply: seq 20 digits, time_us 16, kind 16 with its quotes, code 11,
 * home address 41 with its quotes (IPv6), text 383 characters (each
 * doubled if escaped) and its quotes 768, six commas: 878 bytes a row at
 * worst; 18 rows are 15,804 bytes, and the names and totals about 300
 * more.
 */
#define EVENTS_PAGE 18
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
/*
 * Rows of /haven/aaa_nodes per reply: home address 17, user 255 with its
 * quotes (a NAI of RFC 2794's 253 octets, JSON escapes aside), address
 * source 8, spi 10, cache left 7, bound 1, session id 66, seven commas:
 * 371 bytes a row, 32 rows 11,872 bytes.
 */
#define AAA_NODES_PAGE 32
#define TEL_WAIT_US 200			/**< poll interval while waiting */
#define TEL_TIMEOUT_US 2000000		/**< give up after 2 s */

typedef int (*tel_handler)(const char *params, struct rte_tel_data *d);

struct haven_tel_request {
	tel_handler handler;
	const char *params;
	struct rte_tel_data *d;
	int rc;
	volatile int done;
};

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
/* A request from the telemetry thread, served on the control lcore. */
static struct haven_tel_request *volatile tel_request;

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
	__atomic_store_n(&tel_request, &req, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&req.done, __ATOMIC_ACQUIRE)) {
		if (waited >= TEL_TIMEOUT_US &&
		    __atomic_compare_exchange_n(&tel_request, &expected,
				NULL, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			break;	/* withdrawn before the control lcore took it */
		usleep(TEL_WAIT_US);
		waited += TEL_WAIT_US;
	}
	pthread_mutex_unlock(&tel_lock);
	return req.rc;
}

/* The control lcore's poller: serve a waiting request, if any. */
static unsigned int
telemetry_serve(void)
{
	struct haven_tel_request *req;

	req = __atomic_exchange_n(&tel_request, NULL, __ATOMIC_ACQ_REL);
	if (req == NULL)
		return 0;
	req->rc = req->handler(req->params, req->d);
	__atomic_store_n(&req->done, 1, __ATOMIC_RELEASE);
	return 1;
}

/* ---------------------------------------------------------------------
 * Handlers, run on the control lcore
 */

static int
stats_handler(const char *params, struct rte_tel_data *d)
{
	const struct haven_reg4_stats *c = haven_reg4_stats();
	const struct haven_reg6_stats *c6 = haven_reg6_stats();
	const struct haven_link_stats *l = haven_link_stats(HAVEN_AF_INET);
	const struct haven_link_stats *l6 = haven_link_stats(HAVEN_AF_INET6);
	struct haven_worker_stats w;
	uint64_t drops = 0, accepted, denied = 0;
	unsigned int i;

	(void)params;
	haven_rt_worker_stats(&w);
	for (i = 0; i < HAVEN_DROP_MAX; i++)
		drops += w.drops[i];
	accepted = c->replies[0] + c->replies[1];
	for (i = 2; i < 256; i++)
		denied += c->replies[i];
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
		haven_view_binding_count(HAVEN_AF_INET));
	rte_tel_data_add_dict_u64(d, "registration_requests", c->requests);
	rte_tel_data_add_dict_u64(d, "registrations_accepted", accepted);
	rte_tel_data_add_dict_u64(d, "registrations_denied", denied);
	rte_tel_data_add_dict_u64(d, "registration_datagrams_dropped",
		c->dropped);
	rte_tel_data_add_dict_u64(d, "bindings_expired",
		haven_node_stats(HAVEN_AF_INET)->bindings_expired);
	rte_tel_data_add_dict_u64(d, "gratuitous_arp_sent", l->announces_sent);
	rte_tel_data_add_dict_u64(d, "arp_requests_sent", l->solicits_sent);
	rte_tel_data_add_dict_u64(d, "held_sent", l->held_sent);
	rte_tel_data_add_dict_u64(d, "held_dropped", l->held_dropped);
	rte_tel_data_add_dict_u64(d, "control_tx_dropped",
		haven_rt.stats.tx_dropped);
	rte_tel_data_add_dict_int(d, "workers", haven_rt.n_workers);
	rte_tel_data_add_dict_u64(d, "proxy_nd_replies", w.proxy_nd);
	rte_tel_data_add_dict_u64(d, "bindings6",
		haven_view_binding_count(HAVEN_AF_INET6));
	rte_tel_data_add_dict_u64(d, "registrations6_accepted", c6->accepted);
	rte_tel_data_add_dict_u64(d, "registrations6_denied", c6->denied);
	rte_tel_data_add_dict_u64(d, "udp_bad_checksum",
		haven_loop_stats()->udp_bad_checksum);
	rte_tel_data_add_dict_u64(d, "neighbour_mac_changes",
		l->mac_changes + l6->mac_changes);
	rte_tel_data_add_dict_u64(d, "neighbour_claims_refused",
		l->mac_claims_refused + l6->mac_claims_refused);
	rte_tel_data_add_dict_u64(d, "neighbours_evicted",
		l->evicted + l6->evicted);
	rte_tel_data_add_dict_u64(d, "address_claims_seen",
		l->claims_seen + l6->claims_seen);
	rte_tel_data_add_dict_u64(d, "addresses_defended",
		l->defended + l6->defended);
	return 0;
}

static int
drops_handler(const char *params, struct rte_tel_data *d)
{
	struct haven_worker_stats w;
	unsigned int i;

	(void)params;
	haven_rt_worker_stats(&w);
	rte_tel_data_start_dict(d);
	for (i = 0; i < HAVEN_DROP_MAX; i++)
		rte_tel_data_add_dict_u64(d, haven_drop_key(i), w.drops[i]);
	return 0;
}

static int
registrations_handler(const char *params, struct rte_tel_data *d)
{
	const struct haven_reg4_stats *c = haven_reg4_stats();
	char name[16];
	unsigned int code;

	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "requests", c->requests);
	rte_tel_data_add_dict_u64(d, "dropped", c->dropped);
	/* RFC 3519 */
	rte_tel_data_add_dict_u64(d, "udp_tunnelled", c->udp_tunnelled);
	rte_tel_data_add_dict_u64(d, "udp_declined", c->udp_declined);
	rte_tel_data_add_dict_u64(d, "keepalives", c->keepalives);
	rte_tel_data_add_dict_u64(d, "tunnel_dropped", c->tunnel_dropped);
	for (code = 0; code < 256; code++) {
		if (c->replies[code] == 0)
			continue;
		snprintf(name, sizeof(name), "code_%u", code);
		rte_tel_data_add_dict_u64(d, name, c->replies[code]);
	}
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

/* What a list of a binding's care-of entries shows. */
enum coa_field { COA_ADDR, COA_NAT_ADDR, COA_NAT_PORT };

/*
 * One field of each care-of address of a binding, space separated: the
 * address, or the NAT address or port of a UDP tunnel (RFC 3519; "" when
 * the binding is not tunnelled in UDP).
 */
static const char *
coa_list(const struct haven_view_binding *b, enum coa_field f, char *buf,
		size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < b->n_coa && off < len; i++) {
		const struct haven_view_coa *c = &b->coa[i];
		char a[HAVEN_ADDR_STRLEN];

		if (f != COA_ADDR && c->nat_port == 0)
			continue;
		if (f == COA_NAT_PORT)
			snprintf(a, sizeof(a), "%u", c->nat_port);
		else
			haven_addr_str(f == COA_ADDR ? &c->addr : &c->nat_addr,
				a);
		off += snprintf(buf + off, len - off, "%s%s",
			off > 0 ? " " : "", a);
	}
	return buf;
}

static const char *
care_of_list(const struct haven_view_binding *b, char *buf, size_t len)
{
	return coa_list(b, COA_ADDR, buf, len);
}

/* A page of the bound nodes of a family, from offset (params). */
static int
bindings_page(uint8_t family, const char *params, struct haven_view_list *l,
		unsigned int *first, unsigned int *end, unsigned int size)
{
	unsigned int offset = 0;

	if (params != NULL && *params != '\0')
		offset = strtoul(params, NULL, 0);
	if (haven_view_nodes(family, HAVEN_VIEW_BOUND, NULL, 0, l) != 0)
		return -ENOMEM;
	*first = RTE_MIN(offset, l->n);
	*end = RTE_MIN(l->n, *first + size);
	return (int)offset;
}

static int
bindings_handler(const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *hoa, *coa, *encap, *revtun, *rem, *pkts, *bytes,
		*origin, *nat, *nat_port;
	char a[HAVEN_ADDR_STRLEN], list[HAVEN_BINDING_MAX_COA * HAVEN_ADDR_STRLEN];
	struct haven_view_list l;
	unsigned int first, end, i, taken = 0;
	int offset;

	offset = bindings_page(HAVEN_AF_INET, params, &l, &first, &end,
			BINDINGS_PAGE);
	if (offset < 0)
		return offset;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", l.n);
	rte_tel_data_add_dict_u64(d, "offset", offset);
	hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	coa = column(d, "care_of", RTE_TEL_STRING_VAL);
	encap = column(d, "encap", RTE_TEL_STRING_VAL);
	revtun = column(d, "reverse_tunnel", RTE_TEL_INT_VAL);
	rem = column(d, "remaining", RTE_TEL_INT_VAL);
	pkts = column(d, "packets", RTE_TEL_U64_VAL);
	bytes = column(d, "bytes", RTE_TEL_U64_VAL);
	origin = column(d, "origin", RTE_TEL_STRING_VAL);
	nat = column(d, "nat_address", RTE_TEL_STRING_VAL);
	nat_port = column(d, "nat_port", RTE_TEL_STRING_VAL);
	if (hoa == NULL || coa == NULL || encap == NULL || revtun == NULL ||
	    rem == NULL || pkts == NULL || bytes == NULL || origin == NULL ||
	    nat == NULL || nat_port == NULL) {
		haven_view_list_free(&l);
		return -ENOMEM;
	}
	for (i = first; i < end; i++) {
		struct haven_view_binding b;

		if (haven_view_binding(l.v[i], &b) != 0)
			continue;
		taken++;
		rte_tel_data_add_array_string(hoa,
			haven_addr_str(&b.node->hoa, a));
		rte_tel_data_add_array_string(coa,
			care_of_list(&b, list, sizeof(list)));
		rte_tel_data_add_array_string(encap,
			haven_encap_name(b.node->encap));
		rte_tel_data_add_array_int(revtun, !!(b.node->flags &
			HAVEN_BINDING_F_REVERSE_TUNNEL));
		rte_tel_data_add_array_int(rem, (int)b.coa[0].left_s);
		rte_tel_data_add_array_u64(pkts, b.counters.pkts);
		rte_tel_data_add_array_u64(bytes, b.counters.bytes);
		rte_tel_data_add_array_string(origin,
			haven_node_origin_name(b.node->origin));
		rte_tel_data_add_array_string(nat,
			coa_list(&b, COA_NAT_ADDR, list, sizeof(list)));
		rte_tel_data_add_array_string(nat_port,
			coa_list(&b, COA_NAT_PORT, list, sizeof(list)));
	}
	rte_tel_data_add_dict_u64(d, "count", taken);
	haven_view_list_free(&l);
	return 0;
}

/* The binding of an address in params, of a family; fills b. */
static int
binding_of(uint8_t family, const char *params, struct haven_view_binding *b)
{
	struct haven_addr hoa;
	struct haven_node *n;

	if (params == NULL || haven_addr_parse(params, &hoa) != 0 ||
	    hoa.family != family)
		return -EINVAL;
	n = haven_node_find(&hoa);
	if (n == NULL || haven_view_binding(n, b) != 0)
		return -ENOENT;
	return 0;
}

static int
binding_handler(const char *params, struct rte_tel_data *d)
{
	struct haven_view_binding b;
	struct rte_tel_data *coa, *rem, *nat, *nat_port;
	char a[HAVEN_ADDR_STRLEN];
	unsigned int i;
	int rc = binding_of(HAVEN_AF_INET, params, &b);

	if (rc != 0)
		return rc;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "home_address", params);
	coa = column(d, "care_of", RTE_TEL_STRING_VAL);
	rem = column(d, "remaining", RTE_TEL_INT_VAL);
	nat = column(d, "nat_address", RTE_TEL_STRING_VAL);
	nat_port = column(d, "nat_port", RTE_TEL_INT_VAL);
	if (coa == NULL || rem == NULL || nat == NULL || nat_port == NULL)
		return -ENOMEM;
	for (i = 0; i < b.n_coa; i++) {
		rte_tel_data_add_array_string(coa,
			haven_addr_str(&b.coa[i].addr, a));
		rte_tel_data_add_array_int(rem, (int)b.coa[i].left_s);
		/* RFC 3519: where the UDP tunnel goes; "" and 0 otherwise */
		rte_tel_data_add_array_string(nat, b.coa[i].nat_port == 0 ?
			"" : haven_addr_str(&b.coa[i].nat_addr, a));
		rte_tel_data_add_array_int(nat_port, b.coa[i].nat_port);
	}
	if (b.node->encap == HAVEN_ENCAP_UDP) {
		rte_tel_data_add_dict_int(d, "udp_source_port",
			b.node->udp_sport);
		rte_tel_data_add_dict_u64(d, "keepalives", b.keepalives);
		rte_tel_data_add_dict_int(d, "keepalive_ago",
			(int)b.keepalive_ago_s);
	}
	rte_tel_data_add_dict_string(d, "encap",
		haven_encap_name(b.node->encap));
	rte_tel_data_add_dict_int(d, "reverse_tunnel",
		!!(b.node->flags & HAVEN_BINDING_F_REVERSE_TUNNEL));
	rte_tel_data_add_dict_string(d, "forwarder", b.forwarder);
	if (b.delegation != NULL)
		rte_tel_data_add_dict_string(d, "delegation", b.delegation);
	rte_tel_data_add_dict_int(d, "lifetime", b.coa[0].lifetime_s);
	rte_tel_data_add_dict_u64(d, "generation", b.generation);
	rte_tel_data_add_dict_u64(d, "packets", b.counters.pkts);
	rte_tel_data_add_dict_u64(d, "bytes", b.counters.bytes);
	rte_tel_data_add_dict_u64(d, "reverse_packets", b.counters.rev_pkts);
	rte_tel_data_add_dict_u64(d, "reverse_bytes", b.counters.rev_bytes);
	rte_tel_data_add_dict_string(d, "origin",
		haven_node_origin_name(b.node->origin));
	if (b.node->origin == HAVEN_NODE_AAA) {
		struct haven_aaa_node_info info;

		if (haven_aaa_node_info(b.node, &info) == 0) {
			rte_tel_data_add_dict_string(d, "aaa_user", info.user);
			rte_tel_data_add_dict_string(d, "aaa_session",
				info.session_id);
		}
	}
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
peers_handler(const char *params, struct rte_tel_data *d)
{
	const struct haven_deleg_pha *pha = haven_deleg_pha_ctx();
	const struct haven_deleg_sha *sha = haven_deleg_sha_ctx();
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
	for (i = 0; pha != NULL && i < pha->n_peers; i++)
		if (!haven_deleg_secondaries()[i].removed)
			peer_row(&c, &haven_deleg_secondaries()[i],
				"secondary");
	for (i = 0; sha != NULL && i < sha->n_primaries; i++)
		peer_row(&c, &haven_deleg_primaries()[i], "primary");
	rte_tel_data_add_dict_u64(d, "rejected_messages",
		haven_deleg_rejected());
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
	struct haven_addr hoa = b->info.home_addr;
	char a[HAVEN_ADDR_STRLEN];

	if (c->n++ >= RTE_TEL_MAX_ARRAY_ENTRIES)
		return;
	rte_tel_data_add_array_string(c->hoa, haven_addr_str(&hoa, a));
	rte_tel_data_add_array_string(c->peer,
		b->peer != NULL ? b->peer->name : "-");
	rte_tel_data_add_array_string(c->state,
		haven_deleg_state_name(b->state));
	rte_tel_data_add_array_u64(c->gen, b->info.generation);
}

static int
delegation_handler(const char *params, struct rte_tel_data *d)
{
	const struct haven_deleg_pha *pha = haven_deleg_pha_ctx();
	struct deleg_columns c = { 0 };

	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "policy",
		haven_deleg_policy_name(haven_balancer_policy()));
	c.hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	c.peer = column(d, "peer", RTE_TEL_STRING_VAL);
	c.state = column(d, "state", RTE_TEL_STRING_VAL);
	c.gen = column(d, "generation", RTE_TEL_U64_VAL);
	if (c.hoa == NULL || c.peer == NULL || c.state == NULL || c.gen == NULL)
		return -ENOMEM;
	haven_deleg_foreach(delegation_row, &c);
	rte_tel_data_add_dict_u64(d, "started",
		pha != NULL ? pha->stats.started : 0);
	rte_tel_data_add_dict_u64(d, "refused",
		pha != NULL ? pha->stats.refused : 0);
	rte_tel_data_add_dict_u64(d, "stopped",
		pha != NULL ? pha->stats.stopped : 0);
	rte_tel_data_add_dict_u64(d, "taken_back",
		pha != NULL ? pha->stats.taken_back : 0);
	rte_tel_data_add_dict_u64(d, "dead_peers",
		pha != NULL ? pha->stats.dead_peers : 0);
	return 0;
}

static int
secondary_handler(const char *params, struct rte_tel_data *d)
{
	const struct haven_deleg_sha *sha = haven_deleg_sha_ctx();
	struct rte_tel_data *hoa, *prim, *coa, *rem, *pkts, *gen;
	char a[HAVEN_ADDR_STRLEN], list[HAVEN_DELEG_MAX_COA * HAVEN_ADDR_STRLEN];
	uint64_t now = haven_now_ms();
	unsigned int i, j, n = 0;

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
	for (i = 0; sha != NULL && i < sha->capacity; i++) {
		const struct haven_deleg_sha_entry *e = &sha->entries[i];
		struct haven_addr x;
		size_t off = 0;

		if (e->primary == NULL || n == RTE_TEL_MAX_ARRAY_ENTRIES)
			continue;
		n++;
		x = e->info.home_addr;
		rte_tel_data_add_array_string(hoa, haven_addr_str(&x, a));
		rte_tel_data_add_array_string(prim, e->primary->name);
		list[0] = '\0';
		for (j = 0; j < e->info.n_coa && off < sizeof(list); j++) {
			x = e->info.coa[j];
			off += snprintf(list + off, sizeof(list) - off, "%s%s",
				j ? " " : "", haven_addr_str(&x, a));
		}
		rte_tel_data_add_array_string(coa, list);
		rte_tel_data_add_array_int(rem, e->expires_ms > now ?
			(int)((e->expires_ms - now) / 1000) : 0);
		rte_tel_data_add_array_u64(pkts, haven_deleg_entry_packets(e));
		rte_tel_data_add_array_u64(gen, e->info.generation);
	}
	rte_tel_data_add_dict_u64(d, "installed",
		sha != NULL ? sha->stats.installed : 0);
	rte_tel_data_add_dict_u64(d, "replaced",
		sha != NULL ? sha->stats.replaced : 0);
	rte_tel_data_add_dict_u64(d, "removed",
		sha != NULL ? sha->stats.removed : 0);
	rte_tel_data_add_dict_u64(d, "expired",
		sha != NULL ? sha->stats.expired : 0);
	rte_tel_data_add_dict_u64(d, "refused",
		sha != NULL ? sha->stats.refused : 0);
	rte_tel_data_add_dict_u64(d, "used", sha != NULL ? sha->used : 0);
	rte_tel_data_add_dict_u64(d, "capacity",
		sha != NULL ? sha->capacity : 0);
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
events_handler(const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *seq, *t, *kind, *code, *hoa, *text;
	const struct haven_event *ev;
	uint64_t total = haven_event_count(), first = haven_event_first();
	uint64_t since, lost = 0, s;
	unsigned int n = 0;

	if (params != NULL && *params != '\0') {
		char *end;

		since = strtoull(params, &end, 0);
		if (*end != '\0')
			return -EINVAL;
	} else {
		/* The last EVENTS_PAGE events still held. */
		for (since = total, n = 0; n < EVENTS_PAGE &&
		     (ev = haven_event_prev(since)) != NULL; n++)
			since = ev->seq;
		n = 0;
	}
	if (since > total)
		since = total;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "first", first);
	seq = column(d, "seq", RTE_TEL_U64_VAL);
	t = column(d, "time_us", RTE_TEL_U64_VAL);
	kind = column(d, "kind", RTE_TEL_STRING_VAL);
	code = column(d, "code", RTE_TEL_INT_VAL);
	hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	text = column(d, "text", RTE_TEL_STRING_VAL);
	if (seq == NULL || t == NULL || kind == NULL || code == NULL ||
	    hoa == NULL || text == NULL)
		return -ENOMEM;
	for (s = since; n < EVENTS_PAGE && (ev = haven_event_next(s)) != NULL;
	     n++) {
		char a[HAVEN_ADDR_STRLEN] = "";

		lost += ev->seq - s;	/* no longer held */
		s = ev->seq + 1;
		if (ev->addr.family != HAVEN_AF_NONE)
			haven_addr_str(&ev->addr, a);
		rte_tel_data_add_array_u64(seq, ev->seq);
		rte_tel_data_add_array_u64(t, ev->time_us);
		rte_tel_data_add_array_string(kind,
			haven_event_kind_name(ev->kind));
		rte_tel_data_add_array_int(code, ev->code);
		rte_tel_data_add_array_string(hoa, a);
		rte_tel_data_add_array_string(text, ev->text);
	}
	if (n < EVENTS_PAGE) {
		lost += total > s ? total - s : 0;
		s = total;
	}
	rte_tel_data_add_dict_u64(d, "lost", lost);
	rte_tel_data_add_dict_u64(d, "count", n);
	rte_tel_data_add_dict_u64(d, "next", s);
	return 0;
}

/*
 * /haven/event,<seq>: one event whole. Its text may be longer than a
 * telemetry string (RTE_TEL_MAX_STRING_LEN, 128 bytes with the NUL), as
 * a reload error naming its file:line:column is: "text" is then the list
 * of its pieces, in order, to be joined.
 */
static int
event_handler(const char *params, struct rte_tel_data *d)
{
	const struct haven_event *ev;
	struct rte_tel_data *parts;
	char a[HAVEN_ADDR_STRLEN] = "", piece[RTE_TEL_MAX_STRING_LEN];
	uint64_t seq;
	size_t off, len;
	char *end;

	if (params == NULL || *params == '\0')
		return -EINVAL;
	seq = strtoull(params, &end, 0);
	if (*end != '\0')
		return -EINVAL;
	ev = haven_event_next(seq);
	if (ev == NULL || ev->seq != seq)
		return -ENOENT;
	if (ev->addr.family != HAVEN_AF_NONE)
		haven_addr_str(&ev->addr, a);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "seq", ev->seq);
	rte_tel_data_add_dict_u64(d, "time_us", ev->time_us);
	rte_tel_data_add_dict_string(d, "kind", haven_event_kind_name(ev->kind));
	rte_tel_data_add_dict_int(d, "code", ev->code);
	rte_tel_data_add_dict_string(d, "home_address", a);
	parts = column(d, "text", RTE_TEL_STRING_VAL);
	if (parts == NULL)
		return -ENOMEM;
	len = strlen(ev->text);
	for (off = 0; off < len; off += sizeof(piece) - 1) {
		snprintf(piece, sizeof(piece), "%.*s", (int)(sizeof(piece) - 1),
			ev->text + off);
		rte_tel_data_add_array_string(parts, piece);
	}
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
config_handler(const char *params, struct rte_tel_data *d)
{
	const struct haven_config *cfg = &haven_rt.cfg;
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
	if (haven_deleg_is_pha())
		rte_tel_data_add_array_string(roles, "primary");
	if (haven_deleg_is_sha())
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
		haven_deleg_policy_name(haven_balancer_policy()));
	rte_tel_data_add_dict_u64(d, "secondaries",
		cfg->delegation.n_secondaries);
	rte_tel_data_add_dict_u64(d, "primaries", cfg->delegation.n_primaries);
	rte_tel_data_add_dict_string(d, "file_prefix", cfg->file_prefix);
	rte_tel_data_add_dict_string(d, "lcores", cfg->lcores);
	rte_tel_data_add_dict_u64(d, "workers", haven_rt.n_workers);
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
ports_handler(const char *params, struct rte_tel_data *d)
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
	for (i = 0; i < haven_rt.fp.n_ports; i++) {
		const struct haven_fp_port *p = &haven_rt.fp.ports[i];
		char dev[RTE_ETH_NAME_MAX_LEN] = "?";
		char mac[RTE_ETHER_ADDR_FMT_SIZE], a[INET_ADDRSTRLEN + 4];
		struct rte_eth_link link = { 0 };
		struct rte_eth_stats st = { 0 };

		rte_eth_dev_get_name_by_port(p->port_id, dev);
		rte_eth_link_get_nowait(p->port_id, &link);
		rte_eth_stats_get(p->port_id, &st);
		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		prefix_text(p->addr, haven_rt.cfg.ports[i].prefix_len, a,
			sizeof(a));
		rte_tel_data_add_array_string(c.name, haven_rt.cfg.ports[i].name);
		rte_tel_data_add_array_u64(c.port_id, p->port_id);
		rte_tel_data_add_array_string(c.device, dev);
		rte_tel_data_add_array_string(c.mac, mac);
		rte_tel_data_add_array_string(c.addr, a);
		rte_tel_data_add_array_int(c.link_up, link.link_status);
		rte_tel_data_add_array_u64(c.speed, link.link_speed);
		rte_tel_data_add_array_u64(c.rxq, haven_rt.n_rxq[i]);
		rte_tel_data_add_array_u64(c.txq, haven_rt.n_workers + 1);
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

/* One node's row, all but its last column. */
static void
mn_row(const struct mn_columns *c, const char *hoa, uint32_t spi,
		const char *alg, unsigned int key_len, uint32_t life,
		bool bound, const char *coa)
{
	rte_tel_data_add_array_string(c->hoa, hoa);
	rte_tel_data_add_array_u64(c->spi, spi);
	rte_tel_data_add_array_string(c->alg, alg);
	rte_tel_data_add_array_int(c->keylen, key_len);
	rte_tel_data_add_array_int(c->life, life);
	rte_tel_data_add_array_int(c->bound, bound);
	rte_tel_data_add_array_string(c->coa, coa);
}

/*
 * /haven/mobile_nodes[,<offset>] and /haven/mobile_nodes6[,<offset>]:
 * configured nodes of a family by home address, a page; the key's length,
 * never its bytes.
 */
static int
mobile_nodes_page(uint8_t family, const char *params, struct rte_tel_data *d)
{
	bool six = family == HAVEN_AF_INET6;
	unsigned int offset = 0, size = six ? MOBILE_NODES6_PAGE :
		MOBILE_NODES_PAGE, i;
	struct haven_view_list l;
	struct mn_columns c;
	int rc;

	if (params != NULL && *params != '\0')
		offset = strtoul(params, NULL, 0);
	if (haven_view_nodes(family, HAVEN_VIEW_CONFIGURED, NULL, 0, &l) != 0)
		return -ENOMEM;
	rc = mn_columns(d, l.n, offset, six ? "last_sequence" :
		"last_identification", six ? RTE_TEL_INT_VAL : RTE_TEL_U64_VAL,
		&c);
	for (i = offset; rc == 0 && i < l.n && i < offset + size; i++) {
		const struct haven_node *n = l.v[i];
		char a[HAVEN_ADDR_STRLEN];
		char list[HAVEN_BINDING_MAX_COA * HAVEN_ADDR_STRLEN] = "";
		size_t off = 0;
		unsigned int j;

		for (j = 0; j < n->n_coa && off < sizeof(list); j++) {
			char x[HAVEN_ADDR_STRLEN];

			off += snprintf(list + off, sizeof(list) - off,
				"%s%s", j ? " " : "",
				haven_addr_str(&n->coa[j].addr, x));
		}
		mn_row(&c, haven_addr_str(&n->hoa, a), n->spi,
			haven_node_alg_name(n), six ? n->cfg6->sa.key_len :
			n->cfg4->sa.key_len, haven_view_max_lifetime(n),
			haven_node_bound(n), list);
		if (six)
			rte_tel_data_add_array_int(c.last, n->replay.have_seq ?
				n->replay.last_seq : -1);
		else
			rte_tel_data_add_array_u64(c.last,
				n->replay.last_ident);
	}
	if (rc == 0)
		rte_tel_data_add_dict_u64(d, "count",
			i > offset ? i - offset : 0);
	haven_view_list_free(&l);
	return rc;
}

static int
mobile_nodes_handler(const char *params, struct rte_tel_data *d)
{
	return mobile_nodes_page(HAVEN_AF_INET, params, d);
}

static int
mobile_nodes6_handler(const char *params, struct rte_tel_data *d)
{
	return mobile_nodes_page(HAVEN_AF_INET6, params, d);
}

/* ---------------------------------------------------------------------
 * Mobile IPv6: bindings6, binding6
 */

/* /haven/bindings6[,<offset>]: IPv6 bindings as columns, a page. */
static int
bindings6_handler(const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *hoa, *coa, *rem, *pkts, *bytes, *fwd;
	struct haven_view_list l;
	unsigned int first, end, i, taken = 0;
	int offset;

	offset = bindings_page(HAVEN_AF_INET6, params, &l, &first, &end,
			BINDINGS6_PAGE);
	if (offset < 0)
		return offset;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", l.n);
	rte_tel_data_add_dict_u64(d, "offset", offset);
	hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	coa = column(d, "care_of", RTE_TEL_STRING_VAL);
	rem = column(d, "remaining", RTE_TEL_INT_VAL);
	pkts = column(d, "packets", RTE_TEL_U64_VAL);
	bytes = column(d, "bytes", RTE_TEL_U64_VAL);
	fwd = column(d, "forwarder", RTE_TEL_STRING_VAL);
	if (hoa == NULL || coa == NULL || rem == NULL || pkts == NULL ||
	    bytes == NULL || fwd == NULL) {
		haven_view_list_free(&l);
		return -ENOMEM;
	}
	for (i = first; i < end; i++) {
		struct haven_view_binding b;
		char a[HAVEN_ADDR_STRLEN], c[HAVEN_ADDR_STRLEN] = "";

		if (haven_view_binding(l.v[i], &b) != 0)
			continue;
		taken++;
		if (b.n_coa > 0)
			haven_addr_str(&b.coa[0].addr, c);
		rte_tel_data_add_array_string(hoa,
			haven_addr_str(&b.node->hoa, a));
		rte_tel_data_add_array_string(coa, c);
		rte_tel_data_add_array_int(rem, (int)b.coa[0].left_s);
		rte_tel_data_add_array_u64(pkts, b.counters.pkts);
		rte_tel_data_add_array_u64(bytes, b.counters.bytes);
		rte_tel_data_add_array_string(fwd, b.forwarder);
	}
	rte_tel_data_add_dict_u64(d, "count", taken);
	haven_view_list_free(&l);
	return 0;
}

/* /haven/binding6,<home address>: one IPv6 binding with its counters. */
static int
binding6_handler(const char *params, struct rte_tel_data *d)
{
	struct haven_view_binding b;
	const struct haven_node *n;
	char a[HAVEN_ADDR_STRLEN];
	int rc = binding_of(HAVEN_AF_INET6, params, &b);

	if (rc != 0)
		return rc;
	n = b.node;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "home_address",
		haven_addr_str(&n->hoa, a));
	if (b.n_coa > 0) {
		rte_tel_data_add_dict_string(d, "care_of",
			haven_addr_str(&b.coa[0].addr, a));
		rte_tel_data_add_dict_string(d, "next_hop",
			haven_addr_str(&b.coa[0].next_hop, a));
	}
	rte_tel_data_add_dict_string(d, "outer_source",
		haven_addr_str(&n->outer_src, a));
	rte_tel_data_add_dict_int(d, "remaining", (int)b.coa[0].left_s);
	rte_tel_data_add_dict_int(d, "lifetime", b.coa[0].lifetime_s);
	rte_tel_data_add_dict_int(d, "reverse_tunnel",
		!!(n->flags & HAVEN_BINDING_F_REVERSE_TUNNEL));
	rte_tel_data_add_dict_string(d, "forwarder", b.forwarder);
	if (b.delegation != NULL)
		rte_tel_data_add_dict_string(d, "delegation", b.delegation);
	if (n->origin == HAVEN_NODE_CONFIGURED)
		rte_tel_data_add_dict_u64(d, "last_sequence",
			n->replay.last_seq);
	rte_tel_data_add_dict_u64(d, "generation", b.generation);
	rte_tel_data_add_dict_u64(d, "packets", b.counters.pkts);
	rte_tel_data_add_dict_u64(d, "bytes", b.counters.bytes);
	rte_tel_data_add_dict_u64(d, "reverse_packets", b.counters.rev_pkts);
	rte_tel_data_add_dict_u64(d, "reverse_bytes", b.counters.rev_bytes);
	return 0;
}

/* ---------------------------------------------------------------------
 * AAA: /haven/aaa, /haven/aaa_nodes (never a secret or a key)
 */

/* /haven/aaa: the RADIUS servers as columns, the module's totals. */
static int
aaa_handler(const char *params, struct rte_tel_data *d)
{
	static const struct {
		const char *name;
		size_t off;
	} u64s[] = {
#define AAA_COL(f) { #f, offsetof(struct haven_radius_server_stats, f) }
		AAA_COL(requests), AAA_COL(retransmissions), AAA_COL(timeouts),
		AAA_COL(accepts), AAA_COL(rejects), AAA_COL(acct_responses),
		AAA_COL(dropped_auth), AAA_COL(dropped_no_ma),
		AAA_COL(dropped_malformed), AAA_COL(dropped_unmatched),
		AAA_COL(deaths), AAA_COL(revivals), AAA_COL(probes),
#undef AAA_COL
	};
	const struct haven_aaa_stats *a = haven_aaa_stats();
	struct rte_tel_data *name, *addr, *auth, *acct, *state, *pending,
		*rtt[4], *cols[RTE_DIM(u64s)];
	struct haven_radius_stats st;
	struct haven_aaa_server s;
	char text[HAVEN_ADDR_STRLEN];
	unsigned int i, k;

	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "enabled", haven_aaa_enabled());
	if (!haven_aaa_enabled())
		return 0;
	haven_aaa_client_stats(&st);
	rte_tel_data_add_dict_u64(d, "max_wait_ms", haven_aaa_max_wait_ms());
	rte_tel_data_add_dict_u64(d, "pending", st.pending);
	rte_tel_data_add_dict_u64(d, "submitted", st.submitted);
	rte_tel_data_add_dict_u64(d, "refused", st.refused_full +
		st.refused_invalid);
	for (k = 0; k < RTE_DIM(st.results); k++) {
		char key[32];

		snprintf(key, sizeof(key), "results_%s",
			haven_radius_status_name(k));
		for (i = 0; key[i] != '\0'; i++)
			if (key[i] == '-')
				key[i] = '_';
		rte_tel_data_add_dict_u64(d, key, st.results[k]);
	}
	rte_tel_data_add_dict_u64(d, "waiting", a->parked);
	rte_tel_data_add_dict_u64(d, "waiting_peak", a->parked_peak);
	rte_tel_data_add_dict_u64(d, "waiting_max", a->parked_max);
	rte_tel_data_add_dict_u64(d, "asked", a->asked);
	rte_tel_data_add_dict_u64(d, "joined", a->coalesced);
	rte_tel_data_add_dict_u64(d, "refused_full", a->refused_full);
	rte_tel_data_add_dict_u64(d, "cache_hits", a->cache_hits);
	rte_tel_data_add_dict_u64(d, "provisioned", a->accepted);
	rte_tel_data_add_dict_u64(d, "rejected", a->rejected);
	rte_tel_data_add_dict_u64(d, "timed_out", a->timeouts);
	rte_tel_data_add_dict_u64(d, "no_server", a->no_server);
	rte_tel_data_add_dict_u64(d, "unusable", a->unusable);
	rte_tel_data_add_dict_u64(d, "address_refused", a->addr_refused);
	rte_tel_data_add_dict_u64(d, "nodes", a->nodes);
	rte_tel_data_add_dict_u64(d, "pool_size", a->pool_size);
	rte_tel_data_add_dict_u64(d, "pool_used", a->pool_used);
	rte_tel_data_add_dict_u64(d, "acct_start",
		a->acct_sent[HAVEN_RADIUS_ACCT_START]);
	rte_tel_data_add_dict_u64(d, "acct_interim",
		a->acct_sent[HAVEN_RADIUS_ACCT_INTERIM_UPDATE]);
	rte_tel_data_add_dict_u64(d, "acct_stop",
		a->acct_sent[HAVEN_RADIUS_ACCT_STOP]);
	rte_tel_data_add_dict_u64(d, "acct_answered", a->acct_answered);
	rte_tel_data_add_dict_u64(d, "acct_failed", a->acct_failed);
	rte_tel_data_add_dict_u64(d, "acct_lost", a->acct_lost);
	name = column(d, "server", RTE_TEL_STRING_VAL);
	addr = column(d, "address", RTE_TEL_STRING_VAL);
	auth = column(d, "auth_port", RTE_TEL_INT_VAL);
	acct = column(d, "acct_port", RTE_TEL_INT_VAL);
	state = column(d, "state", RTE_TEL_STRING_VAL);
	pending = column(d, "server_pending", RTE_TEL_U64_VAL);
	rtt[0] = column(d, "rtt_last_ms", RTE_TEL_U64_VAL);
	rtt[1] = column(d, "rtt_avg_ms", RTE_TEL_U64_VAL);
	rtt[2] = column(d, "rtt_min_ms", RTE_TEL_U64_VAL);
	rtt[3] = column(d, "rtt_max_ms", RTE_TEL_U64_VAL);
	for (k = 0; k < RTE_DIM(u64s); k++)
		cols[k] = column(d, u64s[k].name, RTE_TEL_U64_VAL);
	if (name == NULL || addr == NULL || auth == NULL || acct == NULL ||
	    state == NULL || pending == NULL || rtt[0] == NULL ||
	    rtt[1] == NULL || rtt[2] == NULL || rtt[3] == NULL)
		return -ENOMEM;
	for (k = 0; k < RTE_DIM(u64s); k++)
		if (cols[k] == NULL)
			return -ENOMEM;
	for (i = 0; haven_aaa_server(i, &s) == 0; i++) {
		rte_tel_data_add_array_string(name, s.name);
		rte_tel_data_add_array_string(addr,
			haven_addr_str(&s.addr, text));
		rte_tel_data_add_array_int(auth, s.auth_port);
		rte_tel_data_add_array_int(acct, s.acct_port);
		rte_tel_data_add_array_string(state, s.st.state ==
			HAVEN_RADIUS_SERVER_DEAD ? "dead" : "alive");
		rte_tel_data_add_array_u64(pending, s.st.pending);
		rte_tel_data_add_array_u64(rtt[0], s.st.rtt_last_ms);
		rte_tel_data_add_array_u64(rtt[1], s.st.rtt_avg_ms);
		rte_tel_data_add_array_u64(rtt[2], s.st.rtt_min_ms);
		rte_tel_data_add_array_u64(rtt[3], s.st.rtt_max_ms);
		for (k = 0; k < RTE_DIM(u64s); k++)
			rte_tel_data_add_array_u64(cols[k],
				*(const uint64_t *)((const uint8_t *)&s.st +
					u64s[k].off));
	}
	return 0;
}

/* /haven/aaa_nodes[,<offset>]: nodes provisioned by AAA, a page. */
static int
aaa_nodes_handler(const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *hoa, *user, *from, *spi, *cached, *bound, *sess;
	unsigned int offset = 0, i, seen = 0, taken = 0;
	struct haven_view_list l;

	if (params != NULL && *params != '\0')
		offset = strtoul(params, NULL, 0);
	if (haven_view_nodes(HAVEN_AF_INET, HAVEN_VIEW_ALL, NULL, 0, &l) != 0)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", haven_aaa_stats()->nodes);
	rte_tel_data_add_dict_u64(d, "offset", offset);
	hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	user = column(d, "user", RTE_TEL_STRING_VAL);
	from = column(d, "address_from", RTE_TEL_STRING_VAL);
	spi = column(d, "spi", RTE_TEL_U64_VAL);
	cached = column(d, "cache_left", RTE_TEL_INT_VAL);
	bound = column(d, "bound", RTE_TEL_INT_VAL);
	sess = column(d, "session_id", RTE_TEL_STRING_VAL);
	if (hoa == NULL || user == NULL || from == NULL || spi == NULL ||
	    cached == NULL || bound == NULL || sess == NULL) {
		haven_view_list_free(&l);
		return -ENOMEM;
	}
	for (i = 0; i < l.n && taken < AAA_NODES_PAGE; i++) {
		struct haven_aaa_node_info info;
		char a[HAVEN_ADDR_STRLEN];

		if (haven_aaa_node_info(l.v[i], &info) != 0 ||
		    seen++ < offset)
			continue;
		taken++;
		rte_tel_data_add_array_string(hoa,
			haven_addr_str(&l.v[i]->hoa, a));
		rte_tel_data_add_array_string(user, info.user);
		rte_tel_data_add_array_string(from, info.address_from);
		rte_tel_data_add_array_u64(spi, l.v[i]->spi);
		rte_tel_data_add_array_int(cached, (int)info.cache_left_s);
		rte_tel_data_add_array_int(bound, haven_node_bound(l.v[i]));
		rte_tel_data_add_array_string(sess, info.session_id);
	}
	rte_tel_data_add_dict_u64(d, "count", taken);
	haven_view_list_free(&l);
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
TEL_CALLBACK(event)
TEL_CALLBACK(config)
TEL_CALLBACK(ports)
TEL_CALLBACK(mobile_nodes)
TEL_CALLBACK(bindings6)
TEL_CALLBACK(binding6)
TEL_CALLBACK(mobile_nodes6)
TEL_CALLBACK(aaa)
TEL_CALLBACK(aaa_nodes)

/* ---------------------------------------------------------------------
 * DPDK 22.11's own /eal/heap_info and /eal/memzone_info trust their
 * parameter: an index past the end reads out of bounds and kills the
 * process (a SIGSEGV with /eal/memzone_info,100000), taking every binding
 * with it. rte_telemetry keeps its commands sorted and looks up the first
 * match, and a command registered again is inserted before the one it
 * names: so the agent registers bounded versions of both, which answer
 * an index out of range with an error.
 */

/* Memzone number `want` in walk order, if there is one. */
struct memzone_pick {
	unsigned long want, seen;
	const struct rte_memzone *mz;
};

static void
memzone_pick(const struct rte_memzone *mz, void *arg)
{
	struct memzone_pick *p = arg;

	if (p->seen++ == p->want)
		p->mz = mz;
}

static int
eal_memzone_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct memzone_pick p = { 0 };
	char *end, addr[24];

	(void)cmd;
	if (params == NULL || *params == '\0')
		return -EINVAL;
	p.want = strtoul(params, &end, 0);
	if (*end != '\0')
		return -EINVAL;
	rte_memzone_walk(memzone_pick, &p);
	if (p.mz == NULL)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "Zone", (int)p.want);
	rte_tel_data_add_dict_string(d, "Name", p.mz->name);
	rte_tel_data_add_dict_u64(d, "Length", p.mz->len);
	snprintf(addr, sizeof(addr), "%p", p.mz->addr);
	rte_tel_data_add_dict_string(d, "Address", addr);
	rte_tel_data_add_dict_int(d, "Socket", p.mz->socket_id);
	rte_tel_data_add_dict_int(d, "Flags", p.mz->flags);
	rte_tel_data_add_dict_u64(d, "Hugepage_size", p.mz->hugepage_sz);
	return 0;
}

static int
eal_heap_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_malloc_socket_stats st;
	unsigned long id;
	char *end, name[32];
	int socket;

	(void)cmd;
	if (params == NULL || *params == '\0')
		return -EINVAL;
	id = strtoul(params, &end, 0);
	if (*end != '\0' || id >= rte_socket_count())
		return -EINVAL;
	socket = rte_socket_id_by_idx(id);
	if (socket < 0 || rte_malloc_get_socket_stats(socket, &st) != 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "socket_%d", socket);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "Head_id", (int)id);
	rte_tel_data_add_dict_string(d, "Name", name);
	rte_tel_data_add_dict_u64(d, "Heap_size", st.heap_totalsz_bytes);
	rte_tel_data_add_dict_u64(d, "Free_size", st.heap_freesz_bytes);
	rte_tel_data_add_dict_u64(d, "Alloc_size", st.heap_allocsz_bytes);
	rte_tel_data_add_dict_u64(d, "Greatest_free_size",
		st.greatest_free_size);
	rte_tel_data_add_dict_u64(d, "Alloc_count", st.alloc_count);
	rte_tel_data_add_dict_u64(d, "Free_count", st.free_count);
	return 0;
}

int
haven_telemetry_init(void)
{
	rte_telemetry_register_cmd("/eal/heap_info", eal_heap_info,
		"Heap information (bounded). Takes a heap id");
	rte_telemetry_register_cmd("/eal/memzone_info", eal_memzone_info,
		"Memzone information (bounded). Takes a memzone index");
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
	rte_telemetry_register_cmd("/haven/event", tel_event,
		"One event whole, its text in pieces to join. Parameter: seq");
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
	/* help strings: under 128 bytes (RTE_TEL_MAX_STRING_LEN) */
	rte_telemetry_register_cmd("/haven/aaa", tel_aaa,
		"RADIUS servers as columns (state, pending, round trips), "
		"registration and accounting totals. No parameters");
	rte_telemetry_register_cmd("/haven/aaa_nodes", tel_aaa_nodes,
		"A page of nodes provisioned by AAA, as columns (no keys). "
		"Parameter: offset (default 0)");
	return haven_loop_poller("telemetry", telemetry_serve);
}
