/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_MIP6_H
#define HAVEN_MIP6_H

/**
 * @file
 * Mobile IPv6 home registration codec (RFC 6275), with the authentication
 * protocol of RFC 4285 (MN-HA mobility message authentication option,
 * HMAC-SHA1 as specified there, HMAC-SHA256 as a configurable algorithm,
 * timestamp replay protection), and IPv6-in-IPv6 tunnelling (RFC 2473)
 * with the ICMPv6 errors it needs (RFC 4443). Neighbor Discovery lives in
 * haven_nd.h.
 *
 * Pure functions over byte buffers: no DPDK types, no I/O, no global
 * state, so the codec is easy to unit test and fuzz. IPv6 addresses are
 * 16-byte arrays in network order; every other field is in host order.
 *
 * IPsec protection of home registration (RFC 3776, RFC 4877) is not
 * provided: Binding Updates are authenticated with RFC 4285 only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Numbers                                                            */
/* ------------------------------------------------------------------ */

/* IPv6 next header values (IANA protocol numbers). */
#define HAVEN_IPPROTO_HOPOPTS	0	/**< Hop-by-Hop Options (RFC 8200 4.3) */
#define HAVEN_IPPROTO_IPV6	41	/**< IPv6-in-IPv6 (RFC 2473) */
#define HAVEN_IPPROTO_ROUTING	43	/**< Routing header (RFC 8200 4.4) */
#define HAVEN_IPPROTO_FRAGMENT	44	/**< Fragment header (RFC 8200 4.5) */
#define HAVEN_IPPROTO_ESP	50	/**< ESP (RFC 4303) */
#define HAVEN_IPPROTO_AH	51	/**< AH (RFC 4302) */
#define HAVEN_IPPROTO_ICMPV6	58	/**< ICMPv6 (RFC 4443) */
#define HAVEN_IPPROTO_NONE	59	/**< No Next Header (RFC 8200 4.7) */
#define HAVEN_IPPROTO_DSTOPTS	60	/**< Destination Options (RFC 8200 4.6) */
#define HAVEN_IPPROTO_MH	135	/**< Mobility Header (RFC 6275 6.1) */

#define HAVEN_IP6_HDR_LEN	40	/**< fixed IPv6 header (RFC 8200 3) */
#define HAVEN_IP6_MIN_MTU	1280	/**< RFC 8200 section 5 */

/** Home Address destination option (RFC 6275 6.3): type 201, length 16. */
#define HAVEN_MIP6_HAO_TYPE	201
#define HAVEN_MIP6_HAO_LEN	16	/**< option data length */
/** Routing header type 2 (RFC 6275 6.4): one address, Hdr Ext Len 2. */
#define HAVEN_MIP6_RH2_TYPE	2

/* Mobility Header types (RFC 6275 6.1.2-6.1.9). */
#define HAVEN_MIP6_MH_BRR	0	/**< Binding Refresh Request */
#define HAVEN_MIP6_MH_HOTI	1	/**< Home Test Init (not supported) */
#define HAVEN_MIP6_MH_COTI	2	/**< Care-of Test Init (not supported) */
#define HAVEN_MIP6_MH_HOT	3	/**< Home Test (not supported) */
#define HAVEN_MIP6_MH_COT	4	/**< Care-of Test (not supported) */
#define HAVEN_MIP6_MH_BU	5	/**< Binding Update */
#define HAVEN_MIP6_MH_BA	6	/**< Binding Acknowledgement */
#define HAVEN_MIP6_MH_BE	7	/**< Binding Error */

/** Payload Proto of every Mobility Header (RFC 6275 6.1.1). */
#define HAVEN_MIP6_MH_PAYLOAD_PROTO HAVEN_IPPROTO_NONE

/* Fixed lengths, from Payload Proto to the first option (RFC 6275 6.1.x). */
#define HAVEN_MIP6_BRR_LEN	8	/**< common header, Reserved */
#define HAVEN_MIP6_BU_LEN	12	/**< + Sequence, flags, Lifetime */
#define HAVEN_MIP6_BA_LEN	12	/**< + Status, K, Sequence, Lifetime */
#define HAVEN_MIP6_BE_LEN	24	/**< + Status, Reserved, Home Address */

