"""An nftables drop inside a private network namespace turns a monitored port down."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream

pytestmark = pytest.mark.netns

SCRIPT = Path(__file__).resolve().parent / "netns_monitor.py"
PORT = 8080


@pytest.fixture
def namespace() -> Iterator[str]:
    """A fresh network namespace with loopback up; deleted afterwards."""
    if not sys.platform.startswith("linux"):
        pytest.skip("network namespaces are Linux's")
    if os.geteuid() != 0:
        pytest.skip("building a network namespace needs root")
    if shutil.which("ip") is None or shutil.which("nft") is None:
        pytest.skip("needs iproute2 (ip) and nftables (nft)")
    name = f"pkmon{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True,
                          check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {made.stderr.strip()}")
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True, timeout=30)
        nft = subprocess.run(
            ["ip", "netns", "exec", name, "nft", "add", "table", "inet", "portkit_probe"],
            capture_output=True, text=True, check=False, timeout=30,
        )
        if nft.returncode != 0:
            pytest.skip(f"nftables does not work in a namespace here: {nft.stderr.strip()}")
        subprocess.run(["ip", "netns", "exec", name, "nft", "delete", "table", "inet",
                        "portkit_probe"], check=True, timeout=30)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False, timeout=30)


RULES = f"""
table inet portkit_test {{
    chain input {{
        type filter hook input priority 0; policy accept;
        tcp dport {PORT} drop
    }}
}}
"""


@pytest.mark.anyio
async def test_nft_drop_turns_the_port_down_with_no_response(namespace: str) -> None:
    changes = []
    with anyio.fail_after(60):
        async with await anyio.open_process(
            ["ip", "netns", "exec", namespace, sys.executable, str(SCRIPT), str(PORT)],
            stderr=subprocess.PIPE,
        ) as proc:
            assert proc.stdout is not None and proc.stdin is not None
            lines = BufferedByteReceiveStream(proc.stdout)
            try:
                while True:
                    try:
                        line = await lines.receive_until(b"\n", 1 << 20)
                    except anyio.IncompleteRead:
                        assert proc.stderr is not None
                        err = await proc.stderr.receive(65536)
                        pytest.fail(f"the monitor in the namespace ended: {err.decode()}")
                    change = json.loads(line)
                    changes.append(change)
                    if change["new"] == "up":
                        await anyio.run_process(
                            ["ip", "netns", "exec", namespace, "nft", "-f", "-"],
                            input=RULES.encode(),
                        )
                    else:
                        break
            finally:
                await proc.stdin.aclose()
                with anyio.move_on_after(10):
                    await proc.wait()
                if proc.returncode is None:
                    proc.kill()
    assert [(c["old"], c["new"]) for c in changes] == [("unknown", "up"), ("up", "down")]
    down = changes[1]
    assert down["reason"] == "no-response" and down["kind"] == "problem"
    assert len(down["streak"]) == 2
    assert {r["state"] for r in down["streak"]} == {"filtered"}
    assert all(r["latency"] is None for r in down["streak"])
