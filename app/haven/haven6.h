/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 control plane of the haven application (Mobile IPv6 home agent,
 * RFC 6275, with RFC 4285 authentication): struct haven_app6, which
 * struct haven_app points to when the configuration has IPv6, and the
 * functions of neigh6.c and registration6.c. It mirrors the IPv4 side of
 * haven.h; only files that handle IPv6 include it.
 */
#ifndef HAVEN_APP6_H
#define HAVEN_APP6_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_timer.h>

#include "haven.h"
#include "haven_binding6.h"
#include "haven_fastpath6.h"
#include "haven_mip6.h"
#include "haven_nd.h"

/** printf buffer size of an IPv6 address (INET6_ADDRSTRLEN). */
#define HAVEN_IP6_STRLEN 46

/* Tunables of the IPv6 control plane. */
#define HAVEN_NS_RETRY_MS 1000		/**< RetransTimer (RFC 4861 10) */
#define HAVEN_NS_TRIES 3		/**< MAX_MULTICAST_SOLICIT */
#define HAVEN_DAD_WAIT_MS 1000		/**< RetransTimer after the probe */
#define HAVEN_NA_REPEAT_MS 1000		/**< between unsolicited NAs */
#define HAVEN_NA_COUNT 3		/**< MAX_NEIGHBOR_ADVERTISEMENT */
#define HAVEN_BE_PER_S 10		/**< Binding Errors sent per second */

/** Control-plane counters of IPv6 (control lcore only). */
struct haven_ctl6_stats {
	uint64_t mh_received;		/**< Mobility Header packets to us */
	uint64_t mh_dropped;		/**< malformed, bad checksum: discarded */
	uint64_t ba_sent[256];		/**< Binding Acks sent, by status */
	uint64_t be_sent;		/**< Binding Errors sent */
	uint64_t param_problem_sent;	/**< ICMPv6 Parameter Problem sent */
	uint64_t accepted;		/**< registrations accepted (incl. dereg) */
	uint64_t denied;		/**< registrations refused (status >= 128) */
	uint64_t bindings_expired;	/**< lifetimes that ran out */
	uint64_t dad_started;		/**< DAD probes for new home addresses */
	uint64_t dad_failed;		/**< ... that found the address in use */
	uint64_t na_sent;		/**< unsolicited NAs for home addresses */
	uint64_t ns_sent;		/**< neighbour resolution */
	uint64_t held_sent;		/**< held packets sent after resolution */
	uint64_t held_dropped;		/**< held packets dropped (timeout, full) */
};

/** A Binding Update waiting for duplicate address detection. */
struct haven_mn6_pending {
	bool active;			/**< DAD running */
	uint16_t seq;			/**< the update's Sequence # */
	uint16_t bu_flags;		/**< its flags */
	uint64_t ts;			/**< its replay timestamp */
	bool has_ts;			/**< it had a replay option */
	uint32_t lifetime_s;		/**< the lifetime to grant */
	uint8_t coa[16];		/**< its care-of address */
	uint8_t reply_to[16];		/**< the BU's IPv6 source */
};

/** Registration state of a configured Mobile IPv6 node (control only). */
struct haven_mn6_state {
	const struct haven_config_mn6 *cfg;
	struct haven_mip6_key *key;	/**< cfg->sa, prepared (HMAC state) */
	bool have_seq;			/**< a sequence number was accepted */
	uint16_t last_seq;		/**< last accepted Sequence # */
	uint64_t last_ts;		/**< last accepted timestamp (0: none) */
	bool bound;			/**< a home registration is in force */
	uint8_t coa[16];		/**< its care-of address */
	uint32_t lifetime_s;		/**< granted, seconds */
	uint64_t registered_at;		/**< timer cycles of first accept */
	uint64_t expires_at;		/**< timer cycles */
	struct rte_timer expiry;	/**< lifetime */
	struct rte_timer na;		/**< repeated unsolicited NA */
	uint8_t na_left;		/**< NAs still to send */
	struct rte_timer dad;		/**< end of duplicate address detection */
	struct haven_mn6_pending pending;	/**< BU waiting for DAD */
	/** Delegation hook point: HAVEN_FORWARDER_SELF or a peer id. */
	uint8_t forwarder;
	struct haven_deleg_binding deleg;	/**< delegation (PHA), delegation6.c */
};

/** What changed in a node's binding (the delegation hook's argument). */
enum haven_mn6_change {
	HAVEN_MN6_BOUND,		/**< new binding or new care-of address */
	HAVEN_MN6_REFRESHED,		/**< same care-of address, new lifetime */
	HAVEN_MN6_RELEASED,		/**< deregistered, expired or removed */
};

