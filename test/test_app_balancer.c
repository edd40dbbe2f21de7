/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the balancer (app/haven/policy) over everything below it:
 * this program links the runtime, link, node, protocol and policy layers
 * and nothing above. A primary home agent with two secondaries (sha1,
 * sha2: agent ids, addresses and keys in the YAML) binds IPv4 and IPv6
 * nodes with haven_node_bind(). The secondaries are emulated on the wire
 * with lib/deleg's codec: the test reads what the primary sends out of the
 * home port's ring (ARP requests for a secondary's address, START and STOP
 * datagrams, which it authenticates and decodes with that secondary's
 * key), and answers through the punt ring with ARP replies, START_ACK,
 * STOP_ACK and REPORT datagrams built with haven_build_udp(), as the
 * secondary's packets would reach the control lcore.
 *
 * The balancer's once-a-second turn is taken off the loop
 * (haven_loop_every_cancel()) and run by hand, haven_balancer_turn(now,
 * dt), with synthetic times: rates come from a worker's counter row the
 * test writes and from the secondaries' reports. The delegation protocol's
 * own tick (retransmissions, liveness) keeps running on the real clock.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "balancer.h"
#include "deleg.h"
#include "haven_binding.h"
#include "haven_binding6.h"
#include "haven_deleg.h"
#include "link.h"
#include "loop.h"
#include "node.h"
#include "reload.h"
#include "rt.h"
#include "test.h"
#include "test_app.h"

static const char config_yaml[] =
	"eal:\n"
	"  lcores: \"0,1\"\n"
	"  file_prefix: test-app-balancer\n"
	"ports:\n"
	"  - name: home\n"
	"    device: net_ring0\n"
	"    address: 192.0.2.1/24\n"
	"    address6: 2001:db8:1::1/64\n"
	"  - name: visited\n"
	"    device: net_ring1\n"
	"    address: 198.51.100.1/24\n"
	"    address6: 2001:db8:2::1/64\n"
	"home_agent:\n"
	"  address: 192.0.2.2\n"
	"  address6: 2001:db8:1::2\n"
	"  home_prefix6: 2001:db8:1::/64\n"
	"  max_bindings: 64\n"
	"mobile_nodes:\n"
	"  - {home_address: 192.0.2.100, spi: 256, key: \"hex:0100\"}\n"
	"  - {home_address: 192.0.2.101, spi: 256, key: \"hex:0101\"}\n"
	"  - {home_address: 192.0.2.102, spi: 256, key: \"hex:0102\"}\n"
	"  - {home_address: 192.0.2.103, spi: 256, key: \"hex:0103\"}\n"
	"  - {home_address: 192.0.2.104, spi: 256, key: \"hex:0104\"}\n"
	"  - {home_address: 192.0.2.105, spi: 256, key: \"hex:0105\"}\n"
	"mobile_nodes6:\n"
	"  - {home_address: \"2001:db8:1::100\", spi: 256, key: \"k0\"}\n"
	"  - {home_address: \"2001:db8:1::101\", spi: 256, key: \"k1\"}\n"
	"  - {home_address: \"2001:db8:1::102\", spi: 256, key: \"k2\"}\n"
	"  - {home_address: \"2001:db8:1::103\", spi: 256, key: \"k3\"}\n"
	"  - {home_address: \"2001:db8:1::104\", spi: 256, key: \"k4\"}\n"
	"  - {home_address: \"2001:db8:1::105\", spi: 256, key: \"k5\"}\n"
	"delegation:\n"
	"  agent_id: 1\n"
	"  secondaries:\n"
	"    - {name: sha1, id: 11, address: 192.0.2.11, key: \"sha1 key\"}\n"
	"    - {name: sha2, id: 12, address: 192.0.2.12, key: \"sha2 key\"}\n"
	"  dead_after: 2\n"
	"  wait_for_ack: true\n"
	"  policy: equal\n"
	"  rebalance_tolerance_pct: 40\n"
	"  threshold:\n"
	"    binding_pps: 1000\n"
	"    hysteresis_pct: 50\n"
	"    hold_s: 3\n";

#define PHA_ID 1
#define HA APP_IP(192, 0, 2, 2)		/* also the delegation address */
#define N_NODES 12			/* 6 IPv4, then 6 IPv6 */
#define BINDING_PPS 1000
#define HOLD_S 3
#define LIVE_INTERVAL_MS 1000		/* what a live secondary reports */
#define DYING_INTERVAL_MS 100		/* its last report before silence */

static const uint8_t ha6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };

static struct haven_node *nodes[N_NODES];

static struct haven_addr
hoa_of(unsigned int i)
{
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [14] = 1,
		[15] = (uint8_t)(i - 6) };

	return i < 6 ? haven_addr4(APP_IP(192, 0, 2, 100 + i)) :
		haven_addr6(v6);
}

static struct haven_addr
coa_of(unsigned int i)
{
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = (uint8_t)i };

	return i < 6 ? haven_addr4(APP_IP(198, 51, 100, 20 + i)) :
		haven_addr6(v6);
}

