# SPDX-License-Identifier: BSD-3-Clause
"""The lab as the suites see it: namespaces, processes and the tools.

dts/lab.sh builds the network; this module drives it from pytest:

- Lab: up/down/loss through lab.sh, commands and processes in a namespace,
  ping, neighbour table.
- Proc: a process in a namespace with its output in a log file; every one
  is ended by pid at teardown or at interpreter exit.
- Haven: the home agent under test, started with a configuration derived
  from config/lab.yaml; Telemetry (rte_telemetry v2 socket) and
  HavenConsole (the console unix socket, one method per command).
- Endpoint: dts/mn_endpoint.py in the mobile node; Stream: udp_stream.py;
  MipClient: dts/mipclient.py; Capture: tshark with Mobile IP decoding.
- IPv6 (Lab(ipv6=True), lab.sh up6): Endpoint6 (dts/mn_endpoint6.py,
  IPv6-in-IPv6), Mip6Client (dts/mip6client.py, Binding Updates),
  Lab.ping6.
- Delegation: keys and configurations of a primary home agent and its
  secondaries (sha1, sha2; sha3..sha8 after Lab.scale()) for the
  delegation suites; every Haven, PHA or SHA, has the same telemetry
  shortcuts (peers, delegation, secondary) and reads paged tables whole
  (Haven.paged).
- NAT (RFC 3519): Lab.nat() adds <prefix>-nat, an nftables masquerade,
  and <prefix>-mnn, a mobile node behind it (lab.sh nat); Lab.nat_flush()
  forgets its mappings; Lab.nat_mappings() lists them. Endpoint(...,
  role="mnn", udp_port=...) is the UDP tunnel end, MipClient(lab, sa,
  role="mnn") registers from behind the NAT.

Addresses come from dts/lab.env (shared with lab.sh).
"""

import atexit
import copy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

DTS = Path(__file__).resolve().parent
REPO = DTS.parent
OUT = DTS / "out"
PY = "/usr/bin/python3"
LAB_SH = DTS / "lab.sh"
HAVEN_BIN = Path(os.environ.get("HAVEN_BIN",
                                REPO / "build" / "app" / "haven" / "haven"))
LAB_CONFIG = REPO / "config" / "lab.yaml"
# the console client and the DPDK tools (TestSuite_operator.py)
HAVEN_CONSOLE_BIN = Path(os.environ.get(
    "HAVEN_CONSOLE_BIN", HAVEN_BIN.parent.parent / "haven-console" /
    "haven-console"))
DPDK_TELEMETRY_PY = "/usr/bin/dpdk-telemetry.py"
DPDK_DUMPCAP = "dpdk-dumpcap"
DPDK_RUNTIME = Path("/var/run/dpdk")
HUGEPAGES = Path("/dev/hugepages")
PROMPT = "haven> "


def load_env(path=DTS / "lab.env"):
    """KEY=VALUE lines of lab.env as a dict (comments and blanks skipped)."""
    env = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, v = line.split("=", 1)
        env[k.strip()] = v.strip()
    return env


ENV = load_env()
E = SimpleNamespace(**ENV)


def every_second(register, ok, seconds):
    """Call register() once a second for seconds (a client that registers
    on its own, as a mobile node refreshing its binding); returns (tries,
    answered, misses): ok(result) tells an answer in time from a miss,
    misses lists (try, result) of the others."""
    tries, answered, misses = 0, 0, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        r = register()
        tries += 1
        if ok(r):
            answered += 1
        else:
            misses.append((tries, r))
        time.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))
    return tries, answered, misses


def wait_until(fn, timeout=5.0, interval=0.1, what="condition"):
    """Call fn until it returns something true; that value, or
    TimeoutError after timeout seconds."""
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() >= end:
            raise TimeoutError("timed out after %.1f s waiting for %s"
                               % (timeout, what))
        time.sleep(interval)


def until(fn, timeout, what, show=None, interval=0.05):
    """wait_until, failing as an assertion that says what show() returns
    (the state of things) when the time is up."""
    try:
        return wait_until(fn, timeout, interval, what)
    except TimeoutError as e:
        raise AssertionError("%s; now: %r" % (e, show() if show else None))


def truthy(v):
    """A boolean as haven's telemetry gives it (1, true, "yes", ...)."""
    return v in (1, True, "1", "true", "yes")


def reporter(suite):
    """report(line) of a suite's measurements: to the test output and to
    dts/out/<suite>-results.txt, time-stamped."""
    path = OUT / ("%s-results.txt" % suite)

    def report(line):
        print(line, flush=True)
        OUT.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as f:
            f.write("%s %s\n" % (time.strftime("%H:%M:%S"), line))
    return report


# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------

_live = []


def _end_all():
    for p in list(_live):
        try:
            p.stop(timeout=2)
        except Exception:
            pass


atexit.register(_end_all)


class Proc:
    """A background process (in a namespace when ns is given), its stdout
    and stderr in log. Ended by pid only."""

    def __init__(self, argv, ns=None, log=None, name=None, env=None):
        self.name = name or Path(argv[0]).name
        self.argv = (["ip", "netns", "exec", ns] if ns else []) + \
            [str(a) for a in argv]
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = Path(log) if log else Path(
            tempfile.mkstemp(prefix=self.name + "-", suffix=".log",
                             dir=OUT)[1])
        self._logf = open(self.log, "wb")
        self.p = subprocess.Popen(self.argv, stdout=self._logf,
                                  stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL,
                                  start_new_session=True, env=env)
        self.pid = self.p.pid
        _live.append(self)

    def alive(self):
        return self.p.poll() is None

    def output(self):
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def wait_for(self, pattern, timeout=10.0):
        """Wait until the log matches pattern (regex); the match."""
        rx = re.compile(pattern)

        def seen():
            m = rx.search(self.output())
            if m is None and not self.alive():
                raise RuntimeError("%s exited (rc %s) before %r:\n%s" %
                                   (self.name, self.p.returncode, pattern,
                                    self.output()[-3000:]))
            return m
        return wait_until(seen, timeout, what="%r from %s" %
                          (pattern, self.name))

    def send_signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, timeout=None):
        return self.p.wait(timeout)

    def stop(self, timeout=5.0, sig=signal.SIGTERM):
        """Signal, wait, then SIGKILL; the return code."""
        if self.alive():
            try:
                os.kill(self.pid, sig)
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.p.wait(5)
            except ProcessLookupError:
                pass
        if self in _live:
            _live.remove(self)
        self._logf.close()
        return self.p.returncode


