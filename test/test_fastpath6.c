/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the IPv6 fast path (haven_fastpath6.h). As in
 * test_fastpath.c, a home port and a visited port are net_ring devices
 * whose TX rings the tests read back, so every assertion is about bytes
 * as they would go on the wire; packets are fed straight into
 * haven_worker_process_burst(), and the IPv6 binding table is the real
 * one. Checksums are verified with an independent implementation.
 *
 * Topology: home link 2001:db8:1::/64 on port index 0 (agent ::1, which
 * is also the home agent address; correspondent ::50; the mobile node's
 * home address ::10; a router fe80::fe); visited link 2001:db8:2::/64 on
 * port index 1 (port ::1, care-of address ::20, gateway ::fe toward
 * 2001:db8:3::/64 where a second care-of address ::5 lives). Tunnels must
 * leave port 1 with the home agent address 2001:db8:1::1 as outer source
 * (claim 5), not the port's 2001:db8:2::1.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "haven_binding6.h"
#include "haven_binding_worker.h"
#include "haven_fastpath.h"
#include "haven_fastpath6.h"
#include "haven_nd.h"
#include "fastpath6_private.h"
#include "test.h"

#define MAC(x, y) { .addr_bytes = { 0x02, 0, 0, 0, x, y } }
#define A6(p, h) { 0x20, 0x01, 0x0d, 0xb8, 0, p, 0, 0, 0, 0, 0, 0, 0, 0, \
	(h) >> 8, (h) & 0xff }

static const uint8_t HA[16] = A6(1, 1);
static const uint8_t CH[16] = A6(1, 0x50);
static const uint8_t HOME[16] = A6(1, 0x10);
static const uint8_t HOME2[16] = A6(1, 0x11);
static const uint8_t UNBOUND[16] = A6(1, 0x99);
static const uint8_t DELEGATED[16] = A6(1, 0x12);
static const uint8_t STRANGER[16] = A6(1, 0x77);
static const uint8_t VPORT[16] = A6(2, 1);
static const uint8_t COA[16] = A6(2, 0x20);
static const uint8_t COA_BAD[16] = A6(2, 0x99);
static const uint8_t GW[16] = A6(2, 0xfe);
static const uint8_t COA2[16] = A6(3, 5);
static const uint8_t UNRESOLVED[16] = A6(2, 0x30);
static const uint8_t ROUTER_LL[16] = { 0xfe, 0x80, [15] = 0xfe };
static const uint8_t UNSPEC[16];
static const uint8_t ALL_NODES[16] = { 0xff, 0x02, [15] = 1 };

static const struct rte_ether_addr port_mac[2] = { MAC(0xaa, 0), MAC(0xaa, 1) };
static const struct rte_ether_addr router_mac = MAC(0, 0xfe);
static const struct rte_ether_addr ch_mac = MAC(0, 0x50);
static const struct rte_ether_addr coa_mac = MAC(1, 0x14);
static const struct rte_ether_addr gw_mac = MAC(1, 0xfe);
static const struct rte_ether_addr stranger_mac = MAC(9, 9);

static struct rte_mempool *pool;
static struct haven_fp fp;
static struct haven_fp6 fp6;
static struct haven_worker w;
static struct haven_binding6_table *table;
static volatile bool quit;
static int neigh_coa, neigh_gw, neigh_unresolved;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += p[i] << 8 | p[i + 1];
	if (len & 1)
		s += p[len - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* ICMPv6 checksum over pseudo-header and message: 0 when it verifies. */
static uint16_t
icmp6_verify(const uint8_t *ip)
{
	uint16_t plen = (uint16_t)(ip[4] << 8 | ip[5]);
	uint32_t s = sum16(ip + 8, 32, 0);

	s += plen + 58;
	return fold(sum16(ip + 40, plen, s));
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put_ip6(uint8_t *ip, uint8_t nh, uint16_t plen, const uint8_t *src,
		const uint8_t *dst, uint8_t hop)
{
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[4] = plen >> 8;
	ip[5] = plen & 0xff;
	ip[6] = nh;
	ip[7] = hop;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
}

/* An Ethernet frame of len bytes after the header, zero-filled. */
static struct rte_mbuf *
frame(const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
		uint16_t len, uint8_t **l3)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + len);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eth, 0, sizeof(*eth) + len);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	*l3 = (uint8_t *)(eth + 1);
	return m;
}

/* A UDP datagram of payload bytes 0, 1, 2, ... (UDP checksum 0). */
static struct rte_mbuf *
udp6(const struct rte_ether_addr *dst_mac, const struct rte_ether_addr *src_mac,
		const uint8_t *src, const uint8_t *dst, uint8_t hop,
		uint16_t payload)
{
	uint8_t *ip;
	struct rte_mbuf *m = frame(dst_mac, src_mac, 40 + 8 + payload, &ip);
	uint16_t i;

	if (m == NULL)
		return NULL;
	put_ip6(ip, 17, 8 + payload, src, dst, hop);
	ip[40] = 0x30;
	ip[41] = 0x39;
	ip[42] = 0x1f;
	ip[43] = 0x90;
	ip[44] = (8 + payload) >> 8;
	ip[45] = (8 + payload) & 0xff;
	for (i = 0; i < payload; i++)
		ip[48 + i] = (uint8_t)i;
	return m;
}

/* A Neighbor Solicitation for target from src (:: for DAD). */
static struct rte_mbuf *
ns_packet(const struct rte_ether_addr *src_mac, const uint8_t *src,
		const uint8_t *target)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m == NULL)
		return NULL;
	if (haven_build_ns(m, src_mac, memcmp(src, UNSPEC, 16) == 0 ?
			NULL : src, target) != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

static void
run(uint16_t port, struct rte_mbuf *m)
{
	haven_worker_process_burst(&w, port, &m, 1);
	haven_worker_flush(&w);
}

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
}

static struct haven_binding6_coa
coa_entry(const uint8_t *addr, const uint8_t *nh, int neigh)
{
	struct haven_binding6_coa c;

	memset(&c, 0, sizeof(c));
	memcpy(c.addr, addr, 16);
	memcpy(c.next_hop, nh, 16);
	c.neigh = (uint16_t)neigh;
	c.port = fp.ports[1].port_id;
	return c;
}

static int
bind6(const uint8_t *home, uint8_t flags, unsigned int n,
		const struct haven_binding6_coa *coas)
{
	struct haven_binding6 b;
	unsigned int i;

	memset(&b, 0, sizeof(b));
	memcpy(b.home_addr, home, 16);
	memcpy(b.outer_src, HA, 16);
	b.flags = flags;
	b.forwarder = HAVEN_FORWARDER_SELF;
	b.n_coa = n;
	for (i = 0; i < n; i++)
		b.coa[i] = coas[i];
	return haven_binding6_publish(table, &b);
}

