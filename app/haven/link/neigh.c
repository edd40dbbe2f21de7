/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next-hop resolution on the control lcore, both families, in the manner
 * of RFC 4861 7.3.2 (and Linux's neighbour table):
 *
 *  - an entry is created only for a next hop the agent needs (a binding's
 *    care-of address, a reply or message the control lcore sends, a
 *    packet a worker could not send) and is referenced by the bindings
 *    that use it (haven_link_neigh_ref()); a neighbour that merely talks
 *    to us creates nothing;
 *  - INCOMPLETE: solicited (ARP request, Neighbor Solicitation) up to
 *    HAVEN_SOLICIT_TRIES times a RetransTimer apart, packets held a few
 *    per neighbour meanwhile; unanswered, held packets are dropped and
 *    counted, and an unreferenced entry is deleted;
 *  - REACHABLE for HAVEN_REACHABLE_MS after each confirmation, then STALE;
 *    a STALE entry a binding uses is probed by unicast (PROBE), one no
 *    binding uses is deleted after HAVEN_GC_STALE_MS, or at once when the
 *    table is filling up (unreferenced entries only: a flood of new
 *    neighbours never evicts one in use);
 *  - a different MAC claimed for a REACHABLE entry (an ARP or NA from its
 *    address) is not believed at once: the old MAC is probed by unicast
 *    and keeps the entry if it answers; only after HAVEN_CONFIRM_TRIES
 *    unanswered probes does the new one take over;
 *  - a deleted entry is a tombstone for the workers until an RCU grace
 *    period has passed, then recycled.
 * The agent also defends its own addresses and the home addresses it
 * intercepts: a claim of one of them by another MAC is answered with a
 * gratuitous ARP / unsolicited NA, at most once per HAVEN_DEFEND_MS per
 * address (RFC 5227 2.4). The wire is arp.c's and ndisc.c's (struct
 * link_family); this file never branches on the family.
 */

#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "link.h"
#include "link_private.h"
#include "rt.h"

#define CONFLICT_HOOKS 4
#define OWNER_HOOKS 4
#define DEFEND_SLOTS 256		/**< rate limiters of defences (hashed) */
#define HAND_BACK_SLOTS 16		/**< addresses being handed back */
#define HAND_BACK_ANNOUNCES 2		/**< announcements of the owner's MAC */

/* What the control lcore knows of a neighbour beyond the workers' entry. */
enum nstate {
	N_FREE = 0,
	N_INCOMPLETE,			/**< soliciting */
	N_REACHABLE,			/**< confirmed within HAVEN_REACHABLE_MS */
	N_STALE,			/**< not confirmed lately */
	N_PROBE,			/**< STALE and in use: probing by unicast */
	N_DELETED,			/**< tombstone, waiting for grace */
};

struct nentry {
	uint8_t state;			/**< enum nstate */
	uint8_t tries;			/**< solicitations / probes sent */
	bool changing;			/**< another MAC claimed: confirming */
	uint16_t refs;			/**< bindings using it */
	uint64_t confirmed_ms;		/**< last proof of reachability */
	uint64_t used_ms;		/**< created, or last sent through */
	uint64_t next_ms;		/**< next solicitation, probe, decision */
	uint64_t token;			/**< DELETED: RCU grace token */
	struct rte_ether_addr claimed;	/**< the MAC claimed meanwhile */
	uint8_t n_held;
	struct rte_mbuf *held[HAVEN_HOLD_PER_NEIGH];
};

/* Writer: this file. The families (link.c registers them), the state of
 * every neighbour entry of each, the hooks, the defence limiters. */
static struct link_family *families[2];
static struct nentry *entries[2];
static unsigned int live[2];		/* entries not FREE nor DELETED */
static struct {
	void (*fn)(const struct haven_addr *a, void *arg);
	void *arg;
} conflict_hooks[CONFLICT_HOOKS];
static struct {
	bool (*fn)(const struct haven_addr *a, void *arg);
	void *arg;
} owner_hooks[OWNER_HOOKS];
static uint64_t defended_ms[DEFEND_SLOTS];
/* Addresses asked for on the home link (haven_link_hand_back()).
 * Writer: this file (haven_link_hand_back(), the resolution tick). */
static struct {
	struct haven_addr addr;		/* family NONE: a free slot */
	uint64_t until_ms;		/* no answer by then: nobody home */
} hand_back[HAND_BACK_SLOTS];

struct link_family *
link_family_of(uint8_t family)
{
	if (family == HAVEN_AF_INET)
		return families[0];
	if (family == HAVEN_AF_INET6)
		return families[1];
	return NULL;
}

int
link_family_register(struct link_family *f)
{
	unsigned int k = f->family == HAVEN_AF_INET6;

	memset(&f->stats, 0, sizeof(f->stats));
	entries[k] = rte_zmalloc("haven_neigh_ctl", sizeof(*entries[k]) *
			f->size, 0);
	if (entries[k] == NULL)
		return -ENOMEM;
	live[k] = 0;
	families[k] = f;
	return 0;
}

static struct nentry *
entry_of(const struct link_family *f, int idx)
{
	return &entries[f->family == HAVEN_AF_INET6][idx];
}

static unsigned int *
live_of(const struct link_family *f)
{
	return &live[f->family == HAVEN_AF_INET6];
}

void
link_tx_to(unsigned int p, const struct rte_ether_addr *mac,
		struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(mac, &eth->dst_addr);
	rte_ether_addr_copy(haven_rt_port_mac(p), &eth->src_addr);
	haven_rt_tx(p, m);
}

void
link_drop(struct link_family *f, struct rte_mbuf *m)
{
	if (f != NULL)
		f->stats.held_dropped++;
	rte_pktmbuf_free(m);
}

/* ---------------------------------------------------------------------
 * Held packets
 */

static void
solicit(struct link_family *f, int idx, uint64_t now)
{
	struct nentry *e = entry_of(f, idx);

	e->tries++;
	e->next_ms = now + HAVEN_SOLICIT_RETRY_MS;
	f->stats.solicits_sent++;
	f->solicit(idx);
}

static void
hold_add(struct link_family *f, int idx, struct rte_mbuf *m)
{
	struct nentry *e = entry_of(f, idx);

	if (e->n_held == HAVEN_HOLD_PER_NEIGH) {
		link_drop(f, m);
		return;
	}
	e->held[e->n_held++] = m;
	if (e->tries == 0)
		solicit(f, idx, haven_now_ms());	/* it had given up */
}

static void
hold_flush(struct link_family *f, int idx)
{
	struct nentry *e = entry_of(f, idx);
	unsigned int p = f->port(idx);
	int i;

	for (i = 0; i < e->n_held; i++) {
		f->stats.held_sent++;
		link_tx_to(p, f->mac(idx), e->held[i]);
	}
	e->n_held = 0;
}

static void
hold_drop(struct link_family *f, struct nentry *e)
{
	int i;

	for (i = 0; i < e->n_held; i++)
		rte_pktmbuf_free(e->held[i]);
	f->stats.held_dropped += e->n_held;
	e->n_held = 0;
}

/* ---------------------------------------------------------------------
 * Life of an entry
 */

/* Delete an entry no binding uses: a tombstone until the grace period. */
static void
entry_delete(struct link_family *f, int idx)
{
	struct nentry *e = entry_of(f, idx);

	hold_drop(f, e);
	f->remove(idx);
	e->state = N_DELETED;
	e->changing = false;
	e->token = rte_rcu_qsbr_start(haven_rt.fp.qsbr);
	(*live_of(f))--;
	f->stats.deleted++;
}

/*
 * Make room when the table fills up: delete the unreferenced entries
 * that matter least (never resolved, then stale, oldest first) until it
 * is at most three quarters full. Referenced entries are never touched.
 */
static void
evict(struct link_family *f, uint64_t now)
{
	unsigned int target = f->size / 4 * 3, pass, idx;

	for (pass = 0; pass < 3 && *live_of(f) > target; pass++)
		for (idx = 0; idx < f->size && *live_of(f) > target; idx++) {
			struct nentry *e = entry_of(f, idx);
			bool victim;

			if (e->refs > 0 || e->state == N_FREE ||
			    e->state == N_DELETED)
				continue;
			victim = pass == 0 ? e->state == N_INCOMPLETE :
				pass == 1 ? e->state == N_STALE :
				now - e->used_ms > HAVEN_SOLICIT_RETRY_MS;
			if (victim) {
				entry_delete(f, idx);
				f->stats.evicted++;
			}
		}
}

/* The entry of a next hop, created (INCOMPLETE, soliciting) if new. */
static int
entry_get(struct link_family *f, const struct haven_addr *nh, uint8_t port)
{
	uint64_t now = haven_now_ms();
	struct nentry *e;
	int idx = f->find(nh);

	if (idx >= 0) {
		entry_of(f, idx)->used_ms = now;
		return idx;
	}
	if (*live_of(f) >= f->size / 4 * 3)
		evict(f, now);
	idx = f->get(nh, port);
	if (idx < 0) {
		f->stats.table_full++;
		return -1;
	}
	e = entry_of(f, idx);
	if (e->state != N_FREE && e->state != N_DELETED) {
		e->used_ms = now;	/* cannot happen: find() missed it */
		return idx;
	}
	memset(e, 0, sizeof(*e));
	e->state = N_INCOMPLETE;
	e->used_ms = now;
	(*live_of(f))++;
	solicit(f, idx, now);
	return idx;
}

/* A MAC confirmed for entry idx: in service and reachable. */
static void
confirm(struct link_family *f, int idx, const struct rte_ether_addr *mac,
		uint64_t now)
{
	struct nentry *e = entry_of(f, idx);

	f->update(idx, mac);
	e->state = N_REACHABLE;
	e->tries = 0;
	e->changing = false;
	e->confirmed_ms = now;
	hold_flush(f, idx);
}

static void
entry_tick(struct link_family *f, int idx, uint64_t now)
{
	struct nentry *e = entry_of(f, idx);

	switch (e->state) {
	case N_INCOMPLETE:
		if (e->tries == 0 || now < e->next_ms)
			break;
		if (e->tries < HAVEN_SOLICIT_TRIES) {
			solicit(f, idx, now);
			break;
		}
		hold_drop(f, e);
		e->tries = 0;		/* a held packet asks again */
		if (e->refs == 0)
			entry_delete(f, idx);
		break;
	case N_REACHABLE:
		if (e->changing && now >= e->next_ms) {
			if (e->tries < HAVEN_CONFIRM_TRIES) {
				e->tries++;
				e->next_ms = now + HAVEN_SOLICIT_RETRY_MS;
				f->stats.probes_sent++;
				f->probe(idx);
				break;
			}
			/* The old MAC is silent: the new one takes over. */
			f->stats.mac_changes++;
			confirm(f, idx, &e->claimed, now);
			break;
		}
		if (!e->changing && now - e->confirmed_ms > HAVEN_REACHABLE_MS)
			e->state = N_STALE;
		break;
	case N_STALE:
		if (e->refs > 0) {
			e->state = N_PROBE;
			e->tries = 1;
			e->next_ms = now + HAVEN_SOLICIT_RETRY_MS;
			f->stats.probes_sent++;
			f->probe(idx);
		} else if (now - RTE_MAX(e->used_ms, e->confirmed_ms) >
				HAVEN_GC_STALE_MS) {
			entry_delete(f, idx);
		}
		break;
	case N_PROBE:
		if (now < e->next_ms)
			break;
		if (e->tries < HAVEN_CONFIRM_TRIES) {
			e->tries++;
			e->next_ms = now + HAVEN_SOLICIT_RETRY_MS;
			f->stats.probes_sent++;
			f->probe(idx);
			break;
		}
		/*
		 * Unicast probes unanswered: ask the whole link once a
		 * RetransTimer while the MAC in service stays in use (bindings
		 * refer to the entry); any answer takes over at once.
		 */
		e->changing = false;
		e->next_ms = now + HAVEN_SOLICIT_RETRY_MS;
		f->stats.solicits_sent++;
		f->solicit(idx);
		break;
	case N_DELETED:
		if (rte_rcu_qsbr_check(haven_rt.fp.qsbr, e->token, false) == 1) {
			f->recycle(idx);
			e->state = N_FREE;
		}
		break;
	}
}

/* An address handed back: its owner answered, or time is up. */
static void
hand_back_tick(uint64_t now)
{
	unsigned int i, n;

	for (i = 0; i < HAND_BACK_SLOTS; i++) {
		struct haven_addr *a = &hand_back[i].addr;
		struct link_family *f = link_family_of(a->family);
		int idx;

		if (f == NULL)
			continue;
		idx = f->find(a);
		if (idx >= 0 && f->state(idx) == HAVEN_NEIGH_REACHABLE) {
			/* Its owner is here: the link learns its MAC again. */
			for (n = 0; n < HAND_BACK_ANNOUNCES; n++) {
				f->stats.announces_sent++;
				f->announce(a, f->mac(idx));
			}
		} else if (now < hand_back[i].until_ms) {
			continue;
		}
		memset(a, 0, sizeof(*a));
	}
}

void
haven_link_hand_back(const struct haven_addr *addr)
{
	struct link_family *f = link_family_of(addr->family);
	struct haven_addr nh;
	unsigned int i, slot = HAND_BACK_SLOTS;
	uint8_t port;

	if (f == NULL || f->route(addr, &nh, &port) != 0 ||
	    haven_addr_cmp(&nh, addr) != 0)
		return;		/* not on a link of ours */
	for (i = 0; i < HAND_BACK_SLOTS; i++) {
		if (hand_back[i].addr.family == HAVEN_AF_NONE)
			slot = i;
		else if (haven_addr_cmp(&hand_back[i].addr, addr) == 0)
			return;	/* already asked */
	}
	if (slot == HAND_BACK_SLOTS || entry_get(f, addr, port) < 0)
		return;
	hand_back[slot].addr = *addr;
	hand_back[slot].until_ms = haven_now_ms() +
		(HAVEN_SOLICIT_TRIES + 1) * HAVEN_SOLICIT_RETRY_MS;
}

void
link_resolve_tick(uint64_t now)
{
	unsigned int k;
	int idx;

	hand_back_tick(now);

	for (k = 0; k < RTE_DIM(families); k++) {
		struct link_family *f = families[k];

		for (idx = 0; f != NULL && idx < (int)f->size; idx++)
			if (entries[k][idx].state != N_FREE)
				entry_tick(f, idx, now);
	}
}

/* ---------------------------------------------------------------------
 * Resolution
 */

int
haven_link_route(const struct haven_addr *dst, struct haven_addr *nh,
		uint8_t *port)
{
	struct link_family *f = link_family_of(dst->family);

	return f != NULL ? f->route(dst, nh, port) : -ENETUNREACH;
}

int
haven_link_neigh(const struct haven_addr *nh, uint8_t port)
{
	struct link_family *f = link_family_of(nh->family);

	return f != NULL ? entry_get(f, nh, port) : -1;
}

bool
haven_link_resolved(const struct haven_addr *dst)
{
	struct link_family *f = link_family_of(dst->family);
	struct haven_addr nh;
	uint8_t port;
	int idx;

	if (f == NULL || f->route(dst, &nh, &port) != 0)
		return false;
	idx = entry_get(f, &nh, port);
	return idx >= 0 && f->state(idx) == HAVEN_NEIGH_REACHABLE;
}

void
haven_link_neigh_ref(uint8_t family, int idx)
{
	struct link_family *f = link_family_of(family);

	if (f != NULL && idx >= 0 && idx < (int)f->size)
		entry_of(f, idx)->refs++;
}

void
haven_link_neigh_unref(uint8_t family, int idx)
{
	struct link_family *f = link_family_of(family);
	struct nentry *e;

	if (f == NULL || idx < 0 || idx >= (int)f->size)
		return;
	e = entry_of(f, idx);
	if (e->refs > 0) {
		e->refs--;
		e->used_ms = haven_now_ms();
	}
}

void
link_learn(struct link_family *f, const struct haven_addr *ip,
		const struct rte_ether_addr *mac)
{
	uint64_t now = haven_now_ms();
	struct nentry *e;
	int idx = f->find(ip);

	if (idx < 0)
		return;	/* not a next hop of ours: nothing to learn */
	e = entry_of(f, idx);
	if (f->state(idx) != HAVEN_NEIGH_REACHABLE || (e->state == N_PROBE &&
	    !e->changing && e->tries >= HAVEN_CONFIRM_TRIES)) {
		/* Unresolved, or its MAC silent past every probe: learn. */
		if (f->state(idx) == HAVEN_NEIGH_REACHABLE &&
		    !rte_is_same_ether_addr(f->mac(idx), mac))
			f->stats.mac_changes++;
		confirm(f, idx, mac, now);
		return;
	}
	if (rte_is_same_ether_addr(f->mac(idx), mac)) {
		if (e->changing)
			f->stats.mac_claims_refused++;	/* the old MAC lives */
		confirm(f, idx, mac, now);
		return;
	}
	/* Another MAC claims a neighbour in service: confirm the old one. */
	if (!e->changing) {
		e->changing = true;
		e->tries = 1;
		e->next_ms = now + HAVEN_SOLICIT_RETRY_MS;
		f->stats.probes_sent++;
		f->probe(idx);
	}
	e->claimed = *mac;
	e->state = N_REACHABLE;
}

void
haven_link_send(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct link_family *f = link_family_of(
		eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6) ?
			HAVEN_AF_INET6 : HAVEN_AF_INET);
	struct haven_addr dst, nh;
	uint8_t port;
	int idx;

	if (f == NULL || f->frame_dst(m, &dst) != 0 ||
	    f->route(&dst, &nh, &port) != 0) {
		link_drop(f, m);
		return;
	}
	idx = entry_get(f, &nh, port);
	if (idx < 0) {
		link_drop(f, m);
		return;
	}
	if (f->state(idx) == HAVEN_NEIGH_REACHABLE)
		link_tx_to(f->port(idx), f->mac(idx), m);
	else
		hold_add(f, idx, m);
}

