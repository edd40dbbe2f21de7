#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora of the packet fuzz targets (docs/fuzzing.md).

The seeds are well-formed messages, made with the lab's independent
clients (dts/mipclient.py and dts/mip6client.py, on scapy), so that
libFuzzer starts from inputs that pass the parsers and the authentication
instead of having to discover them:

    test/fuzz/mip4/   Registration Requests (HMAC-MD5 and HMAC-SHA256,
                      with MN-FA and FA-HA extensions, deregistration,
                      with an RFC 3519 UDP Tunnel Request), Registration
                      Replies (one with a UDP Tunnel Reply), a MIP Tunnel
                      Data message (a keepalive)
    test/fuzz/mip6/   IPv6 packets: Binding Updates (with and without a
                      Home Address option, HMAC-SHA1 and HMAC-SHA256
                      authentication, alternate care-of address), a
                      Binding Acknowledgement, a Neighbor Solicitation, an
                      IPv6-in-IPv6 packet

The keys and SPIs are those the targets verify with (test/fuzz_mip4.c,
test/fuzz_mip6.c): SPI 256, key "haven-fuzz-key-1". Timestamps and
identifications are fixed, so the files are the same at every run. Run it
from anywhere with Debian's python (scapy):

    /usr/bin/python3 test/fuzz/make_seeds.py

