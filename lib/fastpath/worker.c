/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker lcores' fast path: the poll loop and the per-burst pipeline.
 *
 * A burst goes through two passes, after l3fwd and VPP's gtpu nodes.
 * Pass 1 (classify) prefetches packet i+1 while it validates packet i's
 * headers and decides what it is (ARP, ICMP echo to the agent, tunnel to
 * decapsulate, packet to encapsulate, control traffic, drop), collecting
 * the home address each one needs into one key array; consecutive equal
 * keys share an entry (the "last key" of gtpu_decap.c). One bulk lookup
 * of the binding table follows. Pass 2 (act) rewrites each mbuf in place
 * and hands it to a per-port TX buffer or the punt list; TX buffers are
 * flushed when full and at the end of every loop, punts are enqueued once
 * per burst. Binding records are only used until the next quiescent
 * report, which the loop makes between bursts, so nothing caches them
 * across bursts.
 *
 * Mobile nodes behind a NAT (RFC 3519) are one more encapsulation:
 * HAVEN_ENCAP_UDP bindings are tunnelled in UDP from the agent's port 434
 * to the NAT's address and port, and what they send back arrives on port
 * 434 as MIP Tunnel Data (first octet 4, where registrations have 1):
 * decapsulated here like IP in IP, from the binding's NAT address and
 * port only; a keepalive (tunnel data for the agent itself) is punted.
 *
 * No locks, no allocation but mbufs, no system call except the adaptive
 * idle sleep, no logging: every outcome is a counter in w->stats.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "haven_fastpath.h"
#include "fastpath_private.h"
#include "encap_private.h"
#include "fastpath6_private.h"

#define MIP_UDP_PORT 434		/* Mobile IP registration (RFC 5944) */
#define ICMP_ECHO_REPLY 0
#define ICMP_UNREACH 3
#define ICMP_UNREACH_NEEDFRAG 4		/* fragmentation needed, DF set */
#define ICMP_ECHO_REQUEST 8
#define ICMP_HLEN 8
#define ICMP_QUOTE 8			/* payload bytes quoted (RFC 792) */
#define LOCAL_TTL 64			/* TTL of datagrams we originate */

#define IDLE_POLLS_BEFORE_SLEEP 100	/* empty polls before the first nap */
#define IDLE_SLEEP_MIN_US 10		/* first nap; doubles each time */
#define IDLE_SLEEP_MAX_US 500		/* longest nap: bounds added latency */

/* Most packets one input packet becomes (one copy per care-of address). */
#define PUNT_MAX (HAVEN_BURST * HAVEN_BINDING_MAX_COA)

#define NO_KEY UINT8_MAX

static const char *const drop_names[] = {
#define HAVEN_DROP_NAME(name, text) [HAVEN_DROP_##name] = text,
	HAVEN_FOREACH_DROP(HAVEN_DROP_NAME)
#undef HAVEN_DROP_NAME
};

const char *
haven_drop_name(enum haven_drop d)
{
	if ((unsigned int)d >= HAVEN_DROP_MAX)
		return "unknown";
	return drop_names[d];
}

/* ------------------------------------------------------------------ */
/* Per-burst state                                                     */
/* ------------------------------------------------------------------ */

/* What pass 2 does with a packet. */
enum fp_action {
	ACT_DROP,
	ACT_PUNT,		/* control traffic, to the control lcore */
	ACT_ARP,		/* answer, punt or drop: needs the target's binding */
	ACT_ECHO,		/* ICMP echo request to the agent */
	ACT_ENCAP,		/* to a home address: needs the destination's binding */
	ACT_DECAP,		/* reverse tunnel: needs the inner source's binding */
	ACT_IPV6,		/* IPv6, per packet: worker6.c */
};

/* Pass 1's verdict on one packet. */
struct fp_meta {
	uint8_t action;		/* enum fp_action */
	uint8_t drop;		/* enum haven_drop, for ACT_DROP */
	uint8_t key;		/* index in fp_burst.keys, or NO_KEY */
	uint8_t tunnel;		/* ACT_DECAP: outer protocol */
	uint16_t strip;		/* ACT_DECAP: outer IP header to inner one */
	uint32_t outer_src;	/* ACT_DECAP: must be a care-of address */
	uint16_t sport;		/* ACT_DECAP, UDP: must be its NAT's port */
};

struct fp_burst {
	struct haven_worker *w;
	struct haven_fp *fp;
	unsigned int port;			/* input port index */
	unsigned int n_keys;
	uint16_t n_tx;
	uint16_t n_punt;
	uint32_t keys[HAVEN_BURST];
	const struct haven_binding *bindings[HAVEN_BURST];
	struct rte_mbuf *punt[PUNT_MAX];
};

static inline void
drop(struct fp_burst *b, struct rte_mbuf *m, enum haven_drop reason)
{
	b->w->stats.drops[reason]++;
	rte_pktmbuf_free(m);
}

static inline uint8_t
burst_key(struct fp_burst *b, uint32_t key)
{
	if (b->n_keys > 0 && b->keys[b->n_keys - 1] == key)
		return b->n_keys - 1;
	b->keys[b->n_keys] = key;
	return b->n_keys++;
}

static inline const struct haven_binding *
burst_binding(const struct fp_burst *b, const struct fp_meta *md)
{
	return md->key == NO_KEY ? NULL : b->bindings[md->key];
}

/* ------------------------------------------------------------------ */
/* Output: TX buffers and the punt ring                                */
/* ------------------------------------------------------------------ */

