"""Readers of registry files: IANA's CSV and the ``/etc/services`` format.

Both readers turn a file into :class:`Row` objects (one per line or CSV record), then
:func:`assemble` groups rows into :class:`Service` objects and status markers:

- Rows with a service name become services. Rows on the same port (or range) and
  protocol that IANA lists for the same service merge into one service whose first
  name is the primary and whose later names are aliases. Two rows are the same
  service when their descriptions agree (ignoring case, blanks and IANA's note that a
  name replaces an older spelling), when one row says it replaces the other's name, or
  when its notes call it a duplicate of the other ("www" of "http").
- Rows without a name ("Reserved", "Unassigned", ...) become markers, read by
  :meth:`Registry.status`.
- A row without a transport protocol (old IANA ranges such as ``active-net``) applies
  to both TCP and UDP, as IANA assigned ports to both before RFC 6335.

A malformed row becomes a :class:`RegistryFormatError` naming its line; the reader goes
on unless it was asked to be strict.

Bounds: every reader is linear in its input. A file over :data:`MAX_FILE_BYTES` or
:data:`MAX_ROWS` rows is refused as a whole, and a field over :data:`MAX_FIELD`
characters makes its row malformed; within these bounds a load's peak memory is
about 2 KB per row plus 20 times the file's size (IANA's 1.1 MB CSV: about 25 MB).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from portkit._protocols import Protocol
from portkit._ranges import MAX_PORT, PortRange, _range
from portkit.exceptions import RegistryFormatError

from ._model import PortStatus, Service, make_service

__all__ = [
    "IANA_COLUMNS",
    "MAX_FIELD",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "Marker",
    "Row",
    "assemble",
    "marker_status",
    "parse_references",
    "read_iana_csv",
    "read_services_file",
]

#: The columns of IANA's CSV, in IANA's order.
IANA_COLUMNS = (
    "Service Name",
    "Port Number",
    "Transport Protocol",
    "Description",
    "Assignee",
    "Contact",
    "Registration Date",
    "Modification Date",
    "Reference",
    "Service Code",
    "Unauthorized Use Reported",
    "Assignment Notes",
)
_REQUIRED = IANA_COLUMNS[:4]
#: The largest registry file a loader reads (IANA's CSV is about 1.1 MB).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: The most rows (records or lines with an entry) a loader reads; IANA has about 14,500.
MAX_ROWS = 200_000
#: The longest field, in characters (IANA's longest is about 1,500).
MAX_FIELD = 8192
_BOTH = (Protocol.TCP, Protocol.UDP)
_PROTOCOLS = {p.value: p for p in Protocol}

# (status, ports, protocol) of a row without a service name.
Marker = tuple[PortStatus, PortRange, Protocol]


class Row(NamedTuple):
    """One registry entry as read, before grouping."""

    line: int
    name: str
    first: int
    last: int
    protocols: tuple[Protocol, ...]
    description: str = ""
    references: tuple[str, ...] = ()
    notes: str = ""
    aliases: tuple[str, ...] = ()


def parse_ports(text: str) -> tuple[int, int]:
    """``"80"`` or ``"6665-6669"`` as (first, last); ValueError with the rule otherwise."""
    first_text, dash, last_text = text.strip().partition("-")
    if not dash:
        last_text = first_text
    first_text, last_text = first_text.strip(), last_text.strip()
    for part in (first_text, last_text):
        if not (part.isdigit() and part.isascii()) or len(part) > 5 or int(part) > MAX_PORT:
            raise ValueError(
                f"port {text!r} is not a port or range of ports from 0 to {MAX_PORT}"
            )
    first, last = int(first_text), int(last_text)
    if first > last:
        raise ValueError(f"port range {text!r} runs backwards")
    return first, last


def parse_protocols(text: str) -> tuple[Protocol, ...]:
    """``"tcp"`` (any case) as a 1-tuple; empty means TCP and UDP; ValueError otherwise."""
    folded = text.strip().lower()
    if not folded:
        return _BOTH
    try:
        return (_PROTOCOLS[folded],)
    except KeyError:
        raise ValueError(
            f"transport protocol {text!r} is not one of tcp, udp, sctp, dccp"
        ) from None


_BRACKETED = re.compile(r"\[([^\[\]]+)\]")


def parse_references(text: str) -> tuple[str, ...]:
    """IANA's ``"[RFC9110][RFC9112]"`` as ``("RFC9110", "RFC9112")``."""
    text = text.strip()
    if not text:
        return ()
    found = tuple(ref.strip() for ref in _BRACKETED.findall(text) if ref.strip())
    return found or (" ".join(text.split()),)


