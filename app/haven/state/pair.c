/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pair of primaries (state.h; docs/redundancy.md): keepalived's VRRP
 * decides which primary is active, this module follows it.
 *
 * The active holds the home agent address and its VRRP virtual MAC on
 * the home port (the runtime's serving switch: its workers answer ARP /
 * ND for the address with the virtual MAC and take what comes to it),
 * answers registrations, writes its store, and streams every change of
 * the store to the standby over lib/sync (UDP redundancy.port between the
 * primaries' own addresses). The standby leaves the address alone, has no
 * binding in its fast path, answers nothing, and applies the stream to
 * its own store. Taking over is a restore from that store (the same code
 * a restart runs: bindings with what is left of their lifetimes, replay
 * counters, delegations adopted on their secondaries, which see the same
 * primary id and address and forward on), then the address, then the
 * announcements. Handing over (back to standby, or neither) withdraws the
 * bindings from the fast path without telling anyone: the other primary
 * has them.
 *
 * keepalived tells its state through its notify script, which writes
 * `set redundancy-role master|backup|fault` on the console socket. A
 * killed keepalived runs no script and its kernel keeps the address: so
 * the active also watches keepalived's advertisements crossing the
 * exception path, and leaves the role when they stop.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_random.h>
#include <rte_udp.h>

#include "event.h"
#include "exception.h"
#include "haven_store.h"
#include "haven_sync.h"
#include "link.h"
#include "loop.h"
#include "node.h"
#include "reload.h"
#include "rt.h"
#include "state.h"

#define TAKEOVER_GRACE_MS 1000	/* a new master's first advertisement */

/* The module. Writer: this file, on the control lcore. */
static struct {
	bool enabled;
	struct haven_sync *sync;
	bool active;			/* serving as the pair's active */
	enum haven_pair_vrrp vrrp;	/* what keepalived said last */
	uint64_t vrrp_since_us;
	uint64_t master_ms;		/* when it said MASTER */
	uint64_t last_advert_ms;	/* keepalived's, from the host side */
	uint64_t last_tick_ms;
	struct rte_ether_addr vmac;
	struct haven_pair_stats stats;
} pair;

static const char *const vrrp_names[] = {
	[HAVEN_PAIR_VRRP_UNKNOWN] = "unknown",
	[HAVEN_PAIR_VRRP_MASTER] = "master",
	[HAVEN_PAIR_VRRP_BACKUP] = "backup",
	[HAVEN_PAIR_VRRP_FAULT] = "fault",
	[HAVEN_PAIR_VRRP_STOP] = "stop",
};

const char *
haven_pair_vrrp_name(enum haven_pair_vrrp state)
{
	return (unsigned int)state < RTE_DIM(vrrp_names) ?
		vrrp_names[state] : "?";
}

int
haven_pair_vrrp_parse(const char *word)
{
	unsigned int i;

	for (i = HAVEN_PAIR_VRRP_MASTER; i < RTE_DIM(vrrp_names); i++)
		if (strcasecmp(word, vrrp_names[i]) == 0)
			return (int)i;
	return -1;
}

bool
haven_pair_enabled(void)
{
	return pair.enabled;
}

const struct haven_sync *
haven_pair_sync(void)
{
	return pair.sync;
}

const struct haven_pair_stats *
haven_pair_stats(void)
{
	return &pair.stats;
}

enum haven_pair_vrrp
haven_pair_vrrp(uint64_t *since_us)
{
	if (since_us != NULL)
		*since_us = pair.vrrp_since_us;
	return pair.vrrp;
}

uint64_t
haven_pair_advert_age_ms(void)
{
	return pair.last_advert_ms == 0 ? UINT64_MAX :
		haven_now_ms() - pair.last_advert_ms;
}

/* ---------------------------------------------------------------------
 * lib/sync's callbacks
 */

static void
sync_send(void *ctx, const uint8_t *msg, size_t len)
{
	const struct haven_config_redundancy *rc = &haven_rt.cfg.redundancy;

	(void)ctx;
	haven_link_send_udp4(rc->addr.v4, rc->peer.addr.v4, rc->port,
		rc->port, msg, (uint16_t)len);
}

struct scan_ctx {
	haven_sync_scan_cb cb;
	void *cb_ctx;
};

static int
scan_one(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *val,
		size_t val_len)
{
	struct scan_ctx *s = ctx;

	return s->cb(s->cb_ctx, key, key_len, val, val_len);
}

/* The active's bulk reads its store (which commits what is pending). */
static int
sync_scan(void *ctx, const uint8_t *after, size_t after_len, unsigned int max,
		haven_sync_scan_cb cb, void *cb_ctx)
{
	struct haven_store *st = haven_persist_store();
	struct scan_ctx s = { cb, cb_ctx };

	(void)ctx;
	if (st == NULL)
		return 0;
	return haven_store_scan(st, after, after_len, max, scan_one, &s);
}

/* The standby writes what the active streams into its store. */
static int
sync_apply(void *ctx, int op, const uint8_t *key, size_t key_len,
		const uint8_t *val, size_t val_len)
{
	struct haven_store *st = haven_persist_store();
	char err[128];
	int rc;

	(void)ctx;
	if (st == NULL)
		return -ENOENT;
	switch (op) {
	case HAVEN_SYNC_OP_PUT:
		rc = haven_store_put_raw(st, key, key_len, val, val_len, err,
			sizeof(err));
		if (rc < 0)
			HAVEN_LOG_LIMITED(WARNING, "sync: record refused: %s\n",
				err);
		break;
	case HAVEN_SYNC_OP_DELETE:
		rc = haven_store_delete_raw(st, key, key_len);
		break;
	case HAVEN_SYNC_OP_DELETE_RANGE:
		rc = haven_store_delete_range(st, key, key_len, val, val_len);
		break;
	default:
		rc = -EINVAL;
	}
	if (rc < 0)
		pair.stats.apply_errors++;
	return rc;
}

static void
sync_event(void *ctx, int event, uint64_t arg)
{
	const char *peer = haven_rt.cfg.redundancy.peer.name;

	(void)ctx;
	switch (event) {
	case HAVEN_SYNC_EV_SESSION_UP:
		haven_event(HAVEN_EV_PEER, NULL, -1, "redundancy: session with "
			"%s up (%s)", peer,
			haven_sync_role_name(haven_sync_role(pair.sync)));
		break;
	case HAVEN_SYNC_EV_BULK_DONE:
		haven_event(HAVEN_EV_PEER, NULL, -1, "redundancy: bulk resync "
			"with %s done (%" PRIu64 " records): in sync", peer, arg);
		break;
	case HAVEN_SYNC_EV_SESSION_DOWN:
		haven_event(HAVEN_EV_PEER, NULL, -1, "redundancy: session with "
			"%s down (%s)", peer,
			haven_sync_reason_name((uint8_t)arg));
		break;
	case HAVEN_SYNC_EV_PEER_ACTIVE:
		if (arg != 0)
			pair.stats.dual_active++;
		haven_event(HAVEN_EV_PEER, NULL, -1, "redundancy: %s %s",
			peer, arg != 0 ? "says it is active too: both are "
			"active (VRRP split)" : "is no longer active");
		break;
	case HAVEN_SYNC_EV_PEER_ALIVE:
		haven_event(HAVEN_EV_PEER, NULL, -1, "redundancy: %s %s", peer,
			arg != 0 ? "heard again" : "silent");
		break;
	case HAVEN_SYNC_EV_APPLY_ERROR:
		break;
	}
}

static void
sync_log(void *ctx, const char *line)
{
	(void)ctx;
	HAVEN_LOG(DEBUG, "%s\n", line);
}

static uint64_t
sync_count(void *ctx)
{
	struct haven_store *st = haven_persist_store();
	struct haven_store_stats s;

	(void)ctx;
	if (st == NULL)
		return 0;
	haven_store_stats_get(st, &s);
	return s.entries;
}

static const struct haven_sync_ops sync_ops = {
	.send = sync_send,
	.scan = sync_scan,
	.apply = sync_apply,
	.event = sync_event,
	.log = sync_log,
	.count = sync_count,
};

/* Every change of the store goes to the standby (ignored unless active). */
static void
store_observer(void *ctx, int op, const uint8_t *key, size_t key_len,
		const uint8_t *val, size_t val_len)
{
	(void)ctx;
	if (op == HAVEN_STORE_OP_PUT || op == HAVEN_STORE_OP_DELETE)
		haven_sync_change(pair.sync, op, key, key_len, val, val_len);
}

/* A datagram on the sync port. */
static void
sync_input(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)
		((const uint8_t *)ip + rte_ipv4_hdr_len(ip));
	size_t off = (const uint8_t *)(udp + 1) -
		rte_pktmbuf_mtod(m, const uint8_t *);
	size_t len = rte_be_to_cpu_16(udp->dgram_len);
	struct haven_addr src = haven_addr4(ip->src_addr);
	int rc = -EBADMSG;

	if (len >= sizeof(*udp) && off + len - sizeof(*udp) <=
			rte_pktmbuf_data_len(m))
		rc = haven_sync_input(pair.sync, &src,
			(const uint8_t *)(udp + 1), len - sizeof(*udp),
			haven_now_ms());
	if (rc != 0)
		pair.stats.sync_dropped++;
	rte_pktmbuf_free(m);
}

