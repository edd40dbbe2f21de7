/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_NODE_H
#define HAVEN_NODE_H

/**
 * @file
 * Mobile nodes: one type for both families, one table, in the way of
 * FRRouting's vrrp_router (a family field, one state machine). A node is a
 * home address with its security association, its care-of addresses and
 * their lifetimes, who forwards its packets, and the replay state of its
 * registrations. The node layer is the only writer of the binding tables
 * the workers read: it publishes a node's binding whenever it changes and
 * withdraws it when the node has no care-of address left.
 *
 * Nodes come from the configuration (mobile_nodes, mobile_nodes6), at
 * a secondary home agent from a primary that delegated its binding
 * (EP 1134991; origin HAVEN_NODE_DELEGATED, outer source the primary's
 * address, claim 5), or from an AAA server that provisioned them when
 * they first registered (origin HAVEN_NODE_AAA, docs/aaa.md): their key
 * is cached until haven_node_cache_until()'s time, and the node leaves
 * the table once that time has passed and no binding holds it.
 *
 * Calls come down from the protocols (registration, delegation) and the
 * policy; news goes up through hooks (haven_node_hook_add()): a binding
 * made, moved, refreshed or released, a held reply that may now go, a
 * node deleted. Modules above keep their per-node state in extensions of
 * the node (haven_node_ext_register()), so that the node type names none
 * of them.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_timer.h>

#include "haven_addr.h"
#include "haven_binding.h"
#include "haven_config.h"
#include "haven_mip4.h"

#define HAVEN_NODE_MAX_COA HAVEN_BINDING_MAX_COA	/**< S flag: at most */
#define HAVEN_NODE_LIFETIME_INFINITE 0xffffu	/**< RFC 5944: no end */
#define HAVEN_NODE_ANNOUNCE_MS 1000		/**< between announcements */
#define HAVEN_NODE_ANNOUNCE_COUNT4 2		/**< gratuitous ARPs (IPv4) */
#define HAVEN_NODE_ANNOUNCE_COUNT6 3		/**< unsolicited NAs (IPv6,
						  * MAX_NEIGHBOR_ADVERTISEMENT) */
#define HAVEN_NODE_EXT_MAX 4096		/**< extension bytes per node, at most */

/** Where a node comes from. */
enum haven_node_origin {
	HAVEN_NODE_CONFIGURED,		/**< mobile_nodes or mobile_nodes6 */
	HAVEN_NODE_DELEGATED,		/**< held for a primary (secondary) */
	HAVEN_NODE_AAA,			/**< provisioned by RADIUS (proto/aaa.c) */
};

/** Why a node's binding ended (the RELEASED hook's reason). */
enum haven_node_reason {
	HAVEN_NODE_R_DEREGISTERED,	/**< the node deregistered */
	HAVEN_NODE_R_EXPIRED,		/**< its lifetime ran out */
	HAVEN_NODE_R_ADMIN,		/**< removed: reload, operator, primary */
	/**
	 * The other primary of a pair serves it now (haven_nodes_handover()):
	 * nothing is said to anyone, nothing is forgotten from the store.
	 */
	HAVEN_NODE_R_HANDOVER,
	/** BOUND from the store at start or takeover (haven_node_restore()). */
	HAVEN_NODE_R_RESTORED,
	HAVEN_NODE_R_CLEARED,		/**< an operator cleared the binding
					  * (haven_node_clear()): hooks treat
					  * it as a deregistration */
};

/** What happened to a node (the hooks' argument). */
enum haven_node_change {
	HAVEN_NODE_BOUND,		/**< a binding where there was none */
	HAVEN_NODE_MOVED,		/**< its care-of addresses changed */
	HAVEN_NODE_REFRESHED,		/**< same care-of addresses, new lifetime */
	HAVEN_NODE_RELEASED,		/**< no care-of address left */
	HAVEN_NODE_FORWARDER,		/**< another agent forwards it, or we
					  * again */
	HAVEN_NODE_REPLY_READY,		/**< every reply hold was released */
	HAVEN_NODE_DELETED,		/**< leaving the table; freed after */
	HAVEN_NODE_REPLAY,		/**< its replay state changed (a
					  * registration was accepted) */
};

