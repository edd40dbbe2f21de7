# SPDX-License-Identifier: BSD-3-Clause
"""Operator suite, delegation part (issue 13): the console of a primary
and of a pure secondary home agent (sha1) while a binding is delegated:
what show delegation, show bindings and show peers say on each, clear
binding of a delegated binding, clear peers against telemetry."""

import re
import time

import pytest

from lab import OUT, Delegation, E, MipClient, wait_until

HOA = E.MN_HOME_ADDR


class TestSuite_operator_deleg:
    """sha1 and the PHA (config/lab.yaml with a delegation section),
    started afresh for every test; 192.0.2.100 registers from
    198.51.100.10."""

    @pytest.fixture(autouse=True)
    def set_up_test(self, lab, logname):
        self.lab = lab
        deleg = Delegation(lab)
        self.sha1 = deleg.secondary("sha1",
                                    log=OUT / ("%s-sha1.log" % logname))
        self.pha = deleg.pha(log=OUT / ("%s-pha.log" % logname),
                             secondaries=("sha1",))
        try:
            self.sha1.spawn()
            self.pha.spawn()
            self.sha1.wait_ready()
            self.pha.wait_ready()
            wait_until(lambda: (self.pha.peer("sha1") or {}).get("alive"),
                       8, 0.2, "the PHA sees sha1 alive")
            self.con = self.pha.console()
            self.con1 = self.sha1.console()
            yield
        finally:
            self.pha.stop()
            self.sha1.stop()

    def delegate(self):
        r = MipClient(self.lab, self.pha.mn(HOA)).register(
            coa=E.MN_VA_ADDR, lifetime=120)
        assert r.code == 0, r
        self.con.delegate(HOA, "sha1")
        wait_until(lambda: (self.pha.delegation_of(HOA) or {}).get(
            "state") == "delegated", 5, 0.05, "delegated to sha1")
        wait_until(lambda: self.sha1.secondary_of(HOA), 3, 0.05,
                   "installed on sha1")

    def test_secondary_views_and_clear_delegated(self):
        """A delegated binding as both agents show it, then cleared.

        Steps:
            Register 192.0.2.100 at the PHA (lifetime 120 s), delegate it
            to sha1; on sha1: show delegation (and json), show bindings,
            clear binding 192.0.2.100; on the PHA: show delegation, then
            clear binding 192.0.2.100.
        Verify:
            sha1, a pure secondary, prints its header, says it is a
            secondary only, and lists 192.0.2.100 for pha with the
            seconds left of the forwarding duration, as its JSON does;
            its show bindings gives that many seconds left (never "-1s")
            and forwarder self. The PHA lists the binding delegated to
            sha1. sha1 refuses to clear a binding held for a primary.
            Cleared at the PHA: the PHA has no binding and nothing
            delegated, sha1 holds nothing (Stop Forwarding, counted as
            stopped), and the admin_release event says it was taken back
            from its secondary.
        """
        self.delegate()
        d1 = self.con1.show_delegation()
        assert "this home agent is a secondary only" in d1, d1
        assert re.search(r"home address\s+primary\s+generation\s+left", d1)
        row = [l.split() for l in d1.splitlines()
               if l.split() and l.split()[0] == HOA]
        assert row and row[0][1] == "pha", d1
        left = int(row[0][3].rstrip("s"))
        assert 100 <= left <= 120, d1
        j = self.con1.json("show delegation")
        assert j["roles"] == ["secondary"] and "delegated" not in j, j
        assert [h["home_address"] for h in j["held"]] == [HOA], j
        b1 = self.con1.show_bindings()
        assert "-1s" not in b1, b1
        brow = [l.split() for l in b1.splitlines()
                if l.split() and l.split()[0] == HOA]
        assert brow and 100 <= int(brow[0][4].rstrip("s")) <= 120, b1
        assert brow[0][-2:] == ["self", "delegated"], b1
        assert "held for a primary: clear it there" in \
            self.con1.clear_binding(HOA, refused=True)

        d = self.con.show_delegation()
        assert re.search(r"%s\s+sha1\s+delegated" % re.escape(HOA), d), d
        stopped = self.pha.delegation()[1].get("stopped", 0)
        out = self.con.clear_binding(HOA)
        assert "binding of %s removed" % HOA in out, out
        wait_until(lambda: self.sha1.secondary_of(HOA) is None, 5, 0.05,
                   "sha1 stopped forwarding")
        assert self.pha.binding(HOA) is None
        assert self.pha.delegation_of(HOA) is None
        wait_until(lambda: self.pha.delegation()[1].get("stopped", 0) >
                   stopped, 5, 0.1, "the stop acknowledged")
        ev = self.con.show_events(kind="admin_release")
        assert "taken back from its secondary" in ev, ev
        assert "0 binding(s)" in self.con1.show_bindings()

    def test_peers_and_clear_peers(self):
        """show peers and its JSON against /haven/peers, across clear
        peers.

        Steps:
            Let sha1 report for 2 s; show peers json on the PHA, and
            /haven/peers; clear peers; show peers; wait 2 s; /haven/peers
            and show peers json again.
        Verify:
            The JSON rows are telemetry's (name, role, address, alive,
            counters no larger than telemetry's); after the clear the
            text's rx column restarts (a few reports at most) while
            telemetry's rx keeps counting from before; the JSON's
            rx_since_clear equals telemetry's and rx stays the
            since-start value.
        """
        time.sleep(2)
        j = self.con.json("show peers")
        t = self.pha.tel.query("/haven/peers")
        (p,) = j["peers"]
        assert (p["name"], p["role"], p["address"], p["alive"]) == \
            ("sha1", "secondary", E.SHA1_ADDR, 1), p
        assert t["name"] == ["sha1"] and t["rx"][0] >= p["rx"] > 0, (t, p)
        rx0 = t["rx"][0]
        assert "cleared at" in self.con.clear_peers()
        text = self.con.show_peers()
        assert "protocol counters since clear at" in text, text
        row = [l.split() for l in text.splitlines()
               if l.split() and l.split()[0] == "sha1"][0]
        assert int(row[8]) <= 2, text          # rx since the clear
        time.sleep(2)
        t = self.pha.tel.query("/haven/peers")
        j = self.con.json("show peers")
        (p,) = j["peers"]
        assert t["rx"][0] > rx0 and p["rx"] >= rx0, (t, p, rx0)
        assert 1 <= p["rx_since_clear"] <= p["rx"] - rx0 + 2, p
        assert t["rx_since_clear"][0] >= p["rx_since_clear"], (t, p)
