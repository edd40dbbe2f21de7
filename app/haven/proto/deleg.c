/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Delegation, the primary's side and the transport (deleg.h): UDP on the
 * delegation port through the link layer, the PHA state machine's events
 * carried out on the node layer, the node layer's news carried to the
 * secondaries, the actions every front end calls, and the module's part
 * of a reload (secondaries added, removed and re-keyed; the agent's own
 * identity is fixed until a restart). The secondary's side is
 * deleg_sha.c.
 */

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "deleg.h"
#include "deleg_private.h"
#include "event.h"
#include "haven_config.h"
#include "link.h"
#include "loop.h"
#include "node.h"
#include "reload.h"
#include "rt.h"

static_assert(HAVEN_CONFIG_PEER_KEY_LEN == HAVEN_DELEG_MAX_KEY,
	"config and protocol disagree on the key size");
static_assert(HAVEN_CONFIG_DELEG_PORT == HAVEN_DELEG_PORT,
	"config and protocol disagree on the UDP port");

#define DELEG_TICK_MS 10		/**< retransmissions, reports */
#define CONFIRM_CHECK_MS 100		/**< adopted bindings: look again */
/*
 * After a restore (a restart, a pair's takeover) a secondary is heard
 * this long into the future: its reports may need the home link to learn
 * where the home agent's address went before they arrive here.
 */
#define RESTORE_GRACE_MS 1000
/* An adopted binding no report listed in this many intervals is lost. */
#define CONFIRM_INTERVALS_X10 25

/* A node's record at the primary (its extension). */
struct deleg_ext {
	struct haven_deleg_binding b;	/**< the library's record */
	bool holding;			/**< holds the node's reply ([0026]) */
	uint64_t adopted_ms;		/**< adopted from the store, waiting
					  * for a report to list it; 0: not */
};

static int ext_off = -1;		/* writer: haven_deleg_init() */

static struct deleg_ext *
ext_of(const struct haven_node *n)
{
	return haven_node_ext((struct haven_node *)(uintptr_t)n, ext_off);
}

/* ---------------------------------------------------------------------
 * Transport
 */

/* A datagram on the delegation port: to the role its type is for. */
static void
deleg_input(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)
		((const uint8_t *)ip + rte_ipv4_hdr_len(ip));
	size_t off = (const uint8_t *)(udp + 1) -
		rte_pktmbuf_mtod(m, const uint8_t *);
	size_t len = rte_be_to_cpu_16(udp->dgram_len);
	uint64_t now = haven_now_ms();
	const uint8_t *msg = (const uint8_t *)(udp + 1);
	int type, rc = -EPROTO;

	if (len < sizeof(*udp) || off + len - sizeof(*udp) >
			rte_pktmbuf_data_len(m)) {
		deleg.rejected++;
		goto out;
	}
	len -= sizeof(*udp);
	type = haven_deleg_peek_type(msg, len);
	if (haven_deleg_type_to_sha(type)) {
		if (deleg.is_sha)
			rc = haven_deleg_sha_input(&deleg.sha, ip->src_addr,
					msg, len, now);
	} else if (type > 0 && deleg.is_pha) {
		rc = haven_deleg_pha_input(&deleg.pha, ip->src_addr, msg, len,
				now);
	}
	if (rc != 0) {
		deleg.rejected++;
		HAVEN_LOG(DEBUG, "delegation message from " HAVEN_IP4_FMT
			" (type %d, %zu bytes) not taken: %s\n",
			HAVEN_IP4_ARGS(ip->src_addr), type, len, strerror(-rc));
	}
out:
	rte_pktmbuf_free(m);
}

/* ---------------------------------------------------------------------
 * Binding information, both families
 */