int
haven_link_send_udp4(uint32_t src, uint32_t dst, uint16_t sport,
		uint16_t dport, const void *payload, uint16_t len)
{
	struct rte_ether_addr zero = { 0 };
	struct rte_mbuf *m = haven_rt_mbuf();

	if (m == NULL)
		return -ENOMEM;
	if (haven_build_udp(m, haven_rt_port_mac(haven_rt_home_port()), &zero,
			src, dst, sport, dport, payload, len) != 0) {
		rte_pktmbuf_free(m);
		return -ENOSPC;
	}
	haven_link_send(m);
	return 0;
}

int
haven_link_send_ip6(const void *pkt, uint16_t len)
{
	struct rte_ether_addr zero = { 0 };
	struct rte_mbuf *m;
	int rc;

	if (!haven_rt_has_ip6())
		return -ENOTSUP;
	m = haven_rt_mbuf();
	if (m == NULL)
		return -ENOMEM;
	rc = haven_build_ip6(m, haven_rt_port_mac(haven_rt_home_port()), &zero,
			pkt, len);
	if (rc != 0) {
		rte_pktmbuf_free(m);
		return rc;
	}
	haven_link_send(m);
	return 0;
}

void
link_resolve_punt(struct rte_mbuf *m)
{
	/* A worker could not send it: the outer destination decides. */
	haven_link_send(m);
}

