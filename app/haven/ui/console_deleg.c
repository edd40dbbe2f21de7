/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console commands of the delegation (EP 1134991): hand a binding to a
 * secondary and take it back, add and remove secondaries at run time,
 * choose the policy and its thresholds, and show the peers and the
 * delegated bindings (their builders in report.c). The actions live in
 * proto/deleg.c and policy/balancer.c.
 */

#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "console.h"
#include "console_deleg.h"
#include "report.h"

/* "hex:0011..." or text: the bytes of a key. @return length or -1. */
static int
parse_key(const char *text, uint8_t *key, size_t max)
{
	size_t n = 0;

	if (strncmp(text, "hex:", 4) != 0) {
		n = strlen(text);
		if (n == 0 || n > max)
			return -1;
		memcpy(key, text, n);
		return n;
	}
	for (text += 4; text[0] != '\0'; text += 2) {
		unsigned int byte;

		if (n == max || text[1] == '\0' ||
		    sscanf(text, "%2x", &byte) != 1)
			return -1;
		key[n++] = byte;
	}
	return n == 0 ? -1 : (int)n;
}

/* ***** delegate ***** */

struct cmd_delegate_result {
	cmdline_fixed_string_t delegate;
	cmdline_ipaddr_t hoa;
	cmdline_fixed_string_t sha;
};

static void
cmd_delegate_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_delegate_result *r = parsed;
	struct haven_addr hoa;
	char err[128];
	int rc;

	(void)data;
	hoa = r->hoa.family == AF_INET6 ? haven_addr6(r->hoa.addr.ipv6.s6_addr) :
		haven_addr4(r->hoa.addr.ipv4.s_addr);
	rc = haven_deleg_delegate(&hoa, r->sha, err, sizeof(err));
	console_result(cl, rc, err, "delegation started");
}

static cmdline_parse_token_string_t cmd_delegate_delegate =
	TOKEN_STRING_INITIALIZER(struct cmd_delegate_result, delegate,
		"delegate");
static cmdline_parse_token_ipaddr_t cmd_delegate_hoa =
	TOKEN_IPADDR_INITIALIZER(struct cmd_delegate_result, hoa);
static cmdline_parse_token_string_t cmd_delegate_sha =
	TOKEN_STRING_INITIALIZER(struct cmd_delegate_result, sha, NULL);

cmdline_parse_inst_t cmd_delegate = {
	.f = cmd_delegate_parsed,
	.data = NULL,
	.help_str = "delegate <home-address> <sha-name>: hand interception and "
		"tunnelling of a binding (IPv4 or IPv6) to a secondary",
	.tokens = {
		(void *)&cmd_delegate_delegate,
		(void *)&cmd_delegate_hoa,
		(void *)&cmd_delegate_sha,
		NULL,
	},
};

/* ***** undelegate ***** */

struct cmd_undelegate_result {
	cmdline_fixed_string_t undelegate;
	cmdline_ipaddr_t hoa;
};

static void
cmd_undelegate_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_undelegate_result *r = parsed;
	struct haven_addr hoa;
	char err[128];
	int rc;

	(void)data;
	hoa = r->hoa.family == AF_INET6 ? haven_addr6(r->hoa.addr.ipv6.s6_addr) :
		haven_addr4(r->hoa.addr.ipv4.s_addr);
	rc = haven_deleg_undelegate(&hoa, err, sizeof(err));
	console_result(cl, rc, err, "taken back");
}

static cmdline_parse_token_string_t cmd_undelegate_undelegate =
	TOKEN_STRING_INITIALIZER(struct cmd_undelegate_result, undelegate,
		"undelegate");
static cmdline_parse_token_ipaddr_t cmd_undelegate_hoa =
	TOKEN_IPADDR_INITIALIZER(struct cmd_undelegate_result, hoa);

cmdline_parse_inst_t cmd_undelegate = {
	.f = cmd_undelegate_parsed,
	.data = NULL,
	.help_str = "undelegate <home-address>: take a binding back from its "
		"secondary",
	.tokens = {
		(void *)&cmd_undelegate_undelegate,
		(void *)&cmd_undelegate_hoa,
		NULL,
	},
};

