/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the application's link layer (app/haven/link) over the
 * runtime alone: this program links the runtime and link layers and
 * nothing above them. The runtime is started from a YAML configuration on
 * two net_ring ports; packets come in through the punt ring as a worker
 * hands them over and the control loop turns (haven_loop_turn()); what
 * the link layer sends is read back from the ports' rings and checked
 * byte by byte, with checksums computed here.
 *
 * Topology: home link 192.0.2.0/24, 2001:db8:1::/64 on port index 0;
 * visited link 198.51.100.0/24, 2001:db8:2::/64 on port index 1 (agent
 * .1 / ::1), with 203.0.113.0/24 behind the gateway 198.51.100.254.
 */

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "haven_fastpath.h"
#include "haven_fastpath6.h"
#include "haven_nd.h"
#include "link.h"
#include "loop.h"
#include "rt.h"
#include "test.h"
#include "test_app.h"

static const char config_yaml[] =
	"eal:\n"
	"  lcores: \"0,1\"\n"
	"  file_prefix: test-app-link\n"
	"ports:\n"
	"  - name: home\n"
	"    device: net_ring0\n"
	"    address: 192.0.2.1/24\n"
	"    address6: 2001:db8:1::1/64\n"
	"  - name: visited\n"
	"    device: net_ring1\n"
	"    address: 198.51.100.1/24\n"
	"    address6: 2001:db8:2::1/64\n"
	"routes:\n"
	"  - prefix: 203.0.113.0/24\n"
	"    gateway: 198.51.100.254\n"
	"home_agent:\n"
	"  address: 192.0.2.1\n"
	"  address6: 2001:db8:1::2\n"
	"  home_prefix6: 2001:db8:1::/64\n"
	"  max_bindings: 64\n";

#define VPORT		APP_IP(198, 51, 100, 1)
#define GW		APP_IP(198, 51, 100, 254)
#define REMOTE		APP_IP(203, 0, 113, 77)

static const uint8_t vport6[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1 };
static const uint8_t home6[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
static const struct rte_ether_addr peer_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 1, 0x14 } };
static const struct rte_ether_addr stranger_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 9, 9 } };

/* An IPv6 address of the documentation prefix: 2001:db8:<net>::<host>. */
static void
ip6(uint8_t out[16], uint8_t net, uint16_t host)
{
	memset(out, 0, 16);
	out[0] = 0x20;
	out[1] = 0x01;
	out[2] = 0x0d;
	out[3] = 0xb8;
	out[5] = net;
	out[14] = host >> 8;
	out[15] = host & 0xff;
}

/* What the conflict hook heard. */
static struct {
	unsigned int calls;
	struct haven_addr last;
} conflicts;

static void
on_conflict(const struct haven_addr *a, void *arg)
{
	(void)arg;
	conflicts.calls++;
	conflicts.last = *a;
}

/* ------------------------------------------------------------------ */
/* Frames                                                              */
/* ------------------------------------------------------------------ */

/*
 * An IPv4 UDP frame from the agent to dst whose destination MAC is not
 * known (zero), len payload bytes of fill; its IP packet is copied to
 * copy (when not NULL) for comparison with what leaves.
 */
