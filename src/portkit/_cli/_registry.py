"""``portkit lookup``, ``portkit search`` and ``portkit registry``: the port registry."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from portkit import PortStatus, Protocol, Service
from portkit._cli._output import print_json_lines, print_table
from portkit.exceptions import InvalidOptionError, InvalidPortError, UnknownServiceError
from portkit.registries import default as registry
from portkit.registries import update_registry
from portkit.reports import escape

__all__ = ["register"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "lookup",
        help="what runs on a port, or which port a service uses",
        description="Look up ports ('443', '53/udp') or service names ('https', "
        "'postgres', 'domain/udp') in IANA's registry. A port without a protocol is "
        "looked up over every protocol; a name without one over tcp and udp.",
    )
    p.add_argument("queries", nargs="+", metavar="QUERY", help="PORT[/PROTO] or NAME[/PROTO]")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=run_lookup)

    p = subparsers.add_parser(
        "search",
        help="search service names and descriptions",
        description="Find services whose names or descriptions match TEXT, best first.",
    )
    p.add_argument("text", nargs="+", help="words to look for")
    p.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=run_search)

    p = subparsers.add_parser(
        "registry",
        help="where the registry data comes from, and updating it",
        description="Show the provenance of the registry in use, or download IANA's "
        "current registry into the user's cache.",
    )
    commands = p.add_subparsers(title="registry commands", metavar="ACTION", required=True)
    info = commands.add_parser("info", help="the provenance of the registry in use")
    info.add_argument("--json", action="store_true", help="one JSON object")
    info.set_defaults(func=run_info)
    update = commands.add_parser(
        "update",
        help="download IANA's CSV, check it, and use it from now on",
    )
    update.add_argument("--url", default=None, help="download from here instead of IANA")
    update.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    update.set_defaults(func=run_update)


def _record(service: Service, port: int | None = None) -> dict[str, Any]:
    return {
        "port": service.port if port is None else port,
        "protocol": service.protocol.value,
        "service": service.name,
        "aliases": list(service.aliases),
        "ports": str(service.ports),
        "status": PortStatus.ASSIGNED.value,
        "description": service.description,
        "references": list(service.references),
    }


def _split(query: str) -> tuple[str, Protocol | None]:
    text, slash, proto = query.strip().partition("/")
    return text, (Protocol.parse(proto) if slash else None)


def _lookup_port(port: int, protocol: Protocol | None) -> list[dict[str, Any]]:
    reg = registry()
    found = reg.services(port, protocol)
    records = [_record(s, port) for s in found]
    if protocol is not None and not found:
        records.append({"port": port, "protocol": protocol.value, "service": None,
                        "aliases": [], "ports": str(port),
                        "status": reg.status(port, protocol).value,
                        "description": "", "references": []})
    if protocol is None and not found:
        records.append({"port": port, "protocol": None, "service": None, "aliases": [],
                        "ports": str(port), "status": reg.status(port).value,
                        "description": "", "references": []})
    return records


def _lookup_name(name: str, protocol: Protocol | None) -> list[dict[str, Any]]:
    """Every port that carries *name* (``http-alt``: 591, 8008 and 8080), per protocol;
    a common name's port (``postgres``), marked de facto when IANA does not assign it."""
    reg = registry()
    protocols = [protocol] if protocol is not None else list(Protocol)
    records: list[dict[str, Any]] = []
    first_error: UnknownServiceError | None = None
    folded = name.strip().lower()
    for proto in protocols:
        try:
            ranges = reg.ports_for_name(name, proto)
        except UnknownServiceError as e:
            first_error = first_error or e
            continue
        for ports in ranges:
            found = [s for s in reg.services(ports.first, proto)
                     if folded in {n.lower() for n in s.names}]
            if found:
                records.extend(_record(s, ports.first) for s in found)
                continue
            # A common name ("postgres") or a vendor's port ("kafka").
            service = reg.lookup(ports.first, proto)
            record = _record(service, ports.first) if service else {
                "port": ports.first, "protocol": proto.value, "service": None, "aliases": [],
                "ports": str(ports), "status": reg.status(ports.first, proto).value,
                "description": "", "references": [],
            }
            record["query"] = name
            if service is None or service.name.lower() not in _common_targets(folded):
                record["de_facto"] = name
                iana = f"IANA: {service.name}, {service.description}" if service else (
                    "not assigned by IANA")
                record["description"] = f"{name}'s usual port, de facto ({iana})"
                record["service"] = f"{name} (de facto)"
                record["ports"] = str(ports)
            records.append(record)
    if not records:
        assert first_error is not None
        raise UnknownServiceError(name, protocol.value if protocol else None,
                                  first_error.suggestions)
    return records


