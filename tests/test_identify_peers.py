"""Identification against small servers written here: hostile ones (endless, trickling,
garbage, a stalled TLS handshake) and a MongoDB protocol peer.

The MongoDB peer is *not* MongoDB (no Debian package exists): it speaks the wire
protocol (OP_MSG) as the MongoDB documentation describes it, so that the rule's
parsing is exercised on real sockets.
"""

from __future__ import annotations

import contextlib
import re
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio
import anyio.abc
import pytest
from anyio.abc import SocketAttribute

from portkit import Endpoint, PortState
from portkit.identification import BannerProbe, Identification, TLSInfo, TLSProbe
from portkit.identification._bson import OP_MSG, decode_document, encode_document

pytestmark = pytest.mark.anyio
Handler = Callable[[anyio.abc.SocketStream], Awaitable[None]]


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[int]:
    """Serve *handler* on a loopback port for the duration of the block."""

    async def guarded(stream: anyio.abc.SocketStream) -> None:
        # The probe hanging up is expected.
        hung_up = (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream, OSError)
        async with stream:
            with contextlib.suppress(*hung_up):
                await handler(stream)

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, guarded)
        yield listener.extra(SocketAttribute.local_port)
        tg.cancel_scope.cancel()


async def banner_of(port: int, probe: BannerProbe) -> Identification:
    result = await probe(Endpoint(host="127.0.0.1", port=port), 2.0)
    assert result.state is PortState.OPEN
    ident = result.details["identification"]
    assert isinstance(ident, Identification)
    return ident


async def endless(stream: anyio.abc.SocketStream) -> None:
    for _ in range(100_000):  # at most 100 MB, far more than any bound
        await stream.send(b"220 " + b"A" * 1020)


async def trickle(stream: anyio.abc.SocketStream) -> None:
    for byte in b"220 slow server\r\n":
        await stream.send(bytes([byte]))
        await anyio.sleep(1)


async def garbage(stream: anyio.abc.SocketStream) -> None:
    await stream.send(bytes(range(256)) * 4 + b"\x1b[2J\x1b]0;owned\x07")
    await anyio.sleep(5)


async def test_endless_banner_is_cut_at_the_byte_bound() -> None:
    async with serving(endless) as port:
        ident = await banner_of(port, BannerProbe(max_bytes=2048))
    assert len(ident.raw) <= 2048
    assert ident.truncated is True
    assert ident.service is None  # "220 AAAA..." names no service


async def test_trickling_server_gives_a_partial_banner() -> None:
    async with serving(trickle) as port:
        ident = await banner_of(port, BannerProbe(idle=0.3, total=3.0))
    assert 1 <= len(ident.raw) <= len(b"220 slow server\r\n")
    assert b"220 slow server\r\n".startswith(ident.raw)
    assert ident.truncated is False


async def test_binary_garbage_is_kept_escaped_and_unidentified() -> None:
    async with serving(garbage) as port:
        ident = await banner_of(port, BannerProbe(max_bytes=4096))
    assert ident.service is None
    assert len(ident.raw) <= 4096
    assert ident.raw.startswith(bytes(range(256)))
    assert not re.search(r"[\x00-\x1f\x7f-\U0010ffff]", ident.banner)
    assert "\\x1b[2J" in ident.banner


async def test_a_server_that_hangs_up_at_once_is_open_and_unidentified() -> None:
    async def hang_up(stream: anyio.abc.SocketStream) -> None:
        await stream.aclose()

    async with serving(hang_up) as port:
        ident = await banner_of(port, BannerProbe(greeting_wait=0.3, reply_wait=0.3))
    assert (ident.service, ident.raw) == (None, b"")



async def test_a_server_that_hangs_up_on_a_burst_is_identified_on_a_second_try() -> None:
    """A server that talks to one client at a time (as iperf3 does) and turns the
    others away: every probe of the parallel burst is hung up on; trying them again
    one at a time finds it. Here the first connection is held (the NULL wait), the
    burst is hung up on, and later connections get iperf3's answer to a cookie."""
    probe = BannerProbe(greeting_wait=0.3, reply_wait=0.3)
    burst = 0  # the probes after the first, once the port is known
    accepted = 0

    async def one_at_a_time(stream: anyio.abc.SocketStream) -> None:
        nonlocal accepted
        accepted += 1
        if accepted == 1:
            await anyio.sleep(1)  # busy with the first client
        elif accepted <= 1 + burst:
            await stream.aclose()  # turned away
        else:
            cookie = b""
            with anyio.move_on_after(1):
                while len(cookie) < 37:
                    cookie += await stream.receive()
            if len(cookie) >= 37:
                await stream.send(b"\x09")  # PARAM_EXCHANGE
                await anyio.sleep(1)

    async with serving(one_at_a_time) as port:
        burst = len(probe.plan(port, "127.0.0.1")) - 1
        ident = await banner_of(port, probe)
    assert (ident.service, ident.product) == ("iperf3", "iperf3")
    assert "hung_up" not in ident.extra
    assert accepted > 1 + burst  # found on a second try


async def test_a_server_that_always_hangs_up_gets_three_second_tries_at_most() -> None:
    accepted = 0

    async def hang_up(stream: anyio.abc.SocketStream) -> None:
        nonlocal accepted
        accepted += 1
        await stream.aclose()

    probe = BannerProbe(greeting_wait=0.3, reply_wait=0.3)
    async with serving(hang_up) as port:
        ident = await banner_of(port, probe)
    assert ident.service is None
    assert ident.extra.get("silent") is True
    assert accepted == len(probe.plan(port, "127.0.0.1")) + 3



