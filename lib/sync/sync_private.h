/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the codec and the state machines of lib/sync share and nobody
 * else sees: body sizes and offsets of docs/ha-sync-protocol.md section 3,
 * the key comparison the bulk ranges use, and the log helper.
 */
#ifndef SYNC_PRIVATE_H
#define SYNC_PRIVATE_H

#include <stdint.h>
#include <string.h>

#include "haven_sync.h"

/* Body lengths (section 3). */
#define HELLO_LEN		16
#define SESSION_LEN		24
#define RECORDS_FIXED_LEN	16	/* then Lo, Hi, operations */
#define ACK_LEN			12
#define HEARTBEAT_LEN		24
#define BYE_LEN			4
#define OP_HDR_LEN		4	/* code, key length, value length */

/* The largest reason and type on the wire. */
#define REASON_WIRE_MAX		HAVEN_SYNC_R_NEW_SESSION
#define TYPE_MAX		HAVEN_SYNC_BYE

/*
 * Keys compare as LMDB's default order: octet by octet, a prefix before
 * the longer key. <0, 0, >0.
 */
static inline int
sync_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n > 0 ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

#endif /* SYNC_PRIVATE_H */
