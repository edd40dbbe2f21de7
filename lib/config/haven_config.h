/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_CONFIG_H
#define HAVEN_CONFIG_H

/**
 * @file
 * Haven configuration: the YAML file an operator writes (libyaml), loaded
 * into a plain structure before the EAL starts, so that every mistake is
 * reported as file:line:column and the process exits before touching a
 * port. No DPDK types. The schema is documented in docs/configuration.md.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "haven_addr.h"
#include "haven_mip4.h"
#include "haven_radius_client.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HAVEN_CONFIG_MAX_PORTS 4
#define HAVEN_CONFIG_MAX_ROUTES 64
#define HAVEN_CONFIG_MAX_EAL_ARGS 16
#define HAVEN_CONFIG_NAME_LEN 32
#define HAVEN_CONFIG_PATH_LEN 256
#define HAVEN_CONFIG_LCORES_LEN 64
/** Care-of addresses per node; equals HAVEN_BINDING_MAX_COA (no DPDK here). */
#define HAVEN_CONFIG_MAX_SIMULTANEOUS 4
/** Secondaries, and primaries, one agent may list (each). */
#define HAVEN_CONFIG_MAX_PEERS 16
/** Longest delegation key; equals HAVEN_DELEG_MAX_KEY (see lib/deleg). */
#define HAVEN_CONFIG_PEER_KEY_LEN 64
/** Default UDP port of the delegation protocol; equals HAVEN_DELEG_PORT. */
#define HAVEN_CONFIG_DELEG_PORT 4434

/* ---- IPv6 (Mobile IPv6, RFC 6275) ---------------------------------- */

/** Bytes of an IPv6 address. */
#define HAVEN_CONFIG_IPV6_LEN 16
/** IPv6 static routes (routes[] entries with an IPv6 prefix). */
#define HAVEN_CONFIG_MAX_ROUTES6 64
/** Longest IPv6 MN-HA key; equals HAVEN_MIP6_MAX_KEY (see lib/mip6). */
#define HAVEN_CONFIG_SA6_MAX_KEY 128
/** Longest mobile node identifier (RFC 4283 NAI), bytes. */
#define HAVEN_CONFIG_MN_ID_LEN 255
/** RFC 6275 lifetimes count 4 s units: the largest is 65535 x 4 s. */
#define HAVEN_CONFIG_MAX_LIFETIME6 262140
/** Algorithm of an IPv6 SA: RFC 4285 HMAC-SHA1 (truncated to 96 bits). */
#define HAVEN_CONFIG_SA6_HMAC_SHA1 0
/** Algorithm of an IPv6 SA: HMAC-SHA256 (32-byte authenticator). */
#define HAVEN_CONFIG_SA6_HMAC_SHA256 1

/** How idle lcores wait. */
enum haven_idle_policy {
	HAVEN_IDLE_ADAPTIVE = 0,	/**< sleep after a run of empty polls */
	HAVEN_IDLE_BUSY,		/**< poll without pause (production) */
};

/** Hugepage use. */
enum haven_hugepages {
	HAVEN_HUGEPAGES_AUTO = 0,	/**< use them when reserved, else --no-huge */
	HAVEN_HUGEPAGES_ON,		/**< require them */
	HAVEN_HUGEPAGES_OFF,		/**< --no-huge */
};

/** Bit set of tunnel encapsulations the home agent offers. */
#define HAVEN_ENCAP_BIT_IPIP	(1u << 0)	/**< RFC 2003 */
#define HAVEN_ENCAP_BIT_MINIMAL	(1u << 1)	/**< RFC 2004 */
#define HAVEN_ENCAP_BIT_GRE	(1u << 2)	/**< RFC 2784 */

/**
 * home_agent.udp_tunnel: mobile nodes behind a NAT (RFC 3519). A node
 * that sends a UDP Tunnel Request from behind a NAT (or with its F flag,
 * when force_allowed) is tunnelled in UDP to the NAT's address and port.
 */
