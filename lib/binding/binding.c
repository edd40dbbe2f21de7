/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The binding table: home address -> mobility binding, written by the
 * control lcore and read without locks by the workers. This file is the
 * one implementation of both the IPv4 table (its public API is at the
 * end) and the IPv6 table (binding6.c): the core below knows a record
 * only by its size, its key length and the offsets of its slot and
 * generation (struct binding_type in binding_private.h).
 *
 * The index is an rte_hash in lock-free read/write concurrency mode whose
 * data pointer is a record from a preallocated, cache-aligned pool. The
 * writer never changes a published record: it fills a free record and
 * swaps the hash's data pointer (rte_hash_add_key_data stores it with
 * release order). A replaced or removed record, together with the hash key
 * slot and counter slot of a removed binding, goes onto one RCU defer queue
 * and returns to the writer's free lists when every reader has reported
 * quiescent since. Freed records are poisoned so a reader that kept one too
 * long sees garbage at once rather than plausible stale data.
 *
 * Everything except lookup, lookup_bulk and counters_row is writer only;
 * the free lists and statistics are plain writer-owned variables.
 */

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_rcu_qsbr.h>
#include <rte_string_fns.h>

#include "haven_binding.h"
#include "binding_private.h"

RTE_LOG_REGISTER(haven_binding_logtype, haven.binding, NOTICE);

#define BINDING_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, haven_binding_logtype, \
		"binding: " fmt "\n", ## __VA_ARGS__)

/*
 * The hash gets 25% more entries than the capacity: a cuckoo hash cannot
 * always fill every bucket, and the extendable table absorbs what is left.
 */
#define BINDING_HASH_HEADROOM(cap)	((cap) + (cap) / 4)

/* Smallest rte_hash we create (it wants at least a few buckets). */
#define BINDING_HASH_MIN_ENTRIES	64

/*
 * Spare records beyond capacity: they carry replacements while the records
 * they replace wait for their grace period, which ends within a worker
 * loop and is noticed at the next reclaim (every 10 ms on the control
 * lcore). A sixteenth of the capacity, at least this many: at 1M bindings
 * 65536 spares absorb 100K changes per second with a reclaim every half
 * second. Each spare costs a 128-byte record.
 */
#define BINDING_SPARE_DIV		16
#define BINDING_SPARE_MIN		256

/*
 * Automatic reclamation inside publish/remove: once this many records
 * wait on the defer queue, each enqueue tries to free up to
 * BINDING_DQ_MAX_RECLAIM of them.
 */
#define BINDING_DQ_TRIGGER		32
#define BINDING_DQ_MAX_RECLAIM		64

/* Byte written over a record when it returns to the free list. */
#define BINDING_POISON			0xdb

/* No key position: the deferred record was replaced, not removed. */
#define BINDING_NO_POS			UINT32_MAX

/* What waits on the defer queue (a multiple of 4 bytes, as it must be). */
struct binding_deferred {
	uint32_t rec;		/* record index */
	uint32_t key_pos;	/* hash key position to free, or NO_POS */
	uint32_t slot;		/* counter slot to release, with key_pos */
	uint32_t pad;
};


/* ------------------------------------------------------------------ */
/* Free lists                                                          */
/* ------------------------------------------------------------------ */

static inline void *
rec_at(const struct binding_core *t, uint32_t idx)
{
	return t->recs + (size_t)idx * t->type->rec_size;
}

static inline uint32_t
rec_index(const struct binding_core *t, const void *r)
{
	return (uint32_t)(((const uint8_t *)r - t->recs) / t->type->rec_size);
}

static inline uint32_t
rec_u32(const struct binding_core *t, const void *r, size_t off)
{
	uint32_t v;

	RTE_SET_USED(t);
	memcpy(&v, (const uint8_t *)r + off, sizeof(v));
	return v;
}

static inline void
rec_set_u32(void *r, size_t off, uint32_t v)
{
	memcpy((uint8_t *)r + off, &v, sizeof(v));
}

static void
rec_put(struct binding_core *t, uint32_t idx)
{
	memset(rec_at(t, idx), BINDING_POISON, t->type->rec_size);
	t->free_recs[t->n_free_recs++] = idx;
}

