"""Results grouped per host, streamed: a host's summary is ready once its last port is in.

A report writer feeds results to :class:`HostGrouper` one at a time and gets a
:class:`HostSummary` back as soon as the host it belongs to is complete, so a scan of
any number of hosts is reported in memory bounded by the hosts still in flight. What
a host keeps is its ports to list (open ones, or all of them when asked) and a count
per (state, reason) of the rest.
"""

from __future__ import annotations

import ipaddress
import time
from collections import Counter
from collections.abc import Callable

from portkit import PortState, ProbeResult

__all__ = ["FEW", "HostGrouper", "HostSummary"]

#: The ports of a state listed while "few" are listed while there are at most this
#: many; beyond that they are counted with the ports not shown, as nmap's extraports does.
FEW = 25

# Targets made only of these are addresses or nmap octet patterns, not names.
_NOT_NAME_CHARS = frozenset("0123456789.-*,/")


class HostSummary:
    """What a report says about one (target, address): listed ports and counts of the rest.

    Attributes:
        target: The target as given.
        address: The address probed, ``""`` when the name did not resolve.
        error: The resolver's message when the name did not resolve, else None.
        listed: The results to list, in port order once the host is complete.
        rest: How many results of each (state, reason) are not listed.
        scanned: How many results the host has.
        complete: False when the scan stopped before every port was probed.
        started: Wall-clock time (``time.time()``) of the host's first result.
        ended: Wall-clock time of its last result.
    """

    __slots__ = (
        "_few", "address", "complete", "ended", "error", "expected", "listed",
        "rest", "scanned", "started", "target",
    )

    target: str
    address: str
    expected: int | None
    error: str | None
    listed: list[ProbeResult]
    rest: Counter[tuple[str, str]]
    scanned: int
    complete: bool
    started: float
    ended: float

    def __init__(self, target: str, address: str, expected: int | None) -> None:
        """Start the summary of one host, expecting *expected* results (None: unknown)."""
        self.target = target
        self.address = address
        self.expected = expected
        self.error = None
        self.listed = []
        self._few: dict[PortState, list[ProbeResult]] = {}
        self.rest = Counter()
        self.scanned = 0
        self.complete = False
        self.started = self.ended = time.time()

    def finish(self, complete: bool) -> HostSummary:
        """Settle the listed ports (sorted) once no more results will come."""
        self.complete = complete
        self.ended = time.time()
        for held in self._few.values():
            if len(held) <= FEW:
                self.listed.extend(held)
            else:
                for r in held:
                    self.rest[(r.state.value, r.reason)] += 1
        self._few = {}
        self.listed.sort(key=lambda r: (r.protocol.value, r.port))
        return self

    @property
    def hostname(self) -> str | None:
        """The target when it is a host name (not an address, network or pattern)."""
        target = self.target
        if target == self.address or not target or set(target) <= _NOT_NAME_CHARS:
            return None
        try:
            ipaddress.ip_network(target.strip("[]"), strict=False)
        except ValueError:
            return target
        return None

    @property
    def name(self) -> str:
        """``address``, or ``hostname (address)`` when the target was a name."""
        if not self.address:
            return self.target
        hostname = self.hostname
        return self.address if hostname is None else f"{hostname} ({self.address})"

    @property
    def is_up(self) -> bool:
        """True when something answered: a port open or closed, as a connect scan shows."""
        if self.error is not None:
            return False
        if any(r.state in (PortState.OPEN, PortState.CLOSED) for r in self.listed):
            return True
        return any(state in ("open", "closed") for state, _ in self.rest)


class HostGrouper:
    """Group a stream of results by (target, address), releasing each host when done.

    Args:
        show: Which results are listed in a host's table; the others are counted.
        expected: How many results the host of a result will have, or None when
            unknown (the host is then released by :meth:`drain` only).
        few: The states not shown whose ports are still listed when a host has
            at most :data:`FEW` of them.
    """

    #: Results seen, per state value, over every host.
    states: Counter[str]
    #: Results seen over every host.
    results: int

    def __init__(
        self,
        show: Callable[[ProbeResult], bool],
        expected: Callable[[ProbeResult], int | None] | None = None,
        few: frozenset[PortState] = frozenset({PortState.OPEN_FILTERED}),
    ) -> None:
        """See the class's documentation for the arguments."""
        self._show = show
        self._few_states = few
        self._expected = expected
        self._hosts: dict[tuple[str, str], HostSummary] = {}
        self.states = Counter()
        self.results = 0

    def add(self, result: ProbeResult) -> HostSummary | None:
        """Take one result; return its host's summary when it was the host's last."""
        key = (result.target, result.address)
        host = self._hosts.get(key)
        if host is None:
            expected = None if self._expected is None else self._expected(result)
            host = self._hosts[key] = HostSummary(result.target, result.address, expected)
        host.scanned += 1
        self.results += 1
        state = result.state
        self.states[state.value] += 1
        if result.reason == "resolve-failed":
            if host.error is None:
                host.error = str(result.details.get("error", "")) or "no address"
        elif self._show(result):
            host.listed.append(result)
        elif state in self._few_states:
            held = host._few.get(state)
            if held is None:
                held = host._few[state] = []
            if len(held) <= FEW:
                held.append(result)
            else:
                host.rest[(state.value, result.reason)] += 1
        else:
            host.rest[(state.value, result.reason)] += 1
        if host.expected is not None and host.scanned >= host.expected:
            del self._hosts[key]
            return host.finish(True)
        return None

    def drain(self, complete: bool = True) -> list[HostSummary]:
        """Release every host still held, in (target, address) order."""
        hosts = [self._hosts[k].finish(complete) for k in sorted(self._hosts)]
        self._hosts.clear()
        return hosts