static struct rte_mbuf *
udp4_frame(uint32_t dst, uint8_t fill, uint8_t *copy, uint16_t *copy_len)
{
	static const struct rte_ether_addr zero;
	struct rte_mbuf *m = haven_rt_mbuf();
	uint8_t payload[40];

	if (m == NULL)
		return NULL;
	memset(payload, fill, sizeof(payload));
	if (haven_build_udp(m, haven_rt_port_mac(0), &zero, VPORT, dst, 1234,
			5678, payload, sizeof(payload)) != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (copy != NULL) {
		*copy_len = rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN;
		memcpy(copy, rte_pktmbuf_mtod_offset(m, uint8_t *,
			RTE_ETHER_HDR_LEN), *copy_len);
	}
	return m;
}

/* An IPv6 frame (no next header, 16 bytes of fill) from vport6 to dst. */
static struct rte_mbuf *
ip6_frame(const uint8_t dst[16], uint8_t fill, uint8_t *copy,
		uint16_t *copy_len)
{
	static const struct rte_ether_addr zero;
	struct rte_mbuf *m = haven_rt_mbuf();
	uint8_t pkt[40 + 16];

	if (m == NULL)
		return NULL;
	memset(pkt, 0, 40);
	pkt[0] = 0x60;
	pkt[5] = 16;		/* payload length */
	pkt[6] = 59;		/* no next header */
	pkt[7] = 64;
	memcpy(pkt + 8, vport6, 16);
	memcpy(pkt + 24, dst, 16);
	memset(pkt + 40, fill, 16);
	if (haven_build_ip6(m, haven_rt_port_mac(1), &zero, pkt,
			sizeof(pkt)) != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (copy != NULL) {
		memcpy(copy, pkt, sizeof(pkt));
		*copy_len = sizeof(pkt);
	}
	return m;
}

/* An ARP reply from ip at mac to the visited port. */
static struct rte_mbuf *
arp_reply(uint32_t ip, const struct rte_ether_addr *mac)
{
	struct rte_mbuf *m = haven_rt_mbuf();

	if (m == NULL)
		return NULL;
	haven_build_arp(m, RTE_ARP_OP_REPLY, mac, haven_rt_port_mac(1), mac,
			ip, haven_rt_port_mac(1), VPORT);
	return m;
}

/*
 * Check that f is an ARP request from the visited port for tpa: Ethernet
 * broadcast from the port's MAC, hardware Ethernet, protocol IPv4, sender
 * the port (MAC and address), target hardware address zero.
 */
static int
check_arp_request(const struct rte_mbuf *f, uint32_t tpa)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	const uint8_t *p = rte_pktmbuf_mtod(f, const uint8_t *);
	const uint8_t *mac = haven_rt_port_mac(1)->addr_bytes;

	TEST_ASSERT(rte_pktmbuf_data_len(f) >= 42, "ARP frame of %u bytes",
		rte_pktmbuf_data_len(f));
	TEST_ASSERT_MEM(p, bcast, 6, "ARP request not broadcast");
	TEST_ASSERT_MEM(p + 6, mac, 6, "Ethernet source is not the port");
	TEST_ASSERT_EQUAL(app_be16(p + 12), 0x0806, "Ethernet type");
	TEST_ASSERT_EQUAL(app_be16(p + 14), 1, "hardware type");
	TEST_ASSERT_EQUAL(app_be16(p + 16), 0x0800, "protocol type");
	TEST_ASSERT_EQUAL(p[18], 6, "hardware length");
	TEST_ASSERT_EQUAL(p[19], 4, "protocol length");
	TEST_ASSERT_EQUAL(app_be16(p + 20), 1, "operation: request");
	TEST_ASSERT_MEM(p + 22, mac, 6, "sender hardware address");
	TEST_ASSERT_MEM(p + 28, &(uint32_t){ VPORT }, 4, "sender address");
	TEST_ASSERT_MEM(p + 32, zero, 6, "target hardware address");
	TEST_ASSERT_MEM(p + 38, &tpa, 4, "target address");
	return 0;
}

/*
 * Check that f is a Neighbor Solicitation from the visited port for
 * target (RFC 4861 4.3, 7.2.2): to the target's solicited-node group
 * ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX, from the port's
 * address6, hop limit 255, a valid checksum, and a source link-layer
 * address option carrying the port's MAC.
 */
static int
check_ns(const struct rte_mbuf *f, const uint8_t target[16])
{
	static const uint8_t group_head[13] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
	const uint8_t *p = rte_pktmbuf_mtod(f, const uint8_t *);
	const uint8_t *ip = p + 14, *icmp = ip + 40;
	const uint8_t *mac = haven_rt_port_mac(1)->addr_bytes;

	TEST_ASSERT(rte_pktmbuf_data_len(f) >= 14 + 40 + 32,
		"NS frame of %u bytes", rte_pktmbuf_data_len(f));
	TEST_ASSERT(p[0] == 0x33 && p[1] == 0x33 && p[2] == 0xff &&
		memcmp(p + 3, target + 13, 3) == 0,
		"Ethernet destination is not the solicited-node group's");
	TEST_ASSERT_MEM(p + 6, mac, 6, "Ethernet source is not the port");
	TEST_ASSERT_EQUAL(app_be16(p + 12), 0x86dd, "Ethernet type");
	TEST_ASSERT_EQUAL(ip[0] >> 4, 6, "IP version");
	TEST_ASSERT_EQUAL(app_be16(ip + 4), 32, "payload length");
	TEST_ASSERT_EQUAL(ip[6], 58, "next header: ICMPv6");
	TEST_ASSERT_EQUAL(ip[7], 255, "hop limit");
	TEST_ASSERT_MEM(ip + 8, vport6, 16, "source is not the port");
	TEST_ASSERT_MEM(ip + 24, group_head, 13, "destination group");
	TEST_ASSERT_MEM(ip + 37, target + 13, 3, "group's low 24 bits");
	TEST_ASSERT_EQUAL(icmp[0], 135, "ICMPv6 type");
	TEST_ASSERT_EQUAL(icmp[1], 0, "ICMPv6 code");
	TEST_ASSERT(app_icmp6_cksum_ok(ip), "ICMPv6 checksum");
	TEST_ASSERT_MEM(icmp + 8, target, 16, "target");
	TEST_ASSERT_EQUAL(icmp[24], 1, "option: source link-layer address");
	TEST_ASSERT_EQUAL(icmp[25], 1, "option length");
	TEST_ASSERT_MEM(icmp + 26, mac, 6, "option's MAC is not the port's");
	return 0;
}

/* Check a held frame as it left: to mac, from the port, packet intact. */
static int
check_released(const struct rte_mbuf *f, unsigned int port,
		const struct rte_ether_addr *mac, uint16_t type,
		const uint8_t *pkt, uint16_t len)
{
	const uint8_t *p = rte_pktmbuf_mtod(f, const uint8_t *);

	TEST_ASSERT_EQUAL(rte_pktmbuf_data_len(f), 14 + len, "frame length");
	TEST_ASSERT_MEM(p, mac->addr_bytes, 6,
		"destination is not the resolved MAC");
	TEST_ASSERT_MEM(p + 6, haven_rt_port_mac(port)->addr_bytes, 6,
		"source is not the port");
	TEST_ASSERT_EQUAL(app_be16(p + 12), type, "Ethernet type");
	TEST_ASSERT_MEM(p + 14, pkt, len, "packet changed on the way");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Cases                                                               */
/* ------------------------------------------------------------------ */

/*
 * A packet to an on-link next hop nobody resolved is held, and an ARP
 * request for it leaves the port; a second packet waits with it without
 * a second request; the ARP reply resolves the neighbour and both leave,
 * in order, with its MAC; a third one leaves at once.
 */
static int
test_arp_resolves_held(void)
{
	const uint32_t nh = APP_IP(198, 51, 100, 20);
	struct haven_link_stats s0 = *haven_link_stats(HAVEN_AF_INET);
	const struct haven_link_stats *s = haven_link_stats(HAVEN_AF_INET);
	uint8_t pkt[3][128];
	uint16_t len[3];
	struct rte_mbuf *f;
	unsigned int i;
	int idx;

	app_drain();
	TEST_ASSERT_EQUAL(app_punt(udp4_frame(nh, 0xa1, pkt[0], &len[0]),
		HAVEN_PUNT_RESOLVE), 0, "punt");
	app_turns(1);
	f = app_sent(1);
	TEST_ASSERT(f != NULL, "no ARP request left the visited port");
	if (check_arp_request(f, nh) != 0)
		return -1;
	rte_pktmbuf_free(f);
	TEST_ASSERT(app_sent(1) == NULL, "the packet left before resolution");
	TEST_ASSERT(app_sent(0) == NULL, "something left the home port");
	idx = haven_neigh_find(&haven_rt.fp, nh);
	TEST_ASSERT(idx >= 0, "no neighbour entry for the next hop");
	TEST_ASSERT_EQUAL(haven_rt.fp.neigh[idx].state, HAVEN_NEIGH_INCOMPLETE,
		"state");
	TEST_ASSERT_EQUAL(haven_link_held(HAVEN_AF_INET, idx), 1, "held");
	TEST_ASSERT_EQUAL(s->solicits_sent, s0.solicits_sent + 1, "solicits");

	/* A second packet waits too; no second request yet. */
	app_punt(udp4_frame(nh, 0xa2, pkt[1], &len[1]), HAVEN_PUNT_RESOLVE);
	app_turns(1);
	TEST_ASSERT(app_sent(1) == NULL, "second packet or request left");
	TEST_ASSERT_EQUAL(haven_link_held(HAVEN_AF_INET, idx), 2, "held");

	/* The answer: both leave in order, with the learnt MAC. */
	app_punt(arp_reply(nh, &peer_mac), HAVEN_PUNT_CONTROL);
	app_turns(1);
	for (i = 0; i < 2; i++) {
		f = app_sent(1);
		TEST_ASSERT(f != NULL, "held packet %u did not leave", i);
		if (check_released(f, 1, &peer_mac, 0x0800, pkt[i],
				len[i]) != 0)
			return -1;
		rte_pktmbuf_free(f);
	}
	TEST_ASSERT(app_sent(1) == NULL, "more than the held packets left");
	TEST_ASSERT_EQUAL(haven_rt.fp.neigh[idx].state, HAVEN_NEIGH_REACHABLE,
		"state after the reply");
	TEST_ASSERT_MEM(&haven_rt.fp.neigh[idx].mac, &peer_mac, 6,
		"neighbour table MAC");
	TEST_ASSERT_EQUAL(haven_link_held(HAVEN_AF_INET, idx), 0, "held");
	TEST_ASSERT_EQUAL(s->held_sent, s0.held_sent + 2, "held_sent");
	TEST_ASSERT_EQUAL(s->held_dropped, s0.held_dropped, "held_dropped");

	/* Resolved: the next packet goes at once. */
	app_punt(udp4_frame(nh, 0xa3, pkt[2], &len[2]), HAVEN_PUNT_RESOLVE);
	app_turns(1);
	f = app_sent(1);
	TEST_ASSERT(f != NULL, "packet to a resolved next hop did not leave");
	if (check_released(f, 1, &peer_mac, 0x0800, pkt[2], len[2]) != 0)
		return -1;
	rte_pktmbuf_free(f);
	TEST_ASSERT_EQUAL(s->solicits_sent, s0.solicits_sent + 1,
		"a resolved neighbour was solicited again");
	return 0;
}

/*
 * The same for IPv6: the held packet waits for a Neighbor Solicitation's
 * answer; a solicited Neighbor Advertisement with the target's link-layer
 * address resolves it, and the packet leaves with that MAC.
 */
static int
test_nd_resolves_held(void)
{
	struct haven_link_stats s0 = *haven_link_stats(HAVEN_AF_INET6);
	const struct haven_link_stats *s = haven_link_stats(HAVEN_AF_INET6);
	uint8_t nh[16], pkt[64];
	struct rte_mbuf *f, *na;
	uint16_t len;
	int idx;

	app_drain();
	ip6(nh, 2, 0x20);
	app_punt(ip6_frame(nh, 0xb1, pkt, &len), HAVEN_PUNT_RESOLVE);
	app_turns(1);
	f = app_sent(1);
	TEST_ASSERT(f != NULL, "no Neighbor Solicitation left");
	if (check_ns(f, nh) != 0)
		return -1;
	rte_pktmbuf_free(f);
	TEST_ASSERT(app_sent(1) == NULL, "the packet left before resolution");
	idx = haven_neigh6_find(haven_rt.fp6, nh);
	TEST_ASSERT(idx >= 0, "no IPv6 neighbour entry");
	TEST_ASSERT_EQUAL(haven_link_held(HAVEN_AF_INET6, idx), 1, "held");
	TEST_ASSERT_EQUAL(s->solicits_sent, s0.solicits_sent + 1, "solicits");

	na = haven_rt_mbuf();
	TEST_ASSERT(na != NULL, "mbuf");
	TEST_ASSERT_EQUAL(haven_build_na(na, &peer_mac, haven_rt_port_mac(1),
		nh, vport6, nh, HAVEN_ND_NA_F_S | HAVEN_ND_NA_F_O, &peer_mac),
		0, "build NA");
	app_punt(na, HAVEN_PUNT_CONTROL);
	app_turns(1);
	f = app_sent(1);
	TEST_ASSERT(f != NULL, "held IPv6 packet did not leave");
	if (check_released(f, 1, &peer_mac, 0x86dd, pkt, len) != 0)
		return -1;
	rte_pktmbuf_free(f);
	TEST_ASSERT_EQUAL(haven_rt.fp6->neigh[idx].state,
		HAVEN_NEIGH_REACHABLE, "state after the NA");
	TEST_ASSERT_EQUAL(s->held_sent, s0.held_sent + 1, "held_sent");
	TEST_ASSERT_EQUAL(haven_link_held(HAVEN_AF_INET6, idx), 0, "held");
	return 0;
}

/*
 * Next hops that never answer, both families at once: an off-link IPv4
 * destination (the gateway is solicited, not the destination) with more
 * packets than a hold queue takes, and an on-link IPv6 one. Each is
 * solicited HAVEN_SOLICIT_TRIES times, at least a RetransTimer apart;
 * then what was held is dropped and counted, and nothing held ever
 * leaves. The bound: HAVEN_HOLD_PER_NEIGH held, the rest dropped at once.
 * A packet after the give-up solicits again at once.
 */
static int
test_no_answer_drops_held(void)
{
	const unsigned int extra = 3;
	struct haven_link_stats s4 = *haven_link_stats(HAVEN_AF_INET);
	struct haven_link_stats s6 = *haven_link_stats(HAVEN_AF_INET6);
	const struct haven_link_stats *n4 = haven_link_stats(HAVEN_AF_INET);
	const struct haven_link_stats *n6 = haven_link_stats(HAVEN_AF_INET6);
	unsigned int i, arps = 0, nss = 0;
	uint64_t first4 = 0, last4 = 0, first6 = 0, last6 = 0, deadline;
	uint8_t nh6[16];
	struct rte_mbuf *f;
	int idx4, idx6;

	app_drain();
	ip6(nh6, 2, 0x30);
	for (i = 0; i < HAVEN_HOLD_PER_NEIGH + extra; i++)
		app_punt(udp4_frame(REMOTE, (uint8_t)i, NULL, NULL),
			HAVEN_PUNT_RESOLVE);
	app_punt(ip6_frame(nh6, 0xc1, NULL, NULL), HAVEN_PUNT_RESOLVE);
	app_turns(2);
	TEST_ASSERT(haven_neigh_find(&haven_rt.fp, REMOTE) < 0,
		"the off-link destination got a neighbour entry");
	idx4 = haven_neigh_find(&haven_rt.fp, GW);
	idx6 = haven_neigh6_find(haven_rt.fp6, nh6);
	TEST_ASSERT(idx4 >= 0 && idx6 >= 0, "no neighbour entries");
	TEST_ASSERT_EQUAL(haven_link_held(HAVEN_AF_INET, idx4),
		HAVEN_HOLD_PER_NEIGH, "hold queue bound");
	TEST_ASSERT_EQUAL(n4->held_dropped, s4.held_dropped + extra,
		"packets beyond the bound are dropped and counted");

	deadline = haven_now_ms() + HAVEN_SOLICIT_RETRY_MS *
		(HAVEN_SOLICIT_TRIES + 2);
	while (haven_now_ms() < deadline &&
	       (haven_link_held(HAVEN_AF_INET, idx4) > 0 ||
		haven_link_held(HAVEN_AF_INET6, idx6) > 0)) {
		haven_loop_turn();
		while ((f = app_sent(1)) != NULL) {
			const uint8_t *p = rte_pktmbuf_mtod(f, const uint8_t *);

			if (app_be16(p + 12) == 0x0806) {
				if (check_arp_request(f, GW) != 0)
					return -1;
				last4 = haven_now_ms();
				if (arps++ == 0)
					first4 = last4;
			} else {
				if (check_ns(f, nh6) != 0)
					return -1;
				last6 = haven_now_ms();
				if (nss++ == 0)
					first6 = last6;
			}
			rte_pktmbuf_free(f);
		}
		TEST_ASSERT(app_sent(0) == NULL, "a frame left the home port");
		usleep(1000);
	}
	TEST_ASSERT_EQUAL(haven_link_held(HAVEN_AF_INET, idx4), 0,
		"IPv4 packets still held");
	TEST_ASSERT_EQUAL(haven_link_held(HAVEN_AF_INET6, idx6), 0,
		"IPv6 packets still held");
	TEST_ASSERT_EQUAL(arps, HAVEN_SOLICIT_TRIES, "ARP requests");
	TEST_ASSERT_EQUAL(nss, HAVEN_SOLICIT_TRIES, "Neighbor Solicitations");
	/* Lower bounds only: retries may come late, never early. */
	TEST_ASSERT(last4 - first4 + 20 >= (uint64_t)HAVEN_SOLICIT_RETRY_MS *
		(HAVEN_SOLICIT_TRIES - 1), "ARP retries %llu ms apart in all",
		(unsigned long long)(last4 - first4));
	TEST_ASSERT(last6 - first6 + 20 >= (uint64_t)HAVEN_SOLICIT_RETRY_MS *
		(HAVEN_SOLICIT_TRIES - 1), "NS retries %llu ms apart in all",
		(unsigned long long)(last6 - first6));
	TEST_ASSERT_EQUAL(n4->held_dropped, s4.held_dropped + extra +
		HAVEN_HOLD_PER_NEIGH, "IPv4 held_dropped");
	TEST_ASSERT_EQUAL(n6->held_dropped, s6.held_dropped + 1,
		"IPv6 held_dropped");
	TEST_ASSERT_EQUAL(n4->solicits_sent, s4.solicits_sent +
		HAVEN_SOLICIT_TRIES, "IPv4 solicits_sent");
	TEST_ASSERT_EQUAL(n6->solicits_sent, s6.solicits_sent +
		HAVEN_SOLICIT_TRIES, "IPv6 solicits_sent");
	TEST_ASSERT_EQUAL(n4->held_sent, s4.held_sent, "IPv4 held_sent");
	TEST_ASSERT_EQUAL(n6->held_sent, s6.held_sent, "IPv6 held_sent");

	/*
	 * Given up, and no binding uses it: the entry is gone (RFC 4861
	 * 7.3.3, a failed INCOMPLETE entry is deleted), so a neighbour that
	 * never answers holds no slot. A new packet asks again at once.
	 */
	TEST_ASSERT(strcmp(haven_link_state_name(HAVEN_AF_INET, idx4),
		"deleted") == 0, "entry %s",
		haven_link_state_name(HAVEN_AF_INET, idx4));
	app_punt(udp4_frame(REMOTE, 0xd1, NULL, NULL), HAVEN_PUNT_RESOLVE);
	app_turns(1);
	f = app_sent(1);
	TEST_ASSERT(f != NULL, "no new ARP request after the give-up");
	if (check_arp_request(f, GW) != 0)
		return -1;
	rte_pktmbuf_free(f);
	{
		struct haven_addr gw = haven_addr4(GW);

		idx4 = haven_link_neigh(&gw, 0);
	}
	TEST_ASSERT(idx4 >= 0, "no new entry");
	TEST_ASSERT_EQUAL(haven_link_held(HAVEN_AF_INET, idx4), 1, "held");
	return 0;
}

/* Feed a frame to the loop and say how many conflicts it raised. */
static unsigned int
conflicts_of(struct rte_mbuf *m)
{
	unsigned int before = conflicts.calls;

	app_punt(m, HAVEN_PUNT_CONTROL);
	app_turns(1);
	return conflicts.calls - before;
}

/*
 * The conflict hook hears another node claim an address on the home
 * link: an NA for it, or another node's DAD probe for it; not an
 * ordinary NS, not our own NA looped back, not an NA that fails its
 * checksum.
 */
static int
test_conflict_hook(void)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	struct rte_ether_addr all_nodes_mac = {
		.addr_bytes = { 0x33, 0x33, 0, 0, 0, 1 } };
	uint8_t a77[16], a78[16], a79[16];
	struct haven_addr want;
	struct rte_mbuf *m;

	app_drain();
	ip6(a77, 1, 0x77);
	ip6(a78, 1, 0x78);
	ip6(a79, 1, 0x79);

	/* An unsolicited NA from another node for ::77. */
	m = haven_rt_mbuf();
	TEST_ASSERT(m != NULL && haven_build_na(m, &stranger_mac,
		&all_nodes_mac, a77, all_nodes, a77, HAVEN_ND_NA_F_O,
		&stranger_mac) == 0, "build NA");
	TEST_ASSERT_EQUAL(conflicts_of(m), 1, "NA for an address");
	want = haven_addr6(a77);
	TEST_ASSERT(haven_addr_eq(&conflicts.last, &want),
		"the hook heard another address");

	/* Another node's DAD probe for ::78 (unspecified source). */
	m = haven_rt_mbuf();
	TEST_ASSERT(m != NULL && haven_build_ns(m, &stranger_mac, NULL,
		a78) == 0, "build DAD probe");
	TEST_ASSERT_EQUAL(conflicts_of(m), 1, "DAD probe");
	want = haven_addr6(a78);
	TEST_ASSERT(haven_addr_eq(&conflicts.last, &want),
		"the hook heard another address");

	/* An ordinary solicitation of our address: no claim. */
	m = haven_rt_mbuf();
	TEST_ASSERT(m != NULL && haven_build_ns(m, &stranger_mac, a79,
		home6) == 0, "build NS");
	TEST_ASSERT_EQUAL(conflicts_of(m), 0, "an ordinary NS is no claim");

	/* Our own advertisement, looped back by the link. */
	m = haven_rt_mbuf();
	TEST_ASSERT(m != NULL && haven_build_na(m, haven_rt_port_mac(0),
		&all_nodes_mac, home6, all_nodes, a77, HAVEN_ND_NA_F_O,
		haven_rt_port_mac(0)) == 0, "build NA");
	TEST_ASSERT_EQUAL(conflicts_of(m), 0, "our own NA is no claim");

	/* An NA whose checksum fails (a flipped bit in the target). */
	m = haven_rt_mbuf();
	TEST_ASSERT(m != NULL && haven_build_na(m, &stranger_mac,
		&all_nodes_mac, a77, all_nodes, a77, HAVEN_ND_NA_F_O,
		&stranger_mac) == 0, "build NA");
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 40 + 8 + 15)[0] ^= 1;
	TEST_ASSERT_EQUAL(conflicts_of(m), 0, "a corrupt NA is no claim");
	app_drain();
	return 0;
}

