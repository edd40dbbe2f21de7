/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the unit tests of the application's layers (test_app_*.c) share:
 * the EAL of a test (no hugepages, no shared configuration files, its own
 * file prefix, two net_ring ports), a YAML configuration written to a
 * temporary file and loaded into haven_rt.cfg, the frames the application
 * sent (read back from the rings behind the net_ring ports' control TX
 * queue), packets fed to the control loop through the punt ring as a
 * worker would, and checksums written independently of the code under
 * test.
 *
 * A net_ring vdev created without arguments has 16 rings ETH_RXTX<q>_<name>
 * serving as both RX and TX queue q: what the control lcore transmits on
 * its queue (haven_rt.ctl_txq) waits in ring ctl_txq, where nothing but
 * the test reads it (no worker is launched).
 */
#ifndef HAVEN_TEST_APP_H
#define HAVEN_TEST_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_timer.h>

#include "loop.h"
#include "rt.h"

/* RTE_IPV4 shifts an int: undefined from 128.0.0.0 on when not constant. */
#define APP_IP(a, b, c, d) RTE_BE32((uint32_t)(a) << 24 | \
	(uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Temporary configuration file of this test (removed at exit). */
static char app_cfg_path[64];

/*
 * Start the EAL for a test: control lcore 0 and one worker lcore (never
 * launched), no hugepages and no shared configuration files (the EAL
 * refuses --in-memory with --no-huge, which implies --legacy-mem), its own
 * file prefix, 256 MB, the two net_ring ports the configurations name.
 */
static inline int
app_eal_init(const char *prog, const char *file_prefix)
{
	char *argv[] = {
		(char *)(uintptr_t)prog,
		(char *)(uintptr_t)"-l", (char *)(uintptr_t)"0,1",
		(char *)(uintptr_t)"--no-huge", (char *)(uintptr_t)"--no-shconf",
		(char *)(uintptr_t)"-m", (char *)(uintptr_t)"256",
		(char *)(uintptr_t)"--file-prefix", (char *)(uintptr_t)file_prefix,
		(char *)(uintptr_t)"--no-pci", (char *)(uintptr_t)"--no-telemetry",
		(char *)(uintptr_t)"--vdev", (char *)(uintptr_t)"net_ring0",
		(char *)(uintptr_t)"--vdev", (char *)(uintptr_t)"net_ring1",
		(char *)(uintptr_t)"--log-level", (char *)(uintptr_t)"lib.eal:error",
	};

	if (rte_eal_init(RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return -1;
	}
	rte_log_set_level_pattern("haven.*", RTE_LOG_WARNING);
	return rte_timer_subsystem_init() == 0 ? 0 : -1;
}

static inline void
app_cleanup(void)
{
	if (app_cfg_path[0] != '\0')
		unlink(app_cfg_path);
}

/*
 * Write text to the test's configuration file (created on first use,
 * removed at exit however the test ends, short of a signal).
 */
static inline int
app_config_write(const char *yaml)
{
	FILE *f;
	int fd;

	if (app_cfg_path[0] == '\0') {
		snprintf(app_cfg_path, sizeof(app_cfg_path),
			"/tmp/haven-test-app-XXXXXX");
		fd = mkstemp(app_cfg_path);
		if (fd < 0)
			return -1;
		close(fd);
		atexit(app_cleanup);
	}
	f = fopen(app_cfg_path, "w");
	if (f == NULL)
		return -1;
	fputs(yaml, f);
	return fclose(f) == 0 ? 0 : -1;
}

/* Write yaml and load it into haven_rt.cfg, as main() does. */
static inline int
app_config_load(const char *yaml)
{
	char err[512];

	if (app_config_write(yaml) != 0)
		return -1;
	if (haven_config_load(app_cfg_path, &haven_rt.cfg, err,
			sizeof(err)) < 0) {
		fprintf(stderr, "configuration: %s\n", err);
		return -1;
	}
	return 0;
}

/* The ring behind port index p's control TX queue. */
static inline struct rte_ring *
app_tx_ring(unsigned int p)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "ETH_RXTX%u_%s", haven_rt.ctl_txq,
		haven_rt.cfg.ports[p].device);
	return rte_ring_lookup(name);
}

/* The next frame the application sent on port index p, or NULL. */
static inline struct rte_mbuf *
app_sent(unsigned int p)
{
	struct rte_ring *r = app_tx_ring(p);
	void *m;

	if (r == NULL || rte_ring_dequeue(r, &m) != 0)
		return NULL;
	return m;
}

/* Free everything sent on every port; @return how many frames. */
static inline unsigned int
app_drain(void)
{
	struct rte_mbuf *m;
	unsigned int p, n = 0;

	for (p = 0; p < haven_rt.fp.n_ports; p++)
		while ((m = app_sent(p)) != NULL) {
			rte_pktmbuf_free(m);
			n++;
		}
	return n;
}

/* Hand m to the control loop as a worker punts it (reason, neighbour). */
static inline int
app_punt(struct rte_mbuf *m, uint32_t reason)
{
	m->hash.usr = reason == HAVEN_PUNT_RESOLVE ?
		HAVEN_PUNT_RESOLVE | (uint32_t)HAVEN_PUNT_NEIGH_NONE << 16 :
		HAVEN_PUNT_CONTROL;
	if (rte_ring_enqueue(haven_rt.fp.punt_ring, m) != 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

/* Turn the control loop n times. */
static inline void
app_turns(unsigned int n)
{
	while (n-- > 0)
		haven_loop_turn();
}

/* ---------------------------------------------------------------------
 * Bytes, written independently of the code under test
 */

static inline uint16_t
app_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Ones' complement sum of len bytes added to s (not folded). */
static inline uint32_t
app_sum(uint32_t s, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static inline uint16_t
app_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* True if an IPv4 header's checksum verifies. */
static inline bool
app_ip4_cksum_ok(const uint8_t *ip)
{
	return app_fold(app_sum(0, ip, (ip[0] & 0xf) * 4)) == 0xffff;
}

/* True if the ICMPv6 message after IPv6 header ip verifies (RFC 4443 2.3). */
static inline bool
app_icmp6_cksum_ok(const uint8_t *ip)
{
	uint16_t plen = app_be16(ip + 4);
	uint32_t s = app_sum(0, ip + 8, 32);	/* source, destination */

	s += plen;
	s += 58;
	s = app_sum(s, ip + 40, plen);
	return app_fold(s) == 0xffff;
}

#endif /* HAVEN_TEST_APP_H */
