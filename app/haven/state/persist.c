/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state store (state.h; docs/store.md): bindings of both families,
 * the replay state of every configured node, and the delegation state of
 * every secondary, kept in lib/store's LMDB by the control lcore only.
 *
 * Writing follows the node layer's news: a binding made, moved, refreshed
 * or handed to a secondary is put, a released one deleted, a node's
 * replay state put when its protocol says it changed (the same control
 * turn as the binding it protects, so one commit holds both). Puts are
 * buffered by lib/store and committed once per turn of the control loop
 * (haven_store_tick(), a poller here): the loop waits for one commit at
 * most, whatever the rate of registrations. Times go in as wall-clock
 * milliseconds and come back as this process's monotonic ones.
 *
 * Restoring walks the store in key order: bindings first (each put back
 * with what is left of its lifetimes, delegated ones adopted on their
 * secondary), replay records, then the secondaries' records; care-of
 * addresses that expired meanwhile are dropped, records of nodes that are
 * no longer configured deleted. Restored home addresses are announced
 * (gratuitous ARP, unsolicited NA) a few per tick, never all at once.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "deleg.h"
#include "event.h"
#include "haven_store.h"
#include "loop.h"
#include "node.h"
#include "rt.h"
#include "state.h"

#define DELETE_BATCH 256		/**< keys collected per growth step */

/* The module. Writer: this file, on the control lcore. */
static struct {
	struct haven_store *store;
	bool writing;			/* node news goes into the store */
	bool restoring;			/* inside haven_persist_restore() */
	struct haven_persist_stats stats;
	/* Restored home addresses still to announce. */
	struct haven_addr *announce;
	size_t n_announce, announce_next;
	/* What each secondary's record said last (written when it moves). */
	struct {
		uint32_t id;
		uint32_t generation;
		uint32_t boot_id;
		bool boot_known;
		uint64_t last_seq;
	} deleg[HAVEN_MAX_SECONDARIES];
} P;

static uint64_t
wall_ms(void)
{
	return haven_wall_us() / 1000;
}

/* ---------------------------------------------------------------------
 * Writing
 */

static void
count(int rc)
{
	if (rc < 0)
		P.stats.errors++;
}

/* A node's binding as the store's record (wall-clock times). */
static void
binding_record(const struct haven_node *n, struct haven_store_record *r)
{
	struct haven_store_binding *b = &r->u.binding;
	uint64_t now = haven_now_ms(), wall = wall_ms();
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->kind = HAVEN_STORE_BINDING;
	b->home = n->hoa;
	b->n_coa = n->n_coa;
	b->encap = n->hoa.family == HAVEN_AF_INET6 ?
		HAVEN_STORE_ENCAP_IP6IP6 : n->encap;
	if (n->flags & HAVEN_BINDING_F_REVERSE_TUNNEL)
		b->flags |= HAVEN_STORE_F_REVERSE_TUNNEL;
	if (n->n_coa > 1)
		b->flags |= HAVEN_STORE_F_SIMULTANEOUS;
	for (i = 0; i < n->n_coa && i < HAVEN_STORE_MAX_COA; i++) {
		const struct haven_node_coa *c = &n->coa[i];

		b->coa[i].addr = c->addr;
		b->coa[i].lifetime_s = c->lifetime_s;
		b->coa[i].expires_ms = c->expires_ms == UINT64_MAX ?
			UINT64_MAX : c->expires_ms > now ?
			wall + (c->expires_ms - now) : wall;
	}
	b->registered_ms = now > n->registered_ms ?
		wall - (now - n->registered_ms) : wall;
	haven_deleg_node_state(n, &b->secondary_id, &b->deleg_generation);
}

static void
put_binding(const struct haven_node *n)
{
	struct haven_store_record r;

	binding_record(n, &r);
	count(haven_store_put(P.store, &r));
	P.stats.puts++;
}

static void
put_replay(const struct haven_node *n)
{
	struct haven_store_record r;
	struct haven_store_replay *p = &r.u.replay;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_REPLAY;
	p->home = n->hoa;
	p->updated_ms = wall_ms();
	if (n->hoa.family == HAVEN_AF_INET6) {
		if (n->replay.have_seq) {
			p->flags |= HAVEN_STORE_R_MIP6_SEQ;
			p->mip6_seq = n->replay.last_seq;
		}
		if (n->replay.last_ts != 0) {
			p->flags |= HAVEN_STORE_R_MIP6_TS;
			p->mip6_timestamp = n->replay.last_ts;
		}
	} else {
		p->flags = HAVEN_STORE_R_MIP4_ID;
		p->mip4_id = n->replay.last_ident;
	}
	count(haven_store_put(P.store, &r));
	P.stats.puts++;
}

