/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port set-up: one mbuf pool, and on every configured port one TX queue
 * per lcore (workers and the control lcore), so that every lcore transmits
 * on a queue of its own without locks, and one RX queue per worker, RSS
 * spreading flows over them (net_af_packet: one per queue pair, see
 * below). IPv4 checksum offload is used where the port offers it.
 */

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "rt.h"
#include "rt_private.h"

#define RX_DESC 1024
#define TX_DESC 1024

/* Find the DPDK port a configured device became. */
static int
port_id_of(const struct haven_config_port *cp, uint16_t *port_id)
{
	char name[HAVEN_CONFIG_PATH_LEN];
	size_t len = strcspn(cp->device, ",");

	if (len >= sizeof(name))
		return -ENAMETOOLONG;
	memcpy(name, cp->device, len);
	name[len] = '\0';
	return rte_eth_dev_get_port_by_name(name, port_id);
}

static int
port_start(struct haven_rt *rt, unsigned int idx)
{
	const struct haven_config_port *cp = &rt->cfg.ports[idx];
	struct haven_fp_port *fpp = &rt->fp.ports[idx];
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t nq = rt->n_workers + 1, nrxq, q;
	uint16_t port_id;
	int rc;

	rc = port_id_of(cp, &port_id);
	if (rc != 0) {
		HAVEN_LOG(ERR, "port %s: no DPDK port for \"%s\"\n",
			cp->name, cp->device);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0)
		return rc;
	if (info.max_rx_queues < nq || info.max_tx_queues < nq) {
		HAVEN_LOG(ERR, "port %s: %u workers and the control lcore need "
			"%u RX and TX queues, the port has %u/%u (net_af_packet: "
			"qpairs=%u)\n", cp->name, rt->n_workers, nq,
			info.max_rx_queues, info.max_tx_queues, nq);
		return -EINVAL;
	}
	if (rt->n_workers > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP &
			info.flow_type_rss_offloads;
		/*
		 * On the home link, hash on the destination only where the
		 * NIC can: all of a home address's traffic then reaches one
		 * worker, whose counter lane in the binding's cell no other
		 * worker writes (lib/binding).
		 */
		if (idx == haven_rt.cfg.home_port &&
		    (info.flow_type_rss_offloads & RTE_ETH_RSS_L3_DST_ONLY))
			conf.rx_adv_conf.rss_conf.rss_hf |=
				RTE_ETH_RSS_L3_DST_ONLY;
	}
	fpp->tx_ip_cksum = (info.tx_offload_capa &
			RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
	if (fpp->tx_ip_cksum)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;

	/*
	 * One RX queue per worker; but net_af_packet spreads what it receives
	 * over all its queue pairs (kernel fanout), so every pair is polled.
	 */
	nrxq = strcmp(info.driver_name, "net_af_packet") == 0 ?
		nq : rt->n_workers;
	rt->n_rxq[idx] = nrxq;
	rc = rte_eth_dev_configure(port_id, nrxq, nq, &conf);
	if (rc != 0) {
		HAVEN_LOG(ERR, "port %s: configure: %s\n", cp->name,
			rte_strerror(-rc));
		return rc;
	}
	for (q = 0; q < nq; q++) {
		rc = q < nrxq ? rte_eth_rx_queue_setup(port_id, q, RX_DESC,
				rte_eth_dev_socket_id(port_id), NULL,
				rt->fp.pool) : 0;
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port_id, q, TX_DESC,
					rte_eth_dev_socket_id(port_id), NULL);
		if (rc != 0) {
			HAVEN_LOG(ERR, "port %s: queue %u: %s\n", cp->name, q,
				rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		HAVEN_LOG(ERR, "port %s: start: %s\n", cp->name,
			rte_strerror(-rc));
		return rc;
	}
	fpp->port_id = port_id;
	rte_eth_macaddr_get(port_id, &fpp->mac);
	fpp->addr = cp->addr;
	fpp->mask = cp->prefix_len == 0 ? 0 :
		rte_cpu_to_be_32(~0u << (32 - cp->prefix_len));
	if (rte_eth_dev_get_mtu(port_id, &fpp->mtu) != 0)
		fpp->mtu = RTE_ETHER_MTU;
	HAVEN_LOG(INFO, "port %s: dpdk port %u, " RTE_ETHER_ADDR_PRT_FMT
		", %u RX / %u TX queues, mtu %u, ipv4 cksum offload %s\n",
		cp->name, port_id, RTE_ETHER_ADDR_BYTES(&fpp->mac), nrxq, nq,
		fpp->mtu,
		fpp->tx_ip_cksum ? "on" : "off");
	return 0;
}

int
haven_rt_ports_init(struct haven_rt *rt)
{
	unsigned int i;
	int rc;

	rt->fp.pool = rte_pktmbuf_pool_create("haven_mbufs", HAVEN_MBUFS,
			HAVEN_MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
			rte_socket_id());
	if (rt->fp.pool == NULL) {
		HAVEN_LOG(ERR, "mbuf pool: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (i = 0; i < rt->cfg.n_ports; i++) {
		rc = port_start(rt, i);
		if (rc != 0)
			return rc;
		rt->fp.n_ports = i + 1;
	}
	return 0;
}

void
haven_rt_ports_close(struct haven_rt *rt)
{
	unsigned int i;

	for (i = 0; i < rt->fp.n_ports; i++) {
		rte_eth_dev_stop(rt->fp.ports[i].port_id);
		rte_eth_dev_close(rt->fp.ports[i].port_id);
	}
	rt->fp.n_ports = 0;
}

void
haven_rt_tx(unsigned int p, struct rte_mbuf *m)
{
	if (rte_eth_tx_burst(haven_rt.fp.ports[p].port_id, haven_rt.ctl_txq,
			&m, 1) == 1)
		return;
	haven_rt.stats.tx_dropped++;
	rte_pktmbuf_free(m);
}
