# SPDX-License-Identifier: BSD-3-Clause
"""RADIUS client suite: lib/radius against real FreeRADIUS servers.

Two FreeRADIUS 3.2 instances (Debian's package, dts/radius/raddb, each on
127.0.0.1 with free ports and a secret of its own) serve the lab's mobile
nodes. build/test/radius_tool runs the library as the home agent will: a
Haven configuration with an aaa: section, loaded by lib/config, handed to
the transport (its thread, sockets and rings). The suite reads the tool's
results (JSON lines; keys only as SHA-256) and FreeRADIUS's own records
(the detail file of accounting).

FreeRADIUS requires a Message-Authenticator in our Access-Requests
(clients.conf) and checks our User-Password with pap: an Access-Accept
proves both. Our client requires one in every answer.

No namespace is needed: everything is on loopback. Every process is
ended by pid, every state folder removed.
"""

import hashlib
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import yaml

from lab import OUT, REPO
from radius import RADDB, USERS, FreeRadius, aaa_section, secret_of

TOOL = Path(os.environ.get("HAVEN_RADIUS_TOOL",
                           REPO / "build" / "test" / "radius_tool"))

# Short timers so that failover and death take a second, not a minute.
FAST = {"timeout_ms": 300, "retries": 1, "revive_interval_ms": 1000}


def sha256(b):
    return hashlib.sha256(b).hexdigest()


