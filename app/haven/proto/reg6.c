/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mobile IPv6 home registration on the control lcore (RFC 6275 section
 * 10.3.1), with RFC 4285 MN-HA authentication in place of IPsec.
 *
 * A Binding Update is walked and parsed (lib/mip6), then checked in this
 * order, and a failed check changes no state: a configured node (else
 * 132 or 133, as haven_mip6_home_reg_status() orders them), its MN-HA
 * authenticator (146), its replay protection option (145 when missing,
 * 144 when the timestamp is stale), then haven_mip6_home_reg_status() (H
 * flag, home subnet 132, sequence number 135 against a binding in force).
 * Lifetime 0 or a care-of address equal to the home address deregisters.
 * A new binding (the node was at home) first runs duplicate address
 * detection on the home link (RFC 6275 10.4.1, RFC 4862 5.4) when the
 * configuration asks for it: a probe, one RetransTimer, and an NA or
 * another probe for the address meanwhile (the link layer's conflict
 * hook) refuses it with 134. Accepting applies the update to the node
 * (the node layer publishes, announces with unsolicited NAs and arms the
 * lifetime); a full binding table refuses it with 130 and nothing
 * changes. The Binding Acknowledgement, with the node's MN-HA option and
 * the replay option mirrored, goes from the home agent to the BU's source
 * with a type 2 routing header carrying the home address (RFC 6275 6.4,
 * 9.5.4), at once or, when the node layer holds it for a secondary's
 * answer ([0026]), once the node is ready. Binding Errors answer packets
 * with a Home Address option and no binding (status 1) and unknown MH
 * types (status 2).
 */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_timer.h>

#include "event.h"
#include "haven_mip6.h"
#include "haven_nd.h"
#include "link.h"
#include "loop.h"
#include "node.h"
#include "reg.h"
#include "rt.h"

/* Type 2 routing header (RFC 6275 6.4): 8 bytes, then the home address. */
#define RH2_LEN 24
/* Largest Binding Acknowledgement we build: fixed part and options. */
#define BA_MAX 128
#define DAD_WAIT_MS 1000		/**< RetransTimer after the probe */
#define BE_PER_S 10			/**< Binding Errors sent per second */

/* What a reply to a Binding Update needs (from the update or a pending one). */
struct bu_reply {
	uint8_t src[16];		/* the BU's destination: us */
	uint8_t reply_to[16];		/* the BU's source */
	uint8_t hoa[16];
	uint8_t coa[16];
	uint16_t seq;
	uint16_t bu_flags;
	bool has_ts;
	uint64_t ts;
};

/* A node's registration state beyond the node layer's (its extension). */
struct reg6_ext {
	bool dad_active;		/* an update waits for DAD */
	struct bu_reply dad_update;	/* ... this one */
	uint32_t dad_lifetime_s;	/* the lifetime it will get */
	struct rte_timer dad;		/* end of duplicate address detection */
	bool ba_pending;		/* a BA held for a secondary's answer */
	struct bu_reply ba;		/* ... for this update */
	uint32_t ba_lifetime_s;
};

static int ext_off = -1;		/* writer: haven_reg6_init() */
static struct haven_reg6_stats stats;	/* writer: this file */
static uint64_t be_window;		/* second of the BE rate limit */
static unsigned int be_in_window;	/* BEs sent in it */

const struct haven_reg6_stats *
haven_reg6_stats(void)
{
	return &stats;
}

static struct reg6_ext *
ext_of(struct haven_node *n)
{
	return haven_node_ext(n, ext_off);
}

bool
haven_reg6_dad_running(struct haven_node *n)
{
	return ext_off >= 0 && n->hoa.family == HAVEN_AF_INET6 &&
		ext_of(n)->dad_active;
}

static const char *
ip6_str(const uint8_t a[16], char *buf)
{
	struct haven_addr x = haven_addr6(a);

	return haven_addr_str(&x, buf);
}

/* ---------------------------------------------------------------------
 * Sending: IPv6 header, routing header type 2, Mobility Header
 */

static void
ip6_header(uint8_t *buf, const uint8_t src[16], const uint8_t dst[16],
		uint8_t proto, uint16_t payload_len)
{
	struct haven_ip6_hdr *ip = (struct haven_ip6_hdr *)buf;

	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(payload_len);
	ip->proto = proto;
	ip->hop_limit = HAVEN_IP6IP6_HOP_LIMIT;
	memcpy(ip->src, src, 16);
	memcpy(ip->dst, dst, 16);
}

