/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_MIP4_H
#define HAVEN_MIP4_H

/**
 * @file
 * Mobile IPv4 registration codec (RFC 5944), with its authentication
 * extensions (HMAC-MD5 as RFC 5944 section 3.5.1 mandates, HMAC-SHA256 as a
 * configurable algorithm) and timestamp replay protection (section 5.7).
 *
 * Mobile IP traversal of NAT devices (RFC 3519) too: the UDP Tunnel
 * Request and Reply extensions, the home agent's decision (NAT detection,
 * the F flag, its policy) and the 4-octet header of tunnel data on port
 * 434 (mip4_udp.c).
 *
 * Pure functions over byte buffers: no DPDK types, no I/O, no global state,
 * so the codec is easy to unit test and fuzz. All addresses are IPv4
 * addresses in network byte order; every other field is in host order.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HAVEN_MIP4_UDP_PORT 434		/**< RFC 5944 section 3.1 */

#define HAVEN_MIP4_TYPE_RRQ 1		/**< Registration Request */
#define HAVEN_MIP4_TYPE_RRP 3		/**< Registration Reply */
/** MIP Tunnel Data message: UDP-tunnelled data on port 434 (RFC 3519 3.3) */
#define HAVEN_MIP4_TYPE_TUNNEL_DATA 4

#define HAVEN_MIP4_RRQ_LEN 24		/**< fixed part of a request */
#define HAVEN_MIP4_RRP_LEN 20		/**< fixed part of a reply */

/*
 * Registration Request flags (RFC 5944 section 3.3). The r and x bits are
 * "sent as zero; ignored on reception": a home agent must not reject a
 * request that sets them, so haven_mip4_parse_rrq() clears them.
 */
#define HAVEN_MIP4_F_S 0x80	/**< simultaneous bindings */
#define HAVEN_MIP4_F_B 0x40	/**< broadcast datagrams */
#define HAVEN_MIP4_F_D 0x20	/**< decapsulation by mobile node (co-located) */
#define HAVEN_MIP4_F_M 0x10	/**< minimal encapsulation (RFC 2004) */
#define HAVEN_MIP4_F_G 0x08	/**< GRE encapsulation (RFC 2784) */
#define HAVEN_MIP4_F_r 0x04	/**< reserved, sent as zero */
#define HAVEN_MIP4_F_T 0x02	/**< reverse tunnelling (RFC 3024) */
#define HAVEN_MIP4_F_x 0x01	/**< reserved, sent as zero */

/* Extension types (RFC 5944 sections 3.5.2-3.5.4). */
#define HAVEN_MIP4_EXT_MN_HA 32	/**< Mobile-Home Authentication */
#define HAVEN_MIP4_EXT_MN_FA 33	/**< Mobile-Foreign Authentication */
#define HAVEN_MIP4_EXT_FA_HA 34	/**< Foreign-Home Authentication */
#define HAVEN_MIP4_EXT_MN_NAI 131	/**< Mobile Node NAI (RFC 2794) */
#define HAVEN_MIP4_EXT_UDP_TUN_REP 44	/**< UDP Tunnel Reply (RFC 3519 3.2) */
#define HAVEN_MIP4_EXT_UDP_TUN_REQ 144	/**< UDP Tunnel Request (RFC 3519 3.1) */
/** Types below this are not skippable (RFC 5944 section 1.9). */
#define HAVEN_MIP4_EXT_SKIPPABLE_MIN 128

#define HAVEN_MIP4_LIFETIME_INFINITE 0xffff

/* Reply codes (RFC 5944 section 3.4; 137-139 from RFC 3024). */
#define HAVEN_MIP4_ACCEPTED			0
#define HAVEN_MIP4_ACCEPTED_NO_SIMULTANEOUS	1
#define HAVEN_MIP4_DENIED_UNSPECIFIED		128
#define HAVEN_MIP4_DENIED_ADMIN			129
#define HAVEN_MIP4_DENIED_RESOURCES		130
#define HAVEN_MIP4_DENIED_MN_AUTH		131
#define HAVEN_MIP4_DENIED_FA_AUTH		132
#define HAVEN_MIP4_DENIED_IDENT_MISMATCH	133
#define HAVEN_MIP4_DENIED_POORLY_FORMED		134
#define HAVEN_MIP4_DENIED_TOO_MANY_BINDINGS	135
#define HAVEN_MIP4_DENIED_UNKNOWN_HA		136
#define HAVEN_MIP4_DENIED_REVTUN_UNAVAILABLE	137
#define HAVEN_MIP4_DENIED_REVTUN_MANDATORY	138
#define HAVEN_MIP4_DENIED_ENCAP_UNAVAILABLE	139
/** RFC 3519: UDP encapsulation unavailable (the home agent's code). */
#define HAVEN_MIP4_DENIED_UDP_UNAVAILABLE	142