static void
tx_flush_port(struct haven_worker *w, unsigned int pi)
{
	struct haven_fp *fp = w->fp;
	uint16_t n = w->tx[pi].n, sent;

	sent = rte_eth_tx_burst(fp->ports[pi].port_id, w->txq, w->tx[pi].pkts,
			n);
	w->stats.tx_pkts += sent;
	if (unlikely(sent < n)) {
		w->stats.drops[HAVEN_DROP_TX_FULL] += n - sent;
		rte_pktmbuf_free_bulk(&w->tx[pi].pkts[sent], n - sent);
	}
	w->tx[pi].n = 0;
}

static inline void
tx_enqueue(struct fp_burst *b, unsigned int pi, struct rte_mbuf *m)
{
	struct haven_worker *w = b->w;

	w->tx[pi].pkts[w->tx[pi].n++] = m;
	if (w->tx[pi].n == HAVEN_TX_BUFFER)
		tx_flush_port(w, pi);
	b->n_tx++;
}

void
haven_worker_flush(struct haven_worker *w)
{
	unsigned int pi;

	for (pi = 0; pi < w->fp->n_ports; pi++)
		if (w->tx[pi].n > 0)
			tx_flush_port(w, pi);
}

static inline void
punt_control(struct fp_burst *b, struct rte_mbuf *m)
{
	m->port = b->fp->ports[b->port].port_id;
	m->hash.usr = HAVEN_PUNT_CONTROL;
	b->punt[b->n_punt++] = m;
}

/* A ready frame whose next hop has no MAC yet (see haven_fastpath.h). */
static inline void
punt_resolve(struct fp_burst *b, struct rte_mbuf *m, unsigned int out,
		uint32_t neigh, uint32_t next_hop)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	memset(&eth->dst_addr, 0, sizeof(eth->dst_addr));
	m->port = b->fp->ports[out].port_id;
	m->hash.usr = HAVEN_PUNT_RESOLVE | neigh << 16;
	m->hash.fdir.hi = next_hop;
	b->punt[b->n_punt++] = m;
}

static void
punt_flush(struct fp_burst *b)
{
	struct haven_worker_stats *st = &b->w->stats;
	unsigned int i, n = 0;

	if (b->fp->punt_ring != NULL)
		n = rte_ring_enqueue_burst(b->fp->punt_ring,
				(void **)b->punt, b->n_punt, NULL);
	st->punted += n;
	for (i = n; i < b->n_punt; i++) {
		struct rte_mbuf *m = b->punt[i];

		if (HAVEN_PUNT_REASON(m) == HAVEN_PUNT_RESOLVE)
			st->drops[HAVEN_DROP_NEIGH_UNRESOLVED]++;
		else
			st->drops[HAVEN_DROP_PUNT_RING_FULL]++;
		rte_pktmbuf_free(m);
	}
	b->n_punt = 0;
}

/* worker6.c's way to the burst's outputs (fastpath6_private.h). */
void
fp_burst_tx(struct fp_burst *b, unsigned int out, struct rte_mbuf *m)
{
	tx_enqueue(b, out, m);
}

void
fp_burst_punt_control(struct fp_burst *b, struct rte_mbuf *m)
{
	punt_control(b, m);
}

void
fp_burst_punt_resolve(struct fp_burst *b, struct rte_mbuf *m,
		unsigned int out, uint32_t neigh)
{
	punt_resolve(b, m, out, neigh, 0);
}

/*
 * Send a frame whose IP part is ready out of port index out, toward a next
 * hop: Ethernet source is the port, destination the neighbour's MAC, or
 * the control lcore resolves it.
 */
static inline void
send_to_next_hop(struct fp_burst *b, struct rte_mbuf *m, unsigned int out,
		uint32_t neigh, uint32_t next_hop)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&b->fp->ports[out].mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	if (likely(neigh < HAVEN_NEIGH_MAX &&
		   fp_neigh_mac(&b->fp->neigh[neigh], &eth->dst_addr)))
		tx_enqueue(b, out, m);
	else
		punt_resolve(b, m, out, neigh, next_hop);
}

/* Checksum of a header we rewrote: offloaded if the port can, else now. */
static inline void
ip_cksum_offload(struct rte_mbuf *m, unsigned int l3_len)
{
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = l3_len;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
}

/* ------------------------------------------------------------------ */
/* Pass 1: classify                                                    */
/* ------------------------------------------------------------------ */

static inline bool
is_agent_addr(const struct haven_fp *fp, uint32_t a)
{
	unsigned int i;

	if (a == 0)
		return false;
	if (a == fp->ha_addr)
		return true;
	for (i = 0; i < fp->n_ports; i++)
		if (a == fp->ports[i].addr)
			return true;
	return false;
}

/* An IPv4 header that fits in len bytes, total length included. */
static inline bool
ipv4_header_ok(const uint8_t *ip, size_t len)
{
	unsigned int hlen;

	if (len < FP_IPV4_HLEN || (ip[0] >> 4) != 4)
		return false;
	hlen = fp_ip_hlen(ip);
	return hlen >= FP_IPV4_HLEN && hlen <= len &&
		fp_ip_total_len(ip) >= hlen && fp_ip_total_len(ip) <= len;
}

static inline void
classify_arp(struct fp_burst *b, struct rte_mbuf *m, struct fp_meta *md)
{
	const struct rte_arp_hdr *arp;
	uint16_t op;

	if (rte_pktmbuf_data_len(m) <
	    sizeof(struct rte_ether_hdr) + sizeof(*arp))
		goto malformed;
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *,
			sizeof(struct rte_ether_hdr));
	op = rte_be_to_cpu_16(arp->arp_opcode);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN ||
	    arp->arp_plen != sizeof(uint32_t) ||
	    (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY))
		goto malformed;
	md->action = ACT_ARP;
	md->key = is_agent_addr(b->fp, arp->arp_data.arp_tip) ? NO_KEY :
		burst_key(b, arp->arp_data.arp_tip);
	return;