/* What the secondary is told, from the node. */
static void
info_of_node(const struct haven_node *n, struct haven_deleg_binding_info *in)
{
	unsigned int i;

	in->home_addr = n->hoa;
	in->outer_src = n->outer_src;		/* claim 5 */
	in->encap = deleg_encap_of_node(n);
	in->flags = (n->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ?
		HAVEN_DELEG_F_REVERSE_TUNNEL : 0;
	for (i = 0; i < n->n_coa; i++)
		in->coa[i] = n->coa[i].addr;
	in->n_coa = n->n_coa;
	in->duration_s = haven_node_remaining_s(n);
	in->udp_src_port = 0;
	in->udp_next_header = 0;
	memset(in->nat_addr, 0, sizeof(in->nat_addr));
	memset(in->nat_port, 0, sizeof(in->nat_port));
	if (n->encap != HAVEN_ENCAP_UDP)
		return;
	/* RFC 3519 (2.3.1): to the NATs, from our address and port */
	in->udp_src_port = n->udp_sport;
	in->udp_next_header = HAVEN_DELEG_UDP_NH_IP;
	for (i = 0; i < n->n_coa; i++) {
		in->nat_addr[i] = n->coa[i].nat_addr;
		in->nat_port[i] = n->coa[i].nat_port;
	}
}

/* ---------------------------------------------------------------------
 * The primary: events of the state machine
 */

struct haven_node *
haven_deleg_node_of(const struct haven_deleg_binding *b)
{
	return b->user;
}

static struct haven_deleg_peer *
peer_of_forwarder(uint8_t forwarder)
{
	if (forwarder == HAVEN_FORWARDER_SELF || !deleg.is_pha ||
	    forwarder > deleg.pha.n_peers)
		return NULL;
	return &deleg.secondaries[forwarder - 1];
}

const char *
haven_deleg_forwarder_name(uint8_t forwarder)
{
	const struct haven_deleg_peer *p = peer_of_forwarder(forwarder);

	return p == NULL ? "self" : p->name;
}

uint8_t
haven_deleg_forwarder_of(const struct haven_deleg_peer *p)
{
	return (uint8_t)(p - deleg.secondaries) + 1;
}

/*
 * The outcome of a delegation is known: the handover is over and a held
 * reply may go.
 */
static void
release_hold(struct haven_node *n)
{
	struct deleg_ext *x = ext_of(n);

	haven_node_set_handover(n, false);
	if (!x->holding)
		return;
	x->holding = false;
	haven_node_reply_release(n);
}

/*
 * A binding adopted from the store (a restart, a takeover) that its
 * secondary turned out to have lost (the reconciliation says LOST): it
 * was delegated before, so it is started there again, a new generation;
 * meanwhile this agent forwards it.
 */
static void
adopted_lost(struct haven_node *n, struct haven_deleg_peer *peer,
		uint8_t status)
{
	struct deleg_ext *x = ext_of(n);

	if (x->adopted_ms == 0 || status != HAVEN_DELEG_LOST)
		return;
	x->adopted_ms = 0;
	deleg.adopt_pending--;
	deleg.restore.restarted++;
	if (peer != NULL && peer->alive && !peer->removed)
		haven_deleg_delegate_node(n, peer);
}

static void
pha_event(void *ctx, int event, struct haven_deleg_binding *b,
		struct haven_deleg_peer *peer, uint8_t status)
{
	const char *name = peer != NULL ? peer->name : "?";
	struct haven_node *n = b != NULL ? b->user : NULL;
	char a[HAVEN_ADDR_STRLEN];
	/* Part of a burst: counted into one summary event (deleg_scale.c). */
	bool quiet = n != NULL && deleg_bulk_take(event,
		event == HAVEN_DELEG_EV_MOVED ? b->peer : peer);

	(void)ctx;
	if (n != NULL)
		haven_addr_str(&n->hoa, a);
	switch (event) {
	case HAVEN_DELEG_EV_DELEGATED:
		if (!quiet)
			haven_event(HAVEN_EV_DELEGATION, &n->hoa,
				HAVEN_DELEG_OK, "delegated %s to %s", a, name);
		haven_node_set_forwarder(n, haven_deleg_forwarder_of(peer));
		release_hold(n);
		break;
	case HAVEN_DELEG_EV_REFUSED:
		if (!quiet)
			haven_event(HAVEN_EV_DELEGATION, &n->hoa, status,
				"%s refused %s: %s", name, a,
				haven_deleg_status_name(status));
		haven_node_set_forwarder(n, HAVEN_FORWARDER_SELF);
		release_hold(n);
		break;
	case HAVEN_DELEG_EV_TAKEN_BACK:
		if (!quiet)
			haven_event(HAVEN_EV_TAKEBACK, &n->hoa, status,
				"took %s back from %s (%s)", a, name,
				haven_deleg_status_name(status));
		haven_node_set_forwarder(n, HAVEN_FORWARDER_SELF);
		/* The secondary may have announced itself: we again. */
		if (haven_node_bound(n))
			haven_node_announce(n);
		release_hold(n);
		adopted_lost(n, peer, status);
		break;
	case HAVEN_DELEG_EV_STOPPED:
		HAVEN_LOG(DEBUG, "%s stopped forwarding %s\n", name, a);
		break;
	case HAVEN_DELEG_EV_MOVED:
		/* Make before break: the new secondary has announced itself. */
		if (!quiet)
			haven_event(HAVEN_EV_DELEGATION, &n->hoa,
				HAVEN_DELEG_OK, "moved %s to %s", a,
				b->peer != NULL ? b->peer->name : name);
		haven_node_set_forwarder(n, haven_deleg_forwarder_of(b->peer));
		break;
	case HAVEN_DELEG_EV_MOVE_FAILED:
		if (!quiet)
			haven_event(HAVEN_EV_DELEGATION, &n->hoa, status,
				"%s did not take %s: %s", name, a,
				haven_deleg_status_name(status));
		break;
	case HAVEN_DELEG_EV_RELEASED:
		HAVEN_LOG(DEBUG, "%s released %s\n", name, a);
		break;
	case HAVEN_DELEG_EV_PEER_DEAD:
		haven_event(HAVEN_EV_PEER, NULL, -1, "secondary %s is silent:"
			" taking its bindings back", name);
		break;
	case HAVEN_DELEG_EV_PEER_ALIVE:
		haven_event(HAVEN_EV_PEER, NULL, -1,
			"secondary %s reports again", name);
		break;
	}
}

/* The library finds a binding by home address (reports, strays). */
static struct haven_deleg_binding *
lookup_addr(const struct haven_addr *hoa)
{
	struct haven_node *n = haven_node_find(hoa);

	return n != NULL && haven_node_is_home(n) ?
		&ext_of(n)->b : NULL;
}

static struct haven_deleg_binding *
pha_lookup(void *ctx, const struct haven_addr *home_addr)
{
	(void)ctx;
	return lookup_addr(home_addr);
}

/* Issue 16: nothing new is sent to a secondary before its address is
 * resolved; the library keeps it queued meanwhile. */
static bool
pha_can_send(void *ctx, const struct haven_deleg_peer *peer)
{
	struct haven_addr a = haven_addr4(peer->addr);

	(void)ctx;
	return haven_link_resolved(&a);
}

/*
 * A secondary holds a binding we did not delegate to it (it has been
 * told to stop): it may have announced itself for the home address, so
 * if we intercept it, we announce again, or correspondents keep the
 * secondary's MAC until their caches age (issue 10).
 */
static void
pha_orphan(void *ctx, const struct haven_deleg_peer *peer,
		const struct haven_addr *home_addr)
{
	struct haven_node *n = haven_node_find(home_addr);
	char a[HAVEN_ADDR_STRLEN];

	(void)ctx;
	if (n == NULL || !haven_node_is_home(n) ||
	    !haven_node_bound(n) || n->forwarder != HAVEN_FORWARDER_SELF)
		return;
	HAVEN_LOG(INFO, "%s held %s, not delegated to it: announced again\n",
		peer->name, haven_addr_str(home_addr, a));
	haven_node_announce(n);
}

static const struct haven_deleg_ops pha_ops = {
	.send = deleg_transport_send,
	.event = pha_event,
	.lookup = pha_lookup,
	.log = deleg_log_line,
	.can_send = pha_can_send,
	.orphan = pha_orphan,
};

/* ---------------------------------------------------------------------
 * The primary: news of the node layer
 */

static uint8_t
stop_reason(enum haven_node_reason reason)
{
	switch (reason) {
	case HAVEN_NODE_R_DEREGISTERED:
	case HAVEN_NODE_R_CLEARED:	/* the binding ended, as [0030] */
		return HAVEN_DELEG_STOP_DEREGISTERED;
	case HAVEN_NODE_R_EXPIRED:
		return HAVEN_DELEG_STOP_EXPIRED;
	case HAVEN_NODE_R_ADMIN:
	case HAVEN_NODE_R_HANDOVER:
	case HAVEN_NODE_R_RESTORED:
		break;
	}
	return HAVEN_DELEG_STOP_UNDELEGATE;
}

static void
node_hook(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason, void *arg)
{
	struct deleg_ext *x;

	(void)arg;
	if (!haven_node_is_home(n))
		return;
	x = ext_of(n);
	switch (what) {
	case HAVEN_NODE_MOVED:
	case HAVEN_NODE_REFRESHED:
		/* [0029]: the secondary switches at once. */
		if (x->b.state != HAVEN_DELEG_S_LOCAL) {
			info_of_node(n, &x->b.info);
			haven_deleg_pha_update(&deleg.pha, &x->b,
				haven_now_ms());
		}
		break;
	case HAVEN_NODE_RELEASED:
		if (reason == HAVEN_NODE_R_HANDOVER) {
			/* The other primary goes on with the same secondary:
			 * nothing is sent, the record is only forgotten. */
			haven_deleg_pha_forget(&deleg.pha, &x->b);
			x->holding = false;
			if (x->adopted_ms != 0) {
				x->adopted_ms = 0;
				deleg.adopt_pending--;
			}
			break;
		}
		/* [0030]: released, expired or deregistered. */
		if (x->b.state != HAVEN_DELEG_S_LOCAL)
			haven_deleg_pha_undelegate(&deleg.pha, &x->b,
				stop_reason(reason), haven_now_ms());
		break;
	case HAVEN_NODE_DELETED:
		haven_deleg_pha_forget(&deleg.pha, &x->b);
		if (x->adopted_ms != 0) {
			x->adopted_ms = 0;
			deleg.adopt_pending--;
		}
		break;
	default:
		break;
	}
}

static void
ext_init(struct haven_node *n, void *ext)
{
	struct deleg_ext *x = ext;

	x->b.user = n;
}

/* ---------------------------------------------------------------------
 * Actions
 */

bool
haven_deleg_is_pha(void)
{
	return deleg.is_pha;
}

bool
haven_deleg_is_sha(void)
{
	return deleg.is_sha;
}

const struct haven_deleg_pha *
haven_deleg_pha_ctx(void)
{
	return deleg.is_pha ? &deleg.pha : NULL;
}

const struct haven_deleg_sha *
haven_deleg_sha_ctx(void)
{
	return deleg.is_sha ? &deleg.sha : NULL;
}

struct haven_deleg_peer *
haven_deleg_secondaries(void)
{
	return deleg.secondaries;
}

const struct haven_deleg_peer *
haven_deleg_primaries(void)
{
	return deleg.primaries;
}

uint64_t
haven_deleg_rejected(void)
{
	return deleg.rejected;
}

const struct haven_deleg_binding *
haven_deleg_of(const struct haven_node *n)
{
	if (!deleg.is_pha || !haven_node_is_home(n))
		return NULL;
	return &ext_of(n)->b;
}

struct haven_deleg_peer *
haven_deleg_secondary_find(const char *name)
{
	unsigned int i;

	for (i = 0; deleg.is_pha && i < deleg.pha.n_peers; i++)
		if (!deleg.secondaries[i].removed &&
		    strcmp(deleg.secondaries[i].name, name) == 0)
			return &deleg.secondaries[i];
	return NULL;
}

int
haven_deleg_delegate_node(struct haven_node *n, struct haven_deleg_peer *peer)
{
	struct deleg_ext *x;
	int rc;

	if (!deleg.is_pha || peer == NULL ||
	    !haven_node_is_home(n) || !haven_node_bound(n))
		return -EINVAL;
	x = ext_of(n);
	if (x->b.state != HAVEN_DELEG_S_LOCAL)
		return -EBUSY;
	info_of_node(n, &x->b.info);
	rc = haven_deleg_pha_delegate(&deleg.pha, &x->b, peer, haven_now_ms());
	if (rc == 0)
		haven_node_set_handover(n, true);
	if (rc == 0 && haven_rt.cfg.delegation.wait_for_ack && !x->holding) {
		/* The registration reply waits for the answer ([0026]). */
		x->holding = true;
		haven_node_reply_hold(n);
	}
	return rc;
}

int
haven_deleg_move_node(struct haven_node *n, struct haven_deleg_peer *to)
{
	if (!deleg.is_pha || to == NULL || !haven_node_is_home(n))
		return -EINVAL;
	return haven_deleg_pha_move(&deleg.pha, &ext_of(n)->b, to,
		haven_now_ms());
}

void
haven_deleg_undelegate_node(struct haven_node *n, uint8_t reason)
{
	struct deleg_ext *x;

	if (!deleg.is_pha || !haven_node_is_home(n))
		return;
	x = ext_of(n);
	if (x->b.state != HAVEN_DELEG_S_LOCAL)
		haven_deleg_pha_undelegate(&deleg.pha, &x->b, reason,
			haven_now_ms());
}

int
haven_deleg_delegate(const struct haven_addr *hoa, const char *sha_name,
		char *err, size_t errlen)
{
	struct haven_node *n = haven_node_find(hoa);
	struct haven_deleg_peer *peer;
	char a[HAVEN_ADDR_STRLEN];
	int rc;

	if (!deleg.is_pha || !haven_rt.cfg.delegation.enabled) {
		snprintf(err, errlen, "this agent has no delegation section");
		return -ENOTSUP;
	}
	if (n == NULL || !haven_node_is_home(n) ||
	    !haven_node_bound(n)) {
		snprintf(err, errlen, "no binding for %s",
			haven_addr_str(hoa, a));
		return -ENOENT;
	}
	peer = haven_deleg_secondary_find(sha_name);
	if (peer == NULL) {
		snprintf(err, errlen, "no secondary named \"%s\"", sha_name);
		return -ENOENT;
	}
	rc = haven_deleg_delegate_node(n, peer);
	if (rc == -EBUSY)
		snprintf(err, errlen, "binding is %s",
			haven_deleg_state_name(ext_of(n)->b.state));
	else if (rc == -EHOSTDOWN)
		snprintf(err, errlen, "secondary %s is not alive", peer->name);
	else if (rc == -EOPNOTSUPP)
		snprintf(err, errlen,
			"secondary %s does not forward UDP tunnels (RFC 3519)",
			peer->name);
	else if (rc != 0)
		snprintf(err, errlen, "%s", strerror(-rc));
	return rc;
}

int
haven_deleg_undelegate(const struct haven_addr *hoa, char *err, size_t errlen)
{
	struct haven_node *n = haven_node_find(hoa);
	char a[HAVEN_ADDR_STRLEN];

	if (n == NULL || !deleg.is_pha || !haven_node_is_home(n) ||
	    ext_of(n)->b.state == HAVEN_DELEG_S_LOCAL) {
		snprintf(err, errlen, "%s is not delegated",
			haven_addr_str(hoa, a));
		return -ENOENT;
	}
	haven_deleg_undelegate_node(n, HAVEN_DELEG_STOP_UNDELEGATE);
	return 0;
}

int
haven_deleg_secondary_add(const char *name, uint32_t id, uint32_t addr,
		const uint8_t *key, size_t key_len, char *err, size_t errlen)
{
	struct haven_deleg_peer *p = NULL;
	unsigned int i;

	if (!deleg.is_pha || !haven_rt.cfg.delegation.enabled) {
		snprintf(err, errlen, "this agent has no delegation section");
		return -ENOTSUP;
	}
	if (key_len == 0 || key_len > HAVEN_DELEG_MAX_KEY) {
		snprintf(err, errlen, "key must be 1..%d bytes",
			HAVEN_DELEG_MAX_KEY);
		return -EINVAL;
	}
	if (id == 0 || id == haven_rt.cfg.delegation.agent_id) {
		snprintf(err, errlen, "id %u is not usable", id);
		return -EINVAL;
	}
	for (i = 0; i < deleg.pha.n_peers; i++) {
		struct haven_deleg_peer *q = &deleg.secondaries[i];

		if (q->removed) {
			if (p == NULL && q->n_delegated == 0)
				p = q;	/* a free slot to reuse */
			continue;
		}
		if (strcmp(q->name, name) == 0 || q->id == id ||
		    q->addr == addr) {
			snprintf(err, errlen, "secondary %s already has that "
				"name, id or address", q->name);
			return -EEXIST;
		}
	}
	if (p == NULL) {
		if (deleg.pha.n_peers == HAVEN_MAX_SECONDARIES) {
			snprintf(err, errlen, "already %d secondaries",
				HAVEN_MAX_SECONDARIES);
			return -ENOSPC;
		}
		p = &deleg.secondaries[deleg.pha.n_peers];
	}
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->id = id;
	p->addr = addr;
	memcpy(p->key, key, key_len);
	p->key_len = key_len;
	haven_deleg_peer_init(p, deleg_seq_base(), haven_now_ms());
	if (p == &deleg.secondaries[deleg.pha.n_peers])
		deleg.pha.n_peers++;
	haven_event(HAVEN_EV_PEER, NULL, -1, "secondary %s (id %u, "
		HAVEN_IP4_FMT ") added", name, id, HAVEN_IP4_ARGS(addr));
	return 0;
}

int
haven_deleg_secondary_del(const char *name, char *err, size_t errlen)
{
	struct haven_deleg_peer *p = haven_deleg_secondary_find(name);

	if (p == NULL) {
		snprintf(err, errlen, "no secondary named \"%s\"", name);
		return -ENOENT;
	}
	/* Its bindings come back first: nothing is black-holed. */
	haven_deleg_pha_remove_peer(&deleg.pha, p, haven_now_ms());
	haven_event(HAVEN_EV_PEER, NULL, -1, "secondary %s removed", name);
	return 0;
}

struct foreach_arg {
	void (*fn)(const struct haven_deleg_binding *b, void *arg);
	void *arg;
	unsigned int n;
};

static void
foreach_node(struct haven_node *n, void *arg)
{
	struct foreach_arg *fa = arg;
	const struct deleg_ext *x;

	if (!haven_node_is_home(n))
		return;
	x = ext_of(n);
	if (x->b.state == HAVEN_DELEG_S_LOCAL)
		return;
	fa->fn(&x->b, fa->arg);
	fa->n++;
}

unsigned int
haven_deleg_foreach(void (*fn)(const struct haven_deleg_binding *b, void *arg),
		void *arg)
{
	struct foreach_arg fa = { .fn = fn, .arg = arg, .n = 0 };

	if (!deleg.is_pha)
		return 0;
	haven_node_foreach(HAVEN_AF_INET, foreach_node, &fa);
	haven_node_foreach(HAVEN_AF_INET6, foreach_node, &fa);
	return fa.n;
}

/* ---------------------------------------------------------------------
 * Reload: secondaries by name; the agent's identity is fixed
 */

static const char *
identity_changed(const struct haven_config_delegation *da,
		const struct haven_config_delegation *db)
{
	if (da->enabled != db->enabled || da->agent_id != db->agent_id ||
	    da->addr != db->addr || da->port != db->port ||
	    da->capacity != db->capacity ||
	    da->report_interval_ms != db->report_interval_ms)
		return "delegation agent_id, address, port, capacity or "
			"report_interval_ms";
	if (da->n_primaries != db->n_primaries ||
	    memcmp(da->primaries, db->primaries,
		    sizeof(da->primaries[0]) * da->n_primaries) != 0)
		return "delegation.primaries";
	return NULL;
}

static int
reload_prepare(const struct haven_config *new_cfg, void **ctx, char *err,
		size_t errlen)
{
	const char *fixed = identity_changed(&haven_rt.cfg.delegation,
			&new_cfg->delegation);

	(void)ctx;
	if (fixed != NULL) {
		snprintf(err, errlen, "%s changed: only a restart applies that",
			fixed);
		return -EINVAL;
	}
	return 0;
}

static void
reload_commit(const struct haven_config *old_cfg, void *ctx, char *summary,
		size_t len)
{
	const struct haven_config_delegation *dc = &haven_rt.cfg.delegation;
	unsigned int i, k, added = 0, removed = 0;
	char err[128];

	(void)old_cfg;
	(void)ctx;
	if (!deleg.is_pha || !dc->enabled)
		return;
	deleg.pha.dead_after_reports = dc->dead_after;
	if (deleg_scale_configure(dc) != 0)	/* checked by the config */
		HAVEN_LOG(ERR, "reload: delegation flow control refused\n");
	for (i = 0; i < deleg.pha.n_peers; i++) {
		struct haven_deleg_peer *p = &deleg.secondaries[i];
		const struct haven_config_peer *c = NULL;

		if (p->removed)
			continue;
		for (k = 0; k < dc->n_secondaries; k++)
			if (strcmp(dc->secondaries[k].name, p->name) == 0)
				c = &dc->secondaries[k];
		if (c != NULL && c->id == p->id && c->addr == p->addr) {
			/* The library reads the key per message. */
			memcpy(p->key, c->key, c->key_len);
			p->key_len = c->key_len;
			continue;
		}
		haven_deleg_secondary_del(p->name, err, sizeof(err));
		removed++;
	}
	for (k = 0; k < dc->n_secondaries; k++) {
		const struct haven_config_peer *c = &dc->secondaries[k];

		if (haven_deleg_secondary_find(c->name) != NULL)
			continue;
		if (haven_deleg_secondary_add(c->name, c->id, c->addr, c->key,
				c->key_len, err, sizeof(err)) == 0)
			added++;
		else
			HAVEN_LOG(ERR, "reload: secondary %s: %s\n", c->name,
				err);
	}
	snprintf(summary, len, "secondaries +%u -%u", added, removed);
}

static const struct haven_reload_ops reload_ops = {
	.name = "delegation",
	.prepare = reload_prepare,
	.commit = reload_commit,
};

/* ---------------------------------------------------------------------
 * Set-up and the periodic turn
 */

static void
peer_from_config(struct haven_deleg_peer *p, const struct haven_config_peer *c)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", c->name);
	p->id = c->id;
	p->addr = c->addr;
	memcpy(p->key, c->key, c->key_len);
	p->key_len = c->key_len;
}