/* RFC 6275 6.4: Next Header, Hdr Ext Len 2, type 2, Segments Left 1. */
static void
rh2_header(uint8_t *buf, uint8_t next, const uint8_t hoa[16])
{
	buf[0] = next;
	buf[1] = 2;
	buf[2] = HAVEN_MIP6_RH2_TYPE;
	buf[3] = 1;
	memset(buf + 4, 0, 4);
	memcpy(buf + 8, hoa, 16);
}

/*
 * A Binding Acknowledgement to r: from the BU's destination to its source,
 * through a type 2 routing header with the home address when the source
 * is not the home address (RFC 6275 9.5.4).
 */
static void
send_ba(const struct bu_reply *r, uint8_t status, uint16_t seq,
		uint16_t lifetime_units, uint16_t refresh_units,
		const struct haven_mip6_key *key)
{
	uint8_t pkt[HAVEN_IP6_HDR_LEN + RH2_LEN + BA_MAX];
	struct haven_mip6_opts_out opts;
	struct haven_mip6_addrs a;
	bool rh2 = memcmp(r->reply_to, r->hoa, 16) != 0;
	size_t off = HAVEN_IP6_HDR_LEN + (rh2 ? RH2_LEN : 0);
	int len;

	memset(&opts, 0, sizeof(opts));
	if (r->has_ts) {
		opts.replay = true;
		opts.timestamp = status == HAVEN_MIP6_BA_ID_MISMATCH ?
			haven_mip6_ts_for_mismatch(r->ts,
				haven_mip6_ntp_now()) : r->ts;
	}
	if (refresh_units != 0) {
		opts.bra = true;
		opts.refresh = refresh_units;
	}
	memcpy(a.ph_src, r->src, 16);
	memcpy(a.ph_dst, r->hoa, 16);	/* the final destination */
	memcpy(a.coa, r->coa, 16);
	memcpy(a.hoa, r->hoa, 16);
	len = haven_mip6_build_ba(status, 0, seq, lifetime_units, &opts, key,
			&a, pkt + off, sizeof(pkt) - off);
	if (len < 0) {
		HAVEN_LOG(ERR, "cannot build a Binding Acknowledgement: %s\n",
			strerror(-len));
		return;
	}
	if (rh2) {
		rh2_header(pkt + HAVEN_IP6_HDR_LEN, HAVEN_IPPROTO_MH, r->hoa);
		ip6_header(pkt, r->src, r->reply_to, HAVEN_IPPROTO_ROUTING,
			RH2_LEN + len);
	} else {
		ip6_header(pkt, r->src, r->reply_to, HAVEN_IPPROTO_MH, len);
	}
	stats.ba_sent[status]++;
	haven_link_send_ip6(pkt, off + len);
}

/* RFC 6275 9.3.3: straight to the source of the offending packet. */
static void
send_be(const struct haven_mip6_pkt *pkt, uint8_t status)
{
	static const uint8_t unspecified[16];
	uint8_t buf[HAVEN_IP6_HDR_LEN + HAVEN_MIP6_BE_LEN];
	uint64_t sec = haven_now_ms() / 1000;
	int len;

	/* RFC 6275 9.3.3: rate limited. */
	if (sec != be_window) {
		be_window = sec;
		be_in_window = 0;
	}
	if (be_in_window >= BE_PER_S ||
	    !haven_mip6_addr_unicast_routable(pkt->src))
		return;
	be_in_window++;
	len = haven_mip6_build_be(status,
			pkt->has_hao ? pkt->hoa : unspecified, pkt->dst,
			pkt->src, buf + HAVEN_IP6_HDR_LEN,
			sizeof(buf) - HAVEN_IP6_HDR_LEN);
	if (len < 0)
		return;
	ip6_header(buf, pkt->dst, pkt->src, HAVEN_IPPROTO_MH, len);
	stats.be_sent++;
	haven_link_send_ip6(buf, HAVEN_IP6_HDR_LEN + len);
}

/* RFC 6275 9.2: ICMPv6 Parameter Problem, code 0, at the bad field. */
static void
send_param_problem(const struct haven_mip6_pkt *pkt, uint32_t pointer,
		const uint8_t *invoking, size_t len)
{
	uint8_t buf[HAVEN_IP6_MIN_MTU];
	int n;

	n = haven_icmp6_build_error(buf, sizeof(buf), pkt->dst,
			HAVEN_ICMP6_PARAM_PROB, 0, pointer, invoking, len);
	if (n < 0)
		return;
	stats.param_problem_sent++;
	haven_link_send_ip6(buf, n);
}

