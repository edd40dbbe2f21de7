/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control loop on the main lcore: everything that may block or take
 * time lives here, never on a worker. Each turn it drains the punt ring
 * and hands every packet to the handler registered for its kind, runs the
 * rte_timer timers, calls the periodic functions that are due and the
 * pollers. When idle it sleeps a little (adaptive idle policy), so that
 * several appliances can share the lab's two cores. It calls modules only
 * through what they registered (loop.h).
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ring.h>
#include <rte_timer.h>
#include <rte_udp.h>

#include "haven_mip6.h"
#include "haven_nd.h"
#include "loop.h"
#include "rt.h"

#define LOOP_BURST 32			/**< punted packets per turn */
#define LOOP_TICK_MS 10			/**< resolution of haven_loop_every */
#define LOOP_MAX_PERIODIC 16		/**< periodic functions */
#define LOOP_MAX_POLLERS 8		/**< pollers */
#define LOOP_MAX_UDP4 8			/**< UDP ports with a handler */
#define LOOP_MAX_WATCHERS 4		/**< watchers of punted packets */
/*
 * Adaptive idle: an idle control lcore keeps polling for a while (a
 * registration that arrives then is answered at once), then sleeps a
 * little, then longer; any work resets it. The busy policy never sleeps.
 */
#define IDLE_SPIN_TURNS 2000		/**< empty turns before sleeping */
#define IDLE_SHORT_US 50		/**< first sleeps */
#define IDLE_LONG_TURNS 200		/**< short sleeps before long ones */
#define IDLE_LONG_US 1000		/**< sleep of a long idle control lcore */

/* Registrations (written at start-up by the modules, read by the loop). */
static haven_punt_fn punt_fns[HAVEN_PUNT_K_MAX];
static struct {
	uint16_t port;
	haven_punt_fn fn;
} udp4[LOOP_MAX_UDP4];
static unsigned int n_udp4;
static struct {
	const char *name;
	uint32_t period_ms;
	uint64_t next_ms;
	void (*fn)(uint64_t now_ms);
} periodic[LOOP_MAX_PERIODIC];
static unsigned int n_periodic;
static struct {
	const char *name;
	unsigned int (*fn)(void);
} pollers[LOOP_MAX_POLLERS];
static unsigned int n_pollers;
static uint64_t next_tick_ms;
static haven_punt_fn unclaimed_fn;
static void (*watchers[LOOP_MAX_WATCHERS])(const struct rte_mbuf *m);
static unsigned int n_watchers;
static struct haven_loop_stats stats;	/* writer: this file */

const struct haven_loop_stats *
haven_loop_stats(void)
{
	return &stats;
}

int
haven_loop_on_punt(enum haven_punt_kind kind, haven_punt_fn fn)
{
	if (kind >= HAVEN_PUNT_K_MAX)
		return -EINVAL;
	if (punt_fns[kind] != NULL)
		return -EEXIST;
	punt_fns[kind] = fn;
	return 0;
}

int
haven_loop_on_udp4(uint16_t port, haven_punt_fn fn)
{
	unsigned int i;

	for (i = 0; i < n_udp4; i++)
		if (udp4[i].port == port)
			return -EEXIST;
	if (n_udp4 == LOOP_MAX_UDP4)
		return -ENOSPC;
	udp4[n_udp4].port = port;
	udp4[n_udp4].fn = fn;
	n_udp4++;
	return 0;
}

void
haven_loop_off_udp4(uint16_t port)
{
	unsigned int i;

	for (i = 0; i < n_udp4; i++)
		if (udp4[i].port == port) {
			udp4[i] = udp4[--n_udp4];
			return;
		}
}

int
haven_loop_on_unclaimed(haven_punt_fn fn)
{
	if (unclaimed_fn != NULL)
		return -EEXIST;
	unclaimed_fn = fn;
	return 0;
}

int
haven_loop_watch(void (*fn)(const struct rte_mbuf *m))
{
	if (n_watchers == LOOP_MAX_WATCHERS)
		return -ENOSPC;
	watchers[n_watchers++] = fn;
	return 0;
}

int
haven_loop_every(const char *name, uint32_t period_ms,
		void (*fn)(uint64_t now_ms))
{
	if (n_periodic == LOOP_MAX_PERIODIC)
		return -ENOSPC;
	periodic[n_periodic].name = name;
	periodic[n_periodic].period_ms = period_ms;
	periodic[n_periodic].next_ms = 0;
	periodic[n_periodic].fn = fn;
	n_periodic++;
	return 0;
}

int
haven_loop_every_cancel(const char *name)
{
	unsigned int i;

	for (i = 0; i < n_periodic; i++)
		if (strcmp(periodic[i].name, name) == 0) {
			memmove(&periodic[i], &periodic[i + 1],
				sizeof(periodic[0]) * (n_periodic - i - 1));
			n_periodic--;
			return 0;
		}
	return -ENOENT;
}

int
haven_loop_poller(const char *name, unsigned int (*fn)(void))
{
	if (n_pollers == LOOP_MAX_POLLERS)
		return -ENOSPC;
	pollers[n_pollers].name = name;
	pollers[n_pollers].fn = fn;
	n_pollers++;
	return 0;
}

void
haven_loop_reset(void)
{
	memset(punt_fns, 0, sizeof(punt_fns));
	n_udp4 = n_periodic = n_pollers = n_watchers = 0;
	unclaimed_fn = NULL;
	next_tick_ms = 0;
}

