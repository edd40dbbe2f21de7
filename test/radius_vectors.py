#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Independent RADIUS test vectors for test/test_radius.c.

Computed here with Python's hashlib and hmac only, from the RFC texts
(RFC 2865 3 and 5.2, RFC 2866 3, RFC 2868 3.5, RFC 3579 3.2), not from
Haven's C code, so that the C codec is checked against a second
implementation. Run it to print the C arrays pasted into test_radius.c:

    /usr/bin/python3 test/radius_vectors.py
"""

import hashlib
import hmac
import struct

SECRET = b"haven-lab-radius-secret"


def attr(t, v):
    return bytes([t, 2 + len(v)]) + v


def vsa(vendor, vt, v):
    return attr(26, struct.pack(">I", vendor) + bytes([vt, 2 + len(v)]) + v)


def u32(v):
    return struct.pack(">I", v)


def hide_password(pw, ra, secret):
    """RFC 2865 5.2."""
    pw = pw + b"\0" * (-len(pw) % 16)
    out, prev = b"", ra
    for i in range(0, len(pw), 16):
        b = hashlib.md5(secret + prev).digest()
        c = bytes(x ^ y for x, y in zip(pw[i:i + 16], b))
        out += c
        prev = c
    return out


def salt_encrypt(plain, salt, ra, secret):
    """RFC 2868 3.5 (Tunnel-Password), without the tag octet."""
    p = bytes([len(plain)]) + plain
    p += b"\0" * (-len(p) % 16)
    out, prev = b"", ra + salt
    for i in range(0, len(p), 16):
        b = hashlib.md5(secret + prev).digest()
        c = bytes(x ^ y for x, y in zip(p[i:i + 16], b))
        out += c
        prev = c
    return salt + out


def header(code, ident, auth, attrs):
    return bytes([code, ident]) + struct.pack(">H", 20 + len(attrs)) + auth + attrs


def with_ma(code, ident, auth_for_ma, attrs_before, attrs_after, secret):
    """Message-Authenticator (RFC 3579 3.2) over the message with
    auth_for_ma in the Authenticator field and zeros in its own value."""
    zero_ma = attr(80, b"\0" * 16)
    msg = header(code, ident, auth_for_ma, attrs_before + zero_ma + attrs_after)
    ma = hmac.new(secret, msg, hashlib.md5).digest()
    return attrs_before + attr(80, ma) + attrs_after


def response(code, ident, req_auth, attrs, secret):
    """Response Authenticator (RFC 2865 3, RFC 2866 3)."""
    msg = header(code, ident, req_auth, attrs)
    ra = hashlib.md5(msg + secret).digest()
    return header(code, ident, ra, attrs)


def c_array(name, data):
    lines = []
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    return "static const uint8_t %s[%d] = {\n%s\n};\n" % (
        name, len(data), "\n".join(lines))


def main():
    out = []
    ra = bytes(range(0x10, 0x20))

    # V1: Access-Request, Message-Authenticator first.
    attrs = (attr(1, b"mn-100@lab.example") +
             attr(2, hide_password(b"haven-nas", ra, SECRET)) +
             attr(4, bytes([127, 0, 0, 1])) +
             attr(32, b"haven-lab") +
             attr(6, u32(2)) + attr(61, u32(5)) +
             vsa(5535, 57, u32(1000)))
    attrs = with_ma(1, 0x2a, ra, b"", attrs, SECRET)
    out.append(c_array("v_access_request", header(1, 0x2a, ra, attrs)))

    # V2: Access-Accept to V1: Framed-IP, 3GPP2 SPI and salted key, a
    # Session-Timeout and a Class; Message-Authenticator last (as
    # FreeRADIUS's post-auth puts it).
    key = b"0123456789abcdef0123"
    attrs = (attr(8, bytes([192, 0, 2, 150])) +
             vsa(5535, 57, u32(1000)) +
             vsa(5535, 58, salt_encrypt(key, bytes([0x81, 0x23]), ra, SECRET)) +
             attr(27, u32(3600)) + attr(25, b"haven-class-1"))
    attrs = with_ma(2, 0x2a, ra, attrs, b"", SECRET)
    out.append(c_array("v_access_accept", response(2, 0x2a, ra, attrs, SECRET)))

    # V3: Access-Reject to V1, with a Message-Authenticator.
    attrs = with_ma(3, 0x2a, ra, b"", b"", SECRET)
    out.append(c_array("v_access_reject", response(3, 0x2a, ra, attrs, SECRET)))

    # V4: Accounting-Request Stop (RFC 2866 3: Request Authenticator =
    # MD5 over the message with a zero Authenticator, then the secret; the
    # Message-Authenticator is computed first, with the zero Authenticator).
    zero = b"\0" * 16
    attrs = (attr(40, u32(2)) + attr(44, b"HA-1-0001") +
             attr(1, b"mn-100@lab.example") + attr(4, bytes([127, 0, 0, 1])) +
             attr(46, u32(125)) +
             attr(42, u32(0x00000010)) + attr(52, u32(1)) +
             attr(43, u32(0x89abcdef)) +
             attr(47, u32(1000)) + attr(48, u32(2000)) + attr(49, u32(1)))
    attrs = with_ma(4, 7, zero, b"", attrs, SECRET)
    msg = header(4, 7, zero, attrs)
    req_auth = hashlib.md5(msg + SECRET).digest()
    out.append(c_array("v_acct_request", header(4, 7, req_auth, attrs)))

    # V5/V6: Accounting-Response to V4 with a Message-Authenticator over the
    # Request Authenticator (as for Access answers) and over zeros (as
    # FreeRADIUS 3 computes it).
    attrs = with_ma(5, 7, req_auth, b"", b"", SECRET)
    out.append(c_array("v_acct_response_ra",
                       response(5, 7, req_auth, attrs, SECRET)))
    attrs = with_ma(5, 7, zero, b"", b"", SECRET)
    out.append(c_array("v_acct_response_zero",
                       response(5, 7, req_auth, attrs, SECRET)))

    # V7: Status-Server (RFC 5997) with a Message-Authenticator.
    ra2 = bytes(range(0xa0, 0xb0))
    attrs = with_ma(12, 9, ra2, b"", attr(32, b"haven-lab"), SECRET)
    out.append(c_array("v_status_server", header(12, 9, ra2, attrs)))

    print("\n".join(out))


if __name__ == "__main__":
    main()
