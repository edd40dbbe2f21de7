/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_DELEG_H
#define HAVEN_DELEG_H

/**
 * @file
 * The delegation protocol between a primary home agent (PHA) and its
 * secondary home agents (SHA): EP 1134991's Start Forwarding, Stop
 * Forwarding, their acknowledgements, and the SHA's periodic report, with
 * the scale extension (batches, heartbeats, counter deltas,
 * reconciliation). Specified in docs/delegation-protocol.md; this library
 * implements exactly that document.
 *
 * Pure C over byte buffers and a caller-supplied clock (milliseconds): no
 * DPDK, no sockets, no heap allocation after init, no global state. The
 * caller moves bytes (the haven control lcore sends and receives them on
 * its DPDK ports) and acts on the events the state machines raise.
 *
 * Three layers:
 *  - codec: encode/decode of every message, HMAC-SHA256 (per-peer key)
 *    and the anti-replay window of sequence numbers;
 *  - PHA state machine: one struct haven_deleg_binding per delegated home
 *    address (embedded in the caller's memory), queued behind a window of
 *    transactions per secondary, sent in batches, retransmitted with
 *    backoff, moved make-before-break between secondaries, reconciled
 *    against what each secondary says it holds, peer liveness from
 *    heartbeats;
 *  - SHA state machine: the bindings a secondary holds for its primaries,
 *    in a table the caller sizes (its capacity), with the forwarding
 *    duration of each ([0031]), heartbeats and counter deltas.
 *
 * Bindings are IPv4 or IPv6 ([0039], [0040], claims 3 and 11). The header's
 * Family field says which addresses a message's body carries; in memory
 * every address is a family-tagged struct haven_addr (lib/common), and a
 * binding's family is that of its home address. IPv4 messages are byte
 * for byte those of the IPv4-only version of this library, IPv6 ones
 * those of the version with *6 address twins.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "haven_addr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Constants (docs/delegation-protocol.md, section "Constants")
 */
#define HAVEN_DELEG_PORT 4434		/**< UDP port, source and destination */
#define HAVEN_DELEG_VERSION 1
#define HAVEN_DELEG_HDR_LEN 28		/**< common header */
#define HAVEN_DELEG_MAC_LEN 32		/**< HMAC-SHA256 trailer */
#define HAVEN_DELEG_MAX_MSG 1400	/**< largest message, header to MAC */
#define HAVEN_DELEG_MAX_KEY 64		/**< per-peer key, bytes */
#define HAVEN_DELEG_MAX_COA 4		/**< care-of addresses per binding */
#define HAVEN_DELEG_REPLAY_WINDOW 64	/**< sequence numbers remembered */

#define HAVEN_DELEG_RETX_INITIAL_MS 200	/**< first retransmission */
#define HAVEN_DELEG_RETX_MAX_MS 1000	/**< backoff ceiling */
/**
 * Sends of a request before giving up: with the backoff above, the last
 * at 19.4 s and the give-up at 20.4 s after the first. On a path that
 * loses 30 % each way (a send answered with probability 0.49) all 22 fail
 * with probability 3.7e-7; with 10 sends, 1.2e-3. Counted, not timed: a
 * stalled PHA or a full datagram window sends later, never fewer times.
 */
#define HAVEN_DELEG_RETX_TRIES 22
#define HAVEN_DELEG_REPORT_MS 1000	/**< SHA report interval (default) */
#define HAVEN_DELEG_DEAD_REPORTS 3	/**< missed reports -> peer dead */
#define HAVEN_DELEG_DURATION_INFINITE 0xffffffffu /**< duration_s: no end */
#define HAVEN_DELEG_FAMILY_NONE 0	/**< header Family of types 6, 7, 8,
					  * 10: no addresses of one family */
#define HAVEN_DELEG_FAMILY_IPV4 4	/**< header Family: IPv4 addresses */
#define HAVEN_DELEG_FAMILY_IPV6 6	/**< header Family: IPv6 addresses */
#define HAVEN_DELEG_ADDR6_LEN 16	/**< an IPv6 address, octets */

/* The scale extension (section "Scale"). */
#define HAVEN_DELEG_BATCH_MAX 64	/**< records in a BATCH/BATCH_ACK */
#define HAVEN_DELEG_COUNTERS_MAX 55	/**< COUNTERS entries, Family 4 */
#define HAVEN_DELEG_COUNTERS_MAX6 37	/**< COUNTERS entries, Family 6 */
#define HAVEN_DELEG_INVENTORY_MAX 165	/**< INVENTORY entries, Family 4 */
#define HAVEN_DELEG_INVENTORY_MAX6 66	/**< INVENTORY entries, Family 6 */
#define HAVEN_DELEG_MIN_INTERVAL_MS 10	/**< shortest heartbeat interval */
#define HAVEN_DELEG_SYNC_RETRY_MS 2000	/**< SYNC to one peer, at most */
#define HAVEN_DELEG_SYNC_TRIES 3	/**< SYNCs to a silent (v1) peer */
#define HAVEN_DELEG_SYNC_MIN_MS 1000	/**< SHA: INVENTORY per primary */
#define HAVEN_DELEG_DIGEST_QUIET 2	/**< quiet mismatches -> SYNC */
#define HAVEN_DELEG_MAX_DGRAM_WINDOW 64	/**< datagram window, ceiling */

/* Defaults of the configurations (haven_deleg_*_config_default()). */
#define HAVEN_DELEG_WINDOW 512		/**< transactions in flight, per SHA */
#define HAVEN_DELEG_DGRAM_WINDOW 16	/**< request datagrams in flight,
					  * per SHA */
#define HAVEN_DELEG_RX_BUDGET 256	/**< request datagrams in flight over
					  * all SHAs: a quarter of a
					  * 1024-packet receive ring */
#define HAVEN_DELEG_MOVE_RATE 2000	/**< moves started per second */
#define HAVEN_DELEG_MOVE_BURST 256	/**< moves started at once, at most */
#define HAVEN_DELEG_SHA_WINDOW 32	/**< SHA: datagrams it takes in
					  * flight from one primary */
#define HAVEN_DELEG_COUNTERS_BUDGET 220	/**< SHA: entries per COUNTERS
					  * round (4 datagrams of 55) */

/** Features an agent announces (HEARTBEAT, SYNC). */
#define HAVEN_DELEG_FEAT_BATCH 0x0001	/**< types 6..11 */
#define HAVEN_DELEG_FEAT_UDP 0x0002	/**< encap 4 (RFC 3519) accepted */
#define HAVEN_DELEG_FEAT_IPV6 0x0004	/**< Family 6 bindings accepted */

