# SPDX-License-Identifier: BSD-3-Clause
"""Operator suite on the IPv6 lab (issue 13): the Mobile IPv6 views of
the console as JSON against telemetry, clear binding of an IPv6 binding
(the node's own MAC announced if it is home), and every field of every
/haven telemetry endpoint, read from a primary and a secondary with
IPv4 and IPv6 bindings and a delegation, documented in
docs/telemetry.md."""

import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import TestSuite_ipv6 as ipv6mod
from lab import (OUT, REPO, SHA_CONSOLE_KEY, Capture, E, Haven, MipClient,
                 column_rows, wait_until)
from TestSuite_ipv6 import ipv6_support, lab6_config  # noqa: F401

HOA6 = E.MN6_HOME_ADDR
DOC = REPO / "docs" / "telemetry.md"


class TestSuite_operator6:
    """haven from config/lab-ipv6.yaml in <p>-ha of the IPv6 lab; the
    mobile node 2001:db8:1::100 registers from 2001:db8:a::10."""

    @pytest.fixture(autouse=True)
    def set_up_test(self, ipv6_support, lab6, logname, mip6):
        self.lab = lab6
        self.logname = logname
        self.mip6 = mip6
        self.havens = []
        try:
            yield
        finally:
            for h in reversed(self.havens):
                h.stop()
            lab6.run("ch", ["ip", "-6", "addr", "del", HOA6 + "/128", "dev",
                            E.CH_IFACE], check=False)

    def haven(self, config=None, name="ha", role="ha",
              console_key="home_agent.console_socket"):
        h = Haven(self.lab, name=name, role=role,
                  config=config if config is not None else lab6_config(),
                  console_key=console_key,
                  log=OUT / ("%s-%s.log" % (self.logname, name)))
        self.havens.append(h)
        return h

    def register6(self, lifetime=60):
        r = self.mip6.register(coa=E.MN6_VA_ADDR, lifetime=lifetime,
                               timeout=3.0)
        assert r.replied and r.status == 0, (r.status, r.status_text)

    def test_views6_and_clear_binding6(self):
        """The IPv6 views as JSON against telemetry; clear binding of an
        IPv6 binding hands the home address back to the node at home.

        Steps:
            Read the start-up line; register 2001:db8:1::100 from
            2001:db8:a::10; show bindings6,
            binding6, mobile-nodes6, stats6, neighbours6 (text and json);
            ping6 it from the router; give the correspondent host the
            home address (the node came home); capture ICMPv6 there;
            clear binding 2001:db8:1::100.
        Verify:
            The start-up line counts the 2 Mobile IPv6 nodes beside the 6
            IPv4 ones. The JSON rows have telemetry's values (home address, care-of
            address, remaining, forwarder; SPI, key length, last
            sequence); the text shows them. After the clear: the agent
            solicits the home address, the node answers, and the agent
            sends unsolicited Neighbor Advertisements for it with the
            node's MAC (Override set), twice; the router's neighbour
            cache moves to the node's MAC; the binding is gone from
            /haven/bindings6 and show bindings6; an admin_release event.
        """
        h = self.haven()
        h.start()
        assert re.search(r"up: \d+ worker\(s\), 6 mobile node\(s\), 2 "
                         r"Mobile IPv6 node\(s\)", h.proc.output()), \
            h.proc.output()[-2000:]
        self.register6()
        c = h.console()
        b = c.json("show bindings6")
        t = column_rows(h.tel.query("/haven/bindings6"), "home_address")
        assert [r["home_address"] for r in b["bindings"]] == \
            [r["home_address"] for r in t] == [HOA6], (b, t)
        assert b["bindings"][0]["care_of"][0]["address"] == \
            t[0]["care_of"] == E.MN6_VA_ADDR
        assert b["bindings"][0]["forwarder"] == t[0]["forwarder"]
        assert abs(b["bindings"][0]["remaining"] - t[0]["remaining"]) <= 1
        assert re.search(r"%s\s+%s\s+\d+s" % (re.escape(HOA6),
                                              re.escape(E.MN6_VA_ADDR)),
                         c._checked("show bindings6"))
        one = c.json("show binding6 %s" % HOA6)
        t1 = h.tel.query("/haven/binding6", HOA6)
        for k in ("outer_source", "forwarder", "generation",
                  "last_sequence"):
            assert one[k] == t1[k], (k, one, t1)
        assert one["care_of"][0]["next_hop"] == t1["next_hop"]
        mn = c.json("show mobile-nodes6")
        tm = column_rows(h.tel.query("/haven/mobile_nodes6"),
                         "home_address")
        for r, x in zip(mn["mobile_nodes"], tm):
            for k in ("home_address", "spi", "key_length", "max_lifetime",
                      "last_sequence"):
                assert r[k] == x[k], (k, r, x)
        s6 = c.json("show stats6")
        assert s6["registrations6_accepted"] == \
            h.stats()["registrations6_accepted"] == 1, s6
        assert re.search(r"accepted %d" % s6["since_clear"][
            "registrations6_accepted"], c._checked("show stats6"))
        n6 = c.json("show neighbours6")
        assert E.RT6_HOME_ADDR in [r["address"] for r in n6["neighbours"]]

        self.lab.ping6("rt", HOA6, count=1)
        self.lab.run("ch", ["ip", "-6", "addr", "add", HOA6 + "/128", "dev",
                            E.CH_IFACE, "nodad"])
        ch_mac = E.CH_MAC.lower()
        with Capture(self.lab, "ch", E.CH_IFACE, "icmp6",
                     name="clear6") as cap:
            out = c.clear_binding(HOA6)
            wait_until(lambda: self.lab.neigh("rt", HOA6) == ch_mac, 6, 0.2,
                       "the router's cache moved to the node")
        assert "binding of %s removed" % HOA6 in out, out
        nas = [p for p in cap.layer("icmpv6")
               if p.get("icmpv6.type") == "136" and
               p.get("icmpv6.nd.na.target_address") == HOA6]
        told = [p for p in nas if p.get("icmpv6.opt.linkaddr") == ch_mac
                and str(p.get("icmpv6.nd.na.flag.o")).lower() in ("1",
                                                                  "true")
                and p.get("icmpv6.nd.na.flag.s") in ("0", "False",
                                                     "false")]
        assert len(told) == 2, nas
        assert not column_rows(h.tel.query("/haven/bindings6"),
                               "home_address")
        assert "0 IPv6 binding(s)" in c._checked("show bindings6")
        assert "binding of %s removed by the operator" % HOA6 in \
            c.show_events(kind="admin_release")

    def test_telemetry_fields_documented(self):
        """Every field of every /haven endpoint's reply is in
        docs/telemetry.md.

        Steps:
            Start sha1 (IPv4 and IPv6) and a primary from
            config/lab-ipv6.yaml with sha1 as its secondary; register
            192.0.2.100 (and once with a wrong authenticator) and
            2001:db8:1::100; delegate 192.0.2.100 to sha1; clear stats,
            drops, port stats and peers on both; ask each agent for
            every /haven command rte_telemetry lists ("/"), with a
            parameter where one is needed (the bound home addresses, the
            last event).
        Verify:
            Every member of every reply (nested since_clear members
            too) is written `like_this` in docs/telemetry.md; so is every
            value of a delegation state and of the roles; the document
            says that an event's code is -1 when there is none.
        """
        cfg, sha_cfg = ipv6mod.TestSuite_ipv6.deleg6_configs(
            SimpleNamespace(lab=self.lab))
        sha1 = self.haven(config=sha_cfg, name="sha1", role="sha1",
                          console_key=SHA_CONSOLE_KEY)
        pha = self.haven(config=cfg, name="pha")
        sha1.spawn()
        pha.spawn()
        sha1.wait_ready()
        pha.wait_ready()
        wait_until(lambda: str((pha.peer("sha1") or {}).get("alive")) in
                   ("1", "True"), 8, 0.2, "the PHA sees sha1 alive")
        mip = MipClient(self.lab, pha.mn(E.MN_HOME_ADDR))
        assert mip.register(coa=E.MN_VA_ADDR, lifetime=120).code == 0
        assert mip.register(coa=E.MN_VA_ADDR, bad_auth=True).code == 131
        self.register6(lifetime=120)
        con = pha.console()
        con.delegate(E.MN_HOME_ADDR, "sha1")
        wait_until(lambda: sha1.secondary_of(E.MN_HOME_ADDR), 5, 0.1,
                   "192.0.2.100 on sha1")
        for h in (pha, sha1):
            k = h.console()
            k.clear_stats()
            k.clear_drops()
            k.clear_port_stats()
            k.clear_peers()
        doc = DOC.read_text()
        documented = set(re.findall(r"`([A-Za-z0-9_]+)`", doc))
        fields, states = {}, set()
        for h, who in ((pha, "pha"), (sha1, "sha1")):
            cmds = [x for x in h.tel.query("/") if x.startswith("/haven/")]
            assert "/haven/version" in cmds, cmds
            last = h.tel.query("/haven/events")["next"] - 1
            params = {"/haven/binding": E.MN_HOME_ADDR,
                      "/haven/binding6": HOA6, "/haven/event": last}
            for cmd in cmds:
                v = h.tel.query(cmd, params.get(cmd))
                if v is None and (cmd in ("/haven/binding",
                                          "/haven/binding6") or
                                  (cmd == "/haven/event" and last < 0)):
                    continue        # the secondary: no such binding,
                                    # no event
                assert isinstance(v, dict), (who, cmd, v)
                for k, x in v.items():
                    fields.setdefault(k, set()).add(cmd)
                    if isinstance(x, dict):
                        for kk in x:
                            fields.setdefault(kk, set()).add(
                                cmd + " " + k)
                if cmd == "/haven/delegation":
                    states |= set(v.get("state", []))
                if cmd == "/haven/config":
                    states |= set(v.get("roles", []))
        # /haven/registrations' code_<n>, documented as such
        missing = {k: sorted(w) for k, w in fields.items()
                   if k not in documented and not (
                       re.fullmatch(r"code_\d+", k) and
                       "`code_<n>`" in doc)}
        assert not missing, "not in docs/telemetry.md: %s" % missing
        assert states and states <= documented, states - documented
        assert re.search(r"`code`[^\n]*`-1`", doc), \
            "docs/telemetry.md does not say code -1 means none"
        print("%d fields of %d endpoints documented" % (
            len(fields), len({c for w in fields.values() for c in w})))