/* Resolve next hop nh on the visited port to mac; its entry's index. */
static int
resolved(uint32_t nh, const struct rte_ether_addr *mac)
{
	struct haven_addr a = haven_addr4(nh);
	int idx = haven_link_neigh(&a, 1);

	if (idx < 0)
		return -1;
	app_turns(1);
	app_punt(arp_reply(nh, mac), HAVEN_PUNT_CONTROL);
	app_turns(1);
	app_drain();
	return haven_rt.fp.neigh[idx].state == HAVEN_NEIGH_REACHABLE ? idx : -1;
}

/* Is f a unicast ARP request to mac for tpa (a probe)? */
static bool
is_probe(const struct rte_mbuf *f, const struct rte_ether_addr *mac,
		uint32_t tpa)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(f, const struct rte_ether_hdr *);
	const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);

	return eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP) &&
		rte_is_same_ether_addr(&eth->dst_addr, mac) &&
		arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
		arp->arp_data.arp_tip == tpa;
}

/*
 * A forged ARP reply for a neighbour in service does not redirect it: the
 * old MAC is probed by unicast and, as it answers, stays; a MAC that does
 * change (the old one silent through every probe) takes over only then.
 */
static int
test_mac_change_confirmed(void)
{
	const uint32_t nh = APP_IP(198, 51, 100, 30);
	const struct haven_link_stats *s = haven_link_stats(HAVEN_AF_INET);
	uint64_t refused = s->mac_claims_refused, changes = s->mac_changes;
	unsigned int probes = 0;
	struct rte_mbuf *f;
	uint64_t deadline;
	int idx;

	app_drain();
	idx = resolved(nh, &peer_mac);
	TEST_ASSERT(idx >= 0, "not resolved");
	/* The forgery: nh is at stranger_mac. */
	app_punt(arp_reply(nh, &stranger_mac), HAVEN_PUNT_CONTROL);
	app_turns(1);
	TEST_ASSERT_MEM(&haven_rt.fp.neigh[idx].mac, &peer_mac, 6,
		"the forged MAC was taken at once");
	f = app_sent(1);
	TEST_ASSERT(f != NULL && is_probe(f, &peer_mac, nh),
		"no unicast probe of the old MAC");
	rte_pktmbuf_free(f);
	TEST_ASSERT(strcmp(haven_link_state_name(HAVEN_AF_INET, idx),
		"confirming") == 0, "%s",
		haven_link_state_name(HAVEN_AF_INET, idx));
	/* The real neighbour answers: it stays. */
	app_punt(arp_reply(nh, &peer_mac), HAVEN_PUNT_CONTROL);
	app_turns(1);
	TEST_ASSERT_MEM(&haven_rt.fp.neigh[idx].mac, &peer_mac, 6, "kept");
	TEST_ASSERT_EQUAL(s->mac_claims_refused, refused + 1, "refused");
	TEST_ASSERT_EQUAL(s->mac_changes, changes, "changes");

	/* A real change: the old MAC never answers its probes. */
	app_punt(arp_reply(nh, &stranger_mac), HAVEN_PUNT_CONTROL);
	deadline = haven_now_ms() + HAVEN_SOLICIT_RETRY_MS *
		(HAVEN_CONFIRM_TRIES + 1) + 500;
	while (haven_now_ms() < deadline &&
	       !rte_is_same_ether_addr(&haven_rt.fp.neigh[idx].mac,
			&stranger_mac)) {
		haven_loop_turn();
		while ((f = app_sent(1)) != NULL) {
			const struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(
				f, const struct rte_arp_hdr *,
				RTE_ETHER_HDR_LEN);

			/* Other tests' next hops may still be solicited. */
			if (arp->arp_data.arp_tip == nh) {
				TEST_ASSERT(is_probe(f, &peer_mac, nh),
					"not a probe of the old MAC");
				probes++;
			}
			rte_pktmbuf_free(f);
		}
		usleep(1000);
	}
	TEST_ASSERT_MEM(&haven_rt.fp.neigh[idx].mac, &stranger_mac, 6,
		"the new MAC never took over");
	TEST_ASSERT_EQUAL(probes, HAVEN_CONFIRM_TRIES, "probes");
	TEST_ASSERT_EQUAL(s->mac_changes, changes + 1, "changes");
	return 0;
}

