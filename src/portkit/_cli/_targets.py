"""Targets from the command line: arguments, ``-iL`` files, exclusions, ``host:port``."""

from __future__ import annotations

import ipaddress
import itertools
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from portkit import Endpoint
from portkit.exceptions import InvalidOptionError, InvalidTargetError, PortkitError

__all__ = ["apply_exclusions", "parse_exclusions", "read_target_file", "target_value"]

#: A pattern target is expanded to apply exclusions when it has at most this many
#: addresses.
EXPAND_LIMIT = 65536

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def read_target_file(path: str) -> list[str]:
    """The targets of an ``-iL`` file (``-`` for stdin): whitespace separated, ``#``
    comments to the end of a line."""
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
    except OSError as e:
        raise InvalidOptionError(
            "iL", path, f"cannot read the target file ({e.strerror})"
        ) from None
    found: list[str] = []
    for line in text.splitlines():
        found.extend(line.partition("#")[0].split())
    return found


def target_value(text: str) -> Any:
    """A command-line target as :func:`portkit.scan` takes it: ``host:port`` and URLs
    become :class:`~portkit.Endpoint` values, the rest stays text."""
    if "://" in text or (text.count(":") == 1 and not text.startswith("[")) or (
        text.startswith("[") and "]:" in text
    ):
        try:
            return Endpoint.parse(text)
        except PortkitError as e:
            raise InvalidTargetError(text, f"not a host:port or URL ({e})") from None
    return text


_PATTERN_CHARS = frozenset("0123456789.-*,")


def _octet(part: str) -> list[int] | None:
    values: set[int] = set()
    for item in part.split(","):
        if item == "*":
            values.update(range(256))
            continue
        low, dash, high = item.partition("-")
        if (low and not low.isdigit()) or (high and not high.isdigit()) or not (low or dash):
            return None
        first = int(low) if low else 0
        last = (int(high) if high else 255) if dash else first
        if not 0 <= first <= last <= 255:
            return None
        values.update(range(first, last + 1))
    return sorted(values)


class _Pattern:
    """nmap's octet pattern (``10.0.0.1-20``, ``10.0.*.1``) as the scan engine reads
    it, for exclusions: its size, and its addresses when it is small."""

    def __init__(self, octets: list[list[int]]) -> None:
        self.octets = octets

    @classmethod
    def parse(cls, text: str) -> _Pattern | None:
        parts = text.split(".")
        if len(parts) != 4 or not set(text) <= _PATTERN_CHARS or not any(
            c in text for c in "-*,"
        ):
            return None
        octets = [_octet(p) for p in parts]
        if any(o is None for o in octets):
            raise InvalidTargetError(text, "an octet is a number 0-255, '*', a range such as "
                                     "1-20 from low to high, or a comma list of these")
        return cls([o for o in octets if o is not None])

    def __len__(self) -> int:
        n = 1
        for o in self.octets:
            n *= len(o)
        return n

    def __iter__(self) -> Iterator[ipaddress.IPv4Address]:
        for a, b, c, d in itertools.product(*self.octets):
            yield ipaddress.IPv4Address((a << 24) | (b << 16) | (c << 8) | d)


def _networks(text: str) -> list[Network]:
    pattern = _Pattern.parse(text)
    if pattern is not None:
        if len(pattern) > EXPAND_LIMIT:
            raise InvalidTargetError(text, f"an excluded pattern has at most {EXPAND_LIMIT} "
                                     "addresses; exclude networks instead")
        return [ipaddress.ip_network(a) for a in pattern]
    try:
        return [ipaddress.ip_network(text.strip("[]"), strict=False)]
    except ValueError:
        raise InvalidTargetError(
            text, "an exclusion is an address, a network or an octet pattern"
        ) from None


def parse_exclusions(items: Iterable[str]) -> list[Network]:
    """The networks of ``--exclude`` (comma lists) and ``--excludefile`` entries."""
    out: list[Network] = []
    for item in items:
        for text in item.split(","):
            if text.strip():
                out.extend(_networks(text.strip()))
    return out


def _subtract(net: Network, excluded: list[Network]) -> list[Network]:
    pieces = [net]
    for ex in excluded:
        if ex.version != net.version:
            continue
        next_pieces: list[Network] = []
        for piece in pieces:
            if piece.subnet_of(ex):  # type: ignore[arg-type]
                continue
            if ex.subnet_of(piece):  # type: ignore[arg-type]
                next_pieces.extend(piece.address_exclude(ex))  # type: ignore[arg-type]
            else:
                next_pieces.append(piece)
        pieces = next_pieces
    return sorted(pieces)


def apply_exclusions(targets: list[Any], excluded: list[Network]) -> list[Any]:
    """*targets* without the excluded addresses: networks are split around them,
    addresses and endpoints dropped, small octet patterns expanded and filtered.
    Names are kept (they are excluded by address after resolution by nmap; here they
    are scanned)."""
    if not excluded:
        return targets

    def hit(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address in ex for ex in excluded)

    out: list[Any] = []
    for t in targets:
        if isinstance(t, Endpoint):
            if t.ip is None or not hit(t.ip):
                out.append(t)
            continue
        text = t.strip()
        pattern = _Pattern.parse(text)
        if pattern is not None:
            if len(pattern) > EXPAND_LIMIT:
                raise InvalidTargetError(
                    text, f"exclusions apply to patterns of at most {EXPAND_LIMIT} "
                    "addresses; write the target as networks"
                )
            out.extend(str(a) for a in pattern if not hit(a))
            continue
        if "/" in text:
            try:
                net = ipaddress.ip_network(text, strict=False)
            except ValueError:
                out.append(t)
                continue
            out.extend(_subtract(net, excluded))
            continue
        try:
            address = ipaddress.ip_address(text.strip("[]"))
        except ValueError:
            out.append(t)
            continue
        if not hit(address):
            out.append(t)
    return out
