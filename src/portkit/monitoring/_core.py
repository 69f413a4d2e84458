"""The monitor: a scheduler of checks on anyio, with damping, statistics and metrics.

Checks wait for their next deadline on the event loop's monotonic clock. Those that
use the built-in probe on an IP address share one schedule (a heap of deadlines in
one task), because their connects on loopback and local rejections answer at once;
a probe that must wait goes on in a task of its own. Every other check (its own
probe, or a host name to resolve) runs in its own task. Deadlines advance by
exactly one interval (``next = previous deadline + interval``), so a check never
drifts; a probe that overruns its interval makes the check skip the deadlines it
missed rather than run twice, so a check never overlaps itself. The first deadline
of each check is spread at random (seedable) over ``min(spread, interval)``
seconds, so that many checks added at once do not probe in one burst.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import anyio.lowlevel
import anyio.to_thread
import attrs
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .._models import Endpoint, Protocol
from .._options import check_count
from .._probe import PortState, Probe, ProbeResult, TCPConnectProbe
from .._probe._results import _fast_result
from .._probe._tcp import Connector, errno_name
from .._tasks import background_task_group
from ..exceptions import InvalidOptionError, UnknownCheckError
from ._check import Check
from ._events import CheckResult, Event, StateChange
from ._exposition import CheckView, render
from ._health import Damper, Health
from ._http import serve_metrics
from ._stats import CheckStats, RollingStats

__all__ = ["Monitor", "monitor"]

#: A probe that overruns its timeout by this factor (plus :data:`_GRACE` seconds)
#: is cancelled and counted as ``filtered`` / ``no-response``.
_OVERRUN = 1.25
_GRACE = 0.05
_TCP = Protocol.TCP
#: The shared schedule lets other tasks run after this many probes in a row.
_BATCH = 64


class _Entry:
    """The mutable state of one running check."""

    __slots__ = (
        "check", "damper", "direct", "family", "flight", "is_ip", "last_duration",
        "last_success", "last_tls", "results", "scope", "sockaddr", "stats",
    )

    def __init__(self, check: Check, window: int) -> None:
        self.check = check
        endpoint = check.endpoint
        # The built-in probe on an IP address keeps to its timeout by itself, and
        # its address never changes: parse it once, not on every probe.
        ip = endpoint.ip
        self.is_ip = ip is not None
        self.direct = check.probe is None and ip is not None
        self.family = socket.AF_INET6 if ip is not None and ip.version == 6 else socket.AF_INET
        self.sockaddr: tuple[object, ...] = (endpoint.host, endpoint.port)
        # Cancelled when the check is removed: the scope of its own task, or for a
        # check on the shared schedule, a flag (never entered) and the scope of
        # the task that runs its probe while it waits (``flight``).
        self.scope = anyio.CancelScope()
        self.flight: anyio.CancelScope | None = None
        self.damper: Damper[ProbeResult] = Damper(check.rise, check.fall)
        self.stats = RollingStats(window)
        self.results: dict[str, int] = {}
        # Plain values, not the last event: objects that live from one probe to the
        # next would reach the oldest generation of the cyclic garbage collector.
        self.last_success: bool | None = None
        self.last_duration: float | None = None
        self.last_tls: object = None


def _synthetic(endpoint: Endpoint, state: PortState, reason: str, **details: object) -> ProbeResult:
    return ProbeResult(
        target=endpoint.host, address=endpoint.host if endpoint.is_ip else "",
        port=endpoint.port, protocol=endpoint.protocol, state=state, reason=reason,
        latency=None, details=details,
    )


async def _resolve(endpoint: Endpoint) -> str | None:
    """The first address of *endpoint*'s host name, or None when it does not resolve."""
    try:
        infos = await anyio.getaddrinfo(
            endpoint.host, endpoint.port, type=socket.SOCK_STREAM
        )
    except OSError:
        return None
    for _family, _type, _proto, _name, sockaddr in infos:
        return str(sockaddr[0])
    return None