/** Encap of a binding (START). */
#define HAVEN_DELEG_ENCAP_IPIP 0	/**< IPv4: IP in IP (RFC 2003) */
#define HAVEN_DELEG_ENCAP_MINIMAL 1	/**< IPv4: minimal (RFC 2004) */
#define HAVEN_DELEG_ENCAP_GRE 2		/**< IPv4: GRE (RFC 2784) */
#define HAVEN_DELEG_ENCAP_IP6IP6 3	/**< IPv6: IPv6 in IPv6 (RFC 2473),
					  * the only one of Family 6 */
#define HAVEN_DELEG_ENCAP_UDP 4		/**< IPv4: IP in UDP (RFC 3519), to
					  * a NAT's public address and port,
					  * from the PHA's address and port */

/** What a UDP tunnel carries: RFC 3519 Next Header values (encap 4). */
#define HAVEN_DELEG_UDP_NH_IP 4		/**< IP in IP (the default) */
#define HAVEN_DELEG_UDP_NH_GRE 47	/**< GRE */
#define HAVEN_DELEG_UDP_NH_MINIMAL 55	/**< minimal encapsulation */

/** Message types. */
enum haven_deleg_type {
	HAVEN_DELEG_START = 1,		/**< PHA -> SHA: Start Forwarding */
	HAVEN_DELEG_START_ACK = 2,	/**< SHA -> PHA */
	HAVEN_DELEG_STOP = 3,		/**< PHA -> SHA: Stop Forwarding */
	HAVEN_DELEG_STOP_ACK = 4,	/**< SHA -> PHA */
	HAVEN_DELEG_REPORT = 5,		/**< SHA -> PHA, periodic (v1) */
	HAVEN_DELEG_BATCH = 6,		/**< PHA -> SHA: STARTs and STOPs */
	HAVEN_DELEG_BATCH_ACK = 7,	/**< SHA -> PHA: their acks */
	HAVEN_DELEG_HEARTBEAT = 8,	/**< SHA -> PHA: liveness, load */
	HAVEN_DELEG_COUNTERS = 9,	/**< SHA -> PHA: changed counters */
	HAVEN_DELEG_SYNC = 10,		/**< PHA -> SHA: send INVENTORY */
	HAVEN_DELEG_INVENTORY = 11,	/**< SHA -> PHA: all it holds */
};

/** Status of an acknowledgement. */
enum haven_deleg_status {
	HAVEN_DELEG_OK = 0,		/**< done (also: already done) */
	HAVEN_DELEG_OVER_CAPACITY = 1,	/**< SHA holds its capacity */
	HAVEN_DELEG_STALE = 2,		/**< older generation than installed */
	HAVEN_DELEG_BAD_REQUEST = 3,	/**< well authenticated, unusable */
	HAVEN_DELEG_NOT_PRIMARY = 4,	/**< sender is not a primary of ours */
	/* Local outcomes, passed to event callbacks, never on the wire. */
	HAVEN_DELEG_NO_ANSWER = 128,	/**< retransmissions exhausted */
	HAVEN_DELEG_PEER_LOST = 129,	/**< peer dead or restarted */
	HAVEN_DELEG_CANCELLED = 130,	/**< undone before it was sent */
	HAVEN_DELEG_LOST = 131,		/**< the SHA no longer holds it
					  * (reconciliation) */
};

/** Why a Stop Forwarding was sent. */
enum haven_deleg_stop_reason {
	HAVEN_DELEG_STOP_UNDELEGATE = 0,	/**< operator, balancer, move */
	HAVEN_DELEG_STOP_DEREGISTERED = 1,	/**< node deregistered [0030] */
	HAVEN_DELEG_STOP_EXPIRED = 2,		/**< lifetime ran out [0030] */
	HAVEN_DELEG_STOP_TAKEBACK = 3,		/**< PHA took it back */
};

/* ---------------------------------------------------------------------
 * Codec
 */

/**
 * What a binding is: the body of Start Forwarding. Every address has the
 * family of home_addr (HAVEN_AF_INET or HAVEN_AF_INET6, the numbers of
 * the header's Family field), which is the binding's family.
 */
struct haven_deleg_binding_info {
	struct haven_addr home_addr;	/**< names the binding */
	struct haven_addr outer_src;	/**< tunnel source: the PHA
					  * (claim 5) */
	uint32_t generation;		/**< bumped on every change */
	uint32_t duration_s;		/**< forwarding duration [0031] */
	uint8_t encap;			/**< HAVEN_DELEG_ENCAP_*: IPv4 0..2
					  * and 4, IPv6 3 */
	uint8_t flags;			/**< HAVEN_DELEG_F_* */
	uint8_t n_coa;			/**< 1..HAVEN_DELEG_MAX_COA */
	struct haven_addr coa[HAVEN_DELEG_MAX_COA];	/**< care-of addresses */
	/*
	 * HAVEN_DELEG_ENCAP_UDP only (section 2.3.1); ignored (and decoded
	 * as 0) otherwise. The SHA sends IP in UDP to nat_addr[i]:nat_port[i]
	 * from outer_src:udp_src_port, the address and port the mobile
	 * node's NAT mapping expects (claim 5).
	 */
	uint16_t udp_src_port;		/**< the PHA's port (434) */
	uint8_t udp_next_header;	/**< HAVEN_DELEG_UDP_NH_* */
	struct haven_addr nat_addr[HAVEN_DELEG_MAX_COA];/**< IPv4, public
							  * address of
							  * coa[i]'s NAT */
	uint16_t nat_port[HAVEN_DELEG_MAX_COA];	/**< its public UDP port */
};

/** True if a Family number (header, haven_addr family) is IPv6. */
static inline bool
haven_deleg_family_is_ipv6(uint8_t family)
{
	return family == HAVEN_DELEG_FAMILY_IPV6;
}

/** The family of a binding: HAVEN_AF_INET or HAVEN_AF_INET6 (0: none). */
static inline uint8_t
haven_deleg_info_family(const struct haven_deleg_binding_info *bi)
{
	return bi->home_addr.family;
}

#define HAVEN_DELEG_F_REVERSE_TUNNEL 0x01	/**< T flag of the binding */

/**
 * One per-binding line of a REPORT or COUNTERS message; its family is the
 * message's.
 */
struct haven_deleg_report_entry {
	struct haven_addr home_addr;
	uint32_t generation;
	uint64_t packets;		/**< tunnelled by the SHA since Start */
	uint64_t bytes;
};