# ---------------------------------------------------------------------------
# The lab
# ---------------------------------------------------------------------------

class Lab:
    """One lab of namespaces named <prefix>-<role>."""

    ROLES = ("home", "ha", "ch", "rt", "mn", "sha1", "sha2", "nat", "mnn")

    def __init__(self, prefix=None, ipv6=False):
        self.prefix = prefix or E.DEFAULT_PREFIX
        self.env = E
        # ipv6: up() runs "lab.sh up6" (IPv6 on ch, rt, mn; lab.env's
        # *6_* addresses); the IPv4 lab is the same either way
        self.ipv6 = ipv6

    def ns(self, role):
        return "%s-%s" % (self.prefix, role)

    def _sh(self, *args, check=True):
        r = subprocess.run(["bash", str(LAB_SH)] + list(args),
                           capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("lab.sh %s failed:\n%s%s" %
                               (" ".join(args), r.stdout, r.stderr))
        return r

    def up(self):
        return self._sh("up6" if self.ipv6 else "up", self.prefix)

    def down(self):
        return self._sh("down", self.prefix, check=False)

    def status(self):
        return self._sh("status", self.prefix, check=False)

    def exists(self):
        return any(Path("/var/run/netns", self.ns(r)).exists()
                   for r in self.ROLES)

    def loss(self, percent, udp_port=None):
        """Drop percent % of the frames on the home bridge (0: none), or
        only of UDP to or from udp_port."""
        args = ["loss", str(percent), self.prefix]
        if udp_port:
            args.append(str(udp_port))
        return self._sh(*args)

    def cut_control(self, on=True):
        """Drop every delegation message (UDP 4434) on the home bridge."""
        return self._sh("cut-control", "on" if on else "off", self.prefix)

    def nat(self, udp_timeout=None):
        """Add the NAT and the mobile node behind it (lab.sh nat), with
        the NAT's UDP timeout in seconds (lab.env's NAT_UDP_TIMEOUT)."""
        args = ["nat", self.prefix]
        if udp_timeout is not None:
            args.append(str(int(udp_timeout)))
        return self._sh(*args)

    def nat_flush(self):
        """Forget the NAT's mappings: the next packet gets a new port."""
        return self._sh("nat-flush", self.prefix)

    def nat_mappings(self, port=None):
        """The NAT's UDP mappings as (private address, private port,
        public port) tuples, of one private port if given."""
        r = self.run("nat", ["conntrack", "-L", "-p", "udp"], check=False)
        out = []
        for line in r.stdout.splitlines():
            src = re.findall(r"src=(\S+)", line)
            sport = re.findall(r"sport=(\d+)", line)
            dport = re.findall(r"dport=(\d+)", line)
            if len(src) < 2 or len(sport) < 2 or len(dport) < 2:
                continue
            m = (src[0], int(sport[0]), int(dport[1]))
            if port is None or m[1] == port:
                out.append(m)
        return out

    def scale(self, n):
        """Secondaries sha1..sha<n> (lab.sh scale: sha3.. are made only
        here), and on an IPv6 lab the bulk visited prefix VC6_NET routed
        to the mobile node."""
        return self._sh("scale", str(n), self.prefix)

    def run(self, role, argv, check=True, timeout=60, **kw):
        """Run argv in a namespace; CompletedProcess (text)."""
        r = subprocess.run(["ip", "netns", "exec", self.ns(role)] +
                           [str(a) for a in argv], capture_output=True,
                           text=True, timeout=timeout, **kw)
        if check and r.returncode != 0:
            raise RuntimeError("%s in %s: rc %d\n%s%s" %
                               (" ".join(map(str, argv)), role,
                                r.returncode, r.stdout, r.stderr))
        return r

    def spawn(self, role, argv, log=None, name=None):
        return Proc(argv, ns=self.ns(role), log=log, name=name)

    def ping(self, role, dst, count=3, interval=0.2, deadline=None,
             src=None):
        """(transmitted, received) of ping from a namespace."""
        argv = ["ping", "-n", "-q", "-c", count, "-i", interval,
                "-w", deadline or max(2, int(count * interval) + 2)]
        if src:
            argv += ["-I", src]
        r = self.run(role, argv + [dst], check=False)
        m = re.search(r"(\d+) packets transmitted, (\d+) received",
                      r.stdout)
        return (int(m.group(1)), int(m.group(2))) if m else (0, 0)

    def ping6(self, role, dst, count=3, interval=0.2, deadline=None,
              src=None):
        """(transmitted, received) of ping -6 from a namespace."""
        argv = ["ping", "-6", "-n", "-q", "-c", count, "-i", interval,
                "-w", deadline or max(2, int(count * interval) + 2)]
        if src:
            argv += ["-I", src]
        r = self.run(role, argv + [dst], check=False)
        m = re.search(r"(\d+) packets transmitted, (\d+) received",
                      r.stdout)
        return (int(m.group(1)), int(m.group(2))) if m else (0, 0)

    def neigh(self, role, addr):
        """Link-layer address a namespace's neighbour table holds for addr,
        or None."""
        r = self.run(role, ["ip", "-j", "neigh", "show", addr], check=False)
        try:
            for n in json.loads(r.stdout or "[]"):
                if n.get("dst") == addr and "lladdr" in n:
                    return n["lladdr"].lower()
        except ValueError:
            pass
        return None

    def flush_neigh(self, role, addr=None):
        argv = ["ip", "neigh", "flush"] + (["to", addr] if addr else
                                           ["all"])
        self.run(role, argv, check=False)


# ---------------------------------------------------------------------------
# Haven, its telemetry and its console
# ---------------------------------------------------------------------------

class Telemetry:
    """rte_telemetry v2 client, as usertools/dpdk-telemetry.py talks:
    SOCK_SEQPACKET, an info JSON on connect, then one JSON per command."""

    def __init__(self, file_prefix, runtime_dir=DPDK_RUNTIME):
        self.path = Path(runtime_dir) / file_prefix / "dpdk_telemetry.v2"
        self.sock = None
        self.info = None

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(3.0)
        s.connect(str(self.path))
        self.info = json.loads(s.recv(1 << 16).decode())
        self.sock = s
        return self.info

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def raw(self, cmd):
        """The whole reply of a command string ("/haven/binding,1.2.3.4")."""
        for attempt in (0, 1):
            try:
                if self.sock is None:
                    self.connect()
                self.sock.send(cmd.encode())
                data = self.sock.recv(self.info.get("max_output_len",
                                                    16384) + 1024)
                if not data:
                    raise ConnectionError("telemetry closed")
                return json.loads(data.decode())
            except (OSError, ConnectionError):
                self.close()
                if attempt:
                    raise

    def query(self, cmd, params=None):
        """The value of one command, e.g. query("/haven/stats")."""
        full = cmd if params is None else "%s,%s" % (cmd, params)
        reply = self.raw(full)
        return reply.get(cmd) if isinstance(reply, dict) else reply

    def ready(self):
        try:
            self.query("/")
            return True
        except (OSError, ValueError, ConnectionError):
            self.close()
            return False


def binding_rows(value):
    """Rows (dicts) of a /haven/bindings reply. Understands the column
    layout ({"home_address": [...], "care_of": [...], ...}), a list of
    dicts, and a dict keyed by home address."""
    if value is None:
        return []
    if isinstance(value, list):
        return [r for r in value if isinstance(r, dict)]
    if isinstance(value, dict):
        cols = value.get("home_address")
        if isinstance(cols, list):
            keys = [k for k, v in value.items()
                    if isinstance(v, list) and len(v) == len(cols)]
            return [{k: value[k][i] for k in keys}
                    for i in range(len(cols))]
        if isinstance(value.get("bindings"), list):
            return binding_rows(value["bindings"])
        rows = []
        for k, v in value.items():
            if isinstance(v, dict):
                r = dict(v)
                r.setdefault("home_address", k)
                rows.append(r)
        return rows
    return []


def care_of_list(row):
    """Care-of addresses of a binding row or /haven/binding reply."""
    c = row.get("care_of", row.get("care_of_addresses", row.get("coa")))
    if c is None:
        return []
    if isinstance(c, str):
        return [x for x in re.split(r"[,\s]+", c) if x]
    return list(c)


def column_rows(value, key):
    """Rows (dicts) of a telemetry table in the column layout
    ({key: [...], "col": [...], ...}): every list as long as value[key] is
    a column. A list of dicts is taken as rows already."""
    if isinstance(value, list):
        return [r for r in value if isinstance(r, dict)]
    if not isinstance(value, dict):
        return []
    col = value.get(key)
    if not isinstance(col, list):
        return []
    cols = [k for k, v in value.items()
            if isinstance(v, list) and len(v) == len(col)]
    return [{k: value[k][i] for k in cols} for i in range(len(col))]


def table_totals(value):
    """The scalar members of a telemetry table (its totals)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if not isinstance(v, (list,
                                                                 dict))}


class HavenConsole:
    """The console unix socket: one method per command (DTS style); each
    returns the command's output without the prompt."""

    def __init__(self, path, timeout=5.0):
        self.path = str(path)
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(self.path)
        self.banner = self._read_prompt()

    def _read_prompt(self):
        buf = b""
        end = time.monotonic() + self.timeout
        while not buf.endswith(PROMPT.encode()):
            if time.monotonic() > end:
                raise TimeoutError("no prompt from console; got %r" % buf)
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            buf += chunk
        return buf.decode(errors="replace")

    def send(self, line):
        """Send a command line; its output up to the next prompt."""
        self.sock.sendall(line.encode() + b"\n")
        out = self._read_prompt()
        if out.endswith(PROMPT):
            out = out[:-len(PROMPT)]
        # cmdline echoes what it reads on a socket: drop that line
        lines = out.replace("\r", "").split("\n")
        if lines and lines[0].strip() == line.strip():
            lines = lines[1:]
        return "\n".join(lines).strip("\n")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    @staticmethod
    def refused(out):
        """True when the console did not take a line: unknown, or the
        grammar's hint ("error: ... ; expected:")."""
        return ("Bad arguments" in out or "Command not found" in out or
                re.search(r"^error: .*; expected:$", out, re.M) is not None)

    def _checked(self, line):
        out = self.send(line)
        if self.refused(out):
            raise AssertionError("console refused %r: %s" % (line, out))
        return out

    def help(self):
        return self._checked("help")

    def json(self, line):
        """<line> json: the command's data as a Python object."""
        out = self._checked(line + " json")
        try:
            return json.loads(out)
        except ValueError as e:
            raise AssertionError("%s json: not JSON (%s):\n%s" % (
                line, e, out))

    def clear_stats(self):
        """clear stats: zero the counters the console shows (telemetry
        keeps its since-start values). None where this haven has no such
        command yet."""
        out = self.send("clear stats")
        if self.refused(out):
            return None
        return out

    def clear_drops(self):
        return self._command("clear drops")

    def clear_port_stats(self, port=None):
        return self._command("clear port stats" + ("" if port is None else
                                                   " %s" % port))

    def clear_peers(self):
        return self._command("clear peers")

    def clear_runtime(self):
        return self._command("clear runtime")

    def show_runtime(self):
        return self._checked("show runtime")

    def clear_binding(self, hoa, refused=False):
        return self._command("clear binding %s" % hoa, refused)

    def show_version(self):
        return self._checked("show version")

    def show_running_config(self):
        return self._checked("show running-config")

    def terminal_monitor(self, on=True):
        return self._command("terminal monitor" if on else
                             "terminal no monitor")

    def show_stats(self):
        return self._checked("show stats")

    def show_drops(self):
        return self._checked("show drops")

    def show_bindings(self, match=None, page=None):
        """show bindings [<home-address>|<prefix/len>] [page <n>]"""
        line = "show bindings"
        if match:
            line += " %s" % match
        if page is not None:
            line += " page %d" % page
        return self._checked(line)

    # -- operator commands (docs/console.md) --

    def show_binding(self, hoa, refused=False):
        return self._command("show binding %s" % hoa, refused)

    def show_mobile_nodes(self, page=None):
        return self._checked("show mobile-nodes" + (
            "" if page is None else " page %d" % page))

    def show_events(self, n=None, kind=None, hoa=None):
        """show events [kind <kind>] [home-address <address>] [<n>]"""
        line = "show events"
        if kind is not None:
            line += " kind %s" % kind
        if hoa is not None:
            line += " home-address %s" % hoa
        if n is not None:
            line += " %d" % n
        return self._checked(line)

    def show_ports(self):
        return self._checked("show ports")

    def show_port_xstats(self, port_id):
        return self._checked("show port %d xstats" % port_id)

    def show_routes(self):
        return self._checked("show routes")

    def set_log_level(self, pattern, level, refused=False):
        return self._command("set log level %s %s" % (pattern, level),
                             refused)

    def show_log_levels(self):
        return self._checked("show log levels")

    def load(self, path):
        """load <file>: the echoed commands and their output."""
        return self._checked("load %s" % path)

    def show_neighbours(self):
        return self._checked("show neighbours")

    # -- delegation (a refused command prints a line "error: ...") --

    def _command(self, line, refused=False):
        """Run a command; AssertionError if the console did not know it,
        or if it was refused (an "error:" line) when refused is False, or
        accepted when refused is True."""
        out = self._checked(line)
        err = any(l.strip().startswith("error:") for l in out.splitlines())
        if err and not refused:
            raise AssertionError("console refused %r: %s" % (line, out))
        if refused and not err:
            raise AssertionError("console accepted %r: %s" % (line, out))
        return out

    def delegate(self, hoa, sha, refused=False):
        return self._command("delegate %s %s" % (hoa, sha), refused)

    def undelegate(self, hoa, refused=False):
        return self._command("undelegate %s" % hoa, refused)

    def show_peers(self):
        return self._command("show peers")

    def show_delegation(self):
        return self._command("show delegation")

    def add_sha(self, name, ident, address, key, refused=False):
        return self._command("add sha %s %d %s %s" % (name, ident, address,
                                                      key), refused)

    def del_sha(self, name, refused=False):
        return self._command("del sha %s" % name, refused)

    def set_policy(self, policy, refused=False):
        return self._command("set policy %s" % policy, refused)

    def set_threshold(self, which, pps, refused=False):
        """which: binding or total."""
        return self._command("set threshold %s %d" % (which, pps), refused)

    # -- AAA (docs/aaa.md) --

    def show_aaa(self):
        return self._command("show aaa")

    def show_aaa_nodes(self):
        return self._command("show aaa nodes")

    def revoke(self, hoa, refused=False):
        return self._command("revoke %s" % hoa, refused)

    def reload(self, refused=False):
        return self._command("reload", refused)

    def quit(self):
        """quit: leave this session (haven runs on); what it said last."""
        said = b""
        try:
            self.sock.sendall(b"quit\n")
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                said += chunk
        except OSError:
            pass
        self.close()
        return said.decode(errors="replace")

    def shutdown(self):
        """shutdown: stop the home agent; what it says it will do."""
        return self._command("shutdown")


def _deep_set(d, dotted, value):
    keys = dotted.split(".")
    for k in keys[:-1]:
        d = d.setdefault(k, {})
    d[keys[-1]] = value


class Haven:
    """A haven process: the home agent under test in <prefix>-ha, or (role
    "sha1"/"sha2", config given, console_key None or where that config
    keeps its console socket) a secondary home agent."""

    def __init__(self, lab, name="ha", log=None, overrides=None,
                 config=None, role="ha",
                 console_key="home_agent.console_socket", args=None):
        import yaml
        self.args = [str(a) for a in (args or [])]     # after --no-console
        self.lab = lab
        self.name = name
        self.role = role
        self.dir = Path(tempfile.mkdtemp(prefix="haven-dts-"))
        self.file_prefix = "%s-%s-%d" % (lab.prefix, name, os.getpid())
        base = config if config is not None else \
            yaml.safe_load(LAB_CONFIG.read_text())
        cfg = copy.deepcopy(base)
        _deep_set(cfg, "eal.file_prefix", self.file_prefix)
        self.console_path = self.dir / "console.sock"
        if console_key:
            _deep_set(cfg, console_key, str(self.console_path))
        else:
            self.console_path = None
        for k, v in (overrides or {}).items():
            _deep_set(cfg, k, v)
        self.cfg = cfg
        self.config_path = self.dir / "haven.yaml"
        self.config_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        self.log = Path(log) if log else OUT / ("haven-%s.log" % name)
        self.proc = None
        self.tel = Telemetry(self.file_prefix)
        self._consoles = []

    # -- the mobile nodes it serves, as configured --
    def mn(self, hoa):
        """SimpleNamespace(hoa, spi, alg, key) of a configured node."""
        for m in self.cfg.get("mobile_nodes", []):
            if m.get("home_address") == hoa:
                key = m.get("key")
                if key is None and m.get("key_file"):
                    kf = Path(m["key_file"])
                    if not kf.is_absolute():
                        kf = REPO / "config" / kf
                    key = kf.read_text().strip()
                return SimpleNamespace(
                    hoa=hoa, spi=int(m["spi"]),
                    alg=m.get("algorithm", "hmac-md5"), key=key)
        raise KeyError(hoa)

    def spawn(self):
        """Start the process; wait_ready() waits for it."""
        if not HAVEN_BIN.exists():
            raise RuntimeError("haven is not built: %s missing" % HAVEN_BIN)
        OUT.mkdir(parents=True, exist_ok=True)
        self.proc = self.lab.spawn(
            self.role, [HAVEN_BIN, "-f", self.config_path, "--no-console"] +
            self.args,
            log=self.log, name="haven")
        return self

    def wait_ready(self, timeout=40.0):
        def up():
            if not self.proc.alive():
                raise RuntimeError("haven %s exited (rc %s):\n%s" % (
                    self.name, self.proc.p.returncode,
                    self.proc.output()[-4000:]))
            if not (self.tel.path.exists() and self.tel.ready()):
                return False
            try:
                return self.tel.query("/haven/stats") is not None
            except (OSError, ValueError, ConnectionError):
                return False
        wait_until(up, timeout, 0.2, "haven telemetry at %s" % self.tel.path)
        # the telemetry socket appears while the EAL starts: make sure the
        # rest of the start-up went well too
        time.sleep(0.5)
        if not self.proc.alive():
            raise RuntimeError("haven %s exited after start-up (rc %s):\n%s"
                               % (self.name, self.proc.p.returncode,
                                  self.proc.output()[-4000:]))
        return self

    def start(self, timeout=40.0):
        self.spawn()
        return self.wait_ready(timeout)

    def stop(self):
        for c in self._consoles:
            c.close()
        self.tel.close()
        rc = None
        if self.proc is not None:
            rc = self.proc.stop(timeout=10)
        # what a killed EAL leaves behind: runtime folder, hugepage files
        shutil.rmtree(DPDK_RUNTIME / self.file_prefix, ignore_errors=True)
        if HUGEPAGES.is_dir():
            for f in HUGEPAGES.glob(self.file_prefix + "map_*"):
                try:
                    f.unlink()
                except OSError:
                    pass
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc

    def alive(self):
        return self.proc is not None and self.proc.alive()

    def console(self):
        if self.console_path is None:
            raise RuntimeError("haven %s has no console socket" % self.name)
        wait_until(self.console_path.exists, 10, what="console socket")
        c = HavenConsole(self.console_path)
        self._consoles.append(c)
        return c

    # -- telemetry shortcuts --
    def stats(self):
        return self.tel.query("/haven/stats") or {}

    def drops(self):
        return self.tel.query("/haven/drops") or {}

    def registrations(self):
        return self.tel.query("/haven/registrations") or {}

    def bindings(self):
        return binding_rows(self.tel.query("/haven/bindings"))

    def binding(self, hoa):
        """The binding of hoa (dict with at least care_of) or None."""
        try:
            b = self.tel.query("/haven/binding", hoa)
        except (OSError, ValueError):
            b = None
        if isinstance(b, dict) and b:
            return b
        for r in self.bindings():
            if r.get("home_address") == hoa:
                return r
        return None

    def paged(self, cmd, key, page_limit=100000):
        """(rows, totals) of a paged table (cmd,<offset>: /haven/bindings,
        /haven/bindings6, /haven/delegation, /haven/secondary): every
        page until offset + count reaches total; totals of the first."""
        rows, totals, offset = [], None, 0
        for _ in range(page_limit):
            v = self.tel.query(cmd, offset)
            if not isinstance(v, dict):
                break
            if totals is None:
                totals = table_totals(v)
            page = column_rows(v, key)
            rows += page
            count, total = v.get("count", len(page)), v.get("total")
            offset += count
            if not count or total is None or offset >= total:
                break
        return rows, totals or {}

    # -- delegation telemetry (docs/delegation-protocol.md) --
    def _table(self, cmd, key):
        try:
            v = self.tel.query(cmd)
        except (OSError, ValueError):
            v = None
        return column_rows(v, key), table_totals(v)

    def peers(self):
        """Rows of /haven/peers (name, id, address, role, alive, load,
        delegated, tx, rx, retransmits, bad_auth, replayed, malformed)."""
        return self._table("/haven/peers", "name")[0]

    def peer(self, name):
        for r in self.peers():
            if r.get("name") == name:
                return r
        return None

    def delegation(self):
        """(rows, totals) of /haven/delegation on a PHA: rows home_address,
        peer, state, generation; totals started, refused, stopped,
        taken_back, dead_peers."""
        return self._table("/haven/delegation", "home_address")

    def delegation_of(self, hoa):
        """The /haven/delegation row of hoa, or None."""
        for r in self.delegation()[0]:
            if r.get("home_address") == hoa:
                return r
        return None

    def secondary(self):
        """(rows, totals) of /haven/secondary on an SHA: rows home_address,
        primary, care_of, remaining, packets, generation; totals
        installed, replaced, removed, expired, refused, used, capacity."""
        return self._table("/haven/secondary", "home_address")

    def aaa(self):
        """(server rows, totals) of /haven/aaa."""
        try:
            v = self.tel.query("/haven/aaa")
        except (OSError, ValueError):
            v = None
        return column_rows(v, "server"), table_totals(v)

    def aaa_nodes(self):
        """Rows of /haven/aaa_nodes (home_address, user, address_from,
        spi, cache_left, bound, session_id)."""
        return self._table("/haven/aaa_nodes", "home_address")[0]

    def secondary_of(self, hoa):
        for r in self.secondary()[0]:
            if r.get("home_address") == hoa:
                return r
        return None


# ---------------------------------------------------------------------------
# Delegation: a primary home agent and its secondaries
# ---------------------------------------------------------------------------

SHA_NAMES = ("sha1", "sha2")
# every secondary the lab can have (sha3.. only after Lab.scale())
ALL_SHA_NAMES = tuple("sha%d" % i for i in range(1, int(E.MAX_SHAS) + 1))
# Where an SHA's configuration keeps its console socket: at the top level,
# as there is no home_agent: section (config/lab-sha1.yaml).
SHA_CONSOLE_KEY = "console_socket"
# EAL memory of an SHA, MB: three processes share the lab's hugepages.
SHA_MEMORY_MB = 128
# ... and with IPv6 tables: the start-up minimum at the default
# max_bindings (docs/configuration.md 3.1.1)
SHA6_MEMORY_MB = 209


class Delegation:
    """Agent ids, per-SHA keys (fresh random ones for every instance;
    both sides of a pair get the same) and the configurations of the
    primary (config/lab.yaml plus a delegation: section) and of the
    secondaries sha1 (192.0.2.11) and sha2 (192.0.2.12)."""

    def __init__(self, lab):
        self.lab = lab
        self.pha_id = int(E.PHA_ID)
        self.keys = {n: "hex:" + os.urandom(32).hex()
                     for n in ALL_SHA_NAMES}
        self.sha = {}
        for n in ALL_SHA_NAMES:
            u = n.upper()
            self.sha[n] = SimpleNamespace(
                name=n, id=int(ENV[u + "_ID"]), addr=ENV[u + "_ADDR"],
                mac=ENV[u + "_MAC"].lower(), iface=ENV[u + "_IFACE"],
                addr6=ENV[u + "_ADDR6"])

    def secondary_entry(self, name, key=None):
        s = self.sha[name]
        return {"name": name, "id": s.id, "address": s.addr,
                "key": key or self.keys[name]}

    def pha_config(self, secondaries=SHA_NAMES, **deleg):
        """config/lab.yaml with delegation: agent_id 1, the secondaries
        named, policy manual, dead_after 3, wait_for_ack false; deleg
        keys override (threshold={...}, policy="equal", ...)."""
        import yaml
        cfg = yaml.safe_load(LAB_CONFIG.read_text())
        d = {"agent_id": self.pha_id,
             "secondaries": [self.secondary_entry(n) for n in secondaries],
             "dead_after": 3, "wait_for_ack": False, "policy": "manual"}
        d.update(deleg)
        cfg["delegation"] = d
        return cfg

    def sha_config(self, name, **deleg):
        """A pure SHA: the lab's eal/idle/log_level, one port on its veth
        of the home link, a default route via the router, and
        delegation.primaries = the PHA with this SHA's key."""
        import yaml
        base = yaml.safe_load(LAB_CONFIG.read_text())
        s = self.sha[name]
        eal = copy.deepcopy(base["eal"])
        eal["memory_mb"] = SHA_MEMORY_MB
        d = {"agent_id": s.id,
             "primaries": [{"name": "pha", "id": self.pha_id,
                            "address": E.HA_ADDR, "key": self.keys[name]}],
             "capacity": 1024, "report_interval_ms": 1000}
        d.update(deleg)
        return {
            "eal": eal,
            "idle": base.get("idle", "adaptive"),
            "log_level": base.get("log_level", "info"),
            "ports": [{"name": "home",
                       "device": "net_af_packet0,iface=%s,qpairs=2" %
                       s.iface,
                       "address": "%s/%s" % (s.addr, E.HOME_PREFIX_LEN)}],
            "routes": [{"prefix": "0.0.0.0/0", "gateway": E.RT_HOME_ADDR}],
            "delegation": d,
        }

    def sha6_config(self, name, memory_mb=None, **deleg):
        """sha_config() with IPv6: its address6 on the home link, an
        IPv6 default route via the router, the primary's address6, and
        the EAL memory of IPv4 and IPv6 tables (the loader's start-up
        minimum at the default max_bindings, docs/configuration.md 3.1.1,
        unless memory_mb says more)."""
        cfg = self.sha_config(name, **deleg)
        s = self.sha[name]
        cfg["ports"][0]["address6"] = "%s/%s" % (s.addr6,
                                                 E.HOME6_PREFIX_LEN)
        cfg["routes"].append({"prefix": "::/0",
                              "gateway": E.RT6_HOME_ADDR})
        cfg["delegation"]["primaries"][0]["address6"] = E.HA6_ADDR
        cfg["eal"]["memory_mb"] = memory_mb or SHA6_MEMORY_MB
        return cfg

    def pha(self, log=None, secondaries=SHA_NAMES, **deleg):
        """A Haven (not started) for the PHA in <p>-ha."""
        return Haven(self.lab, name="pha", log=log,
                     config=self.pha_config(secondaries, **deleg))

    def secondary(self, name, log=None, **deleg):
        """A Haven (not started) for an SHA in <p>-<name>."""
        return Haven(self.lab, name=name, role=name, log=log,
                     config=self.sha_config(name, **deleg),
                     console_key=SHA_CONSOLE_KEY)


# ---------------------------------------------------------------------------
# Mobile node: endpoint, registrations
# ---------------------------------------------------------------------------

class Endpoint:
    """dts/mn_endpoint.py in <prefix>-mn, or (role "mnn", iface vn) in
    the mobile node behind the NAT; udp_port: RFC 3519 UDP tunnelling
    from that port (keepalive: its interval instead of the reply's,
    no_keepalive: none)."""

    def __init__(self, lab, ifaces=("va", "vb"), reverse=False, log=None,
                 ha=None, hoa=None, role="mn", udp_port=None,
                 keepalive=None, no_keepalive=False):
        self.lab = lab
        addr = {E.MN_VA_IFACE: E.MN_VA_ADDR, E.MN_VB_IFACE: E.MN_VB_ADDR,
                E.MNN_IFACE: E.MNN_ADDR}
        fd, name = tempfile.mkstemp(prefix="endpoint-", suffix=".json")
        os.close(fd)
        os.unlink(name)
        self.stats_path = Path(name)
        argv = [PY, DTS / "mn_endpoint.py", "--ha", ha or E.HA_ADDR,
                "--hoa", hoa or E.MN_HOME_ADDR, "--stats", self.stats_path,
                "--log-rejects"]
        for i in ifaces:
            argv += ["--iface", i, "--coa", addr[i]]
        if reverse:
            argv.append("--reverse")
        if udp_port:
            argv += ["--udp-port", udp_port]
        if keepalive is not None:
            argv += ["--keepalive", keepalive]
        if no_keepalive:
            argv.append("--no-keepalive")
        self.proc = lab.spawn(role, argv, log=log, name="mn_endpoint")
        wait_until(self.stats_path.exists, 10, what="endpoint start")

    def stats(self):
        """Fresh counters (SIGUSR1, then the file it rewrites)."""
        before = self.stats_path.stat().st_mtime_ns
        self.proc.send_signal(signal.SIGUSR1)
        try:
            wait_until(lambda: self.stats_path.stat().st_mtime_ns != before,
                       2, 0.02, "endpoint stats")
        except TimeoutError:
            pass
        return json.loads(self.stats_path.read_text())

    def counters(self, iface):
        return self.stats()["ifaces"][iface]

    def stop(self):
        rc = self.proc.stop()
        try:
            self.stats_path.unlink()
        except OSError:
            pass
        return rc


class MipClient:
    """dts/mipclient.py run in the mobile node's namespace (role "mn",
    or "mnn" behind the NAT)."""

    def __init__(self, lab, sa, role="mn"):
        self.lab = lab
        self.sa = sa        # SimpleNamespace(hoa, spi, alg, key)
        self.role = role

    def register(self, coa=None, lifetime=60, flags="", ha=None, hoa=None,
                 spi=None, key=None, alg=None, timeout=2.0, **opts):
        """Result of one registration as a SimpleNamespace (see
        mipclient.Result); opts: ident, sport, bad_auth, no_auth,
        ha_field, truncate, garbage, oversize, raw."""
        argv = [PY, DTS / "mipclient.py", "register",
                "--ha", ha or E.HA_ADDR, "--hoa", hoa or self.sa.hoa,
                "--coa", coa or E.MN_VA_ADDR,
                "--spi", spi if spi is not None else self.sa.spi,
                "--key", key or self.sa.key, "--alg", alg or self.sa.alg,
                "--lifetime", lifetime, "--timeout", timeout, "--json"]
        if flags:
            argv += ["--flags", flags]
        for k, v in opts.items():
            if v is None or v is False:
                continue
            opt = "--" + k.replace("_", "-")
            argv += [opt] if v is True else [opt, v]
        r = self.lab.run(self.role, argv, check=False, timeout=timeout + 30)
        if r.returncode not in (0, 1, 2) or not r.stdout.strip():
            raise RuntimeError("mipclient failed: %s%s" % (r.stdout,
                                                           r.stderr))
        d = json.loads(r.stdout.strip().splitlines()[-1])
        d["accepted"] = d["code"] in (0, 1)
        return SimpleNamespace(**d)

    def deregister(self, coa=None, **kw):
        return self.register(coa=coa, lifetime=0, **kw)

    def tunnel(self, src, sport, inner_dst, echo=False, count=1,
               inner_src=None, dport=9002, ha=None):
        """mipclient.py tunnel: MIP Tunnel Data messages (RFC 3519) from
        src:sport to the home agent; {"sent", "answers"}."""
        argv = [PY, DTS / "mipclient.py", "tunnel", "--ha", ha or E.HA_ADDR,
                "--src", src, "--sport", sport,
                "--inner-src", inner_src or self.sa.hoa,
                "--inner-dst", inner_dst, "--count", count,
                "--dport", dport]
        if echo:
            argv.append("--echo")
        r = self.lab.run(self.role, argv, timeout=30)
        return json.loads(r.stdout.strip().splitlines()[-1])


class Endpoint6:
    """dts/mn_endpoint6.py in <prefix>-mn (a lab with ipv6=True): the
    IPv6-in-IPv6 endpoint, TUN tun6 holding MN6_HOME_ADDR. Runs beside an
    IPv4 Endpoint if wanted (its own TUN, its own packet sockets)."""

    def __init__(self, lab, ifaces=("va", "vb"), reverse=False, log=None,
                 ha6=None, hoa6=None):
        self.lab = lab
        addr = {E.MN_VA_IFACE: E.MN6_VA_ADDR, E.MN_VB_IFACE: E.MN6_VB_ADDR}
        fd, name = tempfile.mkstemp(prefix="endpoint6-", suffix=".json")
        os.close(fd)
        os.unlink(name)
        self.stats_path = Path(name)
        argv = [PY, DTS / "mn_endpoint6.py", "--ha6", ha6 or E.HA6_ADDR,
                "--hoa6", hoa6 or E.MN6_HOME_ADDR, "--tun", E.MN6_TUN,
                "--table", E.MN6_REVERSE_TABLE,
                "--stats", self.stats_path, "--log-rejects"]
        for i in ifaces:
            argv += ["--iface", i, "--coa6", addr[i]]
        if reverse:
            argv.append("--reverse")
        self.proc = lab.spawn("mn", argv, log=log, name="mn_endpoint6")
        wait_until(self.stats_path.exists, 10, what="endpoint6 start")

    def stats(self):
        """Fresh counters (SIGUSR1, then the file it rewrites)."""
        before = self.stats_path.stat().st_mtime_ns
        self.proc.send_signal(signal.SIGUSR1)
        try:
            wait_until(lambda: self.stats_path.stat().st_mtime_ns != before,
                       2, 0.02, "endpoint6 stats")
        except TimeoutError:
            pass
        return json.loads(self.stats_path.read_text())

    def counters(self, iface):
        """accepted, rejected_src, rejected_other, ignored, ip6ip6,
        reasons, coa6 of one visited interface."""
        return self.stats()["ifaces"][iface]

    def stop(self):
        rc = self.proc.stop()
        try:
            self.stats_path.unlink()
        except OSError:
            pass
        return rc


class Mip6Client:
    """dts/mip6client.py run in the mobile node's namespace: Mobile IPv6
    home registration (Binding Update with RFC 4285 authentication and
    replay protection). Keeps the last sequence number it sent, so that
    old_seq=True repeats it (RFC 6275 9.5.1: out of window)."""

    def __init__(self, lab, sa=None):
        self.lab = lab
        self.sa = sa or SimpleNamespace(
            hoa=E.MN6_HOME_ADDR, spi=int(E.MN6_SPI), alg=E.MN6_ALG,
            key=E.MN6_KEY)
        self.last_seq = None

    def register(self, coa=None, lifetime=60, seq=None, old_seq=False,
                 flags="AH", ha=None, hoa=None, spi=None, key=None,
                 alg=None, timeout=2.0, **opts):
        """Result of one Binding Update as a SimpleNamespace (see
        mip6client.Result: status, accepted, ba_seq, ba_lifetime, refresh,
        auth_ok, checksum_ok, rh2, ...); opts: ts_offset, timestamp,
        no_replay, bad_auth, no_auth, spi_field, bad_checksum, no_hao,
        truncate, alt_coa, auth_len, iface, pcap."""
        if old_seq:
            if self.last_seq is None:
                raise ValueError("no sequence number sent yet")
            seq = self.last_seq
        argv = [PY, DTS / "mip6client.py", "register",
                "--ha", ha or E.HA6_ADDR, "--hoa", hoa or self.sa.hoa,
                "--coa", coa or E.MN6_VA_ADDR,
                "--spi", spi if spi is not None else self.sa.spi,
                "--key", key or self.sa.key, "--alg", alg or self.sa.alg,
                "--lifetime", lifetime, "--flags", flags,
                "--timeout", timeout, "--json"]
        if seq is not None:
            argv += ["--seq", seq]
        for k, v in opts.items():
            if v is None or v is False:
                continue
            opt = "--" + k.replace("_", "-")
            argv += [opt] if v is True else [opt, v]
        r = self.lab.run("mn", argv, check=False, timeout=timeout + 30)
        if r.returncode not in (0, 1, 2) or not r.stdout.strip():
            raise RuntimeError("mip6client failed: %s%s" % (r.stdout,
                                                            r.stderr))
        d = json.loads(r.stdout.strip().splitlines()[-1])
        if not old_seq:
            self.last_seq = d["seq"]
        return SimpleNamespace(**d)

    def deregister(self, coa=None, **kw):
        return self.register(coa=coa, lifetime=0, **kw)


class Stream:
    """udp_stream.py: a receiver in one namespace, a sender in another."""

    def __init__(self, lab):
        self.lab = lab

    def receiver(self, role="mn", port=9000, duration=15.0, expect=0,
                 idle=0.0, dups=False, bind=None):
        """A receiver (Proc; .out its JSON); bind="::" receives IPv6."""
        fd, out = tempfile.mkstemp(prefix="stream-", suffix=".json")
        os.close(fd)
        argv = [PY, DTS / "udp_stream.py", "recv", "--port", port,
                "--duration", duration, "--out", out]
        if bind:
            argv += ["--bind", bind]
        if expect:
            argv += ["--expect", expect]
        if idle:
            argv += ["--idle", idle]
        if dups:
            argv.append("--dups")
        p = self.lab.spawn(role, argv, name="udp_recv")
        p.out = Path(out)
        p.wait_for("READY", 10)
        return p

    def result(self, recv, timeout=60.0):
        """Wait for a receiver to finish; its JSON result."""
        recv.wait(timeout)
        recv.stop()
        try:
            return json.loads(recv.out.read_text())
        finally:
            recv.out.unlink()

    def send(self, role="ch", dst=None, port=9000, count=1000, rate=200,
             start=0, size=64, src=None):
        """Send a stream; src: from this address (the home address, for
        the mobile node's reverse tunnel)."""
        argv = [PY, DTS / "udp_stream.py", "send",
                "--dst", dst or E.MN_HOME_ADDR, "--port", port,
                "--count", count, "--rate", rate, "--start", start,
                "--size", size]
        if src:
            argv += ["--src", src]
        r = self.lab.run(role, argv, timeout=count / max(rate, 1) + 60)
        return json.loads(r.stdout.strip().splitlines()[-1])

    def sender(self, role="ch", dst=None, port=9000, count=1000, rate=200,
               start=0):
        """A sender in the background (Proc)."""
        return self.lab.spawn(role, [PY, DTS / "udp_stream.py", "send",
                                     "--dst", dst or E.MN_HOME_ADDR,
                                     "--port", port, "--count", count,
                                     "--rate", rate, "--start", start],
                              name="udp_send")


# ---------------------------------------------------------------------------
# tshark
# ---------------------------------------------------------------------------

def _flatten(layer, prefix, out):
    """Collect the fields of a tshark JSON layer whose names start with
    prefix (nested trees included); repeated fields become lists."""
    if isinstance(layer, dict):
        for k, v in layer.items():
            if k.startswith(prefix) and not isinstance(v, (dict, list)):
                if k in out:
                    out[k] = out[k] if isinstance(out[k], list) else [out[k]]
                    out[k].append(v)
                else:
                    out[k] = v
            _flatten(v, prefix, out)
    elif isinstance(layer, list):
        for v in layer:
            _flatten(v, prefix, out)


class Capture:
    """tshark on an interface in a namespace for the length of a with
    block; then decode with Mobile IP on UDP 434.

        with Capture(lab, "mn", "va", "udp port 434") as cap:
            ...
        for m in cap.mip(): m["mip.code"] ...
    """

    def __init__(self, lab, role, iface, bpf="", name="capture"):
        self.lab = lab
        self.role = role
        self.iface = iface
        self.bpf = bpf
        OUT.mkdir(parents=True, exist_ok=True)
        fd, f = tempfile.mkstemp(prefix=name + "-", suffix=".pcapng",
                                 dir=OUT)
        os.close(fd)
        self.file = Path(f)
        self.proc = None
        self._decoded = None

    def __enter__(self):
        argv = ["tshark", "-n", "-q", "-i", self.iface, "-w", self.file]
        if self.bpf:
            argv += ["-f", self.bpf]
        self.proc = self.lab.spawn(self.role, argv, name="tshark")
        self.proc.wait_for(r"Capturing on", 20)
        time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        time.sleep(0.5)         # let the last replies land
        self.proc.stop(timeout=10, sig=signal.SIGINT)
        return False

    def decode(self, extra=("udp.port==434,mip",)):
        """tshark -T json of the capture: a list of layer dicts."""
        if self._decoded is None:
            argv = ["tshark", "-n", "-r", str(self.file), "-T", "json",
                    "--no-duplicate-keys"]
            for d in extra:
                argv += ["-d", d]
            r = subprocess.run(argv, capture_output=True, text=True,
                               timeout=60)
            pkts = json.loads(r.stdout or "[]")
            self._decoded = [p["_source"]["layers"] for p in pkts]
        return self._decoded

    def layer(self, name):
        """Flattened fields of every packet that has this layer."""
        out = []
        for layers in self.decode():
            if name in layers:
                d = {}
                _flatten(layers[name], name + ".", d)
                ip = {}
                _flatten(layers.get("ip", {}), "ip.", ip)
                d["_ip.src"] = ip.get("ip.src")
                d["_ip.dst"] = ip.get("ip.dst")
                out.append(d)
        return out

    def mip(self):
        """Fields of every Mobile IP message (mip.type, mip.code, ...)."""
        return self.layer("mip")

    def replies(self):
        return [m for m in self.mip() if str(m.get("mip.type")) == "3"]

    def fields(self, names, dfilter="", extra=("udp.port==434,mip",)):
        """tshark -T fields of the capture: one dict per packet that
        passes the display filter, each field's values as a list (a field
        that occurs in the inner and outer header gives both, outer
        first)."""
        argv = ["tshark", "-n", "-r", str(self.file), "-T", "fields",
                "-E", "separator=|", "-E", "occurrence=a",
                "-E", "aggregator=,"]
        for d in extra:
            argv += ["-d", d]
        if dfilter:
            argv += ["-Y", dfilter]
        for f in names:
            argv += ["-e", f]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        rows = []
        for line in r.stdout.splitlines():
            vals = line.split("|")
            rows.append({f: [x for x in v.split(",") if x != ""]
                         for f, v in zip(names, vals)})
        return rows

    def remove(self):
        try:
            self.file.unlink()
        except OSError:
            pass


class DumpCap(Capture):
    """dpdk-dumpcap attached to a running haven (a DPDK secondary process
    of its file prefix, from the root namespace: /var/run/dpdk is shared)
    for the length of a with block; decoded like Capture.

        with DumpCap(h.file_prefix, port=0) as cap:
            ...
        cap.replies()
    """

    def __init__(self, file_prefix, port=0, name="dumpcap"):
        super().__init__(None, None, str(port), name=name)
        self.file_prefix = file_prefix

    def __enter__(self):
        self.proc = Proc([DPDK_DUMPCAP, "--file-prefix", self.file_prefix,
                          "-i", self.iface, "-w", self.file],
                         name="dpdk-dumpcap")
        # "File:" comes (on stderr) just before it asks the primary to
        # start copying packets, a message round trip
        self.proc.wait_for(r"File: ", 20)
        time.sleep(1.0)
        return self


def haven_console_pipe(sock, lines, timeout=30):
    """Pipe command lines into haven-console on a console socket;
    CompletedProcess (text): stdout is the transcript."""
    text = "".join(l + "\n" for l in lines)
    return subprocess.run([str(HAVEN_CONSOLE_BIN), str(sock)], input=text,
                          capture_output=True, text=True, timeout=timeout)


def dpdk_telemetry_tool(file_prefix, cmds, timeout=30):
    """DPDK's own usertools/dpdk-telemetry.py -f <prefix>, commands on its
    stdin: one reply (dict) per command, in order."""
    r = subprocess.run([PY, DPDK_TELEMETRY_PY, "-f", file_prefix],
                       input="".join(c + "\n" for c in cmds),
                       capture_output=True, text=True, timeout=timeout)
    replies = [json.loads(l) for l in r.stdout.splitlines()
               if l.startswith("{")]
    if len(replies) != len(cmds):
        raise RuntimeError("dpdk-telemetry.py: %d replies to %d commands:"
                           "\n%s%s" % (len(replies), len(cmds), r.stdout,
                                        r.stderr))
    return replies
