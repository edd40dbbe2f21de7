/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AAA on the control lcore (aaa.h, docs/aaa.md): mobile nodes provisioned
 * by RADIUS, their home addresses by NAI, and accounting of their
 * bindings.
 *
 * The RADIUS client runs on a thread of its own (lib/radius); this module
 * hands it requests and takes its results through lock-free rings, once a
 * turn of the control loop, so nothing RADIUS does (a slow server, a dead
 * one) ever makes the loop wait, and configured nodes never see it.
 *
 * A registration no configured node answers for is parked here: a copy
 * of what registration needs to resume it, indexed by its User-Name (the
 * NAI, or the home address in dotted quad), at most parked_max of them
 * (three quarters of aaa.max_pending; the rest is accounting's). A
 * retransmission from a node already waiting replaces its parked copy
 * instead of asking again. Every Access-Request ends with one result,
 * within the library's bounded time; then the node is made or rekeyed
 * (node layer, origin AAA, key cached for the shorter of aaa.key_lifetime
 * and Session-Timeout) and the request resumed, or denied:
 *
 *   Access-Accept with a key       the node; registration verifies it
 *   Access-Accept without one      131
 *   Access-Reject                  131
 *   timeout, no live server        130, and an event
 *   unusable answer                130, and an event naming the server
 *   address of another user        129
 *   parking full (a flood)         130 at once, nothing sent
 *
 * Home addresses: a node that registers with one keeps it (RADIUS's
 * Framed-IP-Address, when given, must be the same); a node that asks with
 * 0.0.0.0 and a NAI gets RADIUS's Framed-IP-Address, else one of aaa.pool,
 * and keeps it while it is bound (a re-registration, with 0.0.0.0 or with
 * that address, finds it by its NAI); deregistration or expiry releases it
 * and its node.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_timer.h>

#include "aaa.h"
#include "event.h"
#include "haven_mip4.h"
#include "loop.h"
#include "node.h"
#include "reload.h"
#include "rt.h"

#define AAA_POLL_BURST 32		/**< results taken per turn */
#define AAA_WATCH_MS 500		/**< server state watched this often */
#define AAA_NAME_LEN HAVEN_RADIUS_NAI_LEN	/**< User-Name octets */
#define AAA_INDEX_MIN 64		/**< slots of an empty name index */

/* Where an AAA node's home address came from. */
enum aaa_addr_from {
	AAA_ADDR_OWN,			/* the node registered with it */
	AAA_ADDR_RADIUS,		/* Framed-IP-Address, asked with 0.0.0.0 */
	AAA_ADDR_POOL,			/* aaa.pool, asked with 0.0.0.0 */
};

static const char *const addr_from_names[] = {
	[AAA_ADDR_OWN] = "own",
	[AAA_ADDR_RADIUS] = "radius",
	[AAA_ADDR_POOL] = "pool",
};

/* A User-Name and its hash: the key of a name index. */
struct named {
	uint32_t hash;
	uint16_t len;
	char name[AAA_NAME_LEN + 1];
};

/* An open-addressing index of named things (linear probing,
 * backward-shift deletion), grown before it is half full. */
struct name_index {
	struct named **slots;
	uint32_t size;			/* a power of two, 0 before the first */
	uint32_t count;
};

/* A registration waiting for RADIUS. */
struct aaa_park {
	struct named user;		/* first: the index key */
	uint32_t gen;			/* 0: free */
	struct haven_radius_transport *t;	/* asked through */
	bool has_nai;
	uint32_t home_addr;		/* the request's (NBO) */
	uint64_t asked_ms;
	uint16_t ctx_len;
	uint8_t ctx[HAVEN_AAA_CTX_MAX];
};

/* What this module knows of an AAA node (the node's extension points
 * at it). Writer: this file. */
struct aaa_rec {
	struct named user;		/* first: the index key */
	char shown[AAA_NAME_LEN + 1];	/* user, safe to print (user_text) */
	struct haven_node *node;
	bool has_nai;			/* indexed by its NAI */
	uint8_t addr_from;		/* enum aaa_addr_from */
	uint8_t sa_source;		/* enum haven_radius_sa_source */
	char server[HAVEN_RADIUS_NAME_LEN];	/* who answered */
	uint8_t class_len;		/* Class, echoed in accounting */
	uint8_t class_val[HAVEN_RADIUS_CLASS_LEN];
	/* accounting */
	bool acct_open;			/* Start sent, Stop not yet */
	char session_id[HAVEN_RADIUS_SESSION_ID_LEN + 1];
	uint64_t acct_start_ms;
	uint64_t interims;
	struct rte_timer interim;
};

/* The node's extension. */
struct aaa_ext {
	struct aaa_rec *rec;		/* NULL: not an AAA node */
};

/* The module. Writer: this file, on the control lcore. */
static struct {
	bool enabled;
	struct haven_radius_transport *t;	/* requests go here */
	struct haven_radius_transport *old;	/* draining after a reload */
	haven_aaa_resume_fn resume;
	int ext_off;
	struct aaa_park *parks;		/* parked_max of them */
	uint32_t *free_parks;		/* stack of free indexes */
	uint32_t n_free;
	uint32_t gen;			/* of the last park taken */
	struct name_index park_idx;	/* parked, by User-Name */
	struct name_index nai_idx;	/* AAA records with a NAI */
	uint8_t *pool_bits;		/* one bit per pool address: taken */
	uint32_t pool_first;		/* host order */
	uint32_t pool_cursor;		/* where the next search starts */
	uint64_t session_seq;		/* accounting sessions made */
	uint8_t server_state[HAVEN_RADIUS_MAX_SERVERS];	/* last seen */
	struct haven_aaa_stats stats;
} aaa = { .ext_off = -1 };

/* ---------------------------------------------------------------------
 * Name indexes
 */

static void
named_set(struct named *n, const char *s, size_t len)
{
	memcpy(n->name, s, len);
	n->name[len] = '\0';
	n->len = len;
	n->hash = rte_jhash(s, len, 0x61616161);
}

static struct named *
idx_find(const struct name_index *x, const char *s, size_t len)
{
	uint32_t h = rte_jhash(s, len, 0x61616161), k;

	if (x->size == 0)
		return NULL;
	for (k = h & (x->size - 1); x->slots[k] != NULL;
	     k = (k + 1) & (x->size - 1))
		if (x->slots[k]->hash == h && x->slots[k]->len == len &&
		    memcmp(x->slots[k]->name, s, len) == 0)
			return x->slots[k];
	return NULL;
}

/* Make room for count entries. @return 0 or -ENOMEM (unchanged). */
static int
idx_reserve(struct name_index *x, uint32_t count)
{
	struct named **old = x->slots, **slots;
	uint32_t size = x->size, i, k;

	while (size < AAA_INDEX_MIN || count * 2 > size)
		size = size == 0 ? AAA_INDEX_MIN : size * 2;
	if (size == x->size)
		return 0;
	slots = haven_zmalloc("haven_aaa_index", sizeof(*slots) * size);
	if (slots == NULL)
		return -ENOMEM;
	for (i = 0; i < x->size; i++) {
		if (old[i] == NULL)
			continue;
		for (k = old[i]->hash & (size - 1); slots[k] != NULL;
		     k = (k + 1) & (size - 1))
			;
		slots[k] = old[i];
	}
	x->slots = slots;
	x->size = size;
	haven_free(old);
	return 0;
}

static int
idx_insert(struct name_index *x, struct named *e)
{
	uint32_t k;
	int rc = idx_reserve(x, x->count + 1);

	if (rc != 0)
		return rc;
	for (k = e->hash & (x->size - 1); x->slots[k] != NULL;
	     k = (k + 1) & (x->size - 1))
		;
	x->slots[k] = e;
	x->count++;
	return 0;
}

static void
idx_remove(struct name_index *x, const struct named *e)
{
	uint32_t mask = x->size - 1, i, j, home;

	if (x->size == 0)
		return;
	for (i = e->hash & mask; x->slots[i] != e; i = (i + 1) & mask)
		if (x->slots[i] == NULL)
			return;
	x->slots[i] = NULL;
	for (j = (i + 1) & mask; x->slots[j] != NULL; j = (j + 1) & mask) {
		home = x->slots[j]->hash & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			x->slots[i] = x->slots[j];
			x->slots[j] = NULL;
			i = j;
		}
	}
	x->count--;
}

