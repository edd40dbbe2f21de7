/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The primary home agent's side of the delegation protocol: one small
 * state machine per binding (LOCAL, STARTING, DELEGATED, UPDATING,
 * STOPPING, MOVING) that sends Start and Stop Forwarding, retransmits them
 * with backoff until acknowledged or given up, moves bindings between
 * secondaries make-before-break, and hands the binding back to the PHA
 * when an SHA refuses, falls silent, restarts or turns out not to hold it.
 *
 * The machine is a table, state x event -> handler, the one printed in
 * docs/delegation-protocol.md section 6.1; every state change goes through
 * change_state(), which logs "old -> new". A handler raises at most one
 * event to the caller and does so as its last action, so the caller's
 * event callback may call delegate, update, undelegate, move and forget on
 * any binding (this one included) without the library touching stale
 * state afterwards.
 *
 * What goes on the wire is decided apart from the machine (section 11.4,
 * flow control): a handler only queues a transaction (struct
 * haven_deleg_txn) on its SHA's queue; the pump sends queued transactions
 * as the SHA's window of outstanding transactions and its window of
 * request datagrams allow, packs them into BATCHes for an SHA that speaks
 * the scale extension, retransmits those whose timer ran out, and gives
 * up on those sent HAVEN_DELEG_RETX_TRIES times (22, 20.4 s: a lossy
 * path that works is not taken for an SHA that does not answer). Each
 * request datagram is answered by one datagram, so the windows bound what
 * can arrive at the caller's receive ring. A binding has two transaction
 * slots: its own (t) and, after a move, the STOP that releases the SHA it
 * moved away from (rel).
 *
 * IPv4 and IPv6 bindings run the same machine; acks and report entries
 * match a binding only in their own family.
 */

#include <errno.h>
#include <string.h>

#include "haven_deleg.h"
#include "deleg_private.h"

/* What can happen to a binding (the columns of the table). */
enum pha_event {
	PHA_EV_DELEGATE,	/* caller: haven_deleg_pha_delegate() */
	PHA_EV_UPDATE,		/* caller: haven_deleg_pha_update() */
	PHA_EV_UNDELEGATE,	/* caller: haven_deleg_pha_undelegate() */
	PHA_EV_ACK_OK,		/* the outstanding transaction acked OK */
	PHA_EV_ACK_REFUSED,	/* ... acked with another status */
	PHA_EV_TIMER,		/* sent RETX_TRIES times, no answer */
	PHA_EV_PEER_LOST,	/* an SHA of it is dead, restarted, lost it */
	PHA_EV_MOVE,		/* a queued move's turn came */
	PHA_EV_MAX,
};

static const char *const pha_event_names[PHA_EV_MAX] = {
	[PHA_EV_DELEGATE] = "delegate",
	[PHA_EV_UPDATE] = "update",
	[PHA_EV_UNDELEGATE] = "undelegate",
	[PHA_EV_ACK_OK] = "ack OK",
	[PHA_EV_ACK_REFUSED] = "ack refused",
	[PHA_EV_TIMER] = "no answer",
	[PHA_EV_PEER_LOST] = "peer lost",
	[PHA_EV_MOVE] = "move",
};

/* Arguments of an event. */
struct pha_args {
	uint64_t now_ms;
	struct haven_deleg_peer *peer;	/* DELEGATE, MOVE: target;
					 * PEER_LOST: the SHA lost */
	uint8_t status;			/* ACK_*, UNDELEGATE, PEER_LOST */
	uint8_t reason;			/* UNDELEGATE: stop reason */
};

typedef void (*pha_handler)(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, const struct pha_args *a);

#define N_STATES (HAVEN_DELEG_S_MOVING + 1)

static void pump_peer(struct haven_deleg_pha *pha,
		struct haven_deleg_peer *peer, uint64_t now_ms);

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static void
change_state(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		enum haven_deleg_state to, enum pha_event why, uint64_t now_ms)
{
	char addr[DELEG_ADDR_STRLEN];

	deleg_log(pha->ops->log, pha->ctx, "deleg: %s: %s -> %s (%s)",
		haven_addr_str(&b->info.home_addr, addr),
		haven_deleg_state_name(b->state), haven_deleg_state_name(to),
		pha_event_names[why]);
	b->state = to;
	b->since_ms = now_ms;
	pha->stats.transitions++;
}

static void
raise_event(struct haven_deleg_pha *pha, int event,
		struct haven_deleg_binding *b, struct haven_deleg_peer *peer,
		uint8_t status)
{
	if (pha->ops->event != NULL)
		pha->ops->event(pha->ctx, event, b, peer, status);
}

static uint32_t
new_txn(struct haven_deleg_pha *pha)
{
	if (++pha->next_txn == 0)
		pha->next_txn = 1;
	return pha->next_txn;
}

/* Wait after the n-th send: 200, 400, 800, then 1000 ms. */
static uint64_t
backoff_ms(unsigned int sends)
{
	uint64_t ms = HAVEN_DELEG_RETX_INITIAL_MS;

	while (sends > 1 && ms < HAVEN_DELEG_RETX_MAX_MS) {
		ms *= 2;
		sends--;
	}
	return ms < HAVEN_DELEG_RETX_MAX_MS ? ms : HAVEN_DELEG_RETX_MAX_MS;
}

static bool
is_our_peer(const struct haven_deleg_pha *pha,
		const struct haven_deleg_peer *peer)
{
	return peer >= pha->peers && peer < pha->peers + pha->n_peers;
}

/* ------------------------------------------------------------------ */
/* Transactions: queue, pending, idle                                 */
/* ------------------------------------------------------------------ */

/* A binding's transaction slots know their binding. */
static void
binding_prepare(struct haven_deleg_binding *b)
{
	b->t.b = b;
	b->rel.b = b;
}

/* Off its SHA's queue or pending list; idle. */
static void
txn_unlink(struct haven_deleg_txn *t)
{
	if (t->where == HAVEN_DELEG_TXN_QUEUED) {
		TAILQ_REMOVE(&t->peer->queue, t, link);
		t->peer->n_queued--;
	} else if (t->where == HAVEN_DELEG_TXN_PENDING) {
		TAILQ_REMOVE(&t->peer->pending, t, link);
		t->peer->n_outstanding--;
	}
	t->where = HAVEN_DELEG_TXN_IDLE;
}

/*
 * A new transaction of kind with peer: fresh Transaction ID, retry budget
 * reset, waiting for the window. Updates and STOPs go ahead of new
 * delegations (head), which wait their turn (tail).
 */
static void
txn_queue(struct haven_deleg_pha *pha, struct haven_deleg_txn *t,
		struct haven_deleg_peer *peer, uint8_t kind, bool head)
{
	txn_unlink(t);
	t->peer = peer;
	t->kind = kind;
	t->id = new_txn(pha);
	t->tries = 0;
	if (head)
		TAILQ_INSERT_HEAD(&peer->queue, t, link);
	else
		TAILQ_INSERT_TAIL(&peer->queue, t, link);
	peer->n_queued++;
	t->where = HAVEN_DELEG_TXN_QUEUED;
}

/* The main transaction of a binding, as its state says. */
static void
begin_transaction(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		struct haven_deleg_peer *peer, uint8_t kind, bool head)
{
	txn_queue(pha, &b->t, peer, kind, head);
}

/*
 * A request of this binding may have reached the SHA of t since t's
 * delegation (or move) began: a cancelled START still needs its STOP.
 */
static bool
txn_reached(const struct haven_deleg_txn *t)
{
	return t->sent;
}

/* ------------------------------------------------------------------ */
/* Digest of what each SHA should hold (section 11.6)                 */
/* ------------------------------------------------------------------ */

/* Count b (its current generation) in peer's digest, or in none. */
static void
hold(struct haven_deleg_binding *b, struct haven_deleg_peer *peer)
{
	if (b->held_by != NULL)
		b->held_by->digest -= b->held_digest;
	b->held_by = NULL;
	b->held_digest = 0;
	if (peer == NULL)
		return;
	b->held_digest = haven_deleg_digest(&b->info.home_addr,
		b->info.generation);
	peer->digest += b->held_digest;
	b->held_by = peer;
}

/* ------------------------------------------------------------------ */
/* Bindings on peers and on the move queue                            */
/* ------------------------------------------------------------------ */

static void
attach(struct haven_deleg_binding *b, struct haven_deleg_peer *peer)
{
	b->peer = peer;
	TAILQ_INSERT_TAIL(&peer->bindings, b, peer_link);
	peer->n_delegated++;
}

static void
peer_unlink(struct haven_deleg_binding *b)
{
	if (b->peer != NULL) {
		TAILQ_REMOVE(&b->peer->bindings, b, peer_link);
		b->peer->n_delegated--;
		b->peer = NULL;
	}
}

static void
move_dequeue(struct haven_deleg_pha *pha, struct haven_deleg_binding *b)
{
	if (b->move_queued) {
		TAILQ_REMOVE(&pha->moves, b, move_link);
		pha->n_moves_queued--;
		b->move_queued = false;
	}
	if (b->state != HAVEN_DELEG_S_MOVING)
		b->move_to = NULL;
}

