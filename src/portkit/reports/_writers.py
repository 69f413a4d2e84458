"""Report writers that stream: normal (the table), grepable, JSON lines and CSV.

Each writer takes results one at a time with :meth:`ReportWriter.add` and writes as
soon as it can: a line per result for JSON lines and CSV, a block per host once the
host is complete for the normal and grepable formats. :meth:`ReportWriter.close`
writes what is still held and the closing lines; it is what an interrupted scan
calls, so that partial output is whole lines and whole hosts.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterable
from typing import TextIO

from portkit import PortState, ProbeResult, Protocol, __version__

from ._fields import columns, escape, is_safe, record, registered, service_name
from ._hosts import HostGrouper, HostSummary

__all__ = [
    "CSV_FIELDS",
    "SCHEMA_VERSION",
    "CSVWriter",
    "GrepableWriter",
    "JSONLinesWriter",
    "NormalWriter",
    "ReportWriter",
]

# JSON's string encoder (C-accelerated), as json.dumps uses it with ensure_ascii.
_string = json.encoder.encode_basestring_ascii

#: The version of the JSON lines records' layout, in each record's ``schema`` field.
SCHEMA_VERSION = 1


_LISTED = (PortState.OPEN,)
_WANTED = (PortState.OPEN, PortState.OPEN_FILTERED)


class ReportWriter:
    """The shape every writer shares: :meth:`add` results, then :meth:`ReportWriter.close`.

    Args:
        file: Where to write (a text file; flushed by the caller).
        show_all: List every port, not only the open ones (normal and grepable
            formats), or write every result rather than only open ones
            (JSON lines and CSV with ``open_only``).
        expected: How many results the host of a result will have; lets the
            per-host formats write each host as soon as it is complete. None: every
            host is written by :meth:`ReportWriter.close`.

    .. versionadded:: 0.2
    """

    #: Where the report goes.
    file: TextIO
    #: Whether every port is listed.
    show_all: bool
    #: How many results the host of a result will have, when known.
    expected: Callable[[ProbeResult], int | None] | None
    #: True once :meth:`close` has run.
    closed: bool

    def __init__(
        self, file: TextIO, *, show_all: bool = False,
        expected: Callable[[ProbeResult], int | None] | None = None,
    ) -> None:
        """See the class's documentation for the arguments."""
        self.file = file
        self.show_all = show_all
        self.expected = expected
        self.closed = False

    def add(self, result: ProbeResult) -> None:
        """Take one result."""
        raise NotImplementedError

    def close(self, *, interrupted: bool = False) -> None:
        """Write what is still held and the closing lines; idempotent.

        Args:
            interrupted: The scan stopped before its end; hosts still held are
                written as incomplete.
        """
        self.closed = True

    def write_all(self, results: Iterable[ProbeResult]) -> None:
        """:meth:`add` every result, then :meth:`ReportWriter.close`."""
        try:
            for result in results:
                self.add(result)
        finally:
            self.close()


class _PerHost(ReportWriter):
    """A writer that reports host by host."""

    #: States whose ports are listed when a host has few of them.
    few: frozenset[PortState] = frozenset({PortState.OPEN_FILTERED})
    #: The per-host state.
    grouper: HostGrouper
    #: Hosts written so far.
    hosts: int
    #: When the report started (``time.time()``).
    started: float

    def __init__(
        self, file: TextIO, *, show_all: bool = False,
        expected: Callable[[ProbeResult], int | None] | None = None,
    ) -> None:
        """See :class:`ReportWriter`."""
        super().__init__(file, show_all=show_all, expected=expected)
        listed = None if show_all else _LISTED
        self.grouper = HostGrouper(
            (lambda r: True) if listed is None else (lambda r: r.state in listed), expected,
            self.few,
        )
        self.hosts = 0
        self.started = time.time()

    def add(self, result: ProbeResult) -> None:
        """Take one result; write its host if it was the host's last."""
        host = self.grouper.add(result)
        if host is not None:
            self.hosts += 1
            self.host(host)

    def host(self, host: HostSummary) -> None:
        """Write one complete (or, interrupted, partial) host."""
        raise NotImplementedError

    def close(self, *, interrupted: bool = False) -> None:
        """Write the hosts still held; see :meth:`ReportWriter.close`."""
        if self.closed:
            return
        for host in self.grouper.drain(complete=not interrupted):
            self.hosts += 1
            self.host(host)
        self.closed = True


