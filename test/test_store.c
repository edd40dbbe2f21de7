/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the crash-safe store (lib/store).
 *
 * The codec is checked kind by kind and family by family: every record
 * survives a round trip field for field, one binding is pinned to bytes
 * written by hand from docs/ha-sync-protocol.md section 5, and every rule
 * of that section is broken once to see the refusal and its reason. The
 * store runs on real LMDB in a temporary directory: records of every kind
 * restored after a close, deletes and ranges, scans in slices, buffering
 * per tick and per max_batch, the sync policies, a full map, statistics.
 * Broken stores (garbage, a truncated data file, a corrupted value, an
 * LMDB environment of someone else, a newer format, another agent, a
 * store in use) are refused with the documented way forward, and reset
 * moves them aside. A child process committing batches is killed with
 * SIGKILL at random moments, and the reopened store holds whole batches
 * only, at least up to the last one the child saw committed. Last, the
 * commit rate with fsync on and off is measured and printed (not
 * asserted).
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "haven_store.h"
#include "test.h"

static char tmp_root[] = "/tmp/test_store.XXXXXX";
static unsigned int dir_no;

#define IDENTITY "ha 192.0.2.1 2001:db8:1::1"

/* A fresh directory path under tmp_root (not created). */
static const char *
new_path(void)
{
	static char path[sizeof(tmp_root) + 32];

	snprintf(path, sizeof(path), "%s/s%u", tmp_root, ++dir_no);
	return path;
}