/*
 * Off every list but the release's, peer NULL, counted in no digest: what
 * LOCAL means. A STOP releasing an SHA it moved away from goes on.
 */
static void
detach(struct haven_deleg_pha *pha, struct haven_deleg_binding *b)
{
	txn_unlink(&b->t);
	b->t.sent = false;
	move_dequeue(pha, b);
	b->move_to = NULL;
	peer_unlink(b);
	hold(b, NULL);
}

/* ------------------------------------------------------------------ */
/* Flow control (section 11.4)                                        */
/* ------------------------------------------------------------------ */

/* Request datagrams the peer may have in flight now. */
static unsigned int
dgram_window(const struct haven_deleg_pha *pha,
		const struct haven_deleg_peer *peer)
{
	unsigned int w = pha->cfg.dgram_window;

	if (peer->window != 0 && peer->window < w)
		w = peer->window;
	return w > 0 ? w : 1;
}

static bool
dgram_room(const struct haven_deleg_pha *pha,
		const struct haven_deleg_peer *peer)
{
	return peer->n_flight < dgram_window(pha, peer) &&
		pha->n_flight < pha->cfg.rx_budget;
}

/* A request datagram went out: counted until acked or timed out. */
static void
flight_add(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint32_t id, bool oneshot, uint64_t expires_ms)
{
	struct haven_deleg_flight *f;

	if (peer->n_flight >= HAVEN_DELEG_MAX_DGRAM_WINDOW)
		return;		/* dgram_room() said no before: cannot be */
	f = &peer->flight[peer->n_flight++];
	f->id = id;
	f->oneshot = oneshot;
	f->expires_ms = expires_ms;
	pha->n_flight++;
	peer->quiet = false;
}

static void
flight_remove(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		unsigned int i)
{
	peer->flight[i] = peer->flight[--peer->n_flight];
	pha->n_flight--;
}

/*
 * The answer to request datagram id arrived: it no longer counts.
 * @return 1 found, 2 found and it was a best-effort STOP, 0 not found (a
 * late answer after a timeout, or a duplicate).
 */
static int
flight_ack(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint32_t id)
{
	unsigned int i;
	bool oneshot;

	for (i = 0; i < peer->n_flight; i++) {
		if (peer->flight[i].id != id)
			continue;
		oneshot = peer->flight[i].oneshot;
		flight_remove(pha, peer, i);
		return oneshot ? 2 : 1;
	}
	return 0;
}

/*
 * Datagrams unanswered past their retransmission time no longer count:
 * they were lost (or their answer was), and the retransmission of what
 * they carried takes a place of its own.
 */
static void
flight_expire(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint64_t now_ms)
{
	unsigned int i = 0;

	while (i < peer->n_flight) {
		if (peer->flight[i].expires_ms <= now_ms) {
			flight_remove(pha, peer, i);
			peer->stats.dgram_timeouts++;
			continue;
		}
		i++;
	}
}

/* ------------------------------------------------------------------ */
/* Building request datagrams                                         */
/* ------------------------------------------------------------------ */

/* The requests of one datagram to one peer being put together. */
struct builder {
	struct haven_deleg_pha *pha;
	struct haven_deleg_peer *peer;
	uint64_t now_ms;
	size_t len;			/* body octets so far */
	unsigned int min_tries;		/* earliest retransmission */
	bool oneshot;			/* best-effort STOPs only */
	struct haven_deleg_msg msg;
};

static void
builder_init(struct builder *bd, struct haven_deleg_pha *pha,
		struct haven_deleg_peer *peer, uint64_t now_ms, bool oneshot)
{
	bd->pha = pha;
	bd->peer = peer;
	bd->now_ms = now_ms;
	bd->len = BATCH_FIXED_LEN;
	bd->min_tries = HAVEN_DELEG_RETX_TRIES;
	bd->oneshot = oneshot;
	memset(&bd->msg, 0, offsetof(struct haven_deleg_msg, u));
	bd->msg.type = HAVEN_DELEG_BATCH;
	bd->msg.u.batch.n = 0;
}

/* Send what the builder holds as one datagram; it is empty after. */
static void
builder_flush(struct builder *bd)
{
	struct haven_deleg_pha *pha = bd->pha;
	struct haven_deleg_msg *m = &bd->msg;

	if (m->u.batch.n == 0)
		return;
	m->txn = new_txn(pha);
	m->family = HAVEN_DELEG_FAMILY_NONE;
	if (deleg_send(pha->self_id, bd->peer, m, pha->ops->send,
			pha->ctx) == 0)
		flight_add(pha, bd->peer, m->txn, bd->oneshot,
			bd->now_ms + backoff_ms(bd->min_tries));
	m->u.batch.n = 0;
	bd->len = BATCH_FIXED_LEN;
	bd->min_tries = HAVEN_DELEG_RETX_TRIES;
}

/* The record a transaction sends now. */
static void
txn_record(const struct haven_deleg_txn *t, struct haven_deleg_record *r)
{
	const struct haven_deleg_binding *b = t->b;

	r->kind = t->kind;
	r->txn = t->id;
	if (t->kind == HAVEN_DELEG_START) {
		r->start = b->info;
		return;
	}
	memset(&r->stop, 0, sizeof(r->stop));
	r->stop.home_addr = b->info.home_addr;
	if (t == &b->rel) {
		r->stop.generation = t->generation;
		r->stop.reason = t->reason;
	} else {
		r->stop.generation = b->info.generation;
		r->stop.reason = b->stop_reason;
	}
}

/*
 * Put one record in the datagram being built, sending the previous one
 * when it is full. @return false if no datagram can be started now (the
 * windows are full): the record was not taken.
 */
static bool
builder_add(struct builder *bd, const struct haven_deleg_record *r,
		unsigned int tries)
{
	size_t len = deleg_record_len(r);

	if (bd->msg.u.batch.n > 0 && (bd->len + len > BODY_MAX ||
			bd->msg.u.batch.n == HAVEN_DELEG_BATCH_MAX))
		builder_flush(bd);
	if (bd->msg.u.batch.n == 0 && !dgram_room(bd->pha, bd->peer))
		return false;
	bd->msg.u.batch.rec[bd->msg.u.batch.n++] = *r;
	bd->len += len;
	if (tries < bd->min_tries)
		bd->min_tries = tries;
	return true;
}

/* A request alone in its datagram: the v1 START or STOP message. */
static bool
send_single(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		const struct haven_deleg_record *r, bool oneshot,
		unsigned int tries, uint64_t now_ms)
{
	struct haven_deleg_msg msg;

	if (!dgram_room(pha, peer))
		return false;
	memset(&msg, 0, offsetof(struct haven_deleg_msg, u));
	msg.txn = r->txn;
	if (r->kind == HAVEN_DELEG_START) {
		msg.type = HAVEN_DELEG_START;
		msg.u.start = r->start;
	} else {
		msg.type = HAVEN_DELEG_STOP;
		msg.u.stop.home_addr = r->stop.home_addr;
		msg.u.stop.generation = r->stop.generation;
		msg.u.stop.reason = r->stop.reason;
	}
	if (deleg_send(pha->self_id, peer, &msg, pha->ops->send,
			pha->ctx) == 0)
		flight_add(pha, peer, r->txn, oneshot,
			now_ms + backoff_ms(tries));
	return true;
}

/* t went out (again): pending, its timer armed. */
static void
txn_sent(struct haven_deleg_pha *pha, struct haven_deleg_txn *t,
		uint64_t now_ms)
{
	struct haven_deleg_peer *peer = t->peer;

	if (t->where == HAVEN_DELEG_TXN_QUEUED) {
		TAILQ_REMOVE(&peer->queue, t, link);
		peer->n_queued--;
		TAILQ_INSERT_TAIL(&peer->pending, t, link);
		peer->n_outstanding++;
		t->where = HAVEN_DELEG_TXN_PENDING;
	}
	if (t->tries == 0) {
		if (t->kind == HAVEN_DELEG_STOP)
			pha->stats.stops_sent++;
		else if (!t->sent && t == &t->b->t &&
			 t->b->state == HAVEN_DELEG_S_STARTING)
			pha->stats.starts_sent++;
	} else {
		peer->stats.retransmits++;
	}
	peer->stats.records_tx++;
	t->tries++;
	t->sent = true;
	t->next_ms = now_ms + backoff_ms(t->tries);
	if (t->next_ms < peer->next_due_ms)
		peer->next_due_ms = t->next_ms;
}

/*
 * Send t in the datagram being built (an SHA of the extension) or alone
 * (a v1 SHA). @return false when the windows are full.
 */
static bool
txn_send(struct builder *bd, struct haven_deleg_txn *t)
{
	struct haven_deleg_record r;
	bool ok;

	txn_record(t, &r);
	if (bd->peer->ext)
		ok = builder_add(bd, &r, t->tries + 1u);
	else
		ok = send_single(bd->pha, bd->peer, &r, false, t->tries + 1u,
			bd->now_ms);
	if (ok)
		txn_sent(bd->pha, t, bd->now_ms);
	return ok;
}

