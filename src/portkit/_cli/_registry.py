"""``portkit lookup``, ``portkit search`` and ``portkit registry``: the port registry."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from portkit import PortStatus, Protocol, Service
from portkit._cli._output import print_json_lines, print_table
from portkit.exceptions import InvalidPortError, UnknownServiceError
from portkit.registries import default as registry
from portkit.registries import update_registry

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
    reg = registry()
    protocols = [protocol] if protocol is not None else list(Protocol)
    records: list[dict[str, Any]] = []
    first_error: UnknownServiceError | None = None
    for proto in protocols:
        try:
            port = reg.port_of(name, proto)
        except UnknownServiceError as e:
            first_error = first_error or e
            continue
        folded = name.strip().lower()
        found = [s for s in reg.services(port, proto) if folded in {n.lower() for n in s.names}]
        if found:
            records.extend(_record(s, port) for s in found)
        else:  # a common name ("postgres") or a vendor port ("elasticsearch")
            service = reg.lookup(port, proto)
            record = _record(service, port) if service else {
                "port": port, "protocol": proto.value, "service": None, "aliases": [],
                "ports": str(port), "status": reg.status(port, proto).value,
                "description": "", "references": [],
            }
            record["query"] = name
            records.append(record)
    if not records:
        assert first_error is not None
        raise UnknownServiceError(name, protocol.value if protocol else None,
                                  first_error.suggestions)
    return records


def _print(records: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json_lines(records)
        return
    print_table(
        ["PORT", "PROTO", "SERVICE", "ALIASES", "STATUS", "DESCRIPTION"],
        [
            (
                r["ports"] if r["service"] else r["port"],
                r["protocol"] or "*",
                r["service"] or "-",
                ",".join(r["aliases"]) or "-",
                r["status"],
                r["description"],
            )
            for r in records
        ],
    )


def run_lookup(args: argparse.Namespace) -> int:
    records: list[dict[str, Any]] = []
    for query in args.queries:
        text, protocol = _split(query)
        if text.isdigit() and text.isascii():
            number = int(text)
            if number > 65535:
                raise InvalidPortError(text, "a port is a number from 0 to 65535")
            records.extend(_lookup_port(number, protocol))
        else:
            records.extend(_lookup_name(text, protocol))
    _print(records, args.json)
    return 0


def run_search(args: argparse.Namespace) -> int:
    found = registry().search(" ".join(args.text), limit=args.limit)
    records = [_record(s) for s in found]
    if records or args.json:
        _print(records, args.json)
    else:
        print(f"portkit: nothing matches {' '.join(args.text)!r}", file=sys.stderr)
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
                print(f"source: {source['name']} {version} ({source['from']}), "
                      f"{source['rows']} rows: {source['role']}")
        else:
            print(f"{key}: {value}")
    return 0


def run_update(args: argparse.Namespace) -> int:
    reg = update_registry(args.url, timeout=args.timeout)
    print(f"updated: {len(reg)} services from {reg.provenance.get('download_url')}, "
          f"saved to {reg.provenance.get('path')}")
    if os.environ.get("PORTKIT_REGISTRY", "").strip().lower() != "downloaded":
        print("portkit uses it when the environment variable PORTKIT_REGISTRY is "
              "'downloaded'; otherwise the bundled data")
    return 0