/*
 * Binding Update flags, in the 16-bit word after the Sequence number
 * (RFC 6275 6.1.7: A H L K then 12 reserved bits). The RFC 3963 R, RFC
 * 5213 P and other bits registered later are kept as received.
 */
#define HAVEN_MIP6_BU_F_A 0x8000	/**< Acknowledge requested */
#define HAVEN_MIP6_BU_F_H 0x4000	/**< Home Registration */
#define HAVEN_MIP6_BU_F_L 0x2000	/**< Link-Local Address Compatibility */
#define HAVEN_MIP6_BU_F_K 0x1000	/**< Key Management Mobility Capability */

/** Binding Acknowledgement K flag, top bit of the byte after Status. */
#define HAVEN_MIP6_BA_F_K 0x80

/* Mobility options (RFC 6275 6.2; RFC 4283; RFC 4285). */
#define HAVEN_MIP6_OPT_PAD1	0	/**< RFC 6275 6.2.2, one octet */
#define HAVEN_MIP6_OPT_PADN	1	/**< RFC 6275 6.2.3 */
#define HAVEN_MIP6_OPT_BRA	2	/**< Binding Refresh Advice, 6.2.4 */
#define HAVEN_MIP6_OPT_ACOA	3	/**< Alternate Care-of Address, 6.2.5 */
#define HAVEN_MIP6_OPT_NONCE	4	/**< Nonce Indices, 6.2.6 (ignored) */
#define HAVEN_MIP6_OPT_AUTH_DATA 5	/**< Binding Auth. Data, 6.2.7 (ignored) */
#define HAVEN_MIP6_OPT_MNID	8	/**< MN Identifier, RFC 4283 */
#define HAVEN_MIP6_OPT_AUTH	9	/**< Mobility Message Auth., RFC 4285 */
#define HAVEN_MIP6_OPT_REPLAY	10	/**< Replay Protection, RFC 4285 */

#define HAVEN_MIP6_MNID_NAI	1	/**< RFC 4283 subtype: NAI (RFC 4282) */
#define HAVEN_MIP6_AUTH_MN_HA	1	/**< RFC 4285 subtype: MN-HA */
#define HAVEN_MIP6_AUTH_MN_AAA	2	/**< RFC 4285 subtype: MN-AAA */

/** RFC 4285: SPIs 0-255 are reserved; a security association needs more. */
#define HAVEN_MIP6_SPI_MIN	256

/*
 * Binding Acknowledgement status (RFC 6275 6.1.8; IANA "Mobile IPv6
 * parameters", Status Codes). Below 128: accepted; 128 and up: rejected.
 */
#define HAVEN_MIP6_BA_ACCEPTED			0
#define HAVEN_MIP6_BA_ACCEPTED_PREFIX_DISC	1
#define HAVEN_MIP6_BA_UNSPECIFIED		128
#define HAVEN_MIP6_BA_ADMIN_PROHIBITED		129
#define HAVEN_MIP6_BA_INSUFFICIENT_RESOURCES	130
#define HAVEN_MIP6_BA_HOME_REG_NOT_SUPPORTED	131
#define HAVEN_MIP6_BA_NOT_HOME_SUBNET		132
#define HAVEN_MIP6_BA_NOT_HA_FOR_MN		133
#define HAVEN_MIP6_BA_DAD_FAILED		134
#define HAVEN_MIP6_BA_SEQ_OUT_OF_WINDOW		135
#define HAVEN_MIP6_BA_EXPIRED_HOME_NONCE	136
#define HAVEN_MIP6_BA_EXPIRED_COA_NONCE		137
#define HAVEN_MIP6_BA_EXPIRED_NONCES		138
#define HAVEN_MIP6_BA_REG_TYPE_CHANGE		139
/** RFC 4285: MIPV6-ID-MISMATCH (timestamp outside the window). */
#define HAVEN_MIP6_BA_ID_MISMATCH		144
/** RFC 4285: MIPV6-MESG-ID-REQD (replay protection option missing). */
#define HAVEN_MIP6_BA_MESG_ID_REQD		145
/** RFC 4285: MIPV6-AUTH-FAIL (MN-HA authentication failed). */
#define HAVEN_MIP6_BA_AUTH_FAIL			146
#define HAVEN_MIP6_BA_INVALID_COA		174	/**< RFC 6275 */

