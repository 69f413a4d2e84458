"""The default registry loads lazily, once, even under concurrent first lookups."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import portkit
from portkit.registries import _data


@pytest.fixture
def fresh_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No default registry loaded yet, and an empty cache directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _data.reset_default()
    yield
    _data.reset_default()


def _run(code: str, tmp_path: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True,
        env=env, timeout=60,
    ).stdout


def test_import_portkit_loads_no_data(tmp_path: Path) -> None:
    out = _run(
        "import portkit\n"
        "from portkit.registries import _data\n"
        "print(_data._STATE.registry is None, _data._STATE.loads)\n"
        "portkit.PortSet.parse('22,80')\n"
        "print(_data._STATE.registry is None, _data._STATE.loads)\n"
        "print(portkit.lookup(22))\n"
        "print(_data._STATE.registry is None, _data._STATE.loads)\n"
        "portkit.port_of('ssh'); portkit.PortSet.parse('http')\n"
        "print(_data._STATE.loads)\n",
        tmp_path,
    )
    assert out.split("\n") == [
        "True 0", "True 0", "ssh 22/tcp", "False 1", "1", ""
    ]


def test_concurrent_first_lookups_load_once(fresh_default: None) -> None:
    before = _data._STATE.loads
    threads = 16
    barrier = threading.Barrier(threads)
    results: list[object] = []
    lock = threading.Lock()

    def first_lookup() -> None:
        barrier.wait(timeout=30)
        service = portkit.lookup(443)
        registry = portkit.registries.default()
        with lock:
            results.append((service, registry))

    workers = [threading.Thread(target=first_lookup) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert len(results) == threads
    assert _data._STATE.loads == before + 1
    registries = {id(registry) for _, registry in results}  # type: ignore[misc]
    assert len(registries) == 1
    assert {str(service) for service, _ in results} == {"https 443/tcp"}  # type: ignore[misc]


def test_reset_makes_the_next_use_load_again(fresh_default: None) -> None:
    first = portkit.registries.default()
    assert portkit.registries.default() is first
    _data.reset_default()
    second = portkit.registries.default()
    assert second is not first
    assert second.lookup(22) == first.lookup(22)
