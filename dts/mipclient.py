#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""An independent Mobile IPv4 client (RFC 5944), built on scapy.

Nothing here shares code with haven: the Registration Request comes from
scapy's MobileIP layers, the MN-HA authentication extension (section 3.5.2,
type 32) is appended here and its authenticator computed with Python's hmac
over the request up to and including the SPI (section 3.5.1), and the
reply's authenticator is verified the same way with the same key.

    mipclient.py register --ha 192.0.2.1 --hoa 192.0.2.100 \\
        --coa 198.51.100.10 --spi 256 --key hex:00010203... \\
        [--alg hmac-md5|hmac-sha256] [--lifetime 60] [--flags T,M,G,S] \\
        [--sport N] [--ident N|reuse] [--bad-auth] [--truncate N] \\
        [--garbage N] [--oversize N] [--ha-field ADDR] [--nai NAI] \\
        [--udp [--udp-force] [--udp-encap N] | --udp-ext HEX] \\
        [--udp-after-auth] [--json]

With --nai the request carries a Mobile Node NAI extension (RFC 2794,
type 131) before the MN-HA extension, whose authenticator covers it; a
home address of 0.0.0.0 then asks the agent for one, and the reply's home
address (and its NAI extension) are reported.

With --udp the request carries a UDP Tunnel Request extension (RFC 3519
section 3.1: type 144, length 6, sub-type 0, the F flag with --udp-force,
the Encapsulation of --udp-encap, 4 by default) before the MN-HA extension;
--udp-ext puts those bytes there instead (a malformed one), and
--udp-after-auth puts the extension after MN-HA, where no authenticator
covers it. The reply's UDP Tunnel Reply extension (section 3.2: type 44,
reply code, F flag, keepalive interval) is reported as "udp".

Runs where the care-of address is (ip netns exec <p>-mn ...). Exit status:
0 when a reply arrived and was accepted (code 0 or 1), 1 when it was denied,
2 when no reply came.

    mipclient.py tunnel --ha 192.0.2.1 --src 198.51.100.138 --sport N \\
        --inner-src 192.0.2.100 --inner-dst 192.0.2.10 [--echo] \\
        [--count N] [--dport 9002]

