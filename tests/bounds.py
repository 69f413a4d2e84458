"""Measuring growth: a loader's CPU time and peak memory at two input sizes.

Tests assert on the ratio of peak memory (how much more a larger input holds), which
tracemalloc counts the same on any machine: a linear loader holds about k times as
much for k times the input, a quadratic one k squared times. CPU time depends on the
machine, so its ratio is a benchmark's to show (benchmarks/input_growth.py), not a
test's to assert."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable


def peak(run: Callable[[], object], repeat: int = 3) -> int:
    """The least peak of bytes traced over *repeat* runs of *run*."""
    peaks = []
    for _ in range(repeat):
        gc.collect()
        tracemalloc.start()
        try:
            run()
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return min(peaks)


def seconds(run: Callable[[], object], repeat: int = 3) -> float:
    """The least CPU seconds of *repeat* runs of *run*."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def growth(
    make: Callable[[int], Callable[[], object]], small: int, factor: int = 8
) -> tuple[float, float]:
    """(CPU time ratio, memory ratio) of the run at ``small * factor`` over ``small``."""
    little, big = make(small), make(small * factor)
    time_ratio = seconds(big) / max(seconds(little), 1e-4)
    return time_ratio, peak(big) / max(peak(little), 1)


def assert_linear(make: Callable[[int], Callable[[], object]], small: int) -> None:
    """Eight times the input holds well under 64 times (quadratic) the peak memory."""
    ratio = peak(make(small * 8)) / max(peak(make(small)), 1)
    assert ratio < 16, f"peak memory grew {ratio:.1f}x for 8x the input"