/* ---------------------------------------------------------------------
 * Announcements, defence and news
 */

void
haven_link_announce(const struct haven_addr *addr)
{
	struct link_family *f = link_family_of(addr->family);

	if (f == NULL)
		return;
	f->stats.announces_sent++;
	f->announce(addr, haven_rt_port_mac(haven_rt_home_port()));
}

void
haven_link_announce_own(void)
{
	const struct haven_fp *fp = &haven_rt.fp;
	const struct haven_fp6 *fp6 = haven_rt.fp6;
	struct haven_addr a;

	if (!haven_rt.serving)
		return;
	a = haven_addr4(fp->ha_addr);
	haven_link_announce(&a);
	if (fp->ports[fp->home_port].addr != fp->ha_addr) {
		a = haven_addr4(fp->ports[fp->home_port].addr);
		haven_link_announce(&a);
	}
	if (fp6 == NULL)
		return;
	a = haven_addr6(fp6->ha_addr);
	haven_link_announce(&a);
	if (fp6->port_has_addr[fp->home_port] &&
	    memcmp(fp6->port_addr[fp->home_port], fp6->ha_addr, 16) != 0) {
		a = haven_addr6(fp6->port_addr[fp->home_port]);
		haven_link_announce(&a);
	}
}

void
haven_link_announce_mac(const struct haven_addr *addr,
		const struct rte_ether_addr *mac)
{
	struct link_family *f = link_family_of(addr->family);

	if (f == NULL || addr->family != HAVEN_AF_INET)
		return;
	f->stats.announces_sent++;
	f->announce(addr, mac);
}

