/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mobile IP traversal of NAT devices (RFC 3519), the parts that are bytes
 * and rules: the UDP Tunnel Request and Reply extensions, the home
 * agent's decision to tunnel a binding in UDP, and the header of the MIP
 * Tunnel Data message that UDP-tunnelled packets carry on port 434.
 *
 * A mobile node behind a NAT cannot be reached with IP in IP: the NAT has
 * no port to map protocol 4 to. It asks for UDP tunnelling with the UDP
 * Tunnel Request extension; the home agent sees the NAT when the request
 * arrives from an address other than the care-of address, and answers
 * with the UDP Tunnel Reply extension (its decision and the keepalive
 * interval that keeps the NAT's mapping up). The packets then travel in
 * UDP between the home agent's port 434 and the port the NAT mapped, each
 * behind a 4-octet header whose first octet, the Mobile IP message type
 * 4, tells them apart from registrations (types 1 and 3) on the same
 * port. Nothing here allocates, logs or keeps state.
 */

#include <errno.h>
#include <string.h>

#include "haven_mip4.h"
#include "haven_wire.h"
#include "mip4_private.h"

/*
 * UDP Tunnel Request extension (RFC 3519 3.1), Length 6:
 *
 *   0: Type (144) | Length (6) | Sub-Type (0) | Reserved 1
 *   4: F R Reserved 2 | Encapsulation | Reserved 3 (16 bits)
 *
 * The reserved fields are sent as zero and ignored on reception.
 */
#define REQ_SUBTYPE	2	/* offsets from the Type octet */
#define REQ_FLAGS	4
#define REQ_ENCAP	5

/*
 * UDP Tunnel Reply extension (RFC 3519 3.2), Length 6:
 *
 *   0: Type (44) | Length (6) | Sub-Type (0) | Reply Code
 *   4: F, 15 reserved bits | Keepalive Interval
 */
#define REP_SUBTYPE	2
#define REP_CODE	3
#define REP_FLAGS	4
#define REP_KEEPALIVE	6

static bool
udp_encap_known(uint8_t encap)
{
	return encap == HAVEN_MIP4_UDP_NH_IPIP ||
		encap == HAVEN_MIP4_UDP_NH_GRE ||
		encap == HAVEN_MIP4_UDP_NH_MINIMAL;
}

/*
 * Either extension: once, Length 6, Sub-Type 0; 0 or -1 with a reason.
 * seen: one was found before.
 */
static int
check_udp_ext(const uint8_t *buf, size_t off, size_t body_len, bool seen,
		const char *name, char *err, size_t errlen)
{
	if (seen) {
		haven_set_reason(err, errlen,
			"second %s extension at offset %zu", name, off);
		return -1;
	}
	if (body_len != HAVEN_MIP4_UDP_EXT_LEN) {
		haven_set_reason(err, errlen,
			"%s extension at offset %zu: length %zu, not %d",
			name, off, body_len, HAVEN_MIP4_UDP_EXT_LEN);
		return -1;
	}
	if (buf[off + REQ_SUBTYPE] != 0) {
		haven_set_reason(err, errlen,
			"%s extension at offset %zu: unknown sub-type %u",
			name, off, buf[off + REQ_SUBTYPE]);
		return -1;
	}
	return 0;
}

int
mip4_udp_req_decode(const uint8_t *buf, size_t off, size_t body_len,
		struct haven_mip4_udp_req *req, char *err, size_t errlen)
{
	if (check_udp_ext(buf, off, body_len, req->present,
			"UDP Tunnel Request", err, errlen) != 0)
		return -1;
	if (!udp_encap_known(buf[off + REQ_ENCAP])) {
		haven_set_reason(err, errlen,
			"UDP Tunnel Request extension at offset %zu: encapsulation %u is not IP in IP (4), GRE (47) or minimal (55)",
			off, buf[off + REQ_ENCAP]);
		return -1;
	}
	req->present = true;
	req->force = (buf[off + REQ_FLAGS] & HAVEN_MIP4_UDP_REQ_F) != 0;
	req->via_fa = (buf[off + REQ_FLAGS] & HAVEN_MIP4_UDP_REQ_R) != 0;
	req->encap = buf[off + REQ_ENCAP];
	return 0;
}

int
mip4_udp_rep_decode(const uint8_t *buf, size_t off, size_t body_len,
		struct haven_mip4_udp_rep *rep, char *err, size_t errlen)
{
	if (check_udp_ext(buf, off, body_len, rep->present,
			"UDP Tunnel Reply", err, errlen) != 0)
		return -1;
	rep->present = true;
	rep->code = buf[off + REP_CODE];
	rep->forced = (haven_get_be16(buf + off + REP_FLAGS) &
		HAVEN_MIP4_UDP_REP_F) != 0;
	rep->keepalive_s = haven_get_be16(buf + off + REP_KEEPALIVE);
	return 0;
}

int
mip4_udp_rep_encode(uint8_t *p, const struct haven_mip4_udp_rep *rep)
{
	if (rep->code != HAVEN_MIP4_UDP_WILL_TUNNEL &&
	    rep->code != HAVEN_MIP4_UDP_DECLINED)
		return -1;
	p[0] = HAVEN_MIP4_EXT_UDP_TUN_REP;
	p[1] = HAVEN_MIP4_UDP_EXT_LEN;
	p[REP_SUBTYPE] = 0;
	p[REP_CODE] = rep->code;
	haven_put_be16(p + REP_FLAGS, rep->forced ? HAVEN_MIP4_UDP_REP_F : 0);
	haven_put_be16(p + REP_KEEPALIVE, rep->keepalive_s);
	return 0;
}

/* ---------------------------------------------------------------------
 * The home agent's decision (RFC 3519 3.1.1, 3.2, 4.6)
 */

static void
decline(struct haven_mip4_udp_rep *rep)
{
	rep->code = HAVEN_MIP4_UDP_DECLINED;
	rep->forced = false;
	rep->keepalive_s = 0;
}

int
haven_mip4_udp_decide(const struct haven_mip4_rrq *rrq, uint32_t src,
		const struct haven_mip4_udp_policy *pol,
		struct haven_mip4_udp_rep *rep, bool *use_udp, char *err,
		size_t errlen)
{
	bool nat, forced;

	memset(rep, 0, sizeof(*rep));
	*use_udp = false;
	haven_set_reason(err, errlen, "no UDP Tunnel Request: IP in IP");
	if (!rrq->udp.present)
		return 0;
	rep->present = true;
	/* NAT detection: the request left from another address than its
	 * care-of address on its way here. */
	nat = src != rrq->coa;
	forced = rrq->udp.force && pol->force_allowed;
	if (!pol->enabled) {
		if (nat) {
			haven_set_reason(err, errlen,
				"a NAT is in the way and UDP tunnelling is disabled");
			return HAVEN_MIP4_DENIED_UDP_UNAVAILABLE;
		}
		decline(rep);
		haven_set_reason(err, errlen,
			"no NAT, UDP tunnelling disabled: declined");
		return 0;
	}
	if (!nat && !forced) {
		decline(rep);
		haven_set_reason(err, errlen, rrq->udp.force ?
			"no NAT and forced UDP tunnelling not allowed: declined" :
			"no NAT: declined");
		return 0;
	}
	if (rrq->udp.encap != HAVEN_MIP4_UDP_NH_IPIP) {
		haven_set_reason(err, errlen,
			"encapsulation %u in UDP is not offered (IP in IP only)",
			rrq->udp.encap);
		return HAVEN_MIP4_DENIED_UDP_UNAVAILABLE;
	}
	rep->code = HAVEN_MIP4_UDP_WILL_TUNNEL;
	rep->forced = rrq->udp.force;
	rep->keepalive_s = pol->keepalive_s;
	*use_udp = true;
	haven_set_reason(err, errlen, nat ? "NAT detected: UDP tunnelling" :
		"forced by the F flag: UDP tunnelling");
	return 0;
}

/* ---------------------------------------------------------------------
 * MIP Tunnel Data message (RFC 3519 3.3):
 *
 *   0: Type (4) | Next Header | Reserved (16 bits)
 *   4: the tunnelled packet
 */

int
haven_mip4_tunnel_parse(const uint8_t *buf, size_t len, uint8_t *next_header)
{
	if (buf == NULL || len < HAVEN_MIP4_TUNNEL_HDR_LEN ||
	    buf[0] != HAVEN_MIP4_TYPE_TUNNEL_DATA || !udp_encap_known(buf[1]))
		return -EINVAL;
	if (next_header != NULL)
		*next_header = buf[1];
	return HAVEN_MIP4_TUNNEL_HDR_LEN;
}

void
haven_mip4_tunnel_build(uint8_t *buf, uint8_t next_header)
{
	buf[0] = HAVEN_MIP4_TYPE_TUNNEL_DATA;
	buf[1] = next_header;
	buf[2] = 0;
	buf[3] = 0;
}