/* ***** show peers ***** */

struct cmd_show_peers_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t peers;
};

static void
print_peers(struct cmdline *cl, const json_t *j)
{
	uint64_t cleared = haven_report_cleared_us(HAVEN_REPORT_PEERS);
	const json_t *p;
	size_t i;

	if (cleared != 0) {
		char t[40];

		cmdline_printf(cl, "  protocol counters since clear at %s\n",
			haven_iso8601(cleared, t, sizeof(t)));
	}
	cmdline_printf(cl, "  %-10s %-9s %10s %-15s %-5s %6s %9s %8s %8s %6s"
		" %6s %6s\n", "name", "role", "id", "address", "state", "load",
		"delegated", "tx", "rx", "retx", "auth!", "replay");
	json_array_foreach(json_object_get(j, "peers"), i, p)
		cmdline_printf(cl, "  %-10s %-9s %10lld %-15s %-5s %6lld %9lld "
			"%8lld %8lld %6lld %6lld %6lld\n", jstr(p, "name"),
			jstr(p, "role"), jint(p, "id"), jstr(p, "address"),
			jbool(p, "alive") ? "up" : "down", jint(p, "load"),
			jint(p, "delegated"), jint(p, "tx_since_clear"),
			jint(p, "rx_since_clear"),
			jint(p, "retransmits_since_clear"),
			jint(p, "bad_auth_since_clear"),
			jint(p, "replayed_since_clear"));
}

static void
cmd_show_peers_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	console_emit(cl, haven_report_peers(), print_peers);
}

static cmdline_parse_token_string_t cmd_show_peers_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_peers_result, show, "show");
static cmdline_parse_token_string_t cmd_show_peers_peers =
	TOKEN_STRING_INITIALIZER(struct cmd_show_peers_result, peers, "peers");

cmdline_parse_inst_t cmd_show_peers = {
	.f = cmd_show_peers_parsed,
	.data = NULL,
	.help_str = "show peers: secondaries and primaries, liveness, load, "
		"protocol counters (since clear peers)",
	.tokens = {
		(void *)&cmd_show_peers_show,
		(void *)&cmd_show_peers_peers,
		NULL,
	},
};

/* ***** show delegation ***** */

struct cmd_show_deleg_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t delegation;
};

static void
print_delegation(struct cmdline *cl, const json_t *j)
{
	const json_t *held = json_object_get(j, "held"), *r;
	char left[24];
	size_t i;

	if (json_object_get(j, "delegated") != NULL) {
		cmdline_printf(cl, "  policy %s\n", jstr(j, "policy"));
		cmdline_printf(cl, "  rebalance tolerance %lld %%%s, %lld moves "
			"planned, %lld queued\n", jint(j, "rebalance_tolerance_pct"),
			jbool(j, "rebalancing") ? " (rebalancing)" : "",
			jint(j, "moves_planned"), jint(j, "moves_queued"));
		cmdline_printf(cl, "  %-28s %-10s %-12s %10s %12s\n",
			"home address", "secondary", "state", "generation",
			"packets");
		json_array_foreach(json_object_get(j, "delegated"), i, r)
			cmdline_printf(cl, "  %-28s %-10s %-12s %10lld %12lld\n",
				jstr(r, "home_address"), jstr(r, "peer"),
				jstr(r, "state"), jint(r, "generation"),
				jint(r, "packets"));
		cmdline_printf(cl, "  %zu binding(s) not local\n",
			json_array_size(json_object_get(j, "delegated")));
	} else if (held != NULL) {
		cmdline_printf(cl, "  this home agent is a secondary only: it "
			"delegates nothing\n");
	} else {
		cmdline_printf(cl, "  no delegation: neither a primary with "
			"secondaries nor a secondary (delegation: in %s)\n",
			haven_rt.cfg.path);
	}
	if (held == NULL)
		return;
	cmdline_printf(cl, "  held for primaries (%lld of %lld)\n",
		jint(j, "used"), jint(j, "capacity"));
	cmdline_printf(cl, "  %-28s %-10s %10s %7s %12s\n", "home address",
		"primary", "generation", "left", "packets");
	json_array_foreach(held, i, r)
		cmdline_printf(cl, "  %-28s %-10s %10lld %7s %12lld\n",
			jstr(r, "home_address"), jstr(r, "primary"),
			jint(r, "generation"), haven_report_left(
				jint(r, "remaining"), left, sizeof(left)),
			jint(r, "packets"));
}

