/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The balancer (balancer.h): once a second on the control lcore, and on
 * every new or changed binding for the equal policy,
 *  - manual: only the operator's `delegate` and `undelegate` commands;
 *  - equal: every binding, IPv4 and IPv6, is delegated, the secondaries
 *    holding equal numbers of them (within one); bindings taken back from
 *    a dead secondary go to the others; when a secondary joins or comes
 *    back, or the spread drifts beyond rebalance_tolerance_pct, the
 *    balancer computes each secondary's target and moves bindings there
 *    make-before-break (lib/deleg's planned moves, at its move rate),
 *    no more than the difference;
 *  - threshold: a binding whose packet rate stays above binding_pps for
 *    hold_s seconds is delegated to the least loaded secondary, and so are
 *    the busiest bindings while the primary's own total stays above
 *    total_pps; an auto-delegated binding comes back only after its rate,
 *    as the secondary reports it, stays under hysteresis_pct of
 *    binding_pps for hold_s seconds, so that bindings do not flap.
 * Load is what the secondaries report: the bindings they hold and the
 * packets they tunnel ([0024]: the PHA watches the SHAs' counts). With
 * delegation.wait_for_ack the registration reply of a node waits for its
 * secondary's answer (the delegation module holds it, [0026]).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "balancer.h"
#include "deleg.h"
#include "event.h"
#include "loop.h"
#include "node.h"
#include "reload.h"
#include "rt.h"

/* Rates of a node (its extension). Writer: this file. */
struct balancer_ext {
	uint64_t last_pkts;		/**< counter at the last turn */
	uint64_t rate_pps;		/**< packets per second, last turn */
	uint64_t cond_since_ms;		/**< a threshold condition holds since */
	bool auto_delegated;		/**< delegated by a policy */
	uint64_t last_reported;		/**< secondary's count, last turn */
};

/* Writer: this file (actions, reload commit, turns). */
static struct {
	enum haven_deleg_policy policy;
	struct haven_config_threshold threshold;
	uint64_t last_turn_ms;
	uint64_t total_cond_since_ms;
	uint64_t peer_last[HAVEN_MAX_SECONDARIES];	/**< reported packets */
	uint64_t peer_rate[HAVEN_MAX_SECONDARIES];	/**< packets/s */
	/* equal: shares and the rebalance in progress */
	uint8_t tolerance_pct;				/**< in force */
	uint64_t share[HAVEN_MAX_SECONDARIES];		/**< headed there */
	bool was_usable[HAVEN_MAX_SECONDARIES];		/**< last turn */
	bool seen_usable[HAVEN_MAX_SECONDARIES];	/**< last tick */
	bool rebalancing;
	uint64_t rebalance_since_ms;
	uint64_t rebalance_moves;			/**< planned in it */
	struct haven_balancer_stats stats;
} bal;
static int ext_off = -1;

static struct balancer_ext *
ext_of(struct haven_node *n)
{
	return haven_node_ext(n, ext_off);
}

enum haven_deleg_policy
haven_balancer_policy(void)
{
	return bal.policy;
}

const struct haven_config_threshold *
haven_balancer_threshold(void)
{
	return &bal.threshold;
}

const struct haven_balancer_stats *
haven_balancer_stats(void)
{
	bal.stats.rebalancing = bal.rebalancing;
	bal.stats.tolerance_pct = bal.tolerance_pct;
	return &bal.stats;
}

/* ---------------------------------------------------------------------
 * Secondaries
 */

static unsigned int
n_peers(void)
{
	const struct haven_deleg_pha *pha = haven_deleg_pha_ctx();

	return pha != NULL ? pha->n_peers : 0;
}

static bool
usable(const struct haven_deleg_peer *p)
{
	return p->alive && !p->removed;
}

/* The usable secondary with the least reported traffic, then bindings. */
static struct haven_deleg_peer *
least_traffic(void)
{
	struct haven_deleg_peer *peers = haven_deleg_secondaries(), *best = NULL;
	unsigned int i, b = 0;

	for (i = 0; i < n_peers(); i++) {
		if (!usable(&peers[i]))
			continue;
		if (best == NULL || bal.peer_rate[i] < bal.peer_rate[b] ||
		    (bal.peer_rate[i] == bal.peer_rate[b] &&
		     peers[i].load < best->load)) {
			best = &peers[i];
			b = i;
		}
	}
	return best;
}

static bool
is_local(const struct haven_node *n)
{
	const struct haven_deleg_binding *b = haven_deleg_of(n);

	return b != NULL && b->state == HAVEN_DELEG_S_LOCAL;
}

static bool
delegate(struct haven_node *n, struct haven_deleg_peer *peer)
{
	struct balancer_ext *x = ext_of(n);

	if (peer == NULL || !is_local(n) ||
	    haven_deleg_delegate_node(n, peer) != 0)
		return false;
	x->auto_delegated = true;
	x->cond_since_ms = 0;
	return true;
}

/* ---------------------------------------------------------------------
 * Rates
 */

static void
measure_node(struct haven_node *n, void *arg)
{
	uint64_t dt_ms = *(const uint64_t *)arg;
	struct balancer_ext *x;
	struct haven_binding_counters sum;

	if (!haven_node_is_home(n))
		return;
	x = ext_of(n);
	if (!haven_node_bound(n)) {
		x->rate_pps = 0;
		x->last_pkts = 0;
		return;
	}
	haven_node_counters(n, &sum);
	x->rate_pps = sum.pkts >= x->last_pkts ?
		(sum.pkts - x->last_pkts) * 1000 / dt_ms : 0;
	x->last_pkts = sum.pkts;
}

static void
measure(uint64_t dt_ms)
{
	const struct haven_deleg_peer *peers = haven_deleg_secondaries();
	unsigned int i;

	haven_node_foreach(HAVEN_AF_NONE, measure_node, &dt_ms);
	for (i = 0; i < n_peers(); i++) {
		bal.peer_rate[i] = peers[i].reported_packets >= bal.peer_last[i] ?
			(peers[i].reported_packets - bal.peer_last[i]) * 1000 /
			dt_ms : 0;
		bal.peer_last[i] = peers[i].reported_packets;
	}
}

/* Has cond held for hold_s? Tracks when it started in *since. */
static bool
held(bool cond, uint64_t *since, uint64_t now)
{
	if (!cond) {
		*since = 0;
		return false;
	}
	if (*since == 0)
		*since = now;
	return now - *since >= (uint64_t)bal.threshold.hold_s * 1000;
}

/* ---------------------------------------------------------------------
 * Policies
 */

struct threshold_turn {
	uint64_t now, total, low;
	struct haven_node *busiest;
};

static void
threshold_node(struct haven_node *n, void *arg)
{
	struct threshold_turn *t = arg;
	const struct haven_deleg_binding *b = haven_deleg_of(n);
	struct balancer_ext *x;
	uint64_t reported;

	if (b == NULL || !haven_node_bound(n))
		return;
	x = ext_of(n);
	if (b->state == HAVEN_DELEG_S_LOCAL) {
		t->total += x->rate_pps;
		if (t->busiest == NULL ||
		    x->rate_pps > ext_of(t->busiest)->rate_pps)
			t->busiest = n;
		if (held(x->rate_pps > bal.threshold.binding_pps,
				&x->cond_since_ms, t->now))
			delegate(n, least_traffic());
		return;
	}
	if (b->state != HAVEN_DELEG_S_DELEGATED || !x->auto_delegated)
		return;
	/* Its rate as the secondary reports it, per turn (per second). */
	reported = b->reported_packets >= x->last_reported ?
		b->reported_packets - x->last_reported : 0;
	x->last_reported = b->reported_packets;
	if (held(reported < t->low, &x->cond_since_ms, t->now)) {
		haven_deleg_undelegate_node(n, HAVEN_DELEG_STOP_UNDELEGATE);
		x->auto_delegated = false;
		x->cond_since_ms = 0;
	}
}

static void
threshold_turn(uint64_t now)
{
	const struct haven_config_threshold *th = &bal.threshold;
	struct threshold_turn t = {
		.now = now,
		.low = (uint64_t)th->binding_pps * th->hysteresis_pct / 100,
	};

	haven_node_foreach(HAVEN_AF_NONE, threshold_node, &t);
	if (th->total_pps != 0 && t.busiest != NULL &&
	    held(t.total > th->total_pps, &bal.total_cond_since_ms, now)) {
		delegate(t.busiest, least_traffic());
		bal.total_cond_since_ms = 0;
	}
}

/*
 * The equal policy's share of each secondary: the bindings headed there,
 * those STARTING, DELEGATED or UPDATING on it and those moving to it, not
 * those moving away or STOPPING. Counted afresh every turn (a walk of the
 * secondaries' lists), then kept up to date by the delegations of the
 * turn and of the node hook.
 */
static void
count_shares(void)
{
	struct haven_deleg_peer *peers = haven_deleg_secondaries();
	const struct haven_deleg_binding *b;
	unsigned int i;

	memset(bal.share, 0, sizeof(bal.share));
	for (i = 0; i < n_peers(); i++)
		TAILQ_FOREACH(b, &peers[i].bindings, peer_link) {
			const struct haven_deleg_peer *to = b->move_to != NULL ?
				b->move_to : b->peer;

			if (b->state == HAVEN_DELEG_S_STOPPING || to == NULL)
				continue;
			bal.share[to - peers]++;
		}
}

/* A planned move is queued or under way. */
static bool
moving_any(void)
{
	struct haven_deleg_peer *peers = haven_deleg_secondaries();
	const struct haven_deleg_binding *b;
	unsigned int i;

	if (haven_deleg_pha_ctx()->n_moves_queued != 0)
		return true;
	for (i = 0; i < n_peers(); i++)
		TAILQ_FOREACH(b, &peers[i].bindings, peer_link)
			if (b->move_to != NULL)
				return true;
	return false;
}

/* The usable secondary with the smallest share. */
static struct haven_deleg_peer *
fewest_share(void)
{
	struct haven_deleg_peer *peers = haven_deleg_secondaries(), *best = NULL;
	unsigned int i;

	for (i = 0; i < n_peers(); i++)
		if (usable(&peers[i]) && (best == NULL ||
		    bal.share[i] < bal.share[best - peers]))
			best = &peers[i];
	return best;
}

/* Delegate a local node to the smallest share (equal policy). */
static void
equal_delegate(struct haven_node *n)
{
	struct haven_deleg_peer *p = fewest_share();

	if (p != NULL && delegate(n, p))
		bal.share[p - haven_deleg_secondaries()]++;
}

static void
equal_node(struct haven_node *n, void *arg)
{
	(void)arg;
	if (haven_node_bound(n) && is_local(n))
		equal_delegate(n);
}

/*
 * The spread is uneven enough to rebalance: a usable secondary further
 * from the even share than the tolerance, and two of them differing by
 * two or more (an even share within one is as even as it gets).
 */
static bool
spread_drifted(uint64_t total, unsigned int live)
{
	struct haven_deleg_peer *peers = haven_deleg_secondaries();
	uint64_t lo = UINT64_MAX, hi = 0, slack;
	uint64_t even = total / live;
	bool beyond = false;
	unsigned int i;

	slack = even * bal.tolerance_pct / 100;
	for (i = 0; i < n_peers(); i++) {
		if (!usable(&peers[i]))
			continue;
		lo = RTE_MIN(lo, bal.share[i]);
		hi = RTE_MAX(hi, bal.share[i]);
		if (bal.share[i] > even + 1 + slack ||
		    bal.share[i] + slack < even)
			beyond = true;
	}
	return hi >= lo + 2 && (beyond || bal.tolerance_pct == 0);
}

/*
 * A planned rebalance (docs/delegation-protocol.md 11.5): the target of
 * each usable secondary is the even share, one more for the first
 * total % live of them in order of their share (largest first, so that
 * the fewest bindings move); each secondary above its target gives what
 * it holds beyond it, DELEGATED bindings not already moving, to those
 * below theirs, make-before-break at the configured move rate. So no
 * more moves than the difference are started, and the moves under way
 * count at their destination in the next turn's shares.
 */
static unsigned int
rebalance(uint64_t total, unsigned int live)
{
	struct haven_deleg_peer *peers = haven_deleg_secondaries();
	uint64_t target[HAVEN_MAX_SECONDARIES], even = total / live;
	unsigned int order[HAVEN_MAX_SECONDARIES], n = 0, i, j, extra;
	unsigned int moves = 0, r = 0;
	struct haven_deleg_binding *b, *next;

	for (i = 0; i < n_peers(); i++)
		if (usable(&peers[i]))
			order[n++] = i;
	/* Largest share first (a few secondaries: insertion sort). */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && bal.share[order[j]] >
		     bal.share[order[j - 1]]; j--) {
			unsigned int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	extra = (unsigned int)(total % live);
	for (i = 0; i < n; i++)
		target[order[i]] = even + (i < extra);
	for (i = 0; i < n; i++) {
		unsigned int d = order[i];

		if (bal.share[d] <= target[d])
			continue;
		for (b = TAILQ_FIRST(&peers[d].bindings);
		     b != NULL && bal.share[d] > target[d]; b = next) {
			next = TAILQ_NEXT(b, peer_link);
			if (b->state != HAVEN_DELEG_S_DELEGATED ||
			    b->move_to != NULL)
				continue;
			/* The next secondary below its target. */
			while (r < n && bal.share[order[n - 1 - r]] >=
			       target[order[n - 1 - r]])
				r++;
			if (r == n)
				return moves;
			j = order[n - 1 - r];
			if (haven_deleg_move_node(haven_deleg_node_of(b),
					&peers[j]) != 0)
				continue;
			bal.share[d]--;
			bal.share[j]++;
			moves++;
		}
	}
	return moves;
}

static void
equal_turn(uint64_t now)
{
	struct haven_deleg_peer *peers = haven_deleg_secondaries();
	unsigned int i, live = 0, moves;
	uint64_t total = 0, lo, hi;
	bool joined = false;

	count_shares();
	haven_node_foreach(HAVEN_AF_NONE, equal_node, NULL);
	for (i = 0; i < n_peers(); i++) {
		bool up = usable(&peers[i]);

		/* A secondary joins or comes back: rebalance onto it. */
		if (up && !bal.was_usable[i])
			joined = true;
		bal.was_usable[i] = up;
		if (!up)
			continue;
		live++;
		total += bal.share[i];
	}
	if (live < 2)
		return;
	if (!bal.rebalancing && (joined || spread_drifted(total, live))) {
		bal.rebalancing = true;
		bal.rebalance_since_ms = now;
		bal.rebalance_moves = 0;
	}
	if (!bal.rebalancing)
		return;
	moves = rebalance(total, live);
	if (moves > 0 && bal.rebalance_moves == 0)
		haven_event(HAVEN_EV_DELEGATION, NULL, -1,
			"rebalance: %u moves planned over %u secondaries "
			"(%" PRIu64 " bindings, %" PRIu64 " each)", moves, live,
			total, total / live);
	bal.rebalance_moves += moves;
	bal.stats.moves_planned += moves;
	/* Done when every move has landed and the spread is within one. */
	if (moves != 0 || moving_any())
		return;
	lo = UINT64_MAX;
	hi = 0;
	for (i = 0; i < n_peers(); i++)
		if (usable(&peers[i])) {
			lo = RTE_MIN(lo, bal.share[i]);
			hi = RTE_MAX(hi, bal.share[i]);
		}
	if (hi > lo + 1)
		return;
	if (bal.rebalance_moves > 0) {
		haven_event(HAVEN_EV_DELEGATION, NULL, -1,
			"rebalance: even again after %" PRIu64 " moves in "
			"%.1f s", bal.rebalance_moves,
			(double)(now - bal.rebalance_since_ms) / 1000.0);
		bal.stats.rebalances++;
	}
	bal.rebalancing = false;
}

void
haven_balancer_turn(uint64_t now, uint64_t dt_ms)
{
	if (!haven_deleg_is_pha())
		return;
	measure(dt_ms == 0 ? 1 : dt_ms);
	switch (bal.policy) {
	case HAVEN_POLICY_EQUAL:
		equal_turn(now);
		break;
	case HAVEN_POLICY_THRESHOLD:
		threshold_turn(now);
		break;
	case HAVEN_POLICY_MANUAL:
		break;
	}
}

/*
 * Every loop tick: a secondary just lost (silent, removed) had its
 * bindings taken back by the delegation module; under the equal policy
 * they go to the others at once, not at the next turn.
 */
static void
lost_tick(uint64_t now)
{
	struct haven_deleg_peer *peers = haven_deleg_secondaries();
	bool lost = false;
	unsigned int i;

	(void)now;
	for (i = 0; i < n_peers(); i++) {
		bool up = usable(&peers[i]);

		if (bal.seen_usable[i] && !up)
			lost = true;
		bal.seen_usable[i] = up;
	}
	if (!lost || bal.policy != HAVEN_POLICY_EQUAL)
		return;
	count_shares();
	haven_node_foreach(HAVEN_AF_NONE, equal_node, NULL);
}

static void
balancer_tick(uint64_t now)
{
	uint64_t dt = bal.last_turn_ms == 0 ? HAVEN_BALANCER_PERIOD_MS :
		now - bal.last_turn_ms;

	bal.last_turn_ms = now;
	haven_balancer_turn(now, dt);
}

/* A binding made or changed: the equal policy delegates it at once. */
static void
node_hook(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason, void *arg)
{
	(void)reason;
	(void)arg;
	if (!haven_node_is_home(n))
		return;
	if (what == HAVEN_NODE_FORWARDER && is_local(n))
		ext_of(n)->auto_delegated = false;
	if ((what == HAVEN_NODE_BOUND || what == HAVEN_NODE_MOVED ||
	     what == HAVEN_NODE_REFRESHED) &&
	    bal.policy == HAVEN_POLICY_EQUAL && is_local(n))
		equal_delegate(n);
}

/* ---------------------------------------------------------------------
 * Actions
 */

int
haven_balancer_set_policy(const char *name, char *err, size_t errlen)
{
	if (!haven_deleg_is_pha()) {
		snprintf(err, errlen, "this agent is not a primary");
		return -ENOTSUP;
	}
	if (strcmp(name, "equal") == 0)
		bal.policy = HAVEN_POLICY_EQUAL;
	else if (strcmp(name, "threshold") == 0)
		bal.policy = HAVEN_POLICY_THRESHOLD;
	else if (strcmp(name, "manual") == 0)
		bal.policy = HAVEN_POLICY_MANUAL;
	else {
		snprintf(err, errlen, "policy is manual, equal or threshold");
		return -EINVAL;
	}
	haven_event(HAVEN_EV_CONFIG, NULL, 0, "policy %s",
		haven_deleg_policy_name(bal.policy));
	return 0;
}

int
haven_balancer_set_threshold(const char *which, uint32_t value, char *err,
		size_t errlen)
{
	struct haven_config_threshold *t = &bal.threshold;

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

/* Reload: the policy and thresholds of the new file. */
static int
reload_prepare(const struct haven_config *new_cfg, void **ctx, char *err,
		size_t errlen)
{
	(void)new_cfg;
	(void)ctx;
	(void)err;
	(void)errlen;
	return 0;
}

static void
reload_commit(const struct haven_config *old_cfg, void *ctx, char *summary,
		size_t len)
{
	(void)old_cfg;
	(void)ctx;
	(void)summary;
	(void)len;
	bal.policy = haven_rt.cfg.delegation.policy;
	bal.threshold = haven_rt.cfg.delegation.threshold;
	bal.tolerance_pct = haven_rt.cfg.delegation.rebalance_tolerance_pct;
}

static const struct haven_reload_ops reload_ops = {
	.name = "balancer",
	.prepare = reload_prepare,
	.commit = reload_commit,
};

int
haven_balancer_init(void)
{
	int rc;

	memset(&bal, 0, sizeof(bal));
	bal.policy = haven_rt.cfg.delegation.policy;
	bal.threshold = haven_rt.cfg.delegation.threshold;
	bal.tolerance_pct = haven_rt.cfg.delegation.rebalance_tolerance_pct;
	rc = haven_reload_register(&reload_ops);
	if (rc != 0 || !haven_deleg_is_pha())
		return rc;
	ext_off = haven_node_ext_register("balancer",
			sizeof(struct balancer_ext), NULL, NULL);
	if (ext_off < 0)
		return ext_off;
	rc = haven_node_hook_add(node_hook, NULL);
	if (rc == 0)
		rc = haven_loop_every("balancer", HAVEN_BALANCER_PERIOD_MS,
				balancer_tick);
	if (rc == 0)
		rc = haven_loop_every("balancer-lost", HAVEN_BALANCER_LOST_MS,
				lost_tick);
	return rc;
}
