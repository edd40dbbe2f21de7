/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the fast path. A home port and a visited port are net_ring
 * devices whose TX rings the tests read back, so every assertion is about
 * bytes as they would go on the wire; packets are fed straight into
 * haven_worker_process_burst(). The binding table is the real one.
 *
 * Topology: home link 192.0.2.0/24 on port index 0 (agent 192.0.2.1,
 * router .254, correspondent .50, mobile node's home address .10);
 * visited link 198.51.100.0/24 on port index 1 (port 198.51.100.1, care-of
 * address .20, gateway .254 toward 203.0.113.0/24 where a second care-of
 * address 203.0.113.5 lives). Tunnels must leave port 1 with the agent's
 * home address 192.0.2.1 as outer source (claim 5), not 198.51.100.1.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <inttypes.h>

#include <rte_arp.h>
#include <rte_alarm.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_lpm.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "haven_binding.h"
#include "haven_binding_worker.h"
#include "haven_fastpath.h"
#include "encap_private.h"
#include "test.h"

#define IP(a, b, c, d) RTE_BE32(RTE_IPV4(a, b, c, d))
#define MAC(x, y) { .addr_bytes = { 0x02, 0, 0, 0, x, y } }

#define HA		IP(192, 0, 2, 1)
#define ROUTER		IP(192, 0, 2, 254)
#define CH		IP(192, 0, 2, 50)
#define HOME		IP(192, 0, 2, 10)
#define HOME2		IP(192, 0, 2, 11)
#define VPORT		IP(198, 51, 100, 1)
#define COA		IP(198, 51, 100, 20)
#define COA_BAD		IP(198, 51, 100, 99)
#define GW		IP(198, 51, 100, 254)
#define COA2		IP(203, 0, 113, 5)
#define REMOTE		IP(203, 0, 113, 77)
#define UNRESOLVED	IP(198, 51, 100, 30)

static const struct rte_ether_addr port_mac[2] = { MAC(0xaa, 0), MAC(0xaa, 1) };
static const struct rte_ether_addr router_mac = MAC(0, 0xfe);
static const struct rte_ether_addr ch_mac = MAC(0, 0x50);
static const struct rte_ether_addr coa_mac = MAC(1, 0x14);
static const struct rte_ether_addr gw_mac = MAC(1, 0xfe);
static const struct rte_ether_addr stranger_mac = MAC(9, 9);

static struct rte_mempool *pool;
static struct haven_fp fp;
static struct haven_worker w;
static struct haven_binding_table *table;
static volatile bool quit;
static int neigh_coa, neigh_gw, neigh_unresolved;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Internet checksum, written independently of the library's. */
static uint16_t
cksum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += p[i] << 8 | p[i + 1];
	if (len & 1)
		s += p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
ip_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Write a 20-byte IPv4 header with a valid checksum. */
static void
put_ipv4(uint8_t *ip, uint8_t proto, uint16_t total, uint32_t src,
		uint32_t dst, uint8_t ttl, uint16_t frag)
{
	uint16_t c;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = total >> 8;
	ip[3] = total & 0xff;
	ip[4] = 0x12;
	ip[5] = 0x34;
	ip[6] = frag >> 8;
	ip[7] = frag & 0xff;
	ip[8] = ttl;
	ip[9] = proto;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	c = cksum(ip, 20);
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
}

/* An Ethernet frame of len bytes after the header, zero-filled. */
static struct rte_mbuf *
frame(const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
		uint16_t type, uint16_t len, uint8_t **l3)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + len);
	memset(eth, 0, sizeof(*eth) + len);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(type);
	*l3 = (uint8_t *)(eth + 1);
	return m;
}

/* A UDP datagram of payload bytes 0, 1, 2, ... (checksum 0). */
static struct rte_mbuf *
udp_packet(const struct rte_ether_addr *dst_mac, uint32_t src, uint32_t dst,
		uint8_t ttl, uint16_t frag, uint16_t dport, uint16_t payload)
{
	uint16_t total = 20 + 8 + payload, i;
	uint8_t *ip;
	struct rte_mbuf *m = frame(dst_mac, &router_mac, RTE_ETHER_TYPE_IPV4,
			total, &ip);

	if (m == NULL)
		return NULL;
	put_ipv4(ip, IPPROTO_UDP, total, src, dst, ttl, frag);
	ip[20] = 0x30;
	ip[21] = 0x39;
	ip[22] = dport >> 8;
	ip[23] = dport & 0xff;
	ip[24] = (8 + payload) >> 8;
	ip[25] = (8 + payload) & 0xff;
	for (i = 0; i < payload; i++)
		ip[28 + i] = (uint8_t)i;
	return m;
}

static struct rte_mbuf *
arp_request(const struct rte_ether_addr *sha, uint32_t spa, uint32_t tpa)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m == NULL)
		return NULL;
	/* The sender is not the port: only its MAC matters. */
	haven_build_arp(m, RTE_ARP_OP_REQUEST, sha, &bcast, sha, spa, &zero,
			tpa);
	return m;
}

static void
run(uint16_t port, struct rte_mbuf *m)
{
	haven_worker_process_burst(&w, port, &m, 1);
	haven_worker_flush(&w);
}

/* Next frame the fast path transmitted on a port, or NULL. */
static struct rte_mbuf *
sent(unsigned int port)
{
	struct rte_mbuf *m = NULL;

	if (rte_eth_rx_burst(fp.ports[port].port_id, 0, &m, 1) != 1)
		return NULL;
	return m;
}

static struct rte_mbuf *
punted(void)
{
	void *m = NULL;

	if (rte_ring_dequeue(fp.punt_ring, &m) != 0)
		return NULL;
	return m;
}

static void
drain(void)
{
	struct rte_mbuf *m;
	unsigned int p;

	for (p = 0; p < 2; p++)
		while ((m = sent(p)) != NULL)
			rte_pktmbuf_free(m);
	while ((m = punted()) != NULL)
		rte_pktmbuf_free(m);
	memset(&w.stats, 0, sizeof(w.stats));
	memset(&w.port_stats, 0, sizeof(w.port_stats));
	memset(&w.runtime, 0, sizeof(w.runtime));
}

static const struct haven_binding_coa coa_direct = {
	.addr = COA, .next_hop = COA, .port = 1,
};

/* A binding of home with the given care-of addresses, to publish. */
static void
binding_of(struct haven_binding *b, uint32_t home, uint8_t encap,
		uint8_t flags, unsigned int n, const struct haven_binding_coa *coas)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	b->home_addr = home;
	b->outer_src = HA;
	b->encap = encap;
	b->flags = flags;
	b->forwarder = HAVEN_FORWARDER_SELF;
	b->n_coa = n;
	for (i = 0; i < n; i++)
		b->coa[i] = coas[i];
}

/* Publish a binding of home with the given care-of addresses. */
static int
bind_home(uint32_t home, uint8_t encap, uint8_t flags, unsigned int n,
		const struct haven_binding_coa *coas)
{
	struct haven_binding b;

	binding_of(&b, home, encap, flags, n, coas);
	return haven_binding_publish(table, &b);
}

static int
bind_simple(uint32_t home, uint8_t encap, uint8_t flags)
{
	struct haven_binding_coa c = coa_direct;

	c.neigh = neigh_coa;
	return bind_home(home, encap, flags, 1, &c);
}

/*
 * A binding's counters as the control lcore sums them (the worker's lane
 * in the cell and its row): a snapshot, refreshed by every call.
 */
static const struct haven_binding_counters *
counters(uint32_t home)
{
	static struct haven_binding_counters sum;
	const struct haven_binding *b = haven_binding_lookup(table, home);

	if (b == NULL)
		return NULL;
	haven_binding_counters_sum(table, b->slot, &sum);
	return &sum;
}

/* Check an outer/inner IPv4 header: version, checksum, addresses. */
static int
check_ipv4(const uint8_t *ip, uint8_t proto, uint32_t src, uint32_t dst,
		uint16_t total, uint8_t ttl)
{
	TEST_ASSERT_EQUAL(ip[0] >> 4, 4, "version");
	TEST_ASSERT_EQUAL(cksum(ip, (ip[0] & 0xf) * 4), 0, "header checksum");
	TEST_ASSERT_EQUAL(ip[9], proto, "protocol");
	TEST_ASSERT_EQUAL(ip_at(ip + 12), src, "source");
	TEST_ASSERT_EQUAL(ip_at(ip + 16), dst, "destination");
	TEST_ASSERT_EQUAL(be16(ip + 2), total, "total length");
	TEST_ASSERT_EQUAL(ip[8], ttl, "TTL");
	return 0;
}

/* The inner UDP datagram of udp_packet(payload) after one hop. */
static int
check_inner_udp(const uint8_t *ip, uint32_t src, uint32_t dst,
		uint16_t payload, uint8_t ttl)
{
	uint16_t i;

	if (check_ipv4(ip, IPPROTO_UDP, src, dst, 28 + payload, ttl) != 0)
		return -1;
	for (i = 0; i < payload; i++)
		TEST_ASSERT_EQUAL(ip[28 + i], (uint8_t)i, "payload byte %u", i);
	return 0;
}

static int
check_eth(const struct rte_mbuf *m, const struct rte_ether_addr *dst,
		const struct rte_ether_addr *src, uint16_t type)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	TEST_ASSERT(rte_is_same_ether_addr(&eth->dst_addr, dst), "eth dst");
	TEST_ASSERT(rte_is_same_ether_addr(&eth->src_addr, src), "eth src");
	TEST_ASSERT_EQUAL(rte_be_to_cpu_16(eth->ether_type), type, "type");
	return 0;
}

/* ------------------------------------------------------------------ */
/* ARP                                                                 */
/* ------------------------------------------------------------------ */

