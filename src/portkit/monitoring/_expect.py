"""Declarative send/expect checks: :class:`ExpectProbe`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import ClassVar

import anyio
import anyio.abc
import attrs

from .._models import Endpoint, Protocol
from .._options import positive
from .._probe import PortState, ProbeResult
from ..exceptions import InvalidOptionError

__all__ = ["ExpectProbe"]

_Step = tuple[str, bytes]
_TRANSPORT = (OSError, anyio.BrokenResourceError, anyio.EndOfStream, anyio.ClosedResourceError)


def _steps(value: Iterable[tuple[str, bytes | str]]) -> tuple[_Step, ...]:
    out: list[_Step] = []
    for item in value:
        if not isinstance(item, tuple) or len(item) != 2 or item[0] not in ("send", "expect"):
            raise InvalidOptionError(
                "steps", item, "a step is ('send', bytes) or ('expect', bytes regex)"
            )
        kind, data = item
        raw = data.encode() if isinstance(data, str) else data
        if not isinstance(raw, bytes) or (kind == "send" and not raw):
            raise InvalidOptionError("steps", item, "a step's data is non-empty bytes or str")
        if kind == "expect":
            try:
                re.compile(raw)
            except re.error as e:
                raise InvalidOptionError(
                    "steps", item, f"the expected pattern does not compile: {e}"
                ) from None
        out.append((kind, raw))
    if not out:
        raise InvalidOptionError("steps", value, "give at least one step")
    return tuple(out)


@attrs.frozen(kw_only=True)
class ExpectProbe:
    r"""A TCP probe that holds a dialogue: send these bytes, expect a reply that matches.

    For protocols with no built-in probe, as blackbox_exporter's ``query_response``
    and ``check_tcp -s ... -e ...`` do it. Each ``("expect", pattern)`` step reads
    until the bytes regular expression *pattern* matches what has arrived since the
    previous expect (within *wait* seconds and *max_bytes* bytes), searched with
    :data:`re.MULTILINE` so that ``^`` and ``$`` match at every line, as blackbox
    matches line by line; each ``("send", data)`` step writes *data*. Use
    :func:`re.escape` to expect literal bytes.

    ::

        ExpectProbe(steps=[("expect", rb"^220 "), ("send", b"QUIT\r\n"), ("expect", rb"^221")])
        ExpectProbe.query_response([{"send": "PING\r\n"}, {"expect": r"^\+PONG"}])

    The result of a dialogue that went as expected is ``open`` with reason
    ``expect-matched``; one that did not is ``error`` with reason ``expect-failed``
    (a :class:`~portkit.monitoring.Check` judges it ``down``), and ``details`` say
    which step failed and what arrived (``details["received"]``, at most 1 KiB).
    Closed and filtered ports get the verdicts of ``TCPConnectProbe``. With
    *tls*, the dialogue runs inside TLS (certificates unchecked) and
    ``details["tls"]`` holds the session's
    :class:`~portkit.identification.TLSInfo`, so the monitor exports the TLS metrics.

    Attributes:
        steps: The dialogue: ``("send", bytes)`` and ``("expect", bytes regex)``
            steps (str is encoded as UTF-8).
        tls: Shake hands with TLS before the dialogue.
        server_hostname: With *tls*, the name to send as SNI.
        wait: Seconds each expect step may wait for its match.
        max_bytes: The most bytes an expect step reads.

    Raises:
        InvalidOptionError: a step is not a send or an expect, or a pattern does not
            compile.

    .. versionadded:: 0.2
    """

    protocol: ClassVar[Protocol] = Protocol.TCP

    steps: tuple[tuple[str, bytes], ...] = attrs.field(converter=_steps)
    tls: bool = False
    server_hostname: str | None = None
    wait: float = attrs.field(default=5.0, validator=positive)
    max_bytes: int = 65536

    @classmethod
    def query_response(
        cls, steps: Iterable[Mapping[str, str | bytes]], **options: object
    ) -> ExpectProbe:
        """A probe from blackbox_exporter's ``query_response`` list: each item has
        ``expect`` and/or ``send`` (an item with both expects first, as blackbox does).
        """
        out: list[tuple[str, bytes | str]] = []
        for item in steps:
            if not isinstance(item, Mapping) or not set(item) <= {"expect", "send"}:
                raise InvalidOptionError(
                    "query_response", item, "an item has 'expect' and/or 'send'"
                )
            if "expect" in item:
                out.append(("expect", item["expect"]))
            if "send" in item:
                out.append(("send", item["send"]))
        return cls(steps=out, **options)  # type: ignore[arg-type]

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        """Connect to *endpoint* within *timeout* and hold the dialogue.

        Raises:
            OSError: a local resource ran out (``EMFILE``, ``EADDRNOTAVAIL``, ...).
        """
        from ..identification._io import connect

        connected = await connect(endpoint, timeout)
        if isinstance(connected, ProbeResult):
            return connected
        stream, latency = connected
        details: dict[str, object] = {}
        state, reason = PortState.OPEN, "expect-matched"
        try:
            talk: anyio.abc.ByteStream = stream
            if self.tls:
                talk, details["tls"] = await self._wrap(stream, endpoint)
            failed = await self._dialogue(talk, details)
            if failed is not None:
                state, reason = PortState.ERROR, "expect-failed"
                details["failed_step"] = failed
        except (*_TRANSPORT, TimeoutError) as e:
            state, reason = PortState.ERROR, "expect-failed"
            details["error"] = str(e) or type(e).__name__
        finally:
            await anyio.aclose_forcefully(stream)
        return ProbeResult(
            target=endpoint.host, address=endpoint.host, port=endpoint.port,
            protocol=Protocol.TCP, state=state, reason=reason, latency=latency,
            details=details,
        )

    async def _wrap(
        self, stream: anyio.abc.SocketStream, endpoint: Endpoint
    ) -> tuple[anyio.abc.ByteStream, object]:
        import ssl

        from anyio.streams.tls import TLSAttribute, TLSStream

        from ..identification._tls import TLSInfo
        from ..identification._x509 import parse_certificate

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with anyio.fail_after(self.wait):
            tls = await TLSStream.wrap(
                stream, server_side=False, ssl_context=context, standard_compatible=False,
                hostname=self.server_hostname or endpoint.host,
            )
        der = tls.extra(TLSAttribute.peer_certificate_binary, None)
        cert = None
        if der:
            try:
                cert = parse_certificate(der)
            except ValueError:
                cert = None
        cipher = tls.extra(TLSAttribute.cipher, None)
        info = TLSInfo(
            version=tls.extra(TLSAttribute.tls_version, None),
            cipher=cipher[0] if cipher else None, certificate=cert,
            days_left=None if cert is None else cert.days_left(),
            server_hostname=self.server_hostname or endpoint.host,
        )
        return tls, info

    async def _dialogue(
        self, stream: anyio.abc.ByteStream, details: dict[str, object]
    ) -> int | None:
        """Run the steps; the index of the step that failed, or None."""
        buf = b""
        for index, (kind, data) in enumerate(self.steps):
            if kind == "send":
                await stream.send(data)
                continue
            pattern = re.compile(data, re.MULTILINE)
            buf = b""
            found = None
            with anyio.move_on_after(self.wait):
                while (found := pattern.search(buf)) is None and len(buf) < self.max_bytes:
                    try:
                        chunk = await stream.receive(self.max_bytes - len(buf))
                    except (anyio.EndOfStream, anyio.BrokenResourceError):
                        break
                    buf += chunk
            details["received"] = buf[:1024]
            if found is None:
                return index
        return None