static void
cmd_show_deleg_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	console_emit(cl, haven_report_delegation(), print_delegation);
}

static cmdline_parse_token_string_t cmd_show_deleg_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_deleg_result, show, "show");
static cmdline_parse_token_string_t cmd_show_deleg_delegation =
	TOKEN_STRING_INITIALIZER(struct cmd_show_deleg_result, delegation,
		"delegation");

cmdline_parse_inst_t cmd_show_deleg = {
	.f = cmd_show_deleg_parsed,
	.data = NULL,
	.help_str = "show delegation: delegated bindings (primary) and "
		"bindings held for primaries (secondary)",
	.tokens = {
		(void *)&cmd_show_deleg_show,
		(void *)&cmd_show_deleg_delegation,
		NULL,
	},
};

/* ***** add sha ***** */

struct cmd_add_sha_result {
	cmdline_fixed_string_t add;
	cmdline_fixed_string_t sha;
	cmdline_fixed_string_t name;
	uint32_t id;
	cmdline_ipaddr_t addr;
	cmdline_fixed_string_t key;
};

static void
cmd_add_sha_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_add_sha_result *r = parsed;
	uint8_t key[HAVEN_DELEG_MAX_KEY];
	char err[128];
	int len, rc;

	(void)data;
	len = parse_key(r->key, key, sizeof(key));
	if (len < 0) {
		cmdline_printf(cl, "error: key: hex:<pairs of hex digits> or "
			"text, 1..%d bytes\n", HAVEN_DELEG_MAX_KEY);
		return;
	}
	rc = haven_deleg_secondary_add(r->name, r->id,
			r->addr.addr.ipv4.s_addr, key, len, err, sizeof(err));
	memset(key, 0, sizeof(key));
	console_result(cl, rc, err, "secondary added");
}

static cmdline_parse_token_string_t cmd_add_sha_add =
	TOKEN_STRING_INITIALIZER(struct cmd_add_sha_result, add, "add");
static cmdline_parse_token_string_t cmd_add_sha_sha =
	TOKEN_STRING_INITIALIZER(struct cmd_add_sha_result, sha, "sha");
static cmdline_parse_token_string_t cmd_add_sha_name =
	TOKEN_STRING_INITIALIZER(struct cmd_add_sha_result, name, NULL);
static cmdline_parse_token_num_t cmd_add_sha_id =
	TOKEN_NUM_INITIALIZER(struct cmd_add_sha_result, id, RTE_UINT32);
static cmdline_parse_token_ipaddr_t cmd_add_sha_addr =
	TOKEN_IPV4_INITIALIZER(struct cmd_add_sha_result, addr);
static cmdline_parse_token_string_t cmd_add_sha_key =
	TOKEN_STRING_INITIALIZER(struct cmd_add_sha_result, key, NULL);

cmdline_parse_inst_t cmd_add_sha = {
	.f = cmd_add_sha_parsed,
	.data = NULL,
	.help_str = "add sha <name> <id> <address> <key>: a new secondary, "
		"at run time ([0009]); key is hex:<digits> or text",
	.tokens = {
		(void *)&cmd_add_sha_add,
		(void *)&cmd_add_sha_sha,
		(void *)&cmd_add_sha_name,
		(void *)&cmd_add_sha_id,
		(void *)&cmd_add_sha_addr,
		(void *)&cmd_add_sha_key,
		NULL,
	},
};

/* ***** del sha ***** */

struct cmd_del_sha_result {
	cmdline_fixed_string_t del;
	cmdline_fixed_string_t sha;
	cmdline_fixed_string_t name;
};

static void
cmd_del_sha_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_del_sha_result *r = parsed;
	char err[128];
	int rc;

	(void)data;
	rc = haven_deleg_secondary_del(r->name, err, sizeof(err));
	console_result(cl, rc, err, "secondary removed; its bindings taken back");
}

