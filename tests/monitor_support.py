"""Real servers for the monitor's tests: loopback listeners that can stop and start."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.abc

from servers import free_port

__all__ = ["free_port", "listening"]


async def _close_at_once(stream: anyio.abc.SocketStream) -> None:
    await stream.aclose()


@asynccontextmanager
async def listening(port: int = 0, *, silent: bool = False) -> AsyncIterator[int]:
    """Listen on 127.0.0.1:*port* (0 for any) and accept until the block ends.

    Accepted connections are closed at once, or, when *silent*, held open without a
    byte sent until the block ends (a server that never sends a banner).
    """
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=port)
    bound = int(listener.extra(anyio.abc.SocketAttribute.local_port))

    async def hold(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            await anyio.sleep_forever()

    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, hold if silent else _close_at_once)
        try:
            yield bound
        finally:
            tg.cancel_scope.cancel()


class Switch:
    """A listener on a fixed port that a test turns on and off."""

    def __init__(self, task_group: anyio.abc.TaskGroup, port: int) -> None:
        self.port = port
        self._task_group = task_group
        self._scope: anyio.CancelScope | None = None

    async def start(self) -> None:
        assert self._scope is None
        self._scope = await self._task_group.start(self._serve)

    def stop(self) -> None:
        assert self._scope is not None
        self._scope.cancel()
        self._scope = None

    async def _serve(self, *, task_status: anyio.abc.TaskStatus[anyio.CancelScope]) -> None:
        # A plain accept loop rather than a listener's serve(): on Python 3.11
        # asyncio, cancelling sock_accept() in the loop iteration in which a
        # connection arrives makes the loop set a result on the cancelled future
        # (InvalidStateError); anyio.wait_readable() is cancelled cleanly.
        with anyio.CancelScope() as scope, socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self.port))
            sock.listen(128)
            sock.setblocking(False)
            task_status.started(scope)
            while True:
                await anyio.wait_readable(sock)
                try:
                    conn, _ = sock.accept()
                except BlockingIOError:
                    continue
                conn.close()