malformed:
	md->action = ACT_DROP;
	md->drop = HAVEN_DROP_MALFORMED;
}

/*
 * UDP to the agent: MIP Tunnel Data on port 434 (RFC 3519) is decapsulated
 * here, but for keepalives (to the agent itself), punted with the rest
 * (registrations, delegation). Returns false when it is not tunnel data.
 */
static inline bool
classify_udp_tunnel(struct fp_burst *b, const uint8_t *ip, unsigned int hlen,
		unsigned int len, struct fp_meta *md)
{
	const uint8_t *udp = ip + hlen, *inner;
	int kind;

	if (len < hlen + FP_UDP_HLEN ||
	    fp_get16(udp + 2) != FP_MIP_UDP_PORT)
		return false;
	kind = fp_udp_tunnel_kind(udp, len - hlen);
	if (kind == 0)
		return false;
	md->strip = hlen + FP_UDP_HLEN + FP_MIP_TUN_HLEN;
	inner = ip + md->strip;
	if (kind < 0 || !ipv4_header_ok(inner, len - md->strip)) {
		md->action = ACT_DROP;
		md->drop = HAVEN_DROP_MALFORMED;
		return true;
	}
	if (is_agent_addr(b->fp, fp_ip_dst(inner)))
		return true;		/* a keepalive: ACT_PUNT */
	md->tunnel = FP_IPPROTO_UDP;
	md->outer_src = fp_ip_src(ip);
	md->sport = fp_get16(udp);
	md->action = ACT_DECAP;
	md->key = burst_key(b, fp_ip_src(inner));
	return true;
}

/* An IPv4 datagram addressed to the agent itself. */
static inline void
classify_local(struct fp_burst *b, const uint8_t *ip, struct fp_meta *md)
{
	unsigned int hlen = fp_ip_hlen(ip), len = fp_ip_total_len(ip);
	const uint8_t *inner;
	uint32_t inner_src;
	int n;

	md->action = ACT_PUNT;
	if (fp_ip_is_fragment(ip))
		return;			/* the control lcore reassembles or drops */
	switch (ip[9]) {
	case FP_IPPROTO_UDP:
		classify_udp_tunnel(b, ip, hlen, len, md);
		return;			/* else UDP 434, delegation: punted */
	case FP_IPPROTO_ICMP:
		if (len - hlen >= ICMP_HLEN && ip[hlen] == ICMP_ECHO_REQUEST &&
		    ip[hlen + 1] == 0)
			md->action = ACT_ECHO;
		return;
	case FP_IPPROTO_IPIP:
		md->strip = hlen;
		break;
	case FP_IPPROTO_GRE:
		n = fp_gre_parse(ip + hlen, len - hlen);
		if (n < 0)
			goto malformed;
		md->strip = hlen + n;
		break;
	case FP_IPPROTO_MINIMAL:
		n = fp_minimal_parse(ip, len, &inner_src);
		if (n < 0)
			goto malformed;
		/* After restoring, the original header starts n bytes on. */
		md->strip = n;
		md->tunnel = FP_IPPROTO_MINIMAL;
		md->outer_src = fp_ip_src(ip);
		md->action = ACT_DECAP;
		md->key = burst_key(b, inner_src);
		return;
	default:
		return;			/* UDP 434, delegation, anything else */
	}
	inner = ip + md->strip;
	if (!ipv4_header_ok(inner, len - md->strip))
		goto malformed;
	md->tunnel = ip[9];
	md->outer_src = fp_ip_src(ip);
	md->action = ACT_DECAP;
	md->key = burst_key(b, fp_ip_src(inner));
	return;
malformed:
	md->action = ACT_DROP;
	md->drop = HAVEN_DROP_MALFORMED;
}

/* A broadcast IPv4 datagram: only a registration request concerns us. */
static inline bool
is_broadcast_registration(const struct haven_fp_port *p, const uint8_t *ip)
{
	uint32_t dst = fp_ip_dst(ip);
	unsigned int hlen = fp_ip_hlen(ip);

	if (dst != UINT32_MAX && (p->mask == 0 || dst != (p->addr | ~p->mask)))
		return false;
	return ip[9] == FP_IPPROTO_UDP && !fp_ip_is_fragment(ip) &&
		fp_ip_total_len(ip) >= hlen + 8 &&
		fp_get16(ip + hlen + 2) == MIP_UDP_PORT;
}

static inline void
classify_ipv4(struct fp_burst *b, struct rte_mbuf *m, bool to_our_mac,
		struct fp_meta *md)
{
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *,
			sizeof(struct rte_ether_hdr));
	size_t len = rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr);
	uint64_t rx_cksum = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	md->action = ACT_DROP;
	md->drop = HAVEN_DROP_MALFORMED;
	/* The checksum is verified unless the NIC did it (GOOD, or NONE:
	 * header integrity checked, checksum field not). */
	if (!ipv4_header_ok(ip, len) ||
	    rx_cksum == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
	    (rx_cksum == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN &&
	     !fp_ip_cksum_ok(ip)))
		return;
	/* Drop Ethernet padding: it must not travel inside a tunnel. */
	if (len > fp_ip_total_len(ip))
		rte_pktmbuf_trim(m, len - fp_ip_total_len(ip));

	if (is_agent_addr(b->fp, fp_ip_dst(ip))) {
		classify_local(b, ip, md);
	} else if (!to_our_mac) {
		if (is_broadcast_registration(&b->fp->ports[b->port], ip))
			md->action = ACT_PUNT;
		else
			md->drop = HAVEN_DROP_NOT_FOR_US;
	} else {
		md->action = ACT_ENCAP;
		md->key = burst_key(b, fp_ip_dst(ip));
	}
}

