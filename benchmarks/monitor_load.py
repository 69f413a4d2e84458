"""How the monitor keeps time under load: many loopback checks at a short interval.

Starts ``--listeners`` TCP listeners on 127.0.0.1 in a separate process (threads
that accept and close), then monitors ``--checks`` checks spread evenly over them,
each every ``--interval`` seconds, for ``--duration`` seconds, and prints:

- scheduling lag: when a probe started minus when it was due (p50, p99, max),
  over every result after the first interval (the ramp-up);
- CPU seconds used by the monitoring process (user + system);
- its peak resident set size.

Targets: p99 lag below 50 ms and peak RSS below 200 MB for 10,000 checks at 1 s.

With ``--scrapers N``, the monitor also serves ``/metrics`` on 127.0.0.1 and N
clients in another process scrape it back to back for the whole run (the scrapes
answered are counted): the lag then shows whether rendering holds up the checks.

    python benchmarks/monitor_load.py                   # 10,000 checks, 60 s
    python benchmarks/monitor_load.py --duration 10     # a shorter run
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing
import resource
import selectors
import socket
import sys
import time
from array import array
from typing import Any

import anyio
import anyio.lowlevel
import anyio.to_thread

import portkit


def _listeners(count: int, ready: Any, stop: Any) -> None:
    """Accept and close on *count* listeners (one thread, one selector) until *stop*."""
    _raise_nofile()
    selector = selectors.DefaultSelector()
    socks = []
    for _ in range(count):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(4096)
        s.setblocking(False)
        selector.register(s, selectors.EVENT_READ)
        socks.append(s)
    ready.put([s.getsockname()[1] for s in socks])
    while not stop.is_set():
        for key, _ in selector.select(timeout=0.2):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            for _ in range(1000):
                try:
                    conn, _ = sock.accept()
                except BlockingIOError:
                    break
                conn.close()
    for s in socks:
        s.close()
    selector.close()


def _scrapers(port: int, count: int, stop: Any, done: Any) -> None:
    """*count* threads scraping http://127.0.0.1:PORT/metrics back to back until *stop*."""
    import threading
    import urllib.request

    answered = [0] * count

    def scrape(i: int) -> None:
        while not stop.is_set():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                    r.read()
                answered[i] += 1
            except OSError:
                time.sleep(0.01)

    threads = [threading.Thread(target=scrape, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.put(sum(answered))


def _raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class NullProbe:
    """Answers "open" after one checkpoint, without a socket: the scheduler's ceiling."""

    async def __call__(self, endpoint: portkit.Endpoint, timeout: float) -> portkit.ProbeResult:
        await anyio.lowlevel.checkpoint()
        return portkit.ProbeResult(
            target=endpoint.host, address=endpoint.host, port=endpoint.port,
            state="open", reason="null", latency=0.0,
        )


def _pct(ordered: array[float] | list[float], p: float) -> float:
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


async def _monitor(args: argparse.Namespace, ports: list[int]) -> dict[str, float]:
    checks = [
        portkit.monitoring.Check(
            endpoint=portkit.Endpoint(host="127.0.0.1", port=ports[i % len(ports)]),
            name=f"c{i}", interval=args.interval, timeout=1.0,
            probe=NullProbe() if args.probe == "null" else None,
        )
        for i in range(args.checks)
    ]
    lags = array("d")
    if args.gc == "off":
        gc.disable()
    results = 0
    slow = 0
    states: dict[str, int] = {}
    start = anyio.current_time()
    scraping = None
    ctx = multiprocessing.get_context("spawn")
    stop, done = ctx.Event(), ctx.Queue()
    serve = ("127.0.0.1", 0) if args.scrapers else None
    with anyio.move_on_after(args.duration):
        async with portkit.monitoring.monitor(
            checks, spread=args.interval, seed=1, concurrency=args.concurrency, buffer=4096,
            serve=serve,
        ) as events:
            if serve is not None and events.metrics_address is not None:
                scraping = ctx.Process(
                    target=_scrapers, daemon=True,
                    args=(events.metrics_address[1], args.scrapers, stop, done),
                )
                scraping.start()
            if args.gc == "freeze":
                await anyio.sleep(0)  # let every check task start
                gc.collect()
                gc.freeze()
            async for event in events:
                if isinstance(event, portkit.monitoring.CheckResult):
                    results += 1
                    state = event.result.state.value
                    states[state] = states.get(state, 0) + 1
                    if event.scheduled - start >= args.interval:
                        lags.append(event.lag)
                    latency = event.result.latency
                    if latency is not None and latency > 0.1:
                        slow += 1
    scrapes = 0
    if scraping is not None:
        stop.set()
        scrapes = await anyio.to_thread.run_sync(done.get, True, 30)
        scraping.join(10)
    ordered = sorted(lags)
    return {
        "scrapes": scrapes,
        "results": results,
        "measured": len(ordered),
        "open": states.get("open", 0),
        "slow": slow,
        "lag_p50": _pct(ordered, 50) if ordered else math.nan,
        "lag_p99": _pct(ordered, 99) if ordered else math.nan,
        "lag_max": ordered[-1] if ordered else math.nan,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--listeners", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=1024)
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    parser.add_argument("--probe", choices=["tcp", "null"], default="tcp",
                        help="the built-in TCP connect probe, or a probe that opens no "
                        "socket (to measure the scheduler alone)")
    parser.add_argument("--scrapers", type=int, default=0,
                        help="clients scraping /metrics back to back (0: no server)")
    parser.add_argument("--gc", choices=["default", "freeze", "off"], default="default",
                        help="the cyclic garbage collector: as is, frozen after start-up "
                        "(gc.freeze), or disabled")
    args = parser.parse_args()
    _raise_nofile()
    ctx = multiprocessing.get_context("spawn")
    ready: Any = ctx.Queue()
    stop = ctx.Event()
    server = ctx.Process(target=_listeners, args=(args.listeners, ready, stop), daemon=True)
    server.start()
    try:
        ports = ready.get(timeout=30)
        before = resource.getrusage(resource.RUSAGE_SELF)
        wall = time.monotonic()
        figures = anyio.run(_monitor, args, ports, backend=args.backend)
        wall = time.monotonic() - wall
        after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        stop.set()
        server.join(timeout=10)
        if server.is_alive():
            server.kill()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss_mb = after.ru_maxrss / 1024  # kilobytes on Linux
    expected = args.checks * args.duration / args.interval
    print(f"portkit monitor load: {args.checks} checks every {args.interval:g} s on "
          f"{args.listeners} loopback listeners for {args.duration:g} s "
          f"({args.probe} probe, {args.backend}, gc {args.gc}, {args.scrapers} scrapers, "
          f"Python {sys.version.split()[0]})")
    rows = [
        ("results", f"{figures['results']:.0f}", f"~{expected:.0f} due"),
        ("open verdicts", f"{figures['open']:.0f}", ""),
        ("scrapes", f"{figures['scrapes']:.0f}", "answered /metrics"),
        ("handshakes", f"{figures['slow']:.0f}", "slower than 100 ms"),
        ("lag p50", f"{figures['lag_p50'] * 1000:.2f} ms", f"over {figures['measured']:.0f}"),
        ("lag p99", f"{figures['lag_p99'] * 1000:.2f} ms", "target < 50 ms"),
        ("lag max", f"{figures['lag_max'] * 1000:.2f} ms", ""),
        ("CPU", f"{cpu:.1f} s", f"{cpu / wall * 100:.0f}% of one core over {wall:.1f} s"),
        ("peak RSS", f"{rss_mb:.0f} MB", "target < 200 MB"),
    ]
    for name, value, note in rows:
        print(f"  {name:<14} {value:>14}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
