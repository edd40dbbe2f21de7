/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the two-phase reload (app/haven/runtime/reload.c) with the
 * node layer's part (app/haven/node/node_reload.c): all of a reload, or
 * nothing. This program links the runtime, link and node layers and
 * nothing above them. The runtime starts from configuration A (IPv4 and
 * IPv6 mobile nodes, some bound); the file is then rewritten as B, which
 * adds, removes and re-keys nodes of both families, and reloaded:
 *  - with the k-th allocation failing, for every k until the reload makes
 *    no more, it fails and nothing changed: the same nodes, byte for byte
 *    (keys, configuration entries, bindings), the same binding records,
 *    the same haven_rt.cfg, no hook heard anything;
 *  - then it succeeds, and back and forth without injection;
 *  - a module of the registry that refuses in prepare: the modules
 *    prepared before it are aborted, none commits;
 *  - a change only a restart applies (ports, max_bindings) and a broken
 *    file are refused and change nothing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "haven_binding.h"
#include "haven_binding6.h"
#include "link.h"
#include "loop.h"
#include "node.h"
#include "reload.h"
#include "rt.h"
#include "test.h"
#include "test_app.h"

/* ------------------------------------------------------------------ */
/* Configurations                                                      */
/* ------------------------------------------------------------------ */

/* What a generated configuration holds. */
struct spec {
	const char *vport;		/* the visited port's address */
	unsigned int max_bindings;
	const uint16_t *v4;		/* hosts 192.0.2.<h> */
	unsigned int n4;
	const uint16_t *v6;		/* hosts 2001:db8:1::<h> */
	unsigned int n6;
	bool rekey;			/* .101 and ::101 get other keys,
					 * .101 another SPI */
	bool broken;			/* not YAML */
};

static const uint16_t a_v4[] = { 100, 101, 102, 103, 104, 105, 106, 107 };
static const uint16_t a_v6[] = {
	0x100, 0x101, 0x102, 0x103, 0x104, 0x105 };
static const uint16_t b_v4[] = {
	100, 101, 102, 103, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129,
	130, 131, 132, 133, 134, 135, 136, 137, 138, 139 };
static const uint16_t b_v6[] = {
	0x100, 0x101, 0x102, 0x120, 0x121, 0x122, 0x123, 0x124, 0x125, 0x126,
	0x127, 0x128, 0x129, 0x12a, 0x12b };

static const struct spec spec_a = {
	.vport = "198.51.100.1/24", .max_bindings = 64,
	.v4 = a_v4, .n4 = RTE_DIM(a_v4), .v6 = a_v6, .n6 = RTE_DIM(a_v6),
};
static const struct spec spec_b = {
	.vport = "198.51.100.1/24", .max_bindings = 64,
	.v4 = b_v4, .n4 = RTE_DIM(b_v4), .v6 = b_v6, .n6 = RTE_DIM(b_v6),
	.rekey = true,
};

/* Nodes B adds, and A's nodes B removes. */
#define B_ADDED (20 + 12)
#define B_REMOVED4 4
#define B_REMOVED6 3

static uint32_t
spi_of(const struct spec *s, unsigned int family, uint16_t h)
{
	return s->rekey && family == 4 && h == 101 ? 9999 : 256u + h;
}

