/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_RADIUS_H
#define HAVEN_RADIUS_H

/**
 * @file
 * RADIUS codec: RFC 2865 (Access-Request, Access-Accept, Access-Reject),
 * RFC 2866 (Accounting-Request, Accounting-Response), RFC 5997
 * (Status-Server), RFC 3579 section 3.2 (Message-Authenticator,
 * HMAC-MD5), the Request and Response Authenticators, the hiding of
 * User-Password (RFC 2865 section 5.2) and the salt encryption of RFC 2868
 * section 3.5 that 3GPP2 uses for its MN-HA shared key (vendor 5535,
 * attribute 58, no tag), and Cisco's "mobileip:spi" AV pair.
 *
 * Pure functions over byte buffers: no DPDK, no I/O, no global state, no
 * allocation. Secrets are arguments and never appear in any output of the
 * codec (not in reasons, not in the bytes but where the RFCs put them).
 *
 * The client engine and its thread are in haven_radius_client.h.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Numbers (RFC 2865 section 3 and 5, RFC 2866 section 5, RFC 2869, RFC
 * 3162, RFC 3579, RFC 5997)
 */

#define HAVEN_RADIUS_AUTH_PORT 1812	/**< RFC 2865 section 3 */
#define HAVEN_RADIUS_ACCT_PORT 1813	/**< RFC 2866 section 3 */

#define HAVEN_RADIUS_HDR_LEN 20		/**< Code, Identifier, Length, Authenticator */
#define HAVEN_RADIUS_AUTH_LEN 16	/**< Authenticator, Message-Authenticator */
#define HAVEN_RADIUS_MAX_LEN 4096	/**< RFC 2865 section 3 */
#define HAVEN_RADIUS_MAX_VALUE 253	/**< octets in one attribute's value */
/** Longest shared secret accepted (longer ones add nothing to MD5). */
#define HAVEN_RADIUS_MAX_SECRET 128
/** Longest User-Password accepted (RFC 2865 5.2: 128 octets). */
#define HAVEN_RADIUS_MAX_PASSWORD 128
/** Longest key the salt decryption returns (RFC 2868 3.5 fits 239). */
#define HAVEN_RADIUS_MAX_SALTED 239

/** Packet codes. */
enum haven_radius_code {
	HAVEN_RADIUS_ACCESS_REQUEST = 1,
	HAVEN_RADIUS_ACCESS_ACCEPT = 2,
	HAVEN_RADIUS_ACCESS_REJECT = 3,
	HAVEN_RADIUS_ACCOUNTING_REQUEST = 4,
	HAVEN_RADIUS_ACCOUNTING_RESPONSE = 5,
	HAVEN_RADIUS_ACCESS_CHALLENGE = 11,
	HAVEN_RADIUS_STATUS_SERVER = 12,	/**< RFC 5997 */
};

/** Attribute types used by Haven. */
enum haven_radius_attr {
	HAVEN_RADIUS_USER_NAME = 1,
	HAVEN_RADIUS_USER_PASSWORD = 2,
	HAVEN_RADIUS_NAS_IP_ADDRESS = 4,
	HAVEN_RADIUS_NAS_PORT = 5,
	HAVEN_RADIUS_SERVICE_TYPE = 6,
	HAVEN_RADIUS_FRAMED_IP_ADDRESS = 8,
	HAVEN_RADIUS_REPLY_MESSAGE = 18,
	HAVEN_RADIUS_CLASS = 25,
	HAVEN_RADIUS_VENDOR_SPECIFIC = 26,
	HAVEN_RADIUS_SESSION_TIMEOUT = 27,
	HAVEN_RADIUS_CALLING_STATION_ID = 31,
	HAVEN_RADIUS_NAS_IDENTIFIER = 32,
	HAVEN_RADIUS_ACCT_STATUS_TYPE = 40,	/**< RFC 2866 5.1 */
	HAVEN_RADIUS_ACCT_DELAY_TIME = 41,
	HAVEN_RADIUS_ACCT_INPUT_OCTETS = 42,
	HAVEN_RADIUS_ACCT_OUTPUT_OCTETS = 43,
	HAVEN_RADIUS_ACCT_SESSION_ID = 44,
	HAVEN_RADIUS_ACCT_AUTHENTIC = 45,
	HAVEN_RADIUS_ACCT_SESSION_TIME = 46,
	HAVEN_RADIUS_ACCT_INPUT_PACKETS = 47,
	HAVEN_RADIUS_ACCT_OUTPUT_PACKETS = 48,
	HAVEN_RADIUS_ACCT_TERMINATE_CAUSE = 49,
	HAVEN_RADIUS_ACCT_INPUT_GIGAWORDS = 52,	/**< RFC 2869 5.1 */
	HAVEN_RADIUS_ACCT_OUTPUT_GIGAWORDS = 53,	/**< RFC 2869 5.2 */
	HAVEN_RADIUS_EVENT_TIMESTAMP = 55,	/**< RFC 2869 5.3 */
	HAVEN_RADIUS_NAS_PORT_TYPE = 61,
	HAVEN_RADIUS_MESSAGE_AUTHENTICATOR = 80,	/**< RFC 3579 3.2 */
	HAVEN_RADIUS_NAS_IPV6_ADDRESS = 95,	/**< RFC 3162 */
};

