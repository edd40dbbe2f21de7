/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console commands of what survives (state.h): the state store (show
 * store, save store) and the pair of primaries (show redundancy, set
 * redundancy-role, which keepalived's notify script types).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "console.h"
#include "console_state.h"
#include "state.h"

/* ***** show store ***** */

struct cmd_show_store_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t store;
};

static void
cmd_show_store_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct haven_config_store *sc = &haven_rt.cfg.store;
	const struct haven_persist_stats *p = haven_persist_stats();
	struct haven_store *st = haven_persist_store();
	struct haven_store_stats s;

	(void)parsed;
	(void)data;
	if (st == NULL) {
		console_error(cl, "no store: nothing survives a restart "
			"(configure store:)");
		return;
	}
	haven_store_stats_get(st, &s);
	cmdline_printf(cl, "store %s (%s), sync %s", sc->path,
		haven_store_meta(st)->identity, haven_store_sync_name(
			(enum haven_store_sync)sc->sync));
	if (sc->sync == HAVEN_CONFIG_STORE_SYNC_INTERVAL)
		cmdline_printf(cl, " %u ms", sc->sync_interval_ms);
	cmdline_printf(cl, ", %s\n", haven_persist_writing() ?
		"written by this agent" : "written by the active's stream");
	cmdline_printf(cl, "  records %" PRIu64 ", pending %u, map %" PRIu64
		" of %" PRIu64 " MiB used\n", s.entries, s.pending,
		s.used_bytes >> 20, s.map_size >> 20);
	cmdline_printf(cl, "  commits %" PRIu64 " (last %" PRIu64 " changes, %"
		PRIu64 " us; longest %" PRIu64 " us), puts %" PRIu64
		", deletes %" PRIu64 ", syncs %" PRIu64 "\n", s.commits,
		s.last_batch, s.last_commit_us, s.max_commit_us, s.puts,
		s.deletes, s.syncs);
	cmdline_printf(cl, "  errors %" PRIu64 " (last %d), dropped %" PRIu64
		"\n", s.errors + p->errors, s.last_error, s.dropped);
	cmdline_printf(cl, "  last restore: %" PRIu64 " bindings (%" PRIu64
		" adopted on secondaries), %" PRIu64 " replay, %" PRIu64
		" secondaries; dropped %" PRIu64 " expired, %" PRIu64
		" unknown; %" PRIu64 " us; %" PRIu64 " restores\n",
		p->restored, p->adopted, p->restored_replay, p->restored_deleg,
		p->expired, p->unknown, p->last_restore_us, p->restores);
	cmdline_printf(cl, "  announced %" PRIu64 ", still to announce %"
		PRIu64 "\n", p->announced, p->announce_pending);
}

static cmdline_parse_token_string_t cmd_show_store_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_store_result, show, "show");
static cmdline_parse_token_string_t cmd_show_store_store =
	TOKEN_STRING_INITIALIZER(struct cmd_show_store_result, store, "store");

cmdline_parse_inst_t cmd_show_store = {
	.f = cmd_show_store_parsed,
	.data = NULL,
	.help_str = "show store: the state store (path, records, commits, "
		"the last restore)",
	.tokens = {
		(void *)&cmd_show_store_show,
		(void *)&cmd_show_store_store,
		NULL,
	},
};

/* ***** save store ***** */

struct cmd_save_store_result {
	cmdline_fixed_string_t save;
	cmdline_fixed_string_t store;
};

static void
cmd_save_store_parsed(void *parsed, struct cmdline *cl, void *data)
{
	int rc = haven_persist_flush();

	(void)parsed;
	(void)data;
	if (rc < 0)
		cmdline_printf(cl, "error: %s\n", rc == -ENOENT ?
			"no store configured" : strerror(-rc));
	else
		cmdline_printf(cl, "saved: %d change(s) committed and synced\n",
			rc);
}

static cmdline_parse_token_string_t cmd_save_store_save =
	TOKEN_STRING_INITIALIZER(struct cmd_save_store_result, save, "save");
static cmdline_parse_token_string_t cmd_save_store_store =
	TOKEN_STRING_INITIALIZER(struct cmd_save_store_result, store, "store");

cmdline_parse_inst_t cmd_save_store = {
	.f = cmd_save_store_parsed,
	.data = NULL,
	.help_str = "save store: commit what is pending and sync it to disk",
	.tokens = {
		(void *)&cmd_save_store_save,
		(void *)&cmd_save_store_store,
		NULL,
	},
};

/* ***** show redundancy ***** */

struct cmd_show_red_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t redundancy;
};

