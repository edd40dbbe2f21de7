/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_BINDING_PRIVATE_H
#define HAVEN_BINDING_PRIVATE_H

/*
 * The one implementation behind both binding tables (haven_binding.h for
 * IPv4, haven_binding6.h for IPv6). What readers see comes first (struct
 * haven_binding_view, haven_binding_worker.h): the directly indexed
 * prefixes, the fallback index and its cell chunks, the record pool, the
 * counter rows, the outer sources. Then what only the writer touches:
 * free lists of records, counter slots and fallback cells, the RCU defer
 * queue, the slot -> cell map, and statistics.
 *
 * The core knows a record only by its size, its key (the first key_len
 * bytes of the record) and where its slot and generation fields are; a
 * per-family finish() fills what is derived from the rest of the record
 * (the IPv4 outer header sums), and tunnel() writes a cell's inline
 * tunnel from a record. Both public table structs are this struct under
 * another name, so that readers reach the view at offset 0.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_rcu_qsbr.h>

#include "haven_binding.h"
#include "haven_binding_worker.h"

struct binding_core;

/* What differs between the IPv4 and the IPv6 table. */
struct binding_type {
	const char *prefix;	/* object names: "hb" -> hbq_<name> */
	uint8_t family;		/* HAVEN_AF_INET or HAVEN_AF_INET6 */
	uint32_t key_len;	/* bytes of the key at offset 0 of a record */
	size_t rec_size;	/* record size, a multiple of the cache line */
	size_t slot_off;	/* offset of the uint32_t slot */
	size_t gen_off;		/* offset of the uint32_t generation */
	uint32_t cell_hdr;	/* bytes of a cell before its lanes */
	/* Complete a record just copied from the caller's (writer only). */
	void (*finish)(void *rec);
	/*
	 * Write the inline tunnel of a cell from a finished record: relaxed
	 * stores only, inside the sequence word's BUSY window (writer only).
	 */
	void (*tunnel)(struct binding_core *c, void *cell, const void *rec);
};

/* Outer sources a table keeps for inline tunnels (the cell's osrc byte). */
#define BINDING_OSRC_MAX	256

struct binding_core {
	struct haven_binding_view v;	/* first: what readers read */

	const struct binding_type *type;
	struct rte_rcu_qsbr *qsbr;
	struct rte_rcu_qsbr_dq *dq;
	uint32_t capacity;
	uint32_t n_recs;
	uint32_t dq_size;		/* entries the defer queue holds */
	unsigned int n_readers;

	/* Writer only from here. */
	uint32_t *free_recs;		/* stack of record indexes */
	uint32_t n_free_recs;
	uint32_t *free_slots;		/* stack of counter slots */
	uint32_t n_free_slots;
	uint32_t *slot_cell;		/* slot -> cell id (or BINDING_NO_CELL) */
	uint64_t *pending;		/* direct cell ids removed, in grace */

	/* The fallback: index, its spare, cells. */
	uint32_t fb_used;		/* entries live or tombstones */
	uint32_t fb_tomb;		/* tombstones */
	struct haven_binding_fb *fb_old;	/* replaced index, in grace */
	uint64_t fb_old_token;
	uint32_t n_chunks;		/* fallback chunks allocated */
	uint32_t n_chunks_max;
	uint32_t *free_fb;		/* stack of fallback cell indexes */
	uint32_t n_free_fb;
	uint32_t n_osrc;		/* outer sources used */

	uint32_t count;			/* bindings in the table */
	uint32_t count_direct;		/* ... of them in direct prefixes */
	uint32_t pending_n;		/* records on the defer queue */
	uint64_t inserts;
	uint64_t replaces;
	uint64_t removes;
	uint64_t reclaimed;
	uint64_t no_record;
	uint64_t fb_rebuilds;
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
		struct rte_rcu_qsbr *qsbr, int socket_id,
		const struct haven_binding_prefix *prefixes,
		unsigned int n_prefixes);
void binding_core_free(struct binding_core *c);
int binding_core_publish(struct binding_core *c, const void *b);
int binding_core_remove(struct binding_core *c, const void *key);
void binding_core_reclaim(struct binding_core *c);
/* Any reader: the record of key, or NULL. */
const void *binding_core_lookup(const struct binding_core *c,
		const void *key);
/* Next binding of a walk (next starts at 0), or NULL at the end. */
const void *binding_core_iterate(const struct binding_core *c,
		uint32_t *next);
struct haven_binding_counters *
binding_core_counters_row(struct binding_core *c, unsigned int reader_id);
void binding_core_counters_sum(const struct binding_core *c, uint32_t slot,
		struct haven_binding_counters *sum);
void binding_core_stats_get(const struct binding_core *c,
		struct haven_binding_stats *st);
/*
 * Index of an outer source (16 bytes for IPv6, 4 for IPv4) among the
 * table's, added when new; -1 when the table has BINDING_OSRC_MAX already
 * (the binding then has no inline tunnel). Writer only.
 */
int binding_core_osrc(struct binding_core *c, const void *addr);

#endif /* HAVEN_BINDING_PRIVATE_H */
