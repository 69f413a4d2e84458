"""portkit's value types: port sets, protocol-qualified specs and endpoints.

Everything here is a frozen attrs class: immutable, hashable, validated at
construction. Lenient input (text) goes through the named constructors (``parse``);
the plain constructors are strict. This module does no I/O and never imports anyio.

It builds on :mod:`portkit._protocols` (:class:`Protocol`) and :mod:`portkit._ranges`
(ports, :class:`PortRange`, :class:`PortClass` and the range algebra), which it
re-exports, and on the spec grammar in :mod:`portkit._spec`. It never imports the
registry: a spec's service names are resolved by the registry the caller passes, or
by the default one, which :mod:`portkit._spec` is told about by the package.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import attrs

from ._protocols import Protocol
from ._ranges import (
    _CLASS_RANGES,
    MAX_PORT,
    PortClass,
    PortLike,
    PortRange,
    _Bounds,
    _class_of,
    _collapse,
    _intersect,
    _range,
    _subtract,
    check_port,
)
from ._spec import NameResolver, parse_portset, parse_portspec
from .exceptions import (
    InvalidEndpointError,
    InvalidPortError,
    InvalidSpecError,
    UnknownProtocolError,
)

__all__ = [
    "MAX_PORT",
    "URL_SCHEME_PORTS",
    "_CLASS_RANGES",
    "Endpoint",
    "PortClass",
    "PortLike",
    "PortRange",
    "PortSet",
    "PortSpec",
    "Protocol",
    "_class_of",
    "_collapse",
    "_intersect",
    "_range",
    "_subtract",
    "check_port",
]


def _check_iterable(items: object) -> None:
    """Refuse a lone port (``PortSet(22)``) or anything else that is not iterable."""
    if not isinstance(items, Iterable):
        one = isinstance(items, int) and not isinstance(items, bool)
        hint = f"PortSet([{items}]) holds port {items}; " if one else ""
        raise InvalidSpecError(
            items,
            f"PortSet() takes an iterable of ports and PortRanges (got "
            f"{type(items).__name__}): {hint}PortSet.parse() reads text",
        )


def _bounds_of(items: Iterable[PortLike]) -> list[_Bounds]:
    """Validate *items* (ports and ranges) and return their (first, last) pairs."""
    if isinstance(items, (str, bytes)):
        raise InvalidPortError(
            items, "PortSet() takes ports and PortRanges; parse text with PortSet.parse()"
        )
    if isinstance(items, PortSet):
        return [(r.first, r.last) for r in items.ranges]
    if isinstance(items, PortRange):
        return [(items.first, items.last)]
    _check_iterable(items)
    if isinstance(items, range) and items.step == 1:
        if not items:
            return []
        return [(check_port(items.start), check_port(items.stop - 1))]
    bounds: list[_Bounds] = []
    append = bounds.append
    for item in items:
        if item.__class__ is int and 0 <= item <= MAX_PORT:
            append((item, item))
        elif isinstance(item, PortRange):
            append((item.first, item.last))
        else:
            port = check_port(item)
            append((port, port))
    return bounds


def _to_ranges(items: Iterable[PortLike]) -> tuple[PortRange, ...]:
    if isinstance(items, PortSet):
        return items.ranges
    return _collapse(_bounds_of(items))


@attrs.frozen(repr=False, eq=True, order=False)
class PortSet:
    """An immutable set of ports, held as sorted, disjoint, non-adjacent ranges.

    A ``PortSet`` of all 65,536 ports costs one range, not 65,536 ints. It supports
    the operators of :class:`frozenset` (``| & - ^``, ``<=``, ``in``, ``len``) and
    iterates in ascending order.

    >>> web = PortSet.parse("80,443,8000-8100")
    >>> 8080 in web, len(web)
    (True, 103)
    >>> str(web | PortSet([22]))
    '22,80,443,8000-8100'
    >>> PortSet(range(1, 1025)).ranges
    (PortRange(1, 1024),)

    Attributes:
        ranges: The collapsed ranges, ascending. The constructor takes any iterable of
            ports and :class:`PortRange` objects and collapses them.
    """

    ranges: tuple[PortRange, ...] = attrs.field(default=(), converter=_to_ranges)

    @classmethod
    def parse(cls, spec: str, *, registry: NameResolver | None = None) -> PortSet:
        """Parse a port list in the syntax nmap's ``-p`` made familiar.

        ``"22,80,443"``, ``"1-1024"``, open ends ``"-1024"`` (1-1024) and ``"60000-"``
        (60000-65535), ``"-"`` (1-65535), service names (``"ssh,http"``); blanks
        around items are ignored. Ports are ASCII digits.

        A spec with protocol qualifiers (``"T:22,U:53"``) keeps each protocol's ports
        apart, which one set cannot: parse it with :meth:`PortSpec.parse`.

        Parsing reads no file: names are resolved by *registry*, or by the default
        registry (the bundled data, see :func:`portkit.registries.default`).

        >>> from portkit.registries import Registry
        >>> PortSet.parse("ssh,http", registry=Registry.bundled())
        PortSet.parse('22,80')

        Args:
            spec: The port list.
            registry: The :class:`~portkit.registries.Registry` that resolves
                service names; the default registry when None.

        Raises:
            InvalidSpecError: *spec* breaks the syntax or names an unknown service;
                the message names the item.
            InvalidOptionError: *registry* is not a registry.

        .. versionchanged:: 0.2
           The *registry* argument.
        """
        return _set(parse_portset(spec, registry))

    @classmethod
    def all(cls) -> PortSet:
        """Every port, 0-65535."""
        return _ALL

    @functools.cached_property
    def _index(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The first and the last port of every range, for bisection."""
        return tuple(r.first for r in self.ranges), tuple(r.last for r in self.ranges)

    def __contains__(self, port: object) -> bool:
        if not isinstance(port, int):
            return False
        firsts, lasts = self._index
        i = bisect_right(firsts, port)
        return i > 0 and port <= lasts[i - 1]

    def __len__(self) -> int:
        return sum(r.last - r.first + 1 for r in self.ranges)

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def __iter__(self) -> Iterator[int]:
        for r in self.ranges:
            yield from range(r.first, r.last + 1)

    def __reversed__(self) -> Iterator[int]:
        for r in reversed(self.ranges):
            yield from range(r.last, r.first - 1, -1)

    def __str__(self) -> str:
        return ",".join(map(str, self.ranges))

    def __repr__(self) -> str:
        if not self.ranges:
            return "PortSet()"
        return f"PortSet.parse({str(self)!r})"

    # -- set algebra ------------------------------------------------------------------
    # Each operation walks both sorted range lists once: O(n + m) in ranges, whatever
    # the number of ports.

    def union(self, *others: Iterable[PortLike]) -> PortSet:
        """The ports in this set or in any of *others*."""
        bounds = [(r.first, r.last) for r in self.ranges]
        for other in others:
            bounds.extend(_bounds_of(other))
        return _set(_collapse(bounds))

    def intersection(self, *others: Iterable[PortLike]) -> PortSet:
        """The ports in this set and in every one of *others*."""
        result = self.ranges
        for other in others:
            result = _intersect(result, _to_ranges(other))
        return _set(result)

    def difference(self, *others: Iterable[PortLike]) -> PortSet:
        """The ports in this set and in none of *others*."""
        result = self.ranges
        for other in others:
            result = _subtract(result, _to_ranges(other))
        return _set(result)

    def symmetric_difference(self, other: Iterable[PortLike]) -> PortSet:
        """The ports in exactly one of this set and *other*."""
        theirs = _to_ranges(other)
        both = _intersect(self.ranges, theirs)
        either = _collapse([(r.first, r.last) for r in self.ranges + theirs])
        return _set(_subtract(either, both))

    def complement(self) -> PortSet:
        """Every port 0-65535 that is not in this set (also ``~s``)."""
        return _set(_subtract(_ALL.ranges, self.ranges))

    def isdisjoint(self, other: Iterable[PortLike]) -> bool:
        """True when this set and *other* share no port."""
        return not _intersect(self.ranges, _to_ranges(other))

    def issubset(self, other: Iterable[PortLike]) -> bool:
        """True when every port of this set is in *other*."""
        return not _subtract(self.ranges, _to_ranges(other))

    def issuperset(self, other: Iterable[PortLike]) -> bool:
        """True when every port of *other* is in this set."""
        return not _subtract(_to_ranges(other), self.ranges)

    def __or__(self, other: object) -> PortSet:
        return self.union(other) if isinstance(other, PortSet) else NotImplemented

    def __and__(self, other: object) -> PortSet:
        return self.intersection(other) if isinstance(other, PortSet) else NotImplemented

    def __sub__(self, other: object) -> PortSet:
        return self.difference(other) if isinstance(other, PortSet) else NotImplemented

    def __xor__(self, other: object) -> PortSet:
        if isinstance(other, PortSet):
            return self.symmetric_difference(other)
        return NotImplemented

    def __invert__(self) -> PortSet:
        return self.complement()

    def __le__(self, other: object) -> bool:
        return self.issubset(other) if isinstance(other, PortSet) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.issuperset(other) if isinstance(other, PortSet) else NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, PortSet):
            return self != other and self.issubset(other)
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, PortSet):
            return self != other and self.issuperset(other)
        return NotImplemented