static struct haven_store *
open_store(const char *path, enum haven_store_sync sync, char *err,
	size_t errlen)
{
	struct haven_store_params p = {
		.path = path,
		.sync = sync,
		.agent_id = 1,
		.identity = IDENTITY,
	};

	return haven_store_open(&p, err, errlen);
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

static struct haven_addr
a4(const char *s)
{
	struct haven_addr a;

	haven_addr_parse(s, &a);
	return a;
}

/* ------------------------------------------------------------------ */
/* Sample records                                                     */
/* ------------------------------------------------------------------ */

static struct haven_store_record
binding4(uint32_t i)
{
	struct haven_store_record r;
	struct haven_store_binding *b = &r.u.binding;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_BINDING;
	b->home = haven_addr4(htonl(0x0a000000u + i));	/* 10.0.0.0 + i */
	b->n_coa = 1;
	b->encap = HAVEN_STORE_ENCAP_IPIP;
	b->flags = HAVEN_STORE_F_REVERSE_TUNNEL;
	b->coa[0].addr = haven_addr4(htonl(0xc6336400u + (i & 0xff)));
	b->coa[0].lifetime_s = 1800;
	b->coa[0].expires_ms = 1704067200000ull + i;
	b->registered_ms = 1704065400000ull + i;
	return r;
}

static struct haven_store_record
binding4_nat(void)
{
	struct haven_store_record r = binding4(7);
	struct haven_store_binding *b = &r.u.binding;

	b->encap = HAVEN_STORE_ENCAP_UDP;
	b->flags = HAVEN_STORE_F_NAT | HAVEN_STORE_F_SIMULTANEOUS;
	b->nat_addr = a4("203.0.113.9");
	b->nat_port = 4500;
	b->n_coa = 2;
	b->coa[1].addr = a4("10.1.2.3");
	b->coa[1].lifetime_s = 600;
	b->coa[1].expires_ms = 1704066000000ull;
	b->secondary_id = 21;
	b->deleg_generation = 0xfffffffeu;
	return r;
}

static struct haven_store_record
binding6(uint32_t i)
{
	struct haven_store_record r;
	struct haven_store_binding *b = &r.u.binding;
	unsigned int c;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_BINDING;
	b->home = a4("2001:db8:1::100");
	b->home.v6[12] = (uint8_t)(i >> 24);
	b->home.v6[13] = (uint8_t)(i >> 16);
	b->home.v6[14] = (uint8_t)(i >> 8);
	b->home.v6[15] = (uint8_t)i;
	b->n_coa = HAVEN_STORE_MAX_COA;
	b->encap = HAVEN_STORE_ENCAP_IP6IP6;
	b->flags = HAVEN_STORE_F_REVERSE_TUNNEL | HAVEN_STORE_F_SIMULTANEOUS;
	for (c = 0; c < HAVEN_STORE_MAX_COA; c++) {
		b->coa[c].addr = a4("2001:db8:2::1");
		b->coa[c].addr.v6[15] = (uint8_t)(c + 1);
		b->coa[c].lifetime_s = 3600 - 4 * c;
		b->coa[c].expires_ms = UINT64_MAX - c;
	}
	b->registered_ms = 1704067200000ull;
	b->secondary_id = UINT32_MAX;
	b->deleg_generation = 3;
	return r;
}

static struct haven_store_record
replay4(uint32_t i)
{
	struct haven_store_record r;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_REPLAY;
	r.u.replay.home = haven_addr4(htonl(0x0a000000u + i));
	r.u.replay.flags = HAVEN_STORE_R_MIP4_ID;
	r.u.replay.mip4_id = 0xe8f1a2b300000000ull + i;
	r.u.replay.updated_ms = 1704067200001ull;
	return r;
}

static struct haven_store_record
replay6(void)
{
	struct haven_store_record r;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_REPLAY;
	r.u.replay.home = a4("2001:db8:1::100");
	r.u.replay.flags = HAVEN_STORE_R_MIP6_SEQ | HAVEN_STORE_R_MIP6_TS;
	r.u.replay.mip6_seq = 65535;
	r.u.replay.mip6_timestamp = 0xe8f1a2b3c4d5e6f7ull;
	r.u.replay.updated_ms = 1;
	return r;
}

static struct haven_store_record
deleg(uint32_t id, const char *addr)
{
	struct haven_store_record r;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_DELEG;
	r.u.deleg.secondary_id = id;
	snprintf(r.u.deleg.name, sizeof(r.u.deleg.name), "sha%u.lab_x-y", id);
	r.u.deleg.addr = a4(addr);
	r.u.deleg.generation = 0x80000001u;
	r.u.deleg.boot_known = true;
	r.u.deleg.boot_id = 0xdeadbeef;
	r.u.deleg.last_seq = 1704067200123456ull;
	return r;
}

/* Field-by-field comparison of two decoded records. */
static int
same_record(const struct haven_store_record *a,
	const struct haven_store_record *b)
{
	unsigned int i;

	TEST_ASSERT_EQUAL(a->kind, b->kind, "kind");
	switch (a->kind) {
	case HAVEN_STORE_BINDING: {
		const struct haven_store_binding *x = &a->u.binding,
			*y = &b->u.binding;

		TEST_ASSERT(haven_addr_eq(&x->home, &y->home), "home");
		TEST_ASSERT_EQUAL(x->n_coa, y->n_coa, "n_coa");
		TEST_ASSERT_EQUAL(x->encap, y->encap, "encap");
		TEST_ASSERT_EQUAL(x->flags, y->flags, "flags");
		for (i = 0; i < x->n_coa; i++) {
			TEST_ASSERT(haven_addr_eq(&x->coa[i].addr,
				&y->coa[i].addr), "coa %u", i);
			TEST_ASSERT_EQUAL(x->coa[i].lifetime_s,
				y->coa[i].lifetime_s, "lifetime %u", i);
			TEST_ASSERT(x->coa[i].expires_ms ==
				y->coa[i].expires_ms, "expiry %u", i);
		}
		TEST_ASSERT(haven_addr_eq(&x->nat_addr, &y->nat_addr), "nat");
		TEST_ASSERT_EQUAL(x->nat_port, y->nat_port, "nat port");
		TEST_ASSERT(x->registered_ms == y->registered_ms, "registered");
		TEST_ASSERT_EQUAL(x->secondary_id, y->secondary_id, "sha");
		TEST_ASSERT_EQUAL(x->deleg_generation, y->deleg_generation,
			"generation");
		break;
	}
	case HAVEN_STORE_REPLAY:
		TEST_ASSERT(haven_addr_eq(&a->u.replay.home, &b->u.replay.home),
			"home");
		TEST_ASSERT_EQUAL(a->u.replay.flags, b->u.replay.flags, "flags");
		TEST_ASSERT(a->u.replay.mip4_id == b->u.replay.mip4_id, "id");
		TEST_ASSERT_EQUAL(a->u.replay.mip6_seq, b->u.replay.mip6_seq,
			"seq");
		TEST_ASSERT(a->u.replay.mip6_timestamp ==
			b->u.replay.mip6_timestamp, "timestamp");
		TEST_ASSERT(a->u.replay.updated_ms == b->u.replay.updated_ms,
			"updated");
		break;
	case HAVEN_STORE_DELEG:
		TEST_ASSERT_EQUAL(a->u.deleg.secondary_id,
			b->u.deleg.secondary_id, "id");
		TEST_ASSERT(strcmp(a->u.deleg.name, b->u.deleg.name) == 0,
			"name %s %s", a->u.deleg.name, b->u.deleg.name);
		TEST_ASSERT(haven_addr_eq(&a->u.deleg.addr, &b->u.deleg.addr),
			"addr");
		TEST_ASSERT_EQUAL(a->u.deleg.generation, b->u.deleg.generation,
			"generation");
		TEST_ASSERT_EQUAL(a->u.deleg.boot_known, b->u.deleg.boot_known,
			"boot known");
		TEST_ASSERT_EQUAL(a->u.deleg.boot_id, b->u.deleg.boot_id, "boot");
		TEST_ASSERT(a->u.deleg.last_seq == b->u.deleg.last_seq, "seq");
		break;
	case HAVEN_STORE_META:
		TEST_ASSERT_EQUAL(a->u.meta.format, b->u.meta.format, "format");
		TEST_ASSERT_EQUAL(a->u.meta.agent_id, b->u.meta.agent_id, "id");
		TEST_ASSERT(a->u.meta.created_ms == b->u.meta.created_ms,
			"created");
		TEST_ASSERT(strcmp(a->u.meta.identity, b->u.meta.identity) == 0,
			"identity");
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Codec                                                              */
/* ------------------------------------------------------------------ */

static int
round_trip(const struct haven_store_record *r)
{
	uint8_t key[HAVEN_STORE_KEY_MAX], val[HAVEN_STORE_VALUE_MAX];
	struct haven_store_record out;
	char err[160];
	size_t klen, vlen;

	TEST_ASSERT_EQUAL(haven_store_encode(r, key, &klen, val, &vlen), 0,
		"encode %s", haven_store_kind_name(r->kind));
	TEST_ASSERT_EQUAL(haven_store_decode(key, klen, val, vlen, &out, err,
		sizeof(err)), 0, "decode: %s", err);
	if (same_record(r, &out) < 0)
		return -1;
	/* one octet more or less is malformed, whatever the kind */
	TEST_ASSERT_EQUAL(haven_store_decode(key, klen, val, vlen - 1, &out,
		err, sizeof(err)), -EBADMSG, "short %s",
		haven_store_kind_name(r->kind));
	val[vlen] = 0;
	TEST_ASSERT_EQUAL(haven_store_decode(key, klen, val, vlen + 1, &out,
		err, sizeof(err)), -EBADMSG, "long %s",
		haven_store_kind_name(r->kind));
	TEST_ASSERT_EQUAL(haven_store_decode(key, klen + 1, val, vlen, &out,
		err, sizeof(err)), -EBADMSG, "long key %s",
		haven_store_kind_name(r->kind));
	return 0;
}

static int
test_codec_round_trips(void)
{
	struct haven_store_record r[9];
	unsigned int i;

	r[0] = binding4(1);
	r[1] = binding4_nat();
	r[2] = binding6(0x01020304);
	r[3] = replay4(9);
	r[4] = replay6();
	r[5] = deleg(21, "192.0.2.21");
	r[6] = deleg(22, "2001:db8:1::22");
	memset(&r[7], 0, sizeof(r[7]));
	r[7].kind = HAVEN_STORE_META;
	r[7].u.meta.format = HAVEN_STORE_FORMAT;
	r[7].u.meta.agent_id = 77;
	r[7].u.meta.created_ms = 1704067200000ull;
	snprintf(r[7].u.meta.identity, sizeof(r[7].u.meta.identity), "%s",
		IDENTITY);
	r[8] = binding4(2);
	r[8].u.binding.encap = HAVEN_STORE_ENCAP_GRE;
	r[8].u.binding.flags = 0;
	for (i = 0; i < 9; i++)
		if (round_trip(&r[i]) < 0) {
			fprintf(stderr, "record %u\n", i);
			return -1;
		}
	return 0;
}

/* The bytes of section 5 of the document, written out by hand. */
static int
test_codec_pinned_bytes(void)
{
	static const uint8_t want_key[] = { 0x01, 0x04, 192, 0, 2, 10 };
	static const uint8_t want_val[] = {
		0x01,			/* record version */
		0x03,			/* flags: T, NAT */
		0x04,			/* encap UDP */
		0x01,			/* one care-of address */
		0x00, 0x00, 0x00, 0x15,	/* secondary 21 */
		0x00, 0x00, 0x00, 0x07,	/* generation 7 */
		0x00, 0x00, 0x01, 0x8c, 0xc2, 0x51, 0xf4, 0x00,
					/* registered 1704067200000 ms */
		0x11, 0x94,		/* NAT port 4500 */
		0x04, 203, 0, 113, 9,	/* NAT address */
		0x04, 198, 51, 100, 7,	/* care-of address */
		0x00, 0x00, 0x07, 0x08,	/* lifetime 1800 s */
		0x00, 0x00, 0x01, 0x8c, 0xc2, 0x6d, 0x6b, 0x40,
					/* expires 1704069000000 ms */
	};
	uint8_t key[HAVEN_STORE_KEY_MAX], val[HAVEN_STORE_VALUE_MAX];
	struct haven_store_record r;
	size_t klen, vlen;

	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_BINDING;
	r.u.binding.home = a4("192.0.2.10");
	r.u.binding.flags = HAVEN_STORE_F_REVERSE_TUNNEL | HAVEN_STORE_F_NAT;
	r.u.binding.encap = HAVEN_STORE_ENCAP_UDP;
	r.u.binding.n_coa = 1;
	r.u.binding.secondary_id = 21;
	r.u.binding.deleg_generation = 7;
	r.u.binding.registered_ms = 1704067200000ull;
	r.u.binding.nat_port = 4500;
	r.u.binding.nat_addr = a4("203.0.113.9");
	r.u.binding.coa[0].addr = a4("198.51.100.7");
	r.u.binding.coa[0].lifetime_s = 1800;
	r.u.binding.coa[0].expires_ms = 1704069000000ull;
	TEST_ASSERT_EQUAL(haven_store_encode(&r, key, &klen, val, &vlen), 0,
		"encode");
	TEST_ASSERT_EQUAL(klen, sizeof(want_key), "key length");
	TEST_ASSERT_MEM(key, want_key, klen, "key bytes");
	TEST_ASSERT_EQUAL(vlen, sizeof(want_val), "value length");
	TEST_ASSERT_MEM(val, want_val, vlen, "value bytes");
	return 0;
}

/* A value mutated at one offset, and the reason it must give. */
struct mutation {
	struct haven_store_record (*make)(void);
	size_t off;
	uint8_t value;
	int rc;
	const char *reason;
};

static struct haven_store_record make_b4(void) { return binding4(1); }
static struct haven_store_record make_nat(void) { return binding4_nat(); }
static struct haven_store_record make_b6(void) { return binding6(1); }
static struct haven_store_record make_r4(void) { return replay4(1); }
static struct haven_store_record make_r6(void) { return replay6(); }
static struct haven_store_record make_d(void)
{
	return deleg(5, "192.0.2.5");
}

static const struct mutation mutations[] = {
	{ make_b4, 0, 0, -EBADMSG, "record version 0" },
	{ make_b4, 0, 2, -EPROTONOSUPPORT, "newer than this build" },
	{ make_b4, 1, 0x08, -EBADMSG, "unknown bits" },
	{ make_b4, 2, 3, -EBADMSG, "encap 3 is not one of IPv4" },
	{ make_b4, 2, 4, -EBADMSG, "UDP encapsulation without the NAT flag" },
	{ make_b4, 3, 0, -EBADMSG, "0 care-of addresses" },
	{ make_b4, 3, 5, -EBADMSG, "5 care-of addresses" },
	{ make_b4, 20, 1, -EBADMSG, "NAT address or port without the NAT flag" },
	{ make_b4, 23, 6, -EBADMSG, "care-of address 1 of family 6" },
	{ make_b6, 2, 0, -EBADMSG, "encap 0 is not one of IPv6" },
	{ make_nat, 22, 6, -EBADMSG, "NAT address of family 6" },
	{ make_r4, 1, HAVEN_STORE_R_MIP6_SEQ, -EBADMSG,
	  "not those of an IPv4 node" },
	{ make_r4, 4, 1, -EBADMSG, "reserved octets not zero" },
	{ make_r4, 17, 1, -EBADMSG, "field set without its flag" },
	{ make_r6, 1, HAVEN_STORE_R_MIP4_ID | HAVEN_STORE_R_MIP6_SEQ, -EBADMSG,
	  "not those of an IPv6 node" },
	{ make_d, 1, 2, -EBADMSG, "deleg flags" },
	{ make_d, 3, 5, -EBADMSG, "deleg address family 5" },
	{ make_d, 2, 0, -EBADMSG, "deleg name of 0 octets" },
	{ make_d, 24, '/', -EBADMSG, "letters, digits" },
};

static int
test_codec_refusals(void)
{
	uint8_t key[HAVEN_STORE_KEY_MAX], val[HAVEN_STORE_VALUE_MAX];
	struct haven_store_record r, out;
	unsigned int i;
	size_t klen, vlen;
	char err[160];
	int rc;

	for (i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		const struct mutation *m = &mutations[i];

		r = m->make();
		TEST_ASSERT_EQUAL(haven_store_encode(&r, key, &klen, val,
			&vlen), 0, "encode %u", i);
		TEST_ASSERT(m->off < vlen, "offset %u", i);
		val[m->off] = m->value;
		rc = haven_store_decode(key, klen, val, vlen, &out, err,
			sizeof(err));
		TEST_ASSERT_EQUAL(rc, m->rc, "mutation %u: %s", i, err);
		TEST_ASSERT(strstr(err, m->reason) != NULL,
			"mutation %u: want \"%s\" in \"%s\"", i, m->reason, err);
	}

	/* keys */
	r = binding4(1);
	haven_store_encode(&r, key, &klen, val, &vlen);
	key[1] = 5;
	TEST_ASSERT_EQUAL(haven_store_decode(key, klen, val, vlen, &out, err,
		sizeof(err)), -EBADMSG, "family 5");
	TEST_ASSERT(strstr(err, "without a family") != NULL, "%s", err);
	key[0] = 9;
	TEST_ASSERT_EQUAL(haven_store_decode(key, klen, val, vlen, &out, err,
		sizeof(err)), -EBADMSG, "kind 9");
	TEST_ASSERT(strstr(err, "unknown record kind 9") != NULL, "%s", err);
	memset(key, 0, sizeof(key));
	key[0] = HAVEN_STORE_BINDING;
	key[1] = 4;
	TEST_ASSERT_EQUAL(haven_store_decode(key, 6, val, vlen, &out, err,
		sizeof(err)), -EBADMSG, "0.0.0.0");
	TEST_ASSERT(strstr(err, "unspecified") != NULL, "%s", err);
	TEST_ASSERT_EQUAL(haven_store_decode(key, 0, val, vlen, &out, err,
		sizeof(err)), -EBADMSG, "empty key");

	/* the encoder refuses what the decoder would */
	r = binding4(1);
	r.u.binding.coa[0].addr = a4("2001:db8::1");
	TEST_ASSERT_EQUAL(haven_store_encode(&r, key, &klen, val, &vlen),
		-EINVAL, "mixed families");
	r = binding4(1);
	r.u.binding.n_coa = 0;
	TEST_ASSERT_EQUAL(haven_store_encode(&r, key, &klen, val, &vlen),
		-EINVAL, "no CoA");
	r = replay4(1);
	r.u.replay.mip6_seq = 1;
	TEST_ASSERT_EQUAL(haven_store_encode(&r, key, &klen, val, &vlen),
		-EINVAL, "seq without flag");
	r = deleg(1, "192.0.2.1");
	r.u.deleg.name[0] = '\0';
	TEST_ASSERT_EQUAL(haven_store_encode(&r, key, &klen, val, &vlen),
		-EINVAL, "no name");

	haven_store_key_str(key, 5, err, sizeof(err));
	return 0;
}

/* ------------------------------------------------------------------ */
/* The store                                                          */
/* ------------------------------------------------------------------ */

struct collected {
	struct haven_store_record r[64];
	unsigned int n;
};

static int
collect_cb(void *ctx, const struct haven_store_record *r)
{
	struct collected *c = ctx;

	if (c->n < 64)
		c->r[c->n] = *r;
	c->n++;
	return 0;
}

static int
test_store_round_trip(void)
{
	struct haven_store_record want[7];
	struct collected got = { .n = 0 };
	const char *path = new_path();
	struct haven_store *s;
	char err[512];
	unsigned int i, j;

	s = open_store(path, HAVEN_STORE_SYNC_EVERY_COMMIT, err, sizeof(err));
	TEST_ASSERT(s != NULL, "open: %s", err);
	TEST_ASSERT_EQUAL(haven_store_meta(s)->format, HAVEN_STORE_FORMAT,
		"format");
	TEST_ASSERT(strcmp(haven_store_meta(s)->identity, IDENTITY) == 0,
		"identity");
	want[0] = binding4(1);
	want[1] = binding4_nat();
	want[2] = binding6(5);
	want[3] = replay4(1);
	want[4] = replay6();
	want[5] = deleg(21, "192.0.2.21");
	want[6] = deleg(22, "2001:db8:1::22");
	for (i = 0; i < 7; i++)
		TEST_ASSERT_EQUAL(haven_store_put(s, &want[i]), 0, "put %u", i);
	TEST_ASSERT_EQUAL(haven_store_tick(s), 7, "one commit of 7");
	haven_store_close(s);

	s = open_store(path, HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(s != NULL, "reopen: %s", err);
	TEST_ASSERT_EQUAL(haven_store_restore(s, collect_cb, &got, err,
		sizeof(err)), 7, "restore: %s", err);
	/* every record comes back once, whatever the order */
	for (i = 0; i < 7; i++) {
		for (j = 0; j < got.n; j++)
			if (got.r[j].kind == want[i].kind &&
			    (want[i].kind != HAVEN_STORE_BINDING ||
			     haven_addr_eq(&got.r[j].u.binding.home,
				     &want[i].u.binding.home)) &&
			    (want[i].kind != HAVEN_STORE_REPLAY ||
			     haven_addr_eq(&got.r[j].u.replay.home,
				     &want[i].u.replay.home)) &&
			    (want[i].kind != HAVEN_STORE_DELEG ||
			     got.r[j].u.deleg.secondary_id ==
				     want[i].u.deleg.secondary_id))
				break;
		TEST_ASSERT(j < got.n, "record %u not restored", i);
		if (same_record(&want[i], &got.r[j]) < 0)
			return -1;
	}
	/* kinds in key order: bindings (IPv4 before IPv6), replay, deleg */
	TEST_ASSERT_EQUAL(got.r[0].kind, HAVEN_STORE_BINDING, "order");
	TEST_ASSERT_EQUAL(got.r[0].u.binding.home.family, HAVEN_AF_INET, "v4");
	TEST_ASSERT_EQUAL(got.r[2].u.binding.home.family, HAVEN_AF_INET6, "v6");
	TEST_ASSERT_EQUAL(got.r[6].kind, HAVEN_STORE_DELEG, "order");

	/* replace and delete */
	want[0].u.binding.coa[0].addr = a4("198.51.100.200");
	TEST_ASSERT_EQUAL(haven_store_put(s, &want[0]), 0, "replace");
	TEST_ASSERT_EQUAL(haven_store_delete(s, HAVEN_STORE_REPLAY,
		&want[4].u.replay.home, 0), 0, "delete");
	TEST_ASSERT_EQUAL(haven_store_delete(s, HAVEN_STORE_DELEG, NULL, 99), 0,
		"delete absent");
	TEST_ASSERT_EQUAL(haven_store_delete(s, HAVEN_STORE_META, NULL, 0),
		-EINVAL, "meta is not deleted");
	TEST_ASSERT_EQUAL(haven_store_tick(s), 3, "commit");
	got.n = 0;
	TEST_ASSERT_EQUAL(haven_store_restore(s, collect_cb, &got, err,
		sizeof(err)), 6, "restore");
	TEST_ASSERT(haven_addr_eq(&got.r[0].u.binding.coa[0].addr,
		&want[0].u.binding.coa[0].addr), "replaced");
	haven_store_close(s);
	return 0;
}

struct scan_ctx {
	uint8_t last[HAVEN_STORE_KEY_MAX];
	size_t last_len;
	unsigned int n;
	uint32_t first_i;
};

static int
scan_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
	size_t vlen)
{
	struct scan_ctx *c = ctx;
	struct haven_store_record r;

	(void)haven_store_decode(key, klen, val, vlen, &r, NULL, 0);
	if (c->n == 0)
		c->first_i = ntohl(r.u.binding.home.v4) - 0x0a000000u;
	memcpy(c->last, key, klen);
	c->last_len = klen;
	c->n++;
	return 0;
}

static int
test_scan_and_ranges(void)
{
	const char *path = new_path();
	struct scan_ctx sc;
	struct haven_store *s;
	struct haven_store_record r;
	uint8_t lo[HAVEN_STORE_KEY_MAX], hi[HAVEN_STORE_KEY_MAX];
	struct haven_addr h;
	struct haven_store_stats st;
	char err[512];
	unsigned int i, total = 0;
	int n, lo_len, hi_len;

	s = open_store(path, HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(s != NULL, "open: %s", err);
	for (i = 1; i <= 1000; i++) {
		r = binding4(i);
		TEST_ASSERT_EQUAL(haven_store_put(s, &r), 0, "put");
	}
	/* scan commits what is pending, and walks in slices */
	memset(&sc, 0, sizeof(sc));
	n = haven_store_scan(s, NULL, 0, 300, scan_cb, &sc);
	TEST_ASSERT_EQUAL(n, 300, "first slice");
	TEST_ASSERT_EQUAL(sc.first_i, 1, "first key");
	total = (unsigned int)n;
	for (;;) {
		uint8_t after[HAVEN_STORE_KEY_MAX];
		size_t after_len = sc.last_len;

		memcpy(after, sc.last, after_len);
		sc.n = 0;
		n = haven_store_scan(s, after, after_len, 300, scan_cb, &sc);
		TEST_ASSERT(n >= 0, "scan");
		if (total == 300)
			TEST_ASSERT_EQUAL(sc.first_i, 301, "no overlap, no gap");
		total += (unsigned int)n;
		if (n < 300)
			break;
	}
	TEST_ASSERT_EQUAL(total, 1000, "every record once");

	/* delete (10.0.0.100, 10.0.0.200]: 100 records */
	h = haven_addr4(htonl(0x0a000000u + 100));
	lo_len = haven_store_key(HAVEN_STORE_BINDING, &h, 0, lo);
	h = haven_addr4(htonl(0x0a000000u + 200));
	hi_len = haven_store_key(HAVEN_STORE_BINDING, &h, 0, hi);
	TEST_ASSERT_EQUAL(haven_store_delete_range(s, lo, (size_t)lo_len, hi,
		(size_t)hi_len), 0, "range");
	TEST_ASSERT_EQUAL(haven_store_tick(s), 1, "commit");
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.entries, 900, "entries after the range");
	memset(&sc, 0, sizeof(sc));
	TEST_ASSERT_EQUAL(haven_store_scan(s, lo, (size_t)lo_len, 1, scan_cb,
		&sc), 1, "after lo");
	TEST_ASSERT_EQUAL(sc.first_i, 201, "first after the hole");

	/* (10.0.0.900, end): the meta record stays */
	h = haven_addr4(htonl(0x0a000000u + 900));
	lo_len = haven_store_key(HAVEN_STORE_BINDING, &h, 0, lo);
	TEST_ASSERT_EQUAL(haven_store_delete_range(s, lo, (size_t)lo_len, NULL,
		0), 0, "to end");
	/* and everything before 10.0.0.50 from the start */
	h = haven_addr4(htonl(0x0a000000u + 50));
	hi_len = haven_store_key(HAVEN_STORE_BINDING, &h, 0, hi);
	TEST_ASSERT_EQUAL(haven_store_delete_range(s, NULL, 0, hi,
		(size_t)hi_len), 0, "from start");
	TEST_ASSERT_EQUAL(haven_store_tick(s), 2, "commit");
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.entries, 900 - 100 - 50, "entries");
	haven_store_close(s);
	s = open_store(path, HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(s != NULL, "meta survived the ranges: %s", err);
	memset(&sc, 0, sizeof(sc));
	TEST_ASSERT_EQUAL(haven_store_scan(s, NULL, 0, 5000, scan_cb, &sc),
		750, "after reopen");
	TEST_ASSERT_EQUAL(sc.first_i, 51, "first");
	haven_store_close(s);
	return 0;
}

/* Changes wait for the tick, or for max_batch. */
static int
test_buffering(void)
{
	struct haven_store_params p = {
		.path = new_path(),
		.sync = HAVEN_STORE_SYNC_NONE,
		.identity = IDENTITY,
		.max_batch = 10,
	};
	struct haven_store_stats st;
	struct haven_store_record r;
	struct haven_store *s;
	char err[512];
	uint64_t bytes = 0;
	uint8_t key[HAVEN_STORE_KEY_MAX], val[HAVEN_STORE_VALUE_MAX];
	size_t klen, vlen;
	unsigned int i;

	s = haven_store_open(&p, err, sizeof(err));
	TEST_ASSERT(s != NULL, "open: %s", err);
	for (i = 0; i < 9; i++) {
		r = binding4(i + 1);
		TEST_ASSERT_EQUAL(haven_store_put(s, &r), 0, "put");
		haven_store_encode(&r, key, &klen, val, &vlen);
		bytes += klen + vlen;
	}
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.commits, 0, "nothing committed before the tick");
	TEST_ASSERT_EQUAL(st.pending, 9, "pending");
	TEST_ASSERT_EQUAL(haven_store_tick(s), 9, "one transaction");
	TEST_ASSERT_EQUAL(haven_store_tick(s), 0, "nothing left");
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.commits, 1, "one commit");
	TEST_ASSERT_EQUAL(st.last_batch, 9, "of 9");
	TEST_ASSERT_EQUAL(st.puts, 9, "puts");
	TEST_ASSERT_EQUAL(st.bytes, bytes, "bytes");
	TEST_ASSERT_EQUAL(st.entries, 9, "entries");
	TEST_ASSERT(st.used_bytes > 0 && st.used_bytes <= st.map_size, "used");
	TEST_ASSERT_EQUAL(st.pending, 0, "pending");

	/* 25 changes with max_batch 10: two forced commits, 5 pending */
	for (i = 0; i < 25; i++) {
		r = replay4(i + 1);
		TEST_ASSERT_EQUAL(haven_store_put(s, &r), 0, "put");
	}
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.commits, 3, "forced commits");
	TEST_ASSERT_EQUAL(st.pending, 5, "pending");
	TEST_ASSERT_EQUAL(st.last_batch, 10, "batch");
	TEST_ASSERT_EQUAL(haven_store_tick(s), 5, "the rest");
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.entries, 34, "entries");
	TEST_ASSERT_EQUAL(st.errors, 0, "no errors");
	haven_store_close(s);
	return 0;
}

