/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_FASTPATH_H
#define HAVEN_FASTPATH_H

/**
 * @file
 * The fast path: what worker lcores run, and the tables they read.
 *
 * A worker polls its RX queues and, per packet: answers proxy ARP for the
 * home addresses of away mobile nodes and ARP for the agent's own
 * addresses; answers ICMP echo to the agent; encapsulates packets for
 * bound home addresses toward every care-of address (IP-in-IP, minimal,
 * GRE, or IP in UDP to the NAT of a node behind one, RFC 3519) with the
 * home agent's address as outer source; decapsulates reverse-tunnelled
 * packets (RFC 3024; in UDP on port 434 from the binding's NAT address
 * and port) and delivers them on the home link; punts control traffic
 * (UDP 434 but tunnel data, RFC 3519 keepalives, ARP it does not answer,
 * packets whose next hop is unresolved) to the control lcore through a
 * ring; drops the rest with a counted reason. No locks, allocation from the heap, system
 * calls or logging per packet.
 *
 * The control lcore owns every table here and writes them; workers only
 * read (neighbour entries are published with release stores).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_rcu_qsbr.h>

#include "haven_binding.h"

#ifdef __cplusplus
extern "C" {
#endif

struct haven_fp6;

#define HAVEN_MAX_PORTS 4		/**< ports one agent drives */
#define HAVEN_MAX_WORKERS 16		/**< worker lcores */
#define HAVEN_MAX_RXQ_PER_WORKER 8	/**< RX queues one worker polls */
#define HAVEN_NEIGH_MAX 1024		/**< neighbour table entries */
#define HAVEN_OUTER_TTL HAVEN_BINDING_OUTER_TTL	/**< TTL of tunnel headers */
#define HAVEN_BURST 32			/**< packets per RX burst */
#define HAVEN_TX_BUFFER 32		/**< packets buffered per port before TX */
#define HAVEN_ICMP_RATE 100		/**< ICMP errors a second, per worker */
#define HAVEN_ICMP_BURST 10		/**< ... and at once (token bucket) */

/**
 * VRRP (RFC 5798): IP protocol 112 to 224.0.0.18 (IPv4) or ff02::12
 * (IPv6). Workers never act on it; they punt it to the control lcore,
 * which passes it to the Linux side of the port (the exception path, where
 * keepalived runs).
 */
#define HAVEN_IPPROTO_VRRP 112
#define HAVEN_VRRP_GROUP4 RTE_BE32(0xe0000012)	/**< 224.0.0.18 */

/**
 * Drop reasons, defined once: expands into the enum and the names.
 */
#define HAVEN_FOREACH_DROP(_)						\
	_(NOT_IPV4_OR_ARP, "not IPv4 or ARP")				\
	_(MALFORMED, "malformed header")				\
	_(TTL_EXPIRED, "TTL expired")					\
	_(NO_BINDING, "no binding for destination")			\
	_(NOT_FOR_US, "ARP or IP not for this agent")			\
	_(REVTUN_NO_BINDING, "reverse tunnel: unknown home address")	\
	_(REVTUN_BAD_SOURCE, "reverse tunnel: outer source not a CoA")	\
	_(REVTUN_NOT_ALLOWED, "reverse tunnel: T flag not set")		\
	_(REVTUN_BAD_CKSUM, "reverse tunnel: inner header checksum wrong") \
	_(FRAGMENT_MINIMAL, "fragment cannot use minimal encap")	\
	_(NO_ROUTE, "no route")						\
	_(NEIGH_UNRESOLVED, "next hop unresolved, punt ring full")	\
	_(PUNT_RING_FULL, "punt ring full")				\
	_(NO_MBUF, "mbuf pool empty")					\
	_(TOO_BIG, "encapsulated packet exceeds MTU")			\
	_(TX_FULL, "TX queue full")					\
	_(REG_SHED, "registration shed: guard's rate")			\
	_(REG_SHED_SOURCE, "registration shed: one source's rate")	\
	_(REG_SHED_BOUND, "registration shed: bound lane's rate")	\
	_(NA_UNSOLICITED, "Neighbor Advertisement of no concern")

/** Drop reasons. */
enum haven_drop {
#define HAVEN_DROP_ENUM(name, text) HAVEN_DROP_##name,
	HAVEN_FOREACH_DROP(HAVEN_DROP_ENUM)
#undef HAVEN_DROP_ENUM
	HAVEN_DROP_MAX
};