/*
 * One STOP for (home address, generation), best effort: no transaction,
 * no retransmission, dropped when the windows are full (reconciliation
 * finds what it would have cleared). With a builder, batched with others.
 */
static void
stop_oneshot(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		struct builder *bd, const struct haven_addr *h,
		uint32_t generation, uint8_t reason, uint64_t now_ms)
{
	struct haven_deleg_record r;
	bool ok;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_DELEG_STOP;
	r.txn = new_txn(pha);
	r.stop.home_addr = *h;
	r.stop.generation = generation;
	r.stop.reason = reason;
	if (bd != NULL && peer->ext) {
		ok = builder_add(bd, &r, 1);
	} else if (peer->ext) {
		struct builder one;

		builder_init(&one, pha, peer, now_ms, true);
		ok = builder_add(&one, &r, 1);
		builder_flush(&one);
	} else {
		ok = send_single(pha, peer, &r, true, 1, now_ms);
	}
	if (!ok)
		peer->stats.dropped++;
}

/* ------------------------------------------------------------------ */
/* Handlers (cells of the table)                                      */
/* ------------------------------------------------------------------ */

/* LOCAL, delegate: START queued; keep forwarding until the ack ([0037]). */
static void
start_delegation(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	attach(b, a->peer);
	b->info.generation++;
	b->reported_packets = 0;	/* the SHA counts from its install */
	b->reported_ms = 0;
	b->t.sent = false;
	change_state(pha, b, HAVEN_DELEG_S_STARTING, PHA_EV_DELEGATE,
		a->now_ms);
	begin_transaction(pha, b, b->peer, HAVEN_DELEG_START, false);
}

/* LOCAL or STOPPING, update: nothing to tell an SHA. */
static void
bump_generation(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	(void)pha;
	(void)a;
	b->info.generation++;
}

/* STARTING or UPDATING, update: supersede the outstanding START. */
static void
restart_start(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	(void)a;
	b->info.generation++;
	begin_transaction(pha, b, b->peer, HAVEN_DELEG_START,
		b->state != HAVEN_DELEG_S_STARTING || b->t.sent);
}

/* DELEGATED, update: new generation; the SHA switches on receipt [0029]. */
static void
begin_update(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	hold(b, NULL);
	b->info.generation++;
	change_state(pha, b, HAVEN_DELEG_S_UPDATING, PHA_EV_UPDATE, a->now_ms);
	begin_transaction(pha, b, b->peer, HAVEN_DELEG_START, true);
}

/*
 * STARTING, DELEGATED or UPDATING, undelegate (or an update the SHA
 * refused or never acked): the PHA intercepts again at once, STOP goes
 * out and is retransmitted. In STARTING the SHA may already have
 * installed the binding, so the STOP is sent all the same.
 */
static void
take_back(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a, enum pha_event why)
{
	hold(b, NULL);
	move_dequeue(pha, b);
	b->stop_reason = a->reason;
	change_state(pha, b, HAVEN_DELEG_S_STOPPING, why, a->now_ms);
	pha->stats.taken_back++;
	begin_transaction(pha, b, b->peer, HAVEN_DELEG_STOP, true);
	raise_event(pha, HAVEN_DELEG_EV_TAKEN_BACK, b, b->peer, a->status);
}

/*
 * STARTING, undelegate: a START still in the queue never left: nothing to
 * stop, the delegation is cancelled (REFUSED, CANCELLED). Otherwise as
 * any take-back.
 */
static void
undelegate_starting(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, const struct pha_args *a)
{
	struct haven_deleg_peer *peer = b->peer;

	if (txn_reached(&b->t)) {
		take_back(pha, b, a, PHA_EV_UNDELEGATE);
		return;
	}
	detach(pha, b);
	change_state(pha, b, HAVEN_DELEG_S_LOCAL, PHA_EV_UNDELEGATE,
		a->now_ms);
	pha->stats.refused++;
	raise_event(pha, HAVEN_DELEG_EV_REFUSED, b, peer,
		HAVEN_DELEG_CANCELLED);
}

static void
undelegate(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	take_back(pha, b, a, PHA_EV_UNDELEGATE);
}

/* STARTING or UPDATING, ack OK. */
static void
delegated(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	bool first = b->state == HAVEN_DELEG_S_STARTING;

	txn_unlink(&b->t);
	change_state(pha, b, HAVEN_DELEG_S_DELEGATED, PHA_EV_ACK_OK,
		a->now_ms);
	hold(b, b->peer);
	if (first) {
		pha->stats.started++;
		raise_event(pha, HAVEN_DELEG_EV_DELEGATED, b, b->peer,
			HAVEN_DELEG_OK);
	}
}

/* STARTING, ack with a refusal: nothing was installed, stay LOCAL. */
static void
start_refused(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct haven_deleg_peer *peer = b->peer;

	detach(pha, b);
	change_state(pha, b, HAVEN_DELEG_S_LOCAL, PHA_EV_ACK_REFUSED,
		a->now_ms);
	pha->stats.refused++;
	raise_event(pha, HAVEN_DELEG_EV_REFUSED, b, peer, a->status);
}

/* UPDATING, refusal: the SHA cannot switch, so take the binding back. */
static void
update_refused(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct pha_args stop = *a;

	stop.reason = HAVEN_DELEG_STOP_TAKEBACK;
	take_back(pha, b, &stop, PHA_EV_ACK_REFUSED);
}

/* STOPPING, STOP_ACK (any status): the SHA no longer forwards. */
static void
stopped(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct haven_deleg_peer *peer = b->peer;

	detach(pha, b);
	change_state(pha, b, HAVEN_DELEG_S_LOCAL,
		a->status == HAVEN_DELEG_OK ? PHA_EV_ACK_OK :
		PHA_EV_ACK_REFUSED, a->now_ms);
	pha->stats.stopped++;
	raise_event(pha, HAVEN_DELEG_EV_STOPPED, b, peer, a->status);
}

/* STARTING, no answer to any send: REFUSED, one STOP in case. */
static void
start_timer(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct haven_deleg_peer *peer = b->peer;

	peer->stats.timeouts++;
	detach(pha, b);
	stop_oneshot(pha, peer, NULL, &b->info.home_addr, b->info.generation,
		HAVEN_DELEG_STOP_TAKEBACK, a->now_ms);
	change_state(pha, b, HAVEN_DELEG_S_LOCAL, PHA_EV_TIMER, a->now_ms);
	pha->stats.refused++;
	raise_event(pha, HAVEN_DELEG_EV_REFUSED, b, peer,
		HAVEN_DELEG_NO_ANSWER);
}

/* UPDATING, no answer: take the binding back. */
static void
update_timer(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct pha_args stop = *a;

	b->peer->stats.timeouts++;
	stop.reason = HAVEN_DELEG_STOP_TAKEBACK;
	stop.status = HAVEN_DELEG_NO_ANSWER;
	take_back(pha, b, &stop, PHA_EV_TIMER);
}

/* STOPPING, no answer: STOPPED, NO_ANSWER. */
static void
stop_timer(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct pha_args gave_up = *a;

	b->peer->stats.timeouts++;
	gave_up.status = HAVEN_DELEG_NO_ANSWER;
	stopped(pha, b, &gave_up);
}

/*
 * STARTING, DELEGATED or UPDATING, the SHA is lost (status PEER_LOST) or
 * does not hold the binding (LOST): LOCAL at once, one STOP in case only
 * the path failed, and TAKEN_BACK as the last event of this delegation.
 */
static void
lost_active(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct haven_deleg_peer *peer = b->peer;
	bool reached = b->state != HAVEN_DELEG_S_STARTING ||
		txn_reached(&b->t);

	detach(pha, b);
	if (reached)
		stop_oneshot(pha, peer, NULL, &b->info.home_addr,
			b->info.generation, HAVEN_DELEG_STOP_TAKEBACK,
			a->now_ms);
	change_state(pha, b, HAVEN_DELEG_S_LOCAL, PHA_EV_PEER_LOST,
		a->now_ms);
	pha->stats.taken_back++;
	raise_event(pha, HAVEN_DELEG_EV_TAKEN_BACK, b, peer, a->status);
}

/* STOPPING, the SHA is lost: it was taken back already; STOPPED. */
static void
lost_stopping(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct pha_args lost = *a;

	lost.status = HAVEN_DELEG_PEER_LOST;
	stopped(pha, b, &lost);
}

/* ------------------------------------------------------------------ */
/* Moves (section 11.5)                                               */
/* ------------------------------------------------------------------ */

/* DELEGATED, a queued move's turn: START to the new SHA; MOVING. */
static void
begin_move(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	b->move_to = a->peer;
	b->info.generation++;
	b->t.sent = false;
	change_state(pha, b, HAVEN_DELEG_S_MOVING, PHA_EV_MOVE, a->now_ms);
	pha->stats.moves++;
	begin_transaction(pha, b, b->move_to, HAVEN_DELEG_START, false);
}