static inline void
classify(struct fp_burst *b, struct rte_mbuf *m, struct fp_meta *md)
{
	const struct haven_fp_port *p = &b->fp->ports[b->port];
	const struct rte_ether_hdr *eth;
	bool to_our_mac;

	md->key = NO_KEY;
	md->action = ACT_DROP;
	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth))) {
		md->drop = HAVEN_DROP_MALFORMED;
		return;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	to_our_mac = rte_is_same_ether_addr(&eth->dst_addr, &p->mac);
	/* The port is promiscuous: ignore others' frames and our own echo. */
	if ((!to_our_mac && !rte_is_multicast_ether_addr(&eth->dst_addr)) ||
	    rte_is_same_ether_addr(&eth->src_addr, &p->mac)) {
		md->drop = HAVEN_DROP_NOT_FOR_US;
		return;
	}
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		classify_ipv4(b, m, to_our_mac, md);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		classify_arp(b, m, md);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		if (b->fp->fp6 != NULL) {
			md->action = ACT_IPV6;
			break;
		}
		md->drop = HAVEN_DROP_NOT_IPV4_OR_ARP;
		break;
	default:
		md->drop = HAVEN_DROP_NOT_IPV4_OR_ARP;
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Pass 2: ARP                                                         */
/* ------------------------------------------------------------------ */

/* Give the control lcore a copy of an ARP that teaches it something. */
static inline void
arp_learn(struct fp_burst *b, struct rte_mbuf *m, const struct rte_arp_hdr *arp)
{
	const struct haven_neigh *n;
	struct rte_ether_addr mac;
	struct rte_mbuf *c;
	int idx;

	idx = fp_neigh_lookup(b->fp->neigh, arp->arp_data.arp_sip);
	if (idx < 0)
		return;
	n = &b->fp->neigh[idx];
	if (fp_neigh_mac(n, &mac) &&
	    rte_is_same_ether_addr(&mac, &arp->arp_data.arp_sha))
		return;
	c = rte_pktmbuf_copy(m, b->fp->pool, 0, UINT32_MAX);
	if (c == NULL) {
		b->w->stats.drops[HAVEN_DROP_NO_MBUF]++;
		return;
	}
	punt_control(b, c);
}

/* Turn a request into our reply in place (RFC 826 "swap" step). */
static inline void
arp_reply(struct fp_burst *b, struct rte_mbuf *m, struct rte_arp_hdr *arp)
{
	const struct rte_ether_addr *mac = &b->fp->ports[b->port].mac;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint32_t target = arp->arp_data.arp_tip;

	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	rte_ether_addr_copy(mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = target;
	rte_ether_addr_copy(&arp->arp_data.arp_tha, &eth->dst_addr);
	rte_ether_addr_copy(mac, &eth->src_addr);
	tx_enqueue(b, b->port, m);
}

/*
 * Another host saying it is one of the agent's addresses, or a home
 * address the agent intercepts: the control lcore must see it to defend
 * the address (RFC 5227 2.4). ARP is rare: one more look-up is cheap.
 */
static inline bool
arp_claims_ours(const struct haven_fp *fp, uint32_t spa)
{
	const struct haven_binding *b;

	if (is_agent_addr(fp, spa))
		return true;
	b = haven_binding_lookup(fp->bindings, spa);
	return b != NULL && (b->flags & HAVEN_BINDING_F_INTERCEPT) &&
		b->forwarder == HAVEN_FORWARDER_SELF;
}

/*
 * Requests for the agent's addresses are answered; requests for an
 * intercepted home address are answered on the home link (proxy ARP,
 * RFC 5944 4.6) when this agent is the forwarder. Gratuitous ARPs and
 * probes are never answered: a mobile node back home or a secondary agent
 * taking over announces itself that way, and the control lcore must see
 * it. What is about our addresses, from a known neighbour, or claims one
 * of our addresses is punted, the rest dropped.
 */
static inline void
act_arp(struct fp_burst *b, struct rte_mbuf *m, const struct fp_meta *md)
{
	struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(m,
			struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
	const struct haven_binding *bnd = burst_binding(b, md);
	const struct haven_fp *fp = b->fp;
	uint32_t spa = arp->arp_data.arp_sip, tpa = arp->arp_data.arp_tip;
	bool ours = is_agent_addr(fp, tpa) ||
		(bnd != NULL && (bnd->flags & HAVEN_BINDING_F_INTERCEPT));

	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
	    spa != 0 && spa != tpa) {
		if (tpa != 0 &&
		    (tpa == fp->ha_addr || tpa == fp->ports[b->port].addr)) {
			arp_learn(b, m, arp);
			arp_reply(b, m, arp);
			return;
		}
		if (bnd != NULL && (bnd->flags & HAVEN_BINDING_F_INTERCEPT) &&
		    bnd->forwarder == HAVEN_FORWARDER_SELF &&
		    b->port == fp->home_port) {
			arp_learn(b, m, arp);
			b->w->stats.proxy_arp++;
			arp_reply(b, m, arp);
			return;
		}
	}
	if (ours || fp_neigh_lookup(fp->neigh, spa) >= 0 ||
	    (spa != 0 && arp_claims_ours(fp, spa)))
		punt_control(b, m);
	else
		drop(b, m, HAVEN_DROP_NOT_FOR_US);
}

/* ------------------------------------------------------------------ */
/* Pass 2: ICMP                                                        */
/* ------------------------------------------------------------------ */

/* Echo reply in place (RFC 792): swap addresses, type 0. */
static inline void
act_echo(struct fp_burst *b, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint8_t *ip = (uint8_t *)(eth + 1);
	uint8_t *icmp = ip + fp_ip_hlen(ip);
	uint32_t src = fp_ip_src(ip);

	fp_put32n(ip + 12, fp_ip_dst(ip));
	fp_put32n(ip + 16, src);
	ip[8] = LOCAL_TTL;
	fp_put16(ip + 10, 0);
	fp_put16(ip + 10, fp_cksum(ip, fp_ip_hlen(ip)));
	icmp[0] = ICMP_ECHO_REPLY;
	fp_put16(icmp + 2, fp_cksum_adjust(fp_get16(icmp + 2),
			ICMP_ECHO_REQUEST << 8, ICMP_ECHO_REPLY << 8));
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&b->fp->ports[b->port].mac, &eth->src_addr);
	b->w->stats.icmp_echo++;
	tx_enqueue(b, b->port, m);
}

/*
 * Fragmentation needed (RFC 792, RFC 1191 next-hop MTU) back to the
 * datagram's source through the previous hop, in place: the new headers
 * go in front of the quoted IP header, the rest is trimmed.
 */
static void
icmp_frag_needed(struct fp_burst *b, struct rte_mbuf *m, uint16_t mtu)
{
	const struct haven_fp *fp = b->fp;
	const unsigned int hdrs = FP_IPV4_HLEN + ICMP_HLEN;
	struct rte_ether_addr prev_hop;
	uint8_t *ip, *quoted, *icmp;
	unsigned int quote;
	uint8_t *p;

	p = rte_pktmbuf_mtod(m, uint8_t *);
	rte_ether_addr_copy(&((struct rte_ether_hdr *)p)->src_addr, &prev_hop);
	quoted = p + sizeof(struct rte_ether_hdr);
	quote = RTE_MIN(fp_ip_hlen(quoted) + ICMP_QUOTE,
			(unsigned int)fp_ip_total_len(quoted));
	p = (uint8_t *)rte_pktmbuf_prepend(m, hdrs);
	if (p == NULL) {
		drop(b, m, HAVEN_DROP_TOO_BIG);
		return;
	}
	quoted = p + sizeof(struct rte_ether_hdr) + hdrs;
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) -
			(sizeof(struct rte_ether_hdr) + hdrs + quote));
	ip = p + sizeof(struct rte_ether_hdr);
	fp_outer_ipv4(ip, FP_IPPROTO_ICMP, ICMP_HLEN + quote,
			fp->ha_addr != 0 ? fp->ha_addr : fp->ports[b->port].addr,
			fp_ip_src(quoted), b->w->ip_id++, false, LOCAL_TTL, true);
	icmp = ip + FP_IPV4_HLEN;
	icmp[0] = ICMP_UNREACH;
	icmp[1] = ICMP_UNREACH_NEEDFRAG;
	fp_put16(icmp + 2, 0);
	fp_put16(icmp + 4, 0);
	fp_put16(icmp + 6, mtu);
	fp_put16(icmp + 2, fp_cksum(icmp, ICMP_HLEN + quote));
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	rte_ether_addr_copy(&prev_hop, &((struct rte_ether_hdr *)p)->dst_addr);
	rte_ether_addr_copy(&fp->ports[b->port].mac,
			&((struct rte_ether_hdr *)p)->src_addr);
	((struct rte_ether_hdr *)p)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	b->w->stats.drops[HAVEN_DROP_TOO_BIG]++;
	tx_enqueue(b, b->port, m);
}