/* ---------------------------------------------------------------------
 * Roles
 */

static void
become_active(void)
{
	const struct haven_config *cfg = &haven_rt.cfg;
	uint64_t t0 = rte_get_timer_cycles();
	struct haven_addr a;
	char err[512];

	if (pair.active)
		return;
	haven_sync_set_role(pair.sync, HAVEN_SYNC_ROLE_ACTIVE, haven_now_ms());
	if (haven_sync_state(pair.sync) != HAVEN_SYNC_S_IN_SYNC &&
	    pair.stats.takeovers + pair.stats.handovers > 0)
		HAVEN_LOG(WARNING, "redundancy: taking over from a store that "
			"was not in sync with %s\n", cfg->redundancy.peer.name);
	if (haven_persist_restore(err, sizeof(err)) < 0)
		HAVEN_LOG(ERR, "redundancy: takeover restore: %s\n", err);
	haven_rt_set_serving(true, &pair.vmac);
	pair.active = true;
	/* The address first (keepalived says it too, from the same MAC),
	 * then, paced, every home address (persist.c). */
	a = haven_addr4(cfg->ha_addr);
	haven_link_announce(&a);
	if (cfg->has_ha_addr6 && haven_rt_has_ip6()) {
		a = haven_addr6(cfg->ha_addr6);
		haven_link_announce(&a);
	}
	pair.stats.takeovers++;
	pair.stats.last_takeover_bindings = haven_persist_stats()->restored;
	pair.stats.last_takeover_us = (rte_get_timer_cycles() - t0) *
		1000000 / rte_get_timer_hz();
	haven_event(HAVEN_EV_PEER, NULL, -1, "redundancy: active (%" PRIu64
		" bindings restored, %" PRIu64 " us)",
		pair.stats.last_takeover_bindings, pair.stats.last_takeover_us);
}

