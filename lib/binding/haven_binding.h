/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_BINDING_H
#define HAVEN_BINDING_H

/**
 * @file
 * The binding table: home address -> mobility binding.
 *
 * One writer (the control lcore) and any number of lock-free readers (the
 * workers). A binding is never changed in place: the writer publishes a
 * new record and the old one is freed only after an rte_rcu_qsbr grace
 * period, so a reader that found a record may use it until it next
 * reports quiescent.
 *
 * The index is made for one memory access per packet. Home addresses lie
 * in the home prefixes the table is created with: each prefix of up to
 * max(2 x capacity, HAVEN_BINDING_DIRECT_MIN) addresses gets an array of
 * cells indexed by the address's offset in it. Any other address (a
 * primary's home address on a secondary agent, a node provisioned at run
 * time, a prefix too large to index directly) goes through a hashed
 * fallback: an open-addressing index to cells allocated as needed. A cell
 * holds what a worker needs for the common case (one care-of address, IP
 * in IP or GRE) inline beside the workers' forward counters, so that one
 * cache line gives the tunnel and takes the count; everything else reads
 * the record. haven_binding_worker.h is the readers' inline side.
 *
 * Each home address owns a counter slot for its whole life in the table,
 * so per-binding counters survive care-of address changes; workers count
 * without atomics, forward traffic in their lane of the binding's cell and
 * reverse-tunnelled traffic in their row (haven_binding_counters_row()).
 */

#include <stdint.h>

#include <rte_common.h>
#include <rte_rcu_qsbr.h>

#include "haven_addr.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest table name, in characters (object names derive from it). */
#define HAVEN_BINDING_NAME_MAX 15

/** Home prefixes one table indexes directly, at most. */
#define HAVEN_BINDING_MAX_PREFIXES 8

/**
 * Addresses a home prefix may hold and still be indexed directly whatever
 * the capacity (a /16 of IPv4): larger prefixes need at most twice the
 * capacity. The cells of a direct prefix are allocated at creation.
 */
#define HAVEN_BINDING_DIRECT_MIN 65536

/** Care-of addresses one binding may hold (S flag, RFC 5944 3.6.1.3). */
#define HAVEN_BINDING_MAX_COA 4

/** Tunnel encapsulation of a binding. */
enum haven_encap {
	HAVEN_ENCAP_IPIP = 0,	/**< IP in IP, protocol 4 (RFC 2003) */
	HAVEN_ENCAP_MINIMAL,	/**< minimal, protocol 55 (RFC 2004) */
	HAVEN_ENCAP_GRE,	/**< GRE, protocol 47 (RFC 2784) */
	/**
	 * IP in UDP (RFC 3519), for a mobile node behind a NAT: UDP from
	 * udp_sport to each care-of entry's udp_port, the 4-octet tunnel
	 * header (type 4, next header 4), then the packet. A care-of entry's
	 * addr is then the NAT's public address, where the tunnel goes.
	 */
	HAVEN_ENCAP_UDP,
};

/** UDP port a home agent tunnels from and receives tunnel data on. */
#define HAVEN_BINDING_UDP_PORT 434

/** Who forwards a binding's packets (room for delegation, EP 1134991). */
#define HAVEN_FORWARDER_SELF 0	/**< this agent */

/** Binding flags. */
#define HAVEN_BINDING_F_REVERSE_TUNNEL	0x01	/**< T: accept reverse tunnel */
#define HAVEN_BINDING_F_INTERCEPT	0x02	/**< proxy ARP and tunnel here */

/** TTL of the outer header of IP in IP and GRE tunnels (RFC 2003 3.1). */
#define HAVEN_BINDING_OUTER_TTL 64

/** One tunnel endpoint of a binding. */
struct haven_binding_coa {
	uint32_t addr;		/**< care-of address (NBO); with
				  * HAVEN_ENCAP_UDP the NAT's public address */
	uint32_t next_hop;	/**< IPv4 next hop toward addr (NBO) */
	uint16_t neigh;		/**< index in the neighbour table */
	uint8_t port;		/**< DPDK port id to send on */
	/**
	 * Set by haven_binding_publish(), ignored on input: the one's
	 * complement sum (RFC 1071, folded to 16 bits, host order) of the
	 * words of this tunnel's outer IPv4 header that do not change per
	 * packet: version and header length, TTL HAVEN_BINDING_OUTER_TTL
	 * and protocol (4 for IP in IP, 47 for GRE, 17 for UDP, 0 for
	 * minimal, which has no outer header), outer_src and addr. Workers
	 * add the total length, identification and DF to finish the
	 * checksum.
	 */
	uint16_t outer_sum;
	/** HAVEN_ENCAP_UDP: the NAT's public UDP port (host order); 0
	 * otherwise. Reverse-tunnelled data must come from addr and it. */
	uint16_t udp_port;
};

