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
 * /haven/mobile_nodes,<offset>, /haven/events,<since>,
 * /haven/delegation,<offset>, /haven/secondary,<offset>, and for Mobile
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
#include "report.h"
#include "telemetry.h"
#include "view.h"

/*
 * Rows of /haven/bindings per reply, so that the worst case fits the 16 KB
 * of a reply: home address 17 with its quotes, four care-of addresses 65,
 * encap 9, reverse tunnel 1, remaining 11, packets and bytes 20 each,
 * origin 11, forwarder 33 (a secondary's name of 31), four NAT addresses
 * 65 and ports 25 (RFC 3519), eleven commas: 288 bytes a row; 54 rows
 * are 15,552 bytes, the names and totals about 270 more.
 */
#define BINDINGS_PAGE 54
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
/*
 * Rows of /haven/delegation per reply: home address 41 with its quotes
 * (IPv6), peer 33, state 11, generation 10, three commas: 98 bytes a
 * row, 128 rows 12,544 bytes, the totals about 700 more.
 */
#define DELEGATION_PAGE 128
/*
 * Rows of /haven/secondary per reply: home address 41, primary 33, four
 * IPv6 care-of addresses 161, remaining 11, packets 20, generation 10,
 * five commas: 281 bytes a row, 48 rows 13,488 bytes.
 */
#define SECONDARY_PAGE 48
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

