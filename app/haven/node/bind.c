/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A node's binding: its care-of addresses and lifetimes, the record the
 * workers read (published here and nowhere else), the announcements that
 * start interception on the home link, the lifetime timer, and replies
 * held for a secondary's answer. Both families: the record's type is the
 * only thing that differs (publish4/publish6).
 */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_timer.h>

#include "event.h"
#include "haven_binding6.h"
#include "link.h"
#include "node.h"
#include "node_private.h"
#include "rt.h"

/* Timer cycles of a time in haven_now_ms() milliseconds. */
static uint64_t
ms_to_cycles(uint64_t ms)
{
	return ms == UINT64_MAX ? UINT64_MAX :
		ms * (rte_get_timer_hz() / 1000);
}

/* ---------------------------------------------------------------------
 * Publishing
 */

/* Route and resolve a care-of address: next hop, port, neighbour. */
static int
resolve(const struct haven_addr *coa, struct haven_addr *nh, uint16_t *port_id,
		uint16_t *neigh)
{
	uint8_t port;
	int idx;

	if (haven_link_route(coa, nh, &port) != 0)
		return -ENETUNREACH;
	idx = haven_link_neigh(nh, port);
	if (idx < 0)
		return -ENOSPC;
	*port_id = haven_rt.fp.ports[port].port_id;
	*neigh = idx;
	return 0;
}

static void
log_unroutable(const struct haven_node *n, unsigned int missing)
{
	char h[HAVEN_ADDR_STRLEN];

	HAVEN_LOG_LIMITED(WARNING, "%u care-of address(es) of %s have no "
		"route\n",
		missing, haven_addr_str(&n->hoa, h));
}

static int
publish4(const struct haven_node *n, int16_t *nh_idx, uint8_t *n_nh)
{
	struct haven_binding b;
	struct haven_addr nh;
	unsigned int i;
	uint16_t port, neigh;

	memset(&b, 0, sizeof(b));
	b.home_addr = n->hoa.v4;
	b.outer_src = n->outer_src.v4;		/* claim 5 */
	b.encap = n->encap;
	b.flags = n->flags | HAVEN_BINDING_F_INTERCEPT;
	b.forwarder = n->forwarder;
	b.udp_sport = n->udp_sport;
	for (i = 0; i < n->n_coa; i++) {
		struct haven_binding_coa *c = &b.coa[b.n_coa];
		/* RFC 3519: a UDP tunnel goes to the NAT, not to the care-of
		 * address behind it */
		const struct haven_addr *end = n->encap == HAVEN_ENCAP_UDP ?
			&n->coa[i].nat_addr : &n->coa[i].addr;

		if (resolve(end, &nh, &port, &neigh) != 0)
			continue;	/* unroutable: left out, logged */
		c->addr = end->v4;
		c->udp_port = n->coa[i].nat_port;
		c->next_hop = nh.v4;
		c->port = port;
		c->neigh = neigh;
		nh_idx[(*n_nh)++] = neigh;
		b.n_coa++;
	}
	if (b.n_coa < n->n_coa)
		log_unroutable(n, n->n_coa - b.n_coa);
	b.lifetime = n->coa[0].lifetime_s;
	b.registered_at = ms_to_cycles(n->registered_ms);
	b.expires_at = ms_to_cycles(n->coa[0].expires_ms);
	b.last_ident = n->replay.last_ident;
	return haven_binding_publish(haven_rt.fp.bindings, &b);
}

struct haven_addr
haven_node_link_local(const struct haven_node *n)
{
	uint8_t ll[16] = { 0xfe, 0x80 };

	memcpy(ll + 8, n->hoa.v6 + 8, 8);
	return haven_addr6(ll);
}