The committed files are what the bounded runs use; crash reproducers that
were fixed go in the same folders (docs/fuzzing.md) and are kept.
"""

import hashlib
import hmac
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "dts"))

import mip6client as m6  # noqa: E402
import mipclient as m4  # noqa: E402
from scapy.layers.inet import ICMP, IP, UDP  # noqa: E402
from scapy.layers.inet6 import IPv6, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr  # noqa: E402
from scapy.layers.mobileip import MobileIP, MobileIPRRP  # noqa: E402

KEY = b"haven-fuzz-key-1"
SPI = 256
IDENT = 0xE8A1B2C300000001          # a fixed NTP-format identification
TS = 0xE8A1B2C300000002             # a fixed NTP-format timestamp


def write(folder, name, data):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(bytes(data))


def ext(etype, body):
    return bytes([etype, len(body)]) + body


def mip4_seeds(out):
    hoa, ha, coa = "192.0.2.100", "192.0.2.1", "198.51.100.10"
    rrq, _ = m4.build_request(hoa, ha, coa, SPI, KEY, "hmac-md5",
                              lifetime=600, ident=IDENT)
    write(out, "rrq-md5", rrq)
    # HMAC-SHA256 is tried on odd-sized inputs (fuzz_mip4.c): a skippable
    # extension (type 130, RFC 5944 1.9) of one byte before MN-HA
    rrq, _ = m4.build_request(hoa, ha, coa, SPI, KEY, no_auth=True,
                              lifetime=600, ident=IDENT)
    rrq += ext(130, b"\x00")
    write(out, "rrq-sha256", rrq + m4.mn_ha_extension("hmac-sha256", KEY,
                                                        SPI, rrq))
    rrq, _ = m4.build_request(hoa, ha, coa, SPI, KEY, "hmac-md5",
                              lifetime=0, ident=IDENT)
    write(out, "rrq-dereg", rrq)
    rrq, _ = m4.build_request(hoa, ha, coa, SPI, KEY, "hmac-md5",
                              lifetime=600, ident=IDENT,
                              flags=m4.parse_flags("SBDMGT"))
    write(out, "rrq-all-flags", rrq)
    # MN-HA, then MN-FA (33) and FA-HA (34) authentication extensions
    # appended by a foreign agent, each over everything before it
    base, _ = m4.build_request(hoa, ha, "203.0.113.1", SPI, KEY,
                               "hmac-md5", lifetime=600, ident=IDENT)
    for etype in (33, 34):
        spi = struct.pack("!I", 300)
        mac = hmac.new(KEY, base + bytes([etype, 20]) + spi,
                       hashlib.md5).digest()
        base += ext(etype, spi + mac)
    write(out, "rrq-fa-extensions", base)
    rrp = MobileIP(type=m4.TYPE_RRP) / MobileIPRRP(
        code=0, lifetime=600, homeaddr=hoa, haaddr=ha, id=IDENT)
    msg = bytes(rrp)
    write(out, "rrp-md5", msg + m4.mn_ha_extension("hmac-md5", KEY, SPI,
                                                     msg))
    rrp = MobileIP(type=m4.TYPE_RRP) / MobileIPRRP(
        code=133, lifetime=0, homeaddr=hoa, haaddr=ha, id=IDENT)
    msg = bytes(rrp)
    write(out, "rrp-133", msg + m4.mn_ha_extension("hmac-md5", KEY, SPI,
                                                     msg))
    # RFC 3519: a request with a UDP Tunnel Request (F set), the reply
    # with a UDP Tunnel Reply (code 0, F, keepalive 25 s), and a MIP
    # Tunnel Data message carrying a keepalive (ICMP echo request to the
    # home agent)
    rrq, _ = m4.build_request(hoa, ha, "198.51.100.138", SPI, KEY,
                              "hmac-md5", lifetime=600, ident=IDENT,
                              udp=True, udp_force=True)
    write(out, "rrq-udp-tunnel", rrq)
    rrp = MobileIP(type=m4.TYPE_RRP) / MobileIPRRP(
        code=0, lifetime=600, homeaddr=hoa, haaddr=ha, id=IDENT)
    msg = bytes(rrp) + struct.pack("!BBBBHH", m4.EXT_UDP_TUN_REP, 6, 0, 0,
                                   m4.UDP_REP_F, 25)
    write(out, "rrp-udp-tunnel", msg + m4.mn_ha_extension("hmac-md5", KEY,
                                                            SPI, msg))
    ping = IP(src=hoa, dst=ha, id=1) / ICMP(type=8, id=0x4b41, seq=1)
    write(out, "tunnel-keepalive", struct.pack("!BBH", 4, 4, 0) +
          bytes(ping))


def mip6_seeds(out):
    # fuzz_mip6.c verifies with care-of and home address 2001:db8::1
    a, ha = "2001:db8::1", "2001:db8::2"
    bu = m6.build_bu(ha, a, a, SPI, KEY, "hmac-sha1", lifetime=600,
                     seq=7, timestamp=TS)
    write(out, "bu-hao-sha1", bu.packet)
    write(out, "bu-mh-only", bu.mh)
    bu = m6.build_bu(ha, a, a, SPI, KEY, "hmac-sha256", lifetime=600,
                     seq=8, timestamp=TS)
    write(out, "bu-hao-sha256", bu.packet)
    bu = m6.build_bu(ha, a, a, SPI, KEY, "hmac-sha1", lifetime=0, seq=9,
                     timestamp=TS, no_hao=True)
    write(out, "bu-dereg-no-hao", bu.packet)
    bu = m6.build_bu(ha, "2001:db8:1::100", "2001:db8:a::10", SPI, KEY,
                     "hmac-sha1", lifetime=600, seq=10, timestamp=TS,
                     alt_coa="2001:db8:a::10", flags="AHL")
    write(out, "bu-alt-coa", bu.packet)
    # Binding Acknowledgement: status 0, sequence 7, lifetime 150 units
    ba = bytearray(struct.pack("!BBBBHBBHH", m6.NH_NONE, 1, m6.MH_BA, 0, 0,
                               0, 0, 7, 150))
    ba += b"\x00" * (16 - len(ba))
    struct.pack_into("!H", ba, 4, m6.mh_checksum(ha, a, bytes(ba)))
    write(out, "ba", IPv6(src=ha, dst=a, nh=m6.NH_MH) / bytes(ba))
    ns = IPv6(src="2001:db8:1::fe", dst="ff02::1:ff00:100", hlim=255) / \
        ICMPv6ND_NS(tgt="2001:db8:1::100") / \
        ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:fe")
    write(out, "ns", ns)
    tun = IPv6(src="2001:db8:a::10", dst="2001:db8:1::1") / \
        IPv6(src="2001:db8:1::100", dst="2001:db8:2::1", hlim=63) / \
        UDP(sport=4000, dport=5000) / b"haven"
    write(out, "ip6ip6", tun)


def main():
    mip4_seeds(HERE / "mip4")
    mip6_seeds(HERE / "mip6")
    for d in ("mip4", "mip6"):
        files = sorted((HERE / d).iterdir())
        print("%s: %d seeds, %d bytes" % (d, len(files),
                                          sum(f.stat().st_size
                                              for f in files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
