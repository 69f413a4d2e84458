"""The parser of port lists: ``"22,80,1000-2000"``, ``"T:1-1024,U:53"``, ``"-"``.

The grammar, after nmap's ``-p`` option::

    spec      := item ("," item)*
    item      := [qualifier] body
    qualifier := "T:" | "U:" | "S:" | "D:"      (case-insensitive; applies to what follows)
    body      := port | port "-" port | "-" port | port "-" | "-" | service-name
    port      := 1 to 5 ASCII digits, 0-65535

Open ends run to 1 and to 65535 (so ``"-"`` is 1-65535, as in nmap). Blanks around
items, qualifiers and dashes are ignored.

Parsing reads no file. Service names are resolved by a :class:`NameResolver` (any
object with the :meth:`~portkit.registries.Registry.ports_for_name` method of a
registry) that the caller passes; without one, by the default registry, which the
``portkit`` package names here when it is imported (:func:`use_default_names`). This
module imports no registry: the registry builds on the same primitives
(:mod:`portkit._ranges`, :mod:`portkit._protocols`), so there is no import cycle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Protocol as _TypingProtocol

from ._protocols import Protocol
from ._ranges import (
    MAX_PORT,
    MAX_SPEC_LENGTH,
    PortRange,
    _Bounds,
    _collapse,
    _range,
    check_spec_text,
    range_bounds,
)
from .exceptions import InvalidOptionError, InvalidSpecError, UnknownServiceError, _show

__all__ = [
    "MAX_SPEC_LENGTH",
    "NameResolver",
    "parse_portset",
    "parse_portspec",
    "use_default_names",
]


class NameResolver(_TypingProtocol):
    """What resolves the service names of a port spec (``"ssh,http"``).

    A :class:`~portkit.registries.Registry` is one; so is any object with its
    :meth:`~portkit.registries.Registry.ports_for_name` method, for instance one
    that knows a site's own names before falling back to a registry.
    :meth:`portkit.PortSet.parse` and :meth:`portkit.PortSpec.parse` take one as
    ``registry=``.

    .. versionadded:: 0.2
    """

    def ports_for_name(self, name: str, protocol: Protocol) -> tuple[PortRange, ...]:
        """The ports *name* stands for over *protocol*.

        Raises:
            UnknownServiceError: No service of that name.
        """
        ...  # pragma: no cover


_default_names: list[Callable[[], NameResolver]] = []


def use_default_names(loader: Callable[[], NameResolver]) -> None:
    """Name the function that gives the default registry (called by ``portkit``)."""
    _default_names[:] = [loader]


def _resolver(registry: NameResolver | None) -> NameResolver:
    if registry is not None:
        return registry
    if not _default_names:  # pragma: no cover - portkit's __init__ names it at import
        raise RuntimeError("no default registry to resolve service names; pass registry=")
    return _default_names[0]()


_QUALIFIER = re.compile(r"\s*([TUSDtusd])\s*:\s*")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.+*?/-]*\Z")
_LETTERS = {p.letter: p for p in Protocol}
_PLAIN = re.compile(r"[0-9]{1,5}(?:,[0-9]{1,5})*\Z")


def _items(spec: str) -> Iterator[tuple[int, str]]:
    """Yield ``(offset, item)`` for each comma-separated item, blanks stripped."""
    offset = 0
    for raw in spec.split(","):
        stripped = raw.lstrip()
        yield offset + len(raw) - len(stripped), stripped.rstrip()
        offset += len(raw) + 1


class _Parser:
    """One parse: the spec, and the registry resolving its names (looked up once)."""

    def __init__(self, spec: str, registry: NameResolver | None) -> None:
        self.spec = spec
        self.registry = registry
        self.resolved: NameResolver | None = None

    def body(self, body: str, position: int, protocol: Protocol) -> list[_Bounds]:
        """The (first, last) pairs that one item (qualifier removed) stands for."""
        if not body:
            raise InvalidSpecError(
                self.spec, "empty item (two commas in a row, or a comma at an end)", position
            )
        bounds = range_bounds(self.spec, body, position)
        if bounds is not None:
            return [bounds]
        if _NAME.match(body):
            return self.service_ports(body, position, protocol)
        raise InvalidSpecError(
            self.spec,
            f"{_show(body)} is not a port, a range (a-b, -b, a-, -) or a service name",
            position,
        )

    def service_ports(self, name: str, position: int, protocol: Protocol) -> list[_Bounds]:
        if self.resolved is None:
            self.resolved = _resolver(self.registry)
        try:
            ranges = self.resolved.ports_for_name(name, protocol)
        except UnknownServiceError as e:
            hint = f"; did you mean {', '.join(e.suggestions)}?" if e.suggestions else ""
            raise InvalidSpecError(
                self.spec, f"unknown service {_show(name)} for {protocol}{hint}", position
            ) from None
        return [(r.first, r.last) for r in ranges]

    def parse(self, default: Protocol, allow_qualifiers: bool) -> dict[Protocol, list[_Bounds]]:
        text = self.spec
        found: dict[Protocol, list[_Bounds]] = {}
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
            found.setdefault(protocol, []).extend(self.body(item, start, protocol))
        return found


def _plain_list(spec: str) -> tuple[PortRange, ...] | None:
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
    return tuple(ranges)


def _check_registry(registry: object) -> None:
    if registry is not None and not callable(getattr(registry, "ports_for_name", None)):
        raise InvalidOptionError(
            "registry", registry,
            "service names are resolved by a portkit.registries.Registry (or an object "
            "with its ports_for_name method); None means the default registry",
        )


def parse_portset(spec: str, registry: NameResolver | None = None) -> tuple[PortRange, ...]:
    """The collapsed ranges of an unqualified port list."""
    _check_registry(registry)
    if isinstance(spec, str):
        plain = _plain_list(spec)
        if plain is not None:
            return plain
    found = _Parser(check_spec_text(spec), registry).parse(Protocol.TCP, allow_qualifiers=False)
    return _collapse(found.get(Protocol.TCP, []))


def parse_portspec(
    spec: str, default: Protocol, registry: NameResolver | None = None
) -> dict[Protocol, tuple[PortRange, ...]]:
    """The collapsed ranges of each protocol in a port list with optional qualifiers."""
    _check_registry(registry)
    found = _Parser(check_spec_text(spec), registry).parse(default, allow_qualifiers=True)
    return {proto: _collapse(bounds) for proto, bounds in found.items()}
