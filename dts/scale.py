#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Delegation at scale (issue 16): one primary home agent and up to eight
secondaries as separate haven processes in the IPv6 lab, many Mobile IPv6
nodes registered by dts/mip6load.py, policy equal; the measurements of
docs/perf.md ("Delegation at scale"), and the pieces TestSuite_scale.py
asserts behaviour with.

Run by an operator, as root, from the repository (builds nothing; uses
build/app/haven/haven):

    /usr/bin/python3 dts/scale.py --prefix h6sc -n 1000 10000 100000 \\
        [--shas 8] [--rate 20000] [--json dts/out/scale.json]

For each N it builds (or reuses) the lab (lab.sh up6 <prefix>, lab.sh
scale <shas> <prefix>), starts the secondaries and the primary with a
configuration of N + 1 Mobile IPv6 nodes, and measures:

1. registration and spread: the load's N Binding Updates and their
   acknowledgements under the manual policy (before the secondaries
   start: the lab's two cores would otherwise bound the registration
   rate, docs/perf.md), then "set policy equal"
   (the balancer hands every binding out in one turn): the time until
   the primary counts N delegations acknowledged (/haven/delegation
   started, nothing queued or outstanding), and the spread;
2. delegation datagrams per binding for that spread, counted on the wire
   (nftables counters on the home bridge, UDP 4434 both ways) and
   cross-checked against the agents' own counters (/haven/peers tx, rx);
3. a secondary killed (SIGKILL): the time until the primary declares it
   dead, and until every binding it held is acknowledged by another
   (the detection bound is report_interval_ms x dead_after);
4. the secondary back (a new process): the time until the spread is
   within 10 % of the even share, and exactly even (within one), the
   planned moves, and a numbered UDP stream (dts/udp_stream.py) to the
   lab's mobile node 2001:db8:1::100 (dts/mn_endpoint6.py), whose binding
   is among those moved, with its loss and duplicates;
5. reports at rest: octets and datagrams per second from each secondary
   (nftables), for --rest seconds;
6. the primary's memory: its RSS (/proc) and its DPDK heap
   (/eal/heap_info), and the start-up time of the configuration.