/** Acct-Status-Type values (RFC 2866 5.1). */
enum haven_radius_acct_status {
	HAVEN_RADIUS_ACCT_START = 1,
	HAVEN_RADIUS_ACCT_STOP = 2,
	HAVEN_RADIUS_ACCT_INTERIM_UPDATE = 3,
};

/** Acct-Terminate-Cause values Haven sends (RFC 2866 5.10). */
enum haven_radius_terminate_cause {
	HAVEN_RADIUS_TERM_USER_REQUEST = 1,	/**< the node deregistered */
	HAVEN_RADIUS_TERM_IDLE_TIMEOUT = 4,
	HAVEN_RADIUS_TERM_SESSION_TIMEOUT = 5,	/**< the lifetime expired */
	HAVEN_RADIUS_TERM_ADMIN_RESET = 6,	/**< revoked by the operator */
	HAVEN_RADIUS_TERM_NAS_ERROR = 9,
	HAVEN_RADIUS_TERM_NAS_REQUEST = 10,
	HAVEN_RADIUS_TERM_NAS_REBOOT = 11,
};

/* Vendors and their attributes. */
#define HAVEN_RADIUS_VENDOR_CISCO 9		/**< Cisco */
#define HAVEN_RADIUS_CISCO_AVPAIR 1		/**< Cisco-AVPair, "name=value" */
#define HAVEN_RADIUS_VENDOR_3GPP2 5535		/**< 3GPP2 (X.S0011) */
#define HAVEN_RADIUS_3GPP2_HA_ADDRESS 7		/**< 3GPP2-Home-Agent-IP-Address */
#define HAVEN_RADIUS_3GPP2_MN_HA_SPI 57		/**< 3GPP2-MN-HA-SPI, integer */
#define HAVEN_RADIUS_3GPP2_MN_HA_KEY 58		/**< 3GPP2-MN-HA-Shared-Key, salted */

/* ---------------------------------------------------------------------
 * Building a message
 */

/**
 * A message under construction in the caller's buffer. The first error
 * (-ENOSPC, -EINVAL) sticks: later additions do nothing and
 * haven_radius_finish() returns it, so a sequence of additions needs one
 * check at the end.
 */
struct haven_radius_builder {
	uint8_t *buf;		/**< the message */
	size_t size;		/**< room in buf */
	size_t len;		/**< bytes written */
	size_t ma_off;		/**< offset of the Message-Authenticator value, 0: none */
	int err;		/**< first error, 0 if none */
};

/**
 * Start a message: the 20-byte header.
 *
 * @param b     the builder.
 * @param buf   where the message goes.
 * @param size  its size (at most HAVEN_RADIUS_MAX_LEN is used).
 * @param code  packet code.
 * @param id    Identifier.
 * @param auth  the Request Authenticator of an Access-Request or a
 *              Status-Server (16 unpredictable octets, RFC 2865 3); NULL
 *              for any other code, whose Authenticator
 *              haven_radius_finish() computes.
 */
void haven_radius_build_init(struct haven_radius_builder *b, uint8_t *buf,
		size_t size, uint8_t code, uint8_t id, const uint8_t *auth);

