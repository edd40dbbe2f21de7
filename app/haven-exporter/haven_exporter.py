#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Prometheus exporter for Haven home agents.

Reads the /haven/... telemetry endpoints of one or more running haven
processes through their DPDK telemetry socket
(/var/run/dpdk/<file-prefix>/dpdk_telemetry.v2, the socket that
dpdk-telemetry.py uses) and serves them as Prometheus metrics on HTTP.
Every scrape opens a fresh connection to every appliance, so a restarted
haven is picked up at the next scrape, and a stopped one shows haven_up 0.

    haven_exporter.py --file-prefix haven-pha --file-prefix haven-sha1 \\
        --listen 127.0.0.1:9464

Every metric carries the label instance=<file prefix>. The metrics are
listed in docs/telemetry.md. Needs Debian's python3-prometheus-client;
run with /usr/bin/python3.

Counters never go back while a haven process lives: telemetry gives the
values since start (the console's "clear" commands do not touch them;
their counts since a clear, in "since_clear" dicts and columns named
*_since_clear, are not exported), and
should a global counter still shrink within one process, the exporter
carries on from what it had served (and says so once on stderr), so
that Prometheus sees a counter reset only when the process changes.
"""

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time

from prometheus_client import start_http_server
from prometheus_client.core import (CollectorRegistry, CounterMetricFamily,
                                    GaugeMetricFamily, UnknownMetricFamily)
from prometheus_client.exposition import generate_latest

DEFAULT_RUNTIME_DIR = "/var/run/dpdk"
DEFAULT_LISTEN = "127.0.0.1:9464"
DEFAULT_PREFIX = "haven"
SOCKET_NAME = "dpdk_telemetry.v2"

# /haven/stats, each field by its meaning: a level that goes up and down
# is a gauge (haven_<key>), a total since start is a counter
# (haven_<key>_total). A field haven adds later and nobody classified yet
# is served untyped (haven_<key>, TYPE unknown) until it is put in one of
# the two tables; dts/TestSuite_exporter.py fails meanwhile.
STATS_GAUGES = {
    "bindings": "Bindings in the binding table",
    "workers": "Worker lcores (packet forwarding)",
    "bindings6": "Mobile IPv6 bindings in the IPv6 binding table",
}
STATS_COUNTERS = {
    "rx_packets": "Packets received by the workers",
    "tx_packets": "Packets transmitted by the workers",
    "encap_packets": "Packets tunnelled toward a care-of address",
    "decap_packets": "Reverse-tunnelled packets decapsulated",
    "proxy_arp_replies": "Proxy ARP replies sent for away mobile nodes",
    "icmp_echo_replies": "ICMP echo replies sent by the agent",
    "punted": "Packets handed from the workers to the control lcore",
    "dropped": "Packets dropped by the workers (all reasons)",
    "registration_requests": "Registration requests processed",
    "registrations_accepted": "Registration replies with code 0 or 1",
    "registrations_denied": "Registration replies with a denial code",
    "registration_datagrams_dropped":
        "Registration datagrams dropped without reply",
    "bindings_expired": "Bindings whose lifetime ran out",
    "gratuitous_arp_sent": "Gratuitous ARP packets sent",
    "arp_requests_sent": "ARP requests sent to resolve next hops",
    "held_sent": "Packets held for neighbour resolution, then sent",
    "held_dropped": "Packets held for neighbour resolution, then dropped",
    "control_tx_dropped": "Packets the control lcore could not transmit",
    "proxy_nd_replies": "Proxy Neighbor Advertisements sent for away "
                        "Mobile IPv6 nodes",
    "udp_bad_checksum": "UDP datagrams to the agent discarded for a wrong "
                        "checksum",
    "neighbour_mac_changes": "Neighbours whose MAC changed (after the old "
                             "one stopped answering probes)",
    "neighbour_claims_refused": "Another MAC claimed a neighbour whose own "
                                "MAC then answered its probe",
    "neighbours_evicted": "Unused neighbour entries evicted to make room",
    "address_claims_seen": "Claims of our addresses or intercepted home "
                           "addresses by another MAC",
    "addresses_defended": "Such claims answered with an announcement",
    "registrations_bound_lane": "Registration requests of bound pairs "
    "let through the guard's bound lane",
    "registrations_new_lane": "Other registration requests let through "
    "the guard",
    "registrations_shed": "Registration requests the guard shed",
    "icmp_errors_sent": "ICMP and ICMPv6 errors the workers sent",
    "icmp_errors_limited": "ICMP and ICMPv6 errors not sent: over the "
                           "rate limit",
    "registrations6_accepted": "Binding Updates accepted (status 0)",
    "registrations6_denied": "Binding Updates refused (status 128 or more)",
    "udp_tunnel_registrations": "Registrations accepted with UDP tunnelling "
                                "(RFC 3519: behind a NAT, or forced)",
    "udp_tunnel_declined": "Registrations that asked for UDP tunnelling "
                           "and got IP in IP",
    "udp_tunnel_keepalives": "Keepalives answered through UDP tunnels",
    "udp_tunnel_data_dropped": "Tunnel data the control lcore dropped (not "
                               "a keepalive, or not from the binding's NAT "
                               "address and port)",
}
# The suffix of fields that count since an operator's "clear": never
# exported (Prometheus needs the values since start).
SINCE_CLEAR = "_since_clear"

# /haven/peers columns
PEER_GAUGES = (
    ("alive", "Peer is alive (1) or dead (0)"),
    ("load", "Bindings the peer holds for this agent (its last report)"),
    ("delegated", "Bindings this agent has delegated to the peer"),
)
PEER_COUNTERS = (
    ("tx", "tx_messages", "Delegation messages sent to the peer"),
    ("rx", "rx_messages", "Delegation messages accepted from the peer"),
    ("retransmits", "retransmits", "Requests retransmitted to the peer"),
    ("bad_auth", "bad_auth",
     "Messages naming the peer that failed the HMAC"),
    ("replayed", "replayed", "Messages from the peer refused as replayed"),
    ("malformed", "malformed", "Malformed messages from the peer"),
    ("timeouts", "timeouts",
     "Requests to the peer given up after every retransmission"),
)
DELEG_COUNTERS = (
    ("started", "Delegations acknowledged by a secondary"),
    ("refused", "Delegations refused by a secondary or unanswered"),
    ("stopped", "Delegations ended by Stop Forwarding"),
    ("taken_back", "Delegations taken back (undelegate, lost secondary)"),
    ("dead_peers", "Times a secondary was declared dead"),
    ("starts_sent", "Start Forwarding transactions sent (first sends)"),
    ("moves", "Planned moves started (make-before-break)"),
    ("moved", "Planned moves whose new secondary acknowledged"),
    ("move_failed", "Planned moves that failed (the binding stayed)"),
    ("moves_planned", "Moves the equal policy planned to even the spread"),
    ("rebalances", "Rebalances that ended with an even spread"),
)
DELEG_GAUGES = (
    ("queued", "Start and Stop transactions waiting for a window"),
    ("outstanding", "Start and Stop transactions sent, not yet "
     "acknowledged"),
    ("moves_queued", "Planned moves waiting for the move rate"),
    ("rebalancing", "A rebalance of the equal policy is under way (1)"),
)
SECONDARY_COUNTERS = (
    ("installed", "Bindings installed for primaries"),
    ("replaced", "Installed bindings replaced by a newer generation"),
    ("removed", "Bindings removed by Stop Forwarding"),
    ("expired", "Bindings whose forwarding duration ran out"),
    ("refused", "Start Forwarding refused"),
)
# /haven/aaa (docs/aaa.md): per RADIUS server, then the module's totals
AAA_SERVER_COUNTERS = (
    ("requests", "RADIUS requests first sent to the server"),
    ("retransmissions", "RADIUS requests sent again to the server"),
    ("timeouts", "RADIUS requests the server never answered"),
    ("accepts", "Access-Accepts from the server"),
    ("rejects", "Access-Rejects (and -Challenges) from the server"),
    ("acct_responses", "Accounting-Responses from the server"),
    ("deaths", "Times the server was declared dead"),
    ("revivals", "Times a Status-Server probe brought the server back"),
)
AAA_SERVER_DROPS = ("dropped_auth", "dropped_no_ma", "dropped_malformed",
                    "dropped_unmatched")
AAA_COUNTERS = (
    ("asked", "Access-Requests for registrations"),
    ("refused_full", "Registrations denied at once: too many waiting for "
     "RADIUS (flood bound)"),
    ("cache_hits", "Registrations authenticated with a cached AAA key"),
    ("provisioned", "Access-Accepts that made or re-keyed a node"),
    ("rejected", "Registrations denied: Access-Reject"),
    ("timed_out", "Registrations denied: no RADIUS server answered"),
    ("no_server", "Registrations denied: every RADIUS server dead"),
    ("unusable", "Registrations denied: an unusable Access-Accept"),
    ("address_refused", "Registrations denied: another user's address"),
    ("acct_start", "Accounting Start records sent"),
    ("acct_interim", "Accounting Interim-Update records sent"),
    ("acct_stop", "Accounting Stop records sent"),
    ("acct_answered", "Accounting records acknowledged"),
    ("acct_failed", "Accounting records no server acknowledged"),
    ("acct_lost", "Accounting records not sent (client bound reached)"),
)
AAA_GAUGES = (
    ("waiting", "Registrations waiting for RADIUS"),
    ("waiting_max", "Registrations that may wait for RADIUS at once"),
    ("nodes", "Mobile nodes provisioned by RADIUS"),
    ("pool_size", "Addresses of the AAA pool"),
    ("pool_used", "Addresses of the AAA pool assigned"),
    ("max_wait_ms", "Longest a RADIUS request waits when no server "
     "answers, ms"),
)
SECONDARY_GAUGES = (
    ("used", "Bindings held for all primaries"),
    ("capacity", "Bindings this secondary accepts"),
)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def label_name(k):
    """A telemetry field name as a Prometheus label name."""
    out = "".join(c if c.isalnum() or c == "_" else "_" for c in str(k))
    return out if out and not out[0].isdigit() else "_" + out


def epoch_seconds(v):
    """A start time as Unix seconds: a number already, or an ISO 8601
    text ("2025-01-31T10:00:00Z", with or without an offset: UTC then);
    None otherwise."""
    if is_number(v):
        return float(v)
    if not isinstance(v, str) or not v:
        return None
    from datetime import datetime, timezone
    try:
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.timestamp()


class TelemetryError(Exception):
    pass


class Telemetry:
    """One connection to a DPDK telemetry v2 socket (SOCK_SEQPACKET): a
    JSON banner on connect (with max_output_len), then one JSON reply per
    command, as /usr/bin/dpdk-telemetry.py talks."""

    def __init__(self, path, timeout=5.0):
        self.path = path
        self.timeout = timeout
        self.sock = None
        self.info = {}
        self.buf_len = 16384

    def __enter__(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(self.timeout)
        try:
            s.connect(self.path)
            banner = s.recv(1 << 16)
        except OSError:
            s.close()
            raise
        if not banner:
            s.close()
            raise TelemetryError("%s closed the connection (too many "
                                 "clients?)" % self.path)
        self.info = json.loads(banner.decode())
        self.buf_len = int(self.info.get("max_output_len", 16384))
        self.sock = s
        return self

    def __exit__(self, *exc):
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        return False

    def query(self, cmd, params=None):
        """The value of one command; None when haven has no such command
        or its handler failed (the reply's value is null)."""
        full = cmd if params is None else "%s,%s" % (cmd, params)
        self.sock.send(full.encode())
        data = self.sock.recv(self.buf_len + 1024)
        if not data:
            raise TelemetryError("%s closed the connection" % self.path)
        reply = json.loads(data.decode())
        if not isinstance(reply, dict):
            return None
        return reply.get(cmd)


def column_rows(value, key):
    """Rows of a telemetry table in haven's column layout: every list as
    long as value[key] is a column."""
    if not isinstance(value, dict) or not isinstance(value.get(key), list):
        return []
    n = len(value[key])
    cols = [k for k, v in value.items() if isinstance(v, list) and
            len(v) == n]
    return [{k: value[k][i] for k in cols} for i in range(n)]


def totals(value):
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if not isinstance(v, (list,
                                                                 dict))}


