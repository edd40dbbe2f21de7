# SPDX-License-Identifier: BSD-3-Clause
"""Operator suite: the surfaces an operator uses on a running appliance
(docs/console.md): the console run from a script at start-up (--script)
and by `load` on the console socket, the haven-console client piped, the
telemetry endpoints read with DPDK's own dpdk-telemetry.py, and a packet
capture with dpdk-dumpcap attached to the running process."""

import re
import tempfile
from pathlib import Path

import pytest

from lab import (E, OUT, dpdk_telemetry_tool, haven_console_pipe,
                 wait_until)

# Keys of config/lab.yaml's nodes must never be shown: the hex of
# 192.0.2.100's key, and its text.
MN_KEY_HEX = E.MN_KEY[len("hex:"):]
MN_KEY_TEXT = bytes.fromhex(MN_KEY_HEX).decode()
# Less memory than the lab's default: other instances share the hugepages.
MEMORY = {"eal.memory_mb": 128}


def script_file(lines):
    """A file of console commands in dts/out; its path."""
    OUT.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="operator-", suffix=".txt", dir=OUT)
    with open(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    return Path(name)


def section(out, command):
    """The output of one command in a transcript ("haven> <command>" up to
    the next prompt)."""
    m = re.search(re.escape("haven> " + command) + r"\n(.*?)(?=haven> |\Z)",
                  out.replace("\r", ""), re.S)
    assert m is not None, "no %r in:\n%s" % (command, out)
    return m.group(1)


def rows(text, first):
    """Lines of a table whose first column is first."""
    return [l.split() for l in text.splitlines()
            if l.split() and l.split()[0] == first]


class TestSuite_operator:
    """haven in <p>-ha with config/lab.yaml (EAL memory 128 MB), started
    afresh for every test; the mobile node registers from 198.51.100.10."""

    @pytest.fixture(autouse=True)
    def set_up_test(self, lab, haven, mip, console, telemetry):
        self.lab = lab
        self.start = haven
        self.mip = mip
        self.console = console
        self.telemetry = telemetry
        self.files = []
        yield
        for f in self.files:
            f.unlink(missing_ok=True)

    def script(self, lines):
        f = script_file(lines)
        self.files.append(f)
        return f

    def register_accept_and_deny(self):
        """One accepted registration (code 0), one denied (131)."""
        r = self.mip.register(coa=E.MN_VA_ADDR, lifetime=60)
        assert r.code == 0, "code %s (%s)" % (r.code, r.code_text)
        r = self.mip.register(coa=E.MN_VA_ADDR, bad_auth=True)
        assert r.code == 131, "code %s (%s)" % (r.code, r.code_text)

    def test_script_at_start_up(self):
        """haven --script runs console commands once started.

        Steps:
            Start haven with --script: show mobile-nodes, show routes,
            show ports, a comment, a blank line, an unknown command, help.
        Verify:
            Each command is echoed after the prompt in haven's output,
            followed by its answer: 192.0.2.100 with SPI 256, hmac-md5 and
            a 16-byte key, 192.0.2.101 with hmac-sha256; the default route
            via 192.0.2.254; port home on net_af_packet0 with the lab's
            MAC; the unknown command refused with file:line; help lists
            the grammar of show bindings. No key byte appears anywhere in
            the output.
        """
        f = self.script(["show mobile-nodes", "show routes", "show ports",
                         "# a comment", "", "frobnicate", "help"])
        h = self.start(overrides=MEMORY, args=["--script", f])
        h.proc.wait_for(r"show bindings \[<home-address>\|<prefix/len>\] "
                        r"\[page <n>\]", 15)
        out = h.proc.output()

        mns = section(out, "show mobile-nodes")
        r100 = rows(mns, E.MN_HOME_ADDR)
        assert r100 and r100[0][1:4] == ["256", "hmac-md5", "16B"], mns
        assert rows(mns, "192.0.2.101")[0][2] == "hmac-sha256", mns
        routes = section(out, "show routes")
        assert rows(routes, "0.0.0.0/0")[0][1:] == [E.RT_HOME_ADDR,
                                                    "home"], routes
        assert rows(routes, E.HOME_NET)[0][1] == "connected", routes
        ports = section(out, "show ports")
        assert "net_af_packet0" in ports and E.HA_MAC in ports, ports
        assert "%s/%s" % (E.HA_ADDR, E.HOME_PREFIX_LEN) in ports, ports
        assert re.search(r"Command not found \(.*:6\)",
                         section(out, "frobnicate")), out
        assert "# a comment" not in out
        for secret in (MN_KEY_HEX, MN_KEY_TEXT):
            assert secret not in out, "key bytes in the output"

    def test_load_on_socket(self):
        """`load <file>` on the console socket, output on that session.

        Steps:
            Register 192.0.2.100 (accepted), then once with a wrong
            authenticator (denied); on the console socket load a file of
            show events, show bindings with an address filter, with a
            prefix filter and a page, with a filter that matches nothing,
            show binding, set log level, show log levels.
        Verify:
            The commands come back echoed in order with their output;
            show events lists the registration of 192.0.2.100 with code 0
            and the denied one with code 131, ISO 8601 UTC times, newest
            last; both filters show the binding to 198.51.100.10 on page
            1 of 1, the other filter none; show binding details the care-of
            address and the counters both ways; haven.* goes to debug and
            show log levels says so; the console still answers afterwards.
        """
        h = self.start(overrides=MEMORY)
        self.register_accept_and_deny()
        cmds = ["show events 5", "show bindings %s" % E.MN_HOME_ADDR,
                "show bindings 192.0.2.0/24 page 1",
                "show bindings 10.0.0.0/8",
                "show binding %s" % E.MN_HOME_ADDR,
                "set log level haven.* debug", "show log levels"]
        f = self.script(["# operator checks"] + cmds)
        c = self.console(h)
        out = c.load(f)

        echoed = re.findall(r"^haven> (.*)$", out, re.M)
        assert echoed == cmds, out
        events = section(out, "show events 5")
        ev = [l for l in events.splitlines() if "registration" in l]
        assert len(ev) >= 2, events
        assert re.match(r"\s*\d+ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z "
                        r"registration\s+0\s+registered 192\.0\.2\.100 at "
                        r"198\.51\.100\.10", ev[-2]), events
        assert re.match(r".* registration\s+131\s+registration of "
                        r"192\.0\.2\.100 .*denied", ev[-1]), events
        for cmd in cmds[1:3]:
            b = section(out, cmd)
            assert rows(b, E.MN_HOME_ADDR)[0][1] == E.MN_VA_ADDR, b
            assert "page 1 of 1" in b, b
        assert "0 binding(s) matching 10.0.0.0/8" in \
            section(out, "show bindings 10.0.0.0/8")
        detail = section(out, cmds[4])
        assert "care-of %s" % E.MN_VA_ADDR in detail, detail
        assert "to the node" in detail and "reverse tunnel" in detail
        assert "log types haven.* at level debug" in \
            section(out, cmds[5])
        assert re.search(r"haven\.app, level is debug",
                         section(out, cmds[6])), section(out, cmds[6])
        assert c.show_stats()

    def test_bindings_pages(self):
        """show bindings pages and filters over 40 bindings.

        Steps:
            Configure 40 mobile nodes 192.0.2.160..199 (the lab's key);
            register them all from 198.51.100.10; show bindings, page 2,
            page 3, and 192.0.2.160/28.
        Verify:
            Page 1 shows 32 bindings in address order (.160 .. .191), page
            2 the 8 others (.192 .. .199), page 3 none; the /28 filter 16
            (.160 .. .175); totals say 40 and 2 pages.
        """
        nodes = ["192.0.2.%d" % i for i in range(160, 200)]
        import yaml
        from lab import LAB_CONFIG
        base = yaml.safe_load(LAB_CONFIG.read_text())["mobile_nodes"]
        mns = base + [{"home_address": a, "spi": 1000 + i, "key": E.MN_KEY}
                      for i, a in enumerate(nodes)]
        h = self.start(overrides=dict(MEMORY, mobile_nodes=mns))
        code = ("import sys, json; sys.path.insert(0, %r); import mipclient"
                "\nok = 0\nfor i, a in enumerate(%r):\n"
                "    r = mipclient.register(%r, a, %r, 1000 + i,"
                " mipclient.parse_key(%r), lifetime=120)\n"
                "    ok += r.code == 0\nprint(ok)\n"
                % (str(Path(__file__).parent), nodes, E.HA_ADDR,
                   E.MN_VA_ADDR, E.MN_KEY))
        r = self.lab.run("mn", ["/usr/bin/python3", "-c", code], timeout=90)
        assert r.stdout.strip().splitlines()[-1] == "40", r.stdout + r.stderr
        c = self.console(h)

        def hoas(text):
            return [l.split()[0] for l in text.splitlines()
                    if l.split() and l.split()[0].startswith("192.0.2.")]
        p1 = c.show_bindings()
        assert hoas(p1) == nodes[:32], p1
        assert "40 binding(s), page 1 of 2 (1..32)" in p1, p1
        p2 = c.show_bindings(page=2)
        assert hoas(p2) == nodes[32:], p2
        assert "page 2 of 2 (33..40)" in p2, p2
        p3 = c.show_bindings(page=3)
        assert hoas(p3) == [] and "no page 3" in p3, p3
        f = c.show_bindings("192.0.2.160/28")
        assert hoas(f) == nodes[:16], f
        assert "16 binding(s) matching 192.0.2.160/28" in f, f

    def test_haven_console_piped(self):
        """haven-console with commands on its standard input.

        Steps:
            Register; pipe "show stats", then "show mobile-nodes" and
            "show events", into haven-console on the console socket; then
            pipe "quit".
        Verify:
            Exit status 0 and a transcript: each command after the prompt,
            its output (requests 1, accepted 1; 192.0.2.100 bound, no key
            byte; the registration event), no trailing prompt; "quit"
            stops the appliance, which exits with status 0 and removes
            its socket.
        """
        h = self.start(overrides=MEMORY)
        assert self.mip.register(coa=E.MN_VA_ADDR).code == 0
        r = haven_console_pipe(h.console_path, ["show stats"])
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("haven> show stats\n"), r.stdout
        assert re.search(r"requests 1\s+accepted 1", r.stdout), r.stdout
        assert not r.stdout.rstrip(" ").endswith("haven>"), r.stdout
        r = haven_console_pipe(h.console_path,
                               ["show mobile-nodes", "show events"])
        assert r.returncode == 0, r.stderr
        mns = section(r.stdout, "show mobile-nodes")
        assert rows(mns, E.MN_HOME_ADDR)[0][5:7] == ["1", "coa"], mns
        assert MN_KEY_HEX not in r.stdout and MN_KEY_TEXT not in r.stdout
        assert "registered %s" % E.MN_HOME_ADDR in \
            section(r.stdout, "show events"), r.stdout
        r = haven_console_pipe(h.console_path, ["quit"])
        assert "stopping the home agent" in r.stdout, r.stdout
        h.proc.wait(15)
        assert h.proc.p.returncode == 0, h.proc.output()[-2000:]
        assert not h.console_path.exists()

    def test_telemetry_tool(self):
        """The new endpoints, read with DPDK's dpdk-telemetry.py.

        Steps:
            Register (accepted), then with a wrong authenticator (denied);
            run /usr/bin/dpdk-telemetry.py -f <prefix> with /haven/events,
            /haven/events,<seq of the denial>, /haven/config, /haven/ports
            and /haven/mobile_nodes on its standard input.
        Verify:
            /haven/events has the columns seq, time_us, kind, code,
            home_address, text: a registration of 192.0.2.100 with code 0,
            then one with code 131; from the denial's sequence number on,
            only it, and next is one more; /haven/config says home_agent,
            6 mobile nodes, max lifetime 1800, replay window 7, policy
            manual, the config file's path; /haven/ports shows port home
            up with packets both ways; /haven/mobile_nodes gives
            192.0.2.100 SPI 256, key length 16, bound; no key anywhere.
        """
        h = self.start(overrides=MEMORY)
        self.register_accept_and_deny()
        ev = dpdk_telemetry_tool(h.file_prefix, ["/haven/events"])[0]
        ev = ev["/haven/events"]
        for col in ("seq", "time_us", "kind", "code", "home_address",
                    "text"):
            assert len(ev[col]) == ev["count"], ev
        regs = [i for i, k in enumerate(ev["kind"]) if k == "registration"]
        assert [ev["code"][i] for i in regs][-2:] == [0, 131], ev
        assert ev["home_address"][regs[-1]] == E.MN_HOME_ADDR
        denial = ev["seq"][regs[-1]]
        replies = dpdk_telemetry_tool(h.file_prefix, [
            "/haven/events,%d" % denial, "/haven/config", "/haven/ports",
            "/haven/mobile_nodes"])
        since = replies[0]["/haven/events"]
        assert since["seq"] == [denial] and since["code"] == [131], since
        assert since["next"] == denial + 1, since
        cfg = replies[1]["/haven/config"]
        assert cfg["roles"] == ["home_agent"], cfg
        assert cfg["mobile_nodes"] == 6 and cfg["max_lifetime"] == 1800
        assert cfg["replay_window"] == 7 and cfg["policy"] == "manual"
        assert cfg["config_path"] == str(h.config_path), cfg
        assert cfg["file_prefix"] == h.file_prefix, cfg
        ports = replies[2]["/haven/ports"]
        assert ports["name"] == ["home"] and ports["link_up"] == [1], ports
        assert ports["ipackets"][0] >= 2 and ports["opackets"][0] >= 2
        mn = replies[3]["/haven/mobile_nodes"]
        i = mn["home_address"].index(E.MN_HOME_ADDR)
        assert mn["spi"][i] == 256 and mn["key_length"][i] == 16, mn
        assert mn["bound"][i] == 1 and mn["care_of"][i] == E.MN_VA_ADDR
        text = repr(replies)
        assert MN_KEY_HEX not in text and MN_KEY_TEXT not in text

    def test_dumpcap(self, dumpcap):
        """dpdk-dumpcap captures a registration on the running appliance.

        Steps:
            Start haven (hugepages: a secondary process shares them);
            attach dpdk-dumpcap --file-prefix <prefix> -i 0 from the root
            namespace; register; stop the capture.
        Verify:
            tshark, decoding UDP 434 as Mobile IP, finds the request for
            192.0.2.100 and the reply with mip.code 0 from 192.0.2.1, as
            haven received and sent them on DPDK port 0.
        """
        h = self.start(overrides=dict(MEMORY, **{"eal.hugepages": "auto"}))
        cfg = dpdk_telemetry_tool(h.file_prefix, ["/haven/config"])[0]
        if not cfg["/haven/config"]["hugepages"]:
            pytest.skip("no free hugepages: haven runs --no-huge, and no "
                        "secondary process can attach")
        with dumpcap(h.file_prefix, 0) as cap:
            r = self.mip.register(coa=E.MN_VA_ADDR)
            assert r.code == 0, "code %s" % r.code
            wait_until(lambda: h.stats().get("registrations_accepted"),
                       5, what="the registration")
        requests = [m for m in cap.mip() if str(m.get("mip.type")) == "1"]
        replies = cap.replies()
        assert requests and requests[0]["mip.homeaddr"] == E.MN_HOME_ADDR, \
            cap.mip()
        assert len(replies) == 1 and replies[0]["mip.code"] == "0", replies
        assert replies[0]["_ip.src"] == E.HA_ADDR
        cap.remove()