/* ------------------------------------------------------------------ */
/* Pass 2: encapsulation toward the care-of addresses                  */
/* ------------------------------------------------------------------ */

/* Bytes an encapsulation adds in front of the original datagram. */
static inline unsigned int
encap_overhead(uint8_t encap, const uint8_t *ip, uint32_t outer_src)
{
	switch (encap) {
	case HAVEN_ENCAP_MINIMAL:
		return fp_minimal_fwd_len(fp_ip_src(ip), outer_src);
	case HAVEN_ENCAP_GRE:
		return FP_IPV4_HLEN + FP_GRE_HLEN;
	case HAVEN_ENCAP_UDP:
		return FP_UDP_TUN_OVERHEAD;
	default:
		return FP_IPV4_HLEN;
	}
}

/* The outer header's protocol of an encapsulation that has one. */
static inline uint8_t
encap_proto(uint8_t encap)
{
	switch (encap) {
	case HAVEN_ENCAP_GRE:
		return FP_IPPROTO_GRE;
	case HAVEN_ENCAP_UDP:
		return FP_IPPROTO_UDP;
	default:
		return FP_IPPROTO_IPIP;
	}
}

/* Tunnel one copy of the datagram in m to one care-of address. */
static inline void
encap_one(struct fp_burst *b, struct rte_mbuf *m,
		const struct haven_binding *bnd, const struct haven_binding_coa *coa)
{
	const struct haven_fp_port *op;
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
			sizeof(struct rte_ether_hdr));
	uint16_t inner_len = fp_ip_total_len(ip);
	unsigned int hlen = fp_ip_hlen(ip), overhead, mtu;
	bool df = (fp_get16(ip + 6) & FP_IP_DF) != 0;
	uint8_t encap = bnd->encap;
	uint8_t *p;
	int out;

	out = fp_port_index(b->fp, coa->port);
	if (unlikely(out < 0)) {
		drop(b, m, HAVEN_DROP_NO_ROUTE);
		return;
	}
	op = &b->fp->ports[out];

	/*
	 * RFC 2004 section 3: minimal encapsulation must not carry a datagram
	 * that is already fragmented (no room for the fragment fields). Every
	 * mobility agent decapsulates IP in IP (RFC 5944 4.2.1), so use it.
	 */
	if (encap == HAVEN_ENCAP_MINIMAL && fp_ip_is_fragment(ip))
		encap = HAVEN_ENCAP_IPIP;
	overhead = encap_overhead(encap, ip, bnd->outer_src);
	mtu = op->mtu != 0 ? op->mtu : RTE_ETHER_MTU;
	if (unlikely(inner_len + overhead > mtu)) {
		if (df && mtu > overhead)
			icmp_frag_needed(b, m, mtu - overhead);
		else
			drop(b, m, HAVEN_DROP_TOO_BIG);
		return;
	}

	p = (uint8_t *)rte_pktmbuf_prepend(m, overhead);
	if (unlikely(p == NULL)) {
		drop(b, m, HAVEN_DROP_NO_MBUF);
		return;
	}
	if (encap == HAVEN_ENCAP_MINIMAL) {
		/* The original header moves forward; the forwarding header
		 * takes its old place in front of the payload. */
		memmove(p, p + overhead, sizeof(struct rte_ether_hdr) + hlen);
		fp_minimal_encap(p + sizeof(struct rte_ether_hdr), overhead,
				bnd->outer_src, coa->addr, !op->tx_ip_cksum);
	} else {
		/* RFC 2003 3.1 / RFC 2784: the outer source is the home
		 * agent's address (claim 5), not the port's. */
		uint8_t *outer = p + sizeof(struct rte_ether_hdr);

		uint8_t proto = encap_proto(encap);
		uint16_t payload = inner_len + overhead - FP_IPV4_HLEN;

		if (likely(encap == bnd->encap))
			fp_outer_ipv4_prepared(outer, coa->outer_sum, proto,
					payload, bnd->outer_src, coa->addr,
					b->w->ip_id++, df, HAVEN_OUTER_TTL,
					!op->tx_ip_cksum);
		else	/* minimal refused for a fragment: not prepared */
			fp_outer_ipv4(outer, proto, payload, bnd->outer_src,
					coa->addr, b->w->ip_id++, df,
					HAVEN_OUTER_TTL, !op->tx_ip_cksum);
		if (encap == HAVEN_ENCAP_GRE)
			fp_gre_header(outer + FP_IPV4_HLEN);
		else if (encap == HAVEN_ENCAP_UDP)	/* RFC 3519 */
			fp_udp_tunnel_header(outer + FP_IPV4_HLEN,
					bnd->udp_sport, coa->udp_port,
					inner_len);
		hlen = FP_IPV4_HLEN;
	}
	if (op->tx_ip_cksum)
		ip_cksum_offload(m, hlen);
	b->w->stats.encap_pkts++;
	send_to_next_hop(b, m, out, coa->neigh, coa->next_hop);
}