class Monitor:
    """A running monitor: an async iterator of events that checks can join and leave.

    Made by :func:`monitor`; not constructed directly. Iterating yields every
    :class:`CheckResult` (unless ``results=False``) and every :class:`StateChange`,
    in the order they happened.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        task_group: Any,
        send: Any,
        receive: Any,
        *,
        window: int,
        concurrency: int,
        spread: float,
        seed: int | None,
        results: bool,
    ) -> None:
        # Private: made by monitor(), with the types below.
        self._task_group: anyio.abc.TaskGroup = task_group
        self._send: MemoryObjectSendStream[Event] = send
        self._receive: MemoryObjectReceiveStream[Event] = receive
        self._window = window
        self._limiter = anyio.CapacityLimiter(concurrency)
        self._spread = spread
        self._random = random.Random(seed)
        self._results = results
        self._entries: dict[str, _Entry] = {}
        self._default_probe: Probe = TCPConnectProbe()
        self._metrics_address: tuple[str, int] | None = None
        # The shared schedule of the checks that use the built-in probe on an
        # address: (deadline, sequence) earliest first, and the entry of each
        # sequence number. Tuples of plain numbers leave the cyclic garbage
        # collector's care at once; tuples holding entries would reach its oldest
        # generation (they live for an interval) and make full collections frequent.
        self._heap: list[tuple[float, int]] = []
        self._scheduled: dict[int, _Entry] = {}
        self._sequence = itertools.count()
        self._ticking = False
        self._nap: anyio.CancelScope | None = None
        self._wake_at = math.inf

    # -- events -------------------------------------------------------------------

    def __aiter__(self) -> Monitor:
        return self

    async def __anext__(self) -> Event:
        try:
            return self._receive.receive_nowait()
        except anyio.WouldBlock:
            pass
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None
        try:
            return await self._receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None

    # -- checks -------------------------------------------------------------------

    @property
    def checks(self) -> tuple[Check, ...]:
        """The running checks, in the order they were added."""
        return tuple(entry.check for entry in self._entries.values())

    def add(self, check: Check) -> None:
        """Start watching *check*; its first probe comes within its spread.

        Raises:
            InvalidOptionError: a running check already has that name.
        """
        self._add(check, anyio.current_time())

    def _add(self, check: Check, now: float) -> None:
        if not isinstance(check, Check):
            raise InvalidOptionError("check", check, "add() takes a Check")
        if check.name in self._entries:
            raise InvalidOptionError("name", check.name, "a check's name must be unique")
        entry = _Entry(check, self._window)
        self._entries[check.name] = entry
        first = now + self._random.uniform(0, min(self._spread, check.interval))
        if entry.direct:
            if not self._ticking:
                self._ticking = True
                self._task_group.start_soon(self._tick, name="portkit monitor schedule")
            self._schedule(entry, first)
        else:
            self._task_group.start_soon(self._run, entry, first, name=f"portkit check {check.name}")

    def remove(self, check: Check | str) -> Check:
        """Stop watching a check (given by itself or by name) and forget its statistics.

        A probe in flight is cancelled and the check reports nothing more; events it
        reported before, still waiting in the buffer, are delivered.

        Returns:
            The check removed.

        Raises:
            UnknownCheckError: no running check has that name.
        """
        name = check.name if isinstance(check, Check) else check
        entry = self._entries.pop(name, None)
        if entry is None:
            raise UnknownCheckError(name, tuple(self._entries))
        entry.scope.cancel()
        if entry.flight is not None:
            entry.flight.cancel()
        return entry.check

    def _entry(self, name: str) -> _Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownCheckError(name, tuple(self._entries)) from None

    def health(self, name: str) -> Health:
        """The damped health of the named check.

        Raises:
            UnknownCheckError: no running check has that name.
        """
        return self._entry(name).damper.health

    def stats(self, name: str) -> CheckStats:
        """The rolling statistics of the named check, as of now.

        Raises:
            UnknownCheckError: no running check has that name.
        """
        return self._entry(name).stats.snapshot(name)

    def snapshot(self) -> dict[str, CheckStats]:
        """The statistics of every running check, by name."""
        return {name: entry.stats.snapshot(name) for name, entry in self._entries.items()}

    def metrics(self) -> str:
        """Every check in the Prometheus text exposition format 0.0.4."""
        return render([self._view(name, entry) for name, entry in self._entries.items()])

    @staticmethod
    def _view(name: str, entry: _Entry) -> CheckView:
        endpoint = entry.check.endpoint
        return CheckView(
            name=name,
            target=endpoint.host,
            port=endpoint.port,
            protocol=str(endpoint.protocol),
            health=entry.damper.health,
            success=entry.last_success,
            duration=entry.last_duration,
            stats=entry.stats.snapshot(name),
            results=dict(entry.results),
            tls=entry.last_tls,
        )

    async def _metrics_body(self) -> bytes:
        """:meth:`metrics` for the /metrics server, without holding up the checks:
        the checks' state is read on the event loop a slice at a time, yielding
        between slices, and the text is formatted in a worker thread."""
        views = []
        for i, (name, entry) in enumerate(list(self._entries.items())):
            if i and not i % _VIEWS_PER_SLICE:
                await anyio.sleep(0)
            views.append(self._view(name, entry))
        return await anyio.to_thread.run_sync(_encode_metrics, views)

    @property
    def metrics_address(self) -> tuple[str, int] | None:
        """The ``(host, port)`` that serves ``/metrics``, or None when not serving."""
        return self._metrics_address

    # -- the scheduler ------------------------------------------------------------

    async def _probe(self, entry: _Entry) -> ProbeResult:
        check = entry.check
        endpoint = check.endpoint
        if entry.direct:
            return await self._call(self._default_probe, check, endpoint)
        probe = check.probe if check.probe is not None else self._default_probe
        with anyio.move_on_after(check.timeout * _OVERRUN + _GRACE):
            target = endpoint
            if not entry.is_ip:
                address = await _resolve(endpoint)
                if address is None:
                    return _synthetic(endpoint, PortState.ERROR, "resolve-failed")
                target = endpoint.replace(host=address)
            return await self._call(probe, check, target)
        return _synthetic(endpoint, PortState.FILTERED, "no-response", overran=True)

    @staticmethod
    async def _call(probe: Probe, check: Check, target: Endpoint) -> ProbeResult:
        endpoint = check.endpoint
        try:
            result = await probe(target, check.timeout)
        except OSError as e:
            return _error(endpoint, e)
        if result.target != endpoint.host:
            result = attrs.evolve(result, target=endpoint.host)
        return result

    # The checks that use the built-in probe on an IP address share one task, which
    # sleeps until the earliest deadline and then probes every check that is due:
    # loopback and local rejections answer inside connect(), with nothing to await,
    # so most probes need no task and no timer of their own. A connect that must
    # wait, a probe that must wait for a concurrency slot and events that must wait
    # for room in the buffer continue in a task of their own, so that a slow
    # target never delays the others; the check goes back on the schedule when
    # that task ends, so it never overlaps itself.

    def _schedule(self, entry: _Entry, deadline: float) -> None:
        sequence = next(self._sequence)
        self._scheduled[sequence] = entry
        heapq.heappush(self._heap, (deadline, sequence))
        if deadline < self._wake_at and self._nap is not None:
            self._nap.cancel()

    def _reschedule(self, entry: _Entry, deadline: float, now: float) -> None:
        if entry.scope.cancel_called:
            return
        interval = entry.check.interval
        deadline += interval
        if deadline <= now:
            # The probe overran its interval: skip the missed deadlines, keeping
            # the phase, rather than probe again at once.
            deadline += (math.floor((now - deadline) / interval) + 1) * interval
        self._schedule(entry, deadline)

    async def _tick(self) -> None:
        heap = self._heap
        scheduled = self._scheduled
        limiter = self._limiter
        current_time = anyio.current_time
        spawn = self._task_group.start_soon
        while True:
            self._wake_at = -math.inf  # awake: a new deadline needs no wake-up
            now = current_time()
            ran = 0
            while heap and heap[0][0] <= now:
                deadline, sequence = heapq.heappop(heap)
                entry = scheduled.pop(sequence)
                if entry.scope.cancel_called:
                    continue  # removed
                if limiter.available_tokens < 1:
                    spawn(self._queued, entry, deadline)
                    continue
                started = now
                connector = Connector()
                try:
                    verdict = connector.start(entry.family, entry.sockaddr)
                except OSError as e:
                    connector.close()
                    result = _error(entry.check.endpoint, e)
                else:
                    if verdict is None:
                        # Waits for the answer in a task of its own, holding a slot.
                        limiter.acquire_on_behalf_of_nowait(entry)
                        spawn(self._pending, entry, connector, deadline, started)
                        now = current_time()
                        continue
                    connector.close()
                    state, reason, latency, details = verdict
                    endpoint = entry.check.endpoint
                    host = endpoint.host
                    result = _fast_result(
                        host, host, endpoint.port, _TCP, state, reason, latency, 1, details
                    )
                ended = current_time()
                blocked = self._record(entry, result, deadline, started, ended)
                now = ended
                if blocked is None:
                    self._reschedule(entry, deadline, now)
                else:
                    spawn(self._deliver, entry, blocked, deadline)
                ran += 1
                if ran == _BATCH:
                    # Let the rest of the program run between long batches.
                    await anyio.lowlevel.checkpoint()
                    ran = 0
                    now = current_time()
            wake = heap[0][0] if heap else math.inf
            with anyio.CancelScope() as nap:
                self._nap = nap
                self._wake_at = wake
                if wake == math.inf:
                    await anyio.sleep_forever()
                else:
                    await anyio.sleep(wake - now)
            self._nap = None

    async def _pending(
        self, entry: _Entry, connector: Connector, deadline: float, started: float
    ) -> None:
        """Wait for the connect that :meth:`_tick` left pending, holding a slot."""
        held = True
        try:
            with anyio.CancelScope() as entry.flight:
                if entry.scope.cancel_called:
                    return
                try:
                    state, reason, latency, details = await connector.finish(
                        entry.check.timeout
                    )
                except OSError as e:
                    result = _error(entry.check.endpoint, e)
                else:
                    endpoint = entry.check.endpoint
                    host = endpoint.host
                    result = _fast_result(
                        host, host, endpoint.port, _TCP, state, reason, latency, 1, details
                    )
                finally:
                    connector.close()
                    self._limiter.release_on_behalf_of(entry)
                    held = False
                await self._finish(entry, result, deadline, started, anyio.current_time())
        finally:
            entry.flight = None
            connector.close()
            if held:
                self._limiter.release_on_behalf_of(entry)

    async def _queued(self, entry: _Entry, deadline: float) -> None:
        """Probe a check of the shared schedule that must wait for a concurrency slot."""
        try:
            with anyio.CancelScope() as entry.flight:
                if entry.scope.cancel_called:
                    return
                limiter = self._limiter
                await limiter.acquire_on_behalf_of(entry)
                try:
                    started = anyio.current_time()
                    result = await self._probe(entry)
                    ended = anyio.current_time()
                finally:
                    limiter.release_on_behalf_of(entry)
                await self._finish(entry, result, deadline, started, ended)
        finally:
            entry.flight = None

    async def _deliver(self, entry: _Entry, blocked: list[Event], deadline: float) -> None:
        """Send the events of a check of the shared schedule that found the buffer full."""
        try:
            with anyio.CancelScope() as entry.flight:
                if entry.scope.cancel_called:
                    return
                for event in blocked:
                    await self._send.send(event)
                self._reschedule(entry, deadline, anyio.current_time())
        finally:
            entry.flight = None

    async def _finish(
        self, entry: _Entry, result: ProbeResult, deadline: float, started: float, ended: float
    ) -> None:
        blocked = self._record(entry, result, deadline, started, ended)
        now = ended
        if blocked is not None:
            for event in blocked:
                await self._send.send(event)
            now = anyio.current_time()
        self._reschedule(entry, deadline, now)

    async def _run(self, entry: _Entry, deadline: float) -> None:
        """The task of a check with its own probe, or on a host name."""
        check = entry.check
        interval = check.interval
        limiter = self._limiter
        current_time = anyio.current_time
        with entry.scope:
            now = current_time()
            while True:
                # anyio.sleep_until() without reading the clock again: nothing has
                # awaited since *now* was read.
                await anyio.sleep(deadline - now if deadline > now else 0)
                # The sleep was a checkpoint: take a free slot without another one.
                try:
                    limiter.acquire_on_behalf_of_nowait(entry)
                except anyio.WouldBlock:
                    await limiter.acquire_on_behalf_of(entry)
                try:
                    started = current_time()
                    result = await self._probe(entry)
                    ended = current_time()
                finally:
                    limiter.release_on_behalf_of(entry)
                blocked = self._record(entry, result, deadline, started, ended)
                now = ended
                if blocked is not None:
                    # The reader fell behind: wait for room (back-pressure).
                    for event in blocked:
                        await self._send.send(event)
                    now = current_time()
                deadline += interval
                if deadline <= now:
                    # The probe overran its interval: skip the missed deadlines,
                    # keeping the phase, rather than probe again at once.
                    deadline += (math.floor((now - deadline) / interval) + 1) * interval

    def _record(
        self, entry: _Entry, result: ProbeResult, scheduled: float, started: float, ended: float
    ) -> list[Event] | None:
        """Judge and count *result*, and send its events.

        Returns:
            The events, in order, that did not fit in the buffer (the caller waits
            to send them), or None when every event was sent.
        """
        if entry.scope.cancel_called:
            # Removed while this probe was finishing: report nothing more.
            return None
        check = entry.check
        verdict, reason = check.judge(result)
        damper = entry.damper
        change = damper.observe(verdict, result)
        is_ok = verdict.is_ok
        entry.stats.add(is_ok, result.latency)
        state = result.state.value
        results = entry.results
        results[state] = results.get(state, 0) + 1
        entry.last_success = is_ok
        details = result.details
        if details:
            tls = details.get("tls")
            entry.last_tls = tls if tls is not None and hasattr(tls, "certificate") else None
        else:
            entry.last_tls = None
        duration = ended - started
        entry.last_duration = duration
        blocked: list[Event] | None = None
        if self._results:
            blocked = self._offer(
                CheckResult(
                    check=check, result=result, verdict=verdict, reason=reason,
                    health=damper.health, scheduled=scheduled, started=started,
                    duration=duration,
                ),
                blocked,
            )
        if change is not None:
            entry.stats.state_changes += 1
            old, new, streak = change
            blocked = self._offer(
                StateChange(check=check, old=old, new=new, reason=reason, streak=streak, at=ended),
                blocked,
            )
        return blocked

    def _offer(self, event: Event, blocked: list[Event] | None) -> list[Event] | None:
        # The check's task has just probed: when there is room (and no earlier
        # event is waiting), send without a checkpoint.
        if blocked is None:
            try:
                self._send.send_nowait(event)
            except anyio.WouldBlock:
                return [event]
            return None
        blocked.append(event)
        return blocked


def _error(endpoint: Endpoint, e: OSError) -> ProbeResult:
    """The ``error`` result of a probe that raised *e*."""
    name = (errno_name(e.errno) if e.errno else type(e).__name__).lower()
    return _synthetic(endpoint, PortState.ERROR, name, error=str(e))


#: Checks whose state the /metrics server reads between two yields to the event loop.
_VIEWS_PER_SLICE = 100


def _encode_metrics(views: list[CheckView]) -> bytes:
    return render(views).encode("utf-8")


def _serve_address(value: object) -> tuple[str, int] | None:
    if value is None:
        return None
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], int)
        and not isinstance(value[1], bool)
        and 0 <= value[1] <= 65535
    ):
        return value[0], value[1]
    raise InvalidOptionError("serve", value, "serve is a (host, port) tuple, port 0-65535")


@asynccontextmanager
async def monitor(
    checks: Iterable[Check] = (),
    *,
    window: int = 100,
    concurrency: int = 256,
    buffer: int = 1024,
    results: bool = True,
    spread: float = 1.0,
    seed: int | None = None,
    serve: tuple[str, int] | None = None,
) -> AsyncIterator[Monitor]:
    """Watch *checks* until the ``async with`` block ends.

    ::

        checks = [portkit.monitoring.Check(endpoint="127.0.0.1:5432", interval=5, fall=3)]
        async with portkit.monitoring.monitor(checks, serve=("127.0.0.1", 9109)) as events:
            async for event in events:
                if isinstance(event, portkit.monitoring.StateChange):
                    print(event.check.name, event.old, "->", event.new, event.reason)

    Events pass through a memory stream of *buffer* events. When the reader falls
    behind and the buffer is full, a check that has an event to report waits until
    there is room, which delays its next probe (back-pressure): read the events
    steadily, or pass ``results=False`` to receive only the state changes.

    Args:
        checks: The checks to start with; more can be added with
            :meth:`Monitor.add` while it runs.
        window: How many recent results each check's statistics cover.
        concurrency: The most probes in flight at once (a
            :class:`anyio.CapacityLimiter`).
        buffer: How many events may wait for the reader.
        results: Whether to yield a :class:`CheckResult` for every probe, or only
            the :class:`StateChange` events.
        spread: Each check's first probe comes at a random time within
            ``min(spread, interval)`` seconds of its start.
        seed: Seeds that randomness, for reproducible schedules.
        serve: ``(host, port)`` to serve ``GET /metrics`` at (Prometheus text
            format); port 0 picks a free port (see :attr:`Monitor.metrics_address`).

    An error raised in the ``async with`` block comes out of it unchanged, after every
    check has stopped. A probe that raises anything but ``OSError`` (which
    becomes an ``error`` result) is a bug: it ends the monitor, and its exception
    comes out in the task group's ``ExceptionGroup``.

    Raises:
        InvalidOptionError: an option is out of bounds, two checks share a name, or
            the ``serve`` address cannot be listened on.
    """
    window = check_count("window", window, 1)
    concurrency = check_count("concurrency", concurrency, 1)
    buffer = check_count("buffer", buffer, 0)
    if isinstance(spread, bool) or not isinstance(spread, (int, float)) or not spread >= 0:
        raise InvalidOptionError("spread", spread, "spread is a number of seconds >= 0")
    address = _serve_address(serve)
    checks = list(checks)
    names = [c.name for c in checks if isinstance(c, Check)]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InvalidOptionError("name", dup, "a check's name must be unique")
    send, receive = anyio.create_memory_object_stream[Event](buffer)
    # An error raised in the caller's block comes out as it is, once every check has
    # stopped, rather than wrapped in the task group's ExceptionGroup.
    with send, receive:
        async with background_task_group() as tg:
            mon = Monitor(
                tg, send, receive, window=window, concurrency=concurrency,
                spread=float(spread), seed=seed, results=results,
            )
            if address is not None:
                try:
                    mon._metrics_address = await tg.start(
                        serve_metrics, address[0], address[1], mon._metrics_body
                    )
                except OSError as e:
                    raise InvalidOptionError(
                        "serve", serve, f"cannot listen there: {e.strerror or e}"
                    ) from e
            now = anyio.current_time()
            for check in checks:
                mon._add(check, now)
            yield mon