/* Binding Error status (RFC 6275 6.1.9). */
#define HAVEN_MIP6_BE_UNKNOWN_BINDING	1	/**< for Home Address option */
#define HAVEN_MIP6_BE_UNKNOWN_MH_TYPE	2	/**< unrecognized MH Type */

/** Lifetimes and refresh intervals count units of 4 s (RFC 6275 6.1.7). */
#define HAVEN_MIP6_LIFETIME_UNIT_S	4

/* ------------------------------------------------------------------ */
/* Extension-header walk                                              */
/* ------------------------------------------------------------------ */

/** What a walk of a received IPv6 packet found. */
struct haven_mip6_pkt {
	uint8_t src[16];	/**< IPv6 Source Address (care-of address) */
	uint8_t dst[16];	/**< IPv6 Destination Address */
	uint8_t hop_limit;	/**< Hop Limit */
	uint16_t payload_len;	/**< Payload Length */
	bool has_hao;		/**< a Home Address option was seen */
	uint8_t hoa[16];	/**< its Home Address */
	bool has_rh2;		/**< a type 2 Routing header was seen */
	uint8_t rh2_addr[16];	/**< its Home Address */
	/**
	 * Pseudo-header addresses for the upper-layer (and Mobility Header)
	 * checksum: the home address when a Home Address option is present
	 * (RFC 6275 9.3.1: it replaces the source before upper layers run),
	 * the type 2 routing header's address as final destination (RFC
	 * 8200 8.1). Linux and scapy compute them the same way.
	 */
	uint8_t ph_src[16];
	uint8_t ph_dst[16];	/**< see ph_src */
	uint8_t upper_proto;	/**< next header that ended the walk */
	uint32_t upper_off;	/**< its offset from the IPv6 header */
	uint32_t upper_len;	/**< bytes from upper_off to the payload end */
};

/**
 * Walk the extension headers of a received IPv6 packet.
 *
 * Skips Hop-by-Hop (first only), Routing, Destination Options and AH
 * headers; stops at the first other next header (the Mobility Header
 * 135, an upper layer, No Next Header, ESP or a Fragment header, whose
 * fragments cannot be parsed here) and reports it in upper_proto. Inside
 * option headers, every option must fit, unknown options whose two
 * high-order type bits are not 00 are refused (RFC 8200 4.2), and the
 * Home Address option must be in a Destination Options header, have
 * length 16, sit at 8n+6 (RFC 6275 6.3), appear once and carry a unicast
 * routable address (RFC 6275 9.5.1).
 *
 * @param buf     the packet, starting at the IPv6 header.
 * @param len     its length (bytes beyond the payload length are ignored).
 * @param pkt     filled on success.
 * @param err     buffer for a readable reason, may be NULL.
 * @param errlen  size of err.
 * @return 0 on success, -EINVAL if the packet must be dropped.
 */
int haven_mip6_walk(const uint8_t *buf, size_t len,
		struct haven_mip6_pkt *pkt, char *err, size_t errlen);

/**
 * Whether an address may serve as a home or care-of address: not
 * unspecified, loopback, multicast, link-local or IPv4-mapped (RFC 6275
 * 9.5.1 "unicast routable address"; RFC 4291 2.5).
 *
 * @param a  the address.
 * @return true if unicast routable.
 */
bool haven_mip6_addr_unicast_routable(const uint8_t a[16]);

/* ------------------------------------------------------------------ */
/* Mobility Header                                                    */
/* ------------------------------------------------------------------ */

/** Mobility options found in a message. Pointers refer into the buffer. */
struct haven_mip6_opts {
	bool has_bra;		/**< Binding Refresh Advice */
	uint16_t refresh;	/**< its interval, 4 s units */
	bool has_acoa;		/**< Alternate Care-of Address */
	uint8_t acoa[16];	/**< the address */
	bool has_mnid;		/**< Mobile Node Identifier (RFC 4283) */
	uint8_t mnid_subtype;	/**< 1: NAI */
	uint8_t mnid_len;	/**< identifier length */
	const uint8_t *mnid;	/**< identifier */
	bool has_replay;	/**< Replay Protection (RFC 4285) */
	uint64_t timestamp;	/**< its 64-bit NTP timestamp */
	bool has_auth;		/**< Mobility Message Authentication */
	uint8_t auth_subtype;	/**< 1: MN-HA, 2: MN-AAA */
	uint32_t spi;		/**< Mobility SPI */
	uint8_t auth_len;	/**< authenticator length */
	const uint8_t *auth;	/**< authenticator */
	uint16_t auth_covered;	/**< MH bytes from its start through the SPI */
	uint8_t unknown;	/**< options skipped as unknown (6.2.1) */
};