/** Largest registration message the codec accepts (UDP payload bytes). */
#define HAVEN_MIP4_MAX_MSG 1024
/** Largest authenticator of any supported algorithm (HMAC-SHA256). */
#define HAVEN_MIP4_MAX_AUTH 32
/**
 * Largest MN-HA key accepted (bytes). Twice the HMAC block size of MD5 and
 * SHA-256: longer keys are hashed down by HMAC (RFC 2104) and add nothing,
 * and this still admits the 80-byte keys of the RFC 2202 test vectors.
 */
#define HAVEN_MIP4_MAX_KEY 128

/** Authentication algorithms of a mobility security association. */
enum haven_mip4_alg {
	HAVEN_MIP4_ALG_HMAC_MD5 = 0,	/**< RFC 5944 default, 16 bytes */
	HAVEN_MIP4_ALG_HMAC_SHA256,	/**< 32 bytes */
};

/** A mobility security association (RFC 5944 section 1.6). */
struct haven_mip4_sa {
	uint32_t spi;				/**< Security Parameter Index */
	enum haven_mip4_alg alg;		/**< algorithm */
	uint8_t key[HAVEN_MIP4_MAX_KEY];	/**< shared secret */
	uint8_t key_len;			/**< bytes used in key */
};

/** An authentication extension found in a message. */
struct haven_mip4_auth_ext {
	bool present;			/**< extension seen */
	uint32_t spi;			/**< its SPI */
	const uint8_t *auth;		/**< authenticator, inside the buffer */
	uint8_t auth_len;		/**< authenticator length */
	uint16_t covered_len;		/**< bytes from message start through the SPI */
};

/* ---- RFC 3519: Mobile IP traversal of NAT devices ---------------------- */

/** Length field of both UDP tunnel extensions (RFC 3519 3.1, 3.2). */
#define HAVEN_MIP4_UDP_EXT_LEN 6
/** Request flags (the octet after Reserved 1): F, force UDP tunnelling. */
#define HAVEN_MIP4_UDP_REQ_F 0x80
/** Request flags: R, registration through a foreign agent required. */
#define HAVEN_MIP4_UDP_REQ_R 0x40
/** Reply flags (16 bits): F, tunnelling forced by the request's F flag. */
#define HAVEN_MIP4_UDP_REP_F 0x8000
/** UDP Tunnel Reply code: the home agent will tunnel in UDP. */
#define HAVEN_MIP4_UDP_WILL_TUNNEL 0
/** UDP Tunnel Reply code: tunnelling declined, reason unspecified. */
#define HAVEN_MIP4_UDP_DECLINED 64
/** The mobile node's keepalive interval when the reply gives 0 (s). */
#define HAVEN_MIP4_UDP_KEEPALIVE_DEFAULT 110
/** The header of a MIP Tunnel Data message (RFC 3519 3.3). */
#define HAVEN_MIP4_TUNNEL_HDR_LEN 4
/* What a UDP tunnel carries: Encapsulation / Next Header (IP protocols). */
#define HAVEN_MIP4_UDP_NH_IPIP 4	/**< IP in IP (RFC 2003) */
#define HAVEN_MIP4_UDP_NH_GRE 47	/**< GRE (RFC 2784) */
#define HAVEN_MIP4_UDP_NH_MINIMAL 55	/**< minimal encapsulation (RFC 2004) */

/** A UDP Tunnel Request extension found in a request (RFC 3519 3.1). */
struct haven_mip4_udp_req {
	bool present;			/**< extension seen */
	bool force;			/**< F: tunnel in UDP even without a NAT */
	bool via_fa;			/**< R: registration through an FA required */
	uint8_t encap;			/**< Encapsulation: HAVEN_MIP4_UDP_NH_* */
};

/** A UDP Tunnel Reply extension, to build or as parsed (RFC 3519 3.2). */
struct haven_mip4_udp_rep {
	bool present;			/**< extension included / seen */
	uint8_t code;			/**< HAVEN_MIP4_UDP_WILL_TUNNEL or _DECLINED */
	bool forced;			/**< F: forced by the request's F flag */
	uint16_t keepalive_s;		/**< Keepalive Interval; 0: the node's
					  * default (HAVEN_MIP4_UDP_KEEPALIVE_DEFAULT) */
};