/*
 * Leave MOVING without moving: the START to the new SHA is withdrawn (a
 * STOP once if it may have arrived); the binding is still on b->peer.
 * Returns the SHA it was to move to.
 */
static struct haven_deleg_peer *
move_withdraw(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		uint64_t now_ms)
{
	struct haven_deleg_peer *to = b->move_to;
	bool reached = txn_reached(&b->t);

	txn_unlink(&b->t);
	b->t.sent = false;
	b->move_to = NULL;
	if (reached && to != NULL)
		stop_oneshot(pha, to, NULL, &b->info.home_addr,
			b->info.generation, HAVEN_DELEG_STOP_TAKEBACK, now_ms);
	return to;
}

/* MOVING, the new SHA acked: it forwards; release the old one. */
static void
moved(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct haven_deleg_peer *old = b->peer, *to = b->move_to;

	binding_prepare(b);
	txn_unlink(&b->t);
	b->move_to = NULL;
	peer_unlink(b);
	attach(b, to);
	change_state(pha, b, HAVEN_DELEG_S_DELEGATED, PHA_EV_ACK_OK,
		a->now_ms);
	hold(b, to);
	b->reported_packets = 0;
	b->reported_ms = 0;
	b->rel.generation = b->info.generation;
	b->rel.reason = HAVEN_DELEG_STOP_UNDELEGATE;
	b->rel.sent = false;
	txn_queue(pha, &b->rel, old, HAVEN_DELEG_STOP, true);
	pha->stats.moved++;
	raise_event(pha, HAVEN_DELEG_EV_MOVED, b, to, HAVEN_DELEG_OK);
}

/* MOVING, refused or no answer: stay DELEGATED where it is. */
static void
move_failed(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a, enum pha_event why, uint8_t status)
{
	struct haven_deleg_peer *to = move_withdraw(pha, b, a->now_ms);

	change_state(pha, b, HAVEN_DELEG_S_DELEGATED, why, a->now_ms);
	pha->stats.move_failed++;
	raise_event(pha, HAVEN_DELEG_EV_MOVE_FAILED, b, to, status);
}

static void
move_refused(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	move_failed(pha, b, a, PHA_EV_ACK_REFUSED, a->status);
}

static void
move_timer(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	b->move_to->stats.timeouts++;
	move_failed(pha, b, a, PHA_EV_TIMER, HAVEN_DELEG_NO_ANSWER);
}

/*
 * MOVING, update: the old SHA must switch at once ([0029]), so the move
 * gives way: withdrawn (MOVE_FAILED, CANCELLED), the update goes to the
 * SHA that forwards.
 */
static void
update_moving(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct haven_deleg_peer *to = move_withdraw(pha, b, a->now_ms);

	hold(b, NULL);
	b->info.generation++;
	change_state(pha, b, HAVEN_DELEG_S_UPDATING, PHA_EV_UPDATE, a->now_ms);
	begin_transaction(pha, b, b->peer, HAVEN_DELEG_START, true);
	pha->stats.move_failed++;
	raise_event(pha, HAVEN_DELEG_EV_MOVE_FAILED, b, to,
		HAVEN_DELEG_CANCELLED);
}

/* MOVING, undelegate: withdraw the move, take back from the old SHA. */
static void
undelegate_moving(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	move_withdraw(pha, b, a->now_ms);
	take_back(pha, b, a, PHA_EV_UNDELEGATE);
}

/*
 * MOVING, an SHA is lost: the new one (the move fails, the old one goes
 * on forwarding) or the old one (taken back, as from any delegated state;
 * the new one gets its STOP once).
 */
static void
lost_moving(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	if (a->peer == b->move_to) {
		move_failed(pha, b, a, PHA_EV_PEER_LOST, HAVEN_DELEG_PEER_LOST);
		return;
	}
	move_withdraw(pha, b, a->now_ms);
	lost_active(pha, b, a);
}

/*
 * The table (docs/delegation-protocol.md, section 6.1). An empty cell
 * means the event does not apply in that state and is ignored.
 */
static const pha_handler pha_fsm[N_STATES][PHA_EV_MAX] = {
	[HAVEN_DELEG_S_LOCAL] = {
		[PHA_EV_DELEGATE] = start_delegation,
		[PHA_EV_UPDATE] = bump_generation,
	},
	[HAVEN_DELEG_S_STARTING] = {
		[PHA_EV_UPDATE] = restart_start,
		[PHA_EV_UNDELEGATE] = undelegate_starting,
		[PHA_EV_ACK_OK] = delegated,
		[PHA_EV_ACK_REFUSED] = start_refused,
		[PHA_EV_TIMER] = start_timer,
		[PHA_EV_PEER_LOST] = lost_active,
	},
	[HAVEN_DELEG_S_DELEGATED] = {
		[PHA_EV_UPDATE] = begin_update,
		[PHA_EV_UNDELEGATE] = undelegate,
		[PHA_EV_PEER_LOST] = lost_active,
		[PHA_EV_MOVE] = begin_move,
	},
	[HAVEN_DELEG_S_UPDATING] = {
		[PHA_EV_UPDATE] = restart_start,
		[PHA_EV_UNDELEGATE] = undelegate,
		[PHA_EV_ACK_OK] = delegated,
		[PHA_EV_ACK_REFUSED] = update_refused,
		[PHA_EV_TIMER] = update_timer,
		[PHA_EV_PEER_LOST] = lost_active,
	},
	[HAVEN_DELEG_S_STOPPING] = {
		[PHA_EV_UPDATE] = bump_generation,
		[PHA_EV_ACK_OK] = stopped,
		[PHA_EV_ACK_REFUSED] = stopped,
		[PHA_EV_TIMER] = stop_timer,
		[PHA_EV_PEER_LOST] = lost_stopping,
	},
	[HAVEN_DELEG_S_MOVING] = {
		[PHA_EV_UPDATE] = update_moving,
		[PHA_EV_UNDELEGATE] = undelegate_moving,
		[PHA_EV_ACK_OK] = moved,
		[PHA_EV_ACK_REFUSED] = move_refused,
		[PHA_EV_TIMER] = move_timer,
		[PHA_EV_PEER_LOST] = lost_moving,
	},
};

/* Run one event; false if the table has no cell for it. */
static bool
pha_run(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		enum pha_event ev, const struct pha_args *a)
{
	pha_handler h;

	if ((unsigned int)b->state >= N_STATES)
		return false;
	h = pha_fsm[b->state][ev];
	if (h == NULL)
		return false;
	h(pha, b, a);
	return true;
}

/* The release STOP to the SHA a binding moved away from ended. */
static void
released(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		uint8_t status)
{
	struct haven_deleg_peer *old = b->rel.peer;

	txn_unlink(&b->rel);
	b->rel.sent = false;
	pha->stats.released++;
	raise_event(pha, HAVEN_DELEG_EV_RELEASED, b, old, status);
}

/* ------------------------------------------------------------------ */
/* The pump: what the windows let out (section 11.4)                  */
/* ------------------------------------------------------------------ */

/*
 * Transactions sent HAVEN_DELEG_RETX_TRIES times whose last timer ran out
 * unanswered: give up on each (the machine's TIMER, or RELEASED for a
 * release). A handler may raise an event whose callback changes any
 * list: start over after each one.
 */
static void
give_ups(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms };
	struct haven_deleg_txn *t;

again:
	TAILQ_FOREACH(t, &peer->pending, link) {
		if (t->next_ms > now_ms || t->tries < HAVEN_DELEG_RETX_TRIES)
			continue;
		if (t == &t->b->rel) {
			peer->stats.timeouts++;
			released(pha, t->b, HAVEN_DELEG_NO_ANSWER);
		} else if (!pha_run(pha, t->b, PHA_EV_TIMER, &a)) {
			txn_unlink(t);	/* no cell: cannot be, but end */
		}
		goto again;
	}
}

/*
 * Send to one SHA what its windows allow: due retransmissions first, then
 * queued transactions in order, packed into BATCHes for an SHA of the
 * extension. Nested calls (from event callbacks) do nothing: the outer
 * call goes on.
 */
static void
pump_peer(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint64_t now_ms)
{
	struct haven_deleg_txn *t;
	struct builder bd;
	uint64_t next_due = UINT64_MAX;
	bool blocked = false;

	if (pha->in_pump)
		return;
	pha->in_pump = true;
	flight_expire(pha, peer, now_ms);
	if (peer->next_due_ms <= now_ms)
		give_ups(pha, peer, now_ms);
	builder_init(&bd, pha, peer, now_ms, false);
	if (peer->next_due_ms <= now_ms) {
		TAILQ_FOREACH(t, &peer->pending, link) {
			if (blocked || t->next_ms > now_ms) {
				if (t->next_ms < next_due)
					next_due = t->next_ms;
				continue;
			}
			if (!txn_send(&bd, t)) {
				blocked = true;
				next_due = now_ms;
			} else if (t->next_ms < next_due) {
				next_due = t->next_ms;
			}
		}
		peer->next_due_ms = next_due;
	}
	if (pha->ops->can_send == NULL || pha->ops->can_send(pha->ctx, peer))
		while (!blocked && peer->n_outstanding < pha->cfg.window &&
		       (t = TAILQ_FIRST(&peer->queue)) != NULL)
			if (!txn_send(&bd, t))
				break;
	builder_flush(&bd);
	pha->in_pump = false;
}