static int
node_index(const struct haven_node *n)
{
	int i;

	for (i = 0; i < N_NODES; i++)
		if (nodes[i] == n)
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* The node hooks: held replies and forwarders                         */
/* ------------------------------------------------------------------ */

static unsigned int reply_ready[N_NODES];

static void
on_node(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason, void *arg)
{
	int i = node_index(n);

	(void)reason;
	(void)arg;
	if (i >= 0 && what == HAVEN_NODE_REPLY_READY)
		reply_ready[i]++;
}

/* ------------------------------------------------------------------ */
/* The secondaries, emulated on the wire                               */
/* ------------------------------------------------------------------ */

#define SHA_HELD 32

struct sha {
	const char *name;
	uint32_t id;
	uint32_t addr;
	const char *key;
	struct rte_ether_addr mac;
	uint64_t seq;			/* last sequence number sent */
	bool answers;			/* acks STARTs and STOPs */
	bool reporting;			/* sends reports */
	uint32_t interval_ms;		/* the interval its reports say */
	uint64_t next_report_ms;
	/* What it holds for the primary, as the wire told it. */
	unsigned int n_held;
	struct {
		struct haven_addr hoa;
		uint32_t generation;
		uint64_t packets;	/* what its reports say */
	} held[SHA_HELD];
	unsigned int starts, stops;	/* received */
	unsigned int bad;		/* messages that failed a check */
};

static struct sha shas[2] = {
	{ .name = "sha1", .id = 11, .addr = APP_IP(192, 0, 2, 11),
	  .key = "sha1 key",
	  .mac = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0x11 } } },
	{ .name = "sha2", .id = 12, .addr = APP_IP(192, 0, 2, 12),
	  .key = "sha2 key",
	  .mac = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0x12 } } },
};

/* Announcements the primary made on the home link (GARP, NA), by node. */
static unsigned int announced[N_NODES];

static int
held_index(const struct sha *s, const struct haven_addr *hoa)
{
	unsigned int i;

	for (i = 0; i < s->n_held; i++)
		if (haven_addr_eq(&s->held[i].hoa, hoa))
			return i;
	return -1;
}

/* Send msg from secondary s to the primary, as the wire would bring it. */
static void
sha_send(struct sha *s, struct haven_deleg_msg *msg)
{
	uint8_t buf[HAVEN_DELEG_MAX_MSG];
	struct rte_mbuf *m;
	int len;

	msg->sender_id = s->id;
	msg->receiver_id = PHA_ID;
	msg->seq = ++s->seq;
	len = haven_deleg_encode(msg, (const uint8_t *)s->key, strlen(s->key),
			buf, sizeof(buf));
	m = haven_rt_mbuf();
	if (len < 0 || m == NULL ||
	    haven_build_udp(m, &s->mac, haven_rt_port_mac(0), s->addr, HA,
			HAVEN_DELEG_PORT, HAVEN_DELEG_PORT, buf, len) != 0) {
		s->bad++;
		rte_pktmbuf_free(m);
		return;
	}
	app_punt(m, HAVEN_PUNT_CONTROL);
}

/* A report: IPv4 entries in a Family 4 part, IPv6 ones in a Family 6 one. */
static void
sha_report(struct sha *s)
{
	struct haven_deleg_msg msg;
	uint64_t packets = 0;
	unsigned int i, fam, n4 = 0, n6 = 0, part = 0;

	for (i = 0; i < s->n_held; i++) {
		packets += s->held[i].packets;
		if (haven_addr_is6(&s->held[i].hoa))
			n6++;
		else
			n4++;
	}
	for (fam = 0; fam < 2; fam++) {
		if ((fam == 0 && n4 == 0 && n6 > 0) || (fam == 1 && n6 == 0))
			continue;
		memset(&msg, 0, sizeof(msg));
		msg.type = HAVEN_DELEG_REPORT;
		msg.family = fam == 1 ? HAVEN_DELEG_FAMILY_IPV6 :
			HAVEN_DELEG_FAMILY_IPV4;
		msg.u.report.interval_ms = s->interval_ms;
		msg.u.report.load = s->n_held;
		msg.u.report.capacity = 100;
		msg.u.report.packets = packets;
		msg.u.report.boot_id = 77;
		msg.u.report.parts = (n4 > 0 || n6 == 0) + (n6 > 0);
		msg.u.report.part = part++;
		for (i = 0; i < s->n_held; i++) {
			struct haven_deleg_report_entry *e;

			if (haven_addr_is6(&s->held[i].hoa) != (fam == 1))
				continue;
			e = &msg.u.report.entries[msg.u.report.n_entries++];
			e->home_addr = s->held[i].hoa;
			e->generation = s->held[i].generation;
			e->packets = s->held[i].packets;
		}
		sha_send(s, &msg);
	}
}

