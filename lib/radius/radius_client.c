/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RADIUS client engine: the part of a RADIUS client that decides,
 * with every input explicit (requests, datagrams, the clock) and every
 * output a callback or a polled result. No socket, no thread, no wall
 * clock, so the tests can play lost packets, dead servers, floods and
 * forged answers against it and check each decision.
 *
 * A request lives in one slot of a table allocated once (max_pending
 * slots). A slot is WAITING while some server has it, DONE once its result
 * is ready, and FREE again when the caller polls the result: a caller that
 * stops polling therefore fills the table, and the next submit is refused
 * at once (-ENOBUFS) instead of anything growing.
 *
 * Timers: every WAITING slot has a deadline, kept in a binary min-heap.
 * At the deadline the request is retransmitted with the interval doubled
 * (RFC 5080 2.2.1, with +-jitter) up to the server's retries; after that
 * the server is given up for this request, and if nothing at all was heard
 * from it since the request was first sent to it (in the order of events,
 * not of milliseconds, which often tie), the server is declared
 * dead: every request waiting for it moves to the next live server at
 * once, and Status-Server probes (RFC 5997) every revive_interval_ms bring
 * it back when it answers one authentically. A request that has tried
 * every live server completes with HAVEN_RADIUS_TIMEOUT; with every server
 * dead a new request completes at once with HAVEN_RADIUS_NO_SERVER.
 *
 * Identifiers: RFC 2865 gives 256 per source and destination. The owner
 * provides n_sockets sockets (haven_radius_client_n_sockets()) and the
 * engine keeps, per (server, port kind, socket), a map from Identifier to
 * slot, so max_pending requests to one server always find one. A freed
 * Identifier is not reused before the 255 others of its map (a rotating
 * cursor), so a late answer meets a new request rarely, and then fails its
 * authenticators, which cover the new request's Request Authenticator.
 *
 * Answers: the source must be a server's address and the port of the
 * request's kind; the Identifier must map to a slot or probe; the code must
 * fit; the Message-Authenticator must be there and right, and the Response
 * Authenticator right. Anything else is counted and dropped, and the
 * request keeps waiting for the true answer: a forged datagram can neither
 * complete nor cancel it.
 */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "haven_radius_client.h"
#include "haven_wire.h"
#include "radius_private.h"

enum slot_state {
	SLOT_FREE = 0,
	SLOT_WAITING,		/* sent, timer running */
	SLOT_DONE,		/* result ready, in the completion list */
};

#define NO_SLOT		0xffffffffu
#define ID_FREE		0xffffffffu	/* Identifier map: not in use */
#define ID_PROBE	0xfffffffeu	/* Identifier map: a Status-Server */
#define NO_SERVER_IDX	0xff
#define N_KINDS		2
#define N_IDS		256
#define NAS_PORT_TYPE_VIRTUAL	5	/* RFC 2865 5.41 */
#define SERVICE_TYPE_FRAMED	2	/* RFC 2865 5.6 */
#define ACCT_AUTHENTIC_RADIUS	1	/* RFC 2866 5.6 */

struct slot {
	uint8_t state;		/* enum slot_state */
	uint8_t server;		/* the server it waits for */
	uint8_t sock;		/* socket of its Identifier */
	uint8_t id;		/* Identifier */
	uint8_t tries;		/* transmissions to this server */
	uint16_t tried;		/* bit set of servers given up */
	uint32_t heap_idx;	/* position in the heap */
	uint32_t next;		/* free list or completion list */
	uint32_t interval_ms;	/* current retransmission interval */
	uint16_t pkt_len;	/* bytes in pkt */
	uint64_t deadline_ms;	/* next timer */
	uint64_t submitted_ms;	/* submit time, for rtt */
	uint64_t first_sent_ms;	/* first transmission to this server */
	uint64_t first_sent_seq;	/* its place among events (c->seq) */
	uint8_t req_auth[HAVEN_RADIUS_AUTH_LEN];	/* of the packet sent */
	struct haven_radius_request req;
	union {
		uint8_t pkt[HAVEN_RADIUS_REQ_MAX];	/* WAITING */
		struct haven_radius_result result;	/* DONE */
	};
};

struct server {
	struct haven_radius_server_conf conf;
	struct haven_radius_server_stats st;
	uint64_t last_heard_seq;	/* last authentic answer (c->seq); 0 none */
	uint64_t probe_at_ms;	/* dead: next probe */
	bool probe_out;		/* a probe is outstanding */
	uint8_t probe_sock;	/* its Identifier */
	uint8_t probe_id;
	uint8_t probe_auth[HAVEN_RADIUS_AUTH_LEN];
};

struct haven_radius_client {
	struct haven_radius_conf conf;	/* secrets in servers[] are wiped on free */
	struct haven_radius_client_ops ops;
	struct server servers[HAVEN_RADIUS_MAX_SERVERS];
	unsigned int n_sockets;
	uint32_t *idmap;	/* [server][kind][sock][256] -> slot */
	uint8_t *idnext;	/* [server][kind][sock] rotating cursor */
	uint16_t *idused;	/* [server][kind][sock] Identifiers in use */
	struct slot *slots;
	uint32_t free_head;
	uint32_t done_head, done_tail;
	uint32_t *heap;		/* slot indexes, min-heap by deadline */
	uint32_t heap_n;
	uint64_t rng;		/* xorshift64* state, for jitter */
	uint64_t seq;		/* orders sends and answers (same ms is common) */
	struct haven_radius_stats st;
};

/* ------------------------------------------------------------------ */
/* Configuration                                                      */
/* ------------------------------------------------------------------ */

void
haven_radius_conf_init(struct haven_radius_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	strcpy(conf->nas_identifier, "haven");
	conf->max_pending = HAVEN_RADIUS_DEFAULT_MAX_PENDING;
	conf->revive_interval_ms = HAVEN_RADIUS_DEFAULT_REVIVE_MS;
	conf->jitter_pct = HAVEN_RADIUS_DEFAULT_JITTER_PCT;
}

