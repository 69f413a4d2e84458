"""A custom probe (examples/http_status_probe.py) against a real HTTP server."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import anyio
import pytest
from anyio.abc import SocketStream

import portkit
from portkit import PortState, Probe
from probe_support import closed_port, listener, stalled_listener

pytestmark = pytest.mark.anyio

EXAMPLE = Path(__file__).parent.parent / "examples" / "http_status_probe.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("http_status_probe", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def serve_http(stream: SocketStream) -> None:
    async with stream:
        request = b""
        with anyio.move_on_after(5), contextlib.suppress(
            anyio.EndOfStream, anyio.BrokenResourceError, OSError
        ):
            while b"\r\n\r\n" not in request:
                request += await stream.receive()
            await stream.send(b"HTTP/1.0 204 No Content\r\nServer: portkit-test\r\n\r\n")


async def serve_garbage(stream: SocketStream) -> None:
    # The probe may hang up before or while this is sent: that is its right.
    async with stream:
        with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError,
                                 OSError):
            await stream.send(b"SSH-2.0-not-http\r\n")


async def test_http_probe_reads_status_through_the_engine() -> None:
    example = load_example()
    probe = example.HttpStatusProbe()
    assert isinstance(probe, Probe)
    http = await anyio.create_tcp_listener(local_host="127.0.0.1")
    other = await anyio.create_tcp_listener(local_host="127.0.0.1")
    http_port = http.extra(anyio.abc.SocketAttribute.local_port)
    other_port = other.extra(anyio.abc.SocketAttribute.local_port)
    closed = closed_port()
    async with http, other, anyio.create_task_group() as tg:
        tg.start_soon(http.serve, serve_http)
        tg.start_soon(other.serve, serve_garbage)
        with stalled_listener() as silent:
            async with portkit.scan(
                "127.0.0.1", [http_port, other_port, closed, silent], probe=probe,
                timeout=0.5, retries=1, adaptive_timeout=False,
            ) as results:
                found = {r.port: r async for r in results}
        tg.cancel_scope.cancel()
    assert (found[http_port].state, found[http_port].reason) == (PortState.OPEN, "http-response")
    assert found[http_port].details["status"] == 204
    assert found[http_port].details["server"] == "portkit-test"
    assert (found[other_port].state, found[other_port].reason) == (PortState.OPEN, "syn-ack")
    assert found[other_port].details["http"] is False
    assert (found[closed].state, found[closed].reason) == (PortState.CLOSED, "conn-refused")
    # The engine retried the silent port and counted the attempts.
    assert (found[silent].state, found[silent].attempts) == (PortState.FILTERED, 2)
    assert {r.target for r in found.values()} == {"127.0.0.1"}


def test_example_runs_as_a_program(capsys: pytest.CaptureFixture[str]) -> None:
    example = load_example()
    with listener("127.0.0.1") as port:
        # A listener that never answers: open, not HTTP.
        anyio.run(example.main, "127.0.0.1", str(port))
    out = capsys.readouterr().out
    assert f"127.0.0.1:{port}  not HTTP" in out
    assert sys.modules.get("http_status_probe") is None