/** Readable name of a drop reason. */
const char *haven_drop_name(enum haven_drop d);

/**
 * Why a packet was punted: the low 8 bits of the mbuf's hash.usr.
 *
 * Every punted mbuf has m->port set to the DPDK port id it concerns: the
 * port it arrived on (CONTROL) or the port it must leave by (RESOLVE).
 *
 * A RESOLVE punt is a complete frame whose Ethernet source is the output
 * port's MAC and whose Ethernet destination is left zero. Bits 16..31 of
 * hash.usr hold the neighbour index (HAVEN_PUNT_NEIGH()), or
 * HAVEN_PUNT_NEIGH_NONE when no neighbour entry exists yet for the next
 * hop (a decapsulated packet toward a host never resolved); hash.fdir.hi
 * always holds the next-hop IPv4 address (NBO). The control lcore resolves
 * it (haven_neigh_get(), ARP), writes the destination MAC and transmits.
 * IPv6 punts (Ethernet type 0x86DD) differ for RESOLVE: the neighbour
 * index is in fp->fp6->neigh and hash.fdir.hi is 0 (haven_fastpath6.h).
 */
enum haven_punt_reason {
	HAVEN_PUNT_CONTROL = 0,		/**< UDP 434, ARP, other to the agent */
	HAVEN_PUNT_RESOLVE,		/**< ready to send, next hop unresolved */
};

#define HAVEN_PUNT_NEIGH_NONE 0xffff	/**< RESOLVE without neighbour entry */

/** Reason of a punted mbuf (enum haven_punt_reason). */
#define HAVEN_PUNT_REASON(m) ((m)->hash.usr & 0xff)
/** Neighbour index of a RESOLVE punt, or HAVEN_PUNT_NEIGH_NONE. */
#define HAVEN_PUNT_NEIGH(m) ((m)->hash.usr >> 16)
/** Next hop (NBO) of a RESOLVE punt. */
#define HAVEN_PUNT_NEXT_HOP(m) ((m)->hash.fdir.hi)

/**
 * One neighbour: IPv4 address -> Ethernet address on a port.
 *
 * fp->neigh is an open-addressing table of HAVEN_NEIGH_MAX entries (zeroed
 * at start) probed linearly from a hash of the address; it is written only
 * through haven_neigh_get() and haven_neigh_update(), entries never move
 * and are never freed, so an index stays valid for the life of the table.
 */
struct haven_neigh {
	uint32_t ip;			/**< NBO */
	struct rte_ether_addr mac;	/**< valid when state is REACHABLE */
	uint8_t port;			/**< index in fp->ports it lives on */
	volatile uint8_t state;		/**< enum haven_neigh_state */
};

enum haven_neigh_state {
	HAVEN_NEIGH_FREE = 0,
	HAVEN_NEIGH_INCOMPLETE,		/**< ARP request sent, no answer yet */
	HAVEN_NEIGH_REACHABLE,		/**< mac valid */
	HAVEN_NEIGH_DELETED,		/**< tombstone: readers probe past it */
	HAVEN_NEIGH_RECYCLED,		/**< tombstone past its grace period:
					  * haven_neigh_get() may reuse it */
};

/**
 * A port as the fast path sees it.
 *
 * Two Ethernet addresses: the port's own (mac, always received; ARP
 * replies for the port's own address carry it) and, on the home port of
 * the active primary of a pair, the VRRP virtual MAC (RFC 5798 7.3) that
 * moves with the home agent address between the pair: while vmac_on it
 * is received too and is the source of every frame the agent sends about
 * the home agent or a mobile node (haven_fp_port_mac()). The control
 * lcore writes vmac before it sets vmac_on; workers read vmac_on first.
 */
struct haven_fp_port {
	uint16_t port_id;			/**< DPDK port */
	struct rte_ether_addr mac;		/**< its own address */
	uint32_t addr;				/**< interface address (NBO) */
	uint32_t mask;				/**< subnet mask (NBO) */
	uint16_t mtu;				/**< L3 MTU */
	bool tx_ip_cksum;			/**< IPv4 checksum offload */
	volatile bool vmac_on;			/**< vmac in use (active primary) */
	struct rte_ether_addr vmac;		/**< VRRP virtual MAC */
};

/**
 * The Ethernet address the agent speaks with on a port: the virtual MAC
 * while the port holds it, else the port's own.
 */
static inline const struct rte_ether_addr *
haven_fp_port_mac(const struct haven_fp_port *p)
{
	return p->vmac_on ? &p->vmac : &p->mac;
}

