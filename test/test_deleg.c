/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the delegation protocol (lib/deleg).
 *
 * The codec is checked message by message: every type survives a round
 * trip, every malformed case the specification lists is refused with
 * -EBADMSG and a reason (the test re-computes the HMAC after mutating, so
 * the parser, not the MAC, does the refusing), and a single flipped bit
 * anywhere is an authentication failure. The state machines run back to
 * back: a PHA context and an SHA context joined by a fake network (a
 * queue of datagrams the tests can drop, duplicate, reorder and corrupt)
 * and a fake millisecond clock, so delegation under 30% loss, peer death,
 * expiry of the forwarding duration and every refusal can be driven to
 * the millisecond and checked on both sides.
 *
 * IPv6 bindings (Family 6) go through the same: round trips, malformed
 * lengths, every flipped bit, the whole flow, and IPv4 and IPv6 bindings
 * of the same octets side by side. IPv4 messages are checked against
 * bytes captured from the IPv4-only library before IPv6 was added.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "haven_deleg.h"
#include "test.h"

/* ------------------------------------------------------------------ */
/* The world: one PHA, one SHA, a network and a clock                 */
/* ------------------------------------------------------------------ */

#define PHA_ID		1
#define SHA_ID		2
#define OTHER_PHA_ID	3	/* a second primary of the SHA */
#define N_BINDINGS	120
#define SHA_CAPACITY	128
#define QUEUE_MAX	4096
#define MAX_EVENTS	1024

/* 2024-01-01 in microseconds: what CLOCK_REALTIME would give. */
#define SEQ_BASE_PHA	1704067200000000ull
#define SEQ_BASE_SHA	1704067200123456ull

static const uint8_t KEY[] = "haven delegation test key 0123456789";
static const uint8_t OTHER_KEY[] = "another primary's key";

struct dgram {
	bool to_sha;
	uint32_t src;
	size_t len;
	uint8_t b[HAVEN_DELEG_MAX_MSG];
};

struct pha_ev {
	int event;
	struct haven_deleg_binding *b;
	uint8_t status;
	uint8_t state;		/* b->state when raised */
};

struct sha_ev {
	int event;
	uint32_t home_addr;
	uint32_t coa0;
	bool is_new;
	uint8_t family;
	uint8_t home6[16];
	uint8_t coa6_0[16];
};

static struct {
	uint64_t now;
	/* network */
	struct dgram q[QUEUE_MAX];
	unsigned int qn;
	unsigned int loss_to_sha, loss_to_pha;	/* percent */
	bool hold;				/* queue, do not deliver */
	uint64_t rng;
	unsigned int sent_type[8];		/* by message type */
	/* PHA */
	struct haven_deleg_peer pha_peers[1];
	struct haven_deleg_pha pha;
	struct haven_deleg_ops pha_ops;
	struct haven_deleg_binding b[N_BINDINGS];
	struct pha_ev pev[MAX_EVENTS];
	unsigned int npev;
	/* SHA */
	struct haven_deleg_peer sha_primaries[2];
	struct haven_deleg_sha sha;
	struct haven_deleg_sha_ops sha_ops;
	struct haven_deleg_sha_entry entries[SHA_CAPACITY];
	uint32_t index[2 * 2 * SHA_CAPACITY];
	struct sha_ev sev[MAX_EVENTS];
	unsigned int nsev;
	int install_result;
	/* re-entrancy test hooks */
	struct haven_deleg_binding *chain_on_delegated;
	bool forget_on_stopped;
	bool log_lines;
} W;

static uint32_t
ip(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
	return htonl(a << 24 | b << 16 | c << 8 | d);
}

#define PHA_ADDR	ip(192, 0, 2, 1)
#define SHA_ADDR	ip(192, 0, 2, 2)
#define OTHER_ADDR	ip(192, 0, 2, 3)

static uint32_t
rnd(void)
{
	W.rng ^= W.rng << 13;
	W.rng ^= W.rng >> 7;
	W.rng ^= W.rng << 17;
	return (uint32_t)(W.rng >> 11);
}

static void
enqueue(bool to_sha, uint32_t src, const uint8_t *msg, size_t len)
{
	struct dgram *d;

	if (W.qn == QUEUE_MAX)
		return;
	d = &W.q[W.qn++];
	d->to_sha = to_sha;
	d->src = src;
	d->len = len;
	memcpy(d->b, msg, len);
}

static void
pha_send(void *ctx, const struct haven_deleg_peer *peer, const uint8_t *msg,
		size_t len)
{
	(void)ctx;
	(void)peer;
	W.sent_type[msg[1] & 7]++;
	if (rnd() % 100 < W.loss_to_sha)
		return;
	enqueue(true, PHA_ADDR, msg, len);
}

static void
sha_send(void *ctx, const struct haven_deleg_peer *peer, const uint8_t *msg,
		size_t len)
{
	(void)ctx;
	W.sent_type[msg[1] & 7]++;
	if (peer->id != PHA_ID)		/* the other primary is not wired */
		return;
	if (rnd() % 100 < W.loss_to_pha)
		return;
	enqueue(false, SHA_ADDR, msg, len);
}

static void
pha_event(void *ctx, int event, struct haven_deleg_binding *b,
		struct haven_deleg_peer *peer, uint8_t status)
{
	(void)ctx;
	(void)peer;
	if (W.npev < MAX_EVENTS)
		W.pev[W.npev++] = (struct pha_ev){ event, b, status,
			b != NULL ? b->state : 0 };
	/* Re-entrancy: delegate another binding from inside a callback. */
	if (event == HAVEN_DELEG_EV_DELEGATED && W.chain_on_delegated != NULL &&
			b != W.chain_on_delegated) {
		struct haven_deleg_binding *next = W.chain_on_delegated;

		W.chain_on_delegated = NULL;
		haven_deleg_pha_delegate(&W.pha, next, &W.pha_peers[0], W.now);
	}
	if (event == HAVEN_DELEG_EV_STOPPED && W.forget_on_stopped)
		haven_deleg_pha_forget(&W.pha, b);
}

static struct haven_deleg_binding *
pha_lookup(void *ctx, uint32_t home_addr)
{
	unsigned int i;

	(void)ctx;
	for (i = 0; i < N_BINDINGS; i++)
		if (W.b[i].info.family != HAVEN_DELEG_FAMILY_IPV6 &&
				W.b[i].info.home_addr == home_addr)
			return &W.b[i];
	return NULL;
}

static struct haven_deleg_binding *
pha_lookup6(void *ctx, const uint8_t home_addr6[16])
{
	unsigned int i;

	(void)ctx;
	for (i = 0; i < N_BINDINGS; i++)
		if (W.b[i].info.family == HAVEN_DELEG_FAMILY_IPV6 &&
				memcmp(W.b[i].info.home_addr6, home_addr6,
					16) == 0)
			return &W.b[i];
	return NULL;
}

static void
log_line(void *ctx, const char *line)
{
	(void)ctx;
	if (W.log_lines)
		printf("    %s\n", line);
}

static int
sha_event(void *ctx, int event, struct haven_deleg_sha_entry *e, bool is_new)
{
	(void)ctx;
	if (W.nsev < MAX_EVENTS) {
		struct sha_ev *ev = &W.sev[W.nsev++];

		*ev = (struct sha_ev){ event, e->info.home_addr,
			e->info.coa[0], is_new, e->info.family, { 0 }, { 0 } };
		memcpy(ev->home6, e->info.home_addr6, 16);
		memcpy(ev->coa6_0, e->info.coa6[0], 16);
	}
	return event == HAVEN_DELEG_EV_INSTALL ? W.install_result : 0;
}

static void
setup(uint32_t capacity)
{
	unsigned int i;

	memset(&W, 0, sizeof(W));
	W.rng = 0x9e3779b97f4a7c15ull;
	W.now = 1000000;

	snprintf(W.pha_peers[0].name, sizeof(W.pha_peers[0].name), "sha1");
	W.pha_peers[0].id = SHA_ID;
	W.pha_peers[0].addr = SHA_ADDR;
	memcpy(W.pha_peers[0].key, KEY, sizeof(KEY) - 1);
	W.pha_peers[0].key_len = sizeof(KEY) - 1;
	W.pha_ops = (struct haven_deleg_ops){ .send = pha_send,
		.event = pha_event, .lookup = pha_lookup, .log = log_line,
		.lookup6 = pha_lookup6 };
	haven_deleg_pha_init(&W.pha, PHA_ID, W.pha_peers, 1, &W.pha_ops,
		NULL, W.now, SEQ_BASE_PHA);

	snprintf(W.sha_primaries[0].name, 32, "pha");
	W.sha_primaries[0].id = PHA_ID;
	W.sha_primaries[0].addr = PHA_ADDR;
	memcpy(W.sha_primaries[0].key, KEY, sizeof(KEY) - 1);
	W.sha_primaries[0].key_len = sizeof(KEY) - 1;
	snprintf(W.sha_primaries[1].name, 32, "other");
	W.sha_primaries[1].id = OTHER_PHA_ID;
	W.sha_primaries[1].addr = OTHER_ADDR;
	memcpy(W.sha_primaries[1].key, OTHER_KEY, sizeof(OTHER_KEY) - 1);
	W.sha_primaries[1].key_len = sizeof(OTHER_KEY) - 1;
	W.sha_ops = (struct haven_deleg_sha_ops){ .send = sha_send,
		.event = sha_event, .log = log_line };
	haven_deleg_sha_init(&W.sha, SHA_ID, W.sha_primaries, 2, W.entries,
		W.index, capacity, 1000, &W.sha_ops, NULL, W.now,
		SEQ_BASE_SHA);
	W.sha.ipv6 = true;

	for (i = 0; i < N_BINDINGS; i++) {
		struct haven_deleg_binding_info *bi = &W.b[i].info;

		bi->home_addr = ip(192, 0, 2, 10 + i);
		bi->outer_src = PHA_ADDR;
		bi->duration_s = 300;
		bi->n_coa = 1;
		bi->coa[0] = ip(198, 51, 100, 1 + i);
		W.b[i].user = &W.b[i];
	}
}

/* Deliver one datagram; returns the input's result. */
static int
deliver(const struct dgram *d)
{
	if (d->to_sha)
		return haven_deleg_sha_input(&W.sha, d->src, d->b, d->len,
			W.now);
	return haven_deleg_pha_input(&W.pha, d->src, d->b, d->len, W.now);
}

/* Deliver everything queued, including what the deliveries cause. */
static void
flush(void)
{
	unsigned int i = 0;
	struct dgram d;

	if (W.hold)
		return;
	while (i < W.qn) {
		d = W.q[i++];
		deliver(&d);
	}
	W.qn = 0;
}

/* Let time pass in 10 ms steps, ticking both sides and the network. */
static void
run(uint64_t ms)
{
	uint64_t end = W.now + ms;

	while (W.now < end) {
		W.now += 10;
		haven_deleg_pha_tick(&W.pha, W.now);
		haven_deleg_sha_tick(&W.sha, W.now);
		flush();
	}
}

static unsigned int
count_pha_events(int event)
{
	unsigned int i, n = 0;

	for (i = 0; i < W.npev; i++)
		n += W.pev[i].event == event;
	return n;
}

static unsigned int
count_sha_events(int event)
{
	unsigned int i, n = 0;

	for (i = 0; i < W.nsev; i++)
		n += W.sev[i].event == event;
	return n;
}

/* Encode a message from the PHA to the SHA by hand (test's own seq). */
static size_t
craft(struct haven_deleg_msg *m, uint32_t sender, uint32_t receiver,
		uint64_t seq, const uint8_t *key, size_t key_len, uint8_t *out)
{
	int len;

	m->sender_id = sender;
	m->receiver_id = receiver;
	m->seq = seq;
	len = haven_deleg_encode(m, key, key_len, out, HAVEN_DELEG_MAX_MSG);
	return len < 0 ? 0 : (size_t)len;
}

static void
start_msg(struct haven_deleg_msg *m, uint32_t home, uint32_t gen)
{
	memset(m, 0, sizeof(*m));
	m->type = HAVEN_DELEG_START;
	m->txn = 77;
	m->u.start.home_addr = home;
	m->u.start.outer_src = PHA_ADDR;
	m->u.start.generation = gen;
	m->u.start.duration_s = 60;
	m->u.start.n_coa = 1;
	m->u.start.coa[0] = ip(203, 0, 113, 5);
}

/* ------------------------------------------------------------------ */
/* Codec                                                              */
/* ------------------------------------------------------------------ */

static void
sample_msgs(struct haven_deleg_msg m[5])
{
	unsigned int i;

	memset(m, 0, 5 * sizeof(*m));
	for (i = 0; i < 5; i++) {
		m[i].type = (uint8_t)(i + 1);
		m[i].sender_id = 0x01020304;
		m[i].receiver_id = 0xa0b0c0d0;
		m[i].seq = 0x1122334455667788ull + i;
		m[i].txn = 0xdeadbeef;
	}
	m[0].u.start = (struct haven_deleg_binding_info){
		.home_addr = ip(192, 0, 2, 10), .outer_src = ip(192, 0, 2, 1),
		.generation = 0xfffffffe, .duration_s = 1800, .encap = 2,
		.flags = HAVEN_DELEG_F_REVERSE_TUNNEL, .n_coa = 4,
		.coa = { ip(198, 51, 100, 1), ip(198, 51, 100, 2),
			ip(203, 0, 113, 3), ip(203, 0, 113, 4) },
	};
	m[1].u.ack.home_addr = ip(192, 0, 2, 10);
	m[1].u.ack.generation = 7;
	m[1].u.ack.status = HAVEN_DELEG_OVER_CAPACITY;
	m[1].u.ack.load = 12;
	m[1].u.ack.capacity = 100;
	m[2].u.stop.home_addr = ip(192, 0, 2, 11);
	m[2].u.stop.generation = 9;
	m[2].u.stop.reason = HAVEN_DELEG_STOP_DEREGISTERED;
	m[3].u.ack.home_addr = ip(192, 0, 2, 11);
	m[3].u.ack.generation = 9;
	m[3].u.ack.status = HAVEN_DELEG_STALE;
	m[3].u.ack.load = 0;
	m[3].u.ack.capacity = 5;
	m[4].u.report.interval_ms = 1000;
	m[4].u.report.load = 48;
	m[4].u.report.capacity = 64;
	m[4].u.report.packets = 1ull << 40;
	m[4].u.report.bytes = 1ull << 50;
	m[4].u.report.part = 1;
	m[4].u.report.parts = 2;
	m[4].u.report.boot_id = 0xcafe;
	m[4].u.report.n_entries = HAVEN_DELEG_REPORT_MAX_ENTRIES;
	for (i = 0; i < HAVEN_DELEG_REPORT_MAX_ENTRIES; i++) {
		m[4].u.report.entries[i].home_addr = ip(10, 1, 0, 1 + i);
		m[4].u.report.entries[i].generation = i;
		m[4].u.report.entries[i].packets = 1000 * i;
		m[4].u.report.entries[i].bytes = 1500000ull * i;
	}
}

