# SPDX-License-Identifier: BSD-3-Clause
"""NAT suite (RFC 3519, issue 14): a mobile node behind a NAT is reached
with IP in UDP.

The lab gets a NAT (lab.sh nat): <p>-nat masquerades, with random public
ports and a UDP timeout of NAT_TIMEOUT seconds, what the mobile node
<p>-mnn (198.51.100.138, private side) sends toward the router; its public
address is 203.0.113.130. The mobile node registers from port 43434 with a
UDP Tunnel Request (dts/mipclient.py, scapy and Python's hmac); the home
agent sees the NAT (the request's source is not its care-of address) and
tunnels in UDP from 192.0.2.1:434 to the NAT's public address and port.
The mobile node's endpoint (dts/mn_endpoint.py --udp-port) decapsulates,
reverse-tunnels the same way, and sends keepalives at the interval the
reply gave. Every test starts its own haven; the NAT's mappings are
forgotten before each. tshark on the router's side of the NAT (<p>-rt,
vnn) decodes what crosses it, independently of haven.
"""

import time

import pytest

from lab import OUT, Delegation, E, Haven, MipClient, care_of_list, until

HOA = E.MN_HOME_ADDR
MNN = E.MNN_ADDR
NAT = E.NAT_PUB_ADDR
PORT = int(E.MN_UDP_PORT)
NAT_TIMEOUT = 5                 # seconds, the NAT's UDP timeout
KEEPALIVE = 2                   # seconds, home_agent.udp_tunnel.keepalive_s
UDP = {"home_agent.udp_tunnel": {"enabled": True, "keepalive_s": KEEPALIVE,
                                 "force_allowed": True}}
# the tunnel as tshark reads it on the NAT's public side
TUNNEL_FIELDS = ("ip.src", "ip.dst", "udp.srcport", "udp.dstport",
                 "mip.type", "mip.nattt.nexthdr", "icmp.type")


@pytest.fixture(scope="module")
def nat_lab(lab):
    """The lab with its NAT (built for this suite only)."""
    lab.nat(udp_timeout=NAT_TIMEOUT)
    return lab


