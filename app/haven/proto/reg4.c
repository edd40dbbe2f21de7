/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mobile IPv4 registration on the control lcore (RFC 5944 section 3.8).
 *
 * A Registration Request is validated in the RFC's order: well formed, a
 * known mobile node, MN-HA authentication, Identification (timestamp
 * replay protection), home agent address, requested services. A request
 * that fails any check changes no state. An accepted request is applied
 * to the node (its care-of addresses: all of them, or one more with the S
 * flag); the node layer publishes the binding, announces it when the node
 * was at home and arms the lifetime. A binding table that is full refuses
 * the request with 130 (insufficient resources) and nothing changes. The
 * reply goes back to the request's source address and port, at once or,
 * when the node layer holds it for a secondary's answer ([0026]), once the
 * node is ready.
 *
 * A request that no configured node answers for (an unlisted home
 * address, or home address 0.0.0.0 with a Mobile Node NAI, RFC 2794) goes
 * to the AAA module when there is one (aaa.h): it comes back at once with
 * a node whose key is cached, or later, through resume(), once RADIUS has
 * answered, and then takes the same checks as any other. Configured nodes
 * never wait for it. A request with a NAI gets it back in its reply.
 *
 * Mobile nodes behind a NAT (RFC 3519): a request with a UDP Tunnel
 * Request extension that came from another address than its care-of
 * address (a NAT rewrote it), or that sets the F flag, is bound with UDP
 * tunnelling to the address and port it came from, as
 * haven_mip4_udp_decide() and home_agent.udp_tunnel say, and its reply
 * carries the UDP Tunnel Reply extension with the keepalive interval.
 * Every re-registration brings the NAT's current address and port: the
 * binding follows them, and only authenticated registrations move it.
 * MIP Tunnel Data messages (type 4) share port 434: the workers
 * decapsulate the data themselves and punt only keepalives (an ICMP echo
 * request to the agent inside the tunnel), which are answered here
 * through the tunnel when they come from the binding's NAT address and
 * port, and dropped otherwise. A binding whose keepalives stop is not
 * removed for it: it ends with its lifetime, as any other.
 */

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "aaa.h"
#include "event.h"
#include "haven_mip4.h"
#include "link.h"
#include "loop.h"
#include "names.h"
#include "node.h"
#include "reg.h"
#include "rt.h"

/* What the request asked for, once parsed. */
struct reg_request {
	struct haven_mip4_rrq rrq;
	uint32_t src_ip;		/* reply goes here */
	uint16_t src_port;
	struct rte_ether_addr src_mac;	/* the sender on the link it came from */
	bool from_home_link;		/* the node itself, at home */
};

/* A request parked while AAA asks RADIUS: what resume() needs. */
struct reg_parked {
	uint32_t src_ip;
	uint16_t src_port;
	uint16_t len;			/* of msg */
	struct rte_ether_addr src_mac;
	bool from_home_link;
	uint8_t msg[HAVEN_MIP4_MAX_MSG];
};
static_assert(sizeof(struct reg_parked) <= HAVEN_AAA_CTX_MAX,
	"a parked registration must fit the AAA module's context");

/* Per node (the node's extension). Writer: this file. */
struct reg4_ext {
	/* A reply held until the node is ready. */
	bool pending;
	uint32_t dst_ip;
	uint16_t dst_port;
	struct haven_mip4_rrp rrp;
	struct haven_mip4_udp_rep udp;	/* its UDP Tunnel Reply, if any */
	/* RFC 3519 keepalives answered for the node's binding. */
	uint64_t keepalives;
	uint64_t last_keepalive_ms;	/* haven_now_ms(); 0: none yet */
};

static int ext_off = -1;		/* writer: haven_reg4_init() */
static struct haven_reg4_stats stats;	/* writer: this file */

const struct haven_reg4_stats *
haven_reg4_stats(void)
{
	return &stats;
}

static struct reg4_ext *
ext_of(struct haven_node *n)
{
	return haven_node_ext(n, ext_off);
}

/* ---------------------------------------------------------------------
 * Replies
 */