/* A START: checked against the node it is for, held, acked. */
static void
sha_start(struct sha *s, const struct haven_deleg_msg *in)
{
	const struct haven_deleg_binding_info *b = &in->u.start;
	struct haven_addr hoa = b->home_addr;
	struct haven_deleg_msg ack;
	struct haven_node *n = haven_node_find(&hoa);
	int i = held_index(s, &hoa);

	s->starts++;
	/* Claim 5: the tunnels' outer source is the primary's address. */
	if (n == NULL || b->n_coa != n->n_coa ||
	    (haven_addr_is6(&hoa) ? memcmp(b->outer_src.v6, ha6, 16) != 0 ||
	     b->encap != HAVEN_DELEG_ENCAP_IP6IP6 : b->outer_src.v4 != HA)) {
		s->bad++;
		return;
	}
	for (i = 0; i < b->n_coa; i++) {
		struct haven_addr c = b->coa[i];

		if (haven_node_coa_index(n, &c) < 0)
			s->bad++;
	}
	if (!s->answers)
		return;
	i = held_index(s, &hoa);
	if (i < 0 && s->n_held < SHA_HELD) {
		i = s->n_held++;
		s->held[i].hoa = hoa;
		s->held[i].packets = 0;
	}
	if (i >= 0)
		s->held[i].generation = b->generation;
	memset(&ack, 0, sizeof(ack));
	ack.type = HAVEN_DELEG_START_ACK;
	ack.txn = in->txn;
	ack.family = in->family;
	ack.u.ack.home_addr = b->home_addr;
	ack.u.ack.generation = b->generation;
	ack.u.ack.status = HAVEN_DELEG_OK;
	ack.u.ack.load = s->n_held;
	ack.u.ack.capacity = 100;
	sha_send(s, &ack);
}

static void
sha_stop(struct sha *s, const struct haven_deleg_msg *in)
{
	struct haven_addr hoa = in->u.stop.home_addr;
	struct haven_deleg_msg ack;
	int i = held_index(s, &hoa);

	s->stops++;
	if (!s->answers)
		return;
	if (i >= 0)
		s->held[i] = s->held[--s->n_held];
	memset(&ack, 0, sizeof(ack));
	ack.type = HAVEN_DELEG_STOP_ACK;
	ack.txn = in->txn;
	ack.family = in->family;
	ack.u.ack.home_addr = in->u.stop.home_addr;
	ack.u.ack.generation = in->u.stop.generation;
	ack.u.ack.status = HAVEN_DELEG_OK;
	ack.u.ack.load = s->n_held;
	ack.u.ack.capacity = 100;
	sha_send(s, &ack);
}

static struct sha *
sha_of_addr(uint32_t addr)
{
	return addr == shas[0].addr ? &shas[0] :
		addr == shas[1].addr ? &shas[1] : NULL;
}

/* An ARP frame from the primary: a request for a secondary, or a GARP. */
static void
wire_arp(const uint8_t *p, uint16_t len)
{
	struct sha *s;
	uint32_t spa, tpa;
	struct rte_mbuf *m;
	int i;

	if (len < 42 || app_be16(p + 20) != RTE_ARP_OP_REQUEST)
		return;
	memcpy(&spa, p + 28, 4);
	memcpy(&tpa, p + 38, 4);
	if (spa == tpa) {
		struct haven_addr a = haven_addr4(spa);

		for (i = 0; i < 6; i++)
			if (haven_addr_eq(&a, &nodes[i]->hoa))
				announced[i]++;
		return;
	}
	s = sha_of_addr(tpa);
	if (s == NULL || (m = haven_rt_mbuf()) == NULL)
		return;
	haven_build_arp(m, RTE_ARP_OP_REPLY, &s->mac, haven_rt_port_mac(0),
		&s->mac, s->addr, haven_rt_port_mac(0), spa);
	app_punt(m, HAVEN_PUNT_CONTROL);
}

/* An unsolicited NA from the primary announces a node. */
static void
wire_ip6(const uint8_t *p, uint16_t len)
{
	const uint8_t *ip = p + 14, *icmp = ip + 40;
	unsigned int i;

	if (len < 14 + 40 + 24 || ip[6] != 58 || icmp[0] != 136 ||
	    ip[24] != 0xff)
		return;
	for (i = 6; i < N_NODES; i++)
		if (memcmp(icmp + 8, nodes[i]->hoa.v6, 16) == 0)
			announced[i]++;
}

/* A datagram from the primary to the delegation port of a secondary. */
static void
wire_udp(const uint8_t *p, uint16_t len)
{
	const uint8_t *ip = p + 14, *udp;
	struct haven_deleg_msg msg;
	uint32_t src, dst;
	unsigned int ihl;
	char err[128];
	struct sha *s;

	if (len < 14 + 20 + 8 || ip[9] != IPPROTO_UDP)
		return;
	ihl = (ip[0] & 0xf) * 4;
	udp = ip + ihl;
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	s = sha_of_addr(dst);
	if (s == NULL || app_be16(udp + 2) != HAVEN_DELEG_PORT)
		return;
	/* Checked as the secondary's stack and library would. */
	if (src != HA || !app_ip4_cksum_ok(ip) ||
	    memcmp(p, &s->mac, 6) != 0 ||
	    app_be16(udp) != HAVEN_DELEG_PORT ||
	    haven_deleg_decode(udp + 8, app_be16(udp + 4) - 8,
		    (const uint8_t *)s->key, strlen(s->key), &msg, err,
		    sizeof(err)) != 0 ||
	    msg.sender_id != PHA_ID || msg.receiver_id != s->id) {
		s->bad++;
		return;
	}
	if (msg.type == HAVEN_DELEG_START)
		sha_start(s, &msg);
	else if (msg.type == HAVEN_DELEG_STOP)
		sha_stop(s, &msg);
	else if (msg.type != HAVEN_DELEG_SYNC)
		s->bad++;
	/*
	 * These secondaries speak the protocol's first version: a SYNC (the
	 * primary offering the scale extension, section 11.1) goes
	 * unanswered, as a first-version secondary drops a type it does not
	 * know, and the primary keeps to single STARTs and STOPs.
	 */
}