def care_of_label(v):
    if isinstance(v, list):
        return " ".join(str(x) for x in v)
    return "" if v is None else str(v)


class Families:
    """Metric families of one scrape, created on first use, so that each
    name appears once with the samples of every instance."""

    def __init__(self):
        self.fams = {}

    def _get(self, cls, name, doc, labels):
        f = self.fams.get(name)
        if f is None:
            f = cls(name, doc, labels=["instance"] + list(labels))
            self.fams[name] = f
        return f

    # positional-only: "name" is also a label (haven_peer_*)
    def counter(self, name, doc, inst, value, /, **labels):
        if not is_number(value):
            return
        f = self._get(CounterMetricFamily, name, doc, labels.keys())
        f.add_metric([inst] + [str(v) for v in labels.values()], value)

    def gauge(self, name, doc, inst, value, /, **labels):
        if not is_number(value):
            return
        f = self._get(GaugeMetricFamily, name, doc, labels.keys())
        f.add_metric([inst] + [str(v) for v in labels.values()], value)

    def untyped(self, name, doc, inst, value, /, **labels):
        if not is_number(value):
            return
        f = self._get(UnknownMetricFamily, name, doc, labels.keys())
        f.add_metric([inst] + [str(v) for v in labels.values()], value)

    def __iter__(self):
        return iter(self.fams.values())


