#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Delegation protocol messages as an attacker sees them: read, re-sign,
corrupt and send (docs/delegation-protocol.md).

Nothing here shares code with haven. A message is the 28-byte common
header, a body, and an HMAC-SHA256 trailer (32 bytes) computed with the
per-peer key over everything before it:

     0       1       2       3
    +-------+-------+-------+-------+
    |version| type  |  body length  |
    +-------+-------+-------+-------+
    |          sender id            |
    +-------------------------------+
    |          receiver id          |
    +-------------------------------+
    |       sequence (64 bits)      |
    |                               |
    +-------------------------------+
    |        transaction id         |
    +-------------------------------+
    |           reserved            |
    +-------------------------------+
    |  body ...  |  HMAC-SHA256 (32) |

The suites use the functions (parse, with_seq, sign, flip_mac_bit,
verify, from_pcap) and run the command in a lab namespace to put crafted
bytes on the home link with a spoofed source address:

    deleg_msg.py send --iface eth0 --src 192.0.2.1 --dst 192.0.2.11 \\
        --dst-mac 02:00:00:00:00:11 --hex 0101... [--hex ...]

(scapy's sendp: an Ethernet frame, so the source address need not be
ours and no ARP is involved).
"""

import argparse
import hashlib
import hmac
import struct
import sys
from types import SimpleNamespace

PORT = 4434
VERSION = 1
HDR = struct.Struct("!BBHIIQII")    # 28 bytes
HDR_LEN = HDR.size
MAC_LEN = 32
TYPES = {1: "START", 2: "START_ACK", 3: "STOP", 4: "STOP_ACK", 5: "REPORT",
         6: "BATCH", 7: "BATCH_ACK", 8: "HEARTBEAT", 9: "COUNTERS",
         10: "SYNC", 11: "INVENTORY"}
START, START_ACK, STOP, STOP_ACK, REPORT = 1, 2, 3, 4, 5
BATCH, BATCH_ACK, HEARTBEAT, COUNTERS, SYNC, INVENTORY = 6, 7, 8, 9, 10, 11
FEAT_BATCH, FEAT_UDP, FEAT_IPV6 = 0x0001, 0x0002, 0x0004

assert HDR_LEN == 28


def parse_key(text):
    """'hex:0011..' or a plain string."""
    if text.startswith("hex:"):
        return bytes.fromhex(text[4:].replace(" ", ""))
    return text.encode()


def parse(msg):
    """The header fields of a message as a SimpleNamespace (type_name
    too), or ValueError if it is too short to hold header and MAC."""
    if len(msg) < HDR_LEN + MAC_LEN:
        raise ValueError("%d bytes: shorter than header and MAC" % len(msg))
    v, t, blen, snd, rcv, seq, txn, rsv = HDR.unpack_from(msg)
    return SimpleNamespace(version=v, type=t, type_name=TYPES.get(t, str(t)),
                           body_len=blen, sender=snd, receiver=rcv, seq=seq,
                           txn=txn, reserved=rsv, length=len(msg),
                           body=msg[HDR_LEN:len(msg) - MAC_LEN],
                           mac=msg[-MAC_LEN:])


def request_kind(msg):
    """START or STOP for a request of the PHA: a single message of that
    type, or a BATCH whose records are all of that kind (11.2); None
    otherwise."""
    if len(msg) < HDR_LEN + MAC_LEN:
        return None
    if msg[1] in (START, STOP):
        return msg[1]
    if msg[1] != BATCH or len(msg) < HDR_LEN + 4 + MAC_LEN:
        return None
    kinds, off = set(), HDR_LEN + 4
    for _ in range(struct.unpack_from("!H", msg, HDR_LEN)[0]):
        if off + 8 > len(msg) - MAC_LEN:
            return None
        kinds.add(msg[off])
        off += struct.unpack_from("!H", msg, off + 2)[0]
    return kinds.pop() if len(kinds) == 1 else None


def mac_of(msg_without_mac, key):
    if isinstance(key, str):
        key = parse_key(key)
    return hmac.new(key, msg_without_mac, hashlib.sha256).digest()


def verify(msg, key):
    """True when the trailer is the HMAC of the rest with key."""
    return hmac.compare_digest(mac_of(msg[:-MAC_LEN], key), msg[-MAC_LEN:])


def sign(msg, key):
    """msg with its trailer recomputed with key."""
    return msg[:-MAC_LEN] + mac_of(msg[:-MAC_LEN], key)


def with_seq(msg, seq, txn=None):
    """msg with another sequence number (and transaction id); the trailer
    is left as it was (sign() it again for a well-formed message)."""
    b = bytearray(msg)
    struct.pack_into("!Q", b, 12, seq)
    if txn is not None:
        struct.pack_into("!I", b, 20, txn)
    return bytes(b)


def flip_mac_bit(msg, bit=0):
    """msg with one bit of its HMAC trailer inverted."""
    b = bytearray(msg)
    i = len(b) - MAC_LEN + bit // 8
    b[i] ^= 0x80 >> (bit % 8)
    return bytes(b)


def from_pcap(path, src=None, dst=None, port=PORT):
    """[(time, src, dst, payload bytes)] of the UDP datagrams to port in a
    capture file (pcap or pcapng), optionally only src -> dst."""
    from scapy.all import IP, UDP, rdpcap
    out = []
    for p in rdpcap(str(path)):
        if IP not in p or UDP not in p:
            continue
        if p[UDP].dport != port:
            continue
        if src and p[IP].src != src or dst and p[IP].dst != dst:
            continue
        out.append((float(p.time), p[IP].src, p[IP].dst,
                    bytes(p[UDP].payload)))
    return out


# ---------------------------------------------------------------------------
# Builders, from docs/delegation-protocol.md (section numbers in the names'
# docstrings); nothing shared with haven or with the dissector
# ---------------------------------------------------------------------------

def addr(a):
    """An address as it travels: 4 octets (IPv4) or 16 (IPv6)."""
    import ipaddress
    return ipaddress.ip_address(a).packed


def family_of(a):
    return 6 if ":" in a else 4


def message(mtype, body, key, family=4, sender=1, receiver=11,
            seq=1700000000000001, txid=77, version=1, body_len=None,
            reserved=0):
    """Section 2.1 header + body + HMAC-SHA256 (section 3) with key."""
    hdr = struct.pack("!BBHIIQIB", version, mtype,
                      len(body) if body_len is None else body_len,
                      sender, receiver, seq, txid, family) + \
        reserved.to_bytes(3, "big")
    m = hdr + body
    return m + mac_of(m, key)


def start_body(hoa, outer, gen, duration, coas, encap=None, flags=0,
               udp=None):
    """A START body (2.3, Family 6: 9.3). udp = (source port, next header,
    [(NAT address, NAT port)] one per CoA) for encap 4 (2.3.1)."""
    if encap is None:
        encap = 3 if family_of(hoa) == 6 else (4 if udp else 0)
    b = addr(hoa) + addr(outer) + struct.pack("!IIBBBB", gen, duration,
                                              encap, flags, len(coas), 0)
    b += b"".join(addr(c) for c in coas)
    if udp is not None:
        port, nh, nats = udp
        b += struct.pack("!HBB", port, nh, 0)
        b += b"".join(addr(a) + struct.pack("!HH", p, 0) for a, p in nats)
    return b


def stop_body(hoa, gen, reason=0):
    """A STOP body (2.5, 9.4)."""
    return addr(hoa) + struct.pack("!IB3x", gen, reason)


def record(kind, family, body, txid, length=None):
    """A BATCH record (11.2): Kind, Family (of the body's addresses),
    Length (8 + the body), Transaction ID, then the body."""
    return struct.pack("!BBHI", kind, family,
                       8 + len(body) if length is None else length,
                       txid) + body


def batch(records, n=None):
    """BATCH body (11.2): N Records, Reserved, the records."""
    return struct.pack("!HH", len(records) if n is None else n, 0) + \
        b"".join(records)


def ack_record(kind, hoa, gen, txid, status=0, family=None):
    """A BATCH_ACK record (11.3)."""
    return struct.pack("!BBBBII", kind, family or family_of(hoa), status, 0,
                       txid, gen) + addr(hoa)


def batch_ack(records, load=0, capacity=0, n=None):
    """BATCH_ACK body (11.3)."""
    return struct.pack("!IIHH", load, capacity,
                       len(records) if n is None else n, 0) + \
        b"".join(records)


def heartbeat(interval, load, capacity, boot_id, window, features, digest,
              packets=0, nbytes=0):
    """HEARTBEAT body (11.7), 44 octets."""
    return struct.pack("!IIIIHHQQQ", interval, load, capacity, boot_id,
                       window, features, digest, packets, nbytes)


def entry(hoa, gen, packets, nbytes):
    """A REPORT or COUNTERS entry (2.6, 9.5)."""
    return addr(hoa) + struct.pack("!IQQ", gen, packets, nbytes)


def counters(entries, n=None):
    """COUNTERS body (11.8)."""
    return struct.pack("!HH", len(entries) if n is None else n, 0) + \
        b"".join(entries)


def sync(features):
    """SYNC body (11.9)."""
    return struct.pack("!HH", features, 0)


def digest(bindings):
    """The digest of 11.6: sum modulo 2^64 of the first 8 octets of
    SHA-256(Family || Home Address || Generation), big-endian."""
    total = 0
    for hoa, gen in bindings:
        d = hashlib.sha256(bytes([family_of(hoa)]) + addr(hoa) +
                           struct.pack("!I", gen)).digest()
        total += int.from_bytes(d[:8], "big")
    return total % (1 << 64)


def inventory(bindings, load=None, part=0, parts=1, dig=None, n=None):
    """INVENTORY body (11.9): Load, Part, Parts, N, Reserved, Digest,
    then (home address, generation) entries."""
    return struct.pack("!IHHHHQ", len(bindings) if load is None else load,
                       part, parts, len(bindings) if n is None else n, 0,
                       digest(bindings) if dig is None else dig) + \
        b"".join(addr(h) + struct.pack("!I", g) for h, g in bindings)


def cmd_send(a):
    from scapy.all import IP, UDP, Ether, Raw, conf, sendp
    conf.verb = 0
    frames = [Ether(dst=a.dst_mac) / IP(src=a.src, dst=a.dst) /
              UDP(sport=a.sport, dport=a.dport) / Raw(bytes.fromhex(h))
              for h in a.hex]
    sendp(frames, iface=a.iface, inter=a.interval, verbose=False)
    print("sent %d message(s) %s -> %s:%d" % (len(frames), a.src, a.dst,
                                              a.dport))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send", help="send messages with a spoofed source")
    s.add_argument("--iface", required=True)
    s.add_argument("--src", required=True)
    s.add_argument("--dst", required=True)
    s.add_argument("--dst-mac", required=True)
    s.add_argument("--sport", type=int, default=PORT)
    s.add_argument("--dport", type=int, default=PORT)
    s.add_argument("--interval", type=float, default=0.05)
    s.add_argument("--hex", action="append", required=True,
                   help="one message in hex (repeat)")
    a = p.parse_args(argv)
    return cmd_send(a)


if __name__ == "__main__":
    sys.exit(main())