def _rest_text(host: HostSummary) -> str:
    parts = [f"{n} {state} ports ({escape(reason)})" for (state, reason), n in
             sorted(host.rest.items(), key=lambda kv: (-kv[1], kv[0]))]
    return ", ".join(parts)


def _latency(result: ProbeResult) -> str:
    return "" if result.latency is None else f"{result.latency * 1000:.2f}ms"


_HEADERS = ("PORT", "STATE", "SERVICE", "REASON", "LATENCY", "PRODUCT", "VERSION", "TLS")
_STATE_TEXT = {state: state.value for state in PortState}
_PROTOCOL_TEXT = {protocol: protocol.value for protocol in Protocol}


def _table(listed: list[ProbeResult]) -> list[str]:
    """The lines of a host's table: a header, a row per listed port, columns aligned;
    the identification columns only when something fills them. Built for -p- --all:
    a few dict lookups and one check for unsafe text per row."""
    rows: list[tuple[str, ...]] = []
    identified = False
    for r in listed:
        protocol = _PROTOCOL_TEXT[r.protocol]
        latency = r.latency
        if r.details:
            service, product, version, tls = columns(r)
            identified = identified or bool(product or version or tls)
            if service == "?":  # not identified: the registered name, marked, as nmap does
                service = f"{registered(r.port, protocol)}?"
        else:
            service = product = version = tls = ""
        row: tuple[str, ...] = (
            f"{r.port}/{protocol}", _STATE_TEXT[r.state],
            service or registered(r.port, protocol) or "-", r.reason,
            "" if latency is None else f"{latency * 1000:.2f}ms", product, version, tls,
        )
        if not is_safe("".join(row)):
            row = tuple(escape(cell) for cell in row)
        rows.append(row)
    keep = [0, 1, 2, 3, 4]
    if identified:
        keep += [i for i in (5, 6, 7) if any(row[i] for row in rows)]
    columns_ = list(zip(*rows, strict=True))
    widths = [max(len(_HEADERS[i]), *map(len, columns_[i])) for i in keep]
    if keep == [0, 1, 2, 3, 4]:
        w0, w1, w2, w3, _ = widths
        lines = [f"{'PORT':<{w0}}  {'STATE':<{w1}}  {'SERVICE':<{w2}}  {'REASON':<{w3}}  LATENCY"]
        lines.extend(
            f"{row[0]:<{w0}}  {row[1]:<{w1}}  {row[2]:<{w2}}  {row[3]:<{w3}}  {row[4]}".rstrip()
            for row in rows
        )
        return lines
    last = len(keep) - 1
    lines = []
    for row in (tuple(_HEADERS), *rows):
        cells = [row[i].ljust(w) if n < last else row[i]
                 for n, (i, w) in enumerate(zip(keep, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return lines


class NormalWriter(_PerHost):
    """The human-readable report (``-oN``, and the table on screen).

    Per host: ``scan report for NAME``, a ``Not shown:`` line counting the ports not
    listed by (state, reason), and a table of the listed ports with their service
    and, when identified, product, version and TLS. Every text a peer chose is
    escaped (see :func:`escape`). The report ends with a line of totals.

    Args:
        hide_empty: Leave out hosts with nothing to list (counted at the end); for
            sweeps of many addresses.

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        file: TextIO,
        *,
        show_all: bool = False,
        expected: Callable[[ProbeResult], int | None] | None = None,
        hide_empty: bool = False,
    ) -> None:
        """See the class's documentation for the arguments."""
        super().__init__(file, show_all=show_all, expected=expected)
        self.hide_empty = hide_empty
        self.hidden = 0
        self._first = True

    #: Leave out hosts with nothing to list.
    hide_empty: bool
    #: Hosts left out so far.
    hidden: int

    def host(self, host: HostSummary) -> None:
        """Write one host's block: its name, the ports not shown, the table."""
        if self.hide_empty and not host.listed and host.complete:
            self.hidden += 1
            return
        lines = [] if self._first else [""]
        self._first = False
        if host.error is not None:
            lines.append(f"{escape(host.target)}: cannot resolve ({escape(host.error)})")
            self.file.write("\n".join(lines) + "\n")
            return
        lines.append(f"scan report for {escape(host.name)}")
        if not host.complete:
            lines.append(f"(scan interrupted after {host.scanned} port(s) of this host)")
        if host.rest:
            lines.append(f"Not shown: {_rest_text(host)}")
        if host.listed:
            lines.extend(_table(host.listed))
        elif not host.rest:
            lines.append("no ports scanned")
        self.file.write("\n".join(lines) + "\n")
        # A reader (a terminal, a pipe) sees each host as soon as it is done.
        self.file.flush()

    def close(self, *, interrupted: bool = False) -> None:
        """Write the hosts still held and the line of totals."""
        if self.closed:
            return
        super().close(interrupted=interrupted)
        states = self.grouper.states
        summary = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
        text = "" if self._first else "\n"
        text += f"{self.hosts} address(es), {self.grouper.results} port(s) scanned"
        if summary:
            text += f": {summary}"
        if self.hidden:
            text += f"; {self.hidden} address(es) with nothing open not shown"
        if interrupted:
            text += " (interrupted)"
        self.file.write(text + "\n")


def _grepable_field(text: str) -> str:
    # nmap's grepable output replaces its separators inside fields.
    return escape(text).replace("/", "|").replace(",", " ")


class GrepableWriter(_PerHost):
    """nmap's grepable format (``-oG``): one ``Host:`` line per host.

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        file: TextIO,
        *,
        show_all: bool = False,
        expected: Callable[[ProbeResult], int | None] | None = None,
        command: str = "portkit",
    ) -> None:
        """See the class's documentation; *command* is recorded in the first line."""
        super().__init__(file, show_all=show_all, expected=expected)
        self.up = 0
        stamp = time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(self.started))
        file.write(f"# portkit {__version__} scan initiated {stamp} as: {escape(command)}\n")

    #: Hosts that answered.
    up: int

    def host(self, host: HostSummary) -> None:
        """Write one host's ``Host:`` lines."""
        address = host.address or host.target
        hostname = host.hostname or ""
        head = f"Host: {escape(address)} ({escape(hostname)})"
        if host.error is not None:
            self.file.write(f"{head}\tStatus: Down\n")
            return
        self.up += host.is_up
        ports = []
        for r in host.listed:
            service, product, version, _ = columns(r)
            service = service or registered(r.port, r.protocol.value)
            info = " ".join(x for x in (product, version) if x)
            ports.append(
                f"{r.port}/{r.state.value}/{r.protocol.value}//{_grepable_field(service)}"
                f"//{_grepable_field(info)}/"
            )
        line = f"{head}\tStatus: {'Up' if host.is_up else 'Down'}\n{head}\tPorts: "
        line += ", ".join(ports)
        if host.rest:
            (state, _), _count = max(host.rest.items(), key=lambda kv: kv[1])
            ignored = sum(n for (s, _), n in host.rest.items() if s == state)
            line += f"\tIgnored State: {state} ({ignored})"
        self.file.write(line + "\n")

    def close(self, *, interrupted: bool = False) -> None:
        """Write the hosts still held and the closing comment."""
        if self.closed:
            return
        super().close(interrupted=interrupted)
        elapsed = time.time() - self.started
        stamp = time.strftime("%a %b %d %H:%M:%S %Y")
        self.file.write(
            f"# portkit done at {stamp} -- {self.hosts} IP address(es) ({self.up} host(s) up) "
            f"scanned in {elapsed:.2f} seconds{' (interrupted)' if interrupted else ''}\n"
        )


class _PerResult(ReportWriter):
    """A writer with a line per result; only open ones with *open_only*."""

    def __init__(
        self, file: TextIO, *, show_all: bool = False,
        expected: Callable[[ProbeResult], int | None] | None = None,
        open_only: bool = False,
    ) -> None:
        """See :class:`ReportWriter`; *open_only* writes only open results."""
        super().__init__(file, show_all=show_all, expected=expected)
        self.open_only = open_only and not show_all
        self._failed: set[str] = set()

    #: Write only open and open|filtered results.
    open_only: bool

    def wanted(self, result: ProbeResult) -> bool:
        """False for results left out: closed ones with *open_only*, and the repeats of
        a name that did not resolve (one result says it)."""
        if result.reason == "resolve-failed":
            if result.target in self._failed:
                return False
            self._failed.add(result.target)
            return True
        return not self.open_only or result.state in _WANTED


class JSONLinesWriter(_PerResult):
    """JSON lines (``-oJ``, ``--json``): one object per result.

    Each object is :meth:`portkit.ProbeResult.to_dict` with ``schema`` (:data:`SCHEMA_VERSION`)
    and ``service`` (the identified or registered service name, or null) added, and
    details as plain data. A name that did not resolve gives one object, not one per
    port. Strings are JSON-escaped, never raw control characters.

    .. versionadded:: 0.2
    """

    def add(self, result: ProbeResult) -> None:
        """Write *result* as one line, unless left out (see :meth:`wanted`)."""
        if not self.wanted(result):
            return
        # One write per line: an interruption never leaves half a record.
        if result.details:
            data = record(result)
            data["schema"] = SCHEMA_VERSION
            self.file.write(json.dumps(data, separators=(",", ":")) + "\n")
            return
        # Most results have no details: the same text as json.dumps, built directly.
        service = service_name(result)
        latency = "null" if result.latency is None else repr(float(result.latency))
        self.file.write(
            f'{{"target":{_string(result.target)},"address":{_string(result.address)},'
            f'"port":{result.port},"protocol":"{result.protocol.value}",'
            f'"state":"{result.state.value}","reason":{_string(result.reason)},'
            f'"latency":{latency},"attempts":{result.attempts},"details":{{}},'
            f'"service":{_string(service) if service else "null"},'
            f'"schema":{SCHEMA_VERSION}}}\n'
        )


#: The CSV columns; ``product``, ``version`` and ``tls`` follow with *identification*.
CSV_FIELDS = ("target", "address", "port", "protocol", "state", "reason", "latency",
              "attempts", "service")
_CSV_IDENTIFICATION = ("product", "version", "tls")


class _Line:
    """Collects what csv.writer writes, so that a row reaches the file in one write."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        """Keep *text* (a whole row)."""
        self.text = text


class CSVWriter(_PerResult):
    """CSV with a header row (``--csv``): one row per result.

    Latencies are plain decimals (seconds, six places).

    Args:
        identification: Add the ``product``, ``version`` and ``tls`` columns.

    .. versionadded:: 0.2
    """

    def __init__(
        self, file: TextIO, *, show_all: bool = False,
        expected: Callable[[ProbeResult], int | None] | None = None,
        open_only: bool = False, identification: bool = False,
    ) -> None:
        """See the class's documentation; the header row is written at once."""
        super().__init__(file, show_all=show_all, expected=expected, open_only=open_only)
        self.identification = identification
        self._line = _Line()
        self._csv = csv.writer(self._line, lineterminator="\n")
        self._csv.writerow(CSV_FIELDS + (_CSV_IDENTIFICATION if identification else ()))
        file.write(self._line.text)

    #: Whether the identification columns are written.
    identification: bool

    def add(self, result: ProbeResult) -> None:
        """Write *result* as one row, unless left out (see :meth:`wanted`)."""
        if not self.wanted(result):
            return
        service, product, version, tls = columns(result)
        cells: list[object] = [
            result.target, result.address, result.port, result.protocol.value,
            result.state.value, result.reason,
            "" if result.latency is None else f"{result.latency:.6f}", result.attempts,
            service or registered(result.port, result.protocol.value),
        ]
        if self.identification:
            cells += [product, version, tls]
        self._csv.writerow(cells)
        self.file.write(self._line.text)