class Staged:
    """The samples of one appliance, kept until its whole read succeeded,
    so that a scrape never mixes haven_up 0 with half the figures."""

    def __init__(self):
        self.calls = []

    def counter(self, *args, **labels):
        self.calls.append(("counter", args, labels))

    def gauge(self, *args, **labels):
        self.calls.append(("gauge", args, labels))

    def untyped(self, *args, **labels):
        self.calls.append(("untyped", args, labels))

    def commit(self, fam):
        for kind, args, labels in self.calls:
            getattr(fam, kind)(*args, **labels)


class Monotonic:
    """What keeps the global counters of one appliance from going back
    while its process lives. Keyed by (instance, metric, labels); the pid
    of the telemetry banner tells a new process, whose counters start
    again (a reset Prometheus understands). Within one process a smaller
    value than last served means telemetry was cleared: the served value
    carries on from the old one (offset), and stderr says so once."""

    def __init__(self):
        self.pid = {}           # instance -> pid last seen
        self.series = {}        # (inst, name, labels) -> [raw, offset]
        self.warned = set()

    def new_scrape(self, inst, pid):
        if self.pid.get(inst) != pid:
            self.pid[inst] = pid
            for k in [k for k in self.series if k[0] == inst]:
                del self.series[k]

    def value(self, inst, name, raw, labels):
        key = (inst, name, tuple(sorted(labels.items())))
        st = self.series.get(key)
        if st is None:
            self.series[key] = [raw, 0]
            return raw
        if raw < st[0]:
            st[1] += st[0]
            if key not in self.warned:
                self.warned.add(key)
                print("haven_exporter: %s: %s%s went back from %s to %s "
                      "within one process; served as continuing" % (
                          inst, name, dict(labels) or "", st[0], raw),
                      file=sys.stderr, flush=True)
        st[0] = raw
        return raw + st[1]


