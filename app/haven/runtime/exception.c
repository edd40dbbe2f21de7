/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path (exception.h): per port with a host_interface, a
 * net_tap device whose Linux interface mirrors the port (its MAC and IPv4
 * address), polled by the control lcore. Frames Linux sends go out of the
 * port on the control lcore's queue; punted frames that are Linux's go
 * into the interface. virtio-user on vhost-net would serve as well where
 * /dev/vhost-net exists (DPDK's "exception path" guide); net_tap needs
 * only /dev/net/tun, which every kernel with TUN has.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "exception.h"
#include "loop.h"
#include "rt.h"

#define EXC_BURST 32			/**< frames from Linux per turn */
#define EXC_DESC 256			/**< descriptors of the tap's queues */
#define EXC_WATCHERS 4			/**< watchers of crossing frames */
#define EXC_VDEV "net_tap_exc"		/**< vdev name prefix (net_tap) */
/*
 * The port's link is looked at this often and mirrored; what Linux sends
 * while it is down is dropped, not queued: a VRRP advertisement that
 * waited in a transmit ring for the link to return would tell the other
 * primary, stale, that this one is still master.
 */
#define EXC_LINK_MS 10

/* One port's Linux side. Writer: this file, control lcore. */
struct exc_port {
	bool present;
	uint16_t tap_id;		/* its DPDK port */
	char ifname[HAVEN_CONFIG_IFNAME_LEN];
	char kernel_if[HAVEN_CONFIG_IFNAME_LEN];	/* net_af_packet's veth */
	int link;			/* mirrored: 1 up, 0 down, -1 unknown */
	struct haven_exception_stats stats;
};

static struct exc_port exc[HAVEN_MAX_PORTS];
static unsigned int n_exc;
static struct {
	void (*fn)(unsigned int p, bool from_host, const struct rte_mbuf *m,
			void *arg);
	void *arg;
} watchers[EXC_WATCHERS];
static unsigned int n_watchers;

int
haven_exception_vdev_arg(unsigned int i, const char *ifname, char *buf,
		size_t len)
{
	int n = snprintf(buf, len, EXC_VDEV "%u,iface=%s", i, ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool
haven_exception_present(unsigned int p)
{
	return p < HAVEN_MAX_PORTS && exc[p].present;
}

const char *
haven_exception_ifname(unsigned int p)
{
	return haven_exception_present(p) ? exc[p].ifname : "";
}

const struct haven_exception_stats *
haven_exception_stats(unsigned int p)
{
	static const struct haven_exception_stats none;

	return haven_exception_present(p) ? &exc[p].stats : &none;
}

int
haven_exception_watch(void (*fn)(unsigned int p, bool from_host,
		const struct rte_mbuf *m, void *arg), void *arg)
{
	if (n_watchers == EXC_WATCHERS)
		return -ENOSPC;
	watchers[n_watchers].fn = fn;
	watchers[n_watchers].arg = arg;
	n_watchers++;
	return 0;
}

static void
notify(unsigned int p, bool from_host, const struct rte_mbuf *m)
{
	unsigned int i;

	for (i = 0; i < n_watchers; i++)
		watchers[i].fn(p, from_host, m, watchers[i].arg);
}

/* ---------------------------------------------------------------------
 * Which frames are Linux's
 */

/* Index in fp.ports of the DPDK port a punted frame came in by, or -1. */
static int
port_index(uint16_t port_id)
{
	unsigned int i;

	for (i = 0; i < haven_rt.fp.n_ports; i++)
		if (haven_rt.fp.ports[i].port_id == port_id)
			return i;
	return -1;
}

static bool
is_vrrp4(const struct rte_ipv4_hdr *ip)
{
	return ip->next_proto_id == HAVEN_IPPROTO_VRRP &&
		ip->dst_addr == HAVEN_VRRP_GROUP4;
}

/* Is this punted frame Linux's? (IPv4 only; ARP is watch_punt's.) */
static bool
for_host(unsigned int p, const struct rte_mbuf *m, bool *vrrp)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip;

	*vrrp = false;
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*ip))
		return false;
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	if (is_vrrp4(ip)) {
		*vrrp = true;
		return true;
	}
	/* To the port's own address, not the home agent's. */
	return ip->dst_addr == haven_rt.fp.ports[p].addr &&
		ip->dst_addr != haven_rt.fp.ha_addr;
}

