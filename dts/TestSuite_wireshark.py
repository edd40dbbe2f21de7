# SPDX-License-Identifier: BSD-3-Clause
"""Wireshark suite: the Lua dissector of the delegation protocol
(app/wireshark/haven_deleg.lua) decodes what the PHA and an SHA really
send each other, exactly as docs/delegation-protocol.md writes it.

A real delegation is captured on the lab's home bridge (br0 in <p>-home:
the bridge in promiscuous mode sees every frame between its ports) and
decoded by tshark with the dissector. A second test feeds the dissector
hand-made messages, well formed and malformed, built here from the
specification with struct (no code shared with haven or with the
dissector), and checks its expert info.
"""

import hashlib
import hmac
import os
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from lab import OUT, REPO, Delegation, E, MipClient, wait_until

DISSECTOR = REPO / "app" / "wireshark" / "haven_deleg.lua"
HOA = E.MN_HOME_ADDR
PORT = int(E.DELEG_PORT)
START, START_ACK, STOP, STOP_ACK, REPORT = 1, 2, 3, 4, 5

FIELDS = ("frame.number", "ip.src", "ip.dst", "udp.length",
          "havendeleg.version", "havendeleg.type", "havendeleg.body_len",
          "havendeleg.sender", "havendeleg.receiver", "havendeleg.seq",
          "havendeleg.txid", "havendeleg.family", "havendeleg.hoa",
          "havendeleg.outer_src", "havendeleg.generation",
          "havendeleg.duration", "havendeleg.encap", "havendeleg.n_coa",
          "havendeleg.coa", "havendeleg.status", "havendeleg.reason",
          "havendeleg.load", "havendeleg.capacity", "havendeleg.interval",
          "havendeleg.n_entries", "havendeleg.entry.hoa",
          "havendeleg.entry.generation", "havendeleg.entry.packets",
          "havendeleg.hmac", "_ws.expert.message", "data.data")


def dissect(pcap, display_filter="havendeleg"):
    """tshark with the dissector over a capture: one dict per message,
    field -> value (repeated fields as comma-joined strings)."""
    argv = ["tshark", "-n", "-X", "lua_script:%s" % DISSECTOR,
            "-r", str(pcap), "-Y", display_filter, "-T", "fields",
            "-E", "separator=\t", "-E", "occurrence=a",
            "-E", "aggregator=,"]
    for fld in FIELDS:
        argv += ["-e", fld]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Lua" not in r.stderr or "rror" not in r.stderr, r.stderr
    rows = []
    for line in r.stdout.splitlines():
        vals = line.split("\t")
        vals += [""] * (len(FIELDS) - len(vals))
        rows.append(dict(zip(FIELDS, vals)))
    return rows


def truthy_value(v):
    return v in (1, True, "1", "true", "yes")


def msgs_of(rows, mtype):
    return [r for r in rows if r["havendeleg.type"] == str(mtype)]


