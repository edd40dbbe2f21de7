/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RADIUS transport: a thread that owns the engine (radius_client.c)
 * and its UDP sockets, so that nothing the network does (a slow server, a
 * dead one, a flood of answers) can make the control lcore wait.
 *
 * The control lcore and the thread share two single-producer
 * single-consumer rings of fixed size and no lock:
 *
 *   control lcore --(commands: submit, cancel)--> thread
 *   control lcore <--(results)-------------------- thread
 *
 * haven_radius_submit() counts what is outstanding (submitted, result not
 * yet polled) on the control lcore's side, where both ends of that count
 * live, and refuses at max_pending before touching the ring; the command
 * ring (twice max_pending, for cancels) and the result ring (max_pending)
 * therefore never overflow, and the engine's table of max_pending slots
 * never refuses what the rings deliver.
 *
 * Waking the thread: it sleeps in epoll_wait() on its sockets and an
 * eventfd, the doorbell. Before sleeping it sets `sleeping`, then looks at
 * the command ring once more; the producer pushes, then looks at
 * `sleeping` and writes the eventfd only if it is set. With a full memory
 * barrier on both sides (the pattern of Dekker's algorithm) one of the two
 * always sees the other, so a command is never left unseen, and a busy
 * thread costs the control lcore no system call at all.
 *
 * Statistics are copied by the thread into a snapshot guarded by a
 * sequence counter (a seqlock), which telemetry on any thread reads.
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "haven_radius_client.h"
#include "haven_wire.h"
#include "radius_private.h"

#define CACHE_LINE	64
#define MAX_WAIT_MS	1000	/* longest sleep without a timer */
#define RX_BURST	64	/* datagrams read per socket per turn */
#define MOVE_BURST	32	/* results moved per engine poll */
#define N_FAMILIES	2	/* IPv4, IPv6 */
/*
 * Receive buffer of each socket: room for the answers to all 256
 * Identifiers of every server at once. The kernel charges a small
 * datagram its buffer's true size (about 1 to 2 KB on loopback), so the
 * default 208 KB overflows when a full table of answers comes back in a
 * burst, and every answer lost costs a retransmission timeout.
 */
#define RCVBUF_PER_SERVER	(2 * 256 * 2048)	/* auth and acct */
#define RCVBUF_MAX		(4 * 1024 * 1024)

/* ------------------------------------------------------------------ */
/* A single-producer single-consumer ring of fixed-size elements      */
/* ------------------------------------------------------------------ */

struct spsc {
	_Alignas(CACHE_LINE) atomic_uint head;	/* written by the producer */
	_Alignas(CACHE_LINE) atomic_uint tail;	/* written by the consumer */
	_Alignas(CACHE_LINE) uint32_t mask;	/* size - 1, size a power of 2 */
	size_t elem;
	uint8_t *data;
};

static int
spsc_init(struct spsc *r, uint32_t min_size, size_t elem)
{
	uint32_t size = 1;

	while (size < min_size)
		size <<= 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->mask = size - 1;
	r->elem = elem;
	r->data = calloc(size, elem);
	return r->data == NULL ? -ENOMEM : 0;
}

static void
spsc_free(struct spsc *r)
{
	if (r->data != NULL) {
		explicit_bzero(r->data, (size_t)(r->mask + 1) * r->elem);
		free(r->data);
	}
	r->data = NULL;
}

/* Producer: copy one element in; false if full. */
static bool
spsc_push(struct spsc *r, const void *e)
{
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (h - t > r->mask)
		return false;
	memcpy(r->data + (size_t)(h & r->mask) * r->elem, e, r->elem);
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return true;
}

/* Consumer: copy one element out; false if empty. */
static bool
spsc_pop(struct spsc *r, void *e)
{
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	uint8_t *slot;

	if (t == h)
		return false;
	slot = r->data + (size_t)(t & r->mask) * r->elem;
	memcpy(e, slot, r->elem);
	explicit_bzero(slot, r->elem);	/* results hold keys */
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return true;
}

/* Either side: elements in the ring. */
static uint32_t
spsc_count(struct spsc *r)
{
	return atomic_load_explicit(&r->head, memory_order_acquire) -
		atomic_load_explicit(&r->tail, memory_order_acquire);
}

/* ------------------------------------------------------------------ */
/* The transport                                                      */
/* ------------------------------------------------------------------ */

enum cmd_op {
	CMD_SUBMIT = 1,
	CMD_CANCEL,
};

struct cmd {
	uint8_t op;
	struct haven_radius_request req;	/* CANCEL: only tag */
};

/* What telemetry reads: written by the thread under seq. */
struct snapshot {
	atomic_uint seq;	/* odd while the thread writes */
	struct haven_radius_stats st;
	struct haven_radius_server_stats servers[HAVEN_RADIUS_MAX_SERVERS];
};

struct haven_radius_transport {
	struct haven_radius_conf conf;	/* wiped on free */
	struct haven_radius_client *engine;	/* the thread's only */
	unsigned int n_sockets;
	int *fds[N_FAMILIES];	/* [family][sock], -1 if unused */
	int epfd;
	int bell;		/* eventfd: the thread's doorbell */
	int ready;		/* eventfd: results for haven_radius_wait() */
	pthread_t thread;
	bool thread_started;
	atomic_bool stop;
	atomic_int sleeping;	/* the thread is (about to be) in epoll_wait */
	atomic_int waiting;	/* a caller is in haven_radius_wait() */
	struct spsc cmds;	/* control -> thread */
	struct spsc results;	/* thread -> control */
	unsigned int outstanding;	/* control side only */
	uint64_t max_wait_ms;
	struct snapshot snap;
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
family_index(uint8_t family)
{
	return family == HAVEN_AF_INET6 ? 1 : 0;
}

static void
ring_eventfd(int fd)
{
	uint64_t one = 1;

	/* EAGAIN means it is already rung: good enough */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

static void
drain_eventfd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;
}

/* The engine's send callback: the socket of the destination's family. */
static int
tx(void *ctx, unsigned int sock, const struct haven_addr *addr, uint16_t port,
		const uint8_t *buf, size_t len)
{
	struct haven_radius_transport *t = ctx;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd = t->fds[family_index(addr->family)][sock];

	memset(&ss, 0, sizeof(ss));
	if (addr->family == HAVEN_AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		s4->sin_addr.s_addr = addr->v4;
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, addr->v6, 16);
		sl = sizeof(*s6);
	}
	if (fd < 0 || sendto(fd, buf, len, MSG_DONTWAIT,
			(struct sockaddr *)&ss, sl) < 0)
		return -errno;
	return 0;
}

/* Read what waits on one socket into the engine. */
static void
rx_socket(struct haven_radius_transport *t, int fam, unsigned int sock)
{
	uint8_t buf[HAVEN_RADIUS_MAX_LEN];
	int fd = t->fds[fam][sock];
	unsigned int n;

	for (n = 0; n < RX_BURST; n++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct haven_addr from;
		uint16_t port;
		ssize_t len;

		len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			(struct sockaddr *)&ss, &sl);
		if (len < 0)
			return;
		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *s4 = (void *)&ss;

			from = haven_addr4(s4->sin_addr.s_addr);
			port = ntohs(s4->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (void *)&ss;

			from = haven_addr6(s6->sin6_addr.s6_addr);
			port = ntohs(s6->sin6_port);
		} else {
			continue;
		}
		haven_radius_client_input(t->engine, sock, &from, port, buf,
			(size_t)len, mono_ms());
	}
}

