/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_DELEG_H
#define HAVEN_DELEG_H

/**
 * @file
 * The delegation protocol between a primary home agent (PHA) and its
 * secondary home agents (SHA): EP 1134991's Start Forwarding, Stop
 * Forwarding, their acknowledgements, and the SHA's periodic report.
 * Specified in docs/delegation-protocol.md; this library implements
 * exactly that document.
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
 *    address (embedded in the caller's memory), retransmission with
 *    backoff, peer liveness from reports;
 *  - SHA state machine: the bindings a secondary holds for its primaries,
 *    in a table the caller sizes (its capacity), with the forwarding
 *    duration of each ([0031]).
 *
 * Bindings are IPv4 or IPv6 ([0039], [0040], claims 3 and 11). The header's
 * Family field says which addresses a message's body carries; in memory,
 * the uint32_t address fields hold an IPv4 binding and the *6 fields
 * (16 octets, network order) an IPv6 one, chosen by the family member
 * (0 or HAVEN_DELEG_FAMILY_IPV4: IPv4, the default of a zeroed struct;
 * HAVEN_DELEG_FAMILY_IPV6: IPv6). IPv4 messages are byte for byte those
 * of the IPv4-only version of this library.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

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
#define HAVEN_DELEG_RETX_TRIES 10	/**< sends before giving up */
#define HAVEN_DELEG_REPORT_MS 1000	/**< SHA report interval (default) */
#define HAVEN_DELEG_DEAD_REPORTS 3	/**< missed reports -> peer dead */
#define HAVEN_DELEG_DURATION_INFINITE 0xffffffffu /**< duration_s: no end */
#define HAVEN_DELEG_FAMILY_IPV4 4	/**< header Family: IPv4 addresses */
#define HAVEN_DELEG_FAMILY_IPV6 6	/**< header Family: IPv6 addresses */
#define HAVEN_DELEG_ADDR6_LEN 16	/**< an IPv6 address, octets */

/** Encap of a binding (START). */
#define HAVEN_DELEG_ENCAP_IPIP 0	/**< IPv4: IP in IP (RFC 2003) */
#define HAVEN_DELEG_ENCAP_MINIMAL 1	/**< IPv4: minimal (RFC 2004) */
#define HAVEN_DELEG_ENCAP_GRE 2		/**< IPv4: GRE (RFC 2784) */
#define HAVEN_DELEG_ENCAP_IP6IP6 3	/**< IPv6: IPv6 in IPv6 (RFC 2473),
					  * the only one of Family 6 */

/** Message types. */
enum haven_deleg_type {
	HAVEN_DELEG_START = 1,		/**< PHA -> SHA: Start Forwarding */
	HAVEN_DELEG_START_ACK = 2,	/**< SHA -> PHA */
	HAVEN_DELEG_STOP = 3,		/**< PHA -> SHA: Stop Forwarding */
	HAVEN_DELEG_STOP_ACK = 4,	/**< SHA -> PHA */
	HAVEN_DELEG_REPORT = 5,		/**< SHA -> PHA, periodic */
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
};

/** Why a Stop Forwarding was sent. */
enum haven_deleg_stop_reason {
	HAVEN_DELEG_STOP_UNDELEGATE = 0,	/**< operator or balancer */
	HAVEN_DELEG_STOP_DEREGISTERED = 1,	/**< node deregistered [0030] */
	HAVEN_DELEG_STOP_EXPIRED = 2,		/**< lifetime ran out [0030] */
	HAVEN_DELEG_STOP_TAKEBACK = 3,		/**< PHA took it back */
};

/* ---------------------------------------------------------------------
 * Codec
 */

/**
 * What a binding is: the body of Start Forwarding. An IPv4 binding uses
 * home_addr, outer_src and coa[]; an IPv6 binding (family
 * HAVEN_DELEG_FAMILY_IPV6) uses home_addr6, outer_src6 and coa6[] and
 * leaves the IPv4 ones 0 (the encoder ignores them, the decoder zeroes
 * them). The other members mean the same in both families.
 */