static void
delete_kind(const struct haven_node *n, uint8_t kind)
{
	count(haven_store_delete(P.store, kind, &n->hoa, 0));
	P.stats.deletes++;
}

static void
node_hook(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason, void *arg)
{
	(void)arg;
	if (!P.writing || n->origin != HAVEN_NODE_CONFIGURED)
		return;
	switch (what) {
	case HAVEN_NODE_BOUND:
	case HAVEN_NODE_MOVED:
	case HAVEN_NODE_REFRESHED:
	case HAVEN_NODE_FORWARDER:
		if (haven_node_bound(n))
			put_binding(n);
		break;
	case HAVEN_NODE_RELEASED:
		/* The replay record stays: a replayed request is refused
		 * after a deregistration as after a restart. */
		if (reason != HAVEN_NODE_R_HANDOVER)
			delete_kind(n, HAVEN_STORE_BINDING);
		break;
	case HAVEN_NODE_REPLAY:
		put_replay(n);
		break;
	case HAVEN_NODE_DELETED:
		delete_kind(n, HAVEN_STORE_BINDING);
		delete_kind(n, HAVEN_STORE_REPLAY);
		break;
	case HAVEN_NODE_REPLY_READY:
		break;
	}
}

/* The secondaries' records, when something moved (every second). */
static void
deleg_records(uint64_t now)
{
	const struct haven_deleg_pha *pha = haven_deleg_pha_ctx();
	struct haven_deleg_peer *peers = haven_deleg_secondaries();
	struct haven_store_record r;
	unsigned int i;

	(void)now;
	if (!P.writing || pha == NULL || peers == NULL)
		return;
	for (i = 0; i < pha->n_peers && i < HAVEN_MAX_SECONDARIES; i++) {
		const struct haven_deleg_peer *p = &peers[i];
		struct haven_store_deleg *d = &r.u.deleg;
		uint32_t gen = P.deleg[i].id == p->id ?
			P.deleg[i].generation : 0;
		const struct haven_deleg_binding *b;

		if (p->removed)
			continue;
		/* The highest generation issued through it. */
		TAILQ_FOREACH(b, &p->bindings, peer_link)
			if (b->info.generation > gen)
				gen = b->info.generation;
		if (P.deleg[i].id == p->id && P.deleg[i].generation == gen &&
		    P.deleg[i].boot_known == p->boot_known &&
		    P.deleg[i].boot_id == p->boot_id &&
		    P.deleg[i].last_seq == p->tx_seq)
			continue;
		memset(&r, 0, sizeof(r));
		r.kind = HAVEN_STORE_DELEG;
		d->secondary_id = p->id;
		snprintf(d->name, sizeof(d->name), "%s", p->name);
		d->addr = haven_addr4(p->addr);
		d->generation = gen;
		d->boot_known = p->boot_known;
		d->boot_id = p->boot_id;
		d->last_seq = p->tx_seq;
		count(haven_store_put(P.store, &r));
		P.stats.puts++;
		P.deleg[i].id = p->id;
		P.deleg[i].generation = gen;
		P.deleg[i].boot_known = p->boot_known;
		P.deleg[i].boot_id = p->boot_id;
		P.deleg[i].last_seq = p->tx_seq;
	}
}

/* Every turn: one transaction for what the turn changed. */
static unsigned int
store_poll(void)
{
	int rc = haven_store_tick(P.store);

	return rc > 0 ? 1 : 0;
}

/* ---------------------------------------------------------------------
 * Announcing what was restored, paced
 */

static void
announce_tick(uint64_t now)
{
	unsigned int k = 0;

	(void)now;
	while (P.announce_next < P.n_announce &&
	       k < HAVEN_PERSIST_ANNOUNCE_PER_TICK) {
		struct haven_node *n =
			haven_node_find(&P.announce[P.announce_next++]);

		if (n != NULL && haven_node_bound(n) &&
		    n->forwarder == HAVEN_FORWARDER_SELF) {
			haven_node_announce(n);
			P.stats.announced++;
			k++;
		}
	}
	P.stats.announce_pending = P.n_announce - P.announce_next;
	if (P.announce_next == P.n_announce && P.announce != NULL) {
		haven_free(P.announce);
		P.announce = NULL;
		P.n_announce = P.announce_next = 0;
	}
}