static int
test_proxy_arp_reply(void)
{
	struct rte_mbuf *m;
	const struct rte_arp_hdr *arp;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	run(0, arp_request(&router_mac, ROUTER, HOME));
	m = sent(0);
	TEST_ASSERT(m != NULL, "no reply on the home port");
	if (check_eth(m, &router_mac, &port_mac[0], RTE_ETHER_TYPE_ARP) != 0)
		return -1;
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, 14);
	TEST_ASSERT_EQUAL(rte_be_to_cpu_16(arp->arp_opcode), 2, "opcode");
	TEST_ASSERT(rte_is_same_ether_addr(&arp->arp_data.arp_sha,
			&port_mac[0]), "sender MAC is the port's");
	TEST_ASSERT_EQUAL(arp->arp_data.arp_sip, HOME, "sender IP");
	TEST_ASSERT(rte_is_same_ether_addr(&arp->arp_data.arp_tha,
			&router_mac), "target MAC is the requester's");
	TEST_ASSERT_EQUAL(arp->arp_data.arp_tip, ROUTER, "target IP");
	TEST_ASSERT_EQUAL(w.stats.proxy_arp, 1, "proxy_arp counter");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_arp_not_answered(void)
{
	struct rte_mbuf *m;

	drain();
	/* Unknown target, unknown sender: dropped. */
	run(0, arp_request(&stranger_mac, IP(192, 0, 2, 77),
			IP(192, 0, 2, 99)));
	TEST_ASSERT(sent(0) == NULL, "answered an unbound address");
	TEST_ASSERT(punted() == NULL, "punted a stranger's ARP");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NOT_FOR_US], 1, "drop");

	/* Bound but not intercepted here: punted, not answered. */
	TEST_ASSERT_EQUAL(bind_simple(HOME2, HAVEN_ENCAP_IPIP, 0), 0, "bind");
	run(0, arp_request(&router_mac, ROUTER, HOME2));
	TEST_ASSERT(sent(0) == NULL, "answered without intercept");

	/* A mobile node back home announces itself: never answered. */
	run(0, arp_request(&stranger_mac, HOME, HOME));
	TEST_ASSERT(sent(0) == NULL, "answered a gratuitous ARP");
	m = punted();
	TEST_ASSERT(m != NULL, "gratuitous ARP for a home address not punted");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_REASON(m), HAVEN_PUNT_CONTROL, "reason");
	rte_pktmbuf_free(m);
	drain();

	/* Proxy ARP is for the home link only. */
	run(1, arp_request(&gw_mac, GW, HOME));
	TEST_ASSERT(sent(1) == NULL, "proxy ARP on the visited link");
	return 0;
}

static int
test_arp_own_address(void)
{
	struct rte_mbuf *m;
	const struct rte_arp_hdr *arp;

	drain();
	run(1, arp_request(&gw_mac, GW, VPORT));
	m = sent(1);
	TEST_ASSERT(m != NULL, "no reply for the port's address");
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, 14);
	TEST_ASSERT_EQUAL(arp->arp_data.arp_sip, VPORT, "sender IP");
	TEST_ASSERT(rte_is_same_ether_addr(&arp->arp_data.arp_sha,
			&port_mac[1]), "sender MAC");
	TEST_ASSERT_EQUAL(w.stats.proxy_arp, 0, "not a proxy reply");
	rte_pktmbuf_free(m);
	TEST_ASSERT(punted() == NULL, "known neighbour, same MAC: no punt");
	return 0;
}

static int
test_arp_learns_changed_mac(void)
{
	struct rte_mbuf *m;

	drain();
	/* The gateway asks for us from a new MAC: answer and tell control. */
	run(1, arp_request(&stranger_mac, GW, VPORT));
	m = sent(1);
	TEST_ASSERT(m != NULL, "no reply");
	if (check_eth(m, &stranger_mac, &port_mac[1], RTE_ETHER_TYPE_ARP) != 0)
		return -1;
	rte_pktmbuf_free(m);
	m = punted();
	TEST_ASSERT(m != NULL, "control lcore not told of the new MAC");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_REASON(m), HAVEN_PUNT_CONTROL, "reason");
	TEST_ASSERT_EQUAL(rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(m,
			struct rte_arp_hdr *, 14)->arp_opcode), 1,
			"the request as received");
	rte_pktmbuf_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Encapsulation                                                       */
/* ------------------------------------------------------------------ */

static int
test_ipip_encap(void)
{
	const struct haven_binding_counters *c;
	struct haven_binding_counters before;
	struct rte_mbuf *m;
	const uint8_t *o;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	c = counters(HOME);
	TEST_ASSERT(c != NULL, "binding");
	before = *c;
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0x4000, 9, 100));
	m = sent(1);
	TEST_ASSERT(m != NULL, "nothing tunnelled on the visited port");
	if (check_eth(m, &coa_mac, &port_mac[1], RTE_ETHER_TYPE_IPV4) != 0)
		return -1;
	o = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 20 + 128, "length");
	if (check_ipv4(o, 4, HA, COA, 20 + 128, HAVEN_OUTER_TTL) != 0)
		return -1;
	TEST_ASSERT_EQUAL(be16(o + 6), 0x4000, "DF copied from inner");
	if (check_inner_udp(o + 20, REMOTE, HOME, 100, 63) != 0)
		return -1;
	c = counters(HOME);
	TEST_ASSERT_EQUAL(c->pkts - before.pkts, 1, "binding pkts");
	TEST_ASSERT_EQUAL(c->bytes - before.bytes, 128, "binding bytes");
	TEST_ASSERT_EQUAL(w.stats.encap_pkts, 1, "encap_pkts");
	TEST_ASSERT_EQUAL(w.stats.tx_pkts, 1, "tx_pkts");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_minimal_encap_s(void)
{
	struct rte_mbuf *m;
	const uint8_t *o, *f;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_MINIMAL,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0, 9, 40));
	m = sent(1);
	TEST_ASSERT(m != NULL, "nothing tunnelled");
	o = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	/* RFC 2004 3: modified header, TTL as forwarded, +12 bytes. */
	if (check_ipv4(o, 55, HA, COA, 68 + 12, 63) != 0)
		return -1;
	f = o + 20;
	TEST_ASSERT_EQUAL(f[0], IPPROTO_UDP, "original protocol");
	TEST_ASSERT_EQUAL(f[1], 0x80, "S bit");
	TEST_ASSERT_EQUAL(cksum(f, 12), 0, "forwarding header checksum");
	TEST_ASSERT_EQUAL(ip_at(f + 4), HOME, "original destination");
	TEST_ASSERT_EQUAL(ip_at(f + 8), REMOTE, "original source");
	TEST_ASSERT_EQUAL(be16(f + 12), 0x3039, "UDP follows");
	TEST_ASSERT_EQUAL(f[12 + 8 + 39], 39, "last payload byte");
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 80, "length");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_minimal_encap_no_s(void)
{
	struct rte_mbuf *m;
	const uint8_t *o, *f;

	drain();
	/* The encapsulator is the original source: no S, 8 bytes. */
	run(0, udp_packet(&port_mac[0], HA, HOME, 64, 0, 9, 40));
	m = sent(1);
	TEST_ASSERT(m != NULL, "nothing tunnelled");
	o = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_ipv4(o, 55, HA, COA, 68 + 8, 63) != 0)
		return -1;
	f = o + 20;
	TEST_ASSERT_EQUAL(f[1], 0, "S bit clear");
	TEST_ASSERT_EQUAL(cksum(f, 8), 0, "forwarding header checksum");
	TEST_ASSERT_EQUAL(ip_at(f + 4), HOME, "original destination");
	TEST_ASSERT_EQUAL(be16(f + 8), 0x3039, "UDP follows");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_minimal_fragment_uses_ipip(void)
{
	struct rte_mbuf *m;
	const uint8_t *o;

	drain();
	/* RFC 2004 3: a fragment (MF set) cannot be minimally encapsulated. */
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0x2000, 9, 40));
	m = sent(1);
	TEST_ASSERT(m != NULL, "nothing tunnelled");
	o = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_ipv4(o, 4, HA, COA, 20 + 68, HAVEN_OUTER_TTL) != 0)
		return -1;
	TEST_ASSERT_EQUAL(be16(o + 20 + 6), 0x2000, "inner keeps MF");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_gre_encap(void)
{
	static const uint8_t gre[4] = { 0, 0, 0x08, 0x00 };
	struct rte_mbuf *m;
	const uint8_t *o;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_GRE,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 30, 0, 9, 10));
	m = sent(1);
	TEST_ASSERT(m != NULL, "nothing tunnelled");
	o = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_ipv4(o, 47, HA, COA, 20 + 4 + 38, HAVEN_OUTER_TTL) != 0)
		return -1;
	TEST_ASSERT_EQUAL(be16(o + 6), 0, "no DF when the inner has none");
	TEST_ASSERT_MEM(o + 20, gre, 4, "GRE header");
	if (check_inner_udp(o + 24, REMOTE, HOME, 10, 29) != 0)
		return -1;
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_two_care_of_addresses(void)
{
	struct haven_binding_coa coas[2] = { coa_direct, {
		.addr = COA2, .next_hop = GW, .port = 1 } };
	const struct haven_binding_counters *c;
	uint64_t pkts;
	struct rte_mbuf *m1, *m2;
	const uint8_t *o1, *o2;

	drain();
	coas[0].neigh = neigh_coa;
	coas[1].neigh = neigh_gw;
	TEST_ASSERT_EQUAL(bind_home(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT, 2, coas), 0, "bind");
	c = counters(HOME);
	pkts = c->pkts;
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0, 9, 20));
	m1 = sent(1);
	m2 = sent(1);
	TEST_ASSERT(m1 != NULL && m2 != NULL, "expected two copies");
	TEST_ASSERT(sent(1) == NULL, "more than two copies");
	if (check_eth(m1, &coa_mac, &port_mac[1], RTE_ETHER_TYPE_IPV4) != 0 ||
	    check_eth(m2, &gw_mac, &port_mac[1], RTE_ETHER_TYPE_IPV4) != 0)
		return -1;
	o1 = rte_pktmbuf_mtod_offset(m1, const uint8_t *, 14);
	o2 = rte_pktmbuf_mtod_offset(m2, const uint8_t *, 14);
	if (check_ipv4(o1, 4, HA, COA, 68, HAVEN_OUTER_TTL) != 0 ||
	    check_ipv4(o2, 4, HA, COA2, 68, HAVEN_OUTER_TTL) != 0 ||
	    check_inner_udp(o1 + 20, REMOTE, HOME, 20, 63) != 0 ||
	    check_inner_udp(o2 + 20, REMOTE, HOME, 20, 63) != 0)
		return -1;
	TEST_ASSERT(be16(o1 + 4) != be16(o2 + 4), "fresh IP id per packet");
	TEST_ASSERT_EQUAL(w.stats.encap_pkts, 2, "encap_pkts");
	c = counters(HOME);
	TEST_ASSERT_EQUAL(c->pkts - pkts, 1, "one inner packet counted");
	rte_pktmbuf_free(m1);
	rte_pktmbuf_free(m2);
	return 0;
}

