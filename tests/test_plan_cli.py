"""``portkit scan`` with --shard, --seed, --resume, -sn and --ping, on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from portkit.planning import Checkpoint
from probe_support import listener


def portkit(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portkit", "scan", *argv],
        capture_output=True, text=True, timeout=120, check=False,
    )


def pairs(out: str) -> Counter[tuple[str, int]]:
    return Counter((r["address"], r["port"]) for r in map(json.loads, out.splitlines()))


def test_shards_from_the_command_line_split_the_scan_exactly() -> None:
    every = {(f"127.0.0.{h}", p) for h in (1, 2, 3) for p in range(1, 31)}
    found: Counter[tuple[str, int]] = Counter()
    for i in range(3):
        proc = portkit("127.0.0.1-3", "-p", "1-30", "--shard", f"{i}/3", "--seed", "7",
                       "--json", "--timeout", "0.5")
        assert proc.returncode == 0, proc.stderr
        shard = pairs(proc.stdout)
        assert 0 < len(shard) < len(every)
        found += shard
    assert set(found) == every
    assert set(found.values()) == {1}


def test_resume_from_the_command_line_probes_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "scan.ckpt"
    with listener("127.0.0.1") as port:
        first = portkit("127.0.0.1", "-p", f"1-20,{port}", "--resume", str(path), "--json")
        assert first.returncode == 0, first.stderr
        assert len(pairs(first.stdout)) == 21
        again = portkit("--resume", str(path), "--json")
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    saved = Checkpoint.read(path)
    assert saved.remaining == 0
    assert {(r.port, r.state.value) for r in saved.results() if r.is_open} == {(port, "open")}


def test_a_checkpoint_of_another_shard_is_refused_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "scan.ckpt"
    first = portkit("127.0.0.1", "-p", "1-5", "--shard", "0/2", "--resume", str(path))
    assert first.returncode == 0, first.stderr
    proc = portkit("127.0.0.1", "-p", "1-5", "--shard", "1/2", "--resume", str(path))
    assert proc.returncode == 2
    assert "it is shard 0/2, not shard 1/2" in proc.stderr


def test_bad_shards_are_refused_before_anything_is_sent() -> None:
    proc = portkit("127.0.0.1", "-p", "1-5", "--shard", "3/3")
    assert proc.returncode == 2
    assert "shard I/N needs 0 <= I < N" in proc.stderr


def test_sn_reports_each_host_once() -> None:
    proc = portkit("-sn", "127.0.0.1-3")
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("Host ")]
    assert [line.split()[1] for line in lines] == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    assert all("is up" in line for line in lines)
    both = portkit("-sn", "-Pn", "127.0.0.1")
    assert both.returncode == 2
    assert "-Pn skips host discovery" in both.stderr
