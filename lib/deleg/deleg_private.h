/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the three parts of lib/deleg share and nobody else sees: the body
 * sizes of the wire format, the receive path every datagram goes through
 * before a state machine sees it (sender, authentication, addressing,
 * replay), the send path that stamps a fresh sequence number on every
 * transmission, and a log helper that costs nothing without a callback.
 */
#ifndef DELEG_PRIVATE_H
#define DELEG_PRIVATE_H

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "haven_deleg.h"

/* Body sizes (docs/delegation-protocol.md, section "Messages"). */
#define START_FIXED_LEN		20	/* then 4 bytes per care-of address */
#define ACK_LEN			20
#define STOP_LEN		12
#define REPORT_FIXED_LEN	40	/* then REPORT_ENTRY_LEN per entry */
#define REPORT_ENTRY_LEN	24
/* The same of Family 6 (section "IPv6"): every address is 16 octets. */
#define START6_FIXED_LEN	44	/* then 16 bytes per care-of address */
#define ACK6_LEN		32
#define STOP6_LEN		24
#define REPORT_ENTRY6_LEN	36	/* REPORT's fixed part is 40 as well */
/* The scale extension (section 11): fixed parts and record headers. */
#define BATCH_FIXED_LEN		4	/* N Records, Reserved */
#define RECORD_HDR_LEN		8	/* Kind, Family, Length, Transaction */
#define BATCH_ACK_FIXED_LEN	12	/* Load, Capacity, N, Reserved */
#define ACK_RECORD_HDR_LEN	12	/* then the home address */
#define HEARTBEAT_LEN		44
#define COUNTERS_FIXED_LEN	4	/* then REPORT_ENTRY*_LEN per entry */
#define SYNC_LEN		4
#define INVENTORY_FIXED_LEN	20	/* then address + 4 per entry */
/* Largest body of a message. */
#define BODY_MAX	(HAVEN_DELEG_MAX_MSG - HAVEN_DELEG_HDR_LEN - \
			 HAVEN_DELEG_MAC_LEN)

/* Largest encap value of IPv4 besides UDP: 0 IP-in-IP, 1 minimal, 2 GRE. */
#define ENCAP_MAX		2
/* Encap 4 (section 2.3.1): its block, then one NAT pair per CoA. */
#define UDP_FIXED_LEN		4	/* Source Port, Next Header, Reserved */
#define UDP_NAT_LEN		8	/* NAT Address, NAT Port, Reserved */

/* Longest address text, IPv6 included, with its NUL (INET6_ADDRSTRLEN). */
#define DELEG_ADDR_STRLEN	HAVEN_ADDR_STRLEN
/* Largest stop reason on the wire. */
#define STOP_REASON_MAX		HAVEN_DELEG_STOP_TAKEBACK
/* Largest status on the wire; 128 and up are local outcomes. */
#define STATUS_WIRE_MAX		HAVEN_DELEG_NOT_PRIMARY

/* Bit of a message type in a mask of the types a context accepts. */
#define TYPE_BIT(t)		(1u << (t))

/* Counters of a context for datagrams no peer can be blamed for. */
struct deleg_rx_counters {
	uint64_t *malformed;
	uint64_t *unknown_sender;
};

/*
 * The receive path, in order: header sane and sender id configured, HMAC
 * with that peer's key, body well formed, receiver id is us and the source
 * address is the peer's, a type this context handles, sequence number not
 * replayed. Only then is the peer marked heard. On success *peerp and msg
 * are set and 0 is returned; otherwise a negative errno and nothing but
 * counters changed.
 */
int deleg_receive(struct haven_deleg_peer *peers, unsigned int n_peers,
		uint32_t self_id, uint32_t type_mask,
		const struct deleg_rx_counters *counters, uint32_t src,
		const uint8_t *buf, size_t len, uint64_t now_ms,
		struct haven_deleg_msg *msg, struct haven_deleg_peer **peerp);

/* Stamp ids and a fresh sequence number on msg, encode, hand to send. */
int deleg_send(uint32_t self_id, struct haven_deleg_peer *peer,
		struct haven_deleg_msg *msg,
		void (*send)(void *, const struct haven_deleg_peer *,
			const uint8_t *, size_t), void *ctx);

/* 0 if a Start Forwarding of bi would encode, -1 otherwise. */
int deleg_check_binding_info(const struct haven_deleg_binding_info *bi);

/* Octets a record takes in a BATCH (its 8-octet header included). */
size_t deleg_record_len(const struct haven_deleg_record *r);

/* Octets an ack record of this home address takes in a BATCH_ACK. */
size_t deleg_ack_record_len(const struct haven_addr *home_addr);

/* Serial number comparison (RFC 1982) of 32-bit generations: a after b. */
static inline bool
deleg_gen_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/*
 * A binding is named by (family, home address) at both ends: an IPv4 key
 * never equals an IPv6 one (haven_addr_eq compares the family first).
 */
static inline bool
deleg_is6(const struct haven_addr *a)
{
	return a->family == HAVEN_AF_INET6;
}

/* printf into a line and hand it to log when there is one. */
void deleg_log(void (*log)(void *, const char *), void *ctx,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* DELEG_PRIVATE_H */