class Guarded:
    """A Staged whose counter() passes through a Monotonic."""

    def __init__(self, staged, mono, inst):
        self.staged, self.mono, self.inst = staged, mono, inst

    def counter(self, name, doc, inst, value, /, **labels):
        if is_number(value):
            value = self.mono.value(inst, name, value, labels)
        self.staged.counter(name, doc, inst, value, **labels)

    def gauge(self, *args, **labels):
        self.staged.gauge(*args, **labels)

    def untyped(self, *args, **labels):
        self.staged.untyped(*args, **labels)


class HavenCollector:
    """A Prometheus collector that reads every appliance afresh on each
    collect() (one scrape)."""

    def __init__(self, prefixes, runtime_dir=DEFAULT_RUNTIME_DIR,
                 timeout=5.0, max_bindings=4096):
        self.prefixes = list(prefixes)
        self.runtime_dir = runtime_dir
        self.timeout = timeout
        self.max_bindings = max_bindings
        self.mono = Monotonic()
        self.lock = threading.Lock()    # one scrape at a time

    def socket_path(self, prefix):
        return os.path.join(self.runtime_dir, prefix, SOCKET_NAME)

    def describe(self):
        # No scrape at registration time; names are known only from the
        # appliances' replies.
        return []

    def collect(self):
        with self.lock:
            return self._collect()

    def _collect(self):
        fam = Families()
        for prefix in self.prefixes:
            t0 = time.monotonic()
            up = 0
            staged = Staged()
            try:
                with Telemetry(self.socket_path(prefix),
                               self.timeout) as tel:
                    self.read_instance(tel, prefix, staged)
                staged.commit(fam)
                up = 1
            except (OSError, ValueError, TelemetryError) as e:
                print("haven_exporter: %s: %s" % (prefix, e),
                      file=sys.stderr, flush=True)
            fam.gauge("haven_up", "1 if the appliance's telemetry socket "
                      "answered this scrape, else 0", prefix, up)
            fam.gauge("haven_exporter_scrape_duration_seconds",
                      "Time spent reading this appliance", prefix,
                      time.monotonic() - t0)
        return iter(fam)

    # -- one appliance -------------------------------------------------

    def read_instance(self, tel, inst, staged):
        info = tel.info
        self.mono.new_scrape(inst, info.get("pid"))
        # global counters through the guard; per-binding rows not: a
        # binding removed and made again counts from 0, a true reset
        fam = Guarded(staged, self.mono, inst)
        if is_number(info.get("pid")):
            fam.gauge("haven_process_id", "Process id of the haven "
                      "process (changes when it restarts)", inst,
                      info["pid"])
        if "version" in info:
            fam.gauge("haven_info", "DPDK version of the appliance",
                      inst, 1, dpdk_version=info["version"])
        stats = tel.query("/haven/stats")
        if not isinstance(stats, dict):
            raise TelemetryError("no /haven/stats: is this a haven "
                                 "process?")
        self.stats(stats, inst, fam)
        self.version(tel.query("/haven/version"), inst, fam)
        self.config(tel.query("/haven/config"), inst, fam)
        self.drops(tel.query("/haven/drops"), inst, fam)
        self.registrations(tel.query("/haven/registrations"), inst, fam)
        self.bindings(tel, inst, staged)
        self.bindings6(tel, inst, staged)
        self.peers(tel.query("/haven/peers"), inst, fam)
        self.delegation(tel, inst, fam)
        self.secondary(tel, inst, fam, staged)
        self.aaa(tel.query("/haven/aaa"), inst, fam)

    @staticmethod
    def stats(st, inst, fam):
        for k, v in st.items():
            if k.endswith(SINCE_CLEAR):
                continue
            if k in STATS_GAUGES:
                fam.gauge("haven_" + k, STATS_GAUGES[k], inst, v)
            elif k in STATS_COUNTERS:
                fam.counter("haven_" + k, STATS_COUNTERS[k], inst, v)
            else:
                fam.untyped("haven_" + label_name(k), "/haven/stats %s "
                            "(not yet classified as counter or gauge)" % k,
                            inst, v)

    @staticmethod
    def version(v, inst, fam):
        """/haven/version, where haven has it: the texts (version,
        git_revision, dpdk_version, build_type, ...) as labels of
        haven_build_info, the start time and the uptime as gauges.
        Absent (an older haven): nothing."""
        if not isinstance(v, dict):
            return
        labels = {label_name(k): str(x) for k, x in sorted(v.items())
                  if isinstance(x, str) and k != "start_time"}
        fam.gauge("haven_build_info", "Version and build of the haven "
                  "process (value 1); from /haven/version", inst, 1,
                  **labels)
        start = epoch_seconds(v.get("start_time"))
        if start is not None:
            fam.gauge("haven_start_time_seconds", "When the haven process "
                      "started, Unix time", inst, start)
        for k in ("uptime", "uptime_s", "uptime_seconds"):
            if is_number(v.get(k)):
                fam.gauge("haven_uptime_seconds", "Seconds since the "
                          "haven process started", inst, v[k])
                break

    @staticmethod
    def config(c, inst, fam):
        """The capacities alerts divide by (/haven/config)."""
        if not isinstance(c, dict):
            return
        fam.gauge("haven_max_bindings", "Capacity of the binding table, "
                  "and of the IPv6 one, each (home_agent.max_bindings)",
                  inst, c.get("max_bindings"))
        fam.gauge("haven_configured_mobile_nodes", "Mobile IPv4 nodes in "
                  "the configuration", inst, c.get("mobile_nodes"))

    @staticmethod
    def drops(d, inst, fam):
        for reason, v in (d or {}).items():
            if reason == "since_clear":
                continue        # the console's counts since a clear
            fam.counter("haven_drops", "Packets dropped by the workers, "
                        "by reason", inst, v, reason=reason)

    @staticmethod
    def registrations(r, inst, fam):
        for k, v in (r or {}).items():
            if k.startswith("code_"):
                fam.counter("haven_registration_replies", "Registration "
                            "replies sent, by code (RFC 5944)", inst, v,
                            code=k[5:])
            # "requests" and "dropped" are haven_registration_requests
            # and haven_registration_datagrams_dropped of /haven/stats,
            # the RFC 3519 counters its haven_udp_tunnel_*

    def bindings(self, tel, inst, fam):
        offset, seen, total = 0, 0, None
        while self.max_bindings and seen < self.max_bindings:
            page = tel.query("/haven/bindings", offset)
            if not isinstance(page, dict):
                break
            total = page.get("total", total)
            rows = column_rows(page, "home_address")
            count = page.get("count", len(rows))
            for r in rows[:self.max_bindings - seen]:
                lab = dict(home_address=r.get("home_address", ""),
                           care_of=care_of_label(r.get("care_of")),
                           encap=r.get("encap", ""),
                           origin=r.get("origin", ""),
                           nat_address=care_of_label(r.get("nat_address")),
                           nat_port=care_of_label(r.get("nat_port")))
                fam.counter("haven_binding_packets", "Packets tunnelled "
                            "for the binding (by this agent)", inst,
                            r.get("packets"), **lab)
                fam.counter("haven_binding_bytes", "Bytes tunnelled for "
                            "the binding (by this agent)", inst,
                            r.get("bytes"), **lab)
                fam.gauge("haven_binding_remaining_seconds", "Seconds "
                          "until the first care-of address expires "
                          "(-1: never)", inst, r.get("remaining"), **lab)
                seen += 1
            offset += count
            if not count or (is_number(total) and offset >= total):
                break
        if is_number(total):
            fam.gauge("haven_bindings_listed", "Bindings the exporter "
                      "read (at most --max-bindings)", inst, seen)

    def bindings6(self, tel, inst, fam):
        """/haven/bindings6, paged as /haven/bindings; within the same
        --max-bindings."""
        offset, seen, total = 0, 0, None
        while self.max_bindings and seen < self.max_bindings:
            page = tel.query("/haven/bindings6", offset)
            if not isinstance(page, dict):
                break
            total = page.get("total", total)
            rows = column_rows(page, "home_address")
            count = page.get("count", len(rows))
            for r in rows[:self.max_bindings - seen]:
                lab = dict(home_address=r.get("home_address", ""),
                           care_of=care_of_label(r.get("care_of")))
                fam.counter("haven_binding6_packets", "Packets tunnelled "
                            "for the IPv6 binding (by this agent)", inst,
                            r.get("packets"), **lab)
                fam.counter("haven_binding6_bytes", "Bytes tunnelled for "
                            "the IPv6 binding (by this agent)", inst,
                            r.get("bytes"), **lab)
                fam.gauge("haven_binding6_remaining_seconds", "Seconds "
                          "until the IPv6 binding's lifetime runs out",
                          inst, r.get("remaining"), **lab)
                seen += 1
            offset += count
            if not count or (is_number(total) and offset >= total):
                break

    @staticmethod
    def peers(p, inst, fam):
        if not isinstance(p, dict):
            return
        for r in column_rows(p, "name"):
            lab = dict(name=r.get("name", ""), role=r.get("role", ""),
                       address=r.get("address", ""))
            fam.gauge("haven_peer_info", "A delegation peer (value 1), "
                      "with its agent id", inst, 1, id=r.get("id", ""),
                      **lab)
            for k, doc in PEER_GAUGES:
                fam.gauge("haven_peer_" + k, doc, inst, r.get(k), **lab)
            for k, name, doc in PEER_COUNTERS:
                fam.counter("haven_peer_" + name, doc, inst, r.get(k),
                            **lab)
        fam.counter("haven_delegation_rejected_messages", "Delegation "
                    "messages not taken, whatever the reason (malformed, "
                    "unknown sender, HMAC, replayed, misdirected, "
                    "unexpected)", inst, p.get("rejected_messages"))

    @staticmethod
    def pages(tel, cmd, limit=None):
        """The pages of a paged table (cmd,<offset>), the first one
        always, then on until its total is read or limit rows were
        (None: no limit); a haven without paging answers the whole table
        in the first page (no "total"), which ends it."""
        offset, rows = 0, 0
        while True:
            page = tel.query(cmd, offset)
            if not isinstance(page, dict):
                return
            yield page
            count = page.get("count")
            total = page.get("total")
            if not is_number(count) or not is_number(total) or not count:
                return
            offset += count
            rows += count
            if offset >= total or (limit is not None and rows >= limit):
                return

    def delegation(self, tel, inst, fam):
        """/haven/delegation: the totals of its first page, the bindings
        by secondary and state counted over every page."""
        counts, first = {}, None
        for d in self.pages(tel, "/haven/delegation"):
            if first is None:
                first = d
            for r in column_rows(d, "home_address"):
                key = (str(r.get("peer", "")), str(r.get("state", "")))
                counts[key] = counts.get(key, 0) + 1
        if first is None:
            return
        if isinstance(first.get("policy"), str):
            fam.gauge("haven_delegation_policy", "The delegation policy "
                      "in force (value 1)", inst, 1, policy=first["policy"])
        t = totals(first)
        for k, doc in DELEG_COUNTERS:
            fam.counter("haven_delegation_" + k, doc, inst, t.get(k))
        for k, doc in DELEG_GAUGES:
            fam.gauge("haven_delegation_" + k, doc, inst, t.get(k))
        for (peer, state), n in sorted(counts.items()):
            fam.gauge("haven_delegation_bindings", "Bindings not local, "
                      "by secondary and state", inst, n, peer=peer,
                      state=state)

    def secondary(self, tel, inst, fam, rows_fam):
        """/haven/secondary: the totals, and per-binding rows for at most
        --max-bindings bindings (paged)."""
        first, seen = None, 0
        for s in self.pages(tel, "/haven/secondary", self.max_bindings):
            if first is None:
                first = s
                t = totals(s)
                for k, doc in SECONDARY_COUNTERS:
                    fam.counter("haven_secondary_" + k, doc, inst,
                                t.get(k))
                for k, doc in SECONDARY_GAUGES:
                    fam.gauge("haven_secondary_" + k, doc, inst, t.get(k))
            for r in column_rows(s, "home_address"):
                if seen >= self.max_bindings:
                    break
                seen += 1
                lab = dict(home_address=r.get("home_address", ""),
                           primary=r.get("primary", ""),
                           care_of=care_of_label(r.get("care_of")))
                rows_fam.counter("haven_secondary_binding_packets",
                                 "Packets tunnelled for a binding held "
                                 "for a primary", inst, r.get("packets"),
                                 **lab)
                rows_fam.gauge("haven_secondary_binding_remaining_seconds",
                               "Seconds of forwarding duration left", inst,
                               r.get("remaining"), **lab)
            if seen >= self.max_bindings:
                break


    @staticmethod
    def aaa(a, inst, fam):
        if not isinstance(a, dict) or not a.get("enabled"):
            return
        for r in column_rows(a, "server"):
            lab = dict(server=r.get("server", ""),
                       address=r.get("address", ""))
            fam.gauge("haven_aaa_server_up", "RADIUS server alive (1, used "
                      "in order) or declared dead (0)", inst,
                      1 if r.get("state") == "alive" else 0, **lab)
            fam.gauge("haven_aaa_server_pending", "RADIUS requests waiting "
                      "for the server", inst, r.get("server_pending"),
                      **lab)
            for k, doc in AAA_SERVER_COUNTERS:
                fam.counter("haven_aaa_server_" + k, doc, inst, r.get(k),
                            **lab)
            for k in AAA_SERVER_DROPS:
                fam.counter("haven_aaa_server_dropped", "Datagrams from "
                            "the server dropped, by reason (auth: wrong "
                            "authenticator; no_ma: no Message-"
                            "Authenticator)", inst, r.get(k),
                            reason=k[len("dropped_"):], **lab)
            for k in ("last", "avg", "min", "max"):
                fam.gauge("haven_aaa_server_rtt_%s_ms" % k, "Round trip "
                          "of the server's answers (%s), ms" % k, inst,
                          r.get("rtt_%s_ms" % k), **lab)
        t = totals(a)
        for k, doc in AAA_COUNTERS:
            fam.counter("haven_aaa_" + k, doc, inst, t.get(k))
        for k, doc in AAA_GAUGES:
            fam.gauge("haven_aaa_" + k, doc, inst, t.get(k))