def _common_targets(name: str) -> set[str]:
    """The IANA names a common name stands for (``postgres``: ``postgresql``)."""
    from portkit import search

    return {s.name.lower() for s in search(name, limit=4) if s.name.lower() != name} | {name}


def _merged(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per service and ports, its protocols joined (``tcp,udp``), in order."""
    out: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in records:
        key = (r.get("query"), r["service"], r["ports"] if r["service"] else r["port"])
        row = seen.get(key)
        if row is None:
            row = seen[key] = {**r, "protocols": [r["protocol"]] if r["protocol"] else []}
            out.append(row)
        elif r["protocol"] and r["protocol"] not in row["protocols"]:
            row["protocols"].append(r["protocol"])
    return out


def _print(
    records: list[dict[str, Any]], as_json: bool, queries: bool = False,
    limit: int | None = None,
) -> None:
    if as_json:
        print_json_lines(records)
        return
    rows = []
    for r in _merged(records)[:limit]:
        row = [
            r["ports"] if r["service"] else r["port"],
            ",".join(r["protocols"]) or "*",
            r["service"] or "-",
            ",".join(r["aliases"]) or "-",
            r["status"],
            r["description"],
        ]
        if queries:
            row.insert(0, r.get("query", ""))
        rows.append(row)
    headers = ["PORT", "PROTO", "SERVICE", "ALIASES", "STATUS", "DESCRIPTION"]
    if queries:
        headers.insert(0, "QUERY")
    print_table(headers, rows)


def run_lookup(args: argparse.Namespace) -> int:
    records: list[dict[str, Any]] = []
    for query in args.queries:
        text, protocol = _split(query)
        if text.isdigit() and text.isascii():
            number = int(text)
            if number > 65535:
                raise InvalidPortError(text, "a port is a number from 0 to 65535")
            found = _lookup_port(number, protocol)
        else:
            found = _lookup_name(text, protocol)
        for record in found:
            record["query"] = query
        records.extend(found)
    _print(records, args.json, queries=len(args.queries) > 1)
    return 0


def run_search(args: argparse.Namespace) -> int:
    if args.limit <= 0:
        raise InvalidOptionError("limit", args.limit, "--limit is an int >= 1")
    text = " ".join(args.text)
    # Up to three rows per service (tcp, udp, sctp) merge into one.
    found = registry().search(text, limit=args.limit * 3)
    records = [_record(s) for s in found]
    if args.json:
        # One object per service, with every protocol it is registered on.
        print_json_lines(_merged(records)[: args.limit])
        return 0 if records else 1
    if records:
        _print(records, False, limit=args.limit)
    else:
        print(f"portkit: nothing matches {text!r}", file=sys.stderr)
    return 0 if records else 1


def run_info(args: argparse.Namespace) -> int:
    reg = registry()
    provenance = dict(reg.provenance)
    provenance["services_loaded"] = len(reg)
    if args.json:
        print(json.dumps(provenance, ensure_ascii=False))
        return 0
    for key, value in provenance.items():
        if key == "sources":
            for source in value:
                version = source.get("version") or "unknown version"
                print(escape(f"source: {source['name']} {version} ({source['from']}), "
                             f"{source['rows']} rows: {source['role']}"))
        else:
            print(escape(f"{key}: {value}"))
    return 0


def run_update(args: argparse.Namespace) -> int:
    reg = update_registry(args.url, timeout=args.timeout)
    print(f"updated: {len(reg)} services from {reg.provenance.get('download_url')}, "
          f"saved to {reg.provenance.get('path')}")
    if os.environ.get("PORTKIT_REGISTRY", "").strip().lower() != "downloaded":
        print("portkit uses it when the environment variable PORTKIT_REGISTRY is "
              "'downloaded'; otherwise the bundled data")
    return 0