def _set(ranges: tuple[PortRange, ...]) -> PortSet:
    """Build a :class:`PortSet` from ranges already collapsed."""
    new = object.__new__(PortSet)
    object.__setattr__(new, "ranges", ranges)
    return new


_ALL = _set((_range(0, MAX_PORT),))


def _spec_entries(
    value: Iterable[tuple[Protocol | str, Iterable[PortLike]]] | dict[Any, Any],
) -> tuple[tuple[Protocol, PortSet], ...]:
    pairs = value.items() if isinstance(value, dict) else value
    merged: dict[Protocol, PortSet] = {}
    for proto, items in pairs:
        protocol = Protocol.parse(proto)
        ports = items if isinstance(items, PortSet) else PortSet(items)
        merged[protocol] = merged[protocol] | ports if protocol in merged else ports
    order = list(Protocol)
    return tuple(
        (p, merged[p]) for p in sorted(merged, key=order.index) if merged[p]
    )


@attrs.frozen(repr=False)
class PortSpec:
    """Ports kept apart by protocol: what a spec such as ``"T:22,80,U:53"`` means.

    Qualifiers ``T:``, ``U:``, ``S:`` (as in nmap) and ``D:`` (dccp) apply to the
    items after them; items before any qualifier belong to the default protocol.

    >>> spec = PortSpec.parse("T:22,80,U:53")
    >>> spec[Protocol.TCP], spec[Protocol.UDP]
    (PortSet.parse('22,80'), PortSet.parse('53'))
    >>> str(spec), len(spec)
    ('T:22,80,U:53', 3)
    >>> spec.get("sctp")
    PortSet()

    Attributes:
        entries: ``(protocol, ports)`` pairs in protocol order, one per protocol that
            has any ports. The constructor also takes a mapping from protocol (or its
            name) to ports.
    """

    entries: tuple[tuple[Protocol, PortSet], ...] = attrs.field(
        default=(), converter=_spec_entries
    )

    @classmethod
    def parse(
        cls,
        spec: str,
        *,
        default: Protocol | str = Protocol.TCP,
        registry: NameResolver | None = None,
    ) -> PortSpec:
        """Parse a port list with optional protocol qualifiers.

        Args:
            spec: For instance ``"22,80"``, ``"T:1-1024,U:53,161"`` or ``"U:domain"``.
            default: The protocol of items that come before any qualifier.
            registry: The :class:`~portkit.registries.Registry` that resolves
                service names; the default registry when None. Parsing reads no file.

        Raises:
            InvalidSpecError: *spec* breaks the syntax (an empty qualifier such as
                ``"T:"`` included) or names an unknown service.
            InvalidOptionError: *registry* is not a registry.

        .. versionchanged:: 0.2
           The *registry* argument.
        """
        found = parse_portspec(spec, Protocol.parse(default), registry)
        return _spec_from(found)

    def get(self, protocol: Protocol | str) -> PortSet:
        """The ports of *protocol*, empty when it has none."""
        protocol = Protocol.parse(protocol)
        for proto, ports in self.entries:
            if proto is protocol:
                return ports
        return _EMPTY

    def __getitem__(self, protocol: Protocol | str) -> PortSet:
        return self.get(protocol)

    @property
    def protocols(self) -> tuple[Protocol, ...]:
        """The protocols that have ports, in protocol order."""
        return tuple(p for p, _ in self.entries)

    def pairs(self) -> Iterator[tuple[Protocol, int]]:
        """Every ``(protocol, port)`` pair, by protocol then port."""
        for proto, ports in self.entries:
            for port in ports:
                yield proto, port

    def __len__(self) -> int:
        return sum(len(ports) for _, ports in self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, tuple) and len(item) == 2:
            proto, port = item
            try:
                return port in self.get(proto)
            except UnknownProtocolError:
                return False
        return False

    def __str__(self) -> str:
        return ",".join(f"{p.letter}:{ports}" for p, ports in self.entries)

    def __repr__(self) -> str:
        return f"PortSpec.parse({str(self)!r})" if self.entries else "PortSpec()"