static int
publish6(const struct haven_node *n, int16_t *nh_idx, uint8_t *n_nh)
{
	struct haven_binding6 b;
	struct haven_addr nh, ll;
	unsigned int i;
	uint16_t port, neigh;
	int rc;

	memset(&b, 0, sizeof(b));
	memcpy(b.home_addr, n->hoa.v6, 16);
	memcpy(b.outer_src, n->outer_src.v6, 16);	/* claim 5 */
	b.flags = n->flags | HAVEN_BINDING_F_INTERCEPT;
	b.forwarder = n->forwarder;
	for (i = 0; i < n->n_coa; i++) {
		struct haven_binding6_coa *c = &b.coa[b.n_coa];

		if (resolve(&n->coa[i].addr, &nh, &port, &neigh) != 0)
			continue;
		memcpy(c->addr, n->coa[i].addr.v6, 16);
		memcpy(c->next_hop, nh.v6, 16);
		c->port = port;
		c->neigh = neigh;
		nh_idx[(*n_nh)++] = neigh;
		b.n_coa++;
	}
	if (b.n_coa < n->n_coa)
		log_unroutable(n, n->n_coa - b.n_coa);
	b.lifetime = n->coa[0].lifetime_s;
	b.registered_at = ms_to_cycles(n->registered_ms);
	b.expires_at = ms_to_cycles(n->coa[0].expires_ms);
	rc = haven_binding6_publish(haven_rt.fp6->bindings, &b);
	if (rc != 0 || !n->link_local)
		return rc;
	/* RFC 6275 10.4.1, L flag: the link-local address goes the same way. */
	ll = haven_node_link_local(n);
	memcpy(b.home_addr, ll.v6, 16);
	rc = haven_binding6_publish(haven_rt.fp6->bindings, &b);
	if (rc != 0)
		return rc;
	return 0;
}

static void
reclaim(uint8_t family)
{
	if (family == HAVEN_AF_INET6)
		haven_binding6_reclaim(haven_rt.fp6->bindings);
	else
		haven_binding_reclaim(haven_rt.fp.bindings);
}

/* The record now refers to neighbours nh[0..n_nh): move the references. */
static void
refer(struct haven_node *n, const int16_t *nh, uint8_t n_nh)
{
	unsigned int i;

	for (i = 0; i < n_nh; i++)
		haven_link_neigh_ref(n->hoa.family, nh[i]);
	for (i = 0; i < n->n_nh; i++)
		haven_link_neigh_unref(n->hoa.family, n->nh[i]);
	if (n_nh > 0)
		memcpy(n->nh, nh, sizeof(*nh) * n_nh);
	n->n_nh = n_nh;
}

/*
 * Publish the node's record; spare records may still be in their grace
 * period: reclaim and try once more. The neighbours the new record uses
 * are referenced, those of the old one released.
 */
static int
publish(struct haven_node *n)
{
	int (*fn)(const struct haven_node *n, int16_t *nh, uint8_t *n_nh) =
		n->hoa.family == HAVEN_AF_INET6 ? publish6 : publish4;
	int16_t nh[HAVEN_NODE_MAX_COA];
	uint8_t n_nh = 0;
	int rc;

	if (n->hoa.family == HAVEN_AF_INET6 && !haven_rt_has_ip6())
		return -ENOTSUP;
	rc = fn(n, nh, &n_nh);
	if (rc == -ENOMEM) {
		reclaim(n->hoa.family);
		n_nh = 0;
		rc = fn(n, nh, &n_nh);
	}
	if (rc == 0)
		refer(n, nh, n_nh);
	return rc;
}

static void
withdraw(struct haven_node *n)
{
	struct haven_addr ll;

	if (n->hoa.family == HAVEN_AF_INET6) {
		haven_binding6_remove(haven_rt.fp6->bindings, n->hoa.v6);
		ll = haven_node_link_local(n);
		if (n->link_local)
			haven_binding6_remove(haven_rt.fp6->bindings, ll.v6);
	} else
		haven_binding_remove(haven_rt.fp.bindings, n->hoa.v4);
	refer(n, NULL, 0);
}

void
haven_node_republish(struct haven_node *n)
{
	char h[HAVEN_ADDR_STRLEN];
	int rc;

	if (!haven_node_bound(n))
		return;
	rc = publish(n);
	n->publish_failed = rc != 0;
	if (rc == 0)
		return;
	node_stats_of(n->hoa.family)->publish_failed++;
	HAVEN_LOG(ERR, "cannot publish binding of %s: %s\n",
		haven_addr_str(&n->hoa, h), strerror(-rc));
}

/* ---------------------------------------------------------------------
 * Announcements
 */

