/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker lcores' fast path: the poll loop and the per-burst pipeline.
 *
 * A burst goes through two passes, after l3fwd and VPP's gtpu nodes.
 * Pass 1 (classify) prefetches packet i+1 while it validates packet i's
 * headers and decides what it is (ARP, ICMP echo to the agent, tunnel to
 * decapsulate, packet to encapsulate, control traffic, drop), collecting
 * the home address each one needs into one key array; consecutive equal
 * keys share an entry (the "last key" of gtpu_decap.c). A key in a
 * directly indexed home prefix gives its binding's cell at once
 * (haven_binding_worker.h), which is prefetched there and then, so that
 * the cell's one miss overlaps the classification of the packets after
 * it; other keys are looked up in the table's hashed fallback after the
 * loop. Pass 2 (act) reads each cell: when it holds an inline tunnel (one
 * care-of address, IP in IP or GRE) the packet is counted in this
 * worker's lane of that cell and encapsulated from the kind's prepared
 * outer header without touching the binding's record; anything else
 * reads the record. It hands each mbuf to a per-port TX buffer or the
 * punt list; TX buffers are flushed when full and at the end of every
 * loop, punts are enqueued once per burst. Cells and records are only
 * used until the next quiescent report, which the loop makes between
 * bursts, so nothing caches them across bursts.
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
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "haven_binding_worker.h"
#include "haven_fastpath.h"
#include "fastpath_private.h"
#include "encap_private.h"
#include "fastpath6_private.h"

#define MIP_UDP_PORT 434		/* Mobile IP registration (RFC 5944) */
#define MIP_RRQ_TYPE 1			/* Registration Request (RFC 5944 3.3) */
#define RRQ_HOA_OFF 4			/* its home address */
#define RRQ_MIN_LEN 24			/* its fixed part */
#define UDP_HLEN 8
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

/* Packets whose data pass 1 prefetches ahead of the one it classifies. */
#define PREFETCH_OFFSET 3

/*
 * A direct prefix whose cells take more than this is mostly out of the
 * caches: its burst's cells are prefetched in a tight loop before pass 1
 * (prefetch_cells()), which at a million bindings gains more than the
 * loop costs; below it the loop costs more than it gains.
 */
#define PREPASS_BYTES (8u << 20)

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
	ACT_FAST,		/* the common case: a cell, see fp_fast */
	ACT_FAST_FB,		/* ... whose cell is found after pass 1 */
	ACT_FAST6,		/* the common IPv6 case (fastpath6_private.h) */
	ACT_FAST6_FB,		/* ... whose cell is found after pass 1 */
	ACT_DROP,
	ACT_PUNT,		/* control traffic, to the control lcore */
	ACT_ARP,		/* answer, punt or drop: needs the target's binding */
	ACT_ECHO,		/* ICMP echo request to the agent */
	ACT_ENCAP,		/* to a home address: needs the destination's binding */
	ACT_DECAP,		/* reverse tunnel: needs the inner source's binding */
	ACT_IPV6,		/* IPv6, per packet: worker6.c */
	ACT_REG,		/* registration request: the guard's lanes */
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
	const struct haven_binding_view *v;	/* IPv4 bindings, or NULL */
	unsigned int port;			/* input port index */
	unsigned int n_keys;
	unsigned int n_fb;			/* keys for the fallback */
	uint32_t lane_off;			/* this worker's lane in a cell */
	uint16_t n_tx;
	uint16_t n_punt;
	uint16_t n_reg;				/* bound lane's requests */
	uint64_t now;				/* TSC for the meters; 0: unread */
	uint32_t keys[HAVEN_BURST];
	struct haven_binding_cell4 *cells[HAVEN_BURST];	/* per key */
	uint8_t fb[HAVEN_BURST];		/* keys not in a direct prefix */
	void *cells6[HAVEN_BURST];		/* per packet: IPv6 hint */
	uint8_t fb6[HAVEN_BURST];		/* packets for the fallback */
	unsigned int n_fb6;
	struct rte_mbuf *punt[PUNT_MAX];
	struct rte_mbuf *reg[HAVEN_BURST];	/* to fp->reg_ring */
};

static inline void
drop(struct fp_burst *b, struct rte_mbuf *m, enum haven_drop reason)
{
	b->w->stats.drops[reason]++;
	rte_pktmbuf_free(m);
}

/* Bring in a cell and this worker's lane in it, for writing. */
static inline void
prefetch_cell(const struct fp_burst *b, const void *cell)
{
	rte_prefetch0_write(cell);
	if (b->lane_off >= RTE_CACHE_LINE_SIZE)
		rte_prefetch0_write((const uint8_t *)cell + b->lane_off);
}

/*
 * The key index of home address key in this burst: a new key's cell is
 * found and prefetched now when it lies in a direct prefix, else its
 * fallback index entry is prefetched and the cell found after pass 1.
 */
static inline uint8_t
burst_key(struct fp_burst *b, uint32_t key)
{
	struct haven_binding_cell4 *c;
	unsigned int k;

	if (b->n_keys > 0 && b->keys[b->n_keys - 1] == key)
		return b->n_keys - 1;
	k = b->n_keys++;
	b->keys[k] = key;
	if (unlikely(b->v == NULL)) {
		b->cells[k] = NULL;
		return k;
	}
	c = haven_binding_direct4(b->v, key);
	b->cells[k] = c;
	if (likely(c != NULL)) {
		prefetch_cell(b, c);
	} else {
		b->fb[b->n_fb++] = k;
		haven_binding_fb_prefetch4(b->v, key);
	}
	return k;
}

/* After pass 1: the cells of the keys outside the direct prefixes. */
static inline void
burst_fallback(struct fp_burst *b)
{
	struct haven_binding_cell4 *c;
	unsigned int i, k;

	for (i = 0; i < b->n_fb; i++) {
		k = b->fb[i];
		c = haven_binding_fb_find4(b->v, b->keys[k]);
		b->cells[k] = c;
		if (c != NULL)
			prefetch_cell(b, c);
	}
}

/*
 * A packet's binding as a consistent snapshot of its cell; tun->rec 0
 * when there is none.
 */
