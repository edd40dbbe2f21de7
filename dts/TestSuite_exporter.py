# SPDX-License-Identifier: BSD-3-Clause
"""Exporter suite: app/haven-exporter/haven_exporter.py serves what haven's
telemetry says as Prometheus metrics.

The exporter runs in the root namespace (the telemetry socket is a path
in the filesystem, which every namespace shares) and listens on a free
port of 127.0.0.1; the scrapes are parsed with prometheus_client's own
text parser, not with the exporter's code. A last test serves the exporter
a fake telemetry socket, to page through more bindings than the lab's
configuration holds.

promtool (Debian's prometheus package) is the independent judge of the
exposition format (promtool check metrics) and of the alerting rules in
config/haven-alerts.yml (promtool check rules, and their unit tests
dts/prometheus/haven-alerts.test.yml with promtool test rules); the rules
are also evaluated over a real scrape.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import urllib.request
from pathlib import Path

import pytest
import yaml

from lab import OUT, PY, REPO, Delegation, E, Proc, wait_until

EXPORTER = REPO / "app" / "haven-exporter" / "haven_exporter.py"
HOA = E.MN_HOME_ADDR
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
ALERT_RULES = REPO / "config" / "haven-alerts.yml"
ALERT_TESTS = REPO / "dts" / "prometheus" / "haven-alerts.test.yml"
# /haven/stats fields that are levels; by their meaning, every other field
# counts since start (docs/telemetry.md)
STATS_GAUGES = {"bindings", "bindings6", "workers"}


def promtool(*args, stdin=None):
    """promtool's exit code and its output (stdout and stderr)."""
    if not os.path.exists(PROMTOOL):
        pytest.fail("promtool missing: dts/setup.sh installs Debian's "
                    "prometheus package")
    r = subprocess.run([PROMTOOL] + [str(a) for a in args], input=stdin,
                       capture_output=True, text=True, timeout=120)
    return r.returncode, (r.stdout + r.stderr).strip()


def counters(samples, types):
    """{(name, labels): value} of the counter samples of a scrape."""
    return {k: v for k, v in samples.items() if k[0].endswith("_total")
            and types.get(k[0][:-len("_total")]) == "counter"}


