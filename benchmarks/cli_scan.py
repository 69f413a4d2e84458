"""The command line's reports side by side: the table against JSON lines.

Usage: python benchmarks/cli_scan.py [--repeat 3] [--sweep 127.0.0.0/16]

Runs, as child processes with their output to /dev/null:

- ``portkit scan 127.0.0.1 -p- --all`` (the table, every port listed) against the
  same scan with ``--json``: 65,535 results each;
- a sweep of ``--sweep`` (default 127.0.0.0/16, 65,536 addresses) on one port, as a
  table and as JSON lines;

and prints the wall time and the peak RSS (the child's own ``VmHWM``, read as it
ends) of each, the best of ``--repeat`` runs, with the table's cost as a ratio of
JSON's. Loopback only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

#: The CLI, then its peak RSS on stderr (VmHWM: this process's memory since exec).
MEASURED = (
    "import sys\n"
    "from portkit._cli import main\n"
    "status = main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "hwm = [x for x in open('/proc/self/status') if x.startswith('VmHWM')][0].split()[1]\n"
    "print(hwm, file=sys.stderr)\n"
    "sys.exit(status)\n"
)


def run(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one ``portkit`` run."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED, *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"portkit {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return seconds, int(done.stderr.split()[-1])


def best(args: list[str], repeat: int) -> tuple[float, int]:
    runs = [run(args) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sweep", default="127.0.0.0/16")
    options = parser.parse_args()
    cases = [
        ("127.0.0.1 -p- --all", ["scan", "127.0.0.1", "-p-", "--all"],
         ["scan", "127.0.0.1", "-p-", "--json"]),
        (f"{options.sweep} -p 1", ["scan", options.sweep, "-p", "1"],
         ["scan", options.sweep, "-p", "1", "--json"]),
    ]
    print(f"{'scan':<28} {'table s':>8} {'json s':>8} {'ratio':>6} "
          f"{'table MiB':>10} {'json MiB':>9}")
    for name, table_args, json_args in cases:
        t_sec, t_rss = best(table_args, options.repeat)
        j_sec, j_rss = best(json_args, options.repeat)
        print(f"{name:<28} {t_sec:>8.2f} {j_sec:>8.2f} {t_sec / j_sec:>6.2f} "
              f"{t_rss / 1024:>10.1f} {j_rss / 1024:>9.1f}")


if __name__ == "__main__":
    main()
