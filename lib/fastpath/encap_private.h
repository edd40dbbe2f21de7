/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_ENCAP_PRIVATE_H
#define HAVEN_ENCAP_PRIVATE_H

/*
 * Header construction for the fast path's tunnels, over plain byte
 * buffers: the Internet checksum and its incremental update (RFC 1071,
 * RFC 1624), the outer IPv4 header of IP in IP (RFC 2003) and GRE
 * (RFC 2784), the GRE header, minimal encapsulation (RFC 2004) both
 * ways, and the UDP header and MIP Tunnel Data header of IP in UDP for
 * mobile nodes behind a NAT (RFC 3519). No DPDK types, so that every byte can be unit tested and fuzzed;
 * worker.c does the mbuf work around these.
 *
 * Every address is in network byte order; every "ip" pointer is the first
 * byte of an IPv4 header.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FP_IPV4_HLEN 20			/* IPv4 header without options */
#define FP_GRE_HLEN 4			/* GRE header without C, K, S fields */
#define FP_MIN_FWD_HLEN 8		/* minimal forwarding header, S = 0 */
#define FP_MIN_FWD_HLEN_S 12		/* ... with the original source */
#define FP_UDP_HLEN 8			/* UDP header (RFC 768) */
#define FP_MIP_UDP_PORT 434		/* Mobile IP: registrations and, with
					 * RFC 3519, UDP tunnel data */
#define FP_MIP_TUNNEL_DATA 4		/* RFC 3519 3.3: message type */
#define FP_MIP_TUN_HLEN 4		/* ... and its header's length */
/* What IP in UDP adds in front of a datagram: outer IPv4, UDP, type 4 */
#define FP_UDP_TUN_OVERHEAD (FP_IPV4_HLEN + FP_UDP_HLEN + FP_MIP_TUN_HLEN)

#define FP_IPPROTO_ICMP 1
#define FP_IPPROTO_IPIP 4
#define FP_IPPROTO_UDP 17
#define FP_IPPROTO_GRE 47
#define FP_IPPROTO_MINIMAL 55

#define FP_IP_DF 0x4000			/* fragment_offset field, host order */
#define FP_IP_MF 0x2000
#define FP_IP_OFFMASK 0x1fff

/* Field readers and writers, byte order explicit. */
static inline uint16_t
fp_get16(const uint8_t *p)
{
	uint16_t v;

	__builtin_memcpy(&v, p, 2);
	return __builtin_bswap16(v);	/* network order: big-endian */
}

static inline void
fp_put16(uint8_t *p, uint16_t v)
{
	v = __builtin_bswap16(v);
	__builtin_memcpy(p, &v, 2);
}

/* Copy a 32-bit field that is already in network byte order. */
static inline uint32_t
fp_get32n(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);
	return v;
}

static inline void
fp_put32n(uint8_t *p, uint32_t v)
{
	__builtin_memcpy(p, &v, 4);
}

/* IPv4 header accessors. */
static inline unsigned int
fp_ip_hlen(const uint8_t *ip)
{
	return (ip[0] & 0x0f) * 4u;
}

static inline uint16_t
fp_ip_total_len(const uint8_t *ip)
{
	return fp_get16(ip + 2);
}

static inline bool
fp_ip_is_fragment(const uint8_t *ip)
{
	return (fp_get16(ip + 6) & (FP_IP_MF | FP_IP_OFFMASK)) != 0;
}

static inline uint32_t
fp_ip_src(const uint8_t *ip)
{
	return fp_get32n(ip + 12);
}

static inline uint32_t
fp_ip_dst(const uint8_t *ip)
{
	return fp_get32n(ip + 16);
}

/* Internet checksum of len bytes (RFC 1071), ready to store. */
uint16_t fp_cksum(const void *buf, size_t len);

/*
 * Whether an IPv4 header's checksum verifies (RFC 1071: the sum of the
 * header is all ones). The sum is taken 32 bits at a time in host order:
 * one's complement addition commutes with byte swapping (RFC 1071 2.B),
 * and all ones reads the same both ways.
 */
