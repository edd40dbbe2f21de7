/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_SYNC_H
#define HAVEN_SYNC_H

/**
 * @file
 * State synchronisation between the two primaries of an active/standby
 * pair: the active streams every change of its store (bindings, replay
 * state, delegation state; deletes too) to the standby, and when a
 * standby joins it first sends it the whole store in paced slices (bulk
 * resync), interleaved with the live changes in an order that cannot lose
 * one. Specified in docs/ha-sync-protocol.md; this library implements
 * exactly that document.
 *
 * Pure C over byte buffers and a caller-supplied clock (milliseconds), in
 * the way of lib/deleg: no DPDK, no sockets, no global state, no
 * allocation after haven_sync_create(). The caller moves datagrams (UDP
 * port HAVEN_SYNC_PORT, on the control lcore), tells the library its role
 * (keepalived's VRRP decides it), hands it every change of its store
 * (haven_store_set_observer() does it), reads its store for the bulk
 * resync (ops.scan: haven_store_scan()), and, as a standby, applies what
 * arrives (ops.apply: haven_store_put_raw() and friends).
 *
 * The records are those of lib/store (docs/ha-sync-protocol.md section 5),
 * carried as opaque key and value octets: this library never decodes
 * them, the standby's store does.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "haven_addr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Constants (docs/ha-sync-protocol.md section 8)
 */
#define HAVEN_SYNC_PORT 4435		/**< UDP port, source and destination */
#define HAVEN_SYNC_VERSION 1
#define HAVEN_SYNC_HDR_LEN 28		/**< common header */
#define HAVEN_SYNC_MAC_LEN 32		/**< HMAC-SHA256 trailer */
#define HAVEN_SYNC_MAX_MSG 1400		/**< largest message, header to MAC */
#define HAVEN_SYNC_MAX_BODY (HAVEN_SYNC_MAX_MSG - HAVEN_SYNC_HDR_LEN - \
		HAVEN_SYNC_MAC_LEN)	/**< 1340 */
#define HAVEN_SYNC_MAX_KEY_LEN 64	/**< the pair's key, octets */
#define HAVEN_SYNC_MAX_RECORD_KEY 64	/**< a record's key, octets */
#define HAVEN_SYNC_MAX_RECORD_VALUE 1024	/**< a record's value, octets */
#define HAVEN_SYNC_REPLAY_WINDOW 2048	/**< sequence numbers remembered
					  * (a multiple of 64) */

#define HAVEN_SYNC_HEARTBEAT_MS 100	/**< heartbeat interval (default) */
#define HAVEN_SYNC_DEAD_AFTER 3		/**< silent intervals -> peer dead */
#define HAVEN_SYNC_RTO_MS 200		/**< no ack progress -> go back */
#define HAVEN_SYNC_HELLO_MS 250		/**< standby repeats HELLO */
#define HAVEN_SYNC_WINDOW 256		/**< RECORDS in flight (default) */
#define HAVEN_SYNC_QUEUE_FACTOR 4	/**< queue = window x this (default) */
#define HAVEN_SYNC_BULK_PER_TICK 64	/**< bulk slices made per tick */
#define HAVEN_SYNC_ACK_EVERY 16		/**< standby acks every N messages */
#define HAVEN_SYNC_ACK_DELAY_MS 10	/**< or after this long */
#define HAVEN_SYNC_GAP_HOLDOFF_MS 20	/**< a gap's message is sent again
					  * at most once per this */

/** Message types. */
enum haven_sync_type {
	HAVEN_SYNC_HELLO = 1,		/**< standby -> active: a session */
	HAVEN_SYNC_SESSION = 2,		/**< active -> standby: here it is */
	HAVEN_SYNC_RECORDS = 3,		/**< active -> standby: changes, slices */
	HAVEN_SYNC_ACK = 4,		/**< standby -> active: cumulative */
	HAVEN_SYNC_HEARTBEAT = 5,	/**< both ways, every interval */
	HAVEN_SYNC_BYE = 6,		/**< the session ends */
};

/** Roles (keepalived decides; HEARTBEAT carries it). */
enum haven_sync_role {
	HAVEN_SYNC_ROLE_NONE = 0,	/**< neither (starting, fault) */
	HAVEN_SYNC_ROLE_ACTIVE = 1,
	HAVEN_SYNC_ROLE_STANDBY = 2,
};

/** State of the stream, as seen by either side (HEARTBEAT carries it). */
enum haven_sync_state {
	HAVEN_SYNC_S_IDLE = 0,		/**< no session */
	HAVEN_SYNC_S_HELLO = 1,		/**< standby: HELLO sent, waiting */
	HAVEN_SYNC_S_BULK = 2,		/**< session up, bulk resync running */
	HAVEN_SYNC_S_IN_SYNC = 3,	/**< bulk done: every change streams */
};

