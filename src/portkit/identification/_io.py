"""Connecting and bounded reading, shared by the identification probes."""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from time import perf_counter

import anyio
import anyio.abc

from .._models import Endpoint
from .._probe._results import PortState, ProbeResult
from .._probe._tcp import _ERRNO_VERDICTS, PRESSURE_ERRNOS

__all__ = ["connect", "failure", "read_reply", "read_reply_or_hangup"]


def failure(
    endpoint: Endpoint, state: PortState, reason: str, details: Mapping[str, object] | None = None
) -> ProbeResult:
    """A result for a port that could not be talked to."""
    return ProbeResult(
        target=endpoint.host, address=endpoint.host, port=endpoint.port,
        protocol=endpoint.protocol, state=state, reason=reason, details=details,
    )


def _errno_of(exc: OSError) -> int | None:
    if exc.errno is not None:
        return exc.errno
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno is not None:
            return cause.errno
        cause = cause.__cause__
    return None


async def connect(
    endpoint: Endpoint, timeout: float
) -> tuple[anyio.abc.SocketStream, float] | ProbeResult:
    """Open a TCP connection to *endpoint* within *timeout*.

    Returns the stream and the connect latency, or the verdict (closed, filtered,
    error) as a :class:`ProbeResult` when the connection failed.

    Raises:
        OSError: a local resource ran out (the scan engine backs off and retries).
    """
    start = perf_counter()
    try:
        with anyio.fail_after(timeout):
            stream = await anyio.connect_tcp(endpoint.host, endpoint.port)
    except TimeoutError:
        return failure(endpoint, PortState.FILTERED, "no-response")
    except OSError as e:
        code = _errno_of(e)
        if code in PRESSURE_ERRNOS:
            raise OSError(code, os.strerror(code)) from e
        if code is not None and code in _ERRNO_VERDICTS:
            state, reason = _ERRNO_VERDICTS[code]
            return failure(endpoint, state, reason)
        name = errno.errorcode.get(code, "oserror") if code is not None else "oserror"
        return failure(endpoint, PortState.ERROR, name.lower(), {"error": str(e)})
    return stream, perf_counter() - start


async def read_reply(
    stream: anyio.abc.ByteReceiveStream, limit: int, first_wait: float, idle: float
) -> tuple[bytes, bool]:
    """Read what the peer says: at most *limit* bytes.

    Waits *first_wait* seconds for the first bytes, then stops after *idle* seconds
    without more, at end of stream, or at the bound. Returns the bytes and whether
    the bound stopped the reading (the peer may have had more to say).
    """
    data, cut, _ = await read_reply_or_hangup(stream, limit, first_wait, idle)
    return data, cut


async def read_reply_or_hangup(
    stream: anyio.abc.ByteReceiveStream, limit: int, first_wait: float, idle: float
) -> tuple[bytes, bool, bool]:
    """:func:`read_reply`, and whether the peer ended the connection (closed or reset
    it) before the first byte, rather than keeping silent."""
    buf = bytearray()
    wait = first_wait
    hung_up = False
    while len(buf) < limit:
        chunk = b""
        with anyio.move_on_after(wait):
            try:
                chunk = await stream.receive(limit - len(buf))
            except (anyio.EndOfStream, anyio.BrokenResourceError, OSError):
                hung_up = not buf
                break
        if not chunk:
            break
        buf += chunk
        wait = idle
    return bytes(buf), len(buf) >= limit, hung_up