class TestSuite_nat:
    """Correspondent host 192.0.2.10 on the home link; the mobile node
    192.0.2.100 behind the NAT at 198.51.100.138 (<p>-mnn), or at
    198.51.100.10 without one (<p>-mn); haven afresh for every test with
    home_agent.udp_tunnel {enabled, keepalive_s 2, force_allowed}."""

    @pytest.fixture(autouse=True)
    def set_up_test(self, nat_lab, haven, endpoint, mip, stream, tshark,
                    console, logname):
        self.lab = nat_lab
        self.logname = logname
        self.agents = []
        self.ha = haven(overrides=UDP)
        self.con = console(self.ha)
        self.start_endpoint = endpoint
        self.mip = mip                                  # <p>-mn, no NAT
        self.nmip = MipClient(nat_lab, mip.sa, role="mnn")
        self.stream = stream
        self.tshark = tshark
        nat_lab.nat_flush()
        nat_lab.flush_neigh("ch", HOA)
        try:
            yield
        finally:
            for h in reversed(self.agents):
                h.stop()

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def register_nat(self, sport=PORT, expect=0, **kw):
        """A registration from behind the NAT with a UDP Tunnel Request."""
        kw.setdefault("udp", True)
        r = self.nmip.register(coa=MNN, sport=sport, flags="T", **kw)
        assert r.replied, "no reply to the registration"
        assert r.code == expect, (r.code, r.code_text)
        assert r.auth_ok
        return r

    def public_port(self, port=PORT):
        """The NAT's public port of the mobile node's port, or None."""
        m = self.lab.nat_mappings(port)
        return m[0][2] if m else None

    def binding(self):
        b = self.ha.binding(HOA)
        assert b is not None, "no binding of %s" % HOA
        return b

    def nat_endpoint(self, **kw):
        kw.setdefault("reverse", True)
        return self.start_endpoint(ifaces=(E.MNN_IFACE,), role="mnn",
                                   udp_port=PORT, **kw)

    def ping(self, count=5):
        return self.lab.ping("ch", HOA, count=count, interval=0.2)[1]

    def stream_to_mn(self, count, rate=200, port=9000):
        recv = self.stream.receiver("mnn", port=port,
                                    duration=count / rate + 10, expect=count)
        self.stream.send("ch", count=count, rate=rate, port=port)
        return self.stream.result(recv)

    def stream_from_mn(self, count, rate=200, port=9001):
        recv = self.stream.receiver("ch", port=port,
                                    duration=count / rate + 10, expect=count)
        self.stream.send("mnn", dst=E.CH_ADDR, count=count, rate=rate,
                         port=port, src=HOA)
        return self.stream.result(recv)

    def drop(self, key):
        return int(self.ha.drops().get(key, 0))

    # ------------------------------------------------------------------
    # registration
    # ------------------------------------------------------------------

    def test_nat_detected(self):
        """A request from behind the NAT is bound with UDP tunnelling.

        Steps:
            Capture on the router's side of the NAT; register from
            198.51.100.138 port 43434 with a UDP Tunnel Request (F clear).
        Verify:
            Code 0, authenticated, a UDP Tunnel Reply of code 0, F clear,
            keepalive 2 s; tshark reads the request from 203.0.113.130 and
            the NAT's public port (the one conntrack shows), with F 0 and
            encapsulation 4, and the reply to that address and port with
            code 0 and keepalive 2; the binding is encap udp at care-of
            198.51.100.138 through 203.0.113.130 and that port, from port
            434; the console shows the NAT; /haven/registrations counts
            one UDP-tunnelled registration.
        """
        with self.tshark("rt", E.RT_NAT_IFACE, "udp port 434") as cap:
            r = self.register_nat()
        assert r.udp == {"code": 0, "forced": False, "keepalive": KEEPALIVE,
                         "subtype": 0}, r.udp
        pub = self.public_port()
        assert pub is not None, self.lab.nat_mappings()
        m = cap.mip()
        req = [x for x in m if str(x.get("mip.type")) == "1"]
        rep = [x for x in m if str(x.get("mip.type")) == "3"]
        assert len(req) == 1 and len(rep) == 1, m
        assert req[0]["_ip.src"] == NAT, req[0]
        assert str(req[0]["mip.ext.utrq.f"]) in ("0", "False"), req[0]
        assert str(req[0]["mip.ext.utrq.encaptype"]) == "4", req[0]
        assert str(rep[0]["mip.code"]) == "0", rep[0]
        assert str(rep[0]["mip.ext.utrp.code"]) == "0", rep[0]
        assert str(rep[0]["mip.ext.utrp.keepalive"]) == str(KEEPALIVE)
        ports = cap.fields(("ip.dst", "udp.dstport"), "mip.type == 3")
        assert ports == [{"ip.dst": [NAT], "udp.dstport": [str(pub)]}], \
            ports
        b = self.binding()
        assert b["encap"] == "udp" and care_of_list(b) == [MNN], b
        assert b["nat_address"] == [NAT] and b["nat_port"] == [pub], b
        assert b["udp_source_port"] == 434, b
        assert "behind NAT %s:%d" % (NAT, pub) in \
            self.con.show_binding(HOA)
        rows = self.ha.bindings()
        assert rows[0]["nat_address"] == NAT, rows
        assert rows[0]["nat_port"] == str(pub), rows
        assert self.ha.registrations()["udp_tunnelled"] == 1

    def test_no_nat_keeps_ipip_unless_forced(self):
        """Without a NAT the node keeps IP in IP, unless it forces UDP.

        Steps:
            From 198.51.100.10 (no NAT), with the IP-in-IP endpoint on
            va: register with a UDP Tunnel Request; ping the home address.
            Then register with the F flag from port 43434, and with the
            UDP endpoint on va instead, ping again.
        Verify:
            First: code 0 with a UDP Tunnel Reply of code 64 (declined),
            the binding ipip without a NAT, the pings arrive IP in IP
            (the endpoint's ipip counter). Forced: a UDP Tunnel Reply of
            code 0 with F set, the binding udp to 198.51.100.10 port
            43434 itself, the pings arrive in UDP (its udp counter) and
            no more in IP in IP.
        """
        ep = self.start_endpoint(ifaces=(E.MN_VA_IFACE,))
        r = self.mip.register(coa=E.MN_VA_ADDR, udp=True)
        assert r.code == 0 and r.auth_ok, (r.code, r.code_text)
        assert r.udp and r.udp["code"] == 64 and not r.udp["forced"], r.udp
        b = self.binding()
        assert b["encap"] == "ipip" and b["nat_port"] == [0], b
        assert self.ping() >= 4
        assert ep.counters(E.MN_VA_IFACE)["ipip"] >= 4
        ep.stop()

        ep = self.start_endpoint(ifaces=(E.MN_VA_IFACE,), udp_port=PORT)
        r = self.mip.register(coa=E.MN_VA_ADDR, sport=PORT, udp_force=True)
        assert r.code == 0 and r.auth_ok, (r.code, r.code_text)
        assert r.udp == {"code": 0, "forced": True, "keepalive": KEEPALIVE,
                         "subtype": 0}, r.udp
        b = self.binding()
        assert b["encap"] == "udp", b
        assert b["nat_address"] == [E.MN_VA_ADDR], b
        assert b["nat_port"] == [PORT], b
        assert self.ping() >= 4
        c = ep.counters(E.MN_VA_IFACE)
        assert c["udp"] >= 4 and c["ipip"] == 0, c
        assert c["rejected_src"] == 0, c

    def test_policy_by_reload(self):
        """home_agent.udp_tunnel decides, and a reload changes it.

        Steps:
            Reload with force_allowed false: register from 198.51.100.10
            with F; register from behind the NAT. Reload with enabled
            false: register from behind the NAT again (another port), and
            from 198.51.100.10 with F.
        Verify:
            F refused: code 0, UDP Tunnel Reply 64, ipip binding; behind
            the NAT: UDP tunnelling all the same (code 0, udp binding at
            the NAT's port). Disabled: behind the NAT, code 142 (UDP
            encapsulation unavailable, tshark reads it) and the binding
            keeps its NAT port and generation; F from 198.51.100.10:
            code 0, declined (64), ipip.
        """
        import yaml
        cfg = yaml.safe_load(self.ha.config_path.read_text())

        def reload(**udp):
            cfg["home_agent"]["udp_tunnel"].update(udp)
            self.ha.config_path.write_text(yaml.safe_dump(cfg))
            self.con.reload()

        reload(force_allowed=False)
        r = self.mip.register(coa=E.MN_VA_ADDR, sport=PORT, udp_force=True)
        assert r.code == 0 and r.udp["code"] == 64, (r.code, r.udp)
        assert self.binding()["encap"] == "ipip"
        self.register_nat()
        b = self.binding()
        assert b["encap"] == "udp" and b["nat_port"] == \
            [self.public_port()], b

        reload(enabled=False)
        with self.tshark("rt", E.RT_NAT_IFACE, "udp port 434") as cap:
            r = self.register_nat(sport=PORT + 1, expect=142)
        assert [str(m["mip.code"]) for m in cap.replies()] == ["142"]
        after = self.binding()
        assert after["nat_port"] == b["nat_port"] and \
            after["generation"] == b["generation"], (b, after)
        r = self.mip.register(coa=E.MN_VA_ADDR, sport=PORT, udp_force=True)
        assert r.code == 0 and r.udp["code"] == 64, (r.code, r.udp)
        assert self.binding()["encap"] == "ipip"

    # ------------------------------------------------------------------
    # data
    # ------------------------------------------------------------------

    def test_reached_and_reverse_tunnel(self):
        """The node behind the NAT is reached, and tunnels back, in UDP.

        Steps:
            Start the UDP endpoint (reverse tunnelling) in <p>-mnn;
            register from behind the NAT; warm up with pings; capture on
            the router's side of the NAT; 1000 numbered datagrams at 200/s
            from the correspondent host to 192.0.2.100:9000; then 500 from
            the mobile node to 192.0.2.10:9001.
        Verify:
            All 1000 arrive once, from 192.0.2.10, through the endpoint's
            UDP tunnel (nothing rejected); every tunnelled packet tshark
            reads goes from 192.0.2.1 port 434 to the NAT's public address
            and port, as a MIP Tunnel Data message (type 4, next header
            4); all 500 reverse-tunnelled datagrams arrive at the
            correspondent host from 192.0.2.100, and the binding counts
            them.
        """
        ep = self.nat_endpoint()
        self.register_nat()
        pub = self.public_port()
        assert self.ping(3) >= 1, "no echo reply at all through the NAT"
        before = ep.counters(E.MNN_IFACE)["udp"]
        with self.tshark("rt", E.RT_NAT_IFACE, "udp") as cap:
            res = self.stream_to_mn(1000)
        assert res["missing_count"] == 0, res["missing"]
        assert res["unique"] == 1000 and res["duplicates"] == 0, res
        assert list(res["sources"]) == [E.CH_ADDR], res["sources"]
        c = ep.counters(E.MNN_IFACE)
        assert c["udp"] - before >= 1000, c
        assert c["rejected_src"] == 0 and c["rejected_other"] == 0, c
        # the stream's packets (keepalive answers, ICMP, cross too)
        tun = cap.fields(TUNNEL_FIELDS, "mip.type == 4 && udp.srcport == "
                         "434 && !icmp")
        assert len(tun) >= 1000, len(tun)
        for t in tun:
            assert t["ip.src"][0] == E.HA_ADDR and t["ip.dst"][0] == NAT, t
            assert t["udp.srcport"][0] == "434", t
            assert t["udp.dstport"][0] == str(pub), t
            assert t["mip.nattt.nexthdr"] == ["4"], t
            assert t["ip.src"][1] == E.CH_ADDR, t     # the inner packet

        rev_before = int(self.binding()["reverse_packets"])
        res = self.stream_from_mn(500)
        assert res["missing_count"] == 0, res["missing"]
        assert res["unique"] == 500 and list(res["sources"]) == [HOA], res
        assert int(self.binding()["reverse_packets"]) - rev_before >= 500

    def test_keepalives_keep_the_mapping(self):
        """Keepalives keep the NAT's mapping through idle periods.

        Steps:
            Start the endpoint without keepalives; register; ping; stay
            idle for twice the NAT's timeout; ping. Then start it with
            keepalives (the interval the reply gives); register again;
            stay idle as long; ping; count.
        Verify:
            Without keepalives the mapping is gone (conntrack lists none)
            and no echo reply comes back, while the binding stays as it
            was (it ends with its lifetime, RFC 3519 has no other rule);
            with them the mapping is there
            with the same public port as the binding's, all pings come
            back, the agent answered keepalives at about the interval
            (telemetry's count, the endpoint's replies), and tshark reads
            keepalives crossing the NAT: ICMP echo requests inside MIP
            Tunnel Data messages to 192.0.2.1:434 and their answers.
        """
        idle = 2 * NAT_TIMEOUT + 1
        ep = self.nat_endpoint(no_keepalive=True)
        self.register_nat()
        first = self.binding()
        assert self.ping(3) >= 1
        time.sleep(idle)
        assert self.public_port() is None, self.lab.nat_mappings()
        assert self.ping(3) == 0, "reached without a mapping"
        # keepalives stopped: the binding stays until its lifetime ends
        b = self.binding()
        assert b["nat_port"] == first["nat_port"] and b["keepalives"] == 0
        ep.stop()

        ep = self.nat_endpoint()
        with self.tshark("rt", E.RT_NAT_IFACE, "udp port 434") as cap:
            self.register_nat()
            pub = self.public_port()
            time.sleep(idle)
            assert self.public_port() == pub, self.lab.nat_mappings()
            assert self.binding()["nat_port"] == [pub]
            assert self.ping(5) >= 4, "the mapping did not survive"
        st = ep.stats()
        assert st["udp"]["keepalive_s"] == KEEPALIVE, st["udp"]
        b = self.binding()
        assert b["keepalives"] >= idle // KEEPALIVE - 1, b
        c = ep.counters(E.MNN_IFACE)
        assert c["keepalive_replies"] >= idle // KEEPALIVE - 1, c
        ka = cap.fields(TUNNEL_FIELDS, "mip.type == 4 && icmp")
        asks = [k for k in ka if k["icmp.type"] == ["8"] and
                k["ip.dst"][0] == E.HA_ADDR and k["udp.dstport"] == ["434"]]
        answers = [k for k in ka if k["icmp.type"] == ["0"] and
                   k["ip.src"][0] == E.HA_ADDR and
                   k["udp.dstport"] == [str(pub)]]
        assert len(asks) >= idle // KEEPALIVE - 1, ka
        assert len(answers) >= len(asks) - 1, ka

    def test_nat_rebinding_followed(self):
        """A NAT rebinding is followed at the next registration.

        Steps:
            Endpoint with keepalives; register; ping. The NAT forgets its
            mapping (conntrack -F): the next keepalive gets a new public
            port. Ping. Register again. Stream 500 datagrams.
        Verify:
            After the rebinding, before the registration: the binding
            keeps the old port (a keepalive from the new one moves
            nothing: the agent counts it dropped) and pings are lost.
            After it: the binding holds the new port, and all 500
            datagrams arrive.
        """
        self.nat_endpoint()
        self.register_nat()
        old = self.public_port()
        assert self.ping(3) >= 1
        dropped = self.ha.registrations()["tunnel_dropped"]
        new = old
        for _ in range(3):      # a random port may, rarely, come back
            self.lab.nat_flush()
            until(lambda: self.public_port() not in (None,), 3 * KEEPALIVE,
                  "a new mapping", show=self.lab.nat_mappings)
            new = self.public_port()
            if new != old:
                break
        assert new != old, (old, new)
        until(lambda: self.ha.registrations()["tunnel_dropped"] > dropped,
              3 * KEEPALIVE, "a keepalive from the new port dropped",
              show=self.ha.registrations)
        assert self.binding()["nat_port"] == [old]
        assert self.ping(3) == 0, "reached through a mapping that is gone"
        self.register_nat()
        assert self.binding()["nat_port"] == [new]
        res = self.stream_to_mn(500)
        assert res["missing_count"] == 0, res["missing"]
        assert res["unique"] == 500, res

    # ------------------------------------------------------------------
    # what must change nothing
    # ------------------------------------------------------------------

    def test_malformed_and_foreign_change_nothing(self):
        """Malformed extensions and foreign tunnel data change nothing.

        Steps:
            Register from behind the NAT (port 43434). From another port
            (43435), send requests whose UDP Tunnel Request is malformed:
            length 5, sub-type 1, encapsulation 0, twice, after the MN-HA
            extension; and one asking GRE inside UDP. Then, from port
            43436 behind the NAT and from 198.51.100.10 without it, send
            tunnel data for the home address toward the correspondent
            host, and keepalives.
        Verify:
            tshark reads code 134 for each malformed request and 142 for
            GRE; the binding keeps its NAT port and generation; nothing
            reaches the correspondent host, no keepalive is answered (no
            reply comes back, tshark sees nothing from port 434 to
            those ports), and the agent counts the data dropped (reverse
            tunnel: bad source) and the keepalives dropped.
        """
        self.register_nat()
        b0 = self.binding()
        bad = [
            ("length 5", dict(udp_ext="90050000800400")),
            ("sub-type 1", dict(udp_ext="9006010000040000")),
            ("encapsulation 0", dict(udp_ext="9006000000000000")),
            ("twice", dict(udp_ext="9006000000040000" * 2)),
            ("after MN-HA", dict(udp=True, udp_after_auth=True)),
        ]
        with self.tshark("rt", E.RT_NAT_IFACE, "udp port 434") as cap:
            for what, kw in bad:
                r = self.nmip.register(coa=MNN, sport=PORT + 1, flags="T",
                                       **kw)
                assert r.replied and r.code == 134, (what, r.code)
            r = self.nmip.register(coa=MNN, sport=PORT + 1, flags="T",
                                   udp=True, udp_encap=47)
            assert r.code == 142, r.code
        assert [str(m["mip.code"]) for m in cap.replies()] == \
            ["134"] * len(bad) + ["142"]
        b = self.binding()
        assert b["nat_port"] == b0["nat_port"] and \
            b["generation"] == b0["generation"], (b0, b)

        recv = self.stream.receiver("ch", port=9002, duration=4)
        bad_source = self.drop("revtun_bad_source")
        dropped = self.ha.registrations()["tunnel_dropped"]
        with self.tshark("rt", E.RT_NAT_IFACE, "udp port 434") as cap:
            for mc, src in ((self.nmip, MNN), (self.mip, E.MN_VA_ADDR)):
                got = mc.tunnel(src, PORT + 2, E.CH_ADDR, count=5)
                assert got["answers"] == [], got
                got = mc.tunnel(src, PORT + 2, E.HA_ADDR, echo=True,
                                count=2)
                assert got["answers"] == [], got
        res = self.stream.result(recv)
        assert res["unique"] == 0, res
        assert self.drop("revtun_bad_source") - bad_source >= 5, \
            self.ha.drops()
        assert self.ha.registrations()["tunnel_dropped"] - dropped >= 2
        back = cap.fields(("udp.dstport",), "udp.srcport == 434")
        assert back == [], back
        b = self.binding()
        assert b["nat_port"] == b0["nat_port"] and \
            b["generation"] == b0["generation"], (b0, b)

    # ------------------------------------------------------------------
    # delegation
    # ------------------------------------------------------------------

    def test_delegated_nat_binding(self):
        """A secondary forwards a NATed binding as the primary would.

        Steps:
            Start sha1 and a primary (in place of the test's haven) with
            home_agent.udp_tunnel; register from behind the NAT; warm up;
            delegate 192.0.2.100 to sha1; capture on the router's home
            link and on its side of the NAT; 1000 numbered datagrams from
            the correspondent host.
        Verify:
            sha1 holds the binding in UDP to the NAT's address and port
            from port 434, with the primary's address as outer source; all
            1000 datagrams arrive once; every tunnelled packet of the
            stream reaches the router from sha1's MAC and crosses the NAT
            from 192.0.2.1 port 434 to the NAT's public port (claim 5: the
            endpoint, which accepts tunnel data from 192.0.2.1:434 only,
            rejects none); sha1 counts them; keepalives are still
            answered by the primary.
        """
        self.ha.stop()
        deleg = Delegation(self.lab)
        sha = deleg.secondary("sha1", log=OUT / ("%s-sha1.log" %
                                                 self.logname))
        cfg = deleg.pha_config(secondaries=("sha1",))
        cfg["home_agent"]["udp_tunnel"] = UDP["home_agent.udp_tunnel"]
        pha = Haven(self.lab, name="pha", config=cfg,
                    log=OUT / ("%s-pha.log" % self.logname))
        self.agents += [sha, pha]
        sha.spawn()
        pha.spawn()
        sha.wait_ready()
        pha.wait_ready()
        until(lambda: str((pha.peer("sha1") or {}).get("alive")) in
              ("1", "True"), 8, "sha1 alive", show=pha.peers)
        self.ha = pha
        con = pha.console()
        ep = self.nat_endpoint()
        self.register_nat()
        pub = self.public_port()
        assert self.ping(3) >= 1, "no echo reply at all through the NAT"

        con.delegate(HOA, "sha1")
        until(lambda: sha.secondary_of(HOA), 5, "installed on sha1",
              show=sha.secondary)
        until(lambda: str((pha.delegation_of(HOA) or {}).get("state"))
              .lower() == "delegated", 5, "delegated",
              show=pha.delegation)
        b = sha.binding(HOA)
        assert b and b["encap"] == "udp", b
        assert b["nat_address"] == [NAT] and b["nat_port"] == [pub], b
        assert b["udp_source_port"] == 434, b
        time.sleep(1.5)     # the home link learns sha1's gratuitous ARPs
        before = int(sha.binding(HOA)["packets"])
        kas = pha.registrations()["keepalives"]
        with self.tshark("rt", E.RT_HOME_IFACE, "udp port 434") as home, \
                self.tshark("rt", E.RT_NAT_IFACE, "udp port 434") as cap:
            res = self.stream_to_mn(1000)
        assert res["missing_count"] == 0, res["missing"]
        assert res["unique"] == 1000 and res["duplicates"] == 0, res
        c = ep.counters(E.MNN_IFACE)
        assert c["rejected_src"] == 0 and c["rejected_other"] == 0, c
        frames = home.fields(("eth.src",), "ip.dst == %s && udp.srcport == "
                             "434 && mip.type == 4 && !icmp" % NAT)
        assert len(frames) >= 1000, len(frames)
        assert {f["eth.src"][0] for f in frames} == {E.SHA1_MAC.lower()}, \
            {f["eth.src"][0] for f in frames}
        tun = cap.fields(TUNNEL_FIELDS, "mip.type == 4 && udp.srcport == "
                         "434 && !icmp")
        assert len(tun) >= 1000, len(tun)
        for t in tun:
            assert t["ip.src"][0] == E.HA_ADDR, t
            assert t["udp.dstport"][0] == str(pub), t
        assert int(sha.binding(HOA)["packets"]) - before >= 1000
        assert pha.registrations()["keepalives"] > kas
