/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the secondary's state machine of the delegation
 * protocol (lib/deleg/deleg_sha.c): an SHA of eight entries serving two
 * primaries, IPv6 and UDP tunnelling on, fed the operations of
 * fuzz_deleg.h: STARTs, STOPs, BATCHes and SYNCs (any bytes) from either
 * primary, signed so that they pass authentication (the harness appends
 * the HMAC and a fresh sequence number), raw datagrams, time (expiry,
 * heartbeats, counters, reports) and counters the caller updates.
 *
 * After every operation the harness checks what the SHA promises: its
 * index finds every entry and nothing else, every count (used, each
 * primary's load) agrees with the table, no entry belongs to an unknown
 * primary, and each primary's digest is the sum of its entries' digests.
 * Any disagreement aborts. Built only with clang; run with
 *   build/test/fuzz_deleg_sha -max_len=4096 test/fuzz/deleg_sha
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_deleg.h"

#define CAPACITY	8
#define SHA_ID		FZ_PEER_ID(0)

static struct {
	uint64_t now;
	struct haven_deleg_sha sha;
	struct haven_deleg_sha_ops ops;
	struct haven_deleg_peer primaries[FZ_N_PEERS];
	struct haven_deleg_sha_entry entries[CAPACITY];
	uint32_t index[64];
	uint64_t seq[FZ_N_PEERS];
	uint8_t refuse;				/* INSTALL fails when odd */
} F;

static void
send_cb(void *ctx, const struct haven_deleg_peer *peer, const uint8_t *msg,
		size_t len)
{
	(void)ctx;
	(void)msg;
	if (peer < F.primaries || peer >= F.primaries + FZ_N_PEERS ||
	    len > HAVEN_DELEG_MAX_MSG)
		abort();
}

static int
event_cb(void *ctx, int event, struct haven_deleg_sha_entry *e, bool is_new)
{
	(void)ctx;
	(void)is_new;
	if (e->primary == NULL && event == HAVEN_DELEG_EV_REMOVE)
		abort();
	/* The caller cannot install every third one it is given. */
	return event == HAVEN_DELEG_EV_INSTALL && (F.refuse++ % 3) == 2;
}

static void
setup(void)
{
	struct haven_deleg_sha_config cfg;
	unsigned int i;

	memset(&F, 0, sizeof(F));
	F.now = 1000000;
	for (i = 0; i < FZ_N_PEERS; i++) {
		F.primaries[i].id = FZ_PHA_ID + 100 * i;
		F.primaries[i].addr = i == 0 ? FZ_PHA_ADDR :
			FZ_PHA_ADDR + (7u << 24);
		fz_key(i, F.primaries[i].key);
		F.primaries[i].key_len = 32;
		F.seq[i] = 1000;
	}
	F.ops = (struct haven_deleg_sha_ops){ .send = send_cb,
		.event = event_cb };
	if (haven_deleg_sha_table_size(CAPACITY) > 64)
		abort();
	haven_deleg_sha_init(&F.sha, SHA_ID, F.primaries, FZ_N_PEERS,
		F.entries, F.index, CAPACITY, 100, &F.ops, NULL, F.now, 7000);
	haven_deleg_sha_config_default(&cfg);
	cfg.heartbeat_ms = 20;
	cfg.counters_ms = 50;
	cfg.counters_budget = 3;
	haven_deleg_sha_configure(&F.sha, &cfg);
	F.sha.ipv6 = true;
	F.sha.udp = true;
}

/* What an SHA promises, whatever it was sent. */
static void
check(void)
{
	uint64_t digest[FZ_N_PEERS] = { 0 };
	uint32_t load[FZ_N_PEERS] = { 0 }, used = 0, slots = 0, i;
	struct haven_deleg_sha_entry *e;

	for (i = 0; i < CAPACITY; i++) {
		e = &F.entries[i];
		if (e->primary == NULL)
			continue;
		if (e->primary < F.primaries ||
		    e->primary >= F.primaries + FZ_N_PEERS)
			abort();
		used++;
		load[e->primary - F.primaries]++;
		digest[e->primary - F.primaries] += haven_deleg_digest(
			&e->info.home_addr, e->info.generation);
		if (haven_deleg_sha_find(&F.sha, &e->info.home_addr) != e)
			abort();
	}
	for (i = 0; i < F.sha.table_size; i++)
		if (F.index[i] != 0) {
			if (F.index[i] > CAPACITY ||
			    F.entries[F.index[i] - 1].primary == NULL)
				abort();
			slots++;
		}
	if (used != F.sha.used || slots != used || used > F.sha.capacity)
		abort();
	for (i = 0; i < FZ_N_PEERS; i++)
		if (F.primaries[i].load != load[i] ||
		    F.primaries[i].digest != digest[i])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t op, a, key[32], buf[HAVEN_DELEG_MAX_MSG];
	const uint8_t *body;
	unsigned int steps = 0, k;
	uint16_t len;
	size_t n;

	setup();
	while (fz_u8(&in, &op) == 0 && steps++ < 256) {
		switch (op % FZ_OP_MAX) {
		case FZ_MSG:
		case FZ_MSG_AS_IS:
			if (fz_u8(&in, &a) < 0 || fz_u16(&in, &len) < 0 ||
			    fz_bytes(&in, len, &body) < 0)
				return 0;
			k = a % FZ_N_PEERS;
			fz_key(k, key);
			n = fz_sign(body, len, op % FZ_OP_MAX == FZ_MSG,
				F.primaries[k].id, SHA_ID, ++F.seq[k], key,
				buf);
			(void)haven_deleg_sha_input(&F.sha,
				F.primaries[k].addr, buf, n, F.now);
			break;
		case FZ_RAW:
			if (fz_u16(&in, &len) < 0 ||
			    fz_bytes(&in, len, &body) < 0)
				return 0;
			(void)haven_deleg_sha_input(&F.sha, FZ_PHA_ADDR, body,
				len, F.now);
			break;
		case FZ_TICK:
			if (fz_u8(&in, &a) < 0)
				return 0;
			F.now += (uint64_t)a * (a & 0x80 ? 1000 : 10);
			haven_deleg_sha_tick(&F.sha, F.now);
			break;
		case FZ_COUNT:
			if (fz_u8(&in, &a) < 0)
				return 0;
			F.entries[a % CAPACITY].packets += a;
			F.entries[a % CAPACITY].bytes += 100u * a;
			break;
		default:	/* the PHA's operations: nothing here */
			break;
		}
		check();
	}
	return 0;
}
