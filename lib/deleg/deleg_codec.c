/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire format of the delegation protocol: encoding and decoding of
 * every message in both families (IPv4 and IPv6 bindings), the five of
 * version 1 and the six of the scale extension (BATCH, BATCH_ACK,
 * HEARTBEAT, COUNTERS, SYNC, INVENTORY), the HMAC-SHA256 trailer that
 * authenticates them, the reconciliation digest, the sliding window that
 * refuses a sequence number twice, and the receive and send paths both
 * state machines use.
 *
 * docs/delegation-protocol.md is the specification; section numbers of
 * that document appear in the comments. The decoder verifies the HMAC
 * before it looks at anything else, so a datagram with a single flipped
 * bit is an authentication failure (-EACCES) wherever the bit is, and only
 * a well-authenticated datagram is parsed field by field (-EBADMSG with a
 * reason). A START or STOP body is the same octets whether it is a message
 * of its own or a record of a BATCH, and one pair of functions writes and
 * reads it. Nothing here allocates or keeps state outside its arguments.
 */

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "haven_deleg.h"
#include "haven_wire.h"
#include "deleg_private.h"

/*
 * Addresses travel as they are stored (network byte order in memory);
 * every other multi-byte field is big-endian on the wire and host order
 * in struct haven_deleg_msg (helpers in haven_wire.h).
 */

void
deleg_log(void (*log)(void *, const char *), void *ctx, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log(ctx, line);
}

/* ------------------------------------------------------------------ */
/* Names                                                              */
/* ------------------------------------------------------------------ */

const char *
haven_deleg_state_name(enum haven_deleg_state s)
{
	switch (s) {
	case HAVEN_DELEG_S_LOCAL:	return "local";
	case HAVEN_DELEG_S_STARTING:	return "starting";
	case HAVEN_DELEG_S_DELEGATED:	return "delegated";
	case HAVEN_DELEG_S_UPDATING:	return "updating";
	case HAVEN_DELEG_S_STOPPING:	return "stopping";
	case HAVEN_DELEG_S_MOVING:	return "moving";
	}
	return "?";
}

const char *
haven_deleg_status_name(uint8_t status)
{
	switch (status) {
	case HAVEN_DELEG_OK:		return "OK";
	case HAVEN_DELEG_OVER_CAPACITY:	return "OVER_CAPACITY";
	case HAVEN_DELEG_STALE:		return "STALE";
	case HAVEN_DELEG_BAD_REQUEST:	return "BAD_REQUEST";
	case HAVEN_DELEG_NOT_PRIMARY:	return "NOT_PRIMARY";
	case HAVEN_DELEG_NO_ANSWER:	return "NO_ANSWER";
	case HAVEN_DELEG_PEER_LOST:	return "PEER_LOST";
	case HAVEN_DELEG_CANCELLED:	return "CANCELLED";
	case HAVEN_DELEG_LOST:		return "LOST";
	}
	return "?";
}

