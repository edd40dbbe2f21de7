/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_BINDING_WORKER_H
#define HAVEN_BINDING_WORKER_H

/**
 * @file
 * The readers' side of the binding tables, inline: what a worker does per
 * packet (after rte_graph_worker.h, which exposes the graph's insides for
 * the same reason). Control code uses haven_binding.h and
 * haven_binding6.h only.
 *
 * A home address maps to a cell. Cells of a direct prefix sit in one
 * array indexed by the address's offset in the prefix, so finding one is
 * arithmetic and reading it is the packet's one memory access. Other
 * addresses go through the fallback: an open-addressing index of 8-byte
 * entries (key or signature, cell) probed linearly from a CRC of the
 * address, pointing to cells allocated in chunks; two accesses.
 *
 * A cell starts with the binding's record index and, when the binding
 * has one care-of address on a tunnel kind the fast path prepares (IP in
 * IP, GRE, IPv6 in IPv6), that tunnel inline: care-of address, neighbour,
 * port, outer source. Then come the readers' forward counters, one lane
 * of 16 bytes per reader, so the line that gave the tunnel also takes the
 * count. The writer updates a cell's inline tunnel under a sequence word:
 * the record index with HAVEN_BINDING_CELL_BUSY set while it writes. A
 * reader that sees BUSY or a changed word falls back to the record
 * (which RCU keeps alive), so readers never wait. A cell never moves
 * while its home address is bound: the counters survive care-of changes.
 *
 * Every function here is for readers between two quiescent reports (and
 * for the writer). Addresses are in network byte order.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#include "haven_binding.h"
#include "haven_binding6.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Set in a cell's rec while the writer rewrites its inline tunnel. */
#define HAVEN_BINDING_CELL_BUSY 0x80000000u

/** Fallback cells are allocated this many at a time (log2). */
#define HAVEN_BINDING_FB_CHUNK_SHIFT 12

/** Fallback index entry: no entry (cell field 0). */
#define HAVEN_BINDING_FB_EMPTY 0u
/** Fallback index entry: removed (cell field), skipped by readers. */
#define HAVEN_BINDING_FB_TOMB UINT32_MAX

/** Neighbour indexes a cell can hold inline (12 bits). */
#define HAVEN_BINDING_CELL_NEIGH_MAX 4096

/**
 * Template kinds of a cell's inline tunnel: the fast path keeps one
 * prepared outer header per kind; a new encapsulation is one more kind.
 */
enum haven_tun_kind {
	HAVEN_TUN_SLOW = 0,	/**< nothing inline: read the record */
	HAVEN_TUN_IPIP,		/**< IP in IP (RFC 2003), one care-of address */
	HAVEN_TUN_GRE,		/**< GRE (RFC 2784), one care-of address */
	HAVEN_TUN_IP6IP6,	/**< IPv6 in IPv6 (RFC 2473), one care-of */
	HAVEN_TUN_KINDS
};

/** nk: neighbour in bits 0..11, kind in 12..14, reverse tunnel in 15. */
#define HAVEN_BINDING_NK(neigh, kind, rev) \
	((uint16_t)((neigh) | (kind) << 12 | ((rev) ? 0x8000 : 0)))

/** One reader's forward counters in a cell. */
struct haven_binding_lane {
	uint64_t pkts;		/**< packets tunnelled to the node */
	uint64_t bytes;		/**< bytes tunnelled to the node */
};

/** An IPv4 cell (16 bytes, then the lanes). */
struct haven_binding_cell4 {
	uint32_t rec;		/**< record index + 1, | BUSY; 0: no binding */
	uint32_t coa;		/**< inline care-of address */
	uint32_t slot;		/**< the binding's counter slot */
	uint16_t nk;		/**< neighbour, kind, reverse (HAVEN_BINDING_NK) */
	uint8_t port;		/**< DPDK port toward the care-of address */
	uint8_t osrc;		/**< index in the table's outer sources */
	struct haven_binding_lane lane[];	/**< one per reader */
};

/** An IPv6 cell (48 bytes, then the lanes). */
struct haven_binding_cell6 {
	uint32_t rec;		/**< record index + 1, | BUSY; 0: no binding */
	uint32_t slot;		/**< the binding's counter slot */
	uint16_t nk;		/**< neighbour, kind, reverse (HAVEN_BINDING_NK) */
	uint8_t port;		/**< DPDK port toward the care-of address */
	uint8_t osrc;		/**< index in the table's outer sources */
	uint32_t pad;
	uint8_t coa[16];	/**< inline care-of address */
	uint8_t key[16];	/**< the home address (fallback check) */
	struct haven_binding_lane lane[];	/**< one per reader */
};

/** An IPv4 outer source with the sum of its two 16-bit words. */
struct haven_binding_osrc4 {
	uint32_t addr;		/**< NBO */
	uint32_t sum;		/**< host-order sum of its halves, unfolded */
};

