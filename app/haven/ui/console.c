/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator console, in testpmd's style (DPDK cmdline library): on the
 * terminal, on a unix socket (mode 0600) so an operator can attach to a
 * headless appliance (haven-console, or socat - UNIX-CONNECT:<path>), and
 * from files of commands (load <file>, haven --script <file>).
 *
 * This file is the core: the list that gathers every command the topic
 * files export (console_show.c, console_deleg.c, console_log.c), help,
 * load and quit, and the sessions. Commands run on the control lcore,
 * between two turns of its loop, so they see and change state exactly as
 * registrations do. Input is read here and fed to the parser with
 * cmdline_in(): cmdline_poll() would take one character per call.
 *
 * A file of commands is run line by line through cmdline_parse() on the
 * session that asked for it, so its output shows where the operator
 * looks (cmdline_file_new() would drop it): each command is echoed after
 * the prompt, then its output follows.
 */

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <cmdline_socket.h>

#include "console.h"
#include "console_aaa.h"
#include "console_deleg.h"
#include "console_log.h"
#include "console_show.h"
#include "console_state.h"
#include "loop.h"
#include "reload.h"

#define PROMPT HAVEN_CONSOLE_PROMPT
#define LOAD_DEPTH_MAX 4	/**< files loading files, at most */
/*
 * Socket sessions at once: an operator attached must not keep out
 * keepalived's notify script (set redundancy-role) or a second operator.
 */
#define CONSOLE_CLIENTS 4

static cmdline_parse_ctx_t main_ctx[];

/* The sessions. Writer: this file, on the control lcore. */
static struct {
	struct cmdline *terminal;	/* the terminal session, or NULL */
	int listen_fd;			/* the unix socket, or -1 */
	struct cmdline *client[CONSOLE_CLIENTS];	/* attached, or NULL */
	int client_fd[CONSOLE_CLIENTS];	/* their sockets */
	char path[HAVEN_CONFIG_PATH_LEN];	/* the socket's path */
} con = { .listen_fd = -1 };

/* ***** quit ***** */

struct cmd_quit_result {
	cmdline_fixed_string_t quit;
};

static void
cmd_quit_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	cmdline_printf(cl, "stopping the home agent\n");
	haven_rt.quit = true;
}

static cmdline_parse_token_string_t cmd_quit_quit =
	TOKEN_STRING_INITIALIZER(struct cmd_quit_result, quit, "quit");

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_parsed,
	.data = NULL,
	.help_str = "quit: stop the home agent, from any session, the socket "
		"too (ctrl-d only leaves a socket session)",
	.tokens = {
		(void *)&cmd_quit_quit,
		NULL,
	},
};

/* ***** help ***** */

struct cmd_help_result {
	cmdline_fixed_string_t help;
};

static void
cmd_help_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const char *last = NULL;
	unsigned int i;

	(void)parsed;
	(void)data;
	cmdline_printf(cl, "Commands (TAB completes, '?' lists choices):\n");
	for (i = 0; main_ctx[i] != NULL; i++) {
		/* Variants of one command share their help: once. */
		if (last != NULL && strcmp(last, main_ctx[i]->help_str) == 0)
			continue;
		last = main_ctx[i]->help_str;
		cmdline_printf(cl, "  %s\n", last);
	}
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
 * rest still runs; "quit" stops the file. Files may load files, up to
 * LOAD_DEPTH_MAX deep. @return 0, or -errno if the file cannot be read.
 */
