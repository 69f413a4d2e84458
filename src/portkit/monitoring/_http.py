"""A tiny HTTP/1.1 server for ``GET /metrics``, on anyio.

It answers one request per connection and closes it (``Connection: close``), which
is all a Prometheus scrape needs. Requests are bounded: the request head may hold
at most :data:`MAX_REQUEST` bytes and must arrive within the read timeout; at most
:data:`MAX_CONNECTIONS` connections are served at once, the others get a 503.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import anyio
import anyio.abc

from ._exposition import CONTENT_TYPE

__all__ = ["MAX_CONNECTIONS", "MAX_REQUEST", "serve_metrics"]

#: The most bytes of request line and headers the server reads.
MAX_REQUEST = 8192
#: The most connections served at once.
MAX_CONNECTIONS = 32

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


def answer(head: bytes | None, render: Callable[[], str]) -> bytes:
    """The whole response to a request whose head is *head* (None: too large)."""
    if head is None:
        return _plain(431)
    line = head.split(b"\n", 1)[0].strip()
    parts = line.split()
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
        return _plain(400)
    method, target = parts[0], parts[1]
    path = target.split(b"?", 1)[0]
    if path != b"/metrics":
        return _plain(404)
    if method not in (b"GET", b"HEAD"):
        return _plain(405)
    body = render().encode("utf-8")
    return _response(200, body, CONTENT_TYPE, head_only=method == b"HEAD")


async def serve_metrics(
    host: str,
    port: int,
    render: Callable[[], str],
    *,
    read_timeout: float = 5.0,
    task_status: anyio.abc.TaskStatus[tuple[str, int]] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``render()`` at ``http://host:port/metrics`` until cancelled.

    Reports the bound ``(host, port)`` through *task_status* (useful with port 0).
    """
    limiter = anyio.CapacityLimiter(MAX_CONNECTIONS)

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            try:
                limiter.acquire_nowait()
            except anyio.WouldBlock:
                with contextlib.suppress(
                    anyio.BrokenResourceError, anyio.ClosedResourceError, OSError
                ):
                    await stream.send(_plain(503))
                return
            try:
                head: bytes | None
                try:
                    with anyio.fail_after(read_timeout):
                        head = await _read_head(stream)
                except TimeoutError:
                    await stream.send(_plain(408))
                    return
                await stream.send(answer(head, render))
            except (
                anyio.EndOfStream,
                anyio.BrokenResourceError,
                anyio.ClosedResourceError,
                OSError,
            ):
                return
            finally:
                limiter.release()

    listener = await anyio.create_tcp_listener(local_host=host, local_port=port)
    async with listener:
        address = listener.listeners[0].extra(anyio.abc.SocketAttribute.local_address)
        task_status.started((str(address[0]), int(address[1])))
        await listener.serve(handle)