struct haven_config_udp_tunnel {
	bool enabled;			/**< UDP tunnelling offered */
	bool force_allowed;		/**< the F flag honoured without a NAT */
	uint16_t keepalive_s;		/**< Keepalive Interval of replies; 0: the
					  * node's default (110 s) */
};

#define HAVEN_CONFIG_IFNAME_LEN 16	/**< a Linux interface name, NUL */

/** One network port. */
struct haven_config_port {
	char name[HAVEN_CONFIG_NAME_LEN];	/**< operator's name, e.g. "home" */
	char device[HAVEN_CONFIG_PATH_LEN];	/**< vdev args or PCI address */
	bool is_vdev;				/**< device is a --vdev argument */
	uint32_t addr;				/**< interface address (NBO) */
	uint8_t prefix_len;			/**< its subnet prefix */

	/* IPv6: address6 (optional) */
	bool has_addr6;				/**< address6 is given */
	uint8_t addr6[HAVEN_CONFIG_IPV6_LEN];	/**< IPv6 interface address */
	uint8_t prefix_len6;			/**< its subnet prefix, 1..128 */

	/**
	 * host_interface (optional): the Linux interface that mirrors this
	 * port for daemons of the appliance (keepalived), the exception
	 * path; "" when none. 1..15 bytes (IFNAMSIZ - 1).
	 */
	char host_interface[HAVEN_CONFIG_IFNAME_LEN];
};

/** One static route. */
struct haven_config_route {
	uint32_t prefix;		/**< destination (NBO) */
	uint8_t prefix_len;		/**< 0..32 */
	uint32_t gateway;		/**< next hop on a port's subnet (NBO) */
	uint8_t port;			/**< index into ports, derived from gateway */
};

/**
 * IPv6: one static route, a routes[] entry whose prefix is IPv6. Kept
 * apart from struct haven_config_route so that IPv4 stays as it was.
 */
struct haven_config_route6 {
	uint8_t prefix[HAVEN_CONFIG_IPV6_LEN];	/**< destination, host bits 0 */
	uint8_t prefix_len;			/**< 0..128 */
	uint8_t gateway[HAVEN_CONFIG_IPV6_LEN];	/**< next hop on a port's subnet */
	uint8_t port;				/**< index into ports */
};

/** One mobile node and its mobility security association. */
struct haven_config_mn {
	uint32_t home_addr;		/**< home address (NBO) */
	struct haven_mip4_sa sa;	/**< MN-HA security association */
	uint32_t max_lifetime;		/**< seconds; 0: the agent's maximum */
	unsigned int line;		/**< where it was defined, for messages */
};

/**
 * IPv6: a mobility security association (RFC 4285). The
 * values of alg equal enum haven_mip6_alg; lib/mip6 prepares the key
 * (haven_mip6_key_create()), the application maps one to the other.
 */
struct haven_config_sa6 {
	uint32_t spi;			/**< Mobility SPI, >= 256 */
	uint8_t alg;			/**< HAVEN_CONFIG_SA6_HMAC_SHA1 / _SHA256 */
	uint8_t key[HAVEN_CONFIG_SA6_MAX_KEY];	/**< shared secret */
	uint8_t key_len;		/**< 1..HAVEN_CONFIG_SA6_MAX_KEY bytes */
};

/**
 * IPv6: one Mobile IPv6 node (a mobile_nodes6 entry) and its security
 * association. Independent of mobile_nodes: a dual-stack node is listed
 * in both, with an SA for each protocol.
 */
struct haven_config_mn6 {
	uint8_t home_addr[HAVEN_CONFIG_IPV6_LEN];	/**< in home_prefix6 */
	struct haven_config_sa6 sa;	/**< MN-HA association (RFC 4285) */
	char mn_id[HAVEN_CONFIG_MN_ID_LEN + 1];	/**< RFC 4283 NAI; "" none */
	uint32_t max_lifetime;		/**< seconds, multiple of 4; 0: agent's */
	unsigned int line;		/**< where it was defined, for messages */
};

/**
 * A delegation peer (EP 1134991): for a primary home agent (PHA) one of
 * its secondaries (SHA), for an SHA one of its primaries. The layout of
 * the first fields is that of struct haven_deleg_peer's configured part.
 */
