/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator console, in testpmd's style (DPDK cmdline library): on the
 * terminal, on a unix socket (mode 0600, up to HAVEN_CONSOLE_SESSIONS
 * sessions at once) so operators can attach to a headless appliance
 * (haven-console, or socat - UNIX-CONNECT:<path>), and from files of
 * commands (load <file>, haven --script <file>).
 *
 * This file is the core: the list that gathers every command the topic
 * files export (console_show.c, console_deleg.c, console_log.c,
 * console_clear.c), help, load, reload, quit/exit (leave the session),
 * shutdown (stop the agent), terminal monitor, and the sessions.
 * Commands run on the control lcore, between two turns of its loop, so
 * they see and change state exactly as registrations do. Input is read
 * here and fed to the parser with cmdline_in(): cmdline_poll() would take
 * one character per call.
 *
 * What the cmdline library does not do, done here:
 * - "json" at the end of any show command: at start-up every instance
 *   whose first word is "show" gets a twin with one more token, "json",
 *   whose function runs the original's in JSON mode (console_json());
 * - a line no instance takes gets a hint naming what was expected (the
 *   grammar of the instances that matched the most words), from a
 *   catch-all instance at the end of the list that takes exactly the
 *   lines the others refuse;
 * - TAB and '?' are served here, from the list without the catch-all,
 *   and '?' shows each choice once (the library lists a word once per
 *   instance: once per variant of a command).
 *
 * A file of commands is run line by line through cmdline_parse() on the
 * session that asked for it, so its output shows where the operator
 * looks (cmdline_file_new() would drop it): each command is echoed after
 * the prompt, then its output follows.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>

#include "console.h"
#include "console_aaa.h"
#include "console_clear.h"
#include "console_deleg.h"
#include "console_log.h"
#include "console_monitor.h"
#include "console_show.h"
#include "console_state.h"
#include "loop.h"
#include "reload.h"

#define PROMPT HAVEN_CONSOLE_PROMPT
#define LOAD_DEPTH_MAX 4	/**< files loading files, at most */
#define CHOICES_MAX 128		/**< distinct choices '?' lists, at most */
/*
 * Where the "json" token of a twin writes its word: the end of the
 * cmdline library's result buffer, past every command's result structure.
 */
#define JSON_TOKEN_OFFSET (CMDLINE_PARSE_RESULT_BUFSIZE - STR_TOKEN_SIZE)

/* One session: the terminal, or a client of the socket. */
struct session {
	struct cmdline *cl;		/* NULL: the place is free */
	int fd;				/* its socket (the terminal: 0) */
	bool terminal;
	bool monitor;			/* terminal monitor */
	unsigned int id;		/* 1, 2, ...: for the log */
};

/* The console. Writer: this file, on the control lcore. */
static struct {
	struct session terminal;
	struct session clients[HAVEN_CONSOLE_SESSIONS];
	unsigned int next_id;
	int listen_fd;			/* the unix socket, or -1 */
	char path[HAVEN_CONFIG_PATH_LEN];	/* the socket's path */
	cmdline_parse_ctx_t *ctx;	/* every command, twins, catch-all */
	cmdline_parse_ctx_t *real_ctx;	/* every command and twin */
	struct cmdline *checker;	/* parses against real_ctx only */
	unsigned int depth;		/* files being run (load, --script) */
	bool file_quit;			/* "quit" in a file: stop it */
	bool refused;			/* the catch-all took the last line */
	char where[HAVEN_CONFIG_PATH_LEN + 16];	/* " (file:line)" or "" */
	bool monitor_init;
	uint64_t dropped;		/* monitor lines dropped, told so far */
} con = { .listen_fd = -1 };

/* The session of a cmdline, or NULL (a script on stdout). */
static struct session *
session_of(const struct cmdline *cl)
{
	unsigned int i;

	if (cl != NULL && con.terminal.cl == cl)
		return &con.terminal;
	for (i = 0; cl != NULL && i < HAVEN_CONSOLE_SESSIONS; i++)
		if (con.clients[i].cl == cl)
			return &con.clients[i];
	return NULL;
}

/* A twin's function: its original's, in JSON mode. */
static void
json_twin_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const cmdline_parse_inst_t *orig = data;

	console_json_set(true);
	orig->f(parsed, cl, orig->data);
	console_json_set(false);
}

static cmdline_parse_token_string_t json_token = {
	.hdr = {
		.ops = &cmdline_token_string_ops,
		.offset = JSON_TOKEN_OFFSET,
	},
	.string_data = { .str = "json" },
};

