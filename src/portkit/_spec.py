"""The parser of port lists: ``"22,80,1000-2000"``, ``"T:1-1024,U:53"``, ``"-"``.

The grammar, after nmap's ``-p`` option::

    spec      := item ("," item)*
    item      := [qualifier] body
    qualifier := "T:" | "U:" | "S:" | "D:"      (case-insensitive; applies to what follows)
    body      := port | port "-" port | "-" port | port "-" | "-" | service-name
    port      := 1 to 5 decimal digits, 0-65535

Open ends run to 1 and to 65535 (so ``"-"`` is 1-65535, as in nmap). Blanks around
items, qualifiers and dashes are ignored. Service names are resolved through the port
registry when it is available.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._models import (
    MAX_PORT,
    PortLike,
    PortRange,
    PortSet,
    PortSpec,
    Protocol,
    _bounds_of,
    _collapse,
    _range,
    _set,
)
from .exceptions import InvalidSpecError, UnknownServiceError, _show

__all__ = ["parse_portset", "parse_portspec", "parse_range"]

#: The longest spec accepted. Every port listed one by one takes about 350 KB.
MAX_SPEC_LENGTH = 1_000_000

_QUALIFIER = re.compile(r"\s*([TUSDtusd])\s*:\s*")
_RANGE = re.compile(r"(\d*)\s*-\s*(\d*)\Z")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.+*?/-]*\Z")
_LETTERS = {p.letter: p for p in Protocol}
_PLAIN = re.compile(r"[0-9]{1,5}(?:,[0-9]{1,5})*\Z")


def _check_text(spec: object) -> str:
    if not isinstance(spec, str):
        raise InvalidSpecError(spec, "a port spec is a str")
    if len(spec) > MAX_SPEC_LENGTH:
        raise InvalidSpecError(spec, f"a port spec has at most {MAX_SPEC_LENGTH:,} characters")
    if not spec.strip():
        raise InvalidSpecError(spec, "a port spec must not be empty")
    return spec


def _items(spec: str) -> Iterator[tuple[int, str]]:
    """Yield ``(offset, item)`` for each comma-separated item, blanks stripped."""
    offset = 0
    for raw in spec.split(","):
        stripped = raw.lstrip()
        yield offset + len(raw) - len(stripped), stripped.rstrip()
        offset += len(raw) + 1


def _port(spec: str, digits: str, position: int) -> int:
    if len(digits) > 5 or int(digits) > MAX_PORT:
        raise InvalidSpecError(spec, f"port {digits} is out of range 0-65535", position)
    return int(digits)


def _body(spec: str, body: str, position: int, protocol: Protocol) -> list[tuple[int, int]]:
    """The (first, last) pairs that one item (qualifier removed) stands for."""
    if not body:
        raise InvalidSpecError(spec, "empty item (two commas in a row, or a comma at an end)",
                               position)
    if body.isdigit() and body.isascii():
        port = _port(spec, body, position)
        return [(port, port)]
    match = _RANGE.match(body)
    if match:
        low, high = match.groups()
        first = _port(spec, low, position) if low else 1
        last = _port(spec, high, position) if high else MAX_PORT
        if first > last:
            raise InvalidSpecError(
                spec, f"range {_show(body)} runs backwards ({first} > {last})", position
            )
        return [(first, last)]
    if _NAME.match(body):
        return _service_ports(spec, body, position, protocol)
    raise InvalidSpecError(
        spec, f"{_show(body)} is not a port, a range (a-b, -b, a-, -) or a service name", position
    )


def _service_ports(
    spec: str, name: str, position: int, protocol: Protocol
) -> list[tuple[int, int]]:
    from .registries._shortcuts import ports_for_spec_name

    try:
        ports: list[PortLike] = list(ports_for_spec_name(name, protocol))
    except UnknownServiceError as e:
        hint = f"; did you mean {', '.join(e.suggestions)}?" if e.suggestions else ""
        raise InvalidSpecError(
            spec, f"unknown service {_show(name)} for {protocol}{hint}", position
        ) from None
    return _bounds_of(ports)


def _parse(spec: object, default: Protocol, allow_qualifiers: bool) -> dict[Protocol, list[
        tuple[int, int]]]:
    text = _check_text(spec)
    found: dict[Protocol, list[tuple[int, int]]] = {}
    protocol = default
    for position, raw in _items(text):
        item, start = raw, position
        qualifier = _QUALIFIER.match(item)
        if qualifier:
            letter = qualifier.group(1).upper()
            if not allow_qualifiers:
                raise InvalidSpecError(
                    text,
                    f"protocol qualifier '{letter}:' needs PortSpec.parse(), which keeps "
                    "each protocol's ports apart",
                    position,
                )
            protocol = _LETTERS[letter]
            item = item[qualifier.end():]
            start = position + qualifier.end()
            if not item:
                raise InvalidSpecError(
                    text, f"qualifier '{letter}:' is not followed by any port", position
                )
        found.setdefault(protocol, []).extend(_body(text, item, start, protocol))
    return found


def _plain_list(spec: str) -> PortSet | None:
    """The fast path for a plain list of ports (digits and commas only), or None."""
    if not _PLAIN.match(spec):
        return None
    ports = sorted(set(map(int, spec.split(","))))
    if ports[-1] > MAX_PORT:
        return None  # let the general parser name the item
    ranges: list[PortRange] = []
    first = last = ports[0]
    for port in ports:
        if port > last + 1:
            ranges.append(_range(first, last))
            first = port
        last = port
    ranges.append(_range(first, last))
    return _set(tuple(ranges))


def parse_portset(spec: str) -> PortSet:
    """Parse an unqualified port list into one :class:`PortSet`."""
    if isinstance(spec, str):
        plain = _plain_list(spec)
        if plain is not None:
            return plain
    found = _parse(spec, Protocol.TCP, allow_qualifiers=False)
    return _set(_collapse(found.get(Protocol.TCP, [])))


def parse_portspec(spec: str, default: Protocol) -> PortSpec:
    """Parse a port list with optional qualifiers into a :class:`PortSpec`."""
    found = _parse(spec, default, allow_qualifiers=True)
    return PortSpec({proto: _set(_collapse(bounds)) for proto, bounds in found.items()})


def parse_range(text: str) -> PortRange:
    """Parse one range item: ``"80"``, ``"8000-8100"``, ``"-1024"``, ``"60000-"``."""
    checked = _check_text(text)
    stripped = checked.strip()
    offset = len(checked) - len(checked.lstrip())
    if "," in stripped:
        raise InvalidSpecError(text, "a range is one item; use PortSet.parse for lists",
                               offset + stripped.index(","))
    if _NAME.match(stripped):
        raise InvalidSpecError(text, f"{_show(stripped)} is not a port or a range", offset)
    ((first, last),) = _body(checked, stripped, offset, Protocol.TCP)
    return _range(first, last)
