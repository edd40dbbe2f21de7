# SPDX-License-Identifier: BSD-3-Clause
"""Exporter suite: app/haven-exporter/haven_exporter.py serves what haven's
telemetry says as Prometheus metrics.

The exporter runs in the root namespace (the telemetry socket is a path
in the filesystem, which every namespace shares) and listens on a free
port of 127.0.0.1; the scrapes are parsed with prometheus_client's own
text parser, not with the exporter's code. A last test serves the exporter
a fake telemetry socket, to page through more bindings than the lab's
configuration holds.
"""

import json
import os
import socket
import tempfile
import threading
import urllib.request
from pathlib import Path

import pytest

from lab import OUT, PY, REPO, E, Proc

EXPORTER = REPO / "app" / "haven-exporter" / "haven_exporter.py"
HOA = E.MN_HOME_ADDR


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def parse(text):
    """{(name, frozenset(labels.items())): value} and {family: type} of an
    exposition, with prometheus_client's parser."""
    from prometheus_client.parser import text_string_to_metric_families
    samples, types = {}, {}
    for fam in text_string_to_metric_families(text):
        types[fam.name] = fam.type
        for s in fam.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples, types


def value(samples, metric, /, **labels):
    """The value of the one sample with these labels (a subset), or
    None."""
    want = set(labels.items())
    hits = [v for (n, l), v in samples.items() if n == metric and
            want <= l]
    assert len(hits) <= 1, (metric, labels, hits)
    return hits[0] if hits else None


def series(samples, metric, /, **labels):
    want = set(labels.items())
    return {l: v for (n, l), v in samples.items() if n == metric and
            want <= l}


class Exporter:
    """haven_exporter.py in the root namespace on 127.0.0.1:<free port>."""

    def __init__(self, prefixes, log, extra=()):
        self.port = free_port()
        argv = [PY, EXPORTER, "--listen", "127.0.0.1:%d" % self.port]
        for p in prefixes:
            argv += ["--file-prefix", p]
        self.proc = Proc(argv + list(extra), log=log, name="exporter")
        self.proc.wait_for(r"serving .* on http://", 15)

    def scrape(self):
        url = "http://127.0.0.1:%d/metrics" % self.port
        with urllib.request.urlopen(url, timeout=15) as r:
            assert r.status == 200
            text = r.read().decode()
        return text, parse(text)

    def stop(self):
        return self.proc.stop()


@pytest.fixture
def exporter(logname):
    """Factory: exporter([prefix, ...]) -> Exporter, stopped at
    teardown."""
    made = []

    def make(prefixes, extra=()):
        x = Exporter(prefixes, OUT / ("%s-exporter-%d.log" %
                                      (logname, len(made))), extra)
        made.append(x)
        return x
    yield make
    for x in made:
        x.stop()


