"""Classification and port-set speed, side by side with the plain-Python baselines.

Run: ``python benchmarks/classify.py``. Prints, measured in one run on this machine:

1. scalar ``classify()`` against a bare function doing the same three comparisons;
2. ``classify_many`` on 10,000,000 ports as a numpy array against a plain
   ``numpy.take`` on a prebuilt table (goal: within 1.5x, over 100 million ports/s),
   and on a Python list against a list comprehension of the bare function;
3. ``PortSet.parse`` and ``in`` on the full port range against ``set``/``frozenset``.

Figures are the best of several repeats (least disturbed by other load).
"""

from __future__ import annotations

import platform
import sys
import timeit

import portkit
from portkit import PortSet, classify, classify_many

try:
    import numpy as np
except ImportError:  # pragma: no cover - numpy is an optional extra
    np = None


def bare(port: int) -> int:
    if port < 0 or port > 65535:
        raise ValueError(port)
    return 0 if port < 1024 else (1 if port < 49152 else 2)


def best(stmt: object, number: int, repeat: int = 7) -> float:
    """Seconds per call: the best of *repeat* runs of *number* calls."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number  # type: ignore[arg-type]


def row(name: str, seconds: float, unit: str = "ns", items: int = 1, base: float | None = None
        ) -> None:
    scale = {"ns": 1e9, "us": 1e6, "ms": 1e3}[unit]
    per = seconds * scale
    rate = items / seconds
    ratio = f"{seconds / base:6.2f}x" if base else "   base"
    print(f"  {name:<44} {per:12.2f} {unit:<3} {rate / 1e6:10.1f} M/s  {ratio}")


def main() -> None:
    print(f"portkit {portkit.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}, numpy {np.__version__ if np else 'absent'}")

    print("\nscalar classification (per call; ratio against the bare function)")
    ports = [22, 8080, 50000, 1023, 49152]
    n = 200_000
    t_bare = best(lambda: [bare(p) for p in ports], n) / len(ports)
    t_pk = best(lambda: [classify(p) for p in ports], n) / len(ports)
    row("bare function, three comparisons", t_bare, base=None)
    row("portkit.classify", t_pk, base=t_bare)
    t_wk = best(lambda: [portkit.is_well_known(p) for p in ports], n) / len(ports)
    row("portkit.is_well_known", t_wk, base=t_bare)

    if np is not None:
        size = 10_000_000
        rng = np.random.default_rng(1)
        column = rng.integers(0, 65536, size=size, dtype=np.int64)
        table = np.empty(65536, dtype=np.uint8)
        table[:1024], table[1024:49152], table[49152:] = 0, 1, 2
        assert (classify_many(column) == np.take(table, column)).all()
        print(f"\ncolumns of {size:,} ports (whole column; ratio against numpy.take)")
        t_take = best(lambda: np.take(table, column), 1)
        row("numpy.take on a prebuilt table (int64)", t_take, "ms", size)
        row("portkit.classify_many (int64)", best(lambda: classify_many(column), 1), "ms",
            size, t_take)
        col32 = column.astype(np.int32)
        row("portkit.classify_many (int32)", best(lambda: classify_many(col32), 1), "ms", size,
            t_take)
        col16 = column.astype(np.uint16)
        row("portkit.classify_many (uint16)", best(lambda: classify_many(col16), 1), "ms",
            size, t_take)
        colf = column.astype(np.float64)
        row("portkit.classify_many (float64)", best(lambda: classify_many(colf), 1, 3), "ms",
            size, t_take)

    size = 1_000_000
    values = list(range(65536)) * (size // 65536 + 1)
    values = values[:size]
    print(f"\nPython lists of {size:,} ports (ratio against a comprehension of the bare function)")
    t_list = best(lambda: [bare(p) for p in values], 1, 3)
    row("[bare(p) for p in column]", t_list, "ms", size)
    row("portkit.classify_many(list)", best(lambda: classify_many(values), 1, 3), "ms", size,
        t_list)

    print("\nPortSet on the full range (ratio against set/frozenset/range)")
    spec_all = ",".join(map(str, range(1, 65536)))
    full_set = frozenset(range(1, 65536))
    t_set_build = best(lambda: frozenset(range(1, 65536)), 20)
    row("frozenset(range(1, 65536))", t_set_build, "us")
    row('PortSet.parse("-")', best(lambda: PortSet.parse("-"), 20_000), "us", base=t_set_build)
    row('PortSet.parse("1-65535")', best(lambda: PortSet.parse("1-65535"), 20_000), "us",
        base=t_set_build)
    t_set_split = best(lambda: frozenset(map(int, spec_all.split(","))), 5)
    row("frozenset(map(int, 65,535 items.split))", t_set_split, "ms")
    row("PortSet.parse(65,535 items one by one)", best(lambda: PortSet.parse(spec_all), 5),
        "ms", base=t_set_split)
    full = PortSet.parse("-")
    fragmented = PortSet(range(1, 65536, 2))  # 32,768 ranges: the worst case
    probes = list(range(0, 65536, 97))
    t_in_set = best(lambda: [p in full_set for p in probes], 2000) / len(probes)
    row("port in frozenset", t_in_set)
    row("port in PortSet (1 range)", best(lambda: [p in full for p in probes], 2000)
        / len(probes), base=t_in_set)
    row("port in PortSet (32,768 ranges)", best(lambda: [p in fragmented for p in probes], 200)
        / len(probes), base=t_in_set)
    print(f"\nmemory: PortSet of all ports holds {len(full.ranges)} range; "
          f"the frozenset holds {len(full_set):,} ints ({sys.getsizeof(full_set):,} bytes "
          "for its table alone)")


if __name__ == "__main__":
    main()
