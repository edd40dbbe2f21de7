/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator console, in testpmd's style (DPDK cmdline library): on the
 * terminal, and on a unix socket (mode 0600) so an operator can attach to
 * a headless appliance (`socat - UNIX-CONNECT:/run/haven/haven.sock`).
 *
 * Commands run on the control lcore, between two turns of its loop, so
 * they see and change state exactly as registrations do. Input is read
 * here and fed to the parser with cmdline_in(): cmdline_poll() would
 * take one character per call.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_ipaddr.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <cmdline_socket.h>
#include <rte_cycles.h>

#include "haven.h"

#define PROMPT "haven> "

static struct haven_app *app_of(struct cmdline *cl)
{
	(void)cl;
	return &haven;
}

/* ***** show stats ***** */

struct cmd_show_stats_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t stats;
};

static void
cmd_show_stats_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_app *app = app_of(cl);
	const struct haven_ctl_stats *c = &app->stats;
	struct haven_worker_stats w;
	uint64_t accepted = c->reg_replies[0] + c->reg_replies[1], denied = 0;
	unsigned int i;

	(void)parsed;
	(void)data;
	haven_worker_stats_sum(app, &w);
	for (i = 2; i < 256; i++)
		denied += c->reg_replies[i];
	cmdline_printf(cl,
		"  fast path (%u workers)\n"
		"    rx %lu  tx %lu  encapsulated %lu  decapsulated %lu\n"
		"    proxy ARP %lu  ICMP echo %lu  punted %lu\n"
		"  registrations\n"
		"    requests %lu  accepted %lu  denied %lu  dropped %lu\n"
		"    bindings %u  expired %lu\n"
		"  control\n"
		"    gratuitous ARP %lu  ARP requests %lu\n"
		"    held sent %lu  held dropped %lu  tx dropped %lu\n",
		app->n_workers, w.rx_pkts, w.tx_pkts, w.encap_pkts,
		w.decap_pkts, w.proxy_arp, w.icmp_echo, w.punted,
		c->reg_requests, accepted, denied, c->reg_dropped,
		haven_binding_count(app->fp.bindings), c->bindings_expired,
		c->garp_sent, c->arp_requests_sent, c->held_sent,
		c->held_dropped, c->tx_dropped);
}

static cmdline_parse_token_string_t cmd_show_stats_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_stats_result, show, "show");
static cmdline_parse_token_string_t cmd_show_stats_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_show_stats_result, stats, "stats");

static cmdline_parse_inst_t cmd_show_stats = {
	.f = cmd_show_stats_parsed,
	.data = NULL,
	.help_str = "show stats: packet, registration and control totals",
	.tokens = {
		(void *)&cmd_show_stats_show,
		(void *)&cmd_show_stats_stats,
		NULL,
	},
};

/* ***** show drops ***** */

struct cmd_show_drops_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t drops;
};

static void
cmd_show_drops_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_worker_stats w;
	unsigned int i;

	(void)parsed;
	(void)data;
	haven_worker_stats_sum(app_of(cl), &w);
	for (i = 0; i < HAVEN_DROP_MAX; i++)
		cmdline_printf(cl, "  %-20s %12lu  %s\n", haven_drop_key(i),
			w.drops[i], haven_drop_name(i));
}

static cmdline_parse_token_string_t cmd_show_drops_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_drops_result, show, "show");
static cmdline_parse_token_string_t cmd_show_drops_drops =
	TOKEN_STRING_INITIALIZER(struct cmd_show_drops_result, drops, "drops");

static cmdline_parse_inst_t cmd_show_drops = {
	.f = cmd_show_drops_parsed,
	.data = NULL,
	.help_str = "show drops: dropped packets by reason",
	.tokens = {
		(void *)&cmd_show_drops_show,
		(void *)&cmd_show_drops_drops,
		NULL,
	},
};

/* ***** show bindings ***** */

struct cmd_show_bindings_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t bindings;
};