/*
 * A claim of the agent's own address by another MAC is answered with a
 * gratuitous ARP on the home link, once per HAVEN_DEFEND_MS.
 */
static int
test_defend_own_address(void)
{
	const struct haven_link_stats *s = haven_link_stats(HAVEN_AF_INET);
	uint64_t defended = s->defended;
	const uint32_t ha = APP_IP(192, 0, 2, 1);
	const struct rte_ether_hdr *eth;
	const struct rte_arp_hdr *arp;
	struct rte_mbuf *m, *f;

	app_drain();
	m = haven_rt_mbuf();
	TEST_ASSERT(m != NULL, "mbuf");
	haven_build_gratuitous_arp(m, &stranger_mac, ha);
	app_punt(m, HAVEN_PUNT_CONTROL);
	app_turns(1);
	f = app_sent(0);
	TEST_ASSERT(f != NULL, "no defence on the home link");
	eth = rte_pktmbuf_mtod(f, const struct rte_ether_hdr *);
	arp = (const struct rte_arp_hdr *)(eth + 1);
	TEST_ASSERT(arp->arp_data.arp_sip == ha && arp->arp_data.arp_tip == ha &&
		rte_is_same_ether_addr(&arp->arp_data.arp_sha,
			haven_rt_port_mac(0)), "not a gratuitous ARP of ours");
	rte_pktmbuf_free(f);
	TEST_ASSERT_EQUAL(s->defended, defended + 1, "defended");
	/* Again at once: rate limited. */
	m = haven_rt_mbuf();
	haven_build_gratuitous_arp(m, &stranger_mac, ha);
	app_punt(m, HAVEN_PUNT_CONTROL);
	app_turns(1);
	TEST_ASSERT(app_sent(0) == NULL, "defended twice within the interval");
	TEST_ASSERT_EQUAL(s->defended, defended + 1, "defended");
	return 0;
}

