/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of what survives (state.h): /haven/store (the state store's
 * counters and the last restore) and /haven/redundancy (the pair: roles,
 * keepalived, the stream), served on the control lcore like every
 * /haven endpoint (haven_telemetry_on_control()).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "state.h"
#include "telemetry.h"
#include "view.h"

static int
store_handler(const char *params, struct rte_tel_data *d)
{
	const struct haven_persist_stats *p = haven_persist_stats();
	struct haven_store *st = haven_persist_store();
	struct haven_store_stats s;

	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "enabled", st != NULL);
	if (st == NULL)
		return 0;
	haven_store_stats_get(st, &s);
	rte_tel_data_add_dict_string(d, "path", haven_rt.cfg.store.path);
	rte_tel_data_add_dict_string(d, "sync", haven_store_sync_name(
		(enum haven_store_sync)haven_rt.cfg.store.sync));
	rte_tel_data_add_dict_int(d, "writing", haven_persist_writing());
	rte_tel_data_add_dict_u64(d, "records", s.entries);
	rte_tel_data_add_dict_u64(d, "pending", s.pending);
	rte_tel_data_add_dict_u64(d, "commits", s.commits);
	rte_tel_data_add_dict_u64(d, "puts", s.puts);
	rte_tel_data_add_dict_u64(d, "deletes", s.deletes);
	rte_tel_data_add_dict_u64(d, "range_deletes", s.range_deletes);
	rte_tel_data_add_dict_u64(d, "bytes", s.bytes);
	rte_tel_data_add_dict_u64(d, "last_commit_us", s.last_commit_us);
	rte_tel_data_add_dict_u64(d, "max_commit_us", s.max_commit_us);
	rte_tel_data_add_dict_u64(d, "last_batch", s.last_batch);
	rte_tel_data_add_dict_u64(d, "syncs", s.syncs);
	rte_tel_data_add_dict_u64(d, "errors", s.errors + p->errors);
	rte_tel_data_add_dict_int(d, "last_error", s.last_error);
	rte_tel_data_add_dict_u64(d, "dropped", s.dropped);
	rte_tel_data_add_dict_u64(d, "map_size", s.map_size);
	rte_tel_data_add_dict_u64(d, "used_bytes", s.used_bytes);
	rte_tel_data_add_dict_u64(d, "restores", p->restores);
	rte_tel_data_add_dict_u64(d, "restored", p->restored);
	rte_tel_data_add_dict_u64(d, "restored_replay", p->restored_replay);
	rte_tel_data_add_dict_u64(d, "restored_deleg", p->restored_deleg);
	rte_tel_data_add_dict_u64(d, "restored_adopted", p->adopted);
	rte_tel_data_add_dict_u64(d, "restore_expired", p->expired);
	rte_tel_data_add_dict_u64(d, "restore_coa_expired", p->coa_expired);
	rte_tel_data_add_dict_u64(d, "restore_unknown", p->unknown);
	rte_tel_data_add_dict_u64(d, "restore_refused", p->refused);
	rte_tel_data_add_dict_u64(d, "last_restore_us", p->last_restore_us);
	rte_tel_data_add_dict_u64(d, "announced", p->announced);
	rte_tel_data_add_dict_u64(d, "announce_pending", p->announce_pending);
	rte_tel_data_add_dict_u64(d, "deleg_confirmed",
		haven_deleg_restore_stats()->confirmed);
	rte_tel_data_add_dict_u64(d, "deleg_restarted",
		haven_deleg_restore_stats()->restarted);
	return 0;
}

