"""Health states and the damping state machine that moves between them.

Each probe result gets a *verdict* (the health it shows on its own); the check's
*health* changes to a verdict only after enough consecutive results agree on it:
``rise`` results for a change to ``Health.UP``, ``fall`` results for a change
to anything else. The first result of a check sets its health at once, since
there is no earlier state to protect from flapping. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections import deque
from typing import Generic, TypeVar

__all__ = ["ChangeKind", "Damper", "Health"]

T = TypeVar("T")


class Health(str, enum.Enum):
    """The health of a check, as damped over its recent results.

    ``str()`` gives the lower-case value.

    .. versionadded:: 0.1.0
    """

    #: No result yet.
    UNKNOWN = "unknown"
    #: The port is as expected (open, or closed for ``expect="closed"``) and fast.
    UP = "up"
    #: The port is open but slower than the check's ``degraded_latency``.
    DEGRADED = "degraded"
    #: The port is not open (or slower than ``critical_latency``), or the probe
    #: could not be carried out.
    DOWN = "down"
    #: A port that must stay closed (``expect="closed"``) is open.
    VIOLATED = "violated"

    def __str__(self) -> str:
        return self.value

    @property
    def is_ok(self) -> bool:
        """True for ``Health.UP`` and ``Health.DEGRADED``.

        That is, the service answers as expected.
        """
        return self is Health.UP or self is Health.DEGRADED


class ChangeKind(str, enum.Enum):
    """What a health change means, for alert routing.

    .. versionadded:: 0.1.0
    """

    #: The first health of a check (from ``Health.UNKNOWN``).
    FIRST = "first"
    #: Back to ``Health.UP`` from a problem.
    RECOVERED = "recovered"
    #: From ``Health.UP`` to a problem.
    PROBLEM = "problem"
    #: From one problem to another (say degraded to down).
    CHANGED = "changed"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of(cls, old: Health, new: Health) -> ChangeKind:
        """The kind of a change from *old* to *new*."""
        if old is Health.UNKNOWN:
            return cls.FIRST
        if new is Health.UP:
            return cls.RECOVERED
        if old is Health.UP:
            return cls.PROBLEM
        return cls.CHANGED


class Damper(Generic[T]):
    """The flap-damping state machine of one check.

    Feed it each result's verdict with :meth:`observe`; it answers with the change
    of health that the result completes, if any, and the results that agreed on it.

    Args:
        rise: Consecutive ``Health.UP`` verdicts needed to change to UP.
        fall: Consecutive verdicts of one other health needed to change to it.
    """

    __slots__ = ("_candidate", "_streak", "fall", "health", "rise")

    def __init__(self, rise: int = 1, fall: int = 1) -> None:
        self.rise = rise
        self.fall = fall
        self.health = Health.UNKNOWN
        self._candidate = Health.UNKNOWN
        self._streak: deque[T] = deque(maxlen=max(rise, fall))

    def needed(self, verdict: Health) -> int:
        """How many agreeing results a change to *verdict* needs."""
        return self.rise if verdict is Health.UP else self.fall

    def observe(self, verdict: Health, item: T) -> tuple[Health, Health, tuple[T, ...]] | None:
        """Record a result whose verdict is *verdict*.

        Returns:
            ``(old, new, streak)`` when this result completes a change of health,
            *streak* being the results that agreed on it, oldest first; else None.
        """
        if verdict is self.health:
            self._candidate = Health.UNKNOWN
            self._streak.clear()
            return None
        if verdict is not self._candidate:
            self._candidate = verdict
            self._streak.clear()
        self._streak.append(item)
        if self.health is not Health.UNKNOWN and len(self._streak) < self.needed(verdict):
            return None
        old, self.health = self.health, verdict
        streak = tuple(self._streak)
        self._candidate = Health.UNKNOWN
        self._streak.clear()
        return old, verdict, streak
