/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_STORE_H
#define HAVEN_STORE_H

/**
 * @file
 * The state of a home agent that must survive a restart, an upgrade and
 * the loss of the primary: mobility bindings of both families, replay
 * state per mobile node, and delegation state per secondary, kept in an
 * embedded crash-safe store (LMDB: one writer, copy-on-write B+tree).
 *
 * Two layers:
 *  - the record codec (pure, no LMDB, no DPDK): a record is a key and a
 *    value, both byte strings whose layouts docs/ha-sync-protocol.md
 *    section 5 specifies. The same bytes are stored on disk and streamed
 *    to a standby primary (lib/sync), so both ends decode them with
 *    haven_store_decode() and its reasons.
 *  - the store (LMDB glue): written by one thread only (the control
 *    lcore). Changes are buffered in memory and committed in one write
 *    transaction per haven_store_tick() (or as soon as max_batch changes
 *    wait), so the loop never waits for more than one commit. The sync
 *    policy decides when the data reaches the disk: at every commit, by a
 *    background thread every interval, or when the kernel decides.
 *
 * A store carries a metadata record (magic, format version, agent
 * identity). A file that is not an LMDB environment, is truncated, is not
 * a Haven store, was written by a newer format or by another agent is
 * refused at open with a message that says what is wrong and what to do
 * (docs/store.md: move it aside, or start with the reset
 * option, which moves it aside itself); it is never reset silently.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "haven_addr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Records (docs/ha-sync-protocol.md section 5)
 */

#define HAVEN_STORE_FORMAT 1		/**< format version this build writes */
#define HAVEN_STORE_RECORD_VERSION 1	/**< first octet of every value */
#define HAVEN_STORE_MAGIC "HVNSTORE"	/**< 8 octets, the meta record */
#define HAVEN_STORE_MAX_COA 4		/**< care-of addresses per binding */
#define HAVEN_STORE_KEY_MAX 32		/**< longest key, octets */
#define HAVEN_STORE_VALUE_MAX 256	/**< longest value, octets */
#define HAVEN_STORE_NAME_LEN 32		/**< secondary name with its NUL */
#define HAVEN_STORE_IDENTITY_LEN 64	/**< identity text with its NUL */

/** Kind of a record: the first octet of its key. */
enum haven_store_kind {
	HAVEN_STORE_META = 0,		/**< one per store: magic, format */
	HAVEN_STORE_BINDING = 1,	/**< a mobility binding (home address) */
	HAVEN_STORE_REPLAY = 2,		/**< replay state of a mobile node */
	HAVEN_STORE_DELEG = 3,		/**< delegation state of a secondary */
};

/** Encapsulation of a binding (the numbers of lib/deleg, plus UDP). */
#define HAVEN_STORE_ENCAP_IPIP 0	/**< IPv4 in IPv4, RFC 2003 */
#define HAVEN_STORE_ENCAP_MINIMAL 1	/**< minimal, RFC 2004 */
#define HAVEN_STORE_ENCAP_GRE 2		/**< GRE, RFC 2784 */
#define HAVEN_STORE_ENCAP_IP6IP6 3	/**< IPv6 in IPv6, RFC 2473 */
#define HAVEN_STORE_ENCAP_UDP 4		/**< IP in UDP through NAT, RFC 3519 */

/** Binding flags. */
#define HAVEN_STORE_F_REVERSE_TUNNEL 0x01	/**< T flag (RFC 3024) */
#define HAVEN_STORE_F_NAT 0x02		/**< behind a NAT: nat_addr/port set */
#define HAVEN_STORE_F_SIMULTANEOUS 0x04	/**< S flag: several care-of addrs */
#define HAVEN_STORE_F_ALL 0x07		/**< every flag this format knows */

/** One care-of address of a binding. */
struct haven_store_coa {
	struct haven_addr addr;		/**< the family of the home address */
	uint32_t lifetime_s;		/**< lifetime granted, seconds */
	uint64_t expires_ms;		/**< wall clock (ms since 1970) when it
					  * ends; restore gives what is left */
};

/** A mobility binding (key: family and home address). */
struct haven_store_binding {
	struct haven_addr home;		/**< home address, IPv4 or IPv6 */
	uint8_t n_coa;			/**< 1..HAVEN_STORE_MAX_COA */
	uint8_t encap;			/**< HAVEN_STORE_ENCAP_* */
	uint8_t flags;			/**< HAVEN_STORE_F_* */
	struct haven_store_coa coa[HAVEN_STORE_MAX_COA];
	struct haven_addr nat_addr;	/**< F_NAT: the NAT's public address */
	uint16_t nat_port;		/**< F_NAT: its UDP port, host order */
	uint64_t registered_ms;		/**< wall clock of the registration */
	uint32_t secondary_id;		/**< secondary forwarding it; 0 local */
	uint32_t deleg_generation;	/**< delegation generation (lib/deleg) */
};