static void
slot_put(struct binding_core *t, uint32_t slot)
{
	unsigned int i;

	/* No reader can reach this slot any more: start it from zero. */
	for (i = 0; i < t->n_readers; i++)
		memset(&t->counters[(size_t)i * t->row_stride + slot], 0,
			sizeof(struct haven_binding_counters));
	t->free_slots[t->n_free_slots++] = slot;
}

/*
 * Defer queue callback: the grace period of these entries is over, no
 * reader holds their record, key slot or counter slot any more.
 *
 * Removal frees the hash key slot here with rte_hash_free_key_with_position
 * rather than through rte_hash_rcu_qsbr_add: the replaced records need a
 * defer queue of ours anyway, and one queue keeps the record, the key slot
 * and the counter slot of a removed binding together, freed in one place,
 * by one reclaim call. It also keeps "live + waiting keys <= capacity"
 * (each waiting key holds a counter slot), so the hash never runs out of
 * key slots.
 */
static void
deferred_free(void *p, void *e, unsigned int n)
{
	struct binding_core *t = p;
	struct binding_deferred *d = e;
	unsigned int i;

	for (i = 0; i < n; i++, d++) {
		if (d->key_pos != BINDING_NO_POS) {
			if (rte_hash_free_key_with_position(t->h,
					(int32_t)d->key_pos) != 0)
				BINDING_LOG(ERR, "%s: cannot free key slot %u",
					t->name, d->key_pos);
			slot_put(t, d->slot);
		}
		rec_put(t, d->rec);
		t->pending--;
		t->reclaimed++;
	}
}

static void
defer(struct binding_core *t, const void *r,
		uint32_t key_pos, uint32_t slot)
{
	struct binding_deferred d = {
		.rec = rec_index(t, r),
		.key_pos = key_pos,
		.slot = slot,
	};

	/*
	 * The queue holds as many entries as there are spare records:
	 * publish refuses a replacement when it is full, so it overflows
	 * only when many bindings are removed at once (mass expiry,
	 * shutdown). Then wait for one grace period here (the control lcore
	 * may block; it lasts one worker loop), after which everything
	 * queued is reclaimable, rather than leak or free too early.
	 */
	if (t->pending >= t->dq_size) {
		binding_core_reclaim(t);
		if (t->pending >= t->dq_size) {
			rte_rcu_qsbr_synchronize(t->qsbr,
					RTE_QSBR_THRID_INVALID);
			binding_core_reclaim(t);
		}
	}
	t->pending++;
	if (rte_rcu_qsbr_dq_enqueue(t->dq, &d) == 0)
		return;
	BINDING_LOG(ERR, "%s: defer queue enqueue failed (%s), synchronizing",
		t->name, rte_strerror(rte_errno));
	rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
	deferred_free(t, &d, 1);
}

/* ------------------------------------------------------------------ */
/* Core: create and free                                               */
/* ------------------------------------------------------------------ */

/*
 * The table struct of either family (struct haven_binding_table or
 * struct haven_binding6_table, both a struct binding_core), or NULL with
 * rte_errno set.
 */
void *
binding_core_create(const struct binding_type *type, const char *name,
		uint32_t capacity, unsigned int n_readers,
		struct rte_rcu_qsbr *qsbr, int socket_id)
{
	struct rte_rcu_qsbr_dq_parameters dp;
	struct rte_hash_parameters hp;
	struct binding_core *t;
	char obj_name[RTE_HASH_NAMESIZE];
	uint64_t hash_entries;
	uint32_t spare, i;
	size_t len;

