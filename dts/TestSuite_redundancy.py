# SPDX-License-Identifier: BSD-3-Clause
"""Redundancy suite (issue 11): two primaries of one home agent
(192.0.2.1) in <p>-pa (192.0.2.31, VRRP priority 150) and <p>-pb
(192.0.2.32, priority 100), each a real haven with its store and a real
keepalived (VRRPv3, advertisements every 100 ms) speaking through haven's
exception path (hx0, net_tap); keepalived's notify script tells haven its
role on the console socket; the active streams its store to the standby
(lib/sync, UDP 4435). sha1 (192.0.2.11, reports every 100 ms) holds a
delegated binding for "the" primary (id 1 at 192.0.2.1): it never learns
that there are two.

Every measurement is printed and appended to
dts/out/redundancy-results.txt.
"""

import os
import shutil
import time

import pytest

from keepalived_lab import HavenPair
from lab import (OUT, Delegation, E, MipClient, care_of_list, reporter,
                 truthy, until)

HOA = E.MN_HOME_ADDR
DELEGATED = "192.0.2.101"
NODES = (("192.0.2.100", E.MN_VA_ADDR, 300),
         ("192.0.2.101", E.MN_VA_ADDR, 300),
         ("192.0.2.102", E.MN_VB_ADDR, 200),
         ("192.0.2.103", E.MN_VA_ADDR, 150),
         ("192.0.2.104", E.MN_VB_ADDR, 250))
report = reporter("redundancy")








class PairBase:
    """A pair of primaries with keepalived, a secondary, the mobile node
    away at va, the correspondent host streaming to it: the fixture and
    the helpers of the redundancy suites."""

    @pytest.fixture(autouse=True)
    def set_up_test(self, lab, logname, endpoint, stream):
        self.lab = lab
        self.logname = logname
        self.stream = stream
        self.deleg = Delegation(lab)
        self.workdir = OUT / ("pair-%s-%s" % (lab.prefix, logname))
        shutil.rmtree(self.workdir, ignore_errors=True)
        deleg = self.deleg.pha_config(secondaries=("sha1",),
                                      dead_after=3)["delegation"]

        def with_deleg(cfg, i):
            cfg["delegation"] = dict(deleg)
            return cfg
        self.pair = HavenPair(lab, self.workdir, cfg_fn=with_deleg)
        self.sha = None
        lab.loss(0)
        lab.flush_neigh("ch")
        lab.flush_neigh("rt")
        self.ep = endpoint(ifaces=("va", "vb"))
        try:
            self.pair.build()
            yield
        finally:
            if self.sha is not None:
                self.sha.stop()
            self.pair.destroy()
            if not os.environ.get("HAVEN_KEEP_WORKDIR"):
                shutil.rmtree(self.workdir, ignore_errors=True)

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def up(self):
        """pa active, pb standby in sync, sha1 alive at the active."""
        self.sha = self.deleg.secondary(
            "sha1", log=OUT / ("%s-sha1.log" % self.logname),
            report_interval_ms=100)
        self.sha.spawn()
        self.pair.start(0)
        until(lambda: self.pair.serving(0), 10, "pa active",
              show=lambda: self.pair.redundancy(0))
        self.pair.start(1)
        self.pair.wait_roles(0, 15)
        self.sha.wait_ready()
        until(lambda: truthy((self.active(0).peer("sha1") or {})
                             .get("alive")), 6, "sha1 alive at pa")

    def active(self, i):
        return self.pair.havens[i]

    def mip(self, hoa):
        return MipClient(self.lab, self.active(0).mn(hoa))

    def register_all(self, h):
        """Register every node through the VIP; the results by node."""
        out = {}
        for hoa, coa, lt in NODES:
            r = self.mip(hoa).register(coa=coa, lifetime=lt)
            assert r.replied and r.code == 0, (hoa, r.code, r.code_text)
            out[hoa] = r
        con = h.console()
        con.delegate(DELEGATED, "sha1")
        until(lambda: str((h.delegation_of(DELEGATED) or {})
                          .get("state")).lower() == "delegated", 5,
              "delegated to sha1", show=h.delegation)
        until(lambda: self.sha.secondary_of(DELEGATED), 3, "on sha1",
              show=self.sha.secondary)
        return out

    def wait_standby_has(self, active, standby):
        """The standby's store holds what the active's does."""
        def same():
            a = self.pair.havens[active].tel.query("/haven/store")
            b = self.pair.havens[standby].tel.query("/haven/store")
            ra = self.pair.redundancy(active)
            return (a and b and int(a["records"]) > 0 and
                    int(a["records"]) == int(b["records"]) and
                    int(ra.get("queued", 1)) == 0)
        until(same, 5, "standby's store = active's", show=lambda: (
            self.pair.havens[active].tel.query("/haven/store"),
            self.pair.havens[standby].tel.query("/haven/store")))

    def bindings(self, h):
        return {b["home_address"]: b for b in h.bindings()}

    def check_bindings(self, before, t_snap, h, what):
        after = self.bindings(h)
        elapsed = time.time() - t_snap
        assert sorted(after) == sorted(before), (what, before, after)
        for hoa, b in before.items():
            a = after[hoa]
            assert care_of_list(a) == care_of_list(b), (what, hoa, a, b)
            want = int(b["remaining"]) - elapsed
            assert abs(int(a["remaining"]) - want) <= 2, \
                (what, hoa, a["remaining"], b["remaining"], elapsed)
        return after

    def check_delegation(self, h, gen0, installed0, removed0):
        row = h.delegation_of(DELEGATED)
        assert row is not None and str(row["state"]).lower() == \
            "delegated" and row["peer"] == "sha1", h.delegation()
        sec = self.sha.secondary_of(DELEGATED)
        tot = self.sha.secondary()[1]
        assert sec is not None and int(sec["generation"]) == gen0, sec
        assert int(tot["installed"]) == installed0 and \
            int(tot["removed"]) == removed0, \
            "sha1 saw a STOP/START: %r" % tot

    def sha_counts(self):
        sec = self.sha.secondary_of(DELEGATED)
        tot = self.sha.secondary()[1]
        return int(sec["generation"]), int(tot["installed"]), \
            int(tot["removed"])



