"""The banner probe: what a service says, or answers to a harmless nudge."""

from __future__ import annotations

from typing import ClassVar

import anyio
import anyio.abc
import attrs

from .._models import Endpoint, Protocol
from .._options import non_negative, positive
from .._probe._results import PortState, ProbeResult
from ..exceptions import InvalidOptionError
from ._builtin import identify_rules
from ._identification import Identification
from ._io import connect, read_reply
from ._rules import RuleSet

__all__ = ["BannerProbe"]




def _limit(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1 << 20:
        raise InvalidOptionError(attribute.name, value, "max_bytes is an int from 1 to 1048576")


@attrs.frozen(kw_only=True)
class BannerProbe:
    """A TCP probe that identifies the service behind an open port.

    It connects, and reads what the server says first. A server that says nothing
    within *greeting_wait* gets a nudge: the first nudge of the rules hinted for the
    port (an HTTP ``GET /`` on web ports, ``INFO server`` on redis's, an
    SSLRequest on PostgreSQL's, ...), or, on a port no rule knows, each rule's
    nudge in turn, one new connection each, until a reply matches a rule. Every
    exchange is one write and one bounded read. On ports hinted for a service that
    waits for its client, the nudge goes out at once.

    Closed and filtered ports get the verdicts of ``TCPConnectProbe``.
    An open port's result has ``reason="syn-ack"`` and an
    :class:`~portkit.identification.Identification` in ``details["identification"]``, whose
    ``service`` is None when no rule matched (its ``banner`` still shows what the
    server said).

    ::

        probe = portkit.identification.BannerProbe()
        async with portkit.scan("127.0.0.1", "22,80,6379", probe=probe) as rs:
            async for result in rs:
                ident = result.details.get("identification")
                if ident is not None:
                    print(result.port, ident.service, ident.product, ident.version)

    The *timeout* the scan passes bounds the connect; the conversation is bounded by
    *greeting_wait*, *reply_wait*, *idle* and, in all, *total*; memory by
    *max_bytes*.

    Attributes:
        rules: The :class:`~portkit.identification.RuleSet` to identify with.
        max_bytes: The most bytes read (and kept) per exchange.
        greeting_wait: Seconds to wait for a server to speak first.
        reply_wait: Seconds to wait for the first bytes of a reply to a nudge.
        idle: Seconds of silence that end a reply once it has begun.
        max_nudges: How many nudges (connections) to try on a silent port.
        total: Seconds the whole conversation with one port may take.
        tls: Talk inside TLS (as to HTTPS, IMAPS, POP3S, SMTPS ports): shake hands
            first, without checking the certificate (that is
            :class:`~portkit.identification.TLSProbe`'s work); the result's ``tunnel`` is ``"ssl"``.
        server_hostname: With *tls*, the name to send as SNI.

    .. versionadded:: 0.1.0
    """

    protocol: ClassVar[Protocol] = Protocol.TCP

    rules: RuleSet = attrs.field(factory=identify_rules)
    max_bytes: int = attrs.field(default=4096, validator=_limit)
    greeting_wait: float = attrs.field(default=1.0, validator=positive)
    reply_wait: float = attrs.field(default=1.0, validator=positive)
    idle: float = attrs.field(default=0.2, validator=positive)
    max_nudges: int = attrs.field(default=5, validator=non_negative)
    total: float = attrs.field(default=10.0, validator=positive)
    tls: bool = False
    server_hostname: str | None = None

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        """Connect to *endpoint* within *timeout* and identify what listens there.

        Raises:
            OSError: a local resource ran out (``EMFILE``, ``EADDRNOTAVAIL``, ...).
        """
        connected = await connect(endpoint, timeout)
        if isinstance(connected, ProbeResult):
            return connected
        stream, latency = connected
        ident = Identification(tunnel="ssl" if self.tls else None)
        try:
            with anyio.move_on_after(self.total):
                ident = await self._converse(stream, endpoint, timeout)
        finally:
            await anyio.aclose_forcefully(stream)  # closed already, unless cancelled early
        return ProbeResult(
            target=endpoint.host, address=endpoint.host, port=endpoint.port,
            protocol=Protocol.TCP, state=PortState.OPEN, reason="syn-ack",
            latency=latency, details={"identification": ident},
        )

    async def _wrap(
        self, stream: anyio.abc.SocketStream, endpoint: Endpoint
    ) -> anyio.abc.ByteStream:
        """*stream*, inside TLS when this probe speaks TLS (certificates unchecked)."""
        if not self.tls:
            return stream
        import ssl

        from anyio.streams.tls import TLSStream

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with anyio.fail_after(self.reply_wait + self.greeting_wait):
            return await TLSStream.wrap(
                stream, server_side=False, ssl_context=context, standard_compatible=False,
                hostname=self.server_hostname or endpoint.host,
            )

    async def _converse(
        self, raw: anyio.abc.SocketStream, endpoint: Endpoint, timeout: float
    ) -> Identification:
        """Talk to the server on *raw* (which this closes), then on new connections."""
        tunnel = "ssl" if self.tls else None
        nudges = self.rules.nudges(endpoint.port, endpoint.host)[: self.max_nudges]
        eager = bool(nudges) and endpoint.port in nudges[0][1].ports
        first: Identification | None = None
        async with raw:
            try:
                stream = await self._wrap(raw, endpoint)
            except (OSError, anyio.BrokenResourceError, anyio.EndOfStream, TimeoutError) as e:
                return Identification(tunnel=tunnel, extra={"tls_error": str(e) or repr(e)})
            if not eager:
                data, cut = await read_reply(
                    stream, self.max_bytes, self.greeting_wait, self.idle
                )
                if data:
                    ident = self.rules.identify(data, port=endpoint.port, truncated=cut)
                    return attrs.evolve(ident, tunnel=tunnel)
            if not nudges:
                return Identification(tunnel=tunnel)
            ident = await self._exchange(stream, endpoint, nudges[0][0])
            if ident.identified:
                return ident
            first = ident if ident.raw else None
        for nudge, _rule in nudges[1:]:
            connected = await connect(endpoint, timeout)
            if isinstance(connected, ProbeResult):
                break
            async with connected[0] as again:
                try:
                    stream = await self._wrap(again, endpoint)
                except (OSError, anyio.BrokenResourceError, anyio.EndOfStream, TimeoutError):
                    break
                ident = await self._exchange(stream, endpoint, nudge)
            if ident.identified:
                return ident
            if first is None and ident.raw:
                first = ident
        return first if first is not None else Identification(sent=nudges[0][0], tunnel=tunnel)

    async def _exchange(
        self, stream: anyio.abc.ByteStream, endpoint: Endpoint, nudge: bytes
    ) -> Identification:
        tunnel = "ssl" if self.tls else None
        try:
            await stream.send(nudge)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            return Identification(sent=nudge, tunnel=tunnel)
        data, cut = await read_reply(stream, self.max_bytes, self.reply_wait, self.idle)
        ident = self.rules.identify(data, port=endpoint.port, sent=nudge, truncated=cut)
        return attrs.evolve(ident, tunnel=tunnel)
