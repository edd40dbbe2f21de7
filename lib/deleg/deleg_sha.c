/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The secondary home agent's side of the delegation protocol: the table of
 * bindings it forwards for its primaries ([0025]), filled by Start
 * Forwarding and emptied by Stop Forwarding or by the end of the
 * forwarding duration ([0031]), and the periodic report that tells each
 * primary that this SHA is alive, how loaded it is and what it forwards.
 *
 * The receiver is idempotent: a START is judged by its generation against
 * what is installed for that home address (newer replaces, equal is a
 * duplicate and is acked again, older is STALE) and a STOP of something
 * absent is acked OK, so retransmissions, duplicates and reordering
 * within the replay window are harmless. The table lives in the caller's
 * memory: an entry array of the SHA's capacity and an open-addressing
 * index (linear probing, backward-shift deletion) keyed by (family, home
 * address): an IPv4 and an IPv6 binding never share an entry, whatever
 * their octets, and reports go out per family (section "IPv6").
 * The decisions are the table "SHA Behaviour" of
 * docs/delegation-protocol.md.
 */

#include <errno.h>
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
	sha->used--;
	sha->stats.removed++;
	entry_free(sha, e);
}

/* ------------------------------------------------------------------ */
/* Messages                                                           */
/* ------------------------------------------------------------------ */

/* What this primary could have here: what it has plus what is free. */
static uint32_t
capacity_for(const struct haven_deleg_sha *sha,
		const struct haven_deleg_peer *primary)
{
	return primary->load + (sha->capacity - sha->used);
}

/* The ack of req, in req's family, echoing its home address. */
static void
send_ack(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary,
		uint8_t type, const struct haven_deleg_msg *req,
		const struct haven_addr *h, uint32_t generation, uint8_t status)
{
	struct haven_deleg_msg ack;

	memset(&ack, 0, sizeof(ack));
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
	e->packets = 0;
	e->bytes = 0;
	if (raise_event(sha, HAVEN_DELEG_EV_INSTALL, e, true) != 0) {
		entry_free(sha, e);
		return HAVEN_DELEG_OVER_CAPACITY;
	}
	sha->index[slot] = (uint32_t)(e - sha->entries) + 1;
	sha->used++;
	primary->load++;
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

	e->info = *bi;
	e->expires_ms = expiry_ms(bi->duration_s, now_ms);
	if (raise_event(sha, HAVEN_DELEG_EV_INSTALL, e, false) != 0) {
		e->info = old;
		e->expires_ms = old_expiry;
		return HAVEN_DELEG_OVER_CAPACITY;
	}
	sha->stats.replaced++;
	if (e->expires_ms < sha->next_expiry_ms)
		sha->next_expiry_ms = e->expires_ms;
	return HAVEN_DELEG_OK;
}

static void
handle_start(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary,
		const struct haven_deleg_msg *msg, uint64_t now_ms)
{
	const struct haven_deleg_binding_info *bi = &msg->u.start;
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
	else if (deleg_is6(h) && !sha->ipv6)
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
	send_ack(sha, primary, HAVEN_DELEG_START_ACK, msg, h, bi->generation,
		status);
}

static void
handle_stop(struct haven_deleg_sha *sha, struct haven_deleg_peer *primary,
		const struct haven_deleg_msg *msg)
{
	const struct haven_addr *h = &msg->u.stop.home_addr;
	struct haven_deleg_sha_entry *e;
	uint8_t status = HAVEN_DELEG_OK;
	uint32_t slot;
	bool found;

	slot = index_slot(sha, h, &found);
	e = found ? &sha->entries[sha->index[slot] - 1] : NULL;
	if (e == NULL) {
		/* Already gone (an earlier STOP, expiry): idempotent. */
	} else if (e->primary != primary) {
		status = HAVEN_DELEG_BAD_REQUEST;
	} else if (deleg_gen_after(e->info.generation,
			msg->u.stop.generation)) {
		/* A newer START overtook this STOP: keep the newer. */
		sha->stats.stale++;
		status = HAVEN_DELEG_STALE;
	} else {
		entry_remove(sha, slot, e, "STOP");
	}
	send_ack(sha, primary, HAVEN_DELEG_STOP_ACK, msg, h,
		msg->u.stop.generation, status);
}

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
		if (e->primary != primary ||
				deleg_is6(&e->info.home_addr) != is6)
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
			msg->u.report.part++;
			msg->u.report.n_entries = 0;
		}
	}
	deleg_send(sha->self_id, primary, msg, sha->ops->send, sha->ctx);
	if (msg->u.report.part + 1u < r->parts)
		msg->u.report.part++;
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
	const struct haven_deleg_sha_entry *e;
	uint64_t packets = 0, bytes = 0, parts;
	uint32_t i, n4 = 0, n6 = 0;

	for (i = 0; i < sha->capacity; i++) {
		e = &sha->entries[i];
		if (e->primary != primary)
			continue;
		packets += e->packets;
		bytes += e->bytes;
		if (deleg_is6(&e->info.home_addr))
			n6++;
		else
			n4++;
	}
	parts = (n4 + HAVEN_DELEG_REPORT_MAX_ENTRIES - 1) /
		HAVEN_DELEG_REPORT_MAX_ENTRIES +
		(n6 + HAVEN_DELEG_REPORT_MAX_ENTRIES6 - 1) /
		HAVEN_DELEG_REPORT_MAX_ENTRIES6;
	if (parts == 0)
		parts = 1;
	if (parts > UINT16_MAX)
		parts = UINT16_MAX;

	memset(&r, 0, sizeof(r));
	r.parts = (uint32_t)parts;
	r.msg.type = HAVEN_DELEG_REPORT;
	r.msg.u.report.interval_ms = sha->report_interval_ms;
	r.msg.u.report.load = primary->load;
	r.msg.u.report.capacity = capacity_for(sha, primary);
	r.msg.u.report.boot_id = sha->boot_id;
	r.msg.u.report.packets = packets;
	r.msg.u.report.bytes = bytes;
	r.msg.u.report.parts = (uint16_t)parts;
	if (n4 > 0 || n6 == 0)
		send_report_family(sha, primary, &r, false, n4);
	if (n6 > 0)
		send_report_family(sha, primary, &r, true, n6);
}

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

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
	sha->report_interval_ms = report_interval_ms != 0 ?
		report_interval_ms : HAVEN_DELEG_REPORT_MS;
	sha->next_report_ms = now_ms;
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
	int rc;

	rc = deleg_receive(sha->primaries, sha->n_primaries, sha->self_id,
		TYPE_BIT(HAVEN_DELEG_START) | TYPE_BIT(HAVEN_DELEG_STOP),
		&counters, src, buf, len, now_ms, &msg, &primary);
	if (rc < 0)
		return rc;
	if (msg.type == HAVEN_DELEG_START)
		handle_start(sha, primary, &msg, now_ms);
	else
		handle_stop(sha, primary, &msg);
	return 0;
}

void
haven_deleg_sha_tick(struct haven_deleg_sha *sha, uint64_t now_ms)
{
	struct haven_deleg_sha_entry *e;
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

	if (now_ms >= sha->next_report_ms) {
		for (i = 0; i < sha->n_primaries; i++)
			if (!sha->primaries[i].removed)
				send_report(sha, &sha->primaries[i]);
		sha->next_report_ms += sha->report_interval_ms;
		if (sha->next_report_ms <= now_ms)
			sha->next_report_ms = now_ms + sha->report_interval_ms;
	}
}
