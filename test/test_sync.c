/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the state synchronisation protocol (lib/sync).
 *
 * Two primaries, A and B, each with a real store (lib/store on LMDB, in a
 * temporary directory) and a sync context, joined by a fake network (a
 * queue of datagrams that can drop, duplicate, delay and so reorder them)
 * and a fake millisecond clock, wired as the application will wire them:
 * the store's observer hands every change to haven_sync_change(), the
 * active's scan is haven_store_scan(), the standby's apply writes into its
 * store. A test ends by comparing the two stores record by record (a
 * SHA-256 over every key and value in key order, and the counts).
 *
 * The codec is checked first: every type round trips, one HEARTBEAT is
 * pinned to bytes written from the document (its MAC computed here with
 * OpenSSL), every malformed case is refused with its reason, and a flipped
 * bit anywhere fails authentication. Then the protocol: the handshake, a
 * live stream, a bulk resync of 1,000,000 records into a standby full of
 * stale records while live changes land on both sides of the bulk's
 * cursor under loss, duplication and reordering; heavy loss; forged,
 * misdirected and replayed datagrams that change nothing; restarts, dead
 * peers, a switchover, two actives, and a standby that falls behind.
 */

#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <endian.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "haven_store.h"
#include "haven_sync.h"
#include "test.h"

static const uint8_t KEY[] = "haven pair key: active/standby 0123456789";
#define KEY_LEN (sizeof(KEY) - 1)
#define ID_A 1
#define ID_B 2
#define STEP_MS 1
#define IDENTITY "ha 192.0.2.1"

static char tmp_root[] = "/tmp/test_sync.XXXXXX";
static unsigned int dir_no;

/* ------------------------------------------------------------------ */
/* The world                                                          */
/* ------------------------------------------------------------------ */

struct dgram {
	int to;			/* node index */
	uint64_t at_ms;		/* delivery time */
	size_t len;
	uint8_t b[HAVEN_SYNC_MAX_MSG];
};

struct node {
	const char *name;
	struct haven_addr addr;
	struct haven_store *store;
	struct haven_sync *sync;
	int events[6];
	uint64_t last_down_reason;
	int last_input;
	uint64_t boot;
	char path[128];
};

#define MAX_QUEUE 200000
#define MAX_CAPTURE 20000

static struct {
	struct node n[2];
	uint64_t now;
	struct dgram *q;	/* in flight */
	size_t nq;
	unsigned int loss_pct, dup_pct, max_delay;
	bool cut[2];		/* datagrams to node i are dropped */
	bool frozen[2];		/* node i neither ticks nor receives */
	struct dgram *cap;	/* captured, for replays */
	size_t ncap;
	bool capture;
	uint64_t sent, lost, duplicated;
} w;

/*
 * TEST_SYNC_PCAP=<file>: every datagram sent is also written to a pcap
 * (Ethernet, IPv4 192.0.2.2 <-> 192.0.2.3, UDP 4435), so that the
 * Wireshark dissector can be checked against what lib/sync really sends
 * (dts/TestSuite_sync_dissector.py).
 */
static FILE *pcap;

static void
pcap_open(void)
{
	const char *path = getenv("TEST_SYNC_PCAP");
	const uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };

	if (path == NULL || (pcap = fopen(path, "wb")) == NULL)
		return;
	fwrite(hdr, sizeof(hdr), 1, pcap);
}

static void
pcap_write(int from, const uint8_t *msg, size_t len)
{
	uint8_t f[14 + 20 + 8];
	uint32_t rec[4];
	uint32_t sum = 0;
	unsigned int i;

	if (pcap == NULL)
		return;
	memset(f, 0, sizeof(f));
	memcpy(f, "\x02\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00",
		12);
	f[5] = (uint8_t)(3 - from);
	f[11] = (uint8_t)(2 + from);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)((20 + 8 + len) >> 8);
	f[17] = (uint8_t)(20 + 8 + len);
	f[22] = 64;
	f[23] = 17;
	memcpy(f + 26, from == 0 ? "\xc0\x00\x02\x02" : "\xc0\x00\x02\x03", 4);
	memcpy(f + 30, from == 0 ? "\xc0\x00\x02\x03" : "\xc0\x00\x02\x02", 4);
	for (i = 14; i < 34; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = (uint8_t)(~sum >> 8);
	f[25] = (uint8_t)~sum;
	f[34] = HAVEN_SYNC_PORT >> 8;
	f[35] = HAVEN_SYNC_PORT & 0xff;
	f[36] = HAVEN_SYNC_PORT >> 8;
	f[37] = HAVEN_SYNC_PORT & 0xff;
	f[38] = (uint8_t)((8 + len) >> 8);
	f[39] = (uint8_t)(8 + len);
	rec[0] = (uint32_t)(w.now / 1000);
	rec[1] = (uint32_t)(w.now % 1000) * 1000;
	rec[2] = rec[3] = (uint32_t)(sizeof(f) + len);
	fwrite(rec, sizeof(rec), 1, pcap);
	fwrite(f, sizeof(f), 1, pcap);
	fwrite(msg, len, 1, pcap);
}

static int
node_index(void *ctx)
{
	return (struct node *)ctx == &w.n[0] ? 0 : 1;
}

static void
net_send(void *ctx, const uint8_t *msg, size_t len)
{
	int from = node_index(ctx);
	unsigned int copies = 1, c;

	w.sent++;
	pcap_write(from, msg, len);
	if (w.capture && w.ncap < MAX_CAPTURE) {
		w.cap[w.ncap].to = 1 - from;
		w.cap[w.ncap].len = len;
		memcpy(w.cap[w.ncap].b, msg, len);
		w.ncap++;
	}
	if (w.loss_pct > 0 && (unsigned int)(rand() % 100) < w.loss_pct) {
		w.lost++;
		return;
	}
	if (w.dup_pct > 0 && (unsigned int)(rand() % 100) < w.dup_pct) {
		copies = 2;
		w.duplicated++;
	}
	for (c = 0; c < copies && w.nq < MAX_QUEUE; c++) {
		struct dgram *d = &w.q[w.nq++];

		d->to = 1 - from;
		d->at_ms = w.now + 1 + (w.max_delay > 0 ?
			(uint64_t)(rand() % (w.max_delay + 1)) : 0);
		d->len = len;
		memcpy(d->b, msg, len);
	}
}

static int
store_scan(void *ctx, const uint8_t *after, size_t after_len,
	unsigned int max, haven_sync_scan_cb cb, void *cb_ctx)
{
	struct node *n = ctx;

	return haven_store_scan(n->store, after, after_len, max, cb, cb_ctx);
}

static int
store_apply(void *ctx, int op, const uint8_t *key, size_t klen,
	const uint8_t *val, size_t vlen)
{
	struct node *n = ctx;

	switch (op) {
	case HAVEN_SYNC_OP_PUT:
		return haven_store_put_raw(n->store, key, klen, val, vlen,
			NULL, 0);
	case HAVEN_SYNC_OP_DELETE:
		return haven_store_delete_raw(n->store, key, klen);
	case HAVEN_SYNC_OP_DELETE_RANGE:
		return haven_store_delete_range(n->store, key, klen, val, vlen);
	}
	return -EINVAL;
}

