/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_RADIUS_CLIENT_H
#define HAVEN_RADIUS_CLIENT_H

/**
 * @file
 * A RADIUS client for the home agent: Access-Requests that fetch a mobile
 * node's MN-HA key and address by its NAI, and Accounting-Requests that
 * report its bindings.
 *
 * Two layers:
 *
 * - The engine (haven_radius_client_*): pure C and clock-driven (the
 *   caller passes now_ms, a monotonic clock in milliseconds). Several
 *   servers in priority order with failover; dead-server detection and
 *   Status-Server revival probes (RFC 5997); retransmission with
 *   exponential backoff (RFC 5080 2.2.1); Identifiers allocated per
 *   (socket, server, port), 256 each; a bounded table of pending requests
 *   that refuses a new one at once when full; answers matched and
 *   authenticated (Response Authenticator, and a Message-Authenticator
 *   required on every answer); every accepted request ends in exactly one
 *   result the caller polls. It sends through a callback and owns no
 *   socket, so the tests drive it with fake servers and a fake clock.
 *
 * - The transport (haven_radius_transport_*, haven_radius_submit/poll/
 *   cancel): a pthread that owns the engine and its UDP sockets. The
 *   control lcore hands it requests and takes results through two
 *   lock-free single-producer single-consumer rings; it never blocks and
 *   makes no system call in the common case (an eventfd rings the thread's
 *   doorbell only when the thread sleeps).
 *
 * Threading contract of the transport: haven_radius_submit(),
 * haven_radius_cancel(), haven_radius_poll() and haven_radius_outstanding()
 * are called by one thread only (the control lcore), never concurrently;
 * haven_radius_transport_stats() and _server_stats() may be called from any
 * thread (telemetry); create and free from the thread that owns it.
 *
 * Secrets (server secrets, the User-Password, keys in results) are never
 * logged, printed or put in a reason; the library wipes them when it
 * frees what held them. A result carrying a key is the caller's to wipe.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "haven_addr.h"
#include "haven_radius.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Configuration
 */

#define HAVEN_RADIUS_MAX_SERVERS 8	/**< servers in failover order */
#define HAVEN_RADIUS_NAME_LEN 32	/**< server name, with its NUL */
#define HAVEN_RADIUS_NAI_LEN 253	/**< User-Name (NAI) octets */
#define HAVEN_RADIUS_NAS_ID_LEN 64	/**< NAS-Identifier octets */
#define HAVEN_RADIUS_SESSION_ID_LEN 64	/**< Acct-Session-Id octets */
#define HAVEN_RADIUS_CLASS_LEN 253	/**< Class octets */
/** Longest MN-HA key returned (equals HAVEN_MIP4_MAX_KEY). */
#define HAVEN_RADIUS_MAX_KEY 128
/** Largest pending-request table. */
#define HAVEN_RADIUS_MAX_PENDING 16384
/** Largest request the engine builds. */
#define HAVEN_RADIUS_REQ_MAX 1024

/* Defaults of the configuration (docs/aaa.md). */
#define HAVEN_RADIUS_DEFAULT_TIMEOUT_MS 1000	/**< first retransmission */
#define HAVEN_RADIUS_DEFAULT_RETRIES 2		/**< retransmissions per server */
#define HAVEN_RADIUS_DEFAULT_REVIVE_MS 10000	/**< probe period of a dead server */
#define HAVEN_RADIUS_DEFAULT_MAX_PENDING 1024
#define HAVEN_RADIUS_DEFAULT_JITTER_PCT 10	/**< RFC 5080 2.2.1: +-10 % */
/** A retransmission interval never exceeds timeout_ms times this. */
#define HAVEN_RADIUS_BACKOFF_CAP 16