static void
cmd_show_red_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct haven_config_redundancy *rc = &haven_rt.cfg.redundancy;
	const struct haven_sync *sy = haven_pair_sync();
	const struct haven_pair_stats *p = haven_pair_stats();
	struct haven_sync_stats s;
	char a[HAVEN_ADDR_STRLEN];
	uint64_t since, age;
	enum haven_pair_vrrp v;

	(void)parsed;
	(void)data;
	if (!haven_pair_enabled() || sy == NULL) {
		console_error(cl, "no redundancy: a lone primary (%s)",
			haven_rt.serving ? "serving" : "not serving");
		return;
	}
	haven_sync_stats_get(sy, &s);
	v = haven_pair_vrrp(&since);
	age = haven_pair_advert_age_ms();
	cmdline_printf(cl, "node %u, role %s (configured %s), %s the home "
		"agent address\n", rc->node_id,
		haven_sync_role_name(haven_sync_role(sy)),
		haven_redundancy_role_name(rc->role),
		haven_rt.serving ? "holds" : "leaves");
	cmdline_printf(cl, "keepalived: %s", haven_pair_vrrp_name(v));
	if (since != 0)
		cmdline_printf(cl, " (%.1f s ago)",
			(double)(haven_wall_us() - since) / 1e6);
	if (age != UINT64_MAX)
		cmdline_printf(cl, ", last advertisement %" PRIu64 " ms ago",
			age);
	cmdline_printf(cl, "; VRID %u, adverts local %" PRIu64 ", peer %"
		PRIu64 "\n", rc->vrid, p->adverts_local, p->adverts_peer);
	cmdline_printf(cl, "peer %s (%u) at %s:%u: %s, stream %s\n",
		rc->peer.name, rc->peer.id, haven_addr_str(&rc->peer.addr, a),
		rc->port, haven_sync_peer_alive(sy) ? "alive" : "silent",
		haven_sync_state_name(haven_sync_state(sy)));
	cmdline_printf(cl, "  sent: records %" PRIu64 ", messages %" PRIu64
		" (retransmits %" PRIu64 "), in flight %u, queued %u\n",
		s.records_sent, s.tx[HAVEN_SYNC_RECORDS], s.retransmits,
		s.in_flight, s.queued);
	cmdline_printf(cl, "  applied %" PRIu64 " (errors %" PRIu64 "), "
		"sessions %" PRIu64 ", bulks %" PRIu64 " (last %" PRIu64
		" records in %" PRIu64 " ms)\n", s.applied, s.apply_errors,
		s.sessions, s.bulks_done, s.bulk_records, s.bulk_ms);
	cmdline_printf(cl, "  refused: bad auth %" PRIu64 ", replayed %" PRIu64
		", malformed %" PRIu64 ", misdirected %" PRIu64
		"; dual active %" PRIu64 "\n", s.bad_auth, s.replayed,
		s.malformed, s.misdirected, s.dual_active);
	cmdline_printf(cl, "  takeovers %" PRIu64 " (last: %" PRIu64
		" bindings in %" PRIu64 " us), handovers %" PRIu64
		", keepalived lost %" PRIu64 "\n", p->takeovers,
		p->last_takeover_bindings, p->last_takeover_us, p->handovers,
		p->keepalived_lost);
}

static cmdline_parse_token_string_t cmd_show_red_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_red_result, show, "show");
static cmdline_parse_token_string_t cmd_show_red_redundancy =
	TOKEN_STRING_INITIALIZER(struct cmd_show_red_result, redundancy,
		"redundancy");

cmdline_parse_inst_t cmd_show_redundancy = {
	.f = cmd_show_red_parsed,
	.data = NULL,
	.help_str = "show redundancy: the pair: role, keepalived, the peer, "
		"the stream",
	.tokens = {
		(void *)&cmd_show_red_show,
		(void *)&cmd_show_red_redundancy,
		NULL,
	},
};

/* ***** set redundancy-role ***** */

struct cmd_set_role_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t role;
};

static void
cmd_set_role_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_set_role_result *r = parsed;
	char err[128], ok[192];
	int v = haven_pair_vrrp_parse(r->role), rc;

	(void)data;
	rc = haven_pair_set_vrrp(v < 0 ? HAVEN_PAIR_VRRP_UNKNOWN : v, err,
		sizeof(err));
	snprintf(ok, sizeof(ok), "redundancy role %s: %s", r->role,
		haven_rt.serving ? "active" : "not active");
	console_result(cl, rc, err, ok);
}

static cmdline_parse_token_string_t cmd_set_role_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_role_result, set, "set");
static cmdline_parse_token_string_t cmd_set_role_what =
	TOKEN_STRING_INITIALIZER(struct cmd_set_role_result, what,
		"redundancy-role");
static cmdline_parse_token_string_t cmd_set_role_role =
	TOKEN_STRING_INITIALIZER(struct cmd_set_role_result, role,
		"master#backup#fault#stop");

cmdline_parse_inst_t cmd_set_redundancy_role = {
	.f = cmd_set_role_parsed,
	.data = NULL,
	.help_str = "set redundancy-role master|backup|fault|stop: what "
		"keepalived says (its notify script types it)",
	.tokens = {
		(void *)&cmd_set_role_set,
		(void *)&cmd_set_role_what,
		(void *)&cmd_set_role_role,
		NULL,
	},
};