static int
redundancy_handler(const char *params, struct rte_tel_data *d)
{
	const struct haven_config_redundancy *rc = &haven_rt.cfg.redundancy;
	const struct haven_sync *sy = haven_pair_sync();
	const struct haven_pair_stats *p = haven_pair_stats();
	struct haven_sync_stats s;
	uint64_t since, age;
	enum haven_pair_vrrp v;
	char a[HAVEN_ADDR_STRLEN];

	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "enabled", haven_pair_enabled());
	rte_tel_data_add_dict_int(d, "serving", haven_rt.serving);
	if (!haven_pair_enabled() || sy == NULL)
		return 0;
	haven_sync_stats_get(sy, &s);
	v = haven_pair_vrrp(&since);
	age = haven_pair_advert_age_ms();
	rte_tel_data_add_dict_u64(d, "node_id", rc->node_id);
	rte_tel_data_add_dict_string(d, "role",
		haven_sync_role_name(haven_sync_role(sy)));
	rte_tel_data_add_dict_string(d, "configured_role",
		haven_redundancy_role_name(rc->role));
	rte_tel_data_add_dict_string(d, "keepalived", haven_pair_vrrp_name(v));
	rte_tel_data_add_dict_u64(d, "keepalived_since_us", since);
	rte_tel_data_add_dict_int(d, "advert_age_ms",
		age == UINT64_MAX ? -1 : (int)(age > INT32_MAX ? INT32_MAX :
			age));
	rte_tel_data_add_dict_string(d, "peer", rc->peer.name);
	rte_tel_data_add_dict_u64(d, "peer_id", rc->peer.id);
	rte_tel_data_add_dict_string(d, "peer_address",
		haven_addr_str(&rc->peer.addr, a));
	rte_tel_data_add_dict_int(d, "peer_alive", haven_sync_peer_alive(sy));
	rte_tel_data_add_dict_string(d, "stream",
		haven_sync_state_name(haven_sync_state(sy)));
	rte_tel_data_add_dict_u64(d, "records_sent", s.records_sent);
	rte_tel_data_add_dict_u64(d, "records_messages",
		s.tx[HAVEN_SYNC_RECORDS]);
	rte_tel_data_add_dict_u64(d, "retransmits", s.retransmits);
	rte_tel_data_add_dict_u64(d, "applied", s.applied);
	rte_tel_data_add_dict_u64(d, "apply_errors", s.apply_errors);
	rte_tel_data_add_dict_u64(d, "sessions", s.sessions);
	rte_tel_data_add_dict_u64(d, "bulks_done", s.bulks_done);
	rte_tel_data_add_dict_u64(d, "bulk_records", s.bulk_records);
	rte_tel_data_add_dict_u64(d, "bulk_ms", s.bulk_ms);
	rte_tel_data_add_dict_u64(d, "in_flight", s.in_flight);
	rte_tel_data_add_dict_u64(d, "queued", s.queued);
	rte_tel_data_add_dict_u64(d, "bad_auth", s.bad_auth);
	rte_tel_data_add_dict_u64(d, "replayed", s.replayed);
	rte_tel_data_add_dict_u64(d, "malformed", s.malformed);
	rte_tel_data_add_dict_u64(d, "dual_active", s.dual_active);
	rte_tel_data_add_dict_u64(d, "takeovers", p->takeovers);
	rte_tel_data_add_dict_u64(d, "handovers", p->handovers);
	rte_tel_data_add_dict_u64(d, "last_takeover_us", p->last_takeover_us);
	rte_tel_data_add_dict_u64(d, "last_takeover_bindings",
		p->last_takeover_bindings);
	rte_tel_data_add_dict_u64(d, "keepalived_lost", p->keepalived_lost);
	rte_tel_data_add_dict_u64(d, "adverts_local", p->adverts_local);
	rte_tel_data_add_dict_u64(d, "adverts_peer", p->adverts_peer);
	return 0;
}

static int
tel_store(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return haven_telemetry_on_control(store_handler, params, d);
}

static int
tel_redundancy(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return haven_telemetry_on_control(redundancy_handler, params, d);
}

int
haven_telemetry_state_init(void)
{
	rte_telemetry_register_cmd("/haven/store", tel_store,
		"The state store: records, commits, the last restore. No "
		"parameters");
	rte_telemetry_register_cmd("/haven/redundancy", tel_redundancy,
		"The pair of primaries: role, keepalived, peer, stream. No "
		"parameters");
	return 0;
}
