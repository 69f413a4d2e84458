"""Rolling statistics of one check over a bounded window of recent results.

Memory is constant however long a monitor runs: the window is a ring buffer of
fixed size, allocated once, and the counters since start are a handful of
integers. Nothing here does I/O or imports anyio.

Definitions (the documentation repeats them):

- *availability*: the share of results in the window that succeeded.
- *percentiles*: nearest rank over the latencies in the window. For ``n`` sorted
  latencies the ``p``-th percentile is the value at one-based rank
  ``ceil(p / 100 * n)`` (at least 1): always one of the observed values, never an
  interpolation.
- *jitter*: the mean absolute difference of consecutive latencies in the window,
  in the order they were observed (results without a latency are skipped), as
  RFC 3550 uses the word but without its exponential smoothing.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from itertools import pairwise

import attrs

__all__ = ["CheckStats", "RollingStats", "percentile"]

_NAN = float("nan")


def percentile(ordered: Sequence[float], p: float) -> float | None:
    """The nearest-rank *p*-th percentile of the ascending sequence *ordered*.

    Returns None for an empty sequence.
    """
    n = len(ordered)
    if n == 0:
        return None
    rank = max(1, math.ceil(p / 100 * n))
    return ordered[min(rank, n) - 1]


@attrs.frozen(kw_only=True)
class CheckStats:
    """A snapshot of one check's statistics.

    Window figures cover the last ``window`` results at most; the ``total`` counters
    cover every result since the check started. Latency figures are None when no
    result in the window has a latency (nothing answered).

    Attributes:
        name: The check's name.
        window: The most results the window holds.
        count: The results in the window now (at most ``window``).
        successes: How many of them succeeded.
        total: Results since the check started.
        total_successes: Successful results since the check started.
        state_changes: Health changes since the check started.
        availability: ``successes / count``, or None before the first result.
        latency_min: The lowest latency in the window, in seconds.
        latency_mean: The arithmetic mean of the latencies in the window.
        latency_max: The highest latency in the window.
        latency_p50: The nearest-rank median.
        latency_p95: The nearest-rank 95th percentile.
        latency_p99: The nearest-rank 99th percentile.
        jitter: The mean absolute difference of consecutive latencies, or None with
            fewer than two latencies.

    .. versionadded:: 0.1.0
    """

    name: str
    window: int
    count: int
    successes: int
    total: int
    total_successes: int
    state_changes: int
    availability: float | None
    latency_min: float | None
    latency_mean: float | None
    latency_max: float | None
    latency_p50: float | None
    latency_p95: float | None
    latency_p99: float | None
    jitter: float | None

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly dict of every field."""
        return attrs.asdict(self)


class RollingStats:
    """The mutable accumulator behind :class:`CheckStats` (one per check).

    The window is a ring buffer allocated once: an :class:`array.array` of
    latencies (NaN for none) and a :class:`bytearray` of outcomes, about nine bytes
    per result, so that thousands of checks with long windows stay small.

    Args:
        window: The most recent results to keep (at least 1).
    """

    __slots__ = (
        "_count", "_latencies", "_next", "_outcomes", "state_changes", "total",
        "total_successes", "window",
    )

    def __init__(self, window: int) -> None:
        self.window = window
        self._latencies = array("d", bytes(8 * window))
        self._outcomes = bytearray(window)
        self._next = 0
        self._count = 0
        self.total = 0
        self.total_successes = 0
        self.state_changes = 0

    def add(self, success: bool, latency: float | None) -> None:
        """Record one result."""
        i = self._next
        self._latencies[i] = _NAN if latency is None else latency
        self._outcomes[i] = success
        self._next = i + 1 if i + 1 < self.window else 0
        if self._count < self.window:
            self._count += 1
        self.total += 1
        if success:
            self.total_successes += 1

    def extend(self, results: Iterable[tuple[bool, float | None]]) -> None:
        """Record several results, oldest first."""
        for success, latency in results:
            self.add(success, latency)

    def _in_order(self) -> tuple[list[float], bytes]:
        """The window's latencies (NaN for none) and outcomes, oldest first."""
        if self._count < self.window:
            return self._latencies[: self._count].tolist(), bytes(self._outcomes[: self._count])
        i = self._next
        lat = self._latencies[i:].tolist() + self._latencies[:i].tolist()
        return lat, bytes(self._outcomes[i:] + self._outcomes[:i])

    def snapshot(self, name: str) -> CheckStats:
        """The statistics now, as a frozen :class:`CheckStats`."""
        window_latencies, outcomes = self._in_order()
        count = len(outcomes)
        successes = sum(outcomes)
        latencies = [lat for lat in window_latencies if not math.isnan(lat)]
        ordered = sorted(latencies)
        mean = math.fsum(latencies) / len(latencies) if latencies else None
        jitter = None
        if len(latencies) >= 2:
            diffs = [abs(b - a) for a, b in pairwise(latencies)]
            jitter = math.fsum(diffs) / len(diffs)
        return CheckStats(
            name=name,
            window=self.window,
            count=count,
            successes=successes,
            total=self.total,
            total_successes=self.total_successes,
            state_changes=self.state_changes,
            availability=successes / count if count else None,
            latency_min=ordered[0] if ordered else None,
            latency_mean=mean,
            latency_max=ordered[-1] if ordered else None,
            latency_p50=percentile(ordered, 50),
            latency_p95=percentile(ordered, 95),
            latency_p99=percentile(ordered, 99),
            jitter=jitter,
        )