static void
leave_active(enum haven_sync_role role)
{
	unsigned int n = 0;

	if (pair.active) {
		haven_rt_set_serving(false, NULL);
		haven_persist_stop_writing();
		n = haven_nodes_handover();
		pair.active = false;
		pair.stats.handovers++;
	} else {
		haven_rt_set_serving(false, NULL);
		haven_persist_stop_writing();
	}
	haven_sync_set_role(pair.sync, role, haven_now_ms());
	haven_event(HAVEN_EV_PEER, NULL, -1, "redundancy: %s (%u bindings "
		"handed over)", role == HAVEN_SYNC_ROLE_STANDBY ? "standby" :
		"neither active nor standby", n);
}

int
haven_pair_set_vrrp(enum haven_pair_vrrp state, char *err, size_t errlen)
{
	enum haven_redundancy_role cfg_role = haven_rt.cfg.redundancy.role;

	if (!pair.enabled) {
		snprintf(err, errlen, "this agent has no redundancy section");
		return -ENOTSUP;
	}
	if (state <= HAVEN_PAIR_VRRP_UNKNOWN || state > HAVEN_PAIR_VRRP_STOP) {
		snprintf(err, errlen, "the role is master, backup, fault or "
			"stop");
		return -EINVAL;
	}
	if (cfg_role != HAVEN_ROLE_AUTO) {
		snprintf(err, errlen, "redundancy.role is %s: keepalived is "
			"not followed", haven_redundancy_role_name(cfg_role));
		return -EPERM;
	}
	if (state != pair.vrrp)
		pair.stats.role_changes++;
	pair.vrrp = state;
	pair.vrrp_since_us = haven_wall_us();
	switch (state) {
	case HAVEN_PAIR_VRRP_MASTER:
		pair.master_ms = haven_now_ms();
		become_active();
		break;
	case HAVEN_PAIR_VRRP_BACKUP:
		leave_active(HAVEN_SYNC_ROLE_STANDBY);
		break;
	default:
		leave_active(HAVEN_SYNC_ROLE_NONE);
		break;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Watching keepalived, the periodic turn
 */

static void
exception_watch(unsigned int p, bool from_host, const struct rte_mbuf *m,
		void *arg)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip;
	const uint8_t *vrrp;

	(void)arg;
	if (p != haven_rt_home_port() ||
	    eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*ip) + 2)
		return;
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	if (ip->next_proto_id != HAVEN_IPPROTO_VRRP ||
	    rte_pktmbuf_data_len(m) < sizeof(*eth) + rte_ipv4_hdr_len(ip) + 2)
		return;
	vrrp = (const uint8_t *)ip + rte_ipv4_hdr_len(ip);
	if (vrrp[1] != haven_rt.cfg.redundancy.vrid)
		return;
	if (from_host) {
		pair.last_advert_ms = haven_now_ms();
		pair.stats.adverts_local++;
	} else {
		pair.stats.adverts_peer++;
	}
}