/** A parsed Mobility Header message. */
struct haven_mip6_mh {
	uint8_t type;		/**< MH Type */
	uint16_t len;		/**< message length, (Header Len + 1) * 8 */
	uint16_t seq;		/**< BU, BA: Sequence # */
	uint16_t flags;		/**< BU: HAVEN_MIP6_BU_F_*; BA: HAVEN_MIP6_BA_F_K */
	uint16_t lifetime;	/**< BU, BA: 4 s units; 0 deregisters */
	uint8_t status;		/**< BA, BE: Status */
	uint8_t be_hoa[16];	/**< BE: Home Address */
	uint8_t icmp_pointer;	/**< on -EPROTO: offset of the bad field */
	struct haven_mip6_opts opts;	/**< options */
};

/**
 * Parse and validate a Mobility Header message (RFC 6275 9.2).
 *
 * The first failure decides the return value:
 * - -EINVAL: shorter than 8 bytes, Header Len beyond the buffer,
 *   truncated or overrunning options, a known option of the wrong
 *   length or repeated, any option after the authentication option
 *   (RFC 4285: it is the last one). Silently discard.
 * - -EPROTO: Payload Proto is not 59, or Header Len too small for the
 *   type; mh->icmp_pointer is the field's offset in the MH (0 or 1). Send
 *   ICMPv6 Parameter Problem, code 0 (RFC 6275 9.2).
 * - -EBADMSG: wrong checksum. Silently discard (RFC 6275 9.2).
 * - -ENOTSUP: an MH Type other than 0, 5, 6, 7; mh->type is set. Send a
 *   Binding Error with status 2 (RFC 6275 9.2).
 *
 * @param buf     the Mobility Header (pkt->upper_off into the packet).
 * @param len     bytes available (pkt->upper_len).
 * @param ph_src  pseudo-header source (pkt->ph_src), or NULL to skip the
 *                checksum check (only for tests and fuzzing).
 * @param ph_dst  pseudo-header destination (pkt->ph_dst).
 * @param mh      filled as described above.
 * @param err     buffer for a readable reason, may be NULL.
 * @param errlen  size of err.
 * @return 0 on success, or a negative errno as listed.
 */
int haven_mip6_mh_parse(const uint8_t *buf, size_t len,
		const uint8_t *ph_src, const uint8_t *ph_dst,
		struct haven_mip6_mh *mh, char *err, size_t errlen);

/**
 * The Mobility Header checksum of msg (RFC 6275 6.1.1): the Internet
 * checksum over the pseudo-header (next header 135) and the message,
 * whose Checksum field is taken as zero.
 *
 * @return the value to store in the Checksum field.
 */
uint16_t haven_mip6_mh_cksum(const uint8_t ph_src[16],
		const uint8_t ph_dst[16], const uint8_t *msg, size_t len);

/** Options a builder emits, in RFC 6275 6.2 alignment. */
struct haven_mip6_opts_out {
	bool bra;		/**< Binding Refresh Advice (2n) */
	uint16_t refresh;	/**< its interval, 4 s units */
	bool acoa;		/**< Alternate Care-of Address (8n+6) */
	uint8_t acoa_addr[16];	/**< the address */
	const uint8_t *mnid;	/**< MN Identifier (no alignment), or NULL */
	uint8_t mnid_len;	/**< its length, 1..254 */
	uint8_t mnid_subtype;	/**< its subtype */
	bool replay;		/**< Replay Protection (8n+2) */
	uint64_t timestamp;	/**< its NTP timestamp */
};