/** Operation codes of RECORDS (equal to enum haven_store_op). */
#define HAVEN_SYNC_OP_PUT 1		/**< key and value */
#define HAVEN_SYNC_OP_DELETE 2		/**< key */
#define HAVEN_SYNC_OP_DELETE_RANGE 3	/**< apply(): the bulk slice's range */

/** RECORDS flags. */
#define HAVEN_SYNC_F_BULK 0x01		/**< a bulk slice: (Lo, Hi] complete */
#define HAVEN_SYNC_F_BULK_FIRST 0x02	/**< the first slice of a bulk */
#define HAVEN_SYNC_F_BULK_LAST 0x04	/**< the last: Hi is the end */

/** ACK flags. */
#define HAVEN_SYNC_F_GAP 0x01		/**< a later message came first */

/** Why a session ended (BYE Reason, and SESSION_DOWN events). */
enum haven_sync_reason {
	HAVEN_SYNC_R_SHUTDOWN = 0,	/**< the sender stops */
	HAVEN_SYNC_R_ROLE_CHANGE = 1,	/**< the sender changed role */
	HAVEN_SYNC_R_OVERFLOW = 2,	/**< active: the standby fell behind
					  * its queue; a new bulk follows */
	HAVEN_SYNC_R_NEW_SESSION = 3,	/**< a new HELLO replaced it */
	/* local outcomes, never on the wire */
	HAVEN_SYNC_R_PEER_DEAD = 128,	/**< the peer went silent */
	HAVEN_SYNC_R_PEER_RESTARTED = 129,	/**< its heartbeat names another
					  * session */
};

/* ---------------------------------------------------------------------
 * Codec
 */

/** A decoded message; RECORDS point into the datagram. */
struct haven_sync_msg {
	uint8_t type;			/**< enum haven_sync_type */
	uint32_t sender_id;
	uint32_t receiver_id;
	uint64_t seq;			/**< sequence number (anti-replay) */
	uint64_t session;		/**< session id; 0 in HELLO */
	union {
		struct {
			uint64_t nonce;		/**< echoed by SESSION */
			uint32_t boot_id;	/**< the standby's */
		} hello;
		struct {
			uint64_t nonce;		/**< the HELLO's */
			uint32_t boot_id;	/**< the active's */
			uint16_t window;	/**< RECORDS it keeps in flight */
			uint64_t records;	/**< records at bulk start */
		} session;
		struct {
			uint64_t stream_seq;	/**< 1, 2, ... in a session */
			uint8_t flags;		/**< HAVEN_SYNC_F_BULK* */
			uint8_t lo_len, hi_len;	/**< bulk range (Lo, Hi] */
			const uint8_t *lo, *hi;
			uint16_t n_ops;
			const uint8_t *ops;	/**< n_ops operations */
			size_t ops_len;
		} records;
		struct {
			uint64_t acked;		/**< highest stream seq applied
						  * in order */
			uint8_t flags;		/**< HAVEN_SYNC_F_GAP */
		} ack;
		struct {
			uint8_t role;		/**< enum haven_sync_role */
			uint8_t state;		/**< enum haven_sync_state */
			uint32_t interval_ms;	/**< until the next one */
			uint32_t boot_id;
			uint64_t stream_seq;	/**< active: highest sent;
						  * standby: highest applied */
		} heartbeat;
		struct {
			uint8_t reason;		/**< enum haven_sync_reason */
		} bye;
	} u;
};

/** One operation of a RECORDS message. */
struct haven_sync_op {
	uint8_t op;			/**< HAVEN_SYNC_OP_PUT or _DELETE */
	uint8_t key_len;
	uint16_t val_len;		/**< 0 for DELETE */
	const uint8_t *key;
	const uint8_t *val;
};

/**
 * Append an operation to a RECORDS operation list.
 * @param ops  the list; *len its length, advanced.
 * @return 0, -ENOSPC if it does not fit cap, -EINVAL if malformed.
 */
int haven_sync_op_append(uint8_t *ops, size_t cap, size_t *len,
		const struct haven_sync_op *op);

/**
 * Next operation of a decoded RECORDS message (already checked by the
 * decoder). *off starts at 0. @return 1 with *op set, 0 at the end.
 */
int haven_sync_op_next(const struct haven_sync_msg *msg, size_t *off,
		struct haven_sync_op *op);

/**
 * Encode and authenticate a message.
 * @return octets written, or -EINVAL / -ENOSPC.
 */
int haven_sync_encode(const struct haven_sync_msg *msg, const uint8_t *key,
		size_t key_len, uint8_t *buf, size_t buflen);

/**
 * Verify the HMAC (constant time), then decode and check every field
 * (the ops of RECORDS included: lengths, bulk keys inside (Lo, Hi] in
 * increasing order). Sequence numbers are not checked here.
 * @return 0; -EBADMSG malformed (reason in err); -EACCES bad HMAC.
 */