/* Commands from the control lcore into the engine. */
static void
take_commands(struct haven_radius_transport *t, uint64_t now)
{
	struct cmd c;

	while (spsc_pop(&t->cmds, &c)) {
		if (c.op == CMD_CANCEL) {
			haven_radius_client_cancel(t->engine, c.req.tag);
			continue;
		}
		if (haven_radius_client_submit(t->engine, &c.req, now) != 0) {
			/*
			 * Checked on submit and bounded by outstanding:
			 * unreachable, but the contract is one result per
			 * request, so give one.
			 */
			struct haven_radius_result r;

			memset(&r, 0, sizeof(r));
			r.tag = c.req.tag;
			r.kind = c.req.kind;
			r.status = HAVEN_RADIUS_INVALID;
			r.server = 0xff;
			spsc_push(&t->results, &r);
		}
		explicit_bzero(&c, sizeof(c));
	}
}

/* Results from the engine to the control lcore, as far as there is room. */
static bool
give_results(struct haven_radius_transport *t)
{
	struct haven_radius_result r[MOVE_BURST];
	bool moved = false;

	for (;;) {
		uint32_t room = t->results.mask + 1 - spsc_count(&t->results);
		unsigned int n, i;

		if (room == 0)
			break;
		n = haven_radius_client_poll(t->engine, r,
			room < MOVE_BURST ? room : MOVE_BURST);
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			spsc_push(&t->results, &r[i]);
		moved = true;
	}
	explicit_bzero(r, sizeof(r));
	if (moved) {
		atomic_thread_fence(memory_order_seq_cst);
		if (atomic_load_explicit(&t->waiting, memory_order_relaxed))
			ring_eventfd(t->ready);
	}
	return moved;
}