static int
print_binding(const struct haven_binding *b, void *arg)
{
	struct cmdline *cl = arg;
	struct haven_app *app = app_of(cl);
	struct haven_binding_counters sum;
	struct haven_mn_state *st = haven_mn_find(app, b->home_addr);
	uint64_t now = rte_get_timer_cycles(), hz = rte_get_timer_hz();
	char hoa[INET_ADDRSTRLEN], coa[INET_ADDRSTRLEN];
	unsigned int i;

	haven_binding_counters_sum(app->fp.bindings, b->slot, &sum);
	inet_ntop(AF_INET, &b->home_addr, hoa, sizeof(hoa));
	for (i = 0; i < b->n_coa; i++) {
		long rem = -1;

		if (st != NULL && i < st->n_coa &&
		    st->coa[i].expires_at != UINT64_MAX)
			rem = st->coa[i].expires_at > now ?
				(long)((st->coa[i].expires_at - now) / hz) : 0;
		inet_ntop(AF_INET, &b->coa[i].addr, coa, sizeof(coa));
		cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %6lds %12lu %14lu"
			"  %s\n", i == 0 ? hoa : "", coa,
			haven_encap_name(b->encap),
			(b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ? "T" : "-",
			rem, i == 0 ? sum.pkts : 0, i == 0 ? sum.bytes : 0,
			i == 0 ? haven_forwarder_name(app, b->forwarder) : "");
	}
	return 0;
}

static void
cmd_show_bindings_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_app *app = app_of(cl);

	(void)parsed;
	(void)data;
	cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %7s %12s %14s  %s\n",
		"home address", "care-of", "encap", "rev", "left",
		"packets", "bytes", "forwarder");
	haven_binding_walk(app->fp.bindings, print_binding, cl);
	cmdline_printf(cl, "  %u binding(s)\n",
		haven_binding_count(app->fp.bindings));
}

static cmdline_parse_token_string_t cmd_show_bindings_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_bindings_result, show, "show");
static cmdline_parse_token_string_t cmd_show_bindings_bindings =
	TOKEN_STRING_INITIALIZER(struct cmd_show_bindings_result, bindings,
		"bindings");

static cmdline_parse_inst_t cmd_show_bindings = {
	.f = cmd_show_bindings_parsed,
	.data = NULL,
	.help_str = "show bindings: every binding with its counters",
	.tokens = {
		(void *)&cmd_show_bindings_show,
		(void *)&cmd_show_bindings_bindings,
		NULL,
	},
};

/* ***** show neighbours ***** */

struct cmd_show_neigh_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t neighbours;
};

static void
cmd_show_neigh_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_app *app = app_of(cl);
	char ip[INET_ADDRSTRLEN];
	unsigned int i;

	(void)parsed;
	(void)data;
	for (i = 0; i < HAVEN_NEIGH_MAX; i++) {
		const struct haven_neigh *n = &app->fp.neigh[i];

		if (n->state == HAVEN_NEIGH_FREE)
			continue;
		inet_ntop(AF_INET, &n->ip, ip, sizeof(ip));
		cmdline_printf(cl, "  %-15s " RTE_ETHER_ADDR_PRT_FMT
			"  port %u  %s  held %u\n", ip,
			RTE_ETHER_ADDR_BYTES(&n->mac), n->port,
			n->state == HAVEN_NEIGH_REACHABLE ?
				"reachable" : "incomplete", app->holds[i].n);
	}
}

static cmdline_parse_token_string_t cmd_show_neigh_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_neigh_result, show, "show");
static cmdline_parse_token_string_t cmd_show_neigh_neighbours =
	TOKEN_STRING_INITIALIZER(struct cmd_show_neigh_result, neighbours,
		"neighbours");

static cmdline_parse_inst_t cmd_show_neigh = {
	.f = cmd_show_neigh_parsed,
	.data = NULL,
	.help_str = "show neighbours: next hops and their Ethernet addresses",
	.tokens = {
		(void *)&cmd_show_neigh_show,
		(void *)&cmd_show_neigh_neighbours,
		NULL,
	},
};

/* ***** delegation (EP 1134991) ***** */

static void
print_result(struct cmdline *cl, int rc, const char *err, const char *ok)
{
	if (rc == 0)
		cmdline_printf(cl, "%s\n", ok);
	else
		cmdline_printf(cl, "error: %s\n", err);
}

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

