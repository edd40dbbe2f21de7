/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The haven application's shared state: one struct haven_app owned by the
 * control lcore, and the functions the application's files offer each
 * other. Workers never see this structure; they get struct haven_fp and
 * their struct haven_worker (lib/fastpath).
 */
#ifndef HAVEN_APP_H
#define HAVEN_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>
#include <rte_timer.h>

#include "haven_binding.h"
#include "haven_config.h"
#include "haven_deleg.h"
#include "haven_fastpath.h"
#include "haven_mip4.h"

extern int haven_logtype;
#define HAVEN_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, haven_logtype, "haven: " __VA_ARGS__)

/** printf format and arguments of an IPv4 address in network byte order. */
#define HAVEN_IP4_FMT "%u.%u.%u.%u"
#define HAVEN_IP4_ARGS(a) \
	((const uint8_t *)&(a))[0], ((const uint8_t *)&(a))[1], \
	((const uint8_t *)&(a))[2], ((const uint8_t *)&(a))[3]

/* Tunables of the control lcore. */
#define HAVEN_CTL_BURST 32		/**< punted packets per poll */
#define HAVEN_HOLD_PER_NEIGH 16		/**< packets held per unresolved neighbour */
#define HAVEN_ARP_RETRY_MS 1000		/**< between ARP requests */
#define HAVEN_ARP_TRIES 3		/**< requests before held packets drop */
#define HAVEN_GARP_REPEAT_MS 1000	/**< second gratuitous ARP after this */
#define HAVEN_MBUFS 8191		/**< mbufs in the pool */
#define HAVEN_MBUF_CACHE 256		/**< per-lcore mempool cache */

#define HAVEN_MAX_SECONDARIES 32	/**< configured + added at run time */

#define HAVEN_EVENTS 1024		/**< events remembered */

/** Kinds of events (events.c). */
enum haven_event_kind {
	HAVEN_EV_REGISTRATION,		/**< request answered; code = reply code */
	HAVEN_EV_DEREGISTRATION,	/**< a node's care-of address(es) released */
	HAVEN_EV_EXPIRY,		/**< a lifetime ran out */
	HAVEN_EV_DELEGATION,		/**< delegated, refused; code = status */
	HAVEN_EV_TAKEBACK,		/**< binding back from a secondary */
	HAVEN_EV_PEER,			/**< peer lost, back, added, removed */
	HAVEN_EV_CONFIG,		/**< configuration reloaded or refused */
};

/** One remembered event. */
struct haven_event {
	uint64_t seq;			/**< 0, 1, 2, ... since start */
	uint64_t time_us;		/**< wall clock, microseconds */
	enum haven_event_kind kind;
	uint32_t home_addr;		/**< NBO, 0 when none */
	int code;			/**< reply code, status, or -1 */
	char text[112];			/**< what happened, for people */
	bool is_ip6;			/**< home_addr6 holds the address */
	uint8_t home_addr6[16];		/**< IPv6 home address (haven_event6) */
};

/** Control-plane counters (control lcore only). */
struct haven_ctl_stats {
	uint64_t reg_requests;		/**< datagrams on UDP 434 */
	uint64_t reg_dropped;		/**< not a request: silently dropped */
	uint64_t reg_replies[256];	/**< replies sent, by code */
	uint64_t bindings_expired;	/**< lifetimes that ran out */
	uint64_t garp_sent;		/**< gratuitous ARPs sent */
	uint64_t arp_requests_sent;	/**< neighbour resolution */
	uint64_t held_sent;		/**< held packets sent after resolution */
	uint64_t held_dropped;		/**< held packets dropped (timeout, full) */
	uint64_t tx_dropped;		/**< control TX queue full */
};

/** One care-of address of a mobile node, as the control lcore tracks it. */
struct haven_mn_coa {
	uint32_t addr;			/**< NBO */
	uint16_t lifetime;		/**< granted */
	uint64_t expires_at;		/**< timer cycles */
};

/** Registration state of a configured mobile node (control lcore only). */
struct haven_mn_state {
	const struct haven_config_mn *cfg;
	struct haven_mip4_key *key;	/**< cfg->sa, prepared (HMAC state) */
	uint64_t last_ident;		/**< last accepted Identification */
	uint8_t n_coa;			/**< bindings held */
	struct haven_mn_coa coa[HAVEN_BINDING_MAX_COA];
	uint8_t encap;			/**< enum haven_encap of the last request */
	uint8_t flags;			/**< HAVEN_BINDING_F_* */
	uint64_t registered_at;		/**< timer cycles of first accept */
	struct rte_timer expiry;	/**< next care-of address expiry */
	struct rte_timer garp;		/**< second gratuitous ARP */
	uint8_t forwarder;		/**< HAVEN_FORWARDER_SELF or SHA + 1 */
	struct haven_deleg_binding deleg;	/**< delegation state (PHA) */
	struct {
		bool active;		/**< waiting for the SHA's ack [0026] */
		uint32_t dst_ip;	/**< the request's source */
		uint16_t dst_port;
		struct haven_mip4_rrp rrp;
	} pending;			/**< registration reply held back */
	/* Balancer (threshold policy): rates from the counters. */
	uint64_t last_pkts;		/**< counter at the last balancer turn */
	uint64_t rate_pps;		/**< packets per second, last turn */
	uint64_t cond_since_ms;		/**< a threshold condition holds since */
	bool auto_delegated;		/**< delegated by a policy */
	uint64_t last_reported;		/**< deleg.reported_packets, last turn */
};