/* ---------------------------------------------------------------------
 * Restoring
 */

struct restore_ctx {
	uint64_t now, wall;
	/* Records to delete once the walk is over. */
	struct { uint8_t kind; struct haven_addr home; } *drop;
	size_t n_drop, cap_drop;
	/* Bindings restored with fewer care-of addresses: put again. */
	struct haven_addr *rewrite;
	size_t n_rewrite, cap_rewrite;
	size_t cap_announce;
};

static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;

	if (n < *cap)
		return 0;
	nv = haven_zmalloc("haven_persist", (*cap + DELETE_BATCH) * size);
	if (nv == NULL)
		return -ENOMEM;
	if (*v != NULL)
		memcpy(nv, *v, *cap * size);
	haven_free(*v);
	*v = nv;
	*cap += DELETE_BATCH;
	return 0;
}

static int
drop_later(struct restore_ctx *c, uint8_t kind, const struct haven_addr *home)
{
	if (grow((void **)&c->drop, &c->cap_drop, c->n_drop,
			sizeof(*c->drop)) != 0)
		return -ENOMEM;
	c->drop[c->n_drop].kind = kind;
	c->drop[c->n_drop].home = *home;
	c->n_drop++;
	return 0;
}

static int
remember(struct haven_addr **v, size_t *n, size_t *cap,
		const struct haven_addr *a)
{
	if (grow((void **)v, cap, *n, sizeof(**v)) != 0)
		return -ENOMEM;
	(*v)[(*n)++] = *a;
	return 0;
}

static struct haven_node *
configured(const struct haven_addr *home)
{
	struct haven_node *n = haven_node_find(home);

	return n != NULL && n->origin == HAVEN_NODE_CONFIGURED ? n : NULL;
}

static int
restore_binding(struct restore_ctx *c, const struct haven_store_binding *b)
{
	struct haven_node *n = configured(&b->home);
	struct haven_node_restore r;
	char h[HAVEN_ADDR_STRLEN];
	unsigned int i;
	uint64_t since;
	int rc;

	if (n == NULL) {
		P.stats.unknown++;
		return drop_later(c, HAVEN_STORE_BINDING, &b->home);
	}
	memset(&r, 0, sizeof(r));
	for (i = 0; i < b->n_coa; i++) {
		const struct haven_store_coa *sc = &b->coa[i];
		struct haven_node_coa *nc = &r.coa[r.n_coa];

		if (sc->expires_ms != UINT64_MAX && sc->expires_ms <= c->wall) {
			P.stats.coa_expired++;
			continue;
		}
		nc->addr = sc->addr;
		nc->lifetime_s = sc->lifetime_s;
		nc->expires_ms = sc->expires_ms == UINT64_MAX ? UINT64_MAX :
			c->now + (sc->expires_ms - c->wall);
		r.n_coa++;
	}
	if (r.n_coa == 0) {
		P.stats.expired++;
		return drop_later(c, HAVEN_STORE_BINDING, &b->home);
	}
	r.encap = b->home.family == HAVEN_AF_INET6 ? 0 : b->encap;
	r.flags = (b->flags & HAVEN_STORE_F_REVERSE_TUNNEL) ?
		HAVEN_BINDING_F_REVERSE_TUNNEL : 0;
	since = c->wall > b->registered_ms ? c->wall - b->registered_ms : 0;
	r.registered_ms = c->now > since ? c->now - since : 0;
	r.forwarder = haven_deleg_forwarder_of_id(b->secondary_id);
	rc = haven_node_restore(n, &r);
	if (rc != 0) {
		P.stats.refused++;
		HAVEN_LOG(ERR, "store: binding of %s not restored: %s\n",
			haven_addr_str(&b->home, h), strerror(-rc));
		return 0;
	}
	P.stats.restored++;
	rc = haven_deleg_restore_node(n, r.forwarder == HAVEN_FORWARDER_SELF ?
		0 : b->secondary_id, b->deleg_generation);
	if (rc == 0 && r.forwarder != HAVEN_FORWARDER_SELF) {
		P.stats.adopted++;
	} else if (r.forwarder != HAVEN_FORWARDER_SELF) {
		/* Not adopted: nobody would forward it; we do. */
		haven_node_set_forwarder(n, HAVEN_FORWARDER_SELF);
		r.forwarder = HAVEN_FORWARDER_SELF;
		remember(&c->rewrite, &c->n_rewrite, &c->cap_rewrite,
			&b->home);
	}
	if (b->secondary_id != 0 && r.forwarder == HAVEN_FORWARDER_SELF)
		HAVEN_LOG(WARNING, "store: %s was delegated to secondary %u, "
			"which is not configured: forwarding it here\n",
			haven_addr_str(&b->home, h), b->secondary_id);
	/* Rewritten: fewer care-of addresses, or its secondary is gone. */
	if (r.n_coa != b->n_coa || (b->secondary_id != 0 &&
			r.forwarder == HAVEN_FORWARDER_SELF))
		remember(&c->rewrite, &c->n_rewrite, &c->cap_rewrite,
			&b->home);
	if (r.forwarder == HAVEN_FORWARDER_SELF)
		remember(&P.announce, &P.n_announce, &c->cap_announce,
			&b->home);
	return 0;
}

