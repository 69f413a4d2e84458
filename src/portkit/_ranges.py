"""Ports and port ranges: validation, the port classes, one range's syntax, the algebra.

What the value types (:mod:`portkit._models`), the spec parser (:mod:`portkit._spec`),
classification and the registry share. Range tuples here are always sorted, disjoint
and non-adjacent; each operation walks its inputs once. This module imports nothing of
portkit's but its exceptions, so every other module can build on it without a cycle.
"""

from __future__ import annotations

import enum
import operator
import re
from collections.abc import Iterator
from typing import SupportsIndex, Union

import attrs

from .exceptions import InvalidPortError, InvalidSpecError, _show

__all__ = [
    "MAX_PORT",
    "PortClass",
    "PortLike",
    "PortRange",
    "check_port",
    "parse_range",
]

#: The highest port number (ports are 16-bit).
MAX_PORT = 65535
_WELL_KNOWN_END = 1023
_REGISTERED_END = 49151


def check_port(value: object, rule: str = "a port is an int from 0 to 65535") -> int:
    """Return *value* as an ``int`` port, or raise :class:`InvalidPortError`.

    Accepts ints and integer-like objects (numpy integers) but never ``bool`` or
    ``float``: ``True`` and ``3.0`` are bugs in the caller, not ports.
    """
    if value.__class__ is int:
        if 0 <= value <= MAX_PORT:
            return value
        raise InvalidPortError(value, rule)
    if isinstance(value, bool) or not isinstance(value, SupportsIndex):
        raise InvalidPortError(value, rule)
    number = operator.index(value)
    if 0 <= number <= MAX_PORT:
        return number
    raise InvalidPortError(value, rule)



class PortClass(enum.IntEnum):
    """The three port ranges of IANA's registry (RFC 6335, section 6).

    The integer values are the codes that :func:`portkit.classify_many` returns for
    numpy columns: ``0`` well-known, ``1`` registered, ``2`` dynamic.

    ========== ============ ====================== ==============================
    member     ports        RFC 6335 name          assigned by
    ========== ============ ====================== ==============================
    WELL_KNOWN 0-1023       System Ports           IETF Review or IESG Approval
    REGISTERED 1024-49151   User Ports             IETF Review, IESG Approval,
                                                   or Expert Review
    DYNAMIC    49152-65535  Dynamic and/or Private never assigned
                            Ports
    ========== ============ ====================== ==============================
    """

    WELL_KNOWN = 0
    REGISTERED = 1
    DYNAMIC = 2

    def __str__(self) -> str:
        return self.name.lower().replace("_", "-")

    @property
    def range(self) -> PortRange:
        """The inclusive range of ports in this class."""
        return _CLASS_RANGES[self]

    @property
    def rfc6335_name(self) -> str:
        """The name RFC 6335 gives this range (``"System Ports"``, ...)."""
        return _RFC6335_NAMES[self]


_RFC6335_NAMES = {
    PortClass.WELL_KNOWN: "System Ports",
    PortClass.REGISTERED: "User Ports",
    PortClass.DYNAMIC: "Dynamic and/or Private Ports",
}


def _class_of(port: int) -> PortClass:
    """The class of a port already known to be valid."""
    if port <= _WELL_KNOWN_END:
        return PortClass.WELL_KNOWN
    if port <= _REGISTERED_END:
        return PortClass.REGISTERED
    return PortClass.DYNAMIC


def _check_first(instance: PortRange, attribute: attrs.Attribute[int], value: int) -> None:
    if instance.first > value:
        raise InvalidPortError(
            value,
            f"the last port of a range must not be below its first "
            f"({instance.first}-{value} is empty)",
        )


@attrs.frozen(order=True, repr=False)
class PortRange:
    """An inclusive range of ports, ``first`` to ``last``.

    >>> r = PortRange(8000, 8100)
    >>> 8080 in r, len(r), str(r)
    (True, 101, '8000-8100')
    >>> PortRange.parse("443") == PortRange(443, 443)
    True

    Attributes:
        first: The lowest port in the range.
        last: The highest port in the range (``first <= last``).
    """

    first: int = attrs.field(converter=check_port)
    last: int = attrs.field(converter=check_port, validator=_check_first)

    @classmethod
    def parse(cls, text: str) -> PortRange:
        """Parse ``"8000-8100"`` or a single port ``"443"``.

        The open ends of port specs work too: ``"-1024"`` is 1-1024, ``"60000-"`` is
        60000-65535, ``"-"`` is 1-65535.

        Raises:
            InvalidSpecError: *text* is not one range.
        """
        return parse_range(text)

    @classmethod
    def single(cls, port: int) -> PortRange:
        """The range holding just *port*."""
        port = check_port(port)
        return _range(port, port)

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.first <= port <= self.last

    def __len__(self) -> int:
        return self.last - self.first + 1

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.first, self.last + 1))

    def __str__(self) -> str:
        if self.first == self.last:
            return str(self.first)
        return f"{self.first}-{self.last}"

    def __repr__(self) -> str:
        return f"PortRange({self.first}, {self.last})"


def _range(first: int, last: int) -> PortRange:
    """Build a :class:`PortRange` from values already known to be valid."""
    new = object.__new__(PortRange)
    object.__setattr__(new, "first", first)
    object.__setattr__(new, "last", last)
    return new