struct haven_deleg_binding_info {
	uint32_t home_addr;		/**< IPv4: NBO */
	uint32_t outer_src;		/**< IPv4 tunnel source: the PHA
					  * (claim 5), NBO */
	uint32_t generation;		/**< bumped on every change */
	uint32_t duration_s;		/**< forwarding duration [0031] */
	uint8_t encap;			/**< HAVEN_DELEG_ENCAP_*: IPv4 0..2,
					  * IPv6 3 */
	uint8_t flags;			/**< HAVEN_DELEG_F_* */
	uint8_t n_coa;			/**< 1..HAVEN_DELEG_MAX_COA */
	uint32_t coa[HAVEN_DELEG_MAX_COA];	/**< IPv4 care-of addresses, NBO */
	uint8_t family;			/**< 0 or HAVEN_DELEG_FAMILY_IPV4: IPv4
					  * (the decoder writes 0);
					  * HAVEN_DELEG_FAMILY_IPV6: IPv6 */
	uint8_t home_addr6[HAVEN_DELEG_ADDR6_LEN];	/**< IPv6 home address */
	uint8_t outer_src6[HAVEN_DELEG_ADDR6_LEN];	/**< IPv6 tunnel source:
							  * the PHA (claim 5) */
	uint8_t coa6[HAVEN_DELEG_MAX_COA][HAVEN_DELEG_ADDR6_LEN];
					/**< IPv6 care-of addresses */
};

/** True if a binding (or a message's family member) is IPv6. */
static inline bool
haven_deleg_family_is_ipv6(uint8_t family)
{
	return family == HAVEN_DELEG_FAMILY_IPV6;
}

#define HAVEN_DELEG_F_REVERSE_TUNNEL 0x01	/**< T flag of the binding */

/** One per-binding line of a report; its family is the message's. */
struct haven_deleg_report_entry {
	uint32_t home_addr;		/**< IPv4: NBO */
	uint32_t generation;
	uint64_t packets;		/**< tunnelled by the SHA since Start */
	uint64_t bytes;
	uint8_t home_addr6[HAVEN_DELEG_ADDR6_LEN];	/**< IPv6 */
};

/** Most entries one report message carries (IPv4; the array size). */
#define HAVEN_DELEG_REPORT_MAX_ENTRIES 48
/** Most entries one Family 6 report message carries (36 x 36 octets). */
#define HAVEN_DELEG_REPORT_MAX_ENTRIES6 36