class TestSuite_wireshark:
    """The PHA (192.0.2.1, agent 1) in <p>-ha and sha1 (192.0.2.11,
    agent 11) in <p>-sha1 on the home link; the mobile node 192.0.2.100
    registers from 198.51.100.10."""

    @pytest.fixture
    def agents(self, lab, logname):
        """Start sha1 and the PHA (fresh keys), wait until the PHA sees
        sha1 alive; both are stopped at teardown."""
        deleg = Delegation(lab)
        sha1 = deleg.secondary("sha1", log=OUT / ("%s-sha1.log" % logname))
        pha = deleg.pha(log=OUT / ("%s-pha.log" % logname),
                        secondaries=("sha1",))
        started = []
        try:
            for h in (sha1, pha):
                h.spawn()
                started.append(h)
            for h in started:
                h.wait_ready()
            wait_until(lambda: truthy_value(
                (pha.peer("sha1") or {}).get("alive")), 8, 0.1,
                "the PHA sees sha1 alive")
            yield deleg, pha, sha1
        finally:
            for h in reversed(started):
                h.stop()

    def test_dissect_real_delegation(self, lab, agents, tshark):
        """tshark with the dissector decodes a real delegation.

        Steps:
            Start sha1 and the PHA; register 192.0.2.100 from
            198.51.100.10 (lifetime 60 s); capture UDP 4434 on the home
            bridge; console "delegate 192.0.2.100 sha1"; wait until sha1
            holds the binding and 2.5 s more (reports every second);
            console "undelegate 192.0.2.100"; wait until the PHA is local
            and sha1 no longer holds it; stop the capture.
        Verify:
            Every captured delegation datagram decodes as version 1,
            family 4, body length = datagram - 60, without expert info;
            its HMAC field equals HMAC-SHA256 with the configured key over
            what precedes it (Python's hmac). A START 192.0.2.1 -> .11,
            sender 1 receiver 11, home address 192.0.2.100, outer source
            192.0.2.1, one care-of address 198.51.100.10, encap 0,
            duration 1..60; a START_ACK from sha1 with the START's
            transaction ID, status 0, load 1; a REPORT from sha1 with
            transaction ID 0 and an entry for 192.0.2.100 of the START's
            generation; a STOP for 192.0.2.100 with reason 0
            (UNDELEGATE) and a STOP_ACK with its transaction ID, status
            0, load 0.
        """
        deleg, pha, sha1 = agents
        key = deleg.keys["sha1"]
        mip = MipClient(lab, pha.mn(HOA))
        r = mip.register(coa=E.MN_VA_ADDR, lifetime=60)
        assert r.replied and r.code == 0, r
        con = pha.console()
        with tshark("home", E.BRIDGE, "udp port %d" % PORT) as cap:
            time.sleep(0.3)
            con.delegate(HOA, "sha1")
            wait_until(lambda: sha1.secondary_of(HOA), 5, 0.05,
                       "sha1 holds %s" % HOA)
            time.sleep(2.5)
            con.undelegate(HOA)
            wait_until(lambda: pha.delegation_of(HOA) is None and
                       sha1.secondary_of(HOA) is None, 5, 0.05,
                       "%s local again" % HOA)
        rows = dissect(cap.file)
        types = [r["havendeleg.type"] for r in rows]
        print("decoded %d delegation messages: %s" % (len(rows),
                                                     " ".join(types)))
        assert rows, "no delegation message decoded"

        # -- every message: header, lengths, HMAC, no expert info --
        raw = dissect(cap.file, "udp.port == %d" % PORT)
        assert len(raw) == len(rows), \
            "%d datagrams on UDP %d, %d decoded" % (len(raw), PORT, len(rows))
        keyb = bytes.fromhex(key[4:])
        for m in rows:
            assert m["havendeleg.version"] == "1", m
            assert m["havendeleg.family"] == "4", m
            assert int(m["havendeleg.body_len"]) == \
                int(m["udp.length"]) - 8 - 60, m
            assert m["_ws.expert.message"] == "", m
        # the dissector's HMAC field sits where the key says it does
        payloads = udp_payloads(cap.file, PORT)
        assert len(payloads) == len(rows)
        for m, p in zip(rows, payloads):
            assert m["havendeleg.hmac"].replace(":", "") == p[-32:].hex(), m
            assert hmac.new(keyb, p[:-32], hashlib.sha256).digest() == \
                p[-32:], "frame %s: HMAC does not verify" % \
                m["frame.number"]

        # -- START --
        starts = msgs_of(rows, START)
        assert starts, types
        s = starts[0]
        assert (s["ip.src"], s["ip.dst"]) == (E.HA_ADDR, E.SHA1_ADDR), s
        assert (s["havendeleg.sender"], s["havendeleg.receiver"]) == \
            (str(deleg.pha_id), str(deleg.sha["sha1"].id)), s
        assert s["havendeleg.hoa"] == HOA, s
        assert s["havendeleg.outer_src"] == E.HA_ADDR, s
        assert s["havendeleg.n_coa"] == "1", s
        assert s["havendeleg.coa"] == E.MN_VA_ADDR, s
        assert s["havendeleg.encap"] == "0", s
        assert 1 <= int(s["havendeleg.duration"]) <= 60, s
        assert s["havendeleg.txid"] != "0", s
        gen = s["havendeleg.generation"]

        # -- START_ACK --
        acks = [a for a in msgs_of(rows, START_ACK)
                if a["havendeleg.txid"] == s["havendeleg.txid"]]
        assert acks, msgs_of(rows, START_ACK)
        a = acks[0]
        assert (a["ip.src"], a["ip.dst"]) == (E.SHA1_ADDR, E.HA_ADDR), a
        assert a["havendeleg.hoa"] == HOA and \
            a["havendeleg.generation"] == gen, a
        assert a["havendeleg.status"] == "0", a
        assert a["havendeleg.load"] == "1", a

        # -- REPORT with an entry for the delegated binding --
        reports = msgs_of(rows, REPORT)
        assert reports, types
        for rp in reports:
            assert rp["ip.src"] == E.SHA1_ADDR and \
                rp["havendeleg.txid"] == "0", rp
            assert int(rp["havendeleg.interval"]) > 0, rp
        with_entries = [rp for rp in reports
                        if int(rp["havendeleg.n_entries"]) >= 1]
        assert with_entries, reports
        e = with_entries[0]
        assert HOA in e["havendeleg.entry.hoa"].split(","), e
        assert gen in e["havendeleg.entry.generation"].split(","), e

        # -- STOP and STOP_ACK --
        stops = [x for x in msgs_of(rows, STOP)
                 if x["havendeleg.hoa"] == HOA]
        assert stops, types
        st = stops[0]
        assert st["ip.src"] == E.HA_ADDR and \
            st["havendeleg.reason"] == "0", st
        sacks = [x for x in msgs_of(rows, STOP_ACK)
                 if x["havendeleg.txid"] == st["havendeleg.txid"]]
        assert sacks, msgs_of(rows, STOP_ACK)
        assert sacks[0]["havendeleg.status"] == "0", sacks[0]
        assert sacks[0]["havendeleg.hoa"] == HOA, sacks[0]
        assert sacks[0]["havendeleg.load"] == "0", sacks[0]
        keep = OUT / "wireshark-delegation.pcapng"
        os.replace(cap.file, keep)
        print("capture kept in %s" % keep)

    def test_dissect_malformed(self):
        """The dissector's expert info flags what the specification calls
        malformed.

        Steps:
            Build with struct, from docs/delegation-protocol.md, a START
            with two care-of addresses, a START_ACK, a STOP, a STOP_ACK
            and a REPORT with two entries, then: version 2, a START one
            octet too long, a Body Length that disagrees with the
            datagram, family 6, non-zero header reserved octets, unknown
            type 9, a REPORT one octet short, a START with 5 care-of
            addresses, status 7, reason 9, and a 40-octet datagram; write
            them as UDP 4434 datagrams in a pcap; run tshark with the
            dissector.
        Verify:
            The five good messages decode with their fields (both
            care-of addresses, both report entries with their counters,
            the HMAC as the last 32 octets) and no expert info; each bad
            one carries the expected expert message.
        """
        from scapy.all import IP, UDP, Ether, Raw, wrpcap

        good, bad = synthetic_messages()
        fd, name = tempfile.mkstemp(prefix="deleg-synth-", suffix=".pcap",
                                    dir=OUT)
        os.close(fd)
        pcap = Path(name)
        try:
            frames = [Ether(src="02:00:00:00:00:01",
                            dst="02:00:00:00:00:11") /
                      IP(src=E.HA_ADDR, dst=E.SHA1_ADDR) /
                      UDP(sport=PORT, dport=PORT) / Raw(m)
                      for m, _ in good + bad]
            wrpcap(str(pcap), frames)
            rows = dissect(pcap)
        finally:
            pcap.unlink()
        assert len(rows) == len(good) + len(bad), rows
        for (m, want), r in zip(good, rows[:len(good)]):
            assert r["_ws.expert.message"] == "", r
            for k, v in want.items():
                assert r["havendeleg." + k] == v, (k, v, r)
            assert r["havendeleg.hmac"].replace(":", "") == m[-32:].hex()
        for (m, want), r in zip(bad, rows[len(good):]):
            assert want in r["_ws.expert.message"], (want, r)

    def test_dissect_ipv6(self):
        """The dissector decodes Family 6 (IPv6 bindings) and flags what
        section 9 of the specification calls malformed.

        Steps:
            Build with struct, from docs/delegation-protocol.md section 9,
            a Family 6 START with two IPv6 care-of addresses, a START_ACK,
            a STOP, a STOP_ACK and a REPORT with two 36-octet entries,
            then: a START with encap 0, a START one octet too long, an
            IPv4 START body under Family 6, an IPv6 STOP under Family 4,
            a REPORT of 37 entries, a START with home address ::, a START
            with a multicast care-of address, family 5, and an IPv4 START
            with encap 3; write them as UDP 4434 datagrams in a pcap;
            run tshark with the dissector.
        Verify:
            The five good messages decode with their IPv6 fields (hoa6,
            outer_src6, both coa6, both entry.hoa6 with their counters)
            and lengths 92..1396, with no expert info; each bad one
            carries the expected expert message.
        """
        from scapy.all import IP, UDP, Ether, Raw, wrpcap

        good, bad = synthetic_messages6()
        fd, name = tempfile.mkstemp(prefix="deleg-synth6-", suffix=".pcap",
                                    dir=OUT)
        os.close(fd)
        pcap = Path(name)
        try:
            frames = [Ether(src="02:00:00:00:00:01",
                            dst="02:00:00:00:00:11") /
                      IP(src=E.HA_ADDR, dst=E.SHA1_ADDR) /
                      UDP(sport=PORT, dport=PORT) / Raw(m)
                      for m, _ in good + bad]
            wrpcap(str(pcap), frames)
            rows = dissect_fields(pcap, FIELDS6)
        finally:
            pcap.unlink()
        assert len(rows) == len(good) + len(bad), rows
        for (m, want), r in zip(good, rows[:len(good)]):
            assert r["_ws.expert.message"] == "", r
            assert r["havendeleg.family"] == "6", r
            for k, v in want.items():
                assert r["havendeleg." + k] == v, (k, v, r)
            assert r["havendeleg.hmac"].replace(":", "") == m[-32:].hex()
        for (m, want), r in zip(bad, rows[len(good):]):
            assert want in r["_ws.expert.message"], (want, r)

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def udp_payloads(pcap, port):
    """UDP payloads to or from port, in capture order (scapy)."""
    from scapy.all import UDP, rdpcap
    out = []
    for p in rdpcap(str(pcap)):
        if UDP in p and (p[UDP].sport == port or p[UDP].dport == port):
            out.append(bytes(p[UDP].payload))
    return out