static char *
config_text(const struct spec *s)
{
	static char buf[16384];
	size_t off = 0;
	unsigned int i;

#define PUT(...) (off += (size_t)snprintf(buf + off, sizeof(buf) - off, \
		__VA_ARGS__))
	PUT("eal:\n  lcores: \"0,1\"\n  file_prefix: test-app-reload\n"
	    "ports:\n"
	    "  - name: home\n    device: net_ring0\n"
	    "    address: 192.0.2.1/24\n    address6: 2001:db8:1::1/64\n"
	    "  - name: visited\n    device: net_ring1\n"
	    "    address: %s\n    address6: 2001:db8:2::1/64\n"
	    "home_agent:\n  address: 192.0.2.2\n  address6: 2001:db8:1::2\n"
	    "  home_prefix6: 2001:db8:1::/64\n  max_bindings: %u\n"
	    "delegation:\n  agent_id: 1\n  capacity: 1\n",
	    s->vport, s->max_bindings);
	if (s->broken)
		PUT("mobile_nodes: [ {home_address: 192.0.2.100\n");
	PUT("mobile_nodes:\n");
	for (i = 0; i < s->n4; i++)
		PUT("  - {home_address: 192.0.2.%u, spi: %u, key: "
		    "\"hex:%s%04x\"}\n", s->v4[i], spi_of(s, 4, s->v4[i]),
		    s->rekey && s->v4[i] == 101 ? "ffee" : "0011", s->v4[i]);
	PUT("mobile_nodes6:\n");
	for (i = 0; i < s->n6; i++)
		PUT("  - {home_address: \"2001:db8:1::%x\", spi: %u, key: "
		    "\"%s %x\"}\n", s->v6[i], spi_of(s, 6, s->v6[i]),
		    s->rekey && s->v6[i] == 0x101 ? "other key" : "key",
		    s->v6[i]);
#undef PUT
	return buf;
}

static struct haven_addr
hoa4(uint16_t h)
{
	return haven_addr4(APP_IP(192, 0, 2, h));
}

static struct haven_addr
hoa6(uint16_t h)
{
	uint8_t v[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [14] = h >> 8,
		[15] = h & 0xff };

	return haven_addr6(v);
}

/* ------------------------------------------------------------------ */
/* What the hooks hear                                                 */
/* ------------------------------------------------------------------ */

static struct {
	unsigned int n;
	unsigned int released_admin, deleted;
} heard;

static void
on_node(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason, void *arg)
{
	(void)n;
	(void)arg;
	heard.n++;
	if (what == HAVEN_NODE_RELEASED && reason == HAVEN_NODE_R_ADMIN)
		heard.released_admin++;
	if (what == HAVEN_NODE_DELETED)
		heard.deleted++;
}

/* ------------------------------------------------------------------ */
/* Snapshots: everything a refused reload must leave as it was         */
/* ------------------------------------------------------------------ */

#define SNAP_NODES 64
#define SNAP_MNS 64

static struct snapshot {
	unsigned int n;
	struct {
		struct haven_node *node;
		uint8_t bytes[sizeof(struct haven_node)];
		const void *rec;	/* its binding record, or NULL */
	} e[SNAP_NODES];
	struct haven_config cfg;	/* shallow: pointers included */
	struct haven_config_mn mns[SNAP_MNS];
	struct haven_config_mn6 mns6[SNAP_MNS];
	unsigned int overflow;
	/* The DPDK heap in use: nodes, plans, the table (haven_zmalloc). */
	unsigned int dpdk_allocs;
	size_t dpdk_bytes;
} snap, now;

static const void *
record_of(const struct haven_node *n)
{
	if (n->hoa.family == HAVEN_AF_INET6)
		return haven_binding6_lookup(haven_rt.fp6->bindings, n->hoa.v6);
	return haven_binding_lookup(haven_rt.fp.bindings, n->hoa.v4);
}

static void
snap_node(struct haven_node *n, void *arg)
{
	struct snapshot *s = arg;

	if (s->n == SNAP_NODES) {
		s->overflow++;
		return;
	}
	s->e[s->n].node = n;
	memcpy(s->e[s->n].bytes, n, sizeof(*n));
	s->e[s->n].rec = record_of(n);
	s->n++;
}

static void
snapshot_take(struct snapshot *s)
{
	struct rte_malloc_socket_stats ms;

	memset(s, 0, sizeof(*s));
	haven_node_foreach(HAVEN_AF_NONE, snap_node, s);
	s->cfg = haven_rt.cfg;
	rte_malloc_get_socket_stats(rte_socket_id(), &ms);
	s->dpdk_allocs = ms.alloc_count;
	s->dpdk_bytes = ms.heap_allocsz_bytes;
	if (haven_rt.cfg.n_mns <= SNAP_MNS)
		memcpy(s->mns, haven_rt.cfg.mns,
			sizeof(s->mns[0]) * haven_rt.cfg.n_mns);
	if (haven_rt.cfg.n_mns6 <= SNAP_MNS)
		memcpy(s->mns6, haven_rt.cfg.mns6,
			sizeof(s->mns6[0]) * haven_rt.cfg.n_mns6);
}

