/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the primary's state machine of the delegation
 * protocol (lib/deleg/deleg_pha.c): a PHA with two secondaries and
 * sixteen bindings (IPv4, IPv6, one behind a NAT) driven by a sequence of
 * operations the fuzzer chooses (fuzz_deleg.h): datagrams from either
 * secondary, signed so that they pass authentication (the harness appends
 * the HMAC and a fresh sequence number), well-formed answers to what the
 * PHA actually sent (acks, BATCH_ACKs, INVENTORY parts with any status),
 * heartbeats with right or wrong digests, time, and every call a caller
 * makes (delegate, update, undelegate, move, forget, sync, flush), some of
 * them from inside the event callback.
 *
 * After every operation the harness checks what the PHA promises: every
 * list and counter agrees with the bindings (n_delegated, queues,
 * outstanding, datagrams in flight), the windows are never exceeded, a
 * LOCAL binding has no SHA and nothing queued. Any disagreement aborts.
 * Built only with clang; run with
 *   build/test/fuzz_deleg_pha -max_len=4096 test/fuzz/deleg_pha
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "fuzz_deleg.h"

#define N_B	16
#define N_SENT	8	/* requests remembered for answers */

static struct {
	uint64_t now;
	struct haven_deleg_pha pha;
	struct haven_deleg_ops ops;
	struct haven_deleg_peer peers[FZ_N_PEERS];
	struct haven_deleg_binding b[N_B];
	uint64_t seq[FZ_N_PEERS];		/* each SHA's stream */
	struct {
		unsigned int peer;
		size_t len;
		uint8_t buf[HAVEN_DELEG_MAX_MSG];
	} sent[N_SENT];
	unsigned int n_sent;
	uint8_t mischief;			/* callbacks call back in */
	unsigned int depth;
} F;

static struct haven_deleg_binding *
lookup(void *ctx, const struct haven_addr *h)
{
	unsigned int i;

	(void)ctx;
	for (i = 0; i < N_B; i++)
		if (haven_addr_eq(&F.b[i].info.home_addr, h))
			return &F.b[i];
	return NULL;
}

static void
send_cb(void *ctx, const struct haven_deleg_peer *peer, const uint8_t *msg,
		size_t len)
{
	unsigned int k = F.n_sent++ % N_SENT;

	(void)ctx;
	if (len > HAVEN_DELEG_MAX_MSG)
		abort();
	F.sent[k].peer = (unsigned int)(peer - F.peers);
	F.sent[k].len = len;
	memcpy(F.sent[k].buf, msg, len);
}

static void
event_cb(void *ctx, int event, struct haven_deleg_binding *b,
		struct haven_deleg_peer *peer, uint8_t status)
{
	(void)ctx;
	(void)status;
	if (b == NULL || F.depth > 0 || F.mischief == 0)
		return;
	/* Re-entrancy the API allows: act on bindings from the callback. */
	F.depth++;
	switch ((F.mischief + event) % 5) {
	case 0:
		haven_deleg_pha_undelegate(&F.pha, b, 0, F.now);
		break;
	case 1:
		if (peer != NULL)
			haven_deleg_pha_delegate(&F.pha, &F.b[event % N_B],
				peer, F.now);
		break;
	case 2:
		haven_deleg_pha_move(&F.pha, b, &F.peers[event & 1], F.now);
		break;
	case 3:
		haven_deleg_pha_update(&F.pha, b, F.now);
		break;
	default:
		if (b->state == HAVEN_DELEG_S_LOCAL)
			haven_deleg_pha_forget(&F.pha, b);
		break;
	}
	F.depth--;
}