/** A parsed Registration Request. Pointers refer into the parsed buffer. */
struct haven_mip4_rrq {
	uint8_t flags;			/**< HAVEN_MIP4_F_* */
	uint16_t lifetime;		/**< seconds; 0 deregisters */
	uint32_t home_addr;		/**< home address */
	uint32_t ha_addr;		/**< home agent address */
	uint32_t coa;			/**< care-of address */
	uint64_t ident;			/**< Identification */
	struct haven_mip4_auth_ext mn_ha;	/**< Mobile-Home Authentication */
	struct haven_mip4_auth_ext mn_fa;	/**< Mobile-Foreign Authentication */
	struct haven_mip4_auth_ext fa_ha;	/**< Foreign-Home Authentication */
	/**
	 * The NAI of the RFC 2794 Mobile Node NAI extension, inside the
	 * buffer (not NUL-terminated), or NULL without one. With a NAI the
	 * home address may be 0.0.0.0: the node asks to be given one.
	 */
	const uint8_t *mn_nai;
	uint8_t mn_nai_len;			/**< its length, 1..255 */
	/** The RFC 3519 UDP Tunnel Request extension, when present. */
	struct haven_mip4_udp_req udp;
};

/** Fields of a Registration Reply to encode. */
struct haven_mip4_rrp {
	uint8_t code;			/**< reply code */
	uint16_t lifetime;		/**< granted lifetime, seconds */
	uint32_t home_addr;		/**< home address */
	uint32_t ha_addr;		/**< home agent address */
	uint64_t ident;			/**< Identification */
};

/**
 * Parse and validate a Registration Request.
 *
 * Checks the fixed part, walks every extension (the simple, long and
 * short formats of RFC 5944 sections 1.10-1.12), and records the
 * authentication extensions. It does not verify authenticators: call
 * haven_mip4_auth_verify() on rrq->mn_ha with the node's SA.
 *
 * Checks run in this order; the first failure decides:
 * 1. -EINVAL (drop, no reply): buf shorter than the 24-byte fixed part,
 *    or its type is not 1.
 * 2. HAVEN_MIP4_DENIED_POORLY_FORMED (134): longer than HAVEN_MIP4_MAX_MSG.
 * 3. The extensions, in message order; the first offending one gives:
 *    - -EINVAL for a type below 128 other than 32, 33, 34 (RFC 5944
 *      section 1.9: "the message containing that Extension MUST be
 *      silently discarded"), wherever it sits;
 *    - HAVEN_MIP4_DENIED_MN_AUTH (131) for a second MN-HA extension;
 *    - 134 for a truncated extension or one whose length overruns the
 *      message, an authentication extension too short for its SPI,
 *      anything but MN-FA or FA-HA after MN-HA, MN-FA or FA-HA before
 *      MN-HA or twice, anything after FA-HA.
 *    Types 128-255 before MN-HA are skipped, but for the Mobile Node NAI
 *    extension (131, RFC 2794), recorded in mn_nai; a second one or an
 *    empty one gives 134 (it must precede MN-HA, RFC 2794 section 2, so
 *    after MN-HA it is 134 as any other type is).
 *    The UDP Tunnel Request extension (144, RFC 3519 3.1) is recorded in
 *    udp; 134 for a Length other than 6, a Sub-Type other than 0, an
 *    Encapsulation other than 4, 47 or 55, or a second one. After MN-HA
 *    (where a foreign agent would put its own) it is 134 as any other
 *    type: nothing there is authenticated for the home agent.
 * 4. HAVEN_MIP4_DENIED_MN_AUTH (131): no MN-HA extension.
 * RFC 5944 section 3.8.2.1 mandates 131, not 134, when there is no
 * authorization-enabling extension or more than one.
 *
 * Whenever the return value is not negative, the fixed fields of rrq
 * (flags, lifetime, addresses, ident) are filled, so that a denial can be
 * built; the extension fields are meaningful only on success.
 *
 * @param buf     UDP payload.
 * @param len     its length.
 * @param rrq     filled as described above.
 * @param err     buffer for a readable reason, may be NULL.
 * @param errlen  size of err.
 * @return 0 on success; otherwise the reply code to send (131 or 134),
 *         or -EINVAL when the message must be dropped without a reply.
 */
int haven_mip4_parse_rrq(const uint8_t *buf, size_t len,
		struct haven_mip4_rrq *rrq, char *err, size_t errlen);

