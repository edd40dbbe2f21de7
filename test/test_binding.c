/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the binding tables (lib/binding): insert, replace and
 * remove semantics, counter slots, walk and bulk lookup, the limits; the
 * index (home prefixes indexed directly, the hashed fallback for every
 * other address, its rebuild), the cells' inline tunnels and the reader
 * side of their sequence word, counters that survive care-of changes;
 * and a concurrency run where one writer republishes and removes
 * bindings while two reader lcores look them up, as the control plane
 * and as a worker does (cell snapshot), and check that every record and
 * snapshot they get is whole and still alive until they report
 * quiescent, with the addresses in a direct prefix and in the fallback.
 * The IPv6 table (haven_binding6.h) shares the implementation; its
 * semantics are tested on their own and the concurrency run drives both
 * tables through one harness (struct family).
 *
 * The tests play an extra RCU reader, TEST_QS_ID, from the main lcore: as
 * long as it is online and silent no grace period ends, which makes the
 * deferred reclamation observable step by step.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "haven_binding.h"
#include "haven_binding6.h"
#include "haven_binding_worker.h"
#include "test.h"

/* RCU thread ids: the reader lcores use 0..N_READERS-1. */
#define N_READERS	2
#define TEST_QS_ID	N_READERS	/* the main lcore playing a reader */
#define QS_MAX_THREADS	(N_READERS + 1)

/* Byte the table writes over freed records. */
#define POISON		0xdb
#define POISON32	0xdbdbdbdbu

/* Concurrency run: how long, and how many home addresses it churns. */
#define STRESS_SECONDS	1.5
#define STRESS_KEYS	512
#define STRESS_CAPACITY	STRESS_KEYS

static struct rte_rcu_qsbr *qsbr;

/* An IPv4 address, network byte order. */
#define A4(a, b, c, d) RTE_BE32((uint32_t)((a) & 0xff) << 24 | \
	(uint32_t)((b) & 0xff) << 16 | (uint32_t)((c) & 0xff) << 8 | \
	(uint32_t)((d) & 0xff))

/*
 * The concurrency run with its home addresses in a prefix indexed
 * directly (10.1.0.0/22, 2001:db8::/118) instead of the fallback.
 */
static bool stress_direct;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static uint64_t
xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* Checksum of what the writer sets; kept in last_ident (control only). */
static uint64_t
binding_sum(const struct haven_binding *b)
{
	uint64_t h = 1469598103934665603ULL;
	unsigned int i;

#define MIX(v) do { h ^= (uint64_t)(v); h *= 1099511628211ULL; } while (0)
	MIX(b->home_addr);
	MIX(b->outer_src);
	MIX(b->encap);
	MIX(b->flags);
	MIX(b->forwarder);
	MIX(b->n_coa);
	for (i = 0; i < HAVEN_BINDING_MAX_COA; i++) {
		MIX(b->coa[i].addr);
		MIX(b->coa[i].next_hop);
		MIX(b->coa[i].neigh);
		MIX(b->coa[i].port);
	}
	MIX(b->lifetime);
#undef MIX
	return h;
}

/* A binding for home address ha whose contents depend on seed. */
static void
make_binding(struct haven_binding *b, uint32_t ha, uint64_t seed)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	b->home_addr = ha;
	b->outer_src = 0x0a000001;
	b->encap = seed % 3;
	b->flags = HAVEN_BINDING_F_INTERCEPT;
	b->forwarder = HAVEN_FORWARDER_SELF;
	b->n_coa = 1 + seed % HAVEN_BINDING_MAX_COA;
	for (i = 0; i < b->n_coa; i++) {
		b->coa[i].addr = (uint32_t)(seed * 2654435761u) + i;
		b->coa[i].next_hop = b->coa[i].addr ^ 0x01010101;
		/* Mostly small enough for a cell's inline tunnel. */
		b->coa[i].neigh = (uint16_t)((seed + i) % 5000);
		b->coa[i].port = i;
	}
	b->lifetime = (uint16_t)seed;
	b->last_ident = binding_sum(b);
}

/*
 * The published care-of addresses are b's, each with the sum of the outer
 * header's constant words, computed here byte by byte over a header with
 * zero length, identification, flags and checksum.
 */
static int
coa_ok(const struct haven_binding *r, const struct haven_binding *b)
{
	static const uint8_t proto[] = { 4, 0, 47, 17 };
	unsigned int i, j;

	for (i = 0; i < b->n_coa; i++) {
		const struct haven_binding_coa *c = &r->coa[i];
		uint8_t h[20] = { 0x45, 0, 0, 0, 0, 0, 0, 0,
			HAVEN_BINDING_OUTER_TTL, proto[b->encap] };
		uint32_t sum = 0;

		memcpy(h + 12, &b->outer_src, 4);
		memcpy(h + 16, &b->coa[i].addr, 4);
		for (j = 0; j < 20; j += 2)
			sum += (uint32_t)(h[j] << 8 | h[j + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		if (c->addr != b->coa[i].addr ||
		    c->next_hop != b->coa[i].next_hop ||
		    c->neigh != b->coa[i].neigh || c->port != b->coa[i].port ||
		    c->outer_sum != sum)
			return 0;
	}
	return 1;
}

/* A record a reader got: whole, alive, for the key it asked for. */
static int
record_ok(const struct haven_binding *b, uint32_t ha, uint32_t capacity)
{
	return b->home_addr == ha && b->generation != POISON32 &&
		b->generation != 0 && b->slot < capacity &&
		b->n_coa >= 1 && b->n_coa <= HAVEN_BINDING_MAX_COA &&
		b->last_ident == binding_sum(b);
}

static int
is_poisoned(const struct haven_binding *b)
{
	const uint8_t *p = (const uint8_t *)b;
	size_t i;

	for (i = 0; i < sizeof(*b); i++)
		if (p[i] != POISON)
			return 0;
	return 1;
}

/* Hold grace periods: the main lcore goes online as an RCU reader. */
static void
hold_grace(void)
{
	rte_rcu_qsbr_thread_register(qsbr, TEST_QS_ID);
	rte_rcu_qsbr_thread_online(qsbr, TEST_QS_ID);
}

static void
release_grace(void)
{
	rte_rcu_qsbr_thread_offline(qsbr, TEST_QS_ID);
	rte_rcu_qsbr_thread_unregister(qsbr, TEST_QS_ID);
}

/* ------------------------------------------------------------------ */
/* Semantics                                                           */
/* ------------------------------------------------------------------ */

static int
test_create_errors(void)
{
	struct haven_binding_table *a, *b;

	rte_errno = 0;
	TEST_ASSERT(haven_binding_table_create("e", 16, 1, NULL,
		SOCKET_ID_ANY, NULL, 0) == NULL, "NULL qsbr accepted");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "rte_errno");
	rte_errno = 0;
	TEST_ASSERT(haven_binding_table_create("e", 0, 1, qsbr,
		SOCKET_ID_ANY, NULL, 0) == NULL, "capacity 0 accepted");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "rte_errno");
	rte_errno = 0;
	TEST_ASSERT(haven_binding_table_create("a-name-too-long-16", 16, 1,
		qsbr, SOCKET_ID_ANY, NULL, 0) == NULL, "long name accepted");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "rte_errno");

	/* Longest name, and two tables side by side. */
	a = haven_binding_table_create("fifteen-chars-x", 16, 1, qsbr,
		SOCKET_ID_ANY, NULL, 0);
	TEST_ASSERT(a != NULL, "create a: %s", rte_strerror(rte_errno));
	b = haven_binding_table_create("other", 16, 1, qsbr, SOCKET_ID_ANY, NULL, 0);
	TEST_ASSERT(b != NULL, "create b: %s", rte_strerror(rte_errno));
	rte_errno = 0;
	TEST_ASSERT(haven_binding_table_create("other", 16, 1, qsbr,
		SOCKET_ID_ANY, NULL, 0) == NULL, "duplicate name accepted");
	TEST_ASSERT(rte_errno != 0, "rte_errno not set");
	haven_binding_table_free(a);
	haven_binding_table_free(b);
	haven_binding_table_free(NULL);
	return 0;
}

static int
test_insert_lookup_remove(void)
{
	struct haven_binding_table *t;
	const struct haven_binding *r;
	struct haven_binding b;
	unsigned int i;

	t = haven_binding_table_create("basic", 16, 1, qsbr, SOCKET_ID_ANY, NULL, 0);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));

	TEST_ASSERT(haven_binding_lookup(t, 0x0a000002) == NULL, "empty");
	TEST_ASSERT_EQUAL(haven_binding_count(t), 0, "count");
	TEST_ASSERT_EQUAL(haven_binding_remove(t, 0x0a000002), -ENOENT,
		"remove missing");

	make_binding(&b, 0x0a000002, 7);
	b.slot = 999;		/* assigned by the table */
	b.generation = 999;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish");
	TEST_ASSERT_EQUAL(haven_binding_count(t), 1, "count");
	r = haven_binding_lookup(t, 0x0a000002);
	TEST_ASSERT(r != NULL, "lookup");
	TEST_ASSERT(r != &b, "table must copy");
	TEST_ASSERT(record_ok(r, 0x0a000002, 16), "record contents");
	TEST_ASSERT_EQUAL(r->generation, 1, "first generation");
	TEST_ASSERT(r->slot < 16, "slot %u", r->slot);
	TEST_ASSERT(coa_ok(r, &b), "coa copied, outer_sum prepared");
	TEST_ASSERT_EQUAL(r->last_ident, b.last_ident, "control fields");
	TEST_ASSERT(haven_binding_lookup(t, 0x0a000003) == NULL, "other key");
	/* outer_sum for each encapsulation's protocol. */
	make_binding(&b, 0x0a000004, 3);	/* IP in IP */
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish ipip");
	TEST_ASSERT(coa_ok(haven_binding_lookup(t, 0x0a000004), &b), "ipip");
	make_binding(&b, 0x0a000004, 5);	/* GRE */
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish gre");
	TEST_ASSERT(coa_ok(haven_binding_lookup(t, 0x0a000004), &b), "gre");
	/* UDP (RFC 3519): protocol 17, the ports kept */
	make_binding(&b, 0x0a000004, 6);
	b.encap = HAVEN_ENCAP_UDP;
	b.udp_sport = HAVEN_BINDING_UDP_PORT;
	for (i = 0; i < b.n_coa; i++)
		b.coa[i].udp_port = (uint16_t)(40000 + i);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish udp");
	r = haven_binding_lookup(t, 0x0a000004);
	TEST_ASSERT(coa_ok(r, &b), "udp");
	TEST_ASSERT(r->udp_sport == 434 && r->coa[0].udp_port == 40000 &&
		r->coa[b.n_coa - 1].udp_port == 40000 + b.n_coa - 1, "ports");
	b.coa[b.n_coa - 1].udp_port = 0;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), -EINVAL,
		"a UDP tunnel to port 0");
	b.coa[b.n_coa - 1].udp_port = 1;
	b.udp_sport = 0;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), -EINVAL,
		"a UDP tunnel from port 0");
	TEST_ASSERT(haven_binding_lookup(t, 0x0a000004)->coa[0].udp_port ==
		40000, "refused: the record in force is unchanged");
	/* ports given with another encapsulation are not published */
	b.encap = HAVEN_ENCAP_IPIP;
	b.udp_sport = 434;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish ipip");
	r = haven_binding_lookup(t, 0x0a000004);
	TEST_ASSERT(r->udp_sport == 0 && r->coa[0].udp_port == 0,
		"no UDP ports on IP in IP");
	TEST_ASSERT_EQUAL(haven_binding_remove(t, 0x0a000004), 0, "remove");
	make_binding(&b, 0x0a000002, 7);

	b.n_coa = HAVEN_BINDING_MAX_COA + 1;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), -EINVAL, "n_coa");
	TEST_ASSERT_EQUAL(haven_binding_publish(t, NULL), -EINVAL, "NULL");
	make_binding(&b, 0, 7);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), -EINVAL, "0.0.0.0");
	TEST_ASSERT(haven_binding_lookup(t, 0) == NULL, "0.0.0.0 lookup");
	TEST_ASSERT_EQUAL(haven_binding_remove(t, 0), -ENOENT, "0.0.0.0");

	TEST_ASSERT_EQUAL(haven_binding_remove(t, 0x0a000002), 0, "remove");
	TEST_ASSERT(haven_binding_lookup(t, 0x0a000002) == NULL, "removed");
	TEST_ASSERT_EQUAL(haven_binding_count(t), 0, "count");
	TEST_ASSERT_EQUAL(haven_binding_remove(t, 0x0a000002), -ENOENT,
		"remove twice");

	/* Back again: a new binding, generation starts over. */
	make_binding(&b, 0x0a000002, 8);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "re-add");
	r = haven_binding_lookup(t, 0x0a000002);
	TEST_ASSERT(r != NULL && r->generation == 1, "re-added generation");
	haven_binding_table_free(t);
	return 0;
}