/** True if frames to (or from) mac are this port's own. */
static inline bool
haven_fp_port_is_ours(const struct haven_fp_port *p,
		const struct rte_ether_addr *mac)
{
	return rte_is_same_ether_addr(mac, &p->mac) ||
		(p->vmac_on && rte_is_same_ether_addr(mac, &p->vmac));
}

/** Per-worker statistics: plain increments by the owner only. */
struct haven_worker_stats {
	uint64_t rx_pkts;
	uint64_t tx_pkts;
	uint64_t encap_pkts;
	uint64_t decap_pkts;
	uint64_t proxy_arp;
	uint64_t icmp_echo;
	uint64_t punted;
	uint64_t drops[HAVEN_DROP_MAX];
	uint64_t proxy_nd;	/**< proxy Neighbor Advertisements (IPv6) */
	uint64_t reg_bound;	/**< registrations in the bound lane */
	uint64_t reg_new;	/**< registrations let through the guard */
	uint64_t icmp_errors;	/**< ICMP / ICMPv6 errors sent */
	uint64_t icmp_limited;	/**< ... not sent: over the rate limit */
} __rte_cache_aligned;

/**
 * The registration guard (issue 10, docs/security.md): registration
 * requests (UDP 434 to the agent, Mobile IPv6 Binding Updates) are
 * metered by the workers before they reach the control lcore, in two
 * lanes. A request whose home address is bound with the request's source
 * as care-of address (a refresh, a deregistration) takes the *bound*
 * lane: fp->reg_ring, which the control lcore drains first, metered by
 * one rate. Any other request takes the *new* lane, the punt ring,
 * metered per source address and in total. Each meter is a GCRA
 * (virtual scheduling form of a token bucket): one theoretical arrival
 * time; a request conforms when it is at most tau ahead of now, and
 * moves it on by one interval. An interval of 0 turns the meter off.
 * Intervals are TSC cycles per request, tau = interval x (burst - 1);
 * every worker has its own meters. Written by the control lcore at start
 * and reload (single aligned words), read by the workers.
 */
struct haven_reg_guard {
	uint64_t new_interval, new_tau;		/**< the new lane in total */
	uint64_t source_interval, source_tau;	/**< one source address */
	uint64_t bound_interval, bound_tau;	/**< the bound lane */
};

/** Source addresses a worker meters at once (direct-mapped, evicting). */
#define HAVEN_REG_SOURCES 256

/** A worker's meters of the guard (worker-private). */
struct haven_reg_meters {
	uint64_t new_tat;			/**< new lane, in total */
	uint64_t bound_tat;			/**< bound lane */
	struct {
		uint8_t addr[16];		/**< IPv4: first 4 bytes */
		uint64_t tat;
	} source[HAVEN_REG_SOURCES];
};

/**
 * Set the guard's meters from rates a second (0: that meter off) and
 * bursts. Each worker meters what it receives with these rates: with RSS
 * on the destination address (the home link, haven_fastpath.h) every
 * request to the agent's address reaches one worker; spread over n
 * workers, up to n times the rates pass. Control lcore.
 */
void haven_reg_guard_set(struct haven_reg_guard *g, uint32_t rate,
		uint32_t burst, uint32_t source_rate, uint32_t source_burst,
		uint32_t bound_rate, uint32_t bound_burst);

/**
 * Where a worker's time goes (the console's show runtime), in the way of
 * VPP's show runtime: counted by the worker itself with one rte_rdtsc()
 * per turn of its loop (haven_worker_turn()), plain stores by the owner
 * only, read by the control lcore with plain loads. A turn polls every RX
 * queue of the worker once, processes what came and flushes TX.
 */
struct haven_worker_runtime {
	uint64_t start_tsc;	/**< TSC when the loop started; 0: not yet */
	uint64_t now_tsc;	/**< TSC at the end of the last turn */
	uint64_t turns;		/**< turns of the loop */
	uint64_t bursts;	/**< RX bursts that brought packets */
	uint64_t busy_cycles;	/**< TSC cycles of the turns that brought
				  * packets (RX, processing, TX) */
};

/**
 * What a worker did with the packets of one port (its input): plain
 * increments by the owner, once per burst (haven_worker_process_burst()).
 */