def marker_status(description: str) -> PortStatus:
    """The status of a row without a service name, from its description.

    "Reserved" and IANA's "any private ..." rows are reserved; "Unassigned",
    "De-registered", "Removed" and anything else are unassigned.
    """
    folded = description.strip().lower()
    if folded.startswith(("reserved", "any private")):
        return PortStatus.RESERVED
    return PortStatus.UNASSIGNED


# -- IANA CSV ----------------------------------------------------------------------------


def read_iana_csv(
    source: TextIO, path: str, *, strict: bool = False
) -> tuple[list[Row], list[RegistryFormatError], int]:
    """Read IANA's CSV from an open text file.

    Returns:
        The port-bearing rows, the problems found, and the number of records read
        (rows without a port, which name a service but assign nothing, included).

    Raises:
        RegistryFormatError: The header lacks a required column (always), or a row
            is malformed and *strict* is true.
    """
    reader = csv.reader(source)
    try:
        header = next(reader)
    except StopIteration:
        raise RegistryFormatError(
            path, 1, "the file is empty; expected IANA's CSV header"
        ) from None
    except csv.Error as e:
        raise RegistryFormatError(path, 1, f"not CSV ({e})") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise RegistryFormatError(
            path, 1, f"the header lacks the column(s) {', '.join(map(repr, missing))}; "
            f"expected IANA's columns {', '.join(IANA_COLUMNS)}"
        )
    where = {name: header.index(name) for name in IANA_COLUMNS if name in header}
    i_name, i_port, i_proto, i_desc = (where[c] for c in _REQUIRED)
    i_ref = where.get("Reference")
    i_notes = where.get("Assignment Notes")
    width = len(header)
    rows: list[Row] = []
    problems: list[RegistryFormatError] = []
    records = 0
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            problem = RegistryFormatError(path, line, f"not CSV ({e})")
            if strict:
                raise problem from None
            problems.append(problem)
            line = reader.line_num + 1
            continue
        start, line = line, reader.line_num + 1
        if not record:
            continue
        records += 1
        if records > MAX_ROWS:
            raise _too_many(path, start)
        try:
            longest = max(map(len, record))
            if longest > MAX_FIELD:
                raise ValueError(
                    f"a field of {longest:,} characters is over the bound of {MAX_FIELD:,}"
                )
            if len(record) != width:
                raise ValueError(f"expected {width} fields as in the header, found {len(record)}")
            port_text = record[i_port].strip()
            if not port_text:
                continue  # a service name registered without a port
            first, last = parse_ports(port_text)
            protocols = parse_protocols(record[i_proto])
            name = record[i_name].strip()
            if " " in name:
                raise ValueError(f"service name {name!r} contains a blank")
        except ValueError as e:
            problem = RegistryFormatError(path, start, str(e))
            if strict:
                raise problem from None
            problems.append(problem)
            continue
        rows.append(
            Row(
                start,
                name,
                first,
                last,
                protocols,
                record[i_desc],
                parse_references(record[i_ref]) if i_ref is not None else (),
                record[i_notes] if i_notes is not None else "",
            )
        )
    return rows, problems, records


def _too_many(path: str, line: int) -> RegistryFormatError:
    return RegistryFormatError(
        path, line, f"more than {MAX_ROWS:,} rows: over the bound of a registry file"
    )


def open_bounded(path: Path, **options: Any) -> TextIO:
    """*path* opened as text, after checking it is a regular file of at most
    :data:`MAX_FILE_BYTES`; every failure is a :class:`RegistryFormatError` (line 0).

    A FIFO or device is refused: reading one could wait forever or never end.
    """
    import os
    import stat

    try:
        f = path.open(**options)
    except OSError as e:
        raise RegistryFormatError(path, 0, f"cannot read it: {e.strerror or e}") from None
    try:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise RegistryFormatError(path, 0, "not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise RegistryFormatError(
                path, 0, f"{info.st_size:,} bytes is over the bound of {MAX_FILE_BYTES:,}"
            )
    except BaseException:
        f.close()
        raise
    return f  # type: ignore[no-any-return]