/* ---------------------------------------------------------------------
 * Decisions
 */

static void
deny(const struct bu_reply *r, uint8_t status, uint16_t seq,
		const struct haven_mip6_key *key)
{
	struct haven_addr hoa = haven_addr6(r->hoa);
	char h[HAVEN_ADDR_STRLEN], c[HAVEN_ADDR_STRLEN];

	stats.denied++;
	haven_event(HAVEN_EV_REGISTRATION, &hoa, status,
		"registration of %s from %s denied: status %u",
		ip6_str(r->hoa, h), ip6_str(r->reply_to, c), status);
	send_ba(r, status, seq, 0, 0, key);
}

/* Lifetime to grant, seconds: the agent's and the node's maximum. */
static uint32_t
grant_lifetime(const struct haven_node *n, uint16_t units)
{
	uint32_t asked = (uint32_t)units * HAVEN_MIP6_LIFETIME_UNIT_S;
	uint32_t max = haven_rt.cfg.max_lifetime6;

	if (n->max_lifetime != 0 && n->max_lifetime < max)
		max = n->max_lifetime;
	if (asked > max)
		asked = max - max % HAVEN_MIP6_LIFETIME_UNIT_S;
	return asked;
}

/* Binding Refresh Advice, 4 s units, below the lifetime (RFC 6275 6.2.4). */
static uint16_t
refresh_units(uint32_t lifetime_s)
{
	uint32_t r = haven_rt.cfg.refresh_advice_s;

	if (r == 0 || r >= lifetime_s)
		return 0;
	return r / HAVEN_MIP6_LIFETIME_UNIT_S;
}

/* The acknowledgement of an accepted update, if it asked for one. */
static void
acknowledge(struct haven_node *n, const struct bu_reply *r,
		uint32_t lifetime_s)
{
	struct reg6_ext *x = ext_of(n);

	if (!(r->bu_flags & HAVEN_MIP6_BU_F_A))
		return;
	if (haven_node_bound(n) && haven_node_reply_held(n)) {
		/* Acknowledge once the secondary has answered ([0026]). */
		x->ba_pending = true;
		x->ba = *r;
		x->ba_lifetime_s = lifetime_s;
		return;
	}
	send_ba(r, HAVEN_MIP6_BA_ACCEPTED, r->seq,
		lifetime_s / HAVEN_MIP6_LIFETIME_UNIT_S,
		lifetime_s != 0 ? refresh_units(lifetime_s) : 0, n->key);
}

/* The registration is in force: the node layer publishes, announces, arms. */
static void
accept_binding(struct haven_node *n, const struct bu_reply *r,
		uint32_t lifetime_s)
{
	struct haven_node_bind_req b = {
		.coa = haven_addr6(r->coa),
		.lifetime_s = lifetime_s,
		.simultaneous = false,
		/*
		 * RFC 6275 10.4.5: a home agent accepts what the node tunnels
		 * back from its care-of address; there is no T flag to ask.
		 */
		.flags = HAVEN_BINDING_F_REVERSE_TUNNEL,
		/* 10.4.1: L, the link-local address is the node's too. */
		.link_local = (r->bu_flags & HAVEN_MIP6_BU_F_L) != 0,
	};
	bool was_bound = haven_node_bound(n);
	char h[HAVEN_ADDR_STRLEN], c[HAVEN_ADDR_STRLEN];

	if (haven_node_bind(n, &b) != 0) {
		/* The binding table is full: nothing was bound. */
		deny(r, HAVEN_MIP6_BA_INSUFFICIENT_RESOURCES, r->seq, n->key);
		return;
	}
	n->replay.last_seq = r->seq;
	n->replay.have_seq = true;
	if (r->has_ts)
		n->replay.last_ts = r->ts;
	haven_node_replay_changed(n);
	stats.accepted++;
	haven_event(HAVEN_EV_REGISTRATION, &n->hoa, HAVEN_MIP6_BA_ACCEPTED,
		"registered %s at %s for %us%s", ip6_str(r->hoa, h),
		ip6_str(r->coa, c), lifetime_s, was_bound ? "" : " (new)");
	acknowledge(n, r, lifetime_s);
}

/* RetransTimer passed without an answer to the probe: the address is free. */
static void
dad_done_cb(struct rte_timer *t, void *arg)
{
	struct haven_node *n = arg;
	struct reg6_ext *x = ext_of(n);

	(void)t;
	if (!x->dad_active)
		return;
	x->dad_active = false;
	accept_binding(n, &x->dad_update, x->dad_lifetime_s);
}

