#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""An independent Mobile IPv6 home registration client (RFC 6275, RFC 4285),
built on scapy.

Nothing here shares code with haven. The Binding Update leaves the care-of
address for the home agent with a Destination Options header holding the
Home Address option (RFC 6275 6.3, scapy's HAO) and a Mobility Header
(next header 135) of type 5 with the A and H flags, a sequence number and
a lifetime in units of 4 seconds. Its mobility options, each at its RFC
alignment:

  - Alternate Care-of Address (type 3, 8n+6), only with --alt-coa;
  - mobility message replay protection (RFC 4285 section 6, type 10,
    8n+2): a 64-bit NTP timestamp;
  - MN-HA mobility message authentication (RFC 4285 section 5, type 9,
    subtype 1, 4n+1), last, ending the message on an 8-octet boundary:

        Authenticator = First(96, HMAC_SHA1(MN-HA key, Mobility Data))
        Mobility Data = care-of address | home address | MH Data

    MH Data is the Mobility Header from Payload Proto up to and including
    the option's SPI field, with the Checksum field zero. hmac-sha256 (not
    in RFC 4285) sends the whole 32-byte MAC, as haven does, unless
    --auth-len cuts it.

The Mobility Header checksum (RFC 6275 6.1.1) is computed here over the
pseudo-header of RFC 8200 8.1 whose source is the home address (from the
Home Address option) and destination the home agent. The packet goes out
through a raw IPv6 socket (IPPROTO_RAW, header included) bound to the
care-of address; the Binding Acknowledgement is read with a packet socket
on the care-of address's interface (the kernel has no Mobile IPv6 and drops
a packet with a type 2 routing header; lab.sh up6 drops its ICMPv6 answer),
parsed with scapy and checked here: status, K flag, sequence, lifetime,
Binding Refresh Advice, its checksum (pseudo-header destination: the type 2
routing header's home address) and its MN-HA authenticator, computed
independently with the same key.

    mip6client.py register --ha 2001:db8:1::1 --hoa 2001:db8:1::100 \\
        --coa 2001:db8:a::10 --spi 257 --key hex:0011... \\
        [--alg hmac-sha1|hmac-sha256] [--lifetime 60] [--seq N] \\
        [--flags AH] [--ts-offset S] [--no-replay] [--bad-auth] \\
        [--no-auth] [--spi-field N] [--bad-checksum] [--no-hao] \\
        [--truncate N] [--alt-coa ADDR] [--iface IF] [--pcap FILE] [--json]

Runs where the care-of address is (ip netns exec <p>-mn ...). Exit status:
0 when a Binding Acknowledgement arrived with status < 128, 1 when it was
a refusal (or a Binding Error came), 2 when nothing came.
"""

import argparse
import hashlib
import hmac
import ipaddress
import json
import socket
import struct
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field

from scapy.layers.inet6 import (HAO, IPv6, IPv6ExtHdrDestOpt,
                                IPv6ExtHdrRouting)
from scapy.packet import Raw

NH_ROUTING = 43
NH_DSTOPTS = 60
NH_NONE = 59
NH_MH = 135
MH_BU = 5
MH_BA = 6
MH_BE = 7
BU_LEN = 12
BA_LEN = 12

OPT_PAD1 = 0
OPT_PADN = 1
OPT_BRA = 2
OPT_ACOA = 3
OPT_AUTH = 9
OPT_REPLAY = 10
AUTH_MN_HA = 1

FLAG_BITS = {"A": 0x8000, "H": 0x4000, "L": 0x2000, "K": 0x1000}
LIFETIME_UNIT = 4
NTP_EPOCH = 2208988800          # seconds from 1900 to 1970
ETH_P_IPV6 = 0x86DD
ETH_HLEN = 14
PACKET_OUTGOING = 4

ALGS = {"hmac-sha1": (hashlib.sha1, 12), "hmac-sha256": (hashlib.sha256, 32)}

STATUS = {
    0: "Binding Update accepted",
    1: "accepted but prefix discovery necessary",
    128: "reason unspecified", 129: "administratively prohibited",
    130: "insufficient resources", 131: "home registration not supported",
    132: "not home subnet", 133: "not home agent for this mobile node",
    134: "duplicate address detection failed",
    135: "sequence number out of window",
    136: "expired home nonce index", 137: "expired care-of nonce index",
    138: "expired nonces", 139: "registration type change disallowed",
    144: "MIPV6-ID-MISMATCH", 145: "MIPV6-MESG-ID-REQD",
    146: "MIPV6-AUTH-FAIL", 174: "invalid care-of address",
}

_last_seq = None


def ntp_now(offset=0.0):
    """Current time (+ offset seconds) as a 64-bit NTP timestamp."""
    t = time.time() + offset
    sec = int(t) + NTP_EPOCH
    frac = int((t - int(t)) * (1 << 32)) & 0xFFFFFFFF
    return ((sec & 0xFFFFFFFF) << 32) | frac


def ntp_to_unix(ts):
    return (ts >> 32) - NTP_EPOCH + (ts & 0xFFFFFFFF) / float(1 << 32)


def parse_key(text):
    """'hex:0011..' or a plain string."""
    if isinstance(text, bytes):
        return text
    if text.startswith("hex:"):
        return bytes.fromhex(text[4:])
    return text.encode()


def parse_flags(text):
    """'A,H' or 'AH' -> the BU flag word."""
    v = 0
    for ch in (text or "").replace(",", "").replace(" ", ""):
        if ch not in FLAG_BITS:
            raise ValueError("unknown flag %r (A H L K)" % ch)
        v |= FLAG_BITS[ch]
    return v


def a16(addr):
    return socket.inet_pton(socket.AF_INET6, addr)


def n16(b):
    return socket.inet_ntop(socket.AF_INET6, bytes(b))


def next_seq():
    """A sequence number that grows across processes (tenths of seconds,
    modulo 2^16: 109 minutes per turn, any two runs less than 54 minutes
    apart compare as RFC 6275 9.5.1 wants) and within one."""
    global _last_seq
    s = int(time.time() * 10) & 0xFFFF
    if _last_seq is not None:
        d = (s - _last_seq) & 0xFFFF
        if d == 0 or d >= 0x8000:
            s = (_last_seq + 1) & 0xFFFF
    return s


def csum(data):
    """Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mh_checksum(src, dst, mh):
    """RFC 6275 6.1.1: over the RFC 8200 8.1 pseudo-header (next header
    135) and the Mobility Header with its Checksum field zero."""
    ph = a16(src) + a16(dst) + struct.pack("!I3xB", len(mh), NH_MH)
    body = mh[:4] + b"\0\0" + mh[6:]
    return csum(ph + body)


def authenticator(alg, key, coa, hoa, mh_covered, auth_len=None):
    """RFC 4285 5.1: First(n, HMAC(key, coa | hoa | MH Data)); MH Data
    with the Checksum field zero."""
    h, n = ALGS[alg]
    data = a16(coa) + a16(hoa) + mh_covered[:4] + b"\0\0" + mh_covered[6:]
    return hmac.new(key, data, h).digest()[:auth_len or n]


def pad(n):
    """n octets of padding: Pad1 or PadN (RFC 6275 6.2.2, 6.2.3)."""
    if n == 0:
        return b""
    if n == 1:
        return bytes([OPT_PAD1])
    return bytes([OPT_PADN, n - 2]) + b"\0" * (n - 2)


def align(off, x, y):
    """Octets of padding that put an option at x*n + y from off."""
    return (y - off) % x


# ---------------------------------------------------------------------------
# Binding Update
# ---------------------------------------------------------------------------

@dataclass
class Sent:
    mh: bytes
    packet: bytes
    seq: int
    lifetime_units: int
    timestamp: int
    auth: bytes


def build_bu(ha, hoa, coa, spi, key, alg="hmac-sha1", lifetime=60, seq=None,
             flags="AH", ts_offset=0.0, timestamp=None, no_replay=False,
             bad_auth=False, no_auth=False, spi_field=None,
             bad_checksum=False, no_hao=False, truncate=0, alt_coa=None,
             auth_len=None):
    """The Binding Update (Mobility Header bytes and the whole IPv6
    packet). lifetime in seconds (rounded down to 4 s units); seq None
    for next_seq(); ts_offset shifts the timestamp (negative: an old
    one). Corruptions come last: the checksum is computed over the
    message as sent unless bad_checksum, truncate cuts the Mobility Header
    (Header Len left as built) and the packet's payload length follows."""
    global _last_seq
    key = parse_key(key)
    if isinstance(flags, str):
        flags = parse_flags(flags)
    if seq is None:
        seq = next_seq()
    seq &= 0xFFFF
    _last_seq = seq
    units = min(int(lifetime) // LIFETIME_UNIT, 0xFFFF)
    mh = bytearray(struct.pack("!BBBBHHHH", NH_NONE, 0, MH_BU, 0, 0, seq,
                               flags, units))
    if alt_coa:
        mh += pad(align(len(mh), 8, 6))
        mh += bytes([OPT_ACOA, 16]) + a16(alt_coa)
    ts = 0
    if not no_replay:
        ts = timestamp if timestamp is not None else ntp_now(ts_offset)
        mh += pad(align(len(mh), 8, 2))
        mh += struct.pack("!BBQ", OPT_REPLAY, 8, ts)
    auth = b""
    if no_auth:
        mh += pad((8 - len(mh) % 8) % 8)
        mh[1] = len(mh) // 8 - 1
    else:
        alen = auth_len or ALGS[alg][1]
        olen = 2 + 5 + alen
        s = len(mh)
        while s % 4 != 1 or (s + olen) % 8 != 0:
            s += 1
        mh += pad(s - len(mh))
        mh += struct.pack("!BBBI", OPT_AUTH, 5 + alen, AUTH_MN_HA,
                          spi if spi_field is None else spi_field)
        mh[1] = (len(mh) + alen) // 8 - 1
        auth = authenticator(alg, key, coa, hoa, bytes(mh), alen)
        if bad_auth:
            auth = bytes([auth[0] ^ 0x80]) + auth[1:]
        mh += auth
    assert len(mh) % 8 == 0 and mh[1] == len(mh) // 8 - 1, len(mh)
    ck = mh_checksum(coa if no_hao else hoa, ha, bytes(mh))
    if bad_checksum:
        ck ^= 0x5A5A
    struct.pack_into("!H", mh, 4, ck)
    mh = bytes(mh)
    if truncate:
        mh = mh[:truncate]
    if no_hao:
        pkt = IPv6(src=coa, dst=ha, nh=NH_MH, hlim=64) / Raw(mh)
    else:
        pkt = IPv6(src=coa, dst=ha, hlim=64) / \
            IPv6ExtHdrDestOpt(nh=NH_MH, options=[HAO(hoa=hoa)]) / Raw(mh)
    return Sent(mh=mh, packet=bytes(pkt), seq=seq, lifetime_units=units,
                timestamp=ts, auth=auth)


# ---------------------------------------------------------------------------
# Binding Acknowledgement
# ---------------------------------------------------------------------------

@dataclass
class Result:
    """What a home registration attempt produced."""
    sent_len: int = 0
    seq: int = None
    lifetime_units: int = None
    timestamp: int = None
    replied: bool = False
    mh_type: int = None
    status: int = None
    status_text: str = ""
    accepted: bool = False
    k_flag: bool = None
    ba_seq: int = None
    ba_lifetime_units: int = None
    ba_lifetime: int = None             # seconds
    refresh: int = None                 # Binding Refresh Advice, seconds
    options: list = field(default_factory=list)
    auth_present: bool = False
    auth_spi: int = None
    auth_ok: bool = None
    replay_timestamp: int = None
    checksum_ok: bool = None
    header_len_ok: bool = None
    rh2: str = None                     # type 2 routing header's address
    be_home_address: str = None         # Binding Error's Home Address
    src: str = None
    dst: str = None
    rtt_ms: float = None
    reply_hex: str = ""


def parse_options(mh, off, end):
    """[(type, offset, body)] of the mobility options in mh[off:end]."""
    out = []
    while off < end:
        t = mh[off]
        if t == OPT_PAD1:
            off += 1
            continue
        if off + 2 > end:
            out.append((t, off, None))
            break
        ln = mh[off + 1]
        body = mh[off + 2:off + 2 + ln]
        out.append((t, off, body if off + 2 + ln <= end else None))
        off += 2 + ln
    return out


def find_mh(pkt):
    """(Mobility Header bytes, type 2 routing header address or None) of
    a raw IPv6 packet, walking its extension headers, or (None, None)."""
    nh, off, rh2 = pkt[6], 40, None
    for _ in range(8):
        if nh == NH_MH:
            return pkt[off:], rh2
        if nh not in (0, NH_ROUTING, NH_DSTOPTS) or off + 8 > len(pkt):
            return None, rh2
        hlen = (pkt[off + 1] + 1) * 8
        if nh == NH_ROUTING and pkt[off + 2] == 2 and hlen == 24 and \
                off + 24 <= len(pkt):
            rh2 = n16(pkt[off + 8:off + 24])
        nh, off = pkt[off], off + hlen
    return None, rh2


def parse_reply(raw_ip6, ha, hoa, coa, key, alg, spi=None, auth_len=None):
    """Fill a Result from an IPv6 packet carrying a Binding Acknowledgement
    (or a Binding Error); verify checksum and authenticator here."""
    r = Result(replied=True, reply_hex=raw_ip6.hex())
    p = IPv6(raw_ip6)               # scapy's view, for the addresses
    r.src, r.dst = p.src, p.dst
    mh, rh2 = find_mh(raw_ip6)
    if rh2 is None and p.haslayer(IPv6ExtHdrRouting):
        rt = p[IPv6ExtHdrRouting]
        rh2 = rt.addresses[0] if rt.type == 2 and rt.addresses else None
    r.rh2 = rh2
    if mh is None or len(mh) < 6:
        r.status_text = "no Mobility Header"
        return r
    r.mh_type = mh[2]
    hlen = (mh[1] + 1) * 8
    r.header_len_ok = hlen <= len(mh)
    mh = mh[:hlen]
    r.checksum_ok = mh_checksum(p.src, rh2 or p.dst, mh) == \
        struct.unpack_from("!H", mh, 4)[0]
    if r.mh_type == MH_BE and len(mh) >= 24:
        r.status = mh[6]
        r.status_text = "Binding Error %d" % mh[6]
        r.be_home_address = n16(mh[8:24])
        return r
    if r.mh_type != MH_BA or len(mh) < BA_LEN:
        r.status_text = "not a Binding Acknowledgement"
        return r
    status, kflag, seq, units = struct.unpack_from("!BBHH", mh, 6)
    r.status = status
    r.status_text = STATUS.get(status, "unknown")
    r.accepted = status < 128
    r.k_flag = bool(kflag & 0x80)
    r.ba_seq = seq
    r.ba_lifetime_units = units
    r.ba_lifetime = units * LIFETIME_UNIT
    for t, off, body in parse_options(mh, BA_LEN, len(mh)):
        r.options.append(t)
        if body is None:
            continue
        if t == OPT_BRA and len(body) == 2:
            r.refresh = struct.unpack("!H", body)[0] * LIFETIME_UNIT
        elif t == OPT_REPLAY and len(body) == 8:
            r.replay_timestamp = struct.unpack("!Q", body)[0]
        elif t == OPT_AUTH and len(body) >= 5 and body[0] == AUTH_MN_HA:
            r.auth_present = True
            r.auth_spi = struct.unpack_from("!I", body, 1)[0]
            given = body[5:]
            want = authenticator(alg, key, coa, hoa, mh[:off + 7],
                                 auth_len or len(given))
            r.auth_ok = hmac.compare_digest(given, want) and \
                len(given) == (auth_len or ALGS[alg][1]) and \
                (spi is None or r.auth_spi == spi)
    return r


# ---------------------------------------------------------------------------
# Sending and waiting
# ---------------------------------------------------------------------------

def iface_of(addr):
    """The interface holding an IPv6 address (ip -j addr)."""
    out = subprocess.run(["ip", "-j", "-6", "addr", "show"],
                         capture_output=True, text=True).stdout
    want = ipaddress.ip_address(addr)
    for link in json.loads(out or "[]"):
        for a in link.get("addr_info", []):
            try:
                if ipaddress.ip_address(a.get("local", "")) == want:
                    return link["ifname"]
            except ValueError:
                pass
    raise RuntimeError("no interface holds %s" % addr)


def is_reply(frame, ha, coa):
    """An IPv6 frame from ha to coa whose header chain reaches a
    Mobility Header (quick test before scapy parses it)."""
    pkt = frame[ETH_HLEN:]
    if len(pkt) < 48 or pkt[0] >> 4 != 6 or pkt[8:24] != a16(ha) or \
            pkt[24:40] != a16(coa):
        return None
    nh, off = pkt[6], 40
    for _ in range(8):
        if nh == NH_MH:
            plen = struct.unpack_from("!H", pkt, 4)[0]
            return pkt[:40 + plen]
        if nh not in (0, NH_ROUTING, NH_DSTOPTS) or off + 2 > len(pkt):
            return None
        nh, off = pkt[off], off + (pkt[off + 1] + 1) * 8
    return None


def register(ha, hoa, coa, spi, key, alg="hmac-sha1", lifetime=60, seq=None,
             flags="AH", timeout=2.0, iface=None, pcap=None, auth_len=None,
             **corrupt):
    """Send one Binding Update from coa to ha and wait for the Binding
    Acknowledgement (or Binding Error) from ha. A Result (replied False
    on timeout). corrupt: ts_offset, timestamp, no_replay, bad_auth,
    no_auth, spi_field, bad_checksum, no_hao, truncate, alt_coa."""
    key = parse_key(key)
    sent = build_bu(ha, hoa, coa, spi, key, alg, lifetime, seq, flags,
                    auth_len=auth_len, **corrupt)
    if pcap:
        from scapy.utils import wrpcap
        wrpcap(pcap, [IPv6(sent.packet)])
    base = Result(sent_len=len(sent.packet), seq=sent.seq,
                  lifetime_units=sent.lifetime_units,
                  timestamp=sent.timestamp)
    iface = iface or iface_of(coa)
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                       socket.htons(ETH_P_IPV6))
    tx = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    try:
        rx.bind((iface, ETH_P_IPV6))
        tx.bind((coa, 0))
        t0 = time.monotonic()
        tx.sendto(sent.packet, (ha, 0))
        end = t0 + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return base
            rx.settimeout(left)
            try:
                frame, addr = rx.recvfrom(65535)
            except socket.timeout:
                continue
            if addr[2] == PACKET_OUTGOING:
                continue
            pkt = is_reply(frame, ha, coa)
            if pkt is None:
                continue
            r = parse_reply(pkt, ha, hoa, coa, key, alg, spi, auth_len)
            if r.mh_type not in (MH_BA, MH_BE):
                continue
            for k in ("sent_len", "seq", "lifetime_units", "timestamp"):
                setattr(r, k, getattr(base, k))
            r.rtt_ms = (time.monotonic() - t0) * 1000.0
            return r
    finally:
        rx.close()
        tx.close()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("register", help="send a Binding Update")
    r.add_argument("--ha", required=True, help="home agent IPv6 address")
    r.add_argument("--hoa", required=True, help="IPv6 home address")
    r.add_argument("--coa", required=True, help="IPv6 care-of address")
    r.add_argument("--spi", type=int, required=True)
    r.add_argument("--key", required=True, help="hex:... or a string")
    r.add_argument("--alg", choices=sorted(ALGS), default="hmac-sha1")
    r.add_argument("--auth-len", type=int, default=None,
                   help="authenticator octets (default 12 for hmac-sha1, "
                   "32 for hmac-sha256)")
    r.add_argument("--lifetime", type=int, default=60,
                   help="seconds (sent in units of 4 s)")
    r.add_argument("--seq", type=lambda x: int(x, 0), default=None,
                   help="sequence number (default: grows with time)")
    r.add_argument("--flags", default="AH", help="of A H L K")
    r.add_argument("--timeout", type=float, default=2.0)
    r.add_argument("--iface", help="where the reply comes (default: the "
                   "interface holding --coa)")
    r.add_argument("--ts-offset", type=float, default=0.0,
                   help="shift the timestamp by S seconds (old: negative)")
    r.add_argument("--timestamp", type=lambda x: int(x, 0), default=None,
                   help="the 64-bit NTP timestamp to send")
    r.add_argument("--no-replay", action="store_true",
                   help="leave the replay protection option out")
    r.add_argument("--bad-auth", action="store_true",
                   help="corrupt the authenticator")
    r.add_argument("--no-auth", action="store_true",
                   help="leave the authentication option out")
    r.add_argument("--spi-field", type=int, default=None,
                   help="SPI to put in the option (authenticator still "
                   "computed with --key)")
    r.add_argument("--bad-checksum", action="store_true")
    r.add_argument("--no-hao", action="store_true",
                   help="no Home Address option")
    r.add_argument("--truncate", type=int, default=0,
                   help="send only the first N octets of the Mobility "
                   "Header")
    r.add_argument("--alt-coa", help="Alternate Care-of Address option")
    r.add_argument("--pcap", help="also write the Binding Update here")
    r.add_argument("--json", action="store_true", help="JSON result")
    a = p.parse_args(argv)

    res = register(a.ha, a.hoa, a.coa, a.spi, parse_key(a.key), a.alg,
                   a.lifetime, a.seq, a.flags, a.timeout, a.iface, a.pcap,
                   a.auth_len, ts_offset=a.ts_offset,
                   timestamp=a.timestamp, no_replay=a.no_replay,
                   bad_auth=a.bad_auth, no_auth=a.no_auth,
                   spi_field=a.spi_field, bad_checksum=a.bad_checksum,
                   no_hao=a.no_hao, truncate=a.truncate, alt_coa=a.alt_coa)
    if a.json:
        print(json.dumps(asdict(res)))
    elif not res.replied:
        print("no reply (%d bytes sent, seq %d)" % (res.sent_len, res.seq))
    else:
        print("%s status %s (%s) seq %s lifetime %s s refresh %s auth %s "
              "checksum %s" %
              ("BA" if res.mh_type == MH_BA else "BE", res.status,
               res.status_text, res.ba_seq, res.ba_lifetime, res.refresh,
               "ok" if res.auth_ok else
               ("BAD" if res.auth_present else "absent"),
               "ok" if res.checksum_ok else "BAD"))
    if not res.replied:
        return 2
    return 0 if res.accepted else 1


if __name__ == "__main__":
    sys.exit(main())