def rule_metrics():
    """The haven_* metric names the alerting rules read."""
    names = set()
    for g in yaml.safe_load(ALERT_RULES.read_text())["groups"]:
        for r in g["rules"]:
            names |= set(re.findall(r"\bhaven_[a-z0-9_]+", r["expr"]))
    return names


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
        # every reason; since_clear (the console's) is not exported
        assert reasons == set(tel_drops) - {"since_clear"}, (
            reasons, set(tel_drops))

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
            150 bindings in pages of 64, two peers, 300 delegated
            bindings in pages of 128, an SHA table of 100 entries in
            pages of 48; run the exporter --once against it.
        Verify:
            150 haven_binding_packets_total series with their labels and
            values; the exporter asked for offsets 0, 64 and 128 and no
            more; haven_peer_alive, haven_peer_tx_messages_total and
            haven_peer_bad_auth_total carry name, role and address;
            haven_delegation_started_total and haven_delegation_bindings
            {peer, state} counted over every page (offsets 0, 128, 256);
            haven_secondary_used and 100 series of
            haven_secondary_binding_packets_total (offsets 0, 48, 96).
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
        assert value(samples, "haven_delegation_moves_total") == 7
        assert value(samples, "haven_delegation_moves_queued") == 2
        # every page of /haven/delegation counted, no page twice
        assert fake.deleg_offsets == ["0", "128", "256"], fake.deleg_offsets
        assert value(samples, "haven_delegation_bindings", peer="sha1",
                     state="delegated") == 150
        assert value(samples, "haven_delegation_bindings", peer="sha2",
                     state="delegated") == 150
        assert value(samples, "haven_delegation_policy",
                     policy="manual") == 1
        assert value(samples, "haven_secondary_used") == 100
        assert fake.sha_offsets == ["0", "48", "96"], fake.sha_offsets
        assert len(series(samples, "haven_secondary_binding_packets_total",
                          instance="fake")) == 100
        assert value(samples, "haven_secondary_binding_packets_total",
                     home_address="192.0.2.99", primary="pha") == 176

    # ------------------------------------------------------------------
    # Types, promtool, alerting rules, counters that never go back
    # ------------------------------------------------------------------

    def test_alert_rules_promtool(self):
        """The alerting rules are valid and do what their unit tests say.

        Steps:
            promtool check rules config/haven-alerts.yml; promtool test
            rules dts/prometheus/haven-alerts.test.yml.
        Verify:
            both exit 0; the rules cover agent down, secondary dead,
            binding table above 90%, punt ring drops and registrations
            denied (one alert each at least); each alert's unit test
            case fires it and also has a case where it stays quiet.
        """
        rc, out = promtool("check", "rules", ALERT_RULES)
        print(out)
        assert rc == 0, out
        rc, out = promtool("test", "rules", ALERT_TESTS)
        print(out)
        assert rc == 0, out
        rules = {r["alert"] for g in yaml.safe_load(
            ALERT_RULES.read_text())["groups"] for r in g["rules"]}
        for a in ("HavenDown", "HavenSecondaryDead", "HavenBindingTableFull",
                  "HavenPuntRingDrops", "HavenRegistrationsDenied"):
            assert a in rules, (a, rules)
        fired, quiet = set(), set()
        for t in yaml.safe_load(ALERT_TESTS.read_text())["tests"]:
            for c in t.get("alert_rule_test", []):
                (fired if c.get("exp_alerts") else quiet).add(c["alertname"])
        assert fired == rules, (rules - fired)
        assert quiet == rules - {"HavenSecondaryTableFull"}, \
            (rules - quiet)

    def test_types_promtool_and_rules_on_a_real_scrape(self, lab, logname,
                                                       mip, exporter):
        """A real primary's scrape is well-formed, typed by meaning, and
        feeds the alerting rules.

        Steps:
            Start a PHA (config/lab.yaml with delegation to sha1 and
            sha2, neither running); register 192.0.2.100; wait until the
            PHA declares both dead (dead_after 3 reports); scrape; read
            /haven/stats and /haven/version. Turn the scrape into the
            input series of a promtool rule test (every sample constant
            for 3 minutes, the exporter's target up) and run it.
        Verify:
            promtool check metrics finds nothing; no family is untyped
            (every /haven/stats field is classified); bindings,
            bindings6 and workers are gauges, every other /haven/stats
            field a counter; haven_max_bindings is the configured 65536;
            every haven_* metric the rules read is in the scrape;
            haven_build_info carries /haven/version's version,
            git_revision, dpdk_version and build_type, and
            haven_start_time_seconds its start_time; over the real series
            HavenSecondaryDead fires for exactly the secondaries whose
            haven_peer_alive is 0, and no other alert fires.
        """
        h = Delegation(lab).pha(log=OUT / ("%s.log" % logname))
        try:
            h.start()
            r = mip.register(coa=E.MN_VA_ADDR, lifetime=120)
            assert r.replied and r.code == 0, r
            wait_until(lambda: all(p.get("alive") == 0 for p in h.peers()),
                       15, 0.5, "sha1 and sha2 declared dead")
            x = exporter([h.file_prefix])
            text, (samples, types) = x.scrape()
            tel_stats = h.stats()
            tel_version = h.tel.query("/haven/version")
            tel_config = h.tel.query("/haven/config")
        finally:
            h.stop()
        (OUT / "exporter-scrape-pha.txt").write_text(text)

        rc, out = promtool("check", "metrics", stdin=text)
        print("promtool check metrics: rc %d %r" % (rc, out))
        assert rc == 0 and out == "", out

        untyped = [n for n, t in types.items() if t not in ("counter",
                                                            "gauge")]
        assert not untyped, untyped
        numeric = {k for k, v in tel_stats.items()
                   if isinstance(v, (int, float))}
        assert "bindings6" in numeric, sorted(tel_stats)
        for k in numeric:
            want = "gauge" if k in STATS_GAUGES else "counter"
            assert types.get("haven_" + k) == want, (k, types.get(
                "haven_" + k), want)
        assert tel_config["max_bindings"] == 65536, tel_config
        assert value(samples, "haven_max_bindings") == 65536

        names = {n for (n, _) in samples}
        missing = {m for m in rule_metrics() if m not in names}
        assert not missing, missing

        info = series(samples, "haven_build_info")
        assert isinstance(tel_version, dict), tel_version
        (labels, v), = info.items()
        assert v == 1
        for k in ("version", "git_revision", "dpdk_version", "build_type"):
            assert dict(labels).get(k) == tel_version[k], (k, labels)
        from datetime import datetime
        start = datetime.fromisoformat(tel_version["start_time"].replace(
            "Z", "+00:00")).timestamp()
        assert abs(value(samples, "haven_start_time_seconds") - start) < \
            1e-3, (tel_version, value(samples, "haven_start_time_seconds"))
        assert value(samples, "haven_uptime_seconds") >= 0

        # the rules over the real series
        dead = [dict(lab_) for lab_, v in series(
            samples, "haven_peer_alive", role="secondary").items()
            if v == 0]
        print("secondaries not alive: %s" % sorted(d["name"] for d in dead))
        assert dead, "no dead secondary to alert on"
        inputs = [{"series": 'up{job="haven",instance="127.0.0.1:9464"}',
                   "values": "1x12"}]
        for (n, labels), v in samples.items():
            if not n.startswith("haven_"):
                continue
            sel = ",".join('%s=%s' % (k, json.dumps(str(t)))
                           for k, t in sorted(dict(labels,
                                                   job="haven").items()))
            inputs.append({"series": "%s{%s}" % (n, sel),
                           "values": "%rx12" % float(v)})
        cases = []
        for g in yaml.safe_load(ALERT_RULES.read_text())["groups"]:
            for rule in g["rules"]:
                a = rule["alert"]
                exp = [{"exp_labels": dict(d, job="haven",
                                           severity=rule["labels"]
                                           ["severity"]),
                        "exp_annotations": {
                            k: re.sub(r"\{\{ \$labels\.(\w+) \}\}",
                                      lambda m: d[m.group(1)], t)
                            for k, t in rule["annotations"].items()}}
                       for d in dead] if a == "HavenSecondaryDead" else []
                cases.append({"eval_time": "3m", "alertname": a,
                              "exp_alerts": exp})
        tdir = Path(tempfile.mkdtemp(prefix="haven-rules-"))
        try:
            shutil.copy(ALERT_RULES, tdir / "rules.yml")
            (tdir / "test.yml").write_text(yaml.safe_dump({
                "rule_files": ["rules.yml"], "evaluation_interval": "15s",
                "tests": [{"interval": "15s", "input_series": inputs,
                           "alert_rule_test": cases}]}))
            rc, out = promtool("test", "rules", tdir / "test.yml")
        finally:
            shutil.rmtree(tdir, ignore_errors=True)
        print(out)
        assert rc == 0, out

    def test_counters_never_go_back(self, lab, haven, endpoint, mip, stream,
                                    exporter):
        """Between two scrapes no counter of a running haven goes back,
        the console's clear commands in between included.

        Steps:
            Start haven and the endpoint; start the exporter; register
            192.0.2.100 from 198.51.100.10; stream 100 datagrams; scrape;
            stream 100 more and register again; "clear stats", "clear
            drops", "clear port stats" and "clear peers" on the console;
            scrape again.
        Verify:
            every clear is accepted, and /haven/stats' since_clear
            counts nothing encapsulated since it; every counter series
            of the first scrape is in the second with a value at least
            as large; haven_encap_packets_total grew by at least the 100
            datagrams of the second stream (since-start values, whatever
            the console cleared); nothing named since_clear is exported.
        """
        h = haven()
        endpoint(ifaces=("va",))
        x = exporter([h.file_prefix])
        assert mip.register(coa=E.MN_VA_ADDR, lifetime=120).code == 0
        recv = stream.receiver("mn", duration=15, expect=100, idle=2)
        stream.send("ch", count=100, rate=400)
        stream.result(recv)
        _, (s1, t1) = x.scrape()
        recv = stream.receiver("mn", duration=15, expect=100, idle=2)
        stream.send("ch", count=100, rate=400)
        res = stream.result(recv)
        assert mip.register(coa=E.MN_VA_ADDR, lifetime=120).code == 0
        con = h.console()
        cleared = con.clear_stats()
        assert cleared is not None and "stats cleared at" in cleared
        con.clear_drops()
        con.clear_port_stats()
        con.clear_peers()
        st = h.stats()
        assert st["since_clear"]["encap_packets"] == 0, st
        assert st["encap_packets"] >= 200, st
        _, (s2, t2) = x.scrape()
        assert not [n for (n, _) in s2 if "since_clear" in n or
                    "cleared" in n]
        c1, c2 = counters(s1, t1), counters(s2, t2)
        assert len(c1) > 20, len(c1)
        back = {k: (v, c2.get(k)) for k, v in c1.items()
                if c2.get(k) is None or c2[k] < v}
        assert not back, back
        e1 = value(s1, "haven_encap_packets_total")
        e2 = value(s2, "haven_encap_packets_total")
        print("encap_packets %s -> %s; stream received %s" % (
            e1, e2, res.get("unique")))
        assert e2 - e1 >= 100, (e1, e2)

    def test_version_guard_and_types_fake_socket(self, exporter):
        """What the exporter makes of /haven/version, of a counter that
        shrinks within one process, and of fields it does not know.

        Steps:
            Serve a fake telemetry socket whose /haven/version has
            version, git_revision, dpdk_version, build_type, an ISO start
            time and uptime, and whose /haven/stats has rx_packets 10,
            rx_packets_since_clear 10, bindings6 1 and an unknown field;
            scrape; lower rx_packets to 4 (as a clear would, same pid)
            and scrape; raise it to 6 and scrape; give the banner a new
            pid with rx_packets 2 and scrape; then answer null to
            /haven/version and scrape.
        Verify:
            haven_build_info{version, git_revision, dpdk_version,
            build_type} 1, haven_start_time_seconds the start time in
            Unix seconds, haven_uptime_seconds 42; haven_bindings6 a
            gauge; the unknown field served untyped; nothing named
            *since_clear; haven_rx_packets_total 10, then 14, then 16
            (carried on within the process), then 2 for the new process;
            haven_binding6_packets_total for the IPv6 binding;
            haven_max_bindings 65536; without /haven/version no
            haven_build_info and haven_up still 1; promtool check
            metrics accepts every scrape.
        """
        rundir = Path(tempfile.mkdtemp(prefix="haven-fake-tel-"))
        stats = {"rx_packets": 10, "rx_packets_since_clear": 10,
                 "bindings": 1, "bindings6": 1, "workers": 1,
                 "brand_new_field": 7}
        ver = {"version": "0.2.0", "git_revision": "0123abc",
               "dpdk_version": "DPDK 22.11.11", "build_type":
               "debugoptimized", "start_time": "2025-01-31T10:00:00Z",
               "uptime": 42}
        fake = FakeTelemetry(rundir / "fake" / "dpdk_telemetry.v2", 3,
                             stats=stats, version=ver)
        try:
            x = exporter(["fake"], extra=("--runtime-dir", str(rundir)))
            rx = []
            texts = []
            for raw, pid in ((10, 4242), (4, 4242), (6, 4242), (2, 4343)):
                fake.stats["rx_packets"] = raw
                fake.pid = pid
                text, (smp, types) = x.scrape()
                texts.append(text)
                rx.append(value(smp, "haven_rx_packets_total"))
                if raw == 10:
                    first = (smp, types, text)
            fake.version = None
            text, (s_nov, _) = x.scrape()
            texts.append(text)
        finally:
            fake.stop()
            shutil.rmtree(rundir, ignore_errors=True)

        smp, types, text = first
        assert value(smp, "haven_build_info", version="0.2.0",
                     git_revision="0123abc", dpdk_version="DPDK 22.11.11",
                     build_type="debugoptimized") == 1
        assert value(smp, "haven_start_time_seconds") == 1738317600
        assert value(smp, "haven_uptime_seconds") == 42
        assert types["haven_bindings6"] == "gauge"
        assert types["haven_brand_new_field"] == "unknown"
        assert not [n for (n, _) in smp if "since_clear" in n]
        assert value(smp, "haven_binding6_packets_total",
                     home_address="2001:db8:1::100",
                     care_of="2001:db8:a::10") == 3
        assert value(smp, "haven_max_bindings") == 65536
        print("haven_rx_packets_total over the scrapes: %s" % rx)
        assert rx == [10, 14, 16, 2], rx
        assert value(s_nov, "haven_up") == 1
        assert series(s_nov, "haven_build_info") == {}
        for t in texts:
            rc, out = promtool("check", "metrics", stdin=t)
            assert rc == 0, out