/** Which members of a replay record hold something. */
#define HAVEN_STORE_R_MIP4_ID 0x01	/**< mip4_id */
#define HAVEN_STORE_R_MIP6_SEQ 0x02	/**< mip6_seq */
#define HAVEN_STORE_R_MIP6_TS 0x04	/**< mip6_timestamp */
#define HAVEN_STORE_R_ALL 0x07

/** Replay state of a mobile node (key: family and home address). */
struct haven_store_replay {
	struct haven_addr home;		/**< the node's home address */
	uint8_t flags;			/**< HAVEN_STORE_R_* */
	uint16_t mip6_seq;		/**< Mobile IPv6: last sequence number
					  * accepted (RFC 6275 9.5.1) */
	uint64_t mip4_id;		/**< Mobile IPv4: last Identification
					  * accepted (RFC 5944 5.7) */
	uint64_t mip6_timestamp;	/**< Mobile IPv6: last timestamp of the
					  * replay option (RFC 4285 6) */
	uint64_t updated_ms;		/**< wall clock of the last change */
};

/** Delegation state of one secondary (key: its agent id). */
struct haven_store_deleg {
	uint32_t secondary_id;		/**< its agent id, >= 1 */
	char name[HAVEN_STORE_NAME_LEN];	/**< configured name */
	struct haven_addr addr;		/**< its address */
	uint32_t generation;		/**< highest binding generation issued
					  * to it; a restarted PHA goes on
					  * above it */
	uint32_t boot_id;		/**< from its last report */
	bool boot_known;		/**< boot_id holds a value */
	uint64_t last_seq;		/**< last delegation sequence number
					  * sent to it */
};

/** The metadata record: which store this is. */
struct haven_store_meta {
	uint16_t format;		/**< HAVEN_STORE_FORMAT that wrote it */
	uint32_t agent_id;		/**< the agent it belongs to */
	uint64_t created_ms;		/**< wall clock of its creation */
	char identity[HAVEN_STORE_IDENTITY_LEN];	/**< the agent, as text */
};

/** Any record, tagged by its kind. */
struct haven_store_record {
	uint8_t kind;			/**< enum haven_store_kind */
	union {
		struct haven_store_binding binding;
		struct haven_store_replay replay;
		struct haven_store_deleg deleg;
		struct haven_store_meta meta;
	} u;
};

/**
 * The key of a record of a kind: kind and home address (BINDING, REPLAY),
 * kind and secondary id (DELEG), or the kind alone (META).
 *
 * @param kind  enum haven_store_kind.
 * @param home  BINDING, REPLAY: the home address; else ignored.
 * @param id    DELEG: the secondary id; else ignored.
 * @param key   HAVEN_STORE_KEY_MAX octets.
 * @return its length, or -EINVAL (no such kind, no address).
 */
int haven_store_key(uint8_t kind, const struct haven_addr *home,
		uint32_t id, uint8_t *key);

/**
 * Encode a record into its key and value.
 *
 * @param r        the record.
 * @param key      HAVEN_STORE_KEY_MAX octets; *key_len receives the length.
 * @param val      HAVEN_STORE_VALUE_MAX octets; *val_len receives it.
 * @return 0, or -EINVAL if the record breaks a rule of the format (the
 *   rules haven_store_decode() checks).
 */
int haven_store_encode(const struct haven_store_record *r, uint8_t *key,
		size_t *key_len, uint8_t *val, size_t *val_len);

/**
 * Decode and check a record. Every field is checked; on error nothing
 * useful is left in *r and err says which field of which record.
 *
 * @return 0; -EBADMSG malformed (reason in err); -EPROTONOSUPPORT a value
 *   written by a newer record version than this build reads.
 */
int haven_store_decode(const uint8_t *key, size_t key_len,
		const uint8_t *val, size_t val_len,
		struct haven_store_record *r, char *err, size_t errlen);

/**
 * A key as text for messages ("binding 192.0.2.10", "deleg 21", "meta",
 * or hex when it is none of them).
 * @param buf at least 64 octets. @return buf.
 */
const char *haven_store_key_str(const uint8_t *key, size_t key_len,
		char *buf, size_t size);

/** Name of a kind ("meta", "binding", "replay", "deleg", "unknown"). */
const char *haven_store_kind_name(uint8_t kind);

/* ---------------------------------------------------------------------
 * The store (LMDB)
 */

