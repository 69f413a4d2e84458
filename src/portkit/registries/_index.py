"""The :class:`Registry`: services indexed by port and by name."""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from portkit._protocols import Protocol
from portkit._ranges import MAX_PORT, PortRange, _range, check_port
from portkit.exceptions import RegistryFormatError, UnknownServiceError

from ._aliases import COMMON_NAMES
from ._model import PortStatus, Service
from ._terms import SEARCH_TERMS

__all__ = ["Registry"]

_PROTOCOLS = tuple(Protocol)
_STATUS_CODES = (PortStatus.UNASSIGNED, PortStatus.RESERVED, PortStatus.ASSIGNED)
_WORD = re.compile(r"[a-z0-9]+")
_UNRANKED = float("inf")


def _meaning(needle: str) -> dict[str, int]:
    """The service names a search word or phrase is known to mean, with their order."""
    names = SEARCH_TERMS.get(needle, ())
    found = {name.lower(): i for i, name in enumerate(names)}
    common = COMMON_NAMES.get(needle)
    if common is not None and common[0] is not None:
        found.setdefault(common[0], -1)
    return found


_RANKS: dict[int, float] = {}


def _common_ranks() -> dict[int, float]:
    """Port -> its best rank among portkit's top ports (TCP, then UDP): how usual a
    service on the port is. Computed once, on the first search."""
    if not _RANKS:
        from portkit.catalog import top_port_entries  # the catalog builds on the registry

        for protocol in ("tcp", "udp"):
            for entry in top_port_entries(protocol):
                _RANKS.setdefault(entry.port, entry.rank + (0 if protocol == "tcp" else 0.5))
    return _RANKS


def _per_protocol() -> dict[Any, Any]:
    """One inner dict per protocol, reachable by ``Protocol`` member and by its text."""
    tables: dict[Any, Any] = {}
    for protocol in _PROTOCOLS:
        inner: dict[Any, Any] = {}
        tables[protocol] = inner
        tables[protocol.value] = inner
    return tables


