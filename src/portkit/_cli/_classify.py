"""``portkit classify`` and ``portkit ports``: classification at the command line."""

from __future__ import annotations

import argparse
import re
from typing import Any

from portkit import (
    PortSpec,
    Protocol,
    classify,
    ephemeral_range,
    lookup,
)

from .._models import check_port
from ..exceptions import InvalidPortError
from ._output import print_json_lines, print_table


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "classify",
        help="the IANA class and ephemeral status of port numbers",
        description="Print the IANA class (well-known, registered, dynamic) of each port, "
        "its RFC 6335 name, whether it lies in an ephemeral range, and the service IANA "
        "assigns it over TCP.",
    )
    p.add_argument("ports", nargs="+", metavar="PORT",
                   help="port numbers (0-65535) or specs, as lookup and scan take them: "
                   "'22,80', '8000-8010', '53/udp', 'T:22,U:53'")
    p.add_argument(
        "--system",
        default=None,
        help="judge ephemeral ports by this system's default range (linux, windows, "
        "macos, freebsd, iana, ...) instead of this host's",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=run_classify)

    p = subparsers.add_parser(
        "ports",
        help="expand and normalize a port spec such as 'T:22,80,U:53'",
        description="Parse a port spec in nmap's -p syntax and print its ports per "
        "protocol, collapsed into ranges.",
    )
    p.add_argument("spec", help="for instance '22,80,443', '1-1024', 'T:22,U:53,161', '-'")
    p.add_argument(
        "--default-protocol",
        default="tcp",
        help="the protocol of items before any qualifier (default: tcp)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=run_ports)


_SPEC = re.compile(r"^\d+(-\d+)?(,\d+(-\d+)?)*(/(tcp|udp|sctp))?$", re.IGNORECASE)


def _port_arg(text: str) -> list[tuple[int, Protocol | None]]:
    """The ports of one argument: a number, or a spec ('22,80', '53/udp', 'T:22,U:53')."""
    if text.isdigit() and text.isascii():
        return [(check_port(int(text)), None)]
    if text.isascii() and (_SPEC.match(text) or ":" in text):
        body, slash, proto = text.partition("/")
        default = Protocol.parse(proto) if slash else Protocol.TCP
        spec = PortSpec.parse(body, default=default)
        explicit = bool(slash) or ":" in text
        return [(port, protocol if explicit else None)
                for protocol, ports in spec.entries for port in ports]
    raise InvalidPortError(text, "a port is a number from 0 to 65535, or a spec such as "
                           "'22,80', '8000-8010', '53/udp'")


def run_classify(args: argparse.Namespace) -> int:
    ports = [item for text in args.ports for item in _port_arg(text)]
    ephemeral = ephemeral_range(args.system)
    where = args.system or "this host"
    records = []
    for port, protocol in ports:
        cls = classify(port)
        service = lookup(port, protocol or Protocol.TCP)
        records.append(
            {
                "port": port,
                "protocol": None if protocol is None else protocol.value,
                "service": service.name if service else None,
                "class": str(cls),
                "rfc6335": cls.rfc6335_name,
                "ephemeral": port in ephemeral,
                "ephemeral_range": str(ephemeral),
                "ephemeral_system": where,
            }
        )
    if args.json:
        print_json_lines(records)
    else:
        print_table(
            ["PORT", "SERVICE", "CLASS", "RFC 6335 NAME", f"EPHEMERAL ({where}: {ephemeral})"],
            [
                (r["port"] if r["protocol"] is None else f"{r['port']}/{r['protocol']}",
                 r["service"] or "-", r["class"], r["rfc6335"],
                 "yes" if r["ephemeral"] else "no")
                for r in records
            ],
        )
    return 0


def run_ports(args: argparse.Namespace) -> int:
    spec = PortSpec.parse(args.spec, default=Protocol.parse(args.default_protocol))
    if args.json:
        print_json_lines(
            {
                "protocol": str(proto),
                "ports": str(ports),
                "count": len(ports),
                "ranges": [[r.first, r.last] for r in ports.ranges],
            }
            for proto, ports in spec.entries
        )
    else:
        print_table(
            ["PROTOCOL", "COUNT", "PORTS"],
            [(str(proto), len(ports), str(ports)) for proto, ports in spec.entries],
        )
    return 0