static int
bind_simple(const uint8_t *home, uint8_t flags)
{
	struct haven_binding6_coa c = coa_entry(COA, COA, neigh_coa);

	return bind6(home, flags, 1, &c);
}

/*
 * A binding's counters as the control lcore sums them (the worker's lane
 * in the cell and its row): a snapshot, refreshed by every call.
 */
static const struct haven_binding_counters *
counters(const uint8_t *home)
{
	static struct haven_binding_counters sum;
	const struct haven_binding6 *b = haven_binding6_lookup(table, home);

	if (b == NULL)
		return NULL;
	haven_binding6_counters_sum(table, b->slot, &sum);
	return &sum;
}

static int
check_eth(const struct rte_mbuf *m, const struct rte_ether_addr *dst,
		const struct rte_ether_addr *src)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	TEST_ASSERT(rte_is_same_ether_addr(&eth->dst_addr, dst), "eth dst");
	TEST_ASSERT(rte_is_same_ether_addr(&eth->src_addr, src), "eth src");
	TEST_ASSERT_EQUAL(rte_be_to_cpu_16(eth->ether_type),
		RTE_ETHER_TYPE_IPV6, "ether type");
	return 0;
}

static int
check_ip6(const uint8_t *ip, uint8_t nh, const uint8_t *src,
		const uint8_t *dst, uint16_t plen, uint8_t hop)
{
	TEST_ASSERT_EQUAL(ip[0] >> 4, 6, "version");
	TEST_ASSERT_EQUAL(ip[6], nh, "next header");
	TEST_ASSERT_MEM(ip + 8, src, 16, "source");
	TEST_ASSERT_MEM(ip + 24, dst, 16, "destination");
	TEST_ASSERT_EQUAL(be16(ip + 4), plen, "payload length");
	TEST_ASSERT_EQUAL(ip[7], hop, "hop limit");
	return 0;
}

/* The inner UDP datagram of udp6(payload) with hop limit hop. */
static int
check_inner_udp(const uint8_t *ip, const uint8_t *src, const uint8_t *dst,
		uint16_t payload, uint8_t hop)
{
	uint16_t i;

	if (check_ip6(ip, 17, src, dst, 8 + payload, hop) != 0)
		return -1;
	for (i = 0; i < payload; i++)
		TEST_ASSERT_EQUAL(ip[48 + i], (uint8_t)i, "payload byte %u", i);
	return 0;
}

/* An NA as sent: hop limit 255, checksum, flags, target, TLLA. */
static int
check_na(const struct rte_mbuf *m, const uint8_t *src, const uint8_t *dst,
		const uint8_t *target, uint8_t flags,
		const struct rte_ether_addr *tlla)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);

	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 40 + 32, "NA length");
	if (check_ip6(ip, 58, src, dst, 32, 255) != 0)
		return -1;
	TEST_ASSERT_EQUAL(ip[40], 136, "ICMPv6 type NA");
	TEST_ASSERT_EQUAL(ip[41], 0, "code");
	TEST_ASSERT_EQUAL(icmp6_verify(ip), 0, "ICMPv6 checksum");
	TEST_ASSERT_EQUAL(ip[44], flags, "flags");
	TEST_ASSERT_MEM(ip + 48, target, 16, "target");
	TEST_ASSERT_EQUAL(ip[64], 2, "TLLA option type");
	TEST_ASSERT_EQUAL(ip[65], 1, "TLLA option length");
	TEST_ASSERT_MEM(ip + 66, tlla->addr_bytes, 6, "TLLA");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Neighbor Discovery                                                  */
/* ------------------------------------------------------------------ */

static int
test_proxy_na(void)
{
	struct rte_mbuf *m;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_BINDING_F_INTERCEPT), 0,
		"bind");
	run(0, ns_packet(&router_mac, ROUTER_LL, HOME));
	m = sent(0);
	TEST_ASSERT(m != NULL, "no proxy NA on the home port");
	if (check_eth(m, &router_mac, &port_mac[0]) != 0 ||
	    check_na(m, HA, ROUTER_LL, HOME,
			HAVEN_ND_NA_F_O | HAVEN_ND_NA_F_S, &port_mac[0]) != 0)
		return -1;
	rte_pktmbuf_free(m);
	TEST_ASSERT_EQUAL(w.stats.proxy_nd, 1, "proxy_nd counter");
	TEST_ASSERT(punted() == NULL, "unknown neighbour: nothing to learn");
	TEST_ASSERT(sent(1) == NULL, "sent on the visited port");
	return 0;
}

static int
test_dad_defended(void)
{
	static const struct rte_ether_addr all_nodes_mac = {
		.addr_bytes = { 0x33, 0x33, 0, 0, 0, 1 } };
	struct rte_mbuf *m;

	drain();
	run(0, ns_packet(&stranger_mac, UNSPEC, HOME));
	m = sent(0);
	TEST_ASSERT(m != NULL, "DAD probe for a bound home address undefended");
	if (check_eth(m, &all_nodes_mac, &port_mac[0]) != 0 ||
	    check_na(m, HA, ALL_NODES, HOME, HAVEN_ND_NA_F_O,
			&port_mac[0]) != 0)
		return -1;
	rte_pktmbuf_free(m);
	TEST_ASSERT(punted() == NULL, "defended probe punted");
	return 0;
}

static int
test_ns_not_answered(void)
{
	struct rte_mbuf *m;

	drain();
	/* Unbound target from a stranger: dropped. */
	run(0, ns_packet(&stranger_mac, STRANGER, UNBOUND));
	TEST_ASSERT(sent(0) == NULL, "answered an unbound address");
	TEST_ASSERT(punted() == NULL, "punted a stranger's NS");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NOT_FOR_US], 1, "drop");

	/* A DAD probe of an unbound address: the control lcore's (a home
	 * address under duplicate address detection). */
	run(0, ns_packet(&stranger_mac, UNSPEC, UNBOUND));
	TEST_ASSERT(sent(0) == NULL, "answered a DAD probe");
	m = punted();
	TEST_ASSERT(m != NULL, "DAD probe not punted");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_REASON(m), HAVEN_PUNT_CONTROL, "reason");
	TEST_ASSERT_EQUAL(m->port, fp.ports[0].port_id, "punt port");
	rte_pktmbuf_free(m);

	/* Bound without intercept: punted, not answered. */
	TEST_ASSERT_EQUAL(bind_simple(HOME2, 0), 0, "bind");
	run(0, ns_packet(&router_mac, ROUTER_LL, HOME2));
	TEST_ASSERT(sent(0) == NULL, "answered without intercept");
	m = punted();
	TEST_ASSERT(m != NULL, "NS for a bound address not punted");
	rte_pktmbuf_free(m);

	/* Proxy ND is for the home link only. */
	run(1, ns_packet(&gw_mac, GW, HOME));
	TEST_ASSERT(sent(1) == NULL, "proxy NA on the visited link");

	/* Malformed: hop limit not 255. */
	m = ns_packet(&router_mac, ROUTER_LL, HOME);
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14)[7] = 64;
	drain();
	run(0, m);
	TEST_ASSERT(sent(0) == NULL, "answered an NS with hop limit 64");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_MALFORMED], 1, "malformed");
	return 0;
}