/** One RADIUS server. */
struct haven_radius_server_conf {
	char name[HAVEN_RADIUS_NAME_LEN];	/**< for operators, e.g. "radius1" */
	struct haven_addr addr;		/**< IPv4 or IPv6 */
	uint16_t auth_port;		/**< Access-Request port, e.g. 1812 */
	uint16_t acct_port;		/**< Accounting-Request port, e.g. 1813 */
	uint8_t secret[HAVEN_RADIUS_MAX_SECRET];	/**< shared secret */
	uint8_t secret_len;		/**< 1..HAVEN_RADIUS_MAX_SECRET */
	uint32_t timeout_ms;		/**< first retransmission after, 10..60000 */
	uint8_t retries;		/**< retransmissions before failing over, 0..10 */
};

/** The client. */
struct haven_radius_conf {
	struct haven_radius_server_conf servers[HAVEN_RADIUS_MAX_SERVERS];
	unsigned int n_servers;		/**< 1..HAVEN_RADIUS_MAX_SERVERS, in priority order */
	char nas_identifier[HAVEN_RADIUS_NAS_ID_LEN + 1];	/**< NAS-Identifier */
	struct haven_addr nas_addr;	/**< NAS-IP(v6)-Address, and the source the transport binds; none: omitted, any source */
	uint8_t user_password[HAVEN_RADIUS_MAX_PASSWORD];	/**< User-Password of Access-Requests */
	uint8_t user_password_len;	/**< 0: none is sent */
	uint32_t max_pending;		/**< pending-request bound, 1..HAVEN_RADIUS_MAX_PENDING */
	uint32_t revive_interval_ms;	/**< Status-Server probe period of a dead server */
	uint8_t jitter_pct;		/**< retransmission timer randomisation, 0..25 */
};

/**
 * Fill a configuration with the defaults and no server.
 *
 * @param conf  the configuration.
 */
void haven_radius_conf_init(struct haven_radius_conf *conf);

/**
 * Check a configuration.
 *
 * @param conf    the configuration.
 * @param err     buffer for a readable reason (never a secret), may be NULL.
 * @param errlen  its size.
 * @return 0, or -EINVAL.
 */
int haven_radius_conf_check(const struct haven_radius_conf *conf, char *err,
		size_t errlen);

/* ---------------------------------------------------------------------
 * Requests and results
 */

/** What a request asks. */
enum haven_radius_kind {
	HAVEN_RADIUS_AUTH = 0,		/**< Access-Request */
	HAVEN_RADIUS_ACCT = 1,		/**< Accounting-Request */
};

/** An Access-Request for a mobile node. */
struct haven_radius_auth_req {
	char nai[HAVEN_RADIUS_NAI_LEN + 1];	/**< User-Name (RFC 2794 MN-NAI) */
	uint32_t spi;		/**< SPI of the node's MN-HA extension (3GPP2-MN-HA-SPI); 0: none */
	uint32_t home_addr;	/**< Framed-IP-Address hint (NBO); 0: none (address wanted) */
	uint32_t ha_addr;	/**< 3GPP2-Home-Agent-IP-Address (NBO); 0: none */
};

/** An Accounting-Request for a binding. */
struct haven_radius_acct_req {
	uint8_t status;		/**< enum haven_radius_acct_status */
	uint8_t terminate_cause;	/**< Stop: enum haven_radius_terminate_cause */
	char nai[HAVEN_RADIUS_NAI_LEN + 1];	/**< User-Name; "" none */
	char session_id[HAVEN_RADIUS_SESSION_ID_LEN + 1];	/**< Acct-Session-Id, required */
	uint32_t framed_addr;	/**< the home address (NBO); 0: none */
	uint64_t in_octets;	/**< from the node (reverse tunnel), 64-bit: Gigawords */
	uint64_t out_octets;	/**< to the node (tunnel), 64-bit: Gigawords */
	uint64_t in_packets;	/**< sent modulo 2^32 (RADIUS has no packet Gigawords) */
	uint64_t out_packets;	/**< sent modulo 2^32 */
	uint32_t session_time;	/**< Acct-Session-Time, seconds (Interim, Stop) */
	uint32_t event_time;	/**< Event-Timestamp, Unix seconds; 0: none */
	uint64_t event_ms;	/**< caller's clock at the event: Acct-Delay-Time */
	uint8_t class_len;	/**< Class from the Access-Accept, echoed; 0: none */
	uint8_t class_val[HAVEN_RADIUS_CLASS_LEN];	/**< its octets */
};