static void
announce_cb(struct rte_timer *t, void *arg)
{
	struct haven_node *n = arg;

	(void)t;
	if (!haven_node_bound(n) || n->forwarder != HAVEN_FORWARDER_SELF ||
	    n->announce_left == 0)
		return;
	haven_link_announce(&n->hoa);
	if (--n->announce_left > 0)
		rte_timer_reset(&n->announce, rte_get_timer_hz() *
			HAVEN_NODE_ANNOUNCE_MS / 1000, SINGLE, rte_lcore_id(),
			announce_cb, n);
}

void
haven_node_announce(struct haven_node *n)
{
	haven_link_announce(&n->hoa);
	n->announce_left = (n->hoa.family == HAVEN_AF_INET6 ?
		HAVEN_NODE_ANNOUNCE_COUNT6 : HAVEN_NODE_ANNOUNCE_COUNT4) - 1;
	rte_timer_reset(&n->announce, rte_get_timer_hz() *
		HAVEN_NODE_ANNOUNCE_MS / 1000, SINGLE, rte_lcore_id(),
		announce_cb, n);
}

/* ---------------------------------------------------------------------
 * Lifetimes
 */

static void expiry_cb(struct rte_timer *t, void *arg);

static void
arm_expiry(struct haven_node *n)
{
	uint64_t first = UINT64_MAX, now = haven_now_ms();
	unsigned int i;

	for (i = 0; i < n->n_coa; i++)
		if (n->coa[i].expires_ms < first)
			first = n->coa[i].expires_ms;
	if (first == UINT64_MAX) {
		rte_timer_stop(&n->expiry);
		return;
	}
	rte_timer_reset(&n->expiry, first > now ?
		(first - now) * (rte_get_timer_hz() / 1000) : 0, SINGLE,
		rte_lcore_id(), expiry_cb, n);
}

static void
coa_remove(struct haven_node *n, unsigned int i)
{
	n->coa[i] = n->coa[--n->n_coa];
}

/* The binding is gone: no record, no announcement, no timer. */
static void
released(struct haven_node *n, enum haven_node_reason reason)
{
	haven_node_counters(n, &n->released_counters);	/* before it goes */
	withdraw(n);
	rte_timer_stop(&n->announce);
	rte_timer_stop(&n->expiry);
	n->announce_left = 0;
	node_notify(n, HAVEN_NODE_RELEASED, reason);
	n->forwarder = HAVEN_FORWARDER_SELF;
}

/*
 * After care-of addresses were removed for reason: the binding is
 * released when none is left, else published with the rest and its
 * expiry armed for them.
 */
static void
coas_removed(struct haven_node *n, enum haven_node_reason reason)
{
	if (n->n_coa == 0) {
		released(n, reason);
		return;
	}
	haven_node_republish(n);
	arm_expiry(n);
	node_notify(n, HAVEN_NODE_MOVED, reason);
}

static void
expiry_cb(struct rte_timer *t, void *arg)
{
	struct haven_node *n = arg;
	uint64_t now = haven_now_ms();
	char h[HAVEN_ADDR_STRLEN], c[HAVEN_ADDR_STRLEN];
	unsigned int i = 0;

	(void)t;
	while (i < n->n_coa) {
		if (n->coa[i].expires_ms > now) {
			i++;
			continue;
		}
		haven_event(HAVEN_EV_EXPIRY, &n->hoa, -1,
			"binding of %s at %s expired",
			haven_addr_str(&n->hoa, h),
			haven_addr_str(&n->coa[i].addr, c));
		node_stats_of(n->hoa.family)->bindings_expired++;
		coa_remove(n, i);
	}
	coas_removed(n, HAVEN_NODE_R_EXPIRED);
}

uint32_t
haven_node_remaining_s(const struct haven_node *n)
{
	uint64_t now = haven_now_ms(), longest = 0, left;
	unsigned int i;

	for (i = 0; i < n->n_coa; i++) {
		if (n->coa[i].expires_ms == UINT64_MAX)
			return UINT32_MAX;
		left = n->coa[i].expires_ms > now ?
			(n->coa[i].expires_ms - now + 999) / 1000 : 0;
		if (left > longest)
			longest = left;
	}
	return longest > UINT32_MAX ? UINT32_MAX : (uint32_t)longest;
}

/* ---------------------------------------------------------------------
 * Changes
 */

int
haven_node_coa_index(const struct haven_node *n, const struct haven_addr *a)
{
	unsigned int i;

	for (i = 0; i < n->n_coa; i++)
		if (haven_addr_eq(&n->coa[i].addr, a))
			return i;
	return -1;
}

