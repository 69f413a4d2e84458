"""Running a plan or one of its shards, with a checkpoint to resume from."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio

from portkit._options import check_positive
from portkit._probe._engine import ScanResults, scan_work
from portkit._probe._protocol import Probe
from portkit._probe._results import ProbeResult
from portkit.exceptions import InvalidOptionError

from ._checkpoint import Checkpoint, Journal
from ._plan import Plan, Shard

__all__ = ["PlanResults", "resume", "scan_plan", "scan_plan_sync"]

#: The options a checkpoint records (the others, callables, cannot be).
RECORDED = ("concurrency", "rate", "timeout", "retries", "adaptive_timeout")


class PlanResults:
    """The results of a running plan scan, as an async iterator.

    Attributes:
        shard: The shard being scanned (shard 0/1 for a whole plan).
        total: How many results this run will yield: the shard's pairs not yet
            reported by an earlier run.
        done: How many results this run has yielded.

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        shard: Shard,
        results: ScanResults,
        inflight: dict[tuple[str, int], int],
        journal: Any,  # a Journal or None (private: kept out of the signature shown)
        every: float,
    ) -> None:
        self.shard = shard
        self.total: int = results.total
        self.done: int = 0
        self._results = results
        self._inflight = inflight
        self._journal = journal
        self._every = every
        self._next_mark = anyio.current_time() + every

    def __aiter__(self) -> PlanResults:
        return self

    async def __anext__(self) -> ProbeResult:
        result = await self._results.__anext__()
        position = self._inflight.pop((result.address, result.port))
        journal = self._journal
        if journal is not None:
            journal.record(position, result)
            if anyio.current_time() >= self._next_mark:
                self._next_mark = anyio.current_time() + self._every
                journal.mark()
        self.done += 1
        return result

    def __repr__(self) -> str:
        return f"<PlanResults shard={self.shard} done={self.done} total={self.total}>"


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


@asynccontextmanager
async def scan_plan(
    plan: Plan | Shard,
    *,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: float = 10.0,
    concurrency: int | None = None,
    rate: float | None = None,
    timeout: float = 1.0,
    retries: int | None = None,
    adaptive_timeout: bool = True,
    progress: Callable[[int, int], object] | None = None,
    probe: Probe | None = None,
) -> AsyncIterator[PlanResults]:
    """Scan a plan, or one shard of it, with :func:`portkit.scan`'s engine.

    ::

        plan = Plan.build("192.0.2.0/24", "22,80,443", exclude=["192.0.2.1"])
        async with scan_plan(plan.shard(0, 4), checkpoint="shard0.ckpt") as results:
            async for result in results:
                ...

    Each pair of the shard yields one :class:`~portkit.ProbeResult`, in order of
    completion. With *checkpoint*, every result is first appended to that file
    (see :class:`Checkpoint`); when the file already exists, the scan resumes it:
    the file must be from the same plan, shard and options, and only the pairs it
    does not report are probed.

    Args:
        plan: A :class:`Plan` (scanned whole) or a :class:`Shard`.
        checkpoint: The checkpoint file to write, or to resume from if it exists.
        checkpoint_every: Seconds between watermark lines (and ``fsync``) in the
            checkpoint; one more is written when the scan stops, however it stops.
        concurrency: As in :func:`portkit.scan` (a shard's own ceiling).
        rate: As in :func:`portkit.scan`: probes per second for this shard.
        timeout: As in :func:`portkit.scan`.
        retries: As in :func:`portkit.scan`.
        adaptive_timeout: As in :func:`portkit.scan`.
        progress: As in :func:`portkit.scan` (over this run's pairs).
        probe: As in :func:`portkit.scan`.

    Yields:
        The :class:`PlanResults` async iterator.

    Raises:
        CheckpointError: *checkpoint* exists but is from another plan, shard or
            options, or is not a checkpoint.
        InvalidOptionError: an option is out of bounds.

    .. versionadded:: 0.2
    """
    shard = plan if isinstance(plan, Shard) else plan.shard(0, 1)
    if not isinstance(shard, Shard):
        raise InvalidOptionError("plan", plan, "a Plan or a Shard")
    every = check_positive("checkpoint_every", checkpoint_every, "seconds")
    options: dict[str, Any] = {
        "concurrency": concurrency, "rate": rate, "timeout": timeout, "retries": retries,
        "adaptive_timeout": adaptive_timeout,
    }
    journal = Journal(checkpoint, shard, options) if checkpoint is not None else None
    try:
        start = journal.watermark if journal is not None else 0
        remaining = shard.total - start - (len(journal.above) if journal is not None else 0)
        inflight: dict[tuple[str, int], int] = {}

        def work() -> Iterator[tuple[str, str, int, int, None]]:
            position = start
            for label, address, port in shard.pairs(start):
                if journal is None or not journal.is_done(position):
                    inflight[(address, port)] = position
                    yield label, address, _family(address), port, None
                position += 1

        async with scan_work(
            work(), remaining, progress=progress, probe=probe, **options
        ) as results:
            yield PlanResults(shard, results, inflight, journal, every)
    finally:
        if journal is not None:
            journal.close()


@asynccontextmanager
async def resume(
    checkpoint: str | os.PathLike[str],
    *,
    checkpoint_every: float = 10.0,
    progress: Callable[[int, int], object] | None = None,
    probe: Probe | None = None,
) -> AsyncIterator[PlanResults]:
    """Resume the scan that wrote *checkpoint*: same plan, shard and options.

    Only the pairs the file does not report are probed; their results are appended
    to it. *progress* and *probe* cannot be recorded, so they are given again.

    Raises:
        CheckpointError: the file cannot be read or is not a checkpoint.

    .. versionadded:: 0.2
    """
    saved = Checkpoint.read(checkpoint)
    options = {k: v for k, v in saved.options.items() if k in RECORDED}
    async with scan_plan(
        saved.shard, checkpoint=checkpoint, checkpoint_every=checkpoint_every,
        progress=progress, probe=probe, **options,
    ) as results:
        yield results


async def _collect(plan: Plan | Shard, options: dict[str, Any]) -> list[ProbeResult]:
    async with scan_plan(plan, **options) as results:
        return [result async for result in results]


def scan_plan_sync(
    plan: Plan | Shard, *, backend: str = "asyncio", **options: Any
) -> list[ProbeResult]:
    """Run :func:`scan_plan` to the end from synchronous code; return every result.

    Takes the options of :func:`scan_plan`, and *backend* (``"asyncio"`` or
    ``"trio"``) for :func:`anyio.run`.

    .. versionadded:: 0.2
    """
    return anyio.run(_collect, plan, options, backend=backend)
