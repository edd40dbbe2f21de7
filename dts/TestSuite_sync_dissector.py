# SPDX-License-Identifier: BSD-3-Clause
"""Wireshark suite of the state synchronisation protocol: the Lua dissector
(app/wireshark/haven_sync.lua) decodes messages exactly as
docs/ha-sync-protocol.md writes them.

Messages are built here from the document with struct and hmac (no code
shared with lib/sync or with the dissector), written as UDP 4435 datagrams
in a pcap with scapy, and decoded by tshark with the dissector: every type,
every record kind of both families, bulk slices, the document's example
bytes, and malformed messages that must raise the dissector's expert info.
A last test decodes what lib/sync really sends (test_sync writes its
datagrams to a pcap when TEST_SYNC_PCAP is set) and checks each datagram's
HMAC-SHA256 here with the test's key.

Needs no lab: tshark reads files.
"""

import hashlib
import hmac
import os
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

from lab import OUT, REPO

DISSECTOR = REPO / "app" / "wireshark" / "haven_sync.lua"
TEST_SYNC = Path(os.environ.get(
    "TEST_SYNC_BIN", REPO / "build" / "test" / "test_sync"))
PORT = 4435
KEY = b"pair key of the suite"
HELLO, SESSION, RECORDS, ACK, HEARTBEAT, BYE = 1, 2, 3, 4, 5, 6
PUT, DELETE = 1, 2
BULK, FIRST, LAST = 0x01, 0x02, 0x04

FIELDS = (
    "frame.number", "havensync.version", "havensync.type",
    "havensync.body_len", "havensync.sender", "havensync.receiver",
    "havensync.seq", "havensync.session", "havensync.nonce",
    "havensync.boot_id", "havensync.window", "havensync.records",
    "havensync.stream_seq", "havensync.flags", "havensync.flags.bulk",
    "havensync.flags.first", "havensync.flags.last", "havensync.lo_len",
    "havensync.hi_len", "havensync.n_ops", "havensync.lo", "havensync.hi",
    "havensync.op.code", "havensync.op.key", "havensync.record.kind",
    "havensync.record.hoa", "havensync.record.hoa6",
    "havensync.record.secondary", "havensync.binding.flags",
    "havensync.binding.encap", "havensync.binding.n_coa",
    "havensync.binding.secondary", "havensync.binding.generation",
    "havensync.binding.registered", "havensync.binding.nat_port",
    "havensync.binding.nat_addr", "havensync.binding.coa",
    "havensync.binding.coa6", "havensync.binding.lifetime",
    "havensync.binding.expires", "havensync.replay.flags",
    "havensync.replay.seq6", "havensync.replay.id4", "havensync.replay.ts6",
    "havensync.deleg.name", "havensync.deleg.addr", "havensync.deleg.addr6",
    "havensync.deleg.generation", "havensync.deleg.boot_id",
    "havensync.deleg.last_seq", "havensync.acked", "havensync.ack.flags.gap",
    "havensync.role", "havensync.state", "havensync.interval",
    "havensync.reason", "havensync.hmac", "_ws.expert.message")


# ---------------------------------------------------------------------------
# The document, in Python
# ---------------------------------------------------------------------------

def message(mtype, body, sender=1, receiver=2, seq=1704067200000001,
            session=0, key=KEY, body_len=None):
    """Section 2: header, body, HMAC-SHA256 over both (section 4)."""
    hdr = struct.pack(">BBHIIQQ", 1, mtype,
                      len(body) if body_len is None else body_len,
                      sender, receiver, seq, session)
    return hdr + body + hmac.new(key, hdr + body, hashlib.sha256).digest()


def hello(nonce, boot=7):
    return struct.pack(">QII", nonce, boot, 0)


def session_body(nonce, boot, window, records):
    return struct.pack(">QIHHQ", nonce, boot, window, 0, records)


def ack(acked, flags=0):
    return struct.pack(">QB3x", acked, flags)


def heartbeat(role, state, interval, boot, stream):
    return struct.pack(">BBHIIIQ", role, state, 0, interval, boot, 0, stream)


def bye(reason):
    return struct.pack(">B3x", reason)


def op(code, key, value=b""):
    return struct.pack(">BBH", code, len(key), len(value)) + key + value