static inline struct haven_binding_cell4 *
burst_cell(const struct fp_burst *b, const struct fp_meta *md,
		struct haven_binding_tun *tun)
{
	struct haven_binding_cell4 *c;

	c = md->key == NO_KEY ? NULL : b->cells[md->key];
	if (likely(c != NULL))
		haven_binding_cell4_read(c, tun);
	else
		memset(tun, 0, sizeof(*tun));	/* rec 0, kind SLOW */
	return c;
}

static inline const struct haven_binding *
tun_record(const struct fp_burst *b, const struct haven_binding_tun *tun)
{
	return tun->rec == 0 ? NULL : haven_binding_rec(b->v, tun->rec);
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

/* The bound lane's requests of the burst into fp->reg_ring. */
static void
reg_flush(struct fp_burst *b)
{
	struct haven_worker_stats *st = &b->w->stats;
	unsigned int n;

	n = rte_ring_enqueue_burst(b->fp->reg_ring, (void **)b->reg, b->n_reg,
			NULL);
	st->punted += n;
	if (unlikely(n < b->n_reg)) {
		st->drops[HAVEN_DROP_PUNT_RING_FULL] += b->n_reg - n;
		rte_pktmbuf_free_bulk(&b->reg[n], b->n_reg - n);
	}
	b->n_reg = 0;
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

/* ------------------------------------------------------------------ */
/* The registration guard (haven_fastpath.h)                           */
/* ------------------------------------------------------------------ */

/*
 * GCRA: one arrival at now on the meter whose theoretical arrival time is
 * *tat; true when it conforms (and is counted), false to shed it.
 */
static inline bool
meter_take(uint64_t *tat, uint64_t now, uint64_t interval, uint64_t tau)
{
	uint64_t t;

	if (interval == 0)
		return true;
	t = RTE_MAX(*tat, now);
	if (t - now > tau)
		return false;
	*tat = t + interval;
	return true;
}

/* The burst's time for the meters, read once. */
static inline uint64_t
burst_now(struct fp_burst *b)
{
	if (b->now == 0)
		b->now = rte_rdtsc();
	return b->now;
}

/*
 * The meter of source address src (alen bytes); an entry held by another
 * source is taken over, fresh (an evicted source starts with its burst).
 */
static inline uint64_t *
source_meter(struct haven_reg_meters *r, const uint8_t *src, size_t alen)
{
	uint8_t key[16] = { 0 };
	unsigned int h;

	memcpy(key, src, alen);
	h = rte_hash_crc(key, sizeof(key), 0) % HAVEN_REG_SOURCES;
	if (memcmp(r->source[h].addr, key, sizeof(key)) != 0) {
		memcpy(r->source[h].addr, key, sizeof(key));
		r->source[h].tat = 0;
	}
	return &r->source[h].tat;
}

/*
 * A registration request m from source src (alen bytes: 4 or 16): the
 * bound lane when bound is true (its home address is bound with src as a
 * care-of address), else the new lane; shed requests are dropped with
 * their lane's reason. Both lanes count their requests as punted.
 */
static inline void
reg_guard(struct fp_burst *b, struct rte_mbuf *m, bool bound,
		const uint8_t *src, size_t alen)
{
	const struct haven_reg_guard *g = &b->fp->reg_guard;
	struct haven_reg_meters *r = &b->w->reg;
	uint64_t now = burst_now(b);

	if (bound) {
		if (!meter_take(&r->bound_tat, now, g->bound_interval,
				g->bound_tau)) {
			drop(b, m, HAVEN_DROP_REG_SHED_BOUND);
			return;
		}
		b->w->stats.reg_bound++;
		if (b->fp->reg_ring == NULL) {
			punt_control(b, m);
			return;
		}
		m->port = b->fp->ports[b->port].port_id;
		m->hash.usr = HAVEN_PUNT_CONTROL;
		b->reg[b->n_reg++] = m;
		return;
	}
	if (!meter_take(source_meter(r, src, alen), now, g->source_interval,
			g->source_tau)) {
		drop(b, m, HAVEN_DROP_REG_SHED_SOURCE);
		return;
	}
	if (!meter_take(&r->new_tat, now, g->new_interval, g->new_tau)) {
		drop(b, m, HAVEN_DROP_REG_SHED);
		return;
	}
	b->w->stats.reg_new++;
	punt_control(b, m);
}

/* A meter's interval and tolerance (rate 0: off). */
static void
meter_set(uint64_t *interval, uint64_t *tau, uint32_t rate, uint32_t burst)
{
	*interval = rate == 0 ? 0 : rte_get_tsc_hz() / rate;
	*tau = *interval * (RTE_MAX(burst, 1u) - 1);
}

void
haven_reg_guard_set(struct haven_reg_guard *g, uint32_t rate,
		uint32_t burst, uint32_t source_rate, uint32_t source_burst,
		uint32_t bound_rate, uint32_t bound_burst)
{
	meter_set(&g->new_interval, &g->new_tau, rate, burst);
	meter_set(&g->source_interval, &g->source_tau, source_rate,
		source_burst);
	meter_set(&g->bound_interval, &g->bound_tau, bound_rate, bound_burst);
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

void
fp_burst_punt_reg(struct fp_burst *b, struct rte_mbuf *m, bool bound,
		const uint8_t *src, size_t alen)
{
	reg_guard(b, m, bound, src, alen);
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

	rte_ether_addr_copy(haven_fp_port_mac(&b->fp->ports[out]),
			&eth->src_addr);
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
		return !fp->ha_standby;
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
		if (classify_udp_tunnel(b, ip, hlen, len, md))
			return;		/* RFC 3519 tunnel data */
		/* A Registration Request (RFC 5944 3.3): the guard's. */
		if (len >= hlen + UDP_HLEN + RRQ_MIN_LEN &&
		    fp_get16(ip + hlen + 2) == MIP_UDP_PORT &&
		    ip[hlen + UDP_HLEN] == MIP_RRQ_TYPE) {
			md->action = ACT_REG;
			md->key = burst_key(b, fp_get32n(ip + hlen + UDP_HLEN +
					RRQ_HOA_OFF));
		}
		return;			/* delegation, anything else: punted */
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
		return;
	}
	inner = ip + md->strip;
	if (!ipv4_header_ok(inner, len - md->strip))
		goto malformed;
	/* A corrupt inner header must not be forwarded (RFC 1812 5.2.2);
	 * a minimal one is rebuilt from its own checked header instead. */
	if (!fp_ip_cksum_ok(inner)) {
		md->action = ACT_DROP;
		md->drop = HAVEN_DROP_REVTUN_BAD_CKSUM;
		return;
	}
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

/* A VRRP advertisement (RFC 5798 5.1.1): protocol 112 to 224.0.0.18. */
static inline bool
is_vrrp(const uint8_t *ip)
{
	return ip[9] == HAVEN_IPPROTO_VRRP &&
		fp_get32n(ip + 16) == HAVEN_VRRP_GROUP4;
}

/*
 * A frame from one of the port's own MACs: our own transmission seen
 * again (the port is promiscuous), unless it is a VRRP advertisement of
 * the other primary, which uses the same virtual MAC while both are
 * master (a split that keepalived resolves only if it sees it).
 */
static inline bool
is_own_echo(const struct haven_fp_port *p, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *ip = (const uint8_t *)(eth + 1);

	if (!haven_fp_port_is_ours(p, &eth->src_addr))
		return false;
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    rte_pktmbuf_data_len(m) < sizeof(*eth) + FP_IPV4_HLEN)
		return true;
	return !is_vrrp(ip) || fp_get32n(ip + 12) == p->addr;
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
		if (is_broadcast_registration(&b->fp->ports[b->port], ip)) {
			md->action = ACT_REG;	/* the new lane: never bound */
			md->key = NO_KEY;
		} else if (is_vrrp(ip)) {
			md->action = ACT_PUNT;	/* for the Linux side */
		} else {
			md->drop = HAVEN_DROP_NOT_FOR_US;
		}
	} else {
		md->action = ACT_ENCAP;
		md->key = burst_key(b, fp_ip_dst(ip));
	}
}

/*
 * The common case, loaded once per burst into a struct that does not
 * escape (the compiler keeps it in registers: stores into packets, which
 * may alias anything reached through a pointer, do not make it reload):
 * an IPv4 datagram to a home address of the table's first direct prefix,
 * tunnelled from its cell's inline tunnel.
 */
/* The agent's addresses: the home agent's, the ports'. */
#define FAST_AGENT_ADDRS (1 + HAVEN_MAX_PORTS)

struct fp_fast {
	uint64_t mac48;			/* input port's MAC, 48 bits */
	uint32_t agent[FAST_AGENT_ADDRS];	/* the agent's addresses */
	/* Those inside the first direct prefix; unused: one outside it. */
	uint32_t agent_in[2];
	bool agent_in_all;		/* more inside: compare them all */
	uint32_t base;			/* first direct prefix, host order */
	uint32_t size;			/* its addresses; 0: none */
	uint32_t cell_shift;
	uint8_t *cells;
	uint32_t lane_off;		/* this worker's lane in a cell */
	unsigned int n_ports;
	const struct haven_fp_port *ports;
	const struct haven_neigh *neigh;
	const struct haven_binding_view *v;	/* NULL: no IPv4 bindings */
	const struct haven_binding_osrc4 *osrc4;
	uint32_t n_encap;		/* packets sent by fast4_encap() */
	bool prepass;			/* prefetch_cells() first */
};

static inline void
fast_init(struct fp_fast *f, const struct haven_fp *fp,
		const struct haven_binding_view *v, unsigned int port,
		uint32_t lane_off)
{
	unsigned int i, n;

	memset(f, 0, sizeof(*f));
	memcpy(&f->mac48, &fp->ports[port].mac, RTE_ETHER_ADDR_LEN);
	f->n_ports = fp->n_ports;
	f->ports = fp->ports;
	f->neigh = fp->neigh;
	f->lane_off = lane_off;
	f->v = v;
	if (v == NULL)
		return;
	f->osrc4 = v->osrc4;
	if (v->n_direct > 0) {
		f->base = v->direct[0].base;
		f->size = v->direct[0].size;
		f->cells = v->direct[0].cells;
		f->cell_shift = v->cell_shift;
		f->prepass = ((uint64_t)f->size << f->cell_shift) >
			PREPASS_BYTES;
	}
	/*
	 * Packets to the agent are not tunnelled: compared with fixed
	 * slots, those the agent does not fill holding 0.0.0.0 (which
	 * sends a packet to it to the general path, as it should).
	 */
	f->agent[0] = fp->ha_addr;
	for (i = 0; i < fp->n_ports && i + 1 < FAST_AGENT_ADDRS; i++)
		f->agent[i + 1] = fp->ports[i].addr;
	/*
	 * A destination in the first direct prefix can only be one of the
	 * agent's addresses that lie in it (usually the home agent's and
	 * the home port's): two slots, filled up with an address outside
	 * the prefix.
	 */
	f->agent_in[0] = f->agent_in[1] = rte_cpu_to_be_32(f->base != 0 ?
			f->base - 1 : f->base + f->size);
	for (i = 0, n = 0; i < FAST_AGENT_ADDRS; i++) {
		if (f->agent[i] == 0 ||
		    rte_be_to_cpu_32(f->agent[i]) - f->base >= f->size)
			continue;
		if (n < 2)
			f->agent_in[n] = f->agent[i];
		n++;
	}
	f->agent_in_all = n > 2;
}

/* Returned by fast4_classify(): the common case, cell after pass 1. */
#define FAST4_FALLBACK ((struct haven_binding_cell4 *)(uintptr_t)1)

/*
 * Pass 1 of the IPv4 common case in a straight line (the caller checked
 * the Ethernet header): 20-byte header, total length exactly the frame's
 * (no padding), checksum right (or checked by the NIC), not to one of the
 * agent's addresses. Its cell when the destination lies in the first
 * direct prefix, prefetched with the headroom line the outer header will
 * go into; FAST4_FALLBACK otherwise (the destination's fallback entry
 * prefetched unless another direct prefix holds it); NULL, having decided
 * nothing, for anything else: classify() then looks at the packet with
 * every check (and comes to the same verdict for what passes here).
 */
static __rte_always_inline struct haven_binding_cell4 *
fast4_classify(const struct fp_fast *f, struct rte_mbuf *m, const uint8_t *p,
		uint32_t *key)
{
	const uint8_t *ip = p + sizeof(struct rte_ether_hdr);
	uint64_t rx_cksum = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	uint16_t len = rte_pktmbuf_data_len(m);
	struct haven_binding_cell4 *c;
	uint32_t v[5], off, d;
	uint64_t sum;

	if (unlikely(f->v == NULL ||
		     len < sizeof(struct rte_ether_hdr) + FP_IPV4_HLEN))
		return NULL;
	memcpy(v, ip, FP_IPV4_HLEN);
	if ((v[0] & 0xffff00ffu) != (0x45u |
			(uint32_t)rte_cpu_to_be_16(len - 14) << 16) ||
	    rx_cksum == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return NULL;
	if (rx_cksum == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN) {
		/* RFC 1071: the header sums to all ones (see fp_ip_cksum_ok);
		 * five words fit 35 bits, 33 once folded, at most
		 * 0x10000 after two more folds, 0xffff when right. */
		sum = (uint64_t)v[0] + v[1] + v[2] + v[3] + v[4];
		sum = (sum & 0xffffffff) + (sum >> 32);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		if (sum != 0xffff)
			return NULL;
	}
	d = v[4];
	off = rte_be_to_cpu_32(d) - f->base;
	if (likely(off < f->size && !f->agent_in_all)) {
		if ((d == f->agent_in[0]) | (d == f->agent_in[1]))
			return NULL;
	} else if ((d == f->agent[0]) | (d == f->agent[1]) |
		   (d == f->agent[2]) | (d == f->agent[3]) |
		   (d == f->agent[4])) {
		return NULL;
	}
	/* The outer header will go in front: bring that line in too. */
	rte_prefetch0_write(p - FP_IPV4_HLEN - FP_GRE_HLEN);
	if (likely(off < f->size)) {
		c = (struct haven_binding_cell4 *)(void *)
			(f->cells + ((size_t)off << f->cell_shift));
		rte_prefetch0_write(c);
		if (f->lane_off >= RTE_CACHE_LINE_SIZE)
			rte_prefetch0_write((const uint8_t *)c + f->lane_off);
		return c;
	}
	*key = d;
	if (haven_binding_direct4(f->v, d) == NULL)
		haven_binding_fb_prefetch4(f->v, d);
	return FAST4_FALLBACK;
}

/*
 * Pass 1: the common case of either family for a frame to our MAC from
 * another host, or ACT_DROP (not the common case: classify() decides).
 * *cell and *key as fast4_classify() and fast6_classify() leave them.
 */
static __rte_always_inline uint8_t
fast_classify(const struct fp_fast *f, const struct fp_fast6 *f6,
		struct rte_mbuf *m, void **cell, uint32_t *key)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint64_t w;
	uint16_t type;
	void *c;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr)))
		return ACT_DROP;
	memcpy(&w, p, 8);			/* destination, 2 bytes more */
	if ((w & 0xffffffffffffULL) != f->mac48)
		return ACT_DROP;
	memcpy(&w, p + 4, 8);			/* 2 bytes, then the source */
	if ((w >> 16) == f->mac48)
		return ACT_DROP;
	type = ((const uint16_t *)(const void *)p)[6];
	if (likely(type == RTE_BE16(RTE_ETHER_TYPE_IPV4))) {
		c = fast4_classify(f, m, p, key);
		*cell = c;
		return c == NULL ? ACT_DROP : c == (void *)FAST4_FALLBACK ?
			ACT_FAST_FB : ACT_FAST;
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		c = fast6_classify(f6, m);
		*cell = c;
		return c == NULL ? ACT_DROP : c == (void *)FAST6_FALLBACK ?
			ACT_FAST6_FB : ACT_FAST6;
	}
	return ACT_DROP;
}