/*
 * A reply, with the request's NAI when it had one (RFC 2794) and a UDP
 * Tunnel Reply when udp says so (RFC 3519).
 */
static void
send_reply(uint32_t dst_ip, uint16_t dst_port, const struct haven_mip4_rrp *rrp,
		const struct haven_mip4_key *key, const struct haven_mip4_rrq *rrq,
		const struct haven_mip4_udp_rep *udp)
{
	uint8_t buf[HAVEN_MIP4_RRP_LEN + 2 + 255 + 8 + 6 + HAVEN_MIP4_MAX_AUTH];
	struct haven_mip4_rrp_ext ext;
	int len;

	stats.replies[rrp->code]++;
	memset(&ext, 0, sizeof(ext));
	if (rrq != NULL && rrq->mn_nai != NULL) {
		ext.nai = rrq->mn_nai;
		ext.nai_len = rrq->mn_nai_len;
	}
	if (udp != NULL)
		ext.udp = *udp;
	len = haven_mip4_build_rrp_ext(rrp, &ext, key, buf, sizeof(buf));
	if (len < 0)
		return;
	haven_link_send_udp4(haven_rt.cfg.ha_addr, dst_ip, HAVEN_MIP4_UDP_PORT,
		dst_port, buf, len);
}

static void
deny(const struct reg_request *req, uint8_t code,
		const struct haven_mip4_key *key)
{
	struct haven_mip4_rrp rrp = {
		.code = code,
		.lifetime = 0,
		.home_addr = req->rrq.home_addr,
		.ha_addr = haven_rt.cfg.ha_addr,
		.ident = req->rrq.ident,
	};
	struct haven_addr hoa = haven_addr4(req->rrq.home_addr);

	if (code == HAVEN_MIP4_DENIED_IDENT_MISMATCH)
		rrp.ident = haven_mip4_ident_for_mismatch(req->rrq.ident,
				haven_mip4_ntp_now());
	haven_event(HAVEN_EV_REGISTRATION, &hoa, code,
		"registration of " HAVEN_IP4_FMT " from " HAVEN_IP4_FMT
		" denied: code %u", HAVEN_IP4_ARGS(req->rrq.home_addr),
		HAVEN_IP4_ARGS(req->src_ip), code);
	send_reply(req->src_ip, req->src_port, &rrp, key, &req->rrq, NULL);
}

/* The node layer lets a held reply go. */
static void
node_hook(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason, void *arg)
{
	struct reg4_ext *x;

	(void)arg;
	if (n->hoa.family != HAVEN_AF_INET || !haven_node_is_home(n))
		return;
	x = ext_of(n);
	if (what == HAVEN_NODE_RELEASED && reason == HAVEN_NODE_R_HANDOVER) {
		x->pending = false;	/* the other primary answers now */
		return;
	}
	if (what != HAVEN_NODE_REPLY_READY)
		return;
	if (!x->pending)
		return;
	x->pending = false;
	send_reply(x->dst_ip, x->dst_port, &x->rrp, n->key, NULL, &x->udp);
}

/* ---------------------------------------------------------------------
 * Decisions
 */

/* Services the request asks for that this agent does not give: a code. */
static uint8_t
check_services(uint8_t flags)
{
	const struct haven_config *cfg = &haven_rt.cfg;

	if ((flags & HAVEN_MIP4_F_M) &&
	    !(cfg->encapsulations & HAVEN_ENCAP_BIT_MINIMAL))
		return HAVEN_MIP4_DENIED_ENCAP_UNAVAILABLE;
	if ((flags & HAVEN_MIP4_F_G) &&
	    !(cfg->encapsulations & HAVEN_ENCAP_BIT_GRE))
		return HAVEN_MIP4_DENIED_ENCAP_UNAVAILABLE;
	if ((flags & HAVEN_MIP4_F_T) && !cfg->reverse_tunnel)
		return HAVEN_MIP4_DENIED_REVTUN_UNAVAILABLE;
	return HAVEN_MIP4_ACCEPTED;
}

static uint8_t
encap_of(uint8_t flags)
{
	if (flags & HAVEN_MIP4_F_G)
		return HAVEN_ENCAP_GRE;
	if (flags & HAVEN_MIP4_F_M)
		return HAVEN_ENCAP_MINIMAL;
	return HAVEN_ENCAP_IPIP;
}

