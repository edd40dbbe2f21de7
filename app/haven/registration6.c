/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mobile IPv6 home registration on the control lcore (RFC 6275 section
 * 10.3.1), with RFC 4285 MN-HA authentication in place of IPsec.
 *
 * A Binding Update is walked and parsed (lib/mip6), then checked in this
 * order, and a failed check changes no state: a configured node (else
 * 132 or 133, as haven_mip6_home_reg_status() orders them), its MN-HA
 * authenticator (146), its replay protection option (145 when missing,
 * 144 when the timestamp is stale), then haven_mip6_home_reg_status() (H
 * flag, home subnet 132, sequence number 135 against a binding in force).
 * Lifetime 0 or a care-of address equal to the home address deregisters.
 * A new binding (the node was at home) first runs duplicate address
 * detection on the home link (RFC 6275 10.4.1, RFC 4862 5.4) when the
 * configuration asks for it: a probe, one RetransTimer, and an NA or
 * another probe for the address meanwhile refuses it with 134. Accepting
 * publishes the binding for the workers (proxy ND, IPv6-in-IPv6 to the
 * care-of address, reverse tunnel), sends unsolicited NAs for the home
 * address, and arms the lifetime. The Binding Acknowledgement, with the
 * node's MN-HA option and the replay option mirrored, goes from the home
 * agent to the BU's source with a type 2 routing header carrying the home
 * address (RFC 6275 6.4, 9.5.4). Binding Errors answer packets with a Home
 * Address option and no binding (status 1) and unknown MH types (status 2).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_malloc.h>

#include "haven6.h"

/* Type 2 routing header (RFC 6275 6.4): 8 bytes, then the home address. */
#define RH2_LEN 24
/* Largest Binding Acknowledgement we build: fixed part and options. */
#define BA_MAX 128

/* What a reply to a Binding Update needs (from the update or a pending one). */
struct bu_reply {
	uint8_t src[16];		/* the BU's destination: us */
	uint8_t reply_to[16];		/* the BU's source */
	uint8_t hoa[16];
	uint8_t coa[16];
	uint16_t seq;
	uint16_t bu_flags;
	bool has_ts;
	uint64_t ts;
};

static int
mn6_cmp(const void *key, const void *elem)
{
	const struct haven_mn6_state *st =
		*(const struct haven_mn6_state * const *)elem;

	return memcmp(key, st->cfg->home_addr, 16);
}

struct haven_mn6_state *
haven_mn6_find(struct haven_app *app, const uint8_t hoa[16])
{
	struct haven_mn6_state **st;

	if (app->ip6 == NULL || app->ip6->mns == NULL)
		return NULL;
	st = bsearch(hoa, app->ip6->mns, app->cfg.n_mns6,
			sizeof(*app->ip6->mns), mn6_cmp);
	return st != NULL ? *st : NULL;
}

static struct haven_mip6_key *
key_of(const struct haven_config_sa6 *sa)
{
	struct haven_mip6_sa s;
	struct haven_mip6_key *k;

	memset(&s, 0, sizeof(s));
	s.spi = sa->spi;
	s.alg = sa->alg == HAVEN_CONFIG_SA6_HMAC_SHA256 ?
		HAVEN_MIP6_ALG_HMAC_SHA256 : HAVEN_MIP6_ALG_HMAC_SHA1;
	memcpy(s.key, sa->key, sa->key_len);
	s.key_len = sa->key_len;
	k = haven_mip6_key_create(&s);
	memset(&s, 0, sizeof(s));	/* no copy of the key left behind */
	return k;
}

struct haven_mn6_state *
haven_mn6_state_new(const struct haven_config_mn6 *cfg)
{
	struct haven_mn6_state *st = rte_zmalloc("haven_mn6", sizeof(*st), 0);

	if (st == NULL)
		return NULL;
	st->cfg = cfg;
	st->key = key_of(&cfg->sa);
	if (st->key == NULL) {
		rte_free(st);
		return NULL;
	}
	rte_timer_init(&st->expiry);
	rte_timer_init(&st->na);
	rte_timer_init(&st->dad);
	st->forwarder = HAVEN_FORWARDER_SELF;
	st->deleg.user = st;
	return st;
}