class RadiusTool:
    """build/test/radius_tool with a generated configuration; one method
    per command of the tool, each returning its JSON answers."""

    def __init__(self, aaa, log):
        self.dir = Path(tempfile.mkdtemp(prefix="haven-radius-tool-"))
        cfg = {
            "eal": {"lcores": "0,1", "file_prefix": "haven-radius-tool"},
            "ports": [{"name": "home", "device": "net_null0",
                       "address": "192.0.2.1/24"}],
            "home_agent": {"address": "192.0.2.1"},
            "aaa": aaa,
        }
        self.config = self.dir / "haven.yaml"
        self.config.write_text(yaml.safe_dump(cfg, sort_keys=False))
        self.log = log
        self.logf = open(log, "wb")
        self.p = None
        self.buf = b""
        self.lines = []         # everything the tool printed, for checks

    def start(self):
        self.p = subprocess.Popen([str(TOOL), str(self.config)],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=self.logf, bufsize=0,
                                  start_new_session=True)
        ready = self.read()
        assert ready.get("ready"), ready
        self.max_wait_ms = ready["max_wait_ms"]
        return self

    def read(self, timeout=30.0):
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("radius_tool said nothing for %.0f s"
                                   % timeout)
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError("radius_tool exited (rc %s)" %
                                       self.p.poll())
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        text = line.decode()
        self.lines.append(text)
        self.logf.write(line + b"\n")
        return json.loads(text)

    def send(self, line):
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()

    def auth(self, tag, nai, spi=0, hoa=None):
        self.send("auth %d %s %d%s" % (tag, nai, spi,
                                        " " + hoa if hoa else ""))
        return self.read()

    def acct(self, tag, status, nai, session, hoa, in_o, out_o, in_p, out_p,
             stime, cause=0, cls=None):
        self.send("acct %d %s %s %s %s %d %d %d %d %d %d%s" %
                  (tag, status, nai, session, hoa, in_o, out_o, in_p, out_p,
                   stime, cause, " " + cls if cls else ""))
        return self.read()

    def cancel(self, tag):
        self.send("cancel %d" % tag)
        return self.read()

    def flood(self, n, nai):
        self.send("flood %d %s" % (n, nai))
        return self.read()

    def wait(self, n, timeout_ms):
        """Up to n results within timeout_ms: (results, elapsed ms)."""
        self.send("wait %d %d" % (n, timeout_ms))
        results = []
        while True:
            m = self.read(timeout=timeout_ms / 1000.0 + 30)
            if "waited" in m:
                return results, m["ms"]
            results.append(m)

    def result(self, timeout_ms=10000):
        res, _ = self.wait(1, timeout_ms)
        assert len(res) == 1, "no result within %d ms" % timeout_ms
        return res[0]

    def stats(self):
        self.send("stats")
        return self.read()["stats"]

    def quit(self):
        if self.p is not None and self.p.poll() is None:
            try:
                self.send("quit")
                self.p.wait(10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait(5)
        self.logf.close()
        for f in self.dir.iterdir():
            f.unlink()
        self.dir.rmdir()


@pytest.fixture
def servers(logname):
    """Factory: servers(n) -> n running FreeRADIUS instances (radius1,
    radius2, ...), stopped and removed at teardown."""
    started = []

    def make(n=2, first=1):
        for i in range(first, first + n):
            name = "radius%d" % i
            s = FreeRadius(name, log=OUT / ("%s-%s.log" % (logname, name)))
            started.append(s)
            s.start()
        return started[-n:]
    yield make
    for s in started:
        s.stop()


@pytest.fixture
def tool(logname):
    """Factory: tool(aaa) -> a running RadiusTool, ended at teardown."""
    tools = []

    def make(aaa):
        t = RadiusTool(aaa, OUT / ("%s-tool.log" % logname))
        tools.append(t)
        return t.start()
    yield make
    for t in tools:
        t.quit()


class TestSuite_radius_lib:
    """lib/radius (codec, engine, transport) against FreeRADIUS 3.2."""

    def test_lab_users_by_radclient(self, servers):
        """Steps: ask FreeRADIUS for every lab user with radclient
        (freeradius-utils), a client Haven did not write.
        Verify: what the users file gives is what the suite expects
        (radius.USERS), so the suite's expectations are not circular."""
        r1, = servers(1)
        for nai, want in USERS.items():
            req = ('User-Name = "%s"\nUser-Password = "%s"\n'
                   'Message-Authenticator = 0x00\n' %
                   (nai, secret_of(r1.secret_file.parent /
                                   "radius-nas.password")))
            out = subprocess.run(
                ["radclient", "-x", "-r", "1", "-t", "3",
                 "127.0.0.1:%d" % r1.auth_port, "auth",
                 secret_of(r1.secret_file)], input=req, text=True,
                capture_output=True, timeout=20).stdout
            assert "Received Access-Accept" in out, out
            if "framed_ip" in want:
                assert "Framed-IP-Address = %s" % want["framed_ip"] in out
            if nai == "mn-cisco@lab.example":
                assert "spi %d key hex %s" % (want["spi"],
                                              want["key"].hex()) in out
            else:
                assert "3GPP2-MN-HA-SPI = %d" % want["spi"] in out
                assert '3GPP2-MN-HA-Shared-Key = "%s"' % \
                    want["key"].decode() in out

    def test_shipped_dictionary_and_users(self, servers):
        """Steps: radclient with only the RFC dictionaries and
        config/radius/dictionary.haven sends the vendor attributes to the
        lab server; FreeRADIUS checks a raddb whose users file is
        config/radius/users.example (freeradius -XC).
        Verify: radclient knows every name (the file parses), FreeRADIUS
        decodes them with its own dictionaries to the same attributes (the
        numbers agree), and the example users file loads."""
        r1, = servers(1)
        with tempfile.TemporaryDirectory(prefix="haven-radius-") as tmp:
            self._check_shipped(r1, Path(tmp))

    @staticmethod
    def _check_shipped(r1, tmp_path):
        dict_dir = tmp_path / "dict"
        dict_dir.mkdir()
        (dict_dir / "dictionary").write_text(
            "$INCLUDE /usr/share/freeradius/dictionary.rfc2865\n"
            "$INCLUDE /usr/share/freeradius/dictionary.rfc2866\n"
            "$INCLUDE /usr/share/freeradius/dictionary.rfc2869\n"
            "$INCLUDE %s\n" % (REPO / "config" / "radius" /
                                "dictionary.haven"))
        req = ('User-Name = "mn-aaa-1@lab.example"\n'
               'User-Password = "%s"\n'
               '3GPP2-MN-HA-SPI = 1000\n'
               '3GPP2-Home-Agent-IP-Address = 192.0.2.1\n'
               'Cisco-AVPair = "mobileip:spi#0=spi 7 key hex 0011"\n'
               'Message-Authenticator = 0x00\n' %
               secret_of(r1.secret_file.parent / "radius-nas.password"))
        out = subprocess.run(
            ["radclient", "-D", str(dict_dir), "-x", "-r", "1", "-t", "3",
             "127.0.0.1:%d" % r1.auth_port, "auth",
             secret_of(r1.secret_file)], input=req, text=True,
            capture_output=True, timeout=20)
        assert "Received Access-Accept" in out.stdout, out.stdout + \
            out.stderr
        seen = r1.proc.output().split("Received Access-Request")[1]
        assert "3GPP2-MN-HA-SPI = 1000" in seen
        assert "3GPP2-Home-Agent-IP-Address = 192.0.2.1" in seen
        assert 'Cisco-AVPair = "mobileip:spi#0=spi 7 key hex 0011"' in seen

        raddb = tmp_path / "raddb"
        shutil.copytree(RADDB, raddb)
        shutil.copy(REPO / "config" / "radius" / "users.example",
                    raddb / "users")
        chk = subprocess.run(["freeradius", "-XC", "-d", str(raddb)],
                             env=r1.env(), capture_output=True, text=True,
                             timeout=30)
        assert chk.returncode == 0 and \
            "Configuration appears to be OK" in chk.stdout, \
            chk.stdout[-2000:]

    def test_key_for_configured_nai(self, servers, tool):
        """Steps: ask for mn-aaa-1@lab.example with its SPI.
        Verify: Access-Accept from the first server carrying the SPI, the
        key of the users file (decrypted from 3GPP2-MN-HA-Shared-Key), its
        Framed-IP-Address, Session-Timeout and Class; FreeRADIUS accepted
        our Message-Authenticator and hidden User-Password to say so."""
        r1, r2 = servers(2)
        t = tool(aaa_section([r1, r2], **FAST))
        want = USERS["mn-aaa-1@lab.example"]
        assert t.auth(1, "mn-aaa-1@lab.example", want["spi"])["rc"] == 0
        r = t.result()
        assert r["status"] == "accepted", r
        assert r["server"] == 0
        assert r["sa_source"] == 1                   # 3GPP2
        assert r["spi"] == want["spi"]
        assert r["alg"] == 0                         # HMAC-MD5
        assert r["key_len"] == len(want["key"])
        assert r["key_sha256"] == sha256(want["key"])
        assert r["framed_ip"] == want["framed_ip"]
        assert r["session_timeout"] == want["session_timeout"]
        assert r["class"] == want["class"]
        # FreeRADIUS saw our request with the attributes it expects
        out = r1.proc.output()
        assert 'User-Name = "mn-aaa-1@lab.example"' in out
        assert "3GPP2-MN-HA-SPI = 1000" in out
        assert 'NAS-Identifier = "haven-lab"' in out
        assert "Sent Access-Accept" in out
        st = t.stats()["servers"]
        assert st[0]["accepts"] == 1 and st[0]["dropped_no_ma"] == 0
        assert st[1]["requests"] == 0

    def test_nai_only_address(self, servers, tool):
        """Steps: ask for mn-nai-only@lab.example with no home address.
        Verify: the Framed-IP-Address RADIUS assigns, with the node's SPI
        and key; no address hint went out (none given)."""
        r1, = servers(1)
        t = tool(aaa_section([r1], **FAST))
        want = USERS["mn-nai-only@lab.example"]
        t.auth(2, "mn-nai-only@lab.example", want["spi"])
        r = t.result()
        assert r["status"] == "accepted", r
        assert r["framed_ip"] == want["framed_ip"]
        assert r["spi"] == want["spi"]
        assert r["key_sha256"] == sha256(want["key"])
        req = r1.proc.output().split("Received Access-Request")[1]
        assert "Framed-IP-Address" not in req.split("Sent Access-")[0]

    def test_cisco_avpair(self, servers, tool):
        """Steps: ask for mn-cisco@lab.example (no SPI known).
        Verify: the SPI, HMAC-MD5 and key of its Cisco-AVPair."""
        r1, = servers(1)
        t = tool(aaa_section([r1], **FAST))
        want = USERS["mn-cisco@lab.example"]
        t.auth(3, "mn-cisco@lab.example")
        r = t.result()
        assert r["status"] == "accepted", r
        assert r["sa_source"] == 2                   # Cisco
        assert r["spi"] == want["spi"] and r["alg"] == 0
        assert r["key_sha256"] == sha256(want["key"])

    def test_unknown_rejected(self, servers, tool):
        """Steps: ask for a NAI the users file does not list.
        Verify: Access-Reject (authentic: it carried the
        Message-Authenticator FreeRADIUS adds), no key, no address, and
        the server stays alive."""
        r1, = servers(1)
        t = tool(aaa_section([r1], **FAST))
        t.auth(4, "stranger@lab.example", 4444)
        r = t.result()
        assert r["status"] == "rejected", r
        assert r["key_len"] == 0 and r["framed_ip"] == ""
        st = t.stats()["servers"][0]
        assert st["rejects"] == 1 and st["state"] == "alive"
        assert st["dropped_no_ma"] == 0 and st["dropped_auth"] == 0

    def test_accounting_records(self, servers, tool):
        """Steps: Start, Interim-Update and Stop for one session, with
        octet counters past 2^32 and the Class of the Access-Accept.
        Verify: three Accounting-Responses; FreeRADIUS's detail file holds
        three records of that session with exactly the counters sent
        (Gigawords for the high 32 bits), the session time, the cause."""
        r1, = servers(1)
        t = tool(aaa_section([r1], **FAST))
        nai, sid, hoa = "mn-aaa-1@lab.example", "haven-c0000278-1", \
            "192.0.2.120"
        counters = [
            ("start", 0, 0, 0, 0, 0, 0),
            ("interim", 5 * 2**32 + 12345, 987654, 4000000, 3000, 300, 0),
            ("stop", 7 * 2**32 + 1, 2**32 + 2, 6000000, 5000, 425, 1),
        ]
        for i, (st, in_o, out_o, in_p, out_p, stime, cause) in \
                enumerate(counters):
            assert t.acct(10 + i, st, nai, sid, hoa, in_o, out_o, in_p,
                          out_p, stime, cause, "haven-lab-aaa-1")["rc"] == 0
            r = t.result()
            assert r["status"] == "accepted" and r["kind"] == "acct", r
        recs = [r for r in r1.detail_records()
                if r.get("Acct-Session-Id") == sid]
        assert [r["Acct-Status-Type"] for r in recs] == \
            ["Start", "Interim-Update", "Stop"], recs
        for rec, (st, in_o, out_o, in_p, out_p, stime, cause) in \
                zip(recs, counters):
            assert rec["User-Name"] == nai
            assert rec["Framed-IP-Address"] == hoa
            assert rec["NAS-Identifier"] == "haven-lab"
            assert rec["NAS-IP-Address"] == "127.0.0.1"
            assert rec["Class"] == "0x" + b"haven-lab-aaa-1".hex()
            assert "Acct-Delay-Time" in rec and "Event-Timestamp" in rec
            if st == "start":
                assert "Acct-Input-Octets" not in rec
                continue
            assert int(rec["Acct-Input-Octets"]) == in_o & 0xffffffff
            assert int(rec["Acct-Input-Gigawords"]) == in_o >> 32
            assert int(rec["Acct-Output-Octets"]) == out_o & 0xffffffff
            assert int(rec.get("Acct-Output-Gigawords", "0")) == out_o >> 32
            assert int(rec["Acct-Input-Packets"]) == in_p
            assert int(rec["Acct-Output-Packets"]) == out_p
            assert int(rec["Acct-Session-Time"]) == stime
        assert recs[2]["Acct-Terminate-Cause"] == "User-Request"
        assert "Acct-Terminate-Cause" not in recs[1]

    def test_failover_when_first_killed(self, servers, tool):
        """Steps: one request answered by radius1; kill radius1; more
        requests, then accounting.
        Verify: they are answered by radius2 within the bound, radius1 is
        dead (one death), and the accounting record is in radius2's
        detail file, not radius1's."""
        r1, r2 = servers(2)
        t = tool(aaa_section([r1, r2], **FAST))
        t.auth(20, "mn-aaa-1@lab.example", 1000)
        assert t.result()["server"] == 0
        r1.kill()
        t0 = time.monotonic()
        t.auth(21, "mn-aaa-1@lab.example", 1000)
        r = t.result()
        took = (time.monotonic() - t0) * 1000
        assert r["status"] == "accepted" and r["server"] == 1, r
        assert took <= t.max_wait_ms + 500, took
        assert r["key_sha256"] == sha256(USERS["mn-aaa-1@lab.example"]
                                         ["key"])
        st = t.stats()["servers"]
        assert st[0]["state"] == "dead" and st[0]["deaths"] == 1
        assert st[0]["timeouts"] == 1
        # the next ones go straight to radius2
        t0 = time.monotonic()
        t.auth(22, "mn-nai-only@lab.example", 1001)
        r = t.result()
        assert r["server"] == 1 and (time.monotonic() - t0) < 0.25, r
        t.acct(23, "start", "mn-nai-only@lab.example", "fo-1",
               "192.0.2.150", 0, 0, 0, 0, 0)
        assert t.result()["server"] == 1
        assert [x["Acct-Session-Id"] for x in r2.detail_records()] == \
            ["fo-1"]

    def test_forged_answers_ignored(self, servers, tool):
        """Steps: the first server is a forger on radius1's ports that
        answers every Access-Request twice: an Access-Accept whose MD5
        Response Authenticator is right but that has no
        Message-Authenticator (the BlastRADIUS shape), and one whose
        Message-Authenticator was made with another secret; the second
        server is FreeRADIUS.
        Verify: neither forged answer is taken (counted as dropped), the
        first server is declared dead, and the result is radius2's
        authentic Access-Accept with the true key."""
        r2, = servers(1, first=2)
        secret = secret_of(r2.secret_file.parent / "radius1.secret").encode()
        forger = Forger(secret)
        fake = FreeRadius("radius1", auth_port=forger.port,
                          acct_port=forger.port + 1 if forger.port < 65535
                          else forger.port - 1)
        try:
            t = tool(aaa_section([fake, r2], **FAST))
            t.auth(30, "mn-aaa-1@lab.example", 1000)
            r = t.result()
            assert r["status"] == "accepted" and r["server"] == 1, r
            assert r["framed_ip"] == "192.0.2.120"
            assert r["key_sha256"] == sha256(USERS["mn-aaa-1@lab.example"]
                                             ["key"])
            st = t.stats()["servers"][0]
            assert forger.answered >= 2
            assert st["dropped_no_ma"] >= 1 and st["dropped_auth"] >= 1
            assert st["accepts"] == 0 and st["state"] == "dead"
        finally:
            forger.stop()
            fake.stop()

    def test_both_dead_bounded_then_revived(self, servers, tool):
        """Steps: kill both servers; ask; ask again; restart radius1 on
        its ports; ask after the revival probe.
        Verify: the first request times out within max_wait_ms; the
        second fails at once (no server, nothing sent); after radius1
        answers a Status-Server probe it is alive and serves again."""
        r1, r2 = servers(2)
        t = tool(aaa_section([r1, r2], **FAST))
        r1.kill()
        r2.kill()
        t.auth(40, "mn-aaa-1@lab.example", 1000)
        res, ms = t.wait(1, 10000)
        assert res and res[0]["status"] == "timeout", res
        assert ms <= t.max_wait_ms + 300, (ms, t.max_wait_ms)
        t.auth(41, "mn-aaa-1@lab.example", 1000)
        res, ms = t.wait(1, 1000)
        assert res and res[0]["status"] == "no-server", res
        assert ms < 100
        before = t.stats()["servers"]
        assert [s["state"] for s in before] == ["dead", "dead"]

        r1.start()
        deadline = time.monotonic() + 5
        while t.stats()["servers"][0]["state"] != "alive":
            assert time.monotonic() < deadline, "never revived"
            time.sleep(0.1)
        st = t.stats()["servers"][0]
        assert st["revivals"] == 1 and st["probes"] >= 1
        assert "Received Status-Server" in r1.proc.output()
        t.auth(42, "mn-aaa-1@lab.example", 1000)
        r = t.result()
        assert r["status"] == "accepted" and r["server"] == 0, r

    def test_flood_is_bounded(self, servers, tool):
        """Steps: with max_pending 64, submit 5000 Access-Requests at once.
        Verify: 64 are taken, the others refused at once (-ENOBUFS) and
        the whole flood takes milliseconds; the 64 are all answered, then
        there is room again."""
        r1, = servers(1)
        t = tool(aaa_section([r1], max_pending=64, **FAST))
        f = t.flood(5000, "mn-aaa-1@lab.example")
        assert f["accepted"] == 64 and f["refused"] == 5000 - 64, f
        assert f["ms"] < 200, f
        res, _ = t.wait(64, 15000)
        assert len(res) == 64
        assert all(r["status"] == "accepted" for r in res), \
            [r["status"] for r in res if r["status"] != "accepted"][:5]
        st = t.stats()
        assert st["outstanding"] == 0 and st["pending"] == 0
        assert st["refused_full"] == 0     # refused before the engine
        assert t.auth(50, "mn-aaa-1@lab.example", 1000)["rc"] == 0
        assert t.result()["status"] == "accepted"

    def test_cancel(self, servers, tool):
        """Steps: kill the only server, ask, cancel.
        Verify: one result, cancelled, long before the timeout."""
        r1, = servers(1)
        t = tool(aaa_section([r1], timeout_ms=2000, retries=2))
        r1.kill()
        t.auth(60, "mn-aaa-1@lab.example", 1000)
        assert t.cancel(60)["rc"] == 0
        res, ms = t.wait(2, 1000)
        assert [r["status"] for r in res] == ["cancelled"], res
        assert ms >= 900        # waited the full second: no second result

    def test_no_secret_in_output(self, servers, tool):
        """Steps: a few requests of every kind.
        Verify: neither the shared secret, the NAS password nor any
        mobile node's key appears in what the tool printed or logged."""
        r1, = servers(1)
        t = tool(aaa_section([r1], **FAST))
        t.auth(70, "mn-aaa-1@lab.example", 1000)
        t.auth(71, "mn-cisco@lab.example")
        t.auth(72, "stranger@lab.example")
        t.acct(73, "start", "mn-aaa-1@lab.example", "s-73", "192.0.2.120",
               0, 0, 0, 0, 0)
        t.wait(4, 5000)
        t.stats()
        text = "\n".join(t.lines) + t.log.read_text(errors="replace")
        secrets = [secret_of(r1.secret_file),
                   secret_of(r1.secret_file.parent / "radius-nas.password")]
        for u in USERS.values():
            secrets += [u["key"].decode("latin-1"), u["key"].hex()]
        for s in secrets:
            assert s not in text, "a secret in the output"


class Forger:
    """A UDP server that forges answers to every Access-Request (see
    test_forged_answers_ignored). Python's hashlib and hmac, not the
    codec under test, make the answers."""

    def __init__(self, secret):
        self.secret = secret
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.answered = 0
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    @staticmethod
    def attr(t, v):
        return bytes([t, 2 + len(v)]) + v

    def answer(self, req, with_ma_secret):
        ident, ra = req[1], req[4:20]
        attrs = self.attr(8, socket.inet_aton("203.0.113.66"))
        if with_ma_secret is not None:
            import hmac
            zero_ma = self.attr(80, b"\0" * 16)
            body = attrs + zero_ma
            msg = bytes([2, ident]) + struct.pack(">H", 20 + len(body)) + \
                ra + body
            ma = hmac.new(with_ma_secret, msg, hashlib.md5).digest()
            attrs = attrs + self.attr(80, ma)
        hdr = bytes([2, ident]) + struct.pack(">H", 20 + len(attrs))
        auth = hashlib.md5(hdr + ra + attrs + self.secret).digest()
        return hdr + auth + attrs

    def run(self):
        while not self.stopping:
            try:
                req, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            if len(req) < 20 or req[0] != 1:
                continue
            self.sock.sendto(self.answer(req, None), peer)
            self.sock.sendto(self.answer(req, b"not-the-secret"), peer)
            self.answered += 2

    def stop(self):
        self.stopping = True
        self.thread.join(5)
        self.sock.close()
