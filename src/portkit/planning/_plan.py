"""Scan plans and their shards: a fixed, seeded order over (address, port) pairs.

A :class:`Plan` is the address space (targets minus exclusions, names already
resolved, every address once) times a port set, and a seed. Its pairs are numbered
``0 .. total - 1`` in a canonical order (range by range, address by address, port by
port); the seed picks a permutation ``g -> (a * g + c) mod total`` (``a`` coprime to
``total``), and shard ``k`` of ``n`` takes the permuted positions ``k, k + n,
k + 2n, ...``. Shards are therefore disjoint and cover the plan exactly, whatever
``n`` and the seed, and two machines that build the same plan walk the same order.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import random
import socket
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from math import gcd
from pathlib import Path
from typing import Any

import attrs

from portkit._models import PortRange, PortSet, PortSpec, Protocol
from portkit._probe._targets import parse_family, parse_targets
from portkit.exceptions import InvalidOptionError, InvalidTargetError

__all__ = ["Plan", "Shard"]

_FORMAT = 1

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: What ``exclude=`` accepts: addresses, networks, and files listing them.
ExcludeLike = str | IPAddress | ipaddress.IPv4Network | ipaddress.IPv6Network | os.PathLike[str]


def _check_span(instance: Plan, attribute: attrs.Attribute[Any], value: Any) -> None:
    for span in value:
        ok = isinstance(span, tuple) and len(span) == 3
        if not (ok and all(isinstance(s, str) for s in span)):
            raise InvalidOptionError(
                "targets", span, "each target of a plan is (label, first, last) as text"
            )
        first, last = ipaddress.ip_address(span[1]), ipaddress.ip_address(span[2])
        if first.version != last.version or int(first) > int(last):
            raise InvalidOptionError("targets", span, "first <= last, of one address family")


def _check_seed(instance: Plan, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidOptionError("seed", value, "a seed is an int >= 0")


def _ports(value: PortSet | PortSpec | PortRange | str | int | Iterable[int]) -> PortSet:
    if isinstance(value, PortSet):
        return value
    if isinstance(value, PortSpec):
        return value.get(Protocol.TCP)
    if isinstance(value, str):
        return PortSpec.parse(value, default=Protocol.TCP).get(Protocol.TCP)
    if isinstance(value, (int, PortRange)):
        return PortSet([value])
    return PortSet(value)


def _exclusions(values: Iterable[ExcludeLike]) -> list[tuple[int, int, int]]:
    """(version, first, last) integer ranges of addresses to leave out."""
    found: list[tuple[int, int, int]] = []
    for value in values:
        if isinstance(value, os.PathLike):
            path = Path(value)
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as e:
                raise InvalidTargetError(
                    str(path), f"cannot read the exclusion file: {e}"
                ) from None
            entries = [line.split("#", 1)[0].strip() for line in lines]
            found += _exclusions(e for e in entries if e)
            continue
        try:
            network = ipaddress.ip_network(
                value if not isinstance(value, str) else value.strip(), strict=False
            )
        except (TypeError, ValueError):
            raise InvalidTargetError(
                value, "an exclusion is an IP address, a network, or a path to a file of them"
            ) from None
        found.append(
            (network.version, int(network.network_address), int(network.broadcast_address))
        )
    return found


def _subtract(lo: int, hi: int, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``[lo, hi]`` outside the sorted, disjoint ranges *taken*."""
    pieces = []
    start = lo
    i = max(0, bisect_right(taken, (lo, lo)) - 1)
    while i < len(taken) and start <= hi:
        t_lo, t_hi = taken[i]
        if t_hi < start:
            i += 1
            continue
        if t_lo > hi:
            break
        if t_lo > start:
            pieces.append((start, t_lo - 1))
        start = max(start, t_hi + 1)
        i += 1
    if start <= hi:
        pieces.append((start, hi))
    return pieces


