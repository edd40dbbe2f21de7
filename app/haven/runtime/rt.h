/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_RT_H
#define HAVEN_RT_H

/**
 * @file
 * The runtime: the bottom layer of the haven application. It holds what
 * every other layer stands on and nothing about Mobile IP: the loaded
 * configuration, the ports, the tables the workers read (struct haven_fp),
 * the workers themselves, the control lcore's transmit queue, the clock
 * and the log type. Layers above (link, node, protocols, policy, operator
 * surfaces) call down into it; it never calls up (docs/architecture.md).
 *
 * One instance, haven_rt, built by haven_rt_start() and torn down by
 * haven_rt_stop(); each member says which module writes it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>
#include <rte_mbuf.h>

#include "haven_addr.h"
#include "haven_config.h"
#include "haven_fastpath.h"
#include "haven_fastpath6.h"

extern int haven_logtype;
#define HAVEN_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, haven_logtype, "haven: " __VA_ARGS__)

/**
 * A log line that a network peer can make us write, rate limited per call
 * site: at most HAVEN_LOG_BURST a second, then one line saying how many
 * were suppressed. State of one call site (zeroed: a fresh site).
 */
struct haven_ratelimit {
	uint64_t window;		/**< second of the current window */
	uint32_t n;			/**< lines written in it */
	uint32_t suppressed;		/**< lines not written since */
};
#define HAVEN_LOG_BURST 10		/**< lines a second per call site */

/** Write a rate-limited log line (level RTE_LOG_*) for site rl. */
void haven_log_limited(struct haven_ratelimit *rl, uint32_t level,
		const char *fmt, ...) __rte_format_printf(3, 4);

/** HAVEN_LOG() rate limited at its call site. */
#define HAVEN_LOG_LIMITED(level, ...) do {				\
	static struct haven_ratelimit _rl;				\
	haven_log_limited(&_rl, RTE_LOG_ ## level, __VA_ARGS__);	\
} while (0)

/** printf format and arguments of an IPv4 address in network byte order. */
#define HAVEN_IP4_FMT "%u.%u.%u.%u"
#define HAVEN_IP4_ARGS(a) \
	((const uint8_t *)&(a))[0], ((const uint8_t *)&(a))[1], \
	((const uint8_t *)&(a))[2], ((const uint8_t *)&(a))[3]

#define HAVEN_MBUFS 8191		/**< mbufs in the pool */
#define HAVEN_MBUF_CACHE 256		/**< per-lcore mempool cache */
#define HAVEN_PUNT_RING 1024		/**< workers -> control lcore */

/** Control-lcore transmit counters (runtime only). */
struct haven_rt_stats {
	uint64_t tx_dropped;		/**< control TX queue full */
};

/** The runtime. */
struct haven_rt {
	/** The configuration in force. Writer: the reload module's commit
	 * (haven_rt_config_replace()); everyone else reads. */
	struct haven_config cfg;
	/** What the workers read. Writer: the runtime at start; the
	 * neighbour entries in it: the link layer; binding tables: the
	 * node layer. */
	struct haven_fp fp;
	/** The IPv6 side of fp, or NULL without IPv6 (fp.fp6 too).
	 * Writer: as fp. */
	struct haven_fp6 *fp6;
	/** Worker contexts, one per worker lcore. Writer: the runtime. */
	struct haven_worker *workers;
	unsigned int n_workers;
	uint16_t ctl_txq;			/**< control lcore's TX queue */
	uint16_t n_rxq[HAVEN_MAX_PORTS];	/**< RX queues of each port */
	struct haven_rt_stats stats;		/**< writer: the runtime */
	/** Set to stop every lcore. Writers: the signal handler, the
	 * console's shutdown. */
	volatile bool quit;
	uint64_t started_us;			/**< wall clock at start */
	/**
	 * This agent holds the home agent address now: a lone primary
	 * always; of an active/standby pair, only the active. While false
	 * the registration modules answer nothing and the workers leave the
	 * address to the other primary (fp.ha_standby). Writer: the
	 * redundancy module, through haven_rt_set_serving().
	 */
	bool serving;
};

