/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_REG_H
#define HAVEN_REG_H

/**
 * @file
 * Home registration, one file per protocol: Mobile IPv4 (RFC 5944, reg4.c)
 * and Mobile IPv6 (RFC 6275 with RFC 4285 authentication, reg6.c). Each
 * checks a request in its RFC's order, changes nothing when a check fails,
 * and applies an accepted one to the node layer (haven_node_bind(),
 * haven_node_unbind()); it keeps the node's replay state, and holds its
 * reply while the node layer says so (a secondary's answer, [0026]).
 */

#include <stdbool.h>
#include <stdint.h>

/** Mobile IPv4 registration counters. Writer: reg4.c. */
struct haven_reg4_stats {
	uint64_t requests;		/**< datagrams on UDP 434 */
	uint64_t dropped;		/**< not a request: silently dropped */
	uint64_t replies[256];		/**< replies sent, by code */
	/* RFC 3519 */
	uint64_t udp_tunnelled;		/**< accepted with UDP tunnelling */
	uint64_t udp_declined;		/**< asked, accepted with IP in IP */
	uint64_t keepalives;		/**< keepalives answered */
	uint64_t tunnel_dropped;	/**< tunnel data the control lcore got
					  * and dropped (not a keepalive, or
					  * not from a binding's NAT end) */
};

/** Mobile IPv6 registration counters. Writer: reg6.c. */
struct haven_reg6_stats {
	uint64_t mh_received;		/**< Mobility Header packets to us */
	uint64_t mh_dropped;		/**< malformed, bad checksum: discarded */
	uint64_t ba_sent[256];		/**< Binding Acks sent, by status */
	uint64_t be_sent;		/**< Binding Errors sent */
	uint64_t param_problem_sent;	/**< ICMPv6 Parameter Problem sent */
	uint64_t param_problem_limited;	/**< ... not sent: over the limit */
	uint64_t accepted;		/**< registrations accepted (incl. dereg) */
	uint64_t denied;		/**< registrations refused (status >= 128) */
	uint64_t dad_started;		/**< DAD probes for new home addresses */
	uint64_t dad_failed;		/**< ... that found the address in use */
};

/**
 * Mobile IPv4 registration: UDP 434 when the agent serves mobile nodes
 * (home_agent: in the configuration). @return 0 or -errno.
 */
int haven_reg4_init(void);

/** Mobile IPv6 registration, when IPv6 is configured. @return 0 or -errno. */
int haven_reg6_init(void);

struct haven_node;

/** True while a Binding Update of node n waits for DAD (RFC 6275 10.4.1). */
bool haven_reg6_dad_running(struct haven_node *n);

/**
 * RFC 3519 keepalives answered for an IPv4 node's UDP-tunnelled binding.
 * @param last_ms  set to when the last one came (haven_now_ms()), 0: none.
 * @return how many.
 */
uint64_t haven_reg4_keepalives(struct haven_node *n, uint64_t *last_ms);

/** The counters. */
const struct haven_reg4_stats *haven_reg4_stats(void);
const struct haven_reg6_stats *haven_reg6_stats(void);

#endif /* HAVEN_REG_H */