/** The IPv6 control plane (app->ip6), on the control lcore. */
struct haven_app6 {
	struct haven_fp6 fp6;			/**< what workers read */
	struct haven_mn6_state **mns;		/**< one per cfg.mns6[], same order */
	struct haven_hold *holds;		/**< one per IPv6 neighbour entry */
	struct haven_ctl6_stats stats;
	uint64_t be_window;			/**< second of the BE rate limit */
	unsigned int be_in_window;		/**< BEs sent in it */
	/**
	 * Delegation hook (EP 1134991 claim 11): called after every change
	 * of a node's binding, NULL until delegation of IPv6 bindings is
	 * wired. It may set st->forwarder and call haven_mn6_republish().
	 */
	void (*on_change)(struct haven_app *app, struct haven_mn6_state *st,
			enum haven_mn6_change what);
};

/** printf an IPv6 address into buf (HAVEN_IP6_STRLEN bytes). */
const char *haven_ip6_str(const uint8_t a[16], char *buf);

/* neigh6.c: IPv6 next hops, Neighbor Discovery, held packets */
/** Allocate struct haven_app6 and its tables (main.c, before workers). */
int haven_ip6_tables_init(struct haven_app *app);
/** Neighbour index for an IPv6 next hop, resolving it if new; -1 if full. */
int haven_ctl_neigh6_for(struct haven_app *app, const uint8_t nh[16],
		uint8_t port);
/**
 * Send an IPv6 frame (Ethernet header present, destination MAC unknown):
 * route it by its IPv6 destination, resolve the next hop, hold it while
 * resolving (HAVEN_HOLD_PER_NEIGH, HAVEN_NS_TRIES solicitations).
 */
void haven_ctl_send_ip6(struct haven_app *app, struct rte_mbuf *m);
/** Build an IPv6 packet (header included) into a frame and send it. */
int haven_ctl_send_ip6_pkt(struct haven_app *app, const void *pkt,
		uint16_t len);
/** An ICMPv6 Neighbor Solicitation or Advertisement reached control. */
void haven_ctl_nd_input(struct haven_app *app, struct rte_mbuf *m);
/** Retries and timeouts of pending IPv6 resolutions. */
void haven_resolve6_tick(struct haven_app *app);
/** Unsolicited NA for target (O set, our MAC) to all-nodes. */
void haven_send_unsolicited_na(struct haven_app *app, const uint8_t target[16]);
/** A DAD probe (NS from ::) for target on the home link. */
void haven_send_dad_probe(struct haven_app *app, const uint8_t target[16]);

/* registration6.c */
int haven_registration6_init(struct haven_app *app);
/** An IPv6 packet was punted to the control lcore (not ND, not RESOLVE). */
void haven_ip6_input(struct haven_app *app, struct rte_mbuf *m);
/**
 * Neighbor Discovery says another node uses addr (an NA for it, or a DAD
 * probe for it from someone else): fails a DAD in progress, if any.
 */
void haven_mn6_dad_conflict(struct haven_app *app, const uint8_t addr[16]);
/** The state of a configured IPv6 node, or NULL. */
struct haven_mn6_state *haven_mn6_find(struct haven_app *app,
		const uint8_t hoa[16]);
struct haven_mn6_state *haven_mn6_state_new(const struct haven_config_mn6 *cfg);
/** New configuration and key (reload); -errno keeps the old key. */
int haven_mn6_state_rekey(struct haven_mn6_state *st,
		const struct haven_config_mn6 *cfg);
/** Release the node's binding, then free its state. */
void haven_mn6_state_free(struct haven_app *app, struct haven_mn6_state *st);
/** Remove a node's binding (console, reload, shutdown). */
void haven_mn6_release(struct haven_app *app, struct haven_mn6_state *st);
/** Publish the node's binding again (forwarder or next hop changed). */
void haven_mn6_republish(struct haven_app *app, struct haven_mn6_state *st);
/** Registrations accepted and refused (telemetry, console). */
uint32_t haven_binding6_total(const struct haven_app *app);

/* delegation6.c: IPv6 bindings delegated with Family 6 messages */
void haven_deleg6_init(struct haven_app *app, struct haven_deleg_ops *pha_ops);
void haven_deleg6_tick(struct haven_app *app, uint64_t now_ms);
void haven_deleg6_pha_event(struct haven_app *app, int event,
		struct haven_deleg_binding *b, struct haven_deleg_peer *peer,
		uint8_t status);
int haven_deleg6_sha_event(struct haven_app *app, int event,
		struct haven_deleg_sha_entry *e, bool is_new);
/** Copy the workers' counters of a held IPv6 binding into its entry. */
void haven_deleg6_collect(struct haven_app *app,
		struct haven_deleg_sha_entry *e);
/** Delegate a bound IPv6 node to peer. @return 0 or -errno. */
int haven_delegate6_to(struct haven_app *app, struct haven_mn6_state *st,
		struct haven_deleg_peer *peer);
/* Actions for the console: 0 or -errno with err set. */
int haven_delegate6(struct haven_app *app, const uint8_t hoa[16],
		const char *sha_name, char *err, size_t errlen);
int haven_undelegate6(struct haven_app *app, const uint8_t hoa[16],
		char *err, size_t errlen);

#endif /* HAVEN_APP6_H */
