/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * haven-console: attach to a running haven's console socket.
 *
 *   haven-console [-t SECONDS] [SOCKET]      (default /run/haven/haven.sock)
 *
 * The console itself (line editing, history, TAB completion, '?') runs in
 * haven, over the socket: this client only relays bytes. On a terminal it
 * turns off the terminal's own line editing and echo (as cmdline_stdin_new
 * does for haven's own terminal) so every key reaches the server at once,
 * relays both ways with poll() until either side closes, and restores the
 * terminal on the way out. "quit", "exit" or ctrl-d on an empty line
 * leave the session, and haven runs on; ctrl-] leaves at once; only
 * "shutdown" stops the appliance itself.
 *
 * When stdin is not a terminal it runs a script: it waits for the prompt,
 * sends one line, waits for the next prompt, and so on; after the last
 * line's output it leaves. What the server sends is printed without the
 * carriage returns of its line editor and without the last prompt:
 *
 *   echo "show stats" | haven-console /run/haven/haven-lab.sock
 *
 * Exit status: 0, or 1 if the socket cannot be reached, haven refuses the
 * session (it has HAVEN_CONSOLE_SESSIONS already: its reason goes to
 * stderr), or the server stops answering for SECONDS (default 10) while
 * a script runs.
 * No DPDK here: a plain program that needs only the socket.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/haven/haven.sock"
#define PROMPT "haven> "		/**< what haven prints, console.h */
#define DETACH_KEY 0x1d			/**< ctrl-]: leave without a word */
#define DEFAULT_TIMEOUT_S 10		/**< script: longest wait per answer */
#define BUF 4096

static struct termios saved_termios;
static bool termios_saved;

static void
restore_terminal(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
	termios_saved = false;
}

static void
on_fatal_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Keys straight to the server: no canonical mode, echo or signals. */
static int
raw_terminal(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &saved_termios) != 0)
		return -errno;
	termios_saved = true;
	atexit(restore_terminal);
	signal(SIGTERM, on_fatal_signal);
	signal(SIGHUP, on_fatal_signal);
	t = saved_termios;
	t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	t.c_iflag &= ~(IXON | ICRNL);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) != 0)
		return -errno;
	return 0;
}

static int
connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Interactive: relay both ways
 */

static int
interactive(int sock)
{
	struct pollfd pfd[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = sock, .events = POLLIN },
	};
	bool prompted = false;	/* haven gave us a session */
	char buf[BUF];

	if (raw_terminal() != 0)
		fprintf(stderr, "haven-console: cannot set the terminal: %s\n",
			strerror(errno));
	for (;;) {
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(sock, buf, sizeof(buf));
			if (n <= 0)
				break;		/* session over */
			if (!prompted && memmem(buf, n, PROMPT,
					strlen(PROMPT)) == NULL) {
				/* Refused before a prompt: its reason. */
				write_all(STDERR_FILENO, buf, n);
				continue;
			}
			prompted = true;
			if (write_all(STDOUT_FILENO, buf, n) != 0)
				break;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				break;
			if (memchr(buf, DETACH_KEY, n) != NULL)
				break;
			if (write_all(sock, buf, n) != 0)
				break;
		}
	}
	restore_terminal();
	write_all(STDOUT_FILENO, "\n", 1);
	return prompted ? 0 : 1;
}

/* ---------------------------------------------------------------------
 * Script: one line per prompt
 */

struct session {
	int sock;
	int timeout_ms;
	bool prompted;			/* the first prompt came */
	/* output not printed yet: the prompt, or what may begin it */
	char pend[BUF + sizeof(PROMPT)];
	size_t pend_len;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Print server output without '\r'. */
static void
print_output(const char *buf, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (buf[i] != '\r')
			continue;
		write_all(STDOUT_FILENO, buf + start, i - start);
		start = i + 1;
	}
	write_all(STDOUT_FILENO, buf + start, len - start);
}