/** Addresses a builder needs. */
struct haven_mip6_addrs {
	uint8_t ph_src[16];	/**< checksum pseudo-header source */
	uint8_t ph_dst[16];	/**< checksum pseudo-header destination */
	uint8_t coa[16];	/**< care-of address (RFC 4285 Mobility Data) */
	uint8_t hoa[16];	/**< home address (RFC 4285 Mobility Data) */
};

struct haven_mip6_key;

/**
 * Encode a Binding Update (used by tests and the lab's mobile node).
 *
 * @param seq       Sequence #.
 * @param flags     HAVEN_MIP6_BU_F_*.
 * @param lifetime  4 s units.
 * @param opts      options, may be NULL.
 * @param key       prepared MN-HA key, or NULL for no authentication
 *                  option; with a key the option is last (RFC 4285).
 * @param a         addresses (ph_src: home address, ph_dst: home agent).
 * @param buf       output.
 * @param buflen    its size.
 * @return message length (a multiple of 8), -ENOSPC, or -EINVAL.
 */
int haven_mip6_build_bu(uint16_t seq, uint16_t flags, uint16_t lifetime,
		const struct haven_mip6_opts_out *opts,
		const struct haven_mip6_key *key,
		const struct haven_mip6_addrs *a, uint8_t *buf, size_t buflen);

/**
 * Encode a Binding Acknowledgement. Per RFC 4285, a reply to an
 * authenticated Binding Update carries its own MN-HA authentication
 * option computed over care-of | home | BA (pass the node's key), and the
 * replay protection option when the update had one (opts->replay, with
 * the update's timestamp, or haven_mip6_ts_for_mismatch() for 144).
 *
 * @param status    HAVEN_MIP6_BA_*.
 * @param flags     HAVEN_MIP6_BA_F_K or 0.
 * @param seq       the update's Sequence #; for status 135 the last
 *                  accepted one (RFC 6275 9.5.1).
 * @param lifetime  granted lifetime, 4 s units.
 * @param opts      options (Binding Refresh Advice, replay), may be NULL.
 * @param key       prepared MN-HA key, or NULL.
 * @param a         addresses (ph_src: home agent, ph_dst: home address).
 * @param buf       output.
 * @param buflen    its size.
 * @return message length, -ENOSPC, or -EINVAL.
 */
int haven_mip6_build_ba(uint8_t status, uint8_t flags, uint16_t seq,
		uint16_t lifetime, const struct haven_mip6_opts_out *opts,
		const struct haven_mip6_key *key,
		const struct haven_mip6_addrs *a, uint8_t *buf, size_t buflen);

/**
 * Encode a Binding Error (RFC 6275 6.1.9, 9.3.3). Send it to the source
 * of the offending packet; hoa is the Home Address option's address
 * (status 1) or unspecified (status 2).
 *
 * @param status  HAVEN_MIP6_BE_*.
 * @param hoa     Home Address field.
 * @param ph_src  pseudo-header source (this node's address).
 * @param ph_dst  pseudo-header destination.
 * @param buf     output (24 bytes).
 * @param buflen  its size.
 * @return 24, or -ENOSPC.
 */
int haven_mip6_build_be(uint8_t status, const uint8_t hoa[16],
		const uint8_t ph_src[16], const uint8_t ph_dst[16],
		uint8_t *buf, size_t buflen);

/* ------------------------------------------------------------------ */
/* Home registration rules (RFC 6275 9.5.1, 10.3.1)                    */
/* ------------------------------------------------------------------ */

/**
 * RFC 6275 9.5.1: a Binding Update is fresh if its sequence number is
 * greater than the last accepted one modulo 2^16, i.e. (seq - last) mod
 * 2^16 lies in [1, 32767].
 *
 * @param seq   the update's Sequence #.
 * @param last  the last accepted Sequence #.
 * @return true if seq is newer than last.
 */
bool haven_mip6_seq_newer(uint16_t seq, uint16_t last);

/** What the home agent knows when a Binding Update arrives. */
struct haven_mip6_reg_state {
	bool home_agent;	/**< home registration served here */
	bool home_subnet;	/**< home address is on a home prefix */
	bool serves_node;	/**< this agent serves this mobile node */
	bool admin_ok;		/**< policy admits the registration */
	bool have_binding;	/**< a Binding Cache entry exists */
	bool binding_home;	/**< that entry is a home registration */
	uint16_t last_seq;	/**< its last accepted Sequence # */
};

