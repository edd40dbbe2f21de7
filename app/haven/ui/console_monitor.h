/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live events and log lines for the console's monitoring sessions
 * ("terminal monitor") and a terminal whose prompt log lines must not
 * garble (console_monitor.c).
 */
#ifndef HAVEN_CONSOLE_MONITOR_H
#define HAVEN_CONSOLE_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

/** Lines of the log waiting for the control lcore, at most. */
#define HAVEN_MONITOR_SLOTS 256
/** Longest log line copied to a session (longer ones are cut). */
#define HAVEN_MONITOR_LINE 256

/**
 * Put a stream between rte_log and the stream it wrote to (the EAL's:
 * stdout and syslog), which still gets every byte, and copy the log's
 * lines for the sessions; listen to the event record.
 * @return 0 or -errno.
 */
int console_monitor_init(void);

/** Give rte_log its stream back. */
void console_monitor_fini(void);

/**
 * Whether any session monitors (lines are copied only then). Control
 * lcore.
 */
void console_monitor_active(bool any);

/**
 * The terminal console: present or not, and whether it waits at its
 * prompt (a log line written meanwhile first erases the line being
 * typed, and the prompt is drawn again afterwards). Control lcore.
 */
void console_monitor_terminal(bool present, bool at_prompt);

/** True once after a log line went over the terminal's prompt. */
bool console_monitor_terminal_redraw(void);

/**
 * Hand every waiting log line and every new event, in text, to fn, on the
 * control lcore. @return how many lines.
 */
unsigned int console_monitor_drain(void (*fn)(const char *line, void *arg),
		void *arg);

/** Log lines not copied because the queue was full, since start. */
uint64_t console_monitor_dropped(void);

#endif /* HAVEN_CONSOLE_MONITOR_H */