/** One care-of address of a node. */
struct haven_node_coa {
	struct haven_addr addr;
	uint32_t lifetime_s;		/**< granted; HAVEN_NODE_LIFETIME_INFINITE
					  * (IPv4) or UINT32_MAX: no end */
	uint64_t expires_ms;		/**< haven_now_ms(); UINT64_MAX: never */
	/**
	 * A binding tunnelled in UDP (RFC 3519, encap HAVEN_ENCAP_UDP): the
	 * NAT's public address and port this care-of address is reached
	 * through, as the registration came from (the care-of address
	 * itself when the F flag forced UDP without a NAT); they follow the
	 * NAT at every re-registration. nat_port 0 otherwise.
	 */
	struct haven_addr nat_addr;
	uint16_t nat_port;		/**< host order */
};

/** The ends of UDP tunnels, for haven_node_bind_all() (RFC 3519). */
struct haven_node_udp {
	uint16_t sport;			/**< the tunnel's source port (host
					  * order): the primary's for a
					  * delegated binding (claim 5) */
	struct haven_addr nat_addr[HAVEN_NODE_MAX_COA];	/**< per care-of */
	uint16_t nat_port[HAVEN_NODE_MAX_COA];		/**< its port */
};

/** What a registration asks of a node's binding (haven_node_bind()). */
struct haven_node_bind_req {
	struct haven_addr coa;		/**< the care-of address */
	uint32_t lifetime_s;		/**< granted (already clamped) */
	bool simultaneous;		/**< S: join the others, else replace */
	uint8_t encap;			/**< enum haven_encap */
	uint8_t flags;			/**< HAVEN_BINDING_F_REVERSE_TUNNEL */
	bool link_local;		/**< IPv6 L flag: intercept the node's
					  * link-local address too */
	/** encap HAVEN_ENCAP_UDP: where the tunnel goes, the NAT's public
	 * address and port (the request's IP and UDP source). */
	struct haven_addr nat_addr;
	uint16_t nat_port;		/**< host order, not 0 */
};

/** Replay state of a node's registrations. Writer: its protocol. */
struct haven_node_replay {
	uint64_t last_ident;		/**< Mobile IPv4: last Identification */
	uint64_t last_ts;		/**< Mobile IPv6: last timestamp, 0 none */
	uint16_t last_seq;		/**< Mobile IPv6: last Sequence # */
	bool have_seq;			/**< a sequence number was accepted */
};

/** A mobile node. */
struct haven_node {
	/* Identity: set at creation, never changed. */
	struct haven_addr hoa;		/**< home address: the key */
	enum haven_node_origin origin;

	/* Configuration. Writer: the node layer (create, reload commit). */
	const struct haven_config_mn *cfg4;	/**< IPv4 configured: entry */
	const struct haven_config_mn6 *cfg6;	/**< IPv6 configured: entry */
	void *key;			/**< prepared MN-HA key: struct
					  * haven_mip4_key or haven_mip6_key */
	uint32_t spi;			/**< of the security association */
	uint32_t max_lifetime;		/**< the node's maximum, 0: agent's */
	/** AAA: when the cached key ends (haven_now_ms()); the node is
	 * deleted after it once unbound. Writer: the node layer. */
	uint64_t cache_until_ms;
	struct rte_timer cache;		/**< AAA: fires at cache_until_ms */

	/* Binding. Writer: the node layer (haven_node_bind() and co.). */
	uint8_t n_coa;
	struct haven_node_coa coa[HAVEN_NODE_MAX_COA];
	uint8_t encap;			/**< enum haven_encap */
	uint8_t flags;			/**< HAVEN_BINDING_F_REVERSE_TUNNEL */
	struct haven_addr outer_src;	/**< tunnel source: the home agent,
					  * or the primary (claim 5) */
	uint16_t udp_sport;		/**< encap HAVEN_ENCAP_UDP: the tunnel's
					  * source port, 434 or the primary's
					  * (claim 5); 0 otherwise */
	bool link_local;		/**< IPv6, L flag (RFC 6275 10.4.1): its
					  * link-local address (fe80:: and the
					  * home address's interface id) is
					  * intercepted and tunnelled too */
	uint64_t registered_ms;		/**< haven_now_ms() when first bound */
	uint8_t forwarder;		/**< HAVEN_FORWARDER_SELF or a
					  * secondary (haven_node_set_forwarder) */
	uint32_t reply_holds;		/**< haven_node_reply_hold() count */
	bool handover;			/**< a delegation is under way: another
					  * agent may announce the address
					  * (haven_node_set_handover()) */
	uint8_t n_nh;			/**< neighbours the record refers to */
	int16_t nh[HAVEN_NODE_MAX_COA];	/**< their indices (referenced in the
					  * link layer while published) */
	bool publish_failed;		/**< the last republish failed */
	struct rte_timer expiry;	/**< earliest care-of address expiry */
	struct rte_timer announce;	/**< repeated announcements */
	uint8_t announce_left;		/**< announcements still to send */
	/** The binding's counters as it was released, for the RELEASED
	 * hooks (accounting): read before the record is withdrawn. Writer:
	 * the node layer. */
	struct haven_binding_counters released_counters;