static int
test_ns_own_address(void)
{
	struct rte_mbuf *m;

	drain();
	run(1, ns_packet(&gw_mac, GW, VPORT));
	m = sent(1);
	TEST_ASSERT(m != NULL, "no NA for the port's own address");
	if (check_eth(m, &gw_mac, &port_mac[1]) != 0 ||
	    check_na(m, VPORT, GW, VPORT, HAVEN_ND_NA_F_O | HAVEN_ND_NA_F_S,
			&port_mac[1]) != 0)
		return -1;
	rte_pktmbuf_free(m);
	TEST_ASSERT_EQUAL(w.stats.proxy_nd, 0, "not a proxy NA");
	TEST_ASSERT(punted() == NULL, "known neighbour, same MAC: no punt");

	/* The gateway from a new MAC: answered, and control learns it. */
	run(1, ns_packet(&stranger_mac, GW, VPORT));
	m = sent(1);
	TEST_ASSERT(m != NULL, "no NA");
	if (check_eth(m, &stranger_mac, &port_mac[1]) != 0)
		return -1;
	rte_pktmbuf_free(m);
	m = punted();
	TEST_ASSERT(m != NULL, "control lcore not told of the new MAC");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_REASON(m), HAVEN_PUNT_CONTROL, "reason");
	TEST_ASSERT_EQUAL(rte_pktmbuf_mtod_offset(m, uint8_t *, 54)[0], 135,
		"the NS as received");
	rte_pktmbuf_free(m);
	return 0;
}

/* An unsolicited NA for target from src_mac/src to all nodes. */
static struct rte_mbuf *
na_packet(const struct rte_ether_addr *src_mac, const uint8_t *src,
		const uint8_t *target)
{
	static const struct rte_ether_addr all_nodes_mac = {
		.addr_bytes = { 0x33, 0x33, 0, 0, 0, 1 } };
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m != NULL && haven_build_na(m, src_mac, &all_nodes_mac, src,
			ALL_NODES, target, HAVEN_ND_NA_F_O, src_mac) != 0) {
		rte_pktmbuf_free(m);
		m = NULL;
	}
	return m;
}

/* An NA on port: punted to the control lcore (true) or dropped. */
static bool
na_punted(uint16_t port, const struct rte_ether_addr *src_mac,
		const uint8_t *src, const uint8_t *target)
{
	struct rte_mbuf *m;

	run(port, na_packet(src_mac, src, target));
	m = punted();
	if (m == NULL)
		return false;
	rte_pktmbuf_free(m);
	return true;
}

/* An address of 2001:db8:7::/64 in the DAD watch's set of a, not a. */
static void
same_set(const uint8_t *a, unsigned int skip, uint8_t out[16])
{
	static const uint8_t base[16] = A6(7, 0);
	unsigned int i;

	for (i = 1; i < 1u << 20; i++) {
		memcpy(out, base, 16);
		out[12] = (uint8_t)(i >> 16);
		out[13] = (uint8_t)(i >> 8);
		out[14] = (uint8_t)i;
		if (fp_dad6_set(out) == fp_dad6_set(a) && skip-- == 0)
			return;
	}
	memset(out, 0, 16);
}

/*
 * Neighbor Advertisements reach the control lcore only when they concern
 * it: the agent's addresses, neighbours (known or being resolved), bound
 * home addresses (the defence of what it intercepts), addresses under
 * DAD. The rest is dropped in the worker (issue 16: at 100,000 IPv6
 * bindings a busy link's announcements overflowed the punt ring).
 */
static int
test_na_filtered(void)
{
	struct rte_mbuf *m, *pkts[HAVEN_BURST];
	uint8_t x[16], y[16], z[16];
	unsigned int i, k;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_BINDING_F_INTERCEPT), 0,
		"bind");
	TEST_ASSERT_EQUAL(bind_simple(HOME2, 0), 0, "bind without intercept");
	/* Of concern: punted. */
	TEST_ASSERT(na_punted(1, &gw_mac, GW, GW), "known neighbour");
	TEST_ASSERT(na_punted(1, &stranger_mac, UNRESOLVED, UNRESOLVED),
		"neighbour being resolved");
	TEST_ASSERT(na_punted(0, &stranger_mac, STRANGER, HA),
		"the home agent address");
	TEST_ASSERT(na_punted(0, &stranger_mac, STRANGER, VPORT),
		"a port's address");
	TEST_ASSERT(na_punted(0, &stranger_mac, STRANGER, HOME),
		"a home address intercepted here (defence)");
	TEST_ASSERT(na_punted(0, &stranger_mac, STRANGER, HOME2),
		"a bound home address");
	TEST_ASSERT_EQUAL(w.stats.punted, 6, "punted");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NA_UNSOLICITED], 0,
		"none dropped");
	/* Of no concern: dropped, counted. */
	TEST_ASSERT(!na_punted(0, &stranger_mac, STRANGER, STRANGER),
		"a stranger's own announcement punted");
	TEST_ASSERT(!na_punted(0, &stranger_mac, STRANGER, UNBOUND),
		"an unbound address punted");
	/* Bound, but forwarded by a secondary: its announcements are its. */
	{
		struct haven_binding6 b;

		memset(&b, 0, sizeof(b));
		memcpy(b.home_addr, DELEGATED, 16);
		memcpy(b.outer_src, HA, 16);
		b.flags = HAVEN_BINDING_F_INTERCEPT;
		b.forwarder = 1;
		b.n_coa = 1;
		b.coa[0] = coa_entry(COA, COA, neigh_coa);
		TEST_ASSERT_EQUAL(haven_binding6_publish(table, &b), 0,
			"bind delegated");
	}
	TEST_ASSERT(!na_punted(0, &stranger_mac, STRANGER, DELEGATED),
		"a secondary's announcement of a delegated binding punted");
	haven_binding6_remove(table, DELEGATED);
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NA_UNSOLICITED], 3,
		"na_unsolicited");
	/* Under DAD: punted (a defence fails the DAD). */
	haven_fp6_dad_watch(&fp6, UNBOUND);
	TEST_ASSERT(na_punted(0, &stranger_mac, STRANGER, UNBOUND),
		"an address under DAD");
	/* Two more probes in its set: the oldest gives way; a probe
	 * again refreshes an entry. */
	same_set(UNBOUND, 0, x);
	same_set(UNBOUND, 1, y);
	same_set(UNBOUND, 2, z);
	TEST_ASSERT(!fp_ip6_is_zero(z), "no address of the same set");
	haven_fp6_dad_watch(&fp6, x);
	TEST_ASSERT(na_punted(0, &stranger_mac, STRANGER, UNBOUND),
		"two ways: still watched");
	TEST_ASSERT(na_punted(0, &stranger_mac, STRANGER, x), "x watched");
	haven_fp6_dad_watch(&fp6, UNBOUND);	/* refresh: x is older */
	haven_fp6_dad_watch(&fp6, y);
	TEST_ASSERT(!na_punted(0, &stranger_mac, STRANGER, x), "x forgotten");
	TEST_ASSERT(na_punted(0, &stranger_mac, STRANGER, UNBOUND),
		"refreshed entry kept");
	TEST_ASSERT(na_punted(0, &stranger_mac, STRANGER, y), "y watched");
	haven_fp6_dad_watch(&fp6, z);
	TEST_ASSERT(!na_punted(0, &stranger_mac, STRANGER, UNBOUND),
		"UNBOUND forgotten after two newer");
	/* Truncated: malformed. */
	m = na_packet(&stranger_mac, STRANGER, STRANGER);
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 14 - 40 - 8);
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14)[5] = 8;
	drain();
	run(0, m);
	TEST_ASSERT(punted() == NULL, "truncated NA punted");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_MALFORMED], 1, "malformed");
	/* A flood of 32 x 32 announcements (4 times the punt ring) from
	 * strangers: none reaches the ring, nothing is lost to it. */
	drain();
	for (k = 0; k < 32; k++) {
		for (i = 0; i < HAVEN_BURST; i++) {
			uint8_t t[16] = A6(1, 0x1000);

			t[14] = (uint8_t)(0x10 + k);
			t[15] = (uint8_t)i;
			pkts[i] = na_packet(&stranger_mac, t, t);
		}
		haven_worker_process_burst(&w, 0, pkts, HAVEN_BURST);
	}
	TEST_ASSERT_EQUAL(rte_ring_count(fp.punt_ring), 0, "punt ring used");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NA_UNSOLICITED],
		32 * HAVEN_BURST, "flood dropped as na_unsolicited");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_PUNT_RING_FULL], 0,
		"punt ring full");
	memset(fp6.dad, 0, sizeof(fp6.dad));
	memset(fp6.dad_stamp, 0, sizeof(fp6.dad_stamp));
	haven_binding6_remove(table, HOME2);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Encapsulation                                                       */
