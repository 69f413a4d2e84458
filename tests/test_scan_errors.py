"""Errors at the engine's boundaries: custom probes that fail, bad results, blocking calls.

Every probe here connects to 127.0.0.1 only, on ports of listeners the tests open.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import anyio
import pytest

import portkit
from portkit import Endpoint, ProbeResult, TCPConnectProbe
from portkit._tasks import background_task_group
from portkit.exceptions import EventLoopRunningError, InvalidOptionError

pytestmark = pytest.mark.anyio


class ProbeFailure(Exception):
    """What the failing probes raise."""


async def drain(ports: list[int], probe: object, **options: object) -> None:
    """Scan 127.0.0.1 on *ports* with *probe* and read every result."""
    async with portkit.scan("127.0.0.1", ports, probe=probe, **options) as results:  # type: ignore[arg-type]
        async for _ in results:
            pass


@pytest.fixture
def open_ports() -> Iterator[list[int]]:
    """Eight listening ports on 127.0.0.1."""
    socks = []
    try:
        for _ in range(8):
            sock = socket.socket()
            socks.append(sock)
            sock.bind(("127.0.0.1", 0))
            sock.listen(8)
        yield [s.getsockname()[1] for s in socks]
    finally:
        for sock in socks:
            sock.close()


class FailingProbe:
    """Connects, then raises: every worker fails with the same error."""

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        # portkit's own connect closes its socket when cancelled mid-connect;
        # anyio.connect_tcp before anyio 4.16 could leak it (on trio).
        await TCPConnectProbe()(endpoint, timeout)
        raise ProbeFailure(f"cannot read {endpoint}")


class WrongResultProbe:
    """Returns a str instead of a ProbeResult."""

    def __repr__(self) -> str:
        return "<WrongResultProbe>"

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        await anyio.lowlevel.checkpoint()
        return "open"  # type: ignore[return-value]


class HangThenFailOnCancelProbe:
    """Waits until cancelled, then fails while being cancelled."""

    def __init__(self) -> None:
        self.started = anyio.Event()

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        self.started.set()
        try:
            await anyio.sleep_forever()
        finally:
            raise ProbeFailure("failed while being cancelled")
        raise AssertionError("unreachable")  # pragma: no cover


async def test_a_probe_error_reaches_the_caller_of_scan_as_itself(
    open_ports: list[int],
) -> None:
    # Regression: the error came wrapped in two nested ExceptionGroups.
    with pytest.raises(ProbeFailure, match=r"cannot read 127\.0\.0\.1:") as info:
        await drain(open_ports, FailingProbe(), concurrency=8)
    assert type(info.value) is ProbeFailure


def test_a_probe_error_reaches_the_caller_of_scan_sync_as_itself(
    open_ports: list[int], anyio_backend: str
) -> None:
    with pytest.raises(ProbeFailure) as info:
        portkit.scan_sync("127.0.0.1", open_ports, probe=FailingProbe(), concurrency=8,
                          backend=anyio_backend)
    assert type(info.value) is ProbeFailure


async def test_a_probe_returning_no_probe_result_is_named(open_ports: list[int]) -> None:
    # Regression: an AttributeError from deep inside the engine.
    with pytest.raises(InvalidOptionError, match="WrongResultProbe") as info:
        await drain(open_ports[:1], WrongResultProbe())
    assert info.value.name == "probe"
    assert "a probe returns a ProbeResult" in info.value.rule
    assert "'open' (a str)" in info.value.rule


async def test_the_callers_error_wins_over_a_probe_failing_during_cancellation(
    open_ports: list[int],
) -> None:
    # Regression: on trio, a task failing while being cancelled replaced the caller's
    # own error with an ExceptionGroup.
    probe = HangThenFailOnCancelProbe()

    async def caller() -> None:
        async with portkit.scan("127.0.0.1", open_ports, probe=probe, concurrency=4,
                                timeout=30):
            await probe.started.wait()
            raise KeyError("the caller's")

    with pytest.raises(KeyError, match="the caller's") as info:
        await caller()
    assert type(info.value) is KeyError


async def test_background_group_keeps_the_callers_error_when_tasks_fail_on_cancel() -> None:
    started = anyio.Event()

    async def fail_on_cancel() -> None:
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            raise ProbeFailure("in cleanup")

    async def caller() -> None:
        async with background_task_group() as tg:
            tg.start_soon(fail_on_cancel)
            tg.start_soon(fail_on_cancel)
            await started.wait()
            raise LookupError("mine")

    with pytest.raises(LookupError, match="mine") as info:
        await caller()
    assert type(info.value) is LookupError


async def test_background_group_never_swallows_cancellation() -> None:
    after_block = False
    with anyio.move_on_after(0.05) as scope:
        async with background_task_group() as tg:
            tg.start_soon(anyio.sleep_forever)
            await anyio.sleep_forever()
        after_block = True
    assert scope.cancelled_caught
    assert not after_block


async def test_scan_sync_inside_a_running_event_loop_names_the_async_api(
    open_ports: list[int], anyio_backend: str
) -> None:
    # Regression: anyio's "Already running asyncio in this thread".
    with pytest.raises(EventLoopRunningError, match=r"portkit\.scan\(\)") as info:
        portkit.scan_sync("127.0.0.1", open_ports[:1])
    assert info.value.library == anyio_backend
    assert info.value.alternative == "portkit.scan"
    assert isinstance(info.value, RuntimeError)
    # The async API works right there.
    async with portkit.scan("127.0.0.1", open_ports[:1]) as results:
        states = [r.state async for r in results]
    assert states == [portkit.PortState.OPEN]
