/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The binding table: home address -> mobility binding, written by the
 * control lcore and read without locks by the workers. This file is the
 * one implementation of both the IPv4 table (its public API is at the
 * end) and the IPv6 table (binding6.c): the core below knows a record
 * only by its size, its key length and the offsets of its slot and
 * generation (struct binding_type in binding_private.h).
 *
 * Records come from a preallocated, cache-aligned pool and are never
 * changed once published: a new binding version is a new record. The
 * index is made of cells (haven_binding_worker.h): one per address of
 * each small enough home prefix, in an array indexed by the address's
 * offset, and for every other address one allocated from chunks and
 * found through an open-addressing index of (key, cell) entries. A cell
 * never moves while its address is bound; it holds the record index, the
 * common-case tunnel inline and the readers' forward counters.
 *
 * Publishing a new version: fill a free record, then rewrite the cell
 * under its sequence word (the record index with BUSY set, the inline
 * tunnel, the record index with release order). A reader either reads a
 * consistent cell or sees the word change and uses the record it names;
 * the replaced record waits on an RCU defer queue until every reader has
 * reported quiescent, then returns to the free list poisoned, so that a
 * reader that kept it too long sees garbage at once. Removing: the cell
 * (and its fallback entry) stop naming a record at once; record, counter
 * slot and cell wait for a grace period together, then the cell's lanes
 * and the slot's rows are zeroed for the next binding.
 *
 * Everything except lookup, lookup_bulk and counters_row is writer only;
 * the free lists and statistics are plain writer-owned variables.
 */

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_string_fns.h>

#include "haven_binding.h"
#include "haven_binding_worker.h"
#include "binding_private.h"

RTE_LOG_REGISTER(haven_binding_logtype, haven.binding, NOTICE);

#define BINDING_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, haven_binding_logtype, \
		"binding: " fmt "\n", ## __VA_ARGS__)

/*
 * Spare records beyond capacity: they carry replacements while the records
 * they replace wait for their grace period, which ends within a worker
 * loop and is noticed at the next reclaim (every 10 ms on the control
 * lcore). A sixteenth of the capacity, at least this many: at 1M bindings
 * 65536 spares absorb 100K changes per second with a reclaim every half
 * second. Each spare costs a record.
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

/* slot_cell[] of a free slot. */
#define BINDING_NO_CELL			UINT32_MAX

/*
 * Direct prefixes: one of up to max(2 x capacity, DIRECT_MIN) addresses,
 * and all of them together up to max(4 x capacity, 4 x DIRECT_MIN).
 */
#define BINDING_DIRECT_MUL		2
#define BINDING_DIRECT_TOTAL_MUL	4

/* The fallback index: at least twice the capacity, rebuilt at 3/4 used. */
#define BINDING_FB_MIN_ENTRIES		64
#define BINDING_FB_CHUNK		(1u << HAVEN_BINDING_FB_CHUNK_SHIFT)

/* What waits on the defer queue (a multiple of 4 bytes, as it must be). */
struct binding_deferred {
	uint32_t rec;		/* record index */
	uint32_t cell;		/* removed: the cell id; replaced: NO_CELL */
	uint32_t slot;		/* removed: the counter slot to release */
	uint32_t pad;
};


/* ------------------------------------------------------------------ */
/* Records, slots, cells                                               */
/* ------------------------------------------------------------------ */

static inline void *
rec_at(const struct binding_core *t, uint32_t idx)
{
	return t->v.recs + (size_t)idx * t->type->rec_size;
}

static inline uint32_t
rec_index(const struct binding_core *t, const void *r)
{
	return (uint32_t)(((const uint8_t *)r - t->v.recs) /
		t->type->rec_size);
}

