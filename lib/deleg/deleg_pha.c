/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The primary home agent's side of the delegation protocol: one small
 * state machine per binding (LOCAL, STARTING, DELEGATED, UPDATING,
 * STOPPING) that sends Start and Stop Forwarding, retransmits them with
 * backoff until acknowledged or given up, and hands the binding back to
 * the PHA when an SHA refuses, falls silent or restarts.
 *
 * The machine is a table, state x event -> handler, the one printed in
 * docs/delegation-protocol.md section "PHA State Machine"; every state
 * change goes through change_state(), which logs "old -> new". A handler
 * raises at most one event to the caller and does so as its last action,
 * so the caller's event callback may call delegate, update, undelegate
 * and forget on any binding (this one included) without the library
 * touching stale state afterwards.
 *
 * IPv4 and IPv6 bindings run the same machine; a binding's info.family
 * picks the Family of the messages sent for it, and acks and report
 * entries match a binding only in their own family.
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
	PHA_EV_TIMER,		/* retransmission timer ran out */
	PHA_EV_PEER_LOST,	/* the SHA is dead or restarted */
	PHA_EV_MAX,
};

static const char *const pha_event_names[PHA_EV_MAX] = {
	[PHA_EV_DELEGATE] = "delegate",
	[PHA_EV_UPDATE] = "update",
	[PHA_EV_UNDELEGATE] = "undelegate",
	[PHA_EV_ACK_OK] = "ack OK",
	[PHA_EV_ACK_REFUSED] = "ack refused",
	[PHA_EV_TIMER] = "timer",
	[PHA_EV_PEER_LOST] = "peer lost",
};

/* Arguments of an event. */
struct pha_args {
	uint64_t now_ms;
	struct haven_deleg_peer *peer;	/* DELEGATE */
	uint8_t status;			/* ACK_*, UNDELEGATE */
	uint8_t reason;			/* UNDELEGATE: stop reason */
};

typedef void (*pha_handler)(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, const struct pha_args *a);

