/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet builders shared by the control lcore and the workers: ARP
 * requests and replies, the gratuitous ARP a home agent broadcasts when it
 * starts intercepting a home address (RFC 5944 section 4.6), and UDP
 * datagrams for registration replies and the delegation protocol. Each
 * writes a whole Ethernet frame into an empty mbuf.
 */

#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "haven_fastpath.h"

#define BUILD_TTL 64		/* TTL of datagrams the agent originates */

void
haven_build_arp(struct rte_mbuf *m, uint16_t op,
		const struct rte_ether_addr *src, const struct rte_ether_addr *dst,
		const struct rte_ether_addr *sha, uint32_t spa,
		const struct rte_ether_addr *tha, uint32_t tpa)
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eth) + sizeof(*arp));
	if (eth == NULL)
		return;
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);

	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(uint32_t);
	arp->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(sha, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = spa;
	rte_ether_addr_copy(tha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = tpa;
	m->l2_len = sizeof(*eth);
}

void
haven_build_gratuitous_arp(struct rte_mbuf *m,
		const struct rte_ether_addr *mac, uint32_t ip)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	static const struct rte_ether_addr zero;

	/*
	 * RFC 5944 4.6: an ARP Request with both Sender and Target Protocol
	 * Address the address being claimed; the Target Hardware Address is
	 * unused in a request.
	 */
	haven_build_arp(m, RTE_ARP_OP_REQUEST, mac, &bcast, mac, ip, &zero, ip);
}

int
haven_build_udp(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, uint32_t src_ip,
		uint32_t dst_ip, uint16_t sport, uint16_t dport,
		const void *payload, uint16_t len)
{
	const uint16_t hdrs = sizeof(struct rte_ether_hdr) +
		sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if ((uint32_t)hdrs + len > UINT16_MAX)
		return -ENOSPC;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, hdrs + len);
	if (eth == NULL)
		return -ENOSPC;
	rte_ether_addr_copy(dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(src_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

	ip = (struct rte_ipv4_hdr *)(eth + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(hdrs - sizeof(*eth) + len);
	ip->time_to_live = BUILD_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = src_ip;
	ip->dst_addr = dst_ip;

	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + len);
	udp->dgram_cksum = 0;
	if (len > 0)
		memcpy(udp + 1, payload, len);

	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(*ip);
	return 0;
}