def _ip4(a):
    return bytes(int(x) for x in a.split("."))


def _msg(mtype, body, version=1, family=4, body_len=None, reserved=0,
         sender=1, receiver=11, seq=1700000000000001, txid=77,
         key=b"haven-wireshark-suite-key-000032"):
    hdr = struct.pack("!BBHIIQIB", version, mtype,
                      len(body) if body_len is None else body_len,
                      sender, receiver, seq, txid, family) + \
        reserved.to_bytes(3, "big")
    m = hdr + body
    return m + hmac.new(key, m, hashlib.sha256).digest()


def synthetic_messages():
    """(good, bad): good = [(bytes, {field: value})], bad = [(bytes,
    expert message substring)]."""
    hoa, pha, coa1, coa2 = (_ip4(HOA), _ip4(E.HA_ADDR),
                            _ip4(E.MN_VA_ADDR), _ip4(E.MN_VB_ADDR))
    start = hoa + pha + struct.pack("!IIBBBB", 5, 600, 0, 1, 2, 0) + \
        coa1 + coa2
    ack = hoa + struct.pack("!IB3xII", 5, 0, 1, 1024)
    stop = hoa + struct.pack("!IB3x", 5, 1)

    def entry(a, g, p, b):
        return _ip4(a) + struct.pack("!IQQ", g, p, b)
    report = struct.pack("!IIIIQQHHH2x", 1000, 2, 1024, 0x5eed, 7000,
                         560000, 0, 1, 2) + \
        entry(HOA, 5, 5000, 400000) + entry("192.0.2.101", 2, 2000, 160000)
    good = [
        (_msg(START, start), {"type": "1", "hoa": HOA, "outer_src":
                              E.HA_ADDR, "n_coa": "2", "coa": "%s,%s" %
                              (E.MN_VA_ADDR, E.MN_VB_ADDR),
                              "duration": "600", "generation": "5",
                              "body_len": "28", "seq": "1700000000000001",
                              "txid": "77"}),
        (_msg(START_ACK, ack, 1, 4, None, 0, 11, 1),
         {"type": "2", "status": "0", "load": "1", "capacity": "1024"}),
        (_msg(STOP, stop), {"type": "3", "reason": "1", "hoa": HOA}),
        (_msg(STOP_ACK, ack, 1, 4, None, 0, 11, 1),
         {"type": "4", "status": "0"}),
        (_msg(REPORT, report, 1, 4, None, 0, 11, 1, txid=0),
         {"type": "5", "interval": "1000", "load": "2", "n_entries": "2",
          "entry.hoa": "%s,192.0.2.101" % HOA,
          "entry.packets": "5000,2000", "body_len": "88"}),
    ]
    start5 = hoa + pha + struct.pack("!IIBBBB", 5, 600, 0, 0, 5, 0) + \
        coa1 * 5
    bad = [
        (_msg(START, start, version=2), "Unsupported version"),
        (_msg(START, start + b"\0"), "its type and counts say 28"),
        (_msg(START, start, body_len=99),
         "Body Length 99, but the datagram holds 28"),
        (_msg(STOP, stop, family=6), "Family other than 4"),
        (_msg(STOP, stop, reserved=1), "Reserved octets not zero"),
        (_msg(9, b""), "Unknown message type"),
        (_msg(REPORT, report[:-1]), "its type and counts say 88"),
        (_msg(START, start5), "N CoA must be 1..4"),
        (_msg(START_ACK, hoa + struct.pack("!IB3xII", 5, 7, 1, 1)),
         "Status 5..255 is malformed"),
        (_msg(STOP, hoa + struct.pack("!IB3x", 5, 9)),
         "Reason 4..255 is malformed"),
        (_msg(START_ACK, ack)[:40], "outside 60..1400"),
    ]
    return good, bad