/** A request to submit. */
struct haven_radius_request {
	uint64_t tag;		/**< the caller's, returned in the result */
	uint8_t kind;		/**< enum haven_radius_kind */
	union {
		struct haven_radius_auth_req auth;	/**< kind AUTH */
		struct haven_radius_acct_req acct;	/**< kind ACCT */
	};
};

/** How a request ended. */
enum haven_radius_status {
	HAVEN_RADIUS_ACCEPTED = 0,	/**< Access-Accept, or Accounting-Response */
	HAVEN_RADIUS_REJECTED,		/**< Access-Reject (or -Challenge, RFC 2865 4.4) */
	HAVEN_RADIUS_TIMEOUT,		/**< every live server tried, no authentic answer */
	HAVEN_RADIUS_NO_SERVER,		/**< every server is dead: nothing sent */
	HAVEN_RADIUS_CANCELLED,		/**< haven_radius_cancel() */
	HAVEN_RADIUS_INVALID,		/**< authentic Access-Accept the agent cannot use */
};

/** Where the MN-HA key of an Access-Accept came from. */
enum haven_radius_sa_source {
	HAVEN_RADIUS_SA_NONE = 0,	/**< no key in the answer */
	HAVEN_RADIUS_SA_3GPP2,		/**< 3GPP2-MN-HA-SPI and -Shared-Key */
	HAVEN_RADIUS_SA_CISCO,		/**< Cisco-AVPair mobileip:spi */
};

/** The result of a request. */
struct haven_radius_result {
	uint64_t tag;		/**< the request's */
	uint8_t kind;		/**< the request's */
	uint8_t status;		/**< enum haven_radius_status */
	uint8_t server;		/**< index of the server that answered; 0xff none */
	uint8_t sa_source;	/**< enum haven_radius_sa_source */
	uint32_t rtt_ms;	/**< submit to answer */
	/* Access-Accept */
	bool has_framed_ip;	/**< Framed-IP-Address given */
	uint32_t framed_ip;	/**< the address to assign (NBO) */
	uint32_t spi;		/**< MN-HA SPI (the request's when the answer has none) */
	uint8_t alg;		/**< 0 HMAC-MD5, 1 HMAC-SHA256 (enum haven_mip4_alg) */
	uint8_t key_len;	/**< 0: no key */
	uint8_t key[HAVEN_RADIUS_MAX_KEY];	/**< MN-HA key: wipe after use */
	uint32_t session_timeout;	/**< Session-Timeout, s; 0: none */
	uint8_t class_len;	/**< Class to echo in accounting; 0: none */
	uint8_t class_val[HAVEN_RADIUS_CLASS_LEN];	/**< its octets */
};

/** Name of a result status ("accepted", "rejected", ...). */
const char *haven_radius_status_name(uint8_t status);

/* ---------------------------------------------------------------------
 * Statistics
 */

/** State of a server. */
enum haven_radius_server_state {
	HAVEN_RADIUS_SERVER_ALIVE = 0,	/**< used in priority order */
	HAVEN_RADIUS_SERVER_DEAD,	/**< skipped; probed with Status-Server */
};