/** Packets held until a neighbour resolves (control lcore only). */
struct haven_hold {
	struct rte_mbuf *pkts[HAVEN_HOLD_PER_NEIGH];
	uint8_t n;
	uint8_t tries;			/**< solicitations sent */
	uint64_t next_try;		/**< timer cycles */
};

/**
 * One address family's side of the hold queue (neigh.c): where its held
 * packets live, how it asks for a neighbour's address, what it counts.
 * neigh.c (ARP) and neigh6.c (Neighbor Solicitation) each fill one.
 */
struct haven_app;
struct haven_holdq {
	struct haven_hold *holds;	/**< one per neighbour entry */
	unsigned int tries;		/**< solicitations before held drop */
	unsigned int retry_ms;		/**< between solicitations */
	uint64_t *held_sent;		/**< counter: sent after resolution */
	uint64_t *held_dropped;		/**< counter: dropped (timeout, full) */
	/** Ask for neighbour idx's Ethernet address. */
	void (*solicit)(struct haven_app *app, int idx);
};

/** The application. */
struct haven_app {
	struct haven_config cfg;
	struct haven_fp fp;
	struct haven_worker *workers;
	unsigned int n_workers;
	uint16_t ctl_txq;			/**< control lcore's TX queue */
	uint16_t n_rxq[HAVEN_MAX_PORTS];	/**< RX queues of each port */
	struct haven_mn_state **mns;		/**< one per cfg.mns[], same order */
	struct haven_hold *holds;		/**< one per neighbour entry */
	struct haven_ctl_stats stats;
	volatile bool quit;
	volatile bool reload_requested;		/**< SIGHUP seen */
	struct cmdline *console;		/**< terminal, or NULL */
	bool console_on_terminal;		/**< asked for at start */
	int console_listen_fd;			/**< unix socket, or -1 */
	struct cmdline *console_client;		/**< attached client, or NULL */
	int console_client_fd;			/**< its socket */
	/* Delegation (EP 1134991): primary and/or secondary role. */
	bool is_pha;				/**< serves mobile nodes */
	bool is_sha;				/**< forwards for primaries */
	struct haven_deleg_pha pha;
	struct haven_deleg_sha sha;
	struct haven_deleg_peer *secondaries;	/**< HAVEN_MAX_SECONDARIES */
	struct haven_deleg_peer *primaries;
	struct haven_deleg_sha_entry *sha_entries;
	uint32_t *sha_index;
	uint64_t deleg_rejected;		/**< messages not taken */
	enum haven_deleg_policy policy;		/**< may change at run time */
	struct haven_config_threshold threshold;
	uint64_t balancer_next_ms;		/**< next balancer turn */
	uint64_t balancer_last_ms;
	uint64_t total_cond_since_ms;		/**< total above threshold since */
	uint64_t peer_last[HAVEN_MAX_SECONDARIES];	/**< reported packets */
	uint64_t peer_rate[HAVEN_MAX_SECONDARIES];	/**< packets/s */
	/* The last HAVEN_EVENTS events (events.c). */
	struct haven_event events[HAVEN_EVENTS];
	uint64_t n_events;			/**< recorded since start */
	/* A request from the telemetry thread, served on the control lcore. */
	struct haven_tel_request *volatile tel_request;
	/* Mobile IPv6 (haven6.h): NULL when the configuration has no IPv6. */
	struct haven_app6 *ip6;
};

extern struct haven_app haven;

/* port.c */
int haven_ports_init(struct haven_app *app);
void haven_ports_close(struct haven_app *app);
/** Send one packet on the control lcore's TX queue of port index p. */
void haven_ctl_tx(struct haven_app *app, unsigned int p, struct rte_mbuf *m);

/* neigh.c: resolution and held packets on the control lcore */
int haven_resolve_init(struct haven_app *app);
/**
 * Send an IPv4 packet whose Ethernet header is present but whose
 * destination MAC is not yet known: route it, resolve the next hop, hold
 * it while resolving.
 */