/**
 * Add an attribute.
 *
 * @param b     the builder.
 * @param type  attribute type (1..255).
 * @param val   its value.
 * @param len   value octets, 0..HAVEN_RADIUS_MAX_VALUE.
 * @return 0, or the builder's sticky error (-ENOSPC, -EINVAL).
 */
int haven_radius_add(struct haven_radius_builder *b, uint8_t type,
		const void *val, size_t len);

/** Add an integer attribute (4 octets, big-endian). @return as haven_radius_add(). */
int haven_radius_add_u32(struct haven_radius_builder *b, uint8_t type,
		uint32_t v);

/** Add an IPv4 address attribute (addr in network byte order). @return as haven_radius_add(). */
int haven_radius_add_ipv4(struct haven_radius_builder *b, uint8_t type,
		uint32_t addr_nbo);

/** Add a text attribute (no terminating NUL). @return as haven_radius_add(). */
int haven_radius_add_string(struct haven_radius_builder *b, uint8_t type,
		const char *s);

/**
 * Add a Vendor-Specific attribute holding one sub-attribute in the
 * format of RFC 2865 section 5.26's suggestion (type and length octets),
 * which 3GPP2 and Cisco use.
 *
 * @param b       the builder.
 * @param vendor  SMI Private Enterprise Code.
 * @param vtype   vendor type.
 * @param val     value.
 * @param len     value octets, 0..HAVEN_RADIUS_MAX_VALUE - 6.
 * @return as haven_radius_add().
 */
int haven_radius_add_vsa(struct haven_radius_builder *b, uint32_t vendor,
		uint8_t vtype, const void *val, size_t len);

/**
 * Reserve the Message-Authenticator (RFC 3579 3.2): 16 octets that
 * haven_radius_finish() fills. At most once per message.
 *
 * @return as haven_radius_add().
 */
int haven_radius_add_message_authenticator(struct haven_radius_builder *b);

/**
 * Add User-Password hidden as RFC 2865 section 5.2 says, with the Request
 * Authenticator given to haven_radius_build_init().
 *
 * @param b       the builder (an Access-Request).
 * @param pw      the password, 1..HAVEN_RADIUS_MAX_PASSWORD octets.
 * @param pw_len  its length.
 * @param secret  the shared secret.
 * @param slen    its length.
 * @return as haven_radius_add().
 */
int haven_radius_add_user_password(struct haven_radius_builder *b,
		const uint8_t *pw, size_t pw_len, const uint8_t *secret,
		size_t slen);

/**
 * Add a Vendor-Specific attribute whose value is encrypted as RFC 2868
 * section 3.5 encrypts Tunnel-Password, without the tag octet (the form of
 * 3GPP2-MN-HA-Shared-Key). A server builds this; the engine only decrypts
 * it, and the tests build it.
 *
 * @param b         the builder (a response).
 * @param vendor    vendor.
 * @param vtype     vendor type.
 * @param plain     the value, 1..HAVEN_RADIUS_MAX_SALTED octets.
 * @param len       its length.
 * @param salt      two octets; the first one's high bit is set here.
 * @param req_auth  the Request Authenticator of the request answered.
 * @param secret    the shared secret.
 * @param slen      its length.
 * @return as haven_radius_add().
 */
int haven_radius_add_salted_vsa(struct haven_radius_builder *b,
		uint32_t vendor, uint8_t vtype, const uint8_t *plain, size_t len,
		const uint8_t salt[2], const uint8_t *req_auth,
		const uint8_t *secret, size_t slen);

/**
 * Finish the message: Length, then the Message-Authenticator if
 * reserved, then the Authenticator:
 * - Access-Request, Status-Server: the random Request Authenticator of
 *   haven_radius_build_init() stays; the Message-Authenticator covers it.
 * - Accounting-Request (RFC 2866 3): the Message-Authenticator is computed
 *   over the message with a zero Authenticator, then the Request
 *   Authenticator is MD5(message with zero Authenticator, secret).
 * - Access-Accept, -Reject, -Challenge (RFC 3579 3.2), Accounting-Response:
 *   the Message-Authenticator is computed with req_auth in the
 *   Authenticator field (for an Accounting-Response with zeros there when
 *   acct_zero_ma, as FreeRADIUS 3 does), then the Response Authenticator
 *   is MD5(Code, Identifier, Length, req_auth, attributes, secret).
 *
 * @param b         the builder.
 * @param secret    the shared secret, 1..HAVEN_RADIUS_MAX_SECRET octets.
 * @param slen      its length.
 * @param req_auth  for a response, the Request Authenticator of the
 *                  request answered; NULL for a request.
 * @param acct_zero_ma  see above (responses only).
 * @return the message length, or the sticky error (-ENOSPC, -EINVAL).
 */
