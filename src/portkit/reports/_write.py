"""One-call writers: a whole iterable of results to a file, in one format."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from portkit import ProbeResult

from ._writers import GrepableWriter, JSONLinesWriter, NormalWriter
from ._xml import NmapXMLWriter

__all__ = ["write_grepable", "write_json_lines", "write_nmap_xml", "write_normal"]


def write_normal(
    results: Iterable[ProbeResult], file: TextIO, *, show_all: bool = False
) -> None:
    """Write *results* as the human-readable report, host by host (see :class:`NormalWriter`).

    Args:
        results: Results in any order (an async scan's, collected; or a list).
        file: A text file open for writing.
        show_all: List every port, not only the open ones.

    .. versionadded:: 0.2
    """
    NormalWriter(file, show_all=show_all).write_all(results)


def write_grepable(
    results: Iterable[ProbeResult], file: TextIO, *, show_all: bool = False
) -> None:
    """Write *results* in nmap's grepable format (see :class:`GrepableWriter`).

    .. versionadded:: 0.2
    """
    GrepableWriter(file, show_all=show_all).write_all(results)


def write_nmap_xml(
    results: Iterable[ProbeResult], file: TextIO, *, command: str = "portkit"
) -> None:
    """Write *results* as nmap XML (see :class:`NmapXMLWriter`).

    Args:
        results: Results in any order.
        file: A text file open for writing.
        command: The command line recorded in the document.

    .. versionadded:: 0.2
    """
    NmapXMLWriter(file, command=command).write_all(results)


def write_json_lines(
    results: Iterable[ProbeResult], file: TextIO, *, open_only: bool = False
) -> None:
    """Write *results* as JSON lines, one object per result (see :class:`JSONLinesWriter`).

    Args:
        results: Results in any order.
        file: A text file open for writing.
        open_only: Write only open and open|filtered results.

    .. versionadded:: 0.2
    """
    JSONLinesWriter(file, open_only=open_only).write_all(results)