int
haven_link_conflict_hook_add(void (*fn)(const struct haven_addr *a,
		void *arg), void *arg)
{
	unsigned int i;

	for (i = 0; i < CONFLICT_HOOKS; i++)
		if (conflict_hooks[i].fn == NULL) {
			conflict_hooks[i].fn = fn;
			conflict_hooks[i].arg = arg;
			return 0;
		}
	return -ENOSPC;
}

int
haven_link_owner_hook_add(bool (*fn)(const struct haven_addr *a, void *arg),
		void *arg)
{
	unsigned int i;

	for (i = 0; i < OWNER_HOOKS; i++)
		if (owner_hooks[i].fn == NULL) {
			owner_hooks[i].fn = fn;
			owner_hooks[i].arg = arg;
			return 0;
		}
	return -ENOSPC;
}

void
link_conflict(const struct haven_addr *a)
{
	unsigned int i;

	for (i = 0; i < CONFLICT_HOOKS; i++)
		if (conflict_hooks[i].fn != NULL)
			conflict_hooks[i].fn(a, conflict_hooks[i].arg);
}

/* True if this agent answers for a on the home link. */
static bool
owned(const struct haven_addr *a)
{
	unsigned int i;

	if (haven_rt_is_own_addr(a))
		return true;
	for (i = 0; i < OWNER_HOOKS; i++)
		if (owner_hooks[i].fn != NULL &&
		    owner_hooks[i].fn(a, owner_hooks[i].arg))
			return true;
	return false;
}

