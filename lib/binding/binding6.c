/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 binding table (haven_binding6.h): Mobile IPv6 home address ->
 * binding, on the same core as the IPv4 table (binding.c): a 16-byte key,
 * a larger record and cell, the same direct prefixes and hashed fallback,
 * preallocated records, RCU defer queue and counter slots. What is here
 * is only what differs: the record type, its inline tunnel, its checks,
 * and the public names.
 */

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "haven_binding6.h"
#include "haven_binding_worker.h"
#include "binding_private.h"

/* Unused care-of entries zeroed: nothing else is derived. */
static void
binding6_finish(void *r)
{
	struct haven_binding6 *rec = r;

	if (rec->n_coa < HAVEN_BINDING_MAX_COA)
		memset(&rec->coa[rec->n_coa], 0, sizeof(rec->coa[0]) *
			(HAVEN_BINDING_MAX_COA - rec->n_coa));
}

/*
 * The inline tunnel of an IPv6 cell: one care-of address, intercepted
 * here, a neighbour index that fits; IPv6 in IPv6 is the only kind.
 */
static void
binding6_tunnel(struct binding_core *t, void *cell, const void *r)
{
	const struct haven_binding6 *b = r;
	struct haven_binding_cell6 *c = cell;
	uint8_t kind = HAVEN_TUN_SLOW;
	uint64_t w[2] = { 0, 0 };
	int osrc = -1;

	if (b->n_coa == 1 && (b->flags & HAVEN_BINDING_F_INTERCEPT) &&
	    b->coa[0].neigh < HAVEN_BINDING_CELL_NEIGH_MAX)
		osrc = binding_core_osrc(t, b->outer_src);
	if (osrc >= 0)
		kind = HAVEN_TUN_IP6IP6;
	if (b->n_coa > 0)
		memcpy(w, b->coa[0].addr, 16);
	__atomic_store_n((uint64_t *)(void *)c->coa, w[0], __ATOMIC_RELAXED);
	__atomic_store_n((uint64_t *)(void *)(c->coa + 8), w[1],
			__ATOMIC_RELAXED);
	__atomic_store_n(&c->nk, HAVEN_BINDING_NK(kind == HAVEN_TUN_SLOW ? 0 :
			b->coa[0].neigh, kind,
			b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL),
			__ATOMIC_RELAXED);
	__atomic_store_n(&c->port, b->n_coa > 0 ? b->coa[0].port : 0,
			__ATOMIC_RELAXED);
	__atomic_store_n(&c->osrc, osrc >= 0 ? (uint8_t)osrc : 0,
			__ATOMIC_RELAXED);
}

static const struct binding_type binding6_type = {
	.prefix = "hb6",
	.family = HAVEN_AF_INET6,
	.key_len = 16,
	.rec_size = sizeof(struct haven_binding6),
	.slot_off = offsetof(struct haven_binding6, slot),
	.gen_off = offsetof(struct haven_binding6, generation),
	.cell_hdr = sizeof(struct haven_binding_cell6),
	.finish = binding6_finish,
	.tunnel = binding6_tunnel,
};

static_assert(sizeof(struct haven_binding_cell6) == 48, "IPv6 cell header");

static_assert(offsetof(struct haven_binding6, home_addr) == 0,
	"the key is the first field of a record");

/*
 * :: is no home address (nor the key of any binding).
 */
static inline bool
addr_is_zero(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

struct haven_binding6_table *
haven_binding6_table_create(const char *name, uint32_t capacity,
		unsigned int n_readers, struct rte_rcu_qsbr *qsbr, int socket_id,
		const struct haven_binding_prefix *prefixes,
		unsigned int n_prefixes)
{
	return binding_core_create(&binding6_type, name, capacity, n_readers,
		qsbr, socket_id, prefixes, n_prefixes);
}

void
haven_binding6_table_free(struct haven_binding6_table *t)
{
	if (t != NULL)
		binding_core_free(&t->c);
}

int
haven_binding6_publish(struct haven_binding6_table *t,
		const struct haven_binding6 *b)
{
	if (t == NULL || b == NULL || addr_is_zero(b->home_addr) ||
			b->n_coa > HAVEN_BINDING_MAX_COA)
		return -EINVAL;
	return binding_core_publish(&t->c, b);
}

int
haven_binding6_remove(struct haven_binding6_table *t,
		const uint8_t home_addr[16])
{
	if (t == NULL || home_addr == NULL)
		return -EINVAL;
	if (addr_is_zero(home_addr))
		return -ENOENT;
	return binding_core_remove(&t->c, home_addr);
}

const struct haven_binding6 *
haven_binding6_lookup(const struct haven_binding6_table *t,
		const uint8_t home_addr[16])
{
	if (addr_is_zero(home_addr))
		return NULL;
	return binding_core_lookup(&t->c, home_addr);
}

unsigned int
haven_binding6_walk(const struct haven_binding6_table *t,
		int (*cb)(const struct haven_binding6 *b, void *arg), void *arg)
{
	const struct haven_binding6 *b;
	uint32_t next = 0;
	unsigned int n = 0;

	while ((b = binding_core_iterate(&t->c, &next)) != NULL) {
		n++;
		if (cb(b, arg) != 0)
			break;
	}
	return n;
}

uint32_t
haven_binding6_count(const struct haven_binding6_table *t)
{
	return t->c.count;
}

struct haven_binding_counters *
haven_binding6_counters_row(struct haven_binding6_table *t,
		unsigned int reader_id)
{
	return t == NULL ? NULL : binding_core_counters_row(&t->c, reader_id);
}

void
haven_binding6_counters_sum(const struct haven_binding6_table *t,
		uint32_t slot, struct haven_binding_counters *sum)
{
	binding_core_counters_sum(&t->c, slot, sum);
}

void
haven_binding6_reclaim(struct haven_binding6_table *t)
{
	if (t != NULL)
		binding_core_reclaim(&t->c);
}

void
haven_binding6_stats_get(const struct haven_binding6_table *t,
		struct haven_binding_stats *st)
{
	binding_core_stats_get(&t->c, st);
}
