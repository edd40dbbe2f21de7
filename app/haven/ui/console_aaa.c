/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console's AAA commands (docs/console.md): the RADIUS servers with
 * their state, round-trip times, timeouts and pending requests, and what
 * the AAA module did with registrations and accounting (show aaa); the
 * nodes RADIUS provisioned (show aaa nodes); and revoking one of them.
 * Secrets and keys are never shown: the module does not hand them out.
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_string.h>

#include "console.h"
#include "console_aaa.h"
#include "report.h"

/* ***** show aaa ***** */

struct cmd_show_aaa_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t aaa;
	cmdline_fixed_string_t nodes;
};

static void
print_aaa(struct cmdline *cl, const json_t *j)
{
	const json_t *r;
	size_t i;

	if (!jbool(j, "enabled")) {
		cmdline_printf(cl, "  no aaa section: only configured nodes "
			"are served\n");
		return;
	}
	cmdline_printf(cl, "  RADIUS client: nas %s, %lld server(s), "
		"longest wait %lld ms, accounting %s, interim %llds\n",
		jstr(j, "nas_identifier"), jint(j, "n_servers"),
		jint(j, "max_wait_ms"), jbool(j, "accounting") ? "on" : "off",
		jint(j, "interim_interval"));
	cmdline_printf(cl, "  %-10s %-15s %5s %5s %-5s %7s %8s %7s %8s %7s %7s "
		"%7s %7s  %s\n", "server", "address", "auth", "acct", "state",
		"pending", "requests", "retrans", "timeouts", "accepts",
		"rejects", "acct", "dropped", "rtt ms last/avg/min/max");
	json_array_foreach(json_object_get(j, "servers"), i, r)
		cmdline_printf(cl, "  %-10s %-15s %5lld %5lld %-5s %7lld %8lld "
			"%7lld %8lld %7lld %7lld %7lld %7lld  %lld/%lld/%lld/"
			"%lld\n", jstr(r, "server"), jstr(r, "address"),
			jint(r, "auth_port"), jint(r, "acct_port"),
			jstr(r, "state"), jint(r, "server_pending"),
			jint(r, "requests"), jint(r, "retransmissions"),
			jint(r, "timeouts"), jint(r, "accepts"),
			jint(r, "rejects"), jint(r, "acct_responses"),
			jint(r, "dropped_auth") + jint(r, "dropped_no_ma") +
			jint(r, "dropped_malformed") +
			jint(r, "dropped_unmatched"), jint(r, "rtt_last_ms"),
			jint(r, "rtt_avg_ms"), jint(r, "rtt_min_ms"),
			jint(r, "rtt_max_ms"));
	cmdline_printf(cl, "  requests: pending %lld  submitted %lld  refused "
		"%lld  accepted %lld  rejected %lld  timeout %lld  no-server "
		"%lld  invalid %lld\n", jint(j, "pending"),
		jint(j, "submitted"), jint(j, "refused"),
		jint(j, "results_accepted"), jint(j, "results_rejected"),
		jint(j, "results_timeout"), jint(j, "results_no_server"),
		jint(j, "results_invalid"));
	cmdline_printf(cl, "  registrations: waiting %lld (peak %lld, at most "
		"%lld)  asked %lld  joined %lld  refused %lld  cached %lld\n"
		"    provisioned %lld  rejected %lld  timeouts %lld  no-server "
		"%lld  unusable %lld  address refused %lld\n",
		jint(j, "waiting"), jint(j, "waiting_peak"),
		jint(j, "waiting_max"), jint(j, "asked"), jint(j, "joined"),
		jint(j, "refused_full"), jint(j, "cache_hits"),
		jint(j, "provisioned"), jint(j, "rejected"),
		jint(j, "timed_out"), jint(j, "no_server"),
		jint(j, "unusable"), jint(j, "address_refused"));
	cmdline_printf(cl, "  nodes: %lld provisioned  pool %lld of %lld "
		"used\n", jint(j, "nodes"), jint(j, "pool_used"),
		jint(j, "pool_size"));
	cmdline_printf(cl, "  accounting: start %lld  interim %lld  stop %lld  "
		"answered %lld  failed %lld  lost %lld\n", jint(j, "acct_start"),
		jint(j, "acct_interim"), jint(j, "acct_stop"),
		jint(j, "acct_answered"), jint(j, "acct_failed"),
		jint(j, "acct_lost"));
}