/* ***** quit, exit ***** */

struct cmd_quit_result {
	cmdline_fixed_string_t quit;
};

static void
cmd_quit_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct session *s = session_of(cl);

	(void)parsed;
	(void)data;
	if (con.depth > 0) {
		/* In a file: the rest of the file is not run. */
		con.file_quit = true;
		return;
	}
	if (s == NULL)
		return;
	if (s->terminal)
		cmdline_printf(cl, "leaving the terminal console; the home "
			"agent runs on (shutdown, ctrl-c or SIGTERM stops it)\n");
	else
		cmdline_printf(cl, "bye; the home agent runs on\n");
	cmdline_quit(cl);
}

static cmdline_parse_token_string_t cmd_quit_quit =
	TOKEN_STRING_INITIALIZER(struct cmd_quit_result, quit, "quit#exit");

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_parsed,
	.data = NULL,
	.help_str = "quit|exit: leave this session (in a file: stop reading "
		"it); the home agent runs on",
	.tokens = {
		(void *)&cmd_quit_quit,
		NULL,
	},
};

/* ***** shutdown ***** */

struct cmd_shutdown_result {
	cmdline_fixed_string_t shutdown;
};

static void
cmd_shutdown_parsed(void *parsed, struct cmdline *cl, void *data)
{
	char what[256];
	unsigned int i;

	(void)parsed;
	(void)data;
	snprintf(what, sizeof(what), "shutting down the home agent: its %u "
		"binding(s) and %u IPv6 binding(s) end with it, the workers, "
		"ports and EAL stop, every console session closes and the "
		"socket goes\n", haven_view_binding_count(HAVEN_AF_INET),
		haven_view_binding_count(HAVEN_AF_INET6));
	cmdline_printf(cl, "%s", what);
	for (i = 0; i < HAVEN_CONSOLE_SESSIONS; i++)
		if (con.clients[i].cl != NULL && con.clients[i].cl != cl)
			cmdline_printf(con.clients[i].cl, "\r\n%s",
				what);
	HAVEN_LOG(NOTICE, "shutdown asked on the console\n");
	haven_rt.quit = true;
}

static cmdline_parse_token_string_t cmd_shutdown_shutdown =
	TOKEN_STRING_INITIALIZER(struct cmd_shutdown_result, shutdown,
		"shutdown");

static cmdline_parse_inst_t cmd_shutdown = {
	.f = cmd_shutdown_parsed,
	.data = NULL,
	.help_str = "shutdown: stop the home agent (every binding it holds "
		"ends; workers, ports and EAL stop)",
	.tokens = {
		(void *)&cmd_shutdown_shutdown,
		NULL,
	},
};

/* ***** terminal monitor, terminal no monitor ***** */

struct cmd_monitor_result {
	cmdline_fixed_string_t terminal;
	cmdline_fixed_string_t no;
	cmdline_fixed_string_t monitor;
};

static void
cmd_monitor_parsed(void *parsed, struct cmdline *cl, void *data)
{
	bool on = data == NULL;

	(void)parsed;
	if (console_session_monitor(cl, on) != 0) {
		console_error(cl, "terminal monitor is for socket sessions (the "
			"terminal shows the log already)");
		return;
	}
	cmdline_printf(cl, on ? "monitoring: events and log lines follow\n" :
		"monitoring off\n");
}

static cmdline_parse_token_string_t cmd_monitor_terminal =
	TOKEN_STRING_INITIALIZER(struct cmd_monitor_result, terminal,
		"terminal");
static cmdline_parse_token_string_t cmd_monitor_no =
	TOKEN_STRING_INITIALIZER(struct cmd_monitor_result, no, "no");
static cmdline_parse_token_string_t cmd_monitor_monitor =
	TOKEN_STRING_INITIALIZER(struct cmd_monitor_result, monitor,
		"monitor");

#define MONITOR_HELP "terminal [no] monitor: live events and log lines in " \
	"this socket session, or no more"

static cmdline_parse_inst_t cmd_monitor = {
	.f = cmd_monitor_parsed,
	.data = NULL,
	.help_str = MONITOR_HELP,
	.tokens = {
		(void *)&cmd_monitor_terminal,
		(void *)&cmd_monitor_monitor,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_no_monitor = {
	.f = cmd_monitor_parsed,
	.data = (void *)1,
	.help_str = MONITOR_HELP,
	.tokens = {
		(void *)&cmd_monitor_terminal,
		(void *)&cmd_monitor_no,
		(void *)&cmd_monitor_monitor,
		NULL,
	},
};

/* ***** help ***** */

struct cmd_help_result {
	cmdline_fixed_string_t help;
};

/* True when help_str is in list[0..n). */
static bool
seen_help(const char *const *list, unsigned int n, const char *help_str)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], help_str) == 0)
			return true;
	return false;
}