_CLASS_RANGES = {
    PortClass.WELL_KNOWN: _range(0, _WELL_KNOWN_END),
    PortClass.REGISTERED: _range(_WELL_KNOWN_END + 1, _REGISTERED_END),
    PortClass.DYNAMIC: _range(_REGISTERED_END + 1, MAX_PORT),
}

#: A port or a range: what the set constructors take.
PortLike = Union[int, PortRange]  # noqa: UP007 - a runtime alias on 3.10

#: A range as a ``(first, last)`` pair of valid ports, ``first <= last``.
_Bounds = tuple[int, int]


def _collapse(bounds: list[_Bounds]) -> tuple[PortRange, ...]:
    """Sort and merge overlapping or adjacent (first, last) pairs into ranges."""
    if not bounds:
        return ()
    bounds.sort()
    merged: list[PortRange] = []
    cur_first, cur_last = bounds[0]
    for first, last in bounds:
        if first <= cur_last + 1:
            cur_last = max(cur_last, last)
        else:
            merged.append(_range(cur_first, cur_last))
            cur_first, cur_last = first, last
    merged.append(_range(cur_first, cur_last))
    return tuple(merged)


def _intersect(a: tuple[PortRange, ...], b: tuple[PortRange, ...]) -> tuple[PortRange, ...]:
    out: list[PortRange] = []
    i = j = 0
    while i < len(a) and j < len(b):
        ra, rb = a[i], b[j]
        first = max(ra.first, rb.first)
        last = min(ra.last, rb.last)
        if first <= last:
            out.append(ra if (first, last) == (ra.first, ra.last) else _range(first, last))
        if ra.last < rb.last:
            i += 1
        else:
            j += 1
    return tuple(out)


def _subtract(a: tuple[PortRange, ...], b: tuple[PortRange, ...]) -> tuple[PortRange, ...]:
    out: list[PortRange] = []
    j = 0
    for ra in a:
        first, last = ra.first, ra.last
        while j < len(b) and b[j].last < first:
            j += 1
        k = j
        while k < len(b) and b[k].first <= last:
            rb = b[k]
            if rb.first > first:
                out.append(_range(first, rb.first - 1))
            first = rb.last + 1
            if first > last:
                break
            k += 1
        if first <= last:
            out.append(ra if first == ra.first else _range(first, last))
    return tuple(out)


# -- one range's syntax ---------------------------------------------------------------------
# Ports are ASCII digits only: str.isdigit() and the regex class \d also take other
# scripts' digits ("８０", "٨٠"), which no other tool reads as ports.

_RANGE = re.compile(r"([0-9]*)\s*-\s*([0-9]*)\Z")
_DIGITS = re.compile(r"[0-9]+\Z")


def is_port_text(text: str) -> bool:
    """True when *text* is ASCII digits only (and not empty)."""
    return _DIGITS.match(text) is not None


def port_number(spec: str, digits: str, position: int | None) -> int:
    """The port that ASCII *digits* write, or :class:`InvalidSpecError` naming *spec*."""
    if len(digits) > 5 or int(digits) > MAX_PORT:
        raise InvalidSpecError(spec, f"port {digits} is out of range 0-65535", position)
    return int(digits)


def range_bounds(spec: str, body: str, position: int | None) -> _Bounds | None:
    """The ``(first, last)`` of one port or range item, or None when it is neither.

    Open ends run to 1 and to 65535 (``"-"`` is 1-65535, as in nmap).
    """
    if is_port_text(body):
        port = port_number(spec, body, position)
        return port, port
    match = _RANGE.match(body)
    if match is None:
        return None
    low, high = match.groups()
    first = port_number(spec, low, position) if low else 1
    last = port_number(spec, high, position) if high else MAX_PORT
    if first > last:
        raise InvalidSpecError(
            spec, f"range {_show(body)} runs backwards ({first} > {last})", position
        )
    return first, last


#: The longest spec accepted. Every port listed one by one takes about 350 KB.
MAX_SPEC_LENGTH = 1_000_000


def check_spec_text(spec: object) -> str:
    """*spec* when it is a str of an acceptable length with something in it."""
    if not isinstance(spec, str):
        raise InvalidSpecError(spec, "a port spec is a str")
    if len(spec) > MAX_SPEC_LENGTH:
        raise InvalidSpecError(spec, f"a port spec has at most {MAX_SPEC_LENGTH:,} characters")
    if not spec.strip():
        raise InvalidSpecError(spec, "a port spec must not be empty")
    return spec


def parse_range(text: str) -> PortRange:
    """Parse one range item: ``"80"``, ``"8000-8100"``, ``"-1024"``, ``"60000-"``."""
    checked = check_spec_text(text)
    stripped = checked.strip()
    offset = len(checked) - len(checked.lstrip())
    if "," in stripped:
        raise InvalidSpecError(text, "a range is one item; use PortSet.parse for lists",
                               offset + stripped.index(","))
    bounds = range_bounds(checked, stripped, offset)
    if bounds is None:
        raise InvalidSpecError(
            text, f"{_show(stripped)} is not a port or a range (a-b, -b, a-, -)", offset
        )
    return _range(*bounds)