struct haven_config_peer {
	char name[HAVEN_CONFIG_NAME_LEN];	/**< operator's name, e.g. "sha1" */
	uint32_t id;				/**< its agent id, >= 1 */
	uint32_t addr;				/**< its address (NBO) */
	uint8_t key[HAVEN_CONFIG_PEER_KEY_LEN];	/**< HMAC-SHA256 key */
	uint8_t key_len;			/**< 1..PEER_KEY_LEN bytes */
	uint8_t port;				/**< index of its port */
	unsigned int line;			/**< where it was defined */

	/* IPv6: address6 (optional), for IPv6 delegation later */
	bool has_addr6;				/**< address6 is given */
	uint8_t addr6[HAVEN_CONFIG_IPV6_LEN];	/**< its IPv6 address */
	uint8_t port6;				/**< index of its IPv6 port */
};

/** How a PHA chooses the bindings it delegates ([0024], claim 4). */
enum haven_deleg_policy {
	HAVEN_POLICY_MANUAL = 0,	/**< only by operator command */
	HAVEN_POLICY_EQUAL,		/**< nodes shared equally by SHAs */
	HAVEN_POLICY_THRESHOLD,		/**< automatic, on packet rates */
};

/**
 * home_agent.registration_guard: what the workers let through to the
 * control lcore of registration requests (Mobile IPv4 UDP 434 and
 * Mobile IPv6 Binding Updates), docs/security.md. Rates are a second,
 * for the whole agent; 0: that limit is off.
 */
struct haven_config_reg_guard {
	uint32_t rate;			/**< requests not from a bound pair */
	uint32_t burst;			/**< ... taken at once after a lull */
	uint32_t source_rate;		/**< ... from any one source address */
	uint32_t source_burst;
	uint32_t bound_rate;		/**< from a bound pair's care-of address */
	uint32_t bound_burst;
};

/** Parameters of HAVEN_POLICY_THRESHOLD. */
struct haven_config_threshold {
	uint32_t binding_pps;		/**< delegate a binding above */
	uint32_t total_pps;		/**< PHA total above: 0 off */
	uint8_t hysteresis_pct;		/**< take back below % of it */
	uint32_t hold_s;		/**< a condition holds this long first */
};

/**
 * The delegation: section. When enabled is false (no section) every other
 * member still holds its default. The agent is a PHA when n_secondaries
 * is non-zero, an SHA when n_primaries is, possibly both.
 */
struct haven_config_delegation {
	bool enabled;				/**< the section is present */
	uint32_t agent_id;			/**< this agent's id among peers */
	uint32_t addr;				/**< source of messages (NBO) */
	uint16_t port;				/**< UDP port, host order */
	struct haven_config_peer secondaries[HAVEN_CONFIG_MAX_PEERS];
	unsigned int n_secondaries;		/**< > 0: this agent is a PHA */
	struct haven_config_peer primaries[HAVEN_CONFIG_MAX_PEERS];
	unsigned int n_primaries;		/**< > 0: this agent is an SHA */
	uint32_t capacity;			/**< SHA: bindings accepted */
	uint32_t report_interval_ms;		/**< SHA: report period */
	uint32_t dead_after;			/**< PHA: reports missed -> dead */
	bool wait_for_ack;			/**< PHA: reply after the ack [0026] */
	enum haven_deleg_policy policy;		/**< PHA: what it delegates */
	struct haven_config_threshold threshold;	/**< PHA, threshold policy */
	/* PHA: rebalancing and flow control (delegation protocol 11.4, 11.5) */
	uint8_t rebalance_tolerance_pct;	/**< equal: a secondary this far
						  * (% of the even share) from
						  * it starts a rebalance */
	uint32_t window;			/**< transactions in flight per
						  * secondary */
	uint16_t dgram_window;			/**< request datagrams in flight
						  * per secondary, 1..64 */
	uint16_t rx_budget;			/**< request datagrams in flight
						  * over all secondaries */
	uint32_t move_rate;			/**< planned moves started per
						  * second; 0: as the windows
						  * allow */
	uint32_t move_burst;			/**< planned moves started at
						  * once */
};