static int
test_replace(void)
{
	struct haven_binding_table *t;
	const struct haven_binding *r1, *r2, *r3;
	struct haven_binding_stats st;
	struct haven_binding b, copy1;
	uint32_t slot;

	t = haven_binding_table_create("replace", 16, 1, qsbr, SOCKET_ID_ANY, NULL, 0);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	make_binding(&b, 0x0a000010, 1);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish");
	/* Another key, so the replaced key's slot is not the only one. */
	make_binding(&b, 0x0a000011, 1);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish");
	r1 = haven_binding_lookup(t, 0x0a000010);
	TEST_ASSERT(r1 != NULL, "lookup");
	slot = r1->slot;
	copy1 = *r1;

	/* A reader holds r1: replacing must leave it intact. */
	hold_grace();
	make_binding(&b, 0x0a000010, 2);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "replace");
	r2 = haven_binding_lookup(t, 0x0a000010);
	TEST_ASSERT(r2 != NULL && r2 != r1, "new record");
	TEST_ASSERT(record_ok(r2, 0x0a000010, 16), "new contents");
	TEST_ASSERT_EQUAL(r2->slot, slot, "slot kept across replace");
	TEST_ASSERT_EQUAL(r2->generation, 2, "generation");
	TEST_ASSERT_EQUAL(r2->coa[0].addr, b.coa[0].addr, "new coa");
	TEST_ASSERT_EQUAL(haven_binding_count(t), 2, "count");

	make_binding(&b, 0x0a000010, 3);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "replace");
	r3 = haven_binding_lookup(t, 0x0a000010);
	TEST_ASSERT_EQUAL(r3->generation, 3, "generation");
	TEST_ASSERT_EQUAL(r3->slot, slot, "slot kept");

	haven_binding_reclaim(t);
	TEST_ASSERT_MEM(r1, &copy1, sizeof(copy1), "r1 freed during grace");
	haven_binding_stats_get(t, &st);
	TEST_ASSERT_EQUAL(st.pending, 2, "pending");
	TEST_ASSERT_EQUAL(st.replaces, 2, "replaces");
	TEST_ASSERT_EQUAL(st.reclaimed, 0, "reclaimed");

	/* The reader moves on: the old records go back, poisoned. */
	rte_rcu_qsbr_quiescent(qsbr, TEST_QS_ID);
	haven_binding_reclaim(t);
	haven_binding_stats_get(t, &st);
	TEST_ASSERT_EQUAL(st.pending, 0, "pending");
	TEST_ASSERT_EQUAL(st.reclaimed, 2, "reclaimed");
	TEST_ASSERT_EQUAL(st.records_free, st.records_total - 2, "free");
	TEST_ASSERT(is_poisoned(r1) && is_poisoned(r2), "poisoned");
	TEST_ASSERT(record_ok(r3, 0x0a000010, 16), "live one untouched");
	release_grace();
	haven_binding_table_free(t);
	return 0;
}

static int
test_full_and_slot_reuse(void)
{
	struct haven_binding_counters *row, sum;
	struct haven_binding_table *t;
	const struct haven_binding *r;
	struct haven_binding_stats st;
	struct haven_binding b;
	uint32_t i, slot, seen = 0;

	t = haven_binding_table_create("full", 4, 2, qsbr, SOCKET_ID_ANY, NULL, 0);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	for (i = 0; i < 4; i++) {
		make_binding(&b, 100 + i, i);
		TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "fill %u", i);
		r = haven_binding_lookup(t, 100 + i);
		TEST_ASSERT(r->slot < 4, "slot range");
		TEST_ASSERT((seen & (1u << r->slot)) == 0, "slot unique");
		seen |= 1u << r->slot;
	}
	make_binding(&b, 200, 0);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), -ENOSPC, "full");
	/* Replacing still works when full. */
	make_binding(&b, 101, 9);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "replace full");

	/* Count traffic on 102's slot in both rows. */
	slot = haven_binding_lookup(t, 102)->slot;
	haven_binding_counters_row(t, 0)[slot].pkts = 5;
	haven_binding_counters_row(t, 1)[slot].pkts = 7;
	haven_binding_counters_row(t, 1)[slot].bytes = 700;

	hold_grace();
	TEST_ASSERT_EQUAL(haven_binding_remove(t, 102), 0, "remove");
	TEST_ASSERT_EQUAL(haven_binding_count(t), 3, "count");
	/* Its slot is still in its grace period: no room yet. */
	make_binding(&b, 200, 0);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), -ENOSPC,
		"slot reused during grace");
	haven_binding_counters_sum(t, slot, &sum);
	TEST_ASSERT_EQUAL(sum.pkts, 12, "counters kept during grace");

	rte_rcu_qsbr_quiescent(qsbr, TEST_QS_ID);
	/* publish reclaims by itself when it runs out of slots. */
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "after grace");
	r = haven_binding_lookup(t, 200);
	TEST_ASSERT_EQUAL(r->slot, slot, "slot reused");
	haven_binding_counters_sum(t, slot, &sum);
	TEST_ASSERT(sum.pkts == 0 && sum.bytes == 0, "reused slot not zeroed");
	for (i = 0; i < 2; i++) {
		row = haven_binding_counters_row(t, i);
		TEST_ASSERT(row[slot].pkts == 0 && row[slot].bytes == 0 &&
			row[slot].rev_pkts == 0 && row[slot].rev_bytes == 0,
			"row %u not zeroed", i);
	}
	haven_binding_stats_get(t, &st);
	TEST_ASSERT_EQUAL(st.slots_free, 0, "slots");
	TEST_ASSERT_EQUAL(st.count, 4, "count");
	release_grace();
	haven_binding_table_free(t);
	return 0;
}

static int
test_counters(void)
{
	struct haven_binding_counters *rows[3], sum;
	struct haven_binding_table *t;
	unsigned int i;

	t = haven_binding_table_create("counters", 10, 3, qsbr,
		SOCKET_ID_ANY, NULL, 0);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	for (i = 0; i < 3; i++) {
		rows[i] = haven_binding_counters_row(t, i);
		TEST_ASSERT(rows[i] != NULL, "row %u", i);
		TEST_ASSERT(((uintptr_t)rows[i] % RTE_CACHE_LINE_SIZE) == 0,
			"row %u not cache aligned", i);
		if (i > 0)
			TEST_ASSERT(rows[i] >= rows[i - 1] + 10, "rows overlap");
	}
	TEST_ASSERT(haven_binding_counters_row(t, 3) == NULL, "bad reader");

	for (i = 0; i < 3; i++) {
		rows[i][9].pkts += i + 1;
		rows[i][9].bytes += 100 * (i + 1);
		rows[i][9].rev_pkts += 10;
		rows[i][9].rev_bytes += 1000;
		rows[i][8].pkts += 50;	/* the neighbour slot */
	}
	haven_binding_counters_sum(t, 9, &sum);
	TEST_ASSERT_EQUAL(sum.pkts, 6, "pkts");
	TEST_ASSERT_EQUAL(sum.bytes, 600, "bytes");
	TEST_ASSERT_EQUAL(sum.rev_pkts, 30, "rev_pkts");
	TEST_ASSERT_EQUAL(sum.rev_bytes, 3000, "rev_bytes");
	haven_binding_counters_sum(t, 8, &sum);
	TEST_ASSERT_EQUAL(sum.pkts, 150, "slot 8");
	haven_binding_counters_sum(t, 10, &sum);
	TEST_ASSERT_EQUAL(sum.pkts, 0, "bad slot");
	haven_binding_table_free(t);
	return 0;
}

struct walk_ctx {
	uint8_t seen[256];
	unsigned int calls;
	unsigned int stop_after;
	int bad;
};

static int
walk_cb(const struct haven_binding *b, void *arg)
{
	struct walk_ctx *w = arg;

	if (b->home_addr >= 256 || w->seen[b->home_addr]++ != 0 ||
			!record_ok(b, b->home_addr, 200))
		w->bad++;
	return ++w->calls == w->stop_after;
}

static int
test_walk_count(void)
{
	struct haven_binding_table *t;
	struct haven_binding b;
	struct walk_ctx w;
	unsigned int i;

	t = haven_binding_table_create("walk", 200, 1, qsbr, SOCKET_ID_ANY, NULL, 0);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	for (i = 1; i <= 100; i++) {
		make_binding(&b, i, i);
		TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish");
	}
	for (i = 10; i <= 100; i += 10)
		TEST_ASSERT_EQUAL(haven_binding_remove(t, i), 0, "remove");
	TEST_ASSERT_EQUAL(haven_binding_count(t), 90, "count");

	memset(&w, 0, sizeof(w));
	TEST_ASSERT_EQUAL(haven_binding_walk(t, walk_cb, &w), 90, "walk");
	TEST_ASSERT_EQUAL(w.bad, 0, "bad records in walk");
	for (i = 0; i <= 100; i++)
		TEST_ASSERT_EQUAL(w.seen[i], i % 10 == 0 ? 0 : 1, "key %u", i);

	memset(&w, 0, sizeof(w));
	w.stop_after = 10;
	TEST_ASSERT_EQUAL(haven_binding_walk(t, walk_cb, &w), 10, "stop");

	/* Once the grace period is over the count is the same. */
	haven_binding_reclaim(t);
	TEST_ASSERT_EQUAL(haven_binding_count(t), 90, "count");
	haven_binding_table_free(t);
	return 0;
}