/**
 * Parse a Registration Reply (used by tests and by the lab client).
 *
 * Applies the extension rules of haven_mip4_parse_rrq(); every violation
 * is -EINVAL. A reply without an MN-HA extension parses, with
 * mn_ha->present false: the caller decides.
 *
 * @param buf     UDP payload.
 * @param len     its length.
 * @param rrp     filled on success.
 * @param mn_ha   filled on success, may be NULL.
 * @return 0 on success, -EINVAL if malformed.
 */
int haven_mip4_parse_rrp(const uint8_t *buf, size_t len,
		struct haven_mip4_rrp *rrp, struct haven_mip4_auth_ext *mn_ha);

/**
 * haven_mip4_parse_rrp(), and the NAI of a Mobile Node NAI extension
 * (RFC 2794) before MN-HA: a second one or an empty one is -EINVAL.
 *
 * @param buf      UDP payload.
 * @param len      its length.
 * @param rrp      filled on success.
 * @param mn_ha    filled on success, may be NULL.
 * @param nai      set to the NAI inside buf, or NULL without one.
 * @param nai_len  set to its length (0 without one).
 * @return 0 on success, -EINVAL if malformed.
 */
int haven_mip4_parse_rrp_nai(const uint8_t *buf, size_t len,
		struct haven_mip4_rrp *rrp, struct haven_mip4_auth_ext *mn_ha,
		const uint8_t **nai, uint8_t *nai_len);

/**
 * Encode a Registration Reply, followed by an MN-HA authentication
 * extension computed with sa when sa is not NULL.
 *
 * @param rrp     fields to encode.
 * @param sa      security association, or NULL for no extension.
 * @param buf     output.
 * @param buflen  its size.
 * @return length written, -ENOSPC if buf is too small, or -EINVAL if sa
 *         has an unknown algorithm, an empty or an oversized key.
 */
int haven_mip4_build_rrp(const struct haven_mip4_rrp *rrp,
		const struct haven_mip4_sa *sa, uint8_t *buf, size_t buflen);

/** Authenticator length of an algorithm, in bytes (0 if unknown). */
size_t haven_mip4_auth_len(enum haven_mip4_alg alg);

/**
 * Compute the authenticator of msg[0..len) with sa's algorithm and key
 * (HMAC, RFC 2104). out must hold haven_mip4_auth_len(sa->alg) bytes.
 *
 * @return authenticator length, or -EINVAL (unknown algorithm, empty key
 *         or one longer than HAVEN_MIP4_MAX_KEY, or the crypto library
 *         failed, e.g. MD5 disabled by a FIPS-only configuration).
 */
int haven_mip4_auth_compute(const struct haven_mip4_sa *sa,
		const uint8_t *msg, size_t len, uint8_t *out);

/**
 * Verify an authentication extension against sa, in constant time.
 *
 * @param sa   the node's security association.
 * @param msg  the whole message the extension was parsed from.
 * @param ext  the extension, as parse filled it.
 * @return 0 if the SPI matches, the length fits the algorithm and the
 *         authenticator is right; -EACCES otherwise.
 */
int haven_mip4_auth_verify(const struct haven_mip4_sa *sa,
		const uint8_t *msg, const struct haven_mip4_auth_ext *ext);

/**
 * A security association's key prepared for HMAC (RFC 2104 section 4:
 * the hash states after the inner and outer padded key blocks). Prepare
 * it once per association, when the configuration is loaded, and each
 * authenticator then costs the message's blocks and one outer block: no
 * key schedule, no allocation. Opaque; it holds key material and is
 * wiped when freed.
 */
struct haven_mip4_key;

/**
 * Prepare sa's key.
 *
 * @param sa  the security association (SPI, algorithm, key).
 * @return the prepared key, or NULL with errno set (EINVAL: unknown
 *         algorithm, empty or oversized key; ENOMEM).
 */
struct haven_mip4_key *haven_mip4_key_create(const struct haven_mip4_sa *sa);

/**
 * Wipe and free a prepared key.
 *
 * @param k  the key; NULL is a no-op.
 */
void haven_mip4_key_free(struct haven_mip4_key *k);

/** SPI of a prepared key. */
uint32_t haven_mip4_key_spi(const struct haven_mip4_key *k);

/** Algorithm of a prepared key. */
enum haven_mip4_alg haven_mip4_key_alg(const struct haven_mip4_key *k);

/**
 * haven_mip4_auth_compute() with a prepared key.
 *
 * @return authenticator length, or -EINVAL for bad arguments.
 */