/* ------------------------------------------------------------------ */

static int
test_encap6(void)
{
	const struct haven_binding_counters *cnt;
	struct rte_mbuf *m;
	const uint8_t *outer;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_BINDING_F_INTERCEPT), 0,
		"bind");
	cnt = counters(HOME);
	TEST_ASSERT(cnt != NULL, "binding");
	run(0, udp6(&port_mac[0], &ch_mac, CH, HOME, 64, 100));
	m = sent(1);
	TEST_ASSERT(m != NULL, "nothing tunnelled");
	if (check_eth(m, &coa_mac, &port_mac[1]) != 0)
		return -1;
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 40 + 148, "length");
	outer = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	/* Outer source: the binding's (the home agent), not port 1's. */
	if (check_ip6(outer, 41, HA, COA, 148, HAVEN_OUTER_TTL) != 0 ||
	    check_inner_udp(outer + 40, CH, HOME, 100, 63) != 0)
		return -1;
	rte_pktmbuf_free(m);
	TEST_ASSERT(sent(1) == NULL && sent(0) == NULL, "extra frames");
	TEST_ASSERT_EQUAL(w.stats.encap_pkts, 1, "encap_pkts");
	cnt = counters(HOME);
	TEST_ASSERT_EQUAL(cnt->pkts, 1, "binding pkts");
	TEST_ASSERT_EQUAL(cnt->bytes, 148, "binding bytes");

	/* Ethernet padding does not travel. */
	m = udp6(&port_mac[0], &ch_mac, CH, HOME, 64, 10);
	rte_pktmbuf_append(m, 6);
	run(0, m);
	m = sent(1);
	TEST_ASSERT(m != NULL, "nothing tunnelled");
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 40 + 58, "padding");
	rte_pktmbuf_free(m);

	/* Not ours: another MAC, no binding. */
	drain();
	run(0, udp6(&stranger_mac, &ch_mac, CH, HOME, 64, 10));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NOT_FOR_US], 1, "other MAC");
	run(0, udp6(&port_mac[0], &ch_mac, CH, UNBOUND, 64, 10));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NO_BINDING], 1, "unbound");
	TEST_ASSERT(sent(1) == NULL, "tunnelled something");
	return 0;
}

static int
test_two_care_of_addresses(void)
{
	struct haven_binding6_coa c[2] = {
		coa_entry(COA, COA, neigh_coa),
		coa_entry(COA2, GW, neigh_gw),
	};
	struct rte_mbuf *m;
	const uint8_t *outer;

	drain();
	TEST_ASSERT_EQUAL(bind6(HOME, HAVEN_BINDING_F_INTERCEPT, 2, c), 0,
		"bind");
	run(0, udp6(&port_mac[0], &ch_mac, CH, HOME, 64, 20));
	m = sent(1);
	TEST_ASSERT(m != NULL, "first copy");
	outer = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_eth(m, &coa_mac, &port_mac[1]) != 0 ||
	    check_ip6(outer, 41, HA, COA, 68, 64) != 0 ||
	    check_inner_udp(outer + 40, CH, HOME, 20, 63) != 0)
		return -1;
	rte_pktmbuf_free(m);
	m = sent(1);
	TEST_ASSERT(m != NULL, "second copy");
	outer = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_eth(m, &gw_mac, &port_mac[1]) != 0 ||
	    check_ip6(outer, 41, HA, COA2, 68, 64) != 0 ||
	    check_inner_udp(outer + 40, CH, HOME, 20, 63) != 0)
		return -1;
	rte_pktmbuf_free(m);
	TEST_ASSERT(sent(1) == NULL, "a third copy");
	TEST_ASSERT_EQUAL(w.stats.encap_pkts, 2, "encap_pkts");
	return bind_simple(HOME, HAVEN_BINDING_F_INTERCEPT);
}