static int
test_codec_roundtrip(void)
{
	static const size_t expect_len[5] = {
		28 + 20 + 16 + 32, 28 + 20 + 32, 28 + 12 + 32, 28 + 20 + 32,
		28 + 40 + 24 * 48 + 32,
	};
	struct haven_deleg_msg m[5], out;
	uint8_t buf[HAVEN_DELEG_MAX_MSG];
	char err[128];
	unsigned int i;
	int len;

	sample_msgs(m);
	for (i = 0; i < 5; i++) {
		len = haven_deleg_encode(&m[i], KEY, sizeof(KEY) - 1, buf,
			sizeof(buf));
		TEST_ASSERT_EQUAL(len, expect_len[i], "type %u length", i + 1);
		TEST_ASSERT_EQUAL(buf[0], 1, "version");
		TEST_ASSERT_EQUAL(buf[24], 4, "family");
		TEST_ASSERT_EQUAL(haven_deleg_peek_type(buf, (size_t)len),
			i + 1, "peek type");
		TEST_ASSERT_EQUAL(haven_deleg_decode(buf, (size_t)len, KEY,
			sizeof(KEY) - 1, &out, err, sizeof(err)), 0,
			"type %u: %s", i + 1, err);
		TEST_ASSERT_MEM(&out, &m[i], sizeof(out), "type %u differs",
			i + 1);
	}
	/* Network byte order on the wire: header fields and addresses. */
	len = haven_deleg_encode(&m[0], KEY, sizeof(KEY) - 1, buf,
		sizeof(buf));
	TEST_ASSERT(buf[4] == 1 && buf[7] == 4, "sender id big-endian");
	TEST_ASSERT(buf[12] == 0x11 && buf[19] == 0x88, "seq big-endian");
	TEST_ASSERT(buf[28] == 192 && buf[31] == 10, "home address");
	TEST_ASSERT_EQUAL(buf[2] << 8 | buf[3], 36, "body length");
	{
		uint32_t sender;

		TEST_ASSERT_EQUAL(haven_deleg_peek_sender(buf, (size_t)len,
			&sender), 0, "peek");
		TEST_ASSERT_EQUAL(sender, 0x01020304, "peek sender");
		TEST_ASSERT_EQUAL(haven_deleg_peek_sender(buf, 59, &sender),
			-EINVAL, "peek short");
	}
	/* Encoder refusals. */
	TEST_ASSERT_EQUAL(haven_deleg_encode(&m[4], KEY, sizeof(KEY) - 1, buf,
		100), -ENOSPC, "small buffer");
	TEST_ASSERT_EQUAL(haven_deleg_encode(&m[0], KEY, 0, buf, sizeof(buf)),
		-EINVAL, "empty key");
	out = m[0];
	out.u.start.n_coa = 5;
	TEST_ASSERT_EQUAL(haven_deleg_encode(&out, KEY, 4, buf, sizeof(buf)),
		-EINVAL, "n_coa 5");
	out = m[0];
	out.seq = 0;
	TEST_ASSERT_EQUAL(haven_deleg_encode(&out, KEY, 4, buf, sizeof(buf)),
		-EINVAL, "seq 0");
	out = m[1];
	out.u.ack.status = HAVEN_DELEG_NO_ANSWER;
	TEST_ASSERT_EQUAL(haven_deleg_encode(&out, KEY, 4, buf, sizeof(buf)),
		-EINVAL, "local status on the wire");
	out = m[0];
	out.type = 6;
	TEST_ASSERT_EQUAL(haven_deleg_encode(&out, KEY, 4, buf, sizeof(buf)),
		-EINVAL, "type 6");
	return 0;
}

/* Re-compute the MAC of a mutated message of total length len. */
static void
remac(uint8_t *buf, size_t len)
{
	size_t covered = len - HAVEN_DELEG_MAC_LEN;
	unsigned int out_len;

	HMAC(EVP_sha256(), KEY, (int)sizeof(KEY) - 1, buf, covered,
		buf + covered, &out_len);
}

struct mutation {
	int type;		/* which sample message (1..5) */
	unsigned int off;	/* byte to set, or ~0 for none */
	uint8_t val;
	int len_delta;		/* bytes added (zeros) or removed at the end */
	bool fix_body_len;	/* keep the body length field consistent */
	const char *reason;	/* substring of the error */
};

static int
test_codec_malformed(void)
{
	static const struct mutation cases[] = {
		{ 1, 0, 2, 0, false, "version 2" },
		{ 1, 24, 5, 0, false, "family 5" },
		/* Family 6 on an IPv4 body: too short for IPv6 addresses. */
		{ 1, 24, 6, 0, false, "START body 36 < 44" },
		{ 1, 25, 1, 0, false, "header reserved" },
		{ 1, 27, 1, 0, false, "header reserved" },
		{ 1, 3, 37, 0, false, "body length field 37" },
		{ 1, 1, 9, 0, false, "unknown type 9" },
		{ 1, 1, 0, 0, false, "unknown type 0" },
		{ 1, 12, 0, 0, false, "" },	/* seq high half 0: still ok */
		{ 1, 28 + 18, 0, 0, false, "n_coa 0" },
		{ 1, 28 + 18, 5, 0, false, "n_coa 5" },
		{ 1, 28 + 18, 3, 0, false, "!= 20 + 4 x 3" },
		{ 1, ~0u, 0, -4, true, "!= 20 + 4 x 4" },
		{ 1, ~0u, 0, 4, true, "!= 20 + 4 x 4" },
		{ 1, 28 + 16, 3, 0, false, "encap 3" },
		{ 1, 28 + 17, 3, 0, false, "unknown flags 0x03" },
		{ 1, 28 + 19, 1, 0, false, "START reserved" },
		{ 1, 28 + 0, 0, 0, false, "" },	/* first home byte 0 only */
		{ 1, 28 + 15, 0, 0, false, "" },	/* duration 1800 -> 1792 */
		{ 1, 28 + 20, 0, 0, false, "" },	/* first coa byte 0 only */
		{ 2, ~0u, 0, 4, true, "START_ACK body 24 != 20" },
		{ 2, 28 + 8, 5, 0, false, "unknown status 5" },
		{ 2, 28 + 8, 128, 0, false, "unknown status 128" },
		{ 2, 28 + 9, 1, 0, false, "ack reserved" },
		{ 3, ~0u, 0, -1, true, "STOP body 11 != 12" },
		{ 3, 28 + 8, 4, 0, false, "unknown stop reason 4" },
		{ 3, 28 + 11, 1, 0, false, "STOP reserved" },
		{ 4, ~0u, 0, -20, true, "STOP_ACK body 0 != 20" },
		{ 5, 28 + 37, 49, 0, false, "49 entries" },
		{ 5, 28 + 33, 2, 0, false, "part 2 of 2" },
		{ 5, 28 + 35, 0, 0, false, "part 1 of 0" },
		{ 5, 28 + 39, 1, 0, false, "REPORT reserved" },
		{ 5, 28 + 3, 0, 0, false, "" },	/* interval 1000 -> 768 */
		{ 5, 28 + 37, 47, 0, false, "!= 40 + 24 x 47" },
		{ 5, ~0u, 0, -24, true, "!= 40 + 24 x 48" },
		{ 5, ~0u, 0, 1, true, "!= 40 + 24 x 48" },
	};
	struct haven_deleg_msg m[5], out;
	uint8_t buf[HAVEN_DELEG_MAX_MSG + 64];
	char err[128];
	unsigned int i;
	size_t len, blen;
	int rc;

	sample_msgs(m);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mutation *c = &cases[i];
		int base = haven_deleg_encode(&m[c->type - 1], KEY,
			sizeof(KEY) - 1, buf, sizeof(buf));

		TEST_ASSERT(base > 0, "case %u encodes", i);
		len = (size_t)base - HAVEN_DELEG_MAC_LEN;
		if (c->len_delta > 0)
			memset(buf + len, 0, (size_t)c->len_delta);
		len = (size_t)((int)len + c->len_delta);
		if (c->fix_body_len) {
			blen = len - HAVEN_DELEG_HDR_LEN;
			buf[2] = (uint8_t)(blen >> 8);
			buf[3] = (uint8_t)blen;
		}
		if (c->off != ~0u)
			buf[c->off] = c->val;
		len += HAVEN_DELEG_MAC_LEN;
		remac(buf, len);
		rc = haven_deleg_decode(buf, len, KEY, sizeof(KEY) - 1, &out,
			err, sizeof(err));
		if (c->reason[0] == '\0') {
			TEST_ASSERT_EQUAL(rc, 0, "case %u accepted: %s", i,
				err);
			continue;
		}
		TEST_ASSERT_EQUAL(rc, -EBADMSG, "case %u (%s): got %s", i,
			c->reason, err);
		TEST_ASSERT(strstr(err, c->reason) != NULL,
			"case %u: reason '%s' lacks '%s'", i, err, c->reason);
	}

	/* Zero-valued fields that must not be zero. */
	{
		static const struct {
			unsigned int off, n;
			const char *reason;
		} zeros[] = {
			{ 28 + 0, 4, "home address 0.0.0.0" },
			{ 28 + 4, 4, "outer source 0.0.0.0" },
			{ 28 + 12, 4, "duration 0" },
			{ 28 + 28, 4, "care-of address 2 is 0.0.0.0" },
			{ 12, 8, "sequence number 0" },
		};

		for (i = 0; i < 5; i++) {
			len = (size_t)haven_deleg_encode(&m[0], KEY,
				sizeof(KEY) - 1, buf, sizeof(buf));
			memset(buf + zeros[i].off, 0, zeros[i].n);
			remac(buf, len);
			rc = haven_deleg_decode(buf, len, KEY, sizeof(KEY) - 1,
				&out, err, sizeof(err));
			TEST_ASSERT_EQUAL(rc, -EBADMSG, "zero %u", i);
			TEST_ASSERT(strstr(err, zeros[i].reason) != NULL,
				"zero %u: '%s'", i, err);
		}
	}

	/* Lengths outside what any message can be. */
	rc = haven_deleg_decode(buf, 59, KEY, sizeof(KEY) - 1, &out, err,
		sizeof(err));
	TEST_ASSERT(rc == -EBADMSG && strstr(err, "shorter") != NULL,
		"59 bytes: %s", err);
	rc = haven_deleg_decode(buf, HAVEN_DELEG_MAX_MSG + 1, KEY,
		sizeof(KEY) - 1, &out, err, sizeof(err));
	TEST_ASSERT(rc == -EBADMSG && strstr(err, "longer") != NULL,
		"1401 bytes: %s", err);
	return 0;
}

static int
test_hmac_any_bit(void)
{
	struct haven_deleg_msg m[5], out;
	uint8_t buf[HAVEN_DELEG_MAX_MSG];
	char err[128];
	unsigned int t, bit;
	int len, rc;

	sample_msgs(m);
	for (t = 0; t < 5; t++) {
		len = haven_deleg_encode(&m[t], KEY, sizeof(KEY) - 1, buf,
			sizeof(buf));
		for (bit = 0; bit < (unsigned int)len * 8; bit++) {
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			rc = haven_deleg_decode(buf, (size_t)len, KEY,
				sizeof(KEY) - 1, &out, err, sizeof(err));
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			TEST_ASSERT_EQUAL(rc, -EACCES, "type %u bit %u: %s",
				t + 1, bit, err);
		}
		/* The right bytes under another key. */
		rc = haven_deleg_decode(buf, (size_t)len, OTHER_KEY,
			sizeof(OTHER_KEY) - 1, &out, err, sizeof(err));
		TEST_ASSERT_EQUAL(rc, -EACCES, "other key");
		/* Truncated by one byte: the MAC moves, so it fails too. */
		rc = haven_deleg_decode(buf, (size_t)len - 1, KEY,
			sizeof(KEY) - 1, &out, err, sizeof(err));
		TEST_ASSERT_EQUAL(rc, -EACCES, "truncated");
	}
	return 0;
}

/* A forged START changes nothing at the SHA, whichever bit is flipped. */
static int
test_forged_changes_nothing(void)
{
	struct haven_deleg_msg m;
	uint8_t buf[HAVEN_DELEG_MAX_MSG];
	struct haven_deleg_replay rx;
	unsigned int bit;
	size_t len;
	int rc;

	setup(SHA_CAPACITY);
	start_msg(&m, ip(192, 0, 2, 50), 1);
	len = craft(&m, PHA_ID, SHA_ID, SEQ_BASE_PHA + 1, KEY,
		sizeof(KEY) - 1, buf);
	rx = W.sha_primaries[0].rx;
	for (bit = 0; bit < len * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = haven_deleg_sha_input(&W.sha, PHA_ADDR, buf, len, W.now);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		TEST_ASSERT(rc < 0, "bit %u accepted", bit);
	}
	TEST_ASSERT_EQUAL(W.sha.used, 0, "nothing installed");
	TEST_ASSERT_EQUAL(W.nsev, 0, "no SHA event");
	TEST_ASSERT_EQUAL(W.qn, 0, "nothing answered");
	TEST_ASSERT_MEM(&rx, &W.sha_primaries[0].rx, sizeof(rx),
		"window untouched");
	TEST_ASSERT(W.sha_primaries[0].stats.bad_auth > 0, "counted");
	/* And the genuine message still works afterwards. */
	TEST_ASSERT_EQUAL(haven_deleg_sha_input(&W.sha, PHA_ADDR, buf, len,
		W.now), 0, "genuine");
	TEST_ASSERT_EQUAL(W.sha.used, 1, "installed");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Anti-replay                                                        */
/* ------------------------------------------------------------------ */

static int
test_replay_window(void)
{
	struct haven_deleg_replay r = { 0, 0 };
	uint64_t s;

	TEST_ASSERT_EQUAL(haven_deleg_replay_check(&r, 0), -1, "seq 0");
	TEST_ASSERT_EQUAL(haven_deleg_replay_check(&r, 1000), 0, "first");
	TEST_ASSERT_EQUAL(haven_deleg_replay_check(&r, 1000), -1, "again");
	/* Reordered within the window: each accepted once. */
	for (s = 1001; s <= 1010; s += 3)
		TEST_ASSERT_EQUAL(haven_deleg_replay_check(&r, s), 0, "%llu",
			(unsigned long long)s);
	for (s = 1002; s <= 1010; s++) {
		int want = (s - 1001) % 3 == 0 ? -1 : 0;

		TEST_ASSERT_EQUAL(haven_deleg_replay_check(&r, s), want,
			"reordered %llu", (unsigned long long)s);
	}
	for (s = 1000; s <= 1010; s++)
		TEST_ASSERT_EQUAL(haven_deleg_replay_check(&r, s), -1,
			"replayed %llu", (unsigned long long)s);
	/* Window edge: highest 1010 remembers 947..1010. */
	TEST_ASSERT_EQUAL(haven_deleg_replay_check(&r, 1010 - 63), 0,
		"last in window");
	TEST_ASSERT_EQUAL(haven_deleg_replay_check(&r, 1010 - 64), -1,
		"first outside");
	/* A jump beyond the window forgets everything older. */
	TEST_ASSERT_EQUAL(haven_deleg_replay_check(&r, 5000), 0, "jump");
	TEST_ASSERT_EQUAL(haven_deleg_replay_check(&r, 1010), -1, "old");
	TEST_ASSERT_EQUAL(haven_deleg_replay_check(&r, 4999), 0, "behind");
	TEST_ASSERT_EQUAL(r.highest, 5000, "highest");
	return 0;
}

static int
test_replay_input(void)
{
	struct dgram held[3], first;
	unsigned int i;

	setup(SHA_CAPACITY);
	/* A replayed START: refused, no second ack, no state change. */
	W.hold = true;
	TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[0],
		&W.pha_peers[0], W.now), 0, "delegate");
	first = W.q[0];
	W.hold = false;
	flush();
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_DELEGATED, "delegated");
	TEST_ASSERT_EQUAL(deliver(&first), -EALREADY, "replay refused");
	TEST_ASSERT_EQUAL(W.qn, 0, "no ack to a replay");
	TEST_ASSERT_EQUAL(W.sha_primaries[0].stats.replayed, 1, "counted");
	TEST_ASSERT_EQUAL(W.sha.stats.duplicates, 0, "not even a dup");

	/* Three STARTs delivered 3, 1, 2: all accepted once. */
	W.hold = true;
	for (i = 1; i <= 3; i++)
		haven_deleg_pha_delegate(&W.pha, &W.b[i], &W.pha_peers[0],
			W.now);
	TEST_ASSERT_EQUAL(W.qn, 3, "three STARTs");
	memcpy(held, W.q, sizeof(held));
	W.qn = 0;
	W.hold = false;
	TEST_ASSERT_EQUAL(deliver(&held[2]), 0, "third first");
	TEST_ASSERT_EQUAL(deliver(&held[0]), 0, "then first");
	TEST_ASSERT_EQUAL(deliver(&held[1]), 0, "then second");
	TEST_ASSERT_EQUAL(deliver(&held[0]), -EALREADY, "first again");
	TEST_ASSERT_EQUAL(W.sha.used, 4, "four installed");
	flush();
	for (i = 1; i <= 3; i++)
		TEST_ASSERT_EQUAL(W.b[i].state, HAVEN_DELEG_S_DELEGATED,
			"b%u", i);

	/* Older than the window: 70 messages later, the first is refused. */
	W.hold = true;
	haven_deleg_pha_undelegate(&W.pha, &W.b[1], 0, W.now);
	first = W.q[0];
	W.qn = 0;
	for (i = 0; i < 70; i++)
		haven_deleg_pha_update(&W.pha, &W.b[2], W.now);
	W.hold = false;
	TEST_ASSERT_EQUAL(deliver(&W.q[W.qn - 1]), 0, "newest");
	TEST_ASSERT_EQUAL(deliver(&first), -EALREADY, "older than window");
	TEST_ASSERT_EQUAL(W.sha.used, 4, "STOP had no effect");
	W.qn = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* PHA and SHA together                                               */