static void
setup(void)
{
	unsigned int i;
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	memset(&F, 0, sizeof(F));
	F.now = 1000000;
	for (i = 0; i < FZ_N_PEERS; i++) {
		F.peers[i].id = FZ_PEER_ID(i);
		F.peers[i].addr = FZ_PEER_ADDR(i);
		fz_key(i, F.peers[i].key);
		F.peers[i].key_len = 32;
		F.seq[i] = 1000;
	}
	F.ops = (struct haven_deleg_ops){ .send = send_cb, .event = event_cb,
		.lookup = lookup };
	haven_deleg_pha_init(&F.pha, FZ_PHA_ID, F.peers, FZ_N_PEERS, &F.ops,
		NULL, F.now, 5000);
	for (i = 0; i < N_B; i++) {
		struct haven_deleg_binding_info *bi = &F.b[i].info;

		if (i >= 12) {
			v6[15] = (uint8_t)i;
			bi->home_addr = haven_addr6(v6);
			v6[15] = 1;
			bi->outer_src = haven_addr6(v6);
			v6[15] = (uint8_t)(0x80 + i);
			bi->coa[0] = haven_addr6(v6);
			bi->encap = HAVEN_DELEG_ENCAP_IP6IP6;
		} else {
			bi->home_addr = haven_addr4(htonl(0xc0000200u + 10 + i));
			bi->outer_src = haven_addr4(htonl(0xc0000201u));
			bi->coa[0] = haven_addr4(htonl(0xc6336400u + 1 + i));
		}
		if (i == 3) {
			bi->encap = HAVEN_DELEG_ENCAP_UDP;
			bi->udp_src_port = 434;
			bi->udp_next_header = HAVEN_DELEG_UDP_NH_IP;
			bi->nat_addr[0] = haven_addr4(htonl(0xcb007107u));
			bi->nat_port[0] = 40001;
		}
		bi->n_coa = 1;
		bi->duration_s = 30;
	}
}

/* What a PHA promises, whatever it was sent. */
static void
check(void)
{
	unsigned int i, k, n_del[FZ_N_PEERS] = { 0 }, flight = 0, n;
	struct haven_deleg_txn *t;

	for (i = 0; i < N_B; i++) {
		struct haven_deleg_binding *b = &F.b[i];

		if (b->state > HAVEN_DELEG_S_MOVING)
			abort();
		if (b->state == HAVEN_DELEG_S_LOCAL) {
			if (b->peer != NULL || b->t.where !=
					HAVEN_DELEG_TXN_IDLE || b->move_queued)
				abort();
			continue;
		}
		if (b->peer < F.peers || b->peer >= F.peers + FZ_N_PEERS)
			abort();
		n_del[b->peer - F.peers]++;
		if (b->state == HAVEN_DELEG_S_DELEGATED &&
		    b->t.where != HAVEN_DELEG_TXN_IDLE)
			abort();
		if (b->state == HAVEN_DELEG_S_MOVING &&
		    (b->move_to == NULL || b->move_to == b->peer ||
		     b->t.peer != b->move_to))
			abort();
	}
	for (k = 0; k < FZ_N_PEERS; k++) {
		struct haven_deleg_peer *p = &F.peers[k];

		if (p->n_delegated != n_del[k])
			abort();
		n = 0;
		TAILQ_FOREACH(t, &p->pending, link) {
			if (t->where != HAVEN_DELEG_TXN_PENDING ||
			    t->peer != p || t->tries == 0 ||
			    t->tries > HAVEN_DELEG_RETX_TRIES)
				abort();
			n++;
		}
		if (n != p->n_outstanding || n > F.pha.cfg.window)
			abort();
		n = 0;
		TAILQ_FOREACH(t, &p->queue, link) {
			if (t->where != HAVEN_DELEG_TXN_QUEUED || t->peer != p)
				abort();
			n++;
		}
		if (n != p->n_queued)
			abort();
		if (p->n_flight > F.pha.cfg.dgram_window)
			abort();
		flight += p->n_flight;
	}
	if (flight != F.pha.n_flight || flight > F.pha.cfg.rx_budget)
		abort();
}

/* Sign and deliver body as from SHA k. */
static void
deliver(unsigned int k, const uint8_t *body, size_t len, bool patch)
{
	uint8_t key[32], buf[HAVEN_DELEG_MAX_MSG];
	size_t n;

	fz_key(k, key);
	n = fz_sign(body, len, patch, FZ_PEER_ID(k), FZ_PHA_ID, ++F.seq[k],
		key, buf);
	(void)haven_deleg_pha_input(&F.pha, FZ_PEER_ADDR(k), buf, n, F.now);
}

