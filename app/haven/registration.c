/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registration processing on the control lcore (RFC 5944 section 3.8).
 *
 * A Registration Request is validated in the RFC's order: well formed,
 * a known mobile node, MN-HA authentication, Identification (timestamp
 * replay protection), home agent address, requested services. A request
 * that fails any check changes no state. An accepted request updates the
 * node's care-of addresses (all of them, or one more with the S flag),
 * publishes a new binding record for the workers, starts interception
 * with gratuitous ARP when the node was at home, and arms the lifetime
 * timer. The reply goes back to the request's source address and port.
 */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "haven.h"

/* What the request asked for, once it authenticated. */
struct reg_request {
	struct haven_mip4_rrq rrq;
	uint32_t src_ip;		/* reply goes here */
	uint16_t src_port;
	struct rte_ether_addr src_mac;	/* the sender on the link it came from */
	bool from_home_link;		/* the node itself, at home */
};

static int
mn_cmp(const void *key, const void *elem)
{
	const struct haven_mn_state *st =
		*(const struct haven_mn_state * const *)elem;
	uint32_t a = rte_be_to_cpu_32(*(const uint32_t *)key);
	uint32_t b = rte_be_to_cpu_32(st->cfg->home_addr);

	return a < b ? -1 : a > b;
}

struct haven_mn_state *
haven_mn_find(struct haven_app *app, uint32_t hoa)
{
	struct haven_mn_state **st = bsearch(&hoa, app->mns, app->cfg.n_mns,
			sizeof(*app->mns), mn_cmp);

	return st != NULL ? *st : NULL;
}

const char *
haven_alg_name(enum haven_mip4_alg alg)
{
	switch (alg) {
	case HAVEN_MIP4_ALG_HMAC_MD5:
		return "hmac-md5";
	case HAVEN_MIP4_ALG_HMAC_SHA256:
		return "hmac-sha256";
	}
	return "?";
}

int
haven_mn_state_rekey(struct haven_mn_state *st,
		const struct haven_config_mn *cfg)
{
	struct haven_mip4_key *key = haven_mip4_key_create(&cfg->sa);

	st->cfg = cfg;
	if (key == NULL)
		return -errno;	/* the old key stays in force */
	haven_mip4_key_free(st->key);
	st->key = key;
	return 0;
}

struct haven_mn_state *
haven_mn_state_new(const struct haven_config_mn *cfg)
{
	struct haven_mn_state *st = rte_zmalloc("haven_mn", sizeof(*st), 0);

	if (st == NULL)
		return NULL;
	st->cfg = cfg;
	st->key = haven_mip4_key_create(&cfg->sa);
	if (st->key == NULL) {
		rte_free(st);
		return NULL;
	}
	rte_timer_init(&st->expiry);
	rte_timer_init(&st->garp);
	st->deleg.user = st;
	return st;
}

void
haven_mn_state_free(struct haven_app *app, struct haven_mn_state *st)
{
	if (st->n_coa > 0 || st->deleg.state != HAVEN_DELEG_S_LOCAL)
		haven_mn_release(app, st);
	if (app->is_pha)
		haven_deleg_pha_forget(&app->pha, &st->deleg);
	rte_timer_stop_sync(&st->expiry);
	rte_timer_stop_sync(&st->garp);
	haven_mip4_key_free(st->key);
	rte_free(st);
}

