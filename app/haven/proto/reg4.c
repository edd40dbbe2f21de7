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
 */

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
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

/* A reply held until the node is ready (the node's extension). */
struct reg4_ext {
	bool pending;
	uint32_t dst_ip;
	uint16_t dst_port;
	struct haven_mip4_rrp rrp;
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

/* A reply, with the request's NAI when it had one (RFC 2794). */
static void
send_reply(uint32_t dst_ip, uint16_t dst_port, const struct haven_mip4_rrp *rrp,
		const struct haven_mip4_key *key, const struct haven_mip4_rrq *rrq)
{
	uint8_t buf[HAVEN_MIP4_RRP_LEN + 2 + 255 + 6 + HAVEN_MIP4_MAX_AUTH];
	int len;

	stats.replies[rrp->code]++;
	if (rrq != NULL && rrq->mn_nai != NULL)
		len = haven_mip4_build_rrp_nai(rrp, rrq->mn_nai,
			rrq->mn_nai_len, key, buf, sizeof(buf));
	else if (key != NULL)
		len = haven_mip4_build_rrp_key(rrp, key, buf, sizeof(buf));
	else
		len = haven_mip4_build_rrp(rrp, NULL, buf, sizeof(buf));
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
	send_reply(req->src_ip, req->src_port, &rrp, key, &req->rrq);
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
	send_reply(x->dst_ip, x->dst_port, &x->rrp, n->key, NULL);
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

/*
 * Apply an authenticated, fresh request to the node.
 * Returns the reply code; the node changes only when it accepts.
 */
static uint8_t
apply(struct haven_node *n, const struct reg_request *req, uint16_t *granted)
{
	const struct haven_mip4_rrq *rrq = &req->rrq;
	struct haven_node_bind_req b = {
		.coa = haven_addr4(rrq->coa),
		.simultaneous = (rrq->flags & HAVEN_MIP4_F_S) != 0,
		.encap = encap_of(rrq->flags),
		.flags = (rrq->flags & HAVEN_MIP4_F_T) ?
			HAVEN_BINDING_F_REVERSE_TUNNEL : 0,
	};
	int rc;

	*granted = 0;
	if (rrq->lifetime == 0 || rrq->coa == rrq->home_addr)
		return deregister(n, req);
	if (b.simultaneous && haven_node_coa_index(n, &b.coa) < 0 &&
	    n->n_coa >= haven_rt.cfg.max_simultaneous)
		return HAVEN_MIP4_DENIED_TOO_MANY_BINDINGS;
	b.lifetime_s = grant_lifetime(n, rrq->lifetime);
	rc = haven_node_bind(n, &b);
	if (rc != 0)
		return HAVEN_MIP4_DENIED_RESOURCES;	/* nothing changed */
	n->replay.last_ident = rrq->ident;
	haven_node_replay_changed(n);
	*granted = b.lifetime_s;
	haven_event(HAVEN_EV_REGISTRATION, &n->hoa, HAVEN_MIP4_ACCEPTED,
		"registered " HAVEN_IP4_FMT " at " HAVEN_IP4_FMT
		" for %us (%s%s, %u care-of addresses)",
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
	struct haven_mip4_rrp rrp;
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
	if (code == HAVEN_MIP4_ACCEPTED)
		code = apply(n, req, &rrp.lifetime);
	if (code != HAVEN_MIP4_ACCEPTED) {
		deny(req, code, n->key);
		return;
	}
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
		return;
	}
	send_reply(req->src_ip, req->src_port, &rrp, n->key, rrq);
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

static void
process(struct reg_request *req, const uint8_t *msg, size_t len)
{
	struct haven_mip4_rrq *rrq = &req->rrq;
	struct haven_node *n;
	struct haven_addr hoa;
	char why[128];
	int rc;

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