static inline bool
fp_ip_cksum_ok(const uint8_t *ip)
{
	unsigned int i, words = fp_ip_hlen(ip) / 4;
	uint64_t sum = 0;
	uint32_t v;

	for (i = 0; i < words; i++) {
		__builtin_memcpy(&v, ip + 4 * i, 4);
		sum += v;
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/*
 * RFC 1624 equation 3: HC' = ~(~HC + ~m + m'), for one 16-bit word of
 * the covered data changing from old to new. All values host order.
 */
static inline uint16_t
fp_cksum_adjust(uint16_t cksum, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~cksum + (uint16_t)~old + (uint32_t)new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Decrement the TTL of a forwarded datagram and update its header
 * checksum incrementally (RFC 1624). Returns the new TTL; the caller has
 * checked that the old one was above 1.
 */
static inline uint8_t
fp_ip_ttl_decrement(uint8_t *ip)
{
	/*
	 * Equation 3 with m' = m - 0x0100 (the TTL is the high byte of its
	 * word): ~m + m' is 0xfeff whatever m was, so
	 * HC' = ~(~HC + 0xfeff), with the end-around carry.
	 */
	uint32_t sum = (uint16_t)~fp_get16(ip + 10) + 0xfeffu;

	sum = (sum & 0xffff) + (sum >> 16);
	ip[8]--;
	fp_put16(ip + 10, (uint16_t)~sum);
	return ip[8];
}

/*
 * Write a 20-byte outer IPv4 header at ip for payload_len bytes of
 * protocol proto (RFC 2003 section 3.1: TTL HAVEN_OUTER_TTL, DF copied
 * from the inner header by the caller through df). The checksum is left
 * zero when cksum is false (hardware computes it).
 */
void fp_outer_ipv4(uint8_t *ip, uint8_t proto, uint16_t payload_len,
		uint32_t src, uint32_t dst, uint16_t id, bool df, uint8_t ttl,
		bool cksum);

/*
 * fp_outer_ipv4() for a header whose constant words were summed ahead of
 * time (struct haven_binding_coa's outer_sum: version and length, TTL and
 * protocol, source, destination): only the total length, the
 * identification and DF are added per packet.
 */
static inline void
fp_outer_ipv4_prepared(uint8_t *ip, uint16_t const_sum, uint8_t proto,
		uint16_t payload_len, uint32_t src, uint32_t dst, uint16_t id,
		bool df, uint8_t ttl, bool cksum)
{
	uint16_t total = FP_IPV4_HLEN + payload_len;
	uint16_t frag = df ? FP_IP_DF : 0;
	uint32_t sum;

	ip[0] = 0x45;
	ip[1] = 0;
	fp_put16(ip + 2, total);
	fp_put16(ip + 4, id);
	fp_put16(ip + 6, frag);
	ip[8] = ttl;
	ip[9] = proto;
	fp_put32n(ip + 12, src);
	fp_put32n(ip + 16, dst);
	sum = (uint32_t)const_sum + total + id + frag;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	fp_put16(ip + 10, cksum ? (uint16_t)~sum : 0);
}

/* Write a GRE header without optional fields, carrying IPv4 (RFC 2784 2). */
void fp_gre_header(uint8_t *gre);

/*
 * Write the UDP header and the MIP Tunnel Data header (RFC 3519 3.3:
 * type 4, next header 4) of IP in UDP at udp, for inner_len bytes of
 * IPv4 packet behind them; ports in host order. The UDP checksum is 0
 * (RFC 768: none computed): the inner packet has its own, and the NAT
 * rewrites only the outer addresses and ports.
 */
static inline void
fp_udp_tunnel_header(uint8_t *udp, uint16_t sport, uint16_t dport,
		uint16_t inner_len)
{
	fp_put16(udp, sport);
	fp_put16(udp + 2, dport);
	fp_put16(udp + 4, FP_UDP_HLEN + FP_MIP_TUN_HLEN + inner_len);
	fp_put16(udp + 6, 0);
	udp[8] = FP_MIP_TUNNEL_DATA;
	udp[9] = FP_IPPROTO_IPIP;
	udp[10] = 0;
	udp[11] = 0;
}

/*
 * What a UDP datagram to port 434 (at udp, len bytes of UDP header and
 * payload) is: 1 for a MIP Tunnel Data message carrying an IPv4 packet
 * (type 4, next header 4), 0 for anything else (registrations, types 1
 * and 3, go to the control lcore), -1 for tunnel data this agent cannot
 * take (too short, or GRE or minimal inside).
 */
static inline int
fp_udp_tunnel_kind(const uint8_t *udp, size_t len)
{
	if (len < FP_UDP_HLEN + 1 ||
	    udp[FP_UDP_HLEN] != FP_MIP_TUNNEL_DATA)
		return 0;
	if (len < FP_UDP_HLEN + FP_MIP_TUN_HLEN ||
	    udp[FP_UDP_HLEN + 1] != FP_IPPROTO_IPIP)
		return -1;
	return 1;
}

/*
 * Length of the GRE header at gre (len bytes available) if the packet
 * carries IPv4 and this receiver understands it: version 0, reserved bits
 * zero except C (RFC 2784 2.3) and K and S (RFC 2890). -1 otherwise.
 */
int fp_gre_parse(const uint8_t *gre, size_t len);

/*
 * Minimal encapsulation (RFC 2004 section 3). The forwarding header is
 * FP_MIN_FWD_HLEN_S long when the original source is not the encapsulator
 * (S bit set, original source carried), FP_MIN_FWD_HLEN otherwise.
 */
static inline unsigned int
fp_minimal_fwd_len(uint32_t orig_src, uint32_t encapsulator)
{
	return orig_src == encapsulator ? FP_MIN_FWD_HLEN : FP_MIN_FWD_HLEN_S;
}

/*
 * Turn the original datagram's header at ip (hlen bytes, followed by
 * fwd_len free bytes and then the original payload) into the modified IP
 * header and the minimal forwarding header: protocol 55, destination the
 * tunnel exit, source the encapsulator, total length grown by fwd_len,
 * header checksum recomputed unless cksum is false (hardware computes it;
 * then it is left zero). The caller has refused fragments: RFC 2004
 * section 3 forbids minimal encapsulation of a fragmented datagram.
 */
void fp_minimal_encap(uint8_t *ip, unsigned int fwd_len, uint32_t encapsulator,
		uint32_t tunnel_exit, bool cksum);

/*
 * Parse a minimal-encapsulated datagram at ip (len bytes): the modified
 * IP header is hlen bytes long. Returns the length of the forwarding
 * header, or -1 when it is truncated or its checksum is wrong. *orig_src
 * gets the original source (the modified header's source when S is 0).
 */
int fp_minimal_parse(const uint8_t *ip, size_t len, uint32_t *orig_src);

/*
 * Restore the original datagram (RFC 2004 section 3, decapsulation):
 * write the original IP header fwd_len bytes after ip, from the modified
 * header and the forwarding header, with its checksum. The original
 * datagram then starts at ip + fwd_len.
 */
void fp_minimal_decap(uint8_t *ip, unsigned int fwd_len);

#endif /* HAVEN_ENCAP_PRIVATE_H */
