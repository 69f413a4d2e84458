"""The /metrics server against clients that misbehave, on 127.0.0.1: a client that
asks and never reads loses its slot at the write deadline, concurrent scrapes share
one body, and the server's memory returns once the clients are gone."""

from __future__ import annotations

import gc
import socket
import tracemalloc
import urllib.request
from collections.abc import Callable

import anyio
import pytest

from monitor_support import listening
from portkit.monitoring import Check, monitor
from portkit.monitoring._http import MAX_CONNECTIONS, SharedBody, serve_metrics

pytestmark = pytest.mark.anyio

BODY = 4 * 1024 * 1024  # more than the kernel buffers of a client that never reads


def _stuck_client(port: int) -> socket.socket:
    """A client that sends a scrape and never reads the answer."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    return sock


def _scrape(port: int) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


async def test_clients_that_never_read_lose_their_slots_at_the_write_deadline() -> None:
    renders = 0

    async def render() -> bytes:
        nonlocal renders
        renders += 1
        return b"# big\n" * (BODY // 6)

    async with anyio.create_task_group() as tg:
        _host, port = await tg.start(
            lambda task_status: serve_metrics(
                "127.0.0.1", 0, render, write_timeout=0.5, task_status=task_status
            )
        )
        stuck = [_stuck_client(port) for _ in range(MAX_CONNECTIONS)]
        try:
            await anyio.sleep(0.2)
            # Every slot is held now: a real scrape is turned away...
            status, _ = await anyio.to_thread.run_sync(_scrape, port)
            assert status == 503
            # ... until the write deadline frees them.
            with anyio.fail_after(30):
                while True:
                    await anyio.sleep(0.2)
                    status, body = await anyio.to_thread.run_sync(_scrape, port)
                    if status == 200:
                        break
            assert len(body) == len(b"# big\n" * (BODY // 6))
        finally:
            for sock in stuck:
                sock.close()
        tg.cancel_scope.cancel()


async def test_memory_returns_after_stuck_clients_leave() -> None:
    async def render() -> bytes:
        return b"x" * BODY

    gc.collect()
    tracemalloc.start()
    try:
        async with anyio.create_task_group() as tg:
            _host, port = await tg.start(
                lambda task_status: serve_metrics(
                    "127.0.0.1", 0, render, write_timeout=0.5, task_status=task_status
                )
            )
            base = tracemalloc.get_traced_memory()[0]
            stuck = [_stuck_client(port) for _ in range(MAX_CONNECTIONS)]
            await anyio.sleep(0.3)
            during = tracemalloc.get_traced_memory()[0] - base
            await anyio.sleep(1.0)  # past the write deadline
            for sock in stuck:
                sock.close()
            await anyio.sleep(0.2)
            gc.collect()
            after = tracemalloc.get_traced_memory()[0] - base
            tg.cancel_scope.cancel()
        # The clients shared bodies (a copy per client would be 32 bodies) ...
        assert during < 4 * BODY, during
        # ... and none is kept once they are gone.
        assert after < BODY // 4, after
    finally:
        tracemalloc.stop()


async def test_concurrent_scrapes_share_one_rendering() -> None:
    started = anyio.Event()
    release = anyio.Event()

    async def slow() -> bytes:
        started.set()
        await release.wait()
        return b"metrics " * 1000

    shared = SharedBody(slow)
    bodies: list[bytes] = []

    async def get() -> None:
        bodies.append(await shared.get())

    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(get)
        await started.wait()
        await anyio.sleep(0.05)
        release.set()
    assert shared.renders == 1
    assert len(bodies) == 10 and all(b is bodies[0] for b in bodies)
    # Once no client holds it, the body is dropped: the next scrape renders anew.
    assert await shared.get() == bodies[0]
    assert shared.renders == 2


async def test_a_monitor_serves_metrics_for_many_checks_while_checking() -> None:
    async with listening() as port:
        checks = [
            Check(endpoint=f"127.0.0.1:{port}", name=f"c{i}", interval=0.5) for i in range(300)
        ]
        async with monitor(checks, serve=("127.0.0.1", 0)) as mon:
            address = mon.metrics_address
            assert address is not None
            with anyio.fail_after(30):
                results = await anyio.to_thread.run_sync(_scrape, address[1])
            assert results[0] == 200
            text = results[1].decode()
            assert text.count("portkit_check_up{") == 300
            assert 'check="c299"' in text


def test_rendering_metrics_is_linear_in_the_number_of_checks() -> None:
    from bounds import assert_linear

    def make(n: int) -> Callable[[], object]:
        checks = [
            Check(endpoint=f"127.0.0.1:{i % 60000 + 1}", name=f"c{i}", interval=3600.0)
            for i in range(n)
        ]
        async def start() -> None:
            async with monitor(checks) as mon:
                bodies.append(await mon._metrics_body())
                bodies.append(mon.metrics().encode())

        bodies: list[bytes] = []

        def run() -> object:
            bodies.clear()
            anyio.run(start)
            # The server's body holds what the method's text does, one series a check.
            assert bodies[0].count(b"portkit_check_up{") == bodies[1].count(
                b"portkit_check_up{") == n
            return bodies

        return run

    assert_linear(make, 40)
