"""Rendering for the command line: aligned text tables and JSON lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from portkit.reports import escape

__all__ = ["print_json_lines", "print_table", "render_table"]


def render_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Left-aligned columns separated by two spaces, headers first, no trailing blanks.

    Every cell is escaped (:func:`portkit.reports.escape`): a cell's text may come from
    a registry file, a peer or another user, and must not drive the terminal.
    """
    text_rows = [[escape(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = []
    for row in [list(headers), *text_rows]:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        lines.append(line.rstrip())
    return "\n".join(lines)


def print_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], file: TextIO | None = None
) -> None:
    """Print :func:`render_table` of *rows*."""
    print(render_table(headers, rows), file=file or sys.stdout)


def print_json_lines(records: Iterable[Mapping[str, Any]], file: TextIO | None = None) -> None:
    """Print one compact JSON object per line (JSON Lines), for pipelines."""
    out = file or sys.stdout
    for record in records:
        out.write(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
        out.write("\n")
