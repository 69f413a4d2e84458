"""A real Prometheus server scrapes the monitor's /metrics and answers queries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

import portkit
from monitor_support import free_port, listening
from portkit.monitoring import Check

PROMETHEUS = "/usr/bin/prometheus"


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as r:
        return str(r.read().decode())


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A Prometheus server scraping 127.0.0.1:PORT every 200 ms; yields (url, PORT)."""
    binary = PROMETHEUS if os.path.exists(PROMETHEUS) else shutil.which("prometheus")
    if binary is None:
        pytest.skip("Prometheus is not installed (Debian: apt-get install prometheus)")
    target = free_port()
    web = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n"
        "  scrape_interval: 200ms\n"
        "  scrape_timeout: 200ms\n"
        "scrape_configs:\n"
        "  - job_name: portkit\n"
        "    static_configs:\n"
        f"      - targets: ['127.0.0.1:{target}']\n"
    )
    log = (tmp_path / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{web}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{web}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.skip(f"Prometheus exited with {proc.returncode}; see {log.name}")
            try:
                _get(url + "/-/ready")
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail("Prometheus did not become ready within 60 s")
                time.sleep(0.1)
        yield url, target
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _query(url: str, expr: str) -> list[tuple[dict[str, str], float]]:
    reply = json.loads(_get(f"{url}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"))
    assert reply["status"] == "success"
    return [(r["metric"], float(r["value"][1])) for r in reply["data"]["result"]]


@pytest.mark.anyio
async def test_prometheus_scrapes_the_monitor(prometheus: tuple[str, int]) -> None:
    url, target = prometheus
    async with listening() as port:
        checks = [
            Check(endpoint=f"127.0.0.1:{port}", name="web", interval=0.05),
            Check(endpoint="127.0.0.1:1", name="closed", interval=0.05),
        ]
        async with portkit.monitoring.monitor(
            checks, spread=0, results=False, serve=("127.0.0.1", target)
        ) as mon:
            assert mon.metrics_address == ("127.0.0.1", target)
            expressions = {
                "web_success": 'probe_success{job="portkit",check="web"}',
                "closed_success": 'probe_success{check="closed"}',
                "closed_down": 'portkit_check_state{check="closed",state="down"}',
                "web_up": 'portkit_check_up{check="web"}',
                "web_open": 'portkit_check_results_total{check="web",state="open"}',
                "web_p99": 'portkit_check_latency_seconds{check="web",quantile="0.99"}',
            }
            values: dict[str, list[tuple[dict[str, str], float]]] = {}
            with anyio.fail_after(60):
                while True:
                    for key, expr in expressions.items():
                        values[key] = await anyio.to_thread.run_sync(_query, url, expr)
                    if all(values.values()) and values["web_open"][0][1] >= 3:
                        break
                    await anyio.sleep(0.2)
    assert values["web_success"][0][1] == 1
    labels = values["web_success"][0][0]
    assert (labels["target"], labels["port"], labels["protocol"]) == ("127.0.0.1", str(port), "tcp")
    assert values["closed_success"][0][1] == 0
    assert values["closed_down"][0][1] == 1
    assert values["web_up"][0][1] == 1
    assert 0 < values["web_p99"][0][1] < 1