int haven_sync_decode(const uint8_t *buf, size_t len, const uint8_t *key,
		size_t key_len, struct haven_sync_msg *msg, char *err,
		size_t errlen);

/* ---------------------------------------------------------------------
 * The state machines
 */

/** What the library tells its caller. */
enum haven_sync_event {
	/** A session is up (active: a standby said HELLO; standby: SESSION). */
	HAVEN_SYNC_EV_SESSION_UP,
	/**
	 * The bulk resync is complete: active, the last slice was acked;
	 * standby, it was applied (the standby now holds the active's state
	 * and follows every change). arg: records sent or applied in bulk.
	 */
	HAVEN_SYNC_EV_BULK_DONE,
	/** The session ended; arg: enum haven_sync_reason. */
	HAVEN_SYNC_EV_SESSION_DOWN,
	/** The peer says it is active too (arg 1), or no longer (arg 0). */
	HAVEN_SYNC_EV_PEER_ACTIVE,
	/** The peer went silent (arg 0) or was heard again (arg 1). */
	HAVEN_SYNC_EV_PEER_ALIVE,
	/** Standby: apply() refused a record; arg: its return value. */
	HAVEN_SYNC_EV_APPLY_ERROR,
};

/** Callback of ops.scan() for each record it reads: non-zero stops it. */
typedef int (*haven_sync_scan_cb)(void *cb_ctx, const uint8_t *key,
		size_t key_len, const uint8_t *val, size_t val_len);

/** Callbacks of the caller. None may call into the library. */
struct haven_sync_ops {
	/** Send msg[0..len) to the peer, UDP port HAVEN_SYNC_PORT. */
	void (*send)(void *ctx, const uint8_t *msg, size_t len);
	/**
	 * Active: read at most max records whose keys come after `after`
	 * (after_len 0: from the first) in key order, passing each to cb,
	 * and return how many were passed, or a negative error. It must see
	 * every change handed to haven_sync_change() before the call
	 * (haven_store_scan() commits what is pending first): the bulk's
	 * correctness rests on it (docs/ha-sync-protocol.md 6.4).
	 */
	int (*scan)(void *ctx, const uint8_t *after, size_t after_len,
			unsigned int max, haven_sync_scan_cb cb, void *cb_ctx);
	/**
	 * Standby: apply one operation in order. PUT (key, val), DELETE
	 * (key), DELETE_RANGE (key = lo, exclusive, lo_len 0: from the
	 * first; val = hi, inclusive, NULL: to the end; the meta record is
	 * never in a range). Return 0 or a negative error (counted, raised
	 * as APPLY_ERROR; the stream goes on).
	 */
	int (*apply)(void *ctx, int op, const uint8_t *key, size_t key_len,
			const uint8_t *val, size_t val_len);
	/** An event (enum haven_sync_event) with its argument. */
	void (*event)(void *ctx, int event, uint64_t arg);
	/** Optional: one line of log. */
	void (*log)(void *ctx, const char *line);
	/**
	 * Optional, active: how many records the store holds, sent in
	 * SESSION so that the standby can show the progress of the bulk
	 * (0 when NULL).
	 */
	uint64_t (*count)(void *ctx);
};

/** Parameters; zero members take the defaults. */
struct haven_sync_params {
	uint32_t self_id;		/**< this primary's id in the pair */
	uint32_t peer_id;		/**< the other's */
	struct haven_addr peer_addr;	/**< the other's address (input
					  * from elsewhere is refused) */
	const uint8_t *key;		/**< HMAC-SHA256 key of the pair */
	size_t key_len;			/**< 1..HAVEN_SYNC_MAX_KEY_LEN */
	uint32_t heartbeat_ms;		/**< HAVEN_SYNC_HEARTBEAT_MS */
	uint32_t dead_after;		/**< HAVEN_SYNC_DEAD_AFTER */
	uint32_t window;		/**< HAVEN_SYNC_WINDOW, 1..4096 */
	uint32_t queue;			/**< window x 4; >= window */
	uint32_t rto_ms;		/**< HAVEN_SYNC_RTO_MS */
	uint32_t bulk_per_tick;		/**< HAVEN_SYNC_BULK_PER_TICK */
	uint64_t seq_base;		/**< wall clock in microseconds: the
					  * first sequence number is +1 */
	uint32_t boot_id;		/**< changes at every start */
	const struct haven_sync_ops *ops;
	void *ctx;
};

