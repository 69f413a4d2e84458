"""``portkit monitor``: watch ports continuously."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import Any, TextIO

import anyio

from portkit import Endpoint
from portkit.exceptions import InvalidOptionError
from portkit.monitoring import (
    Check,
    CheckResult,
    Health,
    Monitor,
    StateChange,
    load_checks,
    monitor,
)

from ._output import render_table

#: Seconds between redraws of the live table (state changes redraw at once).
REDRAW = 0.25


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "monitor",
        help="watch ports continuously: health, state changes, Prometheus metrics",
        description="Probe each endpoint every --interval seconds and report its health "
        "(up, degraded, down, violated). On a terminal a live table is drawn; otherwise "
        "each state change is printed as a line (or, with --json, every event as a JSON "
        "line). Exit status: 0 when every check ends up or degraded, 1 otherwise, 130 "
        "when interrupted.",
    )
    p.add_argument("endpoints", nargs="*", metavar="HOST:PORT", help="endpoints to watch")
    p.add_argument("--config", metavar="FILE", help="read more checks from a TOML file")
    p.add_argument("--interval", type=float, default=10.0, metavar="S",
                   help="seconds between probes (default: 10)")
    p.add_argument("--timeout", type=float, default=1.0, metavar="S",
                   help="seconds a probe waits for an answer (default: 1)")
    p.add_argument("--expect", choices=["open", "closed"], default="open",
                   help="'closed' makes a policy check: an open port is a violation")
    p.add_argument("-w", "--degraded", type=float, default=None, metavar="S",
                   help="an open port slower than this is degraded")
    p.add_argument("-c", "--critical", type=float, default=None, metavar="S",
                   help="an open port slower than this is down")
    p.add_argument("--rise", type=int, default=1, metavar="N",
                   help="consecutive good results before a check is up again (default: 1)")
    p.add_argument("--fall", type=int, default=1, metavar="N",
                   help="consecutive bad results before a check changes (default: 1)")
    p.add_argument("--window", type=int, default=100, metavar="N",
                   help="results the statistics cover (default: 100)")
    p.add_argument("--serve", metavar="ADDR:PORT",
                   help="serve Prometheus metrics at http://ADDR:PORT/metrics")
    p.add_argument("--json", action="store_true", help="every event as a JSON line")
    stop = p.add_mutually_exclusive_group()
    stop.add_argument("--count", type=int, default=None, metavar="N",
                      help="stop once every check has N results")
    stop.add_argument("--duration", type=float, default=None, metavar="S",
                      help="stop after S seconds")
    p.set_defaults(func=run_monitor)


def _checks(args: argparse.Namespace) -> list[Check]:
    checks = [
        Check(
            endpoint=Endpoint.parse(text), interval=args.interval, timeout=args.timeout,
            expect=args.expect, degraded_latency=args.degraded,
            critical_latency=args.critical, rise=args.rise, fall=args.fall,
        )
        for text in args.endpoints
    ]
    if args.config:
        checks.extend(load_checks(args.config))
    if not checks:
        raise InvalidOptionError("endpoints", [], "give HOST:PORT arguments or --config FILE")
    return checks


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f}"


def _table(mon: Monitor, last: dict[str, CheckResult]) -> str:
    rows = []
    for check in mon.checks:
        stats = mon.stats(check.name)
        result = last.get(check.name)
        avail = "-" if stats.availability is None else f"{stats.availability * 100:.1f}"
        rows.append((
            check.name,
            str(mon.health(check.name)),
            "-" if result is None else f"{result.result.state} ({result.reason})",
            _ms(None if result is None else result.result.latency),
            _ms(stats.latency_p95),
            avail,
            stats.total,
            stats.state_changes,
        ))
    return render_table(
        ["CHECK", "HEALTH", "LAST", "MS", "P95 MS", "AVAIL %", "RESULTS", "CHANGES"], rows
    )


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


async def _watch(args: argparse.Namespace, checks: list[Check], out: TextIO) -> int:
    serve = None
    if args.serve:
        where = Endpoint.parse(args.serve)
        serve = (where.host, where.port)
    live = not args.json and out.isatty()
    names = {c.name for c in checks}
    counts = dict.fromkeys(names, 0)
    last: dict[str, CheckResult] = {}
    drawn = -1.0
    final: dict[str, Health] = {}
    with anyio.move_on_after(args.duration if args.duration is not None else float("inf")):
        async with monitor(checks, window=args.window, serve=serve) as events:
            if events.metrics_address and not args.json:
                host, port = events.metrics_address
                print(f"serving metrics at http://{host}:{port}/metrics", file=sys.stderr)
            event: CheckResult | StateChange
            async for event in events:
                if args.json:
                    out.write(json.dumps(event.to_dict(), separators=(",", ":")) + "\n")
                    out.flush()
                elif isinstance(event, StateChange) and not live:
                    out.write(
                        f"{_now()} {event.check.name} {event.old} -> {event.new} "
                        f"({event.reason}) {event.kind}\n"
                    )
                    out.flush()
                if isinstance(event, CheckResult):
                    last[event.check.name] = event
                    counts[event.check.name] += 1
                final = {c.name: events.health(c.name) for c in events.checks}
                if live:
                    now = anyio.current_time()
                    if isinstance(event, StateChange) or now - drawn >= REDRAW:
                        drawn = now
                        out.write("\x1b[H\x1b[2J" + _table(events, last) + "\n")
                        out.flush()
                if args.count is not None and min(counts.values()) >= args.count:
                    break
    return 0 if final and all(h.is_ok for h in final.values()) else 1


def run_monitor(args: argparse.Namespace) -> int:
    checks = _checks(args)
    if args.count is not None and args.count < 1:
        raise InvalidOptionError("count", args.count, "--count is an int >= 1")
    if args.duration is not None and not args.duration > 0:
        raise InvalidOptionError("duration", args.duration, "--duration is a number > 0")
    return int(anyio.run(_watch, args, checks, sys.stdout))