static void
publish_stats(struct haven_radius_transport *t)
{
	struct snapshot *s = &t->snap;
	unsigned int seq, i;

	seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
	atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	haven_radius_client_stats(t->engine, &s->st);
	for (i = 0; i < t->conf.n_servers; i++)
		haven_radius_client_server_stats(t->engine, i,
			&s->servers[i]);
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
}

static void *
thread_main(void *arg)
{
	struct haven_radius_transport *t = arg;
	struct epoll_event ev[16];

	for (;;) {
		uint64_t now = mono_ms(), next;
		int timeout, n, i;

		take_commands(t, now);
		haven_radius_client_tick(t->engine, now);
		/*
		 * Counters first: whoever polls a result then reads counters
		 * that already count it.
		 */
		publish_stats(t);
		if (give_results(t))
			publish_stats(t);
		if (atomic_load_explicit(&t->stop, memory_order_acquire))
			break;

		next = haven_radius_client_next_deadline(t->engine);
		now = mono_ms();
		timeout = next == UINT64_MAX || next > now + MAX_WAIT_MS ?
			MAX_WAIT_MS : next <= now ? 0 : (int)(next - now);
		/* results the ring had no room for: look again soon */
		if (radius_client_has_results(t->engine) && timeout > 1)
			timeout = 1;

		atomic_store_explicit(&t->sleeping, 1, memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
		if (spsc_count(&t->cmds) > 0 ||
		    atomic_load_explicit(&t->stop, memory_order_acquire))
			timeout = 0;
		n = epoll_wait(t->epfd, ev, 16, timeout);
		atomic_store_explicit(&t->sleeping, 0, memory_order_relaxed);

		for (i = 0; i < n; i++) {
			uint32_t tag = ev[i].data.u32;

			if (tag == UINT32_MAX)
				drain_eventfd(t->bell);
			else
				rx_socket(t, (int)(tag >> 16), tag & 0xffff);
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Sockets                                                            */
/* ------------------------------------------------------------------ */

static int
open_socket(struct haven_radius_transport *t, int fam, unsigned int idx,
		char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct epoll_event ev;
	socklen_t sl;
	int fd;

	fd = socket(fam == 0 ? AF_INET : AF_INET6,
		SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		haven_set_reason(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ss, 0, sizeof(ss));
	if (fam == 0) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		if (t->conf.nas_addr.family == HAVEN_AF_INET)
			s4->sin_addr.s_addr = t->conf.nas_addr.v4;
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		int one = 1;

		s6->sin6_family = AF_INET6;
		if (t->conf.nas_addr.family == HAVEN_AF_INET6)
			memcpy(&s6->sin6_addr, t->conf.nas_addr.v6, 16);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		sl = sizeof(*s6);
	}
	{
		int want = (int)(RCVBUF_PER_SERVER * t->conf.n_servers);

		if (want > RCVBUF_MAX)
			want = RCVBUF_MAX;

		/* beyond net.core.rmem_max only with CAP_NET_ADMIN */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want,
				sizeof(want)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want,
				sizeof(want));
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		char a[HAVEN_ADDR_STRLEN];

		haven_set_reason(err, errlen, "bind to %s: %s",
			haven_addr_str(&t->conf.nas_addr, a), strerror(errno));
		close(fd);
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = (uint32_t)fam << 16 | idx;
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		haven_set_reason(err, errlen, "epoll_ctl: %s", strerror(errno));
		close(fd);
		return -1;
	}
	t->fds[fam][idx] = fd;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

struct haven_radius_transport *
haven_radius_transport_create(const struct haven_radius_conf *conf,
		char *err, size_t errlen)
{
	struct haven_radius_client_ops ops = { .send = tx };
	struct haven_radius_transport *t;
	bool used[N_FAMILIES] = { false, false };
	struct epoll_event ev;
	unsigned int i;
	int fam, rc;

	if (haven_radius_conf_check(conf, err, errlen) != 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		haven_set_reason(err, errlen, "out of memory");
		return NULL;
	}
	t->conf = *conf;
	t->epfd = t->bell = t->ready = -1;
	atomic_init(&t->stop, false);
	atomic_init(&t->sleeping, 0);
	atomic_init(&t->waiting, 0);
	atomic_init(&t->snap.seq, 0);
	ops.ctx = t;
	t->engine = haven_radius_client_create(&t->conf, &ops, mono_ms());
	if (t->engine == NULL) {
		haven_set_reason(err, errlen, "engine: %s", strerror(errno));
		goto fail;
	}
	t->max_wait_ms = haven_radius_client_max_wait_ms(t->engine);
	t->n_sockets = haven_radius_client_n_sockets(t->engine);
	if (spsc_init(&t->cmds, 2 * conf->max_pending, sizeof(struct cmd)) ||
	    spsc_init(&t->results, conf->max_pending,
		    sizeof(struct haven_radius_result))) {
		haven_set_reason(err, errlen, "out of memory");
		goto fail;
	}
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	t->bell = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	t->ready = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->epfd < 0 || t->bell < 0 || t->ready < 0) {
		haven_set_reason(err, errlen, "epoll/eventfd: %s",
			strerror(errno));
		goto fail;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = UINT32_MAX;
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->bell, &ev) < 0) {
		haven_set_reason(err, errlen, "epoll_ctl: %s", strerror(errno));
		goto fail;
	}

	for (i = 0; i < conf->n_servers; i++)
		used[family_index(conf->servers[i].addr.family)] = true;
	for (fam = 0; fam < N_FAMILIES; fam++) {
		t->fds[fam] = malloc(t->n_sockets * sizeof(int));
		if (t->fds[fam] == NULL) {
			haven_set_reason(err, errlen, "out of memory");
			goto fail;
		}
		for (i = 0; i < t->n_sockets; i++)
			t->fds[fam][i] = -1;
		for (i = 0; used[fam] && i < t->n_sockets; i++)
			if (open_socket(t, fam, i, err, errlen) < 0)
				goto fail;
	}

	rc = pthread_create(&t->thread, NULL, thread_main, t);
	if (rc != 0) {
		haven_set_reason(err, errlen, "pthread_create: %s",
			strerror(rc));
		goto fail;
	}
	t->thread_started = true;
	pthread_setname_np(t->thread, "haven-radius");
	return t;
fail:
	haven_radius_transport_free(t);
	return NULL;
}

void
haven_radius_transport_free(struct haven_radius_transport *t)
{
	unsigned int i;
	int fam;

	if (t == NULL)
		return;
	if (t->thread_started) {
		atomic_store_explicit(&t->stop, true, memory_order_release);
		ring_eventfd(t->bell);
		pthread_join(t->thread, NULL);
	}
	for (fam = 0; fam < N_FAMILIES; fam++) {
		for (i = 0; t->fds[fam] != NULL && i < t->n_sockets; i++)
			if (t->fds[fam][i] >= 0)
				close(t->fds[fam][i]);
		free(t->fds[fam]);
	}
	if (t->epfd >= 0)
		close(t->epfd);
	if (t->bell >= 0)
		close(t->bell);
	if (t->ready >= 0)
		close(t->ready);
	haven_radius_client_free(t->engine);
	spsc_free(&t->cmds);
	spsc_free(&t->results);
	explicit_bzero(t, sizeof(*t));
	free(t);
}

/* Ring the doorbell if the thread sleeps (see the top of this file). */
static void
doorbell(struct haven_radius_transport *t)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&t->sleeping, memory_order_relaxed))
		ring_eventfd(t->bell);
}