/* Active by keepalived's word, but keepalived fell silent: it died, and
 * its kernel keeps the address; the other takes over, we leave. */
static void
watch_keepalived(uint64_t now)
{
	uint64_t last, limit;

	if (!pair.active || pair.vrrp != HAVEN_PAIR_VRRP_MASTER ||
	    !haven_exception_present(haven_rt_home_port()))
		return;
	last = pair.last_advert_ms > pair.master_ms ? pair.last_advert_ms :
		pair.master_ms + TAKEOVER_GRACE_MS;
	limit = (uint64_t)HAVEN_PAIR_ADVERT_DEAD *
		haven_rt.cfg.redundancy.advert_interval_ms;
	if (now <= last || now - last < limit)
		return;
	pair.stats.keepalived_lost++;
	haven_event(HAVEN_EV_PEER, NULL, -1, "redundancy: keepalived silent "
		"for %" PRIu64 " ms while master: leaving the active role",
		now - last);
	pair.vrrp = HAVEN_PAIR_VRRP_FAULT;
	pair.vrrp_since_us = haven_wall_us();
	leave_active(HAVEN_SYNC_ROLE_NONE);
}

static unsigned int
pair_poll(void)
{
	uint64_t now = haven_now_ms();

	if (now == pair.last_tick_ms)
		return 0;
	pair.last_tick_ms = now;
	haven_sync_tick(pair.sync, now);
	watch_keepalived(now);
	return 0;
}

/* ---------------------------------------------------------------------
 * Reload: the store and the pair only change with a restart
 */

static int
reload_prepare(const struct haven_config *new_cfg, void **ctx, char *err,
		size_t errlen)
{
	struct haven_config_redundancy a = haven_rt.cfg.redundancy;
	struct haven_config_redundancy b = new_cfg->redundancy;

	(void)ctx;
	a.peer.line = b.peer.line = 0;	/* where it is written: free */
	if (memcmp(&haven_rt.cfg.store, &new_cfg->store,
			sizeof(new_cfg->store)) != 0) {
		snprintf(err, errlen, "store changed: only a restart applies "
			"that");
		return -EINVAL;
	}
	if (memcmp(&a, &b, sizeof(a)) != 0) {
		snprintf(err, errlen, "redundancy changed: only a restart "
			"applies that (restart the standby first)");
		return -EINVAL;
	}
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
}