static int
test_lookup_bulk(void)
{
	const struct haven_binding *out[100];
	struct haven_binding_table *t;
	struct haven_binding b;
	uint32_t keys[100];
	unsigned int i, expect;

	t = haven_binding_table_create("bulk", 128, 1, qsbr, SOCKET_ID_ANY, NULL, 0);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	/* Every third home address is present. */
	for (i = 0; i < 100; i += 3) {
		make_binding(&b, 0xc0a80000 + i, i);
		TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish");
	}
	for (i = 0; i < 100; i++)
		keys[i] = 0xc0a80000 + i;

	memset(out, 0x5a, sizeof(out));
	expect = (64 + 2) / 3;
	TEST_ASSERT_EQUAL(haven_binding_lookup_bulk(t, keys, 64, out), expect,
		"found of 64");
	for (i = 0; i < 64; i++) {
		if (i % 3 == 0)
			TEST_ASSERT(out[i] != NULL &&
				record_ok(out[i], keys[i], 128), "key %u", i);
		else
			TEST_ASSERT(out[i] == NULL, "missing key %u", i);
	}

	/* More than 64 keys are looked up in chunks. */
	expect = (100 + 2) / 3;
	TEST_ASSERT_EQUAL(haven_binding_lookup_bulk(t, keys, 100, out),
		expect, "found of 100");
	for (i = 0; i < 100; i++)
		TEST_ASSERT((out[i] != NULL) == (i % 3 == 0), "key %u", i);
	TEST_ASSERT_EQUAL(haven_binding_lookup_bulk(t, keys + 1, 1, out), 0,
		"single miss");
	TEST_ASSERT(out[0] == NULL, "single miss");
	keys[0] = 0;
	TEST_ASSERT_EQUAL(haven_binding_lookup_bulk(t, keys, 1, out), 0,
		"0.0.0.0");
	haven_binding_table_free(t);
	return 0;
}

static int
test_out_of_records(void)
{
	struct haven_binding_table *t;
	struct haven_binding_stats st;
	struct haven_binding b;
	unsigned int i, spare;
	int ret = 0;

	t = haven_binding_table_create("norec", 4, 1, qsbr, SOCKET_ID_ANY, NULL, 0);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	make_binding(&b, 1, 0);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish");
	haven_binding_stats_get(t, &st);
	spare = st.records_total - st.capacity;

	/* With a reader stuck, replacements use up the spare records. */
	hold_grace();
	for (i = 1; i <= st.records_total; i++) {
		make_binding(&b, 1, i);
		ret = haven_binding_publish(t, &b);
		if (ret != 0)
			break;
	}
	TEST_ASSERT_EQUAL(ret, -ENOMEM, "no record");
	/* Every spare record waits: the defer queue holds that many. */
	TEST_ASSERT_EQUAL(i - 1, spare, "replacements");
	TEST_ASSERT(record_ok(haven_binding_lookup(t, 1), 1, 4), "live");
	/* A new home address defers nothing: its capacity record is free. */
	make_binding(&b, 2, 0);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "insert");
	make_binding(&b, 3, 0);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "insert");
	make_binding(&b, 4, 0);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "insert");
	make_binding(&b, 4, 1);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), -ENOMEM, "replace");

	rte_rcu_qsbr_quiescent(qsbr, TEST_QS_ID);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "after grace");
	haven_binding_stats_get(t, &st);
	TEST_ASSERT_EQUAL(st.no_record, 2, "no_record");
	TEST_ASSERT_EQUAL(st.pending, 1, "pending: the one just replaced");
	release_grace();
	haven_binding_table_free(t);
	return 0;
}

/* Free with records still waiting: they are reclaimed, names reusable. */
static int
test_free_pending(void)
{
	struct haven_binding_table *t;
	struct haven_binding b;
	unsigned int round, i;

	for (round = 0; round < 3; round++) {
		t = haven_binding_table_create("freepend", 64, 1, qsbr,
			SOCKET_ID_ANY, NULL, 0);
		TEST_ASSERT(t != NULL, "create %u: %s", round,
			rte_strerror(rte_errno));
		hold_grace();
		for (i = 1; i <= 64; i++) {
			make_binding(&b, i, i);
			TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0,
				"publish");
			make_binding(&b, i, i + 1);
			TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0,
				"replace");
			if (i % 2)
				TEST_ASSERT_EQUAL(haven_binding_remove(t, i),
					0, "remove");
		}
		/* Readers stopped and offline, as the header asks. */
		release_grace();
		haven_binding_table_free(t);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The index: direct prefixes, the fallback, cells                     */
/* ------------------------------------------------------------------ */


static struct haven_binding_prefix
pfx4(uint32_t a, uint8_t len)
{
	struct haven_binding_prefix p = { .addr = haven_addr4(a), .len = len };

	return p;
}

/* A binding with one care-of address, intercepted, IP in IP. */
static void
simple_binding(struct haven_binding *b, uint32_t home, uint32_t coa,
		uint16_t neigh)
{
	memset(b, 0, sizeof(*b));
	b->home_addr = home;
	b->outer_src = A4(192, 0, 2, 1);
	b->encap = HAVEN_ENCAP_IPIP;
	b->flags = HAVEN_BINDING_F_INTERCEPT;
	b->n_coa = 1;
	b->coa[0].addr = coa;
	b->coa[0].next_hop = coa;
	b->coa[0].neigh = neigh;
	b->coa[0].port = 1;
}

static int
test_prefixes(void)
{
	struct haven_binding_prefix p[HAVEN_BINDING_MAX_PREFIXES + 1];
	const struct haven_binding_view *v;
	struct haven_binding_table *t;
	struct haven_binding_stats st;
	struct haven_binding b;
	unsigned int i;
	uint8_t six[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	/* Refused: another family, a length past 32, overlaps, too many. */
	p[0].addr = haven_addr6(six);
	p[0].len = 64;
	rte_errno = 0;
	TEST_ASSERT(haven_binding_table_create("pf", 16, 1, qsbr,
		SOCKET_ID_ANY, p, 1) == NULL, "IPv6 prefix in an IPv4 table");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "rte_errno");
	p[0] = pfx4(A4(10, 0, 0, 0), 33);
	TEST_ASSERT(haven_binding_table_create("pf", 16, 1, qsbr,
		SOCKET_ID_ANY, p, 1) == NULL, "/33");
	p[0] = pfx4(A4(10, 0, 0, 0), 8);
	p[1] = pfx4(A4(10, 1, 2, 0), 24);
	TEST_ASSERT(haven_binding_table_create("pf", 16, 1, qsbr,
		SOCKET_ID_ANY, p, 2) == NULL, "overlapping prefixes");
	for (i = 0; i <= HAVEN_BINDING_MAX_PREFIXES; i++)
		p[i] = pfx4(A4(10, i, 0, 0), 24);
	TEST_ASSERT(haven_binding_table_create("pf", 16, 1, qsbr,
		SOCKET_ID_ANY, p, HAVEN_BINDING_MAX_PREFIXES + 1) == NULL,
		"too many prefixes");
	TEST_ASSERT(haven_binding_table_create("pf", 16, 1, qsbr,
		SOCKET_ID_ANY, NULL, 1) == NULL, "NULL prefixes");

	/*
	 * Two small prefixes are indexed directly (host bits ignored), a
	 * /12 is too large for 64 bindings: its addresses are hashed.
	 */
	p[0] = pfx4(A4(192, 0, 2, 77), 24);
	p[1] = pfx4(A4(198, 51, 100, 0), 24);
	p[2] = pfx4(A4(172, 16, 0, 0), 12);
	t = haven_binding_table_create("pf", 64, 1, qsbr, SOCKET_ID_ANY, p, 3);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	haven_binding_stats_get(t, &st);
	TEST_ASSERT_EQUAL(st.n_direct, 2, "direct prefixes");
	v = haven_binding_view4(t);
	simple_binding(&b, A4(192, 0, 2, 0), A4(203, 0, 113, 1), 1);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "first address");
	b.home_addr = A4(192, 0, 2, 255);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "last address");
	b.home_addr = A4(198, 51, 100, 7);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "second prefix");
	b.home_addr = A4(172, 16, 3, 4);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "hashed prefix");
	b.home_addr = A4(192, 0, 3, 0);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "outside");
	haven_binding_stats_get(t, &st);
	TEST_ASSERT_EQUAL(st.direct, 3, "bindings indexed directly");
	TEST_ASSERT_EQUAL(st.fallback, 2, "bindings in the fallback");
	/* A direct cell is where the offset says. */
	TEST_ASSERT(haven_binding_direct4(v, A4(192, 0, 2, 255)) ==
		(void *)(v->direct[0].cells + (255u << v->cell_shift)),
		"offset 255 of the first prefix");
	TEST_ASSERT(haven_binding_direct4(v, A4(198, 51, 100, 7)) ==
		(void *)(v->direct[1].cells + (7u << v->cell_shift)),
		"offset 7 of the second");
	TEST_ASSERT(haven_binding_direct4(v, A4(172, 16, 3, 4)) == NULL &&
		haven_binding_fb_find4(v, A4(172, 16, 3, 4)) != NULL,
		"hashed prefix: fallback");
	TEST_ASSERT(haven_binding_direct4(v, A4(192, 0, 3, 0)) == NULL &&
		haven_binding_find4(v, A4(192, 0, 3, 0)) != NULL, "outside");
	TEST_ASSERT(haven_binding_find4(v, A4(192, 0, 3, 1)) == NULL,
		"never bound, outside");
	for (i = 0; i < 5; i++) {
		static const uint32_t homes[] = {
			A4(192, 0, 2, 0), A4(192, 0, 2, 255),
			A4(198, 51, 100, 7), A4(172, 16, 3, 4),
			A4(192, 0, 3, 0),
		};
		const struct haven_binding *r =
			haven_binding_lookup(t, homes[i]);

		TEST_ASSERT(r != NULL && r->home_addr == homes[i],
			"lookup %u", i);
	}
	TEST_ASSERT(haven_binding_lookup(t, A4(192, 0, 2, 1)) == NULL,
		"unbound address of a direct prefix");
	haven_binding_table_free(t);
	return 0;
}

static int
count_cb(const struct haven_binding *b, void *arg)
{
	RTE_SET_USED(b);
	RTE_SET_USED(arg);
	return 0;
}

