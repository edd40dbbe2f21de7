# SPDX-License-Identifier: BSD-3-Clause
"""Forwarding suite: haven intercepts traffic for the mobile node's home
address on the home link (proxy ARP) and tunnels it to the care-of
address(es) with its own address as the outer source; the mobile node's
user-space endpoint (mn_endpoint.py) decapsulates into tun0 so Linux
answers."""

import time

import pytest

from lab import PY, DTS, E, care_of_list, wait_until


class TestSuite_forwarding:
    """Correspondent host 192.0.2.10 on the home link, mobile node
    192.0.2.100 away at 198.51.100.10 (and 203.0.113.10), haven in
    <p>-ha started afresh for every test, endpoint in <p>-mn."""

    @pytest.fixture(autouse=True)
    def set_up_test(self, lab, haven, endpoint, mip, stream, tshark):
        self.lab = lab
        self.ha = haven()
        self.start_endpoint = endpoint
        self.mip = mip
        self.stream = stream
        self.tshark = tshark
        # a mobile node coming back from an earlier test: forget the HA
        lab.flush_neigh("ch", E.MN_HOME_ADDR)

    # -- helpers --

    def register(self, coa=E.MN_VA_ADDR, flags="", lifetime=60):
        r = self.mip.register(coa=coa, flags=flags, lifetime=lifetime)
        assert r.replied, "no reply to the registration"
        assert r.code == 0, (r.code, r.code_text)
        assert r.auth_ok
        return r

    def warm_up(self):
        """A few pings so that ARP on the home link and the HA's next hop
        are resolved before a stream is counted."""
        tx, rx = self.lab.ping("ch", E.MN_HOME_ADDR, count=3, interval=0.2)
        assert rx >= 1, "no echo reply at all through the tunnel"

    def run_stream(self, count=1000, rate=200, dups=False):
        recv = self.stream.receiver(
            "mn", duration=count / rate + 15, expect=count,
            idle=3 if dups else 0, dups=dups)
        self.stream.send("ch", count=count, rate=rate)
        return self.stream.result(recv)

    # -- tests --

    def test_ping(self):
        """Ping the mobile node's home address from the home link.

        Steps:
            Start the endpoint on va; register from 198.51.100.10; ping
            192.0.2.100 from the correspondent host 10 times.
        Verify:
            At least 9 replies (the first may wait for ARP); the endpoint
            accepted at least as many IP-in-IP packets on va, all from the
            home agent, and rejected none.
        """
        ep = self.start_endpoint(ifaces=("va",))
        self.register()
        tx, rx = self.lab.ping("ch", E.MN_HOME_ADDR, count=10, interval=0.2)
        assert rx >= 9, "%d/%d echo replies" % (rx, tx)
        c = ep.counters("va")
        assert c["accepted"] >= rx and c["ipip"] >= rx, c
        assert c["rejected_src"] == 0 and c["rejected_other"] == 0, c

    def test_proxy_arp(self):
        """The home agent answers ARP for the absent mobile node.

        Steps:
            Register; flush the correspondent host's neighbour table; ping
            192.0.2.100 once.
        Verify:
            The correspondent host's neighbour entry for 192.0.2.100 holds
            the home agent's MAC 02:00:00:00:00:01.
        """
        self.start_endpoint(ifaces=("va",))
        self.register()
        self.lab.flush_neigh("ch")
        self.lab.ping("ch", E.MN_HOME_ADDR, count=1)
        mac = self.lab.neigh("ch", E.MN_HOME_ADDR)
        assert mac == E.HA_MAC.lower(), "neighbour entry %r" % mac

    def test_stream(self):
        """A numbered stream reaches the mobile node without loss.

        Steps:
            Register; warm up; send 1000 numbered UDP datagrams at
            200 pps from the correspondent host to 192.0.2.100:9000.
        Verify:
            The receiver on the mobile node counts 1000 unique, 0 missing,
            0 duplicates, all from 192.0.2.10; the endpoint accepted them
            on va from the home agent and rejected none (rejected_src 0);
            the binding's packet counter in telemetry grew by at least
            1000.
        """
        ep = self.start_endpoint(ifaces=("va",))
        self.register()
        self.warm_up()
        before = ep.counters("va")["accepted"]
        res = self.run_stream(1000, 200)
        assert res["missing_count"] == 0, res["missing"]
        assert res["unique"] == 1000 and res["duplicates"] == 0, res
        assert list(res["sources"]) == [E.CH_ADDR], res["sources"]
        c = ep.counters("va")
        assert c["accepted"] - before >= 1000, c
        assert c["rejected_src"] == 0 and c["rejected_other"] == 0, c
        b = self.ha.binding(E.MN_HOME_ADDR)
        if b is not None and "packets" in b:
            assert b["packets"] >= 1000, b

    def test_foreign_source_rejected(self):
        """Tunnelled packets not from the home agent are refused (claim 5).

        Steps:
            Register; from the correspondent host, inject 5 IP-in-IP
            packets to 198.51.100.10 whose outer source is 192.0.2.10
            (not the home agent), carrying numbered UDP to 192.0.2.100;
            from the router, 5 more with outer source 198.51.100.1.
        Verify:
            The endpoint counts 10 more rejected_src on va; the receiver
            on the mobile node gets none of them.
        """
        ep = self.start_endpoint(ifaces=("va",))
        self.register()
        before = ep.counters("va")
        recv = self.stream.receiver("mn", duration=4)
        for role, src in (("ch", E.CH_ADDR), ("rt", E.RT_VA_ADDR)):
            self.lab.run(role, [PY, DTS / "inject.py", "--outer-src", src,
                                "--outer-dst", E.MN_VA_ADDR, "--encap",
                                "ipip", "--count", 5])
        res = self.stream.result(recv)
        after = ep.counters("va")
        assert after["rejected_src"] - before["rejected_src"] == 10, after
        assert after["accepted"] == before["accepted"], after
        assert res["received"] == 0, res

    def test_deregistration_stops_flow(self):
        """After deregistration nothing more is tunnelled.

        Steps:
            Register; send a stream of 1400 datagrams at 200 pps
            (7 s); 2.5 s in, deregister (lifetime 0).
        Verify:
            Datagrams arrived before; none sent more than 0.3 s after the
            accepted deregistration arrived; the binding is gone.
        """
        self.start_endpoint(ifaces=("va",))
        self.register()
        self.warm_up()
        recv = self.stream.receiver("mn", duration=12, idle=0)
        send = self.stream.sender("ch", count=1400, rate=200)
        time.sleep(2.5)
        d = self.mip.deregister(coa=E.MN_VA_ADDR)
        t_dereg = time.time()
        assert d.code == 0, (d.code, d.code_text)
        send.wait(20)
        res = self.stream.result(recv)
        assert res["received"] > 200, res
        assert res["max_sent_ts"] < t_dereg + 0.3, \
            "datagram sent %.2f s after deregistration arrived" % (
                res["max_sent_ts"] - t_dereg)
        assert self.ha.binding(E.MN_HOME_ADDR) is None

    def test_expiry_stops_flow(self):
        """A binding that is not renewed expires and the flow stops.

        Steps:
            Register with lifetime 3 s; send 1400 datagrams at 200 pps.
        Verify:
            The reply grants at most 3 s; datagrams arrive at first;
            nothing sent later than lifetime + 1.5 s after the
            registration arrives; the binding is gone after the lifetime.
        """
        self.start_endpoint(ifaces=("va",))
        r = self.register(lifetime=3)
        t_reg = time.time()
        assert 0 < r.lifetime <= 3
        recv = self.stream.receiver("mn", duration=10, idle=0)
        send = self.stream.sender("ch", count=1400, rate=200)
        send.wait(20)
        res = self.stream.result(recv)
        assert res["received"] > 100, res
        assert res["max_sent_ts"] < t_reg + r.lifetime + 1.5, \
            "datagram sent %.2f s after registration" % (
                res["max_sent_ts"] - t_reg)
        wait_until(lambda: self.ha.binding(E.MN_HOME_ADDR) is None, 5,
                   what="binding expiry")

    @pytest.mark.parametrize("flags,proto", [("", "ipip"), ("M", "minimal"),
                                             ("G", "gre")])
    def test_encapsulation(self, flags, proto):
        """Each encapsulation carries the stream.

        Steps:
            Register with no flag (IP-in-IP, RFC 2003), M (minimal,
            RFC 2004) or G (GRE, RFC 2784); warm up; send 500 datagrams
            at 200 pps.
        Verify:
            0 missing; the endpoint accepted them all with that protocol
            and none with another; telemetry names the encapsulation.
        """
        ep = self.start_endpoint(ifaces=("va",))
        self.register(flags=flags)
        self.warm_up()
        res = self.run_stream(500, 200)
        assert res["missing_count"] == 0, res["missing"]
        c = ep.counters("va")
        assert c[proto] >= 500, c
        others = {"ipip", "minimal", "gre"} - {proto}
        assert all(c[o] == 0 for o in others), c
        assert c["rejected_other"] == 0 and c["rejected_src"] == 0, c
        b = self.ha.binding(E.MN_HOME_ADDR)
        if b is not None and "encap" in b:
            assert proto in str(b["encap"]).lower() or (
                proto == "ipip" and "ip" in str(b["encap"]).lower()), b

    def test_reverse_tunnel(self):
        """Reverse tunnelling (RFC 3024, T flag).

        Steps:
            Start the endpoint with --reverse (what leaves the home address
            is encapsulated from 198.51.100.10 to 192.0.2.1); register with
            T; capture ICMP on the correspondent host and IP-in-IP toward
            the home agent on the router's visited-A interface; ping
            192.0.2.100 from the correspondent host 10 times.
        Verify:
            At least 9 replies; the endpoint encapsulated them; on the
            router the replies travel as IP-in-IP 198.51.100.10 ->
            192.0.2.1; on the home link the echo replies reach the
            correspondent host from the home agent's MAC (decapsulated by
            haven), never from the router's.
        """
        ep = self.start_endpoint(ifaces=("va",), reverse=True)
        self.register(flags="T")
        self.warm_up()
        with self.tshark("ch", E.CH_IFACE, "icmp") as ch_cap, \
                self.tshark("rt", E.RT_VA_IFACE, "ip proto 4") as rt_cap:
            tx, rx = self.lab.ping("ch", E.MN_HOME_ADDR, count=10,
                                   interval=0.2)
        assert rx >= 9, "%d/%d echo replies" % (rx, tx)
        assert ep.stats()["tx_reverse"] >= rx
        replies = [l for l in ch_cap.decode()
                   if l.get("icmp", {}).get("icmp.type") == "0"]
        assert len(replies) >= 9, len(replies)
        macs = {l["eth"]["eth.src"].lower() for l in replies}
        assert macs == {E.HA_MAC.lower()}, macs
        rev = [l for l in rt_cap.decode()
               if isinstance(l.get("ip"), list) or "ip" in l]
        outer_to_ha = 0
        for l in rev:
            ip = l["ip"][0] if isinstance(l["ip"], list) else l["ip"]
            if ip.get("ip.src") == E.MN_VA_ADDR and \
                    ip.get("ip.dst") == E.HA_ADDR and \
                    ip.get("ip.proto") == "4":
                outer_to_ha += 1
        assert outer_to_ha >= 9, outer_to_ha
        ch_cap.remove()
        rt_cap.remove()

    def test_simultaneous_bindings(self):
        """Two care-of addresses at once (S flag) each get the stream.

        Steps:
            Endpoint on va and vb; register with S from 198.51.100.10,
            then with S from 203.0.113.10; send 500 datagrams at 200 pps.
        Verify:
            Telemetry lists both care-of addresses; the receiver sees all
            500 sequence numbers, each twice (500 duplicates, 0 missing);
            the endpoint accepted at least 500 on va and on vb.
        """
        ep = self.start_endpoint(ifaces=("va", "vb"))
        self.register(coa=E.MN_VA_ADDR, flags="S")
        self.register(coa=E.MN_VB_ADDR, flags="S")
        b = self.ha.binding(E.MN_HOME_ADDR)
        assert b is not None
        coas = care_of_list(b)
        assert E.MN_VA_ADDR in coas and E.MN_VB_ADDR in coas, b
        self.warm_up()
        a0 = ep.counters("va")["accepted"]
        b0 = ep.counters("vb")["accepted"]
        res = self.run_stream(500, 200, dups=True)
        assert res["missing_count"] == 0, res["missing"]
        assert res["unique"] == 500, res
        assert res["duplicates"] == 500, res
        st = ep.stats()["ifaces"]
        assert st["va"]["accepted"] - a0 >= 500, st
        assert st["vb"]["accepted"] - b0 >= 500, st