/*
 * The common case in a straight line: IP in IP to one care-of address on
 * a known port, within the MTU, headroom available, neighbour REACHABLE.
 * Returns false, having touched nothing, for anything else: encap_one()
 * then does it (or drops, or punts) with every check. The outer header
 * (RFC 2003 3.1, as fp_outer_ipv4_prepared()) is written with three
 * wide stores; its checksum is the sum prepared at publish plus total
 * length, identification and DF.
 */
static __rte_always_inline bool
encap_ipip_fast(struct fp_burst *b, struct rte_mbuf *m,
		const struct haven_binding *bnd, const struct haven_binding_coa *coa)
{
	const struct haven_fp *fp = b->fp;
	const struct haven_fp_port *op;
	struct rte_ether_hdr *eth;
	const uint8_t *ip;
	uint16_t total, id, frag, cksum;
	uint32_t sum, w0, w1, w2;
	uint8_t *outer;
	int out;

	out = fp_port_index(fp, coa->port);
	if (unlikely(out < 0 || coa->neigh >= HAVEN_NEIGH_MAX ||
		     rte_pktmbuf_headroom(m) < FP_IPV4_HLEN))
		return false;
	op = &fp->ports[out];
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
			sizeof(struct rte_ether_hdr));
	total = fp_ip_total_len(ip) + FP_IPV4_HLEN;
	if (unlikely(total > (op->mtu != 0 ? op->mtu : RTE_ETHER_MTU) ||
		     op->tx_ip_cksum))
		return false;
	frag = fp_get16(ip + 6) & FP_IP_DF;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, FP_IPV4_HLEN);
	if (unlikely(!fp_neigh_mac(&fp->neigh[coa->neigh], &eth->dst_addr))) {
		rte_pktmbuf_adj(m, FP_IPV4_HLEN);	/* as it was */
		return false;
	}
	rte_ether_addr_copy(&op->mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);

	id = b->w->ip_id++;
	sum = (uint32_t)coa->outer_sum + total + id + frag;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	cksum = (uint16_t)~sum;
	outer = (uint8_t *)(eth + 1);
	/* Bytes 0..11 in network order, as three 32-bit words. */
	w0 = rte_cpu_to_be_32(0x45000000u | total);
	w1 = rte_cpu_to_be_32((uint32_t)id << 16 | frag);
	w2 = rte_cpu_to_be_32((uint32_t)HAVEN_OUTER_TTL << 24 |
			(uint32_t)FP_IPPROTO_IPIP << 16 | cksum);
	fp_put32n(outer, w0);
	fp_put32n(outer + 4, w1);
	fp_put32n(outer + 8, w2);
	fp_put32n(outer + 12, bnd->outer_src);
	fp_put32n(outer + 16, coa->addr);
	b->w->stats.encap_pkts++;
	tx_enqueue(b, out, m);
	return true;
}