/* A busy loop's changes wait for a larger commit; an idle one's do not. */
static int
test_group_commit(void)
{
	struct haven_store_stats st;
	struct haven_store_record r;
	struct haven_store *s;
	char err[512];
	unsigned int i;

	s = open_store(new_path(), HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(s != NULL, "open: %s", err);
	TEST_ASSERT_EQUAL(haven_store_poll(s, false), 0, "nothing pending");
	for (i = 0; i < 10; i++) {
		r = binding4(i + 1);
		TEST_ASSERT_EQUAL(haven_store_put(s, &r), 0, "put");
	}
	TEST_ASSERT_EQUAL(haven_store_poll(s, true), 0, "busy: they wait");
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.pending, 10, "pending");
	TEST_ASSERT_EQUAL(st.commits, 0, "no commit");
	TEST_ASSERT_EQUAL(haven_store_poll(s, false), 10, "idle: committed");
	/* busy: one commit at HAVEN_STORE_GROUP_CHANGES */
	for (i = 0; i < HAVEN_STORE_GROUP_CHANGES; i++) {
		r = replay4(i + 1);
		TEST_ASSERT_EQUAL(haven_store_put(s, &r), 0, "put");
		TEST_ASSERT_EQUAL(haven_store_poll(s, true),
			i + 1 == HAVEN_STORE_GROUP_CHANGES ?
			HAVEN_STORE_GROUP_CHANGES : 0, "group of %u", i + 1);
	}
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.commits, 2, "two commits");
	TEST_ASSERT_EQUAL(st.last_batch, HAVEN_STORE_GROUP_CHANGES, "batch");
	/* busy: a change waits HAVEN_STORE_GROUP_MS at most */
	r = binding4(99);
	TEST_ASSERT_EQUAL(haven_store_put(s, &r), 0, "put");
	TEST_ASSERT_EQUAL(haven_store_poll(s, true), 0, "young: waits");
	usleep((HAVEN_STORE_GROUP_MS + 1) * 1000);
	TEST_ASSERT_EQUAL(haven_store_poll(s, true), 1, "old: committed");
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.entries, 10 + HAVEN_STORE_GROUP_CHANGES + 1,
		"entries");
	haven_store_close(s);
	return 0;
}

