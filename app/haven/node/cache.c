/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cache lifetime of nodes an AAA server provisioned (origin
 * HAVEN_NODE_AAA): their key is good until cache_until_ms; after that, a
 * node that no binding holds leaves the table. Deletion always happens
 * from the node's own cache timer, never from within whoever released the
 * binding or shortened the cache (they still hold the node), so a RELEASED
 * of a node whose cache has ended only arms that timer to fire at once.
 */

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_timer.h>

#include "node.h"
#include "node_private.h"
#include "rt.h"

static void cache_cb(struct rte_timer *t, void *arg);

/* Fire the node's cache timer at until_ms (at once when past). */
static void
cache_arm(struct haven_node *n, uint64_t until_ms)
{
	uint64_t now = haven_now_ms();

	rte_timer_reset(&n->cache, until_ms > now ? (until_ms - now) *
		(rte_get_timer_hz() / 1000) : 0, SINGLE, rte_lcore_id(),
		cache_cb, n);
}

static void
cache_cb(struct rte_timer *t, void *arg)
{
	struct haven_node *n = arg;

	(void)t;
	/* A binding or a held reply keeps it: RELEASED brings us back. */
	if (haven_node_bound(n) || haven_node_reply_held(n))
		return;
	if (haven_now_ms() < n->cache_until_ms) {
		cache_arm(n, n->cache_until_ms);	/* renewed meanwhile */
		return;
	}
	haven_node_delete(n);	/* stops this timer first: safe here */
}

void
haven_node_cache_until(struct haven_node *n, uint64_t until_ms)
{
	if (n->origin != HAVEN_NODE_AAA)
		return;
	n->cache_until_ms = until_ms;
	cache_arm(n, until_ms);
}

/* A binding ended, or a held reply went: an AAA node whose cache has ended goes now. */
static void
cache_hook(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason, void *arg)
{
	(void)reason;
	(void)arg;
	if ((what == HAVEN_NODE_RELEASED || what == HAVEN_NODE_REPLY_READY) &&
	    n->origin == HAVEN_NODE_AAA && !haven_node_bound(n) &&
	    haven_now_ms() >= n->cache_until_ms)
		cache_arm(n, 0);
}

int
node_cache_init(void)
{
	return haven_node_hook_add(cache_hook, NULL);
}