/* ------------------------------------------------------------------ */

static int
test_delegate_and_stop(void)
{
	struct haven_deleg_sha_entry *e;

	setup(SHA_CAPACITY);
	W.log_lines = true;
	W.b[0].info.n_coa = 0;
	TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[0],
		&W.pha_peers[0], W.now), -EINVAL, "no care-of address");
	W.b[0].info.n_coa = 1;
	TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[0],
		&W.pha_peers[0], W.now), 0, "delegate");
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_STARTING, "starting");
	TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[0],
		&W.pha_peers[0], W.now), -EBUSY, "busy");
	TEST_ASSERT_EQUAL(W.npev, 0, "nothing yet: PHA still forwards");
	flush();
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_DELEGATED, "delegated");
	TEST_ASSERT_EQUAL(W.npev, 1, "one event");
	TEST_ASSERT_EQUAL(W.pev[0].event, HAVEN_DELEG_EV_DELEGATED, "event");
	TEST_ASSERT_EQUAL(W.sha.used, 1, "installed");
	TEST_ASSERT_EQUAL(W.nsev, 1, "one install");
	TEST_ASSERT(W.sev[0].event == HAVEN_DELEG_EV_INSTALL &&
		W.sev[0].is_new, "INSTALL is_new");
	e = haven_deleg_sha_find(&W.sha, W.b[0].info.home_addr);
	TEST_ASSERT(e != NULL, "found");
	TEST_ASSERT_EQUAL(e->info.coa[0], W.b[0].info.coa[0], "coa");
	TEST_ASSERT_EQUAL(e->info.generation, W.b[0].info.generation, "gen");
	TEST_ASSERT_EQUAL(e->expires_ms, W.now + 300000, "expiry");
	TEST_ASSERT_EQUAL(W.pha_peers[0].load, 1, "ack load");
	TEST_ASSERT_EQUAL(W.pha_peers[0].capacity, SHA_CAPACITY, "capacity");
	TEST_ASSERT_EQUAL(W.pha_peers[0].n_delegated, 1, "n_delegated");

	/* Take back: TAKEN_BACK at once, STOPPED on the ack. */
	W.hold = true;
	haven_deleg_pha_undelegate(&W.pha, &W.b[0],
		HAVEN_DELEG_STOP_DEREGISTERED, W.now);
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_STOPPING, "stopping");
	TEST_ASSERT_EQUAL(W.pev[W.npev - 1].event, HAVEN_DELEG_EV_TAKEN_BACK,
		"taken back before any answer");
	TEST_ASSERT_EQUAL(W.sha.used, 1, "SHA still forwards");
	W.hold = false;
	flush();
	TEST_ASSERT_EQUAL(W.sha.used, 0, "removed");
	TEST_ASSERT_EQUAL(W.sev[W.nsev - 1].event, HAVEN_DELEG_EV_REMOVE,
		"REMOVE");
	TEST_ASSERT_EQUAL(W.pev[W.npev - 1].event, HAVEN_DELEG_EV_STOPPED,
		"stopped");
	TEST_ASSERT_EQUAL(W.pev[W.npev - 1].status, HAVEN_DELEG_OK, "OK");
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_LOCAL, "local");
	TEST_ASSERT(W.b[0].peer == NULL, "no peer");
	TEST_ASSERT_EQUAL(W.pha_peers[0].n_delegated, 0, "n_delegated");
	TEST_ASSERT(W.pha.pending.tqh_first == NULL, "nothing pending");
	/* A second STOP of the same: acked OK, nothing else (idempotent). */
	haven_deleg_pha_undelegate(&W.pha, &W.b[0], 0, W.now);
	TEST_ASSERT_EQUAL(W.qn, 0, "LOCAL: undelegate is a no-op");
	W.log_lines = false;
	return 0;
}

static int
test_delegate_under_loss(void)
{
	unsigned int i, max_tries = 0;

	setup(SHA_CAPACITY);
	W.rng = 20240601;
	W.loss_to_sha = 30;
	W.loss_to_pha = 30;
	for (i = 0; i < 40; i++)
		TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[i],
			&W.pha_peers[0], W.now), 0, "delegate %u", i);
	for (i = 0; i < 1000 && W.pha.pending.tqh_first != NULL; i++) {
		struct haven_deleg_binding *b;

		TAILQ_FOREACH(b, &W.pha.pending, pending_link)
			if (b->tries > max_tries)
				max_tries = b->tries;
		run(10);
	}
	for (i = 0; i < 40; i++)
		TEST_ASSERT_EQUAL(W.b[i].state, HAVEN_DELEG_S_DELEGATED,
			"b%u after %u tries", i, W.b[i].tries);
	TEST_ASSERT(max_tries <= HAVEN_DELEG_RETX_TRIES, "within budget");
	TEST_ASSERT(max_tries >= 2, "loss did cost retransmissions");
	TEST_ASSERT_EQUAL(W.sha.used, 40, "one entry each");
	TEST_ASSERT_EQUAL(count_sha_events(HAVEN_DELEG_EV_INSTALL), 40,
		"installed once each");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_DELEGATED), 40,
		"DELEGATED once each");
	TEST_ASSERT(W.pha_peers[0].stats.retransmits > 0, "retransmitted");
	TEST_ASSERT(W.sha.stats.duplicates > 0, "duplicates acked");

	/* And taking them back under the same loss. */
	for (i = 0; i < 40; i++)
		haven_deleg_pha_undelegate(&W.pha, &W.b[i], 0, W.now);
	run(9000);
	TEST_ASSERT_EQUAL(W.sha.used, 0, "all removed");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_STOPPED), 40,
		"STOPPED once each");
	return 0;
}

static int
test_duplicate_start(void)
{
	unsigned int n;

	setup(SHA_CAPACITY);
	W.hold = true;
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	/* Lose the first START's ack, let the PHA retransmit twice. */
	W.q[1] = W.q[0];	/* the network duplicates it too */
	W.qn = 2;
	W.hold = false;
	TEST_ASSERT_EQUAL(deliver(&W.q[0]), 0, "START");
	TEST_ASSERT_EQUAL(deliver(&W.q[1]), -EALREADY, "same bytes twice");
	W.qn = 0;	/* the ack is lost */
	run(200);	/* retransmission 1 (fresh sequence number) */
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_DELEGATED, "delegated");
	n = W.sent_type[HAVEN_DELEG_START];
	TEST_ASSERT_EQUAL(n, 2, "START sent twice");
	TEST_ASSERT_EQUAL(W.sha.used, 1, "one binding");
	TEST_ASSERT_EQUAL(count_sha_events(HAVEN_DELEG_EV_INSTALL), 1,
		"installed once");
	TEST_ASSERT_EQUAL(W.sha.stats.duplicates, 1, "one duplicate");
	return 0;
}

static int
test_coa_update(void)
{
	struct haven_deleg_sha_entry *e;
	uint32_t old_coa, new_coa = ip(203, 0, 113, 77);

	setup(SHA_CAPACITY);
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	flush();
	e = haven_deleg_sha_find(&W.sha, W.b[0].info.home_addr);
	old_coa = e->info.coa[0];
	W.hold = true;
	W.b[0].info.coa[0] = new_coa;
	W.b[0].info.duration_s = 600;
	haven_deleg_pha_update(&W.pha, &W.b[0], W.now);
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_UPDATING, "updating");
	TEST_ASSERT_EQUAL(e->info.coa[0], old_coa,
		"SHA keeps forwarding the old CoA until it hears");
	W.hold = false;
	run(10);
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_DELEGATED, "delegated");
	TEST_ASSERT_EQUAL(e->info.coa[0], new_coa, "switched");
	TEST_ASSERT_EQUAL(e->expires_ms, W.now + 600000,
		"duration refreshed");
	TEST_ASSERT_EQUAL(W.sev[W.nsev - 1].event, HAVEN_DELEG_EV_INSTALL,
		"INSTALL");
	TEST_ASSERT(!W.sev[W.nsev - 1].is_new, "replacement");
	TEST_ASSERT_EQUAL(W.sev[W.nsev - 1].coa0, new_coa, "new coa");
	TEST_ASSERT_EQUAL(W.sha.used, 1, "still one");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_DELEGATED), 1,
		"no second DELEGATED");
	return 0;
}

static int
test_duration_expiry(void)
{
	setup(SHA_CAPACITY);
	W.b[0].info.duration_s = 5;
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	flush();
	TEST_ASSERT_EQUAL(W.sha.used, 1, "installed");
	run(4990);
	TEST_ASSERT_EQUAL(W.sha.used, 1, "still there at 4.99 s");
	run(20);
	TEST_ASSERT_EQUAL(W.sha.used, 0, "gone at 5 s");
	TEST_ASSERT_EQUAL(W.sha.stats.expired, 1, "expired");
	TEST_ASSERT_EQUAL(W.sent_type[HAVEN_DELEG_STOP], 0, "without STOP");
	TEST_ASSERT_EQUAL(W.sev[W.nsev - 1].event, HAVEN_DELEG_EV_REMOVE,
		"REMOVE");
	return 0;
}

static int
test_peer_death(void)
{
	unsigned int i, taken = 0;

	setup(SHA_CAPACITY);
	for (i = 0; i < 3; i++)
		haven_deleg_pha_delegate(&W.pha, &W.b[i], &W.pha_peers[0],
			W.now);
	flush();
	run(2500);	/* reports at +10, +1010, +2010 keep it alive */
	TEST_ASSERT(W.pha_peers[0].alive, "alive while reporting");
	TEST_ASSERT(W.pha_peers[0].stats.rx > 3, "reports heard");
	W.loss_to_pha = 100;	/* the SHA falls silent */
	W.npev = 0;
	run(2490);	/* now +4990: silent 2980 ms */
	TEST_ASSERT(W.pha_peers[0].alive, "not yet: < 3 intervals");
	run(30);
	TEST_ASSERT(!W.pha_peers[0].alive, "dead");
	TEST_ASSERT_EQUAL(W.pev[0].event, HAVEN_DELEG_EV_PEER_DEAD, "first");
	for (i = 0; i < W.npev; i++)
		if (W.pev[i].event == HAVEN_DELEG_EV_TAKEN_BACK) {
			taken++;
			TEST_ASSERT_EQUAL(W.pev[i].status,
				HAVEN_DELEG_PEER_LOST, "status");
			TEST_ASSERT_EQUAL(W.pev[i].state, HAVEN_DELEG_S_LOCAL,
				"already LOCAL when raised");
		}
	TEST_ASSERT_EQUAL(taken, 3, "each binding taken back");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_STOPPED), 0,
		"no STOPPED after PEER_LOST");
	for (i = 0; i < 3; i++)
		TEST_ASSERT_EQUAL(W.b[i].state, HAVEN_DELEG_S_LOCAL, "b%u", i);
	TEST_ASSERT_EQUAL(W.pha_peers[0].n_delegated, 0, "none on it");
	TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[0],
		&W.pha_peers[0], W.now), -EHOSTDOWN, "dead peer");
	TEST_ASSERT_EQUAL(W.sha.used, 0, "best-effort STOPs got through");
	W.loss_to_pha = 0;
	run(1000);
	TEST_ASSERT(W.pha_peers[0].alive, "alive again");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_PEER_ALIVE), 1,
		"PEER_ALIVE");
	TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[0],
		&W.pha_peers[0], W.now), 0, "usable again");
	return 0;
}

/* A removed secondary still closes its STOPs, but is never dead or alive. */
static int
test_removed_peer(void)
{
	setup(SHA_CAPACITY);
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	flush();
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_DELEGATED, "delegated");
	haven_deleg_pha_remove_peer(&W.pha, &W.pha_peers[0], W.now);
	flush();
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_LOCAL, "STOP closed");
	TEST_ASSERT_EQUAL(W.sha.used, 0, "SHA stopped");
	TEST_ASSERT(!W.pha_peers[0].alive, "not alive once removed");
	W.npev = 0;
	run(5000);	/* the SHA keeps reporting to a primary that forgot it */
	TEST_ASSERT(!W.pha_peers[0].alive, "reports do not revive it");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_PEER_ALIVE), 0,
		"no PEER_ALIVE");
	W.loss_to_pha = 100;
	run(5000);
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_PEER_DEAD), 0,
		"no PEER_DEAD for a removed peer");
	TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[0],
		&W.pha_peers[0], W.now), -EHOSTDOWN, "not usable");
	return 0;
}