/* The configuration keeps mobile nodes sorted by home address: so do we. */
int
haven_registration_init(struct haven_app *app)
{
	unsigned int i;

	app->mns = rte_zmalloc("haven_mns",
			sizeof(*app->mns) * (app->cfg.n_mns + 1), 0);
	if (app->mns == NULL)
		return -ENOMEM;
	for (i = 0; i < app->cfg.n_mns; i++) {
		app->mns[i] = haven_mn_state_new(&app->cfg.mns[i]);
		if (app->mns[i] == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Publishing bindings
 */

static uint8_t
encap_of(uint8_t flags)
{
	if (flags & HAVEN_MIP4_F_G)
		return HAVEN_ENCAP_GRE;
	if (flags & HAVEN_MIP4_F_M)
		return HAVEN_ENCAP_MINIMAL;
	return HAVEN_ENCAP_IPIP;
}

int
haven_coa_resolve(struct haven_app *app, uint32_t addr,
		struct haven_binding_coa *c)
{
	uint32_t nh;
	uint8_t port;
	int idx;

	if (haven_route_lookup(&app->fp, addr, &nh, &port) != 0)
		return -ENETUNREACH;
	idx = haven_ctl_neigh_for(app, nh, port);
	if (idx < 0)
		return -ENOSPC;
	c->addr = addr;
	c->next_hop = nh;
	c->port = app->fp.ports[port].port_id;
	c->neigh = idx;
	return 0;
}

/* Build the record workers will read from the node's state, publish it. */
static int
publish(struct haven_app *app, struct haven_mn_state *st)
{
	struct haven_binding b;
	unsigned int i;

	memset(&b, 0, sizeof(b));
	b.home_addr = st->cfg->home_addr;
	b.outer_src = app->cfg.ha_addr;
	b.encap = st->encap;
	b.flags = st->flags | HAVEN_BINDING_F_INTERCEPT;
	b.forwarder = st->forwarder;
	for (i = 0; i < st->n_coa; i++)
		if (haven_coa_resolve(app, st->coa[i].addr,
				&b.coa[b.n_coa]) == 0)
			b.n_coa++;	/* unroutable: left out, logged below */
	if (b.n_coa < st->n_coa)
		HAVEN_LOG(WARNING, "%u care-of address(es) of " HAVEN_IP4_FMT
			" have no route\n", st->n_coa - b.n_coa,
			HAVEN_IP4_ARGS(st->cfg->home_addr));
	b.lifetime = st->coa[0].lifetime;
	b.registered_at = st->registered_at;
	b.expires_at = st->coa[0].expires_at;
	b.last_ident = st->last_ident;
	return haven_binding_publish(app->fp.bindings, &b);
}

void
haven_mn_republish(struct haven_app *app, struct haven_mn_state *st)
{
	int rc = publish(app, st);

	if (rc == -ENOMEM) {
		/* Spare records still in their grace period. */
		haven_binding_reclaim(app->fp.bindings);
		rc = publish(app, st);
	}
	if (rc != 0)
		HAVEN_LOG(ERR, "cannot publish binding of " HAVEN_IP4_FMT
			": %s\n", HAVEN_IP4_ARGS(st->cfg->home_addr),
			strerror(-rc));
}

static void
garp_repeat_cb(struct rte_timer *t, void *arg)
{
	struct haven_mn_state *st = arg;

	(void)t;
	if (st->n_coa > 0 && st->forwarder == HAVEN_FORWARDER_SELF)
		haven_send_garp(&haven, st->cfg->home_addr,
			&haven.fp.ports[haven.fp.home_port].mac);
}

/* Interception starts here: the home link learns the agent's MAC. */
void
haven_mn_announce(struct haven_app *app, struct haven_mn_state *st)
{
	haven_send_garp(app, st->cfg->home_addr,
		&app->fp.ports[app->fp.home_port].mac);
	rte_timer_reset(&st->garp, rte_get_timer_hz() *
		HAVEN_GARP_REPEAT_MS / 1000, SINGLE, rte_lcore_id(),
		garp_repeat_cb, st);
}

static void expiry_cb(struct rte_timer *t, void *arg);

static void
arm_expiry(struct haven_app *app, struct haven_mn_state *st)
{
	uint64_t first = UINT64_MAX, now = rte_get_timer_cycles();
	unsigned int i;

	(void)app;
	for (i = 0; i < st->n_coa; i++)
		if (st->coa[i].expires_at < first)
			first = st->coa[i].expires_at;
	if (st->n_coa == 0 || first == UINT64_MAX) {
		rte_timer_stop(&st->expiry);
		return;
	}
	rte_timer_reset(&st->expiry, first > now ? first - now : 0, SINGLE,
		rte_lcore_id(), expiry_cb, st);
}

/* Drop care-of address i of a node (swap with the last). */
static void
coa_remove(struct haven_mn_state *st, unsigned int i)
{
	st->coa[i] = st->coa[--st->n_coa];
}

/*
 * After st->coa changed: publish, or remove the binding when empty; a
 * delegated binding follows ([0029] [0030]).
 */
static void
commit(struct haven_app *app, struct haven_mn_state *st, uint8_t stop_reason)
{
	if (app->is_pha && st->deleg.state != HAVEN_DELEG_S_LOCAL) {
		if (st->n_coa == 0) {
			haven_deleg_pha_undelegate(&app->pha, &st->deleg,
				stop_reason, haven_now_ms());
		} else {
			haven_mn_deleg_info(app, st);
			haven_deleg_pha_update(&app->pha, &st->deleg,
				haven_now_ms());
		}
	}
	if (st->n_coa > 0) {
		haven_mn_republish(app, st);
	} else {
		haven_binding_remove(app->fp.bindings, st->cfg->home_addr);
		rte_timer_stop(&st->garp);
		st->forwarder = HAVEN_FORWARDER_SELF;
	}
	arm_expiry(app, st);
}

static void
expiry_cb(struct rte_timer *t, void *arg)
{
	struct haven_mn_state *st = arg;
	uint64_t now = rte_get_timer_cycles();
	unsigned int i = 0;

	(void)t;
	while (i < st->n_coa) {
		if (st->coa[i].expires_at <= now) {
			haven_event(&haven, HAVEN_EV_EXPIRY, st->cfg->home_addr,
				-1, "binding of " HAVEN_IP4_FMT " at "
				HAVEN_IP4_FMT " expired",
				HAVEN_IP4_ARGS(st->cfg->home_addr),
				HAVEN_IP4_ARGS(st->coa[i].addr));
			coa_remove(st, i);
			haven.stats.bindings_expired++;
		} else {
			i++;
		}
	}
	commit(&haven, st, HAVEN_DELEG_STOP_EXPIRED);
}

void
haven_mn_release(struct haven_app *app, struct haven_mn_state *st)
{
	st->n_coa = 0;
	commit(app, st, HAVEN_DELEG_STOP_UNDELEGATE);
}

/* ---------------------------------------------------------------------
 * Replies
 */

static void
send_reply(struct haven_app *app, const struct reg_request *req,
		const struct haven_mip4_rrp *rrp, const struct haven_mip4_key *key)
{
	uint8_t buf[HAVEN_MIP4_RRP_LEN + 6 + HAVEN_MIP4_MAX_AUTH];
	struct rte_ether_addr zero = { 0 };
	struct rte_mbuf *m;
	int len;

	app->stats.reg_replies[rrp->code]++;
	len = key != NULL ?
		haven_mip4_build_rrp_key(rrp, key, buf, sizeof(buf)) :
		haven_mip4_build_rrp(rrp, NULL, buf, sizeof(buf));
	if (len < 0)
		return;
	m = rte_pktmbuf_alloc(app->fp.pool);
	if (m == NULL)
		return;
	if (haven_build_udp(m, &app->fp.ports[app->fp.home_port].mac, &zero,
			app->cfg.ha_addr, req->src_ip, HAVEN_MIP4_UDP_PORT,
			req->src_port, buf, len) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	haven_ctl_send_ip(app, m);
}

void
haven_mn_reply_pending(struct haven_app *app, struct haven_mn_state *st)
{
	struct reg_request req;

	if (!st->pending.active)
		return;
	st->pending.active = false;
	memset(&req, 0, sizeof(req));
	req.src_ip = st->pending.dst_ip;
	req.src_port = st->pending.dst_port;
	send_reply(app, &req, &st->pending.rrp, st->key);
}

static void
deny(struct haven_app *app, const struct reg_request *req, uint8_t code,
		const struct haven_mip4_key *key)
{
	struct haven_mip4_rrp rrp = {
		.code = code,
		.lifetime = 0,
		.home_addr = req->rrq.home_addr,
		.ha_addr = app->cfg.ha_addr,
		.ident = req->rrq.ident,
	};

	if (code == HAVEN_MIP4_DENIED_IDENT_MISMATCH)
		rrp.ident = haven_mip4_ident_for_mismatch(req->rrq.ident,
				haven_mip4_ntp_now());
	haven_event(app, HAVEN_EV_REGISTRATION, req->rrq.home_addr, code,
		"registration of " HAVEN_IP4_FMT " from " HAVEN_IP4_FMT
		" denied: code %u", HAVEN_IP4_ARGS(req->rrq.home_addr),
		HAVEN_IP4_ARGS(req->src_ip), code);
	send_reply(app, req, &rrp, key);
}

/* ---------------------------------------------------------------------
 * Decisions
 */

/* Services the request asks for that this agent does not give: a code. */
static uint8_t
check_services(const struct haven_app *app, uint8_t flags)
{
	if ((flags & HAVEN_MIP4_F_M) &&
	    !(app->cfg.encapsulations & HAVEN_ENCAP_BIT_MINIMAL))
		return HAVEN_MIP4_DENIED_ENCAP_UNAVAILABLE;
	if ((flags & HAVEN_MIP4_F_G) &&
	    !(app->cfg.encapsulations & HAVEN_ENCAP_BIT_GRE))
		return HAVEN_MIP4_DENIED_ENCAP_UNAVAILABLE;
	if ((flags & HAVEN_MIP4_F_T) && !app->cfg.reverse_tunnel)
		return HAVEN_MIP4_DENIED_REVTUN_UNAVAILABLE;
	return HAVEN_MIP4_ACCEPTED;
}

static uint16_t
grant_lifetime(const struct haven_app *app, const struct haven_mn_state *st,
		uint16_t asked)
{
	uint32_t max = app->cfg.max_lifetime;

	if (st->cfg->max_lifetime != 0 && st->cfg->max_lifetime < max)
		max = st->cfg->max_lifetime;
	return asked > max ? max : asked;
}

static int
coa_index(const struct haven_mn_state *st, uint32_t addr)
{
	unsigned int i;

	for (i = 0; i < st->n_coa; i++)
		if (st->coa[i].addr == addr)
			return i;
	return -1;
}

/*
 * Apply an authenticated, fresh request to the node's state.
 * Returns the reply code; state changes only when it accepts.
 */
static uint8_t
apply(struct haven_app *app, struct haven_mn_state *st,
		const struct reg_request *req, uint16_t *granted)
{
	const struct haven_mip4_rrq *rrq = &req->rrq;
	bool was_away = st->n_coa > 0;
	uint64_t now = rte_get_timer_cycles();
	int i = coa_index(st, rrq->coa);

	*granted = 0;
	if (rrq->lifetime == 0 || rrq->coa == rrq->home_addr) {
		/* RFC 5944 3.6.1.2: one care-of address, or all of them. */
		if (rrq->coa == rrq->home_addr || !(rrq->flags & HAVEN_MIP4_F_S))
			st->n_coa = 0;
		else if (i >= 0)
			coa_remove(st, i);
		st->last_ident = rrq->ident;
		commit(app, st, HAVEN_DELEG_STOP_DEREGISTERED);
		if (was_away && st->n_coa == 0 && req->from_home_link &&
		    req->src_ip == st->cfg->home_addr) {
			/* Hand the address back (RFC 5944 4.6). */
			haven_send_garp(app, st->cfg->home_addr, &req->src_mac);
			haven_send_garp(app, st->cfg->home_addr, &req->src_mac);
		}
		haven_event(app, HAVEN_EV_DEREGISTRATION, rrq->home_addr,
			HAVEN_MIP4_ACCEPTED, "deregistered " HAVEN_IP4_FMT
			" from " HAVEN_IP4_FMT " (%u care-of addresses left)",
			HAVEN_IP4_ARGS(rrq->home_addr),
			HAVEN_IP4_ARGS(rrq->coa), st->n_coa);
		return HAVEN_MIP4_ACCEPTED;
	}

	if ((rrq->flags & HAVEN_MIP4_F_S) && i < 0 &&
	    st->n_coa >= app->cfg.max_simultaneous)
		return HAVEN_MIP4_DENIED_TOO_MANY_BINDINGS;

	*granted = grant_lifetime(app, st, rrq->lifetime);
	if (!(rrq->flags & HAVEN_MIP4_F_S)) {
		st->n_coa = 0;
		i = -1;
	}
	if (i < 0)
		i = st->n_coa++;
	st->coa[i].addr = rrq->coa;
	st->coa[i].lifetime = *granted;
	st->coa[i].expires_at = *granted == HAVEN_MIP4_LIFETIME_INFINITE ?
		UINT64_MAX : now + rte_get_timer_hz() * *granted;
	st->encap = encap_of(rrq->flags);
	st->flags = (rrq->flags & HAVEN_MIP4_F_T) ?
		HAVEN_BINDING_F_REVERSE_TUNNEL : 0;
	st->last_ident = rrq->ident;
	if (!was_away)
		st->registered_at = now;
	commit(app, st, HAVEN_DELEG_STOP_UNDELEGATE);
	if (!was_away)
		haven_mn_announce(app, st);
	haven_event(app, HAVEN_EV_REGISTRATION, rrq->home_addr,
		HAVEN_MIP4_ACCEPTED, "registered " HAVEN_IP4_FMT " at "
		HAVEN_IP4_FMT " for %us (%s%s, %u care-of addresses)",
		HAVEN_IP4_ARGS(rrq->home_addr),
		HAVEN_IP4_ARGS(rrq->coa), *granted,
		haven_encap_name(st->encap),
		(st->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ?
			", reverse tunnel" : "", st->n_coa);
	return HAVEN_MIP4_ACCEPTED;
}

static void
process(struct haven_app *app, struct reg_request *req, const uint8_t *msg,
		size_t len)
{
	struct haven_mip4_rrq *rrq = &req->rrq;
	struct haven_mip4_rrp rrp;
	const struct haven_mip4_key *key;
	struct haven_mn_state *st;
	char why[128];
	uint8_t code;
	int rc;

	rc = haven_mip4_parse_rrq(msg, len, rrq, why, sizeof(why));
	if (rc < 0) {
		app->stats.reg_dropped++;
		HAVEN_LOG(DEBUG, "dropped datagram on port 434 from "
			HAVEN_IP4_FMT ": %s\n",
			HAVEN_IP4_ARGS(req->src_ip), why);
		return;
	}
	if (rc > 0) {
		/* Echo what the fixed part holds, when it is all there. */
		if (len >= HAVEN_MIP4_RRQ_LEN) {
			memcpy(&rrq->home_addr, msg + 4, sizeof(uint32_t));
			rrq->ident = rte_be_to_cpu_64(
				*(const unaligned_uint64_t *)(msg + 16));
		}
		HAVEN_LOG(INFO, "poorly formed request from " HAVEN_IP4_FMT
			": %s\n", HAVEN_IP4_ARGS(req->src_ip), why);
		deny(app, req, rc, NULL);
		return;
	}
	st = haven_mn_find(app, rrq->home_addr);
	if (st == NULL) {
		deny(app, req, HAVEN_MIP4_DENIED_MN_AUTH, NULL);
		return;
	}
	key = st->key;	/* prepared once: no key setup per request */
	if (haven_mip4_key_verify(key, msg, &rrq->mn_ha) != 0) {
		deny(app, req, HAVEN_MIP4_DENIED_MN_AUTH, NULL);
		return;
	}
	if (haven_mip4_replay_check(rrq->ident, st->last_ident,
			haven_mip4_ntp_now(), app->cfg.replay_window) != 0) {
		deny(app, req, HAVEN_MIP4_DENIED_IDENT_MISMATCH, key);
		return;
	}
	if (rrq->ha_addr != app->cfg.ha_addr) {
		deny(app, req, HAVEN_MIP4_DENIED_UNKNOWN_HA, key);
		return;
	}
	code = check_services(app, rrq->flags);
	if (code == HAVEN_MIP4_ACCEPTED)
		code = apply(app, st, req, &rrp.lifetime);
	if (code != HAVEN_MIP4_ACCEPTED) {
		deny(app, req, code, key);
		return;
	}
	rrp.code = HAVEN_MIP4_ACCEPTED;
	rrp.home_addr = rrq->home_addr;
	rrp.ha_addr = app->cfg.ha_addr;
	rrp.ident = rrq->ident;
	if (st->n_coa > 0 && haven_balancer_on_registration(app, st) &&
	    app->cfg.delegation.wait_for_ack) {
		/* Reply once the secondary has answered ([0026]). */
		st->pending.active = true;
		st->pending.dst_ip = req->src_ip;
		st->pending.dst_port = req->src_port;
		st->pending.rrp = rrp;
		return;
	}
	send_reply(app, req, &rrp, key);
}

void
haven_registration_input(struct haven_app *app, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	struct reg_request req;
	size_t l3, l4, len;

	app->stats.reg_requests++;
	if (rte_pktmbuf_linearize(m) != 0)
		goto drop;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	l3 = sizeof(*eth);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3);
	l4 = l3 + rte_ipv4_hdr_len(ip);
	if (rte_pktmbuf_data_len(m) < l4 + sizeof(*udp))
		goto drop;
	udp = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, l4);
	len = rte_be_to_cpu_16(udp->dgram_len);
	if (len < sizeof(*udp) || l4 + len > rte_pktmbuf_data_len(m))
		goto drop;
	len -= sizeof(*udp);

	memset(&req, 0, sizeof(req));
	req.src_ip = ip->src_addr;
	req.src_port = rte_be_to_cpu_16(udp->src_port);
	rte_ether_addr_copy(&eth->src_addr, &req.src_mac);
	req.from_home_link = m->port == app->fp.ports[app->fp.home_port].port_id;
	process(app, &req, (const uint8_t *)(udp + 1), len);
	rte_pktmbuf_free(m);
	return;
drop:
	app->stats.reg_dropped++;
	rte_pktmbuf_free(m);
}
