"""A tiny HTTP/1.1 server for ``GET /metrics``, on anyio.

It answers one request per connection and closes it (``Connection: close``), which
is all a Prometheus scrape needs. Clients are bounded, so that none can starve the
others or the checks:

- the request head may hold at most :data:`MAX_REQUEST` bytes and must arrive
  within the read timeout;
- the response must be taken within the write timeout: a client that asks and never
  reads loses its connection (and its slot) then;
- at most :data:`MAX_CONNECTIONS` connections are served at once, the others get a
  503;
- concurrent scrapes share one rendering and one copy of the body, which is dropped
  once the last of them is answered, so memory does not grow with the clients.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
import anyio.abc

from ._exposition import CONTENT_TYPE

__all__ = ["MAX_CONNECTIONS", "MAX_REQUEST", "SharedBody", "serve_metrics"]

#: The most bytes of request line and headers the server reads.
MAX_REQUEST = 8192
#: The most connections served at once.
MAX_CONNECTIONS = 32
_SLICE = 64 * 1024

_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


def _response(status: int, body: bytes, content_type: str, head_only: bool = False) -> bytes:
    lines = [
        f"HTTP/1.1 {status} {_REASONS[status]}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    if status == 405:
        lines.append("Allow: GET, HEAD")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    return head if head_only else head + body


def _plain(status: int) -> bytes:
    return _response(status, f"{_REASONS[status]}\n".encode(), "text/plain; charset=utf-8")


async def _read_head(stream: anyio.abc.ByteStream) -> bytes | None:
    """The request head, None when it is too large."""
    data = b""
    while b"\r\n\r\n" not in data and b"\n\n" not in data:
        if len(data) > MAX_REQUEST:
            return None
        data += await stream.receive(4096)
    return data


def request_error(head: bytes | None) -> tuple[bytes | None, bool]:
    """(the error response to send, or None to serve /metrics; whether HEAD)."""
    if head is None:
        return _plain(431), False
    line = head.split(b"\n", 1)[0].strip()
    parts = line.split()
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
        return _plain(400), False
    method, target = parts[0], parts[1]
    path = target.split(b"?", 1)[0]
    if path != b"/metrics":
        return _plain(404), False
    if method not in (b"GET", b"HEAD"):
        return _plain(405), False
    return None, method == b"HEAD"


class _Flight:
    __slots__ = ("at", "body", "done")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.body: bytes | None = None
        self.at = 0.0


class SharedBody:
    """One rendering shared by the scrapes that come close together.

    The first scrape renders; scrapes that arrive while it renders, or within
    *fresh* seconds after while some client still holds the body, get the same
    bytes object instead of a rendering and a copy of their own. The body is
    dropped as soon as no client holds it, so memory returns when clients leave,
    and a scrape never sees a body older than *fresh* seconds.
    """

    def __init__(self, produce: Callable[[], Awaitable[bytes]], fresh: float = 1.0) -> None:
        self._produce = produce
        self._fresh = fresh
        self._flight: _Flight | None = None
        self._holders = 0
        self.renders = 0  # how many renderings were made (for tests)

    @contextlib.asynccontextmanager
    async def body(self) -> AsyncIterator[bytes]:
        """The body to send, held until the block ends."""
        self._holders += 1
        try:
            yield await self._get()
        finally:
            self._holders -= 1
            if not self._holders:
                self._flight = None

    async def _get(self) -> bytes:
        for _ in range(3):  # a rendering cancelled under its waiters is retried
            flight = self._flight
            if flight is not None and flight.done.is_set() and (
                flight.body is None or anyio.current_time() - flight.at > self._fresh
            ):
                flight = None
            if flight is None:
                flight = self._flight = _Flight()
                try:
                    self.renders += 1
                    flight.body = await self._produce()
                    flight.at = anyio.current_time()
                    return flight.body
                finally:
                    flight.done.set()
            await flight.done.wait()
            if flight.body is not None:
                return flight.body
        return await self._produce()

    async def get(self) -> bytes:
        """A body, not held (for tests)."""
        async with self.body() as body:
            return body


async def serve_metrics(
    host: str,
    port: int,
    render: Callable[[], Awaitable[bytes]],
    *,
    read_timeout: float = 5.0,
    write_timeout: float = 10.0,
    task_status: anyio.abc.TaskStatus[tuple[str, int]] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Serve the body ``await render()`` gives at ``http://host:port/metrics`` until
    cancelled.

    Reports the bound ``(host, port)`` through *task_status* (useful with port 0).
    """
    limiter = anyio.CapacityLimiter(MAX_CONNECTIONS)
    shared = SharedBody(render)

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            try:
                limiter.acquire_nowait()
            except anyio.WouldBlock:
                with contextlib.suppress(
                    anyio.BrokenResourceError, anyio.ClosedResourceError, OSError
                ), anyio.move_on_after(write_timeout):
                    await stream.send(_plain(503))
                return
            try:
                head: bytes | None
                try:
                    with anyio.fail_after(read_timeout):
                        head = await _read_head(stream)
                except TimeoutError:
                    with anyio.move_on_after(write_timeout):
                        await stream.send(_plain(408))
                    return
                error, head_only = request_error(head)
                if error is not None:
                    with anyio.move_on_after(write_timeout):
                        await stream.send(error)
                    return
                async with shared.body() as body:
                    # The head and the shared body go out apart: no copy per client.
                    with anyio.move_on_after(write_timeout):
                        await stream.send(_response(200, body, CONTENT_TYPE, head_only=True))
                        if not head_only:
                            # In slices: a transport that buffers what the client
                            # has not taken then holds a slice, not a whole copy.
                            for i in range(0, len(body), _SLICE):
                                await stream.send(body[i : i + _SLICE])
            except (
                anyio.EndOfStream,
                anyio.BrokenResourceError,
                anyio.ClosedResourceError,
                OSError,
            ):
                return
            finally:
                limiter.release()
                # A client that stopped reading leaves unsent data behind: reset the
                # connection rather than wait for it to drain at close.
                await anyio.aclose_forcefully(stream)

    listener = await anyio.create_tcp_listener(local_host=host, local_port=port)
    async with listener:
        address = listener.listeners[0].extra(anyio.abc.SocketAttribute.local_address)
        task_status.started((str(address[0]), int(address[1])))
        await listener.serve(handle)
