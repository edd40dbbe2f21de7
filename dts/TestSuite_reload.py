# SPDX-License-Identifier: BSD-3-Clause
"""Reload suite: the operator changes the configuration of a running
primary home agent (SIGHUP, as systemd's `reload` sends it) while traffic
flows. Mobile nodes and secondaries are added or removed without a restart
and without losing a binding (EP 1134991 [0009]); a broken file is refused
whole, with its file:line:column, and the running configuration stays.
"""

import os
import signal
import time
from types import SimpleNamespace

import pytest
import yaml

from lab import OUT, Delegation, E, MipClient, wait_until

HOA = E.MN_HOME_ADDR
NEW_NODE = SimpleNamespace(hoa="192.0.2.107", spi=263, alg="hmac-md5",
                           key="hex:" + b"haven-lab-mn-107".hex())


def node_entry(n):
    return {"home_address": n.hoa, "spi": n.spi, "algorithm": n.alg,
            "key": n.key}


class TestSuite_reload:
    """The PHA in <p>-ha serves 192.0.2.100..105 and knows sha1; sha2 in
    <p>-sha2 already counts the PHA as its primary, waiting to be added."""

    @pytest.fixture(autouse=True)
    def set_up_test(self, lab, logname, endpoint, stream):
        self.lab = lab
        self.logname = logname
        self.deleg = Delegation(lab)
        self.stream = stream
        self.agents = []
        self.endpoint = endpoint(ifaces=("va",))
        try:
            yield
        finally:
            for h in reversed(self.agents):
                h.stop()

    def start(self):
        for n in ("sha1", "sha2"):
            h = self.deleg.secondary(
                n, log=OUT / ("%s-%s.log" % (self.logname, n)))
            self.agents.append(h)
            h.spawn()
        self.pha = self.deleg.pha(log=OUT / ("%s-pha.log" % self.logname),
                                  secondaries=("sha1",))
        self.agents.append(self.pha)
        self.pha.spawn()
        for h in self.agents:
            h.wait_ready()
        self.con = self.pha.console()

    def rewrite(self, edit):
        """Edit the PHA's configuration file in place, then SIGHUP it."""
        cfg = yaml.safe_load(self.pha.config_path.read_text())
        edit(cfg)
        self.pha.config_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        os.kill(self.pha.proc.p.pid, signal.SIGHUP)

    def rewrite_text(self, text):
        self.pha.config_path.write_text(text)
        os.kill(self.pha.proc.p.pid, signal.SIGHUP)

    def log_has(self, text, timeout=5.0):
        wait_until(lambda: text in self.pha.proc.output(), timeout, 0.1,
                   "%r in the PHA's log" % text)

    def register(self, sa, **kw):
        return MipClient(self.lab, sa).register(**kw)

    def test_reload_adds_node_and_secondary(self):
        """Add a mobile node and a secondary at run time, traffic flowing.

        Steps:
            Start sha1, sha2 and the PHA (which knows only sha1); register
            192.0.2.100 and stream 3000 datagrams at 200 pps to it; 3 s in,
            add 192.0.2.107 (SPI 263) and sha2 to the PHA's file and
            SIGHUP it; register 192.0.2.107; delegate 192.0.2.100 to sha2.
        Verify:
            the PHA logs the reload (+1 node, +1 secondary); before it,
            192.0.2.107 is refused with 131, after it accepted with 0;
            sha2 appears in /haven/peers and reports (alive); the binding
            of 192.0.2.100 survives (same care-of, generation unchanged)
            and the stream loses nothing; delegation to the new sha2
            completes; the PHA's process is the one started.
        """
        self.start()
        pid = self.pha.proc.p.pid
        assert self.register(NEW_NODE).code == 131
        r = self.register(self.pha.mn(HOA), lifetime=120)
        assert r.code == 0, r.code_text
        gen0 = self.pha.binding(HOA)["generation"]
        count, rate = 3000, 200
        recv = self.stream.receiver("mn", duration=count / rate + 10,
                                    expect=count, idle=3)
        self.stream.sender("ch", count=count, rate=rate)
        time.sleep(3)

        def edit(cfg):
            cfg["mobile_nodes"].append(node_entry(NEW_NODE))
            cfg["delegation"]["secondaries"].append(
                self.deleg.secondary_entry("sha2"))
        self.rewrite(edit)
        self.log_has("mobile nodes +1 -0")
        self.log_has("secondaries +1 -0")

        r = self.register(NEW_NODE)
        assert r.code == 0 and r.auth_ok, r.code_text
        wait_until(lambda: str((self.pha.peer("sha2") or {}).get("alive"))
                   in ("1", "True"), 5, 0.1, "sha2 alive at the PHA")
        b = self.pha.binding(HOA)
        assert b["care_of"] in ([E.MN_VA_ADDR], E.MN_VA_ADDR), b
        assert b["generation"] == gen0, (gen0, b)
        self.con.delegate(HOA, "sha2")
        wait_until(lambda: (self.pha.delegation_of(HOA) or {}).get(
            "state") == "delegated", 5, 0.05, "delegated to sha2")
        res = self.stream.result(recv)
        assert res["missing_count"] == 0, res["missing"]
        assert self.pha.proc.p.pid == pid and self.pha.alive()

    def test_reload_removes_node(self):
        """Remove a registered node: its binding goes, the others stay.

        Steps:
            Start the agents; register 192.0.2.100 and 192.0.2.102;
            remove 192.0.2.102 from the file and SIGHUP.
        Verify:
            the binding of 192.0.2.102 is gone and its next registration
            gets 131; 192.0.2.100 keeps its binding and pings through.
        """
        self.start()
        assert self.register(self.pha.mn(HOA)).code == 0
        other = self.pha.mn("192.0.2.102")
        assert self.register(other).code == 0
        assert self.pha.binding("192.0.2.102") is not None

        def edit(cfg):
            cfg["mobile_nodes"] = [m for m in cfg["mobile_nodes"]
                                   if m["home_address"] != other.hoa]
        self.rewrite(edit)
        self.log_has("mobile nodes +0 -1")
        assert self.pha.binding("192.0.2.102") is None
        assert self.register(other).code == 131
        assert self.pha.binding(HOA) is not None
        tx, rx = self.lab.ping("ch", HOA, count=3, interval=0.2)
        assert rx >= 2, (tx, rx)

    def test_reload_broken_refused(self):
        """A broken file, or one that changes what needs a restart, is
        refused whole; the running configuration stays.

        Steps:
            Start the agents; register 192.0.2.100; write a file whose
            replay_window is "seven" and that also adds 192.0.2.107;
            SIGHUP; then a valid file that moves the port's address; SIGHUP.
        Verify:
            the log says "reload refused: <file>:<line>:<col>: expected an
            integer ..." pointing at the replay_window line; 192.0.2.107
            is still refused (131); the second reload is refused naming
            ports; the binding of 192.0.2.100 and the PHA are untouched.
        """
        self.start()
        assert self.register(self.pha.mn(HOA)).code == 0
        good = self.pha.config_path.read_text()
        cfg = yaml.safe_load(good)
        cfg["mobile_nodes"].append(node_entry(NEW_NODE))
        cfg["home_agent"]["replay_window"] = "seven"
        text = yaml.safe_dump(cfg, sort_keys=False)
        line = next(i for i, l in enumerate(text.splitlines(), 1)
                    if "replay_window" in l)
        self.rewrite_text(text)
        self.log_has("reload refused: %s:%d:" % (self.pha.config_path, line))
        assert self.register(NEW_NODE).code == 131

        cfg = yaml.safe_load(good)
        cfg["ports"][0]["address"] = "192.0.2.2/24"
        self.rewrite_text(yaml.safe_dump(cfg, sort_keys=False))
        self.log_has("ports changed: only a restart applies that")
        assert self.pha.binding(HOA) is not None
        assert self.pha.alive()
