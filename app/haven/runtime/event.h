/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_EVENT_H
#define HAVEN_EVENT_H

/**
 * @file
 * The event record: one line per decision an operator may ask about later
 * (a registration accepted or denied with its code, a deregistration, an
 * expiry, a delegation, a take-back, a peer lost or back, a reload), kept
 * in a ring of the last HAVEN_EVENTS on the control lcore, logged through
 * rte_log, and passed to the hooks registered for live watchers.
 */

#include <stdint.h>

#include <rte_common.h>

#include "haven_addr.h"

#define HAVEN_EVENTS 1024		/**< events remembered */
#define HAVEN_EVENT_TEXT 112		/**< text of one event, bytes */

/** Kinds of events. */
enum haven_event_kind {
	HAVEN_EV_REGISTRATION,		/**< request answered; code = reply code */
	HAVEN_EV_DEREGISTRATION,	/**< a node's care-of address(es) released */
	HAVEN_EV_EXPIRY,		/**< a lifetime ran out */
	HAVEN_EV_DELEGATION,		/**< delegated, refused; code = status */
	HAVEN_EV_TAKEBACK,		/**< binding back from a secondary */
	HAVEN_EV_PEER,			/**< peer lost, back, added, removed */
	HAVEN_EV_CONFIG,		/**< configuration reloaded or refused */
	HAVEN_EV_AAA,			/**< RADIUS: node provisioned, refused,
					  * server dead or back */
	HAVEN_EV_KIND_MAX
};

/** One remembered event. */
struct haven_event {
	uint64_t seq;			/**< 0, 1, 2, ... since start */
	uint64_t time_us;		/**< wall clock, microseconds */
	enum haven_event_kind kind;
	struct haven_addr addr;		/**< the home address, or none */
	int code;			/**< reply code, status, or -1 */
	char text[HAVEN_EVENT_TEXT];	/**< what happened, for people */
};

/**
 * Record an event (and log it). Control lcore only.
 * @param addr  the home address it is about, or NULL.
 * @param code  reply code or status, -1 when none.
 */
void haven_event(enum haven_event_kind kind, const struct haven_addr *addr,
		int code, const char *fmt, ...) __rte_format_printf(4, 5);

/** Name of a kind: "registration", ... */
const char *haven_event_kind_name(enum haven_event_kind kind);

/** Events recorded since start (the next one's seq). */
uint64_t haven_event_count(void);

/**
 * The event with sequence number seq, or NULL if it is not (or no longer)
 * in the ring.
 */
const struct haven_event *haven_event_get(uint64_t seq);

/**
 * Call fn for every event from now on (live watchers: console monitor).
 * @return 0 or -ENOSPC.
 */
int haven_event_hook_add(void (*fn)(const struct haven_event *ev, void *arg),
		void *arg);

/** Stop calling fn with arg. */
void haven_event_hook_del(void (*fn)(const struct haven_event *ev, void *arg),
		void *arg);

#endif /* HAVEN_EVENT_H */
