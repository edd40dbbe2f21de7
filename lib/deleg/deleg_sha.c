/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The secondary home agent's side of the delegation protocol: the table of
 * bindings it forwards for its primaries ([0025]), filled by Start
 * Forwarding and emptied by Stop Forwarding or by the end of the
 * forwarding duration ([0031]), and what tells each primary that this SHA
 * is alive, how loaded it is and what it forwards: v1 REPORTs, or, to a
 * primary that speaks the scale extension, small HEARTBEATs (as often as
 * every 100 ms), COUNTERS of the bindings whose counts changed (within a
 * budget of entries per round), and a full INVENTORY when it asks.
 *
 * The receiver is idempotent: a START is judged by its generation against
 * what is installed for that home address (newer replaces, equal is a
 * duplicate and is acked again, older is STALE) and a STOP of something
 * absent is acked OK, so retransmissions, duplicates and reordering
 * within the replay window are harmless. A BATCH is the same requests
 * handled in order and answered by one BATCH_ACK. The table lives in the
 * caller's memory: an entry array of the SHA's capacity and an
 * open-addressing index (linear probing, backward-shift deletion) keyed by
 * (family, home address): an IPv4 and an IPv6 binding never share an
 * entry, whatever their octets. Each primary's digest of what it holds
 * here follows every install, replacement and removal. The decisions are
 * the table of section 5 of docs/delegation-protocol.md.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "haven_deleg.h"
#include "deleg_private.h"

/* Smallest index: a few empty slots even for a tiny SHA. */
#define INDEX_MIN_SIZE 4

/* ------------------------------------------------------------------ */
/* The index                                                          */
/* ------------------------------------------------------------------ */

uint32_t
haven_deleg_sha_table_size(uint32_t capacity)
{
	uint32_t size = INDEX_MIN_SIZE;

	while (size < 2ull * capacity && size < (1u << 31))
		size <<= 1;
	return size;
}

/*
 * Fibonacci hashing: the top bits of a multiplicative hash. An IPv6
 * address is first folded from 128 to 64 bits and mixed (the finaliser
 * of MurmurHash3), so addresses that differ only in their interface
 * identifier or only in their prefix spread alike.
 */
static uint32_t
home_hash(const struct haven_deleg_sha *sha, const struct haven_addr *h)
{
	unsigned int bits = (unsigned int)__builtin_ctz(sha->table_size);
	uint64_t hi, lo, x;

	if (!deleg_is6(h))
		return (uint32_t)((h->v4 * 0x9e3779b1u) >> (32 - bits));
	memcpy(&hi, h->v6, sizeof(hi));
	memcpy(&lo, h->v6 + 8, sizeof(lo));
	x = hi ^ (lo * 0x9e3779b97f4a7c15ull);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (uint32_t)(x >> (64 - bits));
}