static int
test_refusals(void)
{
	setup(1);
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	haven_deleg_pha_delegate(&W.pha, &W.b[1], &W.pha_peers[0], W.now);
	flush();
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_DELEGATED, "first fits");
	TEST_ASSERT_EQUAL(W.b[1].state, HAVEN_DELEG_S_LOCAL, "second not");
	TEST_ASSERT_EQUAL(W.pev[1].event, HAVEN_DELEG_EV_REFUSED, "REFUSED");
	TEST_ASSERT_EQUAL(W.pev[1].status, HAVEN_DELEG_OVER_CAPACITY,
		"OVER_CAPACITY");
	TEST_ASSERT_EQUAL(W.sha.used, 1, "one");
	TEST_ASSERT_EQUAL(W.pha_peers[0].capacity, 1, "capacity known");

	/* The caller's INSTALL fails: refused the same way. */
	setup(SHA_CAPACITY);
	W.install_result = -1;
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	flush();
	TEST_ASSERT_EQUAL(W.pev[0].event, HAVEN_DELEG_EV_REFUSED, "REFUSED");
	TEST_ASSERT_EQUAL(W.pev[0].status, HAVEN_DELEG_OVER_CAPACITY, "cap");
	TEST_ASSERT_EQUAL(W.sha.used, 0, "nothing held");

	/* An update the SHA cannot install: taken back. */
	W.install_result = 0;
	haven_deleg_pha_delegate(&W.pha, &W.b[1], &W.pha_peers[0], W.now);
	flush();
	W.install_result = -1;
	W.b[1].info.coa[0] = ip(203, 0, 113, 99);
	haven_deleg_pha_update(&W.pha, &W.b[1], W.now);
	flush();
	TEST_ASSERT_EQUAL(W.b[1].state, HAVEN_DELEG_S_LOCAL, "taken back");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_TAKEN_BACK), 1,
		"TAKEN_BACK");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_STOPPED), 1,
		"STOPPED");
	TEST_ASSERT_EQUAL(W.sha.used, 0, "removed");
	return 0;
}

static int
test_give_up(void)
{
	setup(SHA_CAPACITY);
	W.loss_to_sha = 100;
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	run(8390);
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_STARTING, "still trying");
	TEST_ASSERT_EQUAL(W.sent_type[HAVEN_DELEG_START], 10, "ten sends");
	run(20);
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_LOCAL, "gave up");
	TEST_ASSERT_EQUAL(W.sent_type[HAVEN_DELEG_START], 10, "no eleventh");
	TEST_ASSERT_EQUAL(W.sent_type[HAVEN_DELEG_STOP], 1, "one STOP");
	TEST_ASSERT_EQUAL(W.npev, 1, "one event");
	TEST_ASSERT_EQUAL(W.pev[0].event, HAVEN_DELEG_EV_REFUSED, "REFUSED");
	TEST_ASSERT_EQUAL(W.pev[0].status, HAVEN_DELEG_NO_ANSWER, "no answer");
	TEST_ASSERT_EQUAL(W.pha_peers[0].stats.timeouts, 1, "timeout");

	/* STOP that is never acked: STOPPED with NO_ANSWER after 10. */
	setup(SHA_CAPACITY);
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	flush();
	W.loss_to_sha = 100;
	haven_deleg_pha_undelegate(&W.pha, &W.b[0], 0, W.now);
	run(8410);
	TEST_ASSERT_EQUAL(W.sent_type[HAVEN_DELEG_STOP], 10, "ten STOPs");
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_LOCAL, "local");
	TEST_ASSERT_EQUAL(W.pev[W.npev - 1].event, HAVEN_DELEG_EV_STOPPED,
		"STOPPED");
	TEST_ASSERT_EQUAL(W.pev[W.npev - 1].status, HAVEN_DELEG_NO_ANSWER,
		"NO_ANSWER");
	return 0;
}

/* Wrong receiver id, unknown sender, wrong source: nothing changes. */
static int
test_misaddressed(void)
{
	struct haven_deleg_msg m;
	uint8_t buf[HAVEN_DELEG_MAX_MSG];
	struct haven_deleg_replay rx;
	size_t len;

	setup(SHA_CAPACITY);
	rx = W.sha_primaries[0].rx;
	start_msg(&m, ip(192, 0, 2, 60), 1);

	len = craft(&m, PHA_ID, 99, SEQ_BASE_PHA + 5, KEY, sizeof(KEY) - 1,
		buf);
	TEST_ASSERT_EQUAL(haven_deleg_sha_input(&W.sha, PHA_ADDR, buf, len,
		W.now), -EADDRNOTAVAIL, "wrong receiver");
	len = craft(&m, 77, SHA_ID, SEQ_BASE_PHA + 5, KEY, sizeof(KEY) - 1,
		buf);
	TEST_ASSERT_EQUAL(haven_deleg_sha_input(&W.sha, PHA_ADDR, buf, len,
		W.now), -ENOENT, "unknown sender");
	len = craft(&m, PHA_ID, SHA_ID, SEQ_BASE_PHA + 5, KEY,
		sizeof(KEY) - 1, buf);
	TEST_ASSERT_EQUAL(haven_deleg_sha_input(&W.sha, OTHER_ADDR, buf, len,
		W.now), -EPERM, "wrong source address");
	/* The other primary's key cannot speak for this one. */
	len = craft(&m, PHA_ID, SHA_ID, SEQ_BASE_PHA + 6, OTHER_KEY,
		sizeof(OTHER_KEY) - 1, buf);
	TEST_ASSERT_EQUAL(haven_deleg_sha_input(&W.sha, PHA_ADDR, buf, len,
		W.now), -EACCES, "other primary's key");
	/* A START sent to the PHA context: wrong direction. */
	len = craft(&m, SHA_ID, PHA_ID, SEQ_BASE_SHA + 5, KEY,
		sizeof(KEY) - 1, buf);
	TEST_ASSERT_EQUAL(haven_deleg_pha_input(&W.pha, SHA_ADDR, buf, len,
		W.now), -EPROTO, "START at a PHA");

	TEST_ASSERT_EQUAL(W.sha.used, 0, "nothing installed");
	TEST_ASSERT_EQUAL(W.nsev, 0, "no event");
	TEST_ASSERT_EQUAL(W.qn, 0, "no answer");
	TEST_ASSERT_MEM(&rx, &W.sha_primaries[0].rx, sizeof(rx),
		"window untouched");
	TEST_ASSERT_EQUAL(W.sha.stats.unknown_sender, 1, "unknown counted");
	TEST_ASSERT_EQUAL(W.sha_primaries[0].stats.misdirected, 2,
		"misdirected counted");
	/* The same sequence number, correctly addressed, is still fresh. */
	len = craft(&m, PHA_ID, SHA_ID, SEQ_BASE_PHA + 5, KEY,
		sizeof(KEY) - 1, buf);
	TEST_ASSERT_EQUAL(haven_deleg_sha_input(&W.sha, PHA_ADDR, buf, len,
		W.now), 0, "accepted");
	TEST_ASSERT_EQUAL(W.sha.used, 1, "installed");
	/* An ack with a txn nobody waits for: ignored and counted. */
	W.qn = 0;
	memset(&m, 0, sizeof(m));
	m.type = HAVEN_DELEG_START_ACK;
	m.txn = 12345;
	m.u.ack.home_addr = W.b[0].info.home_addr;
	len = craft(&m, SHA_ID, PHA_ID, SEQ_BASE_SHA + 9, KEY,
		sizeof(KEY) - 1, buf);
	TEST_ASSERT_EQUAL(haven_deleg_pha_input(&W.pha, SHA_ADDR, buf, len,
		W.now), -ESRCH, "unknown txn");
	/* The START sent to the PHA above was the first unexpected. */
	TEST_ASSERT_EQUAL(W.pha_peers[0].stats.unexpected, 2, "counted");
	TEST_ASSERT_EQUAL(W.npev, 0, "no event");
	return 0;
}

/* START of an older generation, and a second primary's claim. */
static int
test_stale_and_other_primary(void)
{
	struct haven_deleg_msg m, ack;
	uint8_t buf[HAVEN_DELEG_MAX_MSG];
	size_t len;

	setup(SHA_CAPACITY);
	start_msg(&m, ip(192, 0, 2, 70), 10);
	len = craft(&m, PHA_ID, SHA_ID, SEQ_BASE_PHA + 1, KEY,
		sizeof(KEY) - 1, buf);
	haven_deleg_sha_input(&W.sha, PHA_ADDR, buf, len, W.now);
	m.u.start.generation = 9;
	len = craft(&m, PHA_ID, SHA_ID, SEQ_BASE_PHA + 2, KEY,
		sizeof(KEY) - 1, buf);
	haven_deleg_sha_input(&W.sha, PHA_ADDR, buf, len, W.now);
	TEST_ASSERT_EQUAL(W.qn, 2, "two acks");
	haven_deleg_decode(W.q[1].b, W.q[1].len, KEY, sizeof(KEY) - 1, &ack,
		NULL, 0);
	TEST_ASSERT_EQUAL(ack.u.ack.status, HAVEN_DELEG_STALE, "STALE");
	TEST_ASSERT_EQUAL(ack.txn, 77, "txn echoed");
	TEST_ASSERT_EQUAL(haven_deleg_sha_find(&W.sha,
		ip(192, 0, 2, 70))->info.generation, 10, "kept 10");
	/* Generation wraps: 0x80000009 is "after" 10, 0x8000000b is not. */
	m.u.start.generation = 0x8000000bu;
	len = craft(&m, PHA_ID, SHA_ID, SEQ_BASE_PHA + 3, KEY,
		sizeof(KEY) - 1, buf);
	haven_deleg_sha_input(&W.sha, PHA_ADDR, buf, len, W.now);
	TEST_ASSERT_EQUAL(haven_deleg_sha_find(&W.sha,
		ip(192, 0, 2, 70))->info.generation, 10, "serial compare");
	/* A STOP of an older generation leaves the newer alone. */
	memset(&m, 0, sizeof(m));
	m.type = HAVEN_DELEG_STOP;
	m.u.stop.home_addr = ip(192, 0, 2, 70);
	m.u.stop.generation = 9;
	len = craft(&m, PHA_ID, SHA_ID, SEQ_BASE_PHA + 4, KEY,
		sizeof(KEY) - 1, buf);
	haven_deleg_sha_input(&W.sha, PHA_ADDR, buf, len, W.now);
	TEST_ASSERT_EQUAL(W.sha.used, 1, "stale STOP ignored");
	/* The other primary claims the same home address. */
	W.qn = 0;
	start_msg(&m, ip(192, 0, 2, 70), 50);
	len = craft(&m, OTHER_PHA_ID, SHA_ID, 5, OTHER_KEY,
		sizeof(OTHER_KEY) - 1, buf);
	TEST_ASSERT_EQUAL(haven_deleg_sha_input(&W.sha, OTHER_ADDR, buf, len,
		W.now), 0, "authenticated");
	TEST_ASSERT_EQUAL(haven_deleg_sha_find(&W.sha,
		ip(192, 0, 2, 70))->primary, &W.sha_primaries[0],
		"still the first primary's");
	TEST_ASSERT_EQUAL(W.sha_primaries[1].stats.tx, 1,
		"answered (BAD_REQUEST)");
	/* ... and may not stop it either. */
	memset(&m, 0, sizeof(m));
	m.type = HAVEN_DELEG_STOP;
	m.u.stop.home_addr = ip(192, 0, 2, 70);
	m.u.stop.generation = 50;
	len = craft(&m, OTHER_PHA_ID, SHA_ID, 6, OTHER_KEY,
		sizeof(OTHER_KEY) - 1, buf);
	haven_deleg_sha_input(&W.sha, OTHER_ADDR, buf, len, W.now);
	TEST_ASSERT_EQUAL(W.sha.used, 1, "not removed");
	/* A removed primary gets NOT_PRIMARY. */
	W.sha_primaries[1].removed = true;
	start_msg(&m, ip(192, 0, 2, 71), 1);
	len = craft(&m, OTHER_PHA_ID, SHA_ID, 7, OTHER_KEY,
		sizeof(OTHER_KEY) - 1, buf);
	haven_deleg_sha_input(&W.sha, OTHER_ADDR, buf, len, W.now);
	TEST_ASSERT_EQUAL(W.sha.used, 1, "not installed");
	return 0;
}

/*
 * Undelegate while STARTING, with the START overtaken by its STOP: the
 * SHA installs an orphan, and the next report gets it stopped.
 */
static int
test_cancel_and_orphan(void)
{
	struct dgram start;

	setup(SHA_CAPACITY);
	W.hold = true;
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	haven_deleg_pha_undelegate(&W.pha, &W.b[0], 0, W.now);
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_STOPPING, "cancelled");
	TEST_ASSERT_EQUAL(W.pev[0].event, HAVEN_DELEG_EV_TAKEN_BACK, "event");
	TEST_ASSERT_EQUAL(W.qn, 2, "START and STOP");
	start = W.q[0];
	W.q[0] = W.q[1];
	W.qn = 1;
	W.hold = false;
	flush();	/* STOP first: acked OK (absent) */
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_LOCAL, "stopped");
	TEST_ASSERT_EQUAL(deliver(&start), 0, "late START accepted");
	TEST_ASSERT_EQUAL(W.sha.used, 1, "orphan installed");
	flush();	/* its ack is ignored */
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_LOCAL, "still local");
	run(20);	/* first report: orphan found, STOP sent */
	TEST_ASSERT_EQUAL(W.sha.used, 0, "orphan stopped");
	TEST_ASSERT_EQUAL(W.pha_peers[0].stats.orphans, 1, "counted");
	return 0;
}

/* A report of 100 bindings travels in three parts: 48, 48, 4. */
static int
test_report_parts(void)
{
	struct haven_deleg_msg m;
	unsigned int i, n = 0, parts = 0;

	setup(SHA_CAPACITY);
	for (i = 0; i < 100; i++)
		haven_deleg_pha_delegate(&W.pha, &W.b[i], &W.pha_peers[0],
			W.now);
	flush();
	haven_deleg_sha_find(&W.sha, W.b[7].info.home_addr)->packets = 1234;
	W.hold = true;
	W.qn = 0;
	run(10);
	for (i = 0; i < W.qn; i++) {
		TEST_ASSERT_EQUAL(haven_deleg_decode(W.q[i].b, W.q[i].len, KEY,
			sizeof(KEY) - 1, &m, NULL, 0), 0, "decodes");
		if (m.type != HAVEN_DELEG_REPORT)
			continue;
		TEST_ASSERT_EQUAL(m.u.report.part, parts, "in order");
		TEST_ASSERT_EQUAL(m.u.report.parts, 3, "three parts");
		TEST_ASSERT_EQUAL(m.u.report.load, 100, "load");
		TEST_ASSERT_EQUAL(m.u.report.packets, 1234, "total");
		TEST_ASSERT_EQUAL(m.u.report.capacity, SHA_CAPACITY, "cap");
		n += m.u.report.n_entries;
		parts++;
	}
	TEST_ASSERT_EQUAL(parts, 3, "three messages");
	TEST_ASSERT_EQUAL(n, 100, "every binding");
	W.hold = false;
	flush();
	TEST_ASSERT_EQUAL(W.pha_peers[0].reported_packets, 1234, "heard");
	TEST_ASSERT_EQUAL(W.pha_peers[0].stats.orphans, 0, "no orphans");
	TEST_ASSERT_EQUAL(W.b[7].reported_packets, 1234, "per binding");
	TEST_ASSERT_EQUAL(W.b[7].reported_ms, W.now, "when");
	/* The same without a lookup callback: the peer's list is walked. */
	W.pha_ops.lookup = NULL;
	haven_deleg_sha_find(&W.sha, W.b[9].info.home_addr)->packets = 99;
	run(1000);
	TEST_ASSERT_EQUAL(W.b[9].reported_packets, 99, "without lookup");
	TEST_ASSERT_EQUAL(W.b[7].reported_packets, 1234, "unchanged");
	return 0;
}

