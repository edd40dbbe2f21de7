/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Delegation of IPv6 bindings (EP 1134991 [0039] [0040], claims 3 and 11):
 * the same protocol and the same state machines as IPv4 (lib/deleg, Family
 * 6 messages), carried out on the IPv6 tables.
 *
 *  - PHA: every change of a Mobile IPv6 binding reaches its secondary
 *    (registration6.c's on_change hook); DELEGATED republishes the binding
 *    with the secondary as forwarder, so the workers stop answering proxy
 *    Neighbor Solicitations but keep tunnelling what stale neighbour
 *    caches still send here ([0037]); TAKEN_BACK makes it ours again and
 *    announces it with unsolicited Neighbor Advertisements.
 *  - SHA: INSTALL publishes the primary's binding with the primary's IPv6
 *    address as outer source (claim 5) and announces it with unsolicited
 *    NAs at once and a second later ([0037]); REMOVE withdraws it.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "haven.h"
#include "haven6.h"

static struct haven_mn6_state *
mn6_of(const struct haven_deleg_binding *b)
{
	return b->user;
}

/* What the SHA is told, from the node's IPv6 state. */
static void
mn6_deleg_info(struct haven_app *app, struct haven_mn6_state *st)
{
	struct haven_deleg_binding_info *in = &st->deleg.info;
	uint64_t now = rte_get_timer_cycles(), hz = rte_get_timer_hz();

	in->home_addr = haven_addr6(st->cfg->home_addr);
	in->outer_src = haven_addr6(app->ip6->fp6.ha_addr);
	in->encap = HAVEN_DELEG_ENCAP_IP6IP6;
	in->flags = HAVEN_DELEG_F_REVERSE_TUNNEL;
	in->n_coa = 1;
	in->coa[0] = haven_addr6(st->coa);
	in->duration_s = st->expires_at > now ?
		(st->expires_at - now + hz - 1) / hz : 0;
}

/* registration6.c tells us about every change of a node's binding. */
static void
on_change(struct haven_app *app, struct haven_mn6_state *st,
		enum haven_mn6_change what)
{
	uint64_t now = haven_now_ms();

	if (what == HAVEN_MN6_RELEASED) {
		if (st->deleg.state != HAVEN_DELEG_S_LOCAL)
			haven_deleg_pha_undelegate(&app->pha, &st->deleg,
				HAVEN_DELEG_STOP_DEREGISTERED, now);
		return;
	}
	if (st->deleg.state != HAVEN_DELEG_S_LOCAL) {
		mn6_deleg_info(app, st);	/* [0029]: the SHA switches */
		haven_deleg_pha_update(&app->pha, &st->deleg, now);
	} else if (what == HAVEN_MN6_BOUND &&
		   app->policy == HAVEN_POLICY_EQUAL) {
		haven_delegate6_to(app, st, haven_balancer_fewest(app));
	}
}

int
haven_delegate6_to(struct haven_app *app, struct haven_mn6_state *st,
		struct haven_deleg_peer *peer)
{
	if (peer == NULL || !st->bound ||
	    st->deleg.state != HAVEN_DELEG_S_LOCAL)
		return -EINVAL;
	mn6_deleg_info(app, st);
	return haven_deleg_pha_delegate(&app->pha, &st->deleg, peer,
			haven_now_ms());
}

void
haven_deleg6_pha_event(struct haven_app *app, int event,
		struct haven_deleg_binding *b, struct haven_deleg_peer *peer,
		uint8_t status)
{
	struct haven_mn6_state *st = mn6_of(b);
	const char *name = peer != NULL ? peer->name : "?";
	char a[HAVEN_IP6_STRLEN];

	haven_ip6_str(b->info.home_addr.v6, a);
	switch (event) {
	case HAVEN_DELEG_EV_DELEGATED:
		haven_event6(app, HAVEN_EV_DELEGATION, b->info.home_addr.v6,
			HAVEN_DELEG_OK, "delegated %s to %s", a, name);
		st->forwarder = haven_forwarder_of_peer(app, peer);
		haven_mn6_republish(app, st);
		break;
	case HAVEN_DELEG_EV_REFUSED:
		haven_event6(app, HAVEN_EV_DELEGATION, b->info.home_addr.v6,
			status, "%s refused %s: %s", name, a,
			haven_deleg_status_name(status));
		st->forwarder = HAVEN_FORWARDER_SELF;
		break;
	case HAVEN_DELEG_EV_TAKEN_BACK:
		haven_event6(app, HAVEN_EV_TAKEBACK, b->info.home_addr.v6, status,
			"took %s back from %s (%s)", a, name,
			haven_deleg_status_name(status));
		st->forwarder = HAVEN_FORWARDER_SELF;
		if (st->bound) {
			haven_mn6_republish(app, st);
			haven_send_unsolicited_na(app, st->cfg->home_addr);
			haven_send_unsolicited_na(app, st->cfg->home_addr);
		}
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------------
 * SHA
 */

static struct haven_repeat na_repeats[HAVEN_REPEAT_SLOTS];

void
haven_deleg6_tick(struct haven_app *app, uint64_t now)
{
	const uint8_t *ip;
	unsigned int i = 0;

	while ((ip = haven_repeat_due(na_repeats, now, &i)) != NULL) {
		struct haven_addr hoa = haven_addr6(ip);

		if (haven_deleg_sha_find(&app->sha, &hoa) != NULL)
			haven_send_unsolicited_na(app, ip);
	}
}

static int
sha_install6(struct haven_app *app, struct haven_deleg_sha_entry *e,
		bool is_new)
{
	const struct haven_deleg_binding_info *in = &e->info;
	struct haven_binding6 b;
	char a[HAVEN_IP6_STRLEN];
	unsigned int i;
	uint8_t nh[16], port;
	int idx, rc;

	if (haven_mn6_find(app, in->home_addr.v6) != NULL)
		return -EEXIST;	/* one of our own nodes: never another's */
	memset(&b, 0, sizeof(b));
	memcpy(b.home_addr, in->home_addr.v6, 16);
	memcpy(b.outer_src, in->outer_src.v6, 16);	/* the PHA: claim 5 */
	b.flags = HAVEN_BINDING_F_INTERCEPT |
		((in->flags & HAVEN_DELEG_F_REVERSE_TUNNEL) ?
			HAVEN_BINDING_F_REVERSE_TUNNEL : 0);
	b.forwarder = HAVEN_FORWARDER_SELF;
	for (i = 0; i < in->n_coa && i < HAVEN_BINDING_MAX_COA; i++) {
		struct haven_binding6_coa *c = &b.coa[b.n_coa];

		if (haven_route6_lookup(&app->fp, in->coa[i].v6, nh, &port) != 0)
			continue;
		idx = haven_ctl_neigh6_for(app, nh, port);
		if (idx < 0)
			continue;
		memcpy(c->addr, in->coa[i].v6, 16);
		memcpy(c->next_hop, nh, 16);
		c->neigh = idx;
		c->port = app->fp.ports[port].port_id;
		b.n_coa++;
	}
	b.lifetime = in->duration_s;
	rc = haven_binding6_publish(app->ip6->fp6.bindings, &b);
	if (rc == -ENOMEM) {
		haven_binding6_reclaim(app->ip6->fp6.bindings);
		rc = haven_binding6_publish(app->ip6->fp6.bindings, &b);
	}
	if (rc != 0)
		return rc;
	if (is_new) {
		haven_send_unsolicited_na(app, in->home_addr.v6);
		haven_repeat_later(na_repeats, in->home_addr.v6, 16,
			haven_now_ms() + HAVEN_GARP_REPEAT_MS);
	}
	HAVEN_LOG(INFO, "%s %s for %s (generation %u, %u s)\n",
		is_new ? "forwarding" : "switched",
		haven_ip6_str(in->home_addr.v6, a), e->primary->name,
		in->generation, in->duration_s);
	return 0;
}

int
haven_deleg6_sha_event(struct haven_app *app, int event,
		struct haven_deleg_sha_entry *e, bool is_new)
{
	char a[HAVEN_IP6_STRLEN];

	if (event == HAVEN_DELEG_EV_INSTALL)
		return sha_install6(app, e, is_new);
	haven_binding6_remove(app->ip6->fp6.bindings, e->info.home_addr.v6);
	HAVEN_LOG(INFO, "stopped forwarding %s for %s\n",
		haven_ip6_str(e->info.home_addr.v6, a), e->primary->name);
	return 0;
}

void
haven_deleg6_collect(struct haven_app *app, struct haven_deleg_sha_entry *e)
{
	const struct haven_binding6 *b;
	struct haven_binding_counters sum;

	b = haven_binding6_lookup(app->ip6->fp6.bindings, e->info.home_addr.v6);
	if (b == NULL)
		return;
	haven_binding6_counters_sum(app->ip6->fp6.bindings, b->slot, &sum);
	e->packets = sum.pkts;
	e->bytes = sum.bytes;
}

/* ---------------------------------------------------------------------
 * Set-up and actions
 */

void
haven_deleg6_init(struct haven_app *app, struct haven_deleg_ops *pha_ops)
{
	unsigned int i;

	if (app->ip6 == NULL)
		return;
	(void)pha_ops;	/* one lookup of both families (delegation.c) */
	if (app->is_pha) {
		app->ip6->on_change = on_change;
		for (i = 0; i < app->cfg.n_mns6; i++)
			app->ip6->mns[i]->deleg.user = app->ip6->mns[i];
	}
	if (app->is_sha)
		app->sha.ipv6 = true;
}

int
haven_delegate6(struct haven_app *app, const uint8_t hoa[16],
		const char *sha_name, char *err, size_t errlen)
{
	struct haven_mn6_state *st = app->ip6 != NULL ?
		haven_mn6_find(app, hoa) : NULL;
	struct haven_deleg_peer *peer;
	char a[HAVEN_IP6_STRLEN];
	int rc;

	if (!app->is_pha || !app->cfg.delegation.enabled) {
		snprintf(err, errlen, "this agent has no delegation section");
		return -ENOTSUP;
	}
	if (st == NULL || !st->bound) {
		snprintf(err, errlen, "no binding for %s",
			haven_ip6_str(hoa, a));
		return -ENOENT;
	}
	peer = haven_secondary_find(app, sha_name);
	if (peer == NULL) {
		snprintf(err, errlen, "no secondary named \"%s\"", sha_name);
		return -ENOENT;
	}
	rc = haven_delegate6_to(app, st, peer);
	if (rc == -EBUSY || rc == -EINVAL)
		snprintf(err, errlen, "binding is %s",
			haven_deleg_state_name(st->deleg.state));
	else if (rc == -EHOSTDOWN)
		snprintf(err, errlen, "secondary %s is not alive", peer->name);
	else if (rc != 0)
		snprintf(err, errlen, "%s", strerror(-rc));
	return rc;
}

int
haven_undelegate6(struct haven_app *app, const uint8_t hoa[16], char *err,
		size_t errlen)
{
	struct haven_mn6_state *st = app->ip6 != NULL ?
		haven_mn6_find(app, hoa) : NULL;
	char a[HAVEN_IP6_STRLEN];

	if (st == NULL || !app->is_pha ||
	    st->deleg.state == HAVEN_DELEG_S_LOCAL) {
		snprintf(err, errlen, "%s is not delegated",
			haven_ip6_str(hoa, a));
		return -ENOENT;
	}
	haven_deleg_pha_undelegate(&app->pha, &st->deleg,
		HAVEN_DELEG_STOP_UNDELEGATE, haven_now_ms());
	return 0;
}
