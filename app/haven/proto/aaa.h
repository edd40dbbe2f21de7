/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_AAA_APP_H
#define HAVEN_AAA_APP_H

/**
 * @file
 * AAA (docs/aaa.md): mobile nodes the configuration does not list,
 * provisioned by RADIUS servers when they first register, and accounting
 * of their bindings. This module owns the RADIUS transport (lib/radius: a
 * thread of its own, lock-free rings; the control lcore never waits).
 *
 * Registration hands a request it cannot authenticate (an unlisted home
 * address, or a NAI with home address 0.0.0.0, RFC 2794) to
 * haven_aaa_resolve(): a node provisioned earlier whose cached key is
 * still good comes back at once; otherwise the request is parked (at most
 * a bounded number; a retransmission of a parked node's request replaces
 * it) and an Access-Request goes out. When RADIUS answers, the module
 * creates the node (origin HAVEN_NODE_AAA, node layer) with its key and
 * home address (the request's, RADIUS's Framed-IP-Address, or one of the
 * pool) and gives the request back to registration through the resume
 * function registered with haven_aaa_on_resume(), which runs the normal
 * RFC 5944 checks with that key; a refusal comes back as a reply code.
 * Registration calls down into this module; this module calls back only
 * through that function pointer, so there is no dependency cycle.
 *
 * Accounting (RFC 2866) follows the node layer's hooks: Start when an AAA
 * node's binding is made, Interim-Update every aaa.interim_interval, Stop
 * when it is released (deregistered, expired, revoked), with the binding's
 * counters: input what the node sent (reverse tunnel), output what it
 * received (tunnelled to it).
 *
 * Secrets (server secrets, keys) never leave this module or the library.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "haven_addr.h"
#include "haven_radius_client.h"

struct haven_node;

/** Largest context a registration protocol parks with a request. */
#define HAVEN_AAA_CTX_MAX 1088

/** Set the module up (transport, node extension, hooks, reload part). */
int haven_aaa_init(void);

/** Stop the transport thread, free everything (at shut-down). */
void haven_aaa_fini(void);

/** True when the configuration has an aaa: section. */
bool haven_aaa_enabled(void);

/* ---------------------------------------------------------------------
 * Registration hand-over
 */

/** A registration request that no configured node answers for. */
struct haven_aaa_ask {
	uint32_t home_addr;	/**< the request's (NBO); 0: it asks for one */
	const uint8_t *nai;	/**< RFC 2794 MN-NAI, or NULL */
	uint8_t nai_len;	/**< its length */
	uint32_t spi;		/**< SPI of its MN-HA extension */
	const void *ctx;	/**< what resuming it needs (copied) */
	size_t ctx_len;		/**< at most HAVEN_AAA_CTX_MAX */
};

/** What haven_aaa_resolve() decided. */
enum haven_aaa_verdict {
	HAVEN_AAA_USE,		/**< *n: authenticate with its cached key */
	HAVEN_AAA_PARKED,	/**< RADIUS asked; the resume function follows */
	HAVEN_AAA_DENY,		/**< *code: deny the request now */
};

/**
 * Find or ask for the node of a request.
 * @param a     the request.
 * @param n     set with HAVEN_AAA_USE.
 * @param code  set with HAVEN_AAA_DENY: 131 (no association: rejected,
 *              unknown), 129 (the address belongs to another user), 130
 *              (too many requests waiting: the flood bound).
 */
enum haven_aaa_verdict haven_aaa_resolve(const struct haven_aaa_ask *a,
		struct haven_node **n, uint8_t *code);

/**
 * How a parked request comes back: with its node (code 0: authenticate
 * it with n->key and go on as for any node), or without (n NULL: deny it
 * with code, unauthenticated). ctx is what was parked.
 */
typedef void (*haven_aaa_resume_fn)(struct haven_node *n, uint8_t code,
		const void *ctx, size_t ctx_len);

/** Register the resume function (registration, at start-up). */
void haven_aaa_on_resume(haven_aaa_resume_fn fn);

/* ---------------------------------------------------------------------
 * Actions
 */

/**
 * Revoke an AAA node: its binding ends (accounting Stop, Admin-Reset) and
 * its cached key is forgotten, so its next registration asks RADIUS.
 * @return 0, or -ENOENT (no AAA node there) with err filled.
 */
int haven_aaa_revoke(const struct haven_addr *hoa, char *err, size_t errlen);

/* ---------------------------------------------------------------------
 * Reading (operator surfaces)
 */

/** Counters of the module. Writer: aaa.c. */
struct haven_aaa_stats {
	uint64_t asked;			/**< Access-Requests for registrations */
	uint64_t coalesced;		/**< retransmissions that joined a parked one */
	uint64_t refused_full;		/**< denied at once: the bound (130) */
	uint64_t cache_hits;		/**< served from a cached key */
	uint64_t accepted;		/**< nodes provisioned or rekeyed */
	uint64_t rejected;		/**< Access-Reject: 131 */
	uint64_t timeouts;		/**< no server answered in time: 130 */
	uint64_t no_server;		/**< every server dead: 130 */
	uint64_t unusable;		/**< Access-Accept without usable key or
					  * address (INVALID, no key): 131/130 */
	uint64_t addr_refused;		/**< address of another user, or not
					  * the one RADIUS gives: 129 */
	uint64_t acct_sent[4];		/**< by Acct-Status-Type 1..3 */
	uint64_t acct_answered;		/**< Accounting-Responses */
	uint64_t acct_failed;		/**< no server acknowledged one */
	uint64_t acct_lost;		/**< could not be submitted (bound) */
	uint32_t parked;		/**< requests waiting for RADIUS now */
	uint32_t parked_peak;		/**< most at once */
	uint32_t parked_max;		/**< the bound */
	uint32_t nodes;			/**< AAA nodes in the table */
	uint32_t pool_size;		/**< addresses in aaa.pool */
	uint32_t pool_used;		/**< assigned from it */
};

/** The counters. */
const struct haven_aaa_stats *haven_aaa_stats(void);

/** A RADIUS server as shown (never its secret). */
struct haven_aaa_server {
	const char *name;
	struct haven_addr addr;
	uint16_t auth_port, acct_port;
	struct haven_radius_server_stats st;
};

/** Servers configured. */
unsigned int haven_aaa_n_servers(void);

/** Server i. @return 0 or -ENOENT. */
int haven_aaa_server(unsigned int i, struct haven_aaa_server *out);

/** Counters of the RADIUS client (pending, results by status, ...). */
void haven_aaa_client_stats(struct haven_radius_stats *st);

/** The longest a request waits when no server answers, ms. */
uint64_t haven_aaa_max_wait_ms(void);

/** What an AAA node is, as shown. */
struct haven_aaa_node_info {
	const char *user;		/**< User-Name: its NAI, or dotted quad */
	bool has_nai;			/**< user is an RFC 2794 NAI */
	const char *address_from;	/**< "own", "radius", "pool" */
	const char *sa_source;		/**< "3gpp2", "cisco" */
	const char *server;		/**< who answered */
	long cache_left_s;		/**< seconds the key stays cached */
	const char *session_id;		/**< accounting session, "" none */
	uint64_t interims;		/**< Interim-Updates of the session */
};

/** The AAA record of node n. @return 0, or -ENOENT (not an AAA node). */
int haven_aaa_node_info(const struct haven_node *n,
		struct haven_aaa_node_info *out);

#endif /* HAVEN_AAA_APP_H */