static uint16_t
grant_lifetime(const struct haven_node *n, uint16_t asked)
{
	uint32_t max = haven_rt.cfg.max_lifetime;

	if (n->max_lifetime != 0 && n->max_lifetime < max)
		max = n->max_lifetime;
	return asked > max ? max : asked;
}

/* RFC 5944 3.6.1.2: one care-of address, or all of them. */
static uint8_t
deregister(struct haven_node *n, const struct reg_request *req)
{
	const struct haven_mip4_rrq *rrq = &req->rrq;
	struct haven_addr coa = haven_addr4(rrq->coa);
	bool was_away = haven_node_bound(n);

	n->replay.last_ident = rrq->ident;
	haven_node_replay_changed(n);
	if (rrq->coa == rrq->home_addr || !(rrq->flags & HAVEN_MIP4_F_S))
		haven_node_unbind(n, NULL, HAVEN_NODE_R_DEREGISTERED);
	else
		haven_node_unbind(n, &coa, HAVEN_NODE_R_DEREGISTERED);
	if (was_away && !haven_node_bound(n) && req->from_home_link &&
	    req->src_ip == rrq->home_addr) {
		/* Hand the address back (RFC 5944 4.6). */
		haven_link_announce_mac(&n->hoa, &req->src_mac);
		haven_link_announce_mac(&n->hoa, &req->src_mac);
	}
	haven_event(HAVEN_EV_DEREGISTRATION, &n->hoa, HAVEN_MIP4_ACCEPTED,
		"deregistered " HAVEN_IP4_FMT " from " HAVEN_IP4_FMT
		" (%u care-of addresses left)", HAVEN_IP4_ARGS(rrq->home_addr),
		HAVEN_IP4_ARGS(rrq->coa), n->n_coa);
	return HAVEN_MIP4_ACCEPTED;
}

/* The policy of home_agent.udp_tunnel, for haven_mip4_udp_decide(). */
static void
udp_policy(struct haven_mip4_udp_policy *pol)
{
	const struct haven_config_udp_tunnel *u = &haven_rt.cfg.udp_tunnel;

	pol->enabled = u->enabled;
	pol->force_allowed = u->force_allowed;
	pol->keepalive_s = u->keepalive_s;
}

/*
 * A simultaneous binding has one kind of tunnel: a care-of address that
 * would need the other kind cannot join it (UDP: 142, IP in IP: 139).
 */
static uint8_t
check_tunnel_kind(const struct haven_node *n,
		const struct haven_node_bind_req *b)
{
	int i = haven_node_coa_index(n, &b->coa);
	unsigned int others = n->n_coa - (i >= 0 ? 1 : 0);
	bool udp = b->encap == HAVEN_ENCAP_UDP;

	if (!b->simultaneous || others == 0 ||
	    (n->encap == HAVEN_ENCAP_UDP) == udp)
		return HAVEN_MIP4_ACCEPTED;
	return udp ? HAVEN_MIP4_DENIED_UDP_UNAVAILABLE :
		HAVEN_MIP4_DENIED_ENCAP_UNAVAILABLE;
}

/*
 * Apply an authenticated, fresh request to the node, tunnelled in UDP to
 * the request's source when use_udp (RFC 3519).
 * Returns the reply code; the node changes only when it accepts.
 */
