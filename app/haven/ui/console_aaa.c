/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console's AAA commands (docs/console.md): the RADIUS servers with
 * their state, round-trip times, timeouts and pending requests, and what
 * the AAA module did with registrations and accounting (show aaa); the
 * nodes RADIUS provisioned (show aaa nodes); and revoking one of them.
 * Secrets and keys are never shown: the module does not hand them out.
 */

#include <inttypes.h>
#include <stdio.h>

#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_string.h>

#include "console.h"
#include "console_aaa.h"

/* ***** show aaa ***** */

struct cmd_show_aaa_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t aaa;
	cmdline_fixed_string_t nodes;
};

static void
show_aaa(struct cmdline *cl)
{
	const struct haven_aaa_stats *a = haven_aaa_stats();
	const struct haven_config_aaa *c = &haven_rt.cfg.aaa;
	struct haven_radius_stats st;
	struct haven_aaa_server s;
	char addr[HAVEN_ADDR_STRLEN];
	unsigned int i;

	if (!haven_aaa_enabled()) {
		console_error(cl, "no aaa section: only configured nodes "
			"are served");
		return;
	}
	haven_aaa_client_stats(&st);
	cmdline_printf(cl, "  RADIUS client: nas %s, %u server(s), "
		"longest wait %" PRIu64 " ms, accounting %s, interim %us\n",
		c->radius.nas_identifier, c->radius.n_servers,
		haven_aaa_max_wait_ms(), c->accounting ? "on" : "off",
		c->interim_interval);
	cmdline_printf(cl, "  %-10s %-15s %5s %5s %-5s %7s %8s %7s %8s %7s %7s "
		"%7s %7s  %s\n", "server", "address", "auth", "acct", "state",
		"pending", "requests", "retrans", "timeouts", "accepts",
		"rejects", "acct", "dropped", "rtt ms last/avg/min/max");
	for (i = 0; haven_aaa_server(i, &s) == 0; i++)
		cmdline_printf(cl, "  %-10s %-15s %5u %5u %-5s %7u %8" PRIu64
			" %7" PRIu64 " %8" PRIu64 " %7" PRIu64 " %7" PRIu64
			" %7" PRIu64 " %7" PRIu64 "  %u/%u/%u/%u\n", s.name,
			haven_addr_str(&s.addr, addr), s.auth_port, s.acct_port,
			s.st.state == HAVEN_RADIUS_SERVER_DEAD ? "dead" :
			"alive", s.st.pending, s.st.requests,
			s.st.retransmissions, s.st.timeouts, s.st.accepts,
			s.st.rejects, s.st.acct_responses, s.st.dropped_auth +
			s.st.dropped_no_ma + s.st.dropped_malformed +
			s.st.dropped_unmatched, s.st.rtt_last_ms,
			s.st.rtt_avg_ms, s.st.rtt_min_ms, s.st.rtt_max_ms);
	cmdline_printf(cl, "  requests: pending %u  submitted %" PRIu64
		"  refused %" PRIu64 "  accepted %" PRIu64 "  rejected %"
		PRIu64 "  timeout %" PRIu64 "  no-server %" PRIu64
		"  invalid %" PRIu64 "\n", st.pending, st.submitted,
		st.refused_full + st.refused_invalid,
		st.results[HAVEN_RADIUS_ACCEPTED],
		st.results[HAVEN_RADIUS_REJECTED],
		st.results[HAVEN_RADIUS_TIMEOUT],
		st.results[HAVEN_RADIUS_NO_SERVER],
		st.results[HAVEN_RADIUS_INVALID]);
	cmdline_printf(cl, "  registrations: waiting %u (peak %u, at most %u)"
		"  asked %" PRIu64 "  joined %" PRIu64 "  refused %" PRIu64
		"  cached %" PRIu64 "\n    provisioned %" PRIu64 "  rejected %"
		PRIu64 "  timeouts %" PRIu64 "  no-server %" PRIu64
		"  unusable %" PRIu64 "  address refused %" PRIu64 "\n",
		a->parked, a->parked_peak, a->parked_max, a->asked,
		a->coalesced, a->refused_full, a->cache_hits, a->accepted,
		a->rejected, a->timeouts, a->no_server, a->unusable,
		a->addr_refused);
	cmdline_printf(cl, "  nodes: %u provisioned  pool %u of %u used\n",
		a->nodes, a->pool_used, a->pool_size);
	cmdline_printf(cl, "  accounting: start %" PRIu64 "  interim %" PRIu64
		"  stop %" PRIu64 "  answered %" PRIu64 "  failed %" PRIu64
		"  lost %" PRIu64 "\n", a->acct_sent[HAVEN_RADIUS_ACCT_START],
		a->acct_sent[HAVEN_RADIUS_ACCT_INTERIM_UPDATE],
		a->acct_sent[HAVEN_RADIUS_ACCT_STOP], a->acct_answered,
		a->acct_failed, a->acct_lost);
}

/* Every AAA node, by home address. */
static void
show_aaa_nodes(struct cmdline *cl)
{
	struct haven_view_list l;
	unsigned int i, shown = 0;

	if (!haven_aaa_enabled()) {
		console_error(cl, "no aaa section: no node is provisioned by "
			"RADIUS");
		return;
	}
	if (haven_view_nodes(HAVEN_AF_INET, HAVEN_VIEW_ALL, NULL, 0, &l) != 0) {
		cmdline_printf(cl, "error: out of memory\n");
		return;
	}
	cmdline_printf(cl, "  %-15s %-28s %-6s %10s %-11s %7s %-6s %s\n",
		"home address", "user", "from", "spi", "algorithm", "cached",
		"bound", "session");
	for (i = 0; i < l.n; i++) {
		struct haven_aaa_node_info info;
		char a[HAVEN_ADDR_STRLEN], bound[16];

		if (haven_aaa_node_info(l.v[i], &info) != 0)
			continue;
		shown++;
		if (haven_node_bound(l.v[i]))
			snprintf(bound, sizeof(bound), "%u coa",
				l.v[i]->n_coa);
		else
			snprintf(bound, sizeof(bound), "no");
		cmdline_printf(cl, "  %-15s %-28s %-6s %10u %-11s %6lds %-6s "
			"%s\n", haven_addr_str(&l.v[i]->hoa, a), info.user,
			info.address_from, l.v[i]->spi,
			haven_node_alg_name(l.v[i]), info.cache_left_s, bound,
			info.session_id[0] ? info.session_id : "-");
	}
	cmdline_printf(cl, "  %u node(s) provisioned by AAA\n", shown);
	haven_view_list_free(&l);
}

static void
cmd_show_aaa_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	if (data != NULL)
		show_aaa_nodes(cl);
	else
		show_aaa(cl);
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