/* ---------------------------------------------------------------------
 * The state store
 */

void
haven_deleg_node_state(const struct haven_node *n, uint32_t *secondary_id,
		uint32_t *generation)
{
	const struct haven_deleg_binding *b = haven_deleg_of(n);

	*secondary_id = 0;
	*generation = 0;
	if (b == NULL)
		return;
	*generation = b->info.generation;
	/* Only what a secondary acknowledged is its: STARTING is ours. */
	if (b->peer != NULL && (b->state == HAVEN_DELEG_S_DELEGATED ||
			b->state == HAVEN_DELEG_S_UPDATING))
		*secondary_id = b->peer->id;
}

static struct haven_deleg_peer *
secondary_by_id(uint32_t id)
{
	unsigned int i;

	for (i = 0; deleg.is_pha && i < deleg.pha.n_peers; i++)
		if (!deleg.secondaries[i].removed &&
		    deleg.secondaries[i].id == id)
			return &deleg.secondaries[i];
	return NULL;
}

uint8_t
haven_deleg_forwarder_of_id(uint32_t id)
{
	struct haven_deleg_peer *p = id == 0 ? NULL : secondary_by_id(id);

	return p == NULL ? HAVEN_FORWARDER_SELF : haven_deleg_forwarder_of(p);
}

