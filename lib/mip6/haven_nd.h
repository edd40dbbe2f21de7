/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_ND_H
#define HAVEN_ND_H

/**
 * @file
 * IPv6 Neighbor Discovery (RFC 4861) structures and codec for the home
 * agent's proxy ND (RFC 6275 10.4.1): Neighbor Solicitation and
 * Neighbor Advertisement, link-layer address options, solicited-node
 * multicast, and the ICMPv6 checksum. DPDK 22.11 defines none of these.
 *
 * Pure functions over byte buffers. Multi-byte fields of the packed
 * structs are in network order, as on the wire.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HAVEN_ND_NS		135	/**< Neighbor Solicitation (RFC 4861 4.3) */
#define HAVEN_ND_NA		136	/**< Neighbor Advertisement (RFC 4861 4.4) */
#define HAVEN_ND_OPT_SLLA	1	/**< Source Link-Layer Address (4.6.1) */
#define HAVEN_ND_OPT_TLLA	2	/**< Target Link-Layer Address (4.6.1) */
#define HAVEN_ND_HOP_LIMIT	255	/**< RFC 4861 7.1.1: must be 255 */
#define HAVEN_ND_MIN_LEN	24	/**< NS or NA without options */

/* Neighbor Advertisement flags, first byte after the checksum (4.4). */
#define HAVEN_ND_NA_F_R	0x80	/**< Router */
#define HAVEN_ND_NA_F_S	0x40	/**< Solicited */
#define HAVEN_ND_NA_F_O	0x20	/**< Override */

/** IPv6 header (RFC 8200 section 3). */
struct haven_ip6_hdr {
	uint32_t vtc_flow;	/**< version 4, traffic class 8, flow 20 */
	uint16_t payload_len;	/**< bytes after this header */
	uint8_t proto;		/**< next header */
	uint8_t hop_limit;	/**< hop limit */
	uint8_t src[16];	/**< source address */
	uint8_t dst[16];	/**< destination address */
} __attribute__((packed));

/** Neighbor Solicitation (RFC 4861 4.3). */
struct haven_nd_ns {
	uint8_t type;		/**< 135 */
	uint8_t code;		/**< 0 */
	uint16_t cksum;		/**< ICMPv6 checksum */
	uint32_t reserved;	/**< zero */
	uint8_t target[16];	/**< target address */
} __attribute__((packed));

/** Neighbor Advertisement (RFC 4861 4.4). */
struct haven_nd_na {
	uint8_t type;		/**< 136 */
	uint8_t code;		/**< 0 */
	uint16_t cksum;		/**< ICMPv6 checksum */
	uint8_t flags;		/**< HAVEN_ND_NA_F_*, then 29 reserved bits */
	uint8_t reserved[3];	/**< zero */
	uint8_t target[16];	/**< target address */
} __attribute__((packed));

/** Ethernet link-layer address option (RFC 4861 4.6.1; length 1 = 8). */
struct haven_nd_opt_lla {
	uint8_t type;		/**< HAVEN_ND_OPT_SLLA or _TLLA */
	uint8_t len;		/**< in units of 8 octets: 1 */
	uint8_t addr[6];	/**< MAC address */
} __attribute__((packed));

/** Length of a built NA or NS with one link-layer option, IPv6 included. */
#define HAVEN_ND_PKT_LEN \
	(sizeof(struct haven_ip6_hdr) + sizeof(struct haven_nd_na) + \
	 sizeof(struct haven_nd_opt_lla))

/**
 * Solicited-node multicast address of addr: ff02::1:ff00:0/104 and its
 * low 24 bits (RFC 4291 2.7.1).
 *
 * @param addr  unicast address.
 * @param out   16 bytes.
 */
void haven_nd_solicited_node(const uint8_t addr[16], uint8_t out[16]);

/**
 * Ethernet address of an IPv6 multicast address: 33:33 and its low 32
 * bits (RFC 2464 section 7); for a solicited-node one, 33:33:ff:xx:xx:xx.
 *
 * @param mcast  multicast address.
 * @param mac    6 bytes.
 */
void haven_nd_mcast_mac(const uint8_t mcast[16], uint8_t mac[6]);

