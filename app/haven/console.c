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
		cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %6lds %12lu %14lu\n",
			i == 0 ? hoa : "", coa, haven_encap_name(b->encap),
			(b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ? "T" : "-",
			rem, i == 0 ? sum.pkts : 0, i == 0 ? sum.bytes : 0);
	}
	return 0;
}

static void
cmd_show_bindings_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct haven_app *app = app_of(cl);

	(void)parsed;
	(void)data;
	cmdline_printf(cl, "  %-15s %-15s %-7s %-3s %7s %12s %14s\n",
		"home address", "care-of", "encap", "rev", "left",
		"packets", "bytes");
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