int
haven_mn6_state_rekey(struct haven_mn6_state *st,
		const struct haven_config_mn6 *cfg)
{
	struct haven_mip6_key *key = key_of(&cfg->sa);

	st->cfg = cfg;
	if (key == NULL)
		return -errno;	/* the old key stays in force */
	haven_mip6_key_free(st->key);
	st->key = key;
	return 0;
}

void
haven_mn6_state_free(struct haven_app *app, struct haven_mn6_state *st)
{
	haven_mn6_release(app, st);
	if (app->is_pha)
		haven_deleg_pha_forget(&app->pha, &st->deleg);
	rte_timer_stop_sync(&st->expiry);
	rte_timer_stop_sync(&st->na);
	rte_timer_stop_sync(&st->dad);
	haven_mip6_key_free(st->key);
	rte_free(st);
}

int
haven_registration6_init(struct haven_app *app)
{
	struct haven_app6 *a6 = app->ip6;
	unsigned int i;

	if (a6 == NULL)
		return 0;
	a6->mns = rte_zmalloc("haven_mns6",
			sizeof(*a6->mns) * (app->cfg.n_mns6 + 1), 0);
	if (a6->mns == NULL)
		return -ENOMEM;
	/* The configuration keeps them sorted by address: so do we. */
	for (i = 0; i < app->cfg.n_mns6; i++) {
		a6->mns[i] = haven_mn6_state_new(&app->cfg.mns6[i]);
		if (a6->mns[i] == NULL)
			return -ENOMEM;
	}
	return 0;
}

uint32_t
haven_binding6_total(const struct haven_app *app)
{
	return app->ip6 != NULL ?
		haven_binding6_count(app->ip6->fp6.bindings) : 0;
}

/* ---------------------------------------------------------------------
 * Sending: IPv6 header, routing header type 2, Mobility Header
 */

static void
ip6_header(uint8_t *buf, const uint8_t src[16], const uint8_t dst[16],
		uint8_t proto, uint16_t payload_len)
{
	struct haven_ip6_hdr *ip = (struct haven_ip6_hdr *)buf;

	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(payload_len);
	ip->proto = proto;
	ip->hop_limit = HAVEN_IP6IP6_HOP_LIMIT;
	memcpy(ip->src, src, 16);
	memcpy(ip->dst, dst, 16);
}

/* RFC 6275 6.4: Next Header, Hdr Ext Len 2, type 2, Segments Left 1. */
static void
rh2_header(uint8_t *buf, uint8_t next, const uint8_t hoa[16])
{
	buf[0] = next;
	buf[1] = 2;
	buf[2] = HAVEN_MIP6_RH2_TYPE;
	buf[3] = 1;
	memset(buf + 4, 0, 4);
	memcpy(buf + 8, hoa, 16);
}

/*
 * A Binding Acknowledgement to r: from the BU's destination to its source,
 * through a type 2 routing header with the home address when the source
 * is not the home address (RFC 6275 9.5.4).
 */
static void
send_ba(struct haven_app *app, const struct bu_reply *r, uint8_t status,
		uint16_t seq, uint16_t lifetime_units, uint16_t refresh_units,
		const struct haven_mip6_key *key)
{
	uint8_t pkt[HAVEN_IP6_HDR_LEN + RH2_LEN + BA_MAX];
	struct haven_mip6_opts_out opts;
	struct haven_mip6_addrs a;
	bool rh2 = memcmp(r->reply_to, r->hoa, 16) != 0;
	size_t off = HAVEN_IP6_HDR_LEN + (rh2 ? RH2_LEN : 0);
	int len;

	memset(&opts, 0, sizeof(opts));
	if (r->has_ts) {
		opts.replay = true;
		opts.timestamp = status == HAVEN_MIP6_BA_ID_MISMATCH ?
			haven_mip6_ts_for_mismatch(r->ts,
				haven_mip6_ntp_now()) : r->ts;
	}
	if (refresh_units != 0) {
		opts.bra = true;
		opts.refresh = refresh_units;
	}
	memcpy(a.ph_src, r->src, 16);
	memcpy(a.ph_dst, r->hoa, 16);	/* the final destination */
	memcpy(a.coa, r->coa, 16);
	memcpy(a.hoa, r->hoa, 16);
	len = haven_mip6_build_ba(status, 0, seq, lifetime_units, &opts, key,
			&a, pkt + off, sizeof(pkt) - off);
	if (len < 0) {
		HAVEN_LOG(ERR, "cannot build a Binding Acknowledgement: %s\n",
			strerror(-len));
		return;
	}
	if (rh2) {
		rh2_header(pkt + HAVEN_IP6_HDR_LEN, HAVEN_IPPROTO_MH, r->hoa);
		ip6_header(pkt, r->src, r->reply_to, HAVEN_IPPROTO_ROUTING,
			RH2_LEN + len);
	} else {
		ip6_header(pkt, r->src, r->reply_to, HAVEN_IPPROTO_MH, len);
	}
	app->ip6->stats.ba_sent[status]++;
	haven_ctl_send_ip6_pkt(app, pkt, off + len);
}