int
haven_deleg_restore_node(struct haven_node *n, uint32_t secondary_id,
		uint32_t generation)
{
	struct haven_deleg_peer *p;
	struct deleg_ext *x;
	int rc;

	if (!deleg.is_pha || !haven_node_is_home(n))
		return -ENOENT;
	x = ext_of(n);
	if (x->b.state != HAVEN_DELEG_S_LOCAL)
		return -EBUSY;
	x->b.info.generation = generation;
	if (secondary_id == 0)
		return 0;
	p = secondary_by_id(secondary_id);
	if (p == NULL) {
		deleg.restore.unknown_secondary++;
		return -ENOENT;
	}
	info_of_node(n, &x->b.info);
	rc = haven_deleg_pha_adopt(&deleg.pha, &x->b, p, haven_now_ms());
	if (rc != 0)
		return rc;
	if (x->adopted_ms == 0)
		deleg.adopt_pending++;
	x->adopted_ms = haven_now_ms();
	deleg.restore.adopted++;
	return 0;
}

int
haven_deleg_restore_secondary(uint32_t id, bool boot_known, uint32_t boot_id,
		uint64_t last_seq, uint32_t generation)
{
	struct haven_deleg_peer *p = secondary_by_id(id);
	uint64_t base = deleg_seq_base();

	if (generation > deleg.generation_floor)
		deleg.generation_floor = generation;
	if (p == NULL)
		return -ENOENT;
	/* Above what the store saw, and above the wall clock: the other
	 * primary of a pair may have sent more since. */
	haven_deleg_peer_restore(p, boot_known, boot_id,
		last_seq > base ? last_seq : base,
		haven_now_ms() + RESTORE_GRACE_MS);
	return 0;
}