static int
console_run_file(struct cmdline *cl, const char *path)
{
	static unsigned int depth;
	char line[HAVEN_CONSOLE_LINE + 2];
	unsigned int lineno = 0, refused = 0;
	FILE *f;

	if (depth >= LOAD_DEPTH_MAX) {
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
	depth++;
	while (!haven_rt.quit &&
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
		rc = cmdline_parse(cl, cmd);
		if (rc == CMDLINE_PARSE_AMBIGUOUS)
			what = "Ambiguous command";
		else if (rc == CMDLINE_PARSE_NOMATCH)
			what = "Command not found";
		else if (rc == CMDLINE_PARSE_BAD_ARGS)
			what = "Bad arguments";
		if (what != NULL) {
			cmdline_printf(cl, "%s (%s:%u)\n", what, path, lineno);
			refused++;
		}
	}
	depth--;
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
		"'#' comments), their output here",
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

static cmdline_parse_ctx_t main_ctx[] = {
	/* console_show.c */
	&cmd_show_stats,
	&cmd_show_drops,
	&cmd_show_ports,
	&cmd_show_xstats,
	&cmd_show_routes,
	&cmd_show_neigh,
	&cmd_show_mns,
	&cmd_show_bindings,
	&cmd_show_bindings_paged,
	&cmd_show_bindings_hoa_filter,
	&cmd_show_bindings_hoa_paged,
	&cmd_show_bindings_net_filter,
	&cmd_show_bindings_net_paged,
	&cmd_show_binding,
	&cmd_show_events,
	&cmd_show_events_n_inst,
	&cmd_show_bindings6,
	&cmd_show_bindings6_paged,
	&cmd_show_bindings6_hoa_filter,
	&cmd_show_bindings6_hoa_paged,
	&cmd_show_bindings6_net_filter,
	&cmd_show_bindings6_net_paged,
	&cmd_show_binding6,
	&cmd_show_mns6,
	&cmd_show_neigh6,
	&cmd_show_stats6,
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
	/* console_log.c */
	&cmd_set_log_level,
	&cmd_show_log_levels,
	/* here */
	&cmd_reload,
	&cmd_load,
	&cmd_help,
	&cmd_quit,
	NULL,
};

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
	    chmod(path, 0600) < 0 || listen(fd, 4) < 0) {
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

/* Feed what is waiting on fd to a session. false: the session ended. */
static bool
feed(struct cmdline *cl, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[512];
	ssize_t n;

	if (poll(&pfd, 1, 0) <= 0)
		return true;
	n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && (errno == EAGAIN || errno == EINTR);
	return cmdline_in(cl, buf, n) >= 0;	/* -1: ctrl-d or exit */
}

static void
client_close(unsigned int i)
{
	cmdline_free(con.client[i]);
	close(con.client_fd[i]);
	con.client[i] = NULL;
	con.client_fd[i] = -1;
}

static unsigned int
console_poll(void)
{
	unsigned int i, free_slot = CONSOLE_CLIENTS;

	if (con.terminal != NULL && !feed(con.terminal, 0))
		haven_rt.quit = true;
	for (i = 0; i < CONSOLE_CLIENTS; i++) {
		if (con.client[i] != NULL &&
		    !feed(con.client[i], con.client_fd[i]))
			client_close(i);
		if (con.client[i] == NULL && free_slot == CONSOLE_CLIENTS)
			free_slot = i;
	}
	if (free_slot < CONSOLE_CLIENTS && con.listen_fd >= 0) {
		int fd = accept4(con.listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			return 0;
		con.client[free_slot] = cmdline_new(main_ctx, PROMPT, fd, fd);
		if (con.client[free_slot] == NULL)
			close(fd);
		else
			con.client_fd[free_slot] = fd;
	}
	return 0;
}

int
haven_console_init(bool terminal)
{
	const char *path = haven_rt.cfg.console_socket;
	int rc = haven_reload_register(&reload_ops);

	if (rc != 0)
		return rc;
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
		HAVEN_LOG(INFO, "console on unix socket %s\n", path);
	}
	if (terminal) {
		con.terminal = cmdline_stdin_new(main_ctx, PROMPT);
		if (con.terminal == NULL)
			return -ENOMEM;
	}
	return haven_loop_poller("console", console_poll);
}

void
haven_console_close(void)
{
	unsigned int i;

	for (i = 0; i < CONSOLE_CLIENTS; i++)
		if (con.client[i] != NULL)
			client_close(i);
	if (con.terminal != NULL) {
		cmdline_stdin_exit(con.terminal);
		con.terminal = NULL;
	}
	if (con.listen_fd >= 0) {
		close(con.listen_fd);
		unlink(con.path);
		con.listen_fd = -1;
	}
}

int
haven_console_script(const char *path)
{
	struct cmdline *cl = con.terminal;
	int rc;

	if (cl != NULL) {
		/* Over the prompt the terminal session already shows. */
		cmdline_printf(cl, "\r");
	} else {
		/* Output only: no prompt of its own, stdout stays open. */
		cl = cmdline_new(main_ctx, "", -1, STDOUT_FILENO);
		if (cl == NULL)
			return -ENOMEM;
	}
	rc = console_run_file(cl, path);
	if (cl == con.terminal)
		cmdline_printf(cl, "%s", PROMPT);
	else
		cmdline_free(cl);
	return rc;
}