static inline void
classify(struct fp_burst *b, struct rte_mbuf *m, struct fp_meta *md,
		unsigned int idx)
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
	to_our_mac = haven_fp_port_is_ours(p, &eth->dst_addr);
	/* The port is promiscuous: ignore others' frames and our own echo. */
	if ((!to_our_mac && !rte_is_multicast_ether_addr(&eth->dst_addr)) ||
	    is_own_echo(p, m)) {
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
			bool fb = false;

			md->action = ACT_IPV6;
			b->cells6[idx] = to_our_mac ?
				fp6_classify(b->fp, m, &fb) : NULL;
			if (fb)
				b->fb6[b->n_fb6++] = (uint8_t)idx;
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
arp_reply(struct fp_burst *b, struct rte_mbuf *m, struct rte_arp_hdr *arp,
		const struct rte_ether_addr *mac)
{
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
	struct haven_binding_tun tun;
	const struct haven_binding *bnd;
	const struct haven_fp *fp = b->fp;
	uint32_t spa = arp->arp_data.arp_sip, tpa = arp->arp_data.arp_tip;
	const struct haven_fp_port *p = &fp->ports[b->port];
	bool ours;

	burst_cell(b, md, &tun);
	bnd = tun_record(b, &tun);
	ours = is_agent_addr(fp, tpa) ||
		(bnd != NULL && (bnd->flags & HAVEN_BINDING_F_INTERCEPT));
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
	    spa != 0 && spa != tpa) {
		/* The port's own address: its own MAC (a pair's own). */
		if (tpa != 0 && tpa == p->addr && tpa != fp->ha_addr) {
			arp_learn(b, m, arp);
			arp_reply(b, m, arp, &p->mac);
			return;
		}
		if (tpa != 0 && tpa == fp->ha_addr && !fp->ha_standby) {
			arp_learn(b, m, arp);
			arp_reply(b, m, arp, haven_fp_port_mac(p));
			return;
		}
		if (bnd != NULL && (bnd->flags & HAVEN_BINDING_F_INTERCEPT) &&
		    bnd->forwarder == HAVEN_FORWARDER_SELF &&
		    b->port == fp->home_port) {
			arp_learn(b, m, arp);
			b->w->stats.proxy_arp++;
			arp_reply(b, m, arp, haven_fp_port_mac(p));
			return;
		}
	}
	if (ours || fp_neigh_lookup(fp->neigh, spa) >= 0 ||
	    (spa != 0 && arp_claims_ours(fp, spa)))
		punt_control(b, m);
	else
		drop(b, m, HAVEN_DROP_NOT_FOR_US);
}