static void
cmd_help_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const char **shown;
	unsigned int i, n = 0;

	(void)parsed;
	(void)data;
	for (i = 0; con.real_ctx[i] != NULL; i++)
		;
	shown = calloc(i + 1, sizeof(*shown));
	if (shown == NULL) {
		console_error(cl, "out of memory");
		return;
	}
	cmdline_printf(cl, "Commands (TAB completes, '?' lists choices; "
		"\"json\" after any show command prints JSON):\n");
	for (i = 0; con.real_ctx[i] != NULL; i++) {
		const char *h = con.real_ctx[i]->help_str;

		/* Variants of one command, and JSON twins, share it: once. */
		if (h == NULL || seen_help(shown, n, h))
			continue;
		shown[n++] = h;
		cmdline_printf(cl, "  %s\n", h);
	}
	free(shown);
}

static cmdline_parse_token_string_t cmd_help_help =
	TOKEN_STRING_INITIALIZER(struct cmd_help_result, help, "help");

static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_parsed,
	.data = NULL,
	.help_str = "help: every command with its grammar",
	.tokens = {
		(void *)&cmd_help_help,
		NULL,
	},
};

/* ***** load <file> ***** */

/*
 * Run a file of commands on a session: blank lines and '#' comments are
 * skipped, every other line is echoed after the prompt and parsed as if
 * typed; a line the parser refuses is reported with its place and the
 * rest still runs; "quit" or "exit" ends the file. Files may load files,
 * up to LOAD_DEPTH_MAX deep. @return 0, or -errno if the file cannot be
 * read.
 */
static int
console_run_file(struct cmdline *cl, const char *path)
{
	char line[HAVEN_CONSOLE_LINE + 2];
	unsigned int lineno = 0, refused = 0;
	FILE *f;

	if (con.depth >= LOAD_DEPTH_MAX) {
		cmdline_printf(cl, "error: %s: files load files more than %u "
			"deep\n", path, LOAD_DEPTH_MAX);
		return -ELOOP;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		int rc = -errno;

		cmdline_printf(cl, "error: %s: %s\n", path, strerror(-rc));
		return rc;
	}
	con.depth++;
	while (!haven_rt.quit && !con.file_quit &&
	       fgets(line, HAVEN_CONSOLE_LINE, f) != NULL) {
		size_t n = strcspn(line, "\r\n");
		bool too_long = line[n] == '\0' && !feof(f);
		const char *what = NULL;
		char *cmd;
		int rc;

		lineno++;
		if (too_long) {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			cmdline_printf(cl, "error: %s:%u: longer than %u "
				"characters\n", path, lineno,
				HAVEN_CONSOLE_LINE - 2);
			refused++;
			continue;
		}
		line[n] = '\0';
		cmd = line + strspn(line, " \t");
		if (cmd[0] == '\0' || cmd[0] == '#')
			continue;
		cmdline_printf(cl, "%s%s\n", PROMPT, cmd);
		/* cmdline_parse() wants the end of the line. */
		n = strlen(cmd);
		cmd[n] = '\n';
		cmd[n + 1] = '\0';
		con.refused = false;
		snprintf(con.where, sizeof(con.where), " (%s:%u)", path,
			lineno);
		rc = cmdline_parse(cl, cmd);
		con.where[0] = '\0';
		if (rc == CMDLINE_PARSE_AMBIGUOUS)
			what = "Ambiguous command";
		else if (rc == CMDLINE_PARSE_NOMATCH)
			what = "Command not found";
		else if (rc == CMDLINE_PARSE_BAD_ARGS)
			what = "Bad arguments";
		if (what != NULL)
			cmdline_printf(cl, "%s (%s:%u)\n", what, path, lineno);
		/* The catch-all said what was expected, with the place. */
		if (what != NULL || con.refused)
			refused++;
	}
	con.depth--;
	con.file_quit = false;
	fclose(f);
	if (refused > 0)
		cmdline_printf(cl, "%s: %u line(s) refused\n", path, refused);
	return 0;
}