static void
apply_floor(struct haven_node *n, void *arg)
{
	struct deleg_ext *x;

	(void)arg;
	if (!haven_node_is_home(n))
		return;
	x = ext_of(n);
	if (x->b.info.generation < deleg.generation_floor)
		x->b.info.generation = deleg.generation_floor;
}

unsigned int
haven_deleg_restore_done(void)
{
	unsigned int i;

	if (!deleg.is_pha)
		return 0;
	/* Peers without a record: heard now, their dead interval to report. */
	for (i = 0; i < deleg.pha.n_peers; i++)
		if (!deleg.secondaries[i].removed &&
		    deleg.secondaries[i].tx_seq < deleg_seq_base())
			haven_deleg_peer_restore(&deleg.secondaries[i],
				deleg.secondaries[i].boot_known,
				deleg.secondaries[i].boot_id,
				deleg_seq_base(),
				haven_now_ms() + RESTORE_GRACE_MS);
	haven_node_foreach(HAVEN_AF_NONE, apply_floor, NULL);
	deleg.next_confirm_ms = haven_now_ms() + CONFIRM_CHECK_MS;
	return deleg.adopt_pending;
}

const struct haven_deleg_restore_stats *
haven_deleg_restore_stats(void)
{
	return &deleg.restore;
}

