"""How hard a scan pushes: concurrency, rate, timeouts and back-off under pressure.

Everything here belongs to one scan: the engine makes fresh instances per call and
nothing is shared between scans.
"""

from __future__ import annotations

import math

import anyio

__all__ = [
    "MAX_DEFAULT_CONCURRENCY",
    "MIN_ADAPTIVE_TIMEOUT",
    "Pressure",
    "RateLimiter",
    "RttTable",
    "Window",
    "default_concurrency",
]

#: The default concurrency never exceeds this, however high the descriptor limit.
MAX_DEFAULT_CONCURRENCY = 1024
#: The shortest timeout adaptive timing picks (nmap's ``--min-rtt-timeout``).
MIN_ADAPTIVE_TIMEOUT = 0.1


def nofile_limit() -> int | None:
    """The soft ``RLIMIT_NOFILE`` of this process, or None where it is unknown."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    return int(soft)


def default_concurrency() -> int:
    """How many probes a scan keeps in flight unless told otherwise.

    Each probe in flight holds one socket, so the count stays below the soft
    ``RLIMIT_NOFILE`` limit with headroom (an eighth of it, at least 16) for the
    descriptors the program already has, and at most
    :data:`MAX_DEFAULT_CONCURRENCY`.
    """
    soft = nofile_limit()
    if soft is None:
        return 256
    headroom = max(16, soft // 8)
    return max(1, min(MAX_DEFAULT_CONCURRENCY, soft - headroom))


class RateLimiter:
    """A token bucket: at most *rate* starts per second, bursts of at most *burst*.

    Implemented as the generic cell rate algorithm: each start reserves the next
    slot and sleeps until it, so over any interval of length ``t`` at most
    ``burst + rate * t`` starts happen.
    """

    def __init__(self, rate: float, burst: int) -> None:
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1) * self._interval
        self._tat = -math.inf

    async def acquire(self) -> None:
        """Wait until one more start is allowed, and count it."""
        now = anyio.current_time()
        tat = self._tat if self._tat > now else now
        start = tat - self._tolerance
        self._tat = tat + self._interval
        if start > now:
            await anyio.sleep(start - now)


class RttTable:
    """Round-trip times per address and the timeouts learnt from them (RFC 6298).

    The first sample ``R`` sets ``srtt = R`` and ``rttvar = R / 2``; later ones
    update ``rttvar = 3/4 rttvar + 1/4 |srtt - R|`` and ``srtt = 7/8 srtt + 1/8 R``.
    The timeout is ``srtt + 4 * rttvar`` clamped to ``[low, high]``; an address
    without samples gets *high*. At most *max_hosts* addresses are remembered (the
    oldest is forgotten first), so memory stays bounded on huge scans.
    """

    def __init__(self, low: float, high: float, max_hosts: int = 4096) -> None:
        self._low = low
        self._high = high
        self._max_hosts = max_hosts
        self._table: dict[str, list[float]] = {}

    def timeout(self, address: str) -> float:
        """The timeout to use for the next probe of *address*."""
        entry = self._table.get(address)
        if entry is None:
            return self._high
        return entry[2]

    def sample(self, address: str, rtt: float) -> None:
        """Learn from one measured round trip to *address*."""
        entry = self._table.get(address)
        if entry is None:
            if len(self._table) >= self._max_hosts:
                del self._table[next(iter(self._table))]
            srtt, rttvar = rtt, rtt / 2
            entry = self._table[address] = [srtt, rttvar, 0.0]
        else:
            srtt, rttvar = entry[0], entry[1]
            rttvar = 0.75 * rttvar + 0.25 * abs(srtt - rtt)
            srtt = 0.875 * srtt + 0.125 * rtt
            entry[0], entry[1] = srtt, rttvar
        value = srtt + 4 * rttvar
        entry[2] = self._low if value < self._low else self._high if value > self._high else value


class Pressure:
    """Adaptive concurrency: shrinks when local resources run out, grows back slowly.

    A probe starts only while fewer than :attr:`limit` are in flight
    (:meth:`acquire`, :meth:`release`). :meth:`hit` is called when a probe failed
    for want of descriptors, buffers or source ports: the limit drops to three
    quarters of the probes then in flight. Every ``limit`` probes completed without
    trouble raise it by an eighth again, up to the configured maximum. With as many
    workers as the maximum and no trouble, :meth:`acquire` never waits.
    """

    def __init__(self, concurrency: int) -> None:
        self.maximum = concurrency
        self.limit = concurrency
        self.active = 0
        self._streak = 0
        self._waiting = 0
        self._event = anyio.Event()

    async def acquire(self) -> None:
        """Wait for a free slot and take it."""
        while self.active >= self.limit:
            self._waiting += 1
            try:
                await self._event.wait()
            finally:
                self._waiting -= 1
        self.active += 1

    def set_maximum(self, maximum: int) -> None:
        """Move the ceiling (the congestion window); the limit follows it."""
        old = self.maximum
        if maximum == old:
            return
        self.maximum = maximum
        if self.limit > maximum or self.limit == old:
            self.limit = maximum
        if self._waiting and self.active < self.limit:
            self._event.set()
            self._event = anyio.Event()

    def release(self, trouble: bool = False) -> None:
        """Give a slot back; *trouble* when the probe ran out of a local resource."""
        self.active -= 1
        if not trouble and self.limit >= self.maximum and not self._waiting:
            return
        if trouble:
            self.limit = max(1, min(self.limit, (self.active * 3) // 4))
            self._streak = 0
        elif self.limit < self.maximum:
            self._streak += 1
            if self._streak >= self.limit:
                self._streak = 0
                self.limit = min(self.maximum, self.limit + max(1, self.limit // 8))
        if self._waiting and self.active < self.limit:
            self._event.set()
            self._event = anyio.Event()


class Window:
    """The congestion window: how many probes a scan keeps in flight on the network.

    It starts at :attr:`START` probes (or the ceiling, when lower) and grows by one
    for each probe that completes, answered or silent (slow start: it doubles each
    round trip) up to a threshold, then by ``1 / window`` per probe. The signal of
    congestion is the share of answers that came only on a retry (each one a probe
    or an answer that was lost): its average over the last few dozen answers is
    compared with its average over the whole scan. Random loss keeps the two equal
    and never shrinks the window; when the recent share exceeds both a quarter and
    three times the long-run share, the path is dropping more than it did, and the
    window halves (at most once per window of completions), with the threshold set
    to the new size. The window never exceeds *ceiling* (the scan's
    ``concurrency``) and never falls below :attr:`FLOOR`; ``rate`` is a separate,
    hard limit.
    """

    START = 512
    FLOOR = 8

    def __init__(self, pressure: Pressure) -> None:
        self.pressure = pressure
        self.ceiling = pressure.maximum
        self.size = float(min(self.ceiling, self.START))
        self.threshold = float(self.ceiling)
        self.recent = 0.0
        self.overall = 0.0
        self.answers = 0
        self._since_cut = 0
        self.cuts = 0
        pressure.set_maximum(int(self.size))

    def completed(self, answered: bool, late: bool) -> None:
        """A probe completed: *answered* or silent; *late* when answered on a retry."""
        self._since_cut += 1
        if answered:
            self.answers += 1
            value = 1.0 if late else 0.0
            self.recent += (value - self.recent) / 32
            self.overall += (value - self.overall) / min(self.answers, 1024)
            if (
                late
                and self.recent > 0.25
                and self.recent > 3 * self.overall
                and self._since_cut >= self.size
            ):
                self.size = max(float(self.FLOOR), self.size / 2)
                self.threshold = self.size
                self._since_cut = 0
                self.cuts += 1
                self.pressure.set_maximum(int(self.size))
                return
        if self.size < self.ceiling:
            self.size += 1.0 if self.size < self.threshold else 1.0 / self.size
            if self.size > self.ceiling:
                self.size = float(self.ceiling)
            if int(self.size) != self.pressure.maximum:
                self.pressure.set_maximum(int(self.size))