/* Every address of a direct prefix, then the same through the fallback. */
static int
test_dense_and_fallback(void)
{
	struct haven_binding_prefix p = pfx4(A4(10, 1, 0, 0), 24);
	const struct haven_binding_view *v;
	struct haven_binding_table *t;
	const struct haven_binding *r;
	struct haven_binding_stats st;
	struct haven_binding b;
	unsigned int mode, i;
	uint32_t home;

	for (mode = 0; mode < 2; mode++) {
		t = haven_binding_table_create("dense", 256, 1, qsbr,
			SOCKET_ID_ANY, mode == 0 ? &p : NULL, mode == 0);
		TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
		v = haven_binding_view4(t);
		for (i = 0; i < 256; i++) {
			home = A4(10, 1, 0, i);
			make_binding(&b, home, i);
			TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0,
				"publish %u", i);
		}
		haven_binding_stats_get(t, &st);
		TEST_ASSERT_EQUAL(st.direct, mode == 0 ? 256 : 0, "direct");
		TEST_ASSERT_EQUAL(st.fallback, mode == 0 ? 0 : 256, "fallback");
		make_binding(&b, A4(10, 1, 1, 0), 1);
		TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), -ENOSPC,
			"full");
		for (i = 0; i < 256; i++) {
			struct haven_binding_cell4 *c;
			struct haven_binding_tun tun;

			home = A4(10, 1, 0, i);
			r = haven_binding_lookup(t, home);
			TEST_ASSERT(r != NULL && record_ok(r, home, 256),
				"lookup %u", i);
			c = haven_binding_find4(v, home);
			TEST_ASSERT(c != NULL, "cell %u", i);
			haven_binding_cell4_read(c, &tun);
			TEST_ASSERT(haven_binding_rec(v, tun.rec) == r &&
				tun.slot == r->slot, "cell names record %u", i);
		}
		/* Every other one removed, then back with other contents. */
		for (i = 0; i < 256; i += 2)
			TEST_ASSERT_EQUAL(haven_binding_remove(t,
				A4(10, 1, 0, i)), 0, "remove %u", i);
		for (i = 0; i < 256; i++)
			TEST_ASSERT_EQUAL(haven_binding_lookup(t,
				A4(10, 1, 0, i)) != NULL, i % 2, "after %u", i);
		haven_binding_reclaim(t);
		for (i = 0; i < 256; i += 2) {
			make_binding(&b, A4(10, 1, 0, i), 1000 + i);
			TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0,
				"again %u", i);
			r = haven_binding_lookup(t, A4(10, 1, 0, i));
			TEST_ASSERT(r != NULL && r->lifetime == (uint16_t)
				(1000 + i) && r->generation == 1, "new %u", i);
		}
		haven_binding_stats_get(t, &st);
		TEST_ASSERT_EQUAL(st.count, 256, "count");
		haven_binding_table_free(t);
	}
	return 0;
}

/*
 * The fallback under churn: new addresses in, old ones out, far more
 * than its index holds, so that removed entries pile up and the index is
 * rebuilt; nothing is lost or found twice on the way.
 */
static int
test_fallback_churn(void)
{
	enum { CAP = 64, KEYS = 4096, OPS = 20000 };
	static uint8_t present[KEYS];
	struct haven_binding_table *t;
	const struct haven_binding *r;
	struct haven_binding_stats st;
	struct haven_binding b;
	uint64_t seed = 77;
	unsigned int i, n = 0, ops;
	uint32_t k;

	memset(present, 0, sizeof(present));
	t = haven_binding_table_create("fbchurn", CAP, 1, qsbr, SOCKET_ID_ANY,
		NULL, 0);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	for (ops = 0; ops < OPS; ops++) {
		k = (uint32_t)(xorshift(&seed) % KEYS);
		if (present[k]) {
			TEST_ASSERT_EQUAL(haven_binding_remove(t,
				A4(100, 64, k >> 8, k)), 0, "remove %u", k);
			present[k] = 0;
			n--;
		} else if (n < CAP) {
			make_binding(&b, A4(100, 64, k >> 8, k), k);
			TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0,
				"publish %u at op %u", k, ops);
			present[k] = 1;
			n++;
		}
		if (ops % 16 == 0)
			haven_binding_reclaim(t);
	}
	for (k = 0; k < KEYS; k++) {
		r = haven_binding_lookup(t, A4(100, 64, k >> 8, k));
		TEST_ASSERT_EQUAL(r != NULL, present[k], "key %u", k);
		if (r != NULL)
			TEST_ASSERT(record_ok(r, A4(100, 64, k >> 8, k), CAP),
				"record %u", k);
	}
	haven_binding_stats_get(t, &st);
	TEST_ASSERT_EQUAL(st.count, n, "count");
	TEST_ASSERT(st.fb_rebuilds > 0, "the index was never rebuilt");
	for (i = 0, n = 0; i < KEYS; i++)
		n += present[i];
	TEST_ASSERT_EQUAL(haven_binding_walk(t, count_cb, NULL), n, "walk");
	haven_binding_table_free(t);
	return 0;
}

/* What a cell holds inline, for each kind of binding. */
static int
test_inline_tunnel(void)
{
	struct haven_binding_prefix p = pfx4(A4(10, 2, 0, 0), 22);
	const struct haven_binding_view *v;
	struct haven_binding_cell4 *c;
	struct haven_binding_tun tun;
	struct haven_binding_table *t;
	struct haven_binding b;
	uint32_t home = A4(10, 2, 0, 9), h;
	unsigned int i;

	t = haven_binding_table_create("inline", 300, 2, qsbr, SOCKET_ID_ANY,
		&p, 1);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	v = haven_binding_view4(t);
	/* Header and two lanes (48 bytes) in one line. */
	TEST_ASSERT_EQUAL(1u << v->cell_shift, 64, "cell size");

	simple_binding(&b, home, A4(203, 0, 113, 5), 42);
	b.flags |= HAVEN_BINDING_F_REVERSE_TUNNEL;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "ipip");
	c = haven_binding_find4(v, home);
	TEST_ASSERT(c != NULL, "cell");
	haven_binding_cell4_read(c, &tun);
	TEST_ASSERT_EQUAL(tun.kind, HAVEN_TUN_IPIP, "kind");
	TEST_ASSERT_EQUAL(tun.coa, A4(203, 0, 113, 5), "coa");
	TEST_ASSERT_EQUAL(tun.neigh, 42, "neigh");
	TEST_ASSERT_EQUAL(tun.port, 1, "port");
	TEST_ASSERT_EQUAL(tun.rev, 1, "reverse tunnelling");
	TEST_ASSERT_EQUAL(v->osrc4[tun.osrc].addr, b.outer_src, "outer src");
	h = rte_be_to_cpu_32(b.outer_src);
	TEST_ASSERT_EQUAL(v->osrc4[tun.osrc].sum, (h >> 16) + (h & 0xffff),
		"outer source sum");

	b.encap = HAVEN_ENCAP_GRE;
	b.flags = HAVEN_BINDING_F_INTERCEPT;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "gre");
	TEST_ASSERT(haven_binding_find4(v, home) == c, "same cell");
	haven_binding_cell4_read(c, &tun);
	TEST_ASSERT(tun.kind == HAVEN_TUN_GRE && tun.rev == 0, "gre kind");
	TEST_ASSERT_EQUAL(v->n_slow, 0, "no slow cell yet");

	/* What the fast path does not prepare: read the record. */
	b.encap = HAVEN_ENCAP_MINIMAL;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "minimal");
	haven_binding_cell4_read(c, &tun);
	TEST_ASSERT_EQUAL(tun.kind, HAVEN_TUN_SLOW, "minimal: slow");
	/* IP in UDP (RFC 3519): the NAT's port has no room in the cell. */
	simple_binding(&b, home, A4(203, 0, 113, 5), 42);
	b.encap = HAVEN_ENCAP_UDP;
	b.udp_sport = HAVEN_BINDING_UDP_PORT;
	b.coa[0].udp_port = 40001;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "udp");
	haven_binding_cell4_read(c, &tun);
	TEST_ASSERT_EQUAL(tun.kind, HAVEN_TUN_SLOW, "udp: slow");
	TEST_ASSERT_EQUAL(v->n_slow, 1, "slow cells: the one, counted once");
	/* A second home address, slow, then inline, then gone. */
	simple_binding(&b, A4(10, 2, 0, 10), A4(203, 0, 113, 5), 42);
	b.n_coa = 2;
	b.coa[1] = b.coa[0];
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "second, slow");
	TEST_ASSERT_EQUAL(v->n_slow, 2, "slow cells: two");
	b.n_coa = 1;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "second, ipip");
	TEST_ASSERT_EQUAL(v->n_slow, 1, "slow cells: back to one");
	b.n_coa = 2;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "second, slow");
	TEST_ASSERT_EQUAL(haven_binding_remove(t, b.home_addr), 0, "remove");
	TEST_ASSERT_EQUAL(v->n_slow, 1, "slow cells: removed one gone");
	simple_binding(&b, home, A4(203, 0, 113, 5), 42);
	b.n_coa = 2;
	b.coa[1] = b.coa[0];
	b.coa[1].addr = A4(203, 0, 113, 6);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "two coa");
	haven_binding_cell4_read(c, &tun);
	TEST_ASSERT_EQUAL(tun.kind, HAVEN_TUN_SLOW, "S flag: slow");
	simple_binding(&b, home, A4(203, 0, 113, 5), 42);
	b.flags = 0;
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "not ours");
	haven_binding_cell4_read(c, &tun);
	TEST_ASSERT_EQUAL(tun.kind, HAVEN_TUN_SLOW, "not intercepted: slow");
	simple_binding(&b, home, A4(203, 0, 113, 5),
		HAVEN_BINDING_CELL_NEIGH_MAX);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "big neigh");
	haven_binding_cell4_read(c, &tun);
	TEST_ASSERT_EQUAL(tun.kind, HAVEN_TUN_SLOW, "neighbour too big: slow");
	TEST_ASSERT(tun.rec != 0 && haven_binding_rec(v, tun.rec) ==
		haven_binding_lookup(t, home), "slow cell names the record");

	/*
	 * Outer sources: 256 kept inline (192.0.2.1 is one already), then
	 * the record is read.
	 */
	for (i = 0; i < 260; i++) {
		uint32_t ha = A4(10, 2, 2 + (i >> 8), i);

		simple_binding(&b, ha, A4(203, 0, 113, 5), 1);
		b.outer_src = A4(192, 0, 2 + (i >> 8), i);
		TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "osrc %u",
			i);
		haven_binding_cell4_read(haven_binding_find4(v, ha), &tun);
		if (i < 256)
			TEST_ASSERT(tun.kind == HAVEN_TUN_IPIP &&
				v->osrc4[tun.osrc].addr == b.outer_src,
				"outer source %u inline", i);
		else
			TEST_ASSERT_EQUAL(tun.kind, HAVEN_TUN_SLOW,
				"outer source %u: table full", i);
	}
	haven_binding_table_free(t);
	return 0;
}

/*
 * The reader's side of a cell's sequence word: a cell caught while the
 * writer rewrites it (BUSY) reads as "use the record", and the record it
 * names is whole.
 */