static void
to_host(unsigned int p, struct rte_mbuf *m, bool vrrp)
{
	struct exc_port *x = &exc[p];

	notify(p, false, m);
	if (rte_eth_tx_burst(x->tap_id, 0, &m, 1) != 1) {
		x->stats.to_host_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	x->stats.to_host++;
	if (vrrp)
		x->stats.vrrp_to_host++;
}

/* A punted frame nobody in the agent took. */
static void
unclaimed(struct rte_mbuf *m)
{
	int p = port_index(m->port);
	bool vrrp;

	if (p < 0 || !exc[p].present || HAVEN_PUNT_REASON(m) !=
			HAVEN_PUNT_CONTROL || !for_host(p, m, &vrrp)) {
		rte_pktmbuf_free(m);
		return;
	}
	to_host(p, m, vrrp);
}

/*
 * ARP is the link layer's (it learns from it); Linux gets a copy of what
 * is about the port's own address, so the kernel resolves its neighbours.
 */
static void
watch_punt(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_arp_hdr *arp;
	struct rte_mbuf *c;
	int p;

	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP) ||
	    HAVEN_PUNT_REASON(m) != HAVEN_PUNT_CONTROL ||
	    rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp))
		return;
	p = port_index(m->port);
	if (p < 0 || !exc[p].present)
		return;
	arp = (const struct rte_arp_hdr *)(eth + 1);
	if (arp->arp_data.arp_tip != haven_rt.fp.ports[p].addr ||
	    arp->arp_data.arp_tip == haven_rt.fp.ha_addr)
		return;
	c = rte_pktmbuf_copy(m, haven_rt.fp.pool, 0, UINT32_MAX);
	if (c == NULL) {
		exc[p].stats.to_host_dropped++;
		return;
	}
	to_host(p, c, false);
}

/* ---------------------------------------------------------------------
 * From Linux
 */

static bool
frame_is_vrrp(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	return eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
		rte_pktmbuf_data_len(m) >= sizeof(*eth) +
			sizeof(struct rte_ipv4_hdr) &&
		is_vrrp4((const struct rte_ipv4_hdr *)(eth + 1));
}

static unsigned int
exc_poll(void)
{
	struct rte_mbuf *pkts[EXC_BURST];
	unsigned int p, i, work = 0;
	uint16_t n;

	for (p = 0; p < haven_rt.fp.n_ports; p++) {
		struct exc_port *x = &exc[p];

		if (!x->present)
			continue;
		n = rte_eth_rx_burst(x->tap_id, 0, pkts, EXC_BURST);
		if (x->link == 0) {
			x->stats.from_host_dropped += n;
			rte_pktmbuf_free_bulk(pkts, n);
			work += n;
			continue;
		}
		for (i = 0; i < n; i++) {
			uint64_t before = haven_rt.stats.tx_dropped;
			bool vrrp = frame_is_vrrp(pkts[i]);

			notify(p, true, pkts[i]);
			/* Offloads Linux may ask of a tap mean nothing here. */
			pkts[i]->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
			haven_rt_tx(p, pkts[i]);
			if (haven_rt.stats.tx_dropped != before) {
				x->stats.from_host_dropped++;
				continue;
			}
			x->stats.from_host++;
			if (vrrp)
				x->stats.vrrp_from_host++;
		}
		work += n;
	}
	return work;
}

/* ---------------------------------------------------------------------
 * The port's link state, mirrored on the Linux side (as linux-cp does):
 * keepalived sees its link fail and says FAULT.
 */

/* IFF_RUNNING of a kernel interface: 1, 0, or -1 if it cannot be read. */
static int
kernel_link(const char *ifname)
{
	struct ifreq ifr;
	int fd, up = -1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	close(fd);
	return up;
}

static void
link_tick(uint64_t now)
{
	struct rte_eth_link l;
	unsigned int p;
	int up;

	(void)now;
	for (p = 0; p < haven_rt.fp.n_ports; p++) {
		struct exc_port *x = &exc[p];

		if (!x->present)
			continue;
		/* net_af_packet says up whatever its veth does: ask Linux. */
		if (x->kernel_if[0] != '\0') {
			up = kernel_link(x->kernel_if);
		} else if (rte_eth_link_get_nowait(
				haven_rt.fp.ports[p].port_id, &l) == 0) {
			up = l.link_status == RTE_ETH_LINK_UP;
		} else {
			up = -1;
		}
		if (up < 0 || up == x->link)
			continue;
		x->link = up;
		x->stats.link_changes++;
		if (up)
			rte_eth_dev_set_link_up(x->tap_id);
		else
			rte_eth_dev_set_link_down(x->tap_id);
		HAVEN_LOG(NOTICE, "port %s: link %s, mirrored on %s\n",
			haven_rt.cfg.ports[p].name, up ? "up" : "down",
			x->ifname);
	}
}