static void
on_event(void *ctx, int ev, uint64_t arg)
{
	struct node *n = ctx;

	n->events[ev]++;
	if (ev == HAVEN_SYNC_EV_SESSION_DOWN)
		n->last_down_reason = arg;
}

static uint64_t
store_count(void *ctx)
{
	struct node *n = ctx;
	struct haven_store_stats st;

	haven_store_stats_get(n->store, &st);
	return st.entries;
}

static const struct haven_sync_ops sync_ops = {
	.send = net_send,
	.scan = store_scan,
	.apply = store_apply,
	.event = on_event,
	.count = store_count,
};

/* The store's observer: every change of the active goes to its sync. */
static void
observer(void *ctx, int op, const uint8_t *key, size_t klen,
	const uint8_t *val, size_t vlen)
{
	struct node *n = ctx;

	if (op == HAVEN_STORE_OP_PUT || op == HAVEN_STORE_OP_DELETE)
		haven_sync_change(n->sync, op, key, klen, val, vlen);
}

static int
make_sync(int i)
{
	struct node *n = &w.n[i];
	struct haven_sync_params p = {
		.self_id = i == 0 ? ID_A : ID_B,
		.peer_id = i == 0 ? ID_B : ID_A,
		.peer_addr = w.n[1 - i].addr,
		.key = KEY,
		.key_len = KEY_LEN,
		.seq_base = 1704067200000000ull + w.now * 1000 + (uint64_t)i,
		.boot_id = (uint32_t)++n->boot,
		.ops = &sync_ops,
		.ctx = n,
	};

	n->sync = haven_sync_create(&p, w.now);
	return n->sync != NULL ? 0 : -1;
}

static int
open_node(int i)
{
	struct node *n = &w.n[i];
	struct haven_store_params p = {
		.path = n->path,
		.sync = HAVEN_STORE_SYNC_NONE,
		.identity = IDENTITY,
		.max_batch = 65536,
		.map_size = 2048ull << 20,
	};
	char err[512];

	n->store = haven_store_open(&p, err, sizeof(err));
	if (n->store == NULL) {
		fprintf(stderr, "open %s: %s\n", n->path, err);
		return -1;
	}
	haven_store_set_observer(n->store, observer, n);
	return 0;
}

static int
world_up(void)
{
	int i;

	free(w.q);
	free(w.cap);
	memset(&w, 0, sizeof(w));
	w.q = malloc(sizeof(*w.q) * MAX_QUEUE);
	w.cap = malloc(sizeof(*w.cap) * MAX_CAPTURE);
	if (w.q == NULL || w.cap == NULL)
		return -1;
	w.now = 1000;
	for (i = 0; i < 2; i++) {
		struct node *n = &w.n[i];

		n->name = i == 0 ? "A" : "B";
		haven_addr_parse(i == 0 ? "192.0.2.2" : "192.0.2.3", &n->addr);
		snprintf(n->path, sizeof(n->path), "%s/n%u", tmp_root,
			++dir_no);
	}
	for (i = 0; i < 2; i++)
		if (open_node(i) < 0 || make_sync(i) < 0)
			return -1;
	return 0;
}

static void
world_down(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		haven_sync_free(w.n[i].sync);
		haven_store_close(w.n[i].store);
		w.n[i].sync = NULL;
		w.n[i].store = NULL;
	}
}

/* One millisecond: deliver what is due, commit, tick. */
static void
step(void)
{
	size_t i, j = 0;
	int k;

	w.now += STEP_MS;
	for (i = 0; i < w.nq; i++) {
		struct dgram *d = &w.q[i];

		if (d->at_ms > w.now) {
			if (j != i)
				w.q[j] = *d;
			j++;
			continue;
		}
		if (w.cut[d->to] || w.frozen[d->to])
			continue;
		w.n[d->to].last_input = haven_sync_input(w.n[d->to].sync,
			&w.n[1 - d->to].addr, d->b, d->len, w.now);
	}
	w.nq = j;
	for (k = 0; k < 2; k++) {
		if (w.frozen[k])
			continue;
		haven_store_tick(w.n[k].store);
		haven_sync_tick(w.n[k].sync, w.now);
	}
}

static void
run_ms(uint64_t ms)
{
	uint64_t end = w.now + ms;

	while (w.now < end)
		step();
}