#define N_STATES (HAVEN_DELEG_S_STOPPING + 1)

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static void
change_state(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		enum haven_deleg_state to, enum pha_event why, uint64_t now_ms)
{
	char addr[DELEG_ADDR_STRLEN];

	deleg_log(pha->ops->log, pha->ctx, "deleg: %s: %s -> %s (%s)",
		deleg_hoa_str(deleg_hoa_of(&b->info), addr),
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

static void
pending_add(struct haven_deleg_pha *pha, struct haven_deleg_binding *b)
{
	if (!b->pending) {
		TAILQ_INSERT_TAIL(&pha->pending, b, pending_link);
		b->pending = true;
	}
}

static void
pending_del(struct haven_deleg_pha *pha, struct haven_deleg_binding *b)
{
	if (b->pending) {
		TAILQ_REMOVE(&pha->pending, b, pending_link);
		b->pending = false;
	}
}

static void
attach(struct haven_deleg_binding *b, struct haven_deleg_peer *peer)
{
	b->peer = peer;
	TAILQ_INSERT_TAIL(&peer->bindings, b, peer_link);
	peer->n_delegated++;
}

/* Off every list, peer NULL: what LOCAL means. */
static void
detach(struct haven_deleg_pha *pha, struct haven_deleg_binding *b)
{
	pending_del(pha, b);
	if (b->peer != NULL) {
		TAILQ_REMOVE(&b->peer->bindings, b, peer_link);
		b->peer->n_delegated--;
		b->peer = NULL;
	}
}

/* Wait after the n-th send: 200, 400, 800, then 1000 ms. */
static uint64_t
backoff_ms(unsigned int sends)
{
	uint64_t ms = HAVEN_DELEG_RETX_INITIAL_MS;

	while (--sends > 0 && ms < HAVEN_DELEG_RETX_MAX_MS)
		ms *= 2;
	return ms < HAVEN_DELEG_RETX_MAX_MS ? ms : HAVEN_DELEG_RETX_MAX_MS;
}

/* Fill the home address of a STOP (and its Family) from a key. */
static void
stop_hoa(struct haven_deleg_msg *msg, struct deleg_hoa h)
{
	if (h.is6) {
		msg->family = HAVEN_DELEG_FAMILY_IPV6;
		memcpy(msg->u.stop.home_addr6, h.a6, HAVEN_DELEG_ADDR6_LEN);
	} else {
		msg->u.stop.home_addr = h.a4;
	}
}

/* One STOP for (home address, generation) with a fresh txn, no retry. */
static void
send_stop_once(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		struct deleg_hoa h, uint32_t generation, uint8_t reason)
{
	struct haven_deleg_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.type = HAVEN_DELEG_STOP;
	msg.txn = new_txn(pha);
	stop_hoa(&msg, h);
	msg.u.stop.generation = generation;
	msg.u.stop.reason = reason;
	deleg_send(pha->self_id, peer, &msg, pha->ops->send, pha->ctx);
}

/*
 * Send the request of the outstanding transaction (START in STARTING and
 * UPDATING, STOP in STOPPING); every send takes a fresh sequence number.
 */
static void
transmit(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		uint64_t now_ms)
{
	struct haven_deleg_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.txn = b->txn;
	if (b->state == HAVEN_DELEG_S_STOPPING) {
		msg.type = HAVEN_DELEG_STOP;
		stop_hoa(&msg, deleg_hoa_of(&b->info));
		msg.u.stop.generation = b->info.generation;
		msg.u.stop.reason = b->stop_reason;
	} else {
		msg.type = HAVEN_DELEG_START;
		msg.family = b->info.family;
		msg.u.start = b->info;
	}
	if (b->tries > 0)
		b->peer->stats.retransmits++;
	b->tries++;
	b->next_retx_ms = now_ms + backoff_ms(b->tries);
	deleg_send(pha->self_id, b->peer, &msg, pha->ops->send, pha->ctx);
}

/* A new transaction: fresh txn, retry budget reset, first send now. */
static void
begin_transaction(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		uint64_t now_ms)
{
	b->txn = new_txn(pha);
	b->tries = 0;
	pending_add(pha, b);
	transmit(pha, b, now_ms);
}

/* ------------------------------------------------------------------ */
/* Handlers (cells of the table)                                      */
/* ------------------------------------------------------------------ */

/* LOCAL, delegate: START, keep forwarding until the ack ([0037]). */
static void
start_delegation(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	attach(b, a->peer);
	b->info.generation++;
	b->reported_packets = 0;	/* the SHA counts from its install */
	b->reported_ms = 0;
	change_state(pha, b, HAVEN_DELEG_S_STARTING, PHA_EV_DELEGATE,
		a->now_ms);
	pha->stats.started++;
	begin_transaction(pha, b, a->now_ms);
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
	b->info.generation++;
	begin_transaction(pha, b, a->now_ms);
}

/* DELEGATED, update: new generation; the SHA switches on receipt [0029]. */
static void
begin_update(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	b->info.generation++;
	change_state(pha, b, HAVEN_DELEG_S_UPDATING, PHA_EV_UPDATE, a->now_ms);
	begin_transaction(pha, b, a->now_ms);
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
	b->stop_reason = a->reason;
	change_state(pha, b, HAVEN_DELEG_S_STOPPING, why, a->now_ms);
	pha->stats.taken_back++;
	begin_transaction(pha, b, a->now_ms);
	raise_event(pha, HAVEN_DELEG_EV_TAKEN_BACK, b, b->peer, a->status);
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

	pending_del(pha, b);
	change_state(pha, b, HAVEN_DELEG_S_DELEGATED, PHA_EV_ACK_OK,
		a->now_ms);
	if (first)
		raise_event(pha, HAVEN_DELEG_EV_DELEGATED, b, b->peer,
			HAVEN_DELEG_OK);
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

/* STARTING: retransmit, or give up (REFUSED, one STOP in case). */
static void
start_timer(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct haven_deleg_peer *peer = b->peer;

	if (b->tries < HAVEN_DELEG_RETX_TRIES) {
		transmit(pha, b, a->now_ms);
		return;
	}
	peer->stats.timeouts++;
	send_stop_once(pha, peer, deleg_hoa_of(&b->info), b->info.generation,
		HAVEN_DELEG_STOP_TAKEBACK);
	detach(pha, b);
	change_state(pha, b, HAVEN_DELEG_S_LOCAL, PHA_EV_TIMER, a->now_ms);
	pha->stats.refused++;
	raise_event(pha, HAVEN_DELEG_EV_REFUSED, b, peer,
		HAVEN_DELEG_NO_ANSWER);
}

/* UPDATING: retransmit, or give up and take the binding back. */
static void
update_timer(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct pha_args stop = *a;

	if (b->tries < HAVEN_DELEG_RETX_TRIES) {
		transmit(pha, b, a->now_ms);
		return;
	}
	b->peer->stats.timeouts++;
	stop.reason = HAVEN_DELEG_STOP_TAKEBACK;
	stop.status = HAVEN_DELEG_NO_ANSWER;
	take_back(pha, b, &stop, PHA_EV_TIMER);
}

/* STOPPING: retransmit, or give up (STOPPED, NO_ANSWER). */
static void
stop_timer(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct pha_args gave_up = *a;

	if (b->tries < HAVEN_DELEG_RETX_TRIES) {
		transmit(pha, b, a->now_ms);
		return;
	}
	b->peer->stats.timeouts++;
	gave_up.status = HAVEN_DELEG_NO_ANSWER;
	stopped(pha, b, &gave_up);
}

/*
 * STARTING, DELEGATED or UPDATING, the SHA is lost: LOCAL at once, one
 * STOP in case only the path failed, and TAKEN_BACK (status PEER_LOST)
 * as the last event of this delegation.
 */
static void
lost_active(struct haven_deleg_pha *pha, struct haven_deleg_binding *b,
		const struct pha_args *a)
{
	struct haven_deleg_peer *peer = b->peer;

	send_stop_once(pha, peer, deleg_hoa_of(&b->info), b->info.generation,
		HAVEN_DELEG_STOP_TAKEBACK);
	detach(pha, b);
	change_state(pha, b, HAVEN_DELEG_S_LOCAL, PHA_EV_PEER_LOST,
		a->now_ms);
	pha->stats.taken_back++;
	raise_event(pha, HAVEN_DELEG_EV_TAKEN_BACK, b, peer,
		HAVEN_DELEG_PEER_LOST);
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

/*
 * The table (docs/delegation-protocol.md, "PHA State Machine"). An empty
 * cell means the event does not apply in that state and is ignored.
 */
static const pha_handler pha_fsm[N_STATES][PHA_EV_MAX] = {
	[HAVEN_DELEG_S_LOCAL] = {
		[PHA_EV_DELEGATE] = start_delegation,
		[PHA_EV_UPDATE] = bump_generation,
	},
	[HAVEN_DELEG_S_STARTING] = {
		[PHA_EV_UPDATE] = restart_start,
		[PHA_EV_UNDELEGATE] = undelegate,
		[PHA_EV_ACK_OK] = delegated,
		[PHA_EV_ACK_REFUSED] = start_refused,
		[PHA_EV_TIMER] = start_timer,
		[PHA_EV_PEER_LOST] = lost_active,
	},
	[HAVEN_DELEG_S_DELEGATED] = {
		[PHA_EV_UPDATE] = begin_update,
		[PHA_EV_UNDELEGATE] = undelegate,
		[PHA_EV_PEER_LOST] = lost_active,
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

/* ------------------------------------------------------------------ */
/* Peers                                                              */
/* ------------------------------------------------------------------ */

static bool
is_our_peer(const struct haven_deleg_pha *pha,
		const struct haven_deleg_peer *peer)
{
	return peer >= pha->peers && peer < pha->peers + pha->n_peers;
}

/*
 * Every binding on the peer goes LOCAL now. While this runs the peer
 * counts as down, so an event callback cannot delegate to it again.
 */
static void
peer_lost(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms };
	struct haven_deleg_binding *b;
	bool was_alive = peer->alive;

	peer->alive = false;
	while ((b = TAILQ_FIRST(&peer->bindings)) != NULL)
		pha_run(pha, b, PHA_EV_PEER_LOST, &a);
	peer->alive = was_alive;
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

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

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
	/* Not 1, 2, 3... after every restart: see "Transaction IDs". */
	pha->next_txn = (uint32_t)seq_base ^ (uint32_t)(seq_base >> 32);
	pha->dead_after_reports = HAVEN_DELEG_DEAD_REPORTS;
	TAILQ_INIT(&pha->pending);
	for (i = 0; i < n_peers; i++)
		haven_deleg_peer_init(&peers[i], seq_base, now_ms);
}

int
haven_deleg_pha_delegate(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b, struct haven_deleg_peer *peer,
		uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms, .peer = peer };

	if (pha == NULL || b == NULL || peer == NULL ||
			!is_our_peer(pha, peer))
		return -EINVAL;
	if (b->state != HAVEN_DELEG_S_LOCAL)
		return -EBUSY;
	if (!peer->alive || peer->removed)
		return -EHOSTDOWN;
	if (deleg_check_binding_info(&b->info) < 0)
		return -EINVAL;
	pha_run(pha, b, PHA_EV_DELEGATE, &a);
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
	b->reported_packets = 0;
	b->reported_ms = 0;
	deleg_log(pha->ops->log, pha->ctx, "deleg: %s: adopted on %s "
		"(generation %u)", deleg_hoa_str(deleg_hoa_of(&b->info), addr),
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

	if (pha == NULL || b == NULL)
		return;
	if (deleg_check_binding_info(&b->info) < 0 &&
			b->state != HAVEN_DELEG_S_LOCAL &&
			b->state != HAVEN_DELEG_S_STOPPING) {
		/* The SHA cannot be told: the PHA forwards it itself. */
		b->info.generation++;
		a.reason = HAVEN_DELEG_STOP_TAKEBACK;
		a.status = HAVEN_DELEG_BAD_REQUEST;
		pha_run(pha, b, PHA_EV_UNDELEGATE, &a);
		return;
	}
	pha_run(pha, b, PHA_EV_UPDATE, &a);
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

	if (pha == NULL || b == NULL)
		return;
	pha_run(pha, b, PHA_EV_UNDELEGATE, &a);
}

void
haven_deleg_pha_forget(struct haven_deleg_pha *pha,
		struct haven_deleg_binding *b)
{
	if (pha == NULL || b == NULL)
		return;
	detach(pha, b);
	b->state = HAVEN_DELEG_S_LOCAL;
}

void
haven_deleg_pha_remove_peer(struct haven_deleg_pha *pha,
		struct haven_deleg_peer *peer, uint64_t now_ms)
{
	struct haven_deleg_binding *b;

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
}

/* START_ACK or STOP_ACK: find the transaction it closes. */
static int
handle_ack(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		const struct haven_deleg_msg *msg, uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms, .status = msg->u.ack.status };
	struct haven_deleg_binding *b;
	bool want_stop;

	peer->load = msg->u.ack.load;
	peer->capacity = msg->u.ack.capacity;
	TAILQ_FOREACH(b, &pha->pending, pending_link)
		if (b->peer == peer && b->txn == msg->txn)
			break;
	if (b == NULL || !deleg_hoa_equal(deleg_hoa_of(&b->info),
			deleg_hoa_make(msg->family, msg->u.ack.home_addr,
				msg->u.ack.home_addr6))) {
		peer->stats.unexpected++;
		return -ESRCH;
	}
	want_stop = b->state == HAVEN_DELEG_S_STOPPING;
	if (want_stop != (msg->type == HAVEN_DELEG_STOP_ACK)) {
		peer->stats.unexpected++;
		return -ESRCH;
	}
	pha_run(pha, b, a.status == HAVEN_DELEG_OK ?
		PHA_EV_ACK_OK : PHA_EV_ACK_REFUSED, &a);
	return 0;
}

/* The caller's lookup of this family, or NULL if it has none. */
static bool
has_lookup(const struct haven_deleg_pha *pha, bool is6)
{
	return is6 ? pha->ops->lookup6 != NULL : pha->ops->lookup != NULL;
}

/* The binding of home address h delegated to peer, or NULL. */
static struct haven_deleg_binding *
find_on_peer(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		struct deleg_hoa h)
{
	struct haven_deleg_binding *b;

	if (has_lookup(pha, h.is6)) {
		b = h.is6 ? pha->ops->lookup6(pha->ctx, h.a6) :
			pha->ops->lookup(pha->ctx, h.a4);
		return b != NULL && b->peer == peer &&
			b->state != HAVEN_DELEG_S_LOCAL &&
			deleg_hoa_equal(deleg_hoa_of(&b->info), h) ? b : NULL;
	}
	/* Without lookup: a walk of the peer's list per entry. */
	TAILQ_FOREACH(b, &peer->bindings, peer_link)
		if (deleg_hoa_equal(deleg_hoa_of(&b->info), h))
			return b;
	return NULL;
}

/*
 * REPORT: liveness and load; an SHA that restarted lost what it held;
 * per-binding counts; bindings it holds that are not delegated to it here
 * are orphans (only with lookup: without it "not on this peer" cannot be
 * told from "unknown here").
 */
static int
handle_report(struct haven_deleg_pha *pha, struct haven_deleg_peer *peer,
		const struct haven_deleg_msg *msg, uint64_t now_ms)
{
	struct haven_deleg_binding *b;
	unsigned int i;

	peer->report_interval_ms = msg->u.report.interval_ms;
	peer->load = msg->u.report.load;
	peer->capacity = msg->u.report.capacity;
	peer->reported_packets = msg->u.report.packets;
	if (peer->boot_known && peer->boot_id != msg->u.report.boot_id) {
		deleg_log(pha->ops->log, pha->ctx,
			"deleg: peer %s (%u) restarted: taking back %u",
			peer->name, peer->id, peer->n_delegated);
		peer->boot_id = msg->u.report.boot_id;
		peer_lost(pha, peer, now_ms);
	}
	peer->boot_id = msg->u.report.boot_id;
	peer->boot_known = true;
	for (i = 0; i < msg->u.report.n_entries; i++) {
		const struct haven_deleg_report_entry *e =
			&msg->u.report.entries[i];
		struct deleg_hoa h = deleg_hoa_make(msg->family, e->home_addr,
			e->home_addr6);

		b = find_on_peer(pha, peer, h);
		if (b != NULL) {
			b->reported_packets = e->packets;
			b->reported_ms = now_ms;
			continue;
		}
		if (!has_lookup(pha, h.is6))
			continue;
		peer->stats.orphans++;
		send_stop_once(pha, peer, h, e->generation,
			HAVEN_DELEG_STOP_TAKEBACK);
	}
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
	int rc;

	rc = deleg_receive(pha->peers, pha->n_peers, pha->self_id,
		TYPE_BIT(HAVEN_DELEG_START_ACK) |
		TYPE_BIT(HAVEN_DELEG_STOP_ACK) | TYPE_BIT(HAVEN_DELEG_REPORT),
		&counters, src, buf, len, now_ms, &msg, &peer);
	if (rc < 0)
		return rc;
	peer_heard(pha, peer);
	if (msg.type == HAVEN_DELEG_REPORT)
		return handle_report(pha, peer, &msg, now_ms);
	return handle_ack(pha, peer, &msg, now_ms);
}

void
haven_deleg_pha_tick(struct haven_deleg_pha *pha, uint64_t now_ms)
{
	struct pha_args a = { .now_ms = now_ms };
	struct haven_deleg_binding *b;
	struct haven_deleg_peer *peer;
	uint64_t before, silence;
	unsigned int i;

	/*
	 * A handler that changes state may raise an event, and the callback
	 * may change the pending list: start over after every transition.
	 * Handled bindings are not due again, so this ends.
	 */
again:
	TAILQ_FOREACH(b, &pha->pending, pending_link) {
		if (now_ms < b->next_retx_ms)
			continue;
		before = pha->stats.transitions;
		pha_run(pha, b, PHA_EV_TIMER, &a);
		if (pha->stats.transitions != before)
			goto again;
	}

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
		peer_lost(pha, peer, now_ms);
	}
}