/* What the store holds, against a model: value generation per address. */
struct model_ctx {
	const uint32_t *gen;		/* 0: absent */
	unsigned int n, wrong;
};

static int
model_cb(void *ctx, const struct haven_store_record *r)
{
	struct model_ctx *c = ctx;
	uint32_t i = ntohl(r->u.binding.home.v4) - 0x0a000000u;

	if (r->kind != HAVEN_STORE_BINDING || i >= 1024 || c->gen[i] == 0 ||
	    r->u.binding.deleg_generation != c->gen[i])
		c->wrong++;
	c->n++;
	return 0;
}

/*
 * Commits that append (keys after the last, as a bulk resync sends them)
 * mixed with puts, replacements and deletions before and after the last
 * key, in random batches: after every commit the store holds exactly the
 * model.
 */
static int
test_append_mixed(void)
{
	static uint32_t gen[1024];
	struct haven_store_record r;
	struct model_ctx mc;
	struct haven_store *s;
	uint32_t seed = 12345, top = 0, g = 0, want;
	unsigned int round, k, n, i;
	char err[512];

	s = open_store(new_path(), HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(s != NULL, "open: %s", err);
	memset(gen, 0, sizeof(gen));
	for (round = 0; round < 200; round++) {
		n = 1 + (seed = seed * 1103515245u + 12345u) % 40;
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			switch ((seed >> 8) % 4) {
			case 0:		/* a run after the highest key */
			case 1:
				i = top < 1023 ? ++top : (seed >> 12) % 1024;
				break;
			default:	/* anywhere */
				i = (seed >> 12) % (top + 2 < 1024 ?
					top + 2 : 1024);
				break;
			}
			if ((seed >> 20) % 5 == 0) {
				TEST_ASSERT_EQUAL(haven_store_delete(s,
					HAVEN_STORE_BINDING,
					&(struct haven_addr){ .family =
					HAVEN_AF_INET, .v4 =
					htonl(0x0a000000u + i) }, 0), 0,
					"delete");
				gen[i] = 0;
			} else {
				r = binding4(i);
				r.u.binding.deleg_generation = ++g;
				TEST_ASSERT_EQUAL(haven_store_put(s, &r), 0,
					"put");
				gen[i] = g;
			}
		}
		TEST_ASSERT_EQUAL(haven_store_tick(s), (int)n, "commit");
		for (want = 0, i = 0; i < 1024; i++)
			want += gen[i] != 0;
		memset(&mc, 0, sizeof(mc));
		mc.gen = gen;
		TEST_ASSERT_EQUAL(haven_store_restore(s, model_cb, &mc, err,
			sizeof(err)), (int)want, "round %u: %s", round, err);
		TEST_ASSERT_EQUAL(mc.wrong, 0, "round %u: records as put",
			round);
	}
	haven_store_close(s);
	return 0;
}