static uint8_t
apply(struct haven_node *n, const struct reg_request *req, bool use_udp,
		uint16_t *granted)
{
	const struct haven_mip4_rrq *rrq = &req->rrq;
	struct haven_node_bind_req b = {
		.coa = haven_addr4(rrq->coa),
		.simultaneous = (rrq->flags & HAVEN_MIP4_F_S) != 0,
		.encap = use_udp ? HAVEN_ENCAP_UDP : encap_of(rrq->flags),
		.flags = (rrq->flags & HAVEN_MIP4_F_T) ?
			HAVEN_BINDING_F_REVERSE_TUNNEL : 0,
		.nat_addr = haven_addr4(req->src_ip),
		.nat_port = use_udp ? req->src_port : 0,
	};
	uint8_t code;
	int rc;

	*granted = 0;
	if (rrq->lifetime == 0 || rrq->coa == rrq->home_addr)
		return deregister(n, req);
	if (b.simultaneous && haven_node_coa_index(n, &b.coa) < 0 &&
	    n->n_coa >= haven_rt.cfg.max_simultaneous)
		return HAVEN_MIP4_DENIED_TOO_MANY_BINDINGS;
	code = check_tunnel_kind(n, &b);
	if (code != HAVEN_MIP4_ACCEPTED)
		return code;
	b.lifetime_s = grant_lifetime(n, rrq->lifetime);
	rc = haven_node_bind(n, &b);
	if (rc != 0)
		return HAVEN_MIP4_DENIED_RESOURCES;	/* nothing changed */
	n->replay.last_ident = rrq->ident;
	haven_node_replay_changed(n);
	*granted = b.lifetime_s;
	if (use_udp)
		haven_event(HAVEN_EV_REGISTRATION, &n->hoa,
			HAVEN_MIP4_ACCEPTED, "registered " HAVEN_IP4_FMT " at "
			HAVEN_IP4_FMT " behind " HAVEN_IP4_FMT ":%u for %us "
			"(udp%s, %u care-of addresses)",
			HAVEN_IP4_ARGS(rrq->home_addr), HAVEN_IP4_ARGS(rrq->coa),
			HAVEN_IP4_ARGS(req->src_ip), req->src_port, *granted,
			(n->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ?
				", reverse tunnel" : "", n->n_coa);
	else
		haven_event(HAVEN_EV_REGISTRATION, &n->hoa,
			HAVEN_MIP4_ACCEPTED, "registered " HAVEN_IP4_FMT " at "
			HAVEN_IP4_FMT " for %us (%s%s, %u care-of addresses)",
			HAVEN_IP4_ARGS(rrq->home_addr), HAVEN_IP4_ARGS(rrq->coa),
			*granted, haven_encap_name(n->encap),
			(n->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) ?
				", reverse tunnel" : "", n->n_coa);
	return HAVEN_MIP4_ACCEPTED;
}

/*
 * The checks from authentication on, for a request whose node is known:
 * configured, or provisioned by AAA (at once, or on resume()).
 */
static void
process_node(struct haven_node *n, struct reg_request *req, const uint8_t *msg)
{
	struct haven_mip4_rrq *rrq = &req->rrq;
	struct haven_mip4_udp_policy pol;
	struct haven_mip4_udp_rep udp;
	struct haven_mip4_rrp rrp;
	bool use_udp = false;
	char why[128];
	uint8_t code;

	/* The key is prepared once: no key setup per request. */
	if (haven_mip4_key_verify(n->key, msg, &rrq->mn_ha) != 0) {
		deny(req, HAVEN_MIP4_DENIED_MN_AUTH, NULL);
		return;
	}
	/* RFC 2794: a node that asked with 0.0.0.0 is told its address. */
	if (rrq->home_addr == 0)
		rrq->home_addr = n->hoa.v4;
	if (haven_mip4_replay_check(rrq->ident, n->replay.last_ident,
			haven_mip4_ntp_now(), haven_rt.cfg.replay_window) != 0) {
		deny(req, HAVEN_MIP4_DENIED_IDENT_MISMATCH, n->key);
		return;
	}
	if (rrq->ha_addr != haven_rt.cfg.ha_addr) {
		deny(req, HAVEN_MIP4_DENIED_UNKNOWN_HA, n->key);
		return;
	}
	code = check_services(rrq->flags);
	memset(&udp, 0, sizeof(udp));
	if (code == HAVEN_MIP4_ACCEPTED && rrq->lifetime != 0 &&
	    rrq->coa != rrq->home_addr) {
		/* RFC 3519: NAT detection and UDP tunnelling */
		udp_policy(&pol);
		code = haven_mip4_udp_decide(rrq, req->src_ip, &pol, &udp,
				&use_udp, why, sizeof(why));
		if (udp.present)
			HAVEN_LOG(DEBUG, "request of " HAVEN_IP4_FMT " from "
				HAVEN_IP4_FMT ":%u: %s\n",
				HAVEN_IP4_ARGS(rrq->home_addr),
				HAVEN_IP4_ARGS(req->src_ip), req->src_port,
				why);
	}
	if (code == HAVEN_MIP4_ACCEPTED)
		code = apply(n, req, use_udp, &rrp.lifetime);
	if (code != HAVEN_MIP4_ACCEPTED) {
		deny(req, code, n->key);
		return;
	}
	if (use_udp)
		stats.udp_tunnelled++;
	else if (udp.present)
		stats.udp_declined++;
	rrp.code = HAVEN_MIP4_ACCEPTED;
	rrp.home_addr = rrq->home_addr;
	rrp.ha_addr = haven_rt.cfg.ha_addr;
	rrp.ident = rrq->ident;
	if (haven_node_bound(n) && haven_node_reply_held(n)) {
		/* Reply once the secondary has answered ([0026]). */
		struct reg4_ext *x = ext_of(n);

		x->pending = true;
		x->dst_ip = req->src_ip;
		x->dst_port = req->src_port;
		x->rrp = rrp;
		x->udp = udp;
		return;
	}
	send_reply(req->src_ip, req->src_port, &rrp, n->key, rrq, &udp);
}

/*
 * No configured node for the request: ask the AAA module, if any. The
 * node, or NULL when the request was denied or waits for RADIUS.
 */
static struct haven_node *
unlisted(struct reg_request *req, const uint8_t *msg, size_t len)
{
	struct reg_parked park;
	struct haven_aaa_ask ask = {
		.home_addr = req->rrq.home_addr,
		.nai = req->rrq.mn_nai,
		.nai_len = req->rrq.mn_nai_len,
		.spi = req->rrq.mn_ha.spi,
		.ctx = &park,
		.ctx_len = offsetof(struct reg_parked, msg) + len,
	};
	struct haven_node *n = NULL;
	uint8_t code = HAVEN_MIP4_DENIED_MN_AUTH;

	if (haven_aaa_enabled()) {
		park.src_ip = req->src_ip;
		park.src_port = req->src_port;
		park.src_mac = req->src_mac;
		park.from_home_link = req->from_home_link;
		park.len = len;
		memcpy(park.msg, msg, len);
		switch (haven_aaa_resolve(&ask, &n, &code)) {
		case HAVEN_AAA_USE:
			return n;
		case HAVEN_AAA_PARKED:
			return NULL;
		case HAVEN_AAA_DENY:
			break;
		}
	}
	deny(req, code, NULL);
	return NULL;
}

/* RADIUS has answered for a parked request (aaa.h). */
static void
resume(struct haven_node *n, uint8_t code, const void *ctx, size_t ctx_len)
{
	const struct reg_parked *park = ctx;
	struct reg_request req;

	if (ctx_len < offsetof(struct reg_parked, msg) ||
	    ctx_len != offsetof(struct reg_parked, msg) + park->len)
		return;
	memset(&req, 0, sizeof(req));
	req.src_ip = park->src_ip;
	req.src_port = park->src_port;
	req.src_mac = park->src_mac;
	req.from_home_link = park->from_home_link;
	/* It parsed when it came: it parses the same now. */
	if (haven_mip4_parse_rrq(park->msg, park->len, &req.rrq, NULL, 0) != 0)
		return;
	if (n == NULL)
		deny(&req, code, NULL);
	else
		process_node(n, &req, park->msg);
}

/* ---------------------------------------------------------------------
 * RFC 3519: MIP Tunnel Data messages on port 434
 */

/* Largest keepalive answered (octets of the tunnelled packet). */
#define KEEPALIVE_MAX 576
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define LOCAL_TTL 64

/* True when src:sport is the NAT end of one of n's UDP tunnels. */
static bool
from_nat_end(const struct haven_node *n, uint32_t src, uint16_t sport)
{
	unsigned int i;

	if (n->encap != HAVEN_ENCAP_UDP)
		return false;
	for (i = 0; i < n->n_coa; i++)
		if (n->coa[i].nat_port == sport && n->coa[i].nat_addr.v4 == src)
			return true;
	return false;
}

/*
 * Answer a keepalive through the tunnel it came by: the echo reply, from
 * the agent to the home address, in a MIP Tunnel Data message from port
 * 434 to the NAT's address and port, so that the NAT sees traffic both
 * ways.
 */
static void
answer_keepalive(const struct reg_request *req, const uint8_t *ip,
		size_t len)
{
	uint8_t buf[HAVEN_MIP4_TUNNEL_HDR_LEN + KEEPALIVE_MAX];
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(buf +
		HAVEN_MIP4_TUNNEL_HDR_LEN);
	size_t hlen = (ip[0] & 0x0f) * 4u;
	struct rte_icmp_hdr *icmp;
	uint32_t a;

	haven_mip4_tunnel_build(buf, HAVEN_MIP4_UDP_NH_IPIP);
	memcpy(h, ip, len);
	a = h->src_addr;
	h->src_addr = h->dst_addr;
	h->dst_addr = a;
	h->time_to_live = LOCAL_TTL;
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
	icmp = (struct rte_icmp_hdr *)((uint8_t *)h + hlen);
	icmp->icmp_type = ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, len - hlen);
	haven_link_send_udp4(haven_rt.cfg.ha_addr, req->src_ip,
		HAVEN_MIP4_UDP_PORT, req->src_port, buf,
		HAVEN_MIP4_TUNNEL_HDR_LEN + len);
}

