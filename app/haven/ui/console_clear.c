/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console's "clear" commands, as testpmd's and vppctl's: the counters
 * of show stats (and stats6), show drops, show ports and show peers start
 * again from zero for the console; the counters since start, which
 * telemetry serves and Prometheus needs to be monotonic, are untouched
 * (report.h keeps a baseline per clear). Ports' counters are read with
 * rte_eth_stats_get() and never reset in the driver, for the same reason.
 *
 * clear binding removes a binding by the node layer's action, as a
 * deregistration would (haven_node_clear()).
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_string.h>

#include "console.h"
#include "console_clear.h"
#include "report.h"

/* The words of every clear command but clear binding. */
struct cmd_clear_result {
	cmdline_fixed_string_t clear;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t stats;
	cmdline_fixed_string_t which;	/**< "": every port */
};

static cmdline_parse_token_string_t cmd_clear_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_result, clear, "clear");

static void
cleared(struct cmdline *cl, enum haven_report_counters set, const char *what)
{
	char t[40];

	cmdline_printf(cl, "%s cleared at %s (since-start counters kept for "
		"telemetry)\n", what, haven_iso8601(
			haven_report_cleared_us(set), t, sizeof(t)));
}

/* ***** clear stats, clear drops ***** */

/* .data: the counter set (enum haven_report_counters) of the command. */
static void
cmd_clear_set_parsed(void *parsed, struct cmdline *cl, void *data)
{
	enum haven_report_counters set = (uintptr_t)data;

	(void)parsed;
	haven_report_clear(set, NULL);
	cleared(cl, set, set == HAVEN_REPORT_STATS ? "stats" : "drops");
}

static cmdline_parse_token_string_t cmd_clear_stats_word =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_result, what, "stats");

cmdline_parse_inst_t cmd_clear_stats = {
	.f = cmd_clear_set_parsed,
	.data = (void *)(uintptr_t)HAVEN_REPORT_STATS,
	.help_str = "clear stats: show stats and show stats6 count from now "
		"(telemetry keeps the totals since start)",
	.tokens = {
		(void *)&cmd_clear_clear,
		(void *)&cmd_clear_stats_word,
		NULL,
	},
};

static cmdline_parse_token_string_t cmd_clear_drops_word =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_result, what, "drops");

cmdline_parse_inst_t cmd_clear_drops = {
	.f = cmd_clear_set_parsed,
	.data = (void *)(uintptr_t)HAVEN_REPORT_DROPS,
	.help_str = "clear drops: show drops counts from now (telemetry keeps "
		"the totals since start)",
	.tokens = {
		(void *)&cmd_clear_clear,
		(void *)&cmd_clear_drops_word,
		NULL,
	},
};

/* ***** clear port stats [<port>] ***** */

/* A port's name from a name or a DPDK port id, or NULL. */
static const char *
port_name(const char *which)
{
	unsigned int i;
	char *end;
	unsigned long id = strtoul(which, &end, 10);

	for (i = 0; i < haven_rt.cfg.n_ports; i++) {
		if (strcmp(which, haven_rt.cfg.ports[i].name) == 0)
			return haven_rt.cfg.ports[i].name;
		if (*end == '\0' && end != which &&
		    id == haven_rt.fp.ports[i].port_id)
			return haven_rt.cfg.ports[i].name;
	}
	return NULL;
}

static void
cmd_clear_port_stats_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_clear_result *r = parsed;
	const char *name = NULL;
	char what[64];

	(void)data;
	if (r->which[0] != '\0') {
		name = port_name(r->which);
		if (name == NULL) {
			console_error(cl, "no port %s (a name or a DPDK port "
				"id, show ports)", r->which);
			return;
		}
	}
	if (haven_report_clear(HAVEN_REPORT_PORTS, name) != 0) {
		console_error(cl, "no port to clear");
		return;
	}
	snprintf(what, sizeof(what), "port %s stats", name != NULL ? name :
		"(every port)");
	cleared(cl, HAVEN_REPORT_PORTS, what);
}