struct cmd_delegate_result {
	cmdline_fixed_string_t delegate;
	cmdline_ipaddr_t hoa;
	cmdline_fixed_string_t sha;
};

static void
cmd_delegate_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_delegate_result *r = parsed;
	char err[128];
	int rc;

	(void)data;
	rc = haven_delegate(app_of(cl), r->hoa.addr.ipv4.s_addr, r->sha, err,
			sizeof(err));
	print_result(cl, rc, err, "delegation started");
}

static cmdline_parse_token_string_t cmd_delegate_delegate =
	TOKEN_STRING_INITIALIZER(struct cmd_delegate_result, delegate,
		"delegate");
static cmdline_parse_token_ipaddr_t cmd_delegate_hoa =
	TOKEN_IPV4_INITIALIZER(struct cmd_delegate_result, hoa);
static cmdline_parse_token_string_t cmd_delegate_sha =
	TOKEN_STRING_INITIALIZER(struct cmd_delegate_result, sha, NULL);

static cmdline_parse_inst_t cmd_delegate = {
	.f = cmd_delegate_parsed,
	.data = NULL,
	.help_str = "delegate <home-address> <sha-name>: hand interception and "
		"tunnelling of a binding to a secondary",
	.tokens = {
		(void *)&cmd_delegate_delegate,
		(void *)&cmd_delegate_hoa,
		(void *)&cmd_delegate_sha,
		NULL,
	},
};

struct cmd_undelegate_result {
	cmdline_fixed_string_t undelegate;
	cmdline_ipaddr_t hoa;
};

static void
cmd_undelegate_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_undelegate_result *r = parsed;
	char err[128];
	int rc;

	(void)data;
	rc = haven_undelegate(app_of(cl), r->hoa.addr.ipv4.s_addr,
			HAVEN_DELEG_STOP_UNDELEGATE, err, sizeof(err));
	print_result(cl, rc, err, "taken back");
}

static cmdline_parse_token_string_t cmd_undelegate_undelegate =
	TOKEN_STRING_INITIALIZER(struct cmd_undelegate_result, undelegate,
		"undelegate");
static cmdline_parse_token_ipaddr_t cmd_undelegate_hoa =
	TOKEN_IPV4_INITIALIZER(struct cmd_undelegate_result, hoa);

static cmdline_parse_inst_t cmd_undelegate = {
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
	struct haven_app *app = app_of(cl);
	unsigned int i;

	(void)parsed;
	(void)data;
	cmdline_printf(cl, "  %-10s %-9s %10s %-15s %-5s %6s %9s %8s %8s %6s"
		" %6s %6s\n", "name", "role", "id", "address", "state", "load",
		"delegated", "tx", "rx", "retx", "auth!", "replay");
	for (i = 0; app->is_pha && i < app->pha.n_peers; i++)
		if (!app->secondaries[i].removed)
			print_peer(cl, &app->secondaries[i], "secondary");
	for (i = 0; app->is_sha && i < app->sha.n_primaries; i++)
		print_peer(cl, &app->primaries[i], "primary");
}

static cmdline_parse_token_string_t cmd_show_peers_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_peers_result, show, "show");
static cmdline_parse_token_string_t cmd_show_peers_peers =
	TOKEN_STRING_INITIALIZER(struct cmd_show_peers_result, peers, "peers");

static cmdline_parse_inst_t cmd_show_peers = {
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

struct cmd_show_deleg_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t delegation;
};

