/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The event record (event.h): one ring per kind of event, and one for
 * denials, each of the last HAVEN_EVENTS; written only by the control
 * lcore, read by the operator surfaces, which merge the rings by sequence
 * number.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "rt.h"

#define EVENT_HOOKS 8
#define RING_DENIALS HAVEN_EV_KIND_MAX	/* index of the denials' ring */
#define N_RINGS (HAVEN_EV_KIND_MAX + 1)

static const char *const kind_names[] = {
	[HAVEN_EV_REGISTRATION] = "registration",
	[HAVEN_EV_DEREGISTRATION] = "deregistration",
	[HAVEN_EV_EXPIRY] = "expiry",
	[HAVEN_EV_DELEGATION] = "delegation",
	[HAVEN_EV_TAKEBACK] = "takeback",
	[HAVEN_EV_PEER] = "peer",
	[HAVEN_EV_CONFIG] = "config",
	[HAVEN_EV_AAA] = "aaa",
	[HAVEN_EV_ADMIN_RELEASE] = "admin_release",
};

/* Writer: haven_event(), on the control lcore. */
static struct {
	struct haven_event ev[HAVEN_EVENTS];
	uint64_t n;			/* recorded in this ring */
} rings[N_RINGS];
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

/* Entry i (0: oldest still held) of ring r. */
static const struct haven_event *
ring_at(unsigned int r, uint64_t i)
{
	uint64_t held = RTE_MIN(rings[r].n, (uint64_t)HAVEN_EVENTS);

	return &rings[r].ev[(rings[r].n - held + i) % HAVEN_EVENTS];
}

/* Index of the first entry of ring r with seq >= seq (held if none). */
static uint64_t
ring_lower_bound(unsigned int r, uint64_t seq)
{
	uint64_t lo = 0, hi = RTE_MIN(rings[r].n, (uint64_t)HAVEN_EVENTS);

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ring_at(r, mid)->seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct haven_event *
haven_event_next(uint64_t seq)
{
	const struct haven_event *best = NULL, *e;
	unsigned int r;
	uint64_t i;

	for (r = 0; r < N_RINGS; r++) {
		i = ring_lower_bound(r, seq);
		if (i == RTE_MIN(rings[r].n, (uint64_t)HAVEN_EVENTS))
			continue;
		e = ring_at(r, i);
		if (best == NULL || e->seq < best->seq)
			best = e;
	}
	return best;
}

const struct haven_event *
haven_event_prev(uint64_t seq)
{
	const struct haven_event *best = NULL, *e;
	unsigned int r;
	uint64_t i;

	for (r = 0; r < N_RINGS; r++) {
		i = ring_lower_bound(r, seq);
		if (i == 0)
			continue;
		e = ring_at(r, i - 1);
		if (best == NULL || e->seq > best->seq)
			best = e;
	}
	return best;
}

uint64_t
haven_event_first(void)
{
	const struct haven_event *e = haven_event_next(0);

	return e != NULL ? e->seq : n_events;
}

void
haven_event(enum haven_event_kind kind, const struct haven_addr *addr,
		int code, const char *fmt, ...)
{
	static struct haven_ratelimit denials_rl[256];
	bool denial = kind == HAVEN_EV_REGISTRATION && code >= 128;
	unsigned int r = denial ? RING_DENIALS : (unsigned int)kind, i;
	struct haven_event *ev;
	va_list ap;

	if (kind >= HAVEN_EV_KIND_MAX)
		return;
	ev = &rings[r].ev[rings[r].n++ % HAVEN_EVENTS];
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
	if (denial)
		haven_log_limited(&denials_rl[code & 0xff], RTE_LOG_INFO,
			"event %s: %s\n", haven_event_kind_name(kind),
			ev->text);
	else
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
