"""``portkit scan``: TCP connect scans from the command line, in nmap's vocabulary."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from collections import Counter
from typing import Any, TextIO

import anyio
import attrs

from portkit import Endpoint, PortSet, PortState, ProbeResult, scan, top_ports
from portkit.exceptions import InvalidOptionError
from portkit.reports import (
    CSVWriter,
    GrepableWriter,
    JSONLinesWriter,
    NmapXMLWriter,
    NormalWriter,
    ReportWriter,
)

from . import _identify, _planning
from ._signals import stop
from ._targets import apply_exclusions, parse_exclusions, read_target_file, target_value

#: How many of portkit's top ports (``portkit.top_ports``) are scanned without ``-p``.
DEFAULT_TOP = 1000
#: How many ``-F`` scans.
FAST_TOP = 100

#: nmap's timing templates -T0..-T5 as portkit options: (timeout, retries, rate,
#: concurrency); None keeps portkit's default.
TIMING: dict[int, tuple[float | None, int | None, float | None, int | None]] = {
    0: (5.0, 2, 1 / 300, 1),    # paranoid: one probe every 5 minutes
    1: (5.0, 2, 1 / 15, 1),     # sneaky: one every 15 seconds
    2: (2.0, 2, 2.5, 1),        # polite: one every 0.4 seconds
    3: (None, None, None, None),  # normal: portkit's defaults
    4: (1.25, 2, None, None),   # aggressive
    5: (0.3, 1, None, None),    # insane
}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "scan",
        help="TCP connect scan of hosts, addresses and networks (nmap -sT)",
        description="Probe TCP ports with full connects, as nmap -sT does, and report "
        "open ports host by host as each host is done. nmap's flags and target syntax "
        "are understood (see docs/cli-scan.md). Exit status: 0 when done, 1 when no "
        "target resolved or every probe failed, 2 for bad input, 130 (SIGINT) or 143 "
        "(SIGTERM) when interrupted (what was found so far is reported).",
    )
    p.add_argument("hosts", nargs="*", metavar="TARGET",
                   help="host names, addresses, networks (192.0.2.0/24), octet ranges "
                   "(192.0.2.1-20, 10.0.*.1, 192.0.2.1,3,5), HOST:PORT or URLs")
    ports = p.add_argument_group("ports")
    ports.add_argument("-p", dest="ports", default=None, metavar="SPEC",
                       help="ports, nmap style: '22,80,8000-8100', '-' for 1-65535, "
                       "'T:22,U:53' for TCP and UDP (default: the top "
                       f"{DEFAULT_TOP} ports)")
    ports.add_argument("-p-", dest="ports", action="store_const", const="-",
                       help="every port, 1-65535")
    ports.add_argument("--top", "--top-ports", dest="top", type=int, default=None,
                       metavar="N",
                       help="scan portkit's N most-worth-checking ports (portkit.top_ports)")
    ports.add_argument("-F", dest="top", action="store_const", const=FAST_TOP,
                       help=f"fast: the top {FAST_TOP} ports")
    ports.add_argument("--exclude-ports", default=None, metavar="SPEC",
                       help="leave these ports out")
    tgt = p.add_argument_group("targets")
    tgt.add_argument("-iL", dest="input_list", default=None, metavar="FILE",
                     help="read targets from FILE ('-' for stdin), whitespace separated, "
                     "'#' comments")
    tgt.add_argument("--exclude", action="append", default=[], metavar="LIST",
                     help="leave out these addresses, networks or octet patterns "
                     "(comma separated)")
    tgt.add_argument("--excludefile", default=None, metavar="FILE",
                     help="leave out the addresses and networks listed in FILE")
    tgt.add_argument("--family", choices=["ipv4", "ipv6", "both"], default=None,
                     help="address family of names (default: a name's first address)")
    tgt.add_argument("-6", dest="family", action="store_const", const="ipv6",
                     help="IPv6: names' IPv6 addresses, IPv6 literals and networks")
    tgt.add_argument("-4", dest="family", action="store_const", const="ipv4",
                     help="IPv4 only")
    kinds = p.add_argument_group("scan types (nmap)")
    kinds.add_argument("-sT", dest="connect", action="store_true",
                       help="TCP connect scan: portkit's scan, the default (no root needed)")
    kinds.add_argument("-sV", dest="version_scan", action="store_true",
                       help="identify services on open ports, inside TLS where it is "
                       "spoken (= --identify --tls)")
    kinds.add_argument("-sU", dest="udp", action="store_true",
                       help="UDP scan (= --udp)")
    kinds.add_argument("-Pn", dest="no_ping", action="store_true",
                       help="skip host discovery: every target is scanned (the default; "
                       "see --ping and -sn)")
    kinds.add_argument("-n", dest="no_dns", action="store_true",
                       help="accepted: portkit resolves only the names it is given, and "
                       "never looks addresses up in reverse")
    kinds.add_argument("--reason", action="store_true",
                       help="accepted: the REASON column is always shown")
    timing = p.add_argument_group("timing")
    timing.add_argument("-T", dest="timing", type=int, choices=range(6), default=None,
                        metavar="0-5",
                        help="nmap's timing templates: 0-2 one probe at a time every 300, 15, "
                        "0.4 s; 3 portkit's defaults; 4 --timeout 1.25 --retries 2; "
                        "5 --timeout 0.3 --retries 1 (explicit options win)")
    timing.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="longest wait for an answer (default: 1)")
    timing.add_argument("--concurrency", type=int, default=None, metavar="N",
                        help="probes in flight at most (default: from the descriptor limit)")
    timing.add_argument("--rate", "--max-rate", dest="rate", type=float, default=None,
                        metavar="PER_SECOND",
                        help="probes started per second at most (default: no limit)")
    timing.add_argument("--min-rate", type=float, default=None, metavar="PER_SECOND",
                        help="accepted: portkit always runs as fast as --concurrency and "
                        "--rate allow")
    timing.add_argument("--retries", "--max-retries", dest="retries", type=int,
                        default=None, metavar="N",
                        help="extra tries for silent ports (default: 1)")
    timing.add_argument("--host-timeout", type=float, default=None, metavar="SECONDS",
                        help="give up on the rest of the scan after this long and report "
                        "what was found")
    timing.add_argument("--no-adaptive", action="store_false", dest="adaptive",
                        help="wait --timeout for every probe instead of learning each "
                        "host's round-trip time")
    out = p.add_argument_group("output")
    out.add_argument("--all", action="store_true", dest="show_all",
                     help="list every port, not only open ones (tables, -oN, -oG, -oX; "
                     "JSON and CSV always have every result unless --open)")
    out.add_argument("--open", action="store_true", dest="open_only",
                     help="only open (and open|filtered) ports: the tables' default; "
                     "filters --json, --csv and -oJ too")
    out.add_argument("-v", dest="verbose", action="count", default=0,
                     help="also report hosts with nothing open in sweeps")
    fmt = out.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true",
                     help="JSON lines on stdout: one object per result")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header row on stdout")
    out.add_argument("-oN", dest="out_normal", metavar="FILE", help="the table to FILE")
    out.add_argument("-oX", dest="out_xml", metavar="FILE", help="nmap XML to FILE")
    out.add_argument("-oG", dest="out_grepable", metavar="FILE",
                     help="nmap's grepable format to FILE")
    out.add_argument("-oJ", dest="out_json", metavar="FILE", help="JSON lines to FILE")
    out.add_argument("-oA", dest="out_all", metavar="BASE",
                     help="BASE.nmap, BASE.xml, BASE.gnmap and BASE.jsonl at once")
    _identify.add_arguments(p)
    _planning.add_arguments(p)
    p.set_defaults(func=run_scan)


class _Progress:
    """A progress line on stderr, only when stderr is a terminal: done, rate, time left."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.open = 0
        self._last = 0.0
        self._start = time.monotonic()

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and done != total):
            return
        self._last = now
        rate = done / max(now - self._start, 1e-6)
        left = (total - done) / rate if rate > 0 else 0.0
        self.stream.write(f"\r{done}/{total} probed, {self.open} open, {rate:,.0f}/s, "
                          f"{_duration(left)} left \033[K")
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class _Fanout:
    """Every writer of the run; counts what a script's exit status depends on."""

    def __init__(self, writers: list[ReportWriter]) -> None:
        self.writers = writers
        self.results = 0
        self.errors = 0
        self.open = 0

    def add(self, result: ProbeResult) -> None:
        self.results += 1
        state = result.state
        if state is PortState.ERROR:
            self.errors += 1
        elif state is PortState.OPEN:
            self.open += 1
        for w in self.writers:
            w.add(result)

    def close(self, interrupted: bool) -> None:
        for w in self.writers:
            w.close(interrupted=interrupted)