static void
cmd_show_deleg_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_app *app = app_of(cl);
	char a[INET_ADDRSTRLEN];
	uint64_t now = haven_now_ms();
	unsigned int i;

	(void)parsed;
	(void)data;
	if (app->is_pha) {
		cmdline_printf(cl, "  policy %s\n",
			haven_deleg_policy_name(app->policy));
		for (i = 0; i < app->cfg.n_mns; i++) {
			const struct haven_mn_state *st = app->mns[i];

			if (st->deleg.state == HAVEN_DELEG_S_LOCAL)
				continue;
			inet_ntop(AF_INET, &st->cfg->home_addr, a, sizeof(a));
			cmdline_printf(cl, "  %-15s %-10s %-10s generation %u,"
				" %lu packets tunnelled there\n", a,
				st->deleg.peer != NULL ?
					st->deleg.peer->name : "-",
				haven_deleg_state_name(st->deleg.state),
				st->deleg.info.generation,
				st->deleg.reported_packets);
		}
	}
	for (i = 0; app->is_sha && i < app->sha.capacity; i++) {
		const struct haven_deleg_sha_entry *e = &app->sha.entries[i];

		if (e->primary == NULL)
			continue;
		inet_ntop(AF_INET, &e->info.home_addr, a, sizeof(a));
		cmdline_printf(cl, "  %-15s for %-10s generation %u, %lds left,"
			" %lu packets\n", a, e->primary->name,
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

static cmdline_parse_inst_t cmd_show_deleg = {
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
	rc = haven_secondary_add(app_of(cl), r->name, r->id,
			r->addr.addr.ipv4.s_addr, key, len, err, sizeof(err));
	memset(key, 0, sizeof(key));
	print_result(cl, rc, err, "secondary added");
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

static cmdline_parse_inst_t cmd_add_sha = {
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
	rc = haven_secondary_del(app_of(cl), r->name, err, sizeof(err));
	print_result(cl, rc, err, "secondary removed; its bindings taken back");
}

static cmdline_parse_token_string_t cmd_del_sha_del =
	TOKEN_STRING_INITIALIZER(struct cmd_del_sha_result, del, "del");
static cmdline_parse_token_string_t cmd_del_sha_sha =
	TOKEN_STRING_INITIALIZER(struct cmd_del_sha_result, sha, "sha");
static cmdline_parse_token_string_t cmd_del_sha_name =
	TOKEN_STRING_INITIALIZER(struct cmd_del_sha_result, name, NULL);

static cmdline_parse_inst_t cmd_del_sha = {
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

struct cmd_set_policy_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t policy;
	cmdline_fixed_string_t name;
};

static void
cmd_set_policy_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_set_policy_result *r = parsed;
	struct haven_app *app = app_of(cl);

	(void)data;
	if (!app->is_pha) {
		cmdline_printf(cl, "error: this agent is not a primary\n");
		return;
	}
	if (strcmp(r->name, "equal") == 0)
		app->policy = HAVEN_POLICY_EQUAL;
	else if (strcmp(r->name, "threshold") == 0)
		app->policy = HAVEN_POLICY_THRESHOLD;
	else
		app->policy = HAVEN_POLICY_MANUAL;
	cmdline_printf(cl, "policy %s\n", haven_deleg_policy_name(app->policy));
}

static cmdline_parse_token_string_t cmd_set_policy_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_policy_result, set, "set");
static cmdline_parse_token_string_t cmd_set_policy_policy =
	TOKEN_STRING_INITIALIZER(struct cmd_set_policy_result, policy,
		"policy");
static cmdline_parse_token_string_t cmd_set_policy_name =
	TOKEN_STRING_INITIALIZER(struct cmd_set_policy_result, name,
		"manual#equal#threshold");

static cmdline_parse_inst_t cmd_set_policy = {
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
	struct haven_config_threshold *t = &app_of(cl)->threshold;

	(void)data;
	if (strcmp(r->which, "binding") == 0)
		t->binding_pps = r->value;
	else if (strcmp(r->which, "total") == 0)
		t->total_pps = r->value;
	else if (strcmp(r->which, "hysteresis") == 0 && r->value <= 100)
		t->hysteresis_pct = r->value;
	else if (strcmp(r->which, "hold") == 0 && r->value >= 1)
		t->hold_s = r->value;
	else {
		cmdline_printf(cl, "error: hysteresis is 0..100 %%, hold >= 1 s\n");
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

static cmdline_parse_inst_t cmd_set_threshold = {
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

/* ***** quit ***** */

struct cmd_quit_result {
	cmdline_fixed_string_t quit;
};

static void
cmd_quit_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	cmdline_printf(cl, "stopping the home agent\n");
	app_of(cl)->quit = true;
}

static cmdline_parse_token_string_t cmd_quit_quit =
	TOKEN_STRING_INITIALIZER(struct cmd_quit_result, quit, "quit");

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_parsed,
	.data = NULL,
	.help_str = "quit: stop the home agent",
	.tokens = {
		(void *)&cmd_quit_quit,
		NULL,
	},
};

/* ***** help ***** */

static cmdline_parse_ctx_t main_ctx[];

struct cmd_help_result {
	cmdline_fixed_string_t help;
};

static void
cmd_help_parsed(void *parsed, struct cmdline *cl, void *data)
{
	unsigned int i;

	(void)parsed;
	(void)data;
	cmdline_printf(cl, "Commands (TAB completes, '?' lists choices):\n");
	for (i = 0; main_ctx[i] != NULL; i++)
		cmdline_printf(cl, "  %s\n", main_ctx[i]->help_str);
}

static cmdline_parse_token_string_t cmd_help_help =
	TOKEN_STRING_INITIALIZER(struct cmd_help_result, help, "help");

static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_parsed,
	.data = NULL,
	.help_str = "help: this list",
	.tokens = {
		(void *)&cmd_help_help,
		NULL,
	},
};

static cmdline_parse_ctx_t main_ctx[] = {
	&cmd_show_stats,
	&cmd_show_drops,
	&cmd_show_bindings,
	&cmd_show_neigh,
	&cmd_show_peers,
	&cmd_show_deleg,
	&cmd_delegate,
	&cmd_undelegate,
	&cmd_add_sha,
	&cmd_del_sha,
	&cmd_set_policy,
	&cmd_set_threshold,
	&cmd_help,
	&cmd_quit,
	NULL,
};

/* ---------------------------------------------------------------------
 * Terminal and socket sessions
 */

static int
listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 4) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