static int
test_cell_busy(void)
{
	struct haven_binding_prefix p = pfx4(A4(10, 3, 0, 0), 24);
	const struct haven_binding_view *v;
	struct haven_binding_cell4 *c;
	struct haven_binding_tun tun;
	struct haven_binding_table *t;
	struct haven_binding b;
	uint32_t home = A4(10, 3, 0, 1), word;

	t = haven_binding_table_create("busy", 16, 1, qsbr, SOCKET_ID_ANY,
		&p, 1);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	v = haven_binding_view4(t);
	simple_binding(&b, home, A4(203, 0, 113, 9), 3);
	TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish");
	c = haven_binding_find4(v, home);
	word = c->rec;
	TEST_ASSERT((word & HAVEN_BINDING_CELL_BUSY) == 0, "quiet cell");
	c->rec = word | HAVEN_BINDING_CELL_BUSY;	/* the writer, inside */
	haven_binding_cell4_read(c, &tun);
	TEST_ASSERT_EQUAL(tun.kind, HAVEN_TUN_SLOW, "busy: slow");
	TEST_ASSERT_EQUAL(tun.rec, word, "busy: still names the record");
	TEST_ASSERT(haven_binding_rec(v, tun.rec) ==
		haven_binding_lookup(t, home), "the record");
	TEST_ASSERT(haven_binding_lookup(t, home) != NULL &&
		haven_binding_lookup(t, home)->coa[0].addr ==
		A4(203, 0, 113, 9), "lookup while busy");
	c->rec = word;
	haven_binding_cell4_read(c, &tun);
	TEST_ASSERT(tun.kind == HAVEN_TUN_IPIP && tun.rec == word, "quiet");
	haven_binding_table_free(t);
	return 0;
}

/*
 * A care-of change while a reader holds the old version: the cell stays,
 * its inline tunnel changes at once, the old record lives until the
 * reader's quiescent report; the counters (the reader's lane in the cell,
 * its row) are the binding's before and after. Direct and fallback.
 */
static int
test_replace_counters(void)
{
	struct haven_binding_prefix p = pfx4(A4(10, 4, 0, 0), 24);
	struct haven_binding_counters sum, *row;
	const struct haven_binding_view *v;
	const struct haven_binding *r1, *r2;
	struct haven_binding_cell4 *c;
	struct haven_binding_lane *lane;
	struct haven_binding_tun tun;
	struct haven_binding_table *t;
	struct haven_binding b, copy;
	static const uint32_t homes[] = { A4(10, 4, 0, 8), A4(10, 5, 0, 8) };
	unsigned int i;
	uint32_t slot;

	t = haven_binding_table_create("rcu", 16, 2, qsbr, SOCKET_ID_ANY,
		&p, 1);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	v = haven_binding_view4(t);
	for (i = 0; i < RTE_DIM(homes); i++) {
		simple_binding(&b, homes[i], A4(203, 0, 113, 1), 1);
		TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "publish");
		c = haven_binding_find4(v, homes[i]);
		TEST_ASSERT(c != NULL, "cell");
		TEST_ASSERT_EQUAL(haven_binding_direct4(v, homes[i]) != NULL,
			i == 0, "direct or fallback");
		haven_binding_cell4_read(c, &tun);
		slot = tun.slot;
		r1 = haven_binding_rec(v, tun.rec);
		copy = *r1;
		/* Traffic, as workers 0 and 1 count it. */
		lane = haven_binding_lane(c, haven_binding_lane_off4(0));
		lane->pkts += 5;
		lane->bytes += 500;
		lane = haven_binding_lane(c, haven_binding_lane_off4(1));
		lane->pkts += 2;
		lane->bytes += 200;
		row = haven_binding_counters_row(t, 1);
		row[slot].rev_pkts += 3;
		row[slot].rev_bytes += 300;

		/* A reader holds r1 while the care-of address changes. */
		hold_grace();
		simple_binding(&b, homes[i], A4(203, 0, 113, 2), 2);
		TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "new coa");
		TEST_ASSERT(haven_binding_find4(v, homes[i]) == c,
			"the cell moved");
		haven_binding_cell4_read(c, &tun);
		TEST_ASSERT(tun.kind == HAVEN_TUN_IPIP &&
			tun.coa == A4(203, 0, 113, 2) && tun.neigh == 2 &&
			tun.slot == slot, "new tunnel inline");
		r2 = haven_binding_rec(v, tun.rec);
		TEST_ASSERT(r2 != r1 && r2->generation == 2 &&
			r2 == haven_binding_lookup(t, homes[i]), "new record");
		haven_binding_reclaim(t);
		TEST_ASSERT(memcmp(r1, &copy, sizeof(copy)) == 0,
			"old record changed inside its grace period");
		haven_binding_counters_sum(t, slot, &sum);
		TEST_ASSERT(sum.pkts == 7 && sum.bytes == 700 &&
			sum.rev_pkts == 3 && sum.rev_bytes == 300,
			"counters across the care-of change");
		/* Workers go on counting in the same place. */
		lane = haven_binding_lane(c, haven_binding_lane_off4(0));
		lane->pkts++;
		lane->bytes += 100;
		release_grace();
		haven_binding_reclaim(t);
		TEST_ASSERT(is_poisoned(r1), "old record freed after grace");

		/* Two care-of addresses (S): still the same counters. */
		b.n_coa = 2;
		b.coa[1] = b.coa[0];
		b.coa[1].addr = A4(203, 0, 113, 3);
		TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "S");
		haven_binding_counters_sum(t, slot, &sum);
		TEST_ASSERT(sum.pkts == 8 && sum.bytes == 800, "after S");

		/* Removed: counted until reclaimed, zero when it returns. */
		hold_grace();
		TEST_ASSERT_EQUAL(haven_binding_remove(t, homes[i]), 0,
			"remove");
		haven_binding_reclaim(t);
		haven_binding_counters_sum(t, slot, &sum);
		TEST_ASSERT_EQUAL(sum.pkts, 8, "counted during grace");
		release_grace();
		haven_binding_reclaim(t);
		simple_binding(&b, homes[i], A4(203, 0, 113, 1), 1);
		TEST_ASSERT_EQUAL(haven_binding_publish(t, &b), 0, "back");
		c = haven_binding_find4(v, homes[i]);
		haven_binding_cell4_read(c, &tun);
		haven_binding_counters_sum(t, tun.slot, &sum);
		TEST_ASSERT(sum.pkts == 0 && sum.bytes == 0 &&
			sum.rev_pkts == 0, "a new binding starts from zero");
	}
	haven_binding_table_free(t);
	return 0;
}

/*
 * The sequence word under fire: the writer flips one binding between two
 * care-of addresses, each with its own neighbour, as fast as it can; a
 * reader lcore reads the cell in a tight loop. A snapshot must never mix
 * the two (or name a freed record).
 */
struct flip {
	struct haven_binding_table *t;
	volatile int stop;
	uint64_t reads, inline_reads, torn;
};

static int
flip_reader(void *arg)
{
	struct flip *f = arg;
	const struct haven_binding_view *v = haven_binding_view4(f->t);
	const uint32_t home = A4(10, 6, 0, 1);
	const struct haven_binding *b;
	struct haven_binding_cell4 *c;
	struct haven_binding_tun tun;

	rte_rcu_qsbr_thread_online(qsbr, 0);
	while (!f->stop) {
		c = haven_binding_find4(v, home);
		haven_binding_cell4_read(c, &tun);
		f->reads++;
		if (tun.kind != HAVEN_TUN_SLOW) {
			f->inline_reads++;
			if (!((tun.coa == A4(203, 0, 113, 1) &&
			       tun.neigh == 1) ||
			      (tun.coa == A4(203, 0, 113, 2) &&
			       tun.neigh == 2)))
				f->torn++;
		}
		b = haven_binding_rec(v, tun.rec);
		if (b->generation == POISON32 || b->home_addr != home)
			f->torn++;
		if ((f->reads & 63) == 0)
			rte_rcu_qsbr_quiescent(qsbr, 0);
	}
	rte_rcu_qsbr_thread_offline(qsbr, 0);
	return 0;
}

