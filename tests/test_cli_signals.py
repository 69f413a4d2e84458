"""SIGINT and SIGTERM on ``portkit scan`` and ``portkit monitor``: prompt, whole, no traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from probe_support import listener, stalled_listener

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals")


def _start(*args: str, stdin: int | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "portkit", *args], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, stdin=stdin, text=True,
    )


def _wait_for_output(proc: subprocess.Popen[str]) -> str:
    """The first line the process writes (bounded: 30 s)."""
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    line = proc.stdout.readline()
    assert line or time.monotonic() < deadline
    return line


def _finish(proc: subprocess.Popen[str]) -> tuple[str, str]:
    # Read through the same buffered streams as _wait_for_output: communicate() reads
    # the raw pipe and would miss lines already buffered by its readline().
    assert proc.stdout is not None and proc.stderr is not None
    timer = threading.Timer(30, proc.kill)  # bounded, whatever happens
    timer.start()
    try:
        if proc.stdin is not None:
            proc.stdin.close()  # as communicate() does
        out = proc.stdout.read()
        err = proc.stderr.read()
        proc.wait()
        return out, err
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.parametrize(
    ("signals", "status"),
    [
        ([signal.SIGINT], 130),
        ([signal.SIGTERM], 143),
        ([signal.SIGINT, signal.SIGINT], 130),
        ([signal.SIGTERM, signal.SIGINT, signal.SIGTERM], 143),
    ],
    ids=["int", "term", "int-int", "term-int-term"],
)
def test_signals_end_a_json_scan_with_whole_lines(signals: list[int], status: int) -> None:
    # A sweep long enough to be running: 127.0.0.0/16 on one port, JSON lines.
    proc = _start("scan", "127.0.0.0/16", "-p", "1", "--json")
    first = _wait_for_output(proc)
    for signum in signals:
        os.kill(proc.pid, signum)
        time.sleep(0.005)
    out, err = _finish(proc)
    assert proc.returncode == status, err
    assert "Traceback" not in err
    assert "interrupted after" in err
    lines = (first + out).splitlines()
    assert 0 < len(lines) < 65536
    for n, line in enumerate(lines):  # every line is a whole record
        try:
            record = json.loads(line)
        except ValueError:
            raise AssertionError(f"line {n} of {len(lines)} is cut: {line!r}") from None
        assert record["schema"] == 1


def test_csv_rows_stay_whole_when_interrupted() -> None:
    import csv
    import io

    proc = _start("scan", "127.0.0.0/16", "-p", "1", "--csv")
    header = _wait_for_output(proc) + _wait_for_output(proc)  # the header and a row
    os.kill(proc.pid, signal.SIGINT)
    os.kill(proc.pid, signal.SIGTERM)
    out, err = _finish(proc)
    assert proc.returncode == 130, err
    rows = list(csv.reader(io.StringIO(header + out)))
    assert rows[0][:3] == ["target", "address", "port"]
    assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)


def test_sigterm_keeps_the_table_of_finished_hosts_and_the_partial_host() -> None:
    with listener() as open_port, stalled_listener() as silent:
        # 127.0.0.2 refuses both ports at once; 127.0.0.1 waits on the silent one.
        proc = _start("scan", "127.0.0.2", "127.0.0.1", "-p", f"{open_port},{silent}",
                      "--timeout", "60", "--no-adaptive", "-v")
        first = _wait_for_output(proc)
        assert first.startswith("scan report for 127.0.0.2")  # streamed before the end
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGTERM)
        out, err = _finish(proc)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    assert "scan report for 127.0.0.1" in out
    assert "(scan interrupted after 1 port(s) of this host)" in out
    row = next(line for line in out.splitlines() if line.startswith(f"{open_port}/tcp"))
    assert row.split()[1] == "open"
    assert out.rstrip().endswith("(interrupted)")


def test_xml_output_is_well_formed_when_interrupted(tmp_path: os.PathLike[str]) -> None:
    import xml.etree.ElementTree as ET

    path = os.path.join(tmp_path, "out.xml")
    proc = _start("scan", "127.0.0.0/16", "-p", "1", "-oX", path, "--json")
    _wait_for_output(proc)
    os.kill(proc.pid, signal.SIGINT)
    os.kill(proc.pid, signal.SIGINT)
    _, err = _finish(proc)
    assert proc.returncode == 130, err
    root = ET.parse(path).getroot()
    assert root.tag == "nmaprun"
    assert root.find("runstats/finished").get("exit") == "error"  # type: ignore[union-attr]


def test_sigint_during_start_up_exits_130_without_a_traceback() -> None:
    # -iL - waits for stdin: the signal arrives before any probe.
    proc = _start("scan", "-iL", "-", stdin=subprocess.PIPE)
    time.sleep(1.0)
    os.kill(proc.pid, signal.SIGINT)
    _, err = _finish(proc)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_monitor_stops_cleanly_on_signals(signum: int, status: int) -> None:
    with listener() as port:
        proc = _start("monitor", f"127.0.0.1:{port}", "--interval", "0.05")
        first = _wait_for_output(proc)
        assert "unknown -> up" in first
        os.kill(proc.pid, signum)
        os.kill(proc.pid, signum)
        _, err = _finish(proc)
    assert proc.returncode == status, err
    assert "Traceback" not in err