struct haven_worker_port_stats {
	uint64_t rx;		/**< packets received */
	uint64_t encap;		/**< tunnelled (one per care-of address) */
	uint64_t decap;		/**< reverse-tunnelled, decapsulated */
	uint64_t proxy;		/**< proxy ARP and proxy NA replies */
	uint64_t punted;	/**< handed to the control lcore */
	uint64_t dropped;	/**< dropped in the burst, any reason */
};

/** State shared by every lcore; built by the control lcore at start. */
struct haven_fp {
	struct haven_fp_port ports[HAVEN_MAX_PORTS];
	unsigned int n_ports;
	unsigned int home_port;			/**< index of the home link */
	uint32_t ha_addr;			/**< home agent address (NBO) */
	/**
	 * The home agent address (both families) belongs to the other
	 * primary of a pair for now (this one is its standby, or neither):
	 * workers neither answer ARP / ND for it nor take traffic to it.
	 * Written by the control lcore, read by workers.
	 */
	volatile bool ha_standby;
	struct haven_binding_table *bindings;
	struct haven_neigh *neigh;		/**< HAVEN_NEIGH_MAX entries */
	struct rte_lpm *routes;			/**< prefix -> route index */
	uint32_t *route_gw;			/**< route index -> gateway (0: connected) */
	uint8_t *route_port;			/**< route index -> index in ports[] */
	bool has_default_route;			/**< 0.0.0.0/0 configured */
	uint32_t default_route;			/**< its route index (rte_lpm has no /0) */
	struct rte_ring *punt_ring;		/**< workers -> control (MP/SC) */
	/**
	 * Registration requests of the guard's bound lane, workers ->
	 * control (MP/SC), drained before punt_ring; NULL: they take
	 * punt_ring.
	 */
	struct rte_ring *reg_ring;
	struct haven_reg_guard reg_guard;	/**< control writes, workers read */
	struct rte_mempool *pool;		/**< mbufs for copies */
	struct rte_rcu_qsbr *qsbr;		/**< binding table readers */
	bool idle_adaptive;			/**< sleep when idle */
	volatile bool *quit;			/**< set to stop every lcore */
	/** IPv6 side (haven_fastpath6.h); NULL: IPv6 off, every IPv6
	 * frame dropped as HAVEN_DROP_NOT_IPV4_OR_ARP. */
	struct haven_fp6 *fp6;
	/**
	 * ICMP and ICMPv6 errors (fragmentation needed, Time Exceeded,
	 * Packet Too Big) a worker sends: a token bucket per worker of
	 * icmp_burst tokens refilled at icmp_rate a second (RFC 4443
	 * 2.4(f), RFC 1812 4.3.2.8); 0: HAVEN_ICMP_RATE, HAVEN_ICMP_BURST.
	 * Set before the workers start.
	 */
	uint32_t icmp_rate;
	uint32_t icmp_burst;			/**< see icmp_rate */
};

/** What one worker lcore polls and owns. */
struct haven_worker {
	struct haven_fp *fp;
	unsigned int id;			/**< 0..n_workers-1, RCU thread id */
	unsigned int n_rxq;
	struct {
		uint16_t port;			/**< index in fp->ports */
		uint16_t queue;
	} rxq[HAVEN_MAX_RXQ_PER_WORKER];
	uint16_t txq;				/**< this worker's TX queue, every port */
	struct haven_binding_counters *counters;	/**< this worker's row */
	struct haven_worker_stats stats;
	struct haven_worker_runtime runtime;	/**< show runtime */
	/** Per input port (index in fp->ports), for show ports. */
	struct haven_worker_port_stats port_stats[HAVEN_MAX_PORTS];
	/* Worker-private state below: zero it before launch. */
	uint16_t ip_id;				/**< next outer IP identification */
	uint64_t icmp_credit;			/**< ICMP bucket, TSC cycles */
	uint64_t icmp_tsc;			/**< ... as of this TSC */
	struct {
		uint16_t n;
		struct rte_mbuf *pkts[HAVEN_TX_BUFFER];
	} tx[HAVEN_MAX_PORTS];			/**< TX buffer per port index */
	/**
	 * This worker's row of fp->fp6->bindings (IPv6), or NULL; set it
	 * before launch. Last, so that IPv4's hot fields keep their lines.
	 */
	struct haven_binding_counters *counters6;
	/** Registration guard's meters (worker-private: zero at launch). */
	struct haven_reg_meters reg;
} __rte_cache_aligned;

/**
 * Worker lcore main loop (rte_eal_remote_launch() argument: a struct
 * haven_worker). Returns when *fp->quit becomes true.
 */