/* An adopted binding: confirmed by a report, or lost by its secondary. */
static void
confirm_one(struct haven_node *n, void *arg)
{
	uint64_t now = *(const uint64_t *)arg, wait;
	struct deleg_ext *x;
	struct haven_deleg_binding *b;

	if (!haven_node_is_home(n))
		return;
	x = ext_of(n);
	if (x->adopted_ms == 0)
		return;
	b = &x->b;
	if (b->state == HAVEN_DELEG_S_LOCAL || b->peer == NULL) {
		x->adopted_ms = 0;	/* taken back meanwhile */
		deleg.adopt_pending--;
		return;
	}
	if (b->reported_ms >= x->adopted_ms ||
	    b->peer->digest_agreed_ms >= x->adopted_ms) {
		x->adopted_ms = 0;
		deleg.adopt_pending--;
		deleg.restore.confirmed++;
		return;
	}
	/* A secondary of the scale extension reports no idle binding: the
	 * reconciliation its digest starts finds what it lost (TAKEN_BACK,
	 * LOST; deleg_event() starts it again). */
	if (b->peer->ext)
		return;
	/* Silent secondaries are the dead interval's business. */
	wait = (uint64_t)b->peer->report_interval_ms *
		CONFIRM_INTERVALS_X10 / 10;
	if (b->peer->last_heard_ms <= x->adopted_ms ||
	    b->peer->last_heard_ms > now ||	/* the restore's grace */
	    now - x->adopted_ms < wait)
		return;
	x->adopted_ms = 0;
	deleg.adopt_pending--;
	deleg.restore.restarted++;
	info_of_node(n, &b->info);
	haven_deleg_pha_update(&deleg.pha, b, now);	/* a START again */
}