static void
pump_all(struct haven_deleg_pha *pha, uint64_t now_ms)
{
	unsigned int i;

	for (i = 0; i < pha->n_peers; i++)
		pump_peer(pha, &pha->peers[i], now_ms);
}

/*
 * Something was queued for peer by a caller: when nothing else is queued
 * or outstanding there, send it at once (a lone delegation is not
 * delayed); otherwise it joins the next batch, sent as acks open the
 * window or on the next tick or flush.
 */
static void
kick(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint64_t now_ms)
{
	if (pha->in_pump || peer == NULL || peer->n_outstanding != 0 ||
	    peer->n_queued != 1)
		return;
	pump_peer(pha, peer, now_ms);
}

/* ------------------------------------------------------------------ */
/* Moves: the queue and its pace                                      */
/* ------------------------------------------------------------------ */

/* Refill the token bucket of moves: move_rate a second, move_burst most. */
static uint32_t
move_tokens(struct haven_deleg_pha *pha, uint64_t now_ms)
{
	uint64_t add;

	if (pha->cfg.move_rate == 0)
		return UINT32_MAX;
	if (now_ms > pha->move_tokens_ms) {
		add = (now_ms - pha->move_tokens_ms) * pha->cfg.move_rate /
			1000;
		if (add > 0) {
			add += pha->move_tokens;
			pha->move_tokens = add > pha->cfg.move_burst ?
				pha->cfg.move_burst : (uint32_t)add;
			pha->move_tokens_ms = now_ms;
		}
	}
	return pha->move_tokens;
}

/* Start queued moves as the rate allows. */
static void
moves_pump(struct haven_deleg_pha *pha, uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms };
	struct haven_deleg_binding *b;
	uint32_t tokens = move_tokens(pha, now_ms), tries;

	tries = pha->n_moves_queued;
	while (tokens > 0 && tries-- > 0 &&
	       (b = TAILQ_FIRST(&pha->moves)) != NULL) {
		struct haven_deleg_peer *to = b->move_to;

		TAILQ_REMOVE(&pha->moves, b, move_link);
		pha->n_moves_queued--;
		b->move_queued = false;
		if (b->state != HAVEN_DELEG_S_DELEGATED ||
		    b->rel.where != HAVEN_DELEG_TXN_IDLE) {
			/* An update or release under way: later. */
			TAILQ_INSERT_TAIL(&pha->moves, b, move_link);
			pha->n_moves_queued++;
			b->move_queued = true;
			continue;
		}
		if (!to->alive || to->removed) {
			b->move_to = NULL;
			pha->stats.move_failed++;
			raise_event(pha, HAVEN_DELEG_EV_MOVE_FAILED, b, to,
				HAVEN_DELEG_PEER_LOST);
			continue;
		}
		a.peer = to;
		pha_run(pha, b, PHA_EV_MOVE, &a);
		if (pha->cfg.move_rate != 0)
			pha->move_tokens--;
		tokens--;
	}
}

/* ------------------------------------------------------------------ */
/* Peers                                                              */
/* ------------------------------------------------------------------ */

/*
 * Every binding on the peer goes LOCAL now, moves to it fail, releases of
 * it end. While this runs the peer counts as down, so an event callback
 * cannot delegate to it again.
 */
static void
peer_lost(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint8_t status, uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms, .peer = peer,
		.status = status };
	struct haven_deleg_binding *b;
	struct haven_deleg_txn *t;
	bool was_alive = peer->alive;

	peer->alive = false;
	while ((b = TAILQ_FIRST(&peer->bindings)) != NULL)
		if (!pha_run(pha, b, PHA_EV_PEER_LOST, &a))
			detach(pha, b);
	/* What is left there belongs to bindings of other SHAs. */
	while ((t = TAILQ_FIRST(&peer->pending)) != NULL ||
	       (t = TAILQ_FIRST(&peer->queue)) != NULL) {
		if (t == &t->b->rel)
			released(pha, t->b, HAVEN_DELEG_PEER_LOST);
		else if (!pha_run(pha, t->b, PHA_EV_PEER_LOST, &a))
			txn_unlink(t);
	}
	peer->alive = was_alive;
	pha->n_flight -= peer->n_flight;
	peer->n_flight = 0;
	peer->ext = false;
	peer->sync_id = 0;
}

static void
peer_heard(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer)
{
	if (peer->alive || peer->removed)
		return;
	peer->alive = true;
	deleg_log(pha->ops->log, pha->ctx, "deleg: peer %s (%u) alive",
		peer->name, peer->id);
	raise_event(pha, HAVEN_DELEG_EV_PEER_ALIVE, NULL, peer,
		HAVEN_DELEG_OK);
}

/* A report's or heartbeat's Boot ID: a new one means a restart. */
static void
check_boot(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint32_t boot_id, uint64_t now_ms)
{
	if (peer->boot_known && peer->boot_id != boot_id) {
		deleg_log(pha->ops->log, pha->ctx,
			"deleg: peer %s (%u) restarted: taking back %u",
			peer->name, peer->id, peer->n_delegated);
		peer->boot_id = boot_id;
		peer_lost(pha, peer, HAVEN_DELEG_PEER_LOST, now_ms);
		peer->sync_due = true;
		peer->sync_tries = 0;
	}
	peer->boot_id = boot_id;
	peer->boot_known = true;
}

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

void
haven_deleg_pha_config_default(struct haven_deleg_pha_config *cfg)
{
	cfg->window = HAVEN_DELEG_WINDOW;
	cfg->dgram_window = HAVEN_DELEG_DGRAM_WINDOW;
	cfg->rx_budget = HAVEN_DELEG_RX_BUDGET;
	cfg->move_rate = HAVEN_DELEG_MOVE_RATE;
	cfg->move_burst = HAVEN_DELEG_MOVE_BURST;
}

int
haven_deleg_pha_configure(struct haven_deleg_pha *pha,
		const struct haven_deleg_pha_config *cfg)
{
	if (pha == NULL || cfg == NULL || cfg->window == 0 ||
			cfg->dgram_window == 0 ||
			cfg->dgram_window > HAVEN_DELEG_MAX_DGRAM_WINDOW ||
			cfg->rx_budget == 0 || cfg->move_burst == 0)
		return -EINVAL;
	pha->cfg = *cfg;
	if (pha->move_tokens > cfg->move_burst)
		pha->move_tokens = cfg->move_burst;
	return 0;
}

void
haven_deleg_pha_init(struct haven_deleg_pha *pha, uint32_t self_id,
		struct haven_deleg_peer *peers, unsigned int n_peers,
		const struct haven_deleg_ops *ops, void *ctx, uint64_t now_ms,
		uint64_t seq_base)
{
	unsigned int i;

	memset(pha, 0, sizeof(*pha));
	pha->self_id = self_id;
	pha->ops = ops;
	pha->ctx = ctx;
	pha->peers = peers;
	pha->n_peers = n_peers;
	/* Not 1, 2, 3... after every restart: see section 4.3. */
	pha->next_txn = (uint32_t)seq_base ^ (uint32_t)(seq_base >> 32);
	pha->dead_after_reports = HAVEN_DELEG_DEAD_REPORTS;
	haven_deleg_pha_config_default(&pha->cfg);
	pha->move_tokens = pha->cfg.move_burst;
	pha->move_tokens_ms = now_ms;
	TAILQ_INIT(&pha->moves);
	for (i = 0; i < n_peers; i++) {
		haven_deleg_peer_init(&peers[i], seq_base, now_ms);
		/* Section 11.1: offer the extension once it is heard. */
		peers[i].sync_due = true;
	}
}

/*
 * An SHA that can take the binding (11.1): a UDP-encapsulated one only
 * an SHA of the extension that announced the UDP feature.
 */
static int
peer_can_take(const struct haven_deleg_peer *peer,
		const struct haven_deleg_binding_info *bi)
{
	if (bi->encap == HAVEN_DELEG_ENCAP_UDP &&
	    (!peer->ext || !(peer->features & HAVEN_DELEG_FEAT_UDP)))
		return -EOPNOTSUPP;
	return 0;
}

int
haven_deleg_pha_delegate(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, struct haven_deleg_peer *peer,
		uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms, .peer = peer };
	int rc;

	if (pha == NULL || b == NULL || peer == NULL ||
			!is_our_peer(pha, peer))
		return -EINVAL;
	if (b->state != HAVEN_DELEG_S_LOCAL)
		return -EBUSY;
	if (!peer->alive || peer->removed)
		return -EHOSTDOWN;
	if (deleg_check_binding_info(&b->info) < 0)
		return -EINVAL;
	rc = peer_can_take(peer, &b->info);
	if (rc < 0)
		return rc;
	binding_prepare(b);
	pha_run(pha, b, PHA_EV_DELEGATE, &a);
	kick(pha, peer, now_ms);
	return 0;
}