static int
test_seqlock_flip(void)
{
	struct haven_binding_prefix p = {
		.addr = haven_addr4(A4(10, 6, 0, 0)), .len = 24,
	};
	static struct flip f;
	struct haven_binding b;
	unsigned int lcore;
	uint64_t end, flips = 0;
	int rc;

	memset(&f, 0, sizeof(f));
	f.t = haven_binding_table_create("flip", 16, 1, qsbr, SOCKET_ID_ANY,
		&p, 1);
	TEST_ASSERT(f.t != NULL, "create: %s", rte_strerror(rte_errno));
	simple_binding(&b, A4(10, 6, 0, 1), A4(203, 0, 113, 1), 1);
	TEST_ASSERT_EQUAL(haven_binding_publish(f.t, &b), 0, "publish");
	lcore = rte_get_next_lcore(-1, 1, 0);
	TEST_ASSERT_EQUAL(rte_rcu_qsbr_thread_register(qsbr, 0), 0, "reg");
	TEST_ASSERT_EQUAL(rte_eal_remote_launch(flip_reader, &f, lcore), 0,
		"launch");
	end = rte_get_timer_cycles() + rte_get_timer_hz() / 2;
	while (rte_get_timer_cycles() < end) {
		simple_binding(&b, A4(10, 6, 0, 1),
			A4(203, 0, 113, 1 + flips % 2), 1 + flips % 2);
		rc = haven_binding_publish(f.t, &b);
		if (rc == -ENOMEM) {
			haven_binding_reclaim(f.t);
			continue;
		}
		TEST_ASSERT_EQUAL(rc, 0, "flip");
		flips++;
	}
	f.stop = 1;
	rte_eal_wait_lcore(lcore);
	rte_rcu_qsbr_thread_unregister(qsbr, 0);
	printf("  %" PRIu64 " flips, %" PRIu64 " reads (%" PRIu64
		" inline), %" PRIu64 " torn\n", flips, f.reads,
		f.inline_reads, f.torn);
	TEST_ASSERT(flips > 100 && f.inline_reads > 100, "too little");
	TEST_ASSERT_EQUAL(f.torn, 0, "torn snapshots");
	haven_binding_table_free(f.t);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Concurrency                                                         */
/* ------------------------------------------------------------------ */

/*
 * One table family as the run drives it: keys are the integers
 * 1..STRESS_KEYS, which each family maps to a home address; a record's
 * "tag" identifies the care-of address the writer published last.
 */
struct family {
	const char *name;
	void *(*create)(const char *name, uint32_t capacity);
	void (*destroy)(void *t);
	int (*publish)(void *t, uint32_t key, uint64_t seed, uint64_t *tag);
	int (*remove)(void *t, uint32_t key);
	void (*reclaim)(void *t);
	void (*stats)(void *t, struct haven_binding_stats *st);
	uint32_t (*count)(void *t);
	const void *(*lookup)(void *t, uint32_t key);
	/* NULL when the family has no bulk lookup. */
	void (*lookup_bulk)(void *t, const uint32_t *keys, unsigned int n,
			const void **out);
	/* Whole, alive and for key: 1, with its slot and tag. */
	int (*record_ok)(const void *r, uint32_t key, uint32_t *slot,
			uint64_t *tag);
	struct haven_binding_counters *(*row)(void *t, unsigned int id);
	/*
	 * As a worker: key's cell read under its sequence word agrees with
	 * the record it names, which is alive; counted in lane id. 1 if so.
	 */
	int (*cell_ok)(void *t, uint32_t key, unsigned int id);
};

struct stress {
	const struct family *f;
	void *t;
	volatile int stop;
	uint64_t lookups[N_READERS];
	uint64_t hits[N_READERS];
	uint64_t errors[N_READERS];
	char first_error[N_READERS][128];
};

struct reader_arg {
	struct stress *s;
	unsigned int id;
};

/* Records one reader holds within one iteration, rechecked at its end. */
#define HELD_MAX	8

static void
reader_error(struct stress *s, unsigned int id, const char *what,
		uint32_t key)
{
	if (s->errors[id]++ == 0)
		snprintf(s->first_error[id], sizeof(s->first_error[id]),
			"%s %s: key %u", s->f->name, what, key);
}

static int
reader_main(void *arg)
{
	struct reader_arg *ra = arg;
	struct stress *s = ra->s;
	const struct family *f = s->f;
	const unsigned int id = ra->id;
	const void *held[HELD_MAX], *bulk[64];
	struct haven_binding_counters *row;
	uint32_t held_key[HELD_MAX], keys[64], slot;
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (id + 1), iter = 0, tag;
	unsigned int i, n_held;

	row = f->row(s->t, id);
	rte_rcu_qsbr_thread_online(qsbr, id);
	while (!s->stop) {
		/* Single lookups; keep what we find until quiescent. */
		n_held = 0;
		for (i = 0; i < HELD_MAX; i++) {
			uint32_t key = 1 + xorshift(&seed) % STRESS_KEYS;
			const void *r;

			r = f->lookup(s->t, key);
			s->lookups[id]++;
			if (r == NULL)
				continue;
			s->hits[id]++;
			if (!f->record_ok(r, key, &slot, &tag)) {
				reader_error(s, id, "torn or freed", key);
				continue;
			}
			row[slot].pkts++;
			row[slot].bytes += 100;
			if (!f->cell_ok(s->t, key, id))
				reader_error(s, id, "torn cell", key);
			held[n_held] = r;
			held_key[n_held++] = key;
		}

		/* A burst's worth through the bulk path. */
		memset(bulk, 0, sizeof(bulk));
		if (f->lookup_bulk != NULL) {
			for (i = 0; i < 64; i++)
				keys[i] = 1 + xorshift(&seed) % STRESS_KEYS;
			f->lookup_bulk(s->t, keys, 64, bulk);
			s->lookups[id] += 64;
		}
		for (i = 0; i < 64; i++) {
			if (bulk[i] == NULL)
				continue;
			s->hits[id]++;
			if (!f->record_ok(bulk[i], keys[i], &slot, &tag))
				reader_error(s, id, "bulk torn or freed",
					keys[i]);
		}

		/* Nothing we hold may have been freed or reused yet. */
		for (i = 0; i < n_held; i++)
			if (!f->record_ok(held[i], held_key[i], &slot, &tag))
				reader_error(s, id, "freed before quiescent",
					held_key[i]);
		for (i = 0; i < 64; i++)
			if (bulk[i] != NULL &&
			    !f->record_ok(bulk[i], keys[i], &slot, &tag))
				reader_error(s, id, "bulk freed early",
					keys[i]);

		rte_rcu_qsbr_quiescent(qsbr, id);

		/* Now and then idle as the adaptive policy would. */
		if (++iter % 4096 == 0) {
			rte_rcu_qsbr_thread_offline(qsbr, id);
			rte_delay_us_sleep(50);
			rte_rcu_qsbr_thread_online(qsbr, id);
		}
	}
	rte_rcu_qsbr_thread_offline(qsbr, id);
	return 0;
}

/* Statistics the writer keeps for the report. */
struct writer_stats {
	uint64_t ops;
	uint64_t enomem;
	uint64_t enospc;
};

/*
 * The writer side of the run: random publishes (new home addresses and
 * new care-of addresses for present ones) and removes, checking its own
 * view against a shadow copy.
 */
static int
stress_writer(struct stress *s, uint8_t *present, uint64_t *shadow_tag,
		uint64_t *seed, struct writer_stats *w)
{
	const struct family *f = s->f;
	uint64_t end, tag, rtag;
	uint32_t slot;
	const void *r;
	int ret;

	end = rte_get_timer_cycles() +
		(uint64_t)(STRESS_SECONDS * rte_get_timer_hz());
	while (rte_get_timer_cycles() < end) {
		uint64_t x = xorshift(seed);
		uint32_t key = 1 + (x >> 8) % STRESS_KEYS;

		w->ops++;
		if (present[key] && x % 4 == 0) {
			TEST_ASSERT_EQUAL(f->remove(s->t, key), 0,
				"remove %u", key);
			present[key] = 0;
		} else {
			ret = f->publish(s->t, key, x >> 20, &tag);
			if (ret == -ENOMEM) {
				w->enomem++;
			} else if (ret == -ENOSPC) {
				/* slots of removed keys still in grace */
				TEST_ASSERT(!present[key], "ENOSPC on replace");
				w->enospc++;
			} else {
				TEST_ASSERT_EQUAL(ret, 0, "publish %u", key);
				present[key] = 1;
				shadow_tag[key] = tag;
			}
		}
		/* The writer's own view must match what it published. */
		r = f->lookup(s->t, key);
		TEST_ASSERT_EQUAL(r != NULL, present[key], "presence %u op %"
			PRIu64, key, w->ops);
		if (r != NULL)
			TEST_ASSERT(f->record_ok(r, key, &slot, &rtag) &&
				rtag == shadow_tag[key], "writer view %u", key);
		if (w->ops % 64 == 0)
			f->reclaim(s->t);
		if (w->ops % 1024 == 0)
			rte_pause();
	}
	return 0;
}

static int
stress_run(const struct family *f)
{
	static struct stress s;
	struct reader_arg ra[N_READERS];
	struct haven_binding_stats st;
	struct writer_stats w = { 0 };
	uint8_t present[STRESS_KEYS + 1];	/* by key */
	uint64_t shadow_tag[STRESS_KEYS + 1];
	uint64_t seed = 12345, reclaimed_mid, tag;
	unsigned int lcore, n = 0, i;
	int ret;

	memset(&s, 0, sizeof(s));
	memset(present, 0, sizeof(present));
	s.f = f;
	s.t = f->create("stress", STRESS_CAPACITY);
	TEST_ASSERT(s.t != NULL, "create: %s", rte_strerror(rte_errno));

	/* Start half full. */
	for (i = 1; i <= STRESS_KEYS; i += 2) {
		TEST_ASSERT_EQUAL(f->publish(s.t, i, xorshift(&seed), &tag), 0,
			"fill");
		present[i] = 1;
		shadow_tag[i] = tag;
	}

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (n == N_READERS)
			break;
		ra[n].s = &s;
		ra[n].id = n;
		TEST_ASSERT_EQUAL(rte_rcu_qsbr_thread_register(qsbr, n), 0,
			"register");
		TEST_ASSERT_EQUAL(rte_eal_remote_launch(reader_main, &ra[n],
			lcore), 0, "launch");
		n++;
	}
	TEST_ASSERT_EQUAL(n, N_READERS, "need %d worker lcores", N_READERS);

	ret = stress_writer(&s, present, shadow_tag, &seed, &w);

	f->stats(s.t, &st);
	reclaimed_mid = st.reclaimed;

	s.stop = 1;
	rte_eal_mp_wait_lcore();
	for (i = 0; i < N_READERS; i++)
		rte_rcu_qsbr_thread_unregister(qsbr, i);
	if (ret != 0) {
		f->destroy(s.t);
		return ret;
	}

	/* Readers gone: everything waiting must come back. */
	f->reclaim(s.t);
	f->stats(s.t, &st);
	printf("  %s stress: %" PRIu64 " writer ops (%" PRIu64 " replaces, %"
		PRIu64 " removes, %" PRIu64 " ENOMEM, %" PRIu64 " ENOSPC), %"
		PRIu64 " reclaimed while running, %u direct, %u fallback, %"
		PRIu64 " index rebuilds\n", f->name,
		w.ops, st.replaces, st.removes, w.enomem, w.enospc,
		reclaimed_mid, st.direct, st.fallback, st.fb_rebuilds);
	TEST_ASSERT(stress_direct ? st.fallback == 0 : st.direct == 0,
		"bindings in the wrong index");
	for (i = 0; i < N_READERS; i++) {
		printf("  reader %u: %" PRIu64 " lookups, %" PRIu64 " hits, %"
			PRIu64 " errors\n", i, s.lookups[i], s.hits[i],
			s.errors[i]);
		TEST_ASSERT_EQUAL(s.errors[i], 0, "reader %u: %s", i,
			s.first_error[i]);
		TEST_ASSERT(s.hits[i] > 0, "reader %u found nothing", i);
	}
	TEST_ASSERT(reclaimed_mid > 0, "nothing reclaimed while running");
	TEST_ASSERT(st.replaces > 0 && st.removes > 0, "writer idle");
	TEST_ASSERT_EQUAL(st.pending, 0, "records still pending");
	TEST_ASSERT_EQUAL(st.records_free, st.records_total - st.count,
		"records leaked");
	TEST_ASSERT_EQUAL(st.slots_free, st.capacity - st.count,
		"slots leaked");
	TEST_ASSERT_EQUAL(st.reclaimed, st.replaces + st.removes,
		"reclaimed != replaced + removed");
	for (i = 1, n = 0; i <= STRESS_KEYS; i++)
		n += present[i];
	TEST_ASSERT_EQUAL(f->count(s.t), n, "count");
	f->destroy(s.t);
	return 0;
}

/* ---- the IPv4 family: key k is home address k ---- */

/* Key k's home address: k itself, or in 10.1.0.0/22. */
static uint32_t
v4_home(uint32_t key)
{
	return stress_direct ? A4(10, 1, key >> 8, key) : key;
}

static void *
v4_create(const char *name, uint32_t capacity)
{
	struct haven_binding_prefix p = {
		.addr = haven_addr4(A4(10, 1, 0, 0)), .len = 22,
	};

	return haven_binding_table_create(name, capacity, N_READERS, qsbr,
		SOCKET_ID_ANY, &p, stress_direct);
}

static void
v4_destroy(void *t)
{
	haven_binding_table_free(t);
}

static int
v4_publish(void *t, uint32_t key, uint64_t seed, uint64_t *tag)
{
	struct haven_binding b;

	make_binding(&b, v4_home(key), seed);
	*tag = b.coa[0].addr;
	return haven_binding_publish(t, &b);
}

static int
v4_remove(void *t, uint32_t key)
{
	return haven_binding_remove(t, v4_home(key));
}

static void
v4_reclaim(void *t)
{
	haven_binding_reclaim(t);
}

static void
v4_stats(void *t, struct haven_binding_stats *st)
{
	haven_binding_stats_get(t, st);
}