/* An SHA that restarts (new boot id) lost its bindings: taken back. */
static int
test_sha_restart(void)
{
	unsigned int i;

	setup(SHA_CAPACITY);
	for (i = 0; i < 2; i++)
		haven_deleg_pha_delegate(&W.pha, &W.b[i], &W.pha_peers[0],
			W.now);
	run(1000);
	TEST_ASSERT(W.pha_peers[0].boot_known, "boot id learnt");
	/* Restart: a fresh context, a later wall clock. */
	haven_deleg_sha_init(&W.sha, SHA_ID, W.sha_primaries, 2, W.entries,
		W.index, SHA_CAPACITY, 1000, &W.sha_ops, NULL, W.now,
		SEQ_BASE_SHA + 5000000000ull);
	W.npev = 0;
	run(1000);
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_TAKEN_BACK), 2,
		"both taken back");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_PEER_DEAD), 0,
		"not dead");
	TEST_ASSERT(W.pha_peers[0].alive, "alive");
	for (i = 0; i < 2; i++)
		TEST_ASSERT_EQUAL(W.b[i].state, HAVEN_DELEG_S_LOCAL, "b%u", i);
	return 0;
}

/*
 * A primary restarts: it adopts what it had delegated (from its store)
 * without a message; the report confirms what the secondary still holds,
 * no orphan STOP goes out for it, and what the secondary lost is sent
 * again as a START of a new generation.
 */
static int
test_pha_restart_adopt(void)
{
	struct haven_deleg_binding_info saved[3];
	uint64_t tx_before, seq_before;
	uint32_t boot;
	unsigned int i;

	setup(SHA_CAPACITY);
	for (i = 0; i < 2; i++)
		haven_deleg_pha_delegate(&W.pha, &W.b[i], &W.pha_peers[0],
			W.now);
	run(1000);
	TEST_ASSERT_EQUAL(W.sha.used, 2, "two held");
	boot = W.pha_peers[0].boot_id;
	seq_before = W.pha_peers[0].tx_seq;
	for (i = 0; i < 3; i++)
		saved[i] = W.b[i].info;
	saved[2].generation = 4;	/* delegated once, lost by the SHA */

	/* The primary restarts: a fresh context, bindings from the store. */
	haven_deleg_pha_init(&W.pha, PHA_ID, W.pha_peers, 1, &W.pha_ops,
		NULL, W.now, SEQ_BASE_PHA);
	haven_deleg_peer_restore(&W.pha_peers[0], true, boot, seq_before,
		W.now);
	TEST_ASSERT(W.pha_peers[0].tx_seq >= seq_before, "seq goes on");
	for (i = 0; i < 3; i++) {
		memset(&W.b[i], 0, sizeof(W.b[i]));
		W.b[i].info = saved[i];
		W.b[i].user = &W.b[i];
	}
	W.npev = 0;
	tx_before = W.pha_peers[0].stats.tx;
	for (i = 0; i < 3; i++)
		TEST_ASSERT_EQUAL(haven_deleg_pha_adopt(&W.pha, &W.b[i],
			&W.pha_peers[0], W.now), 0, "adopt b%u", i);
	TEST_ASSERT_EQUAL(haven_deleg_pha_adopt(&W.pha, &W.b[0],
		&W.pha_peers[0], W.now), -EBUSY, "adopt twice");
	TEST_ASSERT_EQUAL(W.pha_peers[0].stats.tx, tx_before,
		"adopting sends nothing");
	TEST_ASSERT_EQUAL(W.pha_peers[0].n_delegated, 3, "three on the peer");
	run(1100);
	TEST_ASSERT(W.b[0].reported_ms != 0 && W.b[1].reported_ms != 0,
		"the report confirms what the secondary holds");
	TEST_ASSERT_EQUAL(W.b[2].reported_ms, 0, "not reported: lost");
	TEST_ASSERT_EQUAL(W.pha_peers[0].stats.orphans, 0, "no orphan STOP");
	TEST_ASSERT_EQUAL(W.pha_peers[0].stats.tx, tx_before,
		"still nothing sent");
	TEST_ASSERT_EQUAL(W.npev, 0, "no event");
	TEST_ASSERT_EQUAL(W.sha.used, 2, "the secondary forwards on");

	/* Re-START what was lost: a new generation, installed. */
	haven_deleg_pha_update(&W.pha, &W.b[2], W.now);
	flush();
	TEST_ASSERT_EQUAL(W.b[2].state, HAVEN_DELEG_S_DELEGATED, "delegated");
	TEST_ASSERT_EQUAL(W.b[2].info.generation, 5, "generation above");
	TEST_ASSERT_EQUAL(W.sha.used, 3, "installed again");
	TEST_ASSERT(W.pha_peers[0].tx_seq > seq_before, "seq above");

	/* A secondary restarted meanwhile: everything comes back. */
	haven_deleg_pha_init(&W.pha, PHA_ID, W.pha_peers, 1, &W.pha_ops,
		NULL, W.now, SEQ_BASE_PHA);
	haven_deleg_peer_restore(&W.pha_peers[0], true, boot + 1, 0, W.now);
	for (i = 0; i < 3; i++) {
		struct haven_deleg_binding_info in = W.b[i].info;

		memset(&W.b[i], 0, sizeof(W.b[i]));
		W.b[i].info = in;
		W.b[i].user = &W.b[i];
		haven_deleg_pha_adopt(&W.pha, &W.b[i], &W.pha_peers[0], W.now);
	}
	W.npev = 0;
	run(1100);
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_TAKEN_BACK), 3,
		"another boot id: all taken back");
	for (i = 0; i < 3; i++)
		TEST_ASSERT_EQUAL(W.b[i].state, HAVEN_DELEG_S_LOCAL, "b%u", i);
	return 0;
}

/* Event callbacks that call back into the library. */
static int
test_reentrancy(void)
{
	unsigned int i;

	setup(SHA_CAPACITY);
	W.chain_on_delegated = &W.b[1];
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	flush();
	TEST_ASSERT_EQUAL(W.b[1].state, HAVEN_DELEG_S_DELEGATED,
		"delegated from inside DELEGATED");
	/* Forget the binding from inside STOPPED; tick keeps going. */
	W.forget_on_stopped = true;
	W.loss_to_sha = 100;
	for (i = 0; i < 2; i++)
		haven_deleg_pha_undelegate(&W.pha, &W.b[i], 0, W.now);
	run(9000);
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_STOPPED), 2,
		"both stopped");
	TEST_ASSERT(W.pha.pending.tqh_first == NULL, "nothing pending");
	/* Peer death while the callback delegates: refused, no loop. */
	setup(SHA_CAPACITY);
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	flush();
	W.loss_to_pha = 100;
	W.chain_on_delegated = NULL;
	run(3100);
	TEST_ASSERT(!W.pha_peers[0].alive, "dead");
	/* Removing a peer undelegates its bindings. */
	setup(SHA_CAPACITY);
	for (i = 0; i < 3; i++)
		haven_deleg_pha_delegate(&W.pha, &W.b[i], &W.pha_peers[0],
			W.now);
	flush();
	haven_deleg_pha_remove_peer(&W.pha, &W.pha_peers[0], W.now);
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_TAKEN_BACK), 3,
		"taken back");
	TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[5],
		&W.pha_peers[0], W.now), -EHOSTDOWN, "removed");
	flush();
	TEST_ASSERT_EQUAL(W.pha_peers[0].n_delegated, 0, "slot reusable");
	TEST_ASSERT_EQUAL(W.sha.used, 0, "SHA empty");
	return 0;
}

/* The index survives many inserts and deletes (backward shift). */
static int
test_sha_index(void)
{
	unsigned int i, round;

	setup(SHA_CAPACITY);
	TEST_ASSERT_EQUAL(haven_deleg_sha_table_size(128), 256, "size");
	TEST_ASSERT_EQUAL(haven_deleg_sha_table_size(0), 4, "min");
	TEST_ASSERT_EQUAL(haven_deleg_sha_table_size(3), 8, "3");
	for (round = 0; round < 3; round++) {
		for (i = 0; i < N_BINDINGS; i++)
			haven_deleg_pha_delegate(&W.pha, &W.b[i],
				&W.pha_peers[0], W.now);
		flush();
		TEST_ASSERT_EQUAL(W.sha.used, N_BINDINGS, "all");
		for (i = round % 2; i < N_BINDINGS; i += 2)
			haven_deleg_pha_undelegate(&W.pha, &W.b[i], 0, W.now);
		flush();
		for (i = 0; i < N_BINDINGS; i++) {
			bool want = (i % 2) != (round % 2);

			TEST_ASSERT_EQUAL(haven_deleg_sha_find(&W.sha,
				W.b[i].info.home_addr) != NULL, want,
				"round %u b%u", round, i);
		}
		for (i = 0; i < N_BINDINGS; i++)
			haven_deleg_pha_undelegate(&W.pha, &W.b[i], 0, W.now);
		flush();
		TEST_ASSERT_EQUAL(W.sha.used, 0, "empty");
	}
	TEST_ASSERT_EQUAL(W.sha.stats.installed, 3 * N_BINDINGS, "installs");
	return 0;
}

/* ------------------------------------------------------------------ */
/* IPv4 on the wire: unchanged by IPv6                                */
/* ------------------------------------------------------------------ */

/*
 * Bytes of the five IPv4 messages of v4_fixed_msgs(), captured with the
 * IPv4-only library (commit 2c80852) before IPv6 was added: KEY, sender
 * 0x01020304, receiver 0xa0b0c0d0, txn 0xdeadbeef.
 */
/* START, 88 octets */
static const uint8_t V4_START[] = {
	0x01, 0x01, 0x00, 0x1c, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0xde, 0xad, 0xbe, 0xef,
	0x04, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x01,
	0xff, 0xff, 0xff, 0xfe, 0x00, 0x00, 0x07, 0x08, 0x02, 0x01, 0x02, 0x00,
	0xc6, 0x33, 0x64, 0x01, 0xcb, 0x00, 0x71, 0x03, 0x79, 0x03, 0x62, 0xee,
	0x48, 0xa5, 0x35, 0x13, 0x8f, 0x1b, 0x92, 0xa0, 0x6c, 0xbf, 0xb9, 0x82,
	0xd1, 0x5e, 0x6e, 0xa5, 0x09, 0xe3, 0xf0, 0xa2, 0xcf, 0x08, 0xd1, 0x73,
	0x82, 0x14, 0xaa, 0x81
};

/* START_ACK, 80 octets */
static const uint8_t V4_START_ACK[] = {
	0x01, 0x02, 0x00, 0x14, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x89, 0xde, 0xad, 0xbe, 0xef,
	0x04, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x00, 0x07,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x64,
	0x5c, 0xf9, 0x6e, 0xcb, 0x69, 0x27, 0x33, 0xa0, 0x7b, 0x66, 0xba, 0xc5,
	0xe7, 0x89, 0x0c, 0xd6, 0x75, 0x88, 0x00, 0x57, 0x2f, 0x65, 0x7c, 0x78,
	0x4a, 0x2e, 0x50, 0x90, 0x46, 0x38, 0x1d, 0x03
};

/* STOP, 72 octets */
static const uint8_t V4_STOP[] = {
	0x01, 0x03, 0x00, 0x0c, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x8a, 0xde, 0xad, 0xbe, 0xef,
	0x04, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x0b, 0x00, 0x00, 0x00, 0x09,
	0x01, 0x00, 0x00, 0x00, 0x71, 0x6a, 0x4a, 0x49, 0x73, 0xf3, 0x37, 0x18,
	0xb7, 0x15, 0x60, 0xdc, 0x1b, 0xbc, 0x2f, 0xed, 0xf4, 0x67, 0xd5, 0x54,
	0x76, 0xc7, 0x4d, 0x5b, 0xae, 0x27, 0xf0, 0x36, 0x25, 0x0e, 0x50, 0x2c
};

/* STOP_ACK, 80 octets */
static const uint8_t V4_STOP_ACK[] = {
	0x01, 0x04, 0x00, 0x14, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x8b, 0xde, 0xad, 0xbe, 0xef,
	0x04, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x0b, 0x00, 0x00, 0x00, 0x09,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	0x6f, 0x6c, 0xbe, 0x70, 0xd9, 0x66, 0x4b, 0xb8, 0x64, 0xf2, 0xe1, 0x8d,
	0x18, 0x40, 0x47, 0x27, 0xa1, 0x69, 0x66, 0x55, 0xdb, 0xc2, 0xca, 0x38,
	0xd6, 0xbe, 0x48, 0x67, 0xa3, 0x34, 0x69, 0x14
};

/* REPORT, 148 octets */
static const uint8_t V4_REPORT[] = {
	0x01, 0x05, 0x00, 0x58, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x8c, 0xde, 0xad, 0xbe, 0xef,
	0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0xca, 0xfe, 0x00, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x0a,
	0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x49, 0xf0, 0xc0, 0x00, 0x02, 0x0b,
	0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0xd0,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x93, 0xe0, 0x83, 0xe9, 0xe0, 0xa7,
	0xe9, 0xd5, 0x3b, 0x90, 0x6e, 0xae, 0xed, 0x25, 0xe8, 0x52, 0x76, 0x91,
	0x87, 0x7f, 0x0d, 0x7a, 0x9c, 0x7a, 0xce, 0xc9, 0x66, 0x88, 0x95, 0x0d,
	0xa5, 0x42, 0x7e, 0x9c
};

static void
v4_fixed_msgs(struct haven_deleg_msg m[5])
{
	unsigned int i;

	memset(m, 0, 5 * sizeof(*m));
	for (i = 0; i < 5; i++) {
		m[i].type = (uint8_t)(i + 1);
		m[i].sender_id = 0x01020304;
		m[i].receiver_id = 0xa0b0c0d0;
		m[i].seq = 0x1122334455667788ull + i;
		m[i].txn = 0xdeadbeef;
	}
	m[0].u.start.home_addr = ip(192, 0, 2, 10);
	m[0].u.start.outer_src = ip(192, 0, 2, 1);
	m[0].u.start.generation = 0xfffffffe;
	m[0].u.start.duration_s = 1800;
	m[0].u.start.encap = 2;
	m[0].u.start.flags = HAVEN_DELEG_F_REVERSE_TUNNEL;
	m[0].u.start.n_coa = 2;
	m[0].u.start.coa[0] = ip(198, 51, 100, 1);
	m[0].u.start.coa[1] = ip(203, 0, 113, 3);
	m[1].u.ack.home_addr = ip(192, 0, 2, 10);
	m[1].u.ack.generation = 7;
	m[1].u.ack.status = HAVEN_DELEG_OVER_CAPACITY;
	m[1].u.ack.load = 12;
	m[1].u.ack.capacity = 100;
	m[2].u.stop.home_addr = ip(192, 0, 2, 11);
	m[2].u.stop.generation = 9;
	m[2].u.stop.reason = HAVEN_DELEG_STOP_DEREGISTERED;
	m[3].u.ack.home_addr = ip(192, 0, 2, 11);
	m[3].u.ack.generation = 9;
	m[3].u.ack.status = HAVEN_DELEG_STALE;
	m[3].u.ack.capacity = 5;
	m[4].u.report.interval_ms = 1000;
	m[4].u.report.load = 2;
	m[4].u.report.capacity = 64;
	m[4].u.report.packets = 1ull << 40;
	m[4].u.report.bytes = 1ull << 50;
	m[4].u.report.parts = 1;
	m[4].u.report.boot_id = 0xcafe;
	m[4].u.report.n_entries = 2;
	m[4].u.report.entries[0].home_addr = ip(192, 0, 2, 10);
	m[4].u.report.entries[0].generation = 3;
	m[4].u.report.entries[0].packets = 1000;
	m[4].u.report.entries[0].bytes = 150000;
	m[4].u.report.entries[1].home_addr = ip(192, 0, 2, 11);
	m[4].u.report.entries[1].generation = 4;
	m[4].u.report.entries[1].packets = 2000;
	m[4].u.report.entries[1].bytes = 300000;
}