/*
 * A flood of next hops that never answer cannot fill the table for good
 * nor evict a neighbour a binding uses: unreferenced entries make room,
 * the referenced one stays resolved.
 */
static int
test_flood_spares_referenced(void)
{
	const uint32_t keep = APP_IP(198, 51, 100, 40);
	const struct haven_link_stats *s = haven_link_stats(HAVEN_AF_INET);
	uint64_t evicted = s->evicted;
	unsigned int i, made = 0;
	int idx, k;

	app_drain();
	idx = resolved(keep, &peer_mac);
	TEST_ASSERT(idx >= 0, "not resolved");
	haven_link_neigh_ref(HAVEN_AF_INET, idx);
	for (i = 0; i < 2 * HAVEN_NEIGH_MAX; i++) {
		struct haven_addr a = haven_addr4(APP_IP(198, 51, 100, 0) |
			rte_cpu_to_be_32(0));

		/* 10.0.0.0/8 is routed nowhere: use on-link hosts of the
		 * visited port and of 203.0.113/24 via the gateway. */
		a.v4 = rte_cpu_to_be_32(0xc6336400 | (i & 0xff)) ^
			rte_cpu_to_be_32((i >> 8) << 8);
		if (a.v4 == keep)
			continue;
		k = haven_link_neigh(&a, 1);
		made += k >= 0;
		app_drain();
		if (i % 64 == 63) {
			/* Time passes: tombstones past their grace recycle. */
			usleep(11000);
			app_turns(1);
			app_drain();
		}
	}
	TEST_ASSERT_EQUAL(haven_rt.fp.neigh[idx].state, HAVEN_NEIGH_REACHABLE,
		"the referenced neighbour was evicted");
	TEST_ASSERT_MEM(&haven_rt.fp.neigh[idx].mac, &peer_mac, 6, "its MAC");
	TEST_ASSERT(s->evicted > evicted, "nothing evicted");
	TEST_ASSERT_EQUAL(made, 2 * HAVEN_NEIGH_MAX - 1,
		"a new next hop found no entry (%u made)", made);
	haven_link_neigh_unref(HAVEN_AF_INET, idx);
	app_drain();
	return 0;
}

