/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_DELEG_APP_H
#define HAVEN_DELEG_APP_H

/**
 * @file
 * Delegation (EP 1134991): the primary (PHA) and secondary (SHA) roles of
 * this process, both families, around the pure protocol library lib/deleg.
 * The library decides; this module moves its bytes as UDP on the
 * delegation port and carries out its events on the node layer:
 *  - PHA: every change of a node's binding reaches its secondary ([0029],
 *    [0030]); DELEGATED makes the secondary the node's forwarder (workers
 *    stop proxy ARP / ND but keep tunnelling what stale caches send,
 *    [0037]); TAKEN_BACK makes it ours again and announces it.
 *  - SHA: what a primary delegates becomes a node of origin DELEGATED,
 *    with the primary's address as outer source (claim 5), announced when
 *    new ([0025], [0037]); STOP or the end of its duration deletes it.
 * The actions at the end are what every front end calls: the console, the
 * balancer (policy), a reload.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "haven_addr.h"
#include "haven_deleg.h"

struct haven_node;

#define HAVEN_MAX_SECONDARIES 32	/**< configured + added at run time */

/** Set the roles up from the configuration. @return 0 or -errno. */
int haven_deleg_init(void);

/* ---------------------------------------------------------------------
 * Actions: 0, or -errno with err filled for the operator
 */

/** Delegate a bound node to a secondary by name (console). */
int haven_deleg_delegate(const struct haven_addr *hoa, const char *sha,
		char *err, size_t errlen);

/** Delegate a bound, local node to peer (policy). @return 0 or -errno. */
int haven_deleg_delegate_node(struct haven_node *n,
		struct haven_deleg_peer *peer);

/**
 * Move a delegated node to another secondary, make-before-break, at the
 * configured move rate (policy). @return 0 or -errno of
 * haven_deleg_pha_move().
 */
int haven_deleg_move_node(struct haven_node *n, struct haven_deleg_peer *to);

/** Take a delegated node back (console). */
int haven_deleg_undelegate(const struct haven_addr *hoa, char *err,
		size_t errlen);

/** Take a node back (policy), reason enum haven_deleg_stop_reason. */
void haven_deleg_undelegate_node(struct haven_node *n, uint8_t reason);

/** Add a secondary at run time ([0009]: no mobile node is touched). */
int haven_deleg_secondary_add(const char *name, uint32_t id, uint32_t addr,
		const uint8_t *key, size_t key_len, char *err, size_t errlen);

/** Remove a secondary; its bindings are taken back first. */
int haven_deleg_secondary_del(const char *name, char *err, size_t errlen);

/* ---------------------------------------------------------------------
 * Reading (the balancer, the operator surfaces)
 */

/** This agent is a primary (serves mobile nodes, can delegate). */
bool haven_deleg_is_pha(void);

/** This agent is a secondary (has primaries). */
bool haven_deleg_is_sha(void);

/** The primary's context (NULL if not a primary). */
const struct haven_deleg_pha *haven_deleg_pha_ctx(void);

/** The secondary's context (NULL if not a secondary). */
const struct haven_deleg_sha *haven_deleg_sha_ctx(void);

/** The secondaries' array (pha->n_peers of them, removed ones too). */
struct haven_deleg_peer *haven_deleg_secondaries(void);

/** The primaries' array (sha->n_primaries of them). */
const struct haven_deleg_peer *haven_deleg_primaries(void);

/** The usable secondary of this name, or NULL. */
struct haven_deleg_peer *haven_deleg_secondary_find(const char *name);

/** The node's delegation record at the primary, or NULL. */
const struct haven_deleg_binding *
haven_deleg_of(const struct haven_node *n);

/** The node a delegation record belongs to. */
struct haven_node *haven_deleg_node_of(const struct haven_deleg_binding *b);

/** Name of a forwarder value: "self" or the secondary's name. */
const char *haven_deleg_forwarder_name(uint8_t forwarder);

/** The forwarder value of a secondary (its slot + 1). */
uint8_t haven_deleg_forwarder_of(const struct haven_deleg_peer *p);

/**
 * Call fn for every node delegated or being delegated (not LOCAL).
 * @return how many.
 */
unsigned int haven_deleg_foreach(void (*fn)(const struct haven_deleg_binding *b,
		void *arg), void *arg);

/** Packets the secondary tunnelled for a held binding, live. */
uint64_t haven_deleg_entry_packets(const struct haven_deleg_sha_entry *e);

/** Delegation datagrams not taken (malformed, forged, replayed, ...). */
uint64_t haven_deleg_rejected(void);

/** Summary events written for bursts of delegation outcomes. */
uint64_t haven_deleg_bulk_summaries(void);

/* ---------------------------------------------------------------------
 * The state store: what survives a restart or a pair's takeover
 */

/**
 * The node's delegation as the store keeps it: the agent id of the
 * secondary forwarding it (0: none, or not yet acknowledged) and the
 * delegation generation of its binding.
 */
void haven_deleg_node_state(const struct haven_node *n, uint32_t *secondary_id,
		uint32_t *generation);

/** The forwarder value of the secondary with agent id `id`, or
 * HAVEN_FORWARDER_SELF when no usable secondary has it. */
uint8_t haven_deleg_forwarder_of_id(uint32_t id);

/**
 * Restore a node's delegation (its binding is restored already): its
 * generation, and when it was delegated to a secondary that is still
 * configured, adopt it there without a message (the secondary forwards on;
 * haven_deleg_pha_adopt()). Adopted bindings the secondary lost (its
 * digest disagrees and its INVENTORY lacks them; a version 1 secondary's
 * reports do not list them within 2.5 report intervals) are forwarded
 * here and sent again (a START of a new generation).
 * @return 0, or -ENOENT (no such secondary: the node stays ours).
 */
int haven_deleg_restore_node(struct haven_node *n, uint32_t secondary_id,
		uint32_t generation);

/**
 * Restore what the store kept of a secondary: the boot id of its last
 * report, the last sequence number sent to it (the next go above it and
 * above the wall clock), the highest generation issued through it (every
 * binding goes on above it). @return 0, or -ENOENT (not configured).
 */
int haven_deleg_restore_secondary(uint32_t id, bool boot_known,
		uint32_t boot_id, uint64_t last_seq, uint32_t generation);

/**
 * The restore is over: every configured node's generation goes above the
 * highest any secondary saw. @return bindings adopted by the restore.
 */
unsigned int haven_deleg_restore_done(void);

/** Counters of restores. Writer: deleg.c. */
struct haven_deleg_restore_stats {
	uint64_t adopted;		/**< bindings adopted from the store */
	uint64_t confirmed;		/**< ... that a report listed */
	uint64_t restarted;		/**< ... sent again: the secondary had
					  * lost them */
	uint64_t unknown_secondary;	/**< ... whose secondary is gone */
};

/** The restore counters. */
const struct haven_deleg_restore_stats *haven_deleg_restore_stats(void);

#endif /* HAVEN_DELEG_APP_H */
