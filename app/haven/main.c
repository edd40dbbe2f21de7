/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * haven: a Mobile IPv4 and IPv6 home agent with a DPDK fast path.
 *
 * main() reads the configuration before anything else (a wrong line stops
 * the process before a port is touched), turns it into EAL arguments,
 * starts the EAL, builds the tables the workers read (the IPv6 ones too
 * when the configuration has IPv6 addresses), starts the ports,
 * launches one worker per worker lcore and runs the control loop on the
 * main lcore until the console's "shutdown", SIGINT or SIGTERM; then it
 * stops the workers, the ports and the EAL in that order.
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
#include <rte_timer.h>

#include "aaa.h"
#include "balancer.h"
#include "console.h"
#include "deleg.h"
#include "exception.h"
#include "link.h"
#include "loop.h"
#include "node.h"
#include "reg.h"
#include "reload.h"
#include "rt.h"
#include "state.h"
#include "telemetry.h"

static_assert(HAVEN_CONFIG_MAX_SIMULTANEOUS == HAVEN_BINDING_MAX_COA,
	"config and binding table disagree on care-of addresses per node");

#define EAL_ARGV_MAX 64
#define HUGEPAGES_TAKEN_ENV "HAVEN_HUGEPAGES_TAKEN" /**< set for a second start */

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s -f CONFIG [--no-console] [--script FILE] [--check]"
		" [--store-reset] [-- EAL-OPTIONS]\n"
		"  -f, --config FILE   YAML configuration (see docs/configuration.md)\n"
		"  --no-console        no console on the terminal (headless)\n"
		"  --script FILE       run these console commands once started,\n"
		"                      their output on stdout (docs/console.md)\n"
		"  --check             validate the configuration and exit\n"
		"  --store-reset       a state store that cannot be used is\n"
		"                      moved aside (<path>.reset-<time>) and an\n"
		"                      empty one made (docs/store.md)\n"
		"  EAL-OPTIONS         appended to the arguments the config implies\n",
		prog);
}

/* The signal that stopped the agent, for the last log line. */
static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	if (sig == SIGHUP) {
		haven_reload_request();
		return;
	}
	stop_signal = sig;
	haven_rt.quit = true;
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

/*
 * "hugepages: auto" saw enough free hugepages, but another process took
 * them before the EAL did (the EAL cannot be initialised twice in one
 * process): start again, once, with --no-huge. The environment variable
 * marks the second start. Returns only if it cannot.
 */
static void
retry_without_hugepages(char **argv)
{
	if (haven_rt.cfg.hugepages != HAVEN_HUGEPAGES_AUTO ||
	    rte_errno != ENOMEM || getenv(HUGEPAGES_TAKEN_ENV) != NULL)
		return;
	fprintf(stderr, "haven: the free hugepages were taken meanwhile: "
		"starting again with --no-huge\n");
	setenv(HUGEPAGES_TAKEN_ENV, "1", 1);
	/* The EAL's files stay locked while their descriptors are open. */
	close_range(3, ~0U, 0);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "haven: cannot start again: %s\n", strerror(errno));
}