_EMPTY = _set(())


def _spec_from(found: dict[Protocol, tuple[PortRange, ...]]) -> PortSpec:
    """Build a :class:`PortSpec` from each protocol's collapsed ranges."""
    order = list(Protocol)
    entries = tuple(
        (p, _set(found[p])) for p in sorted(found, key=order.index) if found[p]
    )
    new = object.__new__(PortSpec)
    object.__setattr__(new, "entries", entries)
    return new

# Default ports of URL schemes, for Endpoint.parse. Schemes named in IANA's URI scheme
# registry or in common use, mapped to the port their specifications give.
URL_SCHEME_PORTS: dict[str, int] = {
    "amqp": 5672,
    "amqps": 5671,
    "dns": 53,
    "ftp": 21,
    "ftps": 990,
    "git": 9418,
    "gopher": 70,
    "http": 80,
    "https": 443,
    "imap": 143,
    "imaps": 993,
    "irc": 6667,
    "ircs": 6697,
    "kafka": 9092,
    "ldap": 389,
    "ldaps": 636,
    "memcached": 11211,
    "mongodb": 27017,
    "mqtt": 1883,
    "mqtts": 8883,
    "mysql": 3306,
    "nats": 4222,
    "nntp": 119,
    "pop3": 110,
    "pop3s": 995,
    "postgres": 5432,
    "postgresql": 5432,
    "rdp": 3389,
    "redis": 6379,
    "rediss": 6379,
    "rsync": 873,
    "rtsp": 554,
    "sftp": 22,
    "sip": 5060,
    "sips": 5061,
    "smb": 445,
    "smtp": 25,
    "smtps": 465,
    "ssh": 22,
    "submission": 587,
    "telnet": 23,
    "vnc": 5900,
    "ws": 80,
    "wss": 443,
    "xmpp": 5222,
}