int
haven_deleg_pha_adopt(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, struct haven_deleg_peer *peer,
		uint64_t now_ms)
{
	char addr[DELEG_ADDR_STRLEN];

	if (pha == NULL || b == NULL || peer == NULL ||
			!is_our_peer(pha, peer))
		return -EINVAL;
	if (b->state != HAVEN_DELEG_S_LOCAL)
		return -EBUSY;
	if (deleg_check_binding_info(&b->info) < 0)
		return -EINVAL;
	attach(b, peer);
	hold(b, peer);
	b->reported_packets = 0;
	b->reported_ms = 0;
	deleg_log(pha->ops->log, pha->ctx, "deleg: %s: adopted on %s "
		"(generation %u)", haven_addr_str(&b->info.home_addr, addr),
		peer->name, b->info.generation);
	change_state(pha, b, HAVEN_DELEG_S_DELEGATED, PHA_EV_DELEGATE, now_ms);
	return 0;
}

void
haven_deleg_peer_restore(struct haven_deleg_peer *peer, bool boot_known,
		uint32_t boot_id, uint64_t last_seq, uint64_t now_ms)
{
	if (peer == NULL)
		return;
	if (!peer->removed) {
		peer->alive = true;
		peer->last_heard_ms = now_ms;
	}
	peer->boot_known = boot_known;
	peer->boot_id = boot_known ? boot_id : 0;
	if (last_seq > peer->tx_seq)
		peer->tx_seq = last_seq;
}

void
haven_deleg_pha_update(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms };
	struct haven_deleg_peer *peer;

	if (pha == NULL || b == NULL)
		return;
	binding_prepare(b);
	if (b->state != HAVEN_DELEG_S_LOCAL &&
	    b->state != HAVEN_DELEG_S_STOPPING &&
	    (deleg_check_binding_info(&b->info) < 0 ||
	     peer_can_take(b->peer, &b->info) < 0)) {
		/* The SHA cannot be told: the PHA forwards it itself. */
		b->info.generation++;
		a.reason = HAVEN_DELEG_STOP_TAKEBACK;
		a.status = HAVEN_DELEG_BAD_REQUEST;
		peer = b->peer;
		pha_run(pha, b, PHA_EV_UNDELEGATE, &a);
		kick(pha, peer, now_ms);
		return;
	}
	pha_run(pha, b, PHA_EV_UPDATE, &a);
	kick(pha, b->t.where == HAVEN_DELEG_TXN_QUEUED ? b->t.peer : NULL,
		now_ms);
}

void
haven_deleg_pha_undelegate(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, uint8_t reason, uint64_t now_ms)
{
	struct pha_args a = {
		.now_ms = now_ms,
		.reason = reason <= STOP_REASON_MAX ?
			reason : HAVEN_DELEG_STOP_UNDELEGATE,
		.status = HAVEN_DELEG_OK,
	};
	struct haven_deleg_peer *peer;

	if (pha == NULL || b == NULL)
		return;
	binding_prepare(b);
	peer = b->peer;
	pha_run(pha, b, PHA_EV_UNDELEGATE, &a);
	kick(pha, peer, now_ms);
}

int
haven_deleg_pha_move(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, struct haven_deleg_peer *to,
		uint64_t now_ms)
{
	int rc;

	if (pha == NULL || b == NULL || to == NULL || !is_our_peer(pha, to))
		return -EINVAL;
	if (b->state != HAVEN_DELEG_S_DELEGATED || b->move_queued ||
	    b->rel.where != HAVEN_DELEG_TXN_IDLE)
		return -EBUSY;
	if (to == b->peer)
		return -EINVAL;
	if (!to->alive || to->removed)
		return -EHOSTDOWN;
	rc = peer_can_take(to, &b->info);
	if (rc < 0)
		return rc;
	binding_prepare(b);
	b->move_to = to;
	b->move_queued = true;
	TAILQ_INSERT_TAIL(&pha->moves, b, move_link);
	pha->n_moves_queued++;
	if (!pha->in_pump && move_tokens(pha, now_ms) > 0 &&
	    TAILQ_FIRST(&pha->moves) == b) {
		pha->in_pump = true;
		moves_pump(pha, now_ms);
		pha->in_pump = false;
		kick(pha, to, now_ms);
	}
	return 0;
}

void
haven_deleg_pha_forget(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b)
{
	if (pha == NULL || b == NULL)
		return;
	binding_prepare(b);
	detach(pha, b);
	txn_unlink(&b->rel);
	b->rel.sent = false;
	b->state = HAVEN_DELEG_S_LOCAL;
}

void
haven_deleg_pha_remove_peer(struct haven_deleg_pha *pha,
		struct haven_deleg_peer *peer, uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms, .peer = peer,
		.status = HAVEN_DELEG_NOT_PRIMARY };
	struct haven_deleg_binding *b;
	struct haven_deleg_txn *t;

	if (pha == NULL || peer == NULL || !is_our_peer(pha, peer))
		return;
	peer->removed = true;
	peer->alive = false;	/* no liveness for what is gone */
again:
	TAILQ_FOREACH(b, &peer->bindings, peer_link) {
		if (b->state != HAVEN_DELEG_S_STOPPING) {
			haven_deleg_pha_undelegate(pha, b,
				HAVEN_DELEG_STOP_TAKEBACK, now_ms);
			goto again;
		}
	}
	/* Moves to it fail; releases of it go on (they are STOPs). */
again_moves:
	TAILQ_FOREACH(t, &peer->queue, link)
		if (t == &t->b->t && t->b->state == HAVEN_DELEG_S_MOVING &&
		    t->b->move_to == peer) {
			move_failed(pha, t->b, &a, PHA_EV_PEER_LOST,
				HAVEN_DELEG_NOT_PRIMARY);
			goto again_moves;
		}
	TAILQ_FOREACH(t, &peer->pending, link)
		if (t == &t->b->t && t->b->state == HAVEN_DELEG_S_MOVING &&
		    t->b->move_to == peer) {
			move_failed(pha, t->b, &a, PHA_EV_PEER_LOST,
				HAVEN_DELEG_NOT_PRIMARY);
			goto again_moves;
		}
	pump_all(pha, now_ms);
}

/* ------------------------------------------------------------------ */
/* Input: acknowledgements                                            */
/* ------------------------------------------------------------------ */

/*
 * The transaction of kind (START or STOP) with this id, with this peer,
 * for home address h, outstanding (section 4.3), or NULL.
 */
static struct haven_deleg_txn *
find_txn(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint8_t kind, uint32_t id, const struct haven_addr *h)
{
	struct haven_deleg_binding *b;
	struct haven_deleg_txn *t;

	if (pha->ops->lookup != NULL) {
		b = pha->ops->lookup(pha->ctx, h);
		if (b == NULL || !haven_addr_eq(&b->info.home_addr, h))
			return NULL;
		binding_prepare(b);
		if (b->t.where == HAVEN_DELEG_TXN_PENDING && b->t.peer == peer &&
		    b->t.id == id && b->t.kind == kind)
			return &b->t;
		if (b->rel.where == HAVEN_DELEG_TXN_PENDING &&
		    b->rel.peer == peer && b->rel.id == id &&
		    b->rel.kind == kind)
			return &b->rel;
		return NULL;
	}
	TAILQ_FOREACH(t, &peer->pending, link)
		if (t->id == id && t->kind == kind &&
		    haven_addr_eq(&t->b->info.home_addr, h))
			return t;
	return NULL;
}

/* One acknowledgement (a message or a BATCH_ACK record). */
static int
ack_one(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint8_t type, uint32_t id, const struct haven_addr *h,
		uint8_t status, uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms, .status = status };
	struct haven_deleg_txn *t;

	t = find_txn(pha, peer, type == HAVEN_DELEG_STOP_ACK ?
		HAVEN_DELEG_STOP : HAVEN_DELEG_START, id, h);
	if (t == NULL)
		return -ESRCH;
	if (t == &t->b->rel) {
		released(pha, t->b, status);
		return 0;
	}
	pha_run(pha, t->b, status == HAVEN_DELEG_OK ?
		PHA_EV_ACK_OK : PHA_EV_ACK_REFUSED, &a);
	return 0;
}

/* START_ACK or STOP_ACK: find the transaction it closes. */
static int
handle_ack(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		const struct haven_deleg_msg *msg, uint64_t now_ms)
{
	int oneshot = flight_ack(pha, peer, msg->txn);

	peer->load = msg->u.ack.load;
	peer->capacity = msg->u.ack.capacity;
	if (ack_one(pha, peer, msg->type, msg->txn, &msg->u.ack.home_addr,
			msg->u.ack.status, now_ms) == 0 || oneshot == 2)
		return 0;
	peer->stats.unexpected++;
	return -ESRCH;
}