/* ------------------------------------------------------------------ */
/* The loop's UDP dispatch (issue 10 #13)                              */
/* ------------------------------------------------------------------ */

#define TEST_UDP_PORT 434

static unsigned int udp_heard;

static void
on_udp(struct rte_mbuf *m)
{
	udp_heard++;
	rte_pktmbuf_free(m);
}

/* A UDP datagram 198.51.100.20:434 -> 192.0.2.1:434 of 24 bytes of
 * payload, checksum 0, its IPv4 flags and offset field frag. */
static struct rte_mbuf *
udp_to_agent(uint16_t frag)
{
	struct rte_mbuf *m = haven_rt_mbuf();
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + 24);
	memset(eth, 0, sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + 24);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*udp) + 24);
	ip->fragment_offset = rte_cpu_to_be_16(frag);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = APP_IP(198, 51, 100, 20);
	ip->dst_addr = APP_IP(192, 0, 2, 1);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = RTE_BE16(TEST_UDP_PORT);
	udp->dst_port = RTE_BE16(TEST_UDP_PORT);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + 24);
	m->port = haven_rt.fp.ports[1].port_id;
	return m;
}

/*
 * A fragment is never handed to a UDP handler: a non-first one has no
 * UDP header (its first bytes are the middle of the datagram), a first
 * one only part of it. The whole datagram is.
 */