/* ---------------------------------------------------------------------
 * Dispatch
 */

/* Nobody's: the unclaimed handler's, or freed. */
static void
unclaimed(struct rte_mbuf *m)
{
	if (unclaimed_fn != NULL)
		unclaimed_fn(m);
	else
		rte_pktmbuf_free(m);
}

static void
deliver(enum haven_punt_kind kind, struct rte_mbuf *m)
{
	if (punt_fns[kind] != NULL)
		punt_fns[kind](m);
	else
		unclaimed(m);
}

/*
 * An IPv4 UDP datagram to us: the handler of its destination port. A
 * datagram whose checksum is present (non-zero) and wrong is discarded
 * silently, whatever the port (RFC 5944 3.8.2.1 for registrations).
 */
static void
deliver_udp4(struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	const struct rte_udp_hdr *udp;
	size_t l4 = sizeof(struct rte_ether_hdr) + rte_ipv4_hdr_len(ip);
	uint16_t port;
	unsigned int i;

	if (rte_pktmbuf_data_len(m) < l4 + sizeof(*udp))
		goto drop;
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip +
			rte_ipv4_hdr_len(ip));
	if (udp->dgram_cksum != 0) {
		if (rte_be_to_cpu_16(udp->dgram_len) < sizeof(*udp) ||
		    l4 + rte_be_to_cpu_16(udp->dgram_len) >
				rte_pktmbuf_data_len(m) ||
		    rte_ipv4_udptcp_cksum_verify(ip, udp) != 0) {
			stats.udp_bad_checksum++;
			goto drop;
		}
	}
	port = rte_be_to_cpu_16(udp->dst_port);
	for (i = 0; i < n_udp4; i++)
		if (udp4[i].port == port) {
			udp4[i].fn(m);
			return;
		}
	unclaimed(m);
	return;
drop:
	rte_pktmbuf_free(m);
}

/*
 * Route a punted packet to the handler of its kind; each handler frees
 * it. Handlers see one contiguous segment.
 */
static void
dispatch(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const struct haven_ip6_hdr *ip6;
	const uint8_t *icmp;
	unsigned int i;

	if (rte_pktmbuf_linearize(m) != 0 ||
	    rte_pktmbuf_data_len(m) < sizeof(*eth)) {
		rte_pktmbuf_free(m);
		return;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	for (i = 0; i < n_watchers; i++)
		watchers[i](m);
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		if (HAVEN_PUNT_REASON(m) == HAVEN_PUNT_RESOLVE) {
			deliver(HAVEN_PUNT_K_RESOLVE6, m);
			return;
		}
		if (rte_pktmbuf_data_len(m) >= sizeof(*eth) + sizeof(*ip6) + 1) {
			ip6 = (const struct haven_ip6_hdr *)(eth + 1);
			icmp = (const uint8_t *)(ip6 + 1);
			if (ip6->proto == HAVEN_IPPROTO_ICMPV6 &&
			    (icmp[0] == HAVEN_ND_NS || icmp[0] == HAVEN_ND_NA)) {
				deliver(HAVEN_PUNT_K_ND, m);
				return;
			}
		}
		deliver(HAVEN_PUNT_K_IP6, m);
		return;
	}
	if (HAVEN_PUNT_REASON(m) == HAVEN_PUNT_RESOLVE) {
		deliver(HAVEN_PUNT_K_RESOLVE4, m);
		return;
	}
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		deliver(HAVEN_PUNT_K_ARP, m);
		return;
	}
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
	    rte_pktmbuf_data_len(m) >= sizeof(*eth) + sizeof(*ip)) {
		ip = (const struct rte_ipv4_hdr *)(eth + 1);
		if (ip->next_proto_id == IPPROTO_UDP) {
			deliver_udp4(m, ip);
			return;
		}
	}
	unclaimed(m);
}

/* ---------------------------------------------------------------------
 * The loop
 */

static void
run_periodic(uint64_t now)
{
	unsigned int i;

	for (i = 0; i < n_periodic; i++)
		if (now >= periodic[i].next_ms) {
			periodic[i].next_ms = now + periodic[i].period_ms;
			periodic[i].fn(now);
		}
}

unsigned int
haven_loop_turn(void)
{
	struct rte_mbuf *pkts[LOOP_BURST];
	unsigned int i, n, work;
	uint64_t now;

	n = rte_ring_dequeue_burst(haven_rt.fp.punt_ring, (void **)pkts,
			LOOP_BURST, NULL);
	for (i = 0; i < n; i++)
		dispatch(pkts[i]);
	work = n;
	rte_timer_manage();
	now = haven_now_ms();
	if (now >= next_tick_ms) {
		next_tick_ms = now + LOOP_TICK_MS;
		run_periodic(now);
	}
	for (i = 0; i < n_pollers; i++)
		work += pollers[i].fn();
	return work;
}

int
haven_loop_run(void)
{
	unsigned int idle = 0;

	while (!haven_rt.quit) {
		idle = haven_loop_turn() == 0 ? idle + 1 : 0;
		if (idle > IDLE_SPIN_TURNS && haven_rt.fp.idle_adaptive)
			usleep(idle > IDLE_SPIN_TURNS + IDLE_LONG_TURNS ?
				IDLE_LONG_US : IDLE_SHORT_US);
	}
	return 0;
}