static int
test_ipv4_bytes_unchanged(void)
{
	static const struct {
		const uint8_t *b;
		size_t len;
	} v[5] = {
		{ V4_START, sizeof(V4_START) },
		{ V4_START_ACK, sizeof(V4_START_ACK) },
		{ V4_STOP, sizeof(V4_STOP) },
		{ V4_STOP_ACK, sizeof(V4_STOP_ACK) },
		{ V4_REPORT, sizeof(V4_REPORT) },
	};
	struct haven_deleg_msg m[5], out;
	uint8_t buf[HAVEN_DELEG_MAX_MSG];
	char err[128];
	unsigned int i;
	int len;

	v4_fixed_msgs(m);
	for (i = 0; i < 5; i++) {
		len = haven_deleg_encode(&m[i], KEY, sizeof(KEY) - 1, buf,
			sizeof(buf));
		TEST_ASSERT_EQUAL(len, v[i].len, "type %u length", i + 1);
		TEST_ASSERT_MEM(buf, v[i].b, v[i].len,
			"type %u: IPv4 bytes changed", i + 1);
		/* Old bytes decode to the IPv4 struct, family 0. */
		TEST_ASSERT_EQUAL(haven_deleg_decode(v[i].b, v[i].len, KEY,
			sizeof(KEY) - 1, &out, err, sizeof(err)), 0,
			"type %u: %s", i + 1, err);
		TEST_ASSERT_EQUAL(out.family, 0, "family 0 in memory");
		TEST_ASSERT_MEM(&out, &m[i], sizeof(out), "type %u decoded",
			i + 1);
	}
	/* Family 4 in memory is the same as 0. */
	m[0].family = HAVEN_DELEG_FAMILY_IPV4;
	m[0].u.start.family = HAVEN_DELEG_FAMILY_IPV4;
	len = haven_deleg_encode(&m[0], KEY, sizeof(KEY) - 1, buf,
		sizeof(buf));
	TEST_ASSERT_EQUAL(len, sizeof(V4_START), "family 4 length");
	TEST_ASSERT_MEM(buf, V4_START, sizeof(V4_START), "family 4 bytes");
	return 0;
}

/* ------------------------------------------------------------------ */
/* IPv6 codec                                                         */
/* ------------------------------------------------------------------ */

/* 2001:db8:<a>::<b> into out[16]. */
static void
ip6(uint8_t out[16], uint16_t a, uint16_t b)
{
	memset(out, 0, 16);
	out[0] = 0x20;
	out[1] = 0x01;
	out[2] = 0x0d;
	out[3] = 0xb8;
	out[4] = (uint8_t)(a >> 8);
	out[5] = (uint8_t)a;
	out[14] = (uint8_t)(b >> 8);
	out[15] = (uint8_t)b;
}

static void
sample_msgs6(struct haven_deleg_msg m[5])
{
	struct haven_deleg_binding_info *bi = &m[0].u.start;
	unsigned int i;

	memset(m, 0, 5 * sizeof(*m));
	for (i = 0; i < 5; i++) {
		m[i].type = (uint8_t)(i + 1);
		m[i].family = HAVEN_DELEG_FAMILY_IPV6;
		m[i].sender_id = 0x01020304;
		m[i].receiver_id = 0xa0b0c0d0;
		m[i].seq = 0x1122334455667788ull + i;
		m[i].txn = 0xdeadbeef;
	}
	bi->family = HAVEN_DELEG_FAMILY_IPV6;
	ip6(bi->home_addr6, 0, 0x10);
	ip6(bi->outer_src6, 0, 1);
	bi->generation = 0xfffffffe;
	bi->duration_s = 1800;
	bi->encap = HAVEN_DELEG_ENCAP_IP6IP6;
	bi->flags = HAVEN_DELEG_F_REVERSE_TUNNEL;
	bi->n_coa = 4;
	for (i = 0; i < 4; i++)
		ip6(bi->coa6[i], 0x100 + i, 1 + i);
	ip6(m[1].u.ack.home_addr6, 0, 0x10);
	m[1].u.ack.generation = 7;
	m[1].u.ack.status = HAVEN_DELEG_OVER_CAPACITY;
	m[1].u.ack.load = 12;
	m[1].u.ack.capacity = 100;
	ip6(m[2].u.stop.home_addr6, 0, 0x11);
	m[2].u.stop.generation = 9;
	m[2].u.stop.reason = HAVEN_DELEG_STOP_DEREGISTERED;
	ip6(m[3].u.ack.home_addr6, 0, 0x11);
	m[3].u.ack.generation = 9;
	m[3].u.ack.status = HAVEN_DELEG_STALE;
	m[3].u.ack.capacity = 5;
	m[4].u.report.interval_ms = 1000;
	m[4].u.report.load = 84;
	m[4].u.report.capacity = 128;
	m[4].u.report.packets = 1ull << 40;
	m[4].u.report.bytes = 1ull << 50;
	m[4].u.report.part = 1;
	m[4].u.report.parts = 2;
	m[4].u.report.boot_id = 0xcafe;
	m[4].u.report.n_entries = HAVEN_DELEG_REPORT_MAX_ENTRIES6;
	for (i = 0; i < HAVEN_DELEG_REPORT_MAX_ENTRIES6; i++) {
		ip6(m[4].u.report.entries[i].home_addr6, 1, 1 + i);
		m[4].u.report.entries[i].generation = i;
		m[4].u.report.entries[i].packets = 1000 * i;
		m[4].u.report.entries[i].bytes = 1500000ull * i;
	}
}