	/**
	 * Replay state. Writer: the node's registration protocol, which
	 * tells the hooks (haven_node_replay_changed()); at start or
	 * takeover the store's copy (haven_node_restore()); zeroed by
	 * haven_nodes_handover().
	 */
	struct haven_node_replay replay;

	/** Extensions of the modules above (haven_node_ext()). */
	uint8_t ext[] __rte_aligned(16);
};

/** Node counters, per family. Writer: the node layer. */
struct haven_node_stats {
	uint64_t bindings_expired;	/**< care-of addresses that ran out */
	uint64_t publish_failed;	/**< republishes the table refused */
};

/* ---------------------------------------------------------------------
 * The table
 */

/**
 * Create the node table, sized for the configuration, and register the
 * node layer's reload part. The configured nodes are not yet in it:
 * haven_nodes_load_config().
 * @return 0 or -ENOMEM.
 */
int haven_nodes_init(void);

/** Create and insert every node of haven_rt.cfg. @return 0 or -errno. */
int haven_nodes_load_config(void);

/** Delete every node (their bindings withdrawn), free the table. */
void haven_nodes_fini(void);

/** The node of a home address, or NULL. */
struct haven_node *haven_node_find(const struct haven_addr *hoa);

/**
 * Call fn for every node of a family (HAVEN_AF_NONE: both), in no
 * particular order. fn must not insert or delete nodes.
 * @return the number of nodes visited.
 */
unsigned int haven_node_foreach(uint8_t family,
		void (*fn)(struct haven_node *n, void *arg), void *arg);

/** Nodes in the table, of a family (HAVEN_AF_NONE: both) and origin. */
unsigned int haven_node_count(uint8_t family, enum haven_node_origin origin);

/**
 * A new node, not yet in the table: for a configured one, its entry and
 * prepared key; for a delegated one, nothing but its address.
 * @return the node, or NULL (no memory, or a key that cannot be prepared).
 */
struct haven_node *haven_node_new_configured4(const struct haven_config_mn *c);
struct haven_node *haven_node_new_configured6(const struct haven_config_mn6 *c);
struct haven_node *haven_node_new_delegated(const struct haven_addr *hoa,
		const struct haven_addr *outer_src);

/**
 * A new IPv4 node provisioned by an AAA server, not yet in the table, with
 * its security association prepared (sa is not kept: the caller wipes
 * it). Its key is cached until haven_node_cache_until() says.
 * @param hoa  the home address (NBO).
 * @return the node, or NULL (no memory, or a key that cannot be prepared).
 */
struct haven_node *haven_node_new_aaa4(uint32_t hoa,
		const struct haven_mip4_sa *sa);

/**
 * Give an AAA node a new key (RADIUS answered again): prepared first, the
 * old one freed only when the new one is ready.
 * @return 0, or -ENOMEM / -EINVAL (nothing changed).
 */
int haven_node_set_key4(struct haven_node *n, const struct haven_mip4_sa *sa);

/**
 * Cache an AAA node's key until until_ms (haven_now_ms()). When that time
 * has passed and the node has no binding and no held reply, it is deleted
 * (hooks: DELETED); while a binding holds it, it stays until the binding
 * is released. A time already past deletes an idle node at the next turn
 * of the loop (never from within the caller).
 */
void haven_node_cache_until(struct haven_node *n, uint64_t until_ms);

/** True while an AAA node's cached key may still be used. */
static inline bool
haven_node_cache_fresh(const struct haven_node *n, uint64_t now_ms)
{
	return n->origin != HAVEN_NODE_AAA || now_ms < n->cache_until_ms;
}