/* Read what the primary sent on the home port; @return frames read. */
static unsigned int
wire_read(void)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while ((m = app_sent(0)) != NULL) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		uint16_t len = rte_pktmbuf_data_len(m), type = app_be16(p + 12);

		if (type == 0x0806)
			wire_arp(p, len);
		else if (type == 0x0800)
			wire_udp(p, len);
		else if (type == 0x86dd)
			wire_ip6(p, len);
		rte_pktmbuf_free(m);
		n++;
	}
	while ((m = app_sent(1)) != NULL) {
		rte_pktmbuf_free(m);	/* resolution of care-of addresses */
		n++;
	}
	return n;
}

/* Reports of the reporting secondaries, when due (real clock). */
static void
reports_due(void)
{
	uint64_t now = haven_now_ms();
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (shas[i].reporting && now >= shas[i].next_report_ms) {
			sha_report(&shas[i]);
			shas[i].next_report_ms = now + 50;
		}
}

/*
 * Let the primary and the secondaries talk until the wire is quiet for a
 * few turns (ms at most).
 */
static void
serve(unsigned int ms)
{
	uint64_t end = haven_now_ms() + ms;
	unsigned int quiet = 0;

	while (quiet < 5 && haven_now_ms() < end) {
		reports_due();
		haven_loop_turn();
		quiet = wire_read() == 0 ? quiet + 1 : 0;
	}
}

/* The delegation record of a node, and its binding record's forwarder. */
static const struct haven_deleg_binding *
deleg_of(unsigned int i)
{
	return haven_deleg_of(nodes[i]);
}

static int
record_forwarder(unsigned int i)
{
	const struct haven_node *n = nodes[i];

	if (haven_addr_is6(&n->hoa)) {
		const struct haven_binding6 *b = haven_binding6_lookup(
			haven_rt.fp6->bindings, n->hoa.v6);

		return b != NULL ? b->forwarder : -1;
	} else {
		const struct haven_binding *b = haven_binding_lookup(
			haven_rt.fp.bindings, n->hoa.v4);

		return b != NULL ? b->forwarder : -1;
	}
}

/* Peer of the primary's array for emulated secondary k. */
static struct haven_deleg_peer *
peer_of(unsigned int k)
{
	return haven_deleg_secondary_find(shas[k].name);
}

/*
 * Node i is delegated to secondary k: DELEGATED in the primary, the
 * forwarder in its binding record, held by the emulated secondary.
 */
static int
check_delegated(unsigned int i, unsigned int k)
{
	const struct haven_deleg_binding *b = deleg_of(i);
	uint8_t fwd = haven_deleg_forwarder_of(peer_of(k));

	TEST_ASSERT(b != NULL && b->state == HAVEN_DELEG_S_DELEGATED,
		"node %u: state %s", i, b != NULL ?
		haven_deleg_state_name(b->state) : "-");
	TEST_ASSERT(b->peer == peer_of(k), "node %u on the wrong peer", i);
	TEST_ASSERT_EQUAL(nodes[i]->forwarder, fwd, "node %u forwarder", i);
	TEST_ASSERT_EQUAL(record_forwarder(i), fwd,
		"node %u: binding record's forwarder", i);
	TEST_ASSERT(held_index(&shas[k], &nodes[i]->hoa) >= 0,
		"node %u not held by %s", i, shas[k].name);
	return 0;
}

static int
check_local(unsigned int i)
{
	const struct haven_deleg_binding *b = deleg_of(i);

	TEST_ASSERT(b != NULL && b->state == HAVEN_DELEG_S_LOCAL,
		"node %u: state %s, want LOCAL", i, b != NULL ?
		haven_deleg_state_name(b->state) : "-");
	TEST_ASSERT_EQUAL(nodes[i]->forwarder, HAVEN_FORWARDER_SELF,
		"node %u forwarder", i);
	TEST_ASSERT_EQUAL(record_forwarder(i), HAVEN_FORWARDER_SELF,
		"node %u: binding record's forwarder", i);
	return 0;
}

/* Which emulated secondary holds node i per the primary, or -1. */
static int
sha_index_of(unsigned int i)
{
	const struct haven_deleg_binding *b = deleg_of(i);

	if (b == NULL || b->peer == NULL)
		return -1;
	return b->peer == peer_of(0) ? 0 : b->peer == peer_of(1) ? 1 : -1;
}