static void
deleg_tick(uint64_t now)
{
	if (deleg.is_pha && deleg.adopt_pending > 0 &&
	    now >= deleg.next_confirm_ms) {
		deleg.next_confirm_ms = now + CONFIRM_CHECK_MS;
		haven_node_foreach(HAVEN_AF_NONE, confirm_one, &now);
	}
	/* A standby's secondaries report to the active, not here. */
	if (deleg.is_pha && haven_rt.serving) {
		haven_deleg_pha_tick(&deleg.pha, now);
		deleg_bulk_tick(now);
	}
	if (deleg.is_sha)
		deleg_sha_tick(now);
}

/*
 * Every turn: what was queued this turn (a registration's delegation, a
 * balancer turn) leaves at once, in as few datagrams as the windows
 * allow, not at the next tick.
 */
static unsigned int
deleg_flush(void)
{
	haven_deleg_pha_flush(&deleg.pha, haven_now_ms());
	return 0;
}

int
haven_deleg_init(void)
{
	const struct haven_config_delegation *dc = &haven_rt.cfg.delegation;
	uint64_t now = haven_now_ms();
	unsigned int i;
	int rc;

	memset(&deleg, 0, sizeof(deleg));
	rc = haven_reload_register(&reload_ops);
	if (rc != 0 || !dc->enabled)
		return rc;
	deleg.secondaries = rte_zmalloc("haven_secondaries",
			sizeof(*deleg.secondaries) * HAVEN_MAX_SECONDARIES, 0);
	deleg.primaries = rte_zmalloc("haven_primaries",
			sizeof(*deleg.primaries) * HAVEN_CONFIG_MAX_PEERS, 0);
	if (deleg.secondaries == NULL || deleg.primaries == NULL)
		return -ENOMEM;
	for (i = 0; i < dc->n_secondaries; i++)
		peer_from_config(&deleg.secondaries[i], &dc->secondaries[i]);
	for (i = 0; i < dc->n_primaries; i++)
		peer_from_config(&deleg.primaries[i], &dc->primaries[i]);

	/* A PHA whenever it serves mobile nodes: secondaries may come later. */
	deleg.is_pha = haven_rt.cfg.has_home_agent;
	if (deleg.is_pha) {
		haven_deleg_pha_init(&deleg.pha, dc->agent_id, deleg.secondaries,
			dc->n_secondaries, &pha_ops, NULL, now,
			deleg_seq_base());
		deleg.pha.dead_after_reports = dc->dead_after;
		rc = deleg_scale_configure(dc);
		if (rc != 0)
			return rc;
		ext_off = haven_node_ext_register("deleg",
				sizeof(struct deleg_ext), ext_init, NULL);
		if (ext_off < 0)
			return ext_off;
		rc = haven_node_hook_add(node_hook, NULL);
		if (rc != 0)
			return rc;
	}
	deleg.is_sha = dc->n_primaries > 0;
	if (deleg.is_sha) {
		rc = deleg_sha_init();
		if (rc != 0)
			return rc;
	}
	rc = haven_loop_on_udp4(dc->port, deleg_input);
	if (rc == 0)
		rc = haven_loop_every("delegation", DELEG_TICK_MS, deleg_tick);
	if (rc == 0 && deleg.is_pha)
		rc = haven_loop_poller("delegation", deleg_flush);
	HAVEN_LOG(INFO, "delegation: agent %u on " HAVEN_IP4_FMT ":%u, %s%s%s,"
		" %u secondaries, %u primaries\n", dc->agent_id,
		HAVEN_IP4_ARGS(dc->addr), dc->port,
		deleg.is_pha ? "primary" : "", deleg.is_pha && deleg.is_sha ?
		" and " : "", deleg.is_sha ? "secondary" : "",
		dc->n_secondaries, dc->n_primaries);
	return rc;
}