/* Nothing changed since snap: nodes, records, configuration. */
static int
unchanged(void)
{
	unsigned int i, k;

	snapshot_take(&now);
	TEST_ASSERT(snap.overflow == 0 && now.overflow == 0, "snapshot size");
	TEST_ASSERT_EQUAL(now.n, snap.n, "nodes in the table");
	for (i = 0; i < now.n; i++) {
		for (k = 0; k < snap.n; k++)
			if (snap.e[k].node == now.e[i].node)
				break;
		TEST_ASSERT(k < snap.n, "a node that was not there");
		TEST_ASSERT_MEM(now.e[i].bytes, snap.e[k].bytes,
			sizeof(struct haven_node), "a node changed (key, "
			"configuration entry or binding)");
		TEST_ASSERT(now.e[i].rec == snap.e[k].rec,
			"a binding record changed");
	}
	TEST_ASSERT_MEM(&now.cfg, &snap.cfg, sizeof(snap.cfg),
		"haven_rt.cfg changed");
	TEST_ASSERT_MEM(haven_rt.cfg.mns, snap.mns,
		sizeof(snap.mns[0]) * snap.cfg.n_mns, "mobile_nodes changed");
	TEST_ASSERT_MEM(haven_rt.cfg.mns6, snap.mns6,
		sizeof(snap.mns6[0]) * snap.cfg.n_mns6,
		"mobile_nodes6 changed");
	TEST_ASSERT_EQUAL(heard.n, 0, "hooks heard a change");
	TEST_ASSERT_EQUAL(now.dpdk_allocs, snap.dpdk_allocs,
		"DPDK heap blocks in use (a leak?)");
	TEST_ASSERT_EQUAL(now.dpdk_bytes, snap.dpdk_bytes,
		"DPDK heap bytes in use (a leak?)");
	return 0;
}

/* The node of snap that had address a, or NULL. */
static struct haven_node *
snap_find(const struct haven_addr *a)
{
	unsigned int i;

	for (i = 0; i < snap.n; i++)
		if (haven_addr_eq(&((const struct haven_node *)
				(const void *)snap.e[i].bytes)->hoa, a))
			return snap.e[i].node;
	return NULL;
}

static const void *
snap_key(const struct haven_node *n)
{
	unsigned int i;

	for (i = 0; i < snap.n; i++)
		if (snap.e[i].node == n)
			return ((const struct haven_node *)
				(const void *)snap.e[i].bytes)->key;
	return NULL;
}

/*
 * The node set is that of spec s, taken over from the state in snap:
 * every configured node listed, with its entry of haven_rt.cfg and its
 * SPI; a node kept from snap is the same node with a new key, bound as it
 * was; nothing else.
 */
