"""A custom probe: which ports answer HTTP, and with what status.

Run it against hosts of your own::

    python examples/http_status_probe.py 127.0.0.1 8000-8100

``HttpStatusProbe`` follows the :class:`portkit.Probe` protocol, so
:func:`portkit.scan` gives it the same concurrency and rate limits, retries and
streaming as the built-in TCP connect probe. It connects, sends ``HEAD /`` and reads
the status line:

- an HTTP status line: ``open``, reason ``http-response``, details ``status`` and
  ``server``;
- connected but no HTTP (or nothing said before the timeout): ``open``, reason
  ``syn-ack``, details ``http: False``;
- refused: ``closed`` (``conn-refused``); silence: ``filtered`` (``no-response``);
  any other connect error: ``filtered``, reason from the errno.
"""

from __future__ import annotations

import errno
import sys

import anyio

import portkit
from portkit import Endpoint, PortState, ProbeResult, Protocol

_UNREACHABLE = {
    errno.EHOSTUNREACH: "host-unreach",
    errno.ENETUNREACH: "net-unreach",
    errno.EACCES: "admin-prohibited",
    errno.EPERM: "admin-prohibited",
}
_PRESSURE = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.EADDRNOTAVAIL}


def _errno_of(error: OSError) -> int | None:
    """The errno of a failed connect.

    anyio's connect_tcp reports failures as ``OSError("All connection attempts
    failed")`` whose *cause* carries the errno of the attempt.
    """
    if error.errno is not None:
        return error.errno
    cause = error.__cause__
    return cause.errno if isinstance(cause, OSError) else None


class HttpStatusProbe:
    """Probe a TCP port for an HTTP server and report its status code."""

    protocol = Protocol.TCP

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        def result(state: PortState, reason: str, latency: float | None = None,
                   **details: object) -> ProbeResult:
            return ProbeResult(
                target=endpoint.host, address=endpoint.host, port=endpoint.port,
                state=state, reason=reason, latency=latency, details=details,
            )

        start = anyio.current_time()
        try:
            with anyio.fail_after(timeout):
                stream = await anyio.connect_tcp(endpoint.host, endpoint.port)
        except TimeoutError:
            return result(PortState.FILTERED, "no-response")
        except OSError as e:
            code = _errno_of(e)
            if code in _PRESSURE:
                raise  # out of descriptors or source ports: the engine backs off
            if code == errno.ECONNREFUSED:
                return result(PortState.CLOSED, "conn-refused", anyio.current_time() - start)
            return result(PortState.FILTERED, _UNREACHABLE.get(code or 0, "unreachable"))
        latency = anyio.current_time() - start
        async with stream:
            host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host
            head = b""
            with anyio.move_on_after(timeout):
                await stream.send(f"HEAD / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
                while b"\r\n\r\n" not in head and len(head) < 16384:
                    try:
                        head += await stream.receive()
                    except (anyio.EndOfStream, anyio.BrokenResourceError, OSError):
                        break
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) >= 2 and parts[0].startswith("HTTP/") and parts[1].isdigit():
            server = next(
                (line.split(":", 1)[1].strip() for line in lines[1:]
                 if line.lower().startswith("server:")),
                None,
            )
            return result(PortState.OPEN, "http-response", latency,
                          status=int(parts[1]), server=server)
        return result(PortState.OPEN, "syn-ack", latency, http=False)


async def main(host: str, ports: str) -> None:
    async with portkit.scan(host, ports, probe=HttpStatusProbe(), timeout=2.0) as results:
        async for r in results:
            if r.state is PortState.OPEN:
                status = r.details.get("status", "not HTTP")
                print(f"{r.endpoint}  {status}  {r.details.get('server') or ''}".rstrip())


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: http_status_probe.py HOST PORTS")
    anyio.run(main, sys.argv[1], sys.argv[2])