# ---------------------------------------------------------------------------
# IPv6 bindings (Family 6, docs/delegation-protocol.md section 9)
# ---------------------------------------------------------------------------

FIELDS6 = ("frame.number", "havendeleg.type", "havendeleg.body_len",
           "havendeleg.family", "havendeleg.hoa6", "havendeleg.outer_src6",
           "havendeleg.generation", "havendeleg.duration",
           "havendeleg.encap", "havendeleg.n_coa", "havendeleg.coa6",
           "havendeleg.status", "havendeleg.reason", "havendeleg.load",
           "havendeleg.n_entries", "havendeleg.entry.hoa6",
           "havendeleg.entry.packets", "havendeleg.hmac",
           "_ws.expert.message")
HOA6, HA6, COA6_A, COA6_B = ("2001:db8:1::100", "2001:db8:1::1",
                             "2001:db8:a::10", "2001:db8:b::10")


def dissect_fields(pcap, fields, display_filter="havendeleg"):
    """As dissect(), with the given fields."""
    argv = ["tshark", "-n", "-X", "lua_script:%s" % DISSECTOR,
            "-r", str(pcap), "-Y", display_filter, "-T", "fields",
            "-E", "separator=\t", "-E", "occurrence=a",
            "-E", "aggregator=,"]
    for fld in fields:
        argv += ["-e", fld]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Lua" not in r.stderr or "rror" not in r.stderr, r.stderr
    rows = []
    for line in r.stdout.splitlines():
        vals = line.split("\t")
        vals += [""] * (len(fields) - len(vals))
        rows.append(dict(zip(fields, vals)))
    return rows