/** Most request datagrams in flight per secondary; = HAVEN_DELEG_MAX_DGRAM_WINDOW. */
#define HAVEN_CONFIG_MAX_DGRAM_WINDOW 64

/**
 * The aaa: section: mobile nodes provisioned by RADIUS servers (keys and
 * NAI-assigned home addresses) and accounting of their bindings. When
 * enabled is false (no section) the other members hold their defaults.
 */
struct haven_config_aaa {
	bool enabled;			/**< the section is present */
	/**
	 * Servers, NAS identity, bounds: ready for
	 * haven_radius_transport_create(). Holds the shared secrets and the
	 * User-Password (wiped by haven_config_free()).
	 */
	struct haven_radius_conf radius;
	unsigned int server_line[HAVEN_RADIUS_MAX_SERVERS];	/**< where each server was defined */
	uint32_t key_lifetime;		/**< s a key from RADIUS stays cached */
	bool accounting;		/**< send Accounting-Requests */
	uint32_t interim_interval;	/**< s between Interim-Updates; 0: none */
	bool has_pool;			/**< pool is given */
	uint32_t pool_first;		/**< first address of the NAI pool (NBO) */
	uint32_t pool_last;		/**< last address, inclusive (NBO) */
};

/* ---- store: and redundancy: (issue 11) ----------------------------- */

/** Sync policies of store.sync; equal to enum haven_store_sync. */
#define HAVEN_CONFIG_STORE_SYNC_EVERY_COMMIT 0
#define HAVEN_CONFIG_STORE_SYNC_INTERVAL 1
#define HAVEN_CONFIG_STORE_SYNC_NONE 2
/** Default UDP port of the state synchronisation; equals HAVEN_SYNC_PORT. */
#define HAVEN_CONFIG_SYNC_PORT 4435
/** Longest key of the pair; equals HAVEN_SYNC_MAX_KEY_LEN. */
#define HAVEN_CONFIG_SYNC_KEY_LEN 64

/**
 * The store: section: where bindings, replay and delegation state
 * persist (lib/store, LMDB). Without the section nothing persists.
 */
struct haven_config_store {
	bool enabled;				/**< the section is present */
	char path[HAVEN_CONFIG_PATH_LEN];	/**< directory, absolute */
	uint8_t sync;				/**< HAVEN_CONFIG_STORE_SYNC_* */
	uint32_t sync_interval_ms;		/**< "interval <ms>": 10..60000 */
	uint32_t map_size_mb;			/**< LMDB map size, MiB */
	uint32_t max_batch;			/**< changes per commit at most */
};

/** Role of this primary in the pair (redundancy.role). */
enum haven_redundancy_role {
	HAVEN_ROLE_AUTO = 0,	/**< as keepalived's VRRP says */
	HAVEN_ROLE_ACTIVE,	/**< always active (no VRRP) */
	HAVEN_ROLE_STANDBY,	/**< always standby: never takes over */
};

/**
 * The redundancy: section: the other primary of an active/standby pair,
 * the state synchronisation with it (lib/sync) and the VRRP parameters
 * of the keepalived that decides who is active.
 */
struct haven_config_redundancy {
	bool enabled;				/**< the section is present */
	uint32_t node_id;			/**< this primary's id in the pair */
	struct haven_addr addr;			/**< source of sync messages: a
						  * port address of this box */
	uint16_t port;				/**< UDP port, host order */
	uint8_t port_index;			/**< ports[] of addr */
	struct {
		char name[HAVEN_CONFIG_NAME_LEN];	/**< e.g. "pha-b" */
		uint32_t id;			/**< its node_id */
		struct haven_addr addr;		/**< its own address */
		uint8_t key[HAVEN_CONFIG_SYNC_KEY_LEN];	/**< HMAC-SHA256 */
		uint8_t key_len;		/**< 1..64 */
		unsigned int line;		/**< where it was defined */
	} peer;
	enum haven_redundancy_role role;	/**< auto, active, standby */
	uint8_t vrid;				/**< VRRP virtual router id */
	uint8_t priority;			/**< VRRP priority, 1..254 */
	uint32_t advert_interval_ms;		/**< VRRPv3: 10..40950, x10 */
	bool preempt;				/**< take the VIP back */
	uint32_t heartbeat_ms;			/**< sync heartbeat interval */
	uint32_t dead_after;			/**< heartbeats missed -> dead */
	uint32_t window;			/**< RECORDS in flight */
	uint32_t bulk_per_tick;			/**< bulk slices per tick */
};

