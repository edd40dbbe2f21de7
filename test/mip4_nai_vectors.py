#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Independent vectors of the RFC 2794 Mobile Node NAI extension for
test/test_mip4.c: a Registration Request of a NAI-only node (home address
0.0.0.0) and the Registration Reply that assigns its home address, built
with scapy's Mobile IP layers and Python's hmac (RFC 5944 3.5.1:
HMAC-MD5 over the message up to and including the SPI), not with Haven's
codec. Run it to print the C arrays pasted into test_mip4.c:

    /usr/bin/python3 test/mip4_nai_vectors.py
"""

import hashlib
import hmac
import struct

from scapy.layers.mobileip import MobileIP, MobileIPRRP, MobileIPRRQ

NAI = b"mn-nai-only@lab.example"
KEY = b"haven-nai-only-key"
SPI = 1001
IDENT = 0xe8a1b2c3_00000001


def nai_ext(nai):
    """RFC 2794 section 2: Type 131, Length, MN-NAI."""
    return bytes([131, len(nai)]) + nai


def mn_ha(msg, spi, key):
    """MN-HA extension (RFC 5944 3.5.2), authenticator per 3.5.1."""
    head = msg + bytes([32, 4 + 16]) + struct.pack(">I", spi)
    return head + hmac.new(key, head, hashlib.md5).digest()


def c_array(name, data):
    lines = []
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    return "static const uint8_t %s[%d] = {\n%s\n};\n" % (
        name, len(data), "\n".join(lines))


def main():
    rrq = bytes(MobileIP(type=1) / MobileIPRRQ(
        flags=0x02, lifetime=600, homeaddr="0.0.0.0", haaddr="192.0.2.1",
        coaddr="198.51.100.10", id=IDENT))
    rrq = mn_ha(rrq + nai_ext(NAI), SPI, KEY)
    rrp = bytes(MobileIP(type=3) / MobileIPRRP(
        code=0, lifetime=600, homeaddr="192.0.2.150", haaddr="192.0.2.1",
        id=IDENT))
    rrp = mn_ha(rrp + nai_ext(NAI), SPI, KEY)
    print(c_array("nai_rrq", rrq))
    print(c_array("nai_rrp", rrp))


if __name__ == "__main__":
    main()
