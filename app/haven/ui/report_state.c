/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builders of what survives (state.h): the state store with the last
 * restore (show store, /haven/store) and the pair of primaries (show
 * redundancy, /haven/redundancy). One object each, read by the console's
 * text, its JSON and telemetry alike (report.h).
 */

#include <stdint.h>

#include <rte_common.h>

#include "report.h"
#include "state.h"
#include "view.h"

/* Members from a table of names and values: unsigned counters. */
struct u64_member {
	const char *name;
	uint64_t value;
};

static void
put_u64s(json_t *o, const struct u64_member *m, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		json_object_set_new(o, m[i].name,
			json_integer((json_int_t)m[i].value));
}

json_t *
haven_report_store(void)
{
	const struct haven_config_store *sc = &haven_rt.cfg.store;
	const struct haven_persist_stats *p = haven_persist_stats();
	const struct haven_deleg_restore_stats *dr =
		haven_deleg_restore_stats();
	struct haven_store *st = haven_persist_store();
	struct haven_store_stats s;
	json_t *o;

	o = json_pack("{s:b}", "enabled", st != NULL);
	if (o == NULL || st == NULL)
		return o;
	haven_store_stats_get(st, &s);
	json_object_set_new(o, "path", json_string(sc->path));
	json_object_set_new(o, "identity",
		json_string(haven_store_meta(st)->identity));
	json_object_set_new(o, "sync", json_string(haven_store_sync_name(
		(enum haven_store_sync)sc->sync)));
	json_object_set_new(o, "sync_interval_ms",
		json_integer(sc->sync_interval_ms));
	json_object_set_new(o, "writing", json_boolean(haven_persist_writing()));
	json_object_set_new(o, "last_error", json_integer(s.last_error));
	{
		const struct u64_member m[] = {
			{ "records", s.entries },
			{ "pending", s.pending },
			{ "commits", s.commits },
			{ "puts", s.puts },
			{ "deletes", s.deletes },
			{ "range_deletes", s.range_deletes },
			{ "bytes", s.bytes },
			{ "last_commit_us", s.last_commit_us },
			{ "max_commit_us", s.max_commit_us },
			{ "last_batch", s.last_batch },
			{ "syncs", s.syncs },
			{ "errors", s.errors + p->errors },
			{ "dropped", s.dropped },
			{ "map_size", s.map_size },
			{ "used_bytes", s.used_bytes },
			{ "restores", p->restores },
			{ "restored", p->restored },
			{ "restored_replay", p->restored_replay },
			{ "restored_deleg", p->restored_deleg },
			{ "restored_adopted", p->adopted },
			{ "restore_expired", p->expired },
			{ "restore_coa_expired", p->coa_expired },
			{ "restore_unknown", p->unknown },
			{ "restore_refused", p->refused },
			{ "last_restore_us", p->last_restore_us },
			{ "announced", p->announced },
			{ "announce_pending", p->announce_pending },
			{ "deleg_confirmed", dr->confirmed },
			{ "deleg_restarted", dr->restarted },
		};

		put_u64s(o, m, RTE_DIM(m));
	}
	return o;
}

json_t *
haven_report_redundancy(void)
{
	const struct haven_config_redundancy *rc = &haven_rt.cfg.redundancy;
	const struct haven_sync *sy = haven_pair_sync();
	const struct haven_pair_stats *p = haven_pair_stats();
	struct haven_sync_stats s;
	char a[HAVEN_ADDR_STRLEN];
	uint64_t since, age;
	enum haven_pair_vrrp v;
	json_t *o;

	o = json_pack("{s:b,s:b}", "enabled", haven_pair_enabled(),
		"serving", haven_rt.serving);
	if (o == NULL || !haven_pair_enabled() || sy == NULL)
		return o;
	haven_sync_stats_get(sy, &s);
	v = haven_pair_vrrp(&since);
	age = haven_pair_advert_age_ms();
	json_object_set_new(o, "node_id", json_integer(rc->node_id));
	json_object_set_new(o, "role",
		json_string(haven_sync_role_name(haven_sync_role(sy))));
	json_object_set_new(o, "configured_role",
		json_string(haven_redundancy_role_name(rc->role)));
	json_object_set_new(o, "keepalived",
		json_string(haven_pair_vrrp_name(v)));
	json_object_set_new(o, "keepalived_since_us",
		json_integer((json_int_t)since));
	json_object_set_new(o, "advert_age_ms", json_integer(
		age == UINT64_MAX ? -1 : (json_int_t)age));
	json_object_set_new(o, "vrid", json_integer(rc->vrid));
	json_object_set_new(o, "peer", json_string(rc->peer.name));
	json_object_set_new(o, "peer_id", json_integer(rc->peer.id));
	json_object_set_new(o, "peer_address",
		json_string(haven_addr_str(&rc->peer.addr, a)));
	json_object_set_new(o, "port", json_integer(rc->port));
	json_object_set_new(o, "peer_alive",
		json_boolean(haven_sync_peer_alive(sy)));
	json_object_set_new(o, "stream",
		json_string(haven_sync_state_name(haven_sync_state(sy))));
	{
		const struct u64_member m[] = {
			{ "records_sent", s.records_sent },
			{ "records_messages", s.tx[HAVEN_SYNC_RECORDS] },
			{ "retransmits", s.retransmits },
			{ "applied", s.applied },
			{ "apply_errors", s.apply_errors },
			{ "sessions", s.sessions },
			{ "bulks_done", s.bulks_done },
			{ "bulk_records", s.bulk_records },
			{ "bulk_ms", s.bulk_ms },
			{ "in_flight", s.in_flight },
			{ "queued", s.queued },
			{ "bad_auth", s.bad_auth },
			{ "replayed", s.replayed },
			{ "malformed", s.malformed },
			{ "misdirected", s.misdirected },
			{ "dual_active", s.dual_active },
			{ "takeovers", p->takeovers },
			{ "handovers", p->handovers },
			{ "last_takeover_us", p->last_takeover_us },
			{ "last_takeover_bindings", p->last_takeover_bindings },
			{ "keepalived_lost", p->keepalived_lost },
			{ "adverts_local", p->adverts_local },
			{ "adverts_peer", p->adverts_peer },
		};

		put_u64s(o, m, RTE_DIM(m));
	}
	return o;
}