int
haven_console_init(struct haven_app *app, bool terminal)
{
	const char *path = app->cfg.console_socket;

	if (path[0] != '\0') {
		char dir[HAVEN_CONFIG_PATH_LEN];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash != NULL && slash != dir) {
			*slash = '\0';
			mkdir(dir, 0700);
		}
		app->console_listen_fd = listen_unix(path);
		if (app->console_listen_fd < 0) {
			HAVEN_LOG(ERR, "console socket %s: %s\n", path,
				strerror(-app->console_listen_fd));
			return app->console_listen_fd;
		}
		HAVEN_LOG(INFO, "console on unix socket %s\n", path);
	}
	if (terminal) {
		app->console = cmdline_stdin_new(main_ctx, PROMPT);
		if (app->console == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* Feed what is waiting on fd to a session. false: the session ended. */
static bool
feed(struct cmdline *cl, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[512];
	ssize_t n;

	if (poll(&pfd, 1, 0) <= 0)
		return true;
	n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && (errno == EAGAIN || errno == EINTR);
	return cmdline_in(cl, buf, n) >= 0;	/* -1: ctrl-d or exit */
}

static void
client_close(struct haven_app *app)
{
	cmdline_free(app->console_client);
	close(app->console_client_fd);
	app->console_client = NULL;
	app->console_client_fd = -1;
}

void
haven_console_poll(struct haven_app *app)
{
	if (app->console != NULL && !feed(app->console, 0))
		app->quit = true;
	if (app->console_client != NULL &&
	    !feed(app->console_client, app->console_client_fd))
		client_close(app);
	if (app->console_client == NULL && app->console_listen_fd >= 0) {
		int fd = accept4(app->console_listen_fd, NULL, NULL,
				SOCK_CLOEXEC);

		if (fd < 0)
			return;
		app->console_client = cmdline_new(main_ctx, PROMPT, fd, fd);
		if (app->console_client == NULL)
			close(fd);
		else
			app->console_client_fd = fd;
	}
}

void
haven_console_close(struct haven_app *app)
{
	if (app->console_client != NULL)
		client_close(app);
	if (app->console != NULL) {
		cmdline_stdin_exit(app->console);
		app->console = NULL;
	}
	if (app->console_listen_fd >= 0) {
		close(app->console_listen_fd);
		unlink(app->cfg.console_socket);
		app->console_listen_fd = -1;
	}
}
