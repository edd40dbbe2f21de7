/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runtime instance (rt.h), its log type, the clock and the allocation
 * wrapper every module uses, and what the instance answers about itself.
 * Its start-up is start.c's.
 */

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "rt.h"

RTE_LOG_REGISTER(haven_logtype, haven.app, INFO);

struct haven_rt haven_rt;

/* ---------------------------------------------------------------------
 * Clock and allocation
 */

uint64_t
haven_now_ms(void)
{
	return rte_get_timer_cycles() / (rte_get_timer_hz() / 1000);
}

uint64_t
haven_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
haven_log_limited(struct haven_ratelimit *rl, uint32_t level,
		const char *fmt, ...)
{
	uint64_t sec = haven_now_ms() / 1000;
	char line[512];
	va_list ap;

	if (sec != rl->window) {
		if (rl->suppressed > 0)
			rte_log(level, haven_logtype, "haven: %u similar "
				"line(s) suppressed\n", rl->suppressed);
		rl->window = sec;
		rl->n = 0;
		rl->suppressed = 0;
	}
	if (rl->n >= HAVEN_LOG_BURST) {
		rl->suppressed++;
		return;
	}
	rl->n++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rte_log(level, haven_logtype, "haven: %s", line);
}

static long alloc_budget = -1;	/* < 0: never fail (tests set it) */

void
haven_alloc_fail_after(long n)
{
	alloc_budget = n;
}

void *
haven_zmalloc(const char *name, size_t size)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return rte_zmalloc(name, size, 0);
}

void
haven_free(void *p)
{
	rte_free(p);
}

/* ---------------------------------------------------------------------
 * Addresses
 */

struct haven_addr
haven_rt_ha_addr(uint8_t family)
{
	struct haven_addr none = { 0 };

	if (family == HAVEN_AF_INET)
		return haven_addr4(haven_rt.fp.ha_addr);
	if (family == HAVEN_AF_INET6 && haven_rt.fp6 != NULL)
		return haven_addr6(haven_rt.fp6->ha_addr);
	return none;
}

void
haven_rt_set_serving(bool serving, const struct rte_ether_addr *vmac)
{
	struct haven_fp_port *p;

	haven_rt.serving = serving;
	haven_rt.fp.ha_standby = !serving;
	if (haven_rt.fp.n_ports == 0)
		return;
	p = &haven_rt.fp.ports[haven_rt.fp.home_port];
	if (serving && vmac != NULL) {
		/* The address first, then the flag that makes it used. */
		rte_ether_addr_copy(vmac, &p->vmac);
		rte_atomic_thread_fence(__ATOMIC_RELEASE);
		/* A NIC filters: let the virtual MAC in (a vdev may not). */
		rte_eth_dev_mac_addr_add(p->port_id, &p->vmac, 0);
		p->vmac_on = true;
	} else if (p->vmac_on) {
		p->vmac_on = false;
		rte_eth_dev_mac_addr_remove(p->port_id, &p->vmac);
	}
}

bool
haven_rt_is_own_addr(const struct haven_addr *a)
{
	const struct haven_fp *fp = &haven_rt.fp;
	const struct haven_fp6 *fp6 = haven_rt.fp6;
	unsigned int i;

	if (a->family == HAVEN_AF_INET) {
		if (a->v4 == fp->ha_addr)
			return true;
		for (i = 0; i < fp->n_ports; i++)
			if (fp->ports[i].addr == a->v4)
				return true;
		return false;
	}
	if (a->family != HAVEN_AF_INET6 || fp6 == NULL)
		return false;
	if (memcmp(a->v6, fp6->ha_addr, 16) == 0)
		return true;
	for (i = 0; i < fp->n_ports; i++)
		if (fp6->port_has_addr[i] &&
		    memcmp(a->v6, fp6->port_addr[i], 16) == 0)
			return true;
	return false;
}

void
haven_rt_worker_stats(struct haven_worker_stats *sum)
{
	unsigned int w, d;

	memset(sum, 0, sizeof(*sum));
	for (w = 0; w < haven_rt.n_workers; w++) {
		const struct haven_worker_stats *s = &haven_rt.workers[w].stats;

		sum->rx_pkts += s->rx_pkts;
		sum->tx_pkts += s->tx_pkts;
		sum->encap_pkts += s->encap_pkts;
		sum->decap_pkts += s->decap_pkts;
		sum->proxy_arp += s->proxy_arp;
		sum->proxy_nd += s->proxy_nd;
		sum->icmp_echo += s->icmp_echo;
		sum->punted += s->punted;
		for (d = 0; d < HAVEN_DROP_MAX; d++)
			sum->drops[d] += s->drops[d];
	}
}

void
haven_rt_config_replace(struct haven_config *cfg)
{
	haven_config_free(&haven_rt.cfg);
	haven_rt.cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
}

