# SPDX-License-Identifier: BSD-3-Clause
"""Operator suite: the surfaces an operator uses on a running appliance
(docs/console.md): the console run from a script at start-up (--script)
and by `load` on the console socket, the haven-console client piped, the
telemetry endpoints read with DPDK's own dpdk-telemetry.py, and a packet
capture with dpdk-dumpcap attached to the running process."""

import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from lab import (DTS, E, HAVEN_BIN, OUT, PY, REPO, Capture, Haven,
                 MipClient, Stream, dpdk_telemetry_tool, haven_console_pipe,
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
            Then show mobile-nodes, page 2, page 3.
        Verify:
            Page 1 shows 32 bindings in address order (.160 .. .191), page
            2 the 8 others (.192 .. .199), page 3 none; the /28 filter 16
            (.160 .. .175); totals say 40 and 2 pages. The 46 configured
            nodes page the same way: 32 (.100 .. .105, .160 .. .185), then
            14 (.186 .. .199), then none; each page's JSON has the same
            rows.
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

        def pages(show, rows, what):
            """Pages 1, 2 and 3 of a listing of 33..64 rows."""
            n = len(rows)
            p1 = show()
            assert hoas(p1) == rows[:32], p1
            assert "%d %s, page 1 of 2 (1..32)" % (n, what) in p1, p1
            p2 = show(page=2)
            assert hoas(p2) == rows[32:], p2
            assert "page 2 of 2 (33..%d)" % n in p2, p2
            p3 = show(page=3)
            assert hoas(p3) == [] and "no page 3: %d %s" % (n, what) in p3
        pages(c.show_bindings, nodes, "binding(s)")
        f = c.show_bindings("192.0.2.160/28")
        assert hoas(f) == nodes[:16], f
        assert "16 binding(s) matching 192.0.2.160/28" in f, f

        every = ["192.0.2.%d" % i for i in range(100, 106)] + nodes
        pages(c.show_mobile_nodes, every, "mobile node(s)")
        j2 = c.json("show mobile-nodes page 2")
        assert [r["home_address"] for r in j2["mobile_nodes"]] == \
            every[32:], j2
        assert (j2["total"], j2["page"], j2["pages"]) == (46, 2, 2), j2

    def test_haven_console_piped(self):
        """haven-console with commands on its standard input.

        Steps:
            Register; pipe "show stats", then "show mobile-nodes" and
            "show events", into haven-console on the console socket; then
            pipe "quit"; then "shutdown".
        Verify:
            Exit status 0 and a transcript: each command after the prompt,
            its output (requests 1, accepted 1; 192.0.2.100 bound, no key
            byte; the registration event), no trailing prompt; "quit"
            leaves the session only (haven answers telemetry and a new
            session afterwards); "shutdown" says what it stops and stops
            the appliance, which exits with status 0 and removes its
            socket.
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
        assert r.returncode == 0 and "bye; the home agent runs on" in \
            r.stdout, r.stdout + r.stderr
        time.sleep(0.5)
        assert h.alive() and h.stats().get("registrations_accepted") == 1
        r = haven_console_pipe(h.console_path, ["show version", "shutdown"])
        assert "haven 0." in section(r.stdout, "show version"), r.stdout
        said = section(r.stdout, "shutdown")
        assert re.search(r"shutting down the home agent: its 1 binding\(s\)"
                         r" and 0 IPv6 binding\(s\) end with it", said), said
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

    # -- sessions, quit and shutdown (issue 13) ------------------------

    def test_sessions_quit_and_shutdown(self):
        """Four socket sessions at once; quit and exit leave one session;
        a fifth client is told; quit in a file ends the file; shutdown
        stops the agent.

        Steps:
            Open 4 console sessions; connect a fifth client; pipe a
            command through haven-console (a fifth too); "quit" on session
            1, "exit" on session 2, ctrl-d on session 3; open a new one;
            on it load a file that loads a file of "show routes", "quit",
            "show ports", then runs "show drops"; "shutdown" on session 4.
        Verify:
            Every session answers; the fifth client reads "too many
            sessions (4 at most)" and is closed; haven-console exits 1
            with that reason on stderr and nothing on stdout; quit says
            the agent runs on, and it does (telemetry answers, the other
            sessions too); after three left, new sessions get in; the
            inner file stops at its quit, the outer file goes on (show
            drops runs) and the session stays; shutdown says what it
            ends, the other open session is told, haven exits 0, removes
            its socket and logs who asked.
        """
        h = self.start(overrides=MEMORY)
        cs = [self.console(h) for _ in range(4)]
        for c in cs:
            assert "requests 0" in c.show_stats()
        fifth = raw_session(h.console_path)
        said = read_all(fifth, 5.0)
        fifth.close()
        assert said.startswith("too many sessions (4 at most)"), said
        r = haven_console_pipe(h.console_path, ["show stats"])
        assert r.returncode == 1 and r.stdout == "", (r.returncode,
                                                       r.stdout)
        assert "too many sessions" in r.stderr, r.stderr
        assert "bye; the home agent runs on" in cs[0].quit()
        cs[1].sock.sendall(b"exit\n")
        assert "bye; the home agent runs on" in read_all(cs[1].sock, 5.0)
        cs[2].sock.sendall(b"\x04")         # ctrl-d on an empty line
        assert read_all(cs[2].sock, 5.0) == ""
        time.sleep(0.3)
        assert h.alive() and h.stats().get("workers") == 1
        assert "requests 0" in cs[3].show_stats()
        fresh = [self.console(h) for _ in range(3)]

        inner = self.script(["show routes", "quit", "show ports"])
        outer = self.script(["load %s" % inner, "show drops"])
        out = fresh[0].load(outer)
        echoed = re.findall(r"^haven> (.*)$", out, re.M)
        assert echoed == ["load %s" % inner, "show routes", "quit",
                          "show drops"], out
        assert "no_binding" in section(out, "show drops"), out
        assert "requests 0" in fresh[0].show_stats()

        said = cs[3].shutdown()
        assert re.search(r"shutting down the home agent: its 0 binding\(s\)"
                         r" and 0 IPv6 binding\(s\) end with it, the "
                         r"workers, ports and EAL stop", said), said
        told = read_all(fresh[1].sock, 3.0)
        assert "shutting down the home agent" in told, told
        h.proc.wait(15)
        assert h.proc.p.returncode == 0, h.proc.output()[-2000:]
        assert not h.console_path.exists()
        assert "shutdown asked on the console" in h.proc.output()

    def test_terminal_console(self):
        """The console on haven's own terminal: a log line never garbles
        the line being typed; quit leaves the terminal console and haven
        runs on; shutdown stops it.

        Steps:
            Start haven with a pseudo-terminal as its terminal (no
            --no-console); type "show sta" without Enter; register
            192.0.2.100 (its event is logged on the terminal); type "ts"
            and Enter; then "shutdown". Start it again on a terminal; type
            "quit"; read telemetry; send SIGTERM.
        Verify:
            The log line comes after an erase of the line ("\\r ESC[K"),
            and is followed by the prompt and "show sta" drawn again;
            Enter then runs show stats (1 request accepted); shutdown
            stops haven with status 0. quit says the terminal console is
            left and the agent runs on; telemetry still answers; SIGTERM
            stops it with status 0 and the log says so.
        """
        h = PtyHaven(self.lab, "tty1")
        try:
            h.start()
            h.wait_output(r"haven> (\x1b\[0K)?$", 20)
            h.type("show sta")
            h.wait_output(r"haven> (\x1b\[0K)?show sta$", 5)
            mark = len(h.proc.output())
            r = self.mip.register(coa=E.MN_VA_ADDR, lifetime=60)
            assert r.code == 0
            after = h.wait_output(r"haven: event registration: registered "
                                  r"192\.0\.2\.100[^\n]*\n.*haven> show sta",
                                  10, since=mark)
            seg = h.proc.output()[mark:]
            assert "\r\x1b[K" in seg[:seg.index("haven: event registration")
                                     ], repr(seg)
            assert after
            mark = len(h.proc.output())
            h.type("ts\r")
            h.wait_output(r"requests 1\s+accepted 1", 10, since=mark)
            h.type("shutdown\r")
            h.proc.wait(20)
            assert h.proc.p.returncode == 0, h.proc.output()[-2000:]
        finally:
            h.stop()
        h = PtyHaven(self.lab, "tty2")
        try:
            h.start()
            h.wait_output(r"haven> (\x1b\[0K)?$", 20)
            h.type("quit\r")
            h.wait_output(r"leaving the terminal console; the home agent "
                          r"runs on", 10)
            time.sleep(0.5)
            assert h.alive() and h.stats().get("workers") == 1
            assert h.stop() == 0
            assert "haven stopping on Terminated" in h.proc.output()
        finally:
            h.stop()

    def test_hints_and_completion(self):
        """What was expected, for a line no command takes; '?' lists each
        choice once; TAB completes.

        Steps:
            On a raw console session: "show bindings 203.0.113", "show
            binding", "show stats now", "frobnicate"; then type "show ?",
            ctrl-c, "show bindings ?", ctrl-c, "show runn" and TAB, Enter.
        Verify:
            The first three say what is wrong (not valid, incomplete,
            nothing expected) and give the grammar of show bindings, show
            binding, show stats; the fourth is "Command not found". "show
            ?" lists every word after "show" once (bindings once, not six
            times; running-config, version); "show bindings ?" lists
            RETURN, page, an IPv4 address, an IPv4 network and json once
            each; TAB completes "show running-config", which runs.
        """
        h = self.start(overrides=MEMORY)
        c = self.console(h)
        out = c.send("show bindings 203.0.113")
        assert 'error: not valid: "203.0.113" after "show bindings"; ' \
            'expected:' in out, out
        assert "  show bindings [<home-address>|<prefix/len>] [page <n>]" \
            in out and "Bad arguments" not in out, out
        out = c.send("show binding")
        assert 'error: "show binding" is incomplete; expected:\n  show ' \
            'binding <home-address>' in out, out
        out = c.send("show stats now")
        assert 'nothing expected at "now" after "show stats"' in out, out
        assert c.send("frobnicate").startswith("Command not found")

        c.sock.sendall(b"show ?")
        # the listing, then the line redrawn (the echo of "show " comes
        # first, in writes of its own)
        listing = read_until(c.sock, r"\n \S+ \[.*haven> (\x1b\[0K)?show "
                             r"(\x1b\[0K)?$", 5)
        words = re.findall(r"^ (\S+) \[", listing, re.M)
        assert len(words) == len(set(words)), listing
        for w in ("bindings", "bindings6", "binding", "events", "version",
                  "running-config", "stats", "mobile-nodes"):
            assert words.count(w) == 1, (w, listing)
        c.sock.sendall(b"\x03show bindings ?")
        listing = read_until(c.sock, r"\n \S.*\[.*haven> (\x1b\[0K)?show "
                             r"bindings (\x1b\[0K)?$", 5)
        choices = [l.strip() for l in listing.splitlines()
                   if l.startswith(" ") and ("[" in l)]
        heads = [x.split(":")[0] for x in choices]
        assert sorted(heads) == sorted(["[RETURN]", "page [Fixed STRING]",
                                        "[IPv4]", "[IPv4 network]",
                                        "json [Fixed STRING]"]), listing
        c.sock.sendall(b"\x03show runn\t")
        read_until(c.sock, r"show running-config $", 5)
        c.sock.sendall(b"\n")
        out = read_until(c.sock, r"mobile_nodes:.*haven> $", 5)
        assert "key: \"<hidden>\"" in out, out

    # -- show version, clear, running-config, json (issue 13) ----------

    def test_version(self):
        """show version, its JSON and /haven/version agree with the build.

        Steps:
            Note the time; start haven; show version, show version json,
            /haven/version; wait 2 s and read /haven/version again.
        Verify:
            version is meson.build's project version; git_revision is 12
            hex digits (-dirty possibly) naming a commit of this
            repository; dpdk_version is "DPDK " and pkg-config's libdpdk
            version; build_type the build's buildtype; start_time an ISO
            8601 UTC time between the moments before the start and after
            it was ready; uptime counts seconds since then; the text shows
            every one of them; telemetry equals the JSON but uptime.
        """
        t0 = time.time()
        h = self.start(overrides=MEMORY)
        t1 = time.time()
        c = self.console(h)
        text = c.show_version()
        j = c.json("show version")
        tel = h.tel.query("/haven/version")
        meson = (REPO / "meson.build").read_text()
        version = re.search(r"version:\s*'([^']+)'", meson).group(1)
        assert j["version"] == version, j
        m = re.fullmatch(r"([0-9a-f]{12})(-dirty)?", j["git_revision"])
        assert m, j
        assert subprocess.run(["git", "-C", str(REPO), "cat-file", "-e",
                               m.group(1) + "^{commit}"]).returncode == 0
        dpdk = subprocess.run(["pkg-config", "--modversion", "libdpdk"],
                              capture_output=True, text=True).stdout.strip()
        assert j["dpdk_version"] == "DPDK " + dpdk, (j, dpdk)
        opts = json.loads((REPO / "build" / "meson-info" /
                           "intro-buildoptions.json").read_text())
        buildtype = [o["value"] for o in opts if o["name"] == "buildtype"]
        assert [j["build_type"]] == buildtype, (j, buildtype)
        start = iso_seconds(j["start_time"])
        assert t0 - 1 <= start <= t1 + 1, (t0, j["start_time"], t1)
        assert 0 <= j["uptime"] <= time.time() - start + 1, j
        for k in ("version", "git_revision", "dpdk_version", "build_type",
                  "start_time"):
            assert j[k] in text, (k, text)
        assert {k: v for k, v in tel.items() if k != "uptime"} == \
            {k: v for k, v in j.items() if k != "uptime"}, (tel, j)
        time.sleep(2)
        assert h.tel.query("/haven/version")["uptime"] >= j["uptime"] + 1

    def test_clear_counters(self):
        """clear stats, clear drops, clear port stats, clear peers: the
        console counts from the clear, telemetry since start, both kept.

        Steps:
            Register (accepted), then with a wrong authenticator (denied);
            read /haven/stats; clear stats; show stats; register again;
            show stats, show stats json, /haven/stats. Read /haven/ports;
            clear port stats home; show ports; clear port stats 0 (a DPDK
            port id); clear port stats nosuch. clear drops; /haven/drops.
            clear peers (no peers here).
        Verify:
            After the clear, show stats says when and shows requests 0,
            accepted 0, denied 0, while /haven/stats still has 2 requests
            flat and 0 in since_clear, cleared_at the time the clear
            printed. One registration later: show stats 1 request, 1
            accepted; JSON flat 3 and since_clear 1, equal to telemetry;
            bindings is a level, not in since_clear. show ports counts
            from its clear (fewer packets than telemetry's since-start,
            which never went back); a port named by its DPDK id clears
            too, an unknown one is refused; /haven/drops has since_clear
            with cleared_at; clear peers is accepted.
        """
        h = self.start(overrides=MEMORY)
        self.register_accept_and_deny()
        c = self.console(h)
        before = h.stats()
        assert before["registration_requests"] == 2, before
        out = c.clear_stats()
        when = re.search(r"stats cleared at (\S+Z)", out).group(1)
        s = c.show_stats()
        assert "counters since clear at %s" % when in s, s
        assert re.search(r"requests 0\s+accepted 0\s+denied 0", s), s
        tel = h.stats()
        assert tel["registration_requests"] == 2, tel
        assert tel["since_clear"]["registration_requests"] == 0, tel
        assert tel["since_clear"]["cleared_at"] == when, tel
        assert self.mip.register(coa=E.MN_VA_ADDR, lifetime=60).code == 0
        s = c.show_stats()
        assert re.search(r"requests 1\s+accepted 1\s+denied 0", s), s
        j = c.json("show stats")
        tel = h.stats()
        assert j["registration_requests"] == tel["registration_requests"] \
            == 3, (j, tel)
        assert j["since_clear"]["registration_requests"] == \
            tel["since_clear"]["registration_requests"] == 1, (j, tel)
        assert "bindings" in j and "bindings" not in j["since_clear"], j
        for k, v in before.items():
            if isinstance(v, int) and k not in ("bindings", "bindings6",
                                                "workers"):
                assert tel[k] >= v, (k, v, tel[k])

        p0 = h.tel.query("/haven/ports")
        out = c.clear_port_stats("home")
        assert "port home stats cleared at" in out, out
        ports = c.show_ports()
        assert "counters since" in ports, ports
        rx = int(re.search(r"rx packets (\d+)", ports).group(1))
        p1 = h.tel.query("/haven/ports")
        assert p1["ipackets"][0] >= p0["ipackets"][0] > rx, (p0, p1, rx)
        assert p1["ipackets_since_clear"][0] < p1["ipackets"][0], p1
        assert "cleared at" in c.clear_port_stats("0")
        out = c._command("clear port stats nosuch", refused=True)
        assert "no port nosuch" in out, out
        assert "drops cleared at" in c.clear_drops()
        d = h.drops()
        assert set(d["since_clear"]) == set(d) - {"since_clear"} | \
            {"cleared_at"}, d
        assert all(v == 0 for k, v in d["since_clear"].items()
                   if k != "cleared_at"), d
        assert "cleared at" in c.clear_peers()

    def test_runtime_and_port_counters(self):
        """show runtime (per worker: packets, bursts, packets per burst,
        cycles per packet, busy share, punts, drops) and clear runtime;
        show ports' haven counters per input port.

        Steps:
            Register with T (reverse tunnel); read show runtime json and
            /haven/ports; clear runtime; flush the correspondent host's
            neighbour table and send 2000 UDP datagrams to the away node
            from it at 2000 per second (proxy ARP, then the datagrams
            tunnelled); from the mobile node inject 50
            IP-in-IP datagrams 198.51.100.10 -> 192.0.2.1 around
            192.0.2.100 -> 192.0.2.10 (reverse tunnel); show runtime
            (json and text), /haven/runtime twice 0.3 s apart, show
            ports json, /haven/ports; clear port stats home; show ports.
        Verify:
            One row per worker, its lcore; since the clear the workers
            received at least the 2000 datagrams and the 50 injected, fewer
            than since start; the traffic made a worker busy (busy share
            above 0 per mille, cycles per packet above 0); the derived
            figures agree with the counters (packets per burst = packets
            / bursts, cycles per packet = busy cycles / packets, busy =
            busy cycles / cycles, within [0, 1000] per mille); turns at
            least bursts, and turns grow while idle; telemetry's
            since-start counters are no smaller than the console's; the
            text row shows the same packets. The home port's received
            grew by at least 2000 + 50 + 1 (ARP), its tunnelled by
            at least 2000, its decapsulated by at least 50, its
            proxy replies by at least 1; the totals of the ports are no
            more than /haven/stats' encap, decap and punted counters.
            After clear port stats home, show ports says tunnelled 0 for
            home.
        """
        h = self.start(overrides=MEMORY)
        r = self.mip.register(coa=E.MN_VA_ADDR, lifetime=60, flags="T")
        assert r.code == 0, r.code_text
        c = self.console(h)
        j0 = c.json("show runtime")
        assert len(j0["workers"]) == h.tel.query("/haven/stats")["workers"]
        p0 = h.tel.query("/haven/ports")
        out = c.clear_runtime()
        assert "runtime cleared at" in out, out
        self.lab.flush_neigh("ch")
        sent = Stream(self.lab).send("ch", count=2000, rate=2000)
        tx = sent["sent"]
        assert tx == 2000, sent
        self.lab.run("mn", [PY, DTS / "inject.py", "--outer-src",
                            E.MN_VA_ADDR, "--outer-dst", E.HA_ADDR,
                            "--encap", "ipip", "--inner-src",
                            E.MN_HOME_ADDR, "--inner-dst", E.CH_ADDR,
                            "--count", 50])
        j = c.json("show runtime")
        text = c.show_runtime()
        tel = h.tel.query("/haven/runtime")
        time.sleep(0.3)
        tel2 = h.tel.query("/haven/runtime")
        since = sum(w["packets_since_clear"] for w in j["workers"])
        assert since >= tx + 50, (tx, j)
        assert since < sum(w["packets"] for w in j["workers"]), j
        assert max(w["busy_permille_since_clear"] for w in j["workers"]) \
            > 0, j
        print("runtime after %d datagrams + 50: %s" % (tx, [
            {k: w[k + "_since_clear"] for k in (
                "packets", "bursts", "turns", "busy_permille",
                "cycles_per_packet", "average_burst_x100")}
            for w in j["workers"]]))
        for i, w in enumerate(j["workers"]):
            assert w["worker"] == i and w["lcore"] >= 1, w
            for sfx in ("", "_since_clear"):
                pk, bu = w["packets" + sfx], w["bursts" + sfx]
                busy, cyc = w["busy_cycles" + sfx], w["cycles" + sfx]
                assert bu <= pk and w["turns" + sfx] >= bu, w
                assert w["average_burst_x100" + sfx] == (
                    (pk * 100 + bu // 2) // bu if bu else 0), w
                assert w["cycles_per_packet" + sfx] == (
                    (busy + pk // 2) // pk if pk else 0), w
                assert 0 <= w["busy_permille" + sfx] <= 1000 and \
                    w["busy_permille" + sfx] == (
                        (busy * 1000 + cyc // 2) // cyc if cyc else 0), w
                assert busy <= cyc, w
            if w["packets_since_clear"] > 0:
                assert w["cycles_per_packet_since_clear"] > 0, w
            for k in ("packets", "bursts", "turns", "busy_cycles",
                      "punts", "drops"):
                assert tel[k][i] >= w[k] >= w[k + "_since_clear"], (k, w)
            assert tel2["turns"][i] > tel["turns"][i], (tel, tel2)
            assert tel2["cycles"][i] > tel["cycles"][i], (tel, tel2)
            row = [l.split() for l in text.splitlines()
                   if l.split()[:2] == [str(i), str(w["lcore"])]]
            assert len(row) == 1, text
            assert int(row[0][3]) >= w["packets_since_clear"] and \
                int(row[0][3]) <= tel["packets"][i], (row, w)
        assert "counters since %s" % j["workers"][0]["cleared_at"] in text

        pj = c.json("show ports")["ports"]
        p1 = h.tel.query("/haven/ports")
        home = p1["name"].index("home")
        grew = {k: p1[k][home] - p0[k][home] for k in (
            "received", "tunnelled", "decapsulated", "proxy_replies",
            "punted", "dropped")}
        print("home port grew by %s" % grew)
        assert grew["received"] >= tx + 50 + 1, (tx, grew)
        assert grew["tunnelled"] >= tx, (tx, grew)
        assert grew["decapsulated"] >= 50, grew
        assert grew["proxy_replies"] >= 1, grew
        st = h.stats()
        assert sum(p1["tunnelled"]) <= st["encap_packets"], (p1, st)
        assert sum(p1["decapsulated"]) <= st["decap_packets"], (p1, st)
        assert sum(p1["punted"]) <= st["punted"], (p1, st)
        for k in grew:
            assert pj[home][k] <= p1[k][home], (k, pj, p1)
        c.clear_port_stats("home")
        ports = c.show_ports()
        m = re.search(r"^  home:.*?haven: received (\d+)\s+tunnelled (\d+)",
                      ports, re.S | re.M)
        assert m is not None and int(m.group(2)) == 0, ports

    def test_running_config(self):
        """show running-config is the configuration in force, YAML that
        haven loads back to the same effect, secrets hidden.

        Steps:
            Start haven from config/lab.yaml with non-default values
            (max_lifetime 900, replay_window 9, encapsulations ipip and
            gre, reverse_tunnel false, log_level notice); add a mobile
            node 192.0.2.150 (hmac-sha256) to its file and reload; show
            running-config; put every key back in the text's YAML; check
            it with haven --check; stop haven; start a haven from that
            file; show running-config there.
        Verify:
            The text loads as YAML, equal to show running-config json;
            no key byte (hex or text) is in it and every mobile node's
            key is "<hidden>"; it holds the reload's new node; every
            value the file sets is in it, the same; with the keys back
            haven --check accepts it; the second haven's running
            configuration equals the first (but for the file prefix and
            the console socket, which the harness sets).
        """
        import yaml
        over = dict(MEMORY, **{
            "home_agent.max_lifetime": 900, "home_agent.replay_window": 9,
            "home_agent.encapsulations": ["ipip", "gre"],
            "home_agent.reverse_tunnel": False, "log_level": "notice"})
        h = self.start(overrides=over)
        cfg = yaml.safe_load(h.config_path.read_text())
        key150 = "hex:" + "ab" * 32
        cfg["mobile_nodes"].append({"home_address": "192.0.2.150",
                                    "spi": 4150, "algorithm": "hmac-sha256",
                                    "key": key150})
        h.config_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        c = self.console(h)
        assert "reloaded" in c._command("reload")
        text = c.show_running_config()
        run = yaml.safe_load(text)
        assert run == c.json("show running-config"), text
        keys = {m["home_address"]: h_key(m) for m in cfg["mobile_nodes"]}
        for k in keys.values():
            for secret in key_forms(k):
                assert secret not in text, ("key in running-config", k)
        assert [m["key"] for m in run["mobile_nodes"]] == \
            ["<hidden>"] * len(cfg["mobile_nodes"]), text
        assert "192.0.2.150" in [m["home_address"] for m in
                                 run["mobile_nodes"]], text
        assert_same_effect(cfg, run)

        for m in run["mobile_nodes"]:
            m["key"] = keys[m["home_address"]]
        f2 = self.script([])
        f2.write_text(yaml.safe_dump(run, sort_keys=False))
        r = subprocess.run([str(HAVEN_BIN), "-f", str(f2), "--check"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stdout + r.stderr
        assert h.stop() == 0
        again = dict(run)
        again.pop("console_socket", None)
        h2 = self.start(config=again, name="ha2")
        run2 = yaml.safe_load(self.console(h2).show_running_config())
        for d in (run, run2):
            d["eal"].pop("file_prefix")
            d.pop("console_socket", None)
            for m in d["mobile_nodes"]:
                m["key"] = "<hidden>"
        assert run2 == run, (run, run2)

    def test_json_and_text_agree(self):
        """Every show command of help, with json at its end, prints JSON
        whose values the text and telemetry show too.

        Steps:
            Register (accepted, denied); from help, every grammar that
            starts with "show", its optional parts left out and its
            arguments filled (the bound home address, DPDK port 0, an
            IPv6 address for the IPv6 views); run each with json; read
            the telemetry endpoints of the same data.
        Verify:
            Every reply parses as JSON (the IPv6 views, without IPv6
            here, as {"error": ...}); stats, drops, version, ports, peers
            equal their telemetry (counters no smaller there); mobile
            nodes, bindings, one binding and events have telemetry's
            values in telemetry's key names; the text shows the JSON's
            values (totals, rows, addresses, event numbers); the running
            configuration's text is its JSON as YAML.
        """
        import yaml
        h = self.start(overrides=MEMORY)
        self.register_accept_and_deny()
        c = self.console(h)
        grammars = [l.strip().split(":")[0] for l in c.help().splitlines()
                    if l.strip().startswith("show ")]
        assert len(grammars) >= 17, grammars
        js = {}
        for g in grammars:
            line = concrete(g)
            js[line] = c.json(line)
        print("\n".join(sorted(js)))
        six = [l for l in js if l.split()[1].endswith("6")]
        assert all(set(js[l]) == {"error"} for l in six), six

        text = c.show_stats()
        j = js["show stats"]
        tel = h.stats()
        for k, v in j.items():
            if isinstance(v, int):
                assert tel[k] >= v, (k, v, tel[k])
        sc = j["since_clear"]
        assert re.search(r"requests %d\s+accepted %d\s+denied %d" % (
            sc["registration_requests"], sc["registrations_accepted"],
            sc["registrations_denied"]), text), text
        assert js["show drops"].keys() == h.drops().keys()
        drops = c.show_drops()
        for k, v in js["show drops"]["since_clear"].items():
            if k != "cleared_at":
                assert re.search(r"^\s*%s\s+%d\s" % (k, v), drops, re.M), k
        ver = h.tel.query("/haven/version")
        assert ver["git_revision"] == js["show version"]["git_revision"]
        tp = h.tel.query("/haven/ports")
        for i, p in enumerate(js["show ports"]["ports"]):
            for k in ("name", "port_id", "mac", "address", "device"):
                assert tp[k][i] == p[k], (k, tp, p)
            assert tp["ipackets"][i] >= p["ipackets"]
            assert p["mac"] in c.show_ports()
        assert js["show peers"]["peers"] == [] and \
            h.tel.query("/haven/peers")["rejected_messages"] == \
            js["show peers"]["rejected_messages"]

        mn = h.tel.query("/haven/mobile_nodes")
        rows = js["show mobile-nodes"]["mobile_nodes"]
        assert [r["home_address"] for r in rows] == mn["home_address"]
        assert [r["spi"] for r in rows] == mn["spi"]
        assert [r["key_length"] for r in rows] == mn["key_length"]
        assert [r["bound"] for r in rows] == mn["bound"]
        mtext = c.show_mobile_nodes()
        for r in rows:
            assert re.search(r"%s\s+%d %s\s+%dB" % (
                re.escape(r["home_address"]), r["spi"], r["algorithm"],
                r["key_length"]), mtext), (r, mtext)
        b = js["show bindings"]
        tb = h.tel.query("/haven/bindings")
        assert [r["home_address"] for r in b["bindings"]] == \
            tb["home_address"] == [E.MN_HOME_ADDR]
        assert [r["encap"] for r in b["bindings"]] == tb["encap"]
        assert b["total"] == tb["total"] == 1
        one = js["show binding %s" % E.MN_HOME_ADDR]
        t1 = h.tel.query("/haven/binding", E.MN_HOME_ADDR)
        assert [x["address"] for x in one["care_of"]] == t1["care_of"]
        for k in ("encap", "forwarder", "generation", "packets"):
            assert one[k] == t1[k], (k, one, t1)
        assert one["care_of"][0]["lifetime"] == t1["lifetime"]
        assert "care-of %s" % one["care_of"][0]["address"] in \
            c.show_binding(E.MN_HOME_ADDR)
        ev = js["show events"]["events"]
        te = h.tel.query("/haven/events")
        assert [e["seq"] for e in ev] == te["seq"][-len(ev):]
        assert [e["code"] for e in ev] == te["code"][-len(ev):]
        assert [e["text"] for e in ev] == te["text"][-len(ev):]
        etext = c.show_events()
        for e in ev:
            assert re.search(r"^\s*%d %s %s" % (e["seq"], re.escape(
                e["time"]), e["kind"]), etext, re.M), (e, etext)
        routes = c.show_routes()
        for r in js["show routes"]["routes"]:
            assert re.search(r"%s\s+%s\s+%s" % (re.escape(r["prefix"]),
                                                re.escape(r["gateway"]),
                                                r["port"]), routes), r
        assert yaml.safe_load(c.show_running_config()) == \
            js["show running-config"]
        levels = c.show_log_levels()
        for t in js["show log levels"]["types"]:
            assert "id %d: %s, level is %s" % (t["id"], t["name"],
                                               t["level"]) in levels, t

    # -- terminal monitor, event filters, clear binding (issue 13) -----

    def test_terminal_monitor(self):
        """terminal monitor: live events and log lines in a socket
        session, over the line being typed.

        Steps:
            Two sessions; "terminal monitor" on the first; type "show
            sta" there without Enter; register 192.0.2.100; open a third
            session (logged: "console session N opened"); type "ts" and
            Enter; "terminal no monitor"; register again.
        Verify:
            The monitoring session shows the registration event (seq,
            time, kind, code, text) after an erase of the line, then the
            prompt and "show sta" again; then the log line of the new
            session; Enter runs show stats; after "terminal no monitor"
            nothing more comes; the other session never gets any of it.
        """
        h = self.start(overrides=MEMORY)
        c = self.console(h)
        other = self.console(h)
        assert "monitoring: events and log lines" in c.terminal_monitor()
        c.sock.sendall(b"show sta")
        read_until(c.sock, r"show sta$", 5)
        assert self.mip.register(coa=E.MN_VA_ADDR, lifetime=60).code == 0
        got = read_until(c.sock, r"event \d+ \S+Z registration 0: "
                         r"registered 192\.0\.2\.100 at 198\.51\.100\.10"
                         r"[^\n]*\n.*haven> show sta", 10)
        assert got.index("\r\x1b[K") < got.index("event "), repr(got)
        third = self.console(h)
        got = read_until(c.sock, r"haven: console session \d+ opened", 10)
        c.sock.sendall(b"ts\n")
        got = read_until(c.sock, r"requests 1\s+accepted 1", 10)
        read_all(c.sock, 0.5)              # the rest of show stats
        assert "monitoring off" in c.terminal_monitor(False)
        assert self.mip.register(coa=E.MN_VA_ADDR, lifetime=60).code == 0
        assert "event" not in read_all(c.sock, 2.0)
        assert read_all(other.sock, 0.5) == ""
        assert third.show_stats()

    def test_event_filters(self):
        """show events kind <kind> and home-address <address>.

        Steps:
            Register 192.0.2.100 (accepted), again with a wrong
            authenticator (denied), register 192.0.2.102, deregister
            192.0.2.100; show events with kind registration, with
            home-address 192.0.2.102, with both kind deregistration and
            home-address 192.0.2.100, with kind registration and a count
            of 1, with an IPv6 home address, with an unknown kind.
        Verify:
            Each lists only what it asks for, oldest first: 3
            registrations (codes 0, 131, 0); 192.0.2.102's registration
            only; the one deregistration; the newest registration only;
            none for the IPv6 address; the unknown kind is refused with
            the grammar; the JSON of a filtered list has the same rows
            and names its filter.
        """
        h = self.start(overrides=MEMORY)
        self.register_accept_and_deny()
        m102 = MipClient(self.lab, h.mn("192.0.2.102"))
        assert m102.register(coa=E.MN_VA_ADDR, lifetime=60).code == 0
        assert self.mip.register(coa=E.MN_VA_ADDR, lifetime=0).code == 0
        c = self.console(h)

        def kinds(text):
            return [(l.split()[2], l.split()[3]) for l in text.splitlines()
                    if re.match(r"\s*\d+ \d{4}-", l)]
        regs = c.show_events(kind="registration")
        assert kinds(regs) == [("registration", "0"), ("registration",
                               "131"), ("registration", "0")], regs
        assert "of kind registration" in regs
        only = c.show_events(hoa="192.0.2.102")
        assert kinds(only) == [("registration", "0")], only
        assert "registered 192.0.2.102" in only
        dereg = c.show_events(kind="deregistration", hoa=E.MN_HOME_ADDR)
        assert kinds(dereg) == [("deregistration", "0")], dereg
        last = c.show_events(n=1, kind="registration")
        assert kinds(last) == [("registration", "0")] and \
            "192.0.2.102" in last, last
        assert kinds(c.show_events(hoa="2001:db8:1::100")) == []
        out = c.send("show events kind frob")
        assert re.search(r'error: not valid: "frob" after "show events '
                         r'kind"', out), out
        assert "show events [kind <kind>]" in out, out
        j = c.json("show events kind registration home-address 192.0.2.102")
        assert [e["text"] for e in j["events"]] == \
            [l.split(None, 4)[4] for l in only.splitlines()
             if re.match(r"\s*\d+ \d{4}-", l)], (j, only)
        assert j["kind"] == "registration" and \
            j["home_address"] == "192.0.2.102", j

    def test_clear_binding(self):
        """clear binding removes a binding as a deregistration would, and
        hands the home address back to the node if it is home.

        Steps:
            clear binding of a stranger and of an unbound node; register
            192.0.2.100; ping it from the router (its ARP cache learns
            the agent's MAC for it); capture ARP on the correspondent;
            clear binding 192.0.2.100 (the node away: nobody answers).
            Register again; ping from the router; give the correspondent
            192.0.2.100 too (the node came home, its deregistration
            lost); capture; clear binding 192.0.2.100.
        Verify:
            The stranger and the unbound node are refused with their
            reasons. Away: the binding is gone from telemetry and show
            bindings, an admin_release event names it, the agent asked
            who has 192.0.2.100 (1 to 3 ARP requests) and announced
            nothing for it. Home: the correspondent answers, and the
            agent announces 192.0.2.100 with the correspondent's MAC
            (gratuitous ARP: sender and target 192.0.2.100), twice; the
            router's ARP cache then holds the correspondent's MAC.
        """
        hoa, ch_mac, ha_mac = E.MN_HOME_ADDR, E.CH_MAC.lower(), \
            E.HA_MAC.lower()
        h = self.start(overrides=MEMORY)
        c = self.console(h)
        assert "is no mobile node" in c.clear_binding("192.0.2.99",
                                                      refused=True)
        assert "no binding for 192.0.2.101" in \
            c.clear_binding("192.0.2.101", refused=True)
        assert self.mip.register(coa=E.MN_VA_ADDR, lifetime=60).code == 0
        self.lab.ping("rt", hoa, count=1)
        assert self.lab.neigh("rt", hoa) == ha_mac
        with Capture(self.lab, "ch", E.CH_IFACE, "arp",
                     name="clear-away") as cap:
            out = c.clear_binding(hoa)
            time.sleep(4.5)
        assert "binding of %s removed" % hoa in out, out
        assert not h.bindings() and "0 binding(s)" in c.show_bindings()
        ev = c.show_events(kind="admin_release")
        assert "binding of %s removed by the operator" % hoa in ev, ev
        arps = cap.layer("arp")
        asked = [a for a in arps if a.get("arp.opcode") == "1" and
                 a.get("arp.dst.proto_ipv4") == hoa and
                 a.get("arp.src.proto_ipv4") == E.HA_ADDR]
        assert 1 <= len(asked) <= 3, arps
        assert not [a for a in arps if a.get("arp.src.proto_ipv4") == hoa]

        assert self.mip.register(coa=E.MN_VA_ADDR, lifetime=60).code == 0
        self.lab.ping("rt", hoa, count=1)
        self.lab.run("ch", ["ip", "addr", "add", hoa + "/32", "dev",
                            E.CH_IFACE])
        try:
            with Capture(self.lab, "ch", E.CH_IFACE, "arp",
                         name="clear-home") as cap:
                c.clear_binding(hoa)
                wait_until(lambda: self.lab.neigh("rt", hoa) == ch_mac, 6,
                           0.2, "the router's cache moved to the node")
            arps = cap.layer("arp")
        finally:
            self.lab.run("ch", ["ip", "addr", "del", hoa + "/32", "dev",
                                E.CH_IFACE], check=False)
        told = [a for a in arps if a.get("arp.opcode") == "1" and
                a.get("arp.src.proto_ipv4") == hoa and
                a.get("arp.dst.proto_ipv4") == hoa and
                a.get("arp.src.hw_mac") == ch_mac]
        assert len(told) == 2, arps
        assert not h.bindings()


# -- helpers ---------------------------------------------------------------

def raw_session(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(str(path))
    return s


def read_all(sock, timeout):
    """What a socket says within timeout, or until it closes."""
    end = time.monotonic() + timeout
    buf = b""
    while time.monotonic() < end:
        sock.settimeout(max(0.05, end - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace")


def read_until(sock, pattern, timeout):
    """Read until the text matches pattern (regex, DOTALL, MULTILINE);
    the text read."""
    rx = re.compile(pattern, re.S | re.M)
    end = time.monotonic() + timeout
    buf = ""
    while not rx.search(buf):
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError("no %r within %s s in %r" % (
                pattern, timeout, buf))
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            raise AssertionError("closed before %r: %r" % (pattern, buf))
        buf += chunk.decode(errors="replace")
    return buf


def iso_seconds(t):
    from datetime import datetime
    return datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()


def concrete(grammar):
    """A line for a grammar of help: optional parts left out, arguments
    filled; AssertionError for an argument nobody taught this test."""
    line = re.sub(r"\s*\[[^\]]*\]", "", grammar)
    six = "6" in line.split()[1]
    fill = {"<home-address>": "2001:db8:1::100" if six else E.MN_HOME_ADDR,
            "<port-id>": "0"}
    for k, v in fill.items():
        line = line.replace(k, v)
    assert "<" not in line and "|" not in line, "fill %r" % grammar
    return line


def h_key(m):
    """The key of a mobile node entry of a configuration."""
    if "key" in m:
        return m["key"]
    return (REPO / "config" / m["key_file"]).read_text().strip()


def key_forms(key):
    """A configured key as it could leak: its text and its hex."""
    if key.startswith("hex:"):
        raw = bytes.fromhex(key[4:])
        return [key[4:].lower(), key[4:].upper()] + (
            [raw.decode()] if raw.isascii() and raw.decode().isprintable()
            else [])
    return [key, key.encode().hex()]


def assert_same_effect(cfg, run):
    """Every value the configuration file sets is in the running one."""
    def norm(v):
        return {True: "on", False: "off"}.get(v, v) if isinstance(
            v, bool) else v
    for k in ("idle", "log_level"):
        if k in cfg:
            assert run[k] == cfg[k], (k, cfg[k], run[k])
    for k, v in cfg["eal"].items():
        if k == "hugepages":
            assert norm(run["eal"][k]) == norm(v), (k, v, run["eal"])
        else:
            assert run["eal"][k] == v, (k, v, run["eal"])
    for a, b in zip(cfg["ports"], run["ports"]):
        for k in a:
            assert b[k] == a[k], (k, a, b)
    assert [(r["prefix"], r["gateway"]) for r in cfg.get("routes", [])] == \
        [(r["prefix"], r["gateway"]) for r in run.get("routes", [])]
    for k, v in cfg["home_agent"].items():
        if k == "console_socket":
            continue
        assert run["home_agent"][k] == v, (k, v, run["home_agent"])
    by = {m["home_address"]: m for m in run["mobile_nodes"]}
    assert set(by) == {m["home_address"] for m in cfg["mobile_nodes"]}
    for m in cfg["mobile_nodes"]:
        r = by[m["home_address"]]
        assert r["spi"] == m["spi"], (m, r)
        assert r["algorithm"] == m.get("algorithm", "hmac-md5"), (m, r)
        assert r.get("max_lifetime") == m.get("max_lifetime"), (m, r)


class PtyProc:
    """A haven process on a pseudo-terminal: what Haven needs of Proc."""

    def __init__(self, argv, log):
        self.name = "haven"
        self.log = Path(log)
        self.master, slave = pty.openpty()
        self.p = subprocess.Popen([str(a) for a in argv], stdin=slave,
                                  stdout=slave, stderr=slave,
                                  start_new_session=True)
        os.close(slave)
        self.pid = self.p.pid
        self.buf = b""

    def _pump(self):
        while self.master is not None:
            r, _, _ = select.select([self.master], [], [], 0)
            if not r:
                return
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.buf += chunk
            self.log.write_bytes(self.buf)

    def alive(self):
        return self.p.poll() is None

    def output(self):
        self._pump()
        return self.buf.decode(errors="replace")

    def wait(self, timeout=None):
        end = time.monotonic() + (timeout or 3600)
        while self.alive() and time.monotonic() < end:
            self._pump()
            time.sleep(0.05)
        self._pump()
        return self.p.wait(1)

    def stop(self, timeout=5.0, sig=signal.SIGTERM):
        if self.alive():
            os.kill(self.pid, sig)
            try:
                self.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.p.wait(5)
        self._pump()
        if self.master is not None:
            os.close(self.master)
            self.master = None
        return self.p.returncode


class PtyHaven(Haven):
    """haven with a pseudo-terminal as its terminal: its console there."""

    def __init__(self, lab, name):
        super().__init__(lab, name=name, overrides=MEMORY,
                         log=OUT / ("TestSuite_operator-%s.log" % name))

    def spawn(self):
        self.proc = PtyProc(["ip", "netns", "exec", self.lab.ns(self.role),
                             HAVEN_BIN, "-f", self.config_path], self.log)
        return self

    def type(self, text):
        os.write(self.proc.master, text.encode())

    def wait_output(self, pattern, timeout, since=0):
        rx = re.compile(pattern, re.S | re.M)
        return wait_until(lambda: rx.search(self.proc.output()[since:]),
                          timeout, 0.05, "%r on the terminal" % pattern)

    def stop(self):
        if self.proc is None:
            return None
        if not hasattr(self, "rc"):
            self.rc = super().stop()
        return self.rc