/** A decoded message (header and body). */
struct haven_deleg_msg {
	uint8_t type;			/**< enum haven_deleg_type */
	uint32_t sender_id;		/**< agent id of the sender */
	uint32_t receiver_id;		/**< agent id it is meant for */
	uint64_t seq;			/**< sequence number (anti-replay) */
	uint32_t txn;			/**< transaction: an ack echoes it */
	uint8_t family;			/**< header Family: 0 or 4 IPv4 (the
					  * decoder writes 0), 6 IPv6; for
					  * START it must equal u.start.family */
	union {
		struct haven_deleg_binding_info start;	/**< START */
		struct {
			uint32_t home_addr;
			uint32_t generation;
			uint8_t status;		/**< enum haven_deleg_status */
			uint32_t load;		/**< bindings held for this PHA */
			uint32_t capacity;	/**< load + SHA entries free */
			uint8_t home_addr6[HAVEN_DELEG_ADDR6_LEN]; /**< IPv6 */
		} ack;					/**< START_ACK, STOP_ACK */
		struct {
			uint32_t home_addr;
			uint32_t generation;
			uint8_t reason;		/**< enum haven_deleg_stop_reason */
			uint8_t home_addr6[HAVEN_DELEG_ADDR6_LEN]; /**< IPv6 */
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
	uint32_t report_interval_ms;		/**< from its last report */
	uint32_t load;				/**< PHA: reported by the SHA;
						  * SHA: held for this primary */
	uint64_t reported_packets;		/**< from its last report */
	uint32_t n_delegated;			/**< PHA: bindings on it (ours) */
	bool removed;				/**< being deleted: no new work */
	bool boot_known;			/**< PHA: boot_id is set */
	uint32_t boot_id;			/**< PHA: from the SHA's reports */
	struct {
		uint64_t tx, rx, retransmits, bad_auth, replayed, malformed,
			timeouts;
		uint64_t misdirected;	/**< wrong receiver id or source */
		uint64_t unexpected;	/**< wrong type, unknown txn */
		uint64_t orphans;	/**< PHA: STOPs for unknown bindings */
	} stats;
	TAILQ_HEAD(, haven_deleg_binding) bindings;	/**< PHA: on this peer */
};

/* ---------------------------------------------------------------------
 * PHA state machine
 */

/** Delegation state of one binding at the PHA. */
enum haven_deleg_state {
	HAVEN_DELEG_S_LOCAL = 0,	/**< PHA forwards; no SHA involved */
	HAVEN_DELEG_S_STARTING,		/**< START sent; PHA still forwards */
	HAVEN_DELEG_S_DELEGATED,	/**< SHA acked; SHA intercepts */
	HAVEN_DELEG_S_UPDATING,		/**< new generation sent; SHA forwards */
	HAVEN_DELEG_S_STOPPING,		/**< STOP sent; PHA forwards again */
};

/** PHA-side delegation record of a binding, embedded by the caller. */
struct haven_deleg_binding {
	struct haven_deleg_binding_info info;	/**< what the SHA is told */
	enum haven_deleg_state state;
	struct haven_deleg_peer *peer;		/**< SHA, or NULL when LOCAL */
	uint32_t txn;				/**< outstanding transaction */
	uint8_t tries;				/**< sends of it so far */
	uint64_t next_retx_ms;			/**< when to send again */
	uint64_t since_ms;			/**< entered this state */
	uint8_t stop_reason;			/**< STOPPING: why */
	bool pending;				/**< on the pending list */
	uint64_t reported_packets;		/**< SHA's count, last report;
						  * 0 on delegate */
	uint64_t reported_ms;			/**< when that report came */
	TAILQ_ENTRY(haven_deleg_binding) pending_link;
	TAILQ_ENTRY(haven_deleg_binding) peer_link;
	void *user;				/**< the caller's binding */
};

/** What the PHA state machine tells its caller. */
enum haven_deleg_pha_event {
	/**
	 * SHA acked START: stop proxy ARP (proxy NA for IPv6), keep
	 * tunnelling stale traffic. b->info.family tells the family.
	 */
	HAVEN_DELEG_EV_DELEGATED,
	/** SHA refused or never answered: the binding stays LOCAL. */
	HAVEN_DELEG_EV_REFUSED,
	/**
	 * PHA takes the binding back (STOP sent or peer dead): send GARP
	 * (IPv6: an unsolicited NA) and intercept again.
	 */
	HAVEN_DELEG_EV_TAKEN_BACK,
	/** STOP acked (or given up): the SHA no longer forwards it. */
	HAVEN_DELEG_EV_STOPPED,
	/** A peer stopped reporting; its bindings are being taken back. */
	HAVEN_DELEG_EV_PEER_DEAD,
	/** A dead peer reported again. */
	HAVEN_DELEG_EV_PEER_ALIVE,
};

/**
 * Callbacks of the caller.
 *
 * Re-entrancy: event() may call haven_deleg_pha_delegate(), _update(),
 * _undelegate(), _forget() and _remove_peer() on any binding, the one of
 * the event included; the library raises each event as the last thing it
 * does to that binding. It must not call _input() or _tick(), and must
 * not free a binding that is not LOCAL (forget it first). send(), lookup()
 * and log() must not call into the library at all.
 *
 * Life of a delegation (every delegate() that returned 0 ends with exactly
 * one of REFUSED, STOPPED, or TAKEN_BACK with status PEER_LOST):
 *   DELEGATED? -> TAKEN_BACK -> STOPPED     (undelegate, refused update)
 *   REFUSED                                 (refused or unanswered START)
 *   TAKEN_BACK(PEER_LOST)                   (peer dead or restarted:
 *                                            b->state is already LOCAL)
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
	 * of a home address, or NULL. Used on reports: a binding an SHA holds
	 * that is not delegated to it here is an orphan and gets a STOP.
	 */
	struct haven_deleg_binding *(*lookup)(void *ctx, uint32_t home_addr);
	/** Optional: one line of log (state changes, peer death). */
	void (*log)(void *ctx, const char *line);
	/**
	 * Optional, as lookup for IPv6 home addresses (entries of Family 6
	 * reports): the caller's delegation record of home_addr6, or NULL.
	 * Without it IPv6 entries are matched by a walk of the peer's list
	 * and IPv6 orphans end with their duration.
	 */
	struct haven_deleg_binding *(*lookup6)(void *ctx,
			const uint8_t home_addr6[HAVEN_DELEG_ADDR6_LEN]);
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
	TAILQ_HEAD(, haven_deleg_binding) pending;	/**< awaiting acks */
	struct {
		uint64_t started, refused, stopped, taken_back, dead_peers;
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

/**
 * Initialise a PHA context over the caller's peer array.
 * @param seq_base see haven_deleg_peer_init().
 */
void haven_deleg_pha_init(struct haven_deleg_pha *pha, uint32_t self_id,
		struct haven_deleg_peer *peers, unsigned int n_peers,
		const struct haven_deleg_ops *ops, void *ctx, uint64_t now_ms,
		uint64_t seq_base);

/**
 * Delegate a LOCAL binding to peer: sends START, state STARTING. The PHA
 * keeps forwarding until the ack (make-before-break, [0037]). Bumps the
 * generation. Ends with exactly one REFUSED or one STOPPED event.
 * @return 0, -EBUSY if not LOCAL, -EHOSTDOWN if the peer is dead/removed,
 *   -EINVAL if b->info is not sendable or peer is not in this context.
 */
int haven_deleg_pha_delegate(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, struct haven_deleg_peer *peer,
		uint64_t now_ms);

/**
 * The binding changed (care-of addresses, lifetime): b->info updated by the
 * caller, generation bumped here; a delegated binding is re-sent ([0029]).
 */
void haven_deleg_pha_update(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, uint64_t now_ms);

/**
 * Take a binding back: raises TAKEN_BACK at once (the caller resumes
 * interception), sends STOP and raises STOPPED on its ack. LOCAL: no-op.
 */
void haven_deleg_pha_undelegate(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, uint8_t reason, uint64_t now_ms);

/**
 * Forget a binding that is being destroyed (after undelegate): removes it
 * from every list without sending anything.
 */
void haven_deleg_pha_forget(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b);

/**
 * A datagram from src (NBO) on the delegation port: authenticate, check
 * replay, process acks and reports. Forged, replayed or unexpected
 * messages change nothing but counters.
 * @return 0 if processed, or a negative errno saying why not:
 *   -EBADMSG malformed; -ENOENT sender id not a configured peer;
 *   -EACCES HMAC does not verify; -EADDRNOTAVAIL receiver id not ours;
 *   -EPERM source address is not the peer's; -EPROTO a type this side
 *   does not take; -EALREADY sequence number replayed or too old;
 *   -ESRCH an ack of no outstanding transaction.
 */
int haven_deleg_pha_input(struct haven_deleg_pha *pha, uint32_t src,
		const uint8_t *buf, size_t len, uint64_t now_ms);

/** Retransmissions, give-ups and peer liveness; call every ~10-100 ms. */
void haven_deleg_pha_tick(struct haven_deleg_pha *pha, uint64_t now_ms);

/**
 * Remove a secondary: marks it removed (delegate answers -EHOSTDOWN) and
 * undelegates every binding on it (TAKEN_BACK now, STOPPED on the acks).
 * Its slot can be reused once n_delegated is 0.
 */
void haven_deleg_pha_remove_peer(struct haven_deleg_pha *pha,
		struct haven_deleg_peer *peer, uint64_t now_ms);

/**
 * A restarted primary (or the standby of a pair taking over) takes back
 * into its books a binding it had delegated before: state DELEGATED to
 * peer, without sending anything, since the secondary still forwards it.
 * The caller restores b->info from its store (generation included) first.
 * The secondary's reports then confirm it (b->reported_ms set from the
 * first report that lists it); what they do not list the caller sends
 * again with haven_deleg_pha_update() (a START of a new generation); a
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
	 * (the START is then refused with OVER_CAPACITY). e->info.family
	 * says which table: an IPv6 binding is intercepted with unsolicited
	 * and proxy Neighbor Advertisements instead of ARP ([0040]) and
	 * tunnelled IPv6 in IPv6 (RFC 2473).
	 */
	int (*event)(void *ctx, int event, struct haven_deleg_sha_entry *e,
			bool is_new);
	/** Optional: one line of log (installs, removals, refusals). */
	void (*log)(void *ctx, const char *line);
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
	uint32_t report_interval_ms;
	uint64_t next_report_ms;
	uint64_t next_expiry_ms;		/**< no entry expires before */
	uint32_t next_free;			/**< no free entry below */
	uint32_t boot_id;			/**< sent in reports */
	/**
	 * The caller installs IPv6 entries (its event callback looks at
	 * e->info.family). False after init: an IPv6 START is refused
	 * OVER_CAPACITY ("cannot install") without any event, so a caller
	 * written for IPv4 never sees one. Set it after init.
	 */
	bool ipv6;
	struct {
		uint64_t installed, replaced, removed, expired, refused;
		uint64_t duplicates;		/**< START of the same generation */
		uint64_t stale;			/**< START/STOP of an older one */
		uint64_t malformed;		/**< before a peer was known */
		uint64_t unknown_sender;	/**< sender id not configured */
	} stats;
};

/**
 * Memory the caller provides for an SHA of this capacity: entries
 * (capacity of them) and the index (table_size uint32_t); see
 * haven_deleg_sha_table_size().
 */
uint32_t haven_deleg_sha_table_size(uint32_t capacity);

/**
 * Initialise an SHA context. report_interval_ms 0 means
 * HAVEN_DELEG_REPORT_MS. The first reports go out on the first tick.
 * @param seq_base see haven_deleg_peer_init().
 */
void haven_deleg_sha_init(struct haven_deleg_sha *sha, uint32_t self_id,
		struct haven_deleg_peer *primaries, unsigned int n_primaries,
		struct haven_deleg_sha_entry *entries, uint32_t *index,
		uint32_t capacity, uint32_t report_interval_ms,
		const struct haven_deleg_sha_ops *ops, void *ctx,
		uint64_t now_ms, uint64_t seq_base);

/**
 * A datagram on the delegation port: START and STOP from a configured
 * primary (by id, source address and HMAC). Idempotent: a repeated START
 * of an installed generation is acked again, nothing re-installed.
 * The event callback runs inside and must not call into the SHA context.
 * @return 0 if processed (a refusal is processed: it was acked), or the
 *   negative errno of haven_deleg_pha_input() saying why not.
 */
int haven_deleg_sha_input(struct haven_deleg_sha *sha, uint32_t src,
		const uint8_t *buf, size_t len, uint64_t now_ms);

/** Expiry of forwarding durations, periodic reports; call every ~10-100 ms. */
void haven_deleg_sha_tick(struct haven_deleg_sha *sha, uint64_t now_ms);

/**
 * The entry of an IPv4 home address, or NULL. A home address is held for
 * at most one primary at a time, so (family, address) is the whole key.
 */
struct haven_deleg_sha_entry *haven_deleg_sha_find(struct haven_deleg_sha *sha,
		uint32_t home_addr);

/**
 * The entry of an IPv6 home address, or NULL. An IPv4 and an IPv6 entry
 * never match each other, whatever their octets.
 */
struct haven_deleg_sha_entry *haven_deleg_sha_find6(
		struct haven_deleg_sha *sha,
		const uint8_t home_addr6[HAVEN_DELEG_ADDR6_LEN]);

/** Names for logs, the console and telemetry. */
const char *haven_deleg_state_name(enum haven_deleg_state s);
const char *haven_deleg_status_name(uint8_t status);
const char *haven_deleg_type_name(uint8_t type);

/**
 * Which message a datagram dispatches to: a process that is both PHA and
 * SHA hands acks and reports to its PHA context, starts and stops to its
 * SHA context. @return the type byte, or -EINVAL.
 */
int haven_deleg_peek_type(const uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_DELEG_H */