static uint32_t
v4_count(void *t)
{
	return haven_binding_count(t);
}

static const void *
v4_lookup(void *t, uint32_t key)
{
	return haven_binding_lookup(t, v4_home(key));
}

static void
v4_lookup_bulk(void *t, const uint32_t *keys, unsigned int n,
		const void **out)
{
	uint32_t homes[64];
	unsigned int i;

	for (i = 0; i < n && i < RTE_DIM(homes); i++)
		homes[i] = v4_home(keys[i]);
	haven_binding_lookup_bulk(t, homes, i,
		(const struct haven_binding **)out);
}

static int
v4_record_ok(const void *r, uint32_t key, uint32_t *slot, uint64_t *tag)
{
	const struct haven_binding *b = r;

	*slot = b->slot;
	*tag = b->coa[0].addr;
	return record_ok(b, v4_home(key), STRESS_CAPACITY);
}

static struct haven_binding_counters *
v4_row(void *t, unsigned int id)
{
	return haven_binding_counters_row(t, id);
}

static int
v4_cell_ok(void *t, uint32_t key, unsigned int id)
{
	const struct haven_binding_view *v = haven_binding_view4(t);
	uint32_t home = v4_home(key);
	struct haven_binding_cell4 *c = haven_binding_find4(v, home);
	const struct haven_binding *b;
	struct haven_binding_tun tun;

	if (c == NULL)
		return 1;
	haven_binding_cell4_read(c, &tun);
	if (tun.rec == 0)
		return 1;
	b = haven_binding_rec(v, tun.rec);
	if (!record_ok(b, home, STRESS_CAPACITY) || b->slot != tun.slot)
		return 0;
	if (tun.kind != HAVEN_TUN_SLOW &&
	    (b->n_coa != 1 || tun.coa != b->coa[0].addr ||
	     tun.neigh != b->coa[0].neigh || tun.port != b->coa[0].port ||
	     v->osrc4[tun.osrc].addr != b->outer_src ||
	     tun.kind != (b->encap == HAVEN_ENCAP_GRE ? HAVEN_TUN_GRE :
			HAVEN_TUN_IPIP)))
		return 0;
	haven_binding_lane(c, haven_binding_lane_off4(id))->pkts++;
	return 1;
}

static const struct family family4 = {
	"ipv4", v4_create, v4_destroy, v4_publish, v4_remove, v4_reclaim,
	v4_stats, v4_count, v4_lookup, v4_lookup_bulk, v4_record_ok, v4_row,
	v4_cell_ok,
};

static int
test_concurrent(void)
{
	stress_direct = false;
	return stress_run(&family4);
}

static int
test_concurrent_direct(void)
{
	int rc;

	stress_direct = true;
	rc = stress_run(&family4);
	stress_direct = false;
	return rc;
}

/* ------------------------------------------------------------------ */
/* IPv6 table                                                          */
/* ------------------------------------------------------------------ */

/* 2001:db8::<key>, the home address of key k. */
static void
home6(uint8_t a[16], uint32_t key)
{
	static const uint8_t base[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	memcpy(a, base, 16);
	a[12] = key >> 24;
	a[13] = key >> 16;
	a[14] = key >> 8;
	a[15] = key;
}

/* Checksum of what the writer sets; kept in expires_at (control only). */
static uint64_t
binding6_sum(const struct haven_binding6 *b)
{
	uint64_t h = 1469598103934665603ULL;
	const uint8_t *p;
	unsigned int i;

#define MIX(v) do { h ^= (uint64_t)(v); h *= 1099511628211ULL; } while (0)
	for (p = b->home_addr; p < b->home_addr + 16; p++)
		MIX(*p);
	for (p = b->outer_src; p < b->outer_src + 16; p++)
		MIX(*p);
	MIX(b->flags);
	MIX(b->forwarder);
	MIX(b->n_coa);
	for (i = 0; i < HAVEN_BINDING_MAX_COA; i++) {
		for (p = b->coa[i].addr; p < b->coa[i].addr + 16; p++)
			MIX(*p);
		for (p = b->coa[i].next_hop; p < b->coa[i].next_hop + 16; p++)
			MIX(*p);
		MIX(b->coa[i].neigh);
		MIX(b->coa[i].port);
	}
	MIX(b->lifetime);
#undef MIX
	return h;
}

static void
make_binding6(struct haven_binding6 *b, uint32_t key, uint64_t seed)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	home6(b->home_addr, key);
	home6(b->outer_src, 1);
	b->flags = HAVEN_BINDING_F_INTERCEPT |
		(seed & 1 ? HAVEN_BINDING_F_REVERSE_TUNNEL : 0);
	b->forwarder = HAVEN_FORWARDER_SELF;
	b->n_coa = 1 + seed % HAVEN_BINDING_MAX_COA;
	for (i = 0; i < b->n_coa; i++) {
		home6(b->coa[i].addr, (uint32_t)(seed * 2654435761u) + i);
		b->coa[i].addr[4] = 0xc0;
		home6(b->coa[i].next_hop, (uint32_t)seed ^ 0x01010101);
		b->coa[i].neigh = (uint16_t)((seed + i) % 5000);
		b->coa[i].port = i;
	}
	b->lifetime = (uint32_t)seed;
	b->expires_at = binding6_sum(b);
}

static uint64_t
tag6(const struct haven_binding6 *b)
{
	uint64_t t;

	memcpy(&t, b->coa[0].addr + 8, 8);
	return t;
}

static int
record6_ok(const struct haven_binding6 *b, uint32_t key, uint32_t capacity)
{
	uint8_t ha[16];

	home6(ha, key);
	return memcmp(b->home_addr, ha, 16) == 0 &&
		b->generation != POISON32 && b->generation != 0 &&
		b->slot < capacity &&
		b->n_coa >= 1 && b->n_coa <= HAVEN_BINDING_MAX_COA &&
		b->expires_at == binding6_sum(b);
}

static const struct haven_binding6 *
lookup6(const struct haven_binding6_table *t, uint32_t key)
{
	uint8_t ha[16];

	home6(ha, key);
	return haven_binding6_lookup(t, ha);
}

static int
remove6(struct haven_binding6_table *t, uint32_t key)
{
	uint8_t ha[16];

	home6(ha, key);
	return haven_binding6_remove(t, ha);
}

static int
count_cb6(const struct haven_binding6 *b, void *arg)
{
	RTE_SET_USED(b);
	(*(unsigned int *)arg)++;
	return 0;
}

static int
test_binding6_semantics(void)
{
	static const uint8_t zero[16];
	struct haven_binding6_table *t;
	const struct haven_binding6 *r1, *r2;
	struct haven_binding_counters *row, sum;
	struct haven_binding_stats st;
	struct haven_binding6 b, copy1;
	unsigned int i, walked = 0;
	uint32_t slot;

	TEST_ASSERT(haven_binding6_table_create("e6", 0, 1, qsbr,
		SOCKET_ID_ANY, NULL, 0) == NULL, "capacity 0 accepted");
	t = haven_binding6_table_create("six", 4, 1, qsbr, SOCKET_ID_ANY, NULL, 0);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	/* An IPv4 table of the same name lives beside it. */
	{
		struct haven_binding_table *t4 = haven_binding_table_create(
			"six", 4, 1, qsbr, SOCKET_ID_ANY, NULL, 0);

		TEST_ASSERT(t4 != NULL, "IPv4 table of the same name");
		haven_binding_table_free(t4);
	}

	/* Insert: copied, slot and generation the table's. */
	TEST_ASSERT(lookup6(t, 10) == NULL, "empty");
	TEST_ASSERT_EQUAL(remove6(t, 10), -ENOENT, "remove missing");
	make_binding6(&b, 10, 1);	/* two care-of addresses */
	b.slot = 999;
	b.generation = 999;
	memset(&b.coa[3], 0x5a, sizeof(b.coa[3]));	/* unused: zeroed */
	TEST_ASSERT_EQUAL(haven_binding6_publish(t, &b), 0, "publish");
	r1 = lookup6(t, 10);
	TEST_ASSERT(r1 != NULL && r1 != &b, "lookup");
	TEST_ASSERT_EQUAL(r1->generation, 1, "generation");
	TEST_ASSERT(r1->slot < 4, "slot");
	TEST_ASSERT_EQUAL(r1->n_coa, 2, "n_coa");
	TEST_ASSERT_MEM(r1->coa, b.coa, 2 * sizeof(b.coa[0]), "care-of");
	for (i = 0; i < sizeof(r1->coa[3]); i++)
		TEST_ASSERT_EQUAL(((const uint8_t *)&r1->coa[3])[i], 0,
			"unused care-of entry zeroed");
	TEST_ASSERT_MEM(r1->outer_src, b.outer_src, 16, "outer source");
	TEST_ASSERT(lookup6(t, 11) == NULL, "other key");
	TEST_ASSERT_EQUAL(haven_binding6_count(t), 1, "count");

	/* Invalid. */
	b.n_coa = HAVEN_BINDING_MAX_COA + 1;
	TEST_ASSERT_EQUAL(haven_binding6_publish(t, &b), -EINVAL, "n_coa");
	TEST_ASSERT_EQUAL(haven_binding6_publish(t, NULL), -EINVAL, "NULL");
	make_binding6(&b, 10, 1);
	memset(b.home_addr, 0, 16);
	TEST_ASSERT_EQUAL(haven_binding6_publish(t, &b), -EINVAL, "::");
	TEST_ASSERT(haven_binding6_lookup(t, zero) == NULL, ":: lookup");
	TEST_ASSERT_EQUAL(haven_binding6_remove(t, zero), -ENOENT, ":: rm");

	/* Replace while a reader holds the old record. */
	hold_grace();
	slot = r1->slot;
	copy1 = *r1;
	make_binding6(&b, 10, 2);
	TEST_ASSERT_EQUAL(haven_binding6_publish(t, &b), 0, "replace");
	r2 = lookup6(t, 10);
	TEST_ASSERT(r2 != NULL && r2 != r1, "new record");
	TEST_ASSERT_EQUAL(r2->generation, 2, "generation bumped");
	TEST_ASSERT_EQUAL(r2->slot, slot, "slot kept");
	TEST_ASSERT(record6_ok(r2, 10, 4) && tag6(r2) == tag6(&b), "contents");
	haven_binding6_reclaim(t);
	TEST_ASSERT(memcmp(r1, &copy1, sizeof(copy1)) == 0,
		"old record changed inside its grace period");
	release_grace();
	haven_binding6_reclaim(t);
	TEST_ASSERT_EQUAL(r1->generation, POISON32, "old record poisoned");

	/* Counters: per slot, summed, zeroed before the slot is reused. */
	row = haven_binding6_counters_row(t, 0);
	TEST_ASSERT(row != NULL, "row");
	TEST_ASSERT(haven_binding6_counters_row(t, 1) == NULL, "bad reader");
	row[slot].pkts += 3;
	row[slot].rev_bytes += 77;
	haven_binding6_counters_sum(t, slot, &sum);
	TEST_ASSERT(sum.pkts == 3 && sum.rev_bytes == 77, "sum");
	haven_binding6_counters_sum(t, 4, &sum);
	TEST_ASSERT_EQUAL(sum.pkts, 0, "bad slot");

	/* Full: 4 bindings, the fifth refused. */
	for (i = 11; i <= 13; i++) {
		make_binding6(&b, i, i);
		TEST_ASSERT_EQUAL(haven_binding6_publish(t, &b), 0, "fill");
	}
	make_binding6(&b, 14, 14);
	TEST_ASSERT_EQUAL(haven_binding6_publish(t, &b), -ENOSPC, "full");
	TEST_ASSERT_EQUAL(haven_binding6_walk(t, count_cb6, &walked), 4,
		"walk");
	TEST_ASSERT_EQUAL(walked, 4, "walked");

	/* Remove: the slot comes back zeroed after the grace period. */
	TEST_ASSERT_EQUAL(remove6(t, 10), 0, "remove");
	TEST_ASSERT(lookup6(t, 10) == NULL, "removed");
	TEST_ASSERT_EQUAL(remove6(t, 10), -ENOENT, "remove twice");
	TEST_ASSERT_EQUAL(haven_binding6_count(t), 3, "count");
	haven_binding6_reclaim(t);
	TEST_ASSERT_EQUAL(haven_binding6_publish(t, &b), 0, "slot reused");
	r2 = lookup6(t, 14);
	TEST_ASSERT(r2 != NULL && r2->slot == slot && r2->generation == 1,
		"the freed slot, a new binding");
	haven_binding6_counters_sum(t, slot, &sum);
	TEST_ASSERT(sum.pkts == 0 && sum.rev_bytes == 0,
		"counters zeroed before reuse");

	haven_binding6_stats_get(t, &st);
	TEST_ASSERT(st.capacity == 4 && st.count == 4 && st.inserts == 5 &&
		st.replaces == 1 && st.removes == 1 && st.pending == 0,
		"stats");
	haven_binding6_table_free(t);
	haven_binding6_table_free(NULL);
	return 0;
}