/** Most entries one report message carries (IPv4; the array size). */
#define HAVEN_DELEG_REPORT_MAX_ENTRIES 48
/** Most entries one Family 6 report message carries (36 x 36 octets). */
#define HAVEN_DELEG_REPORT_MAX_ENTRIES6 36

/** One request of a BATCH: a START or a STOP with its own transaction. */
struct haven_deleg_record {
	uint8_t kind;			/**< HAVEN_DELEG_START or _STOP */
	uint32_t txn;			/**< its transaction (not 0) */
	union {
		struct haven_deleg_binding_info start;	/**< START */
		struct {
			struct haven_addr home_addr;
			uint32_t generation;
			uint8_t reason;	/**< enum haven_deleg_stop_reason */
		} stop;					/**< STOP */
	};
};

/** One acknowledgement of a BATCH_ACK. */
struct haven_deleg_ack_record {
	uint8_t kind;			/**< HAVEN_DELEG_START_ACK or _STOP_ACK */
	uint8_t status;			/**< enum haven_deleg_status */
	uint32_t txn;			/**< the record's it answers */
	uint32_t generation;		/**< echoed */
	struct haven_addr home_addr;	/**< echoed */
};

/** One line of an INVENTORY: a binding the SHA holds. */
struct haven_deleg_inventory_entry {
	struct haven_addr home_addr;
	uint32_t generation;
};

/** A decoded message (header and body). */
struct haven_deleg_msg {
	uint8_t type;			/**< enum haven_deleg_type */
	uint32_t sender_id;		/**< agent id of the sender */
	uint32_t receiver_id;		/**< agent id it is meant for */
	uint64_t seq;			/**< sequence number (anti-replay) */
	/**
	 * Transaction: an ack echoes it. BATCH: a datagram id the
	 * BATCH_ACK echoes; SYNC: the id every INVENTORY part echoes;
	 * 0 in REPORT, HEARTBEAT and COUNTERS.
	 */
	uint32_t txn;
	/**
	 * Header Family. START, acks, STOP, REPORT, COUNTERS, INVENTORY:
	 * HAVEN_DELEG_FAMILY_IPV4 or _IPV6, what the decoder writes; the
	 * encoder takes 0 for "the family of the body's addresses" (IPv4
	 * for a message without entries) and otherwise requires every
	 * address of the body to be of this family. BATCH, BATCH_ACK,
	 * HEARTBEAT, SYNC: HAVEN_DELEG_FAMILY_NONE (each record says its
	 * own).
	 */
	uint8_t family;
	union {
		struct haven_deleg_binding_info start;	/**< START */
		struct {
			struct haven_addr home_addr;
			uint32_t generation;
			uint8_t status;		/**< enum haven_deleg_status */
			uint32_t load;		/**< bindings held for this PHA */
			uint32_t capacity;	/**< load + SHA entries free */
		} ack;					/**< START_ACK, STOP_ACK */
		struct {
			struct haven_addr home_addr;
			uint32_t generation;
			uint8_t reason;		/**< enum haven_deleg_stop_reason */
		} stop;					/**< STOP */
		struct {
			uint32_t interval_ms;	/**< until the next report */
			uint32_t load;		/**< bindings held for this PHA */
			uint32_t capacity;	/**< SHA capacity left + used */
			uint64_t packets;	/**< total tunnelled for this PHA */
			uint64_t bytes;
			uint16_t part, parts;	/**< this message of a report */
			uint16_t n_entries;	/**< at most 48 (IPv4), 36 (IPv6) */
			uint32_t boot_id;	/**< changes when the SHA restarts */
			struct haven_deleg_report_entry
				entries[HAVEN_DELEG_REPORT_MAX_ENTRIES];
		} report;				/**< REPORT */
		struct {
			uint16_t n;		/**< 1..HAVEN_DELEG_BATCH_MAX */
			struct haven_deleg_record rec[HAVEN_DELEG_BATCH_MAX];
		} batch;				/**< BATCH */
		struct {
			uint32_t load;		/**< after the whole batch */
			uint32_t capacity;
			uint16_t n;		/**< 1..HAVEN_DELEG_BATCH_MAX */
			struct haven_deleg_ack_record
				rec[HAVEN_DELEG_BATCH_MAX];
		} batch_ack;				/**< BATCH_ACK */
		struct {
			uint32_t interval_ms;	/**< until the next heartbeat */
			uint32_t load;
			uint32_t capacity;
			uint32_t boot_id;
			uint16_t window;	/**< datagrams the SHA takes in
						  * flight from this PHA */
			uint16_t features;	/**< HAVEN_DELEG_FEAT_* */
			uint64_t digest;	/**< of what it holds for this PHA */
			uint64_t packets;	/**< totals for this PHA */
			uint64_t bytes;
		} heartbeat;				/**< HEARTBEAT */
		struct {
			uint16_t n_entries;	/**< 1..55 (IPv4), 1..37 (IPv6) */
			struct haven_deleg_report_entry
				entries[HAVEN_DELEG_COUNTERS_MAX];
		} counters;				/**< COUNTERS */
		struct {
			uint16_t features;	/**< the PHA's HAVEN_DELEG_FEAT_* */
		} sync;					/**< SYNC */
		struct {
			uint32_t load;		/**< entries in all parts */
			uint16_t part, parts;
			uint16_t n_entries;	/**< 0..165 (IPv4), 0..66 (IPv6) */
			uint64_t digest;	/**< of all parts' entries */
			struct haven_deleg_inventory_entry
				entries[HAVEN_DELEG_INVENTORY_MAX];
		} inventory;				/**< INVENTORY */
	} u;
};

/**
 * Encode and authenticate a message.
 *
 * @return bytes written (header, body, HMAC), or -EINVAL / -ENOSPC.
 */
int haven_deleg_encode(const struct haven_deleg_msg *msg, const uint8_t *key,
		size_t key_len, uint8_t *buf, size_t buflen);

/**
 * Read the sender id of a message without trusting it (to pick the key).
 * @return 0, or -EINVAL if too short or not our version.
 */
int haven_deleg_peek_sender(const uint8_t *buf, size_t len, uint32_t *sender);

/**
 * Verify the HMAC (constant time) and decode. Does not check the sequence
 * number: see haven_deleg_replay_check().
 *
 * @return 0; -EBADMSG malformed; -EACCES authentication failed.
 */
int haven_deleg_decode(const uint8_t *buf, size_t len, const uint8_t *key,
		size_t key_len, struct haven_deleg_msg *msg, char *err,
		size_t errlen);

/**
 * The reconciliation digest of one binding (section "Digest"): the first
 * 8 octets of SHA-256(Family || Home Address || Generation), big-endian.
 * The digest of a set is the sum of its bindings' modulo 2^64.
 */
