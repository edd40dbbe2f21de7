#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Mobile node IPv6 tunnel endpoint in user space (Mobile IPv6, issue 6).

The lab's kernels have no ip6tnl module (and no Mobile IPv6), so the mobile
node decapsulates IPv6-in-IPv6 (RFC 2473, next header 41) in user space,
as dts/mn_endpoint.py does for IPv4 (DESIGN.md section 4). Run inside the
mobile node's namespace of a lab built with `dts/lab.sh up6`:

    mn_endpoint6.py --ha6 2001:db8:1::1 --hoa6 2001:db8:1::100 \\
        --iface va --coa6 2001:db8:a::10 --iface vb --coa6 2001:db8:b::10 \\
        [--reverse] [--stats FILE] [--log-rejects] [--tun tun6]

It creates the TUN device tun6 holding the IPv6 home address (/128), reads
every visited interface with a packet socket (ETH_P_IPV6), and accepts a
tunnelled packet only when its outer destination is that interface's
care-of address and its outer source is --ha6 (claim 5 of EP 1134991: every
tunnelled packet carries the primary home agent's address, also when a
secondary tunnels). It walks the outer extension headers (Hop-by-Hop,
Destination Options such as RFC 2473's Tunnel Encapsulation Limit) up to
next header 41, strips them with the outer header, and writes the inner
IPv6 packet into tun6, so Linux's own stack answers ping6 and UDP. Packets
whose outer chain does not end in 41 (a Binding Acknowledgement, pings to
the care-of address, neighbour discovery) are Linux's business: counted as
ignored. An outer Fragment header or a Routing header with segments left
is refused.

With --reverse what Linux sends from the home address is routed into tun6
(ip -6 rule from <hoa6> lookup 106; default dev tun6 table 106), read back,
encapsulated IPv6-in-IPv6 from the first care-of address to --ha6 and sent
through a raw IPv6 socket (IPPROTO_RAW: the header is ours).

The kernel answers next header 41 to a local address with an ICMPv6
parameter problem; lab.sh up6 drops those with nftables (table ip6
havenlab6 in <p>-mn).

Counters per interface go to --stats as JSON on SIGUSR1, once at start
(the file's appearance means "ready") and on exit. SIGTERM and SIGINT exit
cleanly: the TUN device and the rules go away.
"""

import argparse
import ipaddress
import os
import socket
import struct
import sys

from mn_endpoint import (ETH_HLEN, PACKET_OUTGOING, Endpoint, Rejected,
                         run_endpoint)

ETH_P_IPV6 = 0x86DD
IP6_HLEN = 40

NH_HOPOPTS = 0
NH_IPV6 = 41
NH_ROUTING = 43
NH_FRAGMENT = 44
NH_ESP = 50
NH_AH = 51
NH_NONE = 59
NH_DSTOPTS = 60
NH_MH = 135


def ip6(a):
    return socket.inet_ntop(socket.AF_INET6, a)


def aton6(a):
    return socket.inet_pton(socket.AF_INET6, a)



# --------------------------------------------------------------------------
# Header walk, decapsulation, encapsulation
# --------------------------------------------------------------------------

def walk(pkt):
    """(upper next header, its offset) of an IPv6 packet, walking the
    extension headers. Rejected("fragment") for a Fragment header,
    Rejected("routing") for a Routing header with segments left,
    Rejected("truncated") when a header runs past the packet."""
    nh = pkt[6]
    off = IP6_HLEN
    first = True
    while True:
        if nh in (NH_HOPOPTS, NH_DSTOPTS, NH_ROUTING):
            if nh == NH_HOPOPTS and not first:
                raise Rejected("bad_hopopts")
            if off + 8 > len(pkt):
                raise Rejected("truncated")
            hlen = (pkt[off + 1] + 1) * 8
            if off + hlen > len(pkt):
                raise Rejected("truncated")
            if nh == NH_ROUTING and pkt[off + 3] != 0:
                raise Rejected("routing")
            nh = pkt[off]
            off += hlen
        elif nh == NH_FRAGMENT:
            raise Rejected("fragment")
        else:
            return nh, off
        first = False


def decap6(pkt, off):
    """The inner IPv6 packet at off (RFC 2473), Ethernet padding cut."""
    inner = pkt[off:]
    if len(inner) < IP6_HLEN or inner[0] >> 4 != 6:
        raise Rejected("bad_inner")
    plen = struct.unpack_from("!H", inner, 4)[0]
    if IP6_HLEN + plen > len(inner) or plen == 0 and inner[6] == NH_HOPOPTS:
        # a jumbogram (payload length 0) cannot fit an Ethernet link
        raise Rejected("bad_inner")
    return inner[:IP6_HLEN + plen]


def encap6(inner, src, dst, hop_limit=64):
    """RFC 2473 outer header: traffic class copied from the inner packet,
    flow label 0, next header 41."""
    tclass = ((inner[0] & 0x0F) << 4 | inner[1] >> 4) if len(inner) > 1 \
        else 0
    hdr = struct.pack("!IHBB16s16s", 6 << 28 | tclass << 20, len(inner),
                      NH_IPV6, hop_limit, src, dst)
    return hdr + inner


# --------------------------------------------------------------------------
# The endpoint
# --------------------------------------------------------------------------

def new_counters():
    return {"accepted": 0, "rejected_src": 0, "rejected_other": 0,
            "ignored": 0, "ip6ip6": 0, "reasons": {}}


class Endpoint6(Endpoint):
    """The IPv6 endpoint: mn_endpoint.Endpoint's machinery with IPv6
    addresses, sockets and decapsulation."""

    TAG = "mn_endpoint6"
    IP_FAMILY = ("-6",)

    def init_addresses(self):
        self.ha6 = aton6(self.args.ha6)
        self.hoa6 = aton6(self.args.hoa6)
        self.hoa = self.args.hoa6   # text, for "ip -6 rule ... from"
        self.tun_ignored = 0

    @staticmethod
    def sysctl6(dev, key, value):
        with open("/proc/sys/net/ipv6/conf/%s/%s" % (dev, key), "w") as f:
            f.write(str(value))

    # -- set-up --

    def tun_address(self, name):
        # the lab namespaces start every interface IPv6-disabled: enable
        # this one without a link-local address, DAD or RAs
        self.sysctl6(name, "addr_gen_mode", 1)
        self.sysctl6(name, "accept_dad", 0)
        self.sysctl6(name, "accept_ra", 0)
        self.sysctl6(name, "disable_ipv6", 0)
        self.ip("-6", "addr", "replace", self.args.hoa6 + "/128", "dev",
                name, "nodad")

    def open_ifaces(self):
        for name, coa in zip(self.args.iface, self.args.coa6):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_IPV6))
            s.bind((name, ETH_P_IPV6))
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            self.ifaces.append((name, aton6(coa), s))
            self.stats[name] = new_counters()
            self.stats[name]["coa6"] = coa

    def open_raw(self):
        # IPPROTO_RAW on AF_INET6: the kernel takes our IPv6 header as is
        raw = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                            socket.IPPROTO_RAW)
        # bound to the care-of address: the "from <coa>" rule of lab.sh
        # picks the visited link it belongs to
        raw.bind((self.args.coa6[0], 0))
        return raw

    def coas(self):
        return self.args.coa6

    # -- statistics --

    def snapshot_addresses(self):
        return {"ha6": self.args.ha6, "hoa6": self.args.hoa6,
                "tun_ignored": self.tun_ignored}

    @staticmethod
    def describe(pkt):
        if len(pkt) < IP6_HLEN:
            return "?"
        return "%s -> %s" % (ip6(pkt[8:24]), ip6(pkt[24:40]))

    # -- data path --

    def handle_rx(self, name, coa, s):
        c = self.stats[name]
        for _ in range(256):
            try:
                frame, addr = s.recvfrom(65535)
            except BlockingIOError:
                return
            if addr[2] == PACKET_OUTGOING:
                continue
            if len(frame) < ETH_HLEN + IP6_HLEN:
                continue
            pkt = frame[ETH_HLEN:]
            if pkt[0] >> 4 != 6:
                continue
            plen = struct.unpack_from("!H", pkt, 4)[0]
            if IP6_HLEN + plen > len(pkt):
                # not ours to judge unless it is tunnelled
                if pkt[6] == NH_IPV6:
                    self.reject(c, name, "rejected_other", "bad_outer", pkt)
                else:
                    c["ignored"] += 1
                continue
            pkt = pkt[:IP6_HLEN + plen]     # drop Ethernet padding
            try:
                nh, off = walk(pkt)
            except Rejected as e:
                # only a packet bound for the care-of address from
                # somewhere is ours to refuse; the rest is Linux's
                if pkt[24:40] == coa and e.args[0] != "routing":
                    self.reject(c, name, "rejected_other", e.args[0], pkt)
                else:
                    c["ignored"] += 1
                continue
            if nh != NH_IPV6:
                # Binding Acknowledgements, pings to the CoA, ND: Linux's
                c["ignored"] += 1
                continue
            if pkt[24:40] != coa:
                self.reject(c, name, "rejected_other", "wrong_dst", pkt)
                continue
            if pkt[8:24] != self.ha6:
                self.reject(c, name, "rejected_src", "wrong_src", pkt)
                continue
            try:
                inner = decap6(pkt, off)
            except Rejected as e:
                self.reject(c, name, "rejected_other", e.args[0], pkt)
                continue
            c["accepted"] += 1
            c["ip6ip6"] += 1
            try:
                os.write(self.tun, inner)
            except OSError:
                self.tun_write_errors += 1

    def handle_tun(self):
        src = aton6(self.args.coa6[0])
        for _ in range(256):
            try:
                inner = os.read(self.tun, 65535)
            except BlockingIOError:
                return
            if not self.args.reverse or len(inner) < IP6_HLEN \
                    or inner[0] >> 4 != 6 or inner[8:24] != self.hoa6:
                self.tun_ignored += 1
                continue
            try:
                self.raw.sendto(encap6(inner, src, self.ha6),
                                (self.args.ha6, 0))
                self.tx_reverse += 1
            except OSError:
                self.tx_errors += 1


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ha6", required=True,
                   help="home agent IPv6 address (the primary's)")
    p.add_argument("--hoa6", default="2001:db8:1::100",
                   help="IPv6 home address")
    p.add_argument("--iface", action="append", required=True,
                   help="visited interface (repeat)")
    p.add_argument("--coa6", action="append", required=True,
                   help="IPv6 care-of address of the matching --iface")
    p.add_argument("--tun", default="tun6", help="TUN device name")
    p.add_argument("--mtu", type=int, default=1460,
                   help="TUN MTU (1500 - 40 of the outer header)")
    p.add_argument("--reverse", action="store_true",
                   help="reverse tunnelling (RFC 6275 11.3.1 / RFC 2473)")
    p.add_argument("--table", type=int, default=106,
                   help="IPv6 routing table for reverse tunnelling")
    p.add_argument("--stats", help="JSON counters file")
    p.add_argument("--log-rejects", action="store_true",
                   help="one line on stderr per rejected packet")
    args = p.parse_args(argv)
    if len(args.iface) != len(args.coa6):
        p.error("give one --coa6 per --iface")
    for a in [args.ha6, args.hoa6] + args.coa6:
        try:
            if ipaddress.ip_address(a).version != 6:
                raise ValueError
        except ValueError:
            p.error("not an IPv6 address: %s" % a)
    if args.mtu < 1280:
        p.error("IPv6 needs an MTU of at least 1280")
    return args


def main(argv=None):
    return run_endpoint(Endpoint6(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
