"""``portkit local``: this host's listening sockets, connections and exposure findings."""

from __future__ import annotations

import argparse
from typing import Any

from portkit.catalog import annotations_on_port
from portkit.exceptions import InvalidOptionError
from portkit.local import AUDIT_RULES, Allow, Finding, LocalSocket, audit, connections, listening
from portkit.reports import escape

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
        "-a", "--all", action="store_true",
        help="every socket, connections included, not only listeners (ss -a)",
    )
    ss = p.add_argument_group(
        "ss's flags", "combine as ss does: -tlnp, -tulpn. Without -l or -a, -t and -u "
        "show connections, as ss does; with no flag at all, listeners are shown"
    )
    ss.add_argument("-t", dest="ss_tcp", action="store_true", help="TCP sockets")
    ss.add_argument("-u", dest="ss_udp", action="store_true", help="UDP sockets")
    ss.add_argument("-l", dest="ss_listening", action="store_true",
                    help="listening sockets only")
    ss.add_argument("-n", dest="ss_numeric", action="store_true",
                    help="accepted: addresses and ports are always numeric; the SERVICE "
                    "column names the port")
    ss.add_argument("-p", dest="ss_processes", action="store_true",
                    help="accepted: owning processes are always shown where visible")
    ss.add_argument("-4", dest="ss_family", action="store_const", const=4,
                    help="IPv4 sockets only")
    ss.add_argument("-6", dest="ss_family", action="store_const", const=6,
                    help="IPv6 sockets only")
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


def _ss_protocols(args: argparse.Namespace) -> list[str] | None:
    chosen = [name for name, flag in (("tcp", args.ss_tcp), ("udp", args.ss_udp)) if flag]
    if args.protocol and chosen:
        return sorted({*args.protocol, *chosen})
    return args.protocol or chosen or None


def run_local(args: argparse.Namespace) -> int:
    args.protocol = _ss_protocols(args)
    if args.audit:
        return run_audit(args)
    # ss's rule: -a everything, -l listeners, -t/-u alone connections; portkit's
    # default (no flag) is the listeners.
    only_connections = (args.ss_tcp or args.ss_udp) and not (args.all or args.ss_listening)
    everything = args.all or only_connections
    lister = connections if everything else listening
    found = sorted(lister(protocols=args.protocol, netns=args.netns), key=_sort_key)
    if only_connections:
        found = [s for s in found if not s.is_listening]
    if args.ss_family is not None:
        found = [s for s in found if s.family == args.ss_family]
    args.all = everything
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
        owner = f"{escape(process.name)}[{process.pid}]" if process else "-"
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
    known = sorted({str(getattr(rule, "id", "")) for rule in AUDIT_RULES} - {""})
    for text, entry in zip(args.allow, allow, strict=True):
        if entry.rule is not None and entry.rule not in known:
            raise InvalidOptionError(
                "allow", text, f"rule {entry.rule!r} is none of the audit's rules "
                f"({', '.join(known)})"
            )
    sockets = listening(protocols=args.protocol, netns=args.netns)
    findings = audit(sockets, allow=allow)
    if args.json:
        print_json_lines(finding_record(f) for f in findings)
    elif findings:
        rows = []
        for f in findings:
            process = f.socket.process
            owner = f"{escape(process.name)}[{process.pid}]" if process else "-"
            rows.append(
                (
                    str(f.severity).upper(),
                    f.rule,
                    str(f.socket.protocol),
                    _address(f.socket),
                    f.socket.local_port,
                    f.service or "-",
                    owner,
                    escape(f.reason),
                )
            )
        print_table(
            ["SEVERITY", "RULE", "PROTO", "ADDRESS", "PORT", "SERVICE", "PROCESS", "REASON"],
            rows,
        )
    else:
        print(f"no findings ({len(sockets)} listening sockets checked)")
    return 1 if findings else 0
