/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_LOOP_H
#define HAVEN_LOOP_H

/**
 * @file
 * The control loop, on the main lcore, in the way of Redis's ae and
 * HAProxy's pollers: it knows no module. Each module registers at start-up
 * what it wants to be called for:
 *  - punt handlers: a kind of packet the workers punt (ARP, Neighbor
 *    Discovery, frames waiting for a next hop, IPv4 UDP to one of our
 *    ports, other IPv6 to us);
 *  - periodic functions ("every N ms");
 *  - pollers, called every turn (console sockets, telemetry requests),
 *    which say how much work they did so the idle policy knows.
 * rte_timer timers (lifetimes, repeats) run every turn too.
 */

#include <stdint.h>

#include <rte_mbuf.h>

/** Kinds of punted packet a module can register for. */
enum haven_punt_kind {
	HAVEN_PUNT_K_ARP,		/**< an ARP packet */
	HAVEN_PUNT_K_RESOLVE4,		/**< IPv4 frame waiting for its next hop */
	HAVEN_PUNT_K_RESOLVE6,		/**< IPv6 frame waiting for its next hop */
	HAVEN_PUNT_K_ND,		/**< ICMPv6 Neighbor Solicitation or
					  * Advertisement */
	HAVEN_PUNT_K_IP6,		/**< any other IPv6 packet to the agent */
	HAVEN_PUNT_K_MAX
};

/** What the loop itself counts. Writer: loop.c. */
struct haven_loop_stats {
	uint64_t udp_bad_checksum;	/**< UDP to us with a wrong checksum:
					  * discarded before any handler */
};

/** The loop's counters. */
const struct haven_loop_stats *haven_loop_stats(void);

/** A punted packet's handler; it owns m and frees it. */
typedef void (*haven_punt_fn)(struct rte_mbuf *m);

/**
 * Handle punted packets of a kind (one handler per kind).
 * @return 0, or -EEXIST if the kind has one.
 */
int haven_loop_on_punt(enum haven_punt_kind kind, haven_punt_fn fn);

/**
 * Handle IPv4 UDP datagrams punted for destination port `port` (host
 * order). @return 0, -EEXIST (port taken) or -ENOSPC.
 */
int haven_loop_on_udp4(uint16_t port, haven_punt_fn fn);

/**
 * Take the punted packets no handler takes (no handler for their kind,
 * UDP to a port nobody registered, other IPv4 protocols), instead of
 * freeing them: the exception path hands some to the Linux side of the
 * port. One such handler; it owns m. @return 0 or -EEXIST.
 */
int haven_loop_on_unclaimed(haven_punt_fn fn);

/**
 * See every punted packet before its handler does (read only: copy what
 * you keep). @return 0 or -ENOSPC.
 */
int haven_loop_watch(void (*fn)(const struct rte_mbuf *m));

/** Stop handling a UDP port (reload may move it). */
void haven_loop_off_udp4(uint16_t port);

/**
 * Call fn(now_ms) every period_ms (at the control loop's resolution, 10
 * ms). @return 0 or -ENOSPC.
 */
int haven_loop_every(const char *name, uint32_t period_ms,
		void (*fn)(uint64_t now_ms));

/**
 * Stop calling the periodic function registered under name (tests that
 * drive it by hand, with a clock of their own). @return 0 or -ENOENT.
 */
int haven_loop_every_cancel(const char *name);

/**
 * Call fn every turn of the loop; it returns how much work it did (0 when
 * idle), which keeps the adaptive idle policy awake. @return 0 or -ENOSPC.
 */
int haven_loop_poller(const char *name, unsigned int (*fn)(void));

/**
 * Run the loop until haven_rt.quit. @return 0.
 */
int haven_loop_run(void);

/** Run one turn (tests). @return the work done. */
unsigned int haven_loop_turn(void);

/** Forget every registration (tests, between cases). */
void haven_loop_reset(void);

#endif /* HAVEN_LOOP_H */