static int
test_fragment_not_dispatched(void)
{
	static const uint16_t frags[] = {
		0x0003,				/* last, offset 24 bytes */
		0x00b9,				/* last, offset 1480 bytes */
		RTE_IPV4_HDR_MF_FLAG | 0x0003,	/* middle */
		RTE_IPV4_HDR_MF_FLAG,		/* first */
	};
	unsigned int i;

	udp_heard = 0;
	for (i = 0; i < RTE_DIM(frags); i++) {
		TEST_ASSERT_EQUAL(app_punt(udp_to_agent(frags[i]),
			HAVEN_PUNT_CONTROL), 0, "punt");
		app_turns(2);
		TEST_ASSERT_EQUAL(udp_heard, 0,
			"fragment 0x%04x dispatched as UDP", frags[i]);
	}
	TEST_ASSERT_EQUAL(app_punt(udp_to_agent(RTE_IPV4_HDR_DF_FLAG),
		HAVEN_PUNT_CONTROL), 0, "punt");
	app_turns(2);
	TEST_ASSERT_EQUAL(udp_heard, 1, "the whole datagram not dispatched");
	app_drain();
	return 0;
}

int
main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	(void)argc;
	if (app_eal_init(argv[0], "test-app-link") != 0 ||
	    app_config_load(config_yaml) != 0 || haven_rt_start() != 0 ||
	    haven_link_init() != 0 ||
	    haven_link_conflict_hook_add(on_conflict, NULL) != 0 ||
	    haven_loop_on_udp4(TEST_UDP_PORT, on_udp) != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	TEST_RUN(test_arp_resolves_held);
	TEST_RUN(test_nd_resolves_held);
	TEST_RUN(test_conflict_hook);
	TEST_RUN(test_no_answer_drops_held);
	TEST_RUN(test_mac_change_confirmed);
	TEST_RUN(test_defend_own_address);
	TEST_RUN(test_flood_spares_referenced);
	TEST_RUN(test_fragment_not_dispatched);
	app_drain();
	haven_rt_stop();
	rte_eal_cleanup();
	haven_config_free(&haven_rt.cfg);
	TEST_SUMMARY();
}