int
haven_radius_submit(struct haven_radius_transport *t,
		const struct haven_radius_request *req)
{
	struct cmd c;
	bool ok;

	if (t == NULL || req == NULL || !radius_request_ok(req))
		return -EINVAL;
	if (t->outstanding >= t->conf.max_pending)
		return -ENOBUFS;
	c.op = CMD_SUBMIT;
	c.req = *req;
	ok = spsc_push(&t->cmds, &c);
	explicit_bzero(&c, sizeof(c));
	if (!ok)
		return -ENOBUFS;	/* ring full of cancels */
	t->outstanding++;
	doorbell(t);
	return 0;
}

int
haven_radius_cancel(struct haven_radius_transport *t, uint64_t tag)
{
	struct cmd c;

	memset(&c, 0, sizeof(c));
	c.op = CMD_CANCEL;
	c.req.tag = tag;
	if (!spsc_push(&t->cmds, &c))
		return -ENOBUFS;
	doorbell(t);
	return 0;
}

unsigned int
haven_radius_poll(struct haven_radius_transport *t,
		struct haven_radius_result *out, unsigned int n)
{
	unsigned int k = 0;

	while (k < n && spsc_pop(&t->results, &out[k]))
		k++;
	t->outstanding -= k;
	return k;
}

unsigned int
haven_radius_outstanding(const struct haven_radius_transport *t)
{
	return t->outstanding;
}

