"""Sweep all 65,535 TCP ports of 127.0.0.1: portkit vs nmap vs a naive asyncio scanner.

Usage: python benchmarks/scan_loopback.py [--repeat N]

Starts a few listeners first so that there are open ports to find, then runs, in
one process and one after another: portkit on asyncio and on trio with the options
a user would keep (the defaults), ``nmap -sT -p- -T4 -n -Pn 127.0.0.1`` when nmap is
installed, and a naive asyncio scanner (``asyncio.open_connection`` under a
semaphore). Prints seconds (median of the runs), ports per second, the open ports
each found and whether they agree with nmap's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import shutil
import socket
import statistics
import subprocess
import time
from collections.abc import Callable

import portkit

HOST = "127.0.0.1"
PORTS = range(1, 65536)


def run_portkit(backend: str) -> set[int]:
    results = portkit.scan_sync(HOST, "-", backend=backend)
    assert len(results) == len(PORTS)
    return {r.port for r in results if r.state is portkit.PortState.OPEN}


def run_nmap() -> set[int]:
    out = subprocess.run(
        ["nmap", "-sT", "-p-", "-T4", "-n", "-Pn", "-oG", "-", HOST],
        capture_output=True, text=True, check=True,
    ).stdout
    return {int(m.group(1)) for m in re.finditer(r"(\d+)/open/tcp", out)}


def run_naive() -> set[int]:
    async def main() -> set[int]:
        limit = asyncio.Semaphore(1000)

        async def one(port: int) -> int | None:
            async with limit:
                try:
                    _, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 1.0)
                except (OSError, asyncio.TimeoutError):
                    return None
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
                return port

        found = await asyncio.gather(*(one(p) for p in PORTS))
        return {p for p in found if p is not None}

    return asyncio.run(main())


def listening_ports() -> set[int]:
    """TCP ports listening on 127.0.0.1 or the wildcard address, from ``ss``."""
    if shutil.which("ss") is None:
        return set()
    out = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True, check=False).stdout
    found = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 4:
            host, _, port = fields[3].rpartition(":")
            if host in ("127.0.0.1", "0.0.0.0", "*", "[::]", "[::ffff:127.0.0.1]"):
                found.add(int(port))
    return found


def measure(fn: Callable[[], set[int]]) -> tuple[float, set[int], set[int]]:
    """Seconds, open ports found, and the listeners that existed before and after."""
    before = listening_ports()
    start = time.perf_counter()
    found = fn()
    seconds = time.perf_counter() - start
    return seconds, found, before & listening_ports()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per scanner (median)")
    args = parser.parse_args()

    listeners = []
    for _ in range(5):
        sock = socket.socket()
        sock.bind((HOST, 0))
        sock.listen(128)
        listeners.append(sock)
    ours = {s.getsockname()[1] for s in listeners}
    print(f"listeners started on {HOST}: {sorted(ours)}")
    print(f"portkit {portkit.__version__}, default options\n")

    scanners: list[tuple[str, Callable[[], set[int]]]] = [
        ("portkit (asyncio)", lambda: run_portkit("asyncio")),
        ("portkit (trio)", lambda: run_portkit("trio")),
    ]
    has_nmap = shutil.which("nmap") is not None
    if has_nmap:
        scanners.append(("nmap -sT -T4", run_nmap))
    else:
        print("nmap is not installed: no nmap figure\n")
    scanners.append(("naive asyncio", run_naive))

    times: dict[str, list[float]] = {}
    found_runs: dict[str, list[set[int]]] = {}
    persistent = listening_ports()
    try:
        # Round robin, so that a busy moment of the machine hits every scanner alike.
        for _ in range(args.repeat):
            for name, fn in scanners:
                seconds, found, steady = measure(fn)
                times.setdefault(name, []).append(seconds)
                found_runs.setdefault(name, []).append(found)
                persistent &= steady
    finally:
        for sock in listeners:
            sock.close()
    # Other programs on the machine may open and close listeners while the scans
    # run, and any scanner can catch those. Compare on the listeners that were there
    # before and after every run: each scanner must find all of them, every time.
    persistent |= ours
    nmap_seconds = statistics.median(times["nmap -sT -T4"]) if has_nmap else None
    print(f"{'scanner':<20}{'seconds':>9}{'ports/s':>10}{'vs nmap':>9}  open ports found")
    for name, _ in scanners:
        seconds = statistics.median(times[name])
        runs = found_runs[name]
        missed = sorted(set().union(*(persistent - found for found in runs)))
        others = len(set().union(*runs) - persistent)
        ratio = f"{seconds / nmap_seconds:.2f}" if nmap_seconds else "-"
        note = f"  MISSED {missed}" if missed else "  (all, every run)"
        if others:
            note += f"  +{others} short-lived listener(s) of other programs"
        print(f"{name:<20}{seconds:>9.2f}{len(PORTS) / seconds:>10,.0f}{ratio:>9}  "
              f"{sorted(persistent & runs[-1])}{note}")
    print(f"\nmedian of {args.repeat} runs each; 'vs nmap' = seconds / nmap's seconds")
    for name, _ in scanners:
        print(f"  {name:<18} runs: {', '.join(f'{t:.2f}' for t in times[name])}")


if __name__ == "__main__":
    main()