/* Same care-of addresses (and NAT ends), in any order? */
static bool
same_coas(const struct haven_node *n, const struct haven_node_coa *old,
		unsigned int n_old)
{
	unsigned int i;
	int j;

	if (n->n_coa != n_old)
		return false;
	for (i = 0; i < n_old; i++) {
		j = haven_node_coa_index(n, &old[i].addr);
		if (j < 0 || n->coa[j].nat_port != old[i].nat_port ||
		    !haven_addr_eq(&n->coa[j].nat_addr, &old[i].nat_addr))
			return false;
	}
	return true;
}

static uint64_t
expiry_of(const struct haven_node *n, uint32_t lifetime_s, uint64_t now)
{
	if (lifetime_s == UINT32_MAX || (lifetime_s ==
			HAVEN_NODE_LIFETIME_INFINITE &&
			n->hoa.family == HAVEN_AF_INET))
		return UINT64_MAX;
	return now + (uint64_t)lifetime_s * 1000;
}

/*
 * Put a new care-of set in force: publish it, arm the lifetime, announce
 * a new binding, tell the hooks. All or nothing: when the binding table
 * refuses the record the node is left as it was.
 */
static int
rebind(struct haven_node *n, const struct haven_node_coa *coa,
		unsigned int n_coa, uint8_t encap, uint8_t flags,
		bool link_local, uint16_t udp_sport)
{
	struct haven_node_coa old[HAVEN_NODE_MAX_COA];
	uint8_t old_n = n->n_coa, old_encap = n->encap, old_flags = n->flags;
	uint16_t old_sport = n->udp_sport;
	uint64_t old_registered = n->registered_ms;
	bool was_bound = old_n > 0, old_ll = n->link_local;
	struct haven_addr ll;
	int rc;

	memcpy(old, n->coa, sizeof(old));
	memcpy(n->coa, coa, sizeof(*coa) * n_coa);
	n->n_coa = n_coa;
	n->encap = encap;
	n->flags = flags;
	n->udp_sport = encap == HAVEN_ENCAP_UDP ? udp_sport : 0;
	n->link_local = link_local && n->hoa.family == HAVEN_AF_INET6;
	if (!was_bound)
		n->registered_ms = haven_now_ms();
	rc = publish(n);
	if (rc != 0) {
		memcpy(n->coa, old, sizeof(old));
		n->n_coa = old_n;
		n->encap = old_encap;
		n->flags = old_flags;
		n->udp_sport = old_sport;
		n->registered_ms = old_registered;
		if (n->link_local && !old_ll) {
			/* The home address's record may be in: as before. */
			ll = haven_node_link_local(n);
			haven_binding6_remove(haven_rt.fp6->bindings, ll.v6);
		}
		n->link_local = old_ll;
		if (was_bound)
			publish(n);
		else
			withdraw(n);
		return rc;
	}
	if (old_ll && !n->link_local) {
		ll = haven_node_link_local(n);
		haven_binding6_remove(haven_rt.fp6->bindings, ll.v6);
	}
	n->publish_failed = false;
	arm_expiry(n);
	if (!was_bound && n->forwarder == HAVEN_FORWARDER_SELF)
		haven_node_announce(n);
	node_notify(n, !was_bound ? HAVEN_NODE_BOUND :
		same_coas(n, old, old_n) && old_encap == encap ?
		HAVEN_NODE_REFRESHED : HAVEN_NODE_MOVED, HAVEN_NODE_R_ADMIN);
	return 0;
}

/* A UDP tunnel's far end, as the record needs it: IPv4, a port. */
static bool
udp_end_ok(const struct haven_addr *a, uint16_t port)
{
	return a->family == HAVEN_AF_INET && a->v4 != 0 && port != 0;
}