/*
 * A MIP Tunnel Data message the workers punted: a keepalive is answered
 * when it comes from the NAT end of the inner source's binding; anything
 * else (data is the workers' business, a packet from another address or
 * port than the binding's) is dropped, and changes nothing: only an
 * authenticated registration moves a binding (RFC 3519 6.1).
 */
static void
tunnel_input(const struct reg_request *req, const uint8_t *msg, size_t len)
{
	const uint8_t *ip = msg + HAVEN_MIP4_TUNNEL_HDR_LEN;
	struct haven_node *n;
	struct haven_addr hoa;
	size_t hlen, total;
	const char *why;
	uint8_t nh;
	uint32_t a;

	why = "malformed";
	if (haven_mip4_tunnel_parse(msg, len, &nh) < 0 ||
	    nh != HAVEN_MIP4_UDP_NH_IPIP)
		goto drop;
	len -= HAVEN_MIP4_TUNNEL_HDR_LEN;
	if (len < sizeof(struct rte_ipv4_hdr) || ip[0] >> 4 != 4)
		goto drop;
	hlen = (ip[0] & 0x0f) * 4u;
	total = (size_t)ip[2] << 8 | ip[3];
	if (hlen < sizeof(struct rte_ipv4_hdr) || total < hlen + 8 ||
	    total > len)
		goto drop;
	memcpy(&a, ip + 12, sizeof(a));
	hoa = haven_addr4(a);
	n = haven_node_find(&hoa);
	why = "not from the NAT end of a UDP binding";
	if (n == NULL || !haven_node_is_home(n) ||
	    !from_nat_end(n, req->src_ip, req->src_port))
		goto drop;
	memcpy(&a, ip + 16, sizeof(a));
	why = "not a keepalive";
	if (ip[9] != IPPROTO_ICMP || a != haven_rt.cfg.ha_addr ||
	    ip[hlen] != ICMP_ECHO_REQUEST || ip[hlen + 1] != 0 ||
	    (ip[6] & 0x3f) != 0 || ip[7] != 0 || total > KEEPALIVE_MAX)
		goto drop;
	ext_of(n)->keepalives++;
	ext_of(n)->last_keepalive_ms = haven_now_ms();
	stats.keepalives++;
	answer_keepalive(req, ip, total);
	return;
drop:
	stats.tunnel_dropped++;
	HAVEN_LOG_LIMITED(DEBUG, "tunnel data from " HAVEN_IP4_FMT ":%u "
		"dropped: %s\n", HAVEN_IP4_ARGS(req->src_ip), req->src_port,
		why);
}