sends MIP Tunnel Data messages (RFC 3519 3.3: type 4, next header 4, then
an IPv4 packet made by scapy: a UDP datagram to --inner-dst:--dport, or
with --echo an ICMP echo request, a keepalive) from src:sport to the home
agent's port 434, and prints how many went and what came back within a
second (JSON).
"""

import argparse
import hashlib
import hmac
import json
import os
import socket
import struct
import sys
import time
from dataclasses import asdict, dataclass, field

from scapy.layers.mobileip import MobileIP, MobileIPRRP, MobileIPRRQ

MIP_PORT = 434
TYPE_RRQ = 1
TYPE_RRP = 3
EXT_MN_HA = 32
EXT_MN_NAI = 131                # RFC 2794 Mobile Node NAI
EXT_UDP_TUN_REQ = 144           # RFC 3519 3.1 UDP Tunnel Request
EXT_UDP_TUN_REP = 44            # RFC 3519 3.2 UDP Tunnel Reply
UDP_REQ_F = 0x80                # RFC 3519 3.1.1 force
UDP_REP_F = 0x8000
RRQ_LEN = 24
RRP_LEN = 20
NTP_EPOCH = 2208988800          # seconds from 1900 to 1970

FLAG_BITS = {"S": 0x80, "B": 0x40, "D": 0x20, "M": 0x10, "G": 0x08,
             "r": 0x04, "T": 0x02, "x": 0x01}
ALGS = {"hmac-md5": hashlib.md5, "hmac-sha256": hashlib.sha256}
CODES = {
    0: "accepted", 1: "accepted, no simultaneous bindings",
    128: "reason unspecified", 129: "administratively prohibited",
    130: "insufficient resources", 131: "mobile node failed authentication",
    132: "foreign agent failed authentication",
    133: "registration Identification mismatch",
    134: "poorly formed Request", 135: "too many simultaneous mobility bindings",
    136: "unknown home agent address",
    137: "requested reverse tunnel unavailable",
    138: "reverse tunnel is mandatory and 'T' bit not set",
    139: "requested encapsulation unavailable",
    142: "UDP encapsulation unavailable",
}

# The identification a "reuse" request repeats: the last one sent by this
# process (the CLI also accepts an explicit number).
_last_ident = None


def ntp_now():
    """Current time as a 64-bit NTP timestamp (RFC 5944 section 5.7)."""
    t = time.time()
    sec = int(t) + NTP_EPOCH
    frac = int((t - int(t)) * (1 << 32)) & 0xFFFFFFFF
    return (sec << 32) | frac


def ntp_seconds_now():
    return int(time.time()) + NTP_EPOCH


def parse_key(text):
    """'hex:0011..' or a plain string."""
    if text.startswith("hex:"):
        return bytes.fromhex(text[4:])
    return text.encode()


def parse_flags(text):
    """'T,M,G' or 'TMG' -> flag byte."""
    v = 0
    for ch in (text or "").replace(",", "").replace(" ", ""):
        if ch not in FLAG_BITS:
            raise ValueError("unknown flag %r (S B D M G r T x)" % ch)
        v |= FLAG_BITS[ch]
    return v


def authenticator(alg, key, data):
    return hmac.new(key, data, ALGS[alg]).digest()


def mn_ha_extension(alg, key, spi, msg, bad=False):
    """Type 32 extension for msg: authenticator over msg + type, length,
    SPI (RFC 5944 section 3.5.1)."""
    alen = ALGS[alg]().digest_size
    head = struct.pack("!BBI", EXT_MN_HA, 4 + alen, spi)
    auth = authenticator(alg, key, msg + head)
    if bad:
        auth = bytes([auth[0] ^ 0xFF]) + auth[1:]
    return head + auth


def parse_extensions(buf, off):
    """[(type, offset of type byte, body)] of the TLV extensions."""
    out = []
    while off < len(buf):
        t = buf[off]
        if t == 0:                  # one-byte padding
            off += 1
            continue
        if off + 2 > len(buf):
            out.append((t, off, None))
            break
        ln = buf[off + 1]
        body = buf[off + 2:off + 2 + ln]
        out.append((t, off, body if len(body) == ln else None))
        off += 2 + ln
    return out


@dataclass
class Result:
    """What a registration attempt produced."""
    sent_len: int = 0
    request_ident: int = 0
    replied: bool = False
    code: int = None
    code_text: str = ""
    lifetime: int = None
    home_address: str = None
    home_agent: str = None
    identification: int = None
    ident_high: int = None          # agent's time (133) or the request's
    ident_low: int = None
    auth_present: bool = False
    auth_spi: int = None
    auth_ok: bool = None
    extensions: list = field(default_factory=list)
    rtt_ms: float = None
    reply_hex: str = ""
    source: str = None
    nai: str = None                 # the reply's RFC 2794 NAI extension
    udp: dict = None                # the reply's RFC 3519 UDP Tunnel Reply

    @property
    def accepted(self):
        return self.code in (0, 1)


def udp_tunnel_request(force=False, encap=4):
    """RFC 3519 3.1: Type 144, Length 6, Sub-Type 0, Reserved 1, F R
    Reserved 2, Encapsulation, Reserved 3."""
    return struct.pack("!BBBBBBH", EXT_UDP_TUN_REQ, 6, 0, 0,
                       UDP_REQ_F if force else 0, encap, 0)


def build_request(hoa, ha, coa, spi, key, alg="hmac-md5", lifetime=60,
                  flags=0, ident=None, bad_auth=False, no_auth=False,
                  ha_field=None, garbage=0, oversize=0, truncate=0,
                  nai=None, udp=False, udp_force=False, udp_encap=4,
                  udp_ext=None, udp_after_auth=False):
    """Bytes of a Registration Request with its MN-HA extension, and the
    identification used. Corruptions are applied last, in this order:
    garbage appended after the extension, padded past oversize bytes,
    cut to truncate bytes."""
    global _last_ident
    if ident is None:
        ident = ntp_now()
    elif ident == "reuse":
        if _last_ident is None:
            raise ValueError("no identification to reuse yet")
        ident = _last_ident
    _last_ident = ident
    rrq = MobileIP(type=TYPE_RRQ) / MobileIPRRQ(
        flags=flags, lifetime=lifetime, homeaddr=hoa,
        haaddr=ha_field or ha, coaddr=coa, id=ident)
    msg = bytes(rrq)
    assert len(msg) == RRQ_LEN, len(msg)
    if nai:
        # RFC 2794 section 2: type, length, the NAI; before MN-HA
        n = nai.encode() if isinstance(nai, str) else nai
        msg += struct.pack("!BB", EXT_MN_NAI, len(n)) + n
    udp_bytes = b""
    if udp_ext is not None:
        udp_bytes = bytes.fromhex(udp_ext) if isinstance(udp_ext, str) \
            else bytes(udp_ext)
    elif udp or udp_force:
        udp_bytes = udp_tunnel_request(udp_force, udp_encap)
    if not udp_after_auth:
        msg += udp_bytes
    if not no_auth:
        msg += mn_ha_extension(alg, key, spi, msg, bad=bad_auth)
    if udp_after_auth:
        msg += udp_bytes
    if garbage:
        msg += os.urandom(garbage)
    if oversize and len(msg) < oversize:
        msg += b"\xa5" * (oversize - len(msg))
    if truncate:
        msg = msg[:truncate]
    return msg, ident


def parse_reply(data, key, alg, expect_spi=None):
    """Fill a Result from a Registration Reply and verify its MN-HA
    authenticator with our own hmac computation."""
    r = Result(replied=True, reply_hex=data.hex())
    if len(data) < RRP_LEN or data[0] != TYPE_RRP:
        r.code_text = "not a Registration Reply"
        return r
    rrp = MobileIP(data[:RRP_LEN])
    body = rrp[MobileIPRRP]
    r.code = body.code
    r.code_text = CODES.get(r.code, "unknown")
    r.lifetime = body.lifetime
    r.home_address = body.homeaddr
    r.home_agent = body.haaddr
    r.identification = body.id
    r.ident_high = body.id >> 32
    r.ident_low = body.id & 0xFFFFFFFF
    for t, off, ext in parse_extensions(data, RRP_LEN):
        r.extensions.append(t)
        if t == EXT_MN_NAI and ext is not None:
            r.nai = ext.decode(errors="replace")
        if t == EXT_UDP_TUN_REP and ext is not None and len(ext) == 6:
            sub, code, fl, keepalive = struct.unpack("!BBHH", ext)
            r.udp = {"code": code, "forced": bool(fl & UDP_REP_F),
                     "keepalive": keepalive, "subtype": sub}
        if t != EXT_MN_HA or ext is None or len(ext) < 4:
            continue
        r.auth_present = True
        r.auth_spi = struct.unpack_from("!I", ext)[0]
        given = ext[4:]
        want = authenticator(alg, key, data[:off + 6])
        r.auth_ok = hmac.compare_digest(given, want) and \
            (expect_spi is None or r.auth_spi == expect_spi)
    return r


def register(ha, hoa, coa, spi, key, alg="hmac-md5", lifetime=60, flags=0,
             ident=None, sport=0, timeout=2.0, dport=MIP_PORT, raw=None,
             **corrupt):
    """Send one Registration Request from coa to ha:434 and wait for the
    matching reply. Returns a Result (replied False on timeout)."""
    if isinstance(key, str):
        key = parse_key(key)
    if isinstance(flags, str):
        flags = parse_flags(flags)
    if raw is not None:
        msg, ident = raw, 0
    else:
        msg, ident = build_request(hoa, ha, coa, spi, key, alg, lifetime,
                                   flags, ident, **corrupt)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((coa, sport))
        t0 = time.monotonic()
        s.sendto(msg, (ha, dport))
        end = t0 + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return Result(sent_len=len(msg), request_ident=ident)
            s.settimeout(left)
            try:
                data, src = s.recvfrom(4096)
            except socket.timeout:
                continue
            r = parse_reply(data, key, alg, expect_spi=spi)
            # section 3.4: the low-order 32 bits identify the request
            if raw is None and r.ident_low is not None and \
                    r.ident_low != ident & 0xFFFFFFFF:
                continue
            r.sent_len = len(msg)
            r.request_ident = ident
            r.rtt_ms = (time.monotonic() - t0) * 1000.0
            r.source = "%s:%d" % src
            return r
    finally:
        s.close()


def tunnel_data(inner_src, inner_dst, echo=False, dport=9002, seq=0):
    """A MIP Tunnel Data message (RFC 3519 3.3) around a scapy packet:
    an ICMP echo request (a keepalive when inner_dst is the home agent),
    or a UDP datagram."""
    from scapy.layers.inet import ICMP, IP, UDP
    if echo:
        inner = IP(src=inner_src, dst=inner_dst) / \
            ICMP(type=8, id=0x6e61, seq=seq) / b"foreign-keepalive"
    else:
        inner = IP(src=inner_src, dst=inner_dst) / \
            UDP(sport=9002, dport=dport) / (b"foreign-tunnel-data-%d" % seq)
    return struct.pack("!BBH", 4, 4, 0) + bytes(inner)


def send_tunnel(ha, src, sport, inner_src, inner_dst, echo=False, count=1,
                dport=9002, wait=1.0):
    """Send count MIP Tunnel Data messages from src:sport to ha:434;
    {"sent": n, "answers": [hex of what came back]}."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    got = []
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src, sport))
        for i in range(count):
            s.sendto(tunnel_data(inner_src, inner_dst, echo, dport, i),
                     (ha, MIP_PORT))
        end = time.monotonic() + wait
        while time.monotonic() < end:
            s.settimeout(max(0.01, end - time.monotonic()))
            try:
                data, _ = s.recvfrom(4096)
                got.append(data.hex())
            except socket.timeout:
                break
    finally:
        s.close()
    return {"sent": count, "answers": got}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tunnel", help="send MIP Tunnel Data messages")
    t.add_argument("--ha", required=True)
    t.add_argument("--src", required=True, help="source address")
    t.add_argument("--sport", type=int, required=True)
    t.add_argument("--inner-src", required=True)
    t.add_argument("--inner-dst", required=True)
    t.add_argument("--echo", action="store_true",
                   help="an ICMP echo request inside (a keepalive)")
    t.add_argument("--count", type=int, default=1)
    t.add_argument("--dport", type=int, default=9002)
    r = sub.add_parser("register", help="send a Registration Request")
    r.add_argument("--ha", required=True, help="home agent address")
    r.add_argument("--hoa", required=True, help="home address")
    r.add_argument("--coa", required=True, help="care-of address")
    r.add_argument("--spi", type=int, required=True)
    r.add_argument("--key", required=True, help="hex:... or a string")
    r.add_argument("--alg", choices=sorted(ALGS), default="hmac-md5")
    r.add_argument("--lifetime", type=int, default=60)
    r.add_argument("--flags", default="", help="e.g. T,M,G,S")
    r.add_argument("--ident", help="identification (decimal/0x) or the "
                   "NTP time when absent")
    r.add_argument("--sport", type=int, default=0, help="source port")
    r.add_argument("--timeout", type=float, default=2.0)
    r.add_argument("--bad-auth", action="store_true",
                   help="corrupt the authenticator")
    r.add_argument("--no-auth", action="store_true",
                   help="leave the MN-HA extension out")
    r.add_argument("--ha-field", help="home agent field if not --ha")
    r.add_argument("--truncate", type=int, default=0,
                   help="send only the first N bytes")
    r.add_argument("--garbage", type=int, default=0,
                   help="append N random bytes after the extension")
    r.add_argument("--oversize", type=int, default=0,
                   help="pad the datagram to N bytes")
    r.add_argument("--raw", help="send these hex bytes instead")
    r.add_argument("--nai", help="RFC 2794 Mobile Node NAI extension")
    r.add_argument("--udp", action="store_true",
                   help="RFC 3519 UDP Tunnel Request extension")
    r.add_argument("--udp-force", action="store_true",
                   help="... with the F flag (implies --udp)")
    r.add_argument("--udp-encap", type=int, default=4,
                   help="its Encapsulation (4 IP in IP, 47, 55)")
    r.add_argument("--udp-ext", help="these hex bytes as the extension")
    r.add_argument("--udp-after-auth", action="store_true",
                   help="put it after the MN-HA extension")
    r.add_argument("--json", action="store_true", help="JSON result")
    a = p.parse_args(argv)

    if a.cmd == "tunnel":
        print(json.dumps(send_tunnel(a.ha, a.src, a.sport, a.inner_src,
                                     a.inner_dst, a.echo, a.count,
                                     a.dport)))
        return 0
    ident = int(a.ident, 0) if a.ident else None
    res = register(a.ha, a.hoa, a.coa, a.spi, parse_key(a.key), a.alg,
                   a.lifetime, parse_flags(a.flags), ident, a.sport,
                   a.timeout,
                   raw=bytes.fromhex(a.raw) if a.raw else None,
                   bad_auth=a.bad_auth, no_auth=a.no_auth,
                   ha_field=a.ha_field, truncate=a.truncate,
                   garbage=a.garbage, oversize=a.oversize, nai=a.nai,
                   udp=a.udp, udp_force=a.udp_force, udp_encap=a.udp_encap,
                   udp_ext=a.udp_ext, udp_after_auth=a.udp_after_auth)
    if a.json:
        print(json.dumps(asdict(res)))
    elif not res.replied:
        print("no reply (%d bytes sent)" % res.sent_len)
    else:
        print("code %s (%s) lifetime %s ident 0x%016x auth %s%s" %
              (res.code, res.code_text, res.lifetime,
               res.identification or 0,
               "ok" if res.auth_ok else
               ("BAD" if res.auth_present else "absent"),
               "" if res.udp is None else
               " udp code %(code)d forced %(forced)s keepalive "
               "%(keepalive)d" % res.udp))
    if not res.replied:
        return 2
    return 0 if res.accepted else 1


if __name__ == "__main__":
    sys.exit(main())
