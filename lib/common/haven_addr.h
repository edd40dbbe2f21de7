/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_ADDR_H
#define HAVEN_ADDR_H

/**
 * @file
 * One address type for both families: home addresses, care-of addresses,
 * next hops and peers, IPv4 or IPv6, in the way of FRRouting's
 * `struct ipaddr`. The family says which member of the union is meant; an
 * IPv4 address is kept in network byte order in its first four octets, so
 * that the bytes of a struct haven_addr are the address as on the wire,
 * whatever the family. A zeroed struct is "no address" (family
 * HAVEN_AF_NONE).
 *
 * Header only, no DPDK: the pure codecs (lib/deleg) and the application
 * share it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Address families (the numbers of the IP version field). */
#define HAVEN_AF_NONE 0		/**< no address (a zeroed struct) */
#define HAVEN_AF_INET 4		/**< IPv4 */
#define HAVEN_AF_INET6 6	/**< IPv6 */

/** printf buffer size of any address (INET6_ADDRSTRLEN). */
#define HAVEN_ADDR_STRLEN 46

/** An IPv4 or IPv6 address. */
struct haven_addr {
	uint8_t family;			/**< HAVEN_AF_* */
	uint8_t pad[3];			/**< zero: keeps memcmp() meaningful */
	union {
		uint32_t v4;		/**< IPv4, network byte order */
		uint8_t v6[16];		/**< IPv6, network byte order */
		uint8_t bytes[16];	/**< either, as on the wire */
	};
};

/** An IPv4 address (network byte order) as a struct haven_addr. */
static inline struct haven_addr
haven_addr4(uint32_t v4_nbo)
{
	struct haven_addr a;

	memset(&a, 0, sizeof(a));
	a.family = HAVEN_AF_INET;
	a.v4 = v4_nbo;
	return a;
}

/** An IPv6 address (16 octets) as a struct haven_addr. */
static inline struct haven_addr
haven_addr6(const uint8_t v6[16])
{
	struct haven_addr a;

	memset(&a, 0, sizeof(a));
	a.family = HAVEN_AF_INET6;
	memcpy(a.v6, v6, 16);
	return a;
}

/** True for an IPv6 address. */
static inline bool
haven_addr_is6(const struct haven_addr *a)
{
	return a->family == HAVEN_AF_INET6;
}

/** Octets of the address on the wire: 4, 16, or 0 for none. */
static inline size_t
haven_addr_len(const struct haven_addr *a)
{
	return a->family == HAVEN_AF_INET ? 4 :
		a->family == HAVEN_AF_INET6 ? 16 : 0;
}

/** True if a holds no address, or the family's unspecified address. */
static inline bool
haven_addr_is_zero(const struct haven_addr *a)
{
	static const uint8_t zero[16];

	return a->family == HAVEN_AF_NONE ||
		memcmp(a->bytes, zero, haven_addr_len(a)) == 0;
}

/** True if a and b are the same address of the same family. */
static inline bool
haven_addr_eq(const struct haven_addr *a, const struct haven_addr *b)
{
	return a->family == b->family &&
		memcmp(a->bytes, b->bytes, haven_addr_len(a)) == 0;
}

/**
 * Total order: IPv4 before IPv6, then numerically (the octets compare as
 * the numbers do, being big-endian). @return <0, 0, >0 as memcmp().
 */
static inline int
haven_addr_cmp(const struct haven_addr *a, const struct haven_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, haven_addr_len(a));
}

/**
 * True if a lies in prefix/len (same family; len in bits, 0 matches
 * every address of the family).
 */
static inline bool
haven_addr_in_prefix(const struct haven_addr *a,
		const struct haven_addr *prefix, unsigned int len)
{
	unsigned int bytes = len / 8, bits = len % 8;
	uint8_t mask;

	if (a->family != prefix->family || len > 8 * haven_addr_len(a))
		return false;
	if (memcmp(a->bytes, prefix->bytes, bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - bits));
	return (a->bytes[bytes] & mask) == (prefix->bytes[bytes] & mask);
}

/**
 * The address as text ("192.0.2.1", "2001:db8::1", "-" for none) in buf
 * (at least HAVEN_ADDR_STRLEN bytes). @return buf.
 */
static inline const char *
haven_addr_str(const struct haven_addr *a, char *buf)
{
	if (a->family == HAVEN_AF_NONE ||
	    inet_ntop(a->family == HAVEN_AF_INET ? AF_INET : AF_INET6,
			a->bytes, buf, HAVEN_ADDR_STRLEN) == NULL)
		snprintf(buf, HAVEN_ADDR_STRLEN, "-");
	return buf;
}

/**
 * Parse text as an IPv4 or IPv6 address.
 * @return 0, or -1 if it is neither (a is then zeroed).
 */
static inline int
haven_addr_parse(const char *s, struct haven_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = HAVEN_AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->v6) == 1) {
		a->family = HAVEN_AF_INET6;
		return 0;
	}
	memset(a, 0, sizeof(*a));
	return -1;
}

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_ADDR_H */