static inline void
act_encap(struct fp_burst *b, struct rte_mbuf *m, const struct fp_meta *md)
{
	const struct haven_binding *bnd = burst_binding(b, md);
	struct haven_binding_counters *cnt;
	uint8_t *ip;
	unsigned int i;

	/*
	 * Tunnel whatever reaches our MAC for an intercepted home address,
	 * even when another agent is now the forwarder: routers with a stale
	 * ARP entry still send here after a delegation (EP 1134991 [0037]).
	 */
	if (bnd == NULL || !(bnd->flags & HAVEN_BINDING_F_INTERCEPT) ||
	    bnd->n_coa == 0) {
		drop(b, m, HAVEN_DROP_NO_BINDING);
		return;
	}
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *,
			sizeof(struct rte_ether_hdr));
	if (ip[8] <= 1) {
		drop(b, m, HAVEN_DROP_TTL_EXPIRED);
		return;
	}
	/* RFC 2003 3.1: forwarding into a tunnel decrements the inner TTL. */
	fp_ip_ttl_decrement(ip);
	cnt = &b->w->counters[bnd->slot];
	cnt->pkts++;
	cnt->bytes += fp_ip_total_len(ip);

	if (likely(bnd->n_coa == 1 && bnd->encap == HAVEN_ENCAP_IPIP) &&
	    encap_ipip_fast(b, m, bnd, &bnd->coa[0]))
		return;

	/* One copy per care-of address (RFC 5944 simultaneous bindings). */
	for (i = 0; i + 1 < bnd->n_coa; i++) {
		struct rte_mbuf *c = rte_pktmbuf_copy(m, b->fp->pool, 0,
				UINT32_MAX);

		if (unlikely(c == NULL)) {
			b->w->stats.drops[HAVEN_DROP_NO_MBUF]++;
			continue;
		}
		encap_one(b, c, bnd, &bnd->coa[i]);
	}
	encap_one(b, m, bnd, &bnd->coa[bnd->n_coa - 1]);
}

/* ------------------------------------------------------------------ */
/* Pass 2: reverse tunnel decapsulation (RFC 3024)                     */
/* ------------------------------------------------------------------ */

/*
 * The tunnel a reverse-tunnelled packet came by ends at one of the
 * binding's care-of addresses; a UDP tunnel (RFC 3519) at its NAT address
 * and port, and only a UDP binding takes UDP tunnel data.
 */
static inline bool
is_tunnel_end(const struct haven_binding *bnd, const struct fp_meta *md)
{
	bool udp = md->tunnel == FP_IPPROTO_UDP;
	unsigned int i;

	if (udp != (bnd->encap == HAVEN_ENCAP_UDP))
		return false;
	for (i = 0; i < bnd->n_coa; i++)
		if (bnd->coa[i].addr == md->outer_src &&
		    (!udp || bnd->coa[i].udp_port == md->sport))
			return true;
	return false;
}

static inline void
act_decap(struct fp_burst *b, struct rte_mbuf *m, const struct fp_meta *md)
{
	const struct haven_binding *bnd = burst_binding(b, md);
	struct haven_binding_counters *cnt;
	uint8_t *ip, *inner;
	uint16_t inner_len;
	uint32_t next_hop;
	uint8_t out;
	int neigh;

	/* RFC 3024 4.2: a home agent decapsulates only for a mobile node
	 * that asked for reverse tunnelling, from its care-of address. */
	if (bnd == NULL) {
		drop(b, m, HAVEN_DROP_REVTUN_NO_BINDING);
		return;
	}
	if (!(bnd->flags & HAVEN_BINDING_F_REVERSE_TUNNEL)) {
		drop(b, m, HAVEN_DROP_REVTUN_NOT_ALLOWED);
		return;
	}
	if (!is_tunnel_end(bnd, md)) {
		drop(b, m, HAVEN_DROP_REVTUN_BAD_SOURCE);
		return;
	}
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *,
			sizeof(struct rte_ether_hdr));
	if (md->tunnel == FP_IPPROTO_MINIMAL) {
		fp_minimal_decap(ip, md->strip);
		if (!ipv4_header_ok(ip + md->strip,
				fp_ip_total_len(ip) - md->strip)) {
			drop(b, m, HAVEN_DROP_MALFORMED);
			return;
		}
	}
	inner = ip + md->strip;
	if (inner[8] <= 1) {
		drop(b, m, HAVEN_DROP_TTL_EXPIRED);
		return;
	}
	if (haven_route_lookup(b->fp, fp_ip_dst(inner), &next_hop, &out) != 0 ||
	    out >= b->fp->n_ports) {
		drop(b, m, HAVEN_DROP_NO_ROUTE);
		return;
	}
	fp_ip_ttl_decrement(inner);
	inner_len = fp_ip_total_len(inner);

	/* Strip Ethernet and the outer headers, then any trailing bytes. */
	rte_pktmbuf_adj(m, sizeof(struct rte_ether_hdr) + md->strip);
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - inner_len);
	rte_pktmbuf_prepend(m, sizeof(struct rte_ether_hdr));
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;

	cnt = &b->w->counters[bnd->slot];
	cnt->rev_pkts++;
	cnt->rev_bytes += inner_len;
	b->w->stats.decap_pkts++;
	neigh = fp_neigh_lookup(b->fp->neigh, next_hop);
	send_to_next_hop(b, m, out,
			neigh < 0 ? HAVEN_PUNT_NEIGH_NONE : (uint32_t)neigh,
			next_hop);
}