class TestSuite_redundancy(PairBase):
    """The active primary's process dies; a rolling upgrade."""

    # ------------------------------------------------------------------
    # a. the active dies
    # ------------------------------------------------------------------

    def test_kill_active(self):
        """kill -9 of the active primary in the middle of a stream.

        Steps:
            pa active, pb standby in sync, sha1 alive; register five
            nodes through 192.0.2.1 and delegate 192.0.2.101 to sha1;
            wait until pb's store equals pa's; stream 1000 pps to
            192.0.2.100; 2 s in, kill -9 pa's haven (its tap and
            keepalived's macvlan go with it; pb's keepalived takes over).
        Verify:
            pb becomes active; the stream loses at most 1 s; pb holds
            every binding (home and care-of addresses, lifetimes less the
            time that passed) without any registration; 192.0.2.101 is
            still delegated to sha1, which saw no STOP and no START (same
            generation, installed and removed unchanged); the next
            registration of every node is accepted by pb (no 133), and
            one captured before the failover, sent again, is refused.
        """
        self.up()
        pa = self.active(0)
        regs = self.register_all(pa)
        self.wait_standby_has(0, 1)
        before = self.bindings(pa)
        t_snap = time.time()
        gen0, inst0, rem0 = self.sha_counts()
        tx, rx = self.lab.ping("ch", HOA, count=3, interval=0.2)
        assert rx >= 1
        rate, count = 1000, 1000 * 7
        recv = self.stream.receiver("mn", duration=count / rate + 8,
                                    dups=True)
        send = self.stream.sender("ch", count=count, rate=rate)
        time.sleep(2)
        t_kill = self.pair.kill9(0)
        pb = self.active(1)
        until(lambda: self.pair.serving(1), 5, "pb active", interval=0.01,
              show=lambda: self.pair.redundancy(1))
        t_active = time.time()
        send.wait(count / rate + 30)
        res = self.stream.result(recv, timeout=count / rate + 30)
        lost_s = res["missing_count"] / rate
        gap = res["gaps"][0]["seconds"] if res["gaps"] else 0
        red = self.pair.redundancy(1)
        report("kill -9 of the active: pb active %.0f ms after the kill "
               "(takeover %s us, %s bindings); lost %d datagrams = %.3f s "
               "(longest silence %.3f s)" % (
                   (t_active - t_kill) * 1000, red.get("last_takeover_us"),
                   red.get("last_takeover_bindings"),
                   res["missing_count"], lost_s, gap))
        assert lost_s <= 1.0 and gap <= 1.0, res["gaps"][:3]
        assert res["max_sent_ts"] > t_active + 1, "stream did not resume"
        assert int(pb.registrations().get("requests", 0)) == 0
        self.check_bindings(before, t_snap, pb, "after the takeover")
        self.check_delegation(pb, gen0, inst0, rem0)
        report("kill -9 of the active: %d bindings kept, 192.0.2.101 "
               "still on sha1 (generation %d, no STOP/START)" % (
                   len(before), gen0))
        # a registration captured before the failover, again
        again = self.mip(HOA).register(coa=E.MN_VA_ADDR, lifetime=300,
                                       ident=regs[HOA].request_ident)
        assert again.replied and again.code == 133, again
        codes = []
        for hoa, coa, lt in NODES:
            r = self.mip(hoa).register(coa=coa, lifetime=lt)
            codes.append(r.code)
        report("kill -9 of the active: replayed registration %d; next "
               "registrations %s" % (again.code, codes))
        assert codes == [0] * len(NODES), codes

    # ------------------------------------------------------------------
    # b. rolling upgrade
    # ------------------------------------------------------------------

    def test_rolling_upgrade(self):
        """Restart the standby, switch over by priority, restart the old
        active, while a stream flows and no node registers.

        Steps:
            As test_kill_active up to the stream (500 pps, 26 s); restart
            pb (keepalived then haven: SIGTERM, start again) and wait
            until it is in sync; restart pb's keepalived with priority
            200 and preempt: pb takes over, pa becomes the standby;
            restart pa; wait until it is in sync.
        Verify:
            At most 1 s of the stream is lost over the whole procedure;
            no registration reached either primary; pb holds every
            binding with its lifetime; 192.0.2.101 is still on sha1 with
            no STOP/START; pa ends as a standby in sync.
        """
        self.up()
        pa = self.active(0)
        self.register_all(pa)
        self.wait_standby_has(0, 1)
        before = self.bindings(pa)
        t_snap = time.time()
        gen0, inst0, rem0 = self.sha_counts()
        tx, rx = self.lab.ping("ch", HOA, count=3, interval=0.2)
        assert rx >= 1
        rate, count = 500, 500 * 26
        recv = self.stream.receiver("mn", duration=count / rate + 8,
                                    dups=True)
        send = self.stream.sender("ch", count=count, rate=rate)
        time.sleep(1)
        t0 = time.time()
        # 1. the standby, on a new build
        self.pair.stop(1)
        self.pair.start(1)
        self.pair.wait_roles(0, 15)
        t1 = time.time()
        # 2. switch over by priority
        self.pair.stop_keepalived(1)
        self.pair.prios[1] = 200
        self.pair.preempt[1] = True
        self.pair.start_keepalived(1)
        self.pair.wait_roles(1, 15)
        t2 = time.time()
        # 3. the old active, on the new build
        self.pair.stop(0)
        self.pair.start(0)
        self.pair.wait_roles(1, 15)
        t3 = time.time()
        send.wait(count / rate + 30)
        res = self.stream.result(recv, timeout=count / rate + 30)
        lost_s = res["missing_count"] / rate
        gaps = [round(g["seconds"], 3) for g in res["gaps"][:3]]
        report("rolling upgrade: standby restarted and in sync %.1f s, "
               "switched over %.1f s, old active restarted and in sync "
               "%.1f s; lost %d datagrams = %.3f s (longest silences %s)"
               % (t1 - t0, t2 - t1, t3 - t2, res["missing_count"],
                  lost_s, gaps))
        assert lost_s <= 1.0, res["gaps"][:3]
        assert res["max_sent_ts"] > t3, "stream did not last"
        pb, pa = self.active(1), self.active(0)
        assert int(pb.registrations().get("requests", 0)) == 0
        assert int(pa.registrations().get("requests", 0)) == 0
        self.check_bindings(before, t_snap, pb, "after the upgrade")
        self.check_delegation(pb, gen0, inst0, rem0)
