/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control loop, on the main lcore: everything that may block or take
 * time lives here, never on a worker. Each turn it drains the punt ring
 * (registrations, ARP, packets waiting for a next hop, and their IPv6
 * counterparts: Binding Updates, Neighbor Discovery), runs the timers
 * (lifetimes, gratuitous ARP repeats), retries neighbour resolution,
 * reclaims binding records whose grace period ended, serves telemetry
 * requests and polls the consoles. When idle it sleeps a little, so that
 * several appliances can share the lab's two cores.
 */

#include <ctype.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_timer.h>
#include <rte_udp.h>

#include "haven.h"
#include "haven6.h"

#define CTL_TICK_MS 10		/**< resolution retries and reclamation */
/*
 * Adaptive idle: an idle control lcore keeps polling for a while (a
 * registration that arrives then is answered at once), then sleeps a
 * little, then longer; any work resets it. The busy policy never sleeps.
 */
#define CTL_IDLE_SPIN_TURNS 2000	/**< empty turns before sleeping */
#define CTL_IDLE_SHORT_US 50		/**< first sleeps */
#define CTL_IDLE_LONG_TURNS 200		/**< short sleeps before long ones */
#define CTL_IDLE_LONG_US 1000		/**< sleep of a long idle control lcore */

const char *
haven_encap_name(uint8_t encap)
{
	switch (encap) {
	case HAVEN_ENCAP_IPIP:
		return "ipip";
	case HAVEN_ENCAP_MINIMAL:
		return "minimal";
	case HAVEN_ENCAP_GRE:
		return "gre";
	}
	return "?";
}

void
haven_worker_stats_sum(const struct haven_app *app,
		struct haven_worker_stats *sum)
{
	unsigned int w, d;

	memset(sum, 0, sizeof(*sum));
	for (w = 0; w < app->n_workers; w++) {
		const struct haven_worker_stats *s = &app->workers[w].stats;

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

/* Drop reason keys for telemetry and the console: "no_binding". */
const char *
haven_drop_key(unsigned int reason)
{
#define HAVEN_DROP_KEY(name, text) #name,
	static const char *const upper[] = {
		HAVEN_FOREACH_DROP(HAVEN_DROP_KEY)
	};
#undef HAVEN_DROP_KEY
	static char lower[HAVEN_DROP_MAX][32];
	unsigned int i;

	if (reason >= HAVEN_DROP_MAX)
		return "?";
	if (lower[reason][0] == '\0')
		for (i = 0; upper[reason][i] != '\0' && i < 31; i++)
			lower[reason][i] = tolower((unsigned char)upper[reason][i]);
	return lower[reason];
}

/* A delegation datagram: hand its payload to delegation.c. */
static void
deleg_input(struct haven_app *app, struct rte_mbuf *m,
		const struct rte_ipv4_hdr *ip, const struct rte_udp_hdr *udp)
{
	size_t off = (const uint8_t *)(udp + 1) -
		rte_pktmbuf_mtod(m, const uint8_t *);
	size_t len = rte_be_to_cpu_16(udp->dgram_len);

	if (len >= sizeof(*udp) && off + len - sizeof(*udp) <=
			rte_pktmbuf_data_len(m))
		haven_deleg_input(app, ip->src_addr,
			(const uint8_t *)(udp + 1), len - sizeof(*udp));
	else
		app->deleg_rejected++;
	rte_pktmbuf_free(m);
}

/*
 * An IPv6 frame: one waiting for its next hop, Neighbor Discovery (NS or
 * NA right after the IPv6 header), or anything else to the agent
 * (Binding Updates, packets with a Home Address option).
 */
static void
dispatch6(struct haven_app *app, struct rte_mbuf *m)
{
	const struct haven_ip6_hdr *ip;
	const uint8_t *icmp;

	if (app->ip6 == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	if (HAVEN_PUNT_REASON(m) == HAVEN_PUNT_RESOLVE) {
		haven_ctl_send_ip6(app, m);
		return;
	}
	if (rte_pktmbuf_data_len(m) >= sizeof(struct rte_ether_hdr) +
			sizeof(*ip) + 1) {
		ip = rte_pktmbuf_mtod_offset(m, const struct haven_ip6_hdr *,
				sizeof(struct rte_ether_hdr));
		icmp = (const uint8_t *)(ip + 1);
		if (ip->proto == HAVEN_IPPROTO_ICMPV6 &&
		    (icmp[0] == HAVEN_ND_NS || icmp[0] == HAVEN_ND_NA)) {
			haven_ctl_nd_input(app, m);
			return;
		}
	}
	haven_ip6_input(app, m);
}

/* Route a punted packet to its handler; each handler frees it. */
static void
dispatch(struct haven_app *app, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;

	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		dispatch6(app, m);
		return;
	}
	if (HAVEN_PUNT_REASON(m) == HAVEN_PUNT_RESOLVE) {
		haven_ctl_resolve_punt(app, m);
		return;
	}
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		haven_ctl_arp_input(app, m);
		return;
	}
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
	    rte_pktmbuf_data_len(m) >= sizeof(*eth) + sizeof(*ip)) {
		ip = (const struct rte_ipv4_hdr *)(eth + 1);
		if (ip->next_proto_id == IPPROTO_UDP &&
		    rte_pktmbuf_data_len(m) >= sizeof(*eth) +
				rte_ipv4_hdr_len(ip) + sizeof(*udp)) {
			udp = (const struct rte_udp_hdr *)
				((const uint8_t *)ip + rte_ipv4_hdr_len(ip));
			if (udp->dst_port == RTE_BE16(HAVEN_MIP4_UDP_PORT) &&
			    app->cfg.has_home_agent) {
				haven_registration_input(app, m);
				return;
			}
			if (app->cfg.delegation.enabled &&
			    udp->dst_port == rte_cpu_to_be_16(
					app->cfg.delegation.port)) {
				deleg_input(app, m, ip, udp);
				return;
			}
		}
	}
	rte_pktmbuf_free(m);
}

int
haven_control_loop(struct haven_app *app)
{
	struct rte_mbuf *pkts[HAVEN_CTL_BURST];
	uint64_t tick = rte_get_timer_hz() * CTL_TICK_MS / 1000;
	uint64_t next_tick = rte_get_timer_cycles() + tick;
	unsigned int i, n, idle = 0;

	while (!app->quit) {
		n = rte_ring_dequeue_burst(app->fp.punt_ring, (void **)pkts,
				HAVEN_CTL_BURST, NULL);
		for (i = 0; i < n; i++)
			dispatch(app, pkts[i]);
		rte_timer_manage();
		if (rte_get_timer_cycles() >= next_tick) {
			haven_resolve_tick(app);
			haven_resolve6_tick(app);
			haven_deleg_tick(app);
			haven_binding_reclaim(app->fp.bindings);
			if (app->ip6 != NULL)
				haven_binding6_reclaim(app->ip6->fp6.bindings);
			next_tick = rte_get_timer_cycles() + tick;
		}
		if (app->reload_requested) {
			char err[512];

			app->reload_requested = false;
			haven_reload(app, err, sizeof(err));
		}
		haven_telemetry_serve(app);
		haven_console_poll(app);
		idle = n == 0 ? idle + 1 : 0;
		if (idle > CTL_IDLE_SPIN_TURNS && app->fp.idle_adaptive)
			usleep(idle > CTL_IDLE_SPIN_TURNS + CTL_IDLE_LONG_TURNS ?
				CTL_IDLE_LONG_US : CTL_IDLE_SHORT_US);
	}
	return 0;
}
