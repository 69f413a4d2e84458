"""Continuous monitoring of ports: scheduled checks, damping, statistics, metrics.

A :class:`Check` says what to probe and how often; :func:`monitor` runs checks and
yields each :class:`CheckResult` and :class:`StateChange` as it happens; a
:class:`Monitor` can add and remove checks while it runs and serve Prometheus metrics::

    >>> from portkit.monitoring import Check
    >>> Check(endpoint="127.0.0.1:22", interval=5).interval
    5

.. versionadded:: 0.2
   The package; its names were at portkit's top level in 0.1.
"""

from __future__ import annotations

from portkit._public import rehome as _rehome
from portkit.exceptions import InvalidConfigError, UnknownCheckError

from ._check import Check
from ._config import load_checks
from ._core import Monitor, monitor
from ._events import CheckResult, StateChange
from ._expect import ExpectProbe
from ._health import ChangeKind, Health
from ._stats import CheckStats

__all__ = [
    "ChangeKind",
    "Check",
    "CheckResult",
    "CheckStats",
    "ExpectProbe",
    "Health",
    "InvalidConfigError",
    "Monitor",
    "StateChange",
    "UnknownCheckError",
    "load_checks",
    "monitor",
]

_rehome(globals(), __all__, __name__)