/* Run until both are in sync and nothing is queued, or give up. */
static bool
settle(uint64_t max_ms)
{
	struct haven_sync_stats a;
	uint64_t end = w.now + max_ms;

	while (w.now < end) {
		step();
		haven_sync_stats_get(w.n[0].sync, &a);
		if (haven_sync_state(w.n[0].sync) == HAVEN_SYNC_S_IN_SYNC &&
		    haven_sync_state(w.n[1].sync) == HAVEN_SYNC_S_IN_SYNC &&
		    a.queued == 0 && w.nq == 0) {
			run_ms(20);	/* delayed acks, the last commits */
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Store contents                                                     */
/* ------------------------------------------------------------------ */

struct digest {
	EVP_MD_CTX *md;
	uint64_t n;
};

static int
digest_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
	size_t vlen)
{
	struct digest *d = ctx;
	uint8_t l[3] = { (uint8_t)klen, (uint8_t)(vlen >> 8), (uint8_t)vlen };

	EVP_DigestUpdate(d->md, l, 3);
	EVP_DigestUpdate(d->md, key, klen);
	EVP_DigestUpdate(d->md, val, vlen);
	d->n++;
	return 0;
}

/* SHA-256 of every record in key order; returns the count. */
static uint64_t
store_digest(struct haven_store *s, uint8_t out[32])
{
	struct digest d = { EVP_MD_CTX_new(), 0 };
	unsigned int len;
	int n;

	EVP_DigestInit_ex(d.md, EVP_sha256(), NULL);
	n = haven_store_scan(s, NULL, 0, UINT32_MAX, digest_cb, &d);
	EVP_DigestFinal_ex(d.md, out, &len);
	EVP_MD_CTX_free(d.md);
	return n < 0 ? UINT64_MAX : d.n;
}

static int
same_stores(void)
{
	uint8_t a[32], b[32];
	uint64_t na, nb;

	na = store_digest(w.n[0].store, a);
	nb = store_digest(w.n[1].store, b);
	TEST_ASSERT_EQUAL(na, nb, "record counts");
	TEST_ASSERT(memcmp(a, b, 32) == 0, "stores differ (%llu records)",
		(unsigned long long)na);
	return 0;
}

static struct haven_store_record
binding(uint32_t i, uint32_t stamp)
{
	struct haven_store_record r;
	struct haven_store_binding *b = &r.u.binding;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_BINDING;
	b->home = haven_addr4(htonl(0x0a000000u + i));
	b->n_coa = 1;
	b->encap = HAVEN_STORE_ENCAP_IPIP;
	b->coa[0].addr = haven_addr4(htonl(0xc6336400u + (i % 250) + 1));
	b->coa[0].lifetime_s = 1800;
	b->coa[0].expires_ms = 1704067200000ull + stamp;
	b->registered_ms = stamp;
	return r;
}

static struct haven_store_record
binding6(uint32_t i, uint32_t stamp)
{
	struct haven_store_record r;
	struct haven_store_binding *b = &r.u.binding;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_BINDING;
	haven_addr_parse("2001:db8:1::", &b->home);
	b->home.v6[12] = (uint8_t)(i >> 24);
	b->home.v6[13] = (uint8_t)(i >> 16);
	b->home.v6[14] = (uint8_t)(i >> 8);
	b->home.v6[15] = (uint8_t)i | 1;
	b->n_coa = 1;
	b->encap = HAVEN_STORE_ENCAP_IP6IP6;
	haven_addr_parse("2001:db8:2::7", &b->coa[0].addr);
	b->coa[0].lifetime_s = 3600;
	b->registered_ms = stamp;
	return r;
}

static struct haven_store_record
replay(uint32_t i, uint64_t id)
{
	struct haven_store_record r;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_REPLAY;
	r.u.replay.home = haven_addr4(htonl(0x0a000000u + i));
	r.u.replay.flags = HAVEN_STORE_R_MIP4_ID;
	r.u.replay.mip4_id = id;
	return r;
}

static struct haven_store_record
deleg(uint32_t id, uint32_t gen)
{
	struct haven_store_record r;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_DELEG;
	r.u.deleg.secondary_id = id;
	snprintf(r.u.deleg.name, sizeof(r.u.deleg.name), "sha%u", id);
	haven_addr_parse("192.0.2.21", &r.u.deleg.addr);
	r.u.deleg.generation = gen;
	return r;
}

/* Fill a store with n IPv4 bindings 1..n, committing as it goes. */
static void
fill(struct haven_store *s, uint32_t first, uint32_t n, uint32_t stamp)
{
	struct haven_store_record r;
	uint32_t i;

	for (i = 0; i < n; i++) {
		r = binding(first + i, stamp);
		haven_store_put(s, &r);
		if (i % 50000 == 49999)
			haven_store_tick(s);
	}
	haven_store_tick(s);
}

/* A on the left of the roles: active A, standby B. */
static void
roles_ab(void)
{
	haven_sync_set_role(w.n[0].sync, HAVEN_SYNC_ROLE_ACTIVE, w.now);
	haven_sync_set_role(w.n[1].sync, HAVEN_SYNC_ROLE_STANDBY, w.now);
}

/* ------------------------------------------------------------------ */
/* Codec                                                              */
/* ------------------------------------------------------------------ */

static int
encode_decode(const struct haven_sync_msg *m, struct haven_sync_msg *out,
	uint8_t *buf, int *len)
{
	char err[160];

	*len = haven_sync_encode(m, KEY, KEY_LEN, buf, HAVEN_SYNC_MAX_MSG);
	TEST_ASSERT(*len > 0, "encode %s", haven_sync_type_name(m->type));
	TEST_ASSERT_EQUAL(haven_sync_decode(buf, (size_t)*len, KEY, KEY_LEN,
		out, err, sizeof(err)), 0, "decode %s: %s",
		haven_sync_type_name(m->type), err);
	TEST_ASSERT_EQUAL(out->type, m->type, "type");
	TEST_ASSERT(out->seq == m->seq && out->session == m->session &&
		out->sender_id == m->sender_id &&
		out->receiver_id == m->receiver_id, "header");
	return 0;
}

static int
test_codec_round_trips(void)
{
	uint8_t buf[HAVEN_SYNC_MAX_MSG], ops[1400], k1[6], k2[6], lo[6];
	struct haven_sync_msg m, o;
	struct haven_sync_op op;
	size_t ops_len = 0, off = 0;
	int len, i;

	memset(&m, 0, sizeof(m));
	m.sender_id = ID_A;
	m.receiver_id = ID_B;
	m.seq = 0x0102030405060708ull;
	m.session = 0x1122334455667788ull;

	m.type = HAVEN_SYNC_SESSION;
	m.u.session.nonce = 99;
	m.u.session.boot_id = 7;
	m.u.session.window = 256;
	m.u.session.records = 1000000;
	if (encode_decode(&m, &o, buf, &len) < 0)
		return -1;
	TEST_ASSERT(o.u.session.nonce == 99 && o.u.session.boot_id == 7 &&
		o.u.session.window == 256 && o.u.session.records == 1000000,
		"SESSION");
	TEST_ASSERT_EQUAL(len, 28 + 24 + 32, "SESSION length");

	m.type = HAVEN_SYNC_ACK;
	m.u.ack.acked = 12345;
	m.u.ack.flags = HAVEN_SYNC_F_GAP;
	if (encode_decode(&m, &o, buf, &len) < 0)
		return -1;
	TEST_ASSERT(o.u.ack.acked == 12345 && o.u.ack.flags == 1, "ACK");

	m.type = HAVEN_SYNC_BYE;
	m.u.bye.reason = HAVEN_SYNC_R_OVERFLOW;
	if (encode_decode(&m, &o, buf, &len) < 0)
		return -1;
	TEST_ASSERT_EQUAL(o.u.bye.reason, HAVEN_SYNC_R_OVERFLOW, "BYE");

	m.type = HAVEN_SYNC_HELLO;
	m.session = 0;
	m.u.hello.nonce = 0xfedcba9876543210ull;
	m.u.hello.boot_id = 3;
	if (encode_decode(&m, &o, buf, &len) < 0)
		return -1;
	TEST_ASSERT(o.u.hello.nonce == 0xfedcba9876543210ull, "HELLO");

	/* a live RECORDS: a put and a delete */
	m.type = HAVEN_SYNC_RECORDS;
	m.session = 5;
	memset(&m.u, 0, sizeof(m.u));
	memcpy(k1, "\x01\x04\xc0\x00\x02\x0a", 6);
	memcpy(k2, "\x01\x04\xc0\x00\x02\x0b", 6);
	op = (struct haven_sync_op){ HAVEN_SYNC_OP_PUT, 6, 3, k1,
		(const uint8_t *)"abc" };
	TEST_ASSERT_EQUAL(haven_sync_op_append(ops, sizeof(ops), &ops_len,
		&op), 0, "append");
	op = (struct haven_sync_op){ HAVEN_SYNC_OP_DELETE, 6, 0, k2, NULL };
	TEST_ASSERT_EQUAL(haven_sync_op_append(ops, sizeof(ops), &ops_len,
		&op), 0, "append");
	m.u.records.stream_seq = 1;
	m.u.records.n_ops = 2;
	m.u.records.ops = ops;
	m.u.records.ops_len = ops_len;
	if (encode_decode(&m, &o, buf, &len) < 0)
		return -1;
	TEST_ASSERT(haven_sync_op_next(&o, &off, &op) == 1 &&
		op.op == HAVEN_SYNC_OP_PUT && op.val_len == 3 &&
		memcmp(op.val, "abc", 3) == 0, "op 1");
	TEST_ASSERT(haven_sync_op_next(&o, &off, &op) == 1 &&
		op.op == HAVEN_SYNC_OP_DELETE && memcmp(op.key, k2, 6) == 0,
		"op 2");
	TEST_ASSERT_EQUAL(haven_sync_op_next(&o, &off, &op), 0, "end");

	/* a bulk slice (lo, hi] with keys inside */
	memcpy(lo, "\x01\x04\xc0\x00\x02\x09", 6);
	ops_len = 0;
	op = (struct haven_sync_op){ HAVEN_SYNC_OP_PUT, 6, 1, k1,
		(const uint8_t *)"x" };
	haven_sync_op_append(ops, sizeof(ops), &ops_len, &op);
	op.key = k2;
	haven_sync_op_append(ops, sizeof(ops), &ops_len, &op);
	m.u.records.flags = HAVEN_SYNC_F_BULK;
	m.u.records.lo = lo;
	m.u.records.lo_len = 6;
	m.u.records.hi = k2;
	m.u.records.hi_len = 6;
	m.u.records.ops_len = ops_len;
	if (encode_decode(&m, &o, buf, &len) < 0)
		return -1;
	TEST_ASSERT(o.u.records.lo_len == 6 && o.u.records.hi_len == 6 &&
		memcmp(o.u.records.hi, k2, 6) == 0, "range");

	/* every flipped bit fails the HMAC */
	for (i = 0; i < len * 8; i++) {
		char err[160];

		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		TEST_ASSERT(haven_sync_decode(buf, (size_t)len, KEY, KEY_LEN,
			&o, err, sizeof(err)) != 0, "bit %d", i);
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	TEST_ASSERT_EQUAL(haven_sync_decode(buf, (size_t)len,
		(const uint8_t *)"other", 5, &o, NULL, 0), -EACCES, "key");
	TEST_ASSERT_EQUAL(haven_sync_decode(buf, (size_t)len - 1, KEY,
		KEY_LEN, &o, NULL, 0), -EACCES, "truncated");
	return 0;
}

/* A HEARTBEAT written octet by octet from section 3, MAC by OpenSSL. */
static int
test_codec_pinned(void)
{
	static const uint8_t want[52] = {
		1, 5, 0, 24,				/* v1 HEARTBEAT, 24 */
		0, 0, 0, 1, 0, 0, 0, 2,			/* sender 1, rcvr 2 */
		0, 0x06, 0x0d, 0xd7, 0x10, 0x21, 0x20, 0x01,	/* seq */
		0, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe,	/* session */
		1, 3, 0, 0,				/* active, in-sync */
		0, 0, 0, 100,				/* interval 100 ms */
		0, 0, 0, 9,				/* boot id 9 */
		0, 0, 0, 0,				/* reserved */
		0, 0, 0, 0, 0, 0, 0x30, 0x39,		/* stream seq 12345 */
	};
	uint8_t buf[HAVEN_SYNC_MAX_MSG], mac[32];
	struct haven_sync_msg m;
	unsigned int mac_len = 0;
	int len;

	memset(&m, 0, sizeof(m));
	m.type = HAVEN_SYNC_HEARTBEAT;
	m.sender_id = 1;
	m.receiver_id = 2;
	m.seq = 1704067200000001ull;
	m.session = 0xcafebabeull;
	m.u.heartbeat.role = HAVEN_SYNC_ROLE_ACTIVE;
	m.u.heartbeat.state = HAVEN_SYNC_S_IN_SYNC;
	m.u.heartbeat.interval_ms = 100;
	m.u.heartbeat.boot_id = 9;
	m.u.heartbeat.stream_seq = 12345;
	len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
	TEST_ASSERT_EQUAL(len, 84, "length");
	TEST_ASSERT_MEM(buf, want, sizeof(want), "header and body");
	HMAC(EVP_sha256(), KEY, KEY_LEN, want, sizeof(want), mac, &mac_len);
	TEST_ASSERT_MEM(buf + 52, mac, 32, "HMAC-SHA256 over header and body");
	return 0;
}

/* Build, break one field, re-sign, decode: the reason. */
struct bad_case {
	uint8_t type;
	size_t off;		/* in the body; SIZE_MAX: header field */
	uint8_t value;
	const char *reason;
};

static int
resign_and_decode(uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct haven_sync_msg o;
	unsigned int mac_len;

	HMAC(EVP_sha256(), KEY, KEY_LEN, buf, len - 32, buf + len - 32,
		&mac_len);
	return haven_sync_decode(buf, len, KEY, KEY_LEN, &o, err, errlen);
}

static int
test_codec_refusals(void)
{
	static const struct bad_case cases[] = {
		{ HAVEN_SYNC_HELLO, 12, 1, "HELLO reserved" },
		{ HAVEN_SYNC_SESSION, 12, 0, "" },	/* window hi octet: ok */
		{ HAVEN_SYNC_ACK, 8, 2, "ACK flags" },
		{ HAVEN_SYNC_ACK, 10, 1, "ACK reserved" },
		{ HAVEN_SYNC_HEARTBEAT, 0, 3, "HEARTBEAT role 3" },
		{ HAVEN_SYNC_HEARTBEAT, 1, 4, "HEARTBEAT state 4" },
		{ HAVEN_SYNC_HEARTBEAT, 7, 0, "interval 0" },
		{ HAVEN_SYNC_BYE, 0, 4, "BYE reason 4" },
		{ HAVEN_SYNC_RECORDS, 8, 0x08, "RECORDS flags" },
		{ HAVEN_SYNC_RECORDS, 8, HAVEN_SYNC_F_BULK_LAST,
		  "live RECORDS message with a bulk" },
		{ HAVEN_SYNC_RECORDS, 11, 1, "RECORDS reserved" },
		{ HAVEN_SYNC_RECORDS, 13, 3, "runs past the body" },
		{ HAVEN_SYNC_RECORDS, 13, 0, "live RECORDS message without" },
		{ HAVEN_SYNC_RECORDS, 16, 7, "code 7" },
		{ HAVEN_SYNC_RECORDS, 17, 0, "key of 0 octets" },
		{ HAVEN_SYNC_RECORDS, 19, 0, "PUT value of 0 octets" },
		{ HAVEN_SYNC_RECORDS, 7, 0, "stream sequence 0" },
	};
	uint8_t buf[HAVEN_SYNC_MAX_MSG], ops[64];
	struct haven_sync_msg m;
	struct haven_sync_op op = { HAVEN_SYNC_OP_PUT, 6, 2,
		(const uint8_t *)"\x01\x04\xc0\x00\x02\x0a",
		(const uint8_t *)"vv" };
	size_t ops_len = 0;
	char err[160];
	unsigned int i;
	int len, rc;

	haven_sync_op_append(ops, sizeof(ops), &ops_len, &op);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];

		memset(&m, 0, sizeof(m));
		m.type = c->type;
		m.sender_id = 1;
		m.receiver_id = 2;
		m.seq = 10;
		m.session = c->type == HAVEN_SYNC_HELLO ? 0 : 77;
		m.u.hello.nonce = 5;	/* HELLO, SESSION: nonce */
		m.u.session.window = 1;
		m.u.heartbeat.interval_ms = 100;
		if (c->type == HAVEN_SYNC_HEARTBEAT) {
			memset(&m.u, 0, sizeof(m.u));
			m.u.heartbeat.interval_ms = 100;
		}
		if (c->type == HAVEN_SYNC_RECORDS) {
			m.u.records.stream_seq = 1;
			m.u.records.n_ops = 1;
			m.u.records.ops = ops;
			m.u.records.ops_len = ops_len;
		}
		len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
		TEST_ASSERT(len > 0, "case %u encodes", i);
		buf[28 + c->off] = c->value;
		rc = resign_and_decode(buf, (size_t)len, err, sizeof(err));
		if (c->reason[0] == '\0') {
			TEST_ASSERT_EQUAL(rc, 0, "case %u: %s", i, err);
			continue;
		}
		TEST_ASSERT_EQUAL(rc, -EBADMSG, "case %u (%s)", i, c->reason);
		TEST_ASSERT(strstr(err, c->reason) != NULL,
			"case %u: want \"%s\" in \"%s\"", i, c->reason, err);
	}

	/* header: body length, version, sequence 0, HELLO with a session */
	memset(&m, 0, sizeof(m));
	m.type = HAVEN_SYNC_BYE;
	m.seq = 1;
	len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
	buf[3] = 5;
	TEST_ASSERT_EQUAL(resign_and_decode(buf, (size_t)len, err,
		sizeof(err)), -EBADMSG, "body length");
	TEST_ASSERT(strstr(err, "body length 5") != NULL, "%s", err);
	buf[3] = 4;
	memset(buf + 12, 0, 8);
	TEST_ASSERT_EQUAL(resign_and_decode(buf, (size_t)len, err,
		sizeof(err)), -EBADMSG, "seq 0");
	buf[0] = 2;
	TEST_ASSERT_EQUAL(resign_and_decode(buf, (size_t)len, err,
		sizeof(err)), -EBADMSG, "version");
	TEST_ASSERT(strstr(err, "version 2") != NULL, "%s", err);

	/* bulk slices: keys outside, out of order, range reversed */
	{
		uint8_t lo[6], hi[6], k[6];
		struct haven_sync_op o2;

		memcpy(lo, "\x01\x04\xc0\x00\x02\x10", 6);
		memcpy(hi, "\x01\x04\xc0\x00\x02\x20", 6);
		memcpy(k, "\x01\x04\xc0\x00\x02\x30", 6);
		ops_len = 0;
		o2 = (struct haven_sync_op){ HAVEN_SYNC_OP_PUT, 6, 1, k,
			(const uint8_t *)"v" };
		haven_sync_op_append(ops, sizeof(ops), &ops_len, &o2);
		memset(&m, 0, sizeof(m));
		m.type = HAVEN_SYNC_RECORDS;
		m.seq = 1;
		m.session = 1;
		m.u.records.stream_seq = 1;
		m.u.records.flags = HAVEN_SYNC_F_BULK;
		m.u.records.lo = lo;
		m.u.records.lo_len = 6;
		m.u.records.hi = hi;
		m.u.records.hi_len = 6;
		m.u.records.n_ops = 1;
		m.u.records.ops = ops;
		m.u.records.ops_len = ops_len;
		len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
		TEST_ASSERT_EQUAL(resign_and_decode(buf, (size_t)len, err,
			sizeof(err)), -EBADMSG, "outside");
		TEST_ASSERT(strstr(err, "outside the slice") != NULL, "%s",
			err);
		m.u.records.hi = lo;
		m.u.records.lo = hi;
		len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
		TEST_ASSERT_EQUAL(resign_and_decode(buf, (size_t)len, err,
			sizeof(err)), -EBADMSG, "reversed");
		TEST_ASSERT(strstr(err, "ends before it starts") != NULL,
			"%s", err);
		m.u.records.flags = HAVEN_SYNC_F_BULK;
		m.u.records.hi_len = 0;
		len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
		TEST_ASSERT_EQUAL(resign_and_decode(buf, (size_t)len, err,
			sizeof(err)), -EBADMSG, "no end");
		TEST_ASSERT(strstr(err, "without an end key") != NULL, "%s",
			err);
		/* two keys in decreasing order */
		m.u.records.flags = HAVEN_SYNC_F_BULK |
			HAVEN_SYNC_F_BULK_FIRST | HAVEN_SYNC_F_BULK_LAST;
		m.u.records.lo_len = 0;
		ops_len = 0;
		o2.key = k;
		haven_sync_op_append(ops, sizeof(ops), &ops_len, &o2);
		o2.key = lo;
		haven_sync_op_append(ops, sizeof(ops), &ops_len, &o2);
		m.u.records.n_ops = 2;
		m.u.records.ops_len = ops_len;
		len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
		TEST_ASSERT_EQUAL(resign_and_decode(buf, (size_t)len, err,
			sizeof(err)), -EBADMSG, "order");
		TEST_ASSERT(strstr(err, "increasing order") != NULL, "%s",
			err);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The protocol                                                       */
/* ------------------------------------------------------------------ */

static int
test_handshake(void)
{
	struct haven_sync_stats a, b;

	TEST_ASSERT_EQUAL(world_up(), 0, "world");
	roles_ab();
	TEST_ASSERT_EQUAL(haven_sync_state(w.n[1].sync), HAVEN_SYNC_S_HELLO,
		"standby says HELLO at once");
	TEST_ASSERT(settle(1000), "in sync");
	haven_sync_stats_get(w.n[0].sync, &a);
	haven_sync_stats_get(w.n[1].sync, &b);
	TEST_ASSERT_EQUAL(b.tx[HAVEN_SYNC_HELLO], 1, "one HELLO");
	TEST_ASSERT_EQUAL(a.tx[HAVEN_SYNC_SESSION], 1, "one SESSION");
	TEST_ASSERT_EQUAL(a.tx[HAVEN_SYNC_RECORDS], 1,
		"an empty store is one slice, first and last");
	TEST_ASSERT_EQUAL(a.bulks_done, 1, "active: bulk done");
	TEST_ASSERT_EQUAL(b.bulks_done, 1, "standby: bulk done");
	TEST_ASSERT_EQUAL(w.n[0].events[HAVEN_SYNC_EV_SESSION_UP], 1, "A up");
	TEST_ASSERT_EQUAL(w.n[1].events[HAVEN_SYNC_EV_SESSION_UP], 1, "B up");
	TEST_ASSERT_EQUAL(w.n[0].events[HAVEN_SYNC_EV_BULK_DONE], 1, "A done");
	TEST_ASSERT_EQUAL(w.n[1].events[HAVEN_SYNC_EV_BULK_DONE], 1, "B done");
	TEST_ASSERT(haven_sync_peer_alive(w.n[0].sync) &&
		haven_sync_peer_alive(w.n[1].sync), "alive");
	/* heartbeats flow every 100 ms both ways */
	run_ms(1000);
	haven_sync_stats_get(w.n[0].sync, &a);
	haven_sync_stats_get(w.n[1].sync, &b);
	TEST_ASSERT(a.rx[HAVEN_SYNC_HEARTBEAT] >= 10 &&
		b.rx[HAVEN_SYNC_HEARTBEAT] >= 10, "heartbeats %llu %llu",
		(unsigned long long)a.rx[HAVEN_SYNC_HEARTBEAT],
		(unsigned long long)b.rx[HAVEN_SYNC_HEARTBEAT]);
	TEST_ASSERT_EQUAL(a.malformed + a.bad_auth + a.replayed + b.malformed +
		b.bad_auth + b.replayed, 0, "clean");
	world_down();
	return 0;
}

static int
test_live_stream(void)
{
	struct haven_store_record r;
	struct haven_sync_stats a, b;
	uint32_t i;

	TEST_ASSERT_EQUAL(world_up(), 0, "world");
	roles_ab();
	TEST_ASSERT(settle(1000), "in sync");
	for (i = 1; i <= 3000; i++) {
		r = binding(i, 1);
		haven_store_put(w.n[0].store, &r);
		r = replay(i, i * 7);
		haven_store_put(w.n[0].store, &r);
		if (i % 100 == 0)
			step();
	}
	r = deleg(21, 5);
	haven_store_put(w.n[0].store, &r);
	r = binding6(77, 2);
	haven_store_put(w.n[0].store, &r);
	TEST_ASSERT(settle(2000), "settled");
	if (same_stores() < 0)
		return -1;
	/* changes and deletes */
	for (i = 1; i <= 3000; i += 3) {
		r = binding(i, 2);
		haven_store_put(w.n[0].store, &r);
		haven_store_delete(w.n[0].store, HAVEN_STORE_REPLAY,
			&r.u.binding.home, 0);
	}
	TEST_ASSERT(settle(2000), "settled");
	if (same_stores() < 0)
		return -1;
	haven_sync_stats_get(w.n[0].sync, &a);
	haven_sync_stats_get(w.n[1].sync, &b);
	TEST_ASSERT_EQUAL(a.records_sent, 6002 + 2000, "every change once");
	TEST_ASSERT_EQUAL(b.applied, a.records_sent, "every change applied");
	TEST_ASSERT_EQUAL(a.retransmits, 0, "no loss, no retransmission");
	TEST_ASSERT_EQUAL(a.suppressed, 0, "nothing left to a bulk");
	TEST_ASSERT(a.tx[HAVEN_SYNC_RECORDS] < 8002 / 10,
		"changes batched per tick (%llu messages)",
		(unsigned long long)a.tx[HAVEN_SYNC_RECORDS]);
	world_down();
	return 0;
}

/*
 * The bulk resync of n records into a standby holding stale records,
 * with live changes everywhere while it runs, under the world's
 * impairments. Prints the figures.
 */
static int
bulk_with_live_changes(uint32_t n, const char *what)
{
	struct haven_sync_stats a, b;
	struct haven_store_record r;
	struct timespec t0, t1;
	uint64_t start, changes = 0, ms;
	uint32_t i;

	fill(w.n[0].store, 1, n, 1);
	/* stale: before, inside and after the active's range, and IPv6 */
	fill(w.n[1].store, 1, n / 2, 999);
	for (i = 0; i < 500; i++) {
		r = binding6(i * 2, 5);
		haven_store_put(w.n[1].store, &r);
		r = deleg(i + 1, 1);
		haven_store_put(w.n[1].store, &r);
	}
	haven_store_tick(w.n[1].store);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	start = w.now;
	roles_ab();
	while (haven_sync_state(w.n[1].sync) != HAVEN_SYNC_S_IN_SYNC &&
	       w.now - start < 120000) {
		/* live changes: old keys (both sides of the cursor), new
		 * keys, deletes, replay and deleg records */
		for (i = 0; i < 3; i++) {
			uint32_t k = 1 + (uint32_t)rand() % (n + n / 10);

			switch (rand() % 5) {
			case 0:
				r = binding(k, (uint32_t)w.now);
				break;
			case 1:
				r = binding(k, 0);
				haven_store_delete(w.n[0].store,
					HAVEN_STORE_BINDING,
					&r.u.binding.home, 0);
				changes++;
				continue;
			case 2:
				r = replay(k, w.now);
				break;
			case 3:
				r = binding6(k, (uint32_t)w.now);
				break;
			default:
				r = deleg(k % 1000 + 1, (uint32_t)w.now);
				break;
			}
			haven_store_put(w.n[0].store, &r);
			changes++;
		}
		step();
	}
	haven_sync_stats_get(w.n[0].sync, &a);
	haven_sync_stats_get(w.n[1].sync, &b);
	TEST_ASSERT_EQUAL(haven_sync_state(w.n[1].sync), HAVEN_SYNC_S_IN_SYNC,
		"standby in sync (A %s sessions %llu go-backs %llu queued %u in flight %u; B %s sessions %llu applied %llu ooo %llu; last down A %llu B %llu)",
		haven_sync_state_name(haven_sync_state(w.n[0].sync)),
		(unsigned long long)a.sessions,
		(unsigned long long)a.go_backs, a.queued, a.in_flight,
		haven_sync_state_name(haven_sync_state(w.n[1].sync)),
		(unsigned long long)b.sessions,
		(unsigned long long)b.applied,
		(unsigned long long)b.out_of_order,
		(unsigned long long)w.n[0].last_down_reason,
		(unsigned long long)w.n[1].last_down_reason);
	ms = w.now - start;
	/* a last burst after the bulk, then quiet */
	for (i = 0; i < 500; i++) {
		r = binding((uint32_t)rand() % n + 1, 7);
		haven_store_put(w.n[0].store, &r);
	}
	w.loss_pct = 0;
	w.dup_pct = 0;
	TEST_ASSERT(settle(60000), "settled");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	haven_sync_stats_get(w.n[0].sync, &a);
	haven_sync_stats_get(w.n[1].sync, &b);
	printf("     %s: bulk of %llu records in %llu simulated ms (%.2f s of CPU time), %llu live changes, %llu left to the bulk, %llu RECORDS sent, %llu retransmitted, %llu timeouts, %llu probes, %llu fast, %llu lost, %llu duplicated\n",
		what, (unsigned long long)a.bulk_records,
		(unsigned long long)ms,
		(double)(t1.tv_sec - t0.tv_sec) +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		(unsigned long long)changes,
		(unsigned long long)a.suppressed,
		(unsigned long long)a.tx[HAVEN_SYNC_RECORDS],
		(unsigned long long)a.retransmits,
		(unsigned long long)a.go_backs,
		(unsigned long long)a.probes,
		(unsigned long long)a.fast_retransmits,
		(unsigned long long)w.lost,
		(unsigned long long)w.duplicated);
	TEST_ASSERT(a.bulk_records >= n, "bulk carried the store");
	TEST_ASSERT(a.suppressed > 0, "some changes were left to the bulk");
	TEST_ASSERT_EQUAL(b.apply_errors, 0, "every record applied");
	return same_stores();
}

static int
test_bulk_clean(void)
{
	int rc;

	TEST_ASSERT_EQUAL(world_up(), 0, "world");
	rc = bulk_with_live_changes(200000, "200k clean");
	world_down();
	return rc;
}

static int
test_bulk_million(void)
{
	int rc;

	TEST_ASSERT_EQUAL(world_up(), 0, "world");
	w.loss_pct = 1;
	w.dup_pct = 1;
	w.max_delay = 2;
	rc = bulk_with_live_changes(1000000, "1M, 1% loss, 1% dup, reorder");
	world_down();
	return rc;
}

static int
test_heavy_loss(void)
{
	struct haven_sync_stats b;
	int rc;

	TEST_ASSERT_EQUAL(world_up(), 0, "world");
	w.loss_pct = 20;
	w.dup_pct = 10;
	w.max_delay = 5;
	rc = bulk_with_live_changes(20000, "20k, 20% loss, 10% dup, reorder");
	haven_sync_stats_get(w.n[1].sync, &b);
	TEST_ASSERT(b.out_of_order > 0 && b.duplicates > 0,
		"the standby saw gaps and duplicates");
	world_down();
	return rc;
}

/* Forged, misdirected and replayed datagrams change nothing. */
static int
test_forged_and_replayed(void)
{
	uint8_t before[32], after[32], buf[HAVEN_SYNC_MAX_MSG];
	struct haven_sync_stats b0, b1;
	struct haven_store_record r;
	struct haven_addr other;
	struct haven_sync_msg m;
	uint64_t n0, n1;
	size_t i, replays = 0;
	int len, rc;

	TEST_ASSERT_EQUAL(world_up(), 0, "world");
	roles_ab();
	TEST_ASSERT(settle(1000), "in sync");
	w.capture = true;
	for (i = 1; i <= 500; i++) {
		r = binding((uint32_t)i, 1);
		haven_store_put(w.n[0].store, &r);
	}
	TEST_ASSERT(settle(1000), "settled");
	for (i = 1; i <= 500; i += 2) {
		r = binding((uint32_t)i, 1);
		haven_store_delete(w.n[0].store, HAVEN_STORE_BINDING,
			&r.u.binding.home, 0);
	}
	TEST_ASSERT(settle(1000), "settled");
	w.capture = false;
	if (same_stores() < 0)
		return -1;
	haven_store_tick(w.n[1].store);
	n0 = store_digest(w.n[1].store, before);
	haven_sync_stats_get(w.n[1].sync, &b0);

	/* 1. every captured datagram again, to both sides */
	for (i = 0; i < w.ncap; i++) {
		struct dgram *d = &w.cap[i];

		rc = haven_sync_input(w.n[d->to].sync, &w.n[1 - d->to].addr,
			d->b, d->len, w.now);
		TEST_ASSERT(rc == -EALREADY, "replay %zu (%s) accepted: %d", i,
			haven_sync_type_name(d->b[1]), rc);
		replays++;
	}
	/* 2. forged: a flipped bit, another key, truncated */
	for (i = 0; i < w.ncap && i < 200; i++) {
		struct dgram *d = &w.cap[i];

		if (d->to != 1)
			continue;
		memcpy(buf, d->b, d->len);
		buf[28 + i % (d->len - 60)] ^= 0x10;
		TEST_ASSERT_EQUAL(haven_sync_input(w.n[1].sync, &w.n[0].addr,
			buf, d->len, w.now), -EACCES, "flipped bit");
		TEST_ASSERT_EQUAL(haven_sync_input(w.n[1].sync, &w.n[0].addr,
			d->b, d->len - 1, w.now), -EACCES, "truncated");
	}
	memset(&m, 0, sizeof(m));
	m.type = HAVEN_SYNC_BYE;
	m.sender_id = ID_A;
	m.receiver_id = ID_B;
	m.seq = UINT64_MAX - 1;
	len = haven_sync_encode(&m, (const uint8_t *)"guessed key", 11, buf,
		sizeof(buf));
	TEST_ASSERT_EQUAL(haven_sync_input(w.n[1].sync, &w.n[0].addr, buf,
		(size_t)len, w.now), -EACCES, "another key");
	/* 3. misdirected: a good message from the wrong address, for the
	 * wrong receiver, from an unknown sender */
	haven_addr_parse("192.0.2.99", &other);
	len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
	TEST_ASSERT_EQUAL(haven_sync_input(w.n[1].sync, &other, buf,
		(size_t)len, w.now), -EPERM, "wrong source");
	m.receiver_id = 9;
	len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
	TEST_ASSERT_EQUAL(haven_sync_input(w.n[1].sync, &w.n[0].addr, buf,
		(size_t)len, w.now), -EADDRNOTAVAIL, "wrong receiver");
	m.receiver_id = ID_B;
	m.sender_id = 9;
	len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
	TEST_ASSERT_EQUAL(haven_sync_input(w.n[1].sync, &w.n[0].addr, buf,
		(size_t)len, w.now), -ENOENT, "unknown sender");
	/*
	 * 4. a key holder's RECORDS of another session, with the next
	 * sequence numbers of the active (its next two genuine datagrams
	 * are then refused as replays, and retransmission recovers them)
	 */
	{
		uint64_t last = 0;

		for (i = 0; i < w.ncap; i++)
			if (w.cap[i].to == 1) {
				memcpy(&last, w.cap[i].b + 12, sizeof(last));
				last = be64toh(last);
			}
		uint8_t ops[64];
		size_t ops_len = 0;
		struct haven_sync_op op = { HAVEN_SYNC_OP_DELETE, 6, 0,
			(const uint8_t *)"\x01\x04\x0a\x00\x00\x02", NULL };

		haven_sync_op_append(ops, sizeof(ops), &ops_len, &op);
		memset(&m, 0, sizeof(m));
		m.type = HAVEN_SYNC_RECORDS;
		m.sender_id = ID_A;
		m.receiver_id = ID_B;
		m.seq = last + 1;
		m.session = 12345;
		m.u.records.stream_seq = 1;
		m.u.records.n_ops = 1;
		m.u.records.ops = ops;
		m.u.records.ops_len = ops_len;
		len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
		TEST_ASSERT_EQUAL(haven_sync_input(w.n[1].sync, &w.n[0].addr,
			buf, (size_t)len, w.now), -ESRCH, "other session");
		/* and a type the standby does not take */
		m.type = HAVEN_SYNC_HELLO;
		m.session = 0;
		m.seq = last + 2;
		m.u.hello.nonce = 1;
		len = haven_sync_encode(&m, KEY, KEY_LEN, buf, sizeof(buf));
		TEST_ASSERT_EQUAL(haven_sync_input(w.n[1].sync, &w.n[0].addr,
			buf, (size_t)len, w.now), -EPROTO, "HELLO at a standby");
	}
	haven_store_tick(w.n[1].store);
	n1 = store_digest(w.n[1].store, after);
	haven_sync_stats_get(w.n[1].sync, &b1);
	TEST_ASSERT_EQUAL(n0, n1, "record count unchanged");
	TEST_ASSERT(memcmp(before, after, 32) == 0, "store unchanged");
	TEST_ASSERT_EQUAL(b1.applied, b0.applied, "nothing applied");
	TEST_ASSERT_EQUAL(haven_sync_state(w.n[1].sync), HAVEN_SYNC_S_IN_SYNC,
		"session intact");
	TEST_ASSERT(b1.replayed - b0.replayed >= replays / 2 &&
		b1.bad_auth > b0.bad_auth && b1.misdirected >= 2 &&
		b1.unknown_sender >= 1 && b1.wrong_session >= 1 &&
		b1.unexpected >= 1, "counted");
	printf("     %zu replays refused, forged and misdirected refused; store unchanged\n",
		replays);
	/* the stream goes on after all that */
	r = binding(9999, 3);
	haven_store_put(w.n[0].store, &r);
	TEST_ASSERT(settle(1000), "settled");
	if (same_stores() < 0)
		return -1;
	world_down();
	return 0;
}

static int
test_restarts_and_roles(void)
{
	struct haven_store_record r;
	struct haven_sync_stats a;
	uint64_t t0, detect;
	uint32_t i;

	TEST_ASSERT_EQUAL(world_up(), 0, "world");
	fill(w.n[0].store, 1, 2000, 1);
	roles_ab();
	TEST_ASSERT(settle(5000), "in sync");
	if (same_stores() < 0)
		return -1;

	/* the active restarts (same store, new context): a new session */
	haven_sync_free(w.n[0].sync);
	TEST_ASSERT_EQUAL(make_sync(0), 0, "new A");
	haven_sync_set_role(w.n[0].sync, HAVEN_SYNC_ROLE_ACTIVE, w.now);
	fill(w.n[0].store, 3000, 100, 2);	/* changed while restarting */
	TEST_ASSERT(settle(5000), "in sync again");
	TEST_ASSERT_EQUAL(w.n[1].last_down_reason,
		HAVEN_SYNC_R_PEER_RESTARTED, "standby saw the restart");
	TEST_ASSERT_EQUAL(w.n[1].events[HAVEN_SYNC_EV_SESSION_UP], 2,
		"second session");
	if (same_stores() < 0)
		return -1;

	/* the standby dies: detected after 3 x 100 ms */
	w.frozen[1] = true;
	t0 = w.now;
	while (haven_sync_state(w.n[0].sync) != HAVEN_SYNC_S_IDLE &&
	       w.now - t0 < 2000)
		step();
	detect = w.now - t0;
	printf("     standby silent: active ends the session after %llu ms\n",
		(unsigned long long)detect);
	TEST_ASSERT(detect >= 200 && detect <= 310, "detected in %llu ms",
		(unsigned long long)detect);
	TEST_ASSERT_EQUAL(w.n[0].last_down_reason, HAVEN_SYNC_R_PEER_DEAD,
		"peer dead");
	for (i = 1; i <= 50; i++) {	/* changes without a standby */
		r = binding(i, 5);
		haven_store_put(w.n[0].store, &r);
	}
	run_ms(10);
	haven_sync_stats_get(w.n[0].sync, &a);
	TEST_ASSERT(a.no_session >= 50, "counted, left to the next bulk");
	/* it comes back: new bulk, nothing lost */
	w.frozen[1] = false;
	TEST_ASSERT(settle(5000), "back in sync");
	if (same_stores() < 0)
		return -1;

	/* switchover: B becomes active, A standby; B's changes reach A */
	haven_sync_set_role(w.n[0].sync, HAVEN_SYNC_ROLE_STANDBY, w.now);
	haven_sync_set_role(w.n[1].sync, HAVEN_SYNC_ROLE_ACTIVE, w.now);
	run_ms(5);
	for (i = 1; i <= 300; i++) {
		r = replay(i, 1000 + i);
		haven_store_put(w.n[1].store, &r);
	}
	TEST_ASSERT(settle(5000) || (haven_sync_state(w.n[0].sync) ==
		HAVEN_SYNC_S_IN_SYNC), "switched over");
	run_ms(50);
	TEST_ASSERT_EQUAL(haven_sync_role(w.n[1].sync), HAVEN_SYNC_ROLE_ACTIVE,
		"B active");
	TEST_ASSERT_EQUAL(haven_sync_state(w.n[0].sync), HAVEN_SYNC_S_IN_SYNC,
		"A follows B");
	if (same_stores() < 0)
		return -1;

	/* two actives: both are told */
	haven_sync_set_role(w.n[0].sync, HAVEN_SYNC_ROLE_ACTIVE, w.now);
	run_ms(300);
	TEST_ASSERT(w.n[0].events[HAVEN_SYNC_EV_PEER_ACTIVE] >= 1 &&
		w.n[1].events[HAVEN_SYNC_EV_PEER_ACTIVE] >= 1, "dual active");
	haven_sync_stats_get(w.n[0].sync, &a);
	TEST_ASSERT(a.dual_active >= 1, "counted");

	/* a clean shutdown says BYE: no waiting for the dead interval */
	haven_sync_set_role(w.n[0].sync, HAVEN_SYNC_ROLE_STANDBY, w.now);
	TEST_ASSERT(settle(5000), "in sync");
	haven_sync_shutdown(w.n[1].sync, w.now);
	run_ms(3);
	TEST_ASSERT(haven_sync_state(w.n[0].sync) != HAVEN_SYNC_S_IN_SYNC,
		"standby left its session at once");
	TEST_ASSERT_EQUAL(w.n[0].last_down_reason, HAVEN_SYNC_R_SHUTDOWN,
		"reason");
	world_down();
	return 0;
}

/* A standby that stops acknowledging: the queue overflows, a new bulk. */
static int
test_overflow(void)
{
	struct haven_store_record r;
	struct haven_sync_stats a;
	uint32_t i;

	TEST_ASSERT_EQUAL(world_up(), 0, "world");
	roles_ab();
	TEST_ASSERT(settle(1000), "in sync");
	w.cut[0] = true;	/* acks from B never arrive */
	for (i = 1; i <= 60000; i++) {
		r = binding(i, 1);
		haven_store_put(w.n[0].store, &r);
		if (i % 5000 == 0)
			step();
	}
	step();
	haven_sync_stats_get(w.n[0].sync, &a);
	TEST_ASSERT(a.overflows >= 1, "overflow");
	TEST_ASSERT_EQUAL(w.n[0].last_down_reason, HAVEN_SYNC_R_OVERFLOW,
		"reason");
	w.cut[0] = false;
	TEST_ASSERT(settle(10000), "resynced by a new bulk");
	if (same_stores() < 0)
		return -1;
	world_down();
	return 0;
}

/* ------------------------------------------------------------------ */

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* TEST_SYNC_ONLY=<name> runs one test case (for debugging). */
#define RUN(fn) do {							\
	const char *only = getenv("TEST_SYNC_ONLY");			\
	if (only == NULL || strcmp(only, #fn) == 0)			\
		TEST_RUN(fn);						\
} while (0)

int
main(void)
{
	int passed = 0, failed = 0;

	srand(20240101);
	pcap_open();
	if (mkdtemp(tmp_root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_codec_round_trips);
	RUN(test_codec_pinned);
	RUN(test_codec_refusals);
	RUN(test_handshake);
	RUN(test_live_stream);
	RUN(test_forged_and_replayed);
	RUN(test_restarts_and_roles);
	RUN(test_overflow);
	RUN(test_bulk_clean);
	RUN(test_heavy_loss);
	RUN(test_bulk_million);
	free(w.q);
	free(w.cap);
	if (pcap != NULL)
		fclose(pcap);
	nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	TEST_SUMMARY();
}