/* ------------------------------------------------------------------ */
/* Cases                                                               */
/* ------------------------------------------------------------------ */

/*
 * Policy equal with wait_for_ack: each binding, IPv4 or IPv6, is
 * delegated as it is made; its registration reply is held from the START
 * until the secondary's ack (REPLY_READY once, at the ack); the
 * secondaries end with equal shares (within one) of both families.
 */
static int
test_equal_spreads(void)
{
	unsigned int i, k, fam[2][2] = { { 0, 0 }, { 0, 0 } };
	struct haven_node_bind_req req = { .lifetime_s = 600 };

	TEST_ASSERT_EQUAL(haven_balancer_policy(), HAVEN_POLICY_EQUAL,
		"policy from the configuration");
	serve(50);
	for (i = 0; i < N_NODES; i++) {
		req.coa = coa_of(i);
		TEST_ASSERT_EQUAL(haven_node_bind(nodes[i], &req), 0,
			"bind %u", i);
		TEST_ASSERT(deleg_of(i)->state == HAVEN_DELEG_S_STARTING,
			"node %u not delegated at once: %s", i,
			haven_deleg_state_name(deleg_of(i)->state));
		TEST_ASSERT(haven_node_reply_held(nodes[i]),
			"node %u: reply not held at START", i);
		TEST_ASSERT_EQUAL(record_forwarder(i), HAVEN_FORWARDER_SELF,
			"node %u: forwarded elsewhere before the ack", i);
	}
	for (i = 0; i < N_NODES; i++)
		TEST_ASSERT_EQUAL(reply_ready[i], 0, "node %u ready before "
			"the ack", i);

	serve(500);
	for (i = 0; i < N_NODES; i++) {
		int s = sha_index_of(i);

		TEST_ASSERT(s >= 0, "node %u on no secondary", i);
		if (check_delegated(i, s) != 0)
			return -1;
		TEST_ASSERT_EQUAL(reply_ready[i], 1, "node %u: REPLY_READY", i);
		TEST_ASSERT(!haven_node_reply_held(nodes[i]),
			"node %u: reply still held", i);
		fam[s][i >= 6]++;
	}
	for (k = 0; k < 2; k++) {
		TEST_ASSERT_EQUAL(shas[k].bad, 0, "%s: bad messages",
			shas[k].name);
		TEST_ASSERT_EQUAL(shas[k].n_held, peer_of(k)->n_delegated,
			"%s holds what the primary thinks", shas[k].name);
		TEST_ASSERT(fam[k][0] > 0 && fam[k][1] > 0,
			"%s: %u IPv4 and %u IPv6 bindings", shas[k].name,
			fam[k][0], fam[k][1]);
	}
	TEST_ASSERT(shas[0].n_held + shas[1].n_held == N_NODES, "shares %u %u",
		shas[0].n_held, shas[1].n_held);
	TEST_ASSERT(shas[0].n_held <= shas[1].n_held + 1 &&
		shas[1].n_held <= shas[0].n_held + 1, "uneven: %u and %u",
		shas[0].n_held, shas[1].n_held);
	return 0;
}

/* Every node is forwarded by a secondary (none is back home). */
static int
none_local(const char *when)
{
	unsigned int i;

	for (i = 0; i < N_NODES; i++)
		TEST_ASSERT(record_forwarder(i) != HAVEN_FORWARDER_SELF &&
			record_forwarder(i) > 0, "%s: node %u forwarded by "
			"the primary", when, i);
	return 0;
}

/* Turns of the equal policy until the shares are k0 and k1 (or 40). */
static unsigned int
turns_until(unsigned int k0, unsigned int k1)
{
	unsigned int turns;

	for (turns = 1; turns <= 40; turns++) {
		haven_balancer_turn(haven_now_ms(), 1000);
		serve(100);
		if (none_local("during the moves") != 0)
			return 1000;
		if (shas[0].n_held == k0 && shas[1].n_held == k1 &&
		    peer_of(0)->n_delegated == k0 &&
		    peer_of(1)->n_delegated == k1)
			break;
	}
	return turns;
}

/*
 * A secondary falls silent (its last report said 100 ms, dead_after 2):
 * the primary declares it dead and takes its bindings back (announced
 * again), and the equal policy hands them to the live secondary at once,
 * without waiting for its turn. Back alive, it is told to stop what it
 * still held (orphans), and the next turns move half the bindings to it,
 * make-before-break: exactly the 6 moves needed (6 STARTs to it, 6 STOPs
 * to the other, after the STARTs were acked), and no binding forwarded by
 * the primary meanwhile.
 */
