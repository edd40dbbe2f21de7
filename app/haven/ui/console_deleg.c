/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console commands of the delegation (EP 1134991): hand a binding to a
 * secondary and take it back, add and remove secondaries at run time,
 * choose the policy and its thresholds, and show the peers and the
 * delegated bindings. The actions live in delegation.c and balancer.c.
 */

#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "console.h"
#include "console_deleg.h"

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
print_peer(struct cmdline *cl, const struct haven_deleg_peer *p,
		const char *role)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->addr, a, sizeof(a));
	cmdline_printf(cl, "  %-10s %-9s %10u %-15s %-5s %6u %9u %8lu %8lu %6lu"
		" %6lu %6lu\n", p->name, role, p->id, a,
		p->alive ? "up" : "down", p->load, p->n_delegated,
		p->stats.tx, p->stats.rx, p->stats.retransmits,
		p->stats.bad_auth, p->stats.replayed);
}

static void
cmd_show_peers_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct haven_deleg_pha *pha = haven_deleg_pha_ctx();
	const struct haven_deleg_sha *sha = haven_deleg_sha_ctx();
	unsigned int i;

	(void)parsed;
	(void)data;
	cmdline_printf(cl, "  %-10s %-9s %10s %-15s %-5s %6s %9s %8s %8s %6s"
		" %6s %6s\n", "name", "role", "id", "address", "state", "load",
		"delegated", "tx", "rx", "retx", "auth!", "replay");
	for (i = 0; pha != NULL && i < pha->n_peers; i++)
		if (!haven_deleg_secondaries()[i].removed)
			print_peer(cl, &haven_deleg_secondaries()[i],
				"secondary");
	for (i = 0; sha != NULL && i < sha->n_primaries; i++)
		print_peer(cl, &haven_deleg_primaries()[i], "primary");
}

static cmdline_parse_token_string_t cmd_show_peers_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_peers_result, show, "show");
static cmdline_parse_token_string_t cmd_show_peers_peers =
	TOKEN_STRING_INITIALIZER(struct cmd_show_peers_result, peers, "peers");

cmdline_parse_inst_t cmd_show_peers = {
	.f = cmd_show_peers_parsed,
	.data = NULL,
	.help_str = "show peers: secondaries and primaries, liveness, load, "
		"protocol counters",
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
print_delegated(const struct haven_deleg_binding *b, void *arg)
{
	struct cmdline *cl = arg;
	struct haven_addr hoa = b->info.home_addr;
	char a[HAVEN_ADDR_STRLEN];

	cmdline_printf(cl, "  %-15s %-10s %-10s generation %u, %lu packets "
		"tunnelled there\n", haven_addr_str(&hoa, a),
		b->peer != NULL ? b->peer->name : "-",
		haven_deleg_state_name(b->state), b->info.generation,
		b->reported_packets);
}

static void
cmd_show_deleg_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct haven_deleg_sha *sha = haven_deleg_sha_ctx();
	char a[HAVEN_ADDR_STRLEN];
	uint64_t now = haven_now_ms();
	unsigned int i;

	(void)parsed;
	(void)data;
	if (haven_deleg_is_pha()) {
		cmdline_printf(cl, "  policy %s\n",
			haven_deleg_policy_name(haven_balancer_policy()));
		haven_deleg_foreach(print_delegated, cl);
	}
	for (i = 0; sha != NULL && i < sha->capacity; i++) {
		const struct haven_deleg_sha_entry *e = &sha->entries[i];
		struct haven_addr hoa;

		if (e->primary == NULL)
			continue;
		hoa = e->info.home_addr;
		cmdline_printf(cl, "  %-15s for %-10s generation %u, %lds left,"
			" %lu packets\n", haven_addr_str(&hoa, a),
			e->primary->name,
			e->info.generation, e->expires_ms > now ?
				(long)((e->expires_ms - now) / 1000) : 0,
			e->packets);
	}
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