def records(stream, ops, flags=0, lo=b"", hi=b"", n_ops=None):
    return (struct.pack(">QBBBBHH", stream, flags, len(lo), len(hi), 0,
                        len(ops) if n_ops is None else n_ops, 0) +
            lo + hi + b"".join(ops))


def a4(s):
    return bytes(int(x) for x in s.split("."))


def a6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed


def faddr(addr):
    return bytes([4 if len(addr) == 4 else 6]) + addr


def binding_key(home):
    return b"\x01" + faddr(home)


def binding_value(flags, encap, secondary, generation, registered, coas,
                  nat=None, version=1):
    """Section 5.1: coas = [(addr, lifetime, expires)], nat = (addr,
    port)."""
    v = struct.pack(">BBBBIIQ", version, flags, encap, len(coas), secondary,
                    generation, registered)
    if nat is None:
        v += struct.pack(">HB", 0, 0)
    else:
        v += struct.pack(">H", nat[1]) + faddr(nat[0])
    for addr, lifetime, expires in coas:
        v += faddr(addr) + struct.pack(">IQ", lifetime, expires)
    return v


def replay_key(home):
    return b"\x02" + faddr(home)


def replay_value(flags, seq6=0, id4=0, ts6=0, updated=0):
    return struct.pack(">BBHIQQQ", 1, flags, seq6, 0, id4, ts6, updated)


def deleg_key(ident):
    return struct.pack(">BI", 3, ident)


def deleg_value(name, addr, generation, boot=None, last_seq=0):
    name = name.encode()
    return (struct.pack(">BBBBIIQ", 1, 1 if boot is not None else 0,
                        len(name), 4 if len(addr) == 4 else 6, generation,
                        boot or 0, last_seq) + addr + name)


# ---------------------------------------------------------------------------
# tshark
# ---------------------------------------------------------------------------

def write_pcap(payloads):
    from scapy.all import IP, UDP, Ether, Raw, wrpcap
    frames = [Ether(src="02:00:00:00:00:31", dst="02:00:00:00:00:32") /
              IP(src="192.0.2.31", dst="192.0.2.32") /
              UDP(sport=PORT, dport=PORT) / Raw(load=p) for p in payloads]
    OUT.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="sync-synth-", suffix=".pcap",
                                dir=OUT)
    os.close(fd)
    wrpcap(name, frames)
    return Path(name)