int
haven_radius_conf_check(const struct haven_radius_conf *conf, char *err,
		size_t errlen)
{
	unsigned int i, j;

	haven_set_reason(err, errlen, "ok");
	if (conf == NULL) {
		haven_set_reason(err, errlen, "no configuration");
		return -EINVAL;
	}
	if (conf->n_servers == 0 || conf->n_servers > HAVEN_RADIUS_MAX_SERVERS) {
		haven_set_reason(err, errlen, "%u servers, expected 1..%d",
			conf->n_servers, HAVEN_RADIUS_MAX_SERVERS);
		return -EINVAL;
	}
	for (i = 0; i < conf->n_servers; i++) {
		const struct haven_radius_server_conf *s = &conf->servers[i];

		if (s->addr.family != HAVEN_AF_INET &&
				s->addr.family != HAVEN_AF_INET6) {
			haven_set_reason(err, errlen, "server %u has no address",
				i);
			return -EINVAL;
		}
		if (s->auth_port == 0 || s->acct_port == 0 ||
				s->auth_port == s->acct_port) {
			haven_set_reason(err, errlen,
				"server %u: auth and acct ports must be two non-zero ports",
				i);
			return -EINVAL;
		}
		if (s->secret_len == 0 ||
				s->secret_len > HAVEN_RADIUS_MAX_SECRET) {
			haven_set_reason(err, errlen,
				"server %u: secret of %u octets, expected 1..%d",
				i, s->secret_len, HAVEN_RADIUS_MAX_SECRET);
			return -EINVAL;
		}
		if (s->timeout_ms < 10 || s->timeout_ms > 60000 ||
				s->retries > 10) {
			haven_set_reason(err, errlen,
				"server %u: timeout %u ms (10..60000) or retries %u (0..10)",
				i, s->timeout_ms, s->retries);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			const struct haven_radius_server_conf *o =
				&conf->servers[j];

			if (haven_addr_eq(&o->addr, &s->addr) &&
			    (o->auth_port == s->auth_port ||
			     o->acct_port == s->acct_port ||
			     o->auth_port == s->acct_port ||
			     o->acct_port == s->auth_port)) {
				haven_set_reason(err, errlen,
					"servers %u and %u share an address and port",
					j, i);
				return -EINVAL;
			}
		}
	}
	if (conf->max_pending == 0 ||
			conf->max_pending > HAVEN_RADIUS_MAX_PENDING) {
		haven_set_reason(err, errlen, "max_pending %u, expected 1..%d",
			conf->max_pending, HAVEN_RADIUS_MAX_PENDING);
		return -EINVAL;
	}
	if (conf->revive_interval_ms < 100 || conf->jitter_pct > 25) {
		haven_set_reason(err, errlen,
			"revive interval %u ms (>= 100) or jitter %u %% (0..25)",
			conf->revive_interval_ms, conf->jitter_pct);
		return -EINVAL;
	}
	if (strnlen(conf->nas_identifier, sizeof(conf->nas_identifier)) ==
			sizeof(conf->nas_identifier)) {
		haven_set_reason(err, errlen, "NAS-Identifier too long");
		return -EINVAL;
	}
	/* RFC 2865 4.1: an Access-Request names its NAS one way or the other */
	if (conf->nas_identifier[0] == '\0' &&
			conf->nas_addr.family == HAVEN_AF_NONE) {
		haven_set_reason(err, errlen,
			"neither a NAS-Identifier nor a NAS address");
		return -EINVAL;
	}
	if (conf->user_password_len > HAVEN_RADIUS_MAX_PASSWORD) {
		haven_set_reason(err, errlen, "User-Password too long");
		return -EINVAL;
	}
	return 0;
}

const char *
haven_radius_status_name(uint8_t status)
{
	static const char *const names[] = {
		"accepted", "rejected", "timeout", "no-server", "cancelled",
		"invalid",
	};

	return status < sizeof(names) / sizeof(names[0]) ? names[status] :
		"unknown";
}

/* ------------------------------------------------------------------ */
/* Randomness                                                         */
/* ------------------------------------------------------------------ */

static void
fill_random(struct haven_radius_client *c, uint8_t *buf, size_t len)
{
	size_t got = 0;

	if (c->ops.random != NULL) {
		c->ops.random(c->ops.ctx, buf, len);
		return;
	}
	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, 0);

		if (n <= 0)
			abort();	/* no entropy: nothing safe to send */
		got += (size_t)n;
	}
}

/* xorshift64*: timer jitter only, never a secret. */
static uint64_t
rng_next(struct haven_radius_client *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545f4914f6cdd1dULL;
}

/* interval +- jitter_pct %. */
static uint32_t
jittered(struct haven_radius_client *c, uint32_t interval)
{
	uint32_t span = interval / 100 * c->conf.jitter_pct +
		interval % 100 * c->conf.jitter_pct / 100;

	if (span == 0)
		return interval;
	return interval - span + (uint32_t)(rng_next(c) % (2 * span + 1));
}

/* ------------------------------------------------------------------ */
/* The heap of deadlines                                              */
/* ------------------------------------------------------------------ */

static bool
heap_less(const struct haven_radius_client *c, uint32_t a, uint32_t b)
{
	return c->slots[c->heap[a]].deadline_ms <
		c->slots[c->heap[b]].deadline_ms;
}

static void
heap_swap(struct haven_radius_client *c, uint32_t a, uint32_t b)
{
	uint32_t t = c->heap[a];

	c->heap[a] = c->heap[b];
	c->heap[b] = t;
	c->slots[c->heap[a]].heap_idx = a;
	c->slots[c->heap[b]].heap_idx = b;
}

