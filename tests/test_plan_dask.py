"""A plan's shards as tasks on a dask.distributed LocalCluster of two processes."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from portkit.planning import Plan, scan_on_dask, scan_plan_sync
from probe_support import closed_port, listener

distributed = pytest.importorskip("distributed")

ADDRESSES = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        host="127.0.0.1",
    )
    with cluster, distributed.Client(cluster) as c:
        yield c


def test_shards_on_two_worker_processes_give_each_pair_once_as_one_process_does(
    client: object,
) -> None:
    with contextlib.ExitStack() as stack:
        opened = {
            (address, stack.enter_context(listener(address)))
            for address in ADDRESSES[:3]
        }
        ports = sorted({p for _, p in opened} | {closed_port() for _ in range(5)})
        plan = Plan.build(ADDRESSES, ports)
        results = list(scan_on_dask(client, plan, shards=5, timeout=0.5))
        alone = scan_plan_sync(plan, timeout=0.5)
    pairs = Counter((r.address, r.port) for r in results)
    assert set(pairs) == {(a, p) for _, a, p in plan.pairs()}
    assert set(pairs.values()) == {1}
    assert {(r.address, r.port) for r in results if r.is_open} == opened
    assert {(r.address, r.port, r.state) for r in results} == {
        (r.address, r.port, r.state) for r in alone
    }
    assert {r.target for r in results} == set(ADDRESSES)


def test_shard_checkpoints_on_dask_make_a_rerun_probe_nothing_again(
    client: object, tmp_path: Path
) -> None:
    plan = Plan.build(ADDRESSES[:2], [closed_port() for _ in range(4)])
    first = list(scan_on_dask(client, plan, shards=3, checkpoints=tmp_path, timeout=0.5))
    assert len(first) == plan.total
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"shard-{i}-of-3.ckpt" for i in range(3)
    ]
    assert list(scan_on_dask(client, plan, shards=3, checkpoints=tmp_path, timeout=0.5)) == []