/**
 * Decide the status of an authenticated home registration Binding
 * Update. Call it after RFC 4285 authentication and replay checks (146,
 * 145, 144 come first). Checks, in order: H flag clear (correspondent
 * registration, unsupported here: -EINVAL, discard); 131 not a home
 * agent; 132 not home subnet; 133 not the home agent of this node; 129
 * administratively prohibited; 139 an existing entry is not a home
 * registration; 135 sequence number not newer than the entry's.
 *
 * @param bu  the parsed update.
 * @param st  the agent's view.
 * @return a HAVEN_MIP6_BA_* status, or -EINVAL to discard.
 */
int haven_mip6_home_reg_status(const struct haven_mip6_mh *bu,
		const struct haven_mip6_reg_state *st);

/**
 * Whether an accepted update deregisters: lifetime 0, or care-of address
 * equal to home address (RFC 6275 9.5.1, 10.3.2).
 *
 * @param bu   the update.
 * @param coa  its care-of address (alternate one if present).
 * @param hoa  its home address.
 * @return true if the binding must be deleted.
 */
bool haven_mip6_bu_is_dereg(const struct haven_mip6_mh *bu,
		const uint8_t coa[16], const uint8_t hoa[16]);

/**
 * The care-of address of a Binding Update: the Alternate Care-of Address
 * option if present, else the IPv6 source (RFC 6275 6.2.5, 9.5.1).
 *
 * @param bu   the update.
 * @param pkt  the walk of its packet.
 * @return pointer to 16 bytes inside bu or pkt.
 */
const uint8_t *haven_mip6_bu_coa(const struct haven_mip6_mh *bu,
		const struct haven_mip6_pkt *pkt);

/* ------------------------------------------------------------------ */
/* RFC 4285 authentication and replay protection                      */
/* ------------------------------------------------------------------ */

/** Largest MN-HA key accepted, bytes (twice the SHA block, as lib/mip4). */
#define HAVEN_MIP6_MAX_KEY 128
/** Largest authenticator of any supported algorithm. */
#define HAVEN_MIP6_MAX_AUTH 32
/** RFC 4285: the "close enough" default of the timestamp window, s. */
#define HAVEN_MIP6_REPLAY_WINDOW_DEFAULT 7

/** Authentication algorithms of a mobility security association. */
enum haven_mip6_alg {
	/** RFC 4285: First(96, HMAC_SHA1(key, Mobility Data)), 12 bytes */
	HAVEN_MIP6_ALG_HMAC_SHA1 = 0,
	/** Haven's option: the full HMAC-SHA256, 32 bytes, not truncated */
	HAVEN_MIP6_ALG_HMAC_SHA256,
};

/** A mobility security association (RFC 4285 section 5.1). */
struct haven_mip6_sa {
	uint32_t spi;				/**< Mobility SPI, >= 256 */
	enum haven_mip6_alg alg;		/**< algorithm */
	uint8_t key[HAVEN_MIP6_MAX_KEY];	/**< shared secret */
	uint8_t key_len;			/**< bytes used in key */
};

/**
 * Authenticator length of an algorithm: 12 for HMAC-SHA1 (96 bits), 32
 * for HMAC-SHA256.
 *
 * @param alg  the algorithm.
 * @return bytes, 0 if unknown.
 */
size_t haven_mip6_auth_len(enum haven_mip6_alg alg);

/**
 * Plain HMAC (RFC 2104), untruncated (20 or 32 bytes): for test vectors.
 *
 * @param alg      algorithm.
 * @param key      key.
 * @param key_len  its length (1..HAVEN_MIP6_MAX_KEY).
 * @param msg      message.
 * @param len      its length.
 * @param out      20 or 32 bytes.
 * @return digest length, or -EINVAL.
 */
int haven_mip6_hmac(enum haven_mip6_alg alg, const uint8_t *key,
		size_t key_len, const uint8_t *msg, size_t len, uint8_t *out);

/**
 * Prepare an SA's key for HMAC once (RFC 2104 section 4 precomputed
 * states); every authenticator then costs only the message. Opaque; it
 * holds key material and is wiped when freed.
 *
 * @param sa  the association.
 * @return the key, or NULL with errno EINVAL (unknown algorithm, empty or
 *         oversized key, reserved SPI) or ENOMEM.
 */