_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)\Z")
_MAX_HOST = 253


#: An IPv6 zone (``fe80::1%eth0``): an interface name or index. Interface names are at
#: most 15 characters on Linux, 256 on Windows' friendly names but those are not zones.
_ZONE = re.compile(r"[A-Za-z0-9_.-]{1,64}\Z")
_ZONE_RULE = "an IPv6 zone (after '%') is 1-64 ASCII letters, digits, '_', '.' or '-'"


def _check_zone(value: str) -> None:
    """Refuse a zone that could not name an interface (NUL, newline, ']', 2,000 chars)."""
    address, percent, zone = value.partition("%")
    if percent and (":" not in address or not _ZONE.match(zone)):
        raise InvalidEndpointError(value, _ZONE_RULE)


def _normalize_host(value: object) -> str:
    """Validate a host name or IP literal and return its canonical text."""
    if not isinstance(value, str):
        raise InvalidEndpointError(value, "host must be a str")
    if not value:
        raise InvalidEndpointError(value, "host must not be empty")
    if ":" in value or value[0].isdigit() or value[-1].isdigit():
        _check_zone(value)
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            if ":" in value:
                raise InvalidEndpointError(value, "not a valid IPv6 address") from None
    host = value.lower()
    name = host[:-1] if host.endswith(".") else host
    if len(name) > _MAX_HOST:
        raise InvalidEndpointError(value, f"a host name has at most {_MAX_HOST} characters")
    labels = name.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise InvalidEndpointError(
            value,
            "a host name is dot-separated labels of 1-63 letters, digits, '-' or '_', "
            "not starting or ending with '-'",
        )
    if labels[-1].isdigit():
        raise InvalidEndpointError(value, "not a valid IPv4 address or host name")
    return host