static int
matches(const struct spec *s)
{
	unsigned int i;

	TEST_ASSERT_EQUAL(haven_node_count(HAVEN_AF_INET,
		HAVEN_NODE_CONFIGURED), s->n4, "IPv4 nodes");
	TEST_ASSERT_EQUAL(haven_node_count(HAVEN_AF_INET6,
		HAVEN_NODE_CONFIGURED), s->n6, "IPv6 nodes");
	TEST_ASSERT_EQUAL(haven_rt.cfg.n_mns, s->n4, "configured IPv4 nodes");
	for (i = 0; i < s->n4 + s->n6; i++) {
		bool is6 = i >= s->n4;
		uint16_t h = is6 ? s->v6[i - s->n4] : s->v4[i];
		struct haven_addr a = is6 ? hoa6(h) : hoa4(h);
		struct haven_node *n = haven_node_find(&a), *old = snap_find(&a);

		TEST_ASSERT(n != NULL, "node %x of family %d missing", h,
			is6 ? 6 : 4);
		TEST_ASSERT_EQUAL(n->origin, HAVEN_NODE_CONFIGURED, "origin");
		if (is6)
			TEST_ASSERT(n->cfg6 == haven_config_find_mn6(
				&haven_rt.cfg, a.v6) && n->cfg6 != NULL,
				"::%x: not the entry of the configuration in "
				"force", h);
		else
			TEST_ASSERT(n->cfg4 == haven_config_find_mn(
				&haven_rt.cfg, a.v4) && n->cfg4 != NULL,
				".%u: not the entry of the configuration in "
				"force", h);
		TEST_ASSERT_EQUAL(n->spi, spi_of(s, is6 ? 6 : 4, h), "SPI of %x",
			h);
		TEST_ASSERT(n->key != NULL, "no key");
		if (old == NULL)
			continue;
		TEST_ASSERT(n == old, "kept node %x was recreated", h);
		TEST_ASSERT(n->key != snap_key(n), "kept node %x: key not "
			"renewed", h);
		if (haven_node_bound(n))
			TEST_ASSERT(record_of(n) != NULL, "kept node %x lost its "
				"binding record", h);
	}
	return 0;
}

/* Write the spec and reload; the message is left in msg. */
static char msg[512];

static int
reload_spec(const struct spec *s)
{
	if (app_config_write(config_text(s)) != 0)
		return -EIO;
	msg[0] = '\0';
	return haven_reload(msg, sizeof(msg));
}

static int
bind_to(struct haven_addr hoa, struct haven_addr coa)
{
	struct haven_node *n = haven_node_find(&hoa);
	struct haven_node_bind_req req = {
		.coa = coa, .lifetime_s = 600, .flags = 0,
	};

	return n == NULL ? -ENOENT : haven_node_bind(n, &req);
}

/* ------------------------------------------------------------------ */
/* Cases                                                               */
/* ------------------------------------------------------------------ */

/*
 * Bound nodes of A that B keeps, re-keys and removes, then B with the
 * k-th allocation failing for every k until it succeeds: every failure
 * changes nothing. Then back to A and to B again without injection.
 */
static int
test_reload_all_or_nothing(void)
{
	struct haven_addr c4 = haven_addr4(APP_IP(198, 51, 100, 20));
	struct haven_addr c6 = hoa6(0);
	struct haven_addr removed4 = hoa4(104), removed6 = hoa6(0x103);
	long k;
	int rc;

	c6.v6[5] = 2;
	c6.v6[15] = 0x20;
	TEST_ASSERT(bind_to(hoa4(100), c4) == 0 && bind_to(hoa4(101), c4) == 0 &&
		bind_to(removed4, c4) == 0 && bind_to(hoa6(0x100), c6) == 0 &&
		bind_to(removed6, c6) == 0, "bind");
	if (matches(&spec_a) != 0)
		return -1;
	app_drain();
	snapshot_take(&snap);
	memset(&heard, 0, sizeof(heard));

	for (k = 0; ; k++) {
		TEST_ASSERT(k <= 10 * B_ADDED, "the reload never succeeds");
		if (app_config_write(config_text(&spec_b)) != 0)
			return -1;
		haven_alloc_fail_after(k);
		rc = haven_reload(msg, sizeof(msg));
		haven_alloc_fail_after(-1);
		if (rc == 0)
			break;
		TEST_ASSERT_EQUAL(rc, -ENOMEM, "allocation %ld failing: %s", k,
			msg);
		TEST_ASSERT(strstr(msg, "nothing was changed") != NULL,
			"message: %s", msg);
		if (unchanged() != 0) {
			fprintf(stderr, "with allocation %ld failing\n", k);
			return -1;
		}
	}
	/* Every node B adds needs memory: each was a point of failure. */
	TEST_ASSERT(k > B_ADDED, "only %ld allocations", k);
	printf("     reload A -> B: %ld allocations, each failing in turn "
		"changed nothing\n", k);
	if (matches(&spec_b) != 0)
		return -1;
	TEST_ASSERT(strstr(msg, "mobile nodes +20 -4 (24)") != NULL &&
		strstr(msg, "Mobile IPv6 nodes +12 -3 (15)") != NULL &&
		strstr(msg, "keys changed 2") != NULL, "summary: %s", msg);
	TEST_ASSERT(haven_node_find(&removed4) == NULL &&
		haven_node_find(&removed6) == NULL, "removed nodes still there");
	TEST_ASSERT(haven_binding_lookup(haven_rt.fp.bindings, removed4.v4) ==
		NULL && haven_binding6_lookup(haven_rt.fp6->bindings,
		removed6.v6) == NULL, "bindings of removed nodes left");
	TEST_ASSERT_EQUAL(heard.released_admin, 2, "released (ADMIN)");
	TEST_ASSERT_EQUAL(heard.deleted, B_REMOVED4 + B_REMOVED6, "deleted");

	/* Back and forth, no injection. */
	snapshot_take(&snap);
	TEST_ASSERT_EQUAL(reload_spec(&spec_a), 0, "reload A: %s", msg);
	if (matches(&spec_a) != 0)
		return -1;
	snapshot_take(&snap);
	TEST_ASSERT_EQUAL(reload_spec(&spec_b), 0, "reload B: %s", msg);
	if (matches(&spec_b) != 0)
		return -1;
	app_drain();
	return 0;
}

