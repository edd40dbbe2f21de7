/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire format of the state synchronisation protocol: the six
 * messages of docs/ha-sync-protocol.md section 3, the operation lists of
 * RECORDS, and the HMAC-SHA256 trailer.
 *
 * The decoder verifies the HMAC before it looks at anything but the
 * version and the length, so a datagram with one flipped bit is an
 * authentication failure wherever the bit is; only an authenticated
 * datagram is then checked field by field, each check with a reason.
 * RECORDS are checked whole before the state machine applies any of
 * them: every operation's lengths, and for a bulk slice that its keys lie
 * inside its range (Lo, Hi] in increasing order, so that a standby never
 * applies half of a malformed message. Nothing here allocates.
 */

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "haven_sync.h"
#include "haven_wire.h"
#include "sync_private.h"

#define BAD(...) do {							\
	haven_set_reason(err, errlen, __VA_ARGS__);			\
	return -EBADMSG;						\
} while (0)

static int
hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data,
	size_t len, uint8_t out[HAVEN_SYNC_MAC_LEN])
{
	unsigned int out_len = 0;

	if (HMAC(EVP_sha256(), key, (int)key_len, data, len, out,
			&out_len) == NULL || out_len != HAVEN_SYNC_MAC_LEN)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Operations                                                         */
/* ------------------------------------------------------------------ */

int
haven_sync_op_append(uint8_t *ops, size_t cap, size_t *len,
	const struct haven_sync_op *op)
{
	size_t need;

	if (op->key_len == 0 || op->key_len > HAVEN_SYNC_MAX_RECORD_KEY ||
	    (op->op == HAVEN_SYNC_OP_PUT && (op->val_len == 0 ||
		    op->val_len > HAVEN_SYNC_MAX_RECORD_VALUE)) ||
	    (op->op == HAVEN_SYNC_OP_DELETE && op->val_len != 0) ||
	    (op->op != HAVEN_SYNC_OP_PUT && op->op != HAVEN_SYNC_OP_DELETE))
		return -EINVAL;
	need = OP_HDR_LEN + op->key_len + op->val_len;
	if (*len + need > cap)
		return -ENOSPC;
	ops[*len] = op->op;
	ops[*len + 1] = op->key_len;
	haven_put_be16(ops + *len + 2, op->val_len);
	memcpy(ops + *len + OP_HDR_LEN, op->key, op->key_len);
	if (op->val_len > 0)
		memcpy(ops + *len + OP_HDR_LEN + op->key_len, op->val,
			op->val_len);
	*len += need;
	return 0;
}

int
haven_sync_op_next(const struct haven_sync_msg *msg, size_t *off,
	struct haven_sync_op *op)
{
	const uint8_t *p;

	if (msg->type != HAVEN_SYNC_RECORDS ||
	    *off + OP_HDR_LEN > msg->u.records.ops_len)
		return 0;
	p = msg->u.records.ops + *off;
	op->op = p[0];
	op->key_len = p[1];
	op->val_len = haven_get_be16(p + 2);
	op->key = p + OP_HDR_LEN;
	op->val = op->val_len > 0 ? p + OP_HDR_LEN + op->key_len : NULL;
	*off += OP_HDR_LEN + op->key_len + op->val_len;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Encoder                                                            */
/* ------------------------------------------------------------------ */

static size_t
body_len(const struct haven_sync_msg *m)
{
	switch (m->type) {
	case HAVEN_SYNC_HELLO:
		return HELLO_LEN;
	case HAVEN_SYNC_SESSION:
		return SESSION_LEN;
	case HAVEN_SYNC_RECORDS:
		return RECORDS_FIXED_LEN + m->u.records.lo_len +
			m->u.records.hi_len + m->u.records.ops_len;
	case HAVEN_SYNC_ACK:
		return ACK_LEN;
	case HAVEN_SYNC_HEARTBEAT:
		return HEARTBEAT_LEN;
	case HAVEN_SYNC_BYE:
		return BYE_LEN;
	}
	return 0;
}

static void
encode_body(const struct haven_sync_msg *m, uint8_t *p)
{
	switch (m->type) {
	case HAVEN_SYNC_HELLO:
		haven_put_be64(p, m->u.hello.nonce);
		haven_put_be32(p + 8, m->u.hello.boot_id);
		haven_put_be32(p + 12, 0);
		break;
	case HAVEN_SYNC_SESSION:
		haven_put_be64(p, m->u.session.nonce);
		haven_put_be32(p + 8, m->u.session.boot_id);
		haven_put_be16(p + 12, m->u.session.window);
		haven_put_be16(p + 14, 0);
		haven_put_be64(p + 16, m->u.session.records);
		break;
	case HAVEN_SYNC_RECORDS: {
		size_t off = RECORDS_FIXED_LEN;

		haven_put_be64(p, m->u.records.stream_seq);
		p[8] = m->u.records.flags;
		p[9] = m->u.records.lo_len;
		p[10] = m->u.records.hi_len;
		p[11] = 0;
		haven_put_be16(p + 12, m->u.records.n_ops);
		haven_put_be16(p + 14, 0);
		if (m->u.records.lo_len > 0)
			memcpy(p + off, m->u.records.lo, m->u.records.lo_len);
		off += m->u.records.lo_len;
		if (m->u.records.hi_len > 0)
			memcpy(p + off, m->u.records.hi, m->u.records.hi_len);
		off += m->u.records.hi_len;
		if (m->u.records.ops_len > 0)
			memcpy(p + off, m->u.records.ops, m->u.records.ops_len);
		break;
	}
	case HAVEN_SYNC_ACK:
		haven_put_be64(p, m->u.ack.acked);
		p[8] = m->u.ack.flags;
		p[9] = p[10] = p[11] = 0;
		break;
	case HAVEN_SYNC_HEARTBEAT:
		p[0] = m->u.heartbeat.role;
		p[1] = m->u.heartbeat.state;
		haven_put_be16(p + 2, 0);
		haven_put_be32(p + 4, m->u.heartbeat.interval_ms);
		haven_put_be32(p + 8, m->u.heartbeat.boot_id);
		haven_put_be32(p + 12, 0);
		haven_put_be64(p + 16, m->u.heartbeat.stream_seq);
		break;
	case HAVEN_SYNC_BYE:
		p[0] = m->u.bye.reason;
		p[1] = p[2] = p[3] = 0;
		break;
	}
}

int
haven_sync_encode(const struct haven_sync_msg *m, const uint8_t *key,
	size_t key_len, uint8_t *buf, size_t buflen)
{
	size_t blen, total;

	if (m == NULL || buf == NULL || key == NULL || key_len == 0 ||
	    key_len > HAVEN_SYNC_MAX_KEY_LEN)
		return -EINVAL;
	blen = body_len(m);
	if (blen == 0)
		return -EINVAL;
	total = HAVEN_SYNC_HDR_LEN + blen + HAVEN_SYNC_MAC_LEN;
	if (total > HAVEN_SYNC_MAX_MSG)
		return -EINVAL;
	if (total > buflen)
		return -ENOSPC;
	buf[0] = HAVEN_SYNC_VERSION;
	buf[1] = m->type;
	haven_put_be16(buf + 2, (uint16_t)blen);
	haven_put_be32(buf + 4, m->sender_id);
	haven_put_be32(buf + 8, m->receiver_id);
	haven_put_be64(buf + 12, m->seq);
	haven_put_be64(buf + 20, m->session);
	encode_body(m, buf + HAVEN_SYNC_HDR_LEN);
	if (hmac_sha256(key, key_len, buf, HAVEN_SYNC_HDR_LEN + blen,
			buf + HAVEN_SYNC_HDR_LEN + blen) < 0)
		return -EINVAL;
	return (int)total;
}

/* ------------------------------------------------------------------ */
/* Decoder                                                            */
/* ------------------------------------------------------------------ */

/* The operations of a RECORDS body, checked whole. */
static int
check_ops(struct haven_sync_msg *m, char *err, size_t errlen)
{
	const uint8_t *p = m->u.records.ops, *prev = NULL;
	size_t off = 0, len = m->u.records.ops_len, prev_len = 0;
	bool bulk = (m->u.records.flags & HAVEN_SYNC_F_BULK) != 0;
	unsigned int i;

	for (i = 0; i < m->u.records.n_ops; i++) {
		uint8_t op, klen;
		uint16_t vlen;
		const uint8_t *key;

		if (off + OP_HDR_LEN > len)
			BAD("operation %u of %u runs past the body", i + 1,
				m->u.records.n_ops);
		op = p[off];
		klen = p[off + 1];
		vlen = haven_get_be16(p + off + 2);
		key = p + off + OP_HDR_LEN;
		if (op != HAVEN_SYNC_OP_PUT && op != HAVEN_SYNC_OP_DELETE)
			BAD("operation %u: code %u is not PUT (1) or DELETE (2)",
				i + 1, op);
		if (klen == 0 || klen > HAVEN_SYNC_MAX_RECORD_KEY)
			BAD("operation %u: key of %u octets (1..%d)", i + 1,
				klen, HAVEN_SYNC_MAX_RECORD_KEY);
		if (op == HAVEN_SYNC_OP_PUT && (vlen == 0 ||
				vlen > HAVEN_SYNC_MAX_RECORD_VALUE))
			BAD("operation %u: PUT value of %u octets (1..%d)",
				i + 1, vlen, HAVEN_SYNC_MAX_RECORD_VALUE);
		if (op == HAVEN_SYNC_OP_DELETE && vlen != 0)
			BAD("operation %u: DELETE with a value", i + 1);
		if (off + OP_HDR_LEN + klen + vlen > len)
			BAD("operation %u of %u runs past the body", i + 1,
				m->u.records.n_ops);
		if (bulk) {
			if (op != HAVEN_SYNC_OP_PUT)
				BAD("operation %u: a bulk slice holds only PUT",
					i + 1);
			if (sync_key_cmp(key, klen, m->u.records.lo,
					m->u.records.lo_len) <= 0 ||
			    (m->u.records.hi_len > 0 &&
			     sync_key_cmp(key, klen, m->u.records.hi,
					m->u.records.hi_len) > 0))
				BAD("operation %u: key outside the slice's range",
					i + 1);
			if (prev != NULL &&
			    sync_key_cmp(key, klen, prev, prev_len) <= 0)
				BAD("operation %u: keys of a slice not in increasing order",
					i + 1);
			prev = key;
			prev_len = klen;
		}
		off += OP_HDR_LEN + klen + vlen;
	}
	if (off != len)
		BAD("%zu octets after the last of %u operations", len - off,
			m->u.records.n_ops);
	return 0;
}

static int
decode_records(const uint8_t *p, size_t blen, struct haven_sync_msg *m,
	char *err, size_t errlen)
{
	uint8_t flags;
	size_t off;

	if (blen < RECORDS_FIXED_LEN)
		BAD("RECORDS body of %zu octets, shorter than %d", blen,
			RECORDS_FIXED_LEN);
	m->u.records.stream_seq = haven_get_be64(p);
	flags = m->u.records.flags = p[8];
	m->u.records.lo_len = p[9];
	m->u.records.hi_len = p[10];
	m->u.records.n_ops = haven_get_be16(p + 12);
	if (m->u.records.stream_seq == 0)
		BAD("stream sequence 0");
	if (flags & ~(HAVEN_SYNC_F_BULK | HAVEN_SYNC_F_BULK_FIRST |
			HAVEN_SYNC_F_BULK_LAST))
		BAD("RECORDS flags 0x%02x: unknown bits", flags);
	if (p[11] != 0 || haven_get_be16(p + 14) != 0)
		BAD("RECORDS reserved octets not zero");
	if (!(flags & HAVEN_SYNC_F_BULK)) {
		if (flags != 0 || m->u.records.lo_len != 0 ||
		    m->u.records.hi_len != 0)
			BAD("a live RECORDS message with a bulk range or flag");
		if (m->u.records.n_ops == 0)
			BAD("a live RECORDS message without operations");
	} else {
		if (m->u.records.lo_len > HAVEN_SYNC_MAX_RECORD_KEY ||
		    m->u.records.hi_len > HAVEN_SYNC_MAX_RECORD_KEY)
			BAD("bulk range key longer than %d octets",
				HAVEN_SYNC_MAX_RECORD_KEY);
		if ((flags & HAVEN_SYNC_F_BULK_FIRST) &&
		    m->u.records.lo_len != 0)
			BAD("the first slice of a bulk starts after a key");
		if ((flags & HAVEN_SYNC_F_BULK_LAST) &&
		    m->u.records.hi_len != 0)
			BAD("the last slice of a bulk ends at a key");
		if (!(flags & HAVEN_SYNC_F_BULK_LAST) &&
		    m->u.records.hi_len == 0)
			BAD("a slice that is not the last without an end key");
	}
	off = RECORDS_FIXED_LEN;
	if (off + m->u.records.lo_len + m->u.records.hi_len > blen)
		BAD("bulk range keys run past the body");
	m->u.records.lo = p + off;
	off += m->u.records.lo_len;
	m->u.records.hi = p + off;
	off += m->u.records.hi_len;
	if ((flags & HAVEN_SYNC_F_BULK) && m->u.records.hi_len > 0 &&
	    sync_key_cmp(m->u.records.hi, m->u.records.hi_len,
		    m->u.records.lo, m->u.records.lo_len) <= 0)
		BAD("bulk range ends before it starts");
	m->u.records.ops = p + off;
	m->u.records.ops_len = blen - off;
	return check_ops(m, err, errlen);
}

static int
decode_body(const uint8_t *p, size_t blen, struct haven_sync_msg *m,
	char *err, size_t errlen)
{
	size_t want = 0;

	switch (m->type) {
	case HAVEN_SYNC_HELLO:
		want = HELLO_LEN;
		break;
	case HAVEN_SYNC_SESSION:
		want = SESSION_LEN;
		break;
	case HAVEN_SYNC_RECORDS:
		return decode_records(p, blen, m, err, errlen);
	case HAVEN_SYNC_ACK:
		want = ACK_LEN;
		break;
	case HAVEN_SYNC_HEARTBEAT:
		want = HEARTBEAT_LEN;
		break;
	case HAVEN_SYNC_BYE:
		want = BYE_LEN;
		break;
	default:
		BAD("unknown type %u", m->type);
	}
	if (blen != want)
		BAD("%s body of %zu octets, not %zu",
			haven_sync_type_name(m->type), blen, want);

	switch (m->type) {
	case HAVEN_SYNC_HELLO:
		m->u.hello.nonce = haven_get_be64(p);
		m->u.hello.boot_id = haven_get_be32(p + 8);
		if (haven_get_be32(p + 12) != 0)
			BAD("HELLO reserved octets not zero");
		if (m->session != 0)
			BAD("HELLO with a session id");
		if (m->u.hello.nonce == 0)
			BAD("HELLO nonce 0");
		break;
	case HAVEN_SYNC_SESSION:
		m->u.session.nonce = haven_get_be64(p);
		m->u.session.boot_id = haven_get_be32(p + 8);
		m->u.session.window = haven_get_be16(p + 12);
		m->u.session.records = haven_get_be64(p + 16);
		if (haven_get_be16(p + 14) != 0)
			BAD("SESSION reserved octets not zero");
		if (m->session == 0)
			BAD("SESSION without a session id");
		if (m->u.session.window == 0)
			BAD("SESSION window 0");
		break;
	case HAVEN_SYNC_ACK:
		m->u.ack.acked = haven_get_be64(p);
		m->u.ack.flags = p[8];
		if (p[9] != 0 || p[10] != 0 || p[11] != 0)
			BAD("ACK reserved octets not zero");
		if (m->u.ack.flags & ~HAVEN_SYNC_F_GAP)
			BAD("ACK flags 0x%02x: unknown bits", m->u.ack.flags);
		if (m->session == 0)
			BAD("ACK without a session id");
		break;
	case HAVEN_SYNC_HEARTBEAT:
		m->u.heartbeat.role = p[0];
		m->u.heartbeat.state = p[1];
		m->u.heartbeat.interval_ms = haven_get_be32(p + 4);
		m->u.heartbeat.boot_id = haven_get_be32(p + 8);
		m->u.heartbeat.stream_seq = haven_get_be64(p + 16);
		if (haven_get_be16(p + 2) != 0 || haven_get_be32(p + 12) != 0)
			BAD("HEARTBEAT reserved octets not zero");
		if (m->u.heartbeat.role > HAVEN_SYNC_ROLE_STANDBY)
			BAD("HEARTBEAT role %u", m->u.heartbeat.role);
		if (m->u.heartbeat.state > HAVEN_SYNC_S_IN_SYNC)
			BAD("HEARTBEAT state %u", m->u.heartbeat.state);
		if (m->u.heartbeat.interval_ms == 0)
			BAD("HEARTBEAT interval 0");
		break;
	case HAVEN_SYNC_BYE:
		m->u.bye.reason = p[0];
		if (p[1] != 0 || p[2] != 0 || p[3] != 0)
			BAD("BYE reserved octets not zero");
		if (m->u.bye.reason > REASON_WIRE_MAX)
			BAD("BYE reason %u", m->u.bye.reason);
		break;
	}
	return 0;
}

int
haven_sync_decode(const uint8_t *buf, size_t len, const uint8_t *key,
	size_t key_len, struct haven_sync_msg *m, char *err, size_t errlen)
{
	uint8_t mac[HAVEN_SYNC_MAC_LEN];
	size_t blen;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (buf == NULL || m == NULL || key == NULL || key_len == 0)
		BAD("no datagram or key");
	if (len < HAVEN_SYNC_HDR_LEN + HAVEN_SYNC_MAC_LEN ||
	    len > HAVEN_SYNC_MAX_MSG)
		BAD("datagram of %zu octets (%d..%d)", len,
			HAVEN_SYNC_HDR_LEN + HAVEN_SYNC_MAC_LEN,
			HAVEN_SYNC_MAX_MSG);
	if (buf[0] != HAVEN_SYNC_VERSION)
		BAD("version %u, not %d", buf[0], HAVEN_SYNC_VERSION);
	blen = len - HAVEN_SYNC_HDR_LEN - HAVEN_SYNC_MAC_LEN;
	if (hmac_sha256(key, key_len, buf, len - HAVEN_SYNC_MAC_LEN, mac) < 0) {
		haven_set_reason(err, errlen, "HMAC computation failed");
		return -EACCES;
	}
	if (CRYPTO_memcmp(mac, buf + len - HAVEN_SYNC_MAC_LEN,
			HAVEN_SYNC_MAC_LEN) != 0) {
		haven_set_reason(err, errlen, "HMAC does not verify");
		return -EACCES;
	}
	memset(m, 0, sizeof(*m));
	m->type = buf[1];
	if (haven_get_be16(buf + 2) != blen)
		BAD("body length %u, the datagram holds %zu",
			haven_get_be16(buf + 2), blen);
	m->sender_id = haven_get_be32(buf + 4);
	m->receiver_id = haven_get_be32(buf + 8);
	m->seq = haven_get_be64(buf + 12);
	m->session = haven_get_be64(buf + 20);
	if (m->seq == 0)
		BAD("sequence number 0");
	return decode_body(buf + HAVEN_SYNC_HDR_LEN, blen, m, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Names                                                              */
/* ------------------------------------------------------------------ */

const char *
haven_sync_type_name(uint8_t type)
{
	static const char *const names[] = {
		[HAVEN_SYNC_HELLO] = "HELLO",
		[HAVEN_SYNC_SESSION] = "SESSION",
		[HAVEN_SYNC_RECORDS] = "RECORDS",
		[HAVEN_SYNC_ACK] = "ACK",
		[HAVEN_SYNC_HEARTBEAT] = "HEARTBEAT",
		[HAVEN_SYNC_BYE] = "BYE",
	};

	return type >= 1 && type <= TYPE_MAX ? names[type] : "unknown";
}

const char *
haven_sync_role_name(uint8_t role)
{
	switch (role) {
	case HAVEN_SYNC_ROLE_NONE:
		return "none";
	case HAVEN_SYNC_ROLE_ACTIVE:
		return "active";
	case HAVEN_SYNC_ROLE_STANDBY:
		return "standby";
	}
	return "unknown";
}

const char *
haven_sync_state_name(uint8_t state)
{
	switch (state) {
	case HAVEN_SYNC_S_IDLE:
		return "idle";
	case HAVEN_SYNC_S_HELLO:
		return "hello";
	case HAVEN_SYNC_S_BULK:
		return "bulk";
	case HAVEN_SYNC_S_IN_SYNC:
		return "in-sync";
	}
	return "unknown";
}

const char *
haven_sync_reason_name(uint8_t reason)
{
	switch (reason) {
	case HAVEN_SYNC_R_SHUTDOWN:
		return "shutdown";
	case HAVEN_SYNC_R_ROLE_CHANGE:
		return "role-change";
	case HAVEN_SYNC_R_OVERFLOW:
		return "overflow";
	case HAVEN_SYNC_R_NEW_SESSION:
		return "new-session";
	case HAVEN_SYNC_R_PEER_DEAD:
		return "peer-dead";
	case HAVEN_SYNC_R_PEER_RESTARTED:
		return "peer-restarted";
	}
	return "unknown";
}

const char *
haven_sync_event_name(int event)
{
	switch (event) {
	case HAVEN_SYNC_EV_SESSION_UP:
		return "session-up";
	case HAVEN_SYNC_EV_BULK_DONE:
		return "bulk-done";
	case HAVEN_SYNC_EV_SESSION_DOWN:
		return "session-down";
	case HAVEN_SYNC_EV_PEER_ACTIVE:
		return "peer-active";
	case HAVEN_SYNC_EV_PEER_ALIVE:
		return "peer-alive";
	case HAVEN_SYNC_EV_APPLY_ERROR:
		return "apply-error";
	}
	return "unknown";
}