def _protocol(value: Protocol | str) -> Protocol:
    return Protocol.parse(value)


def _endpoint_port(value: object) -> int:
    return check_port(value, "an endpoint's port is an int from 0 to 65535")


_PROTOCOL_ORDER = {p: i for i, p in enumerate(Protocol)}


@attrs.frozen(kw_only=True, repr=False, order=False)
class Endpoint:
    """Where a service listens: a host, a port and a transport protocol.

    The constructor is strict but canonicalizes the host: names are lower-cased and
    IP literals written in their shortest form (``"::0001"`` becomes ``"::1"``).

    >>> Endpoint.parse("[::1]:8080")
    Endpoint.parse('[::1]:8080')
    >>> Endpoint.parse("https://example.com/login").port
    443
    >>> str(Endpoint(host="ns1.example", port=53, protocol=Protocol.UDP))
    'ns1.example:53/udp'

    Endpoints sort as :mod:`ipaddress` sorts addresses: IPv4 addresses numerically
    (``10.0.0.9`` before ``10.0.0.10``), then IPv6 addresses numerically, then host
    names alphabetically; then by port, then by protocol (tcp, udp, sctp, dccp):

    >>> texts = ["db:5432", "[::1]:80", "10.0.0.10:22", "10.0.0.9:22"]
    >>> [str(e) for e in sorted(map(Endpoint.parse, texts))]
    ['10.0.0.9:22', '10.0.0.10:22', '[::1]:80', 'db:5432']

    Attributes:
        host: A host name, an IPv4 address or an IPv6 address (no brackets; a zone
            after ``%`` is 1-64 letters, digits, ``_``, ``.`` or ``-``).
        port: The port number.
        protocol: The transport protocol, TCP unless given.

    .. versionchanged:: 0.2
       Addresses sort numerically, IPv4 before IPv6 before names; before, as text.
    """

    host: str = attrs.field(converter=_normalize_host)
    port: int = attrs.field(converter=_endpoint_port)
    protocol: Protocol = attrs.field(default=Protocol.TCP, converter=_protocol)

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        default_port: int | None = None,
        protocol: Protocol | str | None = None,
    ) -> Endpoint:
        """Parse ``host:port``, ``[v6]:port``, a URL, or a bare host with a default port.

        Also accepted: a ``/udp`` (``/tcp``, ``/sctp``, ``/dccp``) suffix, as ``str()``
        writes for protocols other than TCP. A URL's explicit port wins over its
        scheme's default port (``https`` 443, ``ssh`` 22, ...). A bare IPv6 address
        is rejected unless bracketed, since ``::1:80`` could mean either.

        Args:
            text: What to parse.
            default_port: The port of a bare host; without it a port is required.
            protocol: The protocol, when *text* does not name one; TCP by default.

        Raises:
            InvalidEndpointError: *text* does not parse; the message says why.
        """
        if not isinstance(text, str):
            raise InvalidEndpointError(text, "an endpoint is parsed from a str")
        raw = text.strip()
        if not raw:
            raise InvalidEndpointError(text, "an endpoint must not be empty")
        if len(raw) > 2048:
            raise InvalidEndpointError(text, "an endpoint has at most 2048 characters")
        proto = Protocol.TCP if protocol is None else Protocol.parse(protocol)
        if "://" in raw:
            host, port = _parse_url(text, raw)
        else:
            head, slash, tail = raw.rpartition("/")
            if slash:
                try:
                    proto = Protocol.parse(tail)
                except UnknownProtocolError:
                    raise InvalidEndpointError(
                        text, f"{tail!r} after '/' is not a protocol (tcp, udp, sctp, dccp)"
                    ) from None
                raw = head
            host, port = _split_host_port(text, raw)
        if port is None:
            if default_port is None:
                raise InvalidEndpointError(text, "no port given and no default_port")
            port = default_port
        return cls(host=host, port=port, protocol=proto)

    @functools.cached_property
    def _order(self) -> tuple[int, int, str, int, int]:
        """The sort key: address family (IPv4, IPv6, name), number, text, port, protocol.

        The text (the zone of an IPv6 address, a name) keeps the key apart wherever the
        fields differ, so that ordering agrees with equality.
        """
        ip = self.ip
        if ip is None:
            family, number, text = 2, 0, self.host
        elif ip.version == 4:
            family, number, text = 0, int(ip), ""
        else:
            family, number, text = 1, int(ip), self.host
        return family, number, text, self.port, _PROTOCOL_ORDER[self.protocol]

    def __lt__(self, other: object) -> bool:
        if other.__class__ is not Endpoint:
            return NotImplemented
        return self._order < other._order

    def __le__(self, other: object) -> bool:
        if other.__class__ is not Endpoint:
            return NotImplemented
        return self._order <= other._order

    def __gt__(self, other: object) -> bool:
        if other.__class__ is not Endpoint:
            return NotImplemented
        return self._order > other._order

    def __ge__(self, other: object) -> bool:
        if other.__class__ is not Endpoint:
            return NotImplemented
        return self._order >= other._order

    @property
    def ip(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        """The host as an IP address object, or None when it is a name."""
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None

    @property
    def is_ip(self) -> bool:
        """True when the host is an IP literal, not a name."""
        return self.ip is not None

    @property
    def port_class(self) -> PortClass:
        """The IANA class of the port."""
        return _class_of(self.port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        suffix = "" if self.protocol is Protocol.TCP else f"/{self.protocol}"
        return f"{host}:{self.port}{suffix}"

    def __repr__(self) -> str:
        return f"Endpoint.parse({str(self)!r})"

    def replace(self, **changes: Any) -> Endpoint:
        """A copy with the given fields changed (``host``, ``port``, ``protocol``)."""
        return attrs.evolve(self, **changes)


def _parse_port_text(text: str, port: str) -> int:
    if not port.isdigit() or not port.isascii() or len(port) > 5 or int(port) > MAX_PORT:
        raise InvalidEndpointError(text, f"port {port!r} is not a number from 0 to 65535")
    return int(port)


def _split_host_port(text: str, raw: str) -> tuple[str, int | None]:
    if raw.startswith("["):
        close = raw.find("]")
        if close < 0:
            raise InvalidEndpointError(text, "'[' without a closing ']'")
        host, rest = raw[1:close], raw[close + 1 :]
        if ":" not in host:
            raise InvalidEndpointError(text, "brackets are for IPv6 addresses only")
        if not rest:
            return host, None
        if not rest.startswith(":"):
            raise InvalidEndpointError(text, "expected ':port' after ']'")
        return host, _parse_port_text(text, rest[1:])
    colons = raw.count(":")
    if colons > 1:
        raise InvalidEndpointError(
            text, "an IPv6 address must be bracketed, as in [::1]:80 or [::1]"
        )
    if colons == 1:
        host, _, port = raw.partition(":")
        return host, _parse_port_text(text, port)
    return raw, None


def _parse_url(text: str, raw: str) -> tuple[str, int | None]:
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as e:
        raise InvalidEndpointError(text, f"not a valid URL ({e})") from None
    hostport = parts.netloc.rpartition("@")[2]
    port_text = hostport.rpartition("]")[2] if hostport.startswith("[") else hostport
    if port_text.count(":") == 1:
        _parse_port_text(text, port_text.partition(":")[2] or "0")  # ASCII digits only
    scheme = parts.scheme.lower()
    host = parts.hostname
    if not host:
        raise InvalidEndpointError(text, "the URL names no host")
    if "%25" in host:
        host = host.replace("%25", "%", 1)  # an IPv6 zone in a URL (RFC 6874)
    if port is None:
        port = URL_SCHEME_PORTS.get(scheme)
        if port is None:
            raise InvalidEndpointError(
                text, f"URL scheme {scheme!r} has no known default port; give one"
            )
    return host, port