/* A node whose DAD, of its home or (L flag) link-local address, is a. */
struct dad_of {
	const struct haven_addr *a;
	struct haven_node *n;
};

static void
find_dad(struct haven_node *n, void *arg)
{
	struct dad_of *d = arg;
	struct reg6_ext *x;
	struct haven_addr ll;

	if (d->n != NULL || n->origin != HAVEN_NODE_CONFIGURED)
		return;
	x = ext_of(n);
	if (!x->dad_active || !(x->dad_update.bu_flags & HAVEN_MIP6_BU_F_L))
		return;
	ll = haven_node_link_local(n);
	if (haven_addr_eq(&ll, d->a))
		d->n = n;
}

/* The link layer heard another node claim addr: a DAD in progress fails. */
static void
dad_conflict(const struct haven_addr *addr, void *arg)
{
	struct haven_node *n = haven_node_find(addr);
	struct dad_of d = { .a = addr };
	struct reg6_ext *x;

	(void)arg;
	if (n == NULL && addr->family == HAVEN_AF_INET6 &&
	    addr->v6[0] == 0xfe && (addr->v6[1] & 0xc0) == 0x80) {
		haven_node_foreach(HAVEN_AF_INET6, find_dad, &d);
		n = d.n;
	}
	if (n == NULL || n->origin != HAVEN_NODE_CONFIGURED ||
	    n->hoa.family != HAVEN_AF_INET6)
		return;
	x = ext_of(n);
	if (!x->dad_active)
		return;
	rte_timer_stop(&x->dad);
	x->dad_active = false;
	stats.dad_failed++;
	/* The node's state is as before the update: nothing was bound. */
	deny(&x->dad_update, HAVEN_MIP6_BA_DAD_FAILED, x->dad_update.seq,
		n->key);
}

/* Duplicate address detection of a new home address (RFC 4862 5.4). */
static void
start_dad(struct haven_node *n, const struct bu_reply *r, uint32_t lifetime_s)
{
	struct reg6_ext *x = ext_of(n);
	bool running = x->dad_active;
	char h[HAVEN_ADDR_STRLEN];

	/* A retransmitted update while it runs replaces the pending one. */
	x->dad_active = true;
	x->dad_update = *r;
	x->dad_lifetime_s = lifetime_s;
	if (running)
		return;
	stats.dad_started++;
	HAVEN_LOG(DEBUG, "duplicate address detection of %s\n",
		haven_addr_str(&n->hoa, h));
	haven_link_dad_probe(&n->hoa);
	if (r->bu_flags & HAVEN_MIP6_BU_F_L) {
		/* 10.4.1: the link-local address is checked too. */
		struct haven_addr ll = haven_node_link_local(n);

		haven_link_dad_probe(&ll);
	}
	rte_timer_reset(&x->dad, rte_get_timer_hz() * DAD_WAIT_MS / 1000,
		SINGLE, rte_lcore_id(), dad_done_cb, n);
}

static void
deregister(struct haven_node *n, const struct bu_reply *r)
{
	struct reg6_ext *x = ext_of(n);
	char h[HAVEN_ADDR_STRLEN], c[HAVEN_ADDR_STRLEN];
	bool was_bound = haven_node_bound(n);

	if (x->dad_active) {
		rte_timer_stop(&x->dad);
		x->dad_active = false;
	}
	haven_node_unbind(n, NULL, HAVEN_NODE_R_DEREGISTERED);
	n->replay.last_seq = r->seq;
	n->replay.have_seq = true;
	if (r->has_ts)
		n->replay.last_ts = r->ts;
	haven_node_replay_changed(n);
	stats.accepted++;
	haven_event(HAVEN_EV_DEREGISTRATION, &n->hoa, HAVEN_MIP6_BA_ACCEPTED,
		"deregistered %s from %s%s", ip6_str(r->hoa, h),
		ip6_str(r->coa, c), was_bound ? "" : " (was not bound)");
	acknowledge(n, r, 0);
}