struct cmd_load_result {
	cmdline_fixed_string_t load;
	cmdline_fixed_string_t file;
};

static void
cmd_load_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_load_result *r = parsed;

	(void)data;
	console_run_file(cl, r->file);
}

static cmdline_parse_token_string_t cmd_load_load =
	TOKEN_STRING_INITIALIZER(struct cmd_load_result, load, "load");
static cmdline_parse_token_string_t cmd_load_file =
	TOKEN_STRING_INITIALIZER(struct cmd_load_result, file, NULL);

static cmdline_parse_inst_t cmd_load = {
	.f = cmd_load_parsed,
	.data = NULL,
	.help_str = "load <file>: run the commands of a file (one a line, "
		"'#' comments; quit ends the file), their output here",
	.tokens = {
		(void *)&cmd_load_load,
		(void *)&cmd_load_file,
		NULL,
	},
};

/* ***** reload ***** */

struct cmd_reload_result {
	cmdline_fixed_string_t reload;
};

static void
cmd_reload_parsed(void *parsed, struct cmdline *cl, void *data)
{
	char msg[512];
	int rc;

	(void)parsed;
	(void)data;
	rc = haven_reload(msg, sizeof(msg));
	console_result(cl, rc, msg, msg);
}

static cmdline_parse_token_string_t cmd_reload_reload =
	TOKEN_STRING_INITIALIZER(struct cmd_reload_result, reload, "reload");

static cmdline_parse_inst_t cmd_reload = {
	.f = cmd_reload_parsed,
	.data = NULL,
	.help_str = "reload: read the configuration file again (as SIGHUP): "
		"all of it or nothing",
	.tokens = {
		(void *)&cmd_reload_reload,
		NULL,
	},
};

/* ***** every command ***** */

static cmdline_parse_inst_t *const commands[] = {
	/* console_show.c */
	&cmd_show_version,
	&cmd_show_stats,
	&cmd_show_drops,
	&cmd_show_ports,
	&cmd_show_xstats,
	&cmd_show_routes,
	&cmd_show_neigh,
	&cmd_show_mns,
	&cmd_show_mns_paged,
	&cmd_show_bindings,
	&cmd_show_bindings_paged,
	&cmd_show_bindings_hoa_filter,
	&cmd_show_bindings_hoa_paged,
	&cmd_show_bindings_net_filter,
	&cmd_show_bindings_net_paged,
	&cmd_show_binding,
	&cmd_show_events,
	&cmd_show_events_n_inst,
	&cmd_show_events_kind,
	&cmd_show_events_kind_n,
	&cmd_show_events_hoa,
	&cmd_show_events_hoa_n,
	&cmd_show_events_kind_hoa,
	&cmd_show_events_kind_hoa_n,
	&cmd_show_bindings6,
	&cmd_show_bindings6_paged,
	&cmd_show_bindings6_hoa_filter,
	&cmd_show_bindings6_hoa_paged,
	&cmd_show_bindings6_net_filter,
	&cmd_show_bindings6_net_paged,
	&cmd_show_binding6,
	&cmd_show_mns6,
	&cmd_show_mns6_paged,
	&cmd_show_neigh6,
	&cmd_show_stats6,
	&cmd_show_running_config,
	/* console_deleg.c */
	&cmd_show_peers,
	&cmd_show_deleg,
	&cmd_delegate,
	&cmd_undelegate,
	&cmd_add_sha,
	&cmd_del_sha,
	&cmd_set_policy,
	&cmd_set_threshold,
	/* console_state.c */
	&cmd_show_store,
	&cmd_save_store,
	&cmd_show_redundancy,
	&cmd_set_redundancy_role,
	/* console_aaa.c */
	&cmd_show_aaa,
	&cmd_show_aaa_nodes,
	&cmd_revoke,
	/* console_clear.c */
	&cmd_clear_stats,
	&cmd_clear_drops,
	&cmd_clear_port_stats,
	&cmd_clear_port_stats_one,
	&cmd_clear_peers,
	&cmd_clear_binding,
	/* console_log.c */
	&cmd_set_log_level,
	&cmd_show_log_levels,
	/* here */
	&cmd_monitor,
	&cmd_no_monitor,
	&cmd_reload,
	&cmd_load,
	&cmd_help,
	&cmd_quit,
	&cmd_shutdown,
};

/* ---------------------------------------------------------------------
 * The catch-all: what was expected, for a line no command takes
 */

struct cmd_hint_result {
	char line[HAVEN_CONSOLE_LINE + 2];
};

