"""``portkit scan`` against real listeners on loopback."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from portkit._cli import main
from probe_support import closed_port, listener, stalled_listener


def test_table_lists_open_ports_and_summarizes_the_rest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    closed = closed_port()
    with listener() as port:
        status = main(["scan", "127.0.0.1", "-p", f"{port},{closed},1"])
    out = capsys.readouterr().out
    assert status == 0
    assert "scan report for 127.0.0.1" in out
    assert "Not shown: 2 closed ports (conn-refused)" in out
    row = next(line for line in out.splitlines() if line.startswith(f"{port}/tcp"))
    assert row.split()[1:3] == ["open", "syn-ack"]
    assert "3 port(s) scanned: 2 closed, 1 open" in out


def test_silent_ports_are_summarized_as_filtered(capsys: pytest.CaptureFixture[str]) -> None:
    with stalled_listener() as port:
        status = main(["scan", "127.0.0.1", "-p", str(port), "--timeout", "0.1",
                       "--retries", "0"])
    assert status == 0
    assert "Not shown: 1 filtered ports (no-response)" in capsys.readouterr().out


def test_json_gives_one_object_per_result(capsys: pytest.CaptureFixture[str]) -> None:
    with listener() as port:
        main(["scan", "127.0.0.1", "localhost", "-p", f"{port},{closed_port()}", "--json",
              "--family", "ipv4"])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 4
    assert {(r["target"], r["port"]) for r in records if r["state"] == "open"} == {
        ("127.0.0.1", port), ("localhost", port),
    }


def test_csv_has_a_header_and_a_row_per_result(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", "127.0.0.1", "-p", "1-5", "--csv", "--concurrency", "2", "--rate", "1000"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted(int(r["port"]) for r in rows) == [1, 2, 3, 4, 5]
    assert {r["state"] for r in rows} == {"closed"}


def test_default_ports_are_the_common_list(capsys: pytest.CaptureFixture[str]) -> None:
    from portkit._cli._scan import COMMON_PORTS

    main(["scan", "127.0.0.1", "--json"])
    ports = {json.loads(line)["port"] for line in capsys.readouterr().out.splitlines()}
    assert ports == set(COMMON_PORTS)
    assert {22, 80, 443} <= ports
    assert 80 <= len(COMMON_PORTS) <= 120


def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "127.0.0.1", "-p", "70000"]) == 2
    assert "70000" in capsys.readouterr().err
    assert main(["scan", "not a host!", "-p", "1"]) == 2


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ss") is None,
    reason="needs Linux signals and ss (iproute2)",
)
def test_ctrl_c_stops_and_prints_what_was_found() -> None:
    with listener() as open_port, stalled_listener() as silent:
        proc = subprocess.Popen(
            [sys.executable, "-m", "portkit", "scan", "127.0.0.1", "-p",
             f"{open_port},{silent}", "--timeout", "60", "--no-adaptive"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            # Wait (boundedly) until the silent port's probe is in flight.
            for _ in range(300):
                state = subprocess.run(
                    ["ss", "-Htn", "state", "syn-sent", f"dport = :{silent}"],
                    capture_output=True, text=True, check=False,
                ).stdout
                if state.strip():
                    break
                time.sleep(0.02)
            time.sleep(0.3)
            os.kill(proc.pid, signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 130, err
    assert "interrupted" in err
    row = next(line for line in out.splitlines() if line.startswith(f"{open_port}/tcp"))
    assert "open" in row
