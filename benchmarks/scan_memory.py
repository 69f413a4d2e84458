"""Peak memory of a scan over about a million (address, port) pairs.

Usage: python benchmarks/scan_memory.py [--backend asyncio|trio] [--addresses 16]

Scans 127.0.0.1-127.0.0.N (N = 16 by default) times all 65,535 TCP ports, i.e.
1,048,560 pairs, in a child process that counts the results as they stream and keeps
none, then prints the child's peak RSS (ru_maxrss) next to the peak RSS of a child
that only imports portkit, so the scan's own share is visible.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
import anyio, portkit
backend, count, scan = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "scan"
states = {}
start = time.perf_counter()
if scan:
    async def main():
        targets = [f"127.0.0.{i}" for i in range(1, count + 1)]
        async with portkit.scan(targets, "-") as results:
            async for r in results:
                states[r.state.value] = states.get(r.state.value, 0) + 1
    anyio.run(main, backend=backend)
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "states": states,
    "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""


def child(backend: str, count: int, scan: bool) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, backend, str(count), "scan" if scan else "idle"],
        capture_output=True, text=True, check=True,
    ).stdout
    return dict(json.loads(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="asyncio", choices=["asyncio", "trio"])
    parser.add_argument("--addresses", type=int, default=16)
    args = parser.parse_args()
    pairs = args.addresses * 65535
    idle = child(args.backend, args.addresses, scan=False)
    busy = child(args.backend, args.addresses, scan=True)
    idle_mb = int(idle["maxrss_kib"]) / 1024  # type: ignore[call-overload]
    busy_mb = int(busy["maxrss_kib"]) / 1024  # type: ignore[call-overload]
    seconds = float(busy["seconds"])  # type: ignore[arg-type]
    print(f"backend {args.backend}: {pairs:,} (address, port) pairs, 127.0.0.1-{args.addresses}")
    print(f"results: {sum(busy['states'].values()):,} {busy['states']}")  # type: ignore[attr-defined]
    print(f"seconds: {seconds:.1f} ({pairs / seconds:,.0f} probes/s)")
    print(f"peak RSS, import only: {idle_mb:6.1f} MB")
    print(f"peak RSS, whole scan:  {busy_mb:6.1f} MB  (limit 150 MB: "
          f"{'ok' if busy_mb < 150 else 'EXCEEDED'})")


if __name__ == "__main__":
    main()