/* RFC 6275 9.3.3: straight to the source of the offending packet. */
static void
send_be(struct haven_app *app, const struct haven_mip6_pkt *pkt,
		uint8_t status)
{
	static const uint8_t unspecified[16];
	uint8_t buf[HAVEN_IP6_HDR_LEN + HAVEN_MIP6_BE_LEN];
	struct haven_app6 *a6 = app->ip6;
	uint64_t sec = rte_get_timer_cycles() / rte_get_timer_hz();
	int len;

	/* RFC 6275 9.3.3: rate limited. */
	if (sec != a6->be_window) {
		a6->be_window = sec;
		a6->be_in_window = 0;
	}
	if (a6->be_in_window >= HAVEN_BE_PER_S ||
	    !haven_mip6_addr_unicast_routable(pkt->src))
		return;
	a6->be_in_window++;
	len = haven_mip6_build_be(status,
			pkt->has_hao ? pkt->hoa : unspecified, pkt->dst,
			pkt->src, buf + HAVEN_IP6_HDR_LEN,
			sizeof(buf) - HAVEN_IP6_HDR_LEN);
	if (len < 0)
		return;
	ip6_header(buf, pkt->dst, pkt->src, HAVEN_IPPROTO_MH, len);
	a6->stats.be_sent++;
	haven_ctl_send_ip6_pkt(app, buf, HAVEN_IP6_HDR_LEN + len);
}

/* RFC 6275 9.2: ICMPv6 Parameter Problem, code 0, at the bad field. */
static void
send_param_problem(struct haven_app *app, const struct haven_mip6_pkt *pkt,
		uint32_t pointer, const uint8_t *invoking, size_t len)
{
	uint8_t buf[HAVEN_IP6_MIN_MTU];
	int n;

	n = haven_icmp6_build_error(buf, sizeof(buf), pkt->dst,
			HAVEN_ICMP6_PARAM_PROB, 0, pointer, invoking, len);
	if (n < 0)
		return;
	app->ip6->stats.param_problem_sent++;
	haven_ctl_send_ip6_pkt(app, buf, n);
}

/* ---------------------------------------------------------------------
 * Bindings
 */

static void
notify(struct haven_app *app, struct haven_mn6_state *st,
		enum haven_mn6_change what)
{
	if (app->ip6->on_change != NULL)
		app->ip6->on_change(app, st, what);
}

static int
publish(struct haven_app *app, struct haven_mn6_state *st)
{
	struct haven_app6 *a6 = app->ip6;
	struct haven_binding6 b;
	uint8_t nh[16], port;
	int idx;

	memset(&b, 0, sizeof(b));
	memcpy(b.home_addr, st->cfg->home_addr, 16);
	memcpy(b.outer_src, a6->fp6.ha_addr, 16);	/* claim 5 */
	/*
	 * RFC 6275 10.4.5: a home agent accepts what the node tunnels back
	 * from its care-of address; there is no T flag to ask for it.
	 */
	b.flags = HAVEN_BINDING_F_INTERCEPT | HAVEN_BINDING_F_REVERSE_TUNNEL;
	b.forwarder = st->forwarder;
	if (haven_route6_lookup(&app->fp, st->coa, nh, &port) == 0 &&
	    (idx = haven_ctl_neigh6_for(app, nh, port)) >= 0) {
		memcpy(b.coa[0].addr, st->coa, 16);
		memcpy(b.coa[0].next_hop, nh, 16);
		b.coa[0].neigh = idx;
		b.coa[0].port = app->fp.ports[port].port_id;
		b.n_coa = 1;
	} else {
		char a[HAVEN_IP6_STRLEN];

		HAVEN_LOG(WARNING, "care-of address %s has no route\n",
			haven_ip6_str(st->coa, a));
	}
	b.lifetime = st->lifetime_s;
	b.registered_at = st->registered_at;
	b.expires_at = st->expires_at;
	return haven_binding6_publish(a6->fp6.bindings, &b);
}

