/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * haven: a Mobile IPv4 and IPv6 home agent with a DPDK fast path.
 *
 * main() reads the configuration before anything else (a wrong line stops
 * the process before a port is touched), turns it into EAL arguments,
 * starts the EAL, builds the tables the workers read (the IPv6 ones too
 * when the configuration has IPv6 addresses), starts the ports,
 * launches one worker per worker lcore and runs the control loop on the
 * main lcore until "quit", SIGINT or SIGTERM; then it stops the workers,
 * the ports and the EAL in that order.
 */

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_byteorder.h>
#include <rte_launch.h>
#include <rte_lpm.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pdump.h>
#include <rte_rcu_qsbr.h>

#include "haven.h"
#include "haven6.h"

static_assert(HAVEN_CONFIG_MAX_SIMULTANEOUS == HAVEN_BINDING_MAX_COA,
	"config and binding table disagree on care-of addresses per node");

RTE_LOG_REGISTER(haven_logtype, haven.app, INFO);

struct haven_app haven;

#define EAL_ARGV_MAX 64

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s -f CONFIG [--no-console] [--script FILE] [--check]"
		" [-- EAL-OPTIONS]\n"
		"  -f, --config FILE   YAML configuration (see docs/configuration.md)\n"
		"  --no-console        no console on the terminal (headless)\n"
		"  --script FILE       run these console commands once started,\n"
		"                      their output on stdout (docs/console.md)\n"
		"  --check             validate the configuration and exit\n"
		"  EAL-OPTIONS         appended to the arguments the config implies\n",
		prog);
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		haven.reload_requested = true;
	else
		haven.quit = true;
}

/* rte_log level of a configured name ("info"); INFO if unknown. */
static uint32_t
log_level(const char *name)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info",
		"debug",
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(names); i++)
		if (strcmp(name, names[i]) == 0)
			return RTE_LOG_EMERG + i;
	return RTE_LOG_INFO;
}

/* Enough free 2 MB pages and a hugetlbfs mount for memory_mb? */
static bool
hugepages_usable(uint32_t memory_mb)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long free_pages = 0, page_kb = 0;
	bool mounted = false;

	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		sscanf(line, "HugePages_Free: %lu", &free_pages);
		sscanf(line, "Hugepagesize: %lu kB", &page_kb);
	}
	fclose(f);
	f = fopen("/proc/mounts", "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " hugetlbfs ") != NULL)
			mounted = true;
	fclose(f);
	return mounted && free_pages * page_kb / 1024 >= memory_mb;
}

/* The EAL arguments the configuration implies, then the user's extras. */
static int
build_eal_args(const struct haven_config *cfg, const char *prog,
		int extra_argc, char **extra_argv, char **argv)
{
	static char mem[16], main_lcore[8];
	int argc = 0;
	bool any_pci = false;
	unsigned int i;

	argv[argc++] = (char *)(uintptr_t)prog;
	argv[argc++] = (char *)(uintptr_t)"-l";
	argv[argc++] = (char *)(uintptr_t)cfg->lcores;
	snprintf(main_lcore, sizeof(main_lcore), "%u", cfg->control_lcore);
	argv[argc++] = (char *)(uintptr_t)"--main-lcore";
	argv[argc++] = main_lcore;
	argv[argc++] = (char *)(uintptr_t)"--file-prefix";
	argv[argc++] = (char *)(uintptr_t)cfg->file_prefix;
	snprintf(mem, sizeof(mem), "%u", cfg->memory_mb);
	argv[argc++] = (char *)(uintptr_t)"-m";
	argv[argc++] = mem;
	if (cfg->hugepages == HAVEN_HUGEPAGES_OFF ||
	    (cfg->hugepages == HAVEN_HUGEPAGES_AUTO &&
	     !hugepages_usable(cfg->memory_mb)))
		argv[argc++] = (char *)(uintptr_t)"--no-huge";
	for (i = 0; i < cfg->n_ports; i++) {
		argv[argc++] = (char *)(uintptr_t)
			(cfg->ports[i].is_vdev ? "--vdev" : "-a");
		argv[argc++] = (char *)(uintptr_t)cfg->ports[i].device;
		any_pci |= !cfg->ports[i].is_vdev;
	}
	if (!any_pci)
		argv[argc++] = (char *)(uintptr_t)"--no-pci";
	for (i = 0; i < cfg->n_eal_args && argc < EAL_ARGV_MAX - 1; i++)
		argv[argc++] = cfg->eal_args[i];
	for (i = 0; (int)i < extra_argc && argc < EAL_ARGV_MAX - 1; i++)
		argv[argc++] = extra_argv[i];
	argv[argc] = NULL;
	return argc;
}