static int
test_unresolved_next_hop_punted(void)
{
	struct haven_binding_coa coa = {
		.addr = UNRESOLVED, .next_hop = UNRESOLVED, .port = 1 };
	struct rte_ether_addr zero = { .addr_bytes = { 0 } };
	struct rte_mbuf *m;
	const uint8_t *o;

	drain();
	coa.neigh = neigh_unresolved;
	TEST_ASSERT_EQUAL(bind_home(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT, 1, &coa), 0, "bind");
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0, 9, 20));
	TEST_ASSERT(sent(1) == NULL, "sent with no MAC");
	m = punted();
	TEST_ASSERT(m != NULL, "not punted");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_REASON(m), HAVEN_PUNT_RESOLVE, "reason");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_NEIGH(m), neigh_unresolved, "neighbour");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_NEXT_HOP(m), UNRESOLVED, "next hop");
	TEST_ASSERT_EQUAL(m->port, fp.ports[1].port_id, "output port");
	if (check_eth(m, &zero, &port_mac[1], RTE_ETHER_TYPE_IPV4) != 0)
		return -1;
	o = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_ipv4(o, 4, HA, UNRESOLVED, 68, HAVEN_OUTER_TTL) != 0)
		return -1;
	TEST_ASSERT_EQUAL(w.stats.punted, 1, "punted counter");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_ttl_expired(void)
{
	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 1, 0, 9, 20));
	TEST_ASSERT(sent(1) == NULL, "forwarded with TTL 1");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_TTL_EXPIRED], 1, "drop");
	return 0;
}

static int
test_no_binding_and_not_for_us(void)
{
	drain();
	run(0, udp_packet(&port_mac[0], REMOTE, IP(192, 0, 2, 123), 64, 0,
			9, 20));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NO_BINDING], 1, "no bind");
	run(0, udp_packet(&stranger_mac, REMOTE, HOME, 64, 0, 9, 20));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NOT_FOR_US], 1, "not us");
	TEST_ASSERT(sent(0) == NULL && sent(1) == NULL, "sent something");
	return 0;
}

static int
test_too_big_frag_needed(void)
{
	struct rte_mbuf *m;
	const uint8_t *ip, *icmp;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	/* 1500 bytes with DF: 1520 after IP in IP exceeds the MTU. */
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0x4000, 9, 1472));
	TEST_ASSERT(sent(1) == NULL, "tunnelled beyond the MTU");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_TOO_BIG], 1, "drop");
	m = sent(0);
	TEST_ASSERT(m != NULL, "no ICMP fragmentation needed");
	if (check_eth(m, &router_mac, &port_mac[0], RTE_ETHER_TYPE_IPV4) != 0)
		return -1;
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_ipv4(ip, 1, HA, REMOTE, 20 + 8 + 28, 64) != 0)
		return -1;
	icmp = ip + 20;
	TEST_ASSERT_EQUAL(icmp[0], 3, "type");
	TEST_ASSERT_EQUAL(icmp[1], 4, "code");
	TEST_ASSERT_EQUAL(be16(icmp + 6), 1480, "next-hop MTU");
	TEST_ASSERT_EQUAL(cksum(icmp, 8 + 28), 0, "ICMP checksum");
	TEST_ASSERT_EQUAL(ip_at(icmp + 8 + 16), HOME, "quoted destination");
	rte_pktmbuf_free(m);
	return 0;
}

/* Frames fragmentation needed answered on port 0 (freed). */
static unsigned int
count_frag_needed(void)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while ((m = sent(0)) != NULL) {
		const uint8_t *ip = rte_pktmbuf_mtod_offset(m,
				const uint8_t *, 14);

		n += ip[9] == 1 && ip[20] == 3 && ip[21] == 4;
		rte_pktmbuf_free(m);
	}
	return n;
}

/*
 * Issue 10 #7: ICMP errors are rate limited per worker (a token bucket)
 * and never sent about a datagram whose source or destination names no
 * single host, about a non-first fragment or about an ICMP error.
 */
static int
test_icmp_errors_limited(void)
{
	static const uint32_t odd_src[] = {
		IP(0, 0, 0, 0), IP(0, 1, 2, 3), IP(127, 0, 0, 1),
		IP(224, 0, 0, 5), IP(240, 0, 0, 1), IP(255, 255, 255, 255),
		IP(192, 0, 2, 255),	/* the home port's directed broadcast */
	};
	struct rte_mbuf *m;
	uint8_t *ip;
	uint16_t c;
	unsigned int i;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	fp.icmp_rate = 1;		/* 1 a second: no refill in the test */
	fp.icmp_burst = 3;
	w.icmp_credit = 0;
	w.icmp_tsc = 0;			/* a long idle: the bucket is full */
	for (i = 0; i < 10; i++)
		run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0x4000, 9,
				1472));
	TEST_ASSERT_EQUAL(count_frag_needed(), 3, "errors sent of 10");
	TEST_ASSERT_EQUAL(w.stats.icmp_errors, 3, "icmp_errors");
	TEST_ASSERT_EQUAL(w.stats.icmp_limited, 7, "icmp_limited");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_TOO_BIG], 10, "too_big");

	/* Odd sources, a non-first fragment, an ICMP error: none answered,
	 * and none takes a token. */
	drain();
	w.icmp_tsc = 0;
	for (i = 0; i < RTE_DIM(odd_src); i++)
		run(0, udp_packet(&port_mac[0], odd_src[i], HOME, 64, 0x4000,
				9, 1472));
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0x4000 | 0x00b9, 9,
			1472));
	m = udp_packet(&port_mac[0], REMOTE, HOME, 64, 0x4000, 9, 1472);
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
	ip[9] = 1;			/* ICMP destination unreachable */
	ip[20] = 3;
	ip[10] = ip[11] = 0;
	c = cksum(ip, 20);
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
	run(0, m);
	TEST_ASSERT_EQUAL(count_frag_needed(), 0, "an error about them");
	TEST_ASSERT_EQUAL(w.stats.icmp_errors + w.stats.icmp_limited, 0,
		"tokens taken");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_TOO_BIG],
		RTE_DIM(odd_src) + 2, "too_big");
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0x4000, 9, 1472));
	TEST_ASSERT_EQUAL(count_frag_needed(), 1, "a unicast one answered");
	fp.icmp_rate = 0;
	fp.icmp_burst = 0;
	w.icmp_tsc = 0;		/* the next tests start with a full bucket */
	drain();
	return 0;
}

/* ------------------------------------------------------------------ */
/* To the agent                                                        */
/* ------------------------------------------------------------------ */

static int
test_icmp_echo_reply(void)
{
	struct rte_mbuf *m;
	uint8_t *ip;
	uint16_t c;
	const uint8_t *r;

	drain();
	m = frame(&port_mac[0], &ch_mac, RTE_ETHER_TYPE_IPV4, 20 + 8 + 16, &ip);
	put_ipv4(ip, IPPROTO_ICMP, 44, CH, HA, 64, 0);
	ip[20] = 8;
	ip[24] = 0xbe;
	ip[25] = 0xef;
	ip[27] = 1;
	memset(ip + 28, 0x5a, 16);
	c = cksum(ip + 20, 24);
	ip[22] = c >> 8;
	ip[23] = c & 0xff;
	run(0, m);
	m = sent(0);
	TEST_ASSERT(m != NULL, "no echo reply");
	if (check_eth(m, &ch_mac, &port_mac[0], RTE_ETHER_TYPE_IPV4) != 0)
		return -1;
	r = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_ipv4(r, 1, HA, CH, 44, 64) != 0)
		return -1;
	TEST_ASSERT_EQUAL(r[20], 0, "echo reply type");
	TEST_ASSERT_EQUAL(cksum(r + 20, 24), 0, "ICMP checksum");
	TEST_ASSERT_EQUAL(be16(r + 24), 0xbeef, "identifier kept");
	TEST_ASSERT_EQUAL(w.stats.icmp_echo, 1, "counter");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_registration_punted(void)
{
	struct rte_mbuf *m;

	drain();
	run(1, udp_packet(&port_mac[1], COA, HA, 64, 0, 434, 24));
	m = punted();
	TEST_ASSERT(m != NULL, "UDP 434 not punted");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_REASON(m), HAVEN_PUNT_CONTROL, "reason");
	TEST_ASSERT_EQUAL(m->port, fp.ports[1].port_id, "input port");
	rte_pktmbuf_free(m);
	return 0;
}

