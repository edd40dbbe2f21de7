# SPDX-License-Identifier: BSD-3-Clause
"""AAA suite (issue 15, docs/aaa.md): mobile nodes that config/lab.yaml
does not list register with the MN-HA keys two real FreeRADIUS servers
give, NAI-only nodes get home addresses, and every binding of such a node
is accounted for in FreeRADIUS's detail file with Haven's own counters.

The FreeRADIUS instances (dts/radius/raddb, users in docs/aaa.md 5) run in
haven's namespace <p>-ha on its loopback, as RADIUS goes through the
kernel's stack, not the DPDK port. Registrations come from the scapy
client (dts/mipclient.py, with its RFC 2794 NAI extension) on the mobile
node's care-of address 198.51.100.10; replies are decoded by tshark.

One haven and one pair of servers serve the whole suite, in order: the
accounting session that test_unlisted_node_reached opens is checked by the
last test, after its Interim-Update (aaa.interim_interval 60 s, the RFC 2869
minimum) has come; the tests between fill that minute.
"""

import json
import re
import statistics
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from lab import (LAB_CONFIG, OUT, PY, E, Endpoint, Haven, MipClient,
                 Stream, care_of_list, wait_until)
from radius import SECRETS, USERS, FreeRadius, aaa_section

DTS = Path(__file__).resolve().parent
TIMEOUT_MS = 300            # each server's first retransmission
RETRIES = 1                 # then failover: 0.3 + 0.6 s per server
INTERIM_S = 60              # RFC 2869 5.16: no shorter
POOL = ("192.0.2.200", "192.0.2.239")

NAI1 = "mn-aaa-1@lab.example"
HOA1 = USERS[NAI1]["framed_ip"]                 # 192.0.2.120
NAI_ONLY = "mn-nai-only@lab.example"
HOA_NAI_ONLY = USERS[NAI_ONLY]["framed_ip"]     # 192.0.2.150
NAI_CISCO = "mn-cisco@lab.example"              # no Framed-IP: the pool
HOA_QUAD = "192.0.2.121"                        # no NAI: User-Name is this


def sa_of(user, hoa):
    u = USERS[user]
    return SimpleNamespace(hoa=hoa, spi=u["spi"], alg="hmac-md5",
                           key="hex:" + u["key"].hex())


def in_pool(a):
    last = int(a.split(".")[3])
    return POOL[0].rsplit(".", 1)[0] == a.rsplit(".", 1)[0] and \
        int(POOL[0].split(".")[3]) <= last <= int(POOL[1].split(".")[3])


def config_for(servers, **extra):
    cfg = yaml.safe_load(LAB_CONFIG.read_text())
    aaa = dict(timeout_ms=TIMEOUT_MS, retries=RETRIES,
               revive_interval_ms=1000, max_pending=64,
               interim_interval=INTERIM_S, pool="%s-%s" % POOL)
    aaa.update(extra)
    cfg["aaa"] = aaa_section(servers, **aaa)
    return cfg


def records(servers, status=None, session=None):
    """Accounting records of every server's detail file, oldest first."""
    out = []
    for s in servers:
        out += s.detail_records()
    return [r for r in out if (status is None or
                               r.get("Acct-Status-Type") == status) and
            (session is None or r.get("Acct-Session-Id") == session)]


def counters_of(rec):
    """(input octets, input packets, output octets, output packets) of a
    detail record, Gigawords included."""
    def n(k):
        return int(rec.get(k, "0"))
    return (n("Acct-Input-Gigawords") << 32 | n("Acct-Input-Octets"),
            n("Acct-Input-Packets"),
            n("Acct-Output-Gigawords") << 32 | n("Acct-Output-Octets"),
            n("Acct-Output-Packets"))


def haven_counters(b):
    """The same four of a /haven/binding reply: input is what the node
    sent (reverse tunnel), output what it received (tunnelled to it)."""
    return (b["reverse_bytes"], b["reverse_packets"], b["bytes"],
            b["packets"])