static void
heap_up(struct haven_radius_client *c, uint32_t i)
{
	while (i > 0 && heap_less(c, i, (i - 1) / 2)) {
		heap_swap(c, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct haven_radius_client *c, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < c->heap_n && heap_less(c, l, m))
			m = l;
		if (r < c->heap_n && heap_less(c, r, m))
			m = r;
		if (m == i)
			return;
		heap_swap(c, i, m);
		i = m;
	}
}

static void
heap_push(struct haven_radius_client *c, uint32_t slot)
{
	c->heap[c->heap_n] = slot;
	c->slots[slot].heap_idx = c->heap_n;
	heap_up(c, c->heap_n++);
}

static void
heap_remove(struct haven_radius_client *c, uint32_t slot)
{
	uint32_t i = c->slots[slot].heap_idx;

	c->heap_n--;
	if (i != c->heap_n) {
		heap_swap(c, i, c->heap_n);
		heap_down(c, i);
		heap_up(c, i);
	}
}

/* ------------------------------------------------------------------ */
/* Identifiers                                                        */
/* ------------------------------------------------------------------ */

static size_t
idgroup(const struct haven_radius_client *c, unsigned int server,
		unsigned int kind, unsigned int sock)
{
	return ((size_t)server * N_KINDS + kind) * c->n_sockets + sock;
}

/*
 * An Identifier for (server, kind) on the socket with the most free ones,
 * from its rotating cursor. Returns false only if every one is in use,
 * which max_pending and n_sockets rule out.
 */
static bool
id_alloc(struct haven_radius_client *c, unsigned int server,
		unsigned int kind, uint32_t value, uint8_t *sock, uint8_t *id)
{
	unsigned int s, best = 0, i;
	size_t g;

	for (s = 1; s < c->n_sockets; s++)
		if (c->idused[idgroup(c, server, kind, s)] <
		    c->idused[idgroup(c, server, kind, best)])
			best = s;
	g = idgroup(c, server, kind, best);
	if (c->idused[g] >= N_IDS)
		return false;
	for (i = 0; i < N_IDS; i++) {
		uint8_t cand = (uint8_t)(c->idnext[g] + i);

		if (c->idmap[g * N_IDS + cand] == ID_FREE) {
			c->idmap[g * N_IDS + cand] = value;
			c->idnext[g] = (uint8_t)(cand + 1);
			c->idused[g]++;
			*sock = (uint8_t)best;
			*id = cand;
			return true;
		}
	}
	return false;
}

static void
id_free(struct haven_radius_client *c, unsigned int server,
		unsigned int kind, unsigned int sock, uint8_t id)
{
	size_t g = idgroup(c, server, kind, sock);

	if (c->idmap[g * N_IDS + id] != ID_FREE) {
		c->idmap[g * N_IDS + id] = ID_FREE;
		c->idused[g]--;
	}
}

/* ------------------------------------------------------------------ */
/* Building requests                                                  */
/* ------------------------------------------------------------------ */

static void
add_nas(struct haven_radius_builder *b, const struct haven_radius_conf *conf)
{
	if (conf->nas_addr.family == HAVEN_AF_INET)
		haven_radius_add_ipv4(b, HAVEN_RADIUS_NAS_IP_ADDRESS,
			conf->nas_addr.v4);
	else if (conf->nas_addr.family == HAVEN_AF_INET6)
		haven_radius_add(b, HAVEN_RADIUS_NAS_IPV6_ADDRESS,
			conf->nas_addr.v6, 16);
	if (conf->nas_identifier[0] != '\0')
		haven_radius_add_string(b, HAVEN_RADIUS_NAS_IDENTIFIER,
			conf->nas_identifier);
}

/*
 * The Access-Request of a slot for a server. The Message-Authenticator
 * comes first, as the BlastRADIUS mitigations recommend.
 */
static int
build_auth(struct haven_radius_client *c, struct slot *sl,
		const struct server *srv)
{
	const struct haven_radius_auth_req *a = &sl->req.auth;
	struct haven_radius_builder b;

	fill_random(c, sl->req_auth, sizeof(sl->req_auth));
	haven_radius_build_init(&b, sl->pkt, sizeof(sl->pkt),
		HAVEN_RADIUS_ACCESS_REQUEST, sl->id, sl->req_auth);
	haven_radius_add_message_authenticator(&b);
	haven_radius_add_string(&b, HAVEN_RADIUS_USER_NAME, a->nai);
	if (c->conf.user_password_len > 0)
		haven_radius_add_user_password(&b, c->conf.user_password,
			c->conf.user_password_len, srv->conf.secret,
			srv->conf.secret_len);
	add_nas(&b, &c->conf);
	haven_radius_add_u32(&b, HAVEN_RADIUS_SERVICE_TYPE,
		SERVICE_TYPE_FRAMED);
	haven_radius_add_u32(&b, HAVEN_RADIUS_NAS_PORT_TYPE,
		NAS_PORT_TYPE_VIRTUAL);
	if (a->home_addr != 0)
		haven_radius_add_ipv4(&b, HAVEN_RADIUS_FRAMED_IP_ADDRESS,
			a->home_addr);
	if (a->ha_addr != 0)
		haven_radius_add_vsa(&b, HAVEN_RADIUS_VENDOR_3GPP2,
			HAVEN_RADIUS_3GPP2_HA_ADDRESS, &a->ha_addr, 4);
	if (a->spi != 0) {
		uint8_t v[4];

		haven_put_be32(v, a->spi);
		haven_radius_add_vsa(&b, HAVEN_RADIUS_VENDOR_3GPP2,
			HAVEN_RADIUS_3GPP2_MN_HA_SPI, v, sizeof(v));
	}
	return haven_radius_finish(&b, srv->conf.secret, srv->conf.secret_len,
		NULL, false);
}

