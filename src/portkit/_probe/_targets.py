"""Scan targets: parsing, name resolution, and the lazy space of (address, port) work.

A scan's work is the product of its targets' addresses and its ports. It is never
built as a list: :class:`WorkSpace` computes the i-th pair on demand, so a scan of a
``/8`` network or of a million pairs costs a few objects, whatever its size, and a
shuffled order is a bijection over pair indexes rather than a shuffled list.
"""

from __future__ import annotations

import ipaddress
import random
import socket
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from math import gcd

import anyio
import attrs

from portkit._models import Endpoint, PortSet, _normalize_host
from portkit.exceptions import InvalidEndpointError, InvalidOptionError, InvalidTargetError

__all__ = [
    "Block",
    "Family",
    "OctetPattern",
    "TargetLike",
    "WorkSpace",
    "parse_family",
    "parse_targets",
    "resolve",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: What :func:`portkit.scan` accepts as one target.
TargetLike = str | IPAddress | IPNetwork | Endpoint
#: What ``family=`` accepts.
Family = str | int | None

_FAMILIES = {
    "ipv4": (socket.AF_INET,),
    "ipv6": (socket.AF_INET6,),
    "both": (socket.AF_INET, socket.AF_INET6),
}


def parse_family(value: Family) -> tuple[int, ...] | None:
    """The address families a scan allows; None for "whatever the name gives first".

    Raises:
        InvalidOptionError: *value* is not ``"ipv4"``, ``"ipv6"``, ``"both"``,
            ``socket.AF_INET``, ``socket.AF_INET6``, ``socket.AF_UNSPEC`` or None.
    """
    if value is None:
        return None
    if isinstance(value, str) and value.lower() in _FAMILIES:
        return _FAMILIES[value.lower()]
    if isinstance(value, int) and not isinstance(value, bool):
        if value == socket.AF_INET:
            return _FAMILIES["ipv4"]
        if value == socket.AF_INET6:
            return _FAMILIES["ipv6"]
        if value == socket.AF_UNSPEC:
            return _FAMILIES["both"]
    raise InvalidOptionError(
        "family", value, "expected 'ipv4', 'ipv6', 'both', a socket.AF_* constant or None"
    )


@attrs.frozen
class Target:
    """One parsed target: a single address, a network, an octet pattern, or a name."""

    text: str
    address: IPAddress | None = None
    network: IPNetwork | None = None
    name: str | None = None
    port: int | None = None
    pattern: OctetPattern | None = None


_PATTERN_CHARS = frozenset("0123456789.-*,")


class OctetPattern(Sequence[ipaddress.IPv4Address]):
    """IPv4 addresses written nmap's way, octet by octet: ``10.0.0.1-20``, ``10.0.*.1``,
    ``192.0.2.1,3,5-7``; random access without expanding the product.

    Each octet is a number, ``*`` (0-255), a range ``a-b`` (``-b`` and ``a-`` run from 0 and
    to 255) or a comma list of these.
    """

    def __init__(self, octets: Sequence[Sequence[int]]) -> None:
        self.octets = [tuple(o) for o in octets]
        self._len = 1
        for values in self.octets:
            self._len *= len(values)

    @classmethod
    def parse(cls, text: str) -> OctetPattern | None:
        """The pattern of *text*, or None when *text* is not one (a plain address or a name).

        Raises:
            InvalidTargetError: *text* looks like a pattern but an octet is out of 0-255
                or a range runs backwards.
        """
        parts = text.split(".")
        if len(parts) != 4 or not set(text) <= _PATTERN_CHARS or not any(
            c in text for c in "-*,"
        ):
            return None
        octets = []
        for part in parts:
            values: set[int] = set()
            for item in part.split(","):
                if item == "*":
                    values.update(range(256))
                    continue
                low, dash, high = item.partition("-")
                if not (low or dash) or (low and not low.isdigit()) or (
                    high and not high.isdigit()
                ) or "*" in item or (dash and "-" in high):
                    raise InvalidTargetError(
                        text, "an octet is a number, '*', a range such as 1-20, or a comma "
                        "list of these"
                    )
                first = int(low) if low else 0
                last = (int(high) if high else 255) if dash else first
                if first > 255 or last > 255 or first > last:
                    raise InvalidTargetError(
                        text, "octets run from 0 to 255, and a range from low to high"
                    )
                values.update(range(first, last + 1))
            octets.append(sorted(values))
        return cls(octets)

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index: int) -> ipaddress.IPv4Address:  # type: ignore[override]
        if not 0 <= index < self._len:
            raise IndexError(index)
        value = 0
        shift = 24
        for values in reversed(self.octets):
            index, digit = divmod(index, len(values))
            value |= values[digit] << (24 - shift)
            shift -= 8
        return ipaddress.IPv4Address(value)

    def __iter__(self) -> Iterator[ipaddress.IPv4Address]:
        for i in range(self._len):
            yield self[i]

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, ipaddress.IPv4Address):
            return False
        packed = value.packed
        return all(b in set(o) for b, o in zip(packed, self.octets, strict=True))