/* Longest tail of buf[0..len) that is a beginning of the prompt. */
static size_t
prompt_prefix_tail(const char *buf, size_t len)
{
	size_t k = strlen(PROMPT);

	for (k = k > len ? len : k; k > 0; k--)
		if (memcmp(buf + len - k, PROMPT, k) == 0)
			return k;
	return 0;
}

/*
 * Read until the output ends with the prompt (haven's line editor writes
 * it a byte at a time, so it may come in pieces). Everything before it is
 * printed; the prompt is kept back and printed with what follows it (the
 * echo of the next line), so the last prompt is never printed.
 * @return 0 at a prompt, 1 if the server closed, -1 on timeout or error.
 */
static int
wait_prompt(struct session *s)
{
	const size_t plen = strlen(PROMPT);
	uint64_t deadline = now_ms() + s->timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = s->sock, .events = POLLIN };
		int left = (int)(deadline - now_ms());
		size_t k;
		ssize_t n;

		if (left <= 0)
			return -1;
		n = poll(&pfd, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		n = read(s->sock, s->pend + s->pend_len,
			sizeof(s->pend) - s->pend_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 1;
		s->pend_len += n;
		if (s->pend_len >= plen && memcmp(s->pend + s->pend_len - plen,
				PROMPT, plen) == 0)
			k = plen;
		else if (!s->prompted && s->pend_len < BUF)
			continue;	/* a refusal is said before any prompt */
		else
			k = prompt_prefix_tail(s->pend, s->pend_len);
		s->prompted = true;
		print_output(s->pend, s->pend_len - k);
		memmove(s->pend, s->pend + s->pend_len - k, k);
		s->pend_len = k;
		if (k == plen)
			return 0;
	}
}

static int
script(int sock, int timeout_s)
{
	struct session s = { .sock = sock, .timeout_ms = timeout_s * 1000 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc;

	rc = wait_prompt(&s);
	if (rc > 0) {
		/* Refused before a prompt (too many sessions): say why. */
		fprintf(stderr, "haven-console: %.*s", (int)s.pend_len,
			s.pend);
		return 1;
	}
	while (rc == 0 && (len = getline(&line, &cap, stdin)) >= 0) {
		if (write_all(sock, line, len) != 0 ||
		    (line[len - 1] != '\n' && write_all(sock, "\n", 1) != 0))
			rc = -1;
		else
			rc = wait_prompt(&s);
	}
	free(line);
	if (rc < 0) {
		fprintf(stderr, "haven-console: no answer from the console "
			"within %d s\n", timeout_s);
		return 1;
	}
	/* Closed by the server (quit, exit): what it said last, not a prompt. */
	if (rc > 0 && !(s.pend_len == strlen(PROMPT) &&
			memcmp(s.pend, PROMPT, s.pend_len) == 0))
		print_output(s.pend, s.pend_len);
	return 0;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-t SECONDS] [SOCKET]\n"
		"  SOCKET      haven's console socket (default %s)\n"
		"  -t SECONDS  when stdin is not a terminal: longest wait for\n"
		"              an answer (default %d)\n"
		"On a terminal: quit, exit, ctrl-d on an empty line or ctrl-]\n"
		"leave the session (haven runs on); \"shutdown\" stops haven.\n",
		prog, DEFAULT_SOCKET, DEFAULT_TIMEOUT_S);
}

int
main(int argc, char **argv)
{
	const char *path = DEFAULT_SOCKET;
	int timeout_s = DEFAULT_TIMEOUT_S, opt, sock;

	while ((opt = getopt(argc, argv, "t:h")) != -1) {
		switch (opt) {
		case 't':
			timeout_s = atoi(optarg);
			if (timeout_s <= 0) {
				usage(argv[0]);
				return 2;
			}
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind != argc) {
		usage(argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	sock = connect_unix(path);
	if (sock < 0) {
		fprintf(stderr, "haven-console: %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	if (isatty(STDIN_FILENO))
		return interactive(sock);
	return script(sock, timeout_s);
}
