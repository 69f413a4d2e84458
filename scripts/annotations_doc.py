#!/usr/bin/env python3
"""Regenerate the tables of docs/annotations.md from portkit's own data.

The tables sit between ``<!-- begin NAME -->`` and ``<!-- end NAME -->`` markers; the
prose around them is written by hand. Run after changing the annotations or the
top-ports heads, from a checkout with portkit installed::

    python3 scripts/annotations_doc.py          # rewrite docs/annotations.md in place
    python3 scripts/annotations_doc.py --check  # exit 1 if the page is out of date

The tests run the same check, so the page cannot drift from the code.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import portkit
from portkit.catalog._annotations import COMMUNITY_NAMES
from portkit.catalog._top_ports import _HEAD_TCP, _HEAD_UDP

DOC = Path(__file__).resolve().parents[1] / "docs" / "annotations.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def annotations_table() -> str:
    rows = [
        "| service | category | cleartext | TLS counterpart | cleartext counterpart "
        "| usual ports | risks | reason |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for a in portkit.catalog.annotations():
        clear = {True: "yes", False: "no", None: "n/a"}[a.cleartext]
        ports = ", ".join(
            f"{port}" for port in a.ports
        ) + " (" + "/".join(str(p) for p in a.protocols) + ")"
        risks = " ".join(
            f"**{r.severity}** {r.kind}: {r.reason}" for r in a.risks
        ) or "none noted"
        name = f"`{a.name}`"
        if a.aliases:
            name += " (also " + ", ".join(f"`{alias}`" for alias in a.aliases) + ")"
        if a.name in COMMUNITY_NAMES:
            name += " †"
        rows.append(
            "| " + " | ".join(
                _cell(c) for c in (
                    name, str(a.category), clear,
                    f"`{a.tls_counterpart}`" if a.tls_counterpart else "",
                    f"`{a.cleartext_counterpart}`" if a.cleartext_counterpart else "",
                    ports, risks, a.reason,
                )
            ) + " |"
        )
    return "\n".join(rows)


def community_table() -> str:
    rows = ["| name | why not the IANA name |", "|---|---|"]
    for name, reason in sorted(COMMUNITY_NAMES.items()):
        rows.append(f"| `{name}` | {_cell(reason)} |")
    return "\n".join(rows)


def head_table(head: tuple[tuple[int, str], ...]) -> str:
    rows = ["| rank | port | why it is here |", "|---:|---:|---|"]
    for rank, (port, reason) in enumerate(head, 1):
        rows.append(f"| {rank} | {port} | {_cell(reason)} |")
    return "\n".join(rows)


def top_tcp_table() -> str:
    return head_table(_HEAD_TCP)


def top_udp_table() -> str:
    return head_table(_HEAD_UDP)


TABLES: dict[str, Callable[[], str]] = {
    "annotations": annotations_table,
    "community-names": community_table,
    "top-tcp": top_tcp_table,
    "top-udp": top_udp_table,
}


def render(text: str) -> str:
    """*text* with every marked table replaced by its current content."""
    for name, build in TABLES.items():
        pattern = re.compile(
            rf"(<!-- begin {name} -->\n)(?:.*?\n)?(<!-- end {name} -->)", re.DOTALL
        )
        if not pattern.search(text):
            raise SystemExit(f"{DOC}: no markers for table {name!r}")
        replacement = r"\g<1>" + build().replace("\\", "\\\\") + "\n" + r"\g<2>"
        text = pattern.sub(replacement, text)
    return text


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in argv:
        if fresh != current:
            print(f"{DOC} is out of date: run scripts/annotations_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