static int
test_hop_limit_expired(void)
{
	uint8_t orig[40 + 8 + 30];
	struct rte_mbuf *m;
	const uint8_t *ip;

	drain();
	m = udp6(&port_mac[0], &ch_mac, CH, HOME, 1, 30);
	memcpy(orig, rte_pktmbuf_mtod_offset(m, uint8_t *, 14), sizeof(orig));
	run(0, m);
	TEST_ASSERT(sent(1) == NULL, "tunnelled with hop limit 1");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_TTL_EXPIRED], 1, "drop");
	m = sent(0);
	TEST_ASSERT(m != NULL, "no Time Exceeded");
	if (check_eth(m, &ch_mac, &port_mac[0]) != 0)
		return -1;
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_ip6(ip, 58, HA, CH, 8 + sizeof(orig), 64) != 0)
		return -1;
	TEST_ASSERT_EQUAL(ip[40], 3, "type Time Exceeded");
	TEST_ASSERT_EQUAL(ip[41], 0, "code 0");
	TEST_ASSERT_EQUAL(icmp6_verify(ip), 0, "checksum");
	TEST_ASSERT_MEM(ip + 48, orig, sizeof(orig), "the packet is quoted");
	rte_pktmbuf_free(m);
	return 0;
}

/* Issue 10 #7: Packet Too Big within the worker's rate limit. */
static int
test_icmp6_errors_limited(void)
{
	struct rte_mbuf *m;
	unsigned int i, n = 0;

	drain();
	fp.icmp_rate = 1;
	fp.icmp_burst = 2;
	w.icmp_credit = 0;
	w.icmp_tsc = 0;
	for (i = 0; i < 6; i++)
		run(0, udp6(&port_mac[0], &ch_mac, CH, HOME, 64, 1413));
	while ((m = sent(0)) != NULL) {
		n += rte_pktmbuf_mtod_offset(m, const uint8_t *, 14)[40] == 2;
		rte_pktmbuf_free(m);
	}
	TEST_ASSERT_EQUAL(n, 2, "Packet Too Big sent of 6");
	TEST_ASSERT_EQUAL(w.stats.icmp_limited, 4, "icmp_limited");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_TOO_BIG], 6, "too_big");
	fp.icmp_rate = 0;
	fp.icmp_burst = 0;
	w.icmp_tsc = 0;
	return 0;
}

static int
test_packet_too_big(void)
{
	struct rte_mbuf *m;
	const uint8_t *ip;

	drain();
	/* 40 + 8 + 1412 = 1460 fits a 1500 MTU with the outer header. */
	run(0, udp6(&port_mac[0], &ch_mac, CH, HOME, 64, 1412));
	m = sent(1);
	TEST_ASSERT(m != NULL, "1460 bytes not tunnelled");
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 1500, "frame size");
	rte_pktmbuf_free(m);

	run(0, udp6(&port_mac[0], &ch_mac, CH, HOME, 64, 1413));
	TEST_ASSERT(sent(1) == NULL, "1461 bytes tunnelled");
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_TOO_BIG], 1, "drop");
	m = sent(0);
	TEST_ASSERT(m != NULL, "no Packet Too Big");
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	/* Quoted up to the IPv6 minimum MTU (RFC 4443 2.4 (c)). */
	if (check_eth(m, &ch_mac, &port_mac[0]) != 0 ||
	    check_ip6(ip, 58, HA, CH, 1280 - 40, 64) != 0)
		return -1;
	TEST_ASSERT_EQUAL(ip[40], 2, "type Packet Too Big");
	TEST_ASSERT_EQUAL(be16(ip + 44) << 16 | be16(ip + 46), 1460, "MTU");
	TEST_ASSERT_EQUAL(icmp6_verify(ip), 0, "checksum");
	TEST_ASSERT_MEM(ip + 48 + 8, CH, 16, "quoted source");
	TEST_ASSERT_EQUAL(ip[48 + 7], 64, "quoted as received");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_unresolved_next_hop_punted(void)
{
	struct haven_binding6_coa c = coa_entry(UNRESOLVED, UNRESOLVED,
			neigh_unresolved);
	const struct rte_ether_hdr *eth;
	struct rte_mbuf *m;
	static const struct rte_ether_addr zero;

	drain();
	TEST_ASSERT_EQUAL(bind6(HOME2, HAVEN_BINDING_F_INTERCEPT, 1, &c), 0,
		"bind");
	run(0, udp6(&port_mac[0], &ch_mac, CH, HOME2, 64, 10));
	TEST_ASSERT(sent(1) == NULL, "sent without a MAC");
	m = punted();
	TEST_ASSERT(m != NULL, "not punted");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_REASON(m), HAVEN_PUNT_RESOLVE, "reason");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_NEIGH(m), neigh_unresolved, "neighbour");
	TEST_ASSERT_EQUAL(m->port, fp.ports[1].port_id, "output port");
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (check_eth(m, &zero, &port_mac[1]) != 0 ||
	    check_ip6((const uint8_t *)(eth + 1), 41, HA, UNRESOLVED, 58,
			64) != 0)
		return -1;
	/* The control lcore finds the next hop from the outer destination. */
	{
		uint8_t nh[16], port;

		TEST_ASSERT_EQUAL(haven_route6_lookup(&fp,
			(const uint8_t *)(eth + 1) + 24, nh, &port), 0, "route");
		TEST_ASSERT_MEM(nh, fp6.neigh[HAVEN_PUNT_NEIGH(m)].ip, 16,
			"same next hop");
	}
	rte_pktmbuf_free(m);
	TEST_ASSERT_EQUAL(w.stats.punted, 1, "punted counter");
	return 0;
}

/* ------------------------------------------------------------------ */
/* To the agent                                                        */
/* ------------------------------------------------------------------ */

static int
test_echo6(void)
{
	struct rte_mbuf *m;
	uint8_t *ip;

	drain();
	m = frame(&port_mac[0], &ch_mac, 40 + 8 + 4, &ip);
	put_ip6(ip, 58, 12, CH, HA, 64);
	ip[40] = 128;
	ip[44] = 0x12;
	ip[45] = 0x34;
	ip[48] = 0xde;
	ip[51] = 0xef;
	{
		uint16_t c = fold(sum16(ip + 40, 12, sum16(ip + 8, 32, 0) +
				12 + 58));

		ip[42] = c >> 8;
		ip[43] = c & 0xff;
	}
	run(0, m);
	m = sent(0);
	TEST_ASSERT(m != NULL, "no echo reply");
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
	if (check_eth(m, &ch_mac, &port_mac[0]) != 0 ||
	    check_ip6(ip, 58, HA, CH, 12, 64) != 0)
		return -1;
	TEST_ASSERT_EQUAL(ip[40], 129, "type echo reply");
	TEST_ASSERT_EQUAL(icmp6_verify(ip), 0, "checksum");
	TEST_ASSERT_EQUAL(be16(ip + 44), 0x1234, "identifier");
	TEST_ASSERT_EQUAL(ip[48], 0xde, "data");
	TEST_ASSERT_EQUAL(w.stats.icmp_echo, 1, "icmp_echo");
	rte_pktmbuf_free(m);
	return 0;
}

/*
 * A Binding Update from src with a Home Address option for home: a
 * Destination Options header (PadN, then the option at 8n+6), then the MH.
 */
