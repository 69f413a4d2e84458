"""Scan reports in nmap's formats and as data: normal, grepable, XML, JSON lines, CSV.

Each format has a writer that streams (:meth:`~ReportWriter.add` a result at a time,
:meth:`~ReportWriter.close` at the end, interrupted or not) and a one-call function
for a whole list. Text that a peer or a local user chose (banners, ``Server:``
headers, versions, certificate names, host names from a file) is escaped in the
human-readable formats (:func:`escape`), so a report is safe to show on a terminal::

    >>> import io
    >>> from portkit import ProbeResult
    >>> from portkit.reports import write_normal
    >>> out = io.StringIO()
    >>> write_normal([ProbeResult(target="127.0.0.1", address="127.0.0.1", port=22,
    ...                           state="open", reason="syn-ack")], out)
    >>> print(out.getvalue().splitlines()[0])
    scan report for 127.0.0.1

.. versionadded:: 0.2
"""

from __future__ import annotations

from portkit._public import rehome as _rehome

from ._fields import escape
from ._write import write_grepable, write_json_lines, write_nmap_xml, write_normal
from ._writers import (
    CSV_FIELDS,
    SCHEMA_VERSION,
    CSVWriter,
    GrepableWriter,
    JSONLinesWriter,
    NormalWriter,
    ReportWriter,
)
from ._xml import NmapXMLWriter

__all__ = [
    "CSV_FIELDS",
    "SCHEMA_VERSION",
    "CSVWriter",
    "GrepableWriter",
    "JSONLinesWriter",
    "NmapXMLWriter",
    "NormalWriter",
    "ReportWriter",
    "escape",
    "write_grepable",
    "write_json_lines",
    "write_nmap_xml",
    "write_normal",
]

_rehome(globals(), __all__, __name__)