/** One directly indexed prefix. */
struct haven_binding_direct {
	uint32_t base;		/**< first address (IPv6: low 32 bits), host order */
	uint32_t size;		/**< addresses */
	uint64_t hi;		/**< IPv6: bytes 0..7 of the prefix, as loaded */
	uint32_t mid;		/**< IPv6: bytes 8..11, as loaded */
	uint32_t id_base;	/**< cell id of the first address */
	uint8_t *cells;		/**< size cells */
};

/** The fallback index (replaced whole when rebuilt, under RCU). */
struct haven_binding_fb {
	uint32_t mask;		/**< entries - 1 */
	uint32_t pad;
	/** key or signature in bits 0..31, fallback cell + 1 in 32..63 */
	uint64_t e[];
};

/** What readers read of a table: the first member of either table. */
struct haven_binding_view {
	uint32_t n_direct;		/**< entries used in direct[] */
	uint32_t cell_shift;		/**< log2 of a cell's size */
	struct haven_binding_fb *fb;	/**< fallback index (RCU pointer) */
	uint8_t **chunks;		/**< fallback cell chunks */
	uint8_t *recs;			/**< the record pool */
	uint32_t rec_size;		/**< bytes per record */
	uint32_t fb_id_base;		/**< cell id of fallback cell 0 */
	struct haven_binding_counters *rows;	/**< reader rows */
	uint32_t row_stride;		/**< entries per row */
	/**
	 * Bound cells without an inline tunnel (HAVEN_TUN_SLOW: several
	 * care-of addresses, minimal, IP in UDP, ...), written by the
	 * writer, read relaxed: while it is 0 a reader need not look for
	 * records to prefetch.
	 */
	uint32_t n_slow;
	struct haven_binding_osrc4 *osrc4;	/**< IPv4 outer sources */
	uint8_t (*osrc6)[16];		/**< IPv6 outer sources */
	struct haven_binding_direct direct[HAVEN_BINDING_MAX_PREFIXES];
};

/** A cell's contents as one reader saw them, consistent. */
struct haven_binding_tun {
	uint32_t rec;		/**< record index + 1; 0: no binding */
	uint32_t slot;		/**< counter slot (valid when rec != 0) */
	uint16_t neigh;		/**< inline neighbour */
	uint8_t kind;		/**< enum haven_tun_kind; SLOW: use the record */
	uint8_t rev;		/**< reverse tunnelling allowed (inline kinds) */
	uint8_t port;		/**< DPDK port (inline kinds) */
	uint8_t osrc;		/**< outer source index (inline kinds) */
	uint32_t coa;		/**< IPv4 care-of address (inline kinds) */
};

/** The reader view of an IPv4 table. */
static inline const struct haven_binding_view *
haven_binding_view4(const struct haven_binding_table *t)
{
	return (const struct haven_binding_view *)(const void *)t;
}

/** The reader view of an IPv6 table. */
static inline const struct haven_binding_view *
haven_binding_view6(const struct haven_binding6_table *t)
{
	return (const struct haven_binding_view *)(const void *)t;
}

/** Cell of fallback cell index i (0-based). */
static inline void *
haven_binding_fb_cell(const struct haven_binding_view *v, uint32_t i)
{
	const uint32_t mask = (1u << HAVEN_BINDING_FB_CHUNK_SHIFT) - 1;

	return v->chunks[i >> HAVEN_BINDING_FB_CHUNK_SHIFT] +
		((size_t)(i & mask) << v->cell_shift);
}

/** The lane of reader lane_off / 16 - 1 in a cell: see lane_off below. */
static inline struct haven_binding_lane *
haven_binding_lane(void *cell, uint32_t lane_off)
{
	return (struct haven_binding_lane *)((uint8_t *)cell + lane_off);
}

/**
 * Byte offset in a cell of reader id's lane (constant per reader: compute
 * it once).
 */
static inline uint32_t
haven_binding_lane_off4(unsigned int id)
{
	return (uint32_t)(sizeof(struct haven_binding_cell4) +
		id * sizeof(struct haven_binding_lane));
}

/** IPv6 counterpart of haven_binding_lane_off4(). */
static inline uint32_t
haven_binding_lane_off6(unsigned int id)
{
	return (uint32_t)(sizeof(struct haven_binding_cell6) +
		id * sizeof(struct haven_binding_lane));
}

/** The record of a cell snapshot (tun->rec != 0). */
static inline const void *
haven_binding_rec(const struct haven_binding_view *v, uint32_t rec)
{
	return v->recs + (size_t)(rec - 1) * v->rec_size;
}

/* ---- IPv4 ---- */