int
haven_node_bind(struct haven_node *n, const struct haven_node_bind_req *req)
{
	struct haven_node_coa coa[HAVEN_NODE_MAX_COA];
	bool udp = req->encap == HAVEN_ENCAP_UDP;
	unsigned int n_coa = 0, others;
	int i = -1;

	if (udp && (n->hoa.family != HAVEN_AF_INET ||
		    !udp_end_ok(&req->nat_addr, req->nat_port)))
		return -EINVAL;
	if (req->simultaneous) {
		memcpy(coa, n->coa, sizeof(coa));
		n_coa = n->n_coa;
		i = haven_node_coa_index(n, &req->coa);
		/* one kind of tunnel per binding: the others must match */
		others = n_coa - (i >= 0 ? 1 : 0);
		if (others > 0 && (n->encap == HAVEN_ENCAP_UDP) != udp)
			return -EINVAL;
	}
	if (i < 0) {
		if (n_coa == HAVEN_NODE_MAX_COA)
			return -ENOSPC;
		i = n_coa++;
	}
	memset(&coa[i], 0, sizeof(coa[i]));
	coa[i].addr = req->coa;
	coa[i].lifetime_s = req->lifetime_s;
	coa[i].expires_ms = expiry_of(n, req->lifetime_s, haven_now_ms());
	if (udp) {
		coa[i].nat_addr = req->nat_addr;
		coa[i].nat_port = req->nat_port;
	}
	return rebind(n, coa, n_coa, req->encap, req->flags, req->link_local,
		udp ? HAVEN_BINDING_UDP_PORT : 0);
}

int
haven_node_bind_all(struct haven_node *n, const struct haven_addr *addrs,
		unsigned int n_addrs, uint32_t lifetime_s, uint8_t encap,
		uint8_t flags, const struct haven_node_udp *udp)
{
	struct haven_node_coa coa[HAVEN_NODE_MAX_COA];
	bool is_udp = encap == HAVEN_ENCAP_UDP;
	uint64_t now = haven_now_ms();
	unsigned int i;

	if (n_addrs == 0 || n_addrs > HAVEN_NODE_MAX_COA ||
	    (is_udp && (udp == NULL || udp->sport == 0 ||
			n->hoa.family != HAVEN_AF_INET)))
		return -EINVAL;
	memset(coa, 0, sizeof(coa));
	for (i = 0; i < n_addrs; i++) {
		coa[i].addr = addrs[i];
		coa[i].lifetime_s = lifetime_s;
		coa[i].expires_ms = expiry_of(n, lifetime_s, now);
		if (!is_udp)
			continue;
		if (!udp_end_ok(&udp->nat_addr[i], udp->nat_port[i]))
			return -EINVAL;
		coa[i].nat_addr = udp->nat_addr[i];
		coa[i].nat_port = udp->nat_port[i];
	}
	return rebind(n, coa, n_addrs, encap, flags, false,
		is_udp ? udp->sport : 0);
}

void
haven_node_unbind(struct haven_node *n, const struct haven_addr *coa,
		enum haven_node_reason reason)
{
	int i;

	if (!haven_node_bound(n))
		return;
	if (coa == NULL) {
		n->n_coa = 0;
	} else {
		i = haven_node_coa_index(n, coa);
		if (i < 0)
			return;
		coa_remove(n, i);
	}
	coas_removed(n, reason);
}

int
haven_node_clear(struct haven_node *n)
{
	char h[HAVEN_ADDR_STRLEN];
	bool delegated = n->forwarder != HAVEN_FORWARDER_SELF;
	unsigned int n_coa = n->n_coa;

	if (n->origin != HAVEN_NODE_CONFIGURED)
		return -EPERM;
	if (!haven_node_bound(n))
		return -ENODATA;
	haven_node_unbind(n, NULL, HAVEN_NODE_R_CLEARED);
	haven_event(HAVEN_EV_ADMIN_RELEASE, &n->hoa, -1,
		"binding of %s removed by the operator (%u care-of addresses%s)",
		haven_addr_str(&n->hoa, h), n_coa,
		delegated ? ", taken back from its secondary" : "");
	haven_link_hand_back(&n->hoa);
	return 0;
}

bool
node_intercepts(const struct haven_addr *a, void *arg)
{
	const struct haven_node *n = haven_node_find(a);

	(void)arg;
	return n != NULL && haven_node_bound(n) &&
		n->forwarder == HAVEN_FORWARDER_SELF && !n->handover;
}

void
haven_node_set_handover(struct haven_node *n, bool on)
{
	n->handover = on;
}

void
haven_node_replay_changed(struct haven_node *n)
{
	node_notify(n, HAVEN_NODE_REPLAY, HAVEN_NODE_R_ADMIN);
}

