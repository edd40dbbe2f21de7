/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Delegation glue on the control lcore (EP 1134991): the primary (PHA) and
 * secondary (SHA) roles of this process, around the pure protocol library
 * lib/deleg.
 *
 * The library decides; this file moves its bytes over the DPDK ports (as
 * UDP from the delegation address, port 4434 by default) and carries out
 * its events on the binding table:
 *  - PHA: DELEGATED republishes the binding with the SHA as forwarder, so
 *    the workers stop answering proxy ARP but keep tunnelling what stale
 *    ARP caches still send here ([0037]); TAKEN_BACK republishes it as
 *    ours and announces it with gratuitous ARP.
 *  - SHA: INSTALL publishes the primary's binding with the primary's
 *    address as outer source (claim 5) and announces it with gratuitous
 *    ARP at once and again a second later ([0037]); REMOVE withdraws it.
 * Every front end (console, policies) calls the action functions at the
 * end of this file.
 */

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "haven.h"
#include "haven6.h"

static_assert(HAVEN_CONFIG_PEER_KEY_LEN == HAVEN_DELEG_MAX_KEY,
	"config and protocol disagree on the key size");
static_assert(HAVEN_CONFIG_DELEG_PORT == HAVEN_DELEG_PORT,
	"config and protocol disagree on the UDP port");

