/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the delegation module's two roles share (deleg_private.h): its
 * state, the transport of its messages (UDP on the delegation port, from
 * the delegation address, through the link layer), the library's log, and
 * the binding information's addresses as struct haven_addr, and its
 * encapsulations as the node layer's.
 */

#include <string.h>

#include "deleg.h"
#include "deleg_private.h"
#include "link.h"
#include "node.h"
#include "rt.h"

struct deleg_state deleg;

uint64_t
deleg_seq_base(void)
{
	return haven_wall_us();
}

void
deleg_transport_send(void *ctx, const struct haven_deleg_peer *peer,
		const uint8_t *msg, size_t len)
{
	const struct haven_config_delegation *dc = &haven_rt.cfg.delegation;

	(void)ctx;
	haven_link_send_udp4(dc->addr, peer->addr, dc->port, dc->port, msg,
		len);
}

void
deleg_log_line(void *ctx, const char *line)
{
	(void)ctx;
	/*
	 * Per binding (state changes) and per peer (alive, dead): the
	 * decisions an operator asks about are events (deleg.c), so that
	 * 100,000 delegations do not write 200,000 lines at info.
	 */
	HAVEN_LOG(DEBUG, "delegation: %s\n", line);
}

/* The protocol's Encap of a node's binding (section 2.3, 9.3). */
uint8_t
deleg_encap_of_node(const struct haven_node *n)
{
	if (n->hoa.family == HAVEN_AF_INET6)
		return HAVEN_DELEG_ENCAP_IP6IP6;
	switch (n->encap) {
	case HAVEN_ENCAP_MINIMAL:
		return HAVEN_DELEG_ENCAP_MINIMAL;
	case HAVEN_ENCAP_GRE:
		return HAVEN_DELEG_ENCAP_GRE;
	case HAVEN_ENCAP_UDP:
		return HAVEN_DELEG_ENCAP_UDP;
	default:
		return HAVEN_DELEG_ENCAP_IPIP;
	}
}

uint8_t
deleg_encap_to_node(uint8_t family, uint8_t encap, uint8_t next_header)
{
	if (family == HAVEN_AF_INET6)
		return HAVEN_ENCAP_IPIP;	/* the IPv6 record has one */
	switch (encap) {
	case HAVEN_DELEG_ENCAP_MINIMAL:
		return HAVEN_ENCAP_MINIMAL;
	case HAVEN_DELEG_ENCAP_GRE:
		return HAVEN_ENCAP_GRE;
	case HAVEN_DELEG_ENCAP_UDP:
		/* the workers carry IP in IP inside UDP, nothing else */
		return next_header == HAVEN_DELEG_UDP_NH_IP ?
			HAVEN_ENCAP_UDP : UINT8_MAX;
	default:
		return HAVEN_ENCAP_IPIP;
	}
}
