/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire format of the delegation protocol: encoding and decoding of the
 * five messages, the HMAC-SHA256 trailer that authenticates them, the
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

const char *
deleg_addr_str(uint32_t addr_nbo, char *buf)
{
	const uint8_t *b = (const uint8_t *)&addr_nbo;

	snprintf(buf, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

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

/*
 * Section "Start Forwarding": what makes a binding sendable. The encoder
 * refuses (-EINVAL) exactly what the decoder refuses (-EBADMSG).
 */
static int
check_binding_info(const struct haven_deleg_binding_info *bi, char *err,
		size_t errlen)
{
	unsigned int i;

	if (bi->n_coa < 1 || bi->n_coa > HAVEN_DELEG_MAX_COA) {
		haven_set_reason(err, errlen, "n_coa %u not in 1..%u", bi->n_coa,
			HAVEN_DELEG_MAX_COA);
		return -1;
	}
	if (bi->encap > ENCAP_MAX) {
		haven_set_reason(err, errlen, "encap %u not in 0..%u", bi->encap,
			ENCAP_MAX);
		return -1;
	}
	if (bi->flags & ~HAVEN_DELEG_F_REVERSE_TUNNEL) {
		haven_set_reason(err, errlen, "unknown flags 0x%02x", bi->flags);
		return -1;
	}
	if (bi->home_addr == 0) {
		haven_set_reason(err, errlen, "home address 0.0.0.0");
		return -1;
	}
	if (bi->outer_src == 0) {
		haven_set_reason(err, errlen, "outer source 0.0.0.0");
		return -1;
	}
	if (bi->duration_s == 0) {
		haven_set_reason(err, errlen, "duration 0 (send STOP instead)");
		return -1;
	}
	for (i = 0; i < bi->n_coa; i++) {
		if (bi->coa[i] == 0) {
			haven_set_reason(err, errlen, "care-of address %u is 0.0.0.0",
				i);
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
check_report(uint32_t interval_ms, uint16_t part, uint16_t parts,
		uint16_t n_entries, char *err, size_t errlen)
{
	if (interval_ms == 0) {
		haven_set_reason(err, errlen, "report interval 0");
		return -1;
	}
	if (parts == 0 || part >= parts) {
		haven_set_reason(err, errlen, "part %u of %u", part, parts);
		return -1;
	}
	if (n_entries > HAVEN_DELEG_REPORT_MAX_ENTRIES) {
		haven_set_reason(err, errlen, "%u entries, at most %u", n_entries,
			HAVEN_DELEG_REPORT_MAX_ENTRIES);
		return -1;
	}
	return 0;
}

/* Body length a message of this type and content must have; 0: bad type. */
static size_t
body_len(const struct haven_deleg_msg *msg)
{
	switch (msg->type) {
	case HAVEN_DELEG_START:
		return START_FIXED_LEN + 4u * msg->u.start.n_coa;
	case HAVEN_DELEG_START_ACK:
	case HAVEN_DELEG_STOP_ACK:
		return ACK_LEN;
	case HAVEN_DELEG_STOP:
		return STOP_LEN;
	case HAVEN_DELEG_REPORT:
		return REPORT_FIXED_LEN +
			(size_t)REPORT_ENTRY_LEN * msg->u.report.n_entries;
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

static void
encode_body(const struct haven_deleg_msg *msg, uint8_t *p)
{
	const struct haven_deleg_binding_info *bi = &msg->u.start;
	unsigned int i;

	switch (msg->type) {
	case HAVEN_DELEG_START:
		haven_put_addr4(p, bi->home_addr);
		haven_put_addr4(p + 4, bi->outer_src);
		haven_put_be32(p + 8, bi->generation);
		haven_put_be32(p + 12, bi->duration_s);
		p[16] = bi->encap;
		p[17] = bi->flags;
		p[18] = bi->n_coa;
		p[19] = 0;
		for (i = 0; i < bi->n_coa; i++)
			haven_put_addr4(p + START_FIXED_LEN + 4 * i, bi->coa[i]);
		break;
	case HAVEN_DELEG_START_ACK:
	case HAVEN_DELEG_STOP_ACK:
		haven_put_addr4(p, msg->u.ack.home_addr);
		haven_put_be32(p + 4, msg->u.ack.generation);
		p[8] = msg->u.ack.status;
		p[9] = p[10] = p[11] = 0;
		haven_put_be32(p + 12, msg->u.ack.load);
		haven_put_be32(p + 16, msg->u.ack.capacity);
		break;
	case HAVEN_DELEG_STOP:
		haven_put_addr4(p, msg->u.stop.home_addr);
		haven_put_be32(p + 4, msg->u.stop.generation);
		p[8] = msg->u.stop.reason;
		p[9] = p[10] = p[11] = 0;
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

			haven_put_addr4(p, e->home_addr);
			haven_put_be32(p + 4, e->generation);
			haven_put_be64(p + 8, e->packets);
			haven_put_be64(p + 16, e->bytes);
			p += REPORT_ENTRY_LEN;
		}
		break;
	}
}

int
haven_deleg_encode(const struct haven_deleg_msg *msg, const uint8_t *key,
		size_t key_len, uint8_t *buf, size_t buflen)
{
	size_t blen, total;

	if (msg == NULL || buf == NULL || key == NULL || key_len == 0 ||
			key_len > HAVEN_DELEG_MAX_KEY)
		return -EINVAL;
	switch (msg->type) {
	case HAVEN_DELEG_START:
		if (check_binding_info(&msg->u.start, NULL, 0) < 0)
			return -EINVAL;
		break;
	case HAVEN_DELEG_START_ACK:
	case HAVEN_DELEG_STOP_ACK:
		if (msg->u.ack.status > STATUS_WIRE_MAX ||
				msg->u.ack.home_addr == 0)
			return -EINVAL;
		break;
	case HAVEN_DELEG_STOP:
		if (msg->u.stop.reason > STOP_REASON_MAX ||
				msg->u.stop.home_addr == 0)
			return -EINVAL;
		break;
	case HAVEN_DELEG_REPORT:
		if (check_report(msg->u.report.interval_ms, msg->u.report.part,
				msg->u.report.parts, msg->u.report.n_entries,
				NULL, 0) < 0)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (msg->seq == 0)
		return -EINVAL;
	blen = body_len(msg);
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
	buf[24] = HAVEN_DELEG_FAMILY_IPV4;
	buf[25] = buf[26] = buf[27] = 0;
	encode_body(msg, buf + HAVEN_DELEG_HDR_LEN);

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

/* Parse a body whose length already matches its type. */
static int
decode_body(struct haven_deleg_msg *msg, const uint8_t *p, size_t blen,
		char *err, size_t errlen)
{
	struct haven_deleg_binding_info *bi = &msg->u.start;
	unsigned int i;

	switch (msg->type) {
	case HAVEN_DELEG_START:
		if (blen < START_FIXED_LEN) {
			haven_set_reason(err, errlen, "START body %zu < %u", blen,
				START_FIXED_LEN);
			return -EBADMSG;
		}
		bi->home_addr = haven_get_addr4(p);
		bi->outer_src = haven_get_addr4(p + 4);
		bi->generation = haven_get_be32(p + 8);
		bi->duration_s = haven_get_be32(p + 12);
		bi->encap = p[16];
		bi->flags = p[17];
		bi->n_coa = p[18];
		if (p[19] != 0) {
			haven_set_reason(err, errlen, "START reserved byte 0x%02x",
				p[19]);
			return -EBADMSG;
		}
		if (bi->n_coa >= 1 && bi->n_coa <= HAVEN_DELEG_MAX_COA &&
				blen != START_FIXED_LEN + 4u * bi->n_coa) {
			haven_set_reason(err, errlen,
				"START body %zu != 20 + 4 x %u care-of addresses",
				blen, bi->n_coa);
			return -EBADMSG;
		}
		if (bi->n_coa >= 1 && bi->n_coa <= HAVEN_DELEG_MAX_COA)
			for (i = 0; i < bi->n_coa; i++)
				bi->coa[i] = haven_get_addr4(p + START_FIXED_LEN +
					4 * i);
		if (check_binding_info(bi, err, errlen) < 0)
			return -EBADMSG;
		return 0;
	case HAVEN_DELEG_START_ACK:
	case HAVEN_DELEG_STOP_ACK:
		if (blen != ACK_LEN) {
			haven_set_reason(err, errlen, "%s body %zu != %u",
				haven_deleg_type_name(msg->type), blen,
				ACK_LEN);
			return -EBADMSG;
		}
		msg->u.ack.home_addr = haven_get_addr4(p);
		msg->u.ack.generation = haven_get_be32(p + 4);
		msg->u.ack.status = p[8];
		if (p[9] != 0 || p[10] != 0 || p[11] != 0) {
			haven_set_reason(err, errlen, "ack reserved bytes not zero");
			return -EBADMSG;
		}
		msg->u.ack.load = haven_get_be32(p + 12);
		msg->u.ack.capacity = haven_get_be32(p + 16);
		if (msg->u.ack.status > STATUS_WIRE_MAX) {
			haven_set_reason(err, errlen, "unknown status %u",
				msg->u.ack.status);
			return -EBADMSG;
		}
		if (msg->u.ack.home_addr == 0) {
			haven_set_reason(err, errlen, "home address 0.0.0.0");
			return -EBADMSG;
		}
		return 0;
	case HAVEN_DELEG_STOP:
		if (blen != STOP_LEN) {
			haven_set_reason(err, errlen, "STOP body %zu != %u", blen,
				STOP_LEN);
			return -EBADMSG;
		}
		msg->u.stop.home_addr = haven_get_addr4(p);
		msg->u.stop.generation = haven_get_be32(p + 4);
		msg->u.stop.reason = p[8];
		if (p[9] != 0 || p[10] != 0 || p[11] != 0) {
			haven_set_reason(err, errlen, "STOP reserved bytes not zero");
			return -EBADMSG;
		}
		if (msg->u.stop.reason > STOP_REASON_MAX) {
			haven_set_reason(err, errlen, "unknown stop reason %u",
				msg->u.stop.reason);
			return -EBADMSG;
		}
		if (msg->u.stop.home_addr == 0) {
			haven_set_reason(err, errlen, "home address 0.0.0.0");
			return -EBADMSG;
		}
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
		if (check_report(msg->u.report.interval_ms, msg->u.report.part,
				msg->u.report.parts, msg->u.report.n_entries,
				err, errlen) < 0)
			return -EBADMSG;
		if (blen != REPORT_FIXED_LEN +
				(size_t)REPORT_ENTRY_LEN * msg->u.report.n_entries) {
			haven_set_reason(err, errlen,
				"REPORT body %zu != 40 + 24 x %u entries",
				blen, msg->u.report.n_entries);
			return -EBADMSG;
		}
		p += REPORT_FIXED_LEN;
		for (i = 0; i < msg->u.report.n_entries; i++) {
			struct haven_deleg_report_entry *e =
				&msg->u.report.entries[i];

			e->home_addr = haven_get_addr4(p);
			e->generation = haven_get_be32(p + 4);
			e->packets = haven_get_be64(p + 8);
			e->bytes = haven_get_be64(p + 16);
			if (e->home_addr == 0) {
				haven_set_reason(err, errlen,
					"report entry %u: home address 0.0.0.0",
					i);
				return -EBADMSG;
			}
			p += REPORT_ENTRY_LEN;
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
	if (buf[24] != HAVEN_DELEG_FAMILY_IPV4) {
		haven_set_reason(err, errlen, "family %u, expected %u", buf[24],
			HAVEN_DELEG_FAMILY_IPV4);
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