static int
test_dead_secondary(void)
{
	struct sha *dying = &shas[0], *live = &shas[1];
	unsigned int i, on_dying[N_NODES], n_dying = 0, turns;
	unsigned int starts_dying, stops_live;
	uint64_t deadline, planned;

	for (i = 0; i < N_NODES; i++)
		if (sha_index_of(i) == 0)
			on_dying[n_dying++] = i;
	TEST_ASSERT(n_dying > 0, "nothing on sha1");
	memset(announced, 0, sizeof(announced));

	/* Its last report says "every 100 ms", then nothing. */
	dying->interval_ms = DYING_INTERVAL_MS;
	sha_report(dying);
	dying->reporting = false;
	serve(20);
	starts_dying = dying->starts;
	deadline = haven_now_ms() + 2000;
	while (peer_of(0)->alive && haven_now_ms() < deadline)
		serve(10);
	TEST_ASSERT(!peer_of(0)->alive, "silent secondary still alive");
	TEST_ASSERT(peer_of(1)->alive, "the reporting secondary died too");
	/* No balancer turn: the lost secondary's bindings go at once. */
	serve(300);
	for (i = 0; i < n_dying; i++)
		TEST_ASSERT(announced[on_dying[i]] > 0, "node %u taken back "
			"without an announcement", on_dying[i]);
	for (i = 0; i < N_NODES; i++)
		if (check_delegated(i, 1) != 0)
			return -1;
	TEST_ASSERT_EQUAL(dying->starts, starts_dying,
		"STARTs sent to a dead secondary");
	TEST_ASSERT_EQUAL(peer_of(0)->n_delegated, 0, "on the dead one");
	TEST_ASSERT_EQUAL(peer_of(1)->n_delegated, N_NODES, "on the live one");

	/* Back: what it still holds is stopped, then planned moves. */
	dying->interval_ms = LIVE_INTERVAL_MS;
	dying->reporting = true;
	dying->next_report_ms = 0;
	serve(300);
	TEST_ASSERT(peer_of(0)->alive, "a reporting secondary stays dead");
	TEST_ASSERT_EQUAL(dying->n_held, 0, "orphans not stopped");
	starts_dying = dying->starts;
	stops_live = live->stops;
	planned = haven_balancer_stats()->moves_planned;
	turns = turns_until(N_NODES / 2, N_NODES / 2);
	TEST_ASSERT(turns <= 3, "even again after %u turns: %u and %u",
		turns, dying->n_held, live->n_held);
	for (i = 0; i < N_NODES; i++)
		TEST_ASSERT(sha_index_of(i) >= 0 &&
			check_delegated(i, sha_index_of(i)) == 0,
			"node %u", i);
	TEST_ASSERT_EQUAL(dying->starts - starts_dying, N_NODES / 2,
		"STARTs of the moves");
	TEST_ASSERT_EQUAL(live->stops - stops_live, N_NODES / 2,
		"STOPs releasing the moved bindings");
	TEST_ASSERT_EQUAL(haven_balancer_stats()->moves_planned - planned,
		N_NODES / 2, "moves planned");
	/* Even: more turns move nothing. */
	haven_balancer_turn(haven_now_ms(), 1000);
	serve(100);
	TEST_ASSERT_EQUAL(dying->starts - starts_dying, N_NODES / 2,
		"moves once even");
	TEST_ASSERT(!haven_balancer_stats()->rebalancing, "still rebalancing");
	TEST_ASSERT(dying->bad == 0 && live->bad == 0, "bad messages");
	return 0;
}

/*
 * Under the manual policy, move k nodes of sha2 to sha1 as an operator
 * would, to shares of want0 and want1; then back to the equal policy.
 */
static int
uneven_by_hand(unsigned int k, unsigned int want0, unsigned int want1)
{
	unsigned int i, moved = 0;
	char err[128];

	TEST_ASSERT_EQUAL(haven_balancer_set_policy("manual", err,
		sizeof(err)), 0, "manual: %s", err);
	for (i = 0; i < N_NODES && moved < k; i++)
		if (sha_index_of(i) == 1 &&
		    haven_deleg_move_node(nodes[i], peer_of(0)) == 0)
			moved++;
	TEST_ASSERT_EQUAL(moved, k, "moves started");
	serve(300);
	TEST_ASSERT(shas[0].n_held == want0 && shas[1].n_held == want1,
		"%u and %u: %u and %u", want0, want1, shas[0].n_held,
		shas[1].n_held);
	TEST_ASSERT_EQUAL(haven_balancer_set_policy("equal", err,
		sizeof(err)), 0, "equal: %s", err);
	return 0;
}

/*
 * rebalance_tolerance_pct 40 of an even share of 6 is 2: a spread of 8
 * and 4 stays (4 is within 2 of 6, 8 within 1 + 2), one of 9 and 3 is
 * rebalanced by exactly the 3 moves that make it even.
 */
static int
test_rebalance_tolerance(void)
{
	unsigned int starts0, turns;
	uint64_t planned;

	TEST_ASSERT_EQUAL(haven_balancer_stats()->tolerance_pct, 40,
		"tolerance of the configuration");
	if (uneven_by_hand(2, 8, 4) != 0)
		return -1;
	planned = haven_balancer_stats()->moves_planned;
	starts0 = shas[1].starts;
	haven_balancer_turn(haven_now_ms(), 1000);
	serve(200);
	TEST_ASSERT_EQUAL(haven_balancer_stats()->moves_planned, planned,
		"moves within the tolerance");
	TEST_ASSERT_EQUAL(shas[1].starts, starts0, "STARTs within it");

	if (uneven_by_hand(1, 9, 3) != 0)
		return -1;
	planned = haven_balancer_stats()->moves_planned;
	starts0 = shas[1].starts;
	turns = turns_until(N_NODES / 2, N_NODES / 2);
	TEST_ASSERT(turns <= 3, "even again after %u turns", turns);
	TEST_ASSERT_EQUAL(haven_balancer_stats()->moves_planned - planned, 3,
		"moves beyond the tolerance");
	TEST_ASSERT_EQUAL(shas[1].starts - starts0, 3, "STARTs of them");
	TEST_ASSERT(shas[0].bad == 0 && shas[1].bad == 0, "bad messages");
	return 0;
}