def _parse_one(value: object) -> Target:
    if isinstance(value, Endpoint):
        ip = value.ip
        if ip is None:
            return Target(value.host, name=value.host, port=value.port)
        return Target(value.host, address=ip, port=value.port)
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return Target(str(value), address=value)
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return Target(str(value), network=value)
    if not isinstance(value, str):
        raise InvalidTargetError(
            value, "a target is a host name, an IP address, a network or an Endpoint"
        )
    text = value.strip()
    pattern = OctetPattern.parse(text)
    if pattern is not None:
        return Target(value, pattern=pattern)
    if "/" in text:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise InvalidTargetError(
                value, "a network is an address and a prefix length, as in 192.0.2.0/24"
            ) from None
        return Target(value, network=network)
    try:
        return Target(value, address=ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        pass
    try:
        name = _normalize_host(text)
    except InvalidEndpointError as e:
        raise InvalidTargetError(value, e.rule) from None
    return Target(value, name=name)


def parse_targets(targets: TargetLike | Iterable[TargetLike]) -> list[Target]:
    """Parse one target or an iterable of them (networks stay lazy).

    Raises:
        InvalidTargetError: a target is not a host name, address, network or endpoint.
    """
    if isinstance(
        targets,
        (str, Endpoint, ipaddress.IPv4Address, ipaddress.IPv6Address,
         ipaddress.IPv4Network, ipaddress.IPv6Network),
    ):
        return [_parse_one(targets)]
    if not isinstance(targets, Iterable):
        raise InvalidTargetError(
            targets, "targets are a target or an iterable of host names, addresses, "
            "networks and Endpoints"
        )
    return [_parse_one(t) for t in targets]


@attrs.frozen
class Block:
    """Resolved work for one target: its addresses (random access) and ports.

    ``addresses`` is a network (indexable, lazily) or a tuple of addresses; it is
    empty with *error* set when the name did not resolve.
    """

    text: str
    addresses: Sequence[IPAddress] | IPNetwork | OctetPattern
    count: int
    ports: Sequence[int]
    error: str | None = None


async def _lookup(name: str, families: tuple[int, ...] | None) -> list[IPAddress] | str:
    """The addresses to probe for *name*, or the resolver's error message."""
    try:
        infos = await anyio.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except OSError as e:  # socket.gaierror and kin
        return str(e) or type(e).__name__
    found: list[IPAddress] = []
    for family, _, _, _, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        fields: tuple[object, ...] = tuple(sockaddr)
        if family == socket.AF_INET6 and len(fields) > 3 and fields[3]:
            # A link-local address needs its interface: keep the resolver's scope id.
            address = ipaddress.IPv6Address(f"{address}%{fields[3]}")
        if families is None:
            return [address]
        if family in families and all(a.version != address.version for a in found):
            found.append(address)
    if not found:
        wanted = " or ".join("IPv4" if f == socket.AF_INET else "IPv6" for f in families or ())
        return f"{name} has no {wanted} address"
    return found


def _family_ok(version: int, families: tuple[int, ...] | None) -> bool:
    if families is None:
        return True
    return (socket.AF_INET if version == 4 else socket.AF_INET6) in families


async def resolve(
    targets: list[Target], ports: PortSet, families: tuple[int, ...] | None
) -> list[Block]:
    """Turn parsed targets into blocks, resolving each distinct name once.

    Names are resolved concurrently (at most 32 at a time). A name resolves to its
    first address (family None) or to its first address of each allowed family.
    Addresses and networks of a family that is not allowed are left out.
    """
    port_seq = _PortIndex(ports)
    names = {t.name for t in targets if t.name is not None}
    resolved: dict[str, list[IPAddress] | str] = {}
    if names:
        limiter = anyio.CapacityLimiter(32)

        async def lookup(name: str) -> None:
            async with limiter:
                resolved[name] = await _lookup(name, families)

        async with anyio.create_task_group() as tg:
            for name in sorted(names):
                tg.start_soon(lookup, name)

    blocks: list[Block] = []
    for target in targets:
        own: Sequence[int] = port_seq if target.port is None else (target.port,)
        if target.name is not None:
            found = resolved[target.name]
            if isinstance(found, str):
                blocks.append(Block(target.text, (), 1, own, error=found))
            else:
                blocks.append(Block(target.text, tuple(found), len(found), own))
        elif target.address is not None:
            if _family_ok(target.address.version, families):
                blocks.append(Block(target.text, (target.address,), 1, own))
        elif target.pattern is not None:
            if _family_ok(4, families):
                blocks.append(Block(target.text, target.pattern, len(target.pattern), own))
        elif target.network is not None and _family_ok(target.network.version, families):
            net = target.network
            blocks.append(Block(target.text, net, net.num_addresses, own))
    return [b for b in blocks if b.count and len(b.ports)]


class _PortIndex(Sequence[int]):
    """Random access to the n-th port of a :class:`PortSet`, without expanding it."""

    def __init__(self, ports: PortSet) -> None:
        self.ranges = self._ranges = [(r.first, r.last) for r in ports.ranges]
        starts = []
        total = 0
        for first, last in self._ranges:
            starts.append(total)
            total += last - first + 1
        self._starts = starts
        self._len = total

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index: int) -> int:  # type: ignore[override]
        i = bisect_right(self._starts, index) - 1
        return self._ranges[i][0] + index - self._starts[i]

    def __iter__(self) -> Iterator[int]:
        for first, last in self._ranges:
            yield from range(first, last + 1)