/** Counters of one server. */
struct haven_radius_server_stats {
	uint8_t state;			/**< enum haven_radius_server_state */
	uint32_t pending;		/**< requests waiting for it */
	uint64_t requests;		/**< first transmissions */
	uint64_t retransmissions;	/**< later ones */
	uint64_t timeouts;		/**< requests it never answered */
	uint64_t accepts;		/**< Access-Accept */
	uint64_t rejects;		/**< Access-Reject, -Challenge */
	uint64_t acct_responses;	/**< Accounting-Response */
	uint64_t dropped_auth;		/**< wrong authenticator or Message-Authenticator */
	uint64_t dropped_no_ma;		/**< no Message-Authenticator */
	uint64_t dropped_malformed;	/**< framing */
	uint64_t dropped_unmatched;	/**< no pending request with that Identifier, or wrong code */
	uint64_t send_errors;		/**< the send callback failed */
	uint64_t deaths;		/**< alive -> dead */
	uint64_t revivals;		/**< dead -> alive */
	uint64_t probes;		/**< Status-Server sent */
	uint32_t rtt_last_ms;		/**< round trip of the last answer to a first transmission */
	uint32_t rtt_avg_ms;		/**< smoothed (RFC 6298 SRTT, gain 1/8) */
	uint32_t rtt_min_ms;		/**< smallest */
	uint32_t rtt_max_ms;		/**< largest */
};

/** Counters of the client. */
struct haven_radius_stats {
	uint32_t pending;		/**< requests in the table (incl. results not polled) */
	uint64_t submitted;		/**< requests accepted */
	uint64_t refused_full;		/**< refused: the table was full */
	uint64_t refused_invalid;	/**< refused: malformed request */
	uint64_t results[6];		/**< by enum haven_radius_status */
	uint64_t dropped_unknown_source;	/**< datagrams from no server's address and ports */
};

/* ---------------------------------------------------------------------
 * The engine
 */

struct haven_radius_client;

/** What the engine needs from its owner. */
struct haven_radius_client_ops {
	/**
	 * Send a datagram from socket sock to addr:port; 0, or a negative
	 * errno (the engine then waits for its timer as for a lost packet).
	 */
	int (*send)(void *ctx, unsigned int sock, const struct haven_addr *addr,
		uint16_t port, const uint8_t *buf, size_t len);
	/** Fill buf with unpredictable octets; NULL: getrandom(2). */
	void (*random)(void *ctx, uint8_t *buf, size_t len);
	void *ctx;		/**< passed to both */
};

/**
 * Create an engine. The configuration is copied (secrets included).
 *
 * @param conf    a configuration that passes haven_radius_conf_check().
 * @param ops     send and random callbacks.
 * @param now_ms  the caller's clock.
 * @return the engine, or NULL with errno set (EINVAL, ENOMEM).
 */
struct haven_radius_client *
haven_radius_client_create(const struct haven_radius_conf *conf,
		const struct haven_radius_client_ops *ops, uint64_t now_ms);

/** Free an engine, wiping its secrets and pending requests. NULL: no-op. */
void haven_radius_client_free(struct haven_radius_client *c);

/**
 * Sockets the owner must provide per address family: 256 Identifiers per
 * socket and destination, enough for max_pending requests and a probe.
 *
 * @return ceil((max_pending + 1) / 256).
 */
unsigned int haven_radius_client_n_sockets(const struct haven_radius_client *c);

/**
 * Submit a request: it is sent at once to the first live server, or
 * completes at once with HAVEN_RADIUS_NO_SERVER when every server is dead.
 *
 * @param c       the engine.
 * @param req     the request (copied).
 * @param now_ms  the clock.
 * @return 0 (exactly one result will follow); -ENOBUFS if max_pending
 *         requests are in the table (nothing changes); -EINVAL if the
 *         request is malformed (bad kind or status, empty or too long NAI
 *         or session id).
 */
int haven_radius_client_submit(struct haven_radius_client *c,
		const struct haven_radius_request *req, uint64_t now_ms);

/**
 * Cancel the pending request with a tag: it completes with
 * HAVEN_RADIUS_CANCELLED, a late answer is dropped. A request already
 * completed is left as it is.
 *
 * @return 0, or -ENOENT if no request with the tag is waiting.
 */
int haven_radius_client_cancel(struct haven_radius_client *c, uint64_t tag);

/**
 * Hand the engine a datagram received on socket sock from addr:port.
 * Malformed, unmatched or unauthentic datagrams are counted and dropped;
 * they change nothing else.
 */
void haven_radius_client_input(struct haven_radius_client *c,
		unsigned int sock, const struct haven_addr *addr, uint16_t port,
		const uint8_t *buf, size_t len, uint64_t now_ms);