uint64_t haven_deleg_digest(const struct haven_addr *home_addr,
		uint32_t generation);

/** Sliding anti-replay window (RFC 4303 section 3.4.3 style). */
struct haven_deleg_replay {
	uint64_t highest;		/**< highest sequence accepted */
	uint64_t bitmap;		/**< bit i: highest - i seen */
};

/**
 * Accept a sequence number once: newer than highest - window and not seen.
 * Call only after the HMAC verified. @return 0 accepted, -1 replayed/old.
 */
int haven_deleg_replay_check(struct haven_deleg_replay *r, uint64_t seq);

/* ---------------------------------------------------------------------
 * Peers
 */

struct haven_deleg_binding;
struct haven_deleg_txn;

/** A request datagram awaiting its acknowledgement (flow control). */
struct haven_deleg_flight {
	uint32_t id;			/**< header Transaction ID */
	bool oneshot;			/**< best-effort STOPs: no txn */
	uint64_t expires_ms;		/**< counted until then */
};

/** A configured peer: a secondary (for a PHA) or a primary (for an SHA). */
struct haven_deleg_peer {
	char name[32];
	uint32_t id;				/**< its agent id */
	uint32_t addr;				/**< its address, NBO */
	uint8_t key[HAVEN_DELEG_MAX_KEY];
	uint8_t key_len;
	uint32_t capacity;			/**< SHA: load + free, reported */
	/* state, owned by the library */
	uint64_t tx_seq;			/**< last sequence sent */
	struct haven_deleg_replay rx;		/**< received sequences */
	bool alive;				/**< heard within dead interval */
	uint64_t last_heard_ms;
	uint32_t report_interval_ms;		/**< from its last report or
						  * heartbeat */
	uint32_t load;				/**< PHA: reported by the SHA;
						  * SHA: held for this primary */
	uint64_t reported_packets;		/**< from its last report */
	uint32_t n_delegated;			/**< PHA: bindings on it (ours) */
	bool removed;				/**< being deleted: no new work */
	bool boot_known;			/**< PHA: boot_id is set */
	uint32_t boot_id;			/**< PHA: from the SHA's reports */
	/**
	 * Speaks the scale extension (section "Scale"). PHA: the SHA sent
	 * a message of types 7..11 (and not a REPORT since): requests go in
	 * BATCHes. SHA: the primary sent a BATCH or SYNC (and no single
	 * START or STOP since): HEARTBEATs and COUNTERS replace REPORTs.
	 */
	bool ext;
	uint16_t features;			/**< PHA: from its heartbeats */
	uint64_t digest;			/**< PHA: of what it should hold;
						  * SHA: of what it holds for
						  * this primary */
	struct {
		uint64_t tx, rx, retransmits, bad_auth, replayed, malformed,
			timeouts;
		uint64_t misdirected;	/**< wrong receiver id or source */
		uint64_t unexpected;	/**< wrong type, unknown txn */
		uint64_t orphans;	/**< PHA: STOPs for unknown bindings */
		uint64_t records_tx;	/**< PHA: START/STOP records sent */
		uint64_t dgram_timeouts; /**< PHA: unanswered datagrams */
		uint64_t syncs;		/**< PHA: SYNCs sent; SHA: answered */
		uint64_t lost;		/**< PHA: bindings it had lost */
		uint64_t dropped;	/**< PHA: best-effort STOPs not sent
					  * (windows full) */
	} stats;
	TAILQ_HEAD(, haven_deleg_binding) bindings;	/**< PHA: on this peer */

	/* PHA: flow control (section "Flow Control") */
	TAILQ_HEAD(, haven_deleg_txn) queue;	/**< waiting for the window */
	TAILQ_HEAD(, haven_deleg_txn) pending;	/**< sent, not yet acked */
	uint32_t n_queued;			/**< on queue */
	uint32_t n_outstanding;			/**< on pending: the window */
	uint64_t next_due_ms;			/**< no retransmission before */
	uint16_t window;			/**< datagrams it takes (its
						  * heartbeat; 0: unknown) */
	uint16_t n_flight;
	struct haven_deleg_flight flight[HAVEN_DELEG_MAX_DGRAM_WINDOW];

	/* PHA: reconciliation (section "Reconciliation") */
	bool quiet;				/**< nothing outstanding since
						  * the previous heartbeat */
	uint8_t mismatches;			/**< quiet digest mismatches */
	uint8_t sync_tries;			/**< unanswered SYNCs (v1) */
	bool sync_due;				/**< send a SYNC when allowed */
	uint32_t sync_id;			/**< outstanding SYNC, or 0 */
	uint64_t sync_sent_ms;
	uint64_t sync_next_ms;			/**< not before */
	uint32_t sync_parts;			/**< INVENTORY parts seen */
	uint64_t sync_sum;			/**< digest of entries seen */
	uint64_t digest_agreed_ms;		/**< last heartbeat whose digest
						  * was what it should hold */

	/* SHA: per-primary state */
	uint32_t cursor;			/**< next COUNTERS entry */
	uint64_t total_packets, total_bytes;	/**< at the last round */
	uint64_t inventory_ms;			/**< last INVENTORY sent */
};

/* ---------------------------------------------------------------------
 * PHA state machine
 */

/** Delegation state of one binding at the PHA. */
enum haven_deleg_state {
	HAVEN_DELEG_S_LOCAL = 0,	/**< PHA forwards; no SHA involved */
	HAVEN_DELEG_S_STARTING,		/**< START queued or sent; PHA still
					  * forwards */
	HAVEN_DELEG_S_DELEGATED,	/**< SHA acked; SHA intercepts */
	HAVEN_DELEG_S_UPDATING,		/**< new generation sent; SHA forwards */
	HAVEN_DELEG_S_STOPPING,		/**< STOP sent; PHA forwards again */
	HAVEN_DELEG_S_MOVING,		/**< START sent to another SHA; the
					  * first one still forwards */
};

/** Where a transaction is. */
enum haven_deleg_txn_where {
	HAVEN_DELEG_TXN_IDLE = 0,	/**< none */
	HAVEN_DELEG_TXN_QUEUED,		/**< waiting for the window */
	HAVEN_DELEG_TXN_PENDING,	/**< sent, not yet acknowledged */
};

/**
 * One transaction of a binding with one SHA: a START or a STOP, queued
 * behind the window, then sent and retransmitted until acknowledged.
 */