/** When committed data reaches the disk. */
enum haven_store_sync {
	/** fsync at every commit: nothing committed is ever lost. */
	HAVEN_STORE_SYNC_EVERY_COMMIT = 0,
	/**
	 * Commits do not sync (MDB_NOSYNC); a background thread calls
	 * mdb_env_sync() every sync_interval_ms when something was
	 * committed. A process crash loses nothing committed; a power loss
	 * loses at most about the interval.
	 */
	HAVEN_STORE_SYNC_INTERVAL,
	/**
	 * Never sync (MDB_NOSYNC); the kernel writes back when it wants.
	 * A process crash loses nothing committed; a power loss may lose
	 * what the kernel had not written.
	 */
	HAVEN_STORE_SYNC_NONE,
};

/** Defaults of struct haven_store_params. */
#define HAVEN_STORE_DEFAULT_MAP_SIZE (1024ull << 20)	/**< 1 GiB */
#define HAVEN_STORE_DEFAULT_MAX_BATCH 4096	/**< changes per commit */
#define HAVEN_STORE_DEFAULT_SYNC_INTERVAL_MS 100

/** How to open a store. */
struct haven_store_params {
	const char *path;		/**< directory (created if absent) */
	uint64_t map_size;		/**< bytes; 0: the default. The store
					  * never grows beyond it */
	enum haven_store_sync sync;	/**< sync policy */
	uint32_t sync_interval_ms;	/**< HAVEN_STORE_SYNC_INTERVAL period;
					  * 0: the default */
	uint32_t max_batch;		/**< changes buffered before a commit
					  * is forced; 0: the default */
	uint32_t agent_id;		/**< written into a new store */
	const char *identity;		/**< this agent as text (1..63 octets),
					  * e.g. "ha 192.0.2.1"; a store of
					  * another identity is refused */
	bool reset;			/**< a store that cannot be used is
					  * moved aside (renamed
					  * <path>.reset-<time>) and a new
					  * empty one created; the renamed
					  * path is written into the message */
};

struct haven_store;

/** Counters of a store. */
struct haven_store_stats {
	uint64_t commits;		/**< write transactions committed */
	uint64_t puts, deletes;		/**< changes committed */
	uint64_t range_deletes;		/**< delete_range operations committed */
	uint64_t bytes;			/**< key + value octets committed */
	uint64_t last_commit_us;	/**< duration of the last commit */
	uint64_t max_commit_us;		/**< longest commit */
	uint64_t last_batch;		/**< changes in the last commit */
	uint64_t syncs;			/**< mdb_env_sync() calls that ran */
	uint64_t last_sync_us;		/**< duration of the last one */
	uint64_t errors;		/**< commits or syncs that failed */
	uint64_t dropped;		/**< changes refused: buffer full and
					  * the commit to empty it failed */
	int last_error;			/**< LMDB or errno code, 0 none */
	uint32_t pending;		/**< changes waiting for a commit */
	uint64_t entries;		/**< records in the store (meta not
					  * counted), as of the last commit */
	uint64_t map_size;		/**< bytes */
	uint64_t used_bytes;		/**< pages in use x page size */
};

/**
 * Open (or create) a store.
 *
 * @param p       what and how.
 * @param err     the reason when NULL is returned: what is wrong and what
 *                the operator can do.
 * @return the store, or NULL with errno set: EINVAL bad parameters;
 *   EBUSY another process holds it; ENOTRECOVERABLE not an LMDB store,
 *   corrupt or truncated; EMEDIUMTYPE not a Haven store or another
 *   agent's; EPROTONOSUPPORT a newer format; other errno values from
 *   the file system or LMDB.
 */
struct haven_store *haven_store_open(const struct haven_store_params *p,
		char *err, size_t errlen);

/** Commit what is pending, stop the sync thread, sync and close. */
void haven_store_close(struct haven_store *s);

/**
 * Buffer a record (insert or replace). Commits first if max_batch
 * changes are waiting.
 * @return 0; -EINVAL bad record; or the error of that commit if it
 *   failed and the buffer is full (the change is then dropped, counted).
 */
int haven_store_put(struct haven_store *s, const struct haven_store_record *r);

/**
 * Buffer the deletion of a record by its key fields (see
 * haven_store_key()). Deleting an absent record is not an error.
 */
int haven_store_delete(struct haven_store *s, uint8_t kind,
		const struct haven_addr *home, uint32_t id);

/**
 * Buffer a record given as encoded bytes (a standby applying what the
 * active sent). It is decoded first: a record that does not decode is
 * refused with -EBADMSG (reason in err) and nothing is buffered.
 */
int haven_store_put_raw(struct haven_store *s, const uint8_t *key,
		size_t key_len, const uint8_t *val, size_t val_len,
		char *err, size_t errlen);

/** Buffer the deletion of a key given as bytes. */
int haven_store_delete_raw(struct haven_store *s, const uint8_t *key,
		size_t key_len);