/* Octets as Acct-*-Octets and Acct-*-Gigawords (RFC 2869 5.1, 5.2). */
static void
add_octets(struct haven_radius_builder *b, uint8_t type, uint8_t giga,
		uint64_t v)
{
	haven_radius_add_u32(b, type, (uint32_t)v);
	if (v >> 32 != 0)
		haven_radius_add_u32(b, giga, (uint32_t)(v >> 32));
}

static int
build_acct(struct haven_radius_client *c, struct slot *sl,
		const struct server *srv, uint64_t now_ms)
{
	const struct haven_radius_acct_req *a = &sl->req.acct;
	struct haven_radius_builder b;
	uint64_t delay_s;
	int len;

	haven_radius_build_init(&b, sl->pkt, sizeof(sl->pkt),
		HAVEN_RADIUS_ACCOUNTING_REQUEST, sl->id, NULL);
	haven_radius_add_message_authenticator(&b);
	haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_STATUS_TYPE, a->status);
	haven_radius_add_string(&b, HAVEN_RADIUS_ACCT_SESSION_ID,
		a->session_id);
	if (a->nai[0] != '\0')
		haven_radius_add_string(&b, HAVEN_RADIUS_USER_NAME, a->nai);
	add_nas(&b, &c->conf);
	haven_radius_add_u32(&b, HAVEN_RADIUS_NAS_PORT_TYPE,
		NAS_PORT_TYPE_VIRTUAL);
	if (a->framed_addr != 0)
		haven_radius_add_ipv4(&b, HAVEN_RADIUS_FRAMED_IP_ADDRESS,
			a->framed_addr);
	haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_AUTHENTIC,
		ACCT_AUTHENTIC_RADIUS);
	/*
	 * RFC 2866 5.2: how long the NAS has been trying to send this
	 * record. It changes the record, so it is fixed for the packet
	 * sent to one server (retransmissions repeat it, RFC 5080 2.2.1).
	 */
	delay_s = now_ms > a->event_ms ? (now_ms - a->event_ms) / 1000 : 0;
	haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_DELAY_TIME,
		delay_s > UINT32_MAX ? UINT32_MAX : (uint32_t)delay_s);
	if (a->event_time != 0)
		haven_radius_add_u32(&b, HAVEN_RADIUS_EVENT_TIMESTAMP,
			a->event_time);
	if (a->class_len > 0)
		haven_radius_add(&b, HAVEN_RADIUS_CLASS, a->class_val,
			a->class_len);
	if (a->status != HAVEN_RADIUS_ACCT_START) {
		haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_SESSION_TIME,
			a->session_time);
		add_octets(&b, HAVEN_RADIUS_ACCT_INPUT_OCTETS,
			HAVEN_RADIUS_ACCT_INPUT_GIGAWORDS, a->in_octets);
		add_octets(&b, HAVEN_RADIUS_ACCT_OUTPUT_OCTETS,
			HAVEN_RADIUS_ACCT_OUTPUT_GIGAWORDS, a->out_octets);
		haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_INPUT_PACKETS,
			(uint32_t)a->in_packets);
		haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_OUTPUT_PACKETS,
			(uint32_t)a->out_packets);
	}
	if (a->status == HAVEN_RADIUS_ACCT_STOP && a->terminate_cause != 0)
		haven_radius_add_u32(&b, HAVEN_RADIUS_ACCT_TERMINATE_CAUSE,
			a->terminate_cause);
	len = haven_radius_finish(&b, srv->conf.secret, srv->conf.secret_len,
		NULL, false);
	if (len > 0)
		memcpy(sl->req_auth, sl->pkt + 4, HAVEN_RADIUS_AUTH_LEN);
	return len;
}

/* ------------------------------------------------------------------ */
/* Completion                                                         */
/* ------------------------------------------------------------------ */

static uint32_t
slot_index(const struct haven_radius_client *c, const struct slot *sl)
{
	return (uint32_t)(sl - c->slots);
}

/* The slot's result is filled: queue it for poll. */
static void
complete(struct haven_radius_client *c, struct slot *sl, uint8_t status,
		uint8_t server, uint64_t now_ms)
{
	uint32_t idx = slot_index(c, sl);

	sl->state = SLOT_DONE;
	sl->result.tag = sl->req.tag;
	sl->result.kind = sl->req.kind;
	sl->result.status = status;
	sl->result.server = server;
	sl->result.rtt_ms = now_ms > sl->submitted_ms ?
		(uint32_t)(now_ms - sl->submitted_ms) : 0;
	/* the request may hold a Class; the result holds what it needs */
	explicit_bzero(&sl->req, sizeof(sl->req));
	sl->next = NO_SLOT;
	if (c->done_tail == NO_SLOT)
		c->done_head = idx;
	else
		c->slots[c->done_tail].next = idx;
	c->done_tail = idx;
	c->st.results[status]++;
}

/* A result without an answer (timeout, no server, cancelled). */
static void
complete_empty(struct haven_radius_client *c, struct slot *sl,
		uint8_t status, uint64_t now_ms)
{
	memset(&sl->result, 0, sizeof(sl->result));
	complete(c, sl, status, NO_SERVER_IDX, now_ms);
}

/* ------------------------------------------------------------------ */
/* Sending                                                            */
/* ------------------------------------------------------------------ */

static uint16_t
port_of(const struct server *srv, unsigned int kind)
{
	return kind == HAVEN_RADIUS_AUTH ? srv->conf.auth_port :
		srv->conf.acct_port;
}

static void
transmit(struct haven_radius_client *c, struct server *srv, unsigned int sock,
		unsigned int kind, const uint8_t *pkt, size_t len)
{
	if (c->ops.send(c->ops.ctx, sock, &srv->conf.addr, port_of(srv, kind),
			pkt, len) < 0)
		srv->st.send_errors++;
}

static void
server_release(struct haven_radius_client *c, struct slot *sl)
{
	struct server *srv = &c->servers[sl->server];

	id_free(c, sl->server, sl->req.kind, sl->sock, sl->id);
	srv->st.pending--;
}