void
haven_mn6_republish(struct haven_app *app, struct haven_mn6_state *st)
{
	char a[HAVEN_IP6_STRLEN];
	int rc;

	if (!st->bound)
		return;
	rc = publish(app, st);
	if (rc == -ENOMEM) {
		/* Spare records still in their grace period. */
		haven_binding6_reclaim(app->ip6->fp6.bindings);
		rc = publish(app, st);
	}
	if (rc != 0)
		HAVEN_LOG(ERR, "cannot publish binding of %s: %s\n",
			haven_ip6_str(st->cfg->home_addr, a), strerror(-rc));
}

static void
na_repeat_cb(struct rte_timer *t, void *arg)
{
	struct haven_mn6_state *st = arg;

	(void)t;
	if (!st->bound || st->forwarder != HAVEN_FORWARDER_SELF ||
	    st->na_left == 0)
		return;
	haven_send_unsolicited_na(&haven, st->cfg->home_addr);
	if (--st->na_left > 0)
		rte_timer_reset(&st->na, rte_get_timer_hz() *
			HAVEN_NA_REPEAT_MS / 1000, SINGLE, rte_lcore_id(),
			na_repeat_cb, st);
}

/* Interception starts: the home link learns the agent's MAC (10.4.1). */
static void
announce(struct haven_app *app, struct haven_mn6_state *st)
{
	haven_send_unsolicited_na(app, st->cfg->home_addr);
	st->na_left = HAVEN_NA_COUNT - 1;
	rte_timer_reset(&st->na, rte_get_timer_hz() * HAVEN_NA_REPEAT_MS /
		1000, SINGLE, rte_lcore_id(), na_repeat_cb, st);
}

void
haven_mn6_release(struct haven_app *app, struct haven_mn6_state *st)
{
	if (st->pending.active) {
		rte_timer_stop(&st->dad);
		st->pending.active = false;
	}
	rte_timer_stop(&st->expiry);
	rte_timer_stop(&st->na);
	if (!st->bound)
		return;
	haven_binding6_remove(app->ip6->fp6.bindings, st->cfg->home_addr);
	st->bound = false;
	st->na_left = 0;
	notify(app, st, HAVEN_MN6_RELEASED);
	st->forwarder = HAVEN_FORWARDER_SELF;
}

static void
expiry_cb(struct rte_timer *t, void *arg)
{
	struct haven_mn6_state *st = arg;
	char h[HAVEN_IP6_STRLEN], c[HAVEN_IP6_STRLEN];

	(void)t;
	if (!st->bound)
		return;
	haven_event6(&haven, HAVEN_EV_EXPIRY, st->cfg->home_addr, -1,
		"binding of %s at %s expired",
		haven_ip6_str(st->cfg->home_addr, h), haven_ip6_str(st->coa, c));
	haven.ip6->stats.bindings_expired++;
	haven_mn6_release(&haven, st);
}

/* ---------------------------------------------------------------------
 * Decisions
 */

static bool
in_home_prefix(const struct haven_config *cfg, const uint8_t a[16])
{
	unsigned int len = cfg->home_prefix6_len, bytes = len / 8;
	uint8_t mask;

	if (len == 0)
		return false;	/* no IPv6 home link */
	if (memcmp(a, cfg->home_prefix6, bytes) != 0)
		return false;
	if (len % 8 == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - len % 8));
	return (a[bytes] & mask) == (cfg->home_prefix6[bytes] & mask);
}

static void
deny(struct haven_app *app, const struct bu_reply *r, uint8_t status,
		uint16_t seq, const struct haven_mip6_key *key)
{
	char h[HAVEN_IP6_STRLEN], c[HAVEN_IP6_STRLEN];

	app->ip6->stats.denied++;
	haven_event6(app, HAVEN_EV_REGISTRATION, r->hoa, status,
		"registration of %s from %s denied: status %u",
		haven_ip6_str(r->hoa, h), haven_ip6_str(r->reply_to, c), status);
	send_ba(app, r, status, seq, 0, 0, key);
}

