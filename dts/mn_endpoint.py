#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Mobile node tunnel endpoint in user space.

The lab's kernels have no ipip, GRE or ip6tnl modules, so the mobile node
decapsulates in user space (DESIGN.md section 4). Run inside the mobile
node's namespace:

    mn_endpoint.py --ha 192.0.2.1 --hoa 192.0.2.100 \\
        --iface va --coa 198.51.100.10 --iface vb --coa 203.0.113.10 \\
        [--reverse] [--stats FILE] [--log-rejects]

It creates the TUN device tun0 holding the home address (/32), reads every
visited interface with a packet socket, and accepts a tunnelled packet only
when its outer destination is that interface's care-of address and its outer
source is the home agent's address (claim 5 of EP 1134991: every tunnelled
packet carries the primary home agent's address). It strips IP-in-IP
(RFC 2003, protocol 4), minimal encapsulation (RFC 2004, protocol 55) or GRE
(RFC 2784, protocol 47, 4-byte header carrying IPv4 only) and writes the
inner packet into tun0, so Linux's own stack answers.

With --reverse (RFC 3024) what Linux sends from the home address is routed
into tun0 (ip rule from <hoa> lookup 100; default dev tun0 table 100), read
back, encapsulated IP-in-IP from the first care-of address to the home agent
and sent through a raw socket.

Behind a NAT (RFC 3519), with --udp-port N: the node registers from
port N of its care-of address (dts/mipclient.py --sport N --udp), and the
home agent tunnels to the NAT's public address and port in UDP from port
434: a MIP Tunnel Data message, type 4, next header 4, then the packet. The
endpoint holds port N with a UDP socket (so the kernel answers nothing),
reads the tunnel data on the interface like the rest (from the home agent's
address and port 434 only), watches the registration replies go by to learn
the keepalive interval of their UDP Tunnel Reply extension (code 0; 0 means
110 s), and from then on sends a keepalive, an ICMP echo request from the
home address to the home agent inside the tunnel, whenever it has sent
nothing for that long (--keepalive overrides the interval, --no-keepalive
sends none). Reverse tunnelling goes the same way, from port N to the home
agent's port 434.

Counters per interface go to --stats as JSON on SIGUSR1, once at start
(the file's appearance means "ready") and on exit. SIGTERM and SIGINT exit
cleanly: the TUN device and the rules go away.
"""

import argparse
import errno
import fcntl
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
ETH_P_IP = 0x0800
ETH_HLEN = 14
PACKET_OUTGOING = 4

IPPROTO_ICMP = 1
IPPROTO_IPIP = 4
IPPROTO_UDP = 17
IPPROTO_GRE = 47
IPPROTO_MINIMAL = 55
MIP_PORT = 434
MIP_TYPE_RRP = 3
MIP_TYPE_TUNNEL_DATA = 4        # RFC 3519 3.3
EXT_UDP_TUN_REP = 44            # RFC 3519 3.2
KEEPALIVE_DEFAULT = 110         # RFC 3519: a reply's interval of 0
ICMP_ECHO_REPLY = 0
ICMP_ECHO_REQUEST = 8
PROTO_NAMES = {IPPROTO_IPIP: "ipip", IPPROTO_MINIMAL: "minimal",
               IPPROTO_GRE: "gre"}

REVERSE_RULE_PREF = 900


def csum(data):
    """Internet checksum (RFC 1071) of bytes."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return socket.inet_ntoa(a)


class Rejected(Exception):
    """A tunnelled packet the endpoint refuses; args[0] is the counter."""


# --------------------------------------------------------------------------
# Decapsulation
# --------------------------------------------------------------------------

def decap_ipip(outer, ihl):
    """RFC 2003: the inner datagram follows the outer header."""
    inner = outer[ihl:]
    if len(inner) < 20 or inner[0] >> 4 != 4:
        raise Rejected("bad_inner")
    return inner


def decap_minimal(outer, ihl):
    """RFC 2004 section 3: rebuild the original header from the outer one
    and the minimal forwarding header, then fix its checksum."""
    if len(outer) < ihl + 8:
        raise Rejected("truncated")
    proto, sflag, fcsum, odst = struct.unpack_from("!BBH4s", outer, ihl)
    s = bool(sflag & 0x80)
    fhl = 12 if s else 8
    if len(outer) < ihl + fhl:
        raise Rejected("truncated")
    if csum(outer[ihl:ihl + fhl]) != 0:
        raise Rejected("bad_checksum")
    osrc = outer[ihl + 8:ihl + 12] if s else outer[12:16]
    hdr = bytearray(outer[:ihl])
    payload = outer[ihl + fhl:]
    struct.pack_into("!H", hdr, 2, len(hdr) + len(payload))
    hdr[9] = proto
    hdr[10:12] = b"\0\0"
    hdr[12:16] = osrc
    hdr[16:20] = odst
    struct.pack_into("!H", hdr, 10, csum(bytes(hdr)))
    return bytes(hdr) + payload


def decap_gre(outer, ihl):
    """RFC 2784: a 4-byte header (no checksum, key or sequence number)
    carrying IPv4 (protocol type 0x0800); anything else is refused."""
    if len(outer) < ihl + 4:
        raise Rejected("truncated")
    flags, ptype = struct.unpack_from("!HH", outer, ihl)
    if flags != 0:
        raise Rejected("gre_flags")
    if ptype != ETH_P_IP:
        raise Rejected("gre_protocol")
    return decap_ipip(outer[:ihl] + outer[ihl + 4:], ihl)


DECAP = {IPPROTO_IPIP: decap_ipip, IPPROTO_MINIMAL: decap_minimal,
         IPPROTO_GRE: decap_gre}


def udp_tunnel_reply(rrp):
    """(code, keepalive) of a Registration Reply's UDP Tunnel Reply
    extension (RFC 3519 3.2), or None."""
    off = 20
    while off + 2 <= len(rrp):
        t, ln = rrp[off], rrp[off + 1]
        if t == EXT_UDP_TUN_REP and ln == 6 and off + 8 <= len(rrp):
            return rrp[off + 3], struct.unpack_from("!H", rrp, off + 6)[0]
        off += 2 + ln
    return None


def icmp_echo(src, dst, ident, seq, payload=b"haven-keepalive"):
    """An IPv4 ICMP echo request, checksums computed."""
    icmp = bytearray(struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, 0, ident,
                                 seq) + payload)
    struct.pack_into("!H", icmp, 2, csum(bytes(icmp)))
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp),
                                seq & 0xFFFF, 0, 64, IPPROTO_ICMP, 0,
                                socket.inet_aton(src),
                                socket.inet_aton(dst)))
    struct.pack_into("!H", hdr, 10, csum(bytes(hdr)))
    return bytes(hdr) + bytes(icmp)


