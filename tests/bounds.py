"""Measuring growth: a loader's CPU time and peak memory at two input sizes.

Tests assert on ratios (how much more a larger input costs), never on times: a
linear loader costs about k times as much for k times the input, a quadratic one
k squared times."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable


def cost(run: Callable[[], object], repeat: int = 3) -> tuple[float, int]:
    """(least CPU seconds, least peak bytes traced) of *repeat* runs of *run*."""
    seconds, peaks = [], []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        run()
        seconds.append(time.process_time() - start)
        gc.collect()
        tracemalloc.start()
        try:
            run()
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return min(seconds), min(peaks)


def growth(
    make: Callable[[int], Callable[[], object]], small: int, factor: int = 8
) -> tuple[float, float]:
    """(time ratio, memory ratio) of the run at ``small * factor`` over ``small``."""
    t1, m1 = cost(make(small))
    t2, m2 = cost(make(small * factor))
    return t2 / max(t1, 1e-4), m2 / max(m1, 1)


def assert_linear(make: Callable[[int], Callable[[], object]], small: int) -> None:
    """Eight times the input costs well under 64 times (quadratic) in time and memory."""
    time_ratio, memory_ratio = growth(make, small)
    assert time_ratio < 24, f"time grew {time_ratio:.1f}x for 8x the input"
    assert memory_ratio < 16, f"peak memory grew {memory_ratio:.1f}x for 8x the input"