static struct rte_mbuf *
bu6(const uint8_t *src, const uint8_t *home)
{
	uint8_t *ip;
	struct rte_mbuf *m = frame(&port_mac[1], &gw_mac, 40 + 24 + 16, &ip);

	if (m == NULL)
		return NULL;
	put_ip6(ip, 60, 24 + 16, src, HA, 63);
	ip[40] = 135;
	ip[41] = 2;
	ip[42] = 1;		/* PadN */
	ip[43] = 2;
	ip[46] = 201;		/* Home Address option */
	ip[47] = 16;
	memcpy(ip + 48, home, 16);
	ip[64] = 59;		/* MH: payload proto, len 1, type BU */
	ip[65] = 1;
	ip[66] = 5;
	return m;
}

static int
test_mobility_header_punted(void)
{
	struct rte_mbuf *m;
	uint8_t *ip;

	drain();
	run(1, bu6(COA, HOME));
	m = punted();
	TEST_ASSERT(m != NULL, "MH after HAO not punted");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_REASON(m), HAVEN_PUNT_CONTROL, "reason");
	TEST_ASSERT_EQUAL(m->port, fp.ports[1].port_id, "input port");
	rte_pktmbuf_free(m);

	/* A bare MH to the port address. */
	m = frame(&port_mac[1], &gw_mac, 40 + 16, &ip);
	put_ip6(ip, 135, 16, COA, VPORT, 63);
	run(1, m);
	m = punted();
	TEST_ASSERT(m != NULL, "MH not punted");
	rte_pktmbuf_free(m);
	TEST_ASSERT(sent(0) == NULL && sent(1) == NULL, "answered");
	TEST_ASSERT_EQUAL(w.stats.punted, 2, "punted counter");
	return 0;
}

static void
bu6_burst(const uint8_t *src, const uint8_t *home, unsigned int n)
{
	struct rte_mbuf *pkts[HAVEN_BURST];
	unsigned int i;

	for (i = 0; i < n; i++)
		pkts[i] = bu6(src, home);
	haven_worker_process_burst(&w, 1, pkts, n);
	haven_worker_flush(&w);
}

/*
 * The registration guard for Binding Updates: from the bound care-of
 * address the bound lane (fp.reg_ring), from another source the new
 * lane, each under its meters (rates of 1 a second: only bursts count).
 */
static int
test_binding_update_guard(void)
{
	struct rte_ring *reg = rte_ring_create("fp6t_reg", 64, SOCKET_ID_ANY,
			RING_F_SC_DEQ);
	int rc = -1;

	TEST_ASSERT(reg != NULL, "reg ring");
	drain();
	memset(&w.reg, 0, sizeof(w.reg));
	fp.reg_ring = reg;
	haven_reg_guard_set(&fp.reg_guard, 1, 3, 1, 2, 1, 4);
	if (bind_simple(HOME, HAVEN_BINDING_F_INTERCEPT) != 0)
		goto out;
	bu6_burst(COA, HOME, 6);
	if (rte_ring_count(reg) != 4 || rte_ring_count(fp.punt_ring) != 0 ||
	    w.stats.reg_bound != 4 ||
	    w.stats.drops[HAVEN_DROP_REG_SHED_BOUND] != 2) {
		fprintf(stderr, "bound lane: reg %u punt %u\n",
			rte_ring_count(reg), rte_ring_count(fp.punt_ring));
		goto out;
	}
	/* Another source for the bound home: the new lane, 2 by its meter. */
	bu6_burst(COA_BAD, HOME, 5);
	if (rte_ring_count(fp.punt_ring) != 2 || w.stats.reg_new != 2 ||
	    w.stats.drops[HAVEN_DROP_REG_SHED_SOURCE] != 3) {
		fprintf(stderr, "source meter: punt %u new %u\n",
			rte_ring_count(fp.punt_ring),
			(unsigned int)w.stats.reg_new);
		goto out;
	}
	/* A third source: the new lane has 1 of its 3 left. */
	bu6_burst(STRANGER, UNBOUND, 3);
	if (rte_ring_count(fp.punt_ring) != 3 ||
	    w.stats.drops[HAVEN_DROP_REG_SHED] != 1) {
		fprintf(stderr, "new lane: punt %u shed %u\n",
			rte_ring_count(fp.punt_ring),
			(unsigned int)w.stats.drops[HAVEN_DROP_REG_SHED]);
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
	haven_binding6_remove(table, HOME);
	rte_ring_free(reg);
	drain();
	return rc;
}

/* A reverse-tunnelled UDP datagram from inner_src, from outer_src. */
static struct rte_mbuf *
tunnelled(const uint8_t *outer_src, const uint8_t *inner_src,
		const uint8_t *inner_dst, uint16_t payload)
{
	struct rte_mbuf *inner = udp6(&port_mac[1], &gw_mac, inner_src,
			inner_dst, 64, payload);
	struct rte_ether_hdr *eth;
	uint8_t *p;

	if (inner == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_prepend(inner, 40);
	eth = (struct rte_ether_hdr *)p;
	rte_ether_addr_copy(&port_mac[1], &eth->dst_addr);
	rte_ether_addr_copy(&coa_mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	put_ip6(p + 14, 41, 48 + payload, outer_src, HA, 64);
	return inner;
}

static int
test_reverse_tunnel_accepted(void)
{
	const struct haven_binding_counters *cnt;
	struct rte_mbuf *m;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_BINDING_F_INTERCEPT |
		HAVEN_BINDING_F_REVERSE_TUNNEL), 0, "bind");
	cnt = counters(HOME);
	run(1, tunnelled(COA, HOME, CH, 40));
	m = sent(0);
	TEST_ASSERT(m != NULL, "not delivered on the home link");
	if (check_eth(m, &ch_mac, &port_mac[0]) != 0 ||
	    check_inner_udp(rte_pktmbuf_mtod_offset(m, uint8_t *, 14), HOME,
			CH, 40, 63) != 0)
		return -1;
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 88, "length");
	rte_pktmbuf_free(m);
	TEST_ASSERT_EQUAL(w.stats.decap_pkts, 1, "decap_pkts");
	cnt = counters(HOME);
	TEST_ASSERT_EQUAL(cnt->rev_pkts, 1, "rev_pkts");
	TEST_ASSERT_EQUAL(cnt->rev_bytes, 88, "rev_bytes");

	/* Toward a host never resolved: RESOLVE without an entry. */
	run(1, tunnelled(COA, HOME, STRANGER, 8));
	m = punted();
	TEST_ASSERT(m != NULL, "not punted");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_REASON(m), HAVEN_PUNT_RESOLVE, "reason");
	TEST_ASSERT_EQUAL(HAVEN_PUNT_NEIGH(m), HAVEN_PUNT_NEIGH_NONE, "none");
	TEST_ASSERT_EQUAL(m->port, fp.ports[0].port_id, "output port");
	TEST_ASSERT_MEM(rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 24),
		STRANGER, 16, "inner destination");
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_reverse_tunnel_rejected(void)
{
	drain();
	run(1, tunnelled(COA_BAD, HOME, CH, 8));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_REVTUN_BAD_SOURCE], 1,
		"foreign outer source");
	run(1, tunnelled(COA, UNBOUND, CH, 8));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_REVTUN_NO_BINDING], 1,
		"unknown home address");
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_BINDING_F_INTERCEPT), 0,
		"bind without reverse tunnelling");
	run(1, tunnelled(COA, HOME, CH, 8));
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_REVTUN_NOT_ALLOWED], 1,
		"reverse tunnelling not allowed");
	TEST_ASSERT(sent(0) == NULL && punted() == NULL, "delivered");
	TEST_ASSERT_EQUAL(w.stats.decap_pkts, 0, "decap_pkts");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Off, routes, builders                                               */
