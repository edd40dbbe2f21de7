#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A fast, independent Mobile IPv6 registration load: many mobile nodes,
each from its own care-of address, registering with one home agent.

Nothing here shares code with haven; from dts/mip6client.py only the
protocol numbers and the checksum: it builds the same message (the same
octets for the same inputs), RFC 6275 and RFC 4285, with plain struct and
hmac for speed, not scapy: node i has the home address HOA_BASE + i, the
care-of address COA_BASE + i (a visited /64 the lab's router forwards to
the mobile node's namespace, lab.sh scale), the SPI SPI_BASE + i and the
key key_of(i) (SHA-1 of "haven-scale-<i>", 20 octets); scale_config()
writes the same nodes into a home agent's mobile_nodes6.

Each Binding Update (A and H flags, a sequence number, a lifetime in 4 s
units) leaves the care-of address with a Destination Options header
holding the Home Address option (RFC 6275 6.3, at 8n+6) and a Mobility
Header of type 5 with the replay protection option (RFC 4285 6, type 10,
a 64-bit NTP timestamp: the moment the update is due to leave, so that a
long load stays within the home agent's replay window, at 8n+2) and the
MN-HA authentication option
(RFC 4285 5, type 9, subtype 1, at 4n+1, last):

    Authenticator = First(96, HMAC_SHA1(key, coa | hoa | MH Data))

MH Data: the Mobility Header up to and including the SPI, Checksum zero.
The Mobility Header checksum is over the RFC 8200 8.1 pseudo-header from
the home address to the home agent. All the updates are built before the
first leaves; they go out through one raw IPv6 socket (header included;
the kernel routes each to the home agent through the router, which it
resolves once), paced at --rate a second in 1 ms slices, and with
--window never more than that many unanswered (so that a slow home agent
is not buried under updates whose timestamps age in its queue). A child
process
reads the Binding Acknowledgements with a packet socket on --iface: the
home address from the type 2 routing header, the status, the sequence
number, the MN-HA authenticator checked with the node's key. Updates not
acknowledged after --retry seconds go again (a new sequence number and
timestamp), --tries times at most.

    mip6load.py --ha 2001:db8:1::1 --count 100000 --rate 20000 \\
        --iface va --lifetime 3600 --json

Prints one JSON object: sent, retransmitted, acked (status < 128),
refused (by status), unanswered, bad_auth, the seconds from the first
update to the first and the last acknowledgement, and the send rate.
Runs in the mobile node's namespace (ip netns exec <p>-mn ...).
"""

import argparse
import hashlib
import hmac
import ipaddress
import json
import multiprocessing as mp
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# the numbers of RFC 6275 and RFC 4285, and the RFC 1071 checksum, as
# mip6client.py has them
from mip6client import (ETH_P_IPV6, FLAG_BITS, MH_BA, MH_BU,  # noqa: E402
                        NH_DSTOPTS, NH_MH, NH_NONE, NH_ROUTING, NTP_EPOCH,
                        OPT_AUTH, OPT_PADN, OPT_REPLAY, csum)

OPT_HAO = 201                   # Home Address destination option
FLAGS_AH = FLAG_BITS["A"] | FLAG_BITS["H"]
SO_RCVBUFFORCE = 33
AUTH_LEN = 12                   # HMAC-SHA1, first 96 bits

HOA_BASE = "2001:db8:1::1:0:0"
COA_BASE = "2001:db8:c::1:0:0"
SPI_BASE = 0x10000


def key_of(i):
    """Node i's MN-HA key: 20 octets."""
    return hashlib.sha1(b"haven-scale-%d" % i).digest()


def addr_of(base, i):
    return (int(ipaddress.IPv6Address(base)) + i).to_bytes(16, "big")


def scale_nodes(n, first=0, hoa_base=HOA_BASE):
    """mobile_nodes6 entries of nodes first..first+n-1 (dicts)."""
    base = int(ipaddress.IPv6Address(hoa_base))
    return [{"home_address": str(ipaddress.IPv6Address(base + i)),
             "spi": SPI_BASE + i, "algorithm": "hmac-sha1",
             "key": "hex:" + key_of(i).hex()} for i in range(first, first + n)]


def ntp_of(t):
    """A Unix time as a 64-bit NTP timestamp."""
    return ((int(t) + NTP_EPOCH) << 32) | int((t % 1) * (1 << 32))


def ntp_now():
    return ntp_of(time.time())


def build_bu(ha, hoa, coa, spi, key, seq, units, ts):
    """The whole IPv6 packet of one Binding Update (112 octets)."""
    mh = bytearray(48)
    # Payload Proto, Header Len ((48 / 8) - 1), type, reserved, checksum,
    # sequence, flags, lifetime
    struct.pack_into("!BBBBHHHH", mh, 0, NH_NONE, 5, MH_BU, 0, 0, seq,
                     FLAGS_AH, units)
    mh[12:18] = bytes([OPT_PADN, 4, 0, 0, 0, 0])         # to 8n+2
    struct.pack_into("!BBQ", mh, 18, OPT_REPLAY, 8, ts)  # 18..27
    mh[28] = 0                                           # Pad1, to 4n+1
    struct.pack_into("!BBBI", mh, 29, OPT_AUTH, 5 + AUTH_LEN, 1, spi)
    mh[36:48] = hmac.new(key, coa + hoa + bytes(mh[:36]),
                         hashlib.sha1).digest()[:AUTH_LEN]
    ck = csum(hoa + ha + struct.pack("!I3xB", 48, NH_MH) + bytes(mh))
    struct.pack_into("!H", mh, 4, ck)
    # Destination Options: PadN then the Home Address option at 8n+6
    dst = bytes([NH_MH, 2, OPT_PADN, 2, 0, 0, OPT_HAO, 16]) + hoa
    ip = struct.pack("!IHBB", 6 << 28, len(dst) + 48, NH_DSTOPTS, 64)
    return ip + coa + ha + dst + bytes(mh)


# ---------------------------------------------------------------------------
# Binding Acknowledgements (a child process)
# ---------------------------------------------------------------------------

def parse_ba(frame, ha):
    """(hoa bytes, status, seq, coa, mh) of a BA frame, or None."""
    if len(frame) < 14 + 40 + 24 + 12:
        return None
    if frame[12:14] != b"\x86\xdd" or frame[14 + 6] != NH_ROUTING:
        return None
    ip = frame[14:]
    if ip[8:24] != ha:
        return None
    rh = ip[40:]
    if rh[2] != 2 or rh[0] != NH_MH:
        return None
    hoa = bytes(rh[8:24])
    mh = rh[24:]
    if len(mh) < 12 or mh[2] != MH_BA:
        return None
    # Payload Proto, Header Len, MH Type, Reserved, Checksum, then the
    # BA: Status, K and Reserved, Sequence, Lifetime (RFC 6275 6.1.8)
    seq = struct.unpack_from("!H", mh, 8)[0]
    return hoa, mh[6], seq, bytes(ip[24:40]), bytes(mh[:(mh[1] + 1) * 8])


def ba_auth_ok(mh, coa, hoa, key):
    """The BA's MN-HA authenticator (its last option) with the node's key."""
    off = 12
    while off < len(mh):
        t = mh[off]
        if t == 0:
            off += 1
            continue
        ln = mh[off + 1]
        if t == OPT_AUTH and off + 2 + ln == len(mh):
            covered = mh[:off + 7]
            want = hmac.new(key, coa + hoa + covered[:4] + b"\0\0" +
                            covered[6:], hashlib.sha1).digest()[:AUTH_LEN]
            return hmac.compare_digest(want, mh[off + 7:])
        off += 2 + ln
    return False


def receiver(iface, ha, base, count, first, duration, conn, ready,
             n_acked):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_IPV6))
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 256 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    s.bind((iface, ETH_P_IPV6))
    s.settimeout(0.05)
    ready.set()
    acked = {}          # index -> (status, monotonic time)
    statuses = {}
    bad_auth = foreign = 0
    first_t = last_t = None
    end = time.monotonic() + duration
    next_poll = 0.0
    stop = False
    while not stop and time.monotonic() < end:
        now = time.monotonic()
        if now >= next_poll:
            next_poll = now + 0.05
            while conn.poll():
                msg = conn.recv()
                if msg == "stop":
                    stop = True
                elif msg == "status":
                    conn.send([i for i, v in acked.items() if v[0] < 128])
        try:
            frame = s.recv(2048)
        except socket.timeout:
            continue
        r = parse_ba(frame, ha)
        if r is None:
            continue
        hoa, status, seq, coa, mh = r
        i = int.from_bytes(hoa, "big") - base
        if not first <= i < first + count:
            foreign += 1
            continue
        if not ba_auth_ok(mh, coa, hoa, key_of(i)):
            bad_auth += 1
            continue
        if i not in acked or acked[i][0] >= 128:
            acked[i] = (status, now)
            statuses[status] = statuses.get(status, 0) + 1
            if status < 128:
                first_t = now if first_t is None else first_t
                last_t = now
            n_acked.value += 1      # answered, whatever the status
    conn.send({"acked": sum(1 for v in acked.values() if v[0] < 128),
               "statuses": {str(k): v for k, v in statuses.items()},
               "bad_auth": bad_auth, "foreign": foreign,
               "first_ack": first_t, "last_ack": last_t,
               "refused": sum(1 for v in acked.values() if v[0] >= 128)})


# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------

LATE_S = 3.0     # an update this late is built again with a fresh timestamp


def send_paced(sock, ha_addr, packets, rate, window=0, answered=None,
               stall=3.0, due=None, rebuild=None):
    """Send packets at rate a second, in 1 ms slices; with a window, no
    more than window updates unanswered (answered(): how many were) unless
    no answer came for stall seconds. due[k]: the wall-clock time packet k
    was built for; later than LATE_S, rebuild(k) makes it again."""
    per_ms = max(1, rate // 1000)
    t0 = time.monotonic()
    base = answered() if window else 0
    for k in range(0, len(packets), per_ms):
        if window:
            last, seen = time.monotonic(), answered()
            while k - (answered() - base) >= window:
                if answered() != seen:
                    last, seen = time.monotonic(), answered()
                elif time.monotonic() - last > stall:
                    break
                time.sleep(0.001)
        late = due is not None and time.time() - due[k] > LATE_S
        for j, p in enumerate(packets[k:k + per_ms]):
            if late:
                p = rebuild(k + j)
            while True:
                try:
                    sock.sendto(p, (ha_addr, 0))
                    break
                except BlockingIOError:
                    time.sleep(0.0002)
                except OSError as e:
                    if e.errno != 105:      # ENOBUFS: the qdisc is full
                        raise
                    time.sleep(0.0005)
        next_t = t0 + (k + per_ms) / rate
        d = next_t - time.monotonic()
        if d > 0:
            time.sleep(d)
    return time.monotonic() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ha", required=True, help="home agent's address6")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--first", type=int, default=0,
                    help="index of the first node (default 0)")
    ap.add_argument("--hoa-base", default=HOA_BASE)
    ap.add_argument("--coa-base", default=COA_BASE)
    ap.add_argument("--rate", type=int, default=20000,
                    help="updates a second (default 20000)")
    ap.add_argument("--window", type=int, default=0,
                    help="at most this many updates unanswered (0: no "
                    "window, the rate alone)")
    ap.add_argument("--lifetime", type=int, default=3600,
                    help="seconds (0 deregisters)")
    ap.add_argument("--iface", default="va",
                    help="where the acknowledgements arrive")
    ap.add_argument("--retry", type=float, default=3.0,
                    help="seconds before an unanswered update goes again")
    ap.add_argument("--tries", type=int, default=3)
    ap.add_argument("--wait", type=float, default=30.0,
                    help="seconds to wait for the last acknowledgements")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)

    ha = socket.inet_pton(socket.AF_INET6, a.ha)
    hoa_base = int(ipaddress.IPv6Address(a.hoa_base))
    units = min(a.lifetime // 4, 0xFFFF)
    seq0 = int(time.time() * 10) & 0x7FFF

    # Each update's timestamp is the moment it is due to leave: the
    # home agent takes it within its replay window (RFC 4285 6: 7 s in
    # the lab) however long the whole load lasts. The send starts once
    # every update is built: when, is estimated from the first ones.
    t_build = time.monotonic()
    nodes = range(a.first, a.first + a.count)
    probe = min(200, a.count)
    for i in range(a.first, a.first + probe):
        build_bu(ha, addr_of(a.hoa_base, i), addr_of(a.coa_base, i),
                 SPI_BASE + i, key_of(i), seq0, units, 0)
    per_bu = (time.monotonic() - t_build) / max(probe, 1)
    start_wall = time.time() + 0.5 + 1.3 * per_bu * a.count
    packets = [build_bu(ha, addr_of(a.hoa_base, i), addr_of(a.coa_base, i),
                        SPI_BASE + i, key_of(i), seq0, units,
                        ntp_of(start_wall + (i - a.first) / max(a.rate, 1)))
               for i in nodes]
    build_s = time.monotonic() - t_build

    parent, child = mp.Pipe()
    ready = mp.Event()
    n_acked = mp.Value("l", 0, lock=False)
    duration = a.count / max(a.rate, 1) + a.wait + a.tries * a.retry + 30
    rx = mp.Process(target=receiver, args=(a.iface, ha, hoa_base, a.count,
                                           a.first, duration, child, ready,
                                           n_acked))
    rx.start()
    ready.wait(10)

    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                         socket.IPPROTO_RAW)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 << 20)
    if time.time() < start_wall:
        time.sleep(start_wall - time.time())
    t0 = time.monotonic()
    due = [start_wall + k / max(a.rate, 1) for k in range(a.count)]

    def rebuild(k):
        i = a.first + k
        return build_bu(ha, addr_of(a.hoa_base, i), addr_of(a.coa_base, i),
                        SPI_BASE + i, key_of(i), seq0, units, ntp_now())
    send_s = send_paced(sock, a.ha, packets, a.rate, a.window,
                        lambda: n_acked.value, due=due, rebuild=rebuild)
    sent, retransmitted = len(packets), 0
    acked = set()
    for attempt in range(1, a.tries):
        deadline = time.monotonic() + a.retry
        while time.monotonic() < deadline:
            parent.send("status")
            acked = set(parent.recv())
            if len(acked) == a.count:
                break
            time.sleep(0.2)
        if len(acked) == a.count:
            break
        ts = ntp_now()
        again = [build_bu(ha, addr_of(a.hoa_base, i),
                          addr_of(a.coa_base, i), SPI_BASE + i, key_of(i),
                          (seq0 + attempt) & 0xFFFF, units, ts)
                 for i in nodes if i not in acked]
        retransmitted += len(again)
        send_paced(sock, a.ha, again, a.rate, a.window,
                   lambda: n_acked.value)
    deadline = time.monotonic() + a.wait
    while time.monotonic() < deadline and len(acked) < a.count:
        parent.send("status")
        acked = set(parent.recv())
        time.sleep(0.2)
    parent.send("stop")
    res = parent.recv()
    rx.join(10)
    out = {"count": a.count, "sent": sent, "retransmitted": retransmitted,
           "acked": res["acked"], "refused": res["refused"],
           "unanswered": a.count - res["acked"] - res["refused"],
           "statuses": res["statuses"], "bad_auth": res["bad_auth"],
           "foreign": res["foreign"], "build_s": round(build_s, 3),
           "send_s": round(send_s, 3),
           "send_rate": round(sent / send_s) if send_s else None,
           "first_ack_s": None if res["first_ack"] is None else
           round(res["first_ack"] - t0, 3),
           "last_ack_s": None if res["last_ack"] is None else
           round(res["last_ack"] - t0, 3),
           "t0_wall": time.time() - (time.monotonic() - t0)}
    print(json.dumps(out) if a.json else
          "\n".join("%s: %s" % kv for kv in out.items()))
    return 0 if out["acked"] == a.count else 1


if __name__ == "__main__":
    sys.exit(main())