/* Packets a worker tunnelled for node i: its counter row, by slot. */
static void
count_pkts(unsigned int i, uint64_t pkts)
{
	const struct haven_node *n = nodes[i];
	struct haven_worker *w = &haven_rt.workers[0];

	if (haven_addr_is6(&n->hoa))
		w->counters6[haven_binding6_lookup(haven_rt.fp6->bindings,
			n->hoa.v6)->slot].pkts += pkts;
	else
		w->counters[haven_binding_lookup(haven_rt.fp.bindings,
			n->hoa.v4)->slot].pkts += pkts;
}

/*
 * Policy threshold on synthetic counters and times, one turn a second:
 * an IPv4 and an IPv6 binding above binding_pps are delegated once the
 * rate held hold_s (not a turn earlier), the others stay; they come back
 * once the rate their secondary reports stays under hysteresis_pct of
 * binding_pps for hold_s, not while it is between that and binding_pps.
 */
static int
test_threshold(void)
{
	const unsigned int hot4 = 0, hot6 = 6;
	const struct haven_config_threshold *th = haven_balancer_threshold();
	char err[128];
	uint64_t t;
	unsigned int i, j, s4, s6;
	int h;

	/* Everything back home first, under the manual policy. */
	TEST_ASSERT_EQUAL(haven_balancer_set_policy("manual", err,
		sizeof(err)), 0, "manual: %s", err);
	for (i = 0; i < N_NODES; i++)
		haven_deleg_undelegate_node(nodes[i],
			HAVEN_DELEG_STOP_UNDELEGATE);
	serve(500);
	for (i = 0; i < N_NODES; i++)
		if (check_local(i) != 0)
			return -1;
	TEST_ASSERT(shas[0].n_held == 0 && shas[1].n_held == 0,
		"secondaries still hold bindings");

	TEST_ASSERT(th->binding_pps == BINDING_PPS && th->hold_s == HOLD_S &&
		th->hysteresis_pct == 50, "thresholds of the configuration");
	TEST_ASSERT_EQUAL(haven_balancer_set_policy("threshold", err,
		sizeof(err)), 0, "threshold: %s", err);

	/* Turn 0 sets the baseline; hot nodes at 5000 pps, the rest 10. */
	t = haven_now_ms();
	haven_balancer_turn(t, 1000);
	for (j = 1; j <= HOLD_S + 1; j++) {
		for (i = 0; i < N_NODES; i++)
			count_pkts(i, i == hot4 || i == hot6 ? 5000 : 10);
		t += 1000;
		haven_balancer_turn(t, 1000);
		serve(50);
		for (i = 0; i < N_NODES; i++) {
			bool want = (i == hot4 || i == hot6) && j > HOLD_S;

			TEST_ASSERT(want == (deleg_of(i)->state !=
				HAVEN_DELEG_S_LOCAL), "turn %u: node %u %s", j,
				i, want ? "not delegated" : "delegated");
		}
	}
	serve(300);
	s4 = sha_index_of(hot4);
	s6 = sha_index_of(hot6);
	TEST_ASSERT(check_delegated(hot4, s4) == 0 &&
		check_delegated(hot6, s6) == 0, "hot bindings delegated");

	/*
	 * The secondary reports 800 per turn (between 500 and 1000) for
	 * hold_s + 1 turns: they stay; then 100 per turn: back at the turn
	 * hold_s after the first low one, not before.
	 */
	for (j = 1; j <= 2 * (HOLD_S + 1); j++) {
		uint64_t per_turn = j <= HOLD_S + 1 ? 800 : 100;
		bool back = j == 2 * (HOLD_S + 1);

		for (i = 0; i < 2; i++) {
			h = held_index(&shas[i == 0 ? s4 : s6],
				&nodes[i == 0 ? hot4 : hot6]->hoa);
			TEST_ASSERT(h >= 0, "not held");
			shas[i == 0 ? s4 : s6].held[h].packets += per_turn;
		}
		sha_report(&shas[s4]);
		if (s6 != s4)
			sha_report(&shas[s6]);
		serve(30);
		t += 1000;
		haven_balancer_turn(t, 1000);
		TEST_ASSERT(back == (deleg_of(hot4)->state !=
			HAVEN_DELEG_S_DELEGATED) && back == (deleg_of(hot6)->state
			!= HAVEN_DELEG_S_DELEGATED), "turn %u (%llu per turn): "
			"%s", j, (unsigned long long)per_turn, back ?
			"not taken back" : "taken back");
	}
	serve(500);
	TEST_ASSERT(check_local(hot4) == 0 && check_local(hot6) == 0,
		"hot bindings back");
	TEST_ASSERT(held_index(&shas[s4], &nodes[hot4]->hoa) < 0 &&
		held_index(&shas[s6], &nodes[hot6]->hoa) < 0,
		"the secondary was not told to stop");
	for (i = 0; i < N_NODES; i++)
		TEST_ASSERT(deleg_of(i)->state == HAVEN_DELEG_S_LOCAL,
			"node %u delegated", i);
	TEST_ASSERT(shas[0].bad == 0 && shas[1].bad == 0, "bad messages");
	return 0;
}