/*
 * What only a restart applies (a port's address, max_bindings), and a
 * file that does not parse: refused, with the reason, nothing changed.
 */
static int
test_reload_refused(void)
{
	struct spec port = spec_a, size = spec_a, broken = spec_a;
	unsigned int line, col, broken_line = 1;
	const char *text, *at;

	broken.broken = true;
	text = config_text(&broken);
	for (at = text; at < strstr(text, "mobile_nodes: ["); at++)
		broken_line += *at == '\n';
	port.vport = "198.51.100.9/24";
	size.max_bindings = 128;
	snapshot_take(&snap);
	memset(&heard, 0, sizeof(heard));

	TEST_ASSERT_EQUAL(reload_spec(&port), -EINVAL, "port changed: %s",
		msg);
	TEST_ASSERT(strstr(msg, "ports changed") != NULL, "message: %s", msg);
	if (unchanged() != 0)
		return -1;
	TEST_ASSERT_EQUAL(reload_spec(&size), -EINVAL, "max_bindings: %s",
		msg);
	TEST_ASSERT(strstr(msg, "max_bindings") != NULL, "message: %s", msg);
	if (unchanged() != 0)
		return -1;
	TEST_ASSERT_EQUAL(reload_spec(&broken), -EINVAL, "broken: %s", msg);
	at = strstr(msg, app_cfg_path);
	TEST_ASSERT(at != NULL && sscanf(at + strlen(app_cfg_path),
		":%u:%u:", &line, &col) == 2 && line >= broken_line,
		"no file:line:column at or after line %u: %s", broken_line,
		msg);
	if (unchanged() != 0)
		return -1;
	return 0;
}

/* Two modules of the registry besides the runtime and the nodes. */
static struct {
	bool y_refuses;
	char log[32];			/* what ran, in order */
	unsigned int n_log;
	int x_ctx_seen_ok;		/* abort and commit got prepare's ctx */
	int x_saw_new_cfg;		/* commit: haven_rt.cfg is the new one */
} reg;
static int x_token;

static void
reg_log(char c)
{
	if (reg.n_log < sizeof(reg.log) - 1)
		reg.log[reg.n_log++] = c;
}

static int
x_prepare(const struct haven_config *new_cfg, void **ctx, char *err,
		size_t errlen)
{
	(void)new_cfg;
	(void)err;
	(void)errlen;
	reg_log('p');
	*ctx = &x_token;
	return 0;
}