/*
 * A Registration Request to the agent: the bound lane when its home
 * address is bound with the request's source as a care-of address (a
 * refresh or a deregistration; behind a NAT the binding's care-of
 * address is the NAT's), else the new lane.
 */
static inline void
act_reg(struct fp_burst *b, struct rte_mbuf *m, const struct fp_meta *md)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
			sizeof(struct rte_ether_hdr));
	uint32_t src = fp_ip_src(ip);
	struct haven_binding_tun tun;
	const struct haven_binding *bnd;
	bool bound = false;
	unsigned int i;

	burst_cell(b, md, &tun);
	bnd = tun_record(b, &tun);
	if (bnd != NULL)
		for (i = 0; i < bnd->n_coa && i < HAVEN_BINDING_MAX_COA; i++)
			bound |= bnd->coa[i].addr == src;
	reg_guard(b, m, bound, (const uint8_t *)&src, sizeof(src));
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
	rte_ether_addr_copy(haven_fp_port_mac(&b->fp->ports[b->port]),
			&eth->src_addr);
	b->w->stats.icmp_echo++;
	tx_enqueue(b, b->port, m);
}

/*
 * Fragmentation needed (RFC 792, RFC 1191 next-hop MTU) back to the
 * datagram's source through the previous hop, in place: the new headers
 * go in front of the quoted IP header, the rest is trimmed. Only where
 * icmp_error_allowed() says so; else the datagram is just dropped.
 */
