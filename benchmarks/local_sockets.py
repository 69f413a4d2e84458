"""Listing 10,000 local sockets: portkit vs ``ss -tulpn`` vs ``psutil.net_connections``.

Opens about 10,000 sockets on loopback in this process (TCP and UDP listeners plus
connected TCP pairs), then times, in one run and side by side:

- ``portkit.local.listening(processes=False)``: the listening sockets, no owners;
- ``portkit.local.listening()``: the same with owning processes (what ``ss -tulpn`` does);
- ``portkit.local.connections()``: every socket with owners (what psutil does);
- ``ss -tulpn`` run as a subprocess, its output parsed into rows;
- ``psutil.net_connections("inet")`` (pip install 'portkit[local]').

Each figure is the median and the best of several runs. Every socket is closed on the
way out. Linux only. Run: ``python benchmarks/local_sockets.py [--sockets N]``.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable

import portkit

LINGER_RESET = struct.pack("ii", 1, 0)


def open_sockets(total: int) -> list[socket.socket]:
    """About *total* sockets: 10% TCP listeners, 5% UDP, the rest connected TCP pairs."""
    opened: list[socket.socket] = []
    for _ in range(total // 10):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        opened.append(s)
        s.bind(("127.0.0.1", 0))
        s.listen(8)
    for _ in range(total // 20):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        opened.append(u)
        u.bind(("127.0.0.1", 0))
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    opened.append(server)
    server.bind(("127.0.0.1", 0))
    server.listen(128)
    address = server.getsockname()
    while len(opened) + 2 <= total:
        client = socket.create_connection(address, timeout=5)
        opened.append(client)
        accepted, _ = server.accept()
        opened.append(accepted)
    return opened


def run_ss() -> int:
    out = subprocess.run(
        ["ss", "-tulpn"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    rows = [line.split() for line in out.splitlines()[1:]]
    return len(rows)


def timed(label: str, call: Callable[[], int], runs: int) -> None:
    times = []
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        count = call()
        times.append(time.perf_counter() - start)
    print(
        f"{label:<44} {count:>7} rows   median {statistics.median(times) * 1000:8.2f} ms"
        f"   best {min(times) * 1000:8.2f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not sys.platform.startswith("linux"):
        print("this benchmark reads /proc and runs ss: Linux only")
        return 1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.sockets + 1000
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            print(f"RLIMIT_NOFILE hard limit {hard} is below {want}; use --sockets")
            return 1
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    opened: list[socket.socket] = []
    try:
        opened = open_sockets(args.sockets)
        print(f"{len(opened)} sockets open in this process, python {sys.version.split()[0]}")
        timed(
            "portkit.local.listening(processes=False)",
            lambda: len(portkit.local.listening(processes=False)),
            args.runs,
        )
        timed("portkit.local.listening()", lambda: len(portkit.local.listening()), args.runs)
        if shutil.which("ss"):
            timed("ss -tulpn (subprocess, parsed)", run_ss, args.runs)
        else:
            print("ss: not installed")
        timed(
            "portkit.local.connections(processes=False)",
            lambda: len(portkit.local.connections(processes=False)),
            args.runs,
        )
        timed("portkit.local.connections()", lambda: len(portkit.local.connections()), args.runs)
        try:
            import psutil
        except ImportError:
            print("psutil: not installed (pip install 'portkit[local]')")
        else:
            timed(
                f"psutil.net_connections('inet') {psutil.__version__}",
                lambda: len(psutil.net_connections("inet")),
                args.runs,
            )
    finally:
        # Reset instead of closing gracefully, so that no TIME_WAIT sockets are
        # left behind to slow down the next run.
        for s in opened:
            if s.type == socket.SOCK_STREAM:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
            s.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