def _merge(taken: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted([*taken, (lo, hi)]):
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _resolve(name: str, families: tuple[int, ...] | None) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except OSError as e:
        raise InvalidTargetError(name, f"the name does not resolve ({e})") from None
    found: list[IPAddress] = []
    for family, _, _, _, sockaddr in infos:
        if int(family) not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if families is None:
            return [address]
        if family in families and all(a.version != address.version for a in found):
            found.append(address)
    if not found:
        raise InvalidTargetError(name, "the name has no address of the family asked for")
    return found


def _spans(value: Iterable[Iterable[str]]) -> tuple[tuple[str, str, str], ...]:
    return tuple(tuple(t) for t in value)  # type: ignore[misc]  # checked by _check_span


def _texts(value: Iterable[object]) -> tuple[str, ...]:
    return tuple(map(str, value))


def _runs(values: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive runs of *values*, in their order, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for value in values:
        if runs and value == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def _default_seed(targets: tuple[tuple[str, str, str], ...], ports: PortSet) -> int:
    text = json.dumps([list(t) for t in targets]) + "|" + str(ports)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


@attrs.frozen(kw_only=True)
class Plan:
    """What a scan will probe, fixed in advance: addresses, ports, exclusions, a seed.

    Build one with :meth:`build`; save it with :meth:`to_json` (or pickle it) and load
    it with :meth:`from_json`, on any machine: the same plan gives the same order and
    the same shards everywhere.

    Attributes:
        targets: The address space, as ``(label, first, last)`` text triples:
            disjoint ranges of addresses (exclusions and duplicates taken out), each
            with the target it came from as given (the ``target`` of its results).
        ports: The TCP ports to probe on every address.
        seed: Picks the order of the pairs (and so the content of each shard).
        exclude: The exclusions as given, for the record (already applied).

    .. versionadded:: 0.2
    """

    targets: tuple[tuple[str, str, str], ...] = attrs.field(
        converter=_spans, validator=_check_span
    )
    ports: PortSet = attrs.field(converter=_ports)
    seed: int = attrs.field(validator=_check_seed)
    exclude: tuple[str, ...] = attrs.field(default=(), converter=_texts)

    @classmethod
    def build(
        cls,
        targets: str | Iterable[str | IPAddress | ipaddress.IPv4Network | ipaddress.IPv6Network],
        ports: PortSet | PortSpec | PortRange | str | int | Iterable[int],
        *,
        exclude: Iterable[ExcludeLike] = (),
        seed: int | None = None,
        family: str | int | None = None,
    ) -> Plan:
        """Resolve *targets* once and fix the plan.

        Args:
            targets: Host names, addresses and networks, as :func:`portkit.scan`
                takes them (endpoints excepted: a plan's ports are *ports*).
            ports: A :class:`~portkit.PortSet`, a spec such as ``"22,80,1000-2000"``,
                a port, or an iterable of ports (TCP).
            exclude: Addresses, networks, and :class:`os.PathLike` paths of files
                listing them (one a line, ``#`` comments), left out of the plan.
            seed: The order's seed; by default a hash of the targets and ports, so
                that the same plan built anywhere has the same order.
            family: As in :func:`portkit.scan`: which addresses of a name to take.

        Returns:
            The plan.

        Raises:
            InvalidTargetError: a target or an exclusion does not parse, is an
                endpoint, or a name does not resolve.
            InvalidSpecError: *ports* does not parse.
        """
        families = parse_family(family)
        portset = _ports(ports)
        excluded = _exclusions(exclude)
        taken: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for version, lo, hi in excluded:
            taken[version] = _merge(taken[version], lo, hi)
        spans: list[tuple[str, str, str]] = []
        for target in parse_targets(targets):
            if target.port is not None:
                raise InvalidTargetError(
                    target.text,
                    "a plan takes hosts, addresses and networks; its ports are separate",
                )
            ranges: list[tuple[int, int, int]] = []
            if target.name is not None:
                ranges = [(a.version, int(a), int(a)) for a in _resolve(target.name, families)]
            elif target.address is not None:
                a = target.address
                ranges = [(a.version, int(a), int(a))]
            elif target.network is not None:
                n = target.network
                ranges = [(n.version, int(n.network_address), int(n.broadcast_address))]
            elif target.pattern is not None:  # nmap's octet ranges, 10.0.0.1-20
                ranges = [(4, lo, hi) for lo, hi in _runs(int(a) for a in target.pattern)]
            for version, lo, hi in ranges:
                if families is not None and (
                    socket.AF_INET if version == 4 else socket.AF_INET6
                ) not in families:
                    continue
                make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
                for p_lo, p_hi in _subtract(lo, hi, taken[version]):
                    spans.append((target.text, str(make(p_lo)), str(make(p_hi))))
                taken[version] = _merge(taken[version], lo, hi)
        spans_t = tuple(spans)
        if seed is None:
            seed = _default_seed(spans_t, portset)
        return cls(
            targets=spans_t, ports=portset, seed=seed,
            exclude=[str(e) for e in exclude],
        )

    @property
    def addresses(self) -> int:
        """How many addresses the plan covers."""
        return sum(int(ipaddress.ip_address(last)) - int(ipaddress.ip_address(first)) + 1
                   for _, first, last in self.targets)

    @property
    def total(self) -> int:
        """How many (address, port) pairs the plan covers."""
        return self.addresses * len(self.ports)

    @property
    def fingerprint(self) -> str:
        """The plan's digest, of its targets, ports and seed (equal plans, equal digests)."""
        text = json.dumps([[list(t) for t in self.targets], str(self.ports), self.seed])
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def to_json(self) -> str:
        """The plan as JSON text (:meth:`from_json` reads it back)."""
        return json.dumps(self.to_dict(), sort_keys=True)

    def to_dict(self) -> dict[str, Any]:
        """The plan as a JSON-friendly dict."""
        return {
            "format": _FORMAT,
            "targets": [list(t) for t in self.targets],
            "ports": str(self.ports),
            "seed": self.seed,
            "exclude": list(self.exclude),
        }

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> Plan:
        """Load a plan that :meth:`to_json` wrote (text, or the parsed dict).

        Raises:
            InvalidOptionError: the text is not a plan of this format.
        """
        try:
            data = json.loads(text) if isinstance(text, str) else text
            if data.get("format") != _FORMAT:
                raise InvalidOptionError(
                    "plan", data.get("format"), f"plan format {_FORMAT} expected"
                )
            ports = PortSet.parse(data["ports"]) if data["ports"] else PortSet()
            return cls(
                targets=[tuple(t) for t in data["targets"]], ports=ports, seed=data["seed"],
                exclude=data.get("exclude", ()),
            )
        except InvalidOptionError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise InvalidOptionError("plan", _short(text), f"not a plan's JSON ({e})") from None

    def shard(self, index: int, count: int) -> Shard:
        """Shard *index* (from 0) of *count*.

        Raises:
            InvalidOptionError: not ``0 <= index < count``.
        """
        return Shard(plan=self, index=index, count=count)

    def shards(self, count: int) -> tuple[Shard, ...]:
        """All *count* shards: disjoint, together exactly the plan's pairs."""
        return tuple(Shard(plan=self, index=i, count=count) for i in range(count))

    def pairs(self) -> Iterator[tuple[str, str, int]]:
        """Every ``(label, address, port)`` of the plan, in the plan's order."""
        return self.shard(0, 1).pairs()

    def _index(self) -> _Index:
        return _index_of(self)


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) < 60 else text[:57] + "..."


def _check_shard(instance: Shard, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidOptionError(attribute.name, value, "shard numbers are ints")


@attrs.frozen(kw_only=True)
class Shard:
    """Shard *index* of *count* of a :class:`Plan`: every *count*-th pair of its order.

    Attributes:
        plan: The plan.
        index: Which shard, from 0.
        count: How many shards the plan is split into.

    .. versionadded:: 0.2
    """

    plan: Plan
    index: int = attrs.field(validator=_check_shard)
    count: int = attrs.field(validator=_check_shard)

    def __attrs_post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise InvalidOptionError(
                "shard", f"{self.index}/{self.count}", "shard I/N needs 0 <= I < N"
            )

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @classmethod
    def parse(cls, plan: Plan, text: str) -> Shard:
        """The shard ``"I/N"`` of *plan* (as the CLI's ``--shard I/N`` gives it).

        Raises:
            InvalidOptionError: *text* is not ``I/N`` with ``0 <= I < N``.
        """
        index, sep, count = text.partition("/")
        try:
            if not sep:
                raise ValueError
            numbers = int(index), int(count)
        except ValueError:
            raise InvalidOptionError("shard", text, "a shard is I/N, as in 0/4") from None
        return cls(plan=plan, index=numbers[0], count=numbers[1])

    @property
    def total(self) -> int:
        """How many pairs this shard holds."""
        total = self.plan.total
        return 0 if self.index >= total else (total - self.index + self.count - 1) // self.count

    def pairs(self, start: int = 0) -> Iterator[tuple[str, str, int]]:
        """The shard's ``(label, address, port)`` from its *start*-th on, in order."""
        index = self.plan._index()
        for position in range(start, self.total):
            yield index.pair(self.index + position * self.count)

    def pair(self, position: int) -> tuple[str, str, int]:
        """The shard's *position*-th pair as ``(label, address, port)``."""
        return self.plan._index().pair(self.index + position * self.count)


class _Index:
    """Random access to a plan's pairs in its seeded order."""

    def __init__(self, plan: Plan) -> None:
        self.ports: Sequence[int] = list(plan.ports)  # at most 65,536 ints
        nports = len(self.ports)
        self.labels = []
        self.firsts = []
        self.versions = []
        self.starts = []
        total = 0
        for label, first, last in plan.targets:
            lo, hi = ipaddress.ip_address(first), ipaddress.ip_address(last)
            self.labels.append(label)
            self.firsts.append(int(lo))
            self.versions.append(lo.version)
            self.starts.append(total)
            total += (int(hi) - int(lo) + 1) * nports
        self.total = total
        self.nports = nports
        self.a, self.c = 1, 0
        if total > 2:
            rng = random.Random(plan.seed)
            a = rng.randrange(1, total)
            while gcd(a, total) != 1:
                a = rng.randrange(1, total)
            self.a, self.c = a, rng.randrange(total)

    def pair(self, g: int) -> tuple[str, str, int]:
        i = (self.a * g + self.c) % self.total
        b = bisect_right(self.starts, i) - 1
        offset, p = divmod(i - self.starts[b], self.nports)
        value = self.firsts[b] + offset
        address = (
            ipaddress.IPv4Address(value) if self.versions[b] == 4 else ipaddress.IPv6Address(value)
        )
        return self.labels[b], str(address), self.ports[p]


_index_of = lru_cache(maxsize=8)(_Index)
