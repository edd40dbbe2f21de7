# SPDX-License-Identifier: BSD-3-Clause
"""Hostile suite: what a hostile or careless neighbour on the home link
must not be able to do to haven (issue 10). The attacker is the
correspondent host's namespace (<p>-ch, 192.0.2.10 on the home bridge),
sending with scapy (dts/hostile.py); the mobile node registers with the
independent client (mipclient.py) and streams run through the user-space
tunnel endpoint. The Mobile IPv6 cases are in TestSuite_ipv6.py."""

import os
import re
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from lab import DTS, E, HUGEPAGES, PY, wait_until

sys.path.insert(0, str(DTS))
import mipclient  # noqa: E402

NODES = ["192.0.2.100", "192.0.2.101", "192.0.2.102", "192.0.2.103",
         "192.0.2.104", "192.0.2.105"]


def hostile(lab, *args):
    """Run hostile.py in the attacker's namespace; its JSON result."""
    import json
    r = lab.run("ch", [PY, DTS / "hostile.py"] + [str(a) for a in args],
                timeout=120)
    return json.loads(r.stdout.strip().splitlines()[-1])


class TestSuite_hostile:
    """haven in <p>-ha with config/lab.yaml, started afresh per test."""

    @pytest.fixture(autouse=True)
    def set_up_test(self, lab, haven, mip, logname, endpoint, tshark):
        from lab import Stream
        self.lab = lab
        self.start = haven
        self.mip = mip
        self.logname = logname
        self.start_endpoint = endpoint
        self.capture = tshark
        self.stream = Stream(lab)

    def stat(self, h, key):
        return int(h.stats().get(key, 0))

    def register(self, h, hoa, coa=E.MN_VA_ADDR, **kw):
        n = h.mn(hoa)
        return self.mip.register(hoa=hoa, spi=n.spi, key=n.key, alg=n.alg,
                                 coa=coa, **kw)

    def test_full_table_refused_130(self):
        """A full binding table refuses a registration with 130.

        Steps:
            Start haven with home_agent.max_bindings 4; register the six
            lab nodes 192.0.2.100..105 from 198.51.100.10.
        Verify:
            The first four are accepted (code 0); the fifth and sixth are
            answered 130 (insufficient resources, RFC 5944 3.4),
            authenticated; /haven/stats counts 4 bindings; the two
            refused nodes have no binding and /haven/mobile_nodes says
            they are not bound; a refresh of a bound node is still
            accepted (its record is replaced in place).
        """
        h = self.start({"home_agent.max_bindings": 4})
        codes = []
        for hoa in NODES:
            r = self.register(h, hoa)
            assert r.replied, "no reply for %s" % hoa
            codes.append(r.code)
            if r.code == 130:
                assert r.auth_ok, "130 reply not authenticated"
        print("full table: codes %s" % codes)
        assert codes == [0, 0, 0, 0, 130, 130], codes
        assert self.stat(h, "bindings") == 4
        for hoa in NODES[4:]:
            assert h.binding(hoa) is None, h.binding(hoa)
        rows = {r["home_address"]: r for r in
                __import__("lab").column_rows(
                    h.tel.query("/haven/mobile_nodes"), "home_address")}
        for hoa in NODES[4:]:
            assert str(rows[hoa]["bound"]) in ("0", "False", "false"), \
                rows[hoa]
        r = self.register(h, NODES[0])
        assert r.code == 0, (r.code, r.code_text)

    def test_bad_udp_checksum_discarded(self):
        """A registration with a wrong UDP checksum is silently discarded
        (RFC 5944 3.8.2.1); so is a delegation datagram.

        Steps:
            From the correspondent host, send an authentic Registration
            Request for 192.0.2.100 (care-of 192.0.2.10) with a wrong,
            non-zero UDP checksum; then the same request again with a
            fresh Identification and a correct checksum; then a datagram
            with a wrong checksum to the delegation port 4434.
        Verify:
            The first changes nothing: no binding, no reply counted
            (/haven/registrations unchanged), udp_bad_checksum +1; the
            second binds 192.0.2.100; the third adds to udp_bad_checksum
            and nothing else.
        """
        h = self.start()
        n = h.mn(E.MN_HOME_ADDR)
        key = mipclient.parse_key(n.key)
        before = h.registrations()
        bad0 = self.stat(h, "udp_bad_checksum")
        msg, _ = mipclient.build_request(E.MN_HOME_ADDR, E.HA_ADDR,
                                         E.CH_ADDR, n.spi, key, n.alg)
        r = hostile(self.lab, "udp", "--iface", E.CH_IFACE, "--src",
                    E.CH_ADDR, "--dst", E.HA_ADDR, "--dst-mac", E.HA_MAC,
                    "--hex", msg.hex(), "--bad-checksum")
        assert r["checksum"] not in (0, r["good"]), r
        wait_until(lambda: self.stat(h, "udp_bad_checksum") == bad0 + 1, 3,
                   what="udp_bad_checksum counted")
        time.sleep(0.3)
        assert h.binding(E.MN_HOME_ADDR) is None
        assert h.registrations() == before, (h.registrations(), before)
        msg, _ = mipclient.build_request(E.MN_HOME_ADDR, E.HA_ADDR,
                                         E.CH_ADDR, n.spi, key, n.alg)
        hostile(self.lab, "udp", "--iface", E.CH_IFACE, "--src", E.CH_ADDR,
                "--dst", E.HA_ADDR, "--dst-mac", E.HA_MAC, "--hex",
                msg.hex())
        wait_until(lambda: h.binding(E.MN_HOME_ADDR) is not None, 3,
                   what="binding after the good checksum")
        hostile(self.lab, "udp", "--iface", E.CH_IFACE, "--src", E.CH_ADDR,
                "--dst", E.HA_ADDR, "--dst-mac", E.HA_MAC, "--sport",
                E.DELEG_PORT, "--dport", E.DELEG_PORT, "--hex", "01" * 60,
                "--bad-checksum")
        wait_until(lambda: self.stat(h, "udp_bad_checksum") == bad0 + 2, 3,
                   what="the delegation datagram counted")

    def test_forged_arp_for_router_ignored(self):
        """One forged ARP reply for the router does not redirect the
        tunnels: the router's own MAC answers the agent's probe.

        Steps:
            Register 192.0.2.100 from 198.51.100.10 (its tunnel goes
            through the router 192.0.2.254); endpoint on va; stream 2000
            datagrams at 200 pps from the correspondent host; 2 s in,
            from the correspondent host send haven an ARP reply
            "192.0.2.254 is at 02:00:00:00:00:0a" (its own MAC).
        Verify:
            0 datagrams missing; /haven/stats neighbour_claims_refused
            +1 and neighbour_mac_changes unchanged; show neighbours
            still gives the router 02:00:00:00:00:fe.
        """
        h = self.start()
        self.start_endpoint(ifaces=("va",))
        r = self.mip.register(coa=E.MN_VA_ADDR, lifetime=120)
        assert r.code == 0, (r.code, r.code_text)
        tx, rx = self.lab.ping("ch", E.MN_HOME_ADDR, count=3, interval=0.2)
        assert rx >= 1, "no echo reply through the tunnel"
        refused0 = self.stat(h, "neighbour_claims_refused")
        changes0 = self.stat(h, "neighbour_mac_changes")
        count, rate = 2000, 200
        recv = self.stream.receiver("mn", duration=count / rate + 10,
                                    expect=count, idle=3)
        send = self.stream.sender("ch", count=count, rate=rate)
        time.sleep(2)
        hostile(self.lab, "arp", "--iface", E.CH_IFACE, "--op", "reply",
                "--claim", E.RT_HOME_ADDR, "--mac", E.CH_MAC,
                "--to-ip", E.HA_ADDR, "--to-mac", E.HA_MAC)
        send.wait(count / rate + 30)
        res = self.stream.result(recv)
        print("forged ARP for the router: lost %d of %d" %
              (res["missing_count"], count))
        assert res["missing_count"] == 0, res["missing"]
        wait_until(lambda: self.stat(h, "neighbour_claims_refused") >=
                   refused0 + 1, 5, what="the claim refused")
        assert self.stat(h, "neighbour_mac_changes") == changes0
        out = h.console().show_neighbours()
        line = [ln for ln in out.splitlines() if E.RT_HOME_ADDR in ln]
        assert line and E.RT_HOME_MAC in line[0].lower(), out

    def test_home_address_defended(self):
        """A claim of an intercepted home address is answered.

        Steps:
            Register 192.0.2.100 (the agent intercepts for it); from the
            correspondent host, broadcast a gratuitous ARP claiming
            192.0.2.100 at 02:00:00:00:00:0a, twice, 100 ms apart.
        Verify:
            haven answers with one gratuitous ARP for 192.0.2.100 with
            its own MAC (tshark on the home bridge), not two (rate
            limit); /haven/stats addresses_defended +1; the correspondent
            host's neighbour entry for 192.0.2.100 is haven's MAC again
            within 2 s.
        """
        h = self.start()
        r = self.mip.register(coa=E.MN_VA_ADDR, lifetime=120)
        assert r.code == 0, (r.code, r.code_text)
        time.sleep(1.5)      # the node's own announcements are over
        d0 = self.stat(h, "addresses_defended")
        with self.capture("home", "p-ha", "arp") as cap:
            hostile(self.lab, "arp", "--iface", E.CH_IFACE, "--op",
                    "request", "--claim", E.MN_HOME_ADDR, "--mac",
                    E.CH_MAC, "--count", 2, "--interval", 0.1)
            wait_until(lambda: self.stat(h, "addresses_defended") == d0 + 1,
                       3, what="defended")
            wait_until(lambda: self.lab.neigh("ch", E.MN_HOME_ADDR) ==
                       E.HA_MAC, 3, what="CH's entry back to haven")
            time.sleep(0.5)
        garps = [f for f in cap.layer("arp")
                 if f.get("arp.src.proto_ipv4") == E.MN_HOME_ADDR and
                 str(f.get("arp.src.hw_mac")).lower() == E.HA_MAC]
        cap.remove()
        assert len(garps) == 1, garps
        assert self.stat(h, "addresses_defended") == d0 + 1

    def test_denial_flood_keeps_history(self):
        """A flood of forged requests neither flushes the state changes
        from the event history nor floods the log.

        Steps:
            Register 192.0.2.100 (event: registration, code 0); from the
            correspondent host send 2000 forged Registration Requests
            from spoofed sources of 192.0.2.0/24 for unknown or
            unauthenticated home addresses.
        Verify:
            At least 2000 denials are counted; /haven/events from 0 still
            holds the registration of 192.0.2.100 with code 0; the log
            has at most ~30 denial lines a second and says how many were
            suppressed; a new registration is still accepted.
        """
        h = self.start()
        r = self.mip.register(coa=E.MN_VA_ADDR, lifetime=120)
        assert r.code == 0
        denied0 = int(h.stats().get("registrations_denied", 0))
        res = hostile(self.lab, "rrq-flood", "--iface", E.CH_IFACE, "--dst",
                      E.HA_ADDR, "--dst-mac", E.HA_MAC, "--count", 2000,
                      "--src-net", E.HOME_NET, "--avoid", E.HA_ADDR,
                      E.CH_ADDR, E.RT_HOME_ADDR, *NODES)
        assert res["sent"] == 2000
        wait_until(lambda: int(h.stats().get("registrations_denied", 0)) -
                   denied0 >= 1900, 20, what="the denials counted")
        ev = h.tel.query("/haven/events", "0")
        kept = [(k, c, a) for k, c, a in zip(ev["kind"], ev["code"],
                                              ev["home_address"])
                if k == "registration" and c == 0 and a == E.MN_HOME_ADDR]
        assert kept, "the accepted registration was flushed: %r" % ev
        log = h.log.read_text(errors="replace")
        denials = len(re.findall(r"event registration: registration of .* "
                                 r"denied", log))
        print("denial flood: %d denials logged, %s" % (
            denials, re.findall(r"\d+ similar line\(s\) suppressed", log)[:3]))
        assert denials < 1000, "%d denial lines logged" % denials
        assert "suppressed" in log
        r = self.mip.register(coa=E.MN_VA_ADDR, lifetime=120)
        assert r.code == 0, (r.code, r.code_text)

    def test_reload_error_whole(self):
        """A refused reload's event and log line carry the whole
        file:line:column message.

        Steps:
            Start haven; break its configuration with an unknown key on a
            long line; SIGHUP.
        Verify:
            /haven/event,<seq> of the config event "reload refused:
            <file>:<line>:<col>: unknown key ... (expected one of: ...)"
            joins to the whole message, the list of keys to its closing
            parenthesis; show events prints it whole; the log has the
            same whole line.
        """
        h = self.start()
        text = h.config_path.read_text()
        bad = "x_" + "unknown_key_" * 8 + ": 1\n"
        h.config_path.write_text(text + bad)
        line = len(text.splitlines()) + 1
        h.proc.send_signal(signal.SIGHUP)

        def refused():
            ev = h.tel.query("/haven/events") or {}
            return [s for k, s, t in zip(ev.get("kind", []),
                                         ev.get("seq", []),
                                         ev.get("text", []))
                    if k == "config" and "reload refused" in t]
        wait_until(refused, 5, what="the reload refused")
        ev = h.tel.query("/haven/event", str(refused()[-1]))
        t = "".join(ev["text"])
        print("reload refused: %d characters: %s" % (len(t), t))
        assert "%s:%d:1:" % (h.config_path, line) in t, t
        assert t.endswith("redundancy)"), t
        assert t in h.console().show_events(5), "show events cuts it"
        wait_until(lambda: t in h.log.read_text(errors="replace"), 3,
                   what="the whole message in the log")

    def test_telemetry_queries_cannot_kill(self):
        """DPDK's own /eal/heap_info and /eal/memzone_info with an index
        out of range do not kill the agent.

        Steps:
            Register 192.0.2.100; query /eal/memzone_info,100000,
            /eal/heap_info,99999, /eal/heap_info,-1, /eal/memzone_info,x
            and the valid /eal/heap_info,0 and /eal/memzone_info,0.
        Verify:
            The out-of-range queries answer null; the valid ones answer
            a heap and a memzone; haven is alive and the binding is
            still there.
        """
        h = self.start()
        assert self.mip.register().code == 0
        for q in ("/eal/memzone_info,100000", "/eal/heap_info,99999",
                  "/eal/heap_info,-1", "/eal/memzone_info,x"):
            cmd, p = q.split(",")
            assert h.tel.query(cmd, p) is None, q
        assert (h.tel.query("/eal/heap_info", "0") or {}).get("Name")
        assert (h.tel.query("/eal/memzone_info", "0") or {}).get("Name")
        assert h.alive()
        assert h.binding(E.MN_HOME_ADDR) is not None

    def test_own_address_announced_at_start(self):
        """A neighbour that still holds another MAC for the agent's
        address (a process before a restart, the other primary of a pair,
        a forger) learns the agent's at start, not after its reachable
        time.

        Steps:
            In the router's namespace, put 192.0.2.1 at 02:00:00:00:00:99
            (state stale); start haven with tshark on the router's home
            interface; register the mobile node at once.
        Verify:
            tshark sees a gratuitous ARP for 192.0.2.1 from haven's MAC;
            the router's entry is haven's MAC right after the start; the
            first registration is answered (code 0).
        """
        bogus = "02:00:00:00:00:99"
        self.lab.run("rt", ["ip", "neigh", "replace", E.HA_ADDR, "lladdr",
                            bogus, "dev", E.RT_HOME_IFACE, "nud", "stale"])
        assert self.lab.neigh("rt", E.HA_ADDR) == bogus
        with self.capture("rt", E.RT_HOME_IFACE, "arp") as cap:
            h = self.start()
            time.sleep(0.5)
        garps = [p for p in cap.layer("arp")
                 if p.get("arp.src.proto_ipv4") == E.HA_ADDR and
                 p.get("arp.dst.proto_ipv4") == E.HA_ADDR]
        assert garps, "no gratuitous ARP for %s at start" % E.HA_ADDR
        assert garps[0]["arp.src.hw_mac"].lower() == E.HA_MAC.lower()
        assert self.lab.neigh("rt", E.HA_ADDR) == E.HA_MAC.lower(), \
            self.lab.neigh("rt", E.HA_ADDR)
        r = self.register(h, E.MN_HOME_ADDR)
        assert r.replied and r.code == 0, (r.code, r.code_text)

    def test_clean_stop_frees_hugepages(self):
        """SIGTERM stops the agent cleanly and frees its hugepages.

        Steps:
            Start haven with hugepages: on (skipped when none are
            reserved); note its hugepage files; SIGTERM.
        Verify:
            It exits 0 and logs why it stops; none of its hugepage files
            (<file_prefix>map_*) is left in the hugetlbfs mount.
        """
        free = 0
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("HugePages_Free:"):
                free = int(line.split()[1])
        if free < 200 or not HUGEPAGES.is_dir():
            pytest.skip("no free hugepages here")
        h = self.start({"eal.hugepages": "on"})
        files = list(HUGEPAGES.glob(h.file_prefix + "map_*"))
        assert files, "no hugepage file of %s" % h.file_prefix
        h.proc.send_signal(signal.SIGTERM)
        rc = h.proc.wait(20)
        left = list(HUGEPAGES.glob(h.file_prefix + "map_*"))
        print("clean stop: rc %s, %d hugepage files before, %d after" %
              (rc, len(files), len(left)))
        assert rc == 0, rc
        assert not left, left
        assert "haven stopping on Terminated" in \
            h.log.read_text(errors="replace")