int
haven_telemetry_on_control(int (*handler)(const char *params,
		struct rte_tel_data *d), const char *params,
		struct rte_tel_data *d)
{
	return call_on_control(handler, params, d);
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
 * A builder's object (report.h) as a telemetry reply
 *
 * The builders make the console's JSON; telemetry's limits shape how it
 * travels: a dict of plain values, arrays of plain values, dicts of plain
 * values nested one deep; and a table (an array of objects, "rows") as
 * one column per member in the enclosing dict, haven's layout since the
 * first endpoint. Negative integers go as int, others as u64, booleans
 * as 0 and 1, null as nothing.
 */

static enum rte_tel_value_type
tel_type(const json_t *v)
{
	if (json_is_string(v) || json_is_null(v))
		return RTE_TEL_STRING_VAL;
	if (json_is_integer(v) && json_integer_value(v) < 0)
		return RTE_TEL_INT_VAL;
	return RTE_TEL_U64_VAL;
}

static void
tel_array_add(struct rte_tel_data *a, enum rte_tel_value_type t,
		const json_t *v)
{
	if (t == RTE_TEL_STRING_VAL)
		rte_tel_data_add_array_string(a, json_is_string(v) ?
			json_string_value(v) : "");
	else if (t == RTE_TEL_INT_VAL)
		rte_tel_data_add_array_int(a, (int)json_integer_value(v));
	else
		rte_tel_data_add_array_u64(a, json_is_true(v) ? 1 :
			(uint64_t)json_integer_value(v));
}

static void
tel_dict_add(struct rte_tel_data *d, const char *key, const json_t *v)
{
	switch (tel_type(v)) {
	case RTE_TEL_STRING_VAL:
		if (json_is_string(v))
			rte_tel_data_add_dict_string(d, key,
				json_string_value(v));
		break;
	case RTE_TEL_INT_VAL:
		rte_tel_data_add_dict_int(d, key, (int)json_integer_value(v));
		break;
	default:
		rte_tel_data_add_dict_u64(d, key, json_is_true(v) ? 1 :
			(uint64_t)json_integer_value(v));
		break;
	}
}

/* An array of plain values, or of rows[*][key] (rows: key != NULL). */
static int
tel_array(struct rte_tel_data *d, const char *name, const json_t *arr,
		const char *key)
{
	enum rte_tel_value_type t = RTE_TEL_U64_VAL;
	struct rte_tel_data *c = rte_tel_data_alloc();
	const json_t *v;
	size_t i;

	if (c == NULL)
		return -ENOMEM;
	json_array_foreach(arr, i, v) {
		const json_t *x = key != NULL ? json_object_get(v, key) : v;

		if (i == 0 || tel_type(x) == RTE_TEL_INT_VAL)
			t = tel_type(x);
		if (t == RTE_TEL_STRING_VAL)
			break;
	}
	rte_tel_data_start_array(c, t);
	json_array_foreach(arr, i, v)
		tel_array_add(c, t, key != NULL ? json_object_get(v, key) : v);
	if (rte_tel_data_add_dict_container(d, name, c, 0) != 0) {
		rte_tel_data_free(c);
		return -E2BIG;
	}
	return 0;
}

/* Takes j. */
static int
tel_from_json(json_t *j, struct rte_tel_data *d)
{
	const char *key, *err;
	json_t *v;
	int rc = 0;

	if (j == NULL)
		return -ENOMEM;
	err = json_string_value(json_object_get(j, "error"));
	if (err != NULL && json_object_size(j) == 1) {
		json_decref(j);
		return -EINVAL;
	}
	rte_tel_data_start_dict(d);
	json_object_foreach(j, key, v) {
		if (json_is_object(v)) {
			struct rte_tel_data *c = rte_tel_data_alloc();
			const char *k;
			json_t *x;

			if (c == NULL) {
				rc = -ENOMEM;
				break;
			}
			rte_tel_data_start_dict(c);
			json_object_foreach(v, k, x)
				if (!json_is_object(x) && !json_is_array(x))
					tel_dict_add(c, k, x);
			if (rte_tel_data_add_dict_container(d, key, c, 0) != 0)
				rte_tel_data_free(c);
		} else if (json_is_array(v) &&
			   json_is_object(json_array_get(v, 0))) {
			const char *k;
			json_t *x;

			json_object_foreach(json_array_get(v, 0), k, x)
				if (!json_is_object(x) && !json_is_array(x) &&
				    tel_array(d, k, v, k) != 0)
					rc = -E2BIG;
		} else if (json_is_array(v)) {
			if (json_array_size(v) > 0 &&
			    tel_array(d, key, v, NULL) != 0)
				rc = -E2BIG;
		} else {
			tel_dict_add(d, key, v);
		}
	}
	json_decref(j);
	return rc;
}

/* ---------------------------------------------------------------------
 * Handlers, run on the control lcore
 */

static int
version_handler(const char *params, struct rte_tel_data *d)
{
	(void)params;
	return tel_from_json(haven_report_version(), d);
}

/* Since start, flat, as always; since a clear in "since_clear". */
static int
stats_handler(const char *params, struct rte_tel_data *d)
{
	(void)params;
	return tel_from_json(haven_report_stats(), d);
}

static int
drops_handler(const char *params, struct rte_tel_data *d)
{
	(void)params;
	return tel_from_json(haven_report_drops(), d);
}

static int
registrations_handler(const char *params, struct rte_tel_data *d)
{
	(void)params;
	return tel_from_json(haven_report_registrations(), d);
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

/* The care-of addresses of a binding, space separated. */
static const char *
care_of_list(const struct haven_view_binding *b, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < b->n_coa && off < len; i++) {
		char a[HAVEN_ADDR_STRLEN];

		off += snprintf(buf + off, len - off, "%s%s", i ? " " : "",
			haven_addr_str(&b->coa[i].addr, a));
	}
	return buf;
}

/*
 * RFC 3519: one member (nat_address or nat_port) of the care-of rows of a
 * binding's report row (report_nodes.c) whose tunnel goes through a NAT,
 * space separated ("" when the binding is not tunnelled in UDP).
 */
static const char *
nat_list(const json_t *row, const char *key, char *buf, size_t len)
{
	const json_t *c;
	size_t off = 0, i;

	buf[0] = '\0';
	json_array_foreach(json_object_get(row, "care_of"), i, c) {
		const json_t *v = json_object_get(c, key);

		if (jint(c, "nat_port") == 0 || off >= len)
			continue;
		if (json_is_integer(v))
			off += snprintf(buf + off, len - off, "%s%lld",
				off > 0 ? " " : "", json_integer_value(v));
		else
			off += snprintf(buf + off, len - off, "%s%s",
				off > 0 ? " " : "", jstr(c, key));
	}
	return buf;
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

/*
 * /haven/bindings[6][,<offset>]: a page of one family's bindings as
 * columns; IPv4 adds the tunnel, the reverse tunnel, the origin and the
 * NAT of RFC 3519 (from show bindings' row builder).
 */
static int
bindings_columns(uint8_t family, const char *params, struct rte_tel_data *d)
{
	bool v4 = family == HAVEN_AF_INET;
	struct rte_tel_data *hoa, *coa, *rem, *pkts, *bytes, *fwd;
	struct rte_tel_data *encap = NULL, *revtun = NULL, *origin = NULL;
	struct rte_tel_data *nat = NULL, *nat_port = NULL;
	char a[HAVEN_ADDR_STRLEN], list[HAVEN_BINDING_MAX_COA * HAVEN_ADDR_STRLEN];
	struct haven_view_list l;
	unsigned int first, end, i, taken = 0;
	int offset;

	offset = bindings_page(family, params, &l, &first, &end,
			v4 ? BINDINGS_PAGE : BINDINGS6_PAGE);
	if (offset < 0)
		return offset;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", l.n);
	rte_tel_data_add_dict_u64(d, "offset", offset);
	hoa = column(d, "home_address", RTE_TEL_STRING_VAL);
	coa = column(d, "care_of", RTE_TEL_STRING_VAL);
	if (v4) {
		encap = column(d, "encap", RTE_TEL_STRING_VAL);
		revtun = column(d, "reverse_tunnel", RTE_TEL_INT_VAL);
	}
	rem = column(d, "remaining", RTE_TEL_INT_VAL);
	pkts = column(d, "packets", RTE_TEL_U64_VAL);
	bytes = column(d, "bytes", RTE_TEL_U64_VAL);
	if (v4)
		origin = column(d, "origin", RTE_TEL_STRING_VAL);
	fwd = column(d, "forwarder", RTE_TEL_STRING_VAL);
	if (v4) {
		nat = column(d, "nat_address", RTE_TEL_STRING_VAL);
		nat_port = column(d, "nat_port", RTE_TEL_STRING_VAL);
	}
	if (hoa == NULL || coa == NULL || rem == NULL || pkts == NULL ||
	    bytes == NULL || fwd == NULL || (v4 && (encap == NULL ||
	    revtun == NULL || origin == NULL || nat == NULL ||
	    nat_port == NULL))) {
		haven_view_list_free(&l);
		return -ENOMEM;
	}
	for (i = first; i < end; i++) {
		struct haven_view_binding b;
		json_t *row;

		if (haven_view_binding(l.v[i], &b) != 0)
			continue;
		taken++;
		rte_tel_data_add_array_string(hoa,
			haven_addr_str(&b.node->hoa, a));
		rte_tel_data_add_array_string(coa,
			care_of_list(&b, list, sizeof(list)));
		rte_tel_data_add_array_int(rem, (int)b.coa[0].left_s);
		rte_tel_data_add_array_u64(pkts, b.counters.pkts);
		rte_tel_data_add_array_u64(bytes, b.counters.bytes);
		rte_tel_data_add_array_string(fwd, b.forwarder);
		if (!v4)
			continue;
		rte_tel_data_add_array_string(encap,
			haven_encap_name(b.node->encap));
		rte_tel_data_add_array_int(revtun, !!(b.node->flags &
			HAVEN_BINDING_F_REVERSE_TUNNEL));
		rte_tel_data_add_array_string(origin,
			haven_node_origin_name(b.node->origin));
		row = haven_report_binding_row(l.v[i]);
		rte_tel_data_add_array_string(nat,
			nat_list(row, "nat_address", list, sizeof(list)));
		rte_tel_data_add_array_string(nat_port,
			nat_list(row, "nat_port", list, sizeof(list)));
		json_decref(row);
	}
	rte_tel_data_add_dict_u64(d, "count", taken);
	haven_view_list_free(&l);
	return 0;
}

static int
bindings_handler(const char *params, struct rte_tel_data *d)
{
	return bindings_columns(HAVEN_AF_INET, params, d);
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
	static const char *const udp_keys[] = {
		"udp_source_port", "keepalives", "keepalive_ago",
		"keepalive_interval",
	};
	struct rte_tel_data *coa, *rem, *nat, *nat_port;
	char a[HAVEN_ADDR_STRLEN];
	const json_t *c;
	json_t *rep;
	unsigned int i, k;
	size_t j;
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
	}
	/* RFC 3519, from show binding's builder: where each UDP tunnel goes
	 * ("" and 0 when none), its source port and the keepalives. */
	rep = haven_report_binding(&b.node->hoa);
	if (rep == NULL)
		return -ENOMEM;
	json_array_foreach(json_object_get(rep, "care_of"), j, c) {
		rte_tel_data_add_array_string(nat, jstr(c, "nat_address"));
		rte_tel_data_add_array_int(nat_port, (int)jint(c, "nat_port"));
	}
	for (k = 0; k < RTE_DIM(udp_keys); k++)
		if (json_is_integer(json_object_get(rep, udp_keys[k])))
			rte_tel_data_add_dict_int(d, udp_keys[k],
				(int)jint(rep, udp_keys[k]));
	json_decref(rep);
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

/* Peers as columns: secondaries first, then primaries. */
static int
peers_handler(const char *params, struct rte_tel_data *d)
{
	(void)params;
	return tel_from_json(haven_report_peers(), d);
}

struct deleg_columns {
	struct rte_tel_data *hoa, *peer, *state, *gen;
	unsigned int n, first, end;	/* rows seen; this page's [first, end) */
};

static void
delegation_row(const struct haven_deleg_binding *b, void *arg)
{
	struct deleg_columns *c = arg;
	struct haven_addr hoa = b->info.home_addr;
	char a[HAVEN_ADDR_STRLEN];

	if (c->n < c->first || c->n >= c->end) {
		c->n++;
		return;
	}
	c->n++;
	rte_tel_data_add_array_string(c->hoa, haven_addr_str(&hoa, a));
	rte_tel_data_add_array_string(c->peer,
		b->peer != NULL ? b->peer->name : "-");
	rte_tel_data_add_array_string(c->state,
		haven_deleg_state_name(b->state));
	rte_tel_data_add_array_u64(c->gen, b->info.generation);
}

/* The offset of a paged table: params, or 0. */
static int
page_offset(const char *params, unsigned int *offset)
{
	char *end;

	*offset = 0;
	if (params == NULL || *params == '\0')
		return 0;
	*offset = strtoul(params, &end, 0);
	return *end == '\0' ? 0 : -EINVAL;
}

/* A uint64_t counter of a context, and its name in a reply. */
struct stat_field {
	const char *name;
	size_t off;
};

/* The primary's counters in /haven/delegation, in this order. */
#define PHA_STAT(name) { #name, offsetof(struct haven_deleg_pha, stats.name) }
static const struct stat_field pha_stats[] = {
	PHA_STAT(started), PHA_STAT(refused), PHA_STAT(stopped),
	PHA_STAT(taken_back), PHA_STAT(dead_peers), PHA_STAT(starts_sent),
	PHA_STAT(stops_sent), PHA_STAT(moves), PHA_STAT(moved),
	PHA_STAT(move_failed), PHA_STAT(released), PHA_STAT(lost),
};
#undef PHA_STAT

/* The secondary's counters in /haven/secondary, in this order. */
#define SHA_STAT(name, member) \
	{ name, offsetof(struct haven_deleg_sha, stats.member) }
static const struct stat_field sha_stats[] = {
	SHA_STAT("installed", installed), SHA_STAT("replaced", replaced),
	SHA_STAT("removed", removed), SHA_STAT("expired", expired),
	SHA_STAT("refused", refused), SHA_STAT("heartbeats", heartbeats),
	SHA_STAT("counters_sent", counters), SHA_STAT("reports", reports),
	SHA_STAT("batches", batches),
};
#undef SHA_STAT

/* The counters of a table, from base. */
static void
add_stats(struct rte_tel_data *d, const void *base,
		const struct stat_field *f, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		rte_tel_data_add_dict_u64(d, f[i].name,
			*(const uint64_t *)((const char *)base + f[i].off));
}

/*
 * The primary's totals (zero on an agent that is not one): its counters,
 * what is queued and in flight over its secondaries, the balancer's.
 */
static void
delegation_totals(struct rte_tel_data *d, const struct haven_deleg_pha *pha)
{
	static const struct haven_deleg_pha none;
	const struct haven_balancer_stats *bs = haven_balancer_stats();
	uint64_t queued = 0, outstanding = 0, records = 0, timeouts = 0;
	unsigned int i;

	if (pha == NULL)
		pha = &none;
	add_stats(d, pha, pha_stats, RTE_DIM(pha_stats));
	for (i = 0; i < pha->n_peers; i++) {
		const struct haven_deleg_peer *p = &haven_deleg_secondaries()[i];

		queued += p->n_queued;
		outstanding += p->n_outstanding;
		records += p->stats.records_tx;
		timeouts += p->stats.dgram_timeouts;
	}
	rte_tel_data_add_dict_u64(d, "moves_queued", pha->n_moves_queued);
	rte_tel_data_add_dict_u64(d, "queued", queued);
	rte_tel_data_add_dict_u64(d, "outstanding", outstanding);
	rte_tel_data_add_dict_u64(d, "records_sent", records);
	rte_tel_data_add_dict_u64(d, "datagram_timeouts", timeouts);
	rte_tel_data_add_dict_u64(d, "moves_planned", bs->moves_planned);
	rte_tel_data_add_dict_u64(d, "rebalances", bs->rebalances);
	rte_tel_data_add_dict_int(d, "rebalancing", bs->rebalancing);
	rte_tel_data_add_dict_int(d, "rebalance_tolerance_pct",
		bs->tolerance_pct);
	rte_tel_data_add_dict_u64(d, "bulk_summaries",
		haven_deleg_bulk_summaries());
}

/*
 * /haven/delegation[,<offset>]: a page of the bindings that are not
 * local (DELEGATION_PAGE rows from offset, in node-table order) and the
 * primary's totals.
 */
static int
delegation_handler(const char *params, struct rte_tel_data *d)
{
	const struct haven_deleg_pha *pha = haven_deleg_pha_ctx();
	struct deleg_columns c = { 0 };
	unsigned int offset;

	if (page_offset(params, &offset) != 0)
		return -EINVAL;
	c.first = offset;
	c.end = offset + DELEGATION_PAGE;
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
	rte_tel_data_add_dict_u64(d, "total", c.n);
	rte_tel_data_add_dict_u64(d, "offset", offset);
	rte_tel_data_add_dict_u64(d, "count", c.n > c.first ?
		RTE_MIN(c.n, c.end) - c.first : 0);
	delegation_totals(d, pha);
	return 0;
}

/*
 * /haven/secondary[,<offset>]: a page of the bindings held for primaries
 * (SECONDARY_PAGE rows from offset, in table order) and the totals.
 */
static int
secondary_handler(const char *params, struct rte_tel_data *d)
{
	static const struct haven_deleg_sha none;
	const struct haven_deleg_sha *sha = haven_deleg_sha_ctx();
	struct rte_tel_data *hoa, *prim, *coa, *rem, *pkts, *gen;
	char a[HAVEN_ADDR_STRLEN], list[HAVEN_DELEG_MAX_COA * HAVEN_ADDR_STRLEN];
	uint64_t now = haven_now_ms();
	unsigned int i, j, n = 0, offset, count = 0;

	if (page_offset(params, &offset) != 0)
		return -EINVAL;
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
	for (i = 0; sha != NULL && i < sha->capacity &&
	     count < SECONDARY_PAGE; i++) {
		const struct haven_deleg_sha_entry *e = &sha->entries[i];
		struct haven_addr x;
		size_t off = 0;

		if (e->primary == NULL || n++ < offset)
			continue;
		count++;
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
	if (sha == NULL)
		sha = &none;
	rte_tel_data_add_dict_u64(d, "total", sha->used);
	rte_tel_data_add_dict_u64(d, "offset", offset);
	rte_tel_data_add_dict_u64(d, "count", count);
	add_stats(d, sha, sha_stats, RTE_DIM(sha_stats));
	rte_tel_data_add_dict_u64(d, "used", sha->used);
	rte_tel_data_add_dict_u64(d, "capacity", sha->capacity);
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

/* /haven/ports: every port, its link and its ethdev statistics. */
static int
ports_handler(const char *params, struct rte_tel_data *d)
{
	(void)params;
	return tel_from_json(haven_report_ports(), d);
}

/* /haven/runtime: where each worker's time goes, as columns. */
static int
runtime_handler(const char *params, struct rte_tel_data *d)
{
	(void)params;
	return tel_from_json(haven_report_runtime(), d);
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

static int
bindings6_handler(const char *params, struct rte_tel_data *d)
{
	return bindings_columns(HAVEN_AF_INET6, params, d);
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
	(void)params;
	return tel_from_json(haven_report_aaa(), d);
}

/* /haven/aaa_nodes[,<offset>]: nodes provisioned by AAA, a page. */
static int
aaa_nodes_handler(const char *params, struct rte_tel_data *d)
{
	unsigned int offset = 0;

	if (params != NULL && *params != '\0')
		offset = strtoul(params, NULL, 0);
	return tel_from_json(haven_report_aaa_nodes(offset, AAA_NODES_PAGE),
		d);
}

/* /haven/store: the state store and the last restore. */
static int
store_handler(const char *params, struct rte_tel_data *d)
{
	(void)params;
	return tel_from_json(haven_report_store(), d);
}

/* /haven/redundancy: the pair of primaries. */
static int
redundancy_handler(const char *params, struct rte_tel_data *d)
{
	(void)params;
	return tel_from_json(haven_report_redundancy(), d);
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

TEL_CALLBACK(version)
TEL_CALLBACK(store)
TEL_CALLBACK(redundancy)
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
TEL_CALLBACK(runtime)
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
	rte_telemetry_register_cmd("/haven/version", tel_version,
		"Version, git revision, DPDK version, build type, start time, "
		"uptime. No parameters");
	rte_telemetry_register_cmd("/haven/stats", tel_stats,
		"Packet, registration and resolution totals since start; "
		"since_clear: since the console's clear stats. No parameters");
	rte_telemetry_register_cmd("/haven/drops", tel_drops,
		"Dropped packets by reason since start; since_clear: since "
		"clear drops. No parameters");
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
		"Ports: link, ethdev statistics, what the workers did with "
		"their packets. No parameters");
	rte_telemetry_register_cmd("/haven/runtime", tel_runtime,
		"Per worker: packets, bursts, turns, busy and elapsed TSC "
		"cycles, punts, drops. No parameters");
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
	rte_telemetry_register_cmd("/haven/store", tel_store,
		"The state store: records, commits, the last restore. No "
		"parameters");
	rte_telemetry_register_cmd("/haven/redundancy", tel_redundancy,
		"The pair of primaries: role, keepalived, peer, stream. No "
		"parameters");
	rte_telemetry_register_cmd("/haven/aaa", tel_aaa,
		"RADIUS servers as columns (state, pending, round trips), "
		"registration and accounting totals. No parameters");
	rte_telemetry_register_cmd("/haven/aaa_nodes", tel_aaa_nodes,
		"A page of nodes provisioned by AAA, as columns (no keys). "
		"Parameter: offset (default 0)");
	return haven_loop_poller("telemetry", telemetry_serve);
}
