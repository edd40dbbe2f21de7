#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Craft and send tunnelled packets, as a home agent (or an impostor) would.

    inject.py --outer-src 192.0.2.1 --outer-dst 198.51.100.10 \\
        --encap ipip|minimal|gre --inner-src 192.0.2.10 \\
        --inner-dst 192.0.2.100 [--udp 9000 --count 10 --seq 0] [--icmp]

Used by the forwarding suite to inject packets whose outer source is not the
home agent (the endpoint must reject them), and to exercise the mobile
node's endpoint without a home agent. Inner UDP payloads use udp_stream.py's
numbering so the receiver counts them. Sends through a raw IP socket
(scapy's send), so it runs in any lab namespace with a route to the outer
destination.
"""

import argparse
import socket
import struct
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.all import GRE, ICMP, IP, UDP, Raw, conf, send  # noqa: E402

import udp_stream  # noqa: E402


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def minimal(outer_src, outer_dst, inner, sbit=True):
    """RFC 2004 section 3: the original header's protocol, destination and
    (with S) source move into the forwarding header."""
    raw = bytes(inner)
    ihl = (raw[0] & 0x0F) * 4
    proto = raw[9]
    odst = raw[16:20]
    osrc = raw[12:16]
    fh = struct.pack("!BBH4s", proto, 0x80 if sbit else 0, 0, odst)
    if sbit:
        fh += osrc
    fh = fh[:2] + struct.pack("!H", csum(fh)) + fh[4:]
    return IP(src=outer_src, dst=outer_dst, proto=55, ttl=raw[8],
              tos=raw[1], id=struct.unpack("!H", raw[4:6])[0]) / \
        Raw(fh + raw[ihl:])


def build(a, seq):
    if a.icmp:
        inner = IP(src=a.inner_src, dst=a.inner_dst) / \
            ICMP(type=8, id=0x4856, seq=seq) / Raw(b"haven-lab")
    else:
        inner = IP(src=a.inner_src, dst=a.inner_dst) / \
            UDP(sport=a.sport, dport=a.udp) / \
            Raw(udp_stream.payload(seq, 32))
    inner = IP(bytes(inner))        # checksums filled
    if a.bad_inner_cksum:
        inner.chksum ^= 0x5a5a      # the inner header no longer verifies
    if a.encap == "ipip":
        return IP(src=a.outer_src, dst=a.outer_dst, proto=4) / inner
    if a.encap == "gre":
        return IP(src=a.outer_src, dst=a.outer_dst, proto=47) / \
            GRE(proto=a.gre_proto) / inner
    return minimal(a.outer_src, a.outer_dst, inner, sbit=not a.no_sbit)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--outer-src", required=True)
    p.add_argument("--outer-dst", required=True)
    p.add_argument("--encap", choices=("ipip", "minimal", "gre"),
                   default="ipip")
    p.add_argument("--inner-src", default="192.0.2.10")
    p.add_argument("--inner-dst", default="192.0.2.100")
    p.add_argument("--udp", type=int, default=9000, help="inner UDP port")
    p.add_argument("--sport", type=int, default=40000)
    p.add_argument("--icmp", action="store_true", help="inner echo request")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--seq", type=int, default=0, help="first sequence")
    p.add_argument("--interval", type=float, default=0.0)
    p.add_argument("--gre-proto", type=lambda x: int(x, 0), default=0x0800)
    p.add_argument("--bad-inner-cksum", action="store_true",
                   help="corrupt the inner IPv4 header checksum")
    p.add_argument("--no-sbit", action="store_true",
                   help="minimal: leave the original source out")
    a = p.parse_args(argv)
    for n in (a.outer_src, a.outer_dst, a.inner_src, a.inner_dst):
        socket.inet_aton(n)
    conf.verb = 0
    pkts = [build(a, a.seq + i) for i in range(a.count)]
    send(pkts, inter=a.interval, verbose=False)
    print("sent %d %s packets %s -> %s" % (a.count, a.encap, a.outer_src,
                                           a.outer_dst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