/* Lifetime to grant, seconds: the agent's and the node's maximum. */
static uint32_t
grant_lifetime(const struct haven_app *app, const struct haven_mn6_state *st,
		uint16_t units)
{
	uint32_t asked = (uint32_t)units * HAVEN_MIP6_LIFETIME_UNIT_S;
	uint32_t max = app->cfg.max_lifetime6;

	if (st->cfg->max_lifetime != 0 && st->cfg->max_lifetime < max)
		max = st->cfg->max_lifetime;
	if (asked > max)
		asked = max - max % HAVEN_MIP6_LIFETIME_UNIT_S;
	return asked;
}

/* Binding Refresh Advice, 4 s units, below the lifetime (RFC 6275 6.2.4). */
static uint16_t
refresh_units(const struct haven_app *app, uint32_t lifetime_s)
{
	uint32_t r = app->cfg.refresh_advice_s;

	if (r == 0 || r >= lifetime_s)
		return 0;
	return r / HAVEN_MIP6_LIFETIME_UNIT_S;
}

/* The registration is in force: publish, announce, arm, acknowledge. */
static void
accept_binding(struct haven_app *app, struct haven_mn6_state *st,
		const struct bu_reply *r, uint32_t lifetime_s)
{
	uint64_t now = rte_get_timer_cycles();
	bool was_bound = st->bound;
	bool moved = !was_bound || memcmp(st->coa, r->coa, 16) != 0;
	char h[HAVEN_IP6_STRLEN], c[HAVEN_IP6_STRLEN];

	st->bound = true;
	memcpy(st->coa, r->coa, 16);
	st->lifetime_s = lifetime_s;
	st->expires_at = now + rte_get_timer_hz() * lifetime_s;
	st->last_seq = r->seq;
	st->have_seq = true;
	if (r->has_ts)
		st->last_ts = r->ts;
	if (!was_bound)
		st->registered_at = now;
	haven_mn6_republish(app, st);
	if (!was_bound)
		announce(app, st);
	rte_timer_reset(&st->expiry, rte_get_timer_hz() * lifetime_s, SINGLE,
		rte_lcore_id(), expiry_cb, st);
	app->ip6->stats.accepted++;
	haven_event6(app, HAVEN_EV_REGISTRATION, r->hoa,
		HAVEN_MIP6_BA_ACCEPTED, "registered %s at %s for %us%s",
		haven_ip6_str(r->hoa, h), haven_ip6_str(r->coa, c), lifetime_s,
		was_bound ? "" : " (new)");
	notify(app, st, moved ? HAVEN_MN6_BOUND : HAVEN_MN6_REFRESHED);
	if (r->bu_flags & HAVEN_MIP6_BU_F_A)
		send_ba(app, r, HAVEN_MIP6_BA_ACCEPTED, r->seq,
			lifetime_s / HAVEN_MIP6_LIFETIME_UNIT_S,
			refresh_units(app, lifetime_s), st->key);
}

static void
pending_reply(const struct haven_mn6_state *st, struct bu_reply *r)
{
	const struct haven_mn6_pending *p = &st->pending;

	memcpy(r->src, haven.ip6->fp6.ha_addr, 16);
	memcpy(r->reply_to, p->reply_to, 16);
	memcpy(r->hoa, st->cfg->home_addr, 16);
	memcpy(r->coa, p->coa, 16);
	r->seq = p->seq;
	r->bu_flags = p->bu_flags;
	r->has_ts = p->has_ts;
	r->ts = p->ts;
}

/* RetransTimer passed without an answer to the probe: the address is free. */
static void
dad_done_cb(struct rte_timer *t, void *arg)
{
	struct haven_mn6_state *st = arg;
	struct bu_reply r;

	(void)t;
	if (!st->pending.active)
		return;
	st->pending.active = false;
	pending_reply(st, &r);
	accept_binding(&haven, st, &r, st->pending.lifetime_s);
}

void
haven_mn6_dad_conflict(struct haven_app *app, const uint8_t addr[16])
{
	struct haven_mn6_state *st = haven_mn6_find(app, addr);
	struct bu_reply r;

	if (st == NULL || !st->pending.active)
		return;
	rte_timer_stop(&st->dad);
	st->pending.active = false;
	app->ip6->stats.dad_failed++;
	pending_reply(st, &r);
	/* The node's state is as before the update: nothing was bound. */
	deny(app, &r, HAVEN_MIP6_BA_DAD_FAILED, r.seq, st->key);
}