class FakeTelemetry:
    """A tiny rte_telemetry v2 server: banner, then one JSON reply per
    command, in haven's shapes (app/haven/telemetry.c)."""

    PAGE = 64
    DELEG_PAGE = 128
    SHA_PAGE = 48

    def __init__(self, path, n_bindings, stats=None, version=None,
                 pid=4242):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True)
        self.n = n_bindings
        self.offsets = []
        self.deleg_offsets = []
        self.sha_offsets = []
        # what /haven/stats and /haven/version answer; changed by tests
        self.stats = stats
        self.version = version
        self.pid = pid
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
            if self.stats is not None:
                return dict(self.stats)
            return {"rx_packets": 10, "bindings": self.n, "workers": 2}
        if cmd == "/haven/version":
            return self.version
        if cmd == "/haven/config":
            return {"max_bindings": 65536, "mobile_nodes": 6,
                    "file_prefix": "fake"}
        if cmd == "/haven/bindings6":
            return {"total": 1, "offset": 0,
                    "home_address": ["2001:db8:1::100"],
                    "care_of": ["2001:db8:a::10"], "remaining": [57],
                    "packets": [3], "bytes": [312], "forwarder": ["self"],
                    "count": 1}
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
            # 300 rows in pages of 128: sha1 and sha2 in turn, delegated
            self.deleg_offsets.append(params)
            off = int(params or 0)
            idx = list(range(off, min(off + self.DELEG_PAGE, 300)))
            return {"policy": "manual",
                    "home_address": ["2001:db8:1::1:%x" % i for i in idx],
                    "peer": ["sha%d" % (1 + i % 2) for i in idx],
                    "state": ["delegated"] * len(idx),
                    "generation": [1] * len(idx), "total": 300,
                    "offset": off, "count": len(idx), "started": 5,
                    "refused": 0, "stopped": 3, "taken_back": 0,
                    "dead_peers": 1, "moves": 7, "moves_queued": 2}
        if cmd == "/haven/secondary":
            # 100 rows in pages of 48
            self.sha_offsets.append(params)
            off = int(params or 0)
            idx = list(range(off, min(off + self.SHA_PAGE, 100)))
            return {"home_address": ["192.0.2.%d" % i for i in idx],
                    "primary": ["pha"] * len(idx),
                    "care_of": ["198.51.100.10"] * len(idx),
                    "remaining": [50] * len(idx),
                    "packets": [77 + i for i in idx],
                    "generation": [2] * len(idx), "total": 100,
                    "offset": off, "count": len(idx), "installed": 100,
                    "replaced": 0, "removed": 0, "expired": 0,
                    "refused": 0, "used": 100, "capacity": 1024}
        return None

    def serve(self):
        while not self.done.is_set():
            try:
                c, _ = self.srv.accept()
            except socket.timeout:
                continue
            c.settimeout(5)
            c.send(json.dumps({"version": "DPDK 22.11.11", "pid": self.pid,
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