static int
restore_replay(struct restore_ctx *c, const struct haven_store_replay *p)
{
	struct haven_node *n = configured(&p->home);
	struct haven_node_restore r;

	if (n == NULL) {
		P.stats.unknown++;
		return drop_later(c, HAVEN_STORE_REPLAY, &p->home);
	}
	memset(&r, 0, sizeof(r));
	r.has_replay = true;
	r.replay.last_ident = p->mip4_id;
	r.replay.last_seq = p->mip6_seq;
	r.replay.have_seq = (p->flags & HAVEN_STORE_R_MIP6_SEQ) != 0;
	r.replay.last_ts = p->mip6_timestamp;
	haven_node_restore(n, &r);
	P.stats.restored_replay++;
	return 0;
}

static int
restore_cb(void *ctx, const struct haven_store_record *r)
{
	struct restore_ctx *c = ctx;
	const struct haven_store_deleg *d;

	switch (r->kind) {
	case HAVEN_STORE_BINDING:
		return restore_binding(c, &r->u.binding);
	case HAVEN_STORE_REPLAY:
		return restore_replay(c, &r->u.replay);
	case HAVEN_STORE_DELEG:
		d = &r->u.deleg;
		if (haven_deleg_restore_secondary(d->secondary_id,
				d->boot_known, d->boot_id, d->last_seq,
				d->generation) == 0)
			P.stats.restored_deleg++;
		return 0;
	default:
		return 0;
	}
}

int
haven_persist_restore(char *err, size_t errlen)
{
	struct restore_ctx c;
	uint64_t t0 = rte_get_timer_cycles();
	struct haven_node *n;
	size_t i;
	int rc;

	if (P.store == NULL) {
		P.writing = false;
		return 0;
	}
	memset(&c, 0, sizeof(c));
	c.now = haven_now_ms();
	c.wall = wall_ms();
	P.stats.restored = P.stats.restored_replay = P.stats.restored_deleg = 0;
	P.stats.expired = P.stats.coa_expired = P.stats.unknown = 0;
	P.stats.refused = P.stats.adopted = 0;
	haven_free(P.announce);
	P.announce = NULL;
	P.n_announce = P.announce_next = 0;
	P.writing = false;
	P.restoring = true;
	rc = haven_store_restore(P.store, restore_cb, &c, err, errlen);
	P.restoring = false;
	haven_deleg_restore_done();
	/* From now on every change goes into the store. */
	P.writing = true;
	memset(P.deleg, 0, sizeof(P.deleg));
	for (i = 0; i < c.n_drop; i++)
		count(haven_store_delete(P.store, c.drop[i].kind,
			&c.drop[i].home, 0));
	for (i = 0; i < c.n_rewrite; i++) {
		n = configured(&c.rewrite[i]);
		if (n != NULL && haven_node_bound(n))
			put_binding(n);
	}
	haven_free(c.drop);
	haven_free(c.rewrite);
	P.stats.restores++;
	P.stats.announce_pending = P.n_announce;
	P.stats.last_restore_us = (rte_get_timer_cycles() - t0) * 1000000 /
		rte_get_timer_hz();
	if (rc < 0) {
		HAVEN_LOG(ERR, "store: restore stopped: %s\n", err);
		return rc;
	}
	haven_event(HAVEN_EV_CONFIG, NULL, -1, "store: restored %" PRIu64
		" bindings (%" PRIu64 " adopted on secondaries), %" PRIu64
		" replay records, %" PRIu64 " secondaries; dropped %" PRIu64
		" expired, %" PRIu64 " of nodes no longer configured; %"
		PRIu64 " us", P.stats.restored, P.stats.adopted,
		P.stats.restored_replay, P.stats.restored_deleg,
		P.stats.expired, P.stats.unknown, P.stats.last_restore_us);
	return 0;
}