/*
 * Send a WAITING-to-be slot to the first live server it has not tried, or
 * complete it: NO_SERVER if it never reached one, TIMEOUT otherwise.
 */
static void
dispatch(struct haven_radius_client *c, struct slot *sl, uint64_t now_ms)
{
	unsigned int i, kind = sl->req.kind;
	struct server *srv = NULL;
	int len;

	for (i = 0; i < c->conf.n_servers; i++) {
		if (c->servers[i].st.state == HAVEN_RADIUS_SERVER_ALIVE &&
				!(sl->tried & (1u << i))) {
			srv = &c->servers[i];
			break;
		}
	}
	if (srv == NULL) {
		complete_empty(c, sl, sl->tried == 0 ? HAVEN_RADIUS_NO_SERVER :
			HAVEN_RADIUS_TIMEOUT, now_ms);
		return;
	}
	if (!id_alloc(c, i, kind, slot_index(c, sl), &sl->sock, &sl->id)) {
		/* cannot happen (n_sockets covers max_pending): give up */
		sl->tried |= 1u << i;
		dispatch(c, sl, now_ms);
		return;
	}
	sl->server = (uint8_t)i;
	len = kind == HAVEN_RADIUS_AUTH ? build_auth(c, sl, srv) :
		build_acct(c, sl, srv, now_ms);
	if (len < 0) {
		/* checked at submit; an encoding failure is not retried */
		id_free(c, i, kind, sl->sock, sl->id);
		complete_empty(c, sl, HAVEN_RADIUS_INVALID, now_ms);
		return;
	}
	sl->pkt_len = (uint16_t)len;
	sl->state = SLOT_WAITING;
	sl->tries = 1;
	sl->first_sent_ms = now_ms;
	sl->first_sent_seq = ++c->seq;
	sl->interval_ms = srv->conf.timeout_ms;
	sl->deadline_ms = now_ms + jittered(c, sl->interval_ms);
	heap_push(c, slot_index(c, sl));
	srv->st.requests++;
	srv->st.pending++;
	transmit(c, srv, sl->sock, kind, sl->pkt, sl->pkt_len);
}

/* ------------------------------------------------------------------ */
/* Server state                                                       */
/* ------------------------------------------------------------------ */

static void
send_probe(struct haven_radius_client *c, unsigned int i, uint64_t now_ms)
{
	struct server *srv = &c->servers[i];
	struct haven_radius_builder b;
	uint8_t pkt[256];
	int len;

	if (srv->probe_out)
		id_free(c, i, HAVEN_RADIUS_AUTH, srv->probe_sock,
			srv->probe_id);
	srv->probe_out = false;
	srv->probe_at_ms = now_ms + c->conf.revive_interval_ms;
	if (!id_alloc(c, i, HAVEN_RADIUS_AUTH, ID_PROBE, &srv->probe_sock,
			&srv->probe_id))
		return;
	fill_random(c, srv->probe_auth, sizeof(srv->probe_auth));
	/* RFC 5997 3: Status-Server carries a Message-Authenticator */
	haven_radius_build_init(&b, pkt, sizeof(pkt),
		HAVEN_RADIUS_STATUS_SERVER, srv->probe_id, srv->probe_auth);
	haven_radius_add_message_authenticator(&b);
	add_nas(&b, &c->conf);
	len = haven_radius_finish(&b, srv->conf.secret, srv->conf.secret_len,
		NULL, false);
	if (len < 0) {
		id_free(c, i, HAVEN_RADIUS_AUTH, srv->probe_sock,
			srv->probe_id);
		return;
	}
	srv->probe_out = true;
	srv->st.probes++;
	transmit(c, srv, srv->probe_sock, HAVEN_RADIUS_AUTH, pkt,
		(size_t)len);
}

/*
 * A server stopped answering: mark it dead, and move every request
 * waiting for it to the next live server now rather than at each one's
 * own timeout.
 */
static void
server_dead(struct haven_radius_client *c, unsigned int i, uint64_t now_ms)
{
	struct server *srv = &c->servers[i];
	uint32_t s;

	srv->st.state = HAVEN_RADIUS_SERVER_DEAD;
	srv->st.deaths++;
	srv->probe_out = false;
	srv->probe_at_ms = now_ms + c->conf.revive_interval_ms;
	for (s = 0; s < c->conf.max_pending; s++) {
		struct slot *sl = &c->slots[s];

		if (sl->state != SLOT_WAITING || sl->server != i)
			continue;
		heap_remove(c, s);
		server_release(c, sl);
		srv->st.timeouts++;
		sl->tried |= 1u << i;
		dispatch(c, sl, now_ms);
	}
}

static void
server_alive(struct haven_radius_client *c, unsigned int i)
{
	struct server *srv = &c->servers[i];

	if (srv->probe_out)
		id_free(c, i, HAVEN_RADIUS_AUTH, srv->probe_sock,
			srv->probe_id);
	srv->probe_out = false;
	srv->st.state = HAVEN_RADIUS_SERVER_ALIVE;
	srv->st.revivals++;
}

/* ------------------------------------------------------------------ */
/* Timers                                                             */
/* ------------------------------------------------------------------ */

static void
slot_timeout(struct haven_radius_client *c, uint32_t s, uint64_t now_ms)
{
	struct slot *sl = &c->slots[s];
	struct server *srv = &c->servers[sl->server];
	unsigned int i = sl->server;
	uint32_t cap;

	if (sl->tries <= srv->conf.retries) {
		/* RFC 5080 2.2.1: same packet, same Identifier, doubled wait */
		cap = srv->conf.timeout_ms * HAVEN_RADIUS_BACKOFF_CAP;
		sl->interval_ms = sl->interval_ms > cap / 2 ? cap :
			2 * sl->interval_ms;
		sl->deadline_ms = now_ms + jittered(c, sl->interval_ms);
		sl->tries++;
		heap_push(c, s);
		srv->st.retransmissions++;
		transmit(c, srv, sl->sock, sl->req.kind, sl->pkt, sl->pkt_len);
		return;
	}
	/* this server is given up for this request */
	server_release(c, sl);
	srv->st.timeouts++;
	sl->tried |= 1u << i;
	sl->server = NO_SERVER_IDX;	/* not among those server_dead() moves */
	if (srv->last_heard_seq < sl->first_sent_seq)
		server_dead(c, i, now_ms);
	dispatch(c, sl, now_ms);
}