int haven_worker_main(void *arg);

/**
 * Process one burst as a worker would: exposed for tests and benchmarks,
 * which feed it packets without a port. Transmission is buffered per port:
 * call haven_worker_flush() afterwards (haven_worker_main() does it on
 * every loop). The caller must be an RCU reader of fp->qsbr, or no binding
 * may be removed meanwhile.
 *
 * @param port  index in fp->ports the packets arrived on.
 * @param n     at most HAVEN_BURST.
 * @return packets handed to TX.
 */
uint16_t haven_worker_process_burst(struct haven_worker *w, uint16_t port,
		struct rte_mbuf **pkts, uint16_t n);

/** Flush buffered TX of a worker on every port. */
void haven_worker_flush(struct haven_worker *w);

/** haven_worker_turn() is there (haven-bench's loop counts as ours). */
#define HAVEN_WORKER_RUNTIME 1

/**
 * The end of a turn of a worker's loop (struct haven_worker_runtime):
 * the cycles since *t are busy when the turn brought packets; *t becomes
 * now. haven_worker_main() calls it, and so may a benchmark that runs
 * the same loop. Set *t = rte_rdtsc() after an idle sleep.
 *
 * @param w       the worker.
 * @param t       TSC at the end of the previous turn (or the start).
 * @param bursts  RX bursts of this turn that brought packets.
 */
static inline void
haven_worker_turn(struct haven_worker *w, uint64_t *t, unsigned int bursts)
{
	struct haven_worker_runtime *r = &w->runtime;
	uint64_t now = rte_rdtsc();

	r->turns++;
	if (bursts != 0) {
		r->bursts += bursts;
		r->busy_cycles += now - *t;
	}
	r->now_tsc = now;
	*t = now;
}

/* ---- neighbour table: control lcore writes, workers read ---- */

/** Find a neighbour's index by address; -1 if absent. Control only. */
int haven_neigh_find(const struct haven_fp *fp, uint32_t ip);

/**
 * Find or create a neighbour entry (INCOMPLETE when new).
 * @return index, or -ENOSPC.
 */
int haven_neigh_get(struct haven_fp *fp, uint32_t ip, uint8_t port);

/** Record a resolved address; publishes mac before the state. */
void haven_neigh_update(struct haven_fp *fp, int idx,
		const struct rte_ether_addr *mac);

/**
 * Delete a live entry: it becomes a tombstone that readers probe past
 * and that haven_neigh_get() does not reuse yet. Control only.
 */
void haven_neigh_delete(struct haven_fp *fp, int idx);

/**
 * A deleted entry whose grace period has passed (no reader can still use
 * its index): haven_neigh_get() may give it to another address.
 */
void haven_neigh_recycle(struct haven_fp *fp, int idx);

/**
 * Next hop toward dst: the route's gateway, or dst itself on a connected
 * subnet. @return 0 and fills *nh and *port_idx, or -ENETUNREACH.
 */
int haven_route_lookup(const struct haven_fp *fp, uint32_t dst,
		uint32_t *nh, uint8_t *port_idx);

/* ---- packet builders shared by control and workers ---- */

/**
 * Build an ARP packet in m (which must be empty).
 *
 * @param op   RTE_ARP_OP_REQUEST or RTE_ARP_OP_REPLY.
 * @param dst  Ethernet destination (broadcast for requests, gratuitous).
 * @param sha  sender hardware address; spa sender IP (NBO).
 * @param tha  target hardware address; tpa target IP (NBO).
 */
void haven_build_arp(struct rte_mbuf *m, uint16_t op,
		const struct rte_ether_addr *src, const struct rte_ether_addr *dst,
		const struct rte_ether_addr *sha, uint32_t spa,
		const struct rte_ether_addr *tha, uint32_t tpa);

/**
 * Build a gratuitous ARP for ip with hardware address mac (an ARP request
 * with sender and target IP both ip, RFC 5944 section 4.6).
 */
void haven_build_gratuitous_arp(struct rte_mbuf *m,
		const struct rte_ether_addr *mac, uint32_t ip);

/**
 * Build a UDP/IPv4/Ethernet packet with payload, checksums computed in
 * software (control-plane use: registration replies).
 *
 * @return 0, or -ENOSPC.
 */
int haven_build_udp(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, uint32_t src_ip,
		uint32_t dst_ip, uint16_t sport, uint16_t dport,
		const void *payload, uint16_t len);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_FASTPATH_H */