/**
 * True for a node this agent is the home agent of, configured or
 * provisioned by AAA: it registers here and may be delegated. False for
 * one held for a primary.
 */
static inline bool
haven_node_is_home(const struct haven_node *n)
{
	return n->origin != HAVEN_NODE_DELEGATED;
}

/** Name of an origin: "config", "delegated", "aaa". */
const char *haven_node_origin_name(enum haven_node_origin origin);

/**
 * Insert a new node. @return 0, -EEXIST (its address is taken) or -ENOMEM.
 */
int haven_node_insert(struct haven_node *n);

/**
 * Withdraw a node's binding (RELEASED with reason ADMIN if it had one),
 * tell the hooks (DELETED), take it out of the table and free it.
 */
void haven_node_delete(struct haven_node *n);

/** Free a node that was never inserted. */
void haven_node_free(struct haven_node *n);

/* ---------------------------------------------------------------------
 * Bindings
 */

/** True while the node has a care-of address. */
static inline bool
haven_node_bound(const struct haven_node *n)
{
	return n->n_coa > 0;
}

/** Index of care-of address a in n->coa[], or -1. */
int haven_node_coa_index(const struct haven_node *n,
		const struct haven_addr *a);

/**
 * Accept a care-of address for the node: it replaces the others, or joins
 * them (req->simultaneous; the caller checked the limit), with its
 * lifetime; the binding is published, interception starts with
 * announcements when the node was at home, the lifetime is armed, and the
 * hooks hear BOUND, MOVED (care-of addresses, or the NAT address or port
 * of one, changed) or REFRESHED. All or nothing: when the binding table
 * refuses the record the node is left as it was. With encap
 * HAVEN_ENCAP_UDP the tunnel goes from the home agent's port 434 to
 * req->nat_addr and req->nat_port; a simultaneous binding keeps one kind
 * of tunnel (UDP or not) for all its care-of addresses, so joining one of
 * the other kind is refused.
 * @return 0, -EINVAL (a UDP request without a NAT port, or a join of the
 *         other kind), -ENOSPC (binding table full) or -ENOMEM.
 */
int haven_node_bind(struct haven_node *n, const struct haven_node_bind_req *req);

/**
 * Put a whole care-of set in force (a secondary installing what its
 * primary delegated): every address with the same lifetime (UINT32_MAX:
 * no end). Otherwise as haven_node_bind().
 * @param udp  with encap HAVEN_ENCAP_UDP, the tunnel's source port and
 *             each care-of address's NAT address and port (none 0);
 *             ignored otherwise (may be NULL).
 * @return 0, -EINVAL, -ENOSPC (binding table full) or -ENOMEM.
 */
int haven_node_bind_all(struct haven_node *n, const struct haven_addr *addrs,
		unsigned int n_addrs, uint32_t lifetime_s, uint8_t encap,
		uint8_t flags, const struct haven_node_udp *udp);

/**
 * Release one care-of address (coa) or all of them (coa NULL). When none
 * is left the binding is withdrawn and the hooks hear RELEASED with
 * reason; otherwise MOVED.
 */
void haven_node_unbind(struct haven_node *n, const struct haven_addr *coa,
		enum haven_node_reason reason);

/**
 * An operator removes a node's binding (clear binding): every care-of
 * address is released (hooks hear RELEASED with HAVEN_NODE_R_CLEARED, so
 * that a delegation is stopped as for a deregistration), an event of kind
 * admin_release is recorded, and the home address is handed back on the
 * home link (haven_link_hand_back()): if the node is home, the link
 * learns its MAC again.
 * @return 0; -EPERM for a binding held for a primary (clear it there);
 *   -ENODATA when the node has no binding.
 */
int haven_node_clear(struct haven_node *n);

/**
 * Who forwards the node's packets: HAVEN_FORWARDER_SELF or a secondary's
 * value. The binding is republished (a secondary: workers stop proxy ARP /
 * ND but still tunnel what stale caches send, [0037]); back to SELF while
 * bound, interception is announced again. Hooks hear FORWARDER.
 */
void haven_node_set_forwarder(struct haven_node *n, uint8_t forwarder);

/**
 * A delegation of the node starts (true) or ends (false): meanwhile the
 * secondary announcing the home address is not a conflict to defend.
 * Called by the delegation module.
 */