/* A parsed Binding Update from the packet pkt; buf is its Mobility Header. */
static void
binding_update(const struct haven_mip6_pkt *pkt, const uint8_t *buf,
		const struct haven_mip6_mh *mh)
{
	const struct haven_config *cfg = &haven_rt.cfg;
	struct haven_mip6_reg_state rs;
	struct haven_addr hoa, prefix;
	struct haven_node *n;
	struct reg6_ext *x;
	struct bu_reply r;
	uint64_t last_ts;
	uint16_t last_seq;
	int status;

	/*
	 * RFC 6275 9.5.1: the home address is in the Home Address option,
	 * or the source when the node sends from home without one.
	 */
	memset(&r, 0, sizeof(r));
	memcpy(r.src, pkt->dst, 16);
	memcpy(r.reply_to, pkt->src, 16);
	memcpy(r.hoa, pkt->has_hao ? pkt->hoa : pkt->src, 16);
	memcpy(r.coa, haven_mip6_bu_coa(mh, pkt), 16);
	r.seq = mh->seq;
	r.bu_flags = mh->flags;
	r.has_ts = mh->opts.has_replay;
	r.ts = mh->opts.timestamp;
	if (!haven_mip6_addr_unicast_routable(r.hoa) ||
	    !haven_mip6_addr_unicast_routable(r.coa)) {
		stats.mh_dropped++;
		return;
	}

	hoa = haven_addr6(r.hoa);
	prefix = haven_addr6(cfg->home_prefix6);
	memset(&rs, 0, sizeof(rs));
	rs.home_agent = cfg->has_ha_addr6;
	rs.home_subnet = cfg->home_prefix6_len != 0 &&
		haven_addr_in_prefix(&hoa, &prefix, cfg->home_prefix6_len);
	rs.admin_ok = true;
	rs.binding_home = true;
	n = haven_node_find(&hoa);
	if (n != NULL && n->origin != HAVEN_NODE_CONFIGURED)
		n = NULL;	/* held for a primary: not our node */
	if (n == NULL) {
		/* No security association: 132 or 133, unauthenticated. */
		status = haven_mip6_home_reg_status(mh, &rs);
		if (status < 0) {
			stats.mh_dropped++;
			return;
		}
		r.has_ts = false;
		deny(&r, status, mh->seq, NULL);
		return;
	}
	if (haven_mip6_auth_verify(n->key, r.coa, r.hoa, buf, mh) != 0) {
		/* RFC 4285: not authenticated, so not answered with the key. */
		r.has_ts = false;
		deny(&r, HAVEN_MIP6_BA_AUTH_FAIL, mh->seq, NULL);
		return;
	}
	if (!mh->opts.has_replay) {
		deny(&r, HAVEN_MIP6_BA_MESG_ID_REQD, mh->seq, n->key);
		return;
	}
	x = ext_of(n);
	last_ts = x->dad_active && x->dad_update.has_ts &&
		x->dad_update.ts > n->replay.last_ts ? x->dad_update.ts :
		n->replay.last_ts;
	if (haven_mip6_replay_check(r.ts, last_ts, haven_mip6_ntp_now(),
			cfg->replay_window) != 0) {
		deny(&r, HAVEN_MIP6_BA_ID_MISMATCH, mh->seq, n->key);
		return;
	}
	last_seq = x->dad_active ? x->dad_update.seq : n->replay.last_seq;
	rs.serves_node = true;
	rs.have_binding = haven_node_bound(n) || x->dad_active;
	rs.last_seq = last_seq;
	status = haven_mip6_home_reg_status(mh, &rs);
	if (status < 0) {
		stats.mh_dropped++;	/* H clear: not offered */
		return;
	}
	if (status != HAVEN_MIP6_BA_ACCEPTED) {
		deny(&r, status, status == HAVEN_MIP6_BA_SEQ_OUT_OF_WINDOW ?
			last_seq : mh->seq, n->key);
		return;
	}

	if (haven_mip6_bu_is_dereg(mh, r.coa, r.hoa)) {
		/*
		 * RFC 6275 10.3.2: no home registration to end: reject with
		 * 133, and the sequence number is not recorded.
		 */
		if (!haven_node_bound(n) && !x->dad_active) {
			deny(&r, HAVEN_MIP6_BA_NOT_HA_FOR_MN, mh->seq, n->key);
			return;
		}
		deregister(n, &r);
		return;
	}
	if (!haven_node_bound(n) && cfg->dad) {
		start_dad(n, &r, grant_lifetime(n, mh->lifetime));
		return;
	}
	accept_binding(n, &r, grant_lifetime(n, mh->lifetime));
}

/* ---------------------------------------------------------------------
 * Input and node news
 */