#: One unit of work: (target text, address text or None, family, port, error).
WorkItem = tuple[str, str, int, int, "str | None"]


class WorkSpace:
    """The (address, port) pairs of a scan, generated lazily, each exactly once.

    ``sequential`` goes target by target, address by address, port by port.
    ``shuffled`` visits the same pairs through a random affine bijection
    ``i -> (a * i + c) mod total`` (``a`` coprime to ``total``): hosts and ports
    interleave, nothing is materialized, and each pair still comes up exactly once.
    """

    def __init__(self, blocks: list[Block], order: str, seed: int | None = None) -> None:
        self.blocks = blocks
        self.order = order
        self.starts: list[int] = []
        total = 0
        for block in blocks:
            self.starts.append(total)
            total += block.count * len(block.ports)
        self.total = total
        # Small blocks keep their addresses as text; huge networks compute them.
        self._texts: list[list[tuple[str, int]] | None] = [
            [(str(a), _family_of(a)) for a in block.addresses]
            if block.error is None and block.count <= 4096
            else None
            for block in blocks
        ]
        rng = random.Random(seed)
        self._a, self._c = 1, 0
        if order == "shuffled" and total > 2:
            a = rng.randrange(1, total)
            while gcd(a, total) != 1:
                a = rng.randrange(1, total)
            self._a, self._c = a, rng.randrange(total)

    def __iter__(self) -> Iterator[WorkItem]:
        if self.order == "shuffled":
            return self._shuffled()
        return self._sequential()

    def _address(self, b: int, index: int) -> tuple[str, int]:
        texts = self._texts[b]
        if texts is not None:
            return texts[index]
        address = self.blocks[b].addresses[index]
        return str(address), _family_of(address)

    def _sequential(self) -> Iterator[WorkItem]:
        for b, block in enumerate(self.blocks):
            text, ports = block.text, block.ports
            if block.error is not None:
                for port in ports:
                    yield text, "", 0, port, block.error
                continue
            for i in range(block.count):
                addr, family = self._address(b, i)
                for port in ports:
                    yield text, addr, family, port, None

    def item(self, index: int) -> WorkItem:
        """The pair at *index* of the sequential order."""
        b = bisect_right(self.starts, index) - 1
        block = self.blocks[b]
        a, p = divmod(index - self.starts[b], len(block.ports))
        port = block.ports[p]
        if block.error is not None:
            return block.text, "", 0, port, block.error
        addr, family = self._address(b, a)
        return block.text, addr, family, port, None

    def _shuffled(self) -> Iterator[WorkItem]:
        a, c, total = self._a, self._c, self.total
        if len(self.blocks) == 1 and self._texts[0] is not None:
            # The common case (one host or a small network), without the lookups.
            block = self.blocks[0]
            text, ports, texts = block.text, block.ports, self._texts[0]
            nports = len(ports)
            simple = isinstance(ports, _PortIndex) and len(ports.ranges) == 1
            first = ports[0] if nports else 0
            index = c
            for _ in range(total):
                address, port_index = divmod(index, nports)
                addr, family = texts[address]
                port = first + port_index if simple else ports[port_index]
                yield text, addr, family, port, None
                index += a
                if index >= total:
                    index %= total
            return
        item = self.item
        for i in range(total):
            yield item((a * i + c) % total)


def _family_of(address: IPAddress) -> int:
    return socket.AF_INET if address.version == 4 else socket.AF_INET6


def check_order(order: str) -> str:
    """Validate the ``order=`` option."""
    if order not in ("sequential", "shuffled"):
        raise InvalidOptionError("order", order, "expected 'sequential' or 'shuffled'")
    return order
