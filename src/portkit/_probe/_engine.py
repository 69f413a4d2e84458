"""The scan engine: a fixed pool of workers over a lazy space of (address, port) work.

``scan()`` resolves the targets, then starts ``concurrency`` worker tasks (fewer when
there is less work) that pull pairs from one shared lazy iterator, probe them, and
push results into a bounded channel that the caller reads. No task is created per
probe; memory is bounded by the concurrency and the channel's buffer, whatever the
size of the scan.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import sys
import types
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.lowlevel

from portkit._models import Endpoint, PortRange, PortSet, PortSpec, Protocol
from portkit._options import check_count, check_positive
from portkit._tasks import background_task_group
from portkit.exceptions import (
    EventLoopRunningError,
    InvalidOptionError,
    InvalidTargetError,
    _show,
)

from ._discovery import DISCOVERY_TRIES, discover_host, icmp_allowed
from ._hosts import HostBook
from ._limits import MIN_ADAPTIVE_TIMEOUT, Pressure, RateLimiter, Window, default_concurrency
from ._protocol import Probe
from ._results import PortState, ProbeResult, _fast_result
from ._targets import (
    Family,
    TargetLike,
    WorkItem,
    WorkSpace,
    check_order,
    parse_family,
    parse_targets,
    resolve,
)
from ._tcp import PRESSURE_ERRNOS, Connector, TCPConnectProbe, errno_name

__all__ = ["ScanResults", "probe", "scan", "scan_sync"]

#: What ``ports=`` accepts.
PortsLike = PortSet | PortSpec | PortRange | str | int | Iterable[int] | None

#: How many times one pair is tried again after a local resource ran out.
PRESSURE_TRIES = 12
#: Results buffered between the workers and the reader.
RESULT_BUFFER = 256
_CHECKPOINT_EVERY = 32

ERROR = PortState.ERROR
OPEN = PortState.OPEN
FILTERED = PortState.FILTERED
_AF_INET = socket.AF_INET
_AF_INET6 = socket.AF_INET6


def _check_timeout(timeout: float) -> float:
    return check_positive("timeout", timeout, "seconds")


def _check_rate(rate: float | None) -> float | None:
    return None if rate is None else check_positive("rate", rate, "probes per second")


#: What ``discovery=`` accepts: nmap's ``-Pn``, its default, and ``-sn``.
DISCOVERY_MODES = ("skip", "ping", "only")
#: Hosts discovered at once, at most (each holds up to six sockets).
DISCOVERY_CONCURRENCY = 128


def check_discovery(value: str) -> str:
    """Validate the ``discovery=`` option."""
    if value not in DISCOVERY_MODES:
        raise InvalidOptionError(
            "discovery", value, "expected 'skip' (-Pn), 'ping' or 'only' (-sn)"
        )
    return value


def _probe_protocol(probe: object) -> Protocol:
    return Protocol.parse(getattr(probe, "protocol", Protocol.TCP))


def _checked(probe: Probe) -> Probe:
    """*probe*, with what it returns checked at the boundary of the engine.

    A probe that returns anything but a :class:`ProbeResult` ends the scan with an
    error naming the probe, rather than an AttributeError deep in the engine.
    """

    async def checked(endpoint: Endpoint, timeout: float) -> ProbeResult:
        result = await probe(endpoint, timeout)
        if not isinstance(result, ProbeResult):
            raise InvalidOptionError(
                "probe", probe,
                f"it returned {_show(result)} (a {type(result).__name__}) for {endpoint}; "
                "a probe returns a ProbeResult",
            )
        return result

    return checked


def _portset(ports: PortsLike, protocol: Protocol) -> PortSet:
    if ports is None:
        return PortSet()
    if isinstance(ports, PortSet):
        return ports
    if isinstance(ports, PortSpec):
        return ports.get(protocol)
    if isinstance(ports, str):
        return PortSpec.parse(ports, default=protocol).get(protocol)
    if isinstance(ports, (int, PortRange)):
        return PortSet([ports])
    return PortSet(ports)


class _Channel:
    """A bounded queue of results between the workers and the reader.

    Unlike a memory object stream, blocked writers are woken together, once the
    reader has drained half the buffer: a fast scan then costs a handful of task
    switches per buffer, not several per result.
    """

    def __init__(self, capacity: int) -> None:
        self.items: deque[ProbeResult] = deque()
        self.capacity = capacity
        self.closed: bool = False
        self._writers = 0
        self._writable = anyio.Event()
        self._reader_waiting = False
        self._readable = anyio.Event()

    def put_nowait(self, item: ProbeResult) -> bool:
        """Add *item* unless the buffer is full; False when it is."""
        if len(self.items) >= self.capacity:
            return False
        self.items.append(item)
        if self._reader_waiting:
            self._reader_waiting = False
            self._readable.set()
        return True

    async def put(self, item: ProbeResult) -> None:
        """Add *item*, waiting while the buffer is full."""
        while not self.put_nowait(item):
            self._writers += 1
            try:
                await self._writable.wait()
            finally:
                self._writers -= 1

    def get_nowait(self) -> ProbeResult | None:
        """The next result, or None when the buffer is empty right now."""
        items = self.items
        if not items:
            return None
        item = items.popleft()
        if self._writers and len(items) <= self.capacity // 2:
            self._writable.set()
            self._writable = anyio.Event()
        return item

    async def get(self) -> ProbeResult | None:
        """The next result, or None once the channel is closed and empty."""
        while not self.items:
            if self.closed:
                return None
            if not self._reader_waiting:
                self._readable = anyio.Event()
                self._reader_waiting = True
            await self._readable.wait()
        return self.get_nowait()

    def close(self) -> None:
        """Mark the end of the results and wake the reader."""
        self.closed = True
        self._reader_waiting = False
        self._readable.set()


class ScanResults:
    """The results of a running scan, as an async iterator, in order of completion.

    Reading is what drives the scan: the workers stop when the buffer between them
    and the reader is full. Leaving the ``async with portkit.scan(...)`` block stops
    the scan, whether or not every result was read.

    Attributes:
        total: How many results the scan will yield: one per (address, port) pair,
            plus one per port of each target whose name did not resolve. With
            ``discovery="ping"`` a down host's one result stands for all its pairs
            (fewer results come, ``done`` still reaches ``total``); with
            ``discovery="only"``, one per address (or unresolved name).
        done: How many (address, port) pairs have a result so far.
    """

    def __init__(self, channel: _Channel, total: int) -> None:
        self._channel = channel
        self.total = total
        self.done = 0
        self._unchecked = 0

    def __aiter__(self) -> ScanResults:
        return self

    async def __anext__(self) -> ProbeResult:
        # Take what is buffered without a round trip through the event loop, but
        # still reach a checkpoint regularly so that cancellation gets through.
        channel = self._channel
        self._unchecked += 1
        if self._unchecked < _CHECKPOINT_EVERY:
            result = channel.get_nowait()
            if result is not None:
                return result
        else:
            self._unchecked = 0
            await anyio.lowlevel.checkpoint()
        result = await channel.get()
        if result is None:
            raise StopAsyncIteration
        return result

    def __repr__(self) -> str:
        return f"<ScanResults done={self.done} total={self.total}>"


class _Scan:
    """The state of one scan shared by its workers."""

    def __init__(
        self,
        *,
        work: Iterator[WorkItem],
        total: int,
        results: ScanResults,
        channel: _Channel,
        probe: Probe | None,
        protocol: Protocol,
        timeout: float,
        retries: int | None,
        adaptive: bool,
        rate: float | None,
        concurrency: int,
        progress: Callable[[int, int], object] | None,
    ) -> None:
        self.work = work
        self.results = results
        self.channel = channel
        self.probe = probe
        self.protocol = protocol
        self.timeout = timeout
        self.book = HostBook(
            low=min(MIN_ADAPTIVE_TIMEOUT, timeout), high=timeout, retries=retries,
            adaptive=adaptive,
        )
        self.limiter = (
            RateLimiter(rate, max(1, int(rate * 0.01))) if rate is not None else None
        )
        self.pressure = Pressure(concurrency)
        self.window = Window(self.pressure)
        self.progress = progress
        self.total = total

    async def run_one(  # noqa: PLR0917 - positional for speed in the worker loop
        self, connector: Connector, text: str, address: str, family: int, port: int,
        attempts: int = 0,
    ) -> ProbeResult:
        """Probe one pair to a verdict: retries, rate, back-off under pressure.

        *attempts* counts those already made (silent) by the worker's fast path.
        """
        pressure = self.pressure
        book = self.book
        probe = self.probe
        troubles = 0
        while True:
            if pressure.active < pressure.limit:
                pressure.active += 1
            else:
                connector.close()  # hold no idle socket while waiting for a slot
                await pressure.acquire()
            trouble = False
            try:
                if self.limiter is not None:
                    await self.limiter.acquire()
                attempts += 1
                timeout = book.timeout(address, attempts)
                if probe is None:
                    state, reason, latency, details = await connector.connect(
                        family, (address, port), timeout
                    )
                else:
                    result = await probe(
                        Endpoint(host=address, port=port, protocol=self.protocol), timeout
                    )
                    state, reason, latency, details = (
                        result.state, result.reason, result.latency, result.details
                    )
            except OSError as e:
                if e.errno not in PRESSURE_ERRNOS:
                    return _fast_result(
                        text, address, port, self.protocol, ERROR,
                        errno_name(e.errno).lower(), None, attempts,
                        _details({"errno": errno_name(e.errno), "error": str(e)}),
                    )
                trouble = True
                attempts -= 1
                troubles += 1
                if troubles >= PRESSURE_TRIES:
                    return _fast_result(
                        text, address, port, self.protocol, ERROR, "resource-exhausted",
                        None, attempts, _details({"errno": errno_name(e.errno)}),
                    )
            finally:
                pressure.release(trouble)
            if trouble:
                connector.close()
                await anyio.sleep(min(1.0, 0.005 * 2**troubles) * (0.5 + random.random()))
                continue
            if latency is not None:
                book.answer(address, attempts, latency)
                self.window.completed(True, attempts > 1)
            else:
                self.window.completed(False, False)
                if reason == "no-response":
                    if attempts < book.tries(address):
                        continue
                    book.silence(address)
            return _fast_result(
                text, address, port, self.protocol, state, reason, latency, attempts, details
            )

    async def discover(self, space: WorkSpace, only: bool) -> set[str]:
        """Find which addresses are up (see ``_discovery``); return the down ones.

        Emits one result per down host, and with *only* one per up host too; a name
        that did not resolve gives, with *only*, one ``resolve-failed`` result.
        """
        down: set[str] = set()
        icmp = icmp_allowed()
        results = self.results
        protocol = self.protocol
        channel = self.channel

        def hosts() -> Iterator[tuple[str, str, int, int]]:
            for block in space.blocks:
                if block.error is None:
                    for address in block.addresses:
                        family = _AF_INET if address.version == 4 else _AF_INET6
                        yield block.text, str(address), family, len(block.ports)

        pending = hosts()

        async def worker() -> None:
            for text, address, family, ports in pending:
                up, reason, latency = await discover_host(
                    address, family, self.timeout, icmp=icmp and family == _AF_INET
                )
                if up and latency is not None:
                    self.book.answer(address, 1, latency)
                if up and not only:
                    continue
                if not up:
                    down.add(address)
                result = _fast_result(
                    text, address, 0, protocol, OPEN if up else FILTERED,
                    reason if up else "host-down", latency, DISCOVERY_TRIES,
                    _details({"host": "up" if up else "down", "ports": ports}),
                )
                results.done += 1 if only else ports
                await channel.put(result)

        if only:
            for block in space.blocks:
                if block.error is not None:
                    results.done += 1
                    await channel.put(_fast_result(
                        block.text, "", 0, protocol, ERROR, "resolve-failed", None, 0,
                        _details({"error": block.error}),
                    ))
        async with anyio.create_task_group() as tg:
            for _ in range(max(1, min(DISCOVERY_CONCURRENCY, self.window.ceiling // 6))):
                tg.start_soon(worker)
        return down

    async def worker(self) -> None:
        channel = self.channel
        put_nowait = channel.put_nowait
        results = self.results
        progress = self.progress
        total = self.total
        run_one = self.run_one
        protocol = self.protocol
        pressure = self.pressure
        book = self.book
        window = self.window
        # The built-in probe without a rate limit takes a fast path: the connect
        # is started synchronously and, when the answer is immediate (loopback,
        # local rejections), the result is made without any await.
        fast = self.probe is None and self.limiter is None
        connector = Connector()
        start = connector.start
        unchecked = 0
        try:
            for text, address, family, port, error in self.work:
                if error is not None:
                    result = _fast_result(
                        text, "", port, protocol, ERROR, "resolve-failed", None, 0,
                        _details({"error": error}),
                    )
                elif fast and pressure.active < pressure.limit:
                    try:
                        verdict = start(family, (address, port))
                    except OSError:
                        # Out of a resource (or an unusable address): the slow path
                        # backs off, retries and reports.
                        result = await run_one(connector, text, address, family, port)
                    else:
                        if verdict is None:
                            pressure.active += 1
                            try:
                                verdict = await connector.finish(book.timeout(address))
                            finally:
                                pressure.release()
                        state, reason, latency, details = verdict
                        if latency is not None:
                            book.answer(address, 1, latency)
                            window.completed(True, False)
                        else:
                            window.completed(False, False)
                        if reason == "no-response" and book.tries(address) > 1:
                            result = await run_one(
                                connector, text, address, family, port, attempts=1
                            )
                        else:
                            if reason == "no-response":
                                book.silence(address)
                            result = _fast_result(
                                text, address, port, protocol, state, reason, latency, 1,
                                details,
                            )
                else:
                    result = await run_one(connector, text, address, family, port)
                results.done += 1
                if progress is not None:
                    progress(results.done, total)
                if not put_nowait(result):
                    await channel.put(result)
                    unchecked = 0
                    continue
                unchecked += 1
                if unchecked >= _CHECKPOINT_EVERY:
                    unchecked = 0
                    await anyio.lowlevel.checkpoint()
        finally:
            connector.close()


def _details(mapping: dict[str, object]) -> Mapping[str, object]:
    return types.MappingProxyType(mapping)


@asynccontextmanager
async def scan(
    targets: TargetLike | Iterable[TargetLike],
    ports: PortsLike = None,
    *,
    concurrency: int | None = None,
    rate: float | None = None,
    timeout: float = 1.0,
    retries: int | None = None,
    adaptive_timeout: bool = True,
    discovery: str = "skip",
    order: str = "shuffled",
    family: Family = None,
    progress: Callable[[int, int], object] | None = None,
    probe: Probe | None = None,
) -> AsyncIterator[ScanResults]:
    """Probe every port of every target; stream the results as they complete.

    ::

        async with portkit.scan(["192.0.2.0/29", "db.internal"], "22,80,443,5432") as results:
            async for result in results:
                if result.state is portkit.PortState.OPEN:
                    print(result.endpoint)

    Each (address, port) pair yields exactly one :class:`ProbeResult`. A name that
    does not resolve yields one ``error`` result (reason ``resolve-failed``) per
    port instead of an exception. Leaving the block early, or cancelling the task
    that runs it, stops every probe and closes every socket.

    Args:
        targets: A host name, an IPv4 or IPv6 address, a network
            (``"192.0.2.0/24"``, all its addresses, network and broadcast included,
            generated lazily), an :class:`~portkit.Endpoint` (probed on its own
            port only), or an iterable of these. Names are resolved once each.
        ports: A :class:`~portkit.PortSet`, a spec such as ``"22,80,1000-2000"`` or
            ``"-"`` (a :class:`~portkit.PortSpec`; only the probe's protocol's ports
            are used), a port, or an iterable of ports. May be None when every
            target is an Endpoint.
        concurrency: Probes in flight at most. The default follows the descriptor
            limit (``RLIMIT_NOFILE`` soft limit minus an eighth, at most 1024).
        rate: Probes started per second at most (retries included), or None.
        timeout: Seconds to wait for an answer. With *adaptive_timeout*, the
            longest wait and the wait before a host has answered anything.
        retries: How many more times a silent (``no-response``) port is probed
            before it is called filtered. None (the default) decides per host
            from the loss it measures: twice at first, more on a lossy path (at
            most 6 tries), once on a host presumed down (no answer of any kind
            after 10 silent ports); see :doc:`/scanning-at-scale`.
        adaptive_timeout: Learn each address's round-trip time from its answers
            and wait ``srtt + 4 * rttvar`` (clamped between 0.1 s and *timeout*),
            as nmap does, instead of *timeout* every time. Addresses that never
            answered wait the same figure learnt over the whole scan, doubled on
            each retry.
        discovery: ``"skip"`` (default; nmap's ``-Pn``: every address is
            scanned), ``"ping"`` (first find which hosts are up, with TCP connects
            to a few common ports and, where the system allows it, unprivileged
            ICMP echo; each down host gives one result with port 0 and reason
            ``host-down`` instead of its ports') or ``"only"`` (nmap's ``-sn``:
            one result per address, port 0, state ``open`` with the proof as
            reason when up, ``filtered``/``host-down`` when down).
        order: ``"shuffled"`` (default; hosts and ports interleave in a random
            order) or ``"sequential"`` (target by target, port by port).
        family: ``"ipv4"``, ``"ipv6"``, ``"both"`` or a ``socket.AF_*`` constant:
            which addresses of a name to probe (``"both"``: its first of each
            family) and which literal addresses and networks to keep. None (the
            default) probes each name's first address and every literal.
        progress: Called as ``progress(done, total)`` after each result.
        probe: A :class:`Probe` to run instead of :class:`TCPConnectProbe`.

    Yields:
        The :class:`ScanResults` async iterator.

    Raises:
        InvalidTargetError: a target is not a host, an address, a network or an
            Endpoint.
        InvalidOptionError: an option is out of bounds.
        InvalidSpecError: *ports* is a spec that does not parse.
    """
    timeout, retries, rate, workers, fast, protocol = _checked_options(
        timeout, retries, rate, concurrency, probe
    )
    discovery = check_discovery(discovery)
    order = check_order(order)
    families = parse_family(family)
    parsed = parse_targets(targets)
    portset = _portset(ports, protocol)
    if not portset and any(t.port is None for t in parsed):
        raise InvalidOptionError("ports", ports, "give ports for targets that are not Endpoints")

    blocks = await resolve(parsed, portset, families)
    space = WorkSpace(blocks, order)
    channel = _Channel(RESULT_BUFFER)
    results = ScanResults(channel, space.total)
    if discovery == "only":
        results.total = sum(1 if b.error is not None else b.count for b in space.blocks)
    down: set[str] = set()
    work: Iterator[WorkItem] = iter(space)
    if discovery == "ping":
        work = (item for item in work if item[1] not in down)
    checked = None if fast or probe is None else _checked(probe)
    state = _Scan(
        work=work, total=space.total, results=results, channel=channel,
        probe=checked, protocol=protocol, timeout=timeout,
        retries=retries, adaptive=adaptive_timeout, rate=rate, concurrency=workers,
        progress=progress,
    )

    async def run() -> None:
        try:
            if discovery != "skip":
                down.update(await state.discover(space, discovery == "only"))
            if discovery == "only":
                return
            async with anyio.create_task_group() as workers_group:
                for _ in range(min(workers, space.total)):
                    workers_group.start_soon(state.worker)
        finally:
            channel.close()

    # An error raised in the caller's block is re-raised as it is, after the
    # workers are stopped, rather than wrapped in the task group's ExceptionGroup.
    async with background_task_group() as tg:
        tg.start_soon(run)
        yield results


def _checked_options(
    timeout: float,
    retries: int | None,
    rate: float | None,
    concurrency: int | None,
    probe: Probe | None,
) -> tuple[float, int | None, float | None, int, bool, Protocol]:
    """The options that scan() and scan_work() share, checked: timeout, retries, rate,
    the number of workers, whether the built-in TCP probe runs, and the protocol."""
    timeout = _check_timeout(timeout)
    retries = None if retries is None else check_count("retries", retries, 0)
    rate = _check_rate(rate)
    workers = default_concurrency() if concurrency is None else concurrency
    workers = check_count("concurrency", workers, 1)
    if probe is not None and not callable(probe):
        raise InvalidOptionError("probe", probe, "a probe is an async callable (see Probe)")
    fast = probe is None or type(probe) is TCPConnectProbe
    protocol = Protocol.TCP if fast else _probe_protocol(probe)
    return timeout, retries, rate, workers, fast, protocol


@asynccontextmanager
async def scan_work(
    work: Iterator[WorkItem],
    total: int,
    *,
    concurrency: int | None = None,
    rate: float | None = None,
    timeout: float = 1.0,
    retries: int | None = None,
    adaptive_timeout: bool = True,
    progress: Callable[[int, int], object] | None = None,
    probe: Probe | None = None,
) -> AsyncIterator[ScanResults]:
    """Scan *total* pairs that *work* yields (already resolved), with scan()'s options.

    The engine behind scans of plans and shards (:mod:`portkit.planning`).
    """
    timeout, retries, rate, workers, fast, protocol = _checked_options(
        timeout, retries, rate, concurrency, probe
    )
    channel = _Channel(RESULT_BUFFER)
    results = ScanResults(channel, total)
    state = _Scan(
        work=work, total=total, results=results, channel=channel,
        probe=None if fast or probe is None else _checked(probe), protocol=protocol,
        timeout=timeout,
        retries=retries, adaptive=adaptive_timeout, rate=rate, concurrency=workers,
        progress=progress,
    )

    async def run() -> None:
        try:
            async with anyio.create_task_group() as workers_group:
                for _ in range(min(workers, total)):
                    workers_group.start_soon(state.worker)
        finally:
            channel.close()

    async with background_task_group() as tg:
        tg.start_soon(run)
        yield results


async def _collect(targets: Any, ports: Any, options: dict[str, Any]) -> list[ProbeResult]:
    async with scan(targets, ports, **options) as results:
        return [result async for result in results]


def scan_sync(
    targets: TargetLike | Iterable[TargetLike],
    ports: PortsLike = None,
    *,
    backend: str = "asyncio",
    **options: Any,
) -> list[ProbeResult]:
    """Run :func:`scan` to the end from synchronous code; return every result.

    Results come in order of completion. Takes the options of :func:`scan`, and
    *backend*: ``"asyncio"`` (default) or ``"trio"``, the event loop
    :func:`anyio.run` starts.

    Raises:
        EventLoopRunningError: An event loop already runs in this thread (a Jupyter
            notebook's, say): use :func:`scan` there.

    .. versionchanged:: 0.2
       Inside a running event loop, :class:`~portkit.exceptions.EventLoopRunningError`
       rather than anyio's ``RuntimeError``.
    """
    library = _running_event_loop()
    if library is not None:
        raise EventLoopRunningError("portkit.scan_sync", library, "portkit.scan")
    return anyio.run(_collect, targets, ports, options, backend=backend)


def _running_event_loop() -> str | None:
    """The event loop running in this thread (``"asyncio"``, ``"trio"``), or None.

    Looks only at modules already imported: a loop of a library never imported
    cannot be running, and portkit never imports either itself.
    """
    asyncio = sys.modules.get("asyncio")
    if asyncio is not None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            return "asyncio"
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            trio.lowlevel.current_trio_token()
        except RuntimeError:
            pass
        else:
            return "trio"
    return None


async def probe(
    host: str | ipaddress.IPv4Address | ipaddress.IPv6Address,
    port: int,
    *,
    protocol: Protocol | str = Protocol.TCP,
    timeout: float = 1.0,
) -> ProbeResult:
    """Probe one port of one host with a TCP connect, as nmap's connect scan does.

    ::

        result = await portkit.probe("127.0.0.1", 22)
        print(result.state, result.reason)   # open syn-ack / closed conn-refused / ...

    A name is resolved and its first address probed. The verdict follows
    :class:`TCPConnectProbe`: ``open`` (``syn-ack``), ``closed``
    (``conn-refused``), ``filtered`` (``no-response`` after *timeout*, or the
    ICMP unreachable that came back). A name that does not resolve gives an
    ``error`` result (``resolve-failed``); so does running out of descriptors or
    source ports for good, after a few tries with back-off.

    Args:
        host: A host name or an IP address (text or an :mod:`ipaddress` address).
        port: The port, 0-65535.
        protocol: Only ``"tcp"`` is probed by the built-in probe.
        timeout: Seconds to wait for an answer.

    Raises:
        InvalidOptionError: *timeout* is not a positive number, or *protocol* is not
            TCP.
        InvalidTargetError: *host* is not a host name or an IP address.
    """
    if Protocol.parse(protocol) is not Protocol.TCP:
        raise InvalidOptionError(
            "protocol", protocol, "the built-in probe is TCP; pass probe= to scan() for others"
        )
    if not isinstance(host, (str, ipaddress.IPv4Address, ipaddress.IPv6Address)):
        raise InvalidTargetError(host, "probe() takes a host name or an IP address")
    text = str(host)
    if "/" in text:
        raise InvalidTargetError(host, "probe() takes one host; scan() takes networks")
    async with scan(
        [text], [port], timeout=_check_timeout(timeout), retries=0,
        adaptive_timeout=False, concurrency=1, order="sequential",
    ) as results:
        async for result in results:
            return result
    raise AssertionError("unreachable: a scan of one pair yields one result")  # pragma: no cover