struct haven_mip6_key *haven_mip6_key_create(const struct haven_mip6_sa *sa);

/**
 * Wipe and free a prepared key.
 *
 * @param k  the key; NULL is a no-op.
 */
void haven_mip6_key_free(struct haven_mip6_key *k);

/** SPI of a prepared key. */
uint32_t haven_mip6_key_spi(const struct haven_mip6_key *k);

/** Algorithm of a prepared key. */
enum haven_mip6_alg haven_mip6_key_alg(const struct haven_mip6_key *k);

/**
 * The RFC 4285 authenticator: the algorithm's MAC, truncated to
 * haven_mip6_auth_len(), over Mobility Data = care-of address | home
 * address | MH Data, where MH Data is the Mobility Header from its first
 * byte through the SPI of the authentication option, with the Checksum
 * field taken as zero.
 *
 * @param k        prepared key.
 * @param coa      care-of address.
 * @param hoa      home address.
 * @param mh       the Mobility Header.
 * @param covered  MH Data length (through the SPI).
 * @param out      haven_mip6_auth_len() bytes.
 * @return authenticator length, or -EINVAL.
 */
int haven_mip6_key_compute(const struct haven_mip6_key *k,
		const uint8_t coa[16], const uint8_t hoa[16],
		const uint8_t *mh, size_t covered, uint8_t *out);

/**
 * Verify the MN-HA authentication option of a parsed message in constant
 * time.
 *
 * @param k    the node's prepared key.
 * @param coa  care-of address.
 * @param hoa  home address.
 * @param buf  the Mobility Header the message was parsed from.
 * @param mh   the parse result.
 * @return 0 if an MN-HA option is present, its SPI is the key's, its
 *         length fits the algorithm and the authenticator is right;
 *         -EACCES otherwise (status 146).
 */
int haven_mip6_auth_verify(const struct haven_mip6_key *k,
		const uint8_t coa[16], const uint8_t hoa[16],
		const uint8_t *buf, const struct haven_mip6_mh *mh);

/**
 * Timestamp replay check (RFC 4285 section 6): the timestamp must be
 * within window_s seconds of the agent's clock either way (bound
 * included) and greater than the last accepted one. Serial comparisons
 * survive the NTP era rollover of 2036.
 *
 * @param ts        the update's timestamp (NTP format).
 * @param last_ts   the last accepted timestamp of this node (0: none).
 * @param now_ntp   the agent's time (NTP format).
 * @param window_s  accepted distance, seconds.
 * @return 0 if acceptable, -1 for status 144.
 */
int haven_mip6_replay_check(uint64_t ts, uint64_t last_ts, uint64_t now_ntp,
		uint32_t window_s);

/**
 * Timestamp for the replay option of a status 144 acknowledgement: the
 * agent's seconds in the high 32 bits, the update's low 32 bits, so the
 * node can match the reply and resynchronise.
 *
 * @param req_ts   the refused update's timestamp.
 * @param now_ntp  the agent's time.
 * @return the timestamp to send.
 */
uint64_t haven_mip6_ts_for_mismatch(uint64_t req_ts, uint64_t now_ntp);

/**
 * The current time in NTP format, from CLOCK_REALTIME.
 *
 * @return the time.
 */
uint64_t haven_mip6_ntp_now(void);

/* ------------------------------------------------------------------ */
/* IPv6-in-IPv6 (RFC 2473) and ICMPv6 errors (RFC 4443)               */
/* ------------------------------------------------------------------ */

/** RFC 2473 6.3: default tunnel hop limit (the ND default, 64). */
#define HAVEN_IP6IP6_HOP_LIMIT 64

#define HAVEN_ICMP6_DST_UNREACH		1	/**< RFC 4443 3.1 */
#define HAVEN_ICMP6_PKT_TOO_BIG		2	/**< RFC 4443 3.2 */
#define HAVEN_ICMP6_TIME_EXCEEDED	3	/**< RFC 4443 3.3 */
#define HAVEN_ICMP6_PARAM_PROB		4	/**< RFC 4443 3.4 */
#define HAVEN_ICMP6_ERR_HDR_LEN		8	/**< type, code, cksum, param */