/* Sequence numbers start from the wall clock in microseconds. */
static uint64_t
seq_base(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t
haven_now_ms(void)
{
	return rte_get_timer_cycles() / (rte_get_timer_hz() / 1000);
}

/* ---------------------------------------------------------------------
 * Transport
 */

static void
deleg_send(void *ctx, const struct haven_deleg_peer *peer,
		const uint8_t *msg, size_t len)
{
	struct haven_app *app = ctx;
	const struct haven_config_delegation *dc = &app->cfg.delegation;
	struct rte_ether_addr zero = { 0 };
	struct rte_mbuf *m = rte_pktmbuf_alloc(app->fp.pool);

	if (m == NULL)
		return;
	if (haven_build_udp(m, &app->fp.ports[app->fp.home_port].mac, &zero,
			dc->addr, peer->addr, dc->port, dc->port, msg,
			len) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	haven_ctl_send_ip(app, m);
}

void
haven_deleg_input(struct haven_app *app, uint32_t src, const uint8_t *msg,
		size_t len)
{
	uint64_t now = haven_now_ms();
	int type = haven_deleg_peek_type(msg, len);
	int rc = -EPROTO;

	if (haven_deleg_type_to_sha(type)) {	/* START, STOP, BATCH, SYNC */
		if (app->is_sha)
			rc = haven_deleg_sha_input(&app->sha, src, msg, len,
					now);
	} else if (type > 0) {
		if (app->is_pha)
			rc = haven_deleg_pha_input(&app->pha, src, msg, len,
					now);
	}
	if (rc != 0) {
		app->deleg_rejected++;
		HAVEN_LOG(DEBUG, "delegation message from " HAVEN_IP4_FMT
			" (type %d, %zu bytes) not taken: %s\n",
			HAVEN_IP4_ARGS(src), type, len, strerror(-rc));
	}
}

/* ---------------------------------------------------------------------
 * PHA events
 */

static struct haven_deleg_peer *
peer_of_forwarder(struct haven_app *app, uint8_t forwarder)
{
	if (forwarder == HAVEN_FORWARDER_SELF ||
	    forwarder > app->pha.n_peers)
		return NULL;
	return &app->secondaries[forwarder - 1];
}

const char *
haven_forwarder_name(struct haven_app *app, uint8_t forwarder)
{
	const struct haven_deleg_peer *p = peer_of_forwarder(app, forwarder);

	return p == NULL ? "self" : p->name;
}

uint8_t
haven_forwarder_of_peer(struct haven_app *app,
		const struct haven_deleg_peer *p)
{
	return (uint8_t)(p - app->secondaries) + 1;
}

static void
pha_event(void *ctx, int event, struct haven_deleg_binding *b,
		struct haven_deleg_peer *peer, uint8_t status)
{
	struct haven_app *app = ctx;
	struct haven_mn_state *st;

	if (b != NULL && haven_addr_is6(&b->info.home_addr)) {
		haven_deleg6_pha_event(app, event, b, peer, status);
		return;
	}
	st = b != NULL ? b->user : NULL;
	switch (event) {
	case HAVEN_DELEG_EV_DELEGATED:
		haven_event(app, HAVEN_EV_DELEGATION, b->info.home_addr.v4,
			HAVEN_DELEG_OK, "delegated " HAVEN_IP4_FMT " to %s",
			HAVEN_IP4_ARGS(b->info.home_addr.v4), peer->name);
		st->forwarder = haven_forwarder_of_peer(app, peer);
		haven_mn_republish(app, st);
		haven_mn_reply_pending(app, st);
		break;
	case HAVEN_DELEG_EV_REFUSED:
		haven_event(app, HAVEN_EV_DELEGATION, b->info.home_addr.v4,
			status, "%s refused " HAVEN_IP4_FMT ": %s",
			peer != NULL ? peer->name : "?",
			HAVEN_IP4_ARGS(b->info.home_addr.v4),
			haven_deleg_status_name(status));
		st->forwarder = HAVEN_FORWARDER_SELF;
		haven_mn_reply_pending(app, st);
		break;
	case HAVEN_DELEG_EV_TAKEN_BACK:
		haven_event(app, HAVEN_EV_TAKEBACK, b->info.home_addr.v4, status,
			"took " HAVEN_IP4_FMT " back from %s (%s)",
			HAVEN_IP4_ARGS(b->info.home_addr.v4),
			peer != NULL ? peer->name : "?",
			haven_deleg_status_name(status));
		st->forwarder = HAVEN_FORWARDER_SELF;
		if (st->n_coa > 0) {
			haven_mn_republish(app, st);
			haven_mn_announce(app, st);
		}
		break;
	case HAVEN_DELEG_EV_STOPPED:
		HAVEN_LOG(DEBUG, "%s stopped forwarding " HAVEN_IP4_FMT "\n",
			peer != NULL ? peer->name : "?",
			HAVEN_IP4_ARGS(b->info.home_addr.v4));
		break;
	case HAVEN_DELEG_EV_PEER_DEAD:
		haven_event(app, HAVEN_EV_PEER, 0, -1, "secondary %s is silent:"
			" taking its bindings back", peer->name);
		break;
	case HAVEN_DELEG_EV_PEER_ALIVE:
		haven_event(app, HAVEN_EV_PEER, 0, -1,
			"secondary %s reports again", peer->name);
		break;
	}
}

static void
deleg_log(void *ctx, const char *line)
{
	(void)ctx;
	HAVEN_LOG(INFO, "delegation: %s\n", line);
}

/* The library finds a binding by home address (reports, strays). */
static struct haven_deleg_binding *
pha_lookup(void *ctx, const struct haven_addr *home_addr)
{
	struct haven_app *app = ctx;
	struct haven_mn_state *st;
	struct haven_mn6_state *st6;

	if (haven_addr_is6(home_addr)) {
		st6 = app->ip6 != NULL ? haven_mn6_find(app, home_addr->v6) :
			NULL;
		return st6 != NULL ? &st6->deleg : NULL;
	}
	st = haven_mn_find(app, home_addr->v4);
	return st != NULL ? &st->deleg : NULL;
}

static struct haven_deleg_ops pha_ops = {
	.send = deleg_send,
	.event = pha_event,
	.lookup = pha_lookup,
	.log = deleg_log,
};

/* ---------------------------------------------------------------------
 * SHA events
 */

void
haven_repeat_later(struct haven_repeat *slots, const void *addr, size_t len,
		uint64_t due_ms)
{
	unsigned int i;

	for (i = 0; i < HAVEN_REPEAT_SLOTS; i++)
		if (!slots[i].used || memcmp(slots[i].addr, addr, len) == 0) {
			memcpy(slots[i].addr, addr, len);
			slots[i].used = true;
			slots[i].due_ms = due_ms;
			return;
		}
}

const uint8_t *
haven_repeat_due(struct haven_repeat *slots, uint64_t now_ms,
		unsigned int *i)
{
	for (; *i < HAVEN_REPEAT_SLOTS; (*i)++) {
		struct haven_repeat *r = &slots[*i];

		if (r->used && now_ms >= r->due_ms) {
			r->used = false;
			return slots[(*i)++].addr;
		}
	}
	return NULL;
}

static struct haven_repeat garp_repeats[HAVEN_REPEAT_SLOTS];

static void
garp_repeat_tick(struct haven_app *app, uint64_t now)
{
	const uint8_t *a;
	unsigned int i = 0;
	uint32_t ip;

	while ((a = haven_repeat_due(garp_repeats, now, &i)) != NULL) {
		struct haven_addr hoa;

		memcpy(&ip, a, sizeof(ip));
		hoa = haven_addr4(ip);
		/* Only while we still hold it. */
		if (haven_deleg_sha_find(&app->sha, &hoa) != NULL)
			haven_send_garp(app, ip,
				&app->fp.ports[app->fp.home_port].mac);
	}
}

static int
sha_install(struct haven_app *app, struct haven_deleg_sha_entry *e,
		bool is_new)
{
	const struct haven_deleg_binding_info *in = &e->info;
	struct haven_binding b;
	unsigned int i;
	int rc;

	if (haven_mn_find(app, in->home_addr.v4) != NULL) {
		/* One of our own mobile nodes: never someone else's. */
		return -EEXIST;
	}
	memset(&b, 0, sizeof(b));
	b.home_addr = in->home_addr.v4;
	b.outer_src = in->outer_src.v4;		/* the PHA: claim 5 */
	b.encap = in->encap;
	b.flags = HAVEN_BINDING_F_INTERCEPT |
		((in->flags & HAVEN_DELEG_F_REVERSE_TUNNEL) ?
			HAVEN_BINDING_F_REVERSE_TUNNEL : 0);
	b.forwarder = HAVEN_FORWARDER_SELF;
	for (i = 0; i < in->n_coa && i < HAVEN_BINDING_MAX_COA; i++)
		if (haven_coa_resolve(app, in->coa[i].v4, &b.coa[b.n_coa]) == 0)
			b.n_coa++;
	b.lifetime = in->duration_s > 0xffff ? 0xffff : in->duration_s;
	rc = haven_binding_publish(app->fp.bindings, &b);
	if (rc == -ENOMEM) {
		haven_binding_reclaim(app->fp.bindings);
		rc = haven_binding_publish(app->fp.bindings, &b);
	}
	if (rc != 0)
		return rc;
	if (is_new) {
		haven_send_garp(app, in->home_addr.v4,
			&app->fp.ports[app->fp.home_port].mac);
		haven_repeat_later(garp_repeats, &in->home_addr.v4,
			sizeof(in->home_addr.v4),
			haven_now_ms() + HAVEN_GARP_REPEAT_MS);
	}
	HAVEN_LOG(INFO, "%s " HAVEN_IP4_FMT " for %s (generation %u, %u s)\n",
		is_new ? "forwarding" : "switched",
		HAVEN_IP4_ARGS(in->home_addr.v4),
		e->primary->name, in->generation, in->duration_s);
	return 0;
}

static int
sha_event(void *ctx, int event, struct haven_deleg_sha_entry *e, bool is_new)
{
	struct haven_app *app = ctx;

	if (haven_addr_is6(&e->info.home_addr))
		return haven_deleg6_sha_event(app, event, e, is_new);
	if (event == HAVEN_DELEG_EV_INSTALL)
		return sha_install(app, e, is_new);
	haven_binding_remove(app->fp.bindings, e->info.home_addr.v4);
	HAVEN_LOG(INFO, "stopped forwarding " HAVEN_IP4_FMT " for %s\n",
		HAVEN_IP4_ARGS(e->info.home_addr.v4), e->primary->name);
	return 0;
}

static const struct haven_deleg_sha_ops sha_ops = {
	.send = deleg_send,
	.event = sha_event,
	.log = deleg_log,
};

/* Copy the workers' counters of held bindings into the entries, for reports. */
static void
sha_collect_counters(struct haven_app *app)
{
	struct haven_binding_counters sum;
	const struct haven_binding *b;
	uint32_t i;

	for (i = 0; i < app->sha.capacity; i++) {
		struct haven_deleg_sha_entry *e = &app->sha.entries[i];

		if (e->primary == NULL)
			continue;
		if (haven_addr_is6(&e->info.home_addr)) {
			haven_deleg6_collect(app, e);
			continue;
		}
		b = haven_binding_lookup(app->fp.bindings, e->info.home_addr.v4);
		if (b == NULL)
			continue;
		haven_binding_counters_sum(app->fp.bindings, b->slot, &sum);
		e->packets = sum.pkts;
		e->bytes = sum.bytes;
	}
}

/* ---------------------------------------------------------------------
 * Set-up and the periodic turn
 */

static void
peer_from_config(struct haven_deleg_peer *p, const struct haven_config_peer *c)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", c->name);
	p->id = c->id;
	p->addr = c->addr;
	memcpy(p->key, c->key, c->key_len);
	p->key_len = c->key_len;
}

int
haven_deleg_init(struct haven_app *app)
{
	const struct haven_config_delegation *dc = &app->cfg.delegation;
	uint64_t now = haven_now_ms();
	unsigned int i;

	if (!dc->enabled)
		return 0;
	app->secondaries = rte_zmalloc("haven_secondaries",
			sizeof(*app->secondaries) * HAVEN_MAX_SECONDARIES, 0);
	app->primaries = rte_zmalloc("haven_primaries",
			sizeof(*app->primaries) * HAVEN_CONFIG_MAX_PEERS, 0);
	if (app->secondaries == NULL || app->primaries == NULL)
		return -ENOMEM;
	for (i = 0; i < dc->n_secondaries; i++)
		peer_from_config(&app->secondaries[i], &dc->secondaries[i]);
	for (i = 0; i < dc->n_primaries; i++)
		peer_from_config(&app->primaries[i], &dc->primaries[i]);

	/* A PHA whenever it serves mobile nodes: secondaries may come later. */
	app->is_pha = app->cfg.has_home_agent;
	if (app->is_pha) {
		haven_deleg_pha_init(&app->pha, dc->agent_id, app->secondaries,
			dc->n_secondaries, &pha_ops, app, now, seq_base());
		app->pha.dead_after_reports = dc->dead_after;
	}
	app->is_sha = dc->n_primaries > 0;
	if (app->is_sha) {
		uint32_t size = haven_deleg_sha_table_size(dc->capacity);

		app->sha_entries = rte_zmalloc("haven_sha_entries",
				sizeof(*app->sha_entries) * dc->capacity, 0);
		app->sha_index = rte_zmalloc("haven_sha_index",
				sizeof(uint32_t) * size, 0);
		if (app->sha_entries == NULL || app->sha_index == NULL)
			return -ENOMEM;
		haven_deleg_sha_init(&app->sha, dc->agent_id, app->primaries,
			dc->n_primaries, app->sha_entries, app->sha_index,
			dc->capacity, dc->report_interval_ms, &sha_ops, app,
			now, seq_base());
	}
	haven_deleg6_init(app, &pha_ops);	/* after both inits: sha.ipv6 */
	app->policy = dc->policy;
	app->threshold = dc->threshold;
	HAVEN_LOG(INFO, "delegation: agent %u on " HAVEN_IP4_FMT ":%u, %s%s%s,"
		" %u secondaries, %u primaries\n", dc->agent_id,
		HAVEN_IP4_ARGS(dc->addr), dc->port,
		app->is_pha ? "primary" : "", app->is_pha && app->is_sha ?
		" and " : "", app->is_sha ? "secondary" : "",
		dc->n_secondaries, dc->n_primaries);
	return 0;
}

void
haven_deleg_tick(struct haven_app *app)
{
	uint64_t now = haven_now_ms();

	if (app->is_pha) {
		haven_deleg_pha_tick(&app->pha, now);
		haven_balancer_tick(app, now);
	}
	if (app->is_sha) {
		if (now >= app->sha.next_report_ms)
			sha_collect_counters(app);
		haven_deleg_sha_tick(&app->sha, now);
		garp_repeat_tick(app, now);
		if (app->ip6 != NULL)
			haven_deleg6_tick(app, now);
	}
}

/* ---------------------------------------------------------------------
 * Actions: every front end (console, policies) calls these
 */

struct haven_deleg_peer *
haven_secondary_find(struct haven_app *app, const char *name)
{
	unsigned int i;

	for (i = 0; i < app->pha.n_peers; i++)
		if (!app->secondaries[i].removed &&
		    strcmp(app->secondaries[i].name, name) == 0)
			return &app->secondaries[i];
	return NULL;
}

/* Fill what the SHA is told from the node's state. */
void
haven_mn_deleg_info(struct haven_app *app, struct haven_mn_state *st)
{
	struct haven_deleg_binding_info *in = &st->deleg.info;
	uint64_t now = rte_get_timer_cycles(), hz = rte_get_timer_hz();
	uint64_t longest = 0;
	unsigned int i;

	in->home_addr = haven_addr4(st->cfg->home_addr);
	in->outer_src = haven_addr4(app->cfg.ha_addr);
	in->encap = st->encap;
	in->flags = (st->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ?
		HAVEN_DELEG_F_REVERSE_TUNNEL : 0;
	in->n_coa = st->n_coa;
	for (i = 0; i < st->n_coa; i++) {
		uint64_t left;

		in->coa[i] = haven_addr4(st->coa[i].addr);
		left = st->coa[i].expires_at == UINT64_MAX ? UINT32_MAX :
			st->coa[i].expires_at > now ?
			(st->coa[i].expires_at - now + hz - 1) / hz : 0;
		if (left > longest)
			longest = left;
	}
	in->duration_s = longest > UINT32_MAX ? UINT32_MAX : longest;
}

int
haven_delegate(struct haven_app *app, uint32_t hoa, const char *sha_name,
		char *err, size_t errlen)
{
	struct haven_mn_state *st = haven_mn_find(app, hoa);
	struct haven_deleg_peer *peer;
	int rc;

	if (!app->is_pha) {
		snprintf(err, errlen, "this agent has no delegation section");
		return -ENOTSUP;
	}
	if (st == NULL || st->n_coa == 0) {
		snprintf(err, errlen, "no binding for " HAVEN_IP4_FMT,
			HAVEN_IP4_ARGS(hoa));
		return -ENOENT;
	}
	peer = haven_secondary_find(app, sha_name);
	if (peer == NULL) {
		snprintf(err, errlen, "no secondary named \"%s\"", sha_name);
		return -ENOENT;
	}
	haven_mn_deleg_info(app, st);
	rc = haven_deleg_pha_delegate(&app->pha, &st->deleg, peer,
			haven_now_ms());
	if (rc == -EBUSY)
		snprintf(err, errlen, "binding is %s",
			haven_deleg_state_name(st->deleg.state));
	else if (rc == -EHOSTDOWN)
		snprintf(err, errlen, "secondary %s is not alive", peer->name);
	else if (rc != 0)
		snprintf(err, errlen, "%s", strerror(-rc));
	return rc;
}

int
haven_undelegate(struct haven_app *app, uint32_t hoa, uint8_t reason,
		char *err, size_t errlen)
{
	struct haven_mn_state *st = haven_mn_find(app, hoa);

	if (st == NULL || !app->is_pha ||
	    st->deleg.state == HAVEN_DELEG_S_LOCAL) {
		snprintf(err, errlen, HAVEN_IP4_FMT " is not delegated",
			HAVEN_IP4_ARGS(hoa));
		return -ENOENT;
	}
	haven_deleg_pha_undelegate(&app->pha, &st->deleg, reason,
		haven_now_ms());
	return 0;
}

int
haven_secondary_add(struct haven_app *app, const char *name, uint32_t id,
		uint32_t addr, const uint8_t *key, size_t key_len, char *err,
		size_t errlen)
{
	struct haven_deleg_peer *p = NULL;
	unsigned int i;

	if (!app->is_pha || !app->cfg.delegation.enabled) {
		snprintf(err, errlen, "this agent has no delegation section");
		return -ENOTSUP;
	}
	if (key_len == 0 || key_len > HAVEN_DELEG_MAX_KEY) {
		snprintf(err, errlen, "key must be 1..%d bytes",
			HAVEN_DELEG_MAX_KEY);
		return -EINVAL;
	}
	if (id == 0 || id == app->cfg.delegation.agent_id) {
		snprintf(err, errlen, "id %u is not usable", id);
		return -EINVAL;
	}
	for (i = 0; i < app->pha.n_peers; i++) {
		struct haven_deleg_peer *q = &app->secondaries[i];

		if (q->removed) {
			if (p == NULL && q->n_delegated == 0)
				p = q;	/* a free slot to reuse */
			continue;
		}
		if (strcmp(q->name, name) == 0 || q->id == id ||
		    q->addr == addr) {
			snprintf(err, errlen, "secondary %s already has that "
				"name, id or address", q->name);
			return -EEXIST;
		}
	}
	if (p == NULL) {
		if (app->pha.n_peers == HAVEN_MAX_SECONDARIES) {
			snprintf(err, errlen, "already %d secondaries",
				HAVEN_MAX_SECONDARIES);
			return -ENOSPC;
		}
		p = &app->secondaries[app->pha.n_peers];
	}
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->id = id;
	p->addr = addr;
	memcpy(p->key, key, key_len);
	p->key_len = key_len;
	haven_deleg_peer_init(p, seq_base(), haven_now_ms());
	if (p == &app->secondaries[app->pha.n_peers])
		app->pha.n_peers++;
	haven_event(app, HAVEN_EV_PEER, 0, -1, "secondary %s (id %u, "
		HAVEN_IP4_FMT ") added", name, id, HAVEN_IP4_ARGS(addr));
	return 0;
}

int
haven_secondary_del(struct haven_app *app, const char *name, char *err,
		size_t errlen)
{
	struct haven_deleg_peer *p = app->is_pha ?
		haven_secondary_find(app, name) : NULL;
	if (p == NULL) {
		snprintf(err, errlen, "no secondary named \"%s\"", name);
		return -ENOENT;
	}
	/* Its bindings come back first: nothing is black-holed. */
	haven_deleg_pha_remove_peer(&app->pha, p, haven_now_ms());
	haven_event(app, HAVEN_EV_PEER, 0, -1, "secondary %s removed", name);
	return 0;
}

int
haven_set_policy(struct haven_app *app, const char *name, char *err,
		size_t errlen)
{
	if (!app->is_pha) {
		snprintf(err, errlen, "this agent is not a primary");
		return -ENOTSUP;
	}
	if (strcmp(name, "equal") == 0)
		app->policy = HAVEN_POLICY_EQUAL;
	else if (strcmp(name, "threshold") == 0)
		app->policy = HAVEN_POLICY_THRESHOLD;
	else if (strcmp(name, "manual") == 0)
		app->policy = HAVEN_POLICY_MANUAL;
	else {
		snprintf(err, errlen, "policy is manual, equal or threshold");
		return -EINVAL;
	}
	haven_event(app, HAVEN_EV_CONFIG, 0, 0, "policy %s",
		haven_deleg_policy_name(app->policy));
	return 0;
}

int
haven_set_threshold(struct haven_app *app, const char *which, uint32_t value,
		char *err, size_t errlen)
{
	struct haven_config_threshold *t = &app->threshold;

	if (strcmp(which, "binding") == 0 && value >= 1)
		t->binding_pps = value;
	else if (strcmp(which, "total") == 0)
		t->total_pps = value;
	else if (strcmp(which, "hysteresis") == 0 && value <= 100)
		t->hysteresis_pct = value;
	else if (strcmp(which, "hold") == 0 && value >= 1)
		t->hold_s = value;
	else {
		snprintf(err, errlen, "binding >= 1 pps, total >= 0 pps (0: off),"
			" hysteresis 0..100 %%, hold >= 1 s");
		return -EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Views for the console and telemetry, IPv4 and IPv6 alike
 */

const char *
haven_deleg_hoa_str(const struct haven_deleg_binding_info *in, char *buf,
		size_t len)
{
	char a[HAVEN_ADDR_STRLEN];

	snprintf(buf, len, "%s", haven_addr_str(&in->home_addr, a));
	return buf;
}

const char *
haven_deleg_coa_str(const struct haven_deleg_binding_info *in, char *buf,
		size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < in->n_coa && off + 1 < len; i++) {
		char a[HAVEN_ADDR_STRLEN];

		haven_addr_str(&in->coa[i], a);
		off += snprintf(buf + off, len - off, "%s%s", i ? " " : "", a);
	}
	return buf;
}

unsigned int
haven_deleg_foreach(struct haven_app *app,
		void (*cb)(const struct haven_deleg_binding *b, void *arg),
		void *arg)
{
	unsigned int i, n = 0;

	for (i = 0; app->is_pha && i < app->cfg.n_mns; i++)
		if (app->mns[i]->deleg.state != HAVEN_DELEG_S_LOCAL) {
			cb(&app->mns[i]->deleg, arg);
			n++;
		}
	for (i = 0; app->is_pha && app->ip6 != NULL && i < app->cfg.n_mns6; i++)
		if (app->ip6->mns[i]->deleg.state != HAVEN_DELEG_S_LOCAL) {
			cb(&app->ip6->mns[i]->deleg, arg);
			n++;
		}
	return n;
}

uint64_t
haven_deleg_entry_packets(struct haven_app *app,
		const struct haven_deleg_sha_entry *e)
{
	struct haven_binding_counters sum = { 0 };

	if (haven_addr_is6(&e->info.home_addr)) {
		const struct haven_binding6 *b = haven_binding6_lookup(
			app->ip6->fp6.bindings, e->info.home_addr.v6);

		if (b != NULL)
			haven_binding6_counters_sum(app->ip6->fp6.bindings,
				b->slot, &sum);
	} else {
		const struct haven_binding *b = haven_binding_lookup(
			app->fp.bindings, e->info.home_addr.v4);

		if (b != NULL)
			haven_binding_counters_sum(app->fp.bindings, b->slot,
				&sum);
	}
	return sum.pkts;
}