struct haven_deleg_txn {
	struct haven_deleg_binding *b;		/**< whose */
	struct haven_deleg_peer *peer;		/**< with which SHA */
	uint32_t id;				/**< Transaction ID */
	uint8_t kind;				/**< HAVEN_DELEG_START / _STOP */
	uint8_t where;				/**< enum haven_deleg_txn_where */
	uint8_t tries;				/**< sends so far */
	uint8_t reason;				/**< release STOP: why */
	bool sent;				/**< a request of this slot may
						  * have reached its SHA since
						  * the delegation (move)
						  * began */
	uint32_t generation;			/**< release STOP: of it */
	uint64_t next_ms;			/**< when to send again */
	TAILQ_ENTRY(haven_deleg_txn) link;	/**< peer's queue or pending */
};

/** PHA-side delegation record of a binding, embedded by the caller. */
struct haven_deleg_binding {
	struct haven_deleg_binding_info info;	/**< what the SHA is told */
	enum haven_deleg_state state;
	struct haven_deleg_peer *peer;		/**< the SHA that forwards (or
						  * is asked to), NULL when
						  * LOCAL; MOVING: the old one */
	struct haven_deleg_txn t;		/**< START/STOP of the state */
	uint64_t since_ms;			/**< entered this state */
	uint8_t stop_reason;			/**< STOPPING: why */
	uint64_t reported_packets;		/**< SHA's count, last report;
						  * 0 on delegate */
	uint64_t reported_ms;			/**< when that report came */
	TAILQ_ENTRY(haven_deleg_binding) peer_link;
	void *user;				/**< the caller's binding */

	/* Planned moves (section "Moves") */
	struct haven_deleg_peer *move_to;	/**< queued or MOVING: target */
	bool move_queued;			/**< on the PHA's move queue */
	TAILQ_ENTRY(haven_deleg_binding) move_link;
	struct haven_deleg_txn rel;		/**< STOP to the SHA it moved
						  * away from */

	/* Reconciliation */
	struct haven_deleg_peer *held_by;	/**< counted in its digest */
	uint64_t held_digest;			/**< what was counted */
	uint32_t sync_mark;			/**< seen in that INVENTORY */
};

/** What the PHA state machine tells its caller. */
enum haven_deleg_pha_event {
	/**
	 * SHA acked START: stop proxy ARP (proxy NA for IPv6), keep
	 * tunnelling stale traffic. b->info.home_addr.family tells the
	 * family.
	 */
	HAVEN_DELEG_EV_DELEGATED,
	/**
	 * SHA refused or never answered, or the START was cancelled before
	 * it left the queue (status CANCELLED): the binding stays LOCAL.
	 */
	HAVEN_DELEG_EV_REFUSED,
	/**
	 * PHA takes the binding back (STOP sent or peer dead, or the SHA
	 * was found not to hold it: status LOST): send GARP (IPv6: an
	 * unsolicited NA) and intercept again.
	 */
	HAVEN_DELEG_EV_TAKEN_BACK,
	/** STOP acked (or given up): the SHA no longer forwards it. */
	HAVEN_DELEG_EV_STOPPED,
	/** A peer stopped reporting; its bindings are being taken back. */
	HAVEN_DELEG_EV_PEER_DEAD,
	/** A dead peer reported again. */
	HAVEN_DELEG_EV_PEER_ALIVE,
	/**
	 * A move's new SHA (peer, now b->peer) acked its START and has
	 * announced itself (gratuitous ARP / unsolicited NA): republish
	 * the binding with it as forwarder. The old SHA keeps forwarding
	 * until it acks its STOP (RELEASED): no packet is lost.
	 */
	HAVEN_DELEG_EV_MOVED,
	/**
	 * A move failed (status: the new SHA's refusal, NO_ANSWER,
	 * PEER_LOST): the binding stays DELEGATED to b->peer, which never
	 * stopped forwarding. peer is the SHA it was to move to.
	 */
	HAVEN_DELEG_EV_MOVE_FAILED,
	/**
	 * After MOVED: the old SHA (peer) acked its STOP (or gave no
	 * answer, or was lost: status): the move is complete.
	 */
	HAVEN_DELEG_EV_RELEASED,
};

/**
 * Callbacks of the caller.
 *
 * Re-entrancy: event() may call haven_deleg_pha_delegate(), _update(),
 * _undelegate(), _move(), _forget() and _remove_peer() on any binding,
 * the one of the event included; the library raises each event as the
 * last thing it does to that binding. It must not call _input(),
 * _tick() or _flush(), and must not free a binding that is not LOCAL
 * (forget it first). send(), lookup(), can_send() and log() must not
 * call into the library at all.
 *
 * Life of a delegation (every delegate() that returned 0 ends with exactly
 * one of REFUSED, STOPPED, or TAKEN_BACK with status PEER_LOST or LOST):
 *   DELEGATED? -> TAKEN_BACK -> STOPPED     (undelegate, refused update)
 *   REFUSED                                 (refused, unanswered or
 *                                            cancelled START)
 *   TAKEN_BACK(PEER_LOST or LOST)           (peer dead or restarted, or
 *                                            binding lost there:
 *                                            b->state is already LOCAL)
 * Life of a move (every move() that returned 0): MOVED and later
 * RELEASED, or MOVE_FAILED, or neither when the delegation itself ends
 * first (its own TAKEN_BACK).
 */
struct haven_deleg_ops {
	/** Send msg[0..len) to peer->addr, UDP port HAVEN_DELEG_PORT. */
	void (*send)(void *ctx, const struct haven_deleg_peer *peer,
			const uint8_t *msg, size_t len);
	/** An event; b is NULL for peer events. */
	void (*event)(void *ctx, int event, struct haven_deleg_binding *b,
			struct haven_deleg_peer *peer, uint8_t status);
	/**
	 * Optional (NULL: no reconciliation). The caller's delegation record
	 * of a home address of either family, or NULL. Used on reports: a
	 * binding an SHA holds that is not delegated to it here is an
	 * orphan and gets a STOP; acknowledgements find their binding in
	 * O(1). Without it, entries and acks are matched by a walk of the
	 * peer's lists and orphans end with their duration.
	 */
	struct haven_deleg_binding *(*lookup)(void *ctx,
			const struct haven_addr *home_addr);
	/** Optional: one line of log (state changes, peer death). */
	void (*log)(void *ctx, const char *line);
	/**
	 * Optional: false while the caller cannot send to peer yet (its
	 * address is not resolved): new transactions wait in the queue
	 * instead of filling a hold queue. Retransmissions go regardless.
	 */
	bool (*can_send)(void *ctx, const struct haven_deleg_peer *peer);
	/**
	 * Optional: peer holds home_addr, which is not delegated to it here
	 * (an orphan: a late START overtaken by its STOP, section 8); it has
	 * just been sent a STOP. The secondary may have announced itself
	 * for the address: whoever intercepts it here announces again.
	 */
	void (*orphan)(void *ctx, const struct haven_deleg_peer *peer,
			const struct haven_addr *home_addr);
};