/* How far a line goes in an instance's grammar. */
struct reach {
	unsigned int words;		/* tokens matched */
	const char *stop;		/* where it stopped */
	bool extra;			/* every token matched, more follows */
};

/* The end of a command: its line ends, or a comment starts. */
static bool
end_of_command(char c)
{
	return c == '\0' || c == '#' || c == '\n' || c == '\r';
}

static struct reach
reach_of(cmdline_parse_inst_t *inst, const char *buf)
{
	struct reach r = { 0, buf, false };
	unsigned int i;

	for (i = 0; inst->tokens[i] != NULL; i++) {
		cmdline_parse_token_hdr_t *tk = inst->tokens[i];
		int n;

		while (*buf == ' ' || *buf == '\t')
			buf++;
		r.stop = buf;
		if (end_of_command(*buf))
			return r;
		n = tk->ops->parse(tk, buf, NULL, 0);
		if (n < 0) {
			/*
			 * A twin stopped at its "json": the word is extra to
			 * the command, as for the original.
			 */
			r.extra = inst->f == json_twin_parsed &&
				inst->tokens[i + 1] == NULL;
			return r;
		}
		buf += n;
		r.words++;
	}
	while (*buf == ' ' || *buf == '\t')
		buf++;
	r.stop = buf;
	r.extra = !end_of_command(*buf);
	return r;
}

/* The grammar of a help string: what comes before its first ": ". */
static int
grammar_len(const char *help)
{
	const char *colon = strstr(help, ": ");

	return colon != NULL ? (int)(colon - help) : (int)strlen(help);
}

static void
cmd_hint_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_hint_result *r = parsed;
	const char *shown[8], *stop = NULL;
	unsigned int i, best = 0, n = 0;
	bool extra = true;
	char word[64];
	int rc;

	(void)data;
	con.refused = true;
	rc = cmdline_parse_check(con.checker, r->line);
	if (rc == CMDLINE_PARSE_NOMATCH) {
		cmdline_printf(cl, "Command not found%s\n", con.where[0] ?
			con.where : " (help lists the commands)");
		return;
	}
	for (i = 0; con.real_ctx[i] != NULL; i++) {
		struct reach x = reach_of(con.real_ctx[i], r->line);

		if (x.words > best) {
			best = x.words;
			stop = x.stop;
			extra = x.extra;
		} else if (x.words == best && !x.extra) {
			extra = false;	/* another word was expected there */
		}
	}
	if (best == 0 || stop == NULL) {
		cmdline_printf(cl, "Bad arguments%s\n", con.where);
		return;
	}
	snprintf(word, sizeof(word), "%.*s", (int)strcspn(stop, " \t\r\n#"),
		stop);
	while (stop > r->line && (stop[-1] == ' ' || stop[-1] == '\t'))
		stop--;
	if (word[0] == '\0')
		cmdline_printf(cl, "error: \"%.*s\" is incomplete%s; "
			"expected:\n", (int)(stop - r->line), r->line,
			con.where);
	else
		cmdline_printf(cl, "error: %s \"%s\" after \"%.*s\"%s; "
			"expected:\n", extra ? "nothing expected at" :
			"not valid:", word, (int)(stop - r->line), r->line,
			con.where);
	for (i = 0; con.real_ctx[i] != NULL && n < RTE_DIM(shown); i++) {
		const char *h = con.real_ctx[i]->help_str;

		if (reach_of(con.real_ctx[i], r->line).words != best ||
		    h == NULL || seen_help(shown, n, h))
			continue;
		shown[n++] = h;
		cmdline_printf(cl, "  %.*s\n", grammar_len(h), h);
	}
}

/* Takes the whole line, exactly when no other instance takes it. */
static int
hint_parse(cmdline_parse_token_hdr_t *tk, const char *buf, void *res,
		unsigned int ressize)
{
	size_t n = strcspn(buf, "\r\n");
	int rc;

	(void)tk;
	if (n == 0 || n >= sizeof(((struct cmd_hint_result *)0)->line) - 1)
		return -1;
	rc = cmdline_parse_check(con.checker, buf);
	if (rc != CMDLINE_PARSE_NOMATCH && rc != CMDLINE_PARSE_BAD_ARGS)
		return -1;
	if (res != NULL && ressize >= n + 2) {
		memcpy(res, buf, n);
		memcpy((char *)res + n, "\n", 2);
	}
	return n;
}

static struct cmdline_token_ops hint_ops = {
	.parse = hint_parse,
};