/** The cell of a or NULL when a lies in no direct prefix. */
static inline struct haven_binding_cell4 *
haven_binding_direct4(const struct haven_binding_view *v, uint32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a), off;
	unsigned int i;

	for (i = 0; i < v->n_direct; i++) {
		off = h - v->direct[i].base;
		if (off < v->direct[i].size)
			return (struct haven_binding_cell4 *)(void *)
				(v->direct[i].cells +
				 ((size_t)off << v->cell_shift));
	}
	return NULL;
}

/** First fallback index position of IPv4 address a. */
static inline uint32_t
haven_binding_fb_hash4(uint32_t a)
{
	return rte_hash_crc_4byte(a, 0);
}

/** Start bringing in a's fallback index entry (no direct prefix). */
static inline void
haven_binding_fb_prefetch4(const struct haven_binding_view *v, uint32_t a)
{
	const struct haven_binding_fb *fb =
		__atomic_load_n(&v->fb, __ATOMIC_ACQUIRE);

	rte_prefetch0(&fb->e[haven_binding_fb_hash4(a) & fb->mask]);
}

/** The fallback cell of a, or NULL. */
static inline struct haven_binding_cell4 *
haven_binding_fb_find4(const struct haven_binding_view *v, uint32_t a)
{
	const struct haven_binding_fb *fb =
		__atomic_load_n(&v->fb, __ATOMIC_ACQUIRE);
	uint32_t pos = haven_binding_fb_hash4(a) & fb->mask, cell;
	uint64_t e;

	for (;;) {
		e = __atomic_load_n(&fb->e[pos], __ATOMIC_ACQUIRE);
		cell = (uint32_t)(e >> 32);
		if (cell == HAVEN_BINDING_FB_EMPTY)
			return NULL;
		if ((uint32_t)e == a && cell != HAVEN_BINDING_FB_TOMB)
			return haven_binding_fb_cell(v, cell - 1);
		pos = (pos + 1) & fb->mask;
	}
}

/** The cell of home address a, or NULL (no binding ever had it). */
static inline struct haven_binding_cell4 *
haven_binding_find4(const struct haven_binding_view *v, uint32_t a)
{
	struct haven_binding_cell4 *c = haven_binding_direct4(v, a);

	return c != NULL ? c : haven_binding_fb_find4(v, a);
}

/*
 * One read of a cell under its sequence word (writer: BUSY, fields,
 * release; see binding.c): a snapshot that changed while it was taken is
 * marked SLOW, and its record (either version) is still safe to use.
 */
static inline uint32_t
haven_binding_seq_begin(const uint32_t *rec)
{
	return __atomic_load_n(rec, __ATOMIC_ACQUIRE);
}

static inline void
haven_binding_seq_end(const uint32_t *rec, uint32_t r1, struct haven_binding_tun *t)
{
	uint32_t r2;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	r2 = __atomic_load_n(rec, __ATOMIC_RELAXED);
	t->rec = r1 & ~HAVEN_BINDING_CELL_BUSY;
	if (unlikely(r1 != r2 || (r1 & HAVEN_BINDING_CELL_BUSY) != 0))
		t->kind = HAVEN_TUN_SLOW;
}

static inline void
haven_binding_nk_split(uint16_t nk, struct haven_binding_tun *t)
{
	t->neigh = nk & 0x0fff;
	t->kind = (nk >> 12) & 0x7;
	t->rev = nk >> 15;
}

/** Read an IPv4 cell (tun->rec 0: no binding). */
static inline void
haven_binding_cell4_read(const struct haven_binding_cell4 *c,
		struct haven_binding_tun *t)
{
	uint32_t r1 = haven_binding_seq_begin(&c->rec);

	t->coa = __atomic_load_n(&c->coa, __ATOMIC_RELAXED);
	t->slot = __atomic_load_n(&c->slot, __ATOMIC_RELAXED);
	haven_binding_nk_split(__atomic_load_n(&c->nk, __ATOMIC_RELAXED), t);
	t->port = __atomic_load_n(&c->port, __ATOMIC_RELAXED);
	t->osrc = __atomic_load_n(&c->osrc, __ATOMIC_RELAXED);
	haven_binding_seq_end(&c->rec, r1, t);
}

/* ---- IPv6 ---- */

/** The cell of a or NULL when a lies in no direct prefix. */
static inline struct haven_binding_cell6 *
haven_binding_direct6(const struct haven_binding_view *v, const uint8_t *a)
{
	uint64_t hi;
	uint32_t mid, lo, off;
	unsigned int i;

	memcpy(&hi, a, 8);
	memcpy(&mid, a + 8, 4);
	memcpy(&lo, a + 12, 4);
	lo = rte_be_to_cpu_32(lo);
	for (i = 0; i < v->n_direct; i++) {
		off = lo - v->direct[i].base;
		if (hi == v->direct[i].hi && mid == v->direct[i].mid &&
		    off < v->direct[i].size)
			return (struct haven_binding_cell6 *)(void *)
				(v->direct[i].cells +
				 ((size_t)off << v->cell_shift));
	}
	return NULL;
}