int haven_mip4_key_compute(const struct haven_mip4_key *k,
		const uint8_t *msg, size_t len, uint8_t *out);

/**
 * haven_mip4_auth_verify() with a prepared key, in constant time.
 *
 * @return 0 if the SPI matches, the length fits the algorithm and the
 *         authenticator is right; -EACCES otherwise.
 */
int haven_mip4_key_verify(const struct haven_mip4_key *k,
		const uint8_t *msg, const struct haven_mip4_auth_ext *ext);

/**
 * haven_mip4_build_rrp() signed with a prepared key (always with an MN-HA
 * extension).
 *
 * @return length written, -ENOSPC if buf is too small, -EINVAL for bad
 *         arguments.
 */
int haven_mip4_build_rrp_key(const struct haven_mip4_rrp *rrp,
		const struct haven_mip4_key *key, uint8_t *buf, size_t buflen);

/** What a Registration Reply carries between its fixed part and MN-HA. */
struct haven_mip4_rrp_ext {
	const uint8_t *nai;		/**< RFC 2794 NAI to echo, or NULL */
	uint8_t nai_len;		/**< its length, 1..255 */
	struct haven_mip4_udp_rep udp;	/**< RFC 3519 3.2, when udp.present */
};

/**
 * Encode a Registration Reply with the extensions of ext, in this order:
 * the fixed part, the Mobile Node NAI extension (RFC 2794) when ext->nai
 * is set, the UDP Tunnel Reply extension (RFC 3519 3.2: Type 44, Length
 * 6, Sub-Type 0, Reply Code, F and 15 reserved bits, Keepalive Interval)
 * when ext->udp.present, then an MN-HA extension signed with key, whose
 * authenticator covers both (RFC 5944 3.5.1). A denial to a node whose key
 * is unknown has no MN-HA extension (key NULL).
 *
 * @param rrp     fields to encode.
 * @param ext     extensions; NULL: none.
 * @param key     prepared key, or NULL for no MN-HA extension.
 * @param buf     output.
 * @param buflen  its size.
 * @return length written, -ENOSPC if buf is too small, -EINVAL for bad
 *         arguments (an empty NAI, a UDP reply code other than 0 or 64).
 */
int haven_mip4_build_rrp_ext(const struct haven_mip4_rrp *rrp,
		const struct haven_mip4_rrp_ext *ext,
		const struct haven_mip4_key *key, uint8_t *buf, size_t buflen);

/**
 * haven_mip4_parse_rrp(), and the extensions before MN-HA that a reply may
 * carry: the NAI of a Mobile Node NAI extension and a UDP Tunnel Reply
 * extension (RFC 3519 3.2; not skippable, so understood here). A second
 * one of either, an empty NAI, a UDP Tunnel Reply whose Length is not 6
 * or whose Sub-Type is not 0, or one after MN-HA is -EINVAL.
 *
 * @param buf    UDP payload.
 * @param len    its length.
 * @param rrp    filled on success.
 * @param mn_ha  filled on success, may be NULL.
 * @param ext    filled on success (nai NULL, udp.present false: absent).
 * @return 0 on success, -EINVAL if malformed.
 */
int haven_mip4_parse_rrp_ext(const uint8_t *buf, size_t len,
		struct haven_mip4_rrp *rrp, struct haven_mip4_auth_ext *mn_ha,
		struct haven_mip4_rrp_ext *ext);

/**
 * Encode a Registration Reply to a request that carried a Mobile Node NAI
 * extension (RFC 2794): the fixed part (home_addr: the address assigned
 * to a node that asked with 0.0.0.0), the same MN-NAI extension, then an
 * MN-HA extension signed with key, whose authenticator covers the NAI
 * (RFC 5944 3.5.1). A denial to a node whose key is unknown has no MN-HA
 * extension (key NULL).
 *
 * @param rrp      fields to encode.
 * @param nai      the node's NAI, 1..255 octets.
 * @param nai_len  its length.
 * @param key      prepared key, or NULL for no MN-HA extension.
 * @param buf      output.
 * @param buflen   its size.
 * @return length written, -ENOSPC if buf is too small, -EINVAL for bad
 *         arguments.
 */
int haven_mip4_build_rrp_nai(const struct haven_mip4_rrp *rrp,
		const uint8_t *nai, size_t nai_len,
		const struct haven_mip4_key *key, uint8_t *buf, size_t buflen);

/* ---- RFC 3519: the home agent's decision, tunnel data ------------------ */

