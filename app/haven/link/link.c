/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The link layer's start-up: the families it speaks (ARP always, Neighbor
 * Discovery with IPv6), the punt handlers of what the workers hand it, and
 * the retry tick.
 */

#include "link.h"
#include "link_private.h"
#include "loop.h"
#include "rt.h"

#define LINK_TICK_MS 10		/**< retries and timeouts */

int
haven_link_init(void)
{
	int rc = link_family_register(&link_arp);

	if (rc == 0 && haven_rt_has_ip6())
		rc = link_family_register(&link_nd);
	if (rc == 0)
		rc = haven_loop_on_punt(HAVEN_PUNT_K_RESOLVE4, link_resolve_punt);
	if (rc == 0)
		rc = haven_loop_on_punt(HAVEN_PUNT_K_RESOLVE6, link_resolve_punt);
	if (rc == 0)
		rc = haven_loop_on_punt(HAVEN_PUNT_K_ARP, link_arp_input);
	if (rc == 0)
		rc = haven_loop_on_punt(HAVEN_PUNT_K_ND, link_nd_input);
	if (rc == 0)
		rc = haven_loop_every("link", LINK_TICK_MS, link_resolve_tick);
	return rc;
}