def _check_early(args: argparse.Namespace) -> None:
    """Reject bad option combinations before any probe is sent."""
    if args.ports is not None and args.top is not None:
        raise InvalidOptionError("ports", args.ports, "give -p or --top/-F, not both")
    if args.top is not None and args.top < 1:
        raise InvalidOptionError("top-ports", args.top, "--top-ports is an int >= 1")
    tls = args.tls or args.version_scan
    if args.sni is not None and not tls:
        raise InvalidOptionError("sni", args.sni, "--sni goes with --tls or -sV")
    if args.cafile is not None:
        if not tls:
            raise InvalidOptionError("cafile", args.cafile, "--cafile goes with --tls or -sV")
        if not os.path.isfile(args.cafile) or not os.access(args.cafile, os.R_OK):
            raise InvalidOptionError("cafile", args.cafile, "--cafile is a readable PEM file")
    if args.host_timeout is not None and not args.host_timeout > 0:
        raise InvalidOptionError("host-timeout", args.host_timeout,
                                 "--host-timeout is a number of seconds > 0")
    if args.min_rate is not None and not args.min_rate > 0:
        raise InvalidOptionError("min-rate", args.min_rate, "--min-rate is a number > 0")


def _targets(args: argparse.Namespace) -> list[Any]:
    texts = list(args.hosts)
    if args.input_list is not None:
        texts.extend(read_target_file(args.input_list))
    if not texts:
        raise InvalidOptionError("targets", "", "give targets, or -iL FILE")
    excluded_texts = list(args.exclude)
    if args.excludefile is not None:
        excluded_texts.extend(read_target_file(args.excludefile))
    targets = [target_value(t) for t in texts]
    return apply_exclusions(targets, parse_exclusions(excluded_texts))


