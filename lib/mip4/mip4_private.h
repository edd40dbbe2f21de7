/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_MIP4_PRIVATE_H
#define HAVEN_MIP4_PRIVATE_H

/*
 * What the registration codec (mip4.c) and the RFC 3519 extensions
 * (mip4_udp.c) share inside lib/mip4: the extension header's size and the
 * encoders and decoders of the UDP tunnel extensions' bodies.
 */

#include <stddef.h>
#include <stdint.h>

#include "haven_mip4.h"

#define MIP4_EXT_HDR_LEN 2	/* Type and 8-bit Length */
/* A UDP tunnel extension on the wire: Type, Length and a 6-octet body. */
#define MIP4_UDP_EXT_SIZE (MIP4_EXT_HDR_LEN + HAVEN_MIP4_UDP_EXT_LEN)

/*
 * Decode the body of a UDP Tunnel Request extension at off (its Type
 * byte) into req. 0, or -1 with a reason in err when it is poorly formed.
 */
int mip4_udp_req_decode(const uint8_t *buf, size_t off, size_t body_len,
		struct haven_mip4_udp_req *req, char *err, size_t errlen);

/* The same for a UDP Tunnel Reply extension. */
int mip4_udp_rep_decode(const uint8_t *buf, size_t off, size_t body_len,
		struct haven_mip4_udp_rep *rep, char *err, size_t errlen);

/*
 * Write a UDP Tunnel Reply extension (MIP4_UDP_EXT_SIZE octets) at p.
 * -1 for a reply code this codec does not send (0 and 64 only).
 */
int mip4_udp_rep_encode(uint8_t *p, const struct haven_mip4_udp_rep *rep);

#endif /* HAVEN_MIP4_PRIVATE_H */
