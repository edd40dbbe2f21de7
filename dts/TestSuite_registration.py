# SPDX-License-Identifier: BSD-3-Clause
"""Registration suite: Mobile IPv4 registration (RFC 5944) with haven as
the home agent, driven by an independent client (mipclient.py on scapy,
authenticators computed with Python's hmac) from the mobile node's
co-located care-of address, replies decoded by tshark."""

import os
import time

import pytest

from lab import E

NTP_EPOCH = 2208988800


def ntp_seconds():
    return int(time.time()) + NTP_EPOCH


class TestSuite_registration:
    """Registration Requests from 198.51.100.10 (visited network A) for the
    home address 192.0.2.100, to the home agent 192.0.2.1 (haven in
    <p>-ha, started afresh for every test with config/lab.yaml)."""

    @pytest.fixture(autouse=True)
    def set_up_test(self, lab, haven, mip, tshark):
        self.lab = lab
        self.ha = haven()
        self.mip = mip
        self.tshark = tshark

    def assert_no_binding(self):
        b = self.ha.binding(E.MN_HOME_ADDR)
        assert b is None, "unexpected binding: %r" % (b,)

    def test_accept(self):
        """Accept a well-formed, authenticated request.

        Steps:
            Capture UDP 434 on the mobile node's interface va; send a
            Registration Request (lifetime 60, MN-HA HMAC-MD5).
        Verify:
            The reply is code 0 as decoded by tshark (mip.type 3,
            mip.code 0, from 192.0.2.1); mipclient verifies the reply's
            MN-HA authenticator with the shared key; the granted lifetime is
            1..60; telemetry /haven/binding shows 192.0.2.100 bound to
            198.51.100.10, and /haven/bindings lists it.
        """
        with self.tshark("mn", E.MN_VA_IFACE, "udp port 434") as cap:
            r = self.mip.register(coa=E.MN_VA_ADDR, lifetime=60)
        assert r.replied, "no Registration Reply"
        assert r.code == 0, "code %s (%s)" % (r.code, r.code_text)
        assert r.auth_present and r.auth_ok, "reply authenticator wrong"
        assert 0 < r.lifetime <= 60
        assert r.identification == r.request_ident
        replies = cap.replies()
        assert len(replies) == 1, replies
        assert replies[0]["mip.code"] == "0"
        assert replies[0]["_ip.src"] == E.HA_ADDR
        assert replies[0]["mip.homeaddr"] == E.MN_HOME_ADDR
        b = self.ha.binding(E.MN_HOME_ADDR)
        assert b is not None, "binding not in telemetry"
        from lab import care_of_list
        assert E.MN_VA_ADDR in care_of_list(b)
        assert any(row.get("home_address") == E.MN_HOME_ADDR
                   for row in self.ha.bindings())
        cap.remove()

    def test_bad_authenticator(self):
        """Deny a request whose authenticator is wrong.

        Steps:
            Send a request with one byte of the authenticator flipped.
        Verify:
            Reply code 131 (mobile node failed authentication); tshark
            decodes mip.code 131; no binding exists.
        """
        with self.tshark("mn", E.MN_VA_IFACE, "udp port 434") as cap:
            r = self.mip.register(bad_auth=True)
        assert r.replied and r.code == 131, (r.code, r.code_text)
        assert [m["mip.code"] for m in cap.replies()] == ["131"]
        self.assert_no_binding()
        cap.remove()

    def test_replayed_identification(self):
        """Deny a replayed Identification with the agent's time.

        Steps:
            Register (accepted); send a second request with the same
            Identification.
        Verify:
            The second reply is code 133; the high-order 32 bits of its
            Identification are the agent's time (within 3 s of ours, in
            NTP seconds); the low-order 32 bits are the request's
            (RFC 5944 section 5.7.1); the reply is authenticated.
        """
        r1 = self.mip.register()
        assert r1.code == 0, (r1.code, r1.code_text)
        r2 = self.mip.register(ident=r1.request_ident)
        assert r2.replied and r2.code == 133, (r2.code, r2.code_text)
        assert abs(r2.ident_high - ntp_seconds()) <= 3, \
            "high 32 bits %d are not the agent's time %d" % (
                r2.ident_high, ntp_seconds())
        assert r2.ident_low == r1.request_ident & 0xFFFFFFFF
        assert r2.auth_ok, "133 reply not authenticated"

    def test_stale_identification(self):
        """Deny an Identification far from the agent's clock.

        Steps:
            Send a first request whose timestamp is 60 s in the past
            (outside the 7 s replay window).
        Verify:
            Code 133 with the agent's time; no binding.
        """
        t = ntp_seconds() - 60
        r = self.mip.register(ident=(t << 32) | 0x1234)
        assert r.replied and r.code == 133, (r.code, r.code_text)
        assert abs(r.ident_high - ntp_seconds()) <= 3
        assert r.ident_low == 0x1234
        self.assert_no_binding()

    def test_unknown_home_agent(self):
        """Deny a request naming another home agent.

        Steps:
            Send to 192.0.2.1 a request whose Home Agent field is
            192.0.2.2.
        Verify:
            Code 136 (unknown home agent address); no binding.
        """
        r = self.mip.register(ha_field="192.0.2.2")
        assert r.replied and r.code == 136, (r.code, r.code_text)
        self.assert_no_binding()

    @pytest.mark.parametrize("case", [
        "truncated_header", "truncated_extension", "oversized",
        "garbage_type", "garbage_extension", "one_byte", "zeros"])
    def test_malformed(self, case):
        """Survive malformed datagrams.

        Steps:
            Send one malformed datagram to UDP 434: a request cut inside
            its fixed part or inside its authenticator, padded past 1024
            bytes, an unknown message type, an extension whose length runs
            past the end, a single byte, 64 zero bytes. Then send a good
            request.
        Verify:
            The malformed one gets code 134 or no reply and creates no
            binding; the home agent is still running and accepts the good
            request.
        """
        fixed = bytes([1, 0, 0, 60]) + bytes(map(int, E.MN_HOME_ADDR.split(
            "."))) + bytes(map(int, E.HA_ADDR.split("."))) + bytes(
            map(int, E.MN_VA_ADDR.split("."))) + os.urandom(8)
        opts = {
            "truncated_header": {"truncate": 20},
            "truncated_extension": {"truncate": 24 + 6 + 8},
            "oversized": {"oversize": 1100},
            "garbage_type": {"raw": (bytes([99]) +
                                     os.urandom(40)).hex()},
            "garbage_extension": {"raw": (fixed + bytes([32, 200]) +
                                          os.urandom(20)).hex()},
            "one_byte": {"raw": "01"},
            "zeros": {"raw": "00" * 64},
        }[case]
        r = self.mip.register(timeout=1.5, **opts)
        assert (not r.replied) or r.code == 134, (r.code, r.code_text)
        self.assert_no_binding()
        assert self.ha.alive(), "haven died"
        good = self.mip.register()
        assert good.code == 0, (good.code, good.code_text)
        assert good.auth_ok

    def test_deregistration(self):
        """Lifetime 0 removes the binding.

        Steps:
            Register; check the binding; send a request with lifetime 0
            from the same care-of address.
        Verify:
            The deregistration is accepted (code 0, lifetime 0,
            authenticated) and /haven/binding no longer knows 192.0.2.100.
        """
        r = self.mip.register()
        assert r.code == 0
        assert self.ha.binding(E.MN_HOME_ADDR) is not None
        d = self.mip.deregister()
        assert d.code == 0, (d.code, d.code_text)
        assert d.lifetime == 0
        assert d.auth_ok
        self.assert_no_binding()

    def test_telemetry_counts(self, telemetry):
        """Registration counters follow what happened.

        Steps:
            One accepted request, one with a bad authenticator; read
            /haven/stats through a fresh telemetry client.
        Verify:
            registration_requests >= 2, registrations_accepted >= 1,
            registrations_denied >= 1, bindings == 1.
        """
        assert self.mip.register().code == 0
        assert self.mip.register(bad_auth=True).code == 131
        st = telemetry(self.ha.file_prefix).query("/haven/stats")
        assert st["registration_requests"] >= 2, st
        assert st["registrations_accepted"] >= 1, st
        assert st["registrations_denied"] >= 1, st
        assert st["bindings"] == 1, st

    def test_console_shows_binding(self, console):
        """The console lists the binding.

        Steps:
            Register; connect to the console socket; show bindings.
        Verify:
            The output names 192.0.2.100 and 198.51.100.10; show stats
            answers.
        """
        assert self.mip.register().code == 0
        c = console(self.ha)
        out = c.show_bindings()
        assert E.MN_HOME_ADDR in out and E.MN_VA_ADDR in out, out
        assert c.show_stats()
