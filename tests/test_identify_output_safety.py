"""What docs/identification.md and docs/security.md promise: the banner is safe to
print, the other fields carry the peer's words unchanged (as data), and
``portkit.reports.escape`` makes each of them safe. Hostile servers on 127.0.0.1 put
terminal escapes, BEL and bidirectional overrides in their greetings."""

from __future__ import annotations

import pytest

from misbehaving_http import misbehaving
from portkit import Endpoint, PortState
from portkit.identification import BannerProbe, Identification
from portkit.reports import escape

pytestmark = pytest.mark.anyio

ESC = "\x1b]0;owned\x07\x1b[2J\u202e"

GREETINGS = [
    b"HTTP/1.1 200 OK\r\nServer: nginx/1.25" + ESC.encode() + b"\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nServer: " + ESC.encode() + b"\r\nContent-Length: 0\r\n\r\n",
    b"SSH-2.0-OpenSSH_9.2p1 Debian" + ESC.encode() + b"\r\n",
    b"220 mail" + ESC.encode() + b".example ESMTP Postfix (Debian" + ESC.encode() + b")\r\n",
]


FIELDS = ("service", "product", "version", "info", "hostname")


@pytest.mark.parametrize("greeting", GREETINGS, ids=["http", "http-bare", "ssh", "smtp"])
async def test_the_banner_is_safe_and_the_fields_are_data(greeting: bytes) -> None:
    # The server sends its greeting once the request head arrives; for greet-first
    # services the probe's nudge is that request.
    with misbehaving(lambda head: (greeting, 0.0)) as base:
        port = int(base.rsplit(":", 1)[1])
        result = await BannerProbe(greeting_wait=0.2)(Endpoint(host="127.0.0.1", port=port), 5.0)
    assert result.state is PortState.OPEN
    ident = result.details["identification"]
    assert ident.service is not None  # a rule matched and took words from the greeting
    assert ident.banner.isprintable()
    assert "\\x1b" in ident.banner
    fields = {f: getattr(ident, f) for f in FIELDS if getattr(ident, f) is not None}
    # The peer's words reach a field unchanged, escapes and all ...
    assert any("\x1b" in text for text in fields.values()), fields
    # ... and escape() makes every one of them safe to print.
    for text in fields.values():
        assert escape(text).isprintable()
    assert ident.to_dict()["banner"].isprintable()


def test_identification_keeps_what_it_is_given() -> None:
    ident = Identification(service="http", product="nginx" + ESC, raw=ESC.encode())
    assert ident.product == "nginx" + ESC
    assert ident.to_dict()["product"] == "nginx" + ESC
    assert ident.banner == "\\x1b]0;owned\\x07\\x1b[2J\\xe2\\x80\\xae"
    assert escape(ident.product) == "nginx\\x1b]0;owned\\x07\\x1b[2J\\u202e"