/** Run the timers due at now_ms: retransmissions, failovers, probes. */
void haven_radius_client_tick(struct haven_radius_client *c, uint64_t now_ms);

/**
 * When the next timer is due.
 *
 * @return a time of the caller's clock, or UINT64_MAX if none.
 */
uint64_t haven_radius_client_next_deadline(const struct haven_radius_client *c);

/**
 * Take up to n results, oldest first, and release their table entries.
 *
 * @return how many were written to out.
 */
unsigned int haven_radius_client_poll(struct haven_radius_client *c,
		struct haven_radius_result *out, unsigned int n);

/**
 * The longest a request can wait for its result when no server answers:
 * every server's timeouts, with backoff and jitter.
 *
 * @return milliseconds.
 */
uint64_t haven_radius_client_max_wait_ms(const struct haven_radius_client *c);

/** Copy the counters of the client. */
void haven_radius_client_stats(const struct haven_radius_client *c,
		struct haven_radius_stats *st);

/**
 * Copy the counters of a server.
 *
 * @return 0, or -ENOENT for an index past the last server.
 */
int haven_radius_client_server_stats(const struct haven_radius_client *c,
		unsigned int server, struct haven_radius_server_stats *st);

/* ---------------------------------------------------------------------
 * The transport: a thread owning the engine and its sockets
 */

struct haven_radius_transport;

/**
 * Open the sockets (bound to conf->nas_addr when set, ephemeral ports)
 * and start the thread.
 *
 * @param conf    the configuration (copied).
 * @param err     a readable reason on failure (never a secret).
 * @param errlen  its size.
 * @return the transport, or NULL.
 */
struct haven_radius_transport *
haven_radius_transport_create(const struct haven_radius_conf *conf,
		char *err, size_t errlen);

/**
 * Stop the thread, close the sockets, free everything and wipe secrets.
 * Requests still pending get no result. NULL: no-op.
 */
void haven_radius_transport_free(struct haven_radius_transport *t);

/**
 * Submit a request (control thread). Never blocks; a system call only
 * when the transport thread sleeps (its doorbell).
 *
 * @return 0 (exactly one result will follow); -ENOBUFS at once when
 *         max_pending requests are outstanding (submitted, result not yet
 *         polled); -EINVAL for a malformed request.
 */
int haven_radius_submit(struct haven_radius_transport *t,
		const struct haven_radius_request *req);

/**
 * Cancel an outstanding request (control thread). Its result, with
 * status HAVEN_RADIUS_CANCELLED unless it had already completed, still
 * follows.
 *
 * @return 0, or -ENOBUFS if the command ring is full (try again).
 */
int haven_radius_cancel(struct haven_radius_transport *t, uint64_t tag);

/**
 * Take up to n results (control thread). No system call, no lock.
 *
 * @return how many were written to out.
 */
unsigned int haven_radius_poll(struct haven_radius_transport *t,
		struct haven_radius_result *out, unsigned int n);

/** Requests submitted whose result has not been polled (control thread). */
unsigned int haven_radius_outstanding(const struct haven_radius_transport *t);

/**
 * Wait until a result is ready or timeout_ms passes, for callers that do
 * not poll in a loop (tests, tools). Not for the control lcore.
 *
 * @return 1 if a result is ready, 0 on timeout.
 */
int haven_radius_wait(struct haven_radius_transport *t, int timeout_ms);

/** haven_radius_client_max_wait_ms() of the transport's engine. */
uint64_t haven_radius_transport_max_wait_ms(
		const struct haven_radius_transport *t);

/** Counters of the client, from any thread (a consistent snapshot). */
void haven_radius_transport_stats(struct haven_radius_transport *t,
		struct haven_radius_stats *st);

/**
 * Counters of a server, from any thread.
 *
 * @return 0, or -ENOENT.
 */
int haven_radius_transport_server_stats(struct haven_radius_transport *t,
		unsigned int server, struct haven_radius_server_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_RADIUS_CLIENT_H */
