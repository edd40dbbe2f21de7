/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the console's files share: console.c (core, sessions, help, load,
 * quit, shutdown, JSON twins, completion) gathers the commands the topic
 * files export through their own headers (console_show.h,
 * console_deleg.h, console_log.h, console_clear.h), as testpmd's
 * cmdline.c gathers cmdline_<topic>.c. A command only parses its tokens
 * and calls an action function or a builder (report.h); it prints what
 * they say, as text or, after a final "json", as JSON.
 */
#ifndef HAVEN_CONSOLE_H
#define HAVEN_CONSOLE_H

#include <stdbool.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <jansson.h>

#include "view.h"

#define HAVEN_CONSOLE_PROMPT "haven> "
/** Longest console line (the cmdline library's RDLINE_BUF_SIZE). */
#define HAVEN_CONSOLE_LINE 512
/** Socket sessions at once; one more client is told so and closed. */
#define HAVEN_CONSOLE_SESSIONS 4

/** "ok" text when rc is 0, else "error: <err>" (suites look for it). */
static inline void
console_result(struct cmdline *cl, int rc, const char *err, const char *ok)
{
	if (rc == 0)
		cmdline_printf(cl, "%s\n", ok);
	else
		cmdline_printf(cl, "error: %s\n", err);
}

/** True while a show command runs for "<command> json". */
bool console_json(void);

/** Run the following commands in JSON mode (on) or text (console.c). */
void console_json_set(bool on);

/**
 * Print what a builder made: as JSON in JSON mode, else with text(cl, j).
 * Takes j (NULL: the builder ran out of memory, an error is printed).
 */
void console_emit(struct cmdline *cl, json_t *j,
		void (*text)(struct cmdline *cl, const json_t *j));

/** An error: "error: <text>" in text mode, {"error": "<text>"} in JSON. */
void console_error(struct cmdline *cl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * The session a command runs in asks for live events and log lines
 * (on) or no more (off). @return 0, or -ENOTSUP outside a socket session.
 */
int console_session_monitor(struct cmdline *cl, bool on);

/**
 * Open the console: the unix socket console_socket (mode 0600) when
 * configured, the terminal when asked; register its poller and its part
 * of a reload. @return 0 or -errno.
 */
int haven_console_init(bool terminal);

/** Close every session and the socket. */
void haven_console_close(void);

/**
 * Run a file of console commands (haven --script): each line echoed after
 * the prompt, then its output, on the terminal session if there is one,
 * else on stdout. Blank lines and '#' comments are skipped; "quit" or
 * "exit" ends the file.
 * @return 0, or -errno if the file cannot be read.
 */
int haven_console_script(const char *path);

#endif /* HAVEN_CONSOLE_H */
