/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the console's files share: console.c (core, sessions, help, load,
 * quit) gathers the commands the topic files export through their own
 * headers (console_show.h, console_deleg.h, console_log.h), as testpmd's
 * cmdline.c gathers cmdline_<topic>.c. A command only parses its tokens
 * and calls an action function; it prints what the action says.
 */
#ifndef HAVEN_CONSOLE_H
#define HAVEN_CONSOLE_H

#include <cmdline.h>
#include <cmdline_parse.h>

#include "view.h"

#define HAVEN_CONSOLE_PROMPT "haven> "
/** Longest console line (the cmdline library's RDLINE_BUF_SIZE). */
#define HAVEN_CONSOLE_LINE 512

/** "ok" text when rc is 0, else "error: <err>" (suites look for it). */
static inline void
console_result(struct cmdline *cl, int rc, const char *err, const char *ok)
{
	if (rc == 0)
		cmdline_printf(cl, "%s\n", ok);
	else
		cmdline_printf(cl, "error: %s\n", err);
}

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
 * else on stdout. Blank lines and '#' comments are skipped.
 * @return 0, or -errno if the file cannot be read.
 */
int haven_console_script(const char *path);

#endif /* HAVEN_CONSOLE_H */
