"""``portkit scan``: TCP connect scans from the command line."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from typing import Any, TextIO

import anyio

from portkit import PortSet, PortState, ProbeResult, lookup, scan, top_ports
from portkit._cli import _identify
from portkit._cli._output import render_table

#: How many of portkit's top ports (``portkit.top_ports``) are scanned without ``-p``.
DEFAULT_TOP = 1000

_SHOWN = (PortState.OPEN, PortState.OPEN_FILTERED)
_CSV_FIELDS = ["target", "address", "port", "protocol", "state", "reason", "latency",
               "attempts"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "scan",
        help="TCP connect scan of hosts, addresses and networks",
        description="Probe TCP ports with full connects, as nmap -sT does, and report "
        "open ports. Exit status: 0 when done, 130 when interrupted (what was found "
        "so far is printed).",
    )
    p.add_argument("hosts", nargs="+", metavar="HOST",
                   help="host names, IPv4/IPv6 addresses or networks (192.0.2.0/24)")
    p.add_argument("-p", dest="ports", default=None, metavar="SPEC",
                   help="ports, nmap style: '22,80,8000-8100', '-' for 1-65535 "
                   f"(default: the top {DEFAULT_TOP} ports, see --top)")
    p.add_argument("--top", type=int, default=None, metavar="N",
                   help="scan portkit's N most-worth-checking ports (portkit.top_ports)")
    p.add_argument("-p-", dest="ports", action="store_const", const="-",
                   help="every port, 1-65535")
    p.add_argument("--timeout", type=float, default=1.0, metavar="SECONDS",
                   help="longest wait for an answer (default: 1)")
    p.add_argument("--concurrency", type=int, default=None, metavar="N",
                   help="probes in flight at most (default: from the descriptor limit)")
    p.add_argument("--rate", type=float, default=None, metavar="PER_SECOND",
                   help="probes started per second at most (default: no limit)")
    p.add_argument("--retries", type=int, default=1, metavar="N",
                   help="extra tries for silent ports (default: 1)")
    p.add_argument("--no-adaptive", action="store_false", dest="adaptive",
                   help="wait --timeout for every probe instead of learning each host's "
                   "round-trip time")
    p.add_argument("--family", choices=["ipv4", "ipv6", "both"], default=None,
                   help="address family of names (default: a name's first address)")
    p.add_argument("--all", action="store_true", dest="show_all",
                   help="list every port, not only open ones")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object per result")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header row")
    _identify.add_arguments(p)
    p.set_defaults(func=run_scan)


class _Progress:
    """A progress line on stderr, only when stderr is a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.open = 0
        self._last = 0.0

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and done != total):
            return
        self._last = now
        self.stream.write(f"\r{done}/{total} probed, {self.open} open ")
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _latency(result: ProbeResult) -> str:
    return "" if result.latency is None else f"{result.latency * 1000:.2f}ms"


def _report(results: list[ProbeResult], show_all: bool, out: TextIO) -> None:
    """nmap-style report: per host, a table of open ports and a summary of the rest."""
    hosts: dict[tuple[str, str], list[ProbeResult]] = defaultdict(list)
    for r in results:
        hosts[(r.target, r.address)].append(r)
    first = True
    for (target, address), found in sorted(hosts.items()):
        if not first:
            out.write("\n")
        first = False
        failed = [r for r in found if r.reason == "resolve-failed"]
        if failed:
            out.write(f"{target}: cannot resolve ({failed[0].details.get('error', '')})\n")
            continue
        name = address if target == address else f"{target} ({address})"
        out.write(f"scan report for {name}\n")
        shown = sorted(
            (r for r in found if show_all or r.state in _SHOWN), key=lambda r: r.port
        )
        rest = Counter((r.state.value, r.reason) for r in found if r not in shown)
        if rest:
            parts = [f"{n} {state} ports ({reason})" for (state, reason), n in
                     sorted(rest.items(), key=lambda kv: -kv[1])]
            out.write(f"Not shown: {', '.join(parts)}\n")
        if shown:
            rows = [_row(r) for r in shown]
            headers = ["PORT", "STATE", "SERVICE", "REASON", "LATENCY", "PRODUCT", "VERSION",
                       "TLS"]
            # Only the identification columns that have something to show.
            keep = [i for i in range(len(headers)) if i < 5 or any(row[i] for row in rows)]
            out.write(render_table(
                [headers[i] for i in keep], [[row[i] for i in keep] for row in rows]
            ) + "\n")
        elif not rest:
            out.write("no ports scanned\n")
    states = Counter(r.state.value for r in results)
    summary = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
    out.write(f"\n{len(hosts)} address(es), {len(results)} port(s) scanned: {summary}\n")


def _service(result: ProbeResult) -> str:
    """The service IANA registers on the result's port, or ``-``."""
    service = lookup(result.port, result.protocol)
    return service.name if service is not None else "-"


def _row(result: ProbeResult) -> tuple[str, ...]:
    """A table row: the identified service where there is one, else the registered."""
    service, product, version, tls = _identify.columns(result)
    return (f"{result.port}/{result.protocol}", result.state.value,
            service or _service(result), result.reason, _latency(result), product, version,
            tls)


def run_scan(args: argparse.Namespace) -> int:
    if args.ports is not None and args.top is not None:
        print("portkit: error: give -p or --top, not both", file=sys.stderr)
        return 2
    ports = args.ports
    if ports is None:
        ports = PortSet(top_ports(DEFAULT_TOP if args.top is None else args.top))
    out = sys.stdout
    progress = _Progress(sys.stderr)
    found: list[ProbeResult] = []
    writer = csv.writer(out, lineterminator="\n") if args.csv else None
    identifying = _identify.wanted(args)
    if writer is not None:
        writer.writerow(_CSV_FIELDS + (_identify.CSV_FIELDS if identifying else []))

    plans = _identify.plans(args, ports) if identifying else [(None, ports)]

    async def main() -> None:
        for probe, plan_ports in plans:
            await one_scan(probe, plan_ports)

    async def one_scan(probe: Any, plan_ports: Any) -> None:
        async with scan(
            args.hosts, plan_ports, timeout=args.timeout, concurrency=args.concurrency,
            rate=args.rate, retries=args.retries, family=args.family,
            adaptive_timeout=args.adaptive,
            progress=progress.update, probe=probe,
        ) as results:
            async for result in results:
                found.append(result)
                if result.state is PortState.OPEN:
                    progress.open += 1
                if args.json:
                    record = _identify.to_json(result)
                    out.write(json.dumps(record, separators=(",", ":")) + "\n")
                elif writer is not None:
                    row = result.to_dict()
                    cells = ["" if row[k] is None else row[k] for k in _CSV_FIELDS]
                    if identifying:
                        cells += _identify.columns(result)
                    writer.writerow(cells)

    interrupted = False
    try:
        anyio.run(main)
    except KeyboardInterrupt:
        interrupted = True
    progress.clear()
    if not (args.json or args.csv):
        _report(found, args.show_all, out)
    out.flush()
    if interrupted:
        print(f"portkit: interrupted after {len(found)} result(s)", file=sys.stderr)
        return 130
    return 0