/* Encode msg as SHA k's next message and deliver it. */
static void
deliver_msg(unsigned int k, struct haven_deleg_msg *msg)
{
	uint8_t key[32], buf[HAVEN_DELEG_MAX_MSG];
	int n;

	fz_key(k, key);
	msg->sender_id = FZ_PEER_ID(k);
	msg->receiver_id = FZ_PHA_ID;
	msg->seq = ++F.seq[k];
	n = haven_deleg_encode(msg, key, 32, buf, sizeof(buf));
	if (n > 0)
		(void)haven_deleg_pha_input(&F.pha, FZ_PEER_ADDR(k), buf,
			(size_t)n, F.now);
}

/* The SHA's answer (with status) to a request the PHA sent. */
static void
answer(unsigned int which, uint8_t status, uint8_t mask)
{
	static struct haven_deleg_msg req, ans;
	unsigned int k, i, n = 0;
	uint8_t key[32];
	uint64_t digest = 0;

	if (F.n_sent == 0)
		return;
	which %= F.n_sent < N_SENT ? F.n_sent : N_SENT;
	k = F.sent[which].peer;
	fz_key(k, key);
	if (haven_deleg_decode(F.sent[which].buf, F.sent[which].len, key, 32,
			&req, NULL, 0) != 0)
		abort();	/* the PHA sent something it cannot read */
	memset(&ans, 0, sizeof(ans));
	ans.txn = req.txn;
	status %= HAVEN_DELEG_NOT_PRIMARY + 1;
	switch (req.type) {
	case HAVEN_DELEG_START:
	case HAVEN_DELEG_STOP:
		ans.type = req.type + 1;
		ans.u.ack.home_addr = req.type == HAVEN_DELEG_START ?
			req.u.start.home_addr : req.u.stop.home_addr;
		ans.u.ack.generation = req.type == HAVEN_DELEG_START ?
			req.u.start.generation : req.u.stop.generation;
		ans.u.ack.status = status;
		ans.u.ack.load = mask;
		break;
	case HAVEN_DELEG_BATCH:
		ans.type = HAVEN_DELEG_BATCH_ACK;
		ans.u.batch_ack.n = req.u.batch.n;
		for (i = 0; i < req.u.batch.n; i++) {
			struct haven_deleg_record *r = &req.u.batch.rec[i];
			struct haven_deleg_ack_record *a =
				&ans.u.batch_ack.rec[i];

			a->txn = r->txn;
			a->status = (mask >> (i % 8)) & 1 ? status : 0;
			if (r->kind == HAVEN_DELEG_START) {
				a->kind = HAVEN_DELEG_START_ACK;
				a->home_addr = r->start.home_addr;
				a->generation = r->start.generation;
			} else {
				a->kind = HAVEN_DELEG_STOP_ACK;
				a->home_addr = r->stop.home_addr;
				a->generation = r->stop.generation;
			}
		}
		break;
	case HAVEN_DELEG_SYNC:
		/* One INVENTORY part: the IPv4 bindings of the mask. */
		ans.type = HAVEN_DELEG_INVENTORY;
		ans.family = HAVEN_DELEG_FAMILY_IPV4;
		ans.u.inventory.parts = 1;
		for (i = 0; i < 8; i++) {
			if (!((mask >> i) & 1))
				continue;
			ans.u.inventory.entries[n].home_addr =
				F.b[i].info.home_addr;
			ans.u.inventory.entries[n].generation =
				F.b[i].info.generation + (status & 1);
			digest += haven_deleg_digest(&F.b[i].info.home_addr,
				ans.u.inventory.entries[n].generation);
			n++;
		}
		ans.u.inventory.n_entries = (uint16_t)n;
		ans.u.inventory.load = n;
		ans.u.inventory.digest = digest + (status >> 1 & 1);
		break;
	default:
		return;
	}
	deliver_msg(k, &ans);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	const uint8_t *body;
	uint8_t op, a, c;
	uint16_t len;
	unsigned int steps = 0;

	setup();
	if (fz_u8(&in, &F.mischief) < 0)
		return 0;
	while (fz_u8(&in, &op) == 0 && steps++ < 256) {
		switch (op % FZ_OP_MAX) {
		case FZ_MSG:
		case FZ_MSG_AS_IS:
			if (fz_u8(&in, &a) < 0 || fz_u16(&in, &len) < 0 ||
			    fz_bytes(&in, len, &body) < 0)
				return 0;
			deliver(a % FZ_N_PEERS, body, len,
				op % FZ_OP_MAX == FZ_MSG);
			break;
		case FZ_RAW:
			if (fz_u16(&in, &len) < 0 ||
			    fz_bytes(&in, len, &body) < 0)
				return 0;
			(void)haven_deleg_pha_input(&F.pha, FZ_PEER_ADDR(0),
				body, len, F.now);
			break;
		case FZ_TICK:
			if (fz_u8(&in, &a) < 0)
				return 0;
			F.now += 10ull * a;
			haven_deleg_pha_tick(&F.pha, F.now);
			break;
		case FZ_DELEGATE:
			if (fz_u8(&in, &a) < 0 || fz_u8(&in, &c) < 0)
				return 0;
			(void)haven_deleg_pha_delegate(&F.pha, &F.b[a % N_B],
				&F.peers[c % FZ_N_PEERS], F.now);
			break;
		case FZ_UNDELEGATE:
			if (fz_u8(&in, &a) < 0 || fz_u8(&in, &c) < 0)
				return 0;
			haven_deleg_pha_undelegate(&F.pha, &F.b[a % N_B], c,
				F.now);
			break;
		case FZ_UPDATE:
			if (fz_u8(&in, &a) < 0 || fz_u8(&in, &c) < 0)
				return 0;
			if (F.b[a % N_B].info.home_addr.family ==
					HAVEN_AF_INET)
				F.b[a % N_B].info.coa[0].bytes[3] = c;
			F.b[a % N_B].info.duration_s = c;	/* 0: take back */
			haven_deleg_pha_update(&F.pha, &F.b[a % N_B], F.now);
			break;
		case FZ_MOVE:
			if (fz_u8(&in, &a) < 0 || fz_u8(&in, &c) < 0)
				return 0;
			(void)haven_deleg_pha_move(&F.pha, &F.b[a % N_B],
				&F.peers[c % FZ_N_PEERS], F.now);
			break;
		case FZ_FORGET:
			if (fz_u8(&in, &a) < 0)
				return 0;
			if (F.b[a % N_B].state == HAVEN_DELEG_S_LOCAL)
				haven_deleg_pha_forget(&F.pha, &F.b[a % N_B]);
			break;
		case FZ_SYNC:
			if (fz_u8(&in, &a) < 0)
				return 0;
			(void)haven_deleg_pha_sync(&F.pha,
				&F.peers[a % FZ_N_PEERS], F.now);
			break;
		case FZ_FLUSH:
			haven_deleg_pha_flush(&F.pha, F.now);
			break;
		case FZ_ANSWER:
			if (fz_u8(&in, &a) < 0 || fz_u8(&in, &c) < 0 ||
			    fz_u8(&in, &op) < 0)
				return 0;
			answer(a, c, op);
			break;
		case FZ_HEARTBEAT: {
			struct haven_deleg_msg hb;
			unsigned int k;

			if (fz_u8(&in, &a) < 0 || fz_u8(&in, &c) < 0)
				return 0;
			k = a % FZ_N_PEERS;
			memset(&hb, 0, sizeof(hb));
			hb.type = HAVEN_DELEG_HEARTBEAT;
			hb.u.heartbeat.interval_ms = 10u + (c & 0x70);
			hb.u.heartbeat.window = (uint16_t)(1 + (c & 7));
			hb.u.heartbeat.boot_id = (a >> 4) & 1;
			hb.u.heartbeat.features = (uint16_t)(c & 7);
			hb.u.heartbeat.digest = (c & 8) ? F.peers[k].digest :
				(uint64_t)c * 0x9e3779b97f4a7c15ull;
			hb.u.heartbeat.load = F.peers[k].n_delegated;
			hb.u.heartbeat.capacity = 64;
			deliver_msg(k, &hb);
			break;
		}
		default:	/* FZ_COUNT: not the PHA's */
			break;
		}
		check();
	}
	return 0;
}
