/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the application's node layer (app/haven/node): the node
 * table, bindings and what the hooks hear, the records the workers read,
 * extensions, held replies and lifetimes. This program links the runtime,
 * link and node layers and nothing above them; the runtime is started
 * from a YAML configuration on two net_ring ports, and the binding
 * records are read from the real binding tables (haven_rt.fp).
 *
 * Topology: home link 192.0.2.0/24, 2001:db8:1::/64 on port index 0
 * (agent 192.0.2.2, 2001:db8:1::2); visited link 198.51.100.0/24,
 * 2001:db8:2::/64 on port index 1, 203.0.113.0/24 behind 198.51.100.254.
 * The binding tables hold 4 bindings each (max_bindings).
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "haven_binding.h"
#include "haven_binding6.h"
#include "haven_fastpath6.h"
#include "link.h"
#include "loop.h"
#include "node.h"
#include "rt.h"
#include "test.h"
#include "test_app.h"

#define MAX_BINDINGS 4

static const char config_yaml[] =
	"eal:\n"
	"  lcores: \"0,1\"\n"
	"  file_prefix: test-app-node\n"
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
	"  address: 192.0.2.2\n"
	"  address6: 2001:db8:1::2\n"
	"  home_prefix6: 2001:db8:1::/64\n"
	"  max_bindings: 4\n"
	"mobile_nodes:\n"
	"  - {home_address: 192.0.2.100, spi: 256, key: \"hex:00112233\"}\n"
	"  - {home_address: 192.0.2.101, spi: 257, key: \"hex:00112234\"}\n"
	"  - {home_address: 192.0.2.102, spi: 258, key: \"hex:00112235\"}\n"
	"  - {home_address: 192.0.2.103, spi: 259, key: \"hex:00112236\"}\n"
	"  - {home_address: 192.0.2.104, spi: 260, key: \"hex:00112237\"}\n"
	"mobile_nodes6:\n"
	"  - {home_address: \"2001:db8:1::100\", spi: 256, key: \"k100\"}\n"
	"  - {home_address: \"2001:db8:1::101\", spi: 257, key: \"k101\"}\n"
	"  - {home_address: \"2001:db8:1::102\", spi: 258, key: \"k102\"}\n";

#define N_CONF4 5
#define N_CONF6 3
#define HA		APP_IP(192, 0, 2, 2)
#define GW		APP_IP(198, 51, 100, 254)
#define PRIMARY		APP_IP(203, 0, 113, 7)

/* 2001:db8:<net>::<host> */
static struct haven_addr
a6(uint16_t net, uint32_t host)
{
	uint8_t v[16] = { 0x20, 0x01, 0x0d, 0xb8, net >> 8, net & 0xff };

	v[12] = host >> 24;
	v[13] = host >> 16;
	v[14] = host >> 8;
	v[15] = host;
	return haven_addr6(v);
}

static struct haven_addr
a4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return haven_addr4(APP_IP(a, b, c, d));
}

/* ------------------------------------------------------------------ */
/* What the hooks hear                                                 */
/* ------------------------------------------------------------------ */

#define HEARD_MAX 64

static struct {
	unsigned int n;			/* events since heard_reset() */
	struct {
		struct haven_node *node;
		enum haven_node_change what;
		enum haven_node_reason reason;
	} ev[HEARD_MAX];
	unsigned int count[HAVEN_NODE_DELETED + 1];
} heard;

static void
on_node(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason, void *arg)
{
	(void)arg;
	if (heard.n < HEARD_MAX) {
		heard.ev[heard.n].node = n;
		heard.ev[heard.n].what = what;
		heard.ev[heard.n].reason = reason;
	}
	heard.n++;
	heard.count[what]++;
}

static void
heard_reset(void)
{
	memset(&heard, 0, sizeof(heard));
}

/* Exactly one event since the last check, this one; then forget it. */
static int
heard_one(const struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason)
{
	TEST_ASSERT_EQUAL(heard.n, 1, "events heard (want change %d)", what);
	TEST_ASSERT(heard.ev[0].node == n, "event of another node");
	TEST_ASSERT_EQUAL(heard.ev[0].what, what, "change");
	TEST_ASSERT_EQUAL(heard.ev[0].reason, reason, "reason");
	heard_reset();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Extensions of a pretend module                                      */
/* ------------------------------------------------------------------ */

#define EXT_A_SIZE 24
#define EXT_B_SIZE 40

struct ext_a {
	struct haven_node *self;	/* written by init */
	uint32_t visits;		/* foreach marks */
	uint32_t pad[3];
};

static int off_a = -1, off_b = -1;
static struct {
	unsigned int init_a, init_b, fini_a, fini_b;
	unsigned int not_zeroed, clobbered;
	char order[8];			/* last fini order, "BA" */
	unsigned int n_order;
} exts;

static bool
all_zero(const uint8_t *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != 0)
			return false;
	return true;
}

static void
init_a(struct haven_node *n, void *ext)
{
	struct ext_a *x = ext;

	exts.init_a++;
	if (!all_zero(ext, EXT_A_SIZE))
		exts.not_zeroed++;
	x->self = n;
}

static void
fini_a(struct haven_node *n, void *ext)
{
	struct ext_a *x = ext;

	exts.fini_a++;
	if (x->self != n)
		exts.clobbered++;
	if (exts.n_order < sizeof(exts.order) - 1)
		exts.order[exts.n_order++] = 'A';
}

static void
init_b(struct haven_node *n, void *ext)
{
	(void)n;
	exts.init_b++;
	if (!all_zero(ext, EXT_B_SIZE))
		exts.not_zeroed++;
	memset(ext, 0x5a, EXT_B_SIZE);
}

static void
fini_b(struct haven_node *n, void *ext)
{
	const uint8_t *p = ext;
	unsigned int i;

	(void)n;
	exts.fini_b++;
	for (i = 0; i < EXT_B_SIZE; i++)
		if (p[i] != 0x5a)
			exts.clobbered++;
	if (exts.n_order < sizeof(exts.order) - 1)
		exts.order[exts.n_order++] = 'B';
}