static cmdline_parse_token_hdr_t cmd_hint_line = {
	.ops = &hint_ops,
	.offset = 0,
};

static cmdline_parse_inst_t cmd_hint = {
	.f = cmd_hint_parsed,
	.data = NULL,
	.help_str = NULL,
	.tokens = {
		&cmd_hint_line,
		NULL,
	},
};

/*
 * The list the sessions parse with: every command, a JSON twin of every
 * show command, the catch-all last; and the same without the catch-all
 * for the checker and completion.
 */
static int
build_ctx(void)
{
	unsigned int n = RTE_DIM(commands), i, k = 0;

	con.ctx = calloc(2 * n + 2, sizeof(*con.ctx));
	if (con.ctx == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		con.ctx[k++] = commands[i];
	for (i = 0; i < n; i++) {
		const cmdline_parse_inst_t *o = commands[i];
		const struct cmdline_token_string *first =
			(const void *)o->tokens[0];
		cmdline_parse_inst_t *twin;
		unsigned int t;

		if (first->hdr.ops != &cmdline_token_string_ops ||
		    first->string_data.str == NULL ||
		    strcmp(first->string_data.str, "show") != 0)
			continue;
		for (t = 0; o->tokens[t] != NULL; t++)
			;
		twin = calloc(1, sizeof(*twin) + (t + 2) *
			sizeof(twin->tokens[0]));
		if (twin == NULL)
			return -ENOMEM;
		twin->f = json_twin_parsed;
		twin->data = (void *)(uintptr_t)o;
		twin->help_str = o->help_str;
		memcpy(twin->tokens, o->tokens, t * sizeof(o->tokens[0]));
		twin->tokens[t] = &json_token.hdr;
		con.ctx[k++] = twin;
	}
	con.real_ctx = calloc(k + 1, sizeof(*con.real_ctx));
	if (con.real_ctx == NULL)
		return -ENOMEM;
	memcpy(con.real_ctx, con.ctx, k * sizeof(*con.ctx));
	con.ctx[k] = &cmd_hint;
	/* Output nowhere: it only parses and completes. */
	con.checker = cmdline_new(con.real_ctx, "", -1, -1);
	return con.checker != NULL ? 0 : -ENOMEM;
}

static void
free_ctx(void)
{
	unsigned int i;

	if (con.checker != NULL)
		cmdline_free(con.checker);
	con.checker = NULL;
	for (i = 0; con.real_ctx != NULL && con.real_ctx[i] != NULL; i++)
		if (con.real_ctx[i]->f == json_twin_parsed)
			free(con.real_ctx[i]);
	free(con.real_ctx);
	free(con.ctx);
	con.real_ctx = con.ctx = NULL;
}

/* ---------------------------------------------------------------------
 * Completion: TAB and '?'
 */

/* Each choice once, then the prompt and the line again. */
static void
list_choices(struct cmdline *cl, const char *line, int state, char *first)
{
	char *seen[CHOICES_MAX];
	char dst[BUFSIZ];
	unsigned int n = 0, i;
	int rc = 1;

	cmdline_printf(cl, "\n");
	if (first != NULL)
		snprintf(dst, sizeof(dst), "%s", first);
	else
		rc = cmdline_complete(con.checker, line, &state, dst,
			sizeof(dst));
	while (rc > 0) {
		/*
		 * One line a choice ("word [Fixed STRING]", "[IPv4 network]"):
		 * the variants of a command differ only in their help.
		 */
		const char *colon = strstr(dst, ": ");
		size_t key = colon != NULL ? (size_t)(colon - dst) : strlen(dst);
		bool dup = false;

		for (i = 0; i < n && !dup; i++)
			dup = strncmp(seen[i], dst, key) == 0 &&
				(seen[i][key] == '\0' ||
				 strncmp(seen[i] + key, ": ", 2) == 0);
		if (!dup && n < CHOICES_MAX && (seen[n] = strdup(dst)) != NULL) {
			cmdline_printf(cl, " %s\n", dst);
			n++;
		}
		rc = cmdline_complete(con.checker, line, &state, dst,
			sizeof(dst));
	}
	for (i = 0; i < n; i++)
		free(seen[i]);
	rdline_redisplay(cmdline_get_rdline(cl));
}

static void
complete(struct cmdline *cl, bool help)
{
	const char *buf = rdline_get_buffer(cmdline_get_rdline(cl));
	char line[HAVEN_CONSOLE_LINE + 2], dst[BUFSIZ];
	int state = help ? -1 : 0, rc;

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(buf, "\n"), buf);
	if (help) {
		list_choices(cl, line, state, NULL);
		return;
	}
	rc = cmdline_complete(con.checker, line, &state, dst, sizeof(dst));
	if (rc == CMDLINE_PARSE_COMPLETED_BUFFER)
		cmdline_in(cl, dst, strlen(dst));	/* as if typed */
	else if (rc == CMDLINE_PARSE_COMPLETE_AGAIN)
		list_choices(cl, line, state, dst);
}