/* A Registration Request (type 1) for home from src to the agent. */
static struct rte_mbuf *
rrq(uint32_t src, uint32_t home)
{
	struct rte_mbuf *m = udp_packet(&port_mac[1], src, HA, 64, 0, 434,
			24);
	uint8_t *ip;

	if (m == NULL)
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, RTE_ETHER_HDR_LEN);
	ip[28] = 1;
	memcpy(ip + 28 + 4, &home, 4);
	return m;
}

/* Send n requests of (src + i * step, home) as one burst. */
static void
rrq_burst(uint32_t src, uint32_t step, uint32_t home, unsigned int n)
{
	struct rte_mbuf *pkts[HAVEN_BURST];
	unsigned int i;

	for (i = 0; i < n; i++)
		pkts[i] = rrq(rte_cpu_to_be_32(rte_be_to_cpu_32(src) +
				i * step), home);
	haven_worker_process_burst(&w, 1, pkts, n);
	haven_worker_flush(&w);
}

/*
 * The registration guard: requests of a bound pair take the bound lane
 * (fp.reg_ring) under its own meter; others the punt ring under one
 * meter per source and one in total. Rates of 1 a second, so that only
 * the bursts count within the test.
 */
static int
test_registration_guard(void)
{
	struct rte_ring *reg = rte_ring_create("fpt_reg", 64, SOCKET_ID_ANY,
			RING_F_SC_DEQ);
	int rc = -1;

	TEST_ASSERT(reg != NULL, "reg ring");
	drain();
	memset(&w.reg, 0, sizeof(w.reg));
	fp.reg_ring = reg;
	haven_reg_guard_set(&fp.reg_guard, 1, 4, 1, 2, 1, 3);
	if (bind_simple(HOME, HAVEN_ENCAP_IPIP, 0) != 0)
		goto out;

	/* 8 refreshes from the bound care-of address: 3 in the bound lane. */
	rrq_burst(COA, 0, HOME, 8);
	if (rte_ring_count(reg) != 3 || rte_ring_count(fp.punt_ring) != 0 ||
	    w.stats.reg_bound != 3 ||
	    w.stats.drops[HAVEN_DROP_REG_SHED_BOUND] != 5) {
		fprintf(stderr, "bound lane: ring %u punt %u bound %" PRIu64
			" shed %" PRIu64 "\n", rte_ring_count(reg),
			rte_ring_count(fp.punt_ring), w.stats.reg_bound,
			w.stats.drops[HAVEN_DROP_REG_SHED_BOUND]);
		goto out;
	}
	/* 6 from another source for the same home: its meter lets 2. */
	rrq_burst(COA_BAD, 0, HOME, 6);
	if (rte_ring_count(fp.punt_ring) != 2 || w.stats.reg_new != 2 ||
	    w.stats.drops[HAVEN_DROP_REG_SHED_SOURCE] != 4 ||
	    rte_ring_count(reg) != 3) {
		fprintf(stderr, "source meter: punt %u new %" PRIu64
			" shed %" PRIu64 "\n", rte_ring_count(fp.punt_ring),
			w.stats.reg_new,
			w.stats.drops[HAVEN_DROP_REG_SHED_SOURCE]);
		goto out;
	}
	/* 10 spoofed sources: the new lane has 2 of its 4 left. */
	rrq_burst(IP(192, 0, 2, 100), 1, HOME2, 10);
	if (rte_ring_count(fp.punt_ring) != 4 || w.stats.reg_new != 4 ||
	    w.stats.drops[HAVEN_DROP_REG_SHED] != 8) {
		fprintf(stderr, "new lane: punt %u new %" PRIu64 " shed %"
			PRIu64 "\n", rte_ring_count(fp.punt_ring),
			w.stats.reg_new, w.stats.drops[HAVEN_DROP_REG_SHED]);
		goto out;
	}
	/* The guard off: everything through, the bound lane still first. */
	haven_reg_guard_set(&fp.reg_guard, 0, 1, 0, 1, 0, 1);
	rrq_burst(COA, 0, HOME, 20);
	rrq_burst(IP(192, 0, 2, 100), 1, HOME2, 20);
	if (rte_ring_count(reg) != 23 || rte_ring_count(fp.punt_ring) != 24) {
		fprintf(stderr, "guard off: reg %u punt %u\n",
			rte_ring_count(reg), rte_ring_count(fp.punt_ring));
		goto out;
	}
	rc = 0;
out:
	while (rte_ring_count(reg) > 0) {
		void *m;

		if (rte_ring_dequeue(reg, &m) == 0)
			rte_pktmbuf_free(m);
	}
	fp.reg_ring = NULL;
	memset(&fp.reg_guard, 0, sizeof(fp.reg_guard));
	haven_binding_remove(table, HOME);
	rte_ring_free(reg);
	drain();
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reverse tunnel                                                      */
/* ------------------------------------------------------------------ */

/* The 58-byte datagram a node tunnels back: UDP to port 9, TTL 64. */
static void
put_inner_udp(uint8_t *in, uint32_t src, uint32_t dst)
{
	uint16_t i;

	put_ipv4(in, IPPROTO_UDP, 58, src, dst, 64, 0);
	in[20] = 0x30;
	in[21] = 0x39;
	in[22] = 0;
	in[23] = 9;
	in[24] = 0;
	in[25] = 38;
	for (i = 0; i < 30; i++)
		in[28 + i] = (uint8_t)i;
}

/* IP in IP from outer_src to the agent around home -> CH, TTL 64. */
static struct rte_mbuf *
reverse_ipip(uint32_t outer_src, uint32_t inner_src)
{
	uint8_t *o;
	struct rte_mbuf *m = frame(&port_mac[1], &gw_mac, RTE_ETHER_TYPE_IPV4,
			20 + 28 + 30, &o);

	put_ipv4(o, 4, 20 + 58, outer_src, HA, 60, 0);
	put_inner_udp(o + 20, inner_src, CH);
	return m;
}

static int
test_reverse_tunnel_accepted(void)
{
	const struct haven_binding_counters *c;
	uint64_t rev;
	struct rte_mbuf *m;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT |
			HAVEN_BINDING_F_REVERSE_TUNNEL), 0, "bind");
	c = counters(HOME);
	rev = c->rev_pkts;
	run(1, reverse_ipip(COA, HOME));
	m = sent(0);
	TEST_ASSERT(m != NULL, "not delivered on the home link");
	if (check_eth(m, &ch_mac, &port_mac[0], RTE_ETHER_TYPE_IPV4) != 0)
		return -1;
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 58, "length");
	if (check_inner_udp(rte_pktmbuf_mtod_offset(m, const uint8_t *, 14),
			HOME, CH, 30, 63) != 0)
		return -1;
	c = counters(HOME);
	TEST_ASSERT_EQUAL(c->rev_pkts - rev, 1, "rev_pkts");
	TEST_ASSERT_EQUAL(w.stats.decap_pkts, 1, "decap_pkts");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_reverse_tunnel_minimal(void)
{
	struct rte_mbuf *m;
	uint8_t *o, *f;
	uint16_t c, i;

	drain();
	/* RFC 2004 as sent by a co-located mobile node: S set. */
	m = frame(&port_mac[1], &gw_mac, RTE_ETHER_TYPE_IPV4, 20 + 12 + 38, &o);
	put_ipv4(o, 55, 70, COA, HA, 64, 0);
	f = o + 20;
	f[0] = IPPROTO_UDP;
	f[1] = 0x80;
	memcpy(f + 4, &(uint32_t){ CH }, 4);
	memcpy(f + 8, &(uint32_t){ HOME }, 4);
	c = cksum(f, 12);
	f[2] = c >> 8;
	f[3] = c & 0xff;
	f[12 + 0] = 0x30;
	f[12 + 1] = 0x39;
	f[12 + 3] = 9;
	f[12 + 5] = 38;
	for (i = 0; i < 30; i++)
		f[20 + i] = (uint8_t)i;
	run(1, m);
	m = sent(0);
	TEST_ASSERT(m != NULL, "not delivered");
	if (check_inner_udp(rte_pktmbuf_mtod_offset(m, const uint8_t *, 14),
			HOME, CH, 30, 63) != 0)
		return -1;
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_reverse_tunnel_rejected(void)
{
	drain();
	run(1, reverse_ipip(COA_BAD, HOME));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_REVTUN_BAD_SOURCE], 1,
			"outer source not a care-of address");
	run(1, reverse_ipip(COA, IP(192, 0, 2, 200)));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_REVTUN_NO_BINDING], 1,
			"unknown home address");
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind without T");
	run(1, reverse_ipip(COA, HOME));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_REVTUN_NOT_ALLOWED], 1,
			"T flag not set");
	TEST_ASSERT(sent(0) == NULL, "delivered a rejected packet");
	TEST_ASSERT_EQUAL(w.stats.decap_pkts, 0, "decap_pkts");
	return 0;
}

/*
 * Issue 10 #13: a reverse-tunnelled packet whose inner IPv4 header
 * checksum is wrong is not forwarded (IP in IP and GRE); one that is
 * right, a non-first fragment among them (no UDP header to look at), is.
 */