/* A second process cannot open a store in use. */
static int
test_in_use(void)
{
	const char *path = new_path();
	struct haven_store *s, *t;
	char err[512];

	s = open_store(path, HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(s != NULL, "open: %s", err);
	t = open_store(path, HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(t == NULL && errno == EBUSY, "second open");
	TEST_ASSERT(strstr(err, "in use by another process") != NULL, "%s",
		err);
	haven_store_close(s);
	t = open_store(path, HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(t != NULL, "after close: %s", err);
	haven_store_close(t);
	return 0;
}

static int
observer_count;

static void
observer(void *ctx, int op, const uint8_t *key, size_t klen,
	const uint8_t *val, size_t vlen)
{
	(void)ctx;
	(void)key;
	(void)val;
	if (op == HAVEN_STORE_OP_PUT && klen == 6 && vlen > 0)
		observer_count++;
	else if (op == HAVEN_STORE_OP_DELETE && vlen == 0)
		observer_count += 100;
}

static int
test_observer(void)
{
	struct haven_store *s;
	struct haven_store_record r = binding4(3);
	char err[512];

	s = open_store(new_path(), HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(s != NULL, "open: %s", err);
	haven_store_set_observer(s, observer, NULL);
	haven_store_put(s, &r);
	haven_store_delete(s, HAVEN_STORE_BINDING, &r.u.binding.home, 0);
	TEST_ASSERT_EQUAL(observer_count, 101, "one put, one delete");
	r.u.binding.n_coa = 0;
	TEST_ASSERT_EQUAL(haven_store_put(s, &r), -EINVAL, "bad record");
	TEST_ASSERT_EQUAL(observer_count, 101, "a refused put is not seen");
	haven_store_close(s);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sync policies                                                      */
/* ------------------------------------------------------------------ */

static int
test_sync_policies(void)
{
	struct haven_store_params p = {
		.sync = HAVEN_STORE_SYNC_INTERVAL,
		.sync_interval_ms = 20,
		.identity = IDENTITY,
	};
	struct haven_store_stats st;
	struct haven_store_record r = binding4(1);
	struct haven_store *s;
	char err[512];
	int i;

	/* interval: the thread syncs once something was committed */
	p.path = new_path();
	s = haven_store_open(&p, err, sizeof(err));
	TEST_ASSERT(s != NULL, "open: %s", err);
	usleep(60000);
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.syncs, 0, "nothing committed, nothing synced");
	haven_store_put(s, &r);
	haven_store_tick(s);
	for (i = 0; i < 100; i++) {
		usleep(10000);
		haven_store_stats_get(s, &st);
		if (st.syncs > 0)
			break;
	}
	TEST_ASSERT(st.syncs >= 1, "synced by the thread");
	usleep(60000);
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.syncs, 1, "no sync without a new commit");
	haven_store_put(s, &r);
	TEST_ASSERT_EQUAL(haven_store_flush(s), 1, "flush commits");
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.syncs, 2, "flush syncs");
	haven_store_close(s);

	/* none: never synced by the store */
	p.path = new_path();
	p.sync = HAVEN_STORE_SYNC_NONE;
	s = haven_store_open(&p, err, sizeof(err));
	TEST_ASSERT(s != NULL, "open: %s", err);
	haven_store_put(s, &r);
	haven_store_flush(s);
	usleep(50000);
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.syncs, 0, "none");
	TEST_ASSERT_EQUAL(st.commits, 1, "committed");
	haven_store_close(s);

	TEST_ASSERT(strcmp(haven_store_sync_name(HAVEN_STORE_SYNC_INTERVAL),
		"interval") == 0, "name");
	return 0;
}

/* A full map: the commit fails, the error is counted, nothing is lost. */
static int
test_map_full(void)
{
	struct haven_store_params p = {
		.path = new_path(),
		.sync = HAVEN_STORE_SYNC_NONE,
		.identity = IDENTITY,
		.map_size = 1 << 20,
		.max_batch = 100000,
	};
	struct collected got = { .n = 0 };
	struct haven_store_stats st;
	struct haven_store_record r;
	struct haven_store *s;
	char err[512];
	unsigned int i;
	int rc;

	s = haven_store_open(&p, err, sizeof(err));
	TEST_ASSERT(s != NULL, "open: %s", err);
	r = binding4(1);
	haven_store_put(s, &r);
	TEST_ASSERT_EQUAL(haven_store_tick(s), 1, "first commit fits");
	for (i = 0; i < 20000; i++) {
		r = binding6(i);
		haven_store_put(s, &r);
	}
	rc = haven_store_tick(s);
	TEST_ASSERT_EQUAL(rc, -ENOSPC, "map full");
	haven_store_stats_get(s, &st);
	TEST_ASSERT_EQUAL(st.errors, 1, "counted");
	TEST_ASSERT_EQUAL(st.last_error, MDB_MAP_FULL, "LMDB's code");
	TEST_ASSERT_EQUAL(st.pending, 20000, "kept for a retry");
	TEST_ASSERT_EQUAL(st.commits, 1, "one commit");
	haven_store_close(s);	/* its commit fails the same way */

	p.map_size = 64 << 20;
	s = haven_store_open(&p, err, sizeof(err));
	TEST_ASSERT(s != NULL, "reopen larger: %s", err);
	TEST_ASSERT_EQUAL(haven_store_restore(s, collect_cb, &got, err,
		sizeof(err)), 1, "the committed record, intact");
	haven_store_close(s);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Broken stores                                                      */
/* ------------------------------------------------------------------ */

static int
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fwrite(data, 1, len, f);
	fclose(f);
	return 0;
}

/* An LMDB environment written directly: someone else's, or crafted. */
static int
raw_lmdb(const char *dir, const void *key, size_t klen, const void *val,
	size_t vlen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)(uintptr_t)key };
	MDB_val v = { vlen, (void *)(uintptr_t)val };
	int rc;

	mkdir(dir, 0700);
	rc = mdb_env_create(&env);
	rc = rc ? rc : mdb_env_open(env, dir, 0, 0600);
	rc = rc ? rc : mdb_txn_begin(env, NULL, 0, &txn);
	rc = rc ? rc : mdb_dbi_open(txn, NULL, 0, &dbi);
	rc = rc ? rc : mdb_put(txn, dbi, &k, &v, 0);
	rc = rc ? rc : mdb_txn_commit(txn);
	mdb_env_close(env);
	return rc;
}