int haven_radius_finish(struct haven_radius_builder *b, const uint8_t *secret,
		size_t slen, const uint8_t *req_auth, bool acct_zero_ma);

/* ---------------------------------------------------------------------
 * Reading a message
 */

/** A parsed message; pointers refer into the parsed buffer. */
struct haven_radius_pkt {
	const uint8_t *buf;	/**< the message */
	size_t len;		/**< its Length field (octets after it are padding) */
	uint8_t code;		/**< Code */
	uint8_t id;		/**< Identifier */
	const uint8_t *auth;	/**< Authenticator, 16 octets */
	size_t ma_off;		/**< offset of the Message-Authenticator value, 0: none */
};

/**
 * Parse and check the framing of a message (RFC 2865 section 3 and 5):
 * at least 20 octets, a Length field of 20..4096 that the buffer holds
 * (octets beyond it are padding, ignored), attributes of at least 2 octets
 * that fill it exactly, no attribute of type 0, at most one
 * Message-Authenticator and that of 18 octets. Authenticators are not
 * checked here: see haven_radius_verify_response().
 *
 * @param buf     UDP payload.
 * @param len     its length.
 * @param pkt     filled on success.
 * @param err     buffer for a readable reason, may be NULL.
 * @param errlen  its size.
 * @return 0, or -EINVAL.
 */
int haven_radius_parse(const uint8_t *buf, size_t len,
		struct haven_radius_pkt *pkt, char *err, size_t errlen);

/**
 * Walk the attributes of a parsed message.
 *
 * @param pkt   the message.
 * @param off   cursor: set it to 0 (or HAVEN_RADIUS_HDR_LEN) first.
 * @param type  the attribute's type.
 * @param val   its value, inside the message.
 * @param len   value octets.
 * @return true while there is an attribute, false at the end.
 */
bool haven_radius_next(const struct haven_radius_pkt *pkt, size_t *off,
		uint8_t *type, const uint8_t **val, uint8_t *len);

/**
 * The first attribute of a type.
 *
 * @return true if found (val and len set).
 */
bool haven_radius_find(const struct haven_radius_pkt *pkt, uint8_t type,
		const uint8_t **val, uint8_t *len);

/**
 * Walk the vendor sub-attributes of a vendor in every Vendor-Specific
 * attribute (type and length octets, RFC 2865 5.26). A Vendor-Specific
 * attribute of this vendor whose sub-attributes do not fill it exactly is
 * skipped whole.
 *
 * @param pkt     the message.
 * @param vendor  the vendor.
 * @param off     cursor, 0 to start.
 * @param sub     cursor inside the current attribute, 0 to start.
 * @param vtype   the sub-attribute's type.
 * @param val     its value.
 * @param len     value octets.
 * @return true while there is one, false at the end.
 */
bool haven_radius_next_vsa(const struct haven_radius_pkt *pkt,
		uint32_t vendor, size_t *off, size_t *sub, uint8_t *vtype,
		const uint8_t **val, uint8_t *len);

/**
 * The first sub-attribute of a vendor and type.
 *
 * @return true if found.
 */
bool haven_radius_find_vsa(const struct haven_radius_pkt *pkt,
		uint32_t vendor, uint8_t vtype, const uint8_t **val,
		uint8_t *len);

/**
 * Authenticate an answer to a request whose Request Authenticator is
 * req_auth, in constant time: first the Message-Authenticator (RFC 3579
 * 3.2: HMAC-MD5 over the message with req_auth in the Authenticator field
 * and zeros in its own; for an Accounting-Response also accepted with zeros
 * in the Authenticator field, the form FreeRADIUS 3 computes), then the
 * Response Authenticator (RFC 2865 3, RFC 2866 3).
 *
 * The BlastRADIUS attack (CVE-2024-3596) forges an Access-Accept whose
 * Response Authenticator is right by an MD5 collision; the
 * Message-Authenticator, an HMAC, defeats it only if the client requires
 * it. With require_ma an answer without one is refused.
 *
 * @param pkt         the parsed answer.
 * @param req_auth    Request Authenticator of the request it answers.
 * @param secret      the shared secret.
 * @param slen        its length.
 * @param require_ma  refuse an answer without a Message-Authenticator.
 * @return 0 if authentic; -ENOMSG without a Message-Authenticator (and
 *         require_ma); -EACCES if either authenticator is wrong.
 */