static int
test_reverse_tunnel_bad_inner_cksum(void)
{
	struct rte_mbuf *m;
	uint8_t *o;
	uint16_t c;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT |
			HAVEN_BINDING_F_REVERSE_TUNNEL), 0, "bind");
	m = reverse_ipip(COA, HOME);
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 20)[11] ^= 0x5a;
	run(1, m);
	TEST_ASSERT(sent(0) == NULL, "forwarded a corrupt inner header");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_REVTUN_BAD_CKSUM], 1,
			"revtun_bad_cksum");
	TEST_ASSERT_EQUAL(w.stats.decap_pkts, 0, "decap_pkts");

	/* The same in GRE (4 bytes of GRE header after the outer one). */
	m = frame(&port_mac[1], &gw_mac, RTE_ETHER_TYPE_IPV4, 20 + 4 + 28 + 30,
			&o);
	put_ipv4(o, 47, 20 + 4 + 58, COA, HA, 60, 0);
	o[22] = 0x08;		/* GRE protocol 0x0800 */
	put_ipv4(o + 24, IPPROTO_UDP, 58, HOME, CH, 64, 0);
	o[24 + 10] ^= 0x01;
	run(1, m);
	TEST_ASSERT(sent(0) == NULL, "forwarded a corrupt inner header (GRE)");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_REVTUN_BAD_CKSUM], 2,
			"revtun_bad_cksum GRE");

	/* A non-first fragment, checksum right: decapsulated as it is. */
	m = reverse_ipip(COA, HOME);
	o = rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 20);
	o[6] = 0x00;
	o[7] = 0x03;		/* offset 24 bytes, last fragment */
	o[10] = o[11] = 0;
	c = cksum(o, 20);
	o[10] = c >> 8;
	o[11] = c & 0xff;
	run(1, m);
	m = sent(0);
	TEST_ASSERT(m != NULL, "a good non-first fragment not decapsulated");
	o = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
	TEST_ASSERT_EQUAL(be16(o + 6), 3, "fragment offset kept");
	TEST_ASSERT_EQUAL(cksum(o, 20), 0, "checksum after the TTL change");
	rte_pktmbuf_free(m);
	TEST_ASSERT_EQUAL(w.stats.decap_pkts, 1, "decap_pkts");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_REVTUN_BAD_CKSUM], 2,
			"no more drops");
	return 0;
}

/*
 * A fragment addressed to the agent is punted whole and untouched (the
 * control lcore never reads an L4 header in one, loop.c); a non-first
 * fragment whose payload looks like UDP 434 is not a registration.
 */
static int
test_fragment_to_agent_punted(void)
{
	struct rte_mbuf *m = udp_packet(&port_mac[1], COA, HA, 64, 0x0004,
			434, 24);

	drain();
	run(1, m);
	m = punted();
	TEST_ASSERT(m != NULL, "fragment not punted");
	TEST_ASSERT_EQUAL(be16(rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 6)),
			4, "fragment offset");
	rte_pktmbuf_free(m);
	TEST_ASSERT_EQUAL(w.stats.punted, 1, "punted");
	return 0;
}

/* ------------------------------------------------------------------ */
/* IP in UDP for a mobile node behind a NAT (RFC 3519)                 */
/* ------------------------------------------------------------------ */

#define NAT		IP(203, 0, 113, 130)
#define NAT_PORT	40001

/* A UDP-tunnelled binding of home: through the NAT, behind the gateway. */
static int
bind_udp(uint32_t home, uint8_t flags)
{
	struct haven_binding_coa c = {
		.addr = NAT, .next_hop = GW, .neigh = neigh_gw, .port = 1,
		.udp_port = NAT_PORT,
	};
	struct haven_binding b;

	binding_of(&b, home, HAVEN_ENCAP_UDP, flags, 1, &c);
	b.udp_sport = 434;
	return haven_binding_publish(table, &b);
}

/*
 * Toward the node: outer IPv4 from the agent to the NAT (protocol 17,
 * checksum right, DF copied), UDP from 434 to the NAT's port with the
 * length of what follows and no checksum, the MIP Tunnel Data header
 * (type 4, next header 4), the datagram with its TTL decremented; the
 * MTU counts the 32 octets.
 */
static int
test_udp_encap(void)
{
	static const uint8_t tun[4] = { 4, 4, 0, 0 };
	const uint8_t *o, *icmp;
	struct rte_mbuf *m;

	drain();
	TEST_ASSERT_EQUAL(bind_udp(HOME, HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 30, 0x4000, 9, 10));
	m = sent(1);
	TEST_ASSERT(m != NULL, "nothing tunnelled");
	if (check_eth(m, &gw_mac, &port_mac[1], RTE_ETHER_TYPE_IPV4) != 0)
		return -1;
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 20 + 8 + 4 + 38,
		"frame length");
	o = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_ipv4(o, IPPROTO_UDP, HA, NAT, 20 + 8 + 4 + 38,
			HAVEN_OUTER_TTL) != 0)
		return -1;
	TEST_ASSERT_EQUAL(be16(o + 6), 0x4000, "DF copied from the inner");
	TEST_ASSERT_EQUAL(be16(o + 20), 434, "source port");
	TEST_ASSERT_EQUAL(be16(o + 22), NAT_PORT, "destination: the NAT's");
	TEST_ASSERT_EQUAL(be16(o + 24), 8 + 4 + 38, "UDP length");
	TEST_ASSERT_EQUAL(be16(o + 26), 0, "no UDP checksum");
	TEST_ASSERT_MEM(o + 28, tun, 4, "MIP Tunnel Data header");
	if (check_inner_udp(o + 32, REMOTE, HOME, 10, 29) != 0)
		return -1;
	TEST_ASSERT_EQUAL(w.stats.encap_pkts, 1, "encap_pkts");
	rte_pktmbuf_free(m);

	/* 1468 + 32 fits 1500; 1469 + 32 does not: fragmentation needed */
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0x4000, 9, 1440));
	m = sent(1);
	TEST_ASSERT(m != NULL && rte_pktmbuf_pkt_len(m) == 14 + 1500,
		"a datagram of 1468 octets");
	rte_pktmbuf_free(m);
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0x4000, 9, 1441));
	TEST_ASSERT(sent(1) == NULL, "tunnelled beyond the MTU");
	m = sent(0);
	TEST_ASSERT(m != NULL, "no ICMP fragmentation needed");
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14 + 20);
	TEST_ASSERT(icmp[0] == 3 && icmp[1] == 4, "type and code");
	TEST_ASSERT_EQUAL(be16(icmp + 6), 1500 - 32, "next-hop MTU");
	rte_pktmbuf_free(m);
	return 0;
}

/*
 * From the node: IP in UDP from src:sport to the agent's port 434 around
 * inner_src -> inner_dst (UDP, 30 bytes), the MIP Tunnel Data header
 * with next header nh.
 */
static struct rte_mbuf *
reverse_udp(uint32_t src, uint16_t sport, uint32_t inner_src,
		uint32_t inner_dst, uint8_t nh)
{
	uint8_t *o, *u;
	struct rte_mbuf *m = frame(&port_mac[1], &gw_mac, RTE_ETHER_TYPE_IPV4,
			20 + 8 + 4 + 58, &o);

	put_ipv4(o, IPPROTO_UDP, 20 + 8 + 4 + 58, src, HA, 60, 0);
	u = o + 20;
	u[0] = sport >> 8;
	u[1] = sport & 0xff;
	u[2] = 434 >> 8;
	u[3] = 434 & 0xff;
	u[5] = 8 + 4 + 58;
	u[8] = 4;
	u[9] = nh;
	put_inner_udp(u + 12, inner_src, inner_dst);
	return m;
}

/*
 * Reverse tunnelling in UDP: from the binding's NAT address and port the
 * inner datagram is delivered on the home link without a punt; from
 * another port or address, in IP in IP to a UDP binding, or in UDP to an
 * IP-in-IP binding, it is dropped (bad source); a keepalive (to the agent
 * itself) is punted; GRE inside UDP or a cut header is malformed.
 */
static int
test_udp_decap(void)
{
	const struct haven_binding_counters *c;
	struct rte_mbuf *m;
	uint64_t rev;

	drain();
	TEST_ASSERT_EQUAL(bind_udp(HOME, HAVEN_BINDING_F_INTERCEPT |
			HAVEN_BINDING_F_REVERSE_TUNNEL), 0, "bind");
	c = counters(HOME);
	rev = c->rev_pkts;
	run(1, reverse_udp(NAT, NAT_PORT, HOME, CH, 4));
	TEST_ASSERT(punted() == NULL, "tunnel data punted");
	m = sent(0);
	TEST_ASSERT(m != NULL, "not delivered on the home link");
	if (check_eth(m, &ch_mac, &port_mac[0], RTE_ETHER_TYPE_IPV4) != 0)
		return -1;
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 58, "length");
	if (check_inner_udp(rte_pktmbuf_mtod_offset(m, const uint8_t *, 14),
			HOME, CH, 30, 63) != 0)
		return -1;
	rte_pktmbuf_free(m);
	c = counters(HOME);
	TEST_ASSERT_EQUAL(c->rev_pkts - rev, 1, "rev_pkts");
	TEST_ASSERT_EQUAL(w.stats.decap_pkts, 1, "decap_pkts");

	run(1, reverse_udp(NAT, NAT_PORT + 1, HOME, CH, 4));
	run(1, reverse_udp(COA_BAD, NAT_PORT, HOME, CH, 4));
	run(1, reverse_ipip(NAT, HOME));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_REVTUN_BAD_SOURCE], 3,
		"another port, another address, IP in IP");

	run(1, reverse_udp(NAT, NAT_PORT, HOME, HA, 4));
	m = punted();
	TEST_ASSERT(m != NULL, "a keepalive not punted");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_REASON(m), HAVEN_PUNT_CONTROL, "reason");
	rte_pktmbuf_free(m);

	run(1, reverse_udp(NAT, NAT_PORT, HOME, CH, 47));
	m = reverse_udp(NAT, NAT_PORT, HOME, CH, 4);
	/* a UDP header that says 8 + 2: the tunnel header is cut */
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 25)[0] = 10;
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 3)[0] = 30;
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 10)[0] = 0;
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 11)[0] = 0;
	{
		uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
		uint16_t k = cksum(ip, 20);

		ip[10] = k >> 8;
		ip[11] = k & 0xff;
	}
	run(1, m);
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_MALFORMED], 2,
		"GRE inside UDP, a cut tunnel header");

	/* UDP tunnel data for an IP-in-IP binding */
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT |
			HAVEN_BINDING_F_REVERSE_TUNNEL), 0, "bind ipip");
	run(1, reverse_udp(COA, NAT_PORT, HOME, CH, 4));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_REVTUN_BAD_SOURCE], 4,
		"UDP to an IP-in-IP binding");
	TEST_ASSERT(sent(0) == NULL, "delivered a rejected packet");
	TEST_ASSERT_EQUAL(w.stats.decap_pkts, 1, "decap_pkts");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Bursts, builders, pure codecs                                       */
