"""The banner probe: what a service says, or answers to a harmless nudge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import anyio
import anyio.abc
import attrs

from .._models import Endpoint, Protocol
from .._options import non_negative, positive
from .._probe._results import PortState, ProbeResult
from ..exceptions import InvalidOptionError
from ._builtin import identify_rules
from ._database import Database, database, normalize, wants_tls
from ._identification import Identification
from ._io import connect, read_reply_or_hangup
from ._rules import RuleSet
from ._text import printable

__all__ = ["BannerProbe"]

#: How many bytes of each reply an unidentified result keeps in ``extra["replies"]``.
REPLY_SAMPLE = 256
_TRANSPORT_ERRORS = (OSError, anyio.BrokenResourceError, anyio.EndOfStream, TimeoutError)


def _limit(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1 << 20:
        raise InvalidOptionError(attribute.name, value, "max_bytes is an int from 1 to 1048576")


def _intensity(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 9:
        raise InvalidOptionError(attribute.name, value, "intensity is an int from 0 to 9")


def _parallel(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        raise InvalidOptionError(attribute.name, value, "parallel is an int from 1 to 64")


@attrs.frozen
class _Step:
    """One exchange of the plan: a name, the bytes to send (empty: wait) and its wait."""

    name: str
    payload: bytes
    services: frozenset[str]
    home: frozenset[str]


#: Marks in an Identification's ``extra`` that only the probe reads: whether a probe
#: was meant to draw the service it found (ranking), and whether the peer hung up.
_INTERNAL = frozenset({"home", "hung_up"})
#: Seconds between the tries again of probes that were hung up on.
_SETTLE = 0.1


@attrs.frozen(kw_only=True)
class BannerProbe:
    """A TCP probe that identifies the service behind an open port.

    It works through portkit's probe-and-match database (see the identification
    guide): the probes usual on the port come first, so a common service on its own
    port is named after one round trip; a port no probe knows first gets the NULL
    wait (the server may speak first), then the other probes, least rare first, a
    few at a time (*parallel*), each on its own connection, until a reply matches.
    Probes the server hung up on before a byte came (a server that talks to one client
    at a time may turn the others away) are tried again, one at a time.
    A soft match (the service is known, not the product) narrows the rest to the
    probes that can say more about that service. A port that answers the TLS hello
    (or whose web server says it wants TLS) is probed again inside TLS, and the
    result's ``tunnel`` is ``"ssl"`` (nmap's ``ssl/http``). *rules* are tried on
    every reply before the database, so your rules win.

    Closed and filtered ports get the verdicts of ``TCPConnectProbe``.
    An open port's result has ``reason="syn-ack"`` and an
    :class:`~portkit.identification.Identification` in ``details["identification"]``, whose
    ``service`` is None when nothing matched; then its ``extra["replies"]`` holds the
    first bytes (at most 256, as printable text) of every probe's reply, by probe
    name, and ``extra["silent"]`` is True when no probe got a byte back. When the TLS
    hello was sent in plain text, ``extra["tls_hello"]`` says what it drew:
    ``"server-hello"``, ``"other"`` (the port does not speak TLS) or ``"silent"``.

    ::

        probe = portkit.identification.BannerProbe()
        async with portkit.scan("127.0.0.1", "22,80,6379", probe=probe) as rs:
            async for result in rs:
                ident = result.details.get("identification")
                if ident is not None:
                    print(result.port, ident.service, ident.product, ident.version)

    The *timeout* the scan passes bounds each connect; the conversation is bounded by
    *greeting_wait*, *reply_wait*, *idle* and, in all, *total*; memory by
    *max_bytes* per reply.

    Attributes:
        rules: A :class:`~portkit.identification.RuleSet` tried on every reply before
            the database (its rules' nudges are sent too).
        max_bytes: The most bytes read (and kept) per exchange.
        greeting_wait: Seconds to wait for a server to speak first.
        reply_wait: Seconds to wait for the first bytes of a reply to a probe.
        idle: Seconds of silence that end a reply once it has begun.
        max_nudges: How many probes (connections) to try at most on one port.
        total: Seconds the whole identification of one port may take; when they run
            out, the best answer so far is returned.
        tls: Talk inside TLS (as to HTTPS, IMAPS, POP3S, SMTPS ports): shake hands
            first, without checking the certificate (that is
            :class:`~portkit.identification.TLSProbe`'s work); the result's ``tunnel`` is ``"ssl"``.
        server_hostname: With *tls*, the name to send as SNI.
        intensity: Probes rarer than this (1 to 9) are tried only on their own ports,
            as nmap's ``--version-intensity``.
        parallel: How many probes may be in flight at once on one port.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2
       The probe-and-match database, soft matches, *intensity*, *parallel*, TLS
       detection, ``extra["replies"]``.
    """

    protocol: ClassVar[Protocol] = Protocol.TCP

    rules: RuleSet = attrs.field(factory=identify_rules)
    max_bytes: int = attrs.field(default=4096, validator=_limit)
    greeting_wait: float = attrs.field(default=1.0, validator=positive)
    reply_wait: float = attrs.field(default=1.0, validator=positive)
    idle: float = attrs.field(default=0.2, validator=positive)
    max_nudges: int = attrs.field(default=40, validator=non_negative)
    total: float = attrs.field(default=8.0, validator=positive)
    tls: bool = False
    server_hostname: str | None = None
    intensity: int = attrs.field(default=7, validator=_intensity)
    parallel: int = attrs.field(default=10, validator=_parallel)

    async def __call__(self, endpoint: Endpoint, timeout: float) -> ProbeResult:
        """Connect to *endpoint* within *timeout* and identify what listens there.

        Raises:
            OSError: a local resource ran out (``EMFILE``, ``EADDRNOTAVAIL``, ...).
        """
        connected = await connect(endpoint, timeout)
        if isinstance(connected, ProbeResult):
            return connected
        stream, latency = connected
        seen: list[tuple[int, Identification]] = []
        ident: Identification | None = None
        try:
            with anyio.move_on_after(self.total):
                ident = await self._identify(stream, endpoint, timeout, self.tls, seen)
        finally:
            await anyio.aclose_forcefully(stream)  # closed already, unless cancelled early
        if ident is None:
            ident = _verdict(seen, self.tls)
        extra = {k: v for k, v in ident.extra.items() if k not in _INTERNAL}
        hello = next((i for _, i in seen if i.extra.get("probe") == "tls-hello"), None)
        if hello is not None and not self.tls:
            extra["tls_hello"] = (
                "server-hello" if hello.service == "ssl" else "other" if hello.raw else "silent"
            )
        ident = attrs.evolve(ident, extra=extra)
        return ProbeResult(
            target=endpoint.host, address=endpoint.host, port=endpoint.port,
            protocol=Protocol.TCP, state=PortState.OPEN, reason="syn-ack",
            latency=latency, details={"identification": ident},
        )

    def plan(self, port: int, host: str, tls: bool | None = None) -> list[tuple[str, bytes]]:
        """The probes tried on *port* of *host*, in order: ``(name, bytes)``; the NULL
        wait is ``("null", b"")``. Rules' nudges are named ``rule:<name>``."""
        return [(step.name, step.payload) for step in self._plan(
            port, host, self.tls if tls is None else tls)]

    def _plan(self, port: int, host: str, tls: bool) -> list[_Step]:
        db = database()
        builtin = {rule.name for rule in identify_rules()}
        first: list[_Step] = []
        last: list[_Step] = []
        payloads = set()
        for rule in self.rules.for_port(port):
            if rule.name in builtin:
                continue
            data = rule.nudge_for(host)
            if data is not None and data not in payloads:
                payloads.add(data)
                step = _Step(f"rule:{rule.name}", data, frozenset({rule.service}),
                             frozenset({rule.service}))
                (first if port in rule.ports else last).append(step)
        steps = list(first)
        nudged: dict[bytes, set[str]] = {}
        for rule in self.rules:
            data = rule.nudge_for(host)
            if data is not None:
                nudged.setdefault(data, set()).add(rule.service)
        for probe in db.plan(port, tls, self.intensity):
            data = probe.bytes_for(host)
            if data in payloads:
                continue
            payloads.add(data)
            ruled = frozenset(nudged.get(data, ()))
            steps.append(_Step(probe.name, data, db.services_of(probe) | ruled,
                               db.home_of(probe) | ruled))
        steps += last
        return steps[: max(1, self.max_nudges + 1)]

    async def _wrap(
        self, stream: anyio.abc.SocketStream, endpoint: Endpoint, tls: bool
    ) -> anyio.abc.ByteStream:
        """*stream*, inside TLS when *tls* (certificates unchecked)."""
        if not tls:
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

    async def _identify(
        self, raw: anyio.abc.SocketStream, endpoint: Endpoint, timeout: float, tls: bool,
        seen: list[tuple[int, Identification]],
    ) -> Identification:
        """Work through the plan: the first step on *raw* (which this closes), the rest
        on new connections; then, when the port speaks TLS, again inside TLS."""
        steps = self._plan(endpoint.port, endpoint.host, tls)
        if tls and not self.tls and len(steps) > 1:
            # Found TLS after a silent NULL wait in plain text: no greeting inside either.
            steps = [step for step in steps if step.payload]
        tunnel = "ssl" if tls else None
        offset = len(seen)
        async with raw:
            try:
                stream = await self._wrap(raw, endpoint, tls)
            except _TRANSPORT_ERRORS as e:
                return Identification(tunnel=tunnel, extra={"tls_error": str(e) or repr(e)})
            ident = await self._exchange(stream, endpoint, steps[0], tls)
        seen.append((offset, ident))
        if not (ident.identified and not ident.extra.get("soft") and ident.extra.get("home")):
            await self._rest(endpoint, timeout, tls, steps, offset=offset, seen=seen)
        hard = _best(seen[offset:])
        if hard is not None and not tls and wants_tls(hard):
            inner = await self._inside_tls(endpoint, timeout, seen)
            return inner if inner is not None else attrs.evolve(hard, tunnel="ssl")
        if hard is not None:
            return hard
        if not tls and any(i.service == "ssl" for _, i in seen[offset:]):
            inner = await self._inside_tls(endpoint, timeout, seen)
            if inner is not None:
                return inner
        return _verdict(seen[offset:], tls)

    async def _inside_tls(
        self, endpoint: Endpoint, timeout: float, seen: list[tuple[int, Identification]]
    ) -> Identification | None:
        connected = await connect(endpoint, timeout)
        if isinstance(connected, ProbeResult):
            return None
        mark = len(seen)
        found = await self._identify(connected[0], endpoint, timeout, True, seen)
        if found.identified and not found.extra.get("soft"):
            return found
        del seen[mark:]  # what TLS showed is not better than what plain text showed
        return None

    async def _rest(
        self, endpoint: Endpoint, timeout: float, tls: bool, steps: Sequence[_Step], *,
        offset: int, seen: list[tuple[int, Identification]],
    ) -> None:
        """Run *steps* after the first, *parallel* at a time, until one matches."""
        results: dict[int, Identification] = {}
        soft: set[str] = set()
        first = seen[-1][1]
        if first.identified:
            soft.add(first.service or "")
        limiter = anyio.CapacityLimiter(self.parallel)

        async def run(index: int, step: _Step, scope: anyio.CancelScope) -> None:
            ident = None
            async with limiter:
                try:
                    ident = await talk(step)
                except OSError:
                    ident = None  # out of sockets: this probe is skipped, not the scan
            results[index] = ident if ident is not None else Identification()
            if ident is None:
                return
            seen.append((offset + index, ident))
            if ident.service == "ssl" and not tls:
                scope.cancel()  # TLS it is: the other probes go inside it
                return
            if ident.identified and ident.extra.get("soft"):
                soft.add(ident.service or "")
            best = min((i for i, r in results.items()
                        if r.identified and not r.extra.get("soft")
                        and r.service in steps[i].home), default=None)
            if best is not None and all(i in results for i in range(1, best)):
                scope.cancel()

        async def talk(step: _Step) -> Identification | None:
            if soft and not (step.services & soft):
                return None
            connected = await connect(endpoint, timeout)
            if isinstance(connected, ProbeResult):
                # A small accept queue (xrdp's holds 2) drops the SYNs of a burst:
                # once more, now that the others are under way.
                connected = await connect(endpoint, timeout)
                if isinstance(connected, ProbeResult):  # turned away: hung up on
                    return Identification(extra={"probe": step.name, "hung_up": True})
            async with connected[0] as again:
                try:
                    stream = await self._wrap(again, endpoint, tls)
                except _TRANSPORT_ERRORS:
                    return None
                return await self._exchange(stream, endpoint, step, tls)

        async with anyio.create_task_group() as tg:
            for index, step in enumerate(steps[1:], start=1):
                tg.start_soon(run, index, step, tg.cancel_scope)
        if any(ident.identified for _, ident in seen[offset:]):
            return  # a match, or a soft one (TLS found: the probes go inside it next)
        # Servers that talk to one client at a time (iperf3) may drop the connections
        # waiting while they serve another, and some close them at once: probes whose
        # connection was hung up on before a byte came get one more try each, one at a
        # time and a moment apart (such a server may be opening its socket again),
        # until a match, or until three in a row fail again.
        again = 0
        for index in sorted(i for i, r in results.items() if r.extra.get("hung_up")):
            await anyio.sleep(_SETTLE)
            ident = await talk(steps[index])
            if ident is None:
                continue
            seen[:] = [(i, r) for i, r in seen if i != offset + index]
            seen.append((offset + index, ident))
            if _best([(index, ident)]) is not None:
                return
            again = again + 1 if ident.extra.get("hung_up") else 0
            if again == 3:
                return

    async def _exchange(
        self, stream: anyio.abc.ByteStream, endpoint: Endpoint, step: _Step, tls: bool
    ) -> Identification:
        tunnel = "ssl" if tls else None
        if step.payload:
            try:
                await stream.send(step.payload)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
                return Identification(sent=step.payload, tunnel=tunnel,
                                      extra={"probe": step.name, "hung_up": True})
        wait = self.reply_wait if step.payload else self.greeting_wait
        data, cut, hung_up = await read_reply_or_hangup(stream, self.max_bytes, wait, self.idle)
        ident = _read(self.rules, database(), data, step, port=endpoint.port, cut=cut)
        if hung_up:
            ident = attrs.evolve(ident, extra={**ident.extra, "hung_up": True})
        return attrs.evolve(ident, tunnel=tunnel)


def _read(
    rules: RuleSet, db: Database, data: bytes, step: _Step, *, port: int, cut: bool
) -> Identification:
    """Identify *data*, the reply to *step*: the rules first, then the database."""
    sent = step.payload or None
    ident = Identification(sent=sent)
    if data:
        ident = rules.identify(data, port=port, sent=sent, truncated=cut)
        if not ident.identified and not step.name.startswith("rule:"):
            ident = db.identify(data, step.name, step.payload, port, cut)
    home = not step.payload or ident.service in step.home
    return attrs.evolve(normalize(ident), extra={**ident.extra, "probe": step.name,
                                                 "home": home})


def _best(seen: Sequence[tuple[int, Identification]]) -> Identification | None:
    """The best hard match, or None: a greeting's, then one the probe was meant to draw,
    then any; earliest in the plan among equals."""
    hard = [(i, ident) for i, ident in seen if ident.identified and not ident.extra.get("soft")]
    if not hard:
        return None

    def rank(pair: tuple[int, Identification]) -> tuple[int, int]:
        index, ident = pair
        if ident.sent is None:
            return 0, index
        return (1 if ident.extra.get("home") else 2), index

    return min(hard, key=rank)[1]


def _verdict(seen: Sequence[tuple[int, Identification]], tls: bool) -> Identification:
    """The answer from what was seen: a hard match, else a soft one, else the replies."""
    hard = _best(seen)
    if hard is not None:
        return hard
    ordered = sorted(seen, key=lambda pair: pair[0])
    soft = [ident for _, ident in ordered if ident.identified]
    replies = {
        str(ident.extra.get("probe")): printable(ident.raw[:REPLY_SAMPLE])
        for _, ident in ordered if ident.raw
    }
    if soft:
        return attrs.evolve(soft[0], extra={**soft[0].extra, "replies": replies})
    first = next((ident for _, ident in ordered if ident.raw), None)
    base = first if first is not None else Identification(
        sent=ordered[0][1].sent if ordered else None)
    return attrs.evolve(
        base, service=None, rule=None, tunnel="ssl" if tls else None,
        extra={"replies": replies, "silent": not replies},
    )