void
haven_radius_client_tick(struct haven_radius_client *c, uint64_t now_ms)
{
	unsigned int i;

	while (c->heap_n > 0 &&
			c->slots[c->heap[0]].deadline_ms <= now_ms) {
		uint32_t s = c->heap[0];

		heap_remove(c, s);
		slot_timeout(c, s, now_ms);
	}
	for (i = 0; i < c->conf.n_servers; i++)
		if (c->servers[i].st.state == HAVEN_RADIUS_SERVER_DEAD &&
				c->servers[i].probe_at_ms <= now_ms)
			send_probe(c, i, now_ms);
}

uint64_t
haven_radius_client_next_deadline(const struct haven_radius_client *c)
{
	uint64_t next = UINT64_MAX;
	unsigned int i;

	if (c->heap_n > 0)
		next = c->slots[c->heap[0]].deadline_ms;
	for (i = 0; i < c->conf.n_servers; i++)
		if (c->servers[i].st.state == HAVEN_RADIUS_SERVER_DEAD &&
				c->servers[i].probe_at_ms < next)
			next = c->servers[i].probe_at_ms;
	return next;
}

/* ------------------------------------------------------------------ */
/* Answers                                                            */
/* ------------------------------------------------------------------ */

/* The MN-HA association of an Access-Accept: 3GPP2 first, then Cisco. */
static bool
decode_sa(const struct haven_radius_pkt *pkt, struct slot *sl,
		const struct server *srv, struct haven_radius_result *r)
{
	uint8_t key[HAVEN_RADIUS_MAX_SALTED];
	const uint8_t *v;
	size_t off = 0, sub = 0;
	uint8_t len, vtype;
	int klen;

	if (haven_radius_find_vsa(pkt, HAVEN_RADIUS_VENDOR_3GPP2,
			HAVEN_RADIUS_3GPP2_MN_HA_KEY, &v, &len)) {
		klen = haven_radius_salted_decode(v, len, sl->req_auth,
			srv->conf.secret, srv->conf.secret_len, key);
		if (klen <= 0 || klen > HAVEN_RADIUS_MAX_KEY) {
			explicit_bzero(key, sizeof(key));
			return false;
		}
		memcpy(r->key, key, (size_t)klen);
		explicit_bzero(key, sizeof(key));
		r->key_len = (uint8_t)klen;
		r->alg = 0;	/* HMAC-MD5, RFC 5944 3.5.1 and 3GPP2 */
		r->spi = sl->req.auth.spi;
		if (haven_radius_find_vsa(pkt, HAVEN_RADIUS_VENDOR_3GPP2,
				HAVEN_RADIUS_3GPP2_MN_HA_SPI, &v, &len)) {
			if (len != 4)
				return false;
			r->spi = haven_get_be32(v);
		}
		r->sa_source = HAVEN_RADIUS_SA_3GPP2;
		return r->spi != 0;
	}

	/* Cisco-AVPair mobileip:spi#N; the one with the request's SPI wins */
	while (haven_radius_next_vsa(pkt, HAVEN_RADIUS_VENDOR_CISCO, &off,
			&sub, &vtype, &v, &len)) {
		struct haven_radius_cisco_sa sa;
		int rc;

		if (vtype != HAVEN_RADIUS_CISCO_AVPAIR)
			continue;
		rc = haven_radius_cisco_spi_parse(v, len, &sa);
		if (rc == -ENOENT)
			continue;
		if (rc < 0 || sa.key_len > HAVEN_RADIUS_MAX_KEY)
			return false;
		if (r->sa_source == HAVEN_RADIUS_SA_NONE ||
		    sa.spi == sl->req.auth.spi) {
			r->spi = sa.spi;
			r->alg = sa.alg;
			memcpy(r->key, sa.key, sa.key_len);
			r->key_len = sa.key_len;
			r->sa_source = HAVEN_RADIUS_SA_CISCO;
		}
		explicit_bzero(&sa, sizeof(sa));
	}
	return true;
}

/* Fill the result of an authentic Access-Accept; false if unusable. */
static bool
decode_accept(const struct haven_radius_pkt *pkt, struct slot *sl,
		const struct server *srv, struct haven_radius_result *r)
{
	const uint8_t *v;
	uint8_t len;

	if (haven_radius_find(pkt, HAVEN_RADIUS_FRAMED_IP_ADDRESS, &v,
			&len)) {
		if (len != 4)
			return false;
		r->has_framed_ip = true;
		memcpy(&r->framed_ip, v, 4);
	}
	if (haven_radius_find(pkt, HAVEN_RADIUS_SESSION_TIMEOUT, &v, &len)) {
		if (len != 4)
			return false;
		r->session_timeout = haven_get_be32(v);
	}
	if (haven_radius_find(pkt, HAVEN_RADIUS_CLASS, &v, &len)) {
		r->class_len = len;
		memcpy(r->class_val, v, len);
	}
	return decode_sa(pkt, sl, srv, r);
}