static void
idx_free(struct name_index *x)
{
	haven_free(x->slots);
	memset(x, 0, sizeof(*x));
}

/*
 * A User-Name for events and logs (cut to the buffer), anything but
 * printable ASCII (and quotes and backslashes, which telemetry's JSON
 * would take for its own) shown as '?'. It came from the network.
 */
static const char *
user_text(const struct named *u, char *buf, size_t size)
{
	size_t i, n = RTE_MIN((size_t)u->len, size - 1);

	for (i = 0; i < n; i++) {
		char c = u->name[i];

		buf[i] = c < 0x20 || c > 0x7e || c == '"' || c == '\\' ?
			'?' : c;
	}
	buf[n] = '\0';
	return buf;
}

/* ---------------------------------------------------------------------
 * Home addresses: the home link, the pool
 */

/* A usable home address for an AAA node: a host of the home port's
 * subnet, not one of ours, no node there (but except). */
static bool
addr_usable(uint32_t a, const struct haven_node *except)
{
	const struct haven_config_port *p =
		&haven_rt.cfg.ports[haven_rt.cfg.home_port];
	uint32_t mask = p->prefix_len == 0 ? 0 :
		~0u << (32 - p->prefix_len), h = rte_be_to_cpu_32(a);
	struct haven_addr ha = haven_addr4(a);
	struct haven_node *n;

	if ((h & mask) != (rte_be_to_cpu_32(p->addr) & mask))
		return false;
	if (p->prefix_len <= 30 && ((h & ~mask) == 0 || (h & ~mask) == ~mask))
		return false;
	if (haven_rt_is_own_addr(&ha))
		return false;
	n = haven_node_find(&ha);
	return n == NULL || n == except;
}

static uint32_t
pool_size_of(const struct haven_config_aaa *c)
{
	return c->has_pool ? rte_be_to_cpu_32(c->pool_last) -
		rte_be_to_cpu_32(c->pool_first) + 1 : 0;
}

static bool
pool_has(uint32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	return aaa.pool_bits != NULL && h >= aaa.pool_first &&
		h - aaa.pool_first < aaa.stats.pool_size;
}

static void
pool_set(uint32_t a, bool taken)
{
	uint32_t i = rte_be_to_cpu_32(a) - aaa.pool_first;
	bool was = aaa.pool_bits[i / 8] & (1u << (i % 8));

	if (was == taken)
		return;
	if (taken) {
		aaa.pool_bits[i / 8] |= 1u << (i % 8);
		aaa.stats.pool_used++;
	} else {
		aaa.pool_bits[i / 8] &= ~(1u << (i % 8));
		aaa.stats.pool_used--;
	}
}

