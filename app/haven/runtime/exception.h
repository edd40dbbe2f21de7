/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_EXCEPTION_H
#define HAVEN_EXCEPTION_H

/**
 * @file
 * The exception path, in the way of VPP's linux-cp: a port with a
 * host_interface gets a Linux interface (a DPDK net_tap device, created
 * by the EAL) that mirrors it: the port's own MAC and IPv4 address, so
 * that daemons of the appliance (keepalived now, a routing daemon later)
 * speak on the port's link as if they owned it. The control lcore moves
 * frames both ways; workers never see the Linux side:
 *  - from Linux: every frame goes out of the port as it is (VRRP
 *    advertisements from the virtual MAC, keepalived's gratuitous ARPs,
 *    ARP requests of the kernel);
 *  - to Linux: what the workers punt that is Linux's: VRRP
 *    advertisements (IP protocol 112 to 224.0.0.18), ARP about the port's
 *    own address (answers to the kernel's requests), and IPv4 to the
 *    port's own address that no module of the agent takes (TCP, UDP to a
 *    port nobody registered, ICMP other than echo).
 * The port's link state is mirrored on the Linux interface (down when
 * the port loses its link), so keepalived sees a link failure.
 * Modules above may watch the frames that cross (the redundancy module
 * watches keepalived's advertisements to know it is alive).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

/** Counters of one port's exception path. Writer: exception.c. */
struct haven_exception_stats {
	uint64_t to_host;		/**< frames given to the Linux side */
	uint64_t to_host_dropped;	/**< its queue full, or no mbuf */
	uint64_t from_host;		/**< frames Linux sent, put on the port */
	uint64_t from_host_dropped;	/**< the port's control queue full */
	uint64_t vrrp_to_host;		/**< VRRP advertisements among to_host */
	uint64_t vrrp_from_host;	/**< ... among from_host */
	uint64_t link_changes;		/**< the port's link state mirrored */
};

/** The --vdev argument that creates port index i's Linux interface. */
int haven_exception_vdev_arg(unsigned int i, const char *ifname, char *buf,
		size_t len);

/**
 * Start the Linux interface of every port with a host_interface: the
 * net_tap device the EAL made, one queue, the port's MAC, the port's
 * IPv4 address and prefix on the Linux side; register the poller and the
 * punt handlers. @return 0 or -errno.
 */
int haven_exception_init(void);

/** Stop and close the Linux interfaces. */
void haven_exception_fini(void);

/** True if port index p has a Linux interface. */
bool haven_exception_present(unsigned int p);

/** Its Linux name, or "" */
const char *haven_exception_ifname(unsigned int p);

/** Its counters (zeros when it has none). */
const struct haven_exception_stats *haven_exception_stats(unsigned int p);

/**
 * Call fn for every frame that crosses port index p's exception path
 * (from_host: Linux sent it; else it goes to Linux). Read only.
 * @return 0 or -ENOSPC.
 */
int haven_exception_watch(void (*fn)(unsigned int p, bool from_host,
		const struct rte_mbuf *m, void *arg), void *arg);

#endif /* HAVEN_EXCEPTION_H */