/* net_af_packet's kernel interface ("iface=" of its device arguments). */
static void
af_packet_iface(const char *device, char *buf, size_t len)
{
	const char *i = strstr(device, "iface=");
	size_t n;

	buf[0] = '\0';
	if (strncmp(device, "net_af_packet", 13) != 0 || i == NULL)
		return;
	i += 6;
	n = strcspn(i, ",");
	if (n == 0 || n >= len)
		return;
	memcpy(buf, i, n);
	buf[n] = '\0';
}

/* ---------------------------------------------------------------------
 * Set-up
 */

/* The port's IPv4 address and prefix on the Linux side (linux-cp's
 * address mirroring); the interface up. */
static int
mirror_address(const char *ifname, uint32_t addr, uint8_t prefix_len)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int fd, rc = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = addr;
	if (ioctl(fd, SIOCSIFADDR, &ifr) < 0)
		rc = -errno;
	sin->sin_addr.s_addr = prefix_len == 0 ? 0 :
		htonl(~0u << (32 - prefix_len));
	if (rc == 0 && ioctl(fd, SIOCSIFNETMASK, &ifr) < 0)
		rc = -errno;
	if (rc == 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			rc = -errno;
	}
	close(fd);
	return rc;
}

static int
exc_start(unsigned int p)
{
	const struct haven_config_port *cp = &haven_rt.cfg.ports[p];
	struct exc_port *x = &exc[p];
	struct rte_eth_conf conf = { 0 };
	char name[64];
	uint16_t id;
	int rc;

	snprintf(name, sizeof(name), EXC_VDEV "%u", p);
	rc = rte_eth_dev_get_port_by_name(name, &id);
	if (rc != 0) {
		HAVEN_LOG(ERR, "port %s: no exception device %s\n", cp->name,
			name);
		return -ENODEV;
	}
	rc = rte_eth_dev_configure(id, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(id, 0, EXC_DESC,
			rte_eth_dev_socket_id(id), NULL, haven_rt.fp.pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(id, 0, EXC_DESC,
			rte_eth_dev_socket_id(id), NULL);
	if (rc == 0)
		rc = rte_eth_dev_default_mac_addr_set(id,
			&haven_rt.fp.ports[p].mac);
	if (rc == 0)
		rc = rte_eth_dev_start(id);
	if (rc != 0) {
		HAVEN_LOG(ERR, "port %s: exception interface %s: %s\n",
			cp->name, cp->host_interface, rte_strerror(-rc));
		return rc;
	}
	x->present = true;
	x->tap_id = id;
	x->link = 1;			/* net_tap starts up */
	snprintf(x->ifname, sizeof(x->ifname), "%s", cp->host_interface);
	af_packet_iface(cp->device, x->kernel_if, sizeof(x->kernel_if));
	n_exc++;
	rc = mirror_address(x->ifname, cp->addr, cp->prefix_len);
	if (rc != 0)
		HAVEN_LOG(WARNING, "port %s: cannot give %s its address: %s\n",
			cp->name, x->ifname, strerror(-rc));
	HAVEN_LOG(INFO, "port %s: exception path on Linux interface %s "
		"(dpdk port %u, " RTE_ETHER_ADDR_PRT_FMT ", " HAVEN_IP4_FMT
		"/%u)\n", cp->name, x->ifname, id,
		RTE_ETHER_ADDR_BYTES(&haven_rt.fp.ports[p].mac),
		HAVEN_IP4_ARGS(cp->addr), cp->prefix_len);
	return 0;
}

int
haven_exception_init(void)
{
	unsigned int p;
	int rc;

	memset(exc, 0, sizeof(exc));
	n_exc = 0;
	n_watchers = 0;
	for (p = 0; p < haven_rt.fp.n_ports; p++) {
		if (haven_rt.cfg.ports[p].host_interface[0] == '\0')
			continue;
		rc = exc_start(p);
		if (rc != 0)
			return rc;
	}
	if (n_exc == 0)
		return 0;
	rc = haven_loop_on_unclaimed(unclaimed);
	if (rc == 0)
		rc = haven_loop_watch(watch_punt);
	if (rc == 0)
		rc = haven_loop_poller("exception path", exc_poll);
	if (rc == 0)
		rc = haven_loop_every("exception link", EXC_LINK_MS, link_tick);
	return rc;
}

void
haven_exception_fini(void)
{
	unsigned int p;

	for (p = 0; p < HAVEN_MAX_PORTS; p++) {
		if (!exc[p].present)
			continue;
		rte_eth_dev_stop(exc[p].tap_id);
		rte_eth_dev_close(exc[p].tap_id);
		exc[p].present = false;
	}
	n_exc = 0;
}
