/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Delegation at scale, the primary's side (issue 16): the flow control
 * and move pacing of lib/deleg from the configuration (window,
 * dgram_window, rx_budget, move_rate, move_burst; docs/configuration.md,
 * delegation-protocol.md 11.4 and 11.5), and bulk events. Delegating
 * 100,000 bindings, or moving 10,000 of them to a secondary that came
 * back, would otherwise write as many events, each a line of log, and
 * push every other state change out of the delegation history: within a
 * second the first DELEG_SINGLE_PER_S outcomes are events of their own,
 * the rest are counted, and one summary event per kind (delegation,
 * take-back) tells them once the burst has been quiet for a second.
 */

#include <stdio.h>
#include <string.h>

#include "deleg.h"
#include "deleg_private.h"
#include "event.h"
#include "rt.h"

#define DELEG_SINGLE_PER_S 16	/**< outcomes a second told one by one */
#define DELEG_BULK_QUIET_MS 1000 /**< a burst ends after this silence */

/* Outcomes counted in a burst. */
enum bulk_kind {
	BULK_DELEGATED,
	BULK_REFUSED,
	BULK_MOVED,
	BULK_MOVE_FAILED,
	BULK_TAKEN_BACK,
	BULK_MAX
};

static const char *const bulk_names[BULK_MAX] = {
	[BULK_DELEGATED] = "delegated",
	[BULK_REFUSED] = "refused",
	[BULK_MOVED] = "moved",
	[BULK_MOVE_FAILED] = "move failed",
	[BULK_TAKEN_BACK] = "taken back",
};

/* The burst in progress. Writer: this file, control lcore. */
static struct {
	uint64_t second_ms;		/**< start of the current second */
	unsigned int in_second;		/**< outcomes in it */
	bool active;			/**< counting instead of telling */
	uint64_t since_ms, last_ms;	/**< first and last counted */
	uint64_t n[BULK_MAX];
	/** per secondary (slot): what it gained, what it lost */
	uint32_t to[HAVEN_MAX_SECONDARIES][BULK_MAX];
	uint64_t summaries;		/**< summary events written */
} bulk;

int
deleg_scale_configure(const struct haven_config_delegation *dc)
{
	/* What the library has (v1_only and any later member), our keys. */
	struct haven_deleg_pha_config pc = deleg.pha.cfg;

	pc.window = dc->window;
	pc.dgram_window = dc->dgram_window;
	pc.rx_budget = dc->rx_budget;
	pc.move_rate = dc->move_rate;
	pc.move_burst = dc->move_burst;
	return haven_deleg_pha_configure(&deleg.pha, &pc);
}

static int
bulk_kind_of(int event)
{
	switch (event) {
	case HAVEN_DELEG_EV_DELEGATED:
		return BULK_DELEGATED;
	case HAVEN_DELEG_EV_REFUSED:
		return BULK_REFUSED;
	case HAVEN_DELEG_EV_MOVED:
		return BULK_MOVED;
	case HAVEN_DELEG_EV_MOVE_FAILED:
		return BULK_MOVE_FAILED;
	case HAVEN_DELEG_EV_TAKEN_BACK:
		return BULK_TAKEN_BACK;
	}
	return -1;
}

bool
deleg_bulk_take(int event, const struct haven_deleg_peer *peer)
{
	uint64_t now = haven_now_ms();
	int k = bulk_kind_of(event);

	if (k < 0)
		return false;
	if (now - bulk.second_ms >= 1000) {
		bulk.second_ms = now;
		bulk.in_second = 0;
	}
	if (!bulk.active && ++bulk.in_second <= DELEG_SINGLE_PER_S)
		return false;
	if (!bulk.active) {
		bulk.active = true;
		bulk.since_ms = now;
	}
	bulk.last_ms = now;
	bulk.n[k]++;
	if (peer != NULL && deleg.secondaries != NULL &&
	    peer >= deleg.secondaries &&
	    peer < deleg.secondaries + HAVEN_MAX_SECONDARIES)
		bulk.to[peer - deleg.secondaries][k]++;
	return true;
}

/* "sha1 123, sha2 120" of kind k into buf. */
static void
per_peer(int k, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; deleg.is_pha && i < deleg.pha.n_peers && off < len; i++)
		if (bulk.to[i][k] != 0)
			off += snprintf(buf + off, len - off, "%s%s %u",
				off ? ", " : "", deleg.secondaries[i].name,
				bulk.to[i][k]);
}

void
deleg_bulk_tick(uint64_t now)
{
	char peers[HAVEN_EVENT_TEXT / 2];
	double secs;
	int k;

	if (!bulk.active || now - bulk.last_ms < DELEG_BULK_QUIET_MS)
		return;
	secs = (double)(bulk.last_ms - bulk.since_ms) / 1000.0;
	if (bulk.n[BULK_DELEGATED] + bulk.n[BULK_REFUSED] +
	    bulk.n[BULK_MOVED] + bulk.n[BULK_MOVE_FAILED] != 0) {
		k = bulk.n[BULK_MOVED] != 0 ? BULK_MOVED : BULK_DELEGATED;
		per_peer(k, peers, sizeof(peers));
		haven_event(HAVEN_EV_DELEGATION, NULL, -1,
			"bulk over %.1f s: %" PRIu64 " %s, %" PRIu64
			" %s, %" PRIu64 " %s, %" PRIu64 " %s (%s: %s)",
			secs, bulk.n[BULK_DELEGATED],
			bulk_names[BULK_DELEGATED], bulk.n[BULK_REFUSED],
			bulk_names[BULK_REFUSED], bulk.n[BULK_MOVED],
			bulk_names[BULK_MOVED], bulk.n[BULK_MOVE_FAILED],
			bulk_names[BULK_MOVE_FAILED], bulk_names[k],
			peers[0] != '\0' ? peers : "none");
		bulk.summaries++;
	}
	if (bulk.n[BULK_TAKEN_BACK] != 0) {
		per_peer(BULK_TAKEN_BACK, peers, sizeof(peers));
		haven_event(HAVEN_EV_TAKEBACK, NULL, -1,
			"bulk over %.1f s: %" PRIu64 " taken back (from %s)",
			secs, bulk.n[BULK_TAKEN_BACK], peers);
		bulk.summaries++;
	}
	memset(bulk.n, 0, sizeof(bulk.n));
	memset(bulk.to, 0, sizeof(bulk.to));
	bulk.active = false;
	bulk.in_second = 0;
	bulk.second_ms = now;
}

uint64_t
haven_deleg_bulk_summaries(void)
{
	return bulk.summaries;
}