def _ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def synthetic_messages6():
    """(good, bad) of Family 6, as synthetic_messages()."""
    hoa, ha, coa1, coa2 = _ip6(HOA6), _ip6(HA6), _ip6(COA6_A), _ip6(COA6_B)
    start = hoa + ha + struct.pack("!IIBBBB", 5, 600, 3, 1, 2, 0) + \
        coa1 + coa2
    ack = hoa + struct.pack("!IB3xII", 5, 0, 1, 1024)
    stop = hoa + struct.pack("!IB3x", 5, 1)

    def entry(a, g, p, b):
        return _ip6(a) + struct.pack("!IQQ", g, p, b)

    def report(n):
        return struct.pack("!IIIIQQHHH2x", 1000, n, 1024, 0x5eed, 7000,
                           560000, 0, 1, n) + \
            b"".join(entry("2001:db8:1::%x" % (0x100 + i), 5, 5000 - i,
                           400000) for i in range(n))
    good = [
        (_msg(START, start, family=6),
         {"type": "1", "hoa6": HOA6, "outer_src6": HA6, "n_coa": "2",
          "coa6": "%s,%s" % (COA6_A, COA6_B), "encap": "3",
          "duration": "600", "generation": "5", "body_len": "76"}),
        (_msg(START_ACK, ack, 1, 6, None, 0, 11, 1),
         {"type": "2", "hoa6": HOA6, "status": "0", "load": "1",
          "body_len": "32"}),
        (_msg(STOP, stop, family=6),
         {"type": "3", "reason": "1", "hoa6": HOA6, "body_len": "24"}),
        (_msg(STOP_ACK, ack, 1, 6, None, 0, 11, 1),
         {"type": "4", "status": "0", "hoa6": HOA6}),
        (_msg(REPORT, report(2), 1, 6, None, 0, 11, 1, txid=0),
         {"type": "5", "n_entries": "2",
          "entry.hoa6": "2001:db8:1::100,2001:db8:1::101",
          "entry.packets": "5000,4999", "body_len": "112"}),
        (_msg(REPORT, report(36), 1, 6, None, 0, 11, 1, txid=0),
         {"type": "5", "n_entries": "36", "body_len": "1336"}),
    ]
    v4start = _ip4(HOA) + _ip4(E.HA_ADDR) + \
        struct.pack("!IIBBBB", 5, 600, 0, 0, 1, 0) + _ip4(E.MN_VA_ADDR)
    bad = [
        (_msg(START, start[:40] + b"\0" + start[41:], family=6),
         "Encap of Family 6 must be 3"),
        (_msg(START, start + b"\0", family=6), "its type and counts say 76"),
        (_msg(START, v4start, family=6),
         "Family 6, but the body has the length of Family 4"),
        (_msg(STOP, stop, family=4),
         "Family 4, but the body has the length of Family 6"),
        (_msg(REPORT, report(37), 1, 6, None, 0, 11, 1, txid=0),
         "N Entries must be 0..36"),
        (_msg(START, bytes(16) + start[16:], family=6), "Home Address ::"),
        (_msg(START, start[:60] + b"\xff" + start[61:], family=6),
         "Care-of Address multicast"),
        (_msg(STOP, stop, family=5), "Family other than 4 (IPv4) and 6"),
        (_msg(START, v4start[:16] + b"\x03" + v4start[17:]),
         "Encap 3 (IPv6 in IPv6) is for Family 6 only"),
    ]
    return good, bad
