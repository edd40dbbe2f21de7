/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state machines of the state synchronisation protocol: one context
 * per primary, which is the active or the standby of the pair as its
 * caller says (docs/ha-sync-protocol.md sections 4 to 7).
 *
 * The active keeps a queue of RECORDS messages, numbered 1, 2, ... in the
 * session (the stream sequence), and keeps at most `window` of them in
 * flight; the standby applies them strictly in that order and acknowledges
 * cumulatively, so the stream is go-back-N: a lost, duplicated or
 * reordered datagram is at worst sent again, never applied twice or out
 * of order. Every datagram also carries a sequence number of its own,
 * new at every transmission, which the receiver accepts once (a sliding
 * window, as in the delegation protocol): a replayed datagram is refused
 * before anything looks at it.
 *
 * When a standby says HELLO the active opens a session and sends its
 * whole store in bulk slices: each slice names a key range (Lo, Hi] and
 * carries every record in it, read at the moment the slice is made, and
 * the standby replaces that range of its own store by the slice. Live
 * changes for keys the bulk has already covered go into the stream
 * behind the slice that covered them; changes for keys not covered yet
 * are left to the slice that will cover them, which reads them from the
 * store. Section 6.4 of the document shows why no change can be lost.
 *
 * Nothing here allocates after haven_sync_create(), and every callback is
 * called last in what triggered it.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "haven_sync.h"
#include "haven_wire.h"
#include "sync_private.h"

#define MAX_WINDOW	4096
#define MAX_QUEUE	(MAX_WINDOW * 16)
#define OPS_CAP		(HAVEN_SYNC_MAX_BODY - RECORDS_FIXED_LEN)
#define PROBE_MIN_MS	20	/* shortest probe timeout */
#define SCAN_MAX	48	/* records asked from ops.scan per slice: a
				 * little more than a slice holds */

/* A RECORDS message of the active's queue. */
struct slot {
	uint64_t stream_seq;
	uint64_t sent_ms;
	bool sent;
	uint8_t tries;
	uint8_t flags;
	uint8_t lo_len, hi_len;
	uint16_t n_ops;
	uint16_t ops_len;
	uint8_t lo[HAVEN_SYNC_MAX_RECORD_KEY];
	uint8_t hi[HAVEN_SYNC_MAX_RECORD_KEY];
	uint8_t ops[OPS_CAP];
};

/* A RECORDS datagram the standby received ahead of its turn. */
struct rbuf {
	uint64_t stream_seq;		/* 0: empty */
	uint16_t len;
	uint8_t b[HAVEN_SYNC_MAX_MSG];
};

/*
 * The last HAVEN_SYNC_REPLAY_WINDOW sequence numbers accepted: bit i of
 * the map (word i / 64) is highest - i. Wider than the delegation
 * protocol's 64: a window of RECORDS is sent in bursts of hundreds, and a
 * datagram overtaken by more than the window would be refused as old.
 */
#define REPLAY_WORDS	(HAVEN_SYNC_REPLAY_WINDOW / 64)

struct replay_window {
	uint64_t highest;
	uint64_t map[REPLAY_WORDS];
};

struct haven_sync {
	/* configuration */
	uint32_t self_id, peer_id;
	struct haven_addr peer_addr;
	uint8_t key[HAVEN_SYNC_MAX_KEY_LEN];
	size_t key_len;
	uint32_t heartbeat_ms, dead_after, window, rto_ms, bulk_per_tick;
	uint32_t boot_id;
	const struct haven_sync_ops *ops;
	void *ctx;

	/* both roles */
	enum haven_sync_role role;
	enum haven_sync_state state;
	uint64_t tx_seq;
	struct replay_window rx;
	bool peer_alive;
	uint64_t last_heard_ms;
	uint32_t peer_interval_ms;
	bool peer_is_active;
	uint64_t next_heartbeat_ms;
	uint64_t session;		/* 0: none */
	uint64_t session_seq;		/* seq that opened it (standby: the
					  * SESSION's; active: ours then) */
	uint64_t nonce;			/* HELLO nonce of the session */

	/* active */
	struct slot *ring;
	uint32_t q_cap, head, count;	/* queue of RECORDS, oldest at head */
	uint64_t next_stream_seq;
	uint64_t acked;
	bool gap_reported;		/* the standby misses the head */
	uint32_t srtt_ms;		/* smoothed round trip, x8 */
	struct slot open;		/* live changes being gathered */
	bool bulk_running;		/* slices remain to be made */
	bool bulk_first;
	uint8_t cursor[HAVEN_SYNC_MAX_RECORD_KEY];
	uint8_t cursor_len;		/* 0: nothing covered yet */
	uint64_t bulk_last_seq;		/* stream seq of the last slice */
	uint64_t bulk_start_ms;
	uint64_t bulk_records;

	/* standby */
	struct rbuf *rbuf;		/* RECORDS received ahead of order */
	uint32_t rbuf_cap;		/* = window */
	uint32_t rbuf_used;
	uint64_t next_hello_ms;
	uint64_t expected;		/* next stream seq to apply */
	uint32_t unacked;		/* applied since the last ACK */
	uint64_t ack_due_ms;		/* 0: no ACK due */
	uint64_t last_gap_ms;
	uint64_t applied_bulk;

