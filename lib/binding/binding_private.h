/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_BINDING_PRIVATE_H
#define HAVEN_BINDING_PRIVATE_H

/*
 * The one implementation behind both binding tables (haven_binding.h for
 * IPv4, haven_binding6.h for IPv6): an rte_hash in lock-free read/write
 * concurrency mode whose data pointers are records of a preallocated pool,
 * one RCU defer queue for replaced and removed records, free lists of
 * records and counter slots. It knows a record only by its size, its key
 * (the first key_len bytes of the record) and where its slot and
 * generation fields are; a per-table finish() fills what is derived from
 * the rest (the IPv4 table's prepared outer header sums). Both public
 * table structs are this struct under another name, so the IPv4 readers
 * reach the rte_hash with the same single load as before.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#include "haven_binding.h"

/* What differs between the IPv4 and the IPv6 table. */
struct binding_type {
	const char *prefix;	/* object names: "hb" -> hb_<name>, hbq_<name> */
	uint32_t key_len;	/* bytes of the key at offset 0 of a record */
	size_t rec_size;	/* record size, a multiple of the cache line */
	size_t slot_off;	/* offset of the uint32_t slot */
	size_t gen_off;		/* offset of the uint32_t generation */
	/* Complete a record just copied from the caller's (writer only). */
	void (*finish)(void *rec);
};

struct binding_core {
	struct rte_hash *h;		/* first: readers load only this */
	const struct binding_type *type;
	struct rte_rcu_qsbr *qsbr;
	struct rte_rcu_qsbr_dq *dq;
	uint8_t *recs;			/* n_recs records of type->rec_size */
	uint32_t capacity;
	uint32_t n_recs;
	uint32_t dq_size;		/* entries the defer queue holds */
	unsigned int n_readers;
	uint32_t row_stride;		/* counter entries per row */
	struct haven_binding_counters *counters; /* n_readers rows */

	/* Writer only from here. */
	uint32_t *free_recs;		/* stack of record indexes */
	uint32_t n_free_recs;
	uint32_t *free_slots;		/* stack of counter slots */
	uint32_t n_free_slots;
	uint32_t count;			/* bindings in the table */
	uint32_t pending;		/* records on the defer queue */
	uint64_t inserts;
	uint64_t replaces;
	uint64_t removes;
	uint64_t reclaimed;
	uint64_t no_record;
	char name[HAVEN_BINDING_NAME_MAX + 1];
};

/* The public tables are the core under their own names. */
struct haven_binding_table {
	struct binding_core c;
};

struct haven_binding6_table {
	struct binding_core c;
};

void *binding_core_create(const struct binding_type *type, const char *name,
		uint32_t capacity, unsigned int n_readers,
		struct rte_rcu_qsbr *qsbr, int socket_id);
void binding_core_free(struct binding_core *c);
int binding_core_publish(struct binding_core *c, const void *b);
int binding_core_remove(struct binding_core *c, const void *key);
void binding_core_reclaim(struct binding_core *c);
/* Next binding of a walk (next starts at 0), or NULL at the end. */
const void *binding_core_iterate(const struct binding_core *c,
		uint32_t *next);
struct haven_binding_counters *
binding_core_counters_row(struct binding_core *c, unsigned int reader_id);
void binding_core_counters_sum(const struct binding_core *c, uint32_t slot,
		struct haven_binding_counters *sum);
void binding_core_stats_get(const struct binding_core *c,
		struct haven_binding_stats *st);

/* Any reader: the record of key, or NULL. */
static inline const void *
binding_core_lookup(const struct binding_core *c, const void *key)
{
	void *data;

	if (rte_hash_lookup_data(c->h, key, &data) < 0)
		return NULL;
	return data;
}

#endif /* HAVEN_BINDING_PRIVATE_H */
