/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 binding table (haven_binding6.h): Mobile IPv6 home address ->
 * binding, on the same core as the IPv4 table (binding.c): a 16-byte key,
 * a larger record, the same rte_hash in lock-free mode, preallocated
 * records, RCU defer queue and counter slots. What is here is only what
 * differs: the record type, its checks, and the public names.
 */

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "haven_binding6.h"
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

static const struct binding_type binding6_type = {
	.prefix = "hb6",
	.key_len = 16,
	.rec_size = sizeof(struct haven_binding6),
	.slot_off = offsetof(struct haven_binding6, slot),
	.gen_off = offsetof(struct haven_binding6, generation),
	.finish = binding6_finish,
};

static_assert(offsetof(struct haven_binding6, home_addr) == 0,
	"the key is the first field of a record");

/*
 * :: is no home address, and rte_hash cannot hold an all-zero key (see
 * haven_binding_publish()).
 */
static inline bool
addr_is_zero(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

struct haven_binding6_table *
haven_binding6_table_create(const char *name, uint32_t capacity,
		unsigned int n_readers, struct rte_rcu_qsbr *qsbr, int socket_id)
{
	return binding_core_create(&binding6_type, name, capacity, n_readers,
		qsbr, socket_id);
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