static void
x_commit(const struct haven_config *old_cfg, void *ctx, char *summary,
		size_t len)
{
	reg_log('c');
	reg.x_ctx_seen_ok += ctx == &x_token;
	reg.x_saw_new_cfg = haven_rt.cfg.n_mns == spec_a.n4 &&
		old_cfg->n_mns == spec_b.n4;
	snprintf(summary, len, "x committed");
}

static void
x_abort(void *ctx)
{
	reg_log('a');
	reg.x_ctx_seen_ok += ctx == &x_token;
}

static int
y_prepare(const struct haven_config *new_cfg, void **ctx, char *err,
		size_t errlen)
{
	(void)new_cfg;
	(void)ctx;
	reg_log('P');
	if (!reg.y_refuses)
		return 0;
	snprintf(err, errlen, "module y refuses");
	return -EPERM;
}

static void
y_commit(const struct haven_config *old_cfg, void *ctx, char *summary,
		size_t len)
{
	(void)old_cfg;
	(void)ctx;
	(void)summary;
	(void)len;
	reg_log('C');
}

static void
y_abort(void *ctx)
{
	(void)ctx;
	reg_log('A');
}

static const struct haven_reload_ops x_ops = {
	.name = "x", .prepare = x_prepare, .commit = x_commit,
	.abort = x_abort,
};
static const struct haven_reload_ops y_ops = {
	.name = "y", .prepare = y_prepare, .commit = y_commit,
	.abort = y_abort,
};

/*
 * The registry: runtime, nodes, x, y in that order. y refuses in prepare:
 * x's abort runs (with its context), y's does not, no commit runs, the
 * nodes' prepared work is undone (nothing changed). y accepts: prepares
 * then commits in order, after the new configuration is in force.
 */
static int
test_registry_refusal(void)
{
	TEST_ASSERT_EQUAL(haven_reload_register(&x_ops), 0, "register x");
	TEST_ASSERT_EQUAL(haven_reload_register(&y_ops), 0, "register y");
	snapshot_take(&snap);
	memset(&heard, 0, sizeof(heard));
	memset(&reg, 0, sizeof(reg));
	reg.y_refuses = true;

	TEST_ASSERT_EQUAL(reload_spec(&spec_a), -EPERM, "y refuses: %s", msg);
	TEST_ASSERT(strstr(msg, "module y refuses") != NULL &&
		strstr(msg, "nothing was changed") != NULL, "message: %s", msg);
	TEST_ASSERT(strcmp(reg.log, "pPa") == 0, "ran \"%s\", want x prepare, "
		"y prepare, x abort", reg.log);
	TEST_ASSERT_EQUAL(reg.x_ctx_seen_ok, 1, "x's abort got another ctx");
	if (unchanged() != 0)
		return -1;

	memset(&reg, 0, sizeof(reg));
	TEST_ASSERT_EQUAL(reload_spec(&spec_a), 0, "y accepts: %s", msg);
	TEST_ASSERT(strcmp(reg.log, "pPcC") == 0, "ran \"%s\", want prepares "
		"then commits in order", reg.log);
	TEST_ASSERT_EQUAL(reg.x_ctx_seen_ok, 1, "x's commit got another ctx");
	TEST_ASSERT(reg.x_saw_new_cfg, "commit ran before the new "
		"configuration was in force");
	TEST_ASSERT(strstr(msg, "x committed") != NULL, "summary: %s", msg);
	return matches(&spec_a);
}

int
main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	(void)argc;
	if (app_eal_init(argv[0], "test-app-reload") != 0 ||
	    app_config_load(config_text(&spec_a)) != 0 ||
	    haven_rt_start() != 0 || haven_reload_init() != 0 ||
	    haven_link_init() != 0 || haven_nodes_init() != 0 ||
	    haven_node_hook_add(on_node, NULL) != 0 ||
	    haven_nodes_load_config() != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	TEST_RUN(test_reload_all_or_nothing);
	TEST_RUN(test_reload_refused);
	TEST_RUN(test_registry_refusal);
	haven_nodes_fini();
	app_drain();
	haven_rt_stop();
	rte_eal_cleanup();
	haven_config_free(&haven_rt.cfg);
	TEST_SUMMARY();
}
