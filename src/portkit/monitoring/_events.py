"""What a monitor reports: :class:`CheckResult` and :class:`StateChange`."""

from __future__ import annotations

from typing import Any, Union

import attrs

from .._probe import ProbeResult
from ._check import Check
from ._health import ChangeKind, Health

__all__ = ["CheckResult", "Event", "StateChange"]


@attrs.frozen(kw_only=True)
class CheckResult:
    """One probe of one check, judged.

    Times are seconds on the event loop's monotonic clock
    (:func:`anyio.current_time`).

    Attributes:
        check: The check that was probed.
        result: What the probe found.
        verdict: The health this result shows on its own (see :meth:`Check.judge`).
        reason: Why: the probe's reason (``"syn-ack"``, ``"conn-refused"``,
            ``"no-response"``, ...) or ``"latency-degraded"`` /
            ``"latency-critical"``.
        health: The check's damped health after this result.
        scheduled: When the probe was due.
        started: When it started (after waiting for a concurrency slot).
        duration: How long the probe took, name resolution included.

    .. versionadded:: 0.1.0
    """

    check: Check
    result: ProbeResult
    verdict: Health
    reason: str
    health: Health
    scheduled: float
    started: float
    duration: float

    @property
    def lag(self) -> float:
        """The delay from the deadline to the start (``started - scheduled``), in seconds."""
        return self.started - self.scheduled

    @property
    def success(self) -> bool:
        """True when the verdict is ``Health.UP`` or ``Health.DEGRADED``."""
        return self.verdict.is_ok

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict, with ``"event": "result"``."""
        return {
            "event": "result",
            "check": self.check.name,
            "endpoint": str(self.check.endpoint),
            "verdict": self.verdict.value,
            "reason": self.reason,
            "health": self.health.value,
            "lag": self.lag,
            "duration": self.duration,
            "result": self.result.to_dict(),
        }


@attrs.frozen(kw_only=True)
class StateChange:
    """A check's damped health changed.

    Attributes:
        check: The check.
        old: The health before (``Health.UNKNOWN`` for the first).
        new: The health now.
        reason: The reason of the last result that agreed on the change.
        streak: The consecutive results that caused the change, oldest first
            (``rise`` or ``fall`` of them; one for the first change).
        at: When it happened, on the event loop's monotonic clock.

    .. versionadded:: 0.1.0
    """

    check: Check
    old: Health
    new: Health
    reason: str
    streak: tuple[ProbeResult, ...]
    at: float

    @property
    def kind(self) -> ChangeKind:
        """first, recovered, problem or changed (see :class:`ChangeKind`)."""
        return ChangeKind.of(self.old, self.new)

    @property
    def recovered(self) -> bool:
        """True for a change back to ``Health.UP`` from a problem."""
        return self.kind is ChangeKind.RECOVERED

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict, with ``"event": "change"``."""
        return {
            "event": "change",
            "check": self.check.name,
            "endpoint": str(self.check.endpoint),
            "old": self.old.value,
            "new": self.new.value,
            "kind": self.kind.value,
            "reason": self.reason,
            "streak": [r.to_dict() for r in self.streak],
        }


#: Everything a monitor yields.
Event = Union[CheckResult, StateChange]  # noqa: UP007 - a runtime alias on 3.10