/* RCU variable, binding table and the fast-path context. */
static int
tables_init(struct haven_app *app)
{
	struct haven_fp *fp = &app->fp;
	size_t sz = rte_rcu_qsbr_get_memsize(app->n_workers);
	struct haven_binding_prefix home;

	fp->qsbr = rte_zmalloc("haven_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (fp->qsbr == NULL || rte_rcu_qsbr_init(fp->qsbr, app->n_workers))
		return -ENOMEM;
	/* The home link's subnet is indexed directly (lib/binding). */
	home.addr = haven_addr4(app->cfg.ports[app->cfg.home_port].addr);
	home.len = app->cfg.ports[app->cfg.home_port].prefix_len;
	fp->bindings = haven_binding_table_create("haven_bindings",
			app->cfg.max_bindings, app->n_workers, fp->qsbr,
			rte_socket_id(), &home, 1);
	if (fp->bindings == NULL) {
		HAVEN_LOG(ERR, "binding table of %u: %s\n",
			app->cfg.max_bindings, rte_strerror(rte_errno));
		return -rte_errno;
	}
	fp->ha_addr = app->cfg.ha_addr;
	fp->home_port = app->cfg.home_port;
	fp->idle_adaptive = app->cfg.idle == HAVEN_IDLE_ADAPTIVE;
	fp->quit = &app->quit;
	fp->punt_ring = rte_ring_create("haven_punt", 1024, rte_socket_id(),
			RING_F_SC_DEQ);
	if (fp->punt_ring == NULL)
		return -rte_errno;
	return 0;
}

/*
 * The route table workers and the control lcore share: one connected route
 * per port subnet (next hop: the destination itself), then the configured
 * routes (next hop: their gateway).
 */
static int
routes_init(struct haven_app *app)
{
	const struct haven_config *cfg = &app->cfg;
	unsigned int n = cfg->n_ports + cfg->n_routes, i, r = 0;
	struct rte_lpm_config lc = {
		.max_rules = n + 1,
		.number_tbl8s = 256,
	};
	struct haven_fp *fp = &app->fp;

	fp->routes = rte_lpm_create("haven_routes", rte_socket_id(), &lc);
	fp->route_gw = rte_zmalloc("haven_route_gw", sizeof(uint32_t) * n, 0);
	fp->route_port = rte_zmalloc("haven_route_port", n, 0);
	fp->neigh = rte_zmalloc("haven_neigh",
			sizeof(*fp->neigh) * HAVEN_NEIGH_MAX, RTE_CACHE_LINE_SIZE);
	if (fp->routes == NULL || fp->route_gw == NULL ||
	    fp->route_port == NULL || fp->neigh == NULL)
		return -ENOMEM;
	for (i = 0; i < cfg->n_ports; i++, r++) {
		uint32_t mask = cfg->ports[i].prefix_len == 0 ? 0 :
			~0u << (32 - cfg->ports[i].prefix_len);

		fp->route_gw[r] = 0;
		fp->route_port[r] = i;
		if (rte_lpm_add(fp->routes,
				rte_be_to_cpu_32(cfg->ports[i].addr) & mask,
				cfg->ports[i].prefix_len, r) != 0)
			return -EINVAL;
	}
	for (i = 0; i < cfg->n_routes; i++, r++) {
		fp->route_gw[r] = cfg->routes[i].gateway;
		fp->route_port[r] = cfg->routes[i].port;
		if (cfg->routes[i].prefix_len == 0) {
			fp->has_default_route = true;
			fp->default_route = r;
		} else if (rte_lpm_add(fp->routes,
				rte_be_to_cpu_32(cfg->routes[i].prefix),
				cfg->routes[i].prefix_len, r) != 0)
			return -EINVAL;
	}
	return 0;
}

/* One struct haven_worker per worker lcore; RX queues spread over them. */
static int
workers_init(struct haven_app *app)
{
	unsigned int lcore, w = 0, p, q;

	app->workers = rte_zmalloc("haven_workers",
			sizeof(*app->workers) * app->n_workers,
			RTE_CACHE_LINE_SIZE);
	if (app->workers == NULL)
		return -ENOMEM;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct haven_worker *wk = &app->workers[w];

		wk->fp = &app->fp;
		wk->id = w;
		wk->txq = w;
		wk->counters = haven_binding_counters_row(app->fp.bindings, w);
		if (app->ip6 != NULL)
			wk->counters6 = haven_binding6_counters_row(
				app->ip6->fp6.bindings, w);
		w++;
	}
	for (p = 0; p < app->fp.n_ports; p++)
		for (q = 0; q < app->n_rxq[p]; q++) {
			struct haven_worker *wk = &app->workers[q % app->n_workers];

			if (wk->n_rxq == HAVEN_MAX_RXQ_PER_WORKER)
				return -E2BIG;
			wk->rxq[wk->n_rxq].port = p;
			wk->rxq[wk->n_rxq].queue = q;
			wk->n_rxq++;
		}
	app->ctl_txq = app->n_workers;
	return 0;
}

