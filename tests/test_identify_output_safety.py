"""What docs/identification.md and docs/security.md promise: every text field a peer's
words reach is safe to print. Hostile servers on 127.0.0.1 put terminal escapes,
BEL and bidirectional overrides in their greetings."""

from __future__ import annotations

import attrs
import pytest

from misbehaving_http import misbehaving
from portkit import Endpoint, PortState
from portkit.identification import BannerProbe, Identification

pytestmark = pytest.mark.anyio

ESC = "\x1b]0;owned\x07\x1b[2J\u202e"

GREETINGS = [
    b"HTTP/1.1 200 OK\r\nServer: nginx/1.25" + ESC.encode() + b"\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nServer: " + ESC.encode() + b"\r\nContent-Length: 0\r\n\r\n",
    b"SSH-2.0-OpenSSH_9.2p1 Debian" + ESC.encode() + b"\r\n",
    b"220 mail" + ESC.encode() + b".example ESMTP Postfix (Debian" + ESC.encode() + b")\r\n",
]


def _texts(ident: Identification) -> dict[str, str]:
    fields = ("service", "product", "version", "info", "hostname", "banner")
    return {f: getattr(ident, f) for f in fields if getattr(ident, f) is not None}


@pytest.mark.parametrize("greeting", GREETINGS, ids=["http", "http-bare", "ssh", "smtp"])
async def test_every_printed_field_of_a_hostile_greeting_is_printable(greeting: bytes) -> None:
    # The server sends its greeting once the request head arrives; for greet-first
    # services the probe's nudge is that request.
    with misbehaving(lambda head: (greeting, 0.0)) as base:
        port = int(base.rsplit(":", 1)[1])
        result = await BannerProbe(greeting_wait=0.2)(Endpoint(host="127.0.0.1", port=port), 5.0)
    assert result.state is PortState.OPEN
    ident = result.details["identification"]
    texts = _texts(ident)
    assert texts["banner"]
    # A rule matched and took words from the greeting: the escapes reached a field.
    assert ident.service is not None
    assert any("\\x1b" in texts.get(f, "") for f in ("product", "version", "info", "hostname"))
    for name, text in texts.items():
        assert text.isprintable(), (name, text)
    for value in ident.to_dict().values():
        if isinstance(value, str):
            assert value.isprintable(), value


def test_identification_escapes_what_it_is_given() -> None:
    ident = Identification(service="http", product="nginx" + ESC, version="1\u2028", info=None)
    assert ident.product == "nginx\\x1b]0;owned\\x07\\x1b[2J\\u202e"
    assert ident.version == "1\\u2028"
    assert attrs.evolve(ident, hostname="h\x9b").hostname == "h\\x9b"
    # Printable text, non-ASCII letters included, is kept as it is.
    assert Identification(product="Dovecot é 日本").product == "Dovecot é 日本"