/** Counters. */
struct haven_sync_stats {
	uint64_t tx[7], rx[7];		/**< per type (index: type) */
	uint64_t tx_bytes, rx_bytes;
	uint64_t malformed, unknown_sender, bad_auth, misdirected;
	uint64_t unexpected;		/**< a type this role does not take */
	uint64_t replayed;		/**< sequence number seen or too old */
	uint64_t wrong_session;		/**< RECORDS/ACK of another session */
	uint64_t out_of_order;		/**< standby: kept ahead of its turn
					  * (or dropped beyond the window);
					  * the gap acknowledged */
	uint64_t duplicates;		/**< standby: stream seq already had */
	uint64_t retransmits;		/**< active: RECORDS sent again */
	uint64_t go_backs;		/**< active: retransmission timeouts */
	uint64_t fast_retransmits;	/**< active: a gap filled at once */
	uint64_t probes;		/**< active: oldest message sent again
					  * after four round trips unacked */
	uint64_t records_sent;		/**< active: operations, live + bulk */
	uint64_t suppressed;		/**< active: live changes left to the
					  * bulk (key not yet covered) */
	uint64_t no_session;		/**< active: changes without a standby */
	uint64_t overflows;		/**< active: queue full, session ended */
	uint64_t applied;		/**< standby: operations applied */
	uint64_t apply_errors;		/**< standby: apply() failed */
	uint64_t sessions;		/**< sessions started */
	uint64_t bulks_done;		/**< bulk resyncs completed */
	uint64_t bulk_records;		/**< records of the last bulk */
	uint64_t bulk_ms;		/**< duration of the last bulk */
	uint64_t dual_active;		/**< heartbeats: the peer is active too */
	uint32_t in_flight;		/**< active: RECORDS sent, not acked */
	uint32_t queued;		/**< active: RECORDS waiting or in flight */
};

struct haven_sync;

/**
 * Create a context (role NONE). The only allocation of the library: the
 * queue of RECORDS the active keeps until they are acked.
 * @return the context, or NULL (errno EINVAL or ENOMEM).
 */
struct haven_sync *haven_sync_create(const struct haven_sync_params *p,
		uint64_t now_ms);

/** Free a context (say haven_sync_shutdown() first to tell the peer). */
void haven_sync_free(struct haven_sync *s);

/**
 * The role keepalived gave this primary. Leaving a role ends its session
 * (BYE, SESSION_DOWN). A standby asks for a session at once (HELLO);
 * an active waits for one.
 */
void haven_sync_set_role(struct haven_sync *s, enum haven_sync_role role,
		uint64_t now_ms);

/** End the session with a BYE (reason SHUTDOWN) before stopping. */
void haven_sync_shutdown(struct haven_sync *s, uint64_t now_ms);

/**
 * Active: a change of the store (op HAVEN_SYNC_OP_PUT or _DELETE, as the
 * store's observer gives it). Buffered into the next RECORDS message,
 * sent at the next tick or flush. Ignored (0) in other roles and counted
 * when no standby is there: the next bulk carries the state anyway.
 * @return 0, or -EINVAL (op or lengths).
 */
int haven_sync_change(struct haven_sync *s, int op, const uint8_t *key,
		size_t key_len, const uint8_t *val, size_t val_len);

/** Active: send the buffered changes now instead of at the next tick. */
void haven_sync_flush(struct haven_sync *s, uint64_t now_ms);

/**
 * A datagram from src on the sync port: authenticate, check, process.
 * Forged, replayed, misdirected or unexpected datagrams change nothing
 * but counters.
 * @return 0 if processed, or why not: -EBADMSG malformed; -ENOENT sender
 *   id not the peer's; -EACCES HMAC; -EADDRNOTAVAIL receiver id not ours;
 *   -EPERM source is not the peer's address; -EPROTO a type this role
 *   does not take; -EALREADY sequence number replayed or too old;
 *   -ESRCH another session, or a stream seq out of order.
 */
int haven_sync_input(struct haven_sync *s, const struct haven_addr *src,
		const uint8_t *buf, size_t len, uint64_t now_ms);

/**
 * Heartbeats, liveness, HELLO retries, bulk slices, retransmission,
 * delayed acks. Call every 1-10 ms on the control lcore (each call makes
 * at most bulk_per_tick slices).
 */
void haven_sync_tick(struct haven_sync *s, uint64_t now_ms);

/** The current role and stream state. */
enum haven_sync_role haven_sync_role(const struct haven_sync *s);
enum haven_sync_state haven_sync_state(const struct haven_sync *s);

/** True while the peer is heard within its dead interval. */
bool haven_sync_peer_alive(const struct haven_sync *s);

/** Counters (a copy). */
void haven_sync_stats_get(const struct haven_sync *s,
		struct haven_sync_stats *st);

/** Names for logs, the console and telemetry. */
const char *haven_sync_type_name(uint8_t type);
const char *haven_sync_role_name(uint8_t role);
const char *haven_sync_state_name(uint8_t state);
const char *haven_sync_reason_name(uint8_t reason);
const char *haven_sync_event_name(int event);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_SYNC_H */