/**
 * Buffer the deletion of every record whose key is after lo and up to hi
 * (lexicographic order of the octets, LMDB's order), the meta record
 * excepted. lo_len 0: from the first key; hi NULL: to the last.
 */
int haven_store_delete_range(struct haven_store *s, const uint8_t *lo,
		size_t lo_len, const uint8_t *hi, size_t hi_len);

/**
 * The control loop's call: commit what is pending in one write
 * transaction. Cheap when nothing is pending.
 * @return changes committed (0 when none), or a negative error (the
 *   changes stay pending and the next call tries again).
 */
int haven_store_tick(struct haven_store *s);

/** Changes a busy loop lets wait for one larger commit (haven_store_poll()). */
#define HAVEN_STORE_GROUP_CHANGES 512
/** The longest a change waits for a larger commit, milliseconds. */
#define HAVEN_STORE_GROUP_MS 5

/**
 * The control loop's call every turn: a group commit. What is pending is
 * committed in one write transaction, as by haven_store_tick(), unless
 * the loop is busy (more input already waits for it, whose changes the
 * same transaction can take) and fewer than HAVEN_STORE_GROUP_CHANGES
 * changes wait, the oldest for less than HAVEN_STORE_GROUP_MS. A commit
 * costs about the same for 32 changes as for 512 (the pages it rewrites,
 * and with HAVEN_STORE_SYNC_EVERY_COMMIT one fsync), so under load fewer,
 * larger commits leave the loop more time for its requests; an idle loop
 * commits at once.
 *
 * @param s     the store.
 * @param busy  more input waits for the loop now.
 * @return changes committed (0 when none, or when they wait), or a
 *   negative error (the changes stay pending).
 */
int haven_store_poll(struct haven_store *s, bool busy);

/**
 * Commit what is pending now, and with HAVEN_STORE_SYNC_INTERVAL sync it
 * too (for a clean shutdown or an operator's "save").
 * @return as haven_store_tick().
 */
int haven_store_flush(struct haven_store *s);

/** Callback of haven_store_restore(): return 0 to go on, else stop. */
typedef int (*haven_store_restore_cb)(void *ctx,
		const struct haven_store_record *r);

/**
 * Read every record (the meta record excepted) in key order, decoded:
 * what an agent calls at start to rebuild its tables. Pending changes are
 * committed first.
 *
 * @return records passed to cb; -EBADMSG when a record does not decode
 *   (err names its key and the reason; nothing after it is read); the
 *   callback's non-zero value (negative) if it stopped; or an LMDB error.
 */
int haven_store_restore(struct haven_store *s, haven_store_restore_cb cb,
		void *ctx, char *err, size_t errlen);

/** Callback of haven_store_scan(): encoded key and value. */
typedef int (*haven_store_scan_cb)(void *ctx, const uint8_t *key,
		size_t key_len, const uint8_t *val, size_t val_len);

/**
 * Read at most max records whose keys come after `after` (after_len 0:
 * from the first), in key order, as bytes: the bulk resync of a standby
 * reads the store in slices with it. Pending changes are committed first,
 * so a slice holds every change put before the call. The meta record is
 * never returned.
 *
 * @return records passed to cb (fewer than max: the end was reached), or
 *   a negative error.
 */
int haven_store_scan(struct haven_store *s, const uint8_t *after,
		size_t after_len, unsigned int max, haven_store_scan_cb cb,
		void *ctx);

/** What a change is, for an observer. */
enum haven_store_op {
	HAVEN_STORE_OP_PUT = 1,		/**< key and value */
	HAVEN_STORE_OP_DELETE = 2,	/**< key */
	HAVEN_STORE_OP_DELETE_RANGE = 3,	/**< key: lo, value: hi (empty
					  * with val NULL: to the end) */
};

/**
 * Observer of changes: called by every put, delete and delete_range as it
 * is buffered (before the commit), with the encoded key and value. The
 * active primary hands them to lib/sync (haven_sync_change()), so the
 * standby receives exactly the bytes stored here. Must not call into the
 * store.
 */
typedef void (*haven_store_observer_fn)(void *ctx, int op,
		const uint8_t *key, size_t key_len, const uint8_t *val,
		size_t val_len);

/** Set (or clear, with NULL) the observer of changes. */
void haven_store_set_observer(struct haven_store *s,
		haven_store_observer_fn fn, void *ctx);

/** The metadata of an open store. */
const struct haven_store_meta *haven_store_meta(const struct haven_store *s);

/** Counters (a copy). */
void haven_store_stats_get(struct haven_store *s,
		struct haven_store_stats *st);

/** Name of a sync policy ("every-commit", "interval", "none"). */
const char *haven_store_sync_name(enum haven_store_sync sync);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_STORE_H */
