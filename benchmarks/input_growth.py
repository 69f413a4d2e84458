"""How the parsers' CPU time grows with hostile input: eight times the input should
cost about eight times as much (linear), never 64 times (quadratic).

Run: ``python benchmarks/input_growth.py``. For each input shape of
tests/test_parsers_fuzz.py (port specs, endpoints, ranges, ...), prints the least CPU
time of three runs at two sizes, their ratio, and the ratio of peak memory, which
the tests assert on (CPU time depends on the machine, so its ratio is shown here).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bounds import growth, seconds
from test_parsers_fuzz import PARSER_INPUTS, parser_runs


def main() -> None:
    print(f"{'shape':<34} {'n':>6} {'time at n':>11} {'at 8n':>11} {'time x':>7} "
          f"{'memory x':>9}   (linear 8x, quadratic 64x)")
    for name in sorted(PARSER_INPUTS):
        make, small = parser_runs(name)
        time_ratio, memory_ratio = growth(make, small)
        print(f"{name:<34} {small:>6} {seconds(make(small)) * 1e3:>9.2f}ms "
              f"{seconds(make(small * 8)) * 1e3:>9.2f}ms {time_ratio:>6.1f}x "
              f"{memory_ratio:>8.1f}x")

if __name__ == "__main__":
    main()