int
haven_node_restore(struct haven_node *n, const struct haven_node_restore *r)
{
	struct haven_node_coa old[HAVEN_NODE_MAX_COA];
	uint8_t old_n = n->n_coa, old_encap = n->encap, old_flags = n->flags;
	uint8_t old_fwd = n->forwarder;
	uint64_t old_registered = n->registered_ms;
	int rc;

	if (r->has_replay)
		n->replay = r->replay;
	if (r->n_coa == 0)
		return r->has_replay ? 0 : -EINVAL;
	if (r->n_coa > HAVEN_NODE_MAX_COA)
		return -EINVAL;
	memcpy(old, n->coa, sizeof(old));
	memcpy(n->coa, r->coa, sizeof(r->coa[0]) * r->n_coa);
	n->n_coa = r->n_coa;
	n->encap = r->encap;
	n->flags = r->flags;
	n->forwarder = r->forwarder;
	n->registered_ms = r->registered_ms;
	rc = publish(n);
	if (rc != 0) {
		memcpy(n->coa, old, sizeof(old));
		n->n_coa = old_n;
		n->encap = old_encap;
		n->flags = old_flags;
		n->forwarder = old_fwd;
		n->registered_ms = old_registered;
		return rc;
	}
	n->publish_failed = false;
	arm_expiry(n);
	node_notify(n, HAVEN_NODE_BOUND, HAVEN_NODE_R_RESTORED);
	return 0;
}

struct handover_arg {
	unsigned int n;
};

static void
handover_one(struct haven_node *n, void *arg)
{
	struct handover_arg *h = arg;

	if (!haven_node_is_home(n))
		return;
	if (haven_node_bound(n)) {
		n->n_coa = 0;
		released(n, HAVEN_NODE_R_HANDOVER);
		h->n++;
	}
	memset(&n->replay, 0, sizeof(n->replay));
	n->reply_holds = 0;
}

unsigned int
haven_nodes_handover(void)
{
	struct handover_arg h = { 0 };

	haven_node_foreach(HAVEN_AF_NONE, handover_one, &h);
	return h.n;
}

void
haven_node_set_forwarder(struct haven_node *n, uint8_t forwarder)
{
	if (n->forwarder == forwarder)
		return;
	n->forwarder = forwarder;
	haven_node_republish(n);
	node_notify(n, HAVEN_NODE_FORWARDER, HAVEN_NODE_R_ADMIN);
}

void
haven_node_counters(const struct haven_node *n,
		struct haven_binding_counters *sum)
{
	memset(sum, 0, sizeof(*sum));
	if (n->hoa.family == HAVEN_AF_INET6) {
		const struct haven_binding6 *b;

		if (!haven_rt_has_ip6())
			return;
		b = haven_binding6_lookup(haven_rt.fp6->bindings, n->hoa.v6);
		if (b != NULL)
			haven_binding6_counters_sum(haven_rt.fp6->bindings,
				b->slot, sum);
	} else {
		const struct haven_binding *b =
			haven_binding_lookup(haven_rt.fp.bindings, n->hoa.v4);

		if (b != NULL)
			haven_binding_counters_sum(haven_rt.fp.bindings,
				b->slot, sum);
	}
}

/* ---------------------------------------------------------------------
 * Held replies ([0026])
 */

void
haven_node_reply_hold(struct haven_node *n)
{
	n->reply_holds++;
}

void
haven_node_reply_release(struct haven_node *n)
{
	if (n->reply_holds == 0)
		return;
	if (--n->reply_holds == 0)
		node_notify(n, HAVEN_NODE_REPLY_READY, HAVEN_NODE_R_ADMIN);
}

/* ---------------------------------------------------------------------
 * Leaving the table
 */

void
haven_node_delete(struct haven_node *n)
{
	if (haven_node_bound(n))
		haven_node_unbind(n, NULL, HAVEN_NODE_R_ADMIN);
	node_notify(n, HAVEN_NODE_DELETED, HAVEN_NODE_R_ADMIN);
	node_table_remove(n);
	haven_node_free(n);
}

void
haven_nodes_fini(void)
{
	struct haven_node *n;

	while ((n = node_table_any()) != NULL)
		haven_node_delete(n);
	node_table_free();
}