def dissect(pcap, display_filter="havensync"):
    """One dict per message: field -> value (repeats comma-joined)."""
    argv = ["tshark", "-n", "-X", "lua_script:%s" % DISSECTOR, "-r",
            str(pcap), "-Y", display_filter, "-T", "fields",
            "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for fld in FIELDS:
        argv += ["-e", fld]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Lua: Error" not in r.stderr, r.stderr
    rows = []
    for line in r.stdout.splitlines():
        vals = line.split("\t")
        vals += [""] * (len(FIELDS) - len(vals))
        rows.append(dict(zip(FIELDS, vals)))
    return rows


def truthy(v):
    """A boolean field as tshark prints it (1/0 or True/False)."""
    return v in ("1", "True")


def decode(payloads):
    pcap = write_pcap(payloads)
    try:
        rows = dissect(pcap)
    finally:
        pcap.unlink()
    assert len(rows) == len(payloads), rows
    return rows


class TestSuite_sync_dissector:
    """haven_sync.lua against the document and against lib/sync."""

    def test_every_type(self):
        """Steps: one message of each type, built from section 3.
        Verify: tshark shows each field with the value written, the body
        length, the session, the HMAC as the last 32 octets, and no
        expert info."""
        msgs = [
            message(HELLO, hello(0x1122334455667788, 9), sender=2,
                    receiver=1),
            message(SESSION, session_body(0x1122334455667788, 5, 256,
                                          1000000), session=0xcafe),
            message(ACK, ack(77, 1), sender=2, receiver=1, session=0xcafe),
            message(HEARTBEAT, heartbeat(1, 3, 100, 5, 12345),
                    session=0xcafe),
            message(BYE, bye(2), session=0xcafe),
            message(RECORDS, records(1, [op(DELETE, binding_key(
                a4("192.0.2.100")))]), session=0xcafe),
        ]
        r = decode(msgs)
        assert [x["havensync.type"] for x in r] == ["1", "2", "4", "5", "6",
                                                      "3"]
        for x, m in zip(r, msgs):
            assert x["havensync.version"] == "1"
            assert x["havensync.body_len"] == str(len(m) - 60)
            assert x["havensync.hmac"] == m[-32:].hex()
            assert x["_ws.expert.message"] == "", x
        h, s, a, hb, b, rec = r
        assert h["havensync.sender"] == "2" and h["havensync.receiver"] == "1"
        assert int(h["havensync.nonce"], 16) == 0x1122334455667788
        assert int(h["havensync.boot_id"], 16) == 9
        assert int(s["havensync.session"], 16) == 0xcafe
        assert s["havensync.window"] == "256"
        assert s["havensync.records"] == "1000000"
        assert s["havensync.seq"] == "1704067200000001"
        assert a["havensync.acked"] == "77"
        assert truthy(a["havensync.ack.flags.gap"])
        assert hb["havensync.role"] == "1" and hb["havensync.state"] == "3"
        assert hb["havensync.interval"] == "100"
        assert hb["havensync.stream_seq"] == "12345"
        assert b["havensync.reason"] == "2"
        assert rec["havensync.op.code"] == "2"
        assert rec["havensync.record.hoa"] == "192.0.2.100"

    def test_records_of_both_families(self):
        """Steps: a live RECORDS with an IPv4 binding behind a NAT with two
        care-of addresses, an IPv6 binding, IPv4 and IPv6 replay records
        and a deleg record (section 5).
        Verify: every field of every record, in order."""
        ops = [
            op(PUT, binding_key(a4("192.0.2.100")), binding_value(
                0x07, 4, 21, 7, 1704067200000,
                [(a4("198.51.100.7"), 1800, 1704069000000),
                 (a4("203.0.113.7"), 600, 1704067800000)],
                nat=(a4("203.0.113.9"), 4500))),
            op(PUT, binding_key(a6("2001:db8:1::100")), binding_value(
                0x01, 3, 0, 0, 1704067200001,
                [(a6("2001:db8:2::7"), 3600, 1704070800001)])),
            op(PUT, replay_key(a4("192.0.2.100")),
               replay_value(0x01, id4=0xe8f1a2b300000001)),
            op(PUT, replay_key(a6("2001:db8:1::100")),
               replay_value(0x06, seq6=65535, ts6=0x0102030405060708)),
            op(PUT, deleg_key(21), deleg_value(
                "sha1", a6("2001:db8:1::11"), 0x80000001, boot=0xdeadbeef,
                last_seq=1704067200123456)),
        ]
        r = decode([message(RECORDS, records(5, ops), session=1)])[0]
        assert r["_ws.expert.message"] == "", r
        assert r["havensync.n_ops"] == "5"
        assert r["havensync.op.code"] == "1,1,1,1,1"
        assert r["havensync.record.kind"] == "1,1,2,2,3"
        assert r["havensync.record.hoa"] == "192.0.2.100,192.0.2.100"
        assert r["havensync.record.hoa6"] == "2001:db8:1::100,2001:db8:1::100"
        assert r["havensync.record.secondary"] == "21"
        assert r["havensync.binding.flags"] == "0x07,0x01"
        assert r["havensync.binding.encap"] == "4,3"
        assert r["havensync.binding.n_coa"] == "2,1"
        assert r["havensync.binding.secondary"] == "21,0"
        assert r["havensync.binding.generation"] == "7,0"
        assert r["havensync.binding.registered"] == \
            "1704067200000,1704067200001"
        assert r["havensync.binding.nat_port"] == "4500,0"
        assert r["havensync.binding.nat_addr"] == "203.0.113.9"
        assert r["havensync.binding.coa"] == "198.51.100.7,203.0.113.7"
        assert r["havensync.binding.coa6"] == "2001:db8:2::7"
        assert r["havensync.binding.lifetime"] == "1800,600,3600"
        assert r["havensync.binding.expires"] == \
            "1704069000000,1704067800000,1704070800001"
        assert r["havensync.replay.flags"] == "0x01,0x06"
        assert int(r["havensync.replay.id4"].split(",")[0], 16) == \
            0xe8f1a2b300000001
        assert r["havensync.replay.seq6"] == "0,65535"
        assert int(r["havensync.replay.ts6"].split(",")[1], 16) == \
            0x0102030405060708
        assert r["havensync.deleg.name"] == "sha1"
        assert r["havensync.deleg.addr6"] == "2001:db8:1::11"
        assert r["havensync.deleg.generation"] == str(0x80000001)
        assert int(r["havensync.deleg.boot_id"], 16) == 0xdeadbeef
        assert r["havensync.deleg.last_seq"] == "1704067200123456"

    def test_bulk_slices(self):
        """Steps: a first slice ("", k2] with two puts in key order, and a
        last slice (k2, end) with one (section 6.5).
        Verify: flags, Lo and Hi, the keys, no expert info."""
        k1 = binding_key(a4("10.0.0.1"))
        k2 = binding_key(a4("10.0.0.2"))
        k3 = binding_key(a4("10.0.0.3"))
        v = binding_value(0, 0, 0, 0, 1, [(a4("198.51.100.1"), 60, 2)])
        first = records(1, [op(PUT, k1, v), op(PUT, k2, v)],
                        flags=BULK | FIRST, hi=k2)
        last = records(2, [op(PUT, k3, v)], flags=BULK | LAST, lo=k2)
        r = decode([message(RECORDS, first, session=1),
                    message(RECORDS, last, session=1)])
        assert r[0]["_ws.expert.message"] == "", r[0]
        assert r[1]["_ws.expert.message"] == "", r[1]
        assert truthy(r[0]["havensync.flags.bulk"])
        assert truthy(r[0]["havensync.flags.first"])
        assert not truthy(r[0]["havensync.flags.last"])
        assert r[0]["havensync.lo_len"] == "0"
        assert r[0]["havensync.hi"] == k2.hex()
        assert r[0]["havensync.record.hoa"] == "10.0.0.1,10.0.0.2"
        assert truthy(r[1]["havensync.flags.last"])
        assert r[1]["havensync.lo"] == k2.hex()
        assert r[1]["havensync.hi_len"] == "0"

    def test_document_example(self):
        """Steps: build the binding of section 5.1's example from its
        field list.
        Verify: the octets are those printed in the document (and pinned
        by test_store.c), and tshark decodes them back."""
        doc = Path(REPO / "docs" / "ha-sync-protocol.md").read_text()
        block = doc[doc.index("key:   01 04"):]
        block = block[:block.index("```")]
        words = block.replace("key:", "").replace("value:", "|").split()
        sep = words.index("|")
        key = bytes(int(x, 16) for x in words[:sep])
        value = bytes(int(x, 16) for x in words[sep + 1:])
        built_key = binding_key(a4("192.0.2.10"))
        built = binding_value(0x03, 4, 21, 7, 1704067200000,
                              [(a4("198.51.100.7"), 1800, 1704069000000)],
                              nat=(a4("203.0.113.9"), 4500))
        assert key == built_key
        assert value == built
        r = decode([message(RECORDS, records(1, [op(PUT, key, value)]),
                            session=1)])[0]
        assert r["_ws.expert.message"] == "", r
        assert r["havensync.binding.coa"] == "198.51.100.7"
        assert r["havensync.binding.nat_addr"] == "203.0.113.9"

    def test_malformed(self):
        """Steps: messages that break one rule each (header, bodies,
        operations, slices, records).
        Verify: each raises the dissector's expert info that names it."""
        k1 = binding_key(a4("10.0.0.1"))
        k2 = binding_key(a4("10.0.0.2"))
        v = binding_value(0, 0, 0, 0, 1, [(a4("198.51.100.1"), 60, 2)])
        good = message(BYE, bye(0))
        cases = [
            (b"\x02" + good[1:], "Unsupported version"),
            (message(BYE, bye(0), body_len=5), "Body Length 5"),
            (message(9, b"\x00" * 4), "Unknown message type"),
            (message(HELLO, hello(1)[:15]), "HELLO body of 15 octets"),
            (message(HELLO, struct.pack(">QII", 1, 0, 1)),
             "Reserved octets not zero"),
            (message(HEARTBEAT, heartbeat(3, 0, 100, 0, 0)), "Role 3"),
            (message(HEARTBEAT, heartbeat(1, 0, 0, 0, 0)), "Interval 0"),
            (message(BYE, bye(9)), "Reason 4..255"),
            (message(RECORDS, records(1, [op(PUT, k1, v)], n_ops=2)),
             "operation 2 of 2 runs past the body"),
            (message(RECORDS, records(1, [op(7, k1, v)])), "Op must be"),
            (message(RECORDS, records(1, [op(DELETE, k1, v)])),
             "DELETE with a value"),
            (message(RECORDS, records(1, [op(PUT, k1, v)], flags=LAST)),
             "a live message with a bulk range or flag"),
            (message(RECORDS, records(1, [op(PUT, k2, v)], flags=BULK,
                                      lo=k2, hi=binding_key(
                                          a4("10.0.0.9")))),
             "key outside the slice's range"),
            (message(RECORDS, records(1, [op(PUT, k2, v), op(PUT, k1, v)],
                                      flags=BULK | FIRST | LAST)),
             "not in increasing order"),
            (message(RECORDS, records(1, [op(DELETE, k1)],
                                      flags=BULK | FIRST | LAST)),
             "a bulk slice holds only PUT"),
            (message(RECORDS, records(1, [op(PUT, k1, v)], flags=BULK)),
             "without a Hi key"),
            (message(RECORDS, records(1, [op(PUT, k1, v[:-1])])),
             "binding value of 39 octets, its fields make 40"),
            (message(RECORDS, records(1, [op(PUT, k1, b"\x02" + v[1:])])),
             "record version newer than 1"),
            (message(RECORDS, records(1, [op(PUT, k1, binding_value(
                0, 0, 0, 0, 1, [(a4("198.51.100.1"), 60, 2)] * 5))])),
             "N CoA must be 1..4"),
            (message(RECORDS, records(1, [op(PUT, k1, binding_value(
                0, 4, 0, 0, 1, [(a4("198.51.100.1"), 60, 2)]))])),
             "UDP encapsulation without the NAT flag"),
            (message(RECORDS, records(1, [op(PUT, replay_key(a4(
                "10.0.0.1")), replay_value(0x02, seq6=1))])),
             "replay flags not those of the key's family"),
            (message(RECORDS, records(1, [op(PUT, b"\x00", b"\x01")])),
             "the META record is never sent"),
            (message(RECORDS, records(1, [op(PUT, b"\x01\x05\x01\x02",
                                             v)])),
             "key is not kind, family 4 or 6"),
            (good[:20], "shorter than the 28-octet header"),
        ]
        rows = decode([c[0] for c in cases])
        for (msg, want), row in zip(cases, rows):
            assert want in row["_ws.expert.message"], (want, row)

    def test_what_lib_sync_sends(self):
        """Steps: run test_sync's live stream, restart and switchover
        cases with TEST_SYNC_PCAP set, so that every datagram lib/sync
        sends is written to a pcap; decode it.
        Verify: every datagram decodes without expert info; every type
        appears; each one's HMAC-SHA256 over header and body verifies
        here with the test's key; the operations counted here from the
        bytes match tshark's."""
        if not TEST_SYNC.exists():
            pytest.skip("build/test/test_sync not built")
        OUT.mkdir(parents=True, exist_ok=True)
        pcap = OUT / "sync-lib.pcap"
        key = b"haven pair key: active/standby 0123456789"
        for case in ("test_live_stream", "test_restarts_and_roles"):
            env = dict(os.environ, TEST_SYNC_PCAP=str(pcap),
                       TEST_SYNC_ONLY=case)
            r = subprocess.run([str(TEST_SYNC)], capture_output=True,
                               text=True, env=env, timeout=300)
            assert r.returncode == 0, r.stdout + r.stderr
            from scapy.all import UDP, rdpcap
            payloads = [bytes(p[UDP].payload) for p in rdpcap(str(pcap))]
            assert len(payloads) > 20
            for m in payloads:
                assert hmac.compare_digest(
                    hmac.new(key, m[:-32], hashlib.sha256).digest(),
                    m[-32:]), m[:28].hex()
                assert struct.unpack(">H", m[2:4])[0] == len(m) - 60
            rows = dissect(pcap)
            assert len(rows) == len(payloads)
            types = set()
            for m, row in zip(payloads, rows):
                assert row["_ws.expert.message"] == "", row
                types.add(int(row["havensync.type"]))
                if m[1] == RECORDS:
                    n = struct.unpack(">H", m[28 + 12:28 + 14])[0]
                    assert row["havensync.n_ops"] == str(n)
                    codes = row["havensync.op.code"]
                    assert (len(codes.split(",")) if codes else 0) == n
            print("%s: %d datagrams, types %s" % (case, len(payloads),
                                                  sorted(types)))
            if case == "test_restarts_and_roles":
                assert types == {HELLO, SESSION, RECORDS, ACK, HEARTBEAT,
                                 BYE}