int haven_radius_verify_response(const struct haven_radius_pkt *pkt,
		const uint8_t *req_auth, const uint8_t *secret, size_t slen,
		bool require_ma);

/**
 * Authenticate a request as a server would (the tests' fake servers use
 * it): the Message-Authenticator if present (required when require_ma),
 * and for an Accounting-Request the Request Authenticator.
 *
 * @return 0, -ENOMSG or -EACCES as haven_radius_verify_response().
 */
int haven_radius_verify_request(const struct haven_radius_pkt *pkt,
		const uint8_t *secret, size_t slen, bool require_ma);

/**
 * Recover a User-Password hidden by RFC 2865 section 5.2 (for the tests'
 * fake servers). Trailing NUL padding is removed.
 *
 * @param val       the attribute's value (a multiple of 16 octets).
 * @param len       its length.
 * @param req_auth  the Request Authenticator.
 * @param secret    the shared secret.
 * @param slen      its length.
 * @param out       at least len octets.
 * @return the password length, or -EINVAL.
 */
int haven_radius_user_password_decode(const uint8_t *val, size_t len,
		const uint8_t *req_auth, const uint8_t *secret, size_t slen,
		uint8_t *out);

/**
 * Decrypt a value encrypted as RFC 2868 section 3.5 encrypts
 * Tunnel-Password, without a tag: Salt (2 octets), then 16-octet blocks
 * whose plaintext is a length octet, the value and zero padding.
 * b(1) = MD5(secret + req_auth + salt), c(i) = p(i) xor b(i),
 * b(i) = MD5(secret + c(i-1)).
 *
 * @param val       the sub-attribute's value.
 * @param len       its length.
 * @param req_auth  the Request Authenticator of our request.
 * @param secret    the shared secret.
 * @param slen      its length.
 * @param out       at least HAVEN_RADIUS_MAX_SALTED octets.
 * @return the plaintext length (1..239), or -EINVAL when the value is not
 *         a salt and whole blocks or the length octet is impossible.
 */
int haven_radius_salted_decode(const uint8_t *val, size_t len,
		const uint8_t *req_auth, const uint8_t *secret, size_t slen,
		uint8_t *out);

/** What a Cisco "mobileip:spi#N=" AV pair gives. */
struct haven_radius_cisco_sa {
	uint32_t spi;		/**< spi <n> */
	uint8_t alg;		/**< 0 hmac-md5, 1 hmac-sha256 (enum haven_mip4_alg) */
	uint8_t key[HAVEN_RADIUS_MAX_SALTED];	/**< key hex <hex> | ascii <text> */
	uint8_t key_len;	/**< octets in key */
	uint32_t replay_window;	/**< replay timestamp within <s>; 0: not given */
};

/**
 * Parse a Cisco-AVPair of the form Cisco's home agents take from RADIUS:
 *   mobileip:spi#<n>=spi <spi> key (hex <hex>|ascii <text>)
 *       [algorithm (hmac-md5|hmac-sha256)] [replay timestamp [within <s>]]
 * The algorithm defaults to hmac-md5 (RFC 5944 3.5.1); Cisco's keyed-MD5
 * "md5 mode prefix-suffix" is refused (RFC 5944 deprecates it). The key
 * travels in clear: prefer 3GPP2-MN-HA-Shared-Key.
 *
 * @param val  the AV pair's text.
 * @param len  its length.
 * @param sa   filled on success.
 * @return 0; -ENOENT if it is not a mobileip:spi pair (skip it); -EINVAL
 *         if it is one but malformed.
 */
int haven_radius_cisco_spi_parse(const uint8_t *val, size_t len,
		struct haven_radius_cisco_sa *sa);

/** Name of a packet code ("Access-Accept", ...; "unknown" otherwise). */
const char *haven_radius_code_name(uint8_t code);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_RADIUS_H */