/* ------------------------------------------------------------------ */

static int
test_burst_mixed(void)
{
	struct rte_mbuf *pkts[HAVEN_BURST];
	uint16_t i, tx;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	for (i = 0; i < HAVEN_BURST; i++)
		pkts[i] = (i % 4 == 3) ?
			udp_packet(&port_mac[0], REMOTE, IP(192, 0, 2, 123),
					64, 0, 9, 20) :
			udp_packet(&port_mac[0], REMOTE, HOME, 64, 0, 9, 20);
	tx = haven_worker_process_burst(&w, 0, pkts, HAVEN_BURST);
	haven_worker_flush(&w);
	TEST_ASSERT_EQUAL(tx, 24, "handed to TX");
	TEST_ASSERT_EQUAL(w.stats.tx_pkts, 24, "transmitted");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NO_BINDING], 8, "drops");
	for (i = 0; i < 24; i++) {
		struct rte_mbuf *m = sent(1);

		TEST_ASSERT(m != NULL, "packet %u not on the wire", i);
		rte_pktmbuf_free(m);
	}
	TEST_ASSERT(sent(1) == NULL, "more on the wire");
	return 0;
}

/* One port's haven counters (show ports) against what is expected. */
static int
check_port_stats(unsigned int port, uint64_t rx, uint64_t encap,
		uint64_t decap, uint64_t proxy, uint64_t punted_n,
		uint64_t dropped)
{
	const struct haven_worker_port_stats *ps = &w.port_stats[port];

	TEST_ASSERT_EQUAL(ps->rx, rx, "port %u rx", port);
	TEST_ASSERT_EQUAL(ps->encap, encap, "port %u encap", port);
	TEST_ASSERT_EQUAL(ps->decap, decap, "port %u decap", port);
	TEST_ASSERT_EQUAL(ps->proxy, proxy, "port %u proxy", port);
	TEST_ASSERT_EQUAL(ps->punted, punted_n, "port %u punted", port);
	TEST_ASSERT_EQUAL(ps->dropped, dropped, "port %u dropped", port);
	return 0;
}

/*
 * show ports' haven counters go to the input port of each burst: on the
 * home port 6 datagrams tunnelled (out of the visited port), 2 without a
 * binding dropped, one ARP request answered by proxy; on the visited port
 * one reverse-tunnelled datagram decapsulated and one registration punted.
 */
static int
test_port_stats(void)
{
	struct rte_mbuf *pkts[8], *m;
	uint16_t i;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT |
			HAVEN_BINDING_F_REVERSE_TUNNEL), 0, "bind");
	for (i = 0; i < 8; i++)
		pkts[i] = udp_packet(&port_mac[0], REMOTE, i < 6 ? HOME :
				IP(192, 0, 2, 123), 64, 0, 9, 20);
	haven_worker_process_burst(&w, 0, pkts, 8);
	run(0, arp_request(&router_mac, ROUTER, HOME));
	if (check_port_stats(0, 9, 6, 0, 1, 0, 2) != 0 ||
	    check_port_stats(1, 0, 0, 0, 0, 0, 0) != 0)
		return -1;
	run(1, reverse_ipip(COA, HOME));
	run(1, udp_packet(&port_mac[1], COA, HA, 64, 0, 434, 24));
	if (check_port_stats(0, 9, 6, 0, 1, 0, 2) != 0 ||
	    check_port_stats(1, 2, 0, 1, 0, 1, 0) != 0)
		return -1;
	for (i = 0; i < 6; i++) {
		m = sent(1);
		TEST_ASSERT(m != NULL, "tunnelled packet %u not on the wire", i);
		rte_pktmbuf_free(m);
	}
	drain();
	return 0;
}

static void
stop_worker(void *arg)
{
	(void)arg;
	quit = true;
}

/*
 * The real loop: a request looped into port 0's RX is answered while the
 * worker polls with adaptive idle, until an alarm sets quit.
 */
static int
test_worker_main_loop(void)
{
	struct rte_mbuf *m;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	m = arp_request(&router_mac, ROUTER, HOME);
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(fp.ports[0].port_id, 0, &m, 1), 1,
			"inject");
	w.n_rxq = 1;
	w.rxq[0].port = 0;
	w.rxq[0].queue = 0;
	fp.idle_adaptive = true;
	quit = false;
	TEST_ASSERT_EQUAL(rte_eal_alarm_set(50 * 1000, stop_worker, NULL), 0,
			"alarm");
	TEST_ASSERT_EQUAL(haven_worker_main(&w), 0, "worker return");
	TEST_ASSERT_EQUAL(w.stats.proxy_arp, 1, "answered inside the loop");
	TEST_ASSERT_EQUAL(w.stats.tx_pkts, 1, "reply transmitted");
	/* net_ring loops the reply back: the worker ignores its own frame. */
	TEST_ASSERT_EQUAL(w.stats.rx_pkts, 2, "request and own reply polled");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NOT_FOR_US], 1,
			"own frame dropped");
	TEST_ASSERT_EQUAL(rte_rcu_qsbr_check(fp.qsbr,
			rte_rcu_qsbr_start(fp.qsbr), false), 1,
			"reader unregistered at exit");
	/* show runtime: two turns brought a packet each (the request, then
	 * the reply looped back), the loop turned more often than that
	 * during its 50 ms, the busy cycles are a part of the elapsed. */
	TEST_ASSERT_EQUAL(w.runtime.bursts, 2, "bursts with packets");
	TEST_ASSERT(w.runtime.turns > w.runtime.bursts, "turns %" PRIu64,
			w.runtime.turns);
	TEST_ASSERT(w.runtime.start_tsc != 0 &&
			w.runtime.now_tsc > w.runtime.start_tsc, "elapsed");
	TEST_ASSERT(w.runtime.busy_cycles > 0 && w.runtime.busy_cycles <
			w.runtime.now_tsc - w.runtime.start_tsc,
			"busy %" PRIu64 " of %" PRIu64, w.runtime.busy_cycles,
			w.runtime.now_tsc - w.runtime.start_tsc);
	TEST_ASSERT(w.runtime.now_tsc - w.runtime.start_tsc >=
			rte_get_tsc_hz() / 50, "elapsed at least 20 ms");
	TEST_ASSERT_EQUAL(w.port_stats[0].rx, 2, "port 0 rx");
	TEST_ASSERT_EQUAL(w.port_stats[0].proxy, 1, "port 0 proxy");
	TEST_ASSERT_EQUAL(w.port_stats[0].dropped, 1, "port 0 dropped");
	return 0;
}

/*
 * A care-of change between two packets: the first goes to the old care-of
 * address, the second to the new one (its own neighbour), and the
 * binding's counters hold both.
 */
static int
test_coa_change_counters(void)
{
	struct haven_binding_coa c2 = { .addr = COA2, .next_hop = GW,
		.port = 1 };
	struct haven_binding_counters before;
	const uint8_t *o;
	struct rte_mbuf *m;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	before = *counters(HOME);
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0, 9, 100));
	c2.neigh = neigh_gw;
	TEST_ASSERT_EQUAL(bind_home(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT, 1, &c2), 0, "new coa");
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0, 9, 30));
	m = sent(1);
	TEST_ASSERT(m != NULL, "first not tunnelled");
	if (check_eth(m, &coa_mac, &port_mac[1], RTE_ETHER_TYPE_IPV4) != 0)
		return -1;
	o = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_ipv4(o, 4, HA, COA, 20 + 128, HAVEN_OUTER_TTL) != 0)
		return -1;
	rte_pktmbuf_free(m);
	m = sent(1);
	TEST_ASSERT(m != NULL, "second not tunnelled");
	if (check_eth(m, &gw_mac, &port_mac[1], RTE_ETHER_TYPE_IPV4) != 0)
		return -1;
	o = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_ipv4(o, 4, HA, COA2, 20 + 58, HAVEN_OUTER_TTL) != 0)
		return -1;
	rte_pktmbuf_free(m);
	TEST_ASSERT_EQUAL(counters(HOME)->pkts - before.pkts, 2, "pkts");
	TEST_ASSERT_EQUAL(counters(HOME)->bytes - before.bytes, 128 + 58,
		"bytes");
	return 0;
}

/*
 * A cell caught while the control lcore rewrites it: the worker reads
 * the record instead, and the packet is tunnelled and counted once.
 */
static int
test_cell_busy_uses_record(void)
{
	struct haven_binding_counters before;
	struct haven_binding_cell4 *c;
	struct rte_mbuf *m;
	uint32_t word;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");
	before = *counters(HOME);
	c = haven_binding_find4(haven_binding_view4(table), HOME);
	TEST_ASSERT(c != NULL, "cell");
	word = c->rec;
	c->rec = word | HAVEN_BINDING_CELL_BUSY;
	run(0, udp_packet(&port_mac[0], REMOTE, HOME, 64, 0x4000, 9, 100));
	c->rec = word;
	m = sent(1);
	TEST_ASSERT(m != NULL, "not tunnelled");
	if (check_eth(m, &coa_mac, &port_mac[1], RTE_ETHER_TYPE_IPV4) != 0 ||
	    check_ipv4(rte_pktmbuf_mtod_offset(m, const uint8_t *, 14), 4, HA,
			COA, 20 + 128, HAVEN_OUTER_TTL) != 0 ||
	    check_inner_udp(rte_pktmbuf_mtod_offset(m, const uint8_t *, 34),
			REMOTE, HOME, 100, 63) != 0)
		return -1;
	rte_pktmbuf_free(m);
	TEST_ASSERT(sent(1) == NULL, "sent twice");
	TEST_ASSERT_EQUAL(counters(HOME)->pkts - before.pkts, 1, "pkts");
	TEST_ASSERT_EQUAL(w.stats.encap_pkts, 1, "encap_pkts");
	return 0;
}