/* Duplicate address detection of a new home address (RFC 4862 5.4). */
static void
start_dad(struct haven_app *app, struct haven_mn6_state *st,
		const struct bu_reply *r, uint32_t lifetime_s)
{
	struct haven_mn6_pending *p = &st->pending;
	bool running = p->active;
	char h[HAVEN_IP6_STRLEN];

	/* A retransmitted update while it runs replaces the pending one. */
	p->active = true;
	p->seq = r->seq;
	p->bu_flags = r->bu_flags;
	p->has_ts = r->has_ts;
	p->ts = r->ts;
	p->lifetime_s = lifetime_s;
	memcpy(p->coa, r->coa, 16);
	memcpy(p->reply_to, r->reply_to, 16);
	if (running)
		return;
	app->ip6->stats.dad_started++;
	HAVEN_LOG(DEBUG, "duplicate address detection of %s\n",
		haven_ip6_str(st->cfg->home_addr, h));
	haven_send_dad_probe(app, st->cfg->home_addr);
	rte_timer_reset(&st->dad, rte_get_timer_hz() * HAVEN_DAD_WAIT_MS /
		1000, SINGLE, rte_lcore_id(), dad_done_cb, st);
}

static void
deregister(struct haven_app *app, struct haven_mn6_state *st,
		const struct bu_reply *r)
{
	char h[HAVEN_IP6_STRLEN], c[HAVEN_IP6_STRLEN];
	bool was_bound = st->bound;

	haven_mn6_release(app, st);	/* and a DAD in progress */
	st->last_seq = r->seq;
	st->have_seq = true;
	if (r->has_ts)
		st->last_ts = r->ts;
	app->ip6->stats.accepted++;
	haven_event6(app, HAVEN_EV_DEREGISTRATION, r->hoa,
		HAVEN_MIP6_BA_ACCEPTED, "deregistered %s from %s%s",
		haven_ip6_str(r->hoa, h), haven_ip6_str(r->coa, c),
		was_bound ? "" : " (was not bound)");
	if (r->bu_flags & HAVEN_MIP6_BU_F_A)
		send_ba(app, r, HAVEN_MIP6_BA_ACCEPTED, r->seq, 0, 0, st->key);
}

/* A parsed Binding Update from the packet pkt; buf is its Mobility Header. */
static void
binding_update(struct haven_app *app, const struct haven_mip6_pkt *pkt,
		const uint8_t *buf, const struct haven_mip6_mh *mh)
{
	struct haven_mip6_reg_state rs;
	struct haven_mn6_state *st;
	struct bu_reply r;
	uint64_t last_ts;
	uint16_t last_seq;
	int status;

	/*
	 * RFC 6275 9.5.1: the home address is in the Home Address option,
	 * or the source when the node sends from home without one.
	 */
	memset(&r, 0, sizeof(r));
	memcpy(r.src, pkt->dst, 16);
	memcpy(r.reply_to, pkt->src, 16);
	memcpy(r.hoa, pkt->has_hao ? pkt->hoa : pkt->src, 16);
	memcpy(r.coa, haven_mip6_bu_coa(mh, pkt), 16);
	r.seq = mh->seq;
	r.bu_flags = mh->flags;
	r.has_ts = mh->opts.has_replay;
	r.ts = mh->opts.timestamp;
	if (!haven_mip6_addr_unicast_routable(r.hoa) ||
	    !haven_mip6_addr_unicast_routable(r.coa)) {
		app->ip6->stats.mh_dropped++;
		return;
	}

	memset(&rs, 0, sizeof(rs));
	rs.home_agent = app->cfg.has_ha_addr6;
	rs.home_subnet = in_home_prefix(&app->cfg, r.hoa);
	rs.admin_ok = true;
	rs.binding_home = true;
	st = haven_mn6_find(app, r.hoa);
	if (st == NULL) {
		/* No security association: 132 or 133, unauthenticated. */
		status = haven_mip6_home_reg_status(mh, &rs);
		if (status < 0) {
			app->ip6->stats.mh_dropped++;
			return;
		}
		r.has_ts = false;
		deny(app, &r, status, mh->seq, NULL);
		return;
	}
	if (haven_mip6_auth_verify(st->key, r.coa, r.hoa, buf, mh) != 0) {
		/* RFC 4285: not authenticated, so not answered with the key. */
		r.has_ts = false;
		deny(app, &r, HAVEN_MIP6_BA_AUTH_FAIL, mh->seq, NULL);
		return;
	}
	if (!mh->opts.has_replay) {
		deny(app, &r, HAVEN_MIP6_BA_MESG_ID_REQD, mh->seq, st->key);
		return;
	}
	last_ts = st->pending.active && st->pending.has_ts &&
		st->pending.ts > st->last_ts ? st->pending.ts : st->last_ts;
	if (haven_mip6_replay_check(r.ts, last_ts, haven_mip6_ntp_now(),
			app->cfg.replay_window) != 0) {
		deny(app, &r, HAVEN_MIP6_BA_ID_MISMATCH, mh->seq, st->key);
		return;
	}
	last_seq = st->pending.active ? st->pending.seq : st->last_seq;
	rs.serves_node = true;
	rs.have_binding = st->bound || st->pending.active;
	rs.last_seq = last_seq;
	status = haven_mip6_home_reg_status(mh, &rs);
	if (status < 0) {
		app->ip6->stats.mh_dropped++;	/* H clear: not offered */
		return;
	}
	if (status != HAVEN_MIP6_BA_ACCEPTED) {
		deny(app, &r, status, status == HAVEN_MIP6_BA_SEQ_OUT_OF_WINDOW ?
			last_seq : mh->seq, st->key);
		return;
	}

	if (haven_mip6_bu_is_dereg(mh, r.coa, r.hoa)) {
		deregister(app, st, &r);
		return;
	}
	if (!st->bound && app->cfg.dad) {
		start_dad(app, st, &r, grant_lifetime(app, st, mh->lifetime));
		return;
	}
	accept_binding(app, st, &r, grant_lifetime(app, st, mh->lifetime));
}

