/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_STATE_H
#define HAVEN_STATE_H

/**
 * @file
 * State that survives (issue 11), above the protocols: the state store
 * (persist.c: bindings of both families, replay state and delegation state
 * in lib/store's LMDB, written from the node layer's news, restored at
 * start) and the pair of primaries (pair.c: keepalived decides which one
 * is active; the active streams its store to the standby over lib/sync;
 * the standby takes over from its store). Calls go down to the protocols
 * (delegation restore), the node layer (restore, handover) and the
 * runtime (serving, exception path); nothing below calls here.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "haven_addr.h"
#include "haven_store.h"
#include "haven_sync.h"

/* ---------------------------------------------------------------------
 * The state store (persist.c)
 */

#define HAVEN_PERSIST_ANNOUNCE_PER_TICK 64	/**< restored home addresses
					  * announced per 10 ms at most */
#define HAVEN_PERSIST_DELEG_MS 1000	/**< secondaries' records looked at */

/** Counters of the state store's use. Writer: persist.c. */
struct haven_persist_stats {
	uint64_t restores;		/**< restores run (start, takeovers) */
	uint64_t restored;		/**< bindings put back by the last one */
	uint64_t restored_replay;	/**< replay records put back */
	uint64_t restored_deleg;	/**< secondaries' records put back */
	uint64_t expired;		/**< bindings whose every care-of
					  * address had expired: dropped */
	uint64_t coa_expired;		/**< care-of addresses dropped */
	uint64_t unknown;		/**< records of nodes no longer
					  * configured: deleted */
	uint64_t refused;		/**< bindings the table refused */
	uint64_t adopted;		/**< delegations adopted */
	uint64_t last_restore_us;	/**< duration of the last restore */
	uint64_t announce_pending;	/**< home addresses still to announce */
	uint64_t announced;		/**< announced after restores */
	uint64_t puts, deletes;		/**< changes handed to the store */
	uint64_t errors;		/**< puts/deletes the store refused */
};

/**
 * Open the store of the configuration's store: section (nothing without
 * one), register the node hooks and the per-turn commit. A store that
 * cannot be used stops the start with one line on stderr that says what
 * is wrong and what to do (docs/store.md section 3). Nothing is restored
 * yet (haven_persist_restore()), nothing written.
 * @param reset  --store-reset: move an unusable store aside, start empty.
 * @return 0, or -errno.
 */
int haven_persist_init(bool reset);

/**
 * Rebuild the agent from the store: every binding whose care-of
 * addresses have not all expired, with what is left of its lifetimes;
 * replay state; delegations (adopted on their secondary); then write
 * every change from now on, and announce the restored home addresses,
 * paced. At start for a lone primary; at takeover for a pair's standby.
 * @return 0, or -errno with err filled (a record that does not decode).
 */
int haven_persist_restore(char *err, size_t errlen);

/** Stop writing the node layer's news (a standby: the stream writes). */
void haven_persist_stop_writing(void);

/** True when a store is open. */
bool haven_persist_enabled(void);

/** True while node news goes into the store (lone primary, active). */
bool haven_persist_writing(void);

/** The store, or NULL. */
struct haven_store *haven_persist_store(void);

/** Commit what is pending now and sync it (console "save"). */
int haven_persist_flush(void);

/** Commit, sync and close (shutdown). */
void haven_persist_close(void);

/** The counters. */
const struct haven_persist_stats *haven_persist_stats(void);

/* ---------------------------------------------------------------------
 * The pair (pair.c)
 */

/** Roles as keepalived names them (notify MASTER, BACKUP, FAULT, STOP). */
enum haven_pair_vrrp {
	HAVEN_PAIR_VRRP_UNKNOWN = 0,	/**< nothing heard yet */
	HAVEN_PAIR_VRRP_MASTER,
	HAVEN_PAIR_VRRP_BACKUP,
	HAVEN_PAIR_VRRP_FAULT,
	HAVEN_PAIR_VRRP_STOP,
};

#define HAVEN_PAIR_TICK_MS 10		/**< heartbeats, keepalived watch */
/* keepalived is dead when its advertisements stop for this many
 * intervals (VRRP's own Master_Down_Interval is about 3). */
#define HAVEN_PAIR_ADVERT_DEAD 4

/** Counters and state of the pair. Writer: pair.c. */
struct haven_pair_stats {
	uint64_t takeovers;		/**< became active */
	uint64_t handovers;		/**< left the active role */
	uint64_t last_takeover_us;	/**< restore + announce of the last */
	uint64_t last_takeover_bindings;	/**< bindings it restored */
	uint64_t role_changes;		/**< every change of role */
	uint64_t keepalived_lost;	/**< active, keepalived silent: left */
	uint64_t adverts_local;		/**< keepalived's, through the
					  * exception path */
	uint64_t adverts_peer;		/**< the other's, from the link */
	uint64_t dual_active;		/**< the peer said active too */
	uint64_t apply_errors;		/**< records the store refused */
	uint64_t sync_dropped;		/**< sync datagrams not taken */
};

/**
 * Set the pair up from redundancy: (nothing without one): lib/sync on UDP
 * redundancy.port between the primaries' own addresses, the role it
 * starts in (auto: neither until keepalived says; the standby's fast
 * path leaves the home agent address alone), the keepalived watch on the
 * exception path. Without redundancy the agent serves alone and restores
 * its store at once. @return 0 or -errno.
 */
int haven_pair_init(void);

/**
 * What keepalived says (its notify script, through the console): MASTER
 * makes this primary active (restore from its store, take the home agent
 * address and its virtual MAC, announce, answer), BACKUP the standby
 * (hand over, follow the active's stream), FAULT and STOP neither.
 * @return 0, or -errno with err filled (no pair configured, a fixed role).
 */
int haven_pair_set_vrrp(enum haven_pair_vrrp state, char *err, size_t errlen);

/** Parse "master", "backup", "fault", "stop". @return the state or -1. */
int haven_pair_vrrp_parse(const char *word);

/** Names: "master", ... */
const char *haven_pair_vrrp_name(enum haven_pair_vrrp state);

/** End the session with a BYE (shutdown). */
void haven_pair_shutdown(void);

/** True when a pair is configured. */
bool haven_pair_enabled(void);

/** The sync context (NULL without a pair), for the operator surfaces. */
const struct haven_sync *haven_pair_sync(void);

/** What keepalived said last, and when (wall clock, us; 0: never). */
enum haven_pair_vrrp haven_pair_vrrp(uint64_t *since_us);

/** Milliseconds since keepalived's last advertisement seen (UINT64_MAX:
 * never). */
uint64_t haven_pair_advert_age_ms(void);

/** The counters. */
const struct haven_pair_stats *haven_pair_stats(void);

#endif /* HAVEN_STATE_H */
