# SPDX-License-Identifier: BSD-3-Clause
"""Redundancy failures beyond the process (issue 11, docs/redundancy.md):
the active primary's host dies (haven and keepalived killed together) or
its link fails, while the correspondent host streams to a mobile node.
The pair is TestSuite_redundancy's (keepalived on haven's exception path,
VRRP every 100 ms); each test prints what is lost and for how long, also
appended to dts/out/redundancy-results.txt.
"""

import time

from keepalived_lab import run
from TestSuite_redundancy import HOA, PairBase, report, until


def run_in_ns(ns, argv):
    return run(["ip", "netns", "exec", ns] + argv)


class TestSuite_redundancy_failures(PairBase):
    """Host and link failures of the active primary."""

    def stream_through(self, fail, what):
        """Pair up, five nodes, 192.0.2.101 on sha1; stream 1000 pps to
        192.0.2.100; 2 s in, fail(); pb must take over. (lost seconds,
        longest silence, ms from the failure to pb active)."""
        self.up()
        pa = self.active(0)
        self.register_all(pa)
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
        t_fail = fail()
        until(lambda: self.pair.serving(1), 5, "pb active", interval=0.01,
              show=lambda: self.pair.redundancy(1))
        t_active = time.time()
        send.wait(count / rate + 30)
        res = self.stream.result(recv, timeout=count / rate + 30)
        lost_s = res["missing_count"] / rate
        gap = res["gaps"][0]["seconds"] if res["gaps"] else 0
        report("%s: pb active %.0f ms after it; lost %d datagrams = %.3f s "
               "(longest silence %.3f s)" % (
                   what, (t_active - t_fail) * 1000, res["missing_count"],
                   lost_s, gap))
        assert res["max_sent_ts"] > t_active + 1, "stream did not resume"
        pb = self.active(1)
        self.check_bindings(before, t_snap, pb, what)
        self.check_delegation(pb, gen0, inst0, rem0)
        return lost_s, gap

    def test_host_loss(self):
        """The active's host dies: kill -9 of its keepalived and its
        haven at once.

        Verify:
            pb takes over; at most 1 s of the stream is lost; pb holds
            every binding, sha1 keeps its delegation without STOP/START.
        """
        lost, gap = self.stream_through(lambda: self.pair.kill9_host(0),
                                        "host loss of the active")
        assert lost <= 1.0 and gap <= 1.0

    def test_link_loss(self):
        """The active's link fails (its port on the home bridge goes
        down); haven mirrors the link state on hx0, keepalived says FAULT
        and haven leaves the active role.

        Verify:
            pb takes over; at most 1 s lost; pa is no longer serving;
            when the link returns pa comes back as the standby and
            resynchronises.
        """
        def fail():
            t = time.time()
            run_in_ns(self.lab.ns("home"), ["ip", "link", "set", "pa-br",
                                            "down"])
            return t
        lost, gap = self.stream_through(fail, "link loss of the active")
        until(lambda: not self.pair.serving(0), 3, "pa leaves",
              show=lambda: self.pair.redundancy(0))
        red = self.pair.redundancy(0)
        report("link loss of the active: pa says keepalived %s, role %s" %
               (red.get("keepalived"), red.get("role")))
        assert lost <= 1.0 and gap <= 1.0
        run_in_ns(self.lab.ns("home"), ["ip", "link", "set", "pa-br", "up"])
        self.pair.wait_roles(1, 15)

    def test_keepalived_crash(self):
        """The active's keepalived dies (kill -9, no notify script runs,
        its kernel keeps the VIP) while its haven lives on.

        Verify:
            pb's keepalived takes over and pb becomes active; pa's haven
            sees its keepalived's advertisements stop and leaves the
            active role by itself (keepalived_lost 1): never two actives
            for longer than the watch (4 advertisement intervals); at most
            1 s lost.
        """
        lost, gap = self.stream_through(
            lambda: self.pair.vrrp[0].kill9(), "keepalived crash on the "
            "active")
        until(lambda: not self.pair.serving(0), 3, "pa leaves",
              show=lambda: self.pair.redundancy(0))
        red = self.pair.redundancy(0)
        report("keepalived crash on the active: pa left by itself "
               "(keepalived_lost %s, keepalived %s, role %s)" % (
                   red.get("keepalived_lost"), red.get("keepalived"),
                   red.get("role")))
        assert int(red.get("keepalived_lost", 0)) == 1, red
        assert lost <= 1.0 and gap <= 1.0