@pytest.fixture(scope="module")
def env(lab):
    """radius1, radius2 and haven (config/lab.yaml + aaa:) in <p>-ha."""
    e = SimpleNamespace(lab=lab, endpoint=None, forger=None)
    ns = lab.ns("ha")
    e.r1 = FreeRadius("radius1", ns=ns, auth_port=18120, acct_port=18130,
                      log=OUT / "aaa-radius1.log")
    e.r2 = FreeRadius("radius2", ns=ns, auth_port=18121, acct_port=18131,
                      log=OUT / "aaa-radius2.log")
    e.ha = None
    try:
        e.r1.start()
        e.r2.start()
        e.ha = Haven(lab, name="aaa", config=config_for([e.r1, e.r2]),
                     log=OUT / "aaa-haven.log")
        e.ha.start()
        e.con = e.ha.console()
        e.stream = Stream(lab)
        e.measured = {}
        yield e
    finally:
        if e.endpoint is not None:
            e.endpoint.stop()
        if e.forger is not None:
            e.forger.stop()
        if e.ha is not None:
            e.ha.stop()
        e.r1.stop()
        e.r2.stop()
        if e.measured:
            (OUT / "aaa-measured.json").write_text(
                json.dumps(e.measured, indent=2))


class TestSuite_aaa:
    """Haven with aaa: (servers radius1, radius2 on 127.0.0.1 of <p>-ha,
    timeout 300 ms, 1 retransmission, pool 192.0.2.200-239, Interim every
    60 s) and the six configured nodes of config/lab.yaml."""

    @pytest.fixture(autouse=True)
    def set_up_test(self, env, lab, tshark):
        self.e = env
        self.lab = lab
        self.ha = env.ha
        self.con = env.con
        self.tshark = tshark

    # -- helpers --

    def mip(self, user, hoa):
        return MipClient(self.lab, sa_of(user, hoa))

    def totals(self):
        return self.ha.aaa()[1]

    def server(self, name):
        for r in self.ha.aaa()[0]:
            if r["server"] == name:
                return r
        raise KeyError(name)

    def node_row(self, hoa):
        for r in self.ha.aaa_nodes():
            if r["home_address"] == hoa:
                return r
        return None

    def events(self, pattern, timeout=2.0):
        """Lines of show events matching pattern, waiting a little for
        the first (server states are watched twice a second)."""
        def lines():
            return [l for l in self.con.show_events(200).splitlines()
                    if re.search(pattern, l)]
        try:
            return wait_until(lines, timeout, 0.1, pattern)
        except TimeoutError:
            return []

    # -- tests, in order --

    def test_unlisted_node_reached(self):
        """A node absent from the YAML registers with RADIUS's key and is
        reached through its tunnel.

        Steps:
            Start the tunnel endpoint for 192.0.2.120 (reverse tunnel);
            register 192.0.2.120 with NAI mn-aaa-1@lab.example, SPI 1000
            and the key of the lab's users file (T flag); ping it from the
            correspondent and send it a numbered stream; register again.
        Verify:
            Reply 0 authenticated with that key, carrying the NAI back
            (tshark: mip.code 0, mip.nai); radius1 saw the Access-Request;
            the binding's origin is aaa (telemetry, show bindings, show
            aaa nodes with the NAI); every ping and every numbered packet
            arrives through the tunnel; the second registration comes from
            the cached key (no new Access-Request); an Accounting Start
            for the session reaches radius1's detail file with the NAI,
            the home address and the Class of the Access-Accept.
        """
        e = self.e
        e.endpoint = Endpoint(self.lab, ifaces=(E.MN_VA_IFACE,),
                              reverse=True, hoa=HOA1,
                              log=OUT / "aaa-endpoint.log")
        mip = self.mip(NAI1, HOA1)
        with self.tshark("mn", E.MN_VA_IFACE, "udp port 434") as cap:
            r = mip.register(nai=NAI1, lifetime=900, flags="T", timeout=5)
        assert r.code == 0, (r.code, r.code_text)
        assert r.auth_ok and r.nai == NAI1 and r.home_address == HOA1, r
        reps = cap.replies()
        assert [m["mip.code"] for m in reps] == ["0"], reps
        assert reps[0]["mip.nai"] == NAI1, reps[0]
        e.measured["first_registration_ms"] = round(r.rtt_ms, 1)
        assert 'User-Name = "%s"' % NAI1 in e.r1.proc.output()

        b = self.ha.binding(HOA1)
        assert b and b["origin"] == "aaa" and b["aaa_user"] == NAI1, b
        assert E.MN_VA_ADDR in care_of_list(b)
        rows = [l for l in self.con.show_bindings().splitlines()
                if l.split()[:1] == [HOA1]]
        assert rows and rows[0].split()[-1] == "aaa", rows
        node = self.node_row(HOA1)
        assert node["user"] == NAI1 and node["address_from"] == "own"
        assert node["spi"] == 1000 and node["bound"] == 1, node
        e.session = node["session_id"]
        assert e.session, node

        sent, got = self.lab.ping("ch", HOA1, count=5, interval=0.1)
        assert sent == 5 and got == 5, (sent, got)
        recv = e.stream.receiver(port=9100, duration=8, expect=200)
        e.stream.send(dst=HOA1, port=9100, count=200, rate=400)
        res = e.stream.result(recv)
        assert res["received"] == 200 and not res.get("lost"), res

        asked = self.totals()["asked"]
        r2 = mip.register(nai=NAI1, lifetime=900, flags="T", timeout=5)
        assert r2.code == 0, (r2.code, r2.code_text)
        assert self.totals()["asked"] == asked, "asked RADIUS again"
        assert self.totals()["cache_hits"] >= 1

        start = wait_until(lambda: records([e.r1], "Start", e.session), 5,
                           what="Accounting Start")[0]
        assert start["User-Name"] == NAI1
        assert start["Framed-IP-Address"] == HOA1
        assert bytes.fromhex(start["Class"][2:]) == \
            USERS[NAI1]["class"].encode(), start
        e.start_time = time.monotonic()

    def test_node_without_nai_expiry_revocation(self):
        """A node without a NAI is asked for by its home address; its
        bindings end by expiry, revocation and deregistration, each with
        an accounting Stop.

        Steps:
            Register 192.0.2.121 (no NAI) for 2 s; let it expire;
            register again; revoke it on the console; register again;
            deregister.
        Verify:
            The first registration asks RADIUS with User-Name
            "192.0.2.121" and is accepted; the key is cached for at most
            the Session-Timeout (600 s) although key_lifetime is 3600; the
            expiry gives a Stop with Acct-Terminate-Cause Session-Timeout
            and keeps the node (cached); the second registration uses the
            cache; the revocation gives a Stop with Admin-Reset and
            forgets the node, so the third asks RADIUS again; the
            deregistration gives a Stop with User-Request.
        """
        e = self.e
        mip = self.mip(HOA_QUAD, HOA_QUAD)
        asked = self.totals()["asked"]
        r = mip.register(lifetime=2, timeout=5)
        assert r.code == 0 and r.auth_ok, (r.code, r.code_text)
        assert r.nai is None
        assert self.totals()["asked"] == asked + 1
        assert 'User-Name = "%s"' % HOA_QUAD in e.r1.proc.output()
        node = self.node_row(HOA_QUAD)
        assert node["user"] == HOA_QUAD and 0 < node["cache_left"] <= 600
        s1 = node["session_id"]

        stop = wait_until(lambda: records([e.r1], "Stop", s1), 6,
                          what="Stop on expiry")[0]
        assert stop["Acct-Terminate-Cause"] == "Session-Timeout", stop
        node = self.node_row(HOA_QUAD)
        assert node is not None and node["bound"] == 0, node

        r = mip.register(lifetime=60, timeout=5)
        assert r.code == 0
        assert self.totals()["asked"] == asked + 1, "the cache was not used"
        s2 = self.node_row(HOA_QUAD)["session_id"]
        self.con.revoke(HOA_QUAD)
        stop = wait_until(lambda: records([e.r1], "Stop", s2), 5,
                          what="Stop on revocation")[0]
        assert stop["Acct-Terminate-Cause"] == "Admin-Reset", stop
        assert self.ha.binding(HOA_QUAD) is None
        wait_until(lambda: self.node_row(HOA_QUAD) is None, 2,
                   what="revoked node forgotten")
        self.con.revoke(HOA_QUAD, refused=True)

        r = mip.register(lifetime=60, timeout=5)
        assert r.code == 0
        assert self.totals()["asked"] == asked + 2
        s3 = self.node_row(HOA_QUAD)["session_id"]
        assert mip.deregister().code == 0
        stop = wait_until(lambda: records([e.r1], "Stop", s3), 5,
                          what="Stop on deregistration")[0]
        assert stop["Acct-Terminate-Cause"] == "User-Request", stop
        assert len({s1, s2, s3}) == 3

    def test_denials(self):
        """Wrong keys, unknown users and someone else's address are denied.

        Steps:
            Configured 192.0.2.100 with a wrong authenticator; NAI
            stranger@lab.example (rejected by RADIUS); mn-cisco@lab.example
            asking for an address with a wrong key; a wrong key for the
            bound 192.0.2.120; mn-nai-only@lab.example claiming 192.0.2.120;
            mn-aaa-1@lab.example (bound at .120) claiming 192.0.2.122;
            192.0.2.121, revoked, with a wrong key.
        Verify:
            131, 131 (an Access-Reject and its event), 131 (the pool
            address it was given goes back, no node stays), 131 (the
            binding of 192.0.2.120 is unchanged), 129, 129, 131 (RADIUS
            was asked, but the node it answered for is not kept: it never
            proved its key); the configured node never asked RADIUS.
        """
        asked = self.totals()["asked"]
        cfg_node = MipClient(self.lab, self.ha.mn(E.MN_HOME_ADDR))
        r = cfg_node.register(bad_auth=True)
        assert r.code == 131, (r.code, r.code_text)
        assert self.totals()["asked"] == asked, "a YAML node asked RADIUS"

        r = self.mip(NAI_CISCO, "0.0.0.0").register(
            nai="stranger@lab.example", timeout=5)
        assert r.code == 131, (r.code, r.code_text)
        assert self.events(r"stranger@lab.example rejected by radius1")

        r = self.mip(NAI_CISCO, "0.0.0.0").register(nai=NAI_CISCO,
                                                   bad_auth=True, timeout=5)
        assert r.code == 131, (r.code, r.code_text)
        assert self.totals()["asked"] == asked + 2
        wait_until(lambda: self.totals()["pool_used"] == 0, 2,
                   what="pool address given back")
        assert not any(in_pool(n["home_address"])
                       for n in self.ha.aaa_nodes())

        before = self.ha.binding(HOA1)
        r = self.mip(NAI1, HOA1).register(nai=NAI1, bad_auth=True,
                                          flags="T")
        assert r.code == 131
        after = self.ha.binding(HOA1)
        assert after and care_of_list(after) == care_of_list(before)

        r = self.mip(NAI_ONLY, HOA1).register(nai=NAI_ONLY)
        assert r.code == 129, (r.code, r.code_text)
        assert self.ha.binding(HOA1)["aaa_user"] == NAI1
        r = self.mip(NAI1, "192.0.2.122").register(nai=NAI1)
        assert r.code == 129, (r.code, r.code_text)

        self.con.revoke(HOA_QUAD)       # cached since the last test
        wait_until(lambda: self.node_row(HOA_QUAD) is None, 2,
                   what="revoked")
        asked = self.totals()["asked"]
        r = self.mip(HOA_QUAD, HOA_QUAD).register(bad_auth=True, timeout=5)
        assert r.code == 131, (r.code, r.code_text)
        assert self.totals()["asked"] == asked + 1
        wait_until(lambda: self.node_row(HOA_QUAD) is None, 2,
                   what="unproven node dropped")

    def test_nai_only_address(self):
        """A NAI-only node gets a home address and keeps it.

        Steps:
            mn-nai-only@lab.example registers with home address 0.0.0.0,
            again with 0.0.0.0, then with the address it got;
            mn-cisco@lab.example (no Framed-IP-Address) does the same;
            both deregister.
        Verify:
            The first gets 192.0.2.150 (RADIUS's Framed-IP-Address) in the
            reply's Home Address (tshark) with its NAI, and keeps it; the
            second gets an address of the pool and keeps it; the
            re-registrations ask RADIUS nothing; after the deregistrations
            neither node nor pool address is held.
        """
        only = self.mip(NAI_ONLY, "0.0.0.0")
        asked = self.totals()["asked"]
        with self.tshark("mn", E.MN_VA_IFACE, "udp port 434") as cap:
            r = only.register(nai=NAI_ONLY, timeout=5)
        assert r.code == 0 and r.auth_ok, (r.code, r.code_text)
        assert r.home_address == HOA_NAI_ONLY and r.nai == NAI_ONLY, r
        rep = cap.replies()[0]
        assert rep["mip.homeaddr"] == HOA_NAI_ONLY and \
            rep["mip.nai"] == NAI_ONLY, rep
        assert only.register(nai=NAI_ONLY).home_address == HOA_NAI_ONLY
        r = only.register(nai=NAI_ONLY, hoa=HOA_NAI_ONLY)
        assert r.code == 0 and r.home_address == HOA_NAI_ONLY
        assert self.node_row(HOA_NAI_ONLY)["address_from"] == "radius"
        assert self.ha.binding(HOA_NAI_ONLY)["origin"] == "aaa"

        cisco = self.mip(NAI_CISCO, "0.0.0.0")
        r = cisco.register(nai=NAI_CISCO, timeout=5)
        assert r.code == 0 and r.auth_ok, (r.code, r.code_text)
        got = r.home_address
        assert in_pool(got), got
        assert cisco.register(nai=NAI_CISCO).home_address == got
        assert cisco.register(nai=NAI_CISCO, hoa=got).home_address == got
        assert self.node_row(got)["address_from"] == "pool"
        assert self.totals()["pool_used"] == 1
        assert self.totals()["asked"] == asked + 2

        assert cisco.deregister(nai=NAI_CISCO, hoa=got).code == 0
        assert only.deregister(nai=NAI_ONLY).code == 0
        wait_until(lambda: self.node_row(got) is None and
                   self.node_row(HOA_NAI_ONLY) is None, 2,
                   what="addresses released")
        assert self.totals()["pool_used"] == 0

    def test_failover(self):
        """The first server killed: the agent fails over to the second.

        Steps:
            SIGKILL radius1; mn-nai-only@lab.example registers (its node
            was released: RADIUS is asked); restart radius1.
        Verify:
            The registration is accepted with 192.0.2.150 from radius2;
            radius1 is declared dead (telemetry, an event), radius2 counts
            the accept; after the restart a Status-Server probe brings
            radius1 back (alive, revivals 1).
        """
        e = self.e
        e.r1.kill()
        only = self.mip(NAI_ONLY, "0.0.0.0")
        r = only.register(nai=NAI_ONLY, timeout=8)
        assert r.code == 0 and r.home_address == HOA_NAI_ONLY, \
            (r.code, r.code_text)
        e.measured["failover_registration_ms"] = round(r.rtt_ms, 1)
        s1, s2 = self.server("radius1"), self.server("radius2")
        assert s1["state"] == "dead" and s1["deaths"] == 1, s1
        assert s2["accepts"] >= 1, s2
        assert self.events(r"RADIUS server radius1 .* dead")
        out = self.con.show_aaa()
        assert re.search(r"radius1 .* dead", out), out
        e.r1.start()
        wait_until(lambda: self.server("radius1")["state"] == "alive", 5,
                   what="radius1 revived")
        assert self.server("radius1")["revivals"] == 1
        assert only.deregister(nai=NAI_ONLY).code == 0

    def test_both_dead(self):
        """Both servers dead: unknown nodes get 130 within the bound, a
        flood of them is bounded, configured nodes keep registering.

        Steps:
            In one client process in the mobile node: 20 registrations of
            configured 192.0.2.100 (baseline); kill both servers; send 100
            NAI registrations of distinct unknown nodes without waiting
            (a flood: more than the 48 that may wait), and 20 of
            192.0.2.100 meanwhile; collect the NAI replies; send one more
            NAI registration; restart both servers.
        Verify:
            Every configured registration is accepted, and all of them
            were answered before any NAI registration that waited for
            RADIUS ended; every NAI registration is denied with 130
            (insufficient resources, docs/aaa.md 4.1): 48 after waiting
            (never more at once: the bound), the rest at once, refused
            without an Access-Request; the waiting ones within the longest
            wait the agent reports (/haven/aaa max_wait_ms); the last one,
            once both servers are known dead, at once (before the first
            retransmission time); the events say so. Measured: configured
            registration round trips (baseline, during), time to the 130s.
        """
        e = self.e
        max_wait = self.totals()["max_wait_ms"]
        probe = {
            "dts": str(DTS), "ha": E.HA_ADDR, "coa": E.MN_VA_ADDR,
            "hoa": E.MN_HOME_ADDR, "spi": int(E.MN_SPI), "key": E.MN_KEY,
            "wait_s": max_wait / 1000.0 + 2,
        }
        base = self.run_probe(dict(probe, unknown=0, configured=20))
        before = self.totals()
        e.r1.kill()
        e.r2.kill()
        during = self.run_probe(dict(probe, unknown=100, configured=20))
        flood = self.totals()
        after = self.run_probe(dict(probe, unknown=1, configured=0))
        e.r1.start()
        e.r2.start()

        assert all(c == 0 for c, _, _ in base["configured"]), base
        assert all(c == 0 for c, _, _ in during["configured"]), during
        codes = [u[0] for u in during["unknown"] + after["unknown"]]
        assert codes == [130] * 101, codes
        waited = [u for u in during["unknown"] if u[1] >= TIMEOUT_MS]
        at_once = [u for u in during["unknown"] if u[1] < TIMEOUT_MS]
        bound = flood["waiting_max"]
        assert len(waited) == bound and len(at_once) == 100 - bound, \
            (len(waited), len(at_once))
        assert flood["waiting_peak"] == bound, flood
        assert flood["asked"] - before["asked"] == bound
        assert flood["refused_full"] - before["refused_full"] == 100 - bound
        slowest = max(ms for _, ms, _ in waited)
        assert slowest <= max_wait + 500, (slowest, max_wait)
        last_configured = max(end for _, _, end in during["configured"])
        assert last_configured < min(end for _, _, end in waited), during
        assert after["unknown"][0][1] < TIMEOUT_MS, after
        assert self.totals()["results_no_server"] >= 1
        assert self.totals()["waiting"] == 0
        assert self.events(r"no RADIUS server answered")
        assert self.events(r"no live RADIUS server")
        b = [ms for _, ms, _ in base["configured"]]
        d = [ms for _, ms, _ in during["configured"]]
        e.measured.update({
            "max_wait_ms": max_wait,
            "configured_rtt_ms_baseline_median": round(
                statistics.median(b), 2),
            "configured_rtt_ms_radius_dead_median": round(
                statistics.median(d), 2),
            "configured_rtt_ratio_dead_to_baseline": round(
                statistics.median(d) / statistics.median(b), 2),
            "unknown_denied_130_ms_waited_slowest": round(slowest, 1),
            "unknown_denied_130_ms_flood_refused_slowest": round(
                max(ms for _, ms, _ in at_once), 1),
            "unknown_denied_130_ms_no_server": round(
                after["unknown"][0][1], 1),
        })
        wait_until(lambda: all(s["state"] == "alive"
                               for s in self.ha.aaa()[0]), 5,
                   what="both servers revived")

    def run_probe(self, cfg):
        r = self.lab.run("mn", [PY, "-c", PROBE, json.dumps(cfg)],
                         timeout=60)
        return json.loads(r.stdout.strip().splitlines()[-1])

    def test_forged_answers_ignored(self):
        """Forged RADIUS answers are ignored; servers change by reload.

        Steps:
            Reload the same file; start a forger (dts/radius_forger.py) on
            radius1's ports in <p>-ha's loopback after killing radius1;
            reload haven with
            servers [forger (radius1's secret), radius2]; mn-nai-only
            registers with 0.0.0.0; reload a file changing max_pending;
            reload the original servers; restart radius1.
        Verify:
            A reload of the unchanged file keeps the RADIUS client; the
            reload says the servers changed; the forger sent Access-
            Accepts without a Message-Authenticator and with one made with
            another secret, for 203.0.113.66: both are dropped (counted),
            and the node gets 192.0.2.150 from radius2; the max_pending
            reload is refused with its reason and changes nothing.
        """
        e = self.e
        out = self.con.reload()         # the same file: nothing to change
        assert "RADIUS servers changed" not in out, out
        e.r1.kill()
        e.forger = self.lab.spawn("ha", [
            PY, DTS / "radius_forger.py", "--port", e.r1.auth_port,
            "--secret-file", SECRETS / "radius1.secret"],
            log=OUT / "aaa-forger.log", name="radius_forger")
        e.forger.wait_for("READY", 5)
        orig = self.ha.config_path.read_text()
        cfg = yaml.safe_load(orig)
        cfg["aaa"]["servers"][0]["name"] = "forger"
        self.ha.config_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        out = self.con.reload()
        assert "RADIUS servers changed (2)" in out, out
        try:
            r = self.mip(NAI_ONLY, "0.0.0.0").register(nai=NAI_ONLY,
                                                        timeout=8)
            assert r.code == 0 and r.home_address == HOA_NAI_ONLY, \
                (r.code, r.code_text, r.home_address)
            f = self.server("forger")
            assert f["dropped_no_ma"] >= 1 and f["dropped_auth"] >= 1, f
            assert f["accepts"] == 0, f
            assert re.search(r"forged [1-9]", e.forger.output())
            assert self.ha.binding("203.0.113.66") is None
            assert self.mip(NAI_ONLY, "0.0.0.0").deregister(
                nai=NAI_ONLY).code == 0

            cfg["aaa"]["max_pending"] = 128
            self.ha.config_path.write_text(yaml.safe_dump(cfg,
                                                          sort_keys=False))
            out = self.con.reload(refused=True)
            assert "aaa.max_pending changed (64 -> 128)" in out, out
            assert self.server("forger") is not None
        finally:
            self.ha.config_path.write_text(orig)
            out = self.con.reload()
            e.forger.stop()
            e.forger = None
            e.r1.start()
        assert "RADIUS servers changed (2)" in out, out
        assert self.server("radius1")["state"] == "alive"

    def test_surfaces_no_secret(self):
        """The operator surfaces agree, and never show a secret.

        Steps:
            Read every AAA surface: show aaa, show aaa nodes, show binding
            of 192.0.2.120, show mobile-nodes, show events; telemetry
            /haven/aaa, /haven/aaa_nodes, /haven/binding, /haven/config,
            /haven/events; the Prometheus exporter (--once, parsed by
            prometheus_client); haven's log.
        Verify:
            show mobile-nodes counts the provisioned nodes; the exporter
            gives each server's state and deaths as /haven/aaa does, the
            AAA node count, and 192.0.2.120's binding with origin aaa;
            none of them holds a server's shared secret, the NAS password
            or any MN-HA key RADIUS gave (as text or hex).
        """
        c = self.con
        mns = c.show_mobile_nodes()
        assert "+ %d provisioned by AAA" % self.totals()["nodes"] in mns, \
            mns
        text = "\n".join([
            c.show_aaa(), c.show_aaa_nodes(), c.show_binding(HOA1), mns,
            c.show_events(200)] + [
            json.dumps(self.ha.tel.raw(q)) for q in (
                "/haven/aaa", "/haven/aaa_nodes", "/haven/binding,%s" % HOA1,
                "/haven/config", "/haven/events")]) + \
            self.ha.log.read_text(errors="replace")
        assert "provisioned by AAA: user %s" % NAI1 in text

        x = subprocess.run(
            [PY, DTS.parent / "app" / "haven-exporter" / "haven_exporter.py",
             "--once", "--file-prefix", self.ha.file_prefix],
            capture_output=True, text=True, timeout=30)
        assert x.returncode == 0, x.stderr
        from prometheus_client.parser import text_string_to_metric_families
        got = {}
        for fam in text_string_to_metric_families(x.stdout):
            for smp in fam.samples:
                got[(smp.name, tuple(sorted(smp.labels.items())))] = \
                    smp.value

        def metric(name, **labels):
            hits = [v for (n, l), v in got.items() if n == name and
                    set(labels.items()) <= set(l)]
            assert len(hits) == 1, (name, labels, hits)
            return hits[0]
        for srv in self.ha.aaa()[0]:
            assert metric("haven_aaa_server_up", server=srv["server"]) == \
                (srv["state"] == "alive")
            assert metric("haven_aaa_server_deaths_total",
                          server=srv["server"]) == srv["deaths"]
        assert metric("haven_aaa_nodes") == self.totals()["nodes"]
        assert metric("haven_binding_packets_total", home_address=HOA1,
                      origin="aaa") == self.ha.binding(HOA1)["packets"]
        text += x.stdout
        secrets = [(SECRETS / f).read_text().strip() for f in (
            "radius1.secret", "radius2.secret", "radius-nas.password")]
        for u in USERS.values():
            secrets += [u["key"].decode("latin-1"), u["key"].hex()]
        for x in secrets:
            assert x not in text, "a secret is shown"

    def test_accounting_matches_counters(self):
        """Start, Interim-Update and Stop carry Haven's counters.

        Steps:
            (192.0.2.120's session began in test_unlisted_node_reached,
            with traffic both ways.) Wait for its Interim-Update; read the
            binding's counters; deregister it.
        Verify:
            The Interim-Update came about 60 s after the Start and its
            input (reverse tunnel) and output (tunnel) octets and packets
            equal Haven's per-binding counters (/haven/binding), which are
            not zero either way; the Stop has the same counters, the same
            session, Acct-Terminate-Cause User-Request and a session time
            of at least 60 s.
        """
        e = self.e
        left = e.start_time + INTERIM_S + 10 - time.monotonic()
        interim = wait_until(
            lambda: records([e.r1, e.r2], "Interim-Update", e.session),
            max(left, 1), 0.5, "Interim-Update")[0]
        b = self.ha.binding(HOA1)
        want = haven_counters(b)
        assert all(v > 0 for v in want), b
        assert counters_of(interim) == want, (interim, b)
        assert interim["Framed-IP-Address"] == HOA1
        assert int(interim["Acct-Session-Time"]) >= INTERIM_S - 1

        r = self.mip(NAI1, HOA1).deregister(nai=NAI1)
        assert r.code == 0
        stop = wait_until(lambda: records([e.r1, e.r2], "Stop", e.session),
                          5, what="Stop")[0]
        assert counters_of(stop) == want, (stop, want)
        assert stop["Acct-Terminate-Cause"] == "User-Request"
        assert int(stop["Acct-Session-Time"]) >= INTERIM_S
        t = self.totals()
        assert t["acct_failed"] == 0 and t["acct_lost"] == 0, t
        e.measured["interim_after_start_s"] = int(
            interim["Acct-Session-Time"])


