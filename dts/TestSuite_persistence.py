# SPDX-License-Identifier: BSD-3-Clause
"""Persistence suite (issue 11): a lone primary's state survives kill -9,
a store that cannot be used is refused with the way forward, and a dead
secondary costs what its report interval says.

The primary (haven in <p>-ha, 192.0.2.1) keeps its bindings, replay state
and delegation state in its LMDB store (store: in the configuration,
docs/store.md); sha1 (192.0.2.11) holds a delegated binding. Every
measurement is printed and appended to dts/out/persistence-results.txt.
"""

import os
import shutil
import signal
import subprocess
import time

import pytest

from lab import (OUT, Delegation, E, Haven, MipClient,
                 care_of_list, reporter, truthy, until)

HOA = E.MN_HOME_ADDR
report = reporter("persistence")








class TestSuite_persistence:
    """The correspondent host streams to 192.0.2.100 (away at va); the
    primary is killed and restarted on the same store."""

    @pytest.fixture(autouse=True)
    def set_up_test(self, lab, logname, endpoint, stream):
        self.lab = lab
        self.logname = logname
        self.deleg = Delegation(lab)
        self.start_endpoint = endpoint
        self.stream = stream
        self.agents = []
        self.workdir = OUT / ("persist-%s-%s" % (lab.prefix, logname))
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        lab.loss(0)
        lab.flush_neigh("ch")
        try:
            yield
        finally:
            for h in reversed(self.agents):
                h.stop()
            shutil.rmtree(self.workdir, ignore_errors=True)

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def pha_config(self, store=True, **deleg):
        cfg = self.deleg.pha_config(secondaries=("sha1",), **deleg)
        if store:
            cfg["store"] = {"path": str(self.workdir / "store"),
                            "sync": "every-commit"}
        return cfg

    def pha(self, cfg, n=0, args=None):
        h = Haven(self.lab, name="pha", config=cfg, args=args,
                  log=OUT / ("%s-pha-%d.log" % (self.logname, n)))
        self.agents.append(h)
        return h

    def sha1(self, **deleg):
        h = self.deleg.secondary(
            "sha1", log=OUT / ("%s-sha1.log" % self.logname), **deleg)
        self.agents.append(h)
        return h

    def register(self, h, hoa, coa=E.MN_VA_ADDR, lifetime=300, **kw):
        r = MipClient(self.lab, h.mn(hoa)).register(coa=coa,
                                                     lifetime=lifetime, **kw)
        assert r.replied, "no reply for %s" % hoa
        return r

    def kill9(self, h):
        h.proc.send_signal(signal.SIGKILL)
        h.proc.wait(5)
        h.stop()            # what a killed EAL leaves: runtime, hugepages
        self.agents.remove(h)

    # ------------------------------------------------------------------
    # a. kill -9 and restart
    # ------------------------------------------------------------------

    def test_restart_restores(self):
        """A lone primary killed mid-stream comes back with its state.

        Steps:
            Start sha1 (reports every 100 ms) and the primary with a store
            (every-commit); endpoint on va; register 192.0.2.100 (300 s),
            .102 (200 s, from vb), .103 (120 s); register .101 and
            delegate it to sha1. Stream 500 pps to .100; 2 s in, kill -9
            the primary and start it again on the same store at once.
        Verify:
            The restarted primary holds the same bindings (count, home
            and care-of addresses) with their lifetimes less the time
            that passed (within 2 s); the stream is back within 2 s of
            the restart without any registration (none was received);
            .101 is delegated to sha1 again by adoption: no START (sha1
            installed nothing new, same generation), a report confirmed
            it; the registration of .100 captured before the kill, sent
            again byte for byte, is refused with 133; the node's next
            registration is accepted.
        """
        ep = self.start_endpoint(ifaces=("va", "vb"))
        sha = self.sha1(report_interval_ms=100)
        sha.spawn()
        cfg = self.pha_config()
        h = self.pha(cfg)
        h.start()
        sha.wait_ready()
        until(lambda: truthy((h.peer("sha1") or {}).get("alive")), 6,
              "sha1 alive", show=h.peers)
        r100 = self.register(h, HOA, lifetime=300)
        assert r100.code == 0, r100
        for hoa, coa, lt in (("192.0.2.102", E.MN_VB_ADDR, 200),
                             ("192.0.2.103", E.MN_VA_ADDR, 120),
                             ("192.0.2.101", E.MN_VA_ADDR, 300)):
            assert self.register(h, hoa, coa=coa, lifetime=lt).code == 0
        con = h.console()
        con.delegate("192.0.2.101", "sha1")
        until(lambda: (h.delegation_of("192.0.2.101") or {}).get("state")
              in ("delegated", "DELEGATED"), 5, "101 delegated",
              show=h.delegation)
        until(lambda: sha.secondary_of("192.0.2.101"), 3, "on sha1",
              show=sha.secondary)
        before = {b["home_address"]: b for b in h.bindings()}
        t_snap = time.time()
        gen0 = int(sha.secondary_of("192.0.2.101")["generation"])
        installed0 = int(sha.secondary()[1]["installed"])
        tx, rx = self.lab.ping("ch", HOA, count=3, interval=0.2)
        assert rx >= 1

        rate, count = 500, 500 * 9
        recv = self.stream.receiver("mn", duration=count / rate + 8,
                                    dups=True)
        send = self.stream.sender("ch", count=count, rate=rate)
        time.sleep(2)
        t_kill = time.time()
        self.kill9(h)
        t_spawn = time.time()
        h2 = self.pha(cfg, n=1)
        h2.spawn()
        h2.wait_ready()
        t_ready = time.time()
        send.wait(count / rate + 30)
        res = self.stream.result(recv, timeout=count / rate + 30)
        regs = h2.registrations()
        gap = res["gaps"][0] if res["gaps"] else None
        assert gap is not None, "no gap at all? %r" % res
        back = gap["to"] - t_spawn
        report("restart: killed at +0, restarted %.2f s later, ready after "
               "%.2f s, stream back %.2f s after the restart (gap %.2f s, "
               "%d datagrams lost of %d at %d pps)" % (
                   t_spawn - t_kill, t_ready - t_spawn, back,
                   gap["seconds"], res["missing_count"], count, rate))
        assert int(regs.get("requests", 0)) == 0, \
            "a registration reached the restarted agent: %r" % regs
        assert back <= 2.0, "traffic back %.2f s after the restart" % back
        assert res["max_sent_ts"] > t_ready + 2, "stream did not resume"

        after = {b["home_address"]: b for b in h2.bindings()}
        elapsed = time.time() - t_snap
        assert sorted(after) == sorted(before), (before, after)
        for hoa, b in before.items():
            a = after[hoa]
            assert care_of_list(a) == care_of_list(b), (hoa, a, b)
            want = int(b["remaining"]) - elapsed
            assert abs(int(a["remaining"]) - want) <= 2, \
                (hoa, a["remaining"], b["remaining"], elapsed)
        report("restart: %d bindings restored (%s), remaining lifetimes "
               "within 2 s of before - %.1f s" % (
                   len(after), ", ".join(sorted(after)), elapsed))

        st = h2.tel.query("/haven/store")
        assert int(st["restored"]) == len(before), st
        assert int(st["restored_adopted"]) == 1, st
        row = h2.delegation_of("192.0.2.101")
        assert row is not None and str(row["state"]).lower() == \
            "delegated" and row["peer"] == "sha1", h2.delegation()
        until(lambda: int(h2.tel.query("/haven/store")["deleg_confirmed"])
              == 1, 3, "sha1's report confirms the adoption",
              show=lambda: h2.tel.query("/haven/store"))
        sec = sha.secondary_of("192.0.2.101")
        assert sec is not None and int(sec["generation"]) == gen0, sec
        assert int(sha.secondary()[1]["installed"]) == installed0, \
            "sha1 installed again: a START was sent"
        assert int(h2.tel.query("/haven/store")["deleg_restarted"]) == 0
        report("restart: delegation of 192.0.2.101 adopted on sha1 "
               "(generation %d, no START), confirmed by its report" % gen0)

        # the registration captured before the kill, again
        again = self.register(h2, HOA, lifetime=300,
                              ident=r100.request_ident)
        assert again.code == 133, (again.code, again.code_text)
        nxt = self.register(h2, HOA, lifetime=300)
        assert nxt.code == 0, (nxt.code, nxt.code_text)
        report("restart: the pre-restart registration replayed: %d; the "
               "next one: %d" % (again.code, nxt.code))

    # ------------------------------------------------------------------
    # b. a store that cannot be used
    # ------------------------------------------------------------------

    def run_haven(self, cfg, args=()):
        """Start haven and wait for its exit (a refusal): (rc, output)."""
        h = self.pha(cfg, n=len(self.agents), args=list(args))
        h.spawn()
        try:
            h.proc.wait(40)
        except subprocess.TimeoutExpired:
            return None, h
        return h.proc.p.returncode, h

    def test_refused_store(self):
        """A corrupt or foreign store stops the start with the way
        forward; --store-reset moves it aside.

        Steps:
            A store directory whose data.mdb is 64 KiB of random bytes:
            start; start again with --store-reset. Then a store written by
            this agent, opened by an agent of another identity (an
            address6 for the home agent too).
        Verify:
            The first start exits non-zero saying "not an LMDB store" and
            naming --store-reset, and leaves the directory as it was; with
            --store-reset the agent runs, the old directory is kept as
            <path>.reset-<time>, the new store is empty; the foreign store
            is refused ("belongs to the agent") and left untouched.
        """
        store = self.workdir / "store"
        store.mkdir()
        junk = os.urandom(65536)
        (store / "data.mdb").write_bytes(junk)
        cfg = self.pha_config()
        rc, h = self.run_haven(cfg)
        out = h.proc.output()
        report("refused store: rc %s: %s" % (rc, [l for l in
               out.splitlines() if "store" in l][:1]))
        assert rc not in (None, 0), out[-2000:]
        assert "not an LMDB store" in out and "--store-reset" in out, \
            out[-2000:]
        assert (store / "data.mdb").read_bytes() == junk
        rc, h = self.run_haven(cfg, ["--store-reset"])
        assert rc is None, "did not start with --store-reset: %s" % \
            h.proc.output()[-2000:]
        h.wait_ready()
        aside = list(self.workdir.glob("store.reset-*"))
        assert len(aside) == 1, list(self.workdir.iterdir())
        assert (aside[0] / "data.mdb").read_bytes() == junk
        st = h.tel.query("/haven/store")
        assert int(st["restored"]) == 0, st
        assert self.register(h, HOA).code == 0
        h.console().send("save store")
        h.stop()
        self.agents.remove(h)

        foreign = self.pha_config()
        foreign["ports"][0]["address6"] = "2001:db8:1::1/64"
        foreign["home_agent"]["address6"] = "2001:db8:1::1"
        before = (store / "data.mdb").read_bytes()
        rc, h = self.run_haven(foreign)
        out = h.proc.output()
        report("foreign store: rc %s: %s" % (rc, [l for l in
               out.splitlines() if "belongs" in l][:1]))
        assert rc not in (None, 0), out[-2000:]
        assert "belongs to the agent" in out, out[-2000:]
        assert (store / "data.mdb").read_bytes() == before

    # ------------------------------------------------------------------
    # c. a secondary dies, reports every 100 ms
    # ------------------------------------------------------------------

    def test_secondary_death_100ms(self):
        """With reports every 100 ms the loss when a secondary dies is a
        few hundred milliseconds.

        Steps:
            sha1 reports every 100 ms, the primary declares it dead after
            3 missed reports; register 192.0.2.100 and delegate it to
            sha1; stream 1000 pps; 2 s in, kill -9 sha1.
        Verify:
            The primary takes the binding back; the stream loses at most
            0.5 s (missing datagrams / rate, and the longest silence);
            what follows arrives through the primary.
        """
        ep = self.start_endpoint(ifaces=("va",))
        sha = self.sha1(report_interval_ms=100)
        sha.spawn()
        h = self.pha(self.pha_config(store=False, dead_after=3))
        h.start()
        sha.wait_ready()
        until(lambda: truthy((h.peer("sha1") or {}).get("alive")), 6,
              "sha1 alive", show=h.peers)
        assert self.register(h, HOA).code == 0
        tx, rx = self.lab.ping("ch", HOA, count=3, interval=0.2)
        assert rx >= 1
        h.console().delegate(HOA, "sha1")
        until(lambda: self.lab.neigh("ch", HOA) == E.SHA1_MAC.lower(), 4,
              "CH -> sha1's MAC", show=lambda: self.lab.neigh("ch", HOA))
        rate, count = 1000, 1000 * 6
        recv = self.stream.receiver("mn", duration=count / rate + 8,
                                    dups=True)
        send = self.stream.sender("ch", count=count, rate=rate)
        time.sleep(2)
        t_kill = time.time()
        sha.proc.send_signal(signal.SIGKILL)
        until(lambda: str((h.delegation_of(HOA) or {}).get(
            "state", "local")).lower() == "local", 3,
            "taken back", show=h.delegation, interval=0.01)
        t_back = time.time()
        send.wait(count / rate + 30)
        res = self.stream.result(recv, timeout=count / rate + 30)
        lost_s = res["missing_count"] / rate
        gap = res["gaps"][0]["seconds"] if res["gaps"] else 0
        report("secondary death, reports every 100 ms, dead after 3: taken "
               "back %.0f ms after the kill; lost %d datagrams = %.3f s "
               "(longest silence %.3f s)" % ((t_back - t_kill) * 1000,
                                            res["missing_count"], lost_s,
                                            gap))
        assert lost_s <= 0.5 and gap <= 0.5, res["gaps"][:3]
        assert res["max_sent_ts"] > t_back + 1
        assert h.binding(HOA).get("forwarder") == "self"

    # ------------------------------------------------------------------
    # d. the same for a Mobile IPv6 binding
    # ------------------------------------------------------------------

    def test_restart_restores_ipv6(self, lab6, mip6):
        """A Mobile IPv6 binding and its replay state survive kill -9.

        Steps:
            In the IPv6 lab, start haven (config/lab-ipv6.yaml) with a
            store; a Binding Update of 2001:db8:1::100 from
            2001:db8:a::10 (lifetime 120 s); kill -9; start again on the
            same store.
        Verify:
            /haven/binding6 holds the binding again with its care-of
            address and the lifetime less the time that passed; the same
            Binding Update sent again (its sequence number and timestamp)
            is refused; the node's next one is accepted.
        """
        import yaml
        from lab import REPO
        cfg = yaml.safe_load((REPO / "config" / "lab-ipv6.yaml")
                             .read_text())
        cfg["store"] = {"path": str(self.workdir / "store6"),
                        "sync": "every-commit"}
        h = Haven(lab6, name="ha6", config=cfg,
                  log=OUT / ("%s-ha6-0.log" % self.logname))
        self.agents.append(h)
        h.start()
        hoa, coa = E.MN6_HOME_ADDR, E.MN6_VA_ADDR
        r = mip6.register(coa=coa, lifetime=120, timeout=3.0)
        assert r.replied and r.status == 0, (r.status, r.status_text)
        b0 = h.tel.query("/haven/binding6", hoa)
        t0 = time.time()
        assert b0 and coa in str(b0), b0
        self.kill9(h)
        h2 = Haven(lab6, name="ha6", config=cfg,
                   log=OUT / ("%s-ha6-1.log" % self.logname))
        self.agents.append(h2)
        h2.start()
        b1 = h2.tel.query("/haven/binding6", hoa)
        assert b1 and coa in str(b1), b1
        left0 = int(b0.get("remaining", b0.get("lifetime", 0)))
        left1 = int(b1.get("remaining", b1.get("lifetime", 0)))
        elapsed = time.time() - t0
        assert abs(left1 - (left0 - elapsed)) <= 2, (b0, b1, elapsed)
        again = mip6.register(coa=coa, lifetime=120, seq=r.seq,
                              timestamp=r.timestamp, timeout=2.0)
        assert again.replied and again.status >= 128, \
            (again.status, again.status_text)
        nxt = mip6.register(coa=coa, lifetime=120, timeout=3.0)
        assert nxt.replied and nxt.status == 0, (nxt.status,
                                                  nxt.status_text)
        report("restart, Mobile IPv6: binding of %s back with %d s left "
               "(%d before, %.1f s later); the replayed Binding Update: "
               "%d (%s); the next: %d" % (hoa, left1, left0, elapsed,
                                          again.status, again.status_text,
                                          nxt.status))