static cmdline_parse_token_string_t cmd_clear_port_word =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_result, what, "port");
static cmdline_parse_token_string_t cmd_clear_port_stats_word =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_result, stats, "stats");
static cmdline_parse_token_string_t cmd_clear_port_which =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_result, which, NULL);

#define CLEAR_PORT_HELP "clear port stats [<port>]: show ports counts from " \
	"now, for one port (name or DPDK port id) or all (telemetry keeps " \
	"the totals since start)"

cmdline_parse_inst_t cmd_clear_port_stats = {
	.f = cmd_clear_port_stats_parsed,
	.data = NULL,
	.help_str = CLEAR_PORT_HELP,
	.tokens = {
		(void *)&cmd_clear_clear,
		(void *)&cmd_clear_port_word,
		(void *)&cmd_clear_port_stats_word,
		NULL,
	},
};

cmdline_parse_inst_t cmd_clear_port_stats_one = {
	.f = cmd_clear_port_stats_parsed,
	.data = NULL,
	.help_str = CLEAR_PORT_HELP,
	.tokens = {
		(void *)&cmd_clear_clear,
		(void *)&cmd_clear_port_word,
		(void *)&cmd_clear_port_stats_word,
		(void *)&cmd_clear_port_which,
		NULL,
	},
};

/* ***** clear peers ***** */

static void
cmd_clear_peers_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	if (haven_report_clear(HAVEN_REPORT_PEERS, NULL) != 0) {
		console_error(cl, "out of memory");
		return;
	}
	cleared(cl, HAVEN_REPORT_PEERS, "peers' protocol counters");
}

static cmdline_parse_token_string_t cmd_clear_peers_word =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_result, what, "peers");

cmdline_parse_inst_t cmd_clear_peers = {
	.f = cmd_clear_peers_parsed,
	.data = NULL,
	.help_str = "clear peers: the protocol counters of show peers count "
		"from now (telemetry keeps the totals since start)",
	.tokens = {
		(void *)&cmd_clear_clear,
		(void *)&cmd_clear_peers_word,
		NULL,
	},
};

/* ***** clear binding <home-address> ***** */

struct cmd_clear_binding_result {
	cmdline_fixed_string_t clear;
	cmdline_fixed_string_t binding;
	cmdline_ipaddr_t hoa;
};

static void
cmd_clear_binding_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_clear_binding_result *r = parsed;
	struct haven_addr hoa = r->hoa.family == AF_INET6 ?
		haven_addr6(r->hoa.addr.ipv6.s6_addr) :
		haven_addr4(r->hoa.addr.ipv4.s_addr);
	struct haven_node *n = haven_node_find(&hoa);
	char a[HAVEN_ADDR_STRLEN];
	int rc;

	(void)data;
	haven_addr_str(&hoa, a);
	rc = n != NULL ? haven_node_clear(n) : -ENOENT;
	if (rc == -ENOENT)
		console_error(cl, "%s is no mobile node of this agent", a);
	else if (rc == -EPERM)
		console_error(cl, "%s is held for a primary: clear it there", a);
	else if (rc == -ENODATA)
		console_error(cl, "no binding for %s", a);
	else
		cmdline_printf(cl, "binding of %s removed; the home link is "
			"asked who has %s\n", a, a);
}

static cmdline_parse_token_string_t cmd_clear_binding_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_binding_result, clear,
		"clear");
static cmdline_parse_token_string_t cmd_clear_binding_binding =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_binding_result, binding,
		"binding");
static cmdline_parse_token_ipaddr_t cmd_clear_binding_hoa =
	TOKEN_IPADDR_INITIALIZER(struct cmd_clear_binding_result, hoa);

cmdline_parse_inst_t cmd_clear_binding = {
	.f = cmd_clear_binding_parsed,
	.data = NULL,
	.help_str = "clear binding <home-address>: remove a binding (IPv4 or "
		"IPv6) as a deregistration would: taken back from a "
		"secondary, an admin_release event, the node's own MAC "
		"announced if it is home",
	.tokens = {
		(void *)&cmd_clear_binding_clear,
		(void *)&cmd_clear_binding_binding,
		(void *)&cmd_clear_binding_hoa,
		NULL,
	},
};