void
link_claimed(struct link_family *f, const struct haven_addr *a,
		const struct rte_ether_addr *mac)
{
	uint64_t now = haven_now_ms();
	unsigned int i, slot;

	for (i = 0; i < haven_rt.fp.n_ports; i++)
		if (rte_is_same_ether_addr(mac, haven_rt_port_mac(i)))
			return;		/* our own, looped */
	if (!owned(a))
		return;
	f->stats.claims_seen++;
	slot = rte_jhash(a, sizeof(*a), 0) % DEFEND_SLOTS;
	if (defended_ms[slot] != 0 && now - defended_ms[slot] < HAVEN_DEFEND_MS)
		return;
	defended_ms[slot] = now;
	f->stats.defended++;
	haven_link_announce(a);
}

unsigned int
haven_link_held(uint8_t family, int idx)
{
	struct link_family *f = link_family_of(family);

	return f != NULL && idx >= 0 && idx < (int)f->size ?
		entry_of(f, idx)->n_held : 0;
}

const char *
haven_link_state_name(uint8_t family, int idx)
{
	static const char *const names[] = {
		[N_FREE] = "free", [N_INCOMPLETE] = "incomplete",
		[N_REACHABLE] = "reachable", [N_STALE] = "stale",
		[N_PROBE] = "probe", [N_DELETED] = "deleted",
	};
	struct link_family *f = link_family_of(family);

	if (f == NULL || idx < 0 || idx >= (int)f->size)
		return "?";
	if (entry_of(f, idx)->changing)
		return "confirming";
	return names[entry_of(f, idx)->state];
}

unsigned int
haven_link_refs(uint8_t family, int idx)
{
	struct link_family *f = link_family_of(family);

	return f != NULL && idx >= 0 && idx < (int)f->size ?
		entry_of(f, idx)->refs : 0;
}

const struct haven_link_stats *
haven_link_stats(uint8_t family)
{
	static const struct haven_link_stats none;
	const struct link_family *f = link_family_of(family);

	return f != NULL ? &f->stats : &none;
}