static const struct haven_reload_ops reload_ops = {
	.name = "store and redundancy",
	.prepare = reload_prepare,
	.commit = reload_commit,
};

/* ---------------------------------------------------------------------
 * Set-up
 */

int
haven_pair_init(void)
{
	const struct haven_config_redundancy *rc = &haven_rt.cfg.redundancy;
	struct haven_sync_params p;
	char err[512];
	int r;

	memset(&pair, 0, sizeof(pair));
	r = haven_reload_register(&reload_ops);
	if (r != 0)
		return r;
	if (!rc->enabled) {
		/* A lone primary: what the store holds is ours. */
		if (haven_persist_restore(err, sizeof(err)) < 0) {
			fprintf(stderr, "haven: %s\n", err);
			return -EBADMSG;
		}
		return 0;
	}
	if (rc->addr.family != HAVEN_AF_INET) {
		fprintf(stderr, "haven: redundancy over IPv6 is not wired in "
			"this build: give redundancy.address an IPv4 address "
			"of a port\n");
		return -ENOTSUP;
	}
	if (!haven_persist_enabled()) {
		fprintf(stderr, "haven: redundancy needs a store: section "
			"(the standby keeps the active's state in it)\n");
		return -EINVAL;
	}
	pair.enabled = true;
	pair.vmac = (struct rte_ether_addr){ .addr_bytes = {
		0x00, 0x00, 0x5e, 0x00, 0x01, rc->vrid } };
	memset(&p, 0, sizeof(p));
	p.self_id = rc->node_id;
	p.peer_id = rc->peer.id;
	p.peer_addr = rc->peer.addr;
	p.key = rc->peer.key;
	p.key_len = rc->peer.key_len;
	p.heartbeat_ms = rc->heartbeat_ms;
	p.dead_after = rc->dead_after;
	p.window = rc->window;
	p.bulk_per_tick = rc->bulk_per_tick;
	p.seq_base = haven_wall_us();
	p.boot_id = (uint32_t)rte_rand();
	p.ops = &sync_ops;
	pair.sync = haven_sync_create(&p, haven_now_ms());
	if (pair.sync == NULL)
		return -errno;
	haven_store_set_observer(haven_persist_store(), store_observer, NULL);
	r = haven_loop_on_udp4(rc->port, sync_input);
	if (r == 0)
		r = haven_loop_poller("redundancy", pair_poll);
	if (r == 0 && haven_exception_present(haven_rt_home_port()))
		r = haven_exception_watch(exception_watch, NULL);
	if (r != 0)
		return r;
	HAVEN_LOG(INFO, "redundancy: node %u, peer %s (%u) at " HAVEN_IP4_FMT
		":%u, role %s, VRID %u\n", rc->node_id, rc->peer.name,
		rc->peer.id, HAVEN_IP4_ARGS(rc->peer.addr.v4), rc->port,
		haven_redundancy_role_name(rc->role), rc->vrid);
	switch (rc->role) {
	case HAVEN_ROLE_ACTIVE:
		become_active();
		break;
	case HAVEN_ROLE_STANDBY:
		leave_active(HAVEN_SYNC_ROLE_STANDBY);
		break;
	case HAVEN_ROLE_AUTO:
		/* Neither until keepalived says. */
		haven_rt_set_serving(false, NULL);
		haven_persist_stop_writing();
		break;
	}
	return 0;
}

void
haven_pair_shutdown(void)
{
	if (pair.sync == NULL)
		return;
	haven_sync_shutdown(pair.sync, haven_now_ms());
	if (haven_persist_store() != NULL)
		haven_store_set_observer(haven_persist_store(), NULL, NULL);
	haven_sync_free(pair.sync);
	pair.sync = NULL;
	pair.enabled = false;
}
