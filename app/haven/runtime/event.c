/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The event record (event.h): a ring of the last HAVEN_EVENTS events,
 * written only by the control lcore, read by the operator surfaces.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "rt.h"

#define EVENT_HOOKS 8

static const char *const kind_names[] = {
	[HAVEN_EV_REGISTRATION] = "registration",
	[HAVEN_EV_DEREGISTRATION] = "deregistration",
	[HAVEN_EV_EXPIRY] = "expiry",
	[HAVEN_EV_DELEGATION] = "delegation",
	[HAVEN_EV_TAKEBACK] = "takeback",
	[HAVEN_EV_PEER] = "peer",
	[HAVEN_EV_CONFIG] = "config",
	[HAVEN_EV_AAA] = "aaa",
};

/* Writer: haven_event(), on the control lcore. */
static struct haven_event ring[HAVEN_EVENTS];
static uint64_t n_events;
static struct {
	void (*fn)(const struct haven_event *ev, void *arg);
	void *arg;
} hooks[EVENT_HOOKS];

const char *
haven_event_kind_name(enum haven_event_kind kind)
{
	return kind < RTE_DIM(kind_names) && kind_names[kind] != NULL ?
		kind_names[kind] : "?";
}

uint64_t
haven_event_count(void)
{
	return n_events;
}

const struct haven_event *
haven_event_get(uint64_t seq)
{
	if (seq >= n_events || n_events - seq > HAVEN_EVENTS)
		return NULL;
	return &ring[seq % HAVEN_EVENTS];
}

void
haven_event(enum haven_event_kind kind, const struct haven_addr *addr,
		int code, const char *fmt, ...)
{
	struct haven_event *ev = &ring[n_events % HAVEN_EVENTS];
	unsigned int i;
	va_list ap;

	ev->seq = n_events++;
	ev->time_us = haven_wall_us();
	ev->kind = kind;
	if (addr != NULL)
		ev->addr = *addr;
	else
		memset(&ev->addr, 0, sizeof(ev->addr));
	ev->code = code;
	va_start(ap, fmt);
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	va_end(ap);
	HAVEN_LOG(INFO, "event %s: %s\n", haven_event_kind_name(kind),
		ev->text);
	for (i = 0; i < EVENT_HOOKS; i++)
		if (hooks[i].fn != NULL)
			hooks[i].fn(ev, hooks[i].arg);
}

int
haven_event_hook_add(void (*fn)(const struct haven_event *ev, void *arg),
		void *arg)
{
	unsigned int i;

	for (i = 0; i < EVENT_HOOKS; i++)
		if (hooks[i].fn == NULL) {
			hooks[i].fn = fn;
			hooks[i].arg = arg;
			return 0;
		}
	return -ENOSPC;
}

void
haven_event_hook_del(void (*fn)(const struct haven_event *ev, void *arg),
		void *arg)
{
	unsigned int i;

	for (i = 0; i < EVENT_HOOKS; i++)
		if (hooks[i].fn == fn && hooks[i].arg == arg)
			hooks[i].fn = NULL;
}
