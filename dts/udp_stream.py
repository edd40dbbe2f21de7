#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Numbered UDP stream: a sender and a receiver that count what arrived.

    udp_stream.py send --dst 192.0.2.100 --port 9000 --count 1000 --rate 200
    udp_stream.py recv --port 9000 --duration 10 --out result.json \\
        [--expect 1000] [--idle 2] [--bind ::]

IPv6 works the same way: an IPv6 --dst sends over IPv6, --bind :: (or any
IPv6 address) receives over IPv6.

Every datagram carries a magic word, a sequence number (0, 1, ...) and the
sender's wall-clock time, padded to --size bytes. The receiver writes JSON:
received, unique, duplicates, max_seq, missing_count, missing (ranges, first
50), first_rx / last_rx (wall clock), max_sent_ts (the send time of the
latest datagram received; lets a test tell whether a flow stopped at a
moment), per-source counts, and gaps: the longest silences between two
datagrams (--gap seconds or more, at most 20, longest first) as
{"from": wall clock of the last before, "to": of the first after,
"seconds", "seq_before", "seq_after"}. Both run in namespaces via ip netns exec.
The receiver prints "READY" once its socket is bound, and stops after
--duration seconds, or earlier when --expect datagrams have arrived, or when
nothing arrived for --idle seconds after the first one.
"""

import argparse
import json
import socket
import struct
import sys
import time

MAGIC = 0x48415631          # "HAV1"
HDR = struct.Struct("!IId")  # magic, sequence, send time
MAX_RANGES = 50


def payload(seq, size):
    p = HDR.pack(MAGIC, seq, time.time())
    return p + b"\0" * max(0, size - len(p))


def parse(data):
    """(seq, sent_ts) of a stream datagram, or None."""
    if len(data) < HDR.size:
        return None
    magic, seq, ts = HDR.unpack_from(data)
    if magic != MAGIC:
        return None
    return seq, ts


def ranges(nums):
    """Sorted numbers as [[first, last], ...]."""
    out = []
    for n in nums:
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def family(addr):
    """AF_INET6 for an IPv6 address (it has a colon), else AF_INET."""
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def cmd_send(a):
    s = socket.socket(family(a.dst), socket.SOCK_DGRAM)
    if a.src:
        s.bind((a.src, a.sport))
    elif a.sport:
        s.bind(("::" if ":" in a.dst else "0.0.0.0", a.sport))
    interval = 1.0 / a.rate if a.rate > 0 else 0.0
    start = time.monotonic()
    sent = errors = 0
    for seq in range(a.start, a.start + a.count):
        if interval:
            due = start + (seq - a.start) * interval
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        try:
            s.sendto(payload(seq, a.size), (a.dst, a.port))
            sent += 1
        except OSError:
            errors += 1     # e.g. a transient ARP failure: counted, not fatal
    res = {"sent": sent, "errors": errors,
           "duration": time.monotonic() - start}
    print(json.dumps(res), flush=True)
    return 0 if sent else 1


def cmd_recv(a):
    s = socket.socket(family(a.bind), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((a.bind, a.port))
    print("READY", flush=True)
    seen = {}
    received = foreign = 0
    first_rx = last_rx = None
    max_sent_ts = None
    sources = {}
    gaps = []
    prev_rx = prev_seq = None
    end = time.monotonic() + a.duration
    while True:
        now = time.monotonic()
        timeout = end - now
        if a.idle and last_rx is not None:
            timeout = min(timeout, last_rx_mono + a.idle - now)
        if timeout <= 0:
            break
        s.settimeout(timeout)
        try:
            data, src = s.recvfrom(65535)
        except socket.timeout:
            continue
        p = parse(data)
        if p is None:
            foreign += 1
            continue
        seq, ts = p
        received += 1
        seen[seq] = seen.get(seq, 0) + 1
        sources[src[0]] = sources.get(src[0], 0) + 1
        last_rx = time.time()
        last_rx_mono = time.monotonic()
        if prev_rx is not None and last_rx - prev_rx >= a.gap:
            gaps.append({"from": prev_rx, "to": last_rx,
                         "seconds": last_rx - prev_rx,
                         "seq_before": prev_seq, "seq_after": seq})
        prev_rx, prev_seq = last_rx, seq
        if first_rx is None:
            first_rx = last_rx
        if max_sent_ts is None or ts > max_sent_ts:
            max_sent_ts = ts
        if a.expect and len(seen) >= a.expect and not a.dups:
            break
    max_seq = max(seen) if seen else -1
    upto = a.expect if a.expect else max_seq + 1
    missing = [n for n in range(a.first, upto) if n not in seen]
    res = {
        "received": received,
        "unique": len(seen),
        "duplicates": received - len(seen),
        "max_seq": max_seq,
        "missing_count": len(missing),
        "missing": ranges(missing)[:MAX_RANGES],
        "foreign": foreign,
        "first_rx": first_rx,
        "last_rx": last_rx,
        "max_sent_ts": max_sent_ts,
        "sources": sources,
        "gaps": sorted(gaps, key=lambda g: -g["seconds"])[:20],
    }
    text = json.dumps(res, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    print(json.dumps(res), flush=True)
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    ps = sub.add_parser("send", help="send a numbered stream")
    ps.add_argument("--dst", required=True)
    ps.add_argument("--port", type=int, default=9000)
    ps.add_argument("--count", type=int, default=1000)
    ps.add_argument("--rate", type=float, default=200.0,
                    help="datagrams per second (0: as fast as possible)")
    ps.add_argument("--size", type=int, default=64, help="payload bytes")
    ps.add_argument("--start", type=int, default=0, help="first sequence")
    ps.add_argument("--src", help="bind to this source address")
    ps.add_argument("--sport", type=int, default=0, help="source port")
    pr = sub.add_parser("recv", help="receive and count a stream")
    pr.add_argument("--port", type=int, default=9000)
    pr.add_argument("--bind", default="0.0.0.0",
                    help="address to bind; an IPv6 one (\"::\") makes an "
                    "IPv6 receiver")
    pr.add_argument("--duration", type=float, default=10.0)
    pr.add_argument("--expect", type=int, default=0,
                    help="stop when this many distinct datagrams arrived; "
                    "missing is counted against 0..expect-1")
    pr.add_argument("--dups", action="store_true",
                    help="with --expect: keep listening for duplicates")
    pr.add_argument("--first", type=int, default=0,
                    help="first sequence number expected")
    pr.add_argument("--idle", type=float, default=0.0,
                    help="stop after this long without a datagram")
    pr.add_argument("--gap", type=float, default=0.05,
                    help="report silences of this many seconds or more")
    pr.add_argument("--out", help="JSON result file")
    a = p.parse_args(argv)
    return cmd_send(a) if a.cmd == "send" else cmd_recv(a)


if __name__ == "__main__":
    sys.exit(main())