/* BATCH_ACK: every record closes its own transaction. */
static int
handle_batch_ack(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		const struct haven_deleg_msg *msg, uint64_t now_ms)
{
	int oneshot = flight_ack(pha, peer, msg->txn);
	unsigned int i, matched = 0;

	peer->load = msg->u.batch_ack.load;
	peer->capacity = msg->u.batch_ack.capacity;
	for (i = 0; i < msg->u.batch_ack.n; i++) {
		const struct haven_deleg_ack_record *r =
			&msg->u.batch_ack.rec[i];

		if (ack_one(pha, peer, r->kind, r->txn, &r->home_addr,
				r->status, now_ms) == 0)
			matched++;
		else if (oneshot != 2)
			peer->stats.unexpected++;
	}
	return matched > 0 || oneshot != 0 ? 0 : -ESRCH;
}

/* ------------------------------------------------------------------ */
/* Input: reports, heartbeats, counters, inventories                  */
/* ------------------------------------------------------------------ */

/*
 * The binding of home address h that this peer may hold: delegated to it
 * (any state but LOCAL), moving to it, or being released by it.
 */
static struct haven_deleg_binding *
find_on_peer(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		const struct haven_addr *h)
{
	struct haven_deleg_binding *b;
	struct haven_deleg_txn *t;

	if (pha->ops->lookup != NULL) {
		b = pha->ops->lookup(pha->ctx, h);
		if (b == NULL || !haven_addr_eq(&b->info.home_addr, h))
			return NULL;
		if ((b->peer == peer && b->state != HAVEN_DELEG_S_LOCAL) ||
		    (b->state == HAVEN_DELEG_S_MOVING && b->move_to == peer) ||
		    (b->rel.where != HAVEN_DELEG_TXN_IDLE &&
		     b->rel.peer == peer))
			return b;
		return NULL;
	}
	/* Without lookup: a walk of the peer's lists per entry. */
	TAILQ_FOREACH(b, &peer->bindings, peer_link)
		if (haven_addr_eq(&b->info.home_addr, h))
			return b;
	TAILQ_FOREACH(t, &peer->pending, link)
		if (haven_addr_eq(&t->b->info.home_addr, h))
			return t->b;
	return NULL;
}

/*
 * A report, counters or inventory entry: the SHA holds h. Its count goes
 * to the binding; a binding not delegated to it here is an orphan and
 * gets a STOP (only with lookup: without it "not on this peer" cannot be
 * told from "unknown here"). Returns the binding, or NULL.
 */
static struct haven_deleg_binding *
entry_seen(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		struct builder *bd, const struct haven_addr *h,
		uint32_t generation, uint64_t now_ms)
{
	struct haven_deleg_binding *b = find_on_peer(pha, peer, h);

	if (b != NULL || pha->ops->lookup == NULL)
		return b;
	peer->stats.orphans++;
	stop_oneshot(pha, peer, bd, h, generation, HAVEN_DELEG_STOP_TAKEBACK,
		now_ms);
	if (pha->ops->orphan != NULL)
		pha->ops->orphan(pha->ctx, peer, h);
	return NULL;
}

/* REPORT (v1): liveness, load, restarts, counts, orphans. */
static int
handle_report(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		const struct haven_deleg_msg *msg, uint64_t now_ms)
{
	struct haven_deleg_binding *b;
	struct builder bd;
	unsigned int i;

	peer->report_interval_ms = msg->u.report.interval_ms;
	peer->load = msg->u.report.load;
	peer->capacity = msg->u.report.capacity;
	peer->reported_packets = msg->u.report.packets;
	check_boot(pha, peer, msg->u.report.boot_id, now_ms);
	/* A v1 SHA, or one that restarted: offer the extension (11.1). */
	peer->ext = false;
	peer->window = 0;
	if (peer->sync_id == 0 && peer->sync_tries < HAVEN_DELEG_SYNC_TRIES &&
	    !pha->cfg.v1_only)
		peer->sync_due = true;
	builder_init(&bd, pha, peer, now_ms, true);
	for (i = 0; i < msg->u.report.n_entries; i++) {
		const struct haven_deleg_report_entry *e =
			&msg->u.report.entries[i];

		b = entry_seen(pha, peer, &bd, &e->home_addr, e->generation,
			now_ms);
		if (b != NULL && b->peer == peer) {
			b->reported_packets = e->packets;
			b->reported_ms = now_ms;
		}
	}
	builder_flush(&bd);
	return 0;
}

/*
 * HEARTBEAT: liveness, load, the SHA's window and features, restarts,
 * and the digest of what it holds against what it should (11.6): a
 * mismatch seen on HAVEN_DELEG_DIGEST_QUIET heartbeats in a row, each
 * with nothing sent to that SHA since the one before, asks for a SYNC.
 */
static int
handle_heartbeat(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		const struct haven_deleg_msg *msg, uint64_t now_ms)
{
	peer->report_interval_ms = msg->u.heartbeat.interval_ms;
	peer->load = msg->u.heartbeat.load;
	peer->capacity = msg->u.heartbeat.capacity;
	peer->reported_packets = msg->u.heartbeat.packets;
	peer->window = msg->u.heartbeat.window;
	peer->features = msg->u.heartbeat.features;
	check_boot(pha, peer, msg->u.heartbeat.boot_id, now_ms);
	peer->ext = !pha->cfg.v1_only;
	peer->sync_tries = 0;
	if (peer->quiet && peer->n_outstanding == 0 && peer->sync_id == 0) {
		if (msg->u.heartbeat.digest != peer->digest) {
			if (++peer->mismatches >= HAVEN_DELEG_DIGEST_QUIET) {
				peer->sync_due = true;
				peer->mismatches = 0;
			}
		} else {
			peer->mismatches = 0;
		}
	}
	if (msg->u.heartbeat.digest == peer->digest)
		peer->digest_agreed_ms = now_ms;
	peer->quiet = peer->n_outstanding == 0;
	return 0;
}

/* COUNTERS: per-binding counts of the bindings whose counts changed. */
static int
handle_counters(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		const struct haven_deleg_msg *msg, uint64_t now_ms)
{
	struct haven_deleg_binding *b;
	struct builder bd;
	unsigned int i;

	peer->ext = !pha->cfg.v1_only;
	builder_init(&bd, pha, peer, now_ms, true);
	for (i = 0; i < msg->u.counters.n_entries; i++) {
		const struct haven_deleg_report_entry *e =
			&msg->u.counters.entries[i];

		b = entry_seen(pha, peer, &bd, &e->home_addr, e->generation,
			now_ms);
		if (b != NULL && b->peer == peer) {
			b->reported_packets = e->packets;
			b->reported_ms = now_ms;
		}
	}
	builder_flush(&bd);
	return 0;
}

/*
 * The SYNC is answered in full (11.6): every part came and the entries
 * add up to the digest. A binding DELEGATED here since before the SYNC
 * that no part named is lost: taken back (TAKEN_BACK, LOST). They are
 * marked first and moved to the head of the list, then handled one by
 * one, so callbacks may change the list.
 */
static void
inventory_complete(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint32_t sync_id, uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms, .peer = peer,
		.status = HAVEN_DELEG_LOST };
	struct haven_deleg_binding *b, *next;
	uint32_t lost_mark = ~sync_id;
	unsigned int n = 0;

	for (b = TAILQ_FIRST(&peer->bindings); b != NULL; b = next) {
		next = TAILQ_NEXT(b, peer_link);
		if (b->state != HAVEN_DELEG_S_DELEGATED ||
		    b->since_ms > peer->sync_sent_ms ||
		    b->sync_mark == sync_id)
			continue;
		b->sync_mark = lost_mark;
		TAILQ_REMOVE(&peer->bindings, b, peer_link);
		TAILQ_INSERT_HEAD(&peer->bindings, b, peer_link);
		n++;
	}
	while (n > 0 && (b = TAILQ_FIRST(&peer->bindings)) != NULL &&
	       b->sync_mark == lost_mark) {
		n--;
		b->sync_mark = sync_id;
		if (b->state != HAVEN_DELEG_S_DELEGATED) {
			/* A callback changed it meanwhile: not ours now. */
			TAILQ_REMOVE(&peer->bindings, b, peer_link);
			TAILQ_INSERT_TAIL(&peer->bindings, b, peer_link);
			continue;
		}
		peer->stats.lost++;
		pha->stats.lost++;
		pha_run(pha, b, PHA_EV_PEER_LOST, &a);
	}
}

/*
 * INVENTORY: one part of the answer to our SYNC. Entries mark the
 * bindings they name; orphans get a STOP; a binding held at another
 * generation than the one acked is sent again.
 */
