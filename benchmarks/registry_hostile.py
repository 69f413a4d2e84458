"""Registry loading on hostile shapes of input: time and peak memory at two sizes.

For each shape (the ordinary one-service-a-port file, descriptions made of blanks,
many services on one port, full ranges) the IANA-format file is written at size n
and 4n, then loaded with ``Registry.from_iana_csv`` (plus one ``services()`` and one
``status()`` lookup, which build the indices), and read by the ``csv`` module alone
as the baseline. Each figure is the best of three runs; peak memory is traced by
tracemalloc in a separate run.

    python benchmarks/registry_hostile.py
    PYTHONPATH=/path/to/older/src python benchmarks/registry_hostile.py   # to compare
"""

from __future__ import annotations

import csv
import gc
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import portkit
from portkit.registries import Registry

COLUMNS = ("Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,"
           "Registration Date,Modification Date,Reference,Service Code,"
           "Unauthorized Use Reported,Assignment Notes")
REST = ",,,,,,,"

SHAPES: dict[str, tuple[Callable[[int], list[str]], int]] = {
    "ordinary": (lambda n: [f"svc{i},{i % 65536},udp,Service {i},{REST}" for i in range(n)],
                 10_000),
    "blank descriptions": (lambda n: [f'svc{i},{i},tcp,"{" " * (n // 10)}x",{REST}'
                                      for i in range(10)], 8_000),
    "one port": (lambda n: [f"svc{i},80,tcp,Service {i},{REST}" for i in range(n)], 1_000),
    "full ranges": (lambda n: [f"svc{i},0-65535,tcp,Range {i},{REST}" for i in range(n)], 25),
}


def best(run: Callable[[], object]) -> tuple[float, int]:
    times = []
    for _ in range(3):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(times), peak


def main() -> int:
    print(f"registry loading on hostile shapes (portkit from {Path(portkit.__file__).parent}, "
          f"Python {sys.version.split()[0]})")
    print(f"{'shape':<20} {'rows/size':>9} {'file':>9} {'portkit':>10} {'csv module':>11} "
          f"{'x csv':>6} {'peak':>9} {'x file':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (rows, n) in SHAPES.items():
            for size in (n, 4 * n):
                path = Path(tmp) / f"{name}-{size}.csv"
                path.write_text("\n".join([COLUMNS, *rows(size)]) + "\n", encoding="utf-8")

                def load(path: Path = path) -> object:
                    registry = Registry.from_iana_csv(path)
                    registry.services(80)
                    return registry.status(80)

                def baseline(path: Path = path) -> object:
                    with path.open(encoding="utf-8", newline="") as f:
                        return sum(1 for _ in csv.reader(f))

                seconds, peak = best(load)
                base, _ = best(baseline)
                file_size = path.stat().st_size
                print(f"{name:<20} {size:>9} {file_size / 1e6:>7.2f}MB {seconds * 1000:>8.1f}ms "
                      f"{base * 1000:>9.1f}ms {seconds / base:>6.1f} {peak / 1e6:>7.1f}MB "
                      f"{peak / file_size:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