const char *
haven_deleg_type_name(uint8_t type)
{
	switch (type) {
	case HAVEN_DELEG_START:		return "START";
	case HAVEN_DELEG_START_ACK:	return "START_ACK";
	case HAVEN_DELEG_STOP:		return "STOP";
	case HAVEN_DELEG_STOP_ACK:	return "STOP_ACK";
	case HAVEN_DELEG_REPORT:	return "REPORT";
	case HAVEN_DELEG_BATCH:		return "BATCH";
	case HAVEN_DELEG_BATCH_ACK:	return "BATCH_ACK";
	case HAVEN_DELEG_HEARTBEAT:	return "HEARTBEAT";
	case HAVEN_DELEG_COUNTERS:	return "COUNTERS";
	case HAVEN_DELEG_SYNC:		return "SYNC";
	case HAVEN_DELEG_INVENTORY:	return "INVENTORY";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* Field checks shared by encoder and decoder                         */
/* ------------------------------------------------------------------ */

/* The Family numbers of addresses: 4 IPv4, 6 IPv6. */
static bool
family_ok(uint8_t family)
{
	return family == HAVEN_DELEG_FAMILY_IPV4 ||
		family == HAVEN_DELEG_FAMILY_IPV6;
}

/*
 * Section 2.1 and 11.1: the header Family a type takes. The messages of
 * one binding family say it in the header (4 or 6); the others carry
 * records that say their own, or no address at all (0).
 */
static bool
type_has_family(uint8_t type)
{
	switch (type) {
	case HAVEN_DELEG_BATCH:
	case HAVEN_DELEG_BATCH_ACK:
	case HAVEN_DELEG_HEARTBEAT:
	case HAVEN_DELEG_SYNC:
		return false;
	}
	return true;
}

/* Octets of an address of this family on the wire. */
static size_t
addr_len(bool is6)
{
	return is6 ? HAVEN_DELEG_ADDR6_LEN : 4;
}

/*
 * Section "IPv6": why an IPv6 address cannot name a binding's end (the
 * unspecified address, a multicast address), or NULL if it can.
 */
static const char *
addr6_unusable(const uint8_t a[HAVEN_DELEG_ADDR6_LEN])
{
	static const uint8_t unspecified[HAVEN_DELEG_ADDR6_LEN];

	if (memcmp(a, unspecified, sizeof(unspecified)) == 0)
		return "::";
	if (a[0] == 0xff)
		return "multicast";
	return NULL;
}

/*
 * Why an address of the message's family cannot name a binding's end, or
 * NULL if it can: of another family, 0.0.0.0, or (IPv6) the unspecified
 * or a multicast address.
 */
static const char *
addr_unusable(const struct haven_addr *a, bool is6)
{
	if (a->family != (is6 ? HAVEN_AF_INET6 : HAVEN_AF_INET))
		return "of another family";
	if (!is6)
		return a->v4 == 0 ? "0.0.0.0" : NULL;
	return addr6_unusable(a->v6);
}

/* A home address that cannot be one: reason into err, -1. */
static int
check_hoa(const struct haven_addr *h, bool is6, const char *what, char *err,
		size_t errlen)
{
	const char *bad = addr_unusable(h, is6);

	if (bad == NULL)
		return 0;
	haven_set_reason(err, errlen, "%shome address %s", what, bad);
	return -1;
}

/*
 * Section 2.3.1: the UDP tunnel of encap 4 (RFC 3519): a source port,
 * what the tunnel carries, and for each care-of address the public
 * address and port of the NAT in front of it.
 */
static int
check_udp(const struct haven_deleg_binding_info *bi, char *err,
		size_t errlen)
{
	const char *bad;
	unsigned int i;

	if (bi->udp_src_port == 0) {
		haven_set_reason(err, errlen, "UDP source port 0");
		return -1;
	}
	if (bi->udp_next_header != HAVEN_DELEG_UDP_NH_IP &&
	    bi->udp_next_header != HAVEN_DELEG_UDP_NH_GRE &&
	    bi->udp_next_header != HAVEN_DELEG_UDP_NH_MINIMAL) {
		haven_set_reason(err, errlen,
			"UDP next header %u, not 4, 47 or 55",
			bi->udp_next_header);
		return -1;
	}
	for (i = 0; i < bi->n_coa; i++) {
		if ((bad = addr_unusable(&bi->nat_addr[i], false)) != NULL) {
			haven_set_reason(err, errlen, "NAT address %u is %s", i,
				bad);
			return -1;
		}
		if (bi->nat_port[i] == 0) {
			haven_set_reason(err, errlen, "NAT port %u is 0", i);
			return -1;
		}
	}
	return 0;
}

/*
 * Section 2.3: what makes a binding sendable. The encoder refuses
 * (-EINVAL) exactly what the decoder refuses (-EBADMSG).
 */
static int
check_binding_info(const struct haven_deleg_binding_info *bi, char *err,
		size_t errlen)
{
	bool is6 = deleg_is6(&bi->home_addr);
	const char *bad;
	unsigned int i;

	if (!family_ok(bi->home_addr.family)) {
		haven_set_reason(err, errlen, "family %u",
			bi->home_addr.family);
		return -1;
	}
	if (bi->n_coa < 1 || bi->n_coa > HAVEN_DELEG_MAX_COA) {
		haven_set_reason(err, errlen, "n_coa %u not in 1..%u", bi->n_coa,
			HAVEN_DELEG_MAX_COA);
		return -1;
	}
	if (!is6 && bi->encap > ENCAP_MAX &&
	    bi->encap != HAVEN_DELEG_ENCAP_UDP) {
		haven_set_reason(err, errlen, "encap %u not in 0..%u or %u",
			bi->encap, ENCAP_MAX, HAVEN_DELEG_ENCAP_UDP);
		return -1;
	}
	if (is6 && bi->encap != HAVEN_DELEG_ENCAP_IP6IP6) {
		haven_set_reason(err, errlen,
			"encap %u of an IPv6 binding, not %u (IPv6 in IPv6)",
			bi->encap, HAVEN_DELEG_ENCAP_IP6IP6);
		return -1;
	}
	if (bi->flags & ~HAVEN_DELEG_F_REVERSE_TUNNEL) {
		haven_set_reason(err, errlen, "unknown flags 0x%02x", bi->flags);
		return -1;
	}
	if (check_hoa(&bi->home_addr, is6, "", err, errlen) < 0)
		return -1;
	if ((bad = addr_unusable(&bi->outer_src, is6)) != NULL) {
		haven_set_reason(err, errlen, "outer source %s", bad);
		return -1;
	}
	if (bi->duration_s == 0) {
		haven_set_reason(err, errlen, "duration 0 (send STOP instead)");
		return -1;
	}
	for (i = 0; i < bi->n_coa; i++) {
		if ((bad = addr_unusable(&bi->coa[i], is6)) != NULL) {
			haven_set_reason(err, errlen, "care-of address %u is %s",
				i, bad);
			return -1;
		}
	}
	if (bi->encap == HAVEN_DELEG_ENCAP_UDP)
		return check_udp(bi, err, errlen);
	return 0;
}

int
deleg_check_binding_info(const struct haven_deleg_binding_info *bi)
{
	return check_binding_info(bi, NULL, 0);
}

/* Section 2.6: part/parts/entries consistent. */
static int
check_report(bool is6, uint32_t interval_ms, uint16_t part, uint16_t parts,
		uint16_t n_entries, char *err, size_t errlen)
{
	unsigned int max = is6 ? HAVEN_DELEG_REPORT_MAX_ENTRIES6 :
		HAVEN_DELEG_REPORT_MAX_ENTRIES;

	if (interval_ms == 0) {
		haven_set_reason(err, errlen, "report interval 0");
		return -1;
	}
	if (parts == 0 || part >= parts) {
		haven_set_reason(err, errlen, "part %u of %u", part, parts);
		return -1;
	}
	if (n_entries > max) {
		haven_set_reason(err, errlen, "%u entries, at most %u", n_entries,
			max);
		return -1;
	}
	return 0;
}

/* Section 2.5: a STOP's reason and home address. */
static int
check_stop(const struct haven_addr *h, uint8_t reason, bool is6, char *err,
		size_t errlen)
{
	if (reason > STOP_REASON_MAX) {
		haven_set_reason(err, errlen, "unknown stop reason %u", reason);
		return -1;
	}
	return check_hoa(h, is6, "", err, errlen);
}

/*
 * Section 11.2: a BATCH record. Its family is its own (START: the home
 * address's; STOP: the home address's too), and its transaction is not 0.
 */
static int
check_record(const struct haven_deleg_record *r, unsigned int i, char *err,
		size_t errlen)
{
	char what[48];

	if (r->txn == 0) {
		haven_set_reason(err, errlen, "record %u: transaction 0", i);
		return -1;
	}
	if (r->kind == HAVEN_DELEG_START) {
		if (check_binding_info(&r->start, what, sizeof(what)) == 0)
			return 0;
	} else if (r->kind == HAVEN_DELEG_STOP) {
		if (family_ok(r->stop.home_addr.family) &&
				check_stop(&r->stop.home_addr, r->stop.reason,
					deleg_is6(&r->stop.home_addr), what,
					sizeof(what)) == 0)
			return 0;
		if (!family_ok(r->stop.home_addr.family))
			snprintf(what, sizeof(what), "family %u",
				r->stop.home_addr.family);
	} else {
		snprintf(what, sizeof(what), "kind %u", r->kind);
	}
	haven_set_reason(err, errlen, "record %u: %s", i, what);
	return -1;
}

/* Section 11.3: a BATCH_ACK record. */
static int
check_ack_record(const struct haven_deleg_ack_record *r, unsigned int i,
		char *err, size_t errlen)
{
	char what[32];

	if (r->kind != HAVEN_DELEG_START_ACK && r->kind != HAVEN_DELEG_STOP_ACK) {
		haven_set_reason(err, errlen, "ack record %u: kind %u", i,
			r->kind);
		return -1;
	}
	if (r->status > STATUS_WIRE_MAX) {
		haven_set_reason(err, errlen, "ack record %u: unknown status %u",
			i, r->status);
		return -1;
	}
	if (r->txn == 0) {
		haven_set_reason(err, errlen, "ack record %u: transaction 0", i);
		return -1;
	}
	if (!family_ok(r->home_addr.family)) {
		haven_set_reason(err, errlen, "ack record %u: family %u", i,
			r->home_addr.family);
		return -1;
	}
	snprintf(what, sizeof(what), "ack record %u: ", i);
	return check_hoa(&r->home_addr, deleg_is6(&r->home_addr), what, err,
		errlen);
}

/* ------------------------------------------------------------------ */
/* Lengths                                                            */
/* ------------------------------------------------------------------ */

/*
 * Body layout. Family 6 widens every address field from 4 to 16 octets
 * and moves what follows it; nothing else changes. With a = 4 or 16:
 *   START     hoa 0, outer a, generation 2a, duration 2a+4, encap 2a+8,
 *             flags 2a+9, n_coa 2a+10, reserved 2a+11, CoAs from 2a+12
 *   ACKs      hoa 0, generation a, status a+4, reserved a+5..a+7,
 *             load a+8, capacity a+12; length a+16
 *   STOP      hoa 0, generation a, reason a+4, reserved; length a+8
 *   entry     hoa 0, generation a, packets a+4, bytes a+12; length a+20
 *   inventory hoa 0, generation a; length a+4
 * With a = 4 these are the offsets of the IPv4-only version exactly.
 */
static size_t
start_fixed_len(bool is6)
{
	return is6 ? START6_FIXED_LEN : START_FIXED_LEN;
}

static size_t
start_len(const struct haven_deleg_binding_info *bi, bool is6)
{
	size_t len = start_fixed_len(is6) + addr_len(is6) * bi->n_coa;

	if (bi->encap == HAVEN_DELEG_ENCAP_UDP)
		len += UDP_FIXED_LEN + UDP_NAT_LEN * bi->n_coa;
	return len;
}

static size_t
ack_len(bool is6)
{
	return is6 ? ACK6_LEN : ACK_LEN;
}

static size_t
stop_len(bool is6)
{
	return is6 ? STOP6_LEN : STOP_LEN;
}

static size_t
entry_len(bool is6)
{
	return is6 ? REPORT_ENTRY6_LEN : REPORT_ENTRY_LEN;
}

static size_t
inventory_entry_len(bool is6)
{
	return addr_len(is6) + 4;
}

/* Section 11.3: an ack record of this family. */
static size_t
ack_record_len(bool is6)
{
	return ACK_RECORD_HDR_LEN + addr_len(is6);
}

size_t
deleg_record_len(const struct haven_deleg_record *r)
{
	if (r->kind == HAVEN_DELEG_START)
		return RECORD_HDR_LEN + start_len(&r->start,
			deleg_is6(&r->start.home_addr));
	return RECORD_HDR_LEN + stop_len(deleg_is6(&r->stop.home_addr));
}

size_t
deleg_ack_record_len(const struct haven_addr *home_addr)
{
	return ack_record_len(deleg_is6(home_addr));
}

/* Body length a message of this type and content must have; 0: bad type. */
static size_t
body_len(const struct haven_deleg_msg *msg, bool is6)
{
	size_t n = 0;
	unsigned int i;

	switch (msg->type) {
	case HAVEN_DELEG_START:
		return start_len(&msg->u.start, is6);
	case HAVEN_DELEG_START_ACK:
	case HAVEN_DELEG_STOP_ACK:
		return ack_len(is6);
	case HAVEN_DELEG_STOP:
		return stop_len(is6);
	case HAVEN_DELEG_REPORT:
		return REPORT_FIXED_LEN +
			entry_len(is6) * msg->u.report.n_entries;
	case HAVEN_DELEG_BATCH:
		for (i = 0; i < msg->u.batch.n; i++)
			n += deleg_record_len(&msg->u.batch.rec[i]);
		return BATCH_FIXED_LEN + n;
	case HAVEN_DELEG_BATCH_ACK:
		for (i = 0; i < msg->u.batch_ack.n; i++)
			n += deleg_ack_record_len(
				&msg->u.batch_ack.rec[i].home_addr);
		return BATCH_ACK_FIXED_LEN + n;
	case HAVEN_DELEG_HEARTBEAT:
		return HEARTBEAT_LEN;
	case HAVEN_DELEG_COUNTERS:
		return COUNTERS_FIXED_LEN +
			entry_len(is6) * msg->u.counters.n_entries;
	case HAVEN_DELEG_SYNC:
		return SYNC_LEN;
	case HAVEN_DELEG_INVENTORY:
		return INVENTORY_FIXED_LEN + inventory_entry_len(is6) *
			msg->u.inventory.n_entries;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Digest (section 11.6)                                              */
/* ------------------------------------------------------------------ */

uint64_t
haven_deleg_digest(const struct haven_addr *home_addr, uint32_t generation)
{
	uint8_t in[1 + HAVEN_DELEG_ADDR6_LEN + 4], md[EVP_MAX_MD_SIZE];
	bool is6 = deleg_is6(home_addr);
	size_t a = addr_len(is6);
	unsigned int md_len = 0;

	in[0] = is6 ? HAVEN_DELEG_FAMILY_IPV6 : HAVEN_DELEG_FAMILY_IPV4;
	memcpy(in + 1, home_addr->bytes, a);
	haven_put_be32(in + 1 + a, generation);
	if (EVP_Digest(in, 1 + a + 4, md, &md_len, EVP_sha256(), NULL) != 1 ||
			md_len < 8)
		return 0;
	return haven_get_be64(md);
}

/* ------------------------------------------------------------------ */
/* Encoder                                                            */
/* ------------------------------------------------------------------ */

static int
hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data,
		size_t len, uint8_t out[HAVEN_DELEG_MAC_LEN])
{
	unsigned int out_len = 0;

	if (HMAC(EVP_sha256(), key, (int)key_len, data, len, out,
			&out_len) == NULL || out_len != HAVEN_DELEG_MAC_LEN)
		return -1;
	return 0;
}

/*
 * An address field: its octets as on the wire (4 or 16, the message's
 * family, which the encoder checked the address has).
 */
static void
put_addr(uint8_t *p, const struct haven_addr *addr, bool is6)
{
	memcpy(p, addr->bytes, addr_len(is6));
}

static void
get_addr(const uint8_t *p, bool is6, struct haven_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->family = is6 ? HAVEN_AF_INET6 : HAVEN_AF_INET;
	memcpy(addr->bytes, p, addr_len(is6));
}

/* Section 2.3 / 9.3: a START body; returns its length. */
static size_t
put_start(uint8_t *p, const struct haven_deleg_binding_info *bi, bool is6)
{
	size_t a = addr_len(is6);
	uint8_t *q = p + 2 * a;
	unsigned int i;

	put_addr(p, &bi->home_addr, is6);
	put_addr(p + a, &bi->outer_src, is6);
	haven_put_be32(q, bi->generation);
	haven_put_be32(q + 4, bi->duration_s);
	q[8] = bi->encap;
	q[9] = bi->flags;
	q[10] = bi->n_coa;
	q[11] = 0;
	for (i = 0; i < bi->n_coa; i++)
		put_addr(q + 12 + a * i, &bi->coa[i], is6);
	if (bi->encap == HAVEN_DELEG_ENCAP_UDP) {
		q += 12 + a * bi->n_coa;
		haven_put_be16(q, bi->udp_src_port);
		q[2] = bi->udp_next_header;
		q[3] = 0;
		q += UDP_FIXED_LEN;
		for (i = 0; i < bi->n_coa; i++, q += UDP_NAT_LEN) {
			haven_put_addr4(q, bi->nat_addr[i].v4);
			haven_put_be16(q + 4, bi->nat_port[i]);
			haven_put_be16(q + 6, 0);
		}
	}
	return start_len(bi, is6);
}

/* Section 2.5 / 9.4: a STOP body; returns its length. */
static size_t
put_stop(uint8_t *p, const struct haven_addr *h, uint32_t generation,
		uint8_t reason, bool is6)
{
	size_t a = addr_len(is6);

	put_addr(p, h, is6);
	haven_put_be32(p + a, generation);
	p[a + 4] = reason;
	p[a + 5] = p[a + 6] = p[a + 7] = 0;
	return stop_len(is6);
}

/* A report or counters entry (2.6, 9.5); returns its length. */
static size_t
put_entry(uint8_t *p, const struct haven_deleg_report_entry *e, bool is6)
{
	size_t a = addr_len(is6);

	put_addr(p, &e->home_addr, is6);
	haven_put_be32(p + a, e->generation);
	haven_put_be64(p + a + 4, e->packets);
	haven_put_be64(p + a + 12, e->bytes);
	return entry_len(is6);
}

static void
encode_body(const struct haven_deleg_msg *msg, bool is6, uint8_t *p)
{
	size_t a = addr_len(is6);
	unsigned int i;

	switch (msg->type) {
	case HAVEN_DELEG_START:
		put_start(p, &msg->u.start, is6);
		break;
	case HAVEN_DELEG_START_ACK:
	case HAVEN_DELEG_STOP_ACK:
		put_addr(p, &msg->u.ack.home_addr, is6);
		p += a;
		haven_put_be32(p, msg->u.ack.generation);
		p[4] = msg->u.ack.status;
		p[5] = p[6] = p[7] = 0;
		haven_put_be32(p + 8, msg->u.ack.load);
		haven_put_be32(p + 12, msg->u.ack.capacity);
		break;
	case HAVEN_DELEG_STOP:
		put_stop(p, &msg->u.stop.home_addr, msg->u.stop.generation,
			msg->u.stop.reason, is6);
		break;
	case HAVEN_DELEG_REPORT:
		haven_put_be32(p, msg->u.report.interval_ms);
		haven_put_be32(p + 4, msg->u.report.load);
		haven_put_be32(p + 8, msg->u.report.capacity);
		haven_put_be32(p + 12, msg->u.report.boot_id);
		haven_put_be64(p + 16, msg->u.report.packets);
		haven_put_be64(p + 24, msg->u.report.bytes);
		haven_put_be16(p + 32, msg->u.report.part);
		haven_put_be16(p + 34, msg->u.report.parts);
		haven_put_be16(p + 36, msg->u.report.n_entries);
		haven_put_be16(p + 38, 0);
		p += REPORT_FIXED_LEN;
		for (i = 0; i < msg->u.report.n_entries; i++)
			p += put_entry(p, &msg->u.report.entries[i], is6);
		break;
	case HAVEN_DELEG_BATCH:
		haven_put_be16(p, msg->u.batch.n);
		haven_put_be16(p + 2, 0);
		p += BATCH_FIXED_LEN;
		for (i = 0; i < msg->u.batch.n; i++) {
			const struct haven_deleg_record *r =
				&msg->u.batch.rec[i];
			bool r6 = r->kind == HAVEN_DELEG_START ?
				deleg_is6(&r->start.home_addr) :
				deleg_is6(&r->stop.home_addr);
			size_t len = deleg_record_len(r);

			p[0] = r->kind;
			p[1] = r6 ? HAVEN_DELEG_FAMILY_IPV6 :
				HAVEN_DELEG_FAMILY_IPV4;
			haven_put_be16(p + 2, (uint16_t)len);
			haven_put_be32(p + 4, r->txn);
			if (r->kind == HAVEN_DELEG_START)
				put_start(p + RECORD_HDR_LEN, &r->start, r6);
			else
				put_stop(p + RECORD_HDR_LEN, &r->stop.home_addr,
					r->stop.generation, r->stop.reason, r6);
			p += len;
		}
		break;
	case HAVEN_DELEG_BATCH_ACK:
		haven_put_be32(p, msg->u.batch_ack.load);
		haven_put_be32(p + 4, msg->u.batch_ack.capacity);
		haven_put_be16(p + 8, msg->u.batch_ack.n);
		haven_put_be16(p + 10, 0);
		p += BATCH_ACK_FIXED_LEN;
		for (i = 0; i < msg->u.batch_ack.n; i++) {
			const struct haven_deleg_ack_record *r =
				&msg->u.batch_ack.rec[i];
			bool r6 = deleg_is6(&r->home_addr);

			p[0] = r->kind;
			p[1] = r6 ? HAVEN_DELEG_FAMILY_IPV6 :
				HAVEN_DELEG_FAMILY_IPV4;
			p[2] = r->status;
			p[3] = 0;
			haven_put_be32(p + 4, r->txn);
			haven_put_be32(p + 8, r->generation);
			put_addr(p + ACK_RECORD_HDR_LEN, &r->home_addr, r6);
			p += ack_record_len(r6);
		}
		break;
	case HAVEN_DELEG_HEARTBEAT:
		haven_put_be32(p, msg->u.heartbeat.interval_ms);
		haven_put_be32(p + 4, msg->u.heartbeat.load);
		haven_put_be32(p + 8, msg->u.heartbeat.capacity);
		haven_put_be32(p + 12, msg->u.heartbeat.boot_id);
		haven_put_be16(p + 16, msg->u.heartbeat.window);
		haven_put_be16(p + 18, msg->u.heartbeat.features);
		haven_put_be64(p + 20, msg->u.heartbeat.digest);
		haven_put_be64(p + 28, msg->u.heartbeat.packets);
		haven_put_be64(p + 36, msg->u.heartbeat.bytes);
		break;
	case HAVEN_DELEG_COUNTERS:
		haven_put_be16(p, msg->u.counters.n_entries);
		haven_put_be16(p + 2, 0);
		p += COUNTERS_FIXED_LEN;
		for (i = 0; i < msg->u.counters.n_entries; i++)
			p += put_entry(p, &msg->u.counters.entries[i], is6);
		break;
	case HAVEN_DELEG_SYNC:
		haven_put_be16(p, msg->u.sync.features);
		haven_put_be16(p + 2, 0);
		break;
	case HAVEN_DELEG_INVENTORY:
		haven_put_be32(p, msg->u.inventory.load);
		haven_put_be16(p + 4, msg->u.inventory.part);
		haven_put_be16(p + 6, msg->u.inventory.parts);
		haven_put_be16(p + 8, msg->u.inventory.n_entries);
		haven_put_be16(p + 10, 0);
		haven_put_be64(p + 12, msg->u.inventory.digest);
		p += INVENTORY_FIXED_LEN;
		for (i = 0; i < msg->u.inventory.n_entries; i++) {
			const struct haven_deleg_inventory_entry *e =
				&msg->u.inventory.entries[i];

			put_addr(p, &e->home_addr, is6);
			haven_put_be32(p + a, e->generation);
			p += inventory_entry_len(is6);
		}
		break;
	}
}

/*
 * The Family of a message whose caller left msg->family 0: that of the
 * first address of its body; IPv4 for a message without entries (an
 * address of no family gives 0, which the encoder refuses). Types whose
 * records say their own family have none.
 */
static uint8_t
body_family(const struct haven_deleg_msg *msg)
{
	switch (msg->type) {
	case HAVEN_DELEG_START:
		return msg->u.start.home_addr.family;
	case HAVEN_DELEG_START_ACK:
	case HAVEN_DELEG_STOP_ACK:
		return msg->u.ack.home_addr.family;
	case HAVEN_DELEG_STOP:
		return msg->u.stop.home_addr.family;
	case HAVEN_DELEG_REPORT:
		return msg->u.report.n_entries > 0 ?
			msg->u.report.entries[0].home_addr.family :
			HAVEN_DELEG_FAMILY_IPV4;
	case HAVEN_DELEG_COUNTERS:
		return msg->u.counters.n_entries > 0 ?
			msg->u.counters.entries[0].home_addr.family :
			HAVEN_DELEG_FAMILY_IPV4;
	case HAVEN_DELEG_INVENTORY:
		return msg->u.inventory.n_entries > 0 ?
			msg->u.inventory.entries[0].home_addr.family :
			HAVEN_DELEG_FAMILY_IPV4;
	}
	return HAVEN_DELEG_FAMILY_NONE;
}

/* Section 11: the new messages' rules, for the encoder. */
static int
check_ext_msg(const struct haven_deleg_msg *msg, bool is6)
{
	unsigned int i;

	switch (msg->type) {
	case HAVEN_DELEG_BATCH:
		if (msg->u.batch.n < 1 || msg->u.batch.n > HAVEN_DELEG_BATCH_MAX)
			return -1;
		for (i = 0; i < msg->u.batch.n; i++)
			if (check_record(&msg->u.batch.rec[i], i, NULL, 0) < 0)
				return -1;
		return 0;
	case HAVEN_DELEG_BATCH_ACK:
		if (msg->u.batch_ack.n < 1 ||
				msg->u.batch_ack.n > HAVEN_DELEG_BATCH_MAX)
			return -1;
		for (i = 0; i < msg->u.batch_ack.n; i++)
			if (check_ack_record(&msg->u.batch_ack.rec[i], i, NULL,
					0) < 0)
				return -1;
		return 0;
	case HAVEN_DELEG_HEARTBEAT:
		return msg->u.heartbeat.interval_ms == 0 ||
			msg->u.heartbeat.window == 0 ? -1 : 0;
	case HAVEN_DELEG_COUNTERS:
		if (msg->u.counters.n_entries < 1 ||
				msg->u.counters.n_entries > (is6 ?
					HAVEN_DELEG_COUNTERS_MAX6 :
					HAVEN_DELEG_COUNTERS_MAX))
			return -1;
		for (i = 0; i < msg->u.counters.n_entries; i++)
			if (check_hoa(&msg->u.counters.entries[i].home_addr,
					is6, "", NULL, 0) < 0)
				return -1;
		return 0;
	case HAVEN_DELEG_SYNC:
		return msg->txn == 0 ? -1 : 0;
	case HAVEN_DELEG_INVENTORY:
		if (msg->txn == 0 || msg->u.inventory.parts == 0 ||
				msg->u.inventory.part >= msg->u.inventory.parts ||
				msg->u.inventory.n_entries > (is6 ?
					HAVEN_DELEG_INVENTORY_MAX6 :
					HAVEN_DELEG_INVENTORY_MAX))
			return -1;
		for (i = 0; i < msg->u.inventory.n_entries; i++)
			if (check_hoa(&msg->u.inventory.entries[i].home_addr,
					is6, "", NULL, 0) < 0)
				return -1;
		return 0;
	}
	return -1;
}

int
haven_deleg_encode(const struct haven_deleg_msg *msg, const uint8_t *key,
		size_t key_len, uint8_t *buf, size_t buflen)
{
	uint8_t family;
	bool is6;
	size_t blen, total;
	unsigned int i;

	if (msg == NULL || buf == NULL || key == NULL || key_len == 0 ||
			key_len > HAVEN_DELEG_MAX_KEY)
		return -EINVAL;
	if (!type_has_family(msg->type)) {
		if (msg->family != HAVEN_DELEG_FAMILY_NONE)
			return -EINVAL;
		family = HAVEN_DELEG_FAMILY_NONE;
	} else {
		family = msg->family != 0 ? msg->family : body_family(msg);
		if (!family_ok(family))
			return -EINVAL;
	}
	is6 = haven_deleg_family_is_ipv6(family);
	switch (msg->type) {
	case HAVEN_DELEG_START:
		if (deleg_is6(&msg->u.start.home_addr) != is6 ||
				check_binding_info(&msg->u.start, NULL, 0) < 0)
			return -EINVAL;
		break;
	case HAVEN_DELEG_START_ACK:
	case HAVEN_DELEG_STOP_ACK:
		if (msg->u.ack.status > STATUS_WIRE_MAX ||
				check_hoa(&msg->u.ack.home_addr, is6, "", NULL,
					0) < 0)
			return -EINVAL;
		break;
	case HAVEN_DELEG_STOP:
		if (check_stop(&msg->u.stop.home_addr, msg->u.stop.reason, is6,
				NULL, 0) < 0)
			return -EINVAL;
		break;
	case HAVEN_DELEG_REPORT:
		if (check_report(is6, msg->u.report.interval_ms,
				msg->u.report.part, msg->u.report.parts,
				msg->u.report.n_entries, NULL, 0) < 0)
			return -EINVAL;
		for (i = 0; i < msg->u.report.n_entries; i++)
			if (check_hoa(&msg->u.report.entries[i].home_addr,
					is6, "", NULL, 0) < 0)
				return -EINVAL;
		break;
	case HAVEN_DELEG_BATCH:
	case HAVEN_DELEG_BATCH_ACK:
	case HAVEN_DELEG_HEARTBEAT:
	case HAVEN_DELEG_COUNTERS:
	case HAVEN_DELEG_SYNC:
	case HAVEN_DELEG_INVENTORY:
		if (check_ext_msg(msg, is6) < 0)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (msg->seq == 0)
		return -EINVAL;
	blen = body_len(msg, is6);
	total = HAVEN_DELEG_HDR_LEN + blen + HAVEN_DELEG_MAC_LEN;
	if (total > HAVEN_DELEG_MAX_MSG)
		return -EINVAL;
	if (total > buflen)
		return -ENOSPC;

	/* Section 2.1. */
	buf[0] = HAVEN_DELEG_VERSION;
	buf[1] = msg->type;
	haven_put_be16(buf + 2, (uint16_t)blen);
	haven_put_be32(buf + 4, msg->sender_id);
	haven_put_be32(buf + 8, msg->receiver_id);
	haven_put_be64(buf + 12, msg->seq);
	haven_put_be32(buf + 20, msg->txn);
	buf[24] = family;
	buf[25] = buf[26] = buf[27] = 0;
	encode_body(msg, is6, buf + HAVEN_DELEG_HDR_LEN);

	if (hmac_sha256(key, key_len, buf, HAVEN_DELEG_HDR_LEN + blen,
			buf + HAVEN_DELEG_HDR_LEN + blen) < 0)
		return -EINVAL;
	return (int)total;
}

/* ------------------------------------------------------------------ */
/* Decoder                                                            */
/* ------------------------------------------------------------------ */

int
haven_deleg_peek_sender(const uint8_t *buf, size_t len, uint32_t *sender)
{
	if (buf == NULL || sender == NULL ||
			len < HAVEN_DELEG_HDR_LEN + HAVEN_DELEG_MAC_LEN ||
			buf[0] != HAVEN_DELEG_VERSION)
		return -EINVAL;
	*sender = haven_get_be32(buf + 4);
	return 0;
}

int
haven_deleg_peek_type(const uint8_t *buf, size_t len)
{
	if (buf == NULL || len < HAVEN_DELEG_HDR_LEN + HAVEN_DELEG_MAC_LEN ||
			buf[0] != HAVEN_DELEG_VERSION)
		return -EINVAL;
	return buf[1];
}

/*
 * Section 2.3: a START body of exactly blen octets. what prefixes the
 * reasons ("" for a message, "record i: " for a batch record).
 */
static int
get_start(const uint8_t *p, size_t blen, bool is6,
		struct haven_deleg_binding_info *bi, const char *what,
		char *err, size_t errlen)
{
	size_t a = addr_len(is6), fixed = start_fixed_len(is6);
	const uint8_t *q = p + 2 * a;
	char why[96];
	unsigned int i;

	if (blen < fixed) {
		haven_set_reason(err, errlen, "%sSTART body %zu < %zu", what,
			blen, fixed);
		return -1;
	}
	memset(bi, 0, sizeof(*bi));
	get_addr(p, is6, &bi->home_addr);
	get_addr(p + a, is6, &bi->outer_src);
	bi->generation = haven_get_be32(q);
	bi->duration_s = haven_get_be32(q + 4);
	bi->encap = q[8];
	bi->flags = q[9];
	bi->n_coa = q[10];
	if (q[11] != 0) {
		haven_set_reason(err, errlen, "%sSTART reserved byte 0x%02x",
			what, q[11]);
		return -1;
	}
	if (bi->n_coa >= 1 && bi->n_coa <= HAVEN_DELEG_MAX_COA &&
	    bi->encap == HAVEN_DELEG_ENCAP_UDP && !is6) {
		/* Section 2.3.1: the UDP block follows the CoAs. */
		if (blen != start_len(bi, is6)) {
			haven_set_reason(err, errlen,
				"%sSTART body %zu != 24 + 12 x %u (UDP)", what,
				blen, bi->n_coa);
			return -1;
		}
		for (i = 0; i < bi->n_coa; i++)
			get_addr(q + 12 + a * i, is6, &bi->coa[i]);
		q += 12 + a * bi->n_coa;
		bi->udp_src_port = haven_get_be16(q);
		bi->udp_next_header = q[2];
		if (q[3] != 0) {
			haven_set_reason(err, errlen,
				"%sUDP reserved byte 0x%02x", what, q[3]);
			return -1;
		}
		q += UDP_FIXED_LEN;
		for (i = 0; i < bi->n_coa; i++, q += UDP_NAT_LEN) {
			get_addr(q, false, &bi->nat_addr[i]);
			bi->nat_port[i] = haven_get_be16(q + 4);
			if (haven_get_be16(q + 6) != 0) {
				haven_set_reason(err, errlen,
					"%sNAT %u reserved bytes not zero",
					what, i);
				return -1;
			}
		}
	} else if (bi->n_coa >= 1 && bi->n_coa <= HAVEN_DELEG_MAX_COA) {
		if (blen != fixed + a * bi->n_coa) {
			haven_set_reason(err, errlen,
				"%sSTART body %zu != %zu + %zu x %u care-of addresses",
				what, blen, fixed, a, bi->n_coa);
			return -1;
		}
		for (i = 0; i < bi->n_coa; i++)
			get_addr(q + 12 + a * i, is6, &bi->coa[i]);
	}
	if (check_binding_info(bi, why, sizeof(why)) < 0) {
		haven_set_reason(err, errlen, "%s%s", what, why);
		return -1;
	}
	return 0;
}

/* Section 2.5: a STOP body of exactly blen octets. */
static int
get_stop(const uint8_t *p, size_t blen, bool is6, struct haven_addr *h,
		uint32_t *generation, uint8_t *reason, const char *what,
		char *err, size_t errlen)
{
	size_t a = addr_len(is6);
	char why[64];

	if (blen != stop_len(is6)) {
		haven_set_reason(err, errlen, "%sSTOP body %zu != %zu", what,
			blen, stop_len(is6));
		return -1;
	}
	get_addr(p, is6, h);
	*generation = haven_get_be32(p + a);
	*reason = p[a + 4];
	if (p[a + 5] != 0 || p[a + 6] != 0 || p[a + 7] != 0) {
		haven_set_reason(err, errlen, "%sSTOP reserved bytes not zero",
			what);
		return -1;
	}
	if (check_stop(h, *reason, is6, why, sizeof(why)) < 0) {
		haven_set_reason(err, errlen, "%s%s", what, why);
		return -1;
	}
	return 0;
}

/* A report or counters entry; reason prefixed "report entry i: ". */
static int
get_entry(const uint8_t *p, bool is6, struct haven_deleg_report_entry *e,
		unsigned int i, char *err, size_t errlen)
{
	size_t a = addr_len(is6);
	char what[32];

	get_addr(p, is6, &e->home_addr);
	e->generation = haven_get_be32(p + a);
	e->packets = haven_get_be64(p + a + 4);
	e->bytes = haven_get_be64(p + a + 12);
	snprintf(what, sizeof(what), "report entry %u: ", i);
	return check_hoa(&e->home_addr, is6, what, err, errlen);
}

/* Section 11.2: the records of a BATCH, each of its own family. */
static int
decode_batch(struct haven_deleg_msg *msg, const uint8_t *p, size_t blen,
		char *err, size_t errlen)
{
	const uint8_t *end = p + blen;
	unsigned int i, n;

	if (blen < BATCH_FIXED_LEN) {
		haven_set_reason(err, errlen, "BATCH body %zu < %u", blen,
			BATCH_FIXED_LEN);
		return -EBADMSG;
	}
	n = haven_get_be16(p);
	if (haven_get_be16(p + 2) != 0) {
		haven_set_reason(err, errlen, "BATCH reserved bytes not zero");
		return -EBADMSG;
	}
	if (n < 1 || n > HAVEN_DELEG_BATCH_MAX) {
		haven_set_reason(err, errlen, "BATCH of %u records, not 1..%u",
			n, HAVEN_DELEG_BATCH_MAX);
		return -EBADMSG;
	}
	msg->u.batch.n = (uint16_t)n;
	p += BATCH_FIXED_LEN;
	for (i = 0; i < n; i++) {
		struct haven_deleg_record *r = &msg->u.batch.rec[i];
		char what[24];
		size_t len;
		bool r6;

		snprintf(what, sizeof(what), "record %u: ", i);
		if ((size_t)(end - p) < RECORD_HDR_LEN) {
			haven_set_reason(err, errlen, "%struncated", what);
			return -EBADMSG;
		}
		r->kind = p[0];
		r->txn = haven_get_be32(p + 4);
		len = haven_get_be16(p + 2);
		if (p[1] != HAVEN_DELEG_FAMILY_IPV4 &&
				p[1] != HAVEN_DELEG_FAMILY_IPV6) {
			haven_set_reason(err, errlen, "%sfamily %u", what, p[1]);
			return -EBADMSG;
		}
		r6 = p[1] == HAVEN_DELEG_FAMILY_IPV6;
		if (len < RECORD_HDR_LEN || len > (size_t)(end - p)) {
			haven_set_reason(err, errlen,
				"%slength %zu, %zu octets left", what, len,
				(size_t)(end - p));
			return -EBADMSG;
		}
		if (r->txn == 0) {
			haven_set_reason(err, errlen, "%stransaction 0", what);
			return -EBADMSG;
		}
		if (r->kind == HAVEN_DELEG_START) {
			if (get_start(p + RECORD_HDR_LEN, len - RECORD_HDR_LEN,
					r6, &r->start, what, err, errlen) < 0)
				return -EBADMSG;
		} else if (r->kind == HAVEN_DELEG_STOP) {
			if (get_stop(p + RECORD_HDR_LEN, len - RECORD_HDR_LEN,
					r6, &r->stop.home_addr,
					&r->stop.generation, &r->stop.reason,
					what, err, errlen) < 0)
				return -EBADMSG;
		} else {
			haven_set_reason(err, errlen, "%skind %u", what,
				r->kind);
			return -EBADMSG;
		}
		p += len;
	}
	if (p != end) {
		haven_set_reason(err, errlen, "BATCH: %zu octets after %u records",
			(size_t)(end - p), n);
		return -EBADMSG;
	}
	return 0;
}

/* Section 11.3: the records of a BATCH_ACK. */
static int
decode_batch_ack(struct haven_deleg_msg *msg, const uint8_t *p, size_t blen,
		char *err, size_t errlen)
{
	const uint8_t *end = p + blen;
	unsigned int i, n;

	if (blen < BATCH_ACK_FIXED_LEN) {
		haven_set_reason(err, errlen, "BATCH_ACK body %zu < %u", blen,
			BATCH_ACK_FIXED_LEN);
		return -EBADMSG;
	}
	msg->u.batch_ack.load = haven_get_be32(p);
	msg->u.batch_ack.capacity = haven_get_be32(p + 4);
	n = haven_get_be16(p + 8);
	if (haven_get_be16(p + 10) != 0) {
		haven_set_reason(err, errlen, "BATCH_ACK reserved bytes not zero");
		return -EBADMSG;
	}
	if (n < 1 || n > HAVEN_DELEG_BATCH_MAX) {
		haven_set_reason(err, errlen,
			"BATCH_ACK of %u records, not 1..%u", n,
			HAVEN_DELEG_BATCH_MAX);
		return -EBADMSG;
	}
	msg->u.batch_ack.n = (uint16_t)n;
	p += BATCH_ACK_FIXED_LEN;
	for (i = 0; i < n; i++) {
		struct haven_deleg_ack_record *r = &msg->u.batch_ack.rec[i];
		bool r6;

		if ((size_t)(end - p) < ACK_RECORD_HDR_LEN ||
				(p[1] != HAVEN_DELEG_FAMILY_IPV4 &&
				 p[1] != HAVEN_DELEG_FAMILY_IPV6) ||
				(size_t)(end - p) <
					ack_record_len(p[1] ==
						HAVEN_DELEG_FAMILY_IPV6)) {
			haven_set_reason(err, errlen,
				"ack record %u: truncated or family %u", i,
				(size_t)(end - p) >= 2 ? p[1] : 0);
			return -EBADMSG;
		}
		r6 = p[1] == HAVEN_DELEG_FAMILY_IPV6;
		r->kind = p[0];
		r->status = p[2];
		if (p[3] != 0) {
			haven_set_reason(err, errlen,
				"ack record %u: reserved byte not zero", i);
			return -EBADMSG;
		}
		r->txn = haven_get_be32(p + 4);
		r->generation = haven_get_be32(p + 8);
		get_addr(p + ACK_RECORD_HDR_LEN, r6, &r->home_addr);
		if (check_ack_record(r, i, err, errlen) < 0)
			return -EBADMSG;
		p += ack_record_len(r6);
	}
	if (p != end) {
		haven_set_reason(err, errlen,
			"BATCH_ACK: %zu octets after %u records",
			(size_t)(end - p), n);
		return -EBADMSG;
	}
	return 0;
}

/*
 * Parse a body of msg->type and msg->family; every length is checked
 * exactly against the type, the family and the counts.
 */
static int
decode_body(struct haven_deleg_msg *msg, const uint8_t *p, size_t blen,
		char *err, size_t errlen)
{
	bool is6 = haven_deleg_family_is_ipv6(msg->family);
	size_t a = addr_len(is6);
	const uint8_t *q;
	unsigned int i, max;

	switch (msg->type) {
	case HAVEN_DELEG_START:
		return get_start(p, blen, is6, &msg->u.start, "", err,
			errlen) < 0 ? -EBADMSG : 0;
	case HAVEN_DELEG_START_ACK:
	case HAVEN_DELEG_STOP_ACK:
		if (blen != ack_len(is6)) {
			haven_set_reason(err, errlen, "%s body %zu != %zu",
				haven_deleg_type_name(msg->type), blen,
				ack_len(is6));
			return -EBADMSG;
		}
		get_addr(p, is6, &msg->u.ack.home_addr);
		q = p + a;
		msg->u.ack.generation = haven_get_be32(q);
		msg->u.ack.status = q[4];
		if (q[5] != 0 || q[6] != 0 || q[7] != 0) {
			haven_set_reason(err, errlen, "ack reserved bytes not zero");
			return -EBADMSG;
		}
		msg->u.ack.load = haven_get_be32(q + 8);
		msg->u.ack.capacity = haven_get_be32(q + 12);
		if (msg->u.ack.status > STATUS_WIRE_MAX) {
			haven_set_reason(err, errlen, "unknown status %u",
				msg->u.ack.status);
			return -EBADMSG;
		}
		if (check_hoa(&msg->u.ack.home_addr, is6, "", err, errlen) < 0)
			return -EBADMSG;
		return 0;
	case HAVEN_DELEG_STOP:
		return get_stop(p, blen, is6, &msg->u.stop.home_addr,
			&msg->u.stop.generation, &msg->u.stop.reason, "", err,
			errlen) < 0 ? -EBADMSG : 0;
	case HAVEN_DELEG_REPORT:
		if (blen < REPORT_FIXED_LEN) {
			haven_set_reason(err, errlen, "REPORT body %zu < %u", blen,
				REPORT_FIXED_LEN);
			return -EBADMSG;
		}
		msg->u.report.interval_ms = haven_get_be32(p);
		msg->u.report.load = haven_get_be32(p + 4);
		msg->u.report.capacity = haven_get_be32(p + 8);
		msg->u.report.boot_id = haven_get_be32(p + 12);
		msg->u.report.packets = haven_get_be64(p + 16);
		msg->u.report.bytes = haven_get_be64(p + 24);
		msg->u.report.part = haven_get_be16(p + 32);
		msg->u.report.parts = haven_get_be16(p + 34);
		msg->u.report.n_entries = haven_get_be16(p + 36);
		if (haven_get_be16(p + 38) != 0) {
			haven_set_reason(err, errlen, "REPORT reserved bytes not zero");
			return -EBADMSG;
		}
		if (check_report(is6, msg->u.report.interval_ms,
				msg->u.report.part, msg->u.report.parts,
				msg->u.report.n_entries, err, errlen) < 0)
			return -EBADMSG;
		if (blen != REPORT_FIXED_LEN +
				entry_len(is6) * msg->u.report.n_entries) {
			haven_set_reason(err, errlen,
				"REPORT body %zu != 40 + %zu x %u entries",
				blen, entry_len(is6), msg->u.report.n_entries);
			return -EBADMSG;
		}
		p += REPORT_FIXED_LEN;
		for (i = 0; i < msg->u.report.n_entries; i++) {
			if (get_entry(p, is6, &msg->u.report.entries[i], i, err,
					errlen) < 0)
				return -EBADMSG;
			p += entry_len(is6);
		}
		return 0;
	case HAVEN_DELEG_BATCH:
		return decode_batch(msg, p, blen, err, errlen);
	case HAVEN_DELEG_BATCH_ACK:
		return decode_batch_ack(msg, p, blen, err, errlen);
	case HAVEN_DELEG_HEARTBEAT:
		if (blen != HEARTBEAT_LEN) {
			haven_set_reason(err, errlen, "HEARTBEAT body %zu != %u",
				blen, HEARTBEAT_LEN);
			return -EBADMSG;
		}
		msg->u.heartbeat.interval_ms = haven_get_be32(p);
		msg->u.heartbeat.load = haven_get_be32(p + 4);
		msg->u.heartbeat.capacity = haven_get_be32(p + 8);
		msg->u.heartbeat.boot_id = haven_get_be32(p + 12);
		msg->u.heartbeat.window = haven_get_be16(p + 16);
		msg->u.heartbeat.features = haven_get_be16(p + 18);
		msg->u.heartbeat.digest = haven_get_be64(p + 20);
		msg->u.heartbeat.packets = haven_get_be64(p + 28);
		msg->u.heartbeat.bytes = haven_get_be64(p + 36);
		if (msg->u.heartbeat.interval_ms == 0) {
			haven_set_reason(err, errlen, "heartbeat interval 0");
			return -EBADMSG;
		}
		if (msg->u.heartbeat.window == 0) {
			haven_set_reason(err, errlen, "heartbeat window 0");
			return -EBADMSG;
		}
		return 0;
	case HAVEN_DELEG_COUNTERS:
		max = is6 ? HAVEN_DELEG_COUNTERS_MAX6 : HAVEN_DELEG_COUNTERS_MAX;
		if (blen < COUNTERS_FIXED_LEN) {
			haven_set_reason(err, errlen, "COUNTERS body %zu < %u",
				blen, COUNTERS_FIXED_LEN);
			return -EBADMSG;
		}
		msg->u.counters.n_entries = haven_get_be16(p);
		if (haven_get_be16(p + 2) != 0) {
			haven_set_reason(err, errlen,
				"COUNTERS reserved bytes not zero");
			return -EBADMSG;
		}
		if (msg->u.counters.n_entries < 1 ||
				msg->u.counters.n_entries > max) {
			haven_set_reason(err, errlen, "%u entries, not 1..%u",
				msg->u.counters.n_entries, max);
			return -EBADMSG;
		}
		if (blen != COUNTERS_FIXED_LEN +
				entry_len(is6) * msg->u.counters.n_entries) {
			haven_set_reason(err, errlen,
				"COUNTERS body %zu != 4 + %zu x %u entries",
				blen, entry_len(is6),
				msg->u.counters.n_entries);
			return -EBADMSG;
		}
		p += COUNTERS_FIXED_LEN;
		for (i = 0; i < msg->u.counters.n_entries; i++) {
			if (get_entry(p, is6, &msg->u.counters.entries[i], i,
					err, errlen) < 0)
				return -EBADMSG;
			p += entry_len(is6);
		}
		return 0;
	case HAVEN_DELEG_SYNC:
		if (blen != SYNC_LEN) {
			haven_set_reason(err, errlen, "SYNC body %zu != %u", blen,
				SYNC_LEN);
			return -EBADMSG;
		}
		msg->u.sync.features = haven_get_be16(p);
		if (haven_get_be16(p + 2) != 0) {
			haven_set_reason(err, errlen, "SYNC reserved bytes not zero");
			return -EBADMSG;
		}
		if (msg->txn == 0) {
			haven_set_reason(err, errlen, "SYNC of transaction 0");
			return -EBADMSG;
		}
		return 0;
	case HAVEN_DELEG_INVENTORY:
		max = is6 ? HAVEN_DELEG_INVENTORY_MAX6 :
			HAVEN_DELEG_INVENTORY_MAX;
		if (blen < INVENTORY_FIXED_LEN) {
			haven_set_reason(err, errlen, "INVENTORY body %zu < %u",
				blen, INVENTORY_FIXED_LEN);
			return -EBADMSG;
		}
		msg->u.inventory.load = haven_get_be32(p);
		msg->u.inventory.part = haven_get_be16(p + 4);
		msg->u.inventory.parts = haven_get_be16(p + 6);
		msg->u.inventory.n_entries = haven_get_be16(p + 8);
		msg->u.inventory.digest = haven_get_be64(p + 12);
		if (haven_get_be16(p + 10) != 0) {
			haven_set_reason(err, errlen,
				"INVENTORY reserved bytes not zero");
			return -EBADMSG;
		}
		if (msg->txn == 0) {
			haven_set_reason(err, errlen,
				"INVENTORY of transaction 0");
			return -EBADMSG;
		}
		if (msg->u.inventory.parts == 0 ||
				msg->u.inventory.part >= msg->u.inventory.parts) {
			haven_set_reason(err, errlen, "part %u of %u",
				msg->u.inventory.part, msg->u.inventory.parts);
			return -EBADMSG;
		}
		if (msg->u.inventory.n_entries > max) {
			haven_set_reason(err, errlen, "%u entries, at most %u",
				msg->u.inventory.n_entries, max);
			return -EBADMSG;
		}
		if (blen != INVENTORY_FIXED_LEN + inventory_entry_len(is6) *
				msg->u.inventory.n_entries) {
			haven_set_reason(err, errlen,
				"INVENTORY body %zu != 20 + %zu x %u entries",
				blen, inventory_entry_len(is6),
				msg->u.inventory.n_entries);
			return -EBADMSG;
		}
		p += INVENTORY_FIXED_LEN;
		for (i = 0; i < msg->u.inventory.n_entries; i++) {
			struct haven_deleg_inventory_entry *e =
				&msg->u.inventory.entries[i];
			char what[32];

			get_addr(p, is6, &e->home_addr);
			e->generation = haven_get_be32(p + a);
			snprintf(what, sizeof(what), "inventory entry %u: ", i);
			if (check_hoa(&e->home_addr, is6, what, err, errlen) < 0)
				return -EBADMSG;
			p += inventory_entry_len(is6);
		}
		return 0;
	}
	haven_set_reason(err, errlen, "unknown type %u", msg->type);
	return -EBADMSG;
}

int
haven_deleg_decode(const uint8_t *buf, size_t len, const uint8_t *key,
		size_t key_len, struct haven_deleg_msg *msg, char *err,
		size_t errlen)
{
	uint8_t mac[HAVEN_DELEG_MAC_LEN];
	size_t covered, blen;
	bool want_family;

	haven_set_reason(err, errlen, "ok");
	if (buf == NULL || msg == NULL || key == NULL || key_len == 0 ||
			key_len > HAVEN_DELEG_MAX_KEY) {
		haven_set_reason(err, errlen, "bad arguments");
		return -EINVAL;
	}
	if (len < HAVEN_DELEG_HDR_LEN + HAVEN_DELEG_MAC_LEN) {
		haven_set_reason(err, errlen, "%zu bytes, shorter than header + MAC",
			len);
		return -EBADMSG;
	}
	if (len > HAVEN_DELEG_MAX_MSG) {
		haven_set_reason(err, errlen, "%zu bytes, longer than %u", len,
			HAVEN_DELEG_MAX_MSG);
		return -EBADMSG;
	}

	/* Section 3: the MAC first, over all that precedes. */
	covered = len - HAVEN_DELEG_MAC_LEN;
	if (hmac_sha256(key, key_len, buf, covered, mac) < 0) {
		haven_set_reason(err, errlen, "HMAC computation failed");
		return -EACCES;
	}
	if (CRYPTO_memcmp(mac, buf + covered, HAVEN_DELEG_MAC_LEN) != 0) {
		haven_set_reason(err, errlen, "HMAC does not verify");
		return -EACCES;
	}

	/* Section 2.1. */
	memset(msg, 0, sizeof(*msg));
	if (buf[0] != HAVEN_DELEG_VERSION) {
		haven_set_reason(err, errlen, "version %u, expected %u", buf[0],
			HAVEN_DELEG_VERSION);
		return -EBADMSG;
	}
	want_family = type_has_family(buf[1]);
	if (want_family && buf[24] != HAVEN_DELEG_FAMILY_IPV4 &&
			buf[24] != HAVEN_DELEG_FAMILY_IPV6) {
		haven_set_reason(err, errlen, "family %u, expected %u or %u",
			buf[24], HAVEN_DELEG_FAMILY_IPV4,
			HAVEN_DELEG_FAMILY_IPV6);
		return -EBADMSG;
	}
	if (!want_family && buf[24] != HAVEN_DELEG_FAMILY_NONE) {
		haven_set_reason(err, errlen, "family %u of %s, expected 0",
			buf[24], haven_deleg_type_name(buf[1]));
		return -EBADMSG;
	}
	if (buf[25] != 0 || buf[26] != 0 || buf[27] != 0) {
		haven_set_reason(err, errlen, "header reserved bytes not zero");
		return -EBADMSG;
	}
	blen = covered - HAVEN_DELEG_HDR_LEN;
	if (haven_get_be16(buf + 2) != blen) {
		haven_set_reason(err, errlen, "body length field %u != %zu received",
			haven_get_be16(buf + 2), blen);
		return -EBADMSG;
	}
	msg->type = buf[1];
	msg->family = buf[24];
	msg->sender_id = haven_get_be32(buf + 4);
	msg->receiver_id = haven_get_be32(buf + 8);
	msg->seq = haven_get_be64(buf + 12);
	msg->txn = haven_get_be32(buf + 20);
	if (msg->seq == 0) {
		haven_set_reason(err, errlen, "sequence number 0");
		return -EBADMSG;
	}
	return decode_body(msg, buf + HAVEN_DELEG_HDR_LEN, blen, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Anti-replay window (RFC 4303 section 3.4.3)                        */
/* ------------------------------------------------------------------ */

int
haven_deleg_replay_check(struct haven_deleg_replay *r, uint64_t seq)
{
	uint64_t diff;

	if (seq == 0)
		return -1;
	if (seq > r->highest) {
		diff = seq - r->highest;
		r->bitmap = diff >= HAVEN_DELEG_REPLAY_WINDOW ?
			0 : r->bitmap << diff;
		r->bitmap |= 1;
		r->highest = seq;
		return 0;
	}
	diff = r->highest - seq;
	if (diff >= HAVEN_DELEG_REPLAY_WINDOW)
		return -1;
	if (r->bitmap & (1ull << diff))
		return -1;
	r->bitmap |= 1ull << diff;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Receive and send paths                                             */
/* ------------------------------------------------------------------ */

struct haven_deleg_peer *
haven_deleg_peer_by_id(struct haven_deleg_peer *p, unsigned int n,
		uint32_t id)
{
	struct haven_deleg_peer *removed = NULL;
	unsigned int i;

	/* A removed peer answers only for what it still has to close. */
	for (i = 0; p != NULL && i < n; i++)
		if (p[i].id == id) {
			if (!p[i].removed)
				return &p[i];
			removed = &p[i];
		}
	return removed;
}

struct haven_deleg_peer *
haven_deleg_peer_by_name(struct haven_deleg_peer *p, unsigned int n,
		const char *name)
{
	unsigned int i;

	for (i = 0; p != NULL && name != NULL && i < n; i++)
		if (strncmp(p[i].name, name, sizeof(p[i].name)) == 0)
			return &p[i];
	return NULL;
}

void
haven_deleg_peer_init(struct haven_deleg_peer *peer, uint64_t seq_base,
		uint64_t now_ms)
{
	size_t state = offsetof(struct haven_deleg_peer, capacity);

	/* Everything from capacity on is the library's. */
	memset((uint8_t *)peer + state, 0, sizeof(*peer) - state);
	peer->tx_seq = seq_base;
	peer->alive = true;
	peer->last_heard_ms = now_ms;
	peer->report_interval_ms = HAVEN_DELEG_REPORT_MS;
	peer->sync_next_ms = now_ms;
	TAILQ_INIT(&peer->bindings);
	TAILQ_INIT(&peer->queue);
	TAILQ_INIT(&peer->pending);
}

int
deleg_receive(struct haven_deleg_peer *peers, unsigned int n_peers,
		uint32_t self_id, uint32_t type_mask,
		const struct deleg_rx_counters *counters, uint32_t src,
		const uint8_t *buf, size_t len, uint64_t now_ms,
		struct haven_deleg_msg *msg, struct haven_deleg_peer **peerp)
{
	struct haven_deleg_peer *peer;
	uint32_t sender;
	int rc;

	if (len > HAVEN_DELEG_MAX_MSG ||
			haven_deleg_peek_sender(buf, len, &sender) < 0) {
		(*counters->malformed)++;
		return -EBADMSG;
	}
	peer = haven_deleg_peer_by_id(peers, n_peers, sender);
	if (peer == NULL || peer->key_len == 0) {
		(*counters->unknown_sender)++;
		return -ENOENT;
	}
	rc = haven_deleg_decode(buf, len, peer->key, peer->key_len, msg,
		NULL, 0);
	if (rc == -EACCES) {
		peer->stats.bad_auth++;
		return rc;
	}
	if (rc < 0) {
		peer->stats.malformed++;
		return -EBADMSG;
	}
	if (msg->receiver_id != self_id) {
		peer->stats.misdirected++;
		return -EADDRNOTAVAIL;
	}
	if (src != peer->addr) {
		peer->stats.misdirected++;
		return -EPERM;
	}
	if (msg->type >= 32 || (TYPE_BIT(msg->type) & type_mask) == 0) {
		peer->stats.unexpected++;
		return -EPROTO;
	}
	if (haven_deleg_replay_check(&peer->rx, msg->seq) < 0) {
		peer->stats.replayed++;
		return -EALREADY;
	}
	peer->stats.rx++;
	peer->last_heard_ms = now_ms;
	*peerp = peer;
	return 0;
}

int
deleg_send(uint32_t self_id, struct haven_deleg_peer *peer,
		struct haven_deleg_msg *msg,
		void (*send)(void *, const struct haven_deleg_peer *,
			const uint8_t *, size_t), void *ctx)
{
	uint8_t buf[HAVEN_DELEG_MAX_MSG];
	int len;

	msg->sender_id = self_id;
	msg->receiver_id = peer->id;
	msg->seq = peer->tx_seq + 1;
	len = haven_deleg_encode(msg, peer->key, peer->key_len, buf,
		sizeof(buf));
	if (len < 0)
		return len;
	peer->tx_seq = msg->seq;
	peer->stats.tx++;
	send(ctx, peer, buf, (size_t)len);
	return 0;
}