class TestSuite_exporter:
    """haven (config/lab.yaml) in <p>-ha; the mobile node 192.0.2.100
    away at 198.51.100.10 with its endpoint; the correspondent host
    192.0.2.10 streams to it."""

    def test_metrics_of_a_running_haven(self, lab, haven, endpoint, mip,
                                        stream, exporter):
        """The exporter's figures are haven's telemetry.

        Steps:
            Start haven and the endpoint (va); register 192.0.2.100 from
            198.51.100.10; stream 200 datagrams at 400 pps from the
            correspondent host; start the exporter with haven's file
            prefix and a prefix no process has; scrape /metrics.
        Verify:
            haven_up 1 for haven, 0 for the other prefix; every sample
            carries instance=<prefix>; haven_registration_replies_total
            {code="0"} is 1; haven_binding_packets_total{home_address=
            "192.0.2.100", care_of="198.51.100.10", encap="ipip"} is > 0
            and equals the packets of /haven/binding read right after
            (no traffic in between), haven_bindings 1 and haven_workers
            1 are gauges, haven_rx_packets_total and haven_encap_packets
            _total are counters with the values of /haven/stats,
            haven_drops_total has one series per /haven/drops reason.
        """
        h = haven()
        endpoint(ifaces=("va",))
        r = mip.register(coa=E.MN_VA_ADDR, lifetime=120)
        assert r.replied and r.code == 0, r
        recv = stream.receiver("mn", duration=15, expect=200, idle=2)
        sent = stream.send("ch", count=200, rate=400)
        res = stream.result(recv)
        print("stream: sent %s, received %s" % (sent, res.get("unique")))
        absent = "%s-absent-%d" % (lab.prefix, os.getpid())
        x = exporter([h.file_prefix, absent])
        text, (samples, types) = x.scrape()
        tel_binding = h.binding(HOA)
        tel_stats = h.stats()
        tel_drops = h.drops()
        (OUT / "exporter-scrape.txt").write_text(text)

        assert value(samples, "haven_up", instance=h.file_prefix) == 1
        assert value(samples, "haven_up", instance=absent) == 0
        for (name, labels), _ in samples.items():
            inst = dict(labels).get("instance")
            assert inst in (h.file_prefix, absent), (name, labels)
            if inst == absent:
                assert name in ("haven_up",
                                "haven_exporter_scrape_duration_seconds"), \
                    name

        assert value(samples, "haven_registration_replies_total",
                     instance=h.file_prefix, code="0") == 1
        pk = value(samples, "haven_binding_packets_total",
                   instance=h.file_prefix, home_address=HOA,
                   care_of=E.MN_VA_ADDR, encap="ipip")
        print("haven_binding_packets_total %s, /haven/binding packets %s"
              % (pk, tel_binding.get("packets")))
        assert pk is not None and pk > 0, series(
            samples, "haven_binding_packets_total")
        assert pk == tel_binding["packets"], (pk, tel_binding)
        assert types["haven_binding_packets"] == "counter"

        assert value(samples, "haven_bindings",
                     instance=h.file_prefix) == 1
        assert types["haven_bindings"] == "gauge"
        assert value(samples, "haven_workers", instance=h.file_prefix) == \
            tel_stats["workers"]
        assert types["haven_workers"] == "gauge"
        for k in ("rx_packets", "encap_packets"):
            v = value(samples, "haven_%s_total" % k, instance=h.file_prefix)
            assert types["haven_" + k] == "counter"
            # haven counts on while we read: never more than after
            assert 0 < v <= tel_stats[k], (k, v, tel_stats[k])
        reasons = {dict(l)["reason"] for l in series(
            samples, "haven_drops_total", instance=h.file_prefix)}
        assert reasons == set(tel_drops), (reasons, set(tel_drops))

    def test_appliance_restart(self, lab, haven, mip, exporter):
        """A restarted haven is read again without restarting the
        exporter.

        Steps:
            Start haven; start the exporter; register 192.0.2.100;
            scrape; stop haven; scrape; start haven again with the same
            file prefix; scrape.
        Verify:
            haven_up goes 1, 0, 1 and the exporter stays up;
            haven_process_id changes; after the restart the registration
            replies count from zero again (no code 0 series, or 0) and
            haven_bindings is 0.
        """
        h1 = haven()
        x = exporter([h1.file_prefix])
        assert mip.register(coa=E.MN_VA_ADDR, lifetime=60).code == 0
        _, (s1, _) = x.scrape()
        pid1 = value(s1, "haven_process_id", instance=h1.file_prefix)
        assert value(s1, "haven_up", instance=h1.file_prefix) == 1
        assert value(s1, "haven_registration_replies_total",
                     instance=h1.file_prefix, code="0") == 1
        h1.stop()
        _, (s2, _) = x.scrape()
        assert value(s2, "haven_up", instance=h1.file_prefix) == 0
        assert x.proc.alive()
        h2 = haven()
        assert h2.file_prefix == h1.file_prefix
        _, (s3, _) = x.scrape()
        assert value(s3, "haven_up", instance=h2.file_prefix) == 1
        pid2 = value(s3, "haven_process_id", instance=h2.file_prefix)
        print("haven_up 1 -> 0 -> 1, process id %s -> %s" % (pid1, pid2))
        assert pid2 != pid1
        assert value(s3, "haven_registration_replies_total",
                     instance=h2.file_prefix, code="0") in (None, 0)
        assert value(s3, "haven_bindings", instance=h2.file_prefix) == 0

    def test_paging_and_delegation_fake_socket(self, logname):
        """The exporter pages through /haven/bindings and turns the
        delegation tables into labelled series.

        Steps:
            Serve a fake telemetry socket (SOCK_SEQPACKET, the banner and
            replies of rte_telemetry v2) in a temporary runtime directory:
            150 bindings in pages of 64, two peers, two delegated
            bindings, an SHA table of one entry; run the exporter --once
            against it.
        Verify:
            150 haven_binding_packets_total series with their labels and
            values; the exporter asked for offsets 0, 64 and 128 and no
            more; haven_peer_alive, haven_peer_tx_messages_total and
            haven_peer_bad_auth_total carry name, role and address;
            haven_delegation_started_total and haven_delegation_bindings
            {peer, state}; haven_secondary_used and
            haven_secondary_binding_packets_total.
        """
        import subprocess
        rundir = Path(tempfile.mkdtemp(prefix="haven-fake-tel-"))
        fake = FakeTelemetry(rundir / "fake" / "dpdk_telemetry.v2", 150)
        try:
            r = subprocess.run([PY, EXPORTER, "--runtime-dir", rundir,
                                "--file-prefix", "fake", "--once"],
                               capture_output=True, text=True, timeout=60)
        finally:
            fake.stop()
            for p in sorted(rundir.rglob("*"), reverse=True):
                p.unlink() if not p.is_dir() else p.rmdir()
            rundir.rmdir()
        assert r.returncode == 0, r.stderr
        samples, types = parse(r.stdout)
        assert value(samples, "haven_up", instance="fake") == 1
        b = series(samples, "haven_binding_packets_total", instance="fake")
        assert len(b) == 150, len(b)
        assert value(samples, "haven_binding_packets_total",
                     home_address="10.0.0.149", care_of="198.51.100.10 "
                     "203.0.113.10", encap="gre") == 1490
        assert fake.offsets == ["0", "64", "128"], fake.offsets
        lab_ = dict(name="sha1", role="secondary", address="192.0.2.11")
        assert value(samples, "haven_peer_alive", **lab_) == 1
        assert value(samples, "haven_peer_tx_messages_total", **lab_) == 40
        assert value(samples, "haven_peer_bad_auth_total", **lab_) == 3
        assert value(samples, "haven_peer_alive", name="sha2") == 0
        assert types["haven_peer_alive"] == "gauge"
        assert types["haven_peer_bad_auth"] == "counter"
        assert value(samples, "haven_delegation_started_total") == 5
        assert value(samples, "haven_delegation_bindings", peer="sha1",
                     state="delegated") == 2
        assert value(samples, "haven_delegation_policy",
                     policy="manual") == 1
        assert value(samples, "haven_secondary_used") == 1
        assert value(samples, "haven_secondary_binding_packets_total",
                     home_address="192.0.2.105", primary="pha") == 77


