/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_EVENT_H
#define HAVEN_EVENT_H

/**
 * @file
 * The event record: one line per decision an operator may ask about later
 * (a registration accepted or denied with its code, a deregistration, an
 * expiry, a delegation, a take-back, a peer lost or back, a reload),
 * logged through rte_log and passed to the hooks registered for live
 * watchers. Events are kept per kind, the last HAVEN_EVENTS of each, and
 * denials (a registration refused, with code 128 or more) apart from
 * accepted ones, so that a flood of forged requests cannot push a state
 * change out of the history; sequence numbers run across all of them.
 * The log lines of denials are rate limited per code (HAVEN_LOG_LIMITED).
 */

#include <stdint.h>

#include <rte_common.h>

#include "haven_addr.h"

#define HAVEN_EVENTS 1024		/**< events remembered per kind */
#define HAVEN_EVENT_TEXT 384		/**< text of one event, bytes: a whole
					  * file:line:column reload error */

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
	HAVEN_EV_ADMIN_RELEASE,		/**< an operator removed a binding */
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
 * The oldest event still held whose sequence number is seq or more, or
 * NULL when there is none (events between seq and its seq are lost).
 */
const struct haven_event *haven_event_next(uint64_t seq);

/**
 * The newest event still held whose sequence number is below seq, or
 * NULL.
 */
const struct haven_event *haven_event_prev(uint64_t seq);

/** Sequence number of the oldest event still held (count if none). */
uint64_t haven_event_first(void);

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