/* ---------------------------------------------------------------------
 * Opening and closing
 */

/* The agent as text, e.g. "ha 192.0.2.1" (both addresses with IPv6). */
static void
identity(char *buf, size_t len)
{
	const struct haven_config *cfg = &haven_rt.cfg;
	struct haven_addr a = haven_addr4(cfg->ha_addr), a6;
	char s4[HAVEN_ADDR_STRLEN], s6[HAVEN_ADDR_STRLEN];

	haven_addr_str(&a, s4);
	if (cfg->has_ha_addr6) {
		a6 = haven_addr6(cfg->ha_addr6);
		haven_addr_str(&a6, s6);
	} else {
		s6[0] = '\0';
	}
	/* At most 3 + 15 + 1 + 39 bytes: fits HAVEN_STORE_IDENTITY_LEN. */
	if (snprintf(buf, len, "ha %.15s%s%.39s", s4, s6[0] != '\0' ? " " : "",
			s6) < 0)
		buf[0] = '\0';
}

int
haven_persist_init(bool reset)
{
	const struct haven_config_store *sc = &haven_rt.cfg.store;
	struct haven_store_params p;
	char id[HAVEN_STORE_IDENTITY_LEN], err[1024];
	int rc;

	memset(&P, 0, sizeof(P));
	if (!sc->enabled || !haven_rt.cfg.has_home_agent) {
		if (reset)
			fprintf(stderr, "haven: --store-reset without a store:"
				" section: nothing to reset\n");
		return 0;
	}
	identity(id, sizeof(id));
	memset(&p, 0, sizeof(p));
	p.path = sc->path;
	p.map_size = (uint64_t)sc->map_size_mb << 20;
	p.sync = (enum haven_store_sync)sc->sync;
	p.sync_interval_ms = sc->sync_interval_ms;
	p.max_batch = sc->max_batch;
	p.agent_id = haven_rt.cfg.delegation.agent_id;
	p.identity = id;
	p.reset = reset;
	err[0] = '\0';
	errno = 0;
	P.store = haven_store_open(&p, err, sizeof(err));
	if (P.store == NULL) {
		rc = errno != 0 ? -errno : -EINVAL;
		fprintf(stderr, "haven: %s\n", err);
		HAVEN_LOG(ERR, "%s\n", err);
		return rc;
	}
	if (reset && err[0] != '\0')
		HAVEN_LOG(WARNING, "%s\n", err);
	HAVEN_LOG(INFO, "store %s open (%s, sync %s)\n", sc->path, id,
		haven_store_sync_name(p.sync));
	rc = haven_node_hook_add(node_hook, NULL);
	if (rc == 0)
		rc = haven_loop_poller("store", store_poll);
	if (rc == 0)
		rc = haven_loop_every("store announce", 10, announce_tick);
	if (rc == 0)
		rc = haven_loop_every("store secondaries",
			HAVEN_PERSIST_DELEG_MS, deleg_records);
	return rc;
}

void
haven_persist_stop_writing(void)
{
	P.writing = false;
	haven_free(P.announce);
	P.announce = NULL;
	P.n_announce = P.announce_next = 0;
	P.stats.announce_pending = 0;
}

bool
haven_persist_enabled(void)
{
	return P.store != NULL;
}

bool
haven_persist_writing(void)
{
	return P.writing;
}

struct haven_store *
haven_persist_store(void)
{
	return P.store;
}

int
haven_persist_flush(void)
{
	return P.store == NULL ? -ENOENT : haven_store_flush(P.store);
}

void
haven_persist_close(void)
{
	if (P.store == NULL)
		return;
	haven_store_close(P.store);
	P.store = NULL;
	P.writing = false;
	haven_free(P.announce);
	P.announce = NULL;
}

const struct haven_persist_stats *
haven_persist_stats(void)
{
	return &P.stats;
}
