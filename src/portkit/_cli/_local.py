"""``portkit local``: this host's listening sockets, connections and exposure findings."""

from __future__ import annotations

import argparse
from typing import Any

from portkit.catalog import annotations_on_port
from portkit.local import Allow, Finding, LocalSocket, audit, connections, listening

from ._output import print_json_lines, print_table


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "local",
        help="this host's listening sockets, with owners, services and exposure",
        description="List this host's listening TCP and UDP sockets (as 'ss -tulpn' does) "
        "with the registered service of each port, the owning process where it is "
        "visible, and who can reach it: loopback, one address, or all interfaces.",
    )
    p.add_argument(
        "--all", action="store_true", help="every socket, connections included, not only listeners"
    )
    p.add_argument(
        "--audit",
        action="store_true",
        help="report exposure findings instead; exit status 1 when there are any",
    )
    p.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="SPEC",
        help="with --audit: leave out findings matching SPEC, key=value pairs among "
        "rule, port, address (or network), process, protocol; e.g. "
        "'rule=ephemeral-listener,process=java' (repeatable)",
    )
    p.add_argument(
        "--protocol",
        action="append",
        choices=["tcp", "udp"],
        default=None,
        help="only this protocol (repeatable; default both)",
    )
    p.add_argument(
        "--netns",
        default=None,
        metavar="NAME",
        help="read this network namespace ('ip netns list'; needs root)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=run_local)


def _address(s: LocalSocket, remote: bool = False) -> str:
    address = s.remote_address if remote else s.local_address
    if s.family == 6 and address == "::" and not remote and s.takes_ipv4:
        return "*"  # dual stack, as ss writes it
    return f"[{address}]" if ":" in address else address


def _service(s: LocalSocket) -> str | None:
    """The registered service, else the annotated service usual on the port."""
    if s.service is not None:
        return s.service
    usual = annotations_on_port(s.local_port, s.protocol)
    return usual[0].name if usual else None


def socket_record(s: LocalSocket) -> dict[str, Any]:
    """The JSON form of one socket."""
    process = s.process
    return {
        "protocol": str(s.protocol),
        "family": s.family,
        "local_address": s.local_address,
        "local_port": s.local_port,
        "remote_address": s.remote_address,
        "remote_port": s.remote_port,
        "state": s.state.name,
        "service": _service(s),
        "exposure": str(s.exposure),
        "takes_ipv4": s.takes_ipv4,
        "v6only": s.v6only,
        "port_class": str(s.port_class),
        "ephemeral": s.is_ephemeral,
        "uid": s.uid,
        "inode": s.inode,
        "processes": [{"pid": p.pid, "name": p.name, "user": p.user} for p in s.processes],
        "pid": process.pid if process else None,
        "process": process.name if process else None,
        "user": process.user if process else None,
    }


def _sort_key(s: LocalSocket) -> tuple[Any, ...]:
    return (str(s.protocol), s.local_port, s.family, s.local_address, s.remote_port)


def run_local(args: argparse.Namespace) -> int:
    if args.audit:
        return run_audit(args)
    lister = connections if args.all else listening
    found = sorted(lister(protocols=args.protocol, netns=args.netns), key=_sort_key)
    if args.json:
        print_json_lines(socket_record(s) for s in found)
        return 0
    headers = ["PROTO", "ADDRESS", "PORT", "SERVICE", "PROCESS", "EXPOSURE"]
    if args.all:
        headers[1:1] = ["STATE"]
        headers[4:4] = ["PEER"]
    rows = []
    for s in found:
        process = s.process
        owner = f"{process.name}[{process.pid}]" if process else "-"
        service = _service(s) if s.is_listening else s.service
        row = [str(s.protocol), _address(s), s.local_port, service or "-", owner, s.exposure]
        if args.all:
            row[1:1] = [s.state.name]
            peer = f"{_address(s, remote=True)}:{s.remote_port}" if s.remote_port else "-"
            row[4:4] = [peer]
        rows.append(row)
    print_table(headers, rows)
    return 0


def finding_record(f: Finding) -> dict[str, Any]:
    """The JSON form of one finding (the socket's fields under ``socket``)."""
    return {
        "severity": str(f.severity),
        "rule": f.rule,
        "service": f.service,
        "reason": f.reason,
        "socket": socket_record(f.socket),
    }


def run_audit(args: argparse.Namespace) -> int:
    allow = [Allow.parse(text) for text in args.allow]
    sockets = listening(protocols=args.protocol, netns=args.netns)
    findings = audit(sockets, allow=allow)
    if args.json:
        print_json_lines(finding_record(f) for f in findings)
    elif findings:
        rows = []
        for f in findings:
            process = f.socket.process
            owner = f"{process.name}[{process.pid}]" if process else "-"
            rows.append(
                (
                    str(f.severity).upper(),
                    f.rule,
                    str(f.socket.protocol),
                    _address(f.socket),
                    f.socket.local_port,
                    f.service or "-",
                    owner,
                    f.reason,
                )
            )
        print_table(
            ["SEVERITY", "RULE", "PROTO", "ADDRESS", "PORT", "SERVICE", "PROCESS", "REASON"],
            rows,
        )
    else:
        print(f"no findings ({len(sockets)} listening sockets checked)")
    return 1 if findings else 0
