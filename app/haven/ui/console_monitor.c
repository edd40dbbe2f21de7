/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live events and log lines for the console's monitoring sessions.
 *
 * rte_log writes to one stream. This file puts a stream of its own there
 * (fopencookie) that hands every byte on to the stream rte_log had before
 * (the EAL's: standard output and syslog, as before), and, while a
 * session monitors, copies each complete line into a slot of a bounded
 * pool for the control lcore. Log calls come from any lcore or thread
 * (workers, the telemetry thread, RADIUS, the control lcore itself), and
 * only the control lcore may write to a session: so a line travels
 * through two lock-free rings of slot numbers (free slots, filled slots);
 * when no slot is free the line is dropped and counted. Nothing is
 * allocated after start-up. stdio already serialises writes to one FILE,
 * so the partial line kept between two writes needs no lock of its own.
 *
 * Events come from the event record's hook (runtime/event.h), on the
 * control lcore; they are taken from the record by sequence number when
 * the sessions are served, so that an event recorded while a command
 * runs is shown after its output. Each event's own log line ("haven:
 * event ...") is not copied: the event is shown instead, whatever the
 * log level.
 *
 * The terminal console shares standard output with the log: a line
 * logged while the operator types there first erases the line being
 * typed, and the control lcore draws the prompt and the typed text again
 * after it.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_ring.h>

#include "console_monitor.h"
#include "event.h"
#include "names.h"

#define EVENT_PREFIX "haven: event "	/**< an event's own log line */
#define ERASE_LINE "\r\033[K"		/**< VT100: column 0, clear the line */

/*
 * The state. Writers: the control lcore for everything but the slots, the
 * partial line and the counters, which the log's writer (any thread,
 * serialised by stdio's lock on our FILE) fills.
 */
static struct {
	FILE *inner;			/* the stream rte_log had */
	FILE *ours;			/* the stream in between */
	struct rte_ring *free_slots;	/* slot numbers free */
	struct rte_ring *full_slots;	/* slot numbers filled, in order */
	char slot[HAVEN_MONITOR_SLOTS][HAVEN_MONITOR_LINE];
	char partial[HAVEN_MONITOR_LINE];	/* a line not yet ended */
	size_t partial_len;
	bool partial_cut;		/* longer than a line: the rest dropped */
	volatile bool copy;		/* some session monitors */
	volatile bool terminal;		/* the terminal console is open */
	volatile bool at_prompt;	/* ... and waits at its prompt */
	volatile bool redraw;		/* a log line went over the prompt */
	uint64_t dropped;		/* lines lost: no free slot */
	uint64_t ev_next;		/* next event to hand out */
	bool hooked;
} mon;

/* Any thread (under stdio's lock of mon.ours): one complete line. */
static void
line_out(const char *line, size_t len)
{
	void *idx;

	if (len >= sizeof(EVENT_PREFIX) - 1 &&
	    memcmp(line, EVENT_PREFIX, sizeof(EVENT_PREFIX) - 1) == 0)
		return;
	if (rte_ring_dequeue(mon.free_slots, &idx) != 0) {
		__atomic_fetch_add(&mon.dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	if (len >= HAVEN_MONITOR_LINE)
		len = HAVEN_MONITOR_LINE - 1;
	memcpy(mon.slot[(uintptr_t)idx], line, len);
	mon.slot[(uintptr_t)idx][len] = '\0';
	/* Cannot fail: as many places as slots. */
	rte_ring_enqueue(mon.full_slots, idx);
}

/* Any thread: split what rte_log wrote into lines for the sessions. */
static void
copy_lines(const char *buf, size_t size)
{
	while (size > 0) {
		const char *nl = memchr(buf, '\n', size);
		size_t n = nl != NULL ? (size_t)(nl - buf) : size;
		size_t room = sizeof(mon.partial) - 1 - mon.partial_len;

		if (n > room) {
			mon.partial_cut = true;
			n = room;
		}
		memcpy(mon.partial + mon.partial_len, buf, n);
		mon.partial_len += n;
		if (nl == NULL)
			return;
		line_out(mon.partial, mon.partial_len);
		mon.partial_len = 0;
		mon.partial_cut = false;
		size -= nl + 1 - buf;
		buf = nl + 1;
	}
}

/* The cookie's write: everything goes on to the stream rte_log had. */
static ssize_t
log_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	if (mon.terminal && mon.at_prompt) {
		/* Over the line being typed; the control lcore redraws. */
		if (write(STDOUT_FILENO, ERASE_LINE, sizeof(ERASE_LINE) - 1) > 0)
			mon.redraw = true;
	}
	fwrite(buf, 1, size, mon.inner);
	fflush(mon.inner);
	if (mon.copy)
		copy_lines(buf, size);
	return size;
}

static void
event_hook(const struct haven_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	/* Shown from the record when the sessions are served. */
}

int
console_monitor_init(void)
{
	cookie_io_functions_t io = { .write = log_write };
	uintptr_t i;
	int rc;

	mon.free_slots = rte_ring_create("haven_mon_free", HAVEN_MONITOR_SLOTS,
		SOCKET_ID_ANY, RING_F_EXACT_SZ);
	mon.full_slots = rte_ring_create("haven_mon_full", HAVEN_MONITOR_SLOTS,
		SOCKET_ID_ANY, RING_F_EXACT_SZ);
	if (mon.free_slots == NULL || mon.full_slots == NULL)
		return -ENOMEM;
	for (i = 0; i < HAVEN_MONITOR_SLOTS; i++)
		rte_ring_enqueue(mon.free_slots, (void *)i);
	mon.inner = rte_log_get_stream();
	mon.ours = fopencookie(NULL, "w", io);
	if (mon.ours == NULL)
		return -errno;
	/* Line buffered: one write per line, as rte_log flushes anyway. */
	setvbuf(mon.ours, NULL, _IOLBF, 0);
	mon.ev_next = haven_event_count();
	rc = haven_event_hook_add(event_hook, NULL);
	if (rc != 0)
		return rc;
	mon.hooked = true;
	return rte_openlog_stream(mon.ours);
}

void
console_monitor_fini(void)
{
	if (mon.ours != NULL) {
		rte_openlog_stream(mon.inner);
		fclose(mon.ours);
		mon.ours = NULL;
	}
	if (mon.hooked)
		haven_event_hook_del(event_hook, NULL);
	mon.hooked = false;
	rte_ring_free(mon.free_slots);
	rte_ring_free(mon.full_slots);
	mon.free_slots = mon.full_slots = NULL;
}

void
console_monitor_active(bool any)
{
	mon.copy = any;
}

void
console_monitor_terminal(bool present, bool at_prompt)
{
	mon.terminal = present;
	mon.at_prompt = at_prompt;
}

bool
console_monitor_terminal_redraw(void)
{
	if (!mon.redraw)
		return false;
	mon.redraw = false;
	return true;
}

uint64_t
console_monitor_dropped(void)
{
	return __atomic_load_n(&mon.dropped, __ATOMIC_RELAXED);
}

unsigned int
console_monitor_drain(void (*fn)(const char *line, void *arg), void *arg)
{
	const struct haven_event *ev;
	unsigned int n = 0;
	void *idx;

	while (mon.full_slots != NULL &&
	       rte_ring_dequeue(mon.full_slots, &idx) == 0) {
		if (mon.copy)
			fn(mon.slot[(uintptr_t)idx], arg);
		rte_ring_enqueue(mon.free_slots, idx);
		n++;
	}
	while ((ev = haven_event_next(mon.ev_next)) != NULL) {
		char line[HAVEN_EVENT_TEXT + 96], t[40], code[16] = "";

		mon.ev_next = ev->seq + 1;
		if (!mon.copy)
			continue;
		if (ev->code >= 0)
			snprintf(code, sizeof(code), " %d", ev->code);
		snprintf(line, sizeof(line), "event %" PRIu64 " %s %s%s: %s",
			ev->seq, haven_iso8601(ev->time_us, t, sizeof(t)),
			haven_event_kind_name(ev->kind), code, ev->text);
		fn(line, arg);
		n++;
	}
	return n;
}