/* ---------------------------------------------------------------------
 * Terminal and socket sessions
 */

static int
listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 ||
	    listen(fd, HAVEN_CONSOLE_SESSIONS) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/* Reload: the socket's path is fixed until a restart. */
static int
reload_prepare(const struct haven_config *new_cfg, void **ctx, char *err,
		size_t errlen)
{
	(void)ctx;
	if (strcmp(haven_rt.cfg.console_socket, new_cfg->console_socket) == 0)
		return 0;
	snprintf(err, errlen, "console_socket changed: only a restart "
		"applies that");
	return -EINVAL;
}

static void
reload_commit(const struct haven_config *old_cfg, void *ctx, char *summary,
		size_t len)
{
	(void)old_cfg;
	(void)ctx;
	(void)summary;
	(void)len;
}

static const struct haven_reload_ops reload_ops = {
	.name = "console",
	.prepare = reload_prepare,
	.commit = reload_commit,
};

/*
 * Feed what is waiting on a session's descriptor to its parser, TAB and
 * '?' served here. false: the session ended (end of input, quit, exit).
 */
static bool
feed(struct session *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	char buf[512];
	ssize_t n, i, start = 0;

	if (poll(&pfd, 1, 0) <= 0)
		return true;
	n = read(s->fd, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && (errno == EAGAIN || errno == EINTR);
	if (s->terminal)
		console_monitor_terminal(true, false);
	for (i = 0; i < n; i++) {
		if (buf[i] != '\t' && buf[i] != '?')
			continue;
		if (i > start && cmdline_in(s->cl, buf + start, i - start) < 0)
			return false;
		complete(s->cl, buf[i] == '?');
		start = i + 1;
	}
	if (n > start && cmdline_in(s->cl, buf + start, n - start) < 0)
		return false;
	if (s->terminal)
		console_monitor_terminal(true, true);
	return true;
}

static void
monitor_update(void)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < HAVEN_CONSOLE_SESSIONS; i++)
		any |= con.clients[i].cl != NULL && con.clients[i].monitor;
	console_monitor_active(any);
}

int
console_session_monitor(struct cmdline *cl, bool on)
{
	struct session *s = session_of(cl);

	if (s == NULL || s->terminal || !con.monitor_init)
		return -ENOTSUP;
	s->monitor = on;
	monitor_update();
	return 0;
}

static void
session_close(struct session *s)
{
	if (s->terminal) {
		cmdline_stdin_exit(s->cl);
		console_monitor_terminal(false, false);
	} else {
		cmdline_free(s->cl);	/* closes its socket */
	}
	HAVEN_LOG(INFO, "console session %u closed\n", s->id);
	s->cl = NULL;
	s->fd = -1;
	s->monitor = false;
	monitor_update();
}

/* One more client: a free place, or told there is none. */
static void
session_accept(void)
{
	static const char full[] = "too many sessions (" RTE_STR(
		HAVEN_CONSOLE_SESSIONS) " at most): try again later\n";
	struct session *s = NULL;
	unsigned int i;
	int fd = accept4(con.listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (i = 0; i < HAVEN_CONSOLE_SESSIONS && s == NULL; i++)
		if (con.clients[i].cl == NULL)
			s = &con.clients[i];
	if (s == NULL) {
		if (write(fd, full, sizeof(full) - 1) < 0)
			HAVEN_LOG(DEBUG, "console: %s\n", strerror(errno));
		close(fd);
		HAVEN_LOG(NOTICE, "console: a client refused, %u sessions "
			"open\n", HAVEN_CONSOLE_SESSIONS);
		return;
	}
	s->cl = cmdline_new(con.ctx, PROMPT, fd, fd);
	if (s->cl == NULL) {
		close(fd);
		return;
	}
	s->fd = fd;
	s->terminal = false;
	s->monitor = false;
	s->id = ++con.next_id;
	HAVEN_LOG(INFO, "console session %u opened\n", s->id);
}

/* A line of the monitor, over the prompt of a session. */
static void
monitor_line(const char *line, void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < HAVEN_CONSOLE_SESSIONS; i++) {
		struct session *s = &con.clients[i];

		if (s->cl != NULL && s->monitor)
			cmdline_printf(s->cl, "\r\033[K%s\n", line);
	}
}

