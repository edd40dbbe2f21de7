#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A RADIUS "server" that only forges: every Access-Request gets two
Access-Accepts that a careless client would take, made with Python's
hashlib and hmac (not with Haven's codec):

1. a Response Authenticator that is right for the shared secret, but no
   Message-Authenticator: the shape of a BlastRADIUS (CVE-2024-3596)
   forgery, where an MD5 collision turns a reject into an accept;
2. a Message-Authenticator computed with another secret.

Both assign Framed-IP-Address 203.0.113.66 (not on the home link) and no
key. Run it where the client expects its server:

    radius_forger.py --addr 127.0.0.1 --port 18120 --secret-file F

It prints READY, then one line per datagram answered ("forged <n>").
"""

import argparse
import hashlib
import hmac
import socket
import struct
import sys

FORGED_IP = "203.0.113.66"


def attr(t, v):
    return bytes([t, 2 + len(v)]) + v


def answer(req, secret, ma_secret):
    """An Access-Accept to req: Message-Authenticator made with ma_secret,
    or none when it is None; Response Authenticator with secret."""
    ident, ra = req[1], req[4:20]
    attrs = attr(8, socket.inet_aton(FORGED_IP))
    if ma_secret is not None:
        body = attrs + attr(80, b"\0" * 16)
        msg = bytes([2, ident]) + struct.pack(">H", 20 + len(body)) + ra + \
            body
        attrs += attr(80, hmac.new(ma_secret, msg, hashlib.md5).digest())
    hdr = bytes([2, ident]) + struct.pack(">H", 20 + len(attrs))
    return hdr + hashlib.md5(hdr + ra + attrs + secret).digest() + attrs


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--secret-file", required=True)
    a = p.parse_args()
    with open(a.secret_file) as f:
        secret = f.read().rstrip("\r\n").encode()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.addr, a.port))
    print("READY", flush=True)
    n = 0
    while True:
        req, peer = s.recvfrom(4096)
        if len(req) < 20 or req[0] != 1:       # Access-Requests only
            continue
        s.sendto(answer(req, secret, None), peer)
        s.sendto(answer(req, secret, b"not-the-shared-secret"), peer)
        n += 2
        print("forged %d" % n, flush=True)


if __name__ == "__main__":
    sys.exit(main())