/*
 * An address that names one host (RFC 1812 4.3.2.7, 5.3.7): not 0/8,
 * 127/8, multicast, class E or the limited broadcast, nor the directed
 * broadcast of the input port's subnet.
 */
static inline bool
ip4_names_one_host(const struct haven_fp_port *p, uint32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	if ((h >> 24) == 0 || (h >> 24) == 127 || h >= 0xe0000000u)
		return false;
	return p->mask == 0 || p->mask == UINT32_MAX ||
		a != (p->addr | ~p->mask);
}

/*
 * Whether the datagram of frame p may draw an ICMP error (RFC 1812
 * 4.3.2.7): not sent as a link-layer broadcast or multicast, source and
 * destination each naming one host, not a non-first fragment, not itself
 * an ICMP error; and the worker's rate limit allows one (fp_icmp_allow()).
 */
static inline bool
icmp_error_allowed(struct fp_burst *b, const uint8_t *p)
{
	const struct haven_fp_port *port = &b->fp->ports[b->port];
	const uint8_t *ip = p + sizeof(struct rte_ether_hdr);
	unsigned int hlen = fp_ip_hlen(ip);

	if (rte_is_multicast_ether_addr(
			&((const struct rte_ether_hdr *)p)->dst_addr) ||
	    !ip4_names_one_host(port, fp_ip_src(ip)) ||
	    !ip4_names_one_host(port, fp_ip_dst(ip)) ||
	    (fp_get16(ip + 6) & FP_IP_OFFMASK) != 0)
		return false;
	/* Errors are 3, 4, 5, 11, 12 (RFC 1812 4.3.2.7). */
	if (ip[9] == FP_IPPROTO_ICMP && fp_ip_total_len(ip) > hlen &&
	    (ip[hlen] == 3 || ip[hlen] == 4 || ip[hlen] == 5 ||
	     ip[hlen] == 11 || ip[hlen] == 12))
		return false;
	return fp_icmp_allow(b->w);
}

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
	if (!icmp_error_allowed(b, p)) {
		drop(b, m, HAVEN_DROP_TOO_BIG);
		return;
	}
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
	rte_ether_addr_copy(haven_fp_port_mac(&fp->ports[b->port]),
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
 * The prepared outer headers, one per inline tunnel kind of IPv4 cells
 * (haven_binding_worker.h): what a kind writes after the Ethernet header
 * besides the outer IPv4 header (RFC 2003 3.1: TTL HAVEN_OUTER_TTL), and
 * the checksum sum of that header's constant words. A new encapsulation
 * is one more entry and, if it has per-packet fields beyond the IPv4
 * total length, a line in fast4_encap(). RFC 3519's IP in UDP has such
 * fields (the NAT's port, the UDP length) and is not a kind: its cells
 * are HAVEN_TUN_SLOW and encap_one() builds it from the record.
 */
struct fp_tmpl4 {
	uint8_t proto;		/* outer IPv4 protocol; 0: no template */
	uint8_t extra_len;	/* bytes after the outer IPv4 header */
	uint32_t extra;		/* those bytes (NBO, up to 4) */
	uint32_t const_sum;	/* 0x4500 + TTL and protocol */
};

#define TMPL_SUM(proto) (0x4500u + ((uint32_t)HAVEN_OUTER_TTL << 8 | (proto)))

static const struct fp_tmpl4 tmpl4[HAVEN_TUN_KINDS] = {
	[HAVEN_TUN_IPIP] = {
		.proto = FP_IPPROTO_IPIP,
		.const_sum = TMPL_SUM(FP_IPPROTO_IPIP),
	},
	[HAVEN_TUN_GRE] = {	/* RFC 2784 2: no C, version 0, IPv4 */
		.proto = FP_IPPROTO_GRE,
		.extra_len = FP_GRE_HLEN,
		.extra = RTE_BE32(RTE_ETHER_TYPE_IPV4),
		.const_sum = TMPL_SUM(FP_IPPROTO_GRE),
	},
};

/*
 * Encapsulate toward a cell's inline tunnel in a straight line: the cell
 * read under its sequence word, TTL, counters, outer header, Ethernet.
 * Returns the output port index, or -1, having touched nothing, when
 * this packet needs the general path (no inline tunnel, cell being
 * rewritten, TTL running out, too big for the port's MTU, no headroom,
 * neighbour not REACHABLE): act_encap() then does it from the record,
 * with every check. The outer header's checksum is always computed here
 * (the kind's constant sum, the outer source's prepared sum, the care-of
 * address, total length, identification and DF), so checksum offload is
 * neither needed nor asked for.
 */
static __rte_always_inline int
fast4_encap(struct fp_fast *f, uint16_t *ip_id, struct rte_mbuf *m,
		struct haven_binding_cell4 *c)
{
	const struct haven_binding_osrc4 *os;
	const struct fp_tmpl4 *tp;
	const struct haven_fp_port *op;
	struct haven_binding_lane *lane;
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *), *ip, *outer;
	const struct haven_neigh *n;
	uint16_t inner_len, total, id, frag, mtu, nk;
	uint32_t r1, r2, coa, coa_h, sum;
	unsigned int hl, kind, out;
	uint8_t port, osrc;

	/* The cell, whole (haven_binding_cell4_read()). */
	r1 = __atomic_load_n(&c->rec, __ATOMIC_ACQUIRE);
	coa = __atomic_load_n(&c->coa, __ATOMIC_RELAXED);
	nk = __atomic_load_n(&c->nk, __ATOMIC_RELAXED);
	port = __atomic_load_n(&c->port, __ATOMIC_RELAXED);
	osrc = __atomic_load_n(&c->osrc, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	r2 = __atomic_load_n(&c->rec, __ATOMIC_RELAXED);
	kind = (nk >> 12) & 0x7;
	if (unlikely(r1 != r2 || r1 == 0 ||
		     (r1 & HAVEN_BINDING_CELL_BUSY) != 0 ||
		     kind == HAVEN_TUN_SLOW))
		return -1;

	/* The neighbour lives on the port (its index in fp->ports). */
	n = &f->neigh[nk & 0x0fff];
	out = n->port;
	if (unlikely(out >= f->n_ports || f->ports[out].port_id != port))
		return -1;
	op = &f->ports[out];
	tp = &tmpl4[kind];
	hl = FP_IPV4_HLEN + tp->extra_len;
	ip = p + sizeof(struct rte_ether_hdr);
	inner_len = fp_ip_total_len(ip);
	total = inner_len + hl;
	mtu = op->mtu != 0 ? op->mtu : RTE_ETHER_MTU;
	if (unlikely(total > mtu || m->data_off < hl || ip[8] <= 1))
		return -1;
	/* The new Ethernet header's destination, written ahead in the
	 * headroom: nothing is committed if the neighbour is not ready. */
	outer = p - hl;
	if (unlikely(!fp_neigh_mac(n, (struct rte_ether_addr *)outer)))
		return -1;

	m->data_off -= hl;
	m->data_len += hl;
	m->pkt_len += hl;
	/* RFC 2003 3.1: forwarding into a tunnel decrements the TTL. */
	fp_ip_ttl_decrement(ip);
	lane = haven_binding_lane(c, f->lane_off);
	lane->pkts++;
	lane->bytes += inner_len;

	rte_ether_addr_copy(haven_fp_port_mac(op),
			(struct rte_ether_addr *)(outer + 6));
	((struct rte_ether_hdr *)outer)->ether_type =
		RTE_BE16(RTE_ETHER_TYPE_IPV4);
	outer += sizeof(struct rte_ether_hdr);
	frag = fp_get16(ip + 6) & FP_IP_DF;
	id = (*ip_id)++;
	os = &f->osrc4[osrc];
	coa_h = rte_be_to_cpu_32(coa);
	sum = tp->const_sum + os->sum + (coa_h >> 16) + (coa_h & 0xffff) +
		total + id + frag;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	/* Bytes 0..11 in network order, as three 32-bit words. */
	fp_put32n(outer, rte_cpu_to_be_32(0x45000000u | total));
	fp_put32n(outer + 4, rte_cpu_to_be_32((uint32_t)id << 16 | frag));
	fp_put32n(outer + 8, rte_cpu_to_be_32(
			(uint32_t)HAVEN_OUTER_TTL << 24 |
			(uint32_t)tp->proto << 16 | (uint16_t)~sum));
	fp_put32n(outer + 12, os->addr);
	fp_put32n(outer + 16, coa);
	if (tp->extra_len != 0)
		fp_put32n(outer + FP_IPV4_HLEN, tp->extra);
	f->n_encap++;
	return (int)out;
}

/*
 * A datagram for a home address. Tunnel whatever reaches our MAC for an
 * intercepted home address, even when another agent is now the
 * forwarder: routers with a stale ARP entry still send here after a
 * delegation (EP 1134991 [0037]).
 */
static void
act_encap(struct fp_burst *b, struct fp_fast *f, struct rte_mbuf *m,
		struct haven_binding_cell4 *c)
{
	const struct haven_binding *bnd;
	struct haven_binding_lane *lane;
	struct haven_binding_tun tun;
	uint8_t *ip;
	unsigned int i;
	int out;

	/* An inline tunnel: intercepted, one care-of address. */
	if (c != NULL && f->osrc4 != NULL) {
		out = fast4_encap(f, &b->w->ip_id, m, c);
		if (out >= 0) {
			tx_enqueue(b, (unsigned int)out, m);
			return;
		}
	}
	memset(&tun, 0, sizeof(tun));
	if (c != NULL)
		haven_binding_cell4_read(c, &tun);
	bnd = tun_record(b, &tun);
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
	/* RFC 2003 3.1: forwarding into a tunnel decrements the TTL. */
	fp_ip_ttl_decrement(ip);
	lane = haven_binding_lane(c, b->lane_off);
	lane->pkts++;
	lane->bytes += fp_ip_total_len(ip);

	/* One copy per care-of address (RFC 5944 simultaneous bindings). */
	for (i = 0; i + 1 < bnd->n_coa; i++) {
		struct rte_mbuf *copy = rte_pktmbuf_copy(m, b->fp->pool, 0,
				UINT32_MAX);

		if (unlikely(copy == NULL)) {
			b->w->stats.drops[HAVEN_DROP_NO_MBUF]++;
			continue;
		}
		encap_one(b, copy, bnd, &bnd->coa[i]);
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
	const struct haven_binding *bnd;
	struct haven_binding_counters *cnt;
	struct haven_binding_tun tun;
	uint8_t *ip, *inner;
	uint16_t inner_len;
	uint32_t next_hop;
	uint8_t out;
	int neigh;

	/* RFC 3024 4.2: a home agent decapsulates only for a mobile node
	 * that asked for reverse tunnelling, from its care-of address. */
	burst_cell(b, md, &tun);
	if (tun.rec == 0) {
		drop(b, m, HAVEN_DROP_REVTUN_NO_BINDING);
		return;
	}
	if (tun.kind != HAVEN_TUN_SLOW) {
		/* The inline tunnel has the one care-of address; it is never
		 * a UDP one (RFC 3519 bindings read the record), so UDP
		 * tunnel data does not come by it. */
		if (!tun.rev) {
			drop(b, m, HAVEN_DROP_REVTUN_NOT_ALLOWED);
			return;
		}
		if (tun.coa != md->outer_src ||
		    md->tunnel == FP_IPPROTO_UDP) {
			drop(b, m, HAVEN_DROP_REVTUN_BAD_SOURCE);
			return;
		}
	} else {
		bnd = tun_record(b, &tun);
		if (!(bnd->flags & HAVEN_BINDING_F_REVERSE_TUNNEL)) {
			drop(b, m, HAVEN_DROP_REVTUN_NOT_ALLOWED);
			return;
		}
		if (!is_tunnel_end(bnd, md)) {
			drop(b, m, HAVEN_DROP_REVTUN_BAD_SOURCE);
			return;
		}
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

	if (likely(b->w->counters != NULL)) {
		cnt = &b->w->counters[tun.slot];
		cnt->rev_pkts++;
		cnt->rev_bytes += inner_len;
	}
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
 * Before pass 1, in one tight loop: the cell each frame's destination
 * would have in the first direct prefix, prefetched on the strength of
 * the Ethernet type alone (a wrong guess only costs a prefetch), so that
 * the burst's cell misses are all in flight before the classification
 * work starts, as rte_hash's bulk lookup does with its buckets.
 */
static __rte_always_inline void
prefetch_cells(const struct fp_fast *f, const struct fp_fast6 *f6,
		struct rte_mbuf **pkts, uint16_t n)
{
	const uint8_t *p;
	uint32_t d, off;
	uint16_t i, type;

	for (i = 0; i < n; i++) {
		p = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		memcpy(&type, p + 12, 2);
		if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
			memcpy(&d, p + 30, 4);
			off = rte_be_to_cpu_32(d) - f->base;
			if (off < f->size)
				rte_prefetch0_write(f->cells +
					((size_t)off << f->cell_shift));
		} else if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
			memcpy(&d, p + 50, 4);
			off = rte_be_to_cpu_32(d) - f6->base;
			if (off < f6->size)
				rte_prefetch0_write(f6->cells +
					((size_t)off << f6->cell_shift));
		}
	}
}

/*
 * Between the passes: the records of the common case's cells that have no
 * inline tunnel (IP in UDP, several care-of addresses, minimal), which
 * pass 2 reads (act_encap()); their first line holds what it needs. Only
 * called while the table has such cells (v->n_slow).
 */
static void
prefetch_slow_records(const struct fp_fast *f, const struct fp_meta *meta,
		void *const *fast, uint16_t n)
{
	const struct haven_binding_cell4 *c;
	uint32_t r;
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (meta[i].action != ACT_FAST || fast[i] == NULL)
			continue;
		c = fast[i];
		/* A hint: a stale index still lies in the record pool. */
		r = __atomic_load_n(&c->rec, __ATOMIC_RELAXED) &
			~HAVEN_BINDING_CELL_BUSY;
		if (r != 0 && ((__atomic_load_n(&c->nk, __ATOMIC_RELAXED) >>
				12) & 0x7) == HAVEN_TUN_SLOW)
			rte_prefetch0(haven_binding_rec(f->v, r));
	}
}

static uint16_t
process_burst(struct haven_worker *w, uint16_t port, struct rte_mbuf **pkts,
		uint16_t n)
{
	void *fast[HAVEN_BURST];		/* the common case's cells */
	uint32_t fast_key[HAVEN_BURST];		/* ... IPv4 fallback keys */
	struct fp_meta meta[HAVEN_BURST];
	struct fp_burst b;
	struct fp_fast f;
	struct fp_fast6 f6;
	unsigned int n_ffb = 0;
	uint16_t i;
	int out;

	b.w = w;
	b.fp = w->fp;
	b.v = w->fp->bindings != NULL ?
		haven_binding_view4(w->fp->bindings) : NULL;
	b.lane_off = haven_binding_lane_off4(w->id);
	b.port = port;
	b.n_keys = 0;
	b.n_fb = 0;
	b.n_fb6 = 0;
	b.n_tx = 0;
	b.n_punt = 0;
	b.n_reg = 0;
	b.now = 0;
	fast_init(&f, w->fp, b.v, port, b.lane_off);
	fast6_init(&f6, w->fp, w->id);
	w->stats.rx_pkts += n;

	if (f.prepass || f6.prepass)
		prefetch_cells(&f, &f6, pkts, n);
	for (i = 0; i < PREFETCH_OFFSET && i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + PREFETCH_OFFSET < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_OFFSET],
					void *));
		meta[i].action = fast_classify(&f, &f6, pkts[i], &fast[i],
				&fast_key[i]);
		if (likely(meta[i].action == ACT_FAST))
			continue;
		if (meta[i].action == ACT_DROP)
			classify(&b, pkts[i], &meta[i], i);
		else
			n_ffb++;
	}
	/* The cells pass 1 could not find at once, now their entries came. */
	for (i = 0; n_ffb > 0 && i < n; i++) {
		if (meta[i].action == ACT_FAST_FB) {
			fast[i] = haven_binding_find4(f.v, fast_key[i]);
			if (fast[i] != NULL)
				rte_prefetch0_write(fast[i]);
			meta[i].action = ACT_FAST;
			n_ffb--;
		} else if (meta[i].action == ACT_FAST6_FB) {
			fast[i] = fast6_fallback(&f6, pkts[i]);
			meta[i].action = ACT_FAST6;
			n_ffb--;
		}
	}
	if (b.n_fb > 0)
		burst_fallback(&b);
	/* Only while the table has cells without an inline tunnel: one load
	 * a burst otherwise. */
	if (unlikely(f.v != NULL &&
		     __atomic_load_n(&f.v->n_slow, __ATOMIC_RELAXED) != 0))
		prefetch_slow_records(&f, meta, fast, n);
	for (i = 0; i < b.n_fb6; i++)
		b.cells6[b.fb6[i]] = fp6_fallback(b.fp, pkts[b.fb6[i]]);

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (likely(meta[i].action == ACT_FAST)) {
			out = fast[i] == NULL ? -1 :
				fast4_encap(&f, &w->ip_id, m, fast[i]);
			if (likely(out >= 0))
				tx_enqueue(&b, (unsigned int)out, m);
			else
				act_encap(&b, &f, m, fast[i]);
			continue;
		}
		switch (meta[i].action) {
		case ACT_FAST6:
			out = fast[i] == NULL ? -1 :
				fast6_encap(&f6, m, fast[i]);
			if (out >= 0)
				tx_enqueue(&b, (unsigned int)out, m);
			else
				fp6_input(&b, w, port, m, fast[i], &f6);
			break;
		case ACT_ENCAP:
			act_encap(&b, &f, m, meta[i].key == NO_KEY ? NULL :
					b.cells[meta[i].key]);
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
		case ACT_REG:
			act_reg(&b, m, &meta[i]);
			break;
		case ACT_IPV6:
			fp6_input(&b, w, port, m, b.cells6[i], &f6);
			break;
		default:
			drop(&b, m, meta[i].drop);
			break;
		}
	}
	if (b.n_punt > 0)
		punt_flush(&b);
	if (b.n_reg > 0)
		reg_flush(&b);
	w->stats.encap_pkts += f.n_encap + f6.n_encap;
	return b.n_tx;
}