uint64_t
haven_reg4_keepalives(struct haven_node *n, uint64_t *last_ms)
{
	struct reg4_ext *x;

	if (ext_off < 0 || n->hoa.family != HAVEN_AF_INET) {
		*last_ms = 0;
		return 0;
	}
	x = ext_of(n);
	*last_ms = x->last_keepalive_ms;
	return x->keepalives;
}

/* ---------------------------------------------------------------------
 * Requests
 */

static void
process(struct reg_request *req, const uint8_t *msg, size_t len)
{
	struct haven_mip4_rrq *rrq = &req->rrq;
	struct haven_node *n;
	struct haven_addr hoa;
	char why[128];
	int rc;

	/* RFC 3519 3.3: type 4 is tunnel data, not a registration */
	if (len > 0 && msg[0] == HAVEN_MIP4_TYPE_TUNNEL_DATA) {
		tunnel_input(req, msg, len);
		return;
	}
	rc = haven_mip4_parse_rrq(msg, len, rrq, why, sizeof(why));
	if (rc < 0) {
		stats.dropped++;
		HAVEN_LOG(DEBUG, "dropped datagram on port 434 from "
			HAVEN_IP4_FMT ": %s\n",
			HAVEN_IP4_ARGS(req->src_ip), why);
		return;
	}
	if (rc > 0) {
		/* Echo what the fixed part holds, when it is all there. */
		if (len >= HAVEN_MIP4_RRQ_LEN) {
			memcpy(&rrq->home_addr, msg + 4, sizeof(uint32_t));
			rrq->ident = rte_be_to_cpu_64(
				*(const unaligned_uint64_t *)(msg + 16));
		}
		rrq->mn_nai = NULL;	/* not trusted in a poorly formed one */
		HAVEN_LOG_LIMITED(INFO, "poorly formed request from " HAVEN_IP4_FMT
			": %s\n", HAVEN_IP4_ARGS(req->src_ip), why);
		deny(req, rc, NULL);
		return;
	}
	hoa = haven_addr4(rrq->home_addr);
	n = rrq->home_addr != 0 ? haven_node_find(&hoa) : NULL;
	/* Configured nodes never wait for AAA. */
	if (n == NULL || n->origin != HAVEN_NODE_CONFIGURED)
		n = unlisted(req, msg, len);
	if (n != NULL)
		process_node(n, req, msg);
}

