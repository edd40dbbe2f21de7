#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Independent vectors of RFC 3519 (Mobile IP traversal of NAT devices)
for test/test_mip4.c: a Registration Request with a UDP Tunnel Request
extension (type 144, F set, encapsulation 4), the Registration Reply that
accepts it with a UDP Tunnel Reply extension (type 44, code 0, F, keepalive
interval 25 s), and a MIP Tunnel Data message (type 4, next header 4)
carrying an ICMP echo request to the home agent (a keepalive), built
with scapy's layers and Python's hmac (RFC 5944 3.5.1), not with Haven's
codec. The field layouts are those of RFC 3519 sections 3.1 to 3.3, as
Wireshark's Mobile IP dissector reads them (mip.ext.utrq.*,
mip.ext.utrp.*, mip.nattt.*). Run it to print the C arrays pasted into
test_mip4.c:

    /usr/bin/python3 test/mip4_udp_vectors.py
"""

import struct
import sys
from pathlib import Path

from scapy.layers.inet import ICMP, IP
from scapy.layers.mobileip import MobileIP, MobileIPRRP, MobileIPRRQ

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mip4_nai_vectors import c_array, mn_ha  # noqa: E402

KEY = b"haven-udp-tunnel-key"
SPI = 1002
IDENT = 0xe8a1b2c3_00000002


def udp_req_ext(force, encap):
    """Type 144, Length 6, Sub-Type 0, Reserved 1, F R Reserved 2,
    Encapsulation, Reserved 3."""
    return struct.pack("!BBBBBBH", 144, 6, 0, 0, 0x80 if force else 0,
                       encap, 0)


def udp_rep_ext(code, forced, keepalive):
    """Type 44, Length 6, Sub-Type 0, Reply Code, F and 15 reserved bits,
    Keepalive Interval."""
    return struct.pack("!BBBBHH", 44, 6, 0, code,
                       0x8000 if forced else 0, keepalive)


def main():
    rrq = bytes(MobileIP(type=1) / MobileIPRRQ(
        flags=0x02, lifetime=600, homeaddr="192.0.2.100",
        haaddr="192.0.2.1", coaddr="198.51.100.138", id=IDENT))
    rrq = mn_ha(rrq + udp_req_ext(True, 4), SPI, KEY)
    rrp = bytes(MobileIP(type=3) / MobileIPRRP(
        code=0, lifetime=600, homeaddr="192.0.2.100", haaddr="192.0.2.1",
        id=IDENT))
    rrp = mn_ha(rrp + udp_rep_ext(0, True, 25), SPI, KEY)
    ping = bytes(IP(src="192.0.2.100", dst="192.0.2.1", id=1) /
                 ICMP(type=8, id=0x4b41, seq=1))
    data = struct.pack("!BBH", 4, 4, 0) + ping
    print(c_array("udp_rrq", rrq))
    print(c_array("udp_rrp", rrp))
    print(c_array("udp_keepalive", data))


if __name__ == "__main__":
    main()