# -- /etc/services -----------------------------------------------------------------------


def read_services_file(
    source: Iterable[str], path: str, *, strict: bool = False
) -> tuple[list[Row], list[RegistryFormatError], int]:
    """Read the ``services(5)`` format: ``name port/protocol [aliases...] [# comment]``.

    Ranges (``6000-6063/tcp``) and merged protocols (``1/tcp/udp``, as Wireshark
    writes) are accepted too. The comment becomes the description.

    Returns:
        The rows, the problems found, and the number of entries read.

    Raises:
        RegistryFormatError: A line is malformed and *strict* is true.
    """
    rows: list[Row] = []
    problems: list[RegistryFormatError] = []
    entries = 0
    for number, raw in enumerate(source, 1):
        if len(raw) > MAX_FIELD:
            problem = RegistryFormatError(
                path, number,
                f"a line of {len(raw):,} characters is over the bound of {MAX_FIELD:,}",
            )
            if strict:
                raise problem
            problems.append(problem)
            continue
        text, _, comment = raw.partition("#")
        fields = text.split()
        if not fields:
            continue
        entries += 1
        if entries > MAX_ROWS:
            raise _too_many(path, number)
        try:
            if len(fields) < 2:
                raise ValueError(
                    f"expected 'name port/protocol [aliases...]', found {raw.strip()!r}"
                )
            name, where, *aliases = fields
            ports, slash, protos = where.partition("/")
            if not slash or not protos:
                raise ValueError(f"{where!r} is not port/protocol")
            first, last = parse_ports(ports)
            protocols = tuple(
                p for text in protos.split("/") for p in parse_protocols(text or "?")
            )
        except ValueError as e:
            problem = RegistryFormatError(path, number, str(e))
            if strict:
                raise problem from None
            problems.append(problem)
            continue
        rows.append(Row(number, name, first, last, protocols, comment.strip(), (), "",
                        tuple(aliases)))
    return rows, problems, entries


# -- grouping ----------------------------------------------------------------------------

# IANA's note that a name replaces an older spelling, at the end of a description.
# Found as a literal and the rest taken apart by hand: a pattern with blanks on both
# sides of the note is quadratic on a description made of blanks.
_REPLACES = re.compile(
    r"IANA assigned this well-formed service name as a replacement for", re.IGNORECASE
)
_DUPLICATE = re.compile(r'duplicate of the "([^"]+)" service', re.IGNORECASE)


def _clean(description: str) -> tuple[str, str | None]:
    """The description without IANA's replacement note, blanks collapsed; the name replaced."""
    replaced = None
    match = None
    for match in _REPLACES.finditer(description):  # noqa: B007 - the last one counts
        pass
    if match is not None:
        rest = description[match.end() :].strip()
        if rest.endswith("."):
            rest = rest[:-1].rstrip()
        rest = rest.removeprefix('"').removesuffix('"')
        if '"' not in rest:
            replaced = rest.strip() or None
            description = description[: match.start()]
    return " ".join(description.split()), replaced


class _Builder:
    __slots__ = (
        "description",
        "first",
        "folded",
        "key",
        "last",
        "names",
        "protocol",
        "references",
        "replaces",
        "seen",
        "seq",
    )

    def __init__(self, row: Row, protocol: Protocol, description: str,
                 replaced: str | None, seq: int) -> None:
        self.seq = seq
        self.names = [row.name, *(a for a in row.aliases if a != row.name)]
        self.first, self.last, self.protocol = row.first, row.last, protocol
        self.description = description
        self.key = description.lower().rstrip(".")
        self.references = list(row.references)
        self.seen = set(self.references)
        self.replaces = {replaced.lower()} if replaced else set()
        self.folded = {n.lower() for n in self.names}

    def matches(self, row: Row, key: str, replaced: str | None, duplicate: str | None) -> bool:
        return bool(
            (key and key == self.key)
            or row.name.lower() in self.replaces
            or (replaced and replaced.lower() in self.folded)
            or (duplicate and duplicate.lower() in self.folded)
        )

    def add(self, row: Row, description: str, replaced: str | None) -> tuple[str, ...]:
        """Merge *row*; return the folded names this builder did not have."""
        new = []
        for name in (row.name, *row.aliases):
            folded = name.lower()
            if folded not in self.folded:
                self.names.append(name)
                self.folded.add(folded)
                new.append(folded)
        if not self.description and description:
            self.description = description
        for ref in row.references:
            if ref not in self.seen:
                self.references.append(ref)
                self.seen.add(ref)
        if replaced:
            self.replaces.add(replaced.lower())
        return tuple(new)

    def build(self) -> Service:
        return make_service(
            self.names[0], tuple(self.names[1:]), _range(self.first, self.last),
            self.protocol, description=self.description, references=tuple(self.references),
        )