/* IPv6 cells: a direct prefix, the fallback, inline tunnels, counters. */
static int
test_binding6_cells(void)
{
	struct haven_binding_prefix p = { .len = 120 };
	const struct haven_binding_view *v;
	struct haven_binding_cell6 *c;
	struct haven_binding6_table *t;
	struct haven_binding_counters sum;
	struct haven_binding_stats st;
	struct haven_binding_tun tun;
	struct haven_binding6 b;
	uint8_t home[16], coa[16];
	unsigned int i;

	home6(home, 0);
	p.addr = haven_addr6(home);
	t = haven_binding6_table_create("cells6", 16, 1, qsbr, SOCKET_ID_ANY,
		&p, 1);
	TEST_ASSERT(t != NULL, "create: %s", rte_strerror(rte_errno));
	v = haven_binding_view6(t);
	for (i = 0; i < 2; i++) {
		/* 2001:db8::5 in the prefix, 2001:db8::1:5 outside. */
		make_binding6(&b, i == 0 ? 5 : 0x10005, 4);	/* one CoA */
		b.coa[0].neigh = 33;
		b.flags |= HAVEN_BINDING_F_REVERSE_TUNNEL;
		b.expires_at = binding6_sum(&b);
		TEST_ASSERT_EQUAL(haven_binding6_publish(t, &b), 0, "publish");
		c = haven_binding_find6(v, b.home_addr);
		TEST_ASSERT(c != NULL, "cell %u", i);
		TEST_ASSERT_EQUAL(haven_binding_direct6(v, b.home_addr) == c,
			i == 0, "direct %u", i);
		if (i == 0)
			TEST_ASSERT(c == (void *)(v->direct[0].cells +
				(5u << v->cell_shift)), "offset 5");
		TEST_ASSERT_MEM(c->key, b.home_addr, 16, "key");
		haven_binding_cell6_read(c, &tun, coa);
		TEST_ASSERT(tun.kind == HAVEN_TUN_IP6IP6 && tun.rev == 1 &&
			tun.neigh == 33 && tun.port == b.coa[0].port,
			"inline %u", i);
		TEST_ASSERT_MEM(coa, b.coa[0].addr, 16, "coa %u", i);
		TEST_ASSERT_MEM(v->osrc6[tun.osrc], b.outer_src, 16, "osrc");
		TEST_ASSERT(haven_binding_rec(v, tun.rec) ==
			haven_binding6_lookup(t, b.home_addr), "record");

		/* Counted, then a care-of change: the same counters. */
		haven_binding_lane(c, haven_binding_lane_off6(0))->pkts += 4;
		haven_binding_lane(c, haven_binding_lane_off6(0))->bytes += 40;
		make_binding6(&b, i == 0 ? 5 : 0x10005, 1);	/* two CoAs */
		TEST_ASSERT_EQUAL(haven_binding6_publish(t, &b), 0, "replace");
		TEST_ASSERT(haven_binding_find6(v, b.home_addr) == c, "moved");
		haven_binding_cell6_read(c, &tun, coa);
		TEST_ASSERT_EQUAL(tun.kind, HAVEN_TUN_SLOW, "two CoAs: slow");
		haven_binding6_counters_sum(t, tun.slot, &sum);
		TEST_ASSERT(sum.pkts == 4 && sum.bytes == 40,
			"counters survive %u", i);
	}
	haven_binding6_stats_get(t, &st);
	TEST_ASSERT(st.direct == 1 && st.fallback == 1 && st.n_direct == 1,
		"stats");
	home6(home, 6);
	TEST_ASSERT(haven_binding_find6(v, home) != NULL &&
		haven_binding6_lookup(t, home) == NULL, "unbound direct");
	home6(home, 0x10006);
	TEST_ASSERT(haven_binding_find6(v, home) == NULL, "unbound fallback");
	haven_binding6_table_free(t);
	return 0;
}

/* ---- the IPv6 family of the concurrency run ---- */

static void *
v6_create(const char *name, uint32_t capacity)
{
	struct haven_binding_prefix p = { .len = 118 };
	uint8_t a[16];

	home6(a, 0);
	p.addr = haven_addr6(a);
	return haven_binding6_table_create(name, capacity, N_READERS, qsbr,
		SOCKET_ID_ANY, &p, stress_direct);
}

static void
v6_destroy(void *t)
{
	haven_binding6_table_free(t);
}

static int
v6_publish(void *t, uint32_t key, uint64_t seed, uint64_t *tag)
{
	struct haven_binding6 b;

	make_binding6(&b, key, seed);
	*tag = tag6(&b);
	return haven_binding6_publish(t, &b);
}

static int
v6_remove(void *t, uint32_t key)
{
	return remove6(t, key);
}

static void
v6_reclaim(void *t)
{
	haven_binding6_reclaim(t);
}

static void
v6_stats(void *t, struct haven_binding_stats *st)
{
	haven_binding6_stats_get(t, st);
}

static uint32_t
v6_count(void *t)
{
	return haven_binding6_count(t);
}

static const void *
v6_lookup(void *t, uint32_t key)
{
	return lookup6(t, key);
}

static int
v6_record_ok(const void *r, uint32_t key, uint32_t *slot, uint64_t *tag)
{
	const struct haven_binding6 *b = r;

	*slot = b->slot;
	*tag = tag6(b);
	return record6_ok(b, key, STRESS_CAPACITY);
}

static struct haven_binding_counters *
v6_row(void *t, unsigned int id)
{
	return haven_binding6_counters_row(t, id);
}

static int
v6_cell_ok(void *t, uint32_t key, unsigned int id)
{
	const struct haven_binding_view *v = haven_binding_view6(t);
	struct haven_binding_cell6 *c;
	const struct haven_binding6 *b;
	struct haven_binding_tun tun;
	uint8_t home[16], coa[16];

	home6(home, key);
	c = haven_binding_find6(v, home);
	if (c == NULL)
		return 1;
	haven_binding_cell6_read(c, &tun, coa);
	if (tun.rec == 0)
		return 1;
	b = haven_binding_rec(v, tun.rec);
	if (!record6_ok(b, key, STRESS_CAPACITY) || b->slot != tun.slot)
		return 0;
	if (tun.kind != HAVEN_TUN_SLOW &&
	    (tun.kind != HAVEN_TUN_IP6IP6 || b->n_coa != 1 ||
	     memcmp(coa, b->coa[0].addr, 16) != 0 ||
	     tun.neigh != b->coa[0].neigh || tun.port != b->coa[0].port ||
	     memcmp(v->osrc6[tun.osrc], b->outer_src, 16) != 0 ||
	     tun.rev != !!(b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL)))
		return 0;
	haven_binding_lane(c, haven_binding_lane_off6(id))->pkts++;
	return 1;
}

static const struct family family6 = {
	"ipv6", v6_create, v6_destroy, v6_publish, v6_remove, v6_reclaim,
	v6_stats, v6_count, v6_lookup, NULL, v6_record_ok, v6_row,
	v6_cell_ok,
};

static int
test_concurrent6(void)
{
	stress_direct = false;
	return stress_run(&family6);
}

static int
test_concurrent6_direct(void)
{
	int rc;

	stress_direct = true;
	rc = stress_run(&family6);
	stress_direct = false;
	return rc;
}

/* ------------------------------------------------------------------ */

/* Run a test; if it failed while holding grace periods, let them go. */
#define RUN(fn) do {							\
	TEST_RUN(fn);							\
	release_grace();						\
} while (0)

int
main(int argc, char **argv)
{
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "256", "--no-pci",
		"--no-telemetry", "--file-prefix", "test-binding",
		"--lcores", "0@(0-1),1@(0-1),2@(0-1)",
		"--log-level", "haven.binding:info",
	};
	int passed = 0, failed = 0;
	size_t sz;

	RTE_SET_USED(argc);
	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	sz = rte_rcu_qsbr_get_memsize(QS_MAX_THREADS);
	qsbr = rte_zmalloc("test_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL || rte_rcu_qsbr_init(qsbr, QS_MAX_THREADS) != 0) {
		fprintf(stderr, "qsbr setup failed\n");
		return 1;
	}

	RUN(test_create_errors);
	RUN(test_insert_lookup_remove);
	RUN(test_replace);
	RUN(test_full_and_slot_reuse);
	RUN(test_counters);
	RUN(test_walk_count);
	RUN(test_lookup_bulk);
	RUN(test_out_of_records);
	RUN(test_free_pending);
	RUN(test_prefixes);
	RUN(test_dense_and_fallback);
	RUN(test_fallback_churn);
	RUN(test_inline_tunnel);
	RUN(test_cell_busy);
	RUN(test_replace_counters);
	RUN(test_seqlock_flip);
	RUN(test_concurrent);
	RUN(test_concurrent_direct);
	RUN(test_binding6_semantics);
	RUN(test_binding6_cells);
	RUN(test_concurrent6);
	RUN(test_concurrent6_direct);

	rte_free(qsbr);
	rte_eal_cleanup();
	TEST_SUMMARY();
}