Every process it starts is ended, and every counter table removed, also
on failure; --keep-lab leaves the namespaces (lab.sh down <prefix>
removes them).
"""

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mip6load  # noqa: E402
from lab import (DTS, OUT, PY, REPO, Delegation, E, Endpoint6,  # noqa: E402
                 Haven, Lab, Mip6Client, Stream, wait_until)

LAB6_CONFIG = REPO / "config" / "lab-ipv6.yaml"
STREAM_HOA = E.MN6_HOME_ADDR
# per node at the primary: node, extensions, prepared key, timers; and
# per binding at a secondary: its node and its entry (measured, see
# docs/perf.md; kept generous so that a start never fails for memory)
PHA_KB_PER_NODE = 3
SHA_KB_PER_BINDING = 4
NFT_TABLE = "havenscale"



def counts(drops):
    """The drop counters of /haven/drops since start (its since_clear
    member left out)."""
    return {k: v for k, v in drops.items() if isinstance(v, int)}

def lab6_config():
    import yaml
    return yaml.safe_load(LAB6_CONFIG.read_text())


def min_memory_mb(max_bindings):
    """The loader's start-up minimum with IPv6 (docs/configuration.md
    3.1.1): 100 + 68 MB, 248 + 408 octets a binding."""
    return 100 + 68 + (max_bindings * (248 + 408) + (1 << 20) - 1 >> 20)


def pow2_at_least(n):
    p = 1
    while p < n:
        p <<= 1
    return p


class Wire:
    """nftables counters on the home bridge (<p>-home, bridge family):
    delegation datagrams (UDP 4434) from the primary, to it (and of those
    the HEARTBEATs), and from each secondary, with their octets (the IP
    datagram: nftables counts the bridge's frames from the network
    header)."""

    def __init__(self, lab, shas):
        self.lab = lab
        self.shas = shas

    def install(self):
        d = Delegation(self.lab)
        # the Type octet: the second of the UDP payload (after 64 bits
        # of UDP header), 8 = HEARTBEAT (docs/delegation-protocol.md)
        rules = ["ip saddr %s udp dport 4434 counter name from_pha" % E.HA_ADDR,
                 "ip daddr %s udp sport 4434 counter name to_pha" % E.HA_ADDR,
                 "ip daddr %s udp sport 4434 @th,72,8 8 counter name "
                 "hb_to_pha" % E.HA_ADDR]
        counters = ["counter from_pha {}", "counter to_pha {}",
                    "counter hb_to_pha {}"]
        for n in self.shas:
            counters.append("counter from_%s {}" % n)
            rules.append("ip saddr %s udp sport 4434 counter name from_%s" %
                         (d.sha[n].addr, n))
        text = ("table bridge %s\ndelete table bridge %s\n"
                "table bridge %s {\n%s\n chain c {\n  type filter hook "
                "forward priority -20; policy accept;\n  %s\n }\n}\n" %
                (NFT_TABLE, NFT_TABLE, NFT_TABLE, "\n".join(counters),
                 "\n  ".join(rules)))
        self.lab.run("home", ["nft", "-f", "-"], input=text)

    def read(self):
        """{name: (packets, bytes)}"""
        r = self.lab.run("home", ["nft", "-j", "list", "counters", "table",
                                  "bridge", NFT_TABLE], check=False)
        out = {}
        try:
            for o in json.loads(r.stdout or "{}").get("nftables", []):
                c = o.get("counter")
                if c:
                    out[c["name"]] = (c["packets"], c["bytes"])
        except ValueError:
            pass
        return out

    def remove(self):
        self.lab.run("home", ["nft", "delete", "table", "bridge", NFT_TABLE],
                     check=False)


def delta(a, b):
    """b - a of two Wire.read() results."""
    return {k: (b[k][0] - a.get(k, (0, 0))[0], b[k][1] - a.get(k, (0, 0))[1])
            for k in b}


class Scale:
    """One primary (config/lab-ipv6.yaml, delegation to the secondaries
    with policy equal, N scale nodes plus the lab's own) and its
    secondaries, in an IPv6 lab that has had Lab.scale(len(shas))."""

    def __init__(self, lab, n, shas=8, tag="scale", log_level="info",
                 report_interval_ms=250, dead_after=4, tolerance_pct=10,
                 move_rate=None, lifetime=3600, policy="equal",
                 window=None):
        self.lab = lab
        self.n = n
        self.names = ["sha%d" % i for i in range(1, shas + 1)]
        self.tag = tag
        self.log_level = log_level
        self.report_interval_ms = report_interval_ms
        self.dead_after = dead_after
        self.tolerance_pct = tolerance_pct
        self.move_rate = move_rate
        self.lifetime = lifetime
        self.policy = policy
        self.window = window
        self.deleg = Delegation(lab)
        self.pha = None
        self.sha = {}
        self.procs = []
        self.wire = Wire(lab, self.names)
        self.capacity = max(1024, 2 * n // max(1, shas - 1) + 64)

    # -- configurations ------------------------------------------------

    def pha_config(self):
        cfg = lab6_config()
        nodes = mip6load.scale_nodes(self.n)
        max_b = pow2_at_least(self.n + 64)
        ha = cfg["home_agent"]
        ha["max_bindings"] = max_b
        ha["dad"] = False           # no 1 s probe per new binding
        ha["max_lifetime6"] = max(self.lifetime, 60)
        cfg["mobile_nodes6"] = list(cfg.get("mobile_nodes6", [])) + nodes
        cfg["log_level"] = self.log_level
        cfg["eal"]["hugepages"] = "off"
        cfg["eal"]["memory_mb"] = max(256, min_memory_mb(max_b) +
                                      (self.n * PHA_KB_PER_NODE >> 10) + 64)
        secs = []
        for name in self.names:
            e = self.deleg.secondary_entry(name)
            e["address6"] = self.deleg.sha[name].addr6
            secs.append(e)
        d = {"agent_id": self.deleg.pha_id, "secondaries": secs,
             "dead_after": self.dead_after, "wait_for_ack": False,
             "policy": self.policy,
             "rebalance_tolerance_pct": self.tolerance_pct}
        if self.move_rate is not None:
            d["move_rate"] = self.move_rate
        if self.window is not None:
            d["window"] = self.window
        cfg["delegation"] = d
        return cfg

    def sha_config(self, name):
        mem = 209 + (self.capacity * SHA_KB_PER_BINDING >> 10)
        cfg = self.deleg.sha6_config(name, memory_mb=mem,
                                     capacity=self.capacity,
                                     report_interval_ms=
                                     self.report_interval_ms)
        cfg["eal"]["hugepages"] = "off"
        cfg["log_level"] = self.log_level
        return cfg

    # -- processes -----------------------------------------------------

    def _sha(self, name, suffix=""):
        from lab import SHA_CONSOLE_KEY
        return Haven(self.lab, name=name, role=name,
                     log=OUT / ("%s-%s%s.log" % (self.tag, name, suffix)),
                     config=self.sha_config(name),
                     console_key=SHA_CONSOLE_KEY)

    def start(self, timeout=120, shas=True):
        """Secondaries (unless shas is False: start_shas() later), then
        the primary; the seconds the primary took to answer telemetry
        (configuration loaded, N nodes made)."""
        if shas:
            self.spawn_shas()
        self.pha = Haven(self.lab, name="pha",
                         log=OUT / ("%s-pha.log" % self.tag),
                         config=self.pha_config())
        t0 = time.monotonic()
        self.pha.spawn()
        self.pha.wait_ready(timeout)
        start_s = time.monotonic() - t0
        if shas:
            self.wait_shas(timeout)
        return start_s

    def spawn_shas(self):
        for name in self.names:
            h = self._sha(name)
            self.sha[name] = h
            h.spawn()

    def wait_shas(self, timeout=120):
        """Every secondary up, and alive for the primary."""
        for h in self.sha.values():
            h.wait_ready(timeout)
        self.wait_alive(self.names, timeout=60)

    def start_shas(self, timeout=120):
        self.spawn_shas()
        self.wait_shas(timeout)

    def stop(self):
        for p in self.procs:
            try:
                p.stop()
            except Exception:
                pass
        self.procs = []
        for h in [self.pha] + list(self.sha.values()):
            if h is not None:
                try:
                    h.stop()
                except Exception:
                    pass
        self.wire.remove()

    def peers(self):
        """/haven/peers by name; asked again when a reply lacks a
        secondary (a telemetry request the control lcore did not serve
        within its 2 s, during a storm of announcements)."""
        for _ in range(5):
            p = {r["name"]: r for r in self.pha.peers()}
            if all(n in p for n in self.names):
                return p
            time.sleep(0.2)
        raise RuntimeError("/haven/peers without every secondary: %r" %
                           sorted(p))

    def wait_alive(self, names, alive=True, timeout=30):
        def ok():
            p = self.peers()
            return all(str(p.get(n, {}).get("alive")) in
                       (("1", "True") if alive else ("0", "False"))
                       for n in names)
        wait_until(ok, timeout, 0.05, "secondaries %s %s" %
                   (",".join(names), "alive" if alive else "dead"))

    def totals(self):
        """/haven/delegation's totals only (an offset past every row)."""
        v = self.pha.tel.query("/haven/delegation", 1 << 30)
        return {k: x for k, x in (v or {}).items()
                if not isinstance(x, (list, dict))}

    def spread(self):
        """{secondary: bindings headed there} from /haven/peers."""
        return {n: int(r.get("delegated", 0)) for n, r in
                self.peers().items()}

    def memory(self):
        """(RSS kB, DPDK heap allocated octets, heap size) of the
        primary."""
        rss = None
        try:
            for line in Path("/proc/%d/status" % self.pha.proc.pid) \
                    .read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        except OSError:
            pass
        heap = self.pha.tel.query("/eal/heap_info", 0) or {}
        return rss, heap.get("Alloc_size"), heap.get("Heap_size")

    # -- load ----------------------------------------------------------

    def register_stream_node(self):
        """The lab's mobile node 2001:db8:1::100 at 2001:db8:a::10,
        registered before the load (so it is the first binding each
        secondary's list holds)."""
        r = Mip6Client(self.lab).register(lifetime=min(self.lifetime, 3600))
        assert r.accepted, (r.status, r.status_text)
        return r

    def load(self, rate=1000, count=None, first=0, wait=60, retry=10.0,
             window=2000):
        """dts/mip6load.py in the mobile node's namespace: its JSON."""
        count = self.n if count is None else count
        r = self.lab.run("mn", [PY, DTS / "mip6load.py", "--ha", E.HA6_ADDR,
                                "--count", count, "--first", first,
                                "--rate", rate, "--lifetime", self.lifetime,
                                "--iface", E.MN_VA_IFACE, "--wait", wait,
                                "--retry", retry, "--window", window,
                                "--json"], check=False,
                         timeout=2 * count / max(rate, 1) + wait +
                         3 * retry + 120)
        try:
            return json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise RuntimeError("mip6load failed: %s%s" % (r.stdout,
                                                         r.stderr))

    def wait_started(self, n, t0_wall, timeout):
        """Wait until the primary counts n delegations acknowledged and
        none queued or outstanding; seconds since t0_wall (wall clock)."""
        def done():
            t = self.totals()
            return (t.get("started", 0) >= n and t.get("queued", 1) == 0
                    and t.get("outstanding", 1) == 0)
        wait_until(done, timeout, 0.05, "%d delegations acknowledged" % n)
        return time.time() - t0_wall

    def wait_even(self, names, within, timeout, total=None):
        """Wait until every secondary named holds the even share within
        `within` bindings (a number) and nothing moves; the spread."""
        def even():
            s = self.spread()
            tot = sum(s[n] for n in names) if total is None else total
            share = tot / len(names)
            t = self.totals()
            return (all(abs(s[n] - share) <= within for n in names) and
                    t.get("moves_queued", 1) == 0 and
                    t.get("outstanding", 1) == 0 and s)
        return wait_until(even, timeout, 0.05, "an even spread")

    def kill(self, name):
        """kill -9 of a secondary's process."""
        self.sha[name].proc.send_signal(signal.SIGKILL)
        self.sha[name].proc.wait(10)

    def restart(self, name, suffix="-2"):
        """A new process for a killed secondary (the same configuration
        and key)."""
        old = self.sha[name]
        old.stop()
        h = self._sha(name, suffix)
        # the same key as the primary knows
        self.sha[name] = h
        h.spawn()
        return h


# ---------------------------------------------------------------------------
# The operator's run
# ---------------------------------------------------------------------------

def heading(text):
    print("\n== %s" % text, flush=True)


def run_one(lab, n, args):
    res = {"n": n, "shas": args.shas}
    # registered under the manual policy, then all delegated at once by
    # "set policy equal": the balancer hands out every binding in one
    # turn, the case of issue 16 (registration in this lab is bounded by
    # the CPU that nine haven processes share, see docs/perf.md)
    sc = Scale(lab, n, shas=args.shas, tag="scale-%d" % n,
               log_level=args.log_level,
               report_interval_ms=args.report_interval_ms,
               dead_after=args.dead_after, policy="manual",
               window=args.window, move_rate=args.move_rate)
    stream = Stream(lab)
    ep = None
    try:
        heading("N = %d: start, registration (policy manual)" % n)
        res["pha_start_s"] = round(sc.start(shas=False), 2)
        print("primary up in %.2f s" % res["pha_start_s"])
        con = sc.pha.console()
        ep = Endpoint6(lab, ifaces=("va",))
        sc.register_stream_node()
        # the secondaries start after the registrations: the CPU the lab
        # shares would otherwise bound the registration rate (docs/perf.md)
        ld = sc.load(rate=args.rate)
        res["load"] = ld
        print("load: %s" % json.dumps(ld))
        st = sc.pha.stats()
        res["registrations6_accepted"] = st.get("registrations6_accepted")
        res["pha_drops_registering"] = {k: v for k, v in
                                        counts(sc.pha.drops()).items() if v}
        if ld["acked"] != n:
            raise RuntimeError("%d of %d registered" % (ld["acked"], n))
        t = time.monotonic()
        sc.start_shas()
        res["shas_up_s"] = round(time.monotonic() - t, 2)
        # the first binding of sha1's list: the first a rebalance moves
        con.delegate(STREAM_HOA, sc.names[0])
        wait_until(lambda: sc.totals().get("started", 0) >= 1, 10, 0.05,
                   "the stream node delegated")

        heading("N = %d: all delegated at once (set policy equal)" % n)
        sc.wire.install()
        w0 = sc.wire.read()
        p0 = sc.peers()
        d0 = counts(sc.pha.drops())
        t0 = time.time()
        con.set_policy("equal")
        res["all_delegated_s"] = round(sc.wait_started(n + 1, t0,
                                                       timeout=600), 3)
        w1 = sc.wire.read()
        p1 = sc.peers()
        spread = sc.spread()
        res["spread"] = spread
        dw = delta(w0, w1)
        dgrams = dw["from_pha"][0] + dw["to_pha"][0]
        agents = sum(p1[k]["tx"] - p0[k]["tx"] + p1[k]["rx"] - p0[k]["rx"]
                     for k in p1)
        res["deleg_datagrams"] = dgrams
        res["deleg_datagrams_per_binding"] = round(dgrams / n, 4)
        res["deleg_bytes"] = dw["from_pha"][1] + dw["to_pha"][1]
        res["agents_datagrams"] = agents
        res["retransmits"] = sum(p1[k]["retransmits"] - p0[k]["retransmits"]
                                 for k in p1)
        res["totals"] = sc.totals()
        res["pha_drops"] = {k: v - d0.get(k, 0) for k, v in
                            counts(sc.pha.drops()).items()
                            if v - d0.get(k, 0)}
        res["sha_drops"] = {k: {d: v for d, v in counts(h.drops()).items()
                                if v}
                            for k, h in sc.sha.items()}
        print("all %d delegated %.3f s after set policy equal; %d "
              "datagrams on the wire (%.3f per binding), agents count %d, "
              "%d retransmitted; spread %s" %
              (n + 1, res["all_delegated_s"], dgrams, dgrams / n, agents,
               res["retransmits"], spread))
        print("drops: primary %s; secondaries %s" % (res["pha_drops"],
                                                     res["sha_drops"]))
        rss, heap, heap_size = sc.memory()
        res["pha_rss_kb"], res["pha_heap_alloc"] = rss, heap
        res["pha_heap_size"] = heap_size
        print("primary: RSS %s kB, DPDK heap %s of %s octets" %
              (rss, heap, heap_size))

        heading("N = %d: reports at rest" % n)
        time.sleep(4)       # the secondaries' announcements end (3 s)
        w2 = sc.wire.read()
        time.sleep(args.rest)
        w3 = sc.wire.read()
        dr = delta(w2, w3)
        res["rest_bytes_per_s"] = {s: round(dr["from_" + s][1] / args.rest)
                                   for s in sc.names}
        res["rest_dgrams_per_s"] = {s: round(dr["from_" + s][0] / args.rest,
                                             1) for s in sc.names}
        res["rest_pha_bytes_per_s"] = round(dr["from_pha"][1] / args.rest)
        print("at rest, octets/s per secondary: %s; from the primary %s" %
              (res["rest_bytes_per_s"], res["rest_pha_bytes_per_s"]))

        heading("N = %d: a secondary killed" % n)
        victim = sc.names[-1]
        held = sc.spread()[victim]
        st0 = sc.totals().get("started", 0)
        t_kill = time.monotonic()
        sc.kill(victim)
        sc.wait_alive([victim], alive=False, timeout=30)
        res["dead_after_s"] = round(time.monotonic() - t_kill, 3)

        def redelegated():
            s = sc.spread()
            t = sc.totals()
            return (s[victim] == 0 and
                    t.get("started", 0) - st0 >= held and
                    t.get("queued", 1) == 0 and t.get("outstanding", 1) == 0)
        wait_until(redelegated, 300, 0.02, "the victim's bindings elsewhere")
        res["redelegated_s"] = round(time.monotonic() - t_kill, 3)
        res["detection_bound_s"] = args.report_interval_ms * \
            args.dead_after / 1000.0
        res["killed_held"] = held
        print("%s (%d bindings) killed: dead after %.3f s (bound %.2f s), "
              "all forwarded by others after %.3f s" %
              (victim, held, res["dead_after_s"], res["detection_bound_s"],
               res["redelegated_s"]))

        heading("N = %d: the secondary back" % n)
        holder = (sc.pha.tel.query("/haven/binding6", STREAM_HOA) or
                  {}).get("forwarder")
        # the receiver ends 2 s after the last datagram (the sender is
        # stopped once the spread is even)
        recv = stream.receiver(role="mn", port=9000, duration=900,
                               bind="::", idle=2.0)
        send = stream.sender(role="ch", dst=STREAM_HOA, port=9000,
                             count=args.stream_rate * 3600,
                             rate=args.stream_rate)
        time.sleep(2)
        m0 = sc.totals()
        t_back = time.monotonic()
        t_back_wall = time.time()
        sc.restart(victim)
        sc.sha[victim].wait_ready(60)
        sc.wait_alive([victim], timeout=30)
        res["back_alive_s"] = round(time.monotonic() - t_back, 3)
        names = sc.names
        total = n + 1
        sc.wait_even(names, within=total / len(names) * 0.10, timeout=300,
                     total=total)
        res["even10_s"] = round(time.monotonic() - t_back, 3)
        sc.wait_even(names, within=1, timeout=300, total=total)
        res["even_s"] = round(time.monotonic() - t_back, 3)
        m1 = sc.totals()
        res["moves"] = m1.get("moves", 0) - m0.get("moves", 0)
        res["moved"] = m1.get("moved", 0) - m0.get("moved", 0)
        res["spread_after"] = sc.spread()
        row = sc.pha.tel.query("/haven/binding6", STREAM_HOA) or {}
        res["stream_binding"] = (holder, row.get("forwarder"))
        time.sleep(3)
        send.stop(sig=signal.SIGTERM)
        r = stream.result(recv, timeout=30)
        res["stream"] = {k: r.get(k) for k in ("received", "unique",
                                                "duplicates",
                                                "missing_count", "max_seq",
                                                "missing", "first_rx")}
        res["stream"]["back_at_s"] = round(t_back_wall - r["first_rx"], 3) \
            if r.get("first_rx") else None
        print("back: alive after %.2f s, within 10 %% after %.2f s, even "
              "after %.2f s, %d moves (%d acked); stream binding %s -> %s;"
              " stream %s" % (res["back_alive_s"], res["even10_s"],
                              res["even_s"], res["moves"], res["moved"],
                              holder, row.get("forwarder"), res["stream"]))
    finally:
        if ep is not None:
            ep.stop()
        sc.stop()
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description="Delegation at scale: one "
                                 "primary, eight secondaries, N Mobile "
                                 "IPv6 nodes (docs/perf.md)")
    ap.add_argument("--prefix", default="h6sc", help="lab prefix")
    ap.add_argument("-n", type=int, nargs="+", default=[1000, 10000],
                    help="numbers of bindings, one run each")
    ap.add_argument("--shas", type=int, default=8)
    ap.add_argument("--window", type=int,
                    help="delegation.window of the primary (default: "
                    "haven's)")
    ap.add_argument("--move-rate", type=int,
                    help="delegation.move_rate of the primary (default: "
                    "haven's)")
    ap.add_argument("--rate", type=int, default=5000,
                    help="Binding Updates a second")
    ap.add_argument("--report-interval-ms", type=int, default=250)
    ap.add_argument("--dead-after", type=int, default=4)
    ap.add_argument("--rest", type=float, default=10.0,
                    help="seconds of reports at rest measured")
    ap.add_argument("--stream-rate", type=int, default=200)
    ap.add_argument("--log-level", default="notice")
    ap.add_argument("--keep-lab", action="store_true")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        ap.error("the lab needs root")
    lab = Lab(args.prefix, ipv6=True)
    results = []
    try:
        lab.up()
        lab.scale(args.shas)
        for n in args.n:
            results.append(run_one(lab, n, args))
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=1))
    finally:
        if not args.keep_lab:
            lab.down()
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