/*
 * What the straight-line classification must leave to the general one:
 * Ethernet padding (trimmed, not tunnelled), a bad header checksum
 * (dropped), our own frame echoed back, a datagram to the agent.
 */
static int
test_fast_classify_edges(void)
{
	struct rte_mbuf *m;
	uint8_t *ip;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_ENCAP_IPIP,
			HAVEN_BINDING_F_INTERCEPT), 0, "bind");

	/* 10 bytes of padding after a 48-byte datagram. */
	m = udp_packet(&port_mac[0], REMOTE, HOME, 64, 0, 9, 20);
	TEST_ASSERT(rte_pktmbuf_append(m, 10) != NULL, "pad");
	run(0, m);
	m = sent(1);
	TEST_ASSERT(m != NULL, "padded: not tunnelled");
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 20 + 48,
		"padding tunnelled");
	rte_pktmbuf_free(m);

	/* A header checksum off by one. */
	m = udp_packet(&port_mac[0], REMOTE, HOME, 64, 0, 9, 20);
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
	ip[11] ^= 1;
	run(0, m);
	TEST_ASSERT(sent(1) == NULL, "bad checksum tunnelled");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_MALFORMED], 1, "malformed");

	/* Our own frame back from the link. */
	m = udp_packet(&port_mac[0], REMOTE, HOME, 64, 0, 9, 20);
	rte_ether_addr_copy(&port_mac[0],
		&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr);
	run(0, m);
	TEST_ASSERT(sent(1) == NULL, "own frame tunnelled");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NOT_FOR_US], 1, "echo");

	/* To the agent itself: not a home address, punted (UDP). */
	run(0, udp_packet(&port_mac[0], REMOTE, HA, 64, 0, 9, 20));
	TEST_ASSERT(sent(1) == NULL, "agent's own datagram tunnelled");
	TEST_ASSERT_EQUAL(w.stats.punted, 1, "punted");
	drain();
	return 0;
}

/*
 * The incremental TTL update (RFC 1624 equation 3, specialised to the
 * TTL byte) against a full recomputation, over random headers and the
 * checksum values at the edges.
 */
static int
test_ttl_decrement_checksum(void)
{
	uint64_t seed = 0x243f6a8885a308d3ULL;
	uint8_t ip[20], ref[20];
	unsigned int i, j;

	for (i = 0; i < 200000; i++) {
		for (j = 0; j < 20; j++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			ip[j] = (uint8_t)(seed >> (j % 8));
		}
		ip[0] = 0x45;
		ip[8] = 2 + (uint8_t)(i % 254);	/* TTL 2..255 */
		if (i < 512) {
			/* Headers whose checksum is near 0x0000 or 0xffff. */
			ip[10] = 0;
			ip[11] = 0;
			fp_put16(ip + 10, fp_cksum(ip, 20));
			ip[12] ^= (uint8_t)i;
		}
		ip[10] = 0;
		ip[11] = 0;
		fp_put16(ip + 10, fp_cksum(ip, 20));
		memcpy(ref, ip, 20);
		ref[8]--;
		ref[10] = 0;
		ref[11] = 0;
		fp_put16(ref + 10, fp_cksum(ref, 20));
		TEST_ASSERT_EQUAL(fp_ip_ttl_decrement(ip), ref[8], "ttl");
		TEST_ASSERT_EQUAL(fp_cksum(ip, 20), 0, "header %u no longer "
			"sums to all ones (checksum %04x, recomputed %04x)", i,
			fp_get16(ip + 10), fp_get16(ref + 10));
	}
	return 0;
}