/* ---------------------------------------------------------------------
 * Input
 */

static bool
is_our_address(const struct haven_app *app, const uint8_t a[16])
{
	const struct haven_fp6 *fp6 = &app->ip6->fp6;
	unsigned int i;

	if (memcmp(a, fp6->ha_addr, 16) == 0)
		return true;
	for (i = 0; i < app->fp.n_ports; i++)
		if (fp6->port_has_addr[i] &&
		    memcmp(a, fp6->port_addr[i], 16) == 0)
			return true;
	return false;
}

void
haven_ip6_input(struct haven_app *app, struct rte_mbuf *m)
{
	struct haven_app6 *a6 = app->ip6;
	struct haven_mip6_pkt pkt;
	struct haven_mip6_mh mh;
	const uint8_t *ip;
	char why[128];
	size_t len;
	int rc;

	if (a6 == NULL || rte_pktmbuf_linearize(m) != 0 ||
	    rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) +
			HAVEN_IP6_HDR_LEN)
		goto out;
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
			sizeof(struct rte_ether_hdr));
	len = rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr);
	if (haven_mip6_walk(ip, len, &pkt, why, sizeof(why)) != 0 ||
	    !is_our_address(app, pkt.dst))
		goto out;
	if (pkt.upper_proto != HAVEN_IPPROTO_MH) {
		/* RFC 6275 9.3.1: a Home Address option needs a binding. */
		if (pkt.has_hao &&
		    haven_binding6_lookup(a6->fp6.bindings, pkt.hoa) == NULL)
			send_be(app, &pkt, HAVEN_MIP6_BE_UNKNOWN_BINDING);
		goto out;
	}
	a6->stats.mh_received++;
	rc = haven_mip6_mh_parse(ip + pkt.upper_off, pkt.upper_len,
			pkt.ph_src, pkt.ph_dst, &mh, why, sizeof(why));
	if (rc == -ENOTSUP) {
		send_be(app, &pkt, HAVEN_MIP6_BE_UNKNOWN_MH_TYPE);
		goto out;
	}
	if (rc == -EPROTO) {
		a6->stats.mh_dropped++;
		send_param_problem(app, &pkt, pkt.upper_off + mh.icmp_pointer,
			ip, len);
		goto out;
	}
	if (rc != 0) {
		a6->stats.mh_dropped++;
		HAVEN_LOG(DEBUG, "Mobility Header discarded: %s\n", why);
		goto out;
	}
	if (mh.type == HAVEN_MIP6_MH_BU)
		binding_update(app, &pkt, ip + pkt.upper_off, &mh);
	else
		a6->stats.mh_dropped++;	/* BA, BE, BRR: not for a home agent */
out:
	rte_pktmbuf_free(m);
}