/*
 * A reload changes the rebalance tolerance and the flow control in
 * force (delegation-protocol.md 11.4, 11.5); a value out of range is
 * refused by the loader and nothing changes.
 */
static int
test_reload_scale_keys(void)
{
	static const char old_keys[] = "  rebalance_tolerance_pct: 40\n";
	static const char new_keys[] = "  rebalance_tolerance_pct: 25\n"
		"  window: 64\n  dgram_window: 4\n  rx_budget: 32\n"
		"  move_rate: 500\n  move_burst: 8\n";
	const struct haven_deleg_pha *pha = haven_deleg_pha_ctx();
	char text[sizeof(config_yaml) + sizeof(new_keys)], msg[512];
	const char *at = strstr(config_yaml, old_keys);
	size_t head;

	TEST_ASSERT(at != NULL && pha != NULL, "configuration");
	TEST_ASSERT(pha->cfg.window == 512 && pha->cfg.dgram_window == 16 &&
		pha->cfg.rx_budget == 256 && pha->cfg.move_rate == 2000 &&
		pha->cfg.move_burst == 256 && !pha->cfg.v1_only,
		"the defaults in force");
	head = (size_t)(at - config_yaml);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)head, config_yaml,
		new_keys, at + strlen(old_keys));
	TEST_ASSERT_EQUAL(app_config_write(text), 0, "write");
	TEST_ASSERT_EQUAL(haven_reload(msg, sizeof(msg)), 0, "reload: %s",
		msg);
	TEST_ASSERT_EQUAL(haven_balancer_stats()->tolerance_pct, 25,
		"tolerance");
	TEST_ASSERT(pha->cfg.window == 64 && pha->cfg.dgram_window == 4 &&
		pha->cfg.rx_budget == 32 && pha->cfg.move_rate == 500 &&
		pha->cfg.move_burst == 8 && !pha->cfg.v1_only,
		"the new flow control in force");

	/* Out of range: refused, nothing changed. */
	snprintf(text, sizeof(text), "%.*s  dgram_window: 65\n%s", (int)head,
		config_yaml, at);
	TEST_ASSERT_EQUAL(app_config_write(text), 0, "write");
	TEST_ASSERT(haven_reload(msg, sizeof(msg)) != 0, "65 taken");
	TEST_ASSERT(strstr(msg, "1..64") != NULL, "message: %s", msg);
	TEST_ASSERT(pha->cfg.dgram_window == 4 &&
		haven_balancer_stats()->tolerance_pct == 25, "changed");

	TEST_ASSERT_EQUAL(app_config_write(config_yaml), 0, "write");
	TEST_ASSERT_EQUAL(haven_reload(msg, sizeof(msg)), 0, "reload: %s",
		msg);
	TEST_ASSERT(pha->cfg.window == 512 && pha->cfg.move_rate == 2000 &&
		haven_balancer_stats()->tolerance_pct == 40, "back");
	return 0;
}

int
main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	unsigned int i;

	(void)argc;
	if (app_eal_init(argv[0], "test-app-balancer") != 0 ||
	    app_config_load(config_yaml) != 0 || haven_rt_start() != 0 ||
	    haven_reload_init() != 0 || haven_link_init() != 0 ||
	    haven_nodes_init() != 0 || haven_deleg_init() != 0 ||
	    haven_balancer_init() != 0 ||
	    haven_node_hook_add(on_node, NULL) != 0 ||
	    haven_nodes_load_config() != 0 ||
	    haven_loop_every_cancel("balancer") != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	for (i = 0; i < N_NODES; i++) {
		struct haven_addr a = hoa_of(i);

		nodes[i] = haven_node_find(&a);
		if (nodes[i] == NULL) {
			fprintf(stderr, "node %u missing\n", i);
			return 1;
		}
	}
	for (i = 0; i < 2; i++) {
		shas[i].seq = 1000;
		shas[i].answers = true;
		shas[i].reporting = true;
		shas[i].interval_ms = LIVE_INTERVAL_MS;
	}
	TEST_RUN(test_equal_spreads);
	TEST_RUN(test_dead_secondary);
	TEST_RUN(test_rebalance_tolerance);
	TEST_RUN(test_threshold);
	TEST_RUN(test_reload_scale_keys);
	haven_nodes_fini();
	app_drain();
	haven_rt_stop();
	rte_eal_cleanup();
	haven_config_free(&haven_rt.cfg);
	TEST_SUMMARY();
}