/* A datagram arrived on UDP 434. */
static void
reg4_input(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	struct reg_request req;
	size_t l3, l4, len;

	stats.requests++;
	/* The standby of a pair: the active answers. */
	if (!haven_rt.serving || rte_pktmbuf_linearize(m) != 0)
		goto drop;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	l3 = sizeof(*eth);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3);
	l4 = l3 + rte_ipv4_hdr_len(ip);
	if (rte_pktmbuf_data_len(m) < l4 + sizeof(*udp))
		goto drop;
	udp = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, l4);
	len = rte_be_to_cpu_16(udp->dgram_len);
	if (len < sizeof(*udp) || l4 + len > rte_pktmbuf_data_len(m))
		goto drop;
	len -= sizeof(*udp);

	memset(&req, 0, sizeof(req));
	req.src_ip = ip->src_addr;
	req.src_port = rte_be_to_cpu_16(udp->src_port);
	rte_ether_addr_copy(&eth->src_addr, &req.src_mac);
	req.from_home_link = m->port ==
		haven_rt.fp.ports[haven_rt_home_port()].port_id;
	process(&req, (const uint8_t *)(udp + 1), len);
	rte_pktmbuf_free(m);
	return;
drop:
	stats.dropped++;
	rte_pktmbuf_free(m);
}

int
haven_reg4_init(void)
{
	int rc;

	memset(&stats, 0, sizeof(stats));
	if (!haven_rt.cfg.has_home_agent)
		return 0;
	ext_off = haven_node_ext_register("reg4", sizeof(struct reg4_ext),
			NULL, NULL);
	if (ext_off < 0)
		return ext_off;
	haven_aaa_on_resume(resume);
	rc = haven_node_hook_add(node_hook, NULL);
	if (rc == 0)
		rc = haven_loop_on_udp4(HAVEN_MIP4_UDP_PORT, reg4_input);
	return rc;
}