static unsigned int
console_poll(void)
{
	unsigned int i, work = 0;

	if (con.terminal.cl != NULL && !feed(&con.terminal))
		session_close(&con.terminal);
	for (i = 0; i < HAVEN_CONSOLE_SESSIONS; i++)
		if (con.clients[i].cl != NULL && !feed(&con.clients[i]))
			session_close(&con.clients[i]);
	if (con.listen_fd >= 0)
		session_accept();
	if (con.monitor_init && console_monitor_dropped() != con.dropped) {
		char line[80];

		snprintf(line, sizeof(line), "monitor: %" PRIu64 " log line(s) "
			"dropped, the queue was full",
			console_monitor_dropped() - con.dropped);
		con.dropped = console_monitor_dropped();
		monitor_line(line, NULL);
		work++;
	}
	if (con.monitor_init)
		work += console_monitor_drain(monitor_line, NULL);
	if (work > 0) {
		/* The prompt and what is typed, again under the lines. */
		for (i = 0; i < HAVEN_CONSOLE_SESSIONS; i++)
			if (con.clients[i].cl != NULL && con.clients[i].monitor)
				rdline_redisplay(cmdline_get_rdline(
					con.clients[i].cl));
	}
	if (con.terminal.cl != NULL && console_monitor_terminal_redraw())
		rdline_redisplay(cmdline_get_rdline(con.terminal.cl));
	return work;
}

int
haven_console_init(bool terminal)
{
	const char *path = haven_rt.cfg.console_socket;
	int rc = haven_reload_register(&reload_ops);

	if (rc != 0)
		return rc;
	rc = build_ctx();
	if (rc != 0)
		return rc;
	rc = console_monitor_init();
	if (rc != 0)
		HAVEN_LOG(WARNING, "console: no terminal monitor: %s\n",
			strerror(-rc));
	con.monitor_init = rc == 0;
	if (path[0] != '\0') {
		char dir[HAVEN_CONFIG_PATH_LEN];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash != NULL && slash != dir) {
			*slash = '\0';
			mkdir(dir, 0700);
		}
		con.listen_fd = listen_unix(path);
		if (con.listen_fd < 0) {
			HAVEN_LOG(ERR, "console socket %s: %s\n", path,
				strerror(-con.listen_fd));
			return con.listen_fd;
		}
		snprintf(con.path, sizeof(con.path), "%s", path);
		HAVEN_LOG(INFO, "console on unix socket %s (%u sessions)\n",
			path, HAVEN_CONSOLE_SESSIONS);
	}
	if (terminal) {
		con.terminal.cl = cmdline_stdin_new(con.ctx, PROMPT);
		if (con.terminal.cl == NULL)
			return -ENOMEM;
		con.terminal.fd = 0;
		con.terminal.terminal = true;
		con.terminal.id = ++con.next_id;
		console_monitor_terminal(true, true);
	}
	return haven_loop_poller("console", console_poll);
}

void
haven_console_close(void)
{
	unsigned int i;

	for (i = 0; i < HAVEN_CONSOLE_SESSIONS; i++)
		if (con.clients[i].cl != NULL)
			session_close(&con.clients[i]);
	if (con.terminal.cl != NULL)
		session_close(&con.terminal);
	if (con.listen_fd >= 0) {
		close(con.listen_fd);
		unlink(con.path);
		con.listen_fd = -1;
	}
	if (con.monitor_init)
		console_monitor_fini();
	con.monitor_init = false;
	free_ctx();
}

int
haven_console_script(const char *path)
{
	struct cmdline *cl = con.terminal.cl;
	int rc;

	if (cl != NULL) {
		/* Over the prompt the terminal session already shows. */
		cmdline_printf(cl, "\r");
	} else {
		/* Output only: no prompt of its own, stdout stays open. */
		cl = cmdline_new(con.ctx, "", -1, STDOUT_FILENO);
		if (cl == NULL)
			return -ENOMEM;
	}
	rc = console_run_file(cl, path);
	if (cl == con.terminal.cl)
		cmdline_printf(cl, "%s", PROMPT);
	else
		cmdline_free(cl);
	return rc;
}
