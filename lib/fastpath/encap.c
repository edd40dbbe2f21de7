/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tunnel header construction and parsing over byte buffers: the outer
 * IPv4 header of IP in IP (RFC 2003) and GRE (RFC 2784), the GRE header,
 * and minimal encapsulation (RFC 2004) in both directions. Pure functions
 * with no DPDK types: the worker (worker.c) places the bytes in mbufs,
 * the unit tests check them byte by byte.
 */

#include <string.h>

#include "encap_private.h"

#define GRE_C 0x8000		/* checksum present (RFC 2784 2.1) */
#define GRE_K 0x2000		/* key present (RFC 2890 2.1) */
#define GRE_S 0x1000		/* sequence number present (RFC 2890 2.1) */
#define GRE_VER 0x0007		/* version, must be 0 */
#define GRE_PROTO_IPV4 0x0800	/* EtherType of the payload */

#define MIN_S_BIT 0x80		/* second octet of the forwarding header */

uint16_t
fp_cksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t sum = 0;

	while (len > 1) {
		sum += fp_get16(p);
		p += 2;
		len -= 2;
	}
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void
fp_outer_ipv4(uint8_t *ip, uint8_t proto, uint16_t payload_len,
		uint32_t src, uint32_t dst, uint16_t id, bool df, uint8_t ttl,
		bool cksum)
{
	ip[0] = 0x45;				/* version 4, IHL 5 */
	ip[1] = 0;				/* TOS */
	fp_put16(ip + 2, FP_IPV4_HLEN + payload_len);
	fp_put16(ip + 4, id);
	fp_put16(ip + 6, df ? FP_IP_DF : 0);
	ip[8] = ttl;
	ip[9] = proto;
	fp_put16(ip + 10, 0);
	fp_put32n(ip + 12, src);
	fp_put32n(ip + 16, dst);
	if (cksum)
		fp_put16(ip + 10, fp_cksum(ip, FP_IPV4_HLEN));
}

void
fp_gre_header(uint8_t *gre)
{
	fp_put16(gre, 0);			/* C = 0, reserved, version 0 */
	fp_put16(gre + 2, GRE_PROTO_IPV4);
}

int
fp_gre_parse(const uint8_t *gre, size_t len)
{
	uint16_t flags;
	int hlen = FP_GRE_HLEN;

	if (len < FP_GRE_HLEN)
		return -1;
	flags = fp_get16(gre);
	/* RFC 2784 2.3: discard on non-zero Reserved0 bits or version. */
	if ((flags & ~(GRE_C | GRE_K | GRE_S)) != 0)
		return -1;
	if (fp_get16(gre + 2) != GRE_PROTO_IPV4)
		return -1;
	if (flags & GRE_C)
		hlen += 4;			/* checksum and Reserved1 */
	if (flags & GRE_K)
		hlen += 4;
	if (flags & GRE_S)
		hlen += 4;
	if (len < (size_t)hlen)
		return -1;
	return hlen;
}

void
fp_minimal_encap(uint8_t *ip, unsigned int fwd_len, uint32_t encapsulator,
		uint32_t tunnel_exit, bool cksum)
{
	unsigned int hlen = fp_ip_hlen(ip);
	uint8_t *fwd = ip + hlen;
	uint32_t orig_src = fp_ip_src(ip);

	/* Forwarding header: protocol, S, checksum, destination, source. */
	fwd[0] = ip[9];
	fwd[1] = fwd_len == FP_MIN_FWD_HLEN_S ? MIN_S_BIT : 0;
	fp_put16(fwd + 2, 0);
	fp_put32n(fwd + 4, fp_ip_dst(ip));
	if (fwd_len == FP_MIN_FWD_HLEN_S)
		fp_put32n(fwd + 8, orig_src);
	fp_put16(fwd + 2, fp_cksum(fwd, fwd_len));

	/*
	 * Modified IP header: the TTL is not touched (it was decremented by
	 * forwarding); the source becomes the encapsulator only when S is
	 * set, otherwise it already is the encapsulator.
	 */
	ip[9] = FP_IPPROTO_MINIMAL;
	fp_put32n(ip + 16, tunnel_exit);
	fp_put32n(ip + 12, encapsulator);
	fp_put16(ip + 2, fp_ip_total_len(ip) + fwd_len);
	fp_put16(ip + 10, 0);
	if (cksum)
		fp_put16(ip + 10, fp_cksum(ip, hlen));
}

int
fp_minimal_parse(const uint8_t *ip, size_t len, uint32_t *orig_src)
{
	unsigned int hlen = fp_ip_hlen(ip);
	const uint8_t *fwd = ip + hlen;
	unsigned int fwd_len;

	if (len < hlen + FP_MIN_FWD_HLEN)
		return -1;
	fwd_len = (fwd[1] & MIN_S_BIT) ? FP_MIN_FWD_HLEN_S : FP_MIN_FWD_HLEN;
	if (len < hlen + fwd_len)
		return -1;
	if (fp_cksum(fwd, fwd_len) != 0)
		return -1;
	*orig_src = fwd_len == FP_MIN_FWD_HLEN_S ?
		fp_get32n(fwd + 8) : fp_ip_src(ip);
	return (int)fwd_len;
}

void
fp_minimal_decap(uint8_t *ip, unsigned int fwd_len)
{
	unsigned int hlen = fp_ip_hlen(ip);
	uint8_t fwd[FP_MIN_FWD_HLEN_S];
	uint8_t *orig = ip + fwd_len;

	/*
	 * RFC 2004 section 3: the original header is the modified one with
	 * protocol, destination and (if S) source from the forwarding header,
	 * total length reduced by the forwarding header, checksum recomputed.
	 */
	memcpy(fwd, ip + hlen, fwd_len);
	memmove(orig, ip, hlen);
	orig[9] = fwd[0];
	fp_put32n(orig + 16, fp_get32n(fwd + 4));
	if (fwd_len == FP_MIN_FWD_HLEN_S)
		fp_put32n(orig + 12, fp_get32n(fwd + 8));
	fp_put16(orig + 2, fp_ip_total_len(orig) - fwd_len);
	fp_put16(orig + 10, 0);
	fp_put16(orig + 10, fp_cksum(orig, hlen));
}
