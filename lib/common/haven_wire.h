/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_WIRE_H
#define HAVEN_WIRE_H

/**
 * @file
 * Helpers every pure codec of Haven shares (Mobile IPv4, the delegation
 * protocol, Mobile IPv6): big-endian fields read and written byte by byte
 * (no alignment assumed), IPv4 addresses copied as they are stored
 * (network byte order in memory), and the readable reason a parser writes
 * into its caller's error buffer. Header only, no DPDK.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/** Read a big-endian 16-bit field. */
static inline uint16_t
haven_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/** Read a big-endian 32-bit field. */
static inline uint32_t
haven_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

/** Read a big-endian 64-bit field. */
static inline uint64_t
haven_get_be64(const uint8_t *p)
{
	return (uint64_t)haven_get_be32(p) << 32 | haven_get_be32(p + 4);
}

/** Write a big-endian 16-bit field. */
static inline void
haven_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/** Write a big-endian 32-bit field. */
static inline void
haven_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/** Write a big-endian 64-bit field. */
static inline void
haven_put_be64(uint8_t *p, uint64_t v)
{
	haven_put_be32(p, v >> 32);
	haven_put_be32(p + 4, (uint32_t)v);
}

/** Read an IPv4 address, kept in network byte order. */
static inline uint32_t
haven_get_addr4(const uint8_t *p)
{
	uint32_t a;

	memcpy(&a, p, sizeof(a));
	return a;
}

/** Write an IPv4 address held in network byte order. */
static inline void
haven_put_addr4(uint8_t *p, uint32_t addr_nbo)
{
	memcpy(p, &addr_nbo, sizeof(addr_nbo));
}

/** Write a reason into err when the caller gave a buffer. */
static inline void
__attribute__((format(printf, 3, 4)))
haven_set_reason(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#endif /* HAVEN_WIRE_H */
