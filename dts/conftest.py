# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures of the end-to-end suites: the lab (one per session), haven,
its telemetry and console, the mobile node's endpoint, registrations,
streams and captures. Every process a fixture starts is ended by pid in
its teardown; the lab's namespaces go at session end, also on failure
(finally, and atexit for a killed session)."""

import atexit
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lab as labmod  # noqa: E402
from lab import (OUT, Capture, DumpCap, Endpoint, Haven,  # noqa: E402
                 HavenConsole, Lab, MipClient, Stream, Telemetry)


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]


@pytest.fixture(scope="session")
def lab():
    """The namespace lab, prefix $HAVEN_LAB_PREFIX or "hvt"."""
    if os.geteuid() != 0:
        pytest.exit("the lab needs root", returncode=1)
    OUT.mkdir(parents=True, exist_ok=True)
    lb = Lab(os.environ.get("HAVEN_LAB_PREFIX", "hvt"))
    if lb.exists():
        lb.down()               # a previous session died half-way
    atexit.register(lb.down)
    try:
        lb.up()
        yield lb
    finally:
        labmod._end_all()
        lb.down()


@pytest.fixture
def logname(request):
    return _safe(request.node.name)


@pytest.fixture
def haven(lab, logname):
    """Factory: haven(overrides={"home_agent.max_lifetime": 30}) starts
    build/app/haven/haven -f <generated config> --no-console in <p>-ha and
    waits for its telemetry socket; args=["--script", f] adds options.
    Logs go to dts/out/<test>.log."""
    started = []

    def start(overrides=None, name="ha", config=None, args=None):
        suffix = "" if not started else "-%d" % len(started)
        h = Haven(lab, name=name, overrides=overrides, config=config,
                  log=OUT / ("%s%s.log" % (logname, suffix)), args=args)
        started.append(h)
        return h.start()

    yield start
    for h in started:
        h.stop()


@pytest.fixture
def telemetry():
    """Factory: telemetry(file_prefix) -> Telemetry client."""
    clients = []

    def make(file_prefix):
        t = Telemetry(file_prefix)
        clients.append(t)
        return t
    yield make
    for t in clients:
        t.close()


@pytest.fixture
def console():
    """Factory: console(haven) -> HavenConsole on its console socket."""
    made = []

    def make(h):
        c = h.console()
        made.append(c)
        return c
    yield make
    for c in made:
        c.close()


@pytest.fixture
def endpoint(lab, logname):
    """Factory: endpoint(ifaces=("va", "vb"), reverse=False, hoa=None)
    starts mn_endpoint.py in <p>-mn (hoa: the lab's mobile node's); kw
    as Endpoint's (role="mnn", udp_port=..., keepalive=...)."""
    started = []

    def start(ifaces=("va", "vb"), reverse=False, hoa=None, **kw):
        ep = Endpoint(lab, ifaces=ifaces, reverse=reverse, hoa=hoa,
                      log=OUT / ("%s-endpoint-%d.log" %
                                 (logname, len(started))), **kw)
        started.append(ep)
        return ep
    yield start
    for ep in started:
        ep.stop()


@pytest.fixture
def tshark(lab, logname):
    """Factory: with tshark("mn", "va", "udp port 434") as cap: ...;
    then cap.replies() / cap.mip() / cap.layer("icmp")."""
    caps = []

    def make(role, iface, bpf=""):
        c = Capture(lab, role, iface, bpf, name=logname)
        caps.append(c)
        return c
    yield make
    for c in caps:
        if c.proc is not None:
            c.proc.stop(sig=2)


@pytest.fixture
def dumpcap(logname):
    """Factory: with dumpcap(h.file_prefix) as cap: ... (dpdk-dumpcap on
    DPDK port 0 of a running haven); then cap.replies() / cap.mip()."""
    caps = []

    def make(file_prefix, port=0):
        c = DumpCap(file_prefix, port, name=logname)
        caps.append(c)
        return c
    yield make
    for c in caps:
        if c.proc is not None:
            c.proc.stop(sig=2)


@pytest.fixture
def stream(lab):
    s = Stream(lab)
    yield s
    for p in list(labmod._live):
        if p.name in ("udp_recv", "udp_send"):
            p.stop()


@pytest.fixture
def mip(lab):
    """MipClient for the lab's mobile node 192.0.2.100 with the SA that
    config/lab.yaml gives it."""
    import yaml
    cfg = yaml.safe_load(labmod.LAB_CONFIG.read_text())
    sa = None
    for m in cfg.get("mobile_nodes", []):
        if m.get("home_address") == labmod.E.MN_HOME_ADDR:
            sa = labmod.SimpleNamespace(
                hoa=m["home_address"], spi=int(m["spi"]),
                alg=m.get("algorithm", "hmac-md5"), key=m["key"])
    if sa is None:
        sa = labmod.SimpleNamespace(hoa=labmod.E.MN_HOME_ADDR,
                                    spi=int(labmod.E.MN_SPI),
                                    alg=labmod.E.MN_ALG, key=labmod.E.MN_KEY)
    return MipClient(lab, sa)


# ---------------------------------------------------------------------------
# IPv6 (Mobile IPv6, issue 6): a lab of its own, built with lab.sh up6
# ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def lab6():
    """An IPv6-enabled lab (lab.sh up6), prefix $HAVEN_LAB6_PREFIX or
    "hv6"; separate from the IPv4 suites' lab, so their home link stays
    quiet. Torn down at session end, also on failure."""
    if os.geteuid() != 0:
        pytest.exit("the lab needs root", returncode=1)
    OUT.mkdir(parents=True, exist_ok=True)
    lb = Lab(os.environ.get("HAVEN_LAB6_PREFIX", "hv6"), ipv6=True)
    if lb.exists():
        lb.down()               # a previous session died half-way
    atexit.register(lb.down)
    try:
        lb.up()
        yield lb
    finally:
        # this lab's processes only (argv: ip netns exec <prefix>-<role>)
        for p in list(labmod._live):
            if len(p.argv) > 3 and p.argv[3].startswith(lb.prefix + "-"):
                p.stop(timeout=2)
        lb.down()


@pytest.fixture
def endpoint6(lab6, logname):
    """Factory: endpoint6(ifaces=("va", "vb"), reverse=False) starts
    mn_endpoint6.py in <p>-mn of the IPv6 lab."""
    started = []

    def start(ifaces=("va", "vb"), reverse=False, ha6=None):
        ep = labmod.Endpoint6(lab6, ifaces=ifaces, reverse=reverse,
                              ha6=ha6, log=OUT / ("%s-endpoint6-%d.log" %
                                                  (logname, len(started))))
        started.append(ep)
        return ep
    yield start
    for ep in started:
        ep.stop()


@pytest.fixture
def mip6(lab6):
    """Mip6Client for the lab's IPv6 mobile node 2001:db8:1::100 with the
    SA that config/lab-ipv6.yaml (mobile_nodes6) gives it, else lab.env's
    MN6_SPI, MN6_ALG, MN6_KEY."""
    import yaml
    sa = None
    cfg_path = labmod.REPO / "config" / "lab-ipv6.yaml"
    if cfg_path.exists():
        cfg = yaml.safe_load(cfg_path.read_text()) or {}
        for m in cfg.get("mobile_nodes6", []) or []:
            if m.get("home_address") == labmod.E.MN6_HOME_ADDR:
                sa = labmod.SimpleNamespace(
                    hoa=m["home_address"], spi=int(m["spi"]),
                    alg=m.get("algorithm", "hmac-sha1"), key=m["key"])
    return labmod.Mip6Client(lab6, sa)