/**
 * Prepare an inner packet for encapsulation (RFC 2473 3.1): decrement
 * its hop limit in place, as a router forwarding it would.
 *
 * @param inner  the packet, starting at its IPv6 header.
 * @param len    its length.
 * @return 0; -ETIMEDOUT if its hop limit was 0 or 1 (drop it and send
 *         ICMPv6 Time Exceeded, code 0, to its source); -EINVAL if it is
 *         not an IPv6 packet.
 */
int haven_ip6ip6_prepare_inner(uint8_t *inner, size_t len);

/**
 * Write the outer IPv6 header of a tunnel packet: version 6, traffic
 * class and flow label 0, next header 41.
 *
 * @param out        40 bytes.
 * @param src        tunnel entry point (home agent address).
 * @param dst        tunnel exit point (care-of address).
 * @param inner_len  length of the inner packet (the payload).
 * @param hop_limit  HAVEN_IP6IP6_HOP_LIMIT unless configured.
 * @return 40, or -EINVAL if inner_len exceeds 65535.
 */
int haven_ip6ip6_build_outer(uint8_t *out, const uint8_t src[16],
		const uint8_t dst[16], size_t inner_len, uint8_t hop_limit);

/**
 * Check a reverse-tunnelled packet before decapsulation: a valid IPv6
 * header whose (extension-header) chain ends at next header 41, whose
 * inner packet is IPv6 and fits; optionally the outer addresses.
 *
 * @param buf        the packet, at its outer IPv6 header.
 * @param len        its length.
 * @param want_src   required outer source (care-of address), or NULL.
 * @param want_dst   required outer destination (home agent), or NULL.
 * @param inner_off  set to the inner header's offset.
 * @param inner_len  set to the inner packet's length.
 * @param err        reason buffer, may be NULL.
 * @param errlen     its size.
 * @return 0, or -EINVAL with a reason.
 */
int haven_ip6ip6_decap_check(const uint8_t *buf, size_t len,
		const uint8_t *want_src, const uint8_t *want_dst,
		size_t *inner_off, size_t *inner_len, char *err, size_t errlen);

/**
 * Build an ICMPv6 error message (RFC 4443 2.1, 2.4) in reply to an
 * invoking packet: IPv6 header (hop limit 64, to the invoking source),
 * the 8-byte ICMPv6 header, and as much of the invoking packet as fits
 * without exceeding the minimum MTU of 1280 bytes (2.4 (c)).
 *
 * @param buf       output (up to 1280 bytes).
 * @param buflen    its size.
 * @param src       this node's address.
 * @param type      HAVEN_ICMP6_*.
 * @param code      code.
 * @param param     the 32-bit field after the checksum (MTU, pointer).
 * @param invoking  the invoking packet, from its IPv6 header.
 * @param inv_len   its length.
 * @return length written; -EPERM when RFC 4443 2.4 (e) forbids an error
 *         (the invoking packet is an ICMPv6 error, has an unspecified or
 *         multicast source, or a multicast destination for anything but
 *         Packet Too Big); -EINVAL or -ENOSPC.
 */
int haven_icmp6_build_error(uint8_t *buf, size_t buflen, const uint8_t src[16],
		uint8_t type, uint8_t code, uint32_t param,
		const uint8_t *invoking, size_t inv_len);

/**
 * ICMPv6 Time Exceeded, code 0 "hop limit exceeded in transit", for a
 * packet whose hop limit ran out before encapsulation (RFC 2473 3.1).
 * See haven_icmp6_build_error() for the arguments and return values.
 */
int haven_icmp6_build_time_exceeded(uint8_t *buf, size_t buflen,
		const uint8_t src[16], const uint8_t *invoking, size_t inv_len);

/**
 * ICMPv6 Packet Too Big carrying mtu, for an inner packet larger than
 * the tunnel MTU less the 40-byte outer header (RFC 2473 7.1).
 * See haven_icmp6_build_error() for the arguments and return values.
 */
int haven_icmp6_build_pkt_too_big(uint8_t *buf, size_t buflen,
		const uint8_t src[16], uint32_t mtu, const uint8_t *invoking,
		size_t inv_len);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_MIP6_H */