/**
 * Flow control and move pacing of a PHA (section "Flow Control"); see
 * haven_deleg_pha_config_default() for the defaults.
 */
struct haven_deleg_pha_config {
	uint32_t window;		/**< START/STOP transactions in flight
					  * per SHA (>= 1) */
	uint16_t dgram_window;		/**< request datagrams in flight per
					  * SHA, 1..HAVEN_DELEG_MAX_DGRAM_WINDOW;
					  * lowered to the SHA's own window */
	uint16_t rx_budget;		/**< request datagrams in flight over
					  * all SHAs: each is answered by one
					  * datagram into the caller's receive
					  * ring, so keep it well below that
					  * ring's size (>= 1) */
	uint32_t move_rate;		/**< moves started per second (0: as
					  * fast as the windows allow) */
	uint32_t move_burst;		/**< moves started at once (>= 1) */
	bool v1_only;			/**< never offer the scale extension:
					  * one START or STOP per datagram,
					  * v1 REPORTs (section 11.1) */
};

/** A primary's delegation context. */
struct haven_deleg_pha {
	uint32_t self_id;
	const struct haven_deleg_ops *ops;
	void *ctx;
	struct haven_deleg_peer *peers;		/**< caller's array */
	unsigned int n_peers;
	uint32_t next_txn;
	uint32_t dead_after_reports;		/**< HAVEN_DELEG_DEAD_REPORTS */
	struct haven_deleg_pha_config cfg;
	uint32_t n_flight;			/**< datagrams, all peers */
	bool in_pump;				/**< sending: no nested pump */
	TAILQ_HEAD(, haven_deleg_binding) moves;	/**< queued moves */
	uint32_t n_moves_queued;
	uint64_t move_tokens_ms;		/**< token bucket: last refill */
	uint32_t move_tokens;
	struct {
		uint64_t starts_sent;	/**< START transactions sent (first
					  * sends of delegations) */
		uint64_t started;	/**< STARTs acknowledged OK: begun */
		uint64_t refused, stopped, taken_back, dead_peers;
		uint64_t stops_sent;	/**< STOP transactions sent */
		uint64_t moves;		/**< moves started */
		uint64_t moved, move_failed, released;
		uint64_t lost;		/**< found not held by their SHA */
		uint64_t transitions;		/**< change_state() calls */
		uint64_t malformed;		/**< before a peer was known */
		uint64_t unknown_sender;	/**< sender id not configured */
	} stats;
};

/**
 * Reset the library-owned state of one peer (everything below "state" in
 * struct haven_deleg_peer); name, id, addr and key are left alone. The
 * init functions call it for every peer; call it yourself for a peer you
 * add later to a free slot of the array, then increment n_peers.
 *
 * @param seq_base
 *   Wall clock in microseconds since the Unix epoch (CLOCK_REALTIME): the
 *   first sequence number sent is seq_base + 1, so a restarted agent sends
 *   numbers higher than before without stored state.
 */
void haven_deleg_peer_init(struct haven_deleg_peer *peer, uint64_t seq_base,
		uint64_t now_ms);

/** The defaults of a PHA's flow control: HAVEN_DELEG_WINDOW etc. */
void haven_deleg_pha_config_default(struct haven_deleg_pha_config *cfg);

/**
 * Initialise a PHA context over the caller's peer array, with the default
 * configuration.
 * @param seq_base see haven_deleg_peer_init().
 */
void haven_deleg_pha_init(struct haven_deleg_pha *pha, uint32_t self_id,
		struct haven_deleg_peer *peers, unsigned int n_peers,
		const struct haven_deleg_ops *ops, void *ctx, uint64_t now_ms,
		uint64_t seq_base);

/**
 * Change the flow control and move pacing (at any time; a smaller window
 * lets what is in flight drain).
 * @return 0, or -EINVAL (nothing changed) if a value is out of range.
 */
int haven_deleg_pha_configure(struct haven_deleg_pha *pha,
		const struct haven_deleg_pha_config *cfg);

/**
 * Delegate a LOCAL binding to peer: queues its START, state STARTING.
 * The START leaves as the window opens (at once when nothing else is
 * queued or outstanding to that peer; otherwise on the next ack, tick or
 * flush), batched with others. The PHA keeps forwarding until the ack
 * (make-before-break, [0037]). Bumps the generation. Ends with exactly one
 * REFUSED or one STOPPED event, or TAKEN_BACK(PEER_LOST or LOST).
 * @return 0, -EBUSY if not LOCAL, -EHOSTDOWN if the peer is dead/removed,
 *   -EINVAL if b->info is not sendable or peer is not in this context,
 *   -EOPNOTSUPP if b->info is UDP-encapsulated and the peer has not
 *   announced HAVEN_DELEG_FEAT_UDP.
 */
int haven_deleg_pha_delegate(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, struct haven_deleg_peer *peer,
		uint64_t now_ms);

/**
 * The binding changed (care-of addresses, lifetime): b->info updated by the
 * caller, generation bumped here; a delegated binding is re-sent ([0029]),
 * ahead of new delegations in its SHA's queue.
 */
void haven_deleg_pha_update(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, uint64_t now_ms);

/**
 * Take a binding back: raises TAKEN_BACK at once (the caller resumes
 * interception), sends STOP and raises STOPPED on its ack. A START still
 * in the queue is cancelled instead (REFUSED, status CANCELLED, nothing
 * sent). LOCAL: no-op.
 */
void haven_deleg_pha_undelegate(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, uint8_t reason, uint64_t now_ms);

/**
 * Move a DELEGATED binding to another SHA, make-before-break (section
 * "Moves"): queued at the configured move rate, then START to `to` (state
 * MOVING, the old SHA keeps forwarding); on its ack OK the binding is
 * DELEGATED to `to` (event MOVED: republish the forwarder), then STOP to
 * the old SHA (event RELEASED on its ack). A refusal or no answer leaves
 * it DELEGATED where it was (MOVE_FAILED).
 * @return 0; -EBUSY if not DELEGATED, or a move or release of it is
 *   under way; -EHOSTDOWN if `to` is dead or removed; -EINVAL if `to` is
 *   not in this context or is the SHA it is on; -EOPNOTSUPP as for
 *   delegate.
 */