/**
 * A published binding. Immutable once published: readers never see a
 * partial update.
 */
struct haven_binding {
	uint32_t home_addr;		/**< key (NBO) */
	uint32_t outer_src;		/**< outer source of tunnels: the HA (claim 5) */
	uint32_t slot;			/**< counter slot, stable per home address */
	uint32_t generation;		/**< bumped on every publish */
	uint8_t encap;			/**< enum haven_encap */
	uint8_t flags;			/**< HAVEN_BINDING_F_* */
	uint8_t forwarder;		/**< HAVEN_FORWARDER_SELF or a peer id */
	uint8_t n_coa;			/**< entries used in coa[] */
	/** HAVEN_ENCAP_UDP: the source port of the tunnel (host order):
	 * HAVEN_BINDING_UDP_PORT, or the primary's for a delegated binding
	 * (claim 5); 0 otherwise. */
	uint16_t udp_sport;
	struct haven_binding_coa coa[HAVEN_BINDING_MAX_COA];
	/* Control-lcore only below: workers never read these. */
	uint16_t lifetime;		/**< granted lifetime, seconds */
	uint64_t registered_at;		/**< rte_get_timer_cycles() at accept */
	uint64_t expires_at;		/**< rte_get_timer_cycles() deadline */
	uint64_t last_ident;		/**< last accepted Identification */
} __rte_cache_aligned;

/**
 * A home prefix given to haven_binding_table_create() (or
 * haven_binding6_table_create()): the family of the table, host bits
 * ignored.
 */
struct haven_binding_prefix {
	struct haven_addr addr;	/**< the prefix */
	uint8_t len;		/**< its length in bits */
};

/** Per-binding counters, as summed (and as one reader's row holds them). */
struct haven_binding_counters {
	uint64_t pkts;		/**< packets tunnelled to the node */
	uint64_t bytes;		/**< bytes tunnelled to the node */
	uint64_t rev_pkts;	/**< reverse-tunnelled packets from it */
	uint64_t rev_bytes;	/**< reverse-tunnelled bytes from it */
};

/** Table statistics, for telemetry and tests. */
struct haven_binding_stats {
	uint32_t capacity;	/**< bindings it can hold */
	uint32_t count;		/**< bindings in the table */
	uint32_t records_total;	/**< records in the pool */
	uint32_t records_free;	/**< records ready to publish */
	uint32_t slots_free;	/**< counter slots ready to assign */
	uint32_t pending;	/**< records waiting for a grace period */
	uint64_t inserts;	/**< publishes of a new home address */
	uint64_t replaces;	/**< publishes over an existing binding */
	uint64_t removes;	/**< successful removes */
	uint64_t reclaimed;	/**< records back in the pool after grace */
	uint64_t no_record;	/**< publishes refused for want of a record */
	uint32_t direct;	/**< bindings in a directly indexed prefix */
	uint32_t fallback;	/**< bindings in the hashed fallback */
	uint32_t fb_cells;	/**< fallback cells allocated so far */
	uint64_t fb_rebuilds;	/**< fallback index rebuilds (tombstones) */
	uint32_t n_direct;	/**< home prefixes indexed directly */
};

struct haven_binding_table;

/**
 * Create a binding table.
 *
 * Besides the capacity live records, the pool holds spare records for
 * replaced and removed bindings still inside their grace period.
 *
 * @param name       unique name, at most HAVEN_BINDING_NAME_MAX characters
 *                   (the defer queue's name derives from it).
 * @param capacity   bindings it must hold.
 * @param n_readers  worker lcores that will read it (counter lanes and
 *                   rows); reader ids are 0..n_readers-1.
 * @param qsbr       the RCU variable the readers report to.
 * @param socket_id  NUMA socket.
 * @param prefixes   home prefixes (IPv4), indexed directly when small
 *                   enough (see HAVEN_BINDING_DIRECT_MIN); NULL or none:
 *                   every address goes through the hashed fallback.
 *                   Addresses outside them are always accepted.
 * @param n_prefixes entries in prefixes, at most
 *                   HAVEN_BINDING_MAX_PREFIXES; they may not overlap.
 * @return the table, or NULL with rte_errno set (EINVAL for a bad
 *         argument or prefix, EEXIST for a name in use, ENOMEM).
 */
struct haven_binding_table *
haven_binding_table_create(const char *name, uint32_t capacity,
		unsigned int n_readers, struct rte_rcu_qsbr *qsbr, int socket_id,
		const struct haven_binding_prefix *prefixes,
		unsigned int n_prefixes);

/**
 * Free the table and every record; readers must have stopped. Records
 * still waiting for a grace period are reclaimed here, so the readers must
 * also be offline (rte_rcu_qsbr_thread_offline) or unregistered; otherwise
 * the defer queue is leaked and an error is logged.
 *
 * @param t  the table; NULL is a no-op.
 */
