/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runtime's start-up and stop (rt.h): the RCU variable and the binding
 * tables the workers read, the IPv4 and IPv6 route tables and neighbour
 * tables (written later by the link layer), the ports (port.c), the punt
 * ring and the worker contexts.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "rt.h"
#include "rt_private.h"

/* ---------------------------------------------------------------------
 * Start-up steps
 */

/* RCU variable, IPv4 binding table and the fast-path context. */
static int
tables_init(struct haven_rt *rt)
{
	struct haven_fp *fp = &rt->fp;
	size_t sz = rte_rcu_qsbr_get_memsize(rt->n_workers);
	struct haven_binding_prefix home;

	fp->qsbr = rte_zmalloc("haven_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (fp->qsbr == NULL || rte_rcu_qsbr_init(fp->qsbr, rt->n_workers))
		return -ENOMEM;
	/* The home link's subnet is indexed directly (lib/binding). */
	home.addr = haven_addr4(rt->cfg.ports[rt->cfg.home_port].addr);
	home.len = rt->cfg.ports[rt->cfg.home_port].prefix_len;
	fp->bindings = haven_binding_table_create("haven_bindings",
			rt->cfg.max_bindings, rt->n_workers, fp->qsbr,
			rte_socket_id(), &home, 1);
	if (fp->bindings == NULL) {
		HAVEN_LOG(ERR, "binding table of %u: %s\n",
			rt->cfg.max_bindings, rte_strerror(rte_errno));
		return -rte_errno;
	}
	fp->ha_addr = rt->cfg.ha_addr;
	rt->serving = true;	/* a pair's redundancy module says otherwise */
	fp->home_port = rt->cfg.home_port;
	fp->idle_adaptive = rt->cfg.idle == HAVEN_IDLE_ADAPTIVE;
	fp->quit = &rt->quit;
	fp->punt_ring = rte_ring_create("haven_punt", HAVEN_PUNT_RING,
			rte_socket_id(), RING_F_SC_DEQ);
	if (fp->punt_ring == NULL)
		return -rte_errno;
	return 0;
}

/*
 * The IPv4 route table workers and the control lcore share: one connected
 * route per port subnet (next hop: the destination itself), then the
 * configured routes (next hop: their gateway); and the neighbour table.
 */
static int
routes_init(struct haven_rt *rt)
{
	const struct haven_config *cfg = &rt->cfg;
	unsigned int n = cfg->n_ports + cfg->n_routes, i, r = 0;
	struct rte_lpm_config lc = {
		.max_rules = n + 1,
		.number_tbl8s = 256,
	};
	struct haven_fp *fp = &rt->fp;

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

static bool
config_has_ip6(const struct haven_config *cfg)
{
	unsigned int i;

	if (cfg->has_ha_addr6)
		return true;
	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].has_addr6)
			return true;
	return false;
}

/*
 * One connected IPv6 route per port with an IPv6 subnet (route index =
 * port index, next hop: the destination itself), then the configured
 * routes (index n_ports + i, next hop: their gateway). rte_lpm6 takes no
 * depth 0, so ::/0 is kept aside as the default route, as IPv4 does.
 */