int haven_deleg_pha_move(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, struct haven_deleg_peer *to,
		uint64_t now_ms);

/**
 * Forget a binding that is being destroyed (after undelegate): removes it
 * from every list without sending anything.
 */
void haven_deleg_pha_forget(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b);

/**
 * A datagram from src (NBO) on the delegation port: authenticate, check
 * replay, process acks and reports, then send what the acks let through
 * the windows. Forged, replayed or unexpected messages change nothing but
 * counters.
 * @return 0 if processed, or a negative errno saying why not:
 *   -EBADMSG malformed; -ENOENT sender id not a configured peer;
 *   -EACCES HMAC does not verify; -EADDRNOTAVAIL receiver id not ours;
 *   -EPERM source address is not the peer's; -EPROTO a type this side
 *   does not take; -EALREADY sequence number replayed or too old;
 *   -ESRCH an ack of no outstanding transaction.
 */
int haven_deleg_pha_input(struct haven_deleg_pha *pha, uint32_t src,
		const uint8_t *buf, size_t len, uint64_t now_ms);

/**
 * Retransmissions, give-ups, queued transactions and moves as the windows
 * allow, peer liveness, reconciliation; call every ~10-100 ms.
 */
void haven_deleg_pha_tick(struct haven_deleg_pha *pha, uint64_t now_ms);

/**
 * Send what the windows allow now (after a burst of delegate, update,
 * undelegate or move calls), without waiting for the next tick.
 */
void haven_deleg_pha_flush(struct haven_deleg_pha *pha, uint64_t now_ms);

/**
 * Ask an SHA (one speaking the scale extension) for its full INVENTORY
 * and reconcile: orphans there get a STOP, bindings it lost are taken
 * back (TAKEN_BACK, status LOST). Also done by itself when the SHA's
 * heartbeat digest disagrees.
 * @return 0 (sent, or due as soon as allowed), -EINVAL if not our peer.
 */
int haven_deleg_pha_sync(struct haven_deleg_pha *pha,
		struct haven_deleg_peer *peer, uint64_t now_ms);

/**
 * Remove a secondary: marks it removed (delegate answers -EHOSTDOWN) and
 * undelegates every binding on it (TAKEN_BACK now, STOPPED on the acks);
 * moves to it fail. Its slot can be reused once n_delegated is 0.
 */
void haven_deleg_pha_remove_peer(struct haven_deleg_pha *pha,
		struct haven_deleg_peer *peer, uint64_t now_ms);

/**
 * A restarted primary (or the standby of a pair taking over) takes back
 * into its books a binding it had delegated before: state DELEGATED to
 * peer, without sending anything, since the secondary still forwards it.
 * The caller restores b->info from its store (generation included) first.
 * It counts in the digest of what the peer should hold. A secondary that
 * speaks the scale extension confirms it with a heartbeat whose digest
 * agrees (peer->digest_agreed_ms), or else the reconciliation that the
 * disagreement starts finds what it lost (TAKEN_BACK, status LOST); a
 * version 1 secondary's reports confirm it (b->reported_ms set from the
 * first report that lists it), and what they do not list the caller sends
 * again with haven_deleg_pha_update() (a START of a new generation). A
 * secondary that restarted meanwhile (another boot id than the one
 * restored with haven_deleg_peer_restore()) or stays silent gives it back
 * with TAKEN_BACK (PEER_LOST), as for any delegated binding.
 * @return 0, -EBUSY if b is not LOCAL, -EINVAL if b->info is not
 *   sendable or peer is not in this context.
 */
int haven_deleg_pha_adopt(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, struct haven_deleg_peer *peer,
		uint64_t now_ms);

/**
 * Restore what a primary knew of a secondary before it restarted: the
 * boot id of its last report (a different one in its next report means it
 * restarted too and lost what it held), and the last sequence number sent
 * to it (the next ones go on above it, and above the wall clock the peer
 * was initialised with). The peer counts as heard now: it has its dead
 * interval to report (a standby taking over may have found it silent).
 */
void haven_deleg_peer_restore(struct haven_deleg_peer *peer, bool boot_known,
		uint32_t boot_id, uint64_t last_seq, uint64_t now_ms);

/** Find a peer by name; NULL if none. */
struct haven_deleg_peer *haven_deleg_peer_by_name(struct haven_deleg_peer *p,
		unsigned int n, const char *name);

/** Find a peer by agent id; NULL if none. */
struct haven_deleg_peer *haven_deleg_peer_by_id(struct haven_deleg_peer *p,
		unsigned int n, uint32_t id);

/* ---------------------------------------------------------------------
 * SHA state machine
 */

/** A binding an SHA holds for a primary. */
struct haven_deleg_sha_entry {
	struct haven_deleg_binding_info info;
	struct haven_deleg_peer *primary;	/**< NULL: free entry */
	uint64_t expires_ms;			/**< forwarding duration end */
	uint64_t installed_ms;
	uint64_t packets, bytes;		/**< caller-updated, reported */
	uint64_t sent_packets, sent_bytes;	/**< in the last COUNTERS */
};

/** What the SHA state machine tells its caller. */
enum haven_deleg_sha_event {
	/** Install or replace (new CoA) this binding; GARP when new. */
	HAVEN_DELEG_EV_INSTALL,
	/** Remove it (STOP, or the duration ran out). */
	HAVEN_DELEG_EV_REMOVE,
};

/** SHA callbacks. */
struct haven_deleg_sha_ops {
	void (*send)(void *ctx, const struct haven_deleg_peer *peer,
			const uint8_t *msg, size_t len);
	/**
	 * Install/remove. For INSTALL, is_new tells a new binding (gratuitous
	 * ARP now and again shortly after, [0037]) from a replacement (switch
	 * at once, [0029]). Return 0, or non-zero if it cannot be installed
	 * (the START is then refused with OVER_CAPACITY). The family of
	 * e->info.home_addr says which table: an IPv6 binding is intercepted
	 * with unsolicited and proxy Neighbor Advertisements instead of ARP
	 * ([0040]) and tunnelled IPv6 in IPv6 (RFC 2473).
	 */
	int (*event)(void *ctx, int event, struct haven_deleg_sha_entry *e,
			bool is_new);
	/** Optional: one line of log (installs, removals, refusals). */
	void (*log)(void *ctx, const char *line);
};

/**
 * What an SHA sends and how often (section "Reports"); see
 * haven_deleg_sha_config_default().
 */
