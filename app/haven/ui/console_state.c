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
#include "report.h"
#include "state.h"

/* ***** show store ***** */

struct cmd_show_store_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t store;
};

static void
print_store(struct cmdline *cl, const json_t *j)
{
	if (!jbool(j, "enabled")) {
		cmdline_printf(cl, "no store: nothing survives a restart "
			"(configure store:)\n");
		return;
	}
	cmdline_printf(cl, "store %s (%s), sync %s", jstr(j, "path"),
		jstr(j, "identity"), jstr(j, "sync"));
	if (strcmp(jstr(j, "sync"), "interval") == 0)
		cmdline_printf(cl, " %lld ms", jint(j, "sync_interval_ms"));
	cmdline_printf(cl, ", %s\n", jbool(j, "writing") ?
		"written by this agent" : "written by the active's stream");
	cmdline_printf(cl, "  records %lld, pending %lld, map %lld of %lld "
		"MiB used\n", jint(j, "records"), jint(j, "pending"),
		jint(j, "used_bytes") >> 20, jint(j, "map_size") >> 20);
	cmdline_printf(cl, "  commits %lld (last %lld changes, %lld us; "
		"longest %lld us), puts %lld, deletes %lld, syncs %lld\n",
		jint(j, "commits"), jint(j, "last_batch"),
		jint(j, "last_commit_us"), jint(j, "max_commit_us"),
		jint(j, "puts"), jint(j, "deletes"), jint(j, "syncs"));
	cmdline_printf(cl, "  errors %lld (last %lld), dropped %lld\n",
		jint(j, "errors"), jint(j, "last_error"), jint(j, "dropped"));
	cmdline_printf(cl, "  last restore: %lld bindings (%lld adopted on "
		"secondaries), %lld replay, %lld secondaries; dropped %lld "
		"expired, %lld unknown; %lld us; %lld restores\n",
		jint(j, "restored"), jint(j, "restored_adopted"),
		jint(j, "restored_replay"), jint(j, "restored_deleg"),
		jint(j, "restore_expired"), jint(j, "restore_unknown"),
		jint(j, "last_restore_us"), jint(j, "restores"));
	cmdline_printf(cl, "  announced %lld, still to announce %lld\n",
		jint(j, "announced"), jint(j, "announce_pending"));
}

static void
cmd_show_store_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	console_emit(cl, haven_report_store(), print_store);
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
print_redundancy(struct cmdline *cl, const json_t *j)
{
	long long since = jint(j, "keepalived_since_us");

	if (!jbool(j, "enabled") || !json_is_string(json_object_get(j,
			"role"))) {
		cmdline_printf(cl, "no redundancy: a lone primary (%s)\n",
			jbool(j, "serving") ? "serving" : "not serving");
		return;
	}
	cmdline_printf(cl, "node %lld, role %s (configured %s), %s the home "
		"agent address\n", jint(j, "node_id"), jstr(j, "role"),
		jstr(j, "configured_role"),
		jbool(j, "serving") ? "holds" : "leaves");
	cmdline_printf(cl, "keepalived: %s", jstr(j, "keepalived"));
	if (since != 0)
		cmdline_printf(cl, " (%.1f s ago)",
			(double)((long long)haven_wall_us() - since) / 1e6);
	if (jint(j, "advert_age_ms") >= 0)
		cmdline_printf(cl, ", last advertisement %lld ms ago",
			jint(j, "advert_age_ms"));
	cmdline_printf(cl, "; VRID %lld, adverts local %lld, peer %lld\n",
		jint(j, "vrid"), jint(j, "adverts_local"),
		jint(j, "adverts_peer"));
	cmdline_printf(cl, "peer %s (%lld) at %s:%lld: %s, stream %s\n",
		jstr(j, "peer"), jint(j, "peer_id"), jstr(j, "peer_address"),
		jint(j, "port"), jbool(j, "peer_alive") ? "alive" : "silent",
		jstr(j, "stream"));
	cmdline_printf(cl, "  sent: records %lld, messages %lld (retransmits "
		"%lld), in flight %lld, queued %lld\n",
		jint(j, "records_sent"), jint(j, "records_messages"),
		jint(j, "retransmits"), jint(j, "in_flight"),
		jint(j, "queued"));
	cmdline_printf(cl, "  applied %lld (errors %lld), sessions %lld, "
		"bulks %lld (last %lld records in %lld ms)\n",
		jint(j, "applied"), jint(j, "apply_errors"),
		jint(j, "sessions"), jint(j, "bulks_done"),
		jint(j, "bulk_records"), jint(j, "bulk_ms"));
	cmdline_printf(cl, "  refused: bad auth %lld, replayed %lld, "
		"malformed %lld, misdirected %lld; dual active %lld\n",
		jint(j, "bad_auth"), jint(j, "replayed"), jint(j, "malformed"),
		jint(j, "misdirected"), jint(j, "dual_active"));
	cmdline_printf(cl, "  takeovers %lld (last: %lld bindings in %lld us), "
		"handovers %lld, keepalived lost %lld\n", jint(j, "takeovers"),
		jint(j, "last_takeover_bindings"), jint(j, "last_takeover_us"),
		jint(j, "handovers"), jint(j, "keepalived_lost"));
}

static void
cmd_show_red_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	console_emit(cl, haven_report_redundancy(), print_redundancy);
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