/* An IPv6 packet to the agent (not ND, not waiting for a next hop). */
static void
reg6_input(struct rte_mbuf *m)
{
	struct haven_mip6_pkt pkt;
	struct haven_mip6_mh mh;
	struct haven_addr dst, hoa;
	struct haven_node *n;
	const uint8_t *ip;
	char why[128];
	size_t len;
	int rc;

	/* The standby of a pair: the active answers. */
	if (!haven_rt.serving || rte_pktmbuf_linearize(m) != 0 ||
	    rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) +
			HAVEN_IP6_HDR_LEN)
		goto out;
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
			sizeof(struct rte_ether_hdr));
	len = rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr);
	if (haven_mip6_walk(ip, len, &pkt, why, sizeof(why)) != 0)
		goto out;
	dst = haven_addr6(pkt.dst);
	if (!haven_rt_is_own_addr(&dst))
		goto out;
	if (pkt.upper_proto != HAVEN_IPPROTO_MH) {
		/*
	 * RFC 6275 9.3.1: a Home Address option needs a binding whose
	 * care-of address is the packet's source.
	 */
		if (pkt.has_hao) {
			struct haven_addr src = haven_addr6(pkt.src);

			hoa = haven_addr6(pkt.hoa);
			n = haven_node_find(&hoa);
			if (n == NULL || !haven_node_bound(n) ||
			    haven_node_coa_index(n, &src) < 0)
				send_be(&pkt, HAVEN_MIP6_BE_UNKNOWN_BINDING);
		}
		goto out;
	}
	stats.mh_received++;
	rc = haven_mip6_mh_parse(ip + pkt.upper_off, pkt.upper_len,
			pkt.ph_src, pkt.ph_dst, &mh, why, sizeof(why));
	if (rc == -ENOTSUP) {
		send_be(&pkt, HAVEN_MIP6_BE_UNKNOWN_MH_TYPE);
		goto out;
	}
	if (rc == -EPROTO) {
		stats.mh_dropped++;
		send_param_problem(&pkt, pkt.upper_off + mh.icmp_pointer,
			ip, len);
		goto out;
	}
	if (rc != 0) {
		stats.mh_dropped++;
		HAVEN_LOG(DEBUG, "Mobility Header discarded: %s\n", why);
		goto out;
	}
	if (mh.type == HAVEN_MIP6_MH_BU)
		binding_update(&pkt, ip + pkt.upper_off, &mh);
	else
		stats.mh_dropped++;	/* BA, BE, BRR: not for a home agent */
out:
	rte_pktmbuf_free(m);
}

static void
node_hook(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason, void *arg)
{
	struct reg6_ext *x;
	uint32_t lt;

	(void)arg;
	if (n->hoa.family != HAVEN_AF_INET6 ||
	    n->origin != HAVEN_NODE_CONFIGURED)
		return;
	x = ext_of(n);
	if (what == HAVEN_NODE_REPLY_READY && x->ba_pending) {
		x->ba_pending = false;
		lt = x->ba_lifetime_s;
		send_ba(&x->ba, HAVEN_MIP6_BA_ACCEPTED, x->ba.seq,
			lt / HAVEN_MIP6_LIFETIME_UNIT_S, refresh_units(lt),
			n->key);
	} else if ((what == HAVEN_NODE_DELETED || (what ==
			HAVEN_NODE_RELEASED && reason ==
			HAVEN_NODE_R_HANDOVER)) && x->dad_active) {
		rte_timer_stop(&x->dad);
		x->dad_active = false;
	}
	if (what == HAVEN_NODE_RELEASED && reason == HAVEN_NODE_R_HANDOVER)
		x->ba_pending = false;	/* the other primary answers now */
}

static void
ext_init(struct haven_node *n, void *ext)
{
	struct reg6_ext *x = ext;

	(void)n;
	rte_timer_init(&x->dad);
}

static void
ext_fini(struct haven_node *n, void *ext)
{
	struct reg6_ext *x = ext;

	(void)n;
	rte_timer_stop_sync(&x->dad);
}

int
haven_reg6_init(void)
{
	int rc;

	memset(&stats, 0, sizeof(stats));
	if (!haven_rt_has_ip6())
		return 0;
	ext_off = haven_node_ext_register("reg6", sizeof(struct reg6_ext),
			ext_init, ext_fini);
	if (ext_off < 0)
		return ext_off;
	rc = haven_node_hook_add(node_hook, NULL);
	if (rc == 0)
		rc = haven_link_conflict_hook_add(dad_conflict, NULL);
	if (rc == 0)
		rc = haven_loop_on_punt(HAVEN_PUNT_K_IP6, reg6_input);
	return rc;
}