def encap_ipip(inner, src, dst):
    """RFC 2003 outer header; the kernel fills id and checksum (HDRINCL)."""
    tos = inner[1] if len(inner) > 1 else 0
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(inner), 0, 0,
                      64, IPPROTO_IPIP, 0, socket.inet_aton(src),
                      socket.inet_aton(dst))
    return hdr + inner


# --------------------------------------------------------------------------
# The endpoint
# --------------------------------------------------------------------------

def new_counters():
    return {"accepted": 0, "rejected_src": 0, "rejected_other": 0,
            "ignored": 0, "ipip": 0, "minimal": 0, "gre": 0, "udp": 0,
            "keepalive_replies": 0, "registration_replies": 0,
            "reasons": {}}


class Endpoint:
    """The IPv4 endpoint, and the family-independent machinery that
    mn_endpoint6.Endpoint6 reuses: the TUN device, the reverse-tunnel rule,
    statistics, rejection counting, the poll loop and main()."""

    TAG = "mn_endpoint"
    IP_FAMILY = ()          # "ip" command family flag: IPv4 is the default

    def __init__(self, args):
        self.args = args
        self.init_addresses()
        self.ifaces = []        # (name, coa bytes, socket)
        self.stats = {}
        self.tun = None
        self.raw = None
        self.reverse_rule = False
        self.tx_reverse = 0
        self.tx_errors = 0
        self.tun_write_errors = 0
        self.stop = False
        self.started = time.time()
        # RFC 3519 (--udp-port): the socket holding the port, the
        # keepalive interval learned from a reply, what was sent
        self.udp = None
        self.keepalive_s = None
        self.last_tx = 0.0
        self.keepalives_sent = 0
        self.udp_reply = None

    def init_addresses(self):
        self.ha = socket.inet_aton(self.args.ha)
        self.hoa = self.args.hoa    # text, for "ip rule ... from <hoa>"

    def ip(self, *argv, check=True):
        r = subprocess.run(("ip",) + argv, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("ip %s: %s" % (" ".join(argv),
                                              r.stderr.strip()))
        return r

    # -- set-up and tear-down --

    def open_tun(self):
        name = self.args.tun
        # a TUN device left by a killed endpoint would make TUNSETIFF fail
        self.ip("link", "del", name, check=False)
        fd = os.open("/dev/net/tun", os.O_RDWR)
        ifr = struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI)
        fcntl.ioctl(fd, TUNSETIFF, ifr)
        fl = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)
        self.tun = fd
        self.ip("link", "set", "dev", name, "mtu", str(self.args.mtu))
        self.tun_address(name)
        self.ip("link", "set", "dev", name, "up")

    def tun_address(self, name):
        """Give the TUN device the home address."""
        self.ip("addr", "replace", self.hoa + "/32", "dev", name)
        subprocess.run(["sysctl", "-qw", "net.ipv4.conf.%s.rp_filter=0"
                        % name], capture_output=True)

    def open_ifaces(self):
        for name, coa in zip(self.args.iface, self.args.coa):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_IP))
            s.bind((name, ETH_P_IP))
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            self.ifaces.append((name, socket.inet_aton(coa), s))
            self.stats[name] = new_counters()
            self.stats[name]["coa"] = coa

    def open_raw(self):
        """The socket reverse-tunnelled packets leave by."""
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                            socket.IPPROTO_RAW)
        raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        return raw

    def open_reverse(self):
        f = self.IP_FAMILY
        self.raw = self.open_raw()
        t = str(self.args.table)
        self.ip(*f, "route", "replace", "default", "dev", self.args.tun,
                "table", t)
        self.ip(*f, "rule", "del", "from", self.hoa, "lookup", t,
                check=False)
        self.ip(*f, "rule", "add", "from", self.hoa, "lookup", t, "pref",
                str(REVERSE_RULE_PREF))
        self.reverse_rule = True

    def close(self):
        if self.reverse_rule:
            t = str(self.args.table)
            self.ip(*self.IP_FAMILY, "rule", "del", "from", self.hoa,
                    "lookup", t, check=False)
            self.ip(*self.IP_FAMILY, "route", "flush", "table", t,
                    check=False)
            self.reverse_rule = False
        for _, _, s in self.ifaces:
            s.close()
        if self.raw is not None:
            self.raw.close()
        if self.udp is not None:
            self.udp.close()
        if self.tun is not None:
            os.close(self.tun)      # a non-persistent TUN dies with its fd
            self.tun = None
            self.ip("link", "del", self.args.tun, check=False)

    # -- statistics --

    def snapshot(self):
        snap = {"pid": os.getpid(), "uptime": time.time() - self.started,
                "reverse": self.args.reverse,
                "tx_reverse": self.tx_reverse, "tx_errors": self.tx_errors,
                "tun_write_errors": self.tun_write_errors,
                "ifaces": self.stats}
        if getattr(self.args, "udp_port", None):
            snap["udp"] = {"port": self.args.udp_port,
                           "keepalive_s": self.keepalive_s,
                           "keepalives_sent": self.keepalives_sent,
                           "reply": self.udp_reply}
        snap.update(self.snapshot_addresses())
        return snap

    def snapshot_addresses(self):
        return {"ha": self.args.ha, "hoa": self.hoa}

    def write_stats(self):
        if not self.args.stats:
            return
        tmp = self.args.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.snapshot(), f, indent=1, sort_keys=True)
        os.replace(tmp, self.args.stats)

    def reject(self, c, name, field, reason, pkt):
        c[field] += 1
        c["reasons"][reason] = c["reasons"].get(reason, 0) + 1
        if self.args.log_rejects:
            print("reject %s %s: %s len %d" %
                  (name, reason, self.describe(pkt), len(pkt)),
                  file=sys.stderr, flush=True)

    @staticmethod
    def describe(pkt):
        """Outer source, destination (and protocol) for a reject line."""
        if len(pkt) < 20:
            return "?"
        return "%s -> %s proto %d" % (ip4(pkt[12:16]), ip4(pkt[16:20]),
                                      pkt[9])

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
            pkt = frame   # SOCK_RAW on an Ethernet device: L2 header first
            if len(pkt) < ETH_HLEN + 20:
                continue
            pkt = pkt[ETH_HLEN:]
            if pkt[0] >> 4 != 4:
                continue
            ihl = (pkt[0] & 0x0F) * 4
            tot = struct.unpack_from("!H", pkt, 2)[0]
            proto = pkt[9]
            if proto == IPPROTO_UDP and self.udp is not None:
                self.handle_udp(name, coa, c, pkt, ihl, tot)
                continue
            if proto not in DECAP:
                # registration replies, pings to the CoA: Linux's business
                c["ignored"] += 1
                continue
            if ihl < 20 or tot < ihl or tot > len(pkt):
                self.reject(c, name, "rejected_other", "bad_outer", pkt)
                continue
            pkt = pkt[:tot]     # drop Ethernet padding
            if pkt[16:20] != coa:
                self.reject(c, name, "rejected_other", "wrong_dst", pkt)
                continue
            if pkt[12:16] != self.ha:
                self.reject(c, name, "rejected_src", "wrong_src", pkt)
                continue
            if pkt[6] & 0x3F or pkt[7] or pkt[6] & 0x20:
                self.reject(c, name, "rejected_other", "fragment", pkt)
                continue
            try:
                inner = DECAP[proto](pkt, ihl)
            except Rejected as e:
                self.reject(c, name, "rejected_other", e.args[0], pkt)
                continue
            c["accepted"] += 1
            c[PROTO_NAMES[proto]] += 1
            try:
                os.write(self.tun, inner)
            except OSError:
                self.tun_write_errors += 1

    def handle_udp(self, name, coa, c, pkt, ihl, tot):
        """A UDP datagram on a visited interface: tunnel data or a
        registration reply for our port (RFC 3519), or someone else's."""
        if ihl < 20 or tot < ihl + 8 or tot > len(pkt):
            self.reject(c, name, "rejected_other", "bad_outer", pkt)
            return
        pkt = pkt[:tot]
        sport, dport = struct.unpack_from("!HH", pkt, ihl)
        payload = pkt[ihl + 8:]
        if pkt[16:20] != coa or dport != self.args.udp_port:
            c["ignored"] += 1           # not for our tunnel's port
            return
        if payload[:1] == bytes([MIP_TYPE_RRP]):
            # a registration reply on its way to mipclient: learn the
            # keepalive interval (code 0: UDP tunnelling in force)
            if pkt[12:16] == self.ha and sport == MIP_PORT:
                c["registration_replies"] += 1
                rep = udp_tunnel_reply(payload)
                self.udp_reply = None if rep is None else \
                    {"code": rep[0], "keepalive": rep[1]}
                if rep is not None and rep[0] == 0 and \
                        self.args.keepalive is None:
                    self.keepalive_s = rep[1] or KEEPALIVE_DEFAULT
            return
        if payload[:1] != bytes([MIP_TYPE_TUNNEL_DATA]):
            c["ignored"] += 1
            return
        if pkt[12:16] != self.ha or sport != MIP_PORT:
            self.reject(c, name, "rejected_src", "wrong_src", pkt)
            return
        if len(payload) < 4 or payload[1] != IPPROTO_IPIP:
            self.reject(c, name, "rejected_other", "udp_next_header", pkt)
            return
        inner = payload[4:]
        if len(inner) < 20 or inner[0] >> 4 != 4:
            self.reject(c, name, "rejected_other", "bad_inner", pkt)
            return
        c["accepted"] += 1
        c["udp"] += 1
        ih = (inner[0] & 0x0F) * 4
        if inner[9] == IPPROTO_ICMP and inner[12:16] == self.ha and \
                len(inner) >= ih + 8 and inner[ih] == ICMP_ECHO_REPLY and \
                struct.unpack_from("!H", inner, ih + 4)[0] == self.ka_id:
            c["keepalive_replies"] += 1     # the answer to a keepalive
            return
        try:
            os.write(self.tun, inner)
        except OSError:
            self.tun_write_errors += 1

    def open_udp(self):
        """The socket holding the tunnel's port (RFC 3519): what it
        receives is read from the packet socket; it sends."""
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        u.bind((self.args.coa[0], self.args.udp_port))
        u.setblocking(False)
        self.udp = u
        self.ka_id = os.getpid() & 0xFFFF
        if self.args.keepalive is not None:
            self.keepalive_s = self.args.keepalive

    def udp_send(self, inner):
        """A packet into the UDP tunnel to the home agent's port 434."""
        self.udp.sendto(struct.pack("!BBH", MIP_TYPE_TUNNEL_DATA,
                                    IPPROTO_IPIP, 0) + inner,
                        (self.args.ha, MIP_PORT))
        self.last_tx = time.monotonic()

    def keepalive_due(self):
        """Send a keepalive when nothing went out for the interval."""
        if self.udp is None or not self.keepalive_s or \
                self.args.no_keepalive:
            return
        if time.monotonic() - self.last_tx < self.keepalive_s:
            return
        self.keepalives_sent += 1
        try:
            self.udp_send(icmp_echo(self.hoa, self.args.ha, self.ka_id,
                                    self.keepalives_sent))
        except OSError:
            self.tx_errors += 1

    def drain_udp(self):
        for _ in range(256):
            try:
                self.udp.recv(65535)
            except BlockingIOError:
                return

    def handle_tun(self):
        src = self.args.coa[0]
        for _ in range(256):
            try:
                inner = os.read(self.tun, 65535)
            except BlockingIOError:
                return
            if not self.args.reverse or len(inner) < 20 \
                    or inner[0] >> 4 != 4:
                continue
            try:
                if self.udp is not None:
                    self.udp_send(inner)
                else:
                    self.raw.sendto(encap_ipip(inner, src, self.args.ha),
                                    (self.args.ha, 0))
                self.tx_reverse += 1
            except OSError:
                self.tx_errors += 1

    def run(self):
        rfd, wfd = os.pipe()
        os.set_blocking(wfd, False)
        os.set_blocking(rfd, False)
        signal.set_wakeup_fd(wfd)

        def on_term(signum, frame):
            self.stop = True

        def on_usr1(signum, frame):
            self.write_stats()

        signal.signal(signal.SIGTERM, on_term)
        signal.signal(signal.SIGINT, on_term)
        signal.signal(signal.SIGHUP, on_term)
        signal.signal(signal.SIGUSR1, on_usr1)

        self.open_tun()
        self.open_ifaces()
        if getattr(self.args, "udp_port", None):
            self.open_udp()
        if self.args.reverse:
            self.open_reverse()
        self.write_stats()
        print("%s: ready: tun %s %s, %s%s" %
              (self.TAG, self.args.tun, self.hoa,
               ", ".join("%s=%s" % (n, c) for n, c in
                         zip(self.args.iface, self.coas())),
               ", reverse" if self.args.reverse else ""), flush=True)

        poller = select.poll()
        by_fd = {}
        for name, coa, s in self.ifaces:
            poller.register(s.fileno(), select.POLLIN)
            by_fd[s.fileno()] = (name, coa, s)
        poller.register(self.tun, select.POLLIN)
        poller.register(rfd, select.POLLIN)
        if self.udp is not None:
            poller.register(self.udp.fileno(), select.POLLIN)
        while not self.stop:
            try:
                events = poller.poll(200 if self.udp is not None else 1000)
            except InterruptedError:
                continue
            if self.udp is not None:
                self.keepalive_due()
            for fd, _ in events:
                if fd == self.tun:
                    self.handle_tun()
                elif self.udp is not None and fd == self.udp.fileno():
                    self.drain_udp()
                elif fd == rfd:
                    try:
                        os.read(rfd, 512)
                    except BlockingIOError:
                        pass
                else:
                    self.handle_rx(*by_fd[fd])

    def coas(self):
        """The care-of addresses, as given on the command line."""
        return self.args.coa


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ha", required=True, help="home agent address")
    p.add_argument("--hoa", default="192.0.2.100", help="home address")
    p.add_argument("--iface", action="append", required=True,
                   help="visited interface (repeat)")
    p.add_argument("--coa", action="append", required=True,
                   help="care-of address of the matching --iface")
    p.add_argument("--tun", default="tun0", help="TUN device name")
    p.add_argument("--mtu", type=int, default=1480, help="TUN MTU")
    p.add_argument("--reverse", action="store_true",
                   help="reverse tunnelling (RFC 3024)")
    p.add_argument("--table", type=int, default=100,
                   help="routing table for reverse tunnelling")
    p.add_argument("--stats", help="JSON counters file")
    p.add_argument("--log-rejects", action="store_true",
                   help="one line on stderr per rejected packet")
    p.add_argument("--udp-port", type=int,
                   help="RFC 3519: tunnel in UDP from this port of the "
                   "first care-of address")
    p.add_argument("--keepalive", type=int,
                   help="keepalive interval, s (default: the reply's)")
    p.add_argument("--no-keepalive", action="store_true",
                   help="send no keepalives")
    args = p.parse_args(argv)
    if len(args.iface) != len(args.coa):
        p.error("give one --coa per --iface")
    for a in [args.ha, args.hoa] + args.coa:
        try:
            socket.inet_aton(a)
        except OSError:
            p.error("not an IPv4 address: %s" % a)
    return args


def run_endpoint(ep):
    """Run an endpoint until a signal ends it; write its counters and
    remove what it made, also on error. The exit status."""
    rc = 0
    try:
        ep.run()
    except (OSError, RuntimeError) as e:
        print("%s: %s" % (ep.TAG, e), file=sys.stderr, flush=True)
        rc = 1 if not isinstance(e, OSError) or e.errno != errno.EINTR \
            else 0
    finally:
        try:
            ep.write_stats()
        finally:
            ep.close()
    print("%s: exit: %s" % (ep.TAG, json.dumps(
        {n: {k: v for k, v in c.items() if k != "reasons"}
         for n, c in ep.stats.items()})), flush=True)
    return rc


def main(argv=None):
    return run_endpoint(Endpoint(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