static inline uint32_t
rec_u32(const void *r, size_t off)
{
	uint32_t v;

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

/* A cell's record index word: it comes first in both cell layouts. */
static inline uint32_t *
cell_rec(void *cell)
{
	return (uint32_t *)cell;
}

static inline uint32_t
cell_slot(const struct binding_core *t, const void *cell)
{
	return t->type->family == HAVEN_AF_INET ?
		((const struct haven_binding_cell4 *)cell)->slot :
		((const struct haven_binding_cell6 *)cell)->slot;
}

static inline void
cell_set_slot(const struct binding_core *t, void *cell, uint32_t slot)
{
	if (t->type->family == HAVEN_AF_INET)
		((struct haven_binding_cell4 *)cell)->slot = slot;
	else
		((struct haven_binding_cell6 *)cell)->slot = slot;
}

/* Does a bound cell have no inline tunnel (HAVEN_TUN_SLOW)? */
static inline bool
cell_slow(const struct binding_core *t, const void *cell)
{
	uint16_t nk = t->type->family == HAVEN_AF_INET ?
		((const struct haven_binding_cell4 *)cell)->nk :
		((const struct haven_binding_cell6 *)cell)->nk;

	return ((nk >> 12) & 0x7) == HAVEN_TUN_SLOW;
}

/* Count a bound cell's kind in or out of v.n_slow (see the view). */
static inline void
slow_count(struct binding_core *t, const void *cell, int dir)
{
	if (cell_slow(t, cell))
		__atomic_store_n(&t->v.n_slow, t->v.n_slow + dir,
			__ATOMIC_RELAXED);
}

/* The cell of a cell id (direct prefixes first, then the fallback). */
static void *
cell_of(const struct binding_core *t, uint32_t id)
{
	const struct haven_binding_direct *d;
	unsigned int i;

	if (id >= t->v.fb_id_base)
		return haven_binding_fb_cell(&t->v, id - t->v.fb_id_base);
	for (i = 0; i < t->v.n_direct; i++) {
		d = &t->v.direct[i];
		if (id - d->id_base < d->size)
			return d->cells + ((size_t)(id - d->id_base) <<
				t->v.cell_shift);
	}
	return NULL;
}

static inline bool
pending_test(const struct binding_core *t, uint32_t id)
{
	return (t->pending[id / 64] >> (id % 64)) & 1;
}

static inline void
pending_set(struct binding_core *t, uint32_t id, bool on)
{
	if (on)
		t->pending[id / 64] |= 1ULL << (id % 64);
	else
		t->pending[id / 64] &= ~(1ULL << (id % 64));
}

static void
slot_put(struct binding_core *t, uint32_t slot)
{
	unsigned int i;

	/* No reader can reach this slot any more: start it from zero. */
	for (i = 0; i < t->n_readers; i++)
		memset(&t->v.rows[(size_t)i * t->v.row_stride + slot], 0,
			sizeof(struct haven_binding_counters));
	t->slot_cell[slot] = BINDING_NO_CELL;
	t->free_slots[t->n_free_slots++] = slot;
}

/* Zero a cell for its next binding: no reader can reach it any more. */
static void
cell_clear(const struct binding_core *t, void *cell)
{
	memset(cell, 0, (size_t)1 << t->v.cell_shift);
}

/* ------------------------------------------------------------------ */
/* Keys and the fallback index                                         */
/* ------------------------------------------------------------------ */

/* The 32 bits of a key kept in a fallback entry: IPv4 key, IPv6 CRC. */
static inline uint32_t
key_sig(const struct binding_core *t, const void *key)
{
	uint32_t k;

	if (t->type->family == HAVEN_AF_INET6)
		return haven_binding_fb_hash6(key);
	memcpy(&k, key, 4);
	return k;
}

static inline uint32_t
key_hash(const struct binding_core *t, const void *key)
{
	uint32_t k;

	if (t->type->family == HAVEN_AF_INET6)
		return haven_binding_fb_hash6(key);
	memcpy(&k, key, 4);
	return haven_binding_fb_hash4(k);
}

static inline void *
direct_cell(const struct binding_core *t, const void *key)
{
	uint32_t k;

	if (t->type->family == HAVEN_AF_INET6)
		return haven_binding_direct6(&t->v, key);
	memcpy(&k, key, 4);
	return haven_binding_direct4(&t->v, k);
}

static inline uint64_t
fb_entry(uint32_t sig, uint32_t cell1)
{
	return (uint64_t)cell1 << 32 | sig;
}

/* Whether fallback cell fcell holds key (IPv6: the signature matched). */
static inline bool
fb_cell_is(const struct binding_core *t, uint32_t fcell, const void *key)
{
	const struct haven_binding_cell6 *c;

	if (t->type->family == HAVEN_AF_INET)
		return true;
	c = haven_binding_fb_cell(&t->v, fcell);
	return memcmp(c->key, key, 16) == 0;
}

/* Where a key is. */
struct locus {
	void *cell;		/* its cell (direct: always; fallback: if live) */
	uint32_t id;		/* cell id */
	uint32_t fb_pos;	/* fallback: position of its live entry */
	bool direct;
	bool live;		/* a binding is published */
};

static void
locate(const struct binding_core *t, const void *key, struct locus *l)
{
	const struct haven_binding_fb *fb = t->v.fb;
	const struct haven_binding_direct *d;
	uint32_t sig, pos, cell1;
	unsigned int i;
	uint64_t e;

	memset(l, 0, sizeof(*l));
	l->cell = direct_cell(t, key);
	if (l->cell != NULL) {
		l->direct = true;
		for (i = 0; i < t->v.n_direct; i++) {
			d = &t->v.direct[i];
			if ((uint8_t *)l->cell >= d->cells &&
			    (uint8_t *)l->cell < d->cells +
					((size_t)d->size << t->v.cell_shift)) {
				l->id = d->id_base + (uint32_t)(((uint8_t *)
					l->cell - d->cells) >>
					t->v.cell_shift);
				break;
			}
		}
		l->live = *cell_rec(l->cell) != 0;
		return;
	}
	sig = key_sig(t, key);
	for (pos = key_hash(t, key) & fb->mask;; pos = (pos + 1) & fb->mask) {
		e = fb->e[pos];
		cell1 = (uint32_t)(e >> 32);
		if (cell1 == HAVEN_BINDING_FB_EMPTY)
			return;
		if ((uint32_t)e == sig && cell1 != HAVEN_BINDING_FB_TOMB &&
		    fb_cell_is(t, cell1 - 1, key)) {
			l->cell = haven_binding_fb_cell(&t->v, cell1 - 1);
			l->id = t->v.fb_id_base + cell1 - 1;
			l->fb_pos = pos;
			l->live = true;
			return;
		}
	}
}

/* Put (sig, cell1) at the first free or removed place of its probe. */
static void
fb_place(struct binding_core *t, struct haven_binding_fb *fb, uint32_t hash,
		uint32_t sig, uint32_t cell1, bool count)
{
	uint32_t pos, c;

	for (pos = hash & fb->mask;; pos = (pos + 1) & fb->mask) {
		c = (uint32_t)(fb->e[pos] >> 32);
		if (c == HAVEN_BINDING_FB_EMPTY ||
		    c == HAVEN_BINDING_FB_TOMB)
			break;
	}
	if (count) {
		if (c == HAVEN_BINDING_FB_EMPTY)
			t->fb_used++;
		else
			t->fb_tomb--;
	}
	/* The cell is complete: readers that find the entry see it whole. */
	__atomic_store_n(&fb->e[pos], fb_entry(sig, cell1), __ATOMIC_RELEASE);
}

static uint32_t
fb_entries(const struct binding_core *t)
{
	return t->v.fb->mask + 1;
}

/* Free an index replaced earlier once its grace period has ended. */
static bool
fb_old_reclaim(struct binding_core *t, bool wait)
{
	if (t->fb_old == NULL)
		return true;
	if (rte_rcu_qsbr_check(t->qsbr, t->fb_old_token, wait) != 1)
		return false;
	rte_free(t->fb_old);
	t->fb_old = NULL;
	return true;
}

/*
 * Rebuild the index without its tombstones into a new one and publish
 * it; the old one is freed after a grace period. Entries keep their
 * cells, so no counter moves.
 */
static int
fb_rebuild(struct binding_core *t)
{
	struct haven_binding_fb *old = t->v.fb, *fb;
	uint32_t n = old->mask + 1, i, cell1, hash;
	uint64_t e;

	/* One old index at a time: wait for the previous one's readers. */
	if (!fb_old_reclaim(t, false))
		fb_old_reclaim(t, true);
	fb = rte_zmalloc_socket("haven_binding_fb", sizeof(*fb) +
			(size_t)n * sizeof(fb->e[0]), RTE_CACHE_LINE_SIZE,
			SOCKET_ID_ANY);
	if (fb == NULL)
		return -ENOMEM;
	fb->mask = old->mask;
	t->fb_used = 0;
	t->fb_tomb = 0;
	for (i = 0; i < n; i++) {
		e = old->e[i];
		cell1 = (uint32_t)(e >> 32);
		if (cell1 == HAVEN_BINDING_FB_EMPTY ||
		    cell1 == HAVEN_BINDING_FB_TOMB)
			continue;
		if (t->type->family == HAVEN_AF_INET6)
			hash = (uint32_t)e;	/* the signature is the hash */
		else
			hash = haven_binding_fb_hash4((uint32_t)e);
		fb_place(t, fb, hash, (uint32_t)e, cell1, true);
	}
	__atomic_store_n(&t->v.fb, fb, __ATOMIC_RELEASE);
	t->fb_old = old;
	t->fb_old_token = rte_rcu_qsbr_start(t->qsbr);
	t->fb_rebuilds++;
	return 0;
}

/* Make sure a fallback cell is free: from the free list or a new chunk. */
static int
fb_cell_ready(struct binding_core *t)
{
	uint8_t *chunk;
	uint32_t i;

	if (t->n_free_fb == 0)
		binding_core_reclaim(t);
	if (t->n_free_fb == 0) {
		if (t->n_chunks == t->n_chunks_max)
			return -ENOSPC;
		chunk = rte_zmalloc_socket("haven_binding_chunk",
				(size_t)BINDING_FB_CHUNK << t->v.cell_shift,
				RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);
		if (chunk == NULL)
			return -ENOMEM;
		/* Before any entry names one of its cells. */
		__atomic_store_n(&t->v.chunks[t->n_chunks], chunk,
				__ATOMIC_RELEASE);
		for (i = 0; i < BINDING_FB_CHUNK; i++)
			t->free_fb[t->n_free_fb++] = (t->n_chunks + 1) *
				BINDING_FB_CHUNK - 1 - i;
		t->n_chunks++;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Grace periods                                                       */
/* ------------------------------------------------------------------ */

/*
 * Defer queue callback: the grace period of these entries is over, no
 * reader holds their record, cell or counter slot any more.
 */
static void
deferred_free(void *p, void *e, unsigned int n)
{
	struct binding_core *t = p;
	struct binding_deferred *d = e;
	unsigned int i;
	void *cell;

	for (i = 0; i < n; i++, d++) {
		if (d->cell != BINDING_NO_CELL) {
			cell = cell_of(t, d->cell);
			cell_clear(t, cell);
			if (d->cell >= t->v.fb_id_base)
				t->free_fb[t->n_free_fb++] =
					d->cell - t->v.fb_id_base;
			else
				pending_set(t, d->cell, false);
			slot_put(t, d->slot);
		}
		rec_put(t, d->rec);
		t->pending_n--;
		t->reclaimed++;
	}
}

static void
defer(struct binding_core *t, const void *r, uint32_t cell, uint32_t slot)
{
	struct binding_deferred d = {
		.rec = rec_index(t, r),
		.cell = cell,
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
	if (t->pending_n >= t->dq_size) {
		binding_core_reclaim(t);
		if (t->pending_n >= t->dq_size) {
			rte_rcu_qsbr_synchronize(t->qsbr,
					RTE_QSBR_THRID_INVALID);
			binding_core_reclaim(t);
		}
	}
	t->pending_n++;
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

/* A prefix normalised: bits 0..127 of the first address, its length. */
struct norm_prefix {
	uint8_t a[16];
	unsigned int len;
	unsigned int bits;	/* 32 or 128 */
};

static int
prefix_norm(const struct binding_type *type,
		const struct haven_binding_prefix *p, struct norm_prefix *n)
{
	unsigned int i, bits = type->family == HAVEN_AF_INET ? 32 : 128;

	if (p->addr.family != type->family || p->len > bits)
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	memcpy(n->a, p->addr.bytes, bits / 8);
	for (i = p->len; i < bits; i++)
		n->a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	n->len = p->len;
	n->bits = bits;
	return 0;
}

/* Whether a contains b's first address (a no longer than b). */
static bool
prefix_contains(const struct norm_prefix *a, const struct norm_prefix *b)
{
	unsigned int i;

	for (i = 0; i < a->len; i++)
		if (((a->a[i / 8] ^ b->a[i / 8]) & (0x80 >> (i % 8))) != 0)
			return false;
	return true;
}

static uint32_t
load_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return rte_be_to_cpu_32(v);
}

/*
 * Which prefixes get a direct array (the others' addresses use the
 * fallback), and the direct[] entries for them (cells not yet allocated).
 */
static int
prefixes_plan(struct binding_core *t,
		const struct haven_binding_prefix *prefixes,
		unsigned int n_prefixes)
{
	struct norm_prefix np[HAVEN_BINDING_MAX_PREFIXES];
	uint64_t each = RTE_MAX((uint64_t)t->capacity * BINDING_DIRECT_MUL,
			(uint64_t)HAVEN_BINDING_DIRECT_MIN);
	uint64_t total = RTE_MAX((uint64_t)t->capacity *
			BINDING_DIRECT_TOTAL_MUL,
			(uint64_t)HAVEN_BINDING_DIRECT_MIN *
			BINDING_DIRECT_TOTAL_MUL), used = 0, size;
	struct haven_binding_direct *d;
	unsigned int i, j, host;

	if (n_prefixes > HAVEN_BINDING_MAX_PREFIXES ||
	    (n_prefixes > 0 && prefixes == NULL))
		return -EINVAL;
	for (i = 0; i < n_prefixes; i++) {
		if (prefix_norm(t->type, &prefixes[i], &np[i]) != 0)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (prefix_contains(np[i].len <= np[j].len ? &np[i] :
					&np[j], np[i].len <= np[j].len ?
					&np[j] : &np[i]))
				return -EINVAL;	/* overlapping prefixes */
	}
	for (i = 0; i < n_prefixes; i++) {
		host = np[i].bits - np[i].len;
		if (host >= 32)
			continue;		/* too large: hashed */
		size = 1ULL << host;
		if (size > each || used + size > total)
			continue;
		d = &t->v.direct[t->v.n_direct++];
		d->size = (uint32_t)size;
		d->id_base = (uint32_t)used;
		if (np[i].bits == 32) {
			d->base = load_be32(np[i].a);
		} else {
			memcpy(&d->hi, np[i].a, 8);
			memcpy(&d->mid, np[i].a + 8, 4);
			d->base = load_be32(np[i].a + 12);
		}
		used += size;
	}
	t->v.fb_id_base = (uint32_t)used;
	return 0;
}

/* log2 of the cell size: header plus a lane per reader, a power of two. */
static uint32_t
cell_shift_of(const struct binding_type *type, unsigned int n_readers)
{
	size_t need = type->cell_hdr + sizeof(struct haven_binding_lane) *
		RTE_MAX(n_readers, 1u);
	uint32_t shift = 4;

	while (((size_t)1 << shift) < need)
		shift++;
	return shift;
}

/*
 * The table struct of either family (struct haven_binding_table or
 * struct haven_binding6_table, both a struct binding_core), or NULL with
 * rte_errno set.
 */
void *
binding_core_create(const struct binding_type *type, const char *name,
		uint32_t capacity, unsigned int n_readers,
		struct rte_rcu_qsbr *qsbr, int socket_id,
		const struct haven_binding_prefix *prefixes,
		unsigned int n_prefixes)
{
	struct rte_rcu_qsbr_dq_parameters dp;
	struct binding_core *t;
	char obj_name[RTE_RCU_QSBR_DQ_NAMESIZE];
	uint64_t fb_n, direct_cells;
	uint32_t spare, i;
	size_t len;
	int rc;

	if (name == NULL || qsbr == NULL || capacity == 0 ||
	    capacity > (HAVEN_BINDING_CELL_BUSY >> 2) || n_readers > 64) {
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
	t->v.rec_size = (uint32_t)type->rec_size;
	t->v.cell_shift = cell_shift_of(type, n_readers);
	rc = prefixes_plan(t, prefixes, n_prefixes);
	if (rc != 0) {
		BINDING_LOG(ERR, "%s: bad or overlapping home prefixes", name);
		rte_free(t);
		rte_errno = -rc;
		return NULL;
	}
	/* Rows start on a cache line so two workers never share one. */
	t->v.row_stride = RTE_ALIGN_CEIL(capacity,
		RTE_CACHE_LINE_SIZE / sizeof(struct haven_binding_counters));
	/* Live fallback cells plus removed ones in their grace period. */
	t->n_chunks_max = (capacity + spare + BINDING_FB_CHUNK - 1) /
		BINDING_FB_CHUNK;
	fb_n = BINDING_FB_MIN_ENTRIES;
	while (fb_n < 2ULL * capacity)
		fb_n <<= 1;
	direct_cells = t->v.fb_id_base;

	t->v.recs = rte_malloc_socket("haven_binding_recs",
		(size_t)t->n_recs * type->rec_size,
		RTE_CACHE_LINE_SIZE, socket_id);
	t->free_recs = rte_malloc_socket("haven_binding_free_recs",
		(size_t)t->n_recs * sizeof(uint32_t), 0, socket_id);
	t->free_slots = rte_malloc_socket("haven_binding_free_slots",
		(size_t)capacity * sizeof(uint32_t), 0, socket_id);
	t->slot_cell = rte_malloc_socket("haven_binding_slot_cell",
		(size_t)capacity * sizeof(uint32_t), 0, socket_id);
	t->pending = rte_zmalloc_socket("haven_binding_pending",
		(size_t)(direct_cells / 64 + 1) * sizeof(uint64_t), 0,
		socket_id);
	t->free_fb = rte_malloc_socket("haven_binding_free_fb",
		(size_t)t->n_chunks_max * BINDING_FB_CHUNK * sizeof(uint32_t),
		0, socket_id);
	t->v.chunks = rte_zmalloc_socket("haven_binding_chunks",
		(size_t)t->n_chunks_max * sizeof(uint8_t *),
		RTE_CACHE_LINE_SIZE, socket_id);
	t->v.fb = rte_zmalloc_socket("haven_binding_fb", sizeof(*t->v.fb) +
		fb_n * sizeof(t->v.fb->e[0]), RTE_CACHE_LINE_SIZE, socket_id);
	if (type->family == HAVEN_AF_INET)
		t->v.osrc4 = rte_zmalloc_socket("haven_binding_osrc",
			BINDING_OSRC_MAX * sizeof(t->v.osrc4[0]),
			RTE_CACHE_LINE_SIZE, socket_id);
	else
		t->v.osrc6 = rte_zmalloc_socket("haven_binding_osrc",
			BINDING_OSRC_MAX * sizeof(t->v.osrc6[0]),
			RTE_CACHE_LINE_SIZE, socket_id);
	if (n_readers > 0)
		t->v.rows = rte_zmalloc_socket("haven_binding_counters",
			(size_t)n_readers * t->v.row_stride *
			sizeof(struct haven_binding_counters),
			RTE_CACHE_LINE_SIZE, socket_id);
	for (i = 0; i < t->v.n_direct; i++)
		t->v.direct[i].cells = rte_zmalloc_socket(
			"haven_binding_cells",
			(size_t)t->v.direct[i].size << t->v.cell_shift,
			RTE_CACHE_LINE_SIZE, socket_id);
	rc = t->v.recs == NULL || t->free_recs == NULL ||
		t->free_slots == NULL || t->slot_cell == NULL ||
		t->pending == NULL || t->free_fb == NULL ||
		t->v.chunks == NULL || t->v.fb == NULL ||
		(t->v.osrc4 == NULL && t->v.osrc6 == NULL) ||
		(n_readers > 0 && t->v.rows == NULL);
	for (i = 0; i < t->v.n_direct; i++)
		rc |= t->v.direct[i].cells == NULL;
	if (rc) {
		BINDING_LOG(ERR, "%s: cannot allocate %u records", name,
			t->n_recs);
		rte_errno = ENOMEM;
		goto fail;
	}
	t->v.fb->mask = (uint32_t)(fb_n - 1);

	/* Stacks pop from the top: hand out record 0 and slot 0 first. */
	for (i = 0; i < t->n_recs; i++)
		rec_put(t, t->n_recs - 1 - i);
	for (i = 0; i < capacity; i++) {
		t->free_slots[t->n_free_slots++] = capacity - 1 - i;
		t->slot_cell[i] = BINDING_NO_CELL;
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
		"%u readers, %u direct prefixes (%" PRIu64 " cells of %u "
		"bytes), fallback index of %" PRIu64, name, capacity,
		t->n_recs, type->rec_size, n_readers, t->v.n_direct,
		direct_cells, 1u << t->v.cell_shift, fb_n);
	return t;

fail:
	{
		int err = rte_errno;

		for (i = 0; i < t->v.n_direct; i++)
			rte_free(t->v.direct[i].cells);
		rte_free(t->v.rows);
		rte_free(t->v.osrc4);
		rte_free(t->v.osrc6);
		rte_free(t->v.fb);
		rte_free(t->v.chunks);
		rte_free(t->free_fb);
		rte_free(t->pending);
		rte_free(t->slot_cell);
		rte_free(t->free_slots);
		rte_free(t->free_recs);
		rte_free(t->v.recs);
		rte_free(t);
		rte_errno = err;
	}
	return NULL;
}

void
binding_core_free(struct binding_core *t)
{
	uint32_t i;

	if (t == NULL)
		return;

	/* Runs deferred_free for the rest: needs the cells and lists. */
	if (rte_rcu_qsbr_dq_delete(t->dq) != 0)
		BINDING_LOG(ERR, "%s: %u records still in a grace period "
			"(readers online?): defer queue leaked",
			t->name, t->pending_n);
	if (t->fb_old != NULL && !fb_old_reclaim(t, false))
		BINDING_LOG(ERR, "%s: old fallback index still in a grace "
			"period (readers online?): leaked", t->name);
	for (i = 0; i < t->v.n_direct; i++)
		rte_free(t->v.direct[i].cells);
	for (i = 0; i < t->n_chunks; i++)
		rte_free(t->v.chunks[i]);
	rte_free(t->v.rows);
	rte_free(t->v.osrc4);
	rte_free(t->v.osrc6);
	rte_free(t->v.fb);
	rte_free(t->v.chunks);
	rte_free(t->free_fb);
	rte_free(t->pending);
	rte_free(t->slot_cell);
	rte_free(t->free_slots);
	rte_free(t->free_recs);
	rte_free(t->v.recs);
	rte_free(t);
}

/* ------------------------------------------------------------------ */
/* Core: writer                                                        */
/* ------------------------------------------------------------------ */

int
binding_core_osrc(struct binding_core *t, const void *addr)
{
	uint32_t i, a, h;

	for (i = 0; i < t->n_osrc; i++)
		if (t->type->family == HAVEN_AF_INET ?
		    memcmp(&t->v.osrc4[i].addr, addr, 4) == 0 :
		    memcmp(t->v.osrc6[i], addr, 16) == 0)
			return (int)i;
	if (t->n_osrc == BINDING_OSRC_MAX)
		return -1;
	/* Written before any cell names it (the cell's release store). */
	if (t->type->family == HAVEN_AF_INET) {
		memcpy(&a, addr, 4);
		h = rte_be_to_cpu_32(a);
		t->v.osrc4[i].addr = a;
		t->v.osrc4[i].sum = (h >> 16) + (h & 0xffff);
	} else {
		memcpy(t->v.osrc6[i], addr, 16);
	}
	t->n_osrc++;
	return (int)i;
}

/*
 * Rewrite a live cell for record rec_new (already complete): the
 * sequence word is BUSY while the inline tunnel changes (see
 * haven_binding_worker.h for the reader's side).
 */
static void
cell_update(struct binding_core *t, void *cell, const void *rec,
		uint32_t rec_idx)
{
	uint32_t *w = cell_rec(cell);

	slow_count(t, cell, -1);
	__atomic_store_n(w, (rec_idx + 1) | HAVEN_BINDING_CELL_BUSY,
			__ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	t->type->tunnel(t, cell, rec);
	__atomic_store_n(w, rec_idx + 1, __ATOMIC_RELEASE);
	slow_count(t, cell, 1);
}

/*
 * Publish b (a record of the table's type, key at offset 0, already
 * checked by the caller). The caller's slot and generation are ignored.
 */
int
binding_core_publish(struct binding_core *t, const void *b)
{
	const struct binding_type *type = t->type;
	uint32_t slot, rec_idx, fcell = 0;
	struct locus l;
	void *old = NULL, *rec;
	int rc;

	locate(t, b, &l);
	if (l.live)
		old = rec_at(t, (*cell_rec(l.cell) &
				~HAVEN_BINDING_CELL_BUSY) - 1);

	if (old == NULL) {
		if (t->count >= t->capacity)
			return -ENOSPC;
		/* Slots of recently removed bindings may be on their way. */
		if (t->n_free_slots == 0)
			binding_core_reclaim(t);
		if (t->n_free_slots == 0)
			return -ENOSPC;
		if (l.direct && pending_test(t, l.id)) {
			/* Its last binding's readers may still count there. */
			binding_core_reclaim(t);
			if (pending_test(t, l.id)) {
				rte_rcu_qsbr_synchronize(t->qsbr,
						RTE_QSBR_THRID_INVALID);
				binding_core_reclaim(t);
			}
		}
		if (!l.direct) {
			rc = fb_cell_ready(t);
			if (rc != 0)
				return rc;
			if ((uint64_t)(t->fb_used + 1) * 4 >
			    (uint64_t)fb_entries(t) * 3) {
				rc = fb_rebuild(t);
				if (rc != 0)
					return rc;
			}
		}
	}
	/* A replacement defers a record: the defer queue needs room too. */
	if (t->n_free_recs == 0 || t->pending_n >= t->dq_size)
		binding_core_reclaim(t);
	if (t->n_free_recs == 0 ||
	    (old != NULL && t->pending_n >= t->dq_size)) {
		t->no_record++;
		return -ENOMEM;
	}

	if (old != NULL)
		slot = rec_u32(old, type->slot_off);
	else
		slot = t->free_slots[--t->n_free_slots];
	rec_idx = t->free_recs[--t->n_free_recs];
	rec = rec_at(t, rec_idx);

	memcpy(rec, b, type->rec_size);
	rec_set_u32(rec, type->slot_off, slot);
	rec_set_u32(rec, type->gen_off, old != NULL ?
		rec_u32(old, type->gen_off) + 1 : 1);
	type->finish(rec);

	if (old != NULL) {
		cell_update(t, l.cell, rec, rec_idx);
		t->replaces++;
		defer(t, old, BINDING_NO_CELL, 0);
		return 0;
	}

	if (!l.direct) {
		/* Reclaiming above only ever added to the stack. */
		fcell = t->free_fb[--t->n_free_fb];
		l.cell = haven_binding_fb_cell(&t->v, fcell);
		l.id = t->v.fb_id_base + fcell;
	}
	/* A fresh cell: nobody reads it until the release stores below. */
	cell_set_slot(t, l.cell, slot);
	if (type->family == HAVEN_AF_INET6)
		memcpy(((struct haven_binding_cell6 *)l.cell)->key, b, 16);
	type->tunnel(t, l.cell, rec);
	__atomic_store_n(cell_rec(l.cell), rec_idx + 1, __ATOMIC_RELEASE);
	slow_count(t, l.cell, 1);
	if (!l.direct)
		fb_place(t, t->v.fb, key_hash(t, b), key_sig(t, b), fcell + 1,
			true);
	else
		t->count_direct++;
	t->slot_cell[slot] = l.id;
	t->inserts++;
	t->count++;
	return 0;
}

int
binding_core_remove(struct binding_core *t, const void *key)
{
	struct haven_binding_fb *fb = t->v.fb;
	struct locus l;
	const void *old;
	uint32_t slot;

	locate(t, key, &l);
	if (!l.live)
		return -ENOENT;
	old = rec_at(t, (*cell_rec(l.cell) & ~HAVEN_BINDING_CELL_BUSY) - 1);
	slot = cell_slot(t, l.cell);

	/* No new reader finds it; those that did keep it for a grace period. */
	if (!l.direct) {
		__atomic_store_n(&fb->e[l.fb_pos], fb_entry(
			(uint32_t)fb->e[l.fb_pos], HAVEN_BINDING_FB_TOMB),
			__ATOMIC_RELEASE);
		t->fb_tomb++;
	} else {
		pending_set(t, l.id, true);
		t->count_direct--;
	}
	__atomic_store_n(cell_rec(l.cell), 0, __ATOMIC_RELEASE);
	slow_count(t, l.cell, -1);
	t->count--;
	t->removes++;
	defer(t, old, l.id, slot);
	return 0;
}

void
binding_core_reclaim(struct binding_core *t)
{
	unsigned int freed, pending, available;

	if (t == NULL)
		return;
	if (t->fb_old != NULL)
		fb_old_reclaim(t, false);
	if (t->pending_n == 0)
		return;
	rte_rcu_qsbr_dq_reclaim(t->dq, t->n_recs, &freed, &pending,
		&available);
}

/* ------------------------------------------------------------------ */
/* Core: lookups, counters and queries                                 */
/* ------------------------------------------------------------------ */

const void *
binding_core_lookup(const struct binding_core *t, const void *key)
{
	const struct haven_binding_view *v = &t->v;
	uint32_t r;
	void *cell;

	if (t->type->family == HAVEN_AF_INET6) {
		cell = haven_binding_find6(v, key);
	} else {
		uint32_t k;

		memcpy(&k, key, 4);
		cell = haven_binding_find4(v, k);
	}
	if (cell == NULL)
		return NULL;
	r = __atomic_load_n(cell_rec(cell), __ATOMIC_ACQUIRE) &
		~HAVEN_BINDING_CELL_BUSY;
	return r == 0 ? NULL : haven_binding_rec(v, r);
}

struct haven_binding_counters *
binding_core_counters_row(struct binding_core *t, unsigned int reader_id)
{
	if (t == NULL || reader_id >= t->n_readers)
		return NULL;
	return &t->v.rows[(size_t)reader_id * t->v.row_stride];
}

/*
 * The records in pool order whose cell names them: every live binding
 * once (replaced and removed records in their grace period are not named
 * by any cell; free records are poisoned, their slot out of range).
 */
const void *
binding_core_iterate(const struct binding_core *t, uint32_t *next)
{
	const void *r;
	uint32_t slot, id;
	void *cell;

	while (*next < t->n_recs) {
		r = rec_at(t, (*next)++);
		slot = rec_u32(r, t->type->slot_off);
		if (slot >= t->capacity)
			continue;
		id = t->slot_cell[slot];
		if (id == BINDING_NO_CELL)
			continue;
		cell = cell_of(t, id);
		if (cell != NULL && (*cell_rec(cell) &
				~HAVEN_BINDING_CELL_BUSY) == *next)
			return r;
	}
	return NULL;
}

void
binding_core_counters_sum(const struct binding_core *t, uint32_t slot,
		struct haven_binding_counters *sum)
{
	const struct haven_binding_counters *c;
	const struct haven_binding_lane *lane;
	unsigned int i;
	uint8_t *cell;

	memset(sum, 0, sizeof(*sum));
	if (slot >= t->capacity)
		return;
	for (i = 0; i < t->n_readers; i++) {
		c = &t->v.rows[(size_t)i * t->v.row_stride + slot];
		/* Workers increment these; 64-bit loads are not torn. */
		sum->pkts += __atomic_load_n(&c->pkts, __ATOMIC_RELAXED);
		sum->bytes += __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
		sum->rev_pkts += __atomic_load_n(&c->rev_pkts,
			__ATOMIC_RELAXED);
		sum->rev_bytes += __atomic_load_n(&c->rev_bytes,
			__ATOMIC_RELAXED);
	}
	if (t->slot_cell[slot] == BINDING_NO_CELL)
		return;
	cell = cell_of(t, t->slot_cell[slot]);
	for (i = 0; i < t->n_readers; i++) {
		lane = (const struct haven_binding_lane *)(cell +
			t->type->cell_hdr) + i;
		sum->pkts += __atomic_load_n(&lane->pkts, __ATOMIC_RELAXED);
		sum->bytes += __atomic_load_n(&lane->bytes, __ATOMIC_RELAXED);
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
	st->pending = t->pending_n;
	st->inserts = t->inserts;
	st->replaces = t->replaces;
	st->removes = t->removes;
	st->reclaimed = t->reclaimed;
	st->no_record = t->no_record;
	st->direct = t->count_direct;
	st->fallback = t->count - t->count_direct;
	st->fb_cells = t->n_chunks * BINDING_FB_CHUNK;
	st->fb_rebuilds = t->fb_rebuilds;
	st->n_direct = t->v.n_direct;
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

/*
 * The inline tunnel of an IPv4 cell: one care-of address, intercepted
 * here, IP in IP or GRE, a neighbour index that fits. Anything else
 * (several care-of addresses, minimal encapsulation, IP in UDP to a NAT,
 * not intercepted) makes the worker read the record.
 */
static void
binding4_tunnel(struct binding_core *t, void *cell, const void *r)
{
	const struct haven_binding *b = r;
	struct haven_binding_cell4 *c = cell;
	uint8_t kind = HAVEN_TUN_SLOW;
	int osrc = -1;

	if (b->n_coa == 1 && (b->flags & HAVEN_BINDING_F_INTERCEPT) &&
	    b->coa[0].neigh < HAVEN_BINDING_CELL_NEIGH_MAX &&
	    (b->encap == HAVEN_ENCAP_IPIP || b->encap == HAVEN_ENCAP_GRE))
		osrc = binding_core_osrc(t, &b->outer_src);
	if (osrc >= 0)
		kind = b->encap == HAVEN_ENCAP_IPIP ? HAVEN_TUN_IPIP :
			HAVEN_TUN_GRE;
	__atomic_store_n(&c->coa, b->n_coa > 0 ? b->coa[0].addr : 0,
			__ATOMIC_RELAXED);
	__atomic_store_n(&c->nk, HAVEN_BINDING_NK(kind == HAVEN_TUN_SLOW ? 0 :
			b->coa[0].neigh, kind,
			b->flags & HAVEN_BINDING_F_REVERSE_TUNNEL),
			__ATOMIC_RELAXED);
	__atomic_store_n(&c->port, b->n_coa > 0 ? b->coa[0].port : 0,
			__ATOMIC_RELAXED);
	__atomic_store_n(&c->osrc, osrc >= 0 ? (uint8_t)osrc : 0,
			__ATOMIC_RELAXED);
}

static const struct binding_type binding4_type = {
	.prefix = "hb",
	.family = HAVEN_AF_INET,
	.key_len = sizeof(uint32_t),
	.rec_size = sizeof(struct haven_binding),
	.slot_off = offsetof(struct haven_binding, slot),
	.gen_off = offsetof(struct haven_binding, generation),
	.cell_hdr = sizeof(struct haven_binding_cell4),
	.finish = binding4_finish,
	.tunnel = binding4_tunnel,
};

static_assert(offsetof(struct haven_binding, home_addr) == 0,
	"the key is the first field of a record");
static_assert(sizeof(struct haven_binding_cell4) == 16,
	"IPv4 cell header");
static_assert(HAVEN_BINDING_MAX_PREFIXES * sizeof(struct haven_binding_direct)
	+ offsetof(struct haven_binding_view, direct) <= 512,
	"the reader view stays small");

struct haven_binding_table *
haven_binding_table_create(const char *name, uint32_t capacity,
		unsigned int n_readers, struct rte_rcu_qsbr *qsbr, int socket_id,
		const struct haven_binding_prefix *prefixes,
		unsigned int n_prefixes)
{
	return binding_core_create(&binding4_type, name, capacity, n_readers,
		qsbr, socket_id, prefixes, n_prefixes);
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
	unsigned int i;

	/* 0.0.0.0 is no home address (RFC 5944 3.6 uses it to ask for one). */
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
	if (home_addr == 0)
		return NULL;
	return binding_core_lookup(&t->c, &home_addr);
}

unsigned int
haven_binding_lookup_bulk(const struct haven_binding_table *t,
		const uint32_t *keys, unsigned int n,
		const struct haven_binding **out)
{
	unsigned int i, found = 0;

	for (i = 0; i < n; i++) {
		out[i] = haven_binding_lookup(t, keys[i]);
		found += out[i] != NULL;
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
