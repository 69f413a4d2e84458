"""Running a plan's shards as tasks on a ``dask.distributed`` cluster."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from portkit._probe._results import ProbeResult
from portkit.exceptions import InvalidOptionError

from ._plan import Plan, Shard
from ._run import scan_plan_sync

__all__ = ["scan_on_dask", "scan_shard"]


def scan_shard(shard: Shard, options: dict[str, Any]) -> list[ProbeResult]:
    """Scan one shard to the end in this process; every result (a Dask task).

    *options* are :func:`scan_plan`'s, ``checkpoint`` included.

    .. versionadded:: 0.2
    """
    return scan_plan_sync(shard, **options)


def scan_on_dask(
    client: Any,
    plan: Plan,
    *,
    shards: int | None = None,
    checkpoints: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Iterator[ProbeResult]:
    """Scan *plan* on a ``dask.distributed`` *client*: one task per shard.

    ::

        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
            for result in scan_on_dask(client, plan, rate=1000):
                ...

    Each worker runs :func:`scan_shard` with the normal engine; results come back
    shard by shard, as each task finishes (in order of completion, each pair
    exactly once). A task that fails (a worker lost) is retried by Dask; with
    *checkpoints*, the shard resumes where its checkpoint says.

    Args:
        client: A ``dask.distributed.Client``.
        plan: The plan.
        shards: How many shards (tasks); by default four per worker, so that the
            results stream back and slow workers do not hold the end.
        checkpoints: A directory (shared by the workers) where each shard keeps
            its checkpoint, ``shard-I-of-N.ckpt``; a rerun resumes them.
        **options: :func:`scan_plan`'s options (``rate`` and ``concurrency`` are
            per shard).

    Returns:
        An iterator over every result.

    Raises:
        InvalidOptionError: *shards* is not an int >= 1.

    .. versionadded:: 0.2
    """
    from distributed import as_completed  # an optional dependency

    if shards is None:
        shards = 4 * max(1, len(client.scheduler_info().get("workers", {})))
    if not isinstance(shards, int) or isinstance(shards, bool) or shards < 1:
        raise InvalidOptionError("shards", shards, "shards is an int >= 1")
    futures = []
    for shard in plan.shards(shards):
        task_options = dict(options)
        if checkpoints is not None:
            task_options["checkpoint"] = str(
                Path(checkpoints) / f"shard-{shard.index}-of-{shard.count}.ckpt"
            )
        futures.append(
            client.submit(
                scan_shard, shard, task_options, pure=False,
                key=f"portkit-{plan.fingerprint[:12]}-{shard.index}-of-{shard.count}-{os.urandom(4).hex()}",
            )
        )
    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        yield from future.result()