# The measuring client of test_both_dead: runs in the mobile node, with
# mipclient's request builder and parser (scapy and hmac), one process so
# that no interpreter start-up sits between the registrations it times.
PROBE = r'''
import json, socket, sys, time
cfg = json.loads(sys.argv[1])
sys.path.insert(0, cfg["dts"])
import mipclient as m

out = {"configured": [], "unknown": []}
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((cfg["coa"], 0))
sent = {}


def drain(wait):
    # take the NAI replies that are there (wait: block until end)
    end = time.monotonic() + wait
    while sent:
        left = end - time.monotonic()
        u.settimeout(max(left, 0) if wait else 0)
        try:
            data = u.recv(4096)
        except (socket.timeout, BlockingIOError):
            if not wait or time.monotonic() >= end:
                return
            continue
        r = m.parse_reply(data, b"x", "hmac-md5")
        t0 = sent.pop(r.ident_low, None)
        if t0 is not None:
            now = time.monotonic()
            out["unknown"].append([r.code, (now - t0) * 1000.0, now])


for i in range(cfg["unknown"]):
    nai = "stranger-%d-%d@lab.example" % (int(time.time()), i)
    msg, ident = m.build_request("0.0.0.0", cfg["ha"], cfg["coa"], 4000 + i,
                                 b"no-key-known", nai=nai)
    sent[ident & 0xffffffff] = time.monotonic()
    u.sendto(msg, (cfg["ha"], m.MIP_PORT))
    time.sleep(0.001)
    drain(0)
for i in range(cfg["configured"]):
    r = m.register(cfg["ha"], cfg["hoa"], cfg["coa"], cfg["spi"],
                   m.parse_key(cfg["key"]), lifetime=60, timeout=2.0)
    out["configured"].append([r.code, r.rtt_ms, time.monotonic()])
    drain(0)
drain(cfg["wait_s"])
print(json.dumps(out))
'''