/* Every AAA node, by home address. */
static void
print_aaa_nodes(struct cmdline *cl, const json_t *j)
{
	const json_t *r;
	size_t i;

	cmdline_printf(cl, "  %-15s %-28s %-6s %10s %-11s %7s %-6s %s\n",
		"home address", "user", "from", "spi", "algorithm", "cached",
		"bound", "session");
	json_array_foreach(json_object_get(j, "nodes"), i, r) {
		const char *sess = jstr(r, "session_id");
		char bound[16];

		if (jbool(r, "bound"))
			snprintf(bound, sizeof(bound), "%lld coa",
				jint(r, "care_of_count"));
		else
			snprintf(bound, sizeof(bound), "no");
		cmdline_printf(cl, "  %-15s %-28s %-6s %10lld %-11s %6llds %-6s "
			"%s\n", jstr(r, "home_address"), jstr(r, "user"),
			jstr(r, "address_from"), jint(r, "spi"),
			jstr(r, "algorithm"), jint(r, "cache_left"), bound,
			sess[0] != '\0' ? sess : "-");
	}
	cmdline_printf(cl, "  %lld node(s) provisioned by AAA\n",
		jint(j, "count"));
}

static void
cmd_show_aaa_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	if (data != NULL)
		console_emit(cl, haven_report_aaa_nodes(0, UINT32_MAX),
			print_aaa_nodes);
	else
		console_emit(cl, haven_report_aaa(), print_aaa);
}

static cmdline_parse_token_string_t cmd_show_aaa_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_aaa_result, show, "show");
static cmdline_parse_token_string_t cmd_show_aaa_aaa =
	TOKEN_STRING_INITIALIZER(struct cmd_show_aaa_result, aaa, "aaa");
static cmdline_parse_token_string_t cmd_show_aaa_nodes_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_show_aaa_result, nodes, "nodes");

cmdline_parse_inst_t cmd_show_aaa = {
	.f = cmd_show_aaa_parsed,
	.data = NULL,
	.help_str = "show aaa: RADIUS servers (state, pending, requests, "
		"timeouts, round trips), registrations waiting for them, "
		"accounting",
	.tokens = {
		(void *)&cmd_show_aaa_show,
		(void *)&cmd_show_aaa_aaa,
		NULL,
	},
};

/* .data non-NULL: the node list. */
cmdline_parse_inst_t cmd_show_aaa_nodes = {
	.f = cmd_show_aaa_parsed,
	.data = (void *)1,
	.help_str = "show aaa nodes: nodes provisioned by RADIUS: user (NAI), "
		"where the address came from, SPI, cache left, session",
	.tokens = {
		(void *)&cmd_show_aaa_show,
		(void *)&cmd_show_aaa_aaa,
		(void *)&cmd_show_aaa_nodes_kw,
		NULL,
	},
};

/* ***** revoke <home-address> ***** */

struct cmd_revoke_result {
	cmdline_fixed_string_t revoke;
	cmdline_ipaddr_t hoa;
};

static void
cmd_revoke_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_revoke_result *r = parsed;
	struct haven_addr hoa = haven_addr4(r->hoa.addr.ipv4.s_addr);
	char err[128];
	int rc;

	(void)data;
	rc = haven_aaa_revoke(&hoa, err, sizeof(err));
	console_result(cl, rc, err, "revoked: binding ended (accounting "
		"Stop, Admin-Reset), key forgotten");
}

static cmdline_parse_token_string_t cmd_revoke_revoke =
	TOKEN_STRING_INITIALIZER(struct cmd_revoke_result, revoke, "revoke");
static cmdline_parse_token_ipaddr_t cmd_revoke_hoa =
	TOKEN_IPV4_INITIALIZER(struct cmd_revoke_result, hoa);

cmdline_parse_inst_t cmd_revoke = {
	.f = cmd_revoke_parsed,
	.data = NULL,
	.help_str = "revoke <home-address>: end the binding of a node "
		"provisioned by AAA and forget its key",
	.tokens = {
		(void *)&cmd_revoke_revoke,
		(void *)&cmd_revoke_hoa,
		NULL,
	},
};