int
haven_radius_wait(struct haven_radius_transport *t, int timeout_ms)
{
	struct pollfd p = { .fd = t->ready, .events = POLLIN };

	atomic_store_explicit(&t->waiting, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	if (spsc_count(&t->results) == 0)
		poll(&p, 1, timeout_ms);
	drain_eventfd(t->ready);
	atomic_store_explicit(&t->waiting, 0, memory_order_relaxed);
	return spsc_count(&t->results) > 0;
}

uint64_t
haven_radius_transport_max_wait_ms(const struct haven_radius_transport *t)
{
	return t->max_wait_ms;
}

/* Copy the snapshot consistently (seqlock reader). */
static void
read_snapshot(struct haven_radius_transport *t, struct haven_radius_stats *st,
		int server, struct haven_radius_server_stats *sst)
{
	unsigned int s1, s2;

	do {
		s1 = atomic_load_explicit(&t->snap.seq, memory_order_acquire);
		if (s1 & 1)
			continue;
		if (st != NULL)
			memcpy(st, &t->snap.st, sizeof(*st));
		if (sst != NULL)
			memcpy(sst, &t->snap.servers[server], sizeof(*sst));
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&t->snap.seq, memory_order_relaxed);
	} while ((s1 & 1) || s1 != s2);
}

void
haven_radius_transport_stats(struct haven_radius_transport *t,
		struct haven_radius_stats *st)
{
	read_snapshot(t, st, 0, NULL);
}

int
haven_radius_transport_server_stats(struct haven_radius_transport *t,
		unsigned int server, struct haven_radius_server_stats *st)
{
	if (server >= t->conf.n_servers)
		return -ENOENT;
	read_snapshot(t, NULL, (int)server, st);
	return 0;
}