/* ------------------------------------------------------------------ */

/*
 * A care-of change between two packets, and a cell caught while it is
 * rewritten: each packet goes where its binding said, and the binding's
 * counters hold them all.
 */
static int
test_coa_change_and_busy6(void)
{
	struct haven_binding6_coa c2 = coa_entry(COA2, GW, neigh_gw);
	struct haven_binding_counters before;
	struct haven_binding_cell6 *c;
	const uint8_t *outer;
	struct rte_mbuf *m;
	uint32_t word;

	drain();
	TEST_ASSERT_EQUAL(bind_simple(HOME, HAVEN_BINDING_F_INTERCEPT), 0,
		"bind");
	before = *counters(HOME);
	run(0, udp6(&port_mac[0], &ch_mac, CH, HOME, 64, 100));
	TEST_ASSERT_EQUAL(bind6(HOME, HAVEN_BINDING_F_INTERCEPT, 1, &c2), 0,
		"new coa");
	run(0, udp6(&port_mac[0], &ch_mac, CH, HOME, 64, 30));
	c = haven_binding_find6(haven_binding_view6(table), HOME);
	TEST_ASSERT(c != NULL, "cell");
	word = c->rec;
	c->rec = word | HAVEN_BINDING_CELL_BUSY;
	run(0, udp6(&port_mac[0], &ch_mac, CH, HOME, 64, 20));
	c->rec = word;

	m = sent(1);
	TEST_ASSERT(m != NULL, "first not tunnelled");
	outer = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_eth(m, &coa_mac, &port_mac[1]) != 0 ||
	    check_ip6(outer, 41, HA, COA, 148, HAVEN_OUTER_TTL) != 0)
		return -1;
	rte_pktmbuf_free(m);
	m = sent(1);
	TEST_ASSERT(m != NULL, "second not tunnelled");
	outer = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_eth(m, &gw_mac, &port_mac[1]) != 0 ||
	    check_ip6(outer, 41, HA, COA2, 78, HAVEN_OUTER_TTL) != 0)
		return -1;
	rte_pktmbuf_free(m);
	m = sent(1);
	TEST_ASSERT(m != NULL, "busy: not tunnelled");
	outer = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_eth(m, &gw_mac, &port_mac[1]) != 0 ||
	    check_ip6(outer, 41, HA, COA2, 68, HAVEN_OUTER_TTL) != 0 ||
	    check_inner_udp(outer + 40, CH, HOME, 20, 63) != 0)
		return -1;
	rte_pktmbuf_free(m);
	TEST_ASSERT(sent(1) == NULL, "extra frames");
	TEST_ASSERT_EQUAL(counters(HOME)->pkts - before.pkts, 3, "pkts");
	TEST_ASSERT_EQUAL(counters(HOME)->bytes - before.bytes,
		148 + 78 + 68, "bytes");
	return 0;
}

static int
test_ipv6_off(void)
{
	drain();
	fp.fp6 = NULL;
	run(0, udp6(&port_mac[0], &ch_mac, CH, HOME, 64, 10));
	run(0, ns_packet(&router_mac, ROUTER_LL, HOME));
	fp.fp6 = &fp6;
	TEST_ASSERT_EQUAL(w.stats.drops[HAVEN_DROP_NOT_IPV4_OR_ARP], 2,
		"IPv6 off: dropped as before");
	TEST_ASSERT(sent(0) == NULL && sent(1) == NULL && punted() == NULL,
		"IPv6 handled while off");
	return 0;
}

static int
test_route6(void)
{
	static const uint8_t far[16] = A6(9, 9);
	uint8_t nh[16], port;

	TEST_ASSERT_EQUAL(haven_route6_lookup(&fp, COA2, nh, &port), 0, "via");
	TEST_ASSERT_MEM(nh, GW, 16, "gateway");
	TEST_ASSERT_EQUAL(port, 1, "port");
	TEST_ASSERT_EQUAL(haven_route6_lookup(&fp, CH, nh, &port), 0, "conn");
	TEST_ASSERT_MEM(nh, CH, 16, "connected: itself");
	TEST_ASSERT_EQUAL(port, 0, "port");
	TEST_ASSERT_EQUAL(haven_route6_lookup(&fp, far, nh, &port),
		-ENETUNREACH, "unreachable");
	fp6.has_default_route = true;
	fp6.default_route = 1;
	TEST_ASSERT_EQUAL(haven_route6_lookup(&fp, far, nh, &port), 0, "dflt");
	TEST_ASSERT_MEM(nh, GW, 16, "default gateway");
	fp6.has_default_route = false;
	return 0;
}

