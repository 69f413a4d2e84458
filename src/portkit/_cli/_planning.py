"""``portkit scan`` flags for scans at scale: --shard, --seed, --resume, -sn, --ping."""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from portkit import Endpoint, PortSet, ProbeResult
from portkit.exceptions import InvalidOptionError
from portkit.planning import Plan, PlanResults, Shard, resume, scan_plan

__all__ = ["add_arguments", "discovery", "host_line", "planned", "wants_plan"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("scans at scale (see docs/scanning-at-scale.md)")
    group.add_argument("--shard", default=None, metavar="I/N",
                       help="scan only shard I (from 0) of N of the targets x ports: shards "
                       "are disjoint and together cover the scan, on any machine")
    group.add_argument("--seed", type=int, default=None, metavar="N",
                       help="the order's seed (default: a hash of the targets and ports, "
                       "the same everywhere)")
    group.add_argument("--resume", default=None, metavar="FILE",
                       help="checkpoint file: written as the scan goes; if it exists, the "
                       "scan resumes it (alone: its targets, ports, shard and options)")
    group.add_argument("-sn", dest="ping_only", action="store_true",
                       help="host discovery only: is each address up? (TCP connects to "
                       "common ports, ICMP echo where unprivileged ICMP is allowed)")
    group.add_argument("--ping", dest="ping", action="store_true",
                       help="host discovery first; each down host is reported once")


def wants_plan(args: argparse.Namespace) -> bool:
    """True when the scan runs as a plan (--shard, --seed or --resume)."""
    return args.shard is not None or args.seed is not None or args.resume is not None


def discovery(args: argparse.Namespace) -> str:
    """``scan(discovery=...)`` for the flags: -sn only, --ping first, else skip (-Pn)."""
    if args.ping_only and args.ping:
        raise InvalidOptionError("sn", "--ping", "give -sn or --ping, not both")
    if (args.ping_only or args.ping) and wants_plan(args):
        raise InvalidOptionError(
            "sn" if args.ping_only else "ping", True,
            "host discovery does not go with --shard, --seed or --resume",
        )
    if args.ping_only and args.no_ping:
        raise InvalidOptionError("sn", "-Pn", "-Pn skips host discovery, -sn does only that")
    return "only" if args.ping_only else "ping" if args.ping else "skip"


def host_line(result: ProbeResult) -> str:
    """A discovery result on screen, as nmap says it."""
    if result.details.get("host") == "up":
        latency = f", {result.latency * 1000:.2f} ms" if result.latency is not None else ""
        return f"Host {result.address} is up ({result.reason}{latency})."
    return f"Host {result.address} seems down (no answer to discovery)."


@asynccontextmanager
async def planned(
    args: argparse.Namespace,
    targets: list[Any],
    ports: Any,
    options: dict[str, Any],
    progress: Callable[[int, int], object],
) -> AsyncIterator[PlanResults]:
    """The results of the plan (or shard, or resumed checkpoint) the flags ask for."""
    if args.resume is not None and not args.hosts and args.input_list is None:
        if not os.path.exists(args.resume):
            raise InvalidOptionError("resume", args.resume, "no such checkpoint file")
        async with resume(args.resume, progress=progress) as results:
            yield results
        return
    for target in targets:
        if isinstance(target, Endpoint):
            raise InvalidOptionError(
                "target", str(target),
                "--shard, --seed and --resume take hosts, addresses and networks",
            )
    if not isinstance(ports, PortSet):
        ports = PortSet.parse(str(ports)) if ports else PortSet()
    plan = Plan.build(targets, ports, seed=args.seed, family=options.get("family"))
    shard = Shard.parse(plan, args.shard) if args.shard is not None else plan.shard(0, 1)
    kept = {k: options[k] for k in ("timeout", "concurrency", "rate", "retries",
                                    "adaptive_timeout") if k in options}
    async with scan_plan(shard, checkpoint=args.resume, progress=progress, **kept) as results:
        yield results