static void
rtt_sample(struct server *srv, uint32_t rtt)
{
	srv->st.rtt_last_ms = rtt;
	if (srv->st.accepts + srv->st.rejects + srv->st.acct_responses == 0) {
		srv->st.rtt_avg_ms = rtt;
		srv->st.rtt_min_ms = rtt;
		srv->st.rtt_max_ms = rtt;
		return;
	}
	/* RFC 6298: SRTT = 7/8 SRTT + 1/8 R */
	srv->st.rtt_avg_ms = (uint32_t)((7ULL * srv->st.rtt_avg_ms + rtt) / 8);
	if (rtt < srv->st.rtt_min_ms)
		srv->st.rtt_min_ms = rtt;
	if (rtt > srv->st.rtt_max_ms)
		srv->st.rtt_max_ms = rtt;
}

/* The server at addr:port, and the kind of that port; -1 if none. */
static int
find_server(const struct haven_radius_client *c,
		const struct haven_addr *addr, uint16_t port, unsigned int *kind)
{
	unsigned int i;

	for (i = 0; i < c->conf.n_servers; i++) {
		const struct server *srv = &c->servers[i];

		if (!haven_addr_eq(&srv->conf.addr, addr))
			continue;
		if (port == srv->conf.auth_port) {
			*kind = HAVEN_RADIUS_AUTH;
			return (int)i;
		}
		if (port == srv->conf.acct_port) {
			*kind = HAVEN_RADIUS_ACCT;
			return (int)i;
		}
	}
	return -1;
}

static bool
code_fits(uint8_t code, unsigned int kind)
{
	if (kind == HAVEN_RADIUS_ACCT)
		return code == HAVEN_RADIUS_ACCOUNTING_RESPONSE;
	return code == HAVEN_RADIUS_ACCESS_ACCEPT ||
		code == HAVEN_RADIUS_ACCESS_REJECT ||
		code == HAVEN_RADIUS_ACCESS_CHALLENGE;
}

void
haven_radius_client_input(struct haven_radius_client *c, unsigned int sock,
		const struct haven_addr *addr, uint16_t port,
		const uint8_t *buf, size_t len, uint64_t now_ms)
{
	struct haven_radius_result r;
	struct haven_radius_pkt pkt;
	struct server *srv;
	unsigned int kind = 0;
	struct slot *sl;
	uint32_t value;
	int i, rc;

	i = find_server(c, addr, port, &kind);
	if (i < 0 || sock >= c->n_sockets) {
		c->st.dropped_unknown_source++;
		return;
	}
	srv = &c->servers[i];
	if (haven_radius_parse(buf, len, &pkt, NULL, 0) != 0) {
		srv->st.dropped_malformed++;
		return;
	}
	value = c->idmap[idgroup(c, (unsigned int)i, kind, sock) * N_IDS +
		pkt.id];

	if (value == ID_PROBE) {
		if (pkt.code != HAVEN_RADIUS_ACCESS_ACCEPT ||
		    !srv->probe_out || srv->probe_sock != sock) {
			srv->st.dropped_unmatched++;
			return;
		}
		rc = haven_radius_verify_response(&pkt, srv->probe_auth,
			srv->conf.secret, srv->conf.secret_len, true);
		if (rc != 0) {
			if (rc == -ENOMSG)
				srv->st.dropped_no_ma++;
			else
				srv->st.dropped_auth++;
			return;
		}
		srv->last_heard_seq = ++c->seq;
		server_alive(c, (unsigned int)i);
		return;
	}
	if (value == ID_FREE || !code_fits(pkt.code, kind)) {
		srv->st.dropped_unmatched++;
		return;
	}
	sl = &c->slots[value];
	rc = haven_radius_verify_response(&pkt, sl->req_auth,
		srv->conf.secret, srv->conf.secret_len, true);
	if (rc != 0) {
		if (rc == -ENOMSG)
			srv->st.dropped_no_ma++;
		else
			srv->st.dropped_auth++;
		return;
	}

	/* authentic: the server lives, the request is answered */
	srv->last_heard_seq = ++c->seq;
	heap_remove(c, value);
	server_release(c, sl);
	if (sl->tries == 1)	/* Karn: no sample from a retransmission */
		rtt_sample(srv, (uint32_t)(now_ms - sl->first_sent_ms));

	memset(&r, 0, sizeof(r));
	if (pkt.code == HAVEN_RADIUS_ACCOUNTING_RESPONSE) {
		srv->st.acct_responses++;
		rc = HAVEN_RADIUS_ACCEPTED;
	} else if (pkt.code == HAVEN_RADIUS_ACCESS_ACCEPT) {
		srv->st.accepts++;
		rc = decode_accept(&pkt, sl, srv, &r) ? HAVEN_RADIUS_ACCEPTED :
			HAVEN_RADIUS_INVALID;
		if (rc != HAVEN_RADIUS_ACCEPTED)
			explicit_bzero(&r, sizeof(r));
	} else {
		srv->st.rejects++;
		rc = HAVEN_RADIUS_REJECTED;
	}
	/* the result overwrites the packet sent (a union): no longer needed */
	memcpy(&sl->result, &r, sizeof(r));
	explicit_bzero(&r, sizeof(r));
	complete(c, sl, (uint8_t)rc, (uint8_t)i, now_ms);
}

/* ------------------------------------------------------------------ */
/* Requests                                                           */
/* ------------------------------------------------------------------ */

static bool
text_ok(const char *s, size_t max, bool may_be_empty)
{
	size_t n = strnlen(s, max + 1);

	return n <= max && (may_be_empty || n > 0);
}

bool
radius_request_ok(const struct haven_radius_request *req)
{
	if (req->kind == HAVEN_RADIUS_AUTH)
		return text_ok(req->auth.nai, HAVEN_RADIUS_NAI_LEN, false);
	if (req->kind != HAVEN_RADIUS_ACCT)
		return false;
	if (req->acct.status != HAVEN_RADIUS_ACCT_START &&
			req->acct.status != HAVEN_RADIUS_ACCT_STOP &&
			req->acct.status != HAVEN_RADIUS_ACCT_INTERIM_UPDATE)
		return false;
	return text_ok(req->acct.nai, HAVEN_RADIUS_NAI_LEN, true) &&
		text_ok(req->acct.session_id, HAVEN_RADIUS_SESSION_ID_LEN,
			false);
}