async def test_probes_a_tls_port_hung_up_on_are_not_tried_again_in_plain_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A TLS server hangs up on every plain-text probe but the TLS hello; once the hello
    has found TLS, the probes go inside it, and none is tried again in plain text (here
    a try again would wait 60 s, far past the probe's *total*)."""
    import ssl

    import trustme
    from anyio.streams.tls import TLSListener

    from portkit.identification import _banner

    monkeypatch.setattr(_banner, "_SETTLE", 60.0)
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", key_type=trustme.KeyType.RSA).configure_cert(context)
    context.maximum_version = ssl.TLSVersion.TLSv1_2  # the probe's hello offers no
    # key share that Python's server takes for TLS 1.3 (nginx answers it in 1.2)

    async def http(stream: anyio.abc.ByteStream) -> None:
        with contextlib.suppress(anyio.BrokenResourceError, anyio.EndOfStream, OSError,
                                 ssl.SSLError):
            async with stream:
                await stream.receive()
                await stream.send(b"HTTP/1.0 200 OK\r\nServer: portkit-test/1.0\r\n\r\n")

    tcp = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = tcp.extra(SocketAttribute.local_port)
    listener = TLSListener(tcp, context, standard_compatible=False, handshake_timeout=2)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, http)
        probe = BannerProbe(greeting_wait=0.3, reply_wait=0.3, total=20.0)
        ident = await banner_of(port, probe)
        tg.cancel_scope.cancel()
    assert (ident.tunnel, ident.service) == ("ssl", "http"), ident.extra


async def test_stalled_tls_handshake_gives_an_error_result() -> None:
    async def stall(stream: anyio.abc.SocketStream) -> None:
        await stream.receive()  # the ClientHello, never answered
        await anyio.sleep(10)

    async with serving(stall) as port:
        result = await TLSProbe(handshake_wait=0.5)(Endpoint(host="127.0.0.1", port=port), 2.0)
    info = result.details["tls"]
    assert isinstance(info, TLSInfo)
    assert result.state is PortState.OPEN
    assert info.error == "handshake timed out"
    assert info.certificate is None


# -- a MongoDB protocol peer --------------------------------------------------------------

_HEADER = struct.Struct("<iiii")


def _reply(doc: dict[str, object], response_to: int) -> bytes:
    body = b"\x00\x00\x00\x00\x00" + encode_document(doc)
    return _HEADER.pack(_HEADER.size + len(body), 100 + response_to, response_to, OP_MSG) + body


async def mongodb_peer(stream: anyio.abc.SocketStream) -> None:
    buf = b""
    with anyio.move_on_after(5):
        while True:
            buf += await stream.receive()
            while len(buf) >= _HEADER.size:
                length, request_id, _to, opcode = _HEADER.unpack_from(buf)
                if opcode != OP_MSG or not _HEADER.size < length <= 48_000_000:
                    return  # as MongoDB does with what is not a message
                if len(buf) < length:
                    break
                message, buf = buf[_HEADER.size : length], buf[length:]
                command = decode_document(message[5:])
                if "hello" in command:
                    doc: dict[str, object] = {
                        "isWritablePrimary": True, "maxWireVersion": 21, "minWireVersion": 0,
                        "ok": 1.0,
                    }
                elif "buildInfo" in command:
                    doc = {"version": "7.0.14", "gitVersion": "ce59cfc6", "ok": 1.0}
                else:
                    doc = {"ok": 0.0, "errmsg": "no such command"}
                await stream.send(_reply(doc, request_id))


async def test_mongodb_rule_reads_hello_and_build_info_replies() -> None:
    async with serving(mongodb_peer) as port:
        ident = await banner_of(port, BannerProbe(greeting_wait=0.3, reply_wait=0.3))
    assert (ident.service, ident.product, ident.version) == ("mongodb", "MongoDB", "7.0.14")
    assert ident.extra["max_wire_version"] == 21


async def test_mongodb_nudge_goes_first_on_its_usual_port_hint() -> None:
    from portkit.identification import identify_rules

    rules = identify_rules()
    nudges = rules.nudges(27017, "127.0.0.1")
    assert nudges[0][1].name == "mongodb"
    assert rules.nudges(6379, "h")[0][1].name == "redis"


def _open_fds() -> int:
    import os

    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1


async def test_cancelling_a_conversation_closes_its_sockets() -> None:
    before = _open_fds()
    async with serving(trickle) as port:
        for probe in (BannerProbe(idle=5.0), TLSProbe(handshake_wait=5.0)):
            with anyio.move_on_after(0.3) as scope:
                await probe(Endpoint(host="127.0.0.1", port=port), 2.0)
            assert scope.cancelled_caught
    # The server's side is closed with the server; the probes' side must be too.
    assert _open_fds() <= before


async def test_ipv6_banner_and_udp_verdicts() -> None:
    from probe_support import ipv6_available

    if not ipv6_available():
        pytest.skip("no IPv6 loopback here")

    async def ssh_like(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            await stream.send(b"SSH-2.0-OpenSSH_9.6\r\n")

    listener = await anyio.create_tcp_listener(local_host="::1")
    port = listener.extra(SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, ssh_like)
        result = await BannerProbe()(Endpoint(host="::1", port=port), 2.0)
        tg.cancel_scope.cancel()
    ident = result.details["identification"]
    assert isinstance(ident, Identification)
    assert (ident.service, ident.version) == ("ssh", "9.6")

    import socket

    from portkit.identification import UDPProbe

    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
        s.bind(("::1", 0))
        closed = s.getsockname()[1]
    udp = await UDPProbe()(Endpoint(host="::1", port=closed, protocol="udp"), 1.0)
    assert (udp.state, udp.reason) == (PortState.CLOSED, "port-unreach")
    assert udp.details.get("icmp") in (6, None)
