# SPDX-License-Identifier: BSD-3-Clause
"""Wireshark suite: the Lua dissector of the delegation protocol
(app/wireshark/haven_deleg.lua) decodes what the PHA and an SHA really
send each other, exactly as docs/delegation-protocol.md writes it, and
verifies their HMACs with the keys preference.

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

import deleg_msg as D
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


# Fields of the extension the real capture is checked with.
FIELDS_REAL_EXT = ("havendeleg.n_records", "havendeleg.record.kind",
                   "havendeleg.record.family", "havendeleg.record.txid",
                   "havendeleg.window", "havendeleg.features",
                   "havendeleg.digest", "havendeleg.hmac_status")


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
        """tshark with the dissector decodes a real delegation, which the
        agents carry out with the scale extension (section 11).

        Steps:
            Start sha1 and the PHA (the PHA offered the extension with a
            SYNC at start); register 192.0.2.100 from 198.51.100.10
            (lifetime 60 s); capture UDP 4434 on the home bridge; console
            "delegate 192.0.2.100 sha1"; wait until sha1 holds the
            binding and 2.5 s more (heartbeats every second); console
            "undelegate 192.0.2.100"; wait until the PHA is local and
            sha1 no longer holds it; stop the capture; decode it with the
            key of the pair in the dissector's keys preference.
        Verify:
            Every captured delegation datagram decodes as version 1,
            Family 0 (BATCH, BATCH_ACK, HEARTBEAT, SYNC) or 4, body length
            = datagram - 60, without expert info, its HMAC verified by the
            dissector ("good") and by Python's hmac. A BATCH 192.0.2.1 ->
            .11, sender 1 receiver 11, with a START record for
            192.0.2.100: outer source 192.0.2.1, one care-of address
            198.51.100.10, encap 0, duration 1..60; a BATCH_ACK from sha1
            echoing the BATCH's Transaction ID, whose START_ACK record
            echoes the record's, status 0, load 1; HEARTBEATs from sha1
            (Transaction ID 0, window and BATCH feature set) whose digest
            while it holds the binding is the digest of section 11.6
            computed here for (192.0.2.100, the START's generation); a
            BATCH with a STOP record, reason 0 (UNDELEGATE), and a
            BATCH_ACK with its STOP_ACK record, status 0, load 0.
        """
        deleg, pha, sha1 = agents
        key = deleg.keys["sha1"]
        keyb = bytes.fromhex(key[4:])
        sha_id = str(deleg.sha["sha1"].id)
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
        rows = dissect_fields(cap.file, FIELDS + FIELDS_REAL_EXT,
                              prefs=["havendeleg.keys:%s=%s" %
                                     (sha_id, key)])
        types = [r["havendeleg.type"] for r in rows]
        print("decoded %d delegation messages: %s" % (len(rows),
                                                     " ".join(types)))
        assert rows, "no delegation message decoded"

        # -- every message: header, lengths, HMAC, no expert info --
        raw = dissect(cap.file, "udp.port == %d" % PORT)
        assert len(raw) == len(rows), \
            "%d datagrams on UDP %d, %d decoded" % (len(raw), PORT, len(rows))
        for m in rows:
            assert m["havendeleg.version"] == "1", m
            want_family = "0" if m["havendeleg.type"] in \
                ("6", "7", "8", "10") else "4"
            assert m["havendeleg.family"] == want_family, m
            assert int(m["havendeleg.body_len"]) == \
                int(m["udp.length"]) - 8 - 60, m
            assert m["_ws.expert.message"] == "", m
            assert m["havendeleg.hmac_status"] == "good", m
        payloads = udp_payloads(cap.file, PORT)
        assert len(payloads) == len(rows)
        for m, p in zip(rows, payloads):
            assert m["havendeleg.hmac"].replace(":", "") == p[-32:].hex(), m
            assert hmac.new(keyb, p[:-32], hashlib.sha256).digest() == \
                p[-32:], "frame %s: HMAC does not verify" % \
                m["frame.number"]

        # -- the START, in a BATCH --
        starts = [m for m in msgs_of(rows, D.BATCH)
                  if m["havendeleg.record.kind"] == "1"]
        assert starts, types
        s = starts[0]
        assert (s["ip.src"], s["ip.dst"]) == (E.HA_ADDR, E.SHA1_ADDR), s
        assert (s["havendeleg.sender"], s["havendeleg.receiver"]) == \
            (str(deleg.pha_id), sha_id), s
        assert s["havendeleg.n_records"] == "1", s
        assert s["havendeleg.record.family"] == "4", s
        assert s["havendeleg.hoa"] == HOA, s
        assert s["havendeleg.outer_src"] == E.HA_ADDR, s
        assert s["havendeleg.n_coa"] == "1", s
        assert s["havendeleg.coa"] == E.MN_VA_ADDR, s
        assert s["havendeleg.encap"] == "0", s
        assert 1 <= int(s["havendeleg.duration"]) <= 60, s
        assert s["havendeleg.txid"] != "0", s
        assert s["havendeleg.record.txid"] != "0", s
        gen = s["havendeleg.generation"]

        # -- its BATCH_ACK --
        acks = [a for a in msgs_of(rows, D.BATCH_ACK)
                if a["havendeleg.txid"] == s["havendeleg.txid"]]
        assert acks, msgs_of(rows, D.BATCH_ACK)
        a = acks[0]
        assert (a["ip.src"], a["ip.dst"]) == (E.SHA1_ADDR, E.HA_ADDR), a
        assert a["havendeleg.record.kind"] == "2", a
        assert a["havendeleg.record.txid"] == \
            s["havendeleg.record.txid"], a
        assert a["havendeleg.hoa"] == HOA and \
            a["havendeleg.generation"] == gen, a
        assert a["havendeleg.status"] == "0", a
        assert a["havendeleg.load"] == "1", a

        # -- HEARTBEATs, with the digest of what sha1 holds --
        beats = msgs_of(rows, D.HEARTBEAT)
        assert beats, types
        for hb in beats:
            assert hb["ip.src"] == E.SHA1_ADDR and \
                hb["havendeleg.txid"] == "0", hb
            assert int(hb["havendeleg.interval"]) > 0, hb
            assert int(hb["havendeleg.window"]) > 0, hb
            assert int(hb["havendeleg.features"], 16) & D.FEAT_BATCH, hb
        want = "0x%016x" % D.digest([(HOA, int(gen))])
        holding = [hb for hb in beats if hb["havendeleg.load"] == "1"]
        assert holding, beats
        for hb in holding:
            assert hb["havendeleg.digest"] == want, (want, hb)

        # -- the STOP, in a BATCH, and its BATCH_ACK --
        stops = [x for x in msgs_of(rows, D.BATCH)
                 if x["havendeleg.record.kind"] == "3" and
                 x["havendeleg.hoa"] == HOA]
        assert stops, types
        st = stops[0]
        assert st["ip.src"] == E.HA_ADDR and \
            st["havendeleg.reason"] == "0", st
        sacks = [x for x in msgs_of(rows, D.BATCH_ACK)
                 if x["havendeleg.txid"] == st["havendeleg.txid"]]
        assert sacks, msgs_of(rows, D.BATCH_ACK)
        assert sacks[0]["havendeleg.record.kind"] == "4", sacks[0]
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

    def test_dissect_extension(self):
        """The dissector decodes the scale extension's six messages,
        batched records of both families and UDP tunnelling, and flags
        what section 11 calls malformed.

        Steps:
            Build with struct, from docs/delegation-protocol.md sections
            11.2 to 11.9 and 2.3.1 (dts/deleg_msg.py, no code shared with
            haven or the dissector): a BATCH of an IPv4 START with two
            care-of addresses, an IPv6 START, an IPv4 STOP and a START of
            encap 4 (UDP to a NAT); its BATCH_ACK; a HEARTBEAT; COUNTERS
            of both families; a SYNC; INVENTORY parts of both families
            with their digests computed here; then a BATCH with a header
            Family, records of kind 2, of length past the end, of
            transaction 0, a BATCH of 0 records, octets after the records,
            a START record whose length and CoA count disagree, an ack
            record of kind 1, a status 9, a 45-octet HEARTBEAT, a window
            0, COUNTERS of 0 entries or of Family 0, an INVENTORY part 2
            of 2, 67 IPv6 inventory entries, a SYNC of Family 4, a UDP
            START with Next Header 5, NAT port 0, or without its UDP
            block; run tshark with the dissector.
        Verify:
            Every good message decodes with its fields (record kinds,
            families, lengths and transaction IDs; each record's home
            address, care-of addresses, generation; NAT address and port;
            window, features, digest; entries) and no expert info; each
            bad one carries the expected expert message.
        """
        good, bad = synthetic_extension()
        rows = dissect_synthetic(good + bad, FIELDS_EXT)
        assert len(rows) == len(good) + len(bad), rows
        for (m, want), r in zip(good, rows[:len(good)]):
            assert r["_ws.expert.message"] == "", r
            for k, v in want.items():
                assert r["havendeleg." + k] == v, (k, v, r)
        for (m, want), r in zip(bad, rows[len(good):]):
            assert want in r["_ws.expert.message"], (want, r)

    def test_dissect_hmac_keys(self):
        """With the keys preference set, the dissector verifies every
        HMAC and flags a wrong one.

        Steps:
            Build a START from the PHA (agent 1) to SHA 11 signed with the
            key of that pair, a BATCH_ACK from SHA 12 to the PHA signed
            with the key of theirs, a HEARTBEAT of SHA 11, the same START
            with one bit of its HMAC flipped, and a HEARTBEAT of SHA 11
            signed with SHA 12's key; run tshark with
            -o havendeleg.keys:11=hex:<key of 1 and 11>,1-12=<key of 1 and
            12>, then without it.
        Verify:
            With the keys: hmac_status "good" and no expert info on the
            three genuine ones; "bad" and the expert message "HMAC-SHA256
            does not verify" on the two others. Without: "no key"
            everywhere and no expert info.
        """
        k11 = bytes(range(1, 33))
        k12 = hashlib.sha256(b"pair 1-12").digest()
        start = D.message(D.START, D.start_body(HOA, E.HA_ADDR, 3, 60,
                                                [E.MN_VA_ADDR]), k11)
        back = D.message(D.BATCH_ACK, D.batch_ack(
            [D.ack_record(D.START_ACK, HOA, 3, 5)], 1, 100), k12,
            family=0, sender=12, receiver=1)
        hb = D.message(D.HEARTBEAT, D.heartbeat(100, 1, 100, 7, 32, 1, 0),
                       k11, family=0, sender=11, receiver=1, txid=0)
        flipped = D.flip_mac_bit(start, 5)
        wrong = D.sign(hb, k12)
        msgs = [(start, ""), (back, ""), (hb, ""), (flipped, "bad"),
                (wrong, "bad")]
        keys = "havendeleg.keys:11=hex:%s,1-12=%s" % (k11.hex(), k12.hex())
        rows = dissect_synthetic(msgs, FIELDS_EXT, prefs=[keys])
        assert len(rows) == 5, rows
        for (m, want), r in zip(msgs, rows):
            if want == "":
                assert r["havendeleg.hmac_status"] == "good", r
                assert r["_ws.expert.message"] == "", r
            else:
                assert r["havendeleg.hmac_status"] == "bad", r
                assert "HMAC-SHA256 does not verify" in \
                    r["_ws.expert.message"], r
        rows = dissect_synthetic(msgs, FIELDS_EXT)
        for r in rows:
            assert r["havendeleg.hmac_status"] == "no key", r
            assert r["_ws.expert.message"] == "", r


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
        (_msg(12, b""), "Unknown message type"),
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


def dissect_fields(pcap, fields, display_filter="havendeleg", prefs=()):
    """As dissect(), with the given fields (and -o prefs)."""
    argv = ["tshark", "-n", "-X", "lua_script:%s" % DISSECTOR,
            "-r", str(pcap), "-Y", display_filter, "-T", "fields",
            "-E", "separator=\t", "-E", "occurrence=a",
            "-E", "aggregator=,"]
    for p in prefs:
        argv += ["-o", p]
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

# ---------------------------------------------------------------------------
# The scale extension (section 11) and UDP tunnelling (2.3.1)
# ---------------------------------------------------------------------------

FIELDS_EXT = ("frame.number", "havendeleg.type", "havendeleg.family",
              "havendeleg.body_len", "havendeleg.txid",
              "havendeleg.n_records", "havendeleg.record.kind",
              "havendeleg.record.family", "havendeleg.record.length",
              "havendeleg.record.txid", "havendeleg.hoa",
              "havendeleg.hoa6", "havendeleg.coa", "havendeleg.coa6",
              "havendeleg.generation", "havendeleg.encap",
              "havendeleg.reason", "havendeleg.status",
              "havendeleg.udp_src_port", "havendeleg.udp_next_header",
              "havendeleg.nat_addr", "havendeleg.nat_port",
              "havendeleg.load", "havendeleg.capacity",
              "havendeleg.interval", "havendeleg.window",
              "havendeleg.features", "havendeleg.features.udp",
              "havendeleg.digest", "havendeleg.n_entries",
              "havendeleg.entry.hoa", "havendeleg.entry.hoa6",
              "havendeleg.entry.generation", "havendeleg.entry.packets",
              "havendeleg.part", "havendeleg.parts",
              "havendeleg.hmac_status", "_ws.expert.message")
KEY_EXT = b"haven-wireshark-suite-key-000032"
NAT_A, NAT_B = "203.0.113.77", "198.51.100.99"


def dissect_synthetic(msgs, fields, prefs=()):
    """[(bytes, anything)] as UDP 4434 datagrams in a pcap, PHA ->
    sha1, decoded by tshark with the dissector (and -o prefs)."""
    from scapy.all import IP, UDP, Ether, Raw, wrpcap

    fd, name = tempfile.mkstemp(prefix="deleg-synth-", suffix=".pcap",
                                dir=OUT)
    os.close(fd)
    pcap = Path(name)
    try:
        wrpcap(str(pcap), [Ether(src="02:00:00:00:00:01",
                                 dst="02:00:00:00:00:11") /
                           IP(src=E.HA_ADDR, dst=E.SHA1_ADDR) /
                           UDP(sport=PORT, dport=PORT) / Raw(m)
                           for m, _ in msgs])
        return dissect_fields(pcap, fields, prefs=prefs)
    finally:
        pcap.unlink()


def _hex64(n):
    return "0x%016x" % n


def synthetic_extension():
    """(good, bad) of section 11 and 2.3.1, as synthetic_messages()."""
    k = KEY_EXT
    s4 = D.start_body(HOA, E.HA_ADDR, 5, 600, [E.MN_VA_ADDR, E.MN_VB_ADDR],
                      flags=1)
    s6 = D.start_body(HOA6, HA6, 6, 600, [COA6_A])
    st = D.stop_body("192.0.2.101", 9, 2)
    su = D.start_body("192.0.2.102", E.HA_ADDR, 7, 600, ["10.1.0.5"],
                      udp=(434, 4, [(NAT_A, 40001)]))
    recs = [D.record(D.START, 4, s4, 101), D.record(D.START, 6, s6, 102),
            D.record(D.STOP, 4, st, 103), D.record(D.START, 4, su, 104)]
    acks = [D.ack_record(D.START_ACK, HOA, 5, 101),
            D.ack_record(D.START_ACK, HOA6, 6, 102, status=1),
            D.ack_record(D.STOP_ACK, "192.0.2.101", 9, 103, status=2)]
    held4 = [(HOA, 5), ("192.0.2.101", 9), ("192.0.2.102", 7)]
    held6 = [(HOA6, 6), ("2001:db8:1::101", 2)]
    dig = D.digest(held4)
    good = [
        (D.message(D.BATCH, D.batch(recs), k, family=0, txid=900),
         {"type": "6", "family": "0", "txid": "900", "n_records": "4",
          "record.kind": "1,1,3,1", "record.family": "4,6,4,4",
          "record.length": "36,68,20,44", "record.txid": "101,102,103,104",
          "hoa": "%s,192.0.2.101,192.0.2.102" % HOA, "hoa6": HOA6,
          "coa": "%s,%s,10.1.0.5" % (E.MN_VA_ADDR, E.MN_VB_ADDR),
          "coa6": COA6_A, "generation": "5,6,9,7", "encap": "0,3,4",
          "reason": "2", "udp_src_port": "434", "udp_next_header": "4",
          "nat_addr": NAT_A, "nat_port": "40001",
          "body_len": str(4 + 36 + 68 + 20 + 44)}),
        (D.message(D.BATCH_ACK, D.batch_ack(acks, 2, 1024), k, family=0,
                   sender=11, receiver=1, txid=900),
         {"type": "7", "n_records": "3", "record.kind": "2,2,4",
          "record.family": "4,6,4", "record.txid": "101,102,103",
          "status": "0,1,2", "hoa": "%s,192.0.2.101" % HOA,
          "hoa6": HOA6, "load": "2", "capacity": "1024",
          "body_len": str(12 + 16 + 28 + 16)}),
        (D.message(D.HEARTBEAT, D.heartbeat(100, 3, 16384, 0x5eed, 32,
                                            D.FEAT_BATCH | D.FEAT_UDP,
                                            dig, 7000, 560000), k,
                   family=0, sender=11, receiver=1, txid=0),
         {"type": "8", "interval": "100", "window": "32",
          "features": "0x0003", "features.udp": "1",
          "digest": _hex64(dig), "load": "3", "body_len": "44"}),
        (D.message(D.COUNTERS, D.counters([D.entry(HOA, 5, 10, 1500),
                                           D.entry("192.0.2.101", 9, 20,
                                                   3000)]), k,
                   sender=11, receiver=1, txid=0),
         {"type": "9", "family": "4", "n_entries": "2",
          "entry.hoa": "%s,192.0.2.101" % HOA,
          "entry.packets": "10,20", "body_len": "52"}),
        (D.message(D.COUNTERS, D.counters([D.entry(HOA6, 6, 30, 4500)]), k,
                   family=6, sender=11, receiver=1, txid=0),
         {"type": "9", "family": "6", "entry.hoa6": HOA6,
          "entry.packets": "30", "body_len": "40"}),
        (D.message(D.SYNC, D.sync(7), k, family=0, txid=321),
         {"type": "10", "family": "0", "features": "0x0007",
          "txid": "321", "body_len": "4"}),
        (D.message(D.INVENTORY, D.inventory(held4, parts=2), k,
                   sender=11, receiver=1, txid=321),
         {"type": "11", "family": "4", "n_entries": "3", "part": "0",
          "parts": "2", "entry.hoa": "%s,192.0.2.101,192.0.2.102" % HOA,
          "entry.generation": "5,9,7", "digest": _hex64(dig),
          "body_len": str(20 + 3 * 8)}),
        (D.message(D.INVENTORY, D.inventory(held6, part=1, parts=2,
                                            dig=D.digest(held4 + held6)),
                   k, family=6, sender=11, receiver=1, txid=321),
         {"type": "11", "family": "6", "part": "1",
          "entry.hoa6": "%s,2001:db8:1::101" % HOA6,
          "digest": _hex64(D.digest(held4 + held6)),
          "body_len": str(20 + 2 * 20)}),
        (D.message(D.START, su, k),
         {"type": "1", "encap": "4", "udp_src_port": "434",
          "nat_addr": NAT_A, "nat_port": "40001", "body_len": "36"}),
    ]
    su2 = D.start_body("192.0.2.102", E.HA_ADDR, 7, 600, ["10.1.0.5"],
                       udp=(434, 5, [(NAT_A, 40001)]))
    su3 = D.start_body("192.0.2.102", E.HA_ADDR, 7, 600, ["10.1.0.5"],
                       udp=(434, 4, [(NAT_A, 0)]))
    s4_3 = s4[:18] + b"\x03" + s4[19:]      # N CoA 3 with two CoAs
    bad = [
        (D.message(D.BATCH, D.batch(recs), k, family=4),
         "Family of BATCH must be 0"),
        (D.message(D.BATCH, D.batch([D.record(2, 4, st, 5)]), k, family=0),
         "Record kind must be 1 (START) or 3 (STOP)"),
        (D.message(D.BATCH, D.batch([D.record(D.STOP, 4, st, 5,
                                              length=99)]), k, family=0),
         "Record length 99, 20 octets left"),
        (D.message(D.BATCH, D.batch([D.record(D.STOP, 4, st, 0)]), k,
                   family=0), "Transaction ID 0"),
        (D.message(D.BATCH, D.batch([], n=0), k, family=0),
         "N Records must be 1..64"),
        (D.message(D.BATCH, D.batch([D.record(D.STOP, 4, st, 5)]) +
                   b"\0\0", k, family=0), "2 octets after the records"),
        (D.message(D.BATCH, D.batch([D.record(D.START, 4, s4_3, 5)]), k,
                   family=0), "START record body of 28 octets; its "
                   "fields say 32"),
        (D.message(D.BATCH_ACK, D.batch_ack(
            [struct.pack("!BBBBII", 1, 4, 0, 0, 5, 5) + D.addr(HOA)]),
            k, family=0), "Ack record kind must be 2 or 4"),
        (D.message(D.BATCH_ACK, D.batch_ack(
            [D.ack_record(D.START_ACK, HOA, 5, 5, status=9)]), k,
            family=0), "Status 5..255 is malformed"),
        (D.message(D.HEARTBEAT, D.heartbeat(100, 0, 0, 0, 32, 1, 0) +
                   b"\0", k, family=0), "its type and counts say 44"),
        (D.message(D.HEARTBEAT, D.heartbeat(100, 0, 0, 0, 0, 1, 0), k,
                   family=0), "Window 0 is malformed"),
        (D.message(D.COUNTERS, D.counters([], n=0), k),
         "N Entries must be 1..55"),
        (D.message(D.COUNTERS, D.counters([D.entry(HOA, 5, 1, 1)]), k,
                   family=0), "Family other than 4"),
        (D.message(D.INVENTORY, D.inventory(held4, part=2, parts=2), k),
         "Need Parts >= 1 and Part < Parts"),
        (D.message(D.INVENTORY, D.inventory(
            [("2001:db8:9::%x" % i, 1) for i in range(1, 68)]), k,
            family=6), "N Entries must be 0..66"),
        (D.message(D.SYNC, D.sync(1), k, family=4),
         "Family of SYNC must be 0"),
        (D.message(D.START, su2, k), "UDP Next Header must be 4, 47 or 55"),
        (D.message(D.START, su3, k), "NAT Port 0"),
        (D.message(D.START, su[:24], k), "its type and counts say 36"),
    ]
    return good, bad