	struct haven_sync_stats st;
};

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static void
sync_log(struct haven_sync *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
sync_log(struct haven_sync *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (s->ops->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->ops->log(s->ctx, line);
}

static void
event(struct haven_sync *s, int ev, uint64_t arg)
{
	if (s->ops->event != NULL)
		s->ops->event(s->ctx, ev, arg);
}

static uint64_t
random64(void)
{
	uint64_t v = 0;

	while (v == 0)
		if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
			v = (uint64_t)rand() << 32 | (uint64_t)rand();
	return v;
}

/* RFC 4303 style (3.4.3), with a wider window: accept each number once. */
static bool
replay_bit(const struct replay_window *r, uint64_t diff)
{
	return (r->map[diff / 64] >> (diff % 64)) & 1;
}

static void
replay_set(struct replay_window *r, uint64_t diff)
{
	r->map[diff / 64] |= 1ull << (diff % 64);
}

/* Slide the map by n positions toward older numbers. */
static void
replay_shift(struct replay_window *r, uint64_t n)
{
	uint64_t words = n / 64, bits = n % 64;
	int i;

	if (n >= HAVEN_SYNC_REPLAY_WINDOW) {
		memset(r->map, 0, sizeof(r->map));
		return;
	}
	for (i = REPLAY_WORDS - 1; i >= 0; i--) {
		uint64_t v = 0;

		if ((uint64_t)i >= words) {
			v = r->map[i - words] << bits;
			if (bits != 0 && (uint64_t)i > words)
				v |= r->map[i - words - 1] >> (64 - bits);
		}
		r->map[i] = v;
	}
}

static int
replay_check(struct replay_window *r, uint64_t seq)
{
	uint64_t diff;

	if (seq == 0)
		return -1;
	if (seq > r->highest) {
		replay_shift(r, seq - r->highest);
		r->highest = seq;
		replay_set(r, 0);
		return 0;
	}
	diff = r->highest - seq;
	if (diff >= HAVEN_SYNC_REPLAY_WINDOW || replay_bit(r, diff))
		return -1;
	replay_set(r, diff);
	return 0;
}

/* Stamp the header of m, encode it and hand it to send. */
static void
send_msg(struct haven_sync *s, struct haven_sync_msg *m)
{
	uint8_t buf[HAVEN_SYNC_MAX_MSG];
	int n;

	m->sender_id = s->self_id;
	m->receiver_id = s->peer_id;
	m->seq = ++s->tx_seq;
	n = haven_sync_encode(m, s->key, s->key_len, buf, sizeof(buf));
	if (n < 0) {
		sync_log(s, "sync: cannot encode %s (%d)",
			haven_sync_type_name(m->type), n);
		return;
	}
	s->st.tx[m->type]++;
	s->st.tx_bytes += (uint64_t)n;
	s->ops->send(s->ctx, buf, (size_t)n);
}

static void
send_simple(struct haven_sync *s, uint8_t type)
{
	struct haven_sync_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.session = s->session;
	switch (type) {
	case HAVEN_SYNC_HEARTBEAT:
		m.u.heartbeat.role = (uint8_t)s->role;
		m.u.heartbeat.state = (uint8_t)s->state;
		m.u.heartbeat.interval_ms = s->heartbeat_ms;
		m.u.heartbeat.boot_id = s->boot_id;
		m.u.heartbeat.stream_seq = s->role == HAVEN_SYNC_ROLE_ACTIVE ?
			s->next_stream_seq - 1 : s->expected - 1;
		break;
	case HAVEN_SYNC_HELLO:
		m.session = 0;
		m.u.hello.nonce = s->nonce;
		m.u.hello.boot_id = s->boot_id;
		break;
	case HAVEN_SYNC_SESSION:
		m.u.session.nonce = s->nonce;
		m.u.session.boot_id = s->boot_id;
		m.u.session.window = (uint16_t)s->window;
		m.u.session.records = s->ops->count != NULL ?
			s->ops->count(s->ctx) : 0;
		break;
	}
	send_msg(s, &m);
}

static void
send_ack(struct haven_sync *s, uint8_t flags, uint64_t now_ms)
{
	struct haven_sync_msg m;

	/* while anything waits behind a hole, every ACK says so */
	if (s->rbuf_used > 0)
		flags |= HAVEN_SYNC_F_GAP;
	memset(&m, 0, sizeof(m));
	m.type = HAVEN_SYNC_ACK;
	m.session = s->session;
	m.u.ack.acked = s->expected - 1;
	m.u.ack.flags = flags;
	send_msg(s, &m);
	s->unacked = 0;
	s->ack_due_ms = 0;
	if (flags & HAVEN_SYNC_F_GAP)
		s->last_gap_ms = now_ms;
}

static void
send_bye(struct haven_sync *s, uint8_t reason)
{
	struct haven_sync_msg m;

	memset(&m, 0, sizeof(m));
	m.type = HAVEN_SYNC_BYE;
	m.session = s->session;
	m.u.bye.reason = reason;
	send_msg(s, &m);
}

/* ------------------------------------------------------------------ */
/* Sessions                                                           */
/* ------------------------------------------------------------------ */

static void
reset_stream(struct haven_sync *s)
{
	s->head = 0;
	s->count = 0;
	s->next_stream_seq = 1;
	s->acked = 0;
	s->gap_reported = false;
	s->open.n_ops = 0;
	s->open.ops_len = 0;
	s->bulk_running = false;
	s->bulk_first = false;
	s->cursor_len = 0;
	s->bulk_last_seq = 0;
	s->bulk_records = 0;
	s->expected = 1;
	if (s->rbuf_used > 0) {
		uint32_t i;

		for (i = 0; i < s->rbuf_cap; i++)
			s->rbuf[i].stream_seq = 0;
		s->rbuf_used = 0;
	}
	s->unacked = 0;
	s->ack_due_ms = 0;
	s->applied_bulk = 0;
}

/* The session ends (BYE already sent when there is one to send). */
static void
session_down(struct haven_sync *s, uint8_t reason, uint64_t now_ms)
{
	if (s->session == 0)
		return;
	sync_log(s, "sync: session %016llx down (%s), was %s",
		(unsigned long long)s->session, haven_sync_reason_name(reason),
		haven_sync_state_name(s->state));
	s->session = 0;
	s->state = HAVEN_SYNC_S_IDLE;
	reset_stream(s);
	s->next_hello_ms = now_ms;
	event(s, HAVEN_SYNC_EV_SESSION_DOWN, reason);
}

/* Active: a standby asked for a session. */
static void
session_open(struct haven_sync *s, uint64_t nonce, uint64_t now_ms)
{
	if (s->session != 0)
		session_down(s, HAVEN_SYNC_R_NEW_SESSION, now_ms);
	reset_stream(s);
	s->session = random64();
	s->session_seq = s->tx_seq + 1;
	s->nonce = nonce;
	s->state = HAVEN_SYNC_S_BULK;
	s->bulk_running = true;
	s->bulk_first = true;
	s->bulk_start_ms = now_ms;
	s->st.sessions++;
	sync_log(s, "sync: session %016llx up, bulk resync starts",
		(unsigned long long)s->session);
	send_simple(s, HAVEN_SYNC_SESSION);
	event(s, HAVEN_SYNC_EV_SESSION_UP, 0);
}

/* ------------------------------------------------------------------ */
/* Active: the queue                                                  */
/* ------------------------------------------------------------------ */

static struct slot *
slot_at(struct haven_sync *s, uint32_t i)
{
	return &s->ring[(s->head + i) % s->q_cap];
}

/* Append a message to the queue; false if the queue is full. */
static bool
enqueue(struct haven_sync *s, const struct slot *m)
{
	struct slot *q;

	if (s->count == s->q_cap)
		return false;
	q = slot_at(s, s->count);
	q->stream_seq = s->next_stream_seq++;
	q->sent = false;
	q->sent_ms = 0;
	q->tries = 0;
	q->flags = m->flags;
	q->lo_len = m->lo_len;
	q->hi_len = m->hi_len;
	q->n_ops = m->n_ops;
	q->ops_len = m->ops_len;
	memcpy(q->lo, m->lo, m->lo_len);
	memcpy(q->hi, m->hi, m->hi_len);
	memcpy(q->ops, m->ops, m->ops_len);
	s->count++;
	return true;
}

static void
overflow(struct haven_sync *s, uint64_t now_ms)
{
	s->st.overflows++;
	sync_log(s, "sync: queue of %u messages full: the standby fell behind; ending the session (it will resync)",
		s->q_cap);
	send_bye(s, HAVEN_SYNC_R_OVERFLOW);
	session_down(s, HAVEN_SYNC_R_OVERFLOW, now_ms);
}

/* Close the open live message into the queue. */
static void
close_open(struct haven_sync *s, uint64_t now_ms)
{
	if (s->open.n_ops == 0)
		return;
	s->open.flags = 0;
	s->open.lo_len = 0;
	s->open.hi_len = 0;
	if (!enqueue(s, &s->open)) {
		overflow(s, now_ms);
		return;
	}
	s->open.n_ops = 0;
	s->open.ops_len = 0;
}

static void
send_slot(struct haven_sync *s, struct slot *q, uint64_t now_ms)
{
	struct haven_sync_msg m;

	memset(&m, 0, sizeof(m));
	m.type = HAVEN_SYNC_RECORDS;
	m.session = s->session;
	m.u.records.stream_seq = q->stream_seq;
	m.u.records.flags = q->flags;
	m.u.records.lo_len = q->lo_len;
	m.u.records.lo = q->lo;
	m.u.records.hi_len = q->hi_len;
	m.u.records.hi = q->hi;
	m.u.records.n_ops = q->n_ops;
	m.u.records.ops = q->ops;
	m.u.records.ops_len = q->ops_len;
	if (q->tries > 0)
		s->st.retransmits++;
	else
		s->st.records_sent += q->n_ops;
	q->tries++;
	q->sent = true;
	q->sent_ms = now_ms;
	send_msg(s, &m);
}

/* Send what the window allows. */
static void
pump(struct haven_sync *s, uint64_t now_ms)
{
	uint32_t i;

	for (i = 0; i < s->count; i++) {
		struct slot *q = slot_at(s, i);

		if (q->stream_seq > s->acked + s->window)
			break;
		if (!q->sent)
			send_slot(s, q, now_ms);
	}
}

/*
 * Retransmission timeouts. A probe: when the oldest message has waited
 * four round trips and twice the standby's ACK delay (at least
 * PROBE_MIN_MS, at most rto_ms) without an
 * acknowledgement, it alone goes again; its ACK, or the gap report it
 * provokes, tells the rest (a lost ACK costs one message, not a window).
 * The full timeout: every message in flight sent rto_ms ago or more goes
 * again (a link that was down for a while).
 */
static void
retransmit_stale(struct haven_sync *s, uint64_t now_ms)
{
	uint64_t probe = (uint64_t)s->srtt_ms / 2 + 2 * HAVEN_SYNC_ACK_DELAY_MS;
	struct slot *head;
	bool any = false;
	uint32_t i;

	if (s->count == 0)
		return;
	head = slot_at(s, 0);
	if (probe < PROBE_MIN_MS)
		probe = PROBE_MIN_MS;
	if (probe > s->rto_ms)
		probe = s->rto_ms;
	for (i = 0; i < s->count; i++) {
		struct slot *q = slot_at(s, i);

		if (q->sent && now_ms - q->sent_ms >= s->rto_ms) {
			q->sent = false;
			any = true;
		}
	}
	if (any) {
		s->st.go_backs++;
		return;
	}
	if (head->sent && now_ms - head->sent_ms >= probe) {
		s->st.probes++;
		send_slot(s, head, now_ms);
	}
}

/*
 * How long a gap report waits for a retransmission already on its way:
 * twice the smoothed round trip plus a millisecond, at most
 * HAVEN_SYNC_GAP_HOLDOFF_MS.
 */
static uint64_t
gap_holdoff(const struct haven_sync *s)
{
	uint64_t h = (uint64_t)s->srtt_ms / 4 + 1;

	return h < HAVEN_SYNC_GAP_HOLDOFF_MS ? h : HAVEN_SYNC_GAP_HOLDOFF_MS;
}

/*
 * Fast retransmission: the standby reported a gap after `acked`, so the
 * first message it misses goes again as soon as the one sent before has
 * had time to arrive (gap_holdoff()). Called on a gap report and at every
 * tick while the report stands (until an ACK without the gap flag), so
 * that a hole is filled even when its retransmission is lost and the
 * window is exhausted, with nothing else to prompt another report.
 */
static void
fill_gap(struct haven_sync *s, uint64_t now_ms)
{
	struct slot *q;

	if (!s->gap_reported || s->count == 0)
		return;
	q = slot_at(s, 0);
	if (!q->sent || now_ms - q->sent_ms < gap_holdoff(s))
		return;
	s->st.fast_retransmits++;
	send_slot(s, q, now_ms);
}

/* ------------------------------------------------------------------ */
/* Active: the bulk                                                   */
/* ------------------------------------------------------------------ */

struct slice_ctx {
	struct slot *q;
	size_t cap;
	bool full;
	unsigned int n;
	uint8_t last[HAVEN_SYNC_MAX_RECORD_KEY];
	uint8_t last_len;
	unsigned int skipped;
};

static int
slice_cb(void *cb_ctx, const uint8_t *key, size_t klen, const uint8_t *val,
	size_t vlen)
{
	struct slice_ctx *c = cb_ctx;
	struct haven_sync_op op = {
		.op = HAVEN_SYNC_OP_PUT,
		.key_len = (uint8_t)klen,
		.val_len = (uint16_t)vlen,
		.key = key,
		.val = val,
	};
	size_t len = c->q->ops_len;
	int rc;

	if (klen > HAVEN_SYNC_MAX_RECORD_KEY || klen == 0) {
		c->skipped++;	/* cannot be named on the wire: skip it */
		return 0;
	}
	rc = haven_sync_op_append(c->q->ops, c->cap, &len, &op);
	if (rc == -ENOSPC) {
		c->full = true;
		return 1;
	}
	if (rc < 0) {
		c->skipped++;	/* a value too large to carry */
	} else {
		c->q->ops_len = (uint16_t)len;
		c->q->n_ops++;
		c->n++;
	}
	memcpy(c->last, key, klen);
	c->last_len = (uint8_t)klen;
	return 0;
}

/* Make one slice; false when the bulk cannot go on now. */
static bool
make_slice(struct haven_sync *s, uint64_t now_ms)
{
	struct slot q;
	struct slice_ctx c;
	int got;

	memset(&c, 0, sizeof(c));
	q.n_ops = 0;
	q.ops_len = 0;
	q.lo_len = s->cursor_len;
	memcpy(q.lo, s->cursor, s->cursor_len);
	c.q = &q;
	c.cap = OPS_CAP - q.lo_len - HAVEN_SYNC_MAX_RECORD_KEY;
	got = s->ops->scan(s->ctx, s->cursor, s->cursor_len, SCAN_MAX,
		slice_cb, &c);
	if (got < 0) {
		sync_log(s, "sync: bulk: reading the store failed (%d); retrying next tick",
			got);
		return false;
	}
	if (c.skipped > 0)
		sync_log(s, "sync: bulk: %u records too large for the wire skipped",
			c.skipped);
	q.flags = HAVEN_SYNC_F_BULK;
	if (s->bulk_first)
		q.flags |= HAVEN_SYNC_F_BULK_FIRST;
	if (!c.full && (unsigned int)got < SCAN_MAX) {
		q.flags |= HAVEN_SYNC_F_BULK_LAST;
		q.hi_len = 0;
	} else {
		q.hi_len = c.last_len;
		memcpy(q.hi, c.last, c.last_len);
	}
	if (!enqueue(s, &q))
		return false;	/* cannot happen: made only below the window */
	s->bulk_first = false;
	s->bulk_records += c.n;
	if (q.flags & HAVEN_SYNC_F_BULK_LAST) {
		s->bulk_running = false;
		s->bulk_last_seq = s->next_stream_seq - 1;
		sync_log(s, "sync: bulk: last slice queued (%llu records in %llu ms)",
			(unsigned long long)s->bulk_records,
			(unsigned long long)(now_ms - s->bulk_start_ms));
	} else {
		memcpy(s->cursor, q.hi, q.hi_len);
		s->cursor_len = q.hi_len;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Public: creation and roles                                         */
/* ------------------------------------------------------------------ */

struct haven_sync *
haven_sync_create(const struct haven_sync_params *p, uint64_t now_ms)
{
	struct haven_sync *s;
	uint32_t window, queue;

	if (p == NULL || p->ops == NULL || p->ops->send == NULL ||
	    p->ops->scan == NULL || p->ops->apply == NULL ||
	    p->key == NULL || p->key_len == 0 ||
	    p->key_len > HAVEN_SYNC_MAX_KEY_LEN || p->self_id == 0 ||
	    p->peer_id == 0 || p->self_id == p->peer_id) {
		errno = EINVAL;
		return NULL;
	}
	window = p->window != 0 ? p->window : HAVEN_SYNC_WINDOW;
	queue = p->queue != 0 ? p->queue : window * HAVEN_SYNC_QUEUE_FACTOR;
	if (window > MAX_WINDOW || queue < window || queue > MAX_QUEUE) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->ring = calloc(queue, sizeof(*s->ring));
	s->rbuf = calloc(window, sizeof(*s->rbuf));
	if (s->ring == NULL || s->rbuf == NULL) {
		free(s->ring);
		free(s->rbuf);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->q_cap = queue;
	s->rbuf_cap = window;
	s->window = window;
	s->self_id = p->self_id;
	s->peer_id = p->peer_id;
	s->peer_addr = p->peer_addr;
	memcpy(s->key, p->key, p->key_len);
	s->key_len = p->key_len;
	s->heartbeat_ms = p->heartbeat_ms != 0 ? p->heartbeat_ms :
		HAVEN_SYNC_HEARTBEAT_MS;
	s->dead_after = p->dead_after != 0 ? p->dead_after :
		HAVEN_SYNC_DEAD_AFTER;
	s->rto_ms = p->rto_ms != 0 ? p->rto_ms : HAVEN_SYNC_RTO_MS;
	s->bulk_per_tick = p->bulk_per_tick != 0 ? p->bulk_per_tick :
		HAVEN_SYNC_BULK_PER_TICK;
	s->boot_id = p->boot_id;
	s->ops = p->ops;
	s->ctx = p->ctx;
	s->tx_seq = p->seq_base;
	s->role = HAVEN_SYNC_ROLE_NONE;
	s->state = HAVEN_SYNC_S_IDLE;
	s->last_heard_ms = now_ms;
	s->peer_interval_ms = s->heartbeat_ms;
	s->next_heartbeat_ms = now_ms;
	reset_stream(s);
	return s;
}

void
haven_sync_free(struct haven_sync *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s->key, sizeof(s->key));
	free(s->ring);
	free(s->rbuf);
	free(s);
}

void
haven_sync_set_role(struct haven_sync *s, enum haven_sync_role role,
	uint64_t now_ms)
{
	if (s == NULL || role == s->role || role > HAVEN_SYNC_ROLE_STANDBY)
		return;
	sync_log(s, "sync: role %s -> %s", haven_sync_role_name(s->role),
		haven_sync_role_name(role));
	if (s->session != 0) {
		send_bye(s, HAVEN_SYNC_R_ROLE_CHANGE);
		session_down(s, HAVEN_SYNC_R_ROLE_CHANGE, now_ms);
	}
	s->role = role;
	s->state = HAVEN_SYNC_S_IDLE;
	reset_stream(s);
	s->peer_is_active = false;
	/* tell the peer at once, and ask for a session at once */
	s->next_heartbeat_ms = now_ms;
	s->next_hello_ms = now_ms;
	haven_sync_tick(s, now_ms);
}

void
haven_sync_shutdown(struct haven_sync *s, uint64_t now_ms)
{
	if (s == NULL)
		return;
	if (s->session != 0) {
		send_bye(s, HAVEN_SYNC_R_SHUTDOWN);
		session_down(s, HAVEN_SYNC_R_SHUTDOWN, now_ms);
	}
	s->role = HAVEN_SYNC_ROLE_NONE;
	s->state = HAVEN_SYNC_S_IDLE;
}

/* ------------------------------------------------------------------ */
/* Public: changes                                                    */
/* ------------------------------------------------------------------ */

int
haven_sync_change(struct haven_sync *s, int op, const uint8_t *key,
	size_t key_len, const uint8_t *val, size_t val_len)
{
	struct haven_sync_op o = {
		.op = (uint8_t)op,
		.key_len = (uint8_t)key_len,
		.val_len = (uint16_t)val_len,
		.key = key,
		.val = val,
	};
	size_t len;
	int rc;

	if (s == NULL || key == NULL || key_len == 0 ||
	    key_len > HAVEN_SYNC_MAX_RECORD_KEY ||
	    val_len > HAVEN_SYNC_MAX_RECORD_VALUE ||
	    (op != HAVEN_SYNC_OP_PUT && op != HAVEN_SYNC_OP_DELETE))
		return -EINVAL;
	if (op == HAVEN_SYNC_OP_DELETE)
		o.val_len = 0;
	if (s->role != HAVEN_SYNC_ROLE_ACTIVE)
		return 0;
	if (s->session == 0) {
		s->st.no_session++;
		return 0;
	}
	/* a key the bulk has not covered yet: the slice will read it */
	if (s->bulk_running && (s->cursor_len == 0 ||
			sync_key_cmp(key, key_len, s->cursor,
				s->cursor_len) > 0)) {
		s->st.suppressed++;
		return 0;
	}
	len = s->open.ops_len;
	rc = haven_sync_op_append(s->open.ops, OPS_CAP, &len, &o);
	if (rc == -ENOSPC) {
		close_open(s, 0);	/* the time only matters to a standby */
		if (s->session == 0)
			return 0;	/* overflowed: the next bulk has it */
		len = 0;
		rc = haven_sync_op_append(s->open.ops, OPS_CAP, &len, &o);
	}
	if (rc < 0)
		return rc;
	s->open.ops_len = (uint16_t)len;
	s->open.n_ops++;
	return 0;
}

void
haven_sync_flush(struct haven_sync *s, uint64_t now_ms)
{
	if (s == NULL || s->role != HAVEN_SYNC_ROLE_ACTIVE || s->session == 0)
		return;
	close_open(s, now_ms);
	if (s->session != 0)
		pump(s, now_ms);
}

/* ------------------------------------------------------------------ */
/* Input                                                              */
/* ------------------------------------------------------------------ */

/* Types each role takes (bit per type). */
static uint32_t
accepted_types(enum haven_sync_role role)
{
	uint32_t common = 1u << HAVEN_SYNC_HEARTBEAT | 1u << HAVEN_SYNC_BYE;

	switch (role) {
	case HAVEN_SYNC_ROLE_ACTIVE:
		return common | 1u << HAVEN_SYNC_HELLO | 1u << HAVEN_SYNC_ACK;
	case HAVEN_SYNC_ROLE_STANDBY:
		return common | 1u << HAVEN_SYNC_SESSION |
			1u << HAVEN_SYNC_RECORDS;
	case HAVEN_SYNC_ROLE_NONE:
		break;
	}
	return common;
}

static void
heard(struct haven_sync *s, uint64_t now_ms)
{
	s->last_heard_ms = now_ms;
	if (!s->peer_alive) {
		s->peer_alive = true;
		sync_log(s, "sync: peer %u heard", s->peer_id);
		event(s, HAVEN_SYNC_EV_PEER_ALIVE, 1);
	}
}

/* Standby: apply one RECORDS message in order. */
static void
apply_records(struct haven_sync *s, const struct haven_sync_msg *m)
{
	struct haven_sync_op op;
	size_t off = 0;
	int rc;

	if (m->u.records.flags & HAVEN_SYNC_F_BULK) {
		rc = s->ops->apply(s->ctx, HAVEN_SYNC_OP_DELETE_RANGE,
			m->u.records.lo, m->u.records.lo_len,
			m->u.records.hi_len > 0 ? m->u.records.hi : NULL,
			m->u.records.hi_len);
		if (rc < 0) {
			s->st.apply_errors++;
			event(s, HAVEN_SYNC_EV_APPLY_ERROR, (uint64_t)-rc);
		}
	}
	while (haven_sync_op_next(m, &off, &op)) {
		rc = s->ops->apply(s->ctx, op.op, op.key, op.key_len, op.val,
			op.val_len);
		if (rc < 0) {
			s->st.apply_errors++;
			event(s, HAVEN_SYNC_EV_APPLY_ERROR, (uint64_t)-rc);
			continue;
		}
		s->st.applied++;
		if (m->u.records.flags & HAVEN_SYNC_F_BULK)
			s->applied_bulk++;
	}
}

/* Standby: the in-order message m is applied; then what it unblocks. */
static void
apply_in_order(struct haven_sync *s, const struct haven_sync_msg *m,
	uint64_t now_ms)
{
	struct haven_sync_msg next;
	struct rbuf *r;
	bool last;

	for (;;) {
		apply_records(s, m);
		s->expected++;
		s->unacked++;
		last = (m->u.records.flags & HAVEN_SYNC_F_BULK_LAST) != 0;
		if (last) {
			s->state = HAVEN_SYNC_S_IN_SYNC;
			s->st.bulks_done++;
			s->st.bulk_records = s->applied_bulk;
			sync_log(s, "sync: in sync: bulk of %llu records applied",
				(unsigned long long)s->applied_bulk);
			event(s, HAVEN_SYNC_EV_BULK_DONE, s->applied_bulk);
		}
		r = &s->rbuf[s->expected % s->rbuf_cap];
		if (r->stream_seq != s->expected)
			break;
		/* it was authenticated and checked when it came */
		if (haven_sync_decode(r->b, r->len, s->key, s->key_len, &next,
				NULL, 0) < 0) {
			r->stream_seq = 0;
			s->rbuf_used--;
			break;
		}
		r->stream_seq = 0;
		s->rbuf_used--;
		m = &next;
	}
	if (s->rbuf_used > 0)
		send_ack(s, HAVEN_SYNC_F_GAP, now_ms);	/* another hole */
	else if (last || s->unacked >= HAVEN_SYNC_ACK_EVERY)
		send_ack(s, 0, now_ms);
	else if (s->ack_due_ms == 0)
		s->ack_due_ms = now_ms + HAVEN_SYNC_ACK_DELAY_MS;
}

static int
input_records(struct haven_sync *s, const struct haven_sync_msg *m,
	const uint8_t *buf, size_t len, uint64_t now_ms)
{
	uint64_t seq = m->u.records.stream_seq;
	struct rbuf *r;

	if (s->session == 0 || m->session != s->session ||
	    (s->state != HAVEN_SYNC_S_BULK &&
	     s->state != HAVEN_SYNC_S_IN_SYNC)) {
		s->st.wrong_session++;
		return -ESRCH;
	}
	if (seq < s->expected) {
		s->st.duplicates++;
		if (s->ack_due_ms == 0 || s->ack_due_ms > now_ms)
			s->ack_due_ms = now_ms;
		return 0;
	}
	if (seq > s->expected) {
		/* ahead of its turn: keep it if there is room, report the gap */
		s->st.out_of_order++;
		if (seq - s->expected >= s->rbuf_cap)
			return -ESRCH;	/* beyond the window: sent again later */
		r = &s->rbuf[seq % s->rbuf_cap];
		if (r->stream_seq != seq) {
			r->stream_seq = seq;
			r->len = (uint16_t)len;
			memcpy(r->b, buf, len);
			s->rbuf_used++;
		}
		if (s->last_gap_ms == 0 || now_ms - s->last_gap_ms >=
				HAVEN_SYNC_GAP_HOLDOFF_MS / 2)
			send_ack(s, HAVEN_SYNC_F_GAP, now_ms);
		return 0;
	}
	apply_in_order(s, m, now_ms);
	return 0;
}

static int
input_ack(struct haven_sync *s, const struct haven_sync_msg *m,
	uint64_t now_ms)
{
	uint64_t acked = m->u.ack.acked;

	if (s->session == 0 || m->session != s->session) {
		s->st.wrong_session++;
		return -ESRCH;
	}
	if (acked >= s->next_stream_seq) {
		s->st.unexpected++;	/* acks what was never sent */
		return -EPROTO;
	}
	while (s->count > 0 && slot_at(s, 0)->stream_seq <= acked) {
		struct slot *q = slot_at(s, 0);

		/* Karn: only a message sent once times the round trip */
		if (q->tries == 1 && (s->count == 1 ||
				slot_at(s, 1)->stream_seq > acked)) {
			uint32_t rtt = (uint32_t)(now_ms - q->sent_ms);

			s->srtt_ms = s->srtt_ms == 0 ? rtt * 8 :
				s->srtt_ms - s->srtt_ms / 8 + rtt;
		}
		s->head = (s->head + 1) % s->q_cap;
		s->count--;
	}
	if (acked > s->acked)
		s->acked = acked;
	if (s->state == HAVEN_SYNC_S_BULK && s->bulk_last_seq != 0 &&
	    s->acked >= s->bulk_last_seq) {
		s->state = HAVEN_SYNC_S_IN_SYNC;
		s->st.bulks_done++;
		s->st.bulk_records = s->bulk_records;
		s->st.bulk_ms = now_ms - s->bulk_start_ms;
		sync_log(s, "sync: standby in sync: bulk of %llu records acked in %llu ms",
			(unsigned long long)s->bulk_records,
			(unsigned long long)s->st.bulk_ms);
		event(s, HAVEN_SYNC_EV_BULK_DONE, s->bulk_records);
	}
	s->gap_reported = (m->u.ack.flags & HAVEN_SYNC_F_GAP) != 0;
	fill_gap(s, now_ms);
	pump(s, now_ms);
	return 0;
}

static void
input_heartbeat(struct haven_sync *s, const struct haven_sync_msg *m,
	uint64_t now_ms)
{
	bool active = m->u.heartbeat.role == HAVEN_SYNC_ROLE_ACTIVE;

	s->peer_interval_ms = m->u.heartbeat.interval_ms;
	if (s->role == HAVEN_SYNC_ROLE_ACTIVE && active != s->peer_is_active) {
		s->peer_is_active = active;
		if (active) {
			s->st.dual_active++;
			sync_log(s, "sync: peer %u says it is active too",
				s->peer_id);
		}
		event(s, HAVEN_SYNC_EV_PEER_ACTIVE, active);
	}
	/* the active restarted or dropped our session: ask again */
	if (s->role == HAVEN_SYNC_ROLE_STANDBY && s->session != 0 &&
	    m->seq > s->session_seq && m->session != s->session)
		session_down(s, HAVEN_SYNC_R_PEER_RESTARTED, now_ms);
}

int
haven_sync_input(struct haven_sync *s, const struct haven_addr *src,
	const uint8_t *buf, size_t len, uint64_t now_ms)
{
	struct haven_sync_msg m;
	char err[160];
	int rc;

	if (s == NULL || buf == NULL)
		return -EINVAL;
	/* 1. length and version; 2. the sender is our peer */
	if (len < HAVEN_SYNC_HDR_LEN + HAVEN_SYNC_MAC_LEN ||
	    len > HAVEN_SYNC_MAX_MSG || buf[0] != HAVEN_SYNC_VERSION) {
		s->st.malformed++;
		return -EBADMSG;
	}
	if (haven_get_be32(buf + 4) != s->peer_id) {
		s->st.unknown_sender++;
		return -ENOENT;
	}
	/* 3. HMAC, 4. well formed */
	rc = haven_sync_decode(buf, len, s->key, s->key_len, &m, err,
		sizeof(err));
	if (rc == -EACCES) {
		s->st.bad_auth++;
		return rc;
	}
	if (rc < 0) {
		s->st.malformed++;
		sync_log(s, "sync: malformed %s from peer %u: %s",
			haven_sync_type_name(buf[1]), s->peer_id, err);
		return rc;
	}
	/* 5. for us, from the peer's address */
	if (m.receiver_id != s->self_id) {
		s->st.misdirected++;
		return -EADDRNOTAVAIL;
	}
	if (src == NULL || !haven_addr_eq(src, &s->peer_addr)) {
		s->st.misdirected++;
		return -EPERM;
	}
	/* 6. a type this role takes; 7. not replayed */
	if (!(accepted_types(s->role) & (1u << m.type))) {
		s->st.unexpected++;
		return -EPROTO;
	}
	if (replay_check(&s->rx, m.seq) < 0) {
		s->st.replayed++;
		return -EALREADY;
	}
	/* 8. heard, processed */
	s->st.rx[m.type]++;
	s->st.rx_bytes += len;
	heard(s, now_ms);

	switch (m.type) {
	case HAVEN_SYNC_HELLO:
		if (s->session != 0 && m.u.hello.nonce == s->nonce) {
			send_simple(s, HAVEN_SYNC_SESSION);	/* lost: again */
			return 0;
		}
		session_open(s, m.u.hello.nonce, now_ms);
		pump(s, now_ms);
		return 0;
	case HAVEN_SYNC_SESSION:
		if (s->state != HAVEN_SYNC_S_HELLO ||
		    m.u.session.nonce != s->nonce) {
			s->st.wrong_session++;
			return -ESRCH;
		}
		reset_stream(s);
		s->session = m.session;
		s->session_seq = m.seq;
		s->state = HAVEN_SYNC_S_BULK;
		s->st.sessions++;
		sync_log(s, "sync: session %016llx up (active window %u)",
			(unsigned long long)s->session, m.u.session.window);
		event(s, HAVEN_SYNC_EV_SESSION_UP, m.u.session.records);
		return 0;
	case HAVEN_SYNC_RECORDS:
		return input_records(s, &m, buf, len, now_ms);
	case HAVEN_SYNC_ACK:
		return input_ack(s, &m, now_ms);
	case HAVEN_SYNC_HEARTBEAT:
		input_heartbeat(s, &m, now_ms);
		return 0;
	case HAVEN_SYNC_BYE:
		if (s->session == 0 || m.session != s->session) {
			s->st.wrong_session++;
			return -ESRCH;
		}
		session_down(s, m.u.bye.reason, now_ms);
		return 0;
	}
	return -EPROTO;
}

/* ------------------------------------------------------------------ */
/* Tick                                                               */
/* ------------------------------------------------------------------ */

static void
check_liveness(struct haven_sync *s, uint64_t now_ms)
{
	uint64_t dead = (uint64_t)s->dead_after * s->peer_interval_ms;

	if (now_ms - s->last_heard_ms <= dead)
		return;
	if (s->peer_alive) {
		s->peer_alive = false;
		sync_log(s, "sync: peer %u silent for %llu ms: dead",
			s->peer_id,
			(unsigned long long)(now_ms - s->last_heard_ms));
		event(s, HAVEN_SYNC_EV_PEER_ALIVE, 0);
	}
	if (s->peer_is_active) {
		s->peer_is_active = false;
		event(s, HAVEN_SYNC_EV_PEER_ACTIVE, 0);
	}
	session_down(s, HAVEN_SYNC_R_PEER_DEAD, now_ms);
}

void
haven_sync_tick(struct haven_sync *s, uint64_t now_ms)
{
	uint32_t made;

	if (s == NULL)
		return;
	check_liveness(s, now_ms);
	if (now_ms >= s->next_heartbeat_ms) {
		send_simple(s, HAVEN_SYNC_HEARTBEAT);
		s->next_heartbeat_ms = now_ms + s->heartbeat_ms;
	}

	if (s->role == HAVEN_SYNC_ROLE_STANDBY) {
		if ((s->state == HAVEN_SYNC_S_IDLE ||
		     s->state == HAVEN_SYNC_S_HELLO) &&
		    now_ms >= s->next_hello_ms) {
			if (s->state == HAVEN_SYNC_S_IDLE)
				s->nonce = random64();
			s->state = HAVEN_SYNC_S_HELLO;
			send_simple(s, HAVEN_SYNC_HELLO);
			s->next_hello_ms = now_ms + HAVEN_SYNC_HELLO_MS;
		}
		if (s->session != 0 && s->ack_due_ms != 0 &&
		    now_ms >= s->ack_due_ms)
			send_ack(s, 0, now_ms);
		/* a hole stays reported until it is filled (ACKs get lost) */
		else if (s->session != 0 && s->rbuf_used > 0 &&
			 now_ms - s->last_gap_ms >=
				HAVEN_SYNC_GAP_HOLDOFF_MS / 2)
			send_ack(s, HAVEN_SYNC_F_GAP, now_ms);
		return;
	}
	if (s->role != HAVEN_SYNC_ROLE_ACTIVE || s->session == 0)
		return;

	close_open(s, now_ms);
	if (s->session == 0)
		return;
	for (made = 0; s->bulk_running && made < s->bulk_per_tick &&
			s->count < s->window; made++)
		if (!make_slice(s, now_ms))
			break;
	fill_gap(s, now_ms);
	retransmit_stale(s, now_ms);
	pump(s, now_ms);
}

/* ------------------------------------------------------------------ */
/* Accessors                                                          */
/* ------------------------------------------------------------------ */

enum haven_sync_role
haven_sync_role(const struct haven_sync *s)
{
	return s != NULL ? s->role : HAVEN_SYNC_ROLE_NONE;
}

enum haven_sync_state
haven_sync_state(const struct haven_sync *s)
{
	return s != NULL ? s->state : HAVEN_SYNC_S_IDLE;
}

bool
haven_sync_peer_alive(const struct haven_sync *s)
{
	return s != NULL && s->peer_alive;
}

void
haven_sync_stats_get(const struct haven_sync *s, struct haven_sync_stats *st)
{
	uint32_t i, in_flight = 0;

	if (s == NULL || st == NULL)
		return;
	*st = s->st;
	for (i = 0; i < s->count; i++)
		if (s->ring[(s->head + i) % s->q_cap].sent)
			in_flight++;
	st->in_flight = in_flight;
	st->queued = s->count;
}