static struct ext_a *
ext_a_of(struct haven_node *n)
{
	return haven_node_ext(n, off_a);
}

/* Bytes of a node with the extensions: to compare a node before/after. */
static size_t
node_bytes(void)
{
	return sizeof(struct haven_node) + (size_t)off_b + EXT_B_SIZE;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static struct haven_node *
conf4(uint8_t host)
{
	struct haven_addr a = a4(192, 0, 2, host);

	return haven_node_find(&a);
}

static struct haven_node *
conf6(uint32_t host)
{
	struct haven_addr a = a6(1, host);

	return haven_node_find(&a);
}

static int
node_bind(struct haven_node *n, struct haven_addr coa, uint32_t lifetime,
		bool simultaneous)
{
	struct haven_node_bind_req req = {
		.coa = coa,
		.lifetime_s = lifetime,
		.simultaneous = simultaneous,
		.encap = 0,
		.flags = HAVEN_BINDING_F_REVERSE_TUNNEL,
	};

	return haven_node_bind(n, &req);
}

static const struct haven_binding *
record4(const struct haven_node *n)
{
	return haven_binding_lookup(haven_rt.fp.bindings, n->hoa.v4);
}

static const struct haven_binding6 *
record6(const struct haven_node *n)
{
	return haven_binding6_lookup(haven_rt.fp6->bindings, n->hoa.v6);
}

/* Index of care-of address coa in a record, or -1. */
static int
rec4_coa(const struct haven_binding *b, struct haven_addr coa)
{
	unsigned int i;

	for (i = 0; b != NULL && i < b->n_coa; i++)
		if (b->coa[i].addr == coa.v4)
			return i;
	return -1;
}

/* The next frame of an Ethernet type sent on port p (others freed). */
static struct rte_mbuf *
sent_type(unsigned int p, uint16_t type)
{
	struct rte_mbuf *m;

	while ((m = app_sent(p)) != NULL) {
		if (app_be16(rte_pktmbuf_mtod(m, const uint8_t *) + 12) == type)
			return m;
		rte_pktmbuf_free(m);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

#define MANY 3000		/* nodes of each family */

static struct haven_node *many4[MANY], *many6[MANY];

static struct haven_addr
many_hoa(unsigned int family, unsigned int i)
{
	return family == 4 ? haven_addr4(rte_cpu_to_be_32(0x64400000 + i)) :
		a6(0x100, i);
}

static void
visit(struct haven_node *n, void *arg)
{
	unsigned int *wrong = arg;

	if (n->hoa.family != HAVEN_AF_INET6)
		(*wrong)++;
	ext_a_of(n)->visits++;
}

/* Every node still in the arrays is found, every deleted one is not. */
static int
all_findable(void)
{
	unsigned int i, f;

	for (f = 0; f < 2; f++)
		for (i = 0; i < MANY; i++) {
			struct haven_node **arr = f == 0 ? many4 : many6;
			struct haven_addr h = many_hoa(f == 0 ? 4 : 6, i);

			TEST_ASSERT(haven_node_find(&h) == arr[i],
				"node %u of family %u %s", i, f == 0 ? 4 : 6,
				arr[i] != NULL ? "lost" : "still found");
		}
	return 0;
}

/*
 * Thousands of delegated nodes of both families beside the configured
 * ones: every insert grows the table when needed and every node stays
 * findable; a second node of an address is refused; counts by family and
 * origin; foreach visits each node of its family once; deleting half of
 * them in a scrambled order (backward-shift deletion) keeps every other
 * node findable, checked every few deletions.
 */
static int
test_table_many(void)
{
	struct haven_addr primary4 = haven_addr4(PRIMARY);
	struct haven_addr primary6 = a6(0xf, 7);
	unsigned int i, f, wrong = 0, deleted = 0;
	unsigned int init0 = exts.init_a, fini0 = exts.fini_a;
	struct haven_node *dup;

	heard_reset();
	for (i = 0; i < MANY; i++)
		for (f = 0; f < 2; f++) {
			struct haven_addr h = many_hoa(f == 0 ? 4 : 6, i);
			struct haven_node *n = haven_node_new_delegated(&h,
				f == 0 ? &primary4 : &primary6);

			TEST_ASSERT(n != NULL, "node %u", i);
			TEST_ASSERT_EQUAL(haven_node_insert(n), 0, "insert %u", i);
			(f == 0 ? many4 : many6)[i] = n;
		}
	if (all_findable() != 0)
		return -1;
	TEST_ASSERT_EQUAL(exts.init_a, init0 + 2 * MANY, "extension inits");

	dup = haven_node_new_delegated(&many4[7]->hoa, &primary4);
	TEST_ASSERT(dup != NULL, "node");
	TEST_ASSERT_EQUAL(haven_node_insert(dup), -EEXIST, "duplicate");
	haven_node_free(dup);
	TEST_ASSERT(haven_node_find(&many4[7]->hoa) == many4[7],
		"the duplicate replaced the node");

	TEST_ASSERT_EQUAL(haven_node_count(HAVEN_AF_INET, HAVEN_NODE_DELEGATED),
		MANY, "IPv4 delegated");
	TEST_ASSERT_EQUAL(haven_node_count(HAVEN_AF_INET6,
		HAVEN_NODE_DELEGATED), MANY, "IPv6 delegated");
	TEST_ASSERT_EQUAL(haven_node_count(HAVEN_AF_NONE, HAVEN_NODE_DELEGATED),
		2 * MANY, "delegated");
	TEST_ASSERT_EQUAL(haven_node_count(HAVEN_AF_INET,
		HAVEN_NODE_CONFIGURED), N_CONF4, "IPv4 configured");
	TEST_ASSERT_EQUAL(haven_node_count(HAVEN_AF_INET6,
		HAVEN_NODE_CONFIGURED), N_CONF6, "IPv6 configured");
	TEST_ASSERT_EQUAL(haven_node_count(HAVEN_AF_NONE,
		HAVEN_NODE_CONFIGURED), N_CONF4 + N_CONF6, "configured");
	TEST_ASSERT(many4[1]->outer_src.v4 == PRIMARY &&
		haven_addr_eq(&many6[1]->outer_src, &primary6),
		"outer source of a delegated node is not its primary's");
	TEST_ASSERT_EQUAL(many4[1]->origin, HAVEN_NODE_DELEGATED, "origin");

	/* foreach: each IPv6 node once, no IPv4 node. */
	TEST_ASSERT_EQUAL(haven_node_foreach(HAVEN_AF_INET6, visit, &wrong),
		MANY + N_CONF6, "IPv6 nodes visited");
	TEST_ASSERT_EQUAL(wrong, 0, "foreach of IPv6 visited IPv4 nodes");
	for (i = 0; i < MANY; i++) {
		TEST_ASSERT_EQUAL(ext_a_of(many6[i])->visits, 1, "visits of %u",
			i);
		TEST_ASSERT_EQUAL(ext_a_of(many4[i])->visits, 0, "visits of %u",
			i);
	}
	TEST_ASSERT_EQUAL(haven_node_foreach(HAVEN_AF_NONE, visit, &wrong),
		2 * MANY + N_CONF4 + N_CONF6, "nodes visited");

	/* Delete half, scrambled (7919 is prime to MANY), both families. */
	for (i = 0; i < MANY; i++) {
		unsigned int k = (i * 7919u) % MANY;
		struct haven_node **arr = (i & 1) ? many6 : many4;

		if (k % 2 != 0)
			continue;
		haven_node_delete(arr[k]);
		arr[k] = NULL;
		if (++deleted % 97 == 0 && all_findable() != 0)
			return -1;
	}
	if (all_findable() != 0)
		return -1;
	TEST_ASSERT_EQUAL(heard.count[HAVEN_NODE_DELETED], deleted,
		"DELETED heard");
	TEST_ASSERT_EQUAL(heard.count[HAVEN_NODE_RELEASED], 0,
		"RELEASED for nodes that had no binding");
	TEST_ASSERT_EQUAL(exts.fini_a, fini0 + 1 + deleted,
		"extension finis (the duplicate's and the deleted ones')");
	TEST_ASSERT_EQUAL(haven_node_count(HAVEN_AF_NONE, HAVEN_NODE_DELEGATED),
		2 * MANY - deleted, "delegated after deletions");

	/* The rest, and the configured nodes are untouched. */
	for (f = 0; f < 2; f++)
		for (i = 0; i < MANY; i++) {
			struct haven_node **arr = f == 0 ? many4 : many6;

			if (arr[i] != NULL)
				haven_node_delete(arr[i]);
			arr[i] = NULL;
		}
	TEST_ASSERT_EQUAL(haven_node_count(HAVEN_AF_NONE, HAVEN_NODE_DELEGATED),
		0, "delegated left");
	for (i = 0; i < N_CONF4; i++)
		TEST_ASSERT(conf4(100 + i) != NULL, "configured node lost");
	for (i = 0; i < N_CONF6; i++)
		TEST_ASSERT(conf6(0x100 + i) != NULL, "configured node lost");
	TEST_ASSERT_EQUAL(exts.clobbered, 0, "extensions clobbered");
	heard_reset();
	return 0;
}

/*
 * Extensions: offsets aligned and apart, no registration once nodes
 * exist, init on zeroed memory for each new node, fini in reverse order
 * with the extension intact; no init when the node cannot be allocated.
 */
static int
test_extensions(void)
{
	struct haven_addr h = a4(192, 0, 2, 200), src = haven_addr4(PRIMARY);
	unsigned int ia = exts.init_a, ib = exts.init_b, fa = exts.fini_a;
	struct haven_node *n;

	TEST_ASSERT(off_a >= 0 && off_b >= 0, "offsets");
	TEST_ASSERT(off_a % 16 == 0 && off_b % 16 == 0, "offsets not aligned");
	TEST_ASSERT(off_b >= off_a + EXT_A_SIZE, "extensions overlap");
	TEST_ASSERT_EQUAL(haven_node_ext_register("late", 8, NULL, NULL),
		-ENOSPC, "an extension registered after nodes exist");

	n = haven_node_new_delegated(&h, &src);
	TEST_ASSERT(n != NULL, "node");
	TEST_ASSERT_EQUAL(exts.init_a, ia + 1, "init of A");
	TEST_ASSERT_EQUAL(exts.init_b, ib + 1, "init of B");
	TEST_ASSERT_EQUAL(exts.not_zeroed, 0, "extension memory not zeroed");
	TEST_ASSERT(ext_a_of(n)->self == n, "A's memory");
	exts.n_order = 0;
	haven_node_free(n);
	TEST_ASSERT_EQUAL(exts.fini_a, fa + 1, "fini of A");
	TEST_ASSERT_EQUAL(exts.clobbered, 0, "an extension clobbered another");
	TEST_ASSERT(exts.n_order == 2 && memcmp(exts.order, "BA", 2) == 0,
		"fini order %.2s, want BA", exts.order);

	haven_alloc_fail_after(0);
	n = haven_node_new_delegated(&h, &src);
	haven_alloc_fail_after(-1);
	TEST_ASSERT(n == NULL, "a node without memory");
	TEST_ASSERT_EQUAL(exts.init_a, ia + 1, "init without a node");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Bindings                                                            */
/* ------------------------------------------------------------------ */

/* A gratuitous ARP for ip from the home port's MAC (RFC 5944 4.6). */
static int
check_garp(uint32_t ip)
{
	struct rte_mbuf *f = sent_type(0, 0x0806);
	const uint8_t *p, *mac = haven_rt_port_mac(0)->addr_bytes;

	TEST_ASSERT(f != NULL, "no gratuitous ARP on the home port");
	p = rte_pktmbuf_mtod(f, const uint8_t *);
	TEST_ASSERT_MEM(p + 22, mac, 6, "sender MAC is not the home port's");
	TEST_ASSERT_MEM(p + 28, &ip, 4, "sender address");
	TEST_ASSERT_MEM(p + 38, &ip, 4, "target address");
	rte_pktmbuf_free(f);
	return 0;
}

/*
 * An IPv4 node's binding: BOUND, REFRESHED, MOVED (replace, join,
 * release one), FORWARDER and RELEASED with the reasons given, the record
 * in the IPv4 table after each (care-of addresses, next hop, port, outer
 * source = the agent's address, claim 5, forwarder, flags), never in the
 * IPv6 table, and a gratuitous ARP when interception starts.
 */
static int
test_bind_v4(void)
{
	struct haven_node *n = conf4(100);
	const struct haven_binding *b;
	struct haven_addr c20 = a4(198, 51, 100, 20), c21 = a4(198, 51, 100, 21);
	struct haven_addr c22 = a4(198, 51, 100, 22), remote = a4(203, 0, 113, 5);
	uint32_t count6 = haven_binding6_count(haven_rt.fp6->bindings);
	uint32_t gen;

	TEST_ASSERT(n != NULL && !haven_node_bound(n), "node .100");
	app_drain();
	heard_reset();
	TEST_ASSERT_EQUAL(node_bind(n, c20, 60, false), 0, "bind");
	if (heard_one(n, HAVEN_NODE_BOUND, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	b = record4(n);
	TEST_ASSERT(b != NULL, "no record published");
	TEST_ASSERT_EQUAL(b->n_coa, 1, "care-of addresses");
	TEST_ASSERT(b->coa[0].addr == c20.v4 && b->coa[0].next_hop == c20.v4,
		"care-of address or its next hop");
	TEST_ASSERT_EQUAL(b->coa[0].port, haven_rt.fp.ports[1].port_id,
		"port of the care-of address");
	TEST_ASSERT(b->outer_src == HA, "outer source is not the agent");
	TEST_ASSERT_EQUAL(b->forwarder, HAVEN_FORWARDER_SELF, "forwarder");
	TEST_ASSERT(b->flags & HAVEN_BINDING_F_INTERCEPT, "not intercepted");
	TEST_ASSERT(b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL, "T flag lost");
	TEST_ASSERT_EQUAL(b->lifetime, 60, "lifetime");
	TEST_ASSERT_EQUAL(haven_binding6_count(haven_rt.fp6->bindings), count6,
		"an IPv4 binding in the IPv6 table");
	if (check_garp(n->hoa.v4) != 0)
		return -1;
	gen = b->generation;

	/* Same care-of address, new lifetime. */
	TEST_ASSERT_EQUAL(node_bind(n, c20, 120, false), 0, "refresh");
	if (heard_one(n, HAVEN_NODE_REFRESHED, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	b = record4(n);
	TEST_ASSERT(b != NULL && b->lifetime == 120 && b->generation > gen,
		"refresh not published");

	/* Another one replaces it. */
	TEST_ASSERT_EQUAL(node_bind(n, c21, 120, false), 0, "move");
	if (heard_one(n, HAVEN_NODE_MOVED, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	b = record4(n);
	TEST_ASSERT(b != NULL && b->n_coa == 1 && rec4_coa(b, c21) == 0,
		"moved record");

	/* Simultaneous bindings: a second one, then one behind the gateway. */
	TEST_ASSERT_EQUAL(node_bind(n, c22, 120, true), 0, "join");
	if (heard_one(n, HAVEN_NODE_MOVED, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	TEST_ASSERT_EQUAL(node_bind(n, remote, 120, true), 0, "join remote");
	if (heard_one(n, HAVEN_NODE_MOVED, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	b = record4(n);
	TEST_ASSERT(b != NULL && b->n_coa == 3 && rec4_coa(b, c21) >= 0 &&
		rec4_coa(b, c22) >= 0 && rec4_coa(b, remote) >= 0,
		"record with three care-of addresses");
	TEST_ASSERT(b->coa[rec4_coa(b, remote)].next_hop == GW,
		"next hop of an off-link care-of address is not the gateway");

	/* One deregistered: the others stay. */
	haven_node_unbind(n, &c21, HAVEN_NODE_R_DEREGISTERED);
	if (heard_one(n, HAVEN_NODE_MOVED, HAVEN_NODE_R_DEREGISTERED) != 0)
		return -1;
	b = record4(n);
	TEST_ASSERT(b != NULL && b->n_coa == 2 && rec4_coa(b, c21) < 0,
		"record after releasing one care-of address");

	/* Another agent forwards it, then we again. */
	haven_node_set_forwarder(n, 3);
	if (heard_one(n, HAVEN_NODE_FORWARDER, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	TEST_ASSERT(record4(n) != NULL && record4(n)->forwarder == 3,
		"forwarder not published");
	haven_node_set_forwarder(n, 3);
	TEST_ASSERT_EQUAL(heard.n, 0, "the same forwarder is no change");
	haven_node_set_forwarder(n, HAVEN_FORWARDER_SELF);
	if (heard_one(n, HAVEN_NODE_FORWARDER, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	TEST_ASSERT(record4(n)->forwarder == HAVEN_FORWARDER_SELF,
		"forwarder not published");

	/* All released. */
	haven_node_unbind(n, NULL, HAVEN_NODE_R_DEREGISTERED);
	if (heard_one(n, HAVEN_NODE_RELEASED, HAVEN_NODE_R_DEREGISTERED) != 0)
		return -1;
	TEST_ASSERT(record4(n) == NULL, "record not withdrawn");
	TEST_ASSERT(!haven_node_bound(n), "node still bound");
	haven_node_unbind(n, NULL, HAVEN_NODE_R_DEREGISTERED);
	TEST_ASSERT_EQUAL(heard.n, 0, "an unbound node released again");
	app_drain();
	return 0;
}

/*
 * An IPv6 node: BOUND with the record in the IPv6 table (outer source the
 * agent's address6), never in the IPv4 table; an unsolicited Neighbor
 * Advertisement to all-nodes with Override and our MAC (RFC 6275
 * 10.4.1); RELEASED with reason ADMIN.
 */
static int
test_bind_v6(void)
{
	struct haven_node *n = conf6(0x100);
	struct haven_addr coa = a6(2, 0x20), ha6 = a6(1, 2);
	uint32_t count4 = haven_binding_count(haven_rt.fp.bindings);
	const struct haven_binding6 *b;
	const uint8_t *p, *ip, *icmp;
	struct rte_mbuf *f;

	TEST_ASSERT(n != NULL && !haven_node_bound(n), "node ::100");
	app_drain();
	heard_reset();
	TEST_ASSERT_EQUAL(node_bind(n, coa, 60, false), 0, "bind");
	if (heard_one(n, HAVEN_NODE_BOUND, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	b = record6(n);
	TEST_ASSERT(b != NULL, "no IPv6 record");
	TEST_ASSERT_EQUAL(b->n_coa, 1, "care-of addresses");
	TEST_ASSERT_MEM(b->coa[0].addr, coa.v6, 16, "care-of address");
	TEST_ASSERT_MEM(b->coa[0].next_hop, coa.v6, 16, "next hop");
	TEST_ASSERT_MEM(b->outer_src, ha6.v6, 16, "outer source");
	TEST_ASSERT_EQUAL(b->forwarder, HAVEN_FORWARDER_SELF, "forwarder");
	TEST_ASSERT_EQUAL(haven_binding_count(haven_rt.fp.bindings), count4,
		"an IPv6 binding in the IPv4 table");

	f = sent_type(0, 0x86dd);
	TEST_ASSERT(f != NULL, "no unsolicited NA on the home port");
	p = rte_pktmbuf_mtod(f, const uint8_t *);
	ip = p + 14;
	icmp = ip + 40;
	TEST_ASSERT(p[0] == 0x33 && p[1] == 0x33 && p[5] == 1,
		"not to the all-nodes MAC");
	TEST_ASSERT(ip[24] == 0xff && ip[25] == 0x02 && ip[39] == 1,
		"not to ff02::1");
	TEST_ASSERT_EQUAL(icmp[0], 136, "ICMPv6 type");
	TEST_ASSERT_EQUAL(icmp[4] & 0xe0, 0x20, "flags: Override only");
	TEST_ASSERT(app_icmp6_cksum_ok(ip), "checksum");
	TEST_ASSERT_MEM(icmp + 8, n->hoa.v6, 16, "target");
	TEST_ASSERT(icmp[24] == 2 && icmp[25] == 1, "target link-layer option");
	TEST_ASSERT_MEM(icmp + 26, haven_rt_port_mac(0), 6, "option's MAC");
	rte_pktmbuf_free(f);

	haven_node_unbind(n, NULL, HAVEN_NODE_R_ADMIN);
	if (heard_one(n, HAVEN_NODE_RELEASED, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	TEST_ASSERT(record6(n) == NULL, "IPv6 record not withdrawn");
	app_drain();
	return 0;
}

/*
 * Delegated nodes (a secondary's): the record's outer source is the
 * primary's address (claim 5), a whole care-of set with no end; a set of
 * none or too many is refused and changes nothing; deletion releases the
 * binding (ADMIN), then DELETED.
 */
static int
test_bind_delegated(void)
{
	struct haven_addr h4 = a4(192, 0, 2, 150), h6 = a6(1, 0x150);
	struct haven_addr p4 = haven_addr4(PRIMARY), p6 = a6(0xf, 7);
	struct haven_addr set4[HAVEN_NODE_MAX_COA + 1], set6[1];
	struct haven_node *n4, *n6;
	const struct haven_binding *b;
	const struct haven_binding6 *b6;
	unsigned int i;

	for (i = 0; i < RTE_DIM(set4); i++)
		set4[i] = a4(198, 51, 100, 40 + i);
	set6[0] = a6(2, 0x40);
	n4 = haven_node_new_delegated(&h4, &p4);
	n6 = haven_node_new_delegated(&h6, &p6);
	TEST_ASSERT(n4 != NULL && n6 != NULL, "nodes");
	TEST_ASSERT(haven_node_insert(n4) == 0 && haven_node_insert(n6) == 0,
		"insert");
	heard_reset();

	TEST_ASSERT_EQUAL(haven_node_bind_all(n4, set4, 0, UINT32_MAX, 2, 0,
		NULL),
		-EINVAL, "no care-of address");
	TEST_ASSERT_EQUAL(haven_node_bind_all(n4, set4, RTE_DIM(set4),
		UINT32_MAX, 2, 0, NULL), -EINVAL, "too many care-of addresses");
	TEST_ASSERT(heard.n == 0 && !haven_node_bound(n4) && record4(n4) == NULL,
		"a refused set changed something");

	TEST_ASSERT_EQUAL(haven_node_bind_all(n4, set4, 2, UINT32_MAX, 2, 0,
		NULL),
		0, "bind_all");
	if (heard_one(n4, HAVEN_NODE_BOUND, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	b = record4(n4);
	TEST_ASSERT(b != NULL && b->n_coa == 2, "record");
	TEST_ASSERT(b->outer_src == PRIMARY, "outer source is not the primary");
	TEST_ASSERT_EQUAL(b->encap, 2, "encapsulation");
	TEST_ASSERT(rec4_coa(b, set4[0]) >= 0 && rec4_coa(b, set4[1]) >= 0,
		"care-of addresses");
	TEST_ASSERT(n4->coa[0].expires_ms == UINT64_MAX &&
		haven_node_remaining_s(n4) == UINT32_MAX, "a set with an end");

	TEST_ASSERT_EQUAL(haven_node_bind_all(n6, set6, 1, 30, 0, 0, NULL), 0,
		"bind_all IPv6");
	if (heard_one(n6, HAVEN_NODE_BOUND, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	b6 = record6(n6);
	TEST_ASSERT(b6 != NULL, "IPv6 record");
	TEST_ASSERT_MEM(b6->outer_src, p6.v6, 16, "outer source");
	TEST_ASSERT(haven_node_remaining_s(n6) >= 29 &&
		haven_node_remaining_s(n6) <= 30, "remaining lifetime");

	haven_node_delete(n4);
	TEST_ASSERT_EQUAL(heard.n, 2, "events of a deletion");
	TEST_ASSERT(heard.ev[0].what == HAVEN_NODE_RELEASED &&
		heard.ev[0].reason == HAVEN_NODE_R_ADMIN &&
		heard.ev[1].what == HAVEN_NODE_DELETED,
		"deletion: RELEASED (ADMIN) then DELETED");
	TEST_ASSERT(haven_binding_lookup(haven_rt.fp.bindings, h4.v4) == NULL,
		"record of a deleted node");
	TEST_ASSERT(haven_node_find(&h4) == NULL, "deleted node found");
	haven_node_delete(n6);
	TEST_ASSERT(haven_binding6_lookup(haven_rt.fp6->bindings, h6.v6) ==
		NULL, "IPv6 record of a deleted node");
	heard_reset();
	app_drain();
	return 0;
}


/* A UDP-tunnelled request (RFC 3519): coa behind the NAT at nat:port. */
static int
node_bind_udp(struct haven_node *n, struct haven_addr coa,
		struct haven_addr nat, uint16_t port, bool simultaneous)
{
	struct haven_node_bind_req req = {
		.coa = coa,
		.lifetime_s = 60,
		.simultaneous = simultaneous,
		.encap = HAVEN_ENCAP_UDP,
		.flags = HAVEN_BINDING_F_REVERSE_TUNNEL,
		.nat_addr = nat,
		.nat_port = port,
	};

	return haven_node_bind(n, &req);
}

/*
 * A node behind a NAT (RFC 3519): the record tunnels in UDP to the NAT's
 * address and port (its next hop: the route toward the NAT, not toward
 * the private care-of address), from port 434 of the agent's address;
 * the node keeps its care-of address. A new NAT port at re-registration
 * is MOVED and published, the same one REFRESHED. Refused and changing
 * nothing: a UDP request without a port, a simultaneous join of the other
 * kind of tunnel. A delegated set in UDP takes the primary's port.
 */
static int
test_bind_udp(void)
{
	struct haven_node *n = conf4(101);
	struct haven_addr coa = a4(10, 0, 0, 5);	/* private, unroutable */
	struct haven_addr nat = a4(203, 0, 113, 130);	/* behind the gateway */
	struct haven_addr other = a4(198, 51, 100, 30);
	struct haven_addr h4 = a4(192, 0, 2, 151), p4 = haven_addr4(PRIMARY);
	struct haven_node_udp udp;
	const struct haven_binding *b;
	struct haven_node *d;
	uint32_t gen;

	TEST_ASSERT(n != NULL && !haven_node_bound(n), "node .101");
	app_drain();
	heard_reset();
	TEST_ASSERT_EQUAL(node_bind_udp(n, coa, nat, 0, false), -EINVAL,
		"a UDP tunnel without a port");
	TEST_ASSERT(heard.n == 0 && !haven_node_bound(n) && record4(n) == NULL,
		"a refused UDP binding changed something");

	TEST_ASSERT_EQUAL(node_bind_udp(n, coa, nat, 40001, false), 0, "bind");
	if (heard_one(n, HAVEN_NODE_BOUND, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	TEST_ASSERT(n->n_coa == 1 && haven_addr_eq(&n->coa[0].addr, &coa) &&
		haven_addr_eq(&n->coa[0].nat_addr, &nat) &&
		n->coa[0].nat_port == 40001 && n->encap == HAVEN_ENCAP_UDP &&
		n->udp_sport == 434, "the node's view");
	b = record4(n);
	TEST_ASSERT(b != NULL && b->n_coa == 1, "no record published");
	TEST_ASSERT_EQUAL(b->encap, HAVEN_ENCAP_UDP, "encapsulation");
	TEST_ASSERT(b->coa[0].addr == nat.v4 && b->coa[0].next_hop == GW,
		"the tunnel goes to the NAT, through its gateway");
	TEST_ASSERT(b->coa[0].udp_port == 40001 && b->udp_sport == 434,
		"ports");
	TEST_ASSERT(b->outer_src == HA, "outer source is not the agent");
	gen = b->generation;
	app_drain();

	/* re-registration through the same mapping: REFRESHED */
	TEST_ASSERT_EQUAL(node_bind_udp(n, coa, nat, 40001, false), 0,
		"refresh");
	if (heard_one(n, HAVEN_NODE_REFRESHED, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	/* the NAT rebound: a new port, the binding follows it */
	TEST_ASSERT_EQUAL(node_bind_udp(n, coa, nat, 52000, false), 0,
		"rebinding");
	if (heard_one(n, HAVEN_NODE_MOVED, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	b = record4(n);
	TEST_ASSERT(b != NULL && b->coa[0].udp_port == 52000 &&
		b->generation > gen, "the new port not published");

	/* a simultaneous IP in IP care-of address cannot join a UDP one */
	TEST_ASSERT_EQUAL(node_bind(n, other, 60, true), -EINVAL,
		"join of another kind");
	TEST_ASSERT(heard.n == 0 && n->n_coa == 1 &&
		record4(n)->coa[0].udp_port == 52000, "a refused join changed "
		"something");
	/* without S it replaces it: IP in IP again, no ports */
	TEST_ASSERT_EQUAL(node_bind(n, other, 60, false), 0, "back to IP in IP");
	if (heard_one(n, HAVEN_NODE_MOVED, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	b = record4(n);
	TEST_ASSERT(b != NULL && b->encap == HAVEN_ENCAP_IPIP &&
		b->udp_sport == 0 && b->coa[0].udp_port == 0 &&
		b->coa[0].addr == other.v4 && n->udp_sport == 0 &&
		n->coa[0].nat_port == 0, "IP in IP record");
	TEST_ASSERT_EQUAL(node_bind_udp(n, coa, nat, 40001, true), -EINVAL,
		"a UDP join of an IP in IP binding");
	haven_node_unbind(n, NULL, HAVEN_NODE_R_DEREGISTERED);
	if (heard_one(n, HAVEN_NODE_RELEASED, HAVEN_NODE_R_DEREGISTERED) != 0)
		return -1;

	/* a secondary's: from the primary's address and port */
	d = haven_node_new_delegated(&h4, &p4);
	TEST_ASSERT(d != NULL && haven_node_insert(d) == 0, "delegated node");
	memset(&udp, 0, sizeof(udp));
	udp.sport = 434;
	udp.nat_addr[0] = nat;
	TEST_ASSERT_EQUAL(haven_node_bind_all(d, &coa, 1, 60, HAVEN_ENCAP_UDP,
		0, &udp), -EINVAL, "a delegated UDP tunnel without a port");
	TEST_ASSERT_EQUAL(haven_node_bind_all(d, &coa, 1, 60, HAVEN_ENCAP_UDP,
		0, NULL), -EINVAL, "a delegated UDP tunnel without its ends");
	TEST_ASSERT(heard.n == 0 && record4(d) == NULL, "refused sets");
	udp.nat_port[0] = 40001;
	TEST_ASSERT_EQUAL(haven_node_bind_all(d, &coa, 1, 60, HAVEN_ENCAP_UDP,
		0, &udp), 0, "delegated UDP binding");
	if (heard_one(d, HAVEN_NODE_BOUND, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	b = record4(d);
	TEST_ASSERT(b != NULL && b->outer_src == PRIMARY &&
		b->udp_sport == 434 && b->coa[0].addr == nat.v4 &&
		b->coa[0].udp_port == 40001, "the primary's tunnel (claim 5)");
	haven_node_delete(d);
	heard_reset();
	app_drain();
	return 0;
}

/*
 * A full binding table: a new binding is refused with -ENOSPC and the
 * node is exactly as it was (every byte, its extensions too), no hook
 * hears anything; an existing binding may still move. Both families.
 */
static int
test_full_table(void)
{
	struct haven_node *n[N_CONF4], *d6[2], *last;
	struct haven_addr coa6 = a6(2, 0x50), src6 = a6(0xf, 7);
	uint8_t before[2048];
	unsigned int i;

	TEST_ASSERT(node_bytes() <= sizeof(before), "node too large");
	heard_reset();
	for (i = 0; i < N_CONF4; i++)
		n[i] = conf4(100 + i);
	for (i = 0; i < MAX_BINDINGS; i++)
		TEST_ASSERT_EQUAL(node_bind(n[i], a4(198, 51, 100, 60 + i), 60,
			false), 0, "bind %u", i);
	last = n[MAX_BINDINGS];
	heard_reset();
	memcpy(before, last, node_bytes());
	TEST_ASSERT_EQUAL(node_bind(last, a4(198, 51, 100, 70), 60, false), -ENOSPC,
		"a binding beyond max_bindings");
	TEST_ASSERT_MEM(last, before, node_bytes(), "a refused bind changed "
		"the node");
	TEST_ASSERT_EQUAL(haven_node_bind_all(last, &n[0]->coa[0].addr, 1, 60,
		0, 0, NULL), -ENOSPC, "bind_all beyond max_bindings");
	TEST_ASSERT_MEM(last, before, node_bytes(), "a refused bind_all "
		"changed the node");
	TEST_ASSERT_EQUAL(heard.n, 0, "hooks heard a refused binding");
	TEST_ASSERT(record4(last) == NULL, "record of a refused binding");
	TEST_ASSERT_EQUAL(haven_binding_count(haven_rt.fp.bindings),
		MAX_BINDINGS, "bindings");
	/* Moving a bound node needs no new entry. */
	TEST_ASSERT_EQUAL(node_bind(n[0], a4(198, 51, 100, 71), 60, false), 0,
		"move in a full table");
	if (heard_one(n[0], HAVEN_NODE_MOVED, HAVEN_NODE_R_ADMIN) != 0)
		return -1;

	/* IPv6: three configured nodes and a delegated one fill it. */
	for (i = 0; i < 2; i++) {
		struct haven_addr h = a6(1, 0x160 + i);

		d6[i] = haven_node_new_delegated(&h, &src6);
		TEST_ASSERT(d6[i] != NULL && haven_node_insert(d6[i]) == 0,
			"delegated IPv6 node");
	}
	for (i = 0; i < N_CONF6; i++)
		TEST_ASSERT_EQUAL(node_bind(conf6(0x100 + i), coa6, 60, false), 0,
			"bind IPv6 %u", i);
	TEST_ASSERT_EQUAL(haven_node_bind_all(d6[0], &coa6, 1, 60, 0, 0, NULL), 0,
		"bind_all IPv6");
	heard_reset();
	memcpy(before, d6[1], node_bytes());
	TEST_ASSERT_EQUAL(haven_node_bind_all(d6[1], &coa6, 1, 60, 0, 0, NULL),
		-ENOSPC, "an IPv6 binding beyond max_bindings");
	TEST_ASSERT_MEM(d6[1], before, node_bytes(), "a refused IPv6 binding "
		"changed the node");
	TEST_ASSERT_EQUAL(heard.n, 0, "hooks heard a refused binding");

	/* Room again once one is released. */
	haven_node_unbind(n[1], NULL, HAVEN_NODE_R_ADMIN);
	TEST_ASSERT_EQUAL(node_bind(last, a4(198, 51, 100, 70), 60, false), 0,
		"bind after a release");
	TEST_ASSERT(record4(last) != NULL, "record");

	for (i = 0; i < N_CONF4; i++)
		haven_node_unbind(n[i], NULL, HAVEN_NODE_R_ADMIN);
	for (i = 0; i < N_CONF6; i++)
		haven_node_unbind(conf6(0x100 + i), NULL, HAVEN_NODE_R_ADMIN);
	haven_node_delete(d6[0]);
	haven_node_delete(d6[1]);
	TEST_ASSERT(haven_binding_count(haven_rt.fp.bindings) == 0 &&
		haven_binding6_count(haven_rt.fp6->bindings) == 0,
		"records left");
	heard_reset();
	app_drain();
	return 0;
}

/* Replies held for a secondary: REPLY_READY once, at the last release. */
static int
test_reply_hold(void)
{
	struct haven_node *n = conf4(104);

	heard_reset();
	haven_node_reply_hold(n);
	haven_node_reply_hold(n);
	TEST_ASSERT(haven_node_reply_held(n), "not held");
	haven_node_reply_release(n);
	TEST_ASSERT_EQUAL(heard.n, 0, "ready while one hold remains");
	TEST_ASSERT(haven_node_reply_held(n), "released too early");
	haven_node_reply_release(n);
	if (heard_one(n, HAVEN_NODE_REPLY_READY, HAVEN_NODE_R_ADMIN) != 0)
		return -1;
	TEST_ASSERT(!haven_node_reply_held(n), "still held");
	haven_node_reply_release(n);
	TEST_ASSERT_EQUAL(heard.n, 0, "a release without a hold");
	TEST_ASSERT(!haven_node_reply_held(n), "held after a spare release");
	return 0;
}

/*
 * Lifetimes: a 1 s binding of each family runs out while the control
 * loop turns and is released with reason EXPIRED, record withdrawn; of a
 * node with two care-of addresses only the short one goes (MOVED,
 * EXPIRED). Not before the second is over (a lower bound only).
 */
static int
test_lifetime_expiry(void)
{
	struct haven_node *n4 = conf4(100), *m4 = conf4(101), *n6 = conf6(0x100);
	struct haven_addr c30 = a4(198, 51, 100, 30), c31 = a4(198, 51, 100, 31);
	uint64_t e4 = haven_node_stats(HAVEN_AF_INET)->bindings_expired;
	uint64_t e6 = haven_node_stats(HAVEN_AF_INET6)->bindings_expired;
	uint64_t t0, deadline, released4 = 0, released6 = 0, moved = 0;
	unsigned int i;

	heard_reset();
	t0 = haven_now_ms();
	TEST_ASSERT(node_bind(n4, a4(198, 51, 100, 20), 1, false) == 0 &&
		node_bind(n6, a6(2, 0x20), 1, false) == 0 &&
		node_bind(m4, c30, 1, false) == 0 && node_bind(m4, c31, 60, true) == 0,
		"bind");
	heard_reset();
	deadline = t0 + 3000;
	while (haven_now_ms() < deadline && (released4 == 0 ||
	       released6 == 0 || moved == 0)) {
		haven_loop_turn();
		for (i = 0; i < heard.n && i < HEARD_MAX; i++) {
			uint64_t now = haven_now_ms();

			if (heard.ev[i].what == HAVEN_NODE_RELEASED &&
			    heard.ev[i].node == n4)
				released4 = now;
			else if (heard.ev[i].what == HAVEN_NODE_RELEASED &&
				 heard.ev[i].node == n6)
				released6 = now;
			else if (heard.ev[i].what == HAVEN_NODE_MOVED &&
				 heard.ev[i].node == m4)
				moved = now;
			else
				TEST_ASSERT(false, "unexpected change %d",
					heard.ev[i].what);
			TEST_ASSERT_EQUAL(heard.ev[i].reason,
				HAVEN_NODE_R_EXPIRED, "reason");
		}
		heard_reset();
		app_drain();
		usleep(1000);
	}
	TEST_ASSERT(released4 != 0 && released6 != 0 && moved != 0,
		"lifetimes did not run out (%d %d %d)", released4 != 0,
		released6 != 0, moved != 0);
	TEST_ASSERT(released4 - t0 >= 1000 && released6 - t0 >= 1000 &&
		moved - t0 >= 1000, "a 1 s lifetime ran out early");
	TEST_ASSERT(record4(n4) == NULL && record6(n6) == NULL,
		"records of expired bindings");
	TEST_ASSERT(!haven_node_bound(n4) && !haven_node_bound(n6),
		"expired nodes still bound");
	TEST_ASSERT(m4->n_coa == 1 && haven_addr_eq(&m4->coa[0].addr, &c31),
		"the long care-of address went too");
	TEST_ASSERT(record4(m4) != NULL && record4(m4)->n_coa == 1 &&
		rec4_coa(record4(m4), c31) == 0, "record of the remaining one");
	TEST_ASSERT_EQUAL(haven_node_stats(HAVEN_AF_INET)->bindings_expired,
		e4 + 2, "IPv4 bindings_expired");
	TEST_ASSERT_EQUAL(haven_node_stats(HAVEN_AF_INET6)->bindings_expired,
		e6 + 1, "IPv6 bindings_expired");
	haven_node_unbind(m4, NULL, HAVEN_NODE_R_ADMIN);
	heard_reset();
	app_drain();
	return 0;
}

int
main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	(void)argc;
	if (app_eal_init(argv[0], "test-app-node") != 0 ||
	    app_config_load(config_yaml) != 0 || haven_rt_start() != 0 ||
	    haven_link_init() != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	/* Extensions before the first node, as modules do at start-up. */
	off_a = haven_node_ext_register("a", EXT_A_SIZE, init_a, fini_a);
	off_b = haven_node_ext_register("b", EXT_B_SIZE, init_b, fini_b);
	if (off_a < 0 || off_b < 0 || haven_nodes_init() != 0 ||
	    haven_node_hook_add(on_node, NULL) != 0 ||
	    haven_nodes_load_config() != 0) {
		fprintf(stderr, "node set-up failed\n");
		return 1;
	}
	TEST_RUN(test_table_many);
	TEST_RUN(test_extensions);
	TEST_RUN(test_bind_v4);
	TEST_RUN(test_bind_v6);
	TEST_RUN(test_bind_delegated);
	TEST_RUN(test_bind_udp);
	TEST_RUN(test_full_table);
	TEST_RUN(test_reply_hold);
	TEST_RUN(test_lifetime_expiry);
	haven_nodes_fini();
	app_drain();
	haven_rt_stop();
	rte_eal_cleanup();
	haven_config_free(&haven_rt.cfg);
	TEST_SUMMARY();
}