/* The EAL arguments the configuration implies, then the user's extras. */
static int
build_eal_args(const struct haven_config *cfg, const char *prog,
		int extra_argc, char **extra_argv, char **argv)
{
	static char mem[16], main_lcore[8];
	static char exc[HAVEN_MAX_PORTS][HAVEN_CONFIG_PATH_LEN];
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
	     (getenv(HUGEPAGES_TAKEN_ENV) != NULL ||
	      !hugepages_usable(cfg->memory_mb))))
		argv[argc++] = (char *)(uintptr_t)"--no-huge";
	for (i = 0; i < cfg->n_ports; i++) {
		argv[argc++] = (char *)(uintptr_t)
			(cfg->ports[i].is_vdev ? "--vdev" : "-a");
		argv[argc++] = (char *)(uintptr_t)cfg->ports[i].device;
		any_pci |= !cfg->ports[i].is_vdev;
	}
	/* The exception path: a net_tap per port with a host interface. */
	for (i = 0; i < cfg->n_ports && i < HAVEN_MAX_PORTS; i++) {
		if (cfg->ports[i].host_interface[0] == '\0' ||
		    haven_exception_vdev_arg(i, cfg->ports[i].host_interface,
			    exc[i], sizeof(exc[i])) != 0)
			continue;
		argv[argc++] = (char *)(uintptr_t)"--vdev";
		argv[argc++] = exc[i];
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

/*
 * Packet capture for dpdk-dumpcap (rte_pdump): it attaches as a secondary
 * process, which needs the primary's hugepages; without them (--no-huge)
 * the server still starts but no capture can attach.
 */
static bool pdump_up;

static int
capture_init(void)
{
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

static bool console_on_terminal;
static bool store_reset;

/* Neighbours learn at once that this process answers for our addresses. */
static int
announce_own(void)
{
	haven_link_announce_own();
	return 0;
}

static int
store_init(void)
{
	return haven_persist_init(store_reset);
}

static int
console_init(void)
{
	return haven_console_init(console_on_terminal);
}

/*
 * Every start-up step, in layer order, bottom up: the runtime, then each
 * layer's modules (which register their punt handlers, timers, node
 * extensions, hooks and reload parts), then the configured nodes, the
 * operator surfaces, and last the workers. The first failure stops the
 * process.
 */
static int
start_up(bool terminal)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} steps[] = {
		{ "runtime", haven_rt_start },
		{ "exception path", haven_exception_init },
		{ "capture", capture_init },
		{ "reload", haven_reload_init },
		{ "link", haven_link_init },
		{ "mobile nodes", haven_nodes_init },
		{ "aaa", haven_aaa_init },
		{ "registration", haven_reg4_init },
		{ "IPv6 registration", haven_reg6_init },
		{ "delegation", haven_deleg_init },
		{ "balancer", haven_balancer_init },
		{ "configured mobile nodes", haven_nodes_load_config },
		{ "state store", store_init },
		{ "redundancy", haven_pair_init },
		{ "telemetry", haven_telemetry_init },
		{ "console", console_init },
		{ "worker launch", haven_rt_launch_workers },
		{ "announcements", announce_own },
	};
	unsigned int i;
	int rc;

	console_on_terminal = terminal;
	for (i = 0; i < RTE_DIM(steps); i++) {
		rc = steps[i].fn();
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
		{ "store-reset", no_argument, NULL, 'r' },
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
		case 'r':
			store_reset = true;
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
	if (haven_config_load(config_path, &haven_rt.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check_only) {
		printf("%s: configuration OK (%u ports, %u mobile nodes)\n",
			config_path, haven_rt.cfg.n_ports, haven_rt.cfg.n_mns);
		if (haven_rt.cfg.n_mns6 > 0)
			printf("%s: %u Mobile IPv6 node(s)\n", config_path,
				haven_rt.cfg.n_mns6);
		haven_config_free(&haven_rt.cfg);
		return 0;
	}

	eal_argc = build_eal_args(&haven_rt.cfg, argv[0], argc - optind,
			argv + optind, eal_argv);
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "haven: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		retry_without_hugepages(argv);
		return 1;
	}
	rte_log_set_level_pattern("haven.*", log_level(haven_rt.cfg.log_level));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	rte_timer_subsystem_init();

	rc = start_up(console && isatty(0));
	if (rc == 0) {
		HAVEN_LOG(INFO, "haven %s up: %u worker(s), %u mobile node(s), "
			"%u Mobile IPv6 node(s)\n", config_path,
			haven_rt.n_workers,
			haven_node_count(HAVEN_AF_INET, HAVEN_NODE_CONFIGURED),
			haven_node_count(HAVEN_AF_INET6, HAVEN_NODE_CONFIGURED));
		if (script != NULL)
			rc = haven_console_script(script);
		if (rc == 0)
			rc = haven_loop_run();
	}

	if (stop_signal != 0)
		HAVEN_LOG(NOTICE, "haven stopping on %s\n",
			strsignal(stop_signal));
	else
		HAVEN_LOG(NOTICE, "haven stopping%s\n",
			rc == 0 ? "" : " after an error");
	haven_rt.quit = true;
	rte_eal_mp_wait_lcore();
	/* The standby hears BYE; what is pending reaches the disk. */
	haven_pair_shutdown();
	haven_persist_close();
	haven_aaa_fini();
	if (pdump_up)
		rte_pdump_uninit();
	haven_console_close();
	haven_exception_fini();
	haven_rt_stop();
	rte_eal_cleanup();
	haven_rt_release_hugepages(haven_rt.cfg.file_prefix);
	haven_config_free(&haven_rt.cfg);
	return rc == 0 ? 0 : 1;
}