static int
test_builders(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	const struct rte_arp_hdr *arp;
	const uint8_t *ip;
	static const uint8_t payload[5] = "hello";

	haven_build_gratuitous_arp(m, &port_mac[0], HOME);
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 42, "length");
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, 14);
	TEST_ASSERT_EQUAL(rte_be_to_cpu_16(arp->arp_opcode), 1, "request");
	TEST_ASSERT_EQUAL(arp->arp_data.arp_sip, HOME, "sender");
	TEST_ASSERT_EQUAL(arp->arp_data.arp_tip, HOME, "target");
	TEST_ASSERT(rte_is_broadcast_ether_addr(&rte_pktmbuf_mtod(m,
			struct rte_ether_hdr *)->dst_addr), "broadcast");
	rte_pktmbuf_reset(m);
	TEST_ASSERT_EQUAL(haven_build_udp(m, &port_mac[0], &router_mac, HA,
			COA, 434, 1234, payload, 5), 0, "udp");
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_ipv4(ip, 17, HA, COA, 33, 64) != 0)
		return -1;
	TEST_ASSERT_EQUAL(be16(ip + 20), 434, "source port");
	TEST_ASSERT(rte_ipv4_udptcp_cksum_verify(
			(const struct rte_ipv4_hdr *)ip, ip + 20) == 0,
			"UDP checksum");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_minimal_roundtrip(void)
{
	uint8_t buf[128], orig[60];
	uint32_t src;
	int n;

	memset(buf, 0, sizeof(buf));
	put_ipv4(orig, IPPROTO_UDP, 60, REMOTE, HOME, 63, 0);
	memset(orig + 20, 0x77, 40);
	/* Lay out as encap expects: header, gap, payload. */
	memcpy(buf, orig, 20);
	memcpy(buf + 32, orig + 20, 40);
	fp_minimal_encap(buf, FP_MIN_FWD_HLEN_S, HA, COA, true);
	TEST_ASSERT_EQUAL(cksum(buf, 20), 0, "modified header checksum");
	n = fp_minimal_parse(buf, 72, &src);
	TEST_ASSERT_EQUAL(n, 12, "forwarding header length");
	TEST_ASSERT_EQUAL(src, REMOTE, "original source");
	fp_minimal_decap(buf, n);
	TEST_ASSERT_MEM(buf + 12, orig, 60, "restored datagram");
	/* Encapsulate again, then corrupt the forwarding header. */
	memcpy(buf, orig, 20);
	memcpy(buf + 32, orig + 20, 40);
	fp_minimal_encap(buf, FP_MIN_FWD_HLEN_S, HA, COA, true);
	buf[20 + 5] ^= 1;
	TEST_ASSERT(fp_minimal_parse(buf, 72, &src) < 0, "checksum checked");
	TEST_ASSERT(fp_minimal_parse(buf, 25, &src) < 0, "truncation checked");
	TEST_ASSERT_EQUAL(fp_cksum_adjust(0x1234, 0x4011, 0x3f11),
			(uint16_t)(0x1234 + 0x0100), "RFC 1624 adjust");
	TEST_ASSERT(strcmp(haven_drop_name(HAVEN_DROP_TTL_EXPIRED),
			"TTL expired") == 0, "drop name");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */
/* ------------------------------------------------------------------ */

/*
 * A net_ring vdev created without arguments uses one ring per queue for
 * both directions: what the fast path transmits comes back on RX.
 */
static int
port_create(unsigned int idx, const char *name)
{
	struct rte_eth_conf conf;
	uint16_t pid;

	if (rte_eth_dev_get_port_by_name(name, &pid) != 0)
		return -1;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(pid, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(pid, 0, 64, SOCKET_ID_ANY, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(pid, 0, 64, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(pid) != 0)
		return -1;
	fp.ports[idx].port_id = pid;
	fp.ports[idx].mac = port_mac[idx];
	fp.ports[idx].mtu = 1500;
	return 0;
}

static struct rte_rcu_qsbr *qsbr;

/*
 * A fresh binding table for the worker: with the home link's prefix
 * 192.0.2.0/24 indexed directly, or every home address in the fallback.
 */
static int
use_table(bool direct)
{
	struct haven_binding_prefix home = {
		.addr = haven_addr4(IP(192, 0, 2, 0)), .len = 24,
	};
	struct haven_binding_stats st;

	haven_binding_table_free(table);
	table = haven_binding_table_create("fpt", 64, 1, qsbr, SOCKET_ID_ANY,
			&home, direct);
	if (table == NULL)
		return -1;
	haven_binding_stats_get(table, &st);
	if (st.n_direct != (direct ? 1 : 0))
		return -1;
	fp.bindings = table;
	w.counters = haven_binding_counters_row(table, 0);
	return w.counters == NULL ? -1 : 0;
}

static int
setup(void)
{
	static uint32_t route_gw[4];
	static uint8_t route_port[4];
	struct rte_lpm_config lc = { .max_rules = 16, .number_tbl8s = 16 };
	int idx;

	pool = rte_pktmbuf_pool_create("fpt_pool", 1023, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL || port_create(0, "net_ring0") != 0 ||
	    port_create(1, "net_ring1") != 0)
		return -1;
	fp.n_ports = 2;
	fp.home_port = 0;
	fp.ha_addr = HA;
	fp.ports[0].addr = HA;
	fp.ports[0].mask = IP(255, 255, 255, 0);
	fp.ports[1].addr = VPORT;
	fp.ports[1].mask = IP(255, 255, 255, 0);
	fp.pool = pool;
	fp.quit = &quit;
	fp.punt_ring = rte_ring_create("fpt_punt", 256, SOCKET_ID_ANY,
			RING_F_SC_DEQ);
	fp.neigh = rte_zmalloc("fpt_neigh",
			sizeof(struct haven_neigh) * HAVEN_NEIGH_MAX, 0);
	qsbr = rte_zmalloc("fpt_qsbr", rte_rcu_qsbr_get_memsize(1), 64);
	if (fp.punt_ring == NULL || fp.neigh == NULL || qsbr == NULL ||
	    rte_rcu_qsbr_init(qsbr, 1) != 0)
		return -1;
	fp.qsbr = qsbr;

	/* 203.0.113.0/24 via GW on the visited port; route 0 unused. */
	fp.routes = rte_lpm_create("fpt_lpm", SOCKET_ID_ANY, &lc);
	if (fp.routes == NULL)
		return -1;
	route_gw[1] = GW;
	route_port[1] = 1;
	fp.route_gw = route_gw;
	fp.route_port = route_port;
	if (rte_lpm_add(fp.routes, RTE_IPV4(203, 0, 113, 0), 24, 1) != 0)
		return -1;

	if (use_table(false) != 0)
		return -1;

	neigh_coa = haven_neigh_get(&fp, COA, 1);
	haven_neigh_update(&fp, neigh_coa, &coa_mac);
	neigh_gw = haven_neigh_get(&fp, GW, 1);
	haven_neigh_update(&fp, neigh_gw, &gw_mac);
	idx = haven_neigh_get(&fp, CH, 0);
	haven_neigh_update(&fp, idx, &ch_mac);
	idx = haven_neigh_get(&fp, ROUTER, 0);
	haven_neigh_update(&fp, idx, &router_mac);
	neigh_unresolved = haven_neigh_get(&fp, UNRESOLVED, 1);
	if (neigh_coa < 0 || neigh_gw < 0 || neigh_unresolved < 0 ||
	    haven_neigh_find(&fp, GW) != neigh_gw ||
	    haven_neigh_get(&fp, GW, 1) != neigh_gw)
		return -1;

	w.fp = &fp;
	w.id = 0;
	w.txq = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* A pair of primaries: virtual MAC, standby, VRRP                     */
/* ------------------------------------------------------------------ */

#define OWN		IP(192, 0, 2, 31)
#define PEER		IP(192, 0, 2, 32)
static const struct rte_ether_addr vmac = {
	.addr_bytes = { 0x00, 0x00, 0x5e, 0x00, 0x01, 0x33 } };
static const struct rte_ether_addr vrrp_mcast = {
	.addr_bytes = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x12 } };

/* A VRRP advertisement (only the IP header matters here). */
static struct rte_mbuf *
vrrp_advert(const struct rte_ether_addr *src_mac, uint32_t src)
{
	uint8_t *ip;
	struct rte_mbuf *m = frame(&vrrp_mcast, src_mac, RTE_ETHER_TYPE_IPV4,
			20 + 12, &ip);

	if (m == NULL)
		return NULL;
	put_ipv4(ip, HAVEN_IPPROTO_VRRP, 32, src, HAVEN_VRRP_GROUP4, 255, 0);
	ip[20] = 0x31;		/* version 3, advertisement */
	ip[21] = 0x33;		/* VRID 51 */
	return m;
}

static int
check_arp_answer(unsigned int port, uint32_t sip,
		const struct rte_ether_addr *mac)
{
	struct rte_mbuf *m = sent(port);
	const struct rte_arp_hdr *arp;

	TEST_ASSERT(m != NULL, "no ARP reply");
	if (check_eth(m, &router_mac, mac, RTE_ETHER_TYPE_ARP) != 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, 14);
	TEST_ASSERT_EQUAL(arp->arp_data.arp_sip, sip, "sender IP");
	TEST_ASSERT(rte_is_same_ether_addr(&arp->arp_data.arp_sha, mac),
		"sender MAC");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_pair_virtual_mac(void)
{
	struct rte_mbuf *m;
	int rc = -1;

	drain();
	/* The active of a pair: own address .31, the VIP is HA. */
	fp.ports[0].addr = OWN;
	rte_ether_addr_copy(&vmac, &fp.ports[0].vmac);
	fp.ports[0].vmac_on = true;
	if (bind_simple(HOME, HAVEN_ENCAP_IPIP, HAVEN_BINDING_F_INTERCEPT) != 0)
		goto out;
	run(0, arp_request(&router_mac, ROUTER, HA));
	if (check_arp_answer(0, HA, &vmac) != 0)
		goto out;
	run(0, arp_request(&router_mac, ROUTER, OWN));
	if (check_arp_answer(0, OWN, &port_mac[0]) != 0)
		goto out;
	run(0, arp_request(&router_mac, ROUTER, HOME));
	if (check_arp_answer(0, HOME, &vmac) != 0)
		goto out;
	/* A datagram to the virtual MAC is tunnelled (out of the visited
	 * port, which has no virtual MAC: from its own). */
	run(0, udp_packet(&vmac, CH, HOME, 64, 0, 9, 10));
	m = sent(1);
	if (m == NULL) {
		fprintf(stderr, "frame to the virtual MAC not tunnelled\n");
		goto out;
	}
	rc = check_eth(m, &coa_mac, &port_mac[1], RTE_ETHER_TYPE_IPV4);
	rte_pktmbuf_free(m);
	if (rc != 0)
		goto out;
	rc = -1;
	/* Our own advertisement seen again is dropped; the peer's (same
	 * virtual MAC, split brain) and any other router's are punted. */
	run(0, vrrp_advert(&vmac, OWN));
	if (punted() != NULL) {
		fprintf(stderr, "own VRRP echo punted\n");
		goto out;
	}
	run(0, vrrp_advert(&vmac, PEER));
	m = punted();
	if (m == NULL) {
		fprintf(stderr, "peer's VRRP advertisement not punted\n");
		goto out;
	}
	rte_pktmbuf_free(m);

	/* The standby: the VIP is not ours, nor is the virtual MAC. */
	fp.ports[0].vmac_on = false;
	fp.ha_standby = true;
	drain();
	run(0, arp_request(&router_mac, ROUTER, HA));
	if (sent(0) != NULL) {
		fprintf(stderr, "standby answered ARP for the VIP\n");
		goto out;
	}
	run(0, udp_packet(&vmac, CH, HOME, 64, 0, 9, 10));
	if (sent(1) != NULL || w.stats.drops[HAVEN_DROP_NOT_FOR_US] == 0) {
		fprintf(stderr, "standby took a frame to the virtual MAC\n");
		goto out;
	}
	run(0, arp_request(&router_mac, ROUTER, OWN));
	if (check_arp_answer(0, OWN, &port_mac[0]) != 0)
		goto out;
	run(0, vrrp_advert(&stranger_mac, PEER));
	m = punted();
	if (m == NULL) {
		fprintf(stderr, "VRRP not punted on the standby\n");
		goto out;
	}
	rte_pktmbuf_free(m);
	rc = 0;
out:
	fp.ha_standby = false;
	fp.ports[0].vmac_on = false;
	fp.ports[0].addr = HA;
	haven_binding_remove(table, HOME);
	drain();
	return rc;
}

int
main(int argc, char **argv)
{
	char *eal_argv[] = {
		argv[0], "--no-huge", "-m", "512", "--file-prefix",
		"test-fastpath", "--no-pci", "--no-telemetry", "-l", "0",
		"--vdev", "net_ring0", "--vdev", "net_ring1",
		"--log-level", "lib.eal:error",
	};
	int passed = 0, failed = 0;
	unsigned int mode;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	if (setup() != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	for (mode = 0; mode < 2; mode++) {
		printf("-- home addresses in %s\n", mode == 0 ?
			"the hashed fallback" : "a prefix indexed directly");
		if (use_table(mode == 1) != 0) {
			fprintf(stderr, "binding table failed\n");
			return 1;
		}
		TEST_RUN(test_proxy_arp_reply);
		TEST_RUN(test_arp_not_answered);
		TEST_RUN(test_arp_own_address);
		TEST_RUN(test_arp_learns_changed_mac);
		TEST_RUN(test_pair_virtual_mac);
		TEST_RUN(test_ipip_encap);
		TEST_RUN(test_minimal_encap_s);
		TEST_RUN(test_minimal_encap_no_s);
		TEST_RUN(test_minimal_fragment_uses_ipip);
		TEST_RUN(test_gre_encap);
		TEST_RUN(test_two_care_of_addresses);
		TEST_RUN(test_unresolved_next_hop_punted);
		TEST_RUN(test_ttl_expired);
		TEST_RUN(test_no_binding_and_not_for_us);
		TEST_RUN(test_too_big_frag_needed);
		TEST_RUN(test_icmp_errors_limited);
		TEST_RUN(test_icmp_echo_reply);
		TEST_RUN(test_registration_punted);
		TEST_RUN(test_registration_guard);
		TEST_RUN(test_reverse_tunnel_accepted);
		TEST_RUN(test_reverse_tunnel_minimal);
		TEST_RUN(test_reverse_tunnel_rejected);
		TEST_RUN(test_reverse_tunnel_bad_inner_cksum);
		TEST_RUN(test_fragment_to_agent_punted);
		TEST_RUN(test_udp_encap);
		TEST_RUN(test_udp_decap);
		TEST_RUN(test_burst_mixed);
		TEST_RUN(test_port_stats);
		TEST_RUN(test_worker_main_loop);
		TEST_RUN(test_coa_change_counters);
		TEST_RUN(test_cell_busy_uses_record);
		TEST_RUN(test_fast_classify_edges);
		TEST_RUN(test_ttl_decrement_checksum);
		TEST_RUN(test_builders);
		TEST_RUN(test_minimal_roundtrip);
	}
	drain();
	haven_binding_table_free(table);
	rte_eal_cleanup();
	TEST_SUMMARY();
}