def _ports(args: argparse.Namespace) -> Any:
    ports: Any = args.ports
    if ports is None:
        ports = PortSet(top_ports(DEFAULT_TOP if args.top is None else args.top))
    if args.exclude_ports is not None:
        excluded = PortSet.parse(args.exclude_ports)
        if isinstance(ports, str):
            from portkit import PortSpec, Protocol

            spec = PortSpec.parse(ports, default=Protocol.UDP if args.udp else Protocol.TCP)
            parts = []
            for proto in (Protocol.TCP, Protocol.UDP):
                kept = spec.get(proto) - excluded
                if len(kept):
                    parts.append(f"{'T' if proto is Protocol.TCP else 'U'}:{kept}")
            ports = ",".join(parts) if parts else ""
        else:
            ports = ports - excluded
        if not ports:
            raise InvalidOptionError("exclude-ports", args.exclude_ports,
                                     "it leaves no port to scan")
    return ports


def unwrap(error: BaseException) -> BaseException:
    """The one error inside (nested) exception groups, or *error* itself."""
    while isinstance(getattr(error, "exceptions", None), tuple) and len(
        error.exceptions  # type: ignore[attr-defined]
    ) == 1:
        error = error.exceptions[0]  # type: ignore[attr-defined]
    return error


def _open_file(path: str) -> TextIO:
    if path == "-":
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as e:
        raise InvalidOptionError("output", path, f"cannot write it ({e.strerror})") from None


