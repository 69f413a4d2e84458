"""Checks of the numeric options that probes, scans and the monitor share.

Each raises :class:`~portkit.exceptions.InvalidOptionError` naming the option, the
value and the rule, so that every part of portkit words the same mistake the same
way. ``True`` is never a number here, and neither are NaN and infinity.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from .exceptions import InvalidOptionError

__all__ = [
    "check_count",
    "check_positive",
    "non_negative",
    "optional_positive",
    "positive",
]


def check_positive(name: str, value: object, unit: str = "") -> float:
    """*value* as a float when it is a finite number above zero."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        what = f" of {unit}" if unit else ""
        raise InvalidOptionError(name, value, f"{name} is a finite number{what} > 0")
    return float(value)


def check_count(name: str, value: object, low: int = 0) -> int:
    """*value* when it is an int (not a bool) of at least *low*."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidOptionError(name, value, f"{name} is an int >= {low}")
    return value


def positive(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: a finite number above zero."""
    check_positive(attribute.name, value)


def optional_positive(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: None, or a finite number above zero."""
    if value is not None:
        check_positive(attribute.name, value)


def non_negative(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: an int of at least zero."""
    check_count(attribute.name, value, 0)