/* Slot holding the home address (*found) or the empty slot for it. */
static uint32_t
index_slot(const struct haven_deleg_sha *sha, const struct haven_addr *h,
		bool *found)
{
	uint32_t mask = sha->table_size - 1;
	uint32_t i = home_hash(sha, h);

	while (sha->index[i] != 0) {
		if (haven_addr_eq(&sha->entries[sha->index[i] - 1]
				.info.home_addr, h)) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
	*found = false;
	return i;
}

/* Empty slot i and shift back the entries of its probe run (no tombs). */
static void
index_delete(struct haven_deleg_sha *sha, uint32_t i)
{
	uint32_t mask = sha->table_size - 1;
	uint32_t j = i, home;

	sha->index[i] = 0;
	for (;;) {
		j = (j + 1) & mask;
		if (sha->index[j] == 0)
			return;
		home = home_hash(sha,
			&sha->entries[sha->index[j] - 1].info.home_addr);
		/* Stays if its home slot lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		sha->index[i] = sha->index[j];
		sha->index[j] = 0;
		i = j;
	}
}

static struct haven_deleg_sha_entry *
find(struct haven_deleg_sha *sha, const struct haven_addr *h)
{
	bool found;
	uint32_t i;

	if (sha == NULL || sha->index == NULL)
		return NULL;
	i = index_slot(sha, h, &found);
	return found ? &sha->entries[sha->index[i] - 1] : NULL;
}

struct haven_deleg_sha_entry *
haven_deleg_sha_find(struct haven_deleg_sha *sha,
		const struct haven_addr *home_addr)
{
	if (home_addr == NULL || (home_addr->family != HAVEN_AF_INET &&
			home_addr->family != HAVEN_AF_INET6))
		return NULL;
	return find(sha, home_addr);
}

/* ------------------------------------------------------------------ */
/* Entries                                                            */
/* ------------------------------------------------------------------ */

static uint64_t
expiry_ms(uint32_t duration_s, uint64_t now_ms)
{
	if (duration_s == HAVEN_DELEG_DURATION_INFINITE)
		return UINT64_MAX;
	return now_ms + (uint64_t)duration_s * 1000;
}

static int
raise_event(struct haven_deleg_sha *sha, int event,
		struct haven_deleg_sha_entry *e, bool is_new)
{
	if (sha->ops->event == NULL)
		return 0;
	return sha->ops->event(sha->ctx, event, e, is_new);
}

static struct haven_deleg_sha_entry *
entry_alloc(struct haven_deleg_sha *sha)
{
	uint32_t i;

	for (i = sha->next_free; i < sha->capacity; i++) {
		if (sha->entries[i].primary == NULL) {
			sha->next_free = i + 1;
			return &sha->entries[i];
		}
	}
	return NULL;
}

static void
entry_free(struct haven_deleg_sha *sha, struct haven_deleg_sha_entry *e)
{
	uint32_t i = (uint32_t)(e - sha->entries);

	memset(e, 0, sizeof(*e));
	if (i < sha->next_free)
		sha->next_free = i;
}

/* The digest of an entry (section 11.6). */
static uint64_t
entry_digest(const struct haven_deleg_sha_entry *e)
{
	return haven_deleg_digest(&e->info.home_addr, e->info.generation);
}

/* REMOVE to the caller, then out of the index and back to the free pool. */
static void
entry_remove(struct haven_deleg_sha *sha, uint32_t slot,
		struct haven_deleg_sha_entry *e, const char *why)
{
	char addr[DELEG_ADDR_STRLEN];

	deleg_log(sha->ops->log, sha->ctx, "deleg: %s from %s: removed (%s)",
		haven_addr_str(&e->info.home_addr, addr), e->primary->name,
		why);
	raise_event(sha, HAVEN_DELEG_EV_REMOVE, e, false);
	index_delete(sha, slot);
	e->primary->load--;
	e->primary->digest -= entry_digest(e);
	sha->used--;
	sha->stats.removed++;
	entry_free(sha, e);
}

/* ------------------------------------------------------------------ */
/* Requests: START and STOP, alone or in a BATCH                      */
/* ------------------------------------------------------------------ */

/* What this primary could have here: what it has plus what is free. */
static uint32_t
capacity_for(const struct haven_deleg_sha *sha,
		const struct haven_deleg_peer *primary)
{
	return primary->load + (sha->capacity - sha->used);
}

/* The ack of a single request, in its family, echoing its home address. */
static void
send_ack(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary,
		uint8_t type, const struct haven_deleg_msg *req,
		const struct haven_addr *h, uint32_t generation, uint8_t status)
{
	struct haven_deleg_msg ack;

	memset(&ack, 0, offsetof(struct haven_deleg_msg, u) +
		sizeof(ack.u.ack));
	ack.type = type;
	ack.txn = req->txn;
	ack.family = req->family;
	ack.u.ack.home_addr = *h;
	ack.u.ack.generation = generation;
	ack.u.ack.status = status;
	ack.u.ack.load = primary->load;
	ack.u.ack.capacity = capacity_for(sha, primary);
	deleg_send(sha->self_id, primary, &ack, sha->ops->send, sha->ctx);
}

/* Install a new binding; the caller's INSTALL may still refuse it. */
static uint8_t
install_new(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary,
		const struct haven_deleg_binding_info *bi, uint32_t slot,
		uint64_t now_ms)
{
	struct haven_deleg_sha_entry *e;

	if (sha->used >= sha->capacity || (e = entry_alloc(sha)) == NULL)
		return HAVEN_DELEG_OVER_CAPACITY;
	e->info = *bi;
	e->primary = primary;
	e->installed_ms = now_ms;
	e->expires_ms = expiry_ms(bi->duration_s, now_ms);
	e->packets = e->bytes = 0;
	e->sent_packets = e->sent_bytes = 0;
	if (raise_event(sha, HAVEN_DELEG_EV_INSTALL, e, true) != 0) {
		entry_free(sha, e);
		return HAVEN_DELEG_OVER_CAPACITY;
	}
	sha->index[slot] = (uint32_t)(e - sha->entries) + 1;
	sha->used++;
	primary->load++;
	primary->digest += entry_digest(e);
	sha->stats.installed++;
	if (e->expires_ms < sha->next_expiry_ms)
		sha->next_expiry_ms = e->expires_ms;
	return HAVEN_DELEG_OK;
}

/* A newer generation of an installed binding: switch at once [0029]. */
static uint8_t
replace(struct haven_deleg_sha *sha, struct haven_deleg_sha_entry *e,
		const struct haven_deleg_binding_info *bi, uint64_t now_ms)
{
	struct haven_deleg_binding_info old = e->info;
	uint64_t old_expiry = e->expires_ms;
	uint64_t old_digest = entry_digest(e);

	e->info = *bi;
	e->expires_ms = expiry_ms(bi->duration_s, now_ms);
	if (raise_event(sha, HAVEN_DELEG_EV_INSTALL, e, false) != 0) {
		e->info = old;
		e->expires_ms = old_expiry;
		return HAVEN_DELEG_OVER_CAPACITY;
	}
	e->primary->digest += entry_digest(e) - old_digest;
	sha->stats.replaced++;
	if (e->expires_ms < sha->next_expiry_ms)
		sha->next_expiry_ms = e->expires_ms;
	return HAVEN_DELEG_OK;
}

/* Section 5, the START column. @return the status to ack with. */
static uint8_t
do_start(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary,
		const struct haven_deleg_binding_info *bi, uint64_t now_ms)
{
	const struct haven_addr *h = &bi->home_addr;
	struct haven_deleg_sha_entry *e;
	char addr[DELEG_ADDR_STRLEN];
	uint8_t status;
	uint32_t slot;
	bool found;

	slot = index_slot(sha, h, &found);
	e = found ? &sha->entries[sha->index[slot] - 1] : NULL;
	if (primary->removed)
		status = HAVEN_DELEG_NOT_PRIMARY;
	else if ((deleg_is6(h) && !sha->ipv6) ||
		 (bi->encap == HAVEN_DELEG_ENCAP_UDP && !sha->udp))
		status = HAVEN_DELEG_OVER_CAPACITY;	/* caller cannot */
	else if (e == NULL)
		status = install_new(sha, primary, bi, slot, now_ms);
	else if (e->primary != primary)
		status = HAVEN_DELEG_BAD_REQUEST;
	else if (deleg_gen_after(bi->generation, e->info.generation))
		status = replace(sha, e, bi, now_ms);
	else if (bi->generation == e->info.generation) {
		sha->stats.duplicates++;
		status = HAVEN_DELEG_OK;
	} else {
		sha->stats.stale++;
		status = HAVEN_DELEG_STALE;
	}
	if (status != HAVEN_DELEG_OK) {
		sha->stats.refused++;
		deleg_log(sha->ops->log, sha->ctx,
			"deleg: START %s generation %u from %s refused: %s",
			haven_addr_str(h, addr), bi->generation,
			primary->name, haven_deleg_status_name(status));
	}
	return status;
}

/* Section 5, the STOP column. @return the status to ack with. */
static uint8_t
do_stop(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary,
		const struct haven_addr *h, uint32_t generation)
{
	struct haven_deleg_sha_entry *e;
	uint32_t slot;
	bool found;

	slot = index_slot(sha, h, &found);
	e = found ? &sha->entries[sha->index[slot] - 1] : NULL;
	if (e == NULL)
		return HAVEN_DELEG_OK;	/* already gone: idempotent */
	if (e->primary != primary)
		return HAVEN_DELEG_BAD_REQUEST;
	if (deleg_gen_after(e->info.generation, generation)) {
		/* A newer START overtook this STOP: keep the newer. */
		sha->stats.stale++;
		return HAVEN_DELEG_STALE;
	}
	entry_remove(sha, slot, e, "STOP");
	return HAVEN_DELEG_OK;
}

/*
 * BATCH (section 11.2): every record handled in order as its own START or
 * STOP would be, and answered in one BATCH_ACK that echoes the BATCH's
 * Transaction ID. The acks always fit: an ack record is smaller than the
 * request record it answers by at least 4 octets.
 */
static void
handle_batch(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary,
		const struct haven_deleg_msg *msg, uint64_t now_ms)
{
	struct haven_deleg_msg ack;
	unsigned int i;

	memset(&ack, 0, offsetof(struct haven_deleg_msg, u));
	ack.type = HAVEN_DELEG_BATCH_ACK;
	ack.txn = msg->txn;
	ack.family = HAVEN_DELEG_FAMILY_NONE;
	for (i = 0; i < msg->u.batch.n; i++) {
		const struct haven_deleg_record *r = &msg->u.batch.rec[i];
		struct haven_deleg_ack_record *a = &ack.u.batch_ack.rec[i];

		memset(a, 0, sizeof(*a));
		a->txn = r->txn;
		if (r->kind == HAVEN_DELEG_START) {
			a->kind = HAVEN_DELEG_START_ACK;
			a->home_addr = r->start.home_addr;
			a->generation = r->start.generation;
			a->status = do_start(sha, primary, &r->start, now_ms);
		} else {
			a->kind = HAVEN_DELEG_STOP_ACK;
			a->home_addr = r->stop.home_addr;
			a->generation = r->stop.generation;
			a->status = do_stop(sha, primary, &r->stop.home_addr,
				r->stop.generation);
		}
	}
	ack.u.batch_ack.n = msg->u.batch.n;
	ack.u.batch_ack.load = primary->load;
	ack.u.batch_ack.capacity = capacity_for(sha, primary);
	sha->stats.batches++;
	deleg_send(sha->self_id, primary, &ack, sha->ops->send, sha->ctx);
}

/* ------------------------------------------------------------------ */
/* What a primary is told: v1 REPORTs                                 */
/* ------------------------------------------------------------------ */

/* What a report round tells a primary besides its entries. */
struct report_round {
	struct haven_deleg_msg msg;	/* the part being filled */
	uint32_t parts;			/* of the round, both families */
};

/*
 * The parts of one family: its n entries in parts of at most max, each
 * sent when full (if more follow) and the last when the family is done.
 * Part numbers run on across families.
 */
static void
send_report_family(struct haven_deleg_sha *sha,
		struct haven_deleg_peer *primary, struct report_round *r,
		bool is6, uint32_t n)
{
	struct haven_deleg_msg *msg = &r->msg;
	unsigned int max = is6 ? HAVEN_DELEG_REPORT_MAX_ENTRIES6 :
		HAVEN_DELEG_REPORT_MAX_ENTRIES;
	struct haven_deleg_report_entry *re;
	const struct haven_deleg_sha_entry *e;
	uint32_t i, done = 0;

	msg->family = is6 ? HAVEN_DELEG_FAMILY_IPV6 : HAVEN_DELEG_FAMILY_IPV4;
	msg->u.report.n_entries = 0;
	for (i = 0; i < sha->capacity && done < n; i++) {
		e = &sha->entries[i];
		if (e->primary != primary || deleg_is6(&e->info.home_addr) != is6)
			continue;
		if (msg->u.report.n_entries == max)
			break;	/* only if parts were capped: never overflow */
		re = &msg->u.report.entries[msg->u.report.n_entries++];
		memset(re, 0, sizeof(*re));
		re->home_addr = e->info.home_addr;
		re->generation = e->info.generation;
		re->packets = e->packets;
		re->bytes = e->bytes;
		done++;
		if (msg->u.report.n_entries == max && done < n &&
				msg->u.report.part + 1u < r->parts) {
			deleg_send(sha->self_id, primary, msg, sha->ops->send,
				sha->ctx);
			sha->stats.reports++;
			msg->u.report.part++;
			msg->u.report.n_entries = 0;
		}
	}
	deleg_send(sha->self_id, primary, msg, sha->ops->send, sha->ctx);
	sha->stats.reports++;
	if (msg->u.report.part + 1u < r->parts)
		msg->u.report.part++;
}

/* Entries held for primary, both families, and their totals. */
static void
count_entries(const struct haven_deleg_sha *sha,
		const struct haven_deleg_peer *primary, uint32_t *n4,
		uint32_t *n6, uint64_t *packets, uint64_t *bytes)
{
	const struct haven_deleg_sha_entry *e;
	uint32_t i;

	*n4 = *n6 = 0;
	*packets = *bytes = 0;
	for (i = 0; i < sha->capacity; i++) {
		e = &sha->entries[i];
		if (e->primary != primary)
			continue;
		*packets += e->packets;
		*bytes += e->bytes;
		if (deleg_is6(&e->info.home_addr))
			(*n6)++;
		else
			(*n4)++;
	}
}

/* Parts of a round of n4 then n6 entries: at least 1, at most 65535. */
static uint16_t
round_parts(uint32_t n4, uint32_t max4, uint32_t n6, uint32_t max6)
{
	uint64_t parts = (n4 + max4 - 1) / max4 + (n6 + max6 - 1) / max6;

	if (parts == 0)
		parts = 1;
	return parts > UINT16_MAX ? UINT16_MAX : (uint16_t)parts;
}

/*
 * One report to one primary: its IPv4 entries in Family 4 parts of at
 * most 48, then its IPv6 entries in Family 6 parts of at most 36, the
 * parts numbered 0..parts-1 across both. A primary without IPv6 entries
 * gets exactly the report of the IPv4-only protocol; one without any
 * entry gets one Family 4 part with none.
 */
static void
send_report(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary)
{
	struct report_round r;
	uint64_t packets, bytes;
	uint32_t n4, n6;

	count_entries(sha, primary, &n4, &n6, &packets, &bytes);
	primary->total_packets = packets;
	primary->total_bytes = bytes;
	memset(&r.msg, 0, offsetof(struct haven_deleg_msg, u) +
		sizeof(r.msg.u.report));
	r.parts = round_parts(n4, HAVEN_DELEG_REPORT_MAX_ENTRIES, n6,
		HAVEN_DELEG_REPORT_MAX_ENTRIES6);
	r.msg.type = HAVEN_DELEG_REPORT;
	r.msg.u.report.interval_ms = sha->cfg.counters_ms;
	r.msg.u.report.load = primary->load;
	r.msg.u.report.capacity = capacity_for(sha, primary);
	r.msg.u.report.boot_id = sha->boot_id;
	r.msg.u.report.packets = packets;
	r.msg.u.report.bytes = bytes;
	r.msg.u.report.parts = (uint16_t)r.parts;
	if (n4 > 0 || n6 == 0)
		send_report_family(sha, primary, &r, false, n4);
	if (n6 > 0)
		send_report_family(sha, primary, &r, true, n6);
}

/* ------------------------------------------------------------------ */
/* What a primary is told: the scale extension (section 11)           */
/* ------------------------------------------------------------------ */

static uint16_t
features(const struct haven_deleg_sha *sha)
{
	return HAVEN_DELEG_FEAT_BATCH |
		(sha->ipv6 ? HAVEN_DELEG_FEAT_IPV6 : 0) |
		(sha->udp ? HAVEN_DELEG_FEAT_UDP : 0);
}

/* HEARTBEAT (11.7): alive, load, window, digest; 104 octets of UDP. */
static void
send_heartbeat(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary)
{
	struct haven_deleg_msg msg;

	memset(&msg, 0, offsetof(struct haven_deleg_msg, u) +
		sizeof(msg.u.heartbeat));
	msg.type = HAVEN_DELEG_HEARTBEAT;
	msg.family = HAVEN_DELEG_FAMILY_NONE;
	msg.u.heartbeat.interval_ms = sha->cfg.heartbeat_ms;
	msg.u.heartbeat.load = primary->load;
	msg.u.heartbeat.capacity = capacity_for(sha, primary);
	msg.u.heartbeat.boot_id = sha->boot_id;
	msg.u.heartbeat.window = sha->cfg.window;
	msg.u.heartbeat.features = features(sha);
	msg.u.heartbeat.digest = primary->digest;
	msg.u.heartbeat.packets = primary->total_packets;
	msg.u.heartbeat.bytes = primary->total_bytes;
	if (deleg_send(sha->self_id, primary, &msg, sha->ops->send,
			sha->ctx) == 0)
		sha->stats.heartbeats++;
}

/* A message of entries of one family being filled (COUNTERS). */
struct counters_part {
	struct haven_deleg_msg msg;
	unsigned int max;
};

static void
counters_flush(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary,
		struct counters_part *c)
{
	if (c->msg.u.counters.n_entries == 0)
		return;
	if (deleg_send(sha->self_id, primary, &c->msg, sha->ops->send,
			sha->ctx) == 0)
		sha->stats.counters++;
	c->msg.u.counters.n_entries = 0;
}

/*
 * COUNTERS round (11.8): the entries of this primary whose counts changed
 * since they were last sent, at most cfg.counters_budget of them, from
 * where the last round stopped (so every changed entry has its turn), in
 * messages of one family each. Totals for the heartbeats are summed over
 * every entry on the way. At rest nothing is sent.
 */
static void
counters_round(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary)
{
	struct counters_part part[2];
	struct haven_deleg_sha_entry *e;
	uint64_t packets = 0, bytes = 0;
	uint32_t k, i, budget = sha->cfg.counters_budget, sent = 0;
	uint32_t resume = 0;
	bool is6;

	if (sha->capacity == 0)
		return;
	for (k = 0; k < 2; k++) {
		memset(&part[k].msg, 0, offsetof(struct haven_deleg_msg, u));
		part[k].msg.type = HAVEN_DELEG_COUNTERS;
		part[k].msg.family = k ? HAVEN_DELEG_FAMILY_IPV6 :
			HAVEN_DELEG_FAMILY_IPV4;
		part[k].msg.u.counters.n_entries = 0;
		part[k].max = k ? HAVEN_DELEG_COUNTERS_MAX6 :
			HAVEN_DELEG_COUNTERS_MAX;
	}
	if (primary->cursor >= sha->capacity)
		primary->cursor = 0;
	for (k = 0; k < sha->capacity; k++) {
		i = primary->cursor + k;
		if (i >= sha->capacity)
			i -= sha->capacity;
		e = &sha->entries[i];
		if (e->primary != primary)
			continue;
		packets += e->packets;
		bytes += e->bytes;
		if (sent == budget || (e->packets == e->sent_packets &&
				       e->bytes == e->sent_bytes))
			continue;
		is6 = deleg_is6(&e->info.home_addr);
		{
			struct counters_part *c = &part[is6];
			struct haven_deleg_report_entry *re =
				&c->msg.u.counters.entries[
					c->msg.u.counters.n_entries++];

			re->home_addr = e->info.home_addr;
			re->generation = e->info.generation;
			re->packets = e->packets;
			re->bytes = e->bytes;
			if (c->msg.u.counters.n_entries == c->max)
				counters_flush(sha, primary, c);
		}
		e->sent_packets = e->packets;
		e->sent_bytes = e->bytes;
		if (++sent == budget)
			resume = i + 1;
	}
	counters_flush(sha, primary, &part[0]);
	counters_flush(sha, primary, &part[1]);
	primary->cursor = sent == budget ? resume : 0;
	primary->total_packets = packets;
	primary->total_bytes = bytes;
}

/*
 * SYNC (11.9): answer with every binding held for this primary, in
 * INVENTORY parts echoing the SYNC's Transaction ID: Family 4 parts of at
 * most 165 entries, then Family 6 parts of at most 66, with the digest of
 * them all. At most one INVENTORY per primary per HAVEN_DELEG_SYNC_MIN_MS.
 */
static void
handle_sync(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary,
		const struct haven_deleg_msg *msg, uint64_t now_ms)
{
	struct haven_deleg_msg part;
	const struct haven_deleg_sha_entry *e;
	uint64_t packets, bytes;
	uint32_t n4, n6, i, f, max, n;
	uint16_t parts;

	if (primary->inventory_ms != 0 &&
	    now_ms < primary->inventory_ms + HAVEN_DELEG_SYNC_MIN_MS) {
		sha->stats.syncs_ignored++;
		return;
	}
	primary->inventory_ms = now_ms;
	count_entries(sha, primary, &n4, &n6, &packets, &bytes);
	parts = round_parts(n4, HAVEN_DELEG_INVENTORY_MAX, n6,
		HAVEN_DELEG_INVENTORY_MAX6);
	memset(&part, 0, offsetof(struct haven_deleg_msg, u) +
		sizeof(part.u.inventory));
	part.type = HAVEN_DELEG_INVENTORY;
	part.txn = msg->txn;
	part.u.inventory.load = primary->load;
	part.u.inventory.parts = parts;
	part.u.inventory.digest = primary->digest;
	for (f = 0; f < 2; f++) {
		bool is6 = f == 1;

		n = is6 ? n6 : n4;
		if (n == 0 && (is6 || n6 > 0))
			continue;
		max = is6 ? HAVEN_DELEG_INVENTORY_MAX6 :
			HAVEN_DELEG_INVENTORY_MAX;
		part.family = is6 ? HAVEN_DELEG_FAMILY_IPV6 :
			HAVEN_DELEG_FAMILY_IPV4;
		part.u.inventory.n_entries = 0;
		for (i = 0; i < sha->capacity && n > 0; i++) {
			e = &sha->entries[i];
			if (e->primary != primary ||
			    deleg_is6(&e->info.home_addr) != is6)
				continue;
			part.u.inventory.entries[
				part.u.inventory.n_entries].home_addr =
				e->info.home_addr;
			part.u.inventory.entries[
				part.u.inventory.n_entries++].generation =
				e->info.generation;
			n--;
			if (part.u.inventory.n_entries == max && n > 0 &&
			    part.u.inventory.part + 1u < parts) {
				deleg_send(sha->self_id, primary, &part,
					sha->ops->send, sha->ctx);
				part.u.inventory.part++;
				part.u.inventory.n_entries = 0;
			}
		}
		deleg_send(sha->self_id, primary, &part, sha->ops->send,
			sha->ctx);
		if (part.u.inventory.part + 1u < parts)
			part.u.inventory.part++;
	}
	primary->stats.syncs++;
	sha->stats.inventories++;
}

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

void
haven_deleg_sha_config_default(struct haven_deleg_sha_config *cfg)
{
	cfg->heartbeat_ms = HAVEN_DELEG_REPORT_MS;
	cfg->counters_ms = HAVEN_DELEG_REPORT_MS;
	cfg->counters_budget = HAVEN_DELEG_COUNTERS_BUDGET;
	cfg->window = HAVEN_DELEG_SHA_WINDOW;
}

int
haven_deleg_sha_configure(struct haven_deleg_sha *sha,
		const struct haven_deleg_sha_config *cfg)
{
	if (sha == NULL || cfg == NULL ||
			cfg->heartbeat_ms < HAVEN_DELEG_MIN_INTERVAL_MS ||
			cfg->counters_ms < cfg->heartbeat_ms ||
			cfg->counters_budget == 0 || cfg->window == 0)
		return -EINVAL;
	sha->cfg = *cfg;
	sha->report_interval_ms = cfg->counters_ms;
	return 0;
}

void
haven_deleg_sha_init(struct haven_deleg_sha *sha, uint32_t self_id,
		struct haven_deleg_peer *primaries, unsigned int n_primaries,
		struct haven_deleg_sha_entry *entries, uint32_t *index,
		uint32_t capacity, uint32_t report_interval_ms,
		const struct haven_deleg_sha_ops *ops, void *ctx,
		uint64_t now_ms, uint64_t seq_base)
{
	unsigned int i;

	memset(sha, 0, sizeof(*sha));
	sha->self_id = self_id;
	sha->ops = ops;
	sha->ctx = ctx;
	sha->primaries = primaries;
	sha->n_primaries = n_primaries;
	sha->entries = entries;
	sha->capacity = capacity;
	sha->table_size = haven_deleg_sha_table_size(capacity);
	sha->index = index;
	haven_deleg_sha_config_default(&sha->cfg);
	if (report_interval_ms != 0) {
		sha->cfg.heartbeat_ms = report_interval_ms;
		sha->cfg.counters_ms = report_interval_ms;
	}
	sha->report_interval_ms = sha->cfg.counters_ms;
	sha->next_report_ms = now_ms;
	sha->next_heartbeat_ms = now_ms;
	sha->next_expiry_ms = UINT64_MAX;
	sha->boot_id = (uint32_t)seq_base ^ (uint32_t)(seq_base >> 32);
	memset(entries, 0, sizeof(*entries) * capacity);
	memset(index, 0, sizeof(*index) * sha->table_size);
	for (i = 0; i < n_primaries; i++)
		haven_deleg_peer_init(&primaries[i], seq_base, now_ms);
}

int
haven_deleg_sha_input(struct haven_deleg_sha *sha, uint32_t src,
		const uint8_t *buf, size_t len, uint64_t now_ms)
{
	const struct deleg_rx_counters counters = {
		.malformed = &sha->stats.malformed,
		.unknown_sender = &sha->stats.unknown_sender,
	};
	struct haven_deleg_peer *primary;
	struct haven_deleg_msg msg;
	uint8_t status;
	int rc;

	rc = deleg_receive(sha->primaries, sha->n_primaries, sha->self_id,
		TYPE_BIT(HAVEN_DELEG_START) | TYPE_BIT(HAVEN_DELEG_STOP) |
		TYPE_BIT(HAVEN_DELEG_BATCH) | TYPE_BIT(HAVEN_DELEG_SYNC),
		&counters, src, buf, len, now_ms, &msg, &primary);
	if (rc < 0)
		return rc;
	switch (msg.type) {
	case HAVEN_DELEG_START:
		primary->ext = false;	/* a v1 primary (section 11.1) */
		status = do_start(sha, primary, &msg.u.start, now_ms);
		send_ack(sha, primary, HAVEN_DELEG_START_ACK, &msg,
			&msg.u.start.home_addr, msg.u.start.generation,
			status);
		break;
	case HAVEN_DELEG_STOP:
		primary->ext = false;
		status = do_stop(sha, primary, &msg.u.stop.home_addr,
			msg.u.stop.generation);
		send_ack(sha, primary, HAVEN_DELEG_STOP_ACK, &msg,
			&msg.u.stop.home_addr, msg.u.stop.generation, status);
		break;
	case HAVEN_DELEG_BATCH:
		primary->ext = true;
		handle_batch(sha, primary, &msg, now_ms);
		break;
	case HAVEN_DELEG_SYNC:
		if (!primary->ext) {
			/* From now on heartbeats: the first one at once. */
			primary->ext = true;
			send_heartbeat(sha, primary);
		}
		handle_sync(sha, primary, &msg, now_ms);
		break;
	}
	return 0;
}

/* Round a next-time up by interval past now (no burst after a stall). */
static uint64_t
next_after(uint64_t next, uint32_t interval, uint64_t now_ms)
{
	next += interval;
	return next <= now_ms ? now_ms + interval : next;
}

void
haven_deleg_sha_tick(struct haven_deleg_sha *sha, uint64_t now_ms)
{
	struct haven_deleg_sha_entry *e;
	struct haven_deleg_peer *p;
	uint64_t next = UINT64_MAX;
	unsigned int i;
	uint32_t slot;
	bool found;

	/* [0031]: the forwarding duration ends even without a STOP. */
	if (now_ms >= sha->next_expiry_ms) {
		for (i = 0; i < sha->capacity; i++) {
			e = &sha->entries[i];
			if (e->primary == NULL)
				continue;
			if (now_ms >= e->expires_ms) {
				slot = index_slot(sha, &e->info.home_addr,
					&found);
				sha->stats.expired++;
				entry_remove(sha, slot, e, "duration ended");
			} else if (e->expires_ms < next) {
				next = e->expires_ms;
			}
		}
		sha->next_expiry_ms = next;
	}

	/* Counters (or v1 reports) first: heartbeats carry their totals. */
	if (now_ms >= sha->next_report_ms) {
		for (i = 0; i < sha->n_primaries; i++) {
			p = &sha->primaries[i];
			if (p->removed)
				continue;
			if (p->ext)
				counters_round(sha, p);
			else
				send_report(sha, p);
		}
		sha->next_report_ms = next_after(sha->next_report_ms,
			sha->cfg.counters_ms, now_ms);
	}
	if (now_ms >= sha->next_heartbeat_ms) {
		for (i = 0; i < sha->n_primaries; i++) {
			p = &sha->primaries[i];
			if (!p->removed && p->ext)
				send_heartbeat(sha, p);
		}
		sha->next_heartbeat_ms = next_after(sha->next_heartbeat_ms,
			sha->cfg.heartbeat_ms, now_ms);
	}
}