static cmdline_parse_token_string_t cmd_del_sha_del =
	TOKEN_STRING_INITIALIZER(struct cmd_del_sha_result, del, "del");
static cmdline_parse_token_string_t cmd_del_sha_sha =
	TOKEN_STRING_INITIALIZER(struct cmd_del_sha_result, sha, "sha");
static cmdline_parse_token_string_t cmd_del_sha_name =
	TOKEN_STRING_INITIALIZER(struct cmd_del_sha_result, name, NULL);

cmdline_parse_inst_t cmd_del_sha = {
	.f = cmd_del_sha_parsed,
	.data = NULL,
	.help_str = "del sha <name>: take its bindings back, then forget it",
	.tokens = {
		(void *)&cmd_del_sha_del,
		(void *)&cmd_del_sha_sha,
		(void *)&cmd_del_sha_name,
		NULL,
	},
};

/* ***** set policy ***** */

struct cmd_set_policy_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t policy;
	cmdline_fixed_string_t name;
};

static void
cmd_set_policy_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_set_policy_result *r = parsed;
	char err[128];

	(void)data;
	if (haven_balancer_set_policy(r->name, err, sizeof(err)) != 0)
		cmdline_printf(cl, "error: %s\n", err);
	else
		cmdline_printf(cl, "policy %s\n",
			haven_deleg_policy_name(haven_balancer_policy()));
}

static cmdline_parse_token_string_t cmd_set_policy_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_policy_result, set, "set");
static cmdline_parse_token_string_t cmd_set_policy_policy =
	TOKEN_STRING_INITIALIZER(struct cmd_set_policy_result, policy,
		"policy");
static cmdline_parse_token_string_t cmd_set_policy_name =
	TOKEN_STRING_INITIALIZER(struct cmd_set_policy_result, name,
		"manual#equal#threshold");

cmdline_parse_inst_t cmd_set_policy = {
	.f = cmd_set_policy_parsed,
	.data = NULL,
	.help_str = "set policy manual|equal|threshold: how bindings are "
		"chosen for delegation",
	.tokens = {
		(void *)&cmd_set_policy_set,
		(void *)&cmd_set_policy_policy,
		(void *)&cmd_set_policy_name,
		NULL,
	},
};

/* ***** set threshold ***** */

struct cmd_set_threshold_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t threshold;
	cmdline_fixed_string_t which;
	uint32_t value;
};

static void
cmd_set_threshold_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_set_threshold_result *r = parsed;
	const struct haven_config_threshold *t = haven_balancer_threshold();
	char err[128];

	(void)data;
	if (haven_balancer_set_threshold(r->which, r->value, err,
			sizeof(err)) != 0) {
		cmdline_printf(cl, "error: %s\n", err);
		return;
	}
	cmdline_printf(cl, "threshold: binding %u pps, total %u pps, "
		"hysteresis %u %%, hold %u s\n", t->binding_pps, t->total_pps,
		t->hysteresis_pct, t->hold_s);
}

static cmdline_parse_token_string_t cmd_set_threshold_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_threshold_result, set, "set");
static cmdline_parse_token_string_t cmd_set_threshold_threshold =
	TOKEN_STRING_INITIALIZER(struct cmd_set_threshold_result, threshold,
		"threshold");
static cmdline_parse_token_string_t cmd_set_threshold_which =
	TOKEN_STRING_INITIALIZER(struct cmd_set_threshold_result, which,
		"binding#total#hysteresis#hold");
static cmdline_parse_token_num_t cmd_set_threshold_value =
	TOKEN_NUM_INITIALIZER(struct cmd_set_threshold_result, value,
		RTE_UINT32);

cmdline_parse_inst_t cmd_set_threshold = {
	.f = cmd_set_threshold_parsed,
	.data = NULL,
	.help_str = "set threshold binding|total|hysteresis|hold <value>: "
		"pps, pps, % of binding, seconds",
	.tokens = {
		(void *)&cmd_set_threshold_set,
		(void *)&cmd_set_threshold_threshold,
		(void *)&cmd_set_threshold_which,
		(void *)&cmd_set_threshold_value,
		NULL,
	},
};
