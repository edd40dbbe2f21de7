/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the files of lib/mip6: the Internet checksum (RFC
 * 1071) with the IPv6 pseudo-header of RFC 8200 section 8.1 that the
 * Mobility Header, ICMPv6 and Neighbor Discovery all use. Byte order and
 * reasons come from lib/common's haven_wire.h. Not installed.
 */
#ifndef MIP6_PRIVATE_H
#define MIP6_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "haven_wire.h"

/* One's complement sum of len bytes, added to sum (RFC 1071). */
static inline uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * The IPv6 pseudo-header (RFC 8200 section 8.1): source, destination,
 * 32-bit upper-layer length, three zero octets and the next header.
 */
static inline uint32_t
csum_pseudo(const uint8_t src[16], const uint8_t dst[16], uint32_t len,
		uint8_t nh)
{
	uint8_t tail[8];
	uint32_t sum = 0;

	haven_put_be32(tail, len);
	tail[4] = 0;
	tail[5] = 0;
	tail[6] = 0;
	tail[7] = nh;
	sum = csum_add(sum, src, 16);
	sum = csum_add(sum, dst, 16);
	return csum_add(sum, tail, sizeof(tail));
}

/* Fold and complement: the value to store in a checksum field. */
static inline uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif /* MIP6_PRIVATE_H */