/* ------------------------------------------------------------------ */
/* The burst and the loop                                              */
/* ------------------------------------------------------------------ */

/*
 * With a large table every record and every counter is a cache miss.
 * Start them all for the burst at once, records first and then the
 * counters they point to, so that pass 2 waits for two rounds of misses
 * overlapped across the burst instead of two misses per packet.
 */
static inline void
prefetch_bindings(const struct fp_burst *b)
{
	unsigned int k;

	for (k = 0; k < b->n_keys; k++)
		if (b->bindings[k] != NULL)
			rte_prefetch0(b->bindings[k]);
	for (k = 0; k < b->n_keys; k++)
		if (b->bindings[k] != NULL)
			rte_prefetch0(&b->w->counters[b->bindings[k]->slot]);
}

static uint16_t
process_burst(struct haven_worker *w, uint16_t port, struct rte_mbuf **pkts,
		uint16_t n)
{
	struct fp_meta meta[HAVEN_BURST];
	struct fp_burst b;
	uint16_t i;

	b.w = w;
	b.fp = w->fp;
	b.port = port;
	b.n_keys = 0;
	b.n_tx = 0;
	b.n_punt = 0;
	w->stats.rx_pkts += n;

	if (n > 0)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[0], void *));
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		classify(&b, pkts[i], &meta[i]);
	}

	if (b.n_keys > 0) {
		if (likely(b.fp->bindings != NULL))
			haven_binding_lookup_bulk(b.fp->bindings, b.keys,
					b.n_keys, b.bindings);
		else
			memset(b.bindings, 0, sizeof(b.bindings));
		prefetch_bindings(&b);
	}

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		switch (meta[i].action) {
		case ACT_ENCAP:
			act_encap(&b, m, &meta[i]);
			break;
		case ACT_DECAP:
			act_decap(&b, m, &meta[i]);
			break;
		case ACT_ARP:
			act_arp(&b, m, &meta[i]);
			break;
		case ACT_ECHO:
			act_echo(&b, m);
			break;
		case ACT_PUNT:
			punt_control(&b, m);
			break;
		case ACT_IPV6:
			fp6_input(&b, w, port, m);
			break;
		default:
			drop(&b, m, meta[i].drop);
			break;
		}
	}
	if (b.n_punt > 0)
		punt_flush(&b);
	return b.n_tx;
}

uint16_t
haven_worker_process_burst(struct haven_worker *w, uint16_t port,
		struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t done = 0, tx = 0;

	while (done < n) {
		uint16_t k = RTE_MIN(n - done, HAVEN_BURST);

		tx += process_burst(w, port, pkts + done, k);
		done += k;
	}
	return tx;
}

struct idle_state {
	unsigned int empty_polls;
	unsigned int sleep_us;
};

/* Adaptive idle: nap longer and longer, offline for RCU meanwhile. */
static void
worker_idle(struct haven_worker *w, struct idle_state *idle)
{
	struct rte_rcu_qsbr *qsbr = w->fp->qsbr;

	if (++idle->empty_polls < IDLE_POLLS_BEFORE_SLEEP)
		return;
	idle->sleep_us = idle->sleep_us == 0 ? IDLE_SLEEP_MIN_US :
		RTE_MIN(idle->sleep_us * 2, (unsigned int)IDLE_SLEEP_MAX_US);
	if (qsbr != NULL)
		rte_rcu_qsbr_thread_offline(qsbr, w->id);
	rte_delay_us_sleep(idle->sleep_us);
	if (qsbr != NULL)
		rte_rcu_qsbr_thread_online(qsbr, w->id);
}

int
haven_worker_main(void *arg)
{
	struct haven_worker *w = arg;
	struct haven_fp *fp = w->fp;
	struct rte_mbuf *pkts[HAVEN_BURST];
	struct idle_state idle = { 0, 0 };
	unsigned int q, got;
	uint16_t n;

	w->ip_id = (uint16_t)rte_rand();
	if (fp->qsbr != NULL) {
		rte_rcu_qsbr_thread_register(fp->qsbr, w->id);
		rte_rcu_qsbr_thread_online(fp->qsbr, w->id);
	}
	while (!*fp->quit) {
		got = 0;
		for (q = 0; q < w->n_rxq; q++) {
			n = rte_eth_rx_burst(fp->ports[w->rxq[q].port].port_id,
					w->rxq[q].queue, pkts, HAVEN_BURST);
			if (n > 0)
				haven_worker_process_burst(w, w->rxq[q].port,
						pkts, n);
			got += n;
		}
		haven_worker_flush(w);
		if (fp->qsbr != NULL)
			rte_rcu_qsbr_quiescent(fp->qsbr, w->id);
		if (got == 0 && fp->idle_adaptive)
			worker_idle(w, &idle);
		else if (got != 0)
			idle = (struct idle_state){ 0, 0 };
	}
	haven_worker_flush(w);
	if (fp->qsbr != NULL) {
		rte_rcu_qsbr_thread_offline(fp->qsbr, w->id);
		rte_rcu_qsbr_thread_unregister(fp->qsbr, w->id);
	}
	return 0;
}