static int
handle_inventory(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		const struct haven_deleg_msg *msg, uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms };
	struct haven_deleg_binding *b;
	struct builder bd;
	uint32_t sync_id = peer->sync_id;
	unsigned int i;

	if (sync_id == 0 || msg->txn != sync_id) {
		peer->stats.unexpected++;
		return -ESRCH;
	}
	peer->ext = !pha->cfg.v1_only;
	peer->sync_tries = 0;
	builder_init(&bd, pha, peer, now_ms, true);
	for (i = 0; i < msg->u.inventory.n_entries; i++) {
		const struct haven_deleg_inventory_entry *e =
			&msg->u.inventory.entries[i];
		uint64_t h = haven_deleg_digest(&e->home_addr, e->generation);

		peer->sync_sum += h;
		b = entry_seen(pha, peer, &bd, &e->home_addr, e->generation,
			now_ms);
		if (b == NULL)
			continue;
		b->sync_mark = sync_id;
		if (b->peer == peer && b->state == HAVEN_DELEG_S_DELEGATED &&
		    b->since_ms <= peer->sync_sent_ms && b->held_by == peer &&
		    b->held_digest != h) {
			/* It holds another generation: tell it again. */
			pha_run(pha, b, PHA_EV_UPDATE, &a);
		}
	}
	builder_flush(&bd);
	if (++peer->sync_parts < msg->u.inventory.parts)
		return 0;
	peer->sync_id = 0;
	if (peer->sync_sum == msg->u.inventory.digest &&
	    peer->sync_parts == msg->u.inventory.parts)
		inventory_complete(pha, peer, sync_id, now_ms);
	deleg_log(pha->ops->log, pha->ctx,
		"deleg: peer %s (%u) reconciled: %u parts, holds %u",
		peer->name, peer->id, peer->sync_parts,
		msg->u.inventory.load);
	return 0;
}

int
haven_deleg_pha_input(struct haven_deleg_pha *pha, uint32_t src,
		const uint8_t *buf, size_t len, uint64_t now_ms)
{
	const struct deleg_rx_counters counters = {
		.malformed = &pha->stats.malformed,
		.unknown_sender = &pha->stats.unknown_sender,
	};
	struct haven_deleg_peer *peer;
	struct haven_deleg_msg msg;
	bool outer = !pha->in_pump;
	int rc;

	rc = deleg_receive(pha->peers, pha->n_peers, pha->self_id,
		TYPE_BIT(HAVEN_DELEG_START_ACK) |
		TYPE_BIT(HAVEN_DELEG_STOP_ACK) | TYPE_BIT(HAVEN_DELEG_REPORT) |
		TYPE_BIT(HAVEN_DELEG_BATCH_ACK) |
		TYPE_BIT(HAVEN_DELEG_HEARTBEAT) |
		TYPE_BIT(HAVEN_DELEG_COUNTERS) |
		TYPE_BIT(HAVEN_DELEG_INVENTORY),
		&counters, src, buf, len, now_ms, &msg, &peer);
	if (rc < 0)
		return rc;
	peer_heard(pha, peer);
	/* Callbacks only queue until every record is handled. */
	pha->in_pump = true;
	switch (msg.type) {
	case HAVEN_DELEG_REPORT:
		rc = handle_report(pha, peer, &msg, now_ms);
		break;
	case HAVEN_DELEG_HEARTBEAT:
		rc = handle_heartbeat(pha, peer, &msg, now_ms);
		break;
	case HAVEN_DELEG_COUNTERS:
		rc = handle_counters(pha, peer, &msg, now_ms);
		break;
	case HAVEN_DELEG_INVENTORY:
		rc = handle_inventory(pha, peer, &msg, now_ms);
		break;
	case HAVEN_DELEG_BATCH_ACK:
		peer->ext = !pha->cfg.v1_only;
		rc = handle_batch_ack(pha, peer, &msg, now_ms);
		break;
	default:
		rc = handle_ack(pha, peer, &msg, now_ms);
		break;
	}
	pha->in_pump = !outer;
	if (outer)
		pump_all(pha, now_ms);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Tick                                                               */
/* ------------------------------------------------------------------ */

/* Silent peers are dead: their bindings come back (6.3). */
static void
liveness(struct haven_deleg_pha *pha, uint64_t now_ms)
{
	struct haven_deleg_peer *peer;
	uint64_t silence;
	unsigned int i;

	for (i = 0; i < pha->n_peers; i++) {
		peer = &pha->peers[i];
		if (!peer->alive || peer->removed ||
		    now_ms < peer->last_heard_ms)
			continue;
		silence = (uint64_t)pha->dead_after_reports *
			(peer->report_interval_ms != 0 ?
			 peer->report_interval_ms : HAVEN_DELEG_REPORT_MS);
		if (now_ms - peer->last_heard_ms < silence)
			continue;
		peer->alive = false;
		pha->stats.dead_peers++;
		deleg_log(pha->ops->log, pha->ctx,
			"deleg: peer %s (%u) dead: silent %llu ms, taking back %u",
			peer->name, peer->id,
			(unsigned long long)(now_ms - peer->last_heard_ms),
			peer->n_delegated);
		raise_event(pha, HAVEN_DELEG_EV_PEER_DEAD, NULL, peer,
			HAVEN_DELEG_PEER_LOST);
		peer_lost(pha, peer, HAVEN_DELEG_PEER_LOST, now_ms);
		peer->alive = false;
	}
}

/*
 * INVENTORY parts a SYNC to peer may bring, at most: its load in parts of
 * 66 (the smaller, Family 6), plus one.
 */
static uint32_t
inventory_parts(const struct haven_deleg_peer *peer)
{
	return peer->load / HAVEN_DELEG_INVENTORY_MAX6 + 1;
}

/*
 * SYNCs due and their timeouts (11.6). The INVENTORY parts that SYNCs
 * outstanding may bring stay within the receive budget (one SYNC at a
 * time when a single one would exceed it).
 */
static void
syncs(struct haven_deleg_pha *pha, uint64_t now_ms)
{
	struct haven_deleg_msg msg;
	struct haven_deleg_peer *peer;
	uint32_t busy = 0, parts;
	unsigned int i;

	for (i = 0; i < pha->n_peers; i++) {
		peer = &pha->peers[i];
		if (peer->sync_id != 0 &&
		    now_ms >= peer->sync_sent_ms + HAVEN_DELEG_SYNC_RETRY_MS) {
			peer->sync_id = 0;	/* incomplete: given up */
			if (!peer->ext)
				peer->sync_tries++;
		}
		if (peer->sync_id != 0)
			busy += inventory_parts(peer);
	}
	for (i = 0; i < pha->n_peers; i++) {
		peer = &pha->peers[i];
		parts = inventory_parts(peer);
		if (busy > 0 && busy + parts > pha->cfg.rx_budget)
			continue;
		/* Not before it was heard: it may not be up yet. */
		if (!peer->sync_due || pha->cfg.v1_only ||
		    !peer->boot_known || peer->sync_id != 0 || !peer->alive ||
		    peer->removed || now_ms < peer->sync_next_ms ||
		    (pha->ops->can_send != NULL &&
		     !pha->ops->can_send(pha->ctx, peer)))
			continue;
		memset(&msg, 0, offsetof(struct haven_deleg_msg, u));
		msg.type = HAVEN_DELEG_SYNC;
		msg.txn = new_txn(pha);
		msg.u.sync.features = HAVEN_DELEG_FEAT_BATCH |
			HAVEN_DELEG_FEAT_UDP | HAVEN_DELEG_FEAT_IPV6;
		if (deleg_send(pha->self_id, peer, &msg, pha->ops->send,
				pha->ctx) < 0)
			continue;
		peer->sync_due = false;
		peer->sync_id = msg.txn;
		peer->sync_sent_ms = now_ms;
		peer->sync_next_ms = now_ms + HAVEN_DELEG_SYNC_RETRY_MS;
		peer->sync_parts = 0;
		peer->sync_sum = 0;
		peer->mismatches = 0;
		peer->stats.syncs++;
		busy += parts;
	}
}

/*
 * Event callbacks raised by liveness, SYNCs and moves only queue (they
 * may delegate, undelegate, move...): the pump then sends once.
 */
void
haven_deleg_pha_tick(struct haven_deleg_pha *pha, uint64_t now_ms)
{
	if (pha == NULL || pha->in_pump)
		return;
	pha->in_pump = true;
	liveness(pha, now_ms);
	syncs(pha, now_ms);
	moves_pump(pha, now_ms);
	pha->in_pump = false;
	pump_all(pha, now_ms);
}

void
haven_deleg_pha_flush(struct haven_deleg_pha *pha, uint64_t now_ms)
{
	if (pha == NULL || pha->in_pump)
		return;
	pha->in_pump = true;
	moves_pump(pha, now_ms);
	pha->in_pump = false;
	pump_all(pha, now_ms);
}

int
haven_deleg_pha_sync(struct haven_deleg_pha *pha,
		struct haven_deleg_peer *peer, uint64_t now_ms)
{
	if (pha == NULL || peer == NULL || !is_our_peer(pha, peer))
		return -EINVAL;
	peer->sync_due = true;
	peer->sync_tries = 0;
	if (peer->sync_id == 0)
		peer->sync_next_ms = now_ms;
	if (!pha->in_pump)
		syncs(pha, now_ms);
	return 0;
}