/* A free pool address (NBO), taken, or 0 when the pool is exhausted. */
static uint32_t
pool_take(void)
{
	uint32_t n = aaa.stats.pool_size, i, k, a;

	for (i = 0; i < n; i++) {
		k = (aaa.pool_cursor + i) % n;
		if (aaa.pool_bits[k / 8] & (1u << (k % 8)))
			continue;
		a = rte_cpu_to_be_32(aaa.pool_first + k);
		if (!addr_usable(a, NULL))
			continue;	/* e.g. a node RADIUS placed there */
		aaa.pool_cursor = (k + 1) % n;
		pool_set(a, true);
		return a;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * AAA records: the node's extension
 */

static struct aaa_rec *
rec_of(struct haven_node *n)
{
	return aaa.ext_off < 0 ? NULL :
		((struct aaa_ext *)haven_node_ext(n, aaa.ext_off))->rec;
}

static const struct aaa_rec *
rec_of_const(const struct haven_node *n)
{
	return rec_of((struct haven_node *)(uintptr_t)n);
}

/* The node leaves the table or was never inserted: forget it. */
static void
ext_fini(struct haven_node *n, void *ext)
{
	struct aaa_ext *x = ext;
	struct aaa_rec *r = x->rec;

	(void)n;
	if (r == NULL)
		return;
	rte_timer_stop_sync(&r->interim);
	if (r->has_nai)
		idx_remove(&aaa.nai_idx, &r->user);
	if (r->addr_from == AAA_ADDR_POOL && pool_has(n->hoa.v4))
		pool_set(n->hoa.v4, false);
	aaa.stats.nodes--;
	x->rec = NULL;
	haven_free(r);
}

/* ---------------------------------------------------------------------
 * Parking
 */

static struct aaa_park *
park_take(void)
{
	struct aaa_park *p;

	if (aaa.n_free == 0)
		return NULL;
	p = &aaa.parks[aaa.free_parks[--aaa.n_free]];
	if (++aaa.gen == 0)
		aaa.gen = 1;
	p->gen = aaa.gen;
	aaa.stats.parked++;
	if (aaa.stats.parked > aaa.stats.parked_peak)
		aaa.stats.parked_peak = aaa.stats.parked;
	return p;
}

static void
park_release(struct aaa_park *p)
{
	idx_remove(&aaa.park_idx, &p->user);
	p->gen = 0;
	p->t = NULL;
	aaa.free_parks[aaa.n_free++] = p - aaa.parks;
	aaa.stats.parked--;
}

static uint64_t
park_tag(const struct aaa_park *p)
{
	return (uint64_t)p->gen << 32 | (uint32_t)(p - aaa.parks);
}

/*
 * Hand a parked request back to registration; the park is free again. A
 * node made for it (created) that the request did not bind goes again: a
 * node is kept only once a registration proved it holds the key, so an
 * unauthenticated request cannot hold an address.
 */
static void
park_resume(struct aaa_park *p, struct haven_node *n, uint8_t code,
		bool created)
{
	static uint8_t ctx[HAVEN_AAA_CTX_MAX];
	size_t len = p->ctx_len;
	struct aaa_rec *r;

	memcpy(ctx, p->ctx, len);
	park_release(p);
	if (aaa.resume != NULL)
		aaa.resume(n, code, ctx, len);
	if (n == NULL)
		return;
	r = rec_of(n);
	if (r != NULL && !haven_node_bound(n) &&
	    (created || r->addr_from != AAA_ADDR_OWN))
		haven_node_cache_until(n, haven_now_ms());
}

/* The User-Name of a request: its NAI, or its home address. */
static int
user_of(const struct haven_aaa_ask *a, struct named *user)
{
	char quad[16];

	if (a->nai != NULL) {
		if (a->nai_len == 0 || a->nai_len > AAA_NAME_LEN)
			return -EINVAL;
		named_set(user, (const char *)a->nai, a->nai_len);
		return 0;
	}
	snprintf(quad, sizeof(quad), HAVEN_IP4_FMT,
		HAVEN_IP4_ARGS(a->home_addr));
	named_set(user, quad, strlen(quad));
	return 0;
}

/* Park a request and ask RADIUS for user. */
static enum haven_aaa_verdict
park(const struct haven_aaa_ask *a, const struct named *user, bool has_nai,
		uint8_t *code)
{
	struct haven_radius_request req;
	struct aaa_park *p;
	int rc;

	*code = HAVEN_MIP4_DENIED_RESOURCES;
	if (a->ctx_len > HAVEN_AAA_CTX_MAX)
		return HAVEN_AAA_DENY;
	p = (struct aaa_park *)idx_find(&aaa.park_idx, user->name, user->len);
	if (p != NULL) {
		/* The node tried again meanwhile: answer its latest request. */
		memcpy(p->ctx, a->ctx, a->ctx_len);
		p->ctx_len = a->ctx_len;
		p->home_addr = a->home_addr;
		aaa.stats.coalesced++;
		return HAVEN_AAA_PARKED;
	}
	p = park_take();
	if (p == NULL) {
		aaa.stats.refused_full++;
		return HAVEN_AAA_DENY;
	}
	p->user = *user;
	p->has_nai = has_nai;
	p->home_addr = a->home_addr;
	p->asked_ms = haven_now_ms();
	memcpy(p->ctx, a->ctx, a->ctx_len);
	p->ctx_len = a->ctx_len;

	memset(&req, 0, sizeof(req));
	req.tag = park_tag(p);
	req.kind = HAVEN_RADIUS_AUTH;
	memcpy(req.auth.nai, user->name, user->len + 1);
	req.auth.spi = a->spi;
	req.auth.home_addr = a->home_addr;
	req.auth.ha_addr = haven_rt.cfg.ha_addr;
	rc = haven_radius_submit(aaa.t, &req);
	if (rc != 0) {
		p->gen = 0;
		aaa.free_parks[aaa.n_free++] = p - aaa.parks;
		aaa.stats.parked--;
		if (rc == -ENOBUFS)
			aaa.stats.refused_full++;
		else
			*code = HAVEN_MIP4_DENIED_MN_AUTH;
		return HAVEN_AAA_DENY;
	}
	p->t = aaa.t;
	/* room reserved at start: cannot fail */
	idx_insert(&aaa.park_idx, &p->user);
	aaa.stats.asked++;
	return HAVEN_AAA_PARKED;
}

enum haven_aaa_verdict
haven_aaa_resolve(const struct haven_aaa_ask *a, struct haven_node **np,
		uint8_t *code)
{
	struct haven_addr hoa = haven_addr4(a->home_addr);
	struct haven_node *n = NULL;
	struct aaa_rec *r = NULL;
	struct named user;

	*np = NULL;
	*code = HAVEN_MIP4_DENIED_MN_AUTH;
	if (!aaa.enabled)
		return HAVEN_AAA_DENY;
	if (a->home_addr == 0 && a->nai == NULL)
		return HAVEN_AAA_DENY;	/* asks for an address, says not who */
	if (user_of(a, &user) != 0)
		return HAVEN_AAA_DENY;	/* a NAI RADIUS cannot carry */
	if (a->home_addr != 0) {
		n = haven_node_find(&hoa);
		if (n != NULL && n->origin != HAVEN_NODE_AAA)
			return HAVEN_AAA_DENY;	/* held for a primary */
		r = n != NULL ? rec_of(n) : NULL;
		if (r != NULL && a->nai != NULL && (r->user.len != user.len ||
		    memcmp(r->user.name, user.name, user.len) != 0)) {
			aaa.stats.addr_refused++;
			*code = HAVEN_MIP4_DENIED_ADMIN;
			return HAVEN_AAA_DENY;	/* another user's address */
		}
		if (n == NULL && a->nai != NULL) {
			struct aaa_rec *o = (struct aaa_rec *)idx_find(
				&aaa.nai_idx, user.name, user.len);

			if (o != NULL && haven_node_bound(o->node)) {
				aaa.stats.addr_refused++;
				*code = HAVEN_MIP4_DENIED_ADMIN;
				return HAVEN_AAA_DENY;	/* bound elsewhere */
			}
		}
	} else {
		r = (struct aaa_rec *)idx_find(&aaa.nai_idx, user.name,
				user.len);
		n = r != NULL ? r->node : NULL;
	}
	if (n != NULL && haven_node_cache_fresh(n, haven_now_ms())) {
		aaa.stats.cache_hits++;
		*np = n;
		return HAVEN_AAA_USE;
	}
	/* Unknown, or its key's cache ended: ask, as the node it is. */
	return park(a, r != NULL ? &r->user : &user, r != NULL ? r->has_nai :
		a->nai != NULL, code);
}

void
haven_aaa_on_resume(haven_aaa_resume_fn fn)
{
	aaa.resume = fn;
}

/* ---------------------------------------------------------------------
 * Answers to Access-Requests
 */

/* Set while results of a transport a reload replaced are handled: their
 * server indexes are of the configuration before. */
static bool polling_old;

static const char *
server_name(uint8_t i)
{
	if (polling_old)
		return "a server before the reload";
	return i < haven_rt.cfg.aaa.radius.n_servers ?
		haven_rt.cfg.aaa.radius.servers[i].name : "-";
}

/* How long a key of this answer stays cached, ms. */
static uint64_t
cache_ms(const struct haven_radius_result *res)
{
	uint64_t s = haven_rt.cfg.aaa.key_lifetime;

	if (res->session_timeout != 0 && res->session_timeout < s)
		s = res->session_timeout;
	return s * 1000;
}

/* A new record for node n. */
static struct aaa_rec *
rec_new(struct haven_node *n, const struct aaa_park *p, uint8_t addr_from)
{
	struct aaa_rec *r = haven_zmalloc("haven_aaa_rec", sizeof(*r));

	if (r == NULL)
		return NULL;
	r->user = p->user;
	user_text(&r->user, r->shown, sizeof(r->shown));
	r->node = n;
	r->has_nai = p->has_nai;
	r->addr_from = addr_from;
	rte_timer_init(&r->interim);
	return r;
}

/*
 * An Access-Accept for park p: the node made or rekeyed, in *np; or a
 * reply code to deny with.
 */
static uint8_t
provision(struct aaa_park *p, const struct haven_radius_result *res,
		struct haven_node **np, bool *created)
{
	struct haven_mip4_sa sa;
	struct haven_node *n = NULL;
	struct aaa_rec *r = NULL;
	uint8_t addr_from = AAA_ADDR_OWN;
	uint32_t addr = p->home_addr;
	char u[64];
	int rc;

	user_text(&p->user, u, sizeof(u));
	if (res->key_len == 0 || res->key_len > HAVEN_MIP4_MAX_KEY ||
	    res->alg > HAVEN_MIP4_ALG_HMAC_SHA256) {
		aaa.stats.unusable++;
		haven_event(HAVEN_EV_AAA, NULL, HAVEN_MIP4_DENIED_MN_AUTH,
			"%s accepted by %s without a usable MN-HA key", u,
			server_name(res->server));
		return HAVEN_MIP4_DENIED_MN_AUTH;
	}
	if (addr != 0) {
		struct haven_addr hoa = haven_addr4(addr);

		n = haven_node_find(&hoa);
		if (n != NULL && n->origin == HAVEN_NODE_CONFIGURED) {
			*np = n;	/* listed by a reload meanwhile: its key */
			return 0;
		}
		if (n != NULL && (n->origin != HAVEN_NODE_AAA ||
		    rec_of(n)->user.len != p->user.len || memcmp(rec_of(
		    n)->user.name, p->user.name, p->user.len) != 0)) {
			aaa.stats.addr_refused++;
			return n->origin == HAVEN_NODE_AAA ?
				HAVEN_MIP4_DENIED_ADMIN :
				HAVEN_MIP4_DENIED_MN_AUTH;
		}
		if (res->has_framed_ip && res->framed_ip != addr) {
			aaa.stats.addr_refused++;
			haven_event(HAVEN_EV_AAA, &hoa, HAVEN_MIP4_DENIED_ADMIN,
				"%s registered " HAVEN_IP4_FMT " but %s gives it "
				HAVEN_IP4_FMT, u, HAVEN_IP4_ARGS(addr),
				server_name(res->server),
				HAVEN_IP4_ARGS(res->framed_ip));
			return HAVEN_MIP4_DENIED_ADMIN;
		}
		if (n == NULL && !addr_usable(addr, NULL)) {
			aaa.stats.addr_refused++;
			return HAVEN_MIP4_DENIED_ADMIN;
		}
		/* One node per NAI: an idle one elsewhere goes, a bound one
		 * keeps its address. */
		r = n == NULL && p->has_nai ? (struct aaa_rec *)idx_find(
			&aaa.nai_idx, p->user.name, p->user.len) : NULL;
		if (r != NULL && haven_node_bound(r->node)) {
			aaa.stats.addr_refused++;
			return HAVEN_MIP4_DENIED_ADMIN;
		}
		if (r != NULL)
			haven_node_delete(r->node);	/* its record with it */
		r = NULL;
	} else {
		r = (struct aaa_rec *)idx_find(&aaa.nai_idx, p->user.name,
				p->user.len);
		n = r != NULL ? r->node : NULL;	/* keeps its address */
		if (n == NULL && res->has_framed_ip) {
			addr = res->framed_ip;
			addr_from = AAA_ADDR_RADIUS;
			if (!addr_usable(addr, NULL)) {
				aaa.stats.unusable++;
				haven_event(HAVEN_EV_AAA, NULL,
					HAVEN_MIP4_DENIED_RESOURCES,
					"%s: %s assigned " HAVEN_IP4_FMT ", not "
					"a free address of the home link", u,
					server_name(res->server),
					HAVEN_IP4_ARGS(addr));
				return HAVEN_MIP4_DENIED_RESOURCES;
			}
		} else if (n == NULL) {
			addr_from = AAA_ADDR_POOL;
			addr = aaa.pool_bits != NULL ? pool_take() : 0;
			if (addr == 0) {
				aaa.stats.unusable++;
				haven_event(HAVEN_EV_AAA, NULL,
					HAVEN_MIP4_DENIED_RESOURCES,
					"%s: no home address (%s)", u,
					aaa.pool_bits != NULL ?
					"pool exhausted" : "no pool, no "
					"Framed-IP-Address");
				return HAVEN_MIP4_DENIED_RESOURCES;
			}
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.spi = res->spi;
	sa.alg = res->alg;
	memcpy(sa.key, res->key, res->key_len);
	sa.key_len = res->key_len;
	if (n != NULL) {
		rc = haven_node_set_key4(n, &sa);
		r = rec_of(n);
	} else if (aaa.stats.nodes >= haven_rt.cfg.max_bindings) {
		rc = -ENOSPC;
	} else {
		rc = -ENOMEM;
		*created = true;
		n = haven_node_new_aaa4(addr, &sa);
		if (n != NULL)
			r = rec_new(n, p, addr_from);
		if (r != NULL && r->has_nai &&
		    idx_insert(&aaa.nai_idx, &r->user) != 0) {
			haven_free(r);
			r = NULL;
		}
		if (r != NULL) {
			((struct aaa_ext *)haven_node_ext(n,
				aaa.ext_off))->rec = r;
			aaa.stats.nodes++;
			rc = haven_node_insert(n);
		}
		if (rc != 0) {
			haven_node_free(n);	/* its record with it */
			n = NULL;
		}
	}
	explicit_bzero(&sa, sizeof(sa));
	if (rc != 0) {
		if (addr_from == AAA_ADDR_POOL && pool_has(addr) &&
		    (n == NULL || n->hoa.v4 != addr))
			pool_set(addr, false);
		haven_event(HAVEN_EV_AAA, NULL, HAVEN_MIP4_DENIED_RESOURCES,
			"%s: cannot make its node: %s", u, strerror(-rc));
		return HAVEN_MIP4_DENIED_RESOURCES;
	}
	r->sa_source = res->sa_source;
	snprintf(r->server, sizeof(r->server), "%s", server_name(res->server));
	r->class_len = res->class_len;
	memcpy(r->class_val, res->class_val, res->class_len);
	haven_node_cache_until(n, haven_now_ms() + cache_ms(res));
	aaa.stats.accepted++;
	haven_event(HAVEN_EV_AAA, &n->hoa, 0, "%s provisioned as " HAVEN_IP4_FMT
		" (%s address) by %s in %u ms, key cached %" PRIu64 " s", u,
		HAVEN_IP4_ARGS(n->hoa.v4), addr_from_names[r->addr_from],
		r->server, res->rtt_ms, cache_ms(res) / 1000);
	*np = n;
	return 0;
}

static void
auth_result(const struct haven_radius_result *res)
{
	uint32_t slot = (uint32_t)res->tag, gen = res->tag >> 32;
	struct haven_node *n = NULL;
	bool created = false;
	struct aaa_park *p;
	char u[64];
	uint8_t code;

	if (slot >= aaa.stats.parked_max || aaa.parks[slot].gen != gen)
		return;		/* cannot happen: one result per request */
	p = &aaa.parks[slot];
	user_text(&p->user, u, sizeof(u));
	switch (res->status) {
	case HAVEN_RADIUS_ACCEPTED:
		code = provision(p, res, &n, &created);
		break;
	case HAVEN_RADIUS_REJECTED:
		aaa.stats.rejected++;
		code = HAVEN_MIP4_DENIED_MN_AUTH;
		haven_event(HAVEN_EV_AAA, NULL, code, "%s rejected by %s", u,
			server_name(res->server));
		break;
	case HAVEN_RADIUS_TIMEOUT:
	case HAVEN_RADIUS_NO_SERVER:
	case HAVEN_RADIUS_CANCELLED:
		if (res->status == HAVEN_RADIUS_NO_SERVER)
			aaa.stats.no_server++;
		else
			aaa.stats.timeouts++;
		code = HAVEN_MIP4_DENIED_RESOURCES;
		haven_event(HAVEN_EV_AAA, NULL, code, "%s: %s after %" PRIu64
			" ms: registration denied", u,
			res->status == HAVEN_RADIUS_NO_SERVER ?
			"no live RADIUS server" : "no RADIUS server answered",
			haven_now_ms() - p->asked_ms);
		break;
	default:
		aaa.stats.unusable++;
		code = HAVEN_MIP4_DENIED_RESOURCES;
		haven_event(HAVEN_EV_AAA, NULL, code, "%s: unusable "
			"Access-Accept from %s (check its configuration)", u,
			server_name(res->server));
		break;
	}
	park_resume(p, code == 0 ? n : NULL, code, created);
}

/* ---------------------------------------------------------------------
 * Accounting (RFC 2866)
 */

static void
acct_submit(struct haven_node *n, struct aaa_rec *r, uint8_t status,
		uint8_t cause, const struct haven_binding_counters *c)
{
	struct haven_radius_request req;
	struct haven_radius_acct_req *a = &req.acct;
	uint64_t now = haven_now_ms();

	memset(&req, 0, sizeof(req));
	req.kind = HAVEN_RADIUS_ACCT;
	req.tag = status;
	a->status = status;
	a->terminate_cause = cause;
	memcpy(a->nai, r->user.name, r->user.len + 1);
	memcpy(a->session_id, r->session_id, sizeof(a->session_id));
	a->framed_addr = n->hoa.v4;
	if (c != NULL) {
		/* RFC 2866 5.3/5.4: input from the node, output to it */
		a->in_octets = c->rev_bytes;
		a->in_packets = c->rev_pkts;
		a->out_octets = c->bytes;
		a->out_packets = c->pkts;
		a->session_time = (now - r->acct_start_ms) / 1000;
	}
	a->event_time = haven_wall_us() / 1000000;
	a->event_ms = now;
	a->class_len = r->class_len;
	memcpy(a->class_val, r->class_val, r->class_len);
	if (haven_radius_submit(aaa.t, &req) != 0) {
		aaa.stats.acct_lost++;
		return;
	}
	aaa.stats.acct_sent[status]++;
}

static void interim_cb(struct rte_timer *t, void *arg);

static void
interim_arm(struct aaa_rec *r)
{
	uint32_t s = haven_rt.cfg.aaa.interim_interval;

	if (s == 0 || !haven_rt.cfg.aaa.accounting)
		return;
	rte_timer_reset(&r->interim, s * rte_get_timer_hz(), SINGLE,
		rte_lcore_id(), interim_cb, r);
}

static void
interim_cb(struct rte_timer *t, void *arg)
{
	struct aaa_rec *r = arg;
	struct haven_binding_counters c;

	(void)t;
	if (!r->acct_open)
		return;
	haven_node_counters(r->node, &c);
	acct_submit(r->node, r, HAVEN_RADIUS_ACCT_INTERIM_UPDATE, 0, &c);
	r->interims++;
	interim_arm(r);
}

static uint8_t
terminate_cause(enum haven_node_reason reason)
{
	switch (reason) {
	case HAVEN_NODE_R_DEREGISTERED:
		return HAVEN_RADIUS_TERM_USER_REQUEST;
	case HAVEN_NODE_R_EXPIRED:
		return HAVEN_RADIUS_TERM_SESSION_TIMEOUT;
	default:
		return HAVEN_RADIUS_TERM_ADMIN_RESET;
	}
}

/* Bindings of AAA nodes: accounting, and their addresses. */
static void
node_hook(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason, void *arg)
{
	struct aaa_rec *r;

	(void)arg;
	if (n->origin != HAVEN_NODE_AAA || (r = rec_of(n)) == NULL)
		return;
	if (what == HAVEN_NODE_BOUND && haven_rt.cfg.aaa.accounting) {
		snprintf(r->session_id, sizeof(r->session_id), "%08x-%08" PRIx64,
			(uint32_t)(haven_rt.started_us / 1000000),
			++aaa.session_seq);
		r->acct_open = true;
		r->acct_start_ms = haven_now_ms();
		r->interims = 0;
		acct_submit(n, r, HAVEN_RADIUS_ACCT_START, 0, NULL);
		interim_arm(r);
	} else if (what == HAVEN_NODE_RELEASED) {
		rte_timer_stop(&r->interim);
		if (r->acct_open)
			acct_submit(n, r, HAVEN_RADIUS_ACCT_STOP,
				terminate_cause(reason), &n->released_counters);
		r->acct_open = false;
		/* An address given for the binding goes with it. */
		if (r->addr_from != AAA_ADDR_OWN)
			haven_node_cache_until(n, haven_now_ms());
	}
}

static void
acct_result(const struct haven_radius_result *res)
{
	if (res->status == HAVEN_RADIUS_ACCEPTED) {
		aaa.stats.acct_answered++;
		return;
	}
	aaa.stats.acct_failed++;
	haven_event(HAVEN_EV_AAA, NULL, -1, "accounting %s not acknowledged: "
		"%s", res->tag == HAVEN_RADIUS_ACCT_START ? "Start" :
		res->tag == HAVEN_RADIUS_ACCT_STOP ? "Stop" : "Interim-Update",
		haven_radius_status_name(res->status));
}

/* ---------------------------------------------------------------------
 * The loop: results every turn, server states twice a second
 */

/* Free a transport; parked requests it still owes get 130. */
static void
transport_retire(struct haven_radius_transport *t)
{
	uint32_t i;

	for (i = 0; i < aaa.stats.parked_max; i++)
		if (aaa.parks[i].gen != 0 && aaa.parks[i].t == t) {
			aaa.stats.timeouts++;
			park_resume(&aaa.parks[i], NULL,
				HAVEN_MIP4_DENIED_RESOURCES, false);
		}
	haven_radius_transport_free(t);
}

static unsigned int
poll_one(struct haven_radius_transport *t)
{
	struct haven_radius_result res[AAA_POLL_BURST];
	unsigned int n, i;

	n = haven_radius_poll(t, res, AAA_POLL_BURST);
	for (i = 0; i < n; i++) {
		if (res[i].kind == HAVEN_RADIUS_AUTH)
			auth_result(&res[i]);
		else
			acct_result(&res[i]);
	}
	if (n > 0)
		explicit_bzero(res, sizeof(res[0]) * n);	/* keys */
	return n;
}

static unsigned int
aaa_poll(void)
{
	unsigned int work;

	if (aaa.t == NULL)
		return 0;
	work = poll_one(aaa.t);
	if (aaa.old != NULL) {
		polling_old = true;
		work += poll_one(aaa.old);
		polling_old = false;
		if (haven_radius_outstanding(aaa.old) == 0) {
			haven_radius_transport_free(aaa.old);
			aaa.old = NULL;
		}
	}
	return work;
}

/* A server declared dead or back: an event. */
static void
aaa_watch(uint64_t now_ms)
{
	const struct haven_radius_conf *c = &haven_rt.cfg.aaa.radius;
	struct haven_radius_server_stats st;
	char a[HAVEN_ADDR_STRLEN];
	unsigned int i;

	(void)now_ms;
	for (i = 0; aaa.t != NULL && i < c->n_servers; i++) {
		if (haven_radius_transport_server_stats(aaa.t, i, &st) != 0 ||
		    st.state == aaa.server_state[i])
			continue;
		aaa.server_state[i] = st.state;
		haven_event(HAVEN_EV_AAA, NULL, -1, "RADIUS server %s (%s port "
			"%u) %s", c->servers[i].name,
			haven_addr_str(&c->servers[i].addr, a),
			c->servers[i].auth_port,
			st.state == HAVEN_RADIUS_SERVER_DEAD ?
			"dead: requests go to the next one" : "alive again");
	}
}

/* ---------------------------------------------------------------------
 * Reload: servers, secrets, pool, timers; the bound is fixed
 */

struct aaa_plan {
	struct haven_radius_transport *t;	/* new one, or NULL: same */
	uint8_t *pool_bits;			/* new pool, or NULL */
	uint32_t pool_first, pool_size, pool_used;
	bool pool_changed;
};

/* Mark what pool-assigned nodes hold in the new pool. */
static void
mark_pool(struct haven_node *n, void *arg)
{
	struct aaa_plan *p = arg;
	struct aaa_rec *r = rec_of(n);
	uint32_t h = rte_be_to_cpu_32(n->hoa.v4), i;

	if (r == NULL || r->addr_from != AAA_ADDR_POOL ||
	    h < p->pool_first || h - p->pool_first >= p->pool_size)
		return;
	i = h - p->pool_first;
	p->pool_bits[i / 8] |= 1u << (i % 8);
	p->pool_used++;
}

static void
aaa_abort(void *ctx)
{
	struct aaa_plan *p = ctx;

	if (p == NULL)
		return;
	haven_radius_transport_free(p->t);
	haven_free(p->pool_bits);
	haven_free(p);
}

static int
aaa_prepare(const struct haven_config *new_cfg, void **ctx, char *err,
		size_t errlen)
{
	const struct haven_config_aaa *o = &haven_rt.cfg.aaa, *c = &new_cfg->aaa;
	struct aaa_plan *p;
	char why[256];

	if (o->enabled != c->enabled) {
		snprintf(err, errlen, "aaa section %s: only a restart applies "
			"that", c->enabled ? "added" : "removed");
		return -EINVAL;
	}
	if (!c->enabled)
		return 0;
	if (o->radius.max_pending != c->radius.max_pending) {
		snprintf(err, errlen, "aaa.max_pending changed (%u -> %u): it "
			"sizes the table of waiting registrations, only a "
			"restart applies that", o->radius.max_pending,
			c->radius.max_pending);
		return -EINVAL;
	}
	p = haven_zmalloc("haven_aaa_plan", sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	if (memcmp(&o->radius, &c->radius, sizeof(c->radius)) != 0) {
		why[0] = '\0';
		p->t = haven_radius_transport_create(&c->radius, why,
				sizeof(why));
		if (p->t == NULL) {
			snprintf(err, errlen, "aaa: cannot start the RADIUS "
				"client: %s", why);
			haven_free(p);
			return -EINVAL;
		}
	}
	p->pool_changed = o->has_pool != c->has_pool ||
		o->pool_first != c->pool_first || o->pool_last != c->pool_last;
	if (p->pool_changed && c->has_pool) {
		p->pool_first = rte_be_to_cpu_32(c->pool_first);
		p->pool_size = pool_size_of(c);
		p->pool_bits = haven_zmalloc("haven_aaa_pool",
				(p->pool_size + 7) / 8);
		if (p->pool_bits == NULL) {
			aaa_abort(p);
			return -ENOMEM;
		}
		haven_node_foreach(HAVEN_AF_INET, mark_pool, p);
	}
	*ctx = p;
	return 0;
}

static void
aaa_commit(const struct haven_config *old_cfg, void *ctx, char *summary,
		size_t len)
{
	struct aaa_plan *p = ctx;
	size_t off = 0;

	(void)old_cfg;
	if (p == NULL)
		return;
	if (p->t != NULL) {
		if (aaa.old != NULL)
			transport_retire(aaa.old);	/* a second reload */
		aaa.old = aaa.t;	/* answers its pending requests */
		aaa.t = p->t;
		memset(aaa.server_state, 0, sizeof(aaa.server_state));
		off += snprintf(summary + off, len - off, "RADIUS servers "
			"changed (%u)", haven_rt.cfg.aaa.radius.n_servers);
	}
	if (p->pool_changed) {
		haven_free(aaa.pool_bits);
		aaa.pool_bits = p->pool_bits;
		aaa.pool_first = p->pool_first;
		aaa.pool_cursor = 0;
		aaa.stats.pool_size = p->pool_size;
		aaa.stats.pool_used = p->pool_used;
		if (off < len)
			snprintf(summary + off, len - off, "%saaa pool %u "
				"addresses", off > 0 ? ", " : "", p->pool_size);
	}
	haven_free(p);
}

static const struct haven_reload_ops aaa_reload_ops = {
	.name = "aaa",
	.prepare = aaa_prepare,
	.commit = aaa_commit,
	.abort = aaa_abort,
};

/* ---------------------------------------------------------------------
 * Actions and reading
 */

int
haven_aaa_revoke(const struct haven_addr *hoa, char *err, size_t errlen)
{
	struct haven_node *n = haven_node_find(hoa);
	char a[HAVEN_ADDR_STRLEN];

	if (n == NULL || n->origin != HAVEN_NODE_AAA) {
		snprintf(err, errlen, "%s is not a node provisioned by AAA",
			haven_addr_str(hoa, a));
		return -ENOENT;
	}
	haven_event(HAVEN_EV_AAA, hoa, -1, "%s revoked by the operator",
		haven_addr_str(hoa, a));
	n->cache_until_ms = 0;	/* the key goes too */
	if (haven_node_bound(n))
		haven_node_unbind(n, NULL, HAVEN_NODE_R_ADMIN);
	haven_node_cache_until(n, 0);
	return 0;
}

bool
haven_aaa_enabled(void)
{
	return aaa.enabled;
}

const struct haven_aaa_stats *
haven_aaa_stats(void)
{
	return &aaa.stats;
}

unsigned int
haven_aaa_n_servers(void)
{
	return aaa.enabled ? haven_rt.cfg.aaa.radius.n_servers : 0;
}

int
haven_aaa_server(unsigned int i, struct haven_aaa_server *out)
{
	const struct haven_radius_server_conf *s;

	if (i >= haven_aaa_n_servers())
		return -ENOENT;
	s = &haven_rt.cfg.aaa.radius.servers[i];
	memset(out, 0, sizeof(*out));
	out->name = s->name;
	out->addr = s->addr;
	out->auth_port = s->auth_port;
	out->acct_port = s->acct_port;
	return haven_radius_transport_server_stats(aaa.t, i, &out->st);
}

void
haven_aaa_client_stats(struct haven_radius_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (aaa.t != NULL)
		haven_radius_transport_stats(aaa.t, st);
}

uint64_t
haven_aaa_max_wait_ms(void)
{
	return aaa.t != NULL ? haven_radius_transport_max_wait_ms(aaa.t) : 0;
}

int
haven_aaa_node_info(const struct haven_node *n,
		struct haven_aaa_node_info *out)
{
	const struct aaa_rec *r;
	uint64_t now = haven_now_ms();

	if (n->origin != HAVEN_NODE_AAA || (r = rec_of_const(n)) == NULL)
		return -ENOENT;
	out->user = r->shown;
	out->has_nai = r->has_nai;
	out->address_from = addr_from_names[r->addr_from];
	out->sa_source = r->sa_source == HAVEN_RADIUS_SA_CISCO ? "cisco" :
		"3gpp2";
	out->server = r->server;
	out->cache_left_s = n->cache_until_ms > now ?
		(long)((n->cache_until_ms - now) / 1000) : 0;
	out->session_id = r->acct_open ? r->session_id : "";
	out->interims = r->interims;
	return 0;
}

/* ---------------------------------------------------------------------
 * Start and stop
 */

static void
ext_init(struct haven_node *n, void *ext)
{
	(void)n;
	((struct aaa_ext *)ext)->rec = NULL;
}

int
haven_aaa_init(void)
{
	const struct haven_config_aaa *c = &haven_rt.cfg.aaa;
	uint32_t i, max;
	char err[256];
	int rc;

	rc = haven_reload_register(&aaa_reload_ops);
	if (rc != 0 || !c->enabled || !haven_rt.cfg.has_home_agent)
		return rc;
	/* Three quarters of the RADIUS bound for registrations, the rest
	 * for accounting, so that a flood cannot starve billing. */
	max = c->radius.max_pending - c->radius.max_pending / 4;
	aaa.parks = haven_zmalloc("haven_aaa_parks", sizeof(*aaa.parks) * max);
	aaa.free_parks = haven_zmalloc("haven_aaa_free",
			sizeof(*aaa.free_parks) * max);
	if (aaa.parks == NULL || aaa.free_parks == NULL)
		return -ENOMEM;
	for (i = 0; i < max; i++)
		aaa.free_parks[i] = max - 1 - i;
	aaa.n_free = max;
	aaa.stats.parked_max = max;
	rc = idx_reserve(&aaa.park_idx, max);
	if (rc == 0)
		rc = idx_reserve(&aaa.nai_idx, AAA_INDEX_MIN / 2);
	if (rc != 0)
		return rc;
	if (c->has_pool) {
		aaa.pool_first = rte_be_to_cpu_32(c->pool_first);
		aaa.stats.pool_size = pool_size_of(c);
		aaa.pool_bits = haven_zmalloc("haven_aaa_pool",
				(aaa.stats.pool_size + 7) / 8);
		if (aaa.pool_bits == NULL)
			return -ENOMEM;
	}
	aaa.ext_off = haven_node_ext_register("aaa", sizeof(struct aaa_ext),
			ext_init, ext_fini);
	if (aaa.ext_off < 0)
		return aaa.ext_off;
	rc = haven_node_hook_add(node_hook, NULL);
	if (rc == 0)
		rc = haven_loop_poller("aaa", aaa_poll);
	if (rc == 0)
		rc = haven_loop_every("aaa", AAA_WATCH_MS, aaa_watch);
	if (rc != 0)
		return rc;
	aaa.t = haven_radius_transport_create(&c->radius, err, sizeof(err));
	if (aaa.t == NULL) {
		HAVEN_LOG(ERR, "aaa: cannot start the RADIUS client: %s\n",
			err);
		return -EINVAL;
	}
	aaa.enabled = true;
	HAVEN_LOG(INFO, "aaa: %u RADIUS server(s), %u registrations may wait, "
		"longest wait %" PRIu64 " ms, pool %u address(es)\n",
		c->radius.n_servers, max, haven_aaa_max_wait_ms(),
		aaa.stats.pool_size);
	return 0;
}

void
haven_aaa_fini(void)
{
	haven_radius_transport_free(aaa.old);
	haven_radius_transport_free(aaa.t);
	aaa.old = aaa.t = NULL;
	aaa.enabled = false;
	/* Nodes keep their records (freed with them); parked requests are
	 * not answered: the agent is going away. */
	idx_free(&aaa.park_idx);
	if (aaa.parks != NULL)
		explicit_bzero(aaa.parks, sizeof(*aaa.parks) *
			aaa.stats.parked_max);
	haven_free(aaa.parks);
	haven_free(aaa.free_parks);
	aaa.parks = NULL;
	aaa.free_parks = NULL;
}
