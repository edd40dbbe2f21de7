/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the record codec and the LMDB glue of lib/store share and nobody
 * else sees: the offsets and fixed lengths of the record values
 * (docs/ha-sync-protocol.md section 5), and the flag of the deleg record.
 */
#ifndef STORE_PRIVATE_H
#define STORE_PRIVATE_H

#include <stdint.h>

#include "haven_store.h"

/* Longest store directory path, with its NUL. */
#define STORE_PATH_MAX		256

/* Keys: kind, then the family and the address, or the id. */
#define KEY_META_LEN		1
#define KEY_ADDR_HDR		2	/* kind, family */
#define KEY_DELEG_LEN		5	/* kind, id */

/* BINDING value: fixed part, then the NAT address, then the CoAs. */
#define BIND_OFF_VERSION	0
#define BIND_OFF_FLAGS		1
#define BIND_OFF_ENCAP		2
#define BIND_OFF_NCOA		3
#define BIND_OFF_SECONDARY	4
#define BIND_OFF_GENERATION	8
#define BIND_OFF_REGISTERED	12
#define BIND_OFF_NAT_PORT	20
#define BIND_OFF_NAT_FAMILY	22
#define BIND_FIXED_LEN		23	/* then the NAT address (0, 4, 16) */
#define COA_FIXED_LEN		13	/* family, lifetime, expiry; + addr */

/* REPLAY value: 32 octets. */
#define REPLAY_OFF_FLAGS	1
#define REPLAY_OFF_SEQ6		2
#define REPLAY_OFF_RESERVED	4
#define REPLAY_OFF_ID4		8
#define REPLAY_OFF_TS6		16
#define REPLAY_OFF_UPDATED	24
#define REPLAY_LEN		32

/* DELEG value: fixed part, then the address, then the name. */
#define DELEG_OFF_FLAGS		1
#define DELEG_OFF_NAME_LEN	2
#define DELEG_OFF_FAMILY	3
#define DELEG_OFF_GENERATION	4
#define DELEG_OFF_BOOT_ID	8
#define DELEG_OFF_LAST_SEQ	12
#define DELEG_FIXED_LEN		20
#define DELEG_F_BOOT_KNOWN	0x01

/* META value: fixed part, then the identity text. */
#define META_OFF_RESERVED	1
#define META_OFF_FORMAT		2
#define META_OFF_MAGIC		4
#define META_OFF_AGENT_ID	12
#define META_OFF_CREATED	16
#define META_OFF_IDENT_LEN	24
#define META_FIXED_LEN		25
#define MAGIC_LEN		8

#endif /* STORE_PRIVATE_H */