def parse_listen(s):
    """host:port, [v6]:port or :port -> (host, port)."""
    host, sep, port = s.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError("expected host:port, got %r" % s)
    host = host.strip("[]") or "0.0.0.0"
    return host, int(port)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Serve the telemetry of running haven processes as "
        "Prometheus metrics (docs/telemetry.md).")
    ap.add_argument("--file-prefix", "-f", action="append", dest="prefixes",
                    metavar="PREFIX",
                    help="EAL file prefix of a haven process (eal.file_prefix"
                    " of its configuration); repeat for several "
                    "(default: %s)" % DEFAULT_PREFIX)
    ap.add_argument("--listen", "-l", type=parse_listen,
                    default=parse_listen(DEFAULT_LISTEN),
                    metavar="HOST:PORT",
                    help="where to serve /metrics (default %s)" %
                    DEFAULT_LISTEN)
    ap.add_argument("--runtime-dir", default=DEFAULT_RUNTIME_DIR,
                    help="DPDK runtime directory holding <prefix>/%s "
                    "(default %s)" % (SOCKET_NAME, DEFAULT_RUNTIME_DIR))
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="seconds to wait for each telemetry reply")
    ap.add_argument("--max-bindings", type=int, default=4096,
                    help="per-binding metrics for at most this many "
                    "bindings per appliance; 0: none (default 4096)")
    ap.add_argument("--once", action="store_true",
                    help="print the metrics once on stdout and exit")
    args = ap.parse_args(argv)

    prefixes = args.prefixes or [DEFAULT_PREFIX]
    if len(set(prefixes)) != len(prefixes):
        ap.error("each --file-prefix once")
    registry = CollectorRegistry()
    registry.register(HavenCollector(prefixes, args.runtime_dir,
                                     args.timeout, args.max_bindings))
    if args.once:
        sys.stdout.write(generate_latest(registry).decode())
        return 0

    host, port = args.listen
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    start_http_server(port, addr=host, registry=registry)
    print("haven_exporter: serving %s on http://%s:%d/metrics" % (
        ", ".join(prefixes), host if ":" not in host else "[%s]" % host,
        port), flush=True)
    stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