	if (name == NULL || qsbr == NULL || capacity == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	len = strnlen(name, HAVEN_BINDING_NAME_MAX + 1);
	if (len == 0 || len > HAVEN_BINDING_NAME_MAX) {
		BINDING_LOG(ERR, "table name must be 1..%d characters",
			HAVEN_BINDING_NAME_MAX);
		rte_errno = EINVAL;
		return NULL;
	}
	hash_entries = RTE_MAX((uint64_t)BINDING_HASH_HEADROOM(
			(uint64_t)capacity), (uint64_t)BINDING_HASH_MIN_ENTRIES);
	if (hash_entries > RTE_HASH_ENTRIES_MAX) {
		BINDING_LOG(ERR, "%s: capacity %u too large", name, capacity);
		rte_errno = EINVAL;
		return NULL;
	}
	spare = RTE_MAX(capacity / BINDING_SPARE_DIV,
			(uint32_t)BINDING_SPARE_MIN);

	t = rte_zmalloc_socket("haven_binding_table", sizeof(*t),
		RTE_CACHE_LINE_SIZE, socket_id);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	strlcpy(t->name, name, sizeof(t->name));
	t->type = type;
	t->qsbr = qsbr;
	t->capacity = capacity;
	t->n_recs = capacity + spare;
	t->dq_size = spare;
	t->n_readers = n_readers;
	/* Rows start on a cache line so two workers never share one. */
	t->row_stride = RTE_ALIGN_CEIL(capacity,
		RTE_CACHE_LINE_SIZE / sizeof(struct haven_binding_counters));

	t->recs = rte_malloc_socket("haven_binding_recs",
		(size_t)t->n_recs * type->rec_size,
		RTE_CACHE_LINE_SIZE, socket_id);
	t->free_recs = rte_malloc_socket("haven_binding_free_recs",
		(size_t)t->n_recs * sizeof(uint32_t), 0, socket_id);
	t->free_slots = rte_malloc_socket("haven_binding_free_slots",
		(size_t)capacity * sizeof(uint32_t), 0, socket_id);
	if (n_readers > 0)
		t->counters = rte_zmalloc_socket("haven_binding_counters",
			(size_t)n_readers * t->row_stride *
			sizeof(struct haven_binding_counters),
			RTE_CACHE_LINE_SIZE, socket_id);
	if (t->recs == NULL || t->free_recs == NULL ||
			t->free_slots == NULL ||
			(n_readers > 0 && t->counters == NULL)) {
		BINDING_LOG(ERR, "%s: cannot allocate %u records", name,
			t->n_recs);
		rte_errno = ENOMEM;
		goto fail;
	}

	/* Stacks pop from the top: hand out record 0 and slot 0 first. */
	for (i = 0; i < t->n_recs; i++)
		rec_put(t, t->n_recs - 1 - i);
	for (i = 0; i < capacity; i++)
		t->free_slots[t->n_free_slots++] = capacity - 1 - i;

	snprintf(obj_name, sizeof(obj_name), "%s_%s", type->prefix, name);
	hp = (struct rte_hash_parameters){
		.name = obj_name,
		.entries = (uint32_t)hash_entries,
		.key_len = type->key_len,
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	t->h = rte_hash_create(&hp);
	if (t->h == NULL) {
		BINDING_LOG(ERR, "%s: rte_hash_create: %s", name,
			rte_strerror(rte_errno));
		goto fail;
	}

	snprintf(obj_name, sizeof(obj_name), "%sq_%s", type->prefix, name);
	dp = (struct rte_rcu_qsbr_dq_parameters){
		.name = obj_name,
		/* One writer enqueues and reclaims. */
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE,
		/*
		 * As many waiting records as there are spares: more wait
		 * only when many bindings are removed at once, and defer()
		 * then ends a grace period by waiting for it.
		 */
		.size = t->dq_size,
		.esize = sizeof(struct binding_deferred),
		.trigger_reclaim_limit = BINDING_DQ_TRIGGER,
		.max_reclaim_size = BINDING_DQ_MAX_RECLAIM,
		.free_fn = deferred_free,
		.p = t,
		.v = qsbr,
	};
	t->dq = rte_rcu_qsbr_dq_create(&dp);
	if (t->dq == NULL) {
		BINDING_LOG(ERR, "%s: rte_rcu_qsbr_dq_create: %s", name,
			rte_strerror(rte_errno));
		goto fail;
	}

	BINDING_LOG(INFO, "%s: capacity %u, %u records of %zu bytes, "
		"%u readers", name, capacity, t->n_recs, type->rec_size,
		n_readers);
	return t;

fail:
	{
		int err = rte_errno;

		rte_hash_free(t->h);
		rte_free(t->counters);
		rte_free(t->free_slots);
		rte_free(t->free_recs);
		rte_free(t->recs);
		rte_free(t);
		rte_errno = err;
	}
	return NULL;
}

void
binding_core_free(struct binding_core *t)
{
	if (t == NULL)
		return;

	/* Runs deferred_free for the rest: needs the hash and free lists. */
	if (rte_rcu_qsbr_dq_delete(t->dq) != 0)
		BINDING_LOG(ERR, "%s: %u records still in a grace period "
			"(readers online?): defer queue leaked",
			t->name, t->pending);
	rte_hash_free(t->h);
	rte_free(t->counters);
	rte_free(t->free_slots);
	rte_free(t->free_recs);
	rte_free(t->recs);
	rte_free(t);
}

/* ------------------------------------------------------------------ */
/* Core: writer                                                        */
/* ------------------------------------------------------------------ */

/*
 * Publish b (a record of the table's type, key at offset 0, already
 * checked by the caller). The caller's slot and generation are ignored.
 */
int
binding_core_publish(struct binding_core *t, const void *b)
{
	const struct binding_type *type = t->type;
	void *old, *rec;
	uint32_t slot, rec_idx;
	int ret;

	old = (void *)(uintptr_t)binding_core_lookup(t, b);

	if (old == NULL) {
		if (t->count >= t->capacity)
			return -ENOSPC;
		/* Slots of recently removed bindings may be on their way. */
		if (t->n_free_slots == 0)
			binding_core_reclaim(t);
		if (t->n_free_slots == 0)
			return -ENOSPC;
	}
	/* A replacement defers a record: the defer queue needs room too. */
	if (t->n_free_recs == 0 || t->pending >= t->dq_size)
		binding_core_reclaim(t);
	if (t->n_free_recs == 0 || (old != NULL && t->pending >= t->dq_size)) {
		t->no_record++;
		return -ENOMEM;
	}

	if (old != NULL)
		slot = rec_u32(t, old, type->slot_off);
	else
		slot = t->free_slots[--t->n_free_slots];
	rec_idx = t->free_recs[--t->n_free_recs];
	rec = rec_at(t, rec_idx);

	memcpy(rec, b, type->rec_size);
	rec_set_u32(rec, type->slot_off, slot);
	rec_set_u32(rec, type->gen_off, old != NULL ?
		rec_u32(t, old, type->gen_off) + 1 : 1);
	type->finish(rec);

	/* Publishes the record with release order: readers see it whole. */
	ret = rte_hash_add_key_data(t->h, rec, rec);
	if (ret < 0) {
		BINDING_LOG(ERR, "%s: rte_hash_add_key_data: %s", t->name,
			rte_strerror(-ret));
		rec_put(t, rec_idx);
		if (old == NULL)
			t->free_slots[t->n_free_slots++] = slot;
		return ret == -ENOSPC ? -ENOSPC : -ENOMEM;
	}

	if (old != NULL) {
		t->replaces++;
		defer(t, old, BINDING_NO_POS, 0);
	} else {
		t->inserts++;
		t->count++;
	}
	return 0;
}

int
binding_core_remove(struct binding_core *t, const void *key)
{
	const void *old;
	int32_t pos;

	old = binding_core_lookup(t, key);
	if (old == NULL)
		return -ENOENT;

	/*
	 * In lock-free mode the hash keeps the key slot (readers may still
	 * be comparing against it); deferred_free releases it.
	 */
	pos = rte_hash_del_key(t->h, key);
	if (pos < 0)
		return -ENOENT;

	t->count--;
	t->removes++;
	defer(t, old, (uint32_t)pos, rec_u32(t, old, t->type->slot_off));
	return 0;
}

void
binding_core_reclaim(struct binding_core *t)
{
	unsigned int freed, pending, available;

	if (t == NULL || t->pending == 0)
		return;
	rte_rcu_qsbr_dq_reclaim(t->dq, t->n_recs, &freed, &pending,
		&available);
}

/* ------------------------------------------------------------------ */
/* Core: counters and queries                                          */
/* ------------------------------------------------------------------ */

struct haven_binding_counters *
binding_core_counters_row(struct binding_core *t, unsigned int reader_id)
{
	if (t == NULL || reader_id >= t->n_readers)
		return NULL;
	return &t->counters[(size_t)reader_id * t->row_stride];
}

const void *
binding_core_iterate(const struct binding_core *t, uint32_t *next)
{
	const void *key;
	void *data;

	if (rte_hash_iterate(t->h, &key, &data, next) < 0)
		return NULL;
	return data;
}

void
binding_core_counters_sum(const struct binding_core *t, uint32_t slot,
		struct haven_binding_counters *sum)
{
	const struct haven_binding_counters *c;
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	if (slot >= t->capacity)
		return;
	for (i = 0; i < t->n_readers; i++) {
		c = &t->counters[(size_t)i * t->row_stride + slot];
		/* Workers increment these; 64-bit loads are not torn. */
		sum->pkts += __atomic_load_n(&c->pkts, __ATOMIC_RELAXED);
		sum->bytes += __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
		sum->rev_pkts += __atomic_load_n(&c->rev_pkts,
			__ATOMIC_RELAXED);
		sum->rev_bytes += __atomic_load_n(&c->rev_bytes,
			__ATOMIC_RELAXED);
	}
}

void
binding_core_stats_get(const struct binding_core *t,
		struct haven_binding_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->capacity = t->capacity;
	st->count = t->count;
	st->records_total = t->n_recs;
	st->records_free = t->n_free_recs;
	st->slots_free = t->n_free_slots;
	st->pending = t->pending;
	st->inserts = t->inserts;
	st->replaces = t->replaces;
	st->removes = t->removes;
	st->reclaimed = t->reclaimed;
	st->no_record = t->no_record;
}

/* ------------------------------------------------------------------ */
/* IPv4 table (haven_binding.h)                                        */
/* ------------------------------------------------------------------ */

/* Protocol of a tunnel's outer IPv4 header, 0 when there is none. */
static uint8_t
outer_proto(uint8_t encap)
{
	switch (encap) {
	case HAVEN_ENCAP_IPIP:
		return 4;
	case HAVEN_ENCAP_GRE:
		return 47;
	case HAVEN_ENCAP_UDP:
		return 17;
	default:
		return 0;
	}
}

static uint32_t
sum32(uint32_t nbo)
{
	uint32_t h = rte_be_to_cpu_32(nbo);

	return (h >> 16) + (h & 0xffff);
}

/*
 * The outer header words a worker would otherwise sum for every packet
 * (see struct haven_binding_coa): 0x45 0x00, TTL and protocol, the two
 * addresses.
 */
static uint16_t
outer_sum(const struct haven_binding *b, uint32_t coa)
{
	uint32_t s = 0x4500 +
		(HAVEN_BINDING_OUTER_TTL << 8 | outer_proto(b->encap)) +
		sum32(b->outer_src) + sum32(coa);

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Unused care-of entries zeroed, the outer header sums prepared; no UDP
 * ports on a binding that is not UDP-tunnelled. */
static void
binding4_finish(void *r)
{
	struct haven_binding *rec = r;
	unsigned int i;

	if (rec->n_coa < HAVEN_BINDING_MAX_COA)
		memset(&rec->coa[rec->n_coa], 0, sizeof(rec->coa[0]) *
			(HAVEN_BINDING_MAX_COA - rec->n_coa));
	for (i = 0; i < rec->n_coa; i++) {
		rec->coa[i].outer_sum = outer_sum(rec, rec->coa[i].addr);
		if (rec->encap != HAVEN_ENCAP_UDP)
			rec->coa[i].udp_port = 0;
	}
	if (rec->encap != HAVEN_ENCAP_UDP)
		rec->udp_sport = 0;
}

static const struct binding_type binding4_type = {
	.prefix = "hb",
	.key_len = sizeof(uint32_t),
	.rec_size = sizeof(struct haven_binding),
	.slot_off = offsetof(struct haven_binding, slot),
	.gen_off = offsetof(struct haven_binding, generation),
	.finish = binding4_finish,
};

static_assert(offsetof(struct haven_binding, home_addr) == 0,
	"the key is the first field of a record");

struct haven_binding_table *
haven_binding_table_create(const char *name, uint32_t capacity,
		unsigned int n_readers, struct rte_rcu_qsbr *qsbr, int socket_id)
{
	return binding_core_create(&binding4_type, name, capacity, n_readers,
		qsbr, socket_id);
}

void
haven_binding_table_free(struct haven_binding_table *t)
{
	if (t != NULL)
		binding_core_free(&t->c);
}

int
haven_binding_publish(struct haven_binding_table *t,
		const struct haven_binding *b)
{
	/*
	 * 0.0.0.0 is no home address (RFC 5944 3.6 uses it to ask for one),
	 * and rte_hash cannot hold an all-zero key: its key slot 0 is a
	 * zeroed dummy that an empty bucket entry (signature 0) points to,
	 * and the add path compares against it without checking for
	 * EMPTY_SLOT, so key 0 turns up again after it was deleted.
	 */
	unsigned int i;

	if (t == NULL || b == NULL || b->home_addr == 0 ||
			b->n_coa > HAVEN_BINDING_MAX_COA)
		return -EINVAL;
	/* A UDP tunnel goes from a port to a port: neither may be 0. */
	if (b->encap == HAVEN_ENCAP_UDP) {
		if (b->udp_sport == 0)
			return -EINVAL;
		for (i = 0; i < b->n_coa; i++)
			if (b->coa[i].udp_port == 0)
				return -EINVAL;
	}
	return binding_core_publish(&t->c, b);
}

int
haven_binding_remove(struct haven_binding_table *t, uint32_t home_addr)
{
	if (t == NULL)
		return -EINVAL;
	if (home_addr == 0)
		return -ENOENT;
	return binding_core_remove(&t->c, &home_addr);
}

void
haven_binding_reclaim(struct haven_binding_table *t)
{
	if (t != NULL)
		binding_core_reclaim(&t->c);
}

const struct haven_binding *
haven_binding_lookup(const struct haven_binding_table *t, uint32_t home_addr)
{
	void *data;

	if (home_addr == 0 ||
			rte_hash_lookup_data(t->c.h, &home_addr, &data) < 0)
		return NULL;
	return data;
}

unsigned int
haven_binding_lookup_bulk(const struct haven_binding_table *t,
		const uint32_t *keys, unsigned int n,
		const struct haven_binding **out)
{
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int done, i, chunk, found = 0;
	uint64_t hits;

	for (done = 0; done < n; done += chunk) {
		chunk = RTE_MIN(n - done,
			(unsigned int)RTE_HASH_LOOKUP_BULK_MAX);
		for (i = 0; i < chunk; i++)
			kp[i] = &keys[done + i];
		hits = 0;
		found += rte_hash_lookup_bulk_data(t->c.h, kp, chunk, &hits,
			data);
		for (i = 0; i < chunk; i++)
			out[done + i] = (hits & (1ULL << i)) != 0 ?
				data[i] : NULL;
	}
	return found;
}

struct haven_binding_counters *
haven_binding_counters_row(struct haven_binding_table *t,
		unsigned int reader_id)
{
	return t == NULL ? NULL : binding_core_counters_row(&t->c, reader_id);
}

unsigned int
haven_binding_walk(const struct haven_binding_table *t,
		int (*cb)(const struct haven_binding *b, void *arg), void *arg)
{
	const struct haven_binding *b;
	uint32_t next = 0;
	unsigned int n = 0;

	while ((b = binding_core_iterate(&t->c, &next)) != NULL) {
		n++;
		if (cb(b, arg) != 0)
			break;
	}
	return n;
}

/*
 * Our own count, not rte_hash_count(): in lock-free mode a deleted key
 * keeps its slot until the grace period ends, and rte_hash_count() counts
 * it until then.
 */
uint32_t
haven_binding_count(const struct haven_binding_table *t)
{
	return t->c.count;
}

void
haven_binding_counters_sum(const struct haven_binding_table *t,
		uint32_t slot, struct haven_binding_counters *sum)
{
	binding_core_counters_sum(&t->c, slot, sum);
}

void
haven_binding_stats_get(const struct haven_binding_table *t,
		struct haven_binding_stats *st)
{
	binding_core_stats_get(&t->c, st);
}
