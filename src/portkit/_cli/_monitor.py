"""``portkit monitor``: watch ports continuously."""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import sys
from typing import Any, TextIO

import anyio

from portkit import Endpoint
from portkit.exceptions import InvalidOptionError, PortkitError
from portkit.monitoring import (
    Check,
    CheckResult,
    Health,
    Monitor,
    StateChange,
    load_checks,
    monitor,
)
from portkit.reports import escape

from ._output import render_table
from ._scan import unwrap
from ._signals import stop

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
    p.add_argument("--serve", metavar="[ADDR:]PORT",
                   help="serve Prometheus metrics at http://ADDR:PORT/metrics; a bare PORT "
                   "binds loopback (127.0.0.1), '[::]:9109' or '0.0.0.0:9109' every "
                   "interface")
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


def serve_address(text: str) -> tuple[str, int]:
    """``--serve``'s value as (host, port): a bare port binds loopback."""
    if text.isascii() and text.isdigit():
        port = int(text)
        if port > 65535:
            raise InvalidOptionError("serve", text, "a port is 0-65535")
        return "127.0.0.1", port
    try:
        where = Endpoint.parse(text)
    except PortkitError as e:
        raise InvalidOptionError(
            "serve", text, f"--serve is PORT, HOST:PORT or [IPv6]:PORT ({e})"
        ) from None
    return where.host, where.port


def url_host(host: str) -> str:
    """*host* as written in a URL: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host else host


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f}"


def _table(mon: Monitor, last: dict[str, CheckResult], max_rows: int | None = None) -> str:
    """The live table; with *max_rows*, the worst checks first and a line for the rest,
    so that the header stays on screen."""
    rows = []
    checks = list(mon.checks)
    more = 0
    if max_rows is not None and len(checks) > max_rows:
        checks.sort(key=lambda c: mon.health(c.name).is_ok)  # not ok first, stable
        more = len(checks) - (max_rows - 1)
        checks = checks[: max_rows - 1]
    for check in checks:
        stats = mon.stats(check.name)
        result = last.get(check.name)
        avail = "-" if stats.availability is None else f"{stats.availability * 100:.1f}"
        rows.append((
            escape(check.name),
            str(mon.health(check.name)),
            "-" if result is None else f"{result.result.state} ({escape(result.reason)})",
            _ms(None if result is None else result.result.latency),
            _ms(stats.latency_p95),
            avail,
            stats.total,
            stats.state_changes,
        ))
    text = render_table(
        ["CHECK", "HEALTH", "LAST", "MS", "P95 MS", "AVAIL %", "RESULTS", "CHANGES"], rows
    )
    if more:
        text += f"\n... and {more} more check(s) (all up or degraded unless listed)"
    return text


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _change_line(event: StateChange, out: TextIO) -> None:
    out.write(
        f"{_now()} {escape(event.check.name)} {event.old} -> {event.new} "
        f"({escape(event.reason)}) {event.kind}\n"
    )
    out.flush()


async def _watch(args: argparse.Namespace, checks: list[Check], out: TextIO) -> int:
    serve = args.serve_address
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
                print(f"serving metrics at http://{url_host(host)}:{port}/metrics",
                      file=sys.stderr)
            event: CheckResult | StateChange
            async for event in events:
                if args.json:
                    out.write(json.dumps(event.to_dict(), separators=(",", ":")) + "\n")
                    out.flush()
                elif isinstance(event, StateChange) and not live:
                    _change_line(event, out)
                elif args.count is not None and not live and isinstance(event, CheckResult):
                    r = event.result
                    latency = "" if r.latency is None else f" {r.latency * 1000:.1f}ms"
                    out.write(f"{_now()} {escape(event.check.name)} {r.state} ({escape(r.reason)})"
                              f"{latency} {event.health}\n")
                    out.flush()
                if isinstance(event, CheckResult):
                    last[event.check.name] = event
                    counts[event.check.name] += 1
                final = {c.name: events.health(c.name) for c in events.checks}
                if live:
                    now = anyio.current_time()
                    if isinstance(event, StateChange) or now - drawn >= REDRAW:
                        drawn = now
                        height = shutil.get_terminal_size((80, 24)).lines
                        table = _table(events, last, max(2, height - 2))
                        out.write("\x1b[H\x1b[2J" + table + "\n")
                        out.flush()
                if args.count is not None and min(counts.values()) >= args.count:
                    # The state change a last result caused follows it at once.
                    with anyio.move_on_after(0.05):
                        async for late in events:
                            if not isinstance(late, StateChange):
                                break
                            if args.json:
                                out.write(json.dumps(late.to_dict(), separators=(",", ":")) + "\n")
                            elif not live:
                                _change_line(late, out)
                            final = {c.name: events.health(c.name) for c in events.checks}
                    break
    return 0 if final and all(h.is_ok for h in final.values()) else 1


def run_monitor(args: argparse.Namespace) -> int:
    checks = _checks(args)
    if args.count is not None and args.count < 1:
        raise InvalidOptionError("count", args.count, "--count is an int >= 1")
    if args.duration is not None and not args.duration > 0:
        raise InvalidOptionError("duration", args.duration, "--duration is a number > 0")
    args.serve_address = serve_address(args.serve) if args.serve else None
    status = [1]

    async def run() -> None:
        with anyio.CancelScope() as scope:
            async with anyio.create_task_group() as tg:
                tg.start_soon(stop.watch, scope)
                status[0] = await _watch(args, checks, sys.stdout)
                tg.cancel_scope.cancel()

    stop.in_loop = True
    try:
        anyio.run(run)
    except KeyboardInterrupt:
        pass
    except Exception as e:
        error = unwrap(e)
        if isinstance(error, InvalidOptionError) and error.name == "serve" and args.serve:
            # Say it with the text the user typed, not the (host, port) tuple.
            raise InvalidOptionError("serve", args.serve, error.rule) from None
        raise error from None
    finally:
        stop.in_loop = False
    sys.stdout.flush()
    if stop.signum is not None:
        return stop.status
    return status[0]