class Registry:
    """A port registry: which services use which ports, over TCP, UDP, SCTP and DCCP.

    :func:`portkit.registries.default` gives the default registry (IANA's, bundled with
    portkit, or with ``PORTKIT_REGISTRY=downloaded`` the copy that ``portkit registry
    update`` downloaded). Build others with the named constructors :meth:`bundled`,
    :meth:`downloaded`, :meth:`from_iana_csv` and :meth:`from_services_file`, or pass
    services to the constructor.

    Lookups go through dictionaries built once, when the registry is made, so each
    costs well under a microsecond.

    >>> import portkit
    >>> reg = portkit.registries.default()
    >>> reg.lookup(443)
    <Service https 443/tcp>
    >>> reg.port_of("postgres")
    5432

    Args:
        services: The assignments, in priority order: where several share a port and
            protocol, the first is the primary one that :meth:`lookup` returns (a
            single-port assignment always wins over a range).
        markers: ``(status, ports, protocol)`` for ports IANA marks reserved or
            unassigned without naming a service.
        provenance: Where the data comes from (see :attr:`provenance`).
        problems: Malformed rows that the loader skipped.

    ``len(registry)`` is the number of services; :attr:`all_services` lists them.

    .. versionadded:: 0.1
    """

    __slots__ = ("_all", "_markers", "_names", "_primary", "_problems", "_provenance",
                 "_search", "_services", "_status")

    def __init__(
        self,
        services: Iterable[Service] = (),
        *,
        markers: Iterable[tuple[PortStatus, PortRange, Protocol]] = (),
        provenance: Mapping[str, Any] | None = None,
        problems: Iterable[RegistryFormatError] = (),
    ) -> None:
        self._services = tuple(services)
        self._markers = tuple(markers)
        self._provenance: Mapping[str, Any] = types.MappingProxyType(
            dict(provenance or {"origin": "custom"})
        )
        self._problems = tuple(problems)
        self._all: dict[Any, Any] | None = None
        self._status: dict[Protocol, bytearray] | None = None
        self._search: list[tuple[Service, tuple[str, ...], str, frozenset[str]]] | None = None
        self._names: dict[Any, Any] | None = None
        primary = self._primary = _per_protocol()
        ranges = []
        for service in self._services:
            ports = service.ports
            if ports.first == ports.last:
                table = primary[service.protocol]
                if ports.first not in table:
                    table[ports.first] = service
            else:
                ranges.append(service)
        # A range gives the ports no earlier assignment holds: only the free ones
        # are visited (found in C in a bytearray), so the work is bounded by the
        # 65,536 ports per protocol however many ranges overlap.
        taken: dict[Protocol, bytearray] = {}
        for service in ranges:
            table = primary[service.protocol]
            flags = taken.get(service.protocol)
            if flags is None:
                flags = taken[service.protocol] = bytearray(MAX_PORT + 2)
                for port in table:
                    flags[port] = 1
            first, last = service.ports.first, service.ports.last
            port = flags.find(0, first, last + 1)
            while port != -1:
                end = flags.find(1, port, last + 1)
                end = last + 1 if end == -1 else end
                for free in range(port, end):
                    table[free] = service
                flags[port:end] = b"\x01" * (end - port)
                port = flags.find(0, end, last + 1)

    def _index_names(self) -> dict[Any, Any]:
        names = _per_protocol()
        for service in self._services:
            ports = service.ports
            table = names[service.protocol]
            for name in (service.name, *service.aliases):
                key = name.lower()
                found = table.get(key)
                if found is None:
                    table[key] = [ports]
                elif ports not in found:
                    found.append(ports)
        for common, (iana_name, port, protocols) in COMMON_NAMES.items():
            for text in protocols:
                table = names[text]
                if common in table:
                    continue
                if iana_name is None:
                    table[common] = [_range(port, port)]
                elif iana_name in table:
                    table[common] = table[iana_name]
        self._names = names
        return names

    # -- named constructors ------------------------------------------------------------

    @classmethod
    def bundled(cls) -> Registry:
        """The registry bundled with portkit, ignoring any downloaded update.

        Each call reads the data file again; :func:`portkit.registries.default` keeps one.
        """
        from ._data import load_bundled

        return load_bundled()

    @classmethod
    def downloaded(cls) -> Registry | None:
        """The copy of IANA's registry that ``portkit registry update`` downloaded.

        None when there is none. Each call reads the file again (about 0.2 s); its
        :attr:`provenance` has ``origin`` ``"cache"`` and the download's address, date
        and checksum. The default registry uses this copy only when the environment
        variable ``PORTKIT_REGISTRY`` is ``downloaded``.

        Raises:
            RegistryFormatError: The copy is not IANA's CSV.
            OSError: The copy cannot be read.

        .. versionadded:: 0.2
        """
        from ._data import load_downloaded

        return load_downloaded()

    @classmethod
    def from_iana_csv(cls, path: str | Path, strict: bool = False) -> Registry:
        """Load IANA's CSV (``service-names-port-numbers.csv``) from *path*.

        Every one of IANA's twelve columns may be present; the loader needs
        ``Service Name``, ``Port Number``, ``Transport Protocol`` and ``Description``
        and reads ``Reference`` and ``Assignment Notes`` when present. Quoted fields
        may span lines. Rows without a port (names registered for DNS-SD only) assign
        nothing and are counted in the provenance.

        Args:
            path: The CSV file.
            strict: Raise on the first malformed row instead of skipping it.

        Raises:
            RegistryFormatError: The header is not IANA's (always), or a row is
                malformed and *strict* is true. Its ``line`` says where. Also, with
                ``line`` 0, when the file cannot be read, is not a regular file, or
                is over the loaders' bounds (16 MiB, 200,000 rows).

        .. versionchanged:: 0.2
           An unreadable file is a RegistryFormatError (it was an OSError).
        """
        from ._loaders import assemble, open_bounded, read_iana_csv

        path = Path(path)
        with open_bounded(path, encoding="utf-8-sig", errors="replace", newline="") as f:
            rows, problems, records = read_iana_csv(f, str(path), strict=strict)
        services, markers = assemble(rows)
        provenance = {
            "origin": "file",
            "format": "iana-csv",
            "path": str(path),
            "records": records,
            "port_rows": len(rows),
            "services": len(services),
            "problems": len(problems),
        }
        return cls(services, markers=markers, provenance=provenance, problems=problems)

    @classmethod
    def from_services_file(cls, path: str | Path, strict: bool = False) -> Registry:
        """Load a file in the ``/etc/services`` format from *path*.

        Each line is ``name port/protocol [aliases...] [# comment]``; the comment
        becomes the description. Ranges (``6000-6063/tcp``) and several protocols on
        one line (``1/tcp/udp``) are accepted.

        Args:
            path: The file, for instance ``"/etc/services"``.
            strict: Raise on the first malformed line instead of skipping it.

        Raises:
            RegistryFormatError: A line is malformed and *strict* is true. Its
                ``line`` says where. Also, with ``line`` 0, when the file cannot be
                read (a missing file included), is not a regular file, or is over
                the loaders' bounds (16 MiB, 200,000 rows).

        .. versionchanged:: 0.2
           An unreadable file is a RegistryFormatError (it was an OSError).
        """
        from ._loaders import assemble, iter_lines, read_services_file

        path = Path(path)
        rows, problems, entries = read_services_file(iter_lines(path), str(path), strict=strict)
        services, markers = assemble(rows)
        provenance = {
            "origin": "file",
            "format": "services",
            "path": str(path),
            "records": entries,
            "port_rows": len(rows),
            "services": len(services),
            "problems": len(problems),
        }
        return cls(services, markers=markers, provenance=provenance, problems=problems)

    # -- what it holds -----------------------------------------------------------------

    @property
    def provenance(self) -> Mapping[str, Any]:
        """Where the data comes from, as a read-only JSON-style mapping.

        ``origin`` is ``"bundled"``, ``"cache"`` (downloaded by ``portkit registry
        update``), ``"file"`` or ``"custom"``. The bundled data adds its sources with
        their versions and row counts, and the date it was built.
        """
        return self._provenance

    @property
    def problems(self) -> tuple[RegistryFormatError, ...]:
        """The malformed rows the loader skipped, each naming its line."""
        return self._problems

    @property
    def all_services(self) -> tuple[Service, ...]:
        """Every assignment, in the registry's order."""
        return self._services

    def __len__(self) -> int:
        return len(self._services)

    def __repr__(self) -> str:
        origin = self._provenance.get("origin", "custom")
        return f"<Registry {origin}: {len(self._services)} services>"

    def _with_provenance(self, provenance: Mapping[str, Any]) -> Registry:
        """A copy sharing this registry's data and indices, with other provenance."""
        new = object.__new__(Registry)
        for slot in Registry.__slots__:
            object.__setattr__(new, slot, getattr(self, slot))
        new._provenance = types.MappingProxyType(dict(provenance))
        return new

    # -- lookups -----------------------------------------------------------------------

    def lookup(self, port: int, protocol: Protocol | str = "tcp") -> Service | None:
        """The primary service assigned *port* over *protocol*, or None.

        >>> import portkit
        >>> portkit.lookup(80), portkit.lookup(53, "udp")
        (<Service http 80/tcp>, <Service domain 53/udp>)

        Raises:
            InvalidPortError: *port* is not an int from 0 to 65535.
            UnknownProtocolError: *protocol* is not tcp, udp, sctp or dccp.
        """
        try:
            table = self._primary[protocol]
        except (KeyError, TypeError):
            table = self._primary[Protocol.parse(protocol)]
        if port.__class__ is not int or not 0 <= port <= MAX_PORT:
            port = check_port(port)
        return table.get(port)  # type: ignore[no-any-return]

    def services(
        self, port: int, protocol: Protocol | str | None = None
    ) -> tuple[Service, ...]:
        """Every assignment of *port*: over *protocol*, or over every protocol when None.

        The primary assignment of each protocol comes first, then the others (other
        names on the same port, ranges that hold it), protocols in the order tcp,
        udp, sctp, dccp.

        Raises:
            InvalidPortError: *port* is not an int from 0 to 65535.
            UnknownProtocolError: *protocol* is not tcp, udp, sctp or dccp.
        """
        port = check_port(port)
        if protocol is not None:
            return self._services_on(port, Protocol.parse(protocol))
        found: tuple[Service, ...] = ()
        for proto in _PROTOCOLS:
            found += self._services_on(port, proto)
        return found

    def _index_all(self) -> dict[Any, Any]:
        # Single ports by port; ranges kept whole (a port's ranges are found by a
        # scan of that protocol's ranges), so no range is expanded port by port.
        index: dict[Any, Any] = {}
        for protocol in _PROTOCOLS:
            index[protocol] = ({}, [])
        for position, service in enumerate(self._services):
            singles, ranges = index[service.protocol]
            ports = service.ports
            if ports.first == ports.last:
                singles.setdefault(ports.first, []).append((position, service))
            else:
                ranges.append((position, service))
        self._all = index
        return index

    def _services_on(self, port: int, protocol: Protocol) -> tuple[Service, ...]:
        index = self._all if self._all is not None else self._index_all()
        singles, ranges = index[protocol]
        found = list(singles.get(port, ()))
        inside = [(i, s) for i, s in ranges if s.ports.first <= port <= s.ports.last]
        if inside:
            found = sorted(found + inside, key=lambda item: item[0])
        if not found:
            return ()
        head = self._primary[protocol][port]
        return (head, *(s for _, s in found if s is not head))

    def port_of(self, name: str, protocol: Protocol | str = "tcp") -> int:
        """The port IANA assigns the service *name* over *protocol*.

        *name* may be any IANA name or alias, in any case, or a common name from a
        short curated table (``postgres``, ``mongo``, ``rdp``, ``dns``, ``smb``,
        ``elasticsearch``, ...). A name with a range assignment gives its first
        port; a name IANA assigns several ports gives the first in IANA's order.

        >>> import portkit
        >>> portkit.port_of("https"), portkit.port_of("DNS", "udp")
        (443, 53)

        Raises:
            UnknownServiceError: No port is known for *name* over *protocol*; its
                ``suggestions`` hold close matches.
            UnknownProtocolError: *protocol* is not tcp, udp, sctp or dccp.
        """
        return self._ranges_of(name, protocol)[0].first

    def ports_for_name(self, name: str, protocol: Protocol | str = "tcp") -> tuple[PortRange, ...]:
        """Every port range assigned the service *name* over *protocol*, in IANA's order.

        Port specs use this, so ``PortSet.parse("x11")`` is 6000-6063.

        Raises:
            UnknownServiceError: No port is known for *name* over *protocol*.
            UnknownProtocolError: *protocol* is not tcp, udp, sctp or dccp.
        """
        return tuple(self._ranges_of(name, protocol))

    def _ranges_of(self, name: str, protocol: Protocol | str) -> list[PortRange]:
        index = self._names if self._names is not None else self._index_names()
        try:
            table = index[protocol]
        except (KeyError, TypeError):
            table = index[Protocol.parse(protocol)]
        try:
            return table[name]  # type: ignore[no-any-return]
        except (KeyError, TypeError):
            pass
        if isinstance(name, str):
            found = table.get(name.strip().lower())
            if found is not None:
                return found  # type: ignore[no-any-return]
        raise UnknownServiceError(
            name, str(Protocol.parse(protocol)), self._suggest(name, table)
        )

    @staticmethod
    def _suggest(name: object, table: Mapping[str, object]) -> list[str]:
        if not isinstance(name, str) or not name.strip():
            return []
        import difflib

        return difflib.get_close_matches(name.strip().lower(), table.keys(), n=3, cutoff=0.75)

    def status(self, port: int, protocol: Protocol | str = "tcp") -> PortStatus:
        """Whether *port* over *protocol* is assigned, reserved or unassigned.

        A port is assigned when any service holds it (a single port or a range);
        otherwise IANA's markers decide ("Reserved" rows, and "any private ..." rows
        such as port 24, are reserved); a port no row mentions is unassigned.

        Raises:
            InvalidPortError: *port* is not an int from 0 to 65535.
            UnknownProtocolError: *protocol* is not tcp, udp, sctp or dccp.
        """
        port = check_port(port)
        protocol = Protocol.parse(protocol)
        maps = self._status if self._status is not None else self._index_status()
        return _STATUS_CODES[maps[protocol][port]]

    def _index_status(self) -> dict[Protocol, bytearray]:
        maps = {p: bytearray(MAX_PORT + 1) for p in _PROTOCOLS}
        ranged = [m for m in self._markers if m[1].first != m[1].last]
        single = [m for m in self._markers if m[1].first == m[1].last]
        # Later writes win: ranges (the first listed wins), then single ports, then
        # assignments, which beat any marker.
        for status, ports, protocol in [*reversed(ranged), *reversed(single)]:
            code = _STATUS_CODES.index(status)
            maps[protocol][ports.first : ports.last + 1] = bytes([code]) * len(ports)
        assigned = _STATUS_CODES.index(PortStatus.ASSIGNED)
        for service in self._services:
            ports = service.ports
            maps[service.protocol][ports.first : ports.last + 1] = bytes([assigned]) * len(ports)
        self._status = maps
        return maps

    def search(self, text: str, limit: int = 20) -> tuple[Service, ...]:
        """Services that match *text*, what people mean by it first.

        Ranking, best first: an exact name; the services a word or phrase is known to
        mean (``"mail"``: smtp, submission, imap, imaps, pop3, pop3s; ``"dns"``:
        domain; ``"vnc"``: rfb; ``"database"``: postgresql, mysql, ms-sql-s,
        mongodb, redis; ``"remote desktop"``: ms-wbt-server, rfb), and a common name's
        service (``"postgres"``); an exact alias; a name that starts with *text*;
        every word of *text* found in the names, the description's words or the
        services the word means; a name that contains *text*; last a description
        that contains it. Within each rank, services more worth checking
        (:func:`portkit.top_ports`' order) come first, then lower ports, then
        protocol order. Case and runs of blanks are ignored.

        >>> import portkit
        >>> portkit.search("ssh", limit=2)
        (<Service ssh 22/tcp>, <Service ssh 22/udp>)
        >>> [s.name for s in portkit.search("vnc", limit=1)]
        ['rfb']

        Args:
            text: What to look for; blank text matches nothing.
            limit: The most matches to return.
        """
        needle = " ".join(str(text).split()).lower()
        if not needle or limit <= 0:
            return ()
        entries = self._search if self._search is not None else self._index_search()
        ranks = _common_ranks()
        meant = _meaning(needle)
        words = _WORD.findall(needle)
        word_set = set(words)
        several = len(words) > 1
        word_meanings = [_meaning(w) for w in words] if several else []
        scored: list[tuple[int, int, float, int, int, int, Service]] = []
        for position, (service, names, description, desc_words) in enumerate(entries):
            order = 0
            name = names[0]
            if name == needle:
                score = 0
            elif name in meant:
                score, order = 1, meant[name]
            elif needle in names:
                score = 2
            elif any(n.startswith(needle) for n in names):
                score = 3
            elif (word_set <= desc_words and not several) or (several and all(
                w in desc_words or name in m or any(w in n for n in names)
                for w, m in zip(words, word_meanings, strict=True)
            )):
                score = 4
            elif any(needle in n for n in names):
                score = 5
            elif needle in description:
                score = 6
            else:
                continue
            port = service.ports.first
            rank = ranks.get(port, _UNRANKED)
            scored.append((score, order, rank, port, _PROTOCOLS.index(service.protocol),
                           position, service))
        scored.sort(key=lambda item: item[:6])
        return tuple(item[6] for item in scored[:limit])

    def _index_search(self) -> list[tuple[Service, tuple[str, ...], str, frozenset[str]]]:
        entries = []
        for service in self._services:
            description = service.description.lower()
            entries.append((
                service,
                tuple(n.lower() for n in service.names),
                description,
                frozenset(_WORD.findall(description)),
            ))
        self._search = entries
        return entries