static int
launch_workers(struct haven_app *app)
{
	unsigned int lcore, w = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		int rc = rte_eal_remote_launch(haven_worker_main,
				&app->workers[w++], lcore);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Packet capture for dpdk-dumpcap (rte_pdump): it attaches as a secondary
 * process, which needs the primary's hugepages; without them (--no-huge)
 * the server still starts but no capture can attach.
 */
static bool pdump_up;

static int
capture_init(struct haven_app *app)
{
	(void)app;
	if (rte_pdump_init() != 0) {
		HAVEN_LOG(WARNING, "packet capture unavailable: rte_pdump_init:"
			" %s\n", rte_strerror(rte_errno));
		return 0;
	}
	pdump_up = true;
	if (!rte_eal_has_hugepages())
		HAVEN_LOG(WARNING, "running without hugepages: dpdk-dumpcap "
			"cannot attach\n");
	return 0;
}

static int
console_init(struct haven_app *app)
{
	return haven_console_init(app, app->console_on_terminal);
}

/* Every start-up step in order; the first failure stops the process. */
static int
start_up(struct haven_app *app, bool terminal)
{
	static const struct {
		const char *name;
		int (*fn)(struct haven_app *app);
	} steps[] = {
		{ "tables", tables_init },
		{ "routes", routes_init },
		{ "IPv6 tables", haven_ip6_tables_init },
		{ "ports", haven_ports_init },
		{ "capture", capture_init },
		{ "neighbour resolution", haven_resolve_init },
		{ "workers", workers_init },
		{ "registration", haven_registration_init },
		{ "IPv6 registration", haven_registration6_init },
		{ "delegation", haven_deleg_init },
		{ "telemetry", haven_telemetry_init },
		{ "console", console_init },
		{ "worker launch", launch_workers },
	};
	unsigned int i;
	int rc;

	app->console_on_terminal = terminal;
	for (i = 0; i < RTE_DIM(steps); i++) {
		rc = steps[i].fn(app);
		if (rc != 0) {
			fprintf(stderr, "haven: start-up failed at %s: %s\n",
				steps[i].name, strerror(rc < 0 ? -rc : rc));
			return rc;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "no-console", no_argument, NULL, 'n' },
		{ "check", no_argument, NULL, 'c' },
		{ "script", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *eal_argv[EAL_ARGV_MAX];
	const char *config_path = NULL, *script = NULL;
	bool console = true, check_only = false;
	char err[512];
	int opt, eal_argc, rc;

	while ((opt = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			config_path = optarg;
			break;
		case 'n':
			console = false;
			break;
		case 'c':
			check_only = true;
			break;
		case 's':
			script = optarg;
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (config_path == NULL) {
		usage(argv[0]);
		return 2;
	}
	if (script != NULL && access(script, R_OK) != 0) {
		fprintf(stderr, "haven: script %s: %s\n", script,
			strerror(errno));
		return 1;
	}
	if (haven_config_load(config_path, &haven.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check_only) {
		printf("%s: configuration OK (%u ports, %u mobile nodes)\n",
			config_path, haven.cfg.n_ports, haven.cfg.n_mns);
		if (haven.cfg.n_mns6 > 0)
			printf("%s: %u Mobile IPv6 node(s)\n", config_path,
				haven.cfg.n_mns6);
		haven_config_free(&haven.cfg);
		return 0;
	}

	eal_argc = build_eal_args(&haven.cfg, argv[0], argc - optind,
			argv + optind, eal_argv);
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "haven: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	rte_log_set_level_pattern("haven.*", log_level(haven.cfg.log_level));
	haven.n_workers = rte_lcore_count() - 1;
	haven.console_listen_fd = -1;
	if (haven.n_workers == 0 || haven.n_workers > HAVEN_MAX_WORKERS) {
		fprintf(stderr, "haven: lcores \"%s\" give %u workers; need 1..%d"
			" besides the control lcore\n", haven.cfg.lcores,
			haven.n_workers, HAVEN_MAX_WORKERS);
		rte_eal_cleanup();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	rte_timer_subsystem_init();

	rc = start_up(&haven, console && isatty(0));
	if (rc != 0) {
		haven.quit = true;
	} else {
		HAVEN_LOG(INFO, "haven %s up: %u worker(s), %u mobile node(s)\n",
			config_path, haven.n_workers, haven.cfg.n_mns);
		if (script != NULL)
			rc = haven_console_script(&haven, script);
		if (rc == 0)
			rc = haven_control_loop(&haven);
	}

	haven.quit = true;
	rte_eal_mp_wait_lcore();
	if (pdump_up)
		rte_pdump_uninit();
	haven_console_close(&haven);
	haven_ports_close(&haven);
	if (haven.fp.bindings != NULL)
		haven_binding_table_free(haven.fp.bindings);
	if (haven.ip6 != NULL && haven.ip6->fp6.bindings != NULL)
		haven_binding6_table_free(haven.ip6->fp6.bindings);
	rte_eal_cleanup();
	haven_config_free(&haven.cfg);
	return rc == 0 ? 0 : 1;
}