void haven_ctl_send_ip(struct haven_app *app, struct rte_mbuf *m);
/** Hold or send an encapsulated packet a worker could not send. */
void haven_ctl_resolve_punt(struct haven_app *app, struct rte_mbuf *m);
/** An ARP packet reached the control lcore: learn from it. */
void haven_ctl_arp_input(struct haven_app *app, struct rte_mbuf *m);
/** Retries and timeouts of pending resolutions. */
void haven_resolve_tick(struct haven_app *app);
/** Neighbour index for a next hop, resolving it if new; -1 if full. */
int haven_ctl_neigh_for(struct haven_app *app, uint32_t nh, uint8_t port);
/** Fill the Ethernet header of m toward mac and send it on port p. */
void haven_ctl_tx_to(struct haven_app *app, unsigned int p,
		const struct rte_ether_addr *mac, struct rte_mbuf *m);
/** Start resolving neighbour idx: a first solicitation, then retries. */
void haven_hold_start(struct haven_app *app, const struct haven_holdq *q,
		int idx);
/** Hold m for unresolved neighbour idx; dropped and counted when full. */
void haven_hold_add(struct haven_app *app, const struct haven_holdq *q,
		int idx, struct rte_mbuf *m);
/** Neighbour idx resolved to mac on port p: send what it held. */
void haven_hold_flush(struct haven_app *app, const struct haven_holdq *q,
		int idx, unsigned int p, const struct rte_ether_addr *mac);
/** Neighbour idx is still unresolved at now: retry, or drop its packets. */
void haven_hold_tick(struct haven_app *app, const struct haven_holdq *q,
		int idx, uint64_t now);
/** Send a gratuitous ARP for ip with the port's MAC on the home port. */
void haven_send_garp(struct haven_app *app, uint32_t ip,
		const struct rte_ether_addr *mac);

/* registration.c */
/** Route and resolve a care-of address into a binding's tunnel endpoint. */
int haven_coa_resolve(struct haven_app *app, uint32_t addr,
		struct haven_binding_coa *c);
/** Publish the node's binding again (forwarder or care-of changed). */
void haven_mn_republish(struct haven_app *app, struct haven_mn_state *st);
/** Gratuitous ARP for the node with our MAC, now and once more later. */
void haven_mn_announce(struct haven_app *app, struct haven_mn_state *st);
/** Send a registration reply held back for the SHA's ack, if any. */
void haven_mn_reply_pending(struct haven_app *app, struct haven_mn_state *st);
int haven_registration_init(struct haven_app *app);
/** A datagram arrived on UDP 434: process it and reply. */
void haven_registration_input(struct haven_app *app, struct rte_mbuf *m);
/** Remove every binding of a node (console, shutdown). */
void haven_mn_release(struct haven_app *app, struct haven_mn_state *st);
/** A node's state, with its timers; deleg.user points back to it. */
struct haven_mn_state *haven_mn_state_new(const struct haven_config_mn *cfg);
/**
 * Point a kept node at its new configuration (reload) and prepare its new
 * key; if that fails (-errno) the old key stays in force.
 */
int haven_mn_state_rekey(struct haven_mn_state *st,
		const struct haven_config_mn *cfg);
/** Release a node's bindings (and delegation), then free its state. */
void haven_mn_state_free(struct haven_app *app, struct haven_mn_state *st);
/** The state of a configured node, or NULL. */
struct haven_mn_state *haven_mn_find(struct haven_app *app, uint32_t hoa);
/** An MN-HA algorithm's name as configured: "hmac-md5", "hmac-sha256". */
const char *haven_alg_name(enum haven_mip4_alg alg);

/* control.c */
int haven_control_loop(struct haven_app *app);
const char *haven_encap_name(uint8_t encap);
/** Sum the workers' statistics (read while they run: plain loads). */
void haven_worker_stats_sum(const struct haven_app *app,
		struct haven_worker_stats *sum);
/** Identifier of a drop reason, e.g. "no_binding". */
const char *haven_drop_key(unsigned int reason);

/* delegation.c */
#define HAVEN_REPEAT_SLOTS 64	/**< SHA: second announcements pending */

/** An announcement to repeat once (SHA: gratuitous ARP, unsolicited NA). */
struct haven_repeat {
	bool used;
	uint8_t addr[16];		/**< IPv4: the first four bytes (NBO) */
	uint64_t due_ms;
};

/**
 * Repeat the announcement of addr (len bytes) at due_ms: one slot per
 * address in slots[HAVEN_REPEAT_SLOTS], none taken when all are in use.
 */
void haven_repeat_later(struct haven_repeat *slots, const void *addr,
		size_t len, uint64_t due_ms);
/**
 * The next address due at now_ms, from slot *i on, taken off the list;
 * NULL when none is. Start with *i = 0.
 */
const uint8_t *haven_repeat_due(struct haven_repeat *slots, uint64_t now_ms,
		unsigned int *i);
