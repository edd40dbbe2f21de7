/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policies by which a primary home agent chooses what to delegate
 * (EP 1134991 [0024], claim 4), once a second on the control lcore:
 *
 *  - manual: only the operator's `delegate` and `undelegate` commands;
 *  - equal: every binding, IPv4 and IPv6, is delegated, the secondaries
 *    holding equal numbers of them (within one); bindings taken back from
 *    a dead secondary go to the others;
 *  - threshold: a binding whose packet rate stays above binding_pps for
 *    hold_s seconds is delegated to the least loaded secondary, and so are
 *    the busiest bindings while the primary's own total stays above
 *    total_pps; an auto-delegated binding comes back only after its rate,
 *    as the secondary reports it, stays under hysteresis_pct of
 *    binding_pps for hold_s seconds, so that bindings do not flap (IPv4
 *    bindings: IPv6 ones are delegated by command or the equal policy).
 *
 * Load is what the secondaries report: the bindings they hold and the
 * packets they tunnel ([0024]: the PHA watches the SHAs' counts).
 */

#include <string.h>

#include "haven.h"
#include "haven6.h"

#define BALANCER_PERIOD_MS 1000		/**< one turn a second */

static bool
peer_usable(const struct haven_deleg_peer *p)
{
	return p->alive && !p->removed;
}

struct haven_deleg_peer *
haven_balancer_fewest(struct haven_app *app)
{
	struct haven_deleg_peer *best = NULL;
	unsigned int i;

	for (i = 0; i < app->pha.n_peers; i++) {
		struct haven_deleg_peer *p = &app->secondaries[i];

		if (peer_usable(p) &&
		    (best == NULL || p->n_delegated < best->n_delegated))
			best = p;
	}
	return best;
}

/* The usable secondary with the least reported traffic, then bindings. */
static struct haven_deleg_peer *
least_traffic(struct haven_app *app)
{
	struct haven_deleg_peer *best = NULL;
	unsigned int i;

	for (i = 0; i < app->pha.n_peers; i++) {
		struct haven_deleg_peer *p = &app->secondaries[i];

		if (!peer_usable(p))
			continue;
		if (best == NULL || app->peer_rate[i] < app->peer_rate[
				best - app->secondaries] ||
		    (app->peer_rate[i] == app->peer_rate[best -
				app->secondaries] &&
		     p->load < best->load))
			best = p;
	}
	return best;
}

static bool
delegate_to(struct haven_app *app, struct haven_mn_state *st,
		struct haven_deleg_peer *peer, uint64_t now)
{
	if (peer == NULL || st->deleg.state != HAVEN_DELEG_S_LOCAL)
		return false;
	haven_mn_deleg_info(app, st);
	if (haven_deleg_pha_delegate(&app->pha, &st->deleg, peer, now) != 0)
		return false;
	st->auto_delegated = true;
	st->cond_since_ms = 0;
	return true;
}

bool
haven_balancer_on_registration(struct haven_app *app,
		struct haven_mn_state *st)
{
	if (!app->is_pha || app->policy != HAVEN_POLICY_EQUAL)
		return false;
	return delegate_to(app, st, haven_balancer_fewest(app), haven_now_ms());
}

/* Rates of every bound node (own counters) and of every secondary. */
static void
measure(struct haven_app *app, uint64_t dt_ms)
{
	struct haven_binding_counters sum;
	const struct haven_binding *b;
	unsigned int i;

	for (i = 0; i < app->cfg.n_mns; i++) {
		struct haven_mn_state *st = app->mns[i];

		b = st->n_coa > 0 ? haven_binding_lookup(app->fp.bindings,
				st->cfg->home_addr) : NULL;
		if (b == NULL) {
			st->rate_pps = 0;
			st->last_pkts = 0;
			continue;
		}
		haven_binding_counters_sum(app->fp.bindings, b->slot, &sum);
		st->rate_pps = sum.pkts >= st->last_pkts ?
			(sum.pkts - st->last_pkts) * 1000 / dt_ms : 0;
		st->last_pkts = sum.pkts;
	}
	for (i = 0; i < app->pha.n_peers; i++) {
		const struct haven_deleg_peer *p = &app->secondaries[i];

		app->peer_rate[i] = p->reported_packets >= app->peer_last[i] ?
			(p->reported_packets - app->peer_last[i]) * 1000 /
			dt_ms : 0;
		app->peer_last[i] = p->reported_packets;
	}
}

/* Has cond held for hold_s? Tracks when it started in *since. */
static bool
held(const struct haven_app *app, bool cond, uint64_t *since, uint64_t now)
{
	if (!cond) {
		*since = 0;
		return false;
	}
	if (*since == 0)
		*since = now;
	return now - *since >= (uint64_t)app->threshold.hold_s * 1000;
}

/* Reported rate of a delegated binding, from the secondary's reports. */
static uint64_t
reported_rate(struct haven_mn_state *st)
{
	uint64_t r = st->deleg.reported_packets >= st->last_reported ?
		st->deleg.reported_packets - st->last_reported : 0;

	st->last_reported = st->deleg.reported_packets;
	return r;	/* per balancer period, i.e. per second */
}

static void
threshold_turn(struct haven_app *app, uint64_t now)
{
	const struct haven_config_threshold *t = &app->threshold;
	struct haven_mn_state *busiest = NULL;
	uint64_t total = 0, low = (uint64_t)t->binding_pps *
		t->hysteresis_pct / 100;
	unsigned int i;

	for (i = 0; i < app->cfg.n_mns; i++) {
		struct haven_mn_state *st = app->mns[i];

		if (st->n_coa == 0)
			continue;
		if (st->deleg.state == HAVEN_DELEG_S_LOCAL) {
			total += st->rate_pps;
			if (busiest == NULL || st->rate_pps > busiest->rate_pps)
				busiest = st;
			if (held(app, st->rate_pps > t->binding_pps,
					&st->cond_since_ms, now))
				delegate_to(app, st, least_traffic(app), now);
		} else if (st->deleg.state == HAVEN_DELEG_S_DELEGATED &&
			   st->auto_delegated) {
			if (held(app, reported_rate(st) < low,
					&st->cond_since_ms, now)) {
				haven_deleg_pha_undelegate(&app->pha,
					&st->deleg, HAVEN_DELEG_STOP_UNDELEGATE,
					now);
				st->auto_delegated = false;
				st->cond_since_ms = 0;
			}
		}
	}
	if (t->total_pps != 0 && busiest != NULL &&
	    held(app, total > t->total_pps, &app->total_cond_since_ms, now)) {
		delegate_to(app, busiest, least_traffic(app), now);
		app->total_cond_since_ms = 0;
	}
}

static void
equal_turn(struct haven_app *app, uint64_t now)
{
	struct haven_deleg_peer *most = NULL, *fewest;
	unsigned int i;

	for (i = 0; i < app->cfg.n_mns; i++) {
		struct haven_mn_state *st = app->mns[i];

		if (st->n_coa > 0 && st->deleg.state == HAVEN_DELEG_S_LOCAL)
			delegate_to(app, st, haven_balancer_fewest(app), now);
	}
	for (i = 0; app->ip6 != NULL && i < app->cfg.n_mns6; i++) {
		struct haven_mn6_state *st6 = app->ip6->mns[i];

		if (st6->bound && st6->deleg.state == HAVEN_DELEG_S_LOCAL)
			haven_delegate6_to(app, st6, haven_balancer_fewest(app));
	}
	fewest = haven_balancer_fewest(app);
	for (i = 0; i < app->pha.n_peers; i++) {
		struct haven_deleg_peer *p = &app->secondaries[i];

		if (peer_usable(p) &&
		    (most == NULL || p->n_delegated > most->n_delegated))
			most = p;
	}
	/* Even out, one binding a turn: back here, then to the fewest. */
	if (most != NULL && fewest != NULL &&
	    most->n_delegated >= fewest->n_delegated + 2 &&
	    !TAILQ_EMPTY(&most->bindings))
		haven_deleg_pha_undelegate(&app->pha,
			TAILQ_FIRST(&most->bindings),
			HAVEN_DELEG_STOP_UNDELEGATE, now);
}

void
haven_balancer_tick(struct haven_app *app, uint64_t now)
{
	uint64_t dt;

	if (now < app->balancer_next_ms)
		return;
	dt = app->balancer_last_ms == 0 ? BALANCER_PERIOD_MS :
		now - app->balancer_last_ms;
	app->balancer_last_ms = now;
	app->balancer_next_ms = now + BALANCER_PERIOD_MS;
	measure(app, dt == 0 ? 1 : dt);
	switch (app->policy) {
	case HAVEN_POLICY_EQUAL:
		equal_turn(app, now);
		break;
	case HAVEN_POLICY_THRESHOLD:
		threshold_turn(app, now);
		break;
	case HAVEN_POLICY_MANUAL:
		break;
	}
}