/* ------------------------------------------------------------------ */
/* Per-port and runtime accounting (show ports, show runtime)          */
/* ------------------------------------------------------------------ */

/* The worker's totals that per-port counters take their share of. */
struct port_snap {
	uint64_t encap, decap, proxy, punted, dropped;
};

static inline void
port_snap(const struct haven_worker_stats *st, struct port_snap *s)
{
	unsigned int d;

	s->encap = st->encap_pkts;
	s->decap = st->decap_pkts;
	s->proxy = st->proxy_arp + st->proxy_nd;
	s->punted = st->punted;
	s->dropped = 0;
	for (d = 0; d < HAVEN_DROP_MAX; d++)
		s->dropped += st->drops[d];
}

/* What the bursts of n packets from port did, by the totals' change. */
static inline void
port_account(struct haven_worker *w, uint16_t port, uint16_t n,
		const struct port_snap *before)
{
	struct haven_worker_port_stats *ps;
	struct port_snap after;

	if (unlikely(port >= HAVEN_MAX_PORTS))
		return;
	port_snap(&w->stats, &after);
	ps = &w->port_stats[port];
	ps->rx += n;
	ps->encap += after.encap - before->encap;
	ps->decap += after.decap - before->decap;
	ps->proxy += after.proxy - before->proxy;
	ps->punted += after.punted - before->punted;
	ps->dropped += after.dropped - before->dropped;
}