int
haven_radius_client_submit(struct haven_radius_client *c,
		const struct haven_radius_request *req, uint64_t now_ms)
{
	struct slot *sl;

	if (c == NULL || req == NULL || !radius_request_ok(req)) {
		if (c != NULL)
			c->st.refused_invalid++;
		return -EINVAL;
	}
	if (c->free_head == NO_SLOT) {
		c->st.refused_full++;
		return -ENOBUFS;
	}
	sl = &c->slots[c->free_head];
	c->free_head = sl->next;
	memset(sl, 0, offsetof(struct slot, req));
	sl->req = *req;
	sl->submitted_ms = now_ms;
	c->st.pending++;
	c->st.submitted++;
	dispatch(c, sl, now_ms);
	return 0;
}

int
haven_radius_client_cancel(struct haven_radius_client *c, uint64_t tag)
{
	uint32_t s;

	for (s = 0; s < c->conf.max_pending; s++) {
		struct slot *sl = &c->slots[s];

		if (sl->state != SLOT_WAITING || sl->req.tag != tag)
			continue;
		heap_remove(c, s);
		server_release(c, sl);
		complete_empty(c, sl, HAVEN_RADIUS_CANCELLED,
			sl->submitted_ms);
		return 0;
	}
	return -ENOENT;
}

unsigned int
haven_radius_client_poll(struct haven_radius_client *c,
		struct haven_radius_result *out, unsigned int n)
{
	unsigned int k = 0;

	while (k < n && c->done_head != NO_SLOT) {
		uint32_t s = c->done_head;
		struct slot *sl = &c->slots[s];

		c->done_head = sl->next;
		if (c->done_head == NO_SLOT)
			c->done_tail = NO_SLOT;
		out[k++] = sl->result;
		explicit_bzero(sl, sizeof(*sl));	/* keys */
		sl->state = SLOT_FREE;
		sl->next = c->free_head;
		c->free_head = s;
		c->st.pending--;
	}
	return k;
}

/* ------------------------------------------------------------------ */
/* Life cycle and counters                                            */
/* ------------------------------------------------------------------ */

struct haven_radius_client *
haven_radius_client_create(const struct haven_radius_conf *conf,
		const struct haven_radius_client_ops *ops, uint64_t now_ms)
{
	struct haven_radius_client *c;
	size_t groups, i;
	uint8_t seed[8];

	(void)now_ms;
	if (haven_radius_conf_check(conf, NULL, 0) != 0 || ops == NULL ||
			ops->send == NULL) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->conf = *conf;
	c->ops = *ops;
	c->n_sockets = (conf->max_pending + 1 + N_IDS - 1) / N_IDS;
	groups = (size_t)conf->n_servers * N_KINDS * c->n_sockets;
	c->idmap = malloc(groups * N_IDS * sizeof(*c->idmap));
	c->idnext = calloc(groups, sizeof(*c->idnext));
	c->idused = calloc(groups, sizeof(*c->idused));
	c->slots = calloc(conf->max_pending, sizeof(*c->slots));
	c->heap = calloc(conf->max_pending, sizeof(*c->heap));
	if (c->idmap == NULL || c->idnext == NULL || c->idused == NULL ||
			c->slots == NULL || c->heap == NULL) {
		haven_radius_client_free(c);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < groups * N_IDS; i++)
		c->idmap[i] = ID_FREE;
	for (i = 0; i < conf->max_pending; i++)
		c->slots[i].next = i + 1 < conf->max_pending ?
			(uint32_t)(i + 1) : NO_SLOT;
	c->free_head = 0;
	c->done_head = c->done_tail = NO_SLOT;
	for (i = 0; i < conf->n_servers; i++) {
		c->servers[i].conf = conf->servers[i];
		c->servers[i].st.state = HAVEN_RADIUS_SERVER_ALIVE;
	}
	/* start every Identifier cursor somewhere unpredictable */
	fill_random(c, c->idnext, groups);
	fill_random(c, seed, sizeof(seed));
	memcpy(&c->rng, seed, sizeof(seed));
	c->rng |= 1;
	return c;
}

void
haven_radius_client_free(struct haven_radius_client *c)
{
	if (c == NULL)
		return;
	if (c->slots != NULL) {
		explicit_bzero(c->slots,
			c->conf.max_pending * sizeof(*c->slots));
		free(c->slots);
	}
	free(c->idmap);
	free(c->idnext);
	free(c->idused);
	free(c->heap);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

bool
radius_client_has_results(const struct haven_radius_client *c)
{
	return c->done_head != NO_SLOT;
}

unsigned int
haven_radius_client_n_sockets(const struct haven_radius_client *c)
{
	return c->n_sockets;
}

uint64_t
haven_radius_client_max_wait_ms(const struct haven_radius_client *c)
{
	uint64_t total = 0;
	unsigned int i, k;

	for (i = 0; i < c->conf.n_servers; i++) {
		const struct haven_radius_server_conf *s =
			&c->servers[i].conf;
		uint64_t cap = (uint64_t)s->timeout_ms *
			HAVEN_RADIUS_BACKOFF_CAP;
		uint64_t iv = s->timeout_ms;

		for (k = 0; k <= s->retries; k++) {
			total += iv + iv * c->conf.jitter_pct / 100 + 1;
			iv = 2 * iv > cap ? cap : 2 * iv;
		}
	}
	return total;
}

void
haven_radius_client_stats(const struct haven_radius_client *c,
		struct haven_radius_stats *st)
{
	*st = c->st;
}

int
haven_radius_client_server_stats(const struct haven_radius_client *c,
		unsigned int server, struct haven_radius_server_stats *st)
{
	if (server >= c->conf.n_servers)
		return -ENOENT;
	*st = c->servers[server].st;
	return 0;
}