static int
test_codec_roundtrip6(void)
{
	static const size_t expect_len[5] = {
		28 + 44 + 16 * 4 + 32, 28 + 32 + 32, 28 + 24 + 32,
		28 + 32 + 32, 28 + 40 + 36 * 36 + 32,
	};
	struct haven_deleg_msg m[5], out;
	uint8_t buf[HAVEN_DELEG_MAX_MSG], a[16];
	char err[128];
	unsigned int i;
	int len;

	sample_msgs6(m);
	for (i = 0; i < 5; i++) {
		len = haven_deleg_encode(&m[i], KEY, sizeof(KEY) - 1, buf,
			sizeof(buf));
		TEST_ASSERT_EQUAL(len, expect_len[i], "type %u length", i + 1);
		TEST_ASSERT_EQUAL(buf[24], 6, "family 6 on the wire");
		TEST_ASSERT_EQUAL(buf[2] << 8 | buf[3],
			expect_len[i] - 28 - 32, "body length");
		TEST_ASSERT_EQUAL(haven_deleg_decode(buf, (size_t)len, KEY,
			sizeof(KEY) - 1, &out, err, sizeof(err)), 0,
			"type %u: %s", i + 1, err);
		TEST_ASSERT_MEM(&out, &m[i], sizeof(out), "type %u differs",
			i + 1);
	}
	TEST_ASSERT(expect_len[4] <= HAVEN_DELEG_MAX_MSG, "36 entries fit");
	/* Where the fields are: addresses 16 octets, the rest moved. */
	len = haven_deleg_encode(&m[0], KEY, sizeof(KEY) - 1, buf,
		sizeof(buf));
	TEST_ASSERT_MEM(buf + 28, m[0].u.start.home_addr6, 16, "home");
	TEST_ASSERT_MEM(buf + 44, m[0].u.start.outer_src6, 16, "outer");
	TEST_ASSERT(buf[60] == 0xff && buf[63] == 0xfe, "generation");
	TEST_ASSERT(buf[66] == 0x07 && buf[67] == 0x08, "duration 1800");
	TEST_ASSERT(buf[68] == 3 && buf[69] == 1 && buf[70] == 4 &&
		buf[71] == 0, "encap flags n_coa reserved");
	TEST_ASSERT_MEM(buf + 72 + 48, m[0].u.start.coa6[3], 16, "coa 4");
	len = haven_deleg_encode(&m[1], KEY, sizeof(KEY) - 1, buf,
		sizeof(buf));
	TEST_ASSERT(buf[28 + 19] == 7 && buf[28 + 20] == 1 &&
		buf[28 + 27] == 12 && buf[28 + 31] == 100, "ack fields");
	len = haven_deleg_encode(&m[4], KEY, sizeof(KEY) - 1, buf,
		sizeof(buf));
	TEST_ASSERT_MEM(buf + 68 + 36, m[4].u.report.entries[1].home_addr6,
		16, "second entry at 40 + 36");

	/* Encoder refusals of IPv6. */
	out = m[4];
	out.u.report.n_entries = HAVEN_DELEG_REPORT_MAX_ENTRIES6 + 1;
	TEST_ASSERT_EQUAL(haven_deleg_encode(&out, KEY, 4, buf, sizeof(buf)),
		-EINVAL, "37 IPv6 entries");
	out = m[0];
	out.u.start.encap = HAVEN_DELEG_ENCAP_IPIP;
	TEST_ASSERT_EQUAL(haven_deleg_encode(&out, KEY, 4, buf, sizeof(buf)),
		-EINVAL, "IPv4 encap on IPv6");
	out = m[0];
	out.family = 0;
	TEST_ASSERT_EQUAL(haven_deleg_encode(&out, KEY, 4, buf, sizeof(buf)),
		-EINVAL, "header and binding families disagree");
	out = m[0];
	out.family = out.u.start.family = 5;
	TEST_ASSERT_EQUAL(haven_deleg_encode(&out, KEY, 4, buf, sizeof(buf)),
		-EINVAL, "family 5");
	out = m[0];
	memset(out.u.start.home_addr6, 0, 16);
	out.u.start.home_addr = ip(192, 0, 2, 10);	/* ignored */
	TEST_ASSERT_EQUAL(haven_deleg_encode(&out, KEY, 4, buf, sizeof(buf)),
		-EINVAL, "home ::");
	out = m[0];
	out.u.start.coa6[2][0] = 0xff;
	TEST_ASSERT_EQUAL(haven_deleg_encode(&out, KEY, 4, buf, sizeof(buf)),
		-EINVAL, "multicast care-of address");
	out = m[2];
	memset(out.u.stop.home_addr6, 0, 16);
	TEST_ASSERT_EQUAL(haven_deleg_encode(&out, KEY, 4, buf, sizeof(buf)),
		-EINVAL, "STOP of ::");
	/* An IPv4 START with the IPv6 encap is refused too. */
	v4_fixed_msgs(m);
	m[0].u.start.encap = HAVEN_DELEG_ENCAP_IP6IP6;
	TEST_ASSERT_EQUAL(haven_deleg_encode(&m[0], KEY, 4, buf, sizeof(buf)),
		-EINVAL, "IPv6 encap on IPv4");
	/* The IPv4 fields of an IPv6 binding are not sent. */
	sample_msgs6(m);
	m[0].u.start.home_addr = ip(192, 0, 2, 99);
	len = haven_deleg_encode(&m[0], KEY, sizeof(KEY) - 1, buf,
		sizeof(buf));
	TEST_ASSERT_EQUAL(haven_deleg_decode(buf, (size_t)len, KEY,
		sizeof(KEY) - 1, &out, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(out.u.start.home_addr, 0, "decoder zeroes IPv4");
	ip6(a, 0, 0x10);
	TEST_ASSERT_MEM(out.u.start.home_addr6, a, 16, "IPv6 home");
	return 0;
}

/* Mutate sample message c->type of m, re-MAC, expect the reason. */
static int
run_mutations(const struct mutation *cases, unsigned int n,
		const struct haven_deleg_msg *m)
{
	struct haven_deleg_msg out;
	uint8_t buf[HAVEN_DELEG_MAX_MSG + 64];
	char err[128];
	unsigned int i;
	size_t len, blen;
	int rc;

	for (i = 0; i < n; i++) {
		const struct mutation *c = &cases[i];
		int base = haven_deleg_encode(&m[c->type - 1], KEY,
			sizeof(KEY) - 1, buf, sizeof(buf));

		TEST_ASSERT(base > 0, "case %u encodes", i);
		len = (size_t)base - HAVEN_DELEG_MAC_LEN;
		if (c->len_delta > 0)
			memset(buf + len, 0, (size_t)c->len_delta);
		len = (size_t)((int)len + c->len_delta);
		if (c->fix_body_len) {
			blen = len - HAVEN_DELEG_HDR_LEN;
			buf[2] = (uint8_t)(blen >> 8);
			buf[3] = (uint8_t)blen;
		}
		if (c->off != ~0u)
			buf[c->off] = c->val;
		len += HAVEN_DELEG_MAC_LEN;
		remac(buf, len);
		rc = haven_deleg_decode(buf, len, KEY, sizeof(KEY) - 1, &out,
			err, sizeof(err));
		if (c->reason[0] == '\0') {
			TEST_ASSERT_EQUAL(rc, 0, "case %u accepted: %s", i,
				err);
			continue;
		}
		TEST_ASSERT_EQUAL(rc, -EBADMSG, "case %u (%s): got %s", i,
			c->reason, err);
		TEST_ASSERT(strstr(err, c->reason) != NULL,
			"case %u: reason '%s' lacks '%s'", i, err, c->reason);
	}
	return 0;
}

static int
test_codec_malformed6(void)
{
	/* Offsets: START home 28, outer 44, gen 60, dur 64, encap 72... */
	static const struct mutation cases[] = {
		/* Family 4 on an IPv6 body: read as IPv4, refused. */
		{ 1, 24, 4, 0, false, "START reserved byte" },
		{ 1, 24, 7, 0, false, "family 7" },
		{ 1, 28 + 42, 0, 0, false, "n_coa 0" },
		{ 1, 28 + 42, 5, 0, false, "n_coa 5" },
		{ 1, 28 + 42, 3, 0, false, "!= 44 + 16 x 3" },
		{ 1, ~0u, 0, -16, true, "!= 44 + 16 x 4" },
		{ 1, ~0u, 0, 16, true, "!= 44 + 16 x 4" },
		{ 1, ~0u, 0, -1, true, "!= 44 + 16 x 4" },
		{ 1, 28 + 40, 0, 0, false, "encap 0 of an IPv6 binding" },
		{ 1, 28 + 40, 2, 0, false, "encap 2 of an IPv6 binding" },
		{ 1, 28 + 41, 2, 0, false, "unknown flags 0x02" },
		{ 1, 28 + 43, 1, 0, false, "START reserved" },
		{ 1, 28 + 16, 0xff, 0, false, "outer source multicast" },
		{ 1, 28 + 44 + 16, 0xff, 0, false,
			"care-of address 1 is multicast" },
		{ 1, 28 + 0, 0, 0, false, "" },	/* first home byte 0 only */
		{ 2, ~0u, 0, -12, true, "START_ACK body 20 != 32" },
		{ 2, ~0u, 0, 4, true, "START_ACK body 36 != 32" },
		{ 2, 28 + 20, 5, 0, false, "unknown status 5" },
		{ 2, 28 + 21, 1, 0, false, "ack reserved" },
		{ 2, 28, 0xff, 0, false, "home address multicast" },
		{ 3, ~0u, 0, -12, true, "STOP body 12 != 24" },
		{ 3, ~0u, 0, 1, true, "STOP body 25 != 24" },
		{ 3, 28 + 20, 4, 0, false, "unknown stop reason 4" },
		{ 3, 28 + 23, 1, 0, false, "STOP reserved" },
		{ 3, 24, 4, 0, false, "STOP body 24 != 12" },
		{ 4, ~0u, 0, -32, true, "STOP_ACK body 0 != 32" },
		{ 5, 28 + 37, 37, 0, false, "37 entries, at most 36" },
		{ 5, 28 + 37, 35, 0, false, "!= 40 + 36 x 35" },
		{ 5, ~0u, 0, -36, true, "!= 40 + 36 x 36" },
		{ 5, ~0u, 0, 1, true, "!= 40 + 36 x 36" },
		{ 5, 24, 4, 0, false, "!= 40 + 24 x 36" },
		{ 5, 28 + 40 + 36, 0xff, 0, false,
			"report entry 1: home address multicast" },
	};
	struct haven_deleg_msg m[5], out;
	uint8_t buf[HAVEN_DELEG_MAX_MSG];
	char err[128];
	size_t len;
	int rc;

	sample_msgs6(m);
	if (run_mutations(cases, sizeof(cases) / sizeof(cases[0]), m) < 0)
		return -1;
	/* All-zero addresses: the unspecified address is refused. */
	{
		static const struct {
			int type;
			unsigned int off;
			const char *reason;
		} zeros[] = {
			{ 1, 28, "home address ::" },
			{ 1, 44, "outer source ::" },
			{ 1, 72 + 32, "care-of address 2 is ::" },
			{ 2, 28, "home address ::" },
			{ 3, 28, "home address ::" },
			{ 5, 68 + 36 * 5, "report entry 5: home address ::" },
		};
		unsigned int i;

		for (i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++) {
			len = (size_t)haven_deleg_encode(&m[zeros[i].type - 1],
				KEY, sizeof(KEY) - 1, buf, sizeof(buf));
			memset(buf + zeros[i].off, 0, 16);
			remac(buf, len);
			rc = haven_deleg_decode(buf, len, KEY, sizeof(KEY) - 1,
				&out, err, sizeof(err));
			TEST_ASSERT_EQUAL(rc, -EBADMSG, "zero %u", i);
			TEST_ASSERT(strstr(err, zeros[i].reason) != NULL,
				"zero %u: '%s'", i, err);
		}
	}
	return 0;
}

static int
test_hmac_any_bit6(void)
{
	struct haven_deleg_msg m[5], out;
	uint8_t buf[HAVEN_DELEG_MAX_MSG];
	char err[128];
	unsigned int t, bit;
	int len, rc;

	sample_msgs6(m);
	for (t = 0; t < 5; t++) {
		len = haven_deleg_encode(&m[t], KEY, sizeof(KEY) - 1, buf,
			sizeof(buf));
		TEST_ASSERT(len > 0, "type %u encodes", t + 1);
		for (bit = 0; bit < (unsigned int)len * 8; bit++) {
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			rc = haven_deleg_decode(buf, (size_t)len, KEY,
				sizeof(KEY) - 1, &out, err, sizeof(err));
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			TEST_ASSERT_EQUAL(rc, -EACCES, "type %u bit %u: %s",
				t + 1, bit, err);
		}
		rc = haven_deleg_decode(buf, (size_t)len, OTHER_KEY,
			sizeof(OTHER_KEY) - 1, &out, err, sizeof(err));
		TEST_ASSERT_EQUAL(rc, -EACCES, "other key");
		rc = haven_deleg_decode(buf, (size_t)len - 1, KEY,
			sizeof(KEY) - 1, &out, err, sizeof(err));
		TEST_ASSERT_EQUAL(rc, -EACCES, "truncated");
		/* The same bytes under the family byte 4: MAC fails first. */
		buf[24] = 4;
		rc = haven_deleg_decode(buf, (size_t)len, KEY,
			sizeof(KEY) - 1, &out, err, sizeof(err));
		TEST_ASSERT_EQUAL(rc, -EACCES, "family flipped");
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* IPv6 bindings between PHA and SHA                                  */
/* ------------------------------------------------------------------ */

/* Turn W.b[i] into an IPv6 binding 2001:db8::100+i via 2001:db8:1::i+1. */
static void
make6(unsigned int i)
{
	struct haven_deleg_binding_info *bi = &W.b[i].info;

	bi->home_addr = bi->outer_src = 0;
	memset(bi->coa, 0, sizeof(bi->coa));
	bi->family = HAVEN_DELEG_FAMILY_IPV6;
	ip6(bi->home_addr6, 0, (uint16_t)(0x100 + i));
	ip6(bi->outer_src6, 0, 1);
	ip6(bi->coa6[0], 1, (uint16_t)(1 + i));
	bi->encap = HAVEN_DELEG_ENCAP_IP6IP6;
	bi->flags = HAVEN_DELEG_F_REVERSE_TUNNEL;
}

static struct haven_deleg_sha_entry *
sha_find6_of(unsigned int i)
{
	return haven_deleg_sha_find6(&W.sha, W.b[i].info.home_addr6);
}

/* The family byte of every datagram queued is 6. */
static int
all_queued_family6(void)
{
	unsigned int i;

	for (i = 0; i < W.qn; i++)
		TEST_ASSERT_EQUAL(W.q[i].b[24], 6, "datagram %u family", i);
	return 0;
}

static int
test_flow6_delegate_update_stop(void)
{
	struct haven_deleg_sha_entry *e;
	struct haven_deleg_msg m;

	setup(SHA_CAPACITY);
	make6(0);
	W.b[0].info.encap = HAVEN_DELEG_ENCAP_IPIP;
	TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[0],
		&W.pha_peers[0], W.now), -EINVAL, "IPv4 encap refused");
	W.b[0].info.encap = HAVEN_DELEG_ENCAP_IP6IP6;
	W.hold = true;
	TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[0],
		&W.pha_peers[0], W.now), 0, "delegate");
	TEST_ASSERT_EQUAL(W.qn, 1, "START");
	TEST_ASSERT_EQUAL(W.q[0].len, 28 + 44 + 16 + 32, "IPv6 START size");
	if (all_queued_family6() < 0)
		return -1;
	TEST_ASSERT_EQUAL(W.npev, 0, "PHA still forwards (STARTING)");
	W.hold = false;
	flush();
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_DELEGATED, "delegated");
	TEST_ASSERT_EQUAL(W.pev[0].event, HAVEN_DELEG_EV_DELEGATED, "event");
	TEST_ASSERT_EQUAL(W.nsev, 1, "one install");
	TEST_ASSERT(W.sev[0].event == HAVEN_DELEG_EV_INSTALL &&
		W.sev[0].is_new && W.sev[0].family == 6, "INSTALL IPv6 new");
	TEST_ASSERT_MEM(W.sev[0].home6, W.b[0].info.home_addr6, 16, "hoa");
	e = sha_find6_of(0);
	TEST_ASSERT(e != NULL, "found6");
	TEST_ASSERT_EQUAL(e->info.family, 6, "entry family");
	TEST_ASSERT_EQUAL(e->info.encap, HAVEN_DELEG_ENCAP_IP6IP6, "encap");
	TEST_ASSERT_MEM(e->info.outer_src6, W.b[0].info.outer_src6, 16,
		"outer source: the PHA (claim 5)");
	TEST_ASSERT_EQUAL(e->expires_ms, W.now + 300000, "expiry");
	TEST_ASSERT(haven_deleg_sha_find(&W.sha, 0) == NULL, "not IPv4");
	TEST_ASSERT_EQUAL(W.pha_peers[0].load, 1, "ack load");

	/* CoA change: a new generation, the SHA switches at once. */
	ip6(W.b[0].info.coa6[0], 2, 0x77);
	W.b[0].info.n_coa = 2;
	ip6(W.b[0].info.coa6[1], 3, 0x78);
	haven_deleg_pha_update(&W.pha, &W.b[0], W.now);
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_UPDATING, "updating");
	flush();
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_DELEGATED, "delegated");
	TEST_ASSERT(W.sev[W.nsev - 1].event == HAVEN_DELEG_EV_INSTALL &&
		!W.sev[W.nsev - 1].is_new, "replace");
	TEST_ASSERT_MEM(sha_find6_of(0)->info.coa6[1], W.b[0].info.coa6[1],
		16, "switched");
	TEST_ASSERT_EQUAL(sha_find6_of(0)->info.generation,
		W.b[0].info.generation, "generation");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_DELEGATED), 1,
		"DELEGATED once");

	/* Reports carry it in a Family 6 part; the PHA counts it. */
	sha_find6_of(0)->packets = 4321;
	W.hold = true;
	W.qn = 0;
	run(1000);
	TEST_ASSERT(W.qn >= 1, "report");
	TEST_ASSERT_EQUAL(haven_deleg_decode(W.q[0].b, W.q[0].len, KEY,
		sizeof(KEY) - 1, &m, NULL, 0), 0, "decodes");
	TEST_ASSERT(m.type == HAVEN_DELEG_REPORT && m.family == 6 &&
		m.u.report.n_entries == 1 && m.u.report.parts == 1,
		"one Family 6 part");
	TEST_ASSERT_MEM(m.u.report.entries[0].home_addr6,
		W.b[0].info.home_addr6, 16, "entry");
	W.hold = false;
	flush();
	TEST_ASSERT_EQUAL(W.b[0].reported_packets, 4321, "reported");
	TEST_ASSERT_EQUAL(W.pha_peers[0].stats.orphans, 0, "no orphan");

	/* Take back: TAKEN_BACK at once, STOPPED on the IPv6 STOP_ACK. */
	W.hold = true;
	W.qn = 0;
	haven_deleg_pha_undelegate(&W.pha, &W.b[0],
		HAVEN_DELEG_STOP_DEREGISTERED, W.now);
	TEST_ASSERT_EQUAL(W.pev[W.npev - 1].event, HAVEN_DELEG_EV_TAKEN_BACK,
		"taken back first");
	TEST_ASSERT_EQUAL(W.q[0].len, 28 + 24 + 32, "IPv6 STOP size");
	if (all_queued_family6() < 0)
		return -1;
	W.hold = false;
	flush();
	TEST_ASSERT_EQUAL(W.sha.used, 0, "removed");
	TEST_ASSERT(W.sev[W.nsev - 1].event == HAVEN_DELEG_EV_REMOVE &&
		W.sev[W.nsev - 1].family == 6, "REMOVE IPv6");
	TEST_ASSERT_EQUAL(W.pev[W.npev - 1].event, HAVEN_DELEG_EV_STOPPED,
		"stopped");
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_LOCAL, "local");
	TEST_ASSERT(sha_find6_of(0) == NULL, "gone");
	return 0;
}

static int
test_flow6_expiry_and_death(void)
{
	unsigned int i;

	/* The forwarding duration ends at the SHA without any STOP. */
	setup(SHA_CAPACITY);
	make6(0);
	W.b[0].info.duration_s = 5;
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	flush();
	TEST_ASSERT(sha_find6_of(0) != NULL, "installed");
	W.loss_to_sha = 100;	/* no STOP can arrive */
	run(4990);
	TEST_ASSERT(sha_find6_of(0) != NULL, "still at 4.99 s");
	run(20);
	TEST_ASSERT(sha_find6_of(0) == NULL, "expired at 5 s");
	TEST_ASSERT_EQUAL(W.sha.stats.expired, 1, "counted");

	/* Peer death: every IPv6 binding taken back, PEER_LOST. */
	setup(SHA_CAPACITY);
	for (i = 0; i < 3; i++) {
		make6(i);
		haven_deleg_pha_delegate(&W.pha, &W.b[i], &W.pha_peers[0],
			W.now);
	}
	flush();
	W.loss_to_pha = 100;
	run(3100);
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_PEER_DEAD), 1,
		"dead");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_TAKEN_BACK), 3,
		"all taken back");
	for (i = 0; i < 3; i++)
		TEST_ASSERT_EQUAL(W.b[i].state, HAVEN_DELEG_S_LOCAL, "b%u", i);
	for (i = 0; i < W.npev; i++)
		if (W.pev[i].event == HAVEN_DELEG_EV_TAKEN_BACK)
			TEST_ASSERT_EQUAL(W.pev[i].status,
				HAVEN_DELEG_PEER_LOST, "status");
	/* The one STOP each went out in Family 6 and reached the SHA. */
	TEST_ASSERT_EQUAL(W.sha.used, 0, "SHA stopped them");
	/* Heard again: alive, delegable again. */
	W.loss_to_pha = 0;
	run(1000);
	TEST_ASSERT(W.pha_peers[0].alive, "alive");
	TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[0],
		&W.pha_peers[0], W.now), 0, "again");
	flush();
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_DELEGATED, "back");

	/* An SHA whose caller does not take IPv6: refused, no event. */
	setup(SHA_CAPACITY);
	W.sha.ipv6 = false;
	make6(0);
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	flush();
	TEST_ASSERT_EQUAL(W.nsev, 0, "no SHA event");
	TEST_ASSERT_EQUAL(W.sha.used, 0, "nothing installed");
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_LOCAL, "stays local");
	TEST_ASSERT_EQUAL(W.pev[0].event, HAVEN_DELEG_EV_REFUSED, "REFUSED");
	TEST_ASSERT_EQUAL(W.pev[0].status, HAVEN_DELEG_OVER_CAPACITY,
		"OVER_CAPACITY");
	return 0;
}

static int
test_flow6_loss_and_duplicates(void)
{
	unsigned int i, max_tries = 0;

	setup(SHA_CAPACITY);
	W.rng = 20240607;
	W.loss_to_sha = 30;
	W.loss_to_pha = 30;
	for (i = 0; i < 40; i++) {
		make6(i);
		TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[i],
			&W.pha_peers[0], W.now), 0, "delegate %u", i);
	}
	for (i = 0; i < 1000 && W.pha.pending.tqh_first != NULL; i++) {
		struct haven_deleg_binding *b;

		TAILQ_FOREACH(b, &W.pha.pending, pending_link)
			if (b->tries > max_tries)
				max_tries = b->tries;
		run(10);
	}
	for (i = 0; i < 40; i++)
		TEST_ASSERT_EQUAL(W.b[i].state, HAVEN_DELEG_S_DELEGATED,
			"b%u after %u tries", i, W.b[i].tries);
	TEST_ASSERT(max_tries >= 2, "loss did cost retransmissions");
	TEST_ASSERT_EQUAL(W.sha.used, 40, "one entry each");
	TEST_ASSERT_EQUAL(count_sha_events(HAVEN_DELEG_EV_INSTALL), 40,
		"installed once each");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_DELEGATED), 40,
		"DELEGATED once each");
	TEST_ASSERT(W.sha.stats.duplicates > 0, "duplicates acked");
	for (i = 0; i < 40; i++)
		haven_deleg_pha_undelegate(&W.pha, &W.b[i], 0, W.now);
	run(9000);
	TEST_ASSERT_EQUAL(W.sha.used, 0, "all removed");
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_STOPPED), 40,
		"STOPPED once each");

	/* The network duplicates a START: refused as replayed. */
	setup(SHA_CAPACITY);
	make6(0);
	W.hold = true;
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	W.q[1] = W.q[0];
	W.qn = 2;
	W.hold = false;
	TEST_ASSERT_EQUAL(deliver(&W.q[0]), 0, "START");
	TEST_ASSERT_EQUAL(deliver(&W.q[1]), -EALREADY, "same bytes twice");
	W.qn = 0;	/* its ack lost */
	run(200);	/* retransmission: a duplicate generation */
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_DELEGATED, "delegated");
	TEST_ASSERT_EQUAL(W.sha.stats.duplicates, 1, "one duplicate");
	TEST_ASSERT_EQUAL(count_sha_events(HAVEN_DELEG_EV_INSTALL), 1,
		"installed once");
	return 0;
}