class FakeTelemetry:
    """A tiny rte_telemetry v2 server: banner, then one JSON reply per
    command, in haven's shapes (app/haven/telemetry.c)."""

    PAGE = 64

    def __init__(self, path, n_bindings):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True)
        self.n = n_bindings
        self.offsets = []
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.srv.bind(str(self.path))
        self.srv.listen(4)
        self.srv.settimeout(0.2)
        self.done = threading.Event()
        self.t = threading.Thread(target=self.serve, daemon=True)
        self.t.start()

    def stop(self):
        self.done.set()
        self.t.join(5)
        self.srv.close()

    def reply(self, cmd, params):
        if cmd == "/haven/stats":
            return {"rx_packets": 10, "bindings": self.n, "workers": 2}
        if cmd == "/haven/drops":
            return {"no_binding": 1}
        if cmd == "/haven/registrations":
            return {"requests": 3, "dropped": 0, "code_0": 2, "code_131": 1}
        if cmd == "/haven/bindings":
            self.offsets.append(params)
            off = int(params or 0)
            idx = list(range(off, min(off + self.PAGE, self.n)))
            return {"total": self.n, "offset": off,
                    "home_address": ["10.0.0.%d" % i for i in idx],
                    "care_of": ["198.51.100.10 203.0.113.10"] * len(idx),
                    "encap": ["gre"] * len(idx),
                    "reverse_tunnel": [0] * len(idx),
                    "remaining": [100] * len(idx),
                    "packets": [i * 10 for i in idx],
                    "bytes": [i * 1000 for i in idx],
                    "count": len(idx)}
        if cmd == "/haven/peers":
            return {"name": ["sha1", "sha2"], "id": [11, 12],
                    "address": ["192.0.2.11", "192.0.2.12"],
                    "role": ["secondary", "secondary"], "alive": [1, 0],
                    "load": [2, 0], "delegated": [2, 0], "tx": [40, 9],
                    "rx": [38, 0], "retransmits": [1, 9],
                    "bad_auth": [3, 0], "replayed": [0, 0],
                    "malformed": [0, 0], "timeouts": [0, 1],
                    "rejected_messages": 4}
        if cmd == "/haven/delegation":
            return {"policy": "manual",
                    "home_address": ["192.0.2.100", "192.0.2.101"],
                    "peer": ["sha1", "sha1"],
                    "state": ["delegated", "delegated"],
                    "generation": [3, 1], "started": 5, "refused": 0,
                    "stopped": 3, "taken_back": 0, "dead_peers": 1}
        if cmd == "/haven/secondary":
            return {"home_address": ["192.0.2.105"], "primary": ["pha"],
                    "care_of": ["198.51.100.10"], "remaining": [50],
                    "packets": [77], "generation": [2], "installed": 1,
                    "replaced": 0, "removed": 0, "expired": 0,
                    "refused": 0, "used": 1, "capacity": 1024}
        return None

    def serve(self):
        while not self.done.is_set():
            try:
                c, _ = self.srv.accept()
            except socket.timeout:
                continue
            c.settimeout(5)
            c.send(json.dumps({"version": "DPDK 22.11.11", "pid": 4242,
                               "max_output_len": 16384}).encode())
            try:
                while True:
                    data = c.recv(1024)
                    if not data:
                        break
                    cmd, _, params = data.decode().partition(",")
                    c.send(json.dumps({cmd: self.reply(cmd, params)})
                           .encode())
            except OSError:
                pass
            c.close()
