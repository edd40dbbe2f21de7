/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the delegation module's two roles share (deleg_private.h): its
 * state, the transport of its messages (UDP on the delegation port, from
 * the delegation address, through the link layer), the library's log, and
 * the binding information's addresses as struct haven_addr.
 */

#include <string.h>

#include "deleg.h"
#include "deleg_private.h"
#include "link.h"
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
	HAVEN_LOG(INFO, "delegation: %s\n", line);
}
