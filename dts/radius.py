# SPDX-License-Identifier: BSD-3-Clause
"""FreeRADIUS in the lab: the AAA servers of issue 15.

- FreeRadius: one `freeradius -X -d dts/radius/raddb` instance, on an
  address and ports of its own (127.0.0.1 and free ports by default, or in
  a namespace on a documentation address), its state (detail file of
  accounting records, pid file) in a temporary folder removed by stop();
  its debug output in dts/out/<log>. kill() ends it at once (failover
  tests); start() again brings it back on the same ports.
- detail_records(): the accounting records FreeRADIUS wrote, parsed.
- aaa_section(): the aaa: section of a Haven configuration for a list of
  instances, with the secret files the instances use.

Nothing here touches /etc/freeradius; every process is ended by pid.
"""

import os
import shutil
import signal
import socket
import tempfile
from pathlib import Path

from lab import OUT, Proc

RADIUS_DIR = Path(__file__).resolve().parent / "radius"
RADDB = RADIUS_DIR / "raddb"
# the lab's shared secrets, with its other keys (config/lab-aaa.yaml)
SECRETS = RADIUS_DIR.parent.parent / "config" / "keys"
FREERADIUS = os.environ.get("HAVEN_FREERADIUS", "/usr/sbin/freeradius")

# The lab's users file (dts/radius/raddb/users), for the suites' checks.
USERS = {
    "mn-aaa-1@lab.example": {"spi": 1000, "key": b"haven-aaa-mn-1-key",
                             "framed_ip": "192.0.2.120",
                             "session_timeout": 3600,
                             "class": "haven-lab-aaa-1"},
    "mn-nai-only@lab.example": {"spi": 1001, "key": b"haven-nai-only-key",
                                "framed_ip": "192.0.2.150"},
    "mn-cisco@lab.example": {"spi": 1002, "key": bytes(range(16))},
    "192.0.2.121": {"spi": 1003, "key": b"haven-aaa-hoa-121",
                    "session_timeout": 600},
}
NAS_PASSWORD_FILE = SECRETS / "radius-nas.password"


def free_udp_ports(n, addr="127.0.0.1"):
    """n distinct UDP ports free on addr now."""
    socks, ports = [], []
    try:
        while len(ports) < n:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((addr, 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def secret_of(path):
    """A secret file's text, without its newline."""
    return Path(path).read_text().rstrip("\r\n")


class FreeRadius:
    """One FreeRADIUS server of the lab."""

    def __init__(self, name, secret_file=None, addr="127.0.0.1",
                 client="127.0.0.1", auth_port=None, acct_port=None,
                 ns=None, log=None):
        self.name = name
        self.secret_file = Path(secret_file or SECRETS / (name + ".secret"))
        self.addr = addr
        self.client = client
        if auth_port is None or acct_port is None:
            # in a namespace of its own every port is free: any will do
            auth_port, acct_port = free_udp_ports(2)
        self.auth_port, self.acct_port = auth_port, acct_port
        self.ns = ns
        self.state = Path(tempfile.mkdtemp(prefix="haven-radius-%s-" % name))
        self.log = Path(log) if log else OUT / ("radius-%s.log" % name)
        self.proc = None
        self.starts = 0

    def env(self):
        e = dict(os.environ)
        e.update({
            "HAVEN_RADIUS_STATE": str(self.state),
            "HAVEN_RADIUS_ADDR": self.addr,
            "HAVEN_RADIUS_AUTH_PORT": str(self.auth_port),
            "HAVEN_RADIUS_ACCT_PORT": str(self.acct_port),
            "HAVEN_RADIUS_CLIENT": self.client,
            "HAVEN_RADIUS_SECRET": secret_of(self.secret_file),
        })
        return e

    def start(self, timeout=15.0):
        """Start (or restart) and wait until it serves."""
        self.starts += 1
        log = self.log if self.starts == 1 else \
            self.log.with_suffix(".%d.log" % self.starts)
        self.proc = Proc([FREERADIUS, "-X", "-d", RADDB], ns=self.ns,
                         log=log, name="freeradius-" + self.name,
                         env=self.env())
        self.proc.wait_for(r"Ready to process requests", timeout)
        return self

    def alive(self):
        return self.proc is not None and self.proc.alive()

    def kill(self):
        """End it at once, as a crash would (SIGKILL)."""
        if self.alive():
            self.proc.stop(timeout=2, sig=signal.SIGKILL)

    def stop(self):
        """End it and remove its state."""
        if self.proc is not None:
            self.proc.stop(timeout=5)
        shutil.rmtree(self.state, ignore_errors=True)

    @property
    def detail(self):
        return self.state / "detail"

    def detail_records(self):
        """The accounting records, oldest first: a dict of attribute name
        to value (text as FreeRADIUS writes it, quotes removed) each."""
        try:
            text = self.detail.read_text(errors="replace")
        except FileNotFoundError:
            return []
        records, cur = [], None
        for line in text.splitlines():
            if not line.strip():
                if cur:
                    records.append(cur)
                cur = None
                continue
            if not line.startswith("\t"):
                cur = {"_header": line}
                continue
            name, _, value = line.strip().partition(" = ")
            if cur is not None:
                cur[name] = value.strip('"')
        if cur:
            records.append(cur)
        return records

    def server_entry(self, **extra):
        """This instance as an entry of aaa.servers."""
        e = {"name": self.name, "address": self.addr,
             "auth_port": self.auth_port, "acct_port": self.acct_port,
             "secret_file": str(self.secret_file)}
        e.update(extra)
        return e


def aaa_section(servers, **extra):
    """The aaa: section of a Haven configuration for these instances, in
    failover order; keys of extra override (timeout_ms and retries go to
    every server)."""
    per_server = {k: extra.pop(k) for k in ("timeout_ms", "retries")
                  if k in extra}
    aaa = {
        "nas_identifier": "haven-lab",
        "nas_address": "127.0.0.1",
        "user_password_file": str(NAS_PASSWORD_FILE),
        "servers": [s.server_entry(**per_server) for s in servers],
    }
    aaa.update(extra)
    return aaa
