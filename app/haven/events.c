/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The event record: one line per decision an operator may ask about later
 * (a registration accepted or denied with its code, IPv4 or IPv6, a
 * deregistration, an expiry, a delegation, a take-back, a peer lost or
 * back, a reload), kept
 * in a ring of the last HAVEN_EVENTS entries on the control lcore, shown
 * by `show events` and /haven/events, and logged through rte_log.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "haven.h"

static const char *const kind_names[] = {
	[HAVEN_EV_REGISTRATION] = "registration",
	[HAVEN_EV_DEREGISTRATION] = "deregistration",
	[HAVEN_EV_EXPIRY] = "expiry",
	[HAVEN_EV_DELEGATION] = "delegation",
	[HAVEN_EV_TAKEBACK] = "takeback",
	[HAVEN_EV_PEER] = "peer",
	[HAVEN_EV_CONFIG] = "config",
};

const char *
haven_event_kind_name(enum haven_event_kind kind)
{
	return kind < RTE_DIM(kind_names) && kind_names[kind] != NULL ?
		kind_names[kind] : "?";
}

static void
record(struct haven_app *app, enum haven_event_kind kind, uint32_t home_addr,
		const uint8_t *home_addr6, int code, const char *fmt,
		va_list ap)
{
	struct haven_event *ev = &app->events[app->n_events % HAVEN_EVENTS];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ev->seq = app->n_events++;
	ev->time_us = (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	ev->kind = kind;
	ev->home_addr = home_addr;
	ev->is_ip6 = home_addr6 != NULL;
	if (home_addr6 != NULL)
		memcpy(ev->home_addr6, home_addr6, sizeof(ev->home_addr6));
	else
		memset(ev->home_addr6, 0, sizeof(ev->home_addr6));
	ev->code = code;
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	HAVEN_LOG(INFO, "event %s: %s\n", haven_event_kind_name(kind),
		ev->text);
}

void
haven_event(struct haven_app *app, enum haven_event_kind kind,
		uint32_t home_addr, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(app, kind, home_addr, NULL, code, fmt, ap);
	va_end(ap);
}

void
haven_event6(struct haven_app *app, enum haven_event_kind kind,
		const uint8_t *home_addr6, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(app, kind, 0, home_addr6, code, fmt, ap);
	va_end(ap);
}
