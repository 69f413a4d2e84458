"""Checkpoints and resume, with real scans of loopback addresses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portkit.exceptions import CheckpointError
from portkit.planning import Checkpoint, Plan, resume, scan_plan, scan_plan_sync
from probe_support import closed_port, listener

ADDRESSES = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]


@pytest.fixture(scope="module")
def ports() -> Iterator[list[int]]:
    with listener("127.0.0.1") as open_port:
        yield sorted({open_port, *(closed_port() for _ in range(7))})


def reported_pairs(data: bytes) -> list[tuple[str, int]]:
    """The pairs whose result lines are complete in *data* (read independently)."""
    complete = data[: data.rfind(b"\n") + 1].splitlines()[1:]
    return [(r["r"]["address"], r["r"]["port"]) for r in map(json.loads, complete) if "r" in r]


def file_pairs(path: Path) -> Counter[tuple[str, int]]:
    return Counter((r.address, r.port) for r in Checkpoint.read(path).results())


@pytest.fixture(scope="module")
def journal(ports: list[int], tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, bytes]:
    plan = Plan.build(ADDRESSES, ports, seed=5)
    path = tmp_path_factory.mktemp("ckpt") / "full.ckpt"
    results = scan_plan_sync(plan.shard(1, 2), checkpoint=path, timeout=0.5, checkpoint_every=0.001)
    assert len(results) == plan.shard(1, 2).total
    return plan, path.read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.floats(0, 1))
def test_resume_after_a_kill_at_any_point_probes_exactly_the_pairs_not_reported(
    journal: tuple[Plan, bytes], cut: float
) -> None:
    plan, data = journal
    shard = plan.shard(1, 2)
    every = {(address, port) for _, address, port in shard.pairs()}
    prefix = data[: int(len(data) * cut)]  # what a kill at that moment leaves
    reported = reported_pairs(prefix)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cut.ckpt"
        path.write_bytes(prefix)
        results = scan_plan_sync(shard, checkpoint=path, timeout=0.5)
        probed = [(r.address, r.port) for r in results]
        assert len(probed) == len(set(probed))
        assert set(probed) == every - set(reported)
        final = file_pairs(path)
        assert set(final) == every
        assert set(final.values()) == {1}


@pytest.mark.anyio
async def test_a_cancelled_scan_leaves_a_checkpoint_that_resume_completes(
    ports: list[int], tmp_path: Path
) -> None:
    plan = Plan.build(ADDRESSES, ports)
    path = tmp_path / "scan.ckpt"
    seen = []
    async with scan_plan(plan, checkpoint=path, timeout=0.5) as results:
        async for result in results:
            seen.append((result.address, result.port))
            if len(seen) == 5:
                break
    saved = Checkpoint.read(path)
    assert saved.shard == plan.shard(0, 1)
    assert saved.options["timeout"] == 0.5
    assert saved.remaining == plan.total - 5
    async with resume(path) as results:
        rest = [(r.address, r.port) async for r in results]
    assert results.total == plan.total - 5
    assert sorted(seen + rest) == sorted((a, p) for _, a, p in plan.pairs())
    final = Checkpoint.read(path)
    assert (final.watermark, final.done, final.remaining) == (plan.total, frozenset(), 0)


def test_a_checkpoint_of_another_plan_shard_or_options_is_refused(
    ports: list[int], tmp_path: Path
) -> None:
    plan = Plan.build(ADDRESSES, ports)
    path = tmp_path / "scan.ckpt"
    scan_plan_sync(plan.shard(0, 2), checkpoint=path, timeout=0.5)
    before = path.read_bytes()
    other = Plan.build(ADDRESSES, ports, seed=plan.seed + 1)
    with pytest.raises(CheckpointError, match="another plan"):
        scan_plan_sync(other.shard(0, 2), checkpoint=path, timeout=0.5)
    with pytest.raises(CheckpointError, match="shard 0/2, not shard 1/2"):
        scan_plan_sync(plan.shard(1, 2), checkpoint=path, timeout=0.5)
    with pytest.raises(CheckpointError, match=r"timeout=0\.5"):
        scan_plan_sync(plan.shard(0, 2), checkpoint=path, timeout=0.7)
    assert path.read_bytes() == before
    # The same plan, shard and options: nothing is left to probe.
    assert scan_plan_sync(plan.shard(0, 2), checkpoint=path, timeout=0.5) == []


@pytest.mark.parametrize("content", [b"not json\n", b'{"magic": "other"}\n', b"[1]\n"])
def test_a_file_that_is_not_a_checkpoint_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.ckpt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=str(path.name)):
        Checkpoint.read(path)
    with pytest.raises(CheckpointError):
        anyio.run(_resume_all, path)


async def _resume_all(path: Path) -> None:
    async with resume(path) as results:
        async for _ in results:
            pass


KILLED_SCAN = """
import sys, anyio
from portkit.planning import Plan, scan_plan

async def main():
    plan = Plan.build(["127.0.0.1"], "20000-22999", seed=9)
    async with scan_plan(plan, checkpoint=sys.argv[1], rate=1000, timeout=0.5) as results:
        async for result in results:
            pass

anyio.run(main)
"""


def test_a_scan_killed_with_sigkill_resumes_to_every_pair_once(tmp_path: Path) -> None:
    path = tmp_path / "killed.ckpt"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_SCAN, str(path)])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if path.exists() and path.read_bytes().count(b"\n") > 400:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the scan ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = file_pairs(path)
    assert 0 < len(before) < 3000
    anyio.run(_resume_all, path)
    after = file_pairs(path)
    assert set(after) == {("127.0.0.1", p) for p in range(20000, 23000)}
    assert set(after.values()) == {1}