static int
routes6_init(const struct haven_config *cfg, struct haven_fp6 *fp6)
{
	unsigned int n = cfg->n_ports + cfg->n_routes6, i;
	struct rte_lpm6_config lc = {
		.max_rules = n + 1,
		.number_tbl8s = 1 << 12,
	};

	fp6->routes = rte_lpm6_create("haven_routes6", rte_socket_id(), &lc);
	fp6->route_gw = rte_zmalloc("haven_route6_gw",
			sizeof(*fp6->route_gw) * (n + 1), 0);
	fp6->route_port = rte_zmalloc("haven_route6_port", n + 1, 0);
	if (fp6->routes == NULL || fp6->route_gw == NULL ||
	    fp6->route_port == NULL)
		return -ENOMEM;
	for (i = 0; i < cfg->n_ports; i++) {
		const struct haven_config_port *p = &cfg->ports[i];

		fp6->route_port[i] = i;
		if (!p->has_addr6)
			continue;
		if (rte_lpm6_add(fp6->routes, p->addr6, p->prefix_len6, i) != 0)
			return -EINVAL;
	}
	for (i = 0; i < cfg->n_routes6; i++) {
		const struct haven_config_route6 *r = &cfg->routes6[i];
		uint32_t idx = cfg->n_ports + i;

		memcpy(fp6->route_gw[idx], r->gateway, 16);
		fp6->route_port[idx] = r->port;
		if (r->prefix_len == 0) {
			fp6->has_default_route = true;
			fp6->default_route = idx;
		} else if (rte_lpm6_add(fp6->routes, r->prefix, r->prefix_len,
				idx) != 0) {
			return -EINVAL;
		}
	}
	return 0;
}

/* The IPv6 side of the fast path, when the configuration has IPv6. */
static int
tables6_init(struct haven_rt *rt)
{
	const struct haven_config *cfg = &rt->cfg;
	struct haven_binding_prefix home;
	struct haven_fp6 *fp6;
	unsigned int i;
	int rc;

	if (!config_has_ip6(cfg))
		return 0;	/* IPv4 only: fp6 stays NULL */
	fp6 = rte_zmalloc("haven_fp6", sizeof(*fp6), RTE_CACHE_LINE_SIZE);
	if (fp6 == NULL)
		return -ENOMEM;
	rt->fp6 = fp6;
	for (i = 0; i < cfg->n_ports; i++) {
		fp6->port_has_addr[i] = cfg->ports[i].has_addr6;
		memcpy(fp6->port_addr[i], cfg->ports[i].addr6, 16);
		fp6->port_prefix_len[i] = cfg->ports[i].prefix_len6;
	}
	if (cfg->has_ha_addr6) {
		memcpy(fp6->ha_addr, cfg->ha_addr6, 16);
	} else {
		/* A pure secondary: its first port's IPv6 address. */
		for (i = 0; i < cfg->n_ports; i++)
			if (cfg->ports[i].has_addr6) {
				memcpy(fp6->ha_addr, cfg->ports[i].addr6, 16);
				break;
			}
	}
	/* The home prefix (a /64 goes through the hashed fallback). */
	home.addr = haven_addr6(cfg->home_prefix6);
	home.len = cfg->home_prefix6_len;
	fp6->bindings = haven_binding6_table_create("haven_bind6",
			cfg->max_bindings, rt->n_workers, rt->fp.qsbr,
			rte_socket_id(), &home, cfg->home_prefix6_len != 0);
	if (fp6->bindings == NULL) {
		HAVEN_LOG(ERR, "IPv6 binding table of %u: %s\n",
			cfg->max_bindings, rte_strerror(rte_errno));
		return rte_errno > 0 ? -rte_errno : -ENOMEM;
	}
	fp6->neigh = rte_zmalloc("haven_neigh6",
			sizeof(*fp6->neigh) * HAVEN_NEIGH6_MAX,
			RTE_CACHE_LINE_SIZE);
	if (fp6->neigh == NULL)
		return -ENOMEM;
	rc = routes6_init(cfg, fp6);
	if (rc != 0) {
		HAVEN_LOG(ERR, "IPv6 routes: %s\n", strerror(-rc));
		return rc;
	}
	rt->fp.fp6 = fp6;	/* workers handle 0x86DD from now on */
	return 0;
}