/** The runtime instance. */
extern struct haven_rt haven_rt;

/**
 * Build the runtime from a loaded configuration, after rte_eal_init():
 * RCU variable, binding tables, routes, IPv6 tables, mbuf pool, ports,
 * punt ring and worker contexts. Workers are not launched
 * (haven_rt_launch_workers()).
 * @return 0, or -errno (the step that failed is logged).
 */
int haven_rt_start(void);

/** Launch one worker per worker lcore. @return 0 or -errno. */
int haven_rt_launch_workers(void);

/** Stop the workers (quit), wait for them, close the ports, free tables. */
void haven_rt_stop(void);

/**
 * Remove the hugepage files of this process (file_prefix) from every
 * hugetlbfs mount: call after rte_eal_cleanup() at a clean stop.
 */
void haven_rt_release_hugepages(const char *file_prefix);

/** True when IPv6 is configured (fp6 exists). */
static inline bool
haven_rt_has_ip6(void)
{
	return haven_rt.fp6 != NULL;
}

/**
 * The home agent address of a family (the outer source of tunnels, claim
 * 5 of EP 1134991): home_agent.address, or address6 (a pure secondary:
 * its first port's address6).
 */
struct haven_addr haven_rt_ha_addr(uint8_t family);

/** Index of the home link port in fp.ports. */
static inline unsigned int
haven_rt_home_port(void)
{
	return haven_rt.fp.home_port;
}

/**
 * MAC address the agent speaks with on port index p: the VRRP virtual MAC
 * while the active primary of a pair holds it there, else the port's own.
 */
static inline const struct rte_ether_addr *
haven_rt_port_mac(unsigned int p)
{
	return haven_fp_port_mac(&haven_rt.fp.ports[p]);
}

/**
 * Take (serving) or leave the home agent address: workers answer ARP /
 * ND for it and take traffic to it, or leave it to the other primary;
 * with vmac (not NULL) the home port receives and speaks with that
 * virtual MAC while serving (RFC 5798 7.3), else with its own.
 */
void haven_rt_set_serving(bool serving, const struct rte_ether_addr *vmac);

/**
 * True if addr is one of this agent's own addresses (the home agent
 * address or a port's address, of its family).
 */
bool haven_rt_is_own_addr(const struct haven_addr *addr);

/**
 * Send one packet on the control lcore's TX queue of port index p; a full
 * queue drops it (counted in stats.tx_dropped).
 */
void haven_rt_tx(unsigned int p, struct rte_mbuf *m);

/** An mbuf from the pool, or NULL. */
static inline struct rte_mbuf *
haven_rt_mbuf(void)
{
	return rte_pktmbuf_alloc(haven_rt.fp.pool);
}

/**
 * Replace the configuration in force by *cfg (moved: *cfg is zeroed) and
 * release the old one. Only the reload module's commit calls this, after
 * every module has committed.
 */
void haven_rt_config_replace(struct haven_config *cfg);

/**
 * Sum the workers' statistics (read while they run: plain loads).
 */
void haven_rt_worker_stats(struct haven_worker_stats *sum);

/* ---------------------------------------------------------------------
 * Clock
 */

/** Monotonic milliseconds (TSC based), the clock of every module. */
uint64_t haven_now_ms(void);

/** Wall clock, microseconds since the Unix epoch. */
uint64_t haven_wall_us(void);

/* ---------------------------------------------------------------------
 * Allocation
 */

/**
 * Zeroed memory from the DPDK heap for control-plane state, or NULL.
 * Every allocation of the application's modules goes through here so
 * that tests can make the n-th one fail (haven_alloc_fail_after()).
 */
void *haven_zmalloc(const char *name, size_t size);

/** Free what haven_zmalloc() gave; NULL is a no-op. */
void haven_free(void *p);

/**
 * Tests: let n more allocations succeed, then fail every one until called
 * again with a negative n (never fail).
 */
void haven_alloc_fail_after(long n);

#endif /* HAVEN_RT_H */