/** Signature and first fallback position of IPv6 address a. */
static inline uint32_t
haven_binding_fb_hash6(const uint8_t *a)
{
	uint64_t w0, w1;

	memcpy(&w0, a, 8);
	memcpy(&w1, a + 8, 8);
	return rte_hash_crc_8byte(w1, rte_hash_crc_8byte(w0, 0));
}

/** Start bringing in a's fallback index entry (no direct prefix). */
static inline void
haven_binding_fb_prefetch6(const struct haven_binding_view *v,
		const uint8_t *a)
{
	const struct haven_binding_fb *fb =
		__atomic_load_n(&v->fb, __ATOMIC_ACQUIRE);

	rte_prefetch0(&fb->e[haven_binding_fb_hash6(a) & fb->mask]);
}

/** The fallback cell of a, or NULL. */
static inline struct haven_binding_cell6 *
haven_binding_fb_find6(const struct haven_binding_view *v, const uint8_t *a)
{
	const struct haven_binding_fb *fb =
		__atomic_load_n(&v->fb, __ATOMIC_ACQUIRE);
	uint32_t sig = haven_binding_fb_hash6(a), pos = sig & fb->mask, cell;
	struct haven_binding_cell6 *c;
	uint64_t e;

	for (;;) {
		e = __atomic_load_n(&fb->e[pos], __ATOMIC_ACQUIRE);
		cell = (uint32_t)(e >> 32);
		if (cell == HAVEN_BINDING_FB_EMPTY)
			return NULL;
		if ((uint32_t)e == sig && cell != HAVEN_BINDING_FB_TOMB) {
			c = haven_binding_fb_cell(v, cell - 1);
			/* The key is written before the entry is published
			 * and never changes while the entry is live. */
			if (memcmp(c->key, a, 16) == 0)
				return c;
		}
		pos = (pos + 1) & fb->mask;
	}
}

/**
 * The first fallback cell whose entry's signature is a's, not checked
 * against a (the cell's key): callers compare the key once the cell is in
 * the cache, and call haven_binding_fb_find6() when it differs. Lets a
 * burst overlap the index and cell misses of its packets.
 */
static inline struct haven_binding_cell6 *
haven_binding_fb_candidate6(const struct haven_binding_view *v,
		const uint8_t *a)
{
	const struct haven_binding_fb *fb =
		__atomic_load_n(&v->fb, __ATOMIC_ACQUIRE);
	uint32_t sig = haven_binding_fb_hash6(a), pos = sig & fb->mask, cell;
	uint64_t e;

	for (;;) {
		e = __atomic_load_n(&fb->e[pos], __ATOMIC_ACQUIRE);
		cell = (uint32_t)(e >> 32);
		if (cell == HAVEN_BINDING_FB_EMPTY)
			return NULL;
		if ((uint32_t)e == sig && cell != HAVEN_BINDING_FB_TOMB)
			return haven_binding_fb_cell(v, cell - 1);
		pos = (pos + 1) & fb->mask;
	}
}

/** The cell of IPv6 home address a, or NULL. */
static inline struct haven_binding_cell6 *
haven_binding_find6(const struct haven_binding_view *v, const uint8_t *a)
{
	struct haven_binding_cell6 *c = haven_binding_direct6(v, a);

	return c != NULL ? c : haven_binding_fb_find6(v, a);
}

/**
 * Read an IPv6 cell (tun->rec 0: no binding); the inline care-of address
 * is copied to coa (16 bytes).
 */
static inline void
haven_binding_cell6_read(const struct haven_binding_cell6 *c,
		struct haven_binding_tun *t, uint8_t *coa)
{
	uint32_t r1 = haven_binding_seq_begin(&c->rec);
	uint64_t w0, w1;

	w0 = __atomic_load_n((const uint64_t *)(const void *)c->coa,
			__ATOMIC_RELAXED);
	w1 = __atomic_load_n((const uint64_t *)(const void *)(c->coa + 8),
			__ATOMIC_RELAXED);
	memcpy(coa, &w0, 8);
	memcpy(coa + 8, &w1, 8);
	t->coa = 0;
	t->slot = __atomic_load_n(&c->slot, __ATOMIC_RELAXED);
	haven_binding_nk_split(__atomic_load_n(&c->nk, __ATOMIC_RELAXED), t);
	t->port = __atomic_load_n(&c->port, __ATOMIC_RELAXED);
	t->osrc = __atomic_load_n(&c->osrc, __ATOMIC_RELAXED);
	haven_binding_seq_end(&c->rec, r1, t);
}

#ifdef __cplusplus
}
#endif

#endif /* HAVEN_BINDING_WORKER_H */