/** The home agent's UDP tunnelling policy (home_agent.udp_tunnel). */
struct haven_mip4_udp_policy {
	bool enabled;			/**< UDP tunnelling offered at all */
	bool force_allowed;		/**< F honoured when no NAT is seen */
	uint16_t keepalive_s;		/**< Keepalive Interval replies give */
};

/**
 * Decide how a registration is tunnelled (RFC 3519 section 4.6 and 3.1.1).
 * A NAT is detected when the request's IP source address differs from its
 * care-of address. Without a UDP Tunnel Request extension nothing changes:
 * IP in IP, no UDP Tunnel Reply (*use_udp false, rep->present false).
 * With one:
 * - a NAT, or the F flag with force_allowed: tunnel in UDP (*use_udp
 *   true), reply code 0 with the policy's keepalive interval and F set
 *   when the request's F was; but 142 (UDP encapsulation unavailable) when
 *   UDP tunnelling is disabled and a NAT is in the way (IP in IP could not
 *   pass it), or when the Encapsulation asked for is not IP in IP (4), the
 *   only one this home agent carries in UDP;
 * - otherwise (no NAT; F refused or not set, or UDP disabled): IP in IP,
 *   with a UDP Tunnel Reply of code 64 (declined), keepalive 0.
 *
 * @param rrq      the parsed, authenticated request (not a
 *                 deregistration, which needs no tunnel).
 * @param src      the request's IP source address (NBO).
 * @param pol      the policy.
 * @param rep      filled: the UDP Tunnel Reply to send, if present.
 * @param use_udp  set when the binding is to be tunnelled in UDP, to src
 *                 and the request's UDP source port.
 * @param err      buffer for a readable reason, may be NULL.
 * @param errlen   size of err.
 * @return 0, or HAVEN_MIP4_DENIED_UDP_UNAVAILABLE to refuse.
 */
int haven_mip4_udp_decide(const struct haven_mip4_rrq *rrq, uint32_t src,
		const struct haven_mip4_udp_policy *pol,
		struct haven_mip4_udp_rep *rep, bool *use_udp, char *err,
		size_t errlen);

/**
 * Read the 4-octet header of a MIP Tunnel Data message (RFC 3519 3.3:
 * Type 4, Next Header, 16 reserved bits, ignored on reception).
 *
 * @param buf          UDP payload.
 * @param len          its length.
 * @param next_header  set to the Next Header (HAVEN_MIP4_UDP_NH_*).
 * @return HAVEN_MIP4_TUNNEL_HDR_LEN, or -EINVAL: shorter than the header,
 *         Type not 4, Next Header not 4, 47 or 55.
 */
int haven_mip4_tunnel_parse(const uint8_t *buf, size_t len,
		uint8_t *next_header);

/**
 * Write the 4-octet header of a MIP Tunnel Data message.
 *
 * @param buf          at least HAVEN_MIP4_TUNNEL_HDR_LEN bytes.
 * @param next_header  what follows: HAVEN_MIP4_UDP_NH_*.
 */
void haven_mip4_tunnel_build(uint8_t *buf, uint8_t next_header);

/**
 * Timestamp replay check (RFC 5944 section 5.7.1): the timestamp must be
 * within window_s seconds of the agent's clock, in either direction
 * (bound included), and greater than the last accepted one. Comparisons
 * are serial-number style, so they survive the NTP era rollover of 2036.
 *
 * @param ident       Identification of the request (NTP format).
 * @param last_ident  last accepted Identification of this node (0: none).
 * @param now_ntp     agent's time in NTP format.
 * @param window_s    accepted distance from the agent's time, seconds.
 * @return 0 if acceptable, -1 if it must be denied with code 133.
 */
int haven_mip4_replay_check(uint64_t ident, uint64_t last_ident,
		uint64_t now_ntp, uint32_t window_s);

/**
 * Identification for a code 133 reply: the high 32 bits from the agent's
 * clock, the low 32 bits copied from the request (RFC 5944 5.7.1).
 *
 * @param req_ident  Identification of the refused request.
 * @param now_ntp    agent's time in NTP format.
 * @return the Identification to put in the code 133 reply.
 */
uint64_t haven_mip4_ident_for_mismatch(uint64_t req_ident, uint64_t now_ntp);

/**
 * The current time in NTP format (seconds since 1900 << 32 | fraction),
 * from CLOCK_REALTIME.
 *
 * @return the time.
 */
uint64_t haven_mip4_ntp_now(void);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_MIP4_H */