void haven_node_set_handover(struct haven_node *n, bool on);

/** Publish the node's binding again (a next hop moved). */
void haven_node_republish(struct haven_node *n);

/** Announce that we intercept for the node, now and repeated. */
void haven_node_announce(struct haven_node *n);

/**
 * The registration protocol changed n->replay: tell the hooks (REPLAY),
 * so that the state store keeps it with the binding it protects.
 */
void haven_node_replay_changed(struct haven_node *n);

/** A binding as the state store kept it, in this process's clock. */
struct haven_node_restore {
	unsigned int n_coa;		/**< 0: the replay state only */
	struct haven_node_coa coa[HAVEN_NODE_MAX_COA];	/**< expires_ms in
					  * haven_now_ms() time, UINT64_MAX:
					  * never */
	uint8_t encap;			/**< enum haven_encap */
	uint8_t flags;			/**< HAVEN_BINDING_F_REVERSE_TUNNEL */
	uint64_t registered_ms;		/**< haven_now_ms() time */
	uint8_t forwarder;		/**< HAVEN_FORWARDER_SELF or a
					  * secondary's value */
	bool has_replay;		/**< replay holds something */
	struct haven_node_replay replay;
};

/**
 * Put back a binding the state store kept (a restart, or the standby of a
 * pair taking over): published as it was, with what is left of its
 * lifetimes, forwarded by whom it was; the hooks hear BOUND with reason
 * RESTORED. Not announced: the caller paces the announcements
 * (haven_node_announce()). A node already bound is replaced.
 * @return 0, -EINVAL (nothing left), -ENOSPC (binding table full).
 */
int haven_node_restore(struct haven_node *n,
		const struct haven_node_restore *r);

/**
 * This primary hands its nodes over to the other primary of its pair
 * (it becomes the standby, or neither): every configured node's binding
 * is withdrawn from the fast path, its timers stopped, its replay state
 * and reply holds cleared; the hooks hear RELEASED with reason HANDOVER,
 * after which no module sends or forgets anything on its account.
 * @return the bindings withdrawn.
 */
unsigned int haven_nodes_handover(void);

/** The link-local address of an IPv6 node (fe80::, its interface id). */
struct haven_addr haven_node_link_local(const struct haven_node *n);

/** The remaining lifetime in seconds of the longest care-of address. */
uint32_t haven_node_remaining_s(const struct haven_node *n);

/** The node's per-binding counters, summed over the workers. */
void haven_node_counters(const struct haven_node *n,
		struct haven_binding_counters *sum);

/* ---------------------------------------------------------------------
 * Replies held for a secondary's answer ([0026])
 */

/** Ask that the node's registration reply wait (counted). */
void haven_node_reply_hold(struct haven_node *n);

/** Release one hold; the last one tells the hooks REPLY_READY. */
void haven_node_reply_release(struct haven_node *n);

/** True while a reply must wait. */
static inline bool
haven_node_reply_held(const struct haven_node *n)
{
	return n->reply_holds > 0;
}

/* ---------------------------------------------------------------------
 * Extensions and hooks
 */

/**
 * Reserve size bytes in every node for a module (before the first node is
 * created); init runs when a node is created, fini when it is freed.
 * @return the offset for haven_node_ext(), or -ENOSPC.
 */
int haven_node_ext_register(const char *name, size_t size,
		void (*init)(struct haven_node *n, void *ext),
		void (*fini)(struct haven_node *n, void *ext));

/** A module's extension of a node. */
static inline void *
haven_node_ext(struct haven_node *n, int offset)
{
	return n->ext + offset;
}

/** What a hook hears. */
typedef void (*haven_node_hook_fn)(struct haven_node *n,
		enum haven_node_change what, enum haven_node_reason reason,
		void *arg);

/** Call fn on every change of every node. @return 0 or -ENOSPC. */
int haven_node_hook_add(haven_node_hook_fn fn, void *arg);

/** Counters of a family. */
const struct haven_node_stats *haven_node_stats(uint8_t family);

/** The MN-HA algorithm's name as configured: "hmac-md5", "hmac-sha1"... */
const char *haven_node_alg_name(const struct haven_node *n);

/** Forget registrations of extensions and hooks (tests). */
void haven_nodes_reset(void);

#endif /* HAVEN_NODE_H */