class _Group:
    """The services on one (first, last, protocol), indexed so that finding the one a
    row belongs to costs a few dictionary lookups, however many share the port.

    A row belongs to the first service (in creation order) whose description key
    equals the row's, whose replaced names hold the row's name, or whose names hold
    the name the row replaces or duplicates.
    """

    __slots__ = ("by_key", "by_name", "by_replaced")

    def __init__(self, builders: Iterable[_Builder]) -> None:
        self.by_key: dict[str, _Builder] = {}
        self.by_name: dict[str, _Builder] = {}
        self.by_replaced: dict[str, _Builder] = {}
        for builder in builders:
            self.note(builder, builder.folded, None)
            for replaced in builder.replaces:
                self._note(self.by_replaced, replaced, builder)

    @staticmethod
    def _note(table: dict[str, _Builder], key: str, builder: _Builder) -> None:
        found = table.get(key)
        if found is None or builder.seq < found.seq:
            table[key] = builder

    def find(self, row: Row, key: str, replaced: str | None,
             duplicate: str | None) -> _Builder | None:
        candidates = [
            self.by_key.get(key) if key else None,
            self.by_replaced.get(row.name.lower()),
            self.by_name.get(replaced.lower()) if replaced else None,
            self.by_name.get(duplicate.lower()) if duplicate else None,
        ]
        found = [c for c in candidates if c is not None]
        return min(found, key=lambda b: b.seq) if found else None

    def note(self, builder: _Builder, names: Iterable[str], replaced: str | None) -> None:
        if builder.key:
            self._note(self.by_key, builder.key, builder)
        for name in names:
            self._note(self.by_name, name, builder)
        if replaced:
            self._note(self.by_replaced, replaced.lower(), builder)


#: A port's services are compared one by one up to this many; beyond, they are indexed.
_SMALL_GROUP = 8


def assemble(rows: Iterable[Row]) -> tuple[list[Service], list[Marker]]:
    """Group rows into services (in the order of their first row) and markers.

    Linear in the number of rows: a row is compared with at most
    :data:`_SMALL_GROUP` services on its port, and a port with more has its services
    indexed, so that a row costs a few dictionary lookups.
    """
    groups: dict[tuple[int, int, Protocol], list[_Builder] | _Group] = {}
    order: list[_Builder] = []
    markers: list[Marker] = []
    for row in rows:
        if not row.name:
            status = marker_status(row.description)
            ports = _range(row.first, row.last)
            markers.extend((status, ports, protocol) for protocol in row.protocols)
            continue
        description, replaced = _clean(row.description)
        key = description.lower().rstrip(".")
        found = _DUPLICATE.search(row.notes)
        duplicate = found.group(1) if found else None
        for protocol in row.protocols:
            where = (row.first, row.last, protocol)
            group = groups.get(where)
            if group is None:
                group = groups[where] = []
            if isinstance(group, list):
                for builder in group:
                    if builder.matches(row, key, replaced, duplicate):
                        builder.add(row, description, replaced)
                        break
                else:
                    builder = _Builder(row, protocol, description, replaced, len(order))
                    order.append(builder)
                    group.append(builder)
                    if len(group) > _SMALL_GROUP:
                        groups[where] = _Group(group)
                continue
            match = group.find(row, key, replaced, duplicate)
            if match is not None:
                group.note(match, match.add(row, description, replaced), replaced)
            else:
                builder = _Builder(row, protocol, description, replaced, len(order))
                order.append(builder)
                group.note(builder, builder.folded, replaced)
    return [b.build() for b in order], markers


def iter_lines(path: Path) -> Iterator[str]:
    """The lines of a text file read as UTF-8 (undecodable bytes replaced), within
    the bounds of :func:`open_bounded`."""
    with open_bounded(path, encoding="utf-8", errors="replace") as f:
        yield from f