/* One struct haven_worker per worker lcore; RX queues spread over them. */
static int
workers_init(struct haven_rt *rt)
{
	unsigned int lcore, w = 0, p, q;

	rt->workers = rte_zmalloc("haven_workers",
			sizeof(*rt->workers) * rt->n_workers,
			RTE_CACHE_LINE_SIZE);
	if (rt->workers == NULL)
		return -ENOMEM;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct haven_worker *wk = &rt->workers[w];

		wk->fp = &rt->fp;
		wk->id = w;
		wk->txq = w;
		wk->counters = haven_binding_counters_row(rt->fp.bindings, w);
		if (rt->fp6 != NULL)
			wk->counters6 = haven_binding6_counters_row(
				rt->fp6->bindings, w);
		w++;
	}
	for (p = 0; p < rt->fp.n_ports; p++)
		for (q = 0; q < rt->n_rxq[p]; q++) {
			struct haven_worker *wk = &rt->workers[q % rt->n_workers];

			if (wk->n_rxq == HAVEN_MAX_RXQ_PER_WORKER)
				return -E2BIG;
			wk->rxq[wk->n_rxq].port = p;
			wk->rxq[wk->n_rxq].queue = q;
			wk->n_rxq++;
		}
	rt->ctl_txq = rt->n_workers;
	return 0;
}

int
haven_rt_start(void)
{
	static const struct {
		const char *name;
		int (*fn)(struct haven_rt *rt);
	} steps[] = {
		{ "tables", tables_init },
		{ "routes", routes_init },
		{ "IPv6 tables", tables6_init },
		{ "ports", haven_rt_ports_init },
		{ "workers", workers_init },
	};
	struct haven_rt *rt = &haven_rt;
	unsigned int i;
	int rc;

	rt->n_workers = rte_lcore_count() - 1;
	rt->started_us = haven_wall_us();
	if (rt->n_workers == 0 || rt->n_workers > HAVEN_MAX_WORKERS) {
		HAVEN_LOG(ERR, "lcores \"%s\" give %u workers; need 1..%d "
			"besides the control lcore\n", rt->cfg.lcores,
			rt->n_workers, HAVEN_MAX_WORKERS);
		return -EINVAL;
	}
	for (i = 0; i < RTE_DIM(steps); i++) {
		rc = steps[i].fn(rt);
		if (rc != 0) {
			HAVEN_LOG(ERR, "start-up failed at %s: %s\n",
				steps[i].name, strerror(rc < 0 ? -rc : rc));
			return rc;
		}
	}
	return 0;
}

int
haven_rt_launch_workers(void)
{
	unsigned int lcore, w = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		int rc = rte_eal_remote_launch(haven_worker_main,
				&haven_rt.workers[w++], lcore);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
haven_rt_stop(void)
{
	struct haven_rt *rt = &haven_rt;

	rt->quit = true;
	rte_eal_mp_wait_lcore();
	haven_rt_ports_close(rt);
	if (rt->fp.bindings != NULL)
		haven_binding_table_free(rt->fp.bindings);
	rt->fp.bindings = NULL;
	if (rt->fp6 != NULL && rt->fp6->bindings != NULL)
		haven_binding6_table_free(rt->fp6->bindings);
	if (rt->fp6 != NULL)
		rt->fp6->bindings = NULL;
}

/*
 * DPDK 22.11 leaves the hugepage files of a process behind when it stops
 * (without --huge-unlink, which secondary processes such as dpdk-dumpcap
 * cannot do without): remove this process's, <mount>/<file_prefix>map_*,
 * from every hugetlbfs mount, once the EAL is cleaned up.
 */
void
haven_rt_release_hugepages(const char *file_prefix)
{
	char line[512], mnt[256], type[64], path[512], head[128];
	size_t plen;
	FILE *f;

	snprintf(head, sizeof(head), "%smap_", file_prefix);
	plen = strlen(head);
	f = fopen("/proc/mounts", "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct dirent *de;
		DIR *d;

		if (sscanf(line, "%*s %255s %63s", mnt, type) != 2 ||
		    strcmp(type, "hugetlbfs") != 0)
			continue;
		d = opendir(mnt);
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, head, plen) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", mnt, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	fclose(f);
}