def run_scan(args: argparse.Namespace) -> int:
    _check_early(args)
    if args.version_scan:
        args.identify = True
        args.tls = True
    if args.timing is not None:
        timeout, retries, rate, concurrency = TIMING[args.timing]
        args.timeout = args.timeout if args.timeout is not None else timeout
        args.retries = args.retries if args.retries is not None else retries
        args.rate = args.rate if args.rate is not None else rate
        args.concurrency = args.concurrency if args.concurrency is not None else concurrency
    timeout = 1.0 if args.timeout is None else args.timeout
    retries = args.retries  # None: tries follow the loss measured per host
    discovery = _planning.discovery(args)
    resuming = args.resume is not None and not args.hosts and args.input_list is None
    targets = [] if resuming else _targets(args)
    ports = _ports(args)
    plans = _identify.plans(args, ports)
    command = shlex.join(["portkit", *sys.argv[1:]]) if sys.argv else "portkit"

    files: list[TextIO] = []
    writers: list[ReportWriter] = []
    # A host's report covers every plan (TCP and UDP), as nmap's does: it is complete
    # once all of its ports of every plan are in.
    host_ports = sum(len(plan[1]) for plan in plans)
    multiplicity = Counter(t if isinstance(t, str) else str(t) for t in targets
                           if not isinstance(t, Endpoint))

    def expected(result: ProbeResult) -> int | None:
        mult = multiplicity.get(result.target)
        return None if mult is None else mult * host_ports

    out = sys.stdout
    screen: NormalWriter | None = None
    per_host = False
    # "-oX -" (any -o format, as nmap allows) writes that format to stdout instead of
    # the table; only one output may go there.
    to_stdout = [flag for flag, path in (("-oN", args.out_normal), ("-oX", args.out_xml),
                                         ("-oG", args.out_grepable), ("-oJ", args.out_json))
                 if path == "-"]
    if len(to_stdout) + (args.json or args.csv) > 1:
        raise InvalidOptionError(
            "output", " ".join(to_stdout + ["--json"] * args.json + ["--csv"] * args.csv),
            "only one output can go to stdout"
        )
    try:
        if to_stdout:
            pass  # the -o writer below takes stdout
        elif args.json:
            writers.append(JSONLinesWriter(out, open_only=args.open_only))
        elif args.csv:
            writers.append(CSVWriter(out, open_only=args.open_only,
                                     identification=_identify.wanted(args)))
        else:
            screen = NormalWriter(out, show_all=args.show_all, expected=expected)
            writers.append(screen)
            per_host = True
        base = args.out_all
        normal_path = args.out_normal or (base and f"{base}.nmap")
        xml_path = args.out_xml or (base and f"{base}.xml")
        grep_path = args.out_grepable or (base and f"{base}.gnmap")
        json_path = args.out_json or (base and f"{base}.jsonl")
        first_plan = plans[0][1] if plans else PortSet()
        first_ports = first_plan if isinstance(first_plan, PortSet) else PortSet()
        normal_file: NormalWriter | None = None
        if normal_path:
            files.append(f := _open_file(normal_path))
            normal_file = NormalWriter(f, show_all=args.show_all, expected=expected)
            writers.append(normal_file)
            per_host = True
        if xml_path:
            files.append(f := _open_file(xml_path))
            udp_only = len(plans) == 1 and plans[0][2] == "udp"
            # As nmap's: states of more than 25 ports counted, whatever --all says.
            writers.append(NmapXMLWriter(
                f, expected=expected, command=command,
                ports=str(first_ports), protocol="udp" if udp_only else "tcp",
                count=len(first_ports),
            ))
            per_host = True
        if grep_path:
            files.append(f := _open_file(grep_path))
            writers.append(GrepableWriter(f, show_all=args.show_all, expected=expected,
                                          command=command))
            per_host = True
        if json_path:
            files.append(f := _open_file(json_path))
            writers.append(JSONLinesWriter(f, open_only=args.open_only))
        fan = _Fanout(writers)
        progress = _Progress(sys.stderr)
        order = "sequential" if per_host else "shuffled"

        def options(n_plan: int) -> dict[str, Any]:
            return {"timeout": timeout, "concurrency": args.concurrency, "rate": args.rate,
                    "retries": retries, "family": args.family,
                    "adaptive_timeout": args.adaptive, "order": order,
                    "discovery": discovery}

        async def sweep(probe: Any, plan_ports: Any, identify: Any) -> None:
            """One plan: the connect (or UDP) sweep, then identification of open ports."""
            held: list[ProbeResult] = []
            opened: Any
            if _planning.wants_plan(args):
                if probe is not None:
                    raise InvalidOptionError("shard", args.shard or args.resume,
                                             "--shard, --seed and --resume scan TCP (-sT)")
                opened = _planning.planned(args, targets, plan_ports, options(0),
                                           progress.update)
            else:
                opened = scan(targets, plan_ports, progress=progress.update, probe=probe,
                              **options(0))
            async with opened as results:
                hide = results.total > len(plan_ports) and not args.verbose
                for w in (screen, normal_file):
                    if w is not None:
                        w.hide_empty = hide
                async for result in results:
                    if result.port == 0 and "host" in result.details and screen is not None:
                        progress.clear()
                        print(_planning.host_line(result), file=out, flush=True)
                        continue
                    if result.state is PortState.OPEN:
                        progress.open += 1
                        if identify is not None:
                            held.append(result)
                            continue
                    fan.add(result)
            if held:
                await _identify_open(held, identify)

        async def _identify_open(held: list[ProbeResult], probe: Any) -> None:
            owners: dict[tuple[str, int], list[ProbeResult]] = {}
            for r in held:
                owners.setdefault((r.address, r.port), []).append(r)
            endpoints = [Endpoint(host=a, port=p) for a, p in owners]
            try:
                async with scan(endpoints, None, probe=probe, timeout=timeout,
                                concurrency=args.concurrency, rate=args.rate, retries=retries,
                                adaptive_timeout=False) as results:
                    async for found in results:
                        for original in owners.pop((found.address, found.port), []):
                            fan.add(attrs.evolve(found, target=original.target))
            finally:
                # Interrupted: what the sweep found is still reported.
                for left in owners.values():
                    for original in left:
                        fan.add(original)

        async def run_all() -> None:
            with anyio.CancelScope() as scope:
                async with anyio.create_task_group() as tg:
                    tg.start_soon(stop.watch, scope)
                    deadline = (anyio.current_time() + args.host_timeout
                                if args.host_timeout is not None else float("inf"))
                    with anyio.CancelScope(deadline=deadline):
                        for probe, plan_ports, _kind, identify in plans:
                            await sweep(probe, plan_ports, identify)
                    tg.cancel_scope.cancel()

        interrupted = False
        stop.in_loop = True
        try:
            anyio.run(run_all)
        except KeyboardInterrupt:
            interrupted = True
        except Exception as e:
            raise unwrap(e) from None
        finally:
            stop.in_loop = False
        interrupted = interrupted or stop.signum is not None
        progress.clear()
        fan.close(interrupted)
        out.flush()
    finally:
        for f in files:
            if f is sys.stdout:
                f.flush()
            else:
                f.close()
    if interrupted:
        print(f"portkit: interrupted after {fan.results} result(s)", file=sys.stderr)
        return stop.status
    if fan.results and fan.errors == fan.results:
        print("portkit: every probe failed (see the errors above)", file=sys.stderr)
        return 1
    return 0