/* A START overtaken by its STOP leaves an IPv6 orphan: lookup6 ends it. */
static int
test_flow6_orphan(void)
{
	struct dgram start;

	setup(SHA_CAPACITY);
	make6(0);
	W.hold = true;
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	haven_deleg_pha_undelegate(&W.pha, &W.b[0], 0, W.now);
	start = W.q[0];
	W.q[0] = W.q[1];
	W.qn = 1;
	W.hold = false;
	flush();
	TEST_ASSERT_EQUAL(deliver(&start), 0, "late START");
	TEST_ASSERT_EQUAL(W.sha.used, 1, "orphan installed");
	flush();
	run(20);
	TEST_ASSERT_EQUAL(W.sha.used, 0, "orphan stopped");
	TEST_ASSERT_EQUAL(W.pha_peers[0].stats.orphans, 1, "counted");

	/* Without lookup6: matched by a walk, orphans are left to expire. */
	setup(SHA_CAPACITY);
	W.pha_ops.lookup6 = NULL;
	make6(0);
	make6(1);
	haven_deleg_pha_delegate(&W.pha, &W.b[1], &W.pha_peers[0], W.now);
	W.hold = true;
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	haven_deleg_pha_undelegate(&W.pha, &W.b[0], 0, W.now);
	start = W.q[1];
	W.q[1] = W.q[2];
	W.qn = 2;
	W.hold = false;
	flush();
	deliver(&start);
	flush();
	sha_find6_of(1)->packets = 77;
	run(1000);
	TEST_ASSERT_EQUAL(W.b[1].reported_packets, 77, "matched by walk");
	TEST_ASSERT_EQUAL(W.sha.used, 2, "orphan left to its duration");
	TEST_ASSERT_EQUAL(W.pha_peers[0].stats.orphans, 0, "none counted");
	return 0;
}

/*
 * 192.0.2.10, ::192.0.2.10 and c000:20a:: (the same octets at either end
 * of an IPv6 address) are three bindings: three SHA entries, acks and
 * report entries matched in their own family, one stopped alone.
 */
static int
test_same_octets_coexist(void)
{
	struct haven_deleg_msg m;
	unsigned int i, n4 = 0, n6 = 0;

	setup(SHA_CAPACITY);
	/* b[0] IPv4 192.0.2.10 (from setup); b[1], b[2] IPv6. */
	make6(1);
	memset(W.b[1].info.home_addr6, 0, 16);
	memcpy(W.b[1].info.home_addr6 + 12, &W.b[0].info.home_addr, 4);
	make6(2);
	memset(W.b[2].info.home_addr6, 0, 16);
	memcpy(W.b[2].info.home_addr6, &W.b[0].info.home_addr, 4);
	for (i = 0; i < 3; i++)
		TEST_ASSERT_EQUAL(haven_deleg_pha_delegate(&W.pha, &W.b[i],
			&W.pha_peers[0], W.now), 0, "delegate %u", i);
	flush();
	for (i = 0; i < 3; i++)
		TEST_ASSERT_EQUAL(W.b[i].state, HAVEN_DELEG_S_DELEGATED,
			"b%u delegated", i);
	TEST_ASSERT_EQUAL(W.sha.used, 3, "three entries");
	TEST_ASSERT(haven_deleg_sha_find(&W.sha, W.b[0].info.home_addr) !=
		NULL, "IPv4 found");
	TEST_ASSERT(haven_deleg_sha_find(&W.sha, W.b[0].info.home_addr) !=
		sha_find6_of(1), "not the IPv6 one");
	TEST_ASSERT(sha_find6_of(1) != NULL && sha_find6_of(2) != NULL &&
		sha_find6_of(1) != sha_find6_of(2), "two IPv6 entries");
	TEST_ASSERT_EQUAL(haven_deleg_sha_find(&W.sha,
		W.b[0].info.home_addr)->info.family, 0, "IPv4 entry family");

	/* Reports: one Family 4 part, one Family 6 part, of two parts. */
	haven_deleg_sha_find(&W.sha, W.b[0].info.home_addr)->packets = 40;
	sha_find6_of(1)->packets = 61;
	sha_find6_of(2)->packets = 62;
	W.hold = true;
	W.qn = 0;
	run(10)	/* the first report round */;
	TEST_ASSERT_EQUAL(W.qn, 2, "two parts");
	for (i = 0; i < 2; i++) {
		TEST_ASSERT_EQUAL(haven_deleg_decode(W.q[i].b, W.q[i].len,
			KEY, sizeof(KEY) - 1, &m, NULL, 0), 0, "decodes");
		TEST_ASSERT_EQUAL(m.u.report.part, i, "part %u", i);
		TEST_ASSERT_EQUAL(m.u.report.parts, 2, "of two");
		TEST_ASSERT_EQUAL(m.u.report.load, 3, "load of both");
		TEST_ASSERT_EQUAL(m.u.report.packets, 163, "total of both");
		if (m.family == 6)
			n6 += m.u.report.n_entries;
		else
			n4 += m.u.report.n_entries;
	}
	TEST_ASSERT(n4 == 1 && n6 == 2, "entries by family %u %u", n4, n6);
	W.hold = false;
	flush();
	TEST_ASSERT_EQUAL(W.b[0].reported_packets, 40, "IPv4 counted");
	TEST_ASSERT_EQUAL(W.b[1].reported_packets, 61, "::192.0.2.10");
	TEST_ASSERT_EQUAL(W.b[2].reported_packets, 62, "c000:20a::");
	TEST_ASSERT_EQUAL(W.pha_peers[0].stats.orphans, 0, "no orphans");

	/* Stop the IPv4 one: both IPv6 ones stay. */
	haven_deleg_pha_undelegate(&W.pha, &W.b[0], 0, W.now);
	flush();
	TEST_ASSERT(haven_deleg_sha_find(&W.sha, W.b[0].info.home_addr) ==
		NULL, "IPv4 gone");
	TEST_ASSERT(sha_find6_of(1) != NULL && sha_find6_of(2) != NULL,
		"IPv6 stay");
	TEST_ASSERT_EQUAL(W.b[1].state, HAVEN_DELEG_S_DELEGATED, "b1");
	/* An IPv4 ack cannot close an IPv6 transaction of the same txn. */
	W.hold = true;
	W.qn = 0;
	haven_deleg_pha_undelegate(&W.pha, &W.b[1], 0, W.now);
	memset(&m, 0, sizeof(m));
	m.type = HAVEN_DELEG_STOP_ACK;
	m.txn = W.b[1].txn;
	m.u.ack.home_addr = W.b[0].info.home_addr;
	{
		uint8_t buf[HAVEN_DELEG_MAX_MSG];
		/* The SHA's next number, so its own stream stays fresh. */
		size_t len = craft(&m, SHA_ID, PHA_ID,
			++W.sha_primaries[0].tx_seq, KEY, sizeof(KEY) - 1,
			buf);

		TEST_ASSERT_EQUAL(haven_deleg_pha_input(&W.pha, SHA_ADDR, buf,
			len, W.now), -ESRCH, "family mismatch");
	}
	TEST_ASSERT_EQUAL(W.b[1].state, HAVEN_DELEG_S_STOPPING, "open");
	W.hold = false;
	flush();
	TEST_ASSERT_EQUAL(W.b[1].state, HAVEN_DELEG_S_LOCAL, "stopped");
	TEST_ASSERT(sha_find6_of(1) == NULL && sha_find6_of(2) != NULL,
		"only ::192.0.2.10 removed");
	return 0;
}

/* Report parts across families: 50 IPv4 + 40 IPv6, and 48 + 10. */
static int
test_report_parts6(void)
{
	static const struct {
		unsigned int n4, n6, parts;
		unsigned int fam[4], entries[4];
	} cases[] = {
		{ 50, 40, 4, { 4, 4, 6, 6 }, { 48, 2, 36, 4 } },
		{ 48, 10, 2, { 4, 6 }, { 48, 10 } },
		{ 0, 72, 2, { 6, 6 }, { 36, 36 } },
		{ 0, 0, 1, { 4 }, { 0 } },
	};
	struct haven_deleg_msg m;
	unsigned int c, i, k;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		setup(SHA_CAPACITY);
		for (i = 0; i < cases[c].n4 + cases[c].n6; i++) {
			if (i >= cases[c].n4)
				make6(i);
			haven_deleg_pha_delegate(&W.pha, &W.b[i],
				&W.pha_peers[0], W.now);
		}
		flush();
		W.hold = true;
		W.qn = 0;
		run(10)	/* the first report round */;
		TEST_ASSERT_EQUAL(W.qn, cases[c].parts, "case %u parts", c);
		for (k = 0; k < W.qn; k++) {
			TEST_ASSERT_EQUAL(haven_deleg_decode(W.q[k].b,
				W.q[k].len, KEY, sizeof(KEY) - 1, &m, NULL, 0),
				0, "decodes");
			TEST_ASSERT_EQUAL(m.type, HAVEN_DELEG_REPORT, "report");
			TEST_ASSERT_EQUAL(m.u.report.part, k, "case %u part",
				c);
			TEST_ASSERT_EQUAL(m.u.report.parts, cases[c].parts,
				"case %u parts field", c);
			TEST_ASSERT_EQUAL(W.q[k].b[24], cases[c].fam[k],
				"case %u part %u family", c, k);
			TEST_ASSERT_EQUAL(m.u.report.n_entries,
				cases[c].entries[k], "case %u part %u entries",
				c, k);
			TEST_ASSERT(W.q[k].len <= HAVEN_DELEG_MAX_MSG, "size");
		}
		W.hold = false;
		flush();
		TEST_ASSERT_EQUAL(W.pha_peers[0].stats.orphans, 0,
			"case %u: no orphans", c);
		TEST_ASSERT(W.pha_peers[0].alive, "alive");
	}
	return 0;
}

/* An SHA that restarts loses IPv6 bindings too: taken back. */
static int
test_sha_restart6(void)
{
	setup(SHA_CAPACITY);
	make6(0);
	haven_deleg_pha_delegate(&W.pha, &W.b[0], &W.pha_peers[0], W.now);
	run(1000);
	haven_deleg_sha_init(&W.sha, SHA_ID, W.sha_primaries, 2, W.entries,
		W.index, SHA_CAPACITY, 1000, &W.sha_ops, NULL, W.now,
		SEQ_BASE_SHA + 5000000000ull);
	W.sha.ipv6 = true;
	W.npev = 0;
	run(1000);
	TEST_ASSERT_EQUAL(count_pha_events(HAVEN_DELEG_EV_TAKEN_BACK), 1,
		"taken back");
	TEST_ASSERT_EQUAL(W.b[0].state, HAVEN_DELEG_S_LOCAL, "local");
	return 0;
}

/* The index with IPv6 keys: many inserts and deletes. */
static int
test_sha_index6(void)
{
	unsigned int i, round;

	setup(SHA_CAPACITY);
	for (i = 0; i < N_BINDINGS; i++)
		if (i % 3 != 0)
			make6(i);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < N_BINDINGS; i++)
			haven_deleg_pha_delegate(&W.pha, &W.b[i],
				&W.pha_peers[0], W.now);
		flush();
		TEST_ASSERT_EQUAL(W.sha.used, N_BINDINGS, "all");
		for (i = round % 2; i < N_BINDINGS; i += 2)
			haven_deleg_pha_undelegate(&W.pha, &W.b[i], 0, W.now);
		flush();
		for (i = 0; i < N_BINDINGS; i++) {
			bool want = (i % 2) != (round % 2);
			bool have = i % 3 == 0 ?
				haven_deleg_sha_find(&W.sha,
					W.b[i].info.home_addr) != NULL :
				sha_find6_of(i) != NULL;

			TEST_ASSERT_EQUAL(have, want, "round %u b%u", round, i);
		}
		for (i = 0; i < N_BINDINGS; i++)
			haven_deleg_pha_undelegate(&W.pha, &W.b[i], 0, W.now);
		flush();
		TEST_ASSERT_EQUAL(W.sha.used, 0, "empty");
	}
	TEST_ASSERT(haven_deleg_sha_find6(&W.sha, NULL) == NULL, "NULL");
	return 0;
}

static int
test_names(void)
{
	TEST_ASSERT(strcmp(haven_deleg_state_name(HAVEN_DELEG_S_UPDATING),
		"updating") == 0, "state");
	TEST_ASSERT(strcmp(haven_deleg_status_name(HAVEN_DELEG_NO_ANSWER),
		"NO_ANSWER") == 0, "status");
	TEST_ASSERT(strcmp(haven_deleg_type_name(HAVEN_DELEG_STOP_ACK),
		"STOP_ACK") == 0, "type");
	TEST_ASSERT(strcmp(haven_deleg_type_name(99), "?") == 0, "unknown");
	return 0;
}

int
main(void)
{
	int passed = 0, failed = 0;

	TEST_RUN(test_codec_roundtrip);
	TEST_RUN(test_codec_malformed);
	TEST_RUN(test_hmac_any_bit);
	TEST_RUN(test_forged_changes_nothing);
	TEST_RUN(test_replay_window);
	TEST_RUN(test_replay_input);
	TEST_RUN(test_delegate_and_stop);
	TEST_RUN(test_delegate_under_loss);
	TEST_RUN(test_duplicate_start);
	TEST_RUN(test_coa_update);
	TEST_RUN(test_duration_expiry);
	TEST_RUN(test_peer_death);
	TEST_RUN(test_removed_peer);
	TEST_RUN(test_refusals);
	TEST_RUN(test_give_up);
	TEST_RUN(test_misaddressed);
	TEST_RUN(test_stale_and_other_primary);
	TEST_RUN(test_cancel_and_orphan);
	TEST_RUN(test_report_parts);
	TEST_RUN(test_sha_restart);
	TEST_RUN(test_pha_restart_adopt);
	TEST_RUN(test_reentrancy);
	TEST_RUN(test_sha_index);
	TEST_RUN(test_names);
	TEST_RUN(test_ipv4_bytes_unchanged);
	TEST_RUN(test_codec_roundtrip6);
	TEST_RUN(test_codec_malformed6);
	TEST_RUN(test_hmac_any_bit6);
	TEST_RUN(test_flow6_delegate_update_stop);
	TEST_RUN(test_flow6_expiry_and_death);
	TEST_RUN(test_flow6_loss_and_duplicates);
	TEST_RUN(test_flow6_orphan);
	TEST_RUN(test_same_octets_coexist);
	TEST_RUN(test_report_parts6);
	TEST_RUN(test_sha_restart6);
	TEST_RUN(test_sha_index6);
	TEST_SUMMARY();
}