uint64_t haven_now_ms(void);
int haven_deleg_init(struct haven_app *app);
/** A datagram on the delegation port, from src (NBO). */
void haven_deleg_input(struct haven_app *app, uint32_t src,
		const uint8_t *msg, size_t len);
/** Timers of the protocol and the balancer; every control tick. */
void haven_deleg_tick(struct haven_app *app);
/** Name of a binding's forwarder: "self" or the secondary's name. */
const char *haven_forwarder_name(struct haven_app *app, uint8_t forwarder);
/** A delegated binding's home address as text (IPv4 or IPv6). */
const char *haven_deleg_hoa_str(const struct haven_deleg_binding_info *in,
		char *buf, size_t len);
/** Its care-of addresses as text, space separated. */
const char *haven_deleg_coa_str(const struct haven_deleg_binding_info *in,
		char *buf, size_t len);
/** Call cb for every binding not LOCAL (IPv4, then IPv6). @return count. */
unsigned int haven_deleg_foreach(struct haven_app *app,
		void (*cb)(const struct haven_deleg_binding *b, void *arg),
		void *arg);
/** Packets an SHA tunnelled for a held binding, live from the counters. */
uint64_t haven_deleg_entry_packets(struct haven_app *app,
		const struct haven_deleg_sha_entry *e);
/** The forwarder value of a secondary: its slot + 1. */
uint8_t haven_forwarder_of_peer(struct haven_app *app,
		const struct haven_deleg_peer *p);
struct haven_deleg_peer *haven_secondary_find(struct haven_app *app,
		const char *name);
/** Fill st->deleg.info (what the SHA is told) from the node's state. */
void haven_mn_deleg_info(struct haven_app *app, struct haven_mn_state *st);
/* Actions shared by the console and the policies: 0 or -errno, err set. */
int haven_delegate(struct haven_app *app, uint32_t hoa, const char *sha,
		char *err, size_t errlen);
int haven_undelegate(struct haven_app *app, uint32_t hoa, uint8_t reason,
		char *err, size_t errlen);
int haven_secondary_add(struct haven_app *app, const char *name,
		uint32_t id, uint32_t addr, const uint8_t *key, size_t key_len,
		char *err, size_t errlen);
int haven_secondary_del(struct haven_app *app, const char *name, char *err,
		size_t errlen);
/** The balancer's policy by name: manual, equal or threshold. */
int haven_set_policy(struct haven_app *app, const char *name, char *err,
		size_t errlen);
/** One threshold: binding, total (pps), hysteresis (%), hold (s). */
int haven_set_threshold(struct haven_app *app, const char *which,
		uint32_t value, char *err, size_t errlen);

/* balancer.c: the policies of [0024] and claim 4 */
/**
 * An accepted registration of a node with care-of addresses: delegated
 * bindings follow it; the equal policy delegates new ones.
 * @return true if a delegation was started (the reply may wait for it).
 */
bool haven_balancer_on_registration(struct haven_app *app,
		struct haven_mn_state *st);
void haven_balancer_tick(struct haven_app *app, uint64_t now_ms);
/** The usable secondary holding the fewest of our bindings, or NULL. */
struct haven_deleg_peer *haven_balancer_fewest(struct haven_app *app);

/* reload.c */
/**
 * Reload the configuration file: all of it, or nothing (err says why,
 * file:line:column for a bad file). Control lcore only.
 */
int haven_reload(struct haven_app *app, char *err, size_t errlen);

/* events.c */
/** Record an event (and log it). Control lcore only. */
void haven_event(struct haven_app *app, enum haven_event_kind kind,
		uint32_t home_addr, int code, const char *fmt, ...)
	__rte_format_printf(5, 6);
const char *haven_event_kind_name(enum haven_event_kind kind);
/** Record an event about an IPv6 home address (16 bytes, or NULL). */
void haven_event6(struct haven_app *app, enum haven_event_kind kind,
		const uint8_t *home_addr6, int code, const char *fmt, ...)
	__rte_format_printf(5, 6);

/* console.c */
int haven_console_init(struct haven_app *app, bool terminal);
void haven_console_poll(struct haven_app *app);
void haven_console_close(struct haven_app *app);

/* ---- operator surfaces (console*.c, main.c): begin ---- */
/**
 * Run a file of console commands (haven --script): each line echoed after
 * the prompt, then its output, on the terminal session if there is one,
 * else on stdout. Blank lines and '#' comments are skipped.
 * @return 0, or -errno if the file cannot be read.
 */
int haven_console_script(struct haven_app *app, const char *path);
/* ---- operator surfaces: end ---- */

/* telemetry.c */
int haven_telemetry_init(struct haven_app *app);
void haven_telemetry_serve(struct haven_app *app);

#endif /* HAVEN_APP_H */