/** The whole configuration. */
struct haven_config {
	char path[HAVEN_CONFIG_PATH_LEN];	/**< file it was read from */

	/* eal: */
	char lcores[HAVEN_CONFIG_LCORES_LEN];	/**< EAL -l list; first is control */
	uint16_t control_lcore;			/**< first lcore of the list */
	uint16_t n_workers;			/**< lcores in the list after it */
	char file_prefix[HAVEN_CONFIG_NAME_LEN];	/**< EAL --file-prefix */
	uint32_t memory_mb;			/**< EAL -m */
	enum haven_hugepages hugepages;		/**< hugepage policy */
	char *eal_args[HAVEN_CONFIG_MAX_EAL_ARGS];	/**< extra EAL args */
	unsigned int n_eal_args;

	enum haven_idle_policy idle;		/**< idle policy of every lcore */
	char log_level[16];			/**< haven.* log level */

	/* ports: */
	struct haven_config_port ports[HAVEN_CONFIG_MAX_PORTS];
	unsigned int n_ports;

	/* routes: */
	struct haven_config_route routes[HAVEN_CONFIG_MAX_ROUTES];
	unsigned int n_routes;

	/*
	 * home_agent: (optional for a pure SHA; without it ha_addr is the
	 * first port's address, home_port 0, the rest their defaults)
	 */
	bool has_home_agent;			/**< the section is present */
	uint32_t ha_addr;			/**< home agent address (NBO) */
	uint8_t home_port;			/**< index of the home link port */
	uint32_t max_lifetime;			/**< seconds, <= 65534 */
	uint32_t replay_window;			/**< seconds, default 7 */
	uint32_t max_bindings;			/**< table capacity */
	uint8_t max_simultaneous;		/**< care-of addresses per node */
	uint8_t encapsulations;			/**< HAVEN_ENCAP_BIT_* offered */
	bool reverse_tunnel;			/**< T flag honoured */
	struct haven_config_reg_guard reg_guard;	/**< flood guard */
	struct haven_config_udp_tunnel udp_tunnel;	/**< RFC 3519 */
	/** console_socket at the top level or in home_agent; "" for none */
	char console_socket[HAVEN_CONFIG_PATH_LEN];

	/* mobile_nodes: */
	struct haven_config_mn *mns;		/**< array of n_mns */
	unsigned int n_mns;

	/* ---- IPv6: on when address6 keys are present ---- */

	/* routes[] entries with an IPv6 prefix */
	struct haven_config_route6 routes6[HAVEN_CONFIG_MAX_ROUTES6];
	unsigned int n_routes6;

	/* home_agent: IPv6 keys (a pure SHA: its first port's address6) */
	bool has_ha_addr6;			/**< home_agent.address6 set */
	uint8_t ha_addr6[HAVEN_CONFIG_IPV6_LEN];	/**< HA IPv6 address */
	/** home subnet prefix (RFC 6275 code 132); all zero, len 0: none */
	uint8_t home_prefix6[HAVEN_CONFIG_IPV6_LEN];
	uint8_t home_prefix6_len;		/**< 1..128; 0: no IPv6 home */
	uint32_t max_lifetime6;			/**< s, multiple of 4, 4..262140 */
	bool dad;				/**< DAD before a new HoA */
	uint32_t refresh_advice_s;		/**< s, multiple of 4; 0: none */

	/* mobile_nodes6: sorted by home address (memcmp order) */
	struct haven_config_mn6 *mns6;		/**< array of n_mns6 */
	unsigned int n_mns6;

	/* delegation: */
	struct haven_config_delegation delegation;