static bool
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* The message names the problem and the way forward. */
static int
check_refusal(const char *path, int want_errno, const char *what)
{
	struct haven_store *s;
	char err[1024];

	s = open_store(path, HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(s == NULL, "%s: opened", what);
	TEST_ASSERT_EQUAL(errno, want_errno, "%s: errno (%s)", what, err);
	TEST_ASSERT(strstr(err, what) != NULL, "want \"%s\" in: %s", what,
		err);
	TEST_ASSERT(strstr(err, "--store-reset") != NULL &&
		strstr(err, "move the directory aside") != NULL,
		"no way forward in: %s", err);
	TEST_ASSERT(strstr(err, path) != NULL, "path not named: %s", err);
	return 0;
}

static int
test_broken_stores(void)
{
	char path[256], file[300], err[1024];
	struct haven_store_record r;
	uint8_t key[HAVEN_STORE_KEY_MAX], val[HAVEN_STORE_VALUE_MAX];
	size_t klen, vlen;
	struct haven_store *s;
	uint8_t junk[8192];
	unsigned int i;

	/* garbage where data.mdb should be */
	snprintf(path, sizeof(path), "%s", new_path());
	mkdir(path, 0700);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	snprintf(file, sizeof(file), "%s/data.mdb", path);
	write_file(file, junk, sizeof(junk));
	if (check_refusal(path, ENOTRECOVERABLE, "not an LMDB store") < 0)
		return -1;
	TEST_ASSERT(exists(file), "left as it was");

	/* someone else's LMDB environment */
	snprintf(path, sizeof(path), "%s", new_path());
	TEST_ASSERT_EQUAL(raw_lmdb(path, "user:42", 7, "{\"x\":1}", 7), 0,
		"raw lmdb");
	if (check_refusal(path, EMEDIUMTYPE, "not a Haven store") < 0)
		return -1;

	/* a meta record with the wrong magic */
	memset(&r, 0, sizeof(r));
	r.kind = HAVEN_STORE_META;
	r.u.meta.format = HAVEN_STORE_FORMAT;
	snprintf(r.u.meta.identity, sizeof(r.u.meta.identity), IDENTITY);
	haven_store_encode(&r, key, &klen, val, &vlen);
	val[4] = 'X';
	snprintf(path, sizeof(path), "%s", new_path());
	raw_lmdb(path, key, klen, val, vlen);
	if (check_refusal(path, EMEDIUMTYPE, "magic") < 0)
		return -1;

	/* a newer format */
	r.u.meta.format = HAVEN_STORE_FORMAT + 1;
	haven_store_encode(&r, key, &klen, val, &vlen);
	snprintf(path, sizeof(path), "%s", new_path());
	raw_lmdb(path, key, klen, val, vlen);
	if (check_refusal(path, EPROTONOSUPPORT, "written by a newer Haven") < 0)
		return -1;

	/* another agent's store */
	snprintf(r.u.meta.identity, sizeof(r.u.meta.identity), "ha 192.0.2.9");
	r.u.meta.format = HAVEN_STORE_FORMAT;
	r.u.meta.agent_id = 9;
	haven_store_encode(&r, key, &klen, val, &vlen);
	snprintf(path, sizeof(path), "%s", new_path());
	raw_lmdb(path, key, klen, val, vlen);
	if (check_refusal(path, EMEDIUMTYPE, "belongs to the agent \"ha 192.0.2.9\"") < 0)
		return -1;

	/* reset moves it aside, keeps it, and starts empty */
	{
		struct haven_store_params p = {
			.path = path,
			.sync = HAVEN_STORE_SYNC_NONE,
			.identity = IDENTITY,
			.reset = true,
		};
		struct collected got = { .n = 0 };
		char moved[400], *start, *end;

		s = haven_store_open(&p, err, sizeof(err));
		TEST_ASSERT(s != NULL, "reset: %s", err);
		TEST_ASSERT(strstr(err, "reset: the old store was moved to") !=
			NULL, "says so: %s", err);
		start = strstr(err, "moved to ") + strlen("moved to ");
		end = strchr(start, ' ');
		snprintf(moved, sizeof(moved), "%.*s/data.mdb",
			(int)(end - start), start);
		TEST_ASSERT(exists(moved), "old store kept at %s", moved);
		TEST_ASSERT_EQUAL(haven_store_restore(s, collect_cb, &got,
			err, sizeof(err)), 0, "new store empty");
		TEST_ASSERT(strcmp(haven_store_meta(s)->identity, IDENTITY) ==
			0, "ours now");
		haven_store_close(s);
	}
	return 0;
}

/* A data file cut short, and a value corrupted in place. */
static int
test_truncated_and_corrupt(void)
{
	char path[256], file[300], err[1024];
	struct collected got = { .n = 0 };
	struct haven_store_record r;
	struct haven_store *s;
	struct stat sb;
	unsigned int i;
	uint8_t *buf;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s", new_path());
	s = open_store(path, HAVEN_STORE_SYNC_EVERY_COMMIT, err, sizeof(err));
	TEST_ASSERT(s != NULL, "open: %s", err);
	for (i = 1; i <= 2000; i++) {
		r = binding4(i);
		haven_store_put(s, &r);
	}
	haven_store_tick(s);
	haven_store_close(s);
	snprintf(file, sizeof(file), "%s/data.mdb", path);
	TEST_ASSERT(stat(file, &sb) == 0 && sb.st_size > 65536, "size");

	/* corrupt a value: the family octet of one care-of address */
	buf = malloc((size_t)sb.st_size);
	f = fopen(file, "r+");
	TEST_ASSERT(buf != NULL && f != NULL, "read");
	TEST_ASSERT(fread(buf, 1, (size_t)sb.st_size, f) == (size_t)sb.st_size,
		"read");
	{
		/* CoA of binding 777: 198.51.100.(777 & 0xff), lifetime 1800 */
		const uint8_t pat[] = { 0x04, 198, 51, 100, 777 & 0xff,
			0, 0, 0x07, 0x08 };
		off_t at = -1, o;

		for (o = 0; o + (off_t)sizeof(pat) <= sb.st_size; o++)
			if (memcmp(buf + o, pat, sizeof(pat)) == 0) {
				at = o;
				break;
			}
		TEST_ASSERT(at >= 0, "pattern found");
		fseek(f, at, SEEK_SET);
		fputc(0x09, f);
	}
	fclose(f);
	free(buf);
	s = open_store(path, HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(s != NULL, "a corrupted value does not stop the open: %s",
		err);
	rc = haven_store_restore(s, collect_cb, &got, err, sizeof(err));
	TEST_ASSERT_EQUAL(rc, -EBADMSG, "restore refuses it");
	TEST_ASSERT(strstr(err, "care-of address 1 of family 9") != NULL &&
		strstr(err, "--store-reset") != NULL &&
		strstr(err, "binding 10.0.") != NULL, "%s", err);
	haven_store_close(s);

	/* truncate the data file to half */
	TEST_ASSERT(truncate(file, sb.st_size / 2) == 0, "truncate");
	if (check_refusal(path, ENOTRECOVERABLE, "truncated") < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* kill -9 in the middle of commits                                   */
/* ------------------------------------------------------------------ */

#define KILL_BINDINGS 50

/*
 * Child: batch k rewrites KILL_BINDINGS bindings and one replay record,
 * all stamped k, in one transaction, then reports k on the pipe.
 */
static void
kill_child(const char *path, enum haven_store_sync sync, int fd)
{
	struct haven_store_record r;
	struct haven_store *s;
	char err[512];
	uint64_t k;
	unsigned int i;

	s = open_store(path, sync, err, sizeof(err));
	if (s == NULL)
		_exit(2);
	for (k = 1;; k++) {
		for (i = 0; i < KILL_BINDINGS; i++) {
			r = binding4(i + 1);
			r.u.binding.registered_ms = k;
			r.u.binding.deleg_generation = (uint32_t)k;
			if (haven_store_put(s, &r) < 0)
				_exit(3);
		}
		r = replay4(1);
		r.u.replay.mip4_id = k;
		haven_store_put(s, &r);
		if (haven_store_tick(s) != KILL_BINDINGS + 1)
			_exit(4);
		if (write(fd, &k, sizeof(k)) != sizeof(k))
			_exit(5);
	}
}

struct kill_check {
	uint64_t stamp;
	unsigned int bindings, mixed;
	uint64_t replay;
};

static int
kill_cb(void *ctx, const struct haven_store_record *r)
{
	struct kill_check *c = ctx;

	if (r->kind == HAVEN_STORE_BINDING) {
		if (c->bindings == 0)
			c->stamp = r->u.binding.registered_ms;
		else if (r->u.binding.registered_ms != c->stamp)
			c->mixed++;
		c->bindings++;
	} else if (r->kind == HAVEN_STORE_REPLAY) {
		c->replay = r->u.replay.mip4_id;
	}
	return 0;
}

static int
kill_round(enum haven_store_sync sync, unsigned int delay_ms)
{
	const char *p = new_path();
	char path[256], err[512];
	struct kill_check c = { 0 };
	struct haven_store *s;
	uint64_t k, last = 0;
	int fds[2], status;
	pid_t pid;
	ssize_t n;

	snprintf(path, sizeof(path), "%s", p);
	TEST_ASSERT(pipe(fds) == 0, "pipe");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		close(fds[0]);
		kill_child(path, sync, fds[1]);
	}
	close(fds[1]);
	usleep(delay_ms * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	TEST_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		"child killed, not exited (%d)", status);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	while ((n = read(fds[0], &k, sizeof(k))) == sizeof(k))
		last = k;
	close(fds[0]);

	s = open_store(path, HAVEN_STORE_SYNC_NONE, err, sizeof(err));
	TEST_ASSERT(s != NULL, "reopen after kill -9: %s", err);
	TEST_ASSERT(haven_store_restore(s, kill_cb, &c, err, sizeof(err)) >= 0,
		"restore: %s", err);
	haven_store_close(s);
	printf("     kill -9 after %3u ms (%s): child saw %llu commits, store holds batch %llu\n",
		delay_ms, haven_store_sync_name(sync),
		(unsigned long long)last, (unsigned long long)c.stamp);
	if (last == 0 && c.bindings == 0)
		return 0;	/* killed before its first commit */
	TEST_ASSERT_EQUAL(c.bindings, KILL_BINDINGS, "whole batch");
	TEST_ASSERT_EQUAL(c.mixed, 0, "never half a batch");
	TEST_ASSERT(c.replay == c.stamp, "replay record of the same batch");
	TEST_ASSERT(c.stamp >= last, "committed batches survive (%llu < %llu)",
		(unsigned long long)c.stamp, (unsigned long long)last);
	TEST_ASSERT(c.stamp <= last + 1, "at most the one not yet reported");
	return 0;
}

static int
test_kill9(void)
{
	static const unsigned int delays[] = { 30, 77, 150 };
	unsigned int i;

	srand((unsigned int)time(NULL));
	for (i = 0; i < 3; i++) {
		if (kill_round(HAVEN_STORE_SYNC_EVERY_COMMIT,
				delays[i] + (unsigned int)(rand() % 20)) < 0)
			return -1;
		if (kill_round(HAVEN_STORE_SYNC_NONE,
				delays[i] + (unsigned int)(rand() % 20)) < 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Benchmark: commits with fsync on and off (printed, not asserted)   */
/* ------------------------------------------------------------------ */

static double
commit_rate(enum haven_store_sync sync, unsigned int batch,
	unsigned int commits)
{
	struct haven_store_record r;
	struct haven_store *s;
	char err[512];
	uint64_t t0, dt;
	unsigned int i, j;

	s = open_store(new_path(), sync, err, sizeof(err));
	if (s == NULL)
		return 0;
	t0 = now_us();
	for (i = 0; i < commits; i++) {
		for (j = 0; j < batch; j++) {
			r = binding4((i * batch + j) % 100000 + 1);
			haven_store_put(s, &r);
		}
		haven_store_tick(s);
	}
	dt = now_us() - t0;
	haven_store_close(s);
	return dt > 0 ? (double)commits * batch * 1e6 / (double)dt : 0;
}

static int
test_bench(void)
{
	double on, off, on_b, off_b;

	off = commit_rate(HAVEN_STORE_SYNC_NONE, 1, 2000);
	on = commit_rate(HAVEN_STORE_SYNC_EVERY_COMMIT, 1, 300);
	off_b = commit_rate(HAVEN_STORE_SYNC_NONE, 100, 300);
	on_b = commit_rate(HAVEN_STORE_SYNC_EVERY_COMMIT, 100, 100);
	printf("     bench: 1 change/commit: sync on %.0f/s, off %.0f/s, ratio on/off %.3f\n",
		on, off, off > 0 ? on / off : 0);
	printf("     bench: 100 changes/commit: sync on %.0f/s, off %.0f/s, ratio on/off %.3f\n",
		on_b, off_b, off_b > 0 ? on_b / off_b : 0);
	TEST_ASSERT(on > 0 && off > 0 && on_b > 0 && off_b > 0, "ran");
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

int
main(void)
{
	int passed = 0, failed = 0;

	if (mkdtemp(tmp_root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	TEST_RUN(test_codec_round_trips);
	TEST_RUN(test_codec_pinned_bytes);
	TEST_RUN(test_codec_refusals);
	TEST_RUN(test_store_round_trip);
	TEST_RUN(test_scan_and_ranges);
	TEST_RUN(test_buffering);
	TEST_RUN(test_group_commit);
	TEST_RUN(test_append_mixed);
	TEST_RUN(test_in_use);
	TEST_RUN(test_observer);
	TEST_RUN(test_sync_policies);
	TEST_RUN(test_map_full);
	TEST_RUN(test_broken_stores);
	TEST_RUN(test_truncated_and_corrupt);
	TEST_RUN(test_kill9);
	TEST_RUN(test_bench);
	nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	TEST_SUMMARY();
}
