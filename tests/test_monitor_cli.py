"""``portkit monitor`` against real loopback listeners."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from monitor_support import listening

pytestmark = pytest.mark.anyio

PORTKIT = [sys.executable, "-m", "portkit", "monitor"]


async def _run(
    *args: str, stdout: int | None = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    with anyio.fail_after(60):
        return await anyio.run_process([*PORTKIT, *args], check=False, stdout=stdout)


async def test_json_lines_of_every_event_until_count() -> None:
    async with listening() as port:
        done = await _run(f"127.0.0.1:{port}", "--interval", "0.02", "--count", "3", "--json")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    results = [r for r in records if r["event"] == "result"]
    changes = [r for r in records if r["event"] == "change"]
    assert len(results) == 3 and all(r["verdict"] == "up" for r in results)
    assert [(c["old"], c["new"]) for c in changes] == [("unknown", "up")]


async def test_state_changes_as_lines_and_exit_status_one_when_down(tmp_path: Path) -> None:
    config = tmp_path / "checks.toml"
    async with listening() as port:
        config.write_text(
            f'[defaults]\ninterval = 0.02\n\n[[check]]\nendpoint = "127.0.0.1:{port}"\n'
            'name = "web"\n\n[[check]]\nendpoint = "127.0.0.1:1"\nname = "gone"\n'
        )
        done = await _run("--config", str(config), "--count", "2")
    assert done.returncode == 1
    lines = done.stdout.decode().splitlines()
    # With --count, every result is printed too: 2 per check, and 2 changes.
    assert len(lines) == 6, lines
    assert sum(" web open (syn-ack) " in line for line in lines) == 2
    assert sum(" gone closed (conn-refused) " in line for line in lines) == 2
    assert any(line.endswith("web unknown -> up (syn-ack) first") for line in lines)
    assert any(line.endswith("gone unknown -> down (conn-refused) first") for line in lines)


async def test_policy_check_from_the_command_line() -> None:
    done = await _run("127.0.0.1:1", "--expect", "closed", "--interval", "0.02",
                      "--count", "2", "--json")
    assert done.returncode == 0
    first = json.loads(done.stdout.decode().splitlines()[0])
    assert first["verdict"] == "up" and first["result"]["state"] == "closed"


async def test_live_table_on_a_terminal() -> None:
    leader, follower = pty.openpty()
    try:
        async with listening() as port:
            done = await _run(f"127.0.0.1:{port}", "--interval", "0.02", "--count", "3",
                              stdout=follower)
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed (EIO)
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert done.returncode == 0
    screen = b"".join(chunks).decode()
    assert "\x1b[H\x1b[2J" in screen
    assert "HEALTH" in screen and " up " in screen


async def test_no_checks_is_bad_input() -> None:
    done = await _run()
    assert done.returncode == 2


async def test_duration_stops_the_monitor() -> None:
    async with listening() as port:
        done = await _run(f"127.0.0.1:{port}", "--interval", "0.05", "--duration", "2")
    assert done.returncode == 0
    assert "unknown -> up" in done.stdout.decode()


async def test_serve_exposes_metrics_while_running() -> None:
    import urllib.error
    import urllib.request

    from monitor_support import free_port

    mport = free_port()

    def scrape() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{mport}/metrics", timeout=5) as r:
            return str(r.read().decode())

    async with listening() as port, anyio.create_task_group() as tg:
        done: list[subprocess.CompletedProcess[bytes]] = []

        async def run() -> None:
            done.append(await _run(f"127.0.0.1:{port}", "--interval", "0.05", "--duration",
                                   "30", "--serve", f"127.0.0.1:{mport}"))

        tg.start_soon(run)
        body = ""
        with anyio.fail_after(30):
            while 'probe_success{check="127.0.0.1:' not in body:
                try:
                    body = await anyio.to_thread.run_sync(scrape)
                except (urllib.error.URLError, OSError):
                    await anyio.sleep(0.05)
        tg.cancel_scope.cancel()
    assert f'probe_success{{check="127.0.0.1:{port}",target="127.0.0.1",port="{port}"' in body
