"""Continuous monitoring of ports: scheduled checks, damping, statistics, metrics.

Public names are re-exported by :mod:`portkit`.
"""

from __future__ import annotations

from ._check import Check
from ._config import load_checks
from ._core import Monitor, monitor
from ._events import CheckResult, StateChange
from ._health import ChangeKind, Health
from ._stats import CheckStats

__all__ = [
    "ChangeKind",
    "Check",
    "CheckResult",
    "CheckStats",
    "Health",
    "Monitor",
    "StateChange",
    "load_checks",
    "monitor",
]