/**
 * ICMPv6 checksum (RFC 4443 2.3): the Internet checksum of the IPv6
 * pseudo-header (next header 58) and the message, whose Checksum field
 * (bytes 2-3) counts as zero.
 *
 * @param src   IPv6 source.
 * @param dst   IPv6 destination.
 * @param msg   the ICMPv6 message.
 * @param len   its length (>= 4).
 * @return the value to store in the Checksum field, host order.
 */
uint16_t haven_icmp6_cksum(const uint8_t src[16], const uint8_t dst[16],
		const uint8_t *msg, size_t len);

/**
 * Build an IPv6 Neighbor Advertisement (hop limit 255) with a target
 * link-layer address option. For the home agent's proxy NA (RFC 6275
 * 10.4.1): target the home address, tlla the agent's MAC; unsolicited to
 * ff02::1 with O set; in reply to a DAD probe to ff02::1 with S clear
 * (RFC 4861 7.2.4); in reply to an NS, to its source with S set.
 *
 * @param buf     output (HAVEN_ND_PKT_LEN bytes).
 * @param buflen  its size.
 * @param src     IPv6 source (the agent's address on the home link).
 * @param dst     IPv6 destination.
 * @param target  target address.
 * @param flags   HAVEN_ND_NA_F_*.
 * @param tlla    MAC for the option, or NULL for none.
 * @return packet length, or -ENOSPC.
 */
int haven_nd_build_na(uint8_t *buf, size_t buflen, const uint8_t src[16],
		const uint8_t dst[16], const uint8_t target[16], uint8_t flags,
		const uint8_t *tlla);

/**
 * Build an IPv6 Neighbor Solicitation (hop limit 255). With an
 * unspecified source (a DAD probe) no source link-layer option is sent
 * (RFC 4861 7.2.2; RFC 4862 5.4.2).
 *
 * @param buf     output (HAVEN_ND_PKT_LEN bytes).
 * @param buflen  its size.
 * @param src     IPv6 source, or :: for DAD.
 * @param dst     IPv6 destination, or NULL for the target's
 *                solicited-node multicast address.
 * @param target  target address.
 * @param slla    MAC for the option, or NULL for none.
 * @return packet length, or -ENOSPC.
 */
int haven_nd_build_ns(uint8_t *buf, size_t buflen, const uint8_t src[16],
		const uint8_t *dst, const uint8_t target[16],
		const uint8_t *slla);

/** A validated Neighbor Solicitation. */
struct haven_nd_ns_info {
	uint8_t src[16];	/**< IPv6 source */
	uint8_t dst[16];	/**< IPv6 destination */
	uint8_t target[16];	/**< target address */
	bool has_slla;		/**< source link-layer option present */
	uint8_t slla[6];	/**< its MAC */
	bool dad;		/**< unspecified source: a DAD probe */
};

/**
 * Parse and validate an IPv6 packet carrying a Neighbor Solicitation
 * directly after the IPv6 header (RFC 4861 7.1.1): hop limit 255, valid
 * checksum, code 0, ICMP length >= 24, target not multicast, every
 * option of non-zero length and inside the packet; with an unspecified
 * source, a solicited-node multicast destination and no source
 * link-layer option.
 *
 * @param buf     the packet, from its IPv6 header.
 * @param len     its length.
 * @param ns      filled on success.
 * @param err     reason buffer, may be NULL.
 * @param errlen  its size.
 * @return 0, or -EINVAL with a reason (silently discard).
 */
int haven_nd_parse_ns(const uint8_t *buf, size_t len,
		struct haven_nd_ns_info *ns, char *err, size_t errlen);

/**
 * Whether a validated NS is a Duplicate Address Detection probe for
 * addr: unspecified source and target addr (RFC 4862 5.4.3). The home
 * agent defends a registered home address against it (RFC 6275 10.4.1).
 *
 * @param ns    a haven_nd_parse_ns() result.
 * @param addr  the address to defend, or NULL for any target.
 * @return true if it is such a probe.
 */
bool haven_nd_is_dad_probe(const struct haven_nd_ns_info *ns,
		const uint8_t *addr);

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_ND_H */
