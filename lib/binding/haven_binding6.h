/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_BINDING6_H
#define HAVEN_BINDING6_H

/**
 * @file
 * The IPv6 binding table: IPv6 home address -> Mobile IPv6 binding
 * (RFC 6275), with exactly the concurrency contract of the IPv4 table
 * (haven_binding.h): one writer, lock-free readers, records replaced by
 * publishing and freed after an rte_rcu_qsbr grace period, a counter slot
 * per home address for its life in the table.
 *
 * Same implementation as the IPv4 table (a 16-byte key instead of 4, a
 * larger record and cell): home prefixes of at most
 * max(2 x capacity, HAVEN_BINDING_DIRECT_MIN) addresses (a /108 for a
 * million bindings; a /64 is far too large) are indexed directly, every
 * other address through the hashed fallback. Counters use struct
 * haven_binding_counters.
 */

#include <stdint.h>

#include <rte_common.h>
#include <rte_rcu_qsbr.h>

#include "haven_binding.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One tunnel endpoint of an IPv6 binding. */
struct haven_binding6_coa {
	uint8_t addr[16];	/**< care-of address */
	uint8_t next_hop[16];	/**< IPv6 next hop toward addr */
	uint16_t neigh;		/**< index in the IPv6 neighbour table */
	uint8_t port;		/**< DPDK port id to send on */
};

/** A published IPv6 binding (immutable once published). */
struct haven_binding6 {
	uint8_t home_addr[16];		/**< key */
	uint8_t outer_src[16];		/**< tunnel source: the HA (claim 5) */
	uint32_t slot;			/**< counter slot, set by the table */
	uint32_t generation;		/**< set by the table */
	uint8_t flags;			/**< HAVEN_BINDING_F_* */
	uint8_t forwarder;		/**< HAVEN_FORWARDER_SELF or a peer id */
	uint8_t n_coa;			/**< entries used in coa[] */
	struct haven_binding6_coa coa[HAVEN_BINDING_MAX_COA];
	/* Control-lcore only below. */
	uint32_t lifetime;		/**< granted lifetime, seconds */
	uint64_t registered_at;		/**< rte_get_timer_cycles() */
	uint64_t expires_at;		/**< rte_get_timer_cycles() deadline */
} __rte_cache_aligned;

struct haven_binding6_table;

/**
 * Create an IPv6 binding table (see haven_binding_table_create()):
 * prefixes are IPv6 ones (family HAVEN_AF_INET6).
 * @return the table, or NULL with rte_errno set.
 */
struct haven_binding6_table *
haven_binding6_table_create(const char *name, uint32_t capacity,
		unsigned int n_readers, struct rte_rcu_qsbr *qsbr, int socket_id,
		const struct haven_binding_prefix *prefixes,
		unsigned int n_prefixes);

/** Free the table; readers must have stopped. */
void haven_binding6_table_free(struct haven_binding6_table *t);

/**
 * Publish (insert or replace), writer only; see haven_binding_publish().
 * slot and generation are set by the table, unused coa[] entries zeroed.
 * @return 0, -EINVAL (NULL, home address ::, n_coa above
 *         HAVEN_BINDING_MAX_COA), -ENOSPC, -ENOMEM.
 */
int haven_binding6_publish(struct haven_binding6_table *t,
		const struct haven_binding6 *b);

/** Remove, writer only. @return 0, -ENOENT (-EINVAL for a NULL table). */
int haven_binding6_remove(struct haven_binding6_table *t,
		const uint8_t home_addr[16]);

/**
 * Look up, reader or writer: a reader may use the record until its next
 * quiescent state report. @return the record or NULL (always for ::).
 */
const struct haven_binding6 *
haven_binding6_lookup(const struct haven_binding6_table *t,
		const uint8_t home_addr[16]);

/** Walk every binding, writer only; a non-zero callback return stops it. */
unsigned int
haven_binding6_walk(const struct haven_binding6_table *t,
		int (*cb)(const struct haven_binding6 *b, void *arg), void *arg);

/** Bindings in the table. */
uint32_t haven_binding6_count(const struct haven_binding6_table *t);

/** A reader's counter row (see haven_binding_counters_row()). */
struct haven_binding_counters *
haven_binding6_counters_row(struct haven_binding6_table *t,
		unsigned int reader_id);

/** Sum one slot over every reader, writer only. */
void haven_binding6_counters_sum(const struct haven_binding6_table *t,
		uint32_t slot, struct haven_binding_counters *sum);

/** Reclaim records whose grace period ended; never blocks. */
void haven_binding6_reclaim(struct haven_binding6_table *t);

/** Table statistics, writer only (see haven_binding_stats_get()). */
void haven_binding6_stats_get(const struct haven_binding6_table *t,
		struct haven_binding_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_BINDING6_H */