	/* aaa: */
	struct haven_config_aaa aaa;
	/* store: and redundancy: */
	struct haven_config_store store;
	struct haven_config_redundancy redundancy;
};

/**
 * Load and validate a configuration file.
 *
 * Every error is written to err as
 * "file:line:column: expected <what>, got <what was found>" (1-based),
 * pointing at the offending node; a missing key points at its mapping.
 * Unknown keys, wrong types, out-of-range numbers, malformed addresses,
 * duplicate home addresses, gateways on no port's subnet, unreadable key
 * files, delegation peers that are duplicated or not directly reachable
 * are all errors. Defaults fill what the file leaves out.
 *
 * @param path    YAML file.
 * @param cfg     zeroed structure to fill; release with haven_config_free().
 * @param err     buffer for the first error.
 * @param errlen  its size.
 * @return 0 on success, -1 on error (cfg is then released).
 */
int haven_config_load(const char *path, struct haven_config *cfg,
		char *err, size_t errlen);

/**
 * Load and validate a configuration held in memory, exactly as
 * haven_config_load() would load a file with that content: the same
 * checks, defaults and messages, which start with name
 * ("name:line:column: ..."). Relative key_file paths start in the folder
 * of name, as they start in the folder of a file. For a configuration
 * that did not come from a file (a console, a test, a fuzzer).
 *
 * @param name    what messages and cfg->path call the text, 1..255 bytes.
 * @param data    the YAML text; it need not end with a NUL.
 * @param len     its length in bytes (0: an empty file).
 * @param cfg     structure to fill; release with haven_config_free().
 * @param err     buffer for the first error.
 * @param errlen  its size.
 * @return 0 on success, -1 on error (cfg is then released).
 */
int haven_config_load_buffer(const char *name, const void *data, size_t len,
		struct haven_config *cfg, char *err, size_t errlen);

/**
 * Whether a loaded configuration runs Mobile IPv6: the home agent or a
 * port has an IPv6 address (home_agent.address6, ports[].address6).
 *
 * @param cfg  a loaded configuration.
 * @return true when IPv6 is on.
 */
bool haven_config_has_ipv6(const struct haven_config *cfg);

/**
 * The smallest eal.memory_mb that holds the tables haven builds at
 * start-up for this configuration (mbuf pool, LPM tables, binding tables
 * sized by max_bindings, more with IPv6), as measured and documented in
 * docs/configuration.md. haven_config_load() refuses a smaller memory_mb.
 *
 * @param cfg  a loaded configuration.
 * @return megabytes.
 */
uint32_t haven_config_min_memory_mb(const struct haven_config *cfg);

/** Release what haven_config_load() allocated. */
void haven_config_free(struct haven_config *cfg);

/**
 * Find a mobile node by home address (NBO); NULL if unknown.
 * The nodes are kept sorted by home address: a binary search.
 */
const struct haven_config_mn *
haven_config_find_mn(const struct haven_config *cfg, uint32_t home_addr);

/**
 * IPv6: find a Mobile IPv6 node by home address; NULL if unknown. The
 * nodes are kept sorted by address (memcmp order): a binary search.
 *
 * @param cfg   a loaded configuration.
 * @param addr  the home address, 16 bytes in network order.
 * @return the node, or NULL.
 */
const struct haven_config_mn6 *
haven_config_find_mn6(const struct haven_config *cfg,
		const uint8_t addr[HAVEN_CONFIG_IPV6_LEN]);

/** Name of an idle policy ("adaptive", "busy"). */
const char *haven_idle_policy_name(enum haven_idle_policy p);

/** Name of a redundancy role ("auto", "active", "standby"). */
const char *haven_redundancy_role_name(enum haven_redundancy_role r);

/** Name of a delegation policy ("manual", "equal", "threshold"). */
const char *haven_deleg_policy_name(enum haven_deleg_policy p);

/**
 * Find a delegation peer by name among the secondaries and the primaries;
 * NULL if unknown. Names are unique across both lists.
 */
const struct haven_config_peer *
haven_config_find_peer(const struct haven_config *cfg, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_CONFIG_H */