static int
test_builders6(void)
{
	static const struct rte_ether_addr snm_mac = {
		.addr_bytes = { 0x33, 0x33, 0xff, 0, 0, 0x10 } };
	static const uint8_t snm[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff,
		[15] = 0x10 };
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	const uint8_t *ip;
	uint8_t pkt[48];
	struct haven_nd_ns_info ns;

	/* DAD probe: from ::, no option, to the solicited-node group. */
	TEST_ASSERT_EQUAL(haven_build_ns(m, &port_mac[0], NULL, HOME), 0, "ns");
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	if (check_eth(m, &snm_mac, &port_mac[0]) != 0 ||
	    check_ip6(ip, 58, UNSPEC, snm, 24, 255) != 0)
		return -1;
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 64, "no option");
	TEST_ASSERT_EQUAL(icmp6_verify(ip), 0, "checksum");
	TEST_ASSERT_EQUAL(haven_nd_parse_ns(ip, 64, &ns, NULL, 0), 0, "parse");
	TEST_ASSERT(ns.dad, "a DAD probe");
	rte_pktmbuf_reset(m);

	/* Resolution: from an address, with the source link-layer option. */
	TEST_ASSERT_EQUAL(haven_build_ns(m, &port_mac[0], HA, HOME), 0, "ns");
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14 + 72, "option");
	TEST_ASSERT_EQUAL(haven_nd_parse_ns(ip, 72, &ns, NULL, 0), 0, "parse");
	TEST_ASSERT(ns.has_slla && memcmp(ns.slla, port_mac[0].addr_bytes,
		6) == 0, "SLLA");
	rte_pktmbuf_reset(m);

	/* An IPv6 packet wrapped as it is. */
	put_ip6(pkt, 59, 8, HA, CH, 64);
	memset(pkt + 40, 0xab, 8);
	TEST_ASSERT_EQUAL(haven_build_ip6(m, &port_mac[0], &ch_mac, pkt,
		sizeof(pkt)), 0, "ip6");
	if (check_eth(m, &ch_mac, &port_mac[0]) != 0)
		return -1;
	TEST_ASSERT_MEM(rte_pktmbuf_mtod_offset(m, uint8_t *, 14), pkt,
		sizeof(pkt), "bytes");
	TEST_ASSERT_EQUAL(haven_build_ip6(m, &port_mac[0], &ch_mac, pkt, 10),
		-EINVAL, "short");
	rte_pktmbuf_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */

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
 * A fresh IPv6 binding table for the worker: with 2001:db8:1::/120 (the
 * home link's addresses) indexed directly, or every home address in the
 * fallback.
 */
static int
use_table(bool direct)
{
	struct haven_binding_prefix home = {
		.addr = haven_addr6(HA), .len = 120,
	};
	struct haven_binding_stats st;

	haven_binding6_table_free(table);
	table = haven_binding6_table_create("fp6t", 64, 1, qsbr,
			SOCKET_ID_ANY, &home, direct);
	if (table == NULL)
		return -1;
	haven_binding6_stats_get(table, &st);
	if (st.n_direct != (direct ? 1 : 0))
		return -1;
	fp6.bindings = table;
	w.counters6 = haven_binding6_counters_row(table, 0);
	return w.counters6 == NULL ? -1 : 0;
}

static int
setup(void)
{
	static uint8_t route_gw[4][16];
	static uint8_t route_port[4];
	static const uint8_t net3[16] = A6(3, 0);
	struct rte_lpm6_config lc = { .max_rules = 16, .number_tbl8s = 256 };
	int idx;

	pool = rte_pktmbuf_pool_create("fp6t_pool", 1023, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL || port_create(0, "net_ring0") != 0 ||
	    port_create(1, "net_ring1") != 0)
		return -1;
	fp.n_ports = 2;
	fp.home_port = 0;
	fp.pool = pool;
	fp.quit = &quit;
	fp.punt_ring = rte_ring_create("fp6t_punt", 256, SOCKET_ID_ANY,
			RING_F_SC_DEQ);
	fp.neigh = rte_zmalloc("fp6t_neigh",
			sizeof(struct haven_neigh) * HAVEN_NEIGH_MAX, 0);
	qsbr = rte_zmalloc("fp6t_qsbr", rte_rcu_qsbr_get_memsize(1), 64);
	if (fp.punt_ring == NULL || fp.neigh == NULL || qsbr == NULL ||
	    rte_rcu_qsbr_init(qsbr, 1) != 0)
		return -1;
	fp.qsbr = qsbr;

	memcpy(fp6.ha_addr, HA, 16);
	fp6.port_has_addr[0] = true;
	memcpy(fp6.port_addr[0], HA, 16);
	fp6.port_prefix_len[0] = 64;
	fp6.port_has_addr[1] = true;
	memcpy(fp6.port_addr[1], VPORT, 16);
	fp6.port_prefix_len[1] = 64;
	fp6.neigh = rte_zmalloc("fp6t_neigh6",
			sizeof(struct haven_neigh6) * HAVEN_NEIGH6_MAX, 0);
	/* 2001:db8:3::/64 via GW on the visited port; route 0 unused. */
	fp6.routes = rte_lpm6_create("fp6t_lpm6", SOCKET_ID_ANY, &lc);
	if (fp6.neigh == NULL || fp6.routes == NULL)
		return -1;
	memcpy(route_gw[1], GW, 16);
	route_port[1] = 1;
	fp6.route_gw = route_gw;
	fp6.route_port = route_port;
	if (rte_lpm6_add(fp6.routes, net3, 64, 1) != 0)
		return -1;
	if (use_table(false) != 0)
		return -1;
	fp.fp6 = &fp6;

	neigh_coa = haven_neigh6_get(&fp6, COA, 1);
	haven_neigh6_update(&fp6, neigh_coa, &coa_mac);
	neigh_gw = haven_neigh6_get(&fp6, GW, 1);
	haven_neigh6_update(&fp6, neigh_gw, &gw_mac);
	idx = haven_neigh6_get(&fp6, CH, 0);
	haven_neigh6_update(&fp6, idx, &ch_mac);
	neigh_unresolved = haven_neigh6_get(&fp6, UNRESOLVED, 1);
	if (neigh_coa < 0 || neigh_gw < 0 || idx < 0 ||
	    neigh_unresolved < 0 ||
	    haven_neigh6_find(&fp6, GW) != neigh_gw ||
	    haven_neigh6_get(&fp6, GW, 1) != neigh_gw ||
	    haven_neigh6_find(&fp6, STRANGER) != -1)
		return -1;

	w.fp = &fp;
	w.id = 0;
	w.txq = 0;
	return 0;
}

int
main(int argc, char **argv)
{
	char *eal_argv[] = {
		argv[0], "--no-huge", "-m", "512", "--file-prefix",
		"test-fastpath6", "--no-pci", "--no-telemetry", "-l", "0",
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
		TEST_RUN(test_proxy_na);
		TEST_RUN(test_dad_defended);
		TEST_RUN(test_ns_not_answered);
		TEST_RUN(test_ns_own_address);
		TEST_RUN(test_na_filtered);
		TEST_RUN(test_encap6);
		TEST_RUN(test_two_care_of_addresses);
		TEST_RUN(test_hop_limit_expired);
		TEST_RUN(test_packet_too_big);
		TEST_RUN(test_icmp6_errors_limited);
		TEST_RUN(test_unresolved_next_hop_punted);
		TEST_RUN(test_echo6);
		TEST_RUN(test_mobility_header_punted);
		TEST_RUN(test_binding_update_guard);
		TEST_RUN(test_reverse_tunnel_accepted);
		TEST_RUN(test_reverse_tunnel_rejected);
		TEST_RUN(test_coa_change_and_busy6);
		TEST_RUN(test_ipv6_off);
		TEST_RUN(test_route6);
		TEST_RUN(test_builders6);
	}
	drain();
	haven_binding6_table_free(table);
	rte_eal_cleanup();
	TEST_SUMMARY();
}
