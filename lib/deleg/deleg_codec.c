/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire format of the delegation protocol: encoding and decoding of the
 * five messages in both families (IPv4 and IPv6 bindings), the HMAC-SHA256 trailer that authenticates them, the
 * sliding window that refuses a sequence number twice, and the receive and
 * send paths both state machines use.
 *
 * docs/delegation-protocol.md is the specification; section names of that
 * document appear in the comments. The decoder verifies the HMAC before it
 * looks at anything else, so a datagram with a single flipped bit is an
 * authentication failure (-EACCES) wherever the bit is, and only a
 * well-authenticated datagram is parsed field by field (-EBADMSG with a
 * reason). Nothing here allocates or keeps state outside its arguments.
 */

#include <errno.h>
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
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* Body checks shared by encoder and decoder                          */
/* ------------------------------------------------------------------ */

/* The Family numbers of the header: 4 IPv4, 6 IPv6. */
static bool
family_ok(uint8_t family)
{
	return family == HAVEN_DELEG_FAMILY_IPV4 ||
		family == HAVEN_DELEG_FAMILY_IPV6;
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
 * Section "Start Forwarding": what makes a binding sendable. The encoder
 * refuses (-EINVAL) exactly what the decoder refuses (-EBADMSG).
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
	if (!is6 && bi->encap > ENCAP_MAX) {
		haven_set_reason(err, errlen, "encap %u not in 0..%u", bi->encap,
			ENCAP_MAX);
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
	return 0;
}

int
deleg_check_binding_info(const struct haven_deleg_binding_info *bi)
{
	return check_binding_info(bi, NULL, 0);
}

/* Section "Report": part/parts/entries consistent. */
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

/*
 * Body layout. Family 6 widens every address field from 4 to 16 octets
 * and moves what follows it; nothing else changes. With a = 4 or 16:
 *   START     hoa 0, outer a, generation 2a, duration 2a+4, encap 2a+8,
 *             flags 2a+9, n_coa 2a+10, reserved 2a+11, CoAs from 2a+12
 *   ACKs      hoa 0, generation a, status a+4, reserved a+5..a+7,
 *             load a+8, capacity a+12; length a+16
 *   STOP      hoa 0, generation a, reason a+4, reserved; length a+8
 *   entry     hoa 0, generation a, packets a+4, bytes a+12; length a+20
 * With a = 4 these are the offsets of the IPv4-only version exactly.
 */
static size_t
start_fixed_len(bool is6)
{
	return is6 ? START6_FIXED_LEN : START_FIXED_LEN;
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

/* Body length a message of this type and content must have; 0: bad type. */
static size_t
body_len(const struct haven_deleg_msg *msg, bool is6)
{

	switch (msg->type) {
	case HAVEN_DELEG_START:
		return start_fixed_len(is6) +
			addr_len(is6) * msg->u.start.n_coa;
	case HAVEN_DELEG_START_ACK:
	case HAVEN_DELEG_STOP_ACK:
		return ack_len(is6);
	case HAVEN_DELEG_STOP:
		return stop_len(is6);
	case HAVEN_DELEG_REPORT:
		return REPORT_FIXED_LEN +
			entry_len(is6) * msg->u.report.n_entries;
	}
	return 0;
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

static void
encode_body(const struct haven_deleg_msg *msg, bool is6, uint8_t *p)
{
	const struct haven_deleg_binding_info *bi = &msg->u.start;
	size_t a = addr_len(is6);
	unsigned int i;

	switch (msg->type) {
	case HAVEN_DELEG_START:
		put_addr(p, &bi->home_addr, is6);
		put_addr(p + a, &bi->outer_src, is6);
		p += 2 * a;
		haven_put_be32(p, bi->generation);
		haven_put_be32(p + 4, bi->duration_s);
		p[8] = bi->encap;
		p[9] = bi->flags;
		p[10] = bi->n_coa;
		p[11] = 0;
		for (i = 0; i < bi->n_coa; i++)
			put_addr(p + 12 + a * i, &bi->coa[i], is6);
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
		put_addr(p, &msg->u.stop.home_addr, is6);
		p += a;
		haven_put_be32(p, msg->u.stop.generation);
		p[4] = msg->u.stop.reason;
		p[5] = p[6] = p[7] = 0;
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
		for (i = 0; i < msg->u.report.n_entries; i++) {
			const struct haven_deleg_report_entry *e =
				&msg->u.report.entries[i];

			put_addr(p, &e->home_addr, is6);
			haven_put_be32(p + a, e->generation);
			haven_put_be64(p + a + 4, e->packets);
			haven_put_be64(p + a + 12, e->bytes);
			p += entry_len(is6);
		}
		break;
	}
}

/*
 * The Family of a message whose caller left msg->family 0: that of the
 * first address of its body; IPv4 for a report without entries. (An
 * address of no family gives 0, which the encoder refuses.)
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
	}
	return HAVEN_DELEG_FAMILY_IPV4;
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
	family = msg->family != 0 ? msg->family : body_family(msg);
	if (!family_ok(family))
		return -EINVAL;
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
		if (msg->u.stop.reason > STOP_REASON_MAX ||
				check_hoa(&msg->u.stop.home_addr, is6, "", NULL,
					0) < 0)
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

	/* Section "Common Header". */
	buf[0] = HAVEN_DELEG_VERSION;
	buf[1] = msg->type;
	haven_put_be16(buf + 2, (uint16_t)blen);
	haven_put_be32(buf + 4, msg->sender_id);
	haven_put_be32(buf + 8, msg->receiver_id);
	haven_put_be64(buf + 12, msg->seq);
	haven_put_be32(buf + 20, msg->txn);
	buf[24] = is6 ? HAVEN_DELEG_FAMILY_IPV6 : HAVEN_DELEG_FAMILY_IPV4;
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
 * Parse a body of msg->type and msg->family; every length is checked
 * exactly against the type, the family and the counts.
 */
static int
decode_body(struct haven_deleg_msg *msg, const uint8_t *p, size_t blen,
		char *err, size_t errlen)
{
	struct haven_deleg_binding_info *bi = &msg->u.start;
	bool is6 = haven_deleg_family_is_ipv6(msg->family);
	size_t a = addr_len(is6), fixed;
	const uint8_t *q;
	unsigned int i;

	switch (msg->type) {
	case HAVEN_DELEG_START:
		fixed = start_fixed_len(is6);
		if (blen < fixed) {
			haven_set_reason(err, errlen, "START body %zu < %zu", blen,
				fixed);
			return -EBADMSG;
		}
		get_addr(p, is6, &bi->home_addr);
		get_addr(p + a, is6, &bi->outer_src);
		q = p + 2 * a;
		bi->generation = haven_get_be32(q);
		bi->duration_s = haven_get_be32(q + 4);
		bi->encap = q[8];
		bi->flags = q[9];
		bi->n_coa = q[10];
		if (q[11] != 0) {
			haven_set_reason(err, errlen, "START reserved byte 0x%02x",
				q[11]);
			return -EBADMSG;
		}
		if (bi->n_coa >= 1 && bi->n_coa <= HAVEN_DELEG_MAX_COA &&
				blen != fixed + a * bi->n_coa) {
			haven_set_reason(err, errlen,
				"START body %zu != %zu + %zu x %u care-of addresses",
				blen, fixed, a, bi->n_coa);
			return -EBADMSG;
		}
		if (bi->n_coa >= 1 && bi->n_coa <= HAVEN_DELEG_MAX_COA)
			for (i = 0; i < bi->n_coa; i++)
				get_addr(p + fixed + a * i, is6, &bi->coa[i]);
		if (check_binding_info(bi, err, errlen) < 0)
			return -EBADMSG;
		return 0;
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
		if (blen != stop_len(is6)) {
			haven_set_reason(err, errlen, "STOP body %zu != %zu", blen,
				stop_len(is6));
			return -EBADMSG;
		}
		get_addr(p, is6, &msg->u.stop.home_addr);
		q = p + a;
		msg->u.stop.generation = haven_get_be32(q);
		msg->u.stop.reason = q[4];
		if (q[5] != 0 || q[6] != 0 || q[7] != 0) {
			haven_set_reason(err, errlen, "STOP reserved bytes not zero");
			return -EBADMSG;
		}
		if (msg->u.stop.reason > STOP_REASON_MAX) {
			haven_set_reason(err, errlen, "unknown stop reason %u",
				msg->u.stop.reason);
			return -EBADMSG;
		}
		if (check_hoa(&msg->u.stop.home_addr, is6, "", err, errlen) < 0)
			return -EBADMSG;
		return 0;
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
			struct haven_deleg_report_entry *e =
				&msg->u.report.entries[i];
			char what[32];

			get_addr(p, is6, &e->home_addr);
			e->generation = haven_get_be32(p + a);
			e->packets = haven_get_be64(p + a + 4);
			e->bytes = haven_get_be64(p + a + 12);
			snprintf(what, sizeof(what), "report entry %u: ", i);
			if (check_hoa(&e->home_addr, is6, what, err, errlen) < 0)
				return -EBADMSG;
			p += entry_len(is6);
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

	/* Section "Authentication": the MAC first, over all that precedes. */
	covered = len - HAVEN_DELEG_MAC_LEN;
	if (hmac_sha256(key, key_len, buf, covered, mac) < 0) {
		haven_set_reason(err, errlen, "HMAC computation failed");
		return -EACCES;
	}
	if (CRYPTO_memcmp(mac, buf + covered, HAVEN_DELEG_MAC_LEN) != 0) {
		haven_set_reason(err, errlen, "HMAC does not verify");
		return -EACCES;
	}

	/* Section "Common Header". */
	memset(msg, 0, sizeof(*msg));
	if (buf[0] != HAVEN_DELEG_VERSION) {
		haven_set_reason(err, errlen, "version %u, expected %u", buf[0],
			HAVEN_DELEG_VERSION);
		return -EBADMSG;
	}
	if (buf[24] != HAVEN_DELEG_FAMILY_IPV4 &&
			buf[24] != HAVEN_DELEG_FAMILY_IPV6) {
		haven_set_reason(err, errlen, "family %u, expected %u or %u",
			buf[24], HAVEN_DELEG_FAMILY_IPV4,
			HAVEN_DELEG_FAMILY_IPV6);
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
	peer->capacity = 0;
	peer->tx_seq = seq_base;
	memset(&peer->rx, 0, sizeof(peer->rx));
	peer->alive = true;
	peer->last_heard_ms = now_ms;
	peer->report_interval_ms = HAVEN_DELEG_REPORT_MS;
	peer->load = 0;
	peer->reported_packets = 0;
	peer->n_delegated = 0;
	peer->removed = false;
	peer->boot_known = false;
	peer->boot_id = 0;
	memset(&peer->stats, 0, sizeof(peer->stats));
	TAILQ_INIT(&peer->bindings);
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