uint16_t
haven_worker_process_burst(struct haven_worker *w, uint16_t port,
		struct rte_mbuf **pkts, uint16_t n)
{
	struct port_snap before;
	uint16_t done = 0, tx = 0;

	port_snap(&w->stats, &before);
	while (done < n) {
		uint16_t k = RTE_MIN(n - done, HAVEN_BURST);

		tx += process_burst(w, port, pkts + done, k);
		done += k;
	}
	port_account(w, port, n, &before);
	return tx;
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */
/* ------------------------------------------------------------------ */

struct idle_state {
	unsigned int empty_polls;
	unsigned int sleep_us;
};

/*
 * Adaptive idle: nap longer and longer, offline for RCU meanwhile.
 * Returns true when it slept.
 */
static bool
worker_idle(struct haven_worker *w, struct idle_state *idle)
{
	struct rte_rcu_qsbr *qsbr = w->fp->qsbr;

	if (++idle->empty_polls < IDLE_POLLS_BEFORE_SLEEP)
		return false;
	idle->sleep_us = idle->sleep_us == 0 ? IDLE_SLEEP_MIN_US :
		RTE_MIN(idle->sleep_us * 2, (unsigned int)IDLE_SLEEP_MAX_US);
	if (qsbr != NULL)
		rte_rcu_qsbr_thread_offline(qsbr, w->id);
	rte_delay_us_sleep(idle->sleep_us);
	if (qsbr != NULL)
		rte_rcu_qsbr_thread_online(qsbr, w->id);
	return true;
}

int
haven_worker_main(void *arg)
{
	struct haven_worker *w = arg;
	struct haven_fp *fp = w->fp;
	struct rte_mbuf *pkts[HAVEN_BURST];
	struct idle_state idle = { 0, 0 };
	unsigned int q, got, bursts;
	uint64_t t;
	uint16_t n;

	w->ip_id = (uint16_t)rte_rand();
	if (fp->qsbr != NULL) {
		rte_rcu_qsbr_thread_register(fp->qsbr, w->id);
		rte_rcu_qsbr_thread_online(fp->qsbr, w->id);
	}
	t = rte_rdtsc();
	w->runtime.now_tsc = t;
	w->runtime.start_tsc = t;
	while (!*fp->quit) {
		got = 0;
		bursts = 0;
		for (q = 0; q < w->n_rxq; q++) {
			n = rte_eth_rx_burst(fp->ports[w->rxq[q].port].port_id,
					w->rxq[q].queue, pkts, HAVEN_BURST);
			if (n > 0) {
				haven_worker_process_burst(w, w->rxq[q].port,
						pkts, n);
				bursts++;
			}
			got += n;
		}
		haven_worker_flush(w);
		if (fp->qsbr != NULL)
			rte_rcu_qsbr_quiescent(fp->qsbr, w->id);
		haven_worker_turn(w, &t, bursts);
		if (got == 0 && fp->idle_adaptive) {
			if (worker_idle(w, &idle))
				t = rte_rdtsc();	/* a nap is not busy */
		} else if (got != 0) {
			idle = (struct idle_state){ 0, 0 };
		}
	}
	haven_worker_flush(w);
	if (fp->qsbr != NULL) {
		rte_rcu_qsbr_thread_offline(fp->qsbr, w->id);
		rte_rcu_qsbr_thread_unregister(fp->qsbr, w->id);
	}
	return 0;
}