void haven_binding_table_free(struct haven_binding_table *t);

/**
 * Publish a binding (insert or replace), writer only. The table copies *b
 * into a new record; slot and generation are assigned by the table (slot
 * kept from the binding it replaces; generation 1 for a new home address,
 * the replaced record's plus one otherwise), and so is each care-of
 * address's outer_sum, from encap, outer_src and the care-of address.
 *
 * @param t  the table.
 * @param b  the binding; home_addr is the key and must not be 0.0.0.0,
 *           n_coa at most HAVEN_BINDING_MAX_COA.
 * A new home address of a direct prefix whose previous binding was
 * removed within the current grace period waits for that grace period
 * (rte_rcu_qsbr_synchronize) before its cell is reused: readers must keep
 * reporting quiescent states or be offline.
 *
 * @return 0, -EINVAL for a bad binding, -ENOSPC when full (bindings
 *         removed within the last grace period still hold their slot),
 *         -ENOMEM when every spare record is still waiting for its grace
 *         period (call haven_binding_reclaim() and retry later) or a
 *         fallback cell chunk cannot be allocated.
 */
int haven_binding_publish(struct haven_binding_table *t,
		const struct haven_binding *b);

/**
 * Remove a binding, writer only. Its record and counter slot are reclaimed
 * after a grace period. When more records wait for their grace period
 * than the table has spares (many bindings removed at once), it waits for
 * one grace period (rte_rcu_qsbr_synchronize): readers must keep
 * reporting quiescent states or be offline.
 *
 * @param t          the table.
 * @param home_addr  the key (NBO).
 * @return 0, or -ENOENT.
 */
int haven_binding_remove(struct haven_binding_table *t, uint32_t home_addr);

/**
 * Look a binding up, writer or reader. A reader may use the result until
 * its next quiescent state report.
 *
 * @param t          the table.
 * @param home_addr  the key (NBO).
 * @return the record or NULL.
 */
const struct haven_binding *
haven_binding_lookup(const struct haven_binding_table *t, uint32_t home_addr);

/**
 * Look up to 64 bindings up at once (reader fast path).
 *
 * @param t        the table.
 * @param keys     n home addresses (NBO).
 * @param n        1..64 (larger n is looked up in chunks of 64).
 * @param out      n results, NULL where not found.
 * @return how many were found.
 */
unsigned int
haven_binding_lookup_bulk(const struct haven_binding_table *t,
		const uint32_t *keys, unsigned int n,
		const struct haven_binding **out);

/**
 * Walk every binding, writer only. The callback must not publish or
 * remove (collect the keys and act after the walk).
 *
 * @param t    the table.
 * @param cb   called per binding; a non-zero return stops the walk.
 * @param arg  passed to cb.
 * @return the number of bindings visited.
 */
unsigned int
haven_binding_walk(const struct haven_binding_table *t,
		int (*cb)(const struct haven_binding *b, void *arg), void *arg);

/**
 * Bindings in the table (removed ones excluded even before their grace
 * period ends).
 *
 * @param t  the table.
 * @return the number of bindings.
 */
uint32_t haven_binding_count(const struct haven_binding_table *t);

/**
 * A reader's counter row, indexed by binding slot; reader_id in
 * [0, n_readers). Workers count reverse-tunnelled traffic (rev_pkts,
 * rev_bytes) in row[b->slot] of a binding b they looked up, before their
 * next quiescent report; forward traffic is counted in the reader's lane
 * of the binding's cell (haven_binding_worker.h), which the lookup has
 * already brought in. haven_binding_counters_sum() adds both, and
 * whatever else a row holds.
 *
 * @param t          the table.
 * @param reader_id  the reader's row.
 * @return the row (capacity entries), or NULL for a bad reader_id.
 */
struct haven_binding_counters *
haven_binding_counters_row(struct haven_binding_table *t,
		unsigned int reader_id);

/**
 * Sum one slot's counters over every reader (rows and cell lanes), writer
 * only. The counts of a binding removed within the last grace period are
 * still there.
 *
 * @param t     the table.
 * @param slot  the binding's slot, in [0, capacity).
 * @param sum   filled with the sums (zero for a bad slot).
 */
void haven_binding_counters_sum(const struct haven_binding_table *t,
		uint32_t slot, struct haven_binding_counters *sum);

/**
 * Reclaim records whose grace period has ended; the writer calls this
 * periodically (it never blocks). Publish and remove also reclaim a
 * little on their own.
 *
 * @param t  the table.
 */
void haven_binding_reclaim(struct haven_binding_table *t);

/**
 * Read the table's statistics, writer only.
 *
 * @param t   the table.
 * @param st  filled in.
 */
void haven_binding_stats_get(const struct haven_binding_table *t,
		struct haven_binding_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_BINDING_H */