struct haven_deleg_sha_config {
	uint32_t heartbeat_ms;		/**< HEARTBEAT interval: liveness
					  * (>= HAVEN_DELEG_MIN_INTERVAL_MS);
					  * a primary declares the SHA dead
					  * after 3 of them */
	uint32_t counters_ms;		/**< COUNTERS interval (and v1 REPORT
					  * interval), >= heartbeat_ms */
	uint32_t counters_budget;	/**< entries per COUNTERS round (>= 1):
					  * bounds the bytes per second */
	uint16_t window;		/**< datagrams a primary may have in
					  * flight here (>= 1): announced in
					  * heartbeats */
};

/** A secondary's context. */
struct haven_deleg_sha {
	uint32_t self_id;
	const struct haven_deleg_sha_ops *ops;
	void *ctx;
	struct haven_deleg_peer *primaries;	/**< caller's array */
	unsigned int n_primaries;
	struct haven_deleg_sha_entry *entries;	/**< caller's array */
	uint32_t capacity;			/**< entries usable */
	uint32_t table_size;			/**< power of two >= 2 x capacity */
	uint32_t *index;			/**< open addressing: entry + 1 */
	uint32_t used;
	uint32_t report_interval_ms;		/**< = cfg.counters_ms */
	uint64_t next_report_ms;		/**< next COUNTERS (or v1 REPORT)
						  * round: collect counters
						  * into the entries before */
	uint64_t next_heartbeat_ms;
	uint64_t next_expiry_ms;		/**< no entry expires before */
	uint32_t next_free;			/**< no free entry below */
	uint32_t boot_id;			/**< sent in reports */
	struct haven_deleg_sha_config cfg;
	/**
	 * The caller installs IPv6 entries (its event callback looks at
	 * the family of e->info.home_addr). False after init: an IPv6 START
	 * is refused OVER_CAPACITY ("cannot install") without any event, so
	 * a caller written for IPv4 never sees one. Set it after init.
	 */
	bool ipv6;
	/**
	 * The caller forwards bindings of encap HAVEN_DELEG_ENCAP_UDP (IP in
	 * UDP to a NAT, from the primary's address and port). False after
	 * init: such a START is refused OVER_CAPACITY without any event,
	 * and heartbeats do not announce HAVEN_DELEG_FEAT_UDP, so primaries
	 * do not send them. Set it after init.
	 */
	bool udp;
	struct {
		uint64_t installed, replaced, removed, expired, refused;
		uint64_t duplicates;		/**< START of the same generation */
		uint64_t stale;			/**< START/STOP of an older one */
		uint64_t malformed;		/**< before a peer was known */
		uint64_t unknown_sender;	/**< sender id not configured */
		uint64_t batches;		/**< BATCHes handled */
		uint64_t heartbeats;		/**< HEARTBEATs sent */
		uint64_t counters;		/**< COUNTERS messages sent */
		uint64_t reports;		/**< v1 REPORT parts sent */
		uint64_t inventories;		/**< INVENTORY rounds sent */
		uint64_t syncs_ignored;		/**< SYNCs within SYNC_MIN_MS */
	} stats;
};

/**
 * Memory the caller provides for an SHA of this capacity: entries
 * (capacity of them) and the index (table_size uint32_t); see
 * haven_deleg_sha_table_size().
 */
uint32_t haven_deleg_sha_table_size(uint32_t capacity);

/** The defaults: 1000 ms heartbeats and COUNTERS, budget, window. */
void haven_deleg_sha_config_default(struct haven_deleg_sha_config *cfg);

/**
 * Initialise an SHA context. report_interval_ms (0 means
 * HAVEN_DELEG_REPORT_MS) is both the heartbeat and the COUNTERS interval
 * until haven_deleg_sha_configure() says otherwise. The first heartbeats
 * (or v1 reports) go out on the first tick.
 * @param seq_base see haven_deleg_peer_init().
 */
void haven_deleg_sha_init(struct haven_deleg_sha *sha, uint32_t self_id,
		struct haven_deleg_peer *primaries, unsigned int n_primaries,
		struct haven_deleg_sha_entry *entries, uint32_t *index,
		uint32_t capacity, uint32_t report_interval_ms,
		const struct haven_deleg_sha_ops *ops, void *ctx,
		uint64_t now_ms, uint64_t seq_base);

/**
 * Change the report cadence (section "Reports"): e.g. heartbeats every
 * 100 ms for a dead SHA to be noticed in 300 ms, counters every second.
 * Takes effect from the next round.
 * @return 0, or -EINVAL (nothing changed) if a value is out of range.
 */
int haven_deleg_sha_configure(struct haven_deleg_sha *sha,
		const struct haven_deleg_sha_config *cfg);

/**
 * A datagram on the delegation port: START, STOP, BATCH and SYNC from a
 * configured primary (by id, source address and HMAC). Idempotent: a
 * repeated START of an installed generation is acked again, nothing
 * re-installed. The event callback runs inside and must not call into
 * the SHA context.
 * @return 0 if processed (a refusal is processed: it was acked), or the
 *   negative errno of haven_deleg_pha_input() saying why not.
 */
int haven_deleg_sha_input(struct haven_deleg_sha *sha, uint32_t src,
		const uint8_t *buf, size_t len, uint64_t now_ms);

/**
 * Expiry of forwarding durations, heartbeats, counters and reports; call
 * every ~10-100 ms (at least as often as the heartbeat interval).
 */
void haven_deleg_sha_tick(struct haven_deleg_sha *sha, uint64_t now_ms);

/**
 * The entry of a home address of either family, or NULL. A home address
 * is held for at most one primary at a time, so (family, address) is the
 * whole key: an IPv4 and an IPv6 entry never match each other, whatever
 * their octets.
 */
struct haven_deleg_sha_entry *haven_deleg_sha_find(struct haven_deleg_sha *sha,
		const struct haven_addr *home_addr);

/** Names for logs, the console and telemetry. */
const char *haven_deleg_state_name(enum haven_deleg_state s);
const char *haven_deleg_status_name(uint8_t status);
const char *haven_deleg_type_name(uint8_t type);

/**
 * Which message a datagram dispatches to: a process that is both PHA and
 * SHA hands acks and reports to its PHA context, starts, stops, batches
 * and syncs to its SHA context (haven_deleg_type_to_sha()).
 * @return the type byte, or -EINVAL.
 */
int haven_deleg_peek_type(const uint8_t *buf, size_t len);

/** True for the types an SHA takes (START, STOP, BATCH, SYNC). */
static inline bool
haven_deleg_type_to_sha(int type)
{
	return type == HAVEN_DELEG_START || type == HAVEN_DELEG_STOP ||
		type == HAVEN_DELEG_BATCH || type == HAVEN_DELEG_SYNC;
}

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_DELEG_H */
